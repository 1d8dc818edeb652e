"""Every approach and the stack, out of fold, on the shipped and the real Quora rows.

For each dataset, each approach of ``pipelines.approaches`` (the classical ones of
``STACK_BASES`` and the ``bilstm`` network, or those named with ``--approach``) runs
``oof_predict`` (stratified k-fold, the same seeded folds for every approach) in a fresh
process of its own, so the peak resident memory reported is that approach's alone; folds
run one after the other in it (``n_jobs=1``), so the seconds are those of one process on
this machine (the network's Keras ops use both cores). The stack's logistic regression then
learns from the classical approaches' out-of-fold probabilities, as in ``textclf run``, and
is scored out of fold itself.

The table puts each out-of-fold F1 next to the F1 the seed study reported on Kaggle's
1.3M training rows (its figures are for the full competition set, the Quora rows here are
48,820 of them: compare the ranking, not the digits), and the stack's gain over its best
base approach.

    python -m benchmarks.classical_approaches [--dataset NAME ...] [--quora DIR]
        [--approach NAME ...] [--folds 5] [--seed 42] [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from benchmarks import QUORA
from pipelines.approaches import APPROACHES, SEED_STACK_QUORA_F1, STACK_BASES
from textclf._io import atomic_write
from textclf.data import list_datasets, load_dataset, read_train
from textclf.models import OofResult, StackingEnsemble, oof_predict, stack_inputs

QUORA_NAME = "quora_train_natural"


def _run_approach(name: str, train: pd.DataFrame, n_splits: int, seed: int
                  ) -> tuple[OofResult, float, float]:
    """One approach's out-of-fold result, wall seconds and this process's peak RSS (MB)."""
    started = time.perf_counter()
    result = oof_predict(APPROACHES[name].build(), train["question_text"],
                         train["target"].to_numpy(), n_splits=n_splits, random_state=seed)
    seconds = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result, seconds, peak_mb


def evaluate_dataset(train: pd.DataFrame, approaches: list[str], n_splits: int, seed: int
                     ) -> pd.DataFrame:
    results, rows = {}, []
    context = multiprocessing.get_context("spawn")
    for name in approaches:
        # A new process per approach: its peak memory is not an earlier approach's.
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result, seconds, peak_mb = pool.submit(_run_approach, name, train, n_splits,
                                                   seed).result()
        results[name] = result
        rows.append(_row(name, result, seconds, peak_mb, APPROACHES[name].seed_quora_f1))
        print(f"  {name:<17} F1 {result.f1:.4f}  {seconds:7.1f} s  {peak_mb:7.0f} MB",
              flush=True)
    bases = {name: result for name, result in results.items() if name in STACK_BASES}
    if len(bases) >= 2:
        started = time.perf_counter()
        inputs = stack_inputs(bases)
        stacked = oof_predict(StackingEnsemble(), inputs.oof, inputs.y, n_splits=n_splits,
                              random_state=seed)
        seconds = time.perf_counter() - started
        rows.append(_row("stack", stacked, seconds, None, SEED_STACK_QUORA_F1))
        best_base = max(result.f1 for result in bases.values())
        print(f"  {'stack':<17} F1 {stacked.f1:.4f}  ({stacked.f1 - best_base:+.4f} over "
              f"the best base approach)", flush=True)
    return pd.DataFrame(rows)


def _row(name: str, result: OofResult, seconds: float, peak_mb: float | None,
         seed_f1: float | None) -> dict:
    scores = result.scores()
    return {"approach": name, "oof_f1": scores.f1, "threshold": scores.threshold,
            "precision": scores.precision, "recall": scores.recall, "roc_auc": scores.roc_auc,
            "fold_f1_std": float(result.fold_scores.std()), "seconds": seconds,
            "peak_rss_mb": peak_mb, "seed_quora_f1": seed_f1}


def datasets(names: list[str], quora: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for name in names:
        if name == QUORA_NAME:
            path = quora / "train_natural.csv"
            if not path.is_file():
                print(f"Real Quora rows not found at {path} (they are not shipped); skipped. "
                      "Pass --quora DIR or set TEXTCLF_QUORA_DIR.")
                continue
            frames[name] = read_train(path)
        else:
            frames[name] = load_dataset(name)
    return frames


def summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Out-of-fold F1 of every approach (rows) on every dataset (columns)."""
    wide = pd.concat({name: table.set_index("approach")["oof_f1"]
                      for name, table in tables.items()}, axis=1)
    seed = pd.concat(tables.values()).groupby("approach")["seed_quora_f1"].first()
    return wide.assign(seed_quora_1_3m=seed).reset_index()


def main(argv: list[str] | None = None) -> dict[str, pd.DataFrame]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", default=[*list_datasets(), QUORA_NAME],
                        choices=[*list_datasets(), QUORA_NAME])
    parser.add_argument("--quora", type=Path, default=QUORA,
                        help="folder with the real Quora train_natural.csv")
    parser.add_argument("--approach", nargs="+", default=[*STACK_BASES, "bilstm"],
                        choices=list(APPROACHES))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-dir", type=Path,
                        default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{args.folds}-fold out-of-fold, seed {args.seed}, one core per approach")
    tables = {}
    for name, train in datasets(args.dataset, args.quora).items():
        print(f"{name}: {len(train):,} rows, {train['target'].mean():.1%} positive", flush=True)
        table = evaluate_dataset(train, args.approach, args.folds, args.seed)
        tables[name] = table
        atomic_write(args.output_dir / f"classical_{name}.csv",
                     lambda tmp, table=table: table.to_csv(tmp, index=False, float_format="%.4f"),
                     overwrite=True)
    if not tables:
        return tables
    wide = summary(tables)
    report = ["# Classical approaches: out-of-fold F1", "",
              (f"`python -m benchmarks.classical_approaches --folds {args.folds} --seed "
               f"{args.seed}`"), "",
              wide.to_markdown(index=False, floatfmt=".4f"), ""]
    for name, table in tables.items():
        report += [f"## {name}", "", table.to_markdown(index=False, floatfmt=".4f"), ""]
    written = atomic_write(args.output_dir / "classical_approaches.md",
                           lambda tmp: tmp.write_text("\n".join(report)), overwrite=True)
    print(wide.to_markdown(index=False, floatfmt=".4f"))
    print(f"written: {written}")
    return tables


if __name__ == "__main__":
    main()
