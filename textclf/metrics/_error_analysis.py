"""Which rows a model gets wrong at its threshold, and which it cannot decide.

Three lists answer the questions asked of every Quora model: which insincere questions
does it miss with the most confidence (false negatives with the lowest scores), which
sincere questions does it flag with the most confidence (false positives with the highest
scores), and which questions sit right at the threshold (the rows a small change of model or
threshold flips). Each list is a DataFrame; :func:`write_error_analysis` saves them as CSV
files and a short Markdown report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import validate_params

from .._io import atomic_write
from .._param_validation import NonBoolInterval
from ._threshold import SCORE_THRESHOLD, check_labels_and_scores

COLUMNS = ("qid", "question_text", "target", "proba", "predicted")
FILE_NAMES = {
    "false_negatives": "false_negatives.csv",
    "false_positives": "false_positives.csv",
    "uncertain": "uncertain.csv",
    "report": "error_analysis.md",
}
# Long texts are shortened in the Markdown tables only; the CSV files keep them whole.
_REPORT_TEXT_CHARS = 200


@dataclass(frozen=True, eq=False)
class ErrorAnalysis:
    """The most telling rows of a model's out-of-fold (or validation) predictions.

    Every frame has the columns ``qid, question_text, target, proba, predicted``
    (``predicted`` is ``proba >= threshold`` as 0/1); ties in the ordering keep input order.

    Attributes
    ----------
    threshold : float
        The decision threshold the rows were judged at.
    false_negatives : DataFrame
        Positive rows predicted negative, lowest ``proba`` first: the most confident misses.
    false_positives : DataFrame
        Negative rows predicted positive, highest ``proba`` first: the most confident false
        alarms.
    uncertain : DataFrame
        All rows, right or wrong, closest to the threshold first.
    n_true_negatives, n_false_positives, n_false_negatives, n_true_positives : int
        The full confusion matrix, of which the frames show the top rows.
    """

    threshold: float
    false_negatives: pd.DataFrame
    false_positives: pd.DataFrame
    uncertain: pd.DataFrame
    n_true_negatives: int
    n_false_positives: int
    n_false_negatives: int
    n_true_positives: int

    @property
    def n_samples(self) -> int:
        return (self.n_true_negatives + self.n_false_positives + self.n_false_negatives
                + self.n_true_positives)

    def to_markdown(self) -> str:
        """A short report: the confusion matrix and the three lists as tables."""
        tp, fp, fn = self.n_true_positives, self.n_false_positives, self.n_false_negatives
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        lines = [
            "# Error analysis", "",
            (f"{self.n_samples:,} rows, {tp + fn:,} positive; threshold {self.threshold:.4f} "
             f"(positive when proba >= threshold); F1 {f1:.4f}."), "",
            "| | predicted 0 | predicted 1 |", "|---|---:|---:|",
            f"| target 0 | {self.n_true_negatives:,} | {fp:,} |",
            f"| target 1 | {fn:,} | {tp:,} |", "",
        ]
        sections = [
            ("Most confident false negatives (positives scored lowest)",
             self.false_negatives, fn),
            ("Most confident false positives (negatives scored highest)",
             self.false_positives, fp),
            ("Most uncertain rows (closest to the threshold)", self.uncertain, self.n_samples),
        ]
        for title, frame, total in sections:
            lines += [f"## {title}", "", f"{len(frame):,} of {total:,} rows.", ""]
            if len(frame):
                lines += _markdown_table(frame)
                lines.append("")
        return "\n".join(lines)


@validate_params({"threshold": [SCORE_THRESHOLD],
                  "top": [NonBoolInterval(Integral, 1, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def error_analysis(qids, texts, y_true, proba, threshold: float, *,
                   top: int = 20) -> ErrorAnalysis:
    """Pick the most confident errors and the most uncertain rows at ``threshold``.

    Parameters
    ----------
    qids, texts : array-like of shape (n_samples,)
        The rows' ids and texts, e.g. ``train["qid"]`` and ``train["question_text"]``.
    y_true : array-like of shape (n_samples,)
        0/1 labels.
    proba : array-like of shape (n_samples,)
        Scores of the positive class, ideally out-of-fold so that no row was seen in
        training.
    threshold : float
        Rows with ``proba >= threshold`` are predicted positive, e.g.
        ``best_f1_threshold(y_true, proba).threshold``.
    top : int, default=20
        How many rows each list keeps (fewer when there are fewer errors).
    """
    labels, scores = check_labels_and_scores(y_true, proba)
    qid_values, text_values = np.asarray(qids), np.asarray(texts)
    for name, values in (("qids", qid_values), ("texts", text_values)):
        if values.ndim != 1 or len(values) != len(labels):
            raise ValueError(f"{name} has shape {values.shape} but y_true and proba have "
                             f"{len(labels)} rows; they must describe the same rows")
    predicted = (scores >= threshold).astype(np.int64)
    rows = pd.DataFrame({"qid": pd.array(qid_values.astype(str), dtype="str"),
                         "question_text": pd.array(text_values.astype(str), dtype="str"),
                         "target": labels, "proba": scores, "predicted": predicted})

    missed = rows[(labels == 1) & (predicted == 0)]
    flagged = rows[(labels == 0) & (predicted == 1)]
    # Stable sorts, so rows with equal scores keep their input order.
    distance = pd.Series(np.abs(scores - threshold), index=rows.index)
    return ErrorAnalysis(
        threshold=float(threshold),
        false_negatives=_top(missed.sort_values("proba", kind="stable"), top),
        false_positives=_top(flagged.sort_values("proba", ascending=False, kind="stable"), top),
        uncertain=_top(rows.loc[distance.sort_values(kind="stable").index], top),
        n_true_negatives=int(((labels == 0) & (predicted == 0)).sum()),
        n_false_positives=len(flagged), n_false_negatives=len(missed),
        n_true_positives=int(((labels == 1) & (predicted == 1)).sum()))


def write_error_analysis(analysis: ErrorAnalysis, directory: str | os.PathLike, *,
                         overwrite: bool = False) -> dict[str, Path]:
    """Write the three lists as CSV files and the Markdown report into ``directory``.

    Files: ``false_negatives.csv``, ``false_positives.csv``, ``uncertain.csv`` and
    ``error_analysis.md`` (keys of the returned mapping: ``false_negatives``,
    ``false_positives``, ``uncertain``, ``report``). Each file is written atomically. Unless
    ``overwrite`` is true, nothing is written when any of them already exists
    (``FileExistsError`` naming it), so an earlier analysis is never half replaced.
    """
    folder = Path(directory)
    paths = {key: folder / name for key, name in FILE_NAMES.items()}
    if not overwrite:
        existing = [str(path) for path in paths.values() if path.exists()]
        if existing:
            raise FileExistsError(f"{', '.join(existing)} already exist(s); pass "
                                  "overwrite=True to replace the error analysis")
    for key in ("false_negatives", "false_positives", "uncertain"):
        frame = getattr(analysis, key)
        atomic_write(paths[key], lambda tmp, frame=frame: frame.to_csv(tmp, index=False),
                     overwrite=overwrite)
    report = analysis.to_markdown()
    atomic_write(paths["report"], lambda tmp: tmp.write_text(report, encoding="utf-8"),
                 overwrite=overwrite)
    return paths


def _top(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    return frame.head(top).reset_index(drop=True)


def _markdown_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| qid | target | predicted | proba | question_text |", "|---|---:|---:|---:|---|"]
    for row in frame.itertuples(index=False):
        lines.append(f"| {_cell(row.qid)} | {row.target} | {row.predicted} | {row.proba:.4f} | "
                     f"{_cell(row.question_text, _REPORT_TEXT_CHARS)} |")
    return lines


def _cell(text: str, limit: int | None = None) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, optionally shortened."""
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        flat = flat[:limit - 1].rstrip() + "…"
    return flat.replace("|", "\\|")
