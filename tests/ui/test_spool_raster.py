"""Printers that take rendered pages (Windows): a page without colour goes grey and 1-bit, colour only where a
page has some (issue 18 item 10). Measured in what Qt's PDF printer writes (what it hands a CUPS queue too)."""

from __future__ import annotations

import re

from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from neiqin.models import VISITORS, LedgerQuery
from neiqin.models.visitors import check_in
from neiqin.reports.envelopes import EnvelopeAddress, EnvelopeSender, envelopes_pdf
from neiqin.reports.register import write_register_pdf
from neiqin.ui.printing import sending


def raster_job(qtbot, pdf, out):
    doc = QPdfDocument()
    doc.load(str(pdf))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    try:
        assert sending.print_document(doc, printer, path=pdf) == doc.pageCount()  # a PDF printer: rendered
    finally:
        doc.close()
    return set(re.findall(rb"/ColorSpace /(Device\w+)", out.read_bytes()))


def test_a_register_goes_grey_and_an_envelope_in_colour(qtbot, host, tmp_path):
    check_in({"name": "李四", "host_name": "张三"})
    reg = tmp_path / "reg.pdf"
    write_register_pdf(VISITORS, LedgerQuery(), reg, org_name="某单位")
    assert raster_job(qtbot, reg, tmp_path / "reg-job.pdf") == {b"DeviceGray"}
    env = tmp_path / "env.pdf"
    envelopes_pdf(env, "DL", [EnvelopeAddress("某单位", "王主任", "北京市朝阳区某路1号", "100022")],
                  EnvelopeSender("某某公司", "北京市某路2号", "100001"))
    assert b"DeviceRGB" in raster_job(qtbot, env, tmp_path / "env-job.pdf")  # the red postcode boxes
