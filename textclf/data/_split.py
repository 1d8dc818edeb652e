"""Split a labelled file into Kaggle-like train/test files, keeping the held-back labels.

Identical texts are kept on one side (``textclf.data.duplicate_groups``): a test row whose
twin is in training would score memory, not the model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import atomic_write
from ._duplicates import duplicate_groups, grouped_train_test_split
from ._kaggle_csv import read_train, validate_questions


@dataclass(frozen=True)
class KaggleSplit:
    """``train`` (with target), ``test`` (without) and ``test_labels`` (qid, target) for scoring."""

    train: pd.DataFrame
    test: pd.DataFrame
    test_labels: pd.DataFrame

    def write(self, directory: str | os.PathLike, *, overwrite: bool = False) -> dict[str, Path]:
        """Write train.csv, test.csv and test_labels.csv atomically; returns their paths."""
        written = {}
        for name in ("train", "test", "test_labels"):
            frame = getattr(self, name)
            written[name] = atomic_write(
                Path(directory) / f"{name}.csv",
                lambda tmp, frame=frame: frame.to_csv(tmp, index=False, lineterminator="\n"),
                overwrite=overwrite)
        return written


def split_train_test(data: pd.DataFrame | str | os.PathLike, *, test_size: float = 0.2,
                     random_state: int = 42, group_duplicates: bool = True) -> KaggleSplit:
    """Stratified, seeded split of a labelled file or frame; each part keeps the input order.

    With ``group_duplicates`` (the default) every copy of a repeated text goes to the same
    part, and ``test_size`` is the share of distinct texts held out.
    """
    if isinstance(data, pd.DataFrame):
        frame = validate_questions(data, source="frame", labelled=True)
    else:
        frame = read_train(data)
    target = frame["target"].to_numpy()
    groups = (duplicate_groups(frame["question_text"]) if group_duplicates
              else np.arange(len(frame)))
    train_rows, test_rows = grouped_train_test_split(target, groups, test_size=test_size,
                                                     random_state=random_state)
    train = frame.iloc[train_rows].reset_index(drop=True)
    held_out = frame.iloc[test_rows].reset_index(drop=True)
    return KaggleSplit(train=train, test=held_out.drop(columns="target"),
                       test_labels=held_out[["qid", "target"]])
