"""The pre-call brief on one screen: the suggested next step first (purpose, talking points and
the facts that triggered it, with Accept / Change / Dismiss), then a label and one line for
each thing a caller should know, every fact with its date, what needs care in red, changes
since the car was bought as arrows; buttons to record a referral or a declined repair, links to
close a declined repair."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from services.customers.brief import Brief, CarLine, Trend
from services.customers.referrals import ReferralInfo
from ui.labels import joined, label, language
from ui.views.brief_suggestion import SuggestionLine
from ui.views.customer_page import fmt

RED = "#b71c1c"
GREEN = "#1b5e20"
ARROWS = {"up": "↑", "down": "↓", "changed": "", "same": ""}
NAMED_REFERRALS = 3  # people introduced named on the line; the rest are counted
# A caller's feedback or a note is shown up to this many characters, the whole text in the
# line's tooltip: a 10,805-character note pasted into a contact filled the brief and cut off
# every line below it.
SHOWN_CHARS = 200


def _e(text: object) -> str:
    return html.escape(str(text))


def _cut(text: str) -> str:
    """`text` up to SHOWN_CHARS characters, "…" where it was cut."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS].rstrip() + "…"


def _whole_if_cut(text: str | None) -> str:
    """A line's tooltip: `text` whole when _cut shortens it, else none."""
    return text if text and len(text) > SHOWN_CHARS else ""


def _red(text: str) -> str:
    return f'<span style="color:{RED}; font-weight:600">{text}</span>'


class BriefView(QFrame):
    """Shows a Brief; `show_brief(None)` empties it. Recording from it needs the database, the
    task runner and who is signed in: given with `attach`, else taken from the nearest
    enclosing view that has them (the customer page and the follow-up workspace do)."""

    brief_changed = Signal(int)  # a customer's referrals or declined repairs were recorded
    # A decision on the suggestion was stored: the customer and the purpose chosen ('' when
    # dismissed).
    suggestion_decided = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("brief")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(8, 6, 8, 6)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(3)
        self._grid.setColumnStretch(1, 1)
        self._rows: dict[str, QLabel] = {}
        # Set by a host that makes the call itself (the follow-up workspace): an accepted
        # purpose becomes that call's purpose instead of an offer to log a call.
        self.takes_purpose = False
        titles = {
            "suggest": self.tr("Suggested step"),
            "contact": self.tr("Last contact"),
            "spend": self.tr("Last spend"),
            "survey": self.tr("Satisfaction"),
            "changes": self.tr("Since the car"),
            "person": self.tr("Money and person"),
            "cars": self.tr("Cars"),
            "complaints": self.tr("Complaints"),
            "intent": self.tr("Intent"),
            "reach": self.tr("How to reach"),
            "note": self.tr("Note"),
            "referrals": self.tr("Referrals"),
            "service": self.tr("Service due"),
        }
        for row, (key, title) in enumerate(titles.items()):
            head = QLabel(title)
            head.setStyleSheet("color: #555; font-weight: 600;")
            head.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setObjectName(f"brief_{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._grid.addWidget(head, row, 0)
            # Column 2 holds the suggestion's buttons; every other line spans it.
            self._grid.addWidget(value, row, 1, 1, 1 if key == "suggest" else 2)
            self._rows[key] = value
        self._suggestion_row()
        self._rows["service"].setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self._rows["service"].linkActivated.connect(self._on_service_link_activated)
        self.refer_button = QPushButton(self.tr("Record referral…"))
        self.refer_button.setToolTip(self.tr("Who introduced this customer, or whom they "
                                             "introduced"))
        self.declined_button = QPushButton(self.tr("Declined repair…"))
        self.declined_button.setToolTip(self.tr("A repair the advisor recommended and the "
                                                "customer did not have done"))
        self.call_button = QPushButton(self.tr("Log a call…"))
        self.call_button.setToolTip(self.tr(
            "A call made or taken, or a WeChat conversation, with this customer: what came of "
            "it, what they said, when to call again"))
        self.refer_button.clicked.connect(self._on_refer_clicked)
        self.declined_button.clicked.connect(self._on_declined_clicked)
        self.call_button.clicked.connect(self._on_call_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.refer_button)
        buttons.addWidget(self.declined_button)
        buttons.addStretch(1)
        self._grid.addLayout(buttons, len(titles), 0, 1, 3)
        self._grid.setRowStretch(len(titles) + 1, 1)  # lines stay together in a tall tab
        self._attached: tuple | None = None
        self.brief: Brief | None = None
        self.show_brief(None)

    def _suggestion_row(self) -> None:
        """The suggestion's line holds its three buttons at the right, so it costs no row."""
        self.suggestion = SuggestionLine(self._rows["suggest"])
        self.suggestion.decide.connect(self._on_suggestion_decide)
        self._grid.addWidget(self.suggestion, 0, 2, Qt.AlignmentFlag.AlignTop)

    def attach(self, database, runner, actor) -> None:
        """Where recording from the brief goes, and as whom."""
        self._attached = (database, runner, actor)

    def context(self) -> tuple | None:
        """(database, runner, actor) for recording, or None when there is none."""
        if self._attached is not None:
            return self._attached
        widget = self.parentWidget()
        while widget is not None:
            if hasattr(widget, "database") and hasattr(widget, "runner"):
                return widget.database, widget.runner, getattr(widget, "actor", None)
            widget = widget.parentWidget()
        return None

    def text_of(self, key: str) -> str:
        """The plain text of one line (for tests and copying)."""
        return _plain(self._rows[key].text())

    def show_brief(self, brief: Brief | None) -> None:
        self.brief = brief
        self.refer_button.setEnabled(brief is not None)
        self.declined_button.setEnabled(brief is not None)
        # The follow-up workspace logs the call on its own card.
        self.call_button.setVisible(not self.takes_purpose)
        self.call_button.setEnabled(brief is not None)
        self.suggestion.show_brief(brief)
        if brief is None:
            for value in self._rows.values():
                value.clear()
                value.setToolTip("")
            return
        none = self.tr("none")
        self._rows["contact"].setText(self._contact(brief) or _e(none))
        feedback = brief.last_contact.feedback if brief.last_contact else None
        self._rows["contact"].setToolTip(_whole_if_cut(feedback))
        spend = brief.last_spend
        self._rows["spend"].setText(
            _e(f"{fmt(spend.date)}  {fmt(spend.amount)}  {self._spend_kind(spend.kind)}")
            if spend else _e(none))
        self._rows["survey"].setText(self._survey(brief) or _e(self.tr("no survey yet")))
        self._rows["changes"].setText(self._changes(brief.trends) or _e(none))
        self._rows["person"].setText("  ·  ".join(
            _e(f"{label('attribute', a)}: {label(a, v)} ({fmt(since)})")
            for a, v, since in brief.kept) or _e(none))
        self._rows["cars"].setText("<br>".join(self._car(c) for c in brief.cars) or _e(none))
        self._rows["complaints"].setText(self._complaints(brief))
        self._rows["intent"].setText(self._intent(brief) or _e(none))
        self._rows["reach"].setText(self._reach(brief))
        self._rows["note"].setText(_e(_cut(brief.note)).replace("\n", "<br>") if brief.note
                                   else _e(none))
        self._rows["note"].setToolTip(_whole_if_cut(brief.note))
        self._rows["referrals"].setText(self._referrals(brief) or _e(none))
        self._rows["service"].setText(self._service(brief) or _e(none))

    # --- one line each ---------------------------------------------------------------------
    def _contact(self, b: Brief) -> str:
        c = b.last_contact
        if c is None:
            return ""
        said = f" — “{_e(_cut(c.feedback))}”" if c.feedback else ""
        days = b.days_since_contact or 0
        ago = (self.tr("today") if days == 0 else self.tr("yesterday") if days == 1
               else self.tr("%1 days ago").replace("%1", QLocale().toString(days)))
        parts = [fmt(c.at.date()), label("channel", c.channel), label("purpose", c.purpose),
                 label("outcome", c.outcome), c.staff or ""]
        text = _e("  ".join(p for p in parts if p)) + said + f"  ({_e(ago)})"
        return _red(text) if (b.days_since_contact or 0) > 365 else text

    def _spend_kind(self, kind: str) -> str:
        visit = label("visit_type", kind)
        return visit if visit != kind else label("purchase_kind", kind)

    def _survey(self, b: Brief) -> str:
        s = b.last_survey
        if s is None:
            return ""
        band = "low" if s.overall <= 6 else "middle" if s.overall <= 8 else "high"
        text = _e(f"{fmt(s.date)}  {s.overall}/10  {label('satisfaction_band', band)}")
        if len(b.survey_trend) > 1:
            text += _e("  " + self.tr("trend %1").replace(
                "%1", " → ".join(str(x) for x in b.survey_trend)))
        if s.comment:
            text += f" — “{_e(s.comment)}”"
        return _red(text) if band == "low" else text

    def _changes(self, trends: tuple[Trend, ...]) -> str:
        parts = []
        for t in trends:
            name = label("attribute", t.attribute)
            if t.direction == "same":
                parts.append(_e(f"{name}: {label(t.attribute, t.now)}"))
                continue
            # 婚姻状况: 未婚 → 已婚（2024-05-01 起）; a band that went up or down says so.
            arrow = ARROWS[t.direction]
            since = self.tr("(since %1)").replace("%1", fmt(t.since))
            text = _e(f"{name}: {label(t.attribute, t.before)} → {label(t.attribute, t.now)}"
                      f"{' ' + arrow if arrow else ''} {since}")
            colour = RED if t.direction == "down" else GREEN
            parts.append(f'<span style="color:{colour}; font-weight:600">{text}</span>')
        return "  ·  ".join(parts)

    def _car(self, c: CarLine) -> str:
        locale = QLocale()
        bits = [c.name]
        if c.bought:
            years = locale.toString(c.years or 0.0, "f", 1)
            bits.append(self.tr("bought %1, %2 years").replace("%1", fmt(c.bought))
                        .replace("%2", years))
        if c.km is not None:
            km = self.tr("about %1 km").replace("%1", locale.toString(c.km))
            if c.km_per_year is not None and c.km_since is not None:
                # Counted from that day, as the estimate's line: 104,000 km after 8 years
                # beside "6,000 km a year" reads untrue without it.
                km += " " + self.tr("(%1 km a year since %2)").replace(
                    "%1", locale.toString(c.km_per_year)).replace("%2", fmt(c.km_since))
            elif c.km_per_year is not None:
                km += " " + self.tr("(%1 km a year)").replace(
                    "%1", locale.toString(c.km_per_year))
            bits.append(km)
        if c.price_paid is not None:
            bits.append(f"{fmt(c.price_paid)} {label('payment_method', c.payment)}".strip())
        text = _e("  ·  ".join(bits))
        if not c.active:
            earlier = _e(self.tr("earlier:"))
            text = f'<span style="color:#777">{earlier} {text}</span>'
        return text

    def _complaints(self, b: Brief) -> str:
        if not b.open_complaints:
            resolved = self.tr("%n resolved", "", b.resolved_complaints)
            return _e(self.tr("none open") + (f" ({resolved})" if b.resolved_complaints else ""))
        return "<br>".join(
            _red(_e(self.tr("OPEN since %1: %2").replace("%1", fmt(c.opened))
                    .replace("%2", c.topic)))
            for c in b.open_complaints)

    def _intent(self, b: Brief) -> str:
        i = b.intent
        if i is None:
            return ""
        # Each value with what it is: 意向：强 · 预计购车：1个月内 · 预算：¥150,000 · 车型：雅阁.
        said = ((self.tr("interest: %1"), label("intent_strength", i.strength)),
                (self.tr("buying: %1"), label("intent_window", i.window)),
                (self.tr("budget: %1"),
                 fmt(i.expected_price) if i.expected_price is not None else ""),
                (self.tr("models: %1"), i.models or ""))
        return _e("  ·  ".join([fmt(i.date)] + [words.replace("%1", value)
                                                 for words, value in said if value]))

    def _reach(self, b: Brief) -> str:
        parts = []
        if b.contact_name:
            parts.append(_e(self.tr("ask for %1").replace("%1", b.contact_name)))
        p = b.preferences
        if p is not None:
            parts.append(_e(" > ".join(label("channel", c) for c in p.channel_order)))
            if p.hour_from is not None:
                parts.append(_e(f"{p.hour_from}:00–{p.hour_to}:00"))
            else:
                when = [label("preferred_days", p.preferred_days)] + [
                    label("time_window", w) for w in p.time_windows]
                parts.append(_e(joined(w for w in when if w)))
        consent = {True: self.tr("marketing consent given"),
                   False: self.tr("no marketing consent"),
                   None: self.tr("marketing consent not asked")}[b.marketing_consent]
        parts.append(_e(consent) if b.marketing_consent else _red(_e(consent)))
        for r in b.refusals:
            what = " / ".join(x for x in (label("channel", r.channel),
                                         label("purpose", r.purpose)) if x)
            parts.append(_red(_e(self.tr("do not contact: %1 (%2)").replace(
                "%1", what or self.tr("all")).replace("%2", fmt(r.set_on)))))
        return "  ·  ".join(parts)


    def _referrals(self, b: Brief) -> str:
        r = b.referrals
        if r is None:
            return ""
        parts = []
        for x in r.introduced_by:
            who = x.referrer_name + (f" ({x.referrer_code})" if x.referrer_code else "")
            parts.append(_e(self.tr("introduced by %1 (%2)").replace(
                "%1", f"{label('referrer_kind', x.kind)} {who}").replace(
                "%2", fmt(x.referred_on))))
        if r.introduced:
            counts = self.tr("introduced %n people", "", r.count) + ", " + self.tr(
                "%n bought", "", r.bought) + ", " + self.tr("%n came for service", "", r.came)
            names = [self._introduced(x) for x in r.introduced[:NAMED_REFERRALS]]
            more = len(r.introduced) - NAMED_REFERRALS
            if more > 0:
                names.append(self.tr("%n more people", "", more))
            text = _e(f"{counts}: " + joined(names))
            parts.append(f'<span style="color:{GREEN}; font-weight:600">{text}</span>'
                         if r.bought else text)
        return "  ·  ".join(parts)

    def _introduced(self, x: ReferralInfo) -> str:
        """丁益（2023-04-03 介绍，2023-05-25 购车）: each date says what happened on it."""
        said = [self.tr("introduced %1").replace("%1", fmt(x.referred_on))]
        if x.bought_on:
            said.append(self.tr("bought %1").replace("%1", fmt(x.bought_on)))
        elif x.came_on:
            said.append(self.tr("came %1").replace("%1", fmt(x.came_on)))
        if language() == "zh":
            return f"{x.introduced_name}（{'，'.join(said)}）"
        return f"{x.introduced_name} ({', '.join(said)})"

    def _overdue(self, days: int) -> str:
        """How long overdue, in the unit a caller says it in: 12 days, 5 months, 7 years."""
        if days <= 90:
            return self.tr("%n day(s) overdue", "", days)
        if days <= 730:
            return self.tr("%n month(s) overdue", "", days // 30)
        return self.tr("%n year(s) overdue", "", days // 365)

    def _service(self, b: Brief) -> str:
        lines = []
        for m in b.maintenance:
            if m.due is None:
                continue
            days = (m.due - b.as_of).days
            what = (self.tr("first service") if m.first_service else
                    # No maintenance on record long after the 首保: the regular schedule.
                    self.tr("maintenance (none on record: by the regular interval)")
                    if m.no_record else self.tr("maintenance"))
            when = self._overdue(-days) if days < 0 else self.tr("in %n day(s)", "", days)
            if m.told:  # the day the owner was given at their last service
                when = self.tr("as told at the last service, %1").replace("%1", when)
            text = _e(f"{m.name}: {what} {fmt(m.due)} ({when})")
            lines.append(_red(text) if days < 0 else text)
        # Outside the f-string below: lupdate does not see a tr() inside one.
        done, refused = _e(self.tr("done")), _e(self.tr("refused"))
        for item in b.declined:
            due = ""
            if item.due_on is not None and item.due_given:
                due = " " + self.tr("due %1").replace("%1", fmt(item.due_on))
            elif item.due_on is not None:  # none was given: a month after it was advised
                due = " " + self.tr("due about %1 (a month after it was advised)").replace(
                    "%1", fmt(item.due_on))
            text = _e(self.tr("declined: %1").replace("%1", item.item) + due
                      + f" ({fmt(item.recorded_on)})")
            if item.due_on is not None and item.due_on < b.as_of:
                text = _red(text)
            links = (f' <a href="done:{item.id}">{done}</a>'
                     f' <a href="refused:{item.id}">{refused}</a>')
            lines.append(text + links)
        return "<br>".join(lines)

    # --- recording -------------------------------------------------------------------------
    def _on_refer_clicked(self) -> None:
        from ui.views.brief_actions import record_referral

        if self.brief is not None:
            record_referral(self, self.brief)

    def _on_call_clicked(self) -> None:
        from ui.views.brief_actions import log_call

        if self.brief is not None:
            log_call(self, self.brief)

    def _on_declined_clicked(self) -> None:
        from ui.views.brief_actions import record_declined

        if self.brief is not None:
            record_declined(self, self.brief)

    def _on_suggestion_decide(self, action: str) -> None:
        from ui.views.brief_actions import decide_suggestion

        if self.brief is not None and self.brief.suggestion is not None:
            decide_suggestion(self, self.brief, action)

    def _on_service_link_activated(self, link: str) -> None:
        from ui.views.brief_actions import close_declined

        status, _, item = link.partition(":")
        if self.brief is not None and item.isdigit():
            close_declined(self, self.brief, int(item), status)

    def reload(self, customer_id: int, as_of: dt.date) -> None:
        """Load the brief again after a change recorded from it."""
        from ui.views.brief_actions import reload

        reload(self, customer_id, as_of)


def _plain(rich: str) -> str:
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(rich)
    return doc.toPlainText()
