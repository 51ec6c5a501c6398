"""What a list run prints: the call sheet previewed in the window and printed through the system
print dialog, and the Excel lists, labels or envelopes, SMS vendor file and WeChat list saved
where the user chooses. The SMS file and the WeChat list are previewed as their message is typed
(the first messages as sent, who is left out and why; for SMS parts and cost) and their figures
are confirmed before they are written. A run nobody in which is to be called shows the preview
of its texts, or says it has no call sheet. Every file is written off the GUI thread."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session, sessionmaker

from models.codes import PURPOSES
from services.labels import text
from services.lists.query import SALES_PURPOSES
from services.outputs import file_names, label_layouts, run_files, sms, sms_preview, wechat
from services.outputs.sms_preview import SmsEstimate
from services.outputs.types import ListDocument, ListMember, Steps
from services.outputs.wechat import WechatPreview
from services.staff.permissions import EXPORT_PHONES, NOT_PASSED, Actor, NotPassed, allowed
from services.store.errors import RevisitError
from services.store.settings import Settings
from ui import tasks
from ui.files import ask_save_path, open_actions
from ui.i18n import translate_error
from ui.labels import joined, label, language
from ui.tasks import TaskRunner
from ui.views.sms_preview_panel import MessagePreview, SmsPreviewPanel, WechatPreviewPanel
from ui.widgets import scrolling

# A reminder, not an offer: a list made for care or reminders leaves in customers who refused
# marketing, and an offer must not reach them (sms.OFFER_WORDS).
# A run's purpose by the Chinese label its document carries; the lists made to sell hold only
# customers who agreed to marketing.
PURPOSE_OF_LABEL = {text("purpose", p): p for p in PURPOSES}
SELLING = frozenset(SALES_PURPOSES)
CONFIRM_SHOWN = 3  # WeChat messages quoted in the confirmation (the preview shows more)
MERGE_FIELDS = " ".join("{" + f + "}" for f in sms.FIELDS)


SCRATCH_PREFIX = "revisit-preview-"
STALE_SCRATCH = dt.timedelta(days=1)
# A call sheet of up to this many calls is previewed as soon as the panel shows its run: the
# 1,909-call sheet of the 200,000-customer demo took 1.3 s to write, so this many take a
# fraction of a second off the window's thread. A longer one waits for the button.
AUTO_PREVIEW_CALLS = 600


class ListOutputs(QWidget):
    """Shows one run's outputs; `written` carries each saved file's path."""

    # A print's progress dialog shows once printing takes this long (Cancel works from then).
    PRINT_DIALOG_AFTER_MS = 500

    written = Signal(str)

    def __init__(self, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED,
                 sessions: sessionmaker[Session] | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor = actor  # who saves: full mobiles for a supervisor, masked for staff
        # Files with full mobiles (the SMS vendor file is nothing else) are a supervisor's; no
        # actor passed: nobody is checked, as run_files does.
        self.full_mobiles = actor is NOT_PASSED or allowed(actor, EXPORT_PHONES)
        self.sessions = sessions  # where a saved file is recorded in the audit trail
        self.document: ListDocument | None = None
        self.settings = Settings()
        # A call sheet previewed for printing holds full mobiles: it lives in a scratch folder
        # of this panel's, removed when the panel goes or the program ends; one a killed
        # program left is removed at a later start, once it is a day old.
        self._scratch = tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX,
                                                    ignore_cleanup_errors=True)
        self._tmp = Path(self._scratch.name)
        self.destroyed.connect(self._scratch.cleanup)
        run_files.remove_stale_scratch(self._tmp.parent, SCRATCH_PREFIX, STALE_SCRATCH)
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
        for key in label_layouts.layouts():
            self.layout_box.addItem(label_layouts.layout_title(key, language()), key)
        self.save_labels = QPushButton(self.tr("Save labels / envelopes PDF…"))
        self.sms_text = QPlainTextEdit(sms.default_text(""))
        self.sms_text.setMaximumHeight(70)
        self.sms_text.setToolTip(self.tr("Merge fields: %1; a fallback after a bar: "
                                         "{车型|您的爱车}").replace("%1", MERGE_FIELDS))
        self.send_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.send_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.save_sms = QPushButton(self.tr("Save SMS vendor file…"))
        if not self.full_mobiles:
            self.save_sms.setToolTip(self.tr(
                "Only a supervisor may save the SMS vendor file: it holds full mobile numbers."))
        self.wechat_text = QPlainTextEdit(wechat.DEFAULT_MESSAGE)
        self.wechat_text.setMaximumHeight(56)
        self.wechat_text.setToolTip(self.tr("Each member's message, ready to paste into the "
                                            "chat. Merge fields: %1; a fallback after a bar: "
                                            "{店名|本店}").replace("%1", MERGE_FIELDS))
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
        self.no_call_sheet = QLabel(self.tr("There is no call sheet for this list: nobody in it "
                                            "is to be called."))
        self.no_call_sheet.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_call_sheet.setWordWrap(True)
        # Until the call sheet is previewed: how many calls it holds, and the button to press.
        self.not_previewed = QLabel()
        self.not_previewed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.not_previewed.setWordWrap(True)
        self._preview_due = False  # previewed when the panel is next shown (showEvent)
        self.sheet = QStackedWidget()  # the call sheet, or why there is none
        self.sheet.addWidget(self.view)
        self.sheet.addWidget(self.no_call_sheet)
        self.sheet.addWidget(self.not_previewed)
        self.sms_preview = SmsPreviewPanel(runner)
        self.wechat_preview = WechatPreviewPanel(runner)
        self.previews = QTabWidget()
        self.previews.addTab(self.sheet, self.tr("Call sheet"))
        self.previews.addTab(self.sms_preview, self.tr("SMS as sent"))
        self.previews.addTab(self.wechat_preview, self.tr("WeChat messages"))
        # The buttons' column is 620–700 px tall, more with larger fonts.
        column = scrolling(left, fit_width=True)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(column)
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
        self.save_wechat.clicked.connect(self._on_save_wechat_clicked)
        self.save_visits.clicked.connect(lambda: self._save(run_files.VISIT_LIST))
        self.sms_text.textChanged.connect(self._on_sms_text_changed)
        self.wechat_text.textChanged.connect(self._on_wechat_text_changed)
        self.set_document(None, Settings())

    def set_document(self, document: ListDocument | None, settings: Settings,
                     texts: run_files.RunTexts | None = None) -> None:
        """Show `document`'s outputs; `texts`: what its SMS file and WeChat list were last
        written with, put in their boxes so a re-print says the same (a WeChat list written
        with the default greeting, or never, gets the default greeting)."""
        self.document = document
        self.settings = settings
        if texts is not None:
            self.wechat_text.setPlainText(texts.message or wechat.DEFAULT_MESSAGE)
            if texts.sms_text:
                self.sms_text.setPlainText(texts.sms_text)
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
        self.save_sms.setEnabled(document is not None and self.full_mobiles)
        self.pdf.close()
        self.status.clear()
        # The message follows the list's purpose (a greeting for care, a thank-you for a
        # referral) until staff change it.
        if document is not None and self.sms_text.toPlainText() in (
                "", *sms.DEFAULT_TEXTS.values()):
            self.sms_text.setPlainText(sms.default_text(document.purpose))
        # A marketing SMS's sending time outside the window (an hour from now, early or late
        # in the day) is moved to when the window next opens: the vendor file would be
        # refused at it. A service notice (a reminder) may be sent at any hour.
        if document is not None and sms.in_marketing_window(document.purpose,
                                                            self.sms_text.toPlainText()):
            planned = self.send_at.dateTime().toPython()
            allowed = sms.next_sending_time(planned, settings.sms_window)
            if allowed != planned:
                self.send_at.setDateTime(QDateTime(allowed))

        def of(channel: str) -> Sequence[ListMember]:
            return document.of_channel(channel) if document is not None else ()

        self.sms_preview.set_members(of("sms"), settings, self.sms_text.toPlainText())
        self.wechat_preview.set_members(of("wechat"), settings, self.wechat_text.toPlainText())
        calls = len(of("call"))
        self.not_previewed.setText(self.tr(
            "Press “Preview call sheet” to see the call sheet here: %n call(s).",
            "", calls))
        if calls:
            self.sheet.setCurrentWidget(self.not_previewed)
        else:  # no run, or nobody in it to call
            self.sheet.setCurrentWidget(self.view if document is None else self.no_call_sheet)
        self._preview_due = 0 < calls <= AUTO_PREVIEW_CALLS
        if self.isVisible():
            self._preview_if_due()
        # A run of texts only: its messages as sent are what there is to look at.
        texts = [p for p in (self.sms_preview, self.wechat_preview) if p.members]
        self.previews.setCurrentWidget(texts[0] if texts and not calls else self.sheet)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._preview_if_due()

    def _preview_if_due(self) -> None:
        """A short call sheet: shown without a press of the button, once."""
        if self._preview_due:
            self._preview_due = False
            self.preview()

    # --- preview and print ---------------------------------------------------------------
    def _preview_path(self) -> Path:
        self._tmp.mkdir(exist_ok=True)  # removed as stale by another start, after a day idle
        return self._tmp / f"call-sheet-{self.document.run_id}.pdf"

    def preview(self, then=None) -> None:
        doc, st = self.document, self.settings
        request = run_files.FileRequest(run_files.CALL_SHEET, self._preview_path(), "pdf")

        def loaded(written: run_files.WrittenFile) -> None:
            if self.document is not doc:  # another run was opened meanwhile
                return
            self.pdf.load(str(written.path))
            self.sheet.setCurrentWidget(self.view)
            self.previews.setCurrentWidget(self.sheet)
            self.status.setText(self.tr("%n page(s)", "", self.pdf.pageCount()))
            self._warn_unprintable(written)
            if then is not None:
                then()

        actor, sessions = self.actor, self.sessions
        self.runner.run(
            lambda p, c: run_files.write_run_file(doc, request, st, actor, briefs_from=sessions,
                                                  for_printing=True, steps=Steps(p, c)),
            on_done=loaded,
            parent_widget=self,
            label=self.tr("Making the call sheet"),
            latest=f"call-sheet-{id(self)}",  # pressed again, or printed meanwhile
        )

    def _on_sms_text_changed(self) -> None:
        self._show_text(self.sms_preview, self.sms_text)

    def _on_wechat_text_changed(self) -> None:
        self._show_text(self.wechat_preview, self.wechat_text)

    def _show_text(self, panel: MessagePreview, editor: QPlainTextEdit) -> None:
        """The message typed: counted again, and shown when the run has members for it."""
        panel.set_text(editor.toPlainText())
        if panel.members:
            self.previews.setCurrentWidget(panel)

    def _on_print(self) -> None:
        if self.pdf.pageCount() == 0:
            self.preview(then=self._on_print)
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(printer.pageLayout().orientation().Landscape)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        pages = self.pdf.pageCount()
        printed = self.print_to(printer)
        if printed < pages:
            self.status.setText(self.tr("Printing cancelled: %1 of %2 page(s) sent to the "
                                        "printer.").replace("%1", str(printed))
                                .replace("%2", str(pages)))

    def print_to(self, printer: QPrinter) -> int:
        """Paint the previewed PDF's pages onto `printer`, one by one under a progress dialog
        (shown once printing takes half a second): its Cancel aborts the job, so nothing more
        goes to the printer. Returns the pages printed; all of them unless cancelled."""
        pages = self.pdf.pageCount()
        dialog = QProgressDialog(self.tr("Printing the call sheet"), self.tr("Cancel"), 0, pages,
                                 self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(self.PRINT_DIALOG_AFTER_MS)
        painter = QPainter(printer)
        printed = 0
        try:
            target = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            for page in range(pages):
                dialog.setValue(page)  # a modal dialog's setValue lets Cancel be clicked
                if dialog.wasCanceled():
                    printer.abort()
                    break
                if page:
                    printer.newPage()
                size = self.pdf.pagePointSize(page)
                scale = min(target.width() / size.width(), target.height() / size.height())
                image = self.pdf.render(
                    page, QSize(int(size.width() * scale), int(size.height() * scale))
                )
                painter.drawImage(QPointF(0, 0), image)
                printed += 1
        finally:
            painter.end()
            dialog.close()
            dialog.deleteLater()
        return printed

    # --- files ---------------------------------------------------------------------------
    def _suggested(self, kind: str) -> tuple[str, str, str]:
        """The kind of file (for ui.files), the name proposed and the filters to save `kind`."""
        doc = self.document
        stem = f"{file_names.name_part(doc.segment)}-{doc.as_of:%Y%m%d}-{doc.run_id}"
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
        return suggestions[kind]

    def _ask_path(self, kind: str) -> str:
        """Where to save `kind`, with its format's ending after the name chosen (a dialog
        keeps 名单12.07 as typed); "" when cancelled or the name is another document's."""
        file_kind, name, filters = self._suggested(kind)
        path = ask_save_path(self, file_kind, name, filters, self.tr("Save as"))
        if not path:
            return ""
        ending = ".pdf" if kind in run_files.PDF_KINDS else f".{run_files.list_format(path)}"
        try:
            return str(file_names.named(path, ending))
        except RevisitError as exc:
            tasks.show_error(self, exc)
            return ""

    def _refused(self, kind: str) -> bool:
        """Say now what would refuse the file (the SMS file for staff, envelopes without the
        shop's address, nobody on its channel, a sending time outside the window…), before
        staff count, confirm and choose where to save it; True when refused."""
        _kind, name, _filters = self._suggested(kind)
        try:
            run_files.check_run_files(self.document, [self._request(kind, name)],
                                      self.settings, self.actor)
        except RevisitError as exc:
            tasks.show_error(self, exc)
            return True
        return False

    def _save(self, kind: str, checked: bool = False) -> None:
        """Ask where, then write; `checked`: what would refuse it was already said."""
        if self.document is None or (not checked and self._refused(kind)):
            return
        path = self._ask_path(kind)
        if path:
            self.save(kind, path)

    def _on_save_sms_clicked(self) -> None:
        """Count the file of the message as it is now, show the figures, and write it only
        once the user confirms them."""
        text, st = self.sms_text.toPlainText().strip(), self.settings
        self._count_then(run_files.SMS_FILE, lambda members: sms_preview.estimate_with_settings(
            members, text, st), self._confirm_sms, self.tr("Counting the SMS"))

    def _on_save_wechat_clicked(self) -> None:
        """As for SMS: the WeChat list counted, its figures confirmed, then written."""
        text, shop = self.wechat_text.toPlainText().strip(), self.settings.shop_name
        self._count_then(run_files.WECHAT_LIST, lambda members: wechat.preview(
            members, text, shop, first=CONFIRM_SHOWN), self._confirm_wechat,
            self.tr("Counting the WeChat messages"))

    def _count_then(self, kind: str, count: Callable[[Sequence[ListMember]], Any],
                    confirm: Callable[[Any], None], label: str) -> None:
        """`count` the run's members on the channel of file `kind` off the GUI thread, then
        `confirm` the figures; what would refuse the file (nobody on the channel, staff and the
        SMS file) is said first."""
        doc = self.document
        if doc is None or self._refused(kind):
            return
        members = doc.of_channel(run_files.CHANNEL_OF[kind])
        self.runner.run(lambda _p, _c: count(members), on_done=confirm, parent_widget=self,
                        label=label)

    def _confirm_sms(self, estimate: SmsEstimate) -> None:
        # Too long: nothing can be written; the panel says why, the writer would refuse too.
        self._ask_then_save(run_files.SMS_FILE, self.sms_preview, estimate,
                            not estimate.too_long, self.tr("SMS vendor file"),
                            self._offer_warning(self.sms_text.toPlainText()),
                            self.tr("Write the SMS vendor file now?"))

    def _offer_warning(self, text: str) -> tuple[str, ...]:
        """A warning when a message reads as an offer but the list was not made to sell: its
        customers include those who refused marketing or never agreed to it."""
        doc = self.document
        words = sms.offer_words(text)
        purpose = PURPOSE_OF_LABEL.get(doc.purpose_label) if doc is not None else None
        if doc is None or not words or purpose is None or purpose in SELLING:
            return ()
        return ("⚠ " + self.tr(
            "This message reads as an offer (%1), but the list was made for “%2”, so it "
            "includes customers who refused marketing or never agreed to it. Send offers from "
            "a list made for sales or marketing, which leaves them out.").replace(
                "%1", joined(words)).replace("%2", label("purpose", purpose)),)

    def _confirm_wechat(self, shown: WechatPreview) -> None:
        first = "\n".join(f"{r.member.row_code} {r.member.name}：{r.message}"
                          for r in shown.first)
        self._ask_then_save(run_files.WECHAT_LIST, self.wechat_preview, shown, True,
                            self.tr("WeChat list"),
                            (self.tr("The first messages:") + "\n" + first,),
                            self.tr("Write the WeChat list now?"))

    def _ask_then_save(self, kind: str, panel: MessagePreview, figures: Any, can_write: bool,
                       title: str, more: tuple[str, ...], question: str) -> None:
        """The figures, `more` and who is left out, then `question`; the file is saved on
        Yes. Only the warnings when no message can be written."""
        self.previews.setCurrentWidget(panel)
        warnings = "\n".join(panel.warning_lines(figures))
        if not can_write or not figures.messages:
            QMessageBox.warning(self, title, warnings or self.tr(
                "No member of this list can be sent this message."))
            return
        text = "\n\n".join(p for p in (panel.summary_text(figures), *more, warnings, question)
                            if p)
        if QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes:
            self._save(kind, checked=True)

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
            lambda p, c: run_files.write_run_file(doc, request, st, actor, sessions=sessions,
                                                  steps=Steps(p, c)),
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
        if written.kind == run_files.WECHAT_LIST:
            text += "\n" + self.tr("Messages: %1, left out: %2").replace(
                "%1", str(written.rows)).replace("%2", str(len(written.skipped)))
        if written.skipped:
            text += "\n" + sms.skipped_summary(written.skipped)
        saved = self.tr("Saved %1").replace("%1", written.path.name)
        if written.masked:
            masked = self.tr("phone numbers masked (only a supervisor's files hold full numbers)")
            text += "\n" + masked
            saved = self.tr("%1; %2").replace("%1", saved).replace("%2", masked)
        self.status.setText(text)
        self.runner.notify(saved, actions=open_actions(path))
        self._warn_unprintable(written)
        self.written.emit(path)

    def _warn_unprintable(self, written: run_files.WrittenFile) -> None:
        """A PDF written with □ for characters no font here has, said at once and kept in the
        status line: staff must write those names in by hand or correct them."""
        if written.warning is None:
            return
        said = translate_error(written.warning)
        self.status.setText(self.status.text() + "\n" + said)
        QMessageBox.warning(self, self.tr("Some characters could not be printed"), said)
