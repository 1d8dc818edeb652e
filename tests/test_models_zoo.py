"""The classical model zoo: factories, NB-LR's log-count ratio, the LightGBM wrapper."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.models import (
    MODELS,
    LightGBMClassifier,
    NBLogisticRegression,
    _lightgbm,
    make_model,
    oof_predict,
)


@pytest.fixture(scope="module")
def sms():
    frame = load_dataset("sms_spam").sample(n=1500, random_state=1)
    return frame["question_text"], frame["target"]


@pytest.fixture(scope="module")
def dense_problem():
    """12,000 rows: enough for LightGBM's automatic early stopping to switch on."""
    X, y = make_classification(n_samples=12_000, n_features=20, n_informative=6,
                               weights=[0.9], flip_y=0.05, random_state=0)
    return X.astype(np.float32), y


def test_importing_models_loads_neither_lightgbm_nor_a_deep_learning_stack():
    code = ("import sys, textclf.models; print(sorted(m for m in ('lightgbm', 'tensorflow', "
            "'keras', 'torch') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_zoo_model_is_a_fresh_classifier_that_scores_real_texts(name, sms):
    X, y = sms
    model = make_model(name)
    assert is_classifier(model) and hasattr(model, "predict_proba")
    assert make_model(name) is not model
    vectorizer = TfidfVectorizer() if name in ("logistic_regression", "lightgbm") \
        else CountVectorizer(ngram_range=(1, 2))
    if name == "lightgbm":
        model.set_params(n_estimators=100)
    result = oof_predict(make_pipeline(vectorizer, model), X, y)
    assert result.f1 > 0.85


def test_make_model_applies_overrides_and_names_the_zoo():
    assert make_model("logistic_regression", C=0.1).C == 0.1
    assert make_model("logistic_regression").C == 2.0
    assert make_model("lightgbm").random_state == 42
    with pytest.raises(InvalidParameterError,
                       match="'name' parameter of make_model must be a str among .*"
                             "'nb_logistic_regression'.*Got 'svm'"):
        make_model("svm")
    with pytest.raises(TypeError):
        make_model("multinomial_nb", not_a_parameter=1)


# --- NBLogisticRegression --------------------------------------------------------------------
COUNTS = np.array([[2, 0, 1], [1, 0, 0], [0, 3, 1], [0, 1, 0]], dtype=np.float64)
LABELS = np.array([1, 1, 0, 0])


@pytest.mark.parametrize("binarize", [False, True])
def test_log_count_ratio_is_the_smoothed_class_ratio_of_feature_totals(binarize):
    model = NBLogisticRegression(alpha=1.0, binarize=binarize).fit(COUNTS, LABELS)
    seen = (COUNTS > 0).astype(float) if binarize else COUNTS
    p = 1 + seen[LABELS == 1].sum(axis=0)
    q = 1 + seen[LABELS == 0].sum(axis=0)
    expected = np.log((p / p.sum()) / (q / q.sum()))
    np.testing.assert_allclose(model.log_count_ratio_, expected)
    assert model.log_count_ratio_[0] > 0 > model.log_count_ratio_[1]
    # The logistic regression sees each column scaled by its ratio.
    scaled = seen * expected
    np.testing.assert_allclose(model.decision_function(COUNTS),
                               model.logistic_regression_.decision_function(scaled))


def test_nb_lr_string_labels_take_the_larger_as_positive():
    model = NBLogisticRegression().fit(COUNTS, np.where(LABELS == 1, "spam", "ham"))
    assert model.classes_.tolist() == ["ham", "spam"]
    assert model.log_count_ratio_[0] > 0
    assert model.predict(COUNTS[:1]).tolist() == ["spam"]


def test_nb_lr_keeps_sparse_and_float32_and_matches_dense(sms):
    X, y = sms
    counts = CountVectorizer(dtype=np.float32).fit_transform(X)
    sparse_model = NBLogisticRegression().fit(counts, y)
    assert sparse_model.log_count_ratio_.dtype == np.float32
    assert sp.issparse(sparse_model._scaled(counts))
    dense_model = NBLogisticRegression().fit(counts.toarray(), y)
    np.testing.assert_allclose(sparse_model.predict_proba(counts),
                               dense_model.predict_proba(counts.toarray()), atol=1e-6)


def test_nb_lr_rejects_what_its_ratio_cannot_take():
    with pytest.raises(ValueError, match="Negative values"):
        NBLogisticRegression().fit(-COUNTS, LABELS)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        NBLogisticRegression().fit(COUNTS, [0, 1, 2, 2])
    with pytest.raises(InvalidParameterError,
                       match=r"'alpha' parameter of NBLogisticRegression must be a float in "
                             r"the range \(0.0, inf\)"):
        NBLogisticRegression(alpha=0).fit(COUNTS, LABELS)
    # Checked up front, as the logistic regression would check it.
    with pytest.raises(InvalidParameterError, match="'solver' parameter of NBLogisticRegression"):
        NBLogisticRegression(solver="newton").fit(COUNTS, LABELS)


@pytest.mark.parametrize("params, message", [
    ({"n_estimators": 0}, (r"'n_estimators' parameter of LightGBMClassifier must be an int "
                           r"in the range \[1, inf\)")),
    ({"learning_rate": 0.0}, "'learning_rate' parameter"),
    ({"num_leaves": 1}, "'num_leaves' parameter"),
    ({"subsample": 0.0}, "'subsample' parameter"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"early_stopping": "yes"}, "'early_stopping' parameter"),
    ({"class_weight": "equal"}, "'class_weight' parameter"),
    ({"random_state": "seed"}, "'random_state' parameter"),
    ({"n_jobs": 0}, "'n_jobs' parameter"),
    ({"n_jobs": None}, "'n_jobs' parameter"),
])
def test_lightgbm_rejects_invalid_parameters_before_training(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        LightGBMClassifier(**params).fit(COUNTS, LABELS)


# --- LightGBMClassifier ----------------------------------------------------------------------
def test_lightgbm_is_reproducible_with_a_seed_and_survives_pickling(dense_problem):
    X, y = dense_problem
    model = LightGBMClassifier(n_estimators=60, subsample=0.8, colsample_bytree=0.5,
                               random_state=3)
    first = clone(model).fit(X, y).predict_proba(X)
    fitted = clone(model).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), first)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), first)
    other_seed = clone(model).set_params(random_state=4).fit(X, y).predict_proba(X)
    assert not np.array_equal(other_seed, first)


def test_lightgbm_stops_early_on_its_own_held_out_rows(dense_problem):
    X, y = dense_problem
    auto = LightGBMClassifier(n_estimators=2000, learning_rate=0.3, n_iter_no_change=10,
                              random_state=0).fit(X, y)
    assert auto.n_estimators_ < 2000
    assert auto.validation_loss_.argmin() + 1 == auto.n_estimators_
    small = LightGBMClassifier(n_estimators=30, random_state=0).fit(X[:2000], y[:2000])
    assert small.n_estimators_ == 30 and small.validation_loss_ is None
    forced = LightGBMClassifier(n_estimators=2000, learning_rate=0.3, n_iter_no_change=10,
                                early_stopping=True, random_state=0).fit(X[:2000], y[:2000])
    assert forced.n_estimators_ < 2000
    with pytest.raises(ValueError, match="too few for a stratified validation part"):
        LightGBMClassifier(early_stopping=True).fit(X[:10], y[:10])


@pytest.fixture(scope="module")
def repeated_texts():
    """TF-IDF rows of 300 distinct SMS texts, each drawn about 20 times: 6,000 rows."""
    frame = load_dataset("sms_spam").drop_duplicates("question_text")
    distinct = frame.sample(n=300, random_state=0)
    picks = np.random.default_rng(0).integers(0, len(distinct), 20 * len(distinct))
    texts = distinct["question_text"].to_numpy()[picks]
    features = TfidfVectorizer(dtype=np.float32).fit_transform(texts)
    return features, distinct["target"].to_numpy()[picks]


def test_lightgbm_holds_out_repeated_rows_whole_so_early_stopping_stops(repeated_texts,
                                                                         monkeypatch):
    X, y = repeated_texts
    splits, grouped_split = [], _lightgbm.grouped_train_test_split

    def recording_split(*args, **kwargs):
        splits.append(grouped_split(*args, **kwargs))
        return splits[-1]

    monkeypatch.setattr(_lightgbm, "grouped_train_test_split", recording_split)
    model = LightGBMClassifier(n_estimators=200, learning_rate=0.1, n_iter_no_change=10,
                               early_stopping=True, random_state=0).fit(X, y)
    # Copies of trained rows in the validation part would keep its loss falling to the end.
    assert model.n_estimators_ < 200
    (trained_rows, validation_rows), = splits
    dense = X.toarray()
    trained = {row.tobytes() for row in dense[trained_rows]}
    assert not any(row.tobytes() in trained for row in dense[validation_rows])
    assert 0 < y[validation_rows].sum() < len(validation_rows)


def test_lightgbm_with_repeated_rows_is_reproducible_with_a_seed(repeated_texts):
    X, y = repeated_texts
    model = LightGBMClassifier(n_estimators=60, learning_rate=0.1, n_iter_no_change=10,
                               subsample=0.8, early_stopping=True, random_state=5)
    first, second = clone(model).fit(X, y), clone(model).fit(X, y)
    assert first.n_estimators_ == second.n_estimators_
    np.testing.assert_array_equal(first.validation_loss_, second.validation_loss_)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


# Empty rows first, in the middle and last (where reduceat would fail); a zero of either
# sign; NaNs; the same values in other columns; a value that differs from zero by 1e-30.
HAND_MADE_ROWS = np.array([[0.0, 0.0, 0.0, 0.0],
                           [0.0, 0.5, 0.0, 2.0],
                           [0.0, 0.0, 0.0, 0.0],
                           [0.0, 2.0, 0.0, 0.5],
                           [-0.0, 0.5, 0.0, 2.0],
                           [0.5, 0.0, 2.0, 0.0],
                           [np.nan, 1.0, 0.0, 0.0],
                           [np.nan, 1.0, 0.0, 0.0],
                           [0.0, 0.5, 0.0, 2.0],
                           [0.0, 0.0, 0.0, 1e-30],
                           [0.0, 0.0, 0.0, 0.0]])


def _same_rows(dense):
    return np.array([[np.array_equal(a, b, equal_nan=True) for b in dense] for a in dense])


@pytest.mark.parametrize("layout", ["dense", "csr", "csc", "csr_array", "float32"])
def test_identical_row_groups_share_an_id_exactly_when_the_rows_are_equal(layout):
    X = {"dense": HAND_MADE_ROWS, "csr": sp.csr_matrix(HAND_MADE_ROWS),
         "csc": sp.csc_matrix(HAND_MADE_ROWS), "csr_array": sp.csr_array(HAND_MADE_ROWS),
         "float32": HAND_MADE_ROWS.astype(np.float32)}[layout]
    groups = _lightgbm._identical_row_groups(X)
    assert groups.dtype == np.int64 and groups.shape == (len(HAND_MADE_ROWS),)
    np.testing.assert_array_equal(groups[:, None] == groups[None, :],
                                  _same_rows(HAND_MADE_ROWS))


def test_identical_row_groups_ignore_how_sparse_rows_are_stored():
    # Row 0 is [0, 3, 0, 1] stored out of order with a duplicate; row 1 holds an explicit
    # zero; row 2 is row 0 stored plainly; row 3 is empty apart from an explicit zero.
    X = sp.csr_matrix((np.array([1.0, 2.0, 1.0, 0.0, 7.0, 3.0, 1.0, 0.0]),
                       np.array([3, 1, 1, 2, 0, 1, 3, 0]),
                       np.array([0, 3, 5, 7, 8])), shape=(4, 4))
    groups = _lightgbm._identical_row_groups(X)
    np.testing.assert_array_equal(groups[:, None] == groups[None, :],
                                  _same_rows(X.toarray()))
    assert groups[0] == groups[2] and groups[0] != groups[1] != groups[3]
    assert not X.has_canonical_format  # the caller's matrix is left as it was


def test_lightgbm_takes_sparse_text_features_and_class_weights(sms):
    X, y = sms
    features = TfidfVectorizer(dtype=np.float32).fit_transform(X)
    plain = LightGBMClassifier(n_estimators=50, random_state=0).fit(features, y)
    proba = plain.predict_proba(features)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(plain.predict_proba(sp.csc_matrix(features)), proba)
    balanced = LightGBMClassifier(n_estimators=50, class_weight="balanced",
                                  random_state=0).fit(features, y)
    # Up-weighting the rare class raises its predicted probabilities.
    assert balanced.predict_proba(features)[:, 1].mean() > proba[:, 1].mean()


def test_lightgbm_parameter_errors_name_the_parameter():
    X, y = make_classification(n_samples=50, random_state=0)
    for params, name in [({"learning_rate": 0}, "learning_rate"),
                         ({"subsample": 1.5}, "subsample"),
                         ({"early_stopping": "sometimes"}, "early_stopping"),
                         ({"n_jobs": 0}, "n_jobs")]:
        with pytest.raises(ValueError, match=name):
            LightGBMClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        LightGBMClassifier().fit(X, np.arange(50) % 3)


def test_lightgbm_auto_counts_distinct_rows_before_stopping_early():
    # 15,000 rows but only 40 distinct ones: too few to hold out a validation part, so
    # "auto" trains every round rather than failing.
    rng = np.random.default_rng(0)
    distinct = rng.normal(size=(40, 5))
    picks = rng.integers(0, 40, 15_000)
    X, y = distinct[picks], (distinct[picks, 0] > 0).astype(int)
    model = LightGBMClassifier(n_estimators=20, random_state=0).fit(X, y)
    assert model.n_estimators_ == 20 and model.validation_loss_ is None
    with pytest.raises(ValueError, match="distinct rows"):
        LightGBMClassifier(n_estimators=20, early_stopping=True, validation_fraction=0.01,
                           random_state=0).fit(X, y)
