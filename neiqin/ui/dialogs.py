"""Dialogs shared by the ledgers: 修改记录 (history), import preview, settings, unexpected-error report."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import ValidationError
from neiqin.models import settings
from neiqin.models.base import AuditLog
from neiqin.models.ledger import LedgerSpec
from neiqin.models.staff import Department
from neiqin.ui.settings.settings_pages import SETTINGS_PAGES, register_settings_page  # noqa: F401 - pages of 设置
from neiqin.ui.util import error_label, save_cancel_buttons, tr

ACTION_LABELS = {"create": "新建", "edit": "修改", "void": "作废", "checkin": "来访登记", "checkout": "离开",
                 "import": "导入", "erase": "删除个人信息", "watch": "谢绝名单确认", "refused": "谢绝来访"}


def _small_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().hide()
    t.horizontalHeader().setStretchLastSection(True)
    t.setWordWrap(True)
    return t


class HistoryDialog(QDialog):
    """修改记录: every audit entry of one record, with before → after per field."""

    def __init__(self, spec: LedgerSpec, record: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("修改记录") + " · " + spec.describe(record))
        headers = {c.key: c.header for c in spec.columns}
        layout = QVBoxLayout(self)
        self.table = _small_table([tr("时间"), tr("操作"), tr("说明"), tr("变更内容"), tr("操作人")])
        entries = AuditLog.for_record(spec.key, record.id)
        if getattr(record, "pii_erased_at", None):
            layout.addWidget(QLabel(tr("证件号码和手机号已于 ") + f"{record.pii_erased_at:%Y-%m-%d}" +
                                    tr(" 按个人信息保留期限删除。")))
        for e in entries:
            r = self.table.rowCount()
            self.table.insertRow(r)
            changes = []
            for k, (before, after) in e.changes_dict().items():
                if k in ("pinyin", "initials", "host", "updated_at"):
                    continue
                label = headers.get(k, k)
                changes.append(f"{label}：{_show(before)} → {_show(after)}" if before not in (None, "")
                               else f"{label}：{_show(after)}")
            for c, text in enumerate([f"{e.ts:%Y-%m-%d %H:%M:%S}", ACTION_LABELS.get(e.action, e.action),
                                      e.summary, "\n".join(changes), e.actor]):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 420)


def _show(v: Any) -> str:
    if v in (None, ""):
        return "（空）"
    if v is True:
        return "是"
    if v is False:
        return "否"
    return str(v)


class ImportPreviewDialog(QDialog):
    """Shows what an import would do; lists every bad row; imports only when all rows are good."""

    def __init__(self, spec: LedgerSpec, preview, filename: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("导入预览") + f" · {filename}")
        layout = QVBoxLayout(self)
        n_ok, n_bad = len(preview.rows), len(preview.errors)
        if n_bad:
            msg = (f"共检查 {n_ok + n_bad} 行左右，其中 {n_bad} 处错误。请在 Excel 中改正后重新导入；"
                   "为避免只导入一部分，本次不会导入任何数据。")
        else:
            msg = f"检查通过：{n_ok} 行将导入到“{spec.tab_title}”（表头在第 {preview.header_row} 行）。"
        label = QLabel(msg)
        label.setWordWrap(True)
        label.setStyleSheet("color: #d93025;" if n_bad else "color: #1e7e34;")
        layout.addWidget(label)
        if n_bad:
            self.table = _small_table([tr("行号"), tr("错误原因")])
            for err in preview.errors[:2000]:
                r = self.table.rowCount()
                self.table.insertRow(r)
                self.table.setItem(r, 0, QTableWidgetItem(str(err.row_number)))
                self.table.setItem(r, 1, QTableWidgetItem(err.message))
        else:
            cols = [c for c in spec.columns if c.importable]
            self.table = _small_table([c.header for c in cols])
            for data in preview.rows[:200]:
                r = self.table.rowCount()
                self.table.insertRow(r)
                for c, col in enumerate(cols):
                    self.table.setItem(r, c, QTableWidgetItem(col.display(data)))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("导入") + f" {n_ok} " + tr("条"))
        ok.setEnabled(n_bad == 0 and n_ok > 0)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("关闭"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ok_button = ok
        self.resize(820, 480)


class SettingsDialog(QDialog):
    """单位名称, departments and visitor defaults, all stored in the database (and so in backups)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("设置"))
        layout = QVBoxLayout(self)
        tabs = QTabWidget()
        layout.addWidget(tabs)

        general = QWidget()
        f = QFormLayout(general)
        self.org_name = QLineEdit(settings.get("org_name") or "")
        self.org_name.setPlaceholderText(tr("打印在每一本登记簿上，例如：某某市某某有限公司"))
        self.org_error = error_label()
        f.addRow(tr("单位名称"), self.org_name)
        f.addRow("", self.org_error)
        self.departments = QPlainTextEdit("\n".join(Department.names()))
        self.departments.setPlaceholderText(tr("每行一个部门，按显示顺序"))
        self.dep_error = error_label()
        f.addRow(tr("部门（每行一个）"), self.departments)
        f.addRow("", self.dep_error)
        tabs.addTab(general, tr("单位与部门"))

        visitors = QWidget()
        v = QFormLayout(visitors)
        from neiqin.models.visitors import ID_TYPES

        self.id_type = QComboBox()
        self.id_type.addItems(ID_TYPES)
        self.id_type.setCurrentText(settings.get("visitor.default_id_type"))
        self.purpose = QLineEdit(settings.get("visitor.default_purpose") or "")
        self.closing = QLineEdit(settings.get("visitor.closing_time") or "18:00")
        self.closing.setInputMask("99:99")
        self.closing_error = error_label()
        self.retention = QSpinBox(minimum=30, maximum=3650, suffix=tr(" 天"))
        self.retention.setValue(int(settings.get("visitor.retention_days") or 180))
        self.badge_prefix = QLineEdit(settings.get("visitor.badge_prefix") or "")
        self.badge_prefix.setMaxLength(4)
        self.require_id = QCheckBox(tr("来访登记时必须填写证件号码"))
        self.require_id.setChecked(bool(settings.get("visitor.require_id")))
        v.addRow(tr("默认证件类型"), self.id_type)
        v.addRow(tr("默认来访事由"), self.purpose)
        v.addRow(tr("下班时间"), self.closing)
        v.addRow("", self.closing_error)
        v.addRow(tr("个人信息保留"), self.retention)
        v.addRow(tr("来访证号前缀"), self.badge_prefix)
        v.addRow("", self.require_id)
        hint = QLabel(tr("超过保留天数的来访记录，证件号码和手机号将自动删除（个人信息保护法），删除会记入修改记录。"))
        hint.setWordWrap(True)
        v.addRow("", hint)
        tabs.addTab(visitors, tr("来访登记"))
        self.extra_pages: list[tuple[QWidget, Any]] = []  # (page, save callable) added by later features
        self.tabs = tabs
        for add in SETTINGS_PAGES:
            add(self)

        buttons = save_cancel_buttons(self, self.save)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def _wrong(self, field: QWidget, label: QLabel, message: str) -> None:
        """Say what is wrong under ``field``, on its own tab brought to the front, and put the cursor there."""
        label.setText(message)
        for i in range(self.tabs.count()):
            if self.tabs.widget(i).isAncestorOf(field):
                self.tabs.setCurrentIndex(i)
        field.setFocus()

    def save(self) -> None:
        for lbl in (self.org_error, self.dep_error, self.closing_error):
            lbl.clear()
        org = self.org_name.text().strip()
        if len(org) > 60:
            self._wrong(self.org_name, self.org_error, tr("单位名称不能超过 60 字"))
            return
        closing = self.closing.text().strip()
        try:
            hh, mm = (int(p) for p in closing.split(":"))
            if not (0 <= hh < 24 and 0 <= mm < 60):
                raise ValueError
        except ValueError:
            self._wrong(self.closing, self.closing_error, tr("下班时间应为 时:分，例如 18:00"))
            return
        try:
            Department.set_list(self.departments.toPlainText().splitlines())
        except ValidationError as e:
            self._wrong(self.departments, self.dep_error, str(e))
            return
        settings.set_value("org_name", org)
        settings.set_value("visitor.default_id_type", self.id_type.currentText())
        settings.set_value("visitor.default_purpose", self.purpose.text().strip())
        settings.set_value("visitor.closing_time", f"{hh:02d}:{mm:02d}")
        settings.set_value("visitor.retention_days", self.retention.value())
        settings.set_value("visitor.badge_prefix", self.badge_prefix.text().strip())
        settings.set_value("visitor.require_id", self.require_id.isChecked())
        for page, save in self.extra_pages:
            if save() is False:  # the page shows what is wrong at its field; the dialog stays open
                self.tabs.setCurrentWidget(page)
                return
        self.accept()


class ErrorDialog(QDialog):
    """Shown by the excepthook: the program keeps running; details are in the log file."""

    def __init__(self, summary: str, details: str, log_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("程序出错"))
        layout = QVBoxLayout(self)
        label = QLabel(tr("发生了意外错误，刚才的操作可能没有完成。已保存的数据不受影响。\n") + summary +
                       tr("\n\n详细信息已记录在日志文件：") + log_path)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
        text = QPlainTextEdit(details)
        text.setReadOnly(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(640, 380)


def audit_json(changes: dict) -> str:
    return json.dumps(changes, ensure_ascii=False)
