"""A customer's contact person (联系人): a company owns the car, 王经理 takes the calls. Read from a
DMS export's 联系人 column, typed on the customer's page, found by search, greeted on every list
(the call sheet, the Excel list, the SMS 称呼, the mail label), kept by a merge and gone with an
erasure, on both databases."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from sqlalchemy import select

from models import (
    AuditLog,
    ContactPreference,
    Customer,
    ListRunMember,
    ProfileChange,
    StaffUser,
    Vehicle,
)
from services.contacts import calls
from services.customers import contact_details as cd
from services.customers import merge, search
from services.customers.erase import erase_customer
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.lists import build, runs
from services.outputs import labels, pdf_call_sheet, run_files
from services.outputs.sms import MergeText
from services.segments import service as segments
from services.store.errors import RevisitError
from services.store.settings import load_settings
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 12, 4)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["客户名称", "联系人", "联系人电话", "车牌号", "车系", "购车日期"]
COMPANY = "深圳市华盛贸易有限公司"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


def _people(database) -> dict[str, str | None]:
    with database.sessions() as s:
        return {name: contact for name, contact in s.execute(
            select(Customer.name, Customer.contact_name))}


def test_an_owners_file_keeps_each_companys_contact_and_no_one_twice(database, tmp_path):
    path = write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        [COMPANY, "王建国", "13800138001", "粤B12345", "凯美瑞", "2021-05-01"],
        # The owner named by their form of address, or by their own name: no one else.
        ["张三", "张先生", "13800138002", "粤B22345", "雅阁", "2022-05-01"],
        ["李四", "李四", "13800138003", "粤B32345", "雅阁", "2022-05-01"],
        # No name in the row: the contact is the customer.
        [None, "赵六", "13800138004", "粤B42345", "雅阁", "2022-05-01"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (4, 0)
    assert _people(database) == {COMPANY: "王建国", "张三": None, "李四": None, "赵六": None}


def test_a_file_whose_only_name_column_is_the_contact_names_its_customers_by_it(database,
                                                                               tmp_path):
    path = write_xlsx(tmp_path / "名单.xlsx", ["联系人", "手机", "车牌"], [
        ["周杰", "13800138005", "粤B52345"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (1, 0)
    assert _people(database) == {"周杰": None}


def test_a_new_contact_in_a_later_file_is_kept_with_its_history_and_undone(database, tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", HEADERS, [
        [COMPANY, "王建国", "13800138001", "粤B12345", "凯美瑞", "2021-05-01"]])
    apply(database.sessions, first, CUSTOMERS)
    later = write_xlsx(tmp_path / "b.xlsx", HEADERS, [
        [COMPANY, "刘敏", "13800138001", "粤B12345", "凯美瑞", "2021-05-01"]])
    result = apply(database.sessions, later, CUSTOMERS)
    assert result.changed_fields == {"contact_name": 1}
    assert _people(database) == {COMPANY: "刘敏"}
    with database.sessions() as s:
        change = s.scalars(select(ProfileChange).where(
            ProfileChange.attribute == "contact_name")).one()
        assert (change.old_value, change.new_value, change.source) == ("王建国", "刘敏", "import")
    # A file without the column, or with it empty, leaves the contact as it is.
    blank = write_xlsx(tmp_path / "c.xlsx", HEADERS, [
        [COMPANY, None, "13800138001", "粤B12345", "凯美瑞", "2021-05-01"]])
    assert apply(database.sessions, blank, CUSTOMERS).changed_fields == {}
    batches.undo_batch(database.sessions, result.batch_id)
    assert _people(database) == {COMPANY: "王建国"}


@pytest.fixture
def company(database) -> int:
    with database.sessions.begin() as s:
        c = Customer(code="C1", name=COMPANY, mobile="13800138001", province="广东省",
                     city="深圳市", district="福田区", street="深南大道1号", postcode="518000")
        s.add(c)
        s.flush()
        s.add(Vehicle(customer_id=c.id, brand="丰田", model="凯美瑞", plate="粤B12345",
                      purchase_date=dt.date(2021, 5, 1)))
        return c.id


def test_the_contact_is_typed_saved_with_history_and_found_by_search(database, company):
    details, version = cd.load_details(database.sessions, company)
    assert details.contact_name is None
    saved = cd.save_contact_details(
        database.sessions, company,
        cd.ContactDetails(**{**details.__dict__, "contact_name": "  王经理 "}),
        expected_version=version)
    assert saved.details is not None and saved.details.contact_name == "王经理"
    assert cd.load_details(database.sessions, company) == (saved.details, saved.version)
    with database.sessions() as s:
        change = s.scalars(select(ProfileChange).where(
            ProfileChange.attribute == "contact_name")).one()
        assert (change.old_value, change.new_value, change.source) == (None, "王经理", "manual")
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "save_contact_details")).one()
        assert "contact_name" in entry.detail
    assert search.find_ids(database.engine.connect, "王经理") == [company]
    assert search.find_ids(database.engine.connect, "经理") == [company]
    # Too long for the column: refused naming the field, nothing stored.
    with pytest.raises(RevisitError, match="Contact person is longer than 64"):
        cd.save_contact_details(database.sessions, company,
                                cd.ContactDetails(contact_name="王" * 65),
                                expected_version=saved.version)
    assert cd.load_details(database.sessions, company)[0].contact_name == "王经理"


def _with_contact(database, customer_id: int, contact: str | None) -> None:
    with database.sessions.begin() as s:
        s.get_one(Customer, customer_id).contact_name = contact


def _run(database, channel: str = "call"):
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    summary = build.build_run(database.sessions, "全部",
                              build.RunOptions(as_of=TODAY, channel=channel))
    return runs.load_document(database.sessions, summary.run_id)


def _person(database) -> int:
    with database.sessions.begin() as s:
        c = Customer(code="C2", name="陈国", gender="M", mobile="13800138009",
                     province="广东省", city="深圳市", district="南山区", street="科技园2号",
                     postcode="518057")
        s.add(c)
        s.flush()
        s.add(Vehicle(customer_id=c.id, brand="本田", model="雅阁", plate="粤B99999",
                      purchase_date=dt.date(2020, 5, 1)))
        return c.id


def _pdf_text(path) -> str:
    """The PDF's text in reading order, without its line breaks (a narrow column wraps)."""
    return "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout.split())


@needs_poppler
def test_every_call_list_greets_the_contact_and_the_person_as_before(database, company,
                                                                     tmp_path):
    _with_contact(database, company, "王经理")
    _person(database)
    doc = _run(database)
    by_name = {m.name: m for m in doc.members}
    assert (by_name[COMPANY].salutation, by_name[COMPANY].contact_person) == ("王经理", "王经理")
    assert (by_name["陈国"].salutation, by_name["陈国"].contact_person) == ("陈先生", None)
    assert MergeText("{称呼}您好").fill(by_name[COMPANY]) == "王经理您好"
    settings = load_settings(database.sessions)
    (excel,) = run_files.plan_run_files(doc, tmp_path / "calls.xlsx", "xlsx")
    rows = list(openpyxl.load_workbook(run_files.write_run_file(doc, excel, settings).path)
                .active.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    greeted = {r[col["姓名"]]: r[col["称呼"]] for r in rows[1:]}
    assert greeted == {COMPANY: "王经理", "陈国": "陈先生"}
    sheet = _pdf_text(pdf_call_sheet.write_call_sheet(doc, tmp_path / "calls.pdf"))
    # Under the company's name, whom the caller asks for; no such line for the person.
    assert f"{COMPANY[:4]}" in sheet and sheet.count("找王经理") == 1 and sheet.count("找") == 1


@needs_poppler
def test_a_label_goes_to_the_contact_at_the_company(database, company, tmp_path):
    _with_contact(database, company, "王建国")
    person = _person(database)
    with database.sessions.begin() as s:
        for cid in (company, person):
            s.add(ContactPreference(customer_id=cid, channel_order="mail"))
    doc = _run(database, "mail")
    assert {labels.addressee(m) for m in doc.members} == {f"{COMPANY}\n王建国 收", "陈国 先生 收"}
    printed = _pdf_text(labels.write_labels(doc, tmp_path / "labels.pdf"))
    assert "王建国收" in printed and "陈国先生收" in printed


def test_a_stored_run_from_before_the_contact_reads_back_without_one(database, company):
    doc = _run(database)
    (member,) = doc.members
    assert member.contact_person is None and member.salutation == COMPANY
    with database.sessions.begin() as s:
        row = s.scalars(select(ListRunMember)).one()
        # The snapshot as runs stored it before the contact person was kept: one value fewer.
        assert row.snapshot.endswith(", null]")
        row.snapshot = row.snapshot[:-len(", null]")] + "]"
    (again,) = runs.load_document(database.sessions, doc.run_id).members
    assert again == member


def test_a_merge_keeps_the_contact_and_an_erasure_takes_it_everywhere(database, company,
                                                                       supervisor):
    other = _person(database)
    with database.sessions.begin() as s:
        s.get_one(Customer, other).name = COMPANY
    _with_contact(database, other, "王经理")
    merge.merge_customers(database.sessions, company, other, today=TODAY)
    assert _people(database) == {COMPANY: "王经理"}
    doc = _run(database)
    erase_customer(database.sessions, supervisor, company, reason="客户来电要求")
    with database.sessions() as s:
        assert s.get_one(Customer, company).contact_name is None
        snapshots = s.scalars(select(ListRunMember.snapshot).where(
            ListRunMember.run_id == doc.run_id)).all()
    assert snapshots and not any("王经理" in x for x in snapshots)


def test_a_segment_finds_the_companies_by_their_contact(database, company):
    person = _person(database)
    _with_contact(database, company, "王经理")

    def who(op: str, value: object = None) -> set[int]:
        cond = {"field": "contact_name", "op": op, **({} if value is None else {"value": value})}
        return {c for c, _ in segments.member_ids(database.sessions,
                                                  {"version": 1, "where": cond}, TODAY)}

    assert who("not_null") == {company}
    assert who("is_null") == {person}
    assert who("contains", "经理") == {company}


def test_the_callers_queue_says_whom_to_ask_for(database, company):
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        s.add(staff)
        s.flush()
        staff_id = staff.id
    _with_contact(database, company, "王经理")
    person = _person(database)
    for cid in (company, person):
        calls.record_call(database.sessions, cid, staff_id,
                          calls.CallResult(outcome="no_answer", next_follow_up=TODAY),
                          at=dt.datetime(2026, 12, 1, 10, 0))
    due = {c.customer_id: c.who for c in calls.queue(database.sessions, staff_id, TODAY).calls}
    assert due == {company: f"{COMPANY}（王经理）", person: "陈国"}
