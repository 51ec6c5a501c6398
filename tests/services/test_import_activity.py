"""Importing surveys, complaints and contacts as DMS export them, on SQLite and PostgreSQL: a
survey's scale told by its values, complaint states that outweigh a close date, contact
purposes in the dealer's words, and the common names of their columns."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from models import Complaint, ContactEvent, SatisfactionSurvey
from services.imports import normalise as n
from services.imports import scores as sc
from services.imports import words as w
from services.imports.apply import apply
from services.imports.columns import ColumnScale, decide
from services.imports.mapping import auto_map
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import dms_export, snapshot, write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
SURVEYS = ImportOptions("surveys", today=TODAY)
COMPLAINTS = ImportOptions("complaints", today=TODAY)
CONTACTS = ImportOptions("contacts", today=TODAY)
SURVEY_HEADERS = ["回访日期", "手机", "客户姓名", "总体满意度", "维修质量", "价格", "速度",
                  "接待态度", "客户意见"]
FIVE_ON = ("表头未注明分制，该列评分均不超过5，按5分制换算为10分制（若实为10分制，"
           "请在表头注明“10分制”）")


def _surveys(database) -> list[tuple]:
    with database.sessions() as s:
        return [(v.survey_date.day, v.overall_score, v.repair_quality, v.price, v.speed,
                 v.attitude) for v in s.scalars(select(SatisfactionSurvey)
                                                .order_by(SatisfactionSurvey.survey_date))]


def test_a_five_point_survey_whose_header_names_no_scale_is_read_out_of_five(database,
                                                                             tmp_path):
    # Read as 0–10, 张三's five 5s were a 5: the low band, held from every sales call as an
    # unhappy customer. The whole column decides, in the dry run and the import alike.
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "回访记录.csv", SURVEY_HEADERS, [
        ["2026-11-10", "13800138080", "张三", "5", "5", "4", "5", "5", "很好"],
        ["2026-11-11", "13900139000", "王五", "4", "4", "4", "5", "4", ""],
        ["2026-11-12", "13800138080", "张三", "4.5", "", "", "", "", "等太久"],
        ["2026-11-13", "13900139000", "王五", "★★★", "", "", "", "", ""],
        ["2026-11-14", "13800138080", "张三", "3", "3", "2", "3", "3", ""],
        ["2026-11-15", "13900139000", "王五", "满意", "", "", "", "", ""]])
    dry = plan(database.sessions, path, SURVEYS)
    result = apply(database.sessions, path, SURVEYS)
    assert (result.created, result.rejected) == (6, 0)
    for run in (dry, result):
        noted = {(r.zh, r.rows) for r in run.warnings}
        assert noted == {
            (f"总体满意度：{FIVE_ON}", 4), (f"维修质量：{FIVE_ON}", 3), (f"价格：{FIVE_ON}", 3),
            (f"维修速度：{FIVE_ON}", 3), (f"服务态度：{FIVE_ON}", 3)}
    assert _surveys(database) == [
        (10, 10, 10, 8, 10, 10), (11, 8, 8, 8, 10, 8), (12, 9, None, None, None, None),
        (13, 6, None, None, None, None), (14, 6, 6, 4, 6, 6), (15, 8, None, None, None, None)]
    before = snapshot(database)
    assert apply(database.sessions, path, SURVEYS).unchanged == 6
    assert snapshot(database) == before


def test_a_survey_column_that_does_not_say_five_points_stays_on_ten(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    # Scores up to 5 and above in one column: 0–10, the low ones unhappy customers.
    mixed = write_csv(tmp_path / "混合.csv", ["回访日期", "手机", "总体满意度"], [
        ["2026-11-01", "13800138080", "4"], ["2026-11-02", "13900139000", "9"],
        ["2026-11-03", "13800138080", "3"], ["2026-11-04", "13900139000", "10"],
        ["2026-11-05", "13800138080", "5"], ["2026-11-06", "13900139000", "2"]])
    result = apply(database.sessions, mixed, SURVEYS)
    assert (result.created, result.warnings) == (6, ())
    # Two scores up to 5 are too few to tell: kept on 0–10, and said.
    few = write_csv(tmp_path / "两行.csv", ["回访日期", "手机", "总体满意度"], [
        ["2026-11-07", "13800138080", "4"], ["2026-11-08", "13900139000", "5"]])
    result = apply(database.sessions, few, SURVEYS)
    assert [(r.zh, r.rows) for r in result.warnings] == [(
        "总体满意度：该列评分均不超过5，但行数太少，无法断定是5分制，按10分制保存（若实为5分制，"
        "请在表头注明“5分制”）", 2)]
    # A header naming ten points is taken at its word, however low the scores.
    named = write_xlsx(tmp_path / "十分制.xlsx", ["回访日期", "手机", "总体满意度（10分制）"], [
        [f"2026-11-{day}", "13800138080", 3] for day in range(10, 16)])
    assert apply(database.sessions, named, SURVEYS).warnings == ()
    # Above 10 throughout: out of 100 (85 is 9), where every row was refused before.
    hundred = write_xlsx(tmp_path / "百分.xlsx", ["回访日期", "手机", "得分"], [
        ["2026-11-20", "13800138080", 85], ["2026-11-21", "13900139000", 92]])
    result = apply(database.sessions, hundred, SURVEYS)
    assert (result.created, result.rejected) == (2, 0)
    assert [r.zh for r in result.warnings] == [
        "总体满意度：表头未注明分制，该列评分均在10以上，按百分制换算为10分制"]
    assert [s[1] for s in _surveys(database)] == [4, 9, 3, 10, 5, 2, 4, 5, 3, 3, 3, 3, 3, 3, 9, 9]


def _column(*cells) -> ColumnScale:
    scale = ColumnScale()
    for cell in cells:
        scale.add(cell)
    return scale


def test_a_survey_asks_on_one_scale_so_its_low_columns_are_judged_together():
    # Four rows: too few alone; a half or stars in any of the low columns tells five points.
    low = {0: _column(5, 4, 4, 3), 1: _column(5, 4, "4.5", None)}
    rows = Counter({frozenset({0, 1}): 3, frozenset({0}): 1})
    fields = {0: "overall_score", 1: "price"}
    assert decide(low, rows, fields).scales == {0: 5, 1: 5}
    plain = {0: _column(5, 4, 4, 3), 1: _column(5, 4, 4, None)}
    assert decide(plain, rows, fields).scales == {0: 10, 1: 10}
    # A column above 5 stays on ten, and does not hold back the others.
    mixed = {0: _column(9, 8, 10, 7, 9), 1: _column(5, 4, 3, 5, 4)}
    five_rows = Counter({frozenset({0, 1}): 5})
    assert decide(mixed, five_rows, fields).scales == {0: 10, 1: 5}
    # Graded words and blanks tell nothing; 8/10 names ten points.
    assert not _column("满意", "", None, "非常满意").up_to_five
    assert not _column(4, 5, "8/10").up_to_five
    assert _column(90, 0, 85).hundred and not _column(90, 9).hundred


@pytest.mark.parametrize(("header", "scale"), [
    ("Overall (out of 10)", 10), ("score out of 5", 5), ("Score (5-point)", 5), ("Stars", 5),
    ("score out of 100", 100), ("满意度(1-10)", 10), ("满意度（十分制）", 10), ("评分(1~5)", 5),
    ("满分5", 5), ("总体满意度", None), ("满分50", None)])
def test_the_scale_a_header_names(header, scale):
    assert sc.named_scale(header) == scale


def _complaints(database) -> dict[str, tuple]:
    with database.sessions() as s:
        return {c.topic: (c.resolved, c.resolved_date, c.resolution)
                for c in s.scalars(select(Complaint))}


def test_a_complaint_said_to_be_open_stays_open_whatever_its_close_date(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "投诉登记.csv", [
        "登记日期", "手机", "投诉主题", "处理状态", "结案日期", "处理结果"], [
        ["2026-10-01", "13800138080", "保养后异响", "已结案", "2026-10-05", "免费返修"],
        ["2026-10-02", "13800138080", "异响", "未解决", "2026-10-10", None],
        ["2026-10-03", "13800138080", "价格", "未结案", "2026-10-12", "待客户确认"],
        ["2026-10-04", "13800138080", "态度", "处理中-等配件", "2026-10-10", None],
        ["2026-10-05", "13900139000", "等待时间长", "已办结（客户满意）", None, None],
        ["2026-10-06", "13900139000", "漆面", None, "2026-10-09", None],
        ["2026-10-07", "13900139000", "配件", "跟进中", None, None]])
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, path, COMPLAINTS, errors_path=errors)
    assert (result.created, result.rejected) == (7, 0)
    assert [(r.zh, r.rows) for r in result.warnings] == [(
        "解决日期：状态为未解决，但填有解决日期：按未解决保存，该日期记入处理结果", 3)]
    assert _complaints(database) == {
        "保养后异响": (True, dt.date(2026, 10, 5), "免费返修"),
        "异响": (False, None, "处理日期 2026-10-10"),
        "价格": (False, None, "处理日期 2026-10-12；待客户确认"),
        "态度": (False, None, "处理日期 2026-10-10"),
        "等待时间长": (True, None, None),
        "漆面": (True, dt.date(2026, 10, 9), None),
        "配件": (False, None, None)}
    before = snapshot(database)
    assert apply(database.sessions, path, COMPLAINTS).unchanged == 7
    assert snapshot(database) == before


def test_a_close_date_before_the_complaint_loses_the_date_not_the_complaint(database,
                                                                            tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "投诉.csv", [
        "登记日期", "车牌号", "投诉主题", "处理状态", "结案日期", "处理结果"], [
        ["2026-10-03", "粤B11111", "配件价格贵", "已解决", "2026-09-01", "退差价"],
        ["2026-10-04", "粤B11111", "等待时间长", None, "2026-09-30", None]])
    result = apply(database.sessions, path, COMPLAINTS)
    assert (result.created, result.rejected) == (2, 0)
    assert [(r.zh, r.rows) for r in result.warnings] == [
        ("解决日期：解决日期早于投诉日期，该日期未保存，投诉已导入，请核对", 2)]
    # Resolved when the status says so; a date that cannot be is no sign of it.
    assert _complaints(database) == {"配件价格贵": (True, None, "退差价"),
                                     "等待时间长": (False, None, None)}


def test_a_file_without_a_status_does_not_reopen_a_resolved_complaint(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    apply(database.sessions, write_csv(tmp_path / "结案.csv", [
        "投诉日期", "手机", "投诉主题", "是否解决"], [
        ["2026-10-01", "13800138080", "异响", "已解决"]]), COMPLAINTS)
    result = apply(database.sessions, write_csv(tmp_path / "登记.csv", [
        "投诉日期", "手机", "投诉主题", "投诉内容"], [
        ["2026-10-01", "13800138080", "异响", "保养后异响"]]), COMPLAINTS)
    assert result.updated == 1
    assert _complaints(database) == {"异响": (True, None, None)}
    with database.sessions() as s:
        assert s.scalars(select(Complaint.detail)).one() == "保养后异响"


def test_a_complaints_file_with_only_its_content_takes_the_topic_from_it(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    long = "客户反映" + "变速箱顿挫" * 30
    path = write_xlsx(tmp_path / "客户投诉.xlsx", [
        "受理时间", "车牌号", "投诉内容", "处理进度", "办结日期"], [
        ["2026-10-11", "粤A12345", "保养后发动机异响。多次返修未解决，要求赔偿", "已办结",
         "2026-10-15"],
        ["2026-10-12", "粤B11111", long, "处理中", None],
        ["2026-10-13", "粤C22222", None, "处理中", None]])
    mapping = auto_map(["受理时间", "车牌号", "投诉内容", "处理进度", "办结日期"], "complaints")
    assert mapping.missing_required == ()
    result = apply(database.sessions, path, COMPLAINTS)
    assert (result.created, result.rejected) == (2, 1)
    assert [r.zh for r in result.reasons] == ["投诉主题：必填项为空"]
    with database.sessions() as s:
        stored = {c.opened_date.day: (c.topic, c.detail, c.resolved)
                  for c in s.scalars(select(Complaint))}
    assert stored == {
        11: ("保养后发动机异响", "保养后发动机异响。多次返修未解决，要求赔偿", True),
        12: (long[:99] + "…", long, False)}


def test_contact_purposes_in_the_dealers_words_and_an_unknown_one_keeps_the_contact(
        database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    rows = [
        ["2026-11-20 10:30", "13800138080", "电话", "续保", "已接通", "下周来续保"],
        ["2026-11-21 10:00", "13800138080", "电话", "首保", "已接通", None],
        ["2026-11-22 10:00", "13800138080", "短信", "生日关怀", "已发送", None],
        ["2026-11-23 10:00", "13800138080", "电话", "流失召回", "无人接听", None],
        ["2026-11-24 10:00", "13800138080", "电话", "二手车评估", "已预约", None],
        ["2026-11-25 10:00", "13800138080", "电话", "投诉回访", "已接通", None],
        ["2026-11-26 10:00", "13900139000", "电话", "钉钉群发", "已接通", "车况良好"],
        ["2026-11-27 10:00", "13900139000", "电话", None, "已接通", None]]
    path = write_csv(tmp_path / "联系记录.csv", [
        "跟进时间", "手机", "跟进方式", "跟进类型", "跟进结果", "跟进内容"], rows)
    result = apply(database.sessions, path, CONTACTS)
    assert (result.created, result.rejected) == (8, 0)
    assert [(r.zh, r.rows) for r in result.warnings] == [
        ("联系目的：联系目的无法识别，按“满意度回访”记录，原文记入客户反馈", 1)]
    with database.sessions() as s:
        stored = [(e.purpose, e.feedback) for e in
                  s.scalars(select(ContactEvent).order_by(ContactEvent.contact_at))]
    assert stored == [
        ("reminder", "下周来续保"), ("reminder", None), ("care", None), ("marketing", None),
        ("sales", None), ("callback", None), ("callback", "联系目的 钉钉群发；车况良好"),
        ("callback", None)]
    before = snapshot(database)
    assert apply(database.sessions, path, CONTACTS).unchanged == 8
    # A file without purposes leaves the stored ones as they are.
    again = write_csv(tmp_path / "无目的.csv", ["联系时间", "手机", "联系方式", "联系结果"],
                      [r[:3] + [r[4]] for r in rows[:3]])
    assert apply(database.sessions, again, CONTACTS).unchanged == 3
    assert snapshot(database) == before


@pytest.mark.parametrize(("word", "code"), [
    ("续保", "reminder"), ("保险到期", "reminder"), ("续保回访", "reminder"), ("首保", "reminder"),
    ("保养提醒", "reminder"), ("年检提醒", "reminder"), ("回访", "callback"),
    ("满意度回访", "callback"), ("保养回访", "callback"), ("投诉回访", "callback"),
    ("生日关怀", "care"), ("节日问候", "care"), ("投诉处理", "care"), ("流失召回", "marketing"),
    ("休眠客户激活", "marketing"), ("召回", "recall"), ("召回通知", "recall"), ("置换", "sales"),
    ("二手车评估", "sales"), ("延保", "sales"), ("问卷调查", "survey"), ("活动邀约", "marketing"),
    ("老带新", "ref_ask"), ("推荐致谢", "ref_thanks"), ("保险理赔", "care")])
def test_contact_purposes_as_dms_name_them(word, code):
    assert w.normalise_purpose(word) == n.Clean(code)


@pytest.mark.parametrize(("word", "resolved"), [
    ("已结案", True), ("未结案", False), ("已办结", True), ("未办结", False), ("完结", True),
    ("关闭", True), ("已关闭", True), ("已撤诉", True), ("处理完成", True), ("待处理", False),
    ("处理中", False), ("跟进中", False), ("待回访", False), ("已受理", False),
    ("已结案（客户满意）", True), ("处理中-等配件", False), ("In progress", False)])
def test_complaint_states_as_dms_name_them(word, resolved):
    assert w.normalise_yes_no(word) == n.Clean(resolved)


@pytest.mark.parametrize(("word", "granted"), [
    ("已授权", True), ("接收", True), ("同意营销", True), ("可联系", True),
    ("未授权", False), ("不接收", False), ("拒收", False), ("拒绝营销", False), ("免打扰", False),
    ("勿扰", False), ("不可联系", False), ("不同意营销", False)])
def test_marketing_consent_as_dms_name_it(word, granted):
    # Each was "not recognised", the customer's consent left unknown.
    assert w.normalise_consent(word) == n.Clean(granted)


def test_a_note_after_a_word_never_makes_an_unknown_one_known():
    assert w.normalise_yes_no("也许（再说）").value is None
    assert w.normalise_consent("同意/不同意").value is None


@pytest.mark.parametrize(("kind", "header", "field"), [
    ("complaints", "投诉详情", "detail"), ("complaints", "投诉问题", "topic"),
    ("complaints", "处理进度", "resolved"), ("complaints", "办结日期", "resolved_date"),
    ("complaints", "受理时间", "opened_date"), ("surveys", "客户满意度", "overall_score"),
    ("surveys", "维修及时性", "speed"), ("surveys", "服务顾问态度", "attitude"),
    ("surveys", "价格合理性", "price"), ("surveys", "不满意原因", "comment"),
    ("contacts", "回访目的", "purpose"), ("contacts", "通话结果", "outcome"),
    ("contacts", "跟进人", "staff"), ("contacts", "沟通方式", "channel"),
    ("contacts", "跟进记录", "feedback")])
def test_common_dms_headers_of_activity_files(kind, header, field):
    assert auto_map([header], kind).columns == ((field, 0),)


def test_days_written_without_their_year(database, tmp_path):
    """A call log's 11-28 10:30 is the last 28 November up to the import; a follow-up's 12月5日
    the next 5 December, or one up to 90 days past (a follow-up missed): each row says so."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    rows = [
        ["11-28 10:30", "13800138080", "电话", "已接通", "12月5日"],
        ["11/29", "13800138080", "电话", "已接通", "1月10日"],
        ["12-2 09:00", "13900139000", "电话", "已接通", "10月1日"],
        ["2026-11-20 10:00", "13900139000", "电话", "已接通", "8月1日"],
    ]
    path = write_csv(tmp_path / "联系记录.csv", ["联系时间", "手机", "联系方式", "联系结果",
                                               "下次跟进日期"], rows)
    result = apply(database.sessions, path, CONTACTS)
    assert (result.created, result.rejected) == (4, 0)
    assert sorted((r.zh, r.rows) for r in result.warnings) == [
        ("下次跟进：日期未写年份，按导入日前90天起最早的该日计", 4),
        ("联系时间：日期未写年份，按导入日或之前最近的该日计", 3)]
    # Each row says the day it was taken as (the counts above, of many rows, do not).
    said = {sample.values[0]: sample.reasons for samples in result.samples.values()
            for sample in samples}
    assert said["11-28 10:30"] == (
        "联系时间：日期未写年份，按导入日或之前最近的该日计（“2026-11-28 10:30”）",
        "下次跟进：日期未写年份，按导入日前90天起最早的该日计（“2026-12-05”）")
    assert said["11/29"][0].endswith("（“2026-11-29”）")  # no time typed: none said
    assert said["2026-11-20 10:00"] == (
        "下次跟进：日期未写年份，按导入日前90天起最早的该日计（“2027-08-01”）",)
    english = {sample.values[0]: sample.reasons_en for samples in result.samples.values()
               for sample in samples}
    assert english["12-2 09:00"][0] == ("Contact time: no year given: taken as the latest such "
                                        'day up to the import ("2025-12-02 09:00")')
    with database.sessions() as s:
        stored = [(e.contact_at, e.next_follow_up) for e in
                  s.scalars(select(ContactEvent).order_by(ContactEvent.contact_at))]
    assert stored == [
        (dt.datetime(2025, 12, 2, 9, 0), dt.date(2026, 10, 1)),  # 2 December is still to come
        (dt.datetime(2026, 11, 20, 10, 0), dt.date(2027, 8, 1)),  # 1 August: 121 days past
        (dt.datetime(2026, 11, 28, 10, 30), dt.date(2026, 12, 5)),
        (dt.datetime(2026, 11, 29), dt.date(2027, 1, 10))]


def test_a_birthday_without_its_year_keeps_its_day_and_a_purchase_is_refused():
    from services.imports.clean import clean_value
    from services.imports.dates import MonthDay
    from services.imports.fields import CUSTOMERS as CUSTOMER_FIELDS

    birthday = next(f for f in CUSTOMER_FIELDS.fields if f.key == "birthday")
    result = clean_value(birthday, "3月5日", TODAY)
    assert result.value == MonthDay(3, 5)
    assert [p.text() for p in result.problems] == [
        "生日没有年份：只保存月日（生日关怀照常），年龄不详"]
    purchase = next(f for f in CUSTOMER_FIELDS.fields if f.key == "purchase_date")
    assert clean_value(purchase, "3-5", TODAY).value is None
