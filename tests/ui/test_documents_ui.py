"""收文 / 发文 through real widgets: a morning's mail registered by keyboard, one document pushed through its
steps, a 发文 numbered, sent and signed for, the printouts, and the 工作日历 editor."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from neiqin import clock
from neiqin.models import STAFF, workdays
from neiqin.models.mail import docs_common, incoming_steps
from neiqin.models.mail import incoming as incoming_mod
from neiqin.models.mail.incoming import IncomingDoc
from neiqin.models.mail.outgoing import OutgoingDoc
from neiqin.ui.mail.documents_pane import DocumentsPane
from neiqin.ui.mail.incoming_pane import DocForm

from .conftest import type_text, when_modal

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def pane(window, qtbot) -> DocumentsPane:
    STAFF.create({"name": "李强", "department": "总经理办公室", "title": "总经理"})
    STAFF.create({"name": "陈杰", "department": "工程部"})
    p = window.pane_for_ledger("incoming")
    window.show_pane(p)
    p.show_view(0)
    return p


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def pick(qtbot, picker, text):
    type_text(qtbot, picker, text)
    qtbot.waitUntil(lambda: picker.selected() is not None)


def fill_incoming(qtbot, form, sender: str, number: str, title: str) -> None:
    type_text(qtbot, form.widgets["sender_org"].lineEdit(), sender)
    type_text(qtbot, form.widgets["sender_no"], number)
    type_text(qtbot, form.widgets["title"], title)


def test_morning_mail_registered_by_keyboard(qtbot, window, pane):
    assert isinstance(pane, DocumentsPane) and window.tabs.tabText(window.tabs.currentIndex()) == "收发文/快递"
    seen = {}

    def third(form):
        seen["note3"] = form.findChildren(type(form.deadline_hint))[0].text()
        qtbot.keyClick(form, Qt.Key.Key_Escape)  # ends the run

    def duplicate_box(box):
        seen["dup"] = box.text()
        save = next(b for b in box.buttons() if b.text() == "仍然登记")
        when_modal(third, delay=150)
        save.click()

    def second(form):
        assert form.value("signed_by")["name"] == "张三"  # the signer carries over
        fill_incoming(qtbot, form, "市财政局", "某财建(2026)第08号", "关于预算执行的通知")
        seen["due_hint"] = form.deadline_hint.text()
        when_modal(duplicate_box)
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)

    def first(form):
        assert isinstance(form, DocForm)
        pick(qtbot, form.widgets["signed_by"], "张三")
        fill_incoming(qtbot, form, "市财政局", "某财建[2026]8号", "关于做好节假日值班工作的通知")
        form.widgets["urgency"].setCurrentText("特急")
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)  # urgent without a deadline: refused
        seen["urgent"] = form.errors["due_date"].text()
        assert IncomingDoc.select().count() == 0 and form.isVisible()
        form.widgets["due_date"].setText((clock.today() - dt.timedelta(days=400)).isoformat())
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)
        seen["early"] = form.errors["due_date"].text()
        form.widgets["due_date"].clear()
        form.widgets["deadline_days"].setValue(3)
        seen["hint"] = form.deadline_hint.text()
        when_modal(second)
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)

    when_modal(first)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert "紧急公文必须填写办理期限" in seen["urgent"]
    assert "不能早于收文日期" in seen["early"]
    assert str(workdays.add_working_days(clock.today(), 3)) in seen["hint"]
    assert "已经登记过" in seen["dup"]
    rows = list(IncomingDoc.select().order_by(IncomingDoc.id))
    assert [r.serial for r in rows] == [1, 2]
    assert rows[0].sender_no == rows[1].sender_no == "某财建〔2026〕8号"
    assert rows[1].signed_by == "张三"
    qtbot.waitUntil(lambda: pane.incoming.model.rowCount() == 2)


def test_one_document_through_every_step(qtbot, window, pane, tmp_path):
    doc = incoming_mod.register_incoming({"sender_org": "市住房和城乡建设局", "sender_no": "某建发〔2026〕5号",
                                  "title": "关于开展安全检查的通知", "signed_by": "张三",
                                  "received_at": clock.now().replace(second=0, microsecond=0)
                                  - dt.timedelta(hours=2)})
    view = pane.incoming
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.table.selectRow(0)
    view.table.setFocus()

    def do_step(fill):
        """Ctrl+R opens the 办理 menu; Enter takes the usual next step; ``fill`` completes its dialog."""
        def in_menu(menu):
            assert isinstance(menu, QMenu) or menu is None
            qtbot.keyClick(QApplication.activePopupWidget() or menu, Qt.Key.Key_Return)

        def dialog(form):
            fill(form)

        from PySide6.QtCore import QTimer

        QTimer.singleShot(100, lambda: in_menu(QApplication.activePopupWidget()))
        when_modal(dialog, delay=250)
        activate(qtbot, window)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_R, CTRL)

    def review(form):
        assert "初审" in form.windowTitle()
        pick(qtbot, form.widgets["by"], "张三")
        qtbot.keyClick(form.widgets["reason"], Qt.Key.Key_Return)

    do_step(review)
    qtbot.waitUntil(lambda: IncomingDoc.get_by_id(doc.id).status == docs_common.IN_PROPOSE)

    def propose(form):
        type_text(qtbot, form.widgets["opinion"], "建议工程部办理")
        pick(qtbot, form.widgets["by"], "张三")
        qtbot.keyClick(form.widgets["by"], Qt.Key.Key_Return)

    do_step(propose)
    qtbot.waitUntil(lambda: IncomingDoc.get_by_id(doc.id).status == docs_common.IN_INSTRUCT)

    def instruct(form):
        type_text(qtbot, form.widgets["instruction"], "同意")
        pick(qtbot, form.widgets["by"], "李强")
        qtbot.keyClick(form.widgets["by"], Qt.Key.Key_Return)

    do_step(instruct)
    qtbot.waitUntil(lambda: IncomingDoc.get_by_id(doc.id).status == docs_common.IN_ASSIGN)

    def assign(form):
        pick(qtbot, form.widgets["handler"], "陈杰")
        form.widgets["deadline_days"].setValue(5)
        qtbot.keyClick(form.widgets["note"], Qt.Key.Key_Return)

    do_step(assign)
    qtbot.waitUntil(lambda: IncomingDoc.get_by_id(doc.id).status == docs_common.IN_HANDLING)
    got = IncomingDoc.get_by_id(doc.id)
    assert got.handler_dept == "工程部" and got.due_date == workdays.add_working_days(clock.today(), 5)

    def finish(form):
        type_text(qtbot, form.widgets["result"], "已检查完毕")
        type_text(qtbot, form.widgets["reply_no"], "公司函[2026]2号")
        qtbot.keyClick(form.widgets["reply_no"], Qt.Key.Key_Return)

    do_step(finish)
    qtbot.waitUntil(lambda: IncomingDoc.get_by_id(doc.id).status == docs_common.IN_DONE)
    assert IncomingDoc.get_by_id(doc.id).reply_no == "公司函〔2026〕2号"

    activate(qtbot, window)
    view.select_id(doc.id)
    path = view.print_sheet()
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "文件处理笺" in text and "建议工程部办理" in text and "已检查完毕" in text


def test_overdue_rows_stand_out_and_filter(qtbot, window, pane):
    today = clock.today()
    for n, due in enumerate((today - dt.timedelta(days=2), workdays.add_working_days(today, 1),
                             today + dt.timedelta(days=30))):
        d = incoming_mod.register_incoming({"sender_org": f"单位{n}", "title": f"文件{n}",
                                    "received_at": clock.now() - dt.timedelta(days=5)})
        d = incoming_steps.review_incoming(d, {"by": "张三"})
        incoming_steps.assign_incoming(d, {"handler": "陈杰", "due_date": due})
    view = pane.incoming
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    colours = {view.model.row_at(i)["title"]: view.row_background(view.model.row_at(i)) for i in range(3)}
    assert colours["文件0"].name() == "#fce8e6" and colours["文件1"].name() == "#fef7e0" and colours["文件2"] is None
    assert "逾期 1 件" in view.alert.text()
    activate(qtbot, window)
    qtbot.keyClick(view.table, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.row_at(0)["title"] == "文件0"
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.row_at(0)["title"] == "文件1")


def test_outgoing_numbered_sent_and_signed(qtbot, window, pane):
    activate(qtbot, window)
    qtbot.keyClick(pane.tabs, Qt.Key.Key_2, ALT)
    view = pane.outgoing
    assert pane.current() is view
    seen = {}

    def info(box):
        seen["info"] = box.text()
        box.accept()

    def form(f):
        seen["hint"] = f.number_hint.text()
        f.widgets["code"].setCurrentText("公司函")
        seen["hint2"] = f.number_hint.text()
        type_text(qtbot, f.widgets["title"], "关于提供资料的复函")
        type_text(qtbot, f.widgets["main_to"], "市国资委、市财政局")
        qtbot.keyClick(f.widgets["title"], Qt.Key.Key_Return)  # no 签发人: refused at the field
        seen["signer"] = f.errors["signer"].text()
        pick(qtbot, f.widgets["signer"], "李强")
        when_modal(info)
        qtbot.keyClick(f.widgets["title"], Qt.Key.Key_Return)

    when_modal(form)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, CTRL)
    year = clock.today().year
    assert f"公司发〔{year}〕1号" in seen["hint"] and f"公司函〔{year}〕1号" in seen["hint2"]
    assert seen["signer"] == "请填写签发人"
    doc = OutgoingDoc.get()
    assert doc.doc_no == f"公司函〔{year}〕1号" and f"发文字号：{doc.doc_no}" in seen["info"]
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.table.selectRow(0)

    def distribute(f):
        assert f.value("organisations") == "市国资委、市财政局"
        qtbot.keyClick(f.widgets["organisations"], Qt.Key.Key_Return)

    when_modal(distribute)
    activate(qtbot, window)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: OutgoingDoc.get().delivered == 2)

    for _ in range(2):
        def sign(f):
            type_text(qtbot, f.widgets["signed_by"], "周收发")
            qtbot.keyClick(f.widgets["signed_by"], Qt.Key.Key_Return)

        when_modal(sign)
        activate(qtbot, window)
        view.select_id(doc.id)
        view.table.setFocus()
        qtbot.keyClick(view.table, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: OutgoingDoc.get().status == docs_common.OUT_SENT)
    path = view.print_book()
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "送文簿" in text and "周收发" in text and "市财政局" in text


def test_workdays_editor(qtbot, window, pane):
    from neiqin.ui.settings.workdays_dialog import WorkdaysDialog

    dlg = WorkdaysDialog(window, 2027)
    qtbot.addWidget(dlg)
    assert dlg.source.text() == "（未录入）"
    dlg.holidays.setPlainText("2027-01-01 元旦\n2027-02-05、2027-02-08 春节")
    dlg.workdays.setPlainText("2027-01-04")  # a Monday
    dlg.save()
    assert "周六或周日" in dlg.errors["workdays"].text() and 2027 not in workdays.known_years()
    dlg.workdays.setPlainText("2027-01-30")
    when_modal(lambda box: box.accept())
    dlg.save()
    assert dlg.saved and 2027 in workdays.known_years()
    assert not workdays.is_working_day(dt.date(2027, 2, 8))
    assert workdays.year_table(2027).holidays[dt.date(2027, 2, 5)] == "春节"
    again = WorkdaysDialog(window, 2026)
    qtbot.addWidget(again)
    assert again.source.text().startswith("内置") and "2026-02-14" in again.workdays.toPlainText()
