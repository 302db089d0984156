"""A tab holding several sub-views (Alt+1 … Alt+N): the shape of 用印登记, 收发文/快递, 办公用品 and 会议记录.

The main window talks to every tab as a LedgerPane (新建, 打印, 导出, 作废 …). A MultiViewPane routes those actions to
the ledger sub-view in front. Extra views that are not ledgers (statistics, a desk screen, a grid) may sit among
them: they get the action only if they implement it, otherwise the first ledger view does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from neiqin.models.ledger import LedgerSpec
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.util import tr


class MultiViewPane(LedgerPane):
    """Subclasses set ``SPEC`` (names the tab) and ``SUBVIEWS``: (title, class) pairs.

    A class that is a LedgerPane is built as ``cls(datadir, ui_settings, parent)``; any other widget class as
    ``cls(pane)`` (it can reach ``pane.datadir`` and friends). Ledger sub-views declare their ``SPEC`` as a class
    attribute, so the window knows which tab opens a record before building it. ``KEY`` names the remembered view.
    """

    SUBVIEWS: list[tuple[str, type[QWidget]]] = []
    KEY = ""

    def __init__(self, datadir, ui_settings, parent=None):  # noqa: D107 - LedgerPane.__init__ skipped on purpose
        QWidget.__init__(self, parent)
        self.spec = self.SPEC
        self.datadir = datadir
        self.ui_settings = ui_settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.subpanes: list[LedgerPane] = []
        self.views: list[QWidget] = []
        for i, (title, cls) in enumerate(self.SUBVIEWS):
            if issubclass(cls, LedgerPane):
                view = cls(datadir, ui_settings, self)
                view.countChanged.connect(self._sub_count)
                view.recordsChanged.connect(self._sub_changed)
                self.subpanes.append(view)
            else:
                view = cls(self)
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
    def ledger_keys(cls) -> set[str]:
        return {c.SPEC.key for _, c in cls.SUBVIEWS if issubclass(c, LedgerPane) and hasattr(c, "SPEC")}

    def show_view(self, index_or_view: int | QWidget) -> QWidget:
        if isinstance(index_or_view, int):
            self.tabs.setCurrentIndex(index_or_view)
        else:
            self.tabs.setCurrentWidget(index_or_view)
        w = self.tabs.currentWidget()
        if isinstance(w, LedgerPane) and hasattr(w, "table"):
            w.table.setFocus()
        return w

    def view_for(self, ledger_key: str) -> LedgerPane | None:
        return next((p for p in self.subpanes if p.spec.key == ledger_key), None)

    def current(self) -> LedgerPane:
        w = self.tabs.currentWidget()
        return w if isinstance(w, LedgerPane) else self.subpanes[0]

    def _front(self, method: str):
        """The view in front if it implements ``method`` itself, else the current ledger view."""
        w = self.tabs.currentWidget()
        if not isinstance(w, LedgerPane) and callable(getattr(w, method, None)):
            return w
        return self.current()

    def _sub_count(self, n: int, description: str) -> None:
        if self.sender() is self.tabs.currentWidget():
            self.countChanged.emit(n, description)

    def _sub_changed(self) -> None:
        # a change in one view (a loan, a pickup, a movement) can change what the others show
        for p in self.views:
            if p is not self.sender() and callable(getattr(p, "refresh", None)):
                p.refresh()
        self.recordsChanged.emit()

    # ---- the main window's actions, routed

    def new_record(self, *args) -> Any:
        return self._front("new_record").new_record()

    def edit_record(self) -> Any:
        return self._front("edit_record").edit_record()

    def void_record(self) -> None:
        self._front("void_record").void_record()

    def show_history(self) -> None:
        self._front("show_history").show_history()

    def focus_search(self) -> None:
        self._front("focus_search").focus_search()

    def refresh(self) -> None:
        w = self.tabs.currentWidget()
        if not isinstance(w, LedgerPane) and callable(getattr(w, "refresh", None)):
            w.refresh()
        self.current().refresh()

    def print_view(self) -> Path | None:
        return self._front("print_view").print_view()

    def export_view(self) -> Path | None:
        return self._front("export_view").export_view()

    def import_file(self) -> int:
        return self._front("import_file").import_file()

    def update_count(self) -> None:
        w = self.tabs.currentWidget()
        if not isinstance(w, LedgerPane):
            counted = getattr(w, "count_and_description", None)
            if callable(counted):
                self.countChanged.emit(*counted())
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
