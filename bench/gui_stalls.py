"""Benchmark: how long the window's GUI thread is ever blocked, at start and when each area is
first opened, on a big database. A 10 ms timer beats on the GUI thread; the longest gaps
between its beats are the longest times staff could not type, click or scroll.

Usage: python bench/gui_stalls.py sqlite:////path/demo-200000.sqlite3 [seconds-per-area]
Signs in as the demo's supervisor, builds the main window offscreen, lets the customer list
settle for 8 s, then opens each area in turn (as a click in the navigation does) and lets it
settle. Prints, per area, the three longest stalls in ms and when opening it returned. Run it
on a copy of the database: the window takes the day's backup and builds its summaries."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    url = sys.argv[1]
    settle = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from services.demo import DEMO_PASSWORD
    from services.staff import signing
    from services.store.database import open_database
    from ui.app import install_translators
    from ui.main_window import MainWindow

    install_translators(app, "zh_CN")
    database = open_database(url)
    actor = signing.sign_in(database.engine, "supervisor", DEMO_PASSWORD, record_it=False).actor
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    def settle_for(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    window = MainWindow(database, actor)
    window.resize(1366, 728)
    window.show()
    settle_for(settle)
    worst = ", ".join(f"{g * 1000:.0f}" for g in sorted(gaps, reverse=True)[:3])
    print(f"{'customers (start)':<20} longest stalls {worst} ms", flush=True)
    for row in range(1, window._nav.count()):
        gaps.clear()
        last[0] = started = time.perf_counter()
        window._nav.setCurrentRow(row)
        returned = time.perf_counter() - started
        settle_for(settle)
        worst = ", ".join(f"{g * 1000:.0f}" for g in sorted(gaps, reverse=True)[:3])
        print(f"{window._nav.item(row).text():<20} longest stalls {worst} ms "
              f"(opening returned after {returned * 1000:.0f} ms)", flush=True)
    window.close()
    settle_for(1)
    database.dispose()
    os._exit(0)  # the window's workers may still be finishing the day's summaries


if __name__ == "__main__":
    main()
