"""Progress bars on a terminal, and no progress machinery at all elsewhere.

``tqdm(disable=True)`` still starts tqdm's monitor, a daemon thread; at interpreter exit
it can abort the process next to the native thread pools of gensim and pyarrow
("terminate called without an active exception", about one exit in twenty). So where
tqdm would hide the bar (its ``disable=None`` rule: standard error is not a terminal), no
tqdm object is made.
"""

from __future__ import annotations

import contextlib
import sys

from tqdm.auto import tqdm


def bars_shown() -> bool:
    """Whether standard error is a terminal, where a bar is worth drawing."""
    return sys.stderr.isatty()


def progress(iterable, **options):
    """``iterable`` with a tqdm bar on a terminal; ``iterable`` itself elsewhere."""
    return tqdm(iterable, **options) if bars_shown() else iterable


def reading_progress(stream, **options):
    """A context giving ``stream`` with a bar of the bytes its ``read()`` returns (on a
    terminal), or ``stream`` itself."""
    if bars_shown():
        return tqdm.wrapattr(stream, "read", **options)
    return contextlib.nullcontext(stream)
