"""First page of the visitors tab on a 1,000,000-row database.

Target (issue): the first page is shown ≤ 150 ms after the visitors tab opens.

Measured, offscreen (QT_QPA_PLATFORM=offscreen), in this process against the cached benchmark database:

* ``LedgerTableModel(VISITORS).reload()`` until ``model.rowCount() > 0`` (the model's own work);
* ``VisitorsPane(...)`` constructed (widgets + filters + first page) until ``model.rowCount() > 0``;
* the status-bar count the pane runs right after the first page (``VISITORS.count``), on the UI thread;
* one ``fetchMore()`` 5,000 rows down (scrolling).

Baseline, same run: raw ``sqlite3`` ``SELECT * FROM visit ORDER BY id DESC LIMIT 200`` fetched into Python
(and ``SELECT COUNT(*) FROM visit`` for the count). Each figure is the median of ``--repeat`` runs after one
warm-up; the first call in the process (cold SQLite cache, warm OS cache) is printed too.

    .venv/bin/python benchmarks/bench_first_page.py [--rows 1000000]
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET = 0.150
PAGE_ROWS = 200  # neiqin.ui.table_model.PAGE


def first_and_median(fn, repeat: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    return first, C.timed(fn, repeat, warmup=0)


def main() -> None:
    args = C.parser(__doc__).parse_args()
    C.header(f"first page of the visitors tab, {args.rows:,} rows")
    datadir = C.open_bench(args.rows)

    raw = sqlite3.connect(f"file:{datadir.db_path}?mode=ro", uri=True)
    raw.row_factory = sqlite3.Row

    def raw_page():
        rows = [dict(r) for r in raw.execute("SELECT * FROM visit ORDER BY id DESC LIMIT 200")]
        assert len(rows) == 200

    def raw_count():
        raw.execute("SELECT COUNT(*) FROM visit").fetchone()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.visitors import VISITORS
    from neiqin.ui.table_model import LedgerTableModel
    from neiqin.ui.visitors_pane import VisitorsPane

    app = QApplication.instance() or QApplication([])
    ui = QSettings(str(datadir.root / "bench-ui.ini"), QSettings.Format.IniFormat)

    def model_page():
        m = LedgerTableModel(VISITORS)
        m.reload()
        assert m.rowCount() > 0

    panes = []

    def pane_page():
        pane = VisitorsPane(datadir, ui)
        assert pane.model.rowCount() > 0
        panes.append(pane)

    def pane_count():
        VISITORS.count(LedgerQuery())

    depth = min(5000, max(args.rows - PAGE_ROWS, 0))

    def fetch_more() -> float:
        """One fetchMore() ``depth`` rows down, on a model scrolled there first (untimed)."""
        m = LedgerTableModel(VISITORS)
        m.reload()
        while m.rowCount() < depth and m.canFetchMore():
            m.fetchMore()
        n = m.rowCount()
        t0 = time.perf_counter()
        m.fetchMore()
        elapsed = time.perf_counter() - t0
        assert m.rowCount() > n or not m.canFetchMore()
        return elapsed

    base_first, base = first_and_median(raw_page, args.repeat)
    model_first, model = first_and_median(model_page, args.repeat)
    pane_first, pane = first_and_median(pane_page, args.repeat)
    count_base = C.timed(raw_count, args.repeat)
    count = C.timed(pane_count, args.repeat)
    more = statistics.median(fetch_more() for _ in range(args.repeat))
    for p in panes:
        p.deleteLater()
    app.processEvents()

    t = C.Table(f"First page, visitors, {args.rows:,} rows (median of {args.repeat}; first call in brackets)")
    t.add("first page: LedgerTableModel.reload()", "≤ 150 ms", f"{C.ms(model)} ({C.ms(model_first)})",
          f"{C.ms(base)} ({C.ms(base_first)}) raw SELECT LIMIT 200", f"{model / base:.1f}×", model <= TARGET)
    t.add("first page: VisitorsPane built, rows shown", "≤ 150 ms", f"{C.ms(pane)} ({C.ms(pane_first)})",
          f"{C.ms(base)} raw SELECT LIMIT 200", f"{pane / base:.1f}×", pane <= TARGET)
    t.add("status-bar count after the first page", "(UI thread)", C.ms(count),
          f"{C.ms(count_base)} raw COUNT(*)", f"{count / count_base:.1f}×", None)
    t.add("page + count (UI busy before the first paint)", "≤ 150 ms", C.ms(pane + count),
          f"{C.ms(base + count_base)}", f"{(pane + count) / (base + count_base):.1f}×", pane + count <= TARGET)
    t.add(f"fetchMore() {depth:,} rows down ({PAGE_ROWS} rows)", "—", C.ms(more), C.ms(base), f"{more / base:.1f}×", None)
    t.print()


if __name__ == "__main__":
    main()
