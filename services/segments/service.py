"""Segments for the UI and the CLI: saved segments (services/segments/saved.py, their names
re-exported here), counts, paged members (and both at once for the builder), and the templates'
cell counts (the replacement matrix's in services/segments/matrix.py). Plain frozen dataclasses
out, one session per call, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from models import SavedSegment, TagGroup
from models.codes import LIFECYCLE_STAGES
from models.tables import vehicle
from services.customers.search import current_cars
from services.labels import both
from services.segments import rfm as rfm_mod
from services.segments import spec, summaries
from services.segments import templates as tpl
from services.segments.compiler import Compiled, compile_filter
from services.segments.context import C, V
from services.segments.derived import months_before
from services.segments.matrix import matrix as matrix  # the replacement matrix: no ORM
from services.segments.results import (
    GroupCount,
    Member,
    MemberPage,
    RfmClassCount,
    RfmResult,
    Segment,
    SegmentCount,
    SegmentInfo,
)
from services.segments.saved import (  # noqa: F401 - the saved segments, as callers know them
    FilterLike,
    SavedSegmentInfo,
    Sessions,
    as_filter,
    delete_segment,
    duplicate_segment,
    export_segment,
    get_segment,
    import_segment,
    list_segments,
    record_member_export,
    rename_segment,
    save_segment,
)
from services.store.errors import N_, RevisitError


@dataclass(frozen=True)
class SegmentPreview:
    """What the builder shows for a filter: its count and the first member rows, and for each
    row without a car (a filter on the customer alone) the customer's cars as the customer list
    shows them: the one they drive now's model and plate, and how many they still own."""

    count: SegmentCount
    page: MemberPage
    cars: dict[int, tuple[str | None, str | None, int]] = field(default_factory=dict)


def _as_of(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def _lateral(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- running a filter -----------------------------------------------------------------------

def count(sessions: Sessions, flt: FilterLike, as_of: dt.date | None = None) -> SegmentCount:
    as_of = _as_of(as_of)
    flt = as_filter(flt)
    with sessions() as s:
        compiled = compile_filter(flt, as_of, lateral=_lateral(s))
        return _count(s, compiled, as_of)[0]


def _count(s: Session, compiled: Compiled, as_of: dt.date) -> tuple[SegmentCount, int]:
    """The segment's count, and its member rows (customer, vehicle) in all."""
    rows = compiled.select.subquery("members")
    stmt = select(func.count(rows.c.customer_id.distinct()), func.count(rows.c.vehicle_id),
                  func.count())
    customers, vehicles, total = s.execute(stmt).one()
    return SegmentCount(as_of, customers, vehicles if compiled.per_vehicle else None), total


def members(sessions: Sessions, flt: FilterLike, as_of: dt.date | None = None, *,
            offset: int = 0, limit: int | None = 500) -> MemberPage:
    """Member rows ordered by customer id then vehicle id: one row per matching vehicle (a
    customer with two matching cars is listed twice), vehicle None for customer-only filters."""
    as_of = _as_of(as_of)
    flt = as_filter(flt)
    with sessions() as s:
        return _members(s, flt, as_of, offset, limit)


def preview(sessions: Sessions, flt: FilterLike, as_of: dt.date | None = None, *,
            limit: int = 200) -> SegmentPreview:
    """The builder's one question: the count and the first `limit` member rows (as `members`),
    from one compiled filter in one session."""
    as_of = _as_of(as_of)
    flt = as_filter(flt)
    with sessions() as s:
        compiled = compile_filter(flt, as_of, lateral=_lateral(s))
        counted, total = _count(s, compiled, as_of)
        rows = _member_rows(s, compiled.select.subquery("members"), 0, limit)
        cars = _shown_cars(s, [r.customer_id for r in rows if r.vehicle_id is None])
    return SegmentPreview(counted, MemberPage(as_of, total, 0, rows), cars)


def _shown_cars(s: Session, ids: Sequence[int]
                ) -> dict[int, tuple[str | None, str | None, int]]:
    """Each customer's car as the customer list shows it (the one they drive now) as (model,
    plate), and how many cars they still own."""
    if not ids:
        return {}
    shown = current_cars(ids)  # on the Core vehicle table (models.tables), read here alone
    rows = s.execute(select(shown.c.customer_id, vehicle.c.model, vehicle.c.plate, shown.c.n)
                     .join(vehicle, vehicle.c.id == shown.c.vid))
    return {cid: (model, plate, n) for cid, model, plate, n in rows}


def _member_rows(s: Session, ids: Subquery, offset: int, limit: int | None
                 ) -> tuple[Member, ...]:
    page = (
        select(ids.c.customer_id, ids.c.vehicle_id, C.c.code, C.c.name, C.c.mobile,
               V.c.plate, V.c.model)
        .select_from(ids.join(C, C.c.id == ids.c.customer_id)
                     .outerjoin(V, V.c.id == ids.c.vehicle_id))
        .order_by(ids.c.customer_id, ids.c.vehicle_id)
        .offset(offset)
    )
    if limit is not None:
        page = page.limit(limit)
    return tuple(Member(*r) for r in s.execute(page))


def _members(s: Session, flt: spec.Filter, as_of: dt.date, offset: int,
             limit: int | None) -> MemberPage:
    ids = compile_filter(flt, as_of, lateral=_lateral(s)).select.subquery("members")
    rows = _member_rows(s, ids, offset, limit)
    if limit is None or (len(rows) < limit and (rows or offset == 0)):
        total = offset + len(rows)  # the page reached the end: no second query
    else:
        total = s.scalar(select(func.count()).select_from(ids)) or 0
    return MemberPage(as_of, total, offset, rows)


def member_ids(sessions: Sessions, flt: FilterLike,
               as_of: dt.date | None = None) -> tuple[tuple[int, int | None], ...]:
    """Every member row as (customer id, vehicle id), ordered: for tables that keep ids and
    fetch rows on demand."""
    flt = as_filter(flt)
    with sessions() as s:
        ids = compile_filter(flt, _as_of(as_of), lateral=_lateral(s)).select.subquery("members")
        rows = s.execute(select(ids.c.customer_id, ids.c.vehicle_id)
                         .order_by(ids.c.customer_id, ids.c.vehicle_id))
        return tuple((c, v) for c, v in rows)


def member_select(flt: FilterLike, as_of: dt.date):
    """The compiled member query, for services that build on a segment (list runs)."""
    return compile_filter(as_filter(flt), as_of).select


# --- templates ------------------------------------------------------------------------------

def _rfm_rows(s: Session, as_of: dt.date, months: int, th: rfm_mod.Thresholds,
              quantile: float | None, stored) -> tuple[rfm_mod.Thresholds, Sequence[Any]]:
    if quantile is not None:
        q = Fraction(quantile).limit_denominator(10_000)
        n, r_q, f_q, m_q = s.execute(tpl.rfm_quantiles(as_of, months, q, stored)).one()
        if not n:
            return th, []
        th = rfm_mod.Thresholds("fixed", r_q or 0, f_q or 0, (m_q or 0) / 100)
    return th, s.execute(tpl.rfm_query(as_of, months, th, stored)).all()


def rfm(sessions: Sessions, as_of: dt.date | None = None, *,
        months: int = rfm_mod.DEFAULT_MONTHS,
        thresholds: rfm_mod.Thresholds | None = None, quantile: float | None = None,
        use_summary: bool = True) -> RfmResult:
    """Customers in each of the eight RFM classes. Thresholds: the means (default), fixed
    values, or with `quantile` q the value at position floor(q·(n−1)) of each sorted measure.
    Answered from the RFM summary, built first if needed (summaries.py); `use_summary=False`
    asks the live query only (for checks and benchmarks)."""
    as_of = _as_of(as_of)
    th = thresholds or rfm_mod.Thresholds()
    if quantile is not None and not 0 <= quantile <= 1:
        raise RevisitError(N_("The quantile must be between 0 and 1, not {q}."), q=quantile)
    if quantile is None and th.mode == "fixed" and None in (th.r_days, th.f, th.m):
        raise RevisitError(N_("Fixed RFM thresholds need R (days), F and M (yuan)."))
    with sessions() as s:
        got: tuple[rfm_mod.Thresholds, Sequence[Any]] | None = None
        if use_summary and quantile is None and th.mode == "mean":
            # The template as staff ask it most: its own statements on the summary.
            stored = summaries.rfm_mean_classes(s, as_of, months)
            if stored is None and summaries.ensure(s, summaries.RFM, as_of, months):
                stored = summaries.rfm_mean_classes(s, as_of, months)
            got = None if stored is None else (th, stored)
        elif use_summary and summaries.ensure(s, summaries.RFM, as_of, months):
            got = _rfm_rows(s, as_of, months, th, quantile, summaries.rfm_values(as_of, months))
        if got is None or not got[1]:
            # No summary, or it was replaced under us (its window then reads as empty): the
            # live query. Also when nobody has a spend, where it is just as quick.
            got = _rfm_rows(s, as_of, months, th, quantile, None)
    th, rows = got
    by_flags = {(bool(r[0] & 4), bool(r[0] & 2), bool(r[0] & 1)): r[1] for r in rows}
    total = sum(by_flags.values())
    r_days, f, m = th.r_days, th.f, th.m
    if th.mode == "mean":
        r_days = f = m = None
        if rows and rows[0][2]:
            n = rows[0][2]
            # PostgreSQL sums bigints as numeric: float() for the same numbers on both.
            r_days, f, m = (float(rows[0][3]) / n, float(rows[0][4]) / n,
                            float(rows[0][5]) / n / 100)
    classes = tuple(
        RfmClassCount(key, zh, en, ru, fu, mu, by_flags.get((ru, fu, mu), 0),
                      tpl.rfm_class_filter(key, months, th))
        for key, zh, en, ru, fu, mu in rfm_mod.CLASSES
    )
    mode = "quantile" if quantile is not None else th.mode
    return RfmResult(as_of, months_before(as_of, months) + dt.timedelta(days=1), months, mode,
                     r_days, f, m, total, classes)


def prepare_summaries(sessions: Sessions, as_of: dt.date | None = None) -> None:
    """Build the RFM (default window) and km summaries ahead of the first question (the window
    does it after it starts). If one cannot be written the questions are answered live."""
    as_of = _as_of(as_of)
    with sessions() as s:
        summaries.ensure(s, summaries.RFM, as_of, rfm_mod.DEFAULT_MONTHS)
        summaries.ensure(s, summaries.KM, as_of)


def lifecycle(sessions: Sessions, as_of: dt.date | None = None) -> tuple[GroupCount, ...]:
    as_of = _as_of(as_of)
    with sessions() as s:
        got = dict(s.execute(tpl.lifecycle_query(as_of)).all())
    out = []
    for stage in (*LIFECYCLE_STAGES, None):
        zh, en = both("lifecycle_stage", stage)
        out.append(GroupCount(stage or "unknown", zh, en, got.get(stage, 0),
                              tpl.lifecycle_filter(stage)))
    return tuple(out)


def tag_groups(sessions: Sessions, group: str | None = None) -> tuple[GroupCount, ...]:
    """Customers per tag (of `group` only, when given: a group that does not exist is
    refused, naming those that do)."""
    with sessions() as s:
        rows = s.execute(tpl.tag_query(group)).all()
        if group is not None and not rows:
            groups = s.scalars(select(TagGroup.name).order_by(TagGroup.sort_order,
                                                               TagGroup.name)).all()
            if group not in groups:
                raise RevisitError(N_("There is no tag group '{group}' (groups: {known})."),
                                   group=group, known="、".join(groups) or "—")
    return tuple(GroupCount(f"{g}/{t}", f"{g}/{t}", f"{g}/{t}", n, tpl.tag_filter(g, t))
                 for g, t, n in rows)


def due_soon(sessions: Sessions, as_of: dt.date | None = None,
             days: int = 30) -> tuple[GroupCount, ...]:
    """Vehicles (customers for birthdays) falling due in the next `days` days."""
    as_of = _as_of(as_of)
    if days < 0:
        raise RevisitError(N_("The number of days cannot be negative ({days})."), days=days)
    with sessions() as s:
        row = s.execute(tpl.due_query(as_of, days)).one()
    return tuple(
        GroupCount(name, *both("due", name), n, tpl.due_filter(name, days),
                   "customers" if name == "birthday" else "vehicles")
        for name, n in zip(tpl.DUE_FIELDS, row, strict=True)
    )


def template_segments(km_floor: float | None = None,
                      due_days: int = 30) -> tuple[tpl.TemplateSegment, ...]:
    return tpl.catalog(km_floor, due_days)


def find_template(key: str, **kw) -> tpl.TemplateSegment | None:
    """The template cell with this key (e.g. matrix.7+.high), or None."""
    return {t.key: t for t in tpl.catalog(**kw)}.get(key)


def save_template(sessions: Sessions, key: str, name: str | None = None, *,
                  staff_id: int | None = None, **kw) -> SegmentInfo:
    """Save one template cell as an ordinary segment the user can then change: under its key
    unless named (a key types on a command line without quotes), its Chinese name as the
    description."""
    found = find_template(key, **kw)
    if found is None:
        raise RevisitError(N_("There is no template '{key}'."), key=key)
    return save_segment(sessions, name or key, found.filter, description=found.zh, template=key,
                        purpose=found.purpose, staff_id=staff_id)


def title(info: SegmentInfo, lang: str = "zh") -> str:
    """A saved segment as staff read it: its name; a template saved under its key by the
    template's name in `lang` ("zh": the Chinese name it was saved with, its description), as
    the list wizard offers templates."""
    if info.template != info.name:
        return info.name
    if lang.lower().startswith("zh"):
        return info.description or info.name
    template = find_template(info.name)
    return template_title(template, lang) if template is not None else info.name


def template_title(template: tpl.TemplateSegment, lang: str = "zh") -> str:
    """A template as staff read it, in the list wizard and on a run's files: its name in `lang`
    (换车九宫格：7+年 × 满意度高（9–10）). Its key (matrix.7+.high) is for the command line."""
    return template.zh if lang.lower().startswith("zh") else template.en


def saved_or_template(sessions: Sessions, name: str) -> Segment | tpl.TemplateSegment:
    """The saved segment `name`; failing that, the template whose key is `name` (nothing
    saved: a count or a look at its members changes nothing)."""
    try:
        return get_segment(sessions, name)
    except RevisitError:
        found = find_template(name)
        if found is None:
            raise
        return found


def filter_of(sessions: Sessions, name: str) -> FilterLike:
    """The filter of saved_or_template(`name`)."""
    return saved_or_template(sessions, name).filter


def segment_or_template(sessions: Sessions, name: str, *,
                        staff_id: int | None = None) -> Segment:
    """The saved segment `name`; failing that, the template whose key is `name`, saved under
    that key first (by `staff_id`, who is making the list: the audit trail names them), so the
    next run of it finds the same segment (and this run)."""
    with sessions() as s:
        saved = s.scalar(select(SavedSegment.id).where(SavedSegment.name == name))
    if saved is None and find_template(name) is not None:
        try:
            save_template(sessions, name, staff_id=staff_id)
        except RevisitError:
            # Saved by another run of the same template at the same moment: use theirs.
            with sessions() as s:
                if s.scalar(select(SavedSegment.id).where(SavedSegment.name == name)) is None:
                    raise
    return get_segment(sessions, name)
