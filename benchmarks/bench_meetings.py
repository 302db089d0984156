"""Conflict check of a quarter of weekly bookings against 300,000 existing bookings.

Target: checking every occurrence of a repeating booking before saving feels instant (≤ 100 ms for a quarter,
≤ 300 ms for the 200-occurrence cap) however large the booking register grows.

Measured: ``neiqin.models.meetings.bookings.find_conflicts`` for 13 weekly slots (a quarter) and for 200 weekly slots
(the cap), medians of ``--repeat`` runs after a warm-up, on a database of ``--rows`` bookings over 5 rooms ×
8 slots a day (made by ``neiqin.demo.meetings.bulk_meetings``-style ``insert_many``, bookings only).
Baseline, same run: one raw ``sqlite3`` indexed lookup of one room-day (``WHERE room_id=? AND day=?``), i.e. the
least any per-day check can cost, times the number of occurrences.

    .venv/bin/python benchmarks/bench_meetings.py [--rows 300000] [--repeat 7]
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from neiqin import clock

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402


def build(root: Path, rows: int) -> None:
    from neiqin.db import close_database, open_database
    from neiqin.models.base import db
    from neiqin.models.meetings.bookings import Booking
    from neiqin.models.meetings.rooms import ROOMS

    open_database(root / "neiqin.sqlite", root / "backups")
    rooms = [ROOMS.create({"name": f"会议室{i + 1}", "capacity": 20}) for i in range(5)]
    first = clock.today() - dt.timedelta(days=rows // 40 + 1)
    fields = [Booking.day, Booking.start_at, Booking.end_at, Booking.room_id, Booking.room_name, Booking.purpose,
              Booking.organiser, Booking.kind]
    with db.atomic():
        batch = []
        for i in range(rows):
            day = first + dt.timedelta(days=i // 40)
            room = rooms[(i % 40) // 8]
            h = [8, 9, 10, 11, 13, 14, 15, 16][i % 8]
            batch.append((day, dt.datetime.combine(day, dt.time(h)), dt.datetime.combine(day, dt.time(h + 1)),
                          room.id, room.name, "部门例会", "张三", "部门会议"))
            if len(batch) == 5000:
                Booking.insert_many(batch, fields=fields).execute()
                batch = []
        if batch:
            Booking.insert_many(batch, fields=fields).execute()
    close_database()


def timed(fn, repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=300_000)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="neiqin-bench-meetings-"))
    t0 = time.perf_counter()
    build(root, args.rows)
    print(f"built {args.rows:,} bookings in {time.perf_counter() - t0:.1f} s ({root})")
    from neiqin.db import open_database
    from neiqin.models.meetings.bookings import find_conflicts

    open_database(root / "neiqin.sqlite", root / "backups")
    raw = sqlite3.connect(root / "neiqin.sqlite")
    start = clock.today() - dt.timedelta(days=60)
    print(f"{'case':<34}{'find_conflicts':>16}{'baseline':>12}{'ratio':>8}{'conflicts':>11}")
    for label, n in (("quarter (13 weekly)", 13), ("cap (200 weekly)", 200)):
        days = [start + dt.timedelta(weeks=k) for k in range(n)]
        slots = [(dt.datetime.combine(d, dt.time(9, 30)), dt.datetime.combine(d, dt.time(10, 30))) for d in days]
        found = find_conflicts(1, slots)
        ours = timed(lambda slots=slots: find_conflicts(1, slots), args.repeat)

        def base(days=days):
            for d in days:
                raw.execute("SELECT id, start_at, end_at FROM booking WHERE room_id=? AND day=?",
                            (1, d.isoformat())).fetchall()

        b = timed(base, args.repeat)
        print(f"{label:<34}{ours * 1000:>13.2f} ms{b * 1000:>9.2f} ms{ours / b:>7.1f}×{len(found):>11}")
    raw.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
