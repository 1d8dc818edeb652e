"""What a result depends on: the data's content, the parameters, the code's version.

A run is only comparable with, or reusable for, another run on the same data with the
same parameters and the same code. ``data_fingerprint`` hashes the rows' content (not a
file's name or timestamp), ``code_version`` the package's version and the content of its
source files (an edit, committed or not, changes it), and ``run_key`` folds data, approach,
parameters and code into one key that a resumed experiment looks up.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import textclf


def data_fingerprint(*frames: pd.DataFrame | None) -> str:
    """A short hex digest of the frames' rows and column names (None entries count too).

    Same rows in the same order give the same digest whatever file they came from; one
    changed character, row or column changes it.
    """
    digest = hashlib.sha256()
    for frame in frames:
        if frame is None:
            digest.update(b"<none>")
            continue
        digest.update(json.dumps(list(map(str, frame.columns))).encode())
        row_hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(np.ascontiguousarray(row_hashes).tobytes())
    return digest.hexdigest()[:16]


def run_key(approach: str, params: dict, data_hash: str) -> str:
    """One key for an approach fitted with ``params`` on data ``data_hash``."""
    payload = json.dumps({"approach": approach, "params": params, "data": data_hash},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def code_version(*source_folders: str | Path) -> dict[str, str]:
    """What identifies the code a result came from.

    ``textclf_version``; ``code_version``, a digest of every ``.py`` file of the textclf
    package and of ``source_folders`` (code outside the package that a result depends on,
    such as a user's own experiment scripts), by path and content; and, inside a git checkout,
    ``git_commit`` (with ``-dirty`` when tracked files have uncommitted changes), for
    finding the code again.
    """
    package = Path(textclf.__file__).resolve().parent
    version = {"textclf_version": textclf.__version__,
               "code_version": _source_digest([package, *map(Path, source_folders)])}
    root = package.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version  # an installed package, or no git: the version alone
    version["git_commit"] = commit + ("-dirty" if dirty else "")
    return version


def _source_digest(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in dict.fromkeys(folder.resolve() for folder in folders):
        for path in sorted(folder.rglob("*.py")):
            digest.update(str(path.relative_to(folder.parent)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
