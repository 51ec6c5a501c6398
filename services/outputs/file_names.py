"""The names of the files a list run writes: the name staff give, with each file's ending put
after it. Plain rules, no writer imported, so the CLI checks a name before a run is built."""

from __future__ import annotations

import re
from pathlib import Path

from services.store.errors import N_, RevisitError

# Characters Windows refuses in a file name (and "/" everywhere); a name ending in a dot or a
# space is refused too.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')

# The endings of the files Revisit writes; any other ending is part of the name ("名单12.07").
OWN_ENDINGS = (".pdf", ".xlsx", ".csv")
# Endings of documents Revisit does not write (Office, WPS, LibreOffice, text, web, pictures):
# a list named so would be a PDF or workbook under a name that opens it in the wrong program.
FOREIGN_ENDINGS = frozenset({
    ".doc", ".docx", ".xls", ".xlsm", ".xlsb", ".et", ".wps", ".dps", ".ods", ".odt", ".rtf",
    ".txt", ".htm", ".html", ".json", ".xml", ".ppt", ".pptx", ".png", ".jpg", ".jpeg", ".zip"})


def base(out: Path | str) -> Path:
    """`out` without the ending of a file Revisit writes: the name each file's ending is put
    after. A name ending as a document Revisit does not write is refused."""
    out = Path(out)
    ending = out.suffix.lower()
    if ending in FOREIGN_ENDINGS:
        raise RevisitError(N_("{name} ends in {ending}, a kind of file Revisit does not write; "
                              "nothing was made. Name it .pdf, .xlsx or .csv."),
                           name=out.name, ending=out.suffix)
    return out.with_name(out.stem) if ending in OWN_ENDINGS else out


def named(out: Path | str, suffix: str) -> Path:
    """The file `out` names, ending in `suffix` (".pdf"): calls → calls.xlsx, 名单12.07 →
    名单12.07.pdf, 回访单.PDF → 回访单.pdf."""
    start = base(out)
    return start.with_name(start.name + suffix)


def sibling(out: Path | str, tag: str, suffix: str) -> Path:
    """The file beside `out` for another channel: week.pdf, "mail" → week-mail.pdf."""
    start = base(out)
    return start.with_name(f"{start.name}-{tag}{suffix}")


def name_part(text: str) -> str:
    """`text` (a segment's name: "2026/12 保养到期") made fit for a file name on every PC: the
    characters Windows refuses as "_", no dot or space at the end."""
    return _NOT_IN_NAMES.sub("_", text).rstrip(". ") or "_"
