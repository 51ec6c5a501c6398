"""The SMS vendor file of the message being typed, before it is written: the first messages as
they will be sent with their length and billed parts, how many messages and parts in all and
what they cost at the price per part in the settings, who is left out and why, and characters a
vendor may reject. Counted off the GUI thread (services/outputs/sms_preview.py) a moment after
typing stops."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.outputs import sms, sms_preview
from services.outputs.sms_preview import SmsEstimate
from services.outputs.types import ListMember
from services.store.settings import Settings
from ui.tasks import TaskRunner, error_text

SHOWN = 10  # messages listed: the first of every kind a short template makes
TYPING_PAUSE_MS = 400
COL_WHO, COL_MESSAGE, COL_LENGTH, COL_PARTS, COL_NOTE = range(5)
WARNING_STYLE = "QLabel#smsWarnings { color: #a61b1b; }"


class SmsPreviewPanel(QWidget):
    """`updated` is emitted whenever an estimate, or why there is none, is on screen."""

    updated = Signal()

    def __init__(self, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.members: Sequence[ListMember] = ()
        self.settings = Settings()
        self.text = ""
        self.estimate: SmsEstimate | None = None
        self.problem = ""  # why there is no estimate (a bad template, nobody on SMS)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = QLabel()
        self.warnings.setObjectName("smsWarnings")
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([
            self.tr("Who"), self.tr("Message as sent"), self.tr("Characters"),
            self.tr("Parts"), self.tr("Note")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        # The message wraps in its cell; the whole of it is in the tooltip too.
        self.table.setProperty("elidedColumns", [COL_MESSAGE])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.table, 1)

    def set_members(self, members: Sequence[ListMember], settings: Settings, text: str) -> None:
        """A run's SMS members (none: nobody on SMS) and the settings; counted at once."""
        self.members, self.settings, self.text = members, settings, text
        self.refresh()

    def set_text(self, text: str) -> None:
        """The message changed: counted again once typing pauses."""
        self.text = text
        self.timer.start()

    def refresh(self) -> None:
        self.timer.stop()
        members, settings, text = self.members, self.settings, self.text.strip()
        if not members:
            self._show_problem(self.tr("Nobody in this list is to be sent an SMS."))
            return
        if not text:
            self._show_problem(self.tr("Type the message to see how it will be sent."))
            return
        self.runner.run(
            lambda _p, _c: sms_preview.estimate_with_settings(members, text, settings,
                                                              first=SHOWN),
            on_done=self._show,
            on_failed=lambda exc: self._show_problem(error_text(exc)),
            latest=f"sms-preview-{id(self)}",
            parent_widget=self,
            label=self.tr("Counting the SMS"),
        )

    # --- showing ---------------------------------------------------------------------------
    def _show_problem(self, text: str) -> None:
        self.estimate, self.problem = None, text
        self.summary.clear()
        self.warnings.setText(text)
        self.table.setRowCount(0)
        self.updated.emit()

    def _show(self, e: SmsEstimate) -> None:
        self.estimate, self.problem = e, ""
        self.summary.setText(self.summary_text(e))
        self.warnings.setText("\n".join(self.warning_lines(e)))
        self.table.setRowCount(len(e.first))
        for i, m in enumerate(e.first):
            note = (self.tr("May be rejected: %1").replace("%1", m.flagged) if m.flagged
                    else "")
            cells = (f"{m.row_code} {m.name}", m.message, str(m.length), str(m.parts), note)
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col in (COL_LENGTH, COL_PARTS):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if col == COL_MESSAGE:
                    item.setToolTip(value)
                self.table.setItem(i, col, item)
        self.table.resizeRowsToContents()
        self.updated.emit()

    def summary_text(self, e: SmsEstimate) -> str:
        """Messages, parts and cost, then parts per message: what the confirmation repeats."""
        locale = QLocale()
        lines = [self.tr("%1 messages, %2 billed parts: about ¥%3 at ¥%4 per part")
                 .replace("%1", locale.toString(e.messages))
                 .replace("%2", locale.toString(e.parts))
                 .replace("%3", f"{e.cost:,}").replace("%4", str(e.price_per_part))]
        if e.by_parts:
            lines.append(self.tr("Parts per message: %1; the longest is %2 characters")
                         .replace("%1", ", ".join(
                             self.tr("%1 × %2").replace("%1", str(p))
                             .replace("%2", locale.toString(n)) for p, n in e.by_parts))
                         .replace("%2", str(e.longest)))
        return "\n".join(lines)

    def warning_lines(self, e: SmsEstimate) -> list[str]:
        """Who is left out and why, flagged characters, messages too long to send."""
        locale = QLocale()
        lines = []
        if e.missing_fields:
            fields = ", ".join(f"{{{f}}} × {locale.toString(n)}" for f, n in e.missing_by_field)
            lines.append(self.tr("%n member(s) left out for a merge field without a value "
                                 "(缺少合并字段): %1. Give the field a fallback such as "
                                 "{车型|您的爱车} to include them.", "", e.missing_fields)
                         .replace("%1", fields))
        if e.invalid_mobiles:
            lines.append(self.tr("%n member(s) left out: not a mainland mobile number.", "",
                                 e.invalid_mobiles))
        if e.same_number:
            lines.append(self.tr("%n member(s) left out: the same number as another member "
                                 "(one SMS per number).", "", e.same_number))
        if e.flagged_messages:
            lines.append(self.tr("%n message(s) hold characters a vendor may reject or send "
                                 "as “?”: %1", "", e.flagged_messages)
                         .replace("%1", e.flagged_chars))
        if e.too_long:
            lines.append(self.tr("%n message(s) are longer than %1 characters: the file "
                                 "cannot be written; shorten the message.", "", e.too_long)
                         .replace("%1", str(sms.MAX_LENGTH)))
        return lines
