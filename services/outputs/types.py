"""The plain rows every output takes, so printing never depends on the database or segments."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from services.customers.places import address_text
from services.labels import car_name, text
from services.store.errors import CancelToken

T = TypeVar("T")

# List channels as the user sees them; stored contact channels are phone / sms / mail
# (services/labels.py: "call" and "phone" are one channel, 电话).
LIST_CHANNELS = ("call", "visit", "mail", "sms", "wechat")


# The outcomes a caller ticks on the call sheet, labelled as everywhere else.
OUTCOME_BOXES = tuple((code, text("outcome", code)) for code in (
    "reached", "no_answer", "phone_off", "wrong_number", "refused", "appointment"))


@dataclass(slots=True)
class ListMember:
    """One person on a list, with everything any output prints for them. Slots: a 114,000-row
    run is read back whole to be written, and a per-object dict would double its memory.
    Never changed once made (a masked member is a new one), but not frozen: a frozen
    dataclass sets each of its fields through object.__setattr__, 0.17 s for the 24 fields of
    the 103,441 members a list run makes, against 0.02 s so."""

    row_code: str
    name: str
    channel: str = "call"  # call | mail | sms
    caller: str = ""
    customer_code: str = ""
    salutation: str = ""  # 称呼, e.g. 陈先生
    mobile: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    postcode: str | None = None
    brand: str | None = None
    model: str | None = None
    plate: str | None = None
    purchase_date: dt.date | None = None
    years_owned: float | None = None
    km: int | None = None
    last_contact: dt.date | None = None
    last_outcome: str | None = None  # a label, e.g. 接通
    last_feedback: str | None = None
    best_time: str = ""
    talking_points: str = ""
    wechat_id: str | None = None
    # 联系人: whom to ask for when it is not the customer (a company's 王经理); the salutation
    # then greets them. Last, so snapshots stored before it read back without it.
    contact_person: str | None = None

    @property
    def vehicle(self) -> str:
        """Brand and model, e.g. 丰田 凯美瑞 (labels.car_name)."""
        return car_name(self.brand, self.model)

    @property
    def address(self) -> str:
        """Chinese order: province → city → district → street (a municipality is not doubled)."""
        return address_text(self.province, self.city, self.district, self.street)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("purchase_date", "last_contact"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ListMember:
        known = _MEMBER_FIELDS or {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        for key in ("purchase_date", "last_contact"):
            if kw.get(key):
                kw[key] = dt.date.fromisoformat(kw[key])
        return cls(**kw)

    def to_json(self) -> str:
        """The member as from_values reads it back, in JSON."""
        values = list(_MEMBER_VALUES(self))
        for at in (_PURCHASE_AT, _CONTACT_AT):
            if values[at] is not None:
                values[at] = values[at].isoformat()
        return json.dumps(values, ensure_ascii=False)

    @classmethod
    def from_values(cls, values: Sequence[Any]) -> ListMember:
        """A member from the list of its fields' values in order, its days as ISO text: the
        form a list run stores as each member's snapshot (services/lists/snapshot.py)."""
        made = cls(*values)
        if made.purchase_date is not None:
            made.purchase_date = dt.date.fromisoformat(values[_PURCHASE_AT])
        if made.last_contact is not None:
            made.last_contact = dt.date.fromisoformat(values[_CONTACT_AT])
        return made


_MEMBER_FIELDS: frozenset[str] = frozenset(f.name for f in fields(ListMember))
_MEMBER_NAMES = [f.name for f in fields(ListMember)]
_MEMBER_VALUES = attrgetter(*_MEMBER_NAMES)
_MOBILE_AT = _MEMBER_NAMES.index("mobile")
_PURCHASE_AT = _MEMBER_NAMES.index("purchase_date")
_CONTACT_AT = _MEMBER_NAMES.index("last_contact")


# A landline as stored: area code, subscriber number, an extension.
_LANDLINE = re.compile(r"(0\d{2,3}-)(\d{5,8})(-\d{1,6})?")


def mask_phone(number: str | None) -> str | None:
    """A phone number with its middle hidden, as Chinese receipts print it: 138****8000 for a
    mobile; a landline keeps its area code, the last four digits of its number and its
    extension (022-****7682-123); any other number keeps its last four digits."""
    if not number:
        return number
    digits = re.sub(r"\D", "", number)
    mobile = re.sub(r"^(0086|86)(?=1\d{10}$)", "", digits)
    if len(mobile) == 11 and mobile.startswith("1"):
        return f"{mobile[:3]}****{mobile[-4:]}"
    landline = _LANDLINE.fullmatch(number.strip())
    if landline is not None:
        area, subscriber, extension = landline.groups()
        return f"{area}{'*' * (len(subscriber) - 4)}{subscriber[-4:]}{extension or ''}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def member_masked(m: ListMember) -> ListMember:
    """The member with their mobile masked (mask_phone)."""
    # Positional: dataclasses.replace took 1.5 s for a 110,000-member run, this a third.
    values = list(_MEMBER_VALUES(m))
    values[_MOBILE_AT] = mask_phone(m.mobile)
    return ListMember(*values)


class MemberSink(Protocol):
    """Takes a run's members as its build makes them (services/lists/build.py): first how
    many there will be, then a chunk at a time in the run's order, each member with its
    snapshot (ListMember.from_values' values as JSON) when the build has it."""

    def begin(self, members: int) -> None: ...

    def add(self, members: Sequence[ListMember], snapshots: Sequence[str] | None = None
            ) -> None: ...


@dataclass(frozen=True)
class Excluded:
    """Someone left off the list, and why (reason label in Chinese, detail free text)."""

    name: str
    reason: str  # code, e.g. dnc
    reason_label: str
    detail: str = ""
    customer_code: str = ""
    mobile: str | None = None


@dataclass(frozen=True)
class ListDocument:
    """A whole list as printed: header facts plus members and exclusions."""

    title: str
    segment: str
    run_id: int | None
    as_of: dt.date
    created_at: dt.datetime
    purpose_label: str = ""
    members: tuple[ListMember, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    purpose: str = ""  # the code ("reminder"); purpose_label is its Chinese

    @property
    def week_label(self) -> str:
        year, week, _ = self.as_of.isocalendar()
        monday = self.as_of - dt.timedelta(days=self.as_of.weekday())
        sunday = monday + dt.timedelta(days=6)
        return f"{year}年第{week}周（{monday:%m-%d}～{sunday:%m-%d}）"

    def of_channel(self, channel: str) -> tuple[ListMember, ...]:
        return tuple(m for m in self.members if m.channel == channel)


@dataclass(frozen=True)
class Steps:
    """How a file being written says how far it is, `progress(done, total)`, and learns that
    it is to stop (`cancel`, raising Cancelled): the window's progress bar and Cancel button,
    the terminal's bar. Both are looked at every EVERY rows."""

    progress: Callable[[int, int], None] | None = None
    cancel: CancelToken | None = None
    EVERY = 500

    def counted(self, items: Iterable[T], start: int = 0, total: int | None = None
                ) -> Iterator[T]:
        """`items` one by one, counted as rows `start`… of `total` (default: just these, a
        sequence; a stream of rows says its total)."""
        if total is None:
            assert isinstance(items, Sequence)
            total = len(items)
        if self.progress is None and self.cancel is None:
            yield from items
            return
        count = 0
        for count, item in enumerate(items, start=1):
            if (count - 1) % self.EVERY == 0:
                self.at(start + count - 1, total)
            yield item
        self.at(start + count, total)

    def at(self, done: int, total: int) -> None:
        if self.cancel is not None:
            self.cancel.check()
        if self.progress is not None:
            self.progress(done, total)


NO_STEPS = Steps()
