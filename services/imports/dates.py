"""Dates and times as people type them into spreadsheets, and Excel's serial day numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.imports.normalise import EMPTY, Cell, Clean, is_blank, kept, nfkc, refused

# Excel's 1900 date system counts 1900-02-29, a day that never was, so from day 61 on (1900-03-01)
# day N is 1899-12-30 + N. Earlier serials land in 1899 or 1900, refused as implausible (any
# serial outside MIN_YEAR..MAX_YEAR is: a stray 1 or 0.5 in a date column is not a date).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MAX_SERIAL = 2_958_465  # 9999-12-31
# 1900-01-01 is what several DMS write for "no date"; nobody alive was born in 1900.
MIN_YEAR, MAX_YEAR = 1901, 2099
# The other "no date": a time of 0 seconds since 1970 written out as a date, 1970-01-01
# (08:00:00 on a computer set to China's time). No visit, purchase or contact a dealer keeps is
# from that day; a birthday could be, and is then left for staff to type in (the row says so).
EPOCH_DAY = dt.date(1970, 1, 1)
# MySQL's "zero date", which DMSs built on it export for a date never filled in (0000-00-00,
# with or without its 00:00:00): an empty cell, not a date typed wrong. Said as a problem, it
# filled the problems file with one line per customer without that date.
_ZERO_DATE = re.compile(r"0{4}(?P<sep>[-/.])00(?P=sep)00(?:[ T]00:00(?::00(?:\.0+)?)?)?")

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
# A year of two digits, as old registers and ID-style forms write a birthday (85-3-15,
# 85年3月15日): only above 31, which no day or month is, and so of the 1900s (32 is 1932;
# 2032 is yet to come).
_YY_MD = re.compile(r"(3[2-9]|[4-9]\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_DMY = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})")
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
# A day without its year, as follow-up notes and call logs write it: 12月5日, 12-5, 12/5 10:30
# (month first, as China writes dates; day first in a column whose full dates are).
_MD = re.compile(r"(\d{1,2})\s*([-/月])\s*(\d{1,2})\s*[日号]?")
# What a year-less day is taken as (YearLess): the first such day on or after the given one
# ("next": a follow-up, a renewal) or the last on or before it ("last": a call, a visit).
YearLess = tuple[str, dt.date]
# A follow-up or renewal day written without its year may be this many days past (a follow-up
# missed, an insurance lapsed): 10月1日 in a file imported on 30 November is that October's,
# not next year's. Said in the warning date_year_next (services/imports/normalise.py).
YEARLESS_OVERDUE_DAYS = 90
# A month by its English name, as English-language systems and Excel's d-mmm-yy write dates:
# 15-Mar-23, 15MAR2023, Mar 15, 2023, 15 March 2023, March 15th 2023 (a day and a year after
# the month's name are apart, or they would read as one number).
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_MONTH_NAME = re.compile(rf"(\d{{1,2}})[\s\-/.]*{_MONTH}[\s\-/.,]*(\d{{4}}|\d{{2}})\b")
_MONTH_NAME_DAY = re.compile(
    rf"{_MONTH}[\s\-/.]*(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.,]+(\d{{4}}|\d{{2}})\b")
# A two-digit year as Excel reads one: 00-29 are 2000-2029, 30-99 are 1930-1999.
EXCEL_CENTURY_TURN = 30
_TIME = re.compile(
    r"[t\s]*(上午|早上|中午|下午|晚上|am|pm)?\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?"
    r"(?:\s*[:：]?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*(am|pm)?\s*(z|[+-]\d{2}:?\d{2})?"
)
_AFTERNOON = ("下午", "晚上", "pm")
_MORNING = ("上午", "早上", "am")
# The day of the week some systems print beside a date (2019/03/15 星期五, 2019-03-15(周五),
# 2019-03-15(五) as Excel's Chinese format aaa writes it): the date says it already.
_WEEKDAY = re.compile(r"[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?"
                      r"|[(（][一二三四五六日天][)）]")
_DIGITS = re.compile(r"(\d+)(?:\.(\d+))?")
# A compact date and time apart (20261103 101522, 20261103 1015), as some exports write them.
_COMPACT_TIMED = re.compile(r"(\d{8})\s+(\d{6}|\d{4})")


@dataclass(frozen=True)
class MonthDay:
    """A birthday written without its year (3月15日): its month and day are all that is kept
    (customer.birthday_md), enough for the greeting; the age stays unknown."""

    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


def month_day(raw: Cell) -> MonthDay | None:
    """The month and day of a birthday written without a year (3月15日, 03-15, 3/15; 15/3 can
    only be day first; 0315 or 315 as four or three digits), else None. 29 February is one.
    Four digits are no Excel serial here: those are days of 1901-1927, birthdays of people
    over 99."""
    numbers = _month_and_day(raw)
    if numbers is None:
        return None
    try:
        dt.date(2000, *numbers)  # a leap year: 29 February is a birthday
    except ValueError:
        return None
    return MonthDay(*numbers)


def is_month_day(raw: Cell) -> bool:
    """Whether a cell is written as a month and day alone, whether or not that day is (2月30日
    is so written)."""
    return _month_and_day(raw) is not None


def _month_and_day(raw: Cell) -> tuple[int, int] | None:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"{raw:04d}" if 100 <= raw <= 9999 else ""
    if not isinstance(raw, str):
        return None
    text = _WEEKDAY.sub(" ", nfkc(raw)).strip().lower()
    if _DIGITS.fullmatch(text) and len(text) in (3, 4) \
            and not MIN_YEAR <= int(text) <= MAX_YEAR:  # 1985 is a year, not a 19th month
        return int(text[:-2]), int(text[-2:])
    if (match := _MD.fullmatch(text)) is not None:
        first, separator, second = int(match[1]), match[2], int(match[3])
        day_first = separator != "月" and first > 12 >= second
        return (second, first) if day_first else (first, second)
    return None


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def excel_serial(serial: float | Decimal) -> dt.datetime:
    """The datetime of an Excel serial day number (fraction = time of day, to the second)."""
    if not 0 < serial <= MAX_SERIAL:
        raise _Refused("date_out_of_range")
    seconds = round(float(serial) * 86_400)
    value = EXCEL_EPOCH + dt.timedelta(seconds=seconds)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _Refused("date_out_of_range")
    return value


def _build(year: int, month: int, day: int, clock: tuple[int, int, int] = (0, 0, 0)) -> dt.datetime:
    try:
        value = dt.datetime(year, month, day, *clock)
    except ValueError:
        raise _Refused("date_impossible") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Refused("date_out_of_range")
    return value


def _clock(rest: str) -> tuple[tuple[int, int, int], dt.tzinfo | None]:
    """Hours, minutes, seconds from what follows the date ('' is midnight), and the time zone
    it names (ISO's Z or +08:00), if any."""
    if not rest.strip():
        return (0, 0, 0), None
    match = _TIME.fullmatch(rest)
    if not match:
        raise _Refused("date_invalid")
    before, hours, minutes, seconds, after, zone = match.groups()
    hour = int(hours)
    if (before in _AFTERNOON or after == "pm") and hour < 12:
        hour += 12
    elif (before in _MORNING or after == "am") and hour == 12:  # 上午12:20, 12:20 AM
        hour = 0
    clock = (hour, int(minutes or 0), int(seconds or 0))
    if clock[0] > 23 or clock[1] > 59 or clock[2] > 59:
        raise _Refused("date_impossible")
    if zone is None:
        return clock, None
    if zone == "z":
        return clock, dt.UTC
    sign = -1 if zone[0] == "-" else 1
    hours_off, minutes_off = int(zone[1:3]), int(zone[-2:])
    if hours_off > 14 or minutes_off > 59:  # the zones in use run from -12:00 to +14:00
        raise _Refused("date_impossible")
    return clock, dt.timezone(sign * dt.timedelta(hours=hours_off, minutes=minutes_off))


def _dated(year: int, month: int, day: int, rest: str) -> dt.datetime:
    """The date with the time that follows it. A time with its zone (2024-03-05T02:22:00Z)
    becomes this computer's clock time, as every time Revisit records is (a call is saved at
    the time on the caller's clock); without a zone it is taken as it is written."""
    clock, zone = _clock(rest)
    value = _build(year, month, day, clock)
    if zone is None:
        return value
    return value.replace(tzinfo=zone).astimezone().replace(tzinfo=None)


def _from_digits(text: str) -> tuple[dt.datetime, tuple[str, ...]]:
    """20190305, 20190305143000, 201903 (a month: the 1st, with a warning), or an Excel serial
    such as 43529 or 43529.5 typed as text."""
    match = _DIGITS.fullmatch(text)
    if match is None:  # a negative number
        raise _Refused("date_invalid")
    whole, fraction = match.groups()
    if fraction is None and len(whole) in (8, 12, 14):
        parts = [whole[0:4], whole[4:6], whole[6:8], whole[8:10], whole[10:12], whole[12:14]]
        numbers = [int(p) if p else 0 for p in parts]
        return _build(numbers[0], numbers[1], numbers[2],
                      (numbers[3], numbers[4], numbers[5])), ()
    if (fraction is None and len(whole) == 6 and MIN_YEAR <= int(whole[:4]) <= MAX_YEAR
            and 1 <= int(whole[4:]) <= 12):
        # A year and month: as a serial, 201903 would be a day in 2452.
        return _build(int(whole[:4]), int(whole[4:]), 1), ("date_day_missing",)
    if fraction is None and len(whole) == 4 and MIN_YEAR <= int(whole) <= MAX_YEAR:
        raise _Refused("date_invalid")  # a year alone, not the serial of a day in 1905
    if len(whole) > 7:
        raise _Refused("date_invalid")
    return excel_serial(Decimal(text)), ()


def _day_month(text: str) -> re.Match[str] | None:
    """The match of a date written with its year last (13/05/2023, 5-6-2023), else None."""
    if _DIGITS.fullmatch(text) or _YMD.match(text):
        return None
    return _DMY.match(text)


def day_month_order(raw: Cell) -> str | None:
    """What a cell tells about the order of day and month in its column: "dmy" when it can
    only be day first (13/05/2023), "mdy" when only month first (05/13/2023), "either" when
    both are numbers up to 12 and differ (06/05/2023), None when it tells nothing."""
    if not isinstance(raw, str):
        return None
    match = _day_month(nfkc(raw).strip().lower())
    if match is None:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return "either" if first != second and first <= 12 and second <= 12 else None


def _year_of(month: int, day: int, yearless: YearLess) -> int:
    """The year that makes month and day the day `yearless` asks for. A 29 February is
    looked for in the years around (one comes every four to eight)."""
    direction, around = yearless
    step = 1 if direction == "next" else -1
    for year in range(around.year, around.year + 9 * step, step):
        try:
            day_then = dt.date(year, month, day)
        except ValueError:
            continue
        if (day_then >= around) if direction == "next" else (day_then <= around):
            return year
    raise _Refused("date_impossible")


def _without_year(match: re.Match[str], rest: str, order: str | None,
                  yearless: YearLess | None) -> tuple[dt.datetime, tuple[str, ...]]:
    """12月5日 is month first; 13/5 can only be day first; 6/5 is month first unless its
    column's full dates are day first (`order`)."""
    first, separator, second = int(match[1]), match[2], int(match[3])
    day_first = separator != "月" and (first > 12 >= second or
                                       (order == "dmy" and second <= 12))
    month, day = (second, first) if day_first else (first, second)
    if yearless is None:
        raise _Refused("date_year_missing")
    value = _dated(_year_of(month, day, yearless), month, day, rest)
    return value, ("date_year_next" if yearless[0] == "next" else "date_year_last",)


def _from_text(raw: str, order: str | None,
               yearless: YearLess | None = None) -> tuple[dt.datetime, tuple[str, ...]]:
    text = _WEEKDAY.sub(" ", nfkc(raw)).strip().lower()
    if _DIGITS.fullmatch(text):
        return _from_digits(text)
    if compact := _COMPACT_TIMED.fullmatch(text):
        return _from_digits(compact[1] + compact[2])
    if match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _dated(year, month, day, text[match.end():]), ()
    if match := _YY_MD.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _dated(1900 + year, month, day, text[match.end():]), ()
    if match := _DMY.match(text):
        first, second, year = (int(g) for g in match.groups())
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first or first == second:
            month, day = first, second
        elif first > 12:
            raise _Refused("date_impossible")
        elif order == "dmy":
            day, month = first, second
        elif order == "mdy":
            month, day = first, second
        else:
            raise _Refused("date_ambiguous")
        return _dated(year, month, day, text[match.end():]), ()
    if named := _month_named(text):
        return named
    if match := _YM.fullmatch(text):
        return _build(int(match[1]), int(match[2]), 1), ("date_day_missing",)
    if match := _MD.match(text):
        return _without_year(match, text[match.end():], order, yearless)
    raise _Refused("date_invalid")


def _month_named(text: str) -> tuple[dt.datetime, tuple[str, ...]] | None:
    """A date whose month is named in English (`text` lower-cased), else None."""
    if match := _DAY_MONTH_NAME.match(text):
        day, name, year = match.groups()
    elif match := _MONTH_NAME_DAY.match(text):
        name, day, year = match.groups()
    else:
        return None
    number = int(year)
    if len(year) == 2:
        number += 2000 if number < EXCEL_CENTURY_TURN else 1900
    return _dated(number, _MONTH_NAMES.index(name) + 1, int(day), text[match.end():]), ()


def _parse(raw: Cell, order: str | None = None,
           yearless: YearLess | None = None) -> tuple[dt.datetime, tuple[str, ...]]:
    if isinstance(raw, dt.datetime):
        return _build(raw.year, raw.month, raw.day, (raw.hour, raw.minute, raw.second)), ()
    if isinstance(raw, dt.date):
        return _build(raw.year, raw.month, raw.day), ()
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise _Refused("date_invalid")
    if isinstance(raw, str):
        return _from_text(raw, order, yearless)
    if isinstance(raw, float) and not raw.is_integer():
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise _Refused("date_invalid")
        return excel_serial(raw), ()
    if isinstance(raw, Decimal) and raw != raw.to_integral_value():
        return excel_serial(raw), ()
    return _from_digits(str(int(raw)))


# "导出时间：2026-11-28 10:00:00  操作员：admin", "Exported 2026/11/28", "打印日期 2026年11月28日".
_EXPORTED = re.compile(r"(?:导出|生成|打印|制表|export|generated|printed)\D{0,12}?"
                       r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})", re.IGNORECASE)


def export_day(title: Sequence[str], today: dt.date) -> dt.date | None:
    """The day a file was exported, from the lines above its header, if one says it (and it is
    not after `today`)."""
    for line in title:
        if (match := _EXPORTED.search(nfkc(line))) is not None:
            day = normalise_date(match[1], latest=today).value
            if day is not None:
                return day
    return None


def normalise_datetime(raw: Cell, *, latest: dt.date | None = None,
                       order: str | None = None,
                       yearless: YearLess | None = None) -> Clean[dt.datetime]:
    """A date with its time of day (midnight when none is given); refused after `latest`.
    `order` ("dmy" or "mdy"): how to read 06/05/2023, as its column's other dates showed
    (services/imports/columns.py); without it such a date is refused as ambiguous. A day
    written without its year (12月5日) is taken as `yearless` says, with a warning, and
    refused without it."""
    if is_blank(raw) or (isinstance(raw, str) and _ZERO_DATE.fullmatch(raw.strip())):
        return EMPTY
    try:
        value, warnings = _parse(raw, order, yearless)
    except _Refused as refusal:
        return refused(refusal.code)
    if latest is not None and value.date() > latest:
        return refused("date_in_future")
    if value.date() == EPOCH_DAY:
        return refused("date_placeholder")
    return kept(value, *warnings)


def normalise_date(raw: Cell, *, latest: dt.date | None = None,
                   order: str | None = None,
                   yearless: YearLess | None = None) -> Clean[dt.date]:
    """A calendar date in any form people type: 2019-03-05, 2019/3/5, 2019.3.5, 2019年3月5日,
    20190305, with a time, 3/5/2019 when the day is over 12 or `order` says, or an Excel serial
    (also as text, "43529"); 12月5日 or 12-5 as `yearless` says. Impossible dates (2019-02-30,
    2019-13-01) and those after `latest` are refused; MySQL's zero date (0000-00-00) is
    empty."""
    result = normalise_datetime(raw, latest=latest, order=order, yearless=yearless)
    if result.value is None:
        return Clean(None, result.problems)
    return Clean(result.value.date(), result.problems)
