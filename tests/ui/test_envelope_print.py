"""打印 in the envelope dialog sends the envelopes straight to the chosen printer (a PDF printer here)."""

import pypdf
from PySide6.QtPrintSupport import QPrinter

from neiqin.models.addresses import ADDRESSES
from neiqin.ui.envelope_dialog import EnvelopeDialog


def pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_envelopes_print_at_their_own_size(qtbot, window, tmp_path):
    orgs = [ADDRESSES.create({"name": name, "address": "北京市朝阳区建国路88号", "postcode": "100022",
                              "contact": "王主任"}) for name in ("市住房和城乡建设局", "市财政局")]
    dlg = EnvelopeDialog(window, orgs, "发文信封")
    qtbot.addWidget(dlg)
    dlg.size.setCurrentIndex(dlg.size.findData("DL"))
    out = tmp_path / "printed.pdf"
    assert dlg.print_now(printer=pdf_printer(out)) == 2
    pages = pypdf.PdfReader(out).pages
    assert len(pages) == 2
    box = pages[0].mediabox  # DL: 220 × 110 mm, landscape
    assert abs(float(box.width) - 220 / 25.4 * 72) < 3 and abs(float(box.height) - 110 / 25.4 * 72) < 3
