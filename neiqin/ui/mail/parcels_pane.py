"""快递 views of the 收发文/快递 tab: 快递收件 (the scanner desk over the register), 快递寄件, 寄件费用, 地址簿.

``PARCEL_SUBVIEWS`` are (title, class) pairs the 收发文/快递 tab (documents_pane) places after 收文 and 发文.
``add_settings_page(dialog)`` adds the 快递 page (滞留天数, 寄件信息, 识别规则) to the settings dialog.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
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
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.ledger import LedgerQuery
from neiqin.models.links import link_text, linked_incoming, register_as_incoming
from neiqin.models.mail.addresses import (
    ADDRESSES,
    ORG_FIELDS,
    Organisation,
    find_organisation,
    organisation_names,
    organisations_in_order,
)
from neiqin.models.mail.dispatches import (
    DISPATCH_FIELDS,
    DISPATCHES,
    address_values,
    cost_report,
    edit_dispatch,
    record_dispatch,
    save_to_address_book,
)
from neiqin.models.mail.incoming import INCOMING_FIELDS
from neiqin.models.mail.parcel_rules import (
    OTHER,
    PAY_MODES,
    PICKED,
    RETURNED,
    WAITING,
    carrier_names,
    recognise,
    yuan,
)
from neiqin.models.mail.parcels import (
    PARCEL_FIELDS,
    PARCELS,
    Parcel,
    is_overdue,
    overdue_cutoff,
    overdue_days,
    parcel_by_id,
    receive,
    return_parcel,
    revert_pickup,
    waiting_count,
    waiting_groups,
)
from neiqin.models.staff import Department
from neiqin.ui.forms import FormField, RecordForm
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.mail.parcel_desk import CarrierRulesDialog, PickupDialog, ScanDesk
from neiqin.ui.operations import write
from neiqin.ui.pane import View
from neiqin.ui.settings.settings_pages import add_page
from neiqin.ui.util import ask_reason, error_label, qtoday, show_error, tr

WAITING_COLOR = QColor("#fef7e0")
OVERDUE_COLOR = QColor("#fce8e6")
RETURNED_COLOR = QColor("#f1f3f4")


def _preview(parent: QWidget, title: str, name: str, make) -> Path | None:
    from neiqin.ui.printing.preview import preview_pdf, stamp_path

    path = stamp_path(parent, name)
    shown = preview_pdf(parent, tr(title), path, make)
    return path if shown is not None else None


# ---------------------------------------------------------------------------------------------- 快递收件


def _warm_pinyin() -> None:
    from neiqin.models.mail.parcel_rules import _name_keys

    _name_keys("张三")


class ParcelsPane(LedgerPane):
    SPEC = PARCELS
    SHOWS_ALSO = frozenset({"incoming"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(PARCELS, *args, **kwargs)
        self.desk = ScanDesk(self)
        self.layout().insertWidget(0, self.desk)
        self.desk.received.connect(self.after_scan)
        # a burst of scans tells the other views (收文, 今日 …) once, after the burst, not 40 times
        self._changed_later = QTimer(self, singleShot=True, interval=1500, timeout=self.recordsChanged.emit)
        self.desk.pickupRequested.connect(lambda p: self.pickup(p))
        self.add_action_button(tr("扫描收件"), self.desk.focus_scan, "F2", tr("光标回到扫描框"))
        self.pick_btn = self.add_action_button(tr("领取"), self.pickup_selected, "Ctrl+R",
                                               tr("所选快递的收件人领取（同一人的待领快递一并列出）"))
        self.add_action_button(tr("按人取件…"), lambda: self.pickup(None), "F8",
                               tr("输入姓名，列出并交付此人的全部待领快递"))
        self.return_btn = self.add_action_button(tr("退回…"), self.return_selected, None, tr("拒收或退回快递公司"))
        self.revert_btn = self.add_action_button(tr("撤销领取…"), self.revert_selected, None,
                                                 tr("误登记的领取或退回改回待领取"))
        self.doc_btn = self.add_action_button(tr("登记为收文…"), self.register_incoming, "Ctrl+Shift+D",
                                              tr("快递里是公文：登记收文并保持关联"))
        self.slip_btn = self.add_action_button(tr("取件通知单"), self.print_slips, "Ctrl+Shift+P",
                                               tr("为所选快递的收件人打印取件通知单（未选则全部待领取的人）"))
        self.add_action_button(tr("待领取清单"), self.print_waiting_list, None, tr("打印今日待领取快递清单"))
        self.add_action_button(tr("待领取"), lambda: self.set_status_filter("waiting"), "F6")
        self.add_action_button(tr("滞留"), lambda: self.set_status_filter("overdue"), "F7")
        self.add_action_button(tr("识别规则…"), self.edit_rules, None, tr("快递公司识别规则"))
        self.add_action_button(tr("快递设置…"), self.edit_settings, None, tr("滞留天数、信封寄件信息"))
        self.finish_action_bar()
        self.waiting_label = QLabel()
        self.action_bar.addWidget(self.waiting_label)
        self.detail = QLabel()
        self.detail.setStyleSheet("color:#444; padding:2px 4px;")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout().addWidget(self.detail)
        QShortcut(QKeySequence("Escape"), self.table, activated=self.desk.focus_scan,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.recordsChanged.connect(self.update_waiting)
        self.update_waiting()
        self.selection_changed()
        QTimer.singleShot(800, _warm_pinyin)  # the first scan should not pay for importing the dictionary

    def showEvent(self, event) -> None:  # the scan field is where a clerk starts (after the tab focused its table)
        super().showEvent(event)
        QTimer.singleShot(0, self.desk.focus_scan)

    # ---- colours and state

    def row_background(self, row: dict) -> QColor | None:
        if row["status"] == WAITING:
            return OVERDUE_COLOR if is_overdue(row, cutoff=self._cutoff()) else WAITING_COLOR
        return RETURNED_COLOR if row["status"] == RETURNED else None

    def _cutoff(self) -> dt.datetime:
        """The 滞留 cutoff, read from the settings once a minute, not for every cell painted."""
        moment = clock.now()
        cached = getattr(self, "_cutoff_cache", None)
        if cached is None or moment - cached[0] > dt.timedelta(minutes=1):
            cached = self._cutoff_cache = (moment, overdue_cutoff(moment))
        return cached[1]

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        live = bool(row) and not row["voided"]
        self.pick_btn.setEnabled(live and row["status"] == WAITING)
        self.return_btn.setEnabled(live and row["status"] == WAITING)
        self.revert_btn.setEnabled(live and row["status"] in (PICKED, RETURNED))
        self.doc_btn.setEnabled(live)
        self.detail.setText(self.detail_text(row) if row else "")

    def detail_text(self, row: dict) -> str:
        bits = [f"{row['tracking_no'] or '（无单号）'} {row['carrier']} → {row['recipient']}"]
        if row["status"] == PICKED and row["picked_at"]:
            proxy = "（代领）" if row["picked_by"] != row["recipient"] else ""
            bits.append(f"{row['picked_by']}{proxy} 于 {row['picked_at']:%Y-%m-%d %H:%M} 领取")
        elif row["status"] == RETURNED:
            bits.append(f"已退回：{row['return_reason']}")
        elif row["status"] == WAITING:
            bits.append(f"待领取，货架 {row['shelf'] or '—'}" + ("，已滞留" if is_overdue(row, cutoff=self._cutoff())
                                                                  else ""))
        if row["voided"]:
            bits.append(f"已作废：{row['void_reason']}")
        rec = parcel_by_id(row["id"])
        link = link_text(rec) if rec is not None else ""
        if link:
            bits.append(link)
        if row["note"]:
            bits.append(f"备注：{row['note']}")
        return "　·　".join(bits)

    def after_scan(self, parcel: Parcel) -> None:
        """The new row on top and selected, the counter updated; the other views hear of it after the burst."""
        self.apply_filters()
        self.select_id(parcel.id)
        self.update_waiting()
        self._changed_later.start()

    def refresh(self) -> None:
        self._cutoff_cache = None
        super().refresh()
        self.update_waiting()

    def update_waiting(self) -> None:
        n, late = waiting_count()
        text = f"待领取 {n} 件" if n else tr("没有待领取的快递")
        if late:
            text += f"，滞留（超过 {overdue_days()} 天）{late} 件"
        self.waiting_label.setText(text)
        self.waiting_label.setStyleSheet("color:#c5221f" if late else "color:#555")

    # ---- form (manual entry and corrections)

    def form_fields(self, record: Any = None) -> list[FormField]:
        return PARCEL_FIELDS.form(
            "tracking_no", "carrier", "recipient", "department", "pieces", "shelf", "sender", "received_at", "note",
            carrier={"choices": ["", *carrier_names()]}, recipient={"kind": "staff"},
            department={"kind": "editable_combo", "choices": ["", *Department.names()]})

    def new_values(self) -> dict:
        return {"pieces": 1, "received_at": clock.now().replace(second=0, microsecond=0)}

    def record_values(self, record: Any) -> dict:
        values = super().record_values(record)
        values["recipient"] = {"id": record.recipient_id, "name": record.recipient}
        return values

    def save_new(self, data: dict) -> Any:
        return write(self, receive, data)

    # ---- actions

    def _selected_parcel(self, states: tuple[str, ...] = (WAITING,)) -> Parcel | None:
        p = self.require_record()
        if p is None:
            return None
        if p.voided or p.status not in states:
            QMessageBox.information(self, tr("无法办理"), f"{PARCELS.describe(p)} " + tr("当前为“") +
                                    ("已作废" if p.voided else p.status) + tr("”。"))
            return None
        return p

    def pickup_selected(self) -> list[Parcel]:
        p = self._selected_parcel()
        return self.pickup(p) if p is not None else []

    def pickup(self, parcel: Parcel | None) -> list[Parcel]:
        dlg = PickupDialog(self, parcel)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            self.desk.focus_scan()
            return []
        done = dlg.done_parcels
        if done:
            self.after_change(done[0].id)
            who = done[0].picked_by
            self.desk.say(f"✓ {who} " + tr("领取") + f" {len(done)} " + tr("件：") +
                          "、".join(p.tracking_no or "（无单号）" for p in done), ok=True)
        self.desk.focus_scan()
        return done

    def return_selected(self) -> Parcel | None:
        p = self._selected_parcel()
        if p is None:
            return None
        reason = ask_reason(self, tr("退回快递"), tr("请填写退回原因：") + f"\n{PARCELS.describe(p)}",
                            tr("例如：收件人已离职，拒收"))
        if reason is None:
            return None
        done = self.perform(return_parcel, p, reason)
        if done is None:
            return None
        p = done.value
        return p

    def revert_selected(self) -> Parcel | None:
        p = self._selected_parcel((PICKED, RETURNED))
        if p is None:
            return None
        reason = ask_reason(self, tr("撤销领取/退回"), tr("改回待领取，原记录保留在修改记录中。请填写原因：") +
                            f"\n{PARCELS.describe(p)}", tr("例如：点错了人"))
        if reason is None:
            return None
        done = self.perform(revert_pickup, p, reason)
        if done is None:
            return None
        p = done.value
        return p

    def register_incoming(self) -> Any:
        """登记为收文: a short 收文 form here, prefilled from the parcel; the 收文 and the parcel are linked."""
        p = self._selected_parcel((WAITING, PICKED, RETURNED))
        if p is None:
            return None
        existing = linked_incoming(p)
        if existing is not None or p.incoming_no:
            QMessageBox.information(self, tr("已登记收文"), link_text(p))
            return existing
        fields = INCOMING_FIELDS.form("title", "sender_org", "sender_no", "copies", sender_org={"history": None},
                                      sender_no={"placeholder": tr("如 京建发〔2026〕12号")})
        form = RecordForm(tr("登记为收文") + f" · {p.tracking_no}", fields,
                          lambda v: register_as_incoming(parcel_by_id(p.id), v),
                          {"sender_org": p.sender, "copies": 1}, self,
                          note=tr("快递里是公文：登记为收文后，两条记录互相关联。"))
        if form.exec() == QDialog.DialogCode.Accepted:
            self.after_change(p.id)
            return form.result_record
        return None

    def print_slips(self) -> Path | None:
        from neiqin.reports.parcel_forms import write_pickup_slips

        p = self.current_record()
        if p is not None and p.status == WAITING and not p.voided:
            groups = waiting_groups(recipient_ids=[p.recipient_id]) if p.recipient_id else \
                [g for g in waiting_groups() if g.recipient == p.recipient and g.recipient_id is None]
        else:
            groups = waiting_groups()
        if not groups:
            QMessageBox.information(self, tr("取件通知单"), tr("没有待领取的快递。"))
            return None
        org = settings.org_name()
        return _preview(self, "取件通知单", "取件通知单",
                        lambda out, progress, cancelled: write_pickup_slips(out, groups, org_name=org))

    def print_waiting_list(self) -> Path | None:
        from neiqin.reports.parcel_forms import write_waiting_list

        org = settings.org_name()
        return _preview(self, "待领取快递清单", "待领取快递清单", lambda out, progress, cancelled: write_waiting_list(
            out, org_name=org, progress=progress, cancelled=cancelled))

    def edit_rules(self) -> None:
        if CarrierRulesDialog(self).exec() == QDialog.DialogCode.Accepted:
            self.desk.carrier.clear()
            self.desk.carrier.addItems(carrier_names())
            self.desk.carrier.setCurrentText("")

    def edit_settings(self) -> None:
        if ParcelSettingsDialog(self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def context_actions(self) -> list[tuple[str, Any]]:
        return [(tr("领取…"), self.pickup_selected), (tr("退回…"), self.return_selected),
                (tr("撤销领取/退回…"), self.revert_selected), (tr("登记为收文…"), self.register_incoming),
                (tr("打印取件通知单"), self.print_slips), ("-", None), *super().context_actions()]


# ---------------------------------------------------------------------------------------------- 快递寄件


class DispatchesPane(LedgerPane):
    SPEC = DISPATCHES
    SHOWS_ALSO = frozenset({"outgoing", "addresses"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(DISPATCHES, *args, **kwargs)
        self.add_action_button(tr("寄件登记"), self.new_record, None, tr("登记寄出的快递或挂号信（Ctrl+N）"))
        self.envelope_btn = self.add_action_button(tr("打印信封"), self.print_envelope, "Ctrl+Shift+P",
                                                   tr("为所选寄件打印信封"))
        self.add_action_button(tr("再寄一件"), self.send_again, "Ctrl+Shift+N", tr("以所选寄件的收件信息新建"))
        self.add_action_button(tr("费用统计"), self.show_costs, None, tr("按部门按月统计寄件费用"))
        self.finish_action_bar()
        self.detail = QLabel()
        self.detail.setStyleSheet("color:#444; padding:2px 4px;")
        self.layout().addWidget(self.detail)
        self.selection_changed()

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        self.envelope_btn.setEnabled(bool(row) and not row["voided"])
        if not row:
            self.detail.setText("")
            return
        bits = [f"{row['recipient_org']} {row['recipient']}".strip(), f"{row['postcode']} {row['address']}".strip(),
                f"{row['pay_mode']} {yuan(row['cost_fen'])} 元"]
        if row["outgoing_no"]:
            bits.append(f"随寄发文 {row['outgoing_no']}")
        if row["voided"]:
            bits.append(f"已作废：{row['void_reason']}")
        self.detail.setText("　·　".join(b for b in bits if b))

    def form_fields(self, record: Any = None) -> list[FormField]:
        return DISPATCH_FIELDS.form(
            "send_date", "tracking_no", "carrier", "sender", "department", "recipient_org", "recipient", "address",
            "postcode", "phone", "contents", "pay_mode", "cost", "outgoing_no", "note",
            carrier={"choices": carrier_names(), "required": True}, sender={"kind": "staff"},
            department={"kind": "editable_combo", "choices": ["", *Department.names()]},
            recipient_org={"kind": "editable_combo", "choices": ["", *organisation_names()]},
            cost={"max_len": 12})

    def record_values(self, record: Any) -> dict:
        values = super().record_values(record)
        values["sender"] = {"id": record.sender_id, "name": record.sender}
        values["cost"] = yuan(record.cost_fen) if record.cost_fen else ""
        return values

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        if isinstance(data.get("sender"), dict) and not data.get("department"):
            data["department"] = data["sender"].get("department") or ""
        return data

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        form = RecordForm(title, self.form_fields(record), save, values, self, note=note)
        self._wire_form(form)
        if form.exec() == QDialog.DialogCode.Accepted and form.result_record is not None:
            self.after_change(form.result_record.id)
            self._offer_address_book(form.result_record)
            return form.result_record
        return None

    def _wire_form(self, form: RecordForm) -> None:
        """收件单位 from the address book fills 收件人, 地址, 邮编, 电话; the sender fills 寄件部门."""
        org = form.widgets["recipient_org"]
        completer = QCompleter(organisation_names(), org)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        org.setCompleter(completer)
        filled: dict[str, str] = {}

        def fill(name: str) -> None:
            values = address_values(name.strip())
            if not values:
                return
            for key in ("recipient", "address", "postcode", "phone"):
                w = form.widgets[key]
                if not w.text().strip() or w.text() == filled.get(key):
                    w.setText(values[key])
                    filled[key] = values[key]

        org.currentTextChanged.connect(fill)
        completer.activated[str].connect(fill)

        def carrier_from_number() -> None:  # a scanned 面单 names its carrier
            carrier = recognise(form.widgets["tracking_no"].text())
            if carrier and carrier != OTHER:
                form.widgets["carrier"].setEditText(carrier)

        form.widgets["tracking_no"].textChanged.connect(carrier_from_number)
        form.widgets["sender"].chosen.connect(
            lambda c: form.widgets["department"].setEditText(c.department) if c is not None else None)

    def _offer_address_book(self, d: Any) -> None:
        if not d.recipient_org or d.org_id or find_organisation(d.recipient_org) is not None:
            return
        if QMessageBox.question(self, tr("存入地址簿"), f"“{d.recipient_org}”" + tr("不在地址簿中，要存入地址簿以便下次选用吗？"),
                                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                QMessageBox.StandardButton.Yes) == QMessageBox.StandardButton.Yes:
            self.perform(save_to_address_book, d)

    def new_values(self) -> dict:
        return {"send_date": clock.today(), "pay_mode": PAY_MODES[0]}

    def save_new(self, data: dict) -> Any:
        return record_dispatch(data)

    def save_edit(self, record: Any, data: dict) -> Any:
        return edit_dispatch(record, data)

    def send_again(self) -> Any:
        d = self.require_record()
        if d is None:
            return None
        values = {**self.new_values(), "recipient_org": d.recipient_org, "recipient": d.recipient,
                  "address": d.address, "postcode": d.postcode, "phone": d.phone, "carrier": d.carrier,
                  "contents": d.contents, "pay_mode": d.pay_mode}
        return self.open_form(tr("寄件登记") + " · " + tr("再寄一件"), values, lambda v: self.save_new(self.form_data(v)))

    def print_envelope(self) -> Any:
        d = self.require_record()
        if d is None:
            return None
        from neiqin.ui.printing.envelope_dialog import print_envelopes

        return print_envelopes(self, [d])

    def show_costs(self) -> None:
        tab = self.tab()
        view = tab.find_view(CostView) if tab is not None else None
        if view is not None:
            tab.show_view(view)
            view.refresh()
            return
        dlg = QDialog(self)
        dlg.setWindowTitle(tr("寄件费用统计"))
        QVBoxLayout(dlg).addWidget(CostView(self))
        dlg.resize(900, 500)
        dlg.exec()


# ---------------------------------------------------------------------------------------------- 寄件费用


class CostView(View):
    """Dispatch cost per department and month, on screen; 打印 and 导出 print and export this table."""

    ACTIONS = frozenset({"print", "export"})
    LEDGERS = frozenset({"dispatches"})

    def __init__(self, pane: QWidget):
        super().__init__(pane)
        self.pane = pane
        self.datadir = pane.datadir
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        today = qtoday()
        self.date_from = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM")
        self.date_to = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM")
        self.date_from.setDate(QDate(today.year(), 1, 1))
        self.date_to.setDate(today)
        self.preset = QComboBox()
        self.preset.addItems([tr("今年"), tr("近12个月"), tr("上月"), tr("本月"), tr("去年"), tr("自定义")])
        self.preset.currentIndexChanged.connect(self._preset)
        for w in (self.date_from, self.date_to):
            w.dateChanged.connect(self.refresh)
        bar.addWidget(QLabel(tr("统计期间")))
        bar.addWidget(self.preset)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.date_to)
        for text, slot in ((tr("打印 (Ctrl+P)"), self.print_view), (tr("导出 Excel (Ctrl+E)"), self.export_view)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            bar.addWidget(b)
        bar.addStretch(1)
        self.summary = QLabel()
        bar.addWidget(self.summary)
        layout.addLayout(bar)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.error = error_label()
        layout.addWidget(self.error)
        self.report = None
        self._preset()

    def _range(self) -> tuple[dt.date, dt.date]:
        a = self.date_from.date().toPython().replace(day=1)
        b = self.date_to.date().toPython()
        nxt = (b.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return a, nxt - dt.timedelta(days=1)

    def _preset(self) -> None:
        today = clock.today()
        name = self.preset.currentText()
        first_this = today.replace(day=1)
        last_prev = first_this - dt.timedelta(days=1)
        ranges = {tr("今年"): (today.replace(month=1, day=1), today),
                  tr("近12个月"): ((first_this - dt.timedelta(days=335)).replace(day=1), today),
                  tr("上月"): (last_prev.replace(day=1), last_prev), tr("本月"): (first_this, today),
                  tr("去年"): (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))}
        custom = name not in ranges
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            a, b = ranges[name]
            for w, d in ((self.date_from, a), (self.date_to, b)):
                w.blockSignals(True)
                w.setDate(QDate(d.year, d.month, d.day))
                w.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        self.error.setText("")
        try:
            self.report = cost_report(*self._range())
        except ValidationError as e:
            self.error.setText(str(e))
            return
        r = self.report
        headers = [tr("部门"), *(f"{int(m[5:])}月" if r.months[0][:4] == r.months[-1][:4] else m for m in r.months),
                   tr("件数"), tr("合计(元)")]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        rows = [*r.departments, None]
        self.table.setRowCount(len(rows))
        for i, d in enumerate(rows):
            cells = [tr("合计") if d is None else d]
            for m in r.months:
                fen = r.fen(d, m) if d is not None else r.fen(month=m)
                cells.append(yuan(fen) if fen else "")
            cells += [str(r.count(d)), yuan(r.fen(d))]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if d is None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, j, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary.setText(f"共 {r.count()} 件，合计 {yuan(r.fen())} 元")
        self.update_count()

    def count_and_description(self) -> tuple[int, str]:
        n = self.report.count() if self.report else 0
        a, b = self._range()
        return n, f"寄件费用 {a:%Y-%m} 至 {b:%Y-%m}"

    def print_view(self) -> Path | None:
        from neiqin.reports.parcel_forms import write_cost_report_pdf

        if self.report is None:
            return None
        report, org = self.report, settings.org_name()
        return _preview(self, "寄件费用统计表", "寄件费用统计表",
                        lambda out, progress, cancelled: write_cost_report_pdf(out, report, org_name=org))

    def export_view(self) -> Path | None:
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        from neiqin.reports.parcel_forms import export_cost_report_xlsx

        if self.report is None:
            return None
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        a, b = self._range()
        path, _ = QFileDialog.getSaveFileName(self, tr("导出"), str(Path(docs) / f"寄件费用-{a:%Y%m}-{b:%Y%m}.xlsx"),
                                              "Excel (*.xlsx)")
        if not path:
            return None
        path = path if path.lower().endswith(".xlsx") else path + ".xlsx"
        try:
            export_cost_report_xlsx(path, self.report, org_name=settings.org_name())
        except NeiqinError as e:
            show_error(self, e)
            return None
        return Path(path)


# ---------------------------------------------------------------------------------------------- 地址簿


class AddressBookPane(LedgerPane):
    SPEC = ADDRESSES
    BATCH_LIMIT = 500

    def __init__(self, *args, **kwargs):
        super().__init__(ADDRESSES, *args, **kwargs)
        self.add_action_button(tr("新增单位"), self.new_record, None, tr("新增通讯地址（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record, None, tr("修改所选单位（双击同）"))
        self.add_action_button(tr("打印信封"), self.print_envelope, "Ctrl+Shift+P", tr("为所选单位打印信封"))
        self.add_action_button(tr("批量信封…"), self.print_envelopes_for_view, None,
                               tr("为当前列表（可先查找筛选）中的全部单位打印信封"))
        self.add_action_button(tr("地址标签…"), self.print_labels, None, tr("为当前列表中的单位打印地址标签"))
        self.finish_action_bar()

    def form_fields(self, record: Any = None) -> list[FormField]:
        return ORG_FIELDS.form(*(f.key for f in ORG_FIELDS))

    def view_records(self) -> list[Organisation]:
        q = self.model.query
        ids = [r["id"] for r in ADDRESSES.iter_rows(LedgerQuery(search=q.search, status=q.status, sort=q.sort,
                                                                desc=q.desc, include_voided=False))]
        if len(ids) > self.BATCH_LIMIT:
            raise NeiqinError(f"当前列表有 {len(ids)} 个单位，一次最多打印 {self.BATCH_LIMIT} 个，请先查找筛选")
        return organisations_in_order(ids)

    def print_envelope(self) -> Any:
        org = self.require_record()
        if org is None:
            return None
        from neiqin.ui.printing.envelope_dialog import print_envelopes

        return print_envelopes(self, [org])

    def print_envelopes_for_view(self) -> Any:
        from neiqin.ui.printing.envelope_dialog import print_envelopes

        try:
            orgs = self.view_records()
        except NeiqinError as e:
            show_error(self, e)
            return None
        return print_envelopes(self, orgs)

    def print_labels(self) -> Any:
        from neiqin.reports.templates import AddressLabel
        from neiqin.ui.printing.label_dialog import LabelPrintDialog

        try:
            orgs = self.view_records()
        except NeiqinError as e:
            show_error(self, e)
            return None
        if not orgs:
            return None
        labels = [AddressLabel(f"{o.name} {o.contact}".strip(), o.address, o.postcode, o.phone) for o in orgs]
        dlg = LabelPrintDialog(self, labels, title="地址标签")
        dlg.exec()
        return dlg


# ---------------------------------------------------------------------------------------------- settings


class ParcelSettingsPage(QWidget):
    """滞留天数, the envelope sender and the carrier rules: a page of the settings dialog."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        f = QFormLayout(self)
        self.overdue = QSpinBox(minimum=1, maximum=60, suffix=tr(" 天"))
        self.overdue.setValue(overdue_days())
        f.addRow(tr("待领取超过"), self.overdue)
        f.addRow("", QLabel(tr("超过天数仍未领取的快递标红，并列入今日提醒。")))
        self.name = QLineEdit(settings.get("parcels.sender_name") or "")
        self.name.setPlaceholderText(tr("留空用单位名称"))
        self.address = QLineEdit(settings.get("parcels.sender_address") or "")
        self.postcode = QLineEdit(settings.get("parcels.sender_postcode") or "")
        self.postcode.setMaxLength(6)
        self.phone = QLineEdit(settings.get("parcels.sender_phone") or "")
        self.error = error_label()
        f.addRow(tr("信封寄件单位"), self.name)
        f.addRow(tr("信封寄件地址"), self.address)
        f.addRow(tr("寄件邮编"), self.postcode)
        f.addRow(tr("寄件电话"), self.phone)
        f.addRow("", self.error)
        rules = QPushButton(tr("快递公司识别规则…"))
        rules.clicked.connect(lambda: CarrierRulesDialog(self).exec())
        f.addRow("", rules)

    def save(self) -> bool:
        code = self.postcode.text().strip()
        if code and not (len(code) == 6 and code.isdigit()):
            self.error.setText(tr("邮政编码应为 6 位数字"))
            self.postcode.setFocus()
            return False
        settings.set_value("parcels.overdue_days", self.overdue.value())
        settings.set_value("parcels.sender_name", self.name.text().strip())
        settings.set_value("parcels.sender_address", self.address.text().strip())
        settings.set_value("parcels.sender_postcode", code)
        settings.set_value("parcels.sender_phone", self.phone.text().strip())
        return True


def add_settings_page(dialog: Any) -> ParcelSettingsPage:
    """Add the 快递 page to the settings dialog (its ``tabs`` and ``extra_pages`` hooks)."""
    page = add_page(dialog, ParcelSettingsPage(dialog), tr("快递"))
    return page


class ParcelSettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("快递设置"))
        layout = QVBoxLayout(self)
        self.page = ParcelSettingsPage(self)
        layout.addWidget(self.page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(lambda: self.page.save() and self.accept())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


PARCEL_SUBVIEWS: list = [("快递收件", ParcelsPane), ("快递寄件", DispatchesPane), ("寄件费用", CostView),
                         ("地址簿", AddressBookPane)]

__all__ = ["PARCEL_SUBVIEWS", "AddressBookPane", "CostView", "DispatchesPane", "ParcelSettingsDialog",
           "ParcelsPane", "add_settings_page"]
