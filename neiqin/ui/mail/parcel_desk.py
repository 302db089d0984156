"""The 快递 desk: a scanner strip (scan → recipient → Enter → next scan), the pickup dialog and the carrier rules.

A USB barcode scanner types the 运单号 and presses Enter into the scan field. The carrier is recognised at once,
a 运单号 already registered asks what is happening (someone collecting it? a second piece? a double scan?), and
the focus moves to the recipient: type 张, zs or zhangsan, Enter takes the first match, Enter again registers with
件数 1 and the shelf where that person's parcels already wait (or the last shelf used). Tab reaches 件数, 货架位,
寄件人 and 快递公司 when they need changing. After each parcel the scan field is ready for the next one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import FieldHistory
from neiqin.models.mail.parcel_rules import (
    DEFAULT_RULES,
    OTHER,
    PREFIX,
    RULE_KINDS,
    carrier_names,
    carrier_rules,
    check_rules,
    normalize_tracking,
    recognise,
    save_carrier_rules,
)
from neiqin.models.mail.parcels import (
    PARCEL_FIELDS,
    DuplicateParcel,
    Parcel,
    find_duplicates,
    parcels_by_ids,
    pick_up,
    receive,
    suggest_shelf,
    waiting_days,
    waiting_for,
)
from neiqin.ui.forms import ERROR_STYLE
from neiqin.ui.scan_field import scan_field
from neiqin.ui.staff_picker import StaffPicker
from neiqin.ui.util import error_label, save_cancel_buttons, show_error, tr


def _enter_picks_first(picker: StaffPicker) -> bool:
    """Enter in a picker whose list is open: take the highlighted person, or the first. True if it did."""
    popup = picker.completer().popup()
    if not popup.isVisible():
        return False
    idx = popup.currentIndex()
    label = idx.data() if idx.isValid() else picker.completer().completionModel().index(0, 0).data()
    choice = picker._by_label.get(label) if label else None  # noqa: SLF001 - the picker's own label map
    if choice is not None:
        picker.select(choice)
    popup.hide()
    return True


DESK_KEYS = ("tracking_no", "carrier", "recipient", "department", "pieces", "shelf", "sender")  # left to right


class ScanDesk(QFrame):
    """The strip above the 快递收件 table. ``received(parcel)`` after each registration."""

    received = Signal(object)
    pickupRequested = Signal(object)  # a Parcel scanned again that is waiting: hand it over

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("scanDesk")
        self.setStyleSheet("#scanDesk { background: #f6f9fe; }")
        self._confirmed = ""  # a number the clerk confirmed to register again
        self._last_shelf = ""
        self.count_today = 0
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)

        self.scan = QLineEdit()
        self.scan.setPlaceholderText(tr("扫描或输入运单号，回车"))
        scan_field(self.scan)
        self.scan.setMinimumWidth(200)
        font = self.scan.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.scan.setFont(font)
        self.carrier = QComboBox()
        self.carrier.setEditable(True)
        self.carrier.addItems(carrier_names())
        self.carrier.setCurrentText("")
        self.carrier.setMinimumContentsLength(6)
        self.recipient = StaffPicker()
        self.recipient.setPlaceholderText(tr("收件人：姓名或拼音，如 zs"))
        self.department = QLineEdit()
        self.department.setPlaceholderText(PARCEL_FIELDS["department"].label)
        self.department.setMaxLength(PARCEL_FIELDS["department"].limit)
        self.department.setMaximumWidth(120)
        self.pieces = QSpinBox(minimum=PARCEL_FIELDS["pieces"].lo, maximum=PARCEL_FIELDS["pieces"].hi, value=1)
        self.pieces.setSuffix(tr(" 件"))
        self.shelf = QLineEdit()
        self.shelf.setPlaceholderText(PARCEL_FIELDS["shelf"].label)
        self.shelf.setMaxLength(PARCEL_FIELDS["shelf"].limit)
        self.shelf.setMaximumWidth(90)
        self.sender = QLineEdit()
        self.sender.setPlaceholderText(PARCEL_FIELDS["sender"].label + tr("（可不填）"))
        self.sender.setMaxLength(PARCEL_FIELDS["sender"].limit)
        completer = QCompleter(FieldHistory.values("parcels", "sender"), self.sender)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.sender.setCompleter(completer)
        self.save_btn = QPushButton(tr("登记 (Enter)"))
        self.save_btn.setAutoDefault(False)
        self.save_btn.clicked.connect(self.save)

        labels = [*(PARCEL_FIELDS[k].label for k in DESK_KEYS), ""]
        widgets = [self.scan, self.carrier, self.recipient, self.department, self.pieces, self.shelf, self.sender,
                   self.save_btn]
        for col, (text, w) in enumerate(zip(labels, widgets, strict=True)):
            label = QLabel(text)
            label.setStyleSheet("color:#555")
            grid.addWidget(label, 0, col)
            grid.addWidget(w, 1, col)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 3)
        grid.setColumnStretch(6, 2)
        self.sender.setMinimumWidth(100)
        self.recipient.setMinimumWidth(150)
        self.message = QLabel(tr("扫描枪扫描运单号后自动识别快递公司；输入收件人后回车即登记，光标回到扫描框。"))
        self.message.setWordWrap(True)
        grid.addWidget(self.message, 2, 0, 1, len(widgets))

        for a, b in zip(widgets, widgets[1:], strict=False):
            QWidget.setTabOrder(a, b)
        # the recipient comes straight after the scan; carrier sits after the sender in Tab order
        QWidget.setTabOrder(self.scan, self.recipient)
        QWidget.setTabOrder(self.recipient, self.pieces)
        QWidget.setTabOrder(self.pieces, self.shelf)
        QWidget.setTabOrder(self.shelf, self.sender)
        QWidget.setTabOrder(self.sender, self.carrier)
        QWidget.setTabOrder(self.carrier, self.save_btn)
        self.scan.returnPressed.connect(self.on_scan)
        self.recipient.returnPressed.connect(self._recipient_enter)
        self.recipient.chosen.connect(self._recipient_chosen)
        for w in (self.department, self.shelf, self.sender):
            w.returnPressed.connect(self._enter_saves)
        self.pieces.lineEdit().returnPressed.connect(self._enter_saves)
        self.carrier.lineEdit().returnPressed.connect(self._enter_saves)

    # ---- the flow

    def focus_scan(self) -> None:
        self.scan.setFocus()
        self.scan.selectAll()

    def on_scan(self) -> None:
        self._clear_errors()
        number = normalize_tracking(self.scan.text())
        if not number:
            return
        self.scan.setText(number)
        errors: dict[str, str] = {}
        from neiqin.models.mail.parcel_rules import check_tracking

        check_tracking(number, "tracking_no", errors, required=True)
        if errors:
            self._show_errors(errors)
            self.scan.selectAll()
            return
        carrier = recognise(number)
        self.carrier.setCurrentText(carrier)
        earlier = find_duplicates(number)
        if earlier and self._confirmed != number:
            choice = self.ask_duplicate(number, earlier)
            if choice == "pickup":
                self.reset()
                self.pickupRequested.emit(earlier[0])
                return
            if choice != "again":
                self.reset()
                self.say(tr("已取消：") + f"{number} " + tr("没有重复登记。"))
                return
            self._confirmed = number
        note = tr("未识别的单号，快递公司记为“其他”，可在右侧修改。") if carrier == OTHER else f"{carrier}"
        self.say(f"{number}　{note}　" + tr("请输入收件人后回车。"))
        self.recipient.setFocus()
        self.recipient.selectAll()

    def ask_duplicate(self, number: str, earlier: list[Parcel]) -> str:
        """"pickup", "again" or "cancel" — the clerk decides what a repeated 运单号 means."""
        first = earlier[0]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("运单号重复"))
        box.setText(str(DuplicateParcel(number, earlier)))
        box.setInformativeText(tr("同一运单号不会重复登记，除非您确认这是同一单的另一件。"))
        pickup = None
        if first.status == "待领取":
            pickup = box.addButton(tr("这是领取：交给收件人(&L)"), QMessageBox.ButtonRole.AcceptRole)
        again = box.addButton(tr("仍要再登记一件(&A)"), QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(tr("取消(&C)"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if pickup is not None and clicked is pickup:
            return "pickup"
        return "again" if clicked is again else "cancel"

    def _recipient_enter(self) -> None:
        if _enter_picks_first(self.recipient):
            return
        self.save()

    def _enter_saves(self) -> None:
        self.save()

    def _recipient_chosen(self, choice: Any) -> None:
        if choice is None:
            return
        self.department.setText(choice.department)
        shelf = suggest_shelf(choice.id)
        if shelf:
            self.shelf.setText(shelf)
            n = len(waiting_for(choice.id))
            self.say(f"{choice.name} " + tr("已有") + f" {n} " + tr("件待领取，在货架") + f" {shelf}" +
                     tr("，放在一起。回车登记。"))
        elif not self.shelf.text().strip():
            self.shelf.setText(self._last_shelf)

    def values(self) -> dict:
        who = self.recipient.value()
        if not who.get("id") and self.department.text().strip():
            who["department"] = self.department.text().strip()
        return {"tracking_no": self.scan.text(), "carrier": self.carrier.currentText(), "recipient": who,
                "department": self.department.text(), "pieces": self.pieces.value(), "shelf": self.shelf.text(),
                "sender": self.sender.text()}

    def save(self) -> Parcel | None:
        self._clear_errors()
        number = normalize_tracking(self.scan.text())
        if not number:
            self._show_errors({"tracking_no": tr("请先扫描运单号")})
            return None
        try:
            # the desk asks in its own way (scan again = another piece), then saves confirmed
            parcel = receive(self.values(), confirmed={"duplicate": ""} if self._confirmed == number else {})
        except DuplicateParcel:  # typed, not scanned: ask as the scan does
            self.on_scan()
            return None
        except ValidationError as e:
            self._show_errors(e.errors)
            return None
        except NeiqinError as e:
            show_error(self, e)
            return None
        self._last_shelf = parcel.shelf
        self.count_today += 1
        dept = f"（{parcel.department}）" if parcel.department else ""
        shelf = f"，货架 {parcel.shelf}" if parcel.shelf else ""
        self.say("✓ " + tr("已登记") + f" {parcel.tracking_no} {parcel.carrier} → {parcel.recipient}{dept}"
                 f"{shelf}　" + tr("本次已登记") + f" {self.count_today} " + tr("件，请扫描下一件。"), ok=True)
        self.reset(keep_message=True)
        self.received.emit(parcel)
        return parcel

    def reset(self, keep_message: bool = False) -> None:
        self._confirmed = ""
        self.scan.clear()
        self.recipient.set_value(None)
        self.recipient.setText("")
        self.department.clear()
        self.pieces.setValue(1)
        self.shelf.clear()
        self.sender.clear()
        self.carrier.setCurrentText("")
        if not keep_message:
            self.say("")
        self._clear_errors()
        self.scan.setFocus()

    # ---- messages

    def say(self, text: str, ok: bool = False) -> None:
        self.message.setStyleSheet("color:#137333" if ok else "color:#333")
        self.message.setText(text)

    def _field_widget(self, key: str) -> QWidget | None:
        widgets = (self.scan, self.carrier, self.recipient, self.department, self.pieces, self.shelf, self.sender)
        return dict(zip(DESK_KEYS, widgets, strict=True)).get(key)

    def _show_errors(self, errors: dict[str, str]) -> None:
        first = None
        for key in errors:
            w = self._field_widget(key)
            if w is not None:
                w.setStyleSheet(ERROR_STYLE)
                first = first or w
        self.message.setStyleSheet("color:#d93025")
        self.message.setText("；".join(errors.values()))
        if first is not None:
            first.setFocus()

    def _clear_errors(self) -> None:
        for key in DESK_KEYS:
            self._field_widget(key).setStyleSheet("")


# ---------------------------------------------------------------------------------------------- pickup


class PickupDialog(QDialog):
    """Hand over a person's waiting parcels: all ticked, 领取人 = the recipient unless someone collects for them.

    Opened on a parcel (its recipient's list, that parcel first), or empty (F8 “取件”): type the person's name,
    Enter shows what waits for them, Enter hands it over.
    """

    def __init__(self, parent: QWidget | None = None, parcel: Parcel | None = None, only: bool = False):
        super().__init__(parent)
        self.setWindowTitle(tr("快递领取"))
        self.done_parcels: list[Parcel] = []
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.person = StaffPicker(include_left=True)
        self.person.setPlaceholderText(tr("收件人：姓名或拼音，如 zs"))
        self.person.returnPressed.connect(self._person_enter)
        self.person.chosen.connect(lambda c: self.load(c.id, c.name) if c is not None else None)
        form.addRow(tr("收件人"), self.person)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumHeight(140)
        self.list.itemChanged.connect(lambda _: self._update_ok())
        form.addRow(tr("待领取"), self.list)
        self.taker = StaffPicker(include_left=True)
        self.taker.setPlaceholderText(tr("本人领取可不改；代领请输入领取人"))
        self.taker.returnPressed.connect(self._taker_enter)
        form.addRow(tr("领取人"), self.taker)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("可不填，例如：放在其办公桌上"))
        self.note.returnPressed.connect(self.try_accept)
        form.addRow(tr("备注"), self.note)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(tr("确认领取 (Enter)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消 (Esc)"))
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 380)
        self._recipient: tuple[int | None, str] = (None, "")
        if parcel is not None:
            self.person.set_value({"id": parcel.recipient_id, "name": parcel.recipient})
            self.load(parcel.recipient_id, parcel.recipient, first=parcel.id, only=only)
            self.taker.setFocus()
        else:
            self.person.setFocus()
        self._update_ok()

    def load(self, recipient_id: int | None, name: str, first: int | None = None, only: bool = False) -> None:
        self._recipient = (recipient_id, name)
        parcels = waiting_for(recipient_id, name)
        if first is not None:
            parcels.sort(key=lambda p: p.id != first)
        self.list.clear()
        for p in parcels:
            days = waiting_days(p.received_at)
            wait = tr("今天到") if days == 0 else f"已等 {days} 天"
            item = QListWidgetItem(f"{p.tracking_no or '（无单号）'}　{p.carrier}　{p.pieces} 件　"
                                   f"货架 {p.shelf or '—'}　{p.received_at:%m-%d %H:%M} {wait}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if only and p.id != first else Qt.CheckState.Checked)
            self.list.addItem(item)
        if not self.taker.text().strip() or self.taker.selected() is None:
            self.taker.set_value({"id": recipient_id, "name": name})
        self.error.setText("" if parcels else f"{name} " + tr("没有待领取的快递。"))
        self._update_ok()

    def checked(self) -> list[Parcel]:
        ids = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
               if self.list.item(i).checkState() == Qt.CheckState.Checked]
        return parcels_by_ids(ids)

    def _update_ok(self) -> None:
        n = sum(1 for i in range(self.list.count()) if self.list.item(i).checkState() == Qt.CheckState.Checked)
        self.ok.setEnabled(n > 0)
        self.ok.setText(tr("确认领取") + (f" {n} 件" if n else "") + " (Enter)")

    def _person_enter(self) -> None:
        if _enter_picks_first(self.person):
            self.taker.setFocus()
            return
        c = self.person.selected()
        if c is not None:
            self.load(c.id, c.name)
            self.taker.setFocus()
        elif self.person.text().strip():
            self.load(None, self.person.text().strip())

    def _taker_enter(self) -> None:
        if _enter_picks_first(self.taker):
            return
        self.try_accept()

    def try_accept(self) -> None:
        parcels = self.checked()
        if not parcels:
            self.error.setText(tr("请勾选要领取的快递"))
            return
        taker = self.taker.value()
        if not taker.get("name"):
            self.error.setText(tr("请填写领取人"))
            self.taker.setFocus()
            return
        try:
            self.done_parcels = pick_up(parcels, taker, note=self.note.text())
        except ValidationError as e:
            self.error.setText("；".join(e.errors.values()))
            return
        except NeiqinError as e:
            self.error.setText(str(e))
            return
        self.accept()

    def keyPressEvent(self, event) -> None:  # Enter on the list confirms, as everywhere else
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.focusWidget() is self.list:
            self.try_accept()
            return
        super().keyPressEvent(event)


# ---------------------------------------------------------------------------------------------- carrier rules


class CarrierRulesDialog(QDialog):
    """The ordered rule table: 匹配方式, 规则, 快递公司, 示例单号; the first matching rule wins."""

    COLS = ["匹配方式", "规则", "快递公司", "示例单号"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("快递公司识别规则"))
        layout = QVBoxLayout(self)
        hint = QLabel(tr("扫描运单号时从上到下逐条比对，第一条符合的规则决定快递公司；都不符合的记为“其他”。"
                         "“开头是”按单号开头的字母数字匹配；“正则表达式”须与整个单号匹配。"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, len(self.COLS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLS])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        for text, slot in ((tr("添加"), self.add_row), (tr("删除"), self.remove_row), (tr("上移"), lambda: self.move(-1)),
                           (tr("下移"), lambda: self.move(1)), (tr("恢复默认"), self.restore_defaults)):
            b = QPushButton(text)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(QLabel(tr("试一试：")))
        self.trial = QLineEdit()
        self.trial.setPlaceholderText(tr("输入或扫描一个单号"))
        self.trial.textChanged.connect(self.try_number)
        row.addWidget(self.trial)
        self.trial_result = QLabel()
        self.trial_result.setMinimumWidth(120)
        row.addWidget(self.trial_result)
        layout.addLayout(row)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(buttons)
        self.set_rules([r.as_dict() for r in carrier_rules()])
        self.resize(760, 520)

    def set_rules(self, rules: list[dict]) -> None:
        self.table.setRowCount(0)
        for r in rules:
            self.add_row(rule=r)

    def add_row(self, *, rule: dict | None = None) -> None:  # keyword-only: 添加's slot
        rule = rule if rule is not None else {"kind": PREFIX, "pattern": "", "carrier": "", "example": ""}
        i = self.table.rowCount()
        self.table.insertRow(i)
        kind = QComboBox()
        for key, label in RULE_KINDS.items():
            kind.addItem(tr(label), key)
        kind.setCurrentIndex(max(kind.findData(rule.get("kind", PREFIX)), 0))
        kind.currentIndexChanged.connect(lambda _: self.try_number())
        self.table.setCellWidget(i, 0, kind)
        for col, key in ((1, "pattern"), (2, "carrier"), (3, "example")):
            self.table.setItem(i, col, QTableWidgetItem(str(rule.get(key) or "")))
        if not rule.get("pattern"):
            self.table.setCurrentCell(i, 1)

    def remove_row(self) -> None:
        i = self.table.currentRow()
        if i >= 0:
            self.table.removeRow(i)

    def move(self, step: int) -> None:
        i = self.table.currentRow()
        j = i + step
        if i < 0 or not 0 <= j < self.table.rowCount():
            return
        rules = self.rules()
        rules[i], rules[j] = rules[j], rules[i]
        self.set_rules(rules)
        self.table.setCurrentCell(j, 1)

    def restore_defaults(self) -> None:
        self.set_rules([dict(r) for r in DEFAULT_RULES])

    def rules(self) -> list[dict]:
        out = []
        for i in range(self.table.rowCount()):
            kind = self.table.cellWidget(i, 0).currentData()
            vals = [(self.table.item(i, c).text() if self.table.item(i, c) else "") for c in (1, 2, 3)]
            if not any(v.strip() for v in vals):
                continue  # an empty row left by 添加
            out.append({"kind": kind, "pattern": vals[0], "carrier": vals[1], "example": vals[2]})
        return out

    def try_number(self) -> None:
        number = self.trial.text()
        if not number.strip():
            self.trial_result.setText("")
            return
        try:
            rules = check_rules(self.rules())
        except ValidationError:
            self.trial_result.setText(tr("（规则有误）"))
            return
        self.trial_result.setText("→ " + recognise(number, rules))

    def save(self) -> None:
        for i in range(self.table.rowCount()):
            for c in (1, 2, 3):
                if self.table.item(i, c):
                    self.table.item(i, c).setBackground(Qt.GlobalColor.white)
        try:
            save_carrier_rules(self.rules())
        except ValidationError as e:
            self.error.setText("；".join(e.errors.values()))
            for key in e.errors:
                field, _, row = key.partition(":")
                col = {"pattern": 1, "carrier": 2, "example": 3}.get(field)
                if col and row.isdigit() and self.table.item(int(row), col):
                    self.table.item(int(row), col).setBackground(Qt.GlobalColor.yellow)
                    self.table.setCurrentCell(int(row), col)
            return
        self.accept()


__all__ = ["CarrierRulesDialog", "PickupDialog", "ScanDesk"]
