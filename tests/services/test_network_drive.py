"""A SQLite file on a network drive is recognised (UNC paths, NFS/SMB mounts) and the user is
warned when it opens; a local file is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.store import database as store
from services.store.network import on_network_drive

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//fileserver/marketing /mnt/share cifs rw,vers=3.0 0 0
nas:/export/crm /srv/crm nfs4 rw 0 0
/dev/sdb1 /srv/crm/local ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(("path", "remote"), [
    ("/mnt/share/回访/revisit.sqlite3", True),
    ("/srv/crm/revisit.sqlite3", True),
    ("/srv/crm/local/revisit.sqlite3", False),  # a local disk mounted inside the share
    ("/mnt/shared.sqlite3", False),  # only a name that starts like the mount point
    ("/home/staff/revisit.sqlite3", False),
])
def test_mounts_decide(path, remote):
    assert on_network_drive(Path(path), mounts=MOUNTS, platform="linux") is remote


def test_unc_paths_are_network_paths():
    assert on_network_drive(Path("//fileserver/marketing/revisit.sqlite3"), mounts="")
    assert on_network_drive(Path(r"\\fileserver\marketing\revisit.sqlite3"), mounts="",
                            platform="linux")


def test_opening_a_file_on_a_share_warns_and_points_to_postgresql(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "on_network_drive", lambda _path: True)
    database = store.open_database(f"sqlite:///{tmp_path / 'revisit.sqlite3'}")
    try:
        assert len(database.warnings) == 1
        assert "network drive" in str(database.warnings[0])
        assert "postgresql" in str(database.warnings[0])
    finally:
        database.dispose()
    monkeypatch.undo()
    local = store.open_database(f"sqlite:///{tmp_path / 'revisit.sqlite3'}")
    try:
        assert local.warnings == ()
    finally:
        local.dispose()
