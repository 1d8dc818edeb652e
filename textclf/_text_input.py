"""Reading a column of texts from whatever users pass: lists, arrays, Series, Arrow; and
splitting texts into their white-space separated tokens.

Shared by every stage that takes text: None/NaN become "" (no row is dropped), numbers
become their text, anything else is an error naming its position.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils.validation import validate_data


def reject_complex(X) -> None:
    """Raise the error scikit-learn expects for complex input."""
    # Only arrays and Series are checked here (cheaply, by dtype); complex values inside a
    # list are rejected element by element when the texts are read.
    if getattr(getattr(X, "dtype", None), "kind", None) == "c":
        raise ValueError("Complex data not supported: this transformer takes texts")


def is_one_column(X) -> bool:
    """True for one column of texts (list, 1-D array, Series); False for a 2-D table."""
    if isinstance(X, str):
        raise TypeError("expected a sequence of texts, got a single string; wrap it in a list")
    if isinstance(X, pd.Series):
        return True
    if hasattr(X, "ndim"):
        return X.ndim == 1
    return isinstance(X, (list, tuple)) and all(not isinstance(v, (list, tuple)) for v in X)


def as_text_array(values) -> pa.Array:
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


def text_columns(estimator, X, *, reset: bool) -> list[pa.Array]:
    """The text columns of ``X`` for ``estimator``, recording or checking its input shape
    (``check_text_input``)."""
    table = check_text_input(estimator, X, reset=reset)
    if table is None:
        return [as_text_array(X)]
    return [as_text_array(table[:, j]) for j in range(table.shape[1])]


def check_text_input(estimator, X, *, reset: bool) -> np.ndarray | None:
    """Record (``reset``, in ``fit``) or check (afterwards) ``estimator``'s input shape;
    the validated 2-D table, or None for one column, whose texts are not read here.

    One column of texts (list, 1-D array, Series) records its Series' string name as
    ``feature_names_in_``; a 2-D table goes through scikit-learn's ``validate_data``, which
    records or checks ``n_features_in_`` and the column names. Estimators that learn
    nothing from the texts call this alone in ``fit``, so a pipeline's ``fit_transform``
    reads its texts once.
    """
    reject_complex(X)
    if not is_one_column(X):
        return validate_data(estimator, X, dtype=object, ensure_all_finite=False,
                             reset=reset, ensure_min_features=1)
    if reset:
        estimator.n_features_in_ = 1
        estimator.__dict__.pop("feature_names_in_", None)
        if isinstance(getattr(X, "name", None), str):
            estimator.feature_names_in_ = np.array([X.name], dtype=object)
    elif getattr(estimator, "n_features_in_", 1) != 1:
        raise ValueError(f"Reshape your data: X is one column of texts, but "
                         f"{type(estimator).__name__} was fitted on "
                         f"{estimator.n_features_in_} columns")
    return None


def joined_texts(estimator, X, *, reset: bool) -> pa.Array:
    """One text per row (``text_columns``; a table's columns joined with a space), for
    models that read a row as one text."""
    columns = text_columns(estimator, X, reset=reset)
    if len(columns) == 1:
        return columns[0]
    return pc.binary_join_element_wise(*columns, pa.scalar(" ", pa.large_string()))


def split_words(texts: pa.Array) -> pa.LargeListArray:
    """Each text's words: split at any white space, as Python's ``str.split()`` does."""
    token_lists = pc.utf8_split_whitespace(texts)
    tokens = token_lists.flatten()
    # Arrow keeps the empty strings before, between and after runs of white space.
    is_word = pc.not_equal(tokens, "").to_numpy(zero_copy_only=False)
    lengths = pc.list_value_length(token_lists).to_numpy(zero_copy_only=False)
    # Text i's words end where the running count of words stands at the end of its tokens.
    words_so_far = np.concatenate([[0], np.cumsum(is_word, dtype=np.int64)])
    offsets = words_so_far[np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])]
    return pa.LargeListArray.from_arrays(pa.array(offsets), tokens.filter(pa.array(is_word)))


def split_tokens(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """All words of ``texts`` in order (``split_words``, flattened), and for each the
    position of its text."""
    words = split_words(texts)
    return words.flatten(), pc.list_parent_indices(words).to_numpy().astype(np.int64)
