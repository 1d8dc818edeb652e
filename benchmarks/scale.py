"""Seconds and peak memory of every pipeline stage at growing training sizes, up to Kaggle's.

For each size (training rows of the resampled files of ``benchmarks.scale_data``, 6.2%
positive, plus the 56,370-row test file), each stage runs in a fresh Python process of its
own, so the peak resident memory (``ru_maxrss``) reported is that stage's: its inputs,
prepared untimed in the same process (``setup MB``), and its own work (``peak MB``). The
``baseline`` stage is the interpreter with pandas, scikit-learn and textclf imported.

Stages (each timed on the training rows unless said otherwise):

- ``load``: ``read_train`` + ``read_test``.
- ``clean``: ``TextCleaner().fit_transform``; ``embed_normalize``: ``EmbeddingNormalizer``.
- ``meta``: ``MetaFeatures``; ``sentiment``: ``SentimentFeatures`` (VADER and TextBlob).
- ``tfidf_word``: ``tfidf_vectorizer("word")`` on cleaned text; ``tfidf_wordchar``:
  ``tfidf_vectorizer("word+char")`` on raw text; ``counts``: ``count_vectorizer("word")``
  on cleaned text (all ``fit_transform``).
- ``lda``: ``LdaTopics(random_state=42)`` with its default settings on cleaned text
  (fit and transform; topics learned from at most ``max_docs`` texts, 100,000 since that
  parameter came, all of them before); ``--lda-max-rows`` runs it on a seeded subsample of
  the rows, and the share used is reported.
- ``fit_lr``, ``fit_lgbm``, ``fit_mnb``, ``fit_bnb``, ``fit_nblr``: one fold's model fit
  (the first fold of ``StratifiedKFold(5, shuffle=True, random_state=42)``, 80% of the
  rows) on the fold's features: word TF-IDF of cleaned text (LR, LightGBM), word counts
  (multinomial NB), word presence (Bernoulli NB), word+char TF-IDF of raw text (NB-LR).
  The features are fitted untimed in the same process; what is timed is the steps of the
  approach (``tfidf_lr``, ``tfidf_lgbm``, ``count_mnb``, ``count_bnb``, ``wordchar_nblr``)
  after its features: LightGBM's includes its chi-squared selection of n-grams.
- ``stack``: ``oof_predict(StackingEnsemble(), ...)`` (5 folds) over ten base-approach
  probability columns (seeded synthetic ones: the stack's cost does not depend on them).
- ``neural_epoch``: ``BiLSTMClassifier(epochs=1, random_state=42)`` fitted on the fold's
  rows, one CPU epoch (shipped 50-d GloVe). Skipped where the seconds expected from the
  smaller sizes (a fixed cost plus a cost per row through the last two) exceed
  ``--neural-limit``; that size then shows the extrapolated seconds, marked as such.
- ``minilm_lr``: the ``minilm_lr`` approach (frozen all-MiniLM-L6-v2 vectors + LR)
  fitted on the fold's rows and predicting its held-out rows. The encoder encodes each
  distinct text once, and the resampled files repeat the real questions (at most 48,820
  distinct texts at any size), so beyond 100k rows its time grows with the LR alone; real
  data of N distinct texts costs N over the encoding rate of ``benchmarks.sentence_encoder``
  more. Needs the neural extras.
- ``predict_submit``: the fold's word TF-IDF + LR predicts its held-out rows and the test
  rows; the F1 threshold; ``write_submission`` of the test rows.

Writes ``scale_stages.csv``, ``scale_stages.md`` and ``scale_seconds.png`` (log-log seconds
against rows) to ``--output-dir`` (``benchmarks/results``) after every stage;
``--keep-earlier`` adds to the rows already there (a stage measured again replaces its row).

    python -m benchmarks.scale [--sizes 10000 100000 1310000] [--stages NAME ...]
        [--seed 42] [--quora DIR] [--cache-dir DIR] [--lda-max-rows N]
        [--neural-limit 600] [--keep-earlier] [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

from ._common import QUORA, RESULTS, add_fresh_process_options, peak_rss_mb
from ._fresh_process import report_result, result_of_fresh_process
from .scale_data import SIZES, scale_files

STAGES = ("baseline", "load", "clean", "embed_normalize", "meta", "sentiment", "tfidf_word",
          "tfidf_wordchar", "counts", "lda", "fit_lr", "fit_lgbm", "fit_mnb", "fit_bnb",
          "fit_nblr", "stack", "neural_epoch", "minilm_lr", "predict_submit")


# --- inside a stage's process ---------------------------------------------------------------
def _first_fold(y, seed: int):
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return next(splitter.split(np.zeros(len(y)), y))


def _cleaned(texts):
    from textclf.text import TextCleaner

    return TextCleaner().fit_transform(texts)


def _stage_work(stage: str, train_path: Path, test_path: Path, seed: int,
                lda_max_rows: int | None):
    """Prepare the stage's inputs (untimed) and return (work, note): ``work()`` is timed."""
    import numpy as np
    import pandas as pd

    from textclf.data import read_test, read_train

    if stage == "baseline":
        return (lambda: None), ""
    if stage == "load":
        return (lambda: (read_train(train_path), read_test(test_path))), ""
    train = read_train(train_path)
    texts, y = train["question_text"], train["target"].to_numpy()
    del train
    if stage == "clean":
        from textclf.text import TextCleaner

        return (lambda: TextCleaner().fit_transform(texts)), ""
    if stage == "embed_normalize":
        from textclf.text import EmbeddingNormalizer

        return (lambda: EmbeddingNormalizer().fit_transform(texts)), ""
    if stage == "meta":
        from textclf.features import MetaFeatures

        return (lambda: MetaFeatures().fit_transform(texts)), ""
    if stage == "sentiment":
        from textclf.features import SentimentFeatures

        return (lambda: SentimentFeatures().fit_transform(texts)), ""
    if stage in ("tfidf_word", "counts"):
        from textclf.features import count_vectorizer, tfidf_vectorizer

        cleaned = _cleaned(texts)
        vectorizer = tfidf_vectorizer("word") if stage == "tfidf_word" else \
            count_vectorizer("word")
        return (lambda: vectorizer.fit_transform(cleaned)), ""
    if stage == "tfidf_wordchar":
        from textclf.features import tfidf_vectorizer

        return (lambda: tfidf_vectorizer("word+char").fit_transform(texts)), ""
    if stage == "lda":
        from textclf.features import LdaTopics

        cleaned = _cleaned(texts)
        note = ""
        if lda_max_rows is not None and lda_max_rows < len(cleaned):
            keep = np.sort(np.random.default_rng(seed).choice(len(cleaned), lda_max_rows,
                                                              replace=False))
            note = f"fitted on {lda_max_rows:,} rows ({lda_max_rows / len(cleaned):.1%})"
            cleaned = cleaned.iloc[keep]
        topics = LdaTopics(random_state=42)
        note += (", " if note else "") + f"topics from at most {topics.max_docs:,} texts"
        return (lambda: topics.fit_transform(cleaned)), note
    if stage == "stack":
        from textclf.models import StackingEnsemble, oof_predict

        rng = np.random.default_rng(seed)
        columns = {}
        for k in range(10):
            # Base probabilities that rank the positives higher, each with its own noise.
            logit = (2.0 + 0.2 * k) * (y - 0.5) + rng.normal(-2.5, 1.5, len(y))
            columns[f"base_{k}"] = 1 / (1 + np.exp(-logit))
        oof = pd.DataFrame(columns)
        return (lambda: oof_predict(StackingEnsemble(), oof, y, n_splits=5,
                                    random_state=seed)), ""

    train_rows, valid_rows = _first_fold(y, seed)
    if stage == "neural_epoch":
        from textclf.models import BiLSTMClassifier

        fold_texts, fold_y = texts.iloc[train_rows], y[train_rows]
        model = BiLSTMClassifier(epochs=1, random_state=42)
        return (lambda: model.fit(fold_texts, fold_y)), "1 epoch, batch 512, CPU"
    if stage == "minilm_lr":
        from textclf.study import APPROACHES

        model = APPROACHES["minilm_lr"].build()
        fold_texts, held_out = texts.iloc[train_rows], texts.iloc[valid_rows]
        distinct = texts.nunique()
        return (lambda: model.fit(fold_texts, y[train_rows]).predict_proba(held_out)), \
            f"{distinct:,} distinct texts encoded once, CPU"
    if stage == "predict_submit":
        from sklearn.pipeline import make_pipeline

        from textclf.features import tfidf_vectorizer
        from textclf.metrics import best_f1_threshold
        from textclf.models import logistic_regression
        from textclf.submission import write_submission

        test = read_test(test_path)
        cleaned = _cleaned(pd.concat([texts, test["question_text"]], ignore_index=True))
        train_text, test_text = cleaned.iloc[:len(texts)], cleaned.iloc[len(texts):]
        model = make_pipeline(tfidf_vectorizer("word"), logistic_regression())
        model.fit(train_text.iloc[train_rows], y[train_rows])

        def predict_and_write():
            valid = model.predict_proba(train_text.iloc[valid_rows])[:, 1]
            best = best_f1_threshold(y[valid_rows], valid)
            labels = best.predict(model.predict_proba(test_text)[:, 1])
            with tempfile.TemporaryDirectory() as scratch:
                write_submission(test["qid"], labels, Path(scratch) / "submission.csv",
                                 expected_qids=test["qid"])
        return predict_and_write, f"{len(valid_rows):,} held-out + {len(test):,} test rows"

    from textclf.study import APPROACHES

    # Each stage's approach, split where its features end and its model begins.
    approach, model_starts = {"fit_lr": ("tfidf_lr", 2), "fit_lgbm": ("tfidf_lgbm", 2),
                              "fit_mnb": ("count_mnb", 2), "fit_bnb": ("count_bnb", 2),
                              "fit_nblr": ("wordchar_nblr", 1)}[stage]
    pipeline = APPROACHES[approach].build()
    # The features of all rows at once (vocabulary from every row, a fraction wider than
    # the fold's own): the model's fit is what is timed.
    matrix = pipeline[:model_starts].fit_transform(texts)[train_rows]
    fold_y = y[train_rows]
    estimator = pipeline[model_starts:]
    return (lambda: estimator.fit(matrix, fold_y)[-1]), \
        f"{matrix.shape[0]:,} x {matrix.shape[1]:,}, {matrix.nnz:,} non-zeros"


def run_stage(stage: str, train_path: Path, test_path: Path, seed: int,
              lda_max_rows: int | None) -> dict:
    """Run one stage in this process; return its seconds and memory."""
    import pandas  # noqa: F401  (the baseline: what every stage imports)
    import sklearn  # noqa: F401

    import textclf.features
    import textclf.models
    import textclf.text  # noqa: F401

    work, note = _stage_work(stage, train_path, test_path, seed, lda_max_rows)
    setup_mb = peak_rss_mb()
    started = time.perf_counter()
    output = work()
    seconds = time.perf_counter() - started
    shape = getattr(output, "shape", None)
    if stage.startswith(("tfidf", "counts")) and shape is not None:
        note = f"{shape[0]:,} x {shape[1]:,}, {output.nnz:,} non-zeros"
    # How long a model trained explains much of its time (boosting rounds, solver steps).
    for attribute in ("n_estimators_", "n_iter_"):
        value = getattr(output, attribute, None)
        if stage.startswith("fit_") and value is not None:
            note += f"; {attribute} {int(max(value) if hasattr(value, '__len__') else value)}"
    return {"seconds": round(seconds, 3), "setup_mb": round(setup_mb, 1),
            "peak_mb": round(peak_rss_mb(), 1), "note": note}


def stage_in_fresh_process(stage: str, files, seed: int, lda_max_rows: int | None,
                           timeout: float | None = None) -> dict:
    arguments = ["--run-stage", stage, "--train-file", str(files.train),
                 "--test-file", str(files.test), "--seed", str(seed)]
    if lda_max_rows is not None:
        arguments += ["--lda-max-rows", str(lda_max_rows)]
    return result_of_fresh_process("benchmarks.scale", arguments, f"stage {stage}",
                                   timeout=timeout)


# --- the report ---------------------------------------------------------------------------
def growth_exponent(rows_a: int, seconds_a: float, rows_b: int, seconds_b: float) -> float:
    """b in seconds ~ rows^b between two sizes (1.0: linear)."""
    if min(seconds_a, seconds_b) <= 0 or rows_a == rows_b:
        return math.nan
    return math.log(seconds_b / seconds_a) / math.log(rows_b / rows_a)


def write_report(records: list[dict], output_dir: Path, machine: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd
    from matplotlib.figure import Figure

    from textclf._io import atomic_write
    from textclf.tracking import save_figure

    table = pd.DataFrame(records)
    written = [atomic_write(output_dir / "scale_stages.csv",
                            lambda tmp: table.to_csv(tmp, index=False), overwrite=True)]
    sizes = sorted(table["rows"].unique())
    order = [stage for stage in STAGES if stage in set(table["stage"])]
    lines = ["# Stage seconds and peak memory by training rows", "", machine, "",
             ("Each stage in a fresh process; peak MB is that process's resident peak "
              "(inputs prepared untimed included; `baseline` is the interpreter and "
              "imports alone). `~` marks extrapolated seconds, not measured. Growth: the "
              "exponent b of seconds ~ rows^b between the two largest measured sizes "
              "(1 = linear)."), ""]
    header = (["stage"] + [f"{rows:,} s" for rows in sizes]
              + [f"{rows:,} peak MB" for rows in sizes] + ["growth", "note"])
    lines += ["| " + " | ".join(header) + " |",
              "|---|" + "---:|" * (2 * len(sizes) + 1) + "---|"]
    for stage in order:
        part = table[table["stage"] == stage].set_index("rows")
        cells, measured = [stage], []
        for rows in sizes:
            if rows not in part.index:
                cells.append("-")
                continue
            row = part.loc[rows]
            extrapolated = bool(row.get("extrapolated", False))
            cells.append(("~" if extrapolated else "") + f"{row['seconds']:.2f}")
            if not extrapolated:
                measured.append((rows, row["seconds"]))
        for rows in sizes:
            peak = part["peak_mb"].get(rows) if rows in part.index else None
            cells.append("-" if peak is None or pd.isna(peak) else f"{peak:,.0f}")
        growth = (growth_exponent(*measured[-2], *measured[-1]) if len(measured) >= 2
                  else math.nan)
        cells.append("-" if math.isnan(growth) else f"{growth:.2f}")
        notes = [str(n) for n in part["note"].tolist() if isinstance(n, str) and n]
        cells.append("; ".join(notes[-1:]))
        lines.append("| " + " | ".join(cells) + " |")
    written.append(atomic_write(output_dir / "scale_stages.md",
                                lambda tmp: tmp.write_text("\n".join(lines) + "\n"),
                                overwrite=True))

    figure = Figure(figsize=(10, 6))
    axes = figure.subplots()
    colours = matplotlib.colormaps["tab20"].colors
    for number, stage in enumerate(s for s in order if s != "baseline"):
        part = table[table["stage"] == stage].sort_values("rows")
        line, = axes.plot(part["rows"], part["seconds"].clip(lower=1e-3),
                          marker="osD^v"[number % 5], label=stage, linewidth=1,
                          color=colours[number % len(colours)])
        guessed = part[part["extrapolated"].astype(bool)]
        if len(guessed):
            axes.plot(guessed["rows"], guessed["seconds"], marker="x", linestyle="none",
                      color=line.get_color(), markersize=10)
    if len(sizes) >= 2:
        # A slope-1 guide through 1 s at the smallest size: linear growth runs parallel.
        axes.plot(sizes, [sizes_i / sizes[0] for sizes_i in sizes], color="grey",
                  linestyle="--", label="linear (slope 1)")
    axes.set(xscale="log", yscale="log", xlabel="training rows", ylabel="seconds",
             title="Stage seconds by training rows (x: extrapolated)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.tight_layout()
    written.append(save_figure(figure, output_dir / "scale_seconds.png", overwrite=True))
    return written


def extrapolate(measured: list[dict], rows: int) -> tuple[float, str]:
    """Seconds at ``rows`` from earlier measurements: a fixed cost plus a cost per row
    through the last two sizes (the start-up of Keras is paid once), else proportional."""
    last = measured[-1]
    if len(measured) >= 2:
        before = measured[-2]
        per_row = (last["seconds"] - before["seconds"]) / (last["rows"] - before["rows"])
        if per_row > 0:
            fixed = max(last["seconds"] - per_row * last["rows"], 0.0)
            return (fixed + per_row * rows,
                    f"from {before['rows']:,} and {last['rows']:,} rows (fixed + per row)")
    return last["seconds"] * rows / last["rows"], f"linearly from {last['rows']:,} rows"


def machine_description() -> str:
    model = platform.processor() or platform.machine()
    try:
        listing = subprocess.run(["lscpu"], capture_output=True, text=True, check=False)
        for line in listing.stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024**2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{model}, {os.cpu_count()} cores{memory}; Python "
            f"{platform.python_version()}")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--test-rows", type=int, default=None,
                        help="test rows of the generated files (default: Kaggle's 56,370)")
    parser.add_argument("--lda-max-rows", type=int, default=None,
                        help="fit LDA on a seeded subsample of at most this many rows")
    parser.add_argument("--neural-limit", type=float, default=600.0,
                        help="skip (and extrapolate) a neural epoch expected to take longer")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--keep-earlier", action="store_true",
                        help="add to OUTPUT_DIR/scale_stages.csv (a stage measured again at "
                             "a size replaces its earlier row) rather than start afresh")
    # One stage in this process (how the stages are run); prints its result.
    add_fresh_process_options(parser, "--run-stage", choices=STAGES)
    args = parser.parse_args(argv)

    if args.run_stage:
        result = run_stage(args.run_stage, args.train_file, args.test_file, args.seed,
                           args.lda_max_rows)
        report_result(result)
        return [result]

    machine = machine_description()
    print(machine, flush=True)
    records: list[dict] = []
    written: list[Path] = []
    earlier_csv = args.output_dir / "scale_stages.csv"
    if args.keep_earlier and earlier_csv.is_file():
        import pandas as pd

        kept = pd.read_csv(earlier_csv, keep_default_na=False, na_values=[""])
        measuring = {(stage, rows) for stage in args.stages for rows in args.sizes}
        records = [{key: (None if isinstance(value, float) and math.isnan(value) else value)
                    for key, value in row.items()}
                   for row in kept.to_dict("records")
                   if (row["stage"], row["rows"]) not in measuring]
        for row in records:
            row["extrapolated"] = str(row["extrapolated"]) == "True"
            row["note"] = row["note"] or ""
    for rows in sorted(args.sizes):
        extra = {} if args.test_rows is None else {"test_rows": args.test_rows}
        files = scale_files(rows, seed=args.seed, quora=args.quora, cache_dir=args.cache_dir,
                            **extra)
        for stage in args.stages:
            record = {"stage": stage, "rows": rows, "extrapolated": False}
            earlier = [r for r in records if r["stage"] == stage and not r["extrapolated"]]
            if stage == "neural_epoch" and earlier:
                estimate, how = extrapolate(earlier, rows)
                if estimate > args.neural_limit:
                    record.update(seconds=round(estimate, 1), setup_mb=None, peak_mb=None,
                                  extrapolated=True,
                                  note=f"extrapolated {how} (over the "
                                       f"{args.neural_limit:.0f} s limit)")
                    records.append(record)
                    print(f"{rows:>9,} {stage:<16} ~{estimate:9.1f} s  (extrapolated)",
                          flush=True)
                    written = write_report(records, args.output_dir, machine)
                    continue
            try:
                record.update(stage_in_fresh_process(stage, files, args.seed,
                                                     args.lda_max_rows))
            except RuntimeError as error:
                print(f"{rows:>9,} {stage:<16} FAILED: {error}", flush=True)
                continue
            records.append(record)
            print(f"{rows:>9,} {stage:<16} {record['seconds']:9.2f} s  setup "
                  f"{record['setup_mb']:7.0f} MB  peak {record['peak_mb']:7.0f} MB  "
                  f"{record['note']}", flush=True)
            # After every stage, so a long run stopped part-way keeps what it measured.
            written = write_report(records, args.output_dir, machine)
    print("written: " + ", ".join(str(path) for path in written))
    return records


if __name__ == "__main__":
    main()
