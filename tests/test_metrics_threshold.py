import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve, precision_score, recall_score
from sklearn.model_selection import FixedThresholdClassifier, cross_val_predict

from textclf.metrics import (
    GRID_THRESHOLDS,
    BestThreshold,
    best_f1_threshold,
    f1_threshold_curve,
)


def brute_force(y, scores, thresholds):
    """F1 at each threshold with scikit-learn, predicting positive where score >= threshold."""
    f1_of_labelling = {}  # many grid thresholds give the same labels; score each labelling once
    f1 = []
    for threshold in thresholds:
        predicted = (scores >= threshold).astype(int)
        key = predicted.tobytes()
        if key not in f1_of_labelling:
            f1_of_labelling[key] = f1_score(y, predicted, zero_division=0.0)
        f1.append(f1_of_labelling[key])
    return np.array(f1)


def lowest_best(thresholds, f1):
    """The lowest threshold reaching the highest F1 (within rounding of sklearn's formula)."""
    return thresholds[np.flatnonzero(f1 >= f1.max() - 1e-12)[0]]


# Labels with at least one positive, and scores drawn from a few values so that ties (many
# rows with the same score) are the rule rather than the exception.
@st.composite
def labelled_scores(draw, max_size=60, values=None):
    n = draw(st.integers(1, max_size))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[draw(st.integers(0, n - 1))] = 1
    pool = values if values is not None else draw(st.lists(
        st.floats(0, 1, allow_nan=False), min_size=1, max_size=8, unique=True))
    scores = np.array(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    return y, scores


@settings(max_examples=200, deadline=None)
@given(labelled_scores())
def test_exact_search_equals_brute_force_over_every_distinct_score(data):
    y, scores = data
    best = best_f1_threshold(y, scores)
    candidates = np.unique(scores)
    f1 = brute_force(y, scores, candidates)
    assert best.f1 == pytest.approx(f1.max(), abs=1e-12)
    assert best.threshold == lowest_best(candidates, f1)
    assert best.n_candidates == len(candidates)
    predicted = (scores >= best.threshold).astype(int)
    assert best.precision == pytest.approx(precision_score(y, predicted, zero_division=0.0))
    assert best.recall == pytest.approx(recall_score(y, predicted))


@settings(max_examples=200, deadline=None)
@given(labelled_scores(values=[0.0, 0.05, 0.1, 0.125, 0.3, 0.37, 0.5, 0.9, 0.95, 1.0]))
def test_grid_search_equals_brute_force_over_the_seed_grid_and_never_beats_exact(data):
    y, scores = data
    grid = best_f1_threshold(y, scores, method="grid")
    f1 = brute_force(y, scores, GRID_THRESHOLDS)
    assert grid.f1 == pytest.approx(f1.max(), abs=1e-12)
    assert grid.threshold == lowest_best(GRID_THRESHOLDS, f1)
    assert best_f1_threshold(y, scores).f1 >= grid.f1


def test_seed_grid_is_81_thresholds_from_010_to_090():
    assert len(GRID_THRESHOLDS) == 81
    assert GRID_THRESHOLDS[0] == 0.10 and GRID_THRESHOLDS[-1] == 0.90
    assert 0.29 in GRID_THRESHOLDS  # rounded, not 0.29000000000000004


def test_rows_with_equal_scores_fall_on_the_same_side():
    y = np.array([1, 0, 1, 0, 0])
    scores = np.array([0.8, 0.8, 0.8, 0.2, 0.2])
    best = best_f1_threshold(y, scores)
    # No threshold can separate the three rows at 0.8: F1 is 2*2 / (2*2 + 1 + 0).
    assert best.threshold == 0.8 and best.f1 == pytest.approx(0.8)


def test_ties_between_thresholds_pick_the_lowest():
    # Threshold 0.4 gives TP=1, FP=0, FN=1; threshold 0.2 gives TP=2, FP=2, FN=0: F1 2/3 both.
    y = np.array([1, 0, 0, 1])
    scores = np.array([0.2, 0.25, 0.3, 0.4])
    best = best_f1_threshold(y, scores)
    assert best.threshold == 0.2 and best.f1 == pytest.approx(2 / 3)
    curve = f1_threshold_curve(y, scores)
    assert curve.f1[curve.thresholds == 0.4] == pytest.approx(2 / 3)


def test_only_positives_take_the_lowest_score_with_f1_one():
    best = best_f1_threshold([1, 1, 1], [0.3, 0.05, 0.6])
    assert (best.threshold, best.f1, best.precision, best.recall) == (0.05, 1.0, 1.0, 1.0)


def test_no_positives_is_an_error_explaining_why():
    with pytest.raises(ValueError, match="no positive rows.*F1.*undefined"):
        best_f1_threshold([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="no positive rows"):
        f1_threshold_curve([0, 0], [0.1, 0.2])


def test_exact_search_accepts_any_real_scores_but_grid_needs_probabilities():
    y, scores = [0, 1, 1, 0], [-3.5, 2.0, 7.25, 0.0]
    assert best_f1_threshold(y, scores).threshold == 2.0
    with pytest.raises(ValueError, match=r'probabilities in \[0, 1\].*7.25 at index 2'):
        best_f1_threshold(y, scores, method="grid")


def test_grid_search_reaches_no_threshold_below_its_first_point():
    y = np.array([1, 1, 0, 0])
    scores = np.array([0.05, 0.06, 0.01, 0.02])
    assert best_f1_threshold(y, scores).f1 == 1.0
    grid = best_f1_threshold(y, scores, method="grid")
    # Nothing is predicted positive anywhere on the grid: F1 and precision 0, lowest point.
    assert (grid.threshold, grid.f1, grid.precision, grid.recall) == (0.10, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("y, proba, message", [
    ([0, 1, 1], [0.1, 0.2], "y_true has 3 rows but proba has 2"),
    ([0, 2, 1], [0.1, 0.2, 0.3], "0/1 labels.*found 2 at index 1"),
    ([0, 1, 1], [0.1, np.nan, 0.3], "finite; found nan at index 1"),
    ([0, 1, 1], [0.1, np.inf, 0.3], "finite; found inf at index 1"),
    ([], [], "empty"),
    ([0, 1], [[0.9, 0.1], [0.2, 0.8]], r"predict_proba.*proba\[:, 1\]"),
    ([0, 1], ["low", "high"], "proba must hold numbers"),
    (pd.Series([1, 0, None], dtype="Int64"), [0.1, 0.2, 0.3], "found nan at index 2"),
])
def test_bad_inputs_are_rejected_with_a_clear_message(y, proba, message):
    with pytest.raises(ValueError, match=message):
        best_f1_threshold(y, proba)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="method must be one of"):
        best_f1_threshold([0, 1], [0.2, 0.8], method="bisect")


def test_accepts_pandas_and_booleans_and_returns_a_frozen_result():
    best = best_f1_threshold(pd.Series([False, True, True]), pd.Series([0.1, 0.7, 0.6]))
    assert isinstance(best, BestThreshold) and best.threshold == 0.6 and best.method == "exact"
    with pytest.raises(AttributeError):
        best.threshold = 0.5
    assert best.predict([0.59, 0.6, 0.9]).tolist() == [0, 1, 1]


def test_curve_traces_sklearns_precision_recall_curve():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.1).astype(int)
    scores = np.round(rng.random(500) * 0.6 + y * 0.3, 2)
    curve = f1_threshold_curve(y, scores)
    precision, recall, thresholds = precision_recall_curve(y, scores)
    np.testing.assert_array_equal(curve.thresholds, thresholds)
    np.testing.assert_allclose(curve.precision, precision[:-1])
    np.testing.assert_allclose(curve.recall, recall[:-1])
    np.testing.assert_allclose(curve.f1, brute_force(y, scores, thresholds), atol=1e-12)
    assert curve.thresholds[np.argmax(curve.f1)] == best_f1_threshold(y, scores).threshold


def test_threshold_frozen_into_fixed_threshold_classifier_gives_the_same_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] + rng.normal(scale=1.5, size=400) > 1.6).astype(int)
    model = LogisticRegression()
    oof = cross_val_predict(model, X, y, cv=5, method="predict_proba")[:, 1]
    best = best_f1_threshold(y, oof)

    fitted = model.fit(X, y)
    proba = fitted.predict_proba(X)[:, 1]
    frozen = FixedThresholdClassifier(fitted, threshold=best.threshold,
                                      response_method="predict_proba")
    np.testing.assert_array_equal(frozen.predict(X), (proba >= best.threshold).astype(int))
    np.testing.assert_array_equal(frozen.predict(X), best.predict(proba))
    # Both use ">=": a score exactly at the threshold is positive.
    at_threshold = FixedThresholdClassifier(fitted, threshold=float(proba[0]),
                                            response_method="predict_proba")
    assert at_threshold.predict(X[:1])[0] == 1
