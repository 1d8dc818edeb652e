"""Atomic file writes: a reader never sees a half-written output, and nothing is clobbered unasked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None], *,
                 overwrite: bool = False) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place.

    The rename is atomic on POSIX filesystems, so ``path`` holds either its old content or
    the complete new one. Raises ``FileExistsError`` when ``path`` exists and ``overwrite``
    is false.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); an output gets the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, target)
        else:
            _place_new(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _place_new(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to ``target`` unless ``target`` exists, even if it appeared while
    ``tmp`` was being written: a hard link fails on an existing name, atomically."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(f"{target} already exists (written meanwhile by someone "
                              "else); pass overwrite=True to replace it") from None
    except OSError:
        # Filesystems without hard links: the check before writing has to do.
        if target.exists():
            raise FileExistsError(f"{target} already exists; pass overwrite=True to "
                                  "replace it") from None
        os.replace(tmp, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
