"""Where staff's files go: the one place views ask for a path to save or open.

Each kind of file ("call_sheet", "excel_list", "labels", "sms", "segment_json") starts in the
folder last used for that kind, else in this PC's export folder (Documents\\Revisit unless
changed in Settings), and the chosen folder is remembered per kind. Both live in QSettings,
so each PC and each Windows user keeps their own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDir,
    QMimeData,
    QSettings,
    QStandardPaths,
    QUrl,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

log = logging.getLogger(__name__)

EXPORT_FOLDER_KEY = "files/export_folder"
LAST_FOLDER_PREFIX = "files/last_folder/"

Action = tuple[str, Callable[[], Any]]

# Two labels of Qt's own file dialog that qtbase_zh_CN.qm (Qt 6.x) leaves in English. Listed
# here so lupdate keeps them in Revisit's catalog, which is installed after qtbase and so is
# searched first. (Windows shows its native dialog instead; this is the Qt one used elsewhere.)
QT_DIALOG_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)


def default_export_folder() -> str:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(documents or QDir.homePath()) / "Revisit")


def export_folder() -> str:
    """This PC's export folder; not created here (see start_folder)."""
    return str(QSettings().value(EXPORT_FOLDER_KEY, "") or default_export_folder())


def set_export_folder(folder: str) -> None:
    QSettings().setValue(EXPORT_FOLDER_KEY, folder)


def last_folder(kind: str) -> str:
    """The folder last used for `kind`, or "" when none was or it no longer exists (a USB
    stick taken out, a network drive gone)."""
    folder = str(QSettings().value(LAST_FOLDER_PREFIX + kind, "") or "")
    return folder if folder and Path(folder).is_dir() else ""


def remember(kind: str, path: str) -> None:
    """Remember the folder of `path` (a file) as the last one used for `kind`."""
    QSettings().setValue(LAST_FOLDER_PREFIX + kind, str(Path(path).parent))


def start_folder(kind: str) -> str:
    """Where a dialog for `kind` opens; the export folder is created the first time it is
    needed. When it cannot be (no permission, a network drive offline) the dialog opens in the
    folder above it."""
    folder = last_folder(kind)
    if folder:
        return folder
    folder = export_folder()
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("cannot create export folder %s: %s", folder, exc)
        return str(Path(folder).parent)
    return folder


def ask_save_path(
    parent: QWidget | None, kind: str, suggested_name: str, filters: str, caption: str = ""
) -> str:
    """Ask where to save a `kind` file; "" when the user cancels."""
    start = str(Path(start_folder(kind)) / suggested_name)
    path, _ = QFileDialog.getSaveFileName(
        parent, caption or QCoreApplication.translate("files", "Save as"), start, filters
    )
    if path:
        remember(kind, path)
    return path


def ask_open_path(parent: QWidget | None, kind: str, filters: str, caption: str = "") -> str:
    """Ask which `kind` file to open; "" when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(
        parent, caption or QCoreApplication.translate("files", "Open"), start_folder(kind), filters
    )
    if path:
        remember(kind, path)
    return path


def choose_export_folder(parent: QWidget | None) -> str:
    """Let the user pick this PC's export folder and store it; "" when they cancel."""
    folder = QFileDialog.getExistingDirectory(
        parent, QCoreApplication.translate("files", "Choose the export folder"), export_folder()
    )
    if folder:
        set_export_folder(folder)
    return folder


def open_actions(path: str) -> tuple[Action, ...]:
    """The actions "Open file" and "Open folder" for the notice after `path` was written."""
    file = Path(path)
    return (
        (QCoreApplication.translate("files", "Open file"), lambda: _open(file)),
        (QCoreApplication.translate("files", "Open folder"), lambda: _open(file.parent)),
    )


def _open(target: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def dropped_file(data: QMimeData) -> str | None:
    """The path of the one local file being dragged onto a view that reads files (None:
    several, a folder, a link or text: each of them reads one file)."""
    urls = data.urls() if data.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if Path(path).is_file() else None
