"""A list build refused before anything is saved, a run of nobody never stored, the SMS sending
time (the marketing window; a service notice outside it), and what a run's SMS file was written
with kept for its re-print — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from models import AuditLog, SavedSegment
from services.demo.generator import generate
from services.lists import asked as asking
from services.lists import build, runs
from services.outputs import run_files, sms
from services.segments import service as segments
from services.store.errors import RevisitError
from services.store.settings import load_settings

AS_OF = dt.date(2026, 11, 23)
WINDOW = (dt.time(8), dt.time(20))
MARKETING = "{称呼}您好，本店周末有保养优惠。"


@pytest.fixture
def demo_db(database):
    generate(database, 120, seed=5, today=AS_OF)
    return database


def _saved_and_audited(db) -> tuple[int, int]:
    with db.sessions() as s:
        return (s.scalar(select(func.count()).select_from(SavedSegment)),
                s.scalar(select(func.count()).select_from(AuditLog)))


def test_a_caller_nobody_is_refuses_the_build_before_the_template_is_saved(demo_db):
    before = _saved_and_audited(demo_db)
    options = build.RunOptions(staff=("nobody",), as_of=AS_OF)
    with pytest.raises(RevisitError, match="There is no staff member 'nobody'"):
        asking.check_asked(demo_db.sessions, "rfm.general_keep", options)
    with pytest.raises(RevisitError, match="Unknown purpose 'spam'"):
        asking.check_asked(demo_db.sessions, "rfm.general_keep",
                           build.RunOptions(purpose="spam", as_of=AS_OF))
    assert _saved_and_audited(demo_db) == before
    # build_run refuses it too, before it saves the template.
    with pytest.raises(RevisitError, match="There is no staff member 'nobody'"):
        build.build_run(demo_db.sessions, "rfm.general_keep", options)
    assert _saved_and_audited(demo_db) == before


def test_a_template_with_nobody_is_refused_before_it_is_saved(demo_db):
    before = _saved_and_audited(demo_db)
    day = dt.date(2001, 1, 1)  # nobody had a car then
    with pytest.raises(asking.NobodyToContact) as said:
        asking.check_asked(demo_db.sessions, "rfm.general_keep",
                           build.RunOptions(as_of=day))
    assert "has nobody on 2001-01-01" in str(said.value) and "nothing was stored" in str(
        said.value)
    assert _saved_and_audited(demo_db) == before


def test_a_run_nobody_can_be_on_is_not_stored(demo_db):
    # Everyone in it, for a sales list, refused sales: nobody left to contact.
    segments.save_segment(demo_db.sessions, "全部", {"version": 1}, purpose="sales")
    with demo_db.sessions.begin() as s:
        from models import Customer, DoNotContact

        for cid in s.scalars(select(Customer.id)):
            s.add(DoNotContact(customer_id=cid, channel=None, purpose="sales",
                               reason="test", set_on=AS_OF))
    options = build.RunOptions(as_of=AS_OF)
    asked = asking.check_asked(demo_db.sessions, "全部", options, count=True)
    assert asked.customers == segments.count(demo_db.sessions, {"version": 1},
                                             AS_OF).customers > 0
    with pytest.raises(asking.NobodyToContact):
        build.build_run(demo_db.sessions, "全部", options, sink=asking.RefuseEmpty())
    assert runs.list_runs(demo_db.sessions) == ()
    said = asking.nobody_to_contact(demo_db.sessions, "全部", asked, AS_OF)
    assert f"None of the {asked.customers} customers of the segment '全部'" in str(said)


def test_the_sending_time_of_marketing_and_of_a_service_notice():
    late, early = dt.datetime(2026, 12, 6, 20, 19, 31), dt.datetime(2026, 12, 7, 7, 5)
    # No time given: marketing waits for the window to open; a notice goes now.
    assert sms.planned_time(None, WINDOW, late) == dt.datetime(2026, 12, 7, 8, 0)
    assert sms.planned_time(None, WINDOW, early) == dt.datetime(2026, 12, 7, 8, 0)
    assert sms.planned_time(None, None, late) == dt.datetime(2026, 12, 6, 20, 19)
    # A time given outside the window: refused for marketing, kept for a notice.
    with pytest.raises(RevisitError, match="between 08:00 and 20:00"):
        sms.planned_time(late, WINDOW)
    assert sms.planned_time(late, None) == late
    assert sms.in_marketing_window("care", sms.default_text("care"))
    assert sms.in_marketing_window("sales", sms.default_text("sales"))
    assert not sms.in_marketing_window("reminder", sms.default_text("reminder"))
    assert not sms.in_marketing_window("recall", sms.default_text("recall"))
    assert sms.in_marketing_window("reminder", MARKETING)  # an offer is marketing


def _sms_run(db) -> int:
    segments.save_segment(db.sessions, "全部", {"version": 1}, purpose="reminder")
    return build.build_run(db.sessions, "全部", build.RunOptions(channel="sms", as_of=AS_OF)
                           ).run_id


def test_a_reminder_sms_file_is_written_outside_the_window_and_kept_for_re_printing(
        demo_db, tmp_path):
    run_id = _sms_run(demo_db)
    settings = load_settings(demo_db.sessions)
    doc = runs.load_document(demo_db.sessions, run_id)
    night = dt.datetime(2026, 11, 23, 21, 30)
    text = sms.default_text("reminder")
    request = run_files.FileRequest(run_files.SMS_FILE, tmp_path / "x-sms.xlsx",
                                    sms_text=text, send_at=night)
    run_files.check_run_files(doc, [request], settings)
    written = run_files.write_run_file(doc, request, settings, sessions=demo_db.sessions)
    assert written.send_at == night and written.notice and written.rows > 0
    kept = run_files.run_texts(demo_db.sessions, run_id)
    assert (kept.sms_text, kept.send_at, kept.purpose) == (text, night, "reminder")
    # The same text with an offer in it is marketing: refused at that hour.
    offer = run_files.FileRequest(run_files.SMS_FILE, tmp_path / "y-sms.xlsx",
                                  sms_text=MARKETING, send_at=night)
    with pytest.raises(RevisitError, match="between 08:00 and 20:00"):
        run_files.check_run_files(doc, [offer], settings)
    # A plain SMS list is never written over the vendor file with its messages.
    plain = run_files.FileRequest(run_files.SMS_LIST, request.path)
    with pytest.raises(RevisitError, match="x-sms.xlsx holds SMS messages"):
        run_files.check_kept([plain])
    header = next(openpyxl.load_workbook(request.path, read_only=True).active.iter_rows(
        max_row=1, values_only=True))
    assert "短信内容" in header
    # A plain list over a plain list is written as before.
    other = tmp_path / "plain-sms.xlsx"
    run_files.write_run_file(doc, run_files.FileRequest(run_files.SMS_LIST, other), settings)
    run_files.check_kept([run_files.FileRequest(run_files.SMS_LIST, other)])
