"""Evaluate the classical approaches out of fold, stack them, and write a submission.

Each approach (pipelines.approaches) goes through a stratified k-fold on the training
rows; the stack's logistic regression then learns from their out-of-fold probabilities
and is itself scored out of fold. Results: one table row per approach (out-of-fold F1 at
its best threshold, threshold, precision, recall, ROC-AUC, fit seconds), the out-of-fold
and test probabilities as Parquet, and, with a test file, a Kaggle submission from the
approach with the best out-of-fold F1.

    python -m pipelines.classical [--approach NAME ... | --approach all]
        [--dataset NAME | --train PATH] [--test PATH] [--folds 5] [--seed 42]
        [--n-jobs 1] [--cache-dir DIR] [--output-dir outputs] [--overwrite]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from textclf._io import atomic_write
from textclf.data import list_datasets, load_dataset, read_test, read_train
from textclf.features import cache_features
from textclf.models import OofResult, StackingEnsemble, oof_predict, stack_inputs
from textclf.submission import write_submission

from .approaches import APPROACHES, SEED_STACK_QUORA_F1, STACK_BASES, get_approach

STACK = "stack"
log = logging.getLogger("textclf.pipelines.classical")


@dataclass
class Evaluation:
    """Out-of-fold results of each approach (and of the stack) on one training set."""

    results: dict[str, OofResult]
    train: pd.DataFrame
    test: pd.DataFrame | None

    def table(self) -> pd.DataFrame:
        rows = []
        for name, result in self.results.items():
            seed_f1 = (SEED_STACK_QUORA_F1 if name == STACK
                       else APPROACHES[name].seed_quora_f1)
            scores = result.scores()
            rows.append({"approach": name, "oof_f1": scores.f1,
                         "threshold": scores.threshold,
                         "precision": scores.precision, "recall": scores.recall,
                         "roc_auc": scores.roc_auc, "pr_auc": scores.average_precision,
                         "fold_f1_std": float(result.fold_scores.std()),
                         "fit_seconds": float(result.fit_seconds.sum()),
                         "seed_quora_f1": seed_f1})
        return pd.DataFrame(rows).sort_values("oof_f1", ascending=False, ignore_index=True)

    def best(self) -> str:
        return max(self.results, key=lambda name: self.results[name].f1)


def evaluate(approaches: Sequence[str], train: pd.DataFrame, test: pd.DataFrame | None = None,
             *, n_splits: int = 5, random_state: int = 42, n_jobs: int = 1,
             cache_dir: str | Path | None = None) -> Evaluation:
    """Out-of-fold results of ``approaches`` (names; ``"stack"`` stacks the others).

    With ``cache_dir``, each fold's fitted feature steps are cached there
    (``textclf.features.cache_features``): approaches that share their first steps, and
    re-runs on the same data, reuse them.
    """
    texts, y = train["question_text"], train["target"].to_numpy()
    test_texts = None if test is None else test["question_text"]
    results: dict[str, OofResult] = {}
    for name in [a for a in approaches if a != STACK]:
        started = time.perf_counter()
        estimator = get_approach(name).build()
        if cache_dir is not None:
            estimator = cache_features(estimator, cache_dir)
        results[name] = oof_predict(estimator, texts, y, test_texts,
                                    n_splits=n_splits, random_state=random_state,
                                    n_jobs=n_jobs)
        log.info("%-16s out-of-fold F1 %.4f (threshold %.3f) in %.1f s", name,
                 results[name].f1, results[name].best_threshold,
                 time.perf_counter() - started)
    if STACK in approaches:
        if len(results) < 2:
            raise ValueError("the stack needs at least two base approaches")
        inputs = stack_inputs(results)
        results[STACK] = oof_predict(StackingEnsemble(), inputs.oof, inputs.y, inputs.test,
                                     n_splits=n_splits, random_state=random_state)
        log.info("%-16s out-of-fold F1 %.4f", STACK, results[STACK].f1)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approach", nargs="+", default=["all"],
                        help=f"approach names, 'stack' or 'all': {', '.join(APPROACHES)}")
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
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    approaches = [*STACK_BASES, STACK] if args.approach == ["all"] else args.approach
    name = Path(args.train).name.split(".")[0] if args.train else args.dataset
    train = read_train(args.train) if args.train else load_dataset(args.dataset)
    test = read_test(args.test) if args.test else None
    evaluation = evaluate(approaches, train, test, n_splits=args.folds,
                          random_state=args.seed, n_jobs=args.n_jobs,
                          cache_dir=args.cache_dir)
    written = write_outputs(evaluation, Path(args.output_dir) / "classical" / name,
                            overwrite=args.overwrite)
    print(evaluation.table().to_markdown(index=False, floatfmt=".4f"))
    for kind, path in written.items():
        print(f"{kind}: {path.resolve()}")
    return evaluation


if __name__ == "__main__":
    main()
