"""通讯录 tab: departments and staff, the directory every ledger's staff picker reads."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from neiqin.models.staff import STAFF, STAFF_FIELDS, STATUS_LEFT, Department
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
        return STAFF_FIELDS.form(*(f.key for f in STAFF_FIELDS),
                                 department={"choices": ["", *Department.names()]},
                                 birthday={"kind": "text", "max_len": 10})  # may stay empty: a line, not a calendar

    def record_values(self, record: Any) -> dict:
        values = super().record_values(record)
        values["birthday"] = record.birthday.isoformat() if record.birthday else ""
        return values

    def row_background(self, row: dict) -> QColor | None:
        return QColor("#f1f3f4") if row["status"] == STATUS_LEFT else None
