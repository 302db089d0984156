"""The pane protocol: what every tab, and every view inside a tab, offers the main window.

The window's actions (新建 Ctrl+N, 修改 Ctrl+O, 作废 Ctrl+Del, 修改记录 Ctrl+H, 查找 Ctrl+F, 打印 Ctrl+P, 导出 Ctrl+E,
导入 Ctrl+I) reach the tab in front through these methods. A view says which of them it handles in ``ACTIONS``; the
window greys out the others while it is in front, and a tab of several views (:class:`~neiqin.ui.multi_pane.
MultiViewPane`) sends an action the view in front does not handle to its first ledger view. A test checks that every
view's ``ACTIONS`` names exactly the action methods it implements.

Refreshing is typed: after a write the window takes the ledgers written (``operations.changes_since``) and calls
:meth:`View.refresh_changed` on every tab built so far; a view refreshes only when it shows one of them (``LEDGERS``;
a ledger view: its own ledger and ``SHOWS_ALSO``), at once if it is on screen, otherwise when it is next shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from neiqin.operations import Outcome
    from neiqin.paths import DataDir

V = TypeVar("V", bound="View")

# window action name -> the view method it calls
ACTION_METHODS: dict[str, str] = {
    "new": "new_record",
    "edit": "edit_record",
    "void": "void_record",
    "history": "show_history",
    "find": "focus_search",
    "print": "print_view",
    "export": "export_view",
    "import": "import_file",
}
LEDGER_ACTIONS = frozenset(ACTION_METHODS)  # a ledger view handles them all


class View(QWidget):
    """A screen inside a tab (a ledger list, a desk, a statistics page, a grid) or a whole tab.

    ``countChanged(count, description)`` feeds the status bar; ``recordsChanged`` says the view wrote records (the
    window then asks every tab to refresh what changed).
    """

    countChanged = Signal(int, str)
    recordsChanged = Signal()

    ACTIONS: ClassVar[frozenset[str]] = frozenset()  # the window actions this view handles itself
    LEDGERS: ClassVar[frozenset[str] | None] = None  # the ledgers whose records it shows (None: it depends on all)

    _stale = False

    # ---- what it handles

    def supports(self, action: str) -> bool:
        """Does this view handle the window action ``action`` (a key of :data:`ACTION_METHODS`) itself?"""
        return action in self.ACTIONS

    def shows(self, ledgers: frozenset[str] | None) -> bool:
        """Does a change of ``ledgers`` (None: unknown) change what this view shows?"""
        return ledgers is None or self.LEDGERS is None or not self.LEDGERS.isdisjoint(ledgers)

    # ---- refreshing

    def refresh(self) -> None:
        """Read again what the view shows, keeping the selection."""

    def refresh_changed(self, ledgers: frozenset[str] | None, source: View | None = None) -> None:
        """Records of ``ledgers`` were written (by ``source``, which has refreshed itself): refresh if they are shown
        here, now if the view is on screen, else when it is next shown."""
        if source is self or not self.shows(ledgers):
            return
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)

    # ---- writing

    def perform(self, fn: Callable[..., Any], *args: Any, slow: str = "", **kwargs: Any) -> Outcome | None:
        """Run one write from a button or a key through the operations layer: its question asked, a domain error
        told as one Chinese sentence (``neiqin.ui.operations.perform``), a slow one in a worker (``slow``: the
        progress title). Written: the view shows it (:meth:`written`) and the Outcome is returned; else None."""
        from neiqin.ui.operations import perform

        outcome = perform(self, fn, *args, slow=slow, **kwargs)
        if outcome is not None:
            self.written(outcome)
        return outcome

    def written(self, outcome: Outcome) -> None:
        """What a write of this view changed is shown, and the window told (it refreshes the other views)."""
        self.refresh()
        self.recordsChanged.emit()

    # ---- keyboard and selection

    def focus_first(self) -> None:
        """Put the keyboard where the clerk starts on this view (the list, the scan field …)."""
        self.setFocus()

    def current_record(self) -> Any:
        """The record selected, or None."""
        return None

    def tab(self) -> Pane | None:
        """The window's tab this view sits in (itself for a tab of one view; None for a view outside any tab)."""
        tab, widget = None, self
        while widget is not None:
            if isinstance(widget, Pane):
                tab = widget  # the outermost: a ledger view inside a tab of several views is a Pane too
            widget = widget.parentWidget()
        return tab

    def current_id(self) -> int | None:
        return None

    def view_actions(self) -> list[QAction]:
        """The view's own actions (签收, 登记取件 …) with their shortcuts, for the window's 本页 menu."""
        return [a for a in self.actions() if a.text() and not a.isSeparator()]

    # ---- status bar

    def count_and_description(self) -> tuple[int, str] | None:
        """(count, description) for the status bar, or None when the view has nothing to count."""
        return None

    def update_count(self) -> None:
        counted = self.count_and_description()
        if counted is not None:
            self.countChanged.emit(*counted)

    # ---- the window's actions (a view overrides those it names in ACTIONS)

    def new_record(self) -> Any:
        return None

    def edit_record(self) -> Any:
        return None

    def void_record(self) -> None:
        return None

    def show_history(self) -> None:
        return None

    def focus_search(self) -> None:
        return None

    def print_view(self) -> Any:
        return None

    def export_view(self) -> Any:
        return None

    def import_file(self) -> int:
        return 0

    # ---- layout memory

    def save_layout(self) -> None:
        """Remember column widths, the view in front … (QSettings)."""

    def restore_layout(self) -> None:
        """Bring back what :meth:`save_layout` kept."""


class Pane(View):
    """A tab of the main window: built as ``cls(datadir, ui_settings, parent)``; ``SPEC`` names it before it is
    built (the window shows a placeholder tab until then)."""

    SPEC: ClassVar[Any]  # a LedgerSpec or a PaneInfo (今日): key and tab_title
    datadir: DataDir  # the data folder (prints/, backups/ …)

    @classmethod
    def ledger_keys(cls) -> frozenset[str]:
        """Every ledger this tab shows (sub-views included): the window opens a record of these here."""
        return frozenset({cls.SPEC.key})

    def view_for(self, ledger_key: str) -> View | None:
        """The view of this tab that shows ``ledger_key``, or None."""
        return self if ledger_key in self.ledger_keys() else None

    def find_view(self, cls: type[V]) -> V | None:
        """The tab's view of class ``cls`` (寄件费用 from the 寄件 list), or None."""
        return self if isinstance(self, cls) else None

    def show_view(self, view: View) -> View:
        """Bring one of its views (from :meth:`view_for`) to the front, the keyboard on it."""
        view.focus_first()
        return view

    def open_record(self, record_id: int, ledger_key: str | None = None) -> bool:
        """Bring one record into view, selected (from 今日, global search, a link). False if it cannot."""
        return False

    def set_status_filter(self, key: str) -> None:
        """Show only the records of one status (今日's tiles ask for 逾期, 在场 …)."""

    def after_change(self, record_id: int | None = None) -> None:
        """Records changed through this tab: refresh, keep ``record_id`` selected, tell the window."""
        self.refresh()
        self.recordsChanged.emit()
