"""A tab holding several views (Alt+1 … Alt+N): the shape of 用印登记, 收发文/快递, 办公用品 and 会议记录.

The main window talks to every tab through the pane protocol (:mod:`neiqin.ui.pane`). A MultiViewPane routes each
action to the view in front if that view handles it (its ``ACTIONS``), else to its first ledger view. Views that are
not ledgers (statistics, a desk screen, a grid) are :class:`~neiqin.ui.pane.View` subclasses among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from neiqin import operations
from neiqin.models.ledger import LedgerSpec
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.pane import LEDGER_ACTIONS, Pane, View
from neiqin.ui.util import tr


class MultiViewPane(Pane):
    """Subclasses set ``SPEC`` (names the tab) and ``SUBVIEWS``: (title, class) pairs.

    A class that is a LedgerPane is built as ``cls(datadir, ui_settings, parent)``; any other view class as
    ``cls(pane)`` (it can reach ``pane.datadir`` and friends). Ledger sub-views declare their ``SPEC`` as a class
    attribute, so the window knows which tab opens a record before building it. ``KEY`` names the remembered view.
    """

    SUBVIEWS: list[tuple[str, type[View]]] = []
    KEY = ""
    ACTIONS = LEDGER_ACTIONS  # routed: to the view in front, or to the first ledger view

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(parent)
        self.spec = self.SPEC
        self.datadir = datadir
        self.ui_settings = ui_settings
        self._mark = operations.change_mark()  # the writes this tab has taken into account
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.subpanes: list[LedgerPane] = []
        self.views: list[View] = []
        for i, (title, cls) in enumerate(self.SUBVIEWS):
            if issubclass(cls, LedgerPane):
                view = cls(datadir, ui_settings, self)
                self.subpanes.append(view)
            else:
                view = cls(self)
            view.countChanged.connect(self._sub_count)
            view.recordsChanged.connect(self._sub_changed)
            self.views.append(view)
            self.tabs.addTab(view, f"{tr(title)} (Alt+{i + 1})")
        for i in range(self.tabs.count()):
            QShortcut(QKeySequence(f"Alt+{i + 1}"), self, activated=lambda i=i: self.show_view(i),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tabs.currentChanged.connect(lambda _: self.update_count())
        layout.addWidget(self.tabs)
        self.restore_layout()

    # ---- which view

    @classmethod
    def ledger_keys(cls) -> frozenset[str]:
        return frozenset(c.SPEC.key for _, c in cls.SUBVIEWS if issubclass(c, LedgerPane))

    def show_view(self, index_or_view: int | View) -> View:
        if isinstance(index_or_view, int):
            self.tabs.setCurrentIndex(index_or_view)
        else:
            self.tabs.setCurrentWidget(index_or_view)
        w = self.front()
        w.focus_first()
        return w

    def find_view(self, cls):
        return next((v for v in self.views if isinstance(v, cls)), None)

    def front(self) -> View:
        """The view in front."""
        return self.tabs.currentWidget()

    def view_for(self, ledger_key: str) -> LedgerPane | None:
        return next((p for p in self.subpanes if p.spec.key == ledger_key), None)

    def current(self) -> LedgerPane:
        """The ledger view in front, else the first ledger view."""
        w = self.front()
        return w if isinstance(w, LedgerPane) else self.subpanes[0]

    def _front(self, action: str) -> View:
        """The view in front if it handles ``action`` itself, else the current ledger view."""
        w = self.front()
        return w if w.supports(action) else self.current()

    def _sub_count(self, n: int, description: str) -> None:
        if self.sender() is self.front():
            self.countChanged.emit(n, description)

    def _sub_changed(self) -> None:
        """A view wrote records (a loan, a pickup, a movement): the other views that show one of the ledgers written
        refresh (the writer has refreshed itself), then the window hears of it."""
        ledgers, self._mark = operations.changes_since(self._mark)
        writer = self.sender()
        for view in self.views:
            if view is not writer:
                view.refresh_changed(ledgers or None)  # nothing audited: unknown, as before typed changes
        self.recordsChanged.emit()

    def refresh_changed(self, ledgers: frozenset[str] | None, source: View | None = None) -> None:
        """Another tab wrote records of ``ledgers``: the views that show one of them refresh."""
        if source is self:
            return
        self._mark = operations.change_mark()
        for view in self.views:
            view.refresh_changed(ledgers)

    # ---- the main window's actions, routed

    def supports(self, action: str) -> bool:
        return self._front(action).supports(action)

    def view_actions(self) -> list:
        return self.front().view_actions()

    def new_record(self, *args) -> Any:
        return self._front("new").new_record()

    def edit_record(self) -> Any:
        return self._front("edit").edit_record()

    def void_record(self) -> None:
        self._front("void").void_record()

    def show_history(self) -> None:
        self._front("history").show_history()

    def focus_search(self) -> None:
        self._front("find").focus_search()

    def focus_first(self) -> None:
        self.front().focus_first()

    def refresh(self) -> None:
        w = self.front()
        if not isinstance(w, LedgerPane):
            w.refresh()
        self.current().refresh()

    def print_view(self) -> Path | None:
        return self._front("print").print_view()

    def export_view(self) -> Path | None:
        return self._front("export").export_view()

    def import_file(self) -> int:
        return self._front("import").import_file()

    def update_count(self) -> None:
        w = self.front()
        if not isinstance(w, LedgerPane):
            counted = w.count_and_description()
            if counted is not None:
                self.countChanged.emit(*counted)
                return
        self.current().update_count()

    def current_record(self) -> Any:
        return self.current().current_record()

    def current_id(self) -> int | None:
        return self.current().current_id()

    def select_id(self, record_id: int) -> bool:
        return self.current().select_id(record_id)

    def open_record(self, record_id: int, ledger_key: str | None = None) -> bool:
        view = self.view_for(ledger_key) if ledger_key else self.current()
        if view is None:
            return False
        self.show_view(view)
        return view.open_record(record_id)

    def set_status_filter(self, key: str) -> None:
        self.current().set_status_filter(key)

    def save_layout(self) -> None:
        for p in self.subpanes:
            p.save_layout()
        self.ui_settings.setValue(f"{self.KEY or self.spec.key}/view", self.tabs.currentIndex())

    def restore_layout(self) -> None:
        view = self.ui_settings.value(f"{self.KEY or self.spec.key}/view")
        if view is not None:
            self.tabs.setCurrentIndex(int(view))

    def after_change(self, record_id: int | None = None) -> None:
        self.current().after_change(record_id)

    @property
    def spec_keys(self) -> list[LedgerSpec]:
        return [p.spec for p in self.subpanes]
