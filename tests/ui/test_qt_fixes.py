"""The process survives many signal emissions and many calls of methods returning nothing
(PySide6 6.12.0 on Python 3.11 would abort on either)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_many_emits_do_not_crash_after_the_fix():
    script = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QCoreApplication, QObject, Signal
        from ui import qt_fixes
        app = QCoreApplication([])
        qt_fixes.apply()
        class A(QObject):
            s = Signal(int)
        a, got = A(), []
        a.s.connect(got.append)
        for i in range(50_000):
            a.s.emit(i)
        print(len(got))
    """)
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "50000"


def test_a_large_table_fills_without_crashing_after_the_fix():
    """300,000 cells set (a 37,500-member list's table) and as many labels' texts: each a call
    returning nothing, each of which dropped a reference to None."""
    script = textwrap.dedent("""
        from PySide6.QtWidgets import QApplication, QLabel
        from ui import qt_fixes
        app = QApplication([])
        qt_fixes.apply()
        from ui.views.customer_page import make_table, fill_table
        table, label = make_table([str(c) for c in range(8)]), QLabel()
        fill_table(table, [[f"{r}-{c}" for c in range(8)] for r in range(37_500)])
        for i in range(300_000):
            label.setText("x")
        print(table.rowCount(), table.item(37_499, 7).text())
    """)
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["37500", "37499-7"]


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_garbage_is_collected_on_the_gui_thread_only(main_thread_collector):
    import gc
    import threading
    import weakref

    assert not gc.isenabled()
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle

    def allocate() -> None:
        # Far past the generation-0 threshold: the automatic collector would have run here.
        junk = [[] for _ in range(50 * gc.get_threshold()[0])]
        del junk
        for _ in range(50):
            _Cycle()

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert gone() is not None  # nothing collected in the worker's thread
    gc.collect()  # what the timer's rounds do on the GUI thread, up to the oldest generation
    assert gone() is None


def test_a_round_runs_when_the_young_generation_is_full(main_thread_collector):
    import gc
    import weakref

    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    keep = [_Cycle() for _ in range(2 * gc.get_threshold()[0])]
    main_thread_collector.check()
    assert gone() is None
    assert keep
