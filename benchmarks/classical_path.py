"""The classical path end to end, in one process: wall time and peak resident memory.

Load the train and test CSVs (``read_train``/``read_test``), clean every question once
(``TextCleaner``; row by row, so cleaning train and test together leaks nothing), then
5-fold out of fold the ``tfidf_lr`` approach's steps after its cleaning (word TF-IDF +
logistic regression; the vectoriser is refitted inside each fold), the exact F1
threshold on the out-of-fold probabilities, and a Kaggle submission of the fold-averaged
test predictions. Each step's seconds and the process's peak RSS after it are recorded.

Input: ``--train``/``--test`` files, or ``--rows N`` for the resampled Kaggle-sized files
of ``benchmarks.scale_data`` (generated into its cache on first use). The submission goes
to a temporary folder unless ``--submission`` names a path.

    python -m benchmarks.classical_path [--rows 1310000 | --train PATH --test PATH]
        [--folds 5] [--seed 42] [--C 2.0] [--quora DIR] [--cache-dir DIR]
        [--output-dir benchmarks/results] [--name classical_path]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from textclf._io import atomic_write

from ._common import QUORA, RESULTS, peak_rss_mb
from .scale_data import scale_files


def run_path(train_path: Path, test_path: Path, *, folds: int = 5, seed: int = 42,
             C: float = 2.0, submission: Path | None = None) -> dict:
    """Run the path; return its per-step seconds, peak RSS and out-of-fold scores."""
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    started = time.perf_counter()

    def mark(step: str, since: float) -> float:
        now = time.perf_counter()
        steps[step] = round(now - since, 2)
        peaks[step] = round(peak_rss_mb(), 1)
        print(f"  {step:<12} {steps[step]:8.1f} s   peak {peaks[step]:8.0f} MB", flush=True)
        return now

    from textclf.data import read_test, read_train
    from textclf.metrics import best_f1_threshold
    from textclf.models import oof_predict
    from textclf.study import APPROACHES
    from textclf.submission import write_submission
    from textclf.text import TextCleaner

    imported = mark("imports", started)
    train, test = read_train(train_path), read_test(test_path)
    loaded = mark("load", imported)
    cleaner = TextCleaner()
    cleaned = cleaner.fit_transform(pd.concat([train["question_text"], test["question_text"]],
                                              ignore_index=True))
    train_text, test_text = cleaned.iloc[:len(train)], cleaned.iloc[len(train):]
    del cleaned
    clean = mark("clean", loaded)
    # The tfidf_lr approach after its cleaning step, which ran once above.
    model = APPROACHES["tfidf_lr"].build()[1:].set_params(logisticregression__C=C)
    result = oof_predict(model, train_text, train["target"].to_numpy(), test_text,
                         n_splits=folds, random_state=seed)
    fitted = mark("tfidf+lr", clean)
    best = best_f1_threshold(result.y_true, result.oof)
    thresholded = mark("threshold", fitted)
    with tempfile.TemporaryDirectory() as scratch:
        path = submission or Path(scratch) / "submission.csv"
        write_submission(test["qid"], best.predict(result.test), path, overwrite=True,
                         expected_qids=test["qid"])
        mark("submission", thresholded)
    total = time.perf_counter() - started
    return {"train_rows": len(train), "test_rows": len(test), "folds": folds, "C": C,
            "oof_f1": round(float(result.crossfit_f1), 4),
            "oof_f1_tuned": round(float(best.f1), 4),
            "threshold": round(float(best.threshold), 4),
            "fold_fit_seconds": [round(float(s), 1) for s in result.fit_seconds],
            "steps_seconds": steps, "peak_rss_mb_after_step": peaks,
            "total_seconds": round(total, 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv: list[str] | None = None) -> dict:
    from .scale import machine_description

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_310_000)
    parser.add_argument("--train", type=Path, default=None)
    parser.add_argument("--test", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--C", type=float, default=2.0,
                        help="logistic regression C (the tfidf_lr approach's default: 2.0)")
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--submission", type=Path, default=None)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--name", default="classical_path",
                        help="results are written to OUTPUT_DIR/NAME.json")
    args = parser.parse_args(argv)
    if (args.train is None) != (args.test is None):
        parser.error("--train and --test go together")
    if args.train is None:
        files = scale_files(args.rows, seed=args.seed, quora=args.quora,
                            cache_dir=args.cache_dir)
        args.train, args.test = files.train, files.test
    print(f"classical path on {args.train.name} / {args.test.name}", flush=True)
    record = run_path(args.train, args.test, folds=args.folds, seed=args.seed, C=args.C,
                      submission=args.submission)
    record["command"] = " ".join(["python -m benchmarks.classical_path",
                                  *(sys.argv[1:] if argv is None else argv)])
    record["machine"] = machine_description()
    print(f"total {record['total_seconds']:.1f} s, peak {record['peak_rss_mb']:.0f} MB, "
          f"out-of-fold F1 {record['oof_f1']:.4f}", flush=True)
    atomic_write(args.output_dir / f"{args.name}.json",
                 lambda tmp: tmp.write_text(json.dumps(record, indent=2) + "\n"),
                 overwrite=True)
    return record


if __name__ == "__main__":
    main()
