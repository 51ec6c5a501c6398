"""What the user reads about an import: labels of fields, every reason as a sentence, and the
counts, reasons and first rows gathered row by row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from services import labels
from services.imports.errors_file import RowSpool
from services.imports.fields import KINDS
from services.imports.results import (
    CONSENT_WORDS,
    DECLINED_DONE,
    EARLIER_REFUND_NETTED,
    REFUND_NETTED,
    SAMPLES_PER_OUTCOME,
    VISIT_REVERSED,
    Issue,
    ReasonCount,
    RowResult,
    RowSample,
    problem_text,
)


def field_label(kind: str, key: str | None, lang: str = "zh") -> str:
    """A field's label from the kind's catalog, else a stored column's (note -> 备注)."""
    if not key:
        return ""
    try:
        return KINDS[kind].field(key).label(lang)
    except StopIteration:
        return labels.text("attribute", key, lang)


# The vocabulary (services/labels.py) of a coded field's values, by the field's cleaner; an
# attribute's is named by its key (marital_status).
_VOCABULARY = {"gender": "gender", "channel": "channel", "purpose": "purpose",
               "outcome": "outcome", "contact_status": "outcome", "visit_type": "visit_type",
               "payment": "payment_method", "purchase_kind": "purchase_kind"}


def value_text(kind: str, key: str, value: Any, lang: str = "zh") -> Any:
    """A changed value as staff read it: a code by its label (no_answer -> 无人接听), anything
    else as it is."""
    try:
        field = KINDS[kind].field(key)
    except StopIteration:
        return value
    vocabulary = key if field.cleaner == "attribute" else _VOCABULARY.get(field.cleaner)
    if vocabulary is None or not isinstance(value, str):
        return value
    return labels.text(vocabulary, value, lang)


def reason_text(kind: str, issue: Issue, lang: str = "zh") -> str:
    label = field_label(kind, issue.field, lang)
    text = problem_text(issue.code, lang, issue.fills)
    if issue.limit is not None:
        if "{limit}" in text:
            text = text.replace("{limit}", str(issue.limit))
        else:
            text = f"{text}（最多 {issue.limit} 个字）" if lang.startswith("zh") else \
                f"{text} (at most {issue.limit} characters)"
    if issue.value and "{value}" in text:
        text = text.replace("{value}", issue.value)
    elif issue.value:
        text = f"{text}（“{issue.value}”）" if lang.startswith("zh") else \
            f'{text} ("{issue.value}")'
    if not label:
        return text
    return f"{label}：{text}" if lang.startswith("zh") else f"{label}: {text}"


@dataclass
class Tally:
    """Counts, reasons and samples gathered row by row, and the rows for the problems file:
    rejected, and kept with a note (close() when done)."""

    kind: str
    outcomes: Counter[str] = field(default_factory=Counter)
    # (code, field, limit) -> rows
    reasons: Counter[tuple[str, str | None, int | None]] = field(default_factory=Counter)
    warnings: Counter[tuple[str, str | None, int | None]] = field(default_factory=Counter)
    samples: dict[str, list[RowSample]] = field(default_factory=dict)
    rejected: RowSpool = field(default_factory=RowSpool)
    noted: RowSpool = field(default_factory=RowSpool)
    # (code, field) -> the cell a column's note names
    named: dict[tuple[str, str | None], str] = field(default_factory=dict)
    # (code, field) -> the values its rows' own notes name (Issue.fills) while every row's
    # are the same, () once two differ: a count of one reversal names its amounts, a count of
    # several different ones says the sentence without them
    filled: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = field(
        default_factory=dict)

    def close(self) -> None:
        self.rejected.close()
        self.noted.close()

    def add(self, result: RowResult) -> None:
        self.outcomes[result.outcome] += 1
        reject = result.outcome == "reject"
        if reject:
            errors = result.errors or result.issues
            for issue in {(i.code, i.field, i.limit) for i in errors}:
                self.reasons[issue] += 1
            # Every reason, also what was only noted: the row is to be corrected as a whole.
            self.rejected.add(result.number, result.values,
                              [reason_text(self.kind, i) for i in _unique(errors + result.issues)])
        elif result.issues:
            for issue in {(i.code, i.field, i.limit) for i in result.issues}:
                self.warnings[issue] += 1
            for i in result.issues:
                # A text naming a value ("{value}") is counted with the first row's.
                if i.value and "{value}" in problem_text(i.code):
                    self.named.setdefault((i.code, i.field), i.value)
                if i.fills:
                    seen = self.filled.setdefault((i.code, i.field), i.fills)
                    if seen != i.fills:
                        self.filled[(i.code, i.field)] = ()
            self.noted.add(result.number, result.values,
                           [reason_text(self.kind, i) for i in _unique(result.issues)])
        shown = self.samples.setdefault(result.outcome, [])
        if len(shown) < SAMPLES_PER_OUTCOME:
            shown.append(RowSample(
                result.number, result.outcome, result.values, _summary(self.kind, result),
                tuple(reason_text(self.kind, i) for i in result.issues),
                _summary(self.kind, result, "en"),
                tuple(reason_text(self.kind, i, "en") for i in result.issues)))

    def note_column(self, code: str, key: str | None, rows: int,
                    value: str | None = None) -> None:
        """Something said once for a whole column (the scale its scores were read on), counted
        among what was noted with the rows it concerns; `value`: the cell its text names (a
        date that showed the column's order of day and month)."""
        self.warnings[(code, key, None)] += rows
        if value is not None:
            self.named[(code, key)] = value

    def _issue(self, code: str, key: str | None, limit: int | None) -> Issue:
        return Issue(code, key, limit=limit, value=self.named.get((code, key)),
                     fills=self.filled.get((code, key), ()))

    def counted(self, counter: Counter[tuple[str, str | None, int | None]]
                ) -> tuple[ReasonCount, ...]:
        return tuple(
            ReasonCount(code, key, reason_text(self.kind, self._issue(code, key, limit)),
                        reason_text(self.kind, self._issue(code, key, limit), "en"), n)
            for (code, key, limit), n in sorted(counter.items(),
                                                key=lambda kv: (-kv[1], kv[0][0]))
        )


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


# What a row creates, in Chinese and English.
_CREATED = {"customer": ("新客户", "new customer"), "vehicle": ("新车辆", "new vehicle"),
            "service_visit": ("新进厂记录", "new visit"),
            "satisfaction_survey": ("新回访记录", "new survey"),
            "complaint": ("新投诉", "new complaint"),
            "contact_event": ("新联系记录", "new contact"),
            "other_purchase": ("新消费记录", "new purchase"),
            "refund": ("新退款记录", "new refund")}


def _summary(kind: str, result: RowResult, lang: str = "zh") -> str:
    """What happens to the row ("新客户；新车辆；手机 13800138000 → 13900139000", or in English
    "new customer; new vehicle; Mobile 13800138000 → 13900139000")."""
    zh = lang.lower().startswith("zh")
    if result.outcome == "reject":
        return "不导入" if zh else "not imported"
    parts = [_CREATED[t][0 if zh else 1] if t in _CREATED else t for t in result.created]
    for key, old, new in result.changes:
        if key == DECLINED_DONE:
            parts.append(f"建议维修已完成：{new}" if zh else f"declined repair done: {new}")
            continue
        if key == REFUND_NETTED:
            parts.append(f"冲抵消费 {new}" if zh else f"taken off the purchase {new}")
            continue
        if key == EARLIER_REFUND_NETTED:
            # old: the refund's day and amount; new: the purchase's amount before → after
            parts.append(f"冲抵此前导入的退款（{old}）：{new}" if zh
                         else f"less a refund imported before ({old}): {new}")
            continue
        if key == VISIT_REVERSED:
            # old: the visit's (day, type, work order); new: its amount (before, after), after
            # None when the visit is cancelled
            day, visit_type, order = old
            visit = " ".join(p for p in (day, labels.text("visit_type", visit_type, lang),
                                         order) if p)
            before, after = new
            if after is None:
                parts.append(f"撤销进厂记录 {visit}（{before:.2f}元）" if zh
                             else f"visit cancelled: {visit} ({before:.2f})")
            else:
                parts.append(f"冲减进厂记录 {visit} 金额 {before:.2f} → {after:.2f}" if zh
                             else f"visit reduced: {visit} amount {before:.2f} → {after:.2f}")
            continue
        label = field_label(kind, key, lang) or key
        if key == "marketing_consent":
            old, new = (None if x is None else CONSENT_WORDS[x][0 if zh else 1]
                        for x in (old, new))
        old, new = value_text(kind, key, old, lang), value_text(kind, key, new, lang)
        if new is None:  # a stored value the row takes away (an address of another city)
            new = "（清空）" if zh else "(cleared)"
        parts.append(f"{label} {'' if old is None else old} → {new}".replace("  ", " "))
    return ("；" if zh else "; ").join(parts) or ("无变化" if zh else "no change")
