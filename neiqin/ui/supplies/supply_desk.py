"""领用台: issuing supplies to a queue of colleagues, keyboard and scanner first; and 批量领用 for a department.

At the desk: pick the person (张 / zs / zhangsan, Enter), scan or type an item code (Enter jumps to the quantity,
1 preselected), type the quantity (Enter adds the line and returns to the code field), and press Enter on the
empty code field to save the slip. The desk is then clear for the next colleague. A code nobody knows gets a
clear message and the offer to create the item. Stock is checked as each line is added and again, in one
transaction, when the slip is saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.staff import Department
from neiqin.models.supplies import amounts, posting
from neiqin.models.supplies import items as items_mod
from neiqin.models.supplies import moves as moves_mod
from neiqin.ui.operations import run_operation
from neiqin.ui.pane import View
from neiqin.ui.scan_field import scan_field
from neiqin.ui.staff_picker import StaffPicker
from neiqin.ui.util import qtoday, show_error, tr

ERROR_COLOR = QColor("#fce8e6")


def _num_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ItemLine(QLineEdit):
    """The code field: a scanned or typed code, or a name / pinyin to pick from (zxb → 中性笔)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.choices = items_mod.item_choices()
        self._by_label: dict[str, items_mod.ItemChoice] = {}
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.textEdited.connect(self._edited)
        self.setPlaceholderText(tr("扫描或输入编码；也可输入拼音或首字母（如 zxb）"))
        scan_field(self)

    def reload(self) -> None:
        self.choices = items_mod.item_choices()

    def _edited(self, text: str) -> None:
        t = text.strip()
        if not t or items_mod.find_item(t) is not None:
            self._model.setStringList([])
            return  # a scanner is typing a code: no popup in its way
        matches = items_mod.match_items(self.choices, t)
        self._by_label = {c.label: c for c in matches}
        self._model.setStringList(list(self._by_label))
        if matches:
            self.completer().complete()

    def choice_for(self, text: str) -> items_mod.ItemChoice | None:
        return self._by_label.get(text)


class IssueDesk(View):
    """The 领用台 sub-view of 办公用品."""

    ACTIONS = frozenset({"new", "print"})
    LEDGERS = frozenset({"supplies", "stock-moves", "stocktakes"})

    def __init__(self, pane):
        super().__init__(pane)
        self.pane = pane
        self.lines: list[dict] = []  # {"item": Supply, "qty": thousandths, "purpose": str}
        self.last_no = ""
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.person = StaffPicker()
        self.person.setPlaceholderText(tr("领用人：姓名、拼音或首字母，如 zs"))
        self.department = QComboBox()
        self.department.setEditable(True)
        self.department.addItems([""] + Department.names())
        self.approver = StaffPicker()
        self.approver.setPlaceholderText(tr("审批人（可不填）"))
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText(tr("用途，如 日常办公"))
        self.day = QDateEdit(qtoday(), calendarPopup=True, displayFormat="yyyy-MM-dd")
        F = posting.ISSUE_SLIP  # the desk is the slip's special form: labels and lengths from its declaration
        self.department.lineEdit().setMaxLength(F["department"].limit)
        self.purpose.setMaxLength(F["purpose"].limit)
        for col, key in enumerate(("person", "department", "approver")):
            grid.addWidget(QLabel(tr(F[key].label)), 0, col * 2)
            grid.addWidget((self.person, self.department, self.approver)[col], 0, col * 2 + 1)
        grid.addWidget(QLabel(tr(F["purpose"].label)), 1, 0)
        grid.addWidget(self.purpose, 1, 1, 1, 3)
        grid.addWidget(QLabel(tr(F["move_date"].label)), 1, 4)
        grid.addWidget(self.day, 1, 5)
        layout.addLayout(grid)

        scan = QHBoxLayout()
        self.code = ItemLine()
        self.code.setMinimumWidth(320)
        self.qty = QLineEdit("1")
        self.qty.setMaximumWidth(90)
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.add_btn = QPushButton(tr("添加 (Enter)"))
        scan.addWidget(QLabel(tr(F["item"].label)))
        scan.addWidget(self.code, 3)
        scan.addWidget(QLabel(tr(moves_mod.MOVE_FIELDS["qty"].label)))
        scan.addWidget(self.qty)
        self.unit_label = QLabel()
        scan.addWidget(self.unit_label)
        scan.addWidget(self.add_btn)
        scan.addStretch(1)
        layout.addLayout(scan)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels([tr("编码"), tr("名称"), tr("规格型号"), tr("单位"), tr("现有"),
                                              tr("数量"), tr("用途")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.print_slip = QCheckBox(tr("保存后打印领用单"))
        self.total = QLabel()
        self.save_btn = QPushButton(tr("保存领用 (空白处 Enter / Ctrl+S)"))
        self.clear_btn = QPushButton(tr("清空 (Esc)"))
        self.batch_btn = QPushButton(tr("批量领用…"))
        self.reprint_btn = QPushButton(tr("补打上一张"))
        bottom.addWidget(self.print_slip)
        bottom.addWidget(self.total)
        bottom.addStretch(1)
        for b in (self.batch_btn, self.reprint_btn, self.clear_btn, self.save_btn):
            bottom.addWidget(b)
        layout.addLayout(bottom)

        self.person.chosen.connect(self._person_chosen)
        self.person.returnPressed.connect(self._person_enter)
        self.code.returnPressed.connect(self._code_enter)
        self.code.completer().activated[str].connect(self._picked)
        self.qty.returnPressed.connect(self.add_line)
        self.add_btn.clicked.connect(self.add_line)
        self.save_btn.clicked.connect(self.save)
        self.clear_btn.clicked.connect(self.clear)
        self.batch_btn.clicked.connect(self.batch_issue)
        self.reprint_btn.clicked.connect(lambda: self.print_slip_pdf(self.last_no))
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Esc"), self, activated=self.clear,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Delete"), self.table, activated=self.remove_line,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.current: items_mod.Supply | None = None
        self._render()

    # ---- steps

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color:#c5221f; font-weight:bold" if error else "color:#188038")

    def _person_chosen(self, choice) -> None:
        if choice is not None and choice.department:
            self.department.setCurrentText(choice.department)

    def _person_enter(self) -> None:
        popup = self.person.completer().popup()
        if popup.isVisible():
            return
        choice = self.person.selected()
        if choice is not None:
            self._person_chosen(choice)
        if choice is not None or self.person.text().strip():
            self.code.setFocus()

    def _picked(self, label: str) -> None:
        choice = self.code.choice_for(label)
        if choice is not None:
            self._choose(items_mod.item_by_id(choice.id))

    def _choose(self, item: items_mod.Supply) -> None:
        self.current = item
        self.code.blockSignals(True)
        self.code.setText(item.code)
        self.code.blockSignals(False)
        self.unit_label.setText(item.unit)
        fresh = items_mod.item_by_id(item.id)
        self._say(f"{item.code} {item.label}：现有 {fresh.qty()}" + ("（低于安全库存）" if items_mod.is_low(fresh) else ""))
        self.qty.setText("1")
        self.qty.setFocus()
        self.qty.selectAll()

    def _code_enter(self) -> None:
        if self.code.completer().popup().isVisible():
            return
        text = self.code.text().strip()
        if not text:
            if self.lines:
                self.save()
            return
        item = items_mod.find_item(text)
        if item is None:
            matches = items_mod.match_items(self.code.choices, text, 2)
            if len(matches) == 1:
                self._choose(items_mod.item_by_id(matches[0].id))
                return
            self.unknown_code(text)
            return
        if item.status != items_mod.ITEM_ACTIVE:
            self._say(f"“{item.name}”已停用，不能领用", error=True)
            self.code.selectAll()
            return
        self._choose(item)

    def unknown_code(self, code: str) -> Any:
        """A code nobody knows: say so plainly and offer to create the item."""
        self._say(f"找不到编码为“{code}”的物品", error=True)
        ask = QMessageBox.question(self, tr("未知编码"), f"找不到编码为“{code}”的物品。\n\n" +
                                   tr("要新建这个物品吗？（新建后需先入库才能领用）"),
                                   QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                   QMessageBox.StandardButton.No)
        if ask != QMessageBox.StandardButton.Yes:
            self.code.setFocus()
            self.code.selectAll()
            return None
        item = self.pane.items.create_item({"code": code if code.isascii() else "",
                                            "name": "" if code.isascii() else code})
        self.code.reload()
        if item is not None:
            self._choose(item)
        return item

    def add_line(self) -> bool:
        item = self.current
        if item is None or item.code != self.code.text().strip().upper():
            item = items_mod.find_item(self.code.text())
            if item is None:
                self._say(tr("请先扫描或输入物品编码"), error=True)
                self.code.setFocus()
                return False
        errors: dict[str, str] = {}
        qty = posting.ISSUE_SLIP["qty"].clean(self.qty.text(), errors, unit=item.unit)
        if not errors:
            already = sum(ln["qty"] for ln in self.lines if ln["item"].id == item.id)
            fresh = items_mod.item_by_id(item.id)
            if already + qty > fresh.on_hand:
                errors["qty"] = posting.shortage_message(fresh, fresh.on_hand, already + qty)
        if errors:
            self._say(errors["qty"], error=True)
            self.qty.setFocus()
            self.qty.selectAll()
            return False
        for ln in self.lines:
            if ln["item"].id == item.id:
                ln["qty"] += qty
                break
        else:
            self.lines.append({"item": item, "qty": qty, "purpose": ""})
        self._say(f"已添加 {item.name} {amounts.qty_text(qty, item.unit)}；继续扫描，或在空白编码处按 Enter 保存")
        self.current = None
        self.code.clear()
        self.qty.setText("1")
        self.unit_label.clear()
        self._render()
        self.code.setFocus()
        return True

    def remove_line(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            del self.lines[row]
            self._render()

    def _render(self, bad: dict[int, str] | None = None) -> None:
        bad = bad or {}
        self.table.setRowCount(len(self.lines))
        for r, ln in enumerate(self.lines):
            it = ln["item"]
            fresh = items_mod.item_by_id(it.id)
            cells = [QTableWidgetItem(it.code), QTableWidgetItem(it.name), QTableWidgetItem(it.spec),
                     QTableWidgetItem(it.unit), _num_item(amounts.qty_text(fresh.on_hand)), _num_item(amounts.qty_text(ln["qty"])),
                     QTableWidgetItem(bad.get(r, ln["purpose"]))]
            for c, cell in enumerate(cells):
                if r in bad:
                    cell.setBackground(ERROR_COLOR)
                    cell.setToolTip(bad[r])
                self.table.setItem(r, c, cell)
        kinds = len(self.lines)
        self.total.setText(f"共 {kinds} 种" if kinds else "")
        self.save_btn.setEnabled(bool(kinds))

    def clear(self) -> None:
        self.lines.clear()
        self.current = None
        for w in (self.person, self.approver, self.code):
            w.clear()
        self.department.setCurrentText("")
        self.qty.setText("1")
        self.unit_label.clear()
        self._render()
        self.person.setFocus()

    def save(self) -> list | None:
        if not self.lines:
            self._say(tr("还没有添加物品"), error=True)
            self.code.setFocus()
            return None
        data = {"person": self.person.value(), "department": self.department.currentText().strip(),
                "approver": self.approver.value(), "issuer": settings.get("supplies.keeper") or "",
                "purpose": self.purpose.text().strip(), "move_date": self.day.date().toPython(),
                "lines": [{"item": ln["item"], "qty": amounts.dec_qty(ln["qty"]), "purpose": ln["purpose"]}
                          for ln in self.lines]}
        try:
            moves = posting.issue(data)
        except ValidationError as e:
            bad = {}
            loose = []
            for key, msg in e.errors.items():
                field, _, idx = key.partition(".")
                if idx.isdigit():
                    bad[int(idx)] = msg
                else:
                    loose.append(msg)
            self._render(bad)
            self._say("；".join(loose + list(bad.values())), error=True)
            if "person" in e.errors:
                self.person.setFocus()
            elif "department" in e.errors:
                self.department.setFocus()
            return None
        except NeiqinError as e:
            show_error(self, e)
            return None
        no = moves[0].no
        self.last_no = no
        amount = -sum(m.amount for m in moves)
        who = moves[0].person
        self.clear()
        self._say(f"已保存 {no}：{who} 领用 {len(moves)} 种，金额 {amounts.money_text(amount)} 元。请下一位。")
        self.code.reload()
        self.recordsChanged.emit()
        if self.print_slip.isChecked():
            self.print_slip_pdf(no)
        self.person.setFocus()  # ready for the next colleague
        return moves

    def print_slip_pdf(self, no: str):
        if not no:
            QMessageBox.information(self, tr("领用单"), tr("还没有保存过领用单。"))
            return None
        from neiqin.reports.supply_reports import write_issue_slip_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        org = settings.org_name()
        path = stamp_path(self, f"领用单-{no}")
        return preview_pdf(self, tr("领用单"), path, lambda out, progress, cancelled: write_issue_slip_pdf(
            no, out, org_name=org))

    def batch_issue(self) -> list | None:
        dlg = BatchIssueDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.moves:
            self.last_no = dlg.moves[0].no
            self._say(f"已保存批量领用 {self.last_no}：{len(dlg.moves)} 种")
            self.recordsChanged.emit()
            if self.print_slip.isChecked():
                self.print_slip_pdf(self.last_no)
            return dlg.moves
        return None

    # ---- what the main window routes here

    def new_record(self) -> None:
        self.clear()

    def print_view(self):
        return self.print_slip_pdf(self.last_no)

    def refresh(self) -> None:
        self.code.reload()
        self._render()

    def count_and_description(self) -> tuple[int, str]:
        today = clock.today()
        n = moves_mod.issue_slips_on(today)
        return n, tr("领用台 · 今日领用单")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.lines and not self.person.text():
            self.person.setFocus()


class BatchIssueDialog(QDialog):
    """批量领用: one department's monthly allocation as a grid of items × quantities, saved as one slip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("批量领用（部门月度领用）"))
        self.moves: list = []
        layout = QVBoxLayout(self)
        top = QGridLayout()
        self.department = QComboBox()
        self.department.setEditable(True)
        self.department.addItems(Department.names())
        self.person = StaffPicker()
        self.person.setPlaceholderText(tr("代领人"))
        self.approver = StaffPicker()
        self.purpose = QLineEdit(f"{clock.today():%Y年%m月}部门月度领用")
        self.purpose.setMaxLength(posting.ISSUE_SLIP["purpose"].limit)
        self.category = QComboBox()
        self.category.addItem(tr("全部类别"), "")
        cats = items_mod.item_categories()
        for c in cats:
            self.category.addItem(c, c)
        for i, (label, w) in enumerate(((tr("部门"), self.department), (tr("代领人"), self.person),
                                        (tr("审批人"), self.approver), (tr("用途"), self.purpose),
                                        (tr("只看类别"), self.category))):
            top.addWidget(QLabel(label), i // 3, (i % 3) * 2)
            top.addWidget(w, i // 3, (i % 3) * 2 + 1)
        layout.addLayout(top)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([tr("编码"), tr("名称"), tr("规格型号"), tr("单位"), tr("现有"),
                                              tr(posting.ISSUE_SLIP["qty"].label)])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        self.error = QLabel()
        self.error.setStyleSheet("color:#c5221f")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("保存 (Ctrl+S)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消 (Esc)"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self.items: list[items_mod.Supply] = []
        self.category.currentIndexChanged.connect(self._fill)
        self._fill()
        self.resize(820, 620)

    def _fill(self) -> None:
        keep = self.quantities()
        self.items = items_mod.active_items(self.category.currentData() or "")
        self.table.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            for c, text in enumerate((it.code, it.name, it.spec, it.unit)):
                cell = QTableWidgetItem(text)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, cell)
            have = _num_item(amounts.qty_text(it.on_hand))
            have.setFlags(have.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, 4, have)
            self.table.setItem(r, 5, _num_item(keep.get(it.id, "")))
        if self.items:  # type a number and Enter/↓ for the next item: the grid is for the keyboard
            self.table.setCurrentCell(0, 5)

    def quantities(self) -> dict[int, str]:
        out = {}
        for r, it in enumerate(getattr(self, "items", [])):
            cell = self.table.item(r, 5)
            if cell is not None and cell.text().strip():
                out[it.id] = cell.text().strip()
        return out

    def set_quantity(self, code: str, qty: str) -> None:
        for r, it in enumerate(self.items):
            if it.code == code:
                self.table.item(r, 5).setText(qty)
                return
        raise KeyError(code)

    def save(self) -> None:
        wanted = self.quantities()
        order = [it for it in self.items if it.id in wanted]
        person = self.person.value()
        data = {"person": person, "department": self.department.currentText().strip(),
                "approver": self.approver.value(), "purpose": self.purpose.text().strip(),
                "issuer": settings.get("supplies.keeper") or "",
                "lines": [{"item": it, "qty": wanted[it.id]} for it in order]}
        if not order:
            self.error.setText(tr("请在“领用数量”列填写至少一种物品的数量"))
            return
        try:  # a month's allocation for a department: many lines, run in a worker with progress after 0.6 s
            self.moves = run_operation(self, posting.issue, data, slow="正在保存批量领用").value
        except ValidationError as e:
            msgs = []
            for key, msg in e.errors.items():
                _, _, idx = key.partition(".")
                if idx.isdigit():
                    it = order[int(idx)]
                    row = self.items.index(it)
                    self.table.item(row, 5).setBackground(ERROR_COLOR)
                    msgs.append(f"{it.name}：{msg}")
                else:
                    msgs.append(msg)
            self.error.setText("；".join(msgs))
            return
        except NeiqinError as e:
            show_error(self, e)
            return
        self.accept()
