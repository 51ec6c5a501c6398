"""Withdrawing a list run made by mistake, on SQLite and PostgreSQL: its calls leave every
queue and come back when it is put back; who may do it; two people at once; what else treats a
withdrawn run as never having been the week's work; the audit trail."""

from __future__ import annotations

import datetime as dt
import threading

import openpyxl
import pytest
from sqlalchemy import select

from models import AuditLog, ContactEvent, Customer, ListRun, StaffUser
from services.contacts import calls
from services.lists import outcomes, runs
from services.outputs import excel
from services.reports import effect
from services.staff.permissions import Actor, NotAllowed
from services.store.errors import RevisitError
from tests.services.test_lists_runs import AS_OF, _queue, _run, setup

BOSS = Actor(1, "boss", "supervisor", "王主管")


def _staff(db, username: str) -> Actor:
    with db.sessions() as s:
        row = s.execute(select(StaffUser.id, StaffUser.display_name)
                        .where(StaffUser.username == username)).one()
    return Actor(row.id, username, "clerk", row.display_name)


def test_a_withdrawn_run_leaves_every_queue_and_comes_back_when_put_back(database):
    setup(database)
    run = _run(database).run_id
    before = {who: _queue(database, who) for who in ("chenli", "liuyang")}
    assert before["chenli"] and before["liuyang"]
    # One call already made from the run stays recorded and closed.
    chenli = _staff(database, "chenli")
    first = calls.queue(database.sessions, chenli.id, AS_OF).calls[0]
    calls.record_call(database.sessions, first.customer_id, chenli.id,
                      calls.CallResult("reached"), purpose=first.purpose,
                      member_id=first.member_id, at=dt.datetime.combine(AS_OF, dt.time(9)))
    open_calls = len(before["chenli"]) - 1 + len(before["liuyang"])

    assert runs.withdraw_run(database.sessions, run, BOSS) == open_calls
    assert _queue(database, "chenli") == [] and _queue(database, "liuyang") == []
    assert calls.queue(database.sessions, chenli.id, AS_OF).total == 0
    info = runs.run_info(database.sessions, run)
    assert info.withdrawn and info.finished
    assert [(r.run_id, r.withdrawn) for r in runs.list_runs(database.sessions)] == [(run, True)]
    with database.sessions() as s:
        assert s.scalar(select(ContactEvent.outcome).where(
            ContactEvent.list_run_id == run)) == "reached"
    # Withdrawn twice (two supervisors at once, one after the other): the second is told.
    with pytest.raises(RevisitError, match=f"List run #{run} was already withdrawn"):
        runs.withdraw_run(database.sessions, run, BOSS)

    assert runs.reinstate_run(database.sessions, run, BOSS) == open_calls
    assert _queue(database, "chenli") == before["chenli"][1:]
    assert _queue(database, "liuyang") == before["liuyang"]
    with pytest.raises(RevisitError, match=f"List run #{run} is not withdrawn"):
        runs.reinstate_run(database.sessions, run, BOSS)
    with database.sessions() as s:
        trail = s.execute(select(AuditLog.action, AuditLog.entity_id, AuditLog.detail)
                          .where(AuditLog.entity == "list_run").order_by(AuditLog.id)).all()
    assert [(a, i) for a, i, _ in trail][-2:] == [("withdraw_list_run", run),
                                                  ("reinstate_list_run", run)]
    assert f'"open_calls": {open_calls}' in trail[-1].detail


def test_only_a_supervisor_or_the_runs_maker_may_withdraw_it(database):
    setup(database)
    chenli, liuyang = _staff(database, "chenli"), _staff(database, "liuyang")
    theirs = _run(database, created_by=chenli.id).run_id
    for who in (liuyang, None):
        with pytest.raises(NotAllowed):
            runs.withdraw_run(database.sessions, theirs, who)
    assert not runs.run_info(database.sessions, theirs).withdrawn
    assert runs.may_withdraw(chenli, chenli.id) and not runs.may_withdraw(liuyang, chenli.id)
    assert runs.withdraw_run(database.sessions, theirs, chenli) > 0
    with pytest.raises(NotAllowed):
        runs.reinstate_run(database.sessions, theirs, liuyang)
    assert runs.reinstate_run(database.sessions, theirs, BOSS) > 0


def test_of_two_people_withdrawing_at_once_one_is_told_it_was_done(database):
    setup(database)
    run = _run(database).run_id
    start = threading.Barrier(2)
    said: list[object] = []

    def withdraw() -> None:
        start.wait()
        try:
            said.append(runs.withdraw_run(database.sessions, run, BOSS))
        except RevisitError as exc:
            said.append(str(exc))

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(said) == 2 and sum(isinstance(x, int) for x in said) == 1, said
    assert any(isinstance(x, str) and f"List run #{run} was already withdrawn" in x
               for x in said), said
    assert _queue(database, "chenli") == [] and _queue(database, "liuyang") == []
    with database.sessions() as s:
        assert s.scalar(select(ListRun.withdrawn_at).where(ListRun.id == run)) is not None
        assert len(s.scalars(select(AuditLog.id).where(
            AuditLog.action == "withdraw_list_run")).all()) == 1


def test_a_withdrawn_run_is_never_the_previous_run_nor_one_that_replaced_another(database):
    setup(database)
    first = _run(database).run_id
    mistaken = _run(database, purpose="care").run_id
    runs.withdraw_run(database.sessions, mistaken, BOSS)
    # Next week's run compares with the run staff had, not the withdrawn one.
    next_week = _run(database)
    assert next_week.previous_run_id == first
    # Nor does a withdrawn run keep an earlier unfinished one from being finished.
    with database.sessions.begin() as s:
        s.add(Customer(code="C099", name="客户99"))
    unfinished = _run(database, finish=False).run_id
    later = _run(database).run_id
    runs.withdraw_run(database.sessions, later, BOSS)
    assert runs.finish_run(database.sessions, unfinished)
    # Put back after the segment was built again, it would call its customers twice.
    with pytest.raises(RevisitError, match=f"run #{mistaken} was replaced by run "
                       f"#{next_week.run_id}, "
                       "built later from the same segment, so it stays withdrawn"):
        runs.reinstate_run(database.sessions, mistaken, BOSS)
    assert runs.run_info(database.sessions, mistaken).withdrawn


def test_a_later_run_without_calls_replaces_no_calls(database):
    """The segment's mail or SMS run made after a call run was withdrawn calls nobody: the call
    run may come back, and its paper read back is not said to be replaced."""
    setup(database)
    mistaken = _run(database).run_id
    open_calls = runs.withdraw_run(database.sessions, mistaken, BOSS)
    for channel in ("mail", "sms"):
        _run(database, channel=channel)
    assert runs.reinstate_run(database.sessions, mistaken, BOSS) == open_calls
    assert _queue(database, "chenli")


def test_the_effect_report_leaves_a_withdrawn_run_out(database):
    setup(database)
    kept, mistaken = _run(database).run_id, _run(database, purpose="care").run_id
    assert [r[0] for r in effect.runs_between(database.sessions, AS_OF, AS_OF)] == [
        mistaken, kept]
    runs.withdraw_run(database.sessions, mistaken, BOSS)
    assert [r[0] for r in effect.runs_between(database.sessions, AS_OF, AS_OF)] == [kept]


def test_a_withdrawn_lists_paper_read_back_is_kept_and_says_the_list_was_withdrawn(database,
                                                                                   tmp_path):
    setup(database)
    run = _run(database).run_id
    path = excel.write_list(runs.load_document(database.sessions, run), "call",
                            tmp_path / "calls.xlsx")
    runs.withdraw_run(database.sessions, run, BOSS)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    ws.cell(2, col["结果"], "接通")
    ws.cell(2, col["联系日期"], AS_OF)
    wb.save(path)
    report = outcomes.read_outcomes(database.sessions, path, today=AS_OF)
    assert report.stored == 1  # the call was made: it is recorded
    assert [n.zh for n in report.notes] == [
        f"该文件是已撤回的名单 #{run}：文件中记录的联系照常保存，未拨打的不会回到待拨队列"]
    assert _queue(database, "chenli") == [] and _queue(database, "liuyang") == []


def test_a_run_built_without_callers_withdraws_no_queued_call(database):
    """Its calls were handed to nobody: withdrawing it takes none out of a queue."""
    setup(database)
    run = _run(database, staff=()).run_id
    assert runs.withdraw_run(database.sessions, run, BOSS) == 0
    assert runs.reinstate_run(database.sessions, run, BOSS) == 0


def test_a_template_saved_for_a_list_names_who_made_the_list(database):
    """The first run of a ready-made template saves it under its key: the audit trail names
    the person making the list, not nobody."""
    from services.lists import build
    from services.staff import accounts

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret1")
    build.build_run(database.sessions, "due.birthday",
                    build.RunOptions(as_of=AS_OF, created_by=boss.id))
    with database.sessions() as s:
        saved = s.scalars(select(AuditLog).where(AuditLog.action == "save_segment")).one()
    assert saved.staff_id == boss.id
