import pytest

from textclf._io import atomic_directory, atomic_write


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


def test_atomic_directory_replaces_a_folder_whole(tmp_path):
    target = tmp_path / "model"
    with atomic_directory(target) as staging:
        (staging / "old.txt").write_text("old")
    with atomic_directory(target, overwrite=True) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_atomic_directory_leaves_the_old_folder_when_writing_fails(tmp_path):
    target = tmp_path / "model"
    with atomic_directory(target) as staging:
        (staging / "kept.txt").write_text("kept")

    def fill_and_fail():
        with atomic_directory(target, overwrite=True) as staging:
            (staging / "partial.txt").write_text("partial")
            raise RuntimeError("writing failed")

    with pytest.raises(RuntimeError):
        fill_and_fail()
    assert sorted(p.name for p in target.iterdir()) == ["kept.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_atomic_directory_refuses_an_existing_folder_unless_told(tmp_path):
    (tmp_path / "model").mkdir()
    with pytest.raises(FileExistsError, match="overwrite"), atomic_directory(tmp_path / "model"):
        pass


def test_atomic_directory_keeps_a_folder_that_appeared_while_it_was_written(tmp_path):
    target = tmp_path / "model"

    def write_while_someone_else_does():
        with atomic_directory(target) as staging:
            (staging / "mine.txt").write_text("mine")
            target.mkdir()
            (target / "theirs.txt").write_text("theirs")

    with pytest.raises(FileExistsError, match="meanwhile"):
        write_while_someone_else_does()
    assert sorted(p.name for p in target.iterdir()) == ["theirs.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
