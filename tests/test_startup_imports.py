"""Start-up pays only for what it uses: in a new process, a `segment` command on an up-to-date
database and the window's start up to the customer list import none of the heavy libraries
(pandas, openpyxl, reportlab, Alembic, …) nor the modules of areas not yet opened, and
neither `segment matrix` nor the window before its customer list shows even the ORM. Also:
the schema revision the start trusts without Alembic is Alembic's head, and the CLI's table
of command modules is what the modules register."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.store.database import open_database
from services.store.schema import HEAD_REVISION, revision_history
from ui.cli import COMMAND_MODULES, build_parser

ROOT = Path(__file__).resolve().parent.parent
# Each took 0.05–0.3 s to import and none is needed to read segment counts or show customers.
HEAVY = ("pandas", "numpy", "openpyxl", "lxml", "reportlab", "alembic", "python_calamine")
# The ORM and the models' classes (0.15 s): `segment matrix` reads Core tables through a plain
# connection (services/segments/matrix.py); of the models package only these plain modules
# (the Core tables of models/tables.py among them).
ORM = ("sqlalchemy.orm",)
PLAIN_MODELS = {"models", "models.db", "models.codes", "models.columns", "models.tables"}
# Loaded by the first use, not at start: pypinyin's dictionaries (0.12 s) by the first name
# converted (services/customers/pinyin.py), argon2 by the first password checked.
PYPINYIN, ARGON2 = ("pypinyin",), ("argon2", "_argon2_cffi_bindings")
# The customer list's dialogs (and the erase service): loaded when first asked for.
LIST_DIALOGS = ("ui.dialogs.erase_dialog", "ui.dialogs.profile_change_dialog",
                "services.customers.erase")
# The rest of the window: built when first opened (ui/main_window.py).
LATER_AREAS = ("ui.views.segments_view", "ui.views.lists_view", "ui.views.followup_view",
               "ui.views.reports_view", "ui.views.import_view", "ui.views.settings_view",
               "ui.views.audit_view")
# Runs main.py's main() with the arguments given as JSON, then prints what it imported; and
# what was imported when the window said it was ready (its customer list shown), if it did.
DRIVER = """
import builtins, json, os, sys
sys.argv = ["main.py", *json.loads(sys.argv[1])]
import main

if os.environ.get("AT_READY"):
    import ui.app

    def ready_print(*args, **kwargs):
        if args and str(args[0]).startswith("ready "):
            builtins.print("AT_READY " + json.dumps(sorted(sys.modules)), flush=True)
        builtins.print(*args, **kwargs)

    ui.app.print = ready_print
code = main.main()
print("MODULES " + json.dumps(sorted(sys.modules)))
sys.exit(code)
"""
PASSWORD = "start-secret"


def imported(args: list[str], tmp_path: Path, *, at: str = "MODULES", **env: str) -> set[str]:
    """The modules a new process has imported when `main.py ARGS` is done (at="AT_READY":
    when the window said it was ready)."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("REVISIT_DB", "REVISIT_USER", "REVISIT_PASSWORD")}
    # The window's remembered area and the checked-files memo of this test only.
    environment.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8",
                       XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"), **env)
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(args)], cwd=ROOT,
                            env=environment, capture_output=True, text=True, encoding="utf-8",
                            timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith(at + " "))
    return set(json.loads(line.removeprefix(at + " ")))


def heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names or m in names)


@pytest.fixture
def up_to_date(tmp_path, sqlite_template) -> str:
    """A migrated SQLite file with a saved segment and a supervisor who can sign in."""
    from services.segments import service as segments
    from services.staff import accounts

    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    try:
        segments.save_template(database.sessions, "matrix.7+.high")
        accounts.create_first_supervisor(database.sessions, "boss", "王主管", PASSWORD)
    finally:
        database.dispose()
    return f"sqlite:///{path}"


@pytest.mark.parametrize("command", [
    ["segment", "matrix", "--as-of", "2026-11-23"],
    ["segment", "matrix", "--km-floor", "100000", "--format", "json"],
    ["segment", "rfm"],
    ["segment", "count", "matrix.7+.high"],
    ["segment", "list"],
])
def test_a_segment_command_imports_only_what_it_uses(up_to_date, tmp_path, command):
    modules = imported(["--db", up_to_date, *command], tmp_path)
    assert heavy(modules, (*HEAVY, *PYPINYIN, *ARGON2, "PySide6")) == []
    # Only the segment commands' module of the CLI's ten.
    assert sorted(m for m in modules if m.startswith("ui.cli.") and m.endswith(
        ("_commands", "_command"))) == ["ui.cli.segment_commands"]


@pytest.mark.parametrize("command", [
    ["segment", "matrix", "--as-of", "2026-11-23"],
    # The km summary built first (as none is stored yet), through the same connection.
    ["segment", "matrix", "--km-floor", "100000", "--format", "json"],
])
def test_the_segment_matrix_imports_no_orm(up_to_date, tmp_path, command):
    modules = imported(["--db", up_to_date, *command], tmp_path)
    assert heavy(modules, (*HEAVY, *ORM)) == []
    assert sorted(m for m in modules if m.split(".")[0] == "models") == sorted(PLAIN_MODELS)


def test_the_window_imports_only_the_customer_list(up_to_date, tmp_path):
    modules = imported(["--db", up_to_date, "--quit-after", "0"], tmp_path,
                       REVISIT_USER="boss", REVISIT_PASSWORD=PASSWORD)
    assert "ui.views.customers_view" in modules  # it did get as far as the customer list
    assert heavy(modules, (*HEAVY, *PYPINYIN)) == []
    assert sorted(set(LATER_AREAS) & modules) == []
    assert sorted(set(LIST_DIALOGS) & modules) == []
    assert not any(m.startswith("ui.cli.") and m.endswith(("_commands", "_command"))
                   for m in modules)


def test_the_window_shows_its_customer_list_before_the_orm_loads(up_to_date, tmp_path):
    # Signed in and the first page read through the Core tables: the ORM with the models
    # (0.15 s) loads only after the list is on screen, with the customer's page.
    modules = imported(["--db", up_to_date, "--quit-after", "0"], tmp_path, at="AT_READY",
                       AT_READY="1", REVISIT_USER="boss", REVISIT_PASSWORD=PASSWORD)
    assert {"ui.views.customers_view", "argon2"} <= modules  # signed in, the list built
    assert heavy(modules, (*HEAVY, *PYPINYIN, *ORM)) == []
    assert {m for m in modules if m.split(".")[0] == "models"} <= PLAIN_MODELS


def test_the_revision_trusted_at_start_is_alembics_head():
    # A new migration raises services/store/schema.py's HEAD_REVISION with it.
    assert HEAD_REVISION == revision_history()[0]


def test_each_command_is_found_in_the_module_the_table_names():
    whole = build_parser()
    commands = next(a for a in whole._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == set(COMMAND_MODULES)
    for name, module in COMMAND_MODULES.items():
        alone = build_parser(name)
        sub = next(a for a in alone._actions if isinstance(a, argparse._SubParsersAction))
        assert name in sub.choices
        assert {COMMAND_MODULES[c] for c in sub.choices} == {module}


def test_the_window_takes_the_days_backup_once_it_shows(up_to_date, tmp_path):
    # Started after the first page is on screen, and finished before the process ends even
    # when it quits at once.
    from services.store.backup import DAILY, list_backups, stored_place

    path = Path(up_to_date.removeprefix("sqlite:///"))
    assert [b for b in list_backups(stored_place(path)) if b.reason == DAILY] == []
    imported(["--db", up_to_date, "--quit-after", "0"], tmp_path,
             REVISIT_USER="boss", REVISIT_PASSWORD=PASSWORD)
    daily = [b for b in list_backups(stored_place(path)) if b.reason == DAILY]
    assert len(daily) == 1 and daily[0].ok
    imported(["--db", up_to_date, "--quit-after", "0"], tmp_path,
             REVISIT_USER="boss", REVISIT_PASSWORD=PASSWORD)
    assert len([b for b in list_backups(stored_place(path)) if b.reason == DAILY]) == 1


def test_names_get_their_pinyin_once_pypinyin_loads_on_first_use():
    code = ("import sys; from services.customers.pinyin import name_keys; "
            "assert 'pypinyin' not in sys.modules; k = name_keys('曾小伟'); "
            "assert 'pypinyin' in sys.modules; print(k.pinyin, k.initials, k.sort)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["zengxiaowei", "zxw", "zeng", "xiao", "wei"]


def test_reading_a_segment_loads_no_password_hashing(up_to_date):
    # Deleting one (a supervisor's action) checks the account, and only then loads argon2.
    code = ("import sys, json; from services.store.database import open_database; "
            "from services.segments import service as s; "
            f"d = open_database({up_to_date!r}); s.list_segments(d.sessions); "
            "s.get_segment(d.sessions, 'matrix.7+.high'); d.dispose(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('argon2'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_an_excel_list_imports_no_pdf_writer(tmp_path, sqlite_template):
    from services.demo import generator as demo

    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    try:
        demo.generate(database, 150, seed=7, today=dt.date(2026, 11, 23))
    finally:
        database.dispose()
    out = tmp_path / "calls.xlsx"
    modules = imported(["--db", f"sqlite:///{path}", "list", "build", "matrix.7+.high",
                        "--as-of", "2026-11-23", "--channel", "call", "--format", "xlsx",
                        "--out", str(out)],
                       tmp_path, REVISIT_USER="supervisor", REVISIT_PASSWORD=demo.DEMO_PASSWORD)
    assert out.is_file()  # the list was written
    # The PDF writers' reportlab (0.05 s) only for PDF files; pandas and openpyxl never.
    assert heavy(modules, ("reportlab", "pandas", "openpyxl")) == []


# Opens one area of the window on the database given, then prints what the process imported.
AREA_DRIVER = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from services.staff import signing
from services.store.database import open_database
from ui.main_window import MainWindow
database = open_database(sys.argv[1])
actor = signing.sign_in(database.engine, "boss", sys.argv[2], record_it=False).actor
window = MainWindow(database, actor)
window.open_area(sys.argv[3])
app.processEvents()
print("MODULES " + json.dumps(sorted(sys.modules)))
window.close()
database.dispose()
"""


@pytest.mark.parametrize("area, writers", [
    # The Monday report's Excel and PDF writers load when a report is written.
    ("reports", ("openpyxl", "reportlab")),
    # The labels' PDF writer loads when labels are written; the layout chooser reads plain data.
    ("lists", ("reportlab",)),
    ("settings", ("reportlab",)),
])
def test_opening_an_area_loads_no_file_writer(up_to_date, tmp_path, area, writers):
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                   "XDG_CONFIG_HOME": str(tmp_path / "config"),
                   "XDG_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-c", AREA_DRIVER, up_to_date, PASSWORD, area],
                            cwd=ROOT, env=environment, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    modules = set(json.loads(line.removeprefix("MODULES ")))
    assert f"ui.views.{area}_view" in modules  # the area was built
    assert heavy(modules, writers) == []
