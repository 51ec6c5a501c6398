"""My follow-ups: a caller works through today's calls customer by customer, keyboard only —
1…6 (Alt+1…6 from a text field) picks the outcome, type what they said, Ctrl+Enter saves and
opens the next. A save is bound to the call on the card, never to whatever row is highlighted.
Accepting or changing the brief's suggested next step makes its purpose the purpose the call
is saved with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, QLocale, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.profile import PROFILE_ATTRIBUTES
from services.contacts import calls
from services.customers.brief import Brief, load_brief
from services.lists.shown import segment_in
from services.staff.permissions import Actor
from services.store.database import Database
from services.store.errors import StaleEdit
from ui.dialogs.stale_edit import ask_reload
from ui.labels import choices, joined, label, language
from ui.tasks import DataChange, TaskRunner, changed, show_error
from ui.views.brief_view import BriefView
from ui.views.customer_page import fmt
from ui.widgets import MomentField, date_edit, scrolling

ORIGIN = "followups"

NEXT_DAYS = (("", 0), ("+3", 3), ("+7", 7), ("+14", 14), ("+30", 30))


def _best_time(codes: str) -> str:
    """'weekday,evening' -> translated labels; an hour range passes through."""
    parts = []
    for code in codes.split(","):
        text = label("preferred_days", code)
        parts.append(label("time_window", code) if text == code else text)
    return joined(parts)


class FollowUpView(QWidget):
    call_saved = Signal(int)  # customer id

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None = None) -> None:
        super().__init__(parent)
        self.actor = actor  # who records the calls (the queue shown may be a colleague's)
        self.database = database
        self.runner = runner
        self._calls: list[calls.DueCall] = []
        self._shown: calls.DueCall | None = None  # the call on the card: what a save records
        self._saving: set[calls.DueCall] = set()
        self._unlisted = 0  # calls due beyond those the queue lists
        # The next queue shown may take the card's call off it though something was typed:
        # it was asked for by Reload after a refused save, or by choosing another source or
        # caller (a call not listed there is not gone from the caller's queue).
        self._leave_card = False
        # The purpose chosen from the brief's suggestion for the call on the card (None: the
        # call's own purpose, from its list or follow-up).
        self._purpose: str | None = None
        self.caller = QComboBox()
        self.caller.setToolTip(self.tr("Whose calls to show; remembered on this PC"))
        # Which calls: all due, the promised follow-ups, or one list's (a caller working
        # through Monday's reminder list sees it alone, in the sheet's order).
        self.source = QComboBox()
        self.source.setToolTip(self.tr("Which calls to list: all of them, the promised "
                                       "follow-ups, or one list's"))
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._runs: list[calls.QueuedRun] = []
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.count = QLabel()
        # Why the calls listed are not the list chosen: it was withdrawn, or its calls are done.
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a4b00;")
        self.notice.setVisible(False)
        self.queue = QListWidget()
        self.queue.setAlternatingRowColors(True)
        self.queue.setSpacing(2)  # each call's two lines apart from the next call's

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcomes = QButtonGroup(self)
        outcome_box = QGridLayout()
        for n, code in enumerate(calls.CALL_OUTCOMES):
            button = QRadioButton(f"{n + 1} {label('outcome', code)}")
            button.setProperty("code", code)
            button.setToolTip(self.tr("Key %1, or Alt+%1 while typing").replace("%1", str(n + 1)))
            # Alt+n works whichever field has the focus (typing the feedback, say). The plain
            # digit is a shortcut too: text fields and number boxes claim printable keys first
            # (ShortcutOverride), so it fires only when the focus is not in one of them.
            for keys in (f"Alt+{n + 1}", f"{n + 1}"):
                shortcut = QShortcut(QKeySequence(keys), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(button.click)
            self.outcomes.addButton(button, n)
            outcome_box.addWidget(button, n // 3, n % 3)
        # Shown under the outcomes when "refused" is picked: the customer asked not to be
        # called again, so a phone do-not-contact is set with the call and it sticks.
        self.no_more_calls = QCheckBox(self.tr("Do not call again for this purpose (sets a "
                                               "phone do-not-contact)"))
        self.no_more_calls.setVisible(False)
        outcome_box.addWidget(self.no_more_calls, 2, 0, 1, 3)
        self.outcomes.buttonToggled.connect(lambda _b, _on: self._show_no_more_calls())
        self.brief = BriefView()
        self.brief.takes_purpose = True
        self.brief.suggestion_decided.connect(self._on_suggestion_decided)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #b71c1c;")
        self.feedback = QPlainTextEdit()
        self.feedback.setPlaceholderText(
            self.tr("What did they say? e.g. just married, wants a bigger car"))
        self.feedback.setTabChangesFocus(True)
        self.feedback.setMaximumHeight(90)
        self.next_date = date_edit()
        self.has_next = QCheckBox(self.tr("Call again on"))
        # Picking a date (typed, from the calendar or a +N button) means "call again then".
        self.next_date.dateChanged.connect(lambda _d: self.has_next.setChecked(True))
        next_row = QHBoxLayout()
        next_row.addWidget(self.has_next)
        next_row.addWidget(self.next_date)
        self.quick_days: list[QPushButton] = []
        for text, days in NEXT_DAYS[1:]:
            quick = QPushButton(self.tr("%1 days").replace("%1", text))
            quick.setAutoDefault(False)  # Enter on it picks the date, it does not save
            quick.clicked.connect(lambda _c=False, d=days: self._set_next_in(d))
            next_row.addWidget(quick)
            self.quick_days.append(quick)
        next_row.addStretch(1)
        self.km = QSpinBox()
        self.km.setRange(0, 2_000_000)
        self.km.setSingleStep(1000)
        self.km.setSpecialValueText(self.tr("not asked"))
        self.km.setSuffix(self.tr(" km"))  # 公里 in Chinese, as the brief beside it
        # Which car the km is of: the call's car first, the customer's others once the brief
        # has them (a km of one car checked against another's readings was refused).
        self.km_car = QComboBox()
        self.km_car.setToolTip(self.tr("The car the km reading is of"))
        self.attribute = QComboBox()
        self.attribute.addItem(self.tr("no change"), None)
        for attribute in PROFILE_ATTRIBUTES:
            if attribute != "lifecycle_stage":
                self.attribute.addItem(label("attribute", attribute), attribute)
        self.value = QComboBox()
        self.value.setEditable(False)
        # The value in force as the card loaded it: what a change is checked against on saving
        # (a colleague's change since refuses the save, naming it).
        self.value_now = QLabel()
        self._seen_profile: dict[str, str | None] | None = None
        self._waiting_for_profile = False  # the hint says to save once the profile shows
        self.attribute.currentIndexChanged.connect(self._on_attribute_changed)
        self.when = MomentField()
        self.when.setToolTip(self.tr("When the call was made: now, or the day and time on the "
                                     "paper sheet when typing calls up later"))
        self.save_button = QPushButton(self.tr("Save and next (Ctrl+Enter)"))
        self.save_button.setAutoDefault(False)

        form = QFormLayout()
        form.addRow(self.tr("Outcome"), outcome_box)
        # When the call was made, beside the outcomes (the card must fit 1366×768).
        when_label = QLabel(self.tr("Called &at"))
        when_label.setBuddy(self.when)
        outcome_box.addWidget(when_label, 0, 3, Qt.AlignmentFlag.AlignRight)
        outcome_box.addWidget(self.when, 0, 4)
        form.addRow("", self.hint)
        self._form = form
        self._show_hint("")  # an empty hint takes no room: the card must fit 1366×768
        form.addRow(self.tr("&Feedback"), self.feedback)
        form.addRow(self.tr("Next follow-up"), next_row)
        km_row = QHBoxLayout()
        km_row.addWidget(self.km, 1)
        km_row.addWidget(self.km_car, 2)
        km_label = QLabel(self.tr("&Km now"))
        km_label.setBuddy(self.km)
        form.addRow(km_label, km_row)
        change_row = QHBoxLayout()
        change_row.addWidget(self.attribute)
        change_row.addWidget(self.value, 1)
        change_row.addWidget(self.value_now)
        change_label = QLabel(self.tr("&Profile change"))
        change_label.setBuddy(self.attribute)
        form.addRow(change_label, change_row)
        # The brief and what is typed about the call: hidden while no call is due, so an
        # empty queue shows its sentence rather than a form of empty, greyed-out fields.
        self.desk = QWidget()
        desk_layout = QVBoxLayout(self.desk)
        desk_layout.setContentsMargins(0, 0, 0, 0)
        # The brief scrolls when the window is short; what is typed about the call and the save
        # button stay in view. (As one, the desk is about 600 px tall: it made the window at
        # least 680 px tall.)
        desk_layout.addWidget(scrolling(self.brief), 1)
        desk_layout.addLayout(form)
        desk_layout.addWidget(self.save_button)
        card = QWidget()
        card_layout = QVBoxLayout(card)
        card_layout.addWidget(self.title)
        card_layout.addWidget(self.summary)
        card_layout.addWidget(self.desk, 1)
        card_layout.addStretch(0)  # the room the desk leaves while it is hidden
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Caller:")))
        top.addWidget(self.caller)
        top.addWidget(self.source)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue)
        splitter.addWidget(card)
        splitter.setSizes([380, 820])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.caller.currentIndexChanged.connect(self._on_caller_changed)
        self.source.activated.connect(lambda _i: self._on_source_chosen())
        self.queue.currentRowChanged.connect(self._on_queue_row_changed)
        self.save_button.clicked.connect(self.save_current)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.save_current)
        self._set_tab_order()
        runner.data_changed.connect(self._on_data_changed)
        self._load_staff()

    def _set_tab_order(self) -> None:
        """Top to bottom as the card reads: outcome, feedback, next date, km, change, then the
        call's time, save."""
        chain: list[QWidget] = [
            *self.outcomes.buttons(),
            self.feedback,
            self.has_next,
            self.next_date,
            *self.quick_days,
            self.km,
            self.km_car,
            self.attribute,
            self.value,
            # Changed only for a call typed up after it was made: after what every call asks.
            self.when,
            self.save_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def focus_first(self) -> None:
        """Where a caller starts: the outcome of the call on the card, else the queue."""
        if self._shown is not None:
            (self.outcomes.checkedButton() or self.outcomes.buttons()[0]).setFocus()
        else:
            self.queue.setFocus()

    def _on_data_changed(self, change: DataChange) -> None:
        # A new list run, or calls recorded elsewhere, change the queue; this view's own saves
        # already took their call off it.
        # A do-not-contact set elsewhere takes its customer out of the queue.
        if change.origin != ORIGIN and change.touches("lists", "contacts", "staff",
                                                      "preferences"):
            self.refresh()
    # --- the queue ---------------------------------------------------------------------
    def _load_staff(self) -> None:
        remembered = QSettings().value("followups/caller")
        self.caller.blockSignals(True)
        for staff in calls.staff_list(self.database.sessions):
            self.caller.addItem(staff.shown, staff.id)
        index = self.caller.findData(int(remembered)) if remembered is not None else -1
        self.caller.setCurrentIndex(max(index, 0))
        self.caller.blockSignals(False)
        self.refresh()

    def _on_caller_changed(self) -> None:
        QSettings().setValue("followups/caller", self.caller.currentData())
        self._fill_sources([])  # another caller's lists: all of their calls first
        self._show_notice("")
        self._leave_card = True
        self.refresh()

    def _on_source_chosen(self) -> None:
        self._show_notice("")
        self._leave_card = True
        self.refresh()

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def chosen_source(self) -> calls.Source:
        """The calls listed: calls.ALL_CALLS, calls.FOLLOW_UPS or a run's id."""
        data = self.source.currentData()
        return calls.ALL_CALLS if data is None else data

    def _fill_sources(self, runs: list[calls.QueuedRun]) -> None:
        """The choices of calls to list, the one chosen kept while it is there."""
        chosen = self.source.currentData()
        self._runs = runs
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(self.tr("All calls"), calls.ALL_CALLS)
        self.source.addItem(self.tr("Promised follow-ups"), calls.FOLLOW_UPS)
        for run in runs:
            self.source.addItem(
                self.tr("List #%1 %2 (%3)").replace("%1", str(run.run_id))
                .replace("%2", segment_in(run.segment_name, language()))
                .replace("%3", QLocale().toString(run.calls)), run.run_id)
        self.source.setCurrentIndex(max(self.source.findData(chosen), 0))
        self.source.blockSignals(False)

    def refresh(self) -> None:
        staff_id = self.caller.currentData()
        if staff_id is None:
            self._show_queue([], 0)
            return
        sessions = self.database.sessions
        source = self.chosen_source()
        self.runner.run(
            lambda _p, _c: calls.queue(sessions, staff_id, source=source),
            on_done=lambda got: self._show_queue(got.calls, got.total, got.runs, got.left),
            latest="follow-up-queue",
            parent_widget=self,
            label=self.tr("Loading calls"),
        )

    def _show_queue(self, due: list[calls.DueCall], total: int,
                    runs: list[calls.QueuedRun] | None = None, left: calls.LeftRun | None = None,
                    *, show_row: int | None = None) -> None:
        """`due`: the calls to list; `total`: how many are due in all (more than listed when
        the queue is longer than the service lists at once); `runs`: the lists the caller has
        calls due from, to choose among; `left`: the list chosen, when it has no calls due any
        more (`due` are then all of the caller's calls). `show_row`: the call to open, else
        the one on the card while it is listed, else the one after it, else the first."""
        self._fill_sources(runs or [])
        if left is not None:
            name = segment_in(left.segment_name, language())
            self._show_notice((self.tr("List #%1 %2 was withdrawn; your other calls are listed.")
                               if left.withdrawn else
                               self.tr("List #%1 %2 has no calls left to make; your other calls "
                                       "are listed.")).replace("%1", str(left.run_id))
                              .replace("%2", name))
        # A call being saved right now stays off the queue; the card keeps its customer when
        # they are still due (a refresh must not swap the person being talked to); when they
        # are not, the call after theirs opens (a list is worked in its sheet's order).
        saving = {_key(c) for c in self._saving}
        before = [_key(c) for c in self._calls]
        leave_card, self._leave_card = self._leave_card, False
        self._calls = [c for c in due if _key(c) not in saving]
        self._unlisted = max(0, total - len(due))
        shown = _key(self._shown) if self._shown is not None else None
        self.queue.blockSignals(True)
        self.queue.clear()
        for call in self._calls:
            code = f"[{call.row_code}] " if call.row_code else ""
            when = (self.tr("follow up on %1").replace("%1", fmt(call.due)) if call.due
                    else label("purpose", call.purpose))
            item = QListWidgetItem(
                f"{code}{call.who}  {call.mobile or ''}\n{call.vehicle}  ·  {when}"
            )
            self.queue.addItem(item)
        keys = [_key(c) for c in self._calls]
        if show_row is not None:
            self._select(show_row)
        elif shown in keys:
            self._select(keys.index(shown), keep_card=True)
        elif shown is not None and self._typed() and not leave_card:
            # Typed about but no longer due (its list withdrawn meanwhile, say): the card stays
            # until it is saved (stored as the list's paper read back would be) or left.
            self.queue.setCurrentRow(-1)
            self._show_hint(self.tr("No longer in your queue: what you typed stays until you "
                                    "save it or open another call."))
        else:
            after = before[before.index(shown) + 1:] if shown in before else []
            self._select(next((keys.index(k) for k in after if k in keys), 0))
        self.queue.blockSignals(False)
        self._update_count()

    def _select(self, row: int, keep_card: bool = False) -> None:
        """Highlight `row` and show its call on the card, always together."""
        self.queue.blockSignals(True)
        self.queue.setCurrentRow(row if 0 <= row < len(self._calls) else -1)
        self.queue.blockSignals(False)
        call = self._calls[row] if 0 <= row < len(self._calls) else None
        if keep_card and call is not None:
            self._shown = call  # same customer, fresher data; what was typed stays
        else:
            self._show_call(call)

    def _typed(self) -> bool:
        """Whether anything was typed about the call on the card."""
        return (self.outcomes.checkedButton() is not None
                or bool(self.feedback.toPlainText().strip()) or bool(self.km.value())
                or self.attribute.currentData() is not None)

    def _update_count(self) -> None:
        text = self.tr("%n call(s) to make", "", len(self._calls) + self._unlisted)
        if self._unlisted:
            text += self.tr("; the first %n are listed", "", len(self._calls))
            if self._runs and not isinstance(self.chosen_source(), int):
                text += self.tr(" (choose a list to see all of its calls)")
        self.count.setText(text)

    def _on_queue_row_changed(self, row: int) -> None:
        self._show_call(self._calls[row] if 0 <= row < len(self._calls) else None)

    # --- one call ----------------------------------------------------------------------
    def _show_call(self, call: calls.DueCall | None) -> None:
        self._shown = call
        self._purpose = None
        self._seen_profile = None
        self._waiting_for_profile = False
        self.save_button.setEnabled(call is not None)
        self.outcomes.setExclusive(False)
        for button in self.outcomes.buttons():
            button.setChecked(False)
        self.outcomes.setExclusive(True)
        self.no_more_calls.setChecked(False)
        self._show_no_more_calls()
        self.feedback.clear()
        self.when.reset()
        self._show_hint("")
        self.km.setValue(0)
        self._show_cars(call, ())
        self.attribute.setCurrentIndex(0)
        self.next_date.blockSignals(True)
        self.next_date.setMinimumDate(QDate.currentDate())
        self.next_date.setDate(QDate.currentDate().addDays(7))
        self.next_date.blockSignals(False)
        self.has_next.setChecked(False)
        self.brief.show_brief(None)
        self.desk.setVisible(call is not None)
        if call is None:
            self.title.setText(self.tr("No calls due. Well done."))
            self.summary.setText(self.tr(
                "Calls come here when a call list is made with this caller among its callers "
                "(Lists), and on the day a follow-up set after a call is due."))
            return
        self._load_brief(call)
        no_mobile = self.tr("no number to call")
        self.title.setText(f"{call.who}   {call.mobile or no_mobile}")
        self._show_summary(call)
        if self.isVisible():  # a queue loaded in the background must not take another area's focus
            self.focus_first()

    def _show_summary(self, call: calls.DueCall) -> None:
        purpose = label("purpose", call.purpose)
        if self._purpose is not None and self._purpose != call.purpose:
            purpose = self.tr("%1 (was %2, from the suggestion)").replace(
                "%1", label("purpose", self._purpose)).replace("%2", purpose)
        facts = [
            call.vehicle,
            call.best_time and self.tr("best time: %1").replace("%1", _best_time(call.best_time)),
            purpose,
            call.attempts and self.tr("attempt %1").replace("%1", str(call.attempts + 1)),
        ]
        text = "  ·  ".join(str(f) for f in facts if f)
        if call.points:  # what the list's sheet says to raise, as the caller's paper does
            text += "\n" + self.tr("To raise: %1").replace("%1", call.points)
        self.summary.setText(text)

    def _on_suggestion_decided(self, customer_id: int, purpose: str) -> None:
        call = self._shown
        if call is None or call.customer_id != customer_id:
            return
        self._purpose = purpose or None  # dismissed: the call keeps its own purpose
        self._show_summary(call)

    def purpose_of_call(self) -> str | None:
        """The purpose a save of the call on the card records."""
        call = self._shown
        return None if call is None else self._purpose or call.purpose

    def _load_brief(self, call: calls.DueCall) -> None:
        sessions = self.database.sessions
        self.runner.run(
            lambda _p, _c: (load_brief(sessions, call.customer_id),
                            calls.profile_now(sessions, call.customer_id)),
            on_done=lambda got: self._show_brief(call, *got),
            latest="follow-up-brief",
            parent_widget=self,
            label=self.tr("Loading the brief"),
        )

    def _show_brief(self, call: calls.DueCall, brief: Brief,
                    profile: dict[str, str | None]) -> None:
        # The caller may have moved on while it loaded (a refresh meanwhile puts the same call,
        # freshly read, on the card: still its brief).
        if self._shown is not None and _key(self._shown) == _key(call):
            self.brief.show_brief(brief)
            self._seen_profile = profile
            self._show_value_now()
            if self._waiting_for_profile:  # the hint asking to wait for it is done with
                self._waiting_for_profile = False
                self._show_hint("")
            chosen = self.km_car.currentData()
            # Newest bought first: where a km goes when the call names no car.
            cars = sorted((c for c in brief.cars if c.active),
                          key=lambda c: (c.bought or dt.date.min, c.vehicle_id), reverse=True)
            self._show_cars(call, [(c.vehicle_id, c.name) for c in cars])
            if chosen is not None:
                self.km_car.setCurrentIndex(max(0, self.km_car.findData(chosen)))

    def _show_cars(self, call: calls.DueCall | None,
                   cars: Sequence[tuple[int, str]]) -> None:
        """The cars a km may be of: the call's first, then the customer's other cars in use."""
        self.km_car.clear()
        if call is not None and call.vehicle_id is not None:
            self.km_car.addItem(call.vehicle or self.tr("the call's car"), call.vehicle_id)
        for vehicle_id, name in cars:
            if vehicle_id != (call.vehicle_id if call else None):
                self.km_car.addItem(name, vehicle_id)
        self.km_car.setEnabled(self.km_car.count() > 1)
        self.km_car.setVisible(self.km_car.count() > 0)

    def _show_hint(self, text: str) -> None:
        self.hint.setText(text)
        self._form.setRowVisible(self.hint, bool(text))

    def _set_next_in(self, days: int) -> None:
        self.has_next.setChecked(True)
        self.next_date.setDate(QDate.currentDate().addDays(days))

    def _on_attribute_changed(self) -> None:
        attribute = self.attribute.currentData()
        self.value.clear()
        allowed = PROFILE_ATTRIBUTES.get(attribute) if attribute else None
        self.value.setEditable(attribute is not None and allowed is None)
        if allowed:
            for code, text in choices(attribute) or [(c, c) for c in allowed]:
                self.value.addItem(text, code)
        self._show_value_now()

    def _show_value_now(self) -> None:
        """Beside a change: the attribute's value in force as the card loaded it."""
        attribute = self.attribute.currentData()
        seen = self._seen_profile
        if attribute is None or seen is None:
            self.value_now.clear()
            return
        value = seen.get(attribute)
        self.value_now.setText(self.tr("now: %1").replace(
            "%1", label(attribute, value) if value else self.tr("not recorded")))

    def current_call(self) -> calls.DueCall | None:
        """The call on the card: the one a save records."""
        return self._shown

    def result(self) -> calls.CallResult | None:
        checked = self.outcomes.checkedButton()
        if checked is None:
            return None
        call = self.current_call()
        changes: tuple[tuple[str, str], ...] = ()
        seen: tuple[tuple[str, str | None], ...] = ()
        attribute = self.attribute.currentData()
        if attribute is not None:
            value = self.value.currentData() or self.value.currentText().strip()
            if value:
                changes = ((attribute, value),)
                if self._seen_profile is not None:  # shown beside it (value_now)
                    seen = ((attribute, self._seen_profile.get(attribute)),)
        next_date: dt.date | None = None
        if self.has_next.isChecked():
            next_date = self.next_date.date().toPython()  # type: ignore[assignment]
        return calls.CallResult(
            outcome=checked.property("code"),
            feedback=self.feedback.toPlainText().strip() or None,
            next_follow_up=next_date,
            km=self.km.value() or None,
            # The car the km is of, when a km was said; else the call's own.
            vehicle_id=(self.km_car.currentData() if self.km.value() else None)
            or (call.vehicle_id if call else None),
            profile_changes=changes,
            seen_profile=seen,
            no_more_calls=not self.no_more_calls.isHidden() and self.no_more_calls.isChecked(),
        )

    def _show_no_more_calls(self) -> None:
        checked = self.outcomes.checkedButton()
        refused = checked is not None and checked.property("code") == "refused"
        self.no_more_calls.setVisible(refused)

    def save_current(self) -> None:
        call = self._shown
        if call is None or call in self._saving:
            return
        result = self.result()
        if result is None:
            self._show_hint(self.tr("Pick an outcome first: keys 1 … 6"))
            self.outcomes.buttons()[0].setFocus()
            return
        if result.profile_changes and self._seen_profile is None:
            # Saved now, the change would go in unchecked against a colleague's change of the
            # same field made since the caller last saw it: they see the value now first.
            self._show_hint(self.tr("The customer's profile is still loading; nothing was "
                                    "saved: save again once it shows the value recorded now "
                                    "beside the change."))
            self._waiting_for_profile = True
            return
        # The call is recorded as made by whoever is signed in, whose queue it came from
        # (a supervisor may work a colleague's calls).
        staff_id = self.actor.id if self.actor is not None else self.caller.currentData()
        purpose = self._purpose or call.purpose
        at = self.when.moment()
        row = self._calls.index(call) if call in self._calls else 0  # unlisted: _show_queue
        self._saving.add(call)
        outcome = label("outcome", result.outcome)

        def work(_p, _c):
            vehicle_id = result.vehicle_id
            if result.km and vehicle_id is None:
                vehicle_id = calls.newest_vehicle_id(self.database.sessions, call.customer_id)
            return calls.record_call(
                self.database.sessions,
                call.customer_id,
                staff_id,
                dataclasses.replace(result, vehicle_id=vehicle_id),
                purpose=purpose,
                member_id=call.member_id,
                at=at,
                seen_attempts=call.attempts,
                follow_up_of=call.follow_up_of,
            )

        self.runner.run(
            work,
            on_done=lambda _r: self._after_save(call),
            on_failed=lambda exc: self._after_failed(call, result, exc, purpose, row, at),
            parent_widget=self,
            label=self.tr("Saving call"),
            write=True,
            changes=dataclasses.replace(
                changed("contacts", "profile", "readings",
                        *(("preferences",) if result.no_more_calls else ()),
                        customer=call.customer_id),
                origin=ORIGIN,
            ),
            done_notice=self.tr("Saved for %1: %2").replace("%1", call.name).replace("%2", outcome),
        )
        # The saved call leaves the queue at once and the next one opens: the caller goes on
        # while the save runs, and nothing typed next can land on the saved customer.
        self._take_off(call)

    def _take_off(self, call: calls.DueCall) -> None:
        row = 0
        if call in self._calls:  # else kept on the card though no longer listed
            row = self._calls.index(call)
            del self._calls[row]
            self.queue.blockSignals(True)
            self.queue.takeItem(row)
            self.queue.blockSignals(False)
        self._select(min(row, len(self._calls) - 1))
        self._update_count()

    def _after_save(self, call: calls.DueCall) -> None:
        self._saving.discard(call)
        self.call_saved.emit(call.customer_id)
        if not self._calls and self._unlisted:
            # The calls listed are done: the next ones due are listed, read once this save is
            # in (read before, the call being saved could take the one place listed).
            self.refresh()

    def _after_failed(self, call: calls.DueCall, result: calls.CallResult, exc: BaseException,
                      purpose: str, row: int, at: dt.datetime | None = None) -> None:
        """Nothing was stored: the call goes back where it was in the queue (`row`: its row
        when saved), the list chosen stays chosen, and the card shows it as typed. A
        colleague's call or profile change stored since (StaleEdit) offers to reload the queue
        as it is now; Cancel keeps what was typed, to copy from. Either way the card reads the
        brief and profile again, so what the colleague changed shows beside what was typed."""
        self._saving.discard(call)
        self._shown = None
        queued = list(self._calls)
        row = min(row, len(queued))
        queued.insert(row, call)
        self._show_queue(queued, len(queued) + self._unlisted, self._runs, show_row=row)
        self._fill_card(result)
        if at is not None:  # the time typed (a mistyped year is put right, not typed again)
            self.when.setDateTime(at)
        if self._shown is call and purpose != call.purpose:
            self._purpose = purpose
            self._show_summary(call)
        if not isinstance(exc, StaleEdit):
            show_error(self, exc)
        elif ask_reload(self, exc):
            self._leave_card = True  # as it is now: a call a colleague made leaves the card
            self.refresh()

    def _fill_card(self, result: calls.CallResult) -> None:
        for button in self.outcomes.buttons():
            if button.property("code") == result.outcome:
                button.setChecked(True)
        self.no_more_calls.setChecked(result.no_more_calls)
        self.feedback.setPlainText(result.feedback or "")
        if result.next_follow_up is not None:
            self.has_next.setChecked(True)
            self.next_date.setDate(QDate(result.next_follow_up))
        self.km.setValue(result.km or 0)
        if result.km and result.vehicle_id is not None:
            self.km_car.setCurrentIndex(max(0, self.km_car.findData(result.vehicle_id)))
        if result.profile_changes:
            attribute, value = result.profile_changes[0]
            self.attribute.setCurrentIndex(self.attribute.findData(attribute))
            index = self.value.findData(value)
            if index >= 0:
                self.value.setCurrentIndex(index)
            else:
                self.value.setEditText(value)


def _key(call: calls.DueCall) -> tuple[int, int | None, str]:
    """One queue entry across refreshes: the customer, the list member, the purpose."""
    return (call.customer_id, call.member_id, call.purpose)
