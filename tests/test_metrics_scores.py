import math

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.utils._param_validation import InvalidParameterError

from textclf.metrics import ClassificationScores, best_f1_threshold, classification_scores


@pytest.fixture
def realistic():
    rng = np.random.default_rng(7)
    y = (rng.random(2000) < 0.06).astype(int)
    proba = 1 / (1 + np.exp(-(rng.normal(-3, 1.2, 2000) + 3 * y)))
    return y, proba


def test_scores_match_sklearn(realistic):
    y, proba = realistic
    scores = classification_scores(y, proba, 0.3)
    predicted = (proba >= 0.3).astype(int)
    assert scores.f1 == pytest.approx(f1_score(y, predicted))
    assert scores.precision == pytest.approx(precision_score(y, predicted))
    assert scores.recall == pytest.approx(recall_score(y, predicted))
    assert scores.roc_auc == pytest.approx(roc_auc_score(y, proba))
    assert scores.average_precision == pytest.approx(average_precision_score(y, proba))
    np.testing.assert_array_equal(scores.confusion_matrix, confusion_matrix(y, predicted))
    assert (scores.n_samples, scores.n_positives) == (2000, int(y.sum()))


def test_f1_at_the_best_threshold_is_the_searched_f1(realistic):
    y, proba = realistic
    best = best_f1_threshold(y, proba)
    assert classification_scores(y, proba, best.threshold).f1 == pytest.approx(best.f1)


def test_score_exactly_at_the_threshold_counts_as_positive():
    scores = classification_scores([1, 0, 0], [0.5, 0.5, 0.1], 0.5)
    assert (scores.true_positives, scores.false_positives) == (1, 1)


def test_as_dict_is_flat_floats_for_a_metrics_logger(realistic):
    flat = classification_scores(*realistic, 0.5).as_dict()
    assert set(flat) == {"threshold", "f1", "precision", "recall", "roc_auc",
                         "average_precision", "true_negatives", "false_positives",
                         "false_negatives", "true_positives", "n_samples", "n_positives"}
    assert all(type(value) is float for value in flat.values())


def test_one_class_leaves_ranking_scores_undefined_without_failing():
    negatives = classification_scores([0, 0, 0], [0.1, 0.6, 0.2], 0.5)
    assert math.isnan(negatives.roc_auc) and math.isnan(negatives.average_precision)
    assert (negatives.f1, negatives.precision, negatives.recall) == (0.0, 0.0, 0.0)
    assert negatives.false_positives == 1
    positives = classification_scores([1, 1], [0.1, 0.6], 0.5)
    assert math.isnan(positives.roc_auc) and positives.average_precision == 1.0
    assert positives.recall == 0.5


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), None, "0.5", True])
def test_threshold_must_be_a_finite_number(threshold):
    with pytest.raises(InvalidParameterError,
                       match=r"'threshold' parameter of classification_scores must be a float "
                             r"in the range \(-inf, inf\) \(not a bool\)"):
        classification_scores([0, 1], [0.2, 0.8], threshold)


def test_threshold_may_lie_outside_zero_one_for_real_scores():
    assert classification_scores([0, 1], [-2.0, 3.0], 1.5).true_positives == 1


def test_result_is_frozen():
    scores = classification_scores([0, 1], [0.2, 0.8], 0.5)
    assert isinstance(scores, ClassificationScores)
    with pytest.raises(AttributeError):
        scores.f1 = 1.0
