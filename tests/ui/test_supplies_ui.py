"""办公用品 through real widgets: the 领用台 driven by scanner keystrokes, 批量领用, a receipt at price 0,
and a stocktake counted by scanning and posted with its sign-offs."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin import clock
from neiqin.models import STAFF
from neiqin.models.supplies import items, posting
from neiqin.models.supplies import moves as moves_mod
from neiqin.models.supplies import stocktake as T
from neiqin.ui.supplies.stocktake_view import PostDialog, StartDialog
from neiqin.ui.supplies.supplies_pane import SuppliesPane
from neiqin.ui.supplies.supply_desk import BatchIssueDialog

from .conftest import press, type_text, when_modal

ENTER = Qt.Key.Key_Return


@pytest.fixture
def stocked(database, host):
    STAFF.create({"name": "王芳", "department": "财务部"})
    day = clock.today() - dt.timedelta(days=3)
    paper = items.SUPPLIES.create({"name": "A4复印纸", "unit": "包", "spec": "70g", "location": "A柜", "since": day,
                               "min_stock": 5, "max_stock": 50})
    staples = items.SUPPLIES.create({"name": "订书钉", "unit": "盒", "location": "B柜", "since": day})
    posting.receive({"item": paper, "qty": 20, "unit_price": "23.50", "move_date": day})
    posting.receive({"item": staples, "qty": 3, "unit_price": "1.50", "move_date": day})
    return paper, staples


@pytest.fixture
def pane(stocked, window, qtbot) -> SuppliesPane:
    p = window.pane("supplies")
    window.show_pane(p)
    p.show_view(0)
    return p


def scan(qtbot, widget, code: str) -> None:
    """A USB scanner is a keyboard: the code's keys, then Enter."""
    widget.setFocus()
    qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, ENTER)


def test_desk_issues_to_a_queue_by_scanner(qtbot, pane, stocked):
    paper, staples = stocked
    desk = pane.desk
    type_text(qtbot, desk.person, "张三")
    qtbot.waitUntil(lambda: desk.person.selected() is not None)
    desk.person.completer().popup().hide()
    qtbot.keyClick(desk.person, ENTER)
    assert desk.code.hasFocus() and desk.department.currentText() == "办公室"

    scan(qtbot, desk.code, paper.code)
    assert desk.qty.hasFocus() and desk.qty.selectedText() == "1"
    qtbot.keyClicks(desk.qty, "5")
    qtbot.keyClick(desk.qty, ENTER)
    assert [ln["qty"] for ln in desk.lines] == [5000] and desk.code.hasFocus()

    scan(qtbot, desk.code, staples.code.lower())  # case does not matter
    qtbot.keyClicks(desk.qty, "5")
    qtbot.keyClick(desk.qty, ENTER)
    assert desk.message.text() == "库存不足：现有 3 盒，申领 5 盒"
    assert desk.qty.hasFocus() and len(desk.lines) == 1
    desk.qty.selectAll()
    qtbot.keyClicks(desk.qty, "1.5")
    qtbot.keyClick(desk.qty, ENTER)
    assert desk.message.text() == "“盒”按整数计量，领用数量不能是 1.5"
    desk.qty.selectAll()
    qtbot.keyClicks(desk.qty, "2")
    qtbot.keyClick(desk.qty, ENTER)
    assert len(desk.lines) == 2

    seen = {}

    def refuse(box):
        seen["text"] = box.text()
        box.button(QMessageBox.StandardButton.No).click()

    when_modal(refuse)
    scan(qtbot, desk.code, "ZZ999")
    assert "找不到编码为“ZZ999”的物品" in seen["text"] and "新建" in seen["text"]
    assert len(desk.lines) == 2

    desk.code.clear()
    qtbot.keyClick(desk.code, ENTER)  # Enter on the empty code field saves the slip
    moves = list(moves_mod.StockMove.select().where(moves_mod.StockMove.kind == moves_mod.ISSUE).order_by(moves_mod.StockMove.id))
    assert [(m.name, m.qty, m.person, m.department) for m in moves] == [
        ("A4复印纸", -5000, "张三", "办公室"), ("订书钉", -2000, "张三", "办公室")]
    assert len({m.no for m in moves}) == 1 and desk.last_no == moves[0].no
    assert "请下一位" in desk.message.text() and not desk.lines and desk.person.text() == ""
    assert desk.focusWidget() is desk.person
    assert items.Supply.get_by_id(paper.id).on_hand == 15000

    # the next colleague, typed by pinyin initials
    type_text(qtbot, desk.person, "wf")
    qtbot.waitUntil(lambda: desk.person.completer().popup().isVisible())
    qtbot.keyClick(desk.person.completer().popup(), Qt.Key.Key_Down)
    qtbot.keyClick(desk.person.completer().popup(), ENTER)
    qtbot.waitUntil(lambda: desk.person.selected() is not None)
    assert desk.person.text() == "王芳" and desk.department.currentText() == "财务部"


def test_batch_issue_for_a_department(qtbot, pane, stocked):
    paper, staples = stocked
    seen = {}

    def fill(dlg):
        assert isinstance(dlg, BatchIssueDialog)
        dlg.department.setCurrentText("财务部")
        dlg.person.set_value({"id": None, "name": "王芳"})
        dlg.set_quantity(paper.code, "10")
        dlg.set_quantity(staples.code, "4")
        dlg.save()
        seen["error"] = dlg.error.text()
        assert dlg.isVisible()  # refused: nothing saved
        dlg.set_quantity(staples.code, "3")
        dlg.save()

    when_modal(fill)
    moves = pane.desk.batch_issue()
    assert "订书钉：库存不足：现有 3 盒，申领 4 盒" in seen["error"]
    assert [(m.name, m.qty, m.department) for m in moves] == [("A4复印纸", -10000, "财务部"),
                                                              ("订书钉", -3000, "财务部")]


def test_receipt_at_price_zero_asks_first(qtbot, pane, stocked):
    paper, _ = stocked
    moves = pane.moves
    pane.show_view(moves)

    def confirm(box):
        assert "单价为 0" in box.text()
        press(box, "仍然保存")

    def form(dlg):
        dlg.set_values({"qty": "4", "unit_price": "0", "supplier": "厂家赠送"})
        when_modal(confirm)
        dlg.widgets["item"].setFocus()
        qtbot.keyClick(dlg.widgets["item"], ENTER)  # Enter in the item field saves the form

    when_modal(form)
    rec = moves.receive_dialog(paper)
    assert rec is not None and rec.amount == 0 and rec.supplier == "厂家赠送"
    assert items.Supply.get_by_id(paper.id).on_hand == 24000


def test_stocktake_scanned_and_posted(qtbot, pane, stocked):
    paper, staples = stocked
    view = pane.stocktake
    pane.show_view(view)

    def start(dlg):
        assert isinstance(dlg, StartDialog)
        dlg.blind.setChecked(True)
        dlg.accept()

    when_modal(start)
    take = view.start()
    assert take.blind and view.is_open and view.table.item(0, 5).text() == "—"  # blind: book hidden
    view.piecewise.setChecked(True)
    for _ in range(2):
        scan(qtbot, view.code, staples.code)  # each scan adds one box
    view.piecewise.setChecked(False)
    scan(qtbot, view.code, paper.code)
    assert view.focusWidget() is view.qty
    qtbot.keyClicks(view.qty, "19")
    qtbot.keyClick(view.qty, ENTER)
    assert T.progress(take) == (2, 2)
    lines = {ln.code: ln.counted_qty for ln in T.lines_of(take)}
    assert lines == {paper.code: 19000, staples.code: 2000}

    def post(dlg):
        assert isinstance(dlg, PostDialog)
        dlg.post()  # no names yet: refused at the fields
        assert dlg.errors["keeper"].text() == "请填写保管员" and dlg.isVisible()
        for key, name in (("keeper", "张三"), ("admin_head", "王芳"), ("finance_head", "李会计")):
            dlg.widgets[key].set_value({"id": None, "name": name})
        dlg.post()

    when_modal(post)
    done = view.post()
    assert done.status == T.POSTED and (done.gain_value, done.loss_value) == (0, 2350 + 150)
    assert items.Supply.get_by_id(paper.id).on_hand == 19000 and items.Supply.get_by_id(staples.id).on_hand == 2000
    assert not view.buttons["post"].isEnabled() and view.buttons["start"].isEnabled()
    assert QApplication.activeModalWidget() is None


def test_the_issue_view_prints_the_issue_register_with_room_to_sign(qtbot, window, pane, stocked):
    """出入库流水 → 只看领用 (F6) → 打印 (Ctrl+P): the 领用登记簿, with the columns of an issue only and a
    领用人签字 column at least 25 mm wide, in rows at least 10 mm high; the receipts are not on it."""
    import pdfplumber
    from reportlab.lib.units import mm

    from neiqin.ui.printing.preview import PreviewDialog

    paper, staples = stocked
    posting.issue({"person": "王芳", "lines": [{"item": paper, "qty": 2, "purpose": "打印报表"},
                                               {"item": staples, "qty": 1}], "note": "月底结账"})
    posting.issue({"person": "王芳", "item": paper, "qty": 1, "purpose": "复印合同"})
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # 出入库流水
    view = pane.tabs.currentWidget()
    assert view.spec is moves_mod.STOCK_MOVES
    qtbot.keyClick(view.table, Qt.Key.Key_F6)  # 只看领用
    qtbot.waitUntil(lambda: view.model.query.status == "issue" and view.model.rowCount() == 3)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # 打印
    assert isinstance(view.preview, PreviewDialog)
    qtbot.addWidget(view.preview)
    path = view.preview.path
    assert "领用登记簿" in path.name
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        for header in ("办公用品领用登记簿", "日期", "单号", "物品", "规格", "数量", "单位", "部门", "领用人",
                       "用途/备注", "领用人签字"):  # 领用部门 wraps in its header cell
            assert header in text, header
        for gone in ("出入库登记簿", "供应商", "发票号", "收入", "发出", "入库"):
            assert gone not in text, gone
        assert "打印报表" in text and "复印合同" in text and "月底结账" in text and "共 3 条" in text
        xs = sorted({round(ln["x0"], 1) for ln in page.lines if abs(ln["x0"] - ln["x1"]) < 0.1})
        ys = sorted({round(ln["top"], 1) for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 0.1})
    assert xs[-1] - xs[-2] >= 25 * mm - 0.5  # 领用人签字, the last column
    rows = [b - a for a, b in zip(ys[1:], ys[2:], strict=False)]  # below the header row
    assert len(rows) == 3 and min(rows) >= 10 * mm - 0.5


def test_a_receipt_typed_full_width_is_stored_half_width_and_a_bad_sum_is_said_at_its_field(qtbot, pane, stocked):
    """The 入库 form from the slip's declaration: １２ 包 at ¥２.５０ typed through an input method is 12 at 2.50;
    a sum with three decimals is refused at 金额 with its sentence, and nothing is saved until it is put right."""
    paper, _ = stocked
    moves = pane.moves
    pane.show_view(moves)
    before = moves_mod.StockMove.select().count()
    seen = {}

    def form(dlg):
        type_text(qtbot, dlg.widgets["qty"], "１２")
        type_text(qtbot, dlg.widgets["amount"], "３０.００５")
        type_text(qtbot, dlg.widgets["invoice_no"], "ＦＰ２０２６")
        qtbot.keyClick(dlg.widgets["invoice_no"], ENTER)
        seen["amount"] = dlg.errors["amount"].text()
        seen["saved"] = moves_mod.StockMove.select().count()
        dlg.widgets["amount"].clear()
        type_text(qtbot, dlg.widgets["unit_price"], "¥２.５０")
        qtbot.keyClick(dlg.widgets["invoice_no"], ENTER)

    when_modal(form)
    rec = moves.receive_dialog(paper, {"unit_price": ""})
    assert seen == {"amount": "金额最多 2 位小数（分）", "saved": before}
    assert rec is not None and (rec.qty, rec.unit_cost, rec.amount, rec.invoice_no) == (12000, 25000, 3000, "FP2026")
