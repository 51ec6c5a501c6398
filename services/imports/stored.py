"""What an import has stored so far, written on its batch row with every commit: the rows done
and their outcomes, the records created and changed per table, and the stored records rows of
the file were found to be ("matched"). So a batch stopped halfway still says what it holds, and
undo knows which records a later batch counts as its own rows (undo must not delete them from
under it).

Matched records are kept as runs of ids per table in the batch's records JSON: a file read again
finds the records an earlier batch created, whose ids run on, so a 50,000-row file is a handful
of runs.

Until the import finishes, the notes of its stored rows are kept there too, each note with the
runs of row numbers it was made on: a stopped import's rows are found stored (unchanged) by the
import of the same file that completes it, which would not make the notes of their writes again
(an address updated, a text cut to its column), so it takes them from here for its report and
problems file."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from services.imports.context import Context
from services.imports.report import Tally
from services.imports.results import Issue, RowResult
from services.imports.writes import id_runs

Runs = list[tuple[int, int]]


def merge_runs(runs: Runs, more: Runs) -> Runs:
    """Two lists of id runs as one, sorted, with touching and overlapping runs joined."""
    merged: Runs = []
    for a, b in sorted([*runs, *more]):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def overlap(a: Runs, b: Runs) -> int:
    """How many ids two lists of sorted, non-overlapping runs have in common."""
    i = j = n = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            n += hi - lo + 1
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return n


def records_of(records_json: str | None) -> dict[str, Any]:
    return json.loads(records_json or "{}")


def matched_of(records: dict[str, Any]) -> dict[str, Runs]:
    """The matched records of a batch's records JSON, per table."""
    return {t: [(a, b) for a, b in runs] for t, runs in records.get("matched", {}).items()}


class Stored:
    """The batch row's columns for what the import has done so far (`columns()` before each
    commit)."""

    def __init__(self) -> None:
        self.matched: dict[str, Runs] = {}
        self._taken: dict[str, set[int]] = defaultdict(set)
        self._notes: dict[Issue, list[int]] = defaultdict(list)

    def note(self, result: RowResult) -> None:
        """Keep the notes of a row the import stores (a rejected row is not stored, and the
        import completing this one rejects it again with its reasons)."""
        if result.outcome != "reject":
            for issue in dict.fromkeys(result.issues):
                self._notes[issue].append(result.number)

    def _match(self, ctx: Context) -> None:
        # Context.seen holds every record a row of the file created or was found to be; those
        # the import did not create were stored before it.
        for table, ids in ctx.seen.items():
            new = ids - ctx.writer.created[table] - self._taken[table]
            if new:
                self._taken[table] |= new
                self.matched[table] = merge_runs(self.matched.get(table, []),
                                                 id_runs(sorted(new)))

    def columns(self, tally: Tally, ctx: Context, completes: tuple[int, ...] = (),
                finished: bool = False) -> dict[str, Any]:
        """`finished`: the last commit's, without the notes (the import's report has them)."""
        self._match(ctx)
        records: dict[str, Any] = {
            "created": dict(ctx.writer.counts),
            "updated": dict(ctx.writer.changed_rows),
            "matched": {t: [list(r) for r in runs] for t, runs in self.matched.items()},
        }
        if self._notes and not finished:
            records["notes"] = [[i.code, i.field, i.severity, i.value, i.limit,
                                 [list(r) for r in id_runs(rows)],
                                 [list(f) for f in i.fills]]
                                for i, rows in self._notes.items()]
        if completes:
            records["completes"] = list(completes)
        return {
            "rows_total": sum(tally.outcomes.values()),
            "rows_created": tally.outcomes["create"],
            "rows_updated": tally.outcomes["update"],
            "rows_unchanged": tally.outcomes["unchanged"],
            "rows_rejected": tally.outcomes["reject"],
            "records_json": json.dumps(records),
        }


def notes_of(records: dict[str, Any]) -> dict[int, list[Issue]]:
    """The notes a stopped import kept in its records JSON, per row number of its file."""
    by_row: dict[int, list[Issue]] = defaultdict(list)
    for code, key, severity, value, limit, runs, *fills in records.get("notes", ()):
        # fills: kept since the notes named a reversal's amounts; none in older records
        issue = Issue(code, key, severity, value, limit,
                      tuple((name, text) for name, text in (fills[0] if fills else ())))
        for a, b in runs:
            for number in range(a, b + 1):
                by_row[number].append(issue)
    return by_row


def add_earlier_notes(result: RowResult, earlier: dict[int, list[Issue]]) -> None:
    """A row a stopped import of the file stored: its notes from then, not made again now."""
    if result.outcome == "reject":
        return
    for issue in earlier.get(result.number, ()):
        if issue not in result.issues:
            result.issues.append(issue)
