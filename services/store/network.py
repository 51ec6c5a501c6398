"""Is a SQLite file on a network drive? SQLite's WAL mode needs shared memory that network file
systems (SMB/CIFS shares, NFS) do not provide, so two PCs writing one file there can corrupt it."""

from __future__ import annotations

import sys
from pathlib import Path

from services.store.errors import N_, RevisitError

# File-system types of network mounts as /proc/mounts names them.
NETWORK_FS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p",
                        "fuse.sshfs", "fuse.rclone", "davfs", "fuse.davfs2", "glusterfs",
                        "ceph", "lustre"})
DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive


def _mount_type(path: Path, mounts: str) -> str | None:
    """The file-system type of the longest mount point holding `path`."""
    best, kind = "", None
    target = str(path)
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, parts[2]
    return kind


def on_network_drive(path: Path, *, mounts: str | None = None, platform: str = sys.platform,
                     ) -> bool:
    raw = str(path)
    if raw.startswith(("\\\\", "//")):  # a UNC path: \\server\share\revisit.sqlite3
        return True
    if platform == "win32":
        import ctypes

        drive = str(path.resolve().anchor)
        return ctypes.windll.kernel32.GetDriveTypeW(drive) == DRIVE_REMOTE  # type: ignore[attr-defined]
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    return _mount_type(path.resolve(), mounts) in NETWORK_FS


def network_warning(path: Path) -> RevisitError:
    return RevisitError(
        N_("{where} is on a network drive. SQLite cannot share a file safely across a network "
           "(two PCs writing it can damage it): keep the file on this PC, or move the "
           "department to a PostgreSQL server with `db copy --to postgresql://…`."),
        where=str(path))
