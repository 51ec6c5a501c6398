"""The SMS vendor file and the WeChat list of the message being typed, before they are written:
the first messages as they will be sent, how many there are (for SMS with their length, billed
parts and cost at the price per part in the settings, and characters a vendor may reject), and
who is left out and why, naming the members who lack a merge field. Counted off the GUI thread
(services/outputs/sms_preview.py, services/outputs/wechat.py) a moment after typing stops."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.outputs import sms, sms_preview, wechat
from services.outputs.sms_preview import SmsEstimate
from services.outputs.types import ListMember
from services.outputs.wechat import WechatPreview
from services.store.settings import Settings
from ui.labels import joined
from ui.tasks import TaskRunner, error_text

SHOWN = 10  # messages listed: the first of every kind a short template makes
TYPING_PAUSE_MS = 400
COL_WHO, COL_MESSAGE, COL_LENGTH, COL_PARTS, COL_NOTE = range(5)
WARNING_STYLE = "QLabel#previewWarnings { color: #a61b1b; }"


def lacking_lines(lacking: Sequence[sms.Lacking]) -> list[str]:
    """Who is left out for each merge field without a value, by row code and name: the first
    few, then how many more."""
    lines = []
    for x in lacking:
        who = joined(x.named)
        if x.more:
            who += QCoreApplication.translate("MessagePreview", " … and %n more", "", x.more)
        lines.append(QCoreApplication.translate("MessagePreview",
                                                "No value for {%1}: %2")
                     .replace("%1", x.field).replace("%2", who))
    return lines


class MessagePreview(QWidget):
    """What both previews share: the members and settings, the text counted again once typing
    pauses (only the latest count is shown), a summary, warnings in red and the first messages
    in a table. `updated` is emitted whenever a count, or why there is none, is on screen."""

    updated = Signal()
    numeric_columns: tuple[int, ...] = ()  # right-aligned

    def __init__(self, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.members: Sequence[ListMember] = ()
        self.settings = Settings()
        self.text = ""
        self.estimate: Any = None  # what was counted: SmsEstimate or WechatPreview
        self.problem = ""  # why there is no count (a bad message, nobody of the channel)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = QLabel()
        self.warnings.setObjectName("previewWarnings")
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        headers = self.headers()
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
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
        """A run's members of the channel (none: nobody on it) and the settings; counted at
        once."""
        self.members, self.settings, self.text = members, settings, text
        self.refresh()

    def set_text(self, text: str) -> None:
        """The message changed: counted again once typing pauses."""
        self.text = text
        self.timer.start()

    def refresh(self) -> None:
        self.timer.stop()
        members, settings, text = self.members, self.settings, self.text.strip()
        problem = self.problem_before_counting(bool(members), text)
        if problem:
            self._show_problem(problem)
            return
        count = self.counter(members, text, settings)
        self.runner.run(
            lambda _p, _c: count(),
            on_done=self._show,
            on_failed=lambda exc: self._show_problem(error_text(exc)),
            latest=f"message-preview-{id(self)}",
            parent_widget=self,
            label=self.counting_label(),
        )

    # --- what each preview says and counts ---------------------------------------------------
    def headers(self) -> list[str]:
        """The table's column titles; the message is column COL_MESSAGE."""
        raise NotImplementedError

    def problem_before_counting(self, has_members: bool, text: str) -> str:
        raise NotImplementedError

    def counter(self, members: Sequence[ListMember], text: str,
                settings: Settings) -> Callable[[], Any]:
        """The count to make off the GUI thread (plain Python, no widgets)."""
        raise NotImplementedError

    def counting_label(self) -> str:
        raise NotImplementedError

    def summary_text(self, e: Any) -> str:
        raise NotImplementedError

    def warning_lines(self, e: Any) -> list[str]:
        raise NotImplementedError

    def rows(self, e: Any) -> list[tuple[str, ...]]:
        """The table's cells, one tuple a message."""
        raise NotImplementedError

    # --- showing ---------------------------------------------------------------------------
    def _show_problem(self, text: str) -> None:
        self.estimate, self.problem = None, text
        self.summary.clear()
        self.warnings.setText(text)
        self.table.setRowCount(0)
        self.updated.emit()

    def _show(self, e: Any) -> None:
        self.estimate, self.problem = e, ""
        self.summary.setText(self.summary_text(e))
        self.warnings.setText("\n".join(self.warning_lines(e)))
        rows = self.rows(e)
        self.table.setRowCount(len(rows))
        for i, cells in enumerate(rows):
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col in self.numeric_columns:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if col == COL_MESSAGE:
                    item.setToolTip(value)
                self.table.setItem(i, col, item)
        self.table.resizeRowsToContents()
        self.updated.emit()


class SmsPreviewPanel(MessagePreview):
    """The SMS vendor file of the message being typed."""

    numeric_columns = (COL_LENGTH, COL_PARTS)

    def headers(self) -> list[str]:
        return [self.tr("Who"), self.tr("Message as sent"), self.tr("Characters"),
                self.tr("Parts"), self.tr("Note")]

    def problem_before_counting(self, has_members: bool, text: str) -> str:
        if not has_members:
            return self.tr("Nobody in this list is to be sent an SMS.")
        return "" if text else self.tr("Type the message to see how it will be sent.")

    def counter(self, members: Sequence[ListMember], text: str,
                settings: Settings) -> Callable[[], SmsEstimate]:
        return lambda: sms_preview.estimate_with_settings(members, text, settings, first=SHOWN)

    def counting_label(self) -> str:
        return self.tr("Counting the SMS")

    def rows(self, e: SmsEstimate) -> list[tuple[str, ...]]:
        return [(f"{m.row_code} {m.name}", m.message, str(m.length), str(m.parts),
                 self.tr("May be rejected: %1").replace("%1", sms.visible(m.flagged))
                 if m.flagged else "") for m in e.first]

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
            lines.append(self.tr("%n member(s) left out for a merge field without a value: "
                                 "%1. Give the field a fallback such as "
                                 "{车型|您的爱车} to include them.", "", e.missing_fields)
                         .replace("%1", fields))
            lines += lacking_lines(e.lacking)
        if e.invalid_mobiles:
            lines.append(self.tr("%n member(s) left out: not a mainland mobile number.", "",
                                 e.invalid_mobiles))
        if e.same_number:
            lines.append(self.tr("%n member(s) left out: the same number as another member "
                                 "(one SMS per number).", "", e.same_number))
        if e.flagged_messages:
            lines.append(self.tr("%n message(s) hold characters a vendor may reject or send "
                                 "as “?”: %1", "", e.flagged_messages)
                         .replace("%1", sms.visible(e.flagged_chars)))
        if e.too_long:
            lines.append(self.tr("%n message(s) are longer than %1 characters: the file "
                                 "cannot be written; shorten the message.", "", e.too_long)
                         .replace("%1", str(sms.MAX_LENGTH)))
        return lines


class WechatPreviewPanel(MessagePreview):
    """The WeChat list of the message being typed (an empty message: the default greeting)."""

    def headers(self) -> list[str]:
        return [self.tr("Who"), self.tr("Message to paste"), self.tr("WeChat ID")]

    def problem_before_counting(self, has_members: bool, text: str) -> str:
        return "" if has_members else self.tr("Nobody in this list is to get a WeChat message.")

    def counter(self, members: Sequence[ListMember], text: str,
                settings: Settings) -> Callable[[], WechatPreview]:
        return lambda: wechat.preview(members, text, settings.shop_name, first=SHOWN)

    def counting_label(self) -> str:
        return self.tr("Counting the WeChat messages")

    def rows(self, e: WechatPreview) -> list[tuple[str, ...]]:
        return [(f"{r.member.row_code} {r.member.name}", r.message, r.member.wechat_id or "")
                for r in e.first]

    def summary_text(self, e: WechatPreview) -> str:
        return "\n".join((
            self.tr("%n message(s) to paste, one for each WeChat member with a value for every "
                    "merge field.", "", e.messages),
            self.tr("WeChat members in this list: %1").replace("%1",
                                                               QLocale().toString(e.members))))

    def warning_lines(self, e: WechatPreview) -> list[str]:
        if not e.left_out:
            return []
        return [self.tr("%n member(s) left out for a merge field without a value. "
                        "Give the field a fallback such as {车型|您的爱车} to include them.",
                        "", e.left_out), *lacking_lines(e.lacking)]
