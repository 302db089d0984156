"""Spooling a 50-page register: the paths before issue 18 (every page a 300 ppi colour image) against today's.

A register of demo visits long enough for 50 pages is written once; then pages 1-50 go out four ways:

* ``before, CUPS`` — each page rendered at the printer's resolution (300 ppi, the cups-pdf queue's) as a colour
  image and painted into the QPrinter; Qt hands CUPS a PDF of those images (written here to a PDF QPrinter).
* ``today, CUPS`` — the register's own PDF, handed to ``lp``.
* ``before, Windows`` — the same colour images through Qt's Windows engine, which hands GDI every image as 32-bit
  tiles (``QWin32PrintEngine::drawPixmap``): 4 bytes a pixel, computed from the page sizes (no Windows here);
  the time is only the rendering of the pages, a lower bound.
* ``today, Windows`` — neiqin.reports.gdi: each page one ``StretchDIBits`` of a 1-bit bitmap, through a spooler
  that counts what it is handed (the GDI calls' own cost on Windows is not in it).

Bytes: what leaves neiqin for the spooler. Seconds: neiqin's own time to hand the job over, and with ``--cups``
(a cups-pdf queue, scripts/cups-pdf-queue.sh) until the queue has finished the job. Median of ``--repeat``
runs; prints figures only, asserts nothing.

    .venv/bin/python benchmarks/bench_spool.py [--repeat 3] [--cups]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

PAGES = 50
DPI = 300


def make_register(folder: Path) -> Path:
    import random

    from neiqin.db import close_database, open_database
    from neiqin.demo import bulk_visits, seed_directory
    from neiqin.models import VISITORS, LedgerQuery
    from neiqin.paths import DataDir
    from neiqin.reports.register import write_register_pdf

    data = DataDir(folder / "data").ensure()
    open_database(data.db_path, data.backups)
    try:
        staff = seed_directory(random.Random(7))
        bulk_visits(1900, staff=staff, days=120)
        path = folder / "register.pdf"
        pages = write_register_pdf(VISITORS, LedgerQuery(), path, org_name="某某市城市建设投资有限公司")
        assert pages >= PAGES, pages
    finally:
        close_database()
    return path


def pdf_printer(out: Path):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(DPI)
    return printer


def raster(doc, out: Path, *, rgb: bool) -> None:
    from neiqin.ui.printing import sending

    keep = sending.print_image, sending.has_colour
    if rgb:  # before issue 18: every page as rendered, in colour
        sending.print_image = lambda doc, index, dpi, colour=True: sending.render_page(doc, index, dpi)
        sending.has_colour = lambda doc, pages: True
    try:
        sending.print_document(doc, pdf_printer(out), first=1, last=PAGES)
    finally:
        sending.print_image, sending.has_colour = keep


def queue_name() -> str | None:
    try:
        from tests.ui.printers import CupsPdfQueue
    except ImportError:
        return None
    q = CupsPdfQueue.find()
    return None if isinstance(q, str) else q.name


def wait_idle(queue: str) -> None:
    while subprocess.run(["lpstat", "-o", queue], capture_output=True, text=True).stdout.strip():
        time.sleep(0.2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cups", action="store_true", help="also time the jobs through a cups-pdf queue")
    args = p.parse_args()

    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
    from PySide6.QtWidgets import QApplication

    from neiqin.reports import spool

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        register = make_register(tmp)
        doc = QPdfDocument(app)
        doc.load(str(register))
        rows = []
        out = tmp / "before.pdf"
        rows.append(["before, CUPS: Qt, colour images", 0, timed(args.repeat, lambda: raster(doc, out, rgb=True)),
                     None])
        rows[0][1] = out.stat().st_size
        sizes = []
        rows.append(["before, Windows: Qt, 32-bit tiles", 0, timed(args.repeat, lambda: sizes.extend(
            render_sizes(doc))), None])
        rows[1][1] = sum(4 * w * h for w, h in sizes[:PAGES])
        counted = CountingGdi()
        rows.append(["today, Windows: GDI, 1-bit", 0, timed(args.repeat, lambda: gdi_job(doc, counted)), None])
        rows[2][1] = counted.bytes
        size = doc.pagePointSize(0)
        lp = spool.lp_command()
        cmd = spool.cups_command(lp or "lp", register, "QUEUE", title="register", page_pt=(size.width(),
                                 size.height()), first=1, last=PAGES, pages=doc.pageCount())
        rows.insert(1, ["today, CUPS: the PDF (lp)", register.stat().st_size, 0.0, None])
        queue = queue_name() if args.cups else None
        if queue:
            printer = QPrinter(QPrinterInfo.printerInfo(queue), QPrinter.PrinterMode.HighResolution)
            printer.setResolution(DPI)
            for row, send in ((rows[0], lambda: raster_to_queue(doc, printer, rgb=True)),
                              (rows[1], lambda: spool.send_pdf(register, queue, title="bench", page_pt=(
                                  size.width(), size.height()), first=1, last=PAGES, pages=doc.pageCount()))):
                hand, total = [], []
                for _ in range(args.repeat):
                    wait_idle(queue)
                    t0 = time.perf_counter()
                    send()
                    hand.append(time.perf_counter() - t0)
                    wait_idle(queue)
                    total.append(time.perf_counter() - t0)
                row[2], row[3] = statistics.median(hand), statistics.median(total)
        doc.close()
    print(f"{PAGES}-page visitor register, pages 1-{PAGES}, {DPI} ppi, median of {args.repeat}")
    print(f"{'path':36} {'bytes':>14} {'hand-over s':>12} {'through CUPS s':>15}")
    for label, nbytes, secs, total in rows:
        print(f"{label:36} {nbytes:14,} {secs:12.2f} {total if total is not None else float('nan'):15.1f}")
    for before, today in ((rows[0], rows[1]), (rows[2], rows[3])):
        ratio = f"bytes 1/{before[1] / today[1]:.1f}, hand-over {today[2] / before[2]:.2f}×"
        if today[3] and before[3]:
            ratio += f", through CUPS 1/{before[3] / today[3]:.0f}"
        print(f"{today[0]}: {ratio} of '{before[0]}'")
    print("lp command:", " ".join(cmd))


def timed(repeat: int, fn) -> float:
    """Median seconds of ``repeat`` runs, none left out (each run of the path before takes seconds)."""
    return C.timed(fn, repeat=repeat, warmup=0)


def render_sizes(doc) -> list[tuple[int, int]]:
    """The colour pages Qt's Windows engine would be handed (rendered, as the path before did); their sizes."""
    from neiqin.ui.printing import sending

    out = []
    for index in range(PAGES):
        image = sending.render_page(doc, index, DPI)
        out.append((image.width(), image.height()))
    return out


class CountingGdi:
    """A Windows spooler that takes every call and counts the bitmap bytes (a 300 dpi device, A4)."""

    def __init__(self):
        self.bytes = 0

    def devmode(self, printer, changes):
        return changes

    def create_dc(self, printer, devmode):
        return 1

    def reset_dc(self, hdc, devmode):
        return True

    def start_doc(self, hdc, info):
        self.bytes = 0
        return 1

    def device_caps(self, hdc, index):
        from neiqin.reports import gdi

        return {gdi.LOGPIXELSX: DPI, gdi.LOGPIXELSY: DPI}.get(index, 50)

    def stretch_dibits(self, hdc, dest, src, data, info):
        self.bytes += len(data)
        return src[1]

    start_page = end_page = end_doc = abort_doc = lambda self, hdc: 1

    def delete_dc(self, hdc):
        pass


def gdi_job(doc, api) -> None:
    from neiqin.ui.printing import sending

    sending.print_gdi(doc, list(range(PAGES)), api, "bench", title="register", colour=False, duplex="none")


def raster_to_queue(doc, printer, *, rgb: bool) -> None:
    from neiqin.ui.printing import sending

    keep = sending.print_image, sending.has_colour
    if rgb:
        sending.print_image = lambda doc, index, dpi, colour=True: sending.render_page(doc, index, dpi)
        sending.has_colour = lambda doc, pages: True
    try:
        sending.print_document(doc, printer, first=1, last=PAGES, raster=True)
    finally:
        sending.print_image, sending.has_colour = keep


if __name__ == "__main__":
    main()
