"""Importing event files on SQLite and PostgreSQL: service visits by work order and by day,
their amounts and km, survey scores on other scales, surveys, complaints and contacts linked to
the stored customers, and a file of one kind refused as another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from models import (
    Complaint,
    ContactEvent,
    Customer,
    MileageReading,
    SatisfactionSurvey,
    ServiceVisit,
    StaffUser,
    Vehicle,
)
from services.imports import batches
from services.imports.apply import apply
from services.imports.mapping import Mapping
from services.imports.plan import ImportOptions, plan
from services.store.errors import RevisitError
from tests.services.import_files import (
    DMS_ROWS,
    V_ACCORD,
    V_CAMRY,
    counts,
    dms_export,
    snapshot,
    vin,
    write_csv,
    write_xlsx,
)

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _visits(database) -> list[tuple]:
    with database.sessions() as s:
        return sorted((v.visit_date, v.visit_type, v.work_order, v.amount)
                      for v in s.scalars(select(ServiceVisit)))


SAME_DAY = ["进厂日期", "车牌号", "维修类型", "结算金额", "工单号"]


def test_two_work_orders_of_one_car_on_one_day_are_two_visits(database, tmp_path):
    # A maintenance and a separate repair of the same type on one day: before, the second
    # was taken for the first (its amount lost, or written over the first's by a later file).
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    options = ImportOptions("visits", today=TODAY)
    first = write_csv(tmp_path / "工单1.csv", SAME_DAY, [
        ["2024-05-01", "粤A12345", "机修", "300", "W101"],
        ["2024-05-01", "粤A12345", "机修", "1200", "W102"]])
    result = apply(database.sessions, first, options)
    assert (result.created, result.updated, result.rejected) == (2, 0, 0)
    assert not result.warnings
    day = dt.date(2024, 5, 1)
    assert _visits(database) == [(day, "repair", "W101", Decimal("300.00")),
                                 (day, "repair", "W102", Decimal("1200.00"))]
    later = write_csv(tmp_path / "工单2.csv", SAME_DAY, [
        ["2024-05-01", "粤A12345", "机修", "450", "W103"],
        ["2024-05-01", "粤A12345", "机修", "1200", "W102"]])
    again = apply(database.sessions, later, options)
    assert (again.created, again.updated, again.unchanged) == (1, 0, 1)
    assert [v[2:] for v in _visits(database)] == [
        ("W101", Decimal("300.00")), ("W102", Decimal("1200.00")), ("W103", Decimal("450.00"))]


def test_a_work_order_is_filled_in_on_the_visit_stored_without_one(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    options = ImportOptions("visits", today=TODAY)
    bare = write_csv(tmp_path / "进厂.csv", SAME_DAY[:4], [
        ["2024-05-01", "粤A12345", "机修", "300"]])
    apply(database.sessions, bare, options)
    before = snapshot(database, versions=False)
    numbered = write_csv(tmp_path / "工单.csv", SAME_DAY, [
        ["2024-05-01", "粤A12345", "机修", "300", "W101"],
        ["2024-05-01", "粤A12345", "机修", "300", "W101"]])  # the same visit twice
    result = apply(database.sessions, numbered, options)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [v[2] for v in _visits(database)] == ["W101"]
    # The file without work orders finds it again, now that it has one.
    assert apply(database.sessions, bare, options).unchanged == 1
    batches.undo_batch(database.sessions, result.batch_id)
    assert [v[2] for v in _visits(database)] == [None]
    assert snapshot(database, versions=False) == before


def test_a_row_without_a_work_order_finds_the_one_visit_of_that_day_else_is_refused(
        database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    options = ImportOptions("visits", today=TODAY)
    apply(database.sessions, write_csv(tmp_path / "工单.csv", SAME_DAY, [
        ["2024-05-01", "粤A12345", "机修", "300", "W101"],
        ["2024-05-01", "粤A12345", "机修", "1200", "W102"],
        ["2024-06-01", "粤A12345", "首保", "680", "W201"]]), options)
    before = snapshot(database)
    bare = write_csv(tmp_path / "进厂.csv", SAME_DAY[:4], [
        ["2024-05-01", "粤A12345", "机修", "1200"],  # W101 or W102: nothing says which
        ["2024-06-01", "粤A12345", "首保", "680"]])  # only W201
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, bare, options, errors_path=errors)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 1, 1)
    assert [r.zh for r in result.reasons] == [
        "工单号：该车当天有多张同类工单，此行没有工单号，无法确定是哪一张"]
    assert snapshot(database) == before
    sheet = openpyxl.load_workbook(errors).worksheets[0]
    assert any("无法确定是哪一张" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_a_visit_amount_that_cannot_be_read_is_kept_as_typed_in_its_note(database, tmp_path):
    # The amount column needs a number (0 is stored); what was typed is not lost. A negative
    # amount is a settlement reversed (冲红), no visit: it cancels the visit it reverses
    # (W103-H of W103), and one that reverses nothing stored (W102) is said, nothing made of it
    # (before, a visit of ¥0 on the reversal's day moved the car's maintenance due date on).
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "工单.csv", [*SAME_DAY, "进厂里程"], [
        ["2024-05-01", "粤A12345", "机修", "待结算", "W101", "20000"],
        ["2024-05-02", "粤A12345", "机修", "-300", "W102", "20100"],
        ["2024-05-03", "粤A12345", "机修", "300", "W103", "20200"],
        ["2024-05-04", "粤A12345", "冲红", "300-", "W103-H", "20300"],
        # A mobile pasted into the amount: more than the column holds (PostgreSQL refused
        # the whole import with "numeric field overflow").
        ["2024-05-05", "粤A12345", "机修", "13900139007", "W104", "20400"]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (result.created, result.updated, result.rejected) == (3, 1, 1)
    assert [(r.code, r.rows) for r in result.reasons] == [("visit_reversal_unmatched", 1)]
    with database.sessions() as s:
        notes = {v.work_order: (v.amount, v.note) for v in s.scalars(select(ServiceVisit))}
        readings = s.scalars(select(MileageReading.km).order_by(MileageReading.km)).all()
    assert notes == {"W101": (Decimal("0.00"), "工单号 W101；金额原文 待结算"),
                     "W104": (Decimal("0.00"), "工单号 W104；金额原文 13900139007")}
    # Nor is the km of W103, cancelled by W103-H: a reversed settlement's odometer no longer
    # counts.
    assert not {20100, 20200, 20300} & set(readings) and 20400 in readings
    again = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 1)


def test_a_visit_km_out_of_line_with_the_cars_others_is_said_not_kept(database, tmp_path):
    # 25,000 → 250,000 in a month (a digit too many) and 20,000 after 25,000 (the odometer does
    # not go back) are said and kept out of the readings; the visits themselves are stored.
    # (The owners' file read the car at 32,000 km on its export day.)
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    with database.sessions() as s:
        car = s.scalar(select(Vehicle.id).where(Vehicle.plate == "粤A12345"))
        before = set(s.execute(select(MileageReading.reading_date, MileageReading.km)
                               .where(MileageReading.vehicle_id == car)).all())
    headers = [*SAME_DAY, "进厂里程"]
    path = write_csv(tmp_path / "工单.csv", headers, [
        ["2026-06-01", "粤A12345", "保养", "300", "W201", "25000"],
        ["2026-07-01", "粤A12345", "保养", "300", "W202", "250000"],
        ["2026-08-01", "粤A12345", "保养", "300", "W203", "20000"],
        ["2026-09-01", "粤A12345", "保养", "300", "W204", "28000"]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (result.created, result.rejected) == (4, 0)
    [said] = [w for w in result.warnings if w.code == "km_out_of_line"]
    assert said.rows == 2 and said.zh.startswith("里程：里程与该车其他读数不符")
    with database.sessions() as s:
        after = set(s.execute(select(MileageReading.reading_date, MileageReading.km)
                              .where(MileageReading.vehicle_id == car)).all()) - before
    assert after == {(dt.date(2026, 6, 1), 25000), (dt.date(2026, 9, 1), 28000)}
    # Nor is it the visit's km, which a maintenance due date counts from.
    with database.sessions() as s:
        kms = dict(s.execute(select(ServiceVisit.work_order, ServiceVisit.km)
                             .where(ServiceVisit.vehicle_id == car)).all())
    assert {w: kms[w] for w in ("W201", "W202", "W203", "W204")} == {
        "W201": 25000, "W202": None, "W203": None, "W204": 28000}


def test_survey_scores_on_a_five_or_hundred_point_scale_are_kept_on_ten(database, tmp_path):
    # Read as 0–10, a 4 of 5 (satisfied) was a 4, which the call sheet reads as unhappy.
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    surveys = write_xlsx(tmp_path / "回访.xlsx", [
        "回访日期", "手机", "总体满意度(5分制)", "服务态度（百分制）"], [
        ["2024-05-03", "13800138080", 4, 85],
        ["2024-05-04", "13900139000", "5分", "100"],
        ["2024-05-05", "13900139000", 6, 90]])  # 6 of 5: refused
    result = apply(database.sessions, surveys, ImportOptions("surveys", today=TODAY))
    assert (result.created, result.rejected) == (2, 1)
    assert [r.zh for r in result.reasons] == ["总体满意度：评分不在0–5之间（该列为5分制）"]
    with database.sessions() as s:
        assert sorted((v.survey_date.day, v.overall_score, v.attitude)
                      for v in s.scalars(select(SatisfactionSurvey))) == [(3, 8, 9), (4, 10, 10)]


def test_surveys_complaints_and_contacts_link_by_mobile_or_vin(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    surveys = write_xlsx(tmp_path / "回访.xlsx", [
        "回访日期", "手机", "总体满意度", "服务态度", "客户意见"], [
        ["2024-05-03", "13800138080", "9分", 10, "满意"],
        ["2024-05-04", "13900139000", "8.5", None, None],
        ["2024-05-05", "13600136000", 7, None, None]])
    result = apply(database.sessions, surveys, ImportOptions("surveys", today=TODAY))
    assert (result.created, result.rejected) == (2, 1)
    complaints = write_xlsx(tmp_path / "投诉.xlsx", [
        "投诉日期", "车架号", "投诉主题", "是否解决", "解决日期"], [
        ["2024-06-01", V_CAMRY, "等待时间长", "已解决", "2024-06-03"],
        ["2024-06-02", V_ACCORD, "价格", "否", None]])
    result = apply(database.sessions, complaints, ImportOptions("complaints", today=TODAY))
    assert result.created == 2
    contacts = write_xlsx(tmp_path / "联系.xlsx", [
        "联系时间", "手机", "联系方式", "联系目的", "联系结果", "客户反馈"], [
        ["2024-07-01 10:30", "13800138080", "电话", "关怀", "接通", "车况良好"],
        ["2024-07-02 09:00", "13900139000", "短信", "提醒", "已发送", None]])
    options = ImportOptions("contacts", today=TODAY)
    assert apply(database.sessions, contacts, options).created == 2
    with database.sessions() as s:
        scores = sorted(v.overall_score for v in s.scalars(select(SatisfactionSurvey)))
        resolved = {c.topic: (c.resolved, c.resolved_date) for c in s.scalars(select(Complaint))}
        events = {(e.channel, e.purpose, e.outcome) for e in s.scalars(select(ContactEvent))}
    assert scores == [9, 9]  # 8.5 rounded half up
    assert resolved == {"等待时间长": (True, dt.date(2024, 6, 3)), "价格": (False, None)}
    assert events == {("phone", "care", "reached"), ("sms", "reminder", "sent")}
    before = snapshot(database)
    for path, kind in ((surveys, "surveys"), (complaints, "complaints"), (contacts, "contacts")):
        again = apply(database.sessions, path, ImportOptions(kind, today=TODAY))
        assert (again.created, again.updated) == (0, 0), kind
    assert snapshot(database) == before


def test_two_attempts_of_one_day_without_times_are_two_contacts(database, tmp_path):
    """A hand-kept 回访记录 of dates only: no answer in the morning, reached later that day.
    The second row was taken for the first contact (its outcome kept as 无人接听, the reach
    lost from every reach rate, and the customer taken for one who never answers)."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "回访记录.xlsx", [
        "回访日期", "手机", "回访方式", "回访结果", "客户反馈"], [
        ["2024-07-01", "13800138080", "电话", "无人接听", None],
        ["2024-07-01", "13800138080", "电话", "接通", "下午打通，车况良好"],
        ["2024-07-01", "13800138080", "短信", "已发送", None]])
    options = ImportOptions("contacts", today=TODAY)
    result = apply(database.sessions, path, options)
    assert (result.created, result.warnings) == (3, ())
    with database.sessions() as s:
        events = sorted((e.channel, e.outcome, e.feedback)
                        for e in s.scalars(select(ContactEvent)))
    assert events == [("phone", "no_answer", None), ("phone", "reached", "下午打通，车况良好"),
                      ("sms", "sent", None)]
    again = apply(database.sessions, path, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_alike_attempts_of_one_day_without_times_are_each_a_contact(database, tmp_path):
    """Three unanswered calls of one day in a file of dates only were stored as one contact:
    the customer looked called once, and the switch to another channel after K unanswered
    calls came days late. Read again, in any order, each row finds its own contact; rows with
    their times, alike to the minute, stay one contact."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    headers = ["回访日期", "手机", "回访方式", "回访结果", "客户反馈"]
    rows = [["2024-07-01", "13800138080", "电话", "无人接听", "上午"],
            ["2024-07-01", "13800138080", "电话", "无人接听", "下午"],
            ["2024-07-01", "13800138080", "电话", "无人接听", None]]
    options = ImportOptions("contacts", today=TODAY)

    def feedback() -> list[str | None]:
        with database.sessions() as s:
            return sorted((e.feedback for e in s.scalars(select(ContactEvent))),
                          key=lambda f: f or "")

    first = apply(database.sessions, write_xlsx(tmp_path / "回访.xlsx", headers, rows), options)
    assert (first.created, first.unchanged, first.warnings) == (3, 0, ())
    assert feedback() == [None, "上午", "下午"]
    turned = write_xlsx(tmp_path / "回访倒序.xlsx", headers, rows[::-1])
    again = apply(database.sessions, turned, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    more = write_xlsx(tmp_path / "回访补.xlsx", headers, [*rows, rows[0]])
    assert apply(database.sessions, more, options).created == 1  # a fourth call that day
    assert feedback() == [None, "上午", "上午", "下午"]

    timed = write_xlsx(tmp_path / "呼叫中心.xlsx", headers, [
        ["2024-07-02 10:15", "13800138080", "电话", "无人接听", None],
        ["2024-07-02 10:15", "13800138080", "电话", "无人接听", None]])
    assert apply(database.sessions, timed, options).created == 1
    with database.sessions() as s:
        assert len(s.scalars(select(ContactEvent)).all()) == 5


def test_a_call_centre_export_read_again_with_an_outcome_put_right_corrects_it(database,
                                                                                tmp_path):
    """A call stored as 未接通 and exported again as 接通 after the agent put it right became a
    second contact at the same second: the customer had one unanswered and one answered
    call. Now the contact's outcome is corrected (said as labels, not codes) and undo puts it
    back; two attempts of one minute within one file stay two."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    headers = ["呼叫时间", "手机", "呼叫方式", "呼叫结果"]
    options = ImportOptions("contacts", today=TODAY)
    first = write_xlsx(tmp_path / "呼叫1.xlsx", headers, [
        ["2024-07-01 10:15:22", "13800138080", "电话", "未接通"]])
    apply(database.sessions, first, options)
    fixed = write_xlsx(tmp_path / "呼叫2.xlsx", headers, [
        ["2024-07-01 10:15:22", "13800138080", "电话", "接通"]])
    dry = plan(database.sessions, fixed, options)
    assert dry.samples["update"][0].summary == "联系结果 无人接听 → 接通"
    again = apply(database.sessions, fixed, options)
    assert (again.created, again.updated) == (0, 1)

    def outcomes() -> list[tuple[dt.datetime, str]]:
        with database.sessions() as s:
            return sorted((e.contact_at, e.outcome) for e in s.scalars(select(ContactEvent)))

    assert outcomes() == [(dt.datetime(2024, 7, 1, 10, 15, 22), "reached")]
    batches.undo_batch(database.sessions, again.batch_id)
    assert outcomes() == [(dt.datetime(2024, 7, 1, 10, 15, 22), "no_answer")]

    redial = write_xlsx(tmp_path / "呼叫3.xlsx", headers, [
        ["2024-07-02 09:30", "13800138080", "电话", "未接通"],
        ["2024-07-02 09:30", "13800138080", "电话", "接通"]])
    assert apply(database.sessions, redial, options).created == 2
    assert apply(database.sessions, redial, options).unchanged == 2


def test_a_callback_task_not_yet_done_is_no_contact(database, tmp_path):
    """A DMS's callback tasks exported with their status: a task 待回访 with no result was
    stored as an unanswered call (counted towards moving the customer to another channel,
    and keeping them off the next list as contacted lately). It is left out with its reason;
    a task done (已回访) without a result is a reach; a status beside a result leaves the
    result to say what happened (回访中, 未接通: an attempt made)."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    options = ImportOptions("contacts", today=TODAY)
    both = write_xlsx(tmp_path / "回访任务.xlsx", [
        "回访时间", "手机", "回访方式", "回访状态", "回访结果"], [
        ["2024-07-01 10:00", "13800138080", "电话", "待回访", None],
        ["2024-07-02 10:00", "13800138080", "电话", "已回访", None],
        ["2024-07-03 10:00", "13800138080", "电话", "回访中", "未接通"],
        ["2024-07-04 10:00", "13800138080", "电话", "正常", None],
        ["2024-07-05 10:00", "13800138080", "电话", None, "待回访"]])
    result = apply(database.sessions, both, options)
    assert result.mapping.column("status") == 3 and result.mapping.column("outcome") == 4
    assert (result.created, result.rejected) == (3, 2)
    assert [(r.code, r.rows) for r in result.reasons] == [("contact_not_made", 2)]
    assert ("status_unknown", 1) in [(r.code, r.rows) for r in result.warnings]
    with database.sessions() as s:
        assert sorted((e.contact_at.day, e.outcome) for e in s.scalars(select(ContactEvent))) \
            == [(2, "reached"), (3, "no_answer"), (4, "no_answer")]

    alone = write_xlsx(tmp_path / "回访状态.xlsx", ["回访时间", "手机", "方式", "回访状态"], [
        ["2024-08-01 10:00", "13800138080", "电话", "未回访"],
        ["2024-08-02 10:00", "13800138080", "电话", "回访完成"]])
    only = apply(database.sessions, alone, options)
    assert only.mapping.column("outcome") is None
    assert (only.created, only.rejected) == (1, 1)


def test_a_call_centres_export_of_call_lengths_tells_each_call_answered_or_not(database,
                                                                              tmp_path):
    """A call-centre export has no result column, only each call's talk time (通话时长): it
    could not be imported (the outcome and the channel are required). A call that lasted was
    answered, one of no length was not; a result beside the length decides; a length not
    understood is said, and the row kept as a call with no outcome filled in."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    options = ImportOptions("contacts", today=TODAY)
    path = write_csv(tmp_path / "通话记录.csv", ["呼叫开始时间", "客户号码", "振铃时长",
                                                "通话时长"], [
        ["2024-07-01 10:00:05", "13800138080", "00:00:12", "00:01:23"],
        ["2024-07-02 10:00:05", "13800138080", "00:00:30", "00:00:00"],
        ["2024-07-03 10:00:05", "13800138080", "00:00:08", "45秒"],
        ["2024-07-04 10:00:05", "13800138080", "00:00:08", "1:99"]])
    result = apply(database.sessions, path, options)
    assert result.mapping.column("duration") == 3  # not the ringing time beside it
    assert result.mapping.missing_required == ()
    assert (result.created, result.rejected) == (4, 0)
    assert [(r.code, r.rows) for r in result.warnings] == [
        ("channel_blank", 1), ("duration_invalid", 1), ("outcome_blank", 1)]
    with database.sessions() as s:
        assert sorted((e.contact_at.day, e.channel, e.outcome)
                      for e in s.scalars(select(ContactEvent))) == [
            (1, "phone", "reached"), (2, "phone", "no_answer"), (3, "phone", "reached"),
            (4, "phone", "no_answer")]

    # With a result column, the result says what happened, whatever the length.
    told = write_csv(tmp_path / "外呼.csv", ["外呼时间", "手机", "方式", "呼叫结果", "通话时长"], [
        ["2024-08-01 10:00", "13800138080", "短信", None, "0"],
        ["2024-08-02 10:00", "13800138080", "电话", "BUSY", "00:00:20"],
        ["2024-08-03 10:00", "13800138080", "电话", None, "1分5秒"]])
    again = apply(database.sessions, told, options)
    assert (again.created, again.rejected) == (3, 0)
    with database.sessions() as s:
        assert sorted((e.contact_at.day, e.channel, e.outcome) for e in s.scalars(
            select(ContactEvent).where(ContactEvent.contact_at >= dt.datetime(2024, 8, 1)))) == [
            (1, "sms", "sent"), (2, "phone", "no_answer"), (3, "phone", "reached")]


def test_an_sms_vendors_send_report_is_the_messages_sent_and_whether_they_arrived(database,
                                                                                  tmp_path):
    """An SMS vendor's send report names no channel and no result column, only the text sent
    and the gateway's report (DELIVRD, UNDELIV, a carrier's MK:0001): it could not be imported.
    Each row is a message sent, delivered or failed, its text the contact's feedback."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    text = "【某某汽车】尊敬的张先生，您的爱车保养已到期，回复TD退订"
    path = write_csv(tmp_path / "发送记录.csv", ["手机号码", "短信内容", "发送时间", "提交状态",
                                                "状态报告", "计费条数"], [
        ["13800138080", text, "2024-07-01 10:00:05", "提交成功", "DELIVRD", 1],
        ["13800138080", text, "2024-07-02 10:00:05", "提交成功", "UNDELIV", 1],
        ["13800138080", text, "2024-07-03 10:00:05", "提交成功", "MK:0001", 1],
        ["13800138080", text, "2024-07-04 10:00:05", "提交失败", None, 1]])
    result = apply(database.sessions, path, ImportOptions("contacts", today=TODAY))
    assert result.mapping.column("outcome") == 4 and result.mapping.column("message") == 1
    assert (result.created, result.rejected, result.warnings) == (4, 0, ())
    with database.sessions() as s:
        assert sorted((e.contact_at.day, e.channel, e.outcome, e.feedback)
                      for e in s.scalars(select(ContactEvent))) == [
            (1, "sms", "sent", text), (2, "sms", "failed", text), (3, "sms", "failed", text),
            (4, "sms", "failed", text)]
        # With no purpose column, the text says it: 保养已到期 is a reminder.
        assert set(s.scalars(select(ContactEvent.purpose))) == {"reminder"}

    # A purpose column says it, even beside a text that names another.
    greeting = write_csv(tmp_path / "生日祝福.csv", ["手机号码", "短信内容", "发送时间",
                                                   "状态报告", "短信类型"], [
        ["13800138080", "【某某汽车】张先生，祝您生日快乐！", "2024-08-01 09:00", "DELIVRD", None],
        ["13800138080", "【某某汽车】您的爱车保养已到期", "2024-08-02 09:00", "DELIVRD", "关怀"]])
    again = apply(database.sessions, greeting, ImportOptions("contacts", today=TODAY))
    assert again.created == 2
    with database.sessions() as s:
        assert sorted((e.contact_at.day, e.purpose) for e in s.scalars(
            select(ContactEvent).where(ContactEvent.contact_at >= dt.datetime(2024, 8, 1)))) \
            == [(1, "care"), (2, "care")]


def test_a_work_order_of_a_car_bought_elsewhere_makes_its_owner_and_car(database, tmp_path):
    """A service department's work orders list cars the dealer never sold, with their owners:
    each was rejected as matching no customer, and the file could not be imported as owners
    (it looks like visits), so a first day lost every such customer."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    headers = ["结算日期", "车牌号", "VIN", "车主", "车主电话", "品牌", "车型", "维修类型",
               "进厂里程", "结算金额", "工单号"]
    new_vin = vin("LHGCV1650J8099999")
    path = write_xlsx(tmp_path / "工单.xlsx", headers, [
        ["2026-11-02", "粤A12345", None, "张三", "13800138080", None, None, "保养", 31500, 600,
         "WO1"],
        ["2026-11-03", "粤B70001", new_vin, "钱七", "13900001111", "本田", "雅阁", "保养",
         30000, 700, "WO2"],
        ["2026-11-20", "粤B70001", new_vin, "钱七", "13900001111", "本田", "雅阁", "维修",
         31000, 1500, "WO3"],
        ["2026-11-04", "粤B70002", None, "孙八", "13900002222", "日产", "轩逸", "维修", 80000,
         900, "WO4"],
        ["2026-11-05", "粤B70003", None, None, None, None, None, "维修", 5000, 300, "WO5"]])
    options = ImportOptions("visits", today=TODAY)
    dry = plan(database.sessions, path, options)
    done = apply(database.sessions, path, options)
    for result in (dry, done):
        assert (result.created, result.rejected) == (4, 1)
        assert result.reasons[0].code == "customer_not_found"
    with database.sessions() as s:
        cars = {p: (n, m, b, md) for p, n, m, b, md in s.execute(
            select(Vehicle.plate, Customer.name, Customer.mobile, Vehicle.brand, Vehicle.model)
            .join(Customer, Customer.id == Vehicle.customer_id)
            .where(Vehicle.plate.in_(["粤B70001", "粤B70002"])))}
        visits = sorted((p, v.visit_date.day, v.km) for v, p in s.execute(
            select(ServiceVisit, Vehicle.plate)
            .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)))
    assert cars == {"粤B70001": ("钱七", "13900001111", "本田", "雅阁"),
                    "粤B70002": ("孙八", "13900002222", "日产", "轩逸")}
    assert visits == [("粤A12345", 2, 31500), ("粤B70001", 3, 30000), ("粤B70001", 20, 31000),
                      ("粤B70002", 4, 80000)]
    again = apply(database.sessions, path, options)
    assert (again.created, again.unchanged) == (0, 4)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, done.batch_id)
    with database.sessions() as s:
        assert s.scalars(select(Customer.name).where(Customer.name.in_(["钱七", "孙八"]))).all() \
            == []


def test_a_known_customers_second_car_bought_elsewhere_is_added_to_them(database, tmp_path):
    """A customer of the dealer brings in a second car bought elsewhere: the work order was
    found by mobile and stored without its car, so the plate, the model and the km were lost
    and the car never came up for a reminder. A row whose name is not the mobile's customer's
    (a relative's phone) makes no car: whose it is is not known, and the row says so."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "工单.xlsx", [
        "结算日期", "车牌号", "车主", "车主电话", "品牌", "车型", "维修类型", "进厂里程",
        "结算金额"], [
        ["2026-11-02", "粤A99999", "张先生", "13800138080", "丰田", "卡罗拉", "保养", 12000,
         500],
        ["2026-11-03", "粤B88888", "李明", "13900139000", "比亚迪", "汉", "保养", 9000, 400]])
    options = ImportOptions("visits", today=TODAY)
    dry = plan(database.sessions, path, options)
    done = apply(database.sessions, path, options)
    for result in (dry, done):
        assert (result.created, result.rejected) == (2, 0)
        assert [(w.code, w.rows) for w in result.warnings] == [("car_not_stored", 1)]
    with database.sessions() as s:
        cars = s.execute(select(Customer.name, Vehicle.plate, Vehicle.brand, Vehicle.model)
                         .join(Customer, Customer.id == Vehicle.customer_id)
                         .where(Customer.mobile.in_(["13800138080", "13900139000"]))
                         .order_by(Vehicle.plate)).all()
        visits = s.execute(select(Customer.name, Vehicle.plate, ServiceVisit.km)
                           .join(Customer, Customer.id == ServiceVisit.customer_id)
                           .outerjoin(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
                           .order_by(ServiceVisit.visit_date)).all()
    assert [tuple(c) for c in cars] == [("张三", "粤A12345", "大众", "朗逸"),
                                        ("张三", "粤A67890", "大众", "途观L"),
                                        ("张三", "粤A99999", "丰田", "卡罗拉"),
                                        ("王五", "粤C22222", "本田", "雅阁")]
    assert [tuple(v) for v in visits] == [("张三", "粤A99999", 12000), ("王五", None, 9000)]
    again = apply(database.sessions, path, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, done.batch_id)
    with database.sessions() as s:
        assert s.scalars(select(Vehicle.id).where(Vehicle.plate == "粤A99999")).all() == []


def test_a_visit_whose_mobile_is_another_customers_stays_with_the_car_and_says_so(
        database, tmp_path):
    """Found by its plate, a work order stays with the car's owner; when its mobile is stored
    for someone else (the wife's phone on the husband's car, a car that changed hands), the
    row says whose each is. The owner's own mobile, or a number nobody has, says nothing."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "工单.xlsx", ["结算日期", "车牌号", "车主电话", "结算金额"], [
        ["2026-11-02", "粤A12345", "13900139000", 500],  # 张三's car, 王五's mobile
        ["2026-11-03", "粤A67890", "13800138080", 400],  # 张三's car and mobile
        ["2026-11-04", "粤C22222", "13700137000", 300],  # 王五's car, a number nobody has
    ])
    options = ImportOptions("visits", today=TODAY)
    with database.sessions() as s:
        codes = dict(s.execute(select(Customer.name, Customer.code)).all())
    for result in (plan(database.sessions, path, options), apply(database.sessions, path,
                                                                 options)):
        assert (result.created, result.rejected) == (3, 0)
        assert [(w.code, w.field, w.rows) for w in result.warnings] == [
            ("mobile_other_customer", "mobile", 1)]
        assert result.warnings[0].zh == (
            f"手机：手机号登记在另一位客户王五（{codes['王五']}）名下：记录按车架号或车牌记在车主"
            f"张三（{codes['张三']}）名下，请核对")
    with database.sessions() as s:
        stored = s.execute(select(ServiceVisit.amount, Customer.name)
                           .join(Customer, Customer.id == ServiceVisit.customer_id)
                           .order_by(ServiceVisit.visit_date)).all()
    assert [(int(a), n) for a, n in stored] == [(500, "张三"), (400, "张三"), (300, "王五")]


def test_a_visit_stored_before_its_car_was_gets_the_car_not_a_twin(database, tmp_path):
    """A second car's work order an earlier version stored without its car (found by mobile):
    read again, the row makes the car and finds that visit, its car filled in. A second visit
    of the same day was made beside it."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    with database.sessions.begin() as s:
        zhang = s.scalars(select(Customer.id).where(Customer.name == "张三")).one()
        s.add(ServiceVisit(customer_id=zhang, vehicle_id=None, visit_date=dt.date(2026, 11, 2),
                           visit_type="maintenance", amount=Decimal("500.00"), km=12000))
    path = write_xlsx(tmp_path / "工单.xlsx", [
        "结算日期", "车牌号", "车主", "车主电话", "品牌", "车型", "维修类型", "进厂里程",
        "结算金额"], [
        ["2026-11-02", "粤A99999", "张三", "13800138080", "丰田", "卡罗拉", "保养", 12000, 500]])
    options = ImportOptions("visits", today=TODAY)
    done = apply(database.sessions, path, options)
    assert done.changed_fields == {"vehicle_id": 1}
    assert [r.summary for r in done.samples["create"]] == ["新车辆；关联车辆 → 粤A99999"]
    with database.sessions() as s:
        visits = s.execute(select(Vehicle.plate, ServiceVisit.amount)
                           .outerjoin(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
                           .where(ServiceVisit.customer_id == zhang)).all()
    assert [tuple(v) for v in visits] == [("粤A99999", Decimal("500.00"))]
    again = apply(database.sessions, path, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, done.batch_id)
    with database.sessions() as s:
        assert s.execute(select(ServiceVisit.vehicle_id)
                         .where(ServiceVisit.customer_id == zhang)).scalars().all() == [None]


def test_pdi_and_internal_work_orders_are_no_visits(database, tmp_path):
    """A DMS's export of all work orders lists the pre-delivery inspection and the workshop's
    own orders: stored as visits (as repairs, the type unknown), they dated a visit before the
    owner had the car and counted a visit nobody made. A type the words do not know is kept as
    a repair and said so."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "全部工单.xlsx", ["结算日期", "车牌号", "工单类型", "结算金额"], [
        ["2026-11-02", "粤A12345", "PDI", 0], ["2026-11-03", "粤A12345", "内部工单", 0],
        ["2026-11-04", "粤A12345", "质量担保", 0], ["2026-11-05", "粤A12345", "洗车", 30]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (result.created, result.rejected) == (2, 2)
    assert [(r.code, r.rows) for r in result.reasons] == [("visit_internal", 2)]
    assert [(x.code, x.rows, x.zh) for x in result.warnings] == [
        ("visit_type_unknown", 1, "维修类型：维修类型无法识别，按一般维修保存，原文记入备注")]
    assert [(d.day, t) for d, t, _, _ in _visits(database)] == [(4, "warranty"), (5, "repair")]


def test_a_callers_name_with_an_agent_number_finds_their_account(database, tmp_path):
    """A call centre's export writes 陈丽(1023) or 1023陈丽: the contact was kept as nobody's
    (and said), out of the caller's counts in every report."""
    with database.sessions.begin() as s:
        s.add(StaffUser(username="chenli", display_name="陈丽", role="clerk"))
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    headers = ["回访时间", "手机", "回访方式", "回访结果", "回访人"]
    path = write_xlsx(tmp_path / "呼叫记录.xlsx", headers, [
        ["2026-11-02 10:00", "13800138080", "电话", "接通", "陈丽(1023)"],
        ["2026-11-03 10:00", "13800138080", "电话", "接通", "1023陈丽"],
        ["2026-11-04 10:00", "13800138080", "电话", "接通", "ChenLi"],
        ["2026-11-05 10:00", "13800138080", "电话", "接通", "张三"]])
    result = apply(database.sessions, path, ImportOptions("contacts", today=TODAY))
    assert result.created == 4
    assert [(w.code, w.rows) for w in result.warnings] == [("staff_unknown", 1)]
    with database.sessions() as s:
        callers = [name for name, in s.execute(
            select(StaffUser.display_name)
            .select_from(ContactEvent).outerjoin(StaffUser, StaffUser.id == ContactEvent.staff_id)
            .order_by(ContactEvent.contact_at))]
    assert callers == ["陈丽", "陈丽", "陈丽", None]


def test_a_survey_file_mapped_by_itself_as_complaints_is_refused_but_a_chosen_mapping_is_not(
        database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "customers.xlsx"), CUSTOMERS)
    before = counts(database)
    path = write_xlsx(tmp_path / "满意度回访.xlsx",
                      ["回访日期", "车牌", "客户姓名", "满意度", "服务态度", "客户意见"],
                      [["2026-11-02", DMS_ROWS[0][1], "张三", 9, 10, "很满意"]])
    complaints = ImportOptions("complaints", today=TODAY)
    for run in (plan, apply):
        with pytest.raises(RevisitError) as refused:
            run(database.sessions, path, complaints)
        said = str(refused.value)
        # The kinds in the sentence's language (the window's Chinese says 满意度回访, 投诉).
        assert said.startswith(
            "满意度回访.xlsx looks like a satisfaction surveys file, not complaints")
        assert (refused.value.params["other"].zh, refused.value.params["kind"].zh) == (
            "满意度回访", "投诉")
        assert "its columns 满意度、服务态度 are" in said and "Nothing was imported" in said
    assert counts(database) == before
    # As surveys it is what it is.
    assert apply(database.sessions, path, ImportOptions("surveys", today=TODAY)).created == 1
    # Columns chosen by hand (the window, a saved mapping) are taken as meant.
    chosen = Mapping("complaints", (("opened_date", 0), ("plate", 1), ("name", 2),
                                    ("detail", 5)))
    done = apply(database.sessions, path, ImportOptions("complaints", today=TODAY,
                                                        mapping=chosen))
    assert done.created == 1


@pytest.mark.parametrize("chunk", [1000, 2, 3])
def test_the_lines_of_one_work_order_make_one_visit_of_their_total(database, tmp_path,
                                                                   monkeypatch, chunk):
    """A 维修项目明细 export: one row per labour or part of a work order. The visit is the work
    order (and type), its amount the lines' total, its note every line's work; a row repeated
    cell for cell is counted once; the same file read again changes nothing. Rows are written
    a chunk at a time (1,000): lines on both sides of a chunk's end are added up all the same."""
    from services.imports import engine

    monkeypatch.setattr(engine, "CHUNK", chunk)
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "工单明细.csv", [*SAME_DAY, "维修项目"], [
        ["2024-05-01", "粤A12345", "保养", "300", "W8", "机油"],
        ["2024-05-01", "粤A12345", "保养", "80", "W8", "机滤"],
        ["2024-05-01", "粤A12345", "保养", "80", "W8", "机滤"],  # the same line again
        ["2024-05-01", "粤A12345", "保养", "200", "W8", "保养工时"],
        ["2024-05-01", "粤A12345", "机修", "1,000", "W8", "更换刹车片"],
        ["2024-05-02", "粤A12345", "机修", "50", "W9", "检查"]])
    options = ImportOptions("visits", today=TODAY)
    result = apply(database.sessions, path, options)
    assert (result.created, result.rejected, result.warnings) == (3, 0, ())
    expected = {("W8", "maintenance"): (Decimal("580.00"), "工单号 W8；机油；机滤；保养工时"),
                ("W8", "repair"): (Decimal("1000.00"), "工单号 W8；更换刹车片"),
                ("W9", "repair"): (Decimal("50.00"), "工单号 W9；检查")}

    def visits() -> dict[tuple[str | None, str], tuple[Decimal, str | None]]:
        with database.sessions() as s:
            return {(v.work_order, v.visit_type): (v.amount, v.note)
                    for v in s.scalars(select(ServiceVisit))}

    assert visits() == expected
    again = apply(database.sessions, path, options)
    assert visits() == expected
    if chunk == 1000:  # lines parted by a chunk are put right by the next: an update between
        assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
