"""``neiqin backup / restore / verify``: unattended use (Task Scheduler), clear failures, no prompts."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.backup_data import ATTACHMENTS, copy_data, dump, files, make_template, staff_names

from neiqin import backup, cli
from neiqin.cli import backup as backup_cli
from neiqin.db import DataDirLock
from neiqin.paths import DataDir

ROOT = Path(__file__).resolve().parents[1]
WIRED = "import sys, neiqin.cli as c; sys.exit(c.main(sys.argv[1:]))"


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> DataDir:
    return make_template(tmp_path_factory.mktemp("cli-template") / "data", rows=80)


@pytest.fixture(autouse=True)
def wired(monkeypatch):
    assert backup_cli.register in cli.EXTRA_COMMANDS
    monkeypatch.setattr("neiqin.backup.sealing.SCRYPT_N", 2**10)


@pytest.fixture(autouse=True)
def no_prompts(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the command asked for input")

    monkeypatch.setattr(getpass, "getpass", refuse)
    monkeypatch.setattr("builtins.input", refuse)
    monkeypatch.setattr(backup_cli, "_interactive", lambda: False)  # as under Task Scheduler


@pytest.fixture
def data(template, tmp_path) -> DataDir:
    return copy_data(template, DataDir(tmp_path / "data"))


@pytest.fixture
def passfile(tmp_path) -> Path:
    p = tmp_path / "口令.txt"
    p.write_text("前台的备份口令 2025\r\n", encoding="utf-8")
    return p


def run(data: DataDir, *args: str) -> int:
    return cli.main(["--data-dir", str(data.root), *args])


def only_backup(folder: Path) -> Path:
    found = backup.list_backups(folder)
    assert len(found) == 1, found
    return found[0]


def test_backup_verify_and_restore(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    original = dump(data.db_path)  # after the backup the command also notes it in the settings
    assert run(data, "backup", "--to", str(usb)) == 0
    out = capsys.readouterr().out
    assert "备份完成，已读回校验" in out and "来访登记 80 条" in out
    made = only_backup(usb)

    assert run(data, "verify", str(made)) == 0
    assert "校验通过" in capsys.readouterr().out
    assert run(data, "verify") == 0
    assert "数据文件" in capsys.readouterr().out

    import sqlite3

    with sqlite3.connect(data.db_path) as conn:
        conn.execute("UPDATE staff SET name = '改过的名字' WHERE id = 1")
    conn.close()
    (data.attachments / "readme.txt").unlink()
    assert run(data, "restore", str(made), "--yes") == 0
    out = capsys.readouterr().out
    assert "备份时间" in out and "已从备份恢复" in out and "恢复前的数据已另存为" in out
    assert dump(data.db_path) == original and files(data.attachments) == ATTACHMENTS
    assert "改过的名字" not in staff_names(data.db_path)


def test_backup_records_the_last_usb_backup(data, tmp_path, capsys):
    from neiqin.db import close_database, open_database

    assert run(data, "backup", "--to", str(tmp_path / "usb")) == 0
    open_database(data.db_path, data.backups)
    try:
        text, overdue, _ = backup.usb_backup_status()
    finally:
        close_database()
    assert (text, overdue) == ("上次U盘备份 今天", False)


def test_encrypted_backup_unattended(data, tmp_path, passfile, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(passfile)) == 0
    made = only_backup(usb)
    assert backup.read_manifest(made, "前台的备份口令 2025").encrypted  # CRLF and BOM-free line read right
    capsys.readouterr()

    assert run(data, "verify", str(made)) == 1
    assert "--passphrase-file" in capsys.readouterr().err
    assert run(data, "verify", str(made), "--passphrase-file", str(passfile)) == 0

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("别的口令 12345", encoding="utf-8")
    before = dump(data.db_path)
    assert run(data, "restore", str(made), "--passphrase-file", str(wrong), "--yes") == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：备份口令不正确") and "没有任何改动" in err
    assert dump(data.db_path) == before
    assert run(data, "restore", str(made), "--passphrase-file", str(passfile), "--yes") == 0


def test_encrypt_without_a_passphrase_file_fails_instead_of_prompting(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb), "--encrypt") == 1
    err = capsys.readouterr().err
    assert "加密备份需要口令" in err and "--passphrase-file" in err
    assert not usb.exists() or backup.list_backups(usb) == []
    assert run(data, "backup", "--to", str(usb), "--passphrase-file", "x.txt") == 1
    assert "--encrypt" in capsys.readouterr().err


def test_passphrase_must_match_the_one_set_for_the_target(data, tmp_path, passfile, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(passfile)) == 0
    other = tmp_path / "other.txt"
    other.write_text("另一个口令 abcdef", encoding="utf-8")
    assert run(data, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(other)) == 1
    assert "不一致" in capsys.readouterr().err
    assert run(data, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(other),
               "--change-passphrase") == 0
    short = tmp_path / "short.txt"
    short.write_text("123", encoding="utf-8")
    assert run(data, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(short)) == 1
    assert "至少需要 8 个字符" in capsys.readouterr().err


def test_restore_in_a_script_needs_yes(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb)) == 0
    before = dump(data.db_path)
    assert run(data, "restore", str(only_backup(usb))) == 1
    assert "--yes" in capsys.readouterr().err
    assert run(data, "restore", str(only_backup(usb)), "--preview") == 0
    assert "备份时间" in capsys.readouterr().out
    assert dump(data.db_path) == before


def test_restore_while_the_window_is_open_is_refused(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb)) == 0
    made = only_backup(usb)
    with DataDirLock(data):  # the window holds the lock
        assert run(data, "backup", "--to", str(usb)) == 0  # backing up is fine meanwhile
        assert run(data, "restore", str(made), "--yes") == 1
    assert "恢复前请先关闭内勤台账" in capsys.readouterr().err


def test_restore_when_the_program_cannot_start(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    good = dump(data.db_path)
    assert run(data, "backup", "--to", str(usb)) == 0
    data.db_path.write_bytes(b"\0" * 10000)  # a destroyed database file
    assert run(data, "verify") == 1
    assert "无法读取" in capsys.readouterr().out
    assert run(data, "restore", str(only_backup(usb)), "--yes") == 0
    assert dump(data.db_path) == good
    assert run(data, "verify") == 0


def test_restore_into_an_empty_data_dir(data, tmp_path):
    usb = tmp_path / "usb"
    good = dump(data.db_path)
    assert run(data, "backup", "--to", str(usb)) == 0
    new_pc = DataDir(tmp_path / "new-pc")
    assert run(new_pc, "restore", str(only_backup(usb)), "--yes") == 0
    assert dump(new_pc.db_path) == good


def test_verify_reports_a_damaged_backup(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    assert run(data, "backup", "--to", str(usb)) == 0
    made = only_backup(usb)
    raw = bytearray(made.read_bytes())
    raw[len(raw) // 3] ^= 0x04
    made.write_bytes(bytes(raw))
    assert run(data, "verify", str(made)) == 1
    assert "备份文件已损坏" in capsys.readouterr().err
    assert run(data, "verify", str(tmp_path / "nope.nqbak")) == 1
    assert "找不到备份文件" in capsys.readouterr().err


def test_automatic_backup_from_the_command_line(data, capsys):
    assert run(data, "backup", "--auto") == 0
    assert len(backup.list_backups(data.backups, backup.AUTO_PREFIX)) == 1
    assert run(data, "backup", "--auto", "--encrypt") == 1
    assert "本机自动备份不加密" in capsys.readouterr().err


def test_backup_needs_a_database(tmp_path, capsys):
    assert run(DataDir(tmp_path / "empty"), "backup", "--to", str(tmp_path / "usb")) == 1
    assert "数据目录不存在" in capsys.readouterr().err or "没有数据文件" in capsys.readouterr().err


def test_unattended_subprocess_never_waits_for_input(data, tmp_path, passfile):
    """As Task Scheduler runs it: no console, stdin not a TTY. It must finish, not hang on a prompt."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    usb = tmp_path / "usb"
    base = [sys.executable, "-c", WIRED, "--data-dir", str(data.root)]
    r = subprocess.run([*base, "backup", "--to", str(usb), "--encrypt"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1 and "--passphrase-file" in r.stderr and r.stderr.count("\n") == 1
    r = subprocess.run([*base, "backup", "--to", str(usb), "--encrypt", "--passphrase-file", str(passfile)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert "备份完成" in r.stdout
