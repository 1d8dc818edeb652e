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
