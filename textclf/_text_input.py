"""Reading a column of texts from whatever users pass: lists, arrays, Series, Arrow.

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
