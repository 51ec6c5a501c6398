"""Erasure on request: every trace of a customer's personal data is gone from every table, while
counts, amounts and dates stay; only a supervisor may erase, once, and the trail says who."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from models import (
    AuditLog,
    Base,
    ContactEvent,
    Customer,
    CustomerMerge,
    DoNotContact,
    ListRun,
    ListRunMember,
    ProfileChange,
    ServiceVisit,
    Vehicle,
)
from services.customers import merge
from services.customers.erase import ERASED_NAME, erase_customer
from services.demo import DEMO_PASSWORD
from services.demo.generator import generate
from services.staff import signing
from services.staff.permissions import NotAllowed
from services.store.errors import RevisitError

TODAY = dt.date(2026, 11, 23)
ERASED, TWIN, OTHER = 1, 2, 3
MOBILE = "13812345678"
NAME = "欧阳晓雯"


@pytest.fixture
def world(database, supervisor):
    """Demo customers; customer 1 has a known name and mobile, a name change in the history, a
    note in a contact, a place on a list run whose snapshot holds the name and mobile, and a
    duplicate (2) merged into it."""
    generate(database, 8, seed=5, today=TODAY)
    with database.sessions.begin() as s:
        c = s.get(Customer, ERASED)
        c.mobile, c.street, c.wechat_id = MOBILE, "解放路18号3单元", "wx_ouyang"
        s.add(ContactEvent(customer_id=ERASED, channel="phone", purpose="care", outcome="reached",
                           feedback=f"{NAME}说下月来保养", contact_at=dt.datetime(2026, 11, 1, 10)))
        run = ListRun(segment_name="关怀", filter_json="{}", as_of=TODAY, purpose="care",
                      finished_at=dt.datetime(2026, 11, 2))
        s.add(run)
        s.flush()
        s.add(ListRunMember(run_id=run.id, customer_id=ERASED, channel="phone", row_code="1-1",
                            snapshot=json.dumps({"name": NAME, "mobile": MOBILE,
                                                 "talking_points": f"{NAME}先生您好"},
                                                ensure_ascii=False)))
        s.add(ListRunMember(run_id=run.id, customer_id=OTHER, channel="phone", row_code="1-2",
                            snapshot=json.dumps({"name": "别人", "mobile": "13900000000"},
                                                ensure_ascii=False)))
        # A name corrected by an import: the history holds the old and the new name.
        s.add(ProfileChange(customer_id=ERASED, attribute="name", old_value="欧阳小雯",
                            new_value=NAME, effective_date=TODAY, source="import"))
        c.name = NAME
        s.add(AuditLog(action="set_preferences", entity="customer", entity_id=ERASED,
                       detail=json.dumps({"note": f"{NAME} 只接短信 {MOBILE}"})))
    merge.merge_customers(database.sessions, ERASED, TWIN, actor=supervisor, today=TODAY)
    return database


def _all_text(database) -> str:
    """Every stored value of every row about the customer, as one text to search in."""
    parts = []
    with database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).mappings().all()
            parts += [json.dumps(dict(r), ensure_ascii=False, default=str) for r in rows]
    return "\n".join(parts)


def test_erasure_removes_the_personal_data_everywhere_and_keeps_the_counts(world, supervisor):
    with world.engine.connect() as conn:
        counts_before = {t.name: conn.scalar(select(func.count()).select_from(t))
                         for t in Base.metadata.sorted_tables}
        visits_before = conn.execute(select(ServiceVisit.amount).where(
            ServiceVisit.customer_id == ERASED).order_by(ServiceVisit.id)).scalars().all()
        plate = conn.scalar(select(Vehicle.plate).where(Vehicle.customer_id == ERASED))
    text_before = _all_text(world)
    assert NAME in text_before and MOBILE in text_before and plate in text_before

    done = erase_customer(world.sessions, supervisor, ERASED, reason="客户来电要求")

    text_after = _all_text(world)
    for secret in (NAME, "欧阳小雯", MOBILE, plate, "解放路18号3单元", "wx_ouyang"):
        assert secret not in text_after, secret
    with world.engine.connect() as conn:
        c = conn.execute(select(Customer).where(Customer.id == ERASED)).one()
        assert (c.name, c.mobile, c.street, c.birthday) == (ERASED_NAME, None, None, None)
        assert c.erased_at is not None and c.code == done.code
        # Counts stay: one refusal and one consent event are added, merges naming them go.
        counts_after = {t.name: conn.scalar(select(func.count()).select_from(t))
                        for t in Base.metadata.sorted_tables}
        assert counts_after["customer"] == counts_before["customer"]
        assert counts_after["service_visit"] == counts_before["service_visit"]
        assert counts_after["contact_event"] == counts_before["contact_event"]
        assert counts_after["list_run_member"] == counts_before["list_run_member"]
        assert counts_after["customer_merge"] == counts_before["customer_merge"] - 1
        assert conn.scalar(select(func.count()).select_from(CustomerMerge)
                           .where(CustomerMerge.kept_id == ERASED)) == 0
        assert conn.execute(select(ServiceVisit.amount).where(
            ServiceVisit.customer_id == ERASED).order_by(ServiceVisit.id)).scalars().all() \
            == visits_before
        # Another member of the same run keeps their snapshot untouched.
        other = conn.scalar(select(ListRunMember.snapshot).where(
            ListRunMember.customer_id == OTHER))
        assert json.loads(other) == {"name": "别人", "mobile": "13900000000"}
        # The name history keeps that a change happened, not what the name was.
        names = conn.execute(select(ProfileChange.old_value, ProfileChange.new_value).where(
            ProfileChange.customer_id == ERASED, ProfileChange.attribute == "name")).all()
        assert names and all(row == (None, None) for row in names)
        # No list may pick them again: every channel and purpose refused.
        dnc = conn.execute(select(DoNotContact.channel, DoNotContact.purpose).where(
            DoNotContact.customer_id == ERASED, DoNotContact.lifted_on.is_(None))).all()
        assert (None, None) in dnc
        entry = conn.execute(select(AuditLog).where(AuditLog.action == "erase_customer")).one()
        assert entry.staff_id == supervisor.id and entry.entity_id == ERASED
        assert json.loads(entry.detail)["code"] == done.code


def test_only_a_supervisor_erases_and_only_once(world, supervisor):
    staff = signing.sign_in(world.engine, "chenli", DEMO_PASSWORD).actor
    with pytest.raises(NotAllowed):
        erase_customer(world.sessions, staff, ERASED)
    with pytest.raises(NotAllowed):
        erase_customer(world.sessions, None, ERASED)
    with world.engine.connect() as conn:
        assert conn.scalar(select(Customer.erased_at).where(Customer.id == ERASED)) is None
    erase_customer(world.sessions, supervisor, ERASED)
    with pytest.raises(RevisitError, match="already erased"):
        erase_customer(world.sessions, supervisor, ERASED)
    with pytest.raises(RevisitError, match="no customer #999999"):
        erase_customer(world.sessions, supervisor, 999999)


def test_erasure_takes_the_preference_notes_out_of_the_audit_trail(world, supervisor):
    """A preferences save keeps the note before and after it in its audit entry: free text
    about the customer, which erasure removes as it removes the note itself."""
    from services.customers import preferences

    version = preferences.set_preferences(world.sessions, ERASED, channel_order=["phone"],
                                          note="周三下午方便，女儿在深圳读书",
                                          staff_id=supervisor.id)
    preferences.set_preferences(world.sessions, ERASED, channel_order=["phone"],
                                note="只在周末打，丈夫姓罗", staff_id=supervisor.id,
                                expected_version=version)
    assert "女儿在深圳读书" in _all_text(world) and "丈夫姓罗" in _all_text(world)
    erase_customer(world.sessions, supervisor, ERASED, reason="客户来电要求")
    text = _all_text(world)
    assert "女儿在深圳读书" not in text and "丈夫姓罗" not in text
    with world.sessions() as s:  # the entries stay, the notes masked in them
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "set_preferences", AuditLog.entity_id == ERASED)) == 3


def test_a_refused_erasure_leaves_no_backup_and_a_done_one_keeps_its_own(world, supervisor):
    # A copy is made just before an erasure, for a mistaken one. A refused erasure stored
    # nothing, so its copy would only push an older backup out of those kept.
    from services.store.backup import list_backups, place_of

    place = place_of(world.sessions)

    def erase_backups() -> int:
        return sum(b.reason == "erase" for b in list_backups(place))

    before = erase_backups()
    erase_customer(world.sessions, supervisor, ERASED)
    made = erase_backups()
    if world.url.startswith("sqlite"):
        assert made == before + 1
    with pytest.raises(RevisitError, match="already erased"):
        erase_customer(world.sessions, supervisor, ERASED)
    with pytest.raises(RevisitError, match="no customer #999999"):
        erase_customer(world.sessions, supervisor, 999999)
    assert erase_backups() == made
