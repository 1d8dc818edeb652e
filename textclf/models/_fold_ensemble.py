"""The fold models of an out-of-fold study, served as one classifier.

``oof_predict`` fits one model per fold and scores the test rows with the mean of their
positive-class probabilities; the threshold it reports (``best_threshold``) is tuned on
probabilities of those same fold models. Serving the fold models averaged, as Kaggle
solutions submitted them, therefore reproduces exactly the test probabilities the study
reported and keeps its threshold meaningful. Refitting one model on all rows would give a
model no fold evaluated, with a threshold tuned for other models, and would cost another fit.

``FoldEnsemble`` is that average for one approach; ``StackedEnsemble`` chains the base
approaches' ensembles into the stack's fold models, so the served stack sees the same
fold-averaged base probabilities the stack was evaluated on. Both are already fitted:
``fit`` checks the models and refits nothing, and ``sklearn.base.clone`` returns them as they
are (like ``sklearn.frozen.FrozenEstimator``), so a pipeline or a search around them cannot
silently throw the fold models away.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from ._oof import OofResult, _positive_proba, _rows_indexable


class _Prefitted:
    """An estimator made of models fitted elsewhere, frozen as scikit-learn's
    ``FrozenEstimator`` is: a clone is the object itself (fitted models are what it is,
    a clone must not drop them), it counts as fitted, and the common estimator checks,
    which fit from scratch, do not apply."""

    def __sklearn_clone__(self):
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags._skip_test = True
        return tags


class FoldEnsemble(_Prefitted, ClassifierMixin, BaseEstimator):
    """The k fold models of one approach, predicting the mean of their probabilities.

    ``predict_proba(X)[:, 1]`` is, bit for bit, the ``test`` that ``oof_predict`` computed
    for the same rows: each fold model's probability of the positive label (the larger of
    the two classes), averaged over the folds in fold order. Serving this ensemble with
    the study's ``best_threshold`` therefore serves what the study measured, with no refit
    on all rows.

    Parameters
    ----------
    estimators : sequence of fitted binary classifiers
        The fold models, usually ``oof_predict(..., return_estimators=True).estimators``.
        All must have ``predict_proba`` and the same two ``classes_``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The fold models' classes; ``classes_[1]`` is the positive class.

    Examples
    --------
    >>> result = oof_predict(model, texts, y, test_texts, return_estimators=True)
    >>> ensemble = FoldEnsemble.from_result(result)
    >>> ensemble.predict_proba(test_texts)[:, 1]     # == result.test
    """

    def __init__(self, estimators):
        self.estimators = estimators

    @classmethod
    def from_result(cls, result: OofResult) -> FoldEnsemble:
        """The ensemble of the fold models an ``OofResult`` kept."""
        if not isinstance(result, OofResult):
            raise TypeError(f"from_result takes an OofResult from oof_predict, got "
                            f"{type(result).__name__}")
        if result.estimators is None:
            raise ValueError("this OofResult kept no fold models: run oof_predict(..., "
                             "return_estimators=True) to keep them for serving")
        ensemble = cls(result.estimators)
        ensemble._checked_estimators()
        return ensemble

    @property
    def classes_(self) -> np.ndarray:
        return self._checked_classes()

    @property
    def n_estimators(self) -> int:
        return len(self._checked_estimators())

    def fit(self, X=None, y=None):
        """Check the fold models and return self; nothing is refitted (see the module)."""
        self._checked_classes()
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Mean fold-model probability of ``classes_[0]`` and ``classes_[1]``, float64."""
        estimators = self._checked_estimators()
        positive_label = self._checked_classes()[1]
        X = _rows_indexable(X, "X")
        # The same per-model column and the same np.mean over folds as oof_predict's `test`,
        # so the result is identical, not merely close.
        positive = np.mean([_positive_proba(estimator, X, positive_label)
                            for estimator in estimators], axis=0)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where its mean probability is at least 0.5, else ``classes_[0]``.

        The study's threshold is seldom 0.5: for the best F1, use
        ``predict_proba(X)[:, 1] >= result.best_threshold``.
        """
        positive = self.predict_proba(X)[:, 1] >= 0.5
        return self._checked_classes()[positive.astype(np.int64)]

    def _checked_estimators(self) -> tuple:
        estimators = self.estimators
        if isinstance(estimators, (str, bytes)) or not hasattr(estimators, "__len__"):
            raise TypeError(f"FoldEnsemble takes a sequence of fitted fold models, got "
                            f"{type(estimators).__name__}")
        estimators = tuple(estimators)
        if not estimators:
            raise ValueError("FoldEnsemble needs at least one fitted fold model, got none")
        for fold, estimator in enumerate(estimators):
            if not hasattr(estimator, "predict_proba"):
                raise TypeError(f"fold model {fold} ({type(estimator).__name__}) has no "
                                "predict_proba; the ensemble averages probabilities")
            if not hasattr(estimator, "classes_"):
                raise ValueError(f"fold model {fold} ({type(estimator).__name__}) is not "
                                 "fitted (no classes_); pass the fitted models of "
                                 "oof_predict(..., return_estimators=True)")
        return estimators

    def _checked_classes(self) -> np.ndarray:
        estimators = self._checked_estimators()
        classes = np.asarray(estimators[0].classes_)
        if len(classes) != 2:
            raise ValueError(f"FoldEnsemble is for binary classifiers; fold model 0 has "
                             f"classes {classes.tolist()}")
        for fold, estimator in enumerate(estimators[1:], start=1):
            if not np.array_equal(np.asarray(estimator.classes_), classes):
                raise ValueError(f"fold model {fold} has classes "
                                 f"{np.asarray(estimator.classes_).tolist()}, fold model 0 "
                                 f"{classes.tolist()}: the folds must come from one "
                                 "oof_predict run")
        return classes


class StackedEnsemble(_Prefitted, ClassifierMixin, BaseEstimator):
    """Base approaches' fold ensembles feeding a stack's fold models, from raw texts.

    ``predict_proba(texts)`` lines up the positive-class probability of every base
    ensemble as one column per base, named and ordered as ``bases`` (the frame
    ``stack_inputs`` built for the stack's test rows), then applies ``stack``, the fold
    models of ``oof_predict(StackingEnsemble(), inputs.oof, inputs.y, inputs.test,
    return_estimators=True)``. Its probabilities are exactly the ``test`` of that stacked
    run: the served stack is the one whose out-of-fold F1 and threshold were reported,
    with no base approach and no meta-model refitted on all rows.

    Parameters
    ----------
    bases : mapping of approach name to fitted binary classifier
        Usually ``{name: FoldEnsemble.from_result(result)}`` in the order the stack's
        inputs were built. Each takes raw texts; its ``classes_[1]`` column is used.
    stack : FoldEnsemble (or any fitted binary classifier)
        The stack's fold models, taking a frame with one column per base.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The stack's classes.
    """

    def __init__(self, bases, stack):
        self.bases = bases
        self.stack = stack

    @classmethod
    def from_results(cls, base_results: Mapping[str, OofResult],
                     stack_result: OofResult) -> StackedEnsemble:
        """The served stack from the base approaches' and the stack's ``OofResult``s, all
        run with ``return_estimators=True``; ``base_results`` in the stack's column order."""
        if not isinstance(base_results, Mapping):
            raise TypeError("base_results must map approach names to OofResult, got "
                            f"{type(base_results).__name__}")
        ensemble = cls({name: FoldEnsemble.from_result(result)
                        for name, result in base_results.items()},
                       FoldEnsemble.from_result(stack_result))
        ensemble._checked_bases()
        return ensemble

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(self.stack.classes_)

    def fit(self, X=None, y=None):
        """Check the parts and return self; nothing is refitted (see the module)."""
        self._checked_bases()
        return self

    def base_probabilities(self, X) -> pd.DataFrame:
        """The stack's input: one column of positive-class probabilities per base."""
        bases = self._checked_bases()
        X = _rows_indexable(X, "X")
        return pd.DataFrame({name: _positive_proba(model, X, np.asarray(model.classes_)[1])
                             for name, model in bases.items()})

    def predict_proba(self, X) -> np.ndarray:
        """The stack's probability of ``classes_[0]`` and ``classes_[1]`` for raw texts."""
        return np.asarray(self.stack.predict_proba(self.base_probabilities(X)))

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where the stack's probability is at least 0.5; for the best F1
        threshold at the stack's ``best_threshold`` instead."""
        positive = self.predict_proba(X)[:, 1] >= 0.5
        return self.classes_[positive.astype(np.int64)]

    def _checked_bases(self) -> dict:
        if not isinstance(self.bases, Mapping) or not self.bases:
            raise ValueError("StackedEnsemble needs bases: a non-empty mapping of approach "
                             f"name to fitted classifier, got {self.bases!r:.80}")
        for name, model in self.bases.items():
            if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
                raise TypeError(f"base {name!r} ({type(model).__name__}) must be a fitted "
                                "classifier with predict_proba and classes_")
        if not hasattr(self.stack, "predict_proba"):
            raise TypeError(f"stack ({type(self.stack).__name__}) has no predict_proba")
        expected = _stack_feature_names(self.stack)
        if expected is not None and expected != list(self.bases):
            raise ValueError(f"the stack was fitted on the columns {expected} but the bases "
                             f"are {list(self.bases)}; pass the bases in the stack's column "
                             "order, with the same names")
        return dict(self.bases)


def _stack_feature_names(stack) -> list[str] | None:
    """The column names the stack's (first fold) model was fitted on, if it kept them."""
    models = stack.estimators if isinstance(stack, FoldEnsemble) else [stack]
    try:
        names = getattr(models[0], "feature_names_in_", None)
    except (TypeError, IndexError):
        return None
    return None if names is None else [str(name) for name in names]
