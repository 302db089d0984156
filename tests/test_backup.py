"""Backups: round trips, encryption, damaged files, restore rules, rotation, failing media, disk full."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.backup_data import (
    ATTACHMENTS,
    copy_data,
    dump,
    files,
    integrity,
    staff_names,
    table_rows,
)

import neiqin.db as dbmod
from neiqin import backup, clock
from neiqin.backup.sealing import _read_header
from neiqin.db import DataDirLock, close_database, open_database
from neiqin.errors import DatabaseTooNewError, DataDirLockedError, NeiqinError
from neiqin.paths import DataDir

PASS = "门卫室钥匙在抽屉2号"


@pytest.fixture
def template(backup_template) -> DataDir:
    return backup_template


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    monkeypatch.setattr("neiqin.backup.sealing.SCRYPT_N", 2**10)  # the real cost is exercised in test_real_kdf_parameters


@pytest.fixture
def filled(template, datadir):
    copy_data(template, datadir)
    open_database(datadir.db_path, datadir.backups)
    yield datadir
    close_database()


@pytest.fixture
def usb(tmp_path) -> Path:
    return tmp_path / "usb" / backup.USB_FOLDER


def state(datadir: DataDir) -> tuple[list[str], dict[str, bytes]]:
    return dump(datadir.db_path), files(datadir.attachments)


def record_offsets(path: Path) -> list[tuple[int, int]]:
    """(offset, total length) of every record, parsed independently of the code under test."""
    data = path.read_bytes()
    (n,) = __import__("struct").unpack(">I", data[9:13])
    pos = 13 + n + 32
    out = []
    while pos < len(data):
        word = int.from_bytes(data[pos:pos + 4], "big")
        size = 4 + (word & 0x7FFFFFFF)
        out.append((pos, size))
        pos += size
    return out


# ---------------------------------------------------------------------------------------------- round trips


def test_round_trip_restores_every_row_and_attachment(filled, usb, tmp_path):
    result = backup.create_backup(filled, usb)
    assert result.path.parent == usb and result.path.suffix == ".nqbak" and result.verified
    assert {"snapshot", "write", "verify"} <= set(result.timings)
    info = result.info
    assert info.app_version and info.schema_version == dbmod.SCHEMA_VERSION
    from neiqin.models import LEDGERS

    counts = {lg["key"]: lg["count"] for lg in info.ledgers}
    assert counts["staff"] == 60 and counts["visitors"] == 300 and set(counts) == set(LEDGERS)
    assert info.attachment_files == len(ATTACHMENTS) and len(info.database_sha256) == 64
    assert "备份完成，已读回校验" in result.summary() and "来访登记 300 条" in result.summary()
    close_database()

    fresh = DataDir(tmp_path / "other-pc" / "data")
    restored = backup.restore_backup(result.path, fresh)
    assert restored.previous_database is None  # nothing there before
    assert table_rows(fresh.db_path) == table_rows(filled.db_path)
    assert dump(fresh.db_path) == dump(filled.db_path)
    assert files(fresh.attachments) == files(filled.attachments) == ATTACHMENTS
    assert integrity(fresh.db_path) == "ok"
    assert not (fresh.root / ".restore-staging").exists() and not (fresh.root / "restore-pending.json").exists()
    open_database(fresh.db_path, fresh.backups)  # the restored data opens normally


def test_encrypted_round_trip_and_no_plaintext_on_the_stick(filled, usb, tmp_path):
    plain = backup.create_backup(filled, usb / "plain")
    secret = backup.create_backup(filled, usb, passphrase=PASS)
    assert secret.info.encrypted and "已加密" in secret.summary()
    from neiqin.models import Staff, Visit, settings

    visit = Visit.select().where(Visit.id_number != "").first()
    needles = [settings.get("org_name"), visit.id_number, visit.company, Staff.get_by_id(5).name + "",
               "附件说明：机密", "SQLite format 3", "CREATE TABLE", "来访登记", '"schema_version"']
    plain_bytes, secret_bytes = plain.path.read_bytes(), secret.path.read_bytes()
    for text in needles:
        raw = text.encode("utf-8")
        assert raw in plain_bytes, text  # the check can see plaintext when it is there …
        assert raw not in secret_bytes, text  # … and there is none in the encrypted file
    assert PASS.encode() not in secret_bytes

    close_database()
    fresh = DataDir(tmp_path / "fresh")
    backup.restore_backup(secret.path, fresh, PASS)
    assert dump(fresh.db_path) == dump(filled.db_path)
    assert files(fresh.attachments) == ATTACHMENTS


def test_real_kdf_parameters(filled, usb, monkeypatch):
    monkeypatch.setattr("neiqin.backup.sealing.SCRYPT_N", 2**17)
    result = backup.create_backup(filled, usb, passphrase=PASS)
    with result.path.open("rb") as f:
        meta, _ = _read_header(f)
    assert meta["kdf"] == {"name": "scrypt", "salt": meta["kdf"]["salt"], "n": 2**17, "r": 8, "p": 1}
    assert meta["cipher"] == "AES-256-GCM"
    assert backup.read_manifest(result.path, PASS).encrypted


def test_wrong_passphrase_is_refused_and_nothing_is_touched(filled, usb):
    result = backup.create_backup(filled, usb, passphrase=PASS)
    close_database()
    before = state(filled)
    for wrong in ("门卫室钥匙在抽屉3号", PASS.upper() + " ", "x"):
        with pytest.raises(backup.WrongPassphrase) as e:
            backup.restore_backup(result.path, filled, wrong)
        assert "口令不正确" in str(e.value) and "没有任何改动" in str(e.value)
        with pytest.raises(backup.WrongPassphrase):
            backup.read_manifest(result.path, wrong)
    with pytest.raises(backup.PassphraseRequired, match="加密备份"):
        backup.verify_backup(result.path)
    assert state(filled) == before
    assert not list(filled.backups.glob("before-restore-*"))
    assert backup.verify_backup(result.path, PASS).ok


# ---------------------------------------------------------------------------------------------- damaged files


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
def small_chunks(request, filled, usb):
    passphrase = PASS if request.param else None
    result = backup.create_backup(filled, usb, passphrase=passphrase, chunk_size=16 * 1024)
    close_database()
    return result.path, passphrase


def _refused(path: Path, passphrase, datadir: DataDir, tmp_path: Path) -> str:
    """The damaged file fails verify AND restore, and the data dir is unchanged."""
    before = state(datadir)
    with pytest.raises(backup.CorruptBackup) as e1:
        backup.verify_backup(path, passphrase)
    with pytest.raises(backup.CorruptBackup) as e2:
        backup.restore_backup(path, datadir, passphrase)
    assert str(e1.value) == str(e2.value)
    assert state(datadir) == before
    assert not list(datadir.backups.glob("before-restore-*"))
    assert not (datadir.root / ".restore-staging").exists()
    return str(e1.value)


def test_truncated_backup_is_detected_and_never_restored(small_chunks, filled, tmp_path):
    path, passphrase = small_chunks
    data = path.read_bytes()
    records = record_offsets(path)
    assert len(records) > 20
    last_start = records[-1][0]
    cuts = [0, 5, 12, 40, records[0][0] + 2, records[3][0], records[3][0] + 100, len(data) // 2,
            last_start, last_start + 3, len(data) - 1]
    damaged = tmp_path / "cut.nqbak"
    for cut in cuts:
        damaged.write_bytes(data[:cut])
        message = _refused(damaged, passphrase, filled, tmp_path)
        assert "不完整" in message or "不是内勤台账的备份文件" in message, (cut, message)


def test_bit_flips_are_detected_and_never_restored(small_chunks, filled, tmp_path):
    path, passphrase = small_chunks
    data = path.read_bytes()
    records = record_offsets(path)
    header_end = records[0][0]
    spots = [0, 9, 20, header_end - 40, header_end - 1, header_end, header_end + 3, header_end + 30,
             records[5][0] + 500, len(data) // 2, records[-1][0], records[-1][0] + 7, len(data) - 1]
    damaged = tmp_path / "flip.nqbak"
    for spot in spots:
        for bit in (0x01, 0x80):
            flipped = bytearray(data)
            flipped[spot] ^= bit
            damaged.write_bytes(bytes(flipped))
            message = _refused(damaged, passphrase, filled, tmp_path)
            assert "损坏" in message or "不完整" in message or "不是内勤台账" in message, (spot, message)


def test_reordered_dropped_and_extra_records_are_detected(small_chunks, filled, tmp_path):
    path, passphrase = small_chunks
    data = path.read_bytes()
    (a, na), (b, nb), (c, nc) = record_offsets(path)[2:5]
    assert na == nb == nc
    swapped = data[:a] + data[b:b + nb] + data[a:a + na] + data[c:]
    dropped = data[:a] + data[b:]
    last, _ = record_offsets(path)[-1]
    without_last = data[:last]
    cases = {"swapped": swapped, "dropped": dropped, "extra": data + b"\0" * 10,
             "doubled": data + data[last:], "last-dropped": without_last}
    for name, content in cases.items():
        damaged = tmp_path / f"{name}.nqbak"
        damaged.write_bytes(content)
        _refused(damaged, passphrase, filled, tmp_path)


def test_not_a_backup_file(filled, tmp_path):
    close_database()
    other = tmp_path / "photo.nqbak"
    other.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(5000))
    assert "不是内勤台账的备份文件" in _refused(other, None, filled, tmp_path)
    with pytest.raises(backup.BackupError, match="找不到备份文件"):
        backup.verify_backup(tmp_path / "missing.nqbak")


# ---------------------------------------------------------------------------------------------- restore rules


def test_backup_from_newer_schema_is_refused(filled, usb):
    newer = dbmod.SCHEMA_VERSION + 1
    filled_db = sqlite3.connect(filled.db_path)
    filled_db.execute("INSERT INTO schema_version(version, app_version) VALUES (?, '9.9')", (newer,))
    filled_db.commit()
    filled_db.close()
    result = backup.create_backup(filled, usb)
    close_database()
    info = backup.read_manifest(result.path)
    assert info.too_new and dbmod.too_new_message(newer) in info.preview_lines()

    with sqlite3.connect(filled.db_path) as conn:
        conn.execute("DELETE FROM schema_version WHERE version = ?", (newer,))
    conn.close()
    before = state(filled)
    with pytest.raises(DatabaseTooNewError) as e:
        backup.restore_backup(result.path, filled)
    assert str(e.value) == dbmod.too_new_message(newer)
    assert state(filled) == before
    assert not (filled.root / ".restore-staging").exists()


def test_older_backup_is_migrated_forward(filled, usb, monkeypatch, tmp_path):
    old = backup.create_backup(filled, usb)
    close_database()

    def v2(database):
        database.execute_sql("CREATE TABLE seal_register (id INTEGER PRIMARY KEY, name TEXT)")

    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (dbmod.SCHEMA_VERSION + 1, "seals", v2)])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", dbmod.SCHEMA_VERSION + 1)
    info = backup.read_manifest(old.path)
    assert not info.too_new and "恢复后会自动升级" in "\n".join(info.preview_lines())

    fresh = DataDir(tmp_path / "fresh")
    result = backup.restore_backup(old.path, fresh)
    assert result.migrated and f"升级到 {dbmod.SCHEMA_VERSION}" in result.summary()
    conn = sqlite3.connect(fresh.db_path)
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == dbmod.SCHEMA_VERSION
    assert conn.execute("SELECT COUNT(*) FROM seal_register").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM visit").fetchone()[0] == 300
    conn.close()
    assert not Path(f"{fresh.db_path}-wal").exists()


def test_restore_keeps_the_current_data_aside(filled, usb):
    result = backup.create_backup(filled, usb)
    from neiqin.models import STAFF

    STAFF.create({"name": "恢复后应消失", "department": "办公室"})
    close_database()
    (filled.attachments / "new.txt").write_text("备份之后新加的附件", encoding="utf-8")
    before = state(filled)

    restored = backup.restore_backup(result.path, filled)
    assert "恢复后应消失" not in staff_names(filled.db_path)
    assert files(filled.attachments) == ATTACHMENTS
    assert restored.previous_database and dump(restored.previous_database) == before[0]
    assert restored.previous_attachments and files(restored.previous_attachments) == before[1]
    assert "恢复前的数据已另存为" in restored.summary()


def test_restore_works_when_the_current_database_is_broken(filled, usb):
    result = backup.create_backup(filled, usb)
    close_database()
    garbage = b"this is not sqlite at all " * 100
    filled.db_path.write_bytes(garbage)
    Path(f"{filled.db_path}-wal").write_bytes(b"junk wal")
    with pytest.raises(NeiqinError):
        open_database(filled.db_path, filled.backups)  # the program itself could not start

    restored = backup.restore_backup(result.path, filled)
    assert restored.previous_database.read_bytes() == garbage
    assert Path(f"{restored.previous_database}-wal").read_bytes() == b"junk wal"
    assert not Path(f"{filled.db_path}-wal").exists()
    assert integrity(filled.db_path) == "ok"
    open_database(filled.db_path, filled.backups)


def test_restore_takes_the_lock_and_the_window_can_restore_under_its_own(filled, usb):
    result = backup.create_backup(filled, usb)
    close_database()
    with DataDirLock(filled):
        with pytest.raises(DataDirLockedError):
            backup.restore_backup(result.path, filled)
        backup.restore_backup(result.path, filled, lock=False)  # the window holds the lock itself
    assert integrity(filled.db_path) == "ok"


def test_backup_does_not_need_the_lock_and_sees_only_committed_data(filled, usb):
    from neiqin.models import STAFF

    STAFF.create({"name": "已提交的人", "department": "办公室"})
    other = sqlite3.connect(filled.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO setting(key, value) VALUES ('uncommitted', '1')")

    def write_meanwhile(stage, done, total):
        if stage.startswith("正在写入") and not getattr(write_meanwhile, "done", False):
            write_meanwhile.done = True
            other.execute("COMMIT")  # lands after the snapshot: not in this backup
            other.execute("INSERT INTO setting(key, value) VALUES ('later', '1')")

    with DataDirLock(filled):  # as if the window were open
        result = backup.create_backup(filled, usb, progress=write_meanwhile)
    other.close()
    close_database()
    fresh = DataDir(filled.root.parent / "fresh")
    backup.restore_backup(result.path, fresh)
    keys = {r[0] for r in sqlite3.connect(fresh.db_path).execute("SELECT key FROM setting")}
    assert "uncommitted" not in keys and "later" not in keys
    assert "已提交的人" in staff_names(fresh.db_path)


def test_interrupted_restore_is_rolled_back_at_next_start(filled, usb, monkeypatch):
    result = backup.create_backup(filled, usb)
    close_database()
    (filled.attachments / "only-now.txt").write_text("现在的附件", encoding="utf-8")
    before = state(filled)
    real_recover = backup.recover_interrupted_restore

    def power_cut(db_path):
        raise RuntimeError("power cut")

    monkeypatch.setattr("neiqin.backup.restore.recover_interrupted_restore", lambda datadir: None)
    monkeypatch.setattr("neiqin.backup.restore._retire_wal", power_cut)  # after the attachments moved, before the swap
    with pytest.raises(RuntimeError):
        backup.restore_backup(result.path, filled)
    assert (filled.root / "restore-pending.json").exists()
    assert files(filled.attachments) == ATTACHMENTS  # half-way: new attachments, old database

    message = real_recover(filled)
    assert message and "回到恢复前的数据" in message
    assert state(filled) == before
    assert not (filled.root / "restore-pending.json").exists()
    assert not (filled.root / ".restore-staging").exists()
    assert real_recover(filled) is None


def test_restore_interrupted_after_the_swap_is_completed(filled, usb):
    result = backup.create_backup(filled, usb)
    close_database()
    backup.restore_backup(result.path, filled)
    after = state(filled)
    (filled.root / ".restore-staging").mkdir()  # as left by a crash right after the database rename
    (filled.root / "restore-pending.json").write_text(json.dumps({"attachments_aside": ""}), encoding="utf-8")
    assert "已完成恢复" in backup.recover_interrupted_restore(filled)
    assert state(filled) == after
    assert not (filled.root / ".restore-staging").exists()


def test_interrupted_restore_in_one_process_rolls_back_itself(filled, usb, monkeypatch):
    result = backup.create_backup(filled, usb)
    close_database()
    before = state(filled)
    monkeypatch.setattr("neiqin.backup.restore._retire_wal", lambda p: (_ for _ in ()).throw(OSError(errno.EACCES, "denied")))
    with pytest.raises(backup.BackupError, match="无法替换数据文件") as e:
        backup.restore_backup(result.path, filled)
    assert "当前数据没有任何改动" in str(e.value)
    assert state(filled) == before and not (filled.root / "restore-pending.json").exists()


# ---------------------------------------------------------------------------------------------- rotation, automatic


def test_usb_rotation_keeps_the_newest(filled, usb):
    made = [backup.create_backup(filled, usb, keep=2).path for _ in range(4)]
    assert backup.list_backups(usb) == [made[3], made[2]]
    assert not list(usb.glob(".*.part"))


def test_old_backups_make_room_on_a_small_stick(filled, usb, monkeypatch):
    first = backup.create_backup(filled, usb)
    size = first.path.stat().st_size
    capacity = int(size * 3.5)
    monkeypatch.setattr("neiqin.backup.media._free_space", lambda folder: capacity - sum(
        p.stat().st_size for p in Path(folder).iterdir() if p.is_file()))
    backup.create_backup(filled, usb)
    backup.create_backup(filled, usb)
    fourth = backup.create_backup(filled, usb)
    assert first.path in fourth.removed and not first.path.exists()
    assert len(backup.list_backups(usb)) == 3

    capacity = int(size * 1.5)  # not even one more fits beside the newest
    with pytest.raises(backup.TargetWriteError, match="U盘空间不足"):
        backup.create_backup(filled, usb)
    assert len(backup.list_backups(usb)) == 1  # the newest is never deleted to make room


def test_local_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = dt.datetime(2024, 1, 1, 18, 0)
    times = [start + dt.timedelta(days=i, minutes=i % 5) for i in range(500)]
    times += [start + dt.timedelta(days=499, hours=2)]  # two on the last day
    keep = {times[i] for i in backup.select_to_keep(times)}
    newest = max(times)
    assert newest in keep
    days = sorted({t.date() for t in keep}, reverse=True)
    assert days[:7] == [newest.date() - dt.timedelta(days=i) for i in range(7)]
    assert len({(t.year, t.month) for t in keep}) == 12
    assert len(keep) <= 3 + 7 + 4 + 12
    assert min(keep) > newest - dt.timedelta(days=366)
    assert sorted(times)[-3:] == sorted(keep)[-3:]  # the three newest, even two on one day


def test_rotate_local_deletes_only_automatic_backups(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    start = dt.datetime(2025, 1, 1, 12)
    for i in range(120):
        (folder / f"auto-{start + dt.timedelta(days=i):%Y%m%d-%H%M%S}.nqbak").write_bytes(b"x")
    keepers = [folder / "neiqin-before-v2-20250101-120000.sqlite", folder / "before-restore-x.sqlite",
               folder / "neiqin-backup-20240101-120000.nqbak"]
    for p in keepers:
        p.write_bytes(b"y")
    removed = backup.rotate_local(folder, 7, 4, 12)
    left = backup.list_backups(folder, backup.AUTO_PREFIX)
    assert len(left) + len(removed) == 120 and 7 <= len(left) <= 26
    assert all(p.exists() for p in keepers)


def test_automatic_backup_daily_and_skipped_when_nothing_changed(filled):
    first = backup.auto_backup(filled)
    assert first and first.path.parent == filled.backups and first.path.name.startswith("auto-")
    assert backup.auto_backup(filled) is None  # nothing changed since
    assert not backup.auto_backup_due(filled)
    assert backup.auto_backup_due(filled, clock.now() + dt.timedelta(days=1))
    from neiqin.models import STAFF

    STAFF.create({"name": "新来的", "department": "办公室"})
    second = backup.auto_backup(filled)
    assert second and second.path != first.path
    assert backup.verify_backup(second.path).ok
    assert backup.local_policy() == (7, 4, 12)


# ---------------------------------------------------------------------------------------------- failing media


class FailingFile:
    """The backup file on a stick that fills up, or is pulled out, after ``limit`` bytes."""

    def __init__(self, path: Path, limit: int, err: int, at_flush: bool = False):
        self.f = open(path, "xb")  # noqa: SIM115
        self.limit, self.err, self.at_flush, self.n = limit, err, at_flush, 0

    def write(self, data) -> int:
        room = self.limit - self.n
        if not self.at_flush and len(data) > room:
            self.f.write(bytes(data[:max(room, 0)]))
            self.n = self.limit
            raise OSError(self.err, os.strerror(self.err))
        self.f.write(data)
        self.n += len(data)
        return len(data)

    def flush(self) -> None:
        if self.at_flush:
            raise OSError(self.err, os.strerror(self.err))
        self.f.flush()

    def fileno(self) -> int:
        return self.f.fileno()

    def close(self) -> None:
        self.f.close()


@pytest.mark.parametrize("limit", [0, 100, 70_000, 400_000])
@pytest.mark.parametrize(("err", "expected"), [
    (errno.ENOSPC, "U盘空间不足"), (errno.EIO, "U盘已拔出或无法写入"), (errno.ENODEV, "U盘已拔出或无法写入"),
    (errno.EROFS, "U盘是只读的"),
])
def test_full_or_pulled_stick_leaves_no_backup(filled, usb, monkeypatch, limit, err, expected):
    before = dump(filled.db_path)
    monkeypatch.setattr("neiqin.backup.write._open_target", lambda path: FailingFile(path, limit, err))
    with pytest.raises(backup.TargetWriteError) as e:
        backup.create_backup(filled, usb, passphrase=PASS if limit % 2 else None)
    message = str(e.value)
    assert message.startswith(expected) and "数据库没有受影响" in message and "未写完的文件已删除" in message
    assert list(usb.iterdir()) == []
    assert dump(filled.db_path) == before
    assert list((filled.backups / ".tmp").iterdir()) == []
    assert integrity(filled.db_path) == "ok"


def test_stick_pulled_at_the_final_flush(filled, usb, monkeypatch):
    monkeypatch.setattr("neiqin.backup.write._open_target", lambda path: FailingFile(path, 0, errno.EIO, at_flush=True))
    with pytest.raises(backup.TargetWriteError, match="U盘已拔出或无法写入"):
        backup.create_backup(filled, usb)
    assert list(usb.iterdir()) == []


def test_a_leftover_part_file_never_counts_as_a_backup(filled, usb, monkeypatch):
    monkeypatch.setattr("neiqin.backup.write._open_target", lambda path: FailingFile(path, 300_000, errno.EIO))
    monkeypatch.setattr("neiqin.backup.write._remove_quietly", lambda *paths: False)  # the stick is gone: cannot delete
    with pytest.raises(backup.TargetWriteError) as e:
        backup.create_backup(filled, usb)
    assert "以 .part 结尾的未完成文件" in str(e.value)
    parts = list(usb.glob(".*.part"))
    assert len(parts) == 1 and backup.list_backups(usb) == []
    close_database()
    with pytest.raises(backup.CorruptBackup, match="不完整"):
        backup.verify_backup(parts[0])


def test_bad_read_back_deletes_the_backup(filled, usb, monkeypatch):
    def bad_block(path):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))

    monkeypatch.setattr("neiqin.backup.readback._drop_cache", bad_block)
    with pytest.raises(backup.CorruptBackup) as e:
        backup.create_backup(filled, usb)
    assert "读回校验失败" in str(e.value) and "换一个U盘" in str(e.value)
    assert backup.list_backups(usb) == []


def test_cancel_leaves_nothing_behind(filled, usb):
    def cancel(stage, done, total):
        if stage.startswith("正在写入") and done > 50_000:
            raise backup.BackupCancelled("已取消")

    with pytest.raises(backup.BackupCancelled):
        backup.create_backup(filled, usb, progress=cancel)
    assert list(usb.iterdir()) == []
    assert list((filled.backups / ".tmp").iterdir()) == []


def test_target_inside_the_data_dir_is_refused(filled):
    with pytest.raises(backup.BackupError, match="不能在数据目录里面"):
        backup.create_backup(filled, filled.root / "mybackups")


TINY_STICK = r"""
import json, subprocess, sys
from pathlib import Path
from neiqin import backup
from neiqin.backup import media
from neiqin.paths import DataDir
datadir, mount = DataDir(Path(sys.argv[1])), Path(sys.argv[2])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)], check=True)
out = {}
for name, precheck in (("precheck", True), ("midway", False)):
    if not precheck:
        media._free_space = lambda folder: None  # free space unknown: the write itself runs out
    try:
        backup.create_backup(datadir, mount / "内勤台账备份")
        out[name] = "written"
    except backup.TargetWriteError as e:
        out[name] = str(e)
    out[name + "_left"] = sorted(p.name for p in (mount / "内勤台账备份").iterdir())
print(json.dumps(out, ensure_ascii=False))
"""


def test_real_tiny_stick_runs_out_of_space(filled, tmp_path):
    """A real 300 KB tmpfs (in a private mount namespace) standing in for a full USB stick."""
    close_database()
    mount = tmp_path / "stick"
    mount.mkdir()
    cmd = ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c", TINY_STICK,
           str(filled.root), str(mount)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    except FileNotFoundError:
        pytest.skip("unshare not available")
    if r.returncode != 0 and ("Operation not permitted" in r.stderr or "mount" in r.stderr):
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()[-200:]}")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for name in ("precheck", "midway"):
        assert out[name].startswith("U盘空间不足"), out
        assert "数据库没有受影响" in out[name]
        assert [n for n in out[name + "_left"] if n.endswith((".nqbak", ".part"))] == []
    assert integrity(filled.db_path) == "ok"


# ---------------------------------------------------------------------------------------------- sqlite errors


def test_disk_full_on_save_is_a_clear_message_and_nothing_is_corrupted(filled):
    from neiqin.models import STAFF, AuditLog, Staff, db

    staff_before, audit_before = Staff.select().count(), AuditLog.select().count()
    pages = db.obj.execute_sql("PRAGMA page_count").fetchone()[0]
    db.obj.execute_sql(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on: a real SQLITE_FULL
    saved = 0
    with pytest.raises(NeiqinError) as e:
        with backup.friendly_sqlite_errors():
            for i in range(1000):
                STAFF.create({"name": f"新员工{i}", "department": "办公室", "note": "备注" * 400})
                saved += 1
    assert str(e.value).startswith("磁盘空间已满") and "已保存的数据完好无损" in str(e.value)
    assert isinstance(e.value.__cause__, Exception)
    db.obj.execute_sql(f"PRAGMA max_page_count = {pages * 100}")
    assert Staff.select().count() == staff_before + saved  # the failed save left nothing half-written
    assert AuditLog.select().count() == audit_before + saved
    conn = sqlite3.connect(filled.db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table in ("staff_fts_tri", "staff_fts_uni"):
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # raises if out of step
    conn.close()
    STAFF.create({"name": "空间清理后", "department": "办公室"})  # and saving works again


def test_map_sqlite_error_for_locked_and_corrupt_files(tmp_path):
    path = tmp_path / "x.sqlite"
    a = sqlite3.connect(path, isolation_level=None)
    a.execute("CREATE TABLE t(x)")
    a.execute("BEGIN IMMEDIATE")
    b = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        b.execute("INSERT INTO t VALUES (1)")
    assert str(backup.map_sqlite_error(locked.value)).startswith("数据文件正忙")
    a.close()
    b.close()

    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 1000)
    with pytest.raises(sqlite3.DatabaseError) as corrupt:
        sqlite3.connect(junk).execute("SELECT * FROM sqlite_master").fetchall()
    assert "从备份恢复" in str(backup.map_sqlite_error(corrupt.value))

    import peewee

    wrapped = peewee.OperationalError(sqlite3.OperationalError("database or disk is full"))
    assert str(backup.map_sqlite_error(wrapped)).startswith("磁盘空间已满")
    assert backup.map_sqlite_error(ValueError("database or disk is full")) is None
    with pytest.raises(ValueError):
        with backup.friendly_sqlite_errors():
            raise ValueError("not sqlite")


# ---------------------------------------------------------------------------------------------- verify


def test_verify_live_database_and_extra_verifiers(filled, usb, monkeypatch):
    report = backup.verify_database(filled.db_path)
    assert report.ok and "校验通过" in report.text()

    calls = []

    def seal_chain(conn):
        calls.append(conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0])
        return ["用印登记第 3 条的哈希链不连续"]

    def broken(conn):
        raise RuntimeError("bug")

    monkeypatch.setattr("neiqin.backup.verify.EXTRA_VERIFIERS", [seal_chain, broken])
    report = backup.verify_database(filled.db_path)
    assert not report.ok and "用印登记第 3 条的哈希链不连续" in report.problems
    assert any("无法运行" in p for p in report.problems) and calls == [60]

    result = backup.create_backup(filled, usb)  # a faithful copy is made regardless of the extra checks
    close_database()
    on_backup = backup.verify_backup(result.path)
    assert not on_backup.ok and "用印登记第 3 条的哈希链不连续" in on_backup.problems
    assert backup.verify_backup(result.path, run_extra=False).ok


def test_verify_finds_a_damaged_live_database(filled):
    close_database()
    data = bytearray(filled.db_path.read_bytes())
    page = 4096
    for i in range(page * 20, page * 24):
        data[i] = 0x5A
    filled.db_path.write_bytes(bytes(data))
    report = backup.verify_database(filled.db_path)
    assert not report.ok and "发现" in report.text()


# ---------------------------------------------------------------------------------------------- status, targets


def test_usb_backup_status(filled, usb):
    from neiqin.models import settings

    assert backup.usb_backup_status() == ("从未备份到U盘", True, backup.usb_backup_status()[2])
    result = backup.create_backup(filled, usb)
    backup.record_usb_backup(result)
    text, overdue, tip = backup.usb_backup_status()
    assert (text, overdue) == ("上次U盘备份 今天", False) and str(usb) in tip
    last = backup.last_usb_backup()
    for days, warn, expect_overdue in ((5, 7, False), (10, 7, True), (5, 3, True)):
        settings.set_value("backup.warn_days", warn)
        when = clock.now() - dt.timedelta(days=days)
        settings.set_value("backup.last_usb", {**last, "time": when.isoformat(sep=" ")})
        text, overdue, tip = backup.usb_backup_status()
        assert text == f"上次U盘备份 {days} 天前" and overdue is expect_overdue
        assert ("请尽快备份到U盘" in tip) is expect_overdue


def test_target_passphrase_check_never_stores_the_passphrase(filled, usb):
    assert backup.target_id(usb) is None
    tid = backup.target_id(usb, create=True)
    assert tid and backup.target_id(usb) == tid
    assert backup.passphrase_matches(tid, PASS) is None
    backup.remember_target(tid, label="金士顿U盘", folder=usb, passphrase=PASS)
    assert backup.passphrase_matches(tid, PASS) is True
    assert backup.passphrase_matches(tid, PASS + "x") is False
    assert backup.target_settings(tid)["encrypt"] is True
    close_database()
    raw = b"".join(p.read_bytes() for p in filled.root.glob("neiqin.sqlite*"))
    assert PASS.encode() not in raw
    open_database(filled.db_path, filled.backups)
    backup.forget_target_passphrase(tid)
    assert backup.passphrase_matches(tid, PASS) is None
    with pytest.raises(backup.BackupError, match="至少需要 8 个字符"):
        backup.validate_new_passphrase("short")
    with pytest.raises(backup.BackupError, match="不一致"):
        backup.validate_new_passphrase("long enough 1", "long enough 2")


def test_linux_removable_drive_detection():
    mounts = ("/dev/vda / ext4 rw 0 0\n/dev/sdb1 /media/clerk/KINGSTON vfat rw 0 0\n"
              "/dev/sdc1 /run/media/clerk/My\\040Stick exfat rw 0 0\ntmpfs /run tmpfs rw 0 0\n"
              "/dev/sdd1 /media/usb0 vfat rw 0 0\n")
    assert backup.linux_removable_roots(mounts) == [
        Path("/media/clerk/KINGSTON"), Path("/run/media/clerk/My Stick"), Path("/media/usb0")]
    drive = backup.Drive(Path("/media/usb0"), "usb0", 2 * 1024**3, 8 * 1024**3)
    assert drive.backup_folder == Path("/media/usb0") / "内勤台账备份"
    assert "可用 2.0 GB" in drive.title()
    assert isinstance(backup.detect_removable_drives(), list)


def test_core_backup_modules_load_no_qt():
    code = ("import sys, neiqin.backup, neiqin.cli.backup;"
            "qt=[m for m in sys.modules if m.startswith('PySide6')]; print(qt); sys.exit(1 if qt else 0)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_damaged_live_database_gives_no_backup(filled, usb):
    close_database()
    conn = sqlite3.connect(filled.db_path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'visit_name'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(filled.db_path.read_bytes())
    data[(root - 1) * page:(root - 1) * page + 8] = b"\x0d\xff\xff\xff\xff\xff\xff\xff"  # an index page header
    filled.db_path.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError) as e:
        backup.create_backup(filled, usb)
    assert "数据文件本身有损坏" in str(e.value) and "校验数据文件" in str(e.value)
    assert backup.list_backups(usb) == [] and list((filled.backups / ".tmp").iterdir()) == []


def test_snapshot_failing_integrity_check_deletes_the_written_backup(filled, usb, monkeypatch):
    monkeypatch.setattr("neiqin.backup.verify.integrity_problems", lambda conn: ["完整性检查：Page 7 is never used"])
    with pytest.raises(backup.CorruptBackup, match="数据文件本身有损坏"):
        backup.create_backup(filled, usb)
    assert list(usb.iterdir()) == []


def test_restore_keeps_saves_that_were_only_in_the_wal(filled, usb, tmp_path):
    """A crashed window leaves commits in -wal only; the copy put aside before a restore must keep them."""
    result = backup.create_backup(filled, usb)
    close_database()
    conn = sqlite3.connect(filled.db_path, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE staff SET name = '只在日志里' WHERE id = 1")
    crashed = DataDir(tmp_path / "crashed").ensure()
    for suffix in ("", "-wal"):  # the files as a power cut would leave them, WAL not yet folded in
        Path(f"{crashed.db_path}{suffix}").write_bytes(Path(f"{filled.db_path}{suffix}").read_bytes())
    conn.close()
    assert Path(f"{crashed.db_path}-wal").stat().st_size > 0

    restored = backup.restore_backup(result.path, crashed)
    assert "只在日志里" not in staff_names(crashed.db_path)
    assert not Path(f"{crashed.db_path}-wal").exists() or Path(f"{crashed.db_path}-wal").stat().st_size == 0
    assert "只在日志里" in staff_names(restored.previous_database)
