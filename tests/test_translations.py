"""Every visible message is translated with its placeholders; compiled files are current."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from ui.i18n import TRANSLATIONS_DIR
from ui.i18n_tool import ERRORS_FILE, LANGUAGES, ROOT, lupdate, render_error_messages

PLACEHOLDER = re.compile(r"\{\w+\}|%\d|%n|%L\d")


def _messages(lang: str):
    return _messages_in(TRANSLATIONS_DIR / f"revisit_{lang}.ts")


def _messages_in(path):
    tree = ET.parse(path)
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = [nf.text or "" for nf in translation.iter("numerusform")] or [
                translation.text or ""
            ]
            yield name, message.findtext("source"), translation.get("type"), forms


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(lang):
    checked = 0
    for context, source, kind, forms in _messages(lang):
        assert kind not in ("unfinished", "obsolete", "vanished"), f"{context}: {source!r}"
        for form in forms:
            assert form.strip(), f"{context}: {source!r} has an empty translation"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), (
                f"{context}: placeholders differ in {source!r} -> {form!r}"
            )
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_in_the_code_is_in_the_translation(lang, tmp_path):
    """lupdate over the code adds nothing new: no window text falls back to English."""
    import shutil

    ts = tmp_path / f"revisit_{lang}.ts"
    shutil.copy(TRANSLATIONS_DIR / f"revisit_{lang}.ts", ts)
    lupdate(ts)
    missing = [
        f"{context}: {source!r}"
        for context, source, kind, _ in _messages_in(ts)
        if kind == "unfinished"
    ]
    assert not missing, "run `python -m ui.i18n_tool` and translate:\n" + "\n".join(missing)


def _tr_calls_lupdate_cannot_see(tree: ast.AST) -> list[int]:
    """Lines of tr() and translate() calls inside an f-string's {…}: lupdate reads past them,
    so their text would show in English (it did: a declined repair's "done" and "refused")."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and (
                        getattr(inner.func, "attr", None) in ("tr", "translate")
                        or getattr(inner.func, "id", None) in ("tr", "translate")):
                    lines.append(inner.lineno)
    return lines


def test_no_window_text_is_translated_inside_an_f_string():
    assert _tr_calls_lupdate_cannot_see(ast.parse(
        "x = f'<a>{_e(self.tr(\"done\"))}</a>'")) == [1]  # what it looks for
    found = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        found += [f"{path.relative_to(ROOT)}:{line}" for line in
                  _tr_calls_lupdate_cannot_see(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "take these tr() calls out of their f-strings:\n" + "\n".join(found)


def test_service_error_messages_are_extracted():
    assert ERRORS_FILE.read_text(encoding="utf-8") == render_error_messages(), (
        "run `python -m ui.i18n_tool` to refresh ui/error_messages.py and the .ts files"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_file_is_current(lang, qapp):
    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS_DIR / f"revisit_{lang}.qm"))
    for context, source, _, forms in _messages(lang):
        if len(forms) == 1:
            assert translator.translate(context, source) == forms[0], (
                f"{source!r} not in the .qm: run `python -m ui.i18n_tool`"
            )


def test_error_is_shown_translated(qapp):
    from services.store.errors import RevisitError
    from ui.i18n import translate_error

    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS_DIR / "revisit_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        err = RevisitError("The database {where} is read-only: nothing can be saved in it. "
                           "Ask whoever looks after this PC to let you write to the file and "
                           "its folder, or open a copy kept in a folder you may write to.",
                           where="D:/回访.sqlite3")
        said = translate_error(err)
        assert said.startswith("数据库 D:/回访.sqlite3 是只读的，无法保存任何内容。")
    finally:
        QCoreApplication.removeTranslator(translator)
