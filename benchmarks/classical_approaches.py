"""Every approach and the stack, out of fold, on the shipped and the real Quora rows.

For each dataset, each approach of ``textclf.study`` (those of ``all``, the
``bilstm`` network and ``minilm_lr`` included, or those named with ``--approach``) runs
``oof_predict`` (stratified k-fold, the same seeded folds for every approach, identical
texts kept on one side) in a fresh process of its own, so the peak resident memory
reported is that approach's alone; folds run one after the other in it (``n_jobs=1``), so
the seconds are those of one process on this machine (the networks' Keras ops use both
cores). The stack's logistic regression then learns from the out-of-fold probabilities of
every approach run (or of ``--stack-bases``), as ``textclf run`` does, and is scored out of
fold itself on the same folds.

Each row is ``textclf.models.comparison_table``'s: the cross-fitted out-of-fold F1 first,
the F1 at the threshold tuned on the same rows beside it. On the Quora rows the table adds
the F1 the seed study reported on Kaggle's 1.3M training rows (the rows here are 48,820 of
them: compare the ranking, not the digits). ``--grouping-effect`` reruns some approaches
with folds that ignore repeated texts, to show what grouping them changes.

    python -m benchmarks.classical_approaches [--dataset NAME ...] [--quora DIR]
        [--approach NAME ...] [--stack-bases NAME ...] [--folds 5] [--seed 42]
        [--grouping-effect NAME ...] [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from benchmarks._common import (
    QUORA,
    QUORA_NAME,
    RESULTS,
    labelled_datasets,
    peak_rss_mb,
    write_report,
)
from textclf._io import atomic_write
from textclf.data import duplicate_groups, list_datasets
from textclf.models import OofResult, StackingEnsemble, oof_predict, stack_inputs
from textclf.study import (
    APPROACHES,
    SEED_STACK_QUORA_F1,
    STACK,
    select_approaches,
    stack_bases_of,
)


def _run_approach(name: str, train: pd.DataFrame, n_splits: int, seed: int,
                  group_duplicates: bool = True) -> tuple[OofResult, float, float]:
    """One approach's out-of-fold result, wall seconds and this process's peak RSS (MB)."""
    started = time.perf_counter()
    result = oof_predict(APPROACHES[name].build(), train["question_text"],
                         train["target"].to_numpy(), n_splits=n_splits, random_state=seed,
                         group_duplicates=group_duplicates)
    seconds = time.perf_counter() - started
    return result, seconds, peak_rss_mb()


def _in_own_process(train: pd.DataFrame, name: str, n_splits: int, seed: int,
                    group_duplicates: bool = True) -> tuple[OofResult, float, float]:
    # A new process per approach: its peak memory is not an earlier approach's.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run_approach, name, train, n_splits, seed,
                           group_duplicates).result()


def evaluate_dataset(train: pd.DataFrame, approaches: list[str], n_splits: int, seed: int,
                     stack_bases: list[str] | None = None) -> pd.DataFrame:
    results, rows = {}, []
    for name in approaches:
        result, seconds, peak_mb = _in_own_process(train, name, n_splits, seed)
        results[name] = result
        rows.append(_row(name, result, seconds, peak_mb))
        print(f"  {name:<17} F1 {result.crossfit_f1:.4f} cross-fitted, {result.f1:.4f} "
              f"tuned  {seconds:7.1f} s  {peak_mb:7.0f} MB", flush=True)
    bases = list(stack_bases or results)
    if len(bases) >= 2:
        started = time.perf_counter()
        inputs = stack_inputs({name: results[name] for name in bases})
        stacked = oof_predict(StackingEnsemble(), inputs.oof, inputs.y, folds=inputs.folds)
        seconds = time.perf_counter() - started
        rows.append({**_row(STACK, stacked, seconds, None), "bases": ",".join(bases)})
        best_base = max(results[name].crossfit_f1 for name in bases)
        print(f"  {STACK:<17} F1 {stacked.crossfit_f1:.4f} cross-fitted, {stacked.f1:.4f} "
              f"tuned  ({stacked.crossfit_f1 - best_base:+.4f} over the best base approach)",
              flush=True)
    return pd.DataFrame(rows)


def _row(name: str, result: OofResult, seconds: float, peak_mb: float | None) -> dict:
    summary = result.summary()
    del summary["fit_seconds"]  # the wall seconds below include prediction and features
    return {"approach": name, **summary, "seconds": seconds, "peak_rss_mb": peak_mb}


def with_seed_figures(table: pd.DataFrame) -> pd.DataFrame:
    """The table with the seed study's out-of-fold F1 on Kaggle's 1.3M rows (Quora only)."""
    seed = {name: approach.seed_quora_f1 for name, approach in APPROACHES.items()}
    return table.assign(seed_quora_1_3m=table["approach"].map(
        {**seed, STACK: SEED_STACK_QUORA_F1}))


def grouping_effect(train: pd.DataFrame, approaches: list[str], n_splits: int,
                    seed: int) -> pd.DataFrame:
    """Cross-fitted F1 of ``approaches`` with repeated texts grouped and not."""
    rows = []
    for name in approaches:
        grouped, _, _ = _in_own_process(train, name, n_splits, seed, True)
        ungrouped, _, _ = _in_own_process(train, name, n_splits, seed, False)
        rows.append({"approach": name, "oof_f1_grouped": grouped.crossfit_f1,
                     "oof_f1_ungrouped": ungrouped.crossfit_f1,
                     "inflation": ungrouped.crossfit_f1 - grouped.crossfit_f1})
    return pd.DataFrame(rows)


def repeated_texts(train: pd.DataFrame) -> str:
    """How many rows repeat an earlier text, and how many positives have a twin."""
    groups = pd.Series(duplicate_groups(train["question_text"]))
    repeated = groups.duplicated(keep=False)
    positives = train["target"].to_numpy() == 1
    return (f"{int(groups.duplicated().sum()):,} rows repeat an earlier text; "
            f"{int((repeated & positives).sum()):,} of {int(positives.sum()):,} positives "
            "have a twin")


def summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Cross-fitted and tuned out-of-fold F1 of every approach (rows) on every dataset."""
    wide = pd.concat({(name, column): table.set_index("approach")[column]
                      for name, table in tables.items()
                      for column in ("oof_f1", "oof_f1_tuned")}, axis=1)
    wide.columns = [f"{name} {'tuned' if column.endswith('tuned') else 'cross-fitted'}"
                    for name, column in wide.columns]
    return wide.reset_index()


def main(argv: list[str] | None = None) -> dict[str, pd.DataFrame]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", default=[*list_datasets(), QUORA_NAME],
                        choices=[*list_datasets(), QUORA_NAME])
    parser.add_argument("--quora", type=Path, default=QUORA,
                        help="folder with the real Quora train_natural.csv")
    parser.add_argument("--approach", nargs="+", default=["all"],
                        help="approach names, 'classical' or 'all' as for 'textclf run' "
                             "(default: all); the stack of them is always added")
    parser.add_argument("--stack-bases", nargs="+", default=None,
                        help="what the stack combines (default: every approach run)")
    parser.add_argument("--grouping-effect", nargs="*", default=[], choices=list(APPROACHES),
                        help="approaches to rerun with folds that ignore repeated texts")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        args.approach = select_approaches(args.approach, allow_stack=False)
        if args.stack_bases:
            args.stack_bases = stack_bases_of(
                args.approach, select_approaches(args.stack_bases, allow_stack=False))
    except ValueError as error:
        parser.error(str(error))
    unknown = set(args.stack_bases or ()) - set(args.approach)
    if unknown:
        parser.error(f"--stack-bases {', '.join(sorted(unknown))} not in --approach")

    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{args.folds}-fold out-of-fold, seed {args.seed}, one core per approach")
    tables, effects, repeats = {}, {}, {}
    for name, train in labelled_datasets(args.dataset, args.quora).items():
        repeats[name] = repeated_texts(train)
        print(f"{name}: {len(train):,} rows, {train['target'].mean():.1%} positive; "
              f"{repeats[name]}", flush=True)
        table = evaluate_dataset(train, args.approach, args.folds, args.seed,
                                 args.stack_bases)
        if name == QUORA_NAME:
            table = with_seed_figures(table)
        tables[name] = table
        if args.grouping_effect:
            effects[name] = grouping_effect(train, args.grouping_effect, args.folds,
                                            args.seed)
            print(effects[name].to_markdown(index=False, floatfmt=".4f"), flush=True)
        atomic_write(args.output_dir / f"classical_{name}.csv",
                     lambda tmp, table=table: table.to_csv(tmp, index=False, float_format="%.4f"),
                     overwrite=True)
    if not tables:
        return tables
    wide = summary(tables)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.classical_approaches", *given])
    report = ["# Approaches and their stack: out-of-fold F1", "", f"`{command}`", "",
              ("oof_f1 is cross-fitted (each fold labelled at the best threshold of the "
               "other folds), oof_f1_tuned at the threshold tuned on all out-of-fold rows; "
               "folds keep identical texts on one side. The stack combines the approaches "
               "named in its bases column."), "",
              wide.to_markdown(index=False, floatfmt=".4f"), ""]
    for name, table in tables.items():
        report += [f"## {name}", "", repeats[name] + ".", "",
                   table.to_markdown(index=False, floatfmt=".4f"), ""]
        if name in effects:
            report += [("Repeated texts on both sides of the folds, against kept together "
                        "(cross-fitted F1):"), "",
                       effects[name].to_markdown(index=False, floatfmt=".4f"), ""]
    write_report(args.output_dir / "classical_approaches.md", report, wide)
    return tables


if __name__ == "__main__":
    main()
