"""Read and validate Kaggle-format question files: ``qid,question_text[,target]``.

Every problem is reported as a ``DataValidationError`` naming the file, the column and the
rows (1-based data rows, with their qid) so it can be fixed by hand. Empty or null texts are
not errors: Kaggle's own data has none but user files may, and every qid must reach every
output, so they are kept as empty strings and counted in an ``EmptyTextWarning``.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pandas as pd

from .._io import open_maybe_compressed

TRAIN_COLUMNS = ("qid", "question_text", "target")
TEST_COLUMNS = ("qid", "question_text")
# How many offending rows an error message lists before summarising the rest.
_SHOWN = 5


class DataValidationError(ValueError):
    """An input file or frame does not follow the Kaggle question schema."""


class EmptyTextWarning(UserWarning):
    """Some rows have an empty or missing ``question_text``; they are kept as ``""``."""


def read_train(path: str | os.PathLike) -> pd.DataFrame:
    """Read a labelled Kaggle file (``qid,question_text,target``); ``target`` becomes int 0/1."""
    return validate_questions(_read_csv(Path(path)), source=str(path), labelled=True)


def read_test(path: str | os.PathLike) -> pd.DataFrame:
    """Read an unlabelled Kaggle file (``qid,question_text``); a ``target`` column is kept
    if present."""
    return validate_questions(_read_csv(Path(path)), source=str(path), labelled=False)


def validate_questions(frame: pd.DataFrame, *, source: str, labelled: bool) -> pd.DataFrame:
    """Check ``frame`` against the schema and return it with clean dtypes, rows in input order.

    ``source`` names the data in error messages (a path or a dataset name). Columns beyond the
    schema are kept after it.
    """
    required = TRAIN_COLUMNS if labelled else TEST_COLUMNS
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: missing column(s) {', '.join(map(repr, missing))}; found "
            f"{list(map(str, frame.columns))}. A Kaggle {'train' if labelled else 'test'} file "
            f"has the header {','.join(required)}")
    if frame.empty:
        raise DataValidationError(f"{source}: has a header but no rows")

    frame = frame.reset_index(drop=True)
    qid = frame["qid"].astype("str").fillna("").str.strip()
    _check_qids(qid, source)
    text = frame["question_text"].astype("str").fillna("")
    columns = {"qid": qid, "question_text": text}
    if "target" in frame.columns and (labelled or _has_values(frame["target"])):
        columns["target"] = _parse_target(frame["target"], qid, source)
    _warn_empty_texts(text, qid, source)
    extras = frame.drop(columns=[c for c in TRAIN_COLUMNS if c in frame.columns])
    return pd.concat([pd.DataFrame(columns), extras], axis=1)


def _read_csv(path: Path) -> pd.DataFrame:
    raw = _read_bytes(path)
    if not raw.strip():
        raise DataValidationError(f"{path}: the file is empty")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        byte = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise DataValidationError(
            f"{path}: not valid UTF-8 at line {line}, byte {byte} (0x{raw[err.start]:02x})"
            f"{_undecodable_cell(raw)}; save it as UTF-8, e.g. "
            "`iconv -f latin1 -t utf-8 in.csv > out.csv`") from None
    try:
        return _parse_csv(raw)
    except pd.errors.ParserError as err:
        raise DataValidationError(f"{path}: not a well-formed CSV file: {err}") from None


def _parse_csv(raw: bytes, encoding_errors: str = "strict") -> pd.DataFrame:
    # Every field as text: 'NA' or 'null' is a legitimate question, never a missing value.
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_filter=False,
                       encoding="utf-8-sig", encoding_errors=encoding_errors)


def _undecodable_cell(raw: bytes) -> str:
    """", in row N (qid ...), column '...'" for the first cell holding bytes that are not
    UTF-8, or "" when the file cannot be parsed well enough to say."""
    try:
        frame = _parse_csv(raw, encoding_errors="replace")
    except ValueError:  # pandas' ParserError included
        return ""
    replaced = frame.apply(lambda column: column.str.contains("\ufffd", regex=False))
    bad_rows = replaced.any(axis=1)
    if not bad_rows.any():
        return ""
    row = int(bad_rows.to_numpy().argmax())
    column = replaced.columns[replaced.iloc[row].to_numpy().argmax()]
    qid = f" (qid {frame.at[row, 'qid']!r})" if "qid" in frame.columns else ""
    return f", in row {row + 1}{qid}, column {column!r}"


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataValidationError(f"{path}: no such file")
    with open_maybe_compressed(path, holding="CSV", error=DataValidationError) as handle:
        return handle.read()


def _describe_rows(mask: pd.Series, qid: pd.Series, values: pd.Series | None = None) -> str:
    rows = mask[mask].index[:_SHOWN]
    parts = []
    for row in rows:
        shown = f"{values[row]!r} at " if values is not None else ""
        parts.append(f"{shown}row {row + 1} (qid {qid[row]!r})")
    more = int(mask.sum()) - len(rows)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _check_qids(qid: pd.Series, source: str) -> None:
    empty = qid == ""
    if empty.any():
        raise DataValidationError(
            f"{source}: column 'qid' is empty at {_describe_rows(empty, qid)}")
    duplicated = qid.duplicated(keep=False)
    if duplicated.any():
        first = qid[duplicated].iloc[0]
        rows = (qid.index[qid == first] + 1).tolist()
        raise DataValidationError(
            f"{source}: column 'qid' must be unique; {duplicated.sum()} rows share a qid, "
            f"e.g. {first!r} at rows {rows}")


def _has_values(column: pd.Series) -> bool:
    return bool(column.astype("str").fillna("").str.strip().ne("").any())


def _parse_target(column: pd.Series, qid: pd.Series, source: str) -> pd.Series:
    as_text = column.astype("str").fillna("").str.strip()
    numeric = pd.to_numeric(as_text, errors="coerce")
    invalid = ~numeric.isin([0, 1])
    if invalid.any():
        raise DataValidationError(
            f"{source}: column 'target' must be 0 or 1; found "
            f"{_describe_rows(invalid, qid, as_text)}")
    return numeric.astype("int64")


def _warn_empty_texts(text: pd.Series, qid: pd.Series, source: str) -> None:
    empty = text.str.strip() == ""
    if empty.any():
        warnings.warn(
            f"{source}: {int(empty.sum())} row(s) have an empty question_text, kept as empty "
            f"strings: {_describe_rows(empty, qid)}", EmptyTextWarning, stacklevel=3)
