"""Benchmark: 2,000-row call sheet PDF, 100,000-row Excel lists (call and mail), and a list run
over every customer of the 200k demo database (on a copy). Each step runs in a fresh subprocess
so its peak RSS is its own. Usage:
    python bench/lists.py [--demo-db /work/benchdata/demo-200000.sqlite3]"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STEP = r"""
import datetime as dt, json, sys, time
sys.path.insert(0, {root!r})
from services.outputs.types import ListMember, ListDocument
def members(n, channel):
    return tuple(ListMember(
        row_code=f"1-{{i:06d}}", name="欧阳娜娜", channel=channel, caller=("陈丽", "刘洋")[i % 2],
        customer_code=f"C{{i:07d}}", salutation="欧阳女士", mobile=f"138{{i:08d}}",
        province="广东省", city="广州市", district="海珠区", street="光明西路18号15栋202室",
        postcode="510000", brand="丰田", model="凯美瑞 2.5L", plate="粤A12345",
        purchase_date=dt.date(2018, 5, 1), years_owned=7.6, km=86000 + i,
        last_contact=dt.date(2026, 10, 1), last_outcome="接通",
        last_feedback=None if i % 3 else "客户说最近很忙，下个月再联系，对保养价格有意见",
        best_time="工作日 下午/晚上", talking_points="购车 7.6 年：可介绍置换；保险 12-05 到期")
        for i in range(n))
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
if kind == "pdf":
    from services.outputs.pdf_call_sheet import write_call_sheet
    d = ListDocument("回访", "bench", 1, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23),
                     "销售", members(n, "call"))
    t = time.perf_counter()
    write_call_sheet(d, out)
elif kind in ("call", "mail"):
    from services.outputs.excel import write_list
    d = ListDocument("回访", "bench", 1, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23),
                     "", members(n, kind))
    t = time.perf_counter()
    write_list(d, kind, out)
else:
    from services.store.database import open_database
    from services.segments import service as seg
    from services.lists.build import build_run, RunOptions
    db = open_database("sqlite:///" + out)
    seg.save_segment(db.sessions, "bench-all", {{"version": 1}}, purpose="sales", replace=True)
    t = time.perf_counter()
    s = build_run(db.sessions, "bench-all", RunOptions(staff=("chenli", "liuyang"),
                  as_of=dt.date(2026, 11, 23)))
    n = s.members + sum(s.excluded.values())
print(json.dumps({{"seconds": round(time.perf_counter() - t, 2), "rows": n}}))
"""


def run(kind: str, n: int, out: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", STEP.format(root=str(ROOT)), kind, str(n), out],
                          capture_output=True, text=True, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    got["peak_rss_mib"] = round(max(peak, before) / 1024)
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo-db", type=Path, help="a demo SQLite file to copy and run on")
    args = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        steps = [("pdf", 2000, f"{tmp}/calls.pdf"), ("call", 100_000, f"{tmp}/calls.xlsx"),
                 ("mail", 100_000, f"{tmp}/mail.xlsx")]
        if args.demo_db:
            copy = Path(tmp) / "demo.sqlite3"
            shutil.copy(args.demo_db, copy)
            steps.append(("run", 0, str(copy)))
        for kind, n, out in steps:
            print(kind, json.dumps(run(kind, n, out)))


if __name__ == "__main__":
    main()
