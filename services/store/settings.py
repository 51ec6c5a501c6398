"""The department's shared settings, stored in the database so every PC uses the same ones.

Each setting is one `app_setting` row with a version raised by every save. An editor keeps the
versions it loaded (`LoadedSettings`); a save changes only the settings the editor changed, and
only when nobody else changed them since: otherwise it is refused, naming who did."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import AppSetting
from services import labels
from services.outputs.label_layouts import layouts
from services.staff.accounts import confirm
from services.staff.audit import record
from services.staff.permissions import SAVE_SETTINGS, Actor, require, staff_id
from services.store.errors import N_, RevisitError, Said, StaleEdit
from services.store.versions import lock, staff_name, stale, when_text

SMS_VENDORS = ("generic", "aliyun", "huawei")
MAX_BACKUPS_KEPT = 365
# Domestic SMS cost a few fen a part (Aliyun pay-as-you-go: about 0.045 yuan); a price above
# one yuan, or finer than a hundredth of a fen, is a typing mistake.
MAX_SMS_PRICE = Decimal(1)
SMS_PRICE_PLACES = 4
POSTCODE = re.compile(r"[0-9]{6}")
# The whole-number settings and the values each allows: what a save checks, and what a stored
# value outside them is read as (the nearest end). 0 days of failed calls would call nobody.
RANGES = {"contact_fatigue_days": (0, 365), "no_answer_retry_days": (0, 365),
          "max_failed_attempts": (1, 365), "backups_kept": (1, MAX_BACKUPS_KEPT)}


@dataclass(frozen=True)
class Settings:
    # The shop's name and SMS signature are the dealer's own: a new database has none ("" = not
    # set yet), never a made-up one that would be printed on envelopes or sign every SMS
    # (vendors reject a signature other than the one registered with them).
    shop_name: str = ""
    shop_phone: str = ""
    # Sender on envelopes (province → street order, as printed).
    shop_address: str = ""
    shop_postcode: str = ""
    label_layout: str = "a4-3x8"
    sms_signature: str = ""
    sms_opt_out: str = "回T退订"
    sms_vendor: str = "generic"
    # Marketing SMS only inside this window: the strictest vendor rule (Aliyun: none 20:00–8:00;
    # Huawei 08:00–22:00, Getui 8:00–21:00).
    sms_window_start: dt.time = dt.time(8, 0)
    sms_window_end: dt.time = dt.time(20, 0)
    # Yuan per billed SMS part, for the estimate shown before an SMS file is written. A Decimal
    # stored as text ("0.045"), so a cost is never off by a float's rounding.
    sms_price_per_part: Decimal = Decimal("0.045")
    contact_fatigue_days: int = 14
    no_answer_retry_days: int = 3
    max_failed_attempts: int = 5
    # Where automatic backups of a SQLite file go ("" = a `backups` folder beside the file; a
    # relative folder is taken from the file's folder) and how many of them are kept.
    backup_folder: str = ""
    backups_kept: int = 14

    @property
    def sms_window(self) -> tuple[dt.time, dt.time]:
        return self.sms_window_start, self.sms_window_end

    def validate(self) -> Settings:
        if self.label_layout not in layouts():
            raise RevisitError(N_("There is no label layout '{name}' (known: {known})."),
                               name=self.label_layout, known=", ".join(layouts()))
        if self.sms_vendor not in SMS_VENDORS:
            raise RevisitError(N_("Unknown SMS vendor '{vendor}'."), vendor=self.sms_vendor)
        if self.sms_window_start >= self.sms_window_end:
            raise RevisitError(N_("The SMS sending window must start before it ends."))
        # Empty: not set yet (an SMS vendor file is refused until it is).
        if self.sms_signature and not (self.sms_signature.startswith("【")
                                       and self.sms_signature.endswith("】")):
            raise RevisitError(
                N_("The SMS signature must be written as 【shop name】, not '{signature}'."),
                signature=self.sms_signature,
            )
        price = self.sms_price_per_part
        if (not price.is_finite() or not 0 <= price <= MAX_SMS_PRICE
                or price != price.quantize(Decimal(1).scaleb(-SMS_PRICE_PLACES))):
            raise RevisitError(N_("The SMS price per part must be between 0 and {most} yuan, "
                                  "with at most {places} decimals, not {price}."),
                               most=MAX_SMS_PRICE, places=SMS_PRICE_PLACES, price=str(price))
        for name in ("contact_fatigue_days", "no_answer_retry_days"):
            if not _in_range(name, getattr(self, name)):
                raise RevisitError(N_("{name} must be between 0 and 365."), name=name)
        if not _in_range("max_failed_attempts", self.max_failed_attempts):
            raise RevisitError(N_("{name} must be between 1 and 365, not {value}."),
                               name="max_failed_attempts", value=self.max_failed_attempts)
        # Empty: not set yet. A mainland China postcode is six digits (Hong Kong has none).
        if self.shop_postcode and not POSTCODE.fullmatch(self.shop_postcode):
            raise RevisitError(N_("A postcode is six digits, such as 510000, not "
                                  "'{postcode}'."), postcode=self.shop_postcode)
        if not _in_range("backups_kept", self.backups_kept):
            raise RevisitError(N_("Revisit keeps between 1 and {most} automatic backups, not "
                                  "{count}."), most=MAX_BACKUPS_KEPT, count=self.backups_kept)
        return self


def _in_range(name: str, value: int) -> bool:
    low, high = RANGES[name]
    return low <= value <= high


def nearest_allowed(name: str, value: int) -> int:
    """A stored whole number `name` as Revisit reads it: outside its range, the nearest end."""
    low, high = RANGES[name]
    return min(max(value, low), high)


@dataclass(frozen=True)
class NotValid:
    """A stored setting Revisit does not use as stored (written around the app, by SQL or by
    an older copy): its text as stored and the value used instead."""

    key: str
    stored: str
    used: str

    def said(self) -> RevisitError:
        """The one sentence saying so: str() in English, ui.i18n.translate_error in the
        window's language."""
        return RevisitError(
            N_("The stored setting {name} ({key}) is '{stored}', which is not valid; "
               "'{used}' is used instead."),
            name=Said.inside(*labels.both("setting", self.key)), key=self.key,
            stored=self.stored, used=self.used)


@dataclass(frozen=True)
class LoadedSettings:
    """The settings as an editor loaded them, and the version of each stored one (a setting
    never saved has none): what a save compares with to find someone else's change.
    `not_valid`: the stored settings read as another value (the default, or the nearest
    allowed number)."""

    settings: Settings
    versions: Mapping[str, int] = field(default_factory=dict, hash=False)
    not_valid: tuple[NotValid, ...] = ()


# The sentence refusing a save of a setting someone changed since the editor loaded it.
SETTING_CHANGED = (
    N_("{who} changed the setting {name} at {when} since you loaded the settings; nothing was "
       "saved. Reload to see their change."),
    N_("The setting {name} was changed at {when} since you loaded the settings; nothing was "
       "saved. Reload to see the change."),
)


class SettingChanged(StaleEdit):
    """A save refused because the setting `key` was changed since the editor loaded it."""

    def __init__(self, key: str, who: str | None, at: dt.datetime | None) -> None:
        self.key = key
        self.who = who
        with_who, without = SETTING_CHANGED
        name = labels.text("setting", key)  # as the Settings area names it
        if who:
            super().__init__(with_who, who=who, name=name, when=when_text(at))
        else:
            super().__init__(without, name=name, when=when_text(at))


def _decode(field: dataclasses.Field, text: str):
    if field.type in ("int", int):
        return int(text)
    if field.type in ("dt.time", dt.time):
        return dt.time.fromisoformat(text)
    if field.type in ("Decimal", Decimal):
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
        if not amount.is_finite():
            raise ValueError(text)
        return amount
    return text


def _text(value: object) -> str:
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, Decimal) and value.is_finite():
        # One text per amount: 0.0450 and 0.045 are the same price, not a change.
        return format(value.normalize(), "f")
    return str(value)


def load_settings(sessions: sessionmaker[Session]) -> Settings:
    """Stored values over the defaults; a value that no longer parses, or that a save would
    refuse (Settings.validate: a label layout Revisit does not have, a signature without
    【】…), falls back to its default; a whole number outside its range to the nearest end of
    it (see `load_settings_versions` for which)."""
    with sessions() as s:
        return load_settings_in(s)


def load_settings_in(s: Session) -> Settings:
    """The same, inside a session a service already has open."""
    return _load(s).settings


def load_settings_versions(sessions: sessionmaker[Session]) -> LoadedSettings:
    """The settings and their versions, for an editor that saves them later, with the stored
    ones not used as stored."""
    with sessions() as s:
        return _load(s)


def _valid(values: dict[str, object]) -> dict[str, object]:
    """The stored values a save would accept together (Settings.validate, the one check):
    each taken while it keeps the settings valid, again until none more is (the SMS window's
    end read first lets a stored start after the default end be taken)."""
    try:
        Settings(**values).validate()  # type: ignore[arg-type]
        return values
    except RevisitError:
        pass
    taken: dict[str, object] = {}
    more = True
    while more:
        more = False
        for name, value in values.items():
            if name in taken:
                continue
            try:
                Settings(**{**taken, name: value}).validate()  # type: ignore[arg-type]
            except RevisitError:
                continue
            taken[name] = value
            more = True
    return taken


def _load(s: Session) -> LoadedSettings:
    rows = s.execute(select(AppSetting.key, AppSetting.value, AppSetting.version)).all()
    stored = {key: value for key, value, _ in rows}
    values: dict[str, object] = {}
    decoded: dict[str, object] = {}  # as stored, before its range or a save's check
    for f in dataclasses.fields(Settings):
        if f.name in stored:
            try:
                decoded[f.name] = value = _decode(f, stored[f.name])
            except ValueError:
                continue
            if f.name in RANGES:
                value = nearest_allowed(f.name, value)
            values[f.name] = value
    settings = Settings(**_valid(values))  # type: ignore[arg-type]
    not_valid = tuple(
        NotValid(f.name, stored[f.name], _text(getattr(settings, f.name)))
        for f in dataclasses.fields(Settings)
        if f.name in stored and stored[f.name] != _text(getattr(settings, f.name))
        and decoded.get(f.name) != getattr(settings, f.name))
    return LoadedSettings(settings, {key: version for key, _, version in rows}, not_valid)


def signature(typed: str) -> str:
    """The SMS signature as carriers require it, 【name】: the brackets added when typed
    without them or with ASCII or full-width square ones (某某丰田, [某某丰田], ［某某丰田］)."""
    text = typed.strip()
    if not text or (text.startswith("【") and text.endswith("】")):
        return text
    return f"【{text.strip('[]［］【】 ')}】"


def settings_with(current: Settings, changes: dict[str, str]) -> Settings:
    """`current` with some values given as text (as typed on a command line), validated."""
    known = {f.name: f for f in dataclasses.fields(Settings)}
    values = {}
    for name, text in changes.items():
        if name not in known:
            raise RevisitError(N_("There is no setting '{name}'; known: {names}."), name=name,
                               names=", ".join(known))
        try:
            values[name] = _decode(known[name], signature(text) if name == "sms_signature"
                                   else text.strip())
        except ValueError:
            raise RevisitError(N_("'{value}' is not a valid value for {name}."), value=text,
                               name=name) from None
    return dataclasses.replace(current, **values).validate()


def store_row(s: Session, key: str, text: str, by: int | None, *, exists: bool) -> None:
    """Write one shared-setting row: a new one at version 1, or the next version of the stored
    one, with who wrote it. The caller has taken the row's lock and checked its version."""
    if exists:
        s.execute(update(AppSetting).where(AppSetting.key == key).values(
            value=text, version=AppSetting.version + 1, updated_by=by))
    else:
        s.execute(insert(AppSetting).values(key=key, value=text, version=1, updated_by=by))


def save_json_row(sessions: sessionmaker[Session], actor: Actor | None, key: str, text: str,
                  version: int, changed: tuple[str, str], action: str) -> None:
    """Store one shared JSON setting (KPI targets, suggestion rules) as the version the editor
    loaded, by a supervisor, in the audit trail with the text before and after. Anything
    stored since that version — a change, or another PC's first save — is refused with the
    `changed` sentences (with and without who)."""
    try:
        with sessions.begin() as s:
            who = require(confirm(s, actor), SAVE_SETTINGS)
            lock(s, AppSetting, AppSetting.key == key)
            row = s.execute(select(AppSetting.value, AppSetting.version, AppSetting.updated_by,
                                   AppSetting.updated_at).where(AppSetting.key == key)
                            ).one_or_none()
            if (row.version if row is not None else 0) != version:
                if row is None:
                    raise stale(changed, None, None)
                raise stale(changed, staff_name(s, row.updated_by), row.updated_at)
            store_row(s, key, text, staff_id(who), exists=row is not None)
            record(s, who, action, "app_setting", None,
                   {key: [row.value if row is not None else None, text]})
    except IntegrityError as exc:
        # Another PC stored the first value between our read and our insert.
        raise stale(changed, None, None) from exc


def save_settings(sessions: sessionmaker[Session], settings: Settings, actor: Actor | None,
                  loaded: LoadedSettings | None = None) -> Settings:
    """Store the shared settings (supervisors only); the changed values are audit-logged.

    With `loaded` (what the editor started from) only the settings that differ from it, or
    whose stored value it read as another (`not_valid`), are written, and a setting someone
    else saved since it was loaded refuses the whole save (SettingChanged). Without it,
    every value that differs from the stored one is written (the last save wins)."""
    settings.validate()
    key = ""
    try:
        with sessions.begin() as s:
            who = require(confirm(s, actor), SAVE_SETTINGS)
            # Every stored setting's lock before reading them, so two saves at the same moment
            # cannot both pass the version check below.
            lock(s, AppSetting)
            stored = {row.key: row for row in s.execute(
                select(AppSetting.key, AppSetting.value, AppSetting.version,
                       AppSetting.updated_by, AppSetting.updated_at)).all()}
            changes: dict[str, list[str | None]] = {}
            for f in dataclasses.fields(Settings):
                key, text = f.name, _text(getattr(settings, f.name))
                row = stored.get(key)
                old = row.value if row is not None else None
                if old == text:
                    continue  # already so (perhaps saved the same by someone else)
                if loaded is not None:
                    if text == _text(getattr(loaded.settings, key)) and key not in {
                            wrong.key for wrong in loaded.not_valid}:
                        continue  # not changed in this editor: what is stored stays
                    # A stored value not valid is written as the one the editor showed used.
                    if (row.version if row is not None else None) != loaded.versions.get(key):
                        raise SettingChanged(
                            key, staff_name(s, row.updated_by) if row is not None else None,
                            row.updated_at if row is not None else None)
                # A setting stored by another save since this one read them (PostgreSQL has
                # no row to lock yet) makes the insert fail on the primary key.
                store_row(s, key, text, staff_id(who), exists=row is not None)
                changes[key] = [old, text]
            if changes:
                record(s, who, "save_settings", "app_setting", None, changes)
    except IntegrityError as exc:
        if not key:
            raise
        with sessions() as s:
            now = s.get(AppSetting, key)
            raise SettingChanged(key, staff_name(s, now.updated_by) if now else None,
                                 now.updated_at if now else None) from exc
    return settings
