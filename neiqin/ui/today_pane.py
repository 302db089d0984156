"""今日: the first tab — what needs doing today across every ledger, and the 统计 charts.

A row of tiles (one per section: its count, red when something is overdue) over a grouped list: overdue rows
red, due rows amber, the rest plain. ↑/↓ walk the rows, Enter (or a double-click) opens the record in its tab,
Enter on a section heading opens that ledger. The lists are short (``SHORT`` rows); the last row of a longer
section shows the rest. The tab refreshes itself when any tab changes records (the window's
``recordsChanged``), every minute (appointment times pass) and after midnight. Ctrl+P prints the 今日工作清单,
the button beside it the 交接班单; Ctrl+F here opens the search over all ledgers (Ctrl+K everywhere).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.models import settings, today
from neiqin.models.today import DUE, OVERDUE, Section, TodayItem, when_text
from neiqin.ui.pane import LEDGER_ACTIONS, Pane
from neiqin.ui.reminders import open_item
from neiqin.ui.util import show_error, tr

SHORT = 10  # rows shown per section before “显示全部”
REFRESH_MS = 60_000
DEBOUNCE_MS = 300
ROLE = Qt.ItemDataRole.UserRole
RED, RED_BG = QColor("#c5221f"), QColor("#fce8e6")
AMBER, AMBER_BG = QColor("#9a5b00"), QColor("#fef7e0")
HEAD_BG = QColor("#eef1f5")


@dataclass(frozen=True)
class PaneInfo:
    """What the main window reads from a tab's ``SPEC`` (this tab is not a ledger)."""

    key: str
    tab_title: str
    title: str

    def count_text(self, n: int) -> str:
        return f"{n} 项"


TODAY_TAB = PaneInfo("today", "今日", "今日待办")


class SectionTile(QToolButton):
    """A section's count and title; red when something in it is overdue, amber when due."""

    def __init__(self, section: Section, parent=None):
        super().__init__(parent)
        self.key = section.key
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard walks the list; tiles are for the mouse
        self.setMinimumWidth(120)
        self.update_from(section)

    def update_from(self, s: Section) -> None:
        n = s.total
        extra = f"逾期 {s.overdue}" if s.overdue else (f"到期 {s.due}" if s.due else "")
        self.setText(f"{n}\n{s.title}" + (f"\n{extra}" if extra else "\n"))
        if s.error:
            colour, bg, border = "#c5221f", "#fce8e6", "#c5221f"
            self.setText(f"!\n{s.title}\n读取失败")
        elif s.overdue:
            colour, bg, border = "#c5221f", "#fce8e6", "#ea8a80"
        elif s.due:
            colour, bg, border = "#9a5b00", "#fef7e0", "#f2c46d"
        elif n:
            colour, bg, border = "#1f1f1f", "#ffffff", "#d0d4da"
        else:
            colour, bg, border = "#9aa0a6", "#f8f9fa", "#e3e5e8"
        self.setStyleSheet(f"QToolButton {{ color:{colour}; background:{bg}; border:1px solid {border};"
                           f" border-radius:6px; padding:6px 10px; font-size:11pt; }}"
                           f" QToolButton:hover {{ border-color:#1a73e8; }}")
        self.setToolTip(f"{s.title}：{s.summary()}（点击跳到该栏目）")


class TodayBoard(QWidget):
    """The tiles and the grouped list."""

    def __init__(self, pane: TodayPane):
        super().__init__(pane)
        self.pane = pane
        self.sections: list[Section] = []
        self.expanded: set[str] = set()  # sections shown in full
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tiles_box = QGridLayout()
        self.tiles_box.setSpacing(6)
        layout.addLayout(self.tiles_box)
        self.tiles: dict[str, SectionTile] = {}
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([tr("事项"), tr("时间/期限"), tr("相关人")])
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.activate(item))
        self.tree.installEventFilter(self)
        layout.addWidget(self.tree, 1)

    # ---- filling

    def show_sections(self, sections: list[Section], day: dt.date) -> None:
        keep = self.current_key()
        scroll = self.tree.verticalScrollBar().value()
        self.sections = sections
        self._tiles(sections)
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for s in sections:
            head = QTreeWidgetItem([f"{s.title}　{s.summary()}", "", ""])
            head.setData(0, ROLE, ("section", s.key, None))
            head.setFont(0, bold)
            for c in range(3):
                head.setBackground(c, QBrush(HEAD_BG))
            if s.ledger:
                head.setToolTip(0, tr("Enter：打开该台账"))
            self.tree.addTopLevelItem(head)
            if s.error:
                err = QTreeWidgetItem(["　" + tr("本栏目读取失败（详情见日志）：") + s.error, "", ""])
                err.setForeground(0, QBrush(RED))
                err.setData(0, ROLE, ("error", s.key, None))
                self.tree.addTopLevelItem(err)
                continue
            if not s.items:
                none = QTreeWidgetItem(["　" + tr("无"), "", ""])
                none.setForeground(0, QBrush(QColor("#9aa0a6")))
                none.setData(0, ROLE, ("none", s.key, None))
                self.tree.addTopLevelItem(none)
                continue
            shown = s.items if s.key in self.expanded else s.items[:SHORT]
            for i, item in enumerate(shown):
                self.tree.addTopLevelItem(self._row(s, i, item, day))
            if len(shown) < len(s.items):
                more = QTreeWidgetItem(["　" + f"…… 另有 {len(s.items) - len(shown)} 项（Enter 显示全部）", "", ""])
                more.setForeground(0, QBrush(QColor("#1a73e8")))
                more.setData(0, ROLE, ("more", s.key, None))
                self.tree.addTopLevelItem(more)
        self.tree.setUpdatesEnabled(True)
        if not self.select_key(keep):
            self.tree.setCurrentItem(self.first_item())
        self.tree.verticalScrollBar().setValue(scroll)

    def _row(self, s: Section, index: int, item: TodayItem, day: dt.date) -> QTreeWidgetItem:
        label = {OVERDUE: "【逾期】", DUE: "【到期】"}.get(item.level, "")
        row = QTreeWidgetItem(["　" + label + item.text, when_text(item.when, day), item.owner])
        row.setData(0, ROLE, ("item", s.key, index))
        row.setToolTip(0, item.text + ("\n" + tr("Enter：打开记录") if item.record_id or item.action else ""))
        if item.level in (OVERDUE, DUE):
            fg, bg = (RED, RED_BG) if item.level == OVERDUE else (AMBER, AMBER_BG)
            for c in range(3):
                row.setForeground(c, QBrush(fg))
                row.setBackground(c, QBrush(bg))
        return row

    def _tiles(self, sections: list[Section]) -> None:
        keys = [s.key for s in sections]
        if list(self.tiles) != keys:
            for tile in self.tiles.values():
                tile.deleteLater()
            self.tiles = {}
            per_row = max(4, min(8, (len(sections) + 1) // 2))
            for i, s in enumerate(sections):
                tile = SectionTile(s, self)
                tile.clicked.connect(lambda _=False, k=s.key: self.go_to_section(k))
                self.tiles_box.addWidget(tile, i // per_row, i % per_row)
                self.tiles[s.key] = tile
        for s in sections:
            self.tiles[s.key].update_from(s)

    # ---- navigating

    def item_of(self, row: QTreeWidgetItem | None) -> tuple[Section | None, TodayItem | None]:
        if row is None:
            return None, None
        kind, key, index = row.data(0, ROLE)
        s = next((x for x in self.sections if x.key == key), None)
        if kind == "item" and s is not None and index < len(s.items):
            return s, s.items[index]
        return s, None

    def current_key(self) -> tuple | None:
        row = self.tree.currentItem()
        s, item = self.item_of(row)
        if item is not None:
            return today.item_key(s.key, item)
        return row.data(0, ROLE) if row is not None else None

    def select_key(self, key: tuple | None) -> bool:
        if key is None:
            return False
        for i in range(self.tree.topLevelItemCount()):
            row = self.tree.topLevelItem(i)
            s, item = self.item_of(row)
            if (item is not None and today.item_key(s.key, item) == key) or row.data(0, ROLE) == key:
                self.tree.setCurrentItem(row)
                return True
        return False

    def rows(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def first_item(self) -> QTreeWidgetItem | None:
        """The first real item (most urgent of the first section with one), else the first row."""
        rows = self.rows()
        urgent = [r for r in rows if (lambda p: p[1] is not None and p[1].urgent)(self.item_of(r))]
        items = [r for r in rows if r.data(0, ROLE)[0] == "item"]
        return (urgent or items or rows or [None])[0]

    def go_to_section(self, key: str) -> None:
        for row in self.rows():
            kind, k, _ = row.data(0, ROLE)
            if k == key and kind == "section":
                self.tree.setCurrentItem(row)
                self.tree.scrollToItem(row, QTreeWidget.ScrollHint.PositionAtTop)
                self.tree.setFocus()
                return

    def activate(self, row: QTreeWidgetItem | None) -> bool:
        if row is None:
            return False
        kind, key, _ = row.data(0, ROLE)
        s, item = self.item_of(row)
        if kind == "item" and item is not None:
            if item.record_id is not None or item.action:
                return open_item(self.pane.window(), item)
            if item.count > 1 and s is not None and s.ledger:  # a summed row: the whole list is in its tab
                kind = "section"
            else:
                return False
        if kind == "more":
            self.expanded.add(key)
            self.pane.refresh()
            return True
        if kind in ("section", "none") and s is not None and s.ledger:
            window = self.pane.window()
            try:
                window.show_pane(window.pane_for_ledger(s.ledger))
                pane = window.current_pane()
                view = pane.view_for(s.ledger)
                if view is not None:
                    pane.show_view(view)
            except (KeyError, StopIteration):
                return False
            return True
        return False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.tree and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate(self.tree.currentItem())
            return True
        return False


class TodayPane(Pane):
    """The 今日 tab. Speaks to the main window through the pane protocol (it routes 新建, 打印 … here); it writes
    no records and refreshes its sections from the ledgers others write (:meth:`refresh_changed`)."""

    SPEC = TODAY_TAB
    ACTIONS = LEDGER_ACTIONS  # each with its 今日 meaning: 新建 offers the tabs, 修改 opens the row's record …

    @classmethod
    def ledger_keys(cls) -> frozenset[str]:
        return frozenset()  # it shows items of every ledger, but opens each in its own tab

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(parent)
        self.spec = self.SPEC
        self.datadir = datadir
        self.ui_settings = ui_settings
        self.day = clock.today()
        self.sections: list[Section] = []
        self._dirty = True
        self._refreshed_at = dt.datetime.min
        self._mark = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        top = QHBoxLayout()
        self.date_label = QLabel()
        self.date_label.setStyleSheet("font-size:16pt; font-weight:bold")
        top.addWidget(self.date_label)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-size:11pt; margin-left:12px")
        top.addWidget(self.summary_label)
        top.addStretch(1)
        self.search_button = QPushButton(tr("搜索全部台账…（Ctrl+K）"))
        self.search_button.clicked.connect(self.focus_search)
        self.worklist_button = QPushButton(tr("打印工作清单（Ctrl+P）"))
        self.worklist_button.clicked.connect(lambda: self.print_sheet("worklist"))
        self.handover_button = QPushButton(tr("打印交接班单…"))
        self.handover_button.setToolTip(tr("交给代班同事：全部事项、勾选框、处理情况和交接签字"))
        self.handover_button.clicked.connect(lambda: self.print_sheet("handover"))
        for b in (self.search_button, self.worklist_button, self.handover_button):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            top.addWidget(b)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.board = TodayBoard(self)
        self.tabs.addTab(self.board, tr("待办") + " (Alt+1)")
        self.charts = None
        self._charts_holder = QWidget()
        QVBoxLayout(self._charts_holder).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self._charts_holder, tr("统计") + " (Alt+2)")
        self.tabs.currentChanged.connect(self._view_changed)
        layout.addWidget(self.tabs, 1)
        for i in range(2):
            QShortcut(QKeySequence(f"Alt+{i + 1}"), self, activated=lambda i=i: self.tabs.setCurrentIndex(i),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self._pending: set[str] | None = set()  # ledgers changed since the last refresh (None: refresh all)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self._refresh_changed)
        self.timer = QTimer(self, interval=REFRESH_MS, timeout=self._tick)
        self.timer.start()
        self.restore_layout()
        self.refresh()

    # ---- refreshing

    def refresh_changed(self, ledgers: frozenset[str] | None, source=None) -> None:
        self.records_changed(ledgers)

    def records_changed(self, ledgers: frozenset[str] | None = None) -> None:
        """Records of ``ledgers`` changed in some tab (None: unknown): their sections are refreshed soon if 今日 is
        shown, else everything when it is next shown."""
        if ledgers is None or self._pending is None:
            self._pending = None
        else:
            self._pending |= set(ledgers)
        self._dirty = True
        if self.isVisible():
            self._debounce.start()

    def _refresh_changed(self) -> None:
        """Recompute only the sections of the ledgers that changed (and those of no ledger: the USB backup)."""
        pending, self._pending = self._pending, set()
        if pending is None or not self.sections or clock.today() != self.day:
            self.refresh()
            return
        keys = [s.key for s in self.sections if not s.ledger or s.ledger in pending]
        try:
            fresh = {s.key: s for s in today.compute(self.day, keys=keys)}
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return
        self.sections = [fresh.get(s.key, s) for s in self.sections]
        self._show(mark=self._change_mark())

    def _tick(self) -> None:
        if clock.today() != self.day:  # past midnight: a new day's list, even if nobody looks
            self.refresh()
        elif self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def refresh(self) -> None:
        self._debounce.stop()
        self._pending = set()
        self.day = clock.today()
        try:
            mark = self._change_mark()
            self.sections = today.compute(self.day)
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return
        self._show(mark)

    def _show(self, mark: int) -> None:
        self._dirty = False
        self._refreshed_at = clock.now()
        self._mark = mark
        self.date_label.setText(today.day_heading(self.day))
        overdue = sum(s.overdue for s in self.sections)
        due = sum(s.due for s in self.sections)
        total = sum(s.total for s in self.sections)
        bits = []
        if overdue:
            bits.append(f"<span style='color:#c5221f'><b>逾期 {overdue}</b></span>")
        if due:
            bits.append(f"<span style='color:#9a5b00'><b>到期 {due}</b></span>")
        bits.append(f"共 {total} 项")
        self.summary_label.setText("　".join(bits) + f"　<span style='color:#888'>{clock.now():%H:%M} 更新</span>")
        self.board.show_sections(self.sections, self.day)
        if self.charts is not None and self.tabs.currentIndex() == 1:
            self.charts.refresh()
        self.update_count()

    @staticmethod
    def _change_mark() -> int:
        """Every change of a record writes the audit log: its last id tells whether anything changed."""
        return today.audit_mark()

    def showEvent(self, event) -> None:
        # coming back to 今日 shows the present: after any change, and at least once a minute (times pass)
        if self._dirty or self._change_mark() != self._mark or \
                (clock.now() - self._refreshed_at).total_seconds() > REFRESH_MS / 1000:
            self.refresh()
        super().showEvent(event)

    def _view_changed(self, index: int) -> None:
        if index == 1 and self.charts is None:
            from neiqin.ui.charts import ChartsView  # QtCharts loads only when the charts are first shown

            self.charts = ChartsView(self._charts_holder)
            self._charts_holder.layout().addWidget(self.charts)
            self.charts.changed.connect(self.update_count)
        elif index == 0:
            self.board.tree.setFocus()
        self.update_count()

    def show_charts(self):
        self.tabs.setCurrentIndex(1)
        return self.charts

    # ---- the window's actions

    def update_count(self) -> None:
        if self.tabs.currentIndex() == 1 and self.charts is not None:
            self.countChanged.emit(*self.charts.count_and_description())
            return
        total = sum(s.total for s in self.sections)
        overdue = sum(s.overdue for s in self.sections)
        due = sum(s.due for s in self.sections)
        self.countChanged.emit(total, f"今日待办 · 逾期 {overdue} · 到期 {due}")

    def _message(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    def new_record(self):
        """Ctrl+N on 今日: a menu of the tabs, so the morning screen is one key away from any form."""
        from neiqin.ui.main_window import MainWindow

        window = self.window()
        if not isinstance(window, MainWindow):
            return None
        tabs = window.tabs
        menu = QMenu(self)
        for i in range(tabs.count()):
            if tabs.widget(i).isAncestorOf(self):
                continue
            menu.addAction(tabs.tabText(i), lambda i=i: self._new_in(i))
        menu.popup(self.mapToGlobal(self.board.tree.geometry().topLeft()))
        self.new_menu = menu
        return None

    def _new_in(self, index: int) -> None:
        window = self.window()
        window.tabs.setCurrentIndex(index)
        window.current_pane().new_record()

    def current_item(self) -> TodayItem | None:
        return self.board.item_of(self.board.tree.currentItem())[1]

    def edit_record(self):
        """Ctrl+O / 修改 on 今日 opens the selected row's record."""
        return self.board.activate(self.board.tree.currentItem())

    def void_record(self) -> None:
        self._message(tr("今日页只列出事项：选中一行按 Enter 打开记录，再在其台账中作废。"))

    def show_history(self) -> None:
        self._message(tr("今日页只列出事项：选中一行按 Enter 打开记录，再查看修改记录。"))

    def focus_search(self) -> None:
        from neiqin.ui.global_search import open_search
        from neiqin.ui.main_window import MainWindow

        window = self.window()
        if isinstance(window, MainWindow):
            open_search(window)

    def print_view(self):
        return self.print_sheet("worklist")

    def print_sheet(self, kind: str = "worklist"):
        from neiqin.reports.today_sheet import TITLES, write_today_sheet
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        self.refresh()
        title = TITLES[kind]
        path = stamp_path(self, title)
        sections, day, org = list(self.sections), self.day, settings.org_name()
        self.preview = preview_pdf(self, title, path, lambda out, progress, cancelled: write_today_sheet(
            sections, out, day=day, kind=kind, org_name=org))
        if self.preview is not None:
            self._message(f"{title}：{self.preview.pages} 页，已保存到 {path}")
            return path
        return None

    def export_view(self):
        if self.tabs.currentIndex() == 1 and self.charts is not None:
            return self.charts.export_dialog()
        self._message(tr("今日页没有可导出的登记簿；“统计”中可导出图表图片。"))
        return None

    def import_file(self) -> int:
        self._message(tr("请在相应台账中导入。"))
        return 0

    def current_id(self) -> int | None:
        item = self.current_item()
        return item.record_id if item else None

    def current_record(self):
        return None

    def select_id(self, record_id: int) -> bool:
        return False

    def open_record(self, record_id: int, ledger_key: str | None = None) -> bool:
        return False

    def set_status_filter(self, key: str) -> None:
        """今日 has no status filter."""

    def after_change(self, record_id: int | None = None) -> None:
        self.refresh()

    # ---- layout memory

    def save_layout(self) -> None:
        self.ui_settings.setValue("today/view", self.tabs.currentIndex())

    def restore_layout(self) -> None:
        view = self.ui_settings.value("today/view")
        if view is not None and int(view) == 1:
            self.tabs.setCurrentIndex(1)
