"""Service reminders (保养提醒): maintenance intervals per brand or model, each car's next
maintenance due date (the SQL of services/segments/maintenance.py, so a segment, a list and the
brief give the same date; a car with no maintenance on record whose 首保 fell due over a year
ago follows the regular schedule and says so), and declined repair items (建议维修项目) kept
open until done or refused for good."""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, DeclinedItem, ServiceInterval, ServiceVisit, StaffUser, Vehicle
from models.base import utcnow
from models.codes import DECLINED_SOURCES, DECLINED_STATUSES
from services.customers.gone import customer_gone
from services.labels import car_name
from services.segments import maintenance
from services.segments.context import Ctx, Question, V
from services.staff.accounts import confirm
from services.staff.audit import record
from services.staff.permissions import SAVE_SETTINGS, Actor, require, staff_id
from services.store import versions
from services.store.errors import N_, RevisitError, StaleEdit

Interval = maintenance.Interval
DEFAULT_INTERVAL = maintenance.DEFAULT_INTERVAL
ITEM_MAX = 200


# --- intervals ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IntervalRow:
    brand: str  # '' = every car without a row of its own
    model: str  # '' = the whole brand
    interval: Interval
    id: int | None = None  # None: the built-in default for every car (no row stored)
    updated_at: dt.datetime | None = None
    updated_by: str = ""  # who stored it ('' when nobody was named)

    def same_as_stored(self, row: ServiceInterval) -> bool:
        return (self.brand, self.model, self.interval, self.updated_at) == (
            row.brand, row.model, _interval_of(row), row.updated_at)


@dataclass(frozen=True)
class IntervalTable:
    """The intervals as the Settings window lists them: every car's first (the built-in
    default when none is stored), then by brand and model; how many active cars each one
    governs; and the brands and models of the cars on file, to pick from."""

    rows: tuple[IntervalRow, ...]
    cars: tuple[int, ...]  # per row
    models: tuple[tuple[str, tuple[str, ...]], ...]  # (brand, its models)


# A save refused because the interval changed since the editor loaded the list; the window
# offers to reload (ui/dialogs/stale_edit.py).
INTERVAL_CHANGED = (
    N_("{who} changed this service interval at {when} since you loaded the intervals; reload "
       "to see their change."),
    N_("This service interval was changed at {when} since you loaded the intervals; reload "
       "to see the change."),
)
INTERVAL_TAKEN = (
    N_("{who} set a service interval for this brand and model at {when} since you loaded the "
       "intervals; reload to see it."),
    N_("A service interval for this brand and model was set at {when} since you loaded the "
       "intervals; reload to see it."),
)
INTERVAL_GONE = N_("This service interval was removed since you loaded the intervals; reload "
                   "to see the intervals as they are now.")


def _interval_of(row: ServiceInterval) -> Interval:
    return Interval(row.first_km, row.first_months, row.every_km, row.every_months)


def intervals(sessions: sessionmaker[Session]) -> tuple[IntervalRow, ...]:
    """The stored intervals, every car's first, then by brand and model."""
    with sessions() as s:
        return tuple(_rows(s))


def _rows(s: Session) -> list[IntervalRow]:
    stmt = (select(ServiceInterval, StaffUser.display_name, StaffUser.username)
            .outerjoin(StaffUser, StaffUser.id == ServiceInterval.updated_by)
            .order_by(ServiceInterval.brand, ServiceInterval.model))
    return [IntervalRow(r.brand, r.model, _interval_of(r), r.id, r.updated_at,
                        name or user or "")
            for r, name, user in s.execute(stmt)]


def interval_table(sessions: sessionmaker[Session]) -> IntervalTable:
    """The intervals with the cars each governs: a model's row its model's cars, a brand's row
    that brand's other cars, every car's row all the rest (services/segments/maintenance.py
    picks the same row for a car)."""
    with sessions() as s:
        rows = _rows(s)
        counts = {(b or "", m or ""): n for b, m, n in s.execute(
            select(Vehicle.brand, Vehicle.model, func.count()).where(Vehicle.active.is_(True))
            .group_by(Vehicle.brand, Vehicle.model))}
    if not rows or rows[0].brand:
        rows.insert(0, IntervalRow("", "", DEFAULT_INTERVAL))
    keys = {(r.brand, r.model) for r in rows}
    governed: dict[tuple[str, str], int] = dict.fromkeys(keys, 0)
    for (brand, model), n in counts.items():
        key = next(k for k in ((brand, model), (brand, ""), ("", "")) if k in keys)
        governed[key] += n
    models: dict[str, set[str]] = {}
    for brand, model in counts:
        if brand:
            models.setdefault(brand, set()).update([model] if model else [])
    return IntervalTable(tuple(rows), tuple(governed[(r.brand, r.model)] for r in rows),
                         tuple((b, tuple(sorted(ms))) for b, ms in sorted(models.items())))


def _checked(interval: Interval, brand: str, model: str) -> tuple[str, str, tuple[int, ...]]:
    brand, model = brand.strip(), model.strip()
    if model and not brand:
        raise RevisitError(N_("A model's service interval needs its brand too."))
    values = (interval.first_km, interval.first_months, interval.every_km, interval.every_months)
    if min(values) < 1:
        raise RevisitError(N_("Service intervals must be at least 1 km and 1 month."))
    return brand, model, values


def set_interval(sessions: sessionmaker[Session], actor: Actor | None, interval: Interval, *,
                 brand: str = "", model: str = "") -> None:
    """Store the interval for a model, a brand (model '') or every car (both ''); a
    supervisor's setting, like the others every PC shares. The last save wins (the CLI);
    the window saves with `save_interval`, which refuses a row changed since it was loaded."""
    require(actor, SAVE_SETTINGS)
    brand, model, values = _checked(interval, brand, model)
    with sessions.begin() as s:
        row = s.scalar(select(ServiceInterval).where(ServiceInterval.brand == brand,
                                                     ServiceInterval.model == model))
        if row is None:
            row = ServiceInterval(brand=brand, model=model)
            s.add(row)
        (row.first_km, row.first_months, row.every_km, row.every_months) = values
        row.updated_by = actor.id if actor else None
        record(s, actor, "set_service_interval", "service_interval", None,
               {"brand": brand, "model": model, "interval": values})


def _locked(s: Session, loaded: IntervalRow) -> ServiceInterval:
    """The stored row `loaded` shows, under its write lock, if nobody changed or removed it
    since (service_interval has no version column: its values and time of change say it)."""
    si = ServiceInterval.__table__
    # A write that changes nothing, before the read: two saves cannot both pass the check.
    s.execute(update(si).where(si.c.id == loaded.id).values(updated_at=si.c.updated_at))
    row = s.get(ServiceInterval, loaded.id, populate_existing=True)
    if row is None:
        raise StaleEdit(INTERVAL_GONE)
    if not loaded.same_as_stored(row):
        raise versions.stale(INTERVAL_CHANGED, versions.staff_name(s, row.updated_by),
                             row.updated_at)
    return row


def _taken(s: Session, brand: str, model: str) -> ServiceInterval | None:
    return s.scalar(select(ServiceInterval).where(ServiceInterval.brand == brand,
                                                  ServiceInterval.model == model))


def save_interval(sessions: sessionmaker[Session], actor: Actor | None, interval: Interval, *,
                  brand: str, model: str, loaded: IntervalRow | None) -> None:
    """Add an interval (`loaded` None, or the built-in default of every car) or change the
    stored one the editor loaded, brand and model included. Refused (StaleEdit) when that row
    was changed or removed since, or another interval for the brand and model was stored."""
    brand, model, values = _checked(interval, brand, model)
    try:
        with sessions.begin() as s:
            who = require(confirm(s, actor), SAVE_SETTINGS)
            row = None if loaded is None or loaded.id is None else _locked(s, loaded)
            other = _taken(s, brand, model)
            if other is not None and other is not row:
                raise versions.stale(INTERVAL_TAKEN, versions.staff_name(s, other.updated_by),
                                     other.updated_at)
            before = None if row is None else [row.brand, row.model,
                                               list(astuple(_interval_of(row)))]
            if row is None:
                row = ServiceInterval(brand=brand, model=model)
                s.add(row)
            row.brand, row.model = brand, model
            (row.first_km, row.first_months, row.every_km, row.every_months) = values
            row.updated_at, row.updated_by = utcnow(), staff_id(who)
            s.flush()
            record(s, who, "set_service_interval", "service_interval", row.id,
                   {"brand": brand, "model": model, "interval": values, "before": before})
    except IntegrityError:  # stored by another save between the check and this insert
        with sessions() as s:
            other = _taken(s, brand, model)
            raise versions.stale(INTERVAL_TAKEN, versions.staff_name(
                s, other.updated_by if other else None), other.updated_at if other else None
            ) from None


def remove_interval(sessions: sessionmaker[Session], actor: Actor | None,
                    loaded: IntervalRow) -> None:
    """Remove a stored interval, if nobody changed it since it was loaded: its cars then follow
    their brand's interval, else every car's, else the built-in default."""
    if loaded.id is None:
        raise RevisitError(N_("The built-in default interval cannot be removed; change it "
                              "instead."))
    with sessions.begin() as s:
        who = require(confirm(s, actor), SAVE_SETTINGS)
        row = _locked(s, loaded)
        record(s, who, "remove_service_interval", "service_interval", row.id,
               {"brand": row.brand, "model": row.model,
                "interval": list(astuple(_interval_of(row)))})
        s.delete(row)


# --- maintenance due ------------------------------------------------------------------------

@dataclass(frozen=True)
class MaintenanceDue:
    vehicle_id: int
    name: str  # brand, model and plate
    due: dt.date | None  # None: no purchase date and no maintenance visit, so no base
    first_service: bool  # 首保: no maintenance visit yet, bought recently enough
    last_visit: dt.date | None
    last_km: int | None
    # The due date is the one the advisor told the owner at that visit (下次保养日期).
    told: bool = False
    # 保养记录缺失: no maintenance visit on record and the 首保 fell due over a year ago
    # (services/segments/maintenance.py no_record), so due on the regular schedule.
    no_record: bool = False


def due_rows(s: Session, where, as_of: dt.date) -> list[MaintenanceDue]:
    """Each active car matching `where` with its due date on `as_of`, in the caller's
    session."""
    ctx = Ctx(Question(as_of), customer_key=V.c.customer_id,
              lateral=s.get_bind().dialect.name == "postgresql")
    due = maintenance.due_date(ctx)
    last = ctx.joins["last_maintenance"][0]
    stmt = (
        select(V.c.id, V.c.brand, V.c.model, V.c.plate, due, last.c.visit_date, last.c.km,
               maintenance.told(ctx), maintenance.no_record(ctx))
        .select_from(ctx.outerjoin_all(V))
        .where(V.c.active.is_(True), where)
        .order_by(V.c.purchase_date.desc(), V.c.id)
    )
    return [MaintenanceDue(vid, f"{car_name(brand, model)} {plate or ''}".strip(), on,
                           visit is None and not lapsed, visit, km,
                           told is not None and on == told, bool(lapsed))
            for vid, brand, model, plate, on, visit, km, told, lapsed in s.execute(stmt)]


def maintenance_due(sessions: sessionmaker[Session], customer_id: int,
                    as_of: dt.date | None = None) -> tuple[MaintenanceDue, ...]:
    """The customer's cars still owned and when each is next due for maintenance."""
    with sessions() as s:
        return tuple(due_rows(s, V.c.customer_id == customer_id, as_of or dt.date.today()))


# --- declined repair items ------------------------------------------------------------------

def vehicle_id_of(sessions: sessionmaker[Session], customer_id: int, ref: str) -> int:
    """One of the customer's cars by VIN or plate, as typed on a command line."""
    ref = ref.strip().upper()
    with sessions() as s:
        found = s.scalar(select(Vehicle.id).where(
            Vehicle.customer_id == customer_id,
            (Vehicle.vin == ref) | (Vehicle.plate == ref)).order_by(Vehicle.active.desc(),
                                                                    Vehicle.id.desc()))
    if found is None:
        raise RevisitError(N_("The customer has no car with the VIN or plate '{ref}'."),
                           ref=ref)
    return found


@dataclass(frozen=True)
class DeclinedInfo:
    id: int
    customer_id: int
    vehicle_id: int | None
    vehicle: str
    item: str
    recorded_on: dt.date
    source: str  # models/codes.py DECLINED_SOURCES
    # When it is due: the date given with it, else maintenance.DECLINED_DUE_DAYS after it was
    # noted (the day segments and lists count it due); due_given says which.
    due_on: dt.date
    status: str  # models/codes.py DECLINED_STATUSES, as stored now
    closed_on: dt.date | None
    recorded_by: str
    closed_by: str
    note: str | None
    due_given: bool  # the advisor, the DMS or the caller gave due_on

    def open_on(self, day: dt.date) -> bool:
        return self.recorded_on <= day and (self.closed_on is None or self.closed_on > day)


def record_declined(
    sessions: sessionmaker[Session],
    actor: Actor | None,
    customer_id: int,
    *,
    item: str,
    recorded_on: dt.date,
    due_on: dt.date | None = None,
    vehicle_id: int | None = None,
    visit_id: int | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> DeclinedInfo:
    """A repair the customer did not have done, noted on a visit (`visit_id`) or from a call."""
    text = " ".join(item.split())
    if not text:
        raise RevisitError(N_("Say which repair was declined."))
    if len(text) > ITEM_MAX:
        raise RevisitError(N_("The repair item is longer than {n} characters."), n=ITEM_MAX)
    if recorded_on > (today or dt.date.today()):
        raise RevisitError(N_("The date {date} is in the future."), date=recorded_on.isoformat())
    if due_on is not None and due_on < recorded_on:
        raise RevisitError(N_("The due date {due} is before the day it was noted ({date})."),
                           due=due_on.isoformat(), date=recorded_on.isoformat())
    with sessions.begin() as s:
        if s.get(Customer, customer_id) is None:
            raise customer_gone(s, customer_id)
        if visit_id is not None:
            visit = s.get(ServiceVisit, visit_id)
            if visit is None or visit.customer_id != customer_id:
                raise RevisitError(N_("That service visit is not this customer's."))
            vehicle_id = vehicle_id or visit.vehicle_id
        if vehicle_id is not None:
            car = s.get(Vehicle, vehicle_id)
            if car is None or car.customer_id != customer_id:
                raise RevisitError(N_("That car is not this customer's."))
        row = DeclinedItem(customer_id=customer_id, vehicle_id=vehicle_id, visit_id=visit_id,
                           item=text, recorded_on=recorded_on,
                           source="visit" if visit_id is not None else "call", due_on=due_on,
                           status="open", recorded_by=actor.id if actor else None,
                           note=(note or "").strip() or None)
        assert row.source in DECLINED_SOURCES
        s.add(row)
        s.flush()
        record(s, actor, "add_declined_item", "customer", customer_id,
               {"item": row.id, "text": text, "due": due_on, "vehicle": vehicle_id})
        return _declined(s, DeclinedItem.id == row.id)[0]


def close_declined(sessions: sessionmaker[Session], actor: Actor | None, item_id: int,
                   status: str, *, closed_on: dt.date | None = None) -> DeclinedInfo:
    """Mark an open item done (the work was carried out) or refused (for good)."""
    if status not in DECLINED_STATUSES or status == "open":
        raise RevisitError(N_("An item is closed as done or refused, not '{status}'."),
                           status=status)
    day = closed_on or dt.date.today()
    with sessions.begin() as s:
        # The row's own write lock first, so two people closing it at once do not both pass.
        s.execute(DeclinedItem.__table__.update().where(DeclinedItem.id == item_id)
                  .values(status=DeclinedItem.status))
        row = s.get(DeclinedItem, item_id, populate_existing=True)
        if row is None:
            raise RevisitError(N_("There is no declined repair item {id}."), id=item_id)
        if row.status != "open":
            raise RevisitError(N_("That item was already closed on {date}."),
                               date=row.closed_on.isoformat() if row.closed_on else "?")
        if day < row.recorded_on:
            raise RevisitError(N_("An item cannot be closed before it was noted ({date})."),
                               date=row.recorded_on.isoformat())
        row.status, row.closed_on, row.closed_by = status, day, actor.id if actor else None
        record(s, actor, "close_declined_item", "customer", row.customer_id,
               {"item": row.id, "status": status, "on": day})
        s.flush()
        return _declined(s, DeclinedItem.id == item_id)[0]


def _declined(s: Session, where) -> list[DeclinedInfo]:
    recorder = StaffUser.__table__.alias("recorder")
    closer = StaffUser.__table__.alias("closer")
    d = DeclinedItem
    due = maintenance.declined_due_on()
    stmt = (
        select(d.id, d.customer_id, d.vehicle_id, V.c.brand, V.c.model, V.c.plate, d.item,
               d.recorded_on, d.source, due, d.status, d.closed_on,
               recorder.c.display_name, closer.c.display_name, d.note, d.due_on.is_not(None))
        .outerjoin(V, V.c.id == d.vehicle_id)
        .outerjoin(recorder, recorder.c.id == d.recorded_by)
        .outerjoin(closer, closer.c.id == d.closed_by)
        .where(where)
        # Open first, soonest due first, then the newest.
        .order_by(case((d.status == "open", 0), else_=1), due, d.recorded_on.desc(),
                  d.id.desc())
    )
    return [DeclinedInfo(i, c, v, f"{b or ''} {m or ''} {p or ''}".strip(), item, rec, src,
                         on, st, closed, rby or "", cby or "", note, bool(given))
            for i, c, v, b, m, p, item, rec, src, on, st, closed, rby, cby, note, given
            in s.execute(stmt)]


def declined_items(sessions: sessionmaker[Session], customer_id: int, *,
                   open_on: dt.date | None = None) -> tuple[DeclinedInfo, ...]:
    """The customer's declined items; with `open_on`, only those open on that day."""
    with sessions() as s:
        return tuple(read_declined(s, customer_id, open_on))


def read_declined(s: Session, customer_id: int, open_on: dt.date | None) -> list[DeclinedInfo]:
    where = DeclinedItem.customer_id == customer_id
    if open_on is not None:
        d = DeclinedItem
        where = and_(where, d.recorded_on <= open_on,
                     (d.closed_on.is_(None)) | (d.closed_on > open_on))
    return _declined(s, where)
