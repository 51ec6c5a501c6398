"""My follow-ups: a caller works through today's calls customer by customer, keyboard only —
Alt+1…6 picks the outcome, type what they said, Ctrl+Enter saves and opens the next."""

from __future__ import annotations

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.profile import PROFILE_ATTRIBUTES
from services import calls
from services.database import Database
from ui.labels import choices, label
from ui.tasks import TaskRunner
from ui.views.customer_page import fmt
from ui.widgets import date_edit

NEXT_DAYS = (("", 0), ("+3", 3), ("+7", 7), ("+14", 14), ("+30", 30))


def _best_time(codes: str) -> str:
    """'weekday,evening' -> translated labels; an hour range passes through."""
    parts = []
    for code in codes.split(","):
        text = label("preferred_days", code)
        parts.append(label("time_window", code) if text == code else text)
    return "、".join(parts)


class FollowUpView(QWidget):
    call_saved = Signal(int)  # customer id

    def __init__(self, database: Database, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self._calls: list[calls.DueCall] = []
        self.caller = QComboBox()
        self.caller.setToolTip(self.tr("Whose calls to show; remembered on this PC"))
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.count = QLabel()
        self.queue = QListWidget()
        self.queue.setAlternatingRowColors(True)

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcomes = QButtonGroup(self)
        outcome_box = QGridLayout()
        for n, code in enumerate(calls.CALL_OUTCOMES):
            button = QRadioButton(f"{n + 1} {label('outcome', code)}")
            button.setProperty("code", code)
            button.setToolTip(f"Alt+{n + 1}")
            # An explicit shortcut rather than a "&1" mnemonic: it works whichever field has
            # the focus (typing the feedback, say).
            QShortcut(QKeySequence(f"Alt+{n + 1}"), self, button.click)
            self.outcomes.addButton(button, n)
            outcome_box.addWidget(button, n // 3, n % 3)
        self.feedback = QPlainTextEdit()
        self.feedback.setPlaceholderText(self.tr("What did they say? e.g. 刚结婚，想换个大点的车"))
        self.feedback.setTabChangesFocus(True)
        self.feedback.setMaximumHeight(90)
        self.next_date = date_edit()
        self.has_next = QCheckBox(self.tr("Call again on"))
        self.has_next.toggled.connect(self.next_date.setEnabled)
        next_row = QHBoxLayout()
        next_row.addWidget(self.has_next)
        next_row.addWidget(self.next_date)
        for text, days in NEXT_DAYS[1:]:
            quick = QPushButton(self.tr("%1 days").replace("%1", text))
            quick.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            quick.clicked.connect(lambda _c=False, d=days: self._set_next_in(d))
            next_row.addWidget(quick)
        self.km = QSpinBox()
        self.km.setRange(0, 2_000_000)
        self.km.setSingleStep(1000)
        self.km.setSpecialValueText(self.tr("not asked"))
        self.km.setSuffix(" km")
        self.attribute = QComboBox()
        self.attribute.addItem(self.tr("no change"), None)
        for attribute in PROFILE_ATTRIBUTES:
            if attribute != "lifecycle_stage":
                self.attribute.addItem(label("attribute", attribute), attribute)
        self.value = QComboBox()
        self.value.setEditable(False)
        self.attribute.currentIndexChanged.connect(self._on_attribute_changed)
        self.save_button = QPushButton(self.tr("Save and next (Ctrl+Enter)"))
        self.save_button.setDefault(True)

        form = QFormLayout()
        form.addRow(self.tr("Outcome"), outcome_box)
        form.addRow(self.tr("&Feedback"), self.feedback)
        form.addRow(self.tr("Next follow-up"), next_row)
        form.addRow(self.tr("&Km now"), self.km)
        change_row = QHBoxLayout()
        change_row.addWidget(self.attribute)
        change_row.addWidget(self.value, 1)
        change_label = QLabel(self.tr("&Profile change"))
        change_label.setBuddy(self.attribute)
        form.addRow(change_label, change_row)
        card = QWidget()
        card_layout = QVBoxLayout(card)
        card_layout.addWidget(self.title)
        card_layout.addWidget(self.summary)
        card_layout.addLayout(form)
        card_layout.addWidget(self.save_button)
        card_layout.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Caller:")))
        top.addWidget(self.caller)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue)
        splitter.addWidget(card)
        splitter.setSizes([380, 820])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.caller.currentIndexChanged.connect(self._on_caller_changed)
        self.queue.currentRowChanged.connect(self._on_queue_row_changed)
        self.save_button.clicked.connect(self.save_current)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save_current)
        self._load_staff()

    # --- the queue ---------------------------------------------------------------------
    def _load_staff(self) -> None:
        remembered = QSettings().value("followups/caller")
        self.caller.blockSignals(True)
        for staff in calls.staff_list(self.database.sessions):
            self.caller.addItem(staff.display_name, staff.id)
        index = self.caller.findData(int(remembered)) if remembered is not None else -1
        self.caller.setCurrentIndex(max(index, 0))
        self.caller.blockSignals(False)
        self.refresh()

    def _on_caller_changed(self) -> None:
        QSettings().setValue("followups/caller", self.caller.currentData())
        self.refresh()

    def refresh(self) -> None:
        staff_id = self.caller.currentData()
        if staff_id is None:
            self._show_queue([])
            return
        self.runner.run(
            lambda _p, _c: calls.due_calls(self.database.sessions, staff_id),
            on_done=self._show_queue,
            latest="follow-up-queue",
            parent_widget=self,
            label=self.tr("Loading calls"),
        )

    def _show_queue(self, due: list[calls.DueCall]) -> None:
        self._calls = list(due)
        self.queue.clear()
        for call in self._calls:
            code = f"[{call.row_code}] " if call.row_code else ""
            when = fmt(call.due) if call.due else label("purpose", call.purpose)
            item = QListWidgetItem(
                f"{code}{call.name}  {call.mobile or ''}\n{call.vehicle}  ·  {when}"
            )
            self.queue.addItem(item)
        self.count.setText(self.tr("%n call(s) to make", "", len(self._calls)))
        if self._calls:
            self.queue.setCurrentRow(0)
        else:
            self._show_call(None)

    def _on_queue_row_changed(self, row: int) -> None:
        self._show_call(self._calls[row] if 0 <= row < len(self._calls) else None)

    # --- one call ----------------------------------------------------------------------
    def _show_call(self, call: calls.DueCall | None) -> None:
        self.save_button.setEnabled(call is not None)
        self.outcomes.setExclusive(False)
        for button in self.outcomes.buttons():
            button.setChecked(False)
        self.outcomes.setExclusive(True)
        self.feedback.clear()
        self.km.setValue(0)
        self.attribute.setCurrentIndex(0)
        self.has_next.setChecked(False)
        self.next_date.setEnabled(False)
        self.next_date.setMinimumDate(QDate.currentDate())
        self.next_date.setDate(QDate.currentDate().addDays(7))
        if call is None:
            self.title.setText(self.tr("No calls due. Well done."))
            self.summary.clear()
            return
        no_mobile = self.tr("no mobile")
        self.title.setText(f"{call.name}   {call.mobile or no_mobile}")
        facts = [
            call.vehicle,
            call.best_time and self.tr("best time: %1").replace("%1", _best_time(call.best_time)),
            label("purpose", call.purpose),
            call.attempts and self.tr("attempt %1").replace("%1", str(call.attempts + 1)),
        ]
        if call.last_contact:
            said = f"：{call.last_feedback}" if call.last_feedback else ""
            facts.append(self.tr("last contact %1").replace("%1", fmt(call.last_contact)) + said)
        self.summary.setText("  ·  ".join(str(f) for f in facts if f))
        self.outcomes.buttons()[0].setFocus()

    def _set_next_in(self, days: int) -> None:
        self.has_next.setChecked(True)
        self.next_date.setDate(QDate.currentDate().addDays(days))

    def _on_attribute_changed(self) -> None:
        attribute = self.attribute.currentData()
        self.value.clear()
        allowed = PROFILE_ATTRIBUTES.get(attribute) if attribute else None
        self.value.setEditable(attribute is not None and allowed is None)
        if allowed:
            for code, text in choices(attribute) or [(c, c) for c in allowed]:
                self.value.addItem(text, code)

    def current_call(self) -> calls.DueCall | None:
        row = self.queue.currentRow()
        return self._calls[row] if 0 <= row < len(self._calls) else None

    def result(self) -> calls.CallResult | None:
        checked = self.outcomes.checkedButton()
        if checked is None:
            return None
        call = self.current_call()
        changes: tuple[tuple[str, str], ...] = ()
        attribute = self.attribute.currentData()
        if attribute is not None:
            value = self.value.currentData() or self.value.currentText().strip()
            if value:
                changes = ((attribute, value),)
        next_date = None
        if self.has_next.isChecked():
            next_date = self.next_date.date().toPython()
        return calls.CallResult(
            outcome=checked.property("code"),
            feedback=self.feedback.toPlainText().strip() or None,
            next_follow_up=next_date,
            km=self.km.value() or None,
            vehicle_id=call.vehicle_id if call else None,
            profile_changes=changes,
        )

    def save_current(self) -> None:
        call = self.current_call()
        if call is None:
            return
        result = self.result()
        if result is None:
            self.title.setText(self.tr("Pick an outcome first (Alt+1 … Alt+6)"))
            self.outcomes.buttons()[0].setFocus()
            return
        if result.km and result.vehicle_id is None:
            result = calls.CallResult(
                **{**result.__dict__, "vehicle_id": self._newest_vehicle(call)}
            )
        staff_id = self.caller.currentData()
        row = self.queue.currentRow()
        self.runner.run(
            lambda _p, _c: calls.record_call(
                self.database.sessions,
                call.customer_id,
                staff_id,
                result,
                purpose=call.purpose,
                member_id=call.member_id,
            ),
            on_done=lambda _r: self._after_save(row, call.customer_id),
            parent_widget=self,
            label=self.tr("Saving call"),
            write=True,
        )

    def _newest_vehicle(self, call: calls.DueCall) -> int | None:
        from services.customer_detail import load

        vehicles = [v for v in load(self.database.sessions, call.customer_id).vehicles if v.active]
        return vehicles[-1].id if vehicles else None

    def _after_save(self, row: int, customer_id: int) -> None:
        if 0 <= row < len(self._calls) and self._calls[row].customer_id == customer_id:
            del self._calls[row]
            self.queue.takeItem(row)
        self.count.setText(self.tr("%n call(s) to make", "", len(self._calls)))
        self.call_saved.emit(customer_id)
        if self._calls:
            self.queue.setCurrentRow(min(row, len(self._calls) - 1))
        else:
            self._show_call(None)
