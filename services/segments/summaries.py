"""Stored answers for the two template questions whose live query is slow at dealer-group scale
(docs/segments.md, "Summaries"): per customer R, F and M of an RFM window (grouping 600,000
spends by customer costs 0.4 s on SQLite on every question), and per vehicle the estimated km
on a date (two reading look-ups per vehicle: the km-floor matrix).

Each is a cache, never the truth. It holds the answer for one evaluation date (and window) at a
time and is current only while its data stamp — raised by database triggers on every change to
the rows it summarises, whoever writes them (models/summary.py; on SQLite an insert shows as a
new row count) — still has the value it had at build time. `ensure` checks that and, after a
change or for another date or window, rebuilds it in one transaction; if it cannot be written
(a read-only file or login, a database locked for too long, a full disk) the caller answers with
the live query and nothing else is touched. Queries then read it through `rfm_values()` /
`km_values()`, whose rows vanish if another PC rebuilt it for another date or window in the
meantime: the answer then falls back to the live query, never mixes two windows.

Each function takes a session or a Core connection (`segment matrix` reads with one and no ORM)
and reads the Core tables of models/tables.py."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    Connection,
    Dialect,
    Select,
    Table,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from models.tables import (
    MILEAGE_STAMP,
    SPEND_STAMP,
    data_stamp,
    km_summary,
    mileage_reading,
    other_purchase,
    rfm_summary,
    service_visit,
    summary_state,
    vehicle,
)
from services.segments import mileage
from services.segments.context import Ctx, Question
from services.segments.sqlx import sqlite_only

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Reader = Session | Connection

log = logging.getLogger(__name__)


def dialect(session: Reader) -> Dialect:
    """The database's dialect, without starting a transaction."""
    return session.dialect if isinstance(session, Connection) else session.get_bind().dialect


def connection(session: Reader) -> Connection:
    """The Core connection a session reads with (the connection itself for one)."""
    return session if isinstance(session, Connection) else session.connection()


@dataclass(frozen=True)
class Summary:
    name: str  # its row in summary_state
    stamp: str  # the data_stamp it depends on
    watched: tuple[Table, ...]  # whose inserts SQLite notices by their row count
    table: Table
    # The live rows to store, in the table's column order, for (session, what it is built for).
    rows: Callable[[Reader, dt.date, int | None], Select]

    def seen_rows(self) -> ColumnElement[int]:
        """On SQLite the watched tables' total row count (a count(*) is a quick index walk:
        14 ms for 2.5M spends); 0 on PostgreSQL, whose triggers see inserts."""
        counts = [select(func.count()).select_from(t).scalar_subquery() for t in self.watched]
        return sqlite_only(functools.reduce(operator.add, counts))


def _rfm_rows(_session: Reader, as_of: dt.date, months: int | None) -> Select:
    # The spends come from the derived fields, on the ORM's tables: loaded to build it only.
    from services.segments import rfm

    assert months is not None, "the RFM summary is always built for a window"
    return rfm.window_values(as_of, months)


def _km_rows(session: Reader, as_of: dt.date, _months: int | None) -> Select:
    V = vehicle
    ctx = Ctx(Question(as_of), customer_key=V.c.customer_id,
              lateral=dialect(session).name == "postgresql", vehicle=V)
    km = mileage.estimated_km(ctx)
    # In vehicle order, so SQLite reads the readings index front to back (2.5 s → 0.6 s).
    return select(V.c.id, km).select_from(ctx.outerjoin_all(V)).order_by(V.c.id)


RFM = Summary("rfm", SPEND_STAMP, (service_visit, other_purchase), rfm_summary, _rfm_rows)
KM = Summary("km", MILEAGE_STAMP, (mileage_reading,), km_summary, _km_rows)


def _built_for(q: Question) -> str:
    return q.as_of.isoformat() if q.months is None else f"{q.as_of.isoformat()} {q.months}m"


def _held(summary: Summary, q: Question) -> list[ColumnElement[bool]]:
    return [summary_state.c.name == summary.name, summary_state.c.built_for == _built_for(q)]


def _holds(summary: Summary, q: Question):
    """True while `summary` holds the answer to `q`, whether or not its data changed since (a
    rebuild replaces rows and state in one transaction)."""
    return exists().where(*_held(summary, q))


SEEN_ROWS_KEY = "revisit_seen_rows"


def seen_rows_now(session: Reader, summary: Summary) -> int:
    """`summary.seen_rows()` as it is now, counted once per database connection and change.

    Counting is the dearest part of the currency check on SQLite (11 ms of RFM's 0.09 s for the
    200k demo's spends, 18 ms for its readings). A connection that has counted keeps the count
    with SQLite's own markers of change, PRAGMA data_version (moved by every commit of another
    connection, in any process) and its own total_changes; while both are what they were, no
    row was added anywhere and the count is the same."""
    conn = connection(session)
    if conn.dialect.name != "sqlite":
        return 0
    raw = conn.connection.dbapi_connection
    version = conn.exec_driver_sql("PRAGMA data_version").scalar_one()
    mark = (version, getattr(raw, "total_changes", None))
    counted: dict[str, tuple[tuple, int]] = conn.info.setdefault(SEEN_ROWS_KEY, {})
    known = counted.get(summary.name)
    if known is not None and mark[1] is not None and known[0] == mark:
        return known[1]
    rows = int(session.execute(select(summary.seen_rows())).scalar_one())
    counted[summary.name] = (mark, rows)
    return rows


def _current(session: Reader, summary: Summary) -> ColumnElement[bool]:
    """The held summary's stamp and seen rows are the data's now (with `_held`: current)."""
    return ((data_stamp.c.name == summary.stamp) & (data_stamp.c.value == summary_state.c.stamp)
            & (summary_state.c.seen_rows == seen_rows_now(session, summary)))


def is_current(session: Reader, summary: Summary, as_of: dt.date,
               months: int | None = None) -> bool:
    """`summary` holds (as_of, months) and nothing it summarises changed since it was built."""
    current = exists().where(*_held(summary, Question(as_of, months)),
                             _current(session, summary))
    return bool(session.scalar(select(current)))


def rfm_values(as_of: dt.date, months: int) -> Subquery:
    """customer_id, r (days), f (spends), m (cents) per customer with a spend in the window, as
    stored; no rows unless the RFM summary holds that window (call `ensure` first)."""
    t = rfm_summary.c
    return (
        select(t.customer_id, t.recency_days.label("r"), t.spends.label("f"), t.cents.label("m"))
        .where(_holds(RFM, Question(as_of, months)))
        .subquery("rfm_summary")
    )


def rfm_mean_classes(session: Reader, as_of: dt.date,
                     months: int) -> list[tuple[int, int, int, int, int, int]] | None:
    """Customers per class key (4·R up + 2·F up + M up) with the mean thresholds, read from the
    RFM summary, with the totals the means come from: rows of (key, customers, n, ΣR, ΣF, ΣM),
    as templates.rfm_query answers. None when the summary does not hold the window or is not
    current (the caller makes it so and asks again, or asks live), or was rebuilt meanwhile.

    Two statements where rfm_query has one: the totals, with the currency check in the same
    statement, then the keys grouped with the totals as parameters. Joined into every row the
    totals cost 0.02–0.03 s of 0.1 s (169,000 customers, SQLite), and a check of its own one
    more round trip."""
    q, state, t = Question(as_of, months), summary_state.c, rfm_summary.c
    totals = select(func.count().label("n"), func.sum(t.recency_days).label("r"),
                    func.sum(t.spends).label("f"), func.sum(t.cents).label("m")).subquery("t")
    row = session.execute(
        select(state.stamp, state.seen_rows, _current(session, RFM), totals.c.n, totals.c.r,
               totals.c.f, totals.c.m)
        .select_from(summary_state)
        .join(data_stamp, data_stamp.c.name == RFM.stamp)
        .join(totals, true())
        .where(*_held(RFM, q))
    ).one_or_none()
    if row is None or not row[2]:
        return None
    stamp, seen_rows, _, n, *sums = row
    if not n:
        return []
    # PostgreSQL sums bigints as numeric; whole numbers either way.
    sum_r, sum_f, sum_m = (int(v) for v in sums)
    # x ≥ mean ⇔ x·n ≥ Σx, in whole numbers as rfm.flags compares them.
    key = (case((t.recency_days * n <= sum_r, 4), else_=0)
           + case((t.spends * n >= sum_f, 2), else_=0)
           + case((t.cents * n >= sum_m, 1), else_=0)).label("k")
    same_build = exists().where(*_held(RFM, q), state.stamp == stamp,
                                state.seen_rows == seen_rows)
    keyed = select(key).where(same_build).subquery("keyed")
    counts = session.execute(
        select(keyed.c.k, func.count()).group_by(keyed.c.k)).all()
    if sum(c for _, c in counts) != n:  # rebuilt between the two statements
        return None
    return [(k, c, n, sum_r, sum_f, sum_m) for k, c in counts]


def km_values(as_of: dt.date) -> Subquery:
    """vehicle_id, estimated_km per vehicle, as stored; no rows unless the km summary holds
    that date (call `ensure` first)."""
    return (
        select(km_summary.c.vehicle_id, km_summary.c.estimated_km)
        .where(_holds(KM, Question(as_of)))
        .subquery("km_summary")
    )


def _lock(session: Reader) -> None:
    """Become the one builder: other PCs or threads wait here, readers are not blocked."""
    if dialect(session).name == "postgresql":
        session.execute(text("LOCK TABLE summary_state IN SHARE ROW EXCLUSIVE MODE"))
    else:
        # Any write takes SQLite's write lock, even one that changes no row; until commit no
        # row the summary reads can change either.
        session.execute(update(summary_state).where(false()).values(rows=0))


def _rebuild(session: Reader, summary: Summary, q: Question) -> int:
    session.execute(delete(summary.table))
    session.execute(
        text("INSERT INTO data_stamp (name, value) VALUES (:name, :value) "
             "ON CONFLICT (name) DO NOTHING"),
        {"name": summary.stamp, "value": int(time.time() * 1000)},
    )
    # Read before the rows (PostgreSQL reads each statement afresh): a change committed in
    # between leaves an older stamp here, so the summary is rebuilt again, never trusted stale.
    stamp, seen_rows = session.execute(
        select(data_stamp.c.value, summary.seen_rows())
        .where(data_stamp.c.name == summary.stamp)).one()
    columns = [c.name for c in summary.table.columns]
    session.execute(insert(summary.table).from_select(
        columns, summary.rows(session, q.as_of, q.months)))
    rows = session.execute(select(func.count()).select_from(summary.table)).scalar_one()
    session.execute(delete(summary_state).where(summary_state.c.name == summary.name))
    session.execute(insert(summary_state).values(
        name=summary.name, built_for=_built_for(q), stamp=stamp,
        seen_rows=seen_rows, rows=rows,
        # Naive UTC, as models/base.py utcnow() stamps every row.
        built_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))
    return rows


def refresh(session: Reader, summary: Summary, as_of: dt.date,
            months: int | None = None) -> int:
    """Rebuild `summary` for (as_of, months) in one transaction and commit; its rows."""
    _lock(session)
    rows = _rebuild(session, summary, Question(as_of, months))
    session.commit()
    return rows


def ensure(session: Reader, summary: Summary, as_of: dt.date,
           months: int | None = None) -> bool:
    """Make `summary` current for (as_of, months) if it is not; False when it cannot be
    written, and the caller asks the live query instead."""
    if is_current(session, summary, as_of, months):
        return True
    started = time.perf_counter()
    try:
        _lock(session)
        # Whoever held the lock before us may have built just this.
        rows = None if is_current(session, summary, as_of, months) else _rebuild(
            session, summary, Question(as_of, months))
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        log.warning("%s summary not rebuilt, answering live: %s", summary.name, exc)
        return False
    if rows is not None:
        log.info("%s summary for %s: %d rows in %.2f s", summary.name,
                 _built_for(Question(as_of, months)), rows, time.perf_counter() - started)
    return True
