"""The one task runner: slow work runs on a thread pool, results and errors come back to the GUI
thread through queued signals, writes run one at a time (SQLite has one writer).

    task = runner.run(lambda progress, cancel: service.do(db, progress=progress, cancel=cancel),
                      on_done=self._on_result, label=self.tr("Building list…"), write=True)

The callable receives a `progress(done, total)` callback and a services.store.errors.CancelToken. A
RevisitError is shown to the user, translated; any other exception is logged and shown as an
unexpected error — never a crash."""

from __future__ import annotations

import logging
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


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()


class Task:
    """One piece of background work; connect to `signals` before it starts.

    Not a QRunnable: the pool is given the bound `run`, wraps it in a runnable it owns and
    deletes itself. (A QRunnable subclass released by Python when `finished` arrives could be
    freed while the pool still checked it after run() — a use-after-free seen as a crash.)"""

    _write_lock = threading.Lock()

    def __init__(
        self, work: Work, *, write: bool = False, label: str = "", database_url: str | None = None
    ) -> None:
        self.work = work
        self.database_url = database_url
        self.write = write
        self.label = label
        self.cancel_token = CancelToken()
        self.signals = _Signals()
        self._last_progress = 0.0

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _progress(self, done: int, total: int) -> None:
        # Throttled: at most ~20 updates a second reach the GUI thread.
        now = time.monotonic()
        if done >= total or now - self._last_progress > 0.05:
            self._last_progress = now
            self.signals.progress.emit(done, total)
        self.cancel_token.check()

    def run(self) -> None:
        try:
            if self.write:
                with Task._write_lock:
                    result = self.work(self._progress, self.cancel_token)
            else:
                result = self.work(self._progress, self.cancel_token)
        except Cancelled:
            self.signals.cancelled.emit()
        except (RevisitError, OSError, *DRIVER_ERRORS) as exc:
            # the user's input, the disk or the database said no: not a bug
            self.signals.failed.emit(user_error(exc, self.database_url))
        except Exception as exc:  # a bug: keep the window alive, log the traceback
            log.exception("background task %r failed", self.label)
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


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
        task = Task(work, write=write, label=label, database_url=self.database_url)
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
            task.signals.done.connect(alive(on_done))
        if changes is not None:
            task.signals.done.connect(lambda _r: self._emit(self.data_changed, changes))
        if done_notice:
            task.signals.done.connect(lambda _r: self._emit(self.notice, Notice(done_notice)))
        task.signals.failed.connect(
            alive(on_failed or (lambda exc: show_error(parent_widget, exc)))
        )
        if on_cancelled is not None:
            task.signals.cancelled.connect(alive(on_cancelled))
        task.signals.progress.connect(lambda d, t: self._emit(self.progress, label, d, t))
        task.signals.finished.connect(lambda: self._finished(task))
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
    from PySide6.QtCore import QCoreApplication

    QMessageBox.warning(parent, QCoreApplication.translate("tasks", "Revisit"), error_text(exc))
