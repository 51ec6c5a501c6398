"""A whole address in one cell (广东省广州市天河区体育西路100号) split into province, city, district
and street, and a row's address weighed against the stored one before it replaces it.

The divisions are recognised by cpca-new (China's provinces, cities and districts with their
short forms, matched with Aho-Corasick); what it found is then taken off the front of the text
here, so that only names written at the start, in order, leave the street and nothing typed is
lost: text cpca cannot place stays in the street."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.customers.places import SUFFIX as _SUFFIX
from services.customers.places import district_place
from services.customers.places import forms as _forms
from services.imports.context import same
from services.imports.results import Issue

ADDRESS = ("province", "city", "district", "street")
# The cell as typed, when it was split: a stored street holding that same text is the same
# address (imported whole before addresses were split), not another one.
ADDRESS_TYPED = "address_typed"
_BETWEEN = " \t,，、;；:：-—/"


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


Home = tuple[str, str]  # the dealer's own (province, city)


def split_one(text: str, found: dict[str, Any],
              home: Home | None = None) -> tuple[str | None, ...] | None:
    """(province, city, district, street) of `text` from cpca's reading `found` (names and
    positions), or None when the text does not start with a province, city or district it
    recognised. A district written first (天河区体育西路1号, as a local dealer's customers
    write it) is placed by district_place: the one city with that district, else the dealer's
    own city `home` when it has one (朝阳区 is in Beijing and in Changchun), else not split."""
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
    if not parts:
        return None
    street = text[at:].lstrip(_BETWEEN).strip() or None
    if parts[0][0] == 2:
        assert district is not None  # taken, so found
        # Two-character names (东区, 城区, 郊区, 矿区, 沛县) are also the words for part of a
        # housing estate or town (东区3栋): not taken for a district without its city.
        place = district_place(district, home) if len(district) > 2 else None
        return None if place is None else (*place, district, street)
    # 北京路12号, 中山路1号: a short name alone before more text is a street named after it.
    if len(parts) == 1 and not parts[0][1] and street is not None:
        return None
    levels = {level for level, _ in parts}
    return (province,
            city if 1 in levels or 2 in levels or municipality else None,
            district if 2 in levels else None,
            street)


def split_addresses(rows: Sequence[dict[str, Any]], home: Home | None = None) -> None:
    """Rows whose address is one cell (no province, city or district given) get it split, in
    place; a row that gives any of them keeps its address as the file divides it. `home`: the
    dealer's own (province, city), which places a district its customers write alone."""
    todo = [v for v in rows if isinstance(v.get("street"), str)
            and all(v.get(k) is None for k in ADDRESS[:3])]
    if not todo:
        return
    import cpca_new  # type: ignore[import-untyped]  # loads its table on first use (~30 ms)

    table = cpca_new.transform([v["street"] for v in todo], pos_sensitive=True)
    for v, found in zip(todo, table.to_dict("records"), strict=True):
        parts = split_one(v["street"], found, home)
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


def home_of(shop_address: str) -> Home | None:
    """The dealer's own (province, city), from the shop's address as the settings hold it
    (广东省深圳市南山区…, 深圳市南山区…); None when it does not name its city."""
    if not shop_address.strip():
        return None
    row = {"street": shop_address.strip()}
    split_addresses([row])
    province, city = row.get("province"), row.get("city")
    return (province, city) if province and city else None
