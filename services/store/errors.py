"""Errors meant for the user: one clear message saying what went wrong and where."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable


def N_(text: str) -> str:
    """Mark a message template for translation; the UI translates it in context "errors"."""
    return text


class RevisitError(Exception):
    """A failure caused by input or environment (bad path, bad file, locked database…), never
    a bug. `template` is English with {named} fields; the UI shows it translated. `technical`:
    what the driver or the system said, in its own words, for the log and a "details" part;
    never part of the sentence."""

    technical: str | None = None

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))

    @property
    def message(self) -> str:
        return str(self)


class Said(str):
    """A word inside an error's sentence that has a Chinese and an English form (a stored
    code's label): it reads as the English, as the sentence itself does on the command line;
    the window puts the Chinese in a Chinese sentence (ui/i18n.py translate_error)."""

    zh: str

    def __new__(cls, zh: str, en: str) -> Said:
        word = super().__new__(cls, en)
        word.zh = zh
        return word

    @classmethod
    def inside(cls, zh: str, en: str) -> Said:
        """A label said inside a sentence: its English word lower-cased as a sentence has it
        ("this customer's occupation"), a name such as WeChat kept as it is."""
        if en[:1].isupper() and en[1:2].islower():
            en = en[0].lower() + en[1:]
        return cls(zh, en)


class Phrase(str):
    """A sentence said beside an error (a note added to it, a command line's hint) that has
    the user's language: it reads as its English, filled in; the command line says it in
    --lang's (ui/cli/language.py), as the window says an error. `template` is English with
    {named} fields, marked with N_()."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Phrase:
        phrase = super().__new__(cls, template.format(**params))
        phrase.template, phrase.params = template, params
        return phrase


class StaleEdit(RevisitError):
    """A save based on what the editor loaded, refused because someone changed the record since.
    The sentence names what changed, who changed it and when (services/store/versions.py builds
    those of customers and segments). The window offers to reload; nothing of the refused save
    was stored."""


# Files are written under a temporary name beside the one asked for (.NAME.part, NAME.part,
# .NAME.PID.part, NAME.PID.part) and renamed once complete: a failure names the file asked for.
_PART = re.compile(r"^\.?(?P<name>.+?)(?:\.\d+)?\.part$")
# No space left on the disk, or none left of this user's quota there.
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def from_os_error(exc: OSError) -> RevisitError:
    """A file-system failure (missing folder, no permission, disk full…) as one sentence."""
    path = exc.filename or ""
    if isinstance(path, bytes):
        path = path.decode(errors="replace")
    part = _PART.match(os.path.basename(path)) if path else None
    if part is not None:
        path = os.path.join(os.path.dirname(path), part["name"])
    reason = exc.strerror or str(exc)
    if path and exc.errno in _DISK_FULL:
        return RevisitError(N_("The disk is full: {path} could not be written. Free some space "
                               "or choose another folder, then try again."), path=str(path))
    if path:
        return RevisitError(N_("Cannot use the file {path}: {reason}."), path=str(path),
                            reason=reason)
    return RevisitError(N_("A file could not be read or written: {reason}."), reason=reason)


class Cancelled(Exception):
    """Raised by a service when the user cancelled; what was done so far is rolled back."""


# How a long-running service reports how far it got: (done, total).
Progress = Callable[[int, int], None]


class CancelToken:
    """Set by the UI (or Ctrl+C in the CLI); checked by long-running services."""

    def __init__(self) -> None:
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def check(self) -> None:
        if self._cancelled:
            raise Cancelled()
