"""A dialog asking for one name (a tag or group, a segment, a saved column mapping), OK only
once something is typed. An object rather than QInputDialog.getText, so that a save failing
after it closed can open the same dialog again as typed (ui/dialogs/save_again.py)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout


class NameDialog(QDialog):
    def __init__(self, title: str, prompt: str, text: str = "", parent=None, *,
                 max_length: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name = QLineEdit(text)
        if max_length is not None:
            self.name.setMaxLength(max_length)
        self.name.selectAll()
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setBuddy(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.ok_button.setEnabled(bool(text.strip()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.name)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)

    def value(self) -> str:
        """The name as typed, spaces around it taken off (the services take them off too)."""
        return self.name.text().strip()

    def set_value(self, text: str) -> None:
        self.name.setText(text)
        self.name.selectAll()
