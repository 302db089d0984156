"""Issue 19, defect 3: console output on Windows never crashes a command (simulated on Linux).

GBK pipes (Task Scheduler redirecting ``verify``), no stdout at all (the windowed ``neiqin.exe``), and an old
console that would print ANSI colour codes as garbage.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.winsim import SimulatedWindows

from neiqin import console
from neiqin.cli import main
from neiqin.paths import DataDir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def filled(tmp_path, capsys) -> DataDir:
    d = DataDir(tmp_path / "d")
    assert main(["--data-dir", str(d.root), "demo", "--rows", "3"]) == 0
    capsys.readouterr()
    return d


def neiqin(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "neiqin", *args], capture_output=True, env=environ, timeout=120)


def test_verify_redirected_in_gbk_does_not_crash(filled):
    r = neiqin("--data-dir", str(filled.root), "verify", PYTHONIOENCODING="gbk")
    out = r.stdout.decode("gbk")
    assert r.returncode == 0, r.stderr.decode("gbk", errors="replace")
    assert "校验通过" in out and "√ 数据库完整性检查" in out


def test_a_character_gbk_lacks_is_replaced_not_fatal(filled, capsys, monkeypatch):
    r = neiqin("--data-dir", str(filled.root), "import", "visitors", "不存在✓.xlsx", PYTHONIOENCODING="gbk")
    err = r.stderr.decode("gbk")
    assert r.returncode == 1 and "找不到文件：不存在?.xlsx" in err and "Traceback" not in err


def test_no_stdout_at_all_windowed_exe(filled, monkeypatch):
    monkeypatch.setattr(console, "windowless", False)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--data-dir", str(filled.root), "today"]) == 0  # printed nowhere, and no AttributeError
    assert main(["--data-dir", str(filled.root), "verify", "没有这个备份.nqbak"]) == 1
    for h in logging.getLogger().handlers:
        h.flush()
    logged = (filled.logs / "neiqin.log").read_text(encoding="utf-8")
    assert "ERROR neiqin.console: 错误：" in logged and "没有这个备份.nqbak" in logged


def test_colour_only_where_the_console_shows_it(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as tty, open(os.devnull, "w") as pipe:
            assert console.supports_colour(tty) and not console.supports_colour(pipe)
            SimulatedWindows(monkeypatch)  # no ctypes.windll here: the console mode cannot be switched on
            assert not console.supports_colour(tty)
    finally:
        os.close(master)
        os.close(slave)


def test_today_in_an_old_windows_console_is_plain(filled, monkeypatch, capsys):
    SimulatedWindows(monkeypatch)
    master, slave = os.openpty()
    try:
        with open(slave, "w", encoding="utf-8", closefd=False) as tty:
            monkeypatch.setattr(sys, "stdout", tty)
            assert main(["--data-dir", str(filled.root), "today"]) == 0
            tty.flush()
        text = os.read(master, 4000).decode("utf-8", errors="replace")  # the head is enough
    finally:
        os.close(master)
        os.close(slave)
    assert "今日" in text and "\033[" not in text
