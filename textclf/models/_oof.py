"""Out-of-fold predictions: every training row scored by a model that never saw it.

A stratified, shuffled, seeded k-fold split; for each fold a fresh clone of the estimator
is fitted on the other folds (every learned step included: vocabularies, topic models,
scalers) and predicts the held-out fold and, optionally, the test rows. The out-of-fold
probabilities give an honest score and threshold for the whole training set, and are the
inputs of stacking; the test probabilities are averaged over the folds.

Two things keep the score honest beyond the refitting: identical texts never sit on both
sides of a fold (``textclf.data.duplicate_groups``), and the headline F1 is cross-fitted
(``textclf.metrics.cross_fitted_f1``): no row is labelled at a threshold tuned on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from joblib.parallel import get_active_backend
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.utils import _safe_indexing, check_consistent_length
from sklearn.utils._param_validation import validate_params
from sklearn.utils.multiclass import type_of_target

from .._param_validation import N_JOBS, NonBoolInterval
from .._progress import progress
from ..data import duplicate_groups, grouped_stratified_folds
from ..metrics import (
    ClassificationScores,
    best_f1_threshold,
    check_folds,
    classification_scores,
    cross_fitted_f1,
)


@dataclass(frozen=True, eq=False, repr=False)
class OofResult:
    """What :func:`oof_predict` learned about one approach.

    Attributes
    ----------
    oof : ndarray of shape (n_train,)
        Out-of-fold probability of the positive class for every training row, in the input
        row order; each row comes from the one fold model that did not train on it.
    test : ndarray of shape (n_test,) or None
        Mean over the fold models of the positive-class probability of each test row; None
        when no test rows were given.
    y_true : ndarray of shape (n_train,)
        The training target as 0/1 (1 for the positive class, the larger of the two labels).
    fold_scores : ndarray of shape (n_splits,)
        F1 of each fold's held-out rows at that fold's own best threshold
        (``textclf.metrics.best_f1_threshold``): the spread of the score across folds. Each
        is optimistic (its threshold is tuned on the rows it scores); ``crossfit_f1`` is
        the headline score.
    fold_thresholds : ndarray of shape (n_splits,)
        Those per-fold best thresholds.
    fold_roc_auc : ndarray of shape (n_splits,)
        ROC-AUC of each fold's held-out rows (threshold-free).
    fit_seconds : ndarray of shape (n_splits,)
        Wall-clock seconds each fold's ``fit`` took (prediction not included).
    folds : tuple of (train_rows, valid_rows) pairs
        Row positions of each fold, so another approach (or the stack) can be compared on
        exactly the same split (``oof_predict(..., folds=result.folds)``).
    best_threshold : float
        The threshold that maximises F1 over all out-of-fold probabilities: the one to
        apply to ``test``.
    f1 : float
        Out-of-fold F1 at ``best_threshold``, the *tuned* F1: the threshold was chosen on
        the very rows it scores, so it is a little optimistic.
    crossfit_f1 : float
        The headline score: out-of-fold F1 with each fold's rows labelled at the best
        threshold of the other folds' rows (``textclf.metrics.cross_fitted_f1``), so no
        row is scored by a threshold tuned on it.
    crossfit_thresholds : ndarray of shape (n_splits,)
        Those per-fold thresholds.
    roc_auc : float
        ROC-AUC over all out-of-fold probabilities.
    estimators : tuple of fitted estimators or None
        The fold models, in fold order, when ``oof_predict(..., return_estimators=True)``.
    """

    oof: np.ndarray
    test: np.ndarray | None
    y_true: np.ndarray
    fold_scores: np.ndarray
    fold_thresholds: np.ndarray
    fold_roc_auc: np.ndarray
    fit_seconds: np.ndarray
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    best_threshold: float
    f1: float
    roc_auc: float
    crossfit_f1: float
    crossfit_thresholds: np.ndarray
    estimators: tuple | None = None

    @property
    def n_splits(self) -> int:
        return len(self.folds)

    @property
    def test_labels(self) -> np.ndarray:
        """0/1 test predictions at ``best_threshold``."""
        if self.test is None:
            raise ValueError("no test probabilities: pass X_test to oof_predict")
        return (self.test >= self.best_threshold).astype(np.int64)

    def scores(self) -> ClassificationScores:
        """Every out-of-fold score at ``best_threshold``: F1, precision, recall, ROC-AUC,
        average precision and the confusion matrix."""
        return classification_scores(self.y_true, self.oof, self.best_threshold)

    def holdout_scores(self, test_labels) -> ClassificationScores:
        """The test rows' scores at ``best_threshold``, given their held-back 0/1 labels:
        the check of the out-of-fold threshold on rows no fold model trained on."""
        if self.test is None:
            raise ValueError("no test probabilities: pass X_test to oof_predict")
        return classification_scores(test_labels, self.test, self.best_threshold)

    def summary(self, test_labels=None) -> dict[str, float]:
        """The figures of one row of a comparison table, headline first: ``oof_f1``
        (cross-fitted), ``oof_f1_tuned``, ``holdout_f1`` (only with ``test_labels``), then
        ``threshold`` with the out-of-fold precision and recall there, ``roc_auc``,
        ``pr_auc``, ``fold_f1_std`` and ``fit_seconds``."""
        scores = self.scores()
        row = {"oof_f1": self.crossfit_f1, "oof_f1_tuned": scores.f1}
        if test_labels is not None:
            row["holdout_f1"] = self.holdout_scores(test_labels).f1
        row.update(threshold=scores.threshold, precision=scores.precision,
                   recall=scores.recall, roc_auc=scores.roc_auc,
                   pr_auc=scores.average_precision,
                   fold_f1_std=float(self.fold_scores.std()),
                   fit_seconds=float(self.fit_seconds.sum()))
        return row

    def __repr__(self) -> str:
        test = "no test rows" if self.test is None else f"{len(self.test)} test rows"
        return (f"OofResult(crossfit_f1={self.crossfit_f1:.4f}, tuned f1={self.f1:.4f} at "
                f"threshold {self.best_threshold:.3f}, "
                f"roc_auc={self.roc_auc:.4f}, fold F1 {self.fold_scores.mean():.4f} "
                f"+/- {self.fold_scores.std():.4f} over {self.n_splits} folds, "
                f"fit {self.fit_seconds.sum():.1f} s, {len(self.oof)} rows, {test})")


@dataclass(frozen=True)
class _FoldOutput:
    valid_proba: np.ndarray
    test_proba: np.ndarray | None
    fit_seconds: float
    estimator: object


# The folds' settings, as oof_predict and the estimators that run it take them.
FOLD_PARAMETER_CONSTRAINTS = {
    "n_splits": [NonBoolInterval(Integral, 2, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": [*N_JOBS, None],
}


# Not skipping nested validation: the folds' estimators check their own parameters.
@validate_params(FOLD_PARAMETER_CONSTRAINTS, prefer_skip_nested_validation=False)
def oof_predict(estimator, X, y, X_test=None, n_splits: int = 5, random_state=42,
                n_jobs: int | None = 1, *, groups=None, group_duplicates: bool = True,
                folds=None, return_estimators: bool = False) -> OofResult:
    """Out-of-fold and fold-averaged test probabilities of a binary classifier.

    The rows are split into ``n_splits`` stratified, shuffled folds seeded by
    ``random_state``, with every group of rows on one side of each fold: the groups are
    ``groups`` when given, else, when ``X`` is a column of texts and ``group_duplicates``
    holds, the identical texts (``textclf.data.duplicate_groups``). The same seed, data and
    groups give the same folds, so approaches run with the same seed are compared on the
    same split; ``folds`` reuses a split outright (the stack's, over its bases' folds).
    Without groups (or with no repeated text) the folds are
    ``StratifiedKFold(n_splits, shuffle=True, random_state)``'s. For each fold,
    ``clone(estimator)`` is fitted on the training part only and predicts the held-out part
    (and ``X_test``). A pipeline
    whose first steps learn from text (TF-IDF vocabulary and idf, LDA topics, scalers)
    therefore learns them without the held-out rows: the out-of-fold score has no leak.
    The estimator's own randomness is its own: give it a ``random_state`` for
    reproducible results.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
        Usually a ``Pipeline`` from texts to a classifier. Models with only
        ``decision_function`` (``LinearSVC``, ``RidgeClassifier``) are refused: wrap them in
        ``sklearn.calibration.CalibratedClassifierCV`` to get probabilities.
    X : pandas Series/DataFrame, list, ndarray or sparse matrix, n_train rows
        Rows are taken by position (``.iloc`` for pandas), so any index works.
    y : array-like of shape (n_train,)
        Two classes; the larger label (1 for a 0/1 target) is the positive class.
    X_test : same kinds as X, optional
        Rows to predict with every fold model; their mean probability is ``test``.
    n_splits : int, default=5
    random_state : int or None, default=42
        Seed of the fold shuffle.
    groups : array-like of shape (n_train,), optional
        Group labels: rows of one group are never split between a fold's training and
        held-out parts.
    group_duplicates : bool, default=True
        Without ``groups``, group identical texts when ``X`` is a column of texts (a list,
        1-D array or Series of strings). Other inputs (feature matrices, tables) are not
        grouped unless ``groups`` says how.
    folds : sequence of (train_rows, valid_rows), optional
        The split to use, e.g. another result's ``folds``; ``n_splits``, ``random_state``
        and the grouping are then ignored. Every row must be held out exactly once.
    n_jobs : int or None, default=1
        Folds fitted in parallel through joblib (``-1``: all cores). The folds run as
        joblib tasks, so a joblib backend spreads them over a cluster without code
        changes; with Dask::

            from dask.distributed import Client
            import joblib

            client = Client("scheduler-address:8786")   # or Client(LocalCluster())
            with joblib.parallel_backend("dask"):
                result = oof_predict(model, X, y, X_test)  # folds run on the workers

        The Dask (and Ray) backends use every worker core whatever ``n_jobs`` says. The
        estimator, X and X_test must be picklable to leave this process.
    return_estimators : bool, default=False
        Keep the fitted fold models in ``result.estimators`` (memory: n_splits models).

    Returns
    -------
    OofResult
        ``oof``, ``test``, per-fold ``fold_scores`` (F1 at each fold's best threshold),
        ``fold_roc_auc``, ``fit_seconds``, the ``folds``, the overall ``best_threshold``
        with its tuned ``f1``, and the headline ``crossfit_f1``.
    """
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{type(estimator).__name__} has no predict_proba; oof_predict needs positive-"
            "class probabilities to search the F1 threshold and to stack. Wrap the model in "
            "sklearn.calibration.CalibratedClassifierCV(model) to calibrate its "
            "decision_function into probabilities.")
    X = _rows_indexable(X, "X")
    X_test = None if X_test is None else _rows_indexable(X_test, "X_test")
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be one column of labels, got shape {labels.shape}")
    check_consistent_length(X, labels)
    target_type = type_of_target(labels, input_name="y")
    if target_type != "binary":
        raise ValueError(f"oof_predict is for binary classification; y is {target_type} with "
                         f"classes {np.unique(labels)[:10].tolist()}")
    positive_label = np.unique(labels)[1]
    y_true = (labels == positive_label).astype(np.int64)
    if folds is None:
        smaller_class = int(min(y_true.sum(), len(y_true) - y_true.sum()))
        if smaller_class < n_splits:
            raise ValueError(f"the smaller class has {smaller_class} rows, fewer than n_splits="
                             f"{n_splits}: every fold needs both classes to be scored; use fewer "
                             "folds or more data")
        if groups is None:
            texts = _text_column(X) if group_duplicates else None
            groups = np.arange(len(labels)) if texts is None else duplicate_groups(texts)
        else:
            groups = np.asarray(groups)
            check_consistent_length(X, groups)
        n_groups = len(np.unique(groups))
        if n_groups < n_splits:
            raise ValueError(f"X holds {n_groups} distinct texts (groups), fewer than n_splits="
                             f"{n_splits}: identical texts stay in one fold; use fewer folds, "
                             "or group_duplicates=False")
        folds = grouped_stratified_folds(y_true, groups, n_splits=n_splits,
                                         random_state=random_state)
        _check_folds_hold_both_classes(folds, y_true)
    else:
        folds = tuple((np.asarray(train), np.asarray(valid)) for train, valid in folds)
        check_folds(folds, len(labels))
    # Folds come back one by one, in fold order, for the progress bar; a backend that can
    # only return them all at once (joblib's "multiprocessing", Ray's) returns a list.
    backend, _ = get_active_backend()
    streamed = getattr(backend, "supports_return_generator", False)
    fitted_folds = Parallel(n_jobs=n_jobs, return_as="generator" if streamed else "list")(
        delayed(_fit_fold)(clone(estimator), X, labels, train, valid, X_test, positive_label,
                           return_estimators)
        for train, valid in folds)
    outputs = list(progress(fitted_folds, total=len(folds), desc="folds", unit="fold",
                            leave=False))

    oof = np.empty(len(labels), dtype=np.float64)
    fold_scores, fold_thresholds, fold_roc_auc = [], [], []
    for (_, valid), output in zip(folds, outputs):
        oof[valid] = output.valid_proba
        fold_best = best_f1_threshold(y_true[valid], output.valid_proba)
        fold_scores.append(fold_best.f1)
        fold_thresholds.append(fold_best.threshold)
        fold_roc_auc.append(roc_auc_score(y_true[valid], output.valid_proba))
    test = None
    if X_test is not None:
        test = np.mean([output.test_proba for output in outputs], axis=0)
    best = best_f1_threshold(y_true, oof)
    crossfit = cross_fitted_f1(y_true, oof, folds)
    return OofResult(
        oof=oof, test=test, y_true=y_true,
        fold_scores=np.asarray(fold_scores, dtype=np.float64),
        fold_thresholds=np.asarray(fold_thresholds, dtype=np.float64),
        fold_roc_auc=np.asarray(fold_roc_auc, dtype=np.float64),
        fit_seconds=np.asarray([output.fit_seconds for output in outputs]),
        folds=folds, best_threshold=float(best.threshold), f1=float(best.f1),
        roc_auc=float(roc_auc_score(y_true, oof)),
        crossfit_f1=float(crossfit.f1), crossfit_thresholds=crossfit.thresholds,
        estimators=(tuple(output.estimator for output in outputs) if return_estimators
                    else None))


def _fit_fold(estimator, X, labels, train, valid, X_test, positive_label,
              return_estimator: bool) -> _FoldOutput:
    """Fit on one fold's training rows; predict its held-out rows and the test rows."""
    started = time.perf_counter()
    estimator.fit(_safe_indexing(X, train), labels[train])
    fit_seconds = time.perf_counter() - started
    valid_proba = _positive_proba(estimator, _safe_indexing(X, valid), positive_label)
    test_proba = None if X_test is None else _positive_proba(estimator, X_test, positive_label)
    # A fitted model can be large (a vocabulary of millions of n-grams); it travels back
    # from a worker process only when asked for.
    return _FoldOutput(valid_proba, test_proba, fit_seconds,
                       estimator if return_estimator else None)


def _positive_proba(estimator, X, positive_label) -> np.ndarray:
    classes = list(estimator.classes_)
    if positive_label not in classes:
        raise ValueError(f"{type(estimator).__name__} was fitted with classes {classes}, "
                         f"which lack the positive label {positive_label!r}")
    proba = np.asarray(estimator.predict_proba(X))
    return proba[:, classes.index(positive_label)].astype(np.float64)


def _check_folds_hold_both_classes(folds, y_true: np.ndarray) -> None:
    for index, (_, valid) in enumerate(folds):
        positives = int(y_true[valid].sum())
        if positives in (0, len(valid)):
            raise ValueError(f"fold {index} holds only one class ({len(valid)} rows, "
                             f"{positives} positive): a group of repeated texts is too large "
                             "for this many folds; use fewer folds or group_duplicates=False")


def _text_column(X):
    """X as a sequence of texts when it is one column of strings, else None."""
    if sp.issparse(X) or getattr(X, "ndim", 1) != 1:
        return None
    values = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X, dtype=object)
    present = [value for value in values[:100] if not pd.isna(value)]
    return values if present and all(isinstance(value, str) for value in present) else None


def _rows_indexable(X, name: str):
    """X in a form whose rows ``_safe_indexing`` takes by position."""
    if isinstance(X, str):
        raise TypeError(f"{name} must be a sequence of rows, got a single string; wrap it in "
                        "a list")
    if sp.issparse(X):
        # COO and DIA matrices have no row indexing; CSR is what text features produce.
        return X if X.format in ("csr", "csc") else X.tocsr()
    if isinstance(X, tuple) or (not hasattr(X, "__len__") and not hasattr(X, "shape")):
        return list(X)
    return X
