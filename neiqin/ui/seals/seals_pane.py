"""用印登记 tab: sub-views 用印 / 外借 / 印章 / 证照 / 统计 behind one tab (Alt+1 … Alt+5).

The main window routes its actions (新建, 打印, 导出, 作废 …) to this pane, which passes them to the sub-view in
front. Seal uses are recorded step by step in their own dialogs (seal_dialogs); uses and loans cannot be edited,
only voided (and re-recorded), because they are chained evidence.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QMargins, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin.models import settings
from neiqin.models.seals.attachments import attach_files, attachments_of, store_attachment
from neiqin.models.seals.chain import verify_chain
from neiqin.models.seals.loans import OUT, SEAL_LOANS, is_overdue, overdue_loans
from neiqin.models.seals.registry import (
    LICENCE_FIELDS,
    LICENCES,
    SEAL_FIELDS,
    SEAL_LENT,
    SEAL_STATUSES,
    SEALS,
    expiring_licences,
    licence_state,
)
from neiqin.models.seals.uses import (
    APPROVED,
    PENDING,
    REJECTED,
    SEAL_USES,
    STAT_GROUPS,
    SealUse,
    correction_values,
    next_step,
    use_stats,
)
from neiqin.ui.forms import FormField
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.multi_pane import MultiViewPane
from neiqin.ui.pane import View
from neiqin.ui.seals.seal_dialogs import StepForm, lend_dialog, return_dialog, run_use_process
from neiqin.ui.util import ask_reason, qtoday, show_error, tr

PENDING_COLOR = QColor("#fef7e0")
APPROVED_COLOR = QColor("#e8f0fe")
REJECTED_COLOR = QColor("#f1f3f4")
OUT_COLOR = QColor("#fef7e0")
OVERDUE_COLOR = QColor("#fce8e6")
EXPIRING_COLOR = QColor("#fef7e0")
EXPIRED_COLOR = QColor("#fce8e6")


def _open_file(path: Path) -> None:
    if not os.environ.get("NEIQIN_NO_OPEN"):
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_verification(parent: QWidget, datadir) -> Any:
    try:
        report = verify_chain(datadir.attachments)
    except Exception as e:  # noqa: BLE001
        show_error(parent, e)
        return None
    if report.ok:
        QMessageBox.information(parent, tr("校验：完整"), report.text())
    else:
        QMessageBox.warning(parent, tr("校验：发现改动"), report.text() + "\n\n" +
                            tr("请勿继续修改数据文件，并从最近的备份核对。"))
    return report


# ---------------------------------------------------------------------------------------------- 用印


class SealUsesPane(LedgerPane):
    SPEC = SEAL_USES
    SHOWS_ALSO = frozenset({"seals"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(SEAL_USES, *args, **kwargs)
        self.add_action_button(tr("用印申请"), self.new_record, None, tr("按纸质申请单登记用印申请（Ctrl+N）"))
        self.step_btn = self.add_action_button(tr("继续办理"), self.continue_process, "Ctrl+R",
                                               tr("录入所选记录的审批或用印（双击同）"))
        self.add_action_button(tr("打印申请单"), self.print_form, "Ctrl+Shift+P")
        self.attach_btn = self.add_action_button(tr("附件…"), self.manage_attachments, "Ctrl+Shift+A",
                                                 tr("查看或添加盖章页扫描件"))
        self.add_action_button(tr("更正…"), self.correct_record, None, tr("作废所选记录并按原内容重新登记"))
        self.add_action_button(tr("校验"), lambda: show_verification(self, self.datadir), "Ctrl+Shift+V",
                               tr("检查用印和外借记录是否被改动"))
        self.finish_action_bar()
        self.selection_changed()

    def row_background(self, row: dict) -> QColor | None:
        return {PENDING: PENDING_COLOR, APPROVED: APPROVED_COLOR, REJECTED: REJECTED_COLOR}.get(row["status"])

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        self.step_btn.setEnabled(bool(row) and not row["voided"] and row["status"] in (PENDING, APPROVED))
        self.attach_btn.setEnabled(bool(row))

    def new_record(self, *, values: dict | None = None) -> Any:  # keyword-only: a button's slot
        use = run_use_process(self, self.datadir.attachments, values=values)
        if use is not None:
            self.after_change(use.id)
        return use

    def continue_process(self) -> Any:
        use = self.require_record()
        if use is None:
            return None
        if not next_step(use):
            QMessageBox.information(self, tr("无需办理"), f"{use.no} 当前为“{use.status}”" +
                                    ("（已作废）" if use.voided else "") + tr("，没有待录入的步骤。"))
            return None
        done = run_use_process(self, self.datadir.attachments, use=use)
        if done is not None:
            self.after_change(done.id)
        return done

    def edit_record(self) -> Any:
        return self.continue_process()

    def correct_record(self) -> Any:
        use = self.require_record()
        if use is None:
            return None
        if use.voided:
            return self.new_record(values=correction_values(use))
        reason = ask_reason(self, tr("更正用印记录"), tr("登记后的用印记录不能修改。更正将作废原记录（保留可查）并重新登记。\n"
                                                      "请填写作废原因：") + f"\n{SEAL_USES.describe(use)}",
                            tr("例如：份数登记错误"))
        if reason is None:
            return None
        done = self.perform(SEAL_USES.void, use, reason)
        if done is None:
            return None
        return self.new_record(values=correction_values(use))

    def print_form(self) -> Path | None:
        use = self.require_record()
        if use is None:
            return None
        from neiqin.reports.seal_forms import write_use_form_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        path = stamp_path(self, f"用印申请单-{use.no}")
        org = settings.org_name()
        shown = preview_pdf(self, tr("用印申请单"), path, lambda out, progress, cancelled: write_use_form_pdf(use, out, org_name=org))
        return path if shown is not None else None

    def manage_attachments(self) -> list:
        use = self.require_record()
        if use is None:
            return []
        files = attachments_of(use)
        lines = "\n".join(f"{i + 1}. {a.name}（{a.size / 1024:.0f} KB）" for i, a in enumerate(files))
        box = QMessageBox(self)
        box.setWindowTitle(tr("附件") + f" · {use.no}")
        box.setText((lines or tr("还没有附件。")) + "\n\n" + tr("附件按内容保存在数据目录的 attachments 文件夹，随备份一起备份。"))
        add = box.addButton(tr("添加…"), QMessageBox.ButtonRole.ActionRole)
        view = box.addButton(tr("打开"), QMessageBox.ButtonRole.ActionRole) if files else None
        box.addButton(tr("关闭"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is add:
            paths, _ = QFileDialog.getOpenFileNames(
                self, tr("选择扫描件或照片"), "",
                tr("扫描件或照片 (*.jpg *.jpeg *.png *.gif *.bmp *.tif *.tiff *.webp *.pdf)"))
            return self.add_attachments(use, paths)
        if view is not None and box.clickedButton() is view:
            for a in files:
                _open_file(self.datadir.attachments / a.path)
        return files

    def add_attachments(self, use: SealUse, paths: list[str]) -> list:
        if self.perform(attach_files, use, paths, self.datadir.attachments) is None:
            return []
        return attachments_of(use)


# ---------------------------------------------------------------------------------------------- 外借


class SealLoansPane(LedgerPane):
    SPEC = SEAL_LOANS
    SHOWS_ALSO = frozenset({"seals", "licences"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(SEAL_LOANS, *args, **kwargs)
        self.add_action_button(tr("借出"), self.new_record, None, tr("登记印章或证照外借（Ctrl+N）"))
        self.return_btn = self.add_action_button(tr("归还"), self.return_selected, "Ctrl+R")
        self.remind_btn = self.add_action_button(tr("打印催还单"), self.print_reminder, "Ctrl+Shift+P")
        self.add_action_button(tr("逾期未还"), lambda: self.set_status_filter("overdue"), "F6")
        self.add_action_button(tr("校验"), lambda: show_verification(self, self.datadir), "Ctrl+Shift+V")
        self.finish_action_bar()
        self.overdue_label = QLabel()
        self.overdue_label.setStyleSheet("color:#c5221f")
        self.action_bar.addWidget(self.overdue_label)
        self.recordsChanged.connect(self.update_overdue)
        self.update_overdue()
        self.selection_changed()

    def row_background(self, row: dict) -> QColor | None:
        if is_overdue(row):
            return OVERDUE_COLOR
        return OUT_COLOR if row["status"] == OUT else None

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        live = bool(row) and not row["voided"] and row["status"] == OUT
        self.return_btn.setEnabled(live)
        self.remind_btn.setEnabled(live)

    def refresh(self) -> None:
        super().refresh()
        self.update_overdue()

    def update_overdue(self) -> None:
        n = len(overdue_loans())
        self.overdue_label.setText(f"逾期未还 {n} 件" if n else "")

    def new_record(self) -> Any:
        loan = lend_dialog(self)
        if loan is not None:
            self.after_change(loan.id)
        return loan

    def edit_record(self) -> Any:
        rec = self.require_record()
        if rec is not None and rec.status == OUT and not rec.voided:
            return self.return_selected()
        if rec is not None:
            QMessageBox.information(self, tr("不能修改"), tr("外借记录登记后不能修改；如有错误请作废后重新登记。"))
        return None

    def return_selected(self) -> Any:
        loan = self.require_record()
        if loan is None:
            return None
        if loan.voided or loan.status != OUT:
            QMessageBox.information(self, tr("无需归还"), f"{loan.no} 当前为“{loan.status}”" +
                                    ("（已作废）" if loan.voided else ""))
            return None
        done = return_dialog(self, loan)
        if done is not None:
            self.after_change(done.id)
        return done

    def print_reminder(self) -> Path | None:
        loan = self.require_record()
        if loan is None:
            return None
        from neiqin.reports.seal_forms import write_reminder_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        path = stamp_path(self, f"催还单-{loan.no}")
        org = settings.org_name()
        shown = preview_pdf(self, tr("催还单"), path, lambda out, progress, cancelled: write_reminder_pdf(loan, out, org_name=org))
        return path if shown is not None else None


# ---------------------------------------------------------------------------------------------- registries


class SealRegistryPane(LedgerPane):
    SPEC = SEALS
    SHOWS_ALSO = frozenset({"seal-loans", "seal-uses"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(SEALS, *args, **kwargs)
        self.add_action_button(tr("新增印章"), self.new_record, None, tr("新增印章（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record)
        self.add_action_button(tr("查看印模"), self.show_impression)
        self.finish_action_bar()

    def form_fields(self, record: Any = None) -> list[FormField]:
        statuses = SEAL_STATUSES if record is not None and record.status == SEAL_LENT else \
            [s for s in SEAL_STATUSES if s != SEAL_LENT]
        fields = SEAL_FIELDS.form("name", "kind", "custodian", "supervisor", "enabled_on", "status",
                                  "approval_levels", "note", status={"choices": statuses})
        return [*fields[:-1], FormField("impression_file", "印模扫描件", "files", error_keys=("file",)), fields[-1]]

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        form = StepForm(title, self.form_fields(record), save, values, self, note=note)
        if form.exec() and form.result_record is not None:
            self.after_change(form.result_record.id)
            return form.result_record
        return None

    def new_values(self) -> dict:
        return {"approval_levels": 1}

    def record_values(self, record: Any) -> dict:
        return {"name": record.name, "kind": record.kind,
                "custodian": {"id": record.custodian_id, "name": record.custodian},
                "supervisor": {"id": None, "name": record.supervisor}, "enabled_on": record.enabled_on,
                "status": record.status, "approval_levels": record.approval_levels, "note": record.note}

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        files = data.pop("impression_file", None) or []
        if files:
            data["impression"] = store_attachment(files[0], self.datadir.attachments).path
        return data

    def show_impression(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        if not rec.impression:
            QMessageBox.information(self, tr("印模"), tr("该印章还没有印模扫描件，可在“修改”中添加。"))
            return
        _open_file(self.datadir.attachments / rec.impression)

    def row_background(self, row: dict) -> QColor | None:
        if row["status"] == SEAL_LENT:
            return OUT_COLOR
        return REJECTED_COLOR if row["status"] not in ("在用",) else None


class LicencesPane(LedgerPane):
    SPEC = LICENCES
    SHOWS_ALSO = frozenset({"seal-loans"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(LICENCES, *args, **kwargs)
        self.add_action_button(tr("新增证照"), self.new_record, None, tr("新增证照（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record)
        self.add_action_button(tr("即将到期"), lambda: self.set_status_filter("expiring"), "F6")
        self.finish_action_bar()
        self.expiry_label = QLabel()
        self.expiry_label.setStyleSheet("color:#c5221f")
        self.action_bar.addWidget(self.expiry_label)
        self.recordsChanged.connect(self.update_expiry)
        self.update_expiry()

    def form_fields(self, record: Any = None) -> list[FormField]:
        # the dates are typed lines (a calendar cannot be left empty: 长期有效)
        return LICENCE_FIELDS.form(valid_until={"kind": "text", "max_len": 10},
                                   inspection_date={"kind": "text", "max_len": 10})

    def record_values(self, record: Any) -> dict:
        values = super().record_values(record)
        for k in ("valid_until", "inspection_date"):
            values[k] = values[k].isoformat() if values[k] else ""
        return values

    def refresh(self) -> None:
        super().refresh()
        self.update_expiry()

    def update_expiry(self) -> None:
        items = expiring_licences()
        expired = sum(1 for x in items if licence_state(x) == "expired")
        soon = len(items) - expired
        parts = ([f"已过期 {expired} 件"] if expired else []) + \
                ([f"{settings.get('seals.licence_warn_months') or 6} 个月内到期 {soon} 件"] if soon else [])
        self.expiry_label.setText("，".join(parts))

    def row_background(self, row: dict) -> QColor | None:
        state = licence_state(row)
        return EXPIRED_COLOR if state == "expired" else EXPIRING_COLOR if state == "expiring" else None


# ---------------------------------------------------------------------------------------------- 统计


class SealStatsView(View):
    """Uses per seal, department or month: a table and a bar chart (queries in neiqin.models.seals.uses)."""

    LEDGERS = frozenset({"seal-uses", "seals"})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("统计方式")))
        self.group = QComboBox()
        for key, label in STAT_GROUPS.items():
            self.group.addItem(tr("按") + tr(label), key)
        bar.addWidget(self.group)
        bar.addWidget(QLabel(tr("用印日期")))
        today = qtoday()
        self.date_from = QDateEdit(QDate(today.year(), 1, 1), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.date_to)
        self.total = QLabel()
        bar.addStretch(1)
        bar.addWidget(self.total)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("项目"), tr("用印件数"), tr("份数"), tr("用印次数")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        split.addWidget(self.table)
        self.chart_view = self._make_chart_view()
        split.addWidget(self.chart_view)
        split.setSizes([420, 700])
        layout.addWidget(split, 1)
        self.rows: list[tuple] = []
        self.group.currentIndexChanged.connect(self.refresh)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)

    def _make_chart_view(self) -> QWidget:
        from PySide6.QtCharts import QChart, QChartView

        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        view = QChartView(self.chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        return view

    def refresh(self) -> None:
        start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        if start > end:
            start, end = end, start
        self.rows = use_stats(self.group.currentData(), start, end)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, v in enumerate(row):
                item = QTableWidgetItem(str(v))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        uses = sum(r[1] for r in self.rows)
        self.total.setText(f"共用印 {uses} 件，{sum(r[3] for r in self.rows)} 次")
        self._draw_chart()

    def _draw_chart(self) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QValueAxis

        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        label = self.group.currentText()
        chart.setTitle(tr("用印件数") + f"（{label}）")
        bars = QBarSet(tr("用印件数"))
        bars.setColor(QColor("#1a73e8"))
        rows = self.rows[:24]
        for row in rows:
            bars.append(row[1])
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([str(r[0]) for r in rows])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setRange(0, max([r[1] for r in rows] + [1]) * 1.15)
        values.setLabelFormat("%d")
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)

    def count_and_description(self) -> tuple[int, str]:
        self.refresh()
        return sum(r[1] for r in self.rows), tr("用印统计")

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)


# ---------------------------------------------------------------------------------------------- the tab


class SealsPane(MultiViewPane):
    """The 用印登记 tab: 用印 / 外借 / 印章 / 证照 / 统计 (Alt+1 … Alt+5)."""

    SPEC = SEAL_USES  # the main window names and builds the tab from this
    KEY = "seals"
    SUBVIEWS = [("用印", SealUsesPane), ("外借", SealLoansPane), ("印章", SealRegistryPane), ("证照", LicencesPane),
                ("统计", SealStatsView)]

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(datadir, ui_settings, parent)
        self.uses, self.loans, self.seals, self.licences = self.subpanes
        self.stats = self.views[-1]


def reminders_text() -> str:
    """One line for the status bar: overdue loans and licences nearing expiry."""
    parts = []
    n = len(overdue_loans())
    if n:
        parts.append(f"逾期未还的印章/证照 {n} 件")
    lic = expiring_licences()
    if lic:
        parts.append(f"到期或即将到期的证照 {len(lic)} 件")
    return "；".join(parts)

