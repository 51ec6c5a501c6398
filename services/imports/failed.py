"""What the user is told when an import fails after some of its chunks were committed and they
could not be taken back (the failure that stopped it, a lock or a full disk, usually stops the
withdrawal too): the rows stored so far stay in as an unfinished batch, so the sentence says how
many, why the import stopped, and the two ways on that the app offers: import the same file
again, which completes the batch (services/imports/batches.py complete_earlier), or undo it (a
supervisor's right). Never the database's "nothing was saved" sentence, which would be untrue,
and never the driver's words with SQL in them (kept for the log and "Show Details…")."""

from __future__ import annotations

import logging
import sqlite3

from services.store import connect_errors
from services.store.database import DRIVER_ERRORS, user_error
from services.store.errors import N_, Cancelled, RevisitError

log = logging.getLogger(__name__)

# The sentences services/store/database.py gives a lock and a full disk, taken from the one
# mapping itself so that they are recognised whatever their wording becomes.
_BUSY = user_error(sqlite3.OperationalError("database is locked"), None)
_FULL = user_error(sqlite3.OperationalError("database or disk is full"), None)
BUSY_TEMPLATES = frozenset({_BUSY.template} if _BUSY is not None else ())
FULL_TEMPLATES = frozenset({_FULL.template} if _FULL is not None else ())
GONE_TEMPLATES = frozenset({connect_errors.SERVER_UNREACHABLE,
                            connect_errors.SERVER_UNREACHABLE_AT_START})

STOPPED_BUSY = N_(
    "Import batch #{id} stopped after its first {rows} rows were stored, because the database "
    "{where} became busy with another person's or program's work; those rows stay in as an "
    "unfinished batch: when the database is free, import the same file again to finish it, or "
    "have a supervisor undo batch #{id} to take them out.")
STOPPED_FULL = N_(
    "Import batch #{id} stopped after its first {rows} rows were stored, because the disk "
    "holding {where} is full; those rows stay in as an unfinished batch: free some space on "
    "that disk, then import the same file again to finish it, or have a supervisor undo batch "
    "#{id} to take them out.")
STOPPED_GONE = N_(
    "Import batch #{id} stopped after its first {rows} rows were stored, because the database "
    "server {server} could no longer be reached; those rows stay in as an unfinished batch: "
    "when the server is back, import the same file again to finish it, or have a supervisor "
    "undo batch #{id} to take them out.")
STOPPED_CANCELLED = N_(
    "Import batch #{id} was cancelled after its first {rows} rows were stored, and they could "
    "not be taken back; they stay in as an unfinished batch: import the same file again to "
    "finish it, or have a supervisor undo batch #{id} to take them out.")
STOPPED_OTHER = N_(
    "Import batch #{id} stopped after its first {rows} rows were stored, and they stay in as "
    "an unfinished batch (import the same file again to finish it, or have a supervisor undo "
    "batch #{id} to take them out); what stopped it: {reason}")


# Every sentence of an import that stopped with rows stored: the window shows them as stored.
STOPPED_WITH_ROWS = frozenset({STOPPED_BUSY, STOPPED_FULL, STOPPED_GONE, STOPPED_CANCELLED,
                               STOPPED_OTHER})


def said(exc: BaseException) -> str:
    """A failure in a few words for the log: the driver's own (never the statement and its
    values, which SQLAlchemy adds to them), the sentence of one of Revisit's own, or the kind
    of exception and its message."""
    if isinstance(exc, DRIVER_ERRORS):
        # Its first line: PostgreSQL's next ones quote the statement (LINE 1: DELETE FROM …).
        words = str(getattr(exc, "orig", exc)).strip()
        return words.splitlines()[0] if words else type(exc).__name__
    if isinstance(exc, RevisitError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def rows_kept(failure: BaseException, batch_id: int, rows: int, url: str | None
              ) -> RevisitError:
    """The sentence for `failure`, which stopped import batch `batch_id` with its first `rows`
    rows committed and left there."""
    known = user_error(failure, url)
    params: dict[str, object] = {"id": batch_id, "rows": f"{rows:,}"}
    template = STOPPED_OTHER
    if isinstance(failure, Cancelled):
        template = STOPPED_CANCELLED
    elif known is not None and known.template in BUSY_TEMPLATES | FULL_TEMPLATES:
        template = STOPPED_BUSY if known.template in BUSY_TEMPLATES else STOPPED_FULL
        params["where"] = known.params.get("where", "")
    elif known is not None and known.template in GONE_TEMPLATES:
        template = STOPPED_GONE
        params["server"] = known.params.get("server", "")
    else:
        if known is None:  # Revisit's own mistake: its traceback for -v and the log
            log.info("import batch #%s stopped by an unexpected failure", batch_id,
                     exc_info=failure)
        params["reason"] = str(known) if known is not None else said(failure)
    error = RevisitError(template, **params)
    error.technical = said(failure)
    return error
