"""The process survives many signal emissions (PySide6 6.12.0 on Python 3.11 would abort)."""

from __future__ import annotations

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
