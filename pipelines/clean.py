"""Normalise a labelled dataset both ways and save the result.

Reads a shipped dataset (default: sms_spam) or any Kaggle train CSV, runs the classical
``TextCleaner`` and the ``EmbeddingNormalizer``, and writes one Parquet file with
``qid, question_text, target, clean_text, embedding_text`` (every input qid, input order).

    python -m pipelines.clean [--train sms_spam|PATH] [--output-dir outputs] [--sample 5]
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pandas as pd

from textclf._arguments import whole_number
from textclf._console import OneLineParser, configure_logging, run_command
from textclf._io import atomic_write
from textclf.study import DEFAULT_TRAIN, read_labelled
from textclf.text import EmbeddingNormalizer, TextCleaner

log = logging.getLogger("textclf.pipelines.clean")


def clean(train: pd.DataFrame) -> pd.DataFrame:
    """The input frame with the classical and the embedding view of each text added."""
    return train.assign(
        clean_text=TextCleaner().fit_transform(train["question_text"]),
        embedding_text=EmbeddingNormalizer().fit_transform(train["question_text"]),
    )


def run(train: str = DEFAULT_TRAIN, output_dir: str | Path = "outputs") -> Path:
    """Clean ``train`` (a shipped dataset's name or a Kaggle train CSV's path) and write
    ``<output_dir>/clean/<name>.parquet``; returns its path."""
    name, frame = read_labelled(train)
    started = time.perf_counter()
    cleaned = clean(frame)
    log.info("cleaned %d texts of %s in %.2f s", len(cleaned), name,
             time.perf_counter() - started)
    # A derived file, rebuilt from its input on every run: replacing it loses nothing.
    return atomic_write(Path(output_dir) / "clean" / f"{name}.parquet",
                        lambda tmp: cleaned.to_parquet(tmp, index=False), overwrite=True)


def main(argv: list[str] | None = None) -> None:
    parser = OneLineParser(prog="pipelines.clean", description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=DEFAULT_TRAIN,
                        help="a shipped dataset's name or the path of a Kaggle-format train "
                             "CSV (default: %(default)s)")
    parser.add_argument("--output-dir", default="outputs")
    parser.add_argument("--sample", type=whole_number, default=5, help="rows to print")
    args = parser.parse_args(argv)
    path = run(args.train, args.output_dir)
    cleaned = pd.read_parquet(path)
    for row in cleaned.head(args.sample).itertuples():
        print(f"[{row.qid}] target={row.target}\n  text:      {row.question_text}\n"
              f"  clean:     {row.clean_text}\n  embedding: {row.embedding_text}")
    print(f"\n{len(cleaned)} rows cleaned -> {path.resolve()}")


if __name__ == "__main__":
    configure_logging("INFO")
    sys.exit(run_command(main, "pipelines.clean"))
