"""Why an import batch cannot be undone yet, each said as the error to raise: a later batch
changed its records, added records to its customers or cars, or counts its records as rows of
its own file; a merge has moved them since; colleagues worked on customers it created (who
they are, and which rows to keep when the rest is undone without them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, null, or_, select, union
from sqlalchemy.orm import Session

from models import Base, CustomerMerge, ImportBatch, ImportChange, ImportCreated, StaffUser, Vehicle
from services.imports.results import source_name
from services.imports.stored import matched_of, overlap, records_of
from services.store.errors import N_, RevisitError, Said

Runs = dict[str, list[tuple[int, int]]]
# Per table, the ids of the rows a batch changed, as a subquery: a big batch changed more rows
# than a statement may carry as parameters (65,535 on PostgreSQL; 54,000 customers changed by
# one file made its undo fail there).
Changed = dict[str, Select]


def created_runs(s: Session, batch_id: int) -> Runs:
    """The ids a batch created, as sorted runs per table."""
    runs: Runs = defaultdict(list)
    for table, a, b in s.execute(
        select(ImportCreated.table_name, ImportCreated.first_id, ImportCreated.last_id)
        .where(ImportCreated.batch_id == batch_id)
        .order_by(ImportCreated.table_name, ImportCreated.first_id)
    ):
        runs[table].append((a, b))
    return runs


def changed_tables(s: Session, batch_id: int) -> Changed:
    """The tables whose stored rows a batch changed, each with its changed ids' subquery."""
    tables = s.scalars(select(ImportChange.table_name)
                       .where(ImportChange.batch_id == batch_id).distinct()).all()
    return {table: changed_ids(batch_id, table) for table in sorted(tables)}


def changed_ids(batch_id: int, table: str) -> Select:
    return select(ImportChange.row_id).where(ImportChange.batch_id == batch_id,
                                             ImportChange.table_name == table)


def in_runs(column, runs: list[tuple[int, int]]):
    return or_(*(column.between(a, b) for a, b in runs))


def _in_ids(column, runs: list[tuple[int, int]], ids: Select | None):
    parts = [column.between(a, b) for a, b in runs]
    if ids is not None:
        parts.append(column.in_(ids))
    return or_(*parts)


def later_batch_conflict(s: Session, batch: ImportBatch, runs: Runs,
                         changed: Changed) -> RevisitError | None:
    """The refusal naming the first later batch (not undone) that changed a record this batch
    created or changed, created a record of a customer or car this batch created, or found a
    record this batch created stored and counts it as a row of its file (undo would delete a
    record that batch says it imported).

    A value this batch changed that a later batch found as it is does not refuse the undo:
    the later file may not carry that column at all (a work order this batch filled in, read
    again from a file without work orders), and the value goes back as it was, as it does
    for a value a later batch changed by hand."""
    later = list(
        s.scalars(
            select(ImportBatch)
            .where(ImportBatch.id > batch.id, ImportBatch.undone_at.is_(None))
            .order_by(ImportBatch.id)
        )
    )
    for other in later:
        if _changed_or_added_to(s, other, runs, changed):
            return RevisitError(
                N_("Cannot undo import batch #{id}: the later batch #{later} ({file}) changed "
                   "the same records. Undo batch #{later} first."),
                id=batch.id, later=other.id, file=source_name(other.file_name, other.sheet))
        matched = matched_of(records_of(other.records_json))
        counted = sum(overlap(runs.get(t, []), m) for t, m in matched.items())
        if counted:
            return RevisitError(
                N_("Cannot undo import batch #{id}: the later batch #{later} ({file}) counts "
                   "{records} of its records as imported (its file has them too). Undo batch "
                   "#{later} first."),
                id=batch.id, later=other.id, file=source_name(other.file_name, other.sheet),
                records=f"{counted:,}")
    return None


def _changed_or_added_to(s: Session, other: ImportBatch, runs: Runs,
                         changed: Changed) -> bool:
    for table in set(runs) | set(changed):
        hit = s.scalar(
            select(ImportChange.id)
            .where(
                ImportChange.batch_id == other.id,
                ImportChange.table_name == table,
                _in_ids(ImportChange.row_id, runs.get(table, []), changed.get(table)),
            )
            .limit(1)
        )
        if hit is not None:
            return True
    for table, table_runs in created_runs(s, other.id).items():
        t = Base.metadata.tables[table]
        for parent in ("customer", "vehicle"):
            column = t.c.get(f"{parent}_id")
            if column is None or not runs.get(parent):
                continue
            hit = s.scalar(
                select(t.c.id)
                .where(in_runs(t.c.id, table_runs), in_runs(column, runs[parent]))
                .limit(1)
            )
            if hit is not None:
                return True
    return False


def merge_since(s: Session, batch: ImportBatch, runs: Runs, changed: Changed) -> int | None:
    """A merge still in force, made after the batch, of a customer the batch created or
    changed, or into the customer now holding a car it created: undoing the batch would then
    delete or rewrite rows the merge moved."""
    customers = changed.get("customer")
    clauses = []
    if runs.get("customer"):
        clauses += [in_runs(CustomerMerge.kept_id, runs["customer"]),
                    in_runs(CustomerMerge.merged_id, runs["customer"])]
    if runs.get("vehicle"):
        holders = select(Vehicle.customer_id).where(in_runs(Vehicle.id, runs["vehicle"]))
        clauses.append(CustomerMerge.kept_id.in_(holders))
    if customers is not None:
        clauses += [CustomerMerge.kept_id.in_(customers),
                    CustomerMerge.merged_id.in_(customers)]
    if not clauses:
        return None
    return s.scalar(
        select(CustomerMerge.id)
        .where(CustomerMerge.undone_at.is_(None), CustomerMerge.merged_at >= batch.imported_at,
               or_(*clauses))
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    )


# What a colleague's record on a customer is, in staff words (English, Chinese), by table.
WORK_WORDS = {
    "contact_event": ("a call or contact", "电话/联系"),
    "list_run_member": ("put on a list", "列入名单"),
    "list_run_exclusion": ("put on a list", "列入名单"),
    "customer_tag": ("a tag", "打标签"),
    "do_not_contact": ("a do-not-contact", "免打扰设置"),
    "consent_event": ("a consent or unsubscribe", "营销同意/退订"),
    "purchase_intent": ("a purchase intent", "购车意向"),
    "complaint": ("a complaint", "投诉"),
}
OTHER_WORK = ("a change to the profile", "资料修改")
# Who recorded it: the column naming the staff member, by table.
RECORDED_BY = {
    "contact_event": "staff_id", "profile_change": "staff_id", "consent_event": "staff_id",
    "purchase_intent": "staff_id", "suggestion_decision": "staff_id",
    "customer_tag": "tagged_by", "do_not_contact": "set_by", "contact_preference": "updated_by",
    "referral": "recorded_by", "declined_item": "recorded_by",
}


@dataclass(frozen=True)
class Worked:
    """A customer someone worked on since the import: a record of theirs, or of a car the
    import created, that the import did not write."""

    customer_id: int
    name: str
    mobile: str
    work: tuple[tuple[str, str], ...]  # (English, Chinese) of what was recorded
    staff: tuple[str, ...]  # who recorded it


def _hand_records(runs: Runs):
    """Per table and parent ("customer" or "vehicle"): the rows not written by the batch that
    belong to a customer or car it created, as (table, parent column, condition)."""
    for t in Base.metadata.sorted_tables:
        for parent in ("customer", "vehicle"):
            column = t.c.get(f"{parent}_id")
            if column is None or not runs.get(parent) or t.name == parent:
                continue
            if not any(fk.column.table.name == parent for fk in column.foreign_keys):
                continue
            where = [in_runs(column, runs[parent])]
            if runs.get(t.name) and "id" in t.c:
                where.append(~in_runs(t.c.id, runs[t.name]))
            yield t, column, and_(*where)


def _worked_ids(runs: Runs) -> dict[str, Select]:
    """The ids of the created cars with records of others, and of the customers with records
    of others or holding such a car, as subqueries."""
    vehicle = Base.metadata.tables["vehicle"]
    parts: dict[str, list[Select]] = {"customer": [], "vehicle": []}
    for _t, column, where in _hand_records(runs):
        parts[column.name.removesuffix("_id")].append(select(column).where(where))
    ids: dict[str, Select] = {}
    if parts["vehicle"]:
        ids["vehicle"] = union(*parts["vehicle"]).subquery().select()
        parts["customer"].append(select(vehicle.c.customer_id)
                                 .where(vehicle.c.id.in_(ids["vehicle"])))
    if parts["customer"]:
        ids["customer"] = union(*parts["customer"]).subquery().select()
    return ids


def worked_since(s: Session, runs: Runs) -> list[Worked]:
    """The customers someone worked on since the batch created them (or a car of theirs):
    undoing the whole batch would delete what was recorded, so it keeps them or is refused."""
    ids = _worked_ids(runs)
    if "customer" not in ids:
        return []
    customer = Base.metadata.tables["customer"]
    vehicle = Base.metadata.tables["vehicle"]
    work: dict[int, set[tuple[str, str]]] = defaultdict(set)
    by: dict[int, set[int]] = defaultdict(set)
    for t, column, where in _hand_records(runs):
        owner = column if column.name == "customer_id" else vehicle.c.customer_id
        staff = t.c[RECORDED_BY[t.name]] if t.name in RECORDED_BY else None
        query = select(owner, staff if staff is not None else null()).where(where).distinct()
        if owner is not column:
            query = query.select_from(t.join(vehicle, vehicle.c.id == column))
        for customer_id, staff_id in s.execute(query):
            work[customer_id].add(WORK_WORDS.get(t.name, OTHER_WORK))
            if staff_id is not None:
                by[customer_id].add(staff_id)
    names = dict(s.execute(select(StaffUser.id, StaffUser.display_name)
                           .where(StaffUser.id.in_({i for v in by.values() for i in v}))).all())
    return [
        Worked(cid, name, mobile or "", tuple(sorted(work[cid])),
               tuple(sorted({names[i] for i in by[cid] if i in names})))
        for cid, name, mobile in s.execute(
            select(customer.c.id, customer.c.name, customer.c.mobile)
            .where(customer.c.id.in_(ids["customer"])).order_by(customer.c.id))
    ]


def kept_rows(runs: Runs) -> dict[str, ColumnElement[bool]]:
    """Per table, which of the rows the batch created stay when the customers worked on since
    are kept: those customers and cars, and every row it created that refers to a row kept
    (a car of a kept customer, the visits of a kept car)."""
    seeds = _worked_ids(runs)
    kept: dict[str, ColumnElement[bool]] = {}
    for t in Base.metadata.sorted_tables:
        if not runs.get(t.name):
            continue
        parts = [t.c.id.in_(seeds[t.name])] if t.name in seeds else []
        for column in t.c:
            for fk in column.foreign_keys:
                parent = fk.column.table
                if parent.name in kept and parent.name != t.name:
                    parts.append(column.in_(
                        select(parent.c.id).where(in_runs(parent.c.id, runs[parent.name]),
                                                  kept[parent.name])))
        if parts:
            kept[t.name] = or_(*parts)
    return kept


def said_worked(worked: list[Worked], shown: int = 3) -> Said:
    """The customers worked on since, as a clerk reads them: name, mobile, what was recorded
    and by whom, the first few and how many more."""
    en, zh = [], []
    for w in worked[:shown]:
        who = f"{w.name} {w.mobile}".strip()
        staff = "、".join(w.staff)
        en.append(f"{who}: {' and '.join(e for e, _ in w.work)}"
                  + (f" by {', '.join(w.staff)}" if staff else ""))
        zh.append(f"{who}（{staff + '记录的' if staff else ''}{'、'.join(z for _, z in w.work)}）")
    more = len(worked) - shown
    if more > 0:
        en.append(f"and {more:,} more")
    return Said("；".join(zh) + (f" 等 {len(worked):,} 位" if more > 0 else ""),
                "; ".join(en))


class WorkedSince(RevisitError):
    """The whole batch cannot be undone: colleagues worked on customers it created since.
    `worked` lists them; undoing with keep_worked keeps them and undoes the rest."""

    def __init__(self, batch_id: int, worked: list[Worked]) -> None:
        super().__init__(
            N_("Cannot undo the whole of import batch #{id}: {count} customers it created have "
               "been worked on since ({who}), and undoing would delete what was recorded for "
               "them. Undo the rest and keep these customers instead."),
            id=batch_id, count=f"{len(worked):,}", who=said_worked(worked))
        self.worked = worked
