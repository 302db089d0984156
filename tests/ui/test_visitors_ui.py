"""A clerk's day at the desk, driven through real widgets with the keyboard."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin import clock
from neiqin.models import AuditLog, Visit
from neiqin.ui.forms import RecordForm
from neiqin.ui.util import ReasonDialog

from .conftest import type_text, when_modal


def activate(qtbot, window):
    """Offscreen Qt does not hand activation back to the main window after a dialog; a desktop does."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def type_into(qtbot, widget, text):
    type_text(qtbot, widget, text)


def fill_visit(qtbot, form: RecordForm, name="欧阳明", company="上海浦东物流有限公司"):
    type_into(qtbot, form.widgets["name"], name)
    type_into(qtbot, form.widgets["company"], company)
    type_into(qtbot, form.widgets["id_number"], "11010519491231002X")
    type_into(qtbot, form.widgets["phone"], "13912345678")
    picker = form.widgets["host"]
    type_into(qtbot, picker, "zs")
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.selected() is not None)


def test_full_visit_by_keyboard(qtbot, window):
    pane = window.pane("visitors")
    assert window.current_pane() is pane

    def on_form(form):
        assert isinstance(form, RecordForm)
        fill_visit(qtbot, form)
        qtbot.keyClick(form.widgets["plate"], Qt.Key.Key_Return)  # Enter saves

    when_modal(on_form)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    v = Visit.get(Visit.name == "欧阳明")
    assert (v.host_name, v.host_dept, v.status, v.id_number) == ("张三", "办公室", "在场", "11010519491231002X")
    # the table shows it, masked
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    assert pane.model.data(pane.model.index(0, 4)) == "110105********002X"
    assert pane.on_site_label.text() == "在场 1 批 1 人"

    # find by a 2-character search
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is pane.search
    type_text(qtbot, pane.search, "浦东")
    qtbot.keyClick(pane.search, Qt.Key.Key_Return)
    assert [r["name"] for r in pane.model.rows] == ["欧阳明"]
    assert window.focusWidget() is pane.table and pane.current_id() == v.id
    qtbot.waitUntil(lambda: "：1 条" in window.count_label.text())

    # check out in one action
    qtbot.keyClick(pane.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert Visit.get_by_id(v.id).status == "已离开"
    assert pane.on_site_label.text() == "当前无在场访客"

    # void with a reason
    def on_reason(dlg):
        assert isinstance(dlg, ReasonDialog)
        assert not dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()
        type_text(qtbot, dlg.edit, "重复登记")
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()

    when_modal(on_reason)
    window.actions_by_name["void"].trigger()
    v = Visit.get_by_id(v.id)
    assert v.voided and v.void_reason == "重复登记"
    qtbot.waitUntil(lambda: "：0 条" in window.count_label.text())
    assert [e.action for e in AuditLog.for_record("visitors", v.id)] == ["checkin", "checkout", "void"]


def test_bad_input_shows_message_at_field_and_saves_nothing(qtbot, window):
    pane = window.pane("visitors")
    seen = {}

    def on_form(form):
        type_into(qtbot, form.widgets["name"], "李四")
        type_into(qtbot, form.widgets["id_number"], "110105194912310021")
        qtbot.keyClick(form.widgets["id_number"], Qt.Key.Key_Return)
        seen["visible"] = form.isVisible()
        seen["id_error"] = form.errors["id_number"].text()
        seen["host_error"] = form.errors["host"].text() if not form.errors["host"].isHidden() else ""
        seen["general"] = form.general_error.text()
        seen["focus"] = form.focusWidget() is form.widgets["id_number"]
        form.reject()

    when_modal(on_form)
    pane.new_record()
    assert seen["visible"]
    assert "校验位" in seen["id_error"]
    assert seen["focus"]
    assert "请填写被访人" in seen["host_error"] and not seen["general"]
    assert Visit.select().count() == 0


def test_appointment_arrival_and_returning_visitor(qtbot, window):
    pane = window.pane("visitors")

    def on_form(form):
        type_into(qtbot, form.widgets["name"], "赵六")
        type_into(qtbot, form.widgets["host"], "张三")
        form.try_save()

    when_modal(on_form)
    pane.new_appointment()
    appt = Visit.get(Visit.name == "赵六")
    assert appt.status == "预约" and appt.visit_date == clock.today() + dt.timedelta(days=1)
    pane.select_id(appt.id)
    pane.arrive_selected()
    assert Visit.get_by_id(appt.id).status == "在场"

    pane.select_id(appt.id)

    def on_again(form):
        assert form.widgets["name"].text() == "赵六"
        assert form.widgets["host"].text() == "张三"
        form.widgets["badge_no"].setText("F088")
        form.try_save()

    when_modal(on_again)
    pane.returning_visitor()
    assert Visit.select().where(Visit.name == "赵六").count() == 2


def test_watchlist_match_asks_and_refusal_is_recorded(qtbot, window):
    from neiqin.models.visitors import add_watch

    add_watch("name", "赵无名", "冒充快递员")
    pane = window.pane("visitors")

    def on_form(form):
        type_into(qtbot, form.widgets["name"], "赵无名")
        type_into(qtbot, form.widgets["host"], "张三")

        def on_warning(box):
            assert isinstance(box, QMessageBox) and "冒充快递员" in box.text()
            refuse = [b for b in box.buttons() if b.text() == "谢绝来访"][0]
            refuse.click()

        when_modal(lambda dlg: on_warning(dlg) if dlg is not form else None)
        form.try_save()
        form.reject()

    when_modal(on_form)
    pane.new_record()
    assert Visit.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "refused").count() == 1


def test_history_dialog_lists_changes(qtbot, window):
    from neiqin.models.visitors import VISITORS, check_in
    from neiqin.ui.dialogs import HistoryDialog

    v = check_in({"name": "李四", "host_name": "张三", "purpose": "送货"})
    VISITORS.update(v, {"purpose": "面试"})
    dlg = HistoryDialog(VISITORS, v)
    qtbot.addWidget(dlg)
    texts = [dlg.table.item(r, 3).text() for r in range(dlg.table.rowCount())]
    assert any("事由：送货 → 面试" in t for t in texts)


def test_layout_remembered_and_the_day_starts_on_today(qtbot, datadir, database, host):
    from neiqin.ui.main_window import MainWindow
    from neiqin.ui.today_pane import TodayPane

    w = MainWindow(datadir)
    qtbot.addWidget(w)
    w.show_pane("visitors")
    w.pane("visitors").table.setColumnWidth(1, 333)
    w.close()
    w2 = MainWindow(datadir)
    qtbot.addWidget(w2)
    assert w2.tabs.currentIndex() == 0 and isinstance(w2.current_pane(), TodayPane)
    assert w2.pane("visitors").table.columnWidth(1) == 333


def test_the_form_comes_from_the_field_declaration_and_keeps_bad_input_at_its_field(qtbot, window):
    """The visitor form is built from VISIT_FIELDS: its labels, lengths and checks are the ledger's. Full-width
    characters typed through a Chinese input method are stored half-width; a bad plate stays at its field and
    nothing is saved until it is put right."""
    from neiqin.models.visitors import VISIT_FIELDS

    pane = window.pane("visitors")
    seen = {}

    def on_form(form):
        seen["labels"] = {f.key: f.label for f in form.fields}
        seen["max_name"] = form.widgets["name"].maxLength()
        fill_visit(qtbot, form, name="林晓")
        form.widgets["phone"].clear()
        type_into(qtbot, form.widgets["phone"], "１３９１２３４５６７８")
        type_into(qtbot, form.widgets["plate"], "ＡＢＣ")
        qtbot.keyClick(form.widgets["plate"], Qt.Key.Key_Return)  # refused: the form stays open
        seen["error"] = form.errors["plate"].text()
        seen["saved_first"] = Visit.select().where(Visit.name == "林晓").count()
        form.widgets["plate"].clear()
        type_into(qtbot, form.widgets["plate"], "京ａ１２３４５")
        qtbot.keyClick(form.widgets["plate"], Qt.Key.Key_Return)

    when_modal(on_form)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen["labels"]["plate"] == VISIT_FIELDS["plate"].label and seen["max_name"] == 40
    assert seen["error"] == "车牌号格式不正确，例如 京A12345" and seen["saved_first"] == 0
    v = Visit.get(Visit.name == "林晓")
    assert (v.phone, v.plate) == ("13912345678", "京A12345")
    assert pane.model.headerData(1, Qt.Orientation.Horizontal) == VISIT_FIELDS["name"].label
