"""SMS vendor files: a template with merge fields rendered per person, signature and opt-out
counted in the length, 70 characters as one message, longer ones billed in 67-character parts,
one row per mainland mobile, and a planned send time inside the marketing window. Nothing is
written when anything is refused. The merge rules (`MergeText`) are WeChat messages' too.

Carriers count a Chinese (UCS-2) message in UTF-16 code units: every character of the basic
plane counts 1, full- or half-width, and an emoji or a rare character outside it (𠮷) counts 2.
Such characters are flagged, and so are emoji and pictographic symbols of the basic plane (❤ ✅
⭐ ☎) and the invisible marks that build emoji (U+FE0F after ❤ in ❤️, each billed as a unit):
some vendors reject them or send them as "?".

A merge field may carry a fallback, {车型|您的爱车}; a member lacking a value for a field
without one is left out ("缺少合并字段"), never sent a message with an empty hole in it. An
empty fallback, {车型|}, would be such a hole and is refused. {店名} is the shop's name from
the settings."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from services.imports.phones import mainland_mobile
from services.labels import car_in_text
from services.outputs.excel import Column, write_csv, write_xlsx
from services.outputs.types import NO_STEPS, ListMember, Steps
from services.store.errors import N_, RevisitError

SINGLE_LIMIT = 70
PART_LIMIT = 67
MAX_LENGTH = 500
DEFAULT_WINDOW = (dt.time(8, 0), dt.time(20, 0))
DEFAULT_OPT_OUT = "回T退订"
# What may stand between a message and the opt-out text appended to it without a comma.
_SENTENCE_ENDS = frozenset("。！？!?.,，;；:： ")
VENDORS = ("generic", "aliyun", "huawei")
SHOP_FIELD = "店名"

# Merge field -> (Aliyun template variable name, its value for a member and the shop's name).
FIELDS: dict[str, tuple[str, Callable[[ListMember, str], object]]] = {
    "姓名": ("name", lambda m, shop: m.name),
    "称呼": ("title", lambda m, shop: m.salutation or m.name),
    "车型": ("model", lambda m, shop: m.model or m.vehicle),
    "品牌": ("brand", lambda m, shop: m.brand or ""),
    # 宝马X3: the brand and model as the sentence names the car (车型 alone says 您的X3).
    "品牌车型": ("car", lambda m, shop: car_in_text(m.brand, m.model)),
    "车牌": ("plate", lambda m, shop: m.plate or ""),
    "车龄": ("years", lambda m, shop: "" if m.years_owned is None else f"{m.years_owned:.0f}"),
    "里程": ("km", lambda m, shop: "" if m.km is None else str(m.km)),
    SHOP_FIELD: ("shop", lambda m, shop: shop),
}
FIELD_RE = re.compile(r"\{([^{}]*)\}")
# The message a list's SMS starts from, by the list's purpose: staff change it as they like.
# Each is one message (70 characters with a 10-character signature and the opt-out) with
# typical names, and none but marketing's holds an offer word.
DEFAULT_TEXTS: dict[str, str] = {
    "reminder": "{称呼}您好，您的{品牌车型|爱车}（{车牌}）近期该做保养了，欢迎预约到店。",
    "care": "{称呼}您好，感谢您一直以来的信任。用车中有任何问题，欢迎随时联系我们。",
    "callback": "{称呼}您好，感谢您近期到店。对这次服务有任何意见或建议，欢迎回复告诉我们。",
    "sales": "{称呼}您好，您的{品牌车型|爱车}已陪伴您多年，如有换车打算，欢迎到店试驾新车。",
    "survey": "{称呼}您好，想请您花一分钟评价近期的服务，您的意见对我们很重要，感谢支持！",
    "recall": "{称呼}您好，您的{品牌车型|爱车}（{车牌}）在厂家召回范围内，请尽快致电预约检修。",
    "marketing": "{称呼}您好，本店近期举办车主关怀活动，欢迎到店参加，详情请致电咨询。",
    "ref_thanks": "{称呼}您好，感谢您向亲友推荐我们！您的信任是对我们最大的鼓励。",
    "ref_ask": "{称呼}您好，感谢您一直以来的认可。亲友有购车或用车需要，欢迎介绍给我们。",
}


def default_text(purpose: str) -> str:
    """The message a list of `purpose` starts from; a reminder's for a purpose without one."""
    return DEFAULT_TEXTS.get(purpose, DEFAULT_TEXTS["reminder"])


# Words that make a text an offer (a discount, a gift, an event): a marketing message, which
# goes only to customers who agreed to marketing and did not unsubscribe from it (PIPL, and the
# carriers' rules for commercial SMS). Lists made for care, reminders or call-backs do not
# leave those customers out.
OFFER_WORDS = ("优惠", "促销", "特价", "特惠", "折扣", "打折", "折起", "立减", "满减", "返现",
               "赠送", "送礼", "好礼", "礼品", "礼包", "抽奖", "秒杀", "限时", "团购", "免费",
               "活动价", "大促", "福利")


def offer_words(text: str) -> tuple[str, ...]:
    """The words of OFFER_WORDS in `text` (merge fields aside), in the order listed."""
    plain = FIELD_RE.sub("", text)
    return tuple(w for w in OFFER_WORDS if w in plain)
# The refusal of an SMS file while the shop has no signature in the settings (a new database
# has none): vendors send only texts signed with the signature registered with them.
NO_SIGNATURE = N_("Set the shop's SMS signature in Settings first (the SMS vendor sends only "
                  "texts signed with your registered signature, such as 【店名】); no SMS "
                  "file is made without it.")
UNKNOWN_IN_SMS = N_("The SMS template uses unknown merge field(s) {fields}; known fields are "
                    "{known}.")
# Invisible marks that build emoji, each billed as a unit of its own: the text and emoji
# variation selectors (❤️ is ❤ and U+FE0F), the zero-width joiner of 👨‍👩‍👧, the keycap of 1️⃣.
EMOJI_MARKS = {"\ufe0e": "U+FE0E", "\ufe0f": "U+FE0F", "\u200d": "U+200D", "\u20e3": "U+20E3"}


def parts(length: int) -> int:
    """Billed messages for a Chinese SMS of `length` UTF-16 units (signature included)."""
    return 1 if length <= SINGLE_LIMIT else math.ceil(length / PART_LIMIT)


def sms_length(message: str) -> int:
    """The length a carrier bills: UTF-16 code units."""
    return len(message.encode("utf-16-le")) // 2


def _rejected_by_rule(c: str) -> bool:
    # Symbols of the GBK character set (★ ℃ № ■ ─), the set Chinese SMS gateways fall back to
    # (CMPP message format 15), have been on Chinese phones since before emoji and are kept;
    # the other symbols (category So: ❤ ✅ ⭐ ✨ ☎ ©) are emoji, drawn as emoji, or missing
    # from older phones' fonts.
    if ord(c) > 0xFFFF or c in EMOJI_MARKS:
        return True
    if unicodedata.category(c) != "So":
        return False
    try:
        c.encode("gbk")
    except UnicodeEncodeError:
        return True
    return False


_may_be_rejected = cache(_rejected_by_rule)


@cache
def _any_rejected() -> re.Pattern[str]:
    """Matches any character _rejected_by_rule rejects: every one beyond U+FFFF, and the 2,558
    of the basic plane it rejects (found once, 0.06 s)."""
    basic = "".join(re.escape(c) for c in map(chr, range(0x10000)) if _rejected_by_rule(c))
    return re.compile(f"[{basic}\U00010000-\U0010ffff]")


def rejectable_characters(message: str) -> str:
    """The characters a vendor may reject or send as "?" (emoji, pictographic symbols, emoji
    marks, characters beyond U+FFFF), each once, in order. Most messages have none, which one
    search tells (looking at each character took a fifth of rendering 190,344 messages)."""
    if _any_rejected().search(message) is None:
        return ""
    risky = {c for c in set(message) if _may_be_rejected(c)}
    return "".join(dict.fromkeys(c for c in message if c in risky)) if risky else ""


def visible(chars: str) -> str:
    """Flagged characters as a warning shows them, invisible marks by code: "❤ U+FE0F"."""
    return " ".join(EMOJI_MARKS.get(c, c) for c in chars)


def _field(spec: str) -> tuple[str, str | None]:
    """"车型|您的爱车" -> ("车型", "您的爱车"); "车型" -> ("车型", None)."""
    name, bar, fallback = spec.partition("|")
    return name.strip(), (fallback.strip() if bar else None)


@dataclass(frozen=True)
class MergeText:
    """A text with merge fields, {称呼}, or with a fallback after a bar, {车型|您的爱车}: the
    rules SMS and WeChat messages share. `shop_name` is the value of {店名}."""

    text: str
    shop_name: str = ""

    @cached_property
    def specs(self) -> tuple[tuple[str, str | None], ...]:
        """(field, fallback or None) of every merge field, as written."""
        return tuple(map(_field, FIELD_RE.findall(self.text)))

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for name, _ in self.specs))

    def fields(self) -> tuple[str, ...]:
        return self._names

    def first_specs(self) -> tuple[tuple[str, str | None], ...]:
        """Each field once, in fields() order, with the fallback it was first written with."""
        first: dict[str, str | None] = {}
        for name, fallback in self.specs:
            first.setdefault(name, fallback)
        return tuple(first.items())

    def check(self, unknown: str = UNKNOWN_IN_SMS) -> None:
        """Refuse an unknown field (the sentence `unknown`), an empty fallback and {店名}
        without a shop name."""
        bad = [f for f in self.fields() if f not in FIELDS]
        if bad:
            raise RevisitError(unknown, fields=", ".join("{" + f + "}" for f in bad),
                               known=" ".join("{" + f + "}" for f in FIELDS))
        empty = next((name for name, fallback in self.specs if fallback == ""), None)
        if empty is not None:
            raise RevisitError(
                N_("The merge field {field} has nothing after its bar, so a member without a "
                   "value would get a message with a hole in it; write the words to use "
                   "instead, as in {example}, or remove the bar."),
                field="{" + empty + "|}", example="{车型|您的爱车}")
        # The shop's name is the same for everybody: were it a missing field like the others,
        # every member would be left out (缺少合并字段) and the file empty because of one blank
        # setting. Staff expect one sentence saying which setting to fill in.
        if (SHOP_FIELD, None) in self.specs and not self.shop_name.strip():
            raise RevisitError(
                N_("The message uses {field}, but the shop name in the settings is empty; "
                   "enter it under Settings, Shop name, or write {example} to say 本店 "
                   "instead."), field="{" + SHOP_FIELD + "}", example="{" + SHOP_FIELD + "|本店}")

    @cached_property
    def _pieces(self) -> tuple[tuple[str, str, str | None], ...]:
        """The text as (words before, field, fallback) for each field, and the words after
        the last with no field ("")."""
        split = FIELD_RE.split(self.text)  # words, field, words, field, …, words
        pieces = [(split[i], *_field(split[i + 1])) for i in range(0, len(split) - 1, 2)]
        return (*pieces, (split[-1], "", None))

    def value(self, name: str, m: ListMember) -> str:
        return str(FIELDS[name][1](m, self.shop_name) or "").strip()

    def values(self, m: ListMember) -> dict[str, str]:
        """Each field's value for `m`, worked out once: a message, what it lacks and the
        vendor's columns read them all (each field looked up three times took a quarter of
        rendering 190,344 New Year messages)."""
        return {name: self.value(name, m) for name in self._names}

    def missing(self, m: ListMember, values: dict[str, str] | None = None
                ) -> tuple[str, ...]:
        """The merge fields that would leave a hole in `m`'s message: no value and no
        fallback ({车型|您的爱车} falls back to 您的爱车). `values`: self.values(m)."""
        got = self.values(m) if values is None else values
        return tuple(dict.fromkeys(
            name for name, fallback in self.specs if fallback is None and not got[name]))

    def fill(self, m: ListMember, values: dict[str, str] | None = None) -> str:
        got = self.values(m) if values is None else values
        return "".join(f"{words}{(got[name] or fallback or '') if name else ''}"
                       for words, name, fallback in self._pieces).strip()


@dataclass(frozen=True)
class SmsTemplate:
    text: str
    signature: str  # e.g. 【广州XX丰田】
    opt_out: str = DEFAULT_OPT_OUT
    shop_name: str = ""  # {店名}

    @cached_property
    def merge(self) -> MergeText:
        return MergeText(self.text, self.shop_name)

    def fields(self) -> tuple[str, ...]:
        return self.merge.fields()

    def missing(self, m: ListMember) -> tuple[str, ...]:
        return self.merge.missing(m)

    def check(self) -> None:
        self.merge.check()
        sig = self.signature.strip()
        if not sig:
            raise RevisitError(NO_SIGNATURE)
        if not (sig.startswith("【") and sig.endswith("】") and 2 <= len(sig) - 2 <= 12):
            raise RevisitError(N_("The SMS signature must be the shop's name in 【】, 2 to 12 "
                                  "characters (got '{signature}')."), signature=self.signature)
        if not self.opt_out.strip():
            raise RevisitError(N_("Marketing SMS need opt-out text such as 回T退订 or "
                                  "拒收请回复R."))

    def render(self, m: ListMember, values: dict[str, str] | None = None) -> str:
        body = self.merge.fill(m, values)
        if self.opt_out not in body:
            # "…该保养了，回T退订": a comma between, unless the template ends a sentence.
            apart = "" if not body or body[-1] in _SENTENCE_ENDS \
                or self.opt_out[:1] in _SENTENCE_ENDS else "，"
            body = f"{body}{apart}{self.opt_out}"
        return f"{self.signature.strip()}{body}"


@dataclass(frozen=True)
class SmsRow:
    row_code: str
    mobile: str
    name: str
    message: str
    length: int
    parts: int
    variables: tuple[tuple[str, str], ...]  # (Aliyun variable, value) in template order
    flagged: str = ""  # characters a vendor may reject (rejectable_characters)


@dataclass(frozen=True)
class SmsFile:
    path: Path
    rows: tuple[SmsRow, ...]
    skipped: tuple[tuple[str, str], ...]  # (row code, why): invalid or repeated numbers
    total_parts: int


# The vendors' sending hours are for marketing (推广) SMS: Aliyun's "cannot be sent from 20:00 to
# 8:00", Huawei's 08:00–22:00 and Getui's 8:00–21:00 all name marketing messages. A service
# notification (通知短信: a maintenance or inspection reminder, a recall notice) is not bound by
# them, unless its text makes it an offer (OFFER_WORDS), which the vendors class as marketing.
NOTICE_PURPOSES = ("reminder", "recall")


def in_marketing_window(purpose: str, text: str) -> bool:
    """Whether an SMS list of `purpose` with message `text` may only be sent inside the
    marketing window (settings.sms_window): everything but a service notice without an offer."""
    return purpose not in NOTICE_PURPOSES or bool(offer_words(text))


def window_for(settings, purpose: str, text: str) -> tuple[dt.time, dt.time] | None:
    """The sending window an SMS list of `purpose` with message `text` is bound by: the
    settings' marketing window, or None for a service notice (in_marketing_window)."""
    return settings.sms_window if in_marketing_window(purpose, text) else None


def in_window(when: dt.datetime, window: tuple[dt.time, dt.time]) -> bool:
    """Whether `when` falls inside `window` (its end not included)."""
    start, end = window
    return start <= when.time() < end


def check_send_time(when: dt.datetime,
                    window: tuple[dt.time, dt.time] | None = DEFAULT_WINDOW) -> None:
    """Refuse a marketing SMS planned outside `window` (None: a notice, sent at any hour)."""
    if window is None:
        return
    start, end = window
    if not in_window(when, window):
        raise RevisitError(
            N_("Marketing SMS may only be sent between {start} and {end}; the planned time "
               "{when} is outside that window."),
            start=start.strftime("%H:%M"), end=end.strftime("%H:%M"),
            when=when.strftime("%Y-%m-%d %H:%M"))


def next_sending_time(when: dt.datetime,
                      window: tuple[dt.time, dt.time] | None = DEFAULT_WINDOW) -> dt.datetime:
    """`when` if marketing SMS may be sent then, else the window's next opening (None: no
    window, `when`)."""
    if window is None:
        return when
    start, end = window
    if when.time() < start:
        return dt.datetime.combine(when.date(), start)
    if when.time() >= end:
        return dt.datetime.combine(when.date() + dt.timedelta(days=1), start)
    return when


def planned_time(send_at: dt.datetime | None, window: tuple[dt.time, dt.time] | None,
                 now: dt.datetime | None = None) -> dt.datetime:
    """When an SMS file is to be sent: `send_at` as given (refused outside a marketing
    `window`), else now to the minute, or for marketing the window's next opening when now is
    outside it (a list made at 20:19 is sent at 08:00 the next morning)."""
    if send_at is not None:
        check_send_time(send_at, window)
        return send_at
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    return next_sending_time(now, window)


def parse_window(text: str) -> tuple[dt.time, dt.time]:
    """"08:00-20:00" -> (08:00, 20:00)."""
    try:
        a, b = (dt.time.fromisoformat(p.strip()) for p in text.replace("–", "-").split("-"))
    except ValueError as exc:
        raise RevisitError(N_("The SMS sending window '{text}' is not like 08:00-20:00."),
                           text=text) from exc
    if a >= b:
        raise RevisitError(N_("The SMS sending window '{text}' ends before it starts."), text=text)
    return a, b


MISSING_FIELD = "缺少合并字段"
NAMED = 10  # members named per missing merge field; the others are counted


def missing_why(lacking: Sequence[str]) -> str:
    """Why a member is left out, as the files' reports say it: "缺少合并字段：车型、车牌"."""
    return f"{MISSING_FIELD}：" + "、".join(lacking)


@dataclass(frozen=True)
class Lacking:
    """The members left out for want of a value for one merge field: how many, and the first
    NAMED of them as "row code name"."""

    field: str
    count: int
    named: tuple[str, ...]

    @property
    def more(self) -> int:
        return self.count - len(self.named)

    def as_text(self) -> str:
        """"缺少合并字段 车型：12-0003 王伟、12-0017 李娜 … and 3 more" (for a terminal)."""
        more = f" … and {self.more:,} more" if self.more else ""
        return f"{MISSING_FIELD} {self.field}：" + "、".join(self.named) + more


def tally_lacking(left_out: Iterable[tuple[ListMember, Sequence[str]]]) -> tuple[Lacking, ...]:
    """(member, fields it lacks) of the members left out -> per field, most first."""
    counts: Counter[str] = Counter()
    named: dict[str, list[str]] = {}
    for m, fields in left_out:
        for f in fields:
            counts[f] += 1
            who = named.setdefault(f, [])
            if len(who) < NAMED:
                who.append(f"{m.row_code} {m.name}")
    return tuple(Lacking(f, n, tuple(named[f])) for f, n in counts.most_common())


@dataclass(frozen=True)
class Rendered:
    """One member as the vendor file would take them: their row, or None and why they are
    left out (`lacking`: the merge fields without a value, when that is why)."""

    member: ListMember
    row: SmsRow | None
    why: str = ""
    lacking: tuple[str, ...] = ()


def render_each(template: SmsTemplate, members: Iterable[ListMember]) -> Iterator[Rendered]:
    """Every member in order through the vendor file's rules: a mainland mobile, one message
    per number, no empty merge field. The one pass both the writer and the preview
    (services/outputs/sms_preview.py) make, so the estimate is what the file will hold. A
    message over MAX_LENGTH is yielded as a row; the writer refuses it."""
    template.check()
    merge = template.merge
    names = merge.first_specs()  # the vendor's columns
    seen: dict[str, str] = {}
    for m in members:
        mobile = mainland_mobile(m.mobile)
        if mobile is None:
            yield Rendered(m, None, f"not a mainland mobile: {m.mobile or '(none)'}")
            continue
        if mobile in seen:  # one family, one phone: one SMS
            yield Rendered(m, None, f"same number as {seen[mobile]}")
            continue
        values = merge.values(m)
        lacking = merge.missing(m, values)
        if lacking:  # never an empty hole in a sent message
            yield Rendered(m, None, missing_why(lacking), lacking)
            continue
        seen[mobile] = m.row_code
        message = template.render(m, values)
        length = sms_length(message)
        variables = tuple((FIELDS[name][0], values[name] or (fallback or ""))
                          for name, fallback in names)
        yield Rendered(m, SmsRow(m.row_code, mobile, m.name, message, length, parts(length),
                                 variables, rejectable_characters(message)))


def render_rows(template: SmsTemplate, members: Sequence[ListMember]
                ) -> tuple[list[SmsRow], list[tuple[str, str]]]:
    rows: list[SmsRow] = []
    skipped: list[tuple[str, str]] = []
    for got in render_each(template, members):
        if got.row is None:
            skipped.append((got.member.row_code, got.why))
            continue
        if got.row.length > MAX_LENGTH:
            raise too_long(got.row)
        rows.append(got.row)
    return rows, skipped


def too_long(row: SmsRow) -> RevisitError:
    return RevisitError(N_("The SMS for row {row} would be {n} characters; the limit is "
                           "{limit}."), row=row.row_code, n=row.length, limit=MAX_LENGTH)


PREVIEW_COLUMNS = (
    Column("编号", lambda r: r.row_code, 10),
    Column("手机号码", lambda r: r.mobile, 14),
    Column("姓名", lambda r: r.name, 10),
    Column("短信内容", lambda r: r.message, 60),
    Column("字数", lambda r: r.length, 6, "int"),
    Column("条数", lambda r: r.parts, 6, "int"),
)
# The preview beside a vendor file also says which messages hold characters a vendor may reject.
CHECK_COLUMNS = (*PREVIEW_COLUMNS, Column(
    "注意", lambda r: f"含平台可能拒发的字符：{visible(r.flagged)}" if r.flagged else "", 24))


def _variable_value(i: int) -> Callable[[SmsRow], str]:
    return lambda r: r.variables[i][1]


def _vendor_columns(vendor: str, rows: list[SmsRow], names: tuple[str, ...]) -> list[Column]:
    if vendor == "generic":
        return list(PREVIEW_COLUMNS)
    if vendor == "huawei":
        # Huawei's bulk upload takes numbers in column A only; the text is the console's template.
        if len({r.message for r in rows}) > 1:
            raise RevisitError(N_("Huawei's bulk-send file holds phone numbers only, so every "
                                  "message must be the same; remove the merge fields or choose "
                                  "the Aliyun or generic layout."))
        return [Column("手机号码", lambda r: r.mobile, 16)]
    # Aliyun 群发助手: numbers, then one column per template variable (${name} …).
    cols = [Column("手机号码", lambda r: r.mobile, 16)]
    for i, f in enumerate(names):
        cols.append(Column(FIELDS[f][0], _variable_value(i), 14))
    return cols


def skipped_summary(skipped: Sequence[tuple[str, str]]) -> str:
    """Why members were left out, each reason once with how many: "缺少合并字段：车型 ×18"."""
    counts: dict[str, int] = {}
    for _, why in skipped:
        key = ("not a mainland mobile" if why.startswith("not a mainland mobile")
               else "same number as another member" if why.startswith("same number") else why)
        counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{why} ×{n}" for why, n in counts.items())


def preview_path(path: Path) -> Path:
    """The side file beside an SMS vendor csv: the messages, lengths and parts, and what to
    check, guarded for opening in Excel."""
    return path.with_name(path.stem + "-preview.csv")


def write_sms_file(members: Sequence[ListMember], template: SmsTemplate, path: Path | str, *,
                   vendor: str = "generic", fmt: str = "xlsx", send_at: dt.datetime,
                   window: tuple[dt.time, dt.time] | None = DEFAULT_WINDOW,
                   steps: Steps = NO_STEPS) -> SmsFile:
    """Check everything first (fields, signature, time, lengths), then write. Vendor layouts
    other than generic get a second sheet (xlsx) with message, length and parts per number, so
    the cost is visible before uploading; a csv of any layout gets them in a side file
    (preview_path) for staff to open."""
    if vendor not in VENDORS:
        raise RevisitError(N_("Unknown SMS vendor layout '{vendor}' (known: {known})."),
                           vendor=vendor, known=", ".join(VENDORS))
    template.check()
    check_send_time(send_at, window)
    rows, skipped = render_rows(template, members)
    columns = _vendor_columns(vendor, rows, template.fields())
    path = Path(path)
    if fmt == "csv":
        # The upload holds every message and variable exactly as it is sent: a ' put before
        # one that looks like a formula (=先生) would be texted to the customer. The -preview
        # file is for staff to open, so it keeps the guard; its messages, which start with
        # the 【signature】, are never changed by it. The generic layout's upload holds the
        # preview's columns, but unguarded, so staff get the side file with it too.
        write_csv(path, columns, steps.counted(rows), guard_formulas=False)
        write_csv(preview_path(path), CHECK_COLUMNS, rows)
    else:
        extra = () if vendor == "generic" else (("短信预览", CHECK_COLUMNS, rows),)
        write_xlsx(path, columns, steps.counted(rows),
                   sheet_title="号码" if vendor != "generic" else "短信", extra_sheets=extra)
    return SmsFile(path, tuple(rows), tuple(skipped), sum(r.parts for r in rows))


def template_from_settings(text: str, settings) -> SmsTemplate:
    """The message with the shop's signature, opt-out text and name from the shared
    settings."""
    return SmsTemplate(text, settings.sms_signature, settings.sms_opt_out, settings.shop_name)


def write_with_settings(members: Sequence[ListMember], text: str, settings, path: Path | str, *,
                        fmt: str, send_at: dt.datetime, steps: Steps = NO_STEPS,
                        purpose: str = "") -> SmsFile:
    """write_sms_file with the vendor layout, signature, opt-out and window from the settings
    (no window for a service notice of `purpose`: in_marketing_window)."""
    window = window_for(settings, purpose, text)
    return write_sms_file(members, template_from_settings(text, settings), path,
                          vendor=settings.sms_vendor, fmt=fmt, send_at=send_at,
                          window=window, steps=steps)
