"""F1 threshold search: the exact search against the seed kernel's grid, time and F1.

Two inputs:

- synthetic: 1,306,122 scores (the size of Quora's train.csv) with 6.19% positives, drawn
  as a model's float32 sigmoid outputs: logits N(-4.2, 1.4) for negatives and
  N(-0.4, 1.7) for positives, which gives a ROC-AUC near 0.96 and a best F1 near 0.70, as
  the competition's good single models had;
- real: out-of-fold probabilities of TF-IDF + logistic regression (5 folds) on the real
  Quora rows when ``--train`` exists, otherwise on the shipped ``sms_spam`` dataset.

Methods compared, each timed as the best of ``--repeats`` calls:

- the seed's loop: ``f1_score(y, (proba > t).astype(int))`` for t = 0.10, 0.11, ..., 0.90;
- ``best_f1_threshold(method="grid")``: the same 81 thresholds, counted from one sort
  (predicting ``proba >= t``, textclf's convention);
- ``best_f1_threshold(method="exact")``: every distinct probability;
- scikit-learn's ``precision_recall_curve``, F1 from its precision and recall: the same
  exact optimum by another route, as a cross-check.

The exact search's F1 is never below the grid's on the rows searched, by construction; the
held-out line below each table asks whether its threshold is also better on rows it did not
see (threshold searched on a random half, F1 measured on the other half).

    python -m benchmarks.threshold_search [--train PATH] [--repeats 3] [--seed 2018] [--splits 20]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from benchmarks._common import QUORA, best_time
from textclf.data import load_dataset, read_train
from textclf.metrics import GRID_THRESHOLDS, best_f1_threshold, classification_scores

QUORA_TRAIN_ROWS = 1_306_122
QUORA_POSITIVE_RATE = 0.0619


def synthetic_scores(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(QUORA_TRAIN_ROWS) < QUORA_POSITIVE_RATE).astype(np.int64)
    logits = np.where(y == 1, rng.normal(-0.4, 1.7, len(y)), rng.normal(-4.2, 1.4, len(y)))
    return y, (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def real_oof_scores(train_path: Path, seed: int) -> tuple[str, np.ndarray, np.ndarray]:
    if train_path.is_file():
        train, name = read_train(train_path), f"real Quora rows ({train_path.name})"
    else:
        train, name = load_dataset("sms_spam"), "shipped sms_spam (Quora rows not found)"
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2)),
                          LogisticRegression(C=4.0, max_iter=1000))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    oof = cross_val_predict(model, train["question_text"], train["target"], cv=folds,
                            method="predict_proba", n_jobs=2)[:, 1]
    return name, train["target"].to_numpy(), oof


def seed_grid(y: np.ndarray, proba: np.ndarray) -> tuple[float, float, int]:
    """The seed kernel's loop, as written: ``>`` and one ``f1_score`` call per threshold."""
    scores = [f1_score(y, (proba > threshold).astype(int)) for threshold in GRID_THRESHOLDS]
    best = int(np.argmax(scores))
    return float(GRID_THRESHOLDS[best]), float(scores[best]), len(GRID_THRESHOLDS)


def textclf_search(method: str):
    def search(y, proba):
        best = best_f1_threshold(y, proba, method=method)
        return best.threshold, best.f1, best.n_candidates
    return search


def sklearn_pr_curve(y: np.ndarray, proba: np.ndarray) -> tuple[float, float, int]:
    precision, recall, thresholds = precision_recall_curve(y, proba)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator),
                   where=denominator > 0)
    best = int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best]), len(thresholds)


METHODS = [
    ("seed loop: 81 x sklearn f1_score (proba > t)", seed_grid),
    ('best_f1_threshold(method="grid")', textclf_search("grid")),
    ('best_f1_threshold(method="exact")', textclf_search("exact")),
    ("sklearn precision_recall_curve + argmax F1", sklearn_pr_curve),
]


def print_table(title: str, y: np.ndarray, proba: np.ndarray, repeats: int) -> None:
    print(f"### {title}\n\n{len(y):,} rows, {y.mean():.2%} positive, "
          f"{len(np.unique(proba)):,} distinct probabilities; best of {repeats} runs\n")
    print("| method | thresholds evaluated | best threshold | F1 | seconds | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    seed_seconds = None
    for name, method in METHODS:
        seconds, (threshold, f1, candidates) = best_time(
            lambda method=method: method(y, proba), repeats)
        seed_seconds = seed_seconds or seconds
        print(f"| {name} | {candidates:,} | {threshold:.4f} | {f1:.5f} | {seconds:.3f} | "
              f"{seed_seconds / seconds:.0f}x |")
    print()


def held_out_comparison(y: np.ndarray, proba: np.ndarray, seed: int, splits: int) -> None:
    """Search on a random half, score the other half: does the exact optimum carry over?"""
    # A stream of its own: reusing the synthetic data's stream would redraw its labels' numbers.
    rng = np.random.default_rng([seed, 1])
    held_out = {"grid": [], "exact": []}
    for _ in range(splits):
        search = rng.random(len(y)) < 0.5
        for method, scores in held_out.items():
            threshold = best_f1_threshold(y[search], proba[search], method=method).threshold
            scores.append(classification_scores(y[~search], proba[~search], threshold).f1)
    grid, exact = np.array(held_out["grid"]), np.array(held_out["exact"])
    print(f"Threshold searched on a random half, F1 on the other half ({splits} splits): "
          f"grid {grid.mean():.5f} ± {grid.std():.5f}, exact {exact.mean():.5f} ± "
          f"{exact.std():.5f}; exact - grid {np.mean(exact - grid):+.5f} on average, "
          f"higher in {int(np.sum(exact > grid))}, lower in {int(np.sum(exact < grid))} "
          "of the splits.\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=QUORA / "train_natural.csv")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--splits", type=int, default=20,
                        help="random halves for the held-out comparison")
    args = parser.parse_args(argv)

    y, proba = synthetic_scores(args.seed)
    print_table("Synthetic, Quora-sized", y, proba, args.repeats)
    held_out_comparison(y, proba, args.seed, args.splits)
    name, y, proba = real_oof_scores(args.train, args.seed)
    print_table(f"Out-of-fold TF-IDF + logistic regression, {name}", y, proba, args.repeats)
    held_out_comparison(y, proba, args.seed, args.splits)


if __name__ == "__main__":
    main()
