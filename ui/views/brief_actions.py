"""What the brief's buttons and links do: a referral or a declined repair recorded through its
dialog, a declined repair closed as done or refused, the suggested next step accepted, changed
or dismissed — each one write through the task runner, then the brief loaded again so it shows
what is now stored. An accepted or changed suggestion goes on to the call: the follow-up
workspace makes it the purpose of the call on its card; elsewhere the notice offers to log the
call with that purpose. `open_brief` shows a customer's brief in a dialog of its own, for the
areas that list customers without a brief beside them (Lists, Segments)."""

from __future__ import annotations

import datetime as dt

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from services.contacts import calls
from services.customers import referrals, reminders, suggest_decisions
from services.customers.brief import Brief, load_brief
from services.customers.merge import customer_id_of
from services.staff.permissions import NOT_PASSED
from ui.dialogs.declined_item_dialog import DeclinedItemDialog
from ui.dialogs.referral_dialog import INTRODUCED, ReferralDialog
from ui.dialogs.save_again import edit_and_save
from ui.labels import label, language
from ui.tasks import changed
from ui.views.suggestion_dialogs import ChangePurposeDialog, LogCallDialog

# lupdate reads the context and text of translate() calls only when both are literals.
translate = QCoreApplication.translate

def _context(view) -> tuple | None:
    found = view.context()
    if found is None:
        QMessageBox.information(view, translate("BriefView", "Not here"), translate(
            "BriefView", "Open the customer from the Customers area to record this."))
    return found


def _write(view, brief: Brief, work, notice: str | None, then=None,
           kinds: tuple[str, ...] = ("customers",), on_failed=None) -> None:
    """`on_failed`: what a failed save does (a dialog's: open again as typed); else the error
    is shown."""
    found = _context(view)
    if found is None:
        return
    database, runner, _actor = found
    customer_id, as_of = brief.customer_id, brief.as_of

    def done(result) -> None:
        view.brief_changed.emit(customer_id)
        view.reload(customer_id, as_of)
        if then is not None:
            then(result)

    runner.run(work, on_done=done, parent_widget=view, label=translate("BriefView", "Saving"),
               write=True, changes=changed(*kinds, customer=customer_id), done_notice=notice,
               on_failed=on_failed)


def record_referral(view: QWidget, brief: Brief) -> None:
    found = _context(view)
    if found is None:
        return
    database, _runner, actor = found
    dialog = ReferralDialog(brief.name, view)
    sessions, customer_id = database.sessions, brief.customer_id
    edit_and_save(dialog, lambda failed: _write(
        view, brief, _referral_work(sessions, actor, customer_id, dialog.values()),
        translate("BriefView", "Referral recorded for %1").replace("%1", brief.name),
        on_failed=failed))


def _referral_work(sessions, actor, customer_id: int, v: dict):
    def work(_p, _c):
        if v["direction"] == INTRODUCED:
            other = customer_id_of(sessions, v["who"])
            return referrals.record_referral(sessions, actor, other, referred_on=v["on"],
                                             by_customer=customer_id, note=v["note"])
        by: dict = {}
        if v["kind"] == "customer":
            by["by_customer"] = customer_id_of(sessions, v["who"])
        elif v["kind"] == "staff":
            by["by_staff"] = referrals.staff_id_of(sessions, v["who"])
        else:
            by["by_org"] = v["who"]
        return referrals.record_referral(sessions, actor, customer_id, referred_on=v["on"],
                                         note=v["note"], **by)

    return work


def record_declined(view: QWidget, brief: Brief) -> None:
    found = _context(view)
    if found is None:
        return
    database, _runner, actor = found
    cars = [(c.vehicle_id, c.name) for c in brief.cars if c.active]
    dialog = DeclinedItemDialog(cars, view)

    def save(failed) -> None:
        v = dialog.values()
        _write(view, brief, lambda _p, _c: reminders.record_declined(
            database.sessions, actor, brief.customer_id, **v),
            translate("BriefView", "Declined repair recorded for %1").replace("%1", brief.name),
            on_failed=failed)

    edit_and_save(dialog, save)


def close_declined(view: QWidget, brief: Brief, item_id: int, status: str) -> None:
    found = _context(view)
    if found is None or status not in ("done", "refused"):
        return
    database, _runner, actor = found
    closed_on = dt.date.today()

    def work(_p, _c):
        return reminders.close_declined(database.sessions, actor, item_id, status,
                                        closed_on=closed_on)

    notice = (translate("BriefView", "Marked done") if status == "done"
              else translate("BriefView", "Marked refused"))
    _write(view, brief, work, notice)


def decide_suggestion(view, brief: Brief, action: str) -> None:
    """Record what the caller did with the brief's suggestion: ACCEPTED, CHANGED (asks for the
    purpose) or DISMISSED."""
    found = _context(view)
    s = brief.suggestion
    if found is None or s is None:
        return
    database, runner, actor = found

    def work_for(chosen: str | None, note: str | None):
        return lambda _p, _c: suggest_decisions.record_decision(
            database.sessions, actor, brief.customer_id, brief.as_of, s.rule, s.purpose,
            action, chosen=chosen, note=note)

    def then(decision: suggest_decisions.DecisionInfo) -> None:
        purpose = decision.chosen or ""
        view.suggestion_decided.emit(brief.customer_id, purpose)
        if not purpose:
            runner.notify(translate("BriefView", "Suggestion dismissed for %1")
                          .replace("%1", brief.name))
        elif view.takes_purpose:
            runner.notify(translate("BriefView", "%1: this call is now a %2 call").replace(
                "%1", brief.name).replace("%2", label("purpose", purpose)))
        else:
            # Elsewhere than the follow-up workspace the call is yet to be made: the notice
            # offers to log it with the chosen purpose once it is.
            accepted = decision.action == suggest_decisions.ACCEPTED
            how = (translate("BriefView", "Accepted") if accepted
                   else translate("BriefView", "Changed"))
            runner.notify(
                translate("BriefView", "%1 for %2: %3").replace("%1", how)
                .replace("%2", brief.name).replace("%3", label("purpose", purpose)),
                ((translate("BriefView", "Log the call…"),
                  lambda: log_call(view, brief, purpose)),))

    if action == suggest_decisions.CHANGED:
        dialog = ChangePurposeDialog(s.purpose, s.rule, view)
        edit_and_save(dialog, lambda failed: _write(view, brief, work_for(*dialog.values()),
                                                    None, then, on_failed=failed))
    else:
        _write(view, brief, work_for(None, None), None, then)


def log_call(view, brief: Brief, purpose: str | None = None) -> None:
    """A call recorded as the signed-in person's: one made for an accepted suggestion (its
    purpose proposed), or any other (an inbound call, a call outside the queue: the suggestion's
    purpose proposed if there is one, else a call back). A next follow-up date brings the
    customer back in their follow-ups."""
    if not shiboken6.isValid(view):
        return
    found = _context(view)
    if found is None:
        return
    database, _runner, actor = found
    suggestion = brief.suggestion
    points = suggestion.points(language()) if suggestion is not None else ""
    proposed = purpose or (suggestion.purpose if suggestion is not None else "callback")
    dialog = LogCallDialog(brief.name, proposed, points, view)

    def save(failed) -> None:
        result, chosen, channel = dialog.result_of_call(), dialog.purpose(), dialog.channel()
        at = dialog.when.moment()

        def work(_p, _c):
            return calls.record_call(database.sessions, brief.customer_id,
                                     actor.id if actor is not None else None, result,
                                     purpose=chosen, channel=channel, at=at)

        _write(view, brief, work, translate("BriefView", "Call logged for %1: %2")
               .replace("%1", brief.name).replace("%2", label("outcome", result.outcome)),
               kinds=("contacts", "customers"), on_failed=failed)

    edit_and_save(dialog, save)


def reload(view, customer_id: int, as_of: dt.date) -> None:
    found = view.context()
    if found is None:
        return
    database, runner, _actor = found

    def show(brief: Brief) -> None:
        current = view.brief
        if current is not None and current.customer_id == customer_id:
            view.show_brief(brief)

    runner.run(lambda _p, _c: load_brief(database.sessions, customer_id, as_of),
               on_done=show, parent_widget=view, label=translate("BriefView", "Loading the brief"),
               latest=f"brief-{id(view)}")


class BriefDialog(QDialog):
    """One customer's pre-call brief in a window of its own, opened from a list (Lists,
    Segments): the same view as in the follow-up workspace, with its buttons recording
    through `runner` as `actor`. Sized for a 1366×768 screen."""

    def __init__(self, database, runner, actor, title: str, parent: QWidget | None = None):
        from PySide6.QtWidgets import QDialogButtonBox, QVBoxLayout

        from ui.views.brief_view import BriefView

        super().__init__(parent)
        self.setObjectName("briefDialog")
        self.setWindowTitle(translate("BriefView", "Brief: %1").replace("%1", title))
        self.view = BriefView()
        self.view.attach(database, runner, None if actor is NOT_PASSED else actor)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        # 1100×620 where the screen has room; within nine tenths of a smaller one (1366×768 at
        # 125 % scaling leaves about 1093×574 above the taskbar).
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        self.resize(min(1100, room.width() * 9 // 10), min(620, room.height() * 9 // 10))


def open_brief(parent: QWidget, database, runner, actor, code: str, name: str) -> BriefDialog:
    """Show the brief of the customer with `code` (today's) in a dialog; it fills in when the
    brief has been read in the background. Returns the dialog (shown, not modal)."""
    dialog = BriefDialog(database, runner, actor, f"{name} ({code})" if code else name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    sessions = database.sessions

    def work(_p, _c) -> Brief:
        return load_brief(sessions, customer_id_of(sessions, code))

    def show(brief: Brief) -> None:
        if shiboken6.isValid(dialog):
            dialog.view.show_brief(brief)

    runner.run(work, on_done=show, parent_widget=parent,
               label=translate("BriefView", "Loading the brief"),
               latest=f"brief-dialog-{id(dialog)}")
    dialog.show()
    return dialog
