"""Power cuts: SIGKILL a writer, a backup and a restore at random moments, many times over.

After every kill the database must pass ``PRAGMA integrity_check``, every save that was reported (the worker prints
an id only after the commit returned) must be there, no half-written file may pass for a backup, and an
interrupted restore must leave the old or the new data, whole and usable. A fork server keeps each worker's
start-up to a millisecond, so a hundred kills take seconds.
"""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.backup_data import ATTACHMENTS, copy_data, dump, files, staff_names

from neiqin import backup
from neiqin.db import DataDirLock, close_database, open_database
from neiqin.paths import DataDir

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"),
                                reason="needs fork and SIGKILL")

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("helpers") / "crash_worker.py"


class Server:
    """The fork server (tests/helpers/crash_worker.py) and the lines its workers print."""

    def __init__(self, mode: str, datadir: DataDir, *args: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, str(WORKER), mode, str(datadir.root), *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, env=env)
        self.buffer = b""
        assert self.readline() == "ready"

    def readline(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("crash worker is silent")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError("crash worker exited")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8")

    def run_and_kill(self, seed: int, delay: float) -> list[str]:
        """Start a worker, SIGKILL it after ``delay`` seconds, return what it printed."""
        self.proc.stdin.write(f"{seed}\n".encode())
        self.proc.stdin.flush()
        printed: list[str] = []
        while not (line := self.readline()).startswith("child "):
            printed.append(line)
        pid = int(line.split()[1])
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it ended by itself: only ever with an error, reported below
        while (line := self.readline()) != f"dead {pid}":
            printed.append(line)
        errors = [p for p in printed if p.startswith("error ")]
        assert not errors, errors  # the worker may only ever die by the kill
        return printed

    def one_run_takes(self, seed: int) -> float:
        """Seconds a worker takes to its first reported result on this machine now (the kill delays scale with it:
        a loaded 2-core machine is slower, and the test must still cut some runs and let others finish)."""
        self.proc.stdin.write(f"{seed}\n".encode())
        self.proc.stdin.flush()
        pid = int(self.readline().split()[1])
        started = time.monotonic()
        first = self.readline(timeout=120)
        took = time.monotonic() - started
        os.kill(pid, signal.SIGKILL)
        while self.readline() != f"dead {pid}":
            pass
        assert not first.startswith("error "), first
        return took

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def template(backup_template) -> DataDir:
    return backup_template


def check_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return conn


def test_killed_writer_loses_no_reported_save(template, tmp_path):
    datadir = copy_data(template, DataDir(tmp_path / "data"))
    server = Server("write", datadir)
    rng = random.Random(20250101)
    reported = {"staff": set(), "visit": set()}
    kills = 0
    try:
        first = server.one_run_takes(999)  # to the first reported save, on this machine now
        for seed in range(60):
            # at start-up (before or around the first save), and mid-stream (several saves in)
            delay = rng.uniform(0, 1.2 * first) if seed % 3 else rng.uniform(1.5 * first, 8 * first)
            printed = server.run_and_kill(seed, delay)
            kills += 1
            for line in printed:
                _, table, rid = line.split()
                reported[table].add(int(rid))
            conn = check_database(datadir.db_path)
            for table, ids in reported.items():
                present = {r[0] for r in conn.execute(f"SELECT id FROM {table}")}
                assert ids <= present, f"{table}: reported but lost {sorted(ids - present)[:5]}"
            conn.close()
    finally:
        server.close()
    assert kills == 60 and len(reported["staff"]) > 20, len(reported["staff"])

    conn = check_database(datadir.db_path)
    # each save is one transaction: record, search index and audit entry together or not at all
    orphans = conn.execute("SELECT COUNT(*) FROM staff s WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
                           "WHERE a.ledger = 'staff' AND a.record_id = s.id)").fetchone()[0]
    assert orphans == 0
    assert conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == \
        conn.execute("SELECT COUNT(*) FROM staff_fts_tri").fetchone()[0]
    for fts in ("staff_fts_tri", "staff_fts_uni", "visit_fts_tri", "visit_fts_uni"):
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    conn.close()
    open_database(datadir.db_path, datadir.backups)  # and the program opens it as usual
    close_database()


def test_killed_backup_never_leaves_a_false_backup(template, tmp_path):
    datadir = copy_data(template, DataDir(tmp_path / "data"))
    target = tmp_path / "usb" / backup.USB_FOLDER
    before = dump(datadir.db_path)
    server = Server("backup", datadir, str(target))
    rng = random.Random(7)
    finished = 0
    try:
        one = server.one_run_takes(99)
        for seed in range(30):
            printed = server.run_and_kill(seed, rng.uniform(0, 2.5 * one))
            finished += len(printed)
            for made in backup.list_backups(target):  # whatever carries a backup's name is a good backup
                assert backup.verify_backup(made, run_extra=False).ok
    finally:
        server.close()
    assert finished > 0  # some backups completed, others were cut at every stage
    assert dump(datadir.db_path) == before
    parts = set(target.glob(".*.part"))  # cut before the rename: hidden, never listed, never rotated into use
    assert parts.isdisjoint(backup.list_backups(target))
    result = backup.create_backup(datadir, target, keep=3)  # leftovers do not get in the way
    assert result.verified and len(backup.list_backups(target)) == 3


def test_killed_restore_leaves_old_or_new_data_whole(template, tmp_path):
    a_dir = copy_data(template, DataDir(tmp_path / "a"))
    b_dir = copy_data(template, DataDir(tmp_path / "b"))
    open_database(b_dir.db_path, b_dir.backups)
    from neiqin.models import STAFF

    STAFF.create({"name": "只在乙备份里", "department": "办公室"})
    close_database()
    (b_dir.attachments / "b-only.txt").write_text("乙", encoding="utf-8")
    shutil.rmtree(a_dir.attachments / "合同")
    usb = tmp_path / "usb"
    a = backup.create_backup(a_dir, usb, prefix="a").path
    b = backup.create_backup(b_dir, usb, prefix="b").path
    expected = {"a": (staff_names(a_dir.db_path), files(a_dir.attachments)),
                "b": (staff_names(b_dir.db_path), files(b_dir.attachments))}
    assert expected["a"] != expected["b"] and expected["a"][1] != ATTACHMENTS

    datadir = copy_data(a_dir, DataDir(tmp_path / "data"))
    server = Server("restore", datadir, str(a), str(b))
    rng = random.Random(11)
    seen = {"a": 0, "b": 0}
    completed = 0
    try:
        one = server.one_run_takes(99)
        for seed in range(40):
            completed += len(server.run_and_kill(seed, rng.uniform(0, 2.5 * one)))
            backup.recover_interrupted_restore(datadir)  # what the next start does first
            check_database(datadir.db_path).close()
            current = (staff_names(datadir.db_path), files(datadir.attachments))
            which = [k for k, v in expected.items() if v == current]
            assert len(which) == 1, "the data is neither the old nor the new backup"
            seen[which[0]] += 1
            assert not (datadir.root / ".restore-staging").exists()
            with DataDirLock(datadir):  # the killed restore's lock died with it
                pass
    finally:
        server.close()
    assert completed > 0 and seen["a"] and seen["b"], seen
    open_database(datadir.db_path, datadir.backups)
    close_database()
