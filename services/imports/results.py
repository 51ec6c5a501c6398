"""What an import (or its dry run) tells the user: counts of rows that create, update, stay
unchanged or are rejected, why, and the first rows of each; plus the options it ran with."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.imports.mapping import Mapping
from services.imports.normalise import PROBLEMS

OUTCOMES = ("create", "update", "unchanged", "reject")
# How an incoming customer row is recognised as a stored customer, tried in the order given:
# "mobile" (same mobile), "name_mobile" (same mobile and same name: for families sharing a
# phone), "vin" (a vehicle with the same VIN), "plate" (an active vehicle with the same plate).
MATCH_RULES = ("mobile", "name_mobile", "vin", "plate")
DEFAULT_MATCH = ("mobile", "vin")
SAMPLES_PER_OUTCOME = 5

# Problems found while matching and writing rows (cells are judged in normalise.py PROBLEMS).
ROW_PROBLEMS: dict[str, tuple[str, str]] = {
    "mobile_ambiguous": ("手机号对应多位客户，请先合并重复客户",
                         "the mobile belongs to several customers; merge them first"),
    "plate_ambiguous": ("车牌对应多位客户的车辆，请补充车架号或手机",
                        "the plate is on several customers' vehicles; add the VIN or mobile"),
    "match_conflict": ("手机号、车架号、车牌或客户编号分别属于不同的客户",
                       "mobile, VIN, plate or customer number belong to different customers"),
    "plate_shared": ("另一位客户的车也是这个车牌（按车牌导入的到店记录将无法确定是哪辆车），请核对",
                     "another customer's car has the same plate (visits imported by plate will "
                     "not tell which car they are about); please check"),
    "vin_other_customer": ("车架号已登记在另一位客户名下",
                           "the VIN is already registered to another customer"),
    "customer_not_found": ("找不到对应的客户（手机、车架号、车牌、客户编号均未匹配）",
                           "no stored customer has this mobile, VIN, plate or customer number"),
    "dms_code_ambiguous": ("客户编号对应多位客户，请补充车架号、车牌或手机",
                           "the customer number belongs to several customers; add the VIN, plate "
                           "or mobile"),
    "earlier_owner": ("此车登记在购车日期更晚的车主名下：本行的人作为前车主导入，不带此车",
                      "the car is registered to an owner who bought it later: the row's person "
                      "is imported as a former owner, without the car"),
    "owner_unclear": ("文件中前面一行把此车给了另一位车主，本行没有更晚的购车日期，无法确定现车主："
                      "本行的人已导入，车辆留在前一行车主名下",
                      "an earlier row of the file gives this car to another owner and this row "
                      "has no later purchase date, so who owns it now is unclear: the row's "
                      "person is imported, the car stays with the earlier row's owner"),
    "vehicle_unnamed": ("没有车架号、车牌、品牌或车型，无法确定是哪辆车："
                        "客户已导入，车辆信息未导入",
                        "no VIN, plate, brand or model says which car: the customer is "
                        "imported, the car's values are not"),
    "name_required": ("新客户缺少姓名", "a new customer needs a name"),
    "birthday_yearless_differs": ("文件中的生日没有年份，且与已存的生日不同，保留已存的，请核对",
                                  "the file's birthday has no year and falls on another day "
                                  "than the stored one, which is kept; please check"),
    "car_not_stored": ("按手机找到客户，但该车不在此客户名下：记录已导入到客户，未关联车辆，请核对",
                       "the customer was found by mobile, but the car is none of theirs: the "
                       "record is imported for the customer without the car, please check"),
    "mobile_other_customer": ("手机号登记在另一位客户名下：记录按车架号或车牌记在车主名下，请核对",
                              "the mobile is another customer's: the record is kept with the "
                              "car's owner (found by VIN or plate); please check"),
    "resolved_before_opened": ("解决日期早于投诉日期，该日期未保存，投诉已导入，请核对",
                               "resolved before the complaint was opened: the complaint is "
                               "imported without that date, please check"),
    "resolved_date_but_open": ("状态为未解决，但填有解决日期：按未解决保存，该日期记入处理结果",
                               "the status says not resolved but a close date is filled in: "
                               "kept as not resolved, the date put in the resolution"),
    "declined_due_before_visit": ("建议维修到期日早于进厂日期，该日期未保存，"
                                  "建议维修项目已导入，请核对",
                                  "the declined repairs' due date is before the visit: they are "
                                  "imported without it, please check"),
    "service_before_purchase": ("最近保养日期早于购车日期，未记为保养", "the last maintenance "
                                "is dated before the car was bought: not recorded"),
    "loan_term_no_purchase_date": ("有贷款期限但没有购车日期，无法推算贷款到期",
                                   "a loan term but no purchase date: the loan end cannot be "
                                   "worked out"),
    "id_number_differs": ("生日或性别与身份证号不符，保留了文件中填写的值",
                          "the birthday or gender differs from the ID card number's: the "
                          "file's own value is kept"),
    "value_unknown": ("取值无法识别", "value not recognised"),
    "differs_in_file": ("与文件中前面一行的值不同，保留前一行的值",
                        "differs from an earlier row of the file; the earlier value is kept"),
    "address_less_detailed": ("文件中的地址不如已存的详细，保留了已存的区县和详细地址",
                              "the file's address says less than the stored one; the stored "
                              "district and street are kept"),
    "address_replaced": ("地址与已存的不同，已按文件更新（原地址记入客户资料变更记录），请核对",
                         "the address differs from the stored one and replaces it (the old "
                         "one is kept in the profile history); please check"),
    "subtotal_row": ("合计或小计行，未导入", "a subtotal or total row, not imported"),
    "repeated_header_row": ("重复的表头行，未导入", "the header repeated, not imported"),
    "footer_row": ("表尾说明（注释、制表人、记录数等），未导入",
                   "a line below the table (a note, who made it, a count), not imported"),
    "staff_unknown": ("找不到该员工，未记录经办人", "no such staff member; left blank"),
    "refund_amount_differs": ("与已导入的同一笔退款金额不同，保留了已存的金额，请核对",
                              "differs from the amount of the same refund imported before: "
                              "the stored amount is kept, please check"),
    "next_service_not_after_visit": (
        "不晚于那次保养的日期，未采用；按车型保养间隔计算到期",
        "not after the day of that maintenance: left out, due by the model's interval"),
    "next_service_km_not_above": (
        "不高于那次保养时的里程，未采用；按车型保养间隔计算到期",
        "not above the km at that maintenance: left out, due by the model's interval"),
    "next_service_without_last": (
        "没有最近保养日期，未采用（下次保养里程也未采用）；按车型保养间隔计算到期",
        "no last maintenance date: left out (the next service km too), due by the model's "
        "interval"),
    "contact_not_made": ("回访尚未进行（待回访、未回访），不是一次联系，未导入",
                         "a callback not yet made (待回访, 未回访) is no contact: not imported"),
    "visit_internal": ("PDI（交车前检查）或内部工单，不是客户到店，未导入",
                       "a pre-delivery inspection (PDI) or an internal work order is no "
                       "customer's visit: not imported"),
    # A reversal (冲红) is matched by its work order, else by its customer, car and amount
    # (services/imports/reversals.py); the visit it reverses is named after the sentence.
    "visit_reversal": ("冲红，所冲的进厂记录已撤销，不再计入进厂次数和消费",
                       "a reversal (冲红): the visit it reverses is cancelled and no longer "
                       "counts as a visit or a spend"),
    "visit_reversal_partial": ("部分冲红：所冲进厂记录的金额已减去冲红金额，仍计为一次进厂",
                               "a part reversal (冲红): the amount is taken off the visit it "
                               "reverses, which still counts as a visit"),
    "visit_reversal_exceeds": ("冲红金额多于所冲进厂记录的金额，已按整单撤销，请核对",
                               "the reversal is more than the visit's amount: the visit is "
                               "cancelled whole; please check"),
    "visit_reversal_before": ("此冲红已在此前的导入中撤销了所冲的进厂记录，未重复撤销",
                              "an earlier import already cancelled the visit this reversal "
                              "reverses; not cancelled again"),
    "visit_cancelled_before": ("此工单已被此前导入的冲红撤销，未重新导入",
                               "a reversal (冲红) imported before cancelled this visit: not "
                               "imported again"),
    "visit_reversal_unmatched": ("冲红找不到所冲的进厂记录（同一工单号，或同一客户、车辆和金额、"
                                 "日期不晚于冲红），未导入；请先导入原工单，再导入此行",
                                 "a reversal (冲红) whose visit is not found (same work order, "
                                 "or same customer, car and amount on or before it): not "
                                 "imported; import the original work order, then this row"),
    # Found: of the customer, on or before the refund, of its kind, and of its order number,
    # else its item, else its amount (events._returned).
    "refund_unmatched": ("找不到退款对应的消费，已记录退款但未冲抵（以后导入该消费时自动冲抵），"
                         "请核对",
                         "no purchase found that the refund returns: the refund is kept, no "
                         "spend reduced (until an import brings the purchase); please check"),
    "refund_exceeds": ("退款多于对应消费的金额，该消费按全额退回冲抵，请核对",
                       "the refund is more than its purchase's amount: the purchase counts "
                       "as returned whole; please check"),
    "km_out_of_line": ("里程与该车其他读数不符（里程倒退，或增加得比车能开的还快），"
                       "未记入，请核对",
                       "the km does not fit the car's other readings (it goes back, or rose "
                       "faster than a car is driven); not kept, please check"),
    "phones_not_kept": ("最多存 {limit} 个字，放不下的号码未存入，请核对",
                        "holds at most {limit} characters; the numbers that did not fit were "
                        "not stored, please check"),
    "consent_older": ("文件中的营销同意早于已登记的一次，保留已登记的",
                      "the file's consent is older than the one recorded, which stands"),
    # csv_records: the quote opening a cell that is never closed, read as text.
    "stray_quote": ("这一行有一个没有配对的引号（{value}），已把它当作文字读取：这一行照常分列，"
                    "下一行照常读取，请核对",
                    "this line has a quote that is never closed ({value}): it was read as text, "
                    "the line split at its delimiters as usual and the next lines read as rows; "
                    "please check"),
    # A CSV row with more cells than the file has headers: usually a comma typed in a value
    # (an address 广州市,天河区) that was not quoted, so the cells after it moved along.
    "cells_beyond_headers": ("这一行的单元格比列标题多（多出：{value}），多出的未导入；"
                             "若是某个值里有逗号，其后各列会错位，请核对",
                             "this line has more cells than the file has column headers "
                             "(beyond them: {value}), which are not imported; if a value holds "
                             "a comma, the cells after it moved along, please check"),
    "work_order_needed": ("该车当天有多张同类工单，此行没有工单号，无法确定是哪一张",
                          "the car has several work orders of this type that day and the row "
                          "names none"),
}


# Cell problems whose reason quotes the cell: a consent column's words vary from one DMS to the
# next, and the value shows which word to fix or to ask for; a number in scientific form
# (1.38E+10) shows which cell Excel changed.
NAMED_VALUE = frozenset({"consent_unknown", "phone_digits_lost", "phone_from_scientific",
                         "outcome_typo"})
# What a consent value reads as in a row's summary.
CONSENT_WORDS = {True: ("同意", "granted"), False: ("不同意", "refused")}


# A row's own note naming its values ({name}, filled from Issue.fills), where the count of
# rows (ROW_PROBLEMS, one sentence for rows of different values) cannot name them.
ROW_NOTES: dict[str, tuple[str, str]] = {
    "visit_reversal_exceeds": ("冲红金额 {reversal} 多于所冲进厂记录的金额 {visit}，已按整单撤销，"
                               "请核对",
                               "the reversal ({reversal}) is more than the visit's amount "
                               "({visit}): the visit is cancelled whole; please check"),
    "mobile_other_customer": ("手机号登记在另一位客户{other}名下：记录按车架号或车牌记在车主"
                              "{owner}名下，请核对",
                              "the mobile is another customer's, {other}: the record is kept "
                              "with the car's owner, {owner} (found by VIN or plate); please "
                              "check"),
}


def problem_text(code: str, lang: str = "zh",
                 fills: tuple[tuple[str, str], ...] = ()) -> str:
    """The problem as a sentence; with `fills`, the row's own note naming its values
    (ROW_NOTES) where there is one."""
    zh, en = (fills and ROW_NOTES.get(code)) or ROW_PROBLEMS.get(code) or PROBLEMS.get(code) \
        or (code, code)
    text = zh if lang.lower().startswith("zh") else en
    for name, value in fills:
        text = text.replace(f"{{{name}}}", value)
    return text


def money(amount: Any) -> str:
    """An amount as a note names it: ¥1,200.00."""
    return f"¥{amount:,.2f}"


# A row's change (RowResult.changes) that is no field's: an open declined repair its visit
# did, closed as done (events._declined_done).
DECLINED_DONE = "declined_done"
# The change a refund row makes to the purchase it returns (events._refunds): its amount kept.
REFUND_NETTED = "refund_netted"
# The change a purchase row makes when it is what a refund stored before returns
# (events._earlier_refunds): its amount kept.
EARLIER_REFUND_NETTED = "earlier_refund_netted"
# The change a visit reversal (冲红) makes (services/imports/reversals.py): the visit it
# cancelled, or its amount before → after.
VISIT_REVERSED = "visit_reversed"


@dataclass(frozen=True)
class Issue:
    """One problem of one row: its code, the field it is about (None: the row) and whether it
    rejects the row ("error") or was only noted ("warning")."""

    code: str
    field: str | None = None
    severity: str = "error"
    # The cell as typed, for problems whose text names it (NAMED_VALUE), or what the problem
    # left out (the numbers other phones had no room for).
    value: str | None = None
    # The most characters the column holds, for a value too long for it.
    limit: int | None = None
    # What the row's own note (ROW_NOTES) names, as (placeholder, value): the amounts of a
    # reversal and of the visit it cancels.
    fills: tuple[tuple[str, str], ...] = ()


@dataclass
class RowResult:
    """The decision about one row (mutable while the row is worked out)."""

    number: int
    values: tuple[Any, ...]
    outcome: str = "unchanged"
    issues: list[Issue] = field(default_factory=list)
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new)
    created: list[str] = field(default_factory=list)  # tables a new row was written to

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def reject(self, code: str, field_key: str | None = None) -> RowResult:
        self.issues.append(Issue(code, field_key))
        self.outcome = "reject"
        return self

    def settle(self) -> None:
        """The outcome the row's writes make it: create when it wrote a new record, else
        update when it changed one (else as it stands)."""
        if self.created:
            self.outcome = "create"
        elif self.changes:
            self.outcome = "update"


@dataclass(frozen=True)
class ReasonCount:
    code: str
    field: str | None
    zh: str  # "手机：手机号码无效"
    en: str
    rows: int


@dataclass(frozen=True)
class RowSample:
    number: int  # the row number in the file
    outcome: str
    values: tuple[Any, ...]  # the cells as read
    summary: str  # what happens to it, in Chinese
    reasons: tuple[str, ...]  # every problem, in Chinese
    summary_en: str = ""  # the same in English
    reasons_en: tuple[str, ...] = ()

    def said(self, lang: str) -> tuple[str, tuple[str, ...]]:
        """(summary, reasons) in the language `lang` ("zh…" or "en…")."""
        if lang.lower().startswith("zh"):
            return self.summary, self.reasons
        return self.summary_en, self.reasons_en


@dataclass(frozen=True)
class ImportOptions:
    kind: str  # models/codes.py IMPORT_KINDS
    sheet: str | None = None  # the sheet of a workbook (default: the first with data)
    header_row: int | None = None  # 1-based, when the user corrects the guess
    mapping: Mapping | None = None  # None: recognised from the file's headers and values
    match: tuple[str, ...] = DEFAULT_MATCH  # MATCH_RULES, for customer files
    staff_id: int | None = None
    today: dt.date | None = None  # the day changes take effect (default: today)


# The name a spreadsheet program gives a new workbook's first sheet: it tells nothing.
_DEFAULT_SHEET = re.compile(r"(?:sheet|工作表)\s*1?", re.IGNORECASE)


def source_name(file_name: str, sheet: str | None) -> str:
    """What an import read, as its batch is named to staff: the file, and the sheet of a
    workbook unless the sheet has a spreadsheet's default name (2026保有客户.xlsx · 2月: a
    workbook of one sheet per month is one batch a sheet)."""
    if not sheet or _DEFAULT_SHEET.fullmatch(sheet.strip()):
        return file_name
    return f"{file_name} · {sheet}"


@dataclass(frozen=True)
class ImportPlan:
    """The outcome of a dry run (batch_id None, nothing written) or of the import itself."""

    kind: str
    file_name: str
    file_hash: str
    sheet: str | None
    headers: tuple[str, ...]
    mapping: Mapping  # the mapping used
    rows_total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    reasons: tuple[ReasonCount, ...]  # why rows were rejected, most frequent first
    warnings: tuple[ReasonCount, ...]  # what was corrected or noted in rows kept
    records: dict[str, int]  # rows created (or that would be) per table
    changed_records: dict[str, int]  # stored rows changed per table
    changed_fields: dict[str, int]  # stored values changed, per field
    samples: dict[str, tuple[RowSample, ...]]  # the first rows of each outcome
    earlier_batches: tuple[int, ...]  # batches that imported the same sheet of the file
    batch_id: int | None = None
    errors_file: Path | None = None  # the rejected rows and the rows kept with notes
    seconds: float = 0.0
    noted: int = 0  # rows kept with a note (what `warnings` counts, by row)
    sheets: tuple[str, ...] = ()  # every sheet of the workbook (one of them read)
    # Imports of the same file stopped before their last rows, completed by this one (their
    # rows are counted here too, as unchanged); undoing this batch undoes them with it.
    completes: tuple[int, ...] = ()

    @property
    def dry_run(self) -> bool:
        return self.batch_id is None

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def renamed(self) -> int:
        """Stored customers given another name: rows matched to them by mobile or VIN under a
        name written otherwise that can be theirs (张叁 for 张三, 张三 for a stored 张先生:
        services/customers/names.py)."""
        return self.changed_fields.get("name", 0) if self.kind == "customers" else 0

    def count(self, outcome: str) -> int:
        return {"create": self.created, "update": self.updated, "unchanged": self.unchanged,
                "reject": self.rejected}[outcome]


ImportResult = ImportPlan
