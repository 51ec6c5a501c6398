"""The cells of a filled-in call list that take reading: its dates (联系日期, 下次跟进) as
people type them, and its 画像变化 (profile changes) read into (attribute, value) pairs as the
profile service takes them (婚姻=已婚, or 已婚 alone) and recorded, a row read again taking
back what it no longer says when its outcome was typed over; a row's cells that cannot be read
said in English and Chinese (services/lists/outcomes.py reads the rest of the row)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProfileChange
from models.codes import PROFILE_ATTRIBUTES
from services import labels
from services.customers.profile import record_change_in, validate, value_as_of_select
from services.imports.dates import YEARLESS_OVERDUE_DAYS, YearLess, normalise_datetime
from services.imports.normalise import Cell, normalise_km
from services.imports.words import NOT_CONTACTED, normalise_outcome, one_off, outcome_says_more
from services.outputs.excel import unsafe_text
from services.store.errors import RevisitError


class BadCell(ValueError):
    """A row that cannot be read, said in English (the exception's text) and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


# A day typed month.day without its year, the way a caller jots it beside a call (12.8).
# A time of day typed alone (15:30, 9：05, 15:30:00): the call's day is not known from it.
_TIME_ALONE = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?")
_MONTH_DOT_DAY = re.compile(r"(1[0-2]|0?[1-9])\.(3[01]|[12]\d|0?[1-9])")


def read_day(v, what: str, what_zh: str, yearless: YearLess) -> dt.date | None:
    """A date typed in any way people type one (2026/12/5, 12月5日, 12-8, 12.8 as text,
    20261205, an Excel date), as the import reads dates; one without its year as `yearless`
    says (a caller writes 12月8日 on a weekly list, and 1月5日 in December for January)."""
    moment = read_moment(v, what, what_zh, yearless)
    return None if moment is None else moment.date()


def read_moment(v, what: str, what_zh: str, yearless: YearLess) -> dt.datetime | None:
    """A date as `read_day` reads it, with the time of day typed after it (2026-12-06 15:30,
    an Excel date and time); midnight when none is."""
    if v is None or v == "":
        return None
    if isinstance(v, str) and (m := _MONTH_DOT_DAY.fullmatch(v.strip())):
        v = f"{m[1]}月{m[2]}日"  # 12.8 typed as text: a day, where the import reads a number
    if isinstance(v, dt.time) or (isinstance(v, str) and _TIME_ALONE.fullmatch(v.strip())):
        shown = v.strftime("%H:%M") if isinstance(v, dt.time) else v.strip()
        raise BadCell(f"{what} '{shown}' is a time without its day; write the day before it, "
                      f"like 2026-12-05 {shown}",
                      f"{what_zh}“{shown}”只有时间，没有日期，请在前面写上日期，如 "
                      f"2026-12-05 {shown}")
    result = normalise_datetime(v, yearless=yearless)
    if result.value is None:
        why = result.problems[0] if result.problems else None
        raise BadCell(f"{what} '{v}' is not a date like 2026-12-05 "
                      f"({why.text('en') if why else 'not a date'})",
                      f"{what_zh}“{v}”不是日期，请写成 2026-12-05 这样"
                      f"（{why.text('zh') if why else '无法识别'}）")
    return result.value


@dataclass(frozen=True)
class Row:
    number: int
    code: str
    customer_code: str  # as printed beside the row code ("" when the column is gone)
    name: str
    caller: str  # 回访员: who made the call, as printed or typed over
    outcome: str
    day: dt.date | None
    at: dt.time | None  # the time of day typed with the contact date (15:30), None for none
    feedback: str | None
    follow_up: dt.date | None
    km: int | None
    changes: tuple[tuple[str, str], ...]
    sheet: str = ""  # the sheet of a row of a later sheet, "" for the first's
    words: str | None = None  # the outcome as typed, when it says more than its code (不在家)
    unread: tuple[str, str] | None = None  # why 画像变化 could not be read (English, Chinese)
    km_unread: tuple[str, str] | None = None  # why 当前里程 could not be read (English, Chinese)
    # Other cells that could not be read (a 联系日期 or 下次跟进 that is no date), left out of
    # the stored contact: why, (English, Chinese) each.
    dropped: tuple[tuple[str, str], ...] = ()
    # An outcome typed a character wrong (接同), read as the one wording it is one off from:
    # (as typed, the wording read).
    typo: tuple[str, str] | None = None
    phone: Cell = None  # the 电话 cell as typed over or left (None: none, or no such column)
    plate: Cell = None  # the 车牌 cell, likewise: a plate typed over says whose km it is


def cell_text(v) -> str:
    return "" if v is None else unsafe_text(str(v)).strip()



# The column a caller types the car's km in, in 公里 as the window says it; lists written
# before December 2026 head it 当前里程(km), and those come back filled in too.
KM_HEADER, OLD_KM_HEADER = "当前里程(公里)", "当前里程(km)"
# What a caller may type besides the outcome: kept only with one.
TYPED = ("联系日期", "客户反馈", "下次跟进", KM_HEADER, OLD_KM_HEADER, "画像变化")


def read_row(row: dict, number: int, today: dt.date, sheet: str = "",
           merged: frozenset[str] = frozenset()) -> Row | None:
    """The row's values by header; `merged`: the headers whose value is a cell merged down
    from a row above (typed once for a block of rows). A contact day without its year is the
    last such day by `today`; a follow-up's, the next from the contact day, else from
    YEARLESS_OVERDUE_DAYS before today (one missed is still that day, as an import reads one)."""
    outcome_text = cell_text(row.get("结果"))
    # 未联系, 待回访: the caller marked the row not called yet, as if left empty.
    outcome = normalise_outcome(outcome_text).value
    if not outcome_text or outcome == NOT_CONTACTED:
        typed = [h for h in TYPED if h not in merged and cell_text(row.get(h))]
        if typed and outcome_text:
            said = "、".join(typed)
            raise BadCell(f"结果 says '{outcome_text}' (not contacted yet) but {said} filled "
                       f"in: nothing stored; type what came of the contact, or clear {said}",
                       f"“结果”写的是“{outcome_text}”（尚未联系），却填了{said}：未保存；"
                       f"联系过请填写联系的结果，未联系请清空{said}")
        if typed:
            raise BadCell(f"{'、'.join(typed)} filled in but no 结果 (outcome): nothing "
                       f"stored; type what came of the contact",
                       f"填了{'、'.join(typed)}，但没有填“结果”：未保存，请填写联系的结果")
        return None
    # As the drop-down offers it, or as typed (无法接通, 客户在忙稍后再联), read as an import
    # of contacts reads it; else a wording typed a character wrong (接同), when it is one.
    typo = None
    if outcome is None and (near := one_off(outcome_text)) is not None:
        typo, outcome = (outcome_text, near[0]), near[1]
    if outcome is None:
        known = "、".join(labels.text("outcome", c) for c in labels.codes("outcome"))
        raise BadCell(f"outcome '{outcome_text}' is not one of {known}",
                   f"结果“{outcome_text}”无法识别，请填写：{known}")
    # A km cell that cannot be read leaves the rest of the row to be stored, as an unread
    # 画像变化 cell does: the call was made whatever the odometer said.
    km, km_unread = None, None
    km_raw = row[KM_HEADER] if KM_HEADER in row else row.get(OLD_KM_HEADER)
    if km_raw not in (None, ""):
        read = normalise_km(km_raw)  # 32000, 3.2万, 32,000公里, 8万6, 八万六千
        if read.value is None:
            why = read.problems[0] if read.problems else None
            typed_km = str(km_raw)[:30]
            km_unread = (f"km '{typed_km}' is not an odometer reading "
                         f"({why.text('en') if why else 'not a number'})",
                         f"当前里程“{typed_km}”不是里程数"
                         f"（{why.text('zh') if why else '无法识别'}）")
        km = read.value
    # The contact's time of day when one is typed with its date; a call at midnight is not
    # one staff make, so midnight is a date typed alone.
    # A date cell that cannot be read leaves the rest of the row to be stored too: without its
    # 联系日期 the contact is dated as a row left without one is (its list's day), and typing
    # the day in and reading the file again moves it there.
    dropped: list[tuple[str, str]] = []
    try:
        moment = read_moment(row.get("联系日期"), "contact date", "联系日期", ("last", today))
    except BadCell as exc:
        moment = None
        dropped.append((f"{exc} (dated by its list's day)", f"{exc.zh}（按名单的日期保存）"))
    day = None if moment is None else moment.date()
    at = None if moment is None or moment.time() == dt.time(0) else moment.time()
    try:
        follow_up = read_day(row.get("下次跟进"), "follow-up date", "下次跟进",
                             ("next", day or today - dt.timedelta(days=YEARLESS_OVERDUE_DAYS)))
    except BadCell as exc:
        follow_up = None
        dropped.append((str(exc), exc.zh))
    # The caller's own words (不在家), read as the outcome nearest them, are kept before the
    # feedback: the outcome alone would lose what they say.
    feedback = cell_text(row.get("客户反馈")) or None
    # A typo says nothing more than the outcome it is read as: the note of the read says it.
    words = outcome_text if typo is None and outcome_says_more(outcome_text) else None
    if words is not None and (feedback is None or words not in feedback):
        feedback = words if feedback is None else f"{words}；{feedback}"
    # A 画像变化 cell that cannot be read leaves the rest of the row to be stored, and none of
    # its changes (half a cell stored would be taken for all of it).
    unread = None
    try:
        changes = read_profile_changes(cell_text(row.get("画像变化")))
    except BadCell as exc:
        changes, unread = (), (str(exc), exc.zh)
    return Row(number, cell_text(row.get("编号")), cell_text(row.get("客户编号")),
                cell_text(row.get("姓名")), cell_text(row.get("回访员")), outcome, day, at,
                feedback, follow_up, km, changes, sheet, words, unread, km_unread,
                tuple(dropped), typo, row.get("电话"), row.get("车牌"))


# The profile attributes whose values say which attribute they are, typed alone (已婚, 二孩,
# 退休, 老司机): a number (经济状况 3), a stage, 本人 or 其他 could be of another.
BARE_ATTRIBUTES = ("marital_status", "household", "employment", "driving_experience",
                   "temperament")


def _bare_change(part: str) -> tuple[str, str] | None:
    """(attribute, value) of a value typed without its attribute, when it is the value of one
    attribute only."""
    found = [(attr, code) for attr in BARE_ATTRIBUTES
             if (code := labels.code_of(attr, part)) is not None and code != "other"]
    return found[0] if len(found) == 1 else None


def read_profile_changes(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    # One change a line (Alt+Enter in a cell) or after ；/，/; and full-width ＝ or ： as typed
    # on a Chinese keyboard.
    text = unicodedata.normalize("NFKC", text)
    for part in re.split(r"[;，、\n]", text.replace("；", ";")):
        if not part.strip():
            continue
        key, sep, value = part.replace(":", "=").partition("=")
        if not sep and (alone := _bare_change(part)) is not None:
            out.append(alone)
            continue
        if not sep or "=" in value or not key.strip() or not value.strip():
            raise BadCell(f"profile change '{part.strip()}' is not like 婚姻=已婚",
                       f"画像变化“{part.strip()}”应写成“婚姻=已婚”这样，每项一行或用；隔开")
        attr = labels.code_of("attribute", key) or key.strip()
        value = labels.code_of(attr, value) or value.strip()
        try:
            validate(attr, value)
        except RevisitError as exc:
            raise _refused(part.strip(), key.strip(), value, exc) from None
        out.append((attr, value))
    return tuple(out)


# The profile service's refusals (services/customers/profile.py `validate`) by their template,
# as a caller reads them in the 画像变化 column: the attribute and its values by their labels
# ({typed}: the name as typed; {attributes}: what the profile holds).
REFUSALS: dict[str, tuple[str, str]] = {
    "Unknown profile attribute '{attribute}'.": (
        "'{typed}' is not in the customer profile: a phone number or an address is changed "
        "on the customer's page, not in this column (the profile holds {attributes})",
        "“{typed}”不在客户画像中：手机、电话和地址请在客户页面修改，不在此栏填写"
        "（画像项目：{attributes}）"),
    "'{value}' is not a valid value for {attribute} (allowed: {allowed}).": (
        "'{value}' is not a value of {attribute}; type one of {allowed}",
        "“{value}”不是{attribute}可填的值，请填写：{allowed}"),
    "The value for {attribute} is longer than 100 characters.": (
        "the value for {attribute} is longer than 100 characters; shorten it",
        "{attribute}的值超过 100 个字，请缩短"),
}


def _refused(part: str, typed: str, value: str, exc: RevisitError) -> BadCell:
    """The row's profile change `part` that the profile service refused with `exc`, said in
    English and Chinese from the refusal's template and values."""
    attr = str(exc.params.get("attribute", typed))
    said = {}
    for lang, sep in (("en", ", "), ("zh", "、")):
        allowed = PROFILE_ATTRIBUTES.get(attr) or ()
        words = {"typed": typed, "value": value,
                 "attribute": labels.text("attribute", attr, lang),
                 "attributes": sep.join(labels.text("attribute", a, lang)
                                        for a in PROFILE_ATTRIBUTES),
                 "allowed": sep.join(labels.text(attr, c, lang) for c in allowed)}
        pair = REFUSALS.get(exc.template)
        if pair is None:  # a refusal this module does not word: the service's own sentence
            said[lang] = str(exc)
        else:
            said[lang] = pair[0 if lang == "en" else 1].format(**words)
    shown = part if len(part) <= 40 else part[:40] + "…"
    return BadCell(f"profile change '{shown}': {said['en']}", f"画像变化“{shown}”：{said['zh']}")


def _note(code: str) -> str:
    """The note of a profile change a list's row recorded: which row it came from."""
    return f"list {code}"


def record_row_changes(s: Session, customer_id: int, code: str,
                       changes: tuple[tuple[str, str], ...], day: dt.date, source: str,
                       staff_id: int | None, today: dt.date) -> int:
    """The changes of the row `code`, as of its contact day; how many were new (one in force
    that day already is not recorded again)."""
    return sum(1 for attr, value in changes
               if record_change_in(s, customer_id, attr, value, effective_date=day,
                                   source=source, staff_id=staff_id, note=_note(code),
                                   today=today))


def reread_changes(s: Session, customer_id: int, code: str,
                   changes: tuple[tuple[str, str], ...], *, first_day: dt.date, day: dt.date,
                   anew: bool, source: str, staff_id: int | None, today: dt.date
                   ) -> tuple[int, list[tuple[str, str]]]:
    """The changes of the row `code` read again (its contact first stored on `first_day`, now
    on `day`): recorded as a new row's are (a value typed over since is a change from the one
    read before). A change its first reading recorded that the row no longer says, and still
    in force that day (nobody changed it since), is taken back when the row's outcome was
    typed over (`anew`: the row is the caller's correction, all it now says) by a change to
    the value before it, the history kept; otherwise it is kept (an older copy of the list
    read later must not undo a newer one) and returned as (attribute, value), to be said.
    Returns (changes recorded, changes kept)."""
    recorded = record_row_changes(s, customer_id, code, changes, day, source, staff_id, today)
    typed = {attr for attr, _ in changes}
    read: dict[str, tuple[str | None, str | None]] = {}  # attribute -> (before it, last)
    for attr, old, new in s.execute(
            select(ProfileChange.attribute, ProfileChange.old_value, ProfileChange.new_value)
            .where(ProfileChange.customer_id == customer_id, ProfileChange.note == _note(code),
                   ProfileChange.effective_date == first_day)
            .order_by(ProfileChange.id)):
        read[attr] = (read.get(attr, (old, None))[0], new)
    kept = []
    for attr, (first, last) in read.items():
        if attr in typed or last == first or last is None or s.scalar(
                select(value_as_of_select(attr, first_day, customer_id))) != last:
            continue
        if not anew:
            kept.append((attr, last))
        elif record_change_in(s, customer_id, attr, first, effective_date=first_day,
                              source=source, staff_id=staff_id, note=_note(code), today=today):
            recorded += 1
    return recorded, kept


def kept_words(kept: list[tuple[str, str]]) -> tuple[str, str]:
    """What is said of a row read again that no longer says the profile changes `kept`, read
    from it before and kept, in English and Chinese (after the row's number)."""
    said = {lang: sep.join(f"{labels.text('attribute', a, lang)}={labels.text(a, v, lang)}"
                           for a, v in kept) for lang, sep in (("en", ", "), ("zh", "、"))}
    return (f"no longer says {said['en']}, read from it before: kept, as the outcome is the "
            f"same (an older copy of the list must not undo a newer one); if it was wrong, "
            f"change it on the customer's page, or type the change in 画像变化",
            f"不再写有之前读入的 {said['zh']}：已保留，因为结果未变（较旧的名单副本不能撤销较新的"
            f"内容）；如有误，请在客户页面修改，或在“画像变化”中填写新的值")
