"""Deterministic demo data at dealer-group scale: customers with their cars, visits, surveys,
complaints, contacts, profile histories with real trends, preferences, consent and tags,
referrals and declined repair items, and a few makes' own service intervals.

Rows are generated in chunks of customers and bulk-written (executemany on SQLite, COPY on
PostgreSQL), so memory stays bounded whatever the size. Each chunk is committed on its own with
the demo's note of what it made (services/demo/batches.py): the demo only ever adds to a
database holding nothing but demo data, never deletes, and a run stopped half-way (killed,
cancelled, failed) is finished by `resume`. Ids are assigned here, above the largest id already
stored."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text

from models import AppSetting, Base
from services.demo import DEMO_PASSWORD
from services.demo import data as ref
from services.demo.batches import BatchWriter, DemoNote, checked_note, read_note
from services.demo.extras import Extras
from services.demo.rows import INTERVALS, CustomerRows, RowSet, make_customer_rows
from services.staff.passwords import shared_hash
from services.store.database import Database
from services.store.errors import N_, CancelToken, Progress, RevisitError
from services.store.settings import store_row

# Written in this order (parents before children).
TABLES = (
    "staff_user",
    "tag_group",
    "tag",
    "service_interval",
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
    "referral",
    "referral_by_customer",
    "declined_item",
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

# A new database has no shop name or SMS signature; the demo's shop has these, so its SMS files
# and {店名} texts come out complete. Plainly a demonstration, never a real dealer's.
DEMO_SETTINGS = {"shop_name": "示范汽车服务中心", "sms_signature": "【示范汽车】"}


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
    customers: int = 0,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    resume: bool = False,
    batch: int | None = None,
) -> DemoSummary:
    """Add `customers` demo customers (and everything about them) to a database holding
    nothing but earlier demo data, one committed batch at a time (services/demo/batches.py).
    With `resume`, finish the run a killed or cancelled demo left half-done instead (its
    count, seed and day; the arguments are ignored). A cancelled run keeps its batches and
    is resumable like a killed one. `batch`: customers per committed batch (default CHUNK)."""
    if not resume:
        check_count(customers)
    note = checked_note(database, resume=resume)
    if resume:
        assert note.run is not None
        customers, seed = note.run["customers"], note.run["seed"]
        today = dt.date.fromisoformat(note.run["today"])
    today = today or dt.date.today()
    started = time.perf_counter()
    _store_demo_settings(database)
    offsets = _current_max_ids(database)
    # The batch size is kept too: a batch's rows depend on where it starts.
    run = note.run or {"customers": customers, "seed": seed, "today": today.isoformat(),
                       "base": offsets["customer"], "done": 0, "chunk": max(1, batch or CHUNK)}
    note.run = run
    base, done, chunk = run["base"], run["done"], run["chunk"]
    counts = dict.fromkeys(TABLES, 0)
    writer = BatchWriter(database, TABLES)
    try:
        writer.write({}, note)  # "a demo is under way" is stored before any of its rows
        staff_ids, tag_ids = _write_vocabulary(database, writer, offsets, counts, note)
        next_ids = {t: offsets[t] for t in TABLES}
        plates = _stored_plates(database)
        for start in range(done, customers, chunk):
            if cancel is not None:
                cancel.check()
            size = min(chunk, customers - start)
            rng = random.Random(seed * 1_000_003 + start)
            rows = RowSet(next_ids, plates)
            facts = [
                make_customer_rows(
                    CustomerRows(rng, base + start + i + 1, today, staff_ids, tag_ids), rows
                )
                for i in range(size)
            ]
            # A stream of their own: the customers' rows stay what this seed always gave.
            extras = Extras(random.Random(f"demo-extras:{seed}:{start}"), today.toordinal(),
                            staff_ids)
            extras.add(facts, rows)
            _count(note, counts, rows.tables)
            run["done"] = start + size
            if start + size == customers:
                note.run = None  # the last batch ends the run
            writer.write(rows.tables, note)
            if progress is not None:
                progress(start + size, customers)
        if note.run is not None:  # nothing left to write (a resume of a finished last batch)
            note.run = None
            writer.write({}, note)
    finally:
        writer.close()
    return DemoSummary(
        customers=customers - done,
        seed=seed,
        rows={t: n for t, n in counts.items() if n},
        seconds=time.perf_counter() - started,
    )


def _count(note: DemoNote, counts: dict[str, int], tables: dict[str, list[tuple]]) -> None:
    for table, table_rows in tables.items():
        counts[table] += len(table_rows)
        note.rows[table] = note.rows.get(table, 0) + len(table_rows)


def stopped_run(database: Database) -> bool:
    """Whether a demo run stopped half-way in this database (see `generate(resume=True)`)."""
    with database.engine.connect() as conn:
        return read_note(conn).run is not None


def check_count(customers: int) -> None:
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise RevisitError(
            N_("The number of demo customers must be between 1 and {max}, not {n}."),
            max=f"{MAX_CUSTOMERS:,}",
            n=customers,
        )


def _store_demo_settings(database: Database) -> None:
    """DEMO_SETTINGS, each where the database has no value of its own: a shop name or
    signature a supervisor stored stays."""
    with database.sessions.begin() as s:
        stored = {key: value for key, value in s.execute(
            select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(DEMO_SETTINGS)))}
        for key, value in DEMO_SETTINGS.items():
            if not (stored.get(key) or "").strip():
                store_row(s, key, value, None, exists=key in stored)


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


def _stored_plates(database: Database) -> set[str]:
    """The plates of the cars already stored (an earlier demo's, or this one's before it was
    stopped): a resumed run draws the plates an uninterrupted one would have."""
    vehicle = Base.metadata.tables["vehicle"]
    with database.engine.connect() as conn:
        return set(conn.execute(select(vehicle.c.plate).where(vehicle.c.plate.is_not(None)))
                   .scalars())


def _write_vocabulary(database: Database, writer: BatchWriter, offsets, counts,
                      note: DemoNote) -> tuple[list[int], list[int]]:
    """Staff, the tag vocabulary and the demo's service intervals, reused if present (matched
    by name, or brand and model), in one batch."""
    with database.engine.connect() as conn:
        existing_staff: dict[str, int] = {
            u: i for u, i in conn.execute(text("SELECT username, id FROM staff_user"))}
        existing_groups: dict[str, int] = {
            n: i for n, i in conn.execute(text("SELECT name, id FROM tag_group"))}
        existing_tags = {
            (g, n): i for g, n, i in conn.execute(text("SELECT group_id, name, id FROM tag")).all()
        }
        existing_intervals = {(b, m) for b, m in conn.execute(
            text("SELECT brand, model FROM service_interval"))}
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
    interval_rows = []
    iid = offsets["service_interval"]
    for (brand, model), values in INTERVALS.items():
        if (brand, model) not in existing_intervals:
            iid += 1
            interval_rows.append((iid, brand, model, *values, created, None))
    vocabulary: dict[str, list[tuple]] = {
        "staff_user": staff_rows, "tag_group": group_rows, "tag": tag_rows,
        "service_interval": interval_rows}
    if staff_rows or group_rows or tag_rows or interval_rows:
        _count(note, counts, vocabulary)
        writer.write(vocabulary, note)
    # Only clerks own customers and make calls.
    clerks = [sid for sid, (_, _, role) in zip(staff_ids, STAFF, strict=True) if role == "clerk"]
    return clerks, tag_ids


__all__ = ["DEMO_PASSWORD", "DemoSummary", "generate", "ref"]
