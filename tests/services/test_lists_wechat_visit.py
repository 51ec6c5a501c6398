"""WeChat and visit lists: routed like the other channels (preference order, do-not-contact per
channel, a missing WeChat ID or address moves on or leaves out with the reason), written as
lists a caller works from (the message ready to paste; visits district by district), and
outcomes typed back into them stored as contacts of that channel — on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from models import (
    ContactEvent,
    ContactPreference,
    Customer,
    DoNotContact,
    ListRunExclusion,
    ListRunMember,
    Vehicle,
)
from services.lists import build, outcomes, runs
from services.outputs import run_files, wechat
from services.segments import service as segments
from services.store.errors import RevisitError
from services.store.settings import load_settings, load_settings_versions, save_settings

AS_OF = dt.date(2026, 11, 23)


def _customer(s, code, order, *, wechat=None, district="海珠区", street="光明西路1号",
              car=True):
    # W0001 and V0001 each a mobile of their own: calls to one number are one household's.
    mobile = f"13900{'12'[code.startswith('V')]}3{code[-4:]}"
    c = Customer(code=code, name=f"客户{code}", gender="F", mobile=mobile,
                 wechat_id=wechat, province="广东省", city="广州市", district=district,
                 street=street, postcode=None)  # no postcode: fine for a visit, not for mail
    s.add(c)
    s.flush()
    if car:
        s.add(Vehicle(customer_id=c.id, brand="丰田", model="凯美瑞", plate=f"粤A{code[-4:]}",
                      purchase_date=dt.date(2019, 3, 1)))
    s.add(ContactPreference(customer_id=c.id, channel_order=order))
    return c


@pytest.fixture
def world(database):
    with database.sessions.begin() as s:
        _customer(s, "W0001", "wechat,phone,sms", wechat="wxid_a1")
        _customer(s, "W0002", "wechat,phone")  # no WeChat ID: called instead
        _customer(s, "W0003", "wechat")  # no WeChat ID, nothing else: left out
        w4 = _customer(s, "W0004", "wechat,sms", wechat="wxid_a4")
        s.add(DoNotContact(customer_id=w4.id, channel="wechat", reason="不加微信",
                           set_on=dt.date(2026, 1, 1)))
        _customer(s, "W0005", "wechat", wechat="wxid_a5", car=False)
        _customer(s, "V0001", "visit,phone", district="海珠区")
        _customer(s, "V0002", "visit", district="天河区")
        _customer(s, "V0003", "visit", street="")  # nowhere to go
        v4 = _customer(s, "V0004", "visit,mail", district="越秀区")
        s.add(DoNotContact(customer_id=v4.id, channel="visit", reason="不要上门",
                           set_on=dt.date(2026, 1, 1)))
        _customer(s, "V0005", "visit", district="天河区")
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    return database


def _name_the_shop(db, supervisor, name: str = "广州某某丰田") -> None:
    """The shop's name, as a supervisor enters it (a new database has none)."""
    loaded = load_settings_versions(db.sessions)
    save_settings(db.sessions, dataclasses.replace(loaded.settings, shop_name=name), supervisor,
                  loaded)


def _by_code(db, run_id):
    with db.sessions() as s:
        members = {code: channel for code, channel in s.execute(
            select(Customer.code, ListRunMember.channel).join(
                Customer, Customer.id == ListRunMember.customer_id)
            .where(ListRunMember.run_id == run_id))}
        left_out = {code: (reason, detail) for code, reason, detail in s.execute(
            select(Customer.code, ListRunExclusion.reason, ListRunExclusion.detail).join(
                Customer, Customer.id == ListRunExclusion.customer_id)
            .where(ListRunExclusion.run_id == run_id))}
    return members, left_out


def test_routed_by_preference_with_per_channel_blocks(world):
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF))
    members, left_out = _by_code(world, summary.run_id)
    assert members["W0001"] == "wechat"
    assert members["W0002"] == "phone"  # no WeChat ID: the next channel
    assert left_out["W0003"] == ("no_wechat", "微信：无微信号")
    assert members["W0004"] == "sms"  # WeChat refused: the next channel
    assert members["V0001"] == "visit"
    assert left_out["V0003"] == ("no_address", "上门拜访：无可上门的地址")
    # Visits refused, and no postcode for a label either: both reasons, in preference order.
    assert left_out["V0004"] == ("dnc", "上门拜访：上门勿扰：不要上门；邮寄：地址或邮编不完整")
    assert summary.by_channel == {"visit": 3, "sms": 1, "call": 1, "wechat": 2}


def test_forced_channels(world):
    wechat = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="wechat"))
    members, left_out = _by_code(world, wechat.run_id)
    assert set(members) == {"W0001", "W0005"}
    assert left_out["W0004"][0] == "dnc" and left_out["V0001"][0] == "no_wechat"
    visit = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                    channel="visit"))
    members, left_out = _by_code(world, visit.run_id)
    assert "V0003" not in members and left_out["V0004"][0] == "dnc"
    assert members["W0001"] == "visit"  # anyone with an address can be visited when forced
    with pytest.raises(RevisitError, match="wechat, visit"):
        build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF, channel="fax"))


def test_files_read_back_and_outcomes_typed_back(world, supervisor, tmp_path):
    _name_the_shop(world, supervisor)
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF))
    doc = runs.load_document(world.sessions, summary.run_id)
    st = load_settings(world.sessions)
    requests = run_files.plan_run_files(doc, tmp_path / "run.xlsx", "xlsx",
                                        message="{称呼}您好，{店名}提醒：您的{车型}该保养了")
    by_kind = {r.kind: r for r in requests}
    assert by_kind[run_files.WECHAT_LIST].path.name == "run-wechat.xlsx"
    assert by_kind[run_files.VISIT_LIST].path.name == "run-visit.xlsx"
    written = {r.kind: run_files.write_run_file(doc, r, st) for r in requests}

    wechat = written[run_files.WECHAT_LIST]
    # W0005 has no car model and {车型} has no fallback: left out, never "您的该保养了".
    assert [why for _, why in wechat.skipped] == ["缺少合并字段：车型"]
    ws = openpyxl.load_workbook(wechat.path).active
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:7] == ("编号", "客户编号", "姓名", "称呼", "微信号", "车型",
                        "消息（复制粘贴发送）")
    assert "结果" in head and len(rows) == 2
    assert rows[1][4] == "wxid_a1"
    assert rows[1][6] == "客女士您好，广州某某丰田提醒：您的凯美瑞该保养了"

    ws = openpyxl.load_workbook(written[run_files.VISIT_LIST].path).active
    visits = list(ws.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(visits[0])}
    # District by district (the order Python sorts the names in), then by name.
    assert [r[col["区县"]] for r in visits[1:]] == ["天河区", "天河区", "海珠区"]
    assert visits[1][col["地址"]] == "广东省广州市天河区光明西路1号"

    wb = openpyxl.load_workbook(wechat.path)
    ws = wb.active
    ws.cell(2, head.index("结果") + 1, "接通")
    ws.cell(2, head.index("联系日期") + 1, "2026-11-24")
    wb.save(wechat.path)
    got = outcomes.read_outcomes(world.sessions, wechat.path, today=dt.date(2026, 11, 25))
    assert got.stored == 1
    with world.sessions() as s:
        event = s.scalar(select(ContactEvent).where(ContactEvent.list_run_id == summary.run_id))
        assert (event.channel, event.outcome) == ("wechat", "reached")
    # The visit list's outcomes as picked from its drop-down.
    path = written[run_files.VISIT_LIST].path
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(2, col["结果"] + 1, "已购买")
    ws.cell(3, col["结果"] + 1, "无人接听")
    wb.save(path)
    got = outcomes.read_outcomes(world.sessions, path, today=dt.date(2026, 11, 25))
    assert (got.stored, got.problems) == (2, ())
    with world.sessions() as s:
        visited = s.execute(select(ContactEvent.channel, ContactEvent.outcome).where(
            ContactEvent.list_run_id == summary.run_id, ContactEvent.channel != "wechat")).all()
    assert sorted(visited) == [("visit", "bought"), ("visit", "no_answer")]


def test_default_message_when_none_given(world, supervisor, tmp_path):
    _name_the_shop(world, supervisor)
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="wechat"))
    doc = runs.load_document(world.sessions, summary.run_id)
    st = load_settings(world.sessions)
    (request,) = run_files.plan_run_files(doc, tmp_path / "w.csv", "csv")
    written = run_files.write_run_file(doc, request, st)
    text = written.path.read_text(encoding="utf-8-sig")
    assert "广州某某丰田" in text and "{" not in text
    assert written.rows == 2  # the default text falls back where a value is missing


def test_talking_points_never_have_a_hole(world):
    """A caller's talking points name only facts that exist: a customer without a car, km or
    survey gets none about them, never "您的（）已行驶约公里"."""
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="call"))
    doc = runs.load_document(world.sessions, summary.run_id)
    no_car = next(m for m in doc.members if m.customer_code == "W0005")
    with_car = next(m for m in doc.members if m.customer_code == "W0001")
    assert no_car.talking_points == "" and no_car.km is None and no_car.vehicle == ""
    assert with_car.years_owned == 7.7 and "置换" not in with_car.talking_points  # care: no sale
    for m in doc.members:
        assert "None" not in m.talking_points and "（）" not in m.talking_points
        assert not any(p == "" for p in m.talking_points.split("；") if m.talking_points)


def test_the_fifth_channel_of_a_preference_is_reached(world):
    """A preference may name all five channels; the last one is used when the four before it
    are blocked (no valid mobile for phone and SMS, no postcode for post, no WeChat ID)."""
    with world.sessions.begin() as s:
        c = _customer(s, "V0009", "phone,sms,mail,wechat,visit", district="荔湾区")
        c.mobile = "12345"
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF))
    members, _ = _by_code(world, summary.run_id)
    assert members["V0009"] == "visit"


def test_a_wechat_list_keeps_formula_looking_names_and_emoji_as_typed(world, tmp_path):
    with world.sessions.begin() as s:
        c = _customer(s, "W0009", "wechat", wechat="=wxid_9")
        c.name = "=HYPERLINK(1)"
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="wechat"))
    doc = runs.load_document(world.sessions, summary.run_id)
    (request,) = run_files.plan_run_files(doc, tmp_path / "w.xlsx", "xlsx",
                                          message="{姓名}，生日快乐🎂 𠮷")
    run_files.write_run_file(doc, request, load_settings(world.sessions))
    ws = openpyxl.load_workbook(request.path).active
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "W0009")
    name, wechat_id, message = (row[head.index(h)] for h in ("姓名", "微信号",
                                                              "消息（复制粘贴发送）"))
    assert (name.value, wechat_id.value) == ("=HYPERLINK(1)", "=wxid_9")
    assert name.quotePrefix and wechat_id.quotePrefix and message.quotePrefix  # text, shown
    assert message.value == "=HYPERLINK(1)，生日快乐🎂 𠮷" and message.data_type == "s"


def test_a_blank_shop_name_in_the_settings_never_leaves_a_hole(world, supervisor, tmp_path):
    _name_the_shop(world, supervisor)
    _name_the_shop(world, supervisor, "")  # blanked again
    st = load_settings(world.sessions)
    assert st.shop_name == ""
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="wechat"))
    doc = runs.load_document(world.sessions, summary.run_id)
    (request,) = run_files.plan_run_files(doc, tmp_path / "w.xlsx", "xlsx")
    written = run_files.write_run_file(doc, request, st)
    ws = openpyxl.load_workbook(written.path).active
    messages = [r[6] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(messages) == 2
    assert all("我是本店的回访专员" in m and "我是的" not in m for m in messages)
    # {店名} without a fallback: refused as a whole, pointing to the setting; nothing written.
    (strict,) = run_files.plan_run_files(doc, tmp_path / "s.xlsx", "xlsx",
                                         message="{称呼}您好，{店名}祝您用车愉快")
    with pytest.raises(RevisitError, match="Settings, Shop name"):
        run_files.write_run_file(doc, strict, st)
    assert not strict.path.exists()


def test_the_wechat_preview_is_what_the_list_then_holds(world, tmp_path):
    summary = build.build_run(world.sessions, "全部", build.RunOptions(as_of=AS_OF,
                                                                     channel="wechat"))
    doc = runs.load_document(world.sessions, summary.run_id)
    st = load_settings(world.sessions)
    text = "{称呼}您好，您的{车型}该保养了"
    out = tmp_path / "out"
    out.mkdir()
    shown = wechat.preview(doc.of_channel("wechat"), text, st.shop_name)
    assert list(out.iterdir()) == []  # counting writes nothing
    (request,) = run_files.plan_run_files(doc, out / "w.xlsx", "xlsx", message=text)
    written = run_files.write_run_file(doc, request, st)
    ws = openpyxl.load_workbook(written.path).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert shown.messages == written.rows == len(rows) == 1
    assert [r.message for r in shown.first] == [r[6] for r in rows]
    assert shown.skipped == written.skipped
    (lacking,) = shown.lacking  # W0005 has no car: named by row code and name
    assert lacking.field == "车型" and lacking.named[0].endswith(" 客户W0005")
