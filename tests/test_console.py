import logging
import os
import warnings

import pytest

from textclf._console import configure_logging


@pytest.fixture
def restored_logging(monkeypatch):
    # configure_logging sets process-wide state; each piece is put back after the test.
    for variable in ("MLFLOW_LOGGING_LEVEL", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR",
                     "TF_CPP_MIN_LOG_LEVEL"):
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    loggers = [logging.getLogger(name) for name in ("", "textclf", "mlflow")]
    levels = [logger.level for logger in loggers]
    # An earlier command in this process may have left capturing on, with warnings'
    # display since put back by pytest; capturing only starts afresh from off.
    logging.captureWarnings(False)
    yield
    logging.captureWarnings(False)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_other_libraries_warnings_show_at_debug_only(restored_logging, caplog):
    def warned(level: str) -> bool:
        caplog.clear()
        configure_logging(level)
        warnings.warn("k=5000 is greater than n_features=237", UserWarning, stacklevel=1)
        return any("greater than n_features" in record.getMessage()
                   for record in caplog.records)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert not warned("INFO")
        assert warned("DEBUG")
