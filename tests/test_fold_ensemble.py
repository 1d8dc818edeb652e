"""FoldEnsemble and StackedEnsemble serve exactly what the out-of-fold study measured."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from textclf.data import load_dataset
from textclf.models import StackingEnsemble, oof_predict, stack_inputs
from textclf.models._fold_ensemble import FoldEnsemble, StackedEnsemble

APPROACHES = {
    "count_mnb": lambda: make_pipeline(CountVectorizer(ngram_range=(1, 2), min_df=2),
                                       MultinomialNB()),
    "tfidf_lr": lambda: make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
                                      LogisticRegression(C=4.0, max_iter=1000)),
}


@pytest.fixture(scope="module")
def study():
    """Two approaches and their stack on 800 real SMS rows, 3 folds, fold models kept."""
    rows = load_dataset("sms_spam").head(800)
    train, test = rows.iloc[:600], rows.iloc[600:]
    results = {name: oof_predict(build(), train["question_text"], train["target"],
                                 test["question_text"], n_splits=3, return_estimators=True)
               for name, build in APPROACHES.items()}
    inputs = stack_inputs(results)
    stacked = oof_predict(StackingEnsemble(), inputs.oof, inputs.y, inputs.test, n_splits=3,
                          return_estimators=True)
    return train, test, results, stacked


def test_fold_ensemble_reproduces_the_fold_averaged_test_probabilities_exactly(study):
    _, test, results, _ = study
    for result in results.values():
        ensemble = FoldEnsemble(result.estimators)
        proba = ensemble.predict_proba(test["question_text"])
        np.testing.assert_array_equal(proba[:, 1], result.test)
        np.testing.assert_array_equal(proba[:, 0], 1.0 - result.test)
        assert proba.dtype == np.float64 and proba.shape == (len(test), 2)
        # Any sequence of texts gives the same numbers as the Series the study used.
        np.testing.assert_array_equal(
            FoldEnsemble.from_result(result).predict_proba(test["question_text"].tolist())[:, 1],
            result.test)


def test_fold_ensemble_classes_predict_and_size(study):
    _, test, results, _ = study
    ensemble = FoldEnsemble.from_result(results["tfidf_lr"])
    np.testing.assert_array_equal(ensemble.classes_, [0, 1])
    assert ensemble.n_estimators == 3
    labels = ensemble.predict(test["question_text"])
    np.testing.assert_array_equal(labels, (results["tfidf_lr"].test >= 0.5).astype(np.int64))
    assert ensemble.fit() is ensemble


def test_fold_ensemble_keeps_string_labels():
    texts = ["win a prize now", "free cash prize", "see you at lunch", "lunch at noon?"] * 3
    labels = ["spam", "spam", "ham", "ham"] * 3
    result = oof_predict(make_pipeline(CountVectorizer(), MultinomialNB()), texts, labels,
                         texts[:4], n_splits=2, return_estimators=True)
    ensemble = FoldEnsemble.from_result(result)
    np.testing.assert_array_equal(ensemble.classes_, ["ham", "spam"])
    np.testing.assert_array_equal(ensemble.predict_proba(texts[:4])[:, 1], result.test)
    assert list(ensemble.predict(texts[:4])) == ["spam", "spam", "ham", "ham"]


def test_stacked_ensemble_reproduces_the_stacked_test_probabilities_exactly(study):
    _, test, results, stacked = study
    served = StackedEnsemble({name: FoldEnsemble(result.estimators)
                              for name, result in results.items()},
                             FoldEnsemble(stacked.estimators))
    proba = served.predict_proba(test["question_text"])
    np.testing.assert_array_equal(proba[:, 1], stacked.test)
    np.testing.assert_array_equal(served.classes_, [0, 1])
    inputs = served.base_probabilities(test["question_text"])
    pd.testing.assert_frame_equal(inputs, stack_inputs(results).test)
    np.testing.assert_array_equal(
        StackedEnsemble.from_results(results, stacked).predict_proba(test["question_text"]),
        proba)
    np.testing.assert_array_equal(served.predict(test["question_text"]),
                                  (stacked.test >= 0.5).astype(np.int64))


def test_ensembles_survive_a_joblib_round_trip(study, tmp_path):
    _, test, results, stacked = study
    served = StackedEnsemble.from_results(results, stacked)
    joblib.dump(served, tmp_path / "stack.joblib")
    loaded = joblib.load(tmp_path / "stack.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(test["question_text"])[:, 1],
                                  stacked.test)


def test_clone_and_fit_keep_the_fold_models(study):
    _, test, results, _ = study
    ensemble = FoldEnsemble.from_result(results["count_mnb"])
    assert clone(ensemble) is ensemble
    assert ensemble.get_params(deep=False) == {"estimators": results["count_mnb"].estimators}
    np.testing.assert_array_equal(ensemble.fit(test["question_text"], None)
                                  .predict_proba(test["question_text"])[:, 1],
                                  results["count_mnb"].test)


def test_from_result_without_kept_models_says_how_to_keep_them(study):
    train, _, _, _ = study
    result = oof_predict(APPROACHES["count_mnb"](), train["question_text"], train["target"],
                         n_splits=3)
    with pytest.raises(ValueError, match="return_estimators=True"):
        FoldEnsemble.from_result(result)
    with pytest.raises(TypeError, match="OofResult"):
        FoldEnsemble.from_result(["not", "a", "result"])


@pytest.mark.parametrize("estimators, error, match", [
    ([], ValueError, "at least one"),
    ([make_pipeline(CountVectorizer(), MultinomialNB())], ValueError, "not fitted"),
    ([CountVectorizer()], TypeError, "no predict_proba"),
    ("model", TypeError, "sequence of fitted fold models"),
])
def test_fold_ensemble_rejects_bad_fold_models(estimators, error, match):
    with pytest.raises(error, match=match):
        FoldEnsemble(estimators).predict_proba(["some text"])


def test_fold_ensemble_rejects_folds_with_different_classes():
    texts = ["free prize", "lunch today"]
    a = make_pipeline(CountVectorizer(), MultinomialNB()).fit(texts, [0, 1])
    b = make_pipeline(CountVectorizer(), MultinomialNB()).fit(texts, [1, 2])
    with pytest.raises(ValueError, match="fold model 1 has classes"):
        FoldEnsemble([a, b]).predict_proba(["free lunch"])


def test_fold_ensemble_refuses_a_single_string(study):
    _, _, results, _ = study
    with pytest.raises(TypeError, match="single string"):
        FoldEnsemble.from_result(results["count_mnb"]).predict_proba("free prize")


def test_stacked_ensemble_names_bases_out_of_the_stack_order(study):
    _, test, results, stacked = study
    reordered = {name: FoldEnsemble(results[name].estimators)
                 for name in reversed(list(results))}
    with pytest.raises(ValueError, match="column order"):
        StackedEnsemble(reordered, FoldEnsemble(stacked.estimators)).predict_proba(
            test["question_text"])
    with pytest.raises(ValueError, match="non-empty mapping"):
        StackedEnsemble({}, FoldEnsemble(stacked.estimators)).predict_proba(["text"])
