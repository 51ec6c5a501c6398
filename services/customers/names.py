"""Whether two names can be one person's: what an import matches a stored customer by and what the
duplicates list reports. The same name, the same sounds (张叁 / 張三 / 张三: a pinyin input
method's slip) or a form of address with the surname (张先生 / 张三) can be; another name on the
same phone is another person sharing it (a wife, a son)."""

from __future__ import annotations

import re

from services.customers.pinyin import name_keys

# A name that is only a surname (one or two characters) and a form of address, what a hand-kept
# sheet writes when the full name is not known: 张先生, 欧阳女士, 王总. The title's gender, if any.
_ADDRESSED = re.compile(r"(\S{1,2}?)(先生|女士|小姐|太太|夫人|总|老板|师傅|经理)")
_TITLE_GENDER = {"先生": "M", "女士": "F", "小姐": "F", "太太": "F", "夫人": "F"}


def addressed(name: str) -> tuple[str, str | None] | None:
    """(surname, gender) of a name that is a form of address, None for a full name."""
    match = _ADDRESSED.fullmatch(name.strip())
    return None if match is None else (match[1], _TITLE_GENDER.get(match[2]))


def same_person(name: str | None, stored: str | None, gender: str | None = None) -> bool:
    """Whether `name` can be the name of the customer stored as `stored`, of gender `gender`:
    the same name, the same sounds, or a form of address with their surname and not the other
    gender (张先生 is not 张丽, a woman). A missing name says nothing against it."""
    if not name or not stored or name.strip() == stored.strip():
        return True
    if name_keys(name).pinyin == name_keys(stored).pinyin:
        return True
    given, kept = addressed(name), addressed(stored)
    if given is not None and kept is None:
        surname, title_gender = given
        return stored.strip().startswith(surname) and not (
            title_gender and gender and title_gender != gender)
    if kept is not None and given is None:
        return name.strip().startswith(kept[0])
    return False
