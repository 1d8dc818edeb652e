"""Gradient-boosted trees on sparse text features, stopping early on data of their own.

``LightGBMClassifier`` wraps ``lightgbm.train`` in the scikit-learn estimator contract.
Early stopping needs rows the trees are not fitted on; the classifier holds them out of
its *own* training data (a stratified ``validation_fraction``), the way scikit-learn's
``HistGradientBoostingClassifier`` does. So it needs nothing from its caller: inside
``oof_predict`` it never sees the fold's held-out rows, whose score stays honest, and it
works unchanged in any ``Pipeline``, grid search or stack.

Identical feature rows (a repeated question gives the same TF-IDF row) are held out or
trained on together: a held-out copy of a trained row scores memory, so its log-loss keeps
falling and early stopping never fires. The classifier sees only features, not texts, so
it groups the rows by a hash of their content.
"""

from __future__ import annotations

import os
from numbers import Integral, Real

import lightgbm
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._param_validation import N_JOBS, NonBoolInterval
from .._seeds import int_seed
from ..data import grouped_train_test_split
from ._validation import binary_classes, sample_weights

# Below this many distinct training rows "auto" trains all n_estimators rounds: a 10%
# validation part of fewer rows is too noisy to stop on (scikit-learn's HistGradientBoosting
# rule, counted in rows there).
_AUTO_EARLY_STOPPING_MIN_ROWS = 10_000

# Dense input is hashed in slices of about this many cells, so that its sparse copy stays
# small next to the matrix itself.
_DENSE_HASH_CELLS_PER_SLICE = 1 << 22


class LightGBMClassifier(ClassifierMixin, BaseEstimator):
    """Binary LightGBM classifier for sparse (or dense) features, with early stopping.

    Parameters
    ----------
    n_estimators : int, default=1000
        Most boosting rounds; early stopping usually ends sooner (``n_estimators_``).
    learning_rate : float, default=0.05
    num_leaves : int, default=31
        Leaves per tree.
    max_depth : int, default=-1
        Depth limit per tree; -1 is none (``num_leaves`` bounds the tree).
    min_child_samples : int, default=20
        Fewest training rows in a leaf. With sparse n-grams it also drops, up front, the
        features present in fewer rows, which shortens training a lot.
    subsample : float, default=1.0
        Fraction of rows each tree is fitted on (LightGBM's bagging, re-drawn every round);
        1.0 uses all rows.
    colsample_bytree : float, default=1.0
        Fraction of features each tree may split on (``feature_fraction``).
    reg_alpha, reg_lambda : float, default=0.0
        L1 and L2 regularisation of the leaf values.
    class_weight : None, "balanced" or dict {label: weight}, default=None
        Weights of the training rows by class, as in scikit-learn. "balanced" weighs the
        positive class by n_negative / n_positive: LightGBM's ``is_unbalance``. The default
        leaves the classes as they are: the F1 threshold searched afterwards already
        handles the imbalance, and "balanced" scored lower on real Quora rows.
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the training rows (stratified) and stop when
        their log-loss has not improved for ``n_iter_no_change`` rounds; the model keeps
        the best round. "auto" stops early from 10,000 distinct training rows on.
        Identical feature rows (repeated texts) are all held out or all trained on: a
        held-out copy of a trained row would keep lowering the log-loss, and early stopping
        would not stop.
    validation_fraction : float, default=0.1
        Share of the distinct feature rows held out for early stopping, stratified by
        label (a group of identical rows counts as positive when any of its rows is). When
        no row repeats this is the share of rows, and the split is scikit-learn's
        stratified ``train_test_split`` of the rows with the same seed.
    n_iter_no_change : int, default=50
    random_state : int, RandomState or None, default=None
        Seeds the validation split and LightGBM (bagging, feature sampling). With an int,
        fitting the same data with the same parameters gives the same model: LightGBM runs
        with ``deterministic=True`` and a forced column-wise histogram layout, so no
        timing test picks the layout differently from one run to the next.
    n_jobs : int, default=1
        LightGBM threads; -1 uses all cores. One thread per model suits ``oof_predict``,
        which runs the folds in parallel instead.

    Attributes
    ----------
    booster_ : lightgbm.Booster
    n_estimators_ : int
        Rounds kept (the best round with early stopping).
    validation_loss_ : ndarray or None
        Log-loss of the held-out part after each round (None without early stopping).
    classes_, n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        "n_estimators": [NonBoolInterval(Integral, 1, None, closed="left")],
        "learning_rate": [NonBoolInterval(Real, 0, None, closed="neither")],
        "num_leaves": [NonBoolInterval(Integral, 2, None, closed="left")],
        "max_depth": [NonBoolInterval(Integral, -1, None, closed="left")],
        "min_child_samples": [NonBoolInterval(Integral, 0, None, closed="left")],
        "subsample": [NonBoolInterval(Real, 0, 1, closed="right")],
        "colsample_bytree": [NonBoolInterval(Real, 0, 1, closed="right")],
        "reg_alpha": [NonBoolInterval(Real, 0, None, closed="left")],
        "reg_lambda": [NonBoolInterval(Real, 0, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [NonBoolInterval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [NonBoolInterval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS,
    }

    def __init__(self, *, n_estimators: int = 1000, learning_rate: float = 0.05,
                 num_leaves: int = 31, max_depth: int = -1, min_child_samples: int = 20,
                 subsample: float = 1.0, colsample_bytree: float = 1.0,
                 reg_alpha: float = 0.0, reg_lambda: float = 0.0, class_weight=None,
                 early_stopping="auto", validation_fraction: float = 0.1,
                 n_iter_no_change: int = 50, random_state=None, n_jobs: int = 1):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Fit the trees on X, y; early stopping (if on) uses a part of these rows."""
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=(np.float32, np.float64), ensure_all_finite="allow-nan")
        self.classes_ = binary_classes(y, "LightGBMClassifier")
        target = (y == self.classes_[1]).astype(np.float64)
        weight = sample_weights(sample_weight, len(y))
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, y)

        # A draw even for None: LightGBM's own default seed would make every fit alike. The
        # same generator then draws the validation rows.
        rng = check_random_state(self.random_state)
        params = self._lightgbm_params(seed=int_seed(rng))
        # The split deals out groups of identical rows, so "auto" counts distinct rows; with
        # fewer rows than it needs there is nothing to group.
        wants_split = self.early_stopping is True or (
            self.early_stopping == "auto" and len(y) >= _AUTO_EARLY_STOPPING_MIN_ROWS)
        groups = _identical_row_groups(X) if wants_split else None
        stop_early = wants_split and (self.early_stopping is True
                                      or groups.max() + 1 >= _AUTO_EARLY_STOPPING_MIN_ROWS)
        valid_sets, callbacks, history = None, None, {}
        if stop_early:
            self._check_validation_size(target, groups)
            rows, validation_rows = grouped_train_test_split(
                target, groups, test_size=self.validation_fraction, random_state=rng)
            train_set = lightgbm.Dataset(_lightgbm_input(X[rows]), label=target[rows],
                                         weight=weight[rows], params=params)
            valid_sets = [lightgbm.Dataset(
                _lightgbm_input(X[validation_rows]), label=target[validation_rows],
                weight=weight[validation_rows], reference=train_set, params=params)]
            callbacks = [lightgbm.early_stopping(self.n_iter_no_change, verbose=False),
                         lightgbm.record_evaluation(history)]
        else:
            train_set = lightgbm.Dataset(_lightgbm_input(X), label=target, weight=weight,
                                         params=params)
        self.booster_ = lightgbm.train(params, train_set, num_boost_round=self.n_estimators,
                                       valid_sets=valid_sets, valid_names=["validation"]
                                       if stop_early else None, callbacks=callbacks)
        if stop_early:
            self.n_estimators_ = (int(self.booster_.best_iteration)
                                  or self.booster_.current_iteration())
            self.validation_loss_ = np.asarray(history["validation"]["binary_logloss"])
        else:
            self.n_estimators_ = self.booster_.current_iteration()
            self.validation_loss_ = None
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, one row per input row."""
        check_is_fitted(self, "booster_")
        X = validate_data(self, X, accept_sparse=("csr", "csc"),
                          dtype=(np.float32, np.float64), ensure_all_finite="allow-nan",
                          reset=False)
        positive = self.booster_.predict(_lightgbm_input(X), num_iteration=self.n_estimators_,
                                         num_threads=_thread_count(self.n_jobs))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """The more probable class of each row (threshold 0.5; tune it for F1 instead)."""
        positive = self.predict_proba(X)[:, 1] > 0.5
        return self.classes_[positive.astype(np.int64)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True  # LightGBM routes missing values itself
        tags.classifier_tags.multi_class = False
        return tags

    def _lightgbm_params(self, seed: int) -> dict:
        params = {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.colsample_bytree,
            "lambda_l1": self.reg_alpha,
            "lambda_l2": self.reg_lambda,
            "metric": "binary_logloss",
            "seed": seed,
            "deterministic": True,
            # Forced, so LightGBM skips its timing test, whose outcome could differ between
            # runs; column-wise suits wide sparse n-gram matrices.
            "force_col_wise": True,
            "num_threads": _thread_count(self.n_jobs),
            "verbosity": -1,
        }
        if self.subsample < 1.0:
            params.update(bagging_fraction=self.subsample, bagging_freq=1)
        return params

    def _check_validation_size(self, target: np.ndarray, groups: np.ndarray) -> None:
        # The split deals out groups of identical rows, so these counts are of groups.
        n_groups = int(groups.max()) + 1
        positive_groups = np.unique(groups[target == 1]).size
        held_out = int(np.ceil(self.validation_fraction * n_groups))
        smaller_class = min(positive_groups, n_groups - positive_groups)
        if held_out < 2 or smaller_class < 2:
            raise ValueError(
                f"early stopping holds out validation_fraction={self.validation_fraction} "
                f"of {n_groups} distinct rows ({held_out}), with {smaller_class} in the "
                "smaller class: too few for a stratified validation part with both classes. "
                "Use early_stopping='auto' or False, or a larger validation_fraction")


def _identical_row_groups(X) -> np.ndarray:
    """One group id (int64) per row of X (CSR/CSC sparse or dense); rows with the same
    values share one. Stored zeros and unsorted or duplicate sparse entries do not count,
    and a sparse and a dense copy of a row fall in one group."""
    if sp.issparse(X):
        row_hashes = _sparse_row_hashes(X)
    else:
        X = np.asarray(X)
        rows_per_slice = max(1, _DENSE_HASH_CELLS_PER_SLICE // max(1, X.shape[1]))
        row_hashes = np.concatenate(
            [_sparse_row_hashes(sp.csr_matrix(X[start:start + rows_per_slice]))
             for start in range(0, X.shape[0], rows_per_slice)])
    # Two different rows share a hash with odds of about n**2 / 2**65 (1e-7 at a million
    # rows); that merges two groups, which only moves them to one side of the split together.
    _, group_ids = np.unique(row_hashes, return_inverse=True)
    return group_ids.astype(np.int64)


def _sparse_row_hashes(X) -> np.ndarray:
    """A 64-bit hash of each row's (column, value) entries, independent of their order."""
    rows = X.tocsr()
    # Rows hash as the dense matrix reads, whatever the storage; a copy only when the
    # storage needs mending (a vectoriser's output does not), never the caller's matrix.
    if not rows.has_canonical_format or not rows.data.all():
        if rows is X:   # tocsr() already copied anything that was not CSR
            rows = rows.copy()
        rows.sum_duplicates()
        rows.eliminate_zeros()
    # The bits of float64 values, so float32 and float64 input hash alike; -0.0 went as a zero.
    value_bits = rows.data.astype(np.float64).view(np.uint64)
    column_bits = _mix64(rows.indices.astype(np.uint64))
    entry_hashes = _mix64(column_bits ^ value_bits)
    # reduceat would give an empty row the next row's first entry (or fail at the end), so
    # it sums the non-empty rows only; empty rows keep hash 0. The sums wrap around mod 2**64.
    row_hashes = np.zeros(rows.shape[0], dtype=np.uint64)
    row_lengths = np.diff(rows.indptr)
    non_empty = row_lengths > 0
    if non_empty.any():
        row_hashes[non_empty] = np.add.reduceat(entry_hashes, rows.indptr[:-1][non_empty])
    return row_hashes


def _mix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: spreads every input bit over the whole 64-bit output, so
    that sums of mixed entries rarely coincide for different rows."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _lightgbm_input(X):
    # LightGBM takes scipy's sparse *matrices*; validate_data may hand over a sparse array.
    if not sp.issparse(X):
        return X
    return sp.csr_matrix(X) if X.format == "csr" else sp.csc_matrix(X)


def _thread_count(n_jobs: int) -> int:
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
