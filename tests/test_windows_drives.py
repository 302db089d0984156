"""Issue 19, defects 6 and 7: the read-back check says what it really read; USB detection on Windows lists fixed
USB disks and says why a write-protected stick is left out (Windows simulated on Linux)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.backup_data import copy_data, make_template
from helpers.winsim import SimulatedWindows

from neiqin import backup, winfs, winvolumes
from neiqin.db import close_database, open_database
from neiqin.paths import DataDir
from neiqin.winvolumes import FIXED, OTHER, REMOVABLE, Volume


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> DataDir:
    return make_template(tmp_path_factory.mktemp("template") / "data", rows=20)


@pytest.fixture
def filled(template, datadir):
    copy_data(template, datadir)
    open_database(datadir.db_path, datadir.backups)
    yield datadir
    close_database()


@pytest.fixture
def windows(monkeypatch):
    return SimulatedWindows(monkeypatch)


def volumes(base: Path) -> list[Volume]:
    def root(letter: str) -> Path:
        (base / letter).mkdir(exist_ok=True)
        return base / letter

    return [
        Volume(root("C"), "系统", FIXED, usb=False, read_only=False, system=True),
        Volume(root("D"), "数据盘", FIXED, usb=False, read_only=False),  # a second internal disk
        Volume(root("E"), "KINGSTON", REMOVABLE, usb=True, read_only=False),
        Volume(root("F"), "移动硬盘", FIXED, usb=True, read_only=False),  # a USB disk Windows calls fixed
        Volume(root("G"), "", REMOVABLE, usb=True, read_only=False, ready=False),  # card reader, no card
        Volume(root("H"), "旧U盘", REMOVABLE, usb=True, read_only=True),  # write-protect switch on
        Volume(root("Z"), "共享", OTHER, usb=False, read_only=False),  # a network drive
    ]


def test_which_volumes_are_backup_targets(tmp_path):
    chosen, skipped = winvolumes.choose(volumes(tmp_path))
    assert [label for _, label in chosen] == ["KINGSTON", "移动硬盘"]
    assert len(skipped) == 1 and "旧U盘" in skipped[0] and "写保护" in skipped[0]


def test_detection_on_windows_lists_fixed_usb_disks(windows, tmp_path, monkeypatch):
    monkeypatch.setattr(winvolumes, "windows_volumes", lambda: volumes(tmp_path))
    skipped: list[str] = []
    drives = backup.detect_removable_drives(skipped)
    assert [d.root.name for d in drives] == ["E", "F"] and all(d.free for d in drives)
    assert any("旧U盘" in s for s in skipped)


def test_without_the_windows_api_nothing_is_listed_and_nothing_breaks(windows):
    assert backup.detect_removable_drives([]) == []  # ctypes.WinDLL does not exist here


def test_read_back_on_windows_says_what_it_read_when_the_cache_cannot_be_bypassed(windows, filled, tmp_path):
    result = backup.create_backup(filled, tmp_path / "usb")  # FILE_FLAG_NO_BUFFERING unavailable here
    assert result.readback and "未能绕过系统缓存" in result.readback
    summary = result.summary()
    assert "已读回校验" not in summary and "未经确认" in summary


def test_read_back_on_windows_goes_past_the_cache(windows, filled, tmp_path, monkeypatch):
    opened: list[Path] = []

    def uncached(path):  # stands for the ctypes reader: what matters here is that the read-back uses it
        opened.append(Path(path))
        return open(path, "rb")

    monkeypatch.setattr(winfs, "open_uncached", uncached)
    result = backup.create_backup(filled, tmp_path / "usb")
    assert result.path in opened and result.readback == "" and result.summary().startswith("备份完成，已读回校验")


def test_read_back_on_linux_drops_the_cache(filled, tmp_path):
    result = backup.create_backup(filled, tmp_path / "usb")
    assert result.readback == "" and result.summary().startswith("备份完成，已读回校验")
