"""Spooling a 50-page register: today's path (every page a 300 ppi colour image) against the new ones.

A register of demo visits long enough for 50 pages is written once; then pages 1-50 go out three ways:

* ``raster RGB`` — the path before issue 18: each page rendered at the printer's resolution (300 ppi, the cups-pdf
  queue's) as a colour image and painted into the QPrinter; Qt hands CUPS a PDF of those images.
* ``raster 1-bit`` — the new path for spoolers that take rendered pages (Windows): a page without colour as 1-bit.
* ``PDF to CUPS`` — the new path where the spooler takes PDF (CUPS): the register's own PDF, handed to ``lp``.

Bytes: what leaves neiqin for the spooler (the two raster paths are written to a PDF QPrinter, which is what Qt
sends a CUPS queue; the third is the register file). Seconds: neiqin's own time to hand the job over, and with
``--cups`` (a cups-pdf queue, scripts/cups-pdf-queue.sh) until the queue has finished the job. Median of
``--repeat`` runs; prints figures only, asserts nothing.

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
    from neiqin.ui.printing import preview

    keep = preview.print_image, preview.has_colour
    if rgb:  # before issue 18: every page as rendered, in colour
        preview.print_image = lambda doc, index, dpi, colour=True: preview.render_page(doc, index, dpi)
        preview.has_colour = lambda doc, pages: True
    try:
        preview.print_document(doc, pdf_printer(out), first=1, last=PAGES)
    finally:
        preview.print_image, preview.has_colour = keep


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
        for label, rgb in (("raster RGB (before)", True), ("raster 1-bit", False)):
            out = tmp / f"{label[:6]}.pdf"
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                raster(doc, out, rgb=rgb)
                times.append(time.perf_counter() - t0)
            rows.append([label, out.stat().st_size, statistics.median(times), None])
        size = doc.pagePointSize(0)
        lp = spool.lp_command()
        cmd = spool.cups_command(lp or "lp", register, "QUEUE", title="register", page_pt=(size.width(),
                                 size.height()), first=1, last=PAGES, pages=doc.pageCount())
        rows.append(["PDF to CUPS (lp)", register.stat().st_size, 0.0, None])
        queue = queue_name() if args.cups else None
        if queue:
            printer = QPrinter(QPrinterInfo.printerInfo(queue), QPrinter.PrinterMode.HighResolution)
            printer.setResolution(DPI)
            for row, send in ((rows[0], lambda: raster_to_queue(doc, printer, rgb=True)),
                              (rows[2], lambda: spool.send_pdf(register, queue, title="bench", page_pt=(
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
    print(f"{'path':24} {'bytes':>14} {'hand-over s':>12} {'through CUPS s':>15}")
    for label, nbytes, secs, total in rows:
        print(f"{label:24} {nbytes:14,} {secs:12.2f} {total if total is not None else float('nan'):15.1f}")
    before = rows[0]
    for label, nbytes, _secs, total in rows[1:]:
        ratio = f"bytes 1/{before[1] / nbytes:.0f}"
        if total and before[3]:
            ratio += f", through CUPS 1/{before[3] / total:.0f}"
        print(f"{label}: {ratio} of the path before")
    print("lp command:", " ".join(cmd))


def raster_to_queue(doc, printer, *, rgb: bool) -> None:
    from neiqin.ui.printing import preview

    keep = preview.print_image, preview.has_colour
    if rgb:
        preview.print_image = lambda doc, index, dpi, colour=True: preview.render_page(doc, index, dpi)
        preview.has_colour = lambda doc, pages: True
    try:
        preview.print_document(doc, printer, first=1, last=PAGES, raster=True)
    finally:
        preview.print_image, preview.has_colour = keep


if __name__ == "__main__":
    main()
