"""Shared helpers for the benchmarks: the cached benchmark database, timing, and the report table.

The benchmark database is built once with neiqin's own demo generator and kept in a cache folder
(``NEIQIN_BENCH_DIR``, default ``/tmp/neiqin-bench``), one sub-folder per row count, so later runs reuse it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("NEIQIN_BENCH_DIR", "/tmp/neiqin-bench"))
DEFAULT_ROWS = 1_000_000


def parser(doc: str | None, rows: int = DEFAULT_ROWS) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    p.add_argument("--rows", type=int, default=rows, help=f"visitor rows in the benchmark database ({rows:,})")
    p.add_argument("--repeat", type=int, default=5, help="repetitions; the median is reported")
    return p


def data_dir(rows: int) -> Path:
    """The data dir of a benchmark database with ``rows`` past visits, built on first use."""
    root = CACHE / (f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 and rows else str(rows))
    done = root / "BUILT"
    if not done.exists():
        build(root, rows)
        done.write_text(f"{rows}\n")
    migrate(root)
    return root


def migrate(root: Path) -> None:
    """Bring a cached database to the current schema before anything is timed, and drop the copy of the
    whole file neiqin keeps aside before migrating (1 GB for the 1,000,000-row database)."""
    import subprocess

    code = ("import sys; from pathlib import Path; from neiqin.db import open_database, close_database; "
            "open_database(Path(sys.argv[1]) / 'neiqin.sqlite', Path(sys.argv[1]) / 'backups'); close_database()")
    # a child process: the caller may want to open the database itself, fresh, afterwards
    subprocess.run([sys.executable, "-c", code, str(root)], check=True)
    for copy in (root / "backups").glob("neiqin-before-*.sqlite"):
        copy.unlink()


def build(root: Path, rows: int) -> None:
    from neiqin.db import close_database, open_database
    from neiqin.demo import bulk_visits, seed_directory
    from neiqin.paths import DataDir

    d = DataDir(root).ensure()
    for leftover in root.glob("neiqin.sqlite*"):
        leftover.unlink()
    print(f"building the benchmark database: {rows:,} visits into {d.db_path} …", flush=True)
    t0 = time.perf_counter()
    open_database(d.db_path, d.backups)
    import random

    staff = seed_directory(random.Random(7))
    step = max(rows // 10, 1)

    def progress(done: int, total: int) -> None:
        if done % step < 5000 or done == total:
            print(f"  {done:>9,} / {total:,}  {time.perf_counter() - t0:6.1f} s", flush=True)

    bulk_visits(rows, days=1500, staff=staff, progress=progress)
    close_database()
    con = sqlite3.connect(d.db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # no ANALYZE: neiqin never runs it, and its statistics change query plans (see BENCHMARKS.md)
    con.close()
    print(f"built in {time.perf_counter() - t0:.1f} s, {d.db_path.stat().st_size / 1e6:.0f} MB", flush=True)


def open_bench(rows: int):
    """Open the benchmark database the way the app does; returns its DataDir."""
    from neiqin.db import open_database
    from neiqin.paths import DataDir

    d = DataDir(data_dir(rows))
    open_database(d.db_path, d.backups)
    return d


def timed(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Table:
    """Rows of (what, target, measured, baseline, ratio, verdict) printed as one aligned table."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, ...]] = []

    def add(self, what: str, target: str, measured: str, baseline: str = "—", ratio: str = "—",
            ok: bool | None = None) -> None:
        verdict = "—" if ok is None else ("pass" if ok else "MISS")
        self.rows.append((what, target, measured, baseline, ratio, verdict))
        print(f"  {what}: {measured}  (baseline {baseline}, ratio {ratio}) → {verdict}", flush=True)

    def print(self) -> None:
        head = ("what", "target", "measured", "baseline", "ratio", "")
        rows = [head, *self.rows]
        widths = [max(_w(r[i]) for r in rows) for i in range(len(head))]
        print(f"\n{self.title}")
        for n, r in enumerate(rows):
            print("  " + "  ".join(c + " " * (w - _w(c)) for c, w in zip(r, widths, strict=True)))
            if n == 0:
                print("  " + "  ".join("-" * w for w in widths))
        print("\n| " + " | ".join(head[:5]) + " | pass/miss |\n|" + "---|" * 6)
        for r in self.rows:
            print("| " + " | ".join(r) + " |")


def _w(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= c <= "\uffef" else 1 for c in s)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def machine() -> str:
    import PySide6

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {cpu}; {platform.platform()}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, PySide6 {PySide6.__version__}")


def header(title: str) -> None:
    print(f"== {title}\n   {machine()}\n   {time.strftime('%Y-%m-%d %H:%M')}  argv: {' '.join(sys.argv[1:])}",
          flush=True)


# ---------------------------------------------------------------------------------------------- child processes
# The PDF and Excel jobs run in child processes, one job per process, so each gets its own peak RSS and nobody
# profits from fonts or modules another run left loaded.

RESULT = "RESULT "


def report_child(**figures: object) -> None:
    """Called in a child: print its figures (plus its peak RSS) for :func:`run_child`."""
    import json

    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(RESULT + json.dumps(figures), flush=True)


def run_child(script: str, args: list[str]) -> dict:
    """Run ``python benchmarks/SCRIPT ARGS`` and return the figures its :func:`report_child` printed."""
    import json
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, str(Path(__file__).with_name(script)), *args], capture_output=True,
                       text=True, env=env)
    for line in p.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    raise SystemExit(f"{script} {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")


def output_path(name: str) -> str:
    """Where a child job writes its file: one per kind and range, overwritten by the next run, kept to look at."""
    out = CACHE / "out"
    out.mkdir(parents=True, exist_ok=True)
    return str(out / name)


def newest_rows_range(rows: int, wanted: int):
    """(date_from, date_to) covering about the ``wanted`` newest visits (whole days, so a few more)."""
    import datetime as dt

    wanted = max(1, min(wanted, rows))
    con = sqlite3.connect(f"file:{data_dir(rows) / 'neiqin.sqlite'}?mode=ro", uri=True)
    try:
        hi = con.execute("SELECT MAX(visit_date) FROM visit").fetchone()[0]
        lo = con.execute("SELECT visit_date FROM visit ORDER BY visit_date DESC, id DESC LIMIT 1 OFFSET ?",
                         (wanted - 1,)).fetchone()[0]
    finally:
        con.close()
    return dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)


def add_job_child_args(p: argparse.ArgumentParser, kinds) -> None:
    """The hidden arguments a job benchmark passes to its own child processes."""
    p.add_argument("--child", choices=sorted(kinds), help=argparse.SUPPRESS)
    p.add_argument("--from", dest="date_from", help=argparse.SUPPRESS)
    p.add_argument("--to", dest="date_to", help=argparse.SUPPRESS)


def run_job_children(script: str, rows: int, wanted: int, repeat: int, kinds):
    """Run each job kind ``repeat`` times, interleaved, on the newest ``wanted`` rows.

    Returns (lo, hi, runs, median seconds by kind, peak RSS MB by kind)."""
    lo, hi = newest_rows_range(rows, wanted)
    common = ["--rows", str(rows), "--from", lo.isoformat(), "--to", hi.isoformat()]
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for i in range(repeat):
        for kind in kinds:
            runs[kind].append(run_child(script, [*common, "--child", kind]))
        print(f"  run {i + 1}: " + "  ".join(f"{k} {runs[k][-1]['seconds']:.2f}s" for k in runs), flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    rss = {k: max(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    return lo, hi, runs, med, rss
