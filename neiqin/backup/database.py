"""The live database as the backup engine sees it: SQLite failures in the clerk's words, a read-only connection,
row counts and ``integrity_check``, and the consistent snapshot a backup is made from."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neiqin.backup.common import BackupError, Progress, _no_progress, human_size
from neiqin.errors import NeiqinError

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26

_SQLITE_MESSAGES: list[tuple[int, tuple[str, ...], str]] = [
    (SQLITE_FULL, ("database or disk is full",),
     "磁盘空间已满，刚才的内容没有保存（已保存的数据完好无损）。请清理磁盘空间（删除不需要的文件、清空回收站）后再保存一次。"),
    (SQLITE_CORRUPT, ("malformed", "corrupt"),
     "数据文件已损坏，无法继续保存。请不要再修改数据：关闭程序后用“从备份恢复”恢复最近的备份，或联系技术人员。"),
    (SQLITE_NOTADB, ("file is not a database",),
     "数据文件已损坏或不是内勤台账的数据文件。请用“从备份恢复”恢复最近的备份。"),
    (SQLITE_BUSY, ("database is locked",),
     "数据文件正忙（可能正在备份，或另一个程序在写入），刚才的内容没有保存。请稍等几秒再保存一次。"),
    (SQLITE_LOCKED, ("database table is locked",),
     "数据文件正忙，刚才的内容没有保存。请稍等几秒再保存一次。"),
    (SQLITE_IOERR, ("disk i/o error",),
     "读写数据文件时出错（磁盘故障，或数据所在的U盘被拔出），刚才的内容可能没有保存。请检查磁盘或U盘后重新打开程序。"),
    (SQLITE_READONLY, ("readonly database",),
     "数据文件是只读的（文件属性为只读，或U盘处于写保护状态），无法保存。"),
    (SQLITE_CANTOPEN, ("unable to open database",),
     "无法打开数据文件（文件夹不存在或没有权限）。"),
]


def _sqlite_errors(exc: BaseException | None) -> Iterator[sqlite3.Error]:
    """The sqlite3 errors in an exception's chain, outermost first."""
    seen: set[int] = set()
    queue: list[Any] = [exc]
    while queue:
        e = queue.pop(0)
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, sqlite3.Error):
            yield e
        # peewee wraps sqlite3 errors (original in ``orig``); after SQLITE_FULL, SQLite has already rolled back,
        # so peewee's own rollback fails with "cannot rollback" and the real cause is in __context__
        queue.extend([getattr(e, "orig", None), *e.args, e.__cause__, e.__context__])


def map_sqlite_error(exc: BaseException) -> NeiqinError | None:
    """A clerk-readable NeiqinError for a SQLite failure (disk full, locked, corrupt …); None if not one.

    Accepts sqlite3 errors and peewee's wrappers of them. The UI's error display calls this first.
    """
    for err in _sqlite_errors(exc):
        code = getattr(err, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(err).lower()
        for number, needles, message in _SQLITE_MESSAGES:
            if primary == number or any(n in text for n in needles):
                return NeiqinError(message)
    return None


@contextlib.contextmanager
def friendly_sqlite_errors() -> Iterator[None]:
    """``with friendly_sqlite_errors(): save()`` turns a SQLite failure into a Chinese NeiqinError."""
    try:
        yield
    except NeiqinError:
        raise
    except Exception as e:
        mapped = map_sqlite_error(e)
        if mapped is None:
            raise
        raise mapped from e


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only-by-pragma connection: unlike ``mode=ro`` it tidies away -wal/-shm when it is the last one."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per ordinary table (FTS virtual tables are counted through their shadow tables)."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [f"完整性检查：{r}" for r in rows[:20]]


def _change_mark(conn: sqlite3.Connection) -> int | None:
    """Grows with every audited change: tells whether anything changed since the last automatic backup."""
    try:
        return conn.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    except sqlite3.DatabaseError:
        return None


def snapshot_database(db_path: Path, dest: Path, progress: Progress | None = None) -> None:
    """A consistent copy of the live database via the SQLite backup API, safe while others write.

    One read transaction is held for the whole copy, so every step sees the same snapshot and a concurrent
    save never restarts the copy; in WAL mode readers do not block the writer.
    """
    report = progress or _no_progress
    if not db_path.exists():
        raise BackupError(f"找不到数据文件：{db_path}")
    src = _connect(db_path)
    dst = sqlite3.connect(str(dest), isolation_level=None, check_same_thread=False)
    try:
        dst.execute("PRAGMA journal_mode=OFF")  # a private temp file: no journal, no fsync
        dst.execute("PRAGMA synchronous=OFF")
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # pins the snapshot
        report("正在生成数据快照", 0, 0)
        src.backup(dst, pages=4096,
                   progress=lambda _status, remaining, total: report("正在生成数据快照", total - remaining, total))
        src.execute("COMMIT")
    except sqlite3.Error as e:
        mapped = map_sqlite_error(e)
        if mapped is not None and "磁盘空间已满" in str(mapped):
            raise BackupError(f"电脑磁盘空间不足，无法生成数据快照（需要约 {human_size(db_path.stat().st_size)}）。"
                              "请清理磁盘后再备份。") from e
        raise BackupError(f"读取数据文件失败：{mapped or e}") from e
    finally:
        dst.close()
        src.close()
