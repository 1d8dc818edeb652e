"""Where a study keeps each finished approach: its result and its fold models, by run key.

``<output dir>/runs/<run key>/`` holds ``result.joblib`` (the ``OofResult`` without its
models) and ``fold_models.joblib``. The run key folds the approach, its parameters, the
data and the code into one name (``textclf.tracking.run_key``), so a stored result is
reused only for the very same work. A folder is written whole or not at all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import joblib

from .._io import atomic_directory
from ..models import FoldEnsemble, OofResult

RESULT_FILE = "result.joblib"
FOLD_MODELS_FILE = "fold_models.joblib"


def without_models(result: OofResult) -> OofResult:
    return dataclasses.replace(result, estimators=None)


def store_result(result: OofResult, folder: Path) -> None:
    """Write ``result`` and its fold models to ``folder``, replacing an earlier store."""
    with atomic_directory(folder, overwrite=True) as staging:
        joblib.dump(result.estimators, staging / FOLD_MODELS_FILE)
        joblib.dump(without_models(result), staging / RESULT_FILE)


def is_stored(folder: Path) -> bool:
    """Whether ``folder`` holds a stored result (a store is complete or absent)."""
    return (folder / RESULT_FILE).is_file()


def stored_result(folder: Path) -> OofResult:
    """The result stored in ``folder``, without its models."""
    return joblib.load(folder / RESULT_FILE)


def stored_ensemble(folder: Path) -> FoldEnsemble:
    """The fold models stored in ``folder``, averaged into one classifier."""
    return FoldEnsemble(joblib.load(folder / FOLD_MODELS_FILE))
