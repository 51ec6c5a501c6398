"""The department's list settings, stored in app_setting and shared by every PC."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AppSetting
from services.errors import N_, RevisitError


@dataclass(frozen=True)
class ListSettings:
    fatigue_days: int = 14  # no new contact within N days of a completed one
    retry_days: int = 3  # an unanswered call comes back after N days
    max_failed_calls: int = 5  # then the customer moves to SMS or mail
    sms_window: str = "08:00-20:00"
    sms_vendor: str = "generic"
    sms_signature: str = ""
    sms_opt_out: str = "回T退订"
    label_layout: str = "a4-3x8"
    dealer_name: str = ""
    dealer_address: str = ""
    dealer_postcode: str = ""


KEYS = {f.name: "lists." + f.name for f in fields(ListSettings)}


def load(session: Session) -> ListSettings:
    stored = dict(session.execute(
        select(AppSetting.key, AppSetting.value).where(AppSetting.key.in_(KEYS.values()))).all())
    values: dict[str, object] = {}
    for f in fields(ListSettings):
        raw = stored.get(KEYS[f.name])
        if raw is None:
            continue
        if f.type == "int":
            try:
                values[f.name] = int(raw)
            except ValueError as exc:
                raise RevisitError(N_("The setting {key} must be a whole number, not '{value}'."),
                                   key=KEYS[f.name], value=raw) from exc
        else:
            values[f.name] = raw
    return ListSettings(**values)


def save(session: Session, **changes: object) -> None:
    for name, value in changes.items():
        if name not in KEYS:
            raise RevisitError(N_("Unknown list setting '{name}'."), name=name)
        row = session.get(AppSetting, KEYS[name])
        if row is None:
            session.add(AppSetting(key=KEYS[name], value=str(value)))
        else:
            row.value = str(value)
