"""Printing on Windows: every page goes to the spooler through GDI as the bitmap it was rendered as — 1 bit a
pixel for a page without colour, 24 only for a page with colour — at the device's resolution, from the paper's
corner, at 100 % (issue 18 items 9–10). Qt's own Windows engine would have sent each page as 32-bit colour
tiles. The spooler is played (tests/ui/printers.py GdiSpooler): it checks every structure it is handed and prints
the job onto sheets of the paper asked for, which are then compared with the PDF that was sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QLineEdit, QMessageBox
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from neiqin.models import VISITORS, LedgerQuery
from neiqin.models.visitors import check_in
from neiqin.reports import gdi
from neiqin.reports.register import write_register_pdf
from neiqin.ui.printing import preview, sending
from neiqin.ui.printing.preview import PreviewDialog

from .conftest import when_modal
from .printers import MM, GdiSpooler, assert_printed_as_sent


@pytest.fixture
def spooler(monkeypatch, tmp_path):
    return GdiSpooler(monkeypatch, tmp_path / "gdi")


def register(tmp_path: Path, host, visits: int = 45) -> Path:
    for i in range(visits):  # 45 visits: two landscape pages
        check_in({"name": "访客" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰"[i // 10], "host": host.id,
                  "company": "某某科技有限公司", "purpose": "商务洽谈"})
    path = tmp_path / "来访登记簿.pdf"
    write_register_pdf(VISITORS, LedgerQuery(), path, org_name="某某市城市建设投资有限公司")
    return path


def open_preview(qtbot, path: Path) -> PreviewDialog:
    dlg = PreviewDialog(path, "来访登记簿")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def press_print_and_enter(qtbot, dlg: PreviewDialog, folder: Path, then=None) -> None:
    """打印… pressed, Enter in the print dialog (Windows' own comes up there, Qt's here; where Qt offers only
    "Print to File" it gets a file name, as the Windows printer takes the job whatever Qt's dialog chose)."""
    def in_print_dialog(box):
        assert isinstance(box, QPrintDialog), box
        name = box.findChild(QLineEdit, "filename")
        if name is not None and name.isVisible():
            name.setText(str(folder / "qt-print-to-file.pdf"))
        if then is not None:  # the next modal dialog, after this one
            when_modal(then)
        qtbot.keyClick(box, Qt.Key.Key_Return)

    when_modal(in_print_dialog)
    qtbot.mouseClick(dlg.print_btn, Qt.MouseButton.LeftButton)


def test_a_register_goes_through_gdi_as_1_bit_pages_at_100_percent(qtbot, host, tmp_path, spooler):
    dlg = open_preview(qtbot, register(tmp_path, host))
    press_print_and_enter(qtbot, dlg, tmp_path)
    out, = spooler.collect(qtbot, 0, tmp_path)
    assert dlg.pages >= 2 and spooler.bits == [1] * dlg.pages
    assert assert_printed_as_sent(dlg.path, out) == [0] * dlg.pages  # landscape A4, every page as sent
    assert spooler.title == dlg.save_name
    asked = next(c[1] for c in spooler.calls if c[0] == "DocumentProperties")
    assert asked["dmColor"] == gdi.DMCOLOR_MONOCHROME and asked["dmPaperSize"] == 9 \
        and asked["dmOrientation"] == gdi.DMORIENT_LANDSCAPE and asked["dmCopies"] == 1
    # what the spooler was handed: a 32nd of the same pages as Qt's engine sends them (4 bytes a pixel)
    sizes = [c[2] for c in spooler.calls if c[0] == "StretchDIBits"]
    assert sizes == [(3508, 2480)] * dlg.pages  # A4 landscape at the device's 300 dpi: drawn 1:1
    assert spooler.bytes * 32 <= sum(4 * w * h for w, h in sizes) * 1.01
    assert [c[0] for c in spooler.calls][-2:] == ["EndDoc", "DeleteDC"]


def mixed_pdf(path: Path) -> Path:
    """An A4 page with a red mark, a landscape A4 page, a 60×40 mm label: three papers, one with colour."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFillColorRGB(0.8, 0, 0)
    c.rect(30 * MM, 250 * MM, 80 * MM, 12 * MM, fill=1, stroke=0)  # a red 纪要 mark
    c.setFillColorRGB(0, 0, 0)
    c.drawString(30 * MM, 200 * MM, "Page one")
    c.showPage()
    c.setPageSize(landscape(A4))
    c.rect(20 * MM, 20 * MM, 257 * MM, 170 * MM)
    c.setFillGray(0.35)
    c.rect(40 * MM, 40 * MM, 60 * MM, 20 * MM, fill=1, stroke=0)  # a grey fill: dithered, not lost
    c.showPage()
    c.setPageSize((60 * MM, 40 * MM))
    c.setFillGray(0)
    c.rect(5 * MM, 5 * MM, 50 * MM, 30 * MM, fill=1, stroke=0)
    c.showPage()
    c.save()
    return path


def print_pdf(path: Path, **kw) -> int:
    doc = QPdfDocument()
    doc.load(str(path))
    try:
        printer = preview.open_printer(GdiSpooler.name)
        printer.setDocName("混合")
        return sending.print_document(doc, printer, path=path, **kw)
    finally:
        doc.close()


def test_each_page_on_its_own_paper_colour_only_where_there_is_colour(qtbot, tmp_path, spooler):
    pdf = mixed_pdf(tmp_path / "mixed.pdf")
    assert print_pdf(pdf, copies=2) == 6
    out, = spooler.collect(qtbot, 0, tmp_path)
    assert spooler.bits == [24, 1, 1] * 2  # the red page in colour (a colour job), the others 1-bit
    assert assert_printed_as_sent_twice(pdf, out, tmp_path)
    resets = [c[1] for c in spooler.calls if c[0] == "ResetDC"]
    assert resets == [2, 2, 1, 2, 2]  # landscape A4, the label, A4 again (copy 2), … — between pages only
    asked = [c[1] for c in spooler.calls if c[0] == "DocumentProperties"]
    assert asked[0]["dmColor"] == gdi.DMCOLOR_COLOR
    assert asked[2]["dmPaperSize"] == gdi.DMPAPER_USER and (asked[2]["dmPaperWidth"], asked[2]["dmPaperLength"]) \
        == (400, 600)


def assert_printed_as_sent_twice(pdf: Path, out: Path, tmp_path: Path) -> bool:
    """The two collated copies, each as sent."""
    import pypdf

    reader = pypdf.PdfReader(out)
    for copy in range(2):
        writer = pypdf.PdfWriter()
        for page in reader.pages[copy * 3:copy * 3 + 3]:
            writer.add_page(page)
        part = tmp_path / f"copy-{copy}.pdf"
        with open(part, "wb") as f:
            writer.write(f)
        assert assert_printed_as_sent(pdf, part) == [0, 0, 0]
    return True


def test_cancelled_in_the_middle_the_job_is_dropped(qtbot, tmp_path, spooler):
    pdf = mixed_pdf(tmp_path / "mixed.pdf")
    assert print_pdf(pdf, progress=lambda done, total: done < 2) == 2
    names = [c[0] for c in spooler.calls]
    assert names.count("EndPage") == 2 and names[-2:] == ["AbortDoc", "DeleteDC"] and "EndDoc" not in names
    assert spooler.jobs == []


def test_a_printer_that_stops_mid_job_is_reported_and_nothing_half_printed(qtbot, host, tmp_path, spooler):
    dlg = open_preview(qtbot, register(tmp_path, host))
    spooler.fail = "EndPage"
    seen = {}

    def on_error(box):
        seen["text"] = box.text() if isinstance(box, QMessageBox) else type(box).__name__
        box.accept()

    press_print_and_enter(qtbot, dlg, tmp_path, then=on_error)
    qtbot.waitUntil(lambda: "text" in seen)
    assert "打印中断：第 1 页没有送到打印机“HP LaserJet Pro M404（Windows 模拟）”" in seen["text"]
    assert spooler.jobs == [] and [c[0] for c in spooler.calls][-2:] == ["AbortDoc", "DeleteDC"]


def test_only_windows_printers_take_the_gdi_path(qtbot, monkeypatch):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    monkeypatch.setattr(sending.sys, "platform", "win32")
    assert sending.gdi_target(printer) is None  # a PDF file: Qt writes it
