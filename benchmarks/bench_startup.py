"""Cold start to the first page shown, against a bare PySide6 window measured in the same run.

Target (issue 16): start to the first page shown ≤ 2.5× a bare PySide6 window start, with 1,000 and with
1,000,000 rows.

Both are timed from ``subprocess.Popen`` to the ``READY`` line on the child's stdout, and to the child's exit
(medians of ``--repeat`` runs, interleaved so machine noise hits both alike), offscreen:

* baseline: ``start_driver.py --bare`` — import QtWidgets, QApplication + QMainWindow, show, one event-loop turn;
* neiqin: ``start_driver.py DATA_DIR`` — what ``python -m neiqin --data-dir DATA_DIR`` does, until the 今日 tab
  (in front at every start) shows its sections (on the cached 1,000,000-row database, and on a 1,000-row one);
* for information: ``--tab visitors`` — the same, then straight to 来访登记 until its table shows its first page
  (that tab's modules are imported and the tab built when it is first shown).

The children may write Python's bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped for them), so the
warm-up run leaves what an installed program has: compiled modules, not sources compiled at every start.

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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
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
    cases = {"bare": ["--bare"], "big": [big], "small": [small], "big-visitors": [big, "--tab", "visitors"],
             "small-visitors": [small, "--tab", "visitors"]}
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
        t.add(f"{label}: to first page shown (今日)", "≤ 2.5× bare", C.ms(ready), f"{C.ms(base_ready)} bare PySide6",
              f"{ready / base_ready:.2f}×", ready / base_ready <= TARGET_RATIO)
        t.add(f"{label}: start + quit (process exit)", "—", C.ms(done), C.ms(base_exit),
              f"{done / base_exit:.2f}×", None)
        ready = med[f"{key}-visitors"][0]
        t.add(f"{label}: straight on to 来访登记, its first page", "—", C.ms(ready), C.ms(base_ready),
              f"{ready / base_ready:.2f}×", None)
    t.print()


if __name__ == "__main__":
    main()
