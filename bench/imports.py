"""Benchmark: importing a DMS customer export (保有客户明细, .xlsx) of 20,000 and 100,000 rows —
the dry run, the import on an empty database, and the same file again (every row unchanged).

Each step runs in a fresh subprocess (`python main.py import customers …`), so its peak RSS is
its own. The file has what real exports have: a title block, owners with two cars on two rows,
+86 and spaced phones, landlines, 万 amounts and 万公里 km. Usage:
    python bench/imports.py [--sizes 20000,100000] [--db-url postgresql://…/postgres] [--keep DIR]
                            [--format xlsx|xml2003]
With --db-url, a throw-away PostgreSQL database per size is made on that server too."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.imports.normalise import vin_check_digit  # noqa: E402
from services.outputs import xlsx_stream  # noqa: E402

HEADERS = ["序号", "车牌号码", "车主姓名", "联系电话", "品牌", "车型", "车架号", "开票日期",
           "开票价格", "行驶里程", "付款方式", "地址", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
COUNT_LINE = r"^  (create|update|unchanged|reject) +(?:新建|更新|无变化|不导入) +([\d,]+)$"
MODELS = (("大众", "朗逸"), ("大众", "途观L"), ("丰田", "凯美瑞"), ("本田", "雅阁"),
          ("日产", "轩逸"), ("别克", "英朗"))


def _vin(i: int) -> str:
    raw = f"LSVAB2BM0M{i:07d}"[:17]
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def _rows(n: int):
    yield ["导出时间：2026-11-28 10:00:00"] + [None] * 12
    yield HEADERS
    owner = 0
    for i in range(n):
        if i % 10 != 9:  # every tenth row is a second car of the owner before
            owner += 1
        name = SURNAMES[owner % 20] + GIVEN[owner // 20 % 20] + ("\u3000" if i % 7 == 0 else "")
        mobile = f"13{owner % 10}{owner:08d}"
        phone = (f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}" if i % 3 == 0 else
                 f"020-{80000000 + owner}" if i % 50 == 0 else mobile)
        brand, model = MODELS[i % len(MODELS)]
        yield [i + 1, f"粤A{i % 100000:05d}", name, phone, brand, model, _vin(i),
               f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{10 + i % 30}.8万",
               f"{1 + i % 9}.{i % 10}万公里", ("按揭", "全款", "分期")[i % 3],
               f"广州市天河区体育西路{i % 300}号", None]


def make_file(path: Path, n: int, fmt: str = "xlsx") -> Path:
    """The export as .xlsx, or as the Excel 2003 XML (SpreadsheetML) web DMSs write under a
    .xls name (`fmt` "xml2003"), the same rows."""
    if fmt == "xml2003":
        from tests.services.import_files import write_spreadsheet_xml

        rows = _rows(n)
        exported, _headers = next(rows)[0], next(rows)
        return write_spreadsheet_xml(path.with_suffix(".xls"), HEADERS, list(rows),
                                     ("保有客户明细", exported))
    title = ["保有客户明细"] + [""] * 12
    sheet = xlsx_stream.Sheet("保有客户明细", title, [12] * 13, ["text"] * 13, _rows(n))
    return xlsx_stream.write(path, [sheet])


def run_import(url: str, path: Path, *extra: str) -> dict:
    """One `import customers` in its own process: wall time, peak RSS, its counts."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "import", "customers", str(path),
         *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed: {err}")
    seconds = time.perf_counter() - started
    counts = dict(re.findall(COUNT_LINE, out, re.M))
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        **{k: int(v.replace(",", "")) for k, v in counts.items()},
    }


def bench(url: str, path: Path, rows: int) -> dict:
    result: dict = {"rows": rows}
    result["dry_run"] = run_import(url, path, "--dry-run")
    result["import"] = run_import(url, path, "--errors", str(path.with_suffix(".errors.xlsx")))
    result["again"] = run_import(url, path, "--errors", str(path.with_suffix(".errors.xlsx")))
    result["rows_per_s"] = round(rows / result["import"]["seconds"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--db-url", help="PostgreSQL admin URL to benchmark there as well")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--format", choices=("xlsx", "xml2003"), default="xlsx",
                        help="the export as .xlsx, or as Excel 2003 XML under a .xls name")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="revisit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",")):
        path = make_file(folder / f"customers-{n}.xlsx", n, args.format)
        print(f"{n:,} rows: {path.stat().st_size / 1_048_576:.1f} MB {args.format}")
        if not args.no_sqlite:
            db = folder / f"import-{n}.sqlite3"
            for old in folder.glob(f"import-{n}.sqlite3*"):
                old.unlink()
            subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{db}",
                            "db", "upgrade"], check=True, capture_output=True)
            print(json.dumps({"backend": "sqlite", **bench(f"sqlite:///{db}", path, n)},
                             ensure_ascii=False), flush=True)
        if args.db_url:
            print(json.dumps({"backend": "postgresql", **_pg(args.db_url, path, n)},
                             ensure_ascii=False))


def _pg(admin_url: str, path: Path, n: int) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"revisit_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return bench(admin.set(database=name).render_as_string(hide_password=False), path, n)
    finally:
        # Autovacuum may still be at the new tables (and cannot be ended by a plain role).
        for _ in range(60):
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except DBAPIError:
                time.sleep(2)
        else:
            print(f"could not drop the database {name}; drop it by hand", file=sys.stderr)
        engine.dispose()


if __name__ == "__main__":
    main()
