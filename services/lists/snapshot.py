"""What a list run stores for each person: the member's snapshot (everything a sheet prints,
frozen when the run is made) and the words for why someone was left out. Built straight from
the database rows the set-based run streams: each member as the run keeps it, and its JSON."""

from __future__ import annotations

import datetime as dt
import json
from json.encoder import encode_basestring
from typing import Any

from services.customers.names import surname
from services.customers.suggest_facts import renewal
from services.imports.phones import first_typed
from services.labels import pick, text
from services.lists.routing import LIST_CHANNELS, POSITIONS
from services.outputs.types import ListMember
from services.segments.templates import OVERDUE_DAYS

# ListMember's fields in order (services/outputs/types.py reads them back with from_data).
SNAPSHOT_KEYS = (
    "row_code", "name", "channel", "caller", "customer_code", "salutation", "mobile", "province",
    "city", "district", "street", "postcode", "brand", "model", "plate", "purchase_date",
    "years_owned", "km", "last_contact", "last_outcome", "last_feedback", "best_time",
    "talking_points", "wechat_id", "contact_person")
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# A member's JSON: the list of their values in SNAPSHOT_KEYS' order as _ENCODE writes it,
# filled with each value's own JSON. Without the keys it is half the size (a run of 103,441
# members stored 29 million characters of snapshots instead of 59 million). Runs stored
# before wrote the dict of SNAPSHOT_KEYS: member_data reads both.
_TEMPLATE = "[" + ", ".join("%s" for _ in SNAPSHOT_KEYS) + "]"
# The words a run prints and stores, as (Chinese, English) pairs: the sheets, the files and the
# stored runs say them in Chinese; the window in English says them in English (read back from
# the stored Chinese by services/lists/shown.py, so every template below must stay readable
# back: no two placeholders side by side).
#
# Why someone was left out, by the step that left them out.
LEFT_OUT_WORDS = {
    "dnc": ("全部渠道勿扰：{dnc}", "Do not contact on any channel: {dnc}"),
    "no_consent": ("无有效营销同意（个人信息保护法）", "No valid marketing consent (PIPL)"),
    "complaint": ("有未解决投诉，暂停销售联系，转服务补救",
                  "Unresolved complaint: no sales contact, passed to service recovery"),
    "recent_contact": ("{day} 已联系（{days} 天内不再联系）",
                       "Contacted on {day} (not again within {days} days)"),
    "on_list": ("已在名单 #{run} 中待联系（{days} 天内不重复联系）",
                "Already waiting on list #{run} (not contacted twice within {days} days)"),
    "retry_later": ("{day} 未接通，{again} 起再拨",
                    "Not reached on {day}; call again from {again}"),
    "same_mobile": ("与客户 {code} 同一手机号", "Same mobile as customer {code}"),
}
# Not stored: said of a member when a stored run is printed again after they refused
# (services/lists/runs.py).
REFUSED_SINCE = ("名单生成后要求勿扰（{day} 起）：{dnc}",
                 "Asked not to be contacted after the list was made (from {day}): {dnc}")
# Why a channel of the customer's was closed; said after the channel (CHANNEL_WORDS), channel
# by channel in the order of their preference (CHANNELS_JOINT between them).
BLOCK_WORDS = {
    ("call", "dnc"): ("电话勿扰：{dnc}", "do not call: {dnc}"),
    ("sms", "dnc"): ("短信勿扰：{dnc}", "no SMS: {dnc}"),
    ("mail", "dnc"): ("邮寄勿扰：{dnc}", "no mail: {dnc}"),
    ("call", "no_mobile"): ("手机号无效：{mobile}，也无其他可拨打的电话",
                            "no valid mobile: {mobile}, and no other number to call"),
    ("sms", "no_mobile"): ("手机号无效：{mobile}", "no valid mobile: {mobile}"),
    ("call", "wrong_number"): ("{wrong} 拨打为空号/错号", "wrong number when called on {wrong}"),
    ("call", "no_channel"): ("已有 {failed} 天未接通", "calls not answered on {failed} days"),
    ("mail", "no_address"): ("地址或邮编不完整", "address or postcode incomplete"),
    ("wechat", "dnc"): ("微信勿扰：{dnc}", "no WeChat: {dnc}"),
    ("wechat", "no_wechat"): ("无微信号", "no WeChat ID"),
    ("visit", "dnc"): ("上门勿扰：{dnc}", "no visits: {dnc}"),
    ("visit", "no_address"): ("无可上门的地址", "no address to visit"),
}
# Words runs stored before for a block, read back for those runs (services/lists/shown.py):
# until landlines were called, a call blocked for want of a mobile said only that; until
# failed days were counted (December 2026), failed calls were.
EARLIER_BLOCK_WORDS = {
    ("call", "no_mobile"): ("手机号无效：{mobile}", "no valid mobile: {mobile}"),
    ("call", "no_channel"): ("已连续 {failed} 次未接通", "{failed} calls in a row not answered"),
}
CHANNEL_WORDS = ("{channel}：{words}", "{channel}: {words}")
CHANNELS_JOINT = ("；", "; ")
NO_MOBILE = ("（空）", "(none)")  # the {mobile} of a customer without any
# A member's best time: the preferred days, then an hour range or the time windows ("/"
# between them), or no preference at all.
HOURS = ("{start}–{end}点", "{start}:00–{end}:00")
BEST_TIME_JOINT = (" ", ", ")
ANY_TIME = ("不限", "Any time")
_TITLES = {"M": "先生", "F": "女士"}
# The facts (services/lists/query.py) a member's snapshot reads, besides their channel and
# whether it was switched: a run fetches these and no more of its members' facts.
MEMBER_FACTS = (
    "vehicle_id", "code", "name", "contact_name", "gender", "mobile", "mobile_ok",
    "other_phone_ok", "phones_typed", "province",
    "city", "district", "street", "postcode", "wechat_id", "birthday_md", "brand", "model",
    "plate", "purchase_date", "insurance_expiry", "warranty_end", "km", "preferred_days",
    "time_windows", "hour_from", "hour_to", "failed_calls", "last_at", "last_outcome",
    "last_feedback", "score")
# A reminder run's talking points say the car's maintenance due date and the customer's open
# declined repairs (建议维修) due within this many days, or overdue: the reason for its call.
REMINDER_DAYS = 60
# The facts a reminder run reads besides MEMBER_FACTS (services/lists/query.py adds them to a
# reminder run's query only): the due date, whether it is the first free service (首保) and
# the day the owner was told at the last service (下次保养日期, when it was), whether the car
# has no maintenance on record long after its 首保 (due by the regular schedule then), and how
# many declined items are due with the first two (item, due date) by due date.
REMINDER_FACTS = ("maintenance_due", "first_service", "maintenance_told", "no_record",
                  "declined_total", "declined_item1", "declined_due1", "declined_item2",
                  "declined_due2")
# Said of the due date of a car with no maintenance on record long after its 首保
# (services/segments/maintenance.py no_record): the caller is told why its date is the regular
# schedule's from the purchase, and not a visit's.
NO_RECORD_SAID = "无保养记录，按常规间隔"
# A declined item's text is cut to this many characters (the last one "…") in a talking point:
# the call sheet's column has six lines for every point.
ITEM_SHOWN = 12


def as_day(value) -> dt.date | None:
    """A day from what a driver returns: a date, a datetime, or ISO text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def km_shown(km) -> int | None:
    # float first: PostgreSQL may return the estimate as a Decimal; round() then rounds the
    # same way on both databases.
    return None if km is None else int(round(float(km)))


def best_time(r, lang: str = "zh") -> str:
    """When to reach the member, in `lang` (a run stores and prints it in Chinese)."""
    # "Any day" says nothing on a sheet: only a weekday or weekend preference is printed.
    days = ("" if (r.preferred_days or "any") == "any"
            else text("preferred_days", r.preferred_days, lang))
    if r.hour_from is not None and r.hour_to is not None:
        when = pick(HOURS, lang).format(start=r.hour_from, end=r.hour_to)
    else:
        when = "/".join(text("time_window", w.strip(), lang)
                        for w in (r.time_windows or "").split(",") if w.strip())
    return pick(BEST_TIME_JOINT, lang).join(p for p in (days, when) if p) or pick(ANY_TIME, lang)


def switch_note(failed: int, channel: str) -> str:
    return f"电话已有 {failed} 天未接通，改为{text('list_channel', channel)}"


def household_note(name: str, code: str) -> str:
    """The first talking point of a call to the number the call above it dials (calls to one
    number follow one another on a sheet): one conversation can take both."""
    return f"与上一位 {name}（{code}）同一电话：可一并沟通"


def _json(value: Any) -> str:
    """`value` as _ENCODE writes it."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0:  # finite: what the encoder writes for it
        return float.__repr__(value)
    return _ENCODE(value)


class _Day:
    """A day as a snapshot prints it, worked out once per distinct day of a run."""

    __slots__ = ("day", "iso", "ahead", "json")

    def __init__(self, day: dt.date, as_of: dt.date) -> None:
        self.day = day
        self.iso = day.isoformat()
        self.ahead = (day - as_of).days  # days from the run date to this day
        self.json = f'"{self.iso}"'


class MemberSnapshots:
    """Builds members' snapshots for one run date. What repeats from row to row is worked out
    once and kept: a day's ISO text and distance from the run date, a purchase day's years
    owned and what they say, the words for a preferred time, an outcome or a birthday, and the
    JSON of the strings most members share (which the kept document then shares too, as
    load_document does). Done row by row, this was 5 s of a 16 s run of 102,838 members."""

    def __init__(self, as_of: dt.date, selling: bool = True, reminder: bool = False) -> None:
        """`selling`: the run is to sell (a sales, marketing or referral-request run, whose
        members all gave marketing consent). Other runs (care, reminders, call-backs) are read
        no talking point that offers something: not the replacement, not asking for a referral
        (their members need not have consented to marketing, and a care call sells nothing).
        `reminder`: a reminder run, whose rows carry REMINDER_FACTS; its talking points start
        with the maintenance due and the declined repairs due."""
        self.as_of = as_of
        self.selling = selling
        self.reminder = reminder
        self.md_from = as_of.strftime("%m%d")
        self.md_to = (as_of + dt.timedelta(days=14)).strftime("%m%d")
        self._times: dict[tuple, str] = {}
        self._outcomes: dict[str | None, str | None] = {None: None, "": None}
        self._days: dict[Any, _Day] = {}
        self._renewals: dict[dt.date, _Day | None] = {}
        self._owned: dict[Any, tuple[float, str]] = {}
        self._birthdays: dict[str, str | None] = {}
        self._shared: dict[str, tuple[str, str]] = {}
        self._titles: dict[str, str] = {}

    def birthday_soon(self, md: str) -> bool:
        start, end = self.md_from, self.md_to
        return start <= md <= end if start <= end else (md >= start or md <= end)

    def best_time(self, r) -> str:
        key = (r.preferred_days, r.hour_from, r.hour_to, r.time_windows)
        if key not in self._times:
            self._times[key] = best_time(r)
        return self._times[key]

    def outcome(self, code: str | None) -> str | None:
        if code not in self._outcomes:
            self._outcomes[code] = text("outcome", code)
        return self._outcomes[code]

    def day(self, value) -> _Day | None:
        """`value` (a date, a datetime or ISO text) as a day, None for None."""
        if value is None:
            return None
        key: Any
        if type(value) is str:
            key = value[:10]
        else:
            key = value.date() if isinstance(value, dt.datetime) else value
        got = self._days.get(key)
        if got is None:
            day = as_day(key)
            assert day is not None
            got = self._days[key] = _Day(day, self.as_of)
        return got

    def renewal(self, expired: _Day) -> _Day | None:
        """The next renewal of a yearly policy that expired on a past day (its anniversary)."""
        if expired.day not in self._renewals:
            self._renewals[expired.day] = self.day(renewal(expired.day, self.as_of))
        return self._renewals[expired.day]

    def _years(self, day: _Day) -> tuple[float, str]:
        """Years owned since a purchase day, and the talking point they make (or '')."""
        got = self._owned.get(day.day)
        if got is None:
            years = round(-day.ahead / 365.25, 1)
            point = f"购车 {years:.1f} 年：可介绍置换、免费评估旧车" if years >= 5 else ""
            got = self._owned[day.day] = (years, point)
        return got

    def _birthday(self, md: str) -> str | None:
        if md not in self._birthdays:
            self._birthdays[md] = (f"{md[:2]}月{md[2:]}日生日：送上祝福"
                                   if self.birthday_soon(md) else None)
        return self._birthdays[md]

    def salutation(self, name: str | None, gender: str | None) -> str:
        """How a call greets the member: "张先生" from a name and gender, else the name. One
        string object for each such greeting of a run (one per member took 8 MB of 102,838
        members' kept document)."""
        title = _TITLES.get(gender or "", "")
        if not (title and name):
            return name or ""
        # 欧阳女士 for 欧阳娜; a name without a surname to take is kept whole (…·买买提女士),
        # one in Latin letters with a space before the title, as Chinese text sets Latin
        # words apart (John Smith 先生, not John Smith先生).
        whole = surname(name) or name.strip()
        key = whole + (" " if whole[-1:].isascii() and whole[-1:].isalpha() else "") + title
        return self._titles.setdefault(key, key)

    def _share(self, value: Any) -> tuple[Any, str]:
        """One string object for a value many members share, and its JSON."""
        if type(value) is not str:  # None (or, never seen, a number: not to be confused)
            return value, _json(value)
        got = self._shared.get(value)
        if got is None:
            got = self._shared[value] = (value, _json(value))
        return got

    def reminder_points(self, r) -> list[str]:
        """What a reminder call is about: the maintenance due within REMINDER_DAYS or overdue,
        and the open declined items due by then (the first two, and how many in all)."""
        pts = []
        due = self.day(r.maintenance_due)
        if due is not None and due.ahead <= REMINDER_DAYS:
            what = "首保" if r.first_service else "保养"
            late = -due.ahead
            told_day = self.day(r.maintenance_told)
            # The day the advisor told the owner: the caller can say so, due or overdue. A car
            # with no maintenance on record was told nothing: why its day is what it is.
            told = ("上次保养时告知" if told_day is not None and told_day.iso == due.iso
                    else NO_RECORD_SAID if r.no_record else "")
            if late <= 0:
                pts.append(f"{what} {due.iso} 到期{f'（{told}）' if told else ''}：提醒预约")
            elif late <= OVERDUE_DAYS:
                pts.append(f"{what}已逾期 {late} 天（{due.iso} 到期{f'，{told}' if told else ''}）"
                           f"：提醒预约")
            else:  # most likely serviced elsewhere since: a win-back call, not a reminder
                span = f"约 {late // 30} 个月" if late < 730 else f"约 {late // 365} 年"
                pts.append(f"{what}已逾期{span}（{due.iso} 到期{f'，{told}' if told else ''}），"
                           f"久未回店：先问车况，邀请回店检查")
        total = r.declined_total
        if total:
            items = "、".join(
                declined_said(item, self.day(when))
                for item, when in ((r.declined_item1, r.declined_due1),
                                   (r.declined_item2, r.declined_due2)) if item is not None)
            pts.append(f"建议维修：{items}" + (f"等 {total} 项" if total > 2 else ""))
        return pts

    def talking_points(self, r, years: tuple[float, str] | None, km: int | None,
                       note: str) -> str:
        pts = [note] if note else []
        if self.reminder:
            pts += self.reminder_points(r)
        score = r.score
        if score is not None and score <= 6:
            pts.append(f"上次满意度 {score} 分：先致歉并了解问题，不推销")
        if self.selling and years is not None and years[1]:
            pts.append(years[1])
        # The estimate itself decides; the rounded km (the km column's) says it. A rounded
        # km under 60,000 is an estimate under it: most rows end at the first test.
        if km is not None and km >= 60000 and float(r.km) >= 60000:
            pts.append(f"估算里程约 {km:,} 公里：提醒大保养")
        days = self._days
        for label, when in (("保险", r.insurance_expiry), ("质保", r.warranty_end)):
            if when is not None:
                d = days.get(when) or self.day(when)
                if d is not None and d.ahead < 0 and label == "保险":
                    d = self.renewal(d)
                if d is not None and 0 <= d.ahead <= 60:
                    pts.append(f"{label} {d.iso} 到期：可谈续保/延保")
        md = r.birthday_md
        if md:
            said = self._birthdays[md] if md in self._birthdays else self._birthday(md)
            if said:
                pts.append(said)
        if self.selling and score is not None and score >= 9:
            pts.append(f"满意度 {score} 分：可请其推荐亲友（老带新）")
        return "；".join(pts)

    def snapshot(self, r, row_code: str, caller: str, above: str = "") -> tuple[ListMember, str]:
        """What prints for a member: the member (as load_document reads its JSON back) and
        that JSON (the values of ListMember.to_data() as _ENCODE writes their list). `above`:
        the household_note of a call to the number of the call above it."""
        # Most lookups hit: the cache is read here, its methods only fill it.
        shared, share = self._shared.get, self._share
        note = switch_note(r.failed_calls, r.channel) if r.switched else above
        bought = self._days.get(r.purchase_date) or self.day(r.purchase_date)
        owned = None if bought is None else self._years(bought)
        years = None if owned is None else owned[0]
        km = km_shown(r.km)
        last = self.day(r.last_at)
        name = r.name
        channel, channel_js = shared(r.channel) or share(r.channel)
        caller, caller_js = shared(caller) or share(caller)
        province, province_js = shared(r.province) or share(r.province)
        city, city_js = shared(r.city) or share(r.city)
        district, district_js = shared(r.district) or share(r.district)
        postcode, postcode_js = shared(r.postcode) or share(r.postcode)
        brand, brand_js = shared(r.brand) or share(r.brand)
        model, model_js = shared(r.model) or share(r.model)
        outcome, outcome_js = share(self.outcome(r.last_outcome))
        when, when_js = share(self.best_time(r))
        points = self.talking_points(r, owned, km, note)
        contact = r.contact_name
        # A contact person is greeted as recorded (王经理, or a full name whose gender is not
        # stored); the customer's own gender is not theirs.
        title = contact or self.salutation(name, r.gender)
        mobile = reach_number(r)
        code, street, plate, feedback, wechat = (r.code, r.street, r.plate, r.last_feedback,
                                                 r.wechat_id)
        member = ListMember(
            row_code, name, channel, caller, code, title, mobile, province, city, district,
            street, postcode, brand, model, plate, None if bought is None else bought.day,
            years, km, None if last is None else last.day, outcome, feedback, when, points,
            wechat, contact)
        # Each value written as _json would write it, without a call of it: the texts are
        # str or None (text columns), the years a finite float, the km an int. The calls were
        # 6 % of a snapshot's instructions (callgrind: 107,800 a member against 101,600).
        enc = encode_basestring
        data = _TEMPLATE % (
            enc(row_code), "null" if name is None else enc(name), channel_js, caller_js,
            "null" if code is None else enc(code), enc(title),
            "null" if mobile is None else enc(mobile), province_js, city_js, district_js,
            "null" if street is None else enc(street), postcode_js,
            brand_js, model_js, "null" if plate is None else enc(plate),
            "null" if bought is None else bought.json,
            "null" if years is None else float.__repr__(years),
            "null" if km is None else int.__repr__(km), "null" if last is None else last.json,
            outcome_js, "null" if feedback is None else enc(feedback), when_js, enc(points),
            "null" if wechat is None else enc(wechat),
            "null" if contact is None else enc(contact))
        return member, data


def declined_said(item: str, due: _Day | None) -> str:
    """A declined item as a talking point says it: its text cut to ITEM_SHOWN, its due date."""
    item = " ".join(item.split())  # one line on the sheet
    said = item if len(item) <= ITEM_SHOWN else item[:ITEM_SHOWN - 1] + "…"
    if due is None:  # never from the query (every item is due: maintenance.declined_due_on)
        return said
    return f"{said}（{due.iso} 到期{'，已逾期' if due.ahead < 0 else ''}）"


def member_data(raw: str) -> dict[str, Any]:
    """A stored member snapshot as the dict of its fields, from either form (a list of the
    values in SNAPSHOT_KEYS' order, or the dict older runs stored)."""
    data = json.loads(raw)
    return dict(zip(SNAPSHOT_KEYS, data, strict=False)) if isinstance(data, list) else data


# The fields most members share (place, car, caller, the words for a time or an outcome): kept
# as one string object each, not one per member, when a stored run is read back.
SHARED = ("channel", "caller", "province", "city", "district", "brand", "model", "best_time",
          "last_outcome", "postcode")


# What exclusion_detail and exclusion_snapshot read of a left-out customer's decided row and
# facts, besides the reason.
EXCLUSION_FACTS = (
    "code", "name", "mobile", "mobile_ok", "other_phone_ok", "phones_typed", "step", "same_as",
    "dnc_reason",
    "last_done", "last_fail", "last_wrong", "failed_calls", "on_list",
    *(f"o{i}" for i in range(1, POSITIONS + 1)), *(f"{c}_block" for c in LIST_CHANNELS))
_EXCLUSION_TEMPLATE = '{"name": %s, "code": %s, "mobile": %s}'


def exclusion_detail(r, retry_days: int, fatigue_days: int, lang: str = "zh") -> str:
    """Why this customer was left out (its `reason`), in the words the exclusion list prints
    (Chinese; `lang` "en": in English)."""
    reason = r.reason if r.reason == "same_mobile" else r.step
    said = LEFT_OUT_WORDS.get(reason)
    if said is not None:
        template = pick(said, lang)
        if reason == "dnc":
            return template.format(dnc=r.dnc_reason or "")
        if reason == "recent_contact":
            return template.format(day=as_day(r.last_done), days=fatigue_days)
        if reason == "on_list":
            return template.format(run=r.on_list, days=fatigue_days)
        if reason == "retry_later":
            fail = as_day(r.last_fail)
            assert fail is not None  # a retry is only waited for after a failed call
            return template.format(day=fail, again=fail + dt.timedelta(days=retry_days))
        if reason == "same_mobile":
            return template.format(code=r.same_as)
        return template
    words = {"dnc": r.dnc_reason or "", "mobile": r.mobile or pick(NO_MOBILE, lang),
             "wrong": as_day(r.last_wrong), "failed": r.failed_calls}
    blocks = {c: getattr(r, f"{c}_block") for c in LIST_CHANNELS}
    one = pick(CHANNEL_WORDS, lang)
    return pick(CHANNELS_JOINT, lang).join(
        one.format(channel=text("list_channel", c, lang),
                   words=pick(BLOCK_WORDS[(c, blocks[c])], lang).format(**words))
        for c in (getattr(r, f"o{i}") for i in range(1, POSITIONS + 1))
        if c is not None and blocks[c] is not None)


def refused_since_detail(day: dt.date, dnc: str, lang: str = "zh") -> str:
    """Why a member of a stored run is left out of its re-print: they refused since."""
    return pick(REFUSED_SINCE, lang).format(day=day, dnc=dnc)


def reach_number(r) -> str | None:
    """The number to reach someone on, from their facts: their mobile (bare), else another
    number to call (a landline), else what was typed as their mobile (printed as it is), else
    the first of their other phones as typed (`phones_typed`, only of those with no mobile
    typed): services/imports/phones.py number_to_dial, from the facts the database worked
    out."""
    return r.mobile_ok or r.other_phone_ok or r.mobile or first_typed(r.phones_typed)


def exclusion_snapshot(r) -> str:
    """The name, code and number to reach them on (reach_number), as _ENCODE writes them in a
    dict under "mobile"."""
    return _EXCLUSION_TEMPLATE % (_json(r.name), _json(r.code), _json(reach_number(r)))
