"""KPI targets a supervisor sets per person — contact attempts per week, reach rate, appointments
made and appointments kept per week — and the actuals of a period against them, with the gap.

The targets are one `app_setting` row (key KEY) holding JSON, so every PC reads the same ones
without a schema change: {"default": {...}, "staff": {"<staff id>": {...}}}; a person without
targets of their own has the default ones. A save names the version it started from and is
refused when someone saved since (the row's version is raised on every save)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import AppSetting, ContactEvent, StaffUser
from services import labels
from services.reports.dashboard import check_period, in_period, kept_column
from services.reports.figures import ONE_WAY, REACHED
from services.staff.accounts import staff_names
from services.staff.permissions import SUPERVISOR_ROLES, Actor
from services.store.errors import N_, RevisitError, Said
from services.store.settings import save_json_row

KEY = "report.kpi_targets"
TARGETS_CHANGED = (
    N_("{who} changed the KPI targets at {when} since you opened them; nothing was saved. "
       "Reload to see their change."),
    N_("The KPI targets were changed at {when} since you opened them; nothing was saved. "
       "Reload to see the change."),
)


@dataclass(frozen=True)
class Target:
    """Per week for counts; reach_rate a fraction 0–1. None: no target for that measure."""

    calls_per_week: int | None = None
    reach_rate: float | None = None
    appointments_per_week: int | None = None
    # Appointments kept: appointments made in the period that the customer came in for (a
    # service visit within the days services.segments.contact_fields.kept allows).
    kept_per_week: int | None = None

    def validate(self) -> Target:
        for name in ("calls_per_week", "appointments_per_week", "kept_per_week"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 10_000:
                raise RevisitError(N_("A weekly target must be between 0 and 10,000, not "
                                      "{value}."), value=value)
        if self.reach_rate is not None and not 0 <= self.reach_rate <= 1:
            raise RevisitError(N_("A reach-rate target must be between 0% and 100%, not "
                                  "{value}."), value=f"{self.reach_rate:.0%}")
        return self

    def as_dict(self) -> dict:
        return {k: v for k, v in (("calls_per_week", self.calls_per_week),
                                  ("reach_rate", self.reach_rate),
                                  ("appointments_per_week", self.appointments_per_week),
                                  ("kept_per_week", self.kept_per_week))
                if v is not None}


MEASURES = ("calls_per_week", "reach_rate", "appointments_per_week", "kept_per_week")


@dataclass(frozen=True)
class TargetNotValid:
    """A stored target a save would refuse (written by SQL or by an older copy), read as no
    target: whose (None: the callers' default), which measure, and the value stored."""

    staff_id: int | None
    staff: str  # their name as the Targets tab lists them; "" for the default
    measure: str
    stored: object

    def said(self) -> RevisitError:
        """The one sentence saying so: str() in English, ui.i18n.translate_error in the
        window's language."""
        whom = (Said.inside(*labels.both("kpi_target", "default")) if self.staff_id is None
                else self.staff)
        stored = (f"{self.stored:.0%}" if self.measure == "reach_rate"
                  and isinstance(self.stored, float) else str(self.stored))
        return RevisitError(
            N_("The stored {measure} of {whom} is {stored}, which is not valid; no target is "
               "used instead."),
            measure=Said.inside(*labels.both("kpi_target", self.measure)), whom=whom,
            stored=stored)


@dataclass(frozen=True)
class Targets:
    default: Target
    staff: tuple[tuple[int, Target], ...]  # (staff id, their own targets)
    version: int  # 0: never saved
    not_valid: tuple[TargetNotValid, ...] = ()

    def for_staff(self, sid: int, role: str | None = None) -> Target:
        """`sid`'s own targets, else the default. With `role`, a supervisor without targets of
        their own has none: the default is the callers'. A supervisor mostly reads the figures
        and makes a few calls, and against a caller's 250 a week would show far behind on every
        report; they are still listed with their actuals, and given targets of their own when
        they do call."""
        own = dict(self.staff).get(sid)
        if own is not None:
            return own
        return Target() if role in SUPERVISOR_ROLES else self.default


@dataclass(frozen=True)
class KpiRow:
    staff_id: int
    staff: str
    weeks: float  # the period's length in weeks (days ÷ 7)
    target: Target
    attempts: int
    reached: int
    appointments: int
    kept: int

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.attempts if self.attempts else None

    @property
    def calls_target(self) -> float | None:
        t = self.target.calls_per_week
        return None if t is None else t * self.weeks

    @property
    def appointments_target(self) -> float | None:
        t = self.target.appointments_per_week
        return None if t is None else t * self.weeks

    @property
    def kept_target(self) -> float | None:
        t = self.target.kept_per_week
        return None if t is None else t * self.weeks

    @property
    def calls_gap(self) -> float | None:
        """Actual minus target: negative is short of the target."""
        t = self.calls_target
        return None if t is None else self.attempts - t

    @property
    def reach_gap(self) -> float | None:
        t, r = self.target.reach_rate, self.reach_rate
        return None if t is None or r is None else r - t

    @property
    def appointments_gap(self) -> float | None:
        t = self.appointments_target
        return None if t is None else self.appointments - t

    @property
    def kept_gap(self) -> float | None:
        t = self.kept_target
        return None if t is None else self.kept - t


def _target(data: object, refused: dict[str, object]) -> Target:
    """The stored targets `data`; a measure a save would refuse (Target.validate, the one
    check: -500 calls, a reach rate of 150%) is no target, and put in `refused`."""
    if not isinstance(data, dict):
        return Target()
    values = {}
    for key in MEASURES:
        v = data.get(key)
        if not isinstance(v, int | float) or isinstance(v, bool):
            continue
        value = float(v) if key == "reach_rate" else int(v)
        try:
            Target(**{key: value}).validate()  # type: ignore[arg-type]
        except RevisitError:
            refused[key] = value
            continue
        values[key] = value
    return Target(**values)  # type: ignore[arg-type]


def _parse(text: str, version: int, names: dict[int, str] | None = None) -> Targets:
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    staff = data.get("staff")
    if not isinstance(staff, dict):
        staff = {}
    wrong: list[TargetNotValid] = []

    def target(sid: int | None, stored: object) -> Target:
        refused: dict[str, object] = {}
        read = _target(stored, refused)
        name = "" if sid is None else (names or {}).get(sid, f"#{sid}")
        wrong.extend(TargetNotValid(sid, name, k, v) for k, v in refused.items())
        return read

    default = target(None, data.get("default"))
    mine = tuple(sorted((int(k), target(int(k), v)) for k, v in staff.items()
                        if str(k).isdigit()))
    return Targets(default, mine, version, tuple(wrong))


def load_targets(sessions: sessionmaker[Session]) -> Targets:
    """The stored targets; one a save would refuse is read as no target and named in
    `not_valid`."""
    with sessions() as s:
        row = s.execute(select(AppSetting.value, AppSetting.version)
                        .where(AppSetting.key == KEY)).one_or_none()
        if row is None:
            return Targets(Target(), (), 0)
        return _parse(row[0], row[1], staff_names(s))


def save_targets(sessions: sessionmaker[Session], actor: Actor | None, default: Target,
                 staff: dict[int, Target], version: int) -> Targets:
    """Store the targets (supervisors only), if the stored ones are still at `version` (0 when
    none were saved when the editor opened them); audit-logged with old and new values."""
    default.validate()
    for t in staff.values():
        t.validate()
    text = json.dumps({"default": default.as_dict(),
                       "staff": {str(k): t.as_dict() for k, t in sorted(staff.items())
                                 if t.as_dict()}}, sort_keys=True)
    save_json_row(sessions, actor, KEY, text, version, TARGETS_CHANGED, "save_kpi_targets")
    return load_targets(sessions)


def kpi(sessions: sessionmaker[Session], start: dt.date, end: dt.date,
        only_staff: int | None = None) -> tuple[KpiRow, ...]:
    """Each active staff member's actuals in `start`–`end` (both included) against their
    targets scaled to the period's length (a supervisor's: their own only); one disabled since,
    with contacts in the period, too: their calls were made, and the rows add up to the
    week's."""
    check_period(start, end)
    targets = load_targets(sessions)
    weeks = ((end - start).days + 1) / 7
    with sessions() as s:
        names = staff_names(s)
        rows = s.execute(
            select(ContactEvent.staff_id,
                   func.sum(case((ContactEvent.outcome.not_in(ONE_WAY), 1), else_=0)),
                   func.sum(case((ContactEvent.outcome.in_(REACHED), 1), else_=0)),
                   func.sum(case((ContactEvent.outcome == "appointment", 1), else_=0)),
                   func.sum(kept_column()))
            .where(*in_period(start, end), ContactEvent.staff_id.is_not(None))
            .group_by(ContactEvent.staff_id)
        ).all()
        got = {r[0]: [int(v or 0) for v in r[1:]] for r in rows}
        people = [(sid, names[sid], role) for sid, role in s.execute(
            select(StaffUser.id, StaffUser.role)
            .where(or_(StaffUser.active.is_(True), StaffUser.id.in_(list(got))))
            .order_by(StaffUser.display_name, StaffUser.username))]
    return tuple(
        KpiRow(sid, name, weeks, targets.for_staff(sid, role), *got.get(sid, [0, 0, 0, 0]))
        for sid, name, role in people if only_staff is None or sid == only_staff
    )
