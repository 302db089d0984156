"""The backup dialogs and status label on a stand-in main window (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
from pathlib import Path

import pytest
from helpers.backup_data import ATTACHMENTS, copy_data, dump, files, staff_names
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from neiqin import backup, clock
from neiqin.db import close_database, open_database
from neiqin.paths import DataDir
from neiqin.ui import backup_status, backup_ui

PASS = "Zhibanshi 8899"  # QTest can only type ASCII keys


class StubWindow(QMainWindow):
    """What install(window) relies on, and nothing else."""

    closing = Signal()

    def __init__(self, datadir: DataDir):
        super().__init__()
        self.datadir = datadir
        self.menus = {k: self.menuBar().addMenu(k) for k in ("file", "edit", "view", "tools", "help")}
        self.menus["file"].addAction("退出")
        self.actions_by_name = {}  # install() adds 备份到U盘 … here (今日's backup row triggers it)

    def closeEvent(self, event) -> None:
        self.closing.emit()
        super().closeEvent(event)


@pytest.fixture
def template(backup_template) -> DataDir:
    return backup_template


@pytest.fixture
def filled(template, datadir):
    copy_data(template, datadir)
    open_database(datadir.db_path, datadir.backups)
    yield datadir
    close_database()


@pytest.fixture
def stick(tmp_path, monkeypatch) -> Path:
    """A plugged-in USB stick, as the drive detection would report it."""
    root = tmp_path / "KINGSTON"
    root.mkdir()
    monkeypatch.setattr(backup_ui, "list_drives", lambda skipped=None: [backup.Drive(root, "KINGSTON", 8 * 1024**3, 16 * 1024**3)])
    monkeypatch.setattr("neiqin.backup.sealing.SCRYPT_N", 2**10)
    return root / backup.USB_FOLDER


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """Message boxes shown, as (kind, text); questions are answered Yes."""
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *a, _k=kind: shown.append((_k, text)))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (shown.append(("question", a[2])),
                                                                   QMessageBox.StandardButton.Yes)[1])
    return shown


@pytest.fixture
def window(qtbot, filled, stick, monkeypatch):
    monkeypatch.setattr(backup_status, "FIRST_DAILY_CHECK_MS", 10**8)
    w = StubWindow(filled)
    qtbot.addWidget(w)
    controller = backup_ui.install(w)
    w.show()
    return w, controller


def test_install_adds_actions_and_a_status_label(window):
    w, controller = window
    texts = [a.text() for a in w.menus["file"].actions()]
    assert texts.index("备份到U盘…") < texts.index("从备份恢复…") < texts.index("退出")
    assert w.backup_controller is controller
    assert controller.label.text() == "从未备份到U盘" and "d93025" in controller.label.styleSheet()
    assert controller.label in w.statusBar().findChildren(backup_ui.BackupStatusLabel)


def test_encrypted_backup_to_the_stick(qtbot, window, stick, boxes):
    w, controller = window
    dialog = backup_ui.BackupDialog(w.datadir, w)
    qtbot.addWidget(dialog)
    assert dialog.drives.count() == 1 and dialog.folder == stick
    assert dialog.encrypt.isChecked() and dialog.confirm.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.passphrase, PASS)
    qtbot.keyClicks(dialog.confirm, PASS + "x")
    dialog.start()
    assert boxes[-1] == ("warning", "两次输入的备份口令不一致。") and not stick.exists()

    dialog.confirm.clear()
    qtbot.keyClicks(dialog.confirm, PASS)
    dialog.start()  # runs on the worker thread behind a progress dialog, then shows the summary
    kind, text = boxes[-1]
    assert kind == "information" and text.startswith("备份完成，已读回校验") and "已加密" in text
    made = backup.list_backups(stick)
    assert len(made) == 1 and backup.read_manifest(made[0], PASS).encrypted
    assert dialog.passphrase.text() == "" and dialog.result() == dialog.DialogCode.Accepted

    controller.label.refresh()
    assert controller.label.text() == "上次U盘备份 今天" and controller.label.styleSheet() == ""
    close_database()
    raw = b"".join(p.read_bytes() for p in w.datadir.root.glob("neiqin.sqlite*"))
    assert PASS.encode() not in raw  # only a scrypt check value is remembered
    open_database(w.datadir.db_path, w.datadir.backups)


def test_known_stick_asks_for_the_same_passphrase(qtbot, window, stick, boxes):
    w, _ = window
    first = backup_ui.BackupDialog(w.datadir, w)
    qtbot.addWidget(first)
    qtbot.keyClicks(first.passphrase, PASS)
    qtbot.keyClicks(first.confirm, PASS)
    first.start()

    again = backup_ui.BackupDialog(w.datadir, w)
    qtbot.addWidget(again)
    again.show()
    assert again.known_check and not again.confirm.isVisible() and again.change_button.isVisible()
    qtbot.keyClicks(again.passphrase, "another pass 123456")
    again.start()
    assert boxes[-1][0] == "warning" and "口令与这个U盘以前设置的口令不一致" in boxes[-1][1]
    assert len(backup.list_backups(stick)) == 1

    again.change_button.click()
    assert again.confirm.isVisible()
    qtbot.keyClicks(again.confirm, "another pass 123456")
    again.start()
    assert boxes[-1][0] == "information"
    newest = backup.list_backups(stick)[0]
    assert backup.read_manifest(newest, "another pass 123456").encrypted


def test_full_stick_is_reported_and_nothing_is_left(qtbot, window, stick, boxes, monkeypatch):
    class Full:
        def __init__(self, path):
            self.f = open(path, "xb")  # noqa: SIM115

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            self.f.flush()

        def fileno(self):
            return self.f.fileno()

        def close(self):
            self.f.close()

    monkeypatch.setattr("neiqin.backup.write._open_target", Full)
    w, controller = window
    dialog = backup_ui.BackupDialog(w.datadir, w)
    qtbot.addWidget(dialog)
    dialog.encrypt.setChecked(False)
    dialog.start()
    assert boxes[-1][0] == "warning" and boxes[-1][1].startswith("U盘空间不足")
    assert list(stick.iterdir()) == [] and dialog.result() != dialog.DialogCode.Accepted
    controller.label.refresh()
    assert controller.label.text() == "从未备份到U盘"


def test_cancelled_backup_leaves_nothing(qtbot, window, stick, boxes, monkeypatch):
    from neiqin.ui import jobs

    class CancelledAtOnce(jobs.Worker):  # as if 取消 was pressed as soon as the job started
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.cancel_requested = True

    monkeypatch.setattr(jobs, "Worker", CancelledAtOnce)
    w, _ = window
    dialog = backup_ui.BackupDialog(w.datadir, w)
    qtbot.addWidget(dialog)
    dialog.encrypt.setChecked(False)
    dialog.start()
    assert boxes[-1][0] == "warning" and "已取消" in boxes[-1][1]
    assert not stick.exists() or list(stick.iterdir()) == []
    assert list((w.datadir.backups / ".tmp").iterdir()) == []


def test_restore_dialog_previews_and_restores(qtbot, window, stick, boxes, monkeypatch):
    w, controller = window
    made = backup.create_backup(w.datadir, stick, passphrase=PASS)
    original = dump(w.datadir.db_path)
    from neiqin.models import STAFF

    STAFF.create({"name": "备份后新来的", "department": "办公室"})
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    emitted = []
    controller.restored.connect(emitted.append)

    dialog = backup_ui.RestoreDialog(w.datadir, w)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    dialog.list.setCurrentRow(0)
    assert dialog.path == made.path and dialog.passphrase.isEnabled()
    assert not dialog.restore_button.isEnabled()
    qtbot.keyClicks(dialog.passphrase, "wrong pass 0000")
    dialog.preview()
    assert "口令不正确" in dialog.message.text() and not dialog.restore_button.isEnabled()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASS)
    dialog.preview()
    text = dialog.preview_text.toPlainText()
    assert "来访登记 300 条" in text and "备份时间" in text and "已加密" in text
    assert dialog.restore_button.isEnabled()

    dialog.restored.connect(controller._after_restore)
    dialog.restore()
    assert boxes[-2][0] == "question" and "backups" in boxes[-2][1]
    assert boxes[-1][0] == "information" and "已从备份恢复" in boxes[-1][1] and "程序将关闭" in boxes[-1][1]
    assert dump(w.datadir.db_path) == original
    assert "备份后新来的" not in staff_names(w.datadir.db_path)
    assert files(w.datadir.attachments) == ATTACHMENTS
    qtbot.waitUntil(lambda: quits == [True])
    assert len(emitted) == 1 and emitted[0].previous_database.exists()
    before = len(backup.list_backups(w.datadir.backups))
    w.close()  # no automatic backup of the just-replaced data on the way out
    assert len(backup.list_backups(w.datadir.backups)) == before
    open_database(w.datadir.db_path, w.datadir.backups)


def test_restore_dialog_refuses_a_newer_backup(qtbot, window, stick, boxes):
    w, _ = window
    conn = sqlite3.connect(w.datadir.db_path)
    conn.execute("INSERT INTO schema_version(version, app_version) VALUES (99, '9.0')")
    conn.commit()
    conn.close()
    made = backup.create_backup(w.datadir, stick)
    dialog = backup_ui.RestoreDialog(w.datadir, w)
    qtbot.addWidget(dialog)
    dialog.set_file(made.path)  # not encrypted: previewed at once
    assert "数据版本 99" in dialog.message.text() and not dialog.restore_button.isEnabled()

    junk = stick / "junk.nqbak"
    junk.write_bytes(b"not a backup")
    dialog.set_file(junk)
    assert "不是内勤台账的备份文件" in dialog.message.text() and not dialog.preview_button.isEnabled()


def test_status_label_turns_red_when_overdue(window):
    from neiqin.models import settings

    _, controller = window
    when = clock.now() - dt.timedelta(days=10)
    settings.set_value("backup.last_usb", {"time": when.isoformat(sep=" "), "folder": "E:\\内勤台账备份"})
    controller.label.refresh()
    assert controller.label.text() == "上次U盘备份 10 天前" and "d93025" in controller.label.styleSheet()
    assert "请尽快备份到U盘" in controller.label.toolTip()
    settings.set_value("backup.warn_days", 30)
    controller.label.refresh()
    assert controller.label.styleSheet() == ""


def test_daily_backup_runs_in_the_background_and_exit_backs_up_changes(qtbot, window):
    w, controller = window
    assert backup.auto_backup_due(w.datadir)
    controller.check_daily()
    qtbot.waitUntil(lambda: controller.job is not None and controller.job.isFinished(), timeout=20_000)
    assert controller.job.error is None and len(backup.list_backups(w.datadir.backups, "auto")) == 1
    assert not backup.auto_backup_due(w.datadir)
    controller.check_daily()  # already done today
    assert len(backup.list_backups(w.datadir.backups, "auto")) == 1

    from neiqin.models import STAFF

    STAFF.create({"name": "下班前登记", "department": "办公室"})
    w.close()  # closing → one more automatic backup, because something changed
    autos = backup.list_backups(w.datadir.backups, "auto")
    assert len(autos) == 2
    assert backup.verify_backup(autos[0]).ok


def test_verify_now_reports_ok(window, boxes):
    _, controller = window
    controller.verify_now()
    assert boxes[-1][0] == "information" and "校验通过" in boxes[-1][1]
