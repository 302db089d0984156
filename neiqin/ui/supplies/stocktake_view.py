"""盘点 screen: start a count, print the sheet (blind or not), enter or scan counts, review 盘盈/盘亏, post.

Counts are typed into the 实盘 column or entered by code at the top (a scanner gives the code, Enter jumps to
the quantity; with 逐件扫描 each scan adds one). The difference shown follows the rule of
:mod:`neiqin.models.supplies.stocktake` (counted − book at the count time). Older stocktakes stay viewable with their lines.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.supplies import amounts, items
from neiqin.models.supplies import stocktake as T
from neiqin.ui.operations import run_operation
from neiqin.ui.pane import View
from neiqin.ui.scan_field import scan_field
from neiqin.ui.staff_picker import StaffPicker
from neiqin.ui.util import ask_reason, qtoday, show_error, tr

GAIN = QColor("#e6f4ea")
LOSS = QColor("#fce8e6")
COUNTED, NOTE = T.COUNT_FIELDS["counted_qty"], T.COUNT_FIELDS["note"]  # the sheet's two typed columns
COLS = ["存放位置", "编码", "名称", "规格型号", "单位", "账面(开始时)", COUNTED.header, "盘点时账面", "差异", "金额",
        NOTE.label]
COUNT_COL = 6


class StartDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("开始盘点"))
        form = QFormLayout(self)
        self.location = QComboBox()
        self.location.addItem(tr("全部位置"), "")
        for loc in items.item_locations():
            self.location.addItem(loc, loc)
        self.category = QComboBox()
        self.category.addItem(tr("全部类别"), "")
        for cat in items.item_categories():
            self.category.addItem(cat, cat)
        F = T.STOCKTAKE_FIELDS
        self.blind = QCheckBox(tr(F["blind"].placeholder))
        self.counted_by = StaffPicker()
        self.note = QLineEdit(tr("月末盘点"))
        self.note.setMaxLength(F["note"].limit)
        form.addRow(tr("存放位置"), self.location)
        form.addRow(tr("类别"), self.category)
        form.addRow(tr(F["counted_by"].label), self.counted_by)
        form.addRow(tr(F["note"].label), self.note)
        form.addRow("", self.blind)
        hint = QLabel(tr("开始时记下每种物品的账面数量。盘点期间可以照常领用：差异按“实盘 － 清点时的账面数”计算。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#555")
        form.addRow(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("开始盘点"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def data(self) -> dict:
        return {"locations": [self.location.currentData()] if self.location.currentData() else [],
                "categories": [self.category.currentData()] if self.category.currentData() else [],
                "blind": self.blind.isChecked(), "counted_by": self.counted_by.value(),
                "note": self.note.text()}


class PostDialog(QDialog):
    """过账 with the three sign-off names; errors stay in the dialog at their field."""

    def __init__(self, take: T.Stocktake, parent=None):
        super().__init__(parent)
        self.take = take
        self.result_take: T.Stocktake | None = None
        self.setWindowTitle(tr("盘点过账") + f" · {take.no}")
        layout = QVBoxLayout(self)
        diffs = T.differences(take, only_nonzero=True)
        gain = sum(d.amount for d in diffs if d.amount > 0)
        loss = -sum(d.amount for d in diffs if d.amount < 0)
        summary = QLabel(f"有差异的物品 {len(diffs)} 种：盘盈 {amounts.money_text(gain)} 元，盘亏 {amounts.money_text(loss)} 元。\n"
                         + tr("过账后将一次生成全部盘点调整记录，不能重复过账。"))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        form = QFormLayout()
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        for key in T.SIGN_OFFS:  # 保管员, 行政主管, 财务主管: the settings give who usually signs
            w = StaffPicker()
            w.set_value({"id": None, "name": settings.get(f"supplies.{key}") or ""})
            self.widgets[key] = w
            form.addRow("* " + tr(T.STOCKTAKE_FIELDS[key].label), self._with_error(key, w))
        self.post_date = QDateEdit(qtoday(), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.widgets["post_date"] = self.post_date
        form.addRow(tr(T.STOCKTAKE_FIELDS["post_date"].label), self._with_error("post_date", self.post_date))
        layout.addLayout(form)
        self.general = QLabel()
        self.general.setStyleSheet("color:#c5221f")
        self.general.setWordWrap(True)
        layout.addWidget(self.general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("过账"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.post)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _with_error(self, key: str, w: QWidget) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(w)
        err = QLabel()
        err.setStyleSheet("color:#d93025")
        err.hide()
        v.addWidget(err)
        self.errors[key] = err
        return box

    def post(self) -> None:
        for e in self.errors.values():
            e.hide()
        self.general.clear()
        data = {k: w.value() for k, w in self.widgets.items() if isinstance(w, StaffPicker)}
        data["post_date"] = self.post_date.date().toPython()
        try:  # every counted line posts a movement: run in a worker with progress after 0.6 s
            self.result_take = run_operation(self, T.post_stocktake, self.take, data, slow="正在过账盘点").value
        except ValidationError as e:
            for key, msg in e.errors.items():
                if key in self.errors:
                    self.errors[key].setText(msg)
                    self.errors[key].show()
                else:
                    self.general.setText(msg)
            first = next((k for k in e.errors if k in self.widgets), None)
            if first:
                self.widgets[first].setFocus()
            return
        except NeiqinError as e:
            show_error(self, e)
            return
        for key, setting in (("keeper", "supplies.keeper"), ("admin_head", "supplies.admin_head"),
                             ("finance_head", "supplies.finance_head")):
            settings.set_value(setting, getattr(self.result_take, key))
        self.accept()


class StocktakeView(View):
    """The 盘点 sub-view of 办公用品."""

    ACTIONS = frozenset({"new", "print"})
    LEDGERS = frozenset({"supplies", "stock-moves", "stocktakes"})

    def __init__(self, pane):
        super().__init__(pane)
        self.pane = pane
        self.take: T.Stocktake | None = None
        self._filling = False
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.which = QComboBox()
        self.which.setMinimumWidth(260)
        bar.addWidget(QLabel(tr("盘点单")))
        bar.addWidget(self.which)
        self.buttons = {}
        for key, text in (("start", "开始盘点…"), ("sheet", "打印盘点表"), ("blind", "打印盲盘表"),
                          ("fill", "未盘物品按账面数确认"), ("diff", "打印差异表"), ("post", "过账…"),
                          ("cancel", "作废盘点…")):
            b = QPushButton(tr(text))
            self.buttons[key] = b
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        scan = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText(tr("扫描或输入编码，Enter 后输入") + COUNTED.label)
        scan_field(self.code)
        self.qty = QLineEdit()
        self.qty.setMaximumWidth(100)
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.piecewise = QCheckBox(tr("逐件扫描（每扫一次加 1）"))
        self.only_diff = QCheckBox(tr("只看有差异的"))
        scan.addWidget(QLabel(tr("编码")))
        scan.addWidget(self.code, 2)
        scan.addWidget(QLabel(tr(COUNTED.label)))
        scan.addWidget(self.qty)
        scan.addWidget(self.piecewise)
        scan.addWidget(self.only_diff)
        scan.addStretch(1)
        self.progress = QLabel()
        scan.addWidget(self.progress)
        layout.addLayout(scan)
        self.message = QLabel()
        layout.addWidget(self.message)
        self.table = QTableWidget(0, len(COLS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLS])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        layout.addWidget(self.table, 1)
        self.lines: list[T.StocktakeLine] = []

        self.which.currentIndexChanged.connect(self._which_changed)
        self.buttons["start"].clicked.connect(self.start)
        self.buttons["sheet"].clicked.connect(lambda: self.print_sheet(False))
        self.buttons["blind"].clicked.connect(lambda: self.print_sheet(True))
        self.buttons["fill"].clicked.connect(self.fill_uncounted)
        self.buttons["diff"].clicked.connect(self.print_differences)
        self.buttons["post"].clicked.connect(self.post)
        self.buttons["cancel"].clicked.connect(self.cancel)
        self.code.returnPressed.connect(self._code_enter)
        self.qty.returnPressed.connect(self.enter_count)
        self.only_diff.toggled.connect(self.fill_table)
        self.table.itemChanged.connect(self._cell_changed)
        self.refresh()

    # ---- loading

    def refresh(self) -> None:
        keep = self.take.id if self.take else None
        self.which.blockSignals(True)
        self.which.clear()
        for t in T.stocktakes():
            state = "已作废" if t.voided else t.status
            self.which.addItem(f"{t.no}　{t.started_at:%Y-%m-%d}　{state}", t.id)
        self.which.blockSignals(False)
        if keep is None:
            current = T.open_stocktake()
            keep = current.id if current else (self.which.itemData(0) if self.which.count() else None)
        idx = self.which.findData(keep) if keep is not None else -1
        if idx >= 0:
            self.which.setCurrentIndex(idx)
        self._which_changed()

    def _which_changed(self) -> None:
        tid = self.which.currentData()
        self.take = T.stocktake_by_id(tid) if tid else None
        self.fill_table()

    @property
    def is_open(self) -> bool:
        return self.take is not None and self.take.status == T.OPEN and not self.take.voided

    def fill_table(self) -> None:
        take = self.take
        self._filling = True
        self.lines = T.lines_of(take) if take else []
        diffs = {d.line.id: d for d in T.differences(take)} if take else {}
        if self.only_diff.isChecked():
            self.lines = [ln for ln in self.lines if ln.id in diffs and diffs[ln.id].diff]
        self.table.setRowCount(len(self.lines))
        blind = bool(take and take.blind and take.status == T.OPEN)
        for r, ln in enumerate(self.lines):
            d = diffs.get(ln.id)
            values = [ln.location, ln.code, ln.name, ln.spec, ln.unit,
                      "—" if blind else amounts.qty_text(ln.book_qty),
                      "" if ln.counted_qty is None else amounts.qty_text(ln.counted_qty),
                      "" if d is None or blind else amounts.qty_text(d.expected),
                      "" if d is None or blind else (("+" if d.diff > 0 else "") + amounts.qty_text(d.diff) if d.diff else "0"),
                      "" if d is None or blind or not d.diff else amounts.money_text(d.amount), ln.note]
            for c, v in enumerate(values):
                cell = QTableWidgetItem(v)
                if c >= 5 and c <= 9:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c != COUNT_COL or not self.is_open:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if d is not None and d.diff and not blind:
                    cell.setBackground(GAIN if d.diff > 0 else LOSS)
                self.table.setItem(r, c, cell)
        self._filling = False
        if take:
            done, total = T.progress(take)
            state = "已作废：" + take.void_reason if take.voided else take.status
            extra = f"，过账 {take.posted_at:%Y-%m-%d %H:%M}（保管员 {take.keeper}、行政主管 {take.admin_head}、" \
                    f"财务主管 {take.finance_head}）" if take.status == T.POSTED else ""
            self.progress.setText(f"{take.no} {state}{extra}　已盘 {done}/{total} 种　{take.scope_text}")
        else:
            self.progress.setText(tr("还没有盘点记录；点“开始盘点…”"))
        for key in ("fill", "post", "cancel"):
            self.buttons[key].setEnabled(self.is_open)
        for key in ("sheet", "blind", "diff"):
            self.buttons[key].setEnabled(take is not None)
        self.buttons["start"].setEnabled(T.open_stocktake() is None)
        self.code.setEnabled(self.is_open)
        self.qty.setEnabled(self.is_open)

    # ---- counting

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color:#c5221f; font-weight:bold" if error else "color:#188038")

    def _code_enter(self) -> None:
        code = self.code.text().strip()
        if not code:
            return
        item = items.find_item(code)
        if item is None:
            self._say(f"找不到编码为“{code}”的物品", error=True)
            self.code.selectAll()
            return
        if self.piecewise.isChecked():
            self.qty.setText("1")
            self.enter_count()
            return
        self._say(f"{item.code} {item.label}（{item.unit}）：请输入{COUNTED.label}")
        self.qty.setFocus()
        self.qty.selectAll()

    def enter_count(self) -> bool:
        if not self.is_open:
            return False
        code = self.code.text().strip()
        try:
            line = T.set_count(self.take, code, self.qty.text().strip(), add=self.piecewise.isChecked())
        except ValidationError as e:
            self._say("；".join(e.errors.values()), error=True)
            (self.code if "code" in e.errors else self.qty).setFocus()
            return False
        except NeiqinError as e:
            show_error(self, e)
            return False
        self._say(f"{line.code} {line.name}：实盘 {amounts.qty_text(line.counted_qty, line.unit)}")
        self.fill_table()
        self._select(line.id)
        self.code.clear()
        self.qty.clear()
        self.code.setFocus()
        return True

    def _select(self, line_id: int) -> None:
        for r, ln in enumerate(self.lines):
            if ln.id == line_id:
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, 0))
                return

    def _cell_changed(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != COUNT_COL or not self.is_open:
            return
        line = self.lines[cell.row()]
        text = cell.text().strip()
        try:
            if text:
                T.set_count(self.take, line.item_id, text)
            else:
                T.clear_count(self.take, line.item_id)
        except ValidationError as e:
            self._say(f"{line.name}：" + "；".join(e.errors.values()), error=True)
        else:
            self._say(f"{line.code} {line.name}：实盘 {text or '（已清除）'}")
        row = cell.row()
        self.fill_table()
        if row < self.table.rowCount():
            self.table.setCurrentCell(min(row + 1, self.table.rowCount() - 1), COUNT_COL)

    # ---- actions

    def start(self) -> T.Stocktake | None:
        dlg = StartDialog(self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        try:
            take = T.start_stocktake(dlg.data())
        except NeiqinError as e:
            show_error(self, e)
            return None
        self.take = take
        self.refresh()
        self._say(f"已开始盘点 {take.no}：{len(self.lines)} 种物品。可先打印盘点表。")
        self.code.setFocus()
        return take

    def fill_uncounted(self) -> int:
        if not self.is_open:
            return 0
        done, total = T.progress(self.take)
        ask = QMessageBox.question(self, tr("未盘物品"), f"还有 {total - done} 种物品没有录入实盘数。\n" +
                                   tr("按账面数确认（视为无差异）吗？"))
        if ask != QMessageBox.StandardButton.Yes:
            return 0
        n = T.fill_uncounted(self.take)
        self.fill_table()
        return n

    def post(self) -> T.Stocktake | None:
        if not self.is_open:
            return None
        dlg = PostDialog(self.take, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        self.take = dlg.result_take
        self.refresh()
        self.recordsChanged.emit()
        self._say(f"盘点 {self.take.no} 已过账：盘盈 {amounts.money_text(self.take.gain_value)} 元，"
                  f"盘亏 {amounts.money_text(self.take.loss_value)} 元")
        return self.take

    def cancel(self) -> None:
        if not self.is_open:
            return
        reason = ask_reason(self, tr("作废盘点"), tr("作废后本次盘点的录入保留可查，但不再过账。请填写原因："))
        if reason is None:
            return
        try:
            T.cancel_stocktake(self.take, reason)
        except NeiqinError as e:
            show_error(self, e)
        self.refresh()

    def print_sheet(self, blind: bool):
        if self.take is None:
            return None
        from neiqin.reports.supply_reports import write_count_sheet_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        take, org = self.take, settings.org_name()
        path = stamp_path(self, f"盘点表-{take.no}" + ("-盲盘" if blind else ""))
        return preview_pdf(self, tr("盘点表"), path, lambda out, progress, cancelled: write_count_sheet_pdf(
            take, out, org_name=org, blind=blind))

    def print_differences(self):
        if self.take is None:
            return None
        from neiqin.reports.supply_reports import write_difference_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        take, org = self.take, settings.org_name()
        path = stamp_path(self, f"盘点差异表-{take.no}")
        return preview_pdf(self, tr("盘点差异表"), path, lambda out, progress, cancelled: write_difference_pdf(
            take, out, org_name=org))

    # ---- routed from the main window

    def new_record(self):
        return self.start()

    def print_view(self):
        return self.print_sheet(bool(self.take and self.take.blind))

    def count_and_description(self) -> tuple[int, str]:
        return (T.progress(self.take)[0] if self.take else 0), tr("盘点 · 已盘物品")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fill_table()
