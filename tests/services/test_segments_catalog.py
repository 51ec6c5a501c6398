"""The field catalog is plain data, every field has its SQL, the docs are written from the
catalog, and the segment modules import one another without a loop."""

from __future__ import annotations

import ast
from pathlib import Path

from services.segments import catalog_doc
from services.segments.catalog import FIELDS, GROUPS, OPERATORS
from services.segments.field_sql import FIELD_SQL

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def _file(module: str, root: Path = ROOT) -> Path | None:
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at the top or inside a function; `from a import b` counts
    as importing a.b when that is a module, else a. Imports under `if TYPE_CHECKING:` are for
    the type checker only and never run, so they make no loop."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _file(sub, root) is not None else node.module)
    return found


def cycles(package: str, root: Path = ROOT) -> list[list[str]]:
    """Import loops among the modules of `package` (each loop once, as a path)."""
    graph = {
        _module_name(p, root): {m for m in imports(p, root) if m.startswith(package + ".")}
        for p in (root / package.replace(".", "/")).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def test_the_loop_finder_finds_a_loop(tmp_path):
    pkg = tmp_path / "loopy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from loopy import b\n")
    (pkg / "b.py").write_text("def f():\n    from loopy.a import x\n")
    (pkg / "c.py").write_text("import loopy.a\n")
    assert cycles("loopy", tmp_path) == [["loopy.a", "loopy.b", "loopy.a"]]


def test_segment_modules_import_without_a_loop():
    assert cycles("services.segments") == []
    assert cycles("services") == []


def test_the_catalog_imports_no_sqlalchemy():
    """Its own imports and theirs, module by module (importing models.codes runs the models
    package, but the catalog does not need it)."""
    seen, todo = set(), ["services.segments.catalog"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _file(module)
        if path is not None:
            todo += [m for m in imports(path) if m != "__future__"]
    assert not [m for m in seen if m.split(".")[0] in ("sqlalchemy", "PySide6")], sorted(seen)
    # unicodedata: services.labels reads typed words loosely (full-width letters); functools:
    # it keeps a car's name per brand and model.
    assert seen - {"services.segments.catalog"} <= {"models.codes", "services.labels",
                                                    "dataclasses", "typing", "unicodedata",
                                                    "functools"}


def test_every_field_has_its_sql_and_every_sql_a_field():
    assert set(FIELD_SQL) == set(FIELDS)
    for key, sql in FIELD_SQL.items():
        assert (sql.value is None) != (sql.condition is None), key


def test_every_field_is_in_a_known_group_with_known_operators():
    for f in FIELDS.values():
        assert f.group in GROUPS, f.key
        assert f.type in OPERATORS, f.key
        assert all(p.type in ("int", "number", "code") for p in f.params), f.key
    assert {f.group for f in FIELDS.values()} == set(GROUPS)


def test_the_compiler_knows_no_field_by_name():
    source = (ROOT / "services/segments/compiler.py").read_text(encoding="utf-8")
    named = {n.value for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.Constant) and n.value in FIELDS}
    assert named == set()


def test_the_docs_field_tables_are_written_from_the_catalog():
    text = catalog_doc.DOC.read_text(encoding="utf-8")
    assert catalog_doc.documented(text) == catalog_doc.fields_markdown(), (
        "run `python -m services.segments.catalog_doc` to rewrite them")
