"""The scores of a binary classifier at one threshold, computed by scikit-learn's metrics.

Threshold-dependent scores (F1, precision, recall, the confusion matrix) use textclf's
convention, ``score >= threshold`` is positive; ROC-AUC and average precision (the area under
the precision-recall curve) judge the ranking of the scores and need no threshold.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.utils._param_validation import validate_params

from ._threshold import SCORE_THRESHOLD, check_labels_and_scores


@dataclass(frozen=True)
class ClassificationScores:
    """How well scores separate the classes, at ``threshold`` and over all thresholds.

    Attributes
    ----------
    threshold : float
        Rows with ``score >= threshold`` were predicted positive.
    f1, precision, recall : float
        Of the positive class at ``threshold``; 0 where undefined (no predicted or no actual
        positives), as scikit-learn's ``zero_division=0`` and Kaggle's scorer have it.
    roc_auc : float
        Area under the ROC curve; NaN when ``y_true`` holds one class only.
    average_precision : float
        Area under the precision-recall curve (scikit-learn's step-wise average precision,
        not the trapezoidal area); NaN when ``y_true`` has no positives.
    true_negatives, false_positives, false_negatives, true_positives : int
        The confusion matrix at ``threshold``.
    n_samples, n_positives : int
        The support: rows scored, and how many of them are positive.
    """

    threshold: float
    f1: float
    precision: float
    recall: float
    roc_auc: float
    average_precision: float
    true_negatives: int
    false_positives: int
    false_negatives: int
    true_positives: int
    n_samples: int
    n_positives: int

    @property
    def confusion_matrix(self) -> np.ndarray:
        """``[[tn, fp], [fn, tp]]``, laid out as ``sklearn.metrics.confusion_matrix``."""
        return np.array([[self.true_negatives, self.false_positives],
                         [self.false_negatives, self.true_positives]], dtype=np.int64)

    def as_dict(self) -> dict[str, float]:
        """Every score as a flat ``name -> float`` mapping, ready for a metrics logger."""
        return {name: float(value) for name, value in asdict(self).items()}


@validate_params({"threshold": [SCORE_THRESHOLD]}, prefer_skip_nested_validation=True)
def classification_scores(y_true, proba, threshold: float) -> ClassificationScores:
    """Score ``proba`` against ``y_true``, predicting positive where ``proba >= threshold``.

    ``y_true`` holds 0/1 labels and ``proba`` finite scores of the positive class (any real
    scores work: ROC-AUC and average precision only use their order). The threshold usually
    comes from :func:`best_f1_threshold` on out-of-fold scores; scoring held-out rows at a
    threshold chosen elsewhere gives an honest F1.
    """
    labels, scores = check_labels_and_scores(y_true, proba)
    predicted = (scores >= threshold).astype(np.int64)
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel().tolist()
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, predicted, average="binary", pos_label=1, zero_division=0.0)
    n_positives = int(labels.sum())
    both_classes = 0 < n_positives < len(labels)
    # Rankings need both classes to be judged; NaN says "undefined" without stopping a report.
    roc_auc = roc_auc_score(labels, scores) if both_classes else math.nan
    average_precision = average_precision_score(labels, scores) if n_positives else math.nan
    return ClassificationScores(
        threshold=float(threshold), f1=float(f1), precision=float(precision),
        recall=float(recall), roc_auc=float(roc_auc), average_precision=float(average_precision),
        true_negatives=tn, false_positives=fp, false_negatives=fn, true_positives=tp,
        n_samples=len(labels), n_positives=n_positives)
