"""来访登记 tab: check-in, appointments, check-out, returning visitors, on-site list, watchlist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import settings
from neiqin.models.staff import Department
from neiqin.models.visitors import (
    APPOINTMENT,
    LEFT,
    NO_SHOW,
    ON_SITE,
    PURPOSE_CHOICES,
    VISIT_FIELDS,
    VISITORS,
    Visit,
    WatchEntry,
    active_watch_entries,
    add_watch,
    arrive,
    check_in,
    check_out,
    close_forgotten,
    make_appointment,
    on_site_counts,
    prefill_from,
    remove_watch,
)
from neiqin.ui.forms import FormField, parse_hhmm
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.operations import write
from neiqin.ui.util import ask_reason, error_label, tr

ON_SITE_COLOR = QColor("#e6f4ea")
APPOINTMENT_COLOR = QColor("#e8f0fe")
NO_SHOW_COLOR = QColor("#f1f3f4")


class VisitorsPane(LedgerPane):
    SPEC = VISITORS  # the main window names and builds the tab from this

    def __init__(self, *args, **kwargs):
        super().__init__(VISITORS, *args, **kwargs)
        self.add_action_button(tr("登记来访"), self.new_record, None, tr("访客到达，登记并发放来访证（Ctrl+N）"))
        self.add_action_button(tr("新建预约"), self.new_appointment, "Ctrl+Shift+N")
        self.arrive_btn = self.add_action_button(tr("预约到达"), self.arrive_selected, "Ctrl+R")
        self.leave_btn = self.add_action_button(tr("登记离开"), self.check_out_selected, "Ctrl+L")
        self.again_btn = self.add_action_button(tr("再次来访"), self.returning_visitor, "Ctrl+Shift+R",
                                                tr("以所选访客的信息快速登记"))
        self.add_action_button(tr("在场访客"), lambda: self.set_status_filter("on_site"), "F6")
        self.add_action_button(tr("今日来访"), lambda: self.set_status_filter("today"), "F7")
        self.add_action_button(tr("谢绝名单…"), self.edit_watchlist)
        self.badge_btn = self.add_action_button(tr("打印来访证"), self.print_badge, "Ctrl+B",
                                                tr("为所选访客打印来访证"))
        self.slip_btn = self.add_action_button(tr("来访单"), self.print_slip, None, tr("打印所选访客的来访单"))
        self.add_action_button(tr("在场访客清单"), self.print_on_site, None, tr("疏散清点用：打印当前全部在场访客"))
        self.finish_action_bar()
        self.badge_on_checkin = QCheckBox(tr("登记后打印来访证"))
        self.badge_on_checkin.setChecked(bool(settings.get("visitor.print_badge_on_checkin")))
        self.badge_on_checkin.toggled.connect(lambda on: settings.set_value("visitor.print_badge_on_checkin", on))
        self.action_bar.addWidget(self.badge_on_checkin)
        self.on_site_label = QLabel()
        self.action_bar.addWidget(self.on_site_label)
        self.selection_changed()
        self.update_on_site()
        self.recordsChanged.connect(self.update_on_site)

    # ---- colours and state

    def row_background(self, row: dict) -> QColor | None:
        return {ON_SITE: ON_SITE_COLOR, APPOINTMENT: APPOINTMENT_COLOR, NO_SHOW: NO_SHOW_COLOR}.get(row["status"])

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        live = bool(row) and not row["voided"]
        self.arrive_btn.setEnabled(live and row["status"] == APPOINTMENT)
        self.leave_btn.setEnabled(live and row["status"] == ON_SITE)
        self.again_btn.setEnabled(bool(row))
        self.badge_btn.setEnabled(live and row["status"] in (ON_SITE, LEFT))
        self.slip_btn.setEnabled(live and row["status"] != APPOINTMENT)

    def update_on_site(self) -> None:
        n, total = on_site_counts()
        self.on_site_label.setText(f"在场 {n} 批 {total} 人" if n else tr("当前无在场访客"))

    # ---- form

    def form_fields(self, record: Any = None) -> list[FormField]:
        appointment = (record is not None and record.status == APPOINTMENT) or getattr(self, "_appointment", False)
        deps = Department.names()
        fields = VISIT_FIELDS.form(
            "name", "company", "id_type", "id_number", "phone", "party_size", "host", "host_dept", "purpose",
            "badge_no", "belongings", "plate", *(("visit_date", "expected_at") if appointment else
                                                  ("visit_date", "arrive_at", "leave_at")), "note",
            host_dept={"kind": "editable_combo", "choices": ["", *deps], "max_len": 0},
            purpose={"choices": ["", *self._purposes()]},
            visit_date={"label": "预约日期" if appointment else "日期"},
            expected_at={"kind": "time", "placeholder": "14:30"},
            arrive_at={"kind": "time"},
            leave_at={"kind": "time", "placeholder": tr("未离开留空")})
        return fields

    def _purposes(self) -> list[str]:
        from neiqin.models.base import FieldHistory

        seen = FieldHistory.values("visitors", "purpose", 50)
        return seen + [p for p in PURPOSE_CHOICES if p not in seen]

    def new_values(self) -> dict:
        now = clock.now()
        return {"id_type": settings.get("visitor.default_id_type"), "party_size": 1,
                "purpose": settings.get("visitor.default_purpose") or "", "visit_date": now.date(),
                "arrive_at": now.strftime("%H:%M")}

    def record_values(self, rec: Visit) -> dict:
        values = {f.key: getattr(rec, f.key) for f in self.form_fields(rec)
                  if f.key not in ("host",)}
        values["host"] = {"id": rec.host_id, "name": rec.host_name}
        values["expected_at"] = rec.expected_at.strftime("%H:%M") if rec.expected_at else ""
        values["arrive_at"] = rec.arrive_at.strftime("%H:%M") if rec.arrive_at else ""
        values["leave_at"] = rec.leave_at.strftime("%H:%M") if rec.leave_at else ""
        return values

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = {k: v for k, v in values.items() if k not in ("host", "arrive_at", "leave_at", "expected_at")}
        host = values["host"]
        data["host"] = host["id"]
        data["host_name"] = host["name"]
        if host["id"] and not data.get("host_dept"):
            data["host_dept"] = host["department"]
        day = values["visit_date"]
        errors: dict[str, str] = {}
        for key, label in (("arrive_at", "到达时间"), ("leave_at", "离开时间"), ("expected_at", "预约时间")):
            if key in values:
                data[key] = parse_hhmm(values[key], day, label, key, errors)
        if "leave_at" in values and record is not None and record.status != APPOINTMENT:
            data["status"] = "已离开" if data["leave_at"] else ON_SITE
        if errors:
            raise ValidationError(errors)
        return data

    # ---- actions

    def save_new(self, data: dict) -> Visit:
        if getattr(self, "_appointment", False):
            return make_appointment(data)
        data.pop("leave_at", None)
        return write(self, check_in, data)

    def new_appointment(self) -> Any:
        self._appointment = True
        try:
            tomorrow = clock.today() + dt.timedelta(days=1)
            values = {**self.new_values(), "visit_date": tomorrow, "expected_at": "09:30"}
            return self.open_form(tr("新建预约"), values, lambda v: self.save_new(self.form_data(v)))
        finally:
            self._appointment = False

    def arrive_selected(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        done = self.perform(arrive, rec)
        if done is None:
            return
        visit = done.value
        self.window().statusBar().showMessage(f"{visit.name} 已到达，来访证 {visit.badge_no}", 8000)
        self.after_check_in(visit)

    def check_out_selected(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        if self.perform(check_out, rec) is None:
            return
        self.window().statusBar().showMessage(f"{rec.name} 已离开，请收回来访证 {rec.badge_no}", 8000)

    def returning_visitor(self) -> Any:
        rec = self.require_record()
        if rec is None:
            return None
        values = {**self.new_values(), **prefill_from(rec)}
        values["host"] = {"id": rec.host_id, "name": rec.host_name}
        return self.after_check_in(self.open_form(tr("再次来访") + f" · {rec.name}", values,
                                                  lambda v: self.save_new(self.form_data(v)),
                                                  note=tr("已按上次来访填好，请核对证件和被访人。")))

    def new_record(self) -> Any:
        return self.after_check_in(super().new_record())

    # ---- printouts

    def after_check_in(self, visit: Visit | None) -> Visit | None:
        """With 登记后打印来访证 ticked, the badge dialog follows every check-in, ready for one press."""
        if visit is not None and visit.status == ON_SITE and self.badge_on_checkin.isChecked():
            from neiqin.ui.printing.label_dialog import print_badges

            print_badges(self, [visit])
        return visit

    def print_badge(self) -> None:
        from neiqin.ui.printing.label_dialog import print_badges

        rec = self.require_record()
        if rec is not None:
            print_badges(self, [rec])

    def print_slip(self) -> None:
        from neiqin.ui.printing.label_dialog import preview_visit_slip

        rec = self.require_record()
        if rec is not None:
            preview_visit_slip(self, rec)

    def print_on_site(self) -> None:
        from neiqin.ui.printing.label_dialog import preview_on_site_list

        preview_on_site_list(self)

    def context_actions(self):
        return [(tr("登记离开"), self.check_out_selected), (tr("预约到达"), self.arrive_selected),
                (tr("再次来访…"), self.returning_visitor), (tr("打印来访证…"), self.print_badge),
                (tr("来访单…"), self.print_slip), ("-", None)] + super().context_actions()

    def edit_watchlist(self) -> None:
        WatchlistDialog(self).exec()


class ForgottenVisitsDialog(QDialog):
    """Visitors still marked 在场 at closing time: close them with a note instead of leaving them open."""

    def __init__(self, visits: list[Visit], parent: QWidget | None = None):
        super().__init__(parent)
        self.visits = visits
        self.setWindowTitle(tr("下班提醒：仍有在场访客"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("以下访客没有登记离开。请确认他们已离开后统一补登，补登时间为当天下班时间：")))
        self.list = QListWidget()
        for v in visits:
            self.list.addItem(f"{v.visit_date}  {v.arrive_at:%H:%M}  {v.name}  {v.company}  来访证 {v.badge_no}")
        layout.addWidget(self.list)
        self.note = QLineEdit(tr("未登记离开，下班时确认已离开"))
        self.error = error_label()
        form = QFormLayout()
        form.addRow(tr("说明"), self.note)
        form.addRow("", self.error)
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        buttons.addButton(tr("全部补登离开"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(tr("稍后处理"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.close_all)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def close_all(self) -> None:
        try:
            close_forgotten(self.visits, self.note.text())
        except ValidationError as e:
            self.error.setText(str(e))
            self.note.setFocus()
            return
        self.accept()


class WatchlistDialog(QDialog):
    """谢绝来访名单: add with a reason; remove with a reason; history kept in the audit log."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("谢绝来访名单"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("类型"), tr("内容"), tr("原因"), tr("加入时间")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.kind = QComboBox()
        for key, label in WatchEntry.KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.pattern = QLineEdit(placeholderText=tr("姓名 / 证件号码 / 单位关键词"))
        self.reason = QLineEdit(placeholderText=tr("谢绝原因"))
        add = QPushButton(tr("加入名单"))
        add.clicked.connect(self.add)
        self.reason.returnPressed.connect(self.add)
        for w in (self.kind, self.pattern, self.reason, add):
            row.addWidget(w)
        layout.addLayout(row)
        self.error = error_label()
        layout.addWidget(self.error)
        bottom = QHBoxLayout()
        remove = QPushButton(tr("移出名单…"))
        remove.clicked.connect(self.remove)
        bottom.addWidget(remove)
        bottom.addStretch(1)
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.accept)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.entries: list[WatchEntry] = []
        self.reload()
        self.resize(680, 400)

    def reload(self) -> None:
        self.entries = active_watch_entries()
        self.table.setRowCount(0)
        for e in self.entries:
            r = self.table.rowCount()
            self.table.insertRow(r)
            for c, text in enumerate([e.kind_label, e.pattern, e.reason, f"{e.created_at:%Y-%m-%d}"]):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def add(self) -> None:
        try:
            add_watch(self.kind.currentData(), self.pattern.text(), self.reason.text())
        except ValidationError as e:
            self.error.setText(str(e))
            (self.pattern if "pattern" in e.errors else self.reason).setFocus()
            return
        self.error.clear()
        self.pattern.clear()
        self.reason.clear()
        self.reload()

    def remove(self) -> None:
        r = self.table.currentRow()
        if r < 0:
            self.error.setText(tr("请先选择要移出的条目"))
            return
        reason = ask_reason(self, tr("移出名单"), tr("请填写移出原因："))
        if reason:
            remove_watch(self.entries[r], reason)
            self.reload()


def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)
