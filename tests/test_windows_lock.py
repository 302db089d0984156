"""Issue 19, defect 1: a second copy of the program on Windows gets 已在使用, never a traceback.

``msvcrt.locking`` makes the locked byte unreadable to other handles (simulated in helpers.winsim); the lock file
keeps its owner text away from that byte, and reading it never raises.
"""

from __future__ import annotations

import pytest
from helpers.backup_data import make_template
from helpers.winsim import SimulatedWindows

from neiqin import winfs
from neiqin.cli import main
from neiqin.db import DataDirLock
from neiqin.errors import DataDirLockedError
from neiqin.paths import DataDir


@pytest.fixture
def windows(monkeypatch):
    return SimulatedWindows(monkeypatch)


def test_second_lock_names_the_holder(windows, tmp_path):
    d = DataDir(tmp_path / "d").ensure()
    with DataDirLock(d):
        assert windows.msvcrt.locks  # the simulated msvcrt really holds a byte
        with pytest.raises(DataDirLockedError, match=r"已在使用这个数据目录（进程 \d+，启动于 2026-12-09 10:00）"):
            DataDirLock(d).acquire()
    assert not windows.msvcrt.locks
    DataDirLock(d).acquire().release()  # free again


def test_an_unreadable_lock_file_still_gives_the_message(windows, tmp_path, monkeypatch):
    """The layout before the fix (the owner text on the locked byte): Windows refuses to read it."""
    monkeypatch.setattr(winfs, "LOCK_OFFSET", 0)
    d = DataDir(tmp_path / "d").ensure()
    with DataDirLock(d):
        with pytest.raises(PermissionError):
            winfs._read_head(d.lock_path, 10)  # the simulation refuses, as Windows does
        with pytest.raises(DataDirLockedError, match="已在使用这个数据目录。请切换到已打开的窗口"):
            DataDirLock(d).acquire()


def test_lock_file_that_cannot_be_opened_is_a_clear_message(tmp_path):
    d = DataDir(tmp_path / "d").ensure()
    d.lock_path.mkdir()  # something in the way (a folder of that name)
    with pytest.raises(Exception, match="无法打开数据目录中的锁文件") as e:
        DataDirLock(d).acquire()
    assert not isinstance(e.value, OSError)


@pytest.mark.parametrize("command", [["demo", "--rows", "3"], ["purge-personal-data"],
                                     ["import", "visitors", "x.xlsx", "--dry-run"]])
def test_every_writing_command_refused_in_chinese(windows, tmp_path, capsys, command):
    d = DataDir(tmp_path / "d").ensure()
    assert main(["--data-dir", str(d.root), "demo", "--rows", "1"]) == 0
    capsys.readouterr()
    with DataDirLock(d):
        assert main(["--data-dir", str(d.root), *command]) == 1
    err = capsys.readouterr().err
    assert "已在使用" in err and "进程" in err and "Traceback" not in err


def test_restore_refused_in_chinese(windows, tmp_path, capsys):
    data = make_template(tmp_path / "template", rows=20)
    usb = tmp_path / "usb"
    assert main(["--data-dir", str(data.root), "backup", "--to", str(usb)]) == 0
    made = next(usb.glob("*.nqbak"))
    capsys.readouterr()
    with DataDirLock(data):
        assert main(["--data-dir", str(data.root), "restore", str(made), "--yes"]) == 1
    err = capsys.readouterr().err
    assert "已在使用" in err and "恢复前请先关闭内勤台账" in err
