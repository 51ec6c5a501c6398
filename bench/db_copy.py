"""Benchmark: `main.py db copy` of a demo SQLite file to an empty PostgreSQL database, as a
department moving one PC's data to its server does it, as a whole process.

    python bench/db_copy.py --pg postgresql://user:pw@localhost:5432/postgres [--customers 20000]

The demo is made in a temporary folder; the PostgreSQL database (revisit_bench_copy_…) is made
on the server the URL names and dropped afterwards. Prints the rows copied and the wall and
CPU seconds of the command."""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.demo import DEMO_PASSWORD  # noqa: E402  (after the path is set)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL allowed to create databases")
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}, {time.ctime()}")
    env = {**os.environ, "REVISIT_USER": "supervisor", "REVISIT_PASSWORD": DEMO_PASSWORD}
    admin = create_engine(make_url(args.pg).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    name = f"revisit_bench_copy_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        source = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", source, "demo",
                        "--customers", str(args.customers)], env=env, check=True,
                       capture_output=True)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        try:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", source, "db",
                                   "copy", "--to", target], env=env, check=True,
                                  capture_output=True, text=True)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    said = done.stdout.strip().splitlines()[-1]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{args.customers:,}-customer demo → PostgreSQL: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(the command's process); {said}")


if __name__ == "__main__":
    main()
