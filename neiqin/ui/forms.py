"""The record form shared by every ledger: fields from a declaration, errors shown at the field.

Keyboard first: Tab follows the declaration order, Enter saves (from any single-line field), Esc cancels,
Ctrl+Enter saves from a multi-line field. Nothing is saved unless the model's validation passes; on error
the dialog stays open with every message under its field and the first bad field focused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import FieldHistory
from neiqin.models.fields import FormField  # noqa: F401 - the form's fields are declared with the ledger
from neiqin.ui.staff_picker import StaffPicker
from neiqin.ui.util import qnow, qtoday, show_error, tr

ERROR_STYLE = "border: 1px solid #d93025; background: #fff4f4;"


class RecordForm(QDialog):
    """A dialog built from FormField declarations. ``save`` gets the values and returns the saved record."""

    def __init__(self, title: str, fields: list[FormField], save: Callable[[dict], Any],
                 values: dict | None = None, parent: QWidget | None = None, note: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.fields = fields
        self._save = save
        self.result_record: Any = None
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        if note:
            hint = QLabel(note)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555;")
            layout.addWidget(hint)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for f in fields:
            w = self._make_widget(f)
            self.widgets[f.key] = w
            err = QLabel()
            err.setStyleSheet("color: #d93025;")
            err.setWordWrap(True)
            err.hide()
            self.errors[f.key] = err
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(w)
            v.addWidget(err)
            label = QLabel(("* " if f.required else "") + f.label)
            label.setBuddy(w)
            form.addRow(label, box)
        layout.addLayout(form)
        self.general_error = QLabel()
        self.general_error.setStyleSheet("color: #d93025;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("保存 (Enter)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消 (Esc)"))
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.try_save)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.try_save)
        for i in range(len(fields) - 1):
            QWidget.setTabOrder(self.widgets[fields[i].key], self.widgets[fields[i + 1].key])
        if values:
            self.set_values(values)
        self.resize(520, self.sizeHint().height())
        if fields:
            self.widgets[fields[0].key].setFocus()

    # ---- widgets

    def _make_widget(self, f: FormField) -> QWidget:
        if f.kind == "multiline":
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(60)
            w.setPlaceholderText(f.placeholder)
            return w
        if f.kind in ("combo", "editable_combo"):
            w = QComboBox()
            w.setEditable(f.kind == "editable_combo")
            w.addItems(f.choices)
            if w.isEditable():
                w.lineEdit().setPlaceholderText(f.placeholder)
            return w
        if f.kind == "date":
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setDate(qtoday())
            return w
        if f.kind == "datetime":
            w = QDateTimeEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            w.setDateTime(qnow())
            return w
        if f.kind == "int":
            w = QSpinBox()
            w.setRange(f.minimum, f.maximum)
            return w
        if f.kind == "staff":
            w = StaffPicker()
            w.setPlaceholderText(f.placeholder or tr("输入姓名、拼音或首字母，如 zs"))
            return w
        w = QLineEdit()
        w.setPlaceholderText(f.placeholder or ("HH:MM" if f.kind == "time" else ""))
        if f.max_len:
            w.setMaxLength(f.max_len)
        if f.history:
            completer = QCompleter(FieldHistory.values(*f.history), w)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            w.setCompleter(completer)
        return w

    def value(self, key: str) -> Any:
        w = self.widgets[key]
        if isinstance(w, StaffPicker):
            return w.value()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QDateEdit):
            return w.date().toPython()
        if isinstance(w, QDateTimeEdit):
            return w.dateTime().toPython().replace(second=0, microsecond=0)
        if isinstance(w, QSpinBox):
            return w.value()
        return w.text()

    def values(self) -> dict:
        return {f.key: self.value(f.key) for f in self.fields}

    def set_values(self, values: dict) -> None:
        for key, v in values.items():
            w = self.widgets.get(key)
            if w is None:
                continue
            if isinstance(w, StaffPicker):
                w.set_value(v)
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText(v or "")
            elif isinstance(w, QComboBox):
                idx = w.findText(v or "")
                if idx >= 0:
                    w.setCurrentIndex(idx)
                elif w.isEditable():
                    w.setEditText(v or "")
            elif isinstance(w, QDateEdit):
                if isinstance(v, dt.date):
                    w.setDate(QDate(v.year, v.month, v.day))
            elif isinstance(w, QDateTimeEdit):
                if isinstance(v, dt.datetime):
                    w.setDateTime(QDateTime(QDate(v.year, v.month, v.day), QTime(v.hour, v.minute)))
            elif isinstance(w, QSpinBox):
                w.setValue(int(v or 0))
            elif isinstance(w, QLineEdit):
                if isinstance(v, dt.datetime | dt.time):
                    v = v.strftime("%H:%M")
                w.setText("" if v is None else str(v))

    # ---- saving

    def clear_errors(self) -> None:
        for key, label in self.errors.items():
            label.hide()
            self.widgets[key].setStyleSheet("")
        self.general_error.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.clear_errors()
        first = None
        loose = []
        aliases = {alias: f.key for f in self.fields for alias in f.error_keys}
        for key, msg in errors.items():
            key = aliases.get(key, key)
            if key in self.errors:
                self.errors[key].setText(msg)
                self.errors[key].show()
                self.widgets[key].setStyleSheet(ERROR_STYLE)
                first = first or key
            else:
                loose.append(msg)
        if loose:
            self.general_error.setText("；".join(loose))
            self.general_error.show()
        if first:
            self.widgets[first].setFocus()

    def try_save(self) -> None:
        try:
            self.result_record = self._save(self.values())
        except ValidationError as e:
            self.show_errors(e.errors)
            return
        except NeiqinError as e:
            if getattr(e, "handled", False):
                return
            show_error(self, e)
            return
        self.accept()

    def keyPressEvent(self, event) -> None:  # Enter in a single-line field saves, as a clerk expects
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
                self.focusWidget(), QPlainTextEdit):
            completer = getattr(self.focusWidget(), "completer", lambda: None)()
            popup = completer.popup() if completer is not None else None
            if popup is not None and popup.isVisible():  # inline completers have no popup
                return super().keyPressEvent(event)
            self.try_save()
            return
        super().keyPressEvent(event)


def parse_hhmm(text: str, day: dt.date, label: str, key: str, errors: dict) -> dt.datetime | None:
    """'9:05', '0905', '09:05' on ``day``; an error message at ``key`` if it is not a time."""
    t = (text or "").strip().replace("：", ":")
    if not t:
        return None
    if ":" not in t and t.isdigit() and len(t) in (3, 4):
        t = f"{t[:-2]}:{t[-2:]}"
    try:
        hh, mm = (int(p) for p in t.split(":"))
        return dt.datetime.combine(day, dt.time(hh, mm))
    except (ValueError, TypeError):
        errors[key] = f"{label}应为 时:分，例如 09:30"
        return None
