"""One data row made into clean field values and problems, by a mapping and the field catalog."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from services.customers.birthdays import age
from services.imports import normalise as n
from services.imports import scores
from services.imports import words as w
from services.imports.dates import (
    YEARLESS_OVERDUE_DAYS,
    MonthDay,
    is_month_day,
    month_day,
    normalise_date,
    normalise_datetime,
)
from services.imports.fields import EXTRA_PHONES, Field
from services.imports.mapping import Mapping, header_key
from services.imports.normalise import (
    Cell,
    Clean,
    Severity,
    cell_text,
    is_blank,
    nfkc,
    normalise_id_number,
    normalise_loan_term,
)
from services.imports.phones import (
    OTHER_PHONES_SEPARATOR,
    Phones,
    digits_of_number,
    normalise_phones,
)

AMOUNT_TYPED = "amount_typed"  # a visit's amount as typed, when it could not be read
TYPE_TYPED = "type_typed"  # a visit's type as typed, when it is none Revisit has (洗车)
PURPOSE_TYPED = "purpose_typed"  # a contact's purpose as typed, when it could not be read
# A contact's outcome in the caller's own words (不在家), when they say more than the outcome
# they are read as: kept before the feedback, as the list's read-back keeps them.
OUTCOME_TYPED = "outcome_typed"
KIND_TYPED = "kind_typed"  # a purchase's kind as typed (退货 says a refund, whatever the amount)
BLANKS_NOTED = "blanks_noted"  # what a contact's feedback says of its cells left empty
# A contact whose channel cell is empty, in a file whose other rows name no one channel, is
# a call: the phone is the department's channel and the one its files leave unsaid.
DEFAULT_CHANNEL = "phone"
# A birthday that makes its customer younger than this on the import's day is no car owner's:
# its day is kept, its year is not (a driving licence is had at 18 in China).
YOUNGEST_OWNER = 16
# Nothing but a birthday is dated before this year: no car of a dealer's customers was bought,
# serviced or insured earlier, and such a date is a misread (190305 read as March 1903).
EVENTS_FROM = 1950
# The warnings of a day typed without its year: each row's says the day it was taken as.
YEAR_GIVEN = frozenset({"date_year_next", "date_year_last"})
# A loan's term inside a payment cell: 36期, 24个月, 3年, 三年 (not a bare number: 贷款 2 is no
# term).
_TERM_IN = re.compile(r"(\d+(?:\.\d+)?|[一二三四五六七八九十]+)\s*(期|个月|年)")


def _year_given(code: str, value: Any) -> str | None:
    """The day (and time) a cell typed without its year was taken as, for its warning."""
    if code not in YEAR_GIVEN or not isinstance(value, dt.date):
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():  # no time typed (or midnight): the day alone
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# The cleaners of numbers whose column's header may name their unit (开票价格(万元)).
IN_HEADER_UNIT = ("amount", "signed_amount", "price", "km")
# Channels of one-way messages: one logged was sent, whatever came of it.
MESSAGE_CHANNELS = ("sms", "mail", "wechat")

# How Excel shows a long number (2.00801E+15).
_EXCEL_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+")
# The longest customer number kept (customer.dms_code).
CUSTOMER_NUMBER_LENGTH = 40


def normalise_customer_number(raw: Cell) -> Clean[str]:
    """A DMS's customer number as its exports write it: full-width characters made ASCII,
    letters upper case, spaces left out ("kh 0012" and "ＫＨ００１２" are KH0012), leading zeros
    kept (a CSV keeps "00012", a spreadsheet number 12.0 is "12"). One too long, or one whose
    digits Excel's scientific notation lost, is refused, never cut or guessed: it would find
    someone else."""
    if is_blank(raw):
        return n.EMPTY
    text = "".join(nfkc(cell_text(raw)).upper().split())
    if _EXCEL_SCIENTIFIC.fullmatch(text):
        # A long number Excel showed as 2.00801E+15, and a CSV saved from it kept only that
        # (Excel writes the + always: KH1E5 or 3E12 is a number as it stands).
        digits, lost = digits_of_number(text)
        if lost or digits is None:
            return n.refused("phone_digits_lost")
        text = digits
    if len(text) > CUSTOMER_NUMBER_LENGTH:
        return n.refused("customer_number_too_long")
    return Clean(text)


_SIMPLE: dict[str, Callable[[Cell], Clean[Any]]] = {
    "gender": w.normalise_gender,
    "amount": n.normalise_amount,
    "signed_amount": n.normalise_signed_amount,
    "price": n.normalise_price,
    "km": n.normalise_km,
    "vin": n.normalise_vin,
    "plate": n.normalise_plate,
    "customer_number": normalise_customer_number,
    "payment": w.normalise_payment,
    "visit_type": w.normalise_visit_type,
    "purchase_kind": w.normalise_purchase_kind,
    "score": scores.normalise_score,
    "yes_no": w.normalise_yes_no,
    "channel": w.normalise_channel,
    "purpose": w.normalise_purpose,
    "outcome": w.outcome_in_file,
    "contact_status": w.normalise_contact_status,
    "postcode": n.normalise_postcode,
    "wechat": n.normalise_wechat,
    "consent": w.normalise_consent,
    "loan_term": n.normalise_loan_term,
    "duration": n.normalise_duration,
}


def _birthday(raw: Cell, today: dt.date, order: str | None) -> Clean[Any]:
    """A birthday: a date up to tomorrow, or its month and day alone (MonthDay) when it is
    written without its year or its year cannot be an owner's."""
    if (day := month_day(raw)) is not None:
        # 3月15日, as membership forms ask it: the greeting needs no year.
        return n.kept(day, "birthday_year_missing")
    if is_month_day(raw):
        return n.refused("date_impossible")  # 2月30日: a day that never is
    dated = normalise_date(raw, latest=today + dt.timedelta(days=1), order=order)
    if any(p.code == "date_day_missing" for p in dated.problems):
        # 1985年3月: taken as the 1st, the birthday greeting would go on the wrong day.
        return n.refused("birthday_day_missing")
    if (born := dated.value) is not None and age(born, today) < YOUNGEST_OWNER:
        # What Excel makes of 3/15 typed into a cell: that day of the year it was typed.
        return n.kept(MonthDay(born.month, born.day), "birthday_year_implausible")
    return dated


def clean_value(field: Field, raw: Cell, today: dt.date, *,
                keep_invalid_phones: bool = False, header: str | None = None,
                scale: int | None = None, order: str | None = None) -> Clean[Any]:
    """The cell cleaned the way the catalog says for this field. Dates that cannot lie ahead
    are refused when more than a day after `today` (a day's grace for clocks and time zones);
    one typed without its year is taken as the field says (Field.yearless).
    A score is read on `scale` (5, 10 or 100), else on the one its column's `header` names
    (百分制, 5分制); money and km in 万 when `scale` is WAN (columns.py decides it once for
    the column) or, given none, when the header names it (万元, 万公里:
    normalise.in_header_unit). `order`
    reads 06/05/2023 day first ("dmy") or month first ("mdy").
    Text holding U+FFFD, what reading bytes of another encoding leaves (a GBK row in a UTF-8
    file), is refused: stored, it would be a name or plate nobody can read or find."""
    if isinstance(raw, str) and "\ufffd" in raw:
        return n.refused("text_garbled")
    cleaner = field.cleaner
    if cleaner in ("date", "datetime"):
        if field.key == "birthday":
            return _birthday(raw, today, order)
        latest = None if field.future else today + dt.timedelta(days=1)
        yearless = None
        if field.yearless == "next":
            yearless = ("next", today - dt.timedelta(days=YEARLESS_OVERDUE_DAYS))
        elif field.yearless == "last" and latest is not None:
            yearless = ("last", latest)
        dated: Clean[Any] = (normalise_date if cleaner == "date" else normalise_datetime)(
            raw, latest=latest, order=order, yearless=yearless)
        if dated.value is not None and dated.value.year < EVENTS_FROM:
            return n.refused("date_out_of_range")
        return dated
    if cleaner == "text":
        return n.normalise_text(raw, field.max_length)
    if cleaner == "id_number":
        return n.normalise_id_number(raw, today)
    if cleaner == "items":
        return n.normalise_items(raw, field.max_length)
    if cleaner == "name":
        return n.normalise_name(raw, field.max_length)
    if cleaner == "phones":
        return normalise_phones(raw, mobile_column=field.key == "mobile",
                                keep_invalid=keep_invalid_phones)
    if cleaner == "attribute":
        return w.normalise_attribute(raw, field.key)
    if cleaner == "score":
        return scores.normalise_score(raw, scale or scores.score_scale(header))
    if cleaner in IN_HEADER_UNIT:
        raw, _ = n.in_header_unit(raw, scale or n.header_factor(header))
    return _SIMPLE[cleaner](raw)


@dataclass(frozen=True)
class CellProblem:
    """A problem of one field of one row ("" for the row as a whole), with the cell as read
    (for the error file)."""

    field: str
    code: str
    severity: Severity
    raw: str
    limit: int | None = None  # the field's most characters, for a value cut to them
    value: str | None = None  # what the problem's text names ({value}), if anything

    def text(self, lang: str = "zh") -> str:
        return n.Problem(self.code, self.severity).text(lang)


@dataclass(frozen=True)
class CleanRow:
    """Clean values by field key. A field the mapping leaves out is absent (so an update never
    blanks a stored value the file did not carry); a mapped but empty or refused cell is None.
    Phones: "mobile" is the mobile, "other_phones" every other number joined by ", "."""

    number: int
    values: dict[str, Any]
    problems: tuple[CellProblem, ...] = ()

    @property
    def rejected(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> tuple[CellProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[CellProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def _phones(values: dict[str, Any]) -> None:
    """Mobile and other phone cells merged: a mobile found only among the other phones becomes
    the mobile; every other number, and what was kept of an invalid one, is kept in
    other_phones, all of them: the import keeps the whole numbers the column has room for and
    names the others on the row."""
    main: Phones | None = values.pop("mobile", None)
    extra = [p for key in ("other_phone", *EXTRA_PHONES) if (p := values.pop(key, None))]
    mobile = main.mobile if main else None
    others = [*(main.others if main else ()), *(o for p in extra for o in p.others)]
    if mobile is None:
        mobile = next((o for o in others if o.isdigit() and len(o) == 11), None)
        if mobile is not None:
            others.remove(mobile)
    # Numbers that are none (a mobile a digit short) last, and never taken for the mobile.
    others += [*(main.unchecked if main else ()), *(u for p in extra for u in p.unchecked)]
    values["mobile"] = mobile
    # Two phone columns often both hold the mobile: it is not another phone as well.
    joined = OTHER_PHONES_SEPARATOR.join(o for o in dict.fromkeys(others) if o != mobile)
    values["other_phones"] = joined or None


_CLAUSE_END = re.compile(r"[。！？!?；;\n]")


def _filled(values: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of `keys` with a value in the row."""
    return next((key for key in keys if values.get(key) is not None), None)


def _stand_in(text: str | None, length: int | None) -> str | None:
    """A short field's value taken from a longer one (a complaint's topic from its content):
    its first sentence, cut to `length` characters with "…" when longer."""
    if text is None:
        return None
    first = _CLAUSE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    if length is not None and len(first) > length:
        first = first[:length - 1] + "…"
    return first or None


@lru_cache(maxsize=32)
def _plan(mapping: Mapping) -> tuple[tuple[Field, int], ...]:
    kind = mapping.file_kind
    return tuple((kind.field(key), column) for key, column in mapping.columns)


def _contact_blanks(values: dict[str, Any], problems: list[CellProblem],
                    channel: tuple[str, str] | None) -> None:
    """A contact whose channel or outcome cell is empty is kept, with what it says noted on
    the row and in the contact's feedback; the date, staff and feedback stay as they are. An
    empty channel is the file's one channel when its other rows all name the same (`channel`:
    code and word, columns.py), else a call. An empty outcome is the status's, when the row
    has one (已回访, 待回访); else, for a call with its length (通话时长), reached when it lasted
    and no answer when it did not; else it is never a success: a message
    (SMS, mail, WeChat) was sent; a call or visit was not known to reach anyone, so it is
    no answer (an attempt, not reached, called again as an unanswered call is)."""
    bad = {p.field for p in problems if p.severity == "error"}
    noted: list[str] = []
    if "channel" in values and values["channel"] is None and "channel" not in bad:
        if values.get("duration") is not None:
            values["channel"] = DEFAULT_CHANNEL  # a call's length: it was a call
        elif values.get("message") is not None:
            values["channel"] = "sms"  # the text of a message sent
        elif channel is not None:
            values["channel"] = channel[0]
            problems.append(CellProblem("channel", "channel_blank_as_file", "warning", "",
                                        value=channel[1]))
        else:
            values["channel"] = DEFAULT_CHANNEL
            problems.append(CellProblem("channel", "channel_blank", "warning", ""))
            noted.append("原表未填联系方式")
    if values.get("outcome") is None and values.get("status") is not None:
        values["outcome"] = values["status"]  # 回访状态 已回访, and no 回访结果
    if (values.get("outcome") is None and values.get("duration") is not None
            and values.get("channel") not in MESSAGE_CHANNELS):
        # A call-centre export's talk time: a call that lasted was answered.
        values["outcome"] = "reached" if values["duration"] > 0 else "no_answer"
    if "outcome" in values and values["outcome"] is None and "outcome" not in bad:
        sent = values.get("channel") in MESSAGE_CHANNELS
        values["outcome"] = "sent" if sent else "no_answer"
        problems.append(CellProblem("outcome", "outcome_blank_sent" if sent else "outcome_blank",
                                    "warning", ""))
        noted.append("原表未填联系结果")
    if values.get("feedback") is None and values.get("message") is not None:
        values["feedback"] = values["message"]
    if noted:
        values[BLANKS_NOTED] = noted


_CJK = re.compile(r"[\u4e00-\u9fff]+")
# The headers of a surname column, as header_key writes them: the given name is joined to it.
SURNAME_HEADERS = frozenset({"lastname", "surname", "familyname", "姓", "姓氏"})


def _id_number_as_birthday(values: dict[str, Any],
                           found: list[tuple[Field, Clean[Any], str]],
                           today: dt.date) -> list[tuple[Field, Clean[Any], str]]:
    """A birthday column holding an ID card number (a DMS's 出生日期 filled from the card):
    read as the ID number it is, whose birthday and gender the row takes (engine
    _birth_from_id), when the row has no ID number column of its own."""
    if values.get("id_number") is not None:
        return found
    kept = []
    for field, result, raw in found:
        if field.key == "birthday" and result.value is None and raw:
            card = normalise_id_number(raw, today)
            if card.value is not None:
                values["id_number"] = card.value
                result = Clean(None)
            elif card.problems:  # an ID number's shape, its check character wrong
                result = card
        kept.append((field, result, raw))
    return kept


def _term_in_payment(values: dict[str, Any],
                     found: list[tuple[Field, Clean[Any], str]]) -> None:
    """A loan's term written in the payment cell (贷款36期, 按揭3年, 分期24个月) as the loan's
    term, when no column gives one: the engine works out the loan's end from the purchase
    date (_loan_end_from_term), which the loan-end reminders read."""
    if values.get("loan_term") is not None or values.get("payment_method") != "loan":
        return
    for field, _, raw in found:
        if field.key == "payment_method" and (term := _TERM_IN.search(nfkc(raw))):
            months = normalise_loan_term(term.group(0)).value
            if months is not None:
                values["loan_term"] = months


def _whole_name(values: dict[str, Any], found: list[tuple[Field, Clean[Any], str]],
                mapping: Mapping) -> list[tuple[Field, Clean[Any], str]]:
    """A given name from a column of its own joined to the surname as the name: 张 + 三 is
    张三, John + Smith is John Smith; a given name alone is the name. The name's entry in
    `found` then holds the whole name, so a row with either is not refused for want of one.
    A name column that is no surname's (Name beside First Name and Last Name) holds the whole
    name already: the given name is left out."""
    given = values.pop("given_name", None)
    column = mapping.column("name")
    if given is None or (column is not None and column < len(mapping.headers)
                         and header_key(mapping.headers[column]) not in SURNAME_HEADERS):
        return found
    surname = values.get("name")
    if surname is None:
        whole = given
    elif _CJK.fullmatch(surname) and _CJK.fullmatch(given):
        whole = surname + given
    else:
        whole = f"{given} {surname}"
    values["name"] = whole[:64]
    return [(f, Clean(values["name"], r.problems) if f.key == "name" else r, raw)
            for f, r, raw in found]


def clean_row(
    mapping: Mapping, cells: Sequence[Cell], *, today: dt.date, number: int = 0,
    scales: dict[int, int] | None = None, orders: dict[int, str] | None = None,
    channel: tuple[str, str] | None = None,
) -> CleanRow:
    """Every mapped cell cleaned. A refused value rejects the row (error) only when the row
    cannot do without it: a required field, or the link fields of a visit, survey, complaint
    or contact when none of them gives a value. Elsewhere it becomes a warning and the field
    is left empty: a birthday typed as 2019-02-30 does not lose the customer. `scales`: the
    scale of a score column decided from its values (services/imports/columns.py), or WAN for
    a column of car prices in 万; `orders` the order of day and month of a date column decided
    alike; a required field no column is mapped to is taken from the field it stands in for
    (Field.fallback).
    A contact's empty channel or outcome is filled in and noted (_contact_blanks; `channel`:
    the file's one channel)."""
    kind = mapping.file_kind
    values: dict[str, Any] = {}
    found: list[tuple[Field, Clean[Any], str]] = []
    for field, column in _plan(mapping):
        raw = cells[column] if column < len(cells) else None
        # Only a customer has other phones to keep a mistyped number in.
        result = clean_value(
            field, raw, today, keep_invalid_phones=kind.key == "customers",
            header=mapping.headers[column] if column < len(mapping.headers) else None,
            scale=scales.get(column) if scales else None,
            order=orders.get(column) if orders else None)
        values[field.key] = result.value
        found.append((field, result, "" if is_blank(raw) else cell_text(raw)))
    if kind.key == "customers":
        found = _whole_name(values, found, mapping)
        found = _id_number_as_birthday(values, found, today)
        _term_in_payment(values, found)
    linked = any(
        field.link and result.value is not None
        and (not isinstance(result.value, Phones) or result.value.mobile)
        for field, result, _ in found
    )
    problems: list[CellProblem] = []
    for field, result, raw in found:
        fatal = field.required or (field.link and kind.needs_link and not linked)
        for problem in result.problems:
            severity: Severity = "error" if problem.severity == "error" and fatal else "warning"
            limit = field.max_length if problem.code == "text_truncated" else None
            problems.append(CellProblem(field.key, problem.code, severity, raw, limit,
                                        _year_given(problem.code, result.value)))
        if field.required and result.value is None and result.ok and not field.blank_filled:
            # An empty cell of a field with a stand-in is taken from it as a missing column
            # is (a complaint left without its category still stands, its topic its content).
            if (source := _filled(values, field.fallback)) is not None:
                values[field.key] = _stand_in(values[source], field.max_length)
                if values[field.key] is not None:
                    continue
            problems.append(CellProblem(field.key, "required_missing", "error", raw))
    for field in kind.fields:
        if not field.required or field.key in values:
            continue
        if not any(key in values for key in field.fallback):
            problems.append(CellProblem(field.key, "required_missing", "error", ""))
        elif field.blank_filled:
            values[field.key] = None  # the kind's rule fills it (_contact_blanks)
        else:
            source = _filled(values, field.fallback)
            values[field.key] = None if source is None else _stand_in(values[source],
                                                                      field.max_length)
            if values[field.key] is None:
                problems.append(CellProblem(field.key, "required_missing", "error", ""))
    link_keys = {f.key for f in kind.fields if f.link}
    link_refused = any(p.severity == "error" and p.field in link_keys for p in problems)
    if kind.needs_link and not linked and not link_refused:
        problems.append(CellProblem("", "no_link_key", "error", ""))
    if any(key in values for key in ("mobile", "other_phone", *EXTRA_PHONES)):
        _phones(values)
    if kind.key == "visits":
        # A visit's amount the cleaner refused (待结算, -300) is stored as 0, the column needs
        # one; the amount as typed goes into the visit's note, so nothing typed is lost.
        for field, result, raw in found:
            if field.key == "amount" and result.value is None and raw.strip():
                values[AMOUNT_TYPED] = raw.strip()
            if field.key == "visit_type" and result.value is None and raw.strip():
                values[TYPE_TYPED] = raw.strip()
    if kind.key == "purchases":
        for field, _, raw in found:
            if field.key == "kind" and raw.strip():
                values[KIND_TYPED] = raw.strip()
    if kind.key == "contacts":
        _contact_blanks(values, problems, channel)
        # An unknown purpose is recorded as the default one; the word goes into the feedback.
        for field, result, raw in found:
            if field.key == "purpose" and result.value is None and raw.strip():
                values[PURPOSE_TYPED] = raw.strip()
            # A typo (接同) says nothing more than the outcome it is read as: its note says it.
            # A message's outcome is its gateway's report (DELIVRD, MK:0001), no one's words.
            if field.key == "outcome" and result.value is not None and not result.problems \
                    and values.get("channel") not in MESSAGE_CHANNELS \
                    and w.outcome_says_more(raw):
                values[OUTCOME_TYPED] = raw.strip()
        # A message sent with no purpose given says its own: 保养到期 is a reminder.
        if (values.get("purpose") is None and PURPOSE_TYPED not in values
                and values.get("message") is not None
                and (named := w.purpose_in(values["message"])) is not None):
            values["purpose"] = named
    return CleanRow(number, values, tuple(problems))
