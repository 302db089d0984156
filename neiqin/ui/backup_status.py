"""The backup wiring of the main window: 备份到U盘 / 从备份恢复 / 校验数据文件 in the File menu, the 上次U盘备份
status label, and the automatic local backups (daily, in the background, and on exit).

Light on purpose, as it is installed at every start: the status comes from ``neiqin.backup_guard``, the dialogs
(``neiqin.ui.backup_ui``) and the backup engine (``neiqin.backup``) are imported when first used.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from neiqin.backup_guard import usb_backup_status
from neiqin.paths import DataDir
from neiqin.ui.util import show_error, tr

if TYPE_CHECKING:
    from neiqin import backup
    from neiqin.ui import jobs

log = logging.getLogger(__name__)

RED = "color:#d93025; font-weight:bold"
STATUS_REFRESH_MS = 5 * 60 * 1000
DAILY_CHECK_MS = 30 * 60 * 1000
FIRST_DAILY_CHECK_MS = 2 * 60 * 1000


class BackupStatusLabel(QLabel):
    """上次U盘备份 N 天前 in the status bar; red past the threshold; a click opens 备份到U盘."""

    clicked = Signal()

    def refresh(self, now: dt.datetime | None = None) -> None:
        try:
            text, overdue, tip = usb_backup_status(now)
        except Exception:  # noqa: BLE001 - the status bar must never break the window
            log.exception("backup status")
            return
        self.setText(text)
        self.setToolTip(tip + tr("\n（点击这里备份到U盘）"))
        self.setStyleSheet(RED if overdue else "")
        self.overdue = overdue

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class BackupController(QObject):
    """Menu actions, status label, daily and on-exit automatic backups for one main window."""

    restored = Signal(object)

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.datadir: DataDir = window.datadir
        self.job: jobs.Worker | None = None
        self.quit_after_restore = True
        self._restored = False
        self.actions = self._add_actions(window.menus["file"])
        self.label = BackupStatusLabel()
        self.label.clicked.connect(self.open_backup)
        window.statusBar().addPermanentWidget(self.label)
        self.label.refresh()
        self.status_timer = QTimer(self, interval=STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.label.refresh)
        self.status_timer.start()
        self.daily_timer = QTimer(self, interval=DAILY_CHECK_MS)
        self.daily_timer.timeout.connect(self.check_daily)
        self.daily_timer.start()
        QTimer.singleShot(FIRST_DAILY_CHECK_MS, self.check_daily)
        window.closing.connect(self.on_closing)

    def _add_actions(self, menu) -> dict[str, QAction]:
        actions = {
            "backup": QAction(tr("备份到U盘…"), self.window),
            "restore": QAction(tr("从备份恢复…"), self.window),
            "verify": QAction(tr("校验数据文件"), self.window),
            "open_backups": QAction(tr("打开本机备份文件夹"), self.window),
        }
        actions["backup"].triggered.connect(self.open_backup)
        actions["restore"].triggered.connect(self.open_restore)
        actions["verify"].triggered.connect(self.verify_now)
        actions["open_backups"].triggered.connect(self.open_backups_folder)
        quit_action = next((a for a in menu.actions() if a.text().startswith(tr("退出"))), None)
        separator = QAction(self.window)
        separator.setSeparator(True)
        menu.insertActions(quit_action, [*actions.values(), separator])
        return actions

    # ---- menu actions

    def open_backups_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.datadir.backups)))

    def open_backup(self) -> None:
        from neiqin.ui.backup_ui import BackupDialog

        BackupDialog(self.datadir, self.window).exec()
        self.label.refresh()

    def open_restore(self) -> None:
        from neiqin.ui.backup_ui import RestoreDialog

        dialog = RestoreDialog(self.datadir, self.window)
        dialog.restored.connect(self._after_restore)
        dialog.exec()

    def _after_restore(self, result: backup.RestoreResult) -> None:
        self._restored = True
        self.status_timer.stop()
        self.daily_timer.stop()
        self.restored.emit(result)
        if self.quit_after_restore:
            QTimer.singleShot(0, QApplication.quit)

    def verify_now(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from neiqin import backup
        from neiqin.ui.backup_ui import error_text, run_with_progress

        path = self.datadir.db_path
        try:
            report = run_with_progress(self.window, tr("校验数据文件"), lambda report: backup.verify_database(path))
        except Exception as e:  # noqa: BLE001
            show_error(self.window, error_text(e), tr("校验数据文件"))
            return
        show = QMessageBox.information if report.ok else QMessageBox.warning
        show(self.window, tr("校验数据文件"), report.text())

    # ---- automatic backups

    def check_daily(self) -> None:
        """Start the day's automatic backup in the background when none was made today."""
        from neiqin import backup
        from neiqin.ui import jobs
        from neiqin.ui.backup_ui import reporting

        if self._restored or (self.job is not None and self.job.isRunning()):
            return
        if not backup.auto_backup_due(self.datadir):
            return
        policy = backup.local_policy()
        datadir = self.datadir
        self.job = jobs.Worker(reporting(lambda report: backup.auto_backup(datadir, policy=policy,
                                                                             progress=report)), self)
        self.job.finished.connect(self._daily_done)
        self.job.start()

    def _daily_done(self) -> None:
        from neiqin import backup

        job = self.job
        if job is None:
            return
        if job.error is not None and not isinstance(job.error, backup.BackupCancelled):
            log.error("automatic backup failed: %s", job.error, exc_info=job.error)
        elif job.result is not None:
            log.info("automatic backup %s", job.result.path)

    def on_closing(self) -> None:
        """On exit: stop a running daily backup, then make one last automatic backup if anything changed."""
        from neiqin import backup

        self.status_timer.stop()
        self.daily_timer.stop()
        if self.job is not None and self.job.isRunning():
            self.job.cancel_requested = True
            self.job.wait(30_000)
        if self._restored:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = backup.auto_backup(self.datadir, policy=backup.local_policy())
            if result is not None:
                log.info("backup on exit: %s", result.path)
        except Exception:  # noqa: BLE001 - closing must never fail because of a backup
            log.exception("backup on exit failed")
        finally:
            QApplication.restoreOverrideCursor()


def install(window: QMainWindow) -> BackupController:
    """Add 备份到U盘 / 从备份恢复 / 校验数据文件 to the File menu, the status label, and automatic backups.

    ``window`` needs: ``menus["file"]`` (QMenu), ``actions_by_name`` (dict), ``statusBar()``, ``datadir`` (DataDir),
    and a ``closing`` signal emitted from its closeEvent. The controller is kept as ``window.backup_controller``.
    """
    controller = BackupController(window)
    window.backup_controller = controller
    window.actions_by_name.update(controller.actions)  # 今日's 备份到U盘 row triggers actions_by_name["backup"]
    return controller
