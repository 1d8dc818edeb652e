"""Run one measurement in a fresh Python process and read its result back.

A fresh process per measurement makes its peak resident memory (``ru_maxrss``) its own,
not an earlier measurement's, and starts it from cold imports as a user's command would.
The child is this repository's module run with ``python -m``; it prints one line, the
marker and a JSON object, which the parent reads from its standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MARKER = "BENCHMARK-RESULT "
ROOT = Path(__file__).resolve().parents[1]


def report_result(result: dict) -> None:
    """What the child prints for its parent: the marker and ``result`` as JSON."""
    print(MARKER + json.dumps(result), flush=True)


def result_of_fresh_process(module: str, arguments: list[str], what: str,
                            timeout: float | None = None) -> dict:
    """The result ``python -m module arguments`` reported; RuntimeError naming ``what``
    with the end of its standard error when it reported none."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
