"""What reading a filled-in call list back says besides the rows it stored: a row's problem
or a whole file's note (Problem), in English and Chinese, and the notes themselves (rows dated
by their list's day, outcomes typed in words or a character wrong, rows already recorded on
screen, a list withdrawn or replaced, a file open in Excel), and why a row's cell was left
out of its stored contact."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import ContactEvent, ListRun, db
from services import labels
from services.imports import failed
from services.imports.normalise import Cell, km_rise_implausible
from services.imports.phones import normalise_phones
from services.lists.profile_cells import cell_text, kept_words
from services.lists.runs import calls_queued
from services.store.database import user_error
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class Problem:
    """What is wrong with a row (its spreadsheet row number; 0: a whole sheet), in English and
    Chinese: the CLI says the one, the window the other."""

    row: int
    en: str
    zh: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


def where(number: int, sheet: str, en: str, zh: str) -> Problem:
    if not sheet:
        return Problem(number, en, zh)
    return Problem(number, f"sheet {sheet}: {en}", f"工作表“{sheet}”：{zh}")


def undated(counts: Counter[tuple[int, dt.date, str]]) -> tuple[Problem, ...]:
    """A note for each list whose rows without a 联系日期 were dated by its day (list_day)."""
    notes = []
    for (run, day, which), n in sorted(counts.items()):
        en, zh = {"out": (f"the day list #{run} was handed out", f"按名单 #{run} 发出的日期"),
                  "as_of": (f"the date of list #{run}", f"按名单 #{run} 的日期"),
                  "today": ("today", "按今天的日期")}[which]
        notes.append(Problem(
            0, f"{n} row(s) without a 联系日期 (contact date) were dated {day}, {en}; if those "
               f"calls were made on other days, type their days in 联系日期 and read the file "
               f"again (nothing is stored twice)",
            f"{n} 行没有填写联系日期，{zh} {day} 保存；如果这些电话是在其他日期打的，请在"
            f"“联系日期”中填上日期后再读一次（不会重复保存）"))
    return tuple(notes)


# Words of outcomes named in the note of the rows that typed them; the rest are counted.
WORDS_SHOWN = 10


def words(counts: Counter[tuple[str, str]]) -> tuple[Problem, ...]:
    """A note of the outcomes typed in the caller's own words (不在家), read as the outcome
    nearest them, the words kept as the contact's feedback."""
    if not counts:
        return ()
    shown = counts.most_common(WORDS_SHOWN)
    said = {}
    for lang, sep, times in (("en", ", ", " ({})"), ("zh", "、", "（{} 行）")):
        said[lang] = sep.join(f"{w} → {labels.text('outcome', code, lang)}"
                              + (times.format(n) if n > 1 else "") for (w, code), n in shown)
        if len(counts) > WORDS_SHOWN:
            said[lang] += sep + "…"
    n = sum(counts.values())
    return (Problem(0, f"{n} row(s) gave the outcome in the caller's own words, stored as the "
                       f"outcome nearest them with the words kept in the contact's feedback: "
                       f"{said['en']}",
                    f"{n} 行的结果是回访员自己的话，已按最接近的结果保存，原话记入客户反馈："
                    f"{said['zh']}"),)


def replaced(sessions: Sessions, run_ids: set[int]) -> tuple[Problem, ...]:
    """A note for each run read into that was withdrawn (what the file says is recorded all
    the same: those calls were made), or that a later finished run of the same segment
    replaced: the customers still open there are called from that run, whatever this file
    said."""
    if not run_ids:
        return ()
    notes = []
    with sessions() as s:
        for run in s.scalars(select(ListRun).where(ListRun.id.in_(sorted(run_ids)))):
            if run.withdrawn_at is not None:
                notes.append(Problem(
                    0, f"this file is list #{run.id}, which was withdrawn: the calls it records "
                       f"are kept, and those not made stay out of the queues",
                    f"该文件是已撤回的名单 #{run.id}：文件中记录的联系照常保存，未拨打的不会回到"
                    f"待拨队列"))
            newer = s.scalar(select(ListRun.id).where(
                ListRun.segment_id == run.segment_id, ListRun.segment_id.is_not(None),
                ListRun.finished_at.is_not(None), ListRun.withdrawn_at.is_(None),
                ListRun.created_at > run.created_at, calls_queued())
                .order_by(ListRun.created_at.desc()).limit(1))
            if newer is not None:
                notes.append(Problem(
                    0, f"this file is list #{run.id}, which list #{newer} of the same segment "
                       f"has replaced: its customers who are still open in #{newer} will be "
                       f"called from there",
                    f"该文件是名单 #{run.id}，同一客户分群已有更新的名单 #{newer}：在 #{newer} 中"
                    f"尚未联系的客户仍会按 #{newer} 联系"))
    return tuple(notes)


def open_elsewhere(path: Path) -> tuple[Problem, ...]:
    """A note when Excel or WPS has the file open (their lock file beside it, ~$ in place of
    the name's first characters): what was read is its last saved version."""
    for lock in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if lock.exists():
            return (Problem(0, f"{path.name} is open in Excel or WPS ({lock.name} is beside "
                               f"it): what was read is its last saved version; save it and "
                               f"read it again if more was typed since",
                            f"{path.name} 正在 Excel 或 WPS 中打开（旁边有 {lock.name}）：读取的是"
                            f"最后保存的版本；如之后又填写了内容，请保存后再读一次"),)
    return ()


# Rows named in the note of outcomes typed a character wrong; the rest are counted.
TYPO_ROWS = 10


def typos(found: dict[tuple[str, str], list[int]]) -> tuple[Problem, ...]:
    """A note of the outcomes typed a character wrong (接同), each read as the one wording it
    is a character off from (接通), with the rows that typed it: to be checked."""
    notes = []
    for (typed, wording), rows in sorted(found.items(), key=lambda kv: kv[1][0]):
        shown = ", ".join(str(r) for r in rows[:TYPO_ROWS]) + (", …" if len(rows) > TYPO_ROWS
                                                               else "")
        shown_zh = "、".join(str(r) for r in rows[:TYPO_ROWS]) + ("…" if len(rows) > TYPO_ROWS
                                                                 else "")
        notes.append(Problem(
            0, f"结果 '{typed}' is one character off 结果 '{wording}', the only outcome it is "
               f"that close to, and was read as it ({typed} → {wording}) in row(s) {shown}; "
               f"if another was meant, type it and read the file again",
            f"结果“{typed}”与“{wording}”只差一个字，已按“{wording}”读取（{typed} → {wording}），"
            f"第 {shown_zh} 行；如果不是这个结果，请改正后再读一次"))
    return tuple(notes)


def on_screen(n: int) -> tuple[Problem, ...]:
    """A note of the rows whose call was recorded on screen already (My follow-ups): the
    contact is not stored again."""
    if not n:
        return ()
    return (Problem(0, f"{n} row(s) were already recorded on screen (the same day and outcome "
                       f"for that list's customer): not stored again; a feedback written on the "
                       f"list only is added to that contact",
                    f"{n} 行已在屏幕上登记过（同一名单客户、同一天、同一结果）：未重复保存；"
                    f"只在名单上填写的客户反馈会补入该联系记录"),)


def screen_differs(number: int, sheet: str, outcome: str, screen: ContactEvent) -> Problem:
    """Row `number`'s problem: its outcome is not the one recorded on screen for that day's
    call (`screen`)."""
    at = screen.contact_at.strftime("%Y-%m-%d %H:%M")
    theirs, mine = ({lang: labels.text("outcome", o, lang) for lang in ("en", "zh")}
                    for o in (screen.outcome, outcome))
    return where(number, sheet,
                 f"a call of this list to this customer was recorded on screen at {at} as "
                 f"'{theirs['en']}'; this row says '{mine['en']}': the screen's is kept and "
                 f"the row not stored; if it was another call, record it on screen",
                 f"该客户本名单的联系已于 {at} 在屏幕上登记为“{theirs['zh']}”，本行写的是"
                 f"“{mine['zh']}”：保留屏幕上的登记，本行未保存；如果是另一通电话，请在屏幕上登记")


def screen_caller(number: int, code: str, sheet: str, typed: str, theirs: str) -> Problem:
    """A note that row `number` (`code`) names 回访员 `typed` for a call recorded on screen by
    `theirs`, and that the call stays theirs: whoever typed it in on screen made it."""
    return where(0, sheet,
                 f"row {number} ({code}): the call was recorded on screen by {theirs} and stays "
                 f"theirs, not 回访员 '{typed}'s; if {typed} made it, change its caller on the "
                 f"customer's page",
                 f"第 {number} 行（{code}）：该联系已由{theirs}在屏幕上登记，仍记在{theirs}名下，"
                 f"未改为回访员“{typed}”；如确由{typed}联系，请在客户页面修改")


def stored_without(number: int, sheet: str, en: str, zh: str) -> Problem:
    """Row `number`'s cell left out of its stored contact (`en`, `zh`: what is wrong)."""
    return where(number, sheet,
                 f"the contact is stored without this cell: {en}; put it in by hand on the "
                 f"customer's page, or correct it and read the file again",
                 f"联系结果已保存，此格未保存：{zh}；请在客户页面手动填写，或改正后再读一次")


def kept(number: int, code: str, sheet: str, changes: list[tuple[str, str]]) -> Problem:
    """A note that row `number` (`code`), read again with its outcome unchanged, no longer
    says the profile changes its first reading stored, and that they were kept."""
    en, zh = kept_words(changes)
    return where(0, sheet, f"row {number} ({code}) {en}", f"第 {number} 行（{code}）{zh}")


def _numbers_in(cell: Cell) -> frozenset[str]:
    """The numbers of a phone cell, digits only, as an import reads them (normalise_phones:
    +86, spaces and dashes, a number Excel keeps as one): none for an empty cell, a
    placeholder (-, 无) or words."""
    phones = normalise_phones(cell, keep_invalid=True).value
    if phones is None:
        return frozenset()
    return frozenset(re.sub(r"\D", "", n) for n in (phones.mobile, *phones.others,
                                                    *phones.unchecked) if n)


def phone_typed(number: int, sheet: str, cell: Cell, printed: str | None) -> Problem | None:
    """Row `number`'s note when its 电话 cell (`cell`) gives a number other than the one
    printed for its member (`printed`): the contact is stored, the customer's number is not
    changed (which of their phones it is, or a digit mistyped, is for staff to see). A cell
    masked as printed (138****8000), emptied or with no number says nothing."""
    typed = _numbers_in(cell)
    if not typed or "*" in str(cell) or typed == _numbers_in(printed):
        return None
    # A number Excel keeps as a number (13900139000.0) is shown as its digits.
    shown = cell_text(cell)[:30] if isinstance(cell, str) else "/".join(sorted(typed))
    was_en, was_zh = ((f"not the {printed} printed", f"不是名单上的 {printed}") if printed
                      else ("where no number was printed", "名单上原本没有号码"))
    return where(number, sheet,
                 f"the contact is stored; the 电话 cell says {shown}, {was_en}: the number is "
                 f"not changed — if the customer has a new number, change it on the "
                 f"customer's page",
                 f"联系结果已保存；电话一格写的是 {shown}，{was_zh}：号码未更改，如客户换了号码，"
                 f"请在客户页面修改")


# What a row read again corrects besides its outcome, by the audit trail's names of them.
CORRECTED_CELLS = {"contact_at": ("联系日期 (contact date)", "联系日期"),
                   "feedback": ("客户反馈 (feedback)", "客户反馈"),
                   "next_follow_up": ("下次跟进 (next follow-up)", "下次跟进"),
                   "km": ("当前里程 (km)", "当前里程"),
                   "vehicle_id": ("车牌 (plate)", "车牌"),
                   "staff_id": ("回访员 (caller)", "回访员")}


def corrected(number: int, sheet: str, code: str, customer: tuple[str, str], before: dict,
              outcome: str, whose: str | None, caller: str | None) -> Problem:
    """Row `number` (`code`, of `customer`: name and code), read before and corrected now:
    `before` what its contact said before (as the audit trail keeps it), `outcome` the
    outcome it says now, `whose` the caller the contact was stored under, `caller` the one it
    is under now (None: no caller)."""
    name, customer_code = customer
    whom = (f"stored as {whose}'s call", f"原记录的回访员是{whose}") if whose else \
        ("stored with no caller", "原记录没有回访员")
    if "outcome" in before:
        old, new = ({lang: labels.text("outcome", o, lang) for lang in ("en", "zh")}
                    for o in (before["outcome"], outcome))
        en = (f"{code}, {name} ({customer_code}), read before: outcome '{old['en']}' → "
              f"'{new['en']}' (the outcome read before was {whom[0]}); the contact is now "
              f"what this row says")
        zh = (f"{code}，{name}（{customer_code}），之前已读入：结果“{old['zh']}”→“{new['zh']}”"
              f"（{whom[1]}）；该联系记录已按本行更正")
    else:
        cells = [CORRECTED_CELLS[k] for k in CORRECTED_CELLS if k in before]
        en = (f"{code}, {name} ({customer_code}), read before: "
              f"{', '.join(c[0] for c in cells)} typed over since, corrected as this row says "
              f"(the contact was {whom[0]})")
        zh = (f"{code}，{name}（{customer_code}），之前已读入：{'、'.join(c[1] for c in cells)}"
              f"此后有改动，已按本行更正（{whom[1]}）")
    if "staff_id" in before and caller != whose:
        en += f"; it is now {caller or 'no caller'}'s call"
        zh += f"；现记在{caller}名下" if caller else "；现在没有回访员"
    return where(number, sheet, en, zh)


def older(number: int, sheet: str, code: str, outcome: str, stored: str) -> Problem:
    """A note that row `number` (`code`) says `outcome` for a contact corrected to `stored`
    since it was read (by another copy of the list, this one typed over, or on screen): it is
    kept as it is."""
    typed, now = ({lang: labels.text("outcome", o, lang) for lang in ("en", "zh")}
                  for o in (outcome, stored))
    return where(0, sheet,
                 f"row {number} ({code}) says '{typed['en']}', but its contact was corrected "
                 f"to '{now['en']}' since it was read: kept as '{now['en']}'; if this row is "
                 f"right, change the contact on the customer's page",
                 f"第 {number} 行（{code}）写的是“{typed['zh']}”，但该联系记录读入后已更正为"
                 f"“{now['zh']}”：保留“{now['zh']}”；如本行才是对的，请在客户页面修改该联系记录")


def km_clash(km: int, last_km: int, last_day: dt.date, day: dt.date
             ) -> tuple[str, str] | None:
    """Why a km read on `day` cannot be the car's (English, Chinese), `last_km` read on
    `last_day` being its highest before: an odometer does not go back, nor a car drive more
    than km_rise_implausible allows. None: it can be."""
    if km < last_km:
        return (f"km {km:,} is less than the {last_km:,} km read on {last_day} (an odometer "
                f"does not go back)",
                f"当前里程 {km:,} 少于 {last_day} 记录的 {last_km:,} 公里（里程不会倒退）")
    if km_rise_implausible(last_km, last_day, km, day):
        return (f"km {km:,} is {km - last_km:,} more than the {last_km:,} km read on "
                f"{last_day}, more than a car is driven in that time",
                f"当前里程 {km:,} 比 {last_day} 记录的 {last_km:,} 公里多 {km - last_km:,} "
                f"公里，超出这段时间能开的里程")
    return None


STOPPED_FULL = N_(
    "Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were "
    "stored, because the disk holding {where} is full; those stay stored: free some space on "
    "that disk, then read the same file again to finish it (nothing is stored twice).")
STOPPED_BUSY = N_(
    "Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were "
    "stored, because the database {where} became busy with another person's or program's "
    "work; those stay stored: when the database is free, read the same file again to finish "
    "it (nothing is stored twice).")
STOPPED_OTHER = N_(
    "Reading {file} back stopped after {stored} contact(s) from its first {rows} rows were "
    "stored, and those stay stored: read the same file again to finish it (nothing is stored "
    "twice). What stopped it: {reason}")


def stopped(failure: BaseException, file: str, rows: int, stored: int, bind: object
            ) -> RevisitError:
    """The sentence for `failure`, which stopped reading `file` back after its first `rows`
    rows were committed (`stored` contacts among them) to the database of engine `bind`:
    never the database's "nothing was changed", which would be untrue."""
    known = user_error(failure, db.given_url(bind))
    params: dict[str, object] = {"file": file, "rows": f"{rows:,}", "stored": f"{stored:,}"}
    if known is not None and known.template in failed.FULL_TEMPLATES | failed.BUSY_TEMPLATES:
        template = STOPPED_FULL if known.template in failed.FULL_TEMPLATES else STOPPED_BUSY
        params["where"] = known.params.get("where", "")
    else:
        template = STOPPED_OTHER
        params["reason"] = str(known) if known is not None else failed.said(failure)
    error = RevisitError(template, **params)
    error.technical = failed.said(failure)
    return error
