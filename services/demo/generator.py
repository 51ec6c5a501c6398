"""Deterministic demo data at dealer-group scale: customers with their cars, visits, surveys,
complaints, contacts, profile histories with real trends, preferences, consent and tags.

Rows are generated in chunks of customers and bulk-written (executemany on SQLite, COPY on
PostgreSQL), so memory stays bounded whatever the size. Ids are assigned here, above the largest
id already stored, so existing data is never touched; a failed or cancelled run deletes exactly
the rows it added."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, text

from models import Base
from services.demo import DEMO_PASSWORD
from services.demo import data as ref
from services.demo.rows import CustomerRows, RowSet, make_customer_rows
from services.staff.passwords import shared_hash
from services.store.database import Database
from services.store.errors import N_, CancelToken, RevisitError

Progress = Callable[[int, int], None]

# Written in this order (parents before children); deleted in reverse on failure.
TABLES = (
    "staff_user",
    "tag_group",
    "tag",
    "customer",
    "vehicle",
    "mileage_reading",
    "service_visit",
    "other_purchase",
    "satisfaction_survey",
    "complaint",
    "contact_event",
    "purchase_intent",
    "profile_change",
    "contact_preference",
    "do_not_contact",
    "consent_event",
    "customer_tag",
)
CHUNK = 2000
MAX_CUSTOMERS = 2_000_000

STAFF = (
    ("supervisor", "王主管", "supervisor"),
    ("chenli", "陈丽", "clerk"),
    ("liuyang", "刘洋", "clerk"),
    ("zhaomin", "赵敏", "clerk"),
    ("huangjing", "黄静", "clerk"),
    ("zhoutao", "周涛", "clerk"),
    ("wufang", "吴芳", "clerk"),
    ("sunhao", "孙浩", "clerk"),
)
TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "行业": ("制造业", "批发零售", "金融", "教育", "医疗", "IT互联网", "公务员", "个体经营"),
    "渠道": ("展厅到店", "网络线索", "老客户转介绍", "车展", "电话营销"),
    "兴趣": ("自驾游", "越野", "亲子", "摄影", "钓鱼", "新能源", "改装"),
    "客群": ("老年人", "宝妈宝爸", "企业主", "年轻白领", "车友会会员", "网约车司机"),
}


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    seed: int
    rows: dict[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(
    database: Database,
    customers: int,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> DemoSummary:
    """Add `customers` demo customers (and everything about them) to the database."""
    check_count(customers)
    today = today or dt.date.today()
    started = time.perf_counter()
    writer = _writer_for(database)
    offsets = _current_max_ids(database)
    counts = dict.fromkeys(TABLES, 0)
    try:
        staff_ids, tag_ids = _write_vocabulary(writer, offsets, counts)
        base = offsets["customer"]
        next_ids = {t: offsets[t] for t in TABLES}
        for start in range(0, customers, CHUNK):
            if cancel is not None:
                cancel.check()
            size = min(CHUNK, customers - start)
            rng = random.Random(seed * 1_000_003 + start)
            rows = RowSet(next_ids)
            for i in range(size):
                make_customer_rows(
                    CustomerRows(rng, base + start + i + 1, today, staff_ids, tag_ids), rows
                )
            writer.write_all(rows.tables)
            for table, table_rows in rows.tables.items():
                counts[table] += len(table_rows)
            if progress is not None:
                progress(start + size, customers)
        writer.finish()
    except BaseException:
        writer.abort()
        _delete_added(database, offsets)
        raise
    return DemoSummary(
        customers=customers,
        seed=seed,
        rows={t: n for t, n in counts.items() if n},
        seconds=time.perf_counter() - started,
    )


def check_count(customers: int) -> None:
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise RevisitError(
            N_("The number of demo customers must be between 1 and {max}, not {n}."),
            max=f"{MAX_CUSTOMERS:,}",
            n=customers,
        )


def _current_max_ids(database: Database) -> dict[str, int]:
    out: dict[str, int] = {}
    with database.engine.connect() as conn:
        for name in TABLES:
            table = Base.metadata.tables[name]
            if "id" in table.c:
                out[name] = conn.execute(
                    select(func.coalesce(func.max(table.c.id), 0))
                ).scalar_one()
            else:
                out[name] = 0
    return out


def _write_vocabulary(writer, offsets, counts) -> tuple[list[int], list[int]]:
    """Staff and the tag vocabulary, reused if present (matched by name)."""
    with writer.engine.begin() as conn:
        existing_staff = dict(conn.execute(text("SELECT username, id FROM staff_user")).all())
        existing_groups = dict(conn.execute(text("SELECT name, id FROM tag_group")).all())
        existing_tags = {
            (g, n): i for g, n, i in conn.execute(text("SELECT group_id, name, id FROM tag")).all()
        }
    staff_rows, staff_ids = [], []
    next_id = offsets["staff_user"]
    created = "2015-01-05 09:00:00.000000"
    for username, display, role in STAFF:
        if username in existing_staff:
            staff_ids.append(existing_staff[username])
            continue
        next_id += 1
        staff_rows.append((next_id, username, display, role, True, created,
                           shared_hash(DEMO_PASSWORD), created, None))
        staff_ids.append(next_id)
    group_rows, tag_rows, tag_ids = [], [], []
    gid, tid = offsets["tag_group"], offsets["tag"]
    for order, (group, tags) in enumerate(TAG_GROUPS.items()):
        if group in existing_groups:
            group_id = existing_groups[group]
        else:
            gid += 1
            group_id = gid
            group_rows.append((group_id, group, None, order))
        for tag in tags:
            if (group_id, tag) in existing_tags:
                tag_ids.append(existing_tags[(group_id, tag)])
                continue
            tid += 1
            tag_rows.append((tid, group_id, tag, None, True))
            tag_ids.append(tid)
    writer.write_all({"staff_user": staff_rows, "tag_group": group_rows, "tag": tag_rows})
    counts["staff_user"] += len(staff_rows)
    counts["tag_group"] += len(group_rows)
    counts["tag"] += len(tag_rows)
    # Only clerks own customers and make calls.
    clerks = [sid for sid, (_, _, role) in zip(staff_ids, STAFF, strict=True) if role == "clerk"]
    return clerks, tag_ids


def _delete_added(database: Database, offsets: dict[str, int]) -> None:
    """Remove exactly the rows this run added (ids above the offsets), children first."""
    with database.engine.begin() as conn:
        for name in reversed(TABLES):
            table = Base.metadata.tables[name]
            if "id" in table.c:
                conn.execute(table.delete().where(table.c.id > offsets[name]))
            elif "customer_id" in table.c:
                conn.execute(table.delete().where(table.c.customer_id > offsets["customer"]))


def _writer_for(database: Database):
    from services.store.bulk import PostgresWriter, SqliteWriter

    if database.is_sqlite:
        return SqliteWriter(database.engine, TABLES)
    return PostgresWriter(database.engine, TABLES)


__all__ = ["DEMO_PASSWORD", "DemoSummary", "generate", "ref"]
