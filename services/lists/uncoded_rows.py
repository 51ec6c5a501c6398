"""Rows of a filled-in call list whose 编号 (row code) was emptied (a cell cleared by mistake,
a row typed over from a caller's notes), read back by the 客户编号 still beside it: the row is
the member of that customer on the lists the file's other rows name, when there is exactly one
such member and no other row of the file carries that member's code. Otherwise the row is not
stored, and the report says why and asks for the 编号 back; a row without either code cannot
be told whose at all."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Customer, ListRunMember
from services.customers.names import same_person
from services.lists.outcome_notes import Problem, where
from services.lists.profile_cells import Row
from services.lists.snapshot import member_data


@dataclass(frozen=True)
class FileCodes:
    """The row codes a filled-in file carries: the list runs any row's 编号 names (a blank
    row's too), and the rows (their numbers) of each 编号 that say something of a call, those
    not read as copies of one another included."""

    runs: frozenset[int] = frozenset()
    rows: dict[str, tuple[int, ...]] = field(default_factory=dict)


def run_of(code: str) -> int | None:
    """The list run a row code ("12-0034") names, None for one that names none."""
    run = code.split("-", 1)[0]
    return int(run) if run.isdigit() else None


def same_code(typed: str, stored: str) -> bool:
    """Whether the customer code in the file is the member's: as printed, in other case (c0001234:
    one letter, typed over as it is said), or as a spreadsheet program keeps a code of digits it
    took for a number (a CSV list opened in Excel and saved again: 0012345 comes back as
    12345)."""
    if typed.casefold() == stored.casefold():
        return True
    digits = _digits(typed)
    return digits is not None and digits == _digits(stored)


def _digits(code: str) -> str | None:
    """A code of digits without its leading zeros (0012345 -> 12345); None for any other."""
    return code.lstrip("0") if code.isascii() and code.isdigit() else None


# What a row whose 编号 cannot be told is asked (English, Chinese).
_ASK = ("type the row's 编号 back as printed and read the file again",
        "请按打印时填回本行的编号后再读一次")


def fill_codes(s: Session, rows: list[Row], codes: FileCodes
               ) -> tuple[list[Row], list[Problem], list[Problem]]:
    """`rows` with each row of an emptied 编号 given its member's row code where its 客户编号
    tells it, on the list runs the file's row codes name (`codes`); the problems of those
    that cannot be (not stored), and a note for each read."""
    uncoded = [r for r in rows if not r.code]
    if not uncoded:
        return rows, [], []
    runs = sorted(codes.runs)
    typed = {r.customer_code for r in uncoded if r.customer_code}
    members: list[tuple[str, str, str | None]] = []  # row code, customer code, name printed
    if runs and typed:
        lowered = sorted({c.casefold() for c in typed})
        digits = sorted({d for c in typed if (d := _digits(c))})
        members = [(code, customer, member_data(snapshot).get("name") if snapshot else None)
                   for code, customer, snapshot in s.execute(
                       select(ListRunMember.row_code, Customer.code, ListRunMember.snapshot)
                       .join(Customer, Customer.id == ListRunMember.customer_id)
                       .where(ListRunMember.run_id.in_(runs),
                              or_(func.lower(Customer.code).in_(lowered),
                                  *((func.ltrim(Customer.code, "0").in_(digits),)
                                    if digits else ())))
                       .order_by(ListRunMember.run_id, ListRunMember.position))]
    named = "、".join(f"#{run}" for run in runs)
    claimed: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for r in uncoded:
        if not r.customer_code:
            problems.append(where(
                r.number, r.sheet,
                f"the 编号 (row id) cell is empty and so is 客户编号, so whose call it is "
                f"cannot be told: {_ASK[0]}",
                f"“编号”和“客户编号”都是空的，无法判断是哪位客户的回访：{_ASK[1]}"))
            continue
        theirs = [m for m in members if same_code(r.customer_code, m[1])]
        if len(theirs) != 1:
            on = "、".join(m[0] for m in theirs)
            en, zh = (
                (f"customer {r.customer_code} is on none of its lists ({named or 'none named'})",
                 f"客户 {r.customer_code} 不在本文件的名单（{named or '无'}）中") if not theirs
                else (f"customer {r.customer_code} has several rows on its lists ({on})",
                      f"客户 {r.customer_code} 在本文件的名单中有多行（{on}）"))
            problems.append(where(
                r.number, r.sheet,
                f"the 编号 (row id) cell is empty and {en}: {_ASK[0]}",
                f"“编号”是空的，且{zh}：{_ASK[1]}"))
            continue
        code, _, printed = theirs[0]
        if r.name and printed and not same_person(r.name, printed):
            problems.append(where(
                r.number, r.sheet,
                f"the 编号 (row id) cell is empty, and customer {r.customer_code}'s row {code} "
                f"is {printed}, not {r.name} as in the file: {_ASK[0]}",
                f"“编号”是空的，而客户 {r.customer_code} 的编号 {code} 是 {printed}，不是文件中"
                f"的 {r.name}：{_ASK[1]}"))
            continue
        claimed.setdefault(code, []).append(r)
    filled: dict[tuple[str, int], Row] = {}
    notes: list[Problem] = []
    twice: set[tuple[str, int]] = set()  # rows of a member on two rows: neither stored
    for code, claims in claimed.items():
        # The member's own row is in the file too (read, or refused as copied), or two rows
        # claim them: a row copied, and which of them is the member's call cannot be told
        # (as of two rows of one 编号).
        both = [r for r in rows if r.code == code] + claims
        carried = codes.rows.get(code, ())
        if len(carried) + len(claims) > 1:
            for r in both:
                others = "、".join(str(n) for n in sorted(
                    {*carried, *(o.number for o in claims)} - {r.number}))
                twice.add((r.sheet, r.number))
                problems.append(where(
                    r.number, r.sheet,
                    f"row {code} (customer {claims[0].customer_code}) is also row {others} of "
                    f"the file, one of them with its 编号 (row id) emptied: a row copied? Keep "
                    f"one row per customer; none of them is stored",
                    f"编号 {code}（客户 {claims[0].customer_code}）也是本文件第 {others} 行，"
                    f"其中有一行的“编号”被清空：复制了一行？每位客户只保留一行；这几行都未保存"))
            continue
        r = claims[0]
        filled[(r.sheet, r.number)] = replace(r, code=code)
        notes.append(where(
            0, r.sheet,
            f"row {r.number}: its 编号 (row id) was empty; read as row {code} by its 客户编号 "
            f"{r.customer_code}",
            f"第 {r.number} 行：“编号”是空的，已按客户编号 {r.customer_code} 读作编号 {code}"))
    kept = [filled.get((r.sheet, r.number), r) for r in rows
            if (r.code or (r.sheet, r.number) in filled) and (r.sheet, r.number) not in twice]
    return kept, problems, notes
