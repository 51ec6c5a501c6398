"""Benchmark: reading a filled-in call list's rows back (the file only, nothing stored) — the
call list's own columns, one row in three with an outcome, a date and feedback typed in — as
.xlsx (written by Revisit's own writer) and as CSV. Each read runs in a fresh subprocess, so
its peak RSS is its own. Usage:
    python bench/outcomes_read.py [--rows 100000] [--runs 3]"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.outputs import excel, xlsx_stream  # noqa: E402

READ = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from services.lists import outcomes
started = time.perf_counter()
rows, problems, blank, _ = outcomes.read_rows(Path({path!r}))
print(json.dumps({{"seconds": time.perf_counter() - started, "rows": len(rows),
                  "problems": len(problems), "blank": blank,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _rows(count: int) -> list[list[object]]:
    headers = [c.header for c in excel.COLUMNS_BY_CHANNEL["call"]]
    at = {h: i for i, h in enumerate(headers)}
    rows = []
    for n in range(count):
        row: list[object] = [None] * len(headers)
        row[at["编号"]] = f"12-{n + 1:06d}"
        row[at["客户编号"]] = f"C{n + 1:07d}"
        row[at["姓名"]] = "王伟"
        if n % 3 == 0:
            row[at["结果"]] = "接通"
            row[at["联系日期"]] = dt.date(2026, 11, 24)
            row[at["客户反馈"]] = "对上次保养满意"
        rows.append(row)
    return [headers, *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        table = _rows(args.rows)
        xlsx = Path(folder) / "calls.xlsx"
        columns = excel.COLUMNS_BY_CHANNEL["call"]
        xlsx_stream.write(xlsx, [xlsx_stream.Sheet(
            title="回访名单", headers=table[0], widths=[c.width for c in columns],
            kinds=[c.kind for c in columns], rows=iter(table[1:]))])
        csv_path = Path(folder) / "calls.csv"
        with csv_path.open("w", encoding="gbk", newline="") as fh:
            csv.writer(fh).writerows([[("" if v is None else v) for v in r] for r in table])
        print(f"{platform.node()} · Python {platform.python_version()} · "
              f"{dt.date.today().isoformat()} · {args.rows:,} rows")
        for path in (xlsx, csv_path):
            runs = []
            for _ in range(args.runs):
                started = time.perf_counter()
                out = subprocess.run([sys.executable, "-c",
                                      READ.format(root=str(ROOT), path=str(path))],
                                     check=True, capture_output=True, text=True).stdout
                wall = time.perf_counter() - started
                runs.append(json.loads(out) | {"wall": wall})
            best = min(runs, key=lambda r: r["seconds"])
            times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            print(f"{path.suffix:6} {path.stat().st_size / 2**20:6.1f} MiB  read "
                  f"{times} s (process "
                  f"{best['wall']:.2f} s), peak {best['peak_mib']:.0f} MiB, "
                  f"{best['rows']:,} with an outcome, {best['blank']:,} without")


if __name__ == "__main__":
    main()
