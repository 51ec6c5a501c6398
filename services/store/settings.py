"""The department's shared settings, stored in the database so every PC uses the same ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import AppSetting
from services.staff.accounts import confirm
from services.staff.audit import record
from services.staff.permissions import SAVE_SETTINGS, Actor, require
from services.store.errors import N_, RevisitError

SMS_VENDORS = ("generic", "aliyun", "huawei")


@dataclass(frozen=True)
class Settings:
    shop_name: str = "回访汽车服务"
    shop_phone: str = ""
    # Sender on envelopes (province → street order, as printed).
    shop_address: str = ""
    shop_postcode: str = ""
    label_layout: str = "a4-3x8"
    sms_signature: str = "【回访汽车】"
    sms_opt_out: str = "回T退订"
    sms_vendor: str = "generic"
    # Marketing SMS only inside this window: the strictest vendor rule (Aliyun: none 20:00–8:00;
    # Huawei 08:00–22:00, Getui 8:00–21:00).
    sms_window_start: dt.time = dt.time(8, 0)
    sms_window_end: dt.time = dt.time(20, 0)
    contact_fatigue_days: int = 14
    no_answer_retry_days: int = 3
    max_failed_attempts: int = 5

    @property
    def sms_window(self) -> tuple[dt.time, dt.time]:
        return self.sms_window_start, self.sms_window_end

    def validate(self) -> Settings:
        if self.sms_vendor not in SMS_VENDORS:
            raise RevisitError(N_("Unknown SMS vendor '{vendor}'."), vendor=self.sms_vendor)
        if self.sms_window_start >= self.sms_window_end:
            raise RevisitError(N_("The SMS sending window must start before it ends."))
        if not self.sms_signature.startswith("【") or not self.sms_signature.endswith("】"):
            raise RevisitError(
                N_("The SMS signature must be written as 【shop name】, not '{signature}'."),
                signature=self.sms_signature,
            )
        for name in ("contact_fatigue_days", "no_answer_retry_days", "max_failed_attempts"):
            if not 0 <= getattr(self, name) <= 365:
                raise RevisitError(N_("{name} must be between 0 and 365."), name=name)
        return self


def _decode(field: dataclasses.Field, text: str):
    if field.type in ("int", int):
        return int(text)
    if field.type in ("dt.time", dt.time):
        return dt.time.fromisoformat(text)
    return text


def load_settings(sessions: sessionmaker[Session]) -> Settings:
    """Stored values over the defaults; a value that no longer parses falls back to its default."""
    with sessions() as s:
        return load_settings_in(s)


def load_settings_in(s: Session) -> Settings:
    """The same, inside a session a service already has open."""
    stored = dict(s.execute(select(AppSetting.key, AppSetting.value)).all())
    values = {}
    for field in dataclasses.fields(Settings):
        if field.name in stored:
            try:
                values[field.name] = _decode(field, stored[field.name])
            except ValueError:
                continue
    return Settings(**values)


def settings_with(current: Settings, changes: dict[str, str]) -> Settings:
    """`current` with some values given as text (as typed on a command line), validated."""
    known = {f.name: f for f in dataclasses.fields(Settings)}
    values = {}
    for name, text in changes.items():
        if name not in known:
            raise RevisitError(N_("There is no setting '{name}'; known: {names}."), name=name,
                               names=", ".join(known))
        try:
            values[name] = _decode(known[name], text.strip())
        except ValueError:
            raise RevisitError(N_("'{value}' is not a valid value for {name}."), value=text,
                               name=name) from None
    return dataclasses.replace(current, **values).validate()


def save_settings(sessions: sessionmaker[Session], settings: Settings,
                  actor: Actor | None) -> Settings:
    """Store the shared settings (supervisors only); the changed values are audit-logged."""
    settings.validate()
    with sessions.begin() as s:
        who = require(confirm(s, actor), SAVE_SETTINGS)
        changes = {}
        for field in dataclasses.fields(Settings):
            value = getattr(settings, field.name)
            text = value.isoformat(timespec="minutes") if isinstance(value, dt.time) else str(value)
            row = s.get(AppSetting, field.name)
            if row is None:
                s.add(AppSetting(key=field.name, value=text))
                changes[field.name] = [None, text]
            elif row.value != text:
                changes[field.name] = [row.value, text]
                row.value = text
        if changes:
            record(s, who, "save_settings", "app_setting", None, changes)
    return settings
