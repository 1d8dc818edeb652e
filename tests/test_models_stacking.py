"""Stacking: a meta-model over base approaches' out-of-fold probabilities, scored honestly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.models import (
    StackingEnsemble,
    bernoulli_nb,
    logistic_regression,
    multinomial_nb,
    nb_logistic_regression,
    oof_predict,
    probability_logit,
    stack_inputs,
)


@pytest.fixture(scope="module")
def clothing_results():
    """Four classical approaches on 4,000 real reviews ("not recommended", about 18%),
    the first 3,000 as training rows and the rest as test rows."""
    frame = load_dataset("womens_clothing_not_recommended").sample(n=4000, random_state=0)
    train, test = frame.iloc[:3000], frame.iloc[3000:]
    words = {"ngram_range": (1, 2), "min_df": 2}
    approaches = {
        "tfidf_lr": make_pipeline(TfidfVectorizer(sublinear_tf=True, **words),
                                  logistic_regression()),
        "counts_nb_lr": make_pipeline(CountVectorizer(**words), nb_logistic_regression()),
        "counts_mnb": make_pipeline(CountVectorizer(**words), multinomial_nb()),
        "presence_bnb": make_pipeline(CountVectorizer(binary=True, min_df=2), bernoulli_nb()),
    }
    results = {name: oof_predict(model, train["question_text"], train["target"],
                                 test["question_text"])
               for name, model in approaches.items()}
    return results, test["target"].to_numpy()


def test_stack_inputs_line_up_the_approaches(clothing_results):
    results, _ = clothing_results
    inputs = stack_inputs(results)
    assert list(inputs.oof.columns) == list(results) == list(inputs.test.columns)
    assert inputs.oof.shape == (3000, 4) and inputs.test.shape == (1000, 4)
    np.testing.assert_array_equal(inputs.oof["tfidf_lr"], results["tfidf_lr"].oof)
    np.testing.assert_array_equal(inputs.test["counts_mnb"], results["counts_mnb"].test)
    np.testing.assert_array_equal(inputs.y, results["tfidf_lr"].y_true)


def test_the_stack_ranks_better_than_every_base_approach_on_their_folds(clothing_results):
    results, test_target = clothing_results
    inputs = stack_inputs(results)
    stack = StackingEnsemble().fit(inputs.oof, inputs.y, folds=inputs.folds)
    # Scored out of fold on the bases' very folds...
    for (_, stack_valid), (_, base_valid) in zip(stack.oof_result_.folds, inputs.folds):
        assert np.array_equal(stack_valid, base_valid)
    # ...it orders the rows better than any one of them: a meta-model that copied its best
    # input, or weighed them badly, would not.
    stacked = stack.oof_result_.scores()
    for name, result in results.items():
        assert stacked.roc_auc > result.roc_auc, name
        assert stacked.average_precision > result.scores().average_precision, name
    # Its cross-fitted F1 is well above the bases' average (at 3,000 rows, F1 differences
    # with the best base are within the noise of one threshold).
    assert stack.oof_result_.crossfit_f1 > np.mean([r.crossfit_f1 for r in results.values()])
    in_sample = stack.predict_proba(inputs.oof)[:, 1]
    assert not np.allclose(in_sample, stack.oof_result_.oof)
    # Test rows come from the base approaches' fold-averaged test probabilities.
    test_proba = stack.predict_proba(inputs.test)[:, 1]
    assert test_proba.shape == (1000,)
    test_f1 = _f1(test_target, test_proba >= stack.oof_result_.best_threshold)
    assert test_f1 > np.mean([_f1(test_target, r.test_labels.astype(bool))
                              for r in results.values()])
    assert list(stack.feature_names_in_) == list(results)


def test_the_stack_needs_the_bases_to_share_their_folds(clothing_results):
    results, _ = clothing_results
    frame = load_dataset("womens_clothing_not_recommended").sample(n=4000, random_state=0)
    other_seed = oof_predict(make_pipeline(CountVectorizer(), multinomial_nb()),
                             frame["question_text"].iloc[:3000], frame["target"].iloc[:3000],
                             frame["question_text"].iloc[3000:], random_state=1)
    with pytest.raises(ValueError, match="other folds"):
        stack_inputs({**results, "other_seed": other_seed})


def test_raw_probabilities_work_too(clothing_results):
    results, _ = clothing_results
    inputs = stack_inputs(results)
    raw = StackingEnsemble(logit=False).fit(inputs.oof.to_numpy(), inputs.y)
    assert raw.oof_result_.f1 > 0.6 and not hasattr(raw, "feature_names_in_")


def test_logit_features_are_finite_even_for_certain_models():
    logits = probability_logit(np.array([0.0, 0.5, 1.0]))
    assert np.isfinite(logits).all() and logits[1] == 0
    assert logits[0] == pytest.approx(-logits[2]) == pytest.approx(-np.log(1e7), rel=1e-6)
    X = np.array([[0.0, 0.1], [0.2, 0.3], [0.9, 1.0], [1.0, 0.8]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    stack = StackingEnsemble(n_splits=2).fit(X, y)
    assert np.isfinite(stack.predict_proba(X)).all()


@pytest.mark.parametrize("params, message", [
    ({"C": 0}, r"'C' parameter of StackingEnsemble must be a float in the range \(0.0, inf\)"),
    ({"n_splits": 1}, (r"'n_splits' parameter of StackingEnsemble must be an int in the range "
                       r"\[2, inf\)")),
    ({"n_splits": True}, "'n_splits' parameter of StackingEnsemble"),
    ({"n_jobs": 0}, "'n_jobs' parameter of StackingEnsemble"),
    ({"logit": "yes"}, "'logit' parameter of StackingEnsemble"),
])
def test_stacking_rejects_invalid_parameters_before_evaluating(params, message):
    X = np.array([[0.0, 0.1], [0.2, 0.3], [0.9, 1.0], [1.0, 0.8]] * 5)
    with pytest.raises(InvalidParameterError, match=message):
        StackingEnsemble(**params).fit(X, [0, 0, 1, 1] * 5)


def test_stacking_refuses_what_it_cannot_combine(clothing_results):
    results, _ = clothing_results
    X = np.array([[0.1, 2.0], [0.5, 0.5]] * 10)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*logit=False"):
        StackingEnsemble().fit(X, [0, 1] * 10)
    with pytest.raises(ValueError, match="at least one"):
        stack_inputs({})
    repeated = pd.Series(["good", "bad"] * 10)
    with pytest.raises(ValueError, match="2 distinct texts"):
        oof_predict(make_pipeline(CountVectorizer(), multinomial_nb()), repeated, [1, 0] * 10)
    shorter = oof_predict(make_pipeline(CountVectorizer(), multinomial_nb()), repeated,
                          [1, 0] * 10, group_duplicates=False)
    with pytest.raises(ValueError, match="other training rows"):
        stack_inputs({**results, "other": shorter})
    no_test = {"a": results["tfidf_lr"], "b": _without_test(results["counts_mnb"])}
    with pytest.raises(ValueError, match=r"no test probabilities"):
        stack_inputs(no_test)
    stack = StackingEnsemble().fit(stack_inputs(results).oof, stack_inputs(results).y)
    with pytest.raises(ValueError, match="feature names"):
        stack.predict_proba(stack_inputs(results).test[list(reversed(results))])


def _without_test(result):
    from dataclasses import replace

    return replace(result, test=None)


def _f1(y_true, y_pred) -> float:
    true_positives = np.sum(y_true.astype(bool) & y_pred)
    return 2 * true_positives / (y_true.sum() + y_pred.sum())
