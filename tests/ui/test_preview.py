"""Print preview: opened from 打印登记簿, navigated, printed to a PDF printer, saved, and without any printer."""

from __future__ import annotations

import pypdf
import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from neiqin.errors import NeiqinError
from neiqin.reports import Cancelled
from neiqin.ui.printing import preview as P
from neiqin.ui.printing.preview import PreviewDialog, preview_pdf

from .conftest import when_modal


def pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.fixture
def visits(database, host):
    from neiqin.models.visitors import check_in

    return [check_in({"name": "访客" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉"[i // 10], "company": "某某科技有限公司" * (1 + i % 3), "host": host.id,
                      "purpose": "商务洽谈"}) for i in range(60)]


def open_register_preview(qtbot, window) -> PreviewDialog:
    window.actions_by_name["print"].trigger()
    pane = window.current_pane()
    assert isinstance(pane.preview, PreviewDialog)
    qtbot.addWidget(pane.preview)
    qtbot.waitExposed(pane.preview)
    return pane.preview


def test_print_view_opens_the_preview_and_prints_page_range_and_copies(qtbot, window, visits, tmp_path):
    dlg = open_register_preview(qtbot, window)
    assert dlg.pages >= 2 and dlg.path.parent.name == "prints" and dlg.path.exists()
    assert dlg.page_label.text() == f"共 {dlg.pages} 页"

    out = tmp_path / "all.pdf"
    assert dlg.print_to(pdf_printer(out)) == dlg.pages  # default: every page, one copy
    assert len(pypdf.PdfReader(out).pages) == dlg.pages

    out2 = tmp_path / "range.pdf"
    assert dlg.print_to(pdf_printer(out2), 2, 2, copies=3) == 3
    printed = pypdf.PdfReader(out2)
    assert len(printed.pages) == 3
    # the printed page is the real page, at its own (landscape A4) size
    box = printed.pages[0].mediabox
    assert abs(float(box.width) - 842) < 2 and abs(float(box.height) - 595) < 2


def test_navigation_zoom_and_thumbnails(qtbot, window, visits):
    dlg = open_register_preview(qtbot, window)
    assert dlg.current_page() == 1 and not dlg.prev_btn.isEnabled()
    dlg.next_btn.click()
    qtbot.waitUntil(lambda: dlg.current_page() == 2)
    assert dlg.page_spin.value() == 2 and dlg.thumbs.currentRow() == 1 and dlg.prev_btn.isEnabled()
    dlg.page_spin.setValue(1)
    qtbot.waitUntil(lambda: dlg.current_page() == 1)
    dlg.thumbs.setCurrentRow(dlg.pages - 1)
    qtbot.waitUntil(lambda: dlg.current_page() == dlg.pages)
    assert not dlg.next_btn.isEnabled()
    dlg.zoom.setCurrentIndex(4)  # 100%
    assert dlg.view.zoomMode() == P.QPdfView.ZoomMode.Custom and dlg.view.zoomFactor() == 1.0
    dlg.zoom_by(2)
    assert dlg.view.zoomFactor() == 2.0
    dlg.zoom.setCurrentIndex(1)
    assert dlg.view.zoomMode() == P.QPdfView.ZoomMode.FitInView
    qtbot.waitUntil(lambda: dlg._thumb_next >= dlg.pages)  # every thumbnail rendered in the background
    assert not dlg.thumbs.item(0).icon().isNull()


def test_without_printers_the_dialog_says_so_and_offers_save_as(qtbot, window, visits, tmp_path, monkeypatch,
                                                                  printers):
    printers([])  # a machine without printers, whatever this one has
    dlg = open_register_preview(qtbot, window)
    assert "没有安装打印机" in dlg.printer_note.text()
    target = tmp_path / "saved"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF (*.pdf)"))
    seen = {}

    def on_box(box):
        seen["text"] = box.text()
        save = next(b for b in box.buttons() if b.text() == "另存为 PDF…")
        save.click()

    when_modal(on_box)
    assert dlg.print_dialog() == 0
    assert "没有安装可用的打印机" in seen["text"] and "另存为 PDF" in seen["text"]
    saved = tmp_path / "saved.pdf"
    assert saved.read_bytes() == dlg.path.read_bytes()


def test_open_in_system_viewer(qtbot, window, visits, monkeypatch):
    dlg = open_register_preview(qtbot, window)
    opened = []
    monkeypatch.setattr(P.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dlg.open_btn.click()
    assert opened == [str(dlg.path)]


def test_label_pages_keep_their_size_when_printed(qtbot, database, tmp_path):
    from neiqin.reports.labels import PRESETS, write_calibration

    src = tmp_path / "cal.pdf"
    write_calibration(src, PRESETS["roll-60x40"])
    dlg = PreviewDialog(src, "校准页")
    qtbot.addWidget(dlg)
    out = tmp_path / "printed.pdf"
    assert dlg.print_to(pdf_printer(out), copies=2) == 2
    pages = pypdf.PdfReader(out).pages
    assert len(pages) == 2
    assert abs(float(pages[0].mediabox.width) - 60 / 25.4 * 72) < 1.5
    assert abs(float(pages[0].mediabox.height) - 40 / 25.4 * 72) < 1.5


def test_bad_page_range_is_refused(qtbot, database, tmp_path, monkeypatch):
    from neiqin.reports.labels import PRESETS, write_calibration

    src = tmp_path / "cal.pdf"
    write_calibration(src, PRESETS["a4-3x8"])
    dlg = PreviewDialog(src, "校准页")
    qtbot.addWidget(dlg)
    with pytest.raises(NeiqinError, match="页码范围"):
        P.print_document(dlg.doc, pdf_printer(tmp_path / "x.pdf"), first=2, last=5)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    assert dlg.print_to(pdf_printer(tmp_path / "y.pdf"), 1, 1, copies=0) == 0
    assert shown and "份数" in shown[0]


def test_generation_errors_and_cancel(qtbot, datadir, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    path = datadir.root / "x.pdf"

    def cancelled(out, progress, is_cancelled):
        raise Cancelled()

    def broken(out, progress, is_cancelled):
        raise NeiqinError("文件夹不存在")

    assert preview_pdf(None, "登记簿", path, cancelled) is None
    assert shown == [], "a cancel is not an error"
    assert preview_pdf(None, "登记簿", path, broken) is None
    assert shown == ["文件夹不存在"]
    path.write_bytes(b"not a pdf")
    assert preview_pdf(None, "登记簿", path) is None
    assert "无法打开 PDF" in shown[-1]


def test_first_page_of_a_500_row_register_shows_quickly(qtbot, window, database, host):
    """The preview of a 500-row register is up, page 1 painted, well within a second."""
    import time

    from neiqin.demo import bulk_visits

    bulk_visits(500, days=30)
    window.current_pane().refresh()
    t0 = time.perf_counter()
    dlg = open_register_preview(qtbot, window)
    QApplication.processEvents()
    image = dlg.view.grab().toImage()
    elapsed = time.perf_counter() - t0
    assert not image.isNull() and dlg.pages >= 10
    assert elapsed < 5.0, elapsed  # the benchmark measures the real figure (target 1 s); this catches a regression


def test_print_dialog_passes_range_and_copies(qtbot, window, visits, tmp_path, monkeypatch, printers):
    """With a printer installed: the clerk's page range and copy count from QPrintDialog reach the printer."""
    out = tmp_path / "dialog.pdf"

    class FakePrintDialog:  # stands in for the platform dialog: the clerk picks pages 2–2, 2 copies
        PrintDialogOption = P.QPrintDialog.PrintDialogOption

        def __init__(self, printer, parent):
            self.printer = printer
            assert printer.copyCount() == 1, "one copy unless the clerk asks for more"

        def setWindowTitle(self, title): ...

        def setMinMax(self, a, b):
            self.range = (a, b)

        def setFromTo(self, a, b): ...

        def setOption(self, *a): ...

        def exec(self):
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(out))
            self.printer.setPrintRange(QPrinter.PrintRange.PageRange)
            self.printer.setFromTo(2, 2)
            self.printer.setCopyCount(2)
            return P.QDialog.DialogCode.Accepted

    printers(["HP LaserJet"])
    monkeypatch.setattr(P, "QPrintDialog", FakePrintDialog)
    dlg = open_register_preview(qtbot, window)
    assert dlg.print_dialog() == 2
    assert len(pypdf.PdfReader(out).pages) == 2


def test_the_print_check_sees_a_shift_a_scale_and_a_cut(tmp_path):
    """assert_printed_as_sent (the printing tests' measure) fails on a print moved 1 mm, printed at 97 % ("fit to
    page"), on other paper, or with a page too many; and passes the page itself."""
    from pypdf import PdfWriter, Transformation
    from pypdf.generic import RectangleObject

    from neiqin.reports.labels import PRESETS, write_calibration

    from .printers import MM, assert_printed_as_sent

    sent = tmp_path / "sent.pdf"
    write_calibration(sent, PRESETS["a4-3x8"])
    assert assert_printed_as_sent(sent, sent) == [0]

    def printed(name, change):
        writer = PdfWriter(clone_from=sent)
        change(writer)
        writer.write(tmp_path / name)
        return tmp_path / name

    def moved(w):
        w.pages[0].add_transformation(Transformation().translate(1 * MM, 0))

    def scaled(w):
        w.pages[0].add_transformation(Transformation().scale(0.97, 0.97))

    def letter(w):
        w.pages[0].mediabox = RectangleObject([0, 0, 612, 792])

    def two(w):
        w.add_blank_page()

    for change in (moved, scaled):
        with pytest.raises(AssertionError, match="moved|counterpart"):
            assert_printed_as_sent(sent, printed(change.__name__ + ".pdf", change))
    with pytest.raises(AssertionError, match="paper 215.9×279.4 mm printed, 210.0×297.0 mm sent"):
        assert_printed_as_sent(sent, printed("letter.pdf", letter))
    with pytest.raises(AssertionError, match="2 pages printed, 1 sent"):
        assert_printed_as_sent(sent, printed("two.pdf", two))
