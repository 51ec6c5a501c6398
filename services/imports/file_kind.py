"""What a chosen file is when it is no table to import, said in one sentence with what to do:
empty, a PDF, a Word or PowerPoint document, a picture, an archive, a password-protected or
damaged workbook. Told by the file's first bytes and, for a zip, the names inside it."""

from __future__ import annotations

import codecs
import logging
import zipfile
from pathlib import Path

from services.store.errors import N_, RevisitError

log = logging.getLogger(__name__)
HEAD_BYTES = 4096
SCAN_BLOCK = 1024 * 1024
# Bytes of a text file that are none of its characters: the C0 controls but tab, line feed,
# vertical tab, form feed and carriage return. Exports hold none; a binary file is full of them.
_CONTROLS = bytes([*range(0, 9), *range(14, 32)])
BINARY_SHARE = 0.1  # of the first bytes being controls: not text
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_ARCHIVES = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
# Stream names in the directory of an OLE2 compound file (.xls, .doc, and an .xlsx encrypted
# with a password, which Office wraps as an "EncryptedPackage" stream), stored as UTF-16; some
# writers repeat the name in plain bytes too.
_ENCRYPTED = ("EncryptedPackage".encode("utf-16-le"), b"EncryptedPackage")
_WORD_DOC = ("WordDocument".encode("utf-16-le"),)
_POWERPOINT_DOC = ("PowerPoint Document".encode("utf-16-le"),)


def _refused(message: str, path: Path) -> RevisitError:
    return RevisitError(message, file=path.name)


def empty(path: Path) -> RevisitError:
    return _refused(N_("The file {file} is empty (0 bytes): save or export it again, or choose "
                       "the right file."), path)


def damaged(path: Path) -> RevisitError:
    return _refused(N_("The file {file} is not a readable Excel workbook: it is damaged (perhaps "
                       "cut short while copied or downloaded), or another kind of file renamed. "
                       "Open it in Excel to check, or save or export it again."), path)


def encrypted(path: Path) -> RevisitError:
    return _refused(N_("The file {file} is protected by a password, so it cannot be read: open "
                       "it in Excel with its password and save a copy without one (File > Info "
                       "> Protect Workbook > Encrypt with Password, cleared), then choose that "
                       "copy."), path)


def _not_a_table(path: Path, what: str) -> RevisitError:
    messages = {
        "pdf": N_("The file {file} is a PDF document, not a table: its rows cannot be read. "
                  "Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV "
                  "file and import that."),
        "word": N_("The file {file} is a Word document, not a table. If the data is in a "
                   "table in it, copy the table into Excel and save it as a workbook; better, "
                   "export the data from the DMS as Excel or CSV."),
        "powerpoint": N_("The file {file} is a PowerPoint presentation, not a table. Export "
                         "the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV "
                         "file and import that."),
        "image": N_("The file {file} is a picture, not a table: its rows cannot be read. "
                    "Export the data from the DMS as an Excel workbook (.xlsx, .xls) or a CSV "
                    "file and import that."),
        "archive": N_("The file {file} is a compressed archive (zip, rar, 7z), not a table: "
                      "unpack it and import the workbook or CSV file inside."),
        "binary": N_("The file {file} holds no readable text, so it is not a table (another "
                     "kind of file renamed?). Export the data from the DMS as an Excel "
                     "workbook (.xlsx, .xls) or a CSV file and import that."),
    }
    return _refused(messages[what], path)


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        log.info("%s: not a readable zip file: %s", path, exc)
        raise damaged(path) from exc


def check(path: Path, kind: str) -> None:
    """Refuse a file that is no table, before a reader tries it: `kind` is what
    sources.sniff_format found by its first bytes."""
    if path.stat().st_size == 0:
        raise empty(path)
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if head.startswith(b"%PDF"):
        raise _not_a_table(path, "pdf")
    if head.startswith(_IMAGES) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        raise _not_a_table(path, "image")
    if head.startswith(_ARCHIVES):
        raise _not_a_table(path, "archive")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = _zip_names(path)
        if any(n.startswith("xl/") for n in names):
            return
        if any(n.startswith("word/") for n in names):
            raise _not_a_table(path, "word")
        if any(n.startswith("ppt/") for n in names):
            raise _not_a_table(path, "powerpoint")
        if "[Content_Types].xml" not in names and "mimetype" not in names:
            raise _not_a_table(path, "archive")
        return  # an Office or OpenDocument file with its parts named otherwise: let it be tried
    if kind == "csv" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        controls = len(head) - len(head.translate(None, _CONTROLS))
        if controls > BINARY_SHARE * len(head):
            raise _not_a_table(path, "binary")


def _holds(path: Path, needles: tuple[bytes, ...]) -> bytes | None:
    """The first of `needles` found in the file, read a block at a time."""
    overlap = max(len(n) for n in needles)
    tail = b""
    with path.open("rb") as f:
        while block := f.read(SCAN_BLOCK):
            window = tail + block
            for needle in needles:
                if needle in window:
                    return needle
            tail = window[-overlap:]
    return None


def workbook_refused(path: Path, exc: Exception) -> RevisitError:
    """What to tell when the workbook reader refused the file (its own words are logged: they
    name zip internals, not what the user can do)."""
    log.info("%s: the workbook reader refused it: %s", path, exc)
    with path.open("rb") as f:
        ole = f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if ole:
        found = _holds(path, (*_ENCRYPTED, *_WORD_DOC, *_POWERPOINT_DOC))
        if found in _ENCRYPTED:
            return encrypted(path)
        if found in _WORD_DOC:
            return _not_a_table(path, "word")
        if found in _POWERPOINT_DOC:
            return _not_a_table(path, "powerpoint")
    return damaged(path)
