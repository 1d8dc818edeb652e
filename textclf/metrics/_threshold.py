"""The decision threshold that maximises F1, found exactly over every distinct score.

Convention, shared by every part of textclf and by scikit-learn's
``FixedThresholdClassifier``: a row is predicted positive when ``score >= threshold``.

The exact search sorts the scores once and counts true and false positives cumulatively, so
every distinct score is evaluated as a threshold in O(n log n) overall. Rows with equal
scores always fall on the same side of a threshold, so ties need no special handling beyond
grouping equal values. The seed kernel's grid (0.10 to 0.90 in steps of 0.01) is kept as
``method="grid"`` for comparison: every grid threshold labels the rows exactly as some
distinct score does (the lowest score at or above it), so the exact search is never worse on
the rows it is run on.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import validate_parameter_constraints

from .._param_validation import NonBoolInterval

# The seed kernel's candidates: 0.10, 0.11, ..., 0.90 (81 thresholds), rounded so that
# 0.29 is 0.29 and not 0.29000000000000004.
GRID_THRESHOLDS = np.round(np.arange(10, 91) / 100, 2)
_METHODS = ("exact", "grid")
# How many offending values an error message lists before summarising the rest.
_SHOWN = 5
# A threshold on any real scores (ROC-AUC and F1 only need their order), and one on the
# probabilities a served model or a plot works with.
SCORE_THRESHOLD = NonBoolInterval(Real, None, None, closed="neither")
PROBABILITY_THRESHOLD = NonBoolInterval(Real, 0, 1, closed="both")


def check_probability_threshold(threshold, caller: str) -> float:
    """``threshold`` as a float; scikit-learn's InvalidParameterError naming ``caller``
    unless it is a probability, a number in [0, 1] (NaN and bools are refused)."""
    validate_parameter_constraints({"threshold": [PROBABILITY_THRESHOLD]},
                                   {"threshold": threshold}, caller_name=caller)
    return float(threshold)


@dataclass(frozen=True)
class BestThreshold:
    """The threshold with the highest F1 and the scores it reaches.

    Attributes
    ----------
    threshold : float
        Predict positive when ``score >= threshold``. For ``method="exact"`` it is one of the
        scores searched: the lowest score still predicted positive.
    f1, precision, recall : float
        Of the positive class, on the rows searched, at ``threshold``.
    method : str
        ``"exact"`` or ``"grid"``.
    n_candidates : int
        How many thresholds were evaluated (distinct scores, or grid points).
    """

    threshold: float
    f1: float
    precision: float
    recall: float
    method: str
    n_candidates: int

    def predict(self, scores) -> np.ndarray:
        """0/1 labels (int64) for ``scores``: 1 where ``score >= threshold``."""
        values = _as_scores(scores, "scores")
        return (values >= self.threshold).astype(np.int64)


class F1ThresholdCurve(NamedTuple):
    """F1, precision and recall at every distinct score used as threshold, ascending.

    ``precision`` and ``recall`` trace the precision-recall curve: the same points as
    ``sklearn.metrics.precision_recall_curve`` (reversed, without its closing
    precision 1 / recall 0 point, which belongs to no threshold).
    """

    thresholds: np.ndarray
    f1: np.ndarray
    precision: np.ndarray
    recall: np.ndarray


def best_f1_threshold(y_true, proba, *, method: str = "exact") -> BestThreshold:
    """Find the threshold on ``proba`` that maximises F1 of the positive class.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 (or boolean) labels; 1 is the positive class.
    proba : array-like of shape (n_samples,)
        Scores of the positive class, higher meaning more likely positive: typically
        out-of-fold probabilities (``predict_proba(X)[:, 1]``) of one approach or of a stack.
        ``method="exact"`` accepts any finite real scores (decision functions, logits, rank
        averages); ``method="grid"`` needs probabilities in [0, 1].
    method : {"exact", "grid"}, default="exact"
        ``"exact"`` evaluates every distinct score in O(n log n) and finds the true optimum on
        these rows. ``"grid"`` evaluates the seed kernel's 81 thresholds 0.10, 0.11, ..., 0.90;
        its F1 is never higher than the exact one, and it misses optima below 0.10 or above
        0.90.

    Returns
    -------
    BestThreshold
        When several thresholds reach the same highest F1, the lowest of them is chosen, by
        both methods (it is also what the seed's ``argmax`` over an ascending grid picks).

    Raises
    ------
    ValueError
        For mismatched lengths, labels other than 0/1, non-finite scores, or a ``y_true``
        without positives (F1 is then 0 or undefined at every threshold). With positives
        only, the lowest score is the threshold and F1 is 1.

    Notes
    -----
    scikit-learn's ``TunedThresholdClassifierCV`` tunes the threshold of one estimator by
    refitting it inside its own cross-validation, over ``thresholds`` points (100 by
    default) spread between the lowest and highest score. This function instead works on
    scores already computed, of any approach or stack, exactly and in one sort; freeze its
    threshold into ``FixedThresholdClassifier(estimator, threshold=best.threshold,
    response_method="predict_proba")`` to serve it: that classifier also predicts positive
    when ``score >= threshold``.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    labels, scores = check_labels_and_scores(y_true, proba)
    _require_positives(labels)
    if method == "grid":
        _require_probabilities(scores, "proba", why='method="grid" searches 0.10 to 0.90')
    sorted_scores, positives_below = _sort_scores(labels, scores)
    if method == "exact":
        first_positive, thresholds = _distinct_thresholds(sorted_scores)
    else:
        thresholds = GRID_THRESHOLDS
        first_positive = np.searchsorted(sorted_scores, thresholds, side="left")
    f1, precision, recall = _scores_at(positives_below, first_positive)
    best = int(np.argmax(f1))  # the first maximum, so the lowest threshold among equals
    return BestThreshold(threshold=float(thresholds[best]), f1=float(f1[best]),
                         precision=float(precision[best]), recall=float(recall[best]),
                         method=method, n_candidates=len(thresholds))


def f1_threshold_curve(y_true, proba) -> F1ThresholdCurve:
    """F1, precision and recall at every distinct value of ``proba`` used as threshold.

    The curve behind ``best_f1_threshold(method="exact")``, for plotting: thresholds are
    ascending, and the best threshold is ``thresholds[argmax(f1)]``. Inputs and errors are
    those of :func:`best_f1_threshold`.
    """
    labels, scores = check_labels_and_scores(y_true, proba)
    _require_positives(labels)
    sorted_scores, positives_below = _sort_scores(labels, scores)
    first_positive, thresholds = _distinct_thresholds(sorted_scores)
    f1, precision, recall = _scores_at(positives_below, first_positive)
    return F1ThresholdCurve(thresholds, f1, precision, recall)


def check_labels_and_scores(y_true, proba) -> tuple[np.ndarray, np.ndarray]:
    """Validate a label vector and a score vector; return them as int64 and float64 arrays."""
    scores = _as_scores(proba, "proba")
    labels = _as_labels(y_true, "y_true")
    if len(labels) != len(scores):
        raise ValueError(f"y_true has {len(labels)} rows but proba has {len(scores)}; "
                         "they must describe the same rows, in the same order")
    if len(labels) == 0:
        raise ValueError("y_true and proba are empty")
    return labels, scores


def _as_array(values) -> np.ndarray:
    """``values`` as a NumPy array; pandas' missing values (``pd.NA``) become NaN."""
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        dtype = values.dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(values)


def _as_scores(values, name: str) -> np.ndarray:
    array = _as_array(values)
    if array.ndim == 2 and array.shape[1] == 2:
        raise ValueError(f"{name} has shape {array.shape}, the output of predict_proba for both "
                         f"classes; pass the positive-class column, e.g. proba[:, 1]")
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}")
    try:
        scores = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers; got values of type {array.dtype}") from None
    not_finite = ~np.isfinite(scores)
    if not_finite.any():
        raise ValueError(f"{name} must be finite; found {_describe(not_finite, scores)}")
    return scores


def _as_labels(values, name: str) -> np.ndarray:
    array = _as_array(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}")
    try:
        numeric = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold 0/1 labels; got values of type {array.dtype}, "
                         f"e.g. {array[:3].tolist()}") from None
    invalid = ~np.isin(numeric, (0.0, 1.0))
    if invalid.any():
        raise ValueError(f"{name} must hold 0/1 labels (1 = positive); found "
                         f"{_describe(invalid, array)}")
    return numeric.astype(np.int64)


def _require_positives(labels: np.ndarray) -> None:
    if not labels.any():
        raise ValueError(
            "y_true has no positive rows: F1 = 2TP / (2TP + FP + FN) is 0 or undefined at every "
            "threshold, so no threshold is best. Check that the positive class is labelled 1 "
            "and that each fold holds positives (stratify the split)")


def _require_probabilities(scores: np.ndarray, name: str, why: str) -> None:
    outside = (scores < 0.0) | (scores > 1.0)
    if outside.any():
        raise ValueError(f"{name} must be probabilities in [0, 1] because {why}; found "
                         f"{_describe(outside, scores)}. Use method=\"exact\" for other scores")


def _describe(mask: np.ndarray, values: np.ndarray) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(f"{_plain(values[i])!r} at index {i}" for i in positions[:_SHOWN])
    more = len(positions) - _SHOWN
    return shown + (f", and {more} more" if more > 0 else "")


def _plain(value):
    """A NumPy scalar as the Python value it holds, so messages read 0.7 and not np.float64(0.7)."""
    return value.item() if isinstance(value, np.generic) else value


def _sort_scores(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores ascending, and how many positives lie strictly before each sorted position.

    The order within a run of equal scores is irrelevant: only counts at run boundaries are
    read, so the fastest (unstable) sort will do.
    """
    order = np.argsort(scores)
    positives_below = np.zeros(len(scores) + 1, dtype=np.int64)
    np.cumsum(labels[order], out=positives_below[1:])
    return scores[order], positives_below


def _distinct_thresholds(sorted_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first sorted position of each distinct score, and those scores."""
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    return starts, sorted_scores[starts]


def _scores_at(positives_below: np.ndarray, first_positive: np.ndarray):
    """F1, precision and recall when the sorted rows from ``first_positive`` on are positive."""
    n_rows = len(positives_below) - 1
    n_positives = positives_below[-1]
    true_positives = n_positives - positives_below[first_positive]
    predicted_positive = n_rows - first_positive
    # 2TP + FP + FN = (TP + FP) + (TP + FN): predicted positives plus actual positives.
    f1 = 2.0 * true_positives / (predicted_positive + n_positives)
    # No predicted positives (a grid point above every score) scores 0, as scikit-learn's
    # zero_division=0 does; it can only happen on the grid.
    precision = np.divide(true_positives, predicted_positive,
                          out=np.zeros(len(first_positive)), where=predicted_positive > 0)
    recall = true_positives / n_positives
    return f1, precision, recall


@dataclass(frozen=True)
class CrossFittedF1:
    """F1 of out-of-fold scores where no row is labelled by a threshold tuned on it.

    Attributes
    ----------
    f1, precision, recall : float
        Over all rows, each fold's rows labelled at that fold's ``thresholds`` entry.
    thresholds : ndarray of shape (n_folds,)
        For each fold, the best F1 threshold of the *other* folds' rows.
    labels : ndarray of shape (n_samples,)
        The 0/1 labels so assigned.
    """

    f1: float
    precision: float
    recall: float
    thresholds: np.ndarray
    labels: np.ndarray


def cross_fitted_f1(y_true, proba, folds) -> CrossFittedF1:
    """F1 of ``proba`` with each fold thresholded at the best threshold of the rest.

    The threshold that maximises F1 on a set of rows is tuned to them: its F1 is the best
    of many candidates, an optimistic estimate of the F1 it will reach on new rows (most of
    all for a weak model: one with no signal tunes its way well above the F1 of the base
    rate). Cross-fitting removes that bias the way
    out-of-fold probabilities remove the model's: for each fold, the threshold is searched
    (:func:`best_f1_threshold`) on the other folds' rows and applied to this fold's; F1 is
    then counted over every row at once.

    Parameters
    ----------
    y_true, proba : array-like of shape (n_samples,)
        0/1 labels and scores, as for :func:`best_f1_threshold`.
    folds : sequence of (train_rows, valid_rows) pairs, or of valid_rows arrays
        A partition of the rows, e.g. ``OofResult.folds``; each row in exactly one
        validation part. At least two folds, each of whose complements holds a positive.
    """
    labels, scores = check_labels_and_scores(y_true, proba)
    parts = check_folds(folds, len(labels))
    predicted = np.empty(len(labels), dtype=np.int64)
    thresholds = np.empty(len(parts), dtype=np.float64)
    for index, part in enumerate(parts):
        others = np.ones(len(labels), dtype=bool)
        others[part] = False
        thresholds[index] = best_f1_threshold(labels[others], scores[others]).threshold
        predicted[part] = scores[part] >= thresholds[index]
    true_positives = int((predicted & labels).sum())
    n_predicted, n_positive = int(predicted.sum()), int(labels.sum())
    return CrossFittedF1(
        f1=2.0 * true_positives / (n_predicted + n_positive) if n_positive else 0.0,
        precision=true_positives / n_predicted if n_predicted else 0.0,
        recall=true_positives / n_positive if n_positive else 0.0,
        thresholds=thresholds, labels=predicted)


def check_folds(folds, n_rows: int) -> list[np.ndarray]:
    """The held-out rows of each fold (``(train, valid)`` pairs or ``valid`` arrays), checked
    to be at least two that hold every one of ``n_rows`` rows exactly once."""
    parts = [np.asarray(fold[1] if isinstance(fold, tuple) else fold, dtype=np.int64)
             for fold in folds]
    if len(parts) < 2:
        raise ValueError(f"cross-fitting needs at least two folds; got {len(parts)}")
    if any(((part < 0) | (part >= n_rows)).any() for part in parts):
        raise ValueError(f"folds name rows outside 0..{n_rows - 1}")
    covered = np.bincount(np.concatenate(parts), minlength=n_rows)
    if not (covered == 1).all():
        raise ValueError("folds must hold every row out exactly once; "
                         f"{int((covered == 0).sum())} rows are held out by none and "
                         f"{int((covered > 1).sum())} by several")
    return parts
