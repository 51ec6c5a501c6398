"""News from other PCs: every half minute the window asks, off the GUI thread, what others stored
since it last looked (services/store/news.py) and announces it on the runner's `data_changed`
as a change from ELSEWHERE, so each area refreshes as it does for this window's own writes: a
caller's queue shows the list a supervisor just handed out, the dashboard counts colleagues'
calls. A customer page being read is not reloaded under the reader: it says that the customer
changed elsewhere and offers to reload."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ui.tasks import DataChange, TaskRunner

if TYPE_CHECKING:  # the ORM models load after the customer list is on screen, not with it
    from services.store import news
    from services.store.database import Database

log = logging.getLogger(__name__)

ELSEWHERE = "elsewhere"  # DataChange.origin of news from other PCs
INTERVAL_MS = 30_000


class _Relay(QObject):
    """Carries a look's answer from the pool to the GUI thread. A child of the pool, which
    waits for its tasks before it and its children are deleted."""

    answered = Signal(object)


class NewsWatcher(QObject):
    """Looks for others' writes every `interval_ms` while started; `me`: the staff id signed in
    here, whose writes this window announced already."""

    def __init__(self, runner: TaskRunner, database: Database, me: int | None,
                 interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.database = database  # its sessions (the ORM) are asked for at the first look
        self.me = me
        self.mark: news.Mark | None = None
        self._asking = False
        self._stopped = False
        self._relay = _Relay(runner.pool)
        self._relay.answered.connect(self._on_answer)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.look)

    def start(self) -> None:
        if not self._stopped:  # a start timed before the window closed comes after it
            self._timer.start()
            self.look()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def look(self) -> None:
        """Ask once, unless the last question is still out."""
        if self._asking:
            return
        self._asking = True
        sessions, mark, me, relay = self.database.sessions, self.mark, self.me, self._relay

        def work() -> None:
            from services.store import news

            try:
                got: object = (news.mark_now(sessions) if mark is None
                               else news.news_since(sessions, mark, me))
            except Exception as exc:  # a lost server: the next look tries again
                log.info("looking for news from other PCs failed: %s", exc)
                got = exc
            relay.answered.emit(got)

        self.runner.pool.start(work)

    def _on_answer(self, got: object) -> None:
        from services.store import news

        self._asking = False
        if isinstance(got, news.Mark):
            self.mark = got
        elif isinstance(got, news.News):
            self.mark = got.mark
            if got.kinds:
                self.runner.announce(DataChange(got.kinds, got.customer_ids, origin=ELSEWHERE))
