"""Pinyin keys for Chinese names: full pinyin and initials for search, a key for sorting.

pypinyin is imported by the first name converted, not with this module: its dictionaries take
0.12 s to load, and the window's start imports this module (through the tag services) without
converting any name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from models.columns import NAME_INITIALS_LENGTH, NAME_PINYIN_LENGTH, NAME_SORT_LENGTH

# Characters read differently as surnames than in ordinary text (姓氏读音).
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "区": "ou",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "尉": "yu",
    "覃": "qin",
    "召": "shao",
    "员": "yun",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "长孙": "zhang sun",
    "尉迟": "yu chi",
}
_SURNAMES_LONGEST_FIRST = sorted(SURNAME_READINGS.items(), key=lambda kv: -len(kv[0]))


@dataclass(frozen=True)
class NameKeys:
    pinyin: str  # "zhangwei": what a user types in full
    initials: str  # "zw"
    sort: str  # "zhang wei": syllable by syllable, so 张伟 sorts before 章伟 by pinyin then by name


@lru_cache(maxsize=20000)
def _syllable(char: str) -> str:
    if not ("\u3400" <= char <= "\u9fff"):
        return char.lower()
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL, errors="ignore")[0] if char else ""


def _syllables(name: str) -> list[str]:
    name = "".join(name.split())
    for surname, reading in _SURNAMES_LONGEST_FIRST:
        if name.startswith(surname):
            return reading.split() + [_syllable(c) for c in name[len(surname) :]]
    return [_syllable(c) for c in name]


def name_keys(name: str) -> NameKeys:
    parts = [p for p in _syllables(name) if p.strip()]
    ascii_parts = [p for p in parts if p.isascii()]
    return NameKeys(
        pinyin="".join(ascii_parts),
        initials="".join(p[0] for p in ascii_parts if p),
        sort=" ".join(parts),
    )


def stored_keys(name: str) -> NameKeys:
    """The keys as the customer's columns store them: each cut to its column. A company's name
    (深圳市南山区某某电子信息科技有限公司: 18 initials) can have more than a column holds; cut,
    the key still sorts the name among the others and is found by its start, and search cuts
    what is typed to the same length."""
    keys = name_keys(name)
    return NameKeys(pinyin=keys.pinyin[:NAME_PINYIN_LENGTH],
                    initials=keys.initials[:NAME_INITIALS_LENGTH],
                    sort=keys.sort[:NAME_SORT_LENGTH])
