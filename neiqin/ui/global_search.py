"""Ctrl+K: one box that searches every ledger and the staff directory; Enter opens the record in its tab.

Results come as you type (debounced), grouped by ledger, a few per group with the group's count and
“在该台账中查看全部”, which opens the ledger's tab with the same search applied. Keyboard only: type, ↓ into
the results, ↑ from the first result back to the box, Enter opens, Esc closes. The searching is
:mod:`neiqin.models.global_search` (no Qt).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from neiqin.models import global_search
from neiqin.ui.util import show_error, tr

DEBOUNCE_MS = 180
HIT, MORE, GROUP = "hit", "more", "group"
ROLE = Qt.ItemDataRole.UserRole


class GlobalSearchDialog(QDialog):
    """Not modal: the clerk may leave it open, switch to the window and come back with Ctrl+K."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(tr("搜索全部台账（Ctrl+K）"))
        self.groups: list[global_search.Group] = []
        self.elapsed_ms = 0.0
        layout = QVBoxLayout(self)
        self.box = QLineEdit()
        self.box.setClearButtonEnabled(True)
        self.box.setPlaceholderText(tr("姓名（可用拼音首字母，如 zs）、单位、单号、文件标题……多个词用空格分开"))
        font = self.box.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.box.setFont(font)
        layout.addWidget(self.box)
        self.results = QTreeWidget()
        self.results.setColumnCount(2)
        self.results.setHeaderHidden(True)
        self.results.setRootIsDecorated(False)
        self.results.setIndentation(12)
        self.results.setUniformRowHeights(True)
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.results.header().setStretchLastSection(True)
        layout.addWidget(self.results, 1)
        self.status = QLabel(tr("输入后按 ↓ 进入结果，Enter 打开，Esc 关闭"))
        self.status.setStyleSheet("color:#666")
        layout.addWidget(self.status)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.run_search)
        self.box.textChanged.connect(lambda: self._debounce.start())
        self.box.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(self.activate)
        self.results.itemDoubleClicked.connect(lambda item, _col: self.activate(item))
        self.resize(820, 560)

    # ---- searching

    def run_search(self) -> None:
        self._debounce.stop()
        text = self.box.text().strip()
        t0 = time.perf_counter()
        try:
            self.groups = global_search.search_all(text) if text else []
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            self.groups = []
        self.elapsed_ms = (time.perf_counter() - t0) * 1000
        self._fill()
        if not text:
            self.status.setText(tr("输入后按 ↓ 进入结果，Enter 打开，Esc 关闭"))
        elif not self.groups:
            self.status.setText(f"没有找到“{text}”")
        else:
            n = sum(len(g.hits) for g in self.groups)
            self.status.setText(f"{len(self.groups)} 个台账中有结果，显示 {n} 条（{self.elapsed_ms:.0f} 毫秒）"
                                "　↓ 进入结果，Enter 打开，Esc 关闭")

    def _fill(self) -> None:
        self.results.clear()
        bold = QFont(self.results.font())
        bold.setBold(True)
        grey = QBrush(QColor("#888"))
        link = QBrush(QColor("#1a73e8"))
        for g in self.groups:
            head = QTreeWidgetItem([f"{g.title}", tr("共 ") + g.total_text])
            head.setData(0, ROLE, (GROUP, g.ledger, None))
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setFont(0, bold)
            head.setForeground(1, grey)
            head.setBackground(0, QBrush(QColor("#f1f3f4")))
            head.setBackground(1, QBrush(QColor("#f1f3f4")))
            self.results.addTopLevelItem(head)
            for h in g.hits:
                item = QTreeWidgetItem(["　" + h.title + (tr("（已作废）") if h.voided else ""), h.detail])
                item.setData(0, ROLE, (HIT, h.ledger, h.record_id))
                item.setToolTip(1, h.detail)
                if h.voided:
                    item.setForeground(0, grey)
                    item.setForeground(1, grey)
                self.results.addTopLevelItem(item)
            if g.more:
                more = QTreeWidgetItem(["　" + tr("在该台账中查看全部") + f"（{g.total_text}）→", ""])
                more.setData(0, ROLE, (MORE, g.ledger, None))
                more.setForeground(0, link)
                self.results.addTopLevelItem(more)

    def selectable_items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.results.topLevelItemCount()):
            item = self.results.topLevelItem(i)
            if item.flags() & Qt.ItemFlag.ItemIsSelectable:
                out.append(item)
        return out

    # ---- keys

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if obj is self.box:
            if key == Qt.Key.Key_Down:
                self._focus_results()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive():
                    self.run_search()
                items = self.selectable_items()
                if items:
                    self.activate(items[0])
                return True
        elif obj is self.results:
            items = self.selectable_items()
            if key == Qt.Key.Key_Up and items and self.results.currentItem() is items[0]:
                self.box.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.results.currentItem() is not None:
                    self.activate(self.results.currentItem())
                return True
            text = event.text()
            if text and text.isprintable() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
                self.box.setFocus()  # typing in the list goes on in the box
                self.box.insert(text)
                return True
            if key == Qt.Key.Key_Backspace:
                self.box.setFocus()
                self.box.backspace()
                return True
        return False

    def _focus_results(self) -> None:
        if self._debounce.isActive():
            self.run_search()
        items = self.selectable_items()
        if items:
            self.results.setFocus()
            self.results.setCurrentItem(items[0])

    # ---- opening

    def activate(self, item: QTreeWidgetItem | None) -> bool:
        if item is None:
            return False
        kind, ledger, record_id = item.data(0, ROLE)
        if kind == HIT:
            self.hide()
            return bool(self.window_.open_record(ledger, record_id))
        if kind == MORE:
            self.hide()
            show_all(self.window_, ledger, self.box.text().strip())
            return True
        return False

    def open_box(self) -> None:
        """Show (again) with the last words selected, so typing replaces them."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus()
        self.box.selectAll()


def show_all(window, ledger_key: str, text: str):
    """The ledger's tab (its sub-view in a multi-view tab) with every record matching ``text``."""
    pane = window.show_pane(window.pane_for_ledger(ledger_key))
    view = pane.show_view(pane.view_for(ledger_key))
    view.show_matching(text)
    return view


def open_search(window) -> GlobalSearchDialog:
    dlg = window.global_search
    if dlg is None:
        dlg = window.global_search = GlobalSearchDialog(window)
    dlg.open_box()
    return dlg
