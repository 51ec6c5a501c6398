"""The status bar's confirmation line: "Saved", "List written", with an action such as "Open
folder"; it fades after a few seconds and never takes the focus or blocks the work."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.tasks import Notice

SHOW_MS = 6000
SHOW_WITH_ACTIONS_MS = 15000


class NoticeBar(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.text = QLabel()
        self.text.setObjectName("noticeText")
        self.text.setStyleSheet("QLabel#noticeText { color: #1b5e20; font-weight: 600; }")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 0, 4, 0)
        self._layout.addWidget(self.text)
        self._buttons: list[QPushButton] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.clear()

    def show_notice(self, notice: Notice) -> None:
        self.clear()
        self.text.setText("✓ " + notice.text)
        self.text.setToolTip(notice.text)
        for text, action in notice.actions:
            button = QPushButton(text)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing goes on where it was
            button.setFlat(True)
            button.setStyleSheet("QPushButton { color: #0d47a1; text-decoration: underline; }")
            button.clicked.connect(action)
            self._layout.addWidget(button)
            self._buttons.append(button)
        self.setVisible(True)
        self._timer.start(SHOW_WITH_ACTIONS_MS if notice.actions else SHOW_MS)

    def clear(self) -> None:
        self.text.clear()
        for button in self._buttons:
            button.deleteLater()
        self._buttons.clear()
        self.setVisible(False)
