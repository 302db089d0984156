"""The base of every ledger tab: filter bar, lazy table, and the actions the main window routes to it.

A ledger pane subclass supplies its form fields, how form values become model data, and any extra actions;
searching, filtering, paging, sorting, voiding, history, printing, export and import live here once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
)

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import settings
from neiqin.models.ledger import LedgerQuery, LedgerSpec
from neiqin.paths import DataDir
from neiqin.ui.forms import FormField, RecordForm
from neiqin.ui.jobs import run_job
from neiqin.ui.pane import LEDGER_ACTIONS, Pane
from neiqin.ui.table_model import LedgerTableModel
from neiqin.ui.util import ask_reason, qtoday, show_error, tr

DATE_PRESETS = ["全部日期", "今天", "最近7天", "本月", "上月", "今年", "自定义"]


def preset_range(name: str, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    today = today or clock.today()
    if name == "今天":
        return today, today
    if name == "最近7天":
        return today - dt.timedelta(days=6), today
    if name == "本月":
        return today.replace(day=1), today
    if name == "上月":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if name == "今年":
        return today.replace(month=1, day=1), today
    return None, None


class LedgerPane(Pane):
    """One ledger, as a tab or as a view of a tab (:mod:`neiqin.ui.pane` is the protocol it keeps)."""

    ACTIONS = LEDGER_ACTIONS
    SHOWS_ALSO: frozenset[str] = frozenset()  # other ledgers whose records its rows show (an item's stock …)

    spec: LedgerSpec
    SPEC: LedgerSpec  # set by each tab class: the main window names the tab from it before building it

    def __init__(self, spec: LedgerSpec, datadir: DataDir, ui_settings: QSettings, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.datadir = datadir
        self.ui_settings = ui_settings
        self.model = LedgerTableModel(spec, self, row_background=self.row_background)
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=250, timeout=self.apply_filters)
        self.restore_layout()
        self.apply_filters()

    # ---- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        self.action_bar = QHBoxLayout()
        self.action_bar.setSpacing(4)
        layout.addLayout(self.action_bar)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(tr("查找（Ctrl+F）：输入 1 个字以上，多个词用空格分开"))
        self.search.textChanged.connect(lambda: self._debounce.start())
        self.search.returnPressed.connect(self._search_enter)
        bar.addWidget(self.search, 3)
        self.date_preset = QComboBox()
        self.date_from = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        if self.spec.date_field:
            bar.addWidget(QLabel(tr(self.spec.date_label)))
            self.date_preset.addItems([tr(p) for p in DATE_PRESETS])
            self.date_from.setDate(qtoday().addDays(-30))
            self.date_to.setDate(qtoday())
            for w in (self.date_from, self.date_to):
                w.setEnabled(False)
                w.dateChanged.connect(lambda: self._debounce.start())
            self.date_preset.currentIndexChanged.connect(self._preset_changed)
            bar.addWidget(self.date_preset)
            bar.addWidget(self.date_from)
            bar.addWidget(QLabel("—"))
            bar.addWidget(self.date_to)
        self.status = QComboBox()
        self.status.addItem(tr("全部状态"), "")
        for key, label in self.spec.statuses:
            self.status.addItem(tr(label), key)
        self.status.addItem(tr("已作废"), "voided")
        self.status.currentIndexChanged.connect(self.apply_filters)
        bar.addWidget(self.status)
        layout.addLayout(bar)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicatorClearable(True)
        if self.spec.default_sort != "id":
            keys = [c.key for c in self.spec.columns]
            if self.spec.default_sort in keys:
                order = Qt.SortOrder.DescendingOrder if self.spec.default_desc else Qt.SortOrder.AscendingOrder
                header.setSortIndicator(keys.index(self.spec.default_sort), order)
        header.sortIndicatorChanged.connect(self._sort_changed)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.edit_record())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.selection_changed())
        layout.addWidget(self.table)
        em = self.fontMetrics().horizontalAdvance("中")
        for i, col in enumerate(self.spec.columns):
            self.table.setColumnWidth(i, int(col.width * em * 0.62) + 14)

    def add_action_button(self, text: str, slot, shortcut: str | None = None, tip: str = "") -> QToolButton:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{tip or text}" + (f"（{shortcut}）" if shortcut else ""))
        action.triggered.connect(slot)
        self.addAction(action)
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.action_bar.addWidget(button)
        return button

    def finish_action_bar(self) -> None:
        self.action_bar.addStretch(1)

    # ---- filters

    def _preset_changed(self) -> None:
        name = DATE_PRESETS[self.date_preset.currentIndex()]
        custom = name == "自定义"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            start, end = preset_range(name)
            if start:
                self.date_from.blockSignals(True)
                self.date_to.blockSignals(True)
                self.date_from.setDate(QDate(start.year, start.month, start.day))
                self.date_to.setDate(QDate(end.year, end.month, end.day))
                self.date_from.blockSignals(False)
                self.date_to.blockSignals(False)
        self.apply_filters()

    def current_query(self) -> LedgerQuery:
        q = LedgerQuery(search=self.search.text().strip(), status=self.status.currentData() or "")
        if self.spec.date_field and self.date_preset.currentIndex() > 0:
            q.date_from = self.date_from.date().toPython()
            q.date_to = self.date_to.date().toPython()
            if q.date_from > q.date_to:
                q.date_from, q.date_to = q.date_to, q.date_from
        old = self.model.query
        q.sort, q.desc = old.sort, old.desc
        return q

    def set_status_filter(self, key: str) -> None:
        idx = self.status.findData(key)
        if idx >= 0:
            self.status.setCurrentIndex(idx)

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.current_query())
        QTimer.singleShot(0, self.update_count)

    def update_count(self) -> None:
        q = self.model.query
        try:
            n = self.spec.count(q)
        except Exception as e:  # noqa: BLE001 - a count must never take the window down
            show_error(self, e)
            return
        parts = [self.spec.tab_title]
        if q.search:
            parts.append(f"查找“{q.search}”")
        if q.date_from or q.date_to:
            parts.append(f"{q.date_from} 至 {q.date_to}")
        if q.status:
            parts.append(self.status.currentText())
        if q.only_id is not None:
            parts.append(tr("只显示所打开的记录（查找或筛选可显示全部）"))
        self.countChanged.emit(n, " · ".join(parts))

    def filter_description(self, status: bool = True) -> str:
        q = self.model.query
        bits = []
        if q.date_from or q.date_to:
            bits.append(f"{q.date_from:%Y年%m月%d日} 至 {q.date_to:%Y年%m月%d日}")
        if q.status and status:
            bits.append(self.status.currentText())
        if q.search:
            bits.append(f"查找：{q.search}")
        return "　".join(bits)

    def _search_enter(self) -> None:
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _sort_changed(self, section: int, order) -> None:
        col = self.spec.columns[section] if section >= 0 else None
        if col is None or not col.sortable:
            self.model.query.sort = None
            self.model.reload()
            return
        self.model.sort(section, order)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def focus_first(self) -> None:
        self.table.setFocus()

    def shows(self, ledgers: frozenset[str] | None) -> bool:
        return ledgers is None or self.spec.key in ledgers or not self.SHOWS_ALSO.isdisjoint(ledgers)

    def refresh(self) -> None:
        current = self.current_id()
        self.apply_filters()
        if current:
            self.select_id(current)

    # ---- selection

    def current_id(self) -> int | None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        return row["id"] if row else None

    def current_record(self) -> Any:
        return self.spec.find(self.current_id())

    def select_id(self, record_id: int) -> bool:
        for i, row in enumerate(self.model.rows):
            if row["id"] == record_id:
                self.table.selectRow(i)
                self.table.scrollTo(self.model.index(i, 0))
                return True
        return False

    def open_record(self, record_id: int, ledger_key: str | None = None) -> bool:
        """Show one record (from 今日, global search or a link): all filters off, the row selected.

        A record beyond the rows loaded so far is shown on its own; typing a search or changing a filter
        brings the whole ledger back.
        """
        for w in (self.search, self.date_preset, self.status):
            w.blockSignals(True)
        self.search.clear()
        self.date_preset.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        for w in (self.search, self.date_preset, self.status):
            w.blockSignals(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        self.apply_filters()
        if not self.select_id(record_id):
            q = self.current_query()
            q.only_id = record_id
            self.model.set_query(q)
            self.update_count()
            if not self.select_id(record_id):
                return False
        self.table.setFocus()
        return True

    def show_matching(self, text: str) -> None:
        """Every record matching ``text``, whatever the date and status filters were; the first one selected."""
        self.date_preset.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.search.setText(text)
        self.apply_filters()
        self.table.setFocus()
        if self.model.rowCount():
            self.table.selectRow(0)

    def selection_changed(self) -> None:
        """Subclasses enable or disable their actions here."""

    def require_record(self) -> Any:
        rec = self.current_record()
        if rec is None:
            QMessageBox.information(self, tr("请先选择"), tr("请先在列表中选择一条记录。"))
        return rec

    def run_step(self, step) -> Any:
        """Run ``step(record)`` (a dialog or model call for the selected record) as one operation: a domain error is
        told, a result refreshes the view with the record still selected."""
        rec = self.require_record()
        if rec is None:
            return None
        from neiqin.ui.operations import perform

        outcome = perform(self, step, rec, asks=False)
        if outcome is None or outcome.value is None:
            return None
        self.after_change(rec.id)
        return outcome.value

    def written(self, outcome) -> None:
        """A write of this view: refreshed with the record it wrote selected (the selected one if it wrote several,
        such as a repeating booking cancelled with the ones after it); the window told."""
        ids = outcome.ids(self.spec.key)
        current = self.current_id()
        self.after_change(current if current in ids else max(ids, default=None))

    def after_change(self, record_id: int | None = None) -> None:
        self.refresh()
        if record_id and not self.select_id(record_id):
            self.model.refresh_row(record_id)
        self.recordsChanged.emit()

    # ---- records: subclasses provide the form

    def form_fields(self, record: Any = None) -> list[FormField]:
        raise NotImplementedError

    def record_values(self, record: Any) -> dict:
        return {f.key: getattr(record, f.key) for f in self.form_fields(record)}

    def form_data(self, values: dict, record: Any = None) -> dict:
        return dict(values)

    def save_new(self, data: dict) -> Any:
        return self.spec.create(data)

    def save_edit(self, record: Any, data: dict) -> Any:
        return self.spec.update(record, data)

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        form = RecordForm(title, self.form_fields(record), save, values, self, note=note)
        if form.exec() == QDialog.DialogCode.Accepted and form.result_record is not None:
            self.after_change(form.result_record.id)
            return form.result_record
        return None

    def new_record(self) -> Any:
        return self.open_form(tr("新建") + " · " + self.spec.tab_title, self.new_values(),
                              lambda v: self.save_new(self.form_data(v)))

    def new_values(self) -> dict:
        return {}

    def edit_record(self) -> Any:
        rec = self.require_record()
        if rec is None:
            return None
        if rec.voided:
            QMessageBox.information(self, tr("已作废"), tr("该记录已作废（原因：") + rec.void_reason +
                                    tr("），不能修改。可在“修改记录”中查看其历史。"))
            return None
        return self.open_form(tr("修改") + " · " + self.spec.describe(rec), self.record_values(rec),
                              lambda v: self.save_edit(rec, self.form_data(v, rec)), record=rec,
                              note=tr("修改会记入“修改记录”，保留原值。"))

    def void_record(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        if rec.voided:
            show_error(self, NeiqinError(tr("该记录已经作废")))
            return
        reason = ask_reason(self, tr("作废记录"),
                            tr("作废后记录仍保留在登记簿中（灰色显示，不计入统计）。\n请填写作废原因：") +
                            f"\n{self.spec.describe(rec)}", tr("例如：重复登记"))
        if reason is None:
            return
        self.perform(self.spec.void, rec, reason)

    def show_history(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        from neiqin.ui.dialogs import HistoryDialog

        HistoryDialog(self.spec, rec, self).exec()

    # ---- context menu

    def context_actions(self) -> list[tuple[str, Any]]:
        return [(tr("修改…"), self.edit_record), (tr("作废…"), self.void_record),
                (tr("修改记录…"), self.show_history)]

    def _context_menu(self, pos) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        for text, slot in self.context_actions():
            if text == "-":
                menu.addSeparator()
            else:
                menu.addAction(text, slot)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # ---- colours

    def row_background(self, row: dict) -> QColor | None:
        return None

    # ---- print / export / import

    def print_view(self) -> Path | None:
        """The register of the current view as a PDF in prints/, shown in the print preview."""
        from neiqin.reports.register import write_register_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        query, org = self.model.query, settings.org_name()
        spec = self.spec.register_for(query)  # a view of one status may print as its own register (领用登记簿)
        subtitle = self.filter_description(status=spec is self.spec)
        path = stamp_path(self, spec.title)
        self.preview = preview_pdf(self, spec.title, path, lambda out, progress, cancelled: write_register_pdf(
            spec, query, out, org_name=org, subtitle=subtitle, progress=progress, cancelled=cancelled))
        if self.preview is None:
            return None
        self.window().statusBar().showMessage(f"{spec.title}：{self.preview.pages} 页，已保存到 {path}", 10000)
        return path

    def ask_save_path(self, default_name: str, filter_: str) -> str:
        from neiqin.filenames import safe_filename

        default_name = safe_filename(default_name)
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(self, tr("导出"), str(Path(docs) / default_name), filter_)
        return path

    def ask_open_path(self, filter_: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择要导入的文件"), "", filter_)
        return path

    def export_view(self) -> Path | None:
        from neiqin.reports.excel import export_xlsx

        path = self.ask_save_path(f"{self.spec.tab_title}-{clock.today():%Y%m%d}.xlsx", "Excel (*.xlsx)")
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        query, org = self.model.query, settings.org_name()
        try:
            n = run_job(self, tr("正在导出"), lambda progress, cancelled: export_xlsx(
                self.spec, query, Path(path), org_name=org, progress=progress, cancelled=cancelled))
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return None
        self.window().statusBar().showMessage(f"已导出 {n} 条到 {path}", 10000)
        return Path(path)

    def import_file(self) -> int:
        from neiqin.reports.excel import apply_import, read_import
        from neiqin.ui.dialogs import ImportPreviewDialog

        path = self.ask_open_path("Excel (*.xlsx)")
        if not path:
            return 0
        try:
            preview = run_job(self, tr("正在检查文件"), lambda progress, cancelled: read_import(
                self.spec, Path(path), progress=progress, cancelled=cancelled))
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return 0
        dlg = ImportPreviewDialog(self.spec, preview, Path(path).name, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return 0
        try:
            n = run_job(self, tr("正在导入"), lambda progress, cancelled: apply_import(
                self.spec, preview, progress=progress, cancelled=cancelled))
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return 0
        self.after_change()
        QMessageBox.information(self, tr("导入完成"), f"已导入 {n} 条。")
        return n

    # ---- layout memory

    def _layout_key(self) -> str:
        return f"columns/{self.spec.key}"

    def save_layout(self) -> None:
        self.ui_settings.setValue(self._layout_key(), self.table.horizontalHeader().saveState())

    def restore_layout(self) -> None:
        state = self.ui_settings.value(self._layout_key())
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

