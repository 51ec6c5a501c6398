"""The Monday report: the figures of a period (the whole department or one person) laid out as
sections — a title, column headings, rows of real numbers and the chart that reads faster than
the table — which the PDF (monday_pdf.py) and the Excel workbook (monday_excel.py) both render.

Kinds: "dashboard" (the dashboard), "effect" (effect of the period's list runs) and "weekly"
(the whole Monday page: dashboard, targets against actuals and effect of contact)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import StaffUser
from services.labels import text
from services.reports import dashboard as dash
from services.reports import effect as eff
from services.reports import kpi as kpi_mod
from services.reports import week_state
from services.reports.figures import Dashboard
from services.segments import templates as tpl
from services.store.errors import N_, RevisitError

KINDS = ("weekly", "effect", "dashboard")
FORMATS = ("pdf", "xlsx")
KIND_TITLES = {"weekly": "每周报告", "effect": "联系效果报告", "dashboard": "仪表盘"}


def r(code: str) -> str:
    """A report label in Chinese (the printed report's language)."""
    return text("report", code)


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" | "hbar" | "stacked" | "line" | "heat"
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    columns: tuple[str, ...] = ()  # heat grid: column labels (labels are its rows)


@dataclass(frozen=True)
class Section:
    key: str  # also the Excel sheet's name
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    percent_columns: frozenset[int] = frozenset()  # cells holding a fraction 0–1
    percent_rows: frozenset[int] = frozenset()  # rows whose numbers are fractions 0–1
    chart: Chart | None = None
    notes: tuple[str, ...] = field(default=())
    # Cells that are differences, shown with their sign: of two rates (percentage cells) in
    # percentage points on paper, as the window says them (+5.0 个百分点); of counts whole
    # when they are (+3, -2.5).
    signed_columns: frozenset[int] = frozenset()

    def is_percent(self, row: int, column: int) -> bool:
        return column in self.percent_columns or (row in self.percent_rows and column > 0)


@dataclass(frozen=True)
class Report:
    kind: str
    start: dt.date
    end: dt.date
    staff: str | None
    sections: tuple[Section, ...]

    @property
    def title(self) -> str:
        who = self.staff or "全部门"
        period = f"{self.start.isoformat()} 至 {self.end.isoformat()}"
        return f"{KIND_TITLES[self.kind]} · {who} · {period}"


def staff_id_of(sessions: sessionmaker[Session], name: str) -> int:
    """The staff member a user name or display name names: a user name first (it is unique),
    else the one person of that display name."""
    if not name.strip():
        raise RevisitError(N_("Name the staff member after --staff (a user name or display "
                              "name), or leave --staff out for everybody."))
    with sessions() as s:
        by_user = s.scalar(select(StaffUser.id).where(StaffUser.username == name))
        if by_user is not None:
            return by_user
        found = s.execute(select(StaffUser.id, StaffUser.username)
                          .where(StaffUser.display_name == name)).all()
    if len(found) > 1:
        raise RevisitError(N_("{count} staff members are called '{name}'; name one by user "
                              "name ({users})."), count=len(found), name=name,
                           users=", ".join(sorted(user for _id, user in found)))
    if not found:
        raise RevisitError(N_("There is no staff member called '{name}'."), name=name)
    return found[0][0]


def build(sessions: sessionmaker[Session], kind: str, start: dt.date, end: dt.date,
          staff_id: int | None = None, progress: Callable[[int, int], None] | None = None,
          today: dt.date | None = None) -> Report:
    if kind not in KINDS:
        raise RevisitError(N_("Unknown report '{kind}' (known: {known})."), kind=kind,
                           known=", ".join(KINDS))
    dash.check_period(start, end)
    sections: list[Section] = []
    staff_name = None
    if staff_id is not None:
        with sessions() as s:
            staff_name = s.scalar(select(StaffUser.display_name).where(StaffUser.id == staff_id))
        if staff_name is None:
            raise RevisitError(N_("There is no staff member with id {id}."), id=staff_id)
    steps = {"weekly": 3, "dashboard": 1, "effect": 1}[kind]
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    if kind in ("weekly", "dashboard"):
        d = dash.dashboard(sessions, start, end, staff_id, clickable=False)
        sections += [_whole_department(s) if staff_name is not None else s
                     for s in dashboard_sections(d)]
        step()
    if kind == "weekly":
        sections.append(targets_section(kpi_mod.kpi(sessions, start, end, staff_id)))
        step()
    if kind in ("weekly", "effect"):
        effects = eff.effect_between(sessions, start, end, staff_id=staff_id, today=today)
        sections.append(effect_section(effects, staff_name, staff_id))
        step()
    return Report(kind, start, end, staff_name, tuple(sections))


# The sections of one person's report that count the whole department (the customers, their
# cars, spends, complaints and consent belong to nobody's calls), and what the overview says.
DEPARTMENT_WIDE = ("九宫格", "RFM", "投诉", "流失预警", "同意与勿扰")
WHOLE_DEPARTMENT = "全部门数据，不只是本人的。"
OVERVIEW_WIDE = "未解决投诉、客户总数、营销同意与勿扰为全部门数据，其余为本人的。"


def _whole_department(section: Section) -> Section:
    """A section of one person's report, saying so when it counts the whole department."""
    if section.key in DEPARTMENT_WIDE:
        return dataclasses.replace(section, notes=(WHOLE_DEPARTMENT, *section.notes))
    if section.key == "概览":
        return dataclasses.replace(section, notes=(OVERVIEW_WIDE, *section.notes))
    return section


def _pct(a: int, b: int) -> float | None:
    return a / b if b else None


def dashboard_sections(d: Dashboard) -> list[Section]:
    cov = {f.key: f.value for f in d.coverage}
    work = d.staff_work
    summary = (
        (r("contacts"), d.contacts), (r("attempts"), d.attempts), (r("reached"), d.reached),
        (r("reach_rate"), d.reach_rate), (r("appointments"), d.appointments),
        (r("kept"), d.kept),
        (r("follow_ups_due"), sum(w.follow_ups_due for w in work)),
        (r("follow_ups_overdue"), sum(w.follow_ups_overdue for w in work)),
        (r("open_complaints"), d.figure("complaints", "open").value),
        (r("complaint_customers"), d.figure("complaints", "customers").value),
        ("期末最久未解决投诉（天）", d.oldest_complaint_days),
        (r("customers"), cov["customers"]), (r("consent"), cov["consent"]),
        (r("dnc"), cov["dnc"]),
    )
    # A period not over yet counts overdue follow-ups by today (week_state.overdue_by).
    by = week_state.overdue_by(d.end)
    end_is = (f"期末 = {d.end} 当天结束时" if by == d.end
              else f"本期尚未结束，期末跟进逾期按截至 {by} 当天结束时计，投诉按 {d.end} 计")
    out = [Section("概览", "概览", ("指标", "数值"), summary, percent_rows=frozenset({3}),
                   notes=(f"本期到期的跟进：约定在 {d.start} 至 {d.end} 跟进、到期时仍有效的跟进"
                          "（到期前已再次联系的不计），完成与否都计入，按项计；"
                          f"{end_is}：跟进逾期按客户计（其最近一次联系约定的"
                          "跟进日期已过），未解决的投诉按件和按客户计（之后解决的仍算未解决）。",))]
    rows, values = [], []
    for yb in tpl.YEAR_BANDS:
        line = []
        for sb in tpl.MATRIX_SAT_BANDS:
            f = d.figure("matrix", f"{yb}/{sb}")
            rows.append((f"{yb}年", text("satisfaction_band", sb), f.value, f.previous, f.change))
            line.append(float(f.value))
        values.append(tuple(line))
    bands = tuple(text("satisfaction_band", sb) for sb in tpl.MATRIX_SAT_BANDS)
    out.append(Section("九宫格", r("matrix"), ("购车年限", "满意度", r("now"), r("last_month"),
                                             r("change")), tuple(rows),
                       chart=Chart("heat", tuple(f"{yb}年" for yb in tpl.YEAR_BANDS),
                                   tuple(zip(("",) * 3, values, strict=True)), bands),
                       notes=(f"按车辆计数，{d.end} 对比 {d.month_ago}。",)))
    out.append(Section("RFM", r("rfm"), ("分类", r("now"), r("last_month"), r("change")),
                       tuple((f.label_zh, f.value, f.previous, f.change) for f in d.rfm),
                       notes=(f"按客户计数，{d.end} 对比 {d.month_ago}；“{r('rfm_none')}”上月 = "
                              "现有客户数 − 上月有分类的客户（之后新增的客户计入上月的无分类）。",),
                       chart=Chart("hbar", tuple(f.label_zh for f in d.rfm), (
                           (r("now"), tuple(float(f.value) for f in d.rfm)),
                           (r("last_month"), tuple(float(f.previous or 0) for f in d.rfm))))))
    channels = sorted({c.sub for c in d.per_week_channel})
    got = {(c.key, c.sub): c.value for c in d.per_week_channel}
    weeks = [w.isoformat() for w in d.weeks]
    # Each week's Monday as a date (a date cell in Excel), its counts by its ISO text.
    week_rows = tuple((monday, *(got.get((w, ch), 0) for ch in channels),
                       sum(got.get((w, ch), 0) for ch in channels))
                      for monday, w in zip(d.weeks, weeks, strict=True))
    out.append(Section("每周联系", r("weekly"), ("周一", *(text("channel", c) for c in channels),
                                              "合计"), week_rows,
                       chart=Chart("stacked", tuple(w[5:] for w in weeks), tuple(
                           (text("channel", ch), tuple(float(got.get((w, ch), 0)) for w in weeks))
                           for ch in channels))))
    monthly = {(c.key, c.sub): c.value for c in d.per_month}
    months = [m.isoformat() for m in d.months]
    subs = ("contacts", "attempts", "reached", "appointments")
    # A period ending inside its month counts that month so far only, as the window's chart
    # says: its row and point are marked, and a note says how many days they hold.
    so_far = dash.month_so_far(d.end)
    mark = {m: "" for m in months} | ({months[-1]: "*"} if so_far else {})
    out.append(Section("月度趋势", r("monthly"), ("月份", *(r(s) for s in subs), r("reach_rate")),
                       tuple((m[:7] + (f"（仅前 {so_far} 天）" if mark[m] else ""),
                              *(monthly[(m, s)] for s in subs),
                              _pct(monthly[(m, "reached")], monthly[(m, "attempts")]))
                             for m in months), frozenset({5}),
                       chart=Chart("line", tuple(m[2:7] + mark[m] for m in months), tuple(
                           (r(s), tuple(float(monthly[(m, s)]) for m in months))
                           for s in ("contacts", "reached", "appointments"))),
                       notes=(f"* {d.end.month}月仅前 {so_far} 天（至 {d.end}），不是整月，"
                              "不宜与前几个月直接比较。",) if so_far else ()))
    totals = d.outcome_totals()
    by_channel = sorted({c.sub for c in d.outcomes})
    oc = {(c.key, c.sub): c.value for c in d.outcomes}
    heads = ("结果", *(text("channel", c) for c in by_channel), "合计")
    out.append(Section("联系结果", r("outcomes"), heads,
                       tuple((text("outcome", o), *(oc.get((o, c), 0) for c in by_channel), n)
                             for o, n in totals.items()),
                       chart=Chart("hbar", tuple(text("outcome", o) for o in totals),
                                   ((r("contacts"), tuple(float(n) for n in totals.values())),))))
    out.append(Section("员工", r("staff"), (r("staff"), r("contacts"), r("attempts"), r("reached"),
                                          r("reach_rate"), r("appointments"), r("kept"),
                                          r("follow_ups_due"), r("follow_ups_overdue")),
                       tuple((w.staff or r("no_caller"), w.contacts, w.attempts, w.reached,
                              w.reach_rate, w.appointments, w.kept, w.follow_ups_due,
                              w.follow_ups_overdue) for w in work), frozenset({4})))
    ages = d.complaints[2:]
    # Per customer, by their oldest open complaint, as the window's bars (and their segments).
    out.append(Section("投诉", r("complaint_customers"), ("最早未解决投诉已开启天数", "客户数"),
                       tuple((f"{f.key}天", f.value) for f in ages),
                       chart=Chart("bar", tuple(f"{f.key}天" for f in ages),
                                   (("客户数", tuple(float(f.value) for f in ages)),)),
                       notes=(f"按客户计数，截至 {d.end}（之后解决的投诉仍算未解决）：每位客户按其"
                              "最早一件未解决投诉的天数计入一档；"
                              f"共 {d.figure('complaints', 'customers').value} 位客户、"
                              f"{d.figure('complaints', 'open').value} 件未解决投诉。",)))
    drift_rows = []
    for yb in tpl.YEAR_BANDS:
        for sb in tpl.MATRIX_SAT_BANDS:
            drift_rows.append((f"{yb}年", text("satisfaction_band", sb),
                               *(d.figure("drift", f"{m}/{yb}/{sb}").value for m in (12, 18))))
    heads = ("购车年限", "满意度", "12个月未进厂", "18个月未进厂")
    out.append(Section("流失预警", r("drift"), heads, tuple(drift_rows)))
    customers = cov["customers"]
    out.append(Section("同意与勿扰", r("coverage"), ("项目", "客户数", "占比"),
                       tuple((f.label_zh, f.value, _pct(f.value, customers))
                             for f in d.coverage), frozenset({2})))
    return out


def targets_section(rows: tuple[kpi_mod.KpiRow, ...]) -> Section:
    """Targets against actuals. The count targets are shown for the report's period (a weekly
    target times its weeks), what the actuals and the gap are counted over; the note gives the
    weeks. A supervisor without targets of their own has none (kpi.Targets.for_staff)."""
    weeks = rows[0].weeks if rows else 1.0
    # Said exactly: a period of 1 day is 1/7 of a week (rounded, "0.1 周" contradicted the
    # target 50 × 1/7 = 7.1 in the table).
    days = round(weeks * 7)
    span, factor = ((f"{days // 7} 周", f"{days // 7}") if days % 7 == 0
                    else (f"{days} 天", f"{days}/7"))
    headers = (r("staff"), "本期联系目标", r("attempts"), r("gap"), "接通率目标", r("reach_rate"),
               r("gap"), "本期预约目标", r("appointments"), r("gap"), "本期到店目标", r("kept"),
               r("gap"))
    return Section("目标", r("targets"), headers, tuple(
        (k.staff, k.calls_target, k.attempts, k.calls_gap, k.target.reach_rate, k.reach_rate,
         k.reach_gap, k.appointments_target, k.appointments, k.appointments_gap, k.kept_target,
         k.kept, k.kept_gap) for k in rows),
        frozenset({4, 5, 6}), signed_columns=frozenset({3, 6, 9, 12}),
        chart=Chart("bar", tuple(k.staff for k in rows), (
            (r("actual"), tuple(float(k.attempts) for k in rows)),
            (r("target"), tuple(float(k.calls_target or 0) for k in rows)))),
        notes=(f"目标按周设定（每周联系、每周预约、每周到店），本期 {span}，"
               f"本期目标 = 每周目标 × {factor}；差距 = 实际 − 本期目标。"
               "主管未单独设定目标时不设目标（默认目标只适用于联系员）。",))


# What the window's effect tab says of a run (ui/views/report_effect.py), as its Chinese
# translation reads, so paper and screen give the same warnings.
NOT_OVER = "{days} 天观察期尚未结束，之后的到店和购车仍会计入。"
TOO_SMALL = "组太小，无法比较（其中一组少于 {n} 人）：差异不可信。"


def run_notes(e: eff.RunEffect) -> tuple[str, ...]:
    """The warnings about one run the window shows beside it: groups too small to compare, and
    windows not over yet (their rates will still rise)."""
    notes = []
    if e.overall.too_small:
        notes.append(TOO_SMALL.replace("{n}", str(eff.MIN_GROUP)))
    missing = [str(w) for w in eff.WINDOWS if w not in e.complete_windows]
    if missing:
        notes.append(NOT_OVER.replace("{days}", "/".join(missing)))
    return tuple(notes)


def effect_section(effects: tuple[eff.RunEffect, ...], staff: str | None = None,
                   staff_id: int | None = None) -> Section:
    """The period's runs against their comparison groups: the comparison group, then everyone
    contacted and each person who contacted; with `staff_id` (the report of one person, named
    `staff`) that person's contacts only, as the report's other sections."""
    headers = ["名单日期", "细分", "组别", r("group_size")]
    for m in eff.MEASURES:
        for w in eff.WINDOWS:
            headers += [f"{r(m)}{w}天", f"{r(m)}{w}天{r('rate')}", f"{r(m)}{w}天{r('difference')}"]
    headers.append("说明")
    rows = []
    pct = set()
    for i in range(len(eff.MEASURES) * len(eff.WINDOWS)):
        pct |= {5 + 3 * i, 6 + 3 * i}
    run_warnings = []
    for e in effects:
        base = e.overall.comparison
        kind = "（排除）" if e.comparison == "excluded" else "（未入名单）"
        groups: list[tuple[str, eff.GroupOutcome, eff.EffectRow | None]] = [
            (r("comparison") + kind, base, None)]
        shown = e.rows_for(staff_id)
        groups += [(r("contacted") if row.key == "all"
                    else f"{r('contacted')}：{row.key or r('no_caller')}",
                    row.contacted, row) for row in shown]
        warnings = run_notes(e)
        if warnings:
            run_warnings.append(f"{e.as_of.isoformat()} {e.segment_name}：{''.join(warnings)}")
        for i, (name, g, row) in enumerate(groups):
            cells: list[Any] = [e.as_of, e.segment_name, name, g.size]
            for m in eff.MEASURES:
                for w in eff.WINDOWS:
                    cells += [g.count(w, m), g.rate(w, m),
                              row.difference(w, m) if row is not None else None]
            # The run's warnings on its first row (the comparison group), as the window shows
            # them once per run; a person's group too small on its row (when the run's groups
            # are too small, so is every part of them: said once).
            note = list(warnings) if i == 0 else []
            if row is not None and row.too_small and not e.overall.too_small:
                note.append(r("too_small").replace("{n}", str(eff.MIN_GROUP)))
            cells.append("".join(note))
            rows.append(tuple(cells))
    notes: tuple[str, ...] = (
             "回厂 = 首次联系后N天内有进厂记录（对照组：名单日期后N天内）；"
             "消费 = 有金额大于零的进厂或其他消费；购车 = 有新车购买日期。",
             "对照组：名单排除的成员，或同一细分在名单日期未入名单的客户；"
             "排除有原因，差异仅供参考。",
             f"每项：人数 · 比例 · 与对照组的差异；任一组少于{eff.MIN_GROUP}人时差异不可信。",
             *run_warnings)
    if staff is not None:
        notes = (f"只列{staff}联系的客户，与整次名单的对照组比较。",) + notes
    if not effects:
        notes = ("本期没有已完成的名单。",) + notes
    chart = None
    if effects:
        labels = tuple(f"{e.as_of.strftime('%m-%d')} {e.segment_name}" for e in effects)

        def contacted(e: eff.RunEffect) -> eff.GroupOutcome:
            # With `staff`, only runs holding that person's row are reported (effect_between).
            return (e.rows_for(staff_id)[0].contacted if staff_id is not None
                    else e.overall.contacted)

        chart = Chart("bar", labels, tuple(
            (f"{name}：{r('came_back')}90天（%）", tuple(
                100 * (group(e).rate(90, "came_back") or 0) for e in effects))
            for name, group in ((r("contacted"), contacted),
                                (r("comparison"), lambda e: e.overall.comparison))))
    differences = frozenset(6 + 3 * i for i in range(len(eff.MEASURES) * len(eff.WINDOWS)))
    return Section("联系效果", r("effect"), tuple(headers), tuple(rows), frozenset(pct),
                   chart=chart, notes=notes, signed_columns=differences)


def suggested_name(start: dt.date, end: dt.date, staff: str, fmt: str,
                   kind: str = "weekly") -> str:
    who = f"-{staff}" if staff else ""
    return f"{KIND_TITLES[kind]}{who}-{start.isoformat()}-{end.isoformat()}.{fmt}"
