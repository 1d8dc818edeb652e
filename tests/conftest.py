"""Shared fixtures: small files written on the fly, and the real Quora rows when present."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
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


@pytest.fixture
def start_server(tmp_path):
    """Start a local HTTP server and wait until it answers; it is stopped after the test.

    ``start(command, health_path, env=...)`` runs ``command(port)`` on a free port, in a
    session of its own (so the server and the workers it starts stop together), and
    returns ``http://127.0.0.1:<port>`` once ``health_path`` answers 200. A server that
    exits or stays silent fails the test with the end of its log.
    """
    servers = []

    def start(command, health_path: str, *, env=None, deadline_s: float = 120) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command(port), stdout=output, stderr=subprocess.STDOUT,
                                      env=env, start_new_session=True)
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"{command(port)[:3]} exited with {server.returncode}:\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url + health_path, timeout=2) as response:
                    if response.status == 200:
                        return url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)  # polling a server that is starting, not timing anything
        pytest.fail(f"{command(port)[:3]} did not answer {health_path} within {deadline_s} "
                    f"s:\n{log.read_text(errors='replace')[-3000:]}")

    yield start
    for server in servers:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's process group (the server and the workers it started)."""
    for sig, wait_s in ((signal.SIGTERM, 15), (signal.SIGKILL, None)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:  # already gone, workers included
            break
        try:
            server.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
