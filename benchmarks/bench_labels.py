"""Labels and print preview: a 24-label sheet, a 500-row register, and the preview's first page.

Measured in this process, offscreen, against a fresh temporary data dir with 500 demo visits:

* a full A4 sheet of 24 labels (70×37 mm): barcode labels (Code128 / QR / both) and 访客证 (QR + text);
* the 500-row visitor register PDF (``write_register_pdf``);
* until the preview shows page 1 of that register: generating the PDF, opening ``PreviewDialog`` and painting
  the first page (``QPdfView.grab()``) — the issue's target is ≤ 1 s — and the opening + painting alone;
* printing one A4 page through ``print_document`` to a PDF QPrinter (render at printer resolution, on white).

Baselines, same run: an empty reportlab page saved, and ``QPdfDocument.load`` + ``render`` of page 1 at screen
size. Each figure is the median of ``--repeat`` runs after one warm-up. Prints figures only, asserts nothing.

    .venv/bin/python benchmarks/bench_labels.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_PREVIEW = 1.0


def timed(fn, repeat: int) -> float:
    fn()  # warm-up: fonts registered, caches filled
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def row(name: str, seconds: float, note: str = "") -> None:
    print(f"  {name:<58} {seconds * 1000:9.1f} ms  {note}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--rows", type=int, default=500, help="rows in the register (500)")
    args = p.parse_args()

    from reportlab.pdfgen.canvas import Canvas

    from neiqin.db import open_database
    from neiqin.demo import generate
    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.visitors import VISITORS, Visit
    from neiqin.paths import DataDir
    from neiqin.reports.badges import VisitorBadge
    from neiqin.reports.labels import PRESETS, write_labels
    from neiqin.reports.register import write_register_pdf
    from neiqin.reports.templates import BarcodeLabel

    tmp = Path(tempfile.mkdtemp(prefix="neiqin-bench-labels-"))
    datadir = DataDir(tmp / "data").ensure()
    open_database(datadir.db_path, datadir.backups)
    generate(args.rows)
    rows = VISITORS.count(LedgerQuery()) + Visit.select().where(Visit.voided == True).count()  # noqa: E712
    print(f"labels and print preview — {rows} visits in the register, repeat {args.repeat}, median")

    kinds = ["code128", "qr", "both"]
    codes = [BarcodeLabel(f"ZC-2026-{i:04d}", f"资产 {i} 号 笔记本电脑", "办公室", kinds[i % 3]) for i in range(24)]
    visits = list(Visit.select().limit(24))
    badges = [VisitorBadge.from_visit(v, "某某市某某有限公司") for v in visits]
    sheet = PRESETS["a4-3x8"]
    out = tmp / "out.pdf"

    def empty_page():
        c = Canvas(str(tmp / "empty.pdf"))
        c.showPage()
        c.save()

    row("baseline: empty reportlab page saved", timed(empty_page, args.repeat))
    row("24 barcode labels on one A4 sheet (3×8)", timed(lambda: write_labels(out, sheet, codes), args.repeat))
    row(f"{len(badges)} 访客证 on one A4 sheet (3×8)", timed(lambda: write_labels(out, sheet, badges), args.repeat))

    register = tmp / "register.pdf"
    pages = write_register_pdf(VISITORS, LedgerQuery(), register, org_name="某某有限公司")
    row(f"{rows}-row register PDF ({pages} pages)", timed(
        lambda: write_register_pdf(VISITORS, LedgerQuery(), register, org_name="某某有限公司"), args.repeat))

    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from neiqin.ui.printing.preview import PreviewDialog, print_document

    app = QApplication.instance() or QApplication([])

    def render_only():
        doc = QPdfDocument()
        doc.load(str(register))
        doc.render(0, QSize(1000, 707))
        doc.close()

    def preview_open(make: bool):
        def run():
            if make:
                write_register_pdf(VISITORS, LedgerQuery(), register, org_name="某某有限公司")
            dlg = PreviewDialog(register, "来访登记簿")
            dlg.show()
            app.processEvents()
            image = dlg.view.grab()  # paints page 1
            assert not image.isNull()
            dlg._thumb_timer.stop()
            dlg.close()
            dlg.deleteLater()
            app.processEvents()
        return run

    row("baseline: QPdfDocument load + render page 1 (screen size)", timed(render_only, args.repeat))
    row("preview open + page 1 painted (PDF already made)", timed(preview_open(False), args.repeat))
    full = timed(preview_open(True), args.repeat)
    row(f"until the preview shows page 1 of the {rows}-row register", full,
        f"target ≤ {TARGET_PREVIEW * 1000:.0f} ms: {'met' if full <= TARGET_PREVIEW else 'NOT met'}")

    doc = QPdfDocument()
    doc.load(str(register))

    def print_page():
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp / "printed.pdf"))
        print_document(doc, printer, first=1, last=1)

    row("print 1 A4 page to a PDF QPrinter (rendered ≈450 dpi)", timed(print_page, max(1, args.repeat // 2)))


if __name__ == "__main__":
    main()
