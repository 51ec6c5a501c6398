"""Amounts written in Chinese numerals, as invoices and receipts write them beside the figures
(大写金额): 壹万贰仟叁佰肆拾伍元陆角柒分, 人民币壹佰元整, 拾伍元, and in everyday numerals
(一百二十元). A DMS export of invoices often has such a column (价税合计（大写）), and an
export holding only that one still gives each bill's amount.

The rules are the ones for writing amounts on bills: digits 零壹贰叁肆伍陆柒捌玖, place units 拾
佰仟 within a group of four, 万 and 亿 closing a group, 元 (or 圆) before 角 and 分, 整 (or 正)
after a whole amount. A leading 拾 is ten (拾伍元 is 15); a 零 marks skipped places
(壹仟零伍元 is 1,005). Anything else, a unit repeated or out of order (壹佰贰佰, 壹拾佰), two
digits in a row, is not an amount: the cell is refused as unreadable rather than read as
another number."""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = {c: d for d, chars in enumerate((
    "零〇", "壹一", "贰貳二两兩", "叁參三", "肆四", "伍五", "陆陸六", "柒七", "捌八", "玖九",
)) for c in chars}
_PLACES = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "阡": 1000, "千": 1000}
_GROUPS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_NUMERALS = frozenset(_DIGITS) | frozenset(_PLACES) | frozenset(_GROUPS)
# What may stand around the numerals: the currency's name or sign in front, the end mark.
_AROUND = re.compile(r"^(?:人民币|rmb|cny|[¥￥])?|[整正]$", re.IGNORECASE)
_YUAN = re.compile(r"[元圆]")
# 角 and 分 after 元: 伍角, 零伍分, 伍角陆分 (a 零 may stand for the missing 角).
_FRACTION = re.compile(r"零?(?:(?P<jiao>[^角分零])角)?零?(?:(?P<fen>[^角分零])分)?")


def looks_capital(text: str) -> bool:
    """Whether `text` is written in Chinese numerals rather than figures: no ASCII digit, and
    a numeral that is not only a multiplier after figures (15.8万 is figures)."""
    return not any(c.isdigit() and c.isascii() for c in text) and any(
        c in _DIGITS or c in _PLACES for c in text)


def capital_amount(text: str) -> Decimal | None:
    """The amount `text` writes in Chinese numerals (壹佰元整 -> 100, 叁角伍分 -> 0.35), negative
    after 负; None when it is not an amount written so."""
    text = "".join(text.split())
    negative = text.startswith("负")
    text = _AROUND.sub("", text[1:] if negative else text)
    if not text:
        return None
    if (yuan := _YUAN.search(text)) is not None:
        whole, fraction = text[:yuan.start()], text[yuan.end():]
    elif "角" in text or "分" in text:  # 叁角伍分: less than a yuan
        whole, fraction = "", text
    else:
        whole, fraction = text, ""
    value = _whole(whole) if whole else 0
    cents = _cents(fraction)
    if value is None or cents is None or (not whole and not fraction):
        return None
    amount = Decimal(value) + Decimal(cents) / 100
    return -amount if negative else amount


def _whole(text: str) -> int | None:
    """壹万零伍拾 -> 10050; None for anything but a number written by the rules above."""
    total, group, digit = 0, 0, None
    last_place, last_group = 10_000, 10**12
    for c in text:
        if c not in _NUMERALS:
            return None
        if c in _DIGITS:
            if digit:
                return None  # 壹贰, 二〇: two digits with no place between
            digit = _DIGITS[c]
        elif c in _PLACES:
            place = _PLACES[c]
            if place >= last_place or digit == 0:
                return None
            group += (1 if digit is None else digit) * place
            last_place, digit = place, None
        else:
            size = _GROUPS[c]
            if size >= last_group or (group == 0 and not digit):
                return None
            total += (group + (digit or 0)) * size
            last_group, last_place, group, digit = size, 10_000, 0, None
    if total and group + (digit or 0) >= last_group:
        return None
    return total + group + (digit or 0)


def _cents(text: str) -> int | None:
    """伍角陆分 -> 56, 零伍分 -> 5, "" -> 0; None for anything else."""
    if not text:
        return 0
    found = _FRACTION.fullmatch(text)
    if found is None:
        return None
    jiao, fen = found["jiao"], found["fen"]
    if (jiao is not None and jiao not in _DIGITS) or (fen is not None and fen not in _DIGITS):
        return None
    return 10 * _DIGITS.get(jiao or "零", 0) + _DIGITS.get(fen or "零", 0)
