"""The audit trail in words: every action code and kind of thing services record has Chinese and
English words, and an entry's object, action and detail read as words, not codes and JSON."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import Customer
from services import labels
from services.customers import preferences
from services.staff import accounts
from services.staff.audit import AuditFilter, read_audit
from services.staff.audit_words import (
    ENTITIES,
    about_words,
    action_words,
    detail_json,
    detail_words,
    key_words,
    words_leave_out,
)

SERVICES = Path(__file__).resolve().parents[2] / "services"
# The functions that write an entry, and where their action and entity arguments are.
WRITERS = {"audit": (1, 2), "record": (2, 3)}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


class _Source:
    """Every module of services/ parsed, with each node's enclosing function."""

    def __init__(self) -> None:
        self.calls: list[tuple[Path, ast.Call, ast.FunctionDef | None]] = []
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        for path in sorted(SERVICES.rglob("*.py")):
            self._walk(path, ast.parse(path.read_text(encoding="utf-8")), None)

    def _walk(self, path: Path, node: ast.AST, function: ast.FunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                self.functions.setdefault(child.name, []).append(child)
                self._walk(path, child, child)
                continue
            if isinstance(child, ast.Call):
                self.calls.append((path, child, function))
            self._walk(path, child, function)

    def argument(self, call: ast.Call, position: int, keyword: str) -> ast.expr | None:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
        return call.args[position] if position < len(call.args) else None

    def codes(self, expr: ast.expr | None, function: ast.FunctionDef | None, where: str,
              element: int | None = None) -> Iterator[str]:
        """The string codes `expr` can be: literals, both sides of `a if c else b`, and a
        parameter of the enclosing function followed to its default and every call."""
        if isinstance(expr, ast.Tuple) and element is not None:
            yield from self.codes(expr.elts[element], function, where)
        elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            yield expr.value
        elif isinstance(expr, ast.IfExp):
            yield from self.codes(expr.body, function, where, element)
            yield from self.codes(expr.orelse, function, where, element)
        elif isinstance(expr, ast.Name) and function is not None:
            yield from self._parameter(expr.id, function, where, element)
        else:
            raise AssertionError(f"cannot tell which code {where} writes")

    def _parameter(self, name: str, function: ast.FunctionDef, where: str,
                   element: int | None) -> Iterator[str]:
        for statement in ast.walk(function):  # `action, extra = audit_as`
            if (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Tuple)
                    and isinstance(statement.value, ast.Name)):
                names = [getattr(t, "id", None) for t in statement.targets[0].elts]
                if name in names:
                    yield from self._parameter(statement.value.id, function, where,
                                               names.index(name))
                    return
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        assert name in params + keyword_only, f"cannot tell which code {where} writes"
        if name in keyword_only:
            default = function.args.kw_defaults[keyword_only.index(name)]
            position = 10**6
        else:
            position = params.index(name)
            shift = len(params) - len(function.args.defaults)
            default = (function.args.defaults[position - shift] if position >= shift else None)
        if default is not None:
            yield from self.codes(default, None, where, element)
        for path, call, caller in self.calls:
            passed = self.argument(call, position, name)
            if _name(call.func) == function.name and (passed is not None or default is None):
                yield from self.codes(passed, caller, f"{path.name}:{call.lineno}", element)


@pytest.fixture(scope="module")
def written() -> tuple[set[str], set[str]]:
    """(actions, entities) services/ can write into the audit trail."""
    source = _Source()
    actions: set[str] = set()
    entities: set[str] = set()
    for path, call, function in source.calls:
        where = f"{path.relative_to(SERVICES.parent)}:{call.lineno}"
        if _name(call.func) in WRITERS and len(call.args) >= 4:
            action_at, entity_at = WRITERS[_name(call.func)]
            actions |= set(source.codes(source.argument(call, action_at, "action"), function,
                                        where))
            entities |= set(source.codes(source.argument(call, entity_at, "entity"), function,
                                         where))
        elif "audit_log" in ast.unparse(call.func):  # an insert into audit_log, as sign-in does
            for kw in call.keywords:
                if kw.arg in ("action", "entity"):
                    found = set(source.codes(kw.value, function, where))
                    (actions if kw.arg == "action" else entities).update(found)
    return actions, entities


def test_the_collector_finds_direct_and_passed_on_codes(written):
    actions, entities = written
    # Literal, chosen by `if`, passed to a helper, a tuple's first part, inserted by sign-in.
    assert {"add_refusal", "tag_retire", "tag_reactivate", "import_undo",
            "save_suggestion_rules", "import_segment", "save_segment", "sign_in"} <= actions
    assert {"customer", "staff_user", "saved_segment", "list_run", "app_setting"} <= entities


def test_every_action_services_write_has_words_in_both_languages(written):
    actions, _ = written
    missing = sorted(code for code in actions
                     if code in (action_words(code, "zh"), action_words(code, "en")))
    assert not missing, f"audit actions without words: {missing}"
    untranslated = sorted(code for code in actions
                          if action_words(code, "zh") == action_words(code, "en"))
    assert not untranslated, f"audit actions without Chinese words: {untranslated}"


def test_every_kind_of_thing_services_write_about_has_words(written):
    _, entities = written
    assert not sorted(entities - ENTITIES.keys())


def _entry(sessions, actor, action: str, lang: str = "zh"):
    page = read_audit(sessions, actor, AuditFilter(action=action))
    entry = page.entries[0]
    return entry, about_words(entry, lang), detail_words(entry, lang)


def test_entries_read_as_words_named_in_the_pages_query(database, supervisor, staff):
    from services.segments import service as segments

    with database.sessions.begin() as s:
        s.add(Customer(id=1, code="C0001234", name="张伟"))
    flt = {"version": 1, "where": {"and": [
        {"field": "years_since_purchase", "op": ">=", "value": 7},
        {"field": "satisfaction_band", "op": "=", "value": "high"}]}}
    segments.save_segment(database.sessions, "7年以上 高满意度 换车", flt, staff_id=staff.id)
    accounts.set_role(database.sessions, supervisor, "chenli", "supervisor")
    preferences.add_refusal(database.sessions, 1, channel="sms", purpose=None,
                            reason="不要短信", set_on=dt.date(2026, 11, 1), staff_id=staff.id)

    entry, about, detail = _entry(database.sessions, supervisor, "save_segment")
    assert entry.entity_name == "7年以上 高满意度 换车"
    assert about == "客户分群“7年以上 高满意度 换车”"
    assert detail == "名称：7年以上 高满意度 换车；筛选：2个条件；版本：1；新建：是"
    assert "\\" not in detail_json(entry)
    assert json.loads(detail_json(entry))["filter"] == flt
    assert action_words(entry.action, "zh") == "保存分群"
    _, about, detail = _entry(database.sessions, supervisor, "save_segment", "en")
    assert about == 'Segment "7年以上 高满意度 换车"'
    assert detail == ("Name: 7年以上 高满意度 换车; Filter: 2 conditions; Version: 1; "
                      "Created: yes")

    _, about, detail = _entry(database.sessions, supervisor, "set_role")
    assert about == "员工 陈丽"
    assert detail == "用户名：chenli；原为：员工；改为：主管"
    _, about, detail = _entry(database.sessions, supervisor, "add_refusal")
    assert about == "客户 C0001234 张伟"
    assert detail.startswith("渠道：短信；目的：无；原因：不要短信")
    _, about, _ = _entry(database.sessions, supervisor, "sign_in", "en")
    assert about.startswith("Staff ")


def test_a_list_files_detail_is_short_and_a_gone_segment_keeps_its_name(database, supervisor):
    from services.staff.audit import AuditEntry

    fields = ["编号", "客户编号", "姓名", "称呼", "微信号", "车型"]
    export = AuditEntry(
        id=1, at=dt.datetime(2026, 12, 2), username="chenli", staff_name="陈丽",
        action="export_list_file", entity="list_run", entity_id=3, customer_code="",
        customer_name="", entity_name="老车主",
        detail=json.dumps({"kind": "call_sheet", "file": "老车主.pdf", "rows": 130,
                           "full_phones": False, "fields": fields}, ensure_ascii=False))
    assert about_words(export, "zh") == "名单 #3（老车主）"
    assert about_words(export, "en") == "List #3 (老车主)"  # staff's own name stays as typed
    # A run of a template is stored under the template's Chinese name, its sheets' title: the
    # English window names it in English, as the entry's detail does.
    template = dataclasses.replace(export, entity_name="30天内生日")
    assert about_words(template, "zh") == "名单 #3（30天内生日）"
    assert about_words(template, "en") == "List #3 (Birthday within 30 days)"
    assert detail_words(export, "zh") == (
        "类型：电话名单（打印）；文件：老车主.pdf；行数：130；完整手机号：否；"
        "列：编号、客户编号、姓名等6项")
    gone = AuditEntry(
        id=2, at=dt.datetime(2026, 12, 2), username="", staff_name="", action="delete_segment",
        entity="saved_segment", entity_id=9, customer_code="", customer_name="",
        detail=json.dumps({"name": "老车", "filter": "{\n \"version\": 1}", "version": 2}))
    assert about_words(gone, "zh") == "客户分群“老车”"
    assert detail_words(gone, "zh") == "名称：老车；筛选：1项；版本：2"
    settings = AuditEntry(
        id=3, at=dt.datetime(2026, 12, 2), username="", staff_name="", action="save_settings",
        entity="app_setting", entity_id=None, customer_code="", customer_name="",
        detail=json.dumps({"shop_name": ["旧店", "新店"], "report.kpi_targets": [None, "{}"]},
                          ensure_ascii=False))
    assert about_words(settings, "zh") == "共享设置"
    assert detail_words(settings, "zh") == "门店名称：旧店 → 新店；KPI目标：已更改"
    merge = AuditEntry(
        id=4, at=dt.datetime(2026, 12, 2), username="", staff_name="", action="merge_customers",
        entity="customer", entity_id=5, customer_code="C5", customer_name="张三",
        detail=json.dumps({"merge": 2, "merged": {"id": 9, "code": "C9", "name": "张三"},
                           "filled": {"mobile": "138"}, "removed": {},
                           "evidence": ["same_mobile", "same_name_similar_phone"]},
                          ensure_ascii=False))
    # The merged customer by their code, not the database's number; the evidence in words.
    assert detail_words(merge, "zh") == (
        "合并编号：2；被合并客户：（客户编号：C9，姓名：张三）；补入的资料：（手机：138）；"
        "删除的记录：无；依据：手机号相同、同名且电话相近")
    assert detail_words(merge, "en").endswith("Evidence: same mobile, same name, similar phone")
    interval = AuditEntry(
        id=5, at=dt.datetime(2026, 12, 2), username="", staff_name="",
        action="set_service_interval", entity="service_interval", entity_id=None,
        customer_code="", customer_name="",
        detail=json.dumps({"brand": "丰田", "model": "", "interval": [3000, 3, 5000, 6]},
                          ensure_ascii=False))
    assert about_words(interval, "zh") == "保养间隔 丰田"
    assert detail_words(interval, "zh").endswith(
        "间隔：首保3000公里或3个月，之后每5000公里或6个月")


def test_a_customers_fields_saved_on_their_page_read_as_those_fields():
    from services.staff.audit import AuditEntry

    person = AuditEntry(
        id=6, at=dt.datetime(2026, 12, 5), username="", staff_name="", action="save_person",
        entity="customer", entity_id=5, customer_code="C5", customer_name="张三丰",
        detail=json.dumps({"before": {"name": "张三", "gender": None},
                           "after": {"name": "张三丰", "gender": "M"}}, ensure_ascii=False))
    assert action_words(person.action, "zh") == "修改客户信息"
    assert detail_words(person, "zh") == (
        "原为：（姓名：张三，性别：无）；改为：（姓名：张三丰，性别：男）")
    assert detail_words(person, "en") == (
        "Before: (Name: 张三, Gender: none); After: (Name: 张三丰, Gender: Male)")


def test_unknown_codes_and_keys_are_shown_as_they_are():
    assert action_words("some_new_action", "zh") == "some_new_action"
    assert labels.text("audit_action", "sign_in", "zh") == action_words("sign_in", "zh")


def test_every_detail_key_services_write_has_words():
    """A key written into an entry's detail as a literal has words (not_blocked: 未加勿扰)."""
    source = _Source()
    missing = set()
    for path, call, _ in source.calls:
        at = {"audit": 4, "record": 5}.get(_name(call.func))
        detail = call.args[at] if at is not None and len(call.args) > at else None
        if isinstance(detail, ast.Dict):
            missing |= {f"{k.value} ({path.name}:{call.lineno})" for k in detail.keys
                        if isinstance(k, ast.Constant) and key_words(k.value, "zh") == k.value}
    assert not sorted(missing)


def test_a_read_unsubscribe_file_reads_in_words(database, supervisor, tmp_path):
    from services.lists import unsubscribe

    with database.sessions.begin() as s:
        s.add(Customer(id=1, code="C0000001", name="张伟", mobile="13800138000"))
    replies = tmp_path / "replies.csv"
    replies.write_text("手机号码,回复内容\n13800138000,T\n13900139000,好的\n", encoding="utf-8")
    unsubscribe.read_unsubscribes(database.sessions, replies, staff_id=supervisor.id)
    entry, about, detail = _entry(database.sessions, supervisor, "read_unsubscribes")
    assert about == "文件“replies.csv”"
    assert detail.endswith("新增勿扰：1；已勿扰：0；未知号码：0；未加勿扰：1；已送达：0")
    assert detail_words(entry, "en").endswith("Not blocked: 1; Delivered: 0")
    # Every value is in the words whole: nothing for the detail as recorded to add.
    assert not words_leave_out(entry)


def test_a_template_saved_for_a_list_names_who_and_reads_by_its_title(database, supervisor,
                                                                      staff):
    from services.segments import service as segments

    used = segments.segment_or_template(database.sessions, "due.birthday", staff_id=staff.id)
    assert used.info.name == "due.birthday"
    entry, about, detail = _entry(database.sessions, supervisor, "save_segment")
    assert (entry.username, entry.staff_name) == ("chenli", "陈丽")
    assert about == "客户分群“30天内生日”"
    assert detail.startswith("名称：30天内生日；筛选：1个条件")
    assert words_leave_out(entry)  # the filter: 1个条件 in words, whole as recorded
    _, about, _ = _entry(database.sessions, supervisor, "save_segment", "en")
    assert about == f'Segment "{segments.find_template("due.birthday").en}"'
    # Found saved the next time: nothing saved again, no second entry.
    segments.segment_or_template(database.sessions, "due.birthday", staff_id=supervisor.id)
    assert read_audit(database.sessions, supervisor,
                      AuditFilter(action="save_segment")).total == 1
    # A segment of staff's own keeps its name, even one named like a template's key.
    segments.save_segment(database.sessions, "lifecycle.super", {"version": 1, "where": {
        "field": "lifecycle_stage", "op": "=", "value": "super"}}, staff_id=staff.id)
    _, about, _ = _entry(database.sessions, supervisor, "save_segment")
    assert about == "客户分群“lifecycle.super”"


def test_a_change_of_the_preferences_note_alone_shows_in_its_entry(database, supervisor):
    """The preferences panel saves the note and the language with the channels; an entry that
    kept only the channels read the same before and after when only the note changed."""
    with database.sessions.begin() as s:
        s.add(Customer(id=1, code="C0001234", name="张伟"))
    version = preferences.set_preferences(database.sessions, 1, channel_order=["phone"],
                                          note="下午再打", staff_id=supervisor.id)
    preferences.set_preferences(database.sessions, 1, channel_order=["phone"], language="en",
                                note="只在周末打", staff_id=supervisor.id,
                                expected_version=version)
    _, _, detail = _entry(database.sessions, supervisor, "set_preferences")
    before, after = detail.split("；改为：")
    assert "备注：下午再打" in before and "语言：中文" in before
    assert "备注：只在周末打" in after and "语言：英文" in after
    assert "渠道顺序" not in detail  # the short text names what changed, not what stayed
    _, _, detail = _entry(database.sessions, supervisor, "set_preferences", "en")
    assert "Note: 只在周末打" in detail and "Language: English" in detail
