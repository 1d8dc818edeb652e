"""The scikit-learn plumbing shared by feature builders: text columns in, numbers out.

A feature builder takes one column of texts (a list, a 1-D array or a pandas Series: the
usual case, e.g. ``ColumnTransformer([... , "question_text")])``) or a 2-D table of text
columns, and learns and computes its features for each column separately, side by side.
Subclasses implement the per-column protocol:

- ``_fit_column(texts: pa.Array, y) -> state``: what was learned from one column (None if
  nothing); kept in ``column_states_``.
- ``_transform_column(state, texts: pa.Array) -> ndarray | sparse matrix`` of shape
  ``(n_texts, n_features)``.
- ``_feature_names(state) -> list[str]``: names of those features.

and declare their parameters' valid values in scikit-learn's ``_parameter_constraints``
(``{**TextFeatures._parameter_constraints, "name": [...]}``), which ``fit`` and
``transform`` check; a check that spans several parameters, or the items of one, goes in
``_check_params``, which runs right after.

Texts arrive as Arrow ``large_string`` arrays without nulls (None/NaN are ""), so no row is
ever dropped. With one input column the feature names are the subclass's names; with
several they are prefixed ``<column>__``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._text_input import text_columns


class TextFeatures(TransformerMixin, BaseEstimator):
    """Base class of textclf's feature builders (see the module docstring)."""

    _parameter_constraints: dict = {}

    def fit(self, X, y=None):
        self._validate_params()
        self._check_params()
        columns = text_columns(self, X, reset=True)
        self.column_states_ = [self._fit_column(texts, y) for texts in columns]
        return self

    def transform(self, X):
        check_is_fitted(self, "column_states_")
        self._validate_params()
        self._check_params()
        columns = text_columns(self, X, reset=False)
        blocks = [self._transform_column(state, texts)
                  for state, texts in zip(self.column_states_, columns)]
        if len(blocks) == 1:
            return blocks[0]
        if any(sp.issparse(block) for block in blocks):
            return sp.hstack(blocks, format="csr")
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "column_states_")
        columns = list(_check_feature_names_in(self, input_features))
        names = []
        for column, state in zip(columns, self.column_states_):
            own = self._feature_names(state)
            names += own if len(columns) == 1 else [f"{column}__{name}" for name in own]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True  # missing texts are empty texts
        tags.transformer_tags.preserves_dtype = []
        return tags

    # --- for subclasses -------------------------------------------------------------
    def _check_params(self) -> None:
        """Raise ValueError for invalid parameter values that ``_parameter_constraints``
        cannot express (several parameters together, or the items of one)."""

    def _fit_column(self, texts: pa.Array, y):
        return None

    def _transform_column(self, state, texts: pa.Array):
        raise NotImplementedError

    def _feature_names(self, state) -> list[str]:
        raise NotImplementedError
