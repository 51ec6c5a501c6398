"""The two small dialogs behind the brief's buttons: choosing another purpose than the
suggested one (with a note why), and logging a call from the customer page, for a suggestion
or any other (purpose, channel, outcome, what they said, when to call again)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

from models.codes import PURPOSES
from services.contacts import calls
from services.customers.suggest_decisions import NOTE_MAX
from services.customers.suggest_rules_en import rule_name
from ui.labels import label, language
from ui.widgets import MomentField, date_edit

NEXT_DAYS = 7  # a follow-up date proposed a week on, as the follow-up workspace's "+7"


class ChangePurposeDialog(QDialog):
    """`values()`: (purpose, note) — another purpose than the suggested one."""

    def __init__(self, suggested: str, rule: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Use another purpose"))
        self.purpose = QComboBox()
        for code in PURPOSES:
            if code != suggested:
                self.purpose.addItem(label("purpose", code), code)
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setPlaceholderText(self.tr("Why, e.g. the customer is free only next month"))
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(QLabel(self.tr("Suggested: %1 (rule “%2”)").replace(
            "%1", label("purpose", suggested)).replace("%2", rule_name(rule, language()))))
        form.addRow(self.tr("&Purpose"), self.purpose)
        form.addRow(self.tr("&Note"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.setMinimumWidth(420)

    def values(self) -> tuple[str, str | None]:
        return self.purpose.currentData(), self.note.text().strip() or None


class LogCallDialog(QDialog):
    """A call (or WeChat conversation, or talk on a visit) logged from the customer page:
    `result_of_call()`, `purpose()` and `channel()` are what to record. `purpose` is the one
    proposed (an accepted suggestion's, or a call back's); staff may choose another."""

    def __init__(self, name: str, purpose: str, talking_points: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log the call: %1").replace("%1", name))
        points = QLabel(talking_points)
        points.setWordWrap(True)
        points.setStyleSheet("color: #555;")
        points.setVisible(bool(talking_points))
        self.purpose_box = QComboBox()
        for code in PURPOSES:
            self.purpose_box.addItem(label("purpose", code), code)
        self.purpose_box.setCurrentIndex(max(0, self.purpose_box.findData(purpose)))
        self.channel_box = QComboBox()
        for code in calls.CONVERSATION_CHANNELS:
            self.channel_box.addItem(label("channel", code), code)
        # No outcome until one is chosen: an Enter pressed too soon saved a call as reached.
        self.outcome = QComboBox()
        for code in calls.CALL_OUTCOMES:
            self.outcome.addItem(label("outcome", code), code)
        self.outcome.setPlaceholderText(self.tr("Choose what came of it"))
        self.outcome.setCurrentIndex(-1)
        self.when = MomentField()
        self.when.setToolTip(self.tr("When it happened: now, or the day and time it did when "
                                     "typing it up later"))
        self.feedback = QPlainTextEdit()
        self.feedback.setPlaceholderText(self.tr("What did they say?"))
        self.feedback.setTabChangesFocus(True)
        self.feedback.setMaximumHeight(80)
        self.has_next = QCheckBox(self.tr("Call again on"))
        self.next_date = date_edit()
        self.next_date.setMinimumDate(QDate.currentDate())
        self.next_date.setDate(QDate.currentDate().addDays(NEXT_DAYS))
        self.next_date.dateChanged.connect(lambda _d: self.has_next.setChecked(True))
        next_row = QHBoxLayout()
        next_row.addWidget(self.has_next)
        next_row.addWidget(self.next_date)
        next_row.addStretch(1)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(points)
        form.addRow(self.tr("&Purpose"), self.purpose_box)
        form.addRow(self.tr("&Channel"), self.channel_box)
        form.addRow(self.tr("&Outcome"), self.outcome)
        form.addRow(self.tr("&When"), self.when)
        form.addRow(self.tr("&Feedback"), self.feedback)
        form.addRow(self.tr("Next follow-up"), next_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(False)
        self.outcome.currentIndexChanged.connect(lambda i: save.setEnabled(i >= 0))
        form.addRow(self.buttons)
        self.setMinimumWidth(480)
        self.outcome.setFocus()

    def accept(self) -> None:
        if self.outcome.currentIndex() >= 0:  # Enter reaches here with Save disabled too
            super().accept()

    def result_of_call(self) -> calls.CallResult:
        day: dt.date = self.next_date.date().toPython()  # type: ignore[assignment]
        return calls.CallResult(
            outcome=self.outcome.currentData(),
            feedback=self.feedback.toPlainText().strip() or None,
            next_follow_up=day if self.has_next.isChecked() else None,
        )

    def purpose(self) -> str:
        return self.purpose_box.currentData()

    def channel(self) -> str:
        return self.channel_box.currentData()
