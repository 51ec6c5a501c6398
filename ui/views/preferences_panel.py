"""The customer page's preferences tab, edited in place: channels in order, days and times,
marketing consent (with history) and do-not-contact entries (added and lifted, never deleted)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.codes import CHANNELS, TIME_WINDOWS
from services.customers import preferences
from services.customers.detail import CustomerDetail
from services.staff.permissions import Actor
from services.store.database import Database
from services.store.errors import StaleEdit
from ui import tasks
from ui.dialogs import stale_edit
from ui.dialogs.refusal_dialog import (  # noqa: F401 - their home before they had a module
    PURPOSE_HINTS,
    RefusalDialog,
    purpose_hint,
)
from ui.dialogs.save_again import edit_and_save
from ui.labels import choices, label, language
from ui.tasks import TaskRunner, changed
from ui.views.customer_page import fill_table, fmt, make_table
from ui.widgets import date_edit


def _by(day: dt.date | None, who: str | None, why: str | None = None) -> str:
    """A day with who acted on it and why: "2026-12-01 王主管：客户同意接收"."""
    if day is None:
        return ""
    text = " ".join(p for p in (fmt(day), who) if p)
    return f"{text}{'：' if language() == 'zh' else ': '}{why}" if why else text


class PreferencesPanel(QWidget):
    """Emits `changed(customer_id)` after every stored edit so the page reloads.

    Every edit names what it is based on: the preferences' version, the latest consent event
    and each entry's version, as shown (or as the panel's own last save left them). A save
    someone else overtook is refused; the panel then offers to reload the customer."""

    changed = Signal(int)

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor  # who makes the edits (None: nobody signed in, as in some tests)
        self.detail: CustomerDetail | None = None
        self._previous: dict | None = None
        self._undo_version = 0  # the version the last save stored: what an undo is based on
        self._pref_version = 0
        self._consent_marker = 0
        self._refusal_versions: list[int] = []
        self.channels = QListWidget()
        self.channels.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.channels.setMaximumHeight(120)
        self.channels.setToolTip(self.tr("Tick the channels they accept; drag to put the "
                                         "favourite first"))
        self.days = QComboBox()
        for code, text in choices("preferred_days"):
            self.days.addItem(text, code)
        self.windows = {code: QCheckBox(label("time_window", code)) for code in TIME_WINDOWS}
        windows_row = QHBoxLayout()
        for box in self.windows.values():
            windows_row.addWidget(box)
        self.use_hours = QCheckBox(self.tr("Only between"))
        self.hour_from = QSpinBox()
        self.hour_to = QSpinBox()
        for spin in (self.hour_from, self.hour_to):
            spin.setRange(0, 24)
            spin.setSuffix(":00")
            spin.setEnabled(False)
            self.use_hours.toggled.connect(spin.setEnabled)
        hours_row = QHBoxLayout()
        hours_row.addWidget(self.use_hours)
        hours_row.addWidget(self.hour_from)
        hours_row.addWidget(QLabel("–"))
        hours_row.addWidget(self.hour_to)
        hours_row.addStretch(1)
        self.language = QComboBox()
        for code, text in choices("language"):
            self.language.addItem(text, code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("e.g. no calls at noon"))
        self.save_button = QPushButton(self.tr("&Save preferences"))
        self.undo_button = QPushButton(self.tr("&Undo last save"))
        self._set_undo(None)
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.undo)
        prefs = QGroupBox(self.tr("How and when to reach them"))
        form = QFormLayout(prefs)
        form.addRow(self.tr("Channels"), self.channels)
        form.addRow(self.tr("Days"), self.days)
        form.addRow(self.tr("Times"), windows_row)
        form.addRow("", hours_row)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Note"), self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        form.addRow(buttons)

        self.consent_state = QLabel()
        self.consent_date = date_edit()
        self.consent_source = QComboBox()
        for code in ("call", "visit", "form", "manual"):
            self.consent_source.addItem(label("source", code), code)
        self.give = QPushButton(self.tr("Consent &given"))
        self.withdraw = QPushButton(self.tr("Consent &withdrawn"))
        self.give.clicked.connect(lambda: self.record_consent(True))
        self.withdraw.clicked.connect(lambda: self.record_consent(False))
        consent = QGroupBox(self.tr("Marketing consent (PIPL)"))
        consent_layout = QVBoxLayout(consent)
        consent_layout.addWidget(self.consent_state)  # what holds now, on a line of its own
        record = QHBoxLayout()
        for w in (QLabel(self.tr("on")), self.consent_date, self.consent_source, self.give,
                  self.withdraw):
            record.addWidget(w)
        record.addStretch(1)
        consent_layout.addLayout(record)

        self.refusals = make_table(
            [self.tr("Channel"), self.tr("Purpose"), self.tr("Reason"), self.tr("Set on"),
             self.tr("Ends"), self.tr("Lifted"), self.tr("In force")]
        )
        self.refusals.setWordWrap(True)
        self.add_refusal_button = QPushButton(self.tr("&Add do-not-contact…"))
        self.lift_button = QPushButton(self.tr("&Lift selected…"))
        self.add_refusal_button.clicked.connect(self._on_add_refusal)
        self.lift_button.clicked.connect(self._on_lift)
        refusals = QGroupBox(self.tr("Do not contact (kept with its history)"))
        refusals_layout = QVBoxLayout(refusals)
        refusals_layout.addWidget(self.refusals)
        row = QHBoxLayout()
        row.addWidget(self.add_refusal_button)
        row.addWidget(self.lift_button)
        row.addStretch(1)
        refusals_layout.addLayout(row)

        layout = QVBoxLayout(self)
        layout.addWidget(prefs)
        layout.addWidget(consent)
        layout.addWidget(refusals, 1)
        self.show_detail(None)

    # --- showing -------------------------------------------------------------------------
    def show_detail(self, detail: CustomerDetail | None) -> None:
        if detail is None or self.detail is None or detail.id != self.detail.id:
            # Undo belongs to the customer it was saved for; a reload of the same one keeps it.
            self._set_undo(None)
        self.detail = detail
        self.setEnabled(detail is not None)
        self._pref_version = detail.preferences_version if detail else 0
        self._consent_marker = detail.consent_marker if detail else 0
        pref = detail.preferences if detail else None
        order = list(pref.channel_order) if pref else []
        self.channels.clear()
        for code in order + [c for c in CHANNELS if c not in order]:
            item = QListWidgetItem(label("channel", code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in order else
                               Qt.CheckState.Unchecked)
            self.channels.addItem(item)
        self.days.setCurrentIndex(max(0, self.days.findData(pref.preferred_days if pref
                                                            else "any")))
        for code, box in self.windows.items():
            box.setChecked(bool(pref and code in pref.time_windows))
        has_hours = bool(pref and pref.hour_from is not None)
        self.use_hours.setChecked(has_hours)
        self.hour_from.setValue(pref.hour_from if has_hours else 12)
        self.hour_to.setValue(pref.hour_to if has_hours else 14)
        self.language.setCurrentIndex(max(0, self.language.findData(pref.language if pref
                                                                    else "zh")))
        self.note.setText(pref.note or "" if pref else "")
        if detail is None:
            self.consent_state.clear()
            self.refusals.setRowCount(0)
            return
        last = detail.consents[-1] if detail.consents else None
        self.consent_state.setText(
            self.tr("Not asked yet") if last is None else
            (self.tr("Given on %1") if last.granted else self.tr("Withdrawn on %1"))
            .replace("%1", last.date.isoformat())
        )
        today = dt.date.today()
        self._refusal_ids = [r.id for r in detail.refusals]
        self._refusal_versions = [r.version for r in detail.refusals]
        fill_table(self.refusals, [
            [label("channel", r.channel) if r.channel else self.tr("All channels"),
             label("purpose", r.purpose) if r.purpose else self.tr("All purposes"),
             r.reason, _by(r.set_on, r.set_by), r.expires_on,
             _by(r.lifted_on, r.lifted_by, r.lift_reason), r.active_on(today)]
            for r in detail.refusals
        ])

    def values(self) -> dict:
        order = [self.channels.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.channels.count())
                 if self.channels.item(i).checkState() == Qt.CheckState.Checked]
        hours = self.use_hours.isChecked()
        return {
            "channel_order": order,
            "preferred_days": self.days.currentData(),
            "time_windows": [c for c, box in self.windows.items() if box.isChecked()],
            "hour_from": self.hour_from.value() if hours else None,
            "hour_to": self.hour_to.value() if hours else None,
            "language": self.language.currentData(),
            "note": self.note.text(),
        }

    def _stored_values(self) -> dict | None:
        pref = self.detail.preferences if self.detail else None
        if pref is None:
            return None
        return {"channel_order": list(pref.channel_order), "preferred_days": pref.preferred_days,
                "time_windows": list(pref.time_windows), "hour_from": pref.hour_from,
                "hour_to": pref.hour_to, "language": pref.language, "note": pref.note}

    # --- storing -------------------------------------------------------------------------
    @property
    def _staff_id(self) -> int | None:
        return self.actor.id if self.actor is not None else None

    def _run(self, work, label_text: str, notice: str, on_done=None, on_failed=None,
             customer_id: int | None = None) -> None:
        """One write for the shown customer (or `customer_id`, the one a dialog was opened
        for): `changed` for the page, `data_changed` for every other panel, and a short
        confirmation in the status bar. `on_done(result)` runs first. A stale edit offers to
        reload the customer; `on_failed` replaces that."""
        if customer_id is None:
            customer_id = self.detail.id

        def done(result) -> None:
            if on_done is not None:
                on_done(result)
            self.changed.emit(customer_id)

        self.runner.run(work, on_done=done, parent_widget=self, label=label_text, write=True,
                        changes=changed("preferences", customer=customer_id),
                        done_notice=notice,
                        on_failed=on_failed or stale_edit.on_failed(
                            self, lambda: self.reload(customer_id)))

    def reload(self, customer_id: int) -> None:
        """Show the customer as stored now: whoever shows it (the customers view) reloads it,
        this panel with it; what was typed here and not saved is dropped."""
        self._set_undo(None)
        self.runner.announce(changed("preferences", customer=customer_id))

    def _set_undo(self, previous: dict | None) -> None:
        """`previous`: the values before the last save, {} when none were stated yet, None when
        there is nothing to undo."""
        self._previous = previous
        self.undo_button.setEnabled(previous is not None)
        if previous is not None:
            tip = self.tr("Put the preferences back as they were before the last save")
        else:
            tip = self.tr("Available after you save preferences")
        self.undo_button.setToolTip(tip)

    def save(self, values: dict | None = None) -> None:
        if self.detail is None:
            return
        previous = self._stored_values()
        values = values or self.values()
        customer_id, version, staff_id = self.detail.id, self._pref_version, self._staff_id
        self._run(lambda _p, _c: preferences.set_preferences(
            self.database.sessions, customer_id, **values, staff_id=staff_id,
            expected_version=version),
            self.tr("Saving preferences"), self.tr("Preferences saved"),
            on_done=lambda stored: self._on_saved(customer_id, previous, stored))

    def _on_saved(self, customer_id: int, previous: dict | None, version: int) -> None:
        # Only for the customer still shown: undo must never write one customer's values to
        # another's.
        if self.detail is not None and self.detail.id == customer_id:
            self._pref_version = self._undo_version = version
            self._set_undo(previous if previous is not None else {})

    def undo(self) -> None:
        if self._previous is not None and self.detail is not None:
            values = self._previous
            self._set_undo(None)
            customer_id, version, staff_id = self.detail.id, self._undo_version, self._staff_id

            def work(_p, _c):
                sessions = self.database.sessions
                if not values:  # they had stated nothing before
                    preferences.clear_preferences(sessions, customer_id, staff_id=staff_id,
                                                  expected_version=version)
                    return 0
                return preferences.set_preferences(sessions, customer_id, **values,
                                                   staff_id=staff_id, expected_version=version)

            def undone(stored: int) -> None:
                if self.detail is not None and self.detail.id == customer_id:
                    self._pref_version = stored

            self._run(work, self.tr("Undoing"),
                      self.tr("Preferences put back as before the last save"), on_done=undone)

    def record_consent(self, granted: bool) -> None:
        if self.detail is None:
            return
        customer_id, day = self.detail.id, self.consent_date.date().toPython()
        source, marker, staff_id = (self.consent_source.currentData(), self._consent_marker,
                                    self._staff_id)
        notice = (self.tr("Marketing consent recorded as given on %1") if granted else
                  self.tr("Marketing consent recorded as withdrawn on %1")).replace(
            "%1", day.isoformat())

        def recorded(event_id: int) -> None:
            if self.detail is not None and self.detail.id == customer_id:
                self._consent_marker = event_id

        self._run(lambda _p, _c: preferences.record_consent(
            self.database.sessions, customer_id, granted, event_date=day, source=source,
            staff_id=staff_id, expected_latest=marker),
            self.tr("Saving consent"), notice, on_done=recorded)

    def _on_add_refusal(self) -> None:
        if self.detail is None:
            return
        dialog = RefusalDialog(self)
        customer_id, staff_id = self.detail.id, self._staff_id

        def save(failed) -> None:
            values = dialog.values()
            self._run(lambda _p, _c: preferences.add_refusal(
                self.database.sessions, customer_id, **values, staff_id=staff_id),
                self.tr("Saving do-not-contact"), self.tr("Do-not-contact added"),
                on_failed=failed, customer_id=customer_id)

        edit_and_save(dialog, save)

    def _on_lift(self) -> None:
        row = self.refusals.currentRow()
        if self.detail is None or not 0 <= row < len(self._refusal_ids):
            return
        self._lift(self.detail.id, self._refusal_ids[row], self._refusal_versions[row])

    def _lift(self, customer_id: int, refusal_id: int, version: int, typed: str = "") -> None:
        """Asks why, then lifts; a lift that fails for another reason than a colleague's
        change (the server stopped) asks again with the reason as typed."""
        reason, ok = QInputDialog.getText(self, self.tr("Lift do-not-contact"),
                                          self.tr("Why is it lifted (it stays in the history)?"),
                                          QLineEdit.EchoMode.Normal, typed)
        if not ok:
            return
        answer = QMessageBox.question(self, self.tr("Lift do-not-contact"),
                                      self.tr("Allow contacting this customer again on this "
                                              "channel and purpose from today?"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        staff_id = self._staff_id

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StaleEdit):
                stale_edit.on_failed(self, lambda: self.reload(customer_id))(exc)
            else:
                tasks.show_error(self, exc)
                self._lift(customer_id, refusal_id, version, reason)

        self._run(lambda _p, _c: preferences.lift_refusal(
            self.database.sessions, refusal_id, lifted_on=dt.date.today(), reason=reason,
            staff_id=staff_id, expected_version=version),
            self.tr("Lifting do-not-contact"), self.tr("Do-not-contact lifted"),
            on_failed=failed, customer_id=customer_id)
