"""Per-customer decisions on the facts the SQL query computed: exclusion reasons, the channel
(preference or forced; failed calls move on to SMS or mail), best time, talking points."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.labels import text
from services.outputs.sms import mainland_mobile
from services.store.settings import Settings

STORED_TO_LIST = {"phone": "call", "sms": "sms", "mail": "mail"}
DEFAULT_ORDER = ("call", "sms", "mail")
DAY_RANK = {"weekday": 0, "any": 1, None: 1, "weekend": 2}
WINDOW_START = {"morning": 9, "noon": 12, "afternoon": 14, "evening": 18}  # hour of the day


@dataclass(frozen=True)
class Decision:
    channel: str | None  # None = excluded
    reason: str = ""
    detail: str = ""
    note: str = ""  # e.g. why a caller's customer went to SMS


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def channel_order(raw: str | None) -> tuple[str, ...]:
    got = [STORED_TO_LIST[c.strip()] for c in (raw or "").split(",")
           if c.strip() in STORED_TO_LIST]
    return tuple(dict.fromkeys(got)) or DEFAULT_ORDER


def has_address(r) -> bool:
    return bool(r.street and (r.city or r.province) and r.postcode
                and len(r.postcode) == 6 and r.postcode.isdigit())


def _blocked(r, channel: str, s: Settings, as_of: dt.date) -> tuple[str, str] | None:
    if channel == "call":
        if r.dnc_phone:
            return "dnc", f"电话勿扰：{r.dnc_reason or ''}"
        if mainland_mobile(r.mobile) is None:
            return "no_mobile", f"手机号无效：{r.mobile or '（空）'}"
        wrong, ok = _date(r.last_wrong), _date(r.last_ok)
        if wrong and (ok is None or wrong >= ok):
            return "no_mobile", f"{wrong} 拨打为空号/错号"
        if r.failed_calls >= s.max_failed_attempts:
            return "no_channel", f"已连续 {r.failed_calls} 次未接通"
    elif channel == "sms":
        if r.dnc_sms:
            return "dnc", f"短信勿扰：{r.dnc_reason or ''}"
        if mainland_mobile(r.mobile) is None:
            return "no_mobile", f"手机号无效：{r.mobile or '（空）'}"
    elif channel == "mail":
        if r.dnc_mail:
            return "dnc", f"邮寄勿扰：{r.dnc_reason or ''}"
        if not has_address(r):
            return "no_address", "地址或邮编不完整"
    return None


def decide(r, forced: str | None, s: Settings, as_of: dt.date, sales: bool) -> Decision:
    if r.dnc_all:
        return Decision(None, "dnc", f"全部渠道勿扰：{r.dnc_reason or ''}")
    if sales and not r.consent:
        return Decision(None, "no_consent", "无有效营销同意（个人信息保护法）")
    if sales and r.complaint:
        return Decision(None, "complaint", "有未解决投诉，暂停销售联系，转服务补救")
    done = _date(r.last_done)
    if done and (as_of - done).days < s.contact_fatigue_days:
        days = s.contact_fatigue_days
        return Decision(None, "recent_contact", f"{done} 已联系（{days} 天内不再联系）")
    order = (forced,) if forced else channel_order(r.channel_order)
    fail, ok = _date(r.last_fail), _date(r.last_ok)
    waiting = fail and (ok is None or fail > ok) and (as_of - fail).days < s.no_answer_retry_days
    reasons = []
    for channel in order:
        if channel == "call" and fail and waiting and r.failed_calls < s.max_failed_attempts:
            back = fail + dt.timedelta(days=s.no_answer_retry_days)
            return Decision(None, "retry_later", f"{fail} 未接通，{back} 起再拨")
        blocked = _blocked(r, channel, s, as_of)
        if blocked is None:
            note = ""
            if channel != "call" and "call" in order[: order.index(channel)] \
                    and r.failed_calls >= s.max_failed_attempts:
                note = (f"电话已连续 {r.failed_calls} 次未接通，改为"
                        f"{text('list_channel', channel)}")
            return Decision(channel, note=note)
        reasons.append(blocked)
    if not forced and r.failed_calls >= s.max_failed_attempts and "call" in order:
        # Five failed calls and no other usable channel in their preferences: try the others.
        for channel in ("sms", "mail"):
            if channel not in order and _blocked(r, channel, s, as_of) is None:
                return Decision(channel, note=f"电话已连续 {r.failed_calls} 次未接通，改为"
                                              f"{text('list_channel', channel)}")
    reason = reasons[0][0]
    detail = "；".join(f"{text('list_channel', c)}：{d}" for c, (_, d) in zip(order, reasons,
                                                                        strict=False))
    return Decision(None, reason, detail)


def best_time(r) -> str:
    # "Any day" says nothing on a sheet: only a weekday or weekend preference is printed.
    days = "" if (r.preferred_days or "any") == "any" else text("preferred_days", r.preferred_days)
    if r.hour_from is not None and r.hour_to is not None:
        when = f"{r.hour_from}–{r.hour_to}点"
    else:
        when = "/".join(text("time_window", w.strip())
                        for w in (r.time_windows or "").split(",") if w.strip())
    return " ".join(p for p in (days, when) if p) or "不限"


def order_key(r) -> tuple:
    """Preferred day (weekday, any, weekend), then the earliest window, then the name."""
    if r.hour_from is not None:
        start = r.hour_from
    else:
        starts = [WINDOW_START[w.strip()] for w in (r.time_windows or "").split(",")
                  if w.strip() in WINDOW_START]
        start = min(starts) if starts else 24
    return DAY_RANK.get(r.preferred_days, 1), start, r.name_sort or r.name, r.customer_id


def years_owned(r, as_of: dt.date) -> float | None:
    bought = _date(r.purchase_date)
    return None if bought is None else round((as_of - bought).days / 365.25, 1)


def talking_points(r, as_of: dt.date, note: str) -> str:
    pts = [note] if note else []
    years = years_owned(r, as_of)
    if r.score is not None and r.score <= 6:
        pts.append(f"上次满意度 {r.score} 分：先致歉并了解问题，不推销")
    if years is not None and years >= 5:
        pts.append(f"购车 {years:.1f} 年：可介绍置换、免费评估旧车")
    if r.km is not None and r.km >= 60000:
        pts.append(f"估算里程约 {round(r.km):,} km：提醒大保养")  # as the km column rounds
    for label, when in (("保险", r.insurance_expiry), ("质保", r.warranty_end)):
        d = _date(when)
        if d and 0 <= (d - as_of).days <= 60:
            pts.append(f"{label} {d} 到期：可谈续保/延保")
    if r.birthday_md:
        md = as_of.strftime("%m%d")
        end = (as_of + dt.timedelta(days=14)).strftime("%m%d")
        if (md <= r.birthday_md <= end) if md <= end else (r.birthday_md >= md
                                                               or r.birthday_md <= end):
            pts.append(f"{r.birthday_md[:2]}月{r.birthday_md[2:]}日生日：送上祝福")
    if r.score is not None and r.score >= 9:
        pts.append(f"满意度 {r.score} 分：可请其推荐亲友（老带新）")
    return "；".join(pts)


def last_outcome_label(code: str | None) -> str | None:
    return text("outcome", code) if code else None
