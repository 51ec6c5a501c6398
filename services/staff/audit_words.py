"""The audit trail in words for a supervisor: what an entry is about, its action and its detail
as short "key: value" text, in Chinese or English (the stored codes and JSON stay as they are).

Like services/labels.py, each word is a (Chinese, English) pair; the window picks one by its
language (ui/labels.py `language()`)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from services import labels
from services.segments.templates import catalog
from services.staff.audit import AuditEntry

Pair = tuple[str, str]

# What an entry is about (audit_log.entity).
ENTITIES: dict[str, Pair] = {
    "customer": ("客户", "Customer"),
    "do_not_contact": ("勿扰", "Do-not-contact"),
    "staff_user": ("员工", "Staff"),
    "saved_segment": ("客户分群", "Segment"),
    "list_run": ("名单", "List"),
    "tag": ("标签", "Tag"),
    "tag_group": ("标签组", "Tag group"),
    "import_batch": ("导入批次", "Import batch"),
    "service_interval": ("保养间隔", "Service interval"),
    "file": ("文件", "File"),
    "app_setting": ("共享设置", "Shared settings"),
}

# The keys services write into an entry's detail (the shared settings' are services/labels.py's).
KEYS: dict[str, Pair] = {
    "name": ("名称", "Name"),
    "new_name": ("新名称", "New name"),
    "filter": ("筛选", "Filter"),
    "version": ("版本", "Version"),
    "created": ("新建", "Created"),
    "source": ("来源", "Source"),
    "rows": ("行数", "Rows"),
    "members": ("名单人数", "Members"),
    "excluded": ("未列入", "Left out"),
    "mode": ("渠道", "Channel"),
    "fields": ("列", "Columns"),
    "format": ("格式", "Format"),
    "full_phones": ("完整手机号", "Full phone numbers"),
    "kind": ("类型", "Kind"),
    "file": ("文件", "File"),
    "username": ("用户名", "User name"),
    "display_name": ("姓名", "Name"),
    "role": ("角色", "Role"),
    "before": ("原为", "Before"),
    "after": ("改为", "After"),
    "attribute": ("项目", "What"),
    "effective": ("生效日期", "Effective"),
    "customer": ("客户", "Customer"),
    "tag": ("标签", "Tag"),
    "tag_id": ("标签编号", "Tag no."),
    "code": ("客户编号", "Customer no."),
    "reason": ("原因", "Reason"),
    "rows_changed": ("改动行数", "Rows changed"),
    "merges_deleted": ("删除的合并记录", "Merges deleted"),
    "merge": ("合并编号", "Merge no."),
    "merged": ("被合并客户", "Merged customer"),
    "id": ("编号", "No."),
    "filled": ("补入的资料", "Filled in"),
    "moved": ("转移的记录", "Records moved"),
    "removed": ("删除的记录", "Records removed"),
    "evidence": ("依据", "Evidence"),
    "restored": ("恢复", "Restored"),
    # A list read back (read_outcomes) and its undo: which read, and what it kept to be undone.
    "read": ("读回标识", "Read-back id"),
    "trail": ("撤销所需记录", "Kept for undo"),
    "readback": ("读回序号", "Read-back no."),
    "contacts": ("联系记录", "Contacts"),
    "profile_changes": ("画像变化", "Profile changes"),
    "moved_back": ("移回的记录", "Records moved back"),
    "date": ("日期", "Date"),
    "channel": ("渠道", "Channel"),
    "purpose": ("目的", "Purpose"),
    "expires": ("到期", "Expires"),
    "referral": ("转介绍编号", "Referral no."),
    "on": ("日期", "Date"),
    "by_customer": ("介绍客户", "Referred by customer"),
    "by_staff": ("介绍员工", "Referred by staff member"),
    "by_org": ("介绍单位", "Referred by organisation"),
    "brand": ("品牌", "Brand"),
    "model": ("车型", "Model"),
    "interval": ("间隔", "Interval"),
    "item": ("项目编号", "Item no."),
    "text": ("内容", "Text"),
    "due": ("到期", "Due"),
    "vehicle": ("车辆", "Vehicle"),
    "status": ("状态", "Status"),
    "group": ("标签组", "Tag group"),
    "customers": ("客户数", "Customers"),
    "segments": ("相关分群", "Segments"),
    "deleted": ("删除", "Deleted"),
    "kept": ("保留", "Kept"),
    "updated": ("更新", "Updated"),
    "unchanged": ("未变", "Unchanged"),
    "rejected": ("拒收", "Rejected"),
    "stored": ("记录", "Stored"),
    "corrected": ("更正", "Corrected"),
    "failed": ("发送失败文件", "Failed-delivery file"),
    "numbers": ("号码数", "Numbers"),
    "blocked": ("新增勿扰", "Blocked"),
    "already": ("已勿扰", "Already blocked"),
    "unknown": ("未知号码", "Unknown numbers"),
    # A vendor's file: rows left unblocked (a reply that is no unsubscribe, 好的; a failure
    # that passes, 关机) and a delivery report's messages delivered.
    "not_blocked": ("未加勿扰", "Not blocked"),
    "delivered": ("已送达", "Delivered"),
    "km": ("公里数", "km"),
    "segment": ("客户分群", "Segment"),
    "as_of": ("评估日期", "Evaluated on"),
    "open_calls": ("待拨电话", "Calls still to make"),
    "channel_order": ("渠道顺序", "Channel order"),
    "preferred_days": ("偏好日期", "Preferred days"),
    "time_windows": ("时段", "Time windows"),
    "hours": ("时间", "Hours"),
    "language": ("语言", "Language"),
    "note": ("备注", "Note"),
}

# The files a list run writes (services/outputs/run_files.py), for an export's "kind".
FILE_KINDS: dict[str, Pair] = {
    "call_sheet": ("电话名单（打印）", "Call sheet (printed)"),
    "call_list": ("电话名单表", "Call list"),
    "mail_list": ("邮寄名单", "Mail list"),
    "labels": ("邮寄标签", "Mailing labels"),
    "sms_list": ("短信名单", "SMS list"),
    "sms": ("短信平台文件", "SMS vendor file"),
    "wechat_list": ("微信名单", "WeChat list"),
    "visit_list": ("上门拜访名单", "Visit list"),
}

WORDS: dict[str, Pair] = {
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
    "all": ("全部", "all"),
    "changed": ("已更改", "changed"),
    "conditions": ("{n}个条件", "{n} conditions"),
    "items": ("{n}项", "{n} items"),
    "more": ("等{n}项", " … ({n} in all)"),
    "interval": ("首保{0}公里或{1}个月，之后每{2}公里或{3}个月",
                 "first service at {0} km or {1} months, then every {2} km or {3} months"),
}

# The labels.py vocabulary a key's value is a code of; per action first, then for any action.
VALUE_KINDS: dict[tuple[str, str], str] = {
    ("set_role", "before"): "staff_role",
    ("set_role", "after"): "staff_role",
    ("add_user", "role"): "staff_role",
    ("import", "kind"): "import_kind",
    ("build_list_run", "mode"): "channel_mode",
    ("close_declined_item", "status"): "declined_status",
    ("record_change", "attribute"): "attribute",
    ("record_change", "source"): "source",
    ("consent_given", "source"): "source",
    ("consent_withdrawn", "source"): "source",
    ("add_referral", "kind"): "referrer_kind",
    ("remove_referral", "kind"): "referrer_kind",
}
ANY_ACTION_KINDS: dict[str, str] = {
    "channel": "channel",
    "channel_order": "channel",
    "purpose": "purpose",
    "preferred_days": "preferred_days",
    "time_windows": "time_window",
    "language": "language",  # a customer's contact language (zh / en)
    "evidence": "merge_evidence",
    "gender": "gender",  # a customer's, saved on their page (M / F)
}

VALUE_CHARS = 40  # one value in the short text; the whole entry is in the tooltip and pane
LIST_ITEMS = 3


# The English of a counted word for one ("1 condition", not "1 conditions").
ONE: dict[str, str] = {"conditions": "{n} condition", "items": "{n} item"}


def _word(key: str, lang: str, **params: object) -> str:
    if params.get("n") == 1 and key in ONE and not lang.lower().startswith("zh"):
        return ONE[key].format(**params)
    return labels.pick(WORDS[key], lang).format(**params)


def action_words(code: str, lang: str) -> str:
    """The action in words; the code itself when nothing names it."""
    pair = labels.LABELS["audit_action"].get(code)
    return code if pair is None else labels.pick(pair, lang)


# Actions whose details name a customer's own fields ("name" is their 姓名, not a 名称).
FIELD_SAVES = ("save_person", "save_contact_details", "merge_customers", "unmerge_customers")


def key_words(key: str, lang: str, action: str = "") -> str:
    """A detail key in words: ours, else a customer or vehicle field's (a merge's "filled");
    in a save or merge of a customer's fields, the field's."""
    pair = ((labels.LABELS["attribute"].get(key) if action in FIELD_SAVES else None)
            or KEYS.get(key) or labels.LABELS["setting"].get(key)
            or labels.LABELS["attribute"].get(key))
    return key if pair is None else labels.pick(pair, lang)


def _quoted(text: str, lang: str) -> str:
    return f'"{text}"' if lang == "en" else f"“{text}”"


@cache
def _template_titles() -> dict[str, Pair]:
    """Each template's key with its (Chinese, English) name, as the list wizard offers it."""
    return {t.key: (t.zh, t.en) for t in catalog()}


@cache
def _titles_by_chinese() -> dict[str, Pair]:
    """Each template's (Chinese, English) name by its Chinese one, as a list run stores it."""
    return {t.zh: (t.zh, t.en) for t in catalog()}


def segment_words(entry: AuditEntry, name: str, lang: str) -> str:
    """A segment named in an entry (about a saved segment or a list) as staff read it: a
    template saved under its key (due.birthday, as making a list from the template saves it)
    by the template's name (30天内生日), as the segments view and the list wizard show it; a
    segment of staff's own by its name, even one that happens to be named like a key."""
    pair = _template_titles().get(name)
    own = (entry.entity == "saved_segment" and entry.entity_name == name
           and entry.entity_template != name)
    return name if pair is None or own else labels.pick(pair, lang)


def about_words(entry: AuditEntry, lang: str) -> str:
    """What the entry is about: 客户 C0001234 张伟, 名单 #3（name）, 客户分群“name”, 员工 陈丽…"""
    kind = entry.entity
    word = labels.pick(ENTITIES[kind], lang) if kind in ENTITIES else kind
    data = entry.detail_data()
    detail = data if isinstance(data, dict) else {}
    if entry.customer_code or kind in ("customer", "do_not_contact"):
        code = entry.customer_code or str(detail.get("code") or "")
        who = f"{code} {entry.customer_name}".strip() or (
            f"#{entry.entity_id}" if entry.entity_id is not None else "")
        return f"{labels.pick(ENTITIES['customer'], lang)} {who}".strip()
    if kind == "staff_user":
        name = entry.entity_name or str(detail.get("username") or "")
        return f"{word} {name or f'#{entry.entity_id}'}"
    if kind in ("saved_segment", "tag", "tag_group", "file"):
        name = entry.entity_name or str(
            detail.get("name") or detail.get("after") or detail.get("before")
            or detail.get("file") or "")
        if name and kind == "saved_segment":
            name = segment_words(entry, name, lang)
        if name:
            return f"{word}{' ' if lang == 'en' else ''}{_quoted(name, lang)}"
    if kind == "service_interval":
        car = " ".join(str(detail.get(k) or "") for k in ("brand", "model")).strip()
        return f"{word} {car or _word('all', lang)}"
    number = "" if entry.entity_id is None else f" #{entry.entity_id}"
    name = entry.entity_name
    if name and kind == "list_run":  # a run names a template by its Chinese name (its sheets')
        pair = _titles_by_chinese().get(name)
        name = labels.pick(pair, lang) if pair else name
    if name:
        return f"{word}{number} ({name})" if lang == "en" else f"{word}{number}（{name}）"
    return f"{word}{number}"


def _json_text(value: str) -> Any:
    """A string holding JSON (a segment's filter, a settings row), decoded; None when not."""
    stripped = value.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _conditions(tree: Any) -> int:
    """How many conditions a segment filter holds (its leaves: "field" nodes)."""
    if isinstance(tree, dict):
        return ("field" in tree) + sum(_conditions(v) for v in tree.values())
    if isinstance(tree, list):
        return sum(_conditions(v) for v in tree)
    return 0


def _summary(data: Any, lang: str) -> str:
    if isinstance(data, dict) and "where" in data:
        return _word("conditions", lang, n=_conditions(data["where"]))
    return _word("items", lang, n=len(data)) if isinstance(data, dict | list) else str(data)


def _shorten(text: str, chars: int | None) -> str:
    return text if chars is None or len(text) <= chars else text[:chars - 1] + "…"


def _value(action: str, key: str, value: Any, lang: str, detail: dict, chars: int | None,
           depth: int = 0) -> str:
    if value is None or value == "":
        return _word("none", lang)
    if isinstance(value, bool):
        return _word("yes" if value else "no", lang)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        decoded = _json_text(value)
        if decoded is not None:
            return _summary(decoded, lang)
        kind = VALUE_KINDS.get((action, key)) or ANY_ACTION_KINDS.get(key)
        if action == "record_change" and key in ("before", "after"):
            kind = str(detail.get("attribute") or "")
        if action == "export_list_file" and key == "kind" and value in FILE_KINDS:
            return labels.pick(FILE_KINDS[value], lang)
        comma = ", " if lang == "en" else "、"
        if kind and "," in value:  # a stored list of codes: "wechat,phone,sms"
            return _shorten(comma.join(labels.text(kind, v, lang) for v in value.split(",")),
                            chars)
        return _shorten(labels.text(kind, value, lang) if kind else value, chars)
    comma = ", " if lang == "en" else "、"
    if isinstance(value, list) and key == "interval" and len(value) == 4:
        return labels.pick(WORDS["interval"], lang).format(*value)
    if isinstance(value, dict) and not value:
        return _word("none", lang)
    if isinstance(value, list) and key == "hours" and len(value) == 2:
        start, end = value
        return _word("none", lang) if start is None else f"{start}:00–{end}:00"
    if isinstance(value, list):
        if action.startswith("save_") and len(value) == 2 and all(
                v is None or isinstance(v, str) for v in value):
            # A shared setting: [before, after]; JSON rows (KPI targets, rules) just changed.
            if any(isinstance(v, str) and _json_text(v) is not None for v in value):
                return _word("changed", lang)
            return " → ".join(_value(action, key, v, lang, detail, chars, depth + 1)
                              for v in value)
        items = [_value(action, key, v, lang, detail, chars, depth + 1)
                 for v in value[:LIST_ITEMS if chars is not None else None]]
        text = comma.join(items) or _word("none", lang)
        if chars is not None and len(value) > LIST_ITEMS:
            text += _word("more", lang, n=len(value))
        return text
    if isinstance(value, dict):
        if depth >= 2 and chars is not None:
            return _word("items", lang, n=len(value))
        # A customer named by their code is not also named by the database's own number,
        # which staff never see anywhere else (a merged customer: {id, code, name}).
        inner = (", " if lang == "en" else "，").join(
            f"{key_words(k, lang, action)}{': ' if lang == 'en' else '：'}"
            f"{_value(action, k, v, lang, detail, chars, depth + 1)}" for k, v in value.items()
            if not (k == "id" and "code" in value))
        return f"({inner})" if lang == "en" else f"（{inner}）"
    return _shorten(str(value), chars)


def detail_pairs(entry: AuditEntry, lang: str, chars: int | None = VALUE_CHARS
                 ) -> list[tuple[str, str]]:
    """The detail as (key in words, value in words); each value cut to `chars` (None: whole)."""
    data = entry.detail_data()
    if data in (None, {}, ""):
        return []
    if not isinstance(data, dict):
        return [("", _value(entry.action, "", data, lang, {}, chars))]
    if chars is not None:
        data = _changed_only(data)
    return [(key_words(k, lang),
             segment_words(entry, v, lang) if k in ("name", "segment") and isinstance(v, str)
             and entry.entity in ("saved_segment", "list_run")
             else _value(entry.action, k, v, lang, data, chars))
            for k, v in data.items()
            # A do-not-contact row's customer id: the object column names the customer.
            if not (k == "customer" and isinstance(v, int) and entry.customer_code)]


def _changed_only(data: dict) -> dict:
    """A before and an after of several fields (contact preferences) cut to the fields that
    changed, for the short text: cut to its length, a whole copy of both named nothing that
    changed. The whole entry still has every field."""
    before, after = data.get("before"), data.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return data
    changed = [k for k in after if before.get(k) != after.get(k)]
    if not changed or len(changed) == len(after):
        return data
    return {**data, "before": {k: before.get(k) for k in changed},
            "after": {k: after[k] for k in changed}}


def detail_words(entry: AuditEntry, lang: str, chars: int | None = VALUE_CHARS) -> str:
    """The detail as one line: 名称：老车；条件：2个条件；版本：1."""
    colon, sep = (": ", "; ") if lang == "en" else ("：", "；")
    return sep.join(f"{k}{colon}{v}" if k else v for k, v in detail_pairs(entry, lang, chars))


def _decoded(data: Any) -> Any:
    if isinstance(data, str):
        inner = _json_text(data)
        return data if inner is None else _decoded(inner)
    if isinstance(data, dict):
        return {k: _decoded(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_decoded(v) for v in data]
    return data


def _holds_json(data: Any) -> bool:
    if isinstance(data, str):
        return _json_text(data) is not None
    if isinstance(data, dict):
        return any(_holds_json(v) for v in data.values())
    if isinstance(data, list):
        return any(_holds_json(v) for v in data)
    return False


def words_leave_out(entry: AuditEntry) -> bool:
    """Whether the detail in words (values whole) leaves something out: a value holding JSON
    (a segment's filter, read as 2个条件; a settings row, read as 已更改), which only the
    detail as recorded shows. Every other value is in the words whole."""
    return _holds_json(entry.detail_data())


def detail_json(entry: AuditEntry) -> str:
    """The detail whole, as recorded, indented; JSON held in a value (a filter) unfolded rather
    than shown as an escaped string."""
    data = entry.detail_data()
    if data in (None, {}, ""):
        return ""
    return json.dumps(_decoded(data), ensure_ascii=False, indent=2)
