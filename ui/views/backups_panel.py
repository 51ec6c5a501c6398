"""Settings → Backups (supervisors): where the database's backups go and how many automatic
ones are kept (shared settings), the backups there, "Back up now" and "Restore…". A restore
replaces the file under the running window, so Revisit closes afterwards and is opened again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QDir, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.staff.permissions import MANAGE_DATABASE, Actor, require
from services.store import backup as backups
from services.store import settings as shared
from services.store.backup_now import back_up_now
from services.store.database import Database
from services.store.errors import StaleEdit
from ui import tasks
from ui.i18n import translate_error
from ui.labels import moment_text
from ui.tasks import TaskRunner
from ui.widgets import when_empty

BACKUP_KEYS = ("backup_folder", "backups_kept")


class BackupsPanel(QWidget):
    listed = Signal()
    backed_up = Signal(object)  # the new file's Path
    restored = Signal(object)  # services.store.restore.Restored

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self._loaded = shared.load_settings_versions(database.sessions)
        self._shown: list[backups.BackupInfo] = []
        self.folder = QLineEdit()
        self.folder.setToolTip(self.tr("Empty: a backups folder beside the database file"))
        self.choose_folder = QPushButton(self.tr("C&hoose…"))
        self.choose_folder.clicked.connect(self._on_choose_folder_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder)
        self.kept = QSpinBox()
        self.kept.setRange(1, shared.MAX_BACKUPS_KEPT)
        self.save_button = QPushButton(self.tr("Save &backup settings"))
        self.save_button.clicked.connect(self._on_save_clicked)
        self.status = QLabel()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.status, 1)
        kept_row = QHBoxLayout()
        kept_row.addWidget(self.kept)
        kept_row.addStretch(1)
        settings_part = QWidget()
        settings_part.setMaximumWidth(820)  # as wide as the General tab's groups
        form = QFormLayout(settings_part)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Backup folder (every PC)"), folder_row)
        form.addRow(self.tr("Automatic backups kept"), kept_row)
        form.addRow(save_row)
        sqlite = database.is_sqlite
        note = QLabel(
            self.tr("Revisit backs up the database once a day and before every upgrade, import "
                    "and erase; the oldest automatic backups are deleted beyond the number "
                    "kept. Backups made with “Back up now” are kept until you delete them.")
            if sqlite else
            self.tr("A PostgreSQL database is backed up on its server (pg_dump -Fc, restored "
                    "with pg_restore). “Back up now” runs pg_dump on this PC when PostgreSQL's "
                    "client tools are installed.")
        )
        note.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Made"), self.tr("Why"), self.tr("Size")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self._listed = False
        when_empty(self.table, lambda: self.tr("No backup in this folder yet.")
                   if self._listed else "")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.backup_button = QPushButton(self.tr("Back up &now"))
        self.backup_button.clicked.connect(self._on_backup_clicked)
        self.restore_button = QPushButton(self.tr("&Restore…"))
        self.restore_button.clicked.connect(self._on_restore_clicked)
        if not sqlite:
            self.restore_button.setEnabled(False)
            self.restore_button.setToolTip(
                self.tr("Restore a PostgreSQL database on its server with pg_restore."))
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(settings_part)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._show_settings()
        self.refresh()

    def _place(self) -> backups.BackupPlace:
        return backups.place_of(self.database.sessions)

    def _show_settings(self) -> None:
        s = self._loaded.settings
        self.folder.setText(s.backup_folder)
        self.folder.setPlaceholderText(QDir.toNativeSeparators(
            str(backups.folder_for(self._database_path(), ""))))
        self.kept.setValue(s.backups_kept)

    def _database_path(self) -> Path | None:
        database = self.database.engine.url.database
        return Path(database) if self.database.is_sqlite and database else None

    def refresh(self) -> None:
        sessions = self.database.sessions
        self.runner.run(lambda _p, _c: backups.list_backups(backups.place_of(sessions)),
                        on_done=self._on_listed, parent_widget=self, latest="backups")

    def _reason(self, info: backups.BackupInfo) -> str:
        text = {
            backups.DAILY: self.tr("Daily"),
            backups.MIGRATION: self.tr("Before an upgrade"),
            backups.IMPORT: self.tr("Before an import"),
            backups.ERASE: self.tr("Before an erase"),
            backups.MANUAL: self.tr("Backed up by hand"),
            backups.BEFORE_RESTORE: self.tr("Replaced by a restore"),
        }.get(info.reason, info.reason)
        return text if info.ok else self.tr("%1 (damaged or not Revisit's)").replace("%1", text)

    def _on_listed(self, found: list[backups.BackupInfo]) -> None:
        self._shown, self._listed = found, True
        self.table.setRowCount(len(found))
        locale = QLocale()
        for row, info in enumerate(found):
            cells = (
                moment_text(info.time),
                self._reason(info),
                # MB as Windows' Explorer writes it (1,024-based), not MiB.
                locale.formattedDataSize(info.size, 1,
                                         QLocale.DataSizeFormat.DataSizeTraditionalFormat),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(QDir.toNativeSeparators(str(info.path)))
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.listed.emit()

    def selected(self) -> backups.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._shown[rows[0].row()] if rows else None

    def _on_choose_folder_clicked(self) -> None:
        start = self.folder.text() or self.folder.placeholderText()
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the backup folder"),
                                                  start)
        if folder:
            self.folder.setText(QDir.toNativeSeparators(folder))

    def _on_save_clicked(self) -> None:
        loaded, actor, sessions = self._loaded, self.actor, self.database.sessions
        wanted = dataclasses.replace(loaded.settings, backup_folder=self.folder.text().strip(),
                                     backups_kept=self.kept.value())
        self.status.clear()

        def work(_p, _c):
            if wanted.backup_folder != loaded.settings.backup_folder:
                backups.check_folder_setting(sessions, wanted.backup_folder)
            shared.save_settings(sessions, wanted, actor, loaded)
            return shared.load_settings_versions(sessions)

        self.runner.run(work, on_done=self._on_saved, on_failed=self._on_save_failed,
                        parent_widget=self, label=self.tr("Saving settings"), write=True)

    def _on_saved(self, fresh: shared.LoadedSettings) -> None:
        self._loaded = fresh
        self._show_settings()
        self.status.setText(self.tr("Saved."))
        self.refresh()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, StaleEdit):
            tasks.show_error(self, exc)  # looked up here, so tests can replace it
            return
        answer = QMessageBox.question(
            self, self.tr("Backups"),
            translate_error(exc) + "\n\n" + self.tr("Reload the backup settings now?"))
        if answer == QMessageBox.StandardButton.Yes:
            self._loaded = shared.load_settings_versions(self.database.sessions)
            self._show_settings()

    def _on_backup_clicked(self) -> None:
        sessions, actor = self.database.sessions, self.actor
        self.runner.run(lambda _p, _c: back_up_now(sessions, actor),
                        on_done=self._on_backed_up, parent_widget=self,
                        label=self.tr("Backing up the database"))

    def _on_backed_up(self, path: Path) -> None:
        self.runner.notify(self.tr("Backed up to %1").replace(
            "%1", QDir.toNativeSeparators(str(path))))
        self.backed_up.emit(path)
        self.refresh()

    def _on_restore_clicked(self) -> None:
        from services.store.restore import restore_backup

        target = self._database_path()
        if target is None:
            return
        info = self.selected()
        if info is not None:
            chosen = info.path
        else:
            name, _ = QFileDialog.getOpenFileName(
                self, self.tr("Choose a backup to restore"), str(self._place().folder),
                self.tr("Revisit backups (*.bak *.sqlite3);;All files (*)"))
            if not name:
                return
            chosen = Path(name)
        if self.runner.busy:
            QMessageBox.information(self, self.tr("Restore"), self.tr(
                "Wait until the work in progress has finished, then restore."))
            return
        answer = QMessageBox.question(self, self.tr("Restore"), self.tr(
            "Put the backup %1 in place of the database?\n\nEverything saved after it was made "
            "is replaced; the current database is kept as a backup first. Revisit must be "
            "closed on every other PC. Afterwards Revisit closes here; open it again to work "
            "with the restored database.").replace("%1", chosen.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        database, actor = self.database, self.actor

        def work(_p, _c):
            require(actor, MANAGE_DATABASE)
            database.engine.dispose()  # this window's own connections must not hold the file
            return restore_backup(target, chosen)

        self.runner.run(work, on_done=self._on_restored, parent_widget=self,
                        label=self.tr("Restoring a backup"), write=True)

    def _on_restored(self, done) -> None:
        kept = (self.tr("The database it replaced is kept as %1.").replace(
            "%1", QDir.toNativeSeparators(str(done.replaced_copy)))
            if done.replaced_copy is not None else "")
        QMessageBox.information(self, self.tr("Restore"), self.tr(
            "The backup %1 is now the database. %2\n\nRevisit closes now; open it again to "
            "work with the restored database.").replace("%1", done.backup.name)
            .replace("%2", kept))
        self.restored.emit(done)
        self.window().close()
