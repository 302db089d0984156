"""Start neiqin's window the way ``python -m neiqin`` does, and quit as soon as the first page is shown.

Used by bench_startup.py and bench_memory.py (not a user command; neiqin/cli.py has no such flag on purpose).
It follows ``neiqin.app.run_gui`` step by step — data dir, logging, QApplication, CJK font, excepthook, data-dir
lock, ``create_window`` (database open, personal-data erasure, main window with the 今日 tab built; the other tabs
are built when first shown) — then shows the window, and from inside the event loop, once the 今日 tab in front
shows its sections, prints ``READY`` and quits.

    .venv/bin/python benchmarks/start_driver.py DATA_DIR [--bare] [--tab KEY] [--scroll N --search TERM ...]

``--bare`` instead creates only QApplication + QMainWindow (the baseline). ``--tab visitors`` opens that tab as
soon as the window is shown (as a clerk going straight to it would) and waits for its first page instead.
``--scroll N`` fetches N more rows of the visitors tab and each ``--search`` runs a search through it after READY
(for the memory benchmark); the peak RSS is printed as ``PEAK_RSS_MB``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import traceback

T0 = time.perf_counter()


TIMEOUT_MS = 120_000


def die(exc_type, exc, tb) -> None:
    traceback.print_exception(exc_type, exc, tb)
    os._exit(70)


def ready(extra: str = "") -> None:
    print(f"READY {time.perf_counter() - T0:.3f}{extra}", flush=True)


def bare() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    w = QMainWindow()
    w.resize(1280, 760)
    w.show()

    def done() -> None:
        ready()
        app.quit()

    QTimer.singleShot(0, done)
    return app.exec()


def neiqin(args) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from neiqin import APP_NAME, APP_TITLE
    from neiqin.app import _app_font, create_window, install_excepthook
    from neiqin.db import DataDirLock, close_database
    from neiqin.logs import setup_logging
    from neiqin.paths import resolve_data_dir

    datadir = resolve_data_dir(args.data_dir)
    datadir.ensure()
    setup_logging(datadir)
    app = QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    _app_font(app)
    install_excepthook(datadir)
    sys.excepthook = die  # neiqin's hook would show a modal error dialog and hang an unattended benchmark
    QTimer.singleShot(TIMEOUT_MS, lambda: die(TimeoutError, TimeoutError(f"no first page after {TIMEOUT_MS} ms"),
                                              None))
    lock = DataDirLock(datadir).acquire()
    steps: list[tuple[str, float]] = [("imports+app+font", time.perf_counter() - T0)]
    try:
        window = create_window(datadir)
        steps.append(("create_window", time.perf_counter() - T0))
        window.show()
        if args.tab:
            window.show_pane(args.tab)

        def poll() -> None:
            if not shown(window.current_pane()):
                QTimer.singleShot(5, poll)
                return
            ready("  " + "  ".join(f"{k}={v:.3f}" for k, v in steps))
            if args.scroll or args.search:
                exercise(app, window.show_pane("visitors"), args)
            app.quit()

        QTimer.singleShot(0, poll)
        return app.exec()
    finally:
        close_database()
        lock.release()


def shown(pane) -> bool:
    """The tab shows its first page: 今日 its sections, a ledger tab the first rows of its table."""
    if hasattr(pane, "board"):
        return pane.board.tree.topLevelItemCount() > 0
    return pane.model.rowCount() > 0


def exercise(app, pane, args) -> None:
    """Scroll and search through the real pane, as a clerk would (for the memory benchmark)."""
    model = pane.model
    while model.rowCount() == 0:
        app.processEvents()
    while model.rowCount() < args.scroll and model.canFetchMore():
        model.fetchMore()
        pane.table.scrollToBottom()
        app.processEvents()
    for term in args.search:
        pane.search.setText(term)
        pane.apply_filters()
        app.processEvents()
        pane.update_count()
        while model.rowCount() < 2000 and model.canFetchMore():
            model.fetchMore()
            app.processEvents()
    print(f"SCROLLED {model.rowCount()}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data_dir", nargs="?")
    p.add_argument("--bare", action="store_true")
    p.add_argument("--tab", default="", help="open this tab (e.g. visitors) right after start and wait for it")
    p.add_argument("--scroll", type=int, default=0)
    p.add_argument("--search", action="append", default=[])
    args = p.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rc = bare() if args.bare else neiqin(args)
    print(f"PEAK_RSS_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", flush=True)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
