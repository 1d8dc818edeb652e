"""Evaluate the classical approaches out of fold, stack them, and write a submission.

Each approach (pipelines.approaches) goes through a stratified k-fold on the training
rows, identical texts kept on one side of every fold; the stack's logistic regression then
learns from their out-of-fold probabilities (every other approach given, or
``--stack-bases``) and is itself scored out of fold, on the same folds. Results: one table
row per approach (``textclf.models.comparison_table``: cross-fitted and tuned out-of-fold
F1, threshold, precision, recall, ROC-AUC, fit seconds), the out-of-fold and test
probabilities as Parquet, and, with a test file, a Kaggle submission from the approach
with the best cross-fitted out-of-fold F1. Nothing is tracked; ``pipelines.main`` is the
tracked study.

    python -m pipelines.classical [--approach NAME ... | classical | all]
        [--stack-bases NAME ...] [--dataset NAME | --train PATH] [--test PATH]
        [--folds 5] [--seed 42] [--n-jobs 1] [--cache-dir DIR] [--output-dir outputs]
        [--overwrite]
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from textclf._console import OneLineParser, configure_logging, run_command
from textclf._io import atomic_write
from textclf.data import list_datasets, load_dataset, read_test, read_train
from textclf.features import cache_features
from textclf.models import (
    OofResult,
    StackingEnsemble,
    comparison_table,
    oof_predict,
    stack_inputs,
)
from textclf.submission import write_submission

from .approaches import APPROACHES, STACK, get_approach
from .main import expand_approaches, stack_bases_of

log = logging.getLogger("textclf.pipelines.classical")


@dataclass
class Evaluation:
    """Out-of-fold results of each approach (and of the stack) on one training set."""

    results: dict[str, OofResult]
    train: pd.DataFrame
    test: pd.DataFrame | None

    def table(self) -> pd.DataFrame:
        return comparison_table(self.results)

    def best(self) -> str:
        """The approach with the best cross-fitted out-of-fold F1."""
        return self.table().loc[0, "approach"]


def evaluate(approaches: Sequence[str], train: pd.DataFrame, test: pd.DataFrame | None = None,
             *, stack_bases: Sequence[str] | None = None, n_splits: int = 5,
             random_state: int = 42, n_jobs: int = 1,
             cache_dir: str | Path | None = None) -> Evaluation:
    """Out-of-fold results of ``approaches`` (names; ``"stack"`` stacks the others, or
    ``stack_bases``, which are evaluated too).

    With ``cache_dir``, each fold's fitted feature steps are cached there
    (``textclf.features.cache_features``): approaches that share their first steps, and
    re-runs on the same data, reuse them.
    """
    texts, y = train["question_text"], train["target"].to_numpy()
    test_texts = None if test is None else test["question_text"]
    results: dict[str, OofResult] = {}
    stacked = stack_bases_of(approaches, stack_bases) if STACK in approaches else []
    for name in dict.fromkeys([*(a for a in approaches if a != STACK), *stacked]):
        started = time.perf_counter()
        estimator = get_approach(name).build()
        if cache_dir is not None:
            estimator = cache_features(estimator, cache_dir)
        results[name] = oof_predict(estimator, texts, y, test_texts,
                                    n_splits=n_splits, random_state=random_state,
                                    n_jobs=n_jobs)
        log.info("%-16s out-of-fold F1 %.4f cross-fitted, %.4f tuned (threshold %.3f) in "
                 "%.1f s", name, results[name].crossfit_f1, results[name].f1,
                 results[name].best_threshold, time.perf_counter() - started)
    if stacked:
        inputs = stack_inputs({name: results[name] for name in stacked})
        results[STACK] = oof_predict(StackingEnsemble(), inputs.oof, inputs.y, inputs.test,
                                     folds=inputs.folds)
        log.info("%-16s out-of-fold F1 %.4f cross-fitted, %.4f tuned, over %s", STACK,
                 results[STACK].crossfit_f1, results[STACK].f1, ", ".join(stacked))
    return Evaluation(results, train, test)


def write_outputs(evaluation: Evaluation, directory: Path, *, overwrite: bool = False
                  ) -> dict[str, Path]:
    """Results table (CSV, Markdown), probabilities (Parquet) and, with a test set, the
    submission of the best approach; returns the paths written."""
    written = {}
    table = evaluation.table()
    written["results_csv"] = atomic_write(directory / "results.csv",
                                          lambda tmp: table.to_csv(tmp, index=False),
                                          overwrite=overwrite)
    written["results_md"] = atomic_write(
        directory / "results.md",
        lambda tmp: tmp.write_text(table.to_markdown(index=False, floatfmt=".4f") + "\n"),
        overwrite=overwrite)
    oof = evaluation.train[["qid", "target"]].assign(
        **{name: result.oof for name, result in evaluation.results.items()})
    written["oof"] = atomic_write(directory / "oof.parquet",
                                  lambda tmp: oof.to_parquet(tmp, index=False),
                                  overwrite=overwrite)
    if evaluation.test is not None:
        test = evaluation.test[["qid"]].assign(
            **{name: result.test for name, result in evaluation.results.items()})
        written["test"] = atomic_write(directory / "test.parquet",
                                       lambda tmp: test.to_parquet(tmp, index=False),
                                       overwrite=overwrite)
        best = evaluation.results[evaluation.best()]
        written["submission"] = write_submission(
            evaluation.test["qid"], best.test >= best.best_threshold,
            directory / "submission.csv", overwrite=overwrite)
    return written


def main(argv: list[str] | None = None) -> Evaluation:
    parser = OneLineParser(prog="pipelines.classical", description=__doc__.splitlines()[0])
    parser.add_argument("--approach", nargs="+", default=["classical"],
                        help="approach names, 'stack', 'classical' (the non-neural ones and "
                             f"their stack) or 'all': {', '.join(APPROACHES)}")
    parser.add_argument("--stack-bases", nargs="*", default=[],
                        help="what the stack combines (default: every other approach given)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=list_datasets(), default="sms_spam")
    source.add_argument("--train", help="path of a Kaggle-format train CSV")
    parser.add_argument("--test", help="path of a Kaggle-format test CSV (for a submission)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--output-dir", default="outputs")
    parser.add_argument("--cache-dir", help="cache fitted features here, keyed by data and "
                        "parameters, for re-runs; safe to delete")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the outputs of an earlier run")
    args = parser.parse_args(argv)
    approaches = expand_approaches(args.approach, parser)
    stack_bases = expand_approaches(args.stack_bases, parser, allow_stack=False)
    name = Path(args.train).name.split(".")[0] if args.train else args.dataset
    train = read_train(args.train) if args.train else load_dataset(args.dataset)
    test = read_test(args.test) if args.test else None
    evaluation = evaluate(approaches, train, test, stack_bases=stack_bases or None,
                          n_splits=args.folds,
                          random_state=args.seed, n_jobs=args.n_jobs,
                          cache_dir=args.cache_dir)
    written = write_outputs(evaluation, Path(args.output_dir) / "classical" / name,
                            overwrite=args.overwrite)
    print(evaluation.table().to_markdown(index=False, floatfmt=".4f"))
    for kind, path in written.items():
        print(f"{kind}: {path.resolve()}")
    return evaluation


if __name__ == "__main__":
    configure_logging("INFO")
    sys.exit(run_command(main, "pipelines.classical"))
