"""No button or menu action hands its ``checked`` flag to a slot's optional first parameter.

``clicked``, ``triggered`` and ``toggled`` pass ``checked`` (a bool) to a Python slot that takes a positional
parameter: ``print_now(self, printer=None)`` connected to 打印 received ``printer=False`` and failed with
"'bool' object has no attribute 'setDocName'" on every press. This reads the source of ``neiqin/ui`` and lists
every slot of those signals — connected directly, through the panes' ``add_action_button`` / the window's
``_action``, as ``triggered=`` / ``clicked=`` keywords, or from a ``for text, slot in (...)`` table — whose first
positional parameter has a default. Such a parameter must be keyword-only (``def f(self, *, x=None)``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import neiqin.ui

UI = Path(neiqin.ui.__file__).parent
CHECKED_SIGNALS = {"clicked", "triggered", "toggled"}
SLOT_ARG = {"add_action_button": 1, "_action": 2}  # helpers that connect ``triggered`` to one of their arguments


def _slot_exprs(tree: ast.Module):
    """(node, slot expression, enclosing class or None) for every connection to a checked-passing signal."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def enclosing(node, kind):
        while node in parents:
            node = parents[node]
            if isinstance(node, kind):
                return node
        return None

    def loop_values(name: ast.Name):
        """``for text, slot in ((a, f), (b, g)): ….connect(slot)`` -> f, g."""
        node = name
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple | ast.List):
                targets = node.target.elts if isinstance(node.target, ast.Tuple) else [node.target]
                for i, t in enumerate(targets):
                    if isinstance(t, ast.Name) and t.id == name.id:
                        return [row.elts[i] for row in node.iter.elts
                                if isinstance(row, ast.Tuple | ast.List) and len(row.elts) > i]
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        slots = []
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "connect" and isinstance(func.value, ast.Attribute)
                and func.value.attr in CHECKED_SIGNALS and node.args):
            slots.append(node.args[0])
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in SLOT_ARG and len(node.args) > SLOT_ARG[name]:
            slots.append(node.args[SLOT_ARG[name]])
        slots += [kw.value for kw in node.keywords if kw.arg in CHECKED_SIGNALS]
        for slot in slots:
            if isinstance(slot, ast.Name):
                slots_in_table = loop_values(slot)
                if slots_in_table is not None:
                    for s in slots_in_table:
                        yield node, s, enclosing(node, ast.ClassDef)
                    continue
            yield node, slot, enclosing(node, ast.ClassDef)


def _first_parameter_optional(args: ast.arguments, method: bool) -> bool:
    """The first positional parameter has a default and is not named to take ``checked`` (``_``, ``checked``:
    ``lambda _=False, r=role: self.browse(r)`` is the deliberate form)."""
    positional = (args.posonlyargs + args.args)[1 if method else 0:]
    if not positional or positional[0].arg in ("_", "checked", "_checked"):
        return False
    return len(args.defaults) >= len(positional)


def bad_slots(sources: dict[str, str]) -> tuple[list[str], int]:
    """(problems, number of connections checked) for ``{file name: source}``."""
    trees = {name: ast.parse(text, name) for name, text in sources.items()}
    classes: dict[str, list[ast.ClassDef]] = {}
    functions: dict[tuple[str, str], ast.FunctionDef] = {}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(node)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions[(name, node.name)] = node

    def method(cls: ast.ClassDef, attr: str, seen=()) -> ast.FunctionDef | None:
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == attr:
                return item
        for base in cls.bases:
            base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
            for b in classes.get(base_name, []):
                if b is not cls and b not in seen:
                    found = method(b, attr, (*seen, cls))
                    if found is not None:
                        return found
        return None

    problems, checked = [], 0
    for name, tree in trees.items():
        for call, slot, cls in _slot_exprs(tree):
            checked += 1
            where = f"{name}:{call.lineno}"
            if isinstance(slot, ast.Lambda):
                if _first_parameter_optional(slot.args, method=False):
                    problems.append(f"{where}: lambda with an optional first parameter gets `checked`")
            elif (isinstance(slot, ast.Attribute) and isinstance(slot.value, ast.Name) and slot.value.id == "self"
                  and cls is not None):
                fn = method(cls, slot.attr)
                if fn is not None and _first_parameter_optional(fn.args, method=True):
                    problems.append(f"{where}: self.{slot.attr}({ast.unparse(fn.args)}) gets `checked` as "
                                    f"its first parameter; make it keyword-only")
            elif isinstance(slot, ast.Name) and (name, slot.id) in functions:
                fn = functions[(name, slot.id)]
                if _first_parameter_optional(fn.args, method=False):
                    problems.append(f"{where}: {slot.id}({ast.unparse(fn.args)}) gets `checked` as its first "
                                    f"parameter; make it keyword-only")
    return sorted(problems, key=lambda p: (p.split(":")[0], int(p.split(":")[1]))), checked


def test_no_button_slot_takes_checked_as_its_optional_first_parameter():
    sources = {str(p.relative_to(UI.parent.parent)): p.read_text(encoding="utf-8") for p in sorted(UI.rglob("*.py"))}
    problems, checked = bad_slots(sources)
    assert checked > 100, checked  # the scan really walks the buttons and actions of neiqin/ui
    assert problems == []


def test_the_scan_finds_each_form_of_the_mistake():
    source = '''
class Mixin:
    def print_now(self, printer=None): ...
    def fine(self, *, printer=None): ...
    def toggle(self, on): ...

class Dialog(Mixin, QDialog):
    def __init__(self):
        self.print_btn.clicked.connect(self.print_now)
        self.ok.clicked.connect(self.fine)
        self.box.toggled.connect(self.toggle)
        self.browse.clicked.connect(lambda _=False, r=1: self.fine())
        self.add_action_button("新建", self.print_now, None)
        QAction("x", self, triggered=lambda keep=None: self.fine())
        for text, slot in (("添加", self.print_now), ("删除", self.fine)):
            QPushButton(text).clicked.connect(slot)
        self.menu_action.triggered.connect(helper)

def helper(window=None): ...
'''
    problems, checked = bad_slots({"x.py": source})
    assert checked == 9
    assert [p.split(":")[1] for p in problems] == ["9", "13", "14", "16", "17"]
    assert "self.print_now(self, printer=None)" in problems[0]


@pytest.mark.parametrize(("ledger", "button", "title"), [
    ("meetings", "新建会议", "新建会议"),  # failed: new_record(values=False) -> "'bool' object has no attribute 'get'"
    ("incoming", "签收登记", "签收登记"),
    ("outgoing", "登记发文", "登记发文"),
])
def test_toolbar_buttons_that_open_a_new_record_by_mouse(qtbot, window, ledger, button, title):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolButton

    from .conftest import when_modal

    tab = window.pane_for_ledger(ledger)
    window.show_pane(tab)
    view = tab.view_for(ledger) if hasattr(tab, "view_for") else tab
    if view is not tab:
        tab.show_view(view)
    press = next(b for b in view.findChildren(QToolButton) if b.text() == button)
    seen = {}

    def on_form(form):
        seen["title"] = form.windowTitle() if form is not None else None
        if form is not None:
            form.reject()

    when_modal(on_form)
    qtbot.mouseClick(press, Qt.MouseButton.LeftButton)
    assert seen["title"] is not None and title in seen["title"]
