import pytest

from textclf._io import atomic_write


def test_atomic_write_refuses_to_replace_unless_asked(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write(target, lambda tmp: tmp.write_text("first"))
    with pytest.raises(FileExistsError, match="out.txt already exists"):
        atomic_write(target, lambda tmp: tmp.write_text("second"))
    atomic_write(target, lambda tmp: tmp.write_text("second"), overwrite=True)
    assert target.read_text() == "second"


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("intact")

    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail, overwrite=True)
    assert target.read_text() == "intact"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_file_that_appears_while_writing_is_not_clobbered(tmp_path):
    target = tmp_path / "out.txt"

    def slow_write(tmp):
        target.write_text("someone else's")  # another process wins the race
        tmp.write_text("mine")

    with pytest.raises(FileExistsError, match="written meanwhile"):
        atomic_write(target, slow_write)
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_outputs_get_the_usual_permissions_not_the_temporary_files_private_ones(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        written = atomic_write(tmp_path / "out.txt", lambda tmp: tmp.write_text("x"))
    finally:
        os.umask(mask)
    assert written.stat().st_mode & 0o777 == 0o644
