"""The logistic regression's solver at Kaggle scale: seconds and held-out ROC-AUC.

On the resampled file of ``benchmarks.scale_data`` (``--rows``, default 1.31M), 80% of the
rows are fitted and 20% held out, identical questions kept on one side
(``grouped_train_test_split``), for two feature sets: cleaned word 1-2-gram TF-IDF (what
``tfidf_lr`` fits) and raw word + char TF-IDF (``wordchar_lr``). Each solver fits the same
matrix once on one core: ``textclf.models.logistic_regression()`` with only the solver
settings changed.

    python -m benchmarks.lr_solvers [--rows 1310000] [--features word word+char]
        [--quora DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from ._common import QUORA
from .scale_data import scale_files

SOLVERS = {"liblinear (default)": None,
           "lbfgs": {"solver": "lbfgs"},
           "saga, tol 1e-3": {"solver": "saga", "tol": 1e-3},
           "liblinear, tol 1e-3": {"solver": "liblinear", "tol": 1e-3}}


def compare(train_path: Path, features: list[str]) -> list[dict]:
    from textclf.data import duplicate_groups, grouped_train_test_split, read_train
    from textclf.features import tfidf_vectorizer
    from textclf.models import logistic_regression
    from textclf.text import TextCleaner

    train = read_train(train_path)
    y = train["target"].to_numpy()
    fitted, held_out = grouped_train_test_split(y, duplicate_groups(train["question_text"]),
                                                test_size=0.2, random_state=42)
    rows = []
    for kind in features:
        texts = (TextCleaner().fit_transform(train["question_text"]) if kind == "word"
                 else train["question_text"])
        vectorizer = tfidf_vectorizer(kind)
        X_fit = vectorizer.fit_transform(texts.iloc[fitted])
        X_held_out = vectorizer.transform(texts.iloc[held_out])
        default = logistic_regression()
        for name, settings in SOLVERS.items():
            model = default if settings is None else clone(default).set_params(**settings)
            started = time.perf_counter()
            model.fit(X_fit, y[fitted])
            seconds = time.perf_counter() - started
            auc = roc_auc_score(y[held_out], model.predict_proba(X_held_out)[:, 1])
            rows.append({"features": kind, "solver": name, "seconds": round(seconds, 1),
                         "roc_auc": round(auc, 4), "iterations": int(max(model.n_iter_)),
                         "non_zeros": X_fit.nnz})
            print(f"{kind:<10} {name:<22} {seconds:7.1f} s  ROC-AUC {auc:.4f}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_310_000)
    parser.add_argument("--features", nargs="+", default=["word", "word+char"],
                        choices=["word", "word+char"])
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    files = scale_files(args.rows, quora=args.quora, cache_dir=args.cache_dir)
    return compare(files.train, args.features)


if __name__ == "__main__":
    main()
