"""Settings: this PC's language, the signed-in person's password, the department's shared
settings (shop, SMS signature, price and sending window, contact fatigue, call recycling),
stored in the database for every PC and changed by a supervisor only, the tag vocabulary and
the service intervals (everyone sees them, a supervisor changes them), and for supervisors the
staff accounts and the backups. A save based on settings someone changed since they were loaded is
refused by the service; the view then offers to reload them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDir, QRegularExpression, QSettings, Qt, QTime, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from services.outputs.label_layouts import layout_title, layouts
from services.staff import accounts
from services.staff.permissions import (
    MANAGE_DATABASE,
    MANAGE_USERS,
    SAVE_SETTINGS,
    Actor,
    allowed,
)
from services.store import settings as shared
from services.store.database import Database, current_revision
from services.store.errors import StaleEdit
from ui import files, tasks
from ui.dialogs.password_dialog import PasswordDialog
from ui.i18n import translate_error
from ui.labels import database_place, label, language
from ui.tasks import TaskRunner
from ui.views.backups_panel import BackupsPanel
from ui.views.intervals_panel import IntervalsPanel
from ui.views.suggestion_rules_panel import SuggestionRulesPanel
from ui.views.tags_panel import TagsPanel
from ui.views.users_panel import UsersPanel
from ui.widgets import NotUsedAsStored, scrolling

LANGUAGES = (("", "System language / 系统语言"), ("zh_CN", "简体中文"), ("en", "English"))
LANGUAGE_KEY = "ui/language"


def _qtime(value: dt.time) -> QTime:
    return QTime(value.hour, value.minute)


def _time(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())



class SettingsView(QWidget):
    saved = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(
            max(0, self.language.findData(QSettings().value(LANGUAGE_KEY, "")))
        )
        self.language.currentIndexChanged.connect(self._on_language_changed)
        self.language_note = QLabel()
        personal = QGroupBox(self.tr("This computer"))
        personal_form = QFormLayout(personal)
        personal_form.addRow(self.tr("&Language"), self.language)
        personal_form.addRow("", self.language_note)
        self.export_folder = QLineEdit(QDir.toNativeSeparators(files.export_folder()))
        self.export_folder.setReadOnly(True)
        self.export_folder.setToolTip(
            self.tr("Where Revisit first suggests saving lists, call sheets and labels")
        )
        self.choose_folder = QPushButton(self.tr("&Choose…"))
        self.choose_folder.clicked.connect(self._on_choose_folder_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.export_folder, 1)
        folder_row.addWidget(self.choose_folder)
        personal_form.addRow(self.tr("Export folder"), folder_row)
        self.change_password = QPushButton(self.tr("Change my &password…"))
        self.change_password.clicked.connect(self._on_change_password_clicked)
        me_row = QHBoxLayout()
        me_row.addWidget(QLabel(f"{actor.display_name or actor.username} ({actor.username}), "
                                f"{label('staff_role', actor.role)}"))
        me_row.addWidget(self.change_password)
        me_row.addStretch(1)
        personal_form.addRow(self.tr("Signed in as"), me_row)

        # A new database has no shop name or signature: the empty fields say what goes there.
        self.shop_name = QLineEdit()
        self.shop_name.setPlaceholderText(self.tr("The shop's name, as printed on envelopes "
                                                  "and in texts"))
        self.shop_phone = QLineEdit()
        self.shop_address = QLineEdit()
        self.shop_address.setPlaceholderText(self.tr("Province, city, district, street"))
        self.shop_address.setToolTip(self.tr(
            "Printed as the sender on envelopes. Its city also places imported addresses that "
            "start with a district several cities have (南山区 is in Shenzhen and in Hegang)."))
        self.shop_postcode = QLineEdit()
        # Digits only, and no mask: a mask's "______" in the empty field looked like an error.
        self.shop_postcode.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,6}"), self.shop_postcode))
        self.shop_postcode.setPlaceholderText(self.tr("six digits, e.g. 510000"))
        self.label_layout = QComboBox()
        for key in layouts():
            self.label_layout.addItem(layout_title(key, language()), key)
        self.signature = QLineEdit()
        self.signature.setPlaceholderText(self.tr("【shop name】, as registered with the SMS "
                                                  "vendor"))
        self.signature.setToolTip(self.tr("Counted in every SMS's length, e.g. 【某某丰田】"))
        self.opt_out = QLineEdit()
        self.opt_out.setToolTip(self.tr("Marketing SMS must say how to refuse, e.g. 回T退订"))
        self.vendor = QComboBox()
        for code, name in (
            ("generic", self.tr("Generic file")),
            ("aliyun", self.tr("Aliyun")),
            ("huawei", self.tr("Huawei Cloud")),
        ):
            self.vendor.addItem(name, code)
        self.sms_price = QDoubleSpinBox()
        self.sms_price.setDecimals(shared.SMS_PRICE_PLACES)
        self.sms_price.setRange(0, float(shared.MAX_SMS_PRICE))
        self.sms_price.setSingleStep(0.001)
        self.sms_price.setSuffix(self.tr(" yuan per part"))
        self.sms_price.setToolTip(self.tr(
            "What the SMS vendor charges for one billed part (70 characters, or 67 in a longer "
            "message); the estimate before an SMS file is written uses it"))
        self.window_start = QTimeEdit()
        self.window_end = QTimeEdit()
        for edit in (self.window_start, self.window_end):
            edit.setDisplayFormat("HH:mm")
        window = QHBoxLayout()
        window.addWidget(self.window_start)
        window.addWidget(QLabel("–"))
        window.addWidget(self.window_end)
        window.addStretch(1)
        self.fatigue = QSpinBox()
        self.retry = QSpinBox()
        self.attempts = QSpinBox()
        for spin, suffix in (
            (self.fatigue, self.tr(" days")),
            (self.retry, self.tr(" days")),
            (self.attempts, self.tr(" days")),
        ):
            spin.setRange(0, 365)
            spin.setSuffix(suffix)
        self.attempts.setMinimum(1)  # 0 days of failed calls would call nobody
        self.save_button = QPushButton(self.tr("&Save shared settings"))
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        # The stored settings not used as stored (written by SQL or an older copy), a sentence
        # each: what was stored and what is used instead.
        self.not_valid = NotUsedAsStored()
        department = QGroupBox(self.tr("Shared by every PC on this database"))
        form = QFormLayout(department)
        form.addRow(self.not_valid)
        form.addRow(self.tr("Shop name"), self.shop_name)
        form.addRow(self.tr("Shop phone"), self.shop_phone)
        form.addRow(self.tr("Shop address (envelope sender)"), self.shop_address)
        form.addRow(self.tr("Shop postcode"), self.shop_postcode)
        form.addRow(self.tr("Label sheet"), self.label_layout)
        form.addRow(self.tr("SMS signature"), self.signature)
        form.addRow(self.tr("SMS opt-out text"), self.opt_out)
        form.addRow(self.tr("SMS vendor file layout"), self.vendor)
        form.addRow(self.tr("SMS price per part"), self.sms_price)
        form.addRow(self.tr("Marketing SMS only between"), window)
        form.addRow(self.tr("Do not contact again within"), self.fatigue)
        form.addRow(self.tr("Unanswered calls come back after"), self.retry)
        form.addRow(self.tr("Switch to SMS or mail after days of failed calls"), self.attempts)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        form.addRow(buttons)
        if not allowed(actor, SAVE_SETTINGS):
            # The service refuses staff too; here they see why the form cannot be changed.
            for child in department.findChildren(QWidget):
                child.setEnabled(False)
            self.status.setEnabled(True)
            self.status.setText(self.tr("Only a supervisor may change these settings."))

        revision = current_revision(database.engine)
        about = QGroupBox(self.tr("Database"))
        about_form = QFormLayout(about)
        short, full = database_place(database.url)
        place = QLabel(full or short)
        place.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        place.setWordWrap(True)
        about_form.addRow(self.tr("Location"), place)
        about_form.addRow(self.tr("Schema revision"), QLabel(revision or ""))

        for group in (personal, department, about):
            group.setMaximumWidth(820)
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addWidget(personal)
        general_layout.addWidget(department)
        general_layout.addWidget(about)
        general_layout.addStretch(1)
        general_scroll = scrolling(general)  # about 680 px tall
        self.tabs = QTabWidget()
        self.tabs.addTab(general_scroll, self.tr("General"))
        self.users: UsersPanel | None = None
        if allowed(actor, MANAGE_USERS):
            self.users = UsersPanel(database, runner, actor)
            self.tabs.addTab(self.users, self.tr("Staff accounts"))
        self.backups: BackupsPanel | None = None
        if allowed(actor, MANAGE_DATABASE):
            self.backups = BackupsPanel(database, runner, actor)
            self.tabs.addTab(self.backups, self.tr("Backups"))
        # Everyone sees the tag vocabulary; only a supervisor changes it (the panel says so).
        self.tags = TagsPanel(database, runner, actor)
        self.tabs.addTab(self.tags, self.tr("Tags"))
        # Everyone sees when cars fall due; only a supervisor changes the intervals.
        self.intervals = IntervalsPanel(database, runner, actor)
        self.tabs.addTab(self.intervals, self.tr("Service intervals"))
        # Everyone reads the suggestion rules; only a supervisor changes them (the panel says so).
        self.suggestion_rules = SuggestionRulesPanel(database, runner, actor)
        self.tabs.addTab(self.suggestion_rules, self.tr("Suggestion rules"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.load()

    def focus_first(self) -> None:
        self.language.setFocus()

    def load(self) -> None:
        self._loaded = shared.load_settings_versions(self.database.sessions)
        self._show(self._loaded.settings)

    def _show(self, s: shared.Settings) -> None:
        self.not_valid.say(self._loaded.not_valid)
        self.shop_name.setText(s.shop_name)
        self.shop_phone.setText(s.shop_phone)
        self.shop_address.setText(s.shop_address)
        self.shop_postcode.setText(s.shop_postcode)
        self.label_layout.setCurrentIndex(max(0, self.label_layout.findData(s.label_layout)))
        self.signature.setText(s.sms_signature)
        self.opt_out.setText(s.sms_opt_out)
        self.vendor.setCurrentIndex(max(0, self.vendor.findData(s.sms_vendor)))
        self.sms_price.setValue(float(s.sms_price_per_part))
        self.window_start.setTime(_qtime(s.sms_window_start))
        self.window_end.setTime(_qtime(s.sms_window_end))
        self.fatigue.setValue(s.contact_fatigue_days)
        self.retry.setValue(s.no_answer_retry_days)
        self.attempts.setValue(s.max_failed_attempts)

    def values(self) -> shared.Settings:
        # Over what was loaded: settings this form does not show (the backup ones) stay as
        # they are, and the save writes only what was changed here.
        return dataclasses.replace(
            self._loaded.settings,
            shop_name=self.shop_name.text().strip(),
            shop_phone=self.shop_phone.text().strip(),
            shop_address=self.shop_address.text().strip(),
            shop_postcode=self.shop_postcode.text().strip(),
            label_layout=self.label_layout.currentData(),
            sms_signature=shared.signature(self.signature.text()),
            sms_opt_out=self.opt_out.text().strip(),
            sms_vendor=self.vendor.currentData(),
            sms_price_per_part=self._price(),
            sms_window_start=_time(self.window_start.time()),
            sms_window_end=_time(self.window_end.time()),
            contact_fatigue_days=self.fatigue.value(),
            no_answer_retry_days=self.retry.value(),
            max_failed_attempts=self.attempts.value(),
        )

    def _price(self) -> Decimal:
        """The price as typed: the spin box's value to its decimals, as an exact Decimal; the
        price loaded when it shows the same (no change to save)."""
        typed = Decimal(f"{self.sms_price.value():.{shared.SMS_PRICE_PLACES}f}")
        loaded = self._loaded.settings.sms_price_per_part
        return loaded if typed == loaded else typed

    def save(self) -> None:
        values, actor, loaded = self.values(), self.actor, self._loaded
        sessions = self.database.sessions
        self.status.clear()

        def work(_p, _c):
            shared.save_settings(sessions, values, actor, loaded)
            return shared.load_settings_versions(sessions)

        self.runner.run(
            work,
            on_done=self._on_saved,
            on_failed=self._on_save_failed,
            parent_widget=self,
            label=self.tr("Saving settings"),
            write=True,
        )

    def _on_saved(self, fresh: shared.LoadedSettings) -> None:
        self._loaded = fresh
        self._show(fresh.settings)
        self.status.setText(self.tr("Saved."))
        self.saved.emit()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, StaleEdit):
            tasks.show_error(self, exc)  # looked up here, so tests can replace it
            return
        answer = QMessageBox.question(
            self, self.tr("Settings"),
            translate_error(exc) + "\n\n" + self.tr(
                "Reload the settings now? Your changes that were not saved are lost."))
        if answer == QMessageBox.StandardButton.Yes:
            self.load()
            self.status.setText(self.tr("Reloaded; make your change again."))

    def _on_language_changed(self) -> None:
        QSettings().setValue(LANGUAGE_KEY, self.language.currentData())
        self.language_note.setText(self.tr("The new language applies when Revisit restarts."))

    def _on_change_password_clicked(self) -> None:
        sessions, actor = self.database.sessions, self.actor
        dialog = PasswordDialog(
            self.database,
            lambda current, new: accounts.change_password(sessions, actor, current, new),
            title=self.tr("Change my password"),
            ask_current=True,
            parent=self,
        )
        if dialog.exec() == PasswordDialog.DialogCode.Accepted:
            self.runner.notify(self.tr("Password changed"))

    def _on_choose_folder_clicked(self) -> None:
        folder = files.choose_export_folder(self)
        if folder:
            self.export_folder.setText(QDir.toNativeSeparators(folder))
