"""What a list run stores for each person: the member's snapshot (everything a sheet prints,
frozen when the run is made) and the words for why someone was left out. Built straight from
the database rows the set-based run streams, one plain dict each, no objects in between."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from services.labels import text
from services.lists.routing import LIST_CHANNELS, POSITIONS
from services.outputs.types import ListMember

# ListMember's fields in order (services/outputs/types.py reads them back with from_data).
SNAPSHOT_KEYS = (
    "row_code", "name", "channel", "caller", "customer_code", "salutation", "mobile", "province",
    "city", "district", "street", "postcode", "brand", "model", "plate", "purchase_date",
    "years_owned", "km", "last_contact", "last_outcome", "last_feedback", "best_time",
    "talking_points", "wechat_id")
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
BLOCK_WORDS = {
    ("call", "dnc"): "电话勿扰：{dnc}", ("sms", "dnc"): "短信勿扰：{dnc}",
    ("mail", "dnc"): "邮寄勿扰：{dnc}", ("call", "no_mobile"): "手机号无效：{mobile}",
    ("sms", "no_mobile"): "手机号无效：{mobile}",
    ("call", "wrong_number"): "{wrong} 拨打为空号/错号",
    ("call", "no_channel"): "已连续 {failed} 次未接通", ("mail", "no_address"): "地址或邮编不完整",
    ("wechat", "dnc"): "微信勿扰：{dnc}", ("wechat", "no_wechat"): "无微信号",
    ("visit", "dnc"): "上门勿扰：{dnc}", ("visit", "no_address"): "无可上门的地址",
}


def as_day(value) -> dt.date | None:
    """A day from what a driver returns: a date, a datetime, or ISO text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def _iso(value) -> str | None:
    d = as_day(value)
    return None if d is None else d.isoformat()


def salutation(name: str | None, gender: str | None) -> str:
    title = {"M": "先生", "F": "女士"}.get(gender or "", "")
    return f"{name[:1]}{title}" if title and name else (name or "")


def years_owned(purchase_date, as_of: dt.date) -> float | None:
    bought = as_day(purchase_date)
    return None if bought is None else round((as_of - bought).days / 365.25, 1)


def km_shown(km) -> int | None:
    # float first: PostgreSQL may return the estimate as a Decimal; round() then rounds the
    # same way on both databases.
    return None if km is None else int(round(float(km)))


def best_time(r) -> str:
    # "Any day" says nothing on a sheet: only a weekday or weekend preference is printed.
    days = "" if (r.preferred_days or "any") == "any" else text("preferred_days", r.preferred_days)
    if r.hour_from is not None and r.hour_to is not None:
        when = f"{r.hour_from}–{r.hour_to}点"
    else:
        when = "/".join(text("time_window", w.strip())
                        for w in (r.time_windows or "").split(",") if w.strip())
    return " ".join(p for p in (days, when) if p) or "不限"


def switch_note(failed: int, channel: str) -> str:
    return f"电话已连续 {failed} 次未接通，改为{text('list_channel', channel)}"


class MemberSnapshots:
    """Builds members' snapshots for one run date; what repeats from row to row (the birthday
    window, the words for a preferred time or an outcome) is worked out once."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.md_from = as_of.strftime("%m%d")
        self.md_to = (as_of + dt.timedelta(days=14)).strftime("%m%d")
        self._times: dict[tuple, str] = {}
        self._outcomes: dict[str | None, str | None] = {None: None, "": None}

    def birthday_soon(self, md: str) -> bool:
        start, end = self.md_from, self.md_to
        return start <= md <= end if start <= end else (md >= start or md <= end)

    def best_time(self, r) -> str:
        key = (r.preferred_days, r.hour_from, r.hour_to, r.time_windows)
        if key not in self._times:
            self._times[key] = best_time(r)
        return self._times[key]

    def talking_points(self, r, years: float | None, km: int | None, note: str) -> str:
        as_of = self.as_of
        pts = [note] if note else []
        if r.score is not None and r.score <= 6:
            pts.append(f"上次满意度 {r.score} 分：先致歉并了解问题，不推销")
        if years is not None and years >= 5:
            pts.append(f"购车 {years:.1f} 年：可介绍置换、免费评估旧车")
        if km is not None and float(r.km) >= 60000:
            pts.append(f"估算里程约 {km:,} km：提醒大保养")  # as the km column rounds
        for label, when in (("保险", r.insurance_expiry), ("质保", r.warranty_end)):
            d = as_day(when)
            if d and 0 <= (d - as_of).days <= 60:
                pts.append(f"{label} {d} 到期：可谈续保/延保")
        if r.birthday_md and self.birthday_soon(r.birthday_md):
            pts.append(f"{r.birthday_md[:2]}月{r.birthday_md[2:]}日生日：送上祝福")
        if r.score is not None and r.score >= 9:
            pts.append(f"满意度 {r.score} 分：可请其推荐亲友（老带新）")
        return "；".join(pts)

    def outcome(self, code: str | None) -> str | None:
        if code not in self._outcomes:
            self._outcomes[code] = text("outcome", code)
        return self._outcomes[code]

    def values(self, r, row_code: str, caller: str) -> tuple[Any, ...]:
        """What prints for a member, in SNAPSHOT_KEYS order, days as ISO text."""
        note = switch_note(r.failed_calls, r.channel) if r.switched else ""
        years = years_owned(r.purchase_date, self.as_of)
        km = km_shown(r.km)
        return (
            row_code, r.name, r.channel, caller, r.code, salutation(r.name, r.gender),
            r.mobile_ok or r.mobile, r.province, r.city, r.district, r.street, r.postcode,
            r.brand, r.model, r.plate, _iso(r.purchase_date), years, km, _iso(r.last_at),
            self.outcome(r.last_outcome), r.last_feedback, self.best_time(r),
            self.talking_points(r, years, km, note), r.wechat_id)


def encode(values: tuple[Any, ...]) -> str:
    """The JSON a member's row stores: ListMember.to_data() of what prints for them."""
    return _ENCODE(dict(zip(SNAPSHOT_KEYS, values, strict=True)))


# The positions of the snapshot's days, and of the fields most members share (place, car,
# caller, the words for a time or an outcome): kept as one string object each, not one per member.
_DAYS = tuple(SNAPSHOT_KEYS.index(k) for k in ("purchase_date", "last_contact"))
SHARED = ("channel", "caller", "province", "city", "district", "brand", "model", "best_time",
          "last_outcome", "postcode")
_SHARED_AT = tuple(SNAPSHOT_KEYS.index(k) for k in SHARED)


def member_of(values: tuple[Any, ...], shared: dict[str, str]) -> ListMember:
    """The member a snapshot reads back as (ListMember.from_data of its JSON), without the JSON."""
    row = list(values)
    for i in _DAYS:
        if row[i]:
            row[i] = dt.date.fromisoformat(row[i])
    for i in _SHARED_AT:
        if row[i] is not None:
            row[i] = shared.setdefault(row[i], row[i])
    return ListMember(*row)


def exclusion_detail(r, retry_days: int, fatigue_days: int) -> str:
    """Why this customer was left out (its `reason`), in the words the exclusion list prints."""
    reason = r.reason if r.reason == "same_mobile" else r.step
    if reason == "dnc":
        return f"全部渠道勿扰：{r.dnc_reason or ''}"
    if reason == "no_consent":
        return "无有效营销同意（个人信息保护法）"
    if reason == "complaint":
        return "有未解决投诉，暂停销售联系，转服务补救"
    if reason == "recent_contact":
        return f"{as_day(r.last_done)} 已联系（{fatigue_days} 天内不再联系）"
    if reason == "retry_later":
        fail = as_day(r.last_fail)
        assert fail is not None  # a retry is only waited for after a failed call
        return f"{fail} 未接通，{fail + dt.timedelta(days=retry_days)} 起再拨"
    if reason == "same_mobile":
        return f"与客户 {r.same_as} 同一手机号"
    words = {"dnc": r.dnc_reason or "", "mobile": r.mobile or "（空）",
             "wrong": as_day(r.last_wrong), "failed": r.failed_calls}
    blocks = {c: getattr(r, f"{c}_block") for c in LIST_CHANNELS}
    return "；".join(
        f"{text('list_channel', c)}：{BLOCK_WORDS[(c, blocks[c])].format(**words)}"
        for c in (getattr(r, f"o{i}") for i in range(1, POSITIONS + 1))
        if c is not None and blocks[c] is not None)


def exclusion_snapshot(r) -> str:
    return _ENCODE({"name": r.name, "code": r.code, "mobile": r.mobile})
