"""The field tables of docs/segments.md, written from the catalog (`python -m` this module)."""

from __future__ import annotations

import sys
from pathlib import Path

from services.segments.catalog import FIELDS, GROUPS, Field

DOC = Path(__file__).resolve().parents[2] / "docs" / "segments.md"
START, END = "## Fields\n\n", "## Templates\n"


def _notes(f: Field) -> str:
    notes = [f.note] if f.note else []
    if f.params:
        notes.append("params: " + ", ".join(
            f"`{p.key}`" + ("" if p.default is None else f" (default {p.default})")
            for p in f.params))
    if f.choices:
        notes.append("values: " + ", ".join(f"`{c}`" for c in f.choices))
    return "; ".join(notes)


def fields_markdown() -> str:
    """One table per group, fields in catalog order."""
    lines: list[str] = []
    for group, (zh, en) in GROUPS.items():
        lines += [f"### {en} ({zh})", "", "| field | type | per | 中文 | operators | notes |",
                  "|---|---|---|---|---|---|"]
        for f in (f for f in FIELDS.values() if f.group == group):
            ops = " ".join(f"`{op}`" for op in f.operators)
            lines.append(f"| `{f.key}` | {f.type} | {f.level} | {f.zh} | {ops} | {_notes(f)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def documented(text: str) -> str:
    """The part of docs/segments.md that `fields_markdown` writes."""
    return text[text.index(START) + len(START):text.index(END)]


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(START) + len(START)
    DOC.write_text(text[:start] + fields_markdown() + text[text.index(END):], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
