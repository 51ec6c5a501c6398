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
