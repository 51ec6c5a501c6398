"""A new do-not-contact entry (channel, purpose, reason, from and until when), and what each
purpose covers, shown wherever a purpose is chosen."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
)

from models.codes import CHANNELS, DNC_PURPOSES
from services.customers.preferences import REASON_MAX
from services.store.errors import N_, RevisitError
from ui.i18n import translate_error
from ui.labels import label
from ui.widgets import date_edit

# What each purpose covers, shown where a purpose is chosen (here and in the list wizard): staff
# confused 营销 and 销售. Context "purposes"; None is "all purposes".
PURPOSE_HINTS: dict[str | None, str] = {
    None: QT_TRANSLATE_NOOP(
        "purposes",
        "All purposes: no contact at all on the chosen channel, recall notices included.",
    ),
    "care": QT_TRANSLATE_NOOP(
        "purposes",
        "Care: a personal check-in — birthday, warranty or loan ending, after a repair; "
        "nothing is offered.",
    ),
    "callback": QT_TRANSLATE_NOOP(
        "purposes", "Satisfaction call-back: asking after a service visit how it went."
    ),
    "reminder": QT_TRANSLATE_NOOP(
        "purposes", "Reminders: maintenance due, annual inspection, insurance renewal."
    ),
    "survey": QT_TRANSLATE_NOOP(
        "purposes", "Satisfaction: call-backs and surveys about a service visit."
    ),
    "recall": QT_TRANSLATE_NOOP(
        "purposes",
        "Recalls: the maker's safety recall notices; most customers who refuse sales still "
        "want these. A recall list is not held back by recent contacts or other lists.",
    ),
    "marketing": QT_TRANSLATE_NOOP(
        "purposes",
        "Marketing: promotions, events and holiday greetings sent to many customers at once. "
        "Needs marketing consent.",
    ),
    "sales": QT_TRANSLATE_NOOP(
        "purposes",
        "Sales: a personal offer to this customer to buy, replace or add a car. Needs "
        "marketing consent.",
    ),
    "ref_thanks": QT_TRANSLATE_NOOP(
        "purposes",
        "Referral thanks: thanking a customer whose friend or relative came or bought; "
        "nothing is offered.",
    ),
    "ref_ask": QT_TRANSLATE_NOOP(
        "purposes",
        "Referral request: asking a satisfied customer to introduce friends. Needs "
        "marketing consent; a sales or marketing refusal blocks it.",
    ),
}
REFUSAL_MIN_WIDTH = 440


def purpose_hint(code: str | None) -> str:
    """The translated explanation of a purpose code ('' for an unknown code)."""
    text = PURPOSE_HINTS.get(code)
    return QCoreApplication.translate("purposes", text) if text else ""


class RefusalDialog(QDialog):
    """A new do-not-contact entry: channel, purpose, reason, from when and until when. Sized
    for its content in either language: the reason's example and the purpose's explanation are
    read in full."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Do not contact"))
        self.channel = QComboBox()
        self.channel.addItem(self.tr("All channels"), None)
        for code in CHANNELS:
            self.channel.addItem(label("channel", code), code)
        self.purpose = QComboBox()
        self.purpose.addItem(self.tr("All purposes"), None)
        for code in DNC_PURPOSES:
            self.purpose.addItem(label("purpose", code), code)
        for index in range(self.purpose.count()):
            self.purpose.setItemData(
                index, purpose_hint(self.purpose.itemData(index)), Qt.ItemDataRole.ToolTipRole
            )
        self.purpose_hint = QLabel()
        self.purpose_hint.setObjectName("purposeHint")
        self.purpose_hint.setWordWrap(True)
        self.purpose_hint.setStyleSheet("QLabel#purposeHint { color: #555; }")
        self.purpose_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.purpose.currentIndexChanged.connect(self._on_purpose_changed)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText(self.tr("e.g. the customer said clearly: no sales calls"))
        # A placeholder does not widen a line edit: make room for the whole example.
        self.reason.setMinimumWidth(
            self.reason.fontMetrics().horizontalAdvance(self.reason.placeholderText()) + 24
        )
        self.set_on = date_edit()
        self.until = QCheckBox(self.tr("Ends on"))
        self.expires = date_edit()
        self.expires.setDate(QDate.currentDate().addMonths(6))
        self.expires.setEnabled(False)
        self.until.toggled.connect(self.expires.setEnabled)
        ends = QHBoxLayout()
        ends.addWidget(self.until)
        ends.addWidget(self.expires)
        ends.addStretch(1)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Channel"), self.channel)
        form.addRow(self.tr("&Purpose"), self.purpose)
        form.addRow("", self.purpose_hint)
        form.addRow(self.tr("&Reason"), self.reason)
        form.addRow(self.tr("From"), self.set_on)
        form.addRow(ends)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(max(REFUSAL_MIN_WIDTH, form.sizeHint().width()))
        self._reserve_hint_height()
        self._on_purpose_changed()
        self.adjustSize()

    def _reserve_hint_height(self) -> None:
        """Room for the longest explanation at the dialog's width, so choosing never jumps."""
        self.resize(self.minimumWidth(), self.sizeHint().height())
        self.layout().activate()
        width = self.purpose_hint.width()
        heights = []
        for i in range(self.purpose.count()):
            self.purpose_hint.setText(purpose_hint(self.purpose.itemData(i)))
            heights.append(self.purpose_hint.heightForWidth(width))
        self.purpose_hint.setMinimumHeight(max(heights))

    def _on_purpose_changed(self) -> None:
        self.purpose_hint.setText(purpose_hint(self.purpose.currentData()))

    def accept(self) -> None:
        """Closed only with a reason: an empty one is asked for here, with what was chosen
        kept (the service refuses it too, but only once the dialog is gone)."""
        if not self.reason.text().strip():
            QMessageBox.warning(self, self.windowTitle(), translate_error(
                RevisitError(N_("Say why the customer is not to be contacted."))))
            self.reason.setFocus()
            return
        super().accept()

    def values(self) -> dict:
        return {
            "channel": self.channel.currentData(),
            "purpose": self.purpose.currentData(),
            "reason": self.reason.text(),
            "set_on": self.set_on.date().toPython(),
            "expires_on": self.expires.date().toPython() if self.until.isChecked() else None,
        }
