"""Revisit (回访): with no command opens the desktop window; with a command, runs the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from ui.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
