"""The layers of ARCHITECTURE.md, checked against the code: who may import whom, and how long a module may grow.

Imports are read from the source (``ast``), both at module level and inside functions: a rule about layers holds for
every import, a rule about cycles (tests/test_core_layering.py) only for module-level ones.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.test_core_layering import PACKAGE, ROOT, all_modules

MAX_LINES = 500
CORE = {"neiqin.models.base", "neiqin.models.ledger", "neiqin.models.fields", "neiqin.models.settings", "neiqin.models.validators",
        "neiqin.models.workdays", "neiqin.models.today", "neiqin.models.staff", "neiqin.models.deadlines"}
# the modules that may look across ledger areas, and why
ACROSS = {"neiqin.models": "load_all: imports every ledger",
          "neiqin.models.links": "the links between ledgers",
          "neiqin.models.today_sections": "今日 sections of every built-in ledger, on read-only models of their tables",
          "neiqin.models.global_search": "searches every ledger",
          "neiqin.models.stats": "charts of several ledgers"}


def imports_of(path: Path, known: dict[str, Path], *, top_level_only: bool = False) -> set[str]:
    """neiqin modules (and packages) named by the import statements of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("neiqin"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("neiqin"):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                out.add(full if full in known else node.module)
    return out


def area(module: str) -> str | None:
    """``mail`` for ``neiqin.models.mail.incoming``; ``visitors`` for the one-module ledger ``neiqin.models.visitors``."""
    parts = module.split(".")
    if len(parts) < 3 or parts[:2] != ["neiqin", "models"] or module in CORE or module in ACROSS:
        return None
    return parts[2]


def violations(modules: dict[str, Path]) -> list[str]:
    out = []
    for name, path in modules.items():
        every = imports_of(path, modules)
        top = imports_of(path, modules, top_level_only=True)
        ui = name.startswith("neiqin.ui")
        if not ui and name not in ("neiqin.app", "neiqin.__main__"):
            out += [f"{name} imports the UI ({m})" for m in every if m.startswith("neiqin.ui")]
        if name.startswith("neiqin.reports"):
            out += [f"{name} (reports) imports {m}" for m in every if m.startswith(("neiqin.ui", "neiqin.demo"))]
        if name.startswith("neiqin.models"):
            out += [f"{name} (models) imports {m}" for m in every
                    if m.startswith(("neiqin.reports", "neiqin.demo", "neiqin.cli", "neiqin.app", "neiqin.backup"))]
        if not name.startswith(("neiqin.demo", "neiqin.cli")):
            out += [f"{name} imports the demo data ({m})" for m in every if m.startswith("neiqin.demo")]
        mine = area(name)
        if mine is not None:
            for m in top:
                other = area(m)
                if other is not None and other != mine:
                    out.append(f"{name} imports another ledger area at module level ({m}); links go in "
                               "neiqin.models.links")
    return sorted(out)


def test_every_layer_imports_only_what_architecture_md_allows():
    assert violations(all_modules()) == []


def test_the_rules_catch_a_ledger_importing_another_area_or_the_ui(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text("from neiqin.models.seals.uses import SealUse\n\n\ndef f():\n    from neiqin.ui.util import tr\n",
                    encoding="utf-8")
    found = violations({**all_modules(), "neiqin.models.mail.fake": fake})
    assert "neiqin.models.mail.fake imports the UI (neiqin.ui.util)" in found
    assert any(v.startswith("neiqin.models.mail.fake imports another ledger area") and "seals.uses" in v
               for v in found)


def named_big_modules() -> dict[str, int]:
    """``path → limit`` from the table of ARCHITECTURE.md's section on modules over 500 lines."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Modules over 500 lines", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): int(m.group(2).replace(",", ""))
            for m in re.finditer(r"^\| `(neiqin/[\w/]+\.py)` \| ([\d,]+) \|", section, re.M)}


def test_no_module_over_500_lines_unless_architecture_md_names_it():
    named = named_big_modules()
    assert named, "the table of ARCHITECTURE.md was not found"
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > named.get(rel, MAX_LINES):
            too_long[rel] = lines
    assert too_long == {}, "name these in ARCHITECTURE.md with their reason (and the limit), or split them"


def test_the_named_big_modules_exist():
    missing = [p for p in named_big_modules() if not (ROOT / p).exists()]
    assert missing == []


@pytest.mark.parametrize("folder", ["mail", "seals", "supplies", "meetings"])
def test_an_area_package_imports_none_of_its_modules(folder):
    """``import neiqin.models.mail`` is free: the area's ledgers load when first used (start-up speed)."""
    init = PACKAGE / "models" / folder / "__init__.py"
    assert imports_of(init, all_modules()) == set()


def test_technical_notes_the_code_cites_are_in_this_repository():
    """Code cites ``docs/TECH-NOTES.md``, which lives here (not a file outside the repository)."""
    assert (ROOT / "docs" / "TECH-NOTES.md").is_file()
    bare = [p.relative_to(ROOT).as_posix() for p in [*PACKAGE.rglob("*.py"), ROOT / "build.spec"]
            if re.search(r"(?<!docs/)TECH-NOTES", p.read_text(encoding="utf-8"))]
    assert bare == []


# ---------------------------------------------------------------------------------------------- no queries in ui/

QUERY_METHODS = {"select", "get", "get_or_none", "get_by_id", "get_or_create", "create", "insert", "insert_many",
                 "update", "delete", "delete_instance", "delete_by_id", "raw", "bulk_create", "bulk_update"}


def peewee_queries(source: str) -> list[tuple[int, str]]:
    """(line, text) of every peewee query written in ``source``: a query method called on a model class
    (``Visit.select()``, ``spec.model.get_or_none(...)``), or peewee imported."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "peewee" or \
                isinstance(node, ast.Import) and any(a.name.split(".")[0] == "peewee" for a in node.names):
            found.append((node.lineno, "import peewee"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
            target = node.func.value
            name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) \
                else ""
            if name[:1].isupper() and not name.isupper() and not name.startswith("Q") or name == "model":
                found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return sorted(found)


def test_no_peewee_query_in_the_ui():
    """The window reads and writes through the models' named functions and the operations layer."""
    offenders = [f"{path.relative_to(ROOT)}:{line} {what}" for path in sorted((PACKAGE / "ui").rglob("*.py"))
                 for line, what in peewee_queries(path.read_text(encoding="utf-8"))]
    assert not offenders, "\n".join(offenders)


def test_the_query_scan_finds_each_form():
    source = ("import peewee as pw\nfrom peewee import fn\nVisit.select().where(Visit.id == 1)\n"
              "self.spec.model.get_or_none(x)\nRoom.create(name='a')\nQTimer.singleShot(0, f)\n"
              "self.select(1)\nsettings.get('a')\nUNITS.get('x')\n")
    assert [w for _, w in peewee_queries(source)] == ["import peewee", "import peewee", "Visit.select()",
                                                       "model.get_or_none()", "Room.create()"]
