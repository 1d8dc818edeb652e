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

import math
import numbers

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import validate_data


class TextNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class: subclasses implement ``_normalize(texts: pa.Array) -> pa.Array`` on
    ``large_string`` arrays without nulls.

    ``get_feature_names_out`` names one output per input column: the column names of a
    DataFrame, the name of a Series, else ``x0, x1, ...``.
    """

    def fit(self, X, y=None):
        """Check the parameters and, for 2-D input, record the columns. Learns nothing else."""
        self._check_params()
        _reject_complex(X)
        if _is_one_column(X):
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
        _reject_complex(X)
        if _is_one_column(X):
            expected = getattr(self, "n_features_in_", 1)
            if expected != 1:
                raise ValueError(f"Reshape your data: X is one column of texts, but "
                                 f"{type(self).__name__} was fitted on {expected} columns")
            normalized = self._normalize(_as_text_array(X))
            if isinstance(X, pd.Series):
                series = normalized.to_pandas()
                series.index, series.name = X.index, X.name
                return series
            return normalized.to_numpy(zero_copy_only=False)
        table = validate_data(self, X, dtype=object, ensure_all_finite=False, reset=False)
        normalized = np.empty(table.shape, dtype=object)
        for j in range(table.shape[1]):
            normalized[:, j] = self._normalize(_as_text_array(table[:, j])).to_numpy(
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


def _reject_complex(X) -> None:
    # Only arrays and Series are checked here (cheaply, by dtype); complex values inside a
    # list are rejected element by element when the texts are read.
    if getattr(getattr(X, "dtype", None), "kind", None) == "c":
        raise ValueError("Complex data not supported: text normalisers take texts")


def _is_one_column(X) -> bool:
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts, got a single string; wrap it in a list")
    if isinstance(X, pd.Series):
        return True
    if hasattr(X, "ndim"):
        return X.ndim == 1
    return isinstance(X, (list, tuple)) and all(not isinstance(v, (list, tuple)) for v in X)


def _as_text_array(values) -> pa.Array:
    """Strings as they are; None/NaN as ""; numbers as their text; anything else is an error."""
    try:
        texts = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        texts = pa.array(_as_text_list(values), type=pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    return pc.fill_null(texts, "")


def _as_text_list(values) -> list[str]:
    texts = []
    for position, value in enumerate(values):
        if isinstance(value, str):
            texts.append(value)
        elif value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            texts.append("")
        elif isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(
                value, bool):
            texts.append(str(value))
        elif isinstance(value, numbers.Complex):
            raise ValueError(f"Complex data not supported: {value!r} at position {position}")
        else:
            raise TypeError(f"expected text at position {position}, got "
                            f"{type(value).__name__}: {value!r:.80}")
    return texts
