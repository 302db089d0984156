"""The core stays free of Qt, and neiqin's modules import each other without cycles.

* Every module outside ``neiqin/ui`` (the app entry ``neiqin.app`` included) is imported in a fresh interpreter,
  and the command line is run through ``python -m neiqin``: no PySide6 module may be loaded by any of it.
* No import cycle at module level: each module's top-level imports (not those inside functions, nor under
  ``if TYPE_CHECKING:``) make a graph, which must have no cycle.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "neiqin"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def core_modules() -> list[str]:
    """Every module that must work without Qt: all but neiqin.ui and the ``python -m neiqin`` entry point."""
    return [m for m in all_modules() if not m.startswith("neiqin.ui") and m != "neiqin.__main__"]


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)


QT_LOADED = "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')); print(qt)"


def test_core_modules_load_no_qt():
    modules = core_modules()
    assert {"neiqin.app", "neiqin.cli", "neiqin.db", "neiqin.demo", "neiqin.reports.excel"} <= set(modules)
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n" + QT_LOADED
    r = run_python(code, *modules)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"PySide6 imported by the core: {r.stdout}"


def test_command_line_runs_without_qt(datadir, database):
    """``python -m neiqin … today --list-sections`` (the entry module, the parser with every command, a database
    opened and each ledger's 今日 sections loaded) never loads Qt; only starting the window would."""
    code = ("import runpy, sys\n"
            "sys.argv = ['neiqin', '--data-dir', sys.argv[1], 'today', '--list-sections']\n"
            "try:\n"
            "    runpy.run_module('neiqin', run_name='__main__', alter_sys=True)\n"
            "except SystemExit as e:\n"
            "    assert not e.code, e.code\n" + QT_LOADED)
    r = run_python(code, str(datadir.root))
    assert r.returncode == 0, r.stderr
    assert "visitors_on_site" in r.stdout and "incoming_due" in r.stdout  # it really ran, with every ledger
    assert r.stdout.strip().splitlines()[-1] == "[]", f"PySide6 imported by the command line: {r.stdout}"


# ---------------------------------------------------------------------------------------------- import cycles


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def top_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The neiqin modules ``name`` imports when it is itself imported (its top-level import statements)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)  # from package import submodule
            elif isinstance(node, ast.If):
                if _is_type_checking(node.test):
                    visit(node.orelse)
                else:
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: top_level_imports(name, path, set(modules)) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, …, a], or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycle_at_module_level():
    graph = import_graph()
    assert "neiqin.cli.common" in graph["neiqin.cli.labels"]  # the graph sees real edges
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_inside_functions_and_type_checking_do_not_count(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text("from typing import TYPE_CHECKING\nimport neiqin.db\nif TYPE_CHECKING:\n    import neiqin.cli\n"
                   "def f():\n    import neiqin.app\n", encoding="utf-8")
    known = {"neiqin.db", "neiqin.cli", "neiqin.app"}
    assert top_level_imports("neiqin.mod", src, known) == {"neiqin.db"}


def test_the_catalogue_lists_every_model_module_and_load_all_imports_them():
    """``neiqin.models`` imports ledger modules on first use; ``load_all`` (ALL_MODELS, LEDGERS, 今日, settings
    defaults) imports every module the catalogue lists, which must be every module of ``neiqin/models`` that
    registers a ledger, a 今日 section or settings, or holds tables. PyInstaller bundles them through build.spec,
    which reads the same catalogue."""
    from neiqin.models import catalogue

    models = PACKAGE / "models"
    marks = ("register_ledger(", "@section(", ".section(", "settings.register(", "\nMODELS = ")
    needed = {module_name(p) for p in models.rglob("*.py")
              if p.stem not in ("ledger", "today", "settings", "__init__", "base", "catalogue")
              and any(m in p.read_text(encoding="utf-8") for m in marks)}
    assert needed <= set(catalogue.modules()), needed - set(catalogue.modules())
    assert "catalogue" in (ROOT / "build.spec").read_text(encoding="utf-8")


def test_the_morning_screen_imports_only_the_modules_that_register_its_sections():
    """``today.registered()`` imports the catalogue's ``today`` modules, not every ledger: the same sections as a full import,
    without the ledgers' write paths (posting, processing steps, minutes …)."""
    from neiqin.models import catalogue

    models = PACKAGE / "models"
    marks = ("@section(", ".section(")
    registering = {module_name(p) for p in models.rglob("*.py")
                   if p.stem != "today" and any(m in p.read_text(encoding="utf-8") for m in marks)}
    assert registering == set(catalogue.today_modules())
    code = ("import json, sys\nfrom neiqin.models import today\nkeys = sorted(today.registered())\n"
            "heavy = [m for m in ('neiqin.models.supplies.posting', 'neiqin.models.mail.incoming_steps', "
            "'neiqin.models.meetings.minutes', 'neiqin.models.supplies.stocktake') if m in sys.modules]\n"
            "from neiqin.models import load_all\nload_all()\n"
            "print(json.dumps([keys, sorted(today.SECTIONS), heavy]))")
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    first, full, heavy = json.loads(r.stdout.strip().splitlines()[-1])
    assert first == full and len(first) >= 10
    assert heavy == []
