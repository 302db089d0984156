"""Long work (export, print, import, backup) off the UI thread, with a progress dialog that can be cancelled.

The job is a plain function ``fn(progress, cancelled)``; ``progress(done, total, text="")`` may be called with any
sizes (bytes included). It runs in a QThread with its own SQLite connection (peewee keeps one per thread). The
dialog appears only after 600 ms, so quick jobs do not flash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from neiqin.models.base import db
from neiqin.ui.util import tr


class Worker(QThread):
    """Runs ``fn(progress, cancelled)`` on its own thread; ``result`` / ``error`` are read after ``finished``."""

    progressed = Signal(int, str)  # permille (-1: unknown), text

    def __init__(self, fn: Callable[..., Any], parent: QObject | None = None):
        super().__init__(parent)
        self.fn = fn
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel_requested = False

    def _progress(self, done: int, total: int, text: str = "") -> None:
        self.progressed.emit(min(1000, int(done * 1000 // total)) if total > 0 else -1, text)

    def run(self) -> None:
        try:
            self.result = self.fn(self._progress, lambda: self.cancel_requested)
        except BaseException as e:  # noqa: BLE001 - handed back to the UI thread
            self.error = e
        finally:
            if db.obj is not None and not db.obj.is_closed():
                db.obj.close()  # this thread's connection only


# Tests set this to run jobs synchronously in the calling thread (Picard's habit).
RUN_SYNCHRONOUSLY = False


def run_job(parent: QWidget | None, title: str, fn: Callable[[Callable, Callable], Any]) -> Any:
    """Run ``fn(progress, cancelled)``; return its result or raise its exception in the UI thread."""
    if RUN_SYNCHRONOUSLY:
        return fn(lambda done, total, text="": None, lambda: False)
    worker = Worker(fn)
    dialog = QProgressDialog(title, tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(600)
    dialog.setValue(0)  # starts the 600 ms clock now: without a first value Qt waits its default 4 s
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def on_progress(permille: int, text: str) -> None:
        if permille < 0:
            dialog.setMaximum(0)
        else:
            dialog.setMaximum(1000)
            dialog.setValue(permille)
        dialog.setLabelText(text or f"{title}：{max(permille, 0) / 10:.0f}%")

    def on_cancel() -> None:
        worker.cancel_requested = True
        dialog.setLabelText(tr("正在取消…"))

    worker.progressed.connect(on_progress)
    dialog.canceled.connect(on_cancel)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    worker.start()
    if not worker.isFinished():
        loop.exec()
    worker.wait()
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result
