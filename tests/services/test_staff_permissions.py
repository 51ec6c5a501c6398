"""Protected actions are refused by their services, whoever calls: deleting saved segments and
writing list files with full phone numbers (staff get masked mobiles, no SMS vendor file)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import openpyxl
import pytest

from services.outputs import run_files, types
from services.outputs.run_files import FileRequest
from services.segments import service
from services.staff.audit import AuditFilter, read_audit
from services.staff.permissions import (
    DELETE_SEGMENTS,
    EXPORT_PHONES,
    PERMISSIONS,
    REFUSALS,
    Actor,
    NotAllowed,
    allowed,
    require,
)
from services.store.settings import Settings
from tests.services.test_run_files import SEND, SHOP, TEXT, mixed

OLD_CARS = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}
BOSS = Actor(1, "boss", "supervisor", "王主管")
ADMIN = Actor(2, "root", "admin")
CLERK = Actor(3, "chenli", "clerk", "陈丽")


def test_require_lets_supervisors_through_and_names_who_was_refused():
    for permission in PERMISSIONS:
        assert require(BOSS, permission) is BOSS and allowed(ADMIN, permission)
        with pytest.raises(NotAllowed) as refused:
            require(CLERK, permission)
        assert str(refused.value) == REFUSALS[permission].format(user="陈丽 (chenli)")
        assert str(refused.value).startswith("Only a supervisor ")
        with pytest.raises(NotAllowed, match="nobody is signed in"):
            require(None, permission)
    with pytest.raises(ValueError):
        allowed(BOSS, "fly")


@pytest.mark.parametrize("who", ["staff", "nobody"])
def test_only_a_supervisor_deletes_a_saved_segment(database, supervisor, staff, who):
    service.save_segment(database.sessions, "老车", OLD_CARS, staff_id=staff.id)
    with pytest.raises(NotAllowed) as refused:
        service.delete_segment(database.sessions, "老车", staff if who == "staff" else None)
    assert refused.value.permission == DELETE_SEGMENTS
    assert [i.name for i in service.list_segments(database.sessions)] == ["老车"]

    service.delete_segment(database.sessions, "老车", supervisor)
    assert service.list_segments(database.sessions) == ()
    entries = read_audit(database.sessions, supervisor, AuditFilter(action="delete_segment"))
    assert [(e.username, e.detail_data()["name"]) for e in entries.entries] == [("boss", "老车")]


def _mobiles(path) -> list[str]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = header.index("电话" if "电话" in header else "手机")
    return [r[column] for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]


def test_staff_files_have_masked_mobiles_and_no_sms_vendor_file(database, supervisor, staff,
                                                                tmp_path):
    doc = mixed()
    call_list = FileRequest(run_files.CALL_LIST, tmp_path / "calls.xlsx")
    sms_file = FileRequest(run_files.SMS_FILE, tmp_path / "sms.xlsx", sms_text=TEXT,
                           send_at=SEND)
    full = [m.mobile for m in doc.of_channel("call")]

    run_files.write_run_file(doc, call_list, Settings(), supervisor, sessions=database.sessions)
    assert _mobiles(call_list.path) == full
    for nobody in (staff, None):
        written = run_files.write_run_file(doc, call_list, Settings(), nobody,
                                           sessions=database.sessions)
        assert written.rows == len(full)
        assert _mobiles(call_list.path) == [f"{m[:3]}****{m[-4:]}" for m in full]
        with pytest.raises(NotAllowed) as refused:
            run_files.write_run_file(doc, sms_file, SHOP, nobody)
        assert refused.value.permission == EXPORT_PHONES
        assert not sms_file.path.exists()
    run_files.write_run_file(doc, sms_file, SHOP, supervisor)
    assert sms_file.path.exists()

    trail = read_audit(database.sessions, supervisor, AuditFilter(action="export_list_file"))
    assert [(e.username, e.detail_data()["full_phones"]) for e in trail.entries] == [
        ("", False), ("chenli", False), ("boss", True)]


def test_a_call_sheet_for_staff_masks_the_excluded_too(tmp_path):
    doc = mixed()
    hidden = run_files.masked(dataclasses.replace(doc, excluded=doc.excluded))
    assert all("****" in m.mobile for m in hidden.members if m.mobile)
    assert all("****" in e.mobile for e in hidden.excluded if e.mobile)
    assert hidden.excluded and hidden.excluded[0].mobile == "139****0000"


@pytest.mark.parametrize(("number", "shown"), [
    ("13800138080", "138****8080"), ("+86 138-0013-8080", "138****8080"),
    ("020-87654321", "020-****4321"), ("0571-8765432-1234", "0571-***5432-1234"),
    ("020 8765 4321", "*******4321"), ("87654321", "****4321"), ("123", "***"), ("", ""),
    (None, None),
])
def test_mask_phone(number, shown):
    assert types.mask_phone(number) == shown


def test_a_caller_passing_no_actor_is_not_checked(tmp_path):
    # The window's outputs panel, until it passes the signed-in person.
    request = FileRequest(run_files.SMS_FILE, tmp_path / "sms.xlsx", sms_text=TEXT, send_at=SEND)
    assert run_files.write_run_file(mixed(), request, SHOP).rows > 0


def test_staff_print_call_sheets_with_full_mobiles_but_do_not_keep_them(tmp_path, staff):
    doc = mixed()
    sheet = FileRequest(run_files.CALL_SHEET, tmp_path / "print.pdf", "pdf")
    assert run_files.write_run_file(doc, sheet, Settings(), staff, for_printing=True).rows == 3
    with pytest.raises(ValueError):
        run_files.write_run_file(doc, FileRequest(run_files.CALL_LIST, tmp_path / "c.xlsx"),
                                 Settings(), staff, for_printing=True)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
@pytest.mark.parametrize(("who", "printing", "full"), [
    ("staff", True, True), ("staff", False, False), ("nobody", True, False),
    ("supervisor", False, True),
])
def test_which_call_sheets_show_full_mobiles(tmp_path, supervisor, staff, who, printing, full):
    actor = {"staff": staff, "supervisor": supervisor, "nobody": None}[who]
    doc = mixed()
    path = tmp_path / "sheet.pdf"
    run_files.write_run_file(doc, FileRequest(run_files.CALL_SHEET, path, "pdf"), Settings(),
                             actor, for_printing=printing)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    first = doc.of_channel("call")[0].mobile
    assert (first in text) is full and (f"{first[:3]}****{first[-4:]}" in text) is not full
