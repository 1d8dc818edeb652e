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

from .._text_input import check_text_input, is_one_column, text_columns


class TextNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class: subclasses implement ``_normalize(texts: pa.Array) -> pa.Array`` on
    ``large_string`` arrays without nulls, and give their parameters' valid values in
    scikit-learn's ``_parameter_constraints``, which ``fit`` and ``transform`` check.

    ``get_feature_names_out`` names one output per input column: the column names of a
    DataFrame, the name of a Series, else ``x0, x1, ...``.
    """

    _parameter_constraints: dict = {}

    def fit(self, X, y=None):
        """Check the parameters and record the input columns. Learns nothing else."""
        self._validate_params()
        check_text_input(self, X, reset=True)
        return self

    def transform(self, X):
        """Normalise every text; same length and order as the input (same shape for 2-D)."""
        # Stateless, so transform may come without fit: it checks the parameters too.
        self._validate_params()
        columns = text_columns(self, X, reset=False)
        if is_one_column(X):
            normalized = self._normalize(columns[0])
            if isinstance(X, pd.Series):
                series = normalized.to_pandas()
                series.index, series.name = X.index, X.name
                return series
            return normalized.to_numpy(zero_copy_only=False)
        normalized = np.empty((len(columns[0]), len(columns)), dtype=object)
        for j, texts in enumerate(columns):
            normalized[:, j] = self._normalize(texts).to_numpy(zero_copy_only=False)
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

    def _normalize(self, texts: pa.Array) -> pa.Array:
        raise NotImplementedError
