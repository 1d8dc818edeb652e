"""Stacking: a logistic regression that weighs the base approaches' out-of-fold probabilities.

Each base approach gives, from ``oof_predict``, an out-of-fold probability per training row
and a fold-averaged probability per test row. The meta-model learns from the out-of-fold
columns how much to trust each approach; it predicts the test rows from the test columns.
Its own score is measured the same way as the base approaches': out of fold, over a k-fold
of the out-of-fold matrix, so the stack is compared with its parts honestly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._param_validation import NonBoolInterval
from ._oof import FOLD_PARAMETER_CONSTRAINTS, OofResult, oof_predict
from ._validation import binary_classes

# Probabilities are clipped to [eps, 1 - eps] before the logit, so a model that says 0 or
# 1 gives a large but finite log-odds; 1e-7 is still resolvable in float32.
_LOGIT_EPS = 1e-7


def probability_logit(probabilities: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of probabilities clipped to [1e-7, 1 - 1e-7]."""
    clipped = np.clip(np.asarray(probabilities, dtype=np.float64), _LOGIT_EPS, 1 - _LOGIT_EPS)
    return np.log(clipped) - np.log1p(-clipped)


@dataclass(frozen=True)
class StackInputs:
    """What a stack learns from: one column per base approach, in the same order.

    ``oof`` (n_train x n_approaches) holds the out-of-fold probabilities, ``test``
    (n_test x n_approaches, or None) the fold-averaged test probabilities, ``y`` the 0/1
    training target. Columns are named after the approaches. ``folds`` is the split every
    base approach was scored on: the stack's own evaluation must use it too, or a row's
    meta-features would come from fold models that trained on rows the stack holds out.
    """

    oof: pd.DataFrame
    test: pd.DataFrame | None
    y: np.ndarray
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]


def stack_inputs(results: Mapping[str, OofResult]) -> StackInputs:
    """Line up several approaches' ``OofResult`` as the stack's inputs.

    All results must score the same training rows (same target, same order) on the same
    folds (same ``random_state``, ``n_splits`` and grouping); either all or none carry test
    probabilities.
    """
    if not results:
        raise ValueError("stack_inputs needs at least one approach's OofResult")
    names = list(results)
    first = results[names[0]]
    for name in names[1:]:
        result = results[name]
        if len(result.oof) != len(first.oof) or not np.array_equal(result.y_true, first.y_true):
            raise ValueError(f"approach {name!r} was scored on other training rows than "
                             f"{names[0]!r} (different length, order or target); run every "
                             "approach on the same X, y")
        if not _same_folds(result.folds, first.folds):
            raise ValueError(f"approach {name!r} was scored on other folds than {names[0]!r}; "
                             "run every approach with the same n_splits, random_state and "
                             "groups (or folds=)")
    with_test = [name for name in names if results[name].test is not None]
    if with_test and len(with_test) != len(names):
        missing = sorted(set(names) - set(with_test))
        raise ValueError(f"approaches {missing} have no test probabilities while {with_test} "
                         "do; run them all with X_test, or all without")
    test = None
    if with_test:
        lengths = {name: len(results[name].test) for name in names}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"the approaches predicted different numbers of test rows: "
                             f"{lengths}")
        test = pd.DataFrame({name: results[name].test for name in names})
    oof = pd.DataFrame({name: results[name].oof for name in names})
    return StackInputs(oof=oof, test=test, y=first.y_true.copy(), folds=first.folds)


def _same_folds(folds, other) -> bool:
    return len(folds) == len(other) and all(
        np.array_equal(valid, other_valid) for (_, valid), (_, other_valid) in zip(folds, other))


class StackingEnsemble(ClassifierMixin, BaseEstimator):
    """Logistic-regression meta-model over base approaches' probabilities.

    ``fit(oof_probabilities, y)`` takes the out-of-fold probabilities (one column per base
    approach, a DataFrame or 2-D array) and

    - evaluates the stack honestly: ``oof_predict`` over the same matrix gives the
      meta-model's own out-of-fold probabilities, F1 and best threshold (``oof_result_``);
      compare ``oof_result_.crossfit_f1`` with the base approaches' ``crossfit_f1``;
    - fits the meta-model on all rows (``meta_model_``), which ``predict_proba`` applies to
      the base approaches' fold-averaged test probabilities (same columns, same order).

    Threshold the test probabilities at ``oof_result_.best_threshold`` for the best F1;
    ``predict`` uses 0.5 like every scikit-learn classifier.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation of the meta-model. A handful of columns need little.
    logit : bool, default=True
        Use each probability's log-odds as the meta-feature. A logistic regression adds
        its inputs on the log-odds scale, so log-odds features make the stack a weighted
        vote of the base models' evidence; raw probabilities squash the confident ends
        (0.99 vs 0.999) together. The difference in out-of-fold F1 is small in practice.
        Requires inputs in [0, 1].
    class_weight : None, "balanced" or dict, default=None
    n_splits : int, default=5
        Folds of the stack's own out-of-fold evaluation.
    random_state : int or None, default=42
        Seed of those folds. With the base approaches' ``n_splits`` and ``random_state``
        (the defaults of ``oof_predict``) the stack is evaluated on their very folds.
    n_jobs : int, default=1
        Parallel folds of that evaluation (see ``oof_predict``).

    Attributes
    ----------
    meta_model_ : Pipeline
        (log-odds transform, if any, then) LogisticRegression, fitted on all rows.
    weights_ : ndarray of shape (n_features_in_,)
        The meta-model's coefficient of each base approach.
    oof_result_ : OofResult
        The stack's out-of-fold evaluation.
    classes_, n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        "C": [NonBoolInterval(Real, 0, None, closed="neither")],
        "logit": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        **FOLD_PARAMETER_CONSTRAINTS,
    }

    def __init__(self, *, C: float = 1.0, logit: bool = True, class_weight=None,
                 n_splits: int = 5, random_state=42, n_jobs: int = 1):
        self.C = C
        self.logit = logit
        self.class_weight = class_weight
        self.n_splits = n_splits
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y, *, folds=None):
        """Evaluate the stack out of fold, then fit the meta-model on every row.

        ``folds``, the base approaches' split (``StackInputs.folds``), makes the evaluation
        use it; without it the stack draws its own ``n_splits`` stratified folds.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_ = binary_classes(y, "StackingEnsemble")
        self._check_probabilities(X)
        self.oof_result_ = oof_predict(self._meta_model(), X, y, n_splits=self.n_splits,
                                       random_state=self.random_state, n_jobs=self.n_jobs,
                                       folds=folds)
        self.meta_model_ = self._meta_model().fit(X, y)
        self.weights_ = self.meta_model_[-1].coef_.ravel().copy()
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]`` from base probabilities X."""
        check_is_fitted(self, "meta_model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._check_probabilities(X)
        return self.meta_model_.predict_proba(X)

    def decision_function(self, X) -> np.ndarray:
        """The meta-model's log-odds of ``classes_[1]``."""
        check_is_fitted(self, "meta_model_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._check_probabilities(X)
        return self.meta_model_.decision_function(X)

    def predict(self, X) -> np.ndarray:
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.int64)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _meta_model(self):
        steps = [FunctionTransformer(probability_logit)] if self.logit else []
        return make_pipeline(*steps, LogisticRegression(
            C=self.C, class_weight=self.class_weight, solver="lbfgs", max_iter=1000))

    def _check_probabilities(self, X: np.ndarray) -> None:
        if self.logit and X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError(f"StackingEnsemble(logit=True) takes probabilities in [0, 1]; got "
                             f"values from {X.min():.4g} to {X.max():.4g}. Pass the base "
                             "approaches' predict_proba columns, or use logit=False for "
                             "other scores")
