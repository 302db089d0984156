"""Peak memory (RSS) of the window on a 1,000,000-row database, and of the PDF and Excel jobs.

Target (issue): peak memory ≤ 300 MB.

Each case runs in its own child process and reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss``:

* the window: ``start_driver.py`` starts neiqin as ``python -m neiqin`` does, shows the window offscreen, then
  scrolls the visitors table (``fetchMore``) to 5,000 rows and runs searches through the pane (王, 有限公司, 张伟,
  zw, 王 科技), each followed by its count and scrolling to 2,000 rows;
* the printed register of 10,000 rows and the Excel export of 100,000 rows (the jobs of bench_pdf.py and
  bench_excel.py), and, to show how memory grows with the size of a print, a 100,000-row register;

Baselines, same run: a bare PySide6 window (``start_driver.py --bare``) and the plain reportlab canvas / raw
openpyxl jobs of the same rows.

    .venv/bin/python benchmarks/bench_memory.py [--rows 1000000]
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

LIMIT_MB = 300
SEARCHES = ["王", "有限公司", "张伟", "zw", "王 科技"]


def driver(args: list[str]) -> tuple[float, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "start_driver.py"), *args],
                       capture_output=True, text=True, env=env)
    peak = [float(line.split()[1]) for line in p.stdout.splitlines() if line.startswith("PEAK_RSS_MB")]
    if p.returncode != 0 or not peak:
        raise SystemExit(f"start_driver {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
    scrolled = next((line for line in p.stdout.splitlines() if line.startswith("SCROLLED")), "")
    return peak[0], scrolled


def main() -> None:
    args = C.parser(__doc__).parse_args()
    C.header(f"peak memory, {args.rows:,} rows")
    big = str(C.data_dir(args.rows))
    t = C.Table(f"Peak RSS ({args.rows:,}-row database, each case in its own process)")

    bare, _ = driver(["--bare"])
    gui, scrolled = driver([big, "--scroll", "5000", *(a for s in SEARCHES for a in ("--search", s))])
    print(f"  window: {scrolled.lower()} rows in the table at the end")
    t.add("window: start, scroll 5,000 rows, 5 searches", "≤ 300 MB", f"{gui:.0f} MB",
          f"{bare:.0f} MB bare PySide6 window", f"{gui / bare:.2f}×", gui <= LIMIT_MB)

    for script, wanted, label, base_label in (
        ("bench_pdf.py", 10_000, "register PDF job", "plain canvas"),
        ("bench_excel.py", 100_000, "Excel export job", "raw openpyxl"),
        ("bench_pdf.py", 100_000, "register PDF job", "plain canvas"),
    ):
        lo, hi = C.newest_rows_range(args.rows, wanted)
        common = ["--rows", str(args.rows), "--from", lo.isoformat(), "--to", hi.isoformat()]
        ours = C.run_child(script, [*common, "--child", "neiqin"])
        base = C.run_child(script, [*common, "--child", "baseline"])
        t.add(f"{label}, {ours['rows']:,} rows", "≤ 300 MB", f"{ours['peak_rss_mb']:.0f} MB",
              f"{base['peak_rss_mb']:.0f} MB {base_label}", f"{ours['peak_rss_mb'] / base['peak_rss_mb']:.2f}×",
              ours["peak_rss_mb"] <= LIMIT_MB)
    t.print()


if __name__ == "__main__":
    main()
