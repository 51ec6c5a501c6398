"""The tag vocabulary and tagging customers, on SQLite and PostgreSQL: supervisors' edits with
usage counts, refusals for staff, stale edits (between two sessions, and between two real
processes), name clashes (also two processes adding one name at once), saved segments following
a rename, and tagging deltas with their audit rows."""

from __future__ import annotations

import json
import multiprocessing
import re
import threading
import time

import pytest
from sqlalchemy import select, text

from models import AuditLog, Customer, CustomerTag, SavedSegment
from models.db import make_engine
from services.customers import customer_tags as ct
from services.customers import tags
from services.segments import service as segments
from services.staff.permissions import NOT_PASSED, NotAllowed
from services.store.database import open_database
from services.store.errors import RevisitError, StaleEdit


@pytest.fixture
def vocab(database, supervisor):
    """Two groups: 客群 with 老年人 and 企业主, 兴趣 with 钓鱼; two customers."""
    group = tags.add_group(database.sessions, supervisor, "客群")
    elderly = tags.add_tag(database.sessions, supervisor, group.id, "老年人")
    owners = tags.add_tag(database.sessions, supervisor, group.id, "企业主")
    hobby = tags.add_group(database.sessions, supervisor, "兴趣")
    fishing = tags.add_tag(database.sessions, supervisor, hobby.id, "钓鱼")
    with database.sessions.begin() as s:
        s.add_all([Customer(code="C1", name="张伟"), Customer(code="C2", name="李娜")])
    with database.sessions() as s:
        ids = dict(s.execute(select(Customer.code, Customer.id)).all())
    return {"group": group, "elderly": elderly, "owners": owners, "hobby": hobby,
            "fishing": fishing, "c1": ids["C1"], "c2": ids["C2"]}


def _actions(database, entity: str, entity_id: int) -> list[tuple[str, dict]]:
    with database.sessions() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.detail)
                         .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
                         .order_by(AuditLog.id)).all()
    return [(a, json.loads(d)) for a, d in rows]


def test_vocabulary_lists_groups_tags_and_usage(database, supervisor, staff, vocab):
    ct.add_customer_tag(database.sessions, staff, vocab["c1"], vocab["elderly"].id)
    ct.add_customer_tag(database.sessions, staff, vocab["c2"], vocab["elderly"].id)
    ct.add_customer_tag(database.sessions, staff, vocab["c2"], vocab["fishing"].id)
    groups = tags.vocabulary(database.sessions)
    assert [g.name for g in groups] == ["客群", "兴趣"]
    assert [(t.name, t.customers, t.active) for t in groups[0].tags] == [
        ("老年人", 2, True), ("企业主", 0, True)]
    assert groups[1].tags[0].path == "兴趣/钓鱼" and groups[1].tags[0].customers == 1
    assert tags.find_tag(database.sessions, "客群", "企业主").id == vocab["owners"].id
    with pytest.raises(RevisitError, match="no tag named “渔夫”"):
        tags.find_tag(database.sessions, "兴趣", "渔夫")
    with pytest.raises(RevisitError, match="no tag group named “行业”"):
        tags.find_group(database.sessions, "行业")


def test_supervisor_edits_are_versioned_and_audited(database, supervisor, vocab):
    sessions, elderly = database.sessions, vocab["elderly"]
    renamed = tags.rename_tag(sessions, supervisor, elderly.id, elderly.version, "银发族")
    assert (renamed.name, renamed.version) == ("银发族", 2)
    retired = tags.set_tag_active(sessions, supervisor, elderly.id, renamed.version, False)
    assert not retired.active and retired.version == 3
    back = tags.set_tag_active(sessions, supervisor, elderly.id, retired.version, True)
    assert back.active and back.version == 4
    group = tags.rename_group(sessions, supervisor, vocab["group"].id, 1, "人群")
    assert (group.name, group.version, group.tags[0].path) == ("人群", 2, "人群/银发族")
    assert [a for a, _ in _actions(database, "tag", elderly.id)] == [
        "tag_add", "tag_rename", "tag_retire", "tag_reactivate"]
    assert _actions(database, "tag", elderly.id)[1][1] == {
        "group": "客群", "before": "老年人", "after": "银发族", "segments": []}
    assert _actions(database, "tag_group", group.id)[-1][1]["before"] == "客群"
    # Full-width letters and spaces typed with a Chinese input method are the plain ones.
    vip = tags.add_tag(sessions, supervisor, group.id, "  ＶＩＰ　客户 ")
    assert vip.name == "VIP 客户"


def test_names_are_unique_per_group_in_one_sentence(database, supervisor, vocab):
    sessions, group = database.sessions, vocab["group"]
    with pytest.raises(RevisitError) as exc:
        tags.add_tag(sessions, supervisor, group.id, "老年人")
    assert str(exc.value) == "The tag group “客群” already has a tag named “老年人”."
    tags.add_tag(sessions, supervisor, vocab["hobby"].id, "老年人")  # another group: fine
    vip = tags.add_tag(sessions, supervisor, group.id, "VIP")
    with pytest.raises(RevisitError, match="already has a tag named “VIP”"):
        tags.add_tag(sessions, supervisor, group.id, "vip")
    with pytest.raises(RevisitError, match="already has a tag named “企业主”"):
        tags.rename_tag(sessions, supervisor, vip.id, vip.version, "企业主")
    assert tags.rename_tag(sessions, supervisor, vip.id, vip.version, "Vip").name == "Vip"
    with pytest.raises(RevisitError, match="already a tag group named “兴趣”"):
        tags.add_group(sessions, supervisor, "兴趣")
    with pytest.raises(RevisitError, match="already a tag group named “兴趣”"):
        tags.rename_group(sessions, supervisor, group.id, group.version, "兴趣")
    for bad in ("", "   ", "x" * 41):
        with pytest.raises(RevisitError, match="1 to 40 characters"):
            tags.add_tag(sessions, supervisor, group.id, bad)
    with pytest.raises(RevisitError, match="cannot contain “/”"):
        tags.add_group(sessions, supervisor, "客群/老年")


def test_staff_may_tag_customers_but_not_edit_the_vocabulary(database, staff, vocab):
    sessions, elderly = database.sessions, vocab["elderly"]
    refusals = [
        lambda: tags.add_group(sessions, staff, "行业"),
        lambda: tags.rename_group(sessions, staff, vocab["group"].id, 1, "人群"),
        lambda: tags.add_tag(sessions, staff, vocab["group"].id, "宝妈"),
        lambda: tags.rename_tag(sessions, staff, elderly.id, 1, "银发族"),
        lambda: tags.set_tag_active(sessions, staff, elderly.id, 1, False),
        lambda: tags.delete_tag(sessions, staff, elderly.id, 1),
    ]
    for refused in refusals:
        with pytest.raises(NotAllowed) as exc:
            refused()
        assert str(exc.value) == ("Only a supervisor may add, rename or remove tags and tag "
                                  "groups; 陈丽 (chenli) is not a supervisor.")
    with pytest.raises(NotAllowed, match="nobody is signed in"):
        tags.add_group(sessions, None, "行业")
    assert [g.name for g in tags.vocabulary(sessions)] == ["客群", "兴趣"]
    assert ct.add_customer_tag(sessions, staff, vocab["c1"], elderly.id)


def test_a_database_without_accounts_edits_unchecked(database):
    group = tags.add_group(database.sessions, NOT_PASSED, "行业")
    tag = tags.add_tag(database.sessions, NOT_PASSED, group.id, "金融")
    assert tag.path == "行业/金融"
    assert _actions(database, "tag", tag.id) == [("tag_add", {"group": "行业", "after": "金融"})]


AT = r"at (\d{4}-\d\d-\d\d )?\d\d:\d\d since you opened it"  # a time; the day unless today


def test_a_stale_edit_names_who_changed_it_and_when(database, supervisor, vocab):
    from services.staff import accounts, signing

    accounts.add_account(database.sessions, supervisor, "liu", "刘主管", "supervisor", "pw-liu1")
    other = signing.sign_in(database.engine, "liu", "pw-liu1").actor
    loaded = {t.name: t for t in tags.vocabulary(database.sessions)[0].tags}  # this PC shows
    elderly, owners = loaded["老年人"], loaded["企业主"]
    tags.rename_tag(database.sessions, other, elderly.id, elderly.version, "银发族")
    for edit in (lambda: tags.rename_tag(database.sessions, supervisor, elderly.id,
                                         elderly.version, "长者"),
                 lambda: tags.set_tag_active(database.sessions, supervisor, elderly.id,
                                             elderly.version, False),
                 lambda: tags.delete_tag(database.sessions, supervisor, elderly.id,
                                         elderly.version)):
        with pytest.raises(StaleEdit) as exc:
            edit()
        assert re.fullmatch(f"刘主管 renamed the tag “老年人” to “银发族” {AT}; reload to see "
                            f"their change.", str(exc.value)), str(exc.value)
    assert tags.find_tag(database.sessions, "客群", "银发族").version == 2
    tags.set_tag_active(database.sessions, other, elderly.id, 2, False)
    with pytest.raises(StaleEdit, match=f"^刘主管 changed the tag “银发族” {AT}; reload"):
        tags.rename_tag(database.sessions, supervisor, elderly.id, 2, "长者")
    tags.delete_tag(database.sessions, other, owners.id, owners.version)
    with pytest.raises(StaleEdit, match=f"^刘主管 deleted the tag “企业主” {AT}; reload to see "
                                        f"the tags as they are now."):
        tags.rename_tag(database.sessions, supervisor, owners.id, owners.version, "老板")
    group = vocab["group"]
    tags.rename_group(database.sessions, other, group.id, group.version, "人群")
    with pytest.raises(StaleEdit, match=f"^刘主管 renamed the tag group “客群” to “人群” {AT}"):
        tags.rename_group(database.sessions, supervisor, group.id, group.version, "客户群")


def test_an_edit_waiting_behind_another_pc_is_refused_as_stale(database, supervisor, vocab):
    """The other PC's change is not committed when this edit starts; the edit waits for the
    row's lock and then finds the version moved on."""
    elderly = vocab["elderly"]
    engine = make_engine(database.url)
    result: list[BaseException | object] = []
    with engine.connect() as other:
        other.execute(text("UPDATE tag SET name = '银发族', version = version + 1 WHERE id = :i"),
                      {"i": elderly.id})
        other.execute(text("INSERT INTO audit_log (at, staff_id, action, entity, entity_id, "
                           "detail) VALUES (CURRENT_TIMESTAMP, :s, 'tag_rename', 'tag', :i, "
                           ":d)"),
                      {"s": supervisor.id, "i": elderly.id,
                       "d": '{"group": "客群", "before": "老年人", "after": "银发族"}'})

        def edit():
            try:
                result.append(tags.rename_tag(database.sessions, supervisor, elderly.id,
                                              elderly.version, "长者"))
            except BaseException as exc:  # handed to the test thread
                result.append(exc)

        worker = threading.Thread(target=edit)
        worker.start()
        time.sleep(0.8)  # the edit waits for the row
        other.commit()
        worker.join(20)
    engine.dispose()
    assert isinstance(result[0], StaleEdit), result
    assert str(result[0]).startswith("王主管 renamed the tag “老年人” to “银发族” at ")
    assert tags.tag_info(database.sessions, elderly.id).name == "银发族"


def test_a_name_added_by_another_pc_meanwhile_is_a_clash_sentence(database, supervisor, vocab):
    """Both PCs checked the name was free; the unique index refuses the second insert, and the
    user reads the clash sentence, not the database's error."""
    engine = make_engine(database.url)
    result: list[BaseException | object] = []
    with engine.connect() as other:
        other.execute(text("INSERT INTO tag (group_id, name, active, version) "
                           "VALUES (:g, '宝妈', :t, 1)"), {"g": vocab["group"].id, "t": True})

        def add():
            try:
                result.append(tags.add_tag(database.sessions, supervisor, vocab["group"].id,
                                           "宝妈"))
            except BaseException as exc:  # handed to the test thread
                result.append(exc)

        worker = threading.Thread(target=add)
        worker.start()
        time.sleep(0.8)
        other.commit()
        worker.join(20)
    engine.dispose()
    assert type(result[0]) is RevisitError, result
    assert str(result[0]) == "The tag group “客群” already has a tag named “宝妈”."


def _in_process(url: str, barrier, results, edit: str, tag_id: int, group_id: int,
                user: str) -> None:
    """One of two processes (another PC): wait for the other, then make the edit."""
    from services.staff import signing
    from tests.conftest import SUPERVISOR_PASSWORD

    database = open_database(url, upgrade=False)
    try:
        actor = signing.sign_in(database.engine, user, SUPERVISOR_PASSWORD,
                                 record_it=False).actor
        barrier.wait(30)
        try:
            if edit == "rename":
                tags.rename_tag(database.sessions, actor, tag_id, 1, f"由{user}改名")
            else:
                tags.add_tag(database.sessions, actor, group_id, "宝妈")
            results.put(("ok", user))
        except RevisitError as exc:
            results.put((type(exc).__name__, str(exc)))
    finally:
        database.dispose()


def _race(database, supervisor, vocab, edit: str) -> list[tuple[str, str]]:
    from services.staff import accounts
    from tests.conftest import SUPERVISOR_PASSWORD

    accounts.add_account(database.sessions, supervisor, "liu", "刘主管", "supervisor",
                         SUPERVISOR_PASSWORD)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_in_process,
                         args=(database.url, barrier, results, edit, vocab["elderly"].id,
                               vocab["group"].id, user))
             for user in ("boss", "liu")]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return sorted(outcomes)


def test_two_processes_renaming_one_tag_one_wins(database, supervisor, vocab):
    outcomes = _race(database, supervisor, vocab, "rename")
    assert outcomes[0][0] == "StaleEdit" and outcomes[1][0] == "ok", outcomes
    winner = outcomes[1][1]
    names = {"boss": "王主管", "liu": "刘主管"}
    assert outcomes[0][1].startswith(
        f"{names[winner]} renamed the tag “老年人” to “由{winner}改名” at "), outcomes
    assert tags.tag_info(database.sessions, vocab["elderly"].id).version == 2


def test_two_processes_adding_one_name_one_wins(database, supervisor, vocab):
    outcomes = _race(database, supervisor, vocab, "add")
    assert outcomes == sorted([("RevisitError",
                                "The tag group “客群” already has a tag named “宝妈”."),
                               ("ok", outcomes[1][1])]), outcomes
    assert [t.name for t in tags.find_group(database.sessions, "客群").tags].count("宝妈") == 1


def test_retired_tags_keep_customers_and_segments_working(database, supervisor, staff, vocab):
    sessions, elderly = database.sessions, vocab["elderly"]
    ct.add_customer_tag(sessions, staff, vocab["c1"], elderly.id)
    segments.save_segment(sessions, "老年客户", {"version": 1, "where": {
        "field": "tags", "op": "has_any", "value": ["客群/老年人"]}})
    retired = tags.set_tag_active(sessions, supervisor, elderly.id, elderly.version, False)
    elderly_segment = segments.get_segment(sessions, "老年客户").filter
    assert segments.count(sessions, elderly_segment).customers == 1
    with pytest.raises(RevisitError) as exc:
        ct.add_customer_tag(sessions, staff, vocab["c2"], elderly.id)
    assert str(exc.value) == ("The tag “客群/老年人” is retired: customers who have it keep it, "
                              "but it is given to nobody new.")
    assert [t.active for t in ct.customer_tags(sessions, vocab["c1"])] == [False]
    with pytest.raises(RevisitError) as exc:
        tags.delete_tag(sessions, supervisor, elderly.id, retired.version)
    assert "is given to 1 customers, so it cannot be deleted; retire it instead" in str(exc.value)
    owners = vocab["owners"]
    tags.delete_tag(sessions, supervisor, owners.id, owners.version)  # unused: may go
    assert [t.name for t in tags.find_group(sessions, "客群").tags] == ["老年人"]
    assert _actions(database, "tag", owners.id)[-1] == ("tag_delete",
                                                      {"group": "客群", "before": "企业主"})


def test_saved_segments_follow_a_renamed_tag_and_group(database, supervisor, staff, vocab):
    sessions = database.sessions
    ct.add_customer_tag(sessions, staff, vocab["c1"], vocab["elderly"].id)
    ct.add_customer_tag(sessions, staff, vocab["c2"], vocab["fishing"].id)
    segments.save_segment(sessions, "老人或钓友", {"version": 1, "where": {"or": [
        {"field": "tags", "op": "has_any", "value": ["客群/老年人", "客群/企业主"]},
        {"not": {"field": "tags", "op": "has_none", "value": ["兴趣/钓鱼"]}}]}})
    elderly = tags.rename_tag(sessions, supervisor, vocab["elderly"].id, 1, "银发族")
    tags.rename_group(sessions, supervisor, vocab["hobby"].id, 1, "爱好")
    seg = segments.get_segment(sessions, "老人或钓友")
    saved = json.loads(segments.export_segment(sessions, "老人或钓友"))
    assert json.dumps(saved, ensure_ascii=False).count("客群/银发族") == 1
    assert "爱好/钓鱼" in json.dumps(saved, ensure_ascii=False)
    assert "客群/企业主" in json.dumps(saved, ensure_ascii=False)
    assert segments.count(sessions, seg.filter).customers == 2
    with database.sessions() as s:
        assert s.scalar(select(SavedSegment.version)) == 3  # an editor who had it open is told
    assert _actions(database, "tag", elderly.id)[-1][1]["segments"] == ["老人或钓友"]


def test_tagging_a_customer_is_a_delta_with_who_and_when(database, supervisor, staff, vocab):
    sessions, c1, elderly = database.sessions, vocab["c1"], vocab["elderly"]
    assert ct.add_customer_tag(sessions, staff, c1, elderly.id) is True
    assert ct.add_customer_tag(sessions, supervisor, c1, elderly.id) is False  # had it: no-op
    assert ct.add_customer_tag(sessions, supervisor, c1, vocab["fishing"].id) is True
    shown = ct.customer_tags(sessions, c1)
    assert [(t.path, t.tagged_by) for t in shown] == [("客群/老年人", "陈丽 (chenli)"),
                                                     ("兴趣/钓鱼", "王主管 (boss)")]
    assert all(t.tagged_at is not None for t in shown)
    assert ct.remove_customer_tag(sessions, staff, c1, elderly.id) is True
    assert ct.remove_customer_tag(sessions, supervisor, c1, elderly.id) is False  # gone: no-op
    assert [t.path for t in ct.customer_tags(sessions, c1)] == ["兴趣/钓鱼"]
    assert _actions(database, "customer", c1) == [
        ("customer_tag_add", {"customer": "C1", "tag": "客群/老年人", "tag_id": elderly.id}),
        ("customer_tag_add", {"customer": "C1", "tag": "兴趣/钓鱼",
                              "tag_id": vocab["fishing"].id}),
        ("customer_tag_remove", {"customer": "C1", "tag": "客群/老年人", "tag_id": elderly.id}),
    ]
    with database.sessions() as s:
        by = s.scalar(select(CustomerTag.tagged_by).where(CustomerTag.customer_id == c1))
    assert by == supervisor.id
    with pytest.raises(RevisitError, match="no longer in the database"):
        ct.add_customer_tag(sessions, staff, 999, elderly.id)
    with pytest.raises(RevisitError, match="The tag you opened no longer exists"):
        ct.add_customer_tag(sessions, staff, c1, 999)


def test_two_staff_tagging_one_customer_at_once_both_succeed(database, staff, supervisor, vocab):
    c2, elderly = vocab["c2"], vocab["elderly"]
    engine = make_engine(database.url)
    result: list[BaseException | object] = []
    with engine.connect() as other:  # a colleague's add, not yet committed
        other.execute(text("INSERT INTO customer_tag (customer_id, tag_id, tagged_at, "
                           "tagged_by) VALUES (:c, :t, CURRENT_TIMESTAMP, :s)"),
                      {"c": c2, "t": elderly.id, "s": supervisor.id})

        def add():
            try:
                result.append(ct.add_customer_tag(database.sessions, staff, c2, elderly.id))
            except BaseException as exc:  # handed to the test thread
                result.append(exc)

        worker = threading.Thread(target=add)
        worker.start()
        time.sleep(0.8)
        other.commit()
        worker.join(20)
    engine.dispose()
    assert result == [False]
    assert [t.tagged_by for t in ct.customer_tags(database.sessions, c2)] == ["王主管 (boss)"]
