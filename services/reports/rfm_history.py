"""RFM class counts on the dashboard's dates (its end date, and a month earlier), kept between
questions.

The RFM summary holds one date at a time, and the window keeps it on today (the Segments area's
RFM grid): asking it for a report's end date rebuilds it (1.3 s on PostgreSQL at 200,000
customers), and the grid rebuilds it again for today. So the dashboard asks the summary only
when it already holds the date, else shifts it to the date when it holds one near
(rfm_shift.py), and otherwise the live query (0.6–0.9 s); the counts are kept
in one `app_setting` row (key KEY, JSON) for the last KEEP dates, with what they were computed
from: the spend data stamp with the spend tables' row count (the same test the RFM summary uses
to know it is current, services/segments/summaries.py). Any change to a spend since then —
whoever made it, the triggers raise the stamp — drops them all, and the counts are computed
again. Stepping between weeks, or the Monday report after the dashboard, then asks nothing.
Like the summaries it is a cache, never the truth: if it cannot be written (a read-only file or
login, a locked database) the answer is returned anyway."""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from models import AppSetting, DataStamp
from models.db import SQLITE_BUSY_MS
from services.reports import rfm_shift
from services.segments import rfm as rfm_mod
from services.segments import service as segments
from services.segments import summaries
from services.segments.summaries import RFM
from services.store.settings import store_row

log = logging.getLogger(__name__)
KEY = "report.rfm_history"
WAIT_MS = 200
# Dates kept: a quarter of weekly reports with their month-earlier dates.
KEEP = 26


def _source(s: Session) -> list[int] | None:
    """What the counts depend on; None while the spend stamp does not exist yet (the first
    RFM summary build creates it), when nothing can be kept."""
    stamp = s.scalar(select(DataStamp.value).where(DataStamp.name == RFM.stamp))
    if stamp is None:
        return None
    return [int(stamp), int(s.scalar(select(RFM.seen_rows())) or 0)]


def _kept(text: str | None, source: list[int]) -> dict[str, dict[str, int]]:
    """The counts stored in `text` per date and window, if computed from `source`."""
    if not text:
        return {}
    try:
        data = json.loads(text)
        if data.get("source") != source:
            return {}
        if "for" in data:  # the earlier form: one date
            return {data["for"]: {k: int(v) for k, v in data["counts"].items()}}
        return {when: {k: int(v) for k, v in counts.items()}
                for when, counts in data["dates"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: computed again and replaced


def _keep(sessions: sessionmaker[Session], built_for: str, counts: dict[str, int],
          source: list[int]) -> None:
    """Add the counts to the row, waiting at most WAIT_MS for the write lock: the counts are an
    extra, and a colleague's long import must not hold up the dashboard for the usual lock
    wait. Read again under the lock, so counts another question kept meanwhile stay."""
    with sessions() as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        try:
            if sqlite:
                s.execute(sql_text(f"PRAGMA busy_timeout = {WAIT_MS}"))
                s.execute(sql_text("UPDATE app_setting SET key = key WHERE 0"))  # the lock
            else:
                s.execute(sql_text(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'"))
            row = s.execute(select(AppSetting.value, AppSetting.version)
                            .where(AppSetting.key == KEY).with_for_update()).one_or_none()
            dates = _kept(row[0] if row is not None else None, source)
            dates.pop(built_for, None)
            dates[built_for] = counts  # the newest last; the oldest go first
            dates = dict(list(dates.items())[-KEEP:])
            text = json.dumps({"source": source, "dates": dates}, sort_keys=False)
            store_row(s, KEY, text, None, exists=row is not None)
            s.commit()
        finally:
            if sqlite:  # the connection goes back to the pool with its usual wait
                s.rollback()
                s.execute(sql_text(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}"))


def _summary_holds(sessions: sessionmaker[Session], as_of: dt.date, months: int) -> bool:
    with sessions() as s:
        return summaries.is_current(s, RFM, as_of, months)


def _counted(sessions: sessionmaker[Session], as_of: dt.date, months: int) -> dict[str, int]:
    """The summary when it is current for the date (a read of it, 0.05 s); else the summary
    shifted to the date when it holds one near it (rfm_shift.py, 0.15–0.65 s); live otherwise
    (0.6–0.9 s)."""
    if not _summary_holds(sessions, as_of, months):
        with sessions() as s:
            held = rfm_shift.summary_date(s, months)
            shifted = (rfm_shift.shifted_counts(s, held, as_of, months)
                       if held is not None else None)
        if shifted is not None:
            return shifted
        return {c.key: c.customers
                for c in segments.rfm(sessions, as_of, months=months, use_summary=False).classes}
    result = segments.rfm(sessions, as_of, months=months, use_summary=True)
    return {c.key: c.customers for c in result.classes}


def class_counts(sessions: sessionmaker[Session], as_of: dt.date,
                 months: int = rfm_mod.DEFAULT_MONTHS) -> dict[str, int]:
    """Customers per RFM class key on `as_of` (mean thresholds), as segments.rfm counts them:
    kept, or from the RFM summary when it holds that date or one near it, or live (and kept).
    Never rebuilds the summary for another date."""
    built_for = f"{as_of.isoformat()} {months}m"
    with sessions() as s:
        source = _source(s)
        stored = s.scalar(select(AppSetting.value).where(AppSetting.key == KEY))
    if source is not None:
        kept = _kept(stored, source).get(built_for)
        if kept is not None:
            return kept
    counts = _counted(sessions, as_of, months)
    if source is None:
        return counts
    # A second try: the dashboard asks for two dates at once, and when the row does not exist
    # yet both insert it, one of them refused; the second try finds the row and adds to it.
    for attempt in (1, 2):
        try:
            _keep(sessions, built_for, counts, source)
            break
        except DBAPIError as exc:  # read-only, busy, or stored by another PC at that moment
            if attempt == 2:
                log.info("RFM counts for %s not kept: %s", built_for, exc)
    return counts
