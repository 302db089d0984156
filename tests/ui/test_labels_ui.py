"""Label printing from the window: a badge at check-in, the badge/slip/on-site buttons, the 标签打印 tool,
custom stock, calibration offsets per printer, and the 打印字体 settings page."""

from __future__ import annotations

import pypdf
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from neiqin.models import Visit, settings
from neiqin.ui.printing import label_dialog as LD
from neiqin.ui.printing.label_dialog import CustomStockDialog, LabelPrintDialog
from neiqin.ui.printing.preview import PreviewDialog

from .conftest import type_text
from .printers import HAVE_ZBAR, assert_printed_as_sent, barcodes
from .test_visitors_ui import fill_visit


def when_dialog(cls, callback, tries=100):
    """Run ``callback(dialog)`` once a modal dialog of class ``cls`` is up (an earlier one may still be closing)."""

    def attempt(n=tries):
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, cls) and n > 0:
            QTimer.singleShot(50, lambda: attempt(n - 1))
            return
        callback(dlg)

    QTimer.singleShot(50, attempt)


def type_lines(qtbot, widget, lines):
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        type_text(qtbot, widget, line)


def press_print(qtbot, dlg, printer, press: str, enter_from) -> dict:
    """Pick ``printer`` in a print dialog and press 打印 by mouse or Enter (from ``enter_from``), as the clerk does.

    Returns what the dialog showed afterwards; a dialog left open (the press failed) is closed, so that the
    test reports the failure instead of waiting in exec() for ever.
    """
    try:
        printer.choose(dlg.printer)
        assert dlg.print_btn.isEnabled() and dlg.print_btn.isDefault()
        if press == "mouse":
            qtbot.mouseClick(dlg.print_btn, Qt.MouseButton.LeftButton)
        else:
            enter_from.setFocus()
            qtbot.keyClick(enter_from, Qt.Key.Key_Return)
        return {"error": dlg.error.text(), "closed": not dlg.isVisible(), "pdf": dlg.last_pdf}
    finally:
        if dlg.isVisible():
            dlg.reject()


def test_badge_printed_at_check_in(qtbot, window, tmp_path, printer):
    """登记后打印来访证 ticked: Ctrl+N, fill, Enter — the badge dialog follows, Enter prints the badge."""
    from neiqin.ui.forms import RecordForm

    pane = window.pane("visitors")
    pane.badge_on_checkin.setChecked(True)
    assert settings.get("visitor.print_badge_on_checkin") is True
    result = {}

    def on_labels(dlg):
        result["labels"] = len(dlg.labels)
        result["stock"] = dlg.stock.currentData()
        result.update(press_print(qtbot, dlg, printer, "enter", dlg.copies))

    def on_form(form):
        fill_visit(qtbot, form)
        when_dialog(LabelPrintDialog, on_labels)
        qtbot.keyClick(form.widgets["plate"], Qt.Key.Key_Return)  # Enter saves

    when_dialog(RecordForm, on_form)
    before = printer.snapshot()
    pane.new_record()
    visit = Visit.get(Visit.name == "欧阳明")
    assert (result["labels"], result["stock"], result["error"], result["closed"]) == (1, "a4-2x5-badge", "", True)
    out, = printer.collect(qtbot, before, tmp_path / "printed")
    assert assert_printed_as_sent(result["pdf"], out) == [0]  # an A4 sheet of badges, portrait
    if HAVE_ZBAR:  # printed as an image: the QR code tells the truth
        assert barcodes(out, tmp_path / "zbar") == [f"NQV:{visit.id}:{visit.badge_no}:{visit.visit_date.isoformat()}"]


def test_no_badge_dialog_when_not_ticked(qtbot, window, host, monkeypatch):
    from neiqin.models.visitors import check_in

    pane = window.pane("visitors")
    assert not pane.badge_on_checkin.isChecked()
    called = []
    monkeypatch.setattr(LD, "print_badges", lambda *a: called.append(a))
    pane.after_check_in(check_in({"name": "王五", "host": host.id}))
    assert called == []


@pytest.fixture
def visit(database, host):
    from neiqin.models.visitors import check_in

    return check_in({"name": "欧阳明", "company": "上海浦东物流有限公司", "host": host.id, "phone": "13912345678"})


def select(qtbot, pane, record_id):
    pane.refresh()
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0)
    assert pane.select_id(record_id)


def test_badge_button_without_printer_saves_pdf(qtbot, window, visit, tmp_path, monkeypatch, printers):
    printers([])  # this machine's printers, whatever they are, are not the test's
    pane = window.pane("visitors")
    select(qtbot, pane, visit.id)
    assert pane.badge_btn.isEnabled()
    target = tmp_path / "来访证.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen = {}

    def on_labels(dlg):
        seen["print_enabled"] = dlg.print_btn.isEnabled()
        seen["note"] = dlg.no_printer.isVisible() and dlg.no_printer.text()
        seen["printer"] = dlg.printer.currentText()
        seen["default"] = dlg.preview_btn.isDefault()
        dlg.stock.setCurrentIndex(dlg.stock.findData("roll-60x40"))
        seen["start_enabled"] = dlg.start.isEnabled()
        dlg.save_btn.click()
        dlg.reject()

    when_dialog(LabelPrintDialog, on_labels)
    pane.badge_btn.click()
    assert seen["print_enabled"] is False and "没有安装可用的打印机" in seen["note"] and seen["default"]
    assert "没有打印机" in seen["printer"] and seen["start_enabled"] is False
    assert len(pypdf.PdfReader(target).pages) == 1
    assert settings.get("labels.badge_stock") == "roll-60x40", "the stock used is remembered"


def test_slip_and_on_site_list_open_previews(qtbot, window, visit):
    pane = window.pane("visitors")
    select(qtbot, pane, visit.id)
    pane.slip_btn.click()
    dlg = QApplication.activeWindow()
    previews = [w for w in QApplication.topLevelWidgets() if isinstance(w, PreviewDialog) and w.isVisible()]
    assert len(previews) == 1 and "来访单" in previews[0].windowTitle() and previews[0].pages == 1
    previews[0].close()
    pane.print_on_site()
    previews = [w for w in QApplication.topLevelWidgets() if isinstance(w, PreviewDialog) and w.isVisible()]
    assert any("在场访客清单" in p.windowTitle() for p in previews)
    for p in previews:
        p.close()
    del dlg


def test_label_tool_from_the_tools_menu(qtbot, window, tmp_path):
    action = window.actions_by_name["labels"]
    assert action in window.menus["tools"].actions()
    seen = {}

    def on_tool(dlg):
        dlg.template.setCurrentIndex(dlg.template.findData("barcode"))
        type_lines(qtbot, dlg.lines, ["ZC-2026-0001 | 笔记本电脑 | 办公室", "办公-坏码 | 打印机"])
        dlg.preview_btn.click()
        seen["error"] = dlg.error.text()
        dlg.lines.clear()
        type_lines(qtbot, dlg.lines, ["ZC-2026-0001 | 笔记本电脑 | 办公室", "ZC-2026-0002 | 打印机 | | 两者"])
        dlg.start.setValue(24)
        dlg.copies.setValue(2)

        def on_preview(preview):
            seen["pages"] = preview.pages
            preview.reject()

        when_dialog(PreviewDialog, on_preview)
        dlg.preview()
        dlg.reject()

    when_dialog(LabelPrintDialog, on_tool)
    action.trigger()
    assert "第 2 行" in seen["error"] and "英文字母" in seen["error"]
    assert seen["pages"] == 2  # label 24 of the first sheet, then three on the next


@pytest.mark.parametrize(("press", "stock"), [("mouse", "roll-60x40"), ("enter", "a4-3x8")])
def test_label_tool_print_button_sends_the_labels_to_the_printer(qtbot, window, tmp_path, printer, press, stock):
    """工具 → 标签打印: two barcode labels typed, the printer picked, 打印 pressed by mouse or Enter — the job
    reaches the printer: one page per sheet, on the stock's paper, at 100 %, the codes readable."""
    seen = {}

    def on_tool(dlg):
        dlg.template.setCurrentIndex(dlg.template.findData("barcode"))
        type_lines(qtbot, dlg.lines, ["ZC-2026-0001 | 笔记本电脑 | 办公室", "ZC-2026-0002 | 打印机"])
        dlg.stock.setCurrentIndex(dlg.stock.findData(stock))
        seen.update(press_print(qtbot, dlg, printer, press, dlg.copies))

    when_dialog(LabelPrintDialog, on_tool)
    before = printer.snapshot()
    window.actions_by_name["labels"].trigger()
    assert (seen["error"], seen["closed"]) == ("", True)
    out, = printer.collect(qtbot, before, tmp_path / "printed")
    pages = len(pypdf.PdfReader(seen["pdf"]).pages)
    assert pages == (2 if stock == "roll-60x40" else 1)  # a roll prints a page per label
    turns = assert_printed_as_sent(seen["pdf"], out)
    # CUPS takes the PDF itself: a 60×40 mm roll label arrives as the landscape page that was sent
    assert turns == [0] * pages
    if printer.kind == "windows-gdi":  # black on white: every sheet 1-bit
        assert printer.bits == [1] * pages
    if HAVE_ZBAR:  # the first printed page: both labels of the sheet, the first label of the roll
        codes = barcodes(out, tmp_path / "zbar")
        assert codes == (["ZC-2026-0001"] if stock == "roll-60x40" else ["ZC-2026-0001", "ZC-2026-0002"])
    assert settings.get("labels.printer") == printer.name, "the printer used is remembered"


def test_a_printer_gone_since_the_list_was_read_is_named_and_nothing_prints(qtbot, window, printers):
    """The list still offers a printer that was removed: 打印 says so at the printer and keeps the dialog open."""
    printers(["HP LaserJet 1020（已删除）"])
    dlg = LabelPrintDialog(window)
    qtbot.addWidget(dlg)
    type_lines(qtbot, dlg.lines, ["ZC-2026-0001 | 笔记本电脑"])
    dlg.show()
    qtbot.mouseClick(dlg.print_btn, Qt.MouseButton.LeftButton)
    assert "找不到打印机“HP LaserJet 1020（已删除）”" in dlg.error.text() and dlg.isVisible()
    assert settings.get("labels.printer") in (None, ""), "a printer that printed nothing is not remembered"


def test_parse_lines_reports_every_bad_line():
    with pytest.raises(Exception, match="第 1 行.*第 3 行"):
        LD.parse_lines("barcode", "中文码\nOK-1\n坏码")
    labels = LD.parse_lines("spine", "0001\t2026\tY\t办公室\t0001\t0050\t1\n\n")
    assert len(labels) == 1 and labels[0].org_unit == "办公室"
    assert LD.parse_lines("address", "王小明 | 上海市 | 200120")[0].postcode == "200120"


def test_custom_stock_dialog(qtbot, window):
    dlg = LabelPrintDialog(window)
    qtbot.addWidget(dlg)
    dlg.stock.setCurrentIndex(dlg.stock.findData("a4-3x8"))
    seen = {}

    def on_custom(custom):
        custom.widgets["label_w"].setValue(75)  # 3 × 75 mm on a 210 mm sheet
        custom.save()
        seen["error"] = custom.error.text()
        custom.widgets["label_w"].setValue(66)
        custom.widgets["margin_left"].setValue(6)
        custom.widgets["name"].setText("自制 3×8 66 mm")
        custom.save()

    when_dialog(CustomStockDialog, on_custom)
    dlg.edit_custom_stock()
    assert "放不下" in seen["error"] and "纸宽只有 210 mm" in seen["error"]
    key = dlg.stock.currentData()
    assert key.startswith("custom-") and "自制 3×8 66 mm" in dlg.stock.currentText()
    assert dlg.current_stock().label_w == 66
    assert settings.get("labels.custom_stocks")[0]["name"] == "自制 3×8 66 mm"


def test_calibration_offsets_per_printer(qtbot, window, monkeypatch, printers):
    printers(["HP LaserJet", "Zebra ZD420"])  # the dialogs' printer list
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    dlg = LabelPrintDialog(window)
    qtbot.addWidget(dlg)
    assert dlg.printer.isEnabled() and dlg.print_btn.isEnabled() and dlg.print_btn.isDefault()
    dlg.printer.setCurrentText("Zebra ZD420")
    dlg.offset_x.setValue(1.2)
    dlg.offset_y.setValue(-0.5)
    dlg.save_offset_btn.click()
    assert settings.get("labels.offset.Zebra ZD420") == {"x": 12, "y": -5}
    dlg.printer.setCurrentText("HP LaserJet")
    assert (dlg.offset_x.value(), dlg.offset_y.value()) == (0.0, 0.0)
    dlg.printer.setCurrentText("Zebra ZD420")
    assert (dlg.offset_x.value(), dlg.offset_y.value()) == (1.2, -0.5)
    seen = {}

    def on_preview(preview):
        seen["pages"] = preview.pages
        seen["path"] = preview.path
        preview.reject()

    when_dialog(PreviewDialog, on_preview)
    dlg.calibration()
    assert seen["pages"] == 1 and seen["path"].parent.name == "prints"


def test_fonts_settings_page(qtbot, window, tmp_path, monkeypatch):
    from neiqin.reports import fonts
    from neiqin.ui.dialogs import SettingsDialog

    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 64)
    cff = tmp_path / "cff.otf"
    cff.write_bytes(b"OTTO" + b"\x00" * 64)
    good = next((f.path for f in fonts.available_fonts() if f.is_embedded), None)
    errors = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: errors.append(text))
    seen = {}

    def on_settings(dlg):
        page = dlg._fonts_page
        seen["tab"] = dlg.tabs.tabText(dlg.tabs.indexOf(page))
        seen["sample"] = page.samples["body"].text()
        seen["bad"] = page.choose_file("body", str(bad))
        seen["cff"] = page.choose_file("body", str(cff))
        if good:
            assert page.choose_file("fangsong", good)
        dlg.save()

    when_dialog(SettingsDialog, on_settings)
    window.open_settings()
    assert seen["tab"] == "打印字体" and seen["sample"].startswith("当前：")
    assert seen["bad"] is False and seen["cff"] is False
    assert "无法读取或已损坏" in errors[0] and "CFF" in errors[1]
    assert settings.get("fonts.body") == ""
    if good:
        assert settings.get("fonts.fangsong") == good
        assert fonts.REGISTRY.font_for_role("fangsong").path == good
        fonts.set_role_override("fangsong", None)
        fonts.load_saved()  # what start-up does
        assert fonts.REGISTRY.font_for_role("fangsong").path == good
        fonts.set_role_override("fangsong", None)
