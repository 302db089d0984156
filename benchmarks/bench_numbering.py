"""What a number costs: the numbering allocator beside a bare INSERT in the same transaction shape.

Every numbered save in neiqin is one ``BEGIN IMMEDIATE`` transaction that takes a number
(:mod:`neiqin.numbering`: one UPDATE of ``number_serial``, the pattern read from 设置, a check that the number is
not in the register yet) and writes the record. Measured in one run, on a fresh database opened the way the app
opens it (WAL, ``synchronous=FULL``), medians of ``--repeat``:

* **one save per transaction** (``--commits`` saves, each committed — what a clerk's save costs):
  baseline ``INSERT`` of a row with a fixed number; the allocator's number + the same ``INSERT``; and the code
  before the allocator (``MAX(no)`` over text + ``INSERT``) for reference;
* **many numbers in one transaction** (``--count`` numbers — the allocator's own cost without the commit):
  baseline ``INSERT`` alone; ``take()`` + ``INSERT`` per number; ``take_many()`` + ``executemany``.

Prints figures only; nothing is asserted.

    .venv/bin/python benchmarks/bench_numbering.py [--count 20000] [--commits 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TABLE = "bench_number"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=20_000, help="numbers taken inside one transaction (20,000)")
    p.add_argument("--commits", type=int, default=300, help="saves, each its own transaction (300)")
    p.add_argument("--repeat", type=int, default=5, help="repetitions; the median is reported")
    args = p.parse_args()

    from neiqin import clock
    from neiqin.db import open_database
    from neiqin.models.base import db
    from neiqin.numbering import series, write_transaction

    root = Path(tempfile.mkdtemp(prefix="neiqin-bench-numbering-"))
    open_database(root / "neiqin.sqlite")
    db.execute_sql(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, no TEXT NOT NULL UNIQUE, note TEXT)")
    bench = series("bench", "测试编号", "B{year}-{n:04}", setting="bench.number_pattern",
                   taken_sql=f"SELECT 1 FROM {TABLE} WHERE no = :text LIMIT 1")
    insert = f"INSERT INTO {TABLE} (no, note) VALUES (?, '用印申请')"
    fixed = iter(range(10**9))
    year = iter(range(3000, 9999))  # each repetition numbers a fresh year, so runs are alike

    def bare_commits() -> None:
        for _ in range(args.commits):
            with write_transaction():
                db.execute_sql(insert, (f"X{next(fixed)}",))

    def allocator_commits() -> None:
        y = next(year)
        for _ in range(args.commits):
            with write_transaction():
                db.execute_sql(insert, (bench.take(y).text,))

    def old_commits() -> None:  # seals._next_no before the allocator, in a deferred transaction as it was
        head = f"印{next(year)}-"
        for _ in range(args.commits):
            with db.atomic():
                last = db.execute_sql(f"SELECT MAX(no) FROM {TABLE} WHERE no >= ? AND no < ?",
                                      (head, head + "\uffff")).fetchone()[0]
                n = int(last[len(head):]) + 1 if last else 1
                db.execute_sql(insert, (f"{head}{n:04d}",))

    def bare_batch() -> None:
        with write_transaction():
            for _ in range(args.count):
                db.execute_sql(insert, (f"X{next(fixed)}",))

    def allocator_batch() -> None:
        y = next(year)
        with write_transaction():
            for _ in range(args.count):
                db.execute_sql(insert, (bench.take(y).text,))

    def allocator_block() -> None:
        y = next(year)
        with write_transaction():
            db.obj.connection().executemany(insert, ((n.text,) for n in bench.take_many(args.count, y)))

    t = C.Table(f"numbering: {args.commits} saves one by one, {args.count:,} numbers in one transaction "
                f"(median of {args.repeat}; WAL, synchronous=FULL; {root})")
    base = C.timed(bare_commits, args.repeat)
    for what, fn in (("allocator + INSERT, a commit each", allocator_commits),
                     ("old MAX(no) over text + INSERT, a commit each", old_commits)):
        took = C.timed(fn, args.repeat)
        t.add(what, "—", f"{took / args.commits * 1e3:.2f} ms/save",
              f"{base / args.commits * 1e3:.2f} ms (bare INSERT, a commit each)", f"{took / base:.2f}×")
    base = C.timed(bare_batch, args.repeat)
    for what, fn in (("take() + INSERT, one transaction", allocator_batch),
                     ("take_many() + executemany, one transaction", allocator_block)):
        took = C.timed(fn, args.repeat)
        t.add(what, "—", f"{took / args.count * 1e6:.0f} µs/number",
              f"{base / args.count * 1e6:.0f} µs (bare INSERT, one transaction)", f"{took / base:.2f}×")
    t.print()
    rows = db.execute_sql(f"SELECT COUNT(*), COUNT(DISTINCT no) FROM {TABLE}").fetchone()
    print(f"\n{rows[0]:,} rows written, {rows[1]:,} distinct numbers; {clock.now():%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
