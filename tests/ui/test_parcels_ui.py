"""快递 through real widgets: a morning of 40 parcels from the scanner, duplicates, bad scans, pickup in person and
on someone's behalf, returns, slips and lists, a dispatch from the address book with its envelope, costs, rules."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin.models import STAFF
from neiqin.models.base import AuditLog
from neiqin.models.ledger import LedgerQuery
from neiqin.models.mail.addresses import ADDRESSES, Organisation
from neiqin.models.mail.dispatches import DISPATCHES, Dispatch, record_dispatch
from neiqin.models.mail.parcel_rules import OTHER, PICKED, RETURNED, WAITING, recognise
from neiqin.models.mail.parcels import Parcel, receive
from neiqin.ui.forms import RecordForm
from neiqin.ui.mail.parcel_desk import CarrierRulesDialog, PickupDialog
from neiqin.ui.mail.parcels_pane import AddressBookPane, CostView, DispatchesPane, ParcelsPane
from neiqin.ui.printing.envelope_dialog import EnvelopeDialog
from neiqin.ui.util import ReasonDialog

from .conftest import press, type_text, when_modal

ENTER = Qt.Key.Key_Return
NUMBERS = [("SF14286372905{:02d}", "顺丰速运"), ("JDVA205837164{:02d}", "京东物流"), ("YT73861045293{:02d}", "圆通速递"),
           ("7531284609{:04d}", "中通快递"), ("43120876543{:02d}", "韵达快递"), ("JT53082166497{:02d}", "极兔速递"),
           ("RR4738291{:02d}CN", "邮政挂号"), ("EA1234567{:02d}CN", "EMS")]
PEOPLE = [("zs", "张三"), ("ls", "李四"), ("ww", "王五"), ("zm", "赵敏"), ("cj", "陈杰")]


@pytest.fixture
def office(database, host):
    STAFF.create({"name": "李四", "department": "财务部"})
    STAFF.create({"name": "王五", "department": "技术部"})
    STAFF.create({"name": "赵敏", "department": "办公室"})
    STAFF.create({"name": "陈杰", "department": "市场部"})


@pytest.fixture
def parcels(office, window, qtbot) -> ParcelsPane:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tab = window.show_pane(window.pane_for_ledger("parcels"))
    pane = tab.view_for("parcels")
    tab.show_view(pane)
    qtbot.waitUntil(lambda: pane.desk.scan.hasFocus())
    return pane


def back(qtbot, pane) -> None:
    """After a modal dialog closes the window is active again (offscreen needs telling)."""
    w = pane.window()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def scan(qtbot, desk, number: str) -> None:
    """A USB scanner: the digits as key presses, then Enter."""
    qtbot.keyClicks(desk.scan, number)
    qtbot.keyClick(desk.scan, ENTER)


def pick_recipient(qtbot, desk, initials: str) -> None:
    qtbot.keyClicks(desk.recipient, initials)
    qtbot.waitUntil(lambda: desk.recipient.completer().popup().isVisible())
    qtbot.keyClick(desk.recipient, ENTER)  # the first match
    assert desk.recipient.selected() is not None


def test_a_morning_of_40_parcels_from_the_scanner(qtbot, parcels):
    desk = parcels.desk
    expected = {}
    for i in range(40):
        pattern, carrier = NUMBERS[i % len(NUMBERS)]
        number = pattern.format(i)
        initials, name = PEOPLE[i % len(PEOPLE)]
        assert desk.scan.hasFocus()
        scan(qtbot, desk, number)
        assert desk.carrier.currentText() == carrier and desk.recipient.hasFocus()
        pick_recipient(qtbot, desk, initials)
        if i % 10 == 3:  # two pieces and a shelf typed by hand: Tab over from the recipient
            qtbot.keyClick(desk.recipient, Qt.Key.Key_Tab)
            assert desk.pieces.hasFocus()
            desk.pieces.lineEdit().selectAll()
            qtbot.keyClicks(desk.pieces.lineEdit(), "2")
            qtbot.keyClick(desk.pieces.lineEdit(), Qt.Key.Key_Tab)
            assert desk.shelf.hasFocus()
            desk.shelf.clear()
            qtbot.keyClicks(desk.shelf, "c-2")
            qtbot.keyClick(desk.shelf, ENTER)
        else:
            qtbot.keyClick(desk.recipient, ENTER)
        expected[number] = (carrier, name)
        assert desk.scan.hasFocus() and desk.scan.text() == ""
    rows = {p.tracking_no: p for p in Parcel.select()}
    assert len(rows) == 40
    for number, (carrier, name) in expected.items():
        assert (rows[number].carrier, rows[number].recipient, rows[number].status) == (carrier, name, WAITING)
    two = rows[NUMBERS[3][0].format(3)]
    assert (two.pieces, two.shelf) == (2, "C-2")
    # later parcels for the same person went to the shelf where theirs already waited
    later = [p for p in rows.values() if p.recipient == "赵敏" and p.id > two.id]
    assert later and {p.shelf for p in later} == {"C-2"}
    assert parcels.model.rowCount() == 40
    assert "待领取 40 件" in parcels.waiting_label.text()
    assert "本次已登记 40 件" in desk.message.text()


def test_the_same_number_twice_asks_what_is_happening(qtbot, parcels):
    desk = parcels.desk
    scan(qtbot, desk, "SF1428637290511")
    pick_recipient(qtbot, desk, "ls")
    qtbot.keyClick(desk.recipient, ENTER)
    seen = {}

    def cancel(box):
        seen["text"] = box.text()
        next(b for b in box.buttons() if "取消" in b.text()).click()

    when_modal(cancel)
    scan(qtbot, desk, "sf1428637290511")
    assert "已于" in seen["text"] and "李四" in seen["text"]
    assert Parcel.select().count() == 1 and desk.scan.text() == ""
    back(qtbot, parcels)
    qtbot.waitUntil(desk.scan.hasFocus)

    when_modal(lambda box: next(b for b in box.buttons() if "再登记" in b.text()).click())
    scan(qtbot, desk, "SF1428637290511")
    back(qtbot, parcels)
    pick_recipient(qtbot, desk, "ls")
    qtbot.keyClick(desk.recipient, ENTER)
    assert Parcel.select().count() == 2
    assert any("前台确认" in a.summary for a in AuditLog.select().where(AuditLog.ledger == "parcels"))

    def handing_over(dlg):
        assert isinstance(dlg, PickupDialog) and dlg.list.count() == 2
        qtbot.keyClick(dlg.taker, ENTER)

    when_modal(lambda box: (when_modal(handing_over),
                            next(b for b in box.buttons() if "领取" in b.text()).click()))
    scan(qtbot, desk, "SF1428637290511")
    assert {p.status for p in Parcel.select()} == {PICKED}
    assert "李四 领取 2 件" in desk.message.text()


def test_unknown_and_bad_scans(qtbot, parcels):
    desk = parcels.desk
    scan(qtbot, desk, "ZX000123456")
    assert desk.carrier.currentText() == OTHER and "未识别" in desk.message.text()
    pick_recipient(qtbot, desk, "zs")
    desk.carrier.setCurrentText("闪送")  # the clerk corrects it before saving
    qtbot.keyClick(desk.recipient, ENTER)
    assert Parcel.get().carrier == "闪送"

    type_text(qtbot, desk.scan, "SF12中文")  # a scanner typing into a Chinese input method
    qtbot.keyClick(desk.scan, ENTER)
    assert "输入法" in desk.message.text() and desk.scan.styleSheet()
    assert Parcel.select().count() == 1
    desk.scan.clear()
    scan(qtbot, desk, "SF1000000000001")
    qtbot.keyClick(desk.recipient, ENTER)  # no recipient: refused at the field
    assert "请填写收件人" in desk.message.text() and desk.recipient.hasFocus()
    assert Parcel.select().count() == 1


def test_pickup_in_person_on_behalf_and_return(qtbot, parcels):
    li = STAFF.model.get(STAFF.model.name == "李四")
    zs = STAFF.model.get(STAFF.model.name == "张三")
    a = receive({"tracking_no": "SF1000000000001", "recipient": li.id})
    b = receive({"tracking_no": "SF1000000000002", "recipient": li.id})
    c = receive({"tracking_no": "YT1000000000003", "recipient": zs.id})
    d = receive({"tracking_no": "JT1000000000004", "recipient": zs.id})
    parcels.refresh()

    # F8: "is there anything for me?" — type the name, Enter shows the list, Enter hands it over
    def by_person(dlg):
        qtbot.keyClicks(dlg.person, "ls")
        qtbot.waitUntil(lambda: dlg.person.completer().popup().isVisible())
        qtbot.keyClick(dlg.person, ENTER)
        assert dlg.list.count() == 2 and dlg.taker.text() == "李四"
        qtbot.keyClick(dlg.taker, ENTER)

    when_modal(by_person)
    qtbot.keyClick(parcels.table, Qt.Key.Key_F8)
    assert Parcel.get_by_id(a.id).status == PICKED and Parcel.get_by_id(b.id).picked_by == "李四"

    # Ctrl+R on one of 张三's parcels: 王五 collects both on his behalf
    back(qtbot, parcels)
    assert parcels.open_record(c.id)

    def on_behalf(dlg):
        assert isinstance(dlg, PickupDialog) and dlg.list.count() == 2
        dlg.taker.clear()
        qtbot.keyClicks(dlg.taker, "ww")
        qtbot.waitUntil(lambda: dlg.taker.completer().popup().isVisible())
        qtbot.keyClick(dlg.taker, ENTER)
        qtbot.keyClick(dlg.taker, ENTER)

    when_modal(on_behalf)
    qtbot.keyClick(parcels.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    c2 = Parcel.get_by_id(c.id)
    assert (c2.status, c2.picked_by) == (PICKED, "王五") and "王五 代 张三 领取" in c2.note
    assert "代领" in parcels.detail.text()

    e = receive({"tracking_no": "SF1000000000005", "recipient": zs.id})
    assert parcels.open_record(e.id)

    def reason(dlg):
        assert isinstance(dlg, ReasonDialog)
        type_text(qtbot, dlg.edit, "收件人拒收")
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()

    when_modal(reason)
    parcels.return_btn.click()
    e2 = Parcel.get_by_id(e.id)
    assert (e2.status, e2.return_reason) == (RETURNED, "收件人拒收")
    assert Parcel.get_by_id(d.id).status == PICKED

    # 撤销领取…: the return was a mistake; the parcel waits again, still selected, the change in its history
    def undo(dlg):
        type_text(qtbot, dlg.edit, "点错了")
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()

    when_modal(undo)
    parcels.revert_btn.click()
    assert Parcel.get_by_id(e.id).status == WAITING and parcels.current_id() == e.id


def test_slips_and_waiting_list_print_to_the_preview(qtbot, parcels, datadir):
    li = STAFF.model.get(STAFF.model.name == "李四")
    p = receive({"tracking_no": "SF1000000000001", "recipient": li.id, "shelf": "A-1"})
    receive({"tracking_no": "SF1000000000002", "recipient": STAFF.model.get(STAFF.model.name == "王五").id})
    parcels.refresh()
    assert parcels.open_record(p.id)
    slips = parcels.print_slips()  # the selected parcel's recipient only
    text = subprocess.run(["pdftotext", str(slips), "-"], capture_output=True, text=True).stdout
    assert "李四" in text and "SF1000000000001" in text and "王五" not in text
    lst = parcels.print_waiting_list()
    assert lst.parent == datadir.prints
    text = subprocess.run(["pdftotext", str(lst), "-"], capture_output=True, text=True).stdout
    assert "待领取快递清单" in text and "SF1000000000002" in text
    for w in QApplication.topLevelWidgets():
        if w.windowTitle() in ("取件通知单", "待领取快递清单"):
            w.close()


def test_manual_entry_form_and_duplicate_question(qtbot, parcels):
    receive({"tracking_no": "SF1000000000001", "recipient": "张三"})

    def form(dlg):
        assert isinstance(dlg, RecordForm)
        qtbot.keyClicks(dlg.widgets["tracking_no"], "SF1000000000001")
        type_text(qtbot, dlg.widgets["recipient"], "李四")
        when_modal(lambda box: press(box, "返回修改"))
        qtbot.keyClick(dlg.widgets["tracking_no"], ENTER)
        assert dlg.isVisible() and Parcel.select().count() == 1  # not confirmed: nothing saved, form open
        when_modal(lambda box: press(box, "是另一件，仍然登记"))
        qtbot.keyClick(dlg.widgets["tracking_no"], ENTER)

    when_modal(form)
    parcels.new_record()
    assert Parcel.select().count() == 2


@pytest.fixture
def dispatches(office, window, qtbot) -> DispatchesPane:
    ADDRESSES.create({"name": "北京市住房和城乡建设委员会", "address": "北京市通州区达济街9号院", "postcode": "101160",
                      "contact": "刘科长", "phone": "010-55597000"})
    tab = window.show_pane(window.pane_for_ledger("dispatches"))
    pane = tab.view_for("dispatches")
    tab.show_view(pane)
    return pane


def test_dispatch_from_the_address_book_and_its_envelope(qtbot, dispatches):
    def form(dlg):
        w = dlg.widgets
        w["carrier"].setCurrentText("EMS")
        qtbot.keyClicks(w["tracking_no"], "SF2000000000001")  # the number names its carrier
        if w["carrier"].currentText() != "顺丰速运":
            dlg.reject()
            pytest.fail("carrier not recognised from the number")
        type_text(qtbot, w["sender"], "张三")
        type_text(qtbot, w["recipient_org"].lineEdit(), "北京市住房和城乡建设委员会")
        assert w["address"].text() == "北京市通州区达济街9号院" and w["postcode"].text() == "101160"
        assert w["recipient"].text() == "刘科长"
        qtbot.keyClicks(w["cost"], "23.5")
        qtbot.keyClick(w["cost"], ENTER)

    when_modal(form)
    dispatches.new_record()
    d = Dispatch.get()
    assert (d.carrier, d.department, d.cost_fen, d.org_id) == ("顺丰速运", "办公室", 2350,
                                                               Organisation.get().id)
    assert dispatches.select_id(d.id)
    made = {}

    def envelope(dlg):
        assert isinstance(dlg, EnvelopeDialog) and dlg.list.count() == 1
        dlg.size.setCurrentIndex(dlg.size.findData("C5"))
        made["pdf"] = dlg.make_pdf()
        dlg.reject()

    when_modal(envelope)
    dispatches.print_envelope()
    text = "".join(subprocess.run(["pdftotext", str(made["pdf"]), "-"], capture_output=True, text=True).stdout.split())
    assert "刘科长" in text and "贴邮票处" in text and "北京市通州区达济街9号院" in text


def test_a_new_organisation_is_offered_to_the_address_book_and_bad_cost_shown(qtbot, dispatches):
    def form(dlg):
        w = dlg.widgets
        type_text(qtbot, w["sender"], "李四")
        type_text(qtbot, w["recipient_org"].lineEdit(), "新客户有限公司")
        type_text(qtbot, w["address"], "上海市浦东新区世纪大道100号")
        qtbot.keyClicks(w["cost"], "abc")
        qtbot.keyClick(w["cost"], ENTER)
        assert "费用应为金额" in dlg.errors["cost"].text() and Dispatch.select().count() == 0
        w["cost"].clear()
        qtbot.keyClicks(w["cost"], "12")
        when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
        qtbot.keyClick(w["cost"], ENTER)

    when_modal(form)
    dispatches.new_record()
    assert Dispatch.get().department == "财务部"
    org = Organisation.get(Organisation.name == "新客户有限公司")
    assert Dispatch.get().org_id == org.id and org.address == "上海市浦东新区世纪大道100号"


def test_cost_view_prints_and_address_book_batch_envelopes(qtbot, dispatches, window):
    for cost in ("12", "30.5"):
        record_dispatch({"sender": "张三", "recipient_org": "北京市住房和城乡建设委员会", "address": "某地址",
                         "carrier": "EMS", "cost": cost})
    tab = window.current_pane()
    view = next(v for v in tab.views if isinstance(v, CostView))
    dispatches.show_costs()
    assert tab.tabs.currentWidget() is view
    assert view.summary.text() == "共 2 件，合计 42.50 元"
    assert view.table.item(0, 0).text() == "办公室"
    path = tab.print_view()  # Ctrl+P on the cost view prints the cost table
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "寄件费用统计表" in text and "42.50" in text

    book = next(v for v in tab.views if isinstance(v, AddressBookPane))
    tab.show_view(book)
    ADDRESSES.create({"name": "上海城建设计研究总院有限公司", "address": "上海市徐汇区东安路15号", "postcode": "200032"})
    book.refresh()
    seen = {}

    def batch(dlg):
        seen["n"] = dlg.list.count()
        dlg.list.item(0).setCheckState(Qt.CheckState.Unchecked)
        seen["pdf"] = dlg.make_pdf()
        dlg.reject()

    when_modal(batch)
    book.print_envelopes_for_view()
    assert seen["n"] == 2
    text = "".join(subprocess.run(["pdftotext", str(seen["pdf"]), "-"], capture_output=True, text=True).stdout.split())
    assert text.count("贴邮票处") == 1


def test_carrier_rules_dialog(qtbot, parcels):
    def edit(dlg):
        assert isinstance(dlg, CarrierRulesDialog)
        dlg.add_row(rule={"kind": "regex", "pattern": "(ZX", "carrier": "同城急送", "example": ""})
        dlg.save()
        assert "正则表达式有误" in dlg.error.text() and dlg.isVisible()
        last = dlg.table.rowCount() - 1
        dlg.table.item(last, 1).setText(r"ZX\d{9}")
        dlg.table.item(last, 3).setText("ZX000123456")
        dlg.trial.setText("ZX000123456")
        assert dlg.trial_result.text() == "→ 同城急送"
        dlg.save()

    when_modal(edit)
    parcels.edit_rules()
    assert recognise("ZX000123456") == "同城急送"
    assert parcels.desk.carrier.findText("同城急送") >= 0


def test_open_record_from_elsewhere_lands_in_the_parcels_view(qtbot, window, office):
    p = receive({"tracking_no": "SF1000000000001", "recipient": "张三"})
    d = record_dispatch({"sender": "张三", "recipient_org": "某单位", "address": "某地址", "carrier": "EMS"})
    assert window.open_record("parcels", p.id)
    tab = window.current_pane()
    assert tab.tabs.currentWidget() is tab.view_for("parcels") and tab.current_id() == p.id
    assert window.open_record("dispatches", d.id)
    assert tab.tabs.currentWidget() is tab.view_for("dispatches") and tab.current_id() == d.id
    assert DISPATCHES.count(LedgerQuery()) == 1


def test_settings_page_saves_overdue_days_and_sender(qtbot, parcels):
    from neiqin.models import settings
    from neiqin.ui.mail.parcels_pane import ParcelSettingsDialog

    def edit(dlg):
        assert isinstance(dlg, ParcelSettingsDialog)
        page = dlg.page
        page.overdue.setValue(5)
        page.postcode.setText("1000")
        assert not page.save() and "6 位数字" in page.error.text()
        page.postcode.setText("100022")
        type_text(qtbot, page.address, "北京市朝阳区建国路88号")
        assert page.save()
        dlg.accept()

    when_modal(edit)
    parcels.edit_settings()
    assert settings.get("parcels.overdue_days") == 5 and settings.get("parcels.sender_postcode") == "100022"
    assert settings.get("parcels.sender_address") == "北京市朝阳区建国路88号"
