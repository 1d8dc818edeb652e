"""Files in and out: atomic writes of files and folders (a reader never sees a half-written
output, and nothing is clobbered unasked), and reading files that may be compressed."""

from __future__ import annotations

import bz2
import contextlib
import errno
import gzip
import io
import lzma
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
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


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike, *, overwrite: bool = False):
    """Yield a temporary folder beside ``path`` to fill; on success it replaces ``path``.

    ``path`` holds either its old content or the complete new one, never a mix: an
    existing folder is moved aside, the new one renamed into place, then the old one
    deleted. On an error the temporary folder is removed and ``path`` is untouched. Raises
    ``FileExistsError`` when ``path`` exists and ``overwrite`` is false.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists; pass overwrite=True to replace it")
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp",
                                    dir=target.parent))
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())
        if overwrite:
            _replace_directory(staging, target)
        else:
            _place_new_directory(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _place_new_directory(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target`` unless ``target`` exists, even if it appeared while
    ``staging`` was being filled: renaming onto a folder with content fails."""
    if target.exists():
        raise FileExistsError(f"{target} already exists (written meanwhile by someone else); "
                              "pass overwrite=True to replace it")
    try:
        os.replace(staging, target)
    except OSError as error:
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
            raise FileExistsError(f"{target} already exists (written meanwhile by someone "
                                  "else); pass overwrite=True to replace it") from None
        raise


def _replace_directory(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, moving an existing ``target`` aside first."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# Compressed files are read through the module that knows their format; a zip archive must
# hold exactly one file.
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


@contextlib.contextmanager
def open_maybe_compressed(path: Path, *, holding: str,
                          error: Callable[[str], Exception] = ValueError
                          ) -> Iterator[io.BufferedIOBase]:
    """``path`` opened for reading bytes, uncompressed on the way when its suffix is
    ``.gz``, ``.bz2``, ``.xz`` or ``.zip``. A zip archive with other than one file raises
    ``error(message)``, the message saying it must hold exactly one ``holding``."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if not name.endswith("/")]
            if len(members) != 1:
                raise error(f"{path}: a zip file must hold exactly one {holding}, found "
                            f"{members}")
            with archive.open(members[0]) as stream:
                yield stream
        return
    with COMPRESSED.get(suffix, open)(path, "rb") as stream:
        yield stream
