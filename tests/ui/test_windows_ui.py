"""Issue 19 in the window, with Windows simulated on Linux (helpers.winsim)."""

from __future__ import annotations

import sys

import pytest
from helpers.winsim import SimulatedWindows
from PySide6.QtCore import QTimer
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
    from PySide6.QtWidgets import QWidget

    from neiqin.filenames import is_valid_windows_name
    from neiqin.ui.preview import stamp_path

    w = QWidget()
    qtbot.addWidget(w)
    w.datadir = datadir
    path = stamp_path(w, f"会议纪要-{typed}-2026-12-09")
    assert path.parent == datadir.prints and is_valid_windows_name(path.name)
    path.write_bytes(b"%PDF-1.4")  # one file, in prints/ itself (no "/" made a sub-folder of it)
    assert path.exists()
