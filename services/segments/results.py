"""The plain, frozen results the segment service hands to the UI and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.segments import spec


@dataclass(frozen=True)
class SegmentInfo:
    id: int
    name: str
    description: str | None
    purpose: str | None
    template: str | None
    schema_version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class Segment:
    info: SegmentInfo
    filter: spec.Filter

    @property
    def filter_json(self) -> str:
        return spec.to_json(self.filter)


@dataclass(frozen=True)
class SegmentCount:
    as_of: dt.date
    customers: int
    vehicles: int | None  # None when the filter has no per-vehicle condition


@dataclass(frozen=True)
class Member:
    customer_id: int
    vehicle_id: int | None
    code: str
    name: str
    mobile: str | None
    plate: str | None
    model: str | None


@dataclass(frozen=True)
class MemberPage:
    as_of: dt.date
    total: int  # member rows (customer, vehicle) in the whole segment
    offset: int
    rows: tuple[Member, ...]


@dataclass(frozen=True)
class MatrixCell:
    years_band: str  # "5-6" | "6-7" | "7+"
    satisfaction_band: str  # "low" | "middle" | "high" | "none"
    label_zh: str
    label_en: str
    vehicles: int
    customers: int
    filter: dict[str, Any]


@dataclass(frozen=True)
class MatrixResult:
    as_of: dt.date
    km_floor: float | None
    cells: tuple[MatrixCell, ...]  # always 12, years band major

    def cell(self, years_band: str, satisfaction_band: str) -> MatrixCell:
        return next(c for c in self.cells
                    if (c.years_band, c.satisfaction_band) == (years_band, satisfaction_band))


@dataclass(frozen=True)
class RfmClassCount:
    key: str
    name_zh: str
    name_en: str
    r_up: bool
    f_up: bool
    m_up: bool
    customers: int
    filter: dict[str, Any]


@dataclass(frozen=True)
class RfmResult:
    as_of: dt.date
    window_start: dt.date  # first day of the window (inclusive)
    months: int
    mode: str
    r_days: float | None  # thresholds in force (means or quantiles as computed, or fixed)
    f: float | None
    m: float | None  # yuan
    customers_with_class: int
    classes: tuple[RfmClassCount, ...]  # always 8, in catalog.RFM_CLASSES order


@dataclass(frozen=True)
class GroupCount:
    key: str
    label_zh: str
    label_en: str
    count: int
    filter: dict[str, Any]
    # What `count` counts: "customers", or "vehicles" for a car's date falling due (a customer
    # with two cars due counts twice).
    unit: str = "customers"
