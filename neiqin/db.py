"""Opening the database: pragmas, the data-dir lock, schema versions and forward migrations.

A front-desk PC gets unplugged, so: WAL + ``synchronous=FULL``. A new database is created whole from the models
(every table and declared index) and stamped SCHEMA_VERSION; no migration runs on it. An older file is first
copied aside (``copy_aside``, a consistent copy through SQLite's backup API), then each later migration runs in
its own transaction and is stamped as it commits, so a power cut leaves a file that the next start carries on
from. A database written by a newer neiqin is refused untouched. After that, a table or index the models declare
and the file lacks is created (after a copy), never altered or dropped: files stamped 6 by the commits that were
still adding ledgers (4e5dd0a..d07b5af) lack whole ledgers' tables.

How to add a migration
----------------------
1. Change the model as usual (a field, a model, an index; a partial index is a ``PartialIndex`` in the model's
   ``Meta.indexes`` or ``declare_index``). That declaration is the schema of every new database.
2. Append one entry to ``MIGRATIONS`` with the next number that brings an older file to the same shape with the
   helpers below, each a no-op when the thing already exists (a table created later from today's models already
   has the column; a migration re-run after a power cut finds its work done)::

       (8, "来访：车牌颜色", lambda d: add_column(d, Visit, Visit.plate_colour)),
       (9, "收文：按来文单位查", lambda d: add_index(d, IncomingDoc, "incoming_doc_sender")),
       (10, "车辆登记", lambda d: create_tables(d, [Vehicle, *VEHICLES.search.models])),

   A field added to existing rows needs ``null=True`` or a constant default (written into them as SQL DEFAULT).
   Data changes (filling a new column from old ones) go in the same function, in plain SQL, and must be safe to
   run twice. Never edit, renumber or remove a released entry; never drop or rename a column: records are evidence.
3. Commit a fixture of the version you leave behind, written by the code before your change: add it to the
   table in tests/fixtures/make_fixture.py (``"v7": <the commit before yours>``) and run ``python
   tests/fixtures/make_fixture.py v7``. tests/test_migrations.py opens every ``schema-vN.sqlite`` with today's code
   and checks its rows, its schema against a new database's and its seal chain; a schema that differs means a
   model changed without its migration.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee as pw

from neiqin import __version__, clock
from neiqin.errors import DatabaseTooNewError, DataDirLockedError, NeiqinError
from neiqin.models import db
from neiqin.numbering import migrate_v7
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 2,  # FULL: a committed save survives a power cut
    "busy_timeout": 5000,
    "cache_size": -32000,
    "temp_store": 2,
    # erased personal data (visitors' ID and phone numbers) is overwritten, not left in free pages: Debian's
    # SQLite has this on by default, the one in CPython's Windows builds does not
    "secure_delete": 1,
}


# ---------------------------------------------------------------------------------------------- helpers
# Each is safe to run once on any file and does nothing when the thing is already there, so a migration can be
# re-run after a power cut, and a table a later migration creates whole (from today's models) is simply skipped.


def all_models() -> list[type[pw.Model]]:
    """Every declared model (loading each ledger's module: the schema is checked against all of them)."""
    from neiqin.models import ALL_MODELS

    return ALL_MODELS


def table_names(database: pw.Database) -> set[str]:
    return {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")}


def column_names(database: pw.Database, table: str) -> set[str]:
    return {r[1] for r in database.execute_sql(f'PRAGMA table_info("{table}")')}


def index_names(database: pw.Database) -> set[str]:
    return {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type='index'")}


def _table(model_or_table: type[pw.Model] | str) -> str:
    return model_or_table if isinstance(model_or_table, str) else model_or_table._meta.table_name


def _index_name(index: pw.Node) -> str:
    name = getattr(index, "name", None) or getattr(index, "_name", None)
    if not name:  # a bare SQL(...) index could not be found by add_index or checked by missing_schema
        raise TypeError(f"declare a partial index with neiqin.models.base.PartialIndex, not {index!r}")
    return name


def declared_indexes(model: type[pw.Model]) -> dict[str, pw.Node]:
    """Every index ``create_tables`` makes for ``model`` (field indexes, Meta.indexes, partial indexes), by name."""
    return {_index_name(i): i for i in model._meta.fields_to_index()}


def create_tables(database: pw.Database, models: list[type[pw.Model]]) -> list[str]:
    """Create the tables of ``models`` that do not exist yet, each with all its declared indexes.

    An existing table is left as it is: what it lacks comes from :func:`add_column` and :func:`add_index`.
    """
    existing = table_names(database)
    new = [m for m in models if m._meta.table_name not in existing]
    database.create_tables(new, safe=True)
    return [m._meta.table_name for m in new]


def add_column(database: pw.Database, model_or_table: type[pw.Model] | str, field: pw.Field) -> bool:
    """``ALTER TABLE ... ADD COLUMN`` for ``field`` unless the column is there; True when it was added.

    Existing rows get the field's constant default (``DEFAULT`` in SQL: SQLite cannot add a NOT NULL column
    without one), or NULL for a nullable field. The field's own index (``index=True`` / ``unique=True``) follows.
    A missing table is skipped: it is created whole, with this column, by a later :func:`create_tables`.
    """
    table = _table(model_or_table)
    if table not in table_names(database) or field.column_name in column_names(database, table):
        return False
    ctx = database.get_sql_context()
    ctx.literal("ALTER TABLE ").sql(pw.Entity(table)).literal(" ADD COLUMN ").sql(field.ddl(ctx))
    if isinstance(field, pw.ForeignKeyField):
        ctx.literal(" REFERENCES ").sql(pw.Entity(field.rel_model._meta.table_name)).literal(" ").sql(
            pw.EnclosedNodeList([pw.Entity(field.rel_field.column_name)]))
        if field.on_delete:
            ctx.literal(f" ON DELETE {field.on_delete}")
        if field.on_update:
            ctx.literal(f" ON UPDATE {field.on_update}")
    if not field.null:
        ctx.literal(f" DEFAULT {_sql_literal(field, field.default)}")
    database.execute(ctx)
    model = field.model
    if field.index or field.unique:
        for name, index in declared_indexes(model).items():
            expressions = list(getattr(index, "_expressions", ()))
            if len(expressions) == 1 and expressions[0] is field:  # `==` on a field builds an expression
                add_index(database, model, name)
    return True


def _sql_literal(field: pw.Field, value: object) -> str:
    if callable(value) or value is None:
        raise ValueError(f"{field.model.__name__}.{field.name}: a column added to existing rows needs null=True "
                         "or a constant default")
    value = field.db_value(value)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def add_index(database: pw.Database, model: type[pw.Model], name: str) -> bool:
    """Create ``model``'s declared index ``name`` unless it exists; True when it was created.

    The index is the one declared on the model, so an old file gets exactly what ``create_tables`` gives a new
    one. A missing table is skipped (it gets its indexes when it is created).
    """
    index = declared_indexes(model)[name]  # KeyError: declare the index on the model first
    if model._meta.table_name not in table_names(database) or name in index_names(database):
        return False
    database.execute(model._schema._create_index(index, safe=True))
    return True


def missing_schema(database: pw.Database) -> tuple[list[type[pw.Model]], list[tuple[type[pw.Model], str]]]:
    """The declared tables (of ``ALL_MODELS``) an open database lacks, and the plain indexes of its tables.

    A missing unique index is not listed: a migration may leave one out on purpose where old records already
    repeat a number (they are kept as they are), and creating it would fail.
    """
    tables, indexes = table_names(database), index_names(database)
    missing_tables = [m for m in all_models() if m._meta.table_name not in tables]
    missing_indexes = [(m, name) for m in all_models() if m._meta.table_name in tables
                       for name, index in declared_indexes(m).items()
                       if name not in indexes and not getattr(index, "_unique", False)]
    return missing_tables, missing_indexes


# ---------------------------------------------------------------------------------------------- migrations
# Version 1 is the schema of the first release; a new database never runs it (it is created whole at
# SCHEMA_VERSION by create_schema). Each later entry brings a file of the previous version forward.


def _v1_initial(database: pw.Database) -> None:
    create_tables(database, all_models())


def _v2_seals(database: pw.Database) -> None:
    from neiqin.models.seals.attachments import SealAttachment
    from neiqin.models.seals.chain import SealEvent
    from neiqin.models.seals.loans import SEAL_LOANS, SealLoan
    from neiqin.models.seals.registry import LICENCES, SEALS, Licence, Seal
    from neiqin.models.seals.uses import SEAL_USES, SealUse

    search = [m for spec in (SEALS, LICENCES, SEAL_USES, SEAL_LOANS) for m in spec.search.models]
    create_tables(database, [Seal, Licence, SealUse, SealLoan, SealAttachment, SealEvent, *search])


def _v3_fast_counts(database: pw.Database) -> None:
    """Partial indexes: voided rows (counts = all − voided) and visits whose personal data awaits erasure."""
    from neiqin.models import LEDGERS, Visit

    for spec in LEDGERS.values():
        add_index(database, spec.model, f"{spec.model._meta.table_name}_voided_ids")
    add_index(database, Visit, "visit_pii_pending")


def _ledger_tables(*modules: str) -> Callable[[pw.Database], None]:
    """A migration that adds ledger modules' tables (``MODELS``) and their search tables, with every index."""

    def migrate(database: pw.Database) -> None:
        import importlib

        from neiqin.models import LEDGERS

        models = [m for name in modules for m in importlib.import_module(f"neiqin.models.{name}").MODELS]
        search = [m for spec in LEDGERS.values() if spec.model in models and spec.search
                  for m in spec.search.models]
        create_tables(database, [*models, *search])

    return migrate


# Ordered forward migrations: (version, description, function). Append; never edit a released one.
MIGRATIONS: list[tuple[int, str, Callable[[pw.Database], None]]] = [
    (1, "initial schema: settings, audit, staff, visitors", _v1_initial),
    (2, "seals ledger", _v2_seals),
    (3, "partial indexes for fast counts and personal-data erasure", _v3_fast_counts),
    (4, "收发文与快递 ledgers", _ledger_tables("mail.addresses", "mail.docs_common", "mail.incoming",
                                                   "mail.outgoing", "mail.parcels", "mail.dispatches")),
    (5, "办公用品 ledgers", _ledger_tables("supplies.items", "supplies.moves", "supplies.stocktake")),
    (6, "会议记录 ledgers", _ledger_tables("meetings.rooms", "meetings.bookings", "meetings.register",
                                             "meetings.actions", "meetings.minutes")),
    (7, "one numbering allocator: serial table seeded from existing numbers, unique numbers", migrate_v7),
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
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
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
                         (version, __version__, clock.now().isoformat(sep=" ", timespec="seconds")))


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

    saved = None
    if version is not None and version < SCHEMA_VERSION:
        saved = copy_aside(path, backup_dir or path.parent, f"before-v{SCHEMA_VERSION}")
        log.info("schema %s -> %s; copy kept at %s", version, SCHEMA_VERSION, saved)

    database = pw.SqliteDatabase(str(path), pragmas=PRAGMAS, timeout=10, check_same_thread=False)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if version is None:  # a new file (or one whose creation never committed)
        create_schema(database)
        return database
    if version == SCHEMA_VERSION:
        # Current files were created whole or migrated and checked once: no schema check at every start (it
        # would import every ledger's module before the first page).
        return database
    run_migrations(database, version)
    tables, indexes = missing_schema(database)
    if tables or indexes:
        # Files stamped 6 by the commits that brought the ledgers one by one (4e5dd0a..d07b5af) lack the later
        # ledgers' tables; anything declared and absent is created here, after the migrations, never altered or
        # dropped.
        if saved is None:
            saved = copy_aside(path, backup_dir or path.parent, "before-repair")
        log.warning("schema %s lacked %s; created them (copy kept at %s)", SCHEMA_VERSION,
                    [m._meta.table_name for m in tables] + [name for _, name in indexes], saved)
        with database.atomic():
            create_tables(database, tables)
            for model, name in indexes:
                add_index(database, model, name)
    return database


def create_schema(database: pw.Database) -> None:
    """A new (empty) database: every table and index as the models declare them, stamped SCHEMA_VERSION."""
    with database.atomic():
        _create_version_table(database)
        create_tables(database, all_models())
        _set_version(database, SCHEMA_VERSION)


def run_migrations(database: pw.Database, version: int) -> list[int]:
    """Bring a file at ``version`` forward: each later migration in its own transaction, stamped as it commits.

    A power cut leaves the file at the last committed migration; the next start goes on from there.
    """
    _create_version_table(database)
    ran = []
    for number, description, migrate in MIGRATIONS:
        if number <= version:
            continue
        log.info("migration %s: %s", number, description)
        with database.atomic():
            migrate(database)
            _set_version(database, number)
        ran.append(number)
    return ran


def _create_version_table(database: pw.Database) -> None:
    database.execute_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                         "app_version TEXT, applied_at TEXT)")


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
        from neiqin import winfs

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+b")  # noqa: SIM115 - held for the life of the process
        except OSError as e:
            raise NeiqinError(f"无法打开数据目录中的锁文件 {self.path}（{e.strerror or e}）。"
                              "请检查数据目录是否存在、是否有写入权限。") from None
        try:
            winfs.lock_exclusive(fh)
        except OSError:
            fh.close()
            who = winfs.read_owner(self.path)  # never raises: on Windows the holder's locked byte is unreadable
            raise DataDirLockedError(
                "内勤台账已在使用这个数据目录" + (f"（{who}）" if who else "") +
                "。请切换到已打开的窗口；同一份数据不能由两个程序同时写入。") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"进程 {os.getpid()}，启动于 {clock.now():%Y-%m-%d %H:%M}".encode())
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            from neiqin import winfs

            try:
                winfs.unlock(self._fh)
            except OSError:  # closing the handle releases it anyway
                pass
            finally:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
