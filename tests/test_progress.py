import io
import sys

from tqdm.auto import tqdm

from textclf._progress import progress, reading_progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_no_tqdm_object_is_made_where_no_bar_would_show(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    folds = [1, 2, 3]
    assert progress(folds, desc="folds") is folds
    stream = io.BytesIO(b"word 0.1 0.2\n")
    with reading_progress(stream, total=13) as read_stream:
        assert read_stream is stream


def test_a_terminal_gets_bars_that_pass_everything_through(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = progress([1, 2, 3], desc="folds", file=terminal)
    assert isinstance(bar, tqdm) and list(bar) == [1, 2, 3]
    with reading_progress(io.BytesIO(b"word 0.1 0.2\n"), total=13, file=terminal) as stream:
        assert stream.read() == b"word 0.1 0.2\n"
    assert "13.0/13.0" in terminal.getvalue()  # every byte read was counted
