"""The 工作日历 page of 设置: which years' holidays are known, and the editor for a new year."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from neiqin.models import workdays
from neiqin.ui.settings.settings_pages import add_page
from neiqin.ui.util import tr


class WorkdaysPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        hint = QLabel(tr("按工作日计算的办理期限（收文、外借等）使用这里的放假和调休安排。每年国务院办公厅发布次年放假通知后，"
                         "请录入新的一年。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#555")
        layout.addWidget(hint)
        self.edit = QPushButton(tr("编辑工作日历…"))
        self.edit.clicked.connect(self.open_editor)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.update_status()

    def update_status(self) -> None:
        years = workdays.known_years()
        text = tr("已有放假安排的年份：") + ("、".join(str(y) for y in years) or tr("无"))
        missing = workdays.missing_years()
        if missing:
            text += "\n" + tr("缺少：") + "、".join(str(y) for y in missing) + tr(" 年（期限按周末计算）")
            self.status.setStyleSheet("color:#d93025")
        else:
            self.status.setStyleSheet("")
        self.status.setText(text)

    def open_editor(self) -> None:
        from neiqin.ui.settings.workdays_dialog import WorkdaysDialog

        WorkdaysDialog(self).exec()  # the editor saves (audited) itself
        self.update_status()

    def save(self) -> None:
        """Nothing to save with 设置: each year is saved in its editor."""


def add_settings_page(dialog) -> WorkdaysPage:
    page = add_page(dialog, WorkdaysPage(dialog), tr("工作日历"))
    return page
