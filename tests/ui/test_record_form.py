"""The generic record form: Enter saves from any single-line field, including an editable list."""

from PySide6.QtCore import Qt

from neiqin.ui.forms import FormField, RecordForm

from .conftest import type_text


def test_enter_in_an_editable_combo_saves(qtbot):
    saved = []
    form = RecordForm("测试", [FormField("unit", "单位", kind="editable_combo", choices=["盒", "支", "包"])],
                      lambda values: saved.append(values) or values)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    combo = form.widgets["unit"]
    combo.lineEdit().clear()
    type_text(qtbot, combo.lineEdit(), "卷")
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert saved and saved[0]["unit"] == "卷"
    assert form.result_record is not None
