"""Figures for run artifacts: how an approach trades precision for recall, where its F1
peaks, what it gets wrong, how approaches compare, and which words it leans on.

Every function returns a ``matplotlib.figure.Figure`` drawn on its own Agg canvas, never
through ``matplotlib.pyplot``: pyplot keeps every figure in a global registry until it is
closed, so a run that draws a few figures per approach would leak memory and could pick up
another figure's state; a plain ``Figure`` is freed like any object and needs no display.
``save_figure`` writes one as PNG atomically.
"""

from __future__ import annotations

import os
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.utils._param_validation import validate_params

from .._io import atomic_write
from .._param_validation import NonBoolInterval
from ..metrics import ClassificationScores, classification_scores, f1_threshold_curve
from ..metrics._threshold import check_probability_threshold

# Colours of the positive (insincere) and negative (sincere) class, used throughout.
_POSITIVE, _NEGATIVE, _MARK = "#c0392b", "#2874a6", "#333333"


def _new_figure(width: float = 6.4, height: float = 4.8) -> tuple[Figure, object]:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def precision_recall_figure(y_true, proba, threshold: float) -> Figure:
    """Precision against recall over every threshold, the chosen ``threshold`` marked.

    With ~6% positives the precision-recall curve, not the ROC curve, shows what F1
    rewards; its area (average precision) is in the legend.
    """
    threshold = check_probability_threshold(threshold, "precision_recall_figure")
    curve = f1_threshold_curve(y_true, proba)
    chosen = classification_scores(y_true, proba, threshold)
    figure, axes = _new_figure()
    axes.step(curve.recall, curve.precision, where="post", color=_NEGATIVE,
              label=f"average precision {chosen.average_precision:.3f}")
    axes.plot([chosen.recall], [chosen.precision], "o", color=_POSITIVE,
              label=f"threshold {threshold:.3f}: F1 {chosen.f1:.3f}")
    axes.axhline(chosen.n_positives / chosen.n_samples, color=_MARK, linestyle=":",
                 linewidth=1, label="positive rate (chance)")
    axes.set(title="Precision-recall curve", xlabel="Recall", ylabel="Precision",
             xlim=(0, 1.02), ylim=(0, 1.02))
    axes.legend(loc="lower left")
    axes.grid(alpha=0.3)
    return figure


def f1_threshold_figure(y_true, proba, threshold: float) -> Figure:
    """F1, precision and recall at every threshold, the chosen ``threshold`` marked.

    Shows how sharp the F1 peak is: a flat top means the threshold found out of fold is
    safe to apply to the test rows; a narrow one means it is not.
    """
    threshold = check_probability_threshold(threshold, "f1_threshold_figure")
    curve = f1_threshold_curve(y_true, proba)
    chosen = classification_scores(y_true, proba, threshold)
    figure, axes = _new_figure()
    axes.plot(curve.thresholds, curve.f1, color=_MARK, linewidth=2, label="F1")
    axes.plot(curve.thresholds, curve.precision, color=_NEGATIVE, label="precision")
    axes.plot(curve.thresholds, curve.recall, color=_POSITIVE, label="recall")
    axes.axvline(threshold, color=_MARK, linestyle="--", linewidth=1,
                 label=f"threshold {threshold:.3f} (F1 {chosen.f1:.3f})")
    axes.set(title="F1 by threshold", xlabel="Threshold", ylabel="Score", ylim=(0, 1.02))
    axes.legend(loc="best")
    axes.grid(alpha=0.3)
    return figure


def confusion_matrix_figure(scores: ClassificationScores) -> Figure:
    """The confusion matrix at the scores' threshold, with counts and row shares."""
    if not isinstance(scores, ClassificationScores):
        raise TypeError(f"confusion_matrix_figure takes the ClassificationScores of "
                        f"textclf.metrics.classification_scores, got {type(scores).__name__}")
    matrix = scores.confusion_matrix
    actual = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, actual, out=np.zeros(matrix.shape), where=actual > 0)
    figure, axes = _new_figure(5.2, 4.4)
    axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for row in range(2):
        for column in range(2):
            axes.text(column, row, f"{matrix[row, column]:,}\n{shares[row, column]:.1%}",
                      ha="center", va="center",
                      color="white" if shares[row, column] > 0.5 else "black")
    axes.set_xticks([0, 1], labels=["0", "1"])
    axes.set_yticks([0, 1], labels=["0", "1"])
    axes.set(title=f"Confusion matrix at threshold {scores.threshold:.3f}",
             xlabel="Predicted", ylabel="Actual")
    return figure


def comparison_figure(table: pd.DataFrame) -> Figure:
    """Out-of-fold F1 of each approach as horizontal bars, best at the top.

    ``table`` has columns ``approach`` and ``oof_f1`` (the cross-fitted F1, as
    ``textclf.models.comparison_table`` gives it); an optional ``oof_f1_tuned`` (NaN where
    unknown) is drawn as markers, so the optimism of a tuned threshold shows beside each bar.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"comparison_figure takes a DataFrame, got {type(table).__name__}")
    missing = [column for column in ("approach", "oof_f1") if column not in table.columns]
    if missing:
        raise ValueError(f"comparison table lacks the columns {missing}; it has "
                         f"{list(table.columns)}")
    if table.empty:
        raise ValueError("comparison table has no rows: no approach to compare")
    f1 = pd.to_numeric(table["oof_f1"], errors="coerce")
    if f1.isna().any():
        bad = table.loc[f1.isna(), "approach"].tolist()
        raise ValueError(f"oof_f1 must be a number for every approach; it is not for {bad}")
    ordered = table.assign(oof_f1=f1).sort_values("oof_f1", kind="stable")
    rows = np.arange(len(ordered))
    figure, axes = _new_figure(7.0, max(2.5, 0.45 * len(ordered) + 1.2))
    bars = axes.barh(rows, ordered["oof_f1"], color=_NEGATIVE,
                     label="out-of-fold F1, cross-fitted threshold")
    axes.bar_label(bars, fmt="%.3f", padding=3, fontsize="small")
    if "oof_f1_tuned" in ordered.columns:
        tuned = pd.to_numeric(ordered["oof_f1_tuned"], errors="coerce").to_numpy()
        known = np.isfinite(tuned)
        if known.any():
            axes.plot(tuned[known], rows[known], "D", color=_POSITIVE,
                      label="threshold tuned on the same rows")
    axes.set_yticks(rows, labels=ordered["approach"].astype(str))
    axes.set(title="Out-of-fold F1 by approach", xlabel="F1", xlim=(0, 1.08))
    # Below the axes: inside, it would cover the bars of the weakest approaches.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False)
    axes.grid(axis="x", alpha=0.3)
    return figure


@validate_params({"top": [NonBoolInterval(Integral, 1, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def top_weights_figure(feature_names, weights, top: int = 20) -> Figure:
    """The ``top`` most positive and ``top`` most negative weights of a linear model.

    For TF-IDF + logistic regression these are the terms that most push a question
    towards insincere (positive, red) and towards sincere (negative, blue).
    """
    names = np.asarray(feature_names, dtype=object).ravel()
    values = np.asarray(weights, dtype=np.float64).ravel()
    if len(names) != len(values):
        raise ValueError(f"{len(names)} feature names for {len(values)} weights; pass one "
                         "name per weight, in the same order")
    if not len(values):
        raise ValueError("no weights to plot")
    if not np.all(np.isfinite(values)):
        raise ValueError("weights must be finite")
    order = np.argsort(values, kind="stable")
    negative = [i for i in order[:top] if values[i] < 0]
    positive = [i for i in order[::-1][:top] if values[i] > 0]
    # Most negative at the bottom, most positive at the top.
    shown = negative + positive[::-1]
    figure, axes = _new_figure(7.0, max(3.0, 0.22 * len(shown) + 1.2))
    rows = np.arange(len(shown))
    axes.barh(rows, values[shown], color=[_POSITIVE if values[i] > 0 else _NEGATIVE
                                          for i in shown])
    axes.set_yticks(rows, labels=[str(names[i]) for i in shown], fontsize="small")
    axes.axvline(0, color=_MARK, linewidth=0.8)
    axes.set(title=f"Top {top} positive and negative weights", xlabel="Weight")
    axes.grid(axis="x", alpha=0.3)
    return figure


def save_figure(figure: Figure, path: str | os.PathLike, *, overwrite: bool = False,
                dpi: int = 110) -> Path:
    """Write ``figure`` as a PNG at ``path`` atomically (see ``textclf._io.atomic_write``);
    refuses to replace an existing file unless ``overwrite``."""
    if not isinstance(figure, Figure):
        raise TypeError(f"save_figure takes a matplotlib Figure, got {type(figure).__name__}")
    if Path(path).suffix.lower() != ".png":
        raise ValueError(f"save_figure writes PNG; give the path a .png suffix, got {path}")
    # The temporary file has no .png suffix, so the format is given explicitly.
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=dpi),
                        overwrite=overwrite)
