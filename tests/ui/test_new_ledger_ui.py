"""The test suite's 来电登记 in the window: a tab of its own with the shared pane, its form built from the field
declaration, driven by the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt

from neiqin.db import create_tables
from neiqin.models.base import db
from neiqin.ui.forms import RecordForm
from tests.test_new_ledger import phone_ledger  # noqa: F401 - the fixture: the one catalogue line

from .conftest import press, type_text, when_modal  # noqa: F401


def test_the_new_ledger_has_a_tab_with_its_form_table_and_search(qtbot, phone_ledger, window):  # noqa: F811
    from helpers.phone_calls import CALL_FIELDS, CALLS, MODELS, PhoneCall

    create_tables(db.obj, [*MODELS, *CALLS.search.models])  # its migration
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[-1] == "来电登记"
    pane = window.show_pane("phone-calls")
    seen = {}

    def on_form(form):
        assert isinstance(form, RecordForm)
        seen["labels"] = [f.label for f in form.fields]
        type_text(qtbot, form.widgets["caller"], "欧阳明")
        type_text(qtbot, form.widgets["phone"], "12")
        qtbot.keyClick(form.widgets["phone"], Qt.Key.Key_Return)  # refused at the field, the form stays
        seen["error"] = form.errors["phone"].text()
        form.widgets["phone"].clear()
        type_text(qtbot, form.widgets["phone"], "１３９１２３４５６７８")
        type_text(qtbot, form.widgets["for_whom"], "王主任")
        qtbot.keyClick(form.widgets["for_whom"], Qt.Key.Key_Return)

    when_modal(on_form)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen["labels"] == [f.label for f in CALL_FIELDS]
    assert "电话" in seen["error"] and "格式不正确" in seen["error"]
    call = PhoneCall.get()
    assert (call.caller, call.phone, call.for_whom) == ("欧阳明", "13912345678", "王主任")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    headers = [pane.model.headerData(i, Qt.Orientation.Horizontal) for i in range(pane.model.columnCount())]
    assert headers[:3] == ["来电时间", "来电人", "单位"]
