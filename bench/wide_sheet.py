"""Benchmark: reading an owners .xlsx whose sheet spans every column to XFD because one stray
space was typed there (as a careless edit leaves), through python-calamine, through openpyxl,
and as the import chooses ("auto"). Each read runs in a fresh subprocess, so its peak RSS is its
own. Usage:
    python bench/wide_sheet.py [--rows 5000] [--runs 3]"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

READ = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from services.imports.readers import open_table
started = time.perf_counter()
with open_table({path!r}, engine={engine!r}) as table:
    rows = sum(1 for _ in table)
    engine = table.layout.engine
print(json.dumps({{"rows": rows, "engine": engine, "seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def make(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户姓名", "手机", "车牌", "品牌", "车型"])
    for i in range(rows):
        sheet.append([f"客户{i}", f"139{i:08d}", f"粤A{i % 100000:05d}", "大众", "朗逸"])
    sheet.cell(row=1, column=16384).value = " "
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.xlsx"
        make(path, args.rows)
        print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
              f", {args.rows} rows, one value in column XFD")
        for engine in ("calamine", "openpyxl", "auto"):
            runs = [json.loads(subprocess.run(
                [sys.executable, "-c", READ.format(root=str(ROOT), path=str(path),
                                                   engine=engine)],
                check=True, capture_output=True, text=True).stdout) for _ in range(args.runs)]
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = max(r["peak_mib"] for r in runs)
            print(f"{engine:>9}: {seconds:6.2f} s (median of {args.runs}), peak {peak:6.0f} MiB,"
                  f" {runs[0]['rows']} rows, read by {runs[0]['engine']}")


if __name__ == "__main__":
    main()
