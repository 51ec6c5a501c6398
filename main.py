"""Revisit (回访): with no command opens the desktop window; with a command, runs the CLI."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    from ui.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # The packaged program starts itself again to write a long list in a process of its
        # own (services/outputs/list_process.py); this runs that process's work and ends it.
        import multiprocessing

        multiprocessing.freeze_support()
    # Starting makes a few hundred thousand long-lived objects (SQLAlchemy, the models, Qt) and
    # no garbage, so the collector stays off until the command or the window is set up
    # (ui/cli/__init__.py: end_of_start), then leaves them out of its rounds. Frozen again at the
    # end, they are not walked once more on the way out (0.08–0.1 s of a 0.5 s command).
    gc.disable()
    code = main()
    gc.freeze()
    sys.exit(code)
