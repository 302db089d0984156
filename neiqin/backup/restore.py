"""Restoring a backup: unpack and check everything into a staging folder first, put the current database aside,
and swap files in an order that a crash at any point leaves either the old or the new data (``commit_restore``;
``neiqin.backup_guard.recover_interrupted_restore`` finishes or rolls back an interrupted one at the next start).

It never opens the current database through the models, so it works when the program itself cannot start.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import neiqin.db as dbmod
from neiqin import winfs
from neiqin.backup.common import _UNTOUCHED, BackupError, Progress, _fsync_file, _no_progress, _now, _stamp
from neiqin.backup.container import DATABASE
from neiqin.backup.manifest import BackupInfo
from neiqin.backup.reading import _unpack
from neiqin.backup.verify import _check_database
from neiqin.backup_guard import PENDING as _PENDING
from neiqin.backup_guard import STAGING as _STAGING
from neiqin.backup_guard import fsync_dir as _fsync_dir
from neiqin.backup_guard import recover_interrupted_restore
from neiqin.backup_guard import remove_quietly as _remove_quietly
from neiqin.errors import DatabaseTooNewError
from neiqin.paths import DataDir

log = logging.getLogger(__name__)


@dataclass
class StagedRestore:
    """A backup unpacked and checked next to the data, ready for ``commit_restore``."""

    source: Path
    folder: Path
    info: BackupInfo
    migrated: bool


@dataclass
class RestoreResult:
    info: BackupInfo
    previous_database: Path | None
    previous_attachments: Path | None
    migrated: bool

    def summary(self) -> str:
        lines = [f"已从备份恢复（备份时间 {self.info.created:%Y-%m-%d %H:%M}）。",
                 f"内容：{self.info.ledger_text()}；附件 {self.info.attachment_files} 个。"]
        if self.migrated:
            lines.append(f"数据已从版本 {self.info.schema_version} 升级到 {dbmod.SCHEMA_VERSION}。")
        elif self.info.schema_version < dbmod.SCHEMA_VERSION:
            lines.append("这是旧版本的数据，下次打开程序时会自动升级。")
        if self.previous_database:
            lines.append(f"恢复前的数据已另存为：{self.previous_database}")
        return "\n".join(lines)


def prepare_restore(path: Path, datadir: DataDir, passphrase: str | None = None, *, migrate: bool = True,
                    progress: Progress | None = None) -> StagedRestore:
    """Unpack and check a backup into a staging folder; the current data is not touched.

    Refuses a backup from a newer program (DatabaseTooNewError). With ``migrate`` an older one is upgraded in
    the staging folder (via ``open_database``, which binds the models: not for a running window, which lets
    the next start migrate instead).
    """
    report = progress or _no_progress
    path = Path(path)
    recover_interrupted_restore(datadir)
    datadir.ensure()
    stage = datadir.root / _STAGING
    _remove_quietly(stage)
    stage.mkdir()
    try:
        info, _ = _unpack(path, passphrase, stage, attachments=True, durable=True, progress=report,
                          stage="正在读取备份")
        staged_db = stage / DATABASE
        report("正在检查数据完整性", 0, 0)
        _check_database(staged_db, info.tables, info.schema_version, run_extra=False)
        if info.too_new:
            raise DatabaseTooNewError(dbmod.too_new_message(info.schema_version))
        migrated = migrate and info.schema_version < dbmod.SCHEMA_VERSION
        if migrated:
            report("正在升级数据版本", 0, 0)
            dbmod.open_database(staged_db, datadir.backups)
            dbmod.close_database()
        _settle(staged_db)
        (stage / "attachments").mkdir(exist_ok=True)
        _fsync_dir(stage)
        return StagedRestore(path, stage, info, migrated)
    except BaseException:
        _remove_quietly(stage)
        raise


def _settle(db_file: Path) -> None:
    """Fold any -wal into the file and flush it, so the file alone is the whole database."""
    wal = Path(f"{db_file}-wal")
    if wal.exists():
        conn = sqlite3.connect(str(db_file), isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    for extra in (wal, Path(f"{db_file}-shm")):
        extra.unlink(missing_ok=True)
    _fsync_file(db_file)


def _restore_stamp(datadir: DataDir) -> str:
    """A name part no earlier restore used, for the copies of the current database and attachments."""
    base = _stamp(_now())
    stamp, n = base, 1
    while (datadir.backups / f"before-restore-{stamp}.sqlite").exists() or \
            (datadir.backups / f"attachments-before-restore-{stamp}").exists():
        n += 1
        stamp = f"{base}-{n}"
    return stamp


def _save_current_database(datadir: DataDir, stamp: str) -> Path | None:
    """Put the current database aside, byte for byte, with its WAL.

    The database is not live here (the lock is held and no connection is open), so copying the files is a
    consistent copy; and it is the only safe one for a damaged file: merely opening it with SQLite could
    discard a WAL it finds invalid. The pair keeps matching names, so SQLite opens the copy as it was.
    """
    db_path = datadir.db_path
    if not db_path.exists():
        return None
    datadir.backups.mkdir(parents=True, exist_ok=True)
    dest = datadir.backups / f"before-restore-{stamp}.sqlite"
    wal = Path(f"{db_path}-wal")
    pairs = [(db_path, dest)] + ([(wal, Path(f"{dest}-wal"))] if wal.exists() else [])
    for src, dst in reversed(pairs):  # the WAL first: a copy that stops half-way has no main file
        shutil.copyfile(src, dst)
        _fsync_file(dst)
    _fsync_dir(dest.parent)
    return dest


def _write_json_durably(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    winfs.replace(tmp, path)
    _fsync_dir(path.parent)


def _retire_wal(db_path: Path) -> None:
    """Fold the current database's WAL into it and delete it, so it can never be replayed onto the new file."""
    wal, shm = Path(f"{db_path}-wal"), Path(f"{db_path}-shm")
    if db_path.exists() and wal.exists():
        try:
            conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=5)
            try:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                conn.close()
            if busy:
                raise BackupError("数据文件仍在被使用，无法恢复。请关闭内勤台账的所有窗口后再试。" + _UNTOUCHED)
        except sqlite3.DatabaseError as e:  # a damaged database: its files were already copied aside as they are
            log.warning("cannot checkpoint current database before restore: %s", e)
    winfs.unlink(wal, missing_ok=True)
    winfs.unlink(shm, missing_ok=True)


def commit_restore(staged: StagedRestore, datadir: DataDir) -> RestoreResult:
    """Swap the staged backup in. The database rename is the commit point.

    Order: copy the current database aside; note the plan in ``restore-pending.json``; move the attachments
    folder aside and the staged one in; fold and delete the old WAL; rename the staged database over the current
    one. A crash before the rename is rolled back by ``recover_interrupted_restore`` (old data, old attachments);
    after it, the restore is complete. The caller must hold the data-dir lock and have closed the database.
    """
    datadir.backups.mkdir(parents=True, exist_ok=True)
    stamp = _restore_stamp(datadir)
    previous_db = _save_current_database(datadir, stamp)
    aside = datadir.backups / f"attachments-before-restore-{stamp}"
    pending = datadir.root / _PENDING
    _write_json_durably(pending, {"stamp": stamp, "attachments_aside": str(aside),
                                  "source": str(staged.source)})
    try:
        datadir.attachments.mkdir(parents=True, exist_ok=True)
        winfs.replace(datadir.attachments, aside)
        winfs.replace(staged.folder / "attachments", datadir.attachments)
        _fsync_dir(datadir.root)
        _retire_wal(datadir.db_path)
        winfs.replace(staged.folder / DATABASE, datadir.db_path)  # the commit point
        _fsync_dir(datadir.root)
    except BaseException as e:
        recover_interrupted_restore(datadir)
        if isinstance(e, OSError):  # e.g. Windows: another program still has a file open
            held = f"{winfs.BUSY_HINT}。" if winfs.is_busy_error(e) else ""
            raise BackupError(f"无法替换数据文件（{e.strerror or e}）。{held}请关闭内勤台账的所有窗口和可能打开数据文件的"
                              "程序后重试。" + _UNTOUCHED) from e
        raise
    pending.unlink(missing_ok=True)
    _remove_quietly(staged.folder)
    previous_attachments: Path | None = aside
    if not any(aside.iterdir()):
        _remove_quietly(aside)
        previous_attachments = None
    log.info("restored %s (previous database kept at %s)", staged.source, previous_db)
    return RestoreResult(staged.info, previous_db, previous_attachments, staged.migrated)


def restore_backup(path: Path, datadir: DataDir, passphrase: str | None = None, *, migrate: bool = True,
                   lock: bool = True, progress: Progress | None = None) -> RestoreResult:
    """Replace the data with a backup: unpack and check first, keep the current data aside, then swap.

    Does not open the current database through the models, so it also works when the program cannot start.
    ``lock=False`` when the caller (the window) already holds the data-dir lock.
    """
    held = None
    if lock:
        datadir.root.mkdir(parents=True, exist_ok=True)
        held = dbmod.DataDirLock(datadir).acquire()
    try:
        try:
            staged = prepare_restore(path, datadir, passphrase, migrate=migrate, progress=progress)
        except OSError as e:
            raise BackupError(f"恢复没有完成：{e.strerror or e}（{e.filename or ''}）。" + _UNTOUCHED) from e
        (progress or _no_progress)("正在替换数据", 0, 0)
        return commit_restore(staged, datadir)
    finally:
        if held is not None:
            held.release()
