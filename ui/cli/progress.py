"""A terminal progress bar for long CLI commands (a plain line when output is not a terminal)."""

from __future__ import annotations

import sys
import time


class TerminalProgress:
    """`progress(done, total)` callback drawing `[#####.....]  42%  84,000/200,000  0:31`."""

    def __init__(self, label: str, stream=None, width: int = 30) -> None:
        self.label = label
        # sys.stderr as it is now (a test may have replaced it since this module loaded).
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._tty = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_draw < (0.2 if self._tty else 10.0):
            return
        self._last_draw = now
        frac = done / total if total else 1.0
        filled = int(frac * self.width)
        elapsed = int(now - self.started)
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} "
            f"{done:,}/{total:,}  {elapsed // 60}:{elapsed % 60:02d}"
        )
        if self._tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
