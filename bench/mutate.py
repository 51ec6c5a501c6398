"""A small mutation tester: how many one-token changes to a module do its tests notice?

Usage (from the repository root):
    python bench/mutate.py MODULE_PATH [options] -- PYTEST_ARGS...
    python bench/mutate.py services/lists/routing.py --timeout 60 -- \
        tests/services/test_lists_runs.py

Each mutant changes one thing in MODULE_PATH's syntax tree: a comparison (< ↔ <=, > ↔ >=,
== ↔ !=, in ↔ not in, is ↔ is not), a number (±1), and ↔ or, a `not` removed, a returned value
replaced by None (or by "", () or [] where the value is of that kind), a code-like string constant
emptied, an if-condition forced True or False, + ↔ -. The given tests then run in a fresh
pytest process with `-x -q -p no:cacheprovider`; a failing run (or one over the timeout) kills
the mutant, a passing one lets it survive.

No file of the working tree is ever written. The run starts by copying the repository (without
its virtual environment and caches) to a scratch folder and runs every pytest there, so code and
tests stay as they were at the start while others keep editing. Each pytest process gets its
mutant through an import hook (a pytest plugin loaded with `-p` before any test module) that
compiles the mutated source in place of the module's, so an interrupted run (Ctrl-C, SIGTERM, a
crash) leaves nothing behind and several mutants can run at once (--jobs). Runs use SQLite
only: the PostgreSQL URL variables are removed from the test processes' environment, unless
--postgresql keeps them (for mutants of code only PostgreSQL runs), one mutant at a time."""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST_FIXED = ("-x", "-q", "-p", "no:cacheprovider")
DROP_ENV = ("REVISIT_TEST_PG_URL", "REVISIT_REQUIRE_PG")
HOOK_NAME = "revisit_mutant_hook"
# Strings treated as codes (stored values, keys, labels' kinds): emptying one is a mutant.
# User-facing sentences are left alone: tests compare them whole, and there are too many.
CODE_STRING = re.compile(r"[a-z_][a-z0-9_]*\Z")

# The pytest plugin each test process loads first: it serves the mutated source for one module.
HOOK_SOURCE = '''
"""Loads MUTANT_SOURCE in place of module MUTANT_MODULE (written by bench/mutate.py)."""
import importlib.abc
import importlib.util
import os
import sys

_NAME = os.environ["MUTANT_MODULE"]
_SOURCE = os.environ["MUTANT_SOURCE"]
_ORIGIN = os.environ["MUTANT_ORIGIN"]
_MARKER = os.environ["MUTANT_MARKER"]


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        with open(_SOURCE, encoding="utf-8") as f:
            code = compile(f.read(), _ORIGIN, "exec")
        module.__file__ = _ORIGIN
        open(_MARKER, "w").close()  # proof that the tests imported the mutant
        exec(code, module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != _NAME:
            return None
        return importlib.util.spec_from_loader(fullname, _Loader(), origin=_ORIGIN)


if _NAME in sys.modules:
    raise RuntimeError(_NAME + " was imported before the mutant hook")
sys.meta_path.insert(0, _Finder())
'''


@dataclass(frozen=True)
class Mutant:
    number: int
    line: int
    kind: str
    change: str  # e.g. ">= → >"
    code: str  # the original source line
    source: str  # the whole mutated module

    @property
    def label(self) -> str:
        return f"L{self.line} {self.kind} {self.change}"


@dataclass(frozen=True)
class Outcome:
    number: int
    line: int
    kind: str
    change: str
    code: str
    status: str  # killed | timeout | survived
    seconds: float


# --- generating mutants --------------------------------------------------------------------

Site = tuple[ast.AST, ast.AST | None, str | None, int | None]  # node, parent, field, index
COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
OP_TEXT = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
           ast.And: "and", ast.Or: "or", ast.Add: "+", ast.Sub: "-"}


def _sites(tree: ast.Module) -> list[Site]:
    """Every node in a fixed (depth-first) order with where it hangs, leaving out docstrings
    and type annotations: changing those changes nothing a test can see."""
    out: list[Site] = []

    def visit(node: ast.AST, parent: ast.AST | None, field: str | None,
              index: int | None) -> None:
        out.append((node, parent, field, index))
        body = getattr(node, "body", None)
        doc = (body[0] if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                            ast.AsyncFunctionDef)) and body
               and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str) else None)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns", "type_comment"):
                continue
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST) and item is not doc:
                        visit(item, node, name, i)
            elif isinstance(value, ast.AST):
                visit(value, node, name, None)

    visit(tree, None, None, None)
    return out


def _in_fstring(site: Site, parents: dict[int, ast.AST]) -> bool:
    node: ast.AST | None = site[0]
    while node is not None:
        if isinstance(node, ast.JoinedStr):
            return True
        node = parents.get(id(node))
    return False


def _replace(site: Site, new: ast.AST) -> None:
    _, parent, field, index = site
    assert parent is not None and field is not None
    if index is None:
        setattr(parent, field, new)
    else:
        getattr(parent, field)[index] = new


def _empty_of(value: ast.expr) -> tuple[str, ast.expr] | None:
    """The empty value of the same kind as a returned expression, when the kind is plain."""
    if isinstance(value, (ast.JoinedStr,)) or (isinstance(value, ast.Constant)
                                                and isinstance(value.value, str)):
        return '""', ast.Constant("")
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "join"):
        return '""', ast.Constant("")
    if isinstance(value, ast.Tuple):
        return "()", ast.Tuple([], ast.Load())
    if isinstance(value, (ast.List, ast.ListComp)):
        return "[]", ast.List([], ast.Load())
    return None


# A mutation: (kind, change text, function applying it to the site in a fresh tree).
Change = tuple[str, str, Callable[[Site], None]]


def _set(field: str, value: object) -> Callable[[Site], None]:
    return lambda s: setattr(s[0], field, value)


def _put(new: ast.AST) -> Callable[[Site], None]:
    return lambda s: _replace(s, new)


def _swap_compare(i: int, swap: type[ast.cmpop]) -> Callable[[Site], None]:
    def apply(s: Site) -> None:
        node = s[0]
        assert isinstance(node, ast.Compare)
        node.ops[i] = swap()
    return apply


def _unwrap(s: Site) -> None:
    node = s[0]
    assert isinstance(node, ast.UnaryOp)
    _replace(s, node.operand)


def _changes(site: Site, parents: dict[int, ast.AST]) -> Iterator[Change]:
    node = site[0]
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swap = COMPARE_SWAP.get(type(op))
            if swap is not None:
                yield ("compare", f"{OP_TEXT[type(op)]} → {OP_TEXT[swap]}",
                       _swap_compare(i, swap))
    elif isinstance(node, ast.BoolOp):
        logic: type[ast.boolop] = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield ("boolean", f"{OP_TEXT[type(node.op)]} → {OP_TEXT[logic]}", _set("op", logic()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not", "not removed", _unwrap
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        sign: type[ast.operator] = ast.Sub if isinstance(node.op, ast.Add) else ast.Add
        yield ("arithmetic", f"{OP_TEXT[type(node.op)]} → {OP_TEXT[sign]}", _set("op", sign()))
    elif isinstance(node, ast.Constant) and not _in_fstring(site, parents):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            for delta in (1, -1):
                yield "number", f"{value!r} → {value + delta!r}", _put(ast.Constant(value + delta))
        elif isinstance(value, str) and CODE_STRING.match(value):
            yield "string", f"{value!r} → ''", _put(ast.Constant(""))
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", "value → None", _set("value", ast.Constant(None))
        empty = _empty_of(node.value)
        if empty is not None:
            yield "return", f"value → {empty[0]}", _set("value", empty[1])
    elif isinstance(node, (ast.If, ast.IfExp)):
        for forced in (True, False):
            yield "condition", f"condition → {forced}", _set("test", ast.Constant(forced))


def mutants(path: Path) -> list[Mutant]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    sites = _sites(tree)
    parents = {id(node): parent for node, parent, _, _ in sites if parent is not None}
    out: list[Mutant] = []
    for position, site in enumerate(sites):
        for kind, change, apply in _changes(site, parents):
            fresh = copy.deepcopy(tree)
            apply(_sites(fresh)[position])
            ast.fix_missing_locations(fresh)
            line = getattr(site[0], "lineno", 0)
            out.append(Mutant(len(out) + 1, line, kind, change,
                              lines[line - 1].strip() if line else "", ast.unparse(fresh)))
    return out


# --- running the tests ---------------------------------------------------------------------

# Left out of the frozen copy of the repository: environments and caches.
NOT_COPIED = (".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis",
              "__pycache__", "*.egg-info")
# The test processes running now, so an interrupted run ends them (they run in sessions of
# their own, which Ctrl-C does not reach).
_RUNNING: set[subprocess.Popen] = set()
_LOCK = threading.Lock()
_STOPPING = threading.Event()  # interrupted: results from now on are not results


def _end(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _end_all() -> None:
    _STOPPING.set()
    with _LOCK:
        running = list(_RUNNING)
    for proc in running:
        if proc.poll() is None:
            _end(proc)


class Bench:
    """A scratch folder with a frozen copy of the repository (code and tests as they were when
    the run started, so others editing the working tree meanwhile change nothing), the import
    hook, and one pytest process per mutant in the copy."""

    def __init__(self, work: Path, path: Path, pytest_args: list[str],
                 postgresql: bool = False) -> None:
        self.work = work
        self.dropped = () if postgresql else DROP_ENV
        self.repo = work / "repo"
        shutil.copytree(ROOT, self.repo, ignore=shutil.ignore_patterns(*NOT_COPIED))
        (work / f"{HOOK_NAME}.py").write_text(textwrap.dedent(HOOK_SOURCE), encoding="utf-8")
        rel = path.resolve().relative_to(ROOT)
        self.module = ".".join(rel.with_suffix("").parts)
        self.origin = self.repo / rel
        self.pytest_args = pytest_args

    def source(self) -> str:
        return self.origin.read_text(encoding="utf-8")

    def _env(self, source: Path, marker: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in self.dropped}
        env.update(MUTANT_MODULE=self.module, MUTANT_SOURCE=str(source),
                   MUTANT_ORIGIN=str(self.origin), MUTANT_MARKER=str(marker),
                   QT_QPA_PLATFORM="offscreen",
                   PYTHONPATH=os.pathsep.join(p for p in (str(self.work), str(self.repo),
                                                          env.get("PYTHONPATH")) if p))
        return env

    def run(self, source_text: str, tag: str,
            timeout: float | None) -> tuple[str, float, str, bool]:
        """(killed | timeout | survived, seconds, output tail, whether the tests imported the
        module)."""
        source = self.work / f"{tag}.py.txt"
        marker = self.work / f"{tag}.imported"
        source.write_text(source_text, encoding="utf-8")
        marker.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "pytest", "-p", HOOK_NAME, *PYTEST_FIXED,
               *self.pytest_args]
        started = time.perf_counter()
        # A session of its own, so a timed-out run is ended with everything it started.
        proc = subprocess.Popen(cmd, cwd=self.repo, env=self._env(source, marker),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        with _LOCK:
            _RUNNING.add(proc)
        try:
            out, _ = proc.communicate(timeout=timeout)
            status = "survived" if proc.returncode == 0 else "killed"
        except subprocess.TimeoutExpired:
            _end(proc)
            out, _ = proc.communicate()
            status = "timeout"
        finally:
            if proc.poll() is None:  # interrupted (Ctrl-C) while waiting
                _end(proc)
            with _LOCK:
                _RUNNING.discard(proc)
        seconds = time.perf_counter() - started
        if proc.returncode in (4, 5) and status != "timeout":
            raise SystemExit(f"pytest could not run the given tests (exit {proc.returncode}):\n"
                             + out[-3000:])
        return status, seconds, out[-3000:], marker.exists()


def _show(bench: Bench, m: Mutant, timeout: float | None) -> int:
    original = ast.unparse(ast.parse(bench.source())).splitlines()
    diff = difflib.unified_diff(original, m.source.splitlines(), "original", m.label, n=1,
                                lineterm="")
    print("\n".join(diff))
    status, seconds, out, _ = bench.run(m.source, f"m{m.number}", timeout)
    print(out)
    print(f"{status} ({seconds:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        raise SystemExit("usage: mutate.py MODULE_PATH [options] -- PYTEST_ARGS...")
    cut = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 3 × the unmutated run, at least 30)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--lines", default=None, help="only mutants on these lines, e.g. 40-80")
    parser.add_argument("--only", default=None,
                        help="only these mutants, by number, e.g. 8,9,12 (same source only)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--postgresql", action="store_true",
                        help="keep the PostgreSQL URL, so the tests run on both databases "
                             "(one mutant at a time: they share its test database)")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    parser.add_argument("--show", type=int, default=None,
                        help="run mutant N alone and print its diff and pytest's output")
    opts = parser.parse_args(argv[:cut])
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        if opts.postgresql and opts.jobs > 1:
            raise SystemExit("--postgresql runs one mutant at a time (no --jobs)")
        bench = Bench(Path(tmp), opts.module, argv[cut + 1:], opts.postgresql)
        found = mutants(bench.origin)
        if opts.lines:
            low, _, high = opts.lines.partition("-")
            found = [m for m in found if int(low) <= m.line <= int(high or low)]
        if opts.only:
            wanted = {int(n) for n in opts.only.split(",")}
            found = [m for m in found if m.number in wanted]
        if opts.list:
            for m in found:
                print(f"{m.number:4d} {m.label:42s} {m.code}")
            print(f"{len(found)} mutants")
            return 0
        if opts.show is not None:
            return _show(bench, next(m for m in found if m.number == opts.show), opts.timeout)
        outcomes = _run_all(bench, found, opts.timeout, opts.jobs)
    _report(outcomes, opts.json)
    return 0


def _run_all(bench: Bench, found: list[Mutant], timeout: float | None,
             jobs: int) -> list[Outcome]:
    status, base, out, imported = bench.run(bench.source(), "original", None)
    if status != "survived":
        print(out)
        raise SystemExit("the tests fail on the unmutated module; fix them first")
    if not imported:
        raise SystemExit(f"the tests never import {bench.module}: every mutant would survive")
    timeout = timeout or max(30.0, 3 * base)
    digest = hashlib.sha256(bench.source().encode()).hexdigest()[:12]
    print(f"{bench.origin.relative_to(bench.repo)} (sha256 {digest}…, frozen "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}): {len(found)} mutants; unmutated run "
          f"{base:.1f} s, timeout {timeout:.0f} s per mutant; pytest "
          f"{' '.join(bench.pytest_args)}", flush=True)

    done = iter(range(1, len(found) + 1))

    def one(m: Mutant) -> Outcome:
        status, seconds, _, _ = bench.run(m.source, f"m{m.number}", timeout)
        if _STOPPING.is_set():
            raise KeyboardInterrupt
        with _LOCK:
            count = next(done)
        print(f"[{count:3d}/{len(found)}] #{m.number:<4d} {status:8s} {m.label:42s} "
              f"({seconds:.1f} s) {m.code}", flush=True)
        return Outcome(m.number, m.line, m.kind, m.change, m.code, status, seconds)

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        return list(pool.map(one, found))
    finally:
        # On Ctrl-C or SIGTERM: no new mutants, and the running test processes ended before
        # the scratch folder goes.
        pool.shutdown(wait=False, cancel_futures=True)
        _end_all()
        pool.shutdown(wait=True)


def _report(outcomes: list[Outcome], json_path: Path | None) -> None:
    survived = [o for o in outcomes if o.status == "survived"]
    killed = len(outcomes) - len(survived)
    timeouts = sum(o.status == "timeout" for o in outcomes)
    if survived:
        print("\nsurvived:")
        for o in survived:
            print(f"  #{o.number:<4d} L{o.line} {o.kind} {o.change}: {o.code}")
    score = 100 * killed / len(outcomes) if outcomes else 100.0
    print(f"\nscore: {killed} of {len(outcomes)} mutants killed ({score:.1f} %), "
          f"{timeouts} of them by the timeout")
    if json_path:
        json_path.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False,
                                        indent=1), encoding="utf-8")


if __name__ == "__main__":
    # Ctrl-C even when started in the background (which ignores SIGINT), and SIGTERM like it:
    # the clean-up above runs either way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: no result (the working tree was never changed)")
