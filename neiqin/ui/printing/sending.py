"""Sending a PDF's pages to a printer: the one place every print of neiqin goes through (the preview's 打印…, the
one-press 打印 of the label and envelope dialogs).

* Where the spooler takes PDF (CUPS: Linux, macOS) the PDF itself goes to the queue with ``lp``
  (neiqin.reports.spool), at 100 % on paper of the page's own size.
* On Windows each page goes through GDI (neiqin.reports.gdi), rendered with QtPdf at the device's resolution for
  its paper: 1 bit a pixel when it has no colour (registers, forms), 24 only where a page has some (the red 纪要
  mark, postcode boxes), from the paper's corner at 100 %. Qt's own Windows engine would hand the spooler every
  page as 32-bit colour tiles.
* Anything else (a PDF file printer) gets the same rendered pages through Qt's painter.

Pages are rendered on white (QPdfDocument renders onto a transparent image), capped in size so a poster-sized page
cannot eat the memory. Copies are sent by us, collated, so every driver behaves the same.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from neiqin.errors import NeiqinError
from neiqin.reports import gdi, spool
from neiqin.ui.util import tr

MAX_PIXELS = 24_000_000  # per rendered page when printing: A4 at ~450 dpi, a 60×40 mm label at full resolution


def takes_pdf(printer: QPrinter) -> bool:
    """Whether this printer's spooler takes the PDF itself (a CUPS queue), rather than rendered pages."""
    return (printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and bool(printer.printerName())
            and spool.lp_command() is not None)


def print_document(doc: QPdfDocument, printer: QPrinter, *, first: int = 1, last: int | None = None,
                   copies: int = 1, progress: Callable[[int, int], bool] | None = None,
                   path: Path | None = None, raster: bool = False) -> int:
    """Send pages ``first``..``last`` (1-based) of ``doc`` to ``printer``, ``copies`` times, collated.

    Each page goes out at its own size with no margins. ``path`` is the PDF ``doc`` was loaded from: a CUPS
    queue takes it as it is (unless ``raster``). ``progress(done, total)`` returning False cancels.
    Returns the number of pages sent.
    """
    count = doc.pageCount()
    if count <= 0:
        raise NeiqinError(tr("文档没有可打印的页面"))
    last = count if last is None else last
    if not (1 <= first <= last <= count):
        raise NeiqinError(tr("页码范围应在 1 到 ") + str(count) + tr(" 之间"))
    if copies < 1:
        raise NeiqinError(tr("份数至少为 1"))
    pages = [p for _ in range(copies) for p in range(first - 1, last)]
    target = gdi_target(printer)
    if target is not None:  # a Windows printer
        return print_gdi(doc, pages, *target, title=printer.docName() or (path.stem if path else ""),
                         colour=has_colour(doc, range(first - 1, last)),
                         duplex=DUPLEX.get(printer.duplex(), "none"), progress=progress)
    if path is not None and not raster and takes_pdf(printer):
        size = doc.pagePointSize(first - 1)
        if progress is not None and progress(0, len(pages)) is False:
            return 0
        spool.send_pdf(path, printer.printerName(), title=printer.docName() or path.stem,
                       page_pt=(size.width(), size.height()), first=first, last=last, pages=count, copies=copies)
        if progress is not None:
            progress(len(pages), len(pages))
        return len(pages)
    colour = has_colour(doc, range(first - 1, last))
    printer.setCopyCount(1)  # copies are sent by us below, the same way on every driver
    printer.setFullPage(True)
    if not colour:  # the driver (and Qt's PDF for CUPS) takes grey pages, not colour ones
        printer.setColorMode(QPrinter.ColorMode.GrayScale)
    _set_page(printer, doc.pagePointSize(pages[0]))
    painter = QPainter()
    if not painter.begin(printer):
        raise NeiqinError(tr("无法开始打印：打印机“") + printer.printerName() + tr("”没有响应，请检查打印机是否开机、联机"))
    try:
        for n, index in enumerate(pages):
            if progress is not None and progress(n, len(pages)) is False:
                printer.abort()
                return n
            if n:
                _set_page(printer, doc.pagePointSize(index))
                printer.newPage()
            target = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            painter.drawImage(target, print_image(doc, index, printer.resolution(), colour=colour))
    finally:
        painter.end()
    if progress is not None:
        progress(len(pages), len(pages))
    return len(pages)


DUPLEX = {QPrinter.DuplexMode.DuplexLongSide: "long", QPrinter.DuplexMode.DuplexAuto: "long",
          QPrinter.DuplexMode.DuplexShortSide: "short"}


def gdi_target(printer: QPrinter) -> tuple[Any, str] | None:
    """(the Win32 calls, the printer's name) for a Windows printer, which gets its pages straight through GDI
    (neiqin.reports.gdi: Qt's own engine would send every page as 32-bit colour); None where Qt prints (a PDF
    file, a spooler without GDI). The Windows tests replace it with a spooler of their own."""
    if sys.platform == "win32" and printer.outputFormat() == QPrinter.OutputFormat.NativeFormat \
            and printer.printerName():
        return gdi.Win32(), printer.printerName()
    return None


def print_gdi(doc: QPdfDocument, pages: list[int], api, name: str, *, title: str, colour: bool, duplex: str,
              progress: Callable[[int, int], bool] | None = None) -> int:
    """Pages (0-based, copies included) as one GDI job, each rendered at the device's resolution for its paper
    and handed over as it is rendered: 1-bit when it has no colour. Returns the pages sent."""
    job = gdi.Job(name, title, colour=colour, duplex=duplex, api=api)
    try:
        for n, index in enumerate(pages):
            if progress is not None and progress(n, len(pages)) is False:
                job.abort()
                return n
            size = doc.pagePointSize(index)
            w_mm, h_mm = size.width() / 72 * 25.4, size.height() / 72 * 25.4
            device = job.begin(w_mm, h_mm)
            job.page(device, gdi_bitmap(doc, index, device.dpi_x, device.dpi_y, colour=colour), w_mm, h_mm)
        sent = job.finish()
    finally:
        job.abort()  # nothing once finished; drops the job on an error or a cancel
    if progress is not None:
        progress(len(pages), len(pages))
    return sent


def gdi_bitmap(doc: QPdfDocument, index: int, dpi_x: int, dpi_y: int, *, colour: bool) -> gdi.Bitmap:
    """Page ``index`` rendered for a device of this resolution, as GDI takes it (see :func:`print_image`)."""
    image = print_image(doc, index, dpi_x, colour=colour, dpi_y=dpi_y)
    if image.format() == QImage.Format.Format_Mono:
        palette = tuple(c & 0xFFFFFF for c in image.colorTable())
        return gdi.Bitmap(image.width(), image.height(), 1, image.bytesPerLine(), bytes(image.constBits()), palette)
    image = image.convertToFormat(QImage.Format.Format_BGR888)  # a copy: the bytes outlive no image
    return gdi.Bitmap(image.width(), image.height(), 24, image.bytesPerLine(), bytes(image.constBits()))


def _set_page(printer: QPrinter, size_pt) -> None:
    w, h = size_pt.width(), size_pt.height()
    orientation = QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait
    page = QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageLayout(QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0)))


def render_page(doc: QPdfDocument, index: int, dpi: int, dpi_y: int | None = None, *,
                solid: bool = False) -> QImage:
    """Page ``index`` rendered at up to ``dpi`` (across; ``dpi_y`` down, if the device's differs) on white (QtPdf
    leaves the background transparent).

    ``solid`` (for a 1-bit page): every tone squared (the page multiplied onto itself), so that a hairline or a
    glyph stem that anti-aliasing spread over two pixel rows at half strength is dithered into a solid line of
    dots rather than a dotted one; a grey fill keeps a lighter shade (50 % → 25 % white)."""
    size = doc.pagePointSize(index)
    dpi_y = dpi_y or dpi
    inches = max(size.width() * size.height() / 72 / 72, 1e-6)
    cap = min(1.0, math.sqrt(MAX_PIXELS / inches / dpi / dpi_y))
    px = QSize(max(1, round(size.width() / 72 * dpi * cap)), max(1, round(size.height() / 72 * dpi_y * cap)))
    image = doc.render(index, px)
    out = QImage(px, QImage.Format.Format_RGB32)
    out.fill(Qt.GlobalColor.white)
    p = QPainter(out)
    p.drawImage(0, 0, image)
    if solid:  # white × (1 − α)²: the rendering (premultiplied ink over transparency) multiplied in once more
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        p.drawImage(0, 0, image)
    p.end()
    return out


def print_image(doc: QPdfDocument, index: int, dpi: int, *, colour: bool = True, dpi_y: int | None = None) -> QImage:
    """Page ``index`` as it goes to a printer that takes rendered pages: 1-bit when it has no colour (a grey
    fill or grey text is dithered, lines and text drawn solid), in colour only when some pixel has colour (and the
    job is in colour)."""
    image = render_page(doc, index, dpi, dpi_y, solid=not colour)
    if colour and image.allGray():  # a grey page of a colour job (the pages after a red 纪要 mark)
        image = render_page(doc, index, dpi, dpi_y, solid=True)
    elif colour:
        return image
    return image.convertToFormat(QImage.Format.Format_Mono, Qt.ImageConversionFlag.DiffuseDither)


def has_colour(doc: QPdfDocument, pages) -> bool:
    """Whether any of ``pages`` (0-based) has a coloured pixel, looked at in a small rendering (36 ppi): a
    red 纪要 mark or postcode boxes make a colour job, a register or form a grey one."""
    for index in pages:
        size = doc.pagePointSize(index)
        image = doc.render(index, QSize(max(1, round(size.width() / 2)), max(1, round(size.height() / 2))))
        if not image.convertToFormat(QImage.Format.Format_RGB32).allGray():
            return True
    return False
