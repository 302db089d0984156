"""Excel export of 100,000 visitor rows against raw openpyxl ``write_only``, same run.

Target (issue): exporting 100,000 rows takes ≤ 1.3× raw openpyxl write_only writing the same values.

Both read the same rows — the newest ~100,000 visits of the cached 1,000,000-row database, a whole-day date
range — through ``VISITORS.iter_rows``:

* neiqin: ``neiqin.reports.excel.export_xlsx`` (styled header, column widths, frozen header, auto-filter,
  print setup, formula-safe text cells, progress and cancel checks);
* baseline: ``Workbook(write_only=True)``, a header row, ``ws.append([col.excel_value(row) for col in
  columns])`` per row, ``save`` — nothing else.

Each job runs in its own child process (alternating, ``--repeat`` times each, median reported), which also
gives its peak RSS. Also reported: the time just to read the rows and compute the values.

    .venv/bin/python benchmarks/bench_excel.py [--rows 1000000] [--xlsx-rows 100000] [--repeat 3]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET_RATIO = 1.3


def neiqin_job(query, path: str) -> int:
    from neiqin.models import settings
    from neiqin.models.visitors import VISITORS
    from neiqin.reports.excel import export_xlsx

    return export_xlsx(VISITORS, query, path, org_name=settings.org_name(), progress=lambda done, total: None,
                       cancelled=lambda: False)


def baseline_job(query, path: str) -> int:
    from openpyxl import Workbook

    from neiqin.models.visitors import VISITORS

    cols = VISITORS.columns
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(VISITORS.tab_title)
    ws.append([c.header for c in cols])
    n = 0
    for n, row in enumerate(VISITORS.iter_rows(query), 1):  # noqa: B007
        ws.append([c.excel_value(row) for c in cols])
    wb.save(path)
    return n


def read_job(query, path: str) -> int:
    from neiqin.models.visitors import VISITORS

    cols = VISITORS.columns
    return sum(len([c.excel_value(row) for c in cols]) > 0 for row in VISITORS.iter_rows(query))


JOBS = {"neiqin": neiqin_job, "baseline": baseline_job, "read": read_job}


def child(args) -> None:
    from neiqin.models.ledger import LedgerQuery

    C.open_bench(args.rows)
    query = LedgerQuery(date_from=dt.date.fromisoformat(args.date_from), date_to=dt.date.fromisoformat(args.date_to))
    out = C.output_path(f"{args.child}-{args.date_from}-{args.date_to}.xlsx")
    t0 = time.perf_counter()
    n = JOBS[args.child](query, out)
    seconds = time.perf_counter() - t0
    C.report_child(seconds=seconds, rows=n, size_mb=round(os.path.getsize(out) / 1e6, 2)
                   if os.path.exists(out) else 0, path=out)


def main() -> None:
    p = C.parser(__doc__)
    p.set_defaults(repeat=3)
    p.add_argument("--xlsx-rows", type=int, default=100_000)
    C.add_job_child_args(p, JOBS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    C.header(f"Excel export, {args.xlsx_rows:,} of {args.rows:,} rows")
    lo, hi, runs, med, rss = C.run_job_children("bench_excel.py", args.rows, args.xlsx_rows, args.repeat,
                                                 ("neiqin", "baseline", "read"))
    n, one = runs["neiqin"][-1], runs["baseline"][-1]
    print(f"  neiqin: {n['size_mb']} MB ({n['path']}); baseline: {one['size_mb']} MB ({one['path']})")
    t = C.Table(f"Excel export, {n['rows']:,} rows ({lo} – {hi}) (median of {args.repeat} child processes)")
    ratio = med["neiqin"] / med["baseline"]
    t.add(f"Excel export {n['rows']:,} rows", "≤ 1.3× raw openpyxl", C.ms(med["neiqin"]),
          f"{C.ms(med['baseline'])} raw write_only", f"{ratio:.2f}×", ratio <= TARGET_RATIO)
    t.add("of which reading the rows + values", "—", C.ms(med["read"]), "—", "—", None)
    t.add("peak RSS during the Excel job", "≤ 300 MB", f"{rss['neiqin']:.0f} MB",
          f"{rss['baseline']:.0f} MB raw write_only", f"{rss['neiqin'] / rss['baseline']:.2f}×",
          rss["neiqin"] <= 300)
    t.print()


if __name__ == "__main__":
    main()
