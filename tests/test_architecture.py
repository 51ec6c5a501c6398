"""The layering rules (ui/ → services/ → models/, imports point down), checked on the source: no
Qt below ui/, a docstring saying what each module is for, and no module grown past the size where
it must be split."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT_PACKAGES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "qtpy")
MAX_LINES = 800


def _modules(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def qt_imports(source: str) -> list[str]:
    """Qt modules a piece of source imports, whether at the top, inside a function, through
    `from … import`, or by name with importlib / __import__."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            names = [node.args[0].value]
        found += [n for n in names if n.split(".")[0] in QT_PACKAGES]
    return found


def test_detector_finds_every_form_of_qt_import():
    source = (
        "import os\n"
        "import PySide6.QtCore\n"
        "from PyQt6 import QtWidgets\n"
        "def f():\n"
        "    from shiboken6 import isValid\n"
        "    import importlib\n"
        "    importlib.import_module('PySide6.QtGui')\n"
        "    __import__('PyQt5')\n"
        "from pyside6_helpers import x\n"  # only a similar name: not Qt
    )
    assert sorted(qt_imports(source)) == sorted(
        ["PySide6.QtCore", "PyQt6", "shiboken6", "PySide6.QtGui", "PyQt5"]
    )
    assert qt_imports("import sqlalchemy\nfrom services import demo\n") == []


@pytest.mark.parametrize("package", ["services", "models"])
def test_no_qt_below_the_ui(package):
    modules = _modules(package)
    assert len(modules) > 3
    offenders = {
        _rel(path): imports
        for path in modules
        if (imports := qt_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"Qt imported outside ui/: {offenders}"


def test_every_module_says_what_it_is_for():
    missing = []
    for path in _modules("models", "services", "ui"):
        source = path.read_text(encoding="utf-8")
        if path.name == "__init__.py" and not source.strip():
            continue  # an empty package marker has nothing to describe
        docstring = ast.get_docstring(ast.parse(source))
        if not docstring or not docstring.strip():
            missing.append(_rel(path))
    assert missing == [], f"modules without a docstring: {missing}"


def test_no_module_over_800_lines():
    too_long = {}
    for path in [*_modules("models", "services", "ui"), ROOT / "main.py"]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[_rel(path)] = lines
    assert too_long == {}, f"split these modules (over {MAX_LINES} lines): {too_long}"


def test_services_and_models_import_without_qt():
    """Beyond the source scan: actually importing every services/ and models/ module leaves
    Qt unloaded (catches Qt pulled in indirectly, e.g. through a ui/ import)."""
    import subprocess
    import sys

    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in _modules("services", "models")
        if "migrations" not in path.parts
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
