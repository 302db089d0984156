"""A 10,000-row printed register (来访登记簿 PDF) against a plain reportlab canvas, same run.

Target (issue): the register PDF of 10,000 rows takes ≤ 1.5× a plain reportlab canvas drawing the same rows.

Both read the same rows — the newest ~10,000 visits of the cached 1,000,000-row database, a whole-day date
range — through ``VISITORS.iter_rows`` and format them with the same ``Column.display``, in the same TrueType
font (neiqin's ``font_for("body")``, registered inside the timed part by both):

* neiqin: ``neiqin.reports.register.write_register_pdf`` (two passes, wrapping, ``第 N 页 共 M 页`` …);
* baseline: one ``canvas.drawString`` per cell at fixed column positions, fixed row height, a header row and a
  page number per page, nothing wrapped (long text simply runs over) — the simplest correct-looking loop.

Each job runs in its own child process (alternating, ``--repeat`` times each, median reported), which also
gives its peak RSS. Also reported: the time just to read and format the rows (``iter_rows`` + display).

    .venv/bin/python benchmarks/bench_pdf.py [--rows 1000000] [--pdf-rows 10000] [--repeat 3]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET_RATIO = 1.5


def neiqin_job(query, path: str) -> dict:
    from neiqin.models import settings
    from neiqin.models.visitors import VISITORS
    from neiqin.reports.register import write_register_pdf

    pages = write_register_pdf(VISITORS, query, path, org_name=settings.org_name(), subtitle="基准测试")
    return {"pages": pages}


def baseline_job(query, path: str) -> dict:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from neiqin.models.visitors import VISITORS
    from neiqin.reports.fonts import font_for

    font = font_for("body")
    cols = VISITORS.columns
    w, h = landscape(A4)
    left, top, bottom, size, row_h = 10 * mm, h - 12 * mm, 12 * mm, 7.5, 11
    units = 4 + sum(c.width for c in cols)
    xs = [left]
    for width in [4] + [c.width for c in cols]:
        xs.append(xs[-1] + (w - 2 * left) * width / units)
    headers = ["序号", *(c.header for c in cols)]
    c = Canvas(path, pagesize=(w, h))
    page = 1

    def page_top() -> float:
        c.setFont(font, 14)
        c.drawCentredString(w / 2, top, VISITORS.title)
        c.setFont(font, size)
        c.drawCentredString(w / 2, bottom / 2, f"第 {page} 页")
        y = top - 24
        for x, text in zip(xs, headers, strict=False):
            c.drawString(x + 2, y, text)
        c.line(left, y - 3, w - left, y - 3)
        return y - row_h

    y = page_top()
    for n, row in enumerate(VISITORS.iter_rows(query), 1):
        if y < bottom:
            c.showPage()
            page += 1
            y = page_top()
        c.drawString(xs[0] + 2, y, str(n))
        for x, col in zip(xs[1:], cols, strict=False):
            c.drawString(x + 2, y, col.display(row))
        y -= row_h
    c.showPage()
    c.save()
    return {"pages": page}


def read_job(query, path: str) -> dict:
    from neiqin.models.visitors import VISITORS

    n = sum(len([c.display(row) for c in VISITORS.columns]) > 0 for row in VISITORS.iter_rows(query))
    return {"pages": 0, "read": n}


JOBS = {"neiqin": neiqin_job, "baseline": baseline_job, "read": read_job}


def child(args) -> None:
    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.visitors import VISITORS

    C.open_bench(args.rows)
    query = LedgerQuery(date_from=dt.date.fromisoformat(args.date_from), date_to=dt.date.fromisoformat(args.date_to))
    rows = VISITORS.count(query)
    out = C.output_path(f"{args.child}-{args.date_from}-{args.date_to}.pdf")
    t0 = time.perf_counter()
    figures = JOBS[args.child](query, out)
    seconds = time.perf_counter() - t0
    C.report_child(seconds=seconds, rows=rows, size_mb=round(os.path.getsize(out) / 1e6, 2)
                   if os.path.exists(out) else 0, path=out, **figures)


def main() -> None:
    p = C.parser(__doc__)
    p.set_defaults(repeat=3)
    p.add_argument("--pdf-rows", type=int, default=10_000)
    C.add_job_child_args(p, JOBS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    C.header(f"register PDF, {args.pdf_rows:,} of {args.rows:,} rows")
    lo, hi, runs, med, rss = C.run_job_children("bench_pdf.py", args.rows, args.pdf_rows, args.repeat,
                                                 ("neiqin", "baseline", "read"))
    n, one = runs["neiqin"][-1], runs["baseline"][-1]
    print(f"  neiqin: {n['pages']} pages, {n['size_mb']} MB ({n['path']}); "
          f"baseline: {one['pages']} pages, {one['size_mb']} MB ({one['path']})")
    t = C.Table(f"Register PDF, {n['rows']:,} rows ({lo} – {hi}) (median of {args.repeat} child processes)")
    ratio = med["neiqin"] / med["baseline"]
    t.add(f"register PDF {n['rows']:,} rows, {n['pages']} pages", "≤ 1.5× plain canvas", C.ms(med["neiqin"]),
          f"{C.ms(med['baseline'])} plain canvas", f"{ratio:.2f}×", ratio <= TARGET_RATIO)
    t.add("of which reading + formatting the rows", "—", C.ms(med["read"]), "—", "—", None)
    t.add("peak RSS during the PDF job", "≤ 300 MB", f"{rss['neiqin']:.0f} MB",
          f"{rss['baseline']:.0f} MB plain canvas", f"{rss['neiqin'] / rss['baseline']:.2f}×", rss["neiqin"] <= 300)
    t.print()


if __name__ == "__main__":
    main()
