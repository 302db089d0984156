"""Global search (Ctrl+K) over a database with every ledger at 300,000 rows, beside the per-ledger search.

Target (issue 9): results within 150 ms over a database with every ledger at 300,000 rows.

Measured: ``global_search.search_all(term)`` — what the dialog runs after the debounce: the first 8 hits of
every searchable ledger (newest first) and each group's count capped at 999 — median of ``--repeat`` runs after
one warm-up. Baseline, same run: the search each ledger tab runs when the same words are typed into its own
box (``spec.fetch_page(200 rows)`` + ``spec.count`` capped at 50,000), summed over the same ledgers — what a
clerk would wait for looking in every tab one by one.

The database is built once with the ledgers' own bulk generators (``bulk_visits``, ``bulk_documents``,
``bulk_parcels``, ``bulk_stock_moves``, ``bulk_meetings`` — whichever exist) into the benchmark cache.

    .venv/bin/python benchmarks/bench_global_search.py [--rows 300000] [--terms 王 合同 ...]
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET = 0.150
TERMS = ["王", "张伟", "合同", "有限公司", "通知", "zs", "wangfang", "营业执照", "北京某", "王 科技"]
GENERATORS = [  # (module, function, ledger it fills)
    ("neiqin.demo", "bulk_visits", "来访"),
    ("neiqin.demo.documents", "bulk_documents", "收文"),
    ("neiqin.demo.parcels", "bulk_parcels", "快递"),
    ("neiqin.demo.supplies", "bulk_stock_moves", "办公用品出入库"),
    ("neiqin.demo.meetings", "bulk_meetings", "会议"),
]


def build(root, rows: int) -> list[str]:
    import random

    from neiqin.db import close_database, open_database
    from neiqin.demo import seed_directory
    from neiqin.paths import DataDir

    d = DataDir(root).ensure()
    for leftover in root.glob("neiqin.sqlite*"):
        leftover.unlink()
    open_database(d.db_path, d.backups)
    seed_directory(random.Random(7))
    done = []
    for module, name, label in GENERATORS:
        fn = getattr(importlib.import_module(module), name, None)
        if fn is None:
            print(f"  {module}.{name} does not exist: {label} left empty", flush=True)
            continue
        t0 = time.perf_counter()
        fn(rows) if name != "bulk_visits" else fn(rows, days=1500)
        print(f"  {name}({rows:,}) in {time.perf_counter() - t0:.1f} s", flush=True)
        done.append(label)
    close_database()
    con = sqlite3.connect(d.db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    (root / "BUILT").write_text(f"{rows}\n{','.join(done)}\n")
    return done


def main() -> None:
    p = C.parser(__doc__, rows=300_000)
    p.add_argument("--terms", nargs="*", default=TERMS)
    args = p.parse_args()
    C.header(f"global search, every ledger at {args.rows:,} rows")
    root = C.CACHE / f"global-{args.rows}"
    if not (root / "BUILT").exists():
        print(f"building {root} …", flush=True)
        build(root, args.rows)
    C.migrate(root)
    from neiqin.db import open_database
    from neiqin.paths import DataDir

    d = DataDir(root)
    open_database(d.db_path, d.backups)
    from neiqin.models import global_search
    from neiqin.models.ledger import LedgerQuery

    specs = global_search.searchable()
    sizes = {s.key: s.model.select().count() for s in specs}
    print("rows per ledger: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)

    def per_ledger(term: str) -> None:
        q = LedgerQuery(search=term)
        for s in specs:
            s.fetch_page(q, limit=200)
            s.count(q)

    t = C.Table(f"Global search, {len(specs)} ledgers, largest {max(sizes.values()):,} rows "
                f"(median of {args.repeat})")
    worst = 0.0
    for term in args.terms:
        groups = global_search.search_all(term)
        hits = ", ".join(f"{g.ledger} {g.total_text}" for g in groups) or "nothing"
        measured = C.timed(lambda t_=term: global_search.search_all(t_), args.repeat)
        base = C.timed(lambda t_=term: per_ledger(t_), args.repeat)
        worst = max(worst, measured)
        t.add(f"“{term}” — {hits}", "≤ 150 ms", C.ms(measured), C.ms(base), f"{measured / base:.2f}×",
              measured <= TARGET)
    print(f"\nworst {C.ms(worst)}")
    t.print()


if __name__ == "__main__":
    main()
