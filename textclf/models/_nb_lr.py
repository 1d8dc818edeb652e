"""NB-LR: logistic regression on features scaled by their naive-Bayes log-count ratio.

Wang & Manning ("Baselines and Bigrams", ACL 2012) showed that scaling bag-of-n-gram
features by how much more often each n-gram occurs in one class than in the other, then
fitting a linear model, beats both naive Bayes and the plain linear model on short texts
(their NB-SVM; with logistic regression instead of the SVM it also gives probabilities).
The ratio puts naive Bayes' prior knowledge of each word into the feature scale, so the
regularised linear model needs smaller weights for informative words.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from .._param_validation import NonBoolInterval
from ._validation import binary_classes, sample_weights


class NBLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression on naive-Bayes-scaled, non-negative features.

    ``fit`` computes, from the training X, the log-count ratio of every feature::

        p = alpha + sum of the positive rows,  q = alpha + sum of the negative rows
        r = log((p / ||p||_1) / (q / ||q||_1))

    and fits ``LogisticRegression`` on ``X * r`` (column j scaled by r_j). Prediction scales
    new rows by the same r. Sparse input stays sparse, float32 stays float32.

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing of the counts, so a feature seen in one class only gets a finite
        ratio (Laplace smoothing at 1).
    binarize : bool, default=True
        Replace every positive value by 1 before computing r and before scaling: presence
        and absence only, as Wang & Manning's binarised features (on real Quora rows,
        slightly better than raw counts). False uses the values as they come (counts, or
        TF-IDF weights as in the widely used NB-SVM Kaggle baseline, which wants C near 4).
    C : float, default=0.2
        Inverse regularisation strength of the logistic regression. Features scaled by r
        are presence flags times |r| up to about 5, far larger than TF-IDF weights, so
        they need far stronger regularisation: on real Quora rows with word 1-2-gram
        presence, C from 0.12 to 0.25 scored best, and C=1 or C=4 clearly worse.
    class_weight : None, "balanced" or dict, default=None
        Passed to ``LogisticRegression``.
    solver : str, default="lbfgs"
        Passed to ``LogisticRegression``. lbfgs rather than liblinear: NB-scaled word +
        character n-grams (about 200 non-zeros a row, values up to about 5) make
        liblinear's Newton steps slow, and its time grows faster than the rows; lbfgs
        reaches the same scores in less time.
    max_iter : int, default=1000
    tol : float, default=1e-4
    random_state : int, RandomState or None, default=None
        Passed to ``LogisticRegression`` (liblinear shuffles with it; lbfgs does not use
        it).

    Attributes
    ----------
    n_iter_ : ndarray of shape (1,)
        Iterations the logistic regression ran.
    log_count_ratio_ : ndarray of shape (n_features,)
        r, in X's float dtype.
    logistic_regression_ : LogisticRegression
        The fitted model on the scaled features.
    classes_, n_features_in_, feature_names_in_
    """

    _parameter_constraints: dict = {
        "alpha": [NonBoolInterval(Real, 0, None, closed="neither")],
        "binarize": ["boolean"],
        # The rest go to the logistic regression as they are.
        **{name: LogisticRegression._parameter_constraints[name]
           for name in ("C", "class_weight", "solver", "max_iter", "tol", "random_state")},
    }

    def __init__(self, *, alpha: float = 1.0, binarize: bool = True, C: float = 0.2,
                 class_weight=None, solver: str = "lbfgs", max_iter: int = 1000,
                 tol: float = 1e-4, random_state=None):
        self.alpha = alpha
        self.binarize = binarize
        self.C = C
        self.class_weight = class_weight
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Learn the log-count ratio from X, y, then the logistic regression on scaled X."""
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32))
        self.classes_ = binary_classes(y, "NBLogisticRegression")
        if (X.data if sp.issparse(X) else X).min(initial=0) < 0:
            raise ValueError("Negative values in data passed to NBLogisticRegression: the "
                             "log-count ratio needs non-negative features (counts, presence "
                             "or TF-IDF weights)")
        weight = sample_weights(sample_weight, len(y))
        features = self._binarized(X)
        positive = y == self.classes_[1]
        # Weighted class totals of each feature: a row of weight 2 counts as two rows.
        p = self.alpha + _weighted_column_sums(features, weight * positive)
        q = self.alpha + _weighted_column_sums(features, weight * ~positive)
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        self.log_count_ratio_ = ratio.astype(X.dtype)
        self.logistic_regression_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, solver=self.solver,
            max_iter=self.max_iter, tol=self.tol, random_state=self.random_state)
        self.logistic_regression_.fit(self._scaled(features), y, sample_weight=sample_weight)
        self.n_iter_ = self.logistic_regression_.n_iter_
        return self

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of ``classes_[1]``."""
        scaled = self._transform(X)
        return self.logistic_regression_.decision_function(scaled)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``."""
        scaled = self._transform(X)
        return self.logistic_regression_.predict_proba(scaled)

    def predict(self, X) -> np.ndarray:
        scaled = self._transform(X)
        return self.logistic_regression_.predict(scaled)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.classifier_tags.multi_class = False
        return tags

    def _transform(self, X):
        check_is_fitted(self, "log_count_ratio_")
        X = validate_data(self, X, accept_sparse=("csr", "csc"),
                          dtype=(np.float64, np.float32), reset=False)
        return self._scaled(self._binarized(X))

    def _binarized(self, X):
        if not self.binarize:
            return X
        if sp.issparse(X):
            presence = X.copy()
            presence.data = (presence.data > 0).astype(X.dtype)
            presence.eliminate_zeros()
            return presence
        return (X > 0).astype(X.dtype)

    def _scaled(self, X):
        if sp.issparse(X):
            return (X @ sp.diags_array(self.log_count_ratio_)).asformat(X.format)
        return X * self.log_count_ratio_


def _weighted_column_sums(X, row_weight: np.ndarray) -> np.ndarray:
    """sum_i row_weight[i] * X[i, j] for every column j, as float64."""
    return np.asarray(row_weight @ X, dtype=np.float64).ravel()
