"""Numbers written with Chinese numerals or units, as people write them and as bills do: a km
said on the phone and noted as 8万6 or 八万六千, an amount in the words of an invoice
(大写金额: 壹万贰仟叁佰肆拾伍元陆角柒分, 人民币壹佰元整). A DMS export of invoices often has
such a column (价税合计（大写）), and a caller notes a km as the owner says it.

The rules are the ones for writing numbers and amounts: digits 零壹贰叁肆伍陆柒捌玖 (or 一二三…,
or figures), place units 拾佰仟 (十百千) within a group of four, 万 and 亿 closing a group,
元 (圆) before 角 and 分, 整 (正) after a whole amount. A leading 十 is ten (十五 is 15); a 零
marks skipped places (壹仟零伍 is 1,005). A lone digit after the last unit stands for the place
below it, as it is said (八万六 and 8万6 are 86,000, 三千五 is 3,500); figures after a unit
fill all the places below it (8万6000). Anything else, a unit repeated or out of order (壹佰贰佰,
壹拾佰), two numbers in a row, 8万65 (86,500 or 80,065?), is not read: the cell is refused as
unreadable rather than read as another number."""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = {c: d for d, chars in enumerate((
    "零〇", "壹一", "贰貳二两兩", "叁參三", "肆四", "伍五", "陆陸六", "柒七", "捌八", "玖九",
)) for c in chars}
_PLACES = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "阡": 1000, "千": 1000}
_GROUPS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_TOKEN = re.compile(r"[0-9]+|.")
# What may stand around an amount's numerals: the currency's name or sign in front, the end mark.
_AROUND = re.compile(r"^(?:人民币|rmb|cny|[¥￥])?|[整正]$", re.IGNORECASE)
_YUAN = re.compile(r"[元圆]")
# 角 and 分 after 元: 伍角, 零伍分, 伍角陆分 (a 零 may stand for the missing 角).
_FRACTION = re.compile(r"零?(?:(?P<jiao>[^角分零])角)?零?(?:(?P<fen>[^角分零])分)?")


def whole_number(text: str) -> int | None:
    """壹万零伍拾 -> 10050, 8万6 -> 86000, 3千500 -> 3500; None for anything but a whole number
    written by the rules above. `text` holds only the number (no unit, no spaces)."""
    if not text:
        return None
    total, group = 0, 0
    value: int | None = None  # the number waiting for its unit
    figures = 0  # how many figures it was written with (0: a numeral word)
    last_place, last_group, last_unit = 10_000, 10**12, 0
    after_zero = False
    for token in _TOKEN.findall(text):
        if token.isascii() and token.isdigit() or token in _DIGITS:
            if value:
                return None  # 壹贰, 二〇: two numbers with no unit between
            figures = len(token) if token.isascii() else 0
            number = int(token) if figures else _DIGITS[token]
            after_zero = after_zero or number == 0
            value = number
        elif token in _PLACES:
            place = _PLACES[token]
            if place >= last_place or value == 0 or (value or 0) > 9:
                return None
            group += (1 if value is None else value) * place
            last_place = last_unit = place
            value, after_zero = None, False
        elif token in _GROUPS:
            size = _GROUPS[token]
            ahead = group + (value or 0)
            if size >= last_group or ahead == 0 or ahead >= 10_000:
                return None
            total += ahead * size
            last_group = last_unit = size
            last_place, group, value, after_zero = 10_000, 0, None, False
        else:
            return None
    if value and last_unit and not after_zero:
        # The last number after a unit: one digit is the place below (八万六), figures fill
        # every place below (8万6000); any other count of figures says neither.
        if figures <= 1:
            value *= max(last_unit // 10, 1)
        elif figures != len(str(last_unit)) - 1:
            return None
    rest = group + (value or 0)
    if total and rest >= last_group:
        return None
    return total + rest


def capital_amount(text: str) -> Decimal | None:
    """The amount `text` writes in Chinese numerals (壹佰元整 -> 100, 叁角伍分 -> 0.35), negative
    after 负; None when it is not an amount written so."""
    text = "".join(text.split())
    negative = text.startswith("负")
    text = _AROUND.sub("", text[1:] if negative else text)
    if (yuan := _YUAN.search(text)) is not None:
        whole, fraction = text[:yuan.start()], text[yuan.end():]
    elif "角" in text or "分" in text:  # 叁角伍分: less than a yuan
        whole, fraction = "", text
    else:
        whole, fraction = text, ""
    if not whole and not fraction:
        return None
    value = whole_number(whole) if whole else 0
    cents = _cents(fraction)
    if value is None or cents is None:
        return None
    amount = Decimal(value) + Decimal(cents) / 100
    return -amount if negative else amount


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
