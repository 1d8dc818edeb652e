"""The real labelled datasets that ship with textclf (see data/README.md for provenance)."""

from __future__ import annotations

import importlib.resources

import pandas as pd

from ._kaggle_csv import read_train

_PACKAGE = "textclf.datasets"
_SUFFIX = ".csv.gz"


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, sorted."""
    files = importlib.resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(_SUFFIX) for f in files if f.name.endswith(_SUFFIX))


def load_dataset(name: str) -> pd.DataFrame:
    """A shipped dataset as a Kaggle train frame: ``qid, question_text, target``."""
    available = list_datasets()
    if name not in available:
        raise ValueError(f"unknown dataset {name!r}; the shipped datasets are {available}")
    resource = importlib.resources.files(_PACKAGE) / f"{name}{_SUFFIX}"
    with importlib.resources.as_file(resource) as path:
        return read_train(path)
