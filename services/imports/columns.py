"""What whole columns say before any row is imported: the scale of the score columns whose
header names none (a five-point survey exported as bare 1–5), the order of day and month
in a date column written 13/05/2023, and the one channel of a contacts file whose rows that
name one all name it (an SMS log), which its rows with none are taken to be. The dry run and
the import read the file alike, so both decide the same."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.imports.clean import IN_HEADER_UNIT, clean_value
from services.imports.dates import day_month_order
from services.imports.mapping import Mapping
from services.imports.normalise import (
    PRICE_IN_WAN_BELOW,
    WAN,
    Cell,
    bare_number,
    cell_text,
    header_factor,
    in_header_unit,
    is_blank,
)
from services.imports.reversals import says_reversal, visit_amount
from services.imports.scores import named_scale, score_kind
from services.imports.source import open_source
from services.imports.words import normalise_channel
from services.store.errors import CancelToken

CANCEL_EVERY = 1000  # rows read between looks at the cancel token
# Rows with a score it takes to call columns of scores up to 5 five-point: on the 0–10 scale
# most customers give 8 to 10, so several customers all at 5 or below is a five-point survey,
# not a run of unhappy ones. Fewer rows stay on 0–10, and the clerk is told.
FIVE_POINT_ROWS = 5


@dataclass
class ColumnScale:
    """What one score column's cells tell about its scale (add() every cell)."""

    numbers: int = 0  # bare numbers from 0 to 100: "4", 4.5, "9分"
    positive: int = 0  # of which above 0
    small: int = 0  # above 0 and up to 10 (a hundred-point column has none)
    above_5: int = 0
    above_10: int = 0
    halves: int = 0  # not whole and up to 5 (4.5: a half star)
    above_1: int = 0
    fractions: int = 0  # between 0 and 1 (0.9: 90% as Excel keeps a percentage)
    fives: int = 0  # stars, 4/5
    others: int = 0  # 8/10, 85/100, 90%

    def add(self, raw: Cell) -> bool:
        """Count the cell; True when it is a bare number (what the scale decides)."""
        kind, value = score_kind(raw)
        self.fives += kind == "of5"
        self.others += kind == "of"
        if value is None or not 0 <= value <= 100:
            return False  # refused on any scale
        self.numbers += 1
        self.positive += value > 0
        self.small += 0 < value <= 10
        self.above_5 += value > 5
        self.above_10 += value > 10
        self.halves += value <= 5 and value != value.to_integral_value()
        self.above_1 += value > 1
        self.fractions += 0 < value < 1
        return True

    @property
    def percentages(self) -> bool:
        """Fractions of 1 throughout (0 and 1 aside): percentages as Excel stores a cell
        formatted 90% (0.9), or as a program wrote them out. No survey scores 0.9 of 10."""
        return self.fractions > 0 and not self.above_1 and not self.fives

    @property
    def hundred(self) -> bool:
        """Above 10 throughout (0 aside): out of 100."""
        return self.above_10 > 0 and not self.small

    @property
    def up_to_five(self) -> bool:
        """Scores, none above 5 and none naming another scale than 5."""
        return self.positive > 0 and not self.above_5 and not self.others


@dataclass
class DateOrder:
    """What one date column's cells tell about the order of its day and month (add() every
    cell): how many can only be day first, only month first, or either, with the first of
    each that can only be one."""

    dmy: int = 0
    mdy: int = 0
    either: int = 0
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, raw: Cell) -> None:
        order = day_month_order(raw)
        if order == "either":
            self.either += 1
        elif order is not None:
            setattr(self, order, getattr(self, order) + 1)
            self.examples.setdefault(order, str(raw).strip())

    @property
    def order(self) -> str | None:
        """"dmy" or "mdy" when the column's dates that can only be read one way all read that
        way; None when none can, or they disagree (the ambiguous ones are then refused)."""
        if self.dmy and not self.mdy:
            return "dmy"
        if self.mdy and not self.dmy:
            return "mdy"
        return None


@dataclass
class Channels:
    """The channels one channel column's cells name (add() every cell), each with the first
    word that named it."""

    words: dict[str, str] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)  # words read already (a column repeats a few)

    def add(self, raw: Cell) -> None:
        word = cell_text(raw).strip()
        if word in self.read or is_blank(raw):
            return
        self.read.add(word)
        if (code := normalise_channel(raw).value) is not None:
            self.words.setdefault(code, word)

    @property
    def one(self) -> tuple[str, str] | None:
        """(code, word) of the column's one channel; None when it names none, or several."""
        return next(iter(self.words.items())) if len(self.words) == 1 else None


@dataclass(frozen=True)
class ColumnNote:
    """Something said once for a column (its field), with the rows it concerns and the value
    that decided it, if its text names one."""

    code: str
    field: str
    rows: int
    value: str | None = None


@dataclass(frozen=True)
class Columns:
    """The scale each score column is read on (column index -> 5, 10 or 100, or 1 for
    fractions of 1 that are percentages; a column left out goes by its header) and each money
    or km column in 万 (WAN: its header says so, or it holds car prices all below 1,000), the
    order of day and month of each date column whose dates tell it (column index -> "dmy" or
    "mdy"), and what the clerk is told about them."""

    scales: dict[int, int] = field(default_factory=dict)
    notes: tuple[ColumnNote, ...] = ()
    orders: dict[int, str] = field(default_factory=dict)
    # A contacts file's one channel, as (code, the file's word for it): see Channels.
    channel: tuple[str, str] | None = None
    # The work orders of a visits file's reversal rows: see ReversedOrders.
    reversed_orders: frozenset[str] = frozenset()


def _unnamed_scores(mapping: Mapping) -> dict[int, str]:
    """Column -> field key of the score columns whose header names no scale."""
    kind = mapping.file_kind
    return {column: key for key, column in mapping.columns
            if kind.field(key).cleaner == "score"
            and named_scale(mapping.headers[column] if column < len(mapping.headers)
                            else None) is None}


def decide(seen: dict[int, ColumnScale], rows: Counter[frozenset[int]],
           fields: dict[int, str]) -> Columns:
    """The scales of the columns `seen`, `rows` counting the rows by the columns that hold a
    bare number in them. A survey asks all its questions on one scale, so the columns with
    no score above 5 are judged together: five-point when FIVE_POINT_ROWS rows have a score
    in them, or one of them holds a half (4.5), stars or a 4/5. A column mixing scores up to
    5 and above stays on 0–10; one above 10 throughout is out of 100; one of fractions of 1
    (0.9, 0.85) holds percentages."""
    low = frozenset(c for c, s in seen.items() if s.up_to_five and not s.percentages)
    in_rows = sum(n for holding, n in rows.items() if holding & low)
    five = in_rows >= FIVE_POINT_ROWS or any(seen[c].halves or seen[c].fives for c in low)
    scales: dict[int, int] = {}
    notes: list[ColumnNote] = []
    for column, scale in seen.items():
        if scale.percentages:
            scales[column] = 1
            notes.append(ColumnNote("score_read_as_percent", fields[column], scale.numbers))
        elif scale.hundred:
            scales[column] = 100
            notes.append(ColumnNote("score_read_on_100", fields[column], scale.numbers))
        elif column in low:
            scales[column] = 5 if five else 10
            notes.append(ColumnNote("score_read_on_5" if five else "score_scale_unsure",
                                    fields[column], scale.numbers))
        else:
            scales[column] = 10
    return Columns(scales, tuple(notes))


def _date_columns(mapping: Mapping) -> dict[int, str]:
    """Column -> field key of the date columns."""
    kind = mapping.file_kind
    return {column: key for key, column in mapping.columns
            if kind.field(key).cleaner in ("date", "datetime")}


def decide_orders(seen: dict[int, DateOrder], fields: dict[int, str]
                  ) -> tuple[dict[int, str], tuple[ColumnNote, ...]]:
    """The order of day and month of the columns `seen` whose unambiguous dates agree and
    that hold dates it decides, each said once with a date that showed it."""
    orders: dict[int, str] = {}
    notes: list[ColumnNote] = []
    for column, dates in seen.items():
        order = dates.order
        if order is not None and dates.either:
            orders[column] = order
            notes.append(ColumnNote(f"date_read_{order}", fields[column], dates.either,
                                    dates.examples[order]))
    return orders, tuple(notes)


def _filled_channel(mapping: Mapping) -> int | None:
    """The channel column whose empty cells are filled in (a contacts file's), if mapped."""
    kind = mapping.file_kind
    return next((column for key, column in mapping.columns
                 if kind.field(key).cleaner == "channel" and kind.field(key).blank_filled), None)


def _gender_column(mapping: Mapping) -> int | None:
    kind = mapping.file_kind
    return next((column for key, column in mapping.columns
                 if kind.field(key).cleaner == "gender"), None)


class GenderCodes:
    """What a gender column's number codes are: 1 is male and 2 female by the national code
    (GB/T 2261.1), and 0 not known; a column of 0s and 1s alone may be another system's 0 for
    female, which only the people who made the file know."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def add(self, cell: Cell) -> None:
        text = cell_text(cell).strip()
        if text in ("0", "1", "2", "0.0", "1.0", "2.0"):
            self.seen[text[0]] += 1

    def zeros_for_female(self) -> int:
        """The 0s of a column of 0s and 1s (0 when it is not one)."""
        return self.seen["0"] if self.seen["1"] and not self.seen["2"] else 0


def _wan_columns(mapping: Mapping) -> tuple[dict[int, str], dict[int, str]]:
    """Column -> field key of the money and km columns whose header names 万 as their unit,
    and of the car price columns whose header names none."""
    kind = mapping.file_kind
    named: dict[int, str] = {}
    prices: dict[int, str] = {}
    for key, column in mapping.columns:
        cleaner = kind.field(key).cleaner
        if cleaner not in IN_HEADER_UNIT:
            continue
        header = mapping.headers[column] if column < len(mapping.headers) else None
        if header_factor(header) > 1:
            named[column] = key
        elif cleaner == "price":
            prices[column] = key
    return named, prices


@dataclass
class PriceUnit:
    """A car price column's bare numbers, below PRICE_IN_WAN_BELOW and not: all below, the
    column is in 万."""

    below: int = 0
    above: int = 0

    def add(self, raw: Cell) -> None:
        value = bare_number(raw)
        if value is None or value <= 0:
            return
        if value < PRICE_IN_WAN_BELOW:
            self.below += 1
        else:
            self.above += 1


# A visits row's money columns, in the order reversals.visit_amount takes them.
VISIT_MONEY = ("amount", "labor_amount", "parts_amount")


class ReversedOrders:
    """The work orders of a visits file's reversal rows (冲红), read before any row is
    imported. A row of a work order its customer has a visit of on another day is the DMS
    settling it again after a reversal when the file reverses that work order, wherever it
    lists the reversal: before the row, after it, or in a later chunk of a long file."""

    def __init__(self, mapping: Mapping) -> None:
        kind, at = mapping.file_kind, mapping.as_dict()
        self.order = (kind.field("work_order"), at["work_order"])
        self.money = {key: (kind.field(key), at[key]) for key in VISIT_MONEY if key in at}
        # The type as typed, whether or not it is a type Revisit has: a superset of what a
        # row's own reading says (only a type it has not), so no reversal of the file is missed.
        self.type_column = at.get("visit_type")
        self.found: set[str] = set()
        # Neither a work order nor an amount depends on the day (only dates do).
        self.today = dt.date.today()

    @classmethod
    def of(cls, mapping: Mapping) -> ReversedOrders | None:
        """One for a visits file with a work order column, else None."""
        if mapping.kind != "visits" or mapping.column("work_order") is None:
            return None
        return cls(mapping)

    def add(self, cells: Sequence[Cell]) -> None:
        amount = visit_amount(*(self._money(cells, key) for key in VISIT_MONEY))
        typed = self.type_column
        kind = cell_text(cells[typed]) if typed is not None and typed < len(cells) \
            and not is_blank(cells[typed]) else None
        if not says_reversal(amount, kind):
            return  # most rows: their work order is not read here
        field, column = self.order
        order = clean_value(field, cells[column] if column < len(cells) else None,
                            self.today).value
        if order:
            self.found.add(order)

    def _money(self, cells: Sequence[Cell], key: str) -> Any:
        if key not in self.money:
            return None
        field, column = self.money[key]
        return clean_value(field, cells[column], self.today).value if column < len(cells) \
            else None


def read_columns(path: Path, sheet: str | None, header_row: int | None, mapping: Mapping,
                 cancel: CancelToken | None = None) -> Columns:
    """The file's score columns (those whose header names no scale), date columns, money and
    km columns in 万, gender column and the channel column of a contacts file read through
    once, when it has any."""
    fields = _unnamed_scores(mapping)
    date_fields = _date_columns(mapping)
    channel_column = _filled_channel(mapping)
    wan, price_columns = _wan_columns(mapping)
    gender_column = _gender_column(mapping)
    reversed_orders = ReversedOrders.of(mapping)
    if not (fields or date_fields or channel_column is not None or wan or price_columns
            or gender_column is not None or reversed_orders is not None):
        return Columns()
    genders = GenderCodes()
    in_wan: Counter[int] = Counter()
    prices = {column: PriceUnit() for column in price_columns}
    seen = {column: ColumnScale() for column in fields}
    dates = {column: DateOrder() for column in date_fields}
    channels = Channels()
    rows: Counter[frozenset[int]] = Counter()
    source = open_source(path, sheet, header_row)
    try:
        for index, (_, cells) in enumerate(source.rows()):
            if cancel is not None and index % CANCEL_EVERY == 0:
                cancel.check()
            for column, order in dates.items():
                if column < len(cells) and isinstance(cells[column], str):
                    order.add(cells[column])
            if seen:
                rows[frozenset(column for column, scale in seen.items()
                               if column < len(cells) and scale.add(cells[column]))] += 1
            if channel_column is not None and channel_column < len(cells):
                channels.add(cells[channel_column])
            for column in wan:
                if column < len(cells) and in_header_unit(cells[column], WAN)[1]:
                    in_wan[column] += 1
            for column, unit in prices.items():
                if column < len(cells):
                    unit.add(cells[column])
            if gender_column is not None and gender_column < len(cells):
                genders.add(cells[gender_column])
            if reversed_orders is not None:
                reversed_orders.add(cells)
    finally:
        source.close()
    scored = decide(seen, rows, fields) if seen else Columns()
    orders, notes = decide_orders(dates, date_fields)
    said = [ColumnNote("read_in_wan", wan[column], count) for column, count in in_wan.items()]
    # Decided here once for the column, not from its header again for every cell.
    scales = {**scored.scales, **dict.fromkeys(wan, WAN)}
    for column, unit in prices.items():
        if unit.below and not unit.above:
            scales[column] = WAN
            said.append(ColumnNote("price_read_in_wan", price_columns[column], unit.below))
    if zeros := genders.zeros_for_female():
        said.append(ColumnNote("gender_zero_one", "gender", zeros))
    return Columns(scales, scored.notes + notes + tuple(said), orders, channels.one,
                   frozenset(reversed_orders.found) if reversed_orders is not None
                   else frozenset())
