"""RFM class counts on a past date (the dashboard's "a month earlier"), kept between questions.

The live RFM query for another date costs 0.8 s at 200,000 customers, and asking the stored RFM
summary for it would rebuild the summary twice (for that date, then for today again). So the
counts are kept in one `app_setting` row (key KEY, JSON) with what they were computed from: the
date, the window, and the spend data stamp with the spend tables' row count (the same test the
RFM summary uses to know it is current, services/segments/summaries.py). Any change to a spend
since then — whoever made it, the triggers raise the stamp — makes the row stale, and the counts
are computed live again. Like the summaries it is a cache, never the truth: if it cannot be
written (a read-only file or login, a locked database) the live answer is returned anyway."""

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
from services.segments import rfm as rfm_mod
from services.segments import service as segments
from services.segments.summaries import RFM
from services.store.settings import store_row

log = logging.getLogger(__name__)
KEY = "report.rfm_history"
WAIT_MS = 200


def _source(s: Session) -> list[int] | None:
    """What the counts depend on; None while the spend stamp does not exist yet (the first
    RFM summary build creates it), when nothing can be kept."""
    stamp = s.scalar(select(DataStamp.value).where(DataStamp.name == RFM.stamp))
    if stamp is None:
        return None
    return [int(stamp), int(s.scalar(select(RFM.seen_rows())) or 0)]


def _keep(sessions: sessionmaker[Session], text: str) -> None:
    """Store the row, waiting at most WAIT_MS for the write lock: the counts are an extra, and
    a colleague's long import must not hold up the dashboard for the usual lock wait."""
    with sessions() as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        try:
            if sqlite:
                s.execute(sql_text(f"PRAGMA busy_timeout = {WAIT_MS}"))
            else:
                s.execute(sql_text(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'"))
            exists = s.scalar(select(AppSetting.version).where(AppSetting.key == KEY)) is not None
            store_row(s, KEY, text, None, exists=exists)
            s.commit()
        finally:
            if sqlite:  # the connection goes back to the pool with its usual wait
                s.rollback()
                s.execute(sql_text(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}"))


def class_counts(sessions: sessionmaker[Session], as_of: dt.date,
                 months: int = rfm_mod.DEFAULT_MONTHS) -> dict[str, int]:
    """Customers per RFM class key on `as_of` (mean thresholds), as segments.rfm counts them."""
    built_for = f"{as_of.isoformat()} {months}m"
    with sessions() as s:
        source = _source(s)
        stored = s.scalar(select(AppSetting.value).where(AppSetting.key == KEY))
    if stored and source is not None:
        try:
            data = json.loads(stored)
            if data.get("for") == built_for and data.get("source") == source:
                return {k: int(v) for k, v in data["counts"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # unreadable: computed again and replaced below
    result = segments.rfm(sessions, as_of, months=months, use_summary=False)
    counts = {c.key: c.customers for c in result.classes}
    if source is None:
        return counts
    text = json.dumps({"for": built_for, "source": source, "counts": counts}, sort_keys=True)
    try:
        _keep(sessions, text)
    except DBAPIError as exc:  # read-only, busy, or stored by another PC at the same moment
        log.info("RFM counts for %s not kept: %s", built_for, exc)
    return counts
