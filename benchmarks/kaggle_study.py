"""The whole classical study at Kaggle scale: ``textclf run --approach classical`` end to end.

For each size (the resampled files of ``benchmarks.scale_data``: training rows plus the
56,370-row test file), one fresh Python process runs what a user runs,

    textclf run --approach classical --train FILE --test TEST --folds 5 --seed 42
        --cache-dir TMP/features --output-dir TMP/outputs --registered-model ''

from loading to the submission, every classical approach and their stack tracked in a new
MLflow store of its own (``TMP/mlflow.db``). The feature cache lets approaches that share
their first steps in a fold (the word + char TF-IDF of ``wordchar_lr`` and
``wordchar_nblr``, the cleaning of the five cleaned-text approaches) fit them once.

Reported per size: the wall seconds of the whole process, its peak resident memory
(``ru_maxrss``), and each approach's seconds as its MLflow child run recorded them (fit,
prediction and logging). Growth is the exponent b of seconds ~ rows^b between the two
largest sizes. The targets at 1.31M rows are 60 minutes and 12 GB on 2 cores. The resampled
files repeat the 48,820 real questions (about 27 times each at 1.31M rows), so what works
per distinct text runs faster here than on Kaggle's own rows; F1 on them is that of the
real questions (``benchmarks.classical_approaches`` reports it), so it is not repeated here.

    python -m benchmarks.kaggle_study [--sizes 10000 100000 1310000] [--seed 42]
        [--folds 5] [--approach classical] [--quora DIR] [--cache-dir DIR] [--keep-earlier]
        [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ._common import QUORA, RESULTS, add_fresh_process_options, peak_rss_bytes
from ._fresh_process import report_result, result_of_fresh_process
from .scale import growth_exponent, machine_description
from .scale_data import SIZES, scale_files

TARGET_SECONDS, TARGET_GB = 3600, 12


def run_study(train: Path, test: Path, folds: int, seed: int, scratch: Path,
              approaches: list[str]) -> dict:
    """``textclf run --approach APPROACHES`` in this process; its seconds and peak memory."""
    from textclf.cli import main as textclf_main

    train, test, scratch = train.resolve(), test.resolve(), scratch.resolve()
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{scratch / 'mlflow.db'}"
    # MLflow puts a new experiment's artifacts in ./mlruns: here, not in the repository.
    os.chdir(scratch)
    started = time.perf_counter()
    status = textclf_main(["run", "--approach", *approaches, "--train", str(train),
                           "--test", str(test), "--folds", str(folds), "--seed", str(seed),
                           "--cache-dir", str(scratch / "features"),
                           "--output-dir", str(scratch / "outputs"),
                           "--registered-model", ""])
    seconds = time.perf_counter() - started
    if status not in (0, None):
        raise SystemExit(f"textclf run exited with status {status}")
    return {"seconds": seconds, "peak_gb": peak_rss_bytes(children=True) / 1024**3,
            "approach_seconds": approach_seconds(scratch / "mlflow.db")}


def approach_seconds(store: Path) -> dict[str, float]:
    """Seconds of each approach's child run in the MLflow store ``store``."""
    import mlflow

    from textclf.tracking import APPROACH_TAG

    client = mlflow.MlflowClient(f"sqlite:///{store}")
    experiment = client.get_experiment_by_name("textclf")
    runs = client.search_runs([experiment.experiment_id],
                              filter_string=f"tags.`{APPROACH_TAG}` != ''")
    return {run.data.tags[APPROACH_TAG]: (run.info.end_time - run.info.start_time) / 1000
            for run in runs if run.info.end_time is not None}


def study_in_fresh_process(files, folds: int, seed: int, approaches: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="textclf-kaggle-study-") as scratch:
        return result_of_fresh_process(
            "benchmarks.kaggle_study",
            ["--run-one", "--train-file", str(files.train), "--test-file", str(files.test),
             "--folds", str(folds), "--seed", str(seed), "--scratch", scratch,
             "--approach", *approaches],
            f"the study at {files.rows:,} rows")


def table_of(records: list[dict]) -> pd.DataFrame:
    """One row per approach (and the whole run) and a column of seconds per size, with the
    growth exponent between the two largest sizes."""
    sizes = sorted({record["rows"] for record in records})
    columns = {}
    for record in records:
        column = {"whole run": record["seconds"], **record["approach_seconds"]}
        columns[record["rows"]] = pd.Series(column)
    table = pd.DataFrame({f"{rows:,} s": columns[rows] for rows in sizes})
    # The whole run first, then the costliest approach at the largest size.
    order = columns[sizes[-1]].drop("whole run").sort_values(ascending=False).index
    table = table.reindex(["whole run", *order, *table.index.difference([*order, "whole run"])])
    if len(sizes) >= 2:
        small, large = sizes[-2], sizes[-1]
        table["growth"] = [growth_exponent(small, columns[small].get(name, float("nan")),
                                           large, columns[large].get(name, float("nan")))
                           for name in table.index]
    return table.rename_axis("approach").reset_index()


def write_report(records: list[dict], output_dir: Path, command: str) -> Path:
    from textclf._io import atomic_write

    flat = pd.DataFrame([{"rows": r["rows"], "seconds": r["seconds"], "peak_gb": r["peak_gb"],
                          **{f"s_{name}": s for name, s in r["approach_seconds"].items()}}
                         for r in records])
    atomic_write(output_dir / "kaggle_study.csv", lambda tmp: flat.to_csv(tmp, index=False),
                 overwrite=True)
    summary = pd.DataFrame([{"rows": f"{r['rows']:,}", "minutes": r["seconds"] / 60,
                             "peak GB": r["peak_gb"]} for r in records])
    lines = ["# The classical study at growing sizes", "", f"`{command}`", "",
             machine_description(), "",
             (f"`textclf run --approach {records[-1]['approaches']}` in a fresh process per "
              f"size, {records[-1]['folds']} folds, features cached per fold; targets for "
              f"the classical study at 1.31M rows: {TARGET_SECONDS // 60} minutes and "
              f"{TARGET_GB} GB."), "",
             summary.to_markdown(index=False, floatfmt=".2f"), "",
             ("Seconds per approach (its MLflow child run) and growth between the two "
              "largest sizes:"), "",
             table_of(records).to_markdown(index=False, floatfmt=".2f"), ""]
    return atomic_write(output_dir / "kaggle_study.md",
                        lambda tmp: tmp.write_text("\n".join(lines)), overwrite=True)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--approach", nargs="+", default=["classical"],
                        help="what textclf run runs (default: classical, every non-neural "
                             "approach and their stack)")
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the resampled files are kept (benchmarks.scale_data)")
    parser.add_argument("--keep-earlier", action="store_true",
                        help="keep the sizes of OUTPUT_DIR/kaggle_study.json not run again")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    # One study in this process (what the fresh process runs).
    add_fresh_process_options(parser, "--run-one", action="store_true")
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_one:
        result = run_study(args.train_file, args.test_file, args.folds, args.seed,
                           args.scratch, args.approach)
        report_result(result)
        return [result]

    from textclf._io import atomic_write

    store = args.output_dir / "kaggle_study.json"
    records = json.loads(store.read_text()) if args.keep_earlier and store.is_file() else []
    # Only sizes measured the same way are kept.
    records = [record for record in records if record["rows"] not in args.sizes
               and record.get("approaches") == " ".join(args.approach)
               and record.get("folds") == args.folds]
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.kaggle_study", *given])
    print(machine_description(), flush=True)
    for rows in args.sizes:
        files = scale_files(rows, seed=args.seed, quora=args.quora, cache_dir=args.cache_dir)
        record = {"rows": rows, "approaches": " ".join(args.approach), "folds": args.folds,
                  **study_in_fresh_process(files, args.folds, args.seed, args.approach)}
        records = sorted([*records, record], key=lambda r: r["rows"])
        print(f"{rows:>11,} rows  {record['seconds'] / 60:6.1f} min  peak "
              f"{record['peak_gb']:5.2f} GB", flush=True)
        for name, seconds in sorted(record["approach_seconds"].items(),
                                    key=lambda item: -item[1]):
            print(f"{'':13}{name:<18}{seconds:9.1f} s", flush=True)
        atomic_write(store, lambda tmp, records=records: tmp.write_text(
            json.dumps(records, indent=1)), overwrite=True)
        write_report(records, args.output_dir, command)
    return records


if __name__ == "__main__":
    main()
