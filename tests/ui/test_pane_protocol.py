"""The pane protocol (neiqin.ui.pane): every tab and every view in a tab says what it handles; a write refreshes only
the views that show the ledgers written; the window greys out what the tab in front does not handle; 操作 lists the
view's own actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QVBoxLayout

from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.multi_pane import MultiViewPane
from neiqin.ui.pane import ACTION_METHODS, Pane, View

from .conftest import type_text, when_modal


def _all_views(window) -> list[View]:
    views = []
    for tab in window.tab_list:
        pane = window.pane(tab.key)
        views.append(pane)
        if isinstance(pane, MultiViewPane):
            views.extend(pane.views)
    return views


def test_every_view_declares_exactly_the_actions_it_implements(window):
    views = _all_views(window)
    assert len(views) >= 29  # every tab and every view of every tab was built
    for view in views:
        cls = type(view)
        assert isinstance(view, View), cls
        for action, method in ACTION_METHODS.items():
            implemented = getattr(cls, method) is not getattr(View, method)
            assert (action in cls.ACTIONS) == implemented, f"{cls.__name__}: {action} ({method})"


def test_no_screen_asks_a_pane_or_the_window_what_it_has():
    """Tabs, views and the window speak to each other through the protocol: no hasattr/getattr on a pane, a view, a
    tab, a parent or the window anywhere in neiqin/ui (a record's or a module's attributes may be read so)."""
    import ast
    from pathlib import Path

    import neiqin.ui as ui

    asked = {"pane", "window", "view", "tab", "parent", "w", "widget", "main_window"}

    def who(node) -> str:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return node.attr
        if isinstance(node, ast.Call):  # self.parent(), self.window()
            return who(node.func)
        return ""

    root = Path(ui.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("hasattr", "getattr") \
                    and n.args and who(n.args[0]) in asked:
                found.append(f"{path.relative_to(root)}:{n.lineno} {n.func.id}({who(n.args[0])}, …)")
    assert not found, "\n".join(found)


def _count_refreshes(monkeypatch, views) -> dict[str, int]:
    counts = {type(v).__name__: 0 for v in views}
    for v in views:
        original = v.refresh

        def counted(v=v, original=original):
            counts[type(v).__name__] += 1
            return original()

        monkeypatch.setattr(v, "refresh", counted)
    return counts


def test_a_new_licence_refreshes_only_the_views_that_show_licences(qtbot, window, monkeypatch):
    seals = window.show_pane("seal-uses")
    today = window.pane("today")
    heard = []
    window.ledgersChanged.connect(heard.append)
    others = [seals.uses, seals.loans, seals.seals, seals.stats, window.pane("visitors")]
    counts = _count_refreshes(monkeypatch, others)
    pending = []
    monkeypatch.setattr(today, "records_changed", pending.append)
    seals.show_view(seals.licences)

    def fill(form):
        type_text(qtbot, form.widgets["name"], "营业执照")
        qtbot.keyClick(form.widgets["name"], Qt.Key.Key_Return)

    when_modal(fill)
    qtbot.keyClick(seals.licences.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: seals.licences.model.rowCount() == 1)
    assert heard == [frozenset({"licences"})]
    assert pending == [frozenset({"licences"})]  # 今日 recomputes the licence sections only
    # 外借 shows licences (a loan names its licence): marked, refreshed when it is next shown
    assert counts == {"SealUsesPane": 0, "SealLoansPane": 0, "SealRegistryPane": 0, "SealStatsView": 0,
                      "VisitorsPane": 0}
    assert seals.loans._stale and not seals.uses._stale and not seals.stats._stale
    seals.show_view(seals.loans)
    assert counts["SealLoansPane"] == 1 and not seals.loans._stale
    seals.show_view(seals.uses)
    assert counts["SealUsesPane"] == 0


class NoticeBoard(Pane):
    """A tab that only prints (a future read-only board): the window's other actions are greyed out."""

    ACTIONS = frozenset({"print"})

    class SPEC:  # noqa: N801 - the protocol's class attribute
        key, tab_title, title = "board", "公告", "公告栏"

        @staticmethod
        def count_text(n: int) -> str:
            return f"{n} 条"

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(parent)
        self.notices = QListWidget()
        self.notices.addItems(["周五下午消防演练", "本周六加班", "新门禁卡已到"])
        QVBoxLayout(self).addWidget(self.notices)
        self.printed = 0

    def focus_first(self) -> None:
        self.notices.setFocus()

    def print_view(self):
        self.printed += 1

    def count_and_description(self):
        return self.notices.count(), "公告"


def test_the_window_greys_out_what_the_tab_in_front_does_not_handle(qtbot, datadir, database, host, monkeypatch):
    from neiqin.models import settings, today
    from neiqin.ui import main_window

    monkeypatch.setattr(main_window, "PANES", [*main_window.PANES, NoticeBoard])
    settings.set_value(today.REMIND_AT_START, False)
    window = main_window.MainWindow(datadir)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts reach the active window only
    qtbot.waitUntil(window.isActiveWindow)
    board = window.show_pane("board")
    actions = window.actions_by_name
    assert actions["print"].isEnabled() and actions["refresh"].isEnabled()
    assert not any(actions[a].isEnabled() for a in ("new", "edit", "void", "history", "export", "import"))
    assert window.count_label.text() == "公告：3 条"
    assert board.notices.hasFocus()  # the tab put the keyboard on its list
    qtbot.keyClick(board.notices, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # greyed out: nothing
    qtbot.keyClick(board.notices, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert board.printed == 1
    assert window.tabs.currentWidget().isAncestorOf(board)
    window.show_pane("visitors")
    assert all(actions[a].isEnabled() for a in ACTION_METHODS)
    window.close()


def test_the_page_menu_lists_the_own_actions_of_the_view_in_front(qtbot, window):
    docs = window.show_pane("incoming")
    docs.show_view(docs.view_for("incoming"))
    menu = window.menus["page"]
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions()]
    assert "签收登记" in texts and "打印处理笺" in texts
    shortcut = next(a for a in menu.actions() if a.text() == "办理过程").shortcut().toString()
    assert shortcut == "F4"
    docs.show_view(docs.views[[type(v).__name__ for v in docs.views].index("CostView")])
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] != texts


def test_a_ledger_view_is_a_ledger_pane_and_a_tab_of_views_is_not():
    from neiqin.ui.mail.documents_pane import DocumentsPane

    assert not issubclass(DocumentsPane, LedgerPane)
    assert {"incoming", "outgoing", "parcels", "dispatches", "addresses"} == DocumentsPane.ledger_keys()


def test_a_view_finds_its_tab_and_the_tab_its_views(window):
    docs = window.pane("incoming")
    parcels = docs.view_for("parcels")
    from neiqin.ui.mail.parcels_pane import CostView

    costs = docs.find_view(CostView)
    assert parcels.tab() is docs and costs.tab() is docs and docs.tab() is docs
    assert window.pane("visitors").tab() is window.pane("visitors")
    assert docs.find_view(NoticeBoard) is None
