"""Opening the database: pragmas, the data-dir lock, schema versions and forward migrations.

A front-desk PC gets unplugged, so: WAL + ``synchronous=FULL``. Migrations run in order, each in a
transaction, after a consistent copy of the file is put aside. A database written by a newer neiqin is refused
untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee as pw

from neiqin import __version__
from neiqin.errors import DatabaseTooNewError, DataDirLockedError, NeiqinError
from neiqin.models import db
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL: a committed save survives a power cut
    "busy_timeout": 5000,
    "cache_size": -32000,
    "temp_store": 2,
}


def _v1_initial(database: pw.Database) -> None:
    from neiqin.models import ALL_MODELS

    database.create_tables(ALL_MODELS)


def _v2_seals(database: pw.Database) -> None:
    from neiqin.models.seals import SEAL_MODELS

    database.create_tables(SEAL_MODELS)


def _v3_fast_counts(database: pw.Database) -> None:
    """Partial indexes: voided rows (counts = all − voided) and visits whose personal data awaits erasure."""
    from neiqin.models import LEDGERS

    tables = {spec.model._meta.table_name for spec in LEDGERS.values()}
    existing = {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in sorted(tables & existing):
        _voided_index(database, table)
    database.execute_sql("CREATE INDEX IF NOT EXISTS visit_pii_pending ON visit(visit_date) "
                         "WHERE pii_erased_at IS NULL")


def _voided_index(database: pw.Database, table: str) -> None:
    database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_voided_ids" ON "{table}"(id) WHERE voided = 1')


def _ledger_tables(*modules: str) -> Callable[[pw.Database], None]:
    """A migration that adds ledger modules' tables (``MODELS``) and the partial index of each register."""

    def migrate(database: pw.Database) -> None:
        import importlib

        from neiqin.models import LEDGERS

        models = [m for name in modules for m in importlib.import_module(f"neiqin.models.{name}").MODELS]
        search = [m for spec in LEDGERS.values() if spec.model in models and spec.search
                  for m in spec.search.models]
        database.create_tables([*models, *search])
        for spec in LEDGERS.values():
            if spec.model in models:
                _voided_index(database, spec.model._meta.table_name)

    return migrate


# Ordered forward migrations: (version, description, function). Append; never edit a released one.
MIGRATIONS: list[tuple[int, str, Callable[[pw.Database], None]]] = [
    (1, "initial schema: settings, audit, staff, visitors", _v1_initial),
    (2, "seals ledger", _v2_seals),
    (3, "partial indexes for fast counts and personal-data erasure", _v3_fast_counts),
    (4, "收发文与快递 ledgers", _ledger_tables("addresses", "documents", "parcels")),
    (5, "办公用品 ledgers", _ledger_tables("supplies")),
    (6, "会议记录 ledgers", _ledger_tables("meetings")),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def read_schema_version(conn: sqlite3.Connection) -> int | None:
    """The schema version of an open sqlite3 connection; None for an empty file."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if not has:
        other = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if other:
            raise NeiqinError("该文件不是内勤台账的数据文件（缺少版本信息），为安全起见未打开")
        return None
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] if row and row[0] is not None else None


def too_new_message(version: int) -> str:
    return (f"数据文件来自较新版本的内勤台账（数据版本 {version}，本程序最高支持 {SCHEMA_VERSION}）。"
            "为保护数据，程序未作任何修改。请安装新版本后再打开。")


def copy_aside(src: Path, dest_dir: Path, tag: str) -> Path:
    """A consistent copy through the SQLite backup API (safe with WAL), never a raw file copy."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = dest_dir / f"{src.stem}-{tag}-{stamp}.sqlite"
    s = sqlite3.connect(src)
    d = sqlite3.connect(dest)
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()
    return dest


def _set_version(database: pw.Database, version: int) -> None:
    database.execute_sql("INSERT INTO schema_version(version, app_version, applied_at) VALUES (?, ?, ?)",
                         (version, __version__, dt.datetime.now().isoformat(sep=" ", timespec="seconds")))


def open_database(path: Path, backup_dir: Path | None = None) -> pw.SqliteDatabase:
    """Open (creating or migrating as needed) the database at ``path`` and bind the models to it."""
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        try:
            probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                version = read_schema_version(probe)
            finally:
                probe.close()
        except sqlite3.DatabaseError as e:
            raise NeiqinError(f"数据文件 {path} 无法读取（{e}），可能已损坏，请从备份恢复") from e
        if version is not None and version > SCHEMA_VERSION:
            raise DatabaseTooNewError(too_new_message(version))
    else:
        version = None

    if existed and version is not None and version < SCHEMA_VERSION:
        saved = copy_aside(path, backup_dir or path.parent, f"before-v{SCHEMA_VERSION}")
        log.info("schema %s -> %s; copy kept at %s", version, SCHEMA_VERSION, saved)

    database = pw.SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=10, check_same_thread=False)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    database.execute_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                         "app_version TEXT, applied_at TEXT)")
    current = version or 0
    for number, description, migrate in MIGRATIONS:
        if number <= current:
            continue
        log.info("migration %s: %s", number, description)
        with database.atomic():
            migrate(database)
            _set_version(database, number)
    return database


def close_database() -> None:
    obj = db.obj
    if obj is not None and not obj.is_closed():
        obj.close()


class DataDirLock:
    """An OS file lock on the data dir: a second neiqin on the same data is told, not allowed to write.

    The OS releases the lock when the process dies, so a crash or power cut never leaves a stale lock.
    """

    def __init__(self, datadir: DataDir):
        self.path = datadir.lock_path
        self._fh = None

    def acquire(self) -> DataDirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held for the life of the process
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            who = fh.read().strip()
            fh.close()
            raise DataDirLockedError(
                "内勤台账已在使用这个数据目录" + (f"（{who}）" if who else "") +
                "。请切换到已打开的窗口；同一份数据不能由两个程序同时写入。") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"进程 {os.getpid()}，启动于 {dt.datetime.now():%Y-%m-%d %H:%M}")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            try:
                if os.name != "nt":
                    import fcntl

                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
