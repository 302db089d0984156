"""办公用品 over 300,000 stock movements: stock on hand, the monthly report, issuing, first page and search.

Measured (medians of ``--repeat`` runs after one warm-up) on a database of ``--moves`` movements made by
``bulk_stock_moves`` (80 demo items, two years, receipts and issues costed in order), cached under the benchmark
folder:

- stock on hand for every item as the 物品 view shows it (the cached on_hand / stock_value columns), beside the
  baseline Σ movements ``GROUP BY item`` in raw SQL (what the numbers would cost without the cache);
- the 进销存 report of the last full month (``period_report``: one grouped pass with CASE sums), beside a
  baseline that reads every live movement into Python and adds up the same figures;
- ``verify_stock`` (the cache checked against Σ movements);
- issuing one line at the desk (``issue``: checks, costing, slip number, audit, search index, one IMMEDIATE
  transaction), a back-dated issue (date-order balance check), and ``find_item`` for a scanned code, beside the
  baseline of a bare ``StockMove.create`` of the same row;
- the first page of the 出入库流水 ledger and searches (1, 2, 3+ characters), beside ``LIKE`` scans.

Targets: first page and search ≤ 150 ms (the project's target for every ledger); issuing ≤ 50 ms so a queue
at the desk never waits; the monthly report ≤ 1 s.

    .venv/bin/python benchmarks/bench_supplies.py [--moves 300000] [--repeat 5]
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
import time

from neiqin import clock

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402


def build(moves: int):
    from neiqin.db import close_database, open_database
    from neiqin.paths import DataDir

    root = C.CACHE / f"supplies-{moves}"
    d = DataDir(root)
    if not (root / "BUILT").exists():
        if root.exists():
            shutil.rmtree(root)
        d.ensure()
        print(f"building: {moves:,} stock movements into {d.db_path} …", flush=True)
        t0 = time.perf_counter()
        open_database(d.db_path, d.backups)
        import random

        from neiqin.demo import seed_directory
        from neiqin.demo.supplies import bulk_stock_moves

        seed_directory(random.Random(7))
        bulk_stock_moves(moves, seed=7, days=730,
                         progress=lambda done, total: print(f"  {done:>9,} / {total:,}  "
                                                            f"{time.perf_counter() - t0:6.1f} s", flush=True)
                         if done % 50_000 < 5000 or done == total else None)
        close_database()
        con = sqlite3.connect(d.db_path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        (root / "BUILT").write_text(f"{moves}\n")
        print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)
    C.migrate(root)
    # issuing writes: time it on a copy, so the cached database stays as built
    work = C.CACHE / f"supplies-{moves}-work"
    if work.exists():
        shutil.rmtree(work)
    DataDir(work).ensure()
    src = sqlite3.connect(d.db_path)
    dst = sqlite3.connect(DataDir(work).db_path)
    src.backup(dst)
    src.close()
    dst.close()
    open_database(DataDir(work).db_path, DataDir(work).backups)
    return DataDir(work)


def main() -> None:
    p = C.parser(__doc__)
    p.add_argument("--moves", type=int, default=300_000)
    args = p.parse_args()
    C.header(f"supplies, {args.moves:,} movements")
    datadir = build(args.moves)

    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.supplies.items import Supply, find_item
    from neiqin.models.supplies.moves import STOCK_MOVES, StockMove
    from neiqin.models.supplies.posting import issue
    from neiqin.models.supplies.reports import month_range, period_report, verify_stock

    raw = sqlite3.connect(f"file:{datadir.db_path}?mode=ro", uri=True)
    n = raw.execute("SELECT COUNT(*) FROM stock_move").fetchone()[0]
    t = C.Table(f"办公用品, {n:,} movements, {Supply.select().count()} items (median of {args.repeat})")

    cached = C.timed(lambda: list(Supply.select(Supply.code, Supply.name, Supply.on_hand, Supply.stock_value)
                                  .tuples()), args.repeat)
    summed = C.timed(lambda: raw.execute("SELECT item, SUM(qty), SUM(amount) FROM stock_move WHERE voided = 0 "
                                         "GROUP BY item").fetchall(), args.repeat)
    t.add("stock on hand, every item (cached columns)", "—", C.ms(cached), f"Σ movements {C.ms(summed)}",
          f"{cached / summed:.3f}×")
    verify = C.timed(verify_stock, args.repeat)
    t.add("verify_stock (cache vs Σ movements)", "—", C.ms(verify), f"Σ movements {C.ms(summed)}",
          f"{verify / summed:.2f}×")

    today = clock.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    start, end = month_range(last.year, last.month)

    def python_report():
        sums: dict[int, list[int]] = {}
        for item, day, kind, qty, amount in raw.execute(
                "SELECT item, move_date, kind, qty, amount FROM stock_move WHERE voided = 0 AND move_date <= ?",
                (end.isoformat(),)):
            s = sums.setdefault(item, [0] * 8)
            if day < start.isoformat():
                s[0] += qty
                s[1] += amount
            elif kind == "入库":
                s[2] += qty
                s[3] += amount
            elif kind in ("领用", "退库"):
                s[4] += qty
                s[5] += amount
            else:
                s[6] += qty
                s[7] += amount
        return sums

    rows = period_report(start, end)
    base_rows = python_report()
    agree = all(base_rows[r.item_id][1] == r.open_value and base_rows[r.item_id][3] == r.in_value for r in rows)
    report = C.timed(lambda: period_report(start, end), args.repeat)
    base = C.timed(python_report, args.repeat)
    t.add(f"进销存月报 {last:%Y-%m} ({len(rows)} items{', same sums' if agree else ', SUMS DIFFER'})", "≤ 1 s",
          C.ms(report), f"Python loop {C.ms(base)}", f"{report / base:.2f}×", report <= 1.0 and agree)

    item = Supply.select().order_by(Supply.on_hand.desc()).first()
    code = item.code.lower()
    scan = C.timed(lambda: find_item(code), args.repeat)
    t.add("find_item (a scanned code)", "—", C.ms(scan), "—", "—")
    person = {"name": "王芳", "department": "财务部"}

    def one_issue(day=None):
        issue({"person": person, "item": item, "qty": 1, "purpose": "基准测试", "move_date": day or today})

    desk = C.timed(one_issue, args.repeat * 4)
    older = today - dt.timedelta(days=200)
    back = C.timed(lambda: one_issue(older), args.repeat)

    def bare():
        StockMove.create(no="X", kind="领用", move_date=today, item=item.id, code=item.code, name=item.name,
                         unit=item.unit, qty=-1000, amount=-100)

    plain = C.timed(bare, args.repeat * 4)
    t.add("issue one line at the desk (today)", "≤ 50 ms", C.ms(desk), f"bare insert {C.ms(plain)}",
          f"{desk / plain:.1f}×", desk <= 0.050)
    t.add("issue one line dated 200 days back (date-order check)", "≤ 50 ms", C.ms(back),
          f"bare insert {C.ms(plain)}", f"{back / plain:.1f}×", back <= 0.050)

    like_text = "(code || ' ' || name || ' ' || person || ' ' || department || ' ' || supplier || ' ' || purpose)"
    first = C.timed(lambda: STOCK_MOVES.fetch_page(LedgerQuery()), args.repeat)
    base_first = C.timed(lambda: raw.execute("SELECT * FROM stock_move ORDER BY move_date DESC, id DESC LIMIT 200")
                         .fetchall(), args.repeat)
    t.add("出入库流水 first page (200 rows)", "≤ 150 ms", C.ms(first), f"raw SQL {C.ms(base_first)}",
          f"{first / base_first:.2f}×", first <= 0.150)
    for term in ("王", "硒鼓", "中性笔", "财务部", "得力办公"):
        q = LedgerQuery(search=term)
        hits = STOCK_MOVES.count(q)
        page = C.timed(lambda q=q: STOCK_MOVES.fetch_page(q), args.repeat)
        count = C.timed(lambda q=q: STOCK_MOVES.count(q), args.repeat)
        like = C.timed(lambda term=term: raw.execute(
            f"SELECT * FROM stock_move WHERE {like_text} LIKE ? ORDER BY id DESC LIMIT 200", (f"%{term}%",))
            .fetchall(), args.repeat)
        t.add(f"search “{term}” — {STOCK_MOVES.count_text(hits)}", "≤ 150 ms",
              f"{C.ms(page)} + count {C.ms(count)}", f"LIKE {C.ms(like)}", f"{page / like:.2f}×", page <= 0.150)
    t.print()


if __name__ == "__main__":
    main()
