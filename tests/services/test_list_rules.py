"""Every list-run rule at its boundaries, through `build_run` only, on SQLite and PostgreSQL:
do-not-contact (channel, purpose, dates), consent and complaints for sales purposes, mobiles and
wrong numbers, mail addresses, the preference order and forced channels. Failed calls, the retry
window and contact fatigue: test_list_rules_calls.py. Ordering, callers, SMS de-duplication,
best time, talking points and the SMS sending window: test_list_rules_order.py.

One small database per module holds every case; each case is a customer whose code starts with
its group's prefix, and each group is a saved segment (customer code starts with the prefix), so
one run decides a whole group and a test reads the stored rows of its own customers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text

from models import (
    Base,
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    DoNotContact,
    ListRunExclusion,
    ListRunMember,
    ProfileChange,
    Vehicle,
)
from services.lists import build
from services.lists.snapshot import member_data
from services.segments import service as segments
from services.store.database import Database, open_database

AS_OF = dt.date(2026, 11, 23)  # a Monday
LONG_AGO = dt.date(2026, 1, 1)
AUTO = object()  # a mobile of its own for each customer
_numbers = itertools.count(1)


# --- the database and reading a run back ------------------------------------------------------

@dataclass(frozen=True)
class Member:
    channel: str  # as stored: phone | sms | mail
    staff_id: int | None
    position: int
    row_code: str
    snapshot: dict[str, Any]

    @property
    def points(self) -> str:
        return self.snapshot["talking_points"]


@dataclass(frozen=True)
class Left:
    reason: str
    detail: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Run:
    summary: build.RunSummary
    members: dict[str, Member]  # by customer code
    excluded: dict[str, Left]

    def outcome(self, code: str) -> str:
        """The stored channel of a member, else the exclusion reason."""
        if code in self.members:
            return self.members[code].channel
        return self.excluded[code].reason


class World:
    """A database with every case of a module, and the runs built on it (each built once)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._runs: dict[tuple[str, str], Run] = {}

    def run(self, segment: str, **options: Any) -> Run:
        key = (segment, repr(sorted(options.items())))
        if key not in self._runs:
            summary = build.build_run(self.db.sessions, segment,
                                      build.RunOptions(**({"as_of": AS_OF} | options)))
            self._runs[key] = read_run(self.db, summary)
        return self._runs[key]


def read_run(db: Database, summary: build.RunSummary) -> Run:
    m, x = ListRunMember, ListRunExclusion
    with db.sessions() as s:
        members = s.execute(select(Customer.code, m.channel, m.assigned_staff_id, m.position,
                                   m.row_code, m.snapshot).join(m, m.customer_id == Customer.id)
                            .where(m.run_id == summary.run_id)).all()
        excluded = s.execute(select(Customer.code, x.reason, x.detail, x.snapshot)
                             .join(x, x.customer_id == Customer.id)
                             .where(x.run_id == summary.run_id)).all()
    got = Run(summary, {c: Member(ch, sid, pos, rc, member_data(snap))
                        for c, ch, sid, pos, rc, snap in members},
              {c: Left(reason, detail or "", json.loads(snap or "null")) for c, reason, detail, snap
               in excluded})
    assert not set(got.members) & set(got.excluded)
    return got


def open_world(kind: str, tmp_path_factory, sqlite_template, pg_url: str | None,
               fill: Callable[[Any], None], groups: Mapping[str, str | None]
               ) -> Iterator[World]:
    """A database with `fill`'s customers and one saved segment per group prefix (name: the
    prefix, value: the segment's purpose)."""
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("rules") / "revisit.sqlite3"
        shutil.copy(sqlite_template, path)
        db = open_database(f"sqlite:///{path}")
    else:
        if pg_url is None:
            pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
        db = open_database(pg_url)
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in Base.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
    try:
        with db.sessions.begin() as s:
            fill(s)
        for prefix, purpose in groups.items():
            where = {"field": "customer_code", "op": "starts_with", "value": prefix}
            segments.save_segment(db.sessions, prefix, {"version": 1, "where": where},
                                  purpose=purpose)
        yield World(db)
    finally:
        db.dispose()


# --- making customers --------------------------------------------------------------------------

def at(days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_ago), dt.time(hour))


def person(s, code: str, *, name: str | None = None, mobile: Any = AUTO,
           order: str | None = "phone,sms,mail", consent: bool = True,
           street: str | None = "光明西路1号", city: str | None = "广州市",
           province: str | None = "广东省", postcode: str | None = "510000",
           days: str = "any", windows: str | None = None, hours: tuple = (None, None),
           bought: dt.date | None = dt.date(2024, 1, 1), owner: int | None = None,
           birthday: str | None = None, name_sort: str = "", gender: str | None = "M",
           district: str | None = "海珠区", wechat: str | None = None,
           other: str | None = None) -> Customer:
    """A customer who can be reached by call, SMS, mail and visit unless told otherwise (WeChat
    only with `wechat`, their WeChat ID; `other`: their other phones). `order` None: no
    preference row at all."""
    c = Customer(code=code, name=name or f"客户{code}", name_sort=name_sort, gender=gender,
                 mobile=f"1370000{next(_numbers):04d}" if mobile is AUTO else mobile,
                 other_phones=other,
                 province=province, city=city, district=district, street=street,
                 postcode=postcode, owner_staff_id=owner, birthday_md=birthday, wechat_id=wechat)
    s.add(c)
    s.flush()
    if bought is not None:
        s.add(Vehicle(customer_id=c.id, brand="丰田", model="凯美瑞", plate=f"粤A{c.id:05d}",
                      purchase_date=bought))
    if order is not None:
        s.add(ContactPreference(customer_id=c.id, channel_order=order,
                                first_channel=order.split(",")[0].strip() or None,
                                preferred_days=days, time_windows=windows,
                                hour_from=hours[0], hour_to=hours[1]))
    if consent:
        s.add(ConsentEvent(customer_id=c.id, granted=True, event_date=dt.date(2020, 1, 1),
                           source="visit"))
    return c


def contact(s, c: Customer, days_ago: int, outcome: str, channel: str = "phone",
            hour: int = 10, feedback: str | None = None) -> None:
    s.add(ContactEvent(customer_id=c.id, contact_at=at(days_ago, hour), channel=channel,
                       purpose="care", outcome=outcome, feedback=feedback))


def renumber(s, c: Customer, days_ago: int, attribute: str = "mobile") -> None:
    """Staff changed the customer's `attribute` (a number, as the customer page records it)."""
    s.add(ProfileChange(customer_id=c.id, attribute=attribute, old_value="old",
                        new_value="new", effective_date=AS_OF - dt.timedelta(days=days_ago),
                        source="manual"))


def fails(s, c: Customer, *days_ago: int, outcome: str = "no_answer") -> None:
    for d in days_ago:
        contact(s, c, d, outcome)


def refuse(s, c: Customer, channel: str | None = None, purpose: str | None = None,
           reason: str = "拒绝联系", set_on: dt.date = LONG_AGO, **dates: dt.date) -> None:
    s.add(DoNotContact(customer_id=c.id, channel=channel, purpose=purpose, reason=reason,
                       set_on=set_on, **dates))


# --- the cases of this module ------------------------------------------------------------------

DAY = dt.timedelta(days=1)


def _rules(s) -> None:
    """Group R-: a sales segment run with the default settings."""
    # do-not-contact: channels
    refuse(s, person(s, "R-DNC-ALL"), reason="全部拒绝")
    refuse(s, person(s, "R-DNC-LONG"), reason="很" * 200)
    refuse(s, person(s, "R-DNC-PH"), "phone", reason="不要电话")
    refuse(s, person(s, "R-DNC-SMS", order="sms,phone"), "sms", reason="回T退订")
    refuse(s, person(s, "R-DNC-MAIL", order="mail,sms"), "mail", reason="退信")
    c = person(s, "R-DNC-3")
    for channel in ("phone", "sms", "mail"):
        refuse(s, c, channel)
    refuse(s, person(s, "R-DNC-NOPREF", order=None), "phone")
    # do-not-contact: the days it is in force (set on ≤ day < lifted / expires)
    refuse(s, person(s, "R-SET-0", order="phone"), "phone", set_on=AS_OF)
    refuse(s, person(s, "R-SET+1", order="phone"), "phone", set_on=AS_OF + DAY)
    refuse(s, person(s, "R-LIFT-0", order="phone"), "phone", lifted_on=AS_OF)
    refuse(s, person(s, "R-LIFT+1", order="phone"), "phone", lifted_on=AS_OF + DAY)
    refuse(s, person(s, "R-EXP-0", order="phone"), "phone", expires_on=AS_OF)
    refuse(s, person(s, "R-EXP+1", order="phone"), "phone", expires_on=AS_OF + DAY)
    # mobiles
    person(s, "R-MOB-BAD", mobile="12345", order="phone")
    person(s, "R-MOB-NONE", mobile=None, order="phone")
    person(s, "R-MOB-SMS", mobile="12345", order="sms")
    person(s, "R-MOB-LAND", mobile="020-81234567")
    person(s, "R-MOB-86", mobile="+86 138-0013-9999", order="phone")
    # no valid mobile, another number to call (other phones as imports store them)
    for code, other in LANDLINE_CASES.items():
        person(s, code, mobile=None, other=other)
    person(s, "R-LAND-SMS", mobile=None, other="020-81234567", order="sms")
    person(s, "R-LAND-AND-MOBILE", mobile="13900001111", other="020-81234567")
    contact(s, person(s, "R-LAND-WRONG", mobile=None, other="020-81234567"), 10,
            "wrong_number")
    # wrong numbers (a phone event; a later successful call clears it)
    contact(s, person(s, "R-WRONG", order="phone"), 10, "wrong_number")
    contact(s, person(s, "R-WRONG-SMS", order="phone,sms"), 10, "wrong_number")
    c = person(s, "R-WRONG-OK", order="phone")
    contact(s, c, 60, "wrong_number")
    contact(s, c, 30, "reached")
    c = person(s, "R-WRONG-AGAIN", order="phone")
    contact(s, c, 60, "reached")
    contact(s, c, 30, "wrong_number")
    c = person(s, "R-WRONG-DAY", order="phone")  # reached in the morning, wrong number later
    contact(s, c, 30, "reached", hour=9)
    contact(s, c, 30, "wrong_number", hour=15)
    contact(s, person(s, "R-WRONG-OLD", order="phone"), 366, "wrong_number")
    c = person(s, "R-WRONG-THEN-OK", order="phone")  # wrong number, reached later that day
    contact(s, c, 30, "wrong_number", hour=9)
    # wrong numbers, then the customer's numbers changed (days ago: wrong, changed)
    for code, (wrong, changed, attribute) in WRONG_THEN_CHANGED.items():
        c = person(s, code, order="phone")
        contact(s, c, wrong, "wrong_number")
        renumber(s, c, changed, attribute)
    c = person(s, "R-LAND-RENUM", mobile=None, other="020-81234567")
    contact(s, c, 10, "wrong_number")
    renumber(s, c, 2, "other_phones")
    contact(s, c, 30, "reached", hour=15)
    c = person(s, "R-WRONG-TIE", order="phone")  # imported with dates only: both at midnight
    contact(s, c, 30, "reached", hour=0)
    contact(s, c, 30, "wrong_number", hour=0)
    # mail addresses
    person(s, "R-ADDR-OK", order="mail")
    person(s, "R-ADDR-NOSTREET", order="mail", street=None)
    person(s, "R-ADDR-PROV", order="mail", city=None)
    person(s, "R-ADDR-CITY", order="mail", province=None)
    person(s, "R-ADDR-NOCITY", order="mail", city=None, province=None)
    person(s, "R-ADDR-PC5", order="mail", postcode="51000")
    person(s, "R-ADDR-PCX", order="mail", postcode="51000A")
    person(s, "R-ADDR-PCNONE", order="mail", postcode=None)
    person(s, "R-ADDR-SMS", order="mail,sms", street=None)
    # WeChat (needs a WeChat ID) and visits (need a street and its district or city)
    person(s, "R-WX-OK", order="wechat,phone", wechat="wx_chen")
    person(s, "R-WX-NOID", order="wechat,sms")
    refuse(s, person(s, "R-WX-DNC", order="wechat,sms", wechat="wx_li"), "wechat")
    person(s, "R-VISIT-OK", order="visit,phone", postcode=None)  # no postcode needed
    person(s, "R-VISIT-CITY", order="visit", district=None)
    person(s, "R-VISIT-NOAREA", order="visit", district=None, city=None)
    person(s, "R-VISIT-NOSTREET", order="visit,mail", street=None)
    refuse(s, person(s, "R-VISIT-DNC", order="visit,phone"), "visit")
    # the preference order
    person(s, "R-ORD-MSP", order="mail,sms,phone")
    person(s, "R-ORD-SM", order="sms,mail")
    person(s, "R-ORD-NONE", order=None)
    person(s, "R-ORD-NONE-MAIL", order=None, mobile="12345")
    person(s, "R-ORD-EMPTY", order="")
    person(s, "R-ORD-WECHAT", order="wechat,mail")
    person(s, "R-ORD-SPACES", order=" sms , phone")
    person(s, "R-ORD-DUP", order="phone,phone", mobile="12345")
    person(s, "R-ORD-ALL5", order="phone,sms,mail,wechat,visit", mobile="12345", street=None)
    c = person(s, "R-ORD-FIFTH", order="wechat,visit,phone,sms,mail", mobile="12345")
    refuse(s, c, "visit")
    person(s, "R-ORD-FIRST", order="phone,mail", mobile="12345", street=None)
    # what a member's row keeps
    person(s, "R-SNAP", name="陈国平", mobile="+86 139 0000 9999", order="mail",
           days="weekday", windows="morning")
    c = person(s, "R-CARS", bought=dt.date(2018, 5, 1))
    s.add_all([Vehicle(customer_id=c.id, brand="本田", model="雅阁",
                       purchase_date=dt.date(2022, 3, 1)),
               Vehicle(customer_id=c.id, brand="宝马", model="X1",
                       purchase_date=dt.date(2025, 1, 1), active=False)])


def _purposes(s) -> None:
    """Group P-: a phone refusal of one purpose each (P-ANY: of every purpose)."""
    for code, purpose in (("P-SALES", "sales"), ("P-MKT", "marketing"), ("P-REM", "reminder"),
                          ("P-SURV", "survey"), ("P-RECALL", "recall"), ("P-ANY", None)):
        refuse(s, person(s, code, order="phone"), "phone", purpose)


def _consent(s) -> None:
    """Group C-: marketing consent and complaints."""
    person(s, "C-OK")
    person(s, "C-NONE", consent=False)
    c = person(s, "C-WITHDRAWN")
    s.add(ConsentEvent(customer_id=c.id, granted=False, event_date=dt.date(2026, 6, 1),
                       source="call"))
    c = person(s, "C-LATER", consent=False)
    s.add(ConsentEvent(customer_id=c.id, granted=True, event_date=AS_OF + DAY, source="call"))
    c = person(s, "C-TODAY", consent=False)
    s.add(ConsentEvent(customer_id=c.id, granted=True, event_date=AS_OF, source="call"))
    c = person(s, "C-SAMEDAY", consent=False)  # given, then withdrawn the same day
    s.add(ConsentEvent(customer_id=c.id, granted=True, event_date=AS_OF, source="call"))
    s.flush()
    s.add(ConsentEvent(customer_id=c.id, granted=False, event_date=AS_OF, source="call"))
    complaints = {"C-COMPLAINT": (dt.date(2026, 11, 1), None),
                  "C-RESOLVED": (dt.date(2026, 11, 1), dt.date(2026, 11, 10)),
                  "C-RES-LATER": (dt.date(2026, 11, 1), AS_OF + DAY),
                  "C-RES-TODAY": (dt.date(2026, 11, 1), AS_OF),
                  "C-OPEN-LATER": (AS_OF + DAY, None),
                  "C-BOTH": (dt.date(2026, 11, 1), None)}
    for code, (opened, resolved) in complaints.items():
        c = person(s, code, consent=code != "C-BOTH")
        s.add(Complaint(customer_id=c.id, opened_date=opened, topic="维修质量",
                        resolved=resolved is not None, resolved_date=resolved))
    refuse(s, person(s, "C-DNC-FIRST", consent=False))
    c = person(s, "C-COMPL-RECENT")
    s.add(Complaint(customer_id=c.id, opened_date=dt.date(2026, 11, 1), topic="维修质量"))
    contact(s, c, 5, "reached")


def _fill(s) -> None:
    for make in (_rules, _purposes, _consent):
        make(s)
    person(s, "N-1", order=None)  # group N-: nobody has a preference row


GROUPS = {"R-": "sales", "P-": None, "C-": None, "N-": None}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory, sqlite_template, pg_server_url,
                          _fill, GROUPS)


def rules(world: World, **options: Any) -> Run:
    return world.run("R-", **options)


# --- do-not-contact ----------------------------------------------------------------------------

def test_do_not_contact_on_every_channel_excludes_with_its_reason(world):
    left = rules(world).excluded["R-DNC-ALL"]
    assert (left.reason, left.detail) == ("dnc", "全部渠道勿扰：全部拒绝")


def test_an_exclusion_detail_is_cut_at_200_characters(world):
    left = rules(world).excluded["R-DNC-LONG"]
    assert (left.reason, left.detail) == ("dnc", ("全部渠道勿扰：" + "很" * 200)[:200])


@pytest.mark.parametrize(("code", "channel"), [
    ("R-DNC-PH", "sms"), ("R-DNC-SMS", "phone"), ("R-DNC-MAIL", "sms"),
    ("R-DNC-NOPREF", "sms"),  # no preference: call, SMS, mail
])
def test_do_not_contact_on_one_channel_moves_to_the_next_preferred(world, code, channel):
    member = rules(world).members[code]
    assert member.channel == channel
    assert "未接通" not in member.points  # not a switch after failed calls


@pytest.mark.parametrize(("forced", "code", "detail"), [
    ("call", "R-DNC-PH", "电话：电话勿扰：不要电话"),
    ("sms", "R-DNC-SMS", "短信：短信勿扰：回T退订"),
    ("mail", "R-DNC-MAIL", "邮寄：邮寄勿扰：退信"),
])
def test_do_not_contact_on_the_forced_channel_excludes(world, forced, code, detail):
    left = rules(world, channel=forced).excluded[code]
    assert (left.reason, left.detail) == ("dnc", detail)


def test_do_not_contact_on_every_preferred_channel_names_each(world):
    left = rules(world).excluded["R-DNC-3"]
    assert (left.reason, left.detail) == (
        "dnc", "电话：电话勿扰：拒绝联系；短信：短信勿扰：拒绝联系；邮寄：邮寄勿扰：拒绝联系")


@pytest.mark.parametrize(("code", "blocked"), [
    ("R-SET-0", True),  # set on the evaluation date: in force
    ("R-SET+1", False),  # set the day after
    ("R-LIFT-0", False),  # lifted on the evaluation date: over
    ("R-LIFT+1", True),
    ("R-EXP-0", False),  # expires on the evaluation date: over
    ("R-EXP+1", True),
])
def test_do_not_contact_is_in_force_from_set_on_until_lifted_or_expired(world, code, blocked):
    run = rules(world)
    if blocked:
        assert (run.excluded[code].reason, run.excluded[code].detail) == (
            "dnc", "电话：电话勿扰：拒绝联系")
    else:
        assert run.members[code].channel == "phone"


# Which purpose-specific refusals block a list of each purpose (sales and marketing block each
# other; a refusal without a purpose blocks every list).
PURPOSE_BLOCKS = {
    "sales": {"P-SALES", "P-MKT", "P-ANY"},
    "marketing": {"P-SALES", "P-MKT", "P-ANY"},
    "ref_ask": {"P-SALES", "P-MKT", "P-ANY"},
    "care": {"P-REM", "P-ANY"},
    "reminder": {"P-REM", "P-ANY"},
    "callback": {"P-SURV", "P-ANY"},
    "survey": {"P-SURV", "P-ANY"},
    "recall": {"P-RECALL", "P-ANY"},
    "ref_thanks": {"P-ANY"},
}


@pytest.mark.parametrize("purpose", PURPOSE_BLOCKS)
def test_do_not_contact_for_a_purpose_blocks_lists_of_that_purpose(world, purpose):
    run = world.run("P-", purpose=purpose)
    assert {c for c, left in run.excluded.items() if left.reason == "dnc"} == \
        PURPOSE_BLOCKS[purpose]
    assert set(run.excluded) == PURPOSE_BLOCKS[purpose]
    assert {m.channel for m in run.members.values()} == {"phone"}
    assert len(run.members) == 6 - len(PURPOSE_BLOCKS[purpose])


# --- consent and complaints (sales purposes only) ----------------------------------------------

NO_CONSENT = ("no_consent", "无有效营销同意（个人信息保护法）")
COMPLAINT = ("complaint", "有未解决投诉，暂停销售联系，转服务补救")
CONSENT_CASES = {
    "C-OK": None, "C-NONE": NO_CONSENT, "C-WITHDRAWN": NO_CONSENT,
    "C-LATER": NO_CONSENT,  # given only after the evaluation date
    "C-TODAY": None,  # given on the evaluation date
    "C-SAMEDAY": NO_CONSENT,  # the later event of the day counts
    "C-COMPLAINT": COMPLAINT, "C-RESOLVED": None,
    "C-RES-LATER": COMPLAINT,  # resolved only after the evaluation date
    "C-RES-TODAY": None, "C-OPEN-LATER": None,
    "C-BOTH": NO_CONSENT,  # consent is checked before complaints
    "C-DNC-FIRST": ("dnc", "全部渠道勿扰：拒绝联系"),  # do-not-contact before consent
    "C-COMPL-RECENT": COMPLAINT,  # complaints before contact fatigue
}


@pytest.mark.parametrize("purpose", ["sales", "marketing", "ref_ask"])
def test_sales_purposes_need_consent_and_no_open_complaint(world, purpose):
    run = world.run("C-", purpose=purpose)
    got = {c: (run.excluded[c].reason, run.excluded[c].detail) if c in run.excluded else None
           for c in CONSENT_CASES}
    assert got == CONSENT_CASES
    assert {m.channel for m in run.members.values()} == {"phone"}


@pytest.mark.parametrize("purpose", ["care", "ref_thanks", "reminder"])
def test_other_purposes_need_neither_consent_nor_a_closed_complaint(world, purpose):
    run = world.run("C-", purpose=purpose)
    assert {c: left.reason for c, left in run.excluded.items()} == {
        "C-DNC-FIRST": "dnc", "C-COMPL-RECENT": "recent_contact"}
    assert len(run.members) == len(CONSENT_CASES) - 2


# --- mobiles and wrong numbers -----------------------------------------------------------------

# Customers without a valid mobile, by their other phones: the number a call list prints for
# them, or None when none of them can be dialled.
LANDLINE_CASES = {
    "R-LAND": "020-81234567",
    "R-LAND-EXT": "020-81234567-123",
    "R-LAND-LOCAL": "81234567",
    "R-LAND-LOCAL7": "8123456",
    "R-LAND-400": "4008123456",
    "R-LAND-MOBILE": "13711112222",  # a second mobile, kept among the other phones
    "R-LAND-SECOND": "1380013800, 0571-88881234",  # the first is kept as typed: no number
    "R-LAND-WIDE-COMMA": "1380013800，0571-88881234",
    "R-LAND-PLACEHOLDER": "13800000000, 020-81234567",
    "R-LAND-TYPED": "1380013800",
    "R-LAND-FOREIGN": "+85221234567",
    "R-LAND-SHORT": "812345",
    "R-LAND-ZERO": "0812345",
    "R-LAND-LONG": "812345678",
    "R-LAND-NO-DASH": "02081234567",
    "R-LAND-BLANK": " ",
}
CALLED_ON = {"R-LAND": "020-81234567", "R-LAND-EXT": "020-81234567-123",
             "R-LAND-LOCAL": "81234567", "R-LAND-LOCAL7": "8123456",
             "R-LAND-400": "4008123456", "R-LAND-MOBILE": "13711112222",
             "R-LAND-SECOND": "0571-88881234", "R-LAND-WIDE-COMMA": "0571-88881234",
             "R-LAND-PLACEHOLDER": "020-81234567"}


def test_a_customer_without_a_mobile_is_called_on_another_number(world):
    run = rules(world)
    called = {code: run.members[code].snapshot["mobile"] for code in LANDLINE_CASES
              if code in run.members and run.members[code].channel == "phone"}
    assert called == CALLED_ON
    # Nobody else is called: the others go by post, the next channel they allow.
    assert {run.members[code].channel for code in set(LANDLINE_CASES) - set(CALLED_ON)} == {
        "mail"}


def test_no_number_to_dial_leaves_a_call_list_with_its_reason(world):
    run = rules(world, channel="call")
    left = {code: (run.excluded[code].reason, run.excluded[code].detail)
            for code in set(LANDLINE_CASES) - set(CALLED_ON)}
    assert left == {code: ("no_mobile", "电话：手机号无效：（空），也无其他可拨打的电话")
                    for code in set(LANDLINE_CASES) - set(CALLED_ON)}
    assert set(CALLED_ON) <= set(run.members)


def test_a_number_nobody_dials_here_is_still_printed_as_typed(world):
    """A customer with no mobile typed and no other phone a caller can dial (a Hong Kong
    number, a landline a digit short) is written to by post; the mail list and the appendix
    of a call list print their first other phone as typed, for staff to put right or to
    dial abroad, rather than no number at all."""
    typed = {code: None if not other.strip() else other.split(",")[0].split("，")[0].strip()
             for code, other in LANDLINE_CASES.items() if code not in CALLED_ON}
    assert typed["R-LAND-FOREIGN"] == "+85221234567" and typed["R-LAND-BLANK"] is None
    mail = rules(world).members
    assert {code: mail[code].snapshot["mobile"] for code in typed} == typed
    left = rules(world, channel="call").excluded
    assert {code: left[code].snapshot["mobile"] for code in typed} == typed


def test_another_number_to_call_is_no_number_for_sms(world):
    run = rules(world)
    left = run.excluded["R-LAND-SMS"]
    assert (left.reason, left.detail) == ("no_mobile", "短信：手机号无效：（空）")
    # Forced to SMS, even a second mobile among the other phones gets none: texts go to the
    # customer's mobile only.
    sms = rules(world, channel="sms")
    assert {sms.excluded[code].reason for code in LANDLINE_CASES} == {"no_mobile"}


def test_the_mobile_comes_before_another_number(world):
    member = rules(world).members["R-LAND-AND-MOBILE"]
    assert (member.channel, member.snapshot["mobile"]) == ("phone", "13900001111")


def test_a_wrong_landline_stops_its_calls(world):
    run = rules(world, channel="call")
    assert (run.excluded["R-LAND-WRONG"].reason, run.excluded["R-LAND-WRONG"].detail) == (
        "no_mobile", "电话：2026-11-13 拨打为空号/错号")
    # The appendix of left-out customers gives the number they would be reached on.
    assert run.excluded["R-LAND-WRONG"].snapshot["mobile"] == "020-81234567"
    assert rules(world).members["R-LAND-WRONG"].channel == "mail"


@pytest.mark.parametrize(("code", "detail"), [
    ("R-MOB-BAD", "电话：手机号无效：12345，也无其他可拨打的电话"),
    ("R-MOB-NONE", "电话：手机号无效：（空），也无其他可拨打的电话"),
    ("R-MOB-SMS", "短信：手机号无效：12345"),
])
def test_no_valid_mobile_for_calls_or_sms(world, code, detail):
    left = rules(world).excluded[code]
    assert (left.reason, left.detail) == ("no_mobile", detail)
    assert left.snapshot == {"name": f"客户{code}", "code": code,
                             "mobile": {"R-MOB-NONE": None}.get(code, "12345")}


def test_a_landline_gets_neither_call_nor_sms(world):
    assert rules(world).members["R-MOB-LAND"].channel == "mail"
    left = rules(world, channel="call").excluded["R-MOB-LAND"]
    assert (left.reason, left.detail) == (
        "no_mobile", "电话：手机号无效：020-81234567，也无其他可拨打的电话")


def test_a_mobile_with_country_code_is_called_and_printed_bare(world):
    member = rules(world).members["R-MOB-86"]
    assert (member.channel, member.snapshot["mobile"]) == ("phone", "13800139999")


@pytest.mark.parametrize(("code", "expected"), [
    ("R-WRONG", ("no_mobile", "电话：2026-11-13 拨打为空号/错号")),
    ("R-WRONG-SMS", "sms"),  # SMS still goes to the number
    ("R-WRONG-OK", "phone"),  # a successful call since
    ("R-WRONG-AGAIN", ("no_mobile", "电话：2026-10-24 拨打为空号/错号")),
    ("R-WRONG-DAY", ("no_mobile", "电话：2026-10-24 拨打为空号/错号")),
    ("R-WRONG-OLD", "phone"),  # 366 days ago: forgotten
    ("R-WRONG-TIE", ("no_mobile", "电话：2026-10-24 拨打为空号/错号")),  # a tie: still wrong
    # Days, not hours: a call reached later on the day of the wrong number does not clear it.
    ("R-WRONG-THEN-OK", ("no_mobile", "电话：2026-10-24 拨打为空号/错号")),
])
def test_a_wrong_number_stops_calls_until_a_later_successful_call(world, code, expected):
    run = rules(world)
    if isinstance(expected, tuple):
        assert (run.excluded[code].reason, run.excluded[code].detail) == expected
    else:
        assert run.members[code].channel == expected


# A wrong number, then a change of the customer's data: (days ago the number was found
# wrong, days ago the change was made, what changed).
WRONG_THEN_CHANGED = {
    "R-WR-NEW": (10, 5, "mobile"),
    "R-WR-NEW-SAMEDAY": (10, 10, "mobile"),
    "R-WR-OTHERPH": (10, 3, "other_phones"),
    "R-WR-NEW-BEFORE": (10, 11, "mobile"),
    "R-WR-MOVED": (10, 5, "street"),
}


@pytest.mark.parametrize(("code", "called"), [
    ("R-WR-NEW", True),
    ("R-WR-NEW-SAMEDAY", True),  # put right the day the number was found wrong
    ("R-WR-OTHERPH", True),
    ("R-WR-NEW-BEFORE", False),  # the new number was the wrong one
    ("R-WR-MOVED", False),  # an address is no new number
    ("R-LAND-RENUM", True),
])
def test_a_number_changed_since_it_was_found_wrong_is_called(world, code, called):
    run = rules(world, channel="call")
    assert (code in run.members) == called
    if not called:
        assert (run.excluded[code].reason, run.excluded[code].detail) == (
            "no_mobile", "电话：2026-11-13 拨打为空号/错号")


# --- mail addresses ----------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "ok"), [
    ("R-ADDR-OK", True),
    ("R-ADDR-NOSTREET", False),
    ("R-ADDR-PROV", True),  # a province without a city will do
    ("R-ADDR-CITY", True),  # and a city without a province
    ("R-ADDR-NOCITY", False),
    ("R-ADDR-PC5", False),  # the postcode has 6 digits
    ("R-ADDR-PCX", False),
    ("R-ADDR-PCNONE", False),
])
def test_mail_needs_street_city_or_province_and_a_six_digit_postcode(world, code, ok):
    run = rules(world)
    if ok:
        assert run.members[code].channel == "mail"
    else:
        assert (run.excluded[code].reason, run.excluded[code].detail) == (
            "no_address", "邮寄：地址或邮编不完整")


def test_no_address_moves_to_the_next_preferred_channel(world):
    assert rules(world).members["R-ADDR-SMS"].channel == "sms"
    left = rules(world, channel="mail").excluded["R-ADDR-SMS"]
    assert (left.reason, left.detail) == ("no_address", "邮寄：地址或邮编不完整")


# --- WeChat and visits -------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "channel"), [
    ("R-WX-OK", "wechat"), ("R-WX-NOID", "sms"), ("R-WX-DNC", "sms"),
    ("R-VISIT-OK", "visit"), ("R-VISIT-CITY", "visit"), ("R-VISIT-DNC", "phone"),
])
def test_wechat_and_visits_are_routed_like_the_other_channels(world, code, channel):
    assert rules(world).members[code].channel == channel


@pytest.mark.parametrize(("forced", "code", "reason", "detail"), [
    ("wechat", "R-WX-NOID", "no_wechat", "微信：无微信号"),
    ("wechat", "R-WX-DNC", "dnc", "微信：微信勿扰：拒绝联系"),
    ("visit", "R-VISIT-NOAREA", "no_address", "上门拜访：无可上门的地址"),
    ("visit", "R-VISIT-DNC", "dnc", "上门拜访：上门勿扰：拒绝联系"),
    (None, "R-VISIT-NOAREA", "no_address", "上门拜访：无可上门的地址"),
    (None, "R-VISIT-NOSTREET", "no_address", "上门拜访：无可上门的地址；邮寄：地址或邮编不完整"),
], ids=lambda v: v if isinstance(v, str) and v.isascii() else "_")
def test_wechat_and_visit_exclusions(world, forced, code, reason, detail):
    run = rules(world, channel=forced) if forced else rules(world)
    assert (run.excluded[code].reason, run.excluded[code].detail) == (reason, detail)


def test_a_wechat_member_keeps_the_wechat_id(world):
    assert rules(world).members["R-WX-OK"].snapshot["wechat_id"] == "wx_chen"


# --- the preference order and forced channels --------------------------------------------------

@pytest.mark.parametrize(("code", "channel"), [
    ("R-ORD-MSP", "mail"), ("R-ORD-SM", "sms"),
    ("R-ORD-NONE", "phone"),  # no preference: call, SMS, mail
    ("R-ORD-NONE-MAIL", "mail"),
    ("R-ORD-EMPTY", "phone"),
    ("R-ORD-WECHAT", "mail"),  # WeChat first, but no WeChat id to write to
    ("R-ORD-SPACES", "sms"),
    ("R-ORD-FIFTH", "mail"),  # every channel named: the fifth is used
])
def test_auto_takes_the_first_usable_channel_in_the_preference_order(world, code, channel):
    assert rules(world).members[code].channel == channel


def test_a_run_where_nobody_has_preferences(world):
    assert world.run("N-").members["N-1"].channel == "phone"


@pytest.mark.parametrize("forced", ["call", "sms", "mail", "visit"])
def test_a_forced_channel_overrides_every_preference(world, forced):
    run = rules(world, channel=forced)
    stored = {"call": "phone"}.get(forced, forced)
    for code in ("R-ORD-MSP", "R-ORD-SM", "R-ORD-NONE", "R-ORD-SPACES", "R-ADDR-OK"):
        assert run.members[code].channel == stored, code
    assert {m.channel for m in run.members.values()} == {stored}


def test_the_first_blocked_channel_gives_the_reason_and_each_is_named_once(world):
    run = rules(world)
    first = run.excluded["R-ORD-FIRST"]
    assert (first.reason, first.detail) == (
        "no_mobile", "电话：手机号无效：12345，也无其他可拨打的电话；邮寄：地址或邮编不完整")
    dup = run.excluded["R-ORD-DUP"]
    assert (dup.reason, dup.detail) == ("no_mobile",
                                        "电话：手机号无效：12345，也无其他可拨打的电话")
    every = run.excluded["R-ORD-ALL5"]
    assert (every.reason, every.detail.split("；")) == ("no_mobile", [
        "电话：手机号无效：12345，也无其他可拨打的电话", "短信：手机号无效：12345",
        "邮寄：地址或邮编不完整",
        "微信：无微信号", "上门拜访：无可上门的地址"])


def test_a_run_lists_each_customer_once_with_the_newest_car(world):
    snap = rules(world).members["R-CARS"].snapshot
    assert (snap["brand"], snap["model"], snap["purchase_date"]) == ("本田", "雅阁", "2022-03-01")


def test_a_member_row_keeps_what_prints(world):
    member = rules(world).members["R-SNAP"]
    snap = member.snapshot
    expected = {
        "row_code": member.row_code, "name": "陈国平", "channel": "mail", "caller": "",
        "customer_code": "R-SNAP", "salutation": "陈先生", "mobile": "13900009999",
        "province": "广东省", "city": "广州市", "district": "海珠区", "street": "光明西路1号",
        "postcode": "510000", "brand": "丰田", "model": "凯美瑞", "purchase_date": "2024-01-01",
        "years_owned": 2.9, "km": None, "last_contact": None, "last_outcome": None,
        "last_feedback": None, "best_time": "工作日 上午", "talking_points": ""}
    assert {k: snap.get(k) for k in expected} == expected
    assert snap["plate"].startswith("粤A") and len(snap["plate"]) == 7
