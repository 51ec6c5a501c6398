"""The car a km typed on a filled-in call list is the reading of: the car printed on its row,
unless the caller typed another plate over its 车牌 (the customer spoke of their other car).
Another of the customer's cars by that plate gets the reading, and a note says so; a plate of
none of their cars leaves the km out (whose odometer it is cannot be told), the contact stored.
A 车牌 left as printed (in any spelling: 粤a 12345), emptied, printed before the car was
re-plated, or typed in for a printed car without a plate is the printed car's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ListRunMember, Vehicle
from services.imports.normalise import Cell, normalise_plate
from services.lists.outcome_notes import Problem, where
from services.lists.profile_cells import Row


def _plate(value: Cell) -> str | None:
    return normalise_plate(value).value or None


def km_car(s: Session, r: Row, member: ListRunMember, printed: str | None
           ) -> tuple[int | None, tuple[str, str] | None, Problem | None]:
    """The car row `r`'s km goes to (`printed`: the plate its list printed); why the km cannot
    go to any (English, Chinese), or None; a note when it goes to a car other than the printed
    one."""
    typed = _plate(r.plate) if r.km is not None else None
    if typed is None:
        return member.vehicle_id, None, None
    printed_plate = _plate(printed)
    if typed == printed_plate:  # as printed: no look at the cars (every row with a km)
        return member.vehicle_id, None, None
    cars = {i: _plate(p) for i, p in s.execute(
        select(Vehicle.id, Vehicle.plate).where(Vehicle.customer_id == member.customer_id))}
    own = cars.get(member.vehicle_id) if member.vehicle_id is not None else None
    if own == typed:  # the printed car, re-plated since the list was printed
        return member.vehicle_id, None, None
    theirs = [i for i, p in cars.items() if p == typed]
    # A car printed without a plate (a new car not yet registered) and no other car of theirs
    # with the one typed: the caller wrote down its plate, and the km is the printed car's.
    if not theirs and printed_plate is None and member.vehicle_id is not None and own is None:
        return member.vehicle_id, None, None
    if not theirs:
        return None, (f"车牌 {typed} typed on the row is none of this customer's cars, so "
                      f"whose odometer it is cannot be told",
                      f"本行填的车牌 {typed} 不是该客户名下的车，无法判断是哪辆车的里程"), None
    if len(theirs) > 1:  # a plate kept for the next car: both are theirs
        return None, (f"{len(theirs)} of this customer's cars have the 车牌 {typed} typed on "
                      f"the row, so whose odometer it is cannot be told",
                      f"该客户有 {len(theirs)} 辆车的车牌都是本行填的 {typed}，"
                      f"无法判断是哪辆车的里程"), None
    return theirs[0], None, where(
        0, r.sheet,
        f"row {r.number} ({r.code}): the km is stored for {typed}, the plate typed over "
        f"车牌, not for the car printed ({printed or '-'})",
        f"第 {r.number} 行（{r.code}）：当前里程记在改填的车牌 {typed} 名下，而不是打印的"
        f"车辆（{printed or '-'}）")
