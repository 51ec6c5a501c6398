"""A list's scratch folder (`.revisit-…` beside its files) is hidden as it is made: by its
leading dot here, so hiding it on Linux changes nothing and does not fail. (On Windows it is
given FILE_ATTRIBUTE_HIDDEN; no Windows machine runs these tests.)"""

from __future__ import annotations

import os
import sys

import pytest

from services.store import staging


@pytest.mark.skipif(sys.platform == "win32", reason="the attribute is set on Windows")
def test_hiding_a_scratch_folder_is_nothing_but_its_dot_off_windows(tmp_path):
    folder = tmp_path / f"{staging.SCRATCH_PREFIX}x"
    folder.mkdir()
    (folder / "w.pdf").write_bytes(b"%PDF")
    before = os.stat(folder)
    staging.hide(folder)
    after = os.stat(folder)
    assert (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]
    assert (folder / "w.pdf").read_bytes() == b"%PDF"
    staging.hide(tmp_path / "gone")  # a folder removed meanwhile: no error either


def test_each_scratch_folder_is_hidden_as_it_is_made(tmp_path, monkeypatch):
    hidden: list[str] = []
    real = staging.hide
    monkeypatch.setattr(staging, "hide", lambda folder: (hidden.append(folder.name),
                                                         real(folder)))
    target = tmp_path / "calls.xlsx"
    with staging.staged(target) as part:
        part.write_bytes(b"whole")
        (scratch,) = [p for p in tmp_path.iterdir() if p.is_dir()]
        assert hidden == [scratch.name] and scratch.name.startswith(staging.SCRATCH_PREFIX)
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["calls.xlsx"]
