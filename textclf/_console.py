"""How textclf's commands speak: their own progress at INFO, other libraries only at DEBUG,
and bad input as one line on standard error with exit status 2.

Third-party libraries log generously at INFO (gensim prints every topic of every LDA
pass, MLflow its store migrations) and TensorFlow's C++ core writes oneDNN and CUDA
notices straight to standard error when it is imported. A study run is meant to show its
own progress and its table; ``--log-level DEBUG`` brings everything back, tracebacks
included.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable

from .data import DataValidationError

# Errors that mean the input is wrong rather than textclf: said in one line, exit 2.
BAD_INPUT = (DataValidationError, FileNotFoundError, FileExistsError, IsADirectoryError,
             LookupError, ValueError)
USAGE_ERROR = 2
_FORMAT = "%(levelname)s %(name)s: %(message)s"


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``prog: message (see --help)``."""

    def error(self, message: str):
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def configure_logging(level: str | int = "INFO") -> None:
    """textclf's loggers at ``level``; every other library's at ERROR, or at DEBUG when
    ``level`` is DEBUG. TensorFlow's native log is silenced the same way, which only works
    before TensorFlow is first imported."""
    level = logging.getLevelName(level) if isinstance(level, str) else level
    debug = level <= logging.DEBUG
    # Other libraries' warnings are about their internals (gensim's "too few updates" on a
    # small fold): below DEBUG only their errors show.
    others = logging.DEBUG if debug else logging.ERROR
    logging.basicConfig(format=_FORMAT)
    logging.getLogger().setLevel(others)
    # Their Python warnings too ("k=5000 is greater than n_features" on a small dataset):
    # logged as py.warnings, a logger of its own, so shown at DEBUG only.
    logging.captureWarnings(True)
    logging.getLogger("textclf").setLevel(level)
    # MLflow gives itself a handler and a level when it is imported, from this variable; its
    # INFO lines (store migrations, experiment creation) and bars are not textclf's.
    os.environ["MLFLOW_LOGGING_LEVEL"] = logging.getLevelName(others)
    logging.getLogger("mlflow").setLevel(others)
    if not debug:
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        # 2 hides TensorFlow's INFO and WARNING lines (oneDNN, CPU features) once its log
        # is set up; what it prints before that goes to the file descriptor directly.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if "tensorflow" not in sys.modules and not any(
                isinstance(finder, _QuietImport) for finder in sys.meta_path):
            sys.meta_path.insert(0, _QuietImport("tensorflow", _probe_tensorflow_devices))


def _probe_tensorflow_devices(tensorflow) -> None:
    # The CUDA driver is first asked for on the first device look-up, which prints "failed
    # call to cuInit" on a machine without a GPU; done here, it is done silently, once.
    tensorflow.config.list_physical_devices()


class _QuietImport(importlib.abc.MetaPathFinder):
    """Imports one module with the process's standard error silenced.

    TensorFlow's native core writes its CUDA probe ("Could not find cuda drivers") to file
    descriptor 2 while it is imported, before its log level applies. The module is found
    by the other finders as usual; only its execution, and then ``after(module)``, run with
    descriptor 2 sent to a temporary file, which is replayed if the import fails.
    """

    def __init__(self, name: str, after=None):
        self.name = name
        self.after = after

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once, and never for the lookup below
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            with _native_stderr_silenced():
                execute(module)
                if self.after is not None:
                    self.after(module)

        spec.loader.exec_module = exec_module
        return spec


@contextlib.contextmanager
def _native_stderr_silenced():
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def run_command(command: Callable[[], object], name: str) -> int:
    """Run ``command``; bad input becomes one line on stderr and status 2 (with the
    traceback too when DEBUG logging is on). Returns the exit status."""
    try:
        command()
    except SystemExit as stop:  # argparse: --help, or a usage error already said
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        return USAGE_ERROR
    except BAD_INPUT as error:
        if logging.getLogger("textclf").isEnabledFor(logging.DEBUG):
            traceback.print_exc(file=sys.stderr)
        print(f"{name}: {_one_line(error)}", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _one_line(error: BaseException) -> str:
    text = str(error.args[0]) if len(error.args) == 1 else str(error)
    if isinstance(error, (FileNotFoundError, IsADirectoryError)) and error.filename:
        text = f"{error.strerror or 'not found'}: {error.filename}"
    elif isinstance(error, FileExistsError):
        text = text.split(";")[0] + "; pass --overwrite to replace it"
    return " ".join(text.split())
