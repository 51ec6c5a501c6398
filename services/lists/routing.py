"""The list rules as SQL over the candidate facts (services/lists/query.py): which channel each
member gets or why they are left out, so a 200,000-owner run is decided by the database in one
statement instead of a Python loop. The words printed for a decision are in snapshot.py.

A decision, in order: do-not-contact on every channel; for sales purposes no marketing consent
or an open complaint; a finished contact within the fatigue days, or a contact still waited for
on another segment's list of those days; then the customer's channels in
their preferred order (or the one forced): a call waiting for its retry day stops there; the
first channel not blocked is chosen; a customer whose calls failed K times in a row moves on to
SMS or mail even when their preferences do not name them."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import String, and_, case, false, func, literal, not_, null, or_, select
from sqlalchemy.sql import ColumnElement

from services.imports.phones import (
    LANDLINE_FORM,
    MOBILE_NOISE,
    OTHER_DIALABLE,
    PHONE_SPACES,
    STORED_SEPARATORS,
    landline_digits,
)
from services.segments.sqlx import contains_text, day, digits_only

STORED_TO_LIST = {"phone": "call", "sms": "sms", "mail": "mail", "wechat": "wechat",
                  "visit": "visit"}
DEFAULT_ORDER = ("call", "sms", "mail")
# Calls first on the sheet, then visits, post, SMS and WeChat.
CHANNEL_RANK = {"call": 0, "visit": 1, "mail": 2, "sms": 3, "wechat": 4}
DAY_RANK = {"weekday": 0, "any": 1, "weekend": 2}  # anything else ranks as "any"
WINDOW_START = {"morning": 9, "noon": 12, "afternoon": 14, "evening": 18}  # hour of the day
NO_WINDOW = 24  # no preferred time: after every window
LIST_CHANNELS = ("call", "sms", "mail", "wechat", "visit")
POSITIONS = len(LIST_CHANNELS)  # a preference names each channel at most once


@dataclass(frozen=True)
class Rules:
    """The settings and choices one run's rules read."""

    as_of: dt.date
    max_failed: int  # K days of failed calls in a row: stop calling
    retry_days: int  # a failed call is tried again this many days later
    fatigue_days: int  # no new contact within this many days of a finished one
    sales: bool  # the purpose needs marketing consent and no open complaint
    forced: str | None = None  # one channel for everyone, or None for their preferences


def channel_order(raw: str | None) -> tuple[str, ...]:
    """A stored preference ("phone,sms") as list channels; none or nothing known: the default."""
    got = [STORED_TO_LIST[c.strip()] for c in (raw or "").split(",")
           if c.strip() in STORED_TO_LIST]
    return tuple(dict.fromkeys(got)) or DEFAULT_ORDER


def _filled(col) -> ColumnElement[bool]:
    return func.coalesce(col, "") != ""


@lru_cache(maxsize=1)
def mobile_prefixes() -> tuple[str, ...]:
    """The shortest prefixes covering every 11-digit number libphonenumber calls a mainland
    mobile. Its CN mobile pattern depends on at most the first 5 digits, so testing each
    1xxxx prefix against the pattern (26 ms) and merging complete families (41 prefixes in
    libphonenumber 8.13) gives the same verdict as parsing every number."""
    import phonenumbers  # only a list run needs it

    meta = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert meta is not None and meta.mobile is not None and meta.general_desc is not None
    mobile = re.compile(meta.mobile.national_number_pattern or "")
    general = re.compile(meta.general_desc.national_number_pattern or "")
    valid = {p for p in (f"1{i:04d}" for i in range(10_000))
             if mobile.fullmatch(p + "000000") and general.fullmatch(p + "000000")}

    # How many valid 5-digit prefixes start with each shorter prefix (counting them by
    # scanning `valid` for every prefix tried took 0.09 s of each list run).
    under = Counter(p[:k] for p in valid for k in range(1, 6))

    def cover(prefix: str) -> Iterable[str]:
        inside = under[prefix]
        if inside == 10 ** (5 - len(prefix)):
            yield prefix
        elif inside:
            for d in "0123456789":
                yield from cover(prefix + d)

    return tuple(cover("1"))


def mobile_text_sql(col) -> ColumnElement[str]:
    """A typed mobile without its spacing, dashes and brackets (stored once per row, then
    judged by `mobile_sql`: SQL repeats an expression wherever it is used)."""
    text = col
    for ch in MOBILE_NOISE:
        text = func.replace(text, ch, "")
    return text


def mobile_bare_sql(text) -> ColumnElement[str]:
    """`text` (from `mobile_text_sql`) without a leading +86 / 0086 / 86, or the trunk 0
    dialled before an out-of-town mobile, where the rest has 11 characters; stored once per
    row too, then judged by `mobile_sql`."""
    length = func.length(text)
    return case((and_(func.substr(text, 1, 3) == "+86", length == 14), func.substr(text, 4)),
                (and_(func.substr(text, 1, 4) == "0086", length == 15), func.substr(text, 5)),
                (and_(func.substr(text, 1, 2) == "86", length == 13), func.substr(text, 3)),
                (and_(func.substr(text, 1, 1) == "0", length == 12), func.substr(text, 2)),
                else_=text)


def mobile_sql(bare) -> ColumnElement[str]:
    """The bare 11-digit mainland mobile in `bare` (from `mobile_bare_sql`), or NULL when it is
    not one: services/imports/phones.py `mainland_mobile`, in SQL."""
    by_length: dict[int, list[str]] = {}
    for p in mobile_prefixes():
        by_length.setdefault(len(p), []).append(p)
    known = or_(*(func.substr(bare, 1, n).in_(ps) for n, ps in sorted(by_length.items())))
    ok = and_(func.length(bare) == 11, digits_only(bare), known)
    return case((ok, bare), else_=null())


def dialable_sql(other_phones) -> ColumnElement[str]:
    """PostgreSQL's services/imports/phones.py `first_dialable`: the first of the customer's
    other phones a caller can dial (a mainland mobile that is no placeholder of one repeated
    digit, a landline whose digits libphonenumber's pattern takes, or an OTHER_DIALABLE
    number), NULL when none is."""
    parts = (func.regexp_split_to_table(other_phones, STORED_SEPARATORS)
             .table_valued("part", with_ordinality="n").render_derived("parts"))
    number = func.btrim(parts.c.part, PHONE_SPACES)
    mobile = and_(mobile_sql(number).is_not(None),
                  not_(func.substr(number, 4).regexp_match(r"^(.)\1{7}$")))
    landline = and_(number.regexp_match(f"^{LANDLINE_FORM}$"),
                    func.regexp_replace(number, f"^{LANDLINE_FORM}$", r"\1\2")
                    .regexp_match(f"^(?:{landline_digits()})$"))
    other = number.regexp_match(f"^(?:{OTHER_DIALABLE})$")
    return (select(number).select_from(parts)
            .where(or_(mobile, landline, other))
            .order_by(parts.c.n).limit(1).scalar_subquery())


def address_sql(f) -> ColumnElement[bool]:
    """A mail label can be addressed: a street, a city or province, a 6-digit postcode."""
    return and_(_filled(f.street), or_(_filled(f.city), _filled(f.province)),
                func.length(f.postcode) == 6, digits_only(f.postcode))


def visit_address_sql(f) -> ColumnElement[bool]:
    """A visit can be made: a street and the district or city it is in (no postcode needed)."""
    return and_(_filled(f.street), or_(_filled(f.district), _filled(f.city)))


def day_rank_sql(f) -> ColumnElement[int]:
    return case(*((f.preferred_days == k, v) for k, v in DAY_RANK.items()), else_=1)


def _windows(f) -> ColumnElement[str]:
    return literal(",") + func.replace(func.coalesce(f.time_windows, ""), " ", "") + ","


def start_hour_sql(f) -> ColumnElement[int]:
    """The hour a caller may start: their own hours, else the earliest preferred window."""
    listed = _windows(f)
    earliest = case(*((contains_text(listed, f",{w},"), h) for w, h in
                      sorted(WINDOW_START.items(), key=lambda wh: wh[1])), else_=NO_WINDOW)
    return func.coalesce(f.hour_from, earliest)


def positions(f) -> list:
    return [getattr(f, f"o{i}") for i in range(1, POSITIONS + 1)]


def order_sql(orders: dict[str | None, tuple[str, ...]], forced: str | None, f
              ) -> tuple[ColumnElement[Any], ...]:
    """The channel at each position of the customer's order (`o1`…), NULL past its end.
    `orders` maps every stored preference text met in the run to its parsed order."""
    if forced:
        return (literal(forced, String),) + (null(),) * (POSITIONS - 1)
    cols = []
    for i in range(POSITIONS):
        whens = [(f.channel_order == raw, order[i] if i < len(order) else None)
                 for raw, order in orders.items() if raw is not None]
        default = DEFAULT_ORDER[i] if i < len(DEFAULT_ORDER) else None
        cols.append(case(*whens, else_=literal(default)) if whens else literal(default))
    return tuple(cols)


def block_sql(f, r: Rules) -> dict[str, ColumnElement[str]]:
    """Why each channel cannot be used (NULL: it can). Reads the facts plus `mobile_ok`
    (the normalised mobile), `other_phone_ok` (another number to call when the mobile is
    none: a landline), `address_ok` and `visit_ok` columns."""
    wrong = and_(f.last_wrong.is_not(None), or_(f.last_ok.is_(None), f.last_wrong >= f.last_ok))
    return {
        "call": case((f.dnc_phone == 1, "dnc"),
                     (and_(f.mobile_ok.is_(None), f.other_phone_ok.is_(None)), "no_mobile"),
                     (wrong, "wrong_number"), (f.failed_calls >= r.max_failed, "no_channel"),
                     else_=null()),
        "sms": case((f.dnc_sms == 1, "dnc"), (f.mobile_ok.is_(None), "no_mobile"),
                    else_=null()),
        "mail": case((f.dnc_mail == 1, "dnc"), (f.address_ok == 0, "no_address"),
                     else_=null()),
        "wechat": case((f.dnc_wechat == 1, "dnc"), (~_filled(f.wechat_id), "no_wechat"),
                       else_=null()),
        "visit": case((f.dnc_visit == 1, "dnc"), (f.visit_ok == 0, "no_address"),
                      else_=null()),
    }


def step_sql(f, r: Rules) -> ColumnElement[str]:
    """The decision as one code: 'p1' … 'p5' (the channel at that position), 'fsms' /
    'fmail' (moved on after K failed calls), else the exclusion: 'dnc', 'no_consent',
    'complaint', 'recent_contact', 'on_list', 'retry_later' or 'blocked' (every channel
    blocked). Reads
    the positions `o1`… and each channel's `…_block` column."""
    waiting = and_(f.last_fail.is_not(None), or_(f.last_ok.is_(None), f.last_fail > f.last_ok),
                   f.last_fail > day(r.as_of - dt.timedelta(days=r.retry_days)),
                   f.failed_calls < r.max_failed)
    free = {c: getattr(f, f"{c}_block").is_(None) for c in LIST_CHANNELS}

    def usable(o) -> ColumnElement[bool]:
        return or_(*(and_(o == c, ok) for c, ok in free.items()))

    whens: list[tuple[ColumnElement[bool], str]] = [(f.dnc_all == 1, "dnc")]
    if r.sales:
        whens += [(or_(f.consent.is_(None), f.consent.is_(false())), "no_consent"),
                  (f.complaint == 1, "complaint")]
    whens.append((and_(f.last_done.is_not(None),
                       f.last_done > day(r.as_of - dt.timedelta(days=r.fatigue_days))),
                  "recent_contact"))
    # Still waiting on another segment's list of these days (query.py on_another_list).
    whens.append((f.on_list.is_not(None), "on_list"))
    for i, o in enumerate(positions(f), start=1):
        whens += [(and_(o == "call", waiting), "retry_later"), (usable(o), f"p{i}")]
    if not r.forced:
        # A position past the order's end is NULL; "" keeps NOT(...) from turning NULL.
        slots = [func.coalesce(o, "") for o in positions(f)]
        named = {c: or_(*(o == c for o in slots)) for c in ("call", "sms", "mail")}
        gave_up = and_(f.failed_calls >= r.max_failed, named["call"])
        for c in ("sms", "mail"):
            whens.append((and_(gave_up, not_(named[c]), free[c]), f"f{c}"))
    return case(*whens, else_="blocked")


def channel_sql(f) -> ColumnElement[str]:
    """The chosen list channel from `step`, NULL when left out."""
    return case(*((f.step == f"p{i}", o) for i, o in enumerate(positions(f), start=1)),
                (f.step == "fsms", "sms"), (f.step == "fmail", "mail"), else_=null())


def switched_sql(f, r: Rules) -> ColumnElement[int]:
    """1 when a customer with K days of failed calls in a row got another channel instead of a
    call."""
    at = positions(f)
    after_call = or_(f.step.in_(("fsms", "fmail")),
                     *(and_(f.step == f"p{i}", or_(*(o == "call" for o in at[:i - 1])))
                       for i in range(2, POSITIONS + 1)))
    return case((and_(f.failed_calls >= r.max_failed, after_call), 1), else_=0)


def reason_sql(f) -> ColumnElement[str]:
    """The stored exclusion reason of a left-out customer: the step that left them out, or the
    first channel's block when every channel was blocked (a wrong number is stored as no valid
    mobile; the detail says which)."""
    first = case(*((f.o1 == c, getattr(f, f"{c}_block")) for c in LIST_CHANNELS))
    return case((f.step == "blocked",
                 case((first == "wrong_number", "no_mobile"), else_=first)),
                else_=f.step)
