"""Lists: the wizard from a segment to this week's work — channel rules and exclusions (with the
excluded people and why), the callers' split, then the outputs — and the past runs, re-printable
exactly as they were, with the filled-in lists read back beside them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.lists import asked as asking
from services.lists import build, building, runs
from services.lists.choices import RunChoices, run_choices
from services.lists.query import UNHELD_PURPOSES
from services.lists.shown import segment_in
from services.outputs import run_files
from services.outputs.types import Steps
from services.staff.permissions import NOT_PASSED, Actor, NotPassed
from services.store.database import Database
from services.store.settings import Settings
from services.store.versions import when_text
from ui.i18n import translate_error
from ui.labels import joined, label, language
from ui.table_models.run_tables import RunExclusionsModel, RunMembersModel
from ui.tasks import DataChange, TaskRunner, changed
from ui.views.customer_page import fill_table, make_table, read_only_rows
from ui.views.list_outputs import ListOutputs
from ui.views.list_readback import ReadBackPanel
from ui.views.preferences_panel import purpose_hint
from ui.widgets import date_edit, name_room, when_empty

PURPOSES = ("care", "callback", "sales", "reminder", "survey", "recall", "marketing",
            "ref_thanks", "ref_ask")
CHANNEL_MODES = ("auto", "call", "sms", "mail", "wechat", "visit")
# The purpose a segment was saved for, beside its name in the segment chooser.
PURPOSE_ROLE = Qt.ItemDataRole.UserRole + 1


class ListsView(QWidget):
    """`run_built` carries the id of the run shown on steps 2 and 3 (built or reopened)."""

    run_built = Signal(int)
    choices_loaded = Signal()  # the segments, callers and settings are on screen

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor  # recording from a member's brief is theirs
        self.run_id: int | None = None
        self.settings: Settings | None = None  # the shared settings, once loaded
        self.steps = QStackedWidget()
        self.steps.addWidget(self._build_choose())
        self.steps.addWidget(self._build_result())
        self.outputs = ListOutputs(runner, actor=actor, sessions=database.sessions)
        self.steps.addWidget(self.outputs)
        self.back = QPushButton(self.tr("◀ &Back"))
        self.next = QPushButton(self.tr("&Next ▶"))
        self.step_label = QLabel()
        self.back.clicked.connect(lambda: self._go(self.steps.currentIndex() - 1))
        self.next.clicked.connect(lambda: self._go(self.steps.currentIndex() + 1))
        nav = QHBoxLayout()
        nav.addWidget(self.step_label, 1)
        nav.addWidget(self.back)
        nav.addWidget(self.next)
        wizard = QWidget()
        wizard_layout = QVBoxLayout(wizard)
        wizard_layout.addWidget(self.steps, 1)
        wizard_layout.addLayout(nav)
        self.tabs = QTabWidget()
        self.tabs.addTab(wizard, self.tr("New list"))
        self.tabs.addTab(self._build_history(), self.tr("Past runs"))
        self.tabs.currentChanged.connect(lambda i: i == 1 and self.refresh_history())
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        runner.data_changed.connect(self._on_data_changed)
        self._go(0)

    def _on_data_changed(self, change: DataChange) -> None:
        # The segments to choose from, and the settings' default for "not contacted again".
        if change.touches("segments", "settings"):
            self.reload_choices()
        # Past runs being read: a run made or read back elsewhere, calls made since.
        if change.touches("lists", "contacts") and self.tabs.currentIndex() == 1 \
                and self.isVisible():
            self.refresh_history()

    # --- step 1: segment, purpose, channel, callers --------------------------------------
    def _build_choose(self) -> QWidget:
        self.segment = QComboBox()
        self.segment.setMaxVisibleItems(20)  # of 36 templates and the saved segments
        self.as_of = date_edit()
        self.fatigue = QSpinBox()
        self.fatigue.setRange(0, 365)
        self.fatigue.setSuffix(self.tr(" days"))
        self.purpose = QComboBox()
        for code in PURPOSES:
            self.purpose.addItem(label("purpose", code), code)
            self.purpose.setItemData(
                self.purpose.count() - 1, purpose_hint(code), Qt.ItemDataRole.ToolTipRole
            )
        self.purpose_hint = QLabel()
        self.purpose_hint.setObjectName("purposeHint")
        self.purpose_hint.setWordWrap(True)
        self.purpose_hint.setStyleSheet("QLabel#purposeHint { color: #555; }")
        self.purpose.currentIndexChanged.connect(self._on_purpose_changed)
        self.segment.currentIndexChanged.connect(self._on_segment_changed)
        self._on_purpose_changed()
        self.channels = QButtonGroup(self)
        channel_row = QHBoxLayout()
        names = {
            "auto": self.tr("Each customer's preferred channel"),
            "call": self.tr("Phone"),
            "sms": self.tr("SMS"),
            "mail": self.tr("Mail"),
            "wechat": self.tr("WeChat"),
            "visit": self.tr("Visit"),
        }
        for i, code in enumerate(CHANNEL_MODES):
            button = QRadioButton(names[code])
            button.setProperty("code", code)
            self.channels.addButton(button, i)
            channel_row.addWidget(button)
        channel_row.addStretch(1)  # the choices side by side, not spread over a wide window
        self.channels.button(0).setChecked(True)
        self.callers = QListWidget()
        self.callers.setMaximumHeight(160)
        self.split = QComboBox()
        self.split.addItem(self.tr("Evenly between the callers"), "even")
        self.split.addItem(self.tr("Each customer to their own staff member"), "owner")
        self.split.setToolTip(self.tr(
            "Calls to one number (a family's shared phone, a company's switchboard) go to one "
            "caller, one after another."))
        self.build_button = QPushButton(self.tr("B&uild the list"))
        self.build_button.clicked.connect(self.build)
        self.build_note = QLabel(
            self.tr(
                "Excluded automatically, each with the reason shown: do-not-contact on the "
                "channel, no marketing consent for sales, contacted recently, an unresolved "
                "complaint for sales, no number to call (without a valid mobile, a landline "
                "among their other phones is called), no valid mobile for SMS, no address or "
                "WeChat ID, unanswered calls waiting to come back."
            )
        )
        self.build_note.setWordWrap(True)
        # A date and a number of days need no more room than they show.
        self.as_of.setMaximumWidth(180)
        self.fatigue.setMaximumWidth(180)
        page = QWidget()
        outer = QVBoxLayout(page)
        # The form keeps a reading width on a wide screen (the fields, the callers' names and
        # the note stretched over 1,100 px on a maximised window) and sits to the left.
        column = QWidget()
        column.setMaximumWidth(860)
        form = QFormLayout(column)
        form.setContentsMargins(0, 0, 0, 0)
        beside = QHBoxLayout()
        beside.addWidget(column, 1)
        beside.addStretch(0)
        outer.addLayout(beside)
        outer.addStretch(1)
        form.addRow(self.tr("&Segment"), self.segment)
        form.addRow(self.tr("Evaluation &date"), self.as_of)
        # The combo box and its explanation in one field: a wrapped label on a row of its own
        # gets more height from QFormLayout than it needs.
        purpose_field = QWidget()
        purpose_layout = QVBoxLayout(purpose_field)
        purpose_layout.setContentsMargins(0, 0, 0, 0)
        purpose_layout.addWidget(self.purpose)
        purpose_layout.addWidget(self.purpose_hint)
        purpose_label = QLabel(self.tr("&Purpose"))
        purpose_label.setBuddy(self.purpose)
        form.addRow(purpose_label, purpose_field)
        form.addRow(self.tr("Channel"), channel_row)
        form.addRow(self.tr("Not contacted again within"), self.fatigue)
        form.addRow(self.tr("Callers"), self.callers)
        form.addRow(self.tr("Split"), self.split)
        form.addRow("", self.build_note)
        build_row = QHBoxLayout()
        build_row.addWidget(self.build_button)
        build_row.addStretch(1)
        form.addRow("", build_row)
        return page

    def _on_purpose_changed(self) -> None:
        self.purpose_hint.setText(purpose_hint(self.purpose.currentData()))
        self.purpose.setToolTip(self.purpose_hint.text())
        # A recall is held back by no recent contact nor other list (build.py, UNHELD_PURPOSES).
        unheld = self.purpose.currentData() in UNHELD_PURPOSES
        self.fatigue.setEnabled(not unheld)
        self.fatigue.setToolTip(
            self.tr("A recall notice goes out whatever other contact the customer had: "
                    "a safety notice does not wait.") if unheld else "")

    def focus_first(self) -> None:
        if self.tabs.currentIndex() == 0 and self.steps.currentIndex() == 0:
            self.segment.setFocus()
        else:
            self.tabs.currentWidget().setFocus()
            self.tabs.currentWidget().focusNextChild()

    def reload_choices(self) -> None:
        """Ask for the segments, callers and settings in the background; what the user picked
        stays picked."""
        lang = language()
        self.runner.run(
            lambda _p, _c: run_choices(self.database.sessions, lang),
            on_done=self._show_choices,
            latest="list-choices",
            parent_widget=self,
            label=self.tr("Loading segments and callers"),
        )

    def _on_segment_changed(self) -> None:
        """A segment saved for a purpose (a maintenance reminder, say) picks that purpose;
        staff may still choose another."""
        purpose = self.segment.currentData(PURPOSE_ROLE)
        if purpose is not None and self.purpose.findData(purpose) >= 0:
            self.purpose.setCurrentIndex(self.purpose.findData(purpose))

    def _show_choices(self, choices: RunChoices) -> None:
        current = self.segment.currentData()
        self.segment.blockSignals(True)  # the purpose follows a segment staff pick, below
        self.segment.clear()
        titles = choices.titles or choices.segments
        saved = set(titles[:len(titles) - choices.templates])
        for n, (name, title, purpose) in enumerate(zip(
                choices.segments, titles,
                choices.purposes or (None,) * len(choices.segments), strict=True)):
            if n >= len(saved) and title in saved:  # a saved segment took the template's name
                title = self.tr("%1 (ready-made)").replace("%1", title)
            self.segment.addItem(title, name)
            self.segment.setItemData(self.segment.count() - 1, purpose, PURPOSE_ROLE)
        if choices.templates and choices.templates < self.segment.count():
            # The saved segments above, the templates not saved yet below.
            self.segment.insertSeparator(self.segment.count() - choices.templates)
        # (findData(None) would find the separator.)
        chosen = -1 if current is None else self.segment.findData(current)
        self.segment.setCurrentIndex(max(0, chosen))
        self.segment.blockSignals(False)
        if current is None:  # the first choices: the first segment's purpose
            self._on_segment_changed()
        ticked = set(self._ticked_callers())
        self.callers.clear()
        for staff in choices.callers:
            item = QListWidgetItem(staff.shown)
            item.setData(Qt.ItemDataRole.UserRole, staff.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if staff.username in ticked else Qt.CheckState.Unchecked
            )
            self.callers.addItem(item)
        self.settings = choices.settings
        self.fatigue.setValue(self.settings.contact_fatigue_days)
        self.build_button.setEnabled(self.segment.count() > 0)
        self.choices_loaded.emit()

    def _ticked_callers(self) -> tuple[str, ...]:
        """The ticked callers' usernames."""
        return tuple(
            self.callers.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.callers.count())
            if self.callers.item(i).checkState() == Qt.CheckState.Checked
        )

    def options(self) -> build.RunOptions:
        return build.RunOptions(
            channel=self.channels.checkedButton().property("code"),
            staff=self._ticked_callers(),
            split=self.split.currentData(),
            purpose=self.purpose.currentData(),
            as_of=self.as_of.date().toPython(),
            overrides={"contact_fatigue_days": self.fatigue.value()},
            # Who made it: the audit trail's entry and the run itself name them.
            created_by=self.actor.id if isinstance(self.actor, Actor) else None,
        )

    def build(self) -> None:
        name = self.segment.currentData()
        if not name:
            return
        options = self.options()
        self.build_button.setEnabled(False)
        sessions = self.database.sessions

        def count(_progress, _cancel) -> asking.Asked | asking.NobodyToContact:
            # The callers and purpose checked and the segment counted before the question,
            # and before a template is saved as a segment: a build refused saves nothing.
            try:
                return asking.check_asked(sessions, name, options, count=True)
            except asking.NobodyToContact as said:
                return said

        self.runner.run(
            count,
            on_done=lambda asked: self._on_counted(name, options, asked),
            on_failed=self._on_build_failed,
            on_cancelled=lambda: self.build_button.setEnabled(True),
            parent_widget=self,
            label=self.tr("Counting the segment"),
        )

    def _on_counted(self, name: str, options: build.RunOptions,
                    asked: asking.Asked | asking.NobodyToContact) -> None:
        """Nobody in the segment: said, and nothing stored; else the question, then the
        build."""
        if isinstance(asked, asking.NobodyToContact):
            self.build_button.setEnabled(True)
            QMessageBox.information(self, self.tr("Build and store the list"),
                                    translate_error(asked))
            return
        if not self._confirm_build(options, asked.customers or 0):
            self.build_button.setEnabled(True)
            return
        sessions = self.database.sessions
        building_text = self.tr("Building the list")
        # The words the CLI prints while another PC makes the segment's list, in the progress.
        waiting_text = self.tr("Another list of “%1” is being made right now; waiting for it "
                               "to end").replace("%1", self.segment.currentText())

        def build_and_finish(progress, cancel) -> build.RunSummary:
            # The window saves a run's files on demand, each one whole, so the run is finished
            # as soon as it is stored; a window closed in between leaves it unfinished, shown
            # so under "Past runs" with a button to finish it. A run of nobody is not stored.
            # One list of a segment made at a time, on every PC (building.making): another
            # build of it is waited for, and this one refused if it would replace its calls.
            with building.making(sessions, name, options.channel, cancel=cancel,
                                 waiting=lambda: progress(0, 0, waiting_text)):
                progress(0, 0, building_text)
                try:
                    summary = build.build_run(sessions, name, options, progress=progress,
                                              cancel=cancel, sink=asking.RefuseEmpty())
                except asking.NobodyToContact:
                    raise asking.nobody_to_contact(sessions, name, asked,
                                                   options.as_of) from None
                runs.finish_run(sessions, summary.run_id)
            return summary

        self.runner.run(
            build_and_finish,
            on_done=self._on_built,
            on_failed=self._on_build_failed,
            on_cancelled=lambda: self.build_button.setEnabled(True),
            parent_widget=self,
            label=building_text,
            write=True,
            changes=changed("lists"),
        )

    def _confirm_build(self, options: build.RunOptions, customers: int) -> bool:
        """Building stores a run and hands calls to callers: say so, and how many the segment
        has, and let the user stop."""
        channel = self.channels.checkedButton().text()
        text = (
            self.tr("Build a list from the segment “%1” for %2, channel: %3, evaluated on %4?")
            .replace("%1", self.segment.currentText())
            .replace("%2", self.purpose.currentText())
            .replace("%3", channel)
            .replace("%4", options.as_of.isoformat())
        )
        text += "\n\n" + self.tr(
            "The segment has %n customer(s) that day; those who may be contacted for this "
            "purpose on this channel are the list's members.", "", customers)
        if options.channel not in ("auto", "call"):  # no calls to hand out
            text += "\n\n" + self.tr("The list is stored as a new run.")
        elif options.staff:
            text += "\n\n" + self.tr(
                "The list is stored as a new run, and its calls are assigned to %n caller(s) "
                "and appear in their follow-up queues.",
                "",
                len(options.staff),
            )
        else:
            text += "\n\n" + self.tr(
                "The list is stored as a new run. No caller is ticked, so its calls are not "
                "assigned to anyone's follow-up queue."
            )
        answer = QMessageBox.question(
            self,
            self.tr("Build and store the list"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_built(self, summary: build.RunSummary) -> None:
        self.runner.notify(
            self.tr("List #%1 stored: %Ln customer(s) in it.", "", summary.members).replace(
                "%1", str(summary.run_id)
            )
        )
        self.open_run(summary.run_id)

    def _on_build_failed(self, exc) -> None:
        from ui.tasks import show_error

        self.build_button.setEnabled(True)
        show_error(self, exc)

    # --- step 2: who is in, who is out and why -------------------------------------------
    def _build_result(self) -> QWidget:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.member_rows = RunMembersModel(self)
        self.members = _run_table(self.member_rows)
        # Their names may be cut short (_show_run), whole in the tooltip.
        self.members.setProperty("elidedColumns", [1])
        self.excluded_rows = RunExclusionsModel(self)
        self.excluded = _run_table(self.excluded_rows)
        self.excluded.setProperty("elidedColumns", [0])
        self.members.setToolTip(self.tr("Double-click a member for their pre-call brief"))
        self.members.doubleClicked.connect(lambda index: self.open_member_brief(index.row()))
        self.members.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        brief_action = QAction(self.tr("Customer brief…"), self.members)
        brief_action.triggered.connect(
            lambda: self.open_member_brief(self.members.currentIndex().row()))
        self.members.addAction(brief_action)
        self.brief_button = QPushButton(self.tr("Customer b&rief…"))
        self.brief_button.setToolTip(self.tr("The chosen member's pre-call brief: last contact, "
                                             "spend, satisfaction, complaints, intent and the "
                                             "suggested next step"))
        self.brief_button.clicked.connect(
            lambda: self.open_member_brief(self.members.currentIndex().row()))
        members_head = QHBoxLayout()
        members_head.addWidget(QLabel(self.tr("In the list")), 1)
        members_head.addWidget(self.brief_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(members_head)
        left_layout.addWidget(self.members)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel(self.tr("Excluded, and why")))
        right_layout.addWidget(self.excluded)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        self.finish_button = QPushButton(self.tr("&Finish this list"))
        self.finish_button.setVisible(False)
        self.finish_button.clicked.connect(self._on_finish_clicked)
        self.withdraw_button = QPushButton()
        self.withdraw_button.setVisible(False)
        self.withdraw_button.clicked.connect(self._on_withdraw_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.finish_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._withdrawn = False
        return page

    def open_member_brief(self, row: int):
        """The pre-call brief of the member on `row` of the table, in a dialog (None when no
        member is chosen)."""
        from ui.views.brief_actions import open_brief

        member = self.member_rows.row_at(row)
        if member is None:
            return None
        return open_brief(self, self.database, self.runner, self.actor, member.customer_code,
                          member.name)

    def _on_finish_clicked(self) -> None:
        """Finish the unfinished run on screen: its calls join the callers' queues."""
        run_id, sessions = self.run_id, self.database.sessions
        if run_id is None:
            return
        self.finish_button.setEnabled(False)
        self.runner.run(
            lambda _p, _c: runs.finish_run(sessions, run_id),
            on_done=lambda _done: self.open_run(run_id),
            parent_widget=self,
            label=self.tr("Finishing the list"),
            write=True,
            changes=changed("lists"),
        )

    def _on_withdraw_clicked(self) -> None:
        """Withdraw the run on screen (a list made by mistake), or put a withdrawn one back,
        once the user confirms: its calls not yet made leave the callers' queues, or return."""
        run_id, sessions, actor = self.run_id, self.database.sessions, self._actor()
        if run_id is None:
            return
        back = self._withdrawn
        if back:
            title = self.tr("Put list back")
            question = self.tr("Put list #%1 back? Its calls not yet made return to the "
                               "callers' queues.")
        else:
            title = self.tr("Withdraw list")
            question = self.tr("Withdraw list #%1? Its calls not yet made leave every caller's "
                               "queue. Calls already made stay recorded, the list stays under "
                               "Past runs, and it can be put back.")
        answer = QMessageBox.question(
            self, title, question.replace("%1", str(run_id)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.withdraw_button.setEnabled(False)

        def shown(calls: int) -> None:
            if not calls:  # none was handed to a caller, or every one was made
                said = (self.tr("List #%1 put back; none of its calls is in a caller's "
                                "queue.") if back else
                        self.tr("List #%1 withdrawn; none of its calls was in a caller's "
                                "queue."))
            elif back:
                said = self.tr("List #%1 put back: %Ln call(s) are in the callers' queues "
                               "again.", "", calls)
            else:
                said = self.tr("List #%1 withdrawn: %Ln call(s) left the callers' queues.", "",
                               calls)
            self.runner.notify(said.replace("%1", str(run_id)))
            self.open_run(run_id)

        self.runner.run(
            lambda _p, _c: (runs.reinstate_run if back else runs.withdraw_run)(
                sessions, run_id, actor),
            on_done=shown,
            on_failed=self._on_withdraw_failed,
            parent_widget=self,
            label=self.tr("Putting the list back") if back else self.tr("Withdrawing the list"),
            write=True,
            changes=changed("lists"),
        )

    def _on_withdraw_failed(self, exc) -> None:
        from ui.tasks import show_error

        self.withdraw_button.setEnabled(True)
        show_error(self, exc)

    def _actor(self) -> Actor | None:
        return None if isinstance(self.actor, NotPassed) else self.actor

    def open_run(self, run_id: int) -> None:
        """Show a stored run (new or past) on steps 2 and 3."""
        sessions = self.database.sessions
        self.runner.run(
            # With the texts its SMS file and WeChat list were written with: saved again, they
            # say what they said (not the default greeting).
            lambda p, c: (runs.open_run(sessions, run_id, Steps(p, c)),
                          run_files.run_texts(sessions, run_id),
                          runs.files_complete(sessions, run_id)),
            on_done=lambda opened: self._show_run(*opened),
            parent_widget=self,
            label=self.tr("Loading the list"),
        )

    def _show_run(self, opened: runs.OpenedRun, texts: run_files.RunTexts,
                  complete: bool = False) -> None:
        info, document, settings = opened.info, opened.document, opened.settings
        self.run_id = info.run_id
        self.build_button.setEnabled(True)
        locale = QLocale()
        by_channel = joined(
            f"{self.member_rows.channel_name(k)} {locale.toString(v)}"
            for k, v in sorted(info.by_channel.items())
        )
        excluded = joined(
            f"{label('exclusion', k)} {locale.toString(v)}" for k, v in info.excluded.items()
        )
        text = (
            self.tr("List #%1 from “%2” on %3: %4. Excluded: %5.")
            .replace("%1", str(info.run_id))
            .replace("%2", segment_in(info.segment, language()))
            .replace("%3", info.as_of.isoformat())
            .replace("%4", by_channel or "0")
            .replace("%5", excluded or "0")
        )
        if info.previous_run_id:
            text += " " + self.tr("Since list #%1: %2 new, %3 no longer in it.").replace(
                "%1", str(info.previous_run_id)
            ).replace("%2", locale.toString(len(info.new))).replace(
                "%3", locale.toString(len(info.dropped)))
        newer = info.replaced_by
        if info.withdrawn and newer is not None:
            text += "\n\n" + self.tr(
                "This list was withdrawn (%1), and list #%2, made later from the same segment, "
                "has replaced it, so it stays out of the follow-up queues: nobody is called "
                "twice. What was already called stays recorded."
            ).replace("%1", when_text(info.withdrawn_at)).replace("%2", str(newer))
        elif info.withdrawn:
            text += "\n\n" + self.tr(
                "This list was withdrawn (%1): its calls are in nobody's follow-up queue. What "
                "was already called stays recorded."
            ).replace("%1", when_text(info.withdrawn_at))
        elif not info.finished and newer is not None:
            text += "\n\n" + self.tr(
                "This list was never completed, and list #%1, made later from the same segment, "
                "has replaced it: its calls stay out of the follow-up queues, so nobody is "
                "called twice."
            ).replace("%1", str(newer))
        elif not info.finished:
            text += "\n\n" + self.tr(
                "This list is unfinished: the program stopped before it was complete, so its "
                "calls are in nobody's follow-up queue. Check it, save its files, then finish it."
            )
        if info.replaces:
            text += "\n\n" + self.tr(
                "It replaces list(s) %1 of the same segment, which were never completed: their "
                "calls stay out of the follow-up queues."
            ).replace("%1", joined(f"#{i}" for i in info.replaces))
        self.summary.setText(text)
        self.finish_button.setVisible(not info.finished and not info.withdrawn
                                      and newer is None)
        self.finish_button.setEnabled(True)
        if complete and not info.finished and not info.withdrawn:
            # Every file of it is at its name as written, by a program killed before it
            # marked the run: finished as that program would have, then shown again (a run
            # a later one replaced stays as it is, its Finish button saying why).
            run_id, sessions = info.run_id, self.database.sessions
            self.runner.run(
                lambda _p, _c: runs.finish_if_complete(sessions, run_id),
                on_done=lambda done: self.open_run(run_id) if done else None,
                parent_widget=self,
                label=self.tr("Finishing the list"),
                write=True,
                changes=changed("lists"),
            )
        self._withdrawn = info.withdrawn
        self.withdraw_button.setText(self.tr("Put this list &back…") if info.withdrawn
                                     else self.tr("&Withdraw this list…"))
        self.withdraw_button.setToolTip(self.tr(
            "A list made by mistake (the wrong segment, callers or purpose): its calls not yet "
            "made leave the callers' queues; it can be put back"))
        # A withdrawn list another has replaced cannot be put back (reinstate_run).
        self.withdraw_button.setVisible(runs.may_withdraw(self._actor(), info.created_by)
                                        and not (info.withdrawn and newer is not None))
        self.withdraw_button.setEnabled(True)
        self.member_rows.set_rows(document.members)
        self.excluded_rows.set_rows(document.excluded)
        for table, names in ((self.members, 1), (self.excluded, 0)):
            table.resizeColumnsToContents()  # measured on the first rows (_run_table)
            # A company's long name pushed the best time off the table.
            room = name_room(table)
            if table.columnWidth(names) > room:
                table.setColumnWidth(names, room)
        self.outputs.set_document(document, settings, texts)
        self.tabs.setCurrentIndex(0)
        self._go(1)
        self.run_built.emit(info.run_id)

    # --- past runs -----------------------------------------------------------------------
    def _build_history(self) -> QWidget:
        self.history = make_table(
            [self.tr("List"), self.tr("Segment"), self.tr("Evaluated on"), self.tr("Purpose"),
             self.tr("Made by"), self.tr("Members"), self.tr("Contacted"), self.tr("Files")]
        )
        self.history.cellDoubleClicked.connect(self._on_history_opened)
        self._history_read = False
        when_empty(self.history, lambda: self.tr(
            "No lists yet. A list built under Build appears here, to open, print again and "
            "read back.") if self._history_read else "")
        open_button = QPushButton(self.tr("&Open and re-print"))
        open_button.clicked.connect(lambda: self._on_history_opened(self.history.currentRow(), 0))
        # The lists come back filled in: read here, they become contacts, km and profile.
        self.read_back = ReadBackPanel(self.database, self.runner, actor=self.actor)
        self.read_back.read_done.connect(lambda _report: self.refresh_history())
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.history, 2)
        layout.addWidget(open_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.read_back, 1)
        self._history: tuple = ()
        return page

    def read_back_file(self, path: Path) -> None:
        """Show Past runs and read the filled-in list at `path` back (sent here from the
        import, where it was dropped by mistake)."""
        self.tabs.setCurrentIndex(1)
        if self.read_back.button.isEnabled():
            self.read_back.read(path)

    def refresh_history(self) -> None:
        self.runner.run(
            lambda _p, _c: runs.list_runs(self.database.sessions),
            on_done=self._show_history,
            parent_widget=self,
        )

    def _show_history(self, rows) -> None:
        self._history, self._history_read = rows, True
        # "Files written" is what a finished run is: its calls are handed out; how far they
        # are is the Contacted column (a run said "finished" before anyone was called).
        done, unfinished = self.tr("written"), self.tr("not complete")
        withdrawn, replaced = self.tr("withdrawn"), self.tr("replaced by #%1")
        lang = language()

        def state(r: runs.RunRow) -> str:
            if r.replaced_by is not None:
                return replaced.replace("%1", str(r.replaced_by))
            return withdrawn if r.withdrawn else done if r.finished else unfinished

        fill_table(self.history, [[f"#{r.run_id}", segment_in(r.segment, lang), r.as_of,
                                   label("purpose", r.purpose), r.made_by, r.members,
                                   r.contacted, state(r)]
                                  for r in rows])

    def _on_history_opened(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._history):
            self.open_run(self._history[row].run_id)

    # --- navigation ----------------------------------------------------------------------
    def _go(self, index: int) -> None:
        if index == 0:
            self.reload_choices()
        index = max(0, min(index, self.steps.count() - 1))
        if index > 0 and self.run_id is None:
            index = 0
        self.steps.setCurrentIndex(index)
        titles = (
            self.tr("Step 1 of 3: what to send to whom"),
            self.tr("Step 2 of 3: who is in the list, who is not and why"),
            self.tr("Step 3 of 3: print and save"),
        )
        self.step_label.setText(titles[index])
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < 2 and self.run_id is not None)


def _run_table(model) -> QTableView:
    """A read-only view of a run's rows, one at a time chosen, looking like the other tables."""
    table = QTableView()
    table.setModel(model)
    read_only_rows(table)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    # Columns fitted to the first 200 rows (Qt's default, 1,000, took 0.22 s of the window's
    # 0.5 s pause when a run of the whole 200,000-customer demo was shown).
    table.horizontalHeader().setResizeContentsPrecision(200)
    return table
