"""The 编号 page of 设置: the printed form of every numbered register, checked as the clerk types."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from neiqin import numbering
from neiqin.errors import ValidationError
from neiqin.models import settings
from neiqin.ui.settings.settings_pages import add_page
from neiqin.ui.util import tr

ERROR = "color:#d93025"
HINT = "color:#555"


class NumberingPage(QWidget):
    """One line per numbered register: its pattern, and below it the next number or what is wrong."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        hint = QLabel(tr("编号格式里：{n} 是序号，写 {n:04} 补足 4 位；{year} 是年份，序号每年从 1 开始；"
                         "{code} 是发文机关代字。修改只影响以后的新编号，已有的编号不变；作废记录的编号不再使用。"))
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT)
        layout.addWidget(hint)
        rows = QWidget()
        form = QFormLayout(rows)
        scroll = QScrollArea()  # a dozen registers: the page scrolls inside the dialog
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(rows)
        layout.addWidget(scroll, 1)
        self.edits: dict[str, QLineEdit] = {}
        self.notes: dict[str, QLabel] = {}
        self.before: dict[str, str] = {}
        self.series = {s.setting: s for s in numbering.configurable()}
        for key, s in self.series.items():
            edit = QLineEdit(str(settings.get(key) or s.default))
            self.before[key] = edit.text()
            note = QLabel()
            note.setWordWrap(True)
            edit.textChanged.connect(lambda _text, k=key: self.check(k))
            form.addRow(tr(s.label), edit)
            form.addRow("", note)
            self.edits[key], self.notes[key] = edit, note
            self.check(key)

    def check(self, key: str) -> str | None:
        """The pattern of ``key`` as it will be kept, showing the next number; None (and why, in red) if bad."""
        s, note = self.series[key], self.notes[key]
        try:
            pattern = s.check(self.edits[key].text())
        except ValidationError as e:
            note.setText(e.errors.get(key) or str(e))
            note.setStyleSheet(ERROR)
            return None
        note.setText(tr("下一个编号：") + s.example(pattern))
        note.setStyleSheet(HINT)
        return pattern

    def save(self) -> bool:
        """Save what the clerk changed; a changed pattern that is wrong keeps 设置 open at its field."""
        checked = {key: self.check(key) for key, edit in self.edits.items() if edit.text() != self.before[key]}
        bad = [key for key, pattern in checked.items() if pattern is None]
        if bad:
            self.edits[bad[0]].setFocus()
            return False
        for key, pattern in checked.items():
            settings.set_value(key, pattern)
        return True


def add_settings_page(dialog: Any) -> NumberingPage:
    page = add_page(dialog, NumberingPage(dialog), tr("编号"))
    return page
