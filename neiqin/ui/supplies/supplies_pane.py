"""办公用品 tab: 领用台 / 物品 / 出入库流水 / 盘点 / 补货 / 报表 (Alt+1 … Alt+6).

物品 and 出入库流水 are ledgers on the shared LedgerPane (search, filters, print, export, import); movements are
written through the model's functions only (入库, 领用, 退库, 报损, 盘点), never edited: a correction is a void plus
a new movement. The desk, the stocktake screen, the reorder list and the reports are screens of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import settings
from neiqin.models.base import FieldHistory
from neiqin.models.staff import Department
from neiqin.models.supplies import amounts, posting
from neiqin.models.supplies import items as items_mod
from neiqin.models.supplies import moves as moves_mod
from neiqin.models.supplies import reports as reports_mod
from neiqin.ui.forms import FormField, RecordForm
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.multi_pane import MultiViewPane
from neiqin.ui.operations import write
from neiqin.ui.pane import View
from neiqin.ui.supplies.stocktake_view import StocktakeView
from neiqin.ui.supplies.supply_desk import IssueDesk
from neiqin.ui.util import ask_reason, qtoday, show_error, tr

LOW_COLOR = QColor("#fef7e0")
EMPTY_COLOR = QColor("#fce8e6")
KIND_COLORS = {moves_mod.RECEIPT: QColor("#e6f4ea"), moves_mod.RETURN: QColor("#e8f0fe"), moves_mod.SCRAP: QColor("#fef7e0"),
               moves_mod.ADJUST: QColor("#f3e8fd"), moves_mod.COST: QColor("#f1f3f4")}


STAFF = {"kind": "staff"}  # a name on a slip, picked from 通讯录


def _item_picker() -> dict:
    """The slip's 物品 field as a combo of the active items (typed or scanned codes are accepted too)."""
    return {"kind": "editable_combo", "choices": _item_choices_text()}


def _item_choices_text() -> list[str]:
    return [f"{c.code} {c.name} {c.spec}".strip() for c in items_mod.item_choices()]


def _code_of(value: Any) -> Any:
    """'BG0001 A4复印纸 70g' (a combo choice) → 'BG0001'; anything else as typed."""
    return value.split()[0] if isinstance(value, str) and value.strip() else value


def _popup_completers(form: RecordForm) -> RecordForm:
    """Editable combos complete in a popup list matching anywhere ("纸" finds every paper), and Enter in them
    saves the form (the form looks for the popup of the focused field, which inline completion does not have)."""
    for w in form.widgets.values():
        if isinstance(w, QComboBox) and w.isEditable() and w.completer() is not None:
            w.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            w.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    return form


def _decimal_text(v: Any) -> str:
    return "" if v in (None, "") else f"{v:f}" if hasattr(v, "is_finite") else str(v)


# ---------------------------------------------------------------------------------------------- 物品


class ItemsPane(LedgerPane):
    SPEC = items_mod.SUPPLIES
    SHOWS_ALSO = frozenset({"stock-moves", "stocktakes"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(items_mod.SUPPLIES, *args, **kwargs)
        self.add_action_button(tr("新增物品"), self.new_record, None, tr("新增物品（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record)
        self.add_action_button(tr("入库…"), self.receive_selected, "Ctrl+R", tr("所选物品入库"))
        self.add_action_button(tr("报损…"), self.scrap_selected)
        self.add_action_button(tr("库存卡片"), self.show_card, "Ctrl+Shift+C", tr("所选物品的出入库明细和结存"))
        self.add_action_button(tr("打印货架标签"), self.print_labels, "Ctrl+Shift+L", tr("当前列表物品的条码标签"))
        self.add_action_button(tr("低于安全库存"), lambda: self.set_status_filter("low"), "F6")
        self.add_action_button(tr("核对库存"), self.verify, None, tr("按出入库流水核对每种物品的库存"))
        self.finish_action_bar()
        self.low_label = QLabel()
        self.low_label.setStyleSheet("color:#c5221f")
        self.action_bar.addWidget(self.low_label)
        self.recordsChanged.connect(self.update_low)
        self.update_low()

    def form_fields(self, record: Any = None) -> list[FormField]:
        locations = FieldHistory.values("supplies", "location")
        categories = list(dict.fromkeys(items_mod.CATEGORIES + FieldHistory.values("supplies", "category")))
        return items_mod.SUPPLY_FIELDS.form(
            "code", "name", "category", "spec", "unit", "location", "min_stock", "max_stock", "ref_price", "barcode",
            "since", "status", "note", category={"choices": categories},
            location={"kind": "editable_combo", "choices": locations})

    def new_values(self) -> dict:
        return {"unit": "个", "status": items_mod.ITEM_ACTIVE, "since": clock.today()}

    def record_values(self, record: Any) -> dict:
        return {"code": record.code, "name": record.name, "category": record.category, "spec": record.spec,
                "unit": record.unit, "location": record.location, "min_stock": amounts.qty_text(record.min_stock),
                "max_stock": amounts.qty_text(record.max_stock), "ref_price": amounts.price_text(record.ref_price),
                "barcode": record.barcode, "since": record.since, "status": record.status, "note": record.note}

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        form = _popup_completers(RecordForm(title, self.form_fields(record), save, values, self, note=note))
        if form.exec() == QDialog.DialogCode.Accepted and form.result_record is not None:
            self.after_change(form.result_record.id)
            return form.result_record
        return None

    def create_item(self, values: dict | None = None) -> items_mod.Supply | None:
        """新增物品 from elsewhere (the desk offers it for an unknown code)."""
        return self.open_form(tr("新增物品"), {**self.new_values(), **(values or {})},
                              lambda v: self.save_new(self.form_data(v)))

    def row_background(self, row: dict) -> QColor | None:
        if row.get("status") != items_mod.ITEM_ACTIVE:
            return None
        if (row.get("on_hand") or 0) <= 0:
            return EMPTY_COLOR
        return LOW_COLOR if items_mod.is_low(row) else None

    def refresh(self) -> None:
        super().refresh()
        self.update_low()

    def update_low(self) -> None:
        n = len(items_mod.low_stock_items())
        self.low_label.setText(f"低于安全库存 {n} 种（F6 查看）" if n else "")

    def receive_selected(self) -> Any:
        rec = self.current_record()
        return self.window_pane().moves.receive_dialog(rec)

    def scrap_selected(self) -> Any:
        rec = self.require_record()
        return self.window_pane().moves.scrap_dialog(rec) if rec else None

    def window_pane(self) -> SuppliesPane:
        w = self.parent()
        while w is not None and not isinstance(w, SuppliesPane):
            w = w.parent()
        return w

    def show_card(self) -> None:
        rec = self.require_record()
        if rec is not None:
            StockCardDialog(rec, self).exec()

    def verify(self) -> None:
        bad = reports_mod.verify_stock()
        if not bad:
            QMessageBox.information(self, tr("核对库存"), tr("每种物品的库存数量和金额都与出入库流水一致。"))
            return
        ask = QMessageBox.warning(self, tr("核对库存"), "以下物品的库存与出入库流水不一致：\n" +
                                  "\n".join(b.text() for b in bad[:20]) + "\n\n" + tr("按流水重算库存吗？（记入修改记录）"),
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if ask == QMessageBox.StandardButton.Yes:
            reports_mod.rebuild_stock()
            self.after_change()

    def print_labels(self) -> Path | None:
        from neiqin.reports.labels import printer_offset
        from neiqin.reports.supply_reports import write_shelf_labels
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        rec = self.current_record()
        query = self.model.query
        items = [items_mod.item_by_id(r["id"]) for r in self.spec.iter_rows(query) if not r["voided"]]
        if rec is not None and len(items) > 1:
            ask = QMessageBox.question(self, tr("打印货架标签"),
                                       f"打印当前列表全部 {len(items)} 种物品的标签吗？\n选“否”只打印所选的“{rec.name}”。",
                                       QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                                       | QMessageBox.StandardButton.Cancel)
            if ask == QMessageBox.StandardButton.Cancel:
                return None
            if ask == QMessageBox.StandardButton.No:
                items = [rec]
        if not items:
            QMessageBox.information(self, tr("打印货架标签"), tr("列表中没有物品。"))
            return None
        stock = settings.get("supplies.label_stock") or "a4-3x8"
        offset = printer_offset(settings.get("labels.printer") or "")
        path = stamp_path(self, "货架标签")
        shown = preview_pdf(self, tr("货架标签"), path, lambda out, progress, cancelled: write_shelf_labels(
            items, out, stock_key=stock, offset=offset, progress=progress, cancelled=cancelled))
        return path if shown is not None else None


class StockCardDialog(QDialog):
    """库存卡片: every live movement of one item in date order with the running balance."""

    def __init__(self, item: items_mod.Supply, parent=None):
        super().__init__(parent)
        item = items_mod.item_by_id(item.id)
        self.setWindowTitle(tr("库存卡片") + f" · {item.code} {item.label}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{item.code} {item.label}　单位：{item.unit}　位置：{item.location or '—'}　"
                                f"现有 {item.qty()}，金额 {amounts.money_text(item.stock_value)} 元，"
                                f"平均单价 {amounts.price_text(item.avg_cost)}"))
        rows = reports_mod.item_card(item)
        table = QTableWidget(len(rows), 9)
        table.setHorizontalHeaderLabels([tr(h) for h in ("日期", "单号", "类型", "收入", "发出", "单价", "金额",
                                                           "结存", "摘要")])
        for r, row in enumerate(rows):
            qty = row["qty"]
            who = row["supplier"] if row["kind"] == moves_mod.RECEIPT else \
                "　".join(p for p in (row["person"], row["department"], row["purpose"], row["reason"]) if p)
            values = [str(row["move_date"]), row["no"], row["kind"], amounts.qty_text(qty) if qty > 0 else "",
                      amounts.qty_text(-qty) if qty < 0 else "", amounts.price_text(row["unit_cost"]),
                      amounts.money_text(abs(row["amount"])), amounts.qty_text(row["balance"]), who]
            for c, v in enumerate(values):
                cell = QTableWidgetItem(v)
                if 3 <= c <= 7:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, cell)
        table.horizontalHeader().setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.scrollToBottom()
        layout.addWidget(table)
        self.table = table
        self.resize(960, 560)


# ---------------------------------------------------------------------------------------------- 出入库流水


class MovesPane(LedgerPane):
    SPEC = moves_mod.STOCK_MOVES
    SHOWS_ALSO = frozenset({"supplies", "stocktakes"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(moves_mod.STOCK_MOVES, *args, **kwargs)
        self.add_action_button(tr("入库…"), self.new_record, None, tr("登记入库（Ctrl+N）"))
        self.return_btn = self.add_action_button(tr("退库…"), self.return_selected, "Ctrl+R", tr("所选领用记录退库"))
        self.add_action_button(tr("报损…"), lambda: self.scrap_dialog(None))
        self.add_action_button(tr("更正…"), self.correct_record, None, tr("作废所选记录并按原内容重新登记"))
        self.slip_btn = self.add_action_button(tr("打印领用单"), self.print_slip, "Ctrl+Shift+P")
        self.add_action_button(tr("只看领用"), lambda: self.set_status_filter("issue"), "F6")
        self.finish_action_bar()
        self.selection_changed()

    def row_background(self, row: dict) -> QColor | None:
        return KIND_COLORS.get(row.get("kind"))

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        issue = bool(row) and row["kind"] == moves_mod.ISSUE
        self.return_btn.setEnabled(issue and not row["voided"])
        self.slip_btn.setEnabled(issue)

    # ---- forms

    def receipt_fields(self) -> list[FormField]:
        return posting.RECEIPT_SLIP.form(*(f.key for f in posting.RECEIPT_SLIP), item=_item_picker(), handler=STAFF)

    def new_record(self) -> Any:
        return self.receive_dialog(None)

    def receive_dialog(self, item: items_mod.Supply | None, values: dict | None = None) -> Any:
        init = {"move_date": clock.today(), "handler": {"id": None, "name": settings.get("supplies.keeper") or ""}}
        if item is not None:
            init.update(item=f"{item.code} {item.name} {item.spec}".strip(), unit_price=amounts.price_text(item.last_cost
                                                                                                 or item.ref_price))
        init.update(values or {})

        def save(v: dict):
            return write(form_parent(), posting.receive, {**v, "item": _code_of(v["item"])})[0]

        form = RecordForm(tr("入库登记"), self.receipt_fields(), save, None, self,
                          note=tr("库存和平均单价由入库记录自动计算。金额按 数量×单价 计算，也可按发票只填金额。"))

        def form_parent():
            return form

        form.set_values({k: (_decimal_text(v) if k in ("qty", "unit_price") else v) for k, v in init.items()})
        if item is not None or (values or {}).get("item"):
            form.widgets["qty"].setFocus()  # the item is known: start at the quantity
        return self._finish(form)

    def _finish(self, form: RecordForm) -> Any:
        _popup_completers(form)
        if form.exec() == QDialog.DialogCode.Accepted and form.result_record is not None:
            self.after_change(form.result_record.id)
            return form.result_record
        return None

    def scrap_dialog(self, item: items_mod.Supply | None, values: dict | None = None) -> Any:
        fields = posting.SCRAP_SLIP.form(item=_item_picker(), approver=STAFF, handler=STAFF)
        form = RecordForm(tr("报损登记"), fields, lambda v: posting.scrap({**v, "item": _code_of(v["item"])}), None, self,
                          note=tr("损坏、过期、遗失的物品按移动加权平均单价出账。"))
        init = {"move_date": clock.today()}
        if item is not None:
            init["item"] = f"{item.code} {item.name} {item.spec}".strip()
        init.update(values or {})
        form.set_values({k: (_decimal_text(v) if k == "qty" else v) for k, v in init.items()})
        if "item" in init:
            form.widgets["qty"].setFocus()
        return self._finish(form)

    def issue_dialog(self, values: dict) -> Any:
        """One-item 领用 form (corrections); the desk is the everyday way."""
        fields = posting.ISSUE_SLIP.form("person", "department", "item", "qty", "purpose", "approver", "issuer",
                                         "move_date", person=STAFF, approver=STAFF, issuer=STAFF, item=_item_picker(),
                                         department={"kind": "editable_combo", "choices": Department.names()})
        form = RecordForm(tr("领用登记"), fields, lambda v: posting.issue({**v, "item": _code_of(v["item"])})[0], None,
                          self)
        init = dict(values)
        item = items_mod.item_by_id(init.pop("item", 0))
        if item is not None:
            init["item"] = f"{item.code} {item.name} {item.spec}".strip()
        for k in ("approver", "issuer"):
            if isinstance(init.get(k), str):
                init[k] = {"id": None, "name": init[k]}
        form.set_values({k: (_decimal_text(v) if k == "qty" else v) for k, v in init.items()})
        return self._finish(form)

    def return_selected(self) -> Any:
        move = self.require_record()
        if move is None:
            return None
        if move.kind != moves_mod.ISSUE or move.voided:
            QMessageBox.information(self, tr("退库"), tr("请选择一条未作废的“领用”记录办理退库。"))
            return None
        left = -move.qty - posting.returned_qty(move)
        fields = posting.RETURN_SLIP.form(qty={"placeholder": f"最多 {amounts.qty_text(left, move.unit)}"},
                                          handler=STAFF)
        form = RecordForm(tr("退库") + f" · {move.no} {move.person} {move.name}", fields,
                          lambda v: posting.return_issue(move, v), {"qty": amounts.qty_text(left), "move_date": clock.today()},
                          self, note=tr("按原领用单价退回，部门领用金额相应减少。"))
        return self._finish(form)

    def correct_record(self) -> Any:
        move = self.require_record()
        if move is None:
            return None
        if move.kind in (moves_mod.ADJUST, moves_mod.COST):
            show_error(self, NeiqinError(tr("盘点调整和成本调整不能更正")))
            return None
        if not move.voided:
            reason = ask_reason(self, tr("更正出入库记录"), tr("出入库记录不能修改。更正将作废原记录（保留可查）"
                                                               "并按原内容重新登记。\n请填写作废原因：") +
                                f"\n{moves_mod.STOCK_MOVES.describe(move)}", tr("例如：数量登记错误"))
            if reason is None:
                return None
            done = self.perform(posting.void_move, move, reason)
            if done is None:
                return None
        values = posting.correction_values(moves_mod.move_by_id(move.id))
        if move.kind == moves_mod.RECEIPT:
            return self.receive_dialog(None, {**values, "item": f"{move.code} {move.name} {move.spec}".strip()})
        if move.kind == moves_mod.SCRAP:
            return self.scrap_dialog(None, {**values, "item": f"{move.code} {move.name} {move.spec}".strip()})
        if move.kind == moves_mod.ISSUE:
            return self.issue_dialog(values)
        QMessageBox.information(self, tr("已作废"), tr("退库记录已作废；如需重新退库，请在原领用记录上办理。"))
        return None

    def print_slip(self):
        move = self.require_record()
        if move is None or move.kind != moves_mod.ISSUE:
            return None
        from neiqin.reports.supply_reports import write_issue_slip_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        org, no = settings.org_name(), move.no
        return preview_pdf(self, tr("领用单"), stamp_path(self, f"领用单-{no}"),
                           lambda out, progress, cancelled: write_issue_slip_pdf(no, out, org_name=org))


# ---------------------------------------------------------------------------------------------- 补货


class ReorderView(View):
    """补货清单: what is at or below its minimum, with a suggested quantity the clerk may change before printing."""

    ACTIONS = frozenset({"print", "export"})
    LEDGERS = frozenset({"supplies", "stock-moves", "stocktakes"})

    def __init__(self, pane):
        super().__init__(pane)
        self.pane = pane
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.summary = QLabel()
        bar.addWidget(self.summary)
        bar.addStretch(1)
        for text, slot in ((tr("打印采购申请单 (Ctrl+P)"), self.print_view), (tr("导出 Excel (Ctrl+E)"), self.export_view)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 11)
        self.table.setHorizontalHeaderLabels([tr(h) for h in ("编码", "名称", "规格型号", "单位", "存放位置", "现有",
                                                              "安全库存", "最高库存", "建议采购", "参考单价",
                                                              "上次供应商")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        hint = QLabel(tr("“建议采购”可以直接修改（双击或直接输入），打印和导出按修改后的数量。"))
        hint.setStyleSheet("color:#555")
        layout.addWidget(hint)
        self.lines: list[reports_mod.ReorderLine] = []
        self.table.itemChanged.connect(lambda _: self._update_summary())
        self.refresh()

    def refresh(self) -> None:
        self.lines = reports_mod.reorder_list()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.lines))
        for r, x in enumerate(self.lines):
            values = [x.code, x.name, x.spec, x.unit, x.location, amounts.qty_text(x.on_hand), amounts.qty_text(x.min_stock),
                      amounts.qty_text(x.max_stock), amounts.qty_text(x.suggested), amounts.price_text(x.price), x.supplier]
            for c, v in enumerate(values):
                cell = QTableWidgetItem(v)
                if 5 <= c <= 9:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c != 8:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if x.on_hand <= 0:
                    cell.setBackground(EMPTY_COLOR)
                self.table.setItem(r, c, cell)
        self.table.blockSignals(False)
        self._update_summary()

    def edited_lines(self) -> list[reports_mod.ReorderLine]:
        out = []
        for r, x in enumerate(self.lines):
            errors: dict[str, str] = {}
            qty = amounts.parse_qty(self.table.item(r, 8).text(), x.unit, errors, allow_zero=True, required=False)
            if errors:
                raise NeiqinError(f"{x.name}：{errors['qty'].replace('数量', '建议采购数量')}")
            if qty:
                out.append(dataclasses.replace(x, suggested=qty))
        return out

    def _update_summary(self) -> None:
        try:
            lines = self.edited_lines()
        except NeiqinError as e:
            self.summary.setText(str(e))
            self.summary.setStyleSheet("color:#c5221f")
            return
        self.summary.setStyleSheet("")
        self.summary.setText(f"低于安全库存 {len(self.lines)} 种，拟采购 {len(lines)} 种，"
                             f"预计 {amounts.money_text(sum(x.amount for x in lines))} 元")

    def print_view(self):
        from neiqin.reports.supply_reports import write_reorder_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        try:
            lines = self.edited_lines()
        except NeiqinError as e:
            show_error(self, e)
            return None
        org, who = settings.org_name(), settings.get("supplies.keeper") or ""
        return preview_pdf(self, tr("采购申请单"), stamp_path(self, "采购申请单"),
                           lambda out, progress, cancelled: write_reorder_pdf(lines, out, org_name=org, applicant=who))

    def export_view(self) -> Path | None:
        from neiqin.reports.supply_reports import export_reorder_xlsx

        try:
            lines = self.edited_lines()
        except NeiqinError as e:
            show_error(self, e)
            return None
        path = self.pane.subpanes[0].ask_save_path(f"补货清单-{clock.today():%Y%m%d}.xlsx", "Excel (*.xlsx)")
        if not path:
            return None
        try:
            export_reorder_xlsx(lines, path if path.endswith(".xlsx") else path + ".xlsx",
                                org_name=settings.org_name())
        except NeiqinError as e:
            show_error(self, e)
            return None
        return Path(path)

    def count_and_description(self) -> tuple[int, str]:
        return len(self.lines), tr("补货清单 · 低于安全库存")

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)


# ---------------------------------------------------------------------------------------------- 报表


REPORTS = [("period", "进销存月报"), ("department", "领用汇总（按部门）"), ("person", "领用汇总（按领用人）"),
           ("month", "领用汇总（按月份）"), ("item", "领用汇总（按物品）")]


class ReportsView(View):
    """进销存月报 and 领用汇总 as a table, with charts of the top consumed items and the cost by department."""

    ACTIONS = frozenset({"print", "export"})
    LEDGERS = frozenset({"supplies", "stock-moves", "stocktakes"})

    def __init__(self, pane):
        super().__init__(pane)
        self.pane = pane
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.kind = QComboBox()
        for key, label in REPORTS:
            self.kind.addItem(tr(label), key)
        today = qtoday()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year())
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(today.month())
        self.date_from = QDateEdit(QDate(today.year(), today.month(), 1), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        for w in (QLabel(tr("报表")), self.kind, QLabel(tr("年")), self.year, QLabel(tr("月")), self.month,
                  QLabel(tr("期间")), self.date_from, QLabel("—"), self.date_to):
            bar.addWidget(w)
        bar.addStretch(1)
        for text, slot in ((tr("打印 (Ctrl+P)"), self.print_view), (tr("导出 Excel (Ctrl+E)"), self.export_view)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.total = QLabel()
        layout.addWidget(self.total)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        split.addWidget(self.table)
        charts = QSplitter(Qt.Orientation.Horizontal)
        self.items_chart, items_view = self._chart()
        self.dept_chart, dept_view = self._chart()
        charts.addWidget(items_view)
        charts.addWidget(dept_view)
        split.addWidget(charts)
        split.setSizes([380, 300])
        layout.addWidget(split, 1)
        self.rows: list = []
        self.kind.currentIndexChanged.connect(self.refresh)
        for w in (self.year, self.month):
            w.valueChanged.connect(self._month_changed)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(self.refresh)
        self._month_changed()

    def _chart(self):
        from PySide6.QtCharts import QChart, QChartView

        chart = QChart()
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        return chart, view

    def _month_changed(self) -> None:
        start, end = reports_mod.month_range(self.year.value(), self.month.value())
        for w, d in ((self.date_from, start), (self.date_to, end)):
            w.blockSignals(True)
            w.setDate(QDate(d.year, d.month, d.day))
            w.blockSignals(False)
        self.refresh()

    def span(self) -> tuple[dt.date, dt.date]:
        a, b = self.date_from.date().toPython(), self.date_to.date().toPython()
        return (a, b) if a <= b else (b, a)

    def refresh(self) -> None:
        key = self.kind.currentData()
        start, end = self.span()
        if key == "period":
            self.rows = reports_mod.period_report(start, end)
            headers = ["编码", "名称", "规格型号", "单位", "上期数量", "上期金额", "购进数量", "购进金额", "发放数量",
                       "发放金额", "其他数量", "其他金额", "结存数量", "结存金额"]
            body = [[r.code, r.name, r.spec, r.unit, amounts.qty_text(r.open_qty), amounts.money_text(r.open_value),
                     amounts.qty_text(r.in_qty), amounts.money_text(r.in_value), amounts.qty_text(r.out_qty), amounts.money_text(r.out_value),
                     amounts.qty_text(r.other_qty), amounts.money_text(r.other_value), amounts.qty_text(r.close_qty),
                     amounts.money_text(r.close_value)] for r in self.rows]
            tot = [sum(getattr(r, f) for r in self.rows) for f in ("open_value", "in_value", "out_value",
                                                                    "other_value", "close_value")]
            self.total.setText(f"{start} 至 {end}：上期结存 {amounts.money_text(tot[0])} + 购进 {amounts.money_text(tot[1])} "
                               f"－ 发放 {amounts.money_text(tot[2])} ± 其他 {amounts.money_text(tot[3])} = 本期结存 "
                               f"{amounts.money_text(tot[4])} 元")
            numeric = range(4, 14)
        else:
            self.rows = reports_mod.issue_summary(key, start, end)
            label = reports_mod.ISSUE_GROUPS[key]
            if key == "item":
                headers = ["编码", "物品", "单位", "数量", "领用次数", "金额"]
                body = [[r.code, r.label, r.unit, amounts.qty_text(r.qty), str(r.times), amounts.money_text(r.amount)]
                        for r in self.rows]
                numeric = range(3, 6)
            else:
                headers = [label] + (["部门"] if key == "person" else []) + ["领用次数", "金额"]
                body = [[r.label] + ([r.department] if key == "person" else []) + [str(r.times),
                                                                                  amounts.money_text(r.amount)]
                        for r in self.rows]
                numeric = range(len(headers) - 2, len(headers))
            self.total.setText(f"{start} 至 {end}：领用 {sum(r.times for r in self.rows)} 次，"
                               f"金额 {amounts.money_text(sum(r.amount for r in self.rows))} 元（已扣除退库）")
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels([tr(h) for h in headers])
        self.table.setRowCount(len(body))
        for r, row in enumerate(body):
            for c, v in enumerate(row):
                cell = QTableWidgetItem(v)
                if c in numeric:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, cell)
        self.table.horizontalHeader().setSectionResizeMode(1 if len(headers) > 2 else 0,
                                                           QHeaderView.ResizeMode.Stretch)
        self._draw_charts(start, end)

    def _draw_charts(self, start: dt.date, end: dt.date) -> None:
        top = reports_mod.issue_summary("item", start, end)[:10]
        self._bars(self.items_chart, tr("领用金额前十的物品（元）"),
                   [(f"{r.code} {r.label.split('（')[0]}", r.amount / 100) for r in top],
                   QColor("#1a73e8"))
        depts = reports_mod.cost_by_department(start, end)
        self._bars(self.dept_chart, tr("各部门领用金额（元）"), [(d, float(v)) for d, v in depts], QColor("#188038"))

    @staticmethod
    def _bars(chart, title: str, rows: list[tuple[str, float]], color: QColor) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QHorizontalBarSeries, QValueAxis

        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        rows = list(reversed(rows))  # the largest at the top
        bars = QBarSet(title)
        bars.setColor(color)
        for _, v in rows:
            bars.append(v)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([label for label, _ in rows] or [""])
        chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        values = QValueAxis()
        values.setRange(0, max([v for _, v in rows] + [1]) * 1.2)
        values.setLabelFormat("%.0f")
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)

    def print_view(self):
        from neiqin.reports import supply_reports as R
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        key, org = self.kind.currentData(), settings.org_name()
        start, end = self.span()
        if key == "period":
            rows = self.rows
            return preview_pdf(self, tr("进销存报表"), stamp_path(self, "进销存报表"),
                               lambda out, progress, cancelled: R.write_period_pdf(rows, start, end, out, org_name=org))
        return preview_pdf(self, tr("领用汇总"), stamp_path(self, "领用汇总"),
                           lambda out, progress, cancelled: R.write_summary_pdf(key, start, end, out, org_name=org))

    def export_view(self) -> Path | None:
        from neiqin.reports import supply_reports as R

        key = self.kind.currentData()
        start, end = self.span()
        name = "进销存报表" if key == "period" else "领用汇总"
        path = self.pane.subpanes[0].ask_save_path(f"{name}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", "Excel (*.xlsx)")
        if not path:
            return None
        path = path if path.endswith(".xlsx") else path + ".xlsx"
        try:
            if key == "period":
                R.export_period_xlsx(self.rows, start, end, path, org_name=settings.org_name())
            else:
                R.export_summary_xlsx(key, start, end, path, org_name=settings.org_name())
        except NeiqinError as e:
            show_error(self, e)
            return None
        return Path(path)

    def count_and_description(self) -> tuple[int, str]:
        return len(self.rows), tr("办公用品报表")

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)


# ---------------------------------------------------------------------------------------------- the tab


class SuppliesPane(MultiViewPane):
    """The 办公用品 tab: 领用台 / 物品 / 出入库流水 / 盘点 / 补货 / 报表 (Alt+1 … Alt+6)."""

    SPEC = items_mod.SUPPLIES  # names the tab 办公用品
    KEY = "supplies"
    SUBVIEWS = [("领用台", IssueDesk), ("物品", ItemsPane), ("出入库流水", MovesPane), ("盘点", StocktakeView),
                ("补货", ReorderView), ("报表", ReportsView)]

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(datadir, ui_settings, parent)
        self.items, self.moves = self.subpanes
        self.desk, _, _, self.stocktake, self.reorder, self.reports = self.views
