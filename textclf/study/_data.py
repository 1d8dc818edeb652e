"""The rows of a study: labelled rows to evaluate on, test rows to submit for.

A study reads its labelled rows from a shipped dataset (by name) or a Kaggle-format train
CSV (by path), and its test rows from a Kaggle-format test CSV. Without a test file the
labelled rows are split (stratified, seeded, repeated texts kept together) into train and
test parts, Kaggle-style; the test part's held-back labels then score the submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..data import list_datasets, load_dataset, read_test, read_train, split_train_test
from ..tracking import data_fingerprint

DEFAULT_TRAIN = "sms_spam"
HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class StudyData:
    """The rows of one study and what identifies them."""

    name: str
    train: pd.DataFrame
    test: pd.DataFrame
    # The test rows' labels when they were split off the labelled rows, else None.
    test_labels: np.ndarray | None
    fingerprint: str


def read_labelled(train: str) -> tuple[str, pd.DataFrame]:
    """The name and rows of ``train``: a shipped dataset's name, or the path of a
    Kaggle-format train CSV, named after its file (``train.csv.gz`` is ``train``)."""
    if train in list_datasets():
        return train, load_dataset(train)
    return Path(train).name.split(".")[0], read_train(train)


def load_study_data(train: str = DEFAULT_TRAIN, test: str | None = None, *, seed: int = 42,
                    max_rows: int | None = None) -> StudyData:
    """Read ``train`` (see ``read_labelled``) and ``test``.

    ``max_rows`` keeps a stratified, seeded sample of the labelled rows (input order kept),
    for quick runs. Without ``test``, 20% of the labelled rows become the test part.
    """
    name, frame = read_labelled(train)
    if max_rows is not None and max_rows < len(frame):
        kept, _ = train_test_split(frame.index.to_numpy(), train_size=max_rows,
                                   stratify=frame["target"], random_state=seed)
        frame = frame.loc[np.sort(kept)].reset_index(drop=True)
    if test:
        test_frame, labels = read_test(test), None
    else:
        split = split_train_test(frame, test_size=HOLDOUT_SHARE, random_state=seed)
        frame, test_frame = split.train, split.test
        labels = split.test_labels["target"].to_numpy()
    return StudyData(name, frame, test_frame, labels, data_fingerprint(frame, test_frame))
