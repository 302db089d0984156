"""预览 → 打印… → the system print dialog → Enter: a register and a form reach a real CUPS queue (issue 18 item 9).

The preview's 打印… button is pressed, the platform print dialog (Qt's own on Linux) comes up, the clerk picks the
cups-pdf queue and presses Enter; what the queue wrote is measured: page count, paper size, every page's picture
within 0.5 mm of the page sent (100 %, not moved, not cut). Skipped with the reason where CUPS is missing
(scripts/cups-pdf-queue.sh sets one up).
"""

from __future__ import annotations

import pdfplumber
import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QComboBox

from neiqin.ui.printing import preview
from neiqin.ui.printing.preview import PreviewDialog

from .conftest import when_modal
from .printers import MACHINE_PRINTER_NAMES, MM, assert_printed_as_sent


@pytest.fixture
def queue(_cups_pdf_queue, monkeypatch):
    if isinstance(_cups_pdf_queue, str):
        pytest.skip(_cups_pdf_queue)
    monkeypatch.setattr(preview, "printer_names", MACHINE_PRINTER_NAMES)
    if _cups_pdf_queue.name not in MACHINE_PRINTER_NAMES():
        pytest.skip(f"Qt does not list the CUPS queue {_cups_pdf_queue.name}")
    return _cups_pdf_queue


def print_from_preview(qtbot, dlg: PreviewDialog, queue) -> dict:
    """Press 打印…, pick the queue in the print dialog, press Enter there."""
    seen = {}

    def in_print_dialog(box):
        seen["dialog"] = type(box).__name__
        assert isinstance(box, QPrintDialog), box
        combo = next(c for c in box.findChildren(QComboBox) if c.findText(queue.name) >= 0)
        combo.setCurrentIndex(combo.findText(queue.name))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_modal(in_print_dialog)
    before = queue.snapshot()
    qtbot.mouseClick(dlg.print_btn, Qt.MouseButton.LeftButton)
    seen["before"] = before
    return seen


def test_register_preview_print_button_reaches_the_queue(qtbot, window, host, tmp_path, queue):
    from neiqin.models.visitors import check_in

    for i in range(45):  # two landscape pages
        check_in({"name": "访客" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰"[i // 10], "host": host.id,
                  "company": "某某科技有限公司", "purpose": "商务洽谈"})
    window.actions_by_name["print"].trigger()
    dlg = window.current_pane().preview
    assert isinstance(dlg, PreviewDialog)
    qtbot.addWidget(dlg)
    qtbot.waitExposed(dlg)
    seen = print_from_preview(qtbot, dlg, queue)
    assert seen["dialog"] == "QPrintDialog"
    jobs = queue.collect(qtbot, seen["before"], tmp_path / "printed")
    assert len(jobs) == 1, [p.name for p in jobs]
    out = jobs[0]
    sent = pypdf.PdfReader(dlg.path).pages
    assert len(sent) == dlg.pages >= 2
    assert assert_printed_as_sent(dlg.path, out) == [0] * dlg.pages  # landscape A4, as sent
    with pdfplumber.open(out) as pdf:  # as it reads (the queue may turn the paper with /Rotate)
        page = pdf.pages[0]
        assert abs(float(page.width) / MM - 297) < 1 and abs(float(page.height) / MM - 210) < 1


def test_form_preview_print_button_reaches_the_queue(qtbot, window, tmp_path, queue):
    """用印申请单: 打印申请单 opens the preview; 打印… → Enter sends the A4 form."""
    from PySide6.QtWidgets import QApplication

    from neiqin.models import STAFF
    from neiqin.models.seals.registry import SEALS
    from neiqin.models.seals.uses import apply_use

    STAFF.create({"name": "赵敏", "department": "办公室"})
    STAFF.create({"name": "陈杰", "department": "市场部"})
    seal = SEALS.create({"name": "公司公章", "kind": "公章", "custodian": "赵敏", "approval_levels": 1})
    apply_use({"seal": seal.id, "department": "市场部", "applicant": "陈杰", "doc_title": "设备采购合同",
               "purpose": "签约", "copies": 2})
    pane = window.pane("seal-uses")
    window.show_pane(pane)
    pane.show_view(0)
    uses = pane.uses
    uses.refresh()
    qtbot.waitUntil(lambda: uses.model.rowCount() == 1)
    uses.table.selectRow(0)
    path = uses.print_form()  # the 打印申请单 button's slot
    dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PreviewDialog) and w.path == path)
    qtbot.addWidget(dlg)
    qtbot.waitExposed(dlg)
    seen = print_from_preview(qtbot, dlg, queue)
    out, = queue.collect(qtbot, seen["before"], tmp_path / "printed")
    assert assert_printed_as_sent(dlg.path, out) == [0]
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        assert abs(float(page.width) / MM - 210) < 1 and abs(float(page.height) / MM - 297) < 1


def test_label_tool_preview_then_print_reaches_the_queue(qtbot, window, tmp_path, queue):
    """工具 → 标签打印 → 预览… → 打印… → Enter in the print dialog: the sheet reaches the queue as previewed."""
    from neiqin.ui.printing.label_dialog import LabelPrintDialog

    from .test_labels_ui import type_lines, when_dialog

    seen = {}

    def in_preview(dlg):
        seen["preview"] = dlg
        seen.update(print_from_preview(qtbot, dlg, queue))
        qtbot.waitUntil(lambda: "dialog" in seen)
        dlg.reject()

    def on_tool(dlg):
        dlg.template.setCurrentIndex(dlg.template.findData("barcode"))
        type_lines(qtbot, dlg.lines, ["ZC-2026-0001 | 笔记本电脑 | 办公室", "ZC-2026-0002 | 打印机"])
        dlg.stock.setCurrentIndex(dlg.stock.findData("a4-3x8"))
        when_modal(in_preview)
        qtbot.mouseClick(dlg.preview_btn, Qt.MouseButton.LeftButton)
        dlg.reject()

    when_dialog(LabelPrintDialog, on_tool)
    window.actions_by_name["labels"].trigger()
    assert seen["dialog"] == "QPrintDialog"
    jobs = queue.collect(qtbot, seen["before"], tmp_path / "printed")
    assert len(jobs) == 1
    assert assert_printed_as_sent(seen["preview"].path, jobs[0]) == [0]
