"""Issue 19, defect 5: files briefly held by antivirus or the search indexer (Windows, simulated on Linux).

``os.replace`` fails with PermissionError while another program has the file open; the program retries for
about 2 s, and what still fails is reported as 文件被其他程序占用, never as a write-protected stick.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from helpers.backup_data import copy_data, dump, make_template
from helpers.winsim import SimulatedWindows, windows_error

from neiqin import backup, winfs
from neiqin.db import close_database, open_database
from neiqin.errors import NeiqinError, ValidationError
from neiqin.logs import SharedRotatingFileHandler
from neiqin.paths import DataDir


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> DataDir:
    return make_template(tmp_path_factory.mktemp("template") / "data", rows=30)


@pytest.fixture
def filled(template, datadir):
    copy_data(template, datadir)
    open_database(datadir.db_path, datadir.backups)
    yield datadir
    close_database()


@pytest.fixture
def windows(monkeypatch):
    return SimulatedWindows(monkeypatch)


class FlakyReplace:
    """``os.replace`` that fails ``failures`` times with a Windows sharing error, then works."""

    def __init__(self, monkeypatch, failures: int = 2, winerror: int = 32):
        self.real, self.left, self.winerror, self.calls = os.replace, failures, winerror, 0
        monkeypatch.setattr(os, "replace", self)

    def __call__(self, src, dst):
        self.calls += 1
        if self.left:
            self.left -= 1
            raise windows_error(self.winerror, "The process cannot access the file", str(src))
        return self.real(src, dst)


def test_backup_waits_out_a_scanner(windows, filled, tmp_path, monkeypatch):
    flaky = FlakyReplace(monkeypatch)
    result = backup.create_backup(filled, tmp_path / "usb")
    assert flaky.calls == 3 and result.path.exists() and not list(result.path.parent.glob(".*.part"))


def test_no_retry_on_linux(tmp_path, monkeypatch):
    flaky = FlakyReplace(monkeypatch, failures=1)
    (tmp_path / "a").write_text("x")
    with pytest.raises(PermissionError):
        winfs.replace(tmp_path / "a", tmp_path / "b")
    assert flaky.calls == 1


def test_retries_give_up_after_about_two_seconds(windows, tmp_path, monkeypatch):
    assert 1.5 <= sum(winfs.RETRY_DELAYS) <= 2.5
    monkeypatch.setattr(winfs, "RETRY_DELAYS", (0.0,) * len(winfs.RETRY_DELAYS))
    flaky = FlakyReplace(monkeypatch, failures=100)
    (tmp_path / "a").write_text("x")
    with pytest.raises(PermissionError):
        winfs.replace(tmp_path / "a", tmp_path / "b")
    assert flaky.calls == len(winfs.RETRY_DELAYS) + 1


def test_restore_waits_out_a_scanner(windows, filled, tmp_path, monkeypatch):
    made = backup.create_backup(filled, tmp_path / "usb").path
    want = dump(filled.db_path)
    close_database()
    flaky = FlakyReplace(monkeypatch, failures=2)
    backup.restore_backup(made, filled)
    assert flaky.calls >= 5 and dump(filled.db_path) == want


@pytest.mark.parametrize(("winerror", "expected", "not_expected"), [
    (5, "文件被其他程序占用", "写保护"), (32, "文件被其他程序占用", "写保护"), (19, "写保护", "占用")])
def test_access_denied_is_a_busy_file_not_a_locked_stick(windows, filled, tmp_path, monkeypatch, winerror,
                                                         expected, not_expected):
    def refuse(path):
        raise windows_error(winerror, "Access is denied", str(path))

    monkeypatch.setattr("neiqin.backup.write._open_target", refuse)
    with pytest.raises(backup.TargetWriteError) as e:
        backup.create_backup(filled, tmp_path / "usb")
    assert expected in str(e.value) and not_expected not in str(e.value)


def test_seal_scan_held_by_antivirus(windows, filled, tmp_path, monkeypatch):
    from neiqin.models.seals.attachments import store_attachment

    scan = tmp_path / "用印.pdf"
    scan.write_bytes(b"%PDF-1.4 " + b"x" * 1000)
    FlakyReplace(monkeypatch, failures=2)
    stored = store_attachment(scan, filled.attachments)
    assert (filled.attachments / stored.path).read_bytes() == scan.read_bytes()
    monkeypatch.setattr(winfs, "RETRY_DELAYS", (0.0,))
    FlakyReplace(monkeypatch, failures=100)
    scan.write_bytes(b"%PDF-1.4 other")
    with pytest.raises(ValidationError) as e:
        store_attachment(scan, filled.attachments, field="scan")
    assert "文件被其他程序占用" in e.value.errors["scan"]


def test_export_replaces_a_file_a_viewer_just_let_go(windows, tmp_path, monkeypatch):
    from neiqin.reports import atomic_output

    target = tmp_path / "台账.xlsx"
    FlakyReplace(monkeypatch, failures=2)
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    monkeypatch.setattr(winfs, "RETRY_DELAYS", (0.0,))
    FlakyReplace(monkeypatch, failures=100)
    with pytest.raises(NeiqinError, match="正在被其他程序"), atomic_output(target) as tmp:
        tmp.write_bytes(b"newer")
    assert target.read_bytes() == b"new"


def _two_processes(handler_class, folder: Path, lines: int) -> str:
    """The window and a scheduled neiqin-cli, each with its own handler on one neiqin.log, writing in turn."""
    path = folder / "neiqin.log"
    loggers = []
    for name in ("window", "cli"):
        handler = handler_class(path, 2000, 50) if handler_class is SharedRotatingFileHandler else \
            handler_class(path, maxBytes=2000, backupCount=50, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        logger = logging.getLogger(f"winsim.{name}.{handler_class.__name__}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        loggers.append((logger, handler))
    try:
        for i in range(lines):
            for logger, _ in loggers:
                logger.info("line %04d", i)
    finally:
        for logger, handler in loggers:
            logger.removeHandler(handler)
            handler.close()
    return "".join(p.read_text(encoding="utf-8") for p in folder.glob("neiqin.log*"))


def test_two_processes_logging_through_rotation_lose_no_line(windows, tmp_path, capsys):
    windows.share_modes()  # renaming a file another handle has open fails, as on Windows
    (tmp_path / "new").mkdir()
    text = _two_processes(SharedRotatingFileHandler, tmp_path / "new", 300)
    assert len(list((tmp_path / "new").glob("neiqin.log.*"))) > 5  # it did rotate, many times
    for who in ("window", "cli"):
        assert sum(f"winsim.{who}.SharedRotatingFileHandler line" in line for line in text.splitlines()) == 300
    assert "Logging error" not in capsys.readouterr().err

    # the standard handler (the file held open by each process) loses lines here: the simulation bites
    (tmp_path / "old").mkdir()
    import logging.handlers

    text = _two_processes(logging.handlers.RotatingFileHandler, tmp_path / "old", 300)
    assert text.count("line") < 600 and "Logging error" in capsys.readouterr().err
