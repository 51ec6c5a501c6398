"""Safe defaults and dialogs that fit: the change dialog offers no new value until one is chosen,
and the do-not-contact and change dialogs show all their text in English, in Chinese and in a
stretched pseudo-language (every message half as long again, as longer translations would be)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QPoint, QRect, QTranslator
from PySide6.QtWidgets import QLabel, QLineEdit

from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.i18n import TRANSLATIONS_DIR
from ui.views.preferences_panel import RefusalDialog


class StretchedTranslator(QTranslator):
    """Every message with extra words, as a longer language would make it."""

    def translate(self, context, source, disambiguation=None, n=-1):
        if not source:
            return source
        extra = " ".join(["lorem"] * (len(source) // 10 + 1))
        return f"{source} {extra}"

    def isEmpty(self) -> bool:
        return False


@pytest.fixture(params=["en", "zh_CN", "stretched"])
def language(request, qapp):
    translators: list[QTranslator] = []
    if request.param == "zh_CN":
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name, folder in (("qtbase", qt_dir), ("revisit", str(TRANSLATIONS_DIR))):
            translator = QTranslator()
            if translator.load(QLocale("zh_CN"), name, "_", folder):
                translators.append(translator)
        assert translators, "the Chinese translation is missing"
    elif request.param == "stretched":
        translators.append(StretchedTranslator())
    for translator in translators:
        QCoreApplication.installTranslator(translator)
    yield request.param
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def _all_text_visible(dialog) -> None:
    assert dialog.width() >= dialog.sizeHint().width()
    assert dialog.height() >= dialog.minimumSizeHint().height()
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height(), label.text()
        else:
            assert label.sizeHint().width() <= label.width(), label.text()
        inside = QRect(label.mapTo(dialog, QPoint(0, 0)), label.size())
        assert dialog.rect().contains(inside), label.text()
    for edit in dialog.findChildren(QLineEdit):
        if edit.isVisible() and edit.placeholderText():
            wanted = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
            assert wanted <= edit.width(), edit.placeholderText()


def test_refusal_dialog_shows_its_hint_and_every_explanation(qtbot, language):
    dialog = RefusalDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() >= 420
    for index in range(dialog.purpose.count()):
        dialog.purpose.setCurrentIndex(index)
        qtbot.wait(1)  # let the layout settle
        assert dialog.purpose_hint.text()
        _all_text_visible(dialog)


def test_change_dialog_fits_its_content(qtbot, language):
    dialog = ProfileChangeDialog("王先生", {"marital_status": "married"})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _all_text_visible(dialog)


def test_change_dialog_preselects_no_new_value(qtbot):
    current = {"marital_status": "married", "occupation": "教师"}
    dialog = ProfileChangeDialog("王先生", current)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.attribute.currentData() == "marital_status"
    assert dialog.value_choice.currentIndex() == -1 and dialog.value_choice.currentText() == ""
    assert dialog.value_choice.placeholderText() == "— choose —"
    offered = [dialog.value_choice.itemData(i) for i in range(dialog.value_choice.count())]
    assert "married" not in offered and "single" in offered
    assert not dialog.save_button.isEnabled() and dialog.values()["new_value"] is None

    dialog.value_choice.setCurrentIndex(dialog.value_choice.findData("divorced"))
    assert dialog.save_button.isEnabled() and dialog.values()["new_value"] == "divorced"

    # Another attribute starts empty again.
    dialog.attribute.setCurrentIndex(dialog.attribute.findData("household"))
    assert dialog.value_choice.currentIndex() == -1 and not dialog.save_button.isEnabled()

    # A typed attribute needs a value that differs from the current one.
    dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
    assert dialog.value_text.text() == "" and not dialog.save_button.isEnabled()
    dialog.value_text.setText("教师")  # (QTest cannot type Chinese)
    assert not dialog.save_button.isEnabled()
    dialog.value_text.setText("律师")
    assert dialog.save_button.isEnabled() and dialog.values()["new_value"] == "律师"

    # The change took effect today unless the user says otherwise, never in the future.
    assert dialog.effective.date().toPython() == dt.date.today()
    assert dialog.effective.maximumDate().toPython() == dt.date.today()
    assert dialog.values()["source"] == "call"
