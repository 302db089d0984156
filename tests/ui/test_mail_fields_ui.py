"""The 签收登记 form and the 快递寄件 form are built from their ledgers' field declarations: typed by keyboard (Chinese
through the input method, full-width letters and digits as an input method gives them), a value the declaration
refuses is shown at its field and nothing is saved; corrected, the record is stored half-width with its 备注."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from neiqin.models import STAFF
from neiqin.models.mail.dispatches import Dispatch
from neiqin.models.mail.incoming import IncomingDoc

from .conftest import type_text, when_modal


def test_a_document_registered_by_keyboard_keeps_its_note_and_is_stored_half_width(qtbot, window):
    STAFF.create({"name": "王芳", "department": "办公室"})
    pane = window.pane_for_ledger("incoming")
    window.show_pane(pane)
    pane.show_view(0)
    seen = {}

    def next_form(form):
        qtbot.keyClick(form, Qt.Key.Key_Escape)  # ends the run of registrations

    def first(form):
        type_text(qtbot, form.widgets["sender_org"].lineEdit(), "市财政局")
        type_text(qtbot, form.widgets["sender_no"], "某财建〔２０２６〕８号")
        type_text(qtbot, form.widgets["title"], "关于ＡＢＣ项目的通知")
        note = form.widgets["note"]
        assert isinstance(note, QPlainTextEdit)
        qtbot.keyClicks(note, "x" * 1001)
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)
        seen["note"] = form.errors["note"].text()
        seen["open"] = form.isVisible() and IncomingDoc.select().count() == 0
        note.clear()
        type_text(qtbot, note, "原件已交档案室")
        when_modal(next_form)
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)

    when_modal(first)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen == {"note": "备注不能超过 1000 字（现有 1001 字）", "open": True}
    doc = IncomingDoc.get()
    assert (doc.sender_org, doc.sender_no, doc.title, doc.note) == ("市财政局", "某财建〔2026〕8号", "关于ABC项目的通知",
                                                                    "原件已交档案室")


def test_a_dispatch_with_a_bad_postcode_is_refused_at_the_postcode(qtbot, window):
    STAFF.create({"name": "陈杰", "department": "工程部"})
    tab = window.show_pane(window.pane_for_ledger("dispatches"))
    view = tab.view_for("dispatches")
    tab.show_view(view)
    seen = {}

    def fill(form):
        try:
            type_text(qtbot, form.widgets["tracking_no"], "SF2000000000001")
            type_text(qtbot, form.widgets["sender"], "陈杰")
            type_text(qtbot, form.widgets["recipient_org"].lineEdit(), "某单位")
            type_text(qtbot, form.widgets["address"], "某路１号")
            type_text(qtbot, form.widgets["postcode"], "１０００１")
            qtbot.keyClick(form.widgets["address"], Qt.Key.Key_Return)
            seen["postcode"] = form.errors["postcode"].text()
            seen["saved"] = Dispatch.select().count()
            form.widgets["postcode"].clear()
            type_text(qtbot, form.widgets["postcode"], "１０００１０")
        except Exception:
            form.reject()
            raise
        # a new organisation: the form offers to add it to the address book (not now)
        when_modal(lambda box: box.button(QMessageBox.StandardButton.No).click())
        qtbot.keyClick(form.widgets["address"], Qt.Key.Key_Return)

    when_modal(fill)
    view.new_record()
    assert seen == {"postcode": "邮政编码应为 6 位数字", "saved": 0}
    d = Dispatch.get()
    assert (d.address, d.postcode, d.sender, d.department) == ("某路1号", "100010", "陈杰", "工程部")
