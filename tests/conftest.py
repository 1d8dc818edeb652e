"""Shared fixtures: small files written on the fly, and the real Quora rows when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Real Quora rows are never shipped; point TEXTCLF_QUORA_DIR at a folder holding Kaggle's
# train/test files (or a sample of them) to run the tests that use them. The benchmarks
# read the same folder.
from benchmarks._common import QUORA as QUORA_DIR


@pytest.fixture
def write_file(tmp_path):
    """Write ``content`` (str as UTF-8, or bytes) to ``tmp_path/name`` and return the path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture(scope="session")
def quora_dir() -> Path:
    """The real Quora competition rows; the test is skipped where this machine lacks them."""
    if not (QUORA_DIR / "train_natural.csv").is_file():
        pytest.skip(f"real Quora rows not found at {QUORA_DIR} (they are not shipped)")
    return QUORA_DIR


@pytest.fixture
def mlflow_store(tmp_path, monkeypatch):
    """A fresh SQLite tracking store in this test's folder, with its artifacts beside it.

    ``mlflow.set_experiment`` remembers the experiment in a module global and in the
    ``MLFLOW_EXPERIMENT_ID`` environment variable, which would point the next test (with
    another store) at an experiment id of this one: both are reset afterwards.
    """
    import mlflow
    from mlflow.tracking import fluent

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    for name in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(uri)
    yield uri
    while mlflow.active_run() is not None:
        mlflow.end_run()
    fluent._active_experiment_id = None
    os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
    mlflow.set_tracking_uri(None)
