"""A customer's birthday as Revisit keeps it: the whole date when it is known
(customer.birthday), and always its month and day as "MMDD" (customer.birthday_md), which the
birthday segments and greetings read. A birthday known without its year has the month and day
alone."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class _MonthAndDay(Protocol):
    @property
    def month(self) -> int: ...

    @property
    def day(self) -> int: ...


def month_day_key(day: _MonthAndDay) -> str:
    """A birthday's month and day as customer.birthday_md keeps them: "0315"."""
    return f"{day.month:02d}{day.day:02d}"


def age(born: dt.date, as_of: dt.date) -> int:
    """Whole years of age on `as_of`."""
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def age_on(birthday: dt.date | None, as_of: dt.date) -> int | None:
    """Whole years of age on `as_of` (None without a birthday)."""
    return None if birthday is None else age(birthday, as_of)
