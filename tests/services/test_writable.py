"""A file's place checked before the work that writes it: what would refuse it is raised as
the OSError writing would meet, and the check itself leaves nothing behind."""

from __future__ import annotations

import os

import pytest

from services.store.writable import check_folder, check_writable
from tests.conftest import non_root


def test_a_free_place_and_last_times_file_pass_and_stay_as_they_were(tmp_path):
    check_writable(tmp_path / "new.xlsx")
    last = tmp_path / "last.xlsx"
    last.write_bytes(b"last time's file")
    os.utime(last, (1_000_000_000, 1_000_000_000))
    check_writable(last)
    assert last.read_bytes() == b"last time's file"
    assert last.stat().st_mtime == 1_000_000_000
    assert sorted(os.listdir(tmp_path)) == ["last.xlsx"]


def test_a_folder_at_the_files_name_is_refused(tmp_path):
    (tmp_path / "taken.xlsx").mkdir()
    with pytest.raises(IsADirectoryError) as refused:
        check_writable(tmp_path / "taken.xlsx")
    assert refused.value.filename == str(tmp_path / "taken.xlsx")


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        check_folder(tmp_path / "not-there")


@non_root
def test_a_read_only_folder_or_file_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"x")
    kept.chmod(0o444)
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            check_writable(folder / "x.xlsx")
        with pytest.raises(PermissionError):
            check_writable(kept)
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o755)
