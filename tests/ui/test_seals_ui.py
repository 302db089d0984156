"""用印登记 through real widgets: a paper application approved and stamped, a licence lent and returned,
the register printed and the chain verified."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin import clock
from neiqin.models import STAFF
from neiqin.models.seals.loans import SealLoan
from neiqin.models.seals.registry import LICENCES, SEALS, Licence
from neiqin.models.seals.uses import SealUse
from neiqin.ui.seals.seal_dialogs import StepForm, set_datetime
from neiqin.ui.seals.seals_pane import SealsPane

from .conftest import press, type_text, when_modal

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def office(database, host):
    STAFF.create({"name": "李强", "department": "总经理办公室", "title": "总经理"})
    STAFF.create({"name": "赵敏", "department": "办公室"})
    STAFF.create({"name": "陈杰", "department": "市场部"})
    SEALS.create({"name": "公司公章", "kind": "公章", "custodian": "赵敏", "approval_levels": 1})
    LICENCES.create({"name": "营业执照", "copy_kind": "副本", "number": "91110105MA01ABCD2X",
                     "valid_until": dt.date(2040, 1, 1), "location": "办公室文件柜"})


@pytest.fixture
def seals_pane(office, window, qtbot) -> SealsPane:
    pane = window.pane("seal-uses")
    window.show_pane(pane)
    pane.show_view(0)
    return pane


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def pick(qtbot, picker, text):
    type_text(qtbot, picker, text)
    qtbot.waitUntil(lambda: picker.selected() is not None)


def test_clerk_records_use_loan_prints_and_verifies(qtbot, window, seals_pane, datadir, tmp_path):
    uses = seals_pane.uses
    seen = {}

    def stamping(form):
        seen["stamp_title"] = form.windowTitle()
        pick(qtbot, form.widgets["supervisor"], "赵敏")
        qtbot.keyClick(form.widgets["stamp_note"], Qt.Key.Key_Return)  # not confirmed: refused at the field
        seen["check_error"] = form.errors["content_checked"].text()
        assert form.isVisible()
        bad = tmp_path / "scan.docx"
        bad.write_bytes(b"PK\x03\x04 not an image")
        form.widgets["content_checked"].setChecked(True)
        form.widgets["files"].edit.setText(str(bad))
        qtbot.keyClick(form.widgets["stamp_note"], Qt.Key.Key_Return)
        seen["file_error"] = form.errors["files"].text()
        assert SealUse.get().status == "已批准"  # nothing saved
        good = tmp_path / "盖章页.png"
        good.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        form.widgets["files"].edit.setText(str(good))
        qtbot.keyClick(form.widgets["stamp_note"], Qt.Key.Key_Return)

    def approval(form):
        seen["approve_title"] = form.windowTitle()
        pick(qtbot, form.widgets["approver"], "李强")
        when_modal(stamping)
        qtbot.keyClick(form.widgets["opinion"], Qt.Key.Key_Return)

    def application(form):
        assert isinstance(form, StepForm)
        pick(qtbot, form.widgets["applicant"], "陈杰")
        type_text(qtbot, form.widgets["doc_title"], "设备采购合同")
        type_text(qtbot, form.widgets["purpose"], "与供应商签订合同")
        form.widgets["copies"].setValue(0)
        qtbot.keyClick(form.widgets["doc_no"], Qt.Key.Key_Return)
        seen["copies_error"] = form.errors["copies"].text()
        assert form.isVisible() and SealUse.select().count() == 0
        form.widgets["copies"].setValue(2)
        form.widgets["stamps_per_copy"].setValue(2)
        when_modal(approval)
        qtbot.keyClick(form.widgets["doc_no"], Qt.Key.Key_Return)

    when_modal(application)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    use = SealUse.get()
    assert seen["copies_error"] == "份数至少为 1"
    assert "空白文件" in seen["check_error"] and "不是图片或 PDF" in seen["file_error"]
    assert "第 2 步" in seen["approve_title"] and "第 3 步" in seen["stamp_title"]
    assert (use.status, use.department, use.approver1, use.supervisor, use.copies, use.attachments) == \
        ("已用印", "市场部", "李强", "赵敏", 2, 1)
    qtbot.waitUntil(lambda: uses.model.rowCount() == 1)
    assert uses.model.data(uses.model.index(0, 7)) == "2（4）"

    # the 用印申请单 for the file
    activate(qtbot, window)
    uses.table.selectRow(0)
    path = uses.print_form()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "用印申请单" in text.replace(" ", "") and "设备采购合同" in text and "李强" in text

    # lend the 营业执照 to a colleague (Alt+2, Ctrl+N), then record its return (Ctrl+R)
    activate(qtbot, window)
    qtbot.keyClick(seals_pane.tabs, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert seals_pane.current() is seals_pane.loans

    def lend_form(form):
        items = form.widgets["item"]
        items.setCurrentIndex(items.findText("证照：营业执照（副本）"))
        pick(qtbot, form.widgets["borrower"], "陈杰")
        type_text(qtbot, form.widgets["purpose"], "参加投标")
        pick(qtbot, form.widgets["approver"], "李强")
        qtbot.keyClick(form.widgets["purpose"], Qt.Key.Key_Return)

    when_modal(lend_form)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    loan = SealLoan.get()
    assert (loan.item_name, loan.borrower, loan.department, loan.status) == ("营业执照（副本）", "陈杰", "市场部", "借出")
    assert Licence.get().status == "外借"
    loans = seals_pane.loans
    qtbot.waitUntil(lambda: loans.model.rowCount() == 1)
    loans.table.selectRow(0)

    def return_form(form):
        set_datetime(form.widgets["returned_at"], loan.lent_at - dt.timedelta(hours=1))
        qtbot.keyClick(form.widgets["return_note"], Qt.Key.Key_Return)
        seen["return_error"] = form.errors["returned_at"].text()
        set_datetime(form.widgets["returned_at"], clock.now())
        qtbot.keyClick(form.widgets["return_note"], Qt.Key.Key_Return)

    when_modal(return_form)
    activate(qtbot, window)
    loans.table.setFocus()
    qtbot.keyClick(loans.table, Qt.Key.Key_R, CTRL)
    assert "不能早于借出时间" in seen["return_error"]
    assert SealLoan.get().status == "已归还" and Licence.get().status == "在库"

    # print the register of uses (Ctrl+P on the 用印 view)
    activate(qtbot, window)
    qtbot.keyClick(seals_pane.tabs, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    printed = list((datadir.root / "prints").glob("用印登记簿-*.pdf"))
    assert len(printed) == 1
    text = subprocess.run(["pdftotext", "-layout", str(printed[0]), "-"], capture_output=True, text=True).stdout
    assert "用印登记簿" in text and "设备采购合同" in text and "监印人" in text

    # 校验 says 完整
    def read_box(box):
        seen["verify"] = box.text()
        box.button(QMessageBox.StandardButton.Ok).click()

    when_modal(read_box)
    activate(qtbot, window)
    uses.table.setFocus()
    qtbot.keyClick(uses.table, Qt.Key.Key_V, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert seen["verify"].startswith("完整")


def test_stats_view_and_expired_licence_is_asked(qtbot, window, seals_pane):
    LICENCES.update(Licence.get(), {"valid_until": clock.today() - dt.timedelta(days=3)})
    seals_pane.show_view(3)
    lic = seals_pane.licences
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: lic.model.rowCount() == 1)
    assert lic.row_background(lic.model.rows[0]).name() == "#fce8e6"
    assert "已过期 1 件" in lic.expiry_label.text()
    seals_pane.show_view(1)

    def lend_form(form):
        items = form.widgets["item"]
        items.setCurrentIndex(items.findText("证照：营业执照（副本）"))
        pick(qtbot, form.widgets["borrower"], "陈杰")
        type_text(qtbot, form.widgets["purpose"], "年检")
        pick(qtbot, form.widgets["approver"], "李强")

        def answer(box):
            seen.append(box.text())
            press(box, "仍然借出")

        when_modal(answer)
        qtbot.keyClick(form.widgets["purpose"], Qt.Key.Key_Return)

    seen: list[str] = []
    when_modal(lend_form)
    seals_pane.new_record()
    assert "过期" in seen[0]
    assert SealLoan.get().expired_ack
    seals_pane.show_view(4)
    assert seals_pane.stats.table.columnCount() == 4
    assert seals_pane.stats.chart.series()
