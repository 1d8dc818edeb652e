"""Stage 7, submission: a Kaggle ``qid,prediction`` file, checked before it is written.

Kaggle rejects or mis-scores a submission whose rows do not match the test file one to one,
and a file of probabilities scores as if every row were positive or negative. So every
problem is found before anything touches the disk, and reported with the rows (0-based
index and qid) that cause it:

>>> from textclf.submission import write_submission
>>> write_submission(test["qid"], best.predict(test_proba), "submission.csv",
...                  expected_qids=test["qid"])
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import atomic_write

__all__ = ["SUBMISSION_COLUMNS", "SubmissionError", "write_submission"]

SUBMISSION_COLUMNS = ("qid", "prediction")
# How many offending rows or qids an error message lists before summarising the rest.
_SHOWN = 5


class SubmissionError(ValueError):
    """The qids or predictions cannot make a valid Kaggle submission."""


def write_submission(qids, predictions, path: str | os.PathLike, overwrite: bool = False, *,
                     expected_qids=None) -> Path:
    """Write ``qid,prediction`` with one 0/1 integer per qid, in input order; return the path.

    Parameters
    ----------
    qids : array-like of shape (n_samples,)
        The test rows' ids: unique and non-empty.
    predictions : array-like of shape (n_samples,)
        0/1 labels (integers, or booleans; floats only when every value is exactly 0.0 or
        1.0). Probabilities are refused: threshold them first, e.g. with
        ``textclf.metrics.best_f1_threshold(y_train, oof_proba).predict(test_proba)``.
    path : path-like
        Where to write the CSV. Written atomically (a temporary file renamed into place).
    overwrite : bool, default=False
        Replace an existing file; otherwise ``FileExistsError`` names it.
    expected_qids : array-like, optional
        The qids the submission must cover, e.g. the test file's ``qid`` column: every one
        exactly once, in the same order (a different order usually means predictions were
        lined up with the wrong rows).

    Raises
    ------
    SubmissionError
        For any problem with ``qids``, ``predictions`` or ``expected_qids``; nothing is
        written.
    FileExistsError
        When ``path`` exists and ``overwrite`` is false.
    """
    qid_text = _as_qids(qids, "qids")
    labels = _as_labels(predictions, qid_text)
    if expected_qids is not None:
        _check_expected(qid_text, _as_qids(expected_qids, "expected_qids"))
    frame = pd.DataFrame({SUBMISSION_COLUMNS[0]: qid_text, SUBMISSION_COLUMNS[1]: labels})
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False), overwrite=overwrite)


def _as_series(values, name: str) -> pd.Series:
    if np.ndim(values) != 1:
        raise SubmissionError(f"{name} must be one-dimensional; got shape {np.shape(values)}")
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(values if isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray,
                                                    pd.Index)) else list(values))


def _as_qids(values, name: str) -> pd.Series:
    series = _as_series(values, name)
    if series.empty:
        raise SubmissionError(f"{name} is empty: a submission needs one row per test qid")
    text = series.astype("str")
    empty = series.isna() | (text.fillna("").str.strip() == "")
    if empty.any():
        raise SubmissionError(f"{name} must not be empty or missing; found "
                              f"{_describe(empty, series)}")
    duplicated = text.duplicated(keep=False)
    if duplicated.any():
        first = text[duplicated].iloc[0]
        positions = text.index[text == first].tolist()
        raise SubmissionError(
            f"{name} must be unique; {int(duplicated.sum())} rows share a qid, e.g. {first!r} "
            f"at index {positions}")
    return text


def _as_labels(values, qids: pd.Series) -> np.ndarray:
    if np.ndim(values) == 2 and np.shape(values)[1] == 2:
        raise SubmissionError(
            f"predictions have shape {np.shape(values)}, the output of predict_proba; a "
            "submission needs 0/1 labels: take the positive column and threshold it, e.g. "
            "best_f1_threshold(y_train, oof_proba).predict(proba[:, 1])")
    series = _as_series(values, "predictions")
    if len(series) != len(qids):
        raise SubmissionError(f"qids has {len(qids)} rows but predictions has {len(series)}; "
                              "a submission needs exactly one prediction per qid")
    missing = series.isna()
    if missing.any():
        raise SubmissionError(f"predictions must not be missing; found NaN at "
                              f"{_describe(missing, None, qids)}")
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("int64").to_numpy()
    if not pd.api.types.is_numeric_dtype(series.dtype):
        not_number = ~series.map(_is_real_number).astype(bool)
        if not_number.any():
            raise SubmissionError(
                f"predictions must be 0/1 numbers or booleans; found "
                f"{_describe(not_number, series, qids)}")
    numbers = series.to_numpy(dtype=np.float64)
    invalid = ~np.isin(numbers, (0.0, 1.0))
    if invalid.any():
        fractional = (numbers > 0.0) & (numbers < 1.0)
        hint = ("; they look like probabilities: threshold them first, e.g. "
                "best_f1_threshold(y_train, oof_proba).predict(test_proba) from textclf.metrics "
                "(1 where proba >= threshold)") if fractional.any() else ""
        raise SubmissionError(f"predictions must be 0 or 1; found "
                              f"{_describe(pd.Series(invalid), series, qids)}{hint}")
    return numbers.astype(np.int64)


def _is_real_number(value) -> bool:
    return isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating))


def _check_expected(qids: pd.Series, expected: pd.Series) -> None:
    missing = expected[~expected.isin(qids)]
    extra = qids[~qids.isin(expected)]
    if len(missing) or len(extra):
        problems = []
        if len(missing):
            problems.append(f"{len(missing)} expected qid(s) missing ({_list(missing)})")
        if len(extra):
            problems.append(f"{len(extra)} qid(s) not expected ({_list(extra)})")
        raise SubmissionError(f"qids do not match expected_qids: {'; '.join(problems)}")
    differs = (qids.to_numpy() != expected.to_numpy()).nonzero()[0]
    if len(differs):
        first = differs[0]
        raise SubmissionError(
            f"qids hold every expected qid but in another order ({len(differs)} rows out of "
            f"place); first difference at index {first}: got {qids[first]!r}, expected "
            f"{expected[first]!r}. Keep the test file's row order so each prediction stays "
            "with its row")


def _describe(mask: pd.Series, values: pd.Series | None, qids: pd.Series | None = None) -> str:
    """``value at index i (qid 'x')`` for the first few rows where ``mask`` holds."""
    positions = np.flatnonzero(mask.to_numpy())
    parts = []
    for position in positions[:_SHOWN]:
        shown = ""
        if values is not None:
            value = values.iloc[position]
            shown = "a missing value at " if pd.isna(value) else f"{_plain(value)!r} at "
        qid = f" (qid {qids.iloc[position]!r})" if qids is not None else ""
        parts.append(f"{shown}index {position}{qid}")
    more = len(positions) - _SHOWN
    return ", ".join(parts) + (f", and {more} more" if more > 0 else "")


def _list(qids: pd.Series) -> str:
    shown = ", ".join(repr(q) for q in qids.iloc[:_SHOWN])
    return shown + (", ..." if len(qids) > _SHOWN else "")


def _plain(value):
    """A NumPy scalar as the Python value it holds, so messages read 0.7, not np.float64(0.7)."""
    return value.item() if isinstance(value, np.generic) else value
