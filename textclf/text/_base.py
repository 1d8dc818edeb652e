"""The scikit-learn plumbing shared by the text normalisers: strings in, strings out.

A normaliser maps each text to a text, so it takes either one column of texts (a list, a
1-D array or a pandas Series, the usual case) or a 2-D table of text columns (a DataFrame,
as ``ColumnTransformer`` passes with a list of columns), and returns the same shape: a
Series gives a string Series with the same index and name, other 1-D input a 1-D object
array, 2-D input a 2-D object array. Missing values (None, NaN) become empty strings, so
no row is dropped. Texts travel as Arrow string arrays, so a pandas string column is
processed without copying it into Python objects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import validate_data

from .._text_input import as_text_array, is_one_column, reject_complex


class TextNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class: subclasses implement ``_normalize(texts: pa.Array) -> pa.Array`` on
    ``large_string`` arrays without nulls.

    ``get_feature_names_out`` names one output per input column: the column names of a
    DataFrame, the name of a Series, else ``x0, x1, ...``.
    """

    def fit(self, X, y=None):
        """Check the parameters and, for 2-D input, record the columns. Learns nothing else."""
        self._check_params()
        reject_complex(X)
        if is_one_column(X):
            self.n_features_in_ = 1
            self.__dict__.pop("feature_names_in_", None)
            if isinstance(X, pd.Series) and isinstance(X.name, str):
                self.feature_names_in_ = np.array([X.name], dtype=object)
        else:
            validate_data(self, X, dtype=object, ensure_all_finite=False, reset=True)
        return self

    def transform(self, X):
        """Normalise every text; same length and order as the input (same shape for 2-D)."""
        self._check_params()
        reject_complex(X)
        if is_one_column(X):
            expected = getattr(self, "n_features_in_", 1)
            if expected != 1:
                raise ValueError(f"Reshape your data: X is one column of texts, but "
                                 f"{type(self).__name__} was fitted on {expected} columns")
            normalized = self._normalize(as_text_array(X))
            if isinstance(X, pd.Series):
                series = normalized.to_pandas()
                series.index, series.name = X.index, X.name
                return series
            return normalized.to_numpy(zero_copy_only=False)
        table = validate_data(self, X, dtype=object, ensure_all_finite=False, reset=False)
        normalized = np.empty(table.shape, dtype=object)
        for j in range(table.shape[1]):
            normalized[:, j] = self._normalize(as_text_array(table[:, j])).to_numpy(
                zero_copy_only=False)
        return normalized

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        # 1-D input is accepted too, but scikit-learn reads this tag as "1-D only".
        tags.input_tags.one_d_array = False
        tags.input_tags.allow_nan = True
        # Stateless: transform works before fit, as with FunctionTransformer.
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _check_params(self) -> None:
        """Raise ValueError for an invalid parameter value (subclasses extend)."""

    def _normalize(self, texts: pa.Array) -> pa.Array:
        raise NotImplementedError
