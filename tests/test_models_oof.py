"""The out-of-fold engine: each row scored once, by a model that never saw it."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.metrics import best_f1_threshold
from textclf.models import OofResult, oof_predict


@pytest.fixture(scope="module")
def sms():
    """1,000 real SMS messages (about 13% spam), in a shuffled order with a gappy index."""
    frame = load_dataset("sms_spam").sample(n=1000, random_state=0)
    return frame["question_text"], frame["target"]


def text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression(C=10, solver="liblinear"))


class RecordingTfidf(TfidfVectorizer):
    """A TfidfVectorizer that remembers the texts it was fitted on."""

    def fit(self, raw_documents, y=None):
        self.fitted_texts_ = list(raw_documents)
        return super().fit(raw_documents, y)

    def fit_transform(self, raw_documents, y=None):
        self.fitted_texts_ = list(raw_documents)
        return super().fit_transform(raw_documents, y)


def test_every_row_is_predicted_once_by_the_model_that_did_not_train_on_it(sms):
    X, y = sms
    result = oof_predict(text_model(), X, y)
    assert isinstance(result, OofResult) and result.test is None
    held_out = np.concatenate([valid for _, valid in result.folds])
    assert np.array_equal(np.sort(held_out), np.arange(len(X)))
    for train, valid in result.folds:
        assert not set(train) & set(valid) and len(train) + len(valid) == len(X)
    # The same as scikit-learn's own cross_val_predict over the same folds.
    expected = cross_val_predict(text_model(), X, y, cv=list(result.folds),
                                 method="predict_proba")[:, 1]
    np.testing.assert_allclose(result.oof, expected, rtol=1e-12)


def _identity(text: str) -> str:
    return " ".join(text.casefold().split())


def test_identical_texts_never_sit_on_both_sides_of_a_fold(sms):
    X, y = sms
    keys = X.map(_identity).to_numpy()
    assert len(set(keys)) < len(keys)  # the sample holds repeated messages

    def straddling(result):
        return sum(len(set(keys[train]) & set(keys[valid])) for train, valid in result.folds)

    assert straddling(oof_predict(text_model(), X, y)) == 0
    # Without grouping, the same seed puts twins on both sides: the grouping is what helps.
    assert straddling(oof_predict(text_model(), X, y, group_duplicates=False)) > 0


def test_without_repeated_texts_the_folds_are_stratified_kfolds(sms):
    X, y = sms
    unique = X.map(_identity).drop_duplicates().index
    X, y = X.loc[unique], y.loc[unique]
    result = oof_predict(text_model(), X, y, random_state=7)
    expected = StratifiedKFold(n_splits=5, shuffle=True, random_state=7).split(X, y)
    for (train, valid), (expected_train, expected_valid) in zip(result.folds, expected):
        np.testing.assert_array_equal(valid, expected_valid)
        np.testing.assert_array_equal(train, expected_train)


def test_groups_and_folds_can_be_given(sms):
    X, y = sms
    groups = np.arange(len(X)) // 10  # blocks of ten rows
    grouped = oof_predict(text_model(), X, y, groups=groups)
    for train, valid in grouped.folds:
        assert not set(groups[train]) & set(groups[valid])
    again = oof_predict(text_model(), X, y, folds=grouped.folds, n_splits=3, random_state=0)
    for (_, valid), (_, valid_again) in zip(grouped.folds, again.folds):
        np.testing.assert_array_equal(valid, valid_again)
    np.testing.assert_allclose(again.oof, grouped.oof)
    with pytest.raises(ValueError, match="exactly once"):
        oof_predict(text_model(), X, y, folds=grouped.folds[:-1] + (grouped.folds[0],))


def test_the_headline_f1_is_cross_fitted_and_exposes_a_model_without_signal():
    tuned_gain, crossfit_gain = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        y = (rng.random(300) < 0.1).astype(int)
        result = oof_predict(LogisticRegression(), rng.normal(size=(300, 20)), y)
        base_rate_f1 = 2 * y.mean() / (1 + y.mean())  # everything predicted positive
        tuned_gain.append(result.f1 - base_rate_f1)
        crossfit_gain.append(result.crossfit_f1 - base_rate_f1)
    # Noise has nothing to learn: a threshold tuned on the rows it scores still finds a
    # lucky cut, a cross-fitted one lands at the base rate's F1.
    assert np.mean(tuned_gain) > 0.02
    assert abs(np.mean(crossfit_gain)) < 0.01


def test_each_fold_is_labelled_at_the_best_threshold_of_the_other_folds(sms):
    X, y = sms
    result = oof_predict(text_model(), X, y)
    labels = np.empty(len(y), dtype=int)
    for (_, valid), threshold in zip(result.folds, result.crossfit_thresholds):
        others = np.setdiff1d(np.arange(len(y)), valid)
        assert threshold == best_f1_threshold(y.to_numpy()[others], result.oof[others]).threshold
        labels[valid] = result.oof[valid] >= threshold
    assert result.crossfit_f1 == pytest.approx(f1_score(y, labels))
    assert result.crossfit_f1 <= result.f1


def test_learned_text_steps_never_see_the_held_out_fold(sms):
    X, y = sms
    texts = X.to_numpy()
    model = make_pipeline(RecordingTfidf(), LogisticRegression(solver="liblinear"))
    result = oof_predict(model, X, y, return_estimators=True)
    assert len(result.estimators) == 5
    for fitted, (train, valid) in zip(result.estimators, result.folds):
        seen = fitted[0].fitted_texts_
        assert sorted(seen) == sorted(texts[train])
        # Compare by row: texts can repeat in the data, so check the held-out rows' texts
        # that occur nowhere in the training part.
        only_held_out = set(texts[valid]) - set(texts[train])
        assert only_held_out and not only_held_out & set(seen)
        # The vocabulary, too: exactly the training part's words, none only held out.
        analyze = fitted[0].build_analyzer()
        train_words = {word for text in texts[train] for word in analyze(text)}
        held_out_words = {word for text in texts[valid] for word in analyze(text)}
        assert set(fitted[0].vocabulary_) == train_words
        assert held_out_words - train_words


def test_scores_thresholds_and_timings(sms):
    X, y = sms
    result = oof_predict(text_model(), X, y, n_splits=4)
    assert result.n_splits == 4
    for score, threshold, auc, (_, valid) in zip(result.fold_scores, result.fold_thresholds,
                                                 result.fold_roc_auc, result.folds):
        fold_best = best_f1_threshold(result.y_true[valid], result.oof[valid])
        assert score == pytest.approx(fold_best.f1) and threshold == fold_best.threshold
        assert 0.5 < auc <= 1
    overall = best_f1_threshold(y, result.oof)
    assert result.f1 == pytest.approx(overall.f1) and result.f1 > 0.85
    assert result.best_threshold == overall.threshold
    assert result.fit_seconds.shape == (4,) and (result.fit_seconds > 0).all()
    assert "f1=" in repr(result) and "4 folds" in repr(result)


def test_test_probabilities_are_the_mean_of_the_fold_models(sms):
    X, y = sms
    X_test = ["WINNER! Claim your free prize now, call 0800", "See you at lunch tomorrow?"]
    result = oof_predict(text_model(), X, y, X_test, return_estimators=True)
    per_fold = [model.predict_proba(X_test)[:, 1] for model in result.estimators]
    np.testing.assert_allclose(result.test, np.mean(per_fold, axis=0))
    assert result.test[0] > 0.5 > result.test[1]
    assert result.test_labels.tolist() == [1, 0]
    without_test = oof_predict(text_model(), X, y)
    with pytest.raises(ValueError, match="X_test"):
        _ = without_test.test_labels


def test_same_seed_same_result_other_seed_other_folds(sms):
    X, y = sms
    first = oof_predict(text_model(), X, y, X.head(20), random_state=7)
    again = oof_predict(text_model(), X, y, X.head(20), random_state=7)
    other = oof_predict(text_model(), X, y, X.head(20), random_state=8)
    assert np.array_equal(first.oof, again.oof) and np.array_equal(first.test, again.test)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first.folds, again.folds))
    assert not np.array_equal(first.folds[0][1], other.folds[0][1])


@pytest.mark.parametrize("backend", ["loky", "multiprocessing"])
def test_parallel_folds_match_sequential_ones(sms, backend):
    # "multiprocessing" (like Ray's backend) cannot stream results one by one.
    X, y = sms
    sequential = oof_predict(text_model(), X, y, X.head(10), n_jobs=1)
    with joblib.parallel_config(backend):
        parallel = oof_predict(text_model(), X, y, X.head(10), n_jobs=2)
    np.testing.assert_array_equal(sequential.oof, parallel.oof)
    np.testing.assert_array_equal(sequential.test, parallel.test)


def test_rows_are_taken_by_position_from_every_input_kind(sms):
    X, y = sms
    reference = oof_predict(text_model(), X, y)
    for texts in (X.to_list(), X.to_numpy(), X.reset_index(drop=True)):
        assert np.array_equal(oof_predict(text_model(), texts, y.to_numpy()).oof,
                              reference.oof)
    frame = pd.DataFrame({"question_text": X, "length": X.str.len()})
    by_column = make_pipeline(make_column_transformer((TfidfVectorizer(), "question_text")),
                              LogisticRegression(C=10, solver="liblinear"))
    # A table is not one column of texts, so it is not grouped on its own: same folds given.
    assert np.array_equal(oof_predict(by_column, frame, y, folds=reference.folds).oof,
                          reference.oof)
    features = TfidfVectorizer().fit_transform(X)
    linear = LogisticRegression(C=10, solver="liblinear")
    from_csr = oof_predict(linear, features, y)
    np.testing.assert_allclose(oof_predict(linear, sp.coo_matrix(features), y).oof,
                               from_csr.oof, rtol=1e-9)
    np.testing.assert_allclose(oof_predict(linear, features.toarray(), y).oof, from_csr.oof,
                               rtol=1e-9)


def test_string_labels_take_the_larger_one_as_positive(sms):
    X, y = sms
    named = np.where(y == 1, "spam", "ham")
    result = oof_predict(text_model(), X, named)
    assert np.array_equal(result.y_true, y.to_numpy())
    np.testing.assert_allclose(result.oof, oof_predict(text_model(), X, y).oof)


def test_models_without_probabilities_are_refused_with_the_way_out(sms):
    X, y = sms
    with pytest.raises(TypeError, match="CalibratedClassifierCV"):
        oof_predict(make_pipeline(TfidfVectorizer(), LinearSVC()), X, y)
    calibrated = make_pipeline(TfidfVectorizer(), CalibratedClassifierCV(LinearSVC(), cv=3))
    assert oof_predict(calibrated, X, y).f1 > 0.85


def test_clear_errors_for_targets_it_cannot_score(sms):
    X, y = sms
    with pytest.raises(ValueError, match="binary"):
        oof_predict(text_model(), X, np.arange(len(X)) % 3)
    few_positives = np.zeros(len(X), dtype=int)
    few_positives[:3] = 1
    with pytest.raises(ValueError, match="smaller class has 3 rows, fewer than n_splits=5"):
        oof_predict(text_model(), X, few_positives)
    for n_splits in (1, True, 5.0):
        with pytest.raises(InvalidParameterError,
                           match=r"'n_splits' parameter of oof_predict must be an int in the "
                                 r"range \[2, inf\)"):
            oof_predict(text_model(), X, y, n_splits=n_splits)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        oof_predict(text_model(), X, y[:-1])
    with pytest.raises(TypeError, match="single string"):
        oof_predict(text_model(), "one text", [1])


@pytest.fixture
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.slow
def test_folds_spread_over_a_dask_cluster_give_the_same_predictions(sms, dask_client):
    X, y = sms
    from dask.distributed import get_task_stream

    local = oof_predict(text_model(), X, y, X.head(10))
    with get_task_stream(dask_client) as tasks, joblib.parallel_backend("dask"):
        distributed = oof_predict(text_model(), X, y, X.head(10))
    # The folds really ran as tasks on the cluster's two worker processes.
    assert len({task["worker"] for task in tasks.data}) == 2
    np.testing.assert_array_equal(distributed.oof, local.oof)
    np.testing.assert_array_equal(distributed.test, local.test)
