"""Benchmark: demo-data generation at 20k and 200k customers (rows/s and peak memory).

Each size runs in a fresh subprocess (`python main.py demo`) on a new database, so the peak
RSS is that run's alone. Usage:
    python bench/demo.py [--sizes 20000,200000] [--db-url postgresql://…/postgres] [--keep DIR]
With --db-url, a throw-away PostgreSQL database per size is made on that server too."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_demo(url: str, customers: int) -> dict:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            url,
            "demo",
            "--customers",
            str(customers),
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    total = int(re.search(r"customers, ([\d,]+) rows", proc.stdout).group(1).replace(",", ""))
    return {
        "customers": customers,
        "rows": total,
        "seconds": round(seconds, 1),
        "rows_per_s": round(total / seconds),
        # ru_maxrss of children is the max over all children so far; sizes run small to big.
        "peak_rss_mib": round(max(peak_kib, before) / 1024),
        "detail": proc.stdout.strip().splitlines()[1:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--db-url", help="PostgreSQL admin URL to benchmark there as well")
    parser.add_argument("--keep", type=Path, help="keep the SQLite files in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="revisit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        path = folder / f"demo-{n}.sqlite3"
        for p in folder.glob(f"demo-{n}.sqlite3*"):
            p.unlink()
        r = run_demo(f"sqlite:///{path}", n)
        r["backend"] = "sqlite"
        r["file_mib"] = round(path.stat().st_size / 1_048_576)
        results.append(r)
        print(json.dumps({k: v for k, v in r.items() if k != "detail"}))
    if args.db_url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(
            make_url(args.db_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        for n in sizes:
            name = f"revisit_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(args.db_url).set(database=name).render_as_string(False)
                r = run_demo(url, n)
                r["backend"] = "postgresql"
                results.append(r)
                print(json.dumps({k: v for k, v in r.items() if k != "detail"}))
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print("\n| backend | customers | rows | seconds | rows/s | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['backend']} | {r['customers']:,} | {r['rows']:,} | {r['seconds']} | "
            f"{r['rows_per_s']:,} | {r['peak_rss_mib']} MiB |"
        )
    for line in results[-1]["detail"]:
        print(line)


if __name__ == "__main__":
    main()
