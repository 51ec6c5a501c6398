"""List runs on SQLite and PostgreSQL: routing, every exclusion reason, recycling, callers,
re-print from the stored run, diff with the last run, outcomes back and unsubscribe files."""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading

import openpyxl
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from models import (
    AuditLog,
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    DoNotContact,
    ListRun,
    ListRunExclusion,
    ListRunMember,
    MileageReading,
    ProfileChange,
    StaffUser,
    Vehicle,
)
from services.contacts import calls
from services.lists import build, outcomes, rows_in, runs, unsubscribe
from services.lists.snapshot import SNAPSHOT_KEYS
from services.outputs import excel, labels
from services.outputs.types import ListMember, Steps
from services.segments import service as segments
from services.staff.permissions import Actor
from services.store.database import open_database
from services.store.errors import Cancelled, CancelToken, RevisitError
from services.store.settings import load_settings

AS_OF = dt.date(2026, 11, 23)


def _customer(s, i, mobile=None, order="phone,sms,mail", consent=True, street="光明西路1号",
              **prefs):
    c = Customer(code=f"C{i:03d}", name=f"客户{i}", gender="M", mobile=mobile or f"1380013{i:04d}",
                 province="广东省", city="广州市", district="海珠区", street=street,
                 postcode="510000")
    s.add(c)
    s.flush()
    s.add(Vehicle(customer_id=c.id, brand="丰田", model="凯美瑞", plate=f"粤A{i:05d}",
                  purchase_date=dt.date(2018, 1, 1)))
    s.add(ContactPreference(customer_id=c.id, channel_order=order, first_channel=order[:5],
                            **prefs))
    if consent:
        s.add(ConsentEvent(customer_id=c.id, granted=True, event_date=dt.date(2020, 1, 1),
                           source="visit"))
    return c


def _call(s, c, days_ago, outcome):
    s.add(ContactEvent(customer_id=c.id, contact_at=dt.datetime.combine(
        AS_OF - dt.timedelta(days=days_ago), dt.time(10)), channel="phone", purpose="sales",
        outcome=outcome))


def setup(db):
    with db.sessions.begin() as s:
        s.add_all([StaffUser(username="chenli", display_name="陈丽"),
                   StaffUser(username="liuyang", display_name="刘洋")])
        ok = [_customer(s, i, preferred_days="weekday", time_windows="evening")
              for i in (1, 12, 13, 14)]
        ok.append(_customer(s, 15, preferred_days="weekday", time_windows="morning"))
        c2 = _customer(s, 2)
        s.add(DoNotContact(customer_id=c2.id, channel="phone", purpose="sales",
                           reason="不要销售电话", set_on=dt.date(2026, 1, 1)))
        _customer(s, 3, consent=False)
        c4 = _customer(s, 4)
        s.add(Complaint(customer_id=c4.id, opened_date=dt.date(2026, 11, 1), topic="维修质量"))
        _call(s, _customer(s, 5), 5, "reached")
        _customer(s, 6, mobile="12345", order="phone")
        _customer(s, 7, order="mail", street=None)
        c8 = _customer(s, 8)
        for d in (30, 25, 20, 15, 10):
            _call(s, c8, d, "no_answer")
        _call(s, _customer(s, 9), 1, "no_answer")
        _customer(s, 10, mobile=c2.mobile, order="sms", preferred_days="weekend")
        c11 = _customer(s, 11)
        s.add(DoNotContact(customer_id=c11.id, reason="全部拒绝", set_on=dt.date(2026, 1, 1)))
    segments.save_segment(db.sessions, "全部客户", {"version": 1}, purpose="sales")
    return ok


def _run(db, finish: bool = True, **kw):
    """A run of 全部客户, finished as the CLI and the window finish one once its files are
    written (finish=False: as a process killed before that left it)."""
    opts = dict(staff=("chenli", "刘洋"), as_of=AS_OF) | kw
    summary = build.build_run(db.sessions, "全部客户", build.RunOptions(**opts))
    if finish:
        assert runs.finish_run(db.sessions, summary.run_id)
    return summary


def test_routing_exclusions_and_callers(database):
    setup(database)
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    by_code = {m.customer_code: m for m in doc.members}
    assert by_code["C001"].channel == "call"
    assert by_code["C002"].channel == "sms"  # refused sales calls, SMS next in preference
    assert by_code["C008"].channel == "sms"  # five failed calls: moves on
    assert "5 天未接通" in by_code["C008"].talking_points
    reasons = {e.customer_code: e.reason for e in doc.excluded}
    assert reasons == {"C003": "no_consent", "C004": "complaint", "C005": "recent_contact",
                       "C006": "no_mobile", "C007": "no_address", "C009": "retry_later",
                       "C010": "same_mobile", "C011": "dnc"}
    calls = doc.of_channel("call")
    assert summary.by_caller == {"陈丽": 3, "刘洋": 2}
    assert {m.caller for m in calls} == {"陈丽", "刘洋"}
    first = [m for m in calls if m.caller == "陈丽"][0]
    assert first.customer_code == "C015"  # weekday morning before weekday evening
    assert len({m.row_code for m in doc.members}) == len(doc.members)
    assert all(m.row_code.startswith(f"{summary.run_id}-") for m in doc.members)


def test_two_callers_of_one_name_keep_their_own_calls_told_apart_by_user_name(database):
    """Two 陈丽 on one run: each has her own calls under her own name on the sheet (which
    groups calls by the caller printed) and her own count; naming 陈丽 alone is refused, since
    it does not say which of them is meant."""
    setup(database)
    with database.sessions.begin() as s:
        s.add(StaffUser(username="chenli2", display_name="陈丽"))
    with pytest.raises(RevisitError, match=r"2 staff members are called '陈丽'; name one by "
                                           r"user name \(chenli, chenli2\)"):
        _run(database, staff=("陈丽", "刘洋"))
    summary = _run(database, staff=("chenli", "chenli2"))
    assert summary.by_caller == {"陈丽 (chenli)": 3, "陈丽 (chenli2)": 2}
    doc = runs.load_document(database.sessions, summary.run_id)
    with database.sessions() as s:
        staff_of = dict(s.execute(select(ListRunMember.row_code, StaffUser.username)
                                  .join(StaffUser, StaffUser.id
                                        == ListRunMember.assigned_staff_id)).all())
    assert {(m.caller, staff_of[m.row_code]) for m in doc.of_channel("call")} == {
        ("陈丽 (chenli)", "chenli"), ("陈丽 (chenli2)", "chenli2")}
    # Lists of staff in the window name them the same way; a name nobody shares stays bare.
    assert {p.username: p.shown for p in calls.staff_list(database.sessions)} == {
        "liuyang": "刘洋", "chenli": "陈丽 (chenli)", "chenli2": "陈丽 (chenli2)"}


@pytest.mark.parametrize(("options", "said"), [
    (dict(channel="fax"), "Unknown channel 'fax'"),
    (dict(purpose="lottery"), "Unknown purpose 'lottery'"),
    (dict(split=""), "Unknown way to split the calls ''")])
def test_an_unknown_channel_or_purpose_is_refused_before_anything_is_stored(database, options,
                                                                            said):
    setup(database)
    with pytest.raises(RevisitError, match=said):
        build.build_run(database.sessions, "全部客户", build.RunOptions(as_of=AS_OF, **options))
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ListRun)) == 0


class _Sink:
    """A build's members as handed on (build_run's `sink`)."""

    def __init__(self) -> None:
        self.told: list[int] = []
        self.handed: list[tuple[list, list[str] | None]] = []

    def begin(self, members: int) -> None:
        self.told.append(members)

    def add(self, members, snapshots=None) -> None:
        self.handed.append((list(members), snapshots))


def test_a_build_reports_every_chunk_stored_and_hands_on_every_member_in_order(database,
                                                                            monkeypatch):
    setup(database)
    monkeypatch.setattr(rows_in, "INSERT_CHUNK", 2)
    told: list[tuple[int, int]] = []
    sink = _Sink()
    summary = build.build_run(database.sessions, "全部客户",
                              build.RunOptions(staff=("chenli", "刘洋"), split="owner",
                                               as_of=AS_OF),
                              progress=lambda done, total: told.append((done, total)),
                              sink=sink, document=True)
    members, left = summary.members, sum(summary.excluded.values())
    total = members + left
    # Each chunk of members, then of the left-out, as stored; then the whole, once more.
    assert told == [(done, total) for done in (
        *range(2, members, 2), members, *range(members + 2, total, 2), total, total)]
    assert sink.told == [members]  # before the first chunk
    assert [len(chunk) for chunk, _ in sink.handed[:-1]] == [2] * (len(sink.handed) - 1)
    assert [m for chunk, _ in sink.handed for m in chunk] == list(summary.document.members)
    # Each with its snapshot as stored, which reads back as the member.
    with database.sessions() as s:
        stored = dict(s.execute(select(ListRunMember.row_code, ListRunMember.snapshot)).all())
    for chunk, snapshots in sink.handed:
        assert len(snapshots) == len(chunk)
        for m, snapshot in zip(chunk, snapshots, strict=True):
            assert snapshot == stored[m.row_code]
            assert ListMember.from_values(json.loads(snapshot)) == m
    with database.sessions() as s:  # what the run was made with, kept with it
        run = s.get(ListRun, summary.run_id)
        stored, held_back = json.loads(run.settings_json), run.contact_fatigue_days
    assert stored["staff"] == ["chenli", "刘洋"] and stored["split"] == "owner"
    # The fatigue days also in a column of their own, which callers' queues read.
    assert stored["contact_fatigue_days"] == held_back == load_settings(database.sessions) \
        .contact_fatigue_days > 0


def test_a_caller_who_owns_some_joins_the_turns_once_the_others_have_as_many(database):
    """Split by owner: chenli keeps the one customer she owns; the calls nobody owns go to
    whoever has fewest, in the sheet's order: liuyang and wangfang one each, then all three
    in turns (chenli included, her own call counted)."""
    with database.sessions.begin() as s:
        s.add_all([StaffUser(username=u, display_name=u) for u in ("chenli", "liuyang",
                                                                    "wangfang")])
        s.flush()
        chenli = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
        for i in range(1, 8):
            c = _customer(s, i, order="phone")
            c.name = f"N{i}"
            if i == 4:
                c.owner_staff_id = chenli
    segments.save_segment(database.sessions, "全部客户", {"version": 1}, purpose="care")
    build.build_run(database.sessions, "全部客户", build.RunOptions(
        as_of=AS_OF, staff=("chenli", "liuyang", "wangfang"), split="owner"))
    with database.sessions() as s:
        dealt = dict(s.execute(select(Customer.name, StaffUser.username)
                               .join(ListRunMember, ListRunMember.customer_id == Customer.id)
                               .join(StaffUser, StaffUser.id == ListRunMember.assigned_staff_id))
                     .all())
    assert dealt == {"N4": "chenli", "N1": "liuyang", "N2": "wangfang", "N3": "chenli",
                     "N5": "liuyang", "N6": "wangfang", "N7": "chenli"}


def test_the_left_out_read_back_reason_by_reason_in_the_sheets_order(database):
    """Within a reason, as the sheet orders people: preferred days (weekdays, any day,
    weekends), then the earliest hour (a stated one before none), then the name; never the
    order they were entered in."""
    made = [("Wang", "weekend", None), ("Li", "weekday", None), ("Zhao", "any", None),
            ("Chen", "weekday", None), ("Bai", "weekday", "evening"), ("An", "any", None)]
    with database.sessions.begin() as s:
        for i, (name, days, windows) in enumerate(made, start=40):
            c = _customer(s, i, preferred_days=days, time_windows=windows)
            c.name = name
            s.add(DoNotContact(customer_id=c.id, reason="拒绝", set_on=dt.date(2026, 1, 1)))
            # Two more without consent (a sales list's reason), entered the other way round.
            _customer(s, 60 - i, consent=False, preferred_days=days).name = name
    segments.save_segment(database.sessions, "全部客户", {"version": 1}, purpose="sales")
    summary = build.build_run(database.sessions, "全部客户",
                              build.RunOptions(as_of=AS_OF), document=True)
    doc = runs.load_document(database.sessions, summary.run_id)
    assert doc == summary.document
    sheet_order = ["Bai", "Chen", "Li", "An", "Zhao", "Wang"]  # Bai: weekday evenings
    for reason in ("dnc", "no_consent"):
        assert [e.name for e in doc.excluded if e.reason == reason] == sheet_order, reason


def test_forced_channel_and_reprint_identical_after_changes(database, tmp_path):
    setup(database)
    summary = _run(database, channel="mail")
    before = runs.load_document(database.sessions, summary.run_id)
    assert {m.channel for m in before.members} == {"mail"}
    a = labels.write_labels(before, tmp_path / "a.pdf")
    with database.sessions.begin() as s:
        s.execute(Customer.__table__.update().values(name="改名了", mobile="13999999999"))
    after = runs.load_document(database.sessions, summary.run_id)
    assert after == before
    assert labels.write_labels(after, tmp_path / "b.pdf").read_bytes() == a.read_bytes()


def test_a_run_stored_with_the_older_snapshots_reads_back_the_same(database):
    # Runs made before snapshots were stored as lists of values stored the dict of them.
    setup(database)
    summary = _run(database)
    now = runs.load_document(database.sessions, summary.run_id)
    m = ListRunMember
    with database.sessions.begin() as s:
        stored = s.execute(select(m.id, m.snapshot).where(m.run_id == summary.run_id)).all()
        assert stored
        assert {type(json.loads(snap)) for _, snap in stored} == {list}
        for row_id, snap in stored:
            older = json.dumps(dict(zip(SNAPSHOT_KEYS, json.loads(snap), strict=True)),
                               ensure_ascii=False)
            s.execute(m.__table__.update().where(m.id == row_id).values(snapshot=older))
    assert runs.load_document(database.sessions, summary.run_id) == now


@pytest.mark.parametrize("stop_after", [1, 5])  # while storing members; the left-out
def test_a_build_cancelled_part_way_stores_nothing_and_the_next_one_works(database, monkeypatch,
                                                                          stop_after):
    setup(database)
    monkeypatch.setattr(rows_in, "INSERT_CHUNK", 2)  # several chunks of members and left-out
    token, told = CancelToken(), []

    def progress(done, total):
        told.append((done, total))
        if len(told) == stop_after:
            token.cancel()  # Cancel clicked between two chunks

    with pytest.raises(Cancelled):
        build.build_run(database.sessions, "全部客户", build.RunOptions(as_of=AS_OF),
                        progress=progress, cancel=token)
    assert len(told) == stop_after and told[-1][0] < told[-1][1]  # stopped there
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ListRun)) == 0
        assert s.scalar(select(func.count()).select_from(ListRunMember)) == 0
        assert s.scalar(select(func.count()).select_from(ListRunExclusion)) == 0
    summary = _run(database)
    done = told[-1][0]
    if stop_after == 1:
        assert 0 < done < summary.members  # stopped among the members
    else:
        assert summary.members < done  # stopped among the left-out, after every member


class _Meanwhile(CancelToken):
    """A build's checks for Cancel as the moments between its steps: at the first (its facts
    read, nothing stored yet) a colleague does `change` on their own connection."""

    def __init__(self, change):
        super().__init__()
        self.change = change

    def check(self):
        change, self.change = self.change, None
        if change:
            change()
        super().check()


def _as_colleague(database, statement):
    """`statement` committed on a connection of its own, as a colleague's PC would."""
    colleague = open_database(database.url)
    try:
        with colleague.engine.begin() as conn:
            conn.execute(statement)
    finally:
        colleague.dispose()


def _remove(database, gone):
    """What a colleague removes: a member's customer (with their cars, by the database's own
    cascade), a member's car, or the caller the calls are dealt to."""
    customers, cars = Customer.__table__, Vehicle.__table__
    c12 = select(Customer.id).where(Customer.code == "C012").scalar_subquery()
    _as_colleague(database, {
        "customer": customers.delete().where(Customer.code == "C012"),
        # A member with no car: only the customer.
        "carless customer": customers.delete().where(Customer.code == "C013"),
        "vehicle": cars.delete().where(Vehicle.customer_id == c12),
        "caller": StaffUser.__table__.delete().where(StaffUser.username == "chenli"),
    }[gone])


@pytest.mark.parametrize("gone", ["customer", "carless customer", "vehicle", "caller"])
def test_something_removed_while_a_list_is_made_stores_nothing_and_says_so(database, gone):
    setup(database)
    with database.sessions.begin() as s:  # C013 has sold their car: a member without one
        s.execute(Vehicle.__table__.delete().where(Vehicle.customer_id == select(
            Customer.id).where(Customer.code == "C013").scalar_subquery()))
    with pytest.raises(RevisitError, match="Make the list again") as refused:
        build.build_run(database.sessions, "全部客户",
                        build.RunOptions(staff=("chenli",), as_of=AS_OF),
                        cancel=_Meanwhile(lambda: _remove(database, gone)))
    assert refused.value.template == build.REMOVED_MEANWHILE
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ListRun)) == 0
        assert s.scalar(select(func.count()).select_from(ListRunMember)) == 0
        assert s.scalar(select(func.count()).select_from(ListRunExclusion)) == 0
    if gone != "caller":  # the next build, made after the change, stores the run
        summary = _run(database, staff=("chenli",))
        with database.sessions() as s:
            members = set(s.scalars(select(ListRunMember.customer_id)
                                    .where(ListRunMember.run_id == summary.run_id)))
            assert members and members <= set(s.scalars(select(Customer.id)))


def _rename(database):
    """What a colleague saves meanwhile that removes nothing: another customer's new name."""
    _as_colleague(database, Customer.__table__.update().where(Customer.code == "C011")
                  .values(name="改名客户"))


def test_the_members_are_looked_up_again_only_when_someone_else_saved_meanwhile(database):
    """On SQLite the build checks that the customers and cars its facts read are still there
    (its foreign keys are off while it stores); nothing committed elsewhere since it began to
    read means nothing can be gone, and the look-up is spared."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's foreign keys check every member as it is stored")
    setup(database)
    lookups: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "NOT (EXISTS (SELECT customer.id" in statement:
            lookups.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        quiet = _run(database, staff=("chenli",))
        assert quiet.members > 0 and lookups == []
        busy = build.build_run(database.sessions, "全部客户",
                               build.RunOptions(staff=("chenli",), as_of=AS_OF),
                               cancel=_Meanwhile(lambda: _rename(database)))
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert len(lookups) == 1  # the colleague's save: looked up, and nothing was gone
    assert busy.members == quiet.members


def test_a_list_build_leaves_the_foreign_keys_checked_for_everyone_else(database):
    setup(database)
    _run(database)
    with database.engine.connect() as conn:  # a pooled connection, as any later action gets
        if database.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError):
            conn.execute(ListRunMember.__table__.insert().values(
                run_id=1, customer_id=10**9, channel="phone", position=1, row_code="x",
                attempts=0, status="open"))


def test_a_build_holds_the_collector_off_and_puts_it_back_as_it_was(database):
    setup(database)
    was_on = gc.isenabled()
    during: list[bool] = []
    try:
        for on in (True, False):
            (gc.enable if on else gc.disable)()
            build.build_run(database.sessions, "全部客户", build.RunOptions(as_of=AS_OF),
                            progress=lambda done, total: during.append(gc.isenabled()))
            assert gc.isenabled() is on
            with pytest.raises(RevisitError):  # a build that fails puts it back too
                build.build_run(database.sessions, "全部客户",
                                build.RunOptions(staff=("nobody",), as_of=AS_OF))
            assert gc.isenabled() is on
    finally:
        (gc.enable if was_on else gc.disable)()
    assert during and not any(during)


def test_opening_a_run_reads_what_the_window_shows_in_one_go(database):
    setup(database)
    summary = _run(database)
    opened = runs.open_run(database.sessions, summary.run_id)
    assert opened.info == runs.run_info(database.sessions, summary.run_id)
    assert opened.document == runs.load_document(database.sessions, summary.run_id)
    assert opened.settings == load_settings(database.sessions)


def test_opening_a_run_tells_how_many_members_are_read_and_can_be_cancelled(database):
    setup(database)
    summary = _run(database)
    told: list[tuple[int, int]] = []
    opened = runs.open_run(database.sessions, summary.run_id,
                           Steps(lambda done, total: told.append((done, total))))
    n = len(opened.document.members)
    assert n == summary.members > 0
    assert told[0] == (0, n) and told[-1] == (n, n)
    token = CancelToken()
    token.cancel()  # Cancel clicked while the run loads: nothing is shown
    with pytest.raises(Cancelled):
        runs.open_run(database.sessions, summary.run_id, Steps(cancel=token))


def test_diff_with_previous_run(database):
    setup(database)
    first = _run(database)
    with database.sessions.begin() as s:
        c1 = s.scalar(select(Customer.id).where(Customer.code == "C001"))
        s.add(DoNotContact(customer_id=c1, reason="拒绝", set_on=AS_OF))
        _customer(s, 20)
    mail = _run(database, channel="mail")  # other work on the same segment
    assert mail.previous_run_id is None
    second = _run(database)
    assert second.previous_run_id == first.run_id
    info = runs.run_info(database.sessions, second.run_id)
    assert info.new == ("C020 客户20",) and info.dropped == ("C001 客户1",)
    assert _run(database, channel="mail").previous_run_id == mail.run_id


def test_outcomes_back_idempotent_with_problems_by_row(database, tmp_path):
    setup(database)
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    path = excel.write_list(doc, "call", tmp_path / "calls.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    ws.cell(2, col["结果"], "预约")
    ws.cell(2, col["联系日期"], dt.date(2026, 11, 24))
    ws.cell(2, col["客户反馈"], "下周六上午来店")
    ws.cell(2, col["下次跟进"], "2026-11-28")
    ws.cell(2, col["当前里程(公里)"], "91,000")
    ws.cell(2, col["画像变化"], "婚姻=已婚；就业=企业主")
    ws.cell(3, col["结果"], "很好")
    ws.cell(4, col["结果"], "无人接听")
    ws.cell(4, col["编号"], "999-0001")
    ws.cell(5, col["结果"], "无人接听")
    ws.cell(5, col["联系日期"], "2026/11/24")
    wb.save(path)
    rep = outcomes.read_outcomes(database.sessions, path, today=dt.date(2026, 11, 25))
    assert (rep.stored, rep.already, rep.km_readings, rep.profile_changes) == (2, 0, 1, 2)
    assert [n for n, _ in rep.problems] == [3, 4]
    again = outcomes.read_outcomes(database.sessions, path, today=dt.date(2026, 11, 25))
    assert (again.stored, again.already) == (0, 2)
    code = ws.cell(2, col["编号"]).value
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContactEvent)
                        .where(ContactEvent.list_run_id == summary.run_id)) == 2
        ev = s.scalar(select(ContactEvent).where(ContactEvent.source_key.like(f"list:{code}:%")))
        assert (ev.outcome, ev.next_follow_up) == ("appointment", dt.date(2026, 11, 28))
        assert s.scalar(select(MileageReading.km).where(MileageReading.source == "call")) == 91000
        assert s.scalar(select(func.count()).select_from(ProfileChange)
                        .where(ProfileChange.source == "call")) == 2
        m = s.scalar(select(ListRunMember).where(ListRunMember.row_code == code))
        assert (m.attempts, m.status) == (1, "appointment")


def test_unsubscribe_file_sets_sms_dnc_once(database, tmp_path):
    setup(database)
    f = tmp_path / "td.csv"
    f.write_text("手机号码,内容\n+86 13800130001,TD\n13911112222,T\n无号码,x\n",
                 encoding="utf-8-sig")
    rep = unsubscribe.read_unsubscribes(database.sessions, f, today=AS_OF)
    assert (rep.numbers, rep.customers_blocked, rep.unknown_numbers) == (2, 1, ("13911112222",))
    assert rep.unreadable_rows == (4,)
    assert unsubscribe.read_unsubscribes(database.sessions, f, today=AS_OF).already_blocked == 1
    summary = _run(database, channel="sms")
    doc = runs.load_document(database.sessions, summary.run_id)
    assert "C001" not in {m.customer_code for m in doc.members}
    assert {e.customer_code: e.reason for e in doc.excluded}["C001"] in ("dnc", "no_consent")


# --- a run and its files are one thing; outcomes in chunks ------------------------------------

def _queue(db, username):
    with db.sessions() as s:
        staff = s.scalar(select(StaffUser.id).where(StaffUser.username == username))
    return [c.row_code for c in calls.queue(db.sessions, staff, AS_OF).calls if c.row_code]


def test_an_unfinished_run_hands_out_nothing_until_a_reprint_finishes_it(database):
    setup(database)
    first = _run(database, finish=False)  # as a process killed while writing its files
    assert _queue(database, "chenli") == [] and _queue(database, "liuyang") == []
    assert [(r.run_id, r.finished) for r in runs.list_runs(database.sessions)] == [
        (first.run_id, False)]
    assert not runs.run_info(database.sessions, first.run_id).finished
    # Built again: the unfinished run was never this week's work, so it is not "previous",
    # and nobody gets the same customer twice.
    second = _run(database)
    assert second.previous_run_id is None
    chenli = _queue(database, "chenli")
    assert len(chenli) == 3 and all(code.startswith(f"{second.run_id}-") for code in chenli)
    # The second replaced the first: finishing the first now would call everyone twice.
    with pytest.raises(RevisitError, match=f"run #{first.run_id} was replaced by run "
                       f"#{second.run_id}"):
        runs.finish_run(database.sessions, first.run_id)
    assert not runs.finish_run(database.sessions, second.run_id)  # finished already
    assert len(_queue(database, "chenli")) == 3
    # A re-print finishes an unfinished run nothing replaced.
    third = _run(database, finish=False)
    assert third.previous_run_id == second.run_id
    assert len(_queue(database, "chenli")) == 3
    assert runs.finish_run(database.sessions, third.run_id)
    # The same customers on both: each is called once, from the later run.
    assert _queue(database, "chenli") == [f"{third.run_id}-{n:04d}" for n in (1, 2, 3)]
    # The runs say who made them and how far their contacts are: none made yet.
    assert [(r.run_id, r.purpose, r.contacted) for r in runs.list_runs(database.sessions)] == [
        (third.run_id, "sales", 0), (second.run_id, "sales", 0), (first.run_id, "sales", 0)]
    with database.sessions() as s:
        chenli = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
    due = calls.queue(database.sessions, chenli, AS_OF).calls[0]
    calls.record_call(database.sessions, due.customer_id, chenli, calls.CallResult("no_answer"),
                      member_id=due.member_id, seen_attempts=0)
    assert runs.list_runs(database.sessions)[0].contacted == 1


def test_the_queue_lists_promised_calls_newest_first_and_counts_every_call(database):
    setup(database)
    summary = _run(database)
    with database.sessions() as s:
        chenli = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
        listed = set(s.scalars(select(ListRunMember.customer_id).where(
            ListRunMember.run_id == summary.run_id, ListRunMember.assigned_staff_id == chenli)))
        others = s.scalars(select(Customer.id).where(Customer.id.not_in(listed))
                           .order_by(Customer.id)).all()
    # A call back asked for months ago, one for last week, one for today, and one from a
    # customer chenli also has on the list (called from the list).
    asked = [(others[0], dt.date(2026, 3, 2)), (others[1], AS_OF - dt.timedelta(days=7)),
             (others[2], AS_OF), (min(listed), AS_OF)]
    for customer, due in asked:
        calls.record_call(database.sessions, customer, chenli,
                          calls.CallResult(outcome="no_answer", next_follow_up=due),
                          at=dt.datetime.combine(AS_OF - dt.timedelta(days=300), dt.time(9)))
    due = calls.queue(database.sessions, chenli, AS_OF).calls
    assert [(c.customer_id, c.due) for c in due if c.row_code is None] == [
        (others[2], AS_OF), (others[1], AS_OF - dt.timedelta(days=7)),
        (others[0], dt.date(2026, 3, 2))]
    assert [c.row_code is None for c in due] == [True] * 3 + [False] * len(listed)
    assert calls.queue(database.sessions, chenli, AS_OF).total == len(due) == 3 + len(listed)
    # A short queue: at most `limit` of each, and the total still counts every call.
    short = calls.queue(database.sessions, chenli, AS_OF, limit=1).calls
    assert [c.customer_id for c in short][:1] == [others[2]] and len(short) == 2
    assert calls.queue(database.sessions, chenli, AS_OF).total == 3 + len(listed)


def _filled_call_list(db, tmp_path, run_id, rows: int):
    """The run's Excel call list with the first `rows` members marked 无人接听."""
    doc = runs.load_document(db.sessions, run_id)
    path = excel.write_list(doc, "call", tmp_path / f"calls-{rows}.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, 2 + rows):
        ws.cell(r, col["结果"], "无人接听")
        ws.cell(r, col["联系日期"], "2026-11-24")
    wb.save(path)
    return path


def test_outcomes_in_chunks_read_again_and_by_two_people_at_once(database, tmp_path):
    setup(database)
    summary = _run(database)
    with database.sessions() as s:
        boss = s.scalar(select(StaffUser).where(StaffUser.username == "liuyang"))
        actor = Actor(boss.id, boss.username, "supervisor", boss.display_name)
    # A read stopped after its first rows (killed) is finished by reading the whole file.
    part = _filled_call_list(database, tmp_path, summary.run_id, 2)
    whole = _filled_call_list(database, tmp_path, summary.run_id, 5)
    first = outcomes.read_outcomes(database.sessions, part, actor=actor,
                                   today=dt.date(2026, 11, 25), chunk=1)
    assert (first.stored, first.already) == (2, 0)
    # Two people read the same file at the same moment: each event is stored once.
    reports = []

    def read() -> None:
        reports.append(outcomes.read_outcomes(database.sessions, whole, actor=actor,
                                              today=dt.date(2026, 11, 25), chunk=1))

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Between them they store the three rows not read before, and each sees all five.
    assert [r.stored + r.already for r in reports] == [5, 5]
    assert sum(r.stored for r in reports) == 3 and len(reports) == 2
    with database.sessions() as s:
        events = s.scalars(select(ContactEvent).where(
            ContactEvent.list_run_id == summary.run_id)).all()
        assert len(events) == 5 == len({e.source_key for e in events})
        attempts = s.scalars(select(ListRunMember.attempts).where(
            ListRunMember.run_id == summary.run_id, ListRunMember.attempts > 0)).all()
        assert attempts == [1] * 5
        # Who read the file in is on record, chunk by chunk.
        audited = s.execute(select(AuditLog.staff_id, AuditLog.entity_id, AuditLog.detail)
                            .where(AuditLog.action == "read_outcomes")).all()
    assert {(who, run) for who, run, _ in audited} == {(boss.id, summary.run_id)}
    assert sum(json.loads(detail)["stored"] for _, _, detail in audited) == 5


def test_a_reprint_leaves_out_whoever_refused_since_the_run_was_made(database, tmp_path):
    import subprocess

    from services.outputs import run_files
    from services.outputs.run_files import FileRequest

    setup(database)
    summary = _run(database)
    made = runs.load_document(database.sessions, summary.run_id)
    by_code = {m.customer_code: m for m in made.members}
    assert by_code["C001"].channel == "call" and by_code["C002"].channel == "sms"
    today = dt.date.today()
    with database.sessions.begin() as s:
        ids = dict(s.execute(select(Customer.code, Customer.id)).all())
        s.add_all([
            # Closes the call: a phone refusal of sales, the run's purpose.
            DoNotContact(customer_id=ids["C001"], channel="phone", purpose="sales",
                         reason="别再打电话", set_on=today),
            # Closes the SMS: the vendor's unsubscribe is an SMS refusal of every purpose.
            DoNotContact(customer_id=ids["C002"], channel="sms", reason="短信退订 TD",
                         set_on=today),
            # None of these closes anything: another channel, another purpose, lifted, or
            # expired already.
            DoNotContact(customer_id=ids["C012"], channel="sms", reason="不要短信", set_on=today),
            DoNotContact(customer_id=ids["C013"], channel="phone", purpose="recall",
                         reason="不要召回电话", set_on=today),
            DoNotContact(customer_id=ids["C014"], reason="曾拒绝", set_on=today - dt.timedelta(3),
                         lifted_on=today),
            DoNotContact(customer_id=ids["C015"], reason="短期勿扰",
                         set_on=today - dt.timedelta(9), expires_on=today),
        ])
    again = runs.load_document(database.sessions, summary.run_id)
    assert [m.customer_code for m in again.members] == [
        m.customer_code for m in made.members if m.customer_code not in ("C001", "C002")]
    refused = {e.customer_code: e for e in again.excluded if e.reason == "refused_since"}
    assert set(refused) == {"C001", "C002"}
    assert refused["C001"].detail == f"名单生成后要求勿扰（{today} 起）：别再打电话"
    assert refused["C002"].mobile == by_code["C002"].mobile
    # The stored exclusions stay, and every reason's group stays together in byte order.
    assert [e for e in again.excluded if e.reason != "refused_since"] == list(made.excluded)
    reasons = [e.reason.encode() for e in again.excluded]
    assert reasons == sorted(reasons)
    # The stored run itself is as it was made: only its printing leaves them out.
    assert runs.run_info(database.sessions, summary.run_id).by_channel == {
        "phone": len(made.of_channel("call")), "sms": len(made.of_channel("sms"))}
    st = load_settings(database.sessions)
    sheet = run_files.write_run_file(
        again, FileRequest(run_files.CALL_SHEET, tmp_path / "sheet.pdf", "pdf"), st)
    printed = subprocess.run(["pdftotext", "-layout", str(sheet.path), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert "名单生成后要求勿扰" in printed and "别再打电话" in printed
    assert by_code["C001"].mobile not in printed.split("人未列入")[0]  # not on the sheet itself
    texts = run_files.write_run_file(
        again, FileRequest(run_files.SMS_LIST, tmp_path / "sms.xlsx", "xlsx"), st)
    rows = list(openpyxl.load_workbook(texts.path, read_only=True).active
                .iter_rows(values_only=True))
    assert by_code["C002"].mobile not in {str(v) for row in rows for v in row}
    assert len(rows) - 1 == len(again.of_channel("sms")) == len(made.of_channel("sms")) - 1


def test_making_a_run_is_in_the_audit_trail_with_who_and_what(database):
    from services.staff.audit import AuditFilter, read_audit
    from services.staff.audit_words import detail_words

    setup(database)
    with database.sessions() as s:
        chen = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
    summary = _run(database, created_by=chen)
    with database.sessions() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "build_list_run")).one()
    assert (entry.entity, entity_id := entry.entity_id, entry.staff_id) == (
        "list_run", summary.run_id, chen)
    assert json.loads(entry.detail) == {
        "name": "全部客户", "date": "2026-11-23", "purpose": "sales", "mode": "auto",
        "members": summary.members, "excluded": sum(summary.excluded.values())}
    boss = Actor(chen, "chenli", "supervisor", "陈丽")
    shown = read_audit(database.sessions, boss, AuditFilter(action="build_list_run"))
    assert [e.entity_id for e in shown.entries] == [entity_id]
    assert "渠道：按客户偏好" in detail_words(shown.entries[0], "zh")
    assert "Channel: By preference" in detail_words(shown.entries[0], "en")
