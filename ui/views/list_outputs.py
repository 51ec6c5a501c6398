"""What a list run prints: the call sheet previewed in the window and printed through the system
print dialog, and the Excel lists, labels or envelopes and SMS vendor file saved where the user
chooses. The SMS file is previewed as the message is typed (the first messages as sent, parts
and cost) and its figures are confirmed before it is written. Every file is written off the GUI
thread."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QDateTime, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session, sessionmaker

from services.outputs import labels, run_files, sms, sms_preview, wechat
from services.outputs.sms_preview import SmsEstimate
from services.outputs.types import ListDocument
from services.staff.permissions import NOT_PASSED, Actor, NotPassed
from services.store.errors import RevisitError
from services.store.settings import Settings
from ui import tasks
from ui.files import ask_save_path, open_actions
from ui.tasks import TaskRunner
from ui.views.sms_preview_panel import SmsPreviewPanel

DEFAULT_SMS = "{称呼}您好，您的爱车{车型}（{车牌}）近期可享保养优惠，欢迎预约到店。"


class ListOutputs(QWidget):
    """Shows one run's outputs; `written` carries each saved file's path."""

    written = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED,
                 sessions: sessionmaker[Session] | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor = actor  # who saves: full mobiles for a supervisor, masked for staff
        self.sessions = sessions  # where a saved file is recorded in the audit trail
        self.document: ListDocument | None = None
        self.settings = Settings()
        self._tmp = Path(tempfile.mkdtemp(prefix="revisit-preview-"))
        self.pdf = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_button = QPushButton(self.tr("&Preview call sheet"))
        self.print_button = QPushButton(self.tr("P&rint…"))
        self.save_pdf = QPushButton(self.tr("Save call sheet PDF…"))
        self.save_call_xlsx = QPushButton(self.tr("Save call list (Excel)…"))
        self.save_mail_xlsx = QPushButton(self.tr("Save mail list (Excel)…"))
        self.layout_box = QComboBox()
        for key, spec in labels.layouts().items():
            self.layout_box.addItem(spec.get("title", key), key)
        self.save_labels = QPushButton(self.tr("Save labels / envelopes PDF…"))
        self.sms_text = QPlainTextEdit(DEFAULT_SMS)
        self.sms_text.setMaximumHeight(70)
        self.sms_text.setToolTip(self.tr("Merge fields: {姓名} {称呼} {车型} {车牌} {品牌}; "
                                         "a fallback after a bar: {车型|您的爱车}"))
        self.send_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.send_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.save_sms = QPushButton(self.tr("Save SMS vendor file…"))
        self.wechat_text = QPlainTextEdit(wechat.DEFAULT_MESSAGE)
        self.wechat_text.setMaximumHeight(56)
        self.wechat_text.setToolTip(self.tr("Each member's message, ready to paste into the chat. "
                                            "Merge fields as for SMS, and {店名} for the shop's "
                                            "name"))
        self.save_wechat = QPushButton(self.tr("Save WeChat list (Excel)…"))
        self.save_visits = QPushButton(self.tr("Save visit list (Excel)…"))
        self.status = QLabel()
        self.status.setWordWrap(True)

        paper = QGroupBox(self.tr("Call sheet"))
        paper_layout = QVBoxLayout(paper)
        for b in (self.preview_button, self.print_button, self.save_pdf):
            paper_layout.addWidget(b)
        files = QGroupBox(self.tr("Excel and mail"))
        files_layout = QVBoxLayout(files)
        files_layout.addWidget(self.save_call_xlsx)
        files_layout.addWidget(self.save_mail_xlsx)
        files_layout.addWidget(self.layout_box)
        files_layout.addWidget(self.save_labels)
        texts = QGroupBox(self.tr("SMS"))
        text_form = QFormLayout(texts)
        text_form.addRow(self.tr("Message"), self.sms_text)
        text_form.addRow(self.tr("Send at"), self.send_at)
        text_form.addRow(self.save_sms)
        chats = QGroupBox(self.tr("WeChat and visits"))
        chat_form = QFormLayout(chats)
        chat_form.addRow(self.tr("WeChat message"), self.wechat_text)
        chat_form.addRow(self.save_wechat)
        chat_form.addRow(self.save_visits)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        for w in (paper, files, texts, chats):
            left_layout.addWidget(w)
        left_layout.addWidget(self.status)
        left_layout.addStretch(1)
        self.sms_preview = SmsPreviewPanel(runner)
        self.previews = QTabWidget()
        self.previews.addTab(self.view, self.tr("Call sheet"))
        self.previews.addTab(self.sms_preview, self.tr("SMS as sent"))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.previews)
        splitter.setSizes([340, 900])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.preview_button.clicked.connect(lambda: self.preview())
        self.print_button.clicked.connect(self._on_print)
        self.save_pdf.clicked.connect(lambda: self._save(run_files.CALL_SHEET))
        self.save_call_xlsx.clicked.connect(lambda: self._save(run_files.CALL_LIST))
        self.save_mail_xlsx.clicked.connect(lambda: self._save(run_files.MAIL_LIST))
        self.save_labels.clicked.connect(lambda: self._save(run_files.LABELS))
        self.save_sms.clicked.connect(self._on_save_sms_clicked)
        self.save_wechat.clicked.connect(lambda: self._save(run_files.WECHAT_LIST))
        self.save_visits.clicked.connect(lambda: self._save(run_files.VISIT_LIST))
        self.sms_text.textChanged.connect(self._on_sms_text_changed)
        self.set_document(None, Settings())

    def set_document(self, document: ListDocument | None, settings: Settings) -> None:
        self.document = document
        self.settings = settings
        self.layout_box.setCurrentIndex(max(0, self.layout_box.findData(settings.label_layout)))
        for w in (
            self.preview_button,
            self.print_button,
            self.save_pdf,
            self.save_call_xlsx,
            self.save_mail_xlsx,
            self.save_labels,
            self.save_sms,
            self.save_wechat,
            self.save_visits,
        ):
            w.setEnabled(document is not None)
        self.pdf.close()
        self.status.clear()
        members = document.of_channel("sms") if document is not None else ()
        self.sms_preview.set_members(members, settings, self.sms_text.toPlainText())
        # A run of texts only: the SMS as sent is what there is to look at.
        only_sms = document is not None and members and not document.of_channel("call")
        self.previews.setCurrentWidget(self.sms_preview if only_sms else self.view)

    # --- preview and print ---------------------------------------------------------------
    def _preview_path(self) -> Path:
        return self._tmp / f"call-sheet-{self.document.run_id}.pdf"

    def preview(self, then=None) -> None:
        doc, st = self.document, self.settings
        request = run_files.FileRequest(run_files.CALL_SHEET, self._preview_path(), "pdf")

        def loaded(written: run_files.WrittenFile) -> None:
            self.pdf.load(str(written.path))
            self.previews.setCurrentWidget(self.view)
            self.status.setText(self.tr("%n page(s)", "", self.pdf.pageCount()))
            if then is not None:
                then()

        actor, sessions = self.actor, self.sessions
        self.runner.run(
            lambda _p, _c: run_files.write_run_file(doc, request, st, actor, briefs_from=sessions,
                                                    for_printing=True),
            on_done=loaded,
            parent_widget=self,
            label=self.tr("Making the call sheet"),
        )

    def _on_sms_text_changed(self) -> None:
        self.sms_preview.set_text(self.sms_text.toPlainText())
        if self.document is not None and self.document.of_channel("sms"):
            self.previews.setCurrentWidget(self.sms_preview)

    def _on_print(self) -> None:
        if self.pdf.pageCount() == 0:
            self.preview(then=self._on_print)
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(printer.pageLayout().orientation().Landscape)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page of the previewed PDF onto `printer`; returns the pages printed."""
        painter = QPainter(printer)
        try:
            target = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            for page in range(self.pdf.pageCount()):
                if page:
                    printer.newPage()
                size = self.pdf.pagePointSize(page)
                scale = min(target.width() / size.width(), target.height() / size.height())
                image = self.pdf.render(
                    page, QSize(int(size.width() * scale), int(size.height() * scale))
                )
                painter.drawImage(QPointF(0, 0), image)
        finally:
            painter.end()
        return self.pdf.pageCount()

    # --- files ---------------------------------------------------------------------------
    def _ask_path(self, kind: str) -> str:
        doc = self.document
        stem = f"{doc.segment}-{doc.as_of:%Y%m%d}-{doc.run_id}"
        excel_filters = self.tr("Excel (*.xlsx);;CSV (*.csv)")
        suggestions = {  # kind of output → (kind of file for ui.files, suggested name, filters)
            run_files.CALL_SHEET: ("call_sheet", f"{stem}-回访单.pdf", self.tr("PDF (*.pdf)")),
            run_files.CALL_LIST: ("excel_list", f"{stem}-电话名单.xlsx", excel_filters),
            run_files.MAIL_LIST: ("excel_list", f"{stem}-邮寄名单.xlsx", excel_filters),
            run_files.LABELS: ("labels", f"{stem}-标签.pdf", self.tr("PDF (*.pdf)")),
            run_files.SMS_FILE: ("sms", f"{stem}-短信.xlsx", excel_filters),
            run_files.WECHAT_LIST: ("excel_list", f"{stem}-微信名单.xlsx", excel_filters),
            run_files.VISIT_LIST: ("excel_list", f"{stem}-上门名单.xlsx", excel_filters),
        }
        file_kind, name, filters = suggestions[kind]
        return ask_save_path(self, file_kind, name, filters, self.tr("Save as"))

    def _save(self, kind: str) -> None:
        if self.document is None:
            return
        path = self._ask_path(kind)
        if path:
            self.save(kind, path)

    def _on_save_sms_clicked(self) -> None:
        """Count the file of the message as it is now, show the figures, and write it only
        once the user confirms them."""
        doc = self.document
        if doc is None:
            return
        members = doc.of_channel("sms")
        if not members:  # say so before asking where to save a file that cannot be made
            tasks.show_error(self, RevisitError(run_files.NOBODY["sms"], run=doc.run_id))
            return
        text, st = self.sms_text.toPlainText().strip(), self.settings
        self.runner.run(
            lambda _p, _c: sms_preview.estimate_with_settings(members, text, st),
            on_done=self._confirm_sms,
            parent_widget=self,
            label=self.tr("Counting the SMS"),
        )

    def _confirm_sms(self, estimate: SmsEstimate) -> None:
        self.previews.setCurrentWidget(self.sms_preview)
        if estimate.too_long or not estimate.messages:
            # Nothing can be written: the panel says why; the writer would refuse it too.
            QMessageBox.warning(self, self.tr("SMS vendor file"), "\n".join(
                self.sms_preview.warning_lines(estimate)) or self.tr(
                    "No member of this list can be sent this message."))
            return
        text = "\n\n".join(p for p in (
            self.sms_preview.summary_text(estimate),
            "\n".join(self.sms_preview.warning_lines(estimate)),
            self.tr("Write the SMS vendor file now?")) if p)
        answer = QMessageBox.question(self, self.tr("SMS vendor file"), text)
        if answer == QMessageBox.StandardButton.Yes:
            self._save(run_files.SMS_FILE)

    def _request(self, kind: str, path: str) -> run_files.FileRequest:
        """What the panel asks for: `kind` is one of services/outputs/run_files.py's kinds."""
        if kind in run_files.PDF_KINDS:
            return run_files.FileRequest(
                kind, Path(path), "pdf", label_layout=self.layout_box.currentData()
            )
        return run_files.FileRequest(
            kind,
            Path(path),
            run_files.list_format(path),
            sms_text=self.sms_text.toPlainText().strip(),
            send_at=self.send_at.dateTime().toPython(),
            message=self.wechat_text.toPlainText().strip(),
        )

    def save(self, kind: str, path: str) -> None:
        """Write one output to `path` in the background (also used by tests)."""
        doc, st, request = self.document, self.settings, self._request(kind, path)
        actor, sessions = self.actor, self.sessions
        self.runner.run(
            lambda _p, _c: run_files.write_run_file(doc, request, st, actor, sessions=sessions),
            on_done=self._on_written,
            parent_widget=self,
            label=self.tr("Writing %1").replace("%1", path),
        )

    def _on_written(self, written: run_files.WrittenFile) -> None:
        path = str(written.path)
        text = self.tr("Saved %1").replace("%1", path)
        if written.kind == run_files.SMS_FILE:
            text += "\n" + self.tr("%1 numbers, %2 billed messages, %3 skipped").replace(
                "%1", str(written.rows)
            ).replace("%2", str(written.sms_parts)).replace("%3", str(len(written.skipped)))
            cost = sms_preview.cost_of(written.sms_parts, self.settings.sms_price_per_part)
            text += self.tr(", about ¥%1").replace("%1", f"{cost:,}")
            if written.skipped:
                text += "\n" + sms.skipped_summary(written.skipped)
        self.status.setText(text)
        self.runner.notify(
            self.tr("Saved %1").replace("%1", written.path.name), actions=open_actions(path)
        )
        self.written.emit(path)
