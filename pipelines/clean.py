"""Normalise a labelled dataset both ways and save the result.

Reads a shipped dataset (default: sms_spam) or any Kaggle train CSV, runs the classical
``TextCleaner`` and the ``EmbeddingNormalizer``, and writes one Parquet file with
``qid, question_text, target, clean_text, embedding_text`` (every input qid, input order).

    python -m pipelines.clean [--dataset NAME | --train PATH] [--output-dir outputs]
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import pandas as pd

from textclf._io import atomic_write
from textclf.data import list_datasets, load_dataset, read_train
from textclf.text import EmbeddingNormalizer, TextCleaner

DEFAULT_DATASET = "sms_spam"
log = logging.getLogger("textclf.pipelines.clean")


def clean(train: pd.DataFrame) -> pd.DataFrame:
    """The input frame with the classical and the embedding view of each text added."""
    return train.assign(
        clean_text=TextCleaner().fit_transform(train["question_text"]),
        embedding_text=EmbeddingNormalizer().fit_transform(train["question_text"]),
    )


def run(*, dataset: str | None = None, train_path: str | None = None,
        output_dir: str | Path = "outputs") -> Path:
    """Clean one dataset and write ``<output_dir>/clean/<name>.parquet``; returns its path.

    ``train_path`` may also name a shipped dataset (as MLproject's ``train`` parameter does).
    """
    if train_path in list_datasets():
        dataset, train_path = train_path, None
    if train_path:
        name, train = Path(train_path).name.split(".")[0], read_train(train_path)
    else:
        name = dataset or DEFAULT_DATASET
        train = load_dataset(name)
    started = time.perf_counter()
    cleaned = clean(train)
    log.info("cleaned %d texts of %s in %.2f s", len(cleaned), name,
             time.perf_counter() - started)
    # A derived file, rebuilt from its input on every run: replacing it loses nothing.
    return atomic_write(Path(output_dir) / "clean" / f"{name}.parquet",
                        lambda tmp: cleaned.to_parquet(tmp, index=False), overwrite=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=list_datasets(), help="a shipped dataset")
    source.add_argument("--train", help="path of a Kaggle-format train CSV (or a shipped "
                        "dataset's name)")
    parser.add_argument("--output-dir", default="outputs")
    parser.add_argument("--sample", type=int, default=5, help="rows to print")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    path = run(dataset=args.dataset, train_path=args.train, output_dir=args.output_dir)
    cleaned = pd.read_parquet(path)
    for row in cleaned.head(args.sample).itertuples():
        print(f"[{row.qid}] target={row.target}\n  text:      {row.question_text}\n"
              f"  clean:     {row.clean_text}\n  embedding: {row.embedding_text}")
    print(f"\n{len(cleaned)} rows cleaned -> {path.resolve()}")


if __name__ == "__main__":
    main()
