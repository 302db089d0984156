"""Cold start to a usable window, against a bare PySide6 window measured in the same run.

Target (issue): start to a usable window ≤ 2.5× a bare PySide6 window start.

Both are timed from ``subprocess.Popen`` to the ``READY`` line on the child's stdout, and to the child's exit
(medians of ``--repeat`` runs, interleaved so machine noise hits both alike), offscreen:

* baseline: ``start_driver.py --bare`` — import QtWidgets, QApplication + QMainWindow, show, one event-loop turn;
* neiqin: ``start_driver.py DATA_DIR`` — what ``python -m neiqin --data-dir DATA_DIR`` does, until the visitors
  table shows its first page (on the cached 1,000,000-row database, and on a small 1,000-row one).

    .venv/bin/python benchmarks/bench_startup.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "start_driver.py")
TARGET_RATIO = 2.5


def run(args: list[str]) -> tuple[float, float, str]:
    """(seconds to READY, seconds to exit, the READY line)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, DRIVER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    ready_at, line = None, ""
    for out in p.stdout:
        if out.startswith("READY") and ready_at is None:
            ready_at, line = time.perf_counter() - t0, out.strip()
    err = p.stderr.read()
    p.wait()
    total = time.perf_counter() - t0
    if p.returncode != 0 or ready_at is None:
        raise SystemExit(f"driver failed ({p.returncode}): {' '.join(args)}\n{err}")
    return ready_at, total, line


def main() -> None:
    args = C.parser(__doc__).parse_args()
    C.header(f"cold start, {args.rows:,} rows")
    big = str(C.data_dir(args.rows))
    small = str(C.data_dir(1000))
    cases = {"bare": ["--bare"], "big": [big], "small": [small]}
    results: dict[str, list[tuple[float, float, str]]] = {k: [] for k in cases}
    for a in cases.values():  # warm-up: OS file cache for Python, Qt and the database
        run(a)
    for i in range(args.repeat):
        for k, a in cases.items():
            results[k].append(run(a))
        print(f"  run {i + 1}: " + "  ".join(f"{k} {results[k][-1][0]:.3f}s" for k in cases), flush=True)
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for k, v in results.items()}
    print("  neiqin breakdown (one run, seconds since the child started): " + results["big"][-1][2])

    t = C.Table(f"Cold start to usable window (median of {args.repeat} subprocess runs, offscreen)")
    base_ready, base_exit = med["bare"]
    for key, label in (("big", f"neiqin, {args.rows:,} rows"), ("small", "neiqin, 1,000 rows")):
        ready, done = med[key]
        t.add(f"{label}: to first page shown", "≤ 2.5× bare", C.ms(ready), f"{C.ms(base_ready)} bare PySide6",
              f"{ready / base_ready:.2f}×", ready / base_ready <= TARGET_RATIO)
        t.add(f"{label}: start + quit (process exit)", "—", C.ms(done), C.ms(base_exit),
              f"{done / base_exit:.2f}×", None)
    t.print()


if __name__ == "__main__":
    main()
