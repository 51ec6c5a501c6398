"""Work-arounds for bugs in the Qt bindings, applied once when the application starts.

PySide6 6.12.0 drops one reference to Python's `True` on every `Signal.emit()` made from Python
(Qt's own emissions are fine). On Python 3.12+ `True` is immortal and nothing happens; on 3.11
its count (~600 at start) reaches zero after a few hundred emits and the interpreter aborts with
"bool_dealloc: deallocating True or False". Revisit emits on every search and background task,
so without this the window would crash within minutes. The same PySide drops one reference to
`None` on every call of a method that returns nothing (measured: `QLabel.setText`,
`QTableWidget.setItem`, `QComboBox.addItem`, `QTableWidget.setRowCount` — 1,000 calls, 1,000
references); filling a 3,000-member list's table is 24,000 such calls and aborted with
"none_dealloc: deallocating None". The fix is measured, not assumed: if an emit or a call is
seen to drop a reference, `True` or `None` is given 2**40 spare references — harmless if a
later PySide stops the leak (extra references to them are never released), and enough for any
session. PySide 6.11 does neither; 6.11 has no separate QtPdf wheel, so we stay on 6.12."""

from __future__ import annotations

import ctypes
import gc
import sys

from PySide6.QtCore import QObject, QTimer, Signal

SPARE_REFERENCES = 1 << 40


class _Probe(QObject):
    ping = Signal()


def signal_emit_leaks_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) < before


def void_call_leaks_none() -> bool:
    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before


def apply() -> bool:
    """Apply the work-arounds this PySide needs here; returns whether any was."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    applied = False
    for leaks, obj in ((signal_emit_leaks_true, True), (void_call_leaks_none, None)):
        if leaks():
            # ob_refcnt is the first field of every CPython object.
            ctypes.c_ssize_t.from_address(id(obj)).value += SPARE_REFERENCES
            applied = True
    return applied


def collect_if_due(threshold: tuple[int, ...] | None = None) -> None:
    """One round of what Python's automatic collector would do now, on the calling thread:
    generation 0 when its count passed the threshold, the older ones in turn as theirs did."""
    limits = threshold or gc.get_threshold()
    counts = gc.get_count()
    if counts[0] <= limits[0]:
        return
    generation = 0
    if counts[1] > limits[1]:
        generation = 2 if counts[2] > limits[2] else 1
    gc.collect(generation)


class MainThreadCollector(QObject):
    """Garbage collection only on the GUI thread.

    Python's automatic collector runs in whichever thread happens to allocate when a count passes
    its threshold. When that is a background job (the dashboard's queries, a list run) and the
    garbage holds a widget from a reference cycle, Qt destroys the widget off the GUI thread and
    the process dies with a segmentation fault (seen in the dashboard's worker threads, inside
    SQLAlchemy's compiler, "Garbage-collecting"). So the automatic collector is switched off and
    the same rounds run from a timer on the GUI thread."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        collect_if_due(self.threshold)
