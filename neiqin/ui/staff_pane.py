"""通讯录 tab: departments and staff, the directory every ledger's staff picker reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtGui import QColor

from neiqin.errors import ValidationError
from neiqin.models.staff import STAFF, STATUS_ACTIVE, STATUS_LEFT, Department
from neiqin.ui.forms import FormField
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.util import tr


class StaffPane(LedgerPane):
    SPEC = STAFF  # the main window names and builds the tab from this

    def __init__(self, *args, **kwargs):
        super().__init__(STAFF, *args, **kwargs)
        self.add_action_button(tr("新增人员"), self.new_record, None, tr("新增人员（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record, None, tr("修改所选人员（Enter）"))
        self.add_action_button(tr("从 Excel 导入…"), self.import_file)
        self.finish_action_bar()
        self.set_status_filter("active")

    def form_fields(self, record: Any = None) -> list[FormField]:
        return [
            FormField("name", "姓名", required=True, max_len=40),
            FormField("department", "部门", "editable_combo", choices=[""] + Department.names()),
            FormField("title", "职务", history=("staff", "title"), max_len=40),
            FormField("office_phone", "办公电话", placeholder="010-12345678", max_len=40),
            FormField("extension", "分机", max_len=20),
            FormField("mobile", "手机", max_len=40),
            FormField("email", "邮箱", max_len=100),
            FormField("birthday", "生日", placeholder="YYYY-MM-DD，可不填", max_len=10),
            FormField("status", "状态", "combo", choices=[STATUS_ACTIVE, STATUS_LEFT]),
            FormField("note", "备注", "multiline"),
        ]

    def record_values(self, record: Any) -> dict:
        values = super().record_values(record)
        values["birthday"] = record.birthday.isoformat() if record.birthday else ""
        return values

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        text = (values.get("birthday") or "").strip()
        if text:
            try:
                data["birthday"] = dt.date.fromisoformat(text.replace("/", "-"))
            except ValueError:
                raise ValidationError({"birthday": "生日格式应为 YYYY-MM-DD，例如 1990-05-01"}) from None
        else:
            data["birthday"] = None
        return data

    def save_new(self, data: dict):
        rec = STAFF.create(data)
        if rec.department:
            Department.ensure(rec.department)
        return rec

    def row_background(self, row: dict) -> QColor | None:
        return QColor("#f1f3f4") if row["status"] == STATUS_LEFT else None
