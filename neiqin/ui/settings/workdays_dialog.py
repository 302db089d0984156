"""工作日历: per year, the 放假 dates and the 调休 weekend working days, as the State Council announces them.

Years that ship with the program can be corrected; new years are typed in from the notice (one date per line,
optionally followed by the holiday's name). Saved into the database (audited); deadlines use it at once.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import workdays
from neiqin.ui.forms import ERROR_STYLE
from neiqin.ui.util import show_error, tr


def parse_holiday_lines(text: str) -> list[tuple[str, str]]:
    """"2027-01-01 元旦" lines (or several dates on a line, separated by 、 or commas) → [(date, name)]."""
    out = []
    for line in text.splitlines():
        parts = line.replace("，", " ").replace(",", " ").replace("、", " ").split()
        dates = [p for p in parts if p[:1].isdigit()]
        name = " ".join(p for p in parts if not p[:1].isdigit())
        out.extend((d, name) for d in dates)
    return out


class WorkdaysDialog(QDialog):
    def __init__(self, parent=None, year: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("工作日历"))
        layout = QVBoxLayout(self)
        self.warning = QLabel()
        self.warning.setStyleSheet("color:#c5221f")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("年份")))
        self.year = QComboBox()
        self.year.setEditable(True)
        this = clock.today().year
        years = sorted(set(workdays.known_years()) | {this, this + 1})
        self.year.addItems([str(y) for y in years])
        top.addWidget(self.year)
        self.source = QLabel()
        self.source.setStyleSheet("color:#555")
        top.addWidget(self.source, 1)
        self.reset_btn = QPushButton(tr("恢复内置"))
        self.reset_btn.clicked.connect(self.reset)
        top.addWidget(self.reset_btn)
        layout.addLayout(top)
        form = QFormLayout()
        self.holidays = QPlainTextEdit()
        self.holidays.setTabChangesFocus(True)
        self.holidays.setPlaceholderText(tr("每行一个放假日期，可加节日名称，如：\n2027-01-01 元旦\n2027-02-05 春节"))
        self.workdays = QPlainTextEdit()
        self.workdays.setTabChangesFocus(True)
        self.workdays.setFixedHeight(90)
        self.workdays.setPlaceholderText(tr("调休上班的周六、周日，每行一个，如 2027-01-30"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("依据，如 国办发明电〔2026〕×号"))
        self.errors = {k: QLabel() for k in ("holidays", "workdays", "note", "year")}
        for label in self.errors.values():
            label.setStyleSheet("color:#d93025")
            label.hide()
        form.addRow(tr("放假日期"), self.holidays)
        form.addRow("", self.errors["holidays"])
        form.addRow(tr("调休上班"), self.workdays)
        form.addRow("", self.errors["workdays"])
        form.addRow(tr("依据"), self.note)
        form.addRow("", self.errors["note"])
        layout.addLayout(form)
        layout.addWidget(self.errors["year"])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("保存 (Ctrl+S)"))
        buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut("Ctrl+S")
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭 (Esc)"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.saved = False
        self.year.currentTextChanged.connect(self.load)
        self.year.setCurrentText(str(year or (workdays.missing_years() or [this])[0]))
        self.load()
        self.resize(520, 560)

    def current_year(self) -> int | None:
        try:
            return int(self.year.currentText().strip())
        except ValueError:
            return None

    def load(self, *_) -> None:
        missing = workdays.missing_years()
        self.warning.setText(tr("尚未录入 ") + "、".join(map(str, missing)) + tr(" 年的节假日安排：办理期限暂按周末计算。"
                                                                         "请按国务院办公厅通知录入。")
                             if missing else "")
        self.warning.setVisible(bool(missing))
        year = self.current_year()
        table = workdays.year_table(year) if year else None
        if table is None:
            self.holidays.setPlainText("")
            self.workdays.setPlainText("")
            self.note.setText("")
            self.source.setText(tr("（未录入）"))
            self.reset_btn.setEnabled(False)
            return
        self.holidays.setPlainText("\n".join(f"{d} {n}".strip() for d, n in sorted(table.holidays.items())))
        self.workdays.setPlainText("\n".join(str(d) for d in sorted(table.workdays)))
        self.note.setText(table.note)
        builtin = table.source == "内置"
        self.source.setText(tr("内置：") + table.note if builtin else tr("本单位录入"))
        self.reset_btn.setEnabled(not builtin)

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        for w in (self.holidays, self.workdays, self.note):
            w.setStyleSheet("")
        try:
            workdays.set_year(self.year.currentText().strip(), parse_holiday_lines(self.holidays.toPlainText()),
                              self.workdays.toPlainText(), self.note.text())
        except ValidationError as e:
            widgets = {"holidays": self.holidays, "workdays": self.workdays, "note": self.note}
            for key, msg in e.errors.items():
                label = self.errors.get(key, self.errors["year"])
                label.setText(msg)
                label.show()
                if key in widgets:
                    widgets[key].setStyleSheet(ERROR_STYLE)
            return
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return
        self.saved = True
        self.load()
        QMessageBox.information(self, tr("已保存"), self.year.currentText() + tr(" 年工作日历已保存，办理期限即按此计算。"))
        self.accept()

    def reset(self) -> None:
        year = self.current_year()
        if year is None:
            return
        workdays.reset_year(year)
        self.load()
