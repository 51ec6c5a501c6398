"""The stale-edit question (ui/dialogs/stale_edit.py) answered in a test, as staff would."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def answer_stale(monkeypatch, button: str) -> list[tuple[str, str]]:
    """Every stale-edit message (its sentence and what it says Reload does), answered with
    `button` ("Reload" or "Cancel")."""
    shown: list[tuple[str, str]] = []

    def exec_(box: QMessageBox) -> int:
        shown.append((box.text(), box.informativeText()))
        if button == "Reload":
            next(b for b in box.buttons() if b.text() == "Reload").click()
        else:
            box.button(QMessageBox.StandardButton.Cancel).click()
        return 0

    monkeypatch.setattr("ui.dialogs.stale_edit.QMessageBox.exec", exec_)
    return shown
