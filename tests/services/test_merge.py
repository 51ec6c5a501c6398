"""Merging a duplicate keeps every history row and fills the kept customer's gaps; undo puts
back exactly what was there; stale merges and unsafe undos are refused with a clear message."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from models import (
    AuditLog,
    Base,
    Complaint,
    ContactPreference,
    Customer,
    CustomerMerge,
    CustomerTag,
    DeclinedItem,
    ListRun,
    ListRunExclusion,
    ListRunMember,
    PurchaseIntent,
    Referral,
    ReferralByCustomer,
    ServiceVisit,
    StaffUser,
    SuggestionDecision,
    Vehicle,
)
from models.summary import DERIVED_TABLES
from services.customers import merge, preferences, profile
from services.customers.merge_rows import MOVED_TABLES
from services.demo.generator import generate
from services.store.errors import RevisitError

TODAY = dt.date(2026, 11, 23)
A, B = 1, 2  # kept, merged
ADDRESS = ("province", "city", "district", "street", "postcode")


def dump(database) -> dict[str, list[dict]]:
    """Every row of every table of the dealer's data, in primary-key order."""
    out = {}
    with database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in DERIVED_TABLES:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            out[table.name] = [dict(r) for r in rows]
    return out


def counts(database) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(database).items()}


def owned(database, customer_id: int) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(Base.metadata.tables[name])
                               .where(Base.metadata.tables[name].c.customer_id == customer_id))
            .scalar_one()
            for name in MOVED_TABLES
        }


@pytest.fixture
def world(database):
    """Demo customers; B has a row in every table with a customer id, some of them rows A
    already has the like of (preferences, a tag, a place on the same list run); A has a visit
    on B's car; A lacks a WeChat id and an address B has."""
    generate(database, 12, seed=3, today=TODAY)
    with database.sessions.begin() as s:
        staff = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
        car = s.scalar(select(Vehicle.id).where(Vehicle.customer_id == B).order_by(Vehicle.id))
        for cid in (A, B):
            if s.get(ContactPreference, cid) is None:
                s.add(ContactPreference(customer_id=cid, channel_order="sms", first_channel="sms"))
        tag = s.scalar(select(CustomerTag.tag_id).where(CustomerTag.customer_id == B))
        if tag is None:
            tag = 1
            s.add(CustomerTag(customer_id=B, tag_id=tag))
        if s.get(CustomerTag, (A, tag)) is None:
            s.add(CustomerTag(customer_id=A, tag_id=tag))
        s.flush()
        held = set(s.scalars(select(CustomerTag.tag_id).where(CustomerTag.customer_id.in_((A, B)))))
        s.add(CustomerTag(customer_id=B, tag_id=min(set(range(1, 30)) - held)))
        s.add_all([
            Complaint(customer_id=B, vehicle_id=car, opened_date=TODAY, topic="等待时间太长"),
            PurchaseIntent(customer_id=B, recorded_date=TODAY, strength="strong",
                           expected_price=Decimal("180000.00"), staff_id=staff),
            ServiceVisit(customer_id=A, vehicle_id=car, visit_date=TODAY, visit_type="repair",
                         amount=Decimal("350.50"), note="帮家人送修"),
        ])
        runs = [ListRun(segment_name="老车主", filter_json="{}", as_of=TODAY, purpose="care")
                for _ in range(2)]
        s.add_all(runs)
        s.flush()
        s.add_all([
            ListRunMember(run_id=runs[0].id, customer_id=A, channel="phone", row_code="1-1"),
            ListRunMember(run_id=runs[0].id, customer_id=B, vehicle_id=car, channel="phone",
                          row_code="1-2", snapshot='{"name": "B"}'),
            ListRunMember(run_id=runs[1].id, customer_id=B, channel="sms", row_code="2-1"),
            ListRunExclusion(run_id=runs[1].id, customer_id=B, reason="do_not_contact"),
        ])
        # B was introduced by customer 3 and introduced customer 4; B declined a repair.
        introduced = Referral(customer_id=B, referred_on=TODAY, referrer_kind="customer")
        made = Referral(customer_id=4, referred_on=TODAY, referrer_kind="customer")
        s.add_all([introduced, made])
        s.flush()
        s.add_all([ReferralByCustomer(referral_id=introduced.id, customer_id=3),
                   ReferralByCustomer(referral_id=made.id, customer_id=B),
                   DeclinedItem(customer_id=B, vehicle_id=car, item="刹车片",
                                recorded_on=TODAY),
                   SuggestionDecision(customer_id=B, as_of=TODAY, rule_name="六年以上置换",
                                      suggested_purpose="sales", action="dismissed")])
        s.execute(update(Customer).where(Customer.id == A).values(
            wechat_id=None, **dict.fromkeys(ADDRESS), other_phones=None, mobile="13900000001"))
        s.execute(update(Customer).where(Customer.id == B).values(
            wechat_id="wxid_b", province="广东省", city="广州市", district="天河区",
            street="体育西路1号", postcode="510620", mobile="13900000002",
            other_phones="020-87654321"))
    preferences.record_consent(database.sessions, B, False, event_date=TODAY, source="call",
                               staff_id=staff, today=TODAY)
    preferences.add_refusal(database.sessions, B, channel="sms", purpose=None, reason="不要短信",
                            set_on=TODAY, staff_id=staff)
    assert all(n > 0 for n in owned(database, B).values()), owned(database, B)
    return database, staff


def test_merge_moves_every_row_and_fills_the_gaps(world):
    database, staff = world
    before, b_rows = counts(database), owned(database, B)
    a_rows = owned(database, A)

    result = merge.merge_customers(database.sessions, A, B, staff_id=staff,
                                   evidence=["same_mobile"], today=TODAY)

    removed = {"contact_preference": 1, "customer_tag": 1, "list_run_member": 1}
    assert result.removed == removed
    assert result.moved == {t: n - removed.get(t, 0) for t, n in b_rows.items()
                            if n > removed.get(t, 0)}
    after = counts(database)
    expected = dict(before, customer=before["customer"] - 1,
                    customer_merge=before["customer_merge"] + 1,
                    audit_log=before["audit_log"] + 1)
    for table, n in removed.items():
        expected[table] -= n
    assert after == expected
    assert owned(database, A) == {t: a_rows[t] + result.moved.get(t, 0) for t in MOVED_TABLES}
    with database.sessions() as s:
        assert s.get(Customer, B) is None
        kept = s.get(Customer, A)
        assert kept.wechat_id == "wxid_b"
        assert [getattr(kept, f) for f in ADDRESS] == [
            "广东省", "广州市", "天河区", "体育西路1号", "510620"]
        # A keeps its own mobile; B's numbers are not lost.
        assert (kept.mobile, kept.other_phones) == ("13900000001", "020-87654321, 13900000002")
        assert kept.lifecycle_stage == profile.value_as_of(
            database.sessions, A, "lifecycle_stage", TODAY)
        record = s.scalars(select(CustomerMerge)).one()
        assert (record.kept_id, record.merged_id, record.merged_code, record.staff_id,
                record.evidence, record.undone_at) == (A, B, "C0000002", staff, "same_mobile",
                                                       None)
        detail = json.loads(record.detail)
        assert detail["merged_customer"]["code"] == "C0000002"
        assert detail["kept_after"]["wechat_id"] == "wxid_b"
        assert detail["kept_before"]["wechat_id"] is None
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "merge_customers")).one()
        assert (logged.entity, logged.entity_id, logged.staff_id) == ("customer", A, staff)
        assert json.loads(logged.detail)["filled"]["wechat_id"] == "wxid_b"
        # B's consent was audit-logged on B; that entry now belongs to A.
        consent = s.scalars(select(AuditLog).where(AuditLog.action == "consent_withdrawn")).one()
        assert consent.entity_id == A
    [info] = merge.list_merges(database.sessions, customer_id=B)
    assert (info.id, info.kept_code, info.merged_code, info.staff) == (
        result.merge_id, "C0000001", "C0000002", "陈丽")


def test_undo_puts_back_exactly_what_was_there(world):
    database, staff = world
    before = dump(database)

    done = merge.merge_customers(database.sessions, A, B, staff_id=staff, today=TODAY)
    undone = merge.undo_merge(database.sessions, done.merge_id, staff_id=staff)

    assert (undone.moved, undone.removed) == (done.moved, done.removed)
    after = dump(database)
    audit_before, audit_after = before.pop("audit_log"), after.pop("audit_log")
    assert audit_after[:len(audit_before)] == audit_before
    assert [r["action"] for r in audit_after[len(audit_before):]] == [
        "merge_customers", "unmerge_customers"]
    [record] = after.pop("customer_merge")
    assert before.pop("customer_merge") == []
    assert record["undone_at"] is not None and record["undone_by"] == staff
    # Every value as it was, but the kept customer's version only ever goes up (merged, then
    # put back): an edit opened before the merge or during it is refused, not written over.
    versions = {r["id"]: r.pop("version") for r in before["customer"]}
    for r in after["customer"]:
        assert r.pop("version") == versions[r["id"]] + (2 if r["id"] == done.kept_id else 0)
    for table in before:
        assert after[table] == before[table], table


def test_preview_says_what_would_happen_and_changes_nothing(world):
    database, _ = world
    before = dump(database)
    preview = merge.preview_merge(database.sessions, A, B, today=TODAY)
    assert dump(database) == before
    done = merge.merge_customers(database.sessions, A, B, today=TODAY)
    assert preview.merge_id is None
    assert (preview.moved, preview.removed, preview.filled) == (done.moved, done.removed,
                                                                done.filled)


def test_a_customer_merged_away_cannot_be_merged_again(world):
    database, _ = world
    done = merge.merge_customers(database.sessions, A, B, today=TODAY)
    message = f"Customer C0000002 was already merged into C0000001 (merge #{done.merge_id}"
    with pytest.raises(RevisitError, match=message.replace("(", r"\(")):
        merge.merge_customers(database.sessions, 3, B, today=TODAY)
    with pytest.raises(RevisitError, match="already merged into C0000001"):
        merge.customer_id_of(database.sessions, "C0000002")
    with pytest.raises(RevisitError, match="already merged into C0000001"):
        merge.customer_id_of(database.sessions, str(B))
    with pytest.raises(RevisitError, match="cannot be merged into itself"):
        merge.merge_customers(database.sessions, A, A)
    with pytest.raises(RevisitError, match="no longer in the database"):
        merge.merge_customers(database.sessions, A, 999)
    with pytest.raises(RevisitError, match="no customer with the code or id 'C9'"):
        merge.customer_id_of(database.sessions, "C9")
    assert merge.customer_id_of(database.sessions, "C0000003") == 3
    assert merge.customer_id_of(database.sessions, "3") == 3


def test_undo_twice_is_refused(world):
    database, _ = world
    done = merge.merge_customers(database.sessions, A, B, today=TODAY)
    merge.undo_merge(database.sessions, done.merge_id)
    with pytest.raises(RevisitError, match=f"Merge #{done.merge_id} was already undone"):
        merge.undo_merge(database.sessions, done.merge_id)
    with pytest.raises(RevisitError, match="no customer merge #77"):
        merge.undo_merge(database.sessions, 77)


def _change_filled_field(s, car_of_b):
    s.execute(update(Customer).where(Customer.id == A).values(wechat_id="wxid_new"))


def _delete_moved_complaint(s, car_of_b):
    s.execute(delete(Complaint).where(Complaint.topic == "等待时间太长"))


def _new_visit_on_moved_car(s, car_of_b):
    s.add(ServiceVisit(customer_id=A, vehicle_id=car_of_b, visit_date=TODAY,
                       visit_type="maintenance", amount=Decimal("500")))


def _moved_car_given_away(s, car_of_b):
    s.execute(update(Vehicle).where(Vehicle.id == car_of_b).values(customer_id=5))


@pytest.mark.parametrize(("change", "says"), [
    (_change_filled_field, "wechat_id of customer C0000001 changed after the merge"),
    (_delete_moved_complaint, "(投诉) were deleted or given to another customer"),
    (_moved_car_given_away, "(车辆) were deleted or given to another customer"),
    (_new_visit_on_moved_car, "since the merge use what it moved (到店记录)"),
])
def test_undo_after_a_later_change_that_makes_it_unsafe_is_refused(world, change, says):
    database, _ = world
    with database.sessions() as s:
        car = s.scalar(select(Vehicle.id).where(Vehicle.customer_id == B).order_by(Vehicle.id))
    done = merge.merge_customers(database.sessions, A, B, today=TODAY)
    with database.sessions.begin() as s:
        change(s, car)
    before = dump(database)
    with pytest.raises(RevisitError, match=f"Cannot undo merge #{done.merge_id}: ") as err:
        merge.undo_merge(database.sessions, done.merge_id)
    assert says in str(err.value)
    assert dump(database) == before


def test_chained_merges_are_undone_newest_first(world):
    database, _ = world
    before = dump(database)
    first = merge.merge_customers(database.sessions, B, 3, today=TODAY)
    second = merge.merge_customers(database.sessions, A, B, today=TODAY)
    with pytest.raises(RevisitError, match=f"by merge #{second.merge_id} since; undo that one"):
        merge.undo_merge(database.sessions, first.merge_id)
    merge.undo_merge(database.sessions, second.merge_id)
    merge.undo_merge(database.sessions, first.merge_id)
    after = dump(database)
    versions = {r["id"]: r.pop("version") for r in before["customer"]}
    # Versions never go back: raised where a merge filled a field, and again when put back.
    assert all(r.pop("version") >= versions[r["id"]] for r in after["customer"])
    for table in before:
        if table not in ("audit_log", "customer_merge"):
            assert after[table] == before[table], table
    assert [m.undone_at is not None for m in merge.list_merges(database.sessions)] == [True, True]


def test_a_save_on_a_customer_merged_since_says_who_merged_them_into_whom(world):
    """What staff see when a page opened before the merge saves: the merged customer's code,
    the kept one to open, who merged and when; never an internal id."""
    from services.customers import detail, preferences

    database, staff = world
    merge.merge_customers(database.sessions, A, B, today=TODAY, staff_id=staff)
    for save in (lambda: preferences.set_preferences(database.sessions, B,
                                                     channel_order=["phone"]),
                 lambda: detail.load(database.sessions, B)):
        with pytest.raises(RevisitError) as refused:
            save()
        said = str(refused.value)
        assert "陈丽 merged customer C0000002 into C0000001 at" in said
        assert "open C0000001" in said
        assert "id" not in said


def test_a_merge_keeps_every_number_of_the_merged_customer(world):
    """The kept customer's other phones hold 100 characters: the merged customer's numbers
    that do not fit there go into the kept customer's note, and the result names them."""
    database, staff = world
    six = ", ".join(f"1390000010{i}" for i in range(6))  # 76 characters
    with database.sessions.begin() as s:
        s.execute(update(Customer).where(Customer.id == A).values(other_phones=six,
                                                                  note="老客户"))
        s.execute(update(Customer).where(Customer.id == B).values(
            other_phones="020-87654321, 139 0000 0001；0755-12345678"))
    before = dump(database)
    preview = merge.preview_merge(database.sessions, A, B, today=TODAY)
    done = merge.merge_customers(database.sessions, A, B, staff_id=staff, today=TODAY)
    assert done.phones_in_note == preview.phones_in_note == ("020-87654321", "0755-12345678")
    assert done.filled == preview.filled
    with database.sessions() as s:
        kept = s.get(Customer, A)
        # B's mobile fits; A's own mobile, written with spaces among B's numbers, is no other.
        assert (kept.mobile, kept.other_phones) == ("13900000001", f"{six}, 13900000002")
        assert kept.note == ("老客户\n其他电话（合并 C0000002 时其他电话栏已满，记于此）："
                             "020-87654321、0755-12345678")
    assert set(done.filled) >= {"other_phones", "note"}
    merge.undo_merge(database.sessions, done.merge_id, staff_id=staff)
    after = dump(database)
    for table in ("customer_merge", "audit_log"):
        before.pop(table), after.pop(table)
    for row in (*before["customer"], *after["customer"]):
        row.pop("version")
    assert after == before


@pytest.mark.parametrize(("kept_md", "filled"), [("0315", dt.date(1980, 3, 15)),
                                                 ("0316", None)])
def test_a_birthday_known_without_its_year_takes_the_merged_ones_year(world, kept_md, filled):
    """A imported from a membership list with 3月15日 only, B from the DMS with the whole date:
    the merge gives A its year when the day is the same; another day says which is right no
    more than the other, so A keeps its own."""
    database, staff = world
    with database.sessions.begin() as s:
        s.execute(update(Customer).where(Customer.id == A).values(birthday=None,
                                                                  birthday_md=kept_md))
        s.execute(update(Customer).where(Customer.id == B).values(
            birthday=dt.date(1980, 3, 15), birthday_md="0315"))
    done = merge.merge_customers(database.sessions, A, B, staff_id=staff, today=TODAY)
    with database.sessions() as s:
        kept = s.get_one(Customer, A)
        assert (kept.birthday, kept.birthday_md) == (filled, kept_md)
    assert ("birthday" in done.filled) == (filled is not None)
    merge.undo_merge(database.sessions, done.merge_id, staff_id=staff)
    with database.sessions() as s:
        assert s.get_one(Customer, A).birthday is None


def test_a_merge_of_a_removed_customer_looks_its_merges_up_once(world):
    from sqlalchemy import event

    database, _ = world
    asked: list[str] = []

    def count(conn, cursor, statement, *args):
        if "customer_merge" in statement:
            asked.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with pytest.raises(RevisitError, match="no longer in the database"):
            merge.merge_customers(database.sessions, A, 999, today=TODAY)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert len(asked) == 1
