"""Phone cells: the mainland mobile told apart from landlines and other numbers (libphonenumber)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from services.imports.normalise import (
    EMPTY,
    Cell,
    Clean,
    Problem,
    cell_text,
    is_blank,
    nfkc,
    refused,
)

# Between two stored other phones: imports and the customer page join them with ", "; data
# typed elsewhere or by an earlier version may use any separator a cell does (_SEPARATORS
# but words). The same text is PostgreSQL's pattern (services/lists/routing.py).
STORED_SEPARATORS = r"[,，;；/|、\n\r]"
_STORED_SEPARATORS = re.compile(STORED_SEPARATORS)
OTHER_PHONES_SEPARATOR = ", "
OTHER_PHONES_LENGTH = 100  # customer.other_phones


def stored_phones(text: str | None) -> list[str]:
    """The numbers of a stored other_phones value, in its order."""
    return [p.strip() for p in _STORED_SEPARATORS.split(text or "") if p.strip()]


def added_phones(phones: list[str], numbers: Iterable[str], known: Iterable[str | None] = ()
                 ) -> tuple[list[str], list[str]]:
    """A customer's other phones (`phones`, in order) with each of `numbers` added that is
    neither among them nor `known` (their mobile), the same number written otherwise (138 0013
    8000 for 13800138000) included. A number is kept whole or not at all: those the column
    has no room for are returned apart, to be named, never dropped unsaid."""
    kept = list(phones)
    have = {_digits_of(p) for p in (*known, *kept) if p}
    left_out: list[str] = []
    for number in numbers:
        if not number or _digits_of(number) in have:
            continue
        have.add(_digits_of(number))
        if len(OTHER_PHONES_SEPARATOR.join([*kept, number])) <= OTHER_PHONES_LENGTH:
            kept.append(number)
        else:
            left_out.append(number)
    return kept, left_out


def _digits_of(phone: str) -> str:
    """What tells two written numbers apart: their digits (138 0013 8000 is 13800138000)."""
    return _NOT_DIGIT.sub("", phone) or phone


# Between two numbers in one cell: 13800138000/022-72587682, 138…；139…, "138… 或 139…".
_SEPARATORS = re.compile(r"[,;/|、\n\r]+|或|和|及")
_CANDIDATE = re.compile(r"\+?\d[\d\s\-()]*\d")
# A landline with an extension, as people write it: a label before it (座机, 电话：), the area
# code in brackets, the number spaced (8888 1234), the extension after 转, 分机, ext, x, # or a
# dash, a note in brackets after it ((办公室)).
_EXTENSION = re.compile(
    r"^\D*?(0[1-9]\d{1,2})[\s\-)）]*(\d{3,4} ?\d{4})\s*(?:转|分机|ext\.?|x|#|-)\s*"
    r"(\d{1,6})\s*(?:[(（][^()（）]*[)）])?$", re.IGNORECASE)
# A mobile written beside such a landline, a space between (020-87654321转8001 13981960013).
_MOBILE_BESIDE = re.compile(r"(?P<rest>.+?)\s+(?P<mobile>(?:\+?86)?1\d{10})"
                            r"|(?P<first>(?:\+?86)?1\d{10})\s+(?P<after>.+)")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?e\+?\d+")
_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
_PHONE_PLACEHOLDERS = frozenset({"0", "00000000000", "11111111111", "12345678901"})


@dataclass(frozen=True)
class Phones:
    """A phone cell taken apart: the first mainland mobile (11 digits, no +86) and every other
    number (further mobiles, landlines as 022-72587682, service and foreign numbers)."""

    mobile: str | None
    others: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()  # parts that are no valid number, kept as typed


# Characters a typed mobile may carry between its digits (spaces of every width, dashes,
# brackets of both widths), removed before the number is judged.
MOBILE_NOISE = (" ", "\t", "\n", "\r", "\u3000", "\xa0", "-", "(", ")", "（", "）")


# Every 5-digit start of a mainland mobile (1xxxx) fits: with room for 4,096 a list run of
# 110,731 candidates parsed numbers again and again (0.12 s), its demo mobiles having more
# starts than that.
@lru_cache(maxsize=10_000)
def mobile_prefix(prefix: str) -> bool:
    """libphonenumber's verdict on 11-digit numbers starting with these 5 digits: its mainland
    mobile pattern depends on no more than that, so 100,000 rows cost a few thousand parses at
    most."""
    number = phonenumbers.parse(prefix + "0" * 6, "CN")
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def is_mobile(digits: str) -> bool:
    """True for an 11-digit mainland mobile number (no +86)."""
    return (len(digits) == 11 and digits.isascii() and digits.isdigit() and digits[0] == "1"
            and mobile_prefix(digits[:5]))


_NOISE = str.maketrans(dict.fromkeys(MOBILE_NOISE))


def mainland_mobile(raw: str | None) -> str | None:
    """The bare 11-digit mainland mobile for +86 / 0086 / 86 / spaced forms, else None. ASCII
    digits only, as the list rules judge it in SQL (services/lists/routing.py `mobile_sql`):
    an SMS vendor's upload takes nothing else, and imports turn full-width digits to ASCII."""
    if not raw:
        return None
    if type(raw) is str and len(raw) == 11 and raw.isdigit():
        # Stored bare, as imports keep mobiles: nothing to strip (0.2 s less of 114,138 judged
        # in a list run's facts).
        return raw if is_mobile(raw) else None
    text = str(raw).translate(_NOISE)
    # A country code, or the trunk 0 dialled before an out-of-town mobile (013800138000).
    for prefix in ("+86", "0086", "86", "0"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix):]
            break
    return text if is_mobile(text) else None


# China Mobile's example number, printed in its manuals and forms for decades: the number typed
# into a required box by whoever did not have the customer's.
_EXAMPLE_MOBILES = frozenset({"13800138000"})


def _placeholder(mobile: str) -> bool:
    """13800000000, 13888888888, 13800138000: typed to fill a required box, shared by many.
    Only a number that is nobody's is one: all one digit after the 3-digit network prefix (no
    carrier issues it to a subscriber as an ordinary number), or China Mobile's example number.
    A run of digits (13612345678, 13987654321) is a "lucky" number (靓号) carriers sell, and
    a customer's real phone: 陈静's 13612345678, the same on her owner, work-order, survey and
    insurance rows, was thrown away, and she was left unreachable and unsearchable. Such a
    number given to many customers is found as a crowded mobile by the duplicates list
    (services/customers/duplicates.py MAX_GROUP), which never pairs them."""
    return len(set(mobile[3:])) == 1 or mobile in _EXAMPLE_MOBILES


# A number kept among a customer's other phones (as imports and the customer page store them,
# services/customers/contact_details.py) that a caller can dial, besides a mainland mobile: a
# landline with its area code (022-72587682, or 022-72587682-123 with an extension) that
# libphonenumber calls one (LANDLINE_FORM, landline_digits), a 400 / 800 service number, or
# a local number of 7–8 digits (dialled without an area code in the dealer's own city). A
# part kept as typed because it is no number has the same form only when its digits are
# wrong for its area code (020-8123456: Guangzhou's numbers have 8). The same texts are
# PostgreSQL patterns (services/lists/routing.py).
LANDLINE_FORM = r"0([1-9][0-9]{1,2})-([0-9]{7,8})(-[0-9]{1,6})?"
OTHER_DIALABLE = r"[48]00[0-9]{7}|[2-9][0-9]{6,7}"
_LANDLINE_FORM = re.compile(LANDLINE_FORM)
_OTHER_DIALABLE = re.compile(OTHER_DIALABLE)
# Characters a stored part may carry around its number (spaces of every width), taken off
# the same way by PostgreSQL's btrim.
PHONE_SPACES = " \t\n\r\u3000\xa0"

@lru_cache(maxsize=1)
def landline_digits() -> str:
    """libphonenumber's pattern of a mainland fixed-line number's national digits (its area
    code without the 0, then its subscriber number): 2081234567 fits, 208123456 does not."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert meta is not None and meta.fixed_line is not None
    return meta.fixed_line.national_number_pattern or ""


def _dialable(number: str) -> bool:
    landline = _LANDLINE_FORM.fullmatch(number)
    if landline is not None:
        return re.fullmatch(landline_digits(), landline[1] + landline[2]) is not None
    if is_mobile(number):
        return not _placeholder(number)
    return _OTHER_DIALABLE.fullmatch(number) is not None


def _stored_parts(other_phones: str | None) -> Iterator[str]:
    """Each part of stored other phones, without the spaces around it (empty between two
    separators)."""
    for part in _STORED_SEPARATORS.split(other_phones or ""):
        yield part.strip(PHONE_SPACES)


def first_dialable(other_phones: str | None) -> str | None:
    """The first number of `other_phones` ("022-72587682, 13711112222") a caller can dial: a
    mainland mobile that is no placeholder, a landline libphonenumber calls valid, or another
    dialable number (OTHER_DIALABLE). Foreign numbers and parts kept as typed because they
    were no valid number are passed over."""
    return next((number for number in _stored_parts(other_phones) if _dialable(number)), None)


def first_typed(other_phones: str | None) -> str | None:
    """The first of `other_phones` as typed, whatever it is (a foreign number: +852 9123 4567)."""
    return next((number for number in _stored_parts(other_phones) if number), None)


def number_to_dial(mobile: str | None, other_phones: str | None) -> str | None:
    """The number a caller dials, as a list run prints it: the customer's mobile (bare), else
    the first of their other phones a caller can dial, else what was typed as their mobile,
    else the first of their other phones as typed (shown for staff to put right, or to dial
    abroad: a customer whose only number is in Hong Kong is still reached on it)."""
    return (mainland_mobile(mobile) or first_dialable(other_phones) or mobile
            or first_typed(other_phones))


def _landline(number: phonenumbers.PhoneNumber) -> str:
    """A mainland landline as area code - subscriber (022-72587682, 0571-88888888)."""
    national = str(number.national_number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-{national[area:]}"
    return national  # 400 / 800 service numbers have no area code


def _classify(text: str) -> tuple[str, str] | None:
    """("mobile" | "other" | "local", number) for one written number, None when it is none."""
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    elif len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        digits = "+" + digits
    if digits.startswith("+86") and len(digits) == 14:
        digits = digits[3:]
    if len(digits) == 12 and digits.startswith("01") and is_mobile(digits[1:]):
        digits = digits[1:]  # a trunk 0 dialled before an out-of-town mobile
    if is_mobile(digits):
        return ("mobile", digits)
    if len(digits) in (7, 8) and digits[0] not in "01":
        return ("local", digits)
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if number.country_code != 86:
        return ("other", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return ("other", _landline(number))


def _numbers(part: str) -> list[tuple[str, str] | None]:
    """The numbers written in one separated part; spaces split it only when the whole is not one
    number (138 0013 8000 is one, 13800138000 13900139000 two)."""
    part = part.strip()
    match = _EXTENSION.match(part)
    if match and _classify(part) is None:
        landline = _classify(match[1] + match[2].replace(" ", ""))
        if landline is not None and landline[0] == "other":
            return [("other", f"{landline[1]}-{match[3]}")]
    beside = _MOBILE_BESIDE.fullmatch(part)
    if beside and _EXTENSION.match(beside["rest"] or beside["after"]):
        pair: tuple[str, str] = ((beside["rest"], beside["mobile"]) if beside["rest"]
                                 else (beside["first"], beside["after"]))
        return [n for written in pair for n in _numbers(written)]
    found: list[tuple[str, str] | None] = []
    for candidate in _CANDIDATE.findall(part):
        whole = _classify(candidate)
        if whole is not None or " " not in candidate.strip():
            found.append(whole)
            continue
        pending = ""
        for token in candidate.split():
            pending += token
            if (one := _classify(pending)) is not None and one[0] != "local":
                found.append(one)
                pending = ""
        if pending:
            found.append(_classify(pending))
    return found or [None]


# A part of a phone cell with this many digits was meant as a number (a mobile a digit short
# or long, a landline mistyped); fewer ("无", "见备注", "1") is not kept.
KEPT_DIGITS = 7
_NOT_DIGIT = re.compile(r"\D")


def digits_of_number(raw: Cell) -> tuple[str | None, bool]:
    """The digits of a number cell (13800138000.0, "1.3800138E+10") and whether some were lost
    (Excel shows 11-digit numbers as 1.38001E+10 and CSV keeps only what was shown)."""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    else:
        try:
            value = Decimal(nfkc(str(raw)).strip().lower())
        except InvalidOperation:
            return None, False
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        return None, False
    if value.adjusted() > 30:  # "1e5000": no phone number, and too long to write out
        return None, False
    digits = str(int(value))
    shown = re.sub(r"\D", "", str(raw).lower().split("e")[0]).lstrip("0")
    # Excel's General format shows at most 6 significant digits in scientific notation
    # (1.38001E+10); a longer mantissa was written by a program that kept every digit.
    lost = isinstance(raw, str) and len(shown) < len(digits) and len(shown) <= 6
    return digits, lost


def normalise_phones(raw: Cell, *, mobile_column: bool = True,
                     keep_invalid: bool = False) -> Clean[Phones]:
    """Every number in a phone cell: +86 / 0086 / 86 prefixes, spaces, dashes and brackets,
    numbers stored as numbers (13800138000.0) and in scientific notation. In the mobile column
    a landline is kept as another phone with a warning, never as the mobile. With
    `keep_invalid` (a customer's phones, which have other phones to keep them in) a part that
    is no valid number but has a phone's digits (1380013800, a digit short) is kept as typed
    among the other phones, for staff to correct, with a warning."""
    if is_blank(raw) or cell_text(raw).strip() in _PHONE_PLACEHOLDERS:
        return EMPTY
    text = nfkc(cell_text(raw)).strip()
    restored = isinstance(raw, str) and bool(_SCIENTIFIC.fullmatch(text.lower()))
    if not isinstance(raw, str) or restored:
        digits, lost = digits_of_number(raw)
        if lost:
            return refused("phone_digits_lost")
        restored = restored and digits is not None
        text = digits or text
    invalid = "mobile_invalid" if mobile_column else "phone_invalid"
    parts = [(part, _numbers(part)) for part in _SEPARATORS.split(text) if part.strip()]
    kept = [part.strip() for part, numbers in parts if keep_invalid and None in numbers
            and len(_NOT_DIGIT.sub("", part)) >= KEPT_DIGITS]
    found = [n for part, numbers in parts if part.strip() not in kept for n in numbers]
    good = [n for n in found if n is not None]
    mobiles = [n for kind, n in good if kind == "mobile" and not _placeholder(n)]
    others = [n for kind, n in good if kind != "mobile"]
    placeholders = [n for kind, n in good if kind == "mobile" and _placeholder(n)]
    # Every digit was in the mantissa (1.3812345678E+10): said, for staff to check.
    problems: list[Problem] = [Problem("phone_from_scientific", "warning")] if restored else []
    mistyped = bool(kept)
    if placeholders and keep_invalid and (mobiles or others or kept):
        # Beside other numbers it is kept as typed (never the mobile, which would tie every
        # customer typed with it together): nothing written in the cell is lost.
        kept += placeholders
        problems.append(Problem("mobile_placeholder_kept", "warning"))
    elif placeholders:
        problems.append(Problem("mobile_placeholder", "warning" if mobiles or others else "error"))
    if any(kind == "local" for kind, _ in good):
        problems.append(Problem("landline_no_area_code", "warning"))
    if None in found:
        problems.append(Problem(invalid, "warning" if mobiles or others or kept else "error"))
    if mistyped:
        problems.append(Problem(f"{invalid}_kept", "warning"))
    if not mobiles and not others and not kept:
        return Clean(None, tuple(problems) or refused(invalid).problems)
    if mobile_column and not mobiles and others:
        problems.append(Problem("mobile_is_landline", "warning"))
    if mobile_column:
        phones = Phones(mobiles[0] if mobiles else None, tuple(mobiles[1:] + others),
                        tuple(kept))
    else:
        phones = Phones(None, tuple(mobiles + others), tuple(kept))
    return Clean(phones, tuple(problems))


def normalise_mobile(raw: Cell) -> Clean[str]:
    """Only the mobile of a phone cell (links rows to customers); landlines give None."""
    result = normalise_phones(raw)
    return Clean(result.value.mobile if result.value else None, result.problems)
