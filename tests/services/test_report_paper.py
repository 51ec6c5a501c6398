"""The printed Monday report (PDF and Excel). The effect of contact says what the window says of
a run: windows not over yet and groups too small to compare; the report of one person lists
that person's contacts only. Targets are headed as the period's they are; the "no RFM class"
row has its month-earlier count. Read back by independent readers (pdftotext, openpyxl)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from sqlalchemy import select

from services.reports import monday, monday_files, monday_pdf
from services.store.errors import RevisitError
from tests.services import report_data

RUN_DAY = dt.date(2026, 10, 20)  # windows: to 2026-11-19 (30 days), to 2027-01-18 (90 days)
START, END = dt.date(2026, 10, 19), dt.date(2026, 10, 25)
NOT_OVER = "90 天观察期尚未结束"
TOO_SMALL = "组太小，无法比较"


@pytest.fixture
def run(database):
    ids = report_data.build(database)
    members = [(ids["c1"], ids["a"], True), (ids["c2"], ids["b"], True),
               (ids["c3"], ids["a"], False)]
    report_data.add_run(database, members, [ids["c5"]], RUN_DAY)
    return database, ids


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return "".join(out.split())  # a note may wrap anywhere


def _sheet_text(path) -> str:
    sheet = openpyxl.load_workbook(path)["联系效果"]
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row
                     if v is not None)


def test_the_notes_of_a_run_whose_windows_are_not_over(run):
    database, _ids = run
    report = monday.build(database.sessions, "effect", START, END, today=dt.date(2026, 11, 23))
    [section] = report.sections
    notes = " ".join(section.notes)
    assert NOT_OVER in notes and TOO_SMALL in notes and "测试细分" in notes
    # On the run's first row (its comparison group), as the window shows them once per run.
    assert NOT_OVER in section.rows[0][-1] and TOO_SMALL in section.rows[0][-1]
    # Once every window is over, no such note; the groups are still too small.
    later = monday.build(database.sessions, "effect", START, END, today=dt.date(2027, 2, 1))
    [section] = later.sections
    assert "观察期" not in " ".join(section.notes) + "".join(r[-1] for r in section.rows)
    assert TOO_SMALL in section.rows[0][-1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_and_excel_print_the_notes(run, tmp_path):
    database, _ids = run
    today = dt.date(2026, 11, 23)
    pdf = monday_files.write(database.sessions, tmp_path / "effect.pdf", None, START, END,
                             kind="effect", today=today)
    xlsx = monday_files.write(database.sessions, tmp_path / "effect.xlsx", None, START, END,
                              kind="effect", today=today)
    for text in (_pdf_text(pdf), _sheet_text(xlsx)):
        assert "".join(NOT_OVER.split()) in "".join(text.split())
        assert TOO_SMALL in text
    # The weekly report's effect section says it too.
    weekly = monday_files.write(database.sessions, tmp_path / "weekly.xlsx", None, START, END,
                                today=today)
    assert NOT_OVER in _sheet_text(weekly)


def test_one_persons_effect_report_lists_their_contacts_only(run, tmp_path):
    database, ids = run
    today = dt.date(2026, 11, 23)
    whole = monday.build(database.sessions, "effect", START, END, today=today)
    groups = [row[2] for row in whole.sections[0].rows]
    assert groups == ["对照组（排除）", "已联系组", "已联系组：刘洋", "已联系组：陈丽"]
    mine = monday.build(database.sessions, "effect", START, END, ids["b"], today=today)
    [section] = mine.sections
    assert [row[2] for row in section.rows] == ["对照组（排除）", "已联系组：刘洋"]
    assert section.rows[1][3] == 1  # 刘洋 contacted c2 only
    assert "刘洋" in section.notes[0]
    xlsx = monday_files.write(database.sessions, tmp_path / "liu.xlsx", None, START, END,
                              ids["b"], kind="effect", today=today)
    text = _sheet_text(xlsx)
    assert "已联系组：刘洋" in text and "陈丽" not in text


def test_targets_are_the_periods_and_a_supervisor_has_none(database, tmp_path):
    from services.reports import kpi
    from services.staff import accounts

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    report_data.build(database)
    kpi.save_targets(database.sessions, boss, kpi.Target(250, None, 20, 12), {}, version=0)
    start, end = report_data.START - dt.timedelta(days=7), report_data.END  # two weeks
    report = monday.build(database.sessions, "weekly", start, end)
    targets = next(s for s in report.sections if s.key == "目标")
    assert targets.headers[1] == "本期联系目标" and targets.headers[7] == "本期预约目标"
    assert targets.headers[10:] == ("本期到店目标", "预约到店", "差距")
    assert "本期 2 周" in targets.notes[0] and "每周目标 × 2" in targets.notes[0]
    rows = {row[0]: row for row in targets.rows}
    assert rows["陈丽"][1] == 500 and rows["陈丽"][7] == 40  # 250 and 20 a week, two weeks
    assert rows["陈丽"][10] == 24 and rows["陈丽"][12] == rows["陈丽"][11] - 24  # 12 kept a week
    assert rows["王主管"][1] is None and rows["王主管"][3] is None  # no target, no gap
    xlsx = monday_files.write(database.sessions, tmp_path / "two-weeks.xlsx", None, start, end)
    sheet = openpyxl.load_workbook(xlsx)["目标"]
    assert sheet["B3"].value == "本期联系目标"
    # One day is a seventh of a week, said so (a rounded "0.1 周" contradicted 250/7).
    day = monday.build(database.sessions, "weekly", end, end)
    targets = next(s for s in day.sections if s.key == "目标")
    assert "本期 1 天" in targets.notes[0] and "每周目标 × 1/7" in targets.notes[0]
    assert {row[0]: row for row in targets.rows}["陈丽"][1] == pytest.approx(250 / 7, abs=0.05)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_paper_counts_targets_whole_and_rate_gaps_in_points_as_the_window(run, tmp_path):
    """The window shows a target of 250 a week as 250 and a reach rate's gap as 个百分点
    (percentage points); paper said 250.0 and +11.4%."""
    from services.reports import kpi
    from services.staff import accounts

    database, _ids = run
    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    kpi.save_targets(database.sessions, boss, kpi.Target(250, 0.25, 20, 5), {}, version=0)
    today = dt.date(2027, 2, 1)
    report = monday.build(database.sessions, "weekly", START, END, today=today)
    targets = next(s for s in report.sections if s.key == "目标")
    row = {r[0]: r for r in targets.rows}["陈丽"]
    assert row[1] == 250.0 and row[6] is not None  # a float target, a reach rate's gap
    pdf = monday_files.write(database.sessions, tmp_path / "weekly.pdf", None, START, END,
                             today=today)
    lines = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True).stdout.splitlines()
    heading = next(i for i, line in enumerate(lines) if "本期联系目标" in line)
    printed = next(line.split() for line in lines[heading:] if line.startswith("陈丽"))
    gap = row[6] * 100
    assert printed[:5] == ["陈丽", "250", str(row[2]), f"{row[3]:.0f}", "25.0%"]
    assert printed[6:8] == [f"{'+' if gap > 0 else ''}{gap:.1f}", "个百分点"]
    assert printed[8:] == ["20", str(row[8]), f"{row[9]:.0f}", "5", str(row[11]),
                           f"{row[12]:+.0f}"]
    # The effect of contact: each difference from the comparison group in points too, whole
    # on its line (the columns are as wide as "+100.0 个百分点").
    text = "\n".join(lines)
    assert "个百分点" in text.split("联系效果")[-1] and "250.0" not in text
    assert not any(line.rstrip().endswith("个百分") for line in lines)


def test_staff_are_named_by_user_name_or_their_one_display_name(database):
    from models import StaffUser

    with database.sessions.begin() as s:
        s.add_all([StaffUser(username="chenli", display_name="陈丽"),
                   StaffUser(username="chenli2", display_name="陈丽"),
                   StaffUser(username="liuyang", display_name="刘洋")])
    with database.sessions() as s:
        ids = dict(s.execute(select(StaffUser.username, StaffUser.id)).all())
    assert monday.staff_id_of(database.sessions, "刘洋") == ids["liuyang"]
    assert monday.staff_id_of(database.sessions, "chenli2") == ids["chenli2"]
    for name, said in (("陈丽", "2 staff members are called '陈丽'; name one by user name "
                               "(chenli, chenli2)."),
                       ("", "Name the staff member after --staff"),
                       ("nobody", "There is no staff member called 'nobody'.")):
        with pytest.raises(RevisitError) as refused:
            monday.staff_id_of(database.sessions, name)
        assert str(refused.value).startswith(said)


def test_no_rfm_class_has_its_month_earlier_count(database):
    report_data.build(database)
    report = monday.build(database.sessions, "dashboard", report_data.START, report_data.END)
    rfm = next(s for s in report.sections if s.key == "RFM")
    none = next(row for row in rfm.rows if row[0].startswith("无RFM分类"))
    # Now c2 and c5; a month earlier c1 too (its first spend came in the period).
    assert none[1:] == (2, 3, -1)
    assert "上月" in rfm.notes[0]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("kind", ["weekly", "dashboard"])
def test_a_database_without_contacts_prints_empty_charts(database, tmp_path, kind):
    # A dealer's first weeks: customers imported, nobody contacted yet.
    pdf = monday_files.write(database.sessions, tmp_path / "r.pdf", None, START, END,
                             kind=kind, today=dt.date(2026, 11, 23))
    text = _pdf_text(pdf)
    assert "每周联系" in text and "月度趋势" in text
    # The weekly chart's axis counts whole contacts, from 0 to 1 when there are none.
    assert "0.5" not in text and "0.2" not in text


def test_chart_labels_are_cut_to_their_room_and_whole_counts_tick_whole():
    font = monday_pdf.cjk_font()
    long = "11-24 matrix.6-7.high（换车九宫格：6-7年 × 满意度高（9–10））"
    [cut, short] = monday_pdf._fitted((long, "11-02"), 60, font)
    assert cut.endswith("…") and long.startswith(cut[:-1]) and short == "11-02"
    assert monday_pdf.text_width(cut, font, monday_pdf.LABEL_PT) <= 60
    counts = monday.Chart("bar", ("a", "b"), (("n", (3.0, 0.0)),))
    assert [monday_pdf._whole_step(counts, top) for top in (1.1, 6, 11, 55, 1234)] == [
        1, 2, 5, 20, 500]
    rates = monday.Chart("bar", ("a",), (("%", (17.1,)),))
    assert monday_pdf._whole_step(rates, 20) is None


def test_a_missing_folder_is_named_as_the_report_was_asked_for(database, tmp_path):
    target = tmp_path / "missing" / "周报.pdf"
    with pytest.raises(RevisitError) as caught:
        monday_files.write(database.sessions, target, None, START, END,
                           today=dt.date(2026, 11, 23))
    assert str(caught.value) == f"Cannot use the file {target}: No such file or directory."


def test_excel_weeks_are_dates_notes_stand_under_the_table_and_differences_are_signed(
        run, tmp_path):
    database, _ids = run
    today = dt.date(2026, 11, 23)
    xlsx = monday_files.write(database.sessions, tmp_path / "weekly.xlsx", None, START, END,
                              today=today)
    book = openpyxl.load_workbook(xlsx)
    weeks = book["每周联系"]
    assert weeks["A3"].value == "周一" and weeks["A4"].is_date
    effect = book["联系效果"]
    section = next(s for s in monday.build(database.sessions, "weekly", START, END,
                                           today=today).sections if s.key == "联系效果")
    last = 3 + len(section.rows)
    assert effect.cell(last + 1, 1).value is None  # an empty row, then each note in column A
    notes = [effect.cell(r, 1).value for r in range(last + 2, effect.max_row + 1)]
    assert notes == list(section.notes) and effect["B2"].value is None
    difference = effect.cell(5, 7)  # the contacted group's first difference
    assert difference.number_format == "+0.0%;-0.0%;0.0%"
    assert effect.cell(5, 6).number_format == "0.0%"  # its rate: no sign


def test_one_persons_report_says_which_sections_count_the_whole_department(run):
    database, ids = run
    mine = monday.build(database.sessions, "weekly", START, END, ids["b"])
    said = {s.key: monday.WHOLE_DEPARTMENT in s.notes for s in mine.sections}
    assert {k for k, wide in said.items() if wide} == set(monday.DEPARTMENT_WIDE)
    assert monday.OVERVIEW_WIDE in mine.sections[0].notes
    everybody = monday.build(database.sessions, "weekly", START, END)
    assert not any(monday.WHOLE_DEPARTMENT in s.notes or monday.OVERVIEW_WIDE in s.notes
                   for s in everybody.sections)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_monthly_trend_marks_a_month_not_over_as_so_far(database, tmp_path):
    """A week ending on 2026-11-22 counts November's first 22 days only: the weekly report's
    monthly table and chart mark that month and say so under them, on paper and in Excel; a
    period ending on the month's last day marks nothing."""
    report_data.build(database)
    end = report_data.END
    pdf = monday_files.write(database.sessions, tmp_path / "weekly.pdf", None,
                             report_data.START, end)
    xlsx = monday_files.write(database.sessions, tmp_path / "weekly.xlsx", None,
                              report_data.START, end)
    months = _month_cells(xlsx)
    assert months[-1] == "2026-11（仅前 22 天）"
    assert months[:-1] and all(len(m) == 7 for m in months[:-1]), months  # whole months
    note = "*11月仅前22天（至2026-11-22），不是整月"
    assert note in _monthly_text(xlsx)
    assert note in _pdf_text(pdf) and "2026-11（仅前22天）" in _pdf_text(pdf)
    whole = monday_files.write(database.sessions, tmp_path / "whole.xlsx", None,
                               dt.date(2026, 11, 24), dt.date(2026, 11, 30))
    assert _month_cells(whole)[-1] == "2026-11"
    assert "仅前" not in _monthly_text(whole)


def _month_cells(path) -> list[str]:
    """The monthly trend's month column, as Excel shows it (under its 月份 heading)."""
    rows = list(openpyxl.load_workbook(path)["月度趋势"].iter_rows(values_only=True))
    first = next(i for i, row in enumerate(rows) if row[0] == "月份") + 1
    return [str(row[0]) for row in rows[first:] if row[0] and str(row[0])[:2] == "20"]


def _monthly_text(path) -> str:
    sheet = openpyxl.load_workbook(path)["月度趋势"]
    return "".join("".join(str(v).split()) for row in sheet.iter_rows(values_only=True)
                   for v in row if v is not None)


def test_the_overviews_reached_says_it_counts_every_answered_outcome(run):
    """The overview's reached count takes appointments, purchases and refusals in (the reach
    rate's), the outcomes table lists 接通 on its own: one word for two numbers read as a
    mistake."""
    database, _ids = run
    week = dt.date(2026, 11, 16), dt.date(2026, 11, 22)  # report_data's contacts
    report = monday.build(database.sessions, "weekly", *week, today=dt.date(2026, 11, 23))
    sections = {s.key: s for s in report.sections}
    overview = dict(sections["概览"].rows)
    outcomes = {row[0]: row[-1] for row in sections["联系结果"].rows}
    answered = sum(outcomes.get(o, 0) for o in ("接通", "已预约", "已购车", "拒绝"))
    assert overview["接通（含预约、购车、拒绝）"] == answered
    assert "接通" not in overview
    assert outcomes["接通"] == 1 and answered == 4  # two appointments and a refusal beside it
    staff = sections["员工"]
    assert staff.headers[3] == "接通（含预约、购车、拒绝）"
