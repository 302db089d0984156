"""备份到U盘 and 从备份恢复 dialogs; the status label and automatic local backups are in ``neiqin.ui.backup_status``
(re-exported here).

``install(window)`` wires them into the main window. It expects ``window.menus["file"]`` (a QMenu),
``window.statusBar()``, ``window.datadir`` (a DataDir) and a ``window.closing`` signal emitted from closeEvent.
The work itself lives in ``neiqin.backup`` (no Qt), imported where a backup or a restore is made: a start only
reads the status through ``neiqin.backup_guard``. Long jobs run on a QThread that uses its own sqlite3
connections, and only the results (and settings writes, which go through peewee) come back to the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStorageInfo, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neiqin.db import too_new_message
from neiqin.errors import NeiqinError
from neiqin.paths import DataDir
from neiqin.ui import jobs
from neiqin.ui.backup_status import RED, BackupController, BackupStatusLabel, install  # noqa: F401 - the wiring
from neiqin.ui.util import show_error, tr

if TYPE_CHECKING:
    from neiqin import backup  # the backup engine is imported where a backup or a restore is made

log = logging.getLogger(__name__)



def error_text(exc: BaseException) -> str:
    from neiqin import backup

    mapped = backup.map_sqlite_error(exc)
    if mapped is not None:
        return str(mapped)
    if isinstance(exc, NeiqinError):
        return str(exc)
    log.error("unexpected error in backup", exc_info=exc)
    return tr("发生了意外错误：") + f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------- background work


def reporting(fn: Callable[[backup.Progress], Any]) -> Callable[[Callable, Callable], Any]:
    """Adapt a backup job's ``report(stage, done, total)`` (which raises once cancelled) to ``neiqin.ui.jobs``."""
    from neiqin import backup

    def job(progress: Callable, cancelled: Callable[[], bool]) -> Any:
        def report(stage: str, done: int, total: int) -> None:
            if cancelled():
                raise backup.BackupCancelled(tr("已取消。没有留下不完整的备份，数据没有改动。"))
            text = f"{stage}… {backup.human_size(done)} / {backup.human_size(total)}" if total > 0 else f"{stage}…"
            progress(done, total, text)

        return fn(report)

    return job


def run_with_progress(parent: QWidget | None, title: str, fn: Callable[[backup.Progress], Any]) -> Any:
    """Run ``fn(report)`` on a worker thread behind a cancellable progress dialog; return or raise its outcome."""
    return jobs.run_job(parent, title, reporting(fn))


# ---------------------------------------------------------------------------------------------- drives


def list_drives(skipped: list[str] | None = None) -> list[backup.Drive]:
    """Removable drives from the core detection, plus volumes Qt sees at the usual USB mount places.

    A write-protected stick is not listed; ``skipped`` gets a sentence saying so."""
    from neiqin import backup

    drives = {d.root: d for d in backup.detect_removable_drives(skipped)}
    for vol in QStorageInfo.mountedVolumes():
        root = Path(vol.rootPath())
        if not vol.isValid() or not vol.isReady() or vol.isRoot():
            continue
        if vol.isReadOnly():
            if skipped is not None and str(root).startswith(("/media/", "/run/media/", "/Volumes/")):
                skipped.append(f"{vol.displayName()}（{root}）" + tr("是只读的（写保护），不能备份到它。"))
            continue
        if root in drives:
            label = vol.displayName() or drives[root].label
            drives[root] = backup.Drive(root, label, drives[root].free, drives[root].total)
        elif str(root).startswith(("/media/", "/run/media/", "/Volumes/")):
            drives[root] = backup.Drive(root, vol.displayName(), vol.bytesAvailable(), vol.bytesTotal())
    return list(drives.values())


# ---------------------------------------------------------------------------------------------- backup dialog


class BackupDialog(QDialog):
    """备份到U盘: pick a stick (or a folder), optionally encrypt, back up, read back, show the summary."""

    def __init__(self, datadir: DataDir, parent: QWidget | None = None):
        super().__init__(parent)
        self.datadir = datadir
        self.backup_result: backup.BackupResult | None = None
        self.folder: Path | None = None
        self.folder_label = ""
        self.known_check = False
        self.setWindowTitle(tr("备份到U盘"))
        layout = QVBoxLayout(self)

        layout.addWidget(QLabel(tr("选择要备份到的U盘：")))
        self.drives = QListWidget()
        self.drives.setMinimumHeight(110)
        self.drives.currentItemChanged.connect(self._drive_chosen)
        layout.addWidget(self.drives)
        row = QHBoxLayout()
        self.refresh_button = QPushButton(tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh_drives)
        self.folder_button = QPushButton(tr("选择其他文件夹…"))
        self.folder_button.clicked.connect(self.choose_folder)
        row.addWidget(self.refresh_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        self.warning = QLabel(styleSheet=RED)
        self.warning.setWordWrap(True)
        layout.addWidget(self.target_label)
        layout.addWidget(self.warning)

        self.encrypt = QCheckBox(tr("加密备份（推荐：U盘丢失时别人无法读取）"))
        self.encrypt.setChecked(True)
        self.encrypt.toggled.connect(self._update_passphrase_fields)
        layout.addWidget(self.encrypt)
        form = QFormLayout()
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm_label = QLabel(tr("再输入一次"))
        form.addRow(tr("备份口令"), self.passphrase)
        form.addRow(self.confirm_label, self.confirm)
        layout.addLayout(form)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.change_button = QPushButton(tr("更换口令"))
        self.change_button.setFlat(True)
        self.change_button.clicked.connect(self._change_passphrase)
        layout.addWidget(self.change_button, alignment=Qt.AlignmentFlag.AlignLeft)

        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton(tr("开始备份"), QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.start_button.clicked.connect(self.start)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 460)
        self.refresh_drives()

    # ---- choosing the target

    def refresh_drives(self) -> None:
        self.drives.clear()
        skipped: list[str] = []
        for drive in list_drives(skipped):
            item = QListWidgetItem(drive.title())
            item.setData(Qt.ItemDataRole.UserRole, (str(drive.backup_folder), drive.label or str(drive.root)))
            self.drives.addItem(item)
        if self.drives.count():
            self.drives.setCurrentRow(0)
        else:
            empty = QListWidgetItem(tr("没有找到U盘。请插入U盘后点“刷新”，或选择其他文件夹。"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.drives.addItem(empty)
            self.set_target(None, "")
        for reason in skipped:  # a write-protected stick: said, not silently left out
            line = QListWidgetItem(reason)
            line.setToolTip(reason)
            line.setFlags(Qt.ItemFlag.NoItemFlags)
            line.setForeground(QColor("#b06000"))
            self.drives.addItem(line)

    def _drive_chosen(self, item: QListWidgetItem | None, _previous=None) -> None:
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if data:
            self.set_target(Path(data[0]), data[1])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("选择备份文件夹"))
        if folder:
            self.drives.clearSelection()
            self.set_target(Path(folder), Path(folder).name or folder)

    def set_target(self, folder: Path | None, label: str) -> None:
        from neiqin import backup

        self.folder, self.folder_label = folder, label
        self.start_button.setEnabled(folder is not None)
        self.target_label.setText(tr("备份到：") + str(folder) if folder else tr("请选择U盘或文件夹"))
        self.warning.setText("")
        if folder is not None and backup.same_device(folder.parent if not folder.exists() else folder,
                                                     self.datadir.root):
            self.warning.setText(tr("注意：这个位置和数据在同一个磁盘上，磁盘损坏时备份会一起丢失。"))
        tid = backup.target_id(folder) if folder else None
        remembered = backup.target_settings(tid)
        self.known_check = bool(remembered.get("check"))
        if remembered:
            self.encrypt.setChecked(bool(remembered.get("encrypt")))
        self._update_passphrase_fields()

    def _update_passphrase_fields(self) -> None:
        on = self.encrypt.isChecked()
        for w in (self.passphrase, self.confirm, self.confirm_label):
            w.setEnabled(on)
        self.confirm.setVisible(not self.known_check)
        self.confirm_label.setVisible(not self.known_check)
        self.change_button.setVisible(on and self.known_check)
        if not on:
            self.hint.setText(tr("不加密：任何人拿到U盘都能读取备份中的全部数据。"))
        elif self.known_check:
            self.hint.setText(tr("这个U盘已经设置过备份口令，请输入同一个口令。"))
        else:
            self.hint.setText(tr("口令至少 8 个字符，程序不会保存它。忘记口令就无法恢复这份备份，"
                                  "请把口令写下来放在安全的地方。"))

    def _change_passphrase(self) -> None:
        self.known_check = False
        self._update_passphrase_fields()
        self.confirm.setFocus()

    # ---- running it

    def _passphrase(self, tid: str | None) -> str | None:
        from neiqin import backup

        if not self.encrypt.isChecked():
            return None
        text = self.passphrase.text()
        if self.known_check and tid:
            if backup.passphrase_matches(tid, text) is False:
                raise backup.BackupError(tr("口令与这个U盘以前设置的口令不一致。如果要换口令，请点“更换口令”。"))
            return text
        backup.validate_new_passphrase(text, self.confirm.text())
        return text

    def start(self) -> None:
        from neiqin import backup

        if self.folder is None:
            return
        from neiqin.models import settings

        folder, label, datadir = self.folder, self.folder_label, self.datadir
        try:
            passphrase = self._passphrase(backup.target_id(folder))
            keep = int(settings.get("backup.usb_keep") or 10)
            self.backup_result = run_with_progress(self, tr("备份到U盘"), lambda report: backup.create_backup(
                datadir, folder, passphrase=passphrase, keep=keep, progress=report))
            tid = backup.target_id(folder, create=True)
            if tid:
                backup.remember_target(tid, label=label, folder=folder, passphrase=passphrase)
            backup.record_usb_backup(self.backup_result)
        except Exception as e:  # noqa: BLE001 - every failure is shown, in Chinese
            show_error(self, error_text(e), tr("备份没有完成"))
            return
        self.passphrase.clear()
        self.confirm.clear()
        QMessageBox.information(self, tr("备份完成"), self.backup_result.summary())
        self.accept()


# ---------------------------------------------------------------------------------------------- restore dialog


def find_backups(datadir: DataDir) -> list[tuple[Path, str]]:
    """(file, where) for backups on plugged-in sticks and the automatic ones, newest first."""
    from neiqin import backup

    found: list[tuple[dt.datetime, Path, str]] = []
    for drive in list_drives():
        for path in backup.list_backups(drive.backup_folder):
            found.append((backup.backup_time(path) or dt.datetime.min, path, f"U盘 {drive.label}"))
    for path in backup.list_backups(datadir.backups):
        found.append((backup.backup_time(path) or dt.datetime.min, path, "本机自动备份"))
    return [(p, where) for _, p, where in sorted(found, key=lambda t: t[0], reverse=True)]


class RestoreDialog(QDialog):
    """从备份恢复: pick a file → preview → confirm → restore (the current data is kept aside first)."""

    restored = Signal(object)  # RestoreResult

    def __init__(self, datadir: DataDir, parent: QWidget | None = None):
        from neiqin import backup

        super().__init__(parent)
        self.datadir = datadir
        self.path: Path | None = None
        self.info: backup.BackupInfo | None = None
        self.setWindowTitle(tr("从备份恢复"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("找到的备份（U盘和本机自动备份）：")))
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._picked)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.file_button = QPushButton(tr("选择备份文件…"))
        self.file_button.clicked.connect(self.choose_file)
        row.addWidget(self.file_button)
        row.addStretch(1)
        layout.addLayout(row)
        form = QFormLayout()
        self.file_label = QLabel(tr("（未选择）"))
        self.file_label.setWordWrap(True)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.preview)
        form.addRow(tr("备份文件"), self.file_label)
        form.addRow(tr("备份口令"), self.passphrase)
        layout.addLayout(form)
        self.preview_button = QPushButton(tr("预览"))
        self.preview_button.clicked.connect(self.preview)
        layout.addWidget(self.preview_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.preview_text = QPlainTextEdit(readOnly=True)
        layout.addWidget(self.preview_text)
        self.message = QLabel(styleSheet=RED)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(tr("恢复…"), QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.restore)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 520)
        for path, where in find_backups(datadir):
            when = backup.backup_time(path)
            item = QListWidgetItem(f"{when:%Y-%m-%d %H:%M}　{where}　{path.name}" if when else path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
        self.set_file(None)

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.set_file(Path(item.data(Qt.ItemDataRole.UserRole)))

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("选择备份文件"), "", tr("内勤台账备份 (*.nqbak)"))
        if name:
            self.list.clearSelection()
            self.set_file(Path(name))

    def set_file(self, path: Path | None) -> None:
        from neiqin import backup

        self.path, self.info = path, None
        self.preview_text.clear()
        self.message.clear()
        self.restore_button.setEnabled(False)
        self.file_label.setText(str(path) if path else tr("（未选择）"))
        encrypted = False
        if path is not None:
            try:
                encrypted = backup.backup_is_encrypted(path)
            except NeiqinError as e:
                self.message.setText(str(e))
                self.preview_button.setEnabled(False)
                self.passphrase.setEnabled(False)
                return
        self.preview_button.setEnabled(path is not None)
        self.passphrase.setEnabled(encrypted)
        self.passphrase.setPlaceholderText(tr("这是加密备份，请输入口令后点“预览”") if encrypted else "")
        if path is not None and not encrypted:
            self.preview()

    def preview(self) -> None:
        from neiqin import backup

        if self.path is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.info = backup.read_manifest(self.path, self.passphrase.text() or None)
        except NeiqinError as e:
            self.message.setText(str(e))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.message.clear()
        self.preview_text.setPlainText("\n".join(self.info.preview_lines()))
        if self.info.too_new:
            self.message.setText(tr("不能恢复：") + too_new_message(self.info.schema_version))
        self.restore_button.setEnabled(not self.info.too_new)

    def restore(self) -> None:
        from neiqin import backup

        if self.path is None or self.info is None:
            return
        answer = QMessageBox.question(
            self, tr("从备份恢复"),
            tr("将用这份备份（") + f"{self.info.created:%Y-%m-%d %H:%M}" + tr("）替换现在的全部数据。\n\n"
            "现在的数据会先另存到数据目录的 backups 文件夹。恢复完成后程序会关闭，请重新打开。\n\n确定要恢复吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        path, datadir = self.path, self.datadir
        passphrase = self.passphrase.text() or None
        try:
            # the slow part (read, check, unpack) runs while the data is still open and untouched
            staged = run_with_progress(self, tr("从备份恢复"), lambda report: backup.prepare_restore(
                path, datadir, passphrase, migrate=False, progress=report))
            result = self._commit(staged)
        except Exception as e:  # noqa: BLE001 - every failure is shown, in Chinese
            show_error(self, error_text(e), tr("没有恢复"))
            return
        self.passphrase.clear()
        QMessageBox.information(self, tr("恢复完成"), result.summary() + tr("\n\n程序将关闭，请重新打开内勤台账。"))
        self.accept()
        self.restored.emit(result)

    def _commit(self, staged: backup.StagedRestore) -> backup.RestoreResult:
        from neiqin import backup
        from neiqin.db import close_database

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            close_database()  # the window holds the data-dir lock; its connection must let go of the file
            return backup.commit_restore(staged, self.datadir)
        finally:
            QApplication.restoreOverrideCursor()
