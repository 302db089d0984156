"""Checking a backup file completely, or the live database without changing it, and the extra checks both run
(``EXTRA_VERIFIERS``, e.g. the seal register's hash chain); the snapshot check that runs while a backup is written."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import neiqin.db as dbmod
from neiqin.backup.common import _DAMAGED, CorruptBackup, Progress, _no_progress
from neiqin.backup.container import DATABASE
from neiqin.backup.database import _connect, integrity_problems, map_sqlite_error, table_counts
from neiqin.backup.manifest import _DAMAGED_SOURCE, BackupInfo
from neiqin.backup.reading import _unpack
from neiqin.errors import NeiqinError
from neiqin.models.seals.chain import backup_verifier as seal_chain_verifier

log = logging.getLogger(__name__)

# Extra checks run by ``verify`` on the live database and on backups (e.g. the seal register's hash chain):
# each gets an open sqlite3 connection and returns problems as Chinese sentences (empty list = all good).
EXTRA_VERIFIERS: list[Callable[[sqlite3.Connection], list[str]]] = [seal_chain_verifier]


def _extra_problems(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    for check in EXTRA_VERIFIERS:
        try:
            problems.extend(check(conn))
        except Exception as e:  # noqa: BLE001 - a broken check must not hide the others
            log.exception("verifier %r failed", check)
            problems.append(f"检查项 {getattr(check, '__name__', check)} 无法运行：{e}")
    return problems


def _check_database(db_file: Path, tables: dict[str, int], schema_version: int, *, run_extra: bool,
                    opened: Callable[[sqlite3.Connection], None] | None = None) -> list[str]:
    """Integrity and row counts of a database against its manifest: a mismatch means it cannot be trusted.

    Returns the extra verifiers' problems (those do not make the copy untrustworthy, only worth a look).
    """
    conn = _connect(db_file)
    if opened is not None:
        opened(conn)
    try:
        problems = integrity_problems(conn)
        if not problems:
            counts = table_counts(conn)
            if counts != tables:
                diff = [t for t in set(counts) | set(tables) if counts.get(t) != tables.get(t)]
                problems.append("记录数与备份清单不一致：" + "、".join(sorted(diff)[:10]))
            if (dbmod.read_schema_version(conn) or 0) != schema_version:
                problems.append("数据版本与备份清单不一致")
        if problems:
            raise CorruptBackup(_DAMAGED + "（" + "；".join(problems[:3]) + "）")
        return _extra_problems(conn) if run_extra else []
    except sqlite3.DatabaseError as e:
        raise CorruptBackup(f"{_DAMAGED}（{e}）") from e
    finally:
        conn.close()


class _SnapshotCheck(threading.Thread):
    """``integrity_check`` and row counts of the snapshot, run while its copy is written and read back.

    SQLite releases the GIL while it works, so on two cores the check costs little extra wall time.
    """

    def __init__(self, snap: Path, manifest: dict):
        super().__init__(name="snapshot-check", daemon=True)
        self.snap, self.manifest = snap, manifest
        self.error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None

    def run(self) -> None:
        try:
            _check_database(self.snap, self.manifest["tables"], self.manifest["schema_version"], run_extra=False,
                            opened=self._opened)
        except BaseException as e:  # noqa: BLE001 - handed to the thread that joins
            self.error = e

    def _opened(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.interrupt()
        self.join()

    def result(self) -> None:
        self.join()
        if self.error is not None:
            raise CorruptBackup(_DAMAGED_SOURCE) from self.error


@dataclass
class VerifyReport:
    """The result of ``verify``: what was checked, and the problems found (empty = all good)."""

    subject: str
    problems: list[str]
    checks: list[str]
    info: BackupInfo | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        head = f"{self.subject}：" + ("校验通过" if self.ok else f"发现 {len(self.problems)} 个问题")
        body = [f"  √ {c}" for c in self.checks] + [f"  × {p}" for p in self.problems]  # both in GBK
        if self.info:
            body = [f"  {line}" for line in self.info.preview_lines()] + body
        return "\n".join([head, *body, f"  用时 {self.seconds:.1f} 秒"])


def verify_backup(path: Path, passphrase: str | None = None, *, run_extra: bool = True,
                  work_dir: Path | None = None, progress: Progress | None = None) -> VerifyReport:
    """Check a backup file completely: seals, checksums, database integrity, row counts, extra checks.

    Raises CorruptBackup / WrongPassphrase / PassphraseRequired when the file cannot be trusted at all.
    """
    started = time.monotonic()
    path = Path(path)
    report = progress or _no_progress
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="verify-", dir=work_dir) as tmp:
        info, _ = _unpack(path, passphrase, Path(tmp), attachments=False, progress=report, stage="正在读取备份")
        report("正在检查数据完整性", 0, 0)
        problems = _check_database(Path(tmp) / DATABASE, info.tables, info.schema_version, run_extra=run_extra)
    checks = ["每个数据块的校验" + ("与解密" if info.encrypted else ""), "每个文件的 SHA-256 校验和",
              "数据库完整性检查（integrity_check）", "每张表的记录数与清单一致"]
    if run_extra and EXTRA_VERIFIERS:
        checks.append(f"附加检查 {len(EXTRA_VERIFIERS)} 项")
    return VerifyReport(f"备份 {path.name}", problems, checks, info, time.monotonic() - started)


def verify_database(db_path: Path, *, run_extra: bool = True) -> VerifyReport:
    """Check the live database without changing it (safe while the window is open)."""
    started = time.monotonic()
    db_path = Path(db_path)
    if not db_path.exists():
        raise NeiqinError(f"找不到数据文件：{db_path}")
    checks: list[str] = []
    try:
        conn = _connect(db_path)
        try:
            version = dbmod.read_schema_version(conn)
            problems = integrity_problems(conn)
            checks.append("数据库完整性检查（integrity_check）")
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"有 {len(fk)} 条记录引用了不存在的记录（外键检查）")
            checks.append("外键检查")
            counts = table_counts(conn)
            checks.append(f"数据版本 {version}，共 {len(counts)} 张表、{sum(counts.values())} 行")
            if run_extra:
                problems += _extra_problems(conn)
                if EXTRA_VERIFIERS:
                    checks.append(f"附加检查 {len(EXTRA_VERIFIERS)} 项")
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        problems = [f"数据文件无法读取（{map_sqlite_error(e) or e}），请从备份恢复"]
    return VerifyReport(f"数据文件 {db_path}", problems, checks, None, time.monotonic() - started)
