"""收文 register at scale: first page and search on 300,000 收文, beside the visitor register of the same size.

Targets (spine issue): the first page ≤ 150 ms after the tab opens; any search's first page ≤ 150 ms.

One database holds ``--rows`` past 收文 (``documents.bulk_documents``) and as many past visits
(``demo.bulk_visits``), so both ledgers are measured in the same file and run. Measured, medians of ``--repeat``
after a warm-up:

* ``INCOMING.fetch_page`` / ``VISITORS.fetch_page`` for the unfiltered view and the status-bar ``count``;
* ``IncomingPane`` built offscreen until its first row is there (widgets, filters, first page, overdue count);
* searches of 1, 2 and 3+ characters, a 文号 fragment and two words, each first page and count;
* the 逾期 status filter (active documents past their 办理期限) with its count.

Baseline, same run: raw ``sqlite3`` ``SELECT * … ORDER BY id DESC LIMIT 200`` on each table.

    .venv/bin/python benchmarks/bench_documents.py [--rows 300000]
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET = 0.150
DOC_TERMS = ["安", "安全", "安全生产", "某建发", "财政局 通知", "收〔2025〕1"]
VISIT_TERMS = ["王", "张伟", "有限公司", "科技", "王 科技"]


def build(rows: int):
    from neiqin.db import close_database, open_database
    from neiqin.paths import DataDir

    root = C.CACHE / f"documents-{rows}"
    d = DataDir(root).ensure()
    if not (root / "BUILT").exists():
        for leftover in root.glob("neiqin.sqlite*"):
            leftover.unlink()
        print(f"building: {rows:,} 收文 and {rows:,} visits into {d.db_path} …", flush=True)
        t0 = time.perf_counter()
        open_database(d.db_path, d.backups)
        from neiqin.demo import bulk_visits, seed_directory
        from neiqin.demo.documents import bulk_documents

        staff = seed_directory(random.Random(7))
        bulk_visits(rows, days=1100, staff=staff)
        t1 = time.perf_counter()
        bulk_documents(rows, seed=7, years=3)
        print(f"  收文 bulk insert: {rows:,} rows in {time.perf_counter() - t1:.1f} s", flush=True)
        close_database()
        con = sqlite3.connect(d.db_path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        (root / "BUILT").write_text(f"{rows}\n")
        print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)
    C.migrate(root)
    open_database(d.db_path, d.backups)
    return d


def main() -> None:
    p = C.parser(__doc__, rows=300_000)
    args = p.parse_args()
    C.header(f"收文 register, {args.rows:,} rows beside {args.rows:,} visits")
    datadir = build(args.rows)

    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.mail.incoming import INCOMING
    from neiqin.models.visitors import VISITORS

    raw = sqlite3.connect(f"file:{datadir.db_path}?mode=ro", uri=True)
    raw.row_factory = sqlite3.Row

    def raw_page(table: str):
        return lambda: [dict(r) for r in raw.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT 200")]

    t = C.Table(f"收文 vs 来访, {args.rows:,} rows each (median of {args.repeat}; page = first 200 rows)")
    for name, spec, table in (("收文", INCOMING, "incoming_doc"), ("来访", VISITORS, "visit")):
        q = LedgerQuery()
        page = C.timed(lambda spec=spec, q=q: spec.fetch_page(q), args.repeat)
        base = C.timed(raw_page(table), args.repeat)
        t.add(f"{name}: first page", "≤ 150 ms", C.ms(page), C.ms(base), f"{page / base:.1f}×", page <= TARGET)
        count = C.timed(lambda spec=spec, q=q: spec.count(q), args.repeat)
        t.add(f"{name}: count", "≤ 150 ms", C.ms(count), "—", "—", count <= TARGET)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    ui = QSettings(str(datadir.ui_settings), QSettings.Format.IniFormat)
    from neiqin.ui.mail.incoming_pane import IncomingPane

    def build_pane():
        pane = IncomingPane(datadir, ui)
        while pane.model.rowCount() == 0:
            app.processEvents()
        pane.deleteLater()
        app.processEvents()

    built = C.timed(build_pane, args.repeat)
    t.add("收文 tab built, first row shown", "≤ 150 ms", C.ms(built), "—", "—", built <= TARGET)

    for name, spec, terms in (("收文", INCOMING, DOC_TERMS), ("来访", VISITORS, VISIT_TERMS)):
        for term in terms:
            q = LedgerQuery(search=term)
            hits = spec.count(q)
            page = C.timed(lambda spec=spec, q=q: spec.fetch_page(q), args.repeat)
            count = C.timed(lambda spec=spec, q=q: spec.count(q), args.repeat)
            t.add(f"{name}: search “{term}” ({spec.count_text(hits)}) page", "≤ 150 ms", C.ms(page), "—", "—",
                  page <= TARGET)
            t.add(f"{name}: search “{term}” count", "≤ 150 ms", C.ms(count), "—", "—", count <= TARGET)
    q = LedgerQuery(status="overdue")
    page = C.timed(lambda: INCOMING.fetch_page(q), args.repeat)
    count = C.timed(lambda: INCOMING.count(q), args.repeat)
    t.add("收文: 逾期 filter page", "≤ 150 ms", C.ms(page), "—", "—", page <= TARGET)
    t.add("收文: 逾期 filter count", "≤ 150 ms", C.ms(count), "—", "—", count <= TARGET)
    t.print()


if __name__ == "__main__":
    main()
