"""Issue 19 in the window, with Windows simulated on Linux (helpers.winsim)."""

from __future__ import annotations

import sys

import pytest
from helpers.winsim import SimulatedWindows
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin import app
from neiqin.db import DataDirLock
from neiqin.paths import DataDir


@pytest.fixture
def windows(monkeypatch):
    return SimulatedWindows(monkeypatch)


def answer_message_box(seen: list[str], button=QMessageBox.StandardButton.Ok) -> None:
    """Read the next message box's text and press ``button`` on it (as the clerk would)."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(20, look)


def test_second_window_is_told_the_data_is_in_use(qtbot, windows, tmp_path, monkeypatch):
    d = DataDir(tmp_path / "d").ensure()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own; put back afterwards
    seen: list[str] = []
    with DataDirLock(d):
        answer_message_box(seen)
        assert app.run_gui(d) == 3
    assert "已在使用这个数据目录" in seen[0] and "进程" in seen[0]


@pytest.mark.parametrize("typed", ['关于"预算"的会议：第3次?', "CON", "aux.pdf", "访客 张三. . ", "A/B|C*<d>"])
def test_printed_files_named_from_typed_text_are_windows_names(qtbot, datadir, typed):
    from neiqin.filenames import is_valid_windows_name
    from neiqin.ui.pane import Pane
    from neiqin.ui.printing.preview import stamp_path

    w = Pane()  # a tab knows its data folder
    qtbot.addWidget(w)
    w.datadir = datadir
    path = stamp_path(w, f"会议纪要-{typed}-2026-12-09")
    assert path.parent == datadir.prints and is_valid_windows_name(path.name)
    path.write_bytes(b"%PDF-1.4")  # one file, in prints/ itself (no "/" made a sub-folder of it)
    assert path.exists()


# ---------------------------------------------------------------------------------------------- scanning (defect 2)

from .conftest import type_text  # noqa: E402
from .test_parcels_ui import office, parcels  # noqa: E402, F401, F811 - fixtures
from .test_supplies_ui import pane, stocked  # noqa: E402, F401, F811 - fixtures

ENTER = Qt.Key.Key_Return


def input_method_accepted(widget, *, windows: bool) -> bool:
    """What Qt decides for the focused widget (QInputMethodPrivate::objectAcceptsInputMethod): the ImEnabled
    answer, and on a platform whose input context cannot hide text (Windows) not when ImhHiddenText is set."""
    from PySide6.QtGui import QInputMethodQueryEvent

    query = QInputMethodQueryEvent(Qt.InputMethodQuery.ImEnabled | Qt.InputMethodQuery.ImHints)
    QApplication.sendEvent(widget, query)  # answered in C++: both values are valid (see neiqin.ui.scan_field)
    enabled = bool(query.value(Qt.InputMethodQuery.ImEnabled))
    hints = Qt.InputMethodHint(query.value(Qt.InputMethodQuery.ImHints))
    return enabled and not (windows and hints & Qt.InputMethodHint.ImhHiddenText)


def test_scan_fields_keep_the_input_method_off(qtbot, parcels, pane):  # noqa: F811
    view = pane.stocktake
    fields = [parcels.desk.scan, pane.desk.code, view.code]
    for field in fields:
        field.setFocus()
        assert not input_method_accepted(field, windows=True), field
        assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        assert field.echoMode() == field.EchoMode.Normal  # the scanned number stays visible
    assert input_method_accepted(parcels.desk.recipient, windows=True)  # names are still typed in Chinese


def test_full_width_scan_still_reads(qtbot, parcels):  # noqa: F811
    desk = parcels.desk
    type_text(qtbot, desk.scan, "ＳＦ１４２８６３７２９０５０１")  # what arrives if an input method got in the way
    qtbot.keyClick(desk.scan, ENTER)
    assert desk.scan.text() == "SF1428637290501" and desk.carrier.currentText() == "顺丰速运"


def test_full_width_item_code_found_at_the_desk(qtbot, pane, stocked):  # noqa: F811
    from neiqin.models.supplies import items

    paper, staples = stocked
    wide = staples.code.translate({i - 0xFEE0: i for i in range(0xFF01, 0xFF5F)})
    assert wide != staples.code and items.find_item(wide) == staples
    desk = pane.desk
    type_text(qtbot, desk.code, wide)
    qtbot.keyClick(desk.code, ENTER)
    assert desk.focusWidget() is desk.qty  # the item was found: the quantity is next


# ---------------------------------------------------------------------------------------------- reminders (defect 9)

from .test_today_ui import loan  # noqa: E402, F401 - fixture


@pytest.fixture
def tray(monkeypatch):
    """A desktop with a notification area (Windows always has one; the offscreen platform has none)."""
    from neiqin.ui import attention

    monkeypatch.setattr(attention, "tray_available", lambda: True)


def test_reminder_reaches_a_minimised_window(qtbot, window, loan, tray):  # noqa: F811
    reminders = window.reminders
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    assert reminders.remind() >= 2
    sent = reminders.attention.sent
    assert len(sent) == 1 and "新到期事项" in sent[0] and "逾期" in sent[0]
    tray_icon = reminders.attention.tray
    assert tray_icon is not None and tray_icon.isVisible()
    tray_icon.messageClicked.emit()  # the clerk clicks the notification
    qtbot.waitUntil(lambda: not window.isMinimized())
    assert reminders.panel.isVisible()
    reminders.tick()  # nothing new: no second notification at the next tick
    assert len(sent) == 1


def test_reminder_reaches_a_window_behind_another_program(qtbot, window, loan):  # noqa: F811
    from PySide6.QtWidgets import QWidget

    word = QWidget()  # another program's window in front
    qtbot.addWidget(word)
    word.show()
    word.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    assert window.reminders.remind() >= 2
    assert window.reminders.attention.sent and window.reminders.attention.tray is None  # no tray here: flash only


def test_no_notification_while_the_clerk_looks_at_the_window(qtbot, window, loan, tray):  # noqa: F811
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.reminders.remind() >= 2 and window.reminders.panel.isVisible()
    assert window.reminders.attention.sent == [] and window.reminders.attention.tray is None


# ---------------------------------------------------------------------------------------------- data folder (defect 8)


def press_in_message_box(seen: list[str], button_text: str) -> None:
    def look() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            next(b for b in box.buttons() if b.text() == button_text).click()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(20, look)


def test_window_asks_before_making_a_missing_data_folder(qtbot, tmp_path, monkeypatch):
    from neiqin.cli import main

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    missing = tmp_path / "E盘" / "数据"
    seen: list[str] = []
    press_in_message_box(seen, "退出")
    assert main(["--data-dir", str(missing)]) == 1
    assert "数据目录不存在" in seen[0] and str(missing) in seen[0] and not missing.exists()
    press_in_message_box(seen, "新建空的数据目录")
    assert app.confirm_new_data_dir(missing) is True


# ---------------------------------------------------------------------------------------------- USB drives (defect 7)


def test_backup_dialog_lists_a_usb_disk_and_says_why_a_stick_is_left_out(qtbot, windows, database, datadir,
                                                                         tmp_path, monkeypatch):
    from neiqin import winvolumes
    from neiqin.ui.backup_ui import BackupDialog
    from neiqin.winvolumes import FIXED, REMOVABLE, Volume

    for letter in "EFH":
        (tmp_path / letter).mkdir()
    monkeypatch.setattr(winvolumes, "windows_volumes", lambda: [
        Volume(tmp_path / "E", "KINGSTON", REMOVABLE, usb=True, read_only=False),
        Volume(tmp_path / "F", "移动硬盘", FIXED, usb=True, read_only=False),
        Volume(tmp_path / "H", "旧U盘", REMOVABLE, usb=True, read_only=True)])
    dlg = BackupDialog(datadir)
    qtbot.addWidget(dlg)
    texts = [dlg.drives.item(i).text() for i in range(dlg.drives.count())]
    assert texts[0].startswith("KINGSTON") and texts[1].startswith("移动硬盘")
    assert "旧U盘" in texts[2] and "写保护" in texts[2]
    assert not dlg.drives.item(2).flags() & Qt.ItemFlag.ItemIsSelectable


# ---------------------------------------------------------------------------------------------- build (defect 12)


def test_the_program_icon_is_set_with_every_size(qtbot):
    from PySide6.QtGui import QIcon

    old = QApplication.windowIcon()
    try:
        app.install_icon(QApplication.instance())
        icon = QApplication.windowIcon()
        sizes = {s.width() for s in icon.availableSizes()}
        assert not icon.isNull() and {16, 24, 32, 48, 256} <= sizes
    finally:
        QApplication.setWindowIcon(old if not old.isNull() else QIcon())
