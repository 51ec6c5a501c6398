"""The one task runner: slow work runs on a thread pool, results and errors come back to the GUI
thread through queued signals, writes run one at a time (SQLite has one writer).

    task = runner.run(lambda progress, cancel: service.do(db, progress=progress, cancel=cancel),
                      on_done=self._on_result, label=self.tr("Building list…"), write=True)

The callable receives a `progress(done, total[, label])` callback (a label says what runs from
then on) and a services.store.errors.CancelToken. A
RevisitError is shown to the user, translated; any other exception is logged and shown as an
unexpected error — never a crash."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from services.store.database import DRIVER_ERRORS, user_error
from services.store.errors import Cancelled, CancelToken, RevisitError
from ui.i18n import translate_error

log = logging.getLogger(__name__)

Work = Callable[[Callable[[int, int], None], CancelToken], Any]


@dataclass(frozen=True)
class DataChange:
    """What a write changed, carried by the runner's one `data_changed` signal that every panel
    listens to. `kinds` name the data ("contacts", "profile", "readings", "preferences",
    "segments", "lists", "settings", "customers"); no customer ids means any customer."""

    kinds: frozenset[str]
    customer_ids: frozenset[int] = frozenset()
    origin: str = ""  # the view that wrote it, so it can skip its own news


    def touches(self, *kinds: str) -> bool:
        return not self.kinds.isdisjoint(kinds)

    def about(self, customer_id: int | None) -> bool:
        return customer_id is not None and (
            not self.customer_ids or customer_id in self.customer_ids
        )


def changed(*kinds: str, customer: int | None = None) -> DataChange:
    return DataChange(frozenset(kinds), frozenset() if customer is None else frozenset({customer}))


@dataclass(frozen=True)
class Notice:
    """A short confirmation for the status bar, with optional actions ("Open folder")."""

    text: str
    actions: tuple[tuple[str, Callable[[], Any]], ...] = ()


class _Relay(QObject):
    """Carries every task's news from the pool's threads to the GUI thread, naming the task.

    One per runner, a child of its pool, so Qt deletes it only after the pool's destructor has
    waited for every task: no worker can emit on a deleted object. (A QObject per task, owned
    by Python, was deleted by PySide's clean-up at exit — it deletes every QObject Python owns,
    in no set order — while its task still ran, and the task's last emit raised "Signal source
    has been deleted": 10 to 16 of 16 tasks running at exit did.)"""

    progress = Signal(object, int, int)
    done = Signal(object, object)
    failed = Signal(object, object)
    cancelled = Signal(object)
    finished = Signal(object)


class Task:
    """One piece of background work. Its `on_*` lists say what to call on the GUI thread, in
    order; fill them before it starts.

    Not a QRunnable: the pool is given the bound `run`, wraps it in a runnable it owns and
    deletes itself. (A QRunnable subclass released by Python when `finished` arrives could be
    freed while the pool still checked it after run() — a use-after-free seen as a crash.)"""

    _write_lock = threading.Lock()

    def __init__(
        self, work: Work, relay: _Relay, *, write: bool = False, label: str = "",
        database_url: str | None = None,
    ) -> None:
        self.work = work
        self.database_url = database_url
        self.write = write
        self.label = label
        self.cancel_token = CancelToken()
        self._relay = relay
        self.on_done: list[Callable[[Any], None]] = []
        self.on_failed: list[Callable[[BaseException], None]] = []
        self.on_cancelled: list[Callable[[], None]] = []
        self._last_progress = 0.0

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _progress(self, done: int, total: int, label: str | None = None) -> None:
        # Throttled: at most ~20 updates a second reach the GUI thread. A new `label` (what
        # runs from now on: a wait for another PC, then the work) is said at once.
        if label is not None:
            self.label, self._last_progress = label, 0.0
        now = time.monotonic()
        if done >= total or now - self._last_progress > 0.05:
            self._last_progress = now
            self._relay.progress.emit(self, done, total)
        self.cancel_token.check()

    def run(self) -> None:
        try:
            if self.write:
                with Task._write_lock:
                    result = self.work(self._progress, self.cancel_token)
            else:
                result = self.work(self._progress, self.cancel_token)
        except Cancelled:
            self._relay.cancelled.emit(self)
        except (RevisitError, OSError, *DRIVER_ERRORS) as exc:
            # the user's input, the disk or the database said no: not a bug
            self._relay.failed.emit(self, user_error(exc, self.database_url))
        except Exception as exc:  # a bug: keep the window alive, log the traceback
            log.exception("background task %r failed", self.label)
            self._relay.failed.emit(self, exc)
        else:
            self._relay.done.emit(self, result)
        finally:
            self._relay.finished.emit(self)


def _call_each(callbacks: list[Callable[..., Any]], *args: Any) -> None:
    """Each callback in turn; one that raises is reported as Qt reports a slot that raises
    (sys.excepthook) and the others still run, as separate slots would."""
    for callback in callbacks:
        try:
            callback(*args)
        except Exception:
            sys.excepthook(*sys.exc_info())


class TaskRunner(QObject):
    """Owns the thread pool; `busy_changed` lets the window show a progress bar and Cancel."""

    busy_changed = Signal(bool)
    progress = Signal(str, int, int)
    data_changed = Signal(object)  # a DataChange, after a write finished
    notice = Signal(object)  # a Notice: "Saved", "Written to …" — shown without a dialog

    def __init__(
        self, parent: QObject | None = None, max_threads: int = 4, database_url: str | None = None
    ) -> None:
        super().__init__(parent)
        self.database_url = database_url  # named in the sentence when the database says no
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._active: set[Task] = set()
        self._generations: dict[str, int] = {}
        self._relay = _Relay(self.pool)  # deleted with the pool, after it waited for its tasks
        self._relay.progress.connect(self._on_task_progress)
        self._relay.done.connect(self._on_task_done)
        self._relay.failed.connect(self._on_task_failed)
        self._relay.cancelled.connect(self._on_task_cancelled)
        self._relay.finished.connect(self._finished)

    def run(
        self,
        work: Work,
        *,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        parent_widget: QWidget | None = None,
        label: str = "",
        write: bool = False,
        latest: str | None = None,
        changes: DataChange | None = None,
        done_notice: str | None = None,
    ) -> Task:
        """Start `work` on the pool. With `latest`, a key such as "search": when several runs
        with the same key overlap, only the newest one's result or error is delivered.
        When the work succeeds, `on_done` runs, then `changes` goes out on `data_changed` and
        `done_notice` on `notice` (both even when the asking widget is gone)."""
        task = Task(work, self._relay, write=write, label=label, database_url=self.database_url)
        generation = None
        if latest is not None:
            generation = self._generations.get(latest, 0) + 1
            self._generations[latest] = generation

        def alive(callback):
            # A result can arrive after its widget was closed; then there is nobody to tell.
            def deliver(*args):
                if latest is not None and self._generations.get(latest) != generation:
                    return  # superseded by a newer run with the same key
                if parent_widget is None or shiboken6.isValid(parent_widget):
                    callback(*args)

            return deliver

        if on_done is not None:
            task.on_done.append(alive(on_done))
        if changes is not None:
            task.on_done.append(lambda _r: self._emit(self.data_changed, changes))
        if done_notice:
            task.on_done.append(lambda _r: self._emit(self.notice, Notice(done_notice)))
        task.on_failed.append(alive(on_failed or (lambda exc: show_error(parent_widget, exc))))
        if on_cancelled is not None:
            task.on_cancelled.append(alive(on_cancelled))
        self._active.add(task)
        self.busy_changed.emit(True)
        if label:
            self.progress.emit(label, 0, 0)  # say what runs, before it reports any steps
        self.pool.start(task.run)
        return task

    def notify(self, text: str, actions: tuple[tuple[str, Callable[[], Any]], ...] = ()) -> None:
        """A short non-modal confirmation; the window shows it in its status bar."""
        self.notice.emit(Notice(text, actions))

    def announce(self, change: DataChange) -> None:
        self.data_changed.emit(change)

    def cancel_all(self) -> None:
        for task in list(self._active):
            task.cancel()

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def _emit(self, signal, *args) -> None:
        # A task's last signals are queued; they may arrive after the window (and this runner
        # with it) was closed and deleted.
        if shiboken6.isValid(self):
            signal.emit(*args)

    def _on_task_progress(self, task: Task, done: int, total: int) -> None:
        self._emit(self.progress, task.label, done, total)

    def _on_task_done(self, task: Task, result: Any) -> None:
        _call_each(task.on_done, result)

    def _on_task_failed(self, task: Task, exc: BaseException) -> None:
        _call_each(task.on_failed, exc)

    def _on_task_cancelled(self, task: Task) -> None:
        _call_each(task.on_cancelled)

    def _finished(self, task: Task) -> None:
        self._active.discard(task)
        if not self._active:
            self._emit(self.busy_changed, False)

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


def error_text(exc: BaseException) -> str:
    known = user_error(exc, None)
    if known is not None:
        return translate_error(known)
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(
        "tasks", "Something unexpected went wrong: %1. Nothing was saved by this step."
    ).replace("%1", f"{type(exc).__name__}: {exc}")


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The sentence; what the driver or the system said in its own words, when known, under
    "Show Details…"."""
    from PySide6.QtCore import QCoreApplication

    title = QCoreApplication.translate("tasks", "Revisit")
    known = user_error(exc, None)
    if known is None or not known.technical:
        QMessageBox.warning(parent, title, error_text(exc))
        return
    box = error_box(parent, title, known)
    box.exec()


def error_box(parent: QWidget | None, title: str, exc: RevisitError) -> QMessageBox:
    """A warning with the sentence, and the technical words under "Show Details…"."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, translate_error(exc),
                      QMessageBox.StandardButton.Ok, parent)
    if exc.technical:
        box.setDetailedText(exc.technical)
    return box
