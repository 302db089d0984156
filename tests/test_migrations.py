"""Old data opens with today's program, every record kept.

One real database file per past schema version (tests/fixtures/schema-v1 … v6, written by the neiqin of the time:
see tests/fixtures/make_fixture.py) and a whole data folder written by main before issue 16 (25a93af) are opened
with today's code. Each is compared with what the old code wrote, row by row and column by column, its schema with a
new database's, and its seal register's hash chain is verified link by link.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import peewee as pw
import pytest

from neiqin import db as dbmod
from neiqin.models import LEDGERS, LedgerQuery, Visit
from neiqin.models.seals.chain import verify_chain, verify_connection
from neiqin.paths import DataDir

FIXTURES = Path(__file__).parent / "fixtures"
VERSIONS = sorted(int(p.stem.removeprefix("schema-v")) for p in FIXTURES.glob("schema-v*.sqlite"))
FTS_SHADOWS = ("_config", "_content", "_data", "_docsize", "_idx")
# what the file stamped 6 by 4e5dd0a lacks: the ledgers that were still being added under that number
LATE_V6_LEDGERS = {"mail", "supplies", "meetings"}


# ---------------------------------------------------------------------------------------------- reading files


def read_rows(conn: sqlite3.Connection) -> dict[str, tuple[list[str], dict[int, dict]]]:
    """Every table's rows by rowid as {column: value} (FTS tables by their text, not their shadow tables)."""
    objects = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    objects = dict(objects.fetchall())
    virtual = {n for n, sql in objects.items() if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    shadows = {v + s for v in virtual for s in FTS_SHADOWS}
    out = {}
    for name in sorted(set(objects) - shadows):
        if "WITHOUT ROWID" in objects[name].upper():  # keyed by its primary key instead
            pk = [r[1] for r in sorted(conn.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if r[5]]
            cur = conn.execute(f'SELECT * FROM "{name}"')
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur]
            out[name] = (cols, {tuple(row[c] for c in pk): row for row in rows})
            continue
        cur = conn.execute(f'SELECT rowid AS "__rowid", * FROM "{name}" ORDER BY rowid')
        cols = [d[0] for d in cur.description][1:]
        out[name] = (cols, {r[0]: dict(zip(cols, r[1:], strict=True)) for r in cur})
    return out


def _norm_sql(sql: str | None) -> str:
    """SQL text without identifier quotes and with single spaces (a name quoted or not is the same name)."""
    return re.sub(r"\s+", " ", (sql or "").replace('"', "")).strip()


def read_schema(conn: sqlite3.Connection) -> dict:
    """Tables with their columns and foreign keys, indexes with their columns, uniqueness and WHERE."""
    tables, indexes = {}, {}
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        columns = {r[1]: (r[2], r[3], r[4], r[5]) for r in conn.execute(f'PRAGMA table_info("{name}")')}
        fks = sorted(r[2:] for r in conn.execute(f'PRAGMA foreign_key_list("{name}")'))
        virtual = _norm_sql(sql) if sql.upper().startswith("CREATE VIRTUAL") else None
        tables[name] = {"columns": columns, "foreign_keys": fks, "virtual": virtual}
        for _, iname, unique, origin, partial in conn.execute(f'PRAGMA index_list("{name}")'):
            cols = [r[2] for r in conn.execute(f'PRAGMA index_info("{iname}")')]
            isql = conn.execute("SELECT sql FROM sqlite_master WHERE name=?", (iname,)).fetchone()
            indexes[iname] = {"table": name, "columns": cols, "unique": unique, "origin": origin,
                              "partial": partial, "sql": _norm_sql(isql[0] if isql else None)}
    kinds = sorted(r[0] for r in conn.execute("SELECT DISTINCT type FROM sqlite_master"))
    return {"tables": tables, "indexes": indexes, "kinds": kinds}


def file_schema(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return read_schema(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory) -> dict:
    """The schema today's program gives a new database."""
    path = tmp_path_factory.mktemp("fresh") / "neiqin.sqlite"
    dbmod.open_database(path)
    dbmod.close_database()
    return file_schema(path)


def assert_same_schema(path: Path, fresh: dict) -> None:
    got = file_schema(path)
    assert set(got["tables"]) == set(fresh["tables"]), (
        f"missing {sorted(set(fresh['tables']) - set(got['tables']))}, "
        f"extra {sorted(set(got['tables']) - set(fresh['tables']))}")
    for name, table in fresh["tables"].items():
        mine = got["tables"][name]
        for col, (ctype, notnull, default, pk) in table["columns"].items():
            assert col in mine["columns"], f"{name}.{col} missing"
            got_type, got_notnull, got_default, got_pk = mine["columns"][col]
            assert (got_type, got_notnull, got_pk) == (ctype, notnull, pk), f"{name}.{col}"
            # a column added to old rows keeps the SQL DEFAULT that filled them; a new table's has none
            assert default is None or got_default == default, f"{name}.{col} default"
        assert set(mine["columns"]) == set(table["columns"]), name
        assert (mine["foreign_keys"], mine["virtual"]) == (table["foreign_keys"], table["virtual"]), name
    assert set(got["indexes"]) == set(fresh["indexes"]), (
        f"missing {sorted(set(fresh['indexes']) - set(got['indexes']))}, "
        f"extra {sorted(set(got['indexes']) - set(fresh['indexes']))}")
    for name, index in fresh["indexes"].items():
        assert got["indexes"][name] == index, name
    assert got["kinds"] == fresh["kinds"]


def assert_rows_kept(before: dict, after: dict, growing: tuple[str, ...] = ("schema_version",)) -> int:
    """Every row of every old table is still there with the same value in every column that still exists.

    Only the ``growing`` tables may have gained rows (schema_version gets a row per migration).
    """
    compared = 0
    for table, (cols, rows) in before.items():
        assert table in after, f"table {table} is gone"
        after_cols, after_rows = after[table]
        kept = [c for c in cols if c in after_cols]
        assert kept == cols, f"{table}: columns {sorted(set(cols) - set(after_cols))} are gone"
        if table in growing:
            assert set(rows) <= set(after_rows), f"{table}: rows removed"
        else:
            assert sorted(after_rows) == sorted(rows), f"{table}: rows added or removed"
        for rowid, row in rows.items():
            for col in kept:
                assert after_rows[rowid][col] == row[col], f"{table} #{rowid}.{col}: {row[col]!r} -> " \
                                                           f"{after_rows[rowid][col]!r}"
            compared += 1
    return compared


def fixture_copy(version: int, datadir: DataDir) -> Path:
    shutil.copyfile(FIXTURES / f"schema-v{version}.sqlite", datadir.db_path)
    return datadir.db_path


def counts(rows: dict, *tables: str) -> dict[str, int]:
    return {t: len(rows[t][1]) if t in rows else 0 for t in tables}


# ---------------------------------------------------------------------------------------------- one file per version


def test_every_older_version_has_its_fixture():
    assert set(range(1, dbmod.SCHEMA_VERSION)) <= set(VERSIONS), "make it with tests/fixtures/make_fixture.py"


@pytest.mark.parametrize("version", VERSIONS)
def test_old_file_opens_with_every_record_kept_and_todays_schema(version, datadir, fresh_schema):
    path = fixture_copy(version, datadir)
    conn = sqlite3.connect(path)
    assert dbmod.read_schema_version(conn) == version
    before = read_rows(conn)
    chain_before = verify_connection(conn)
    conn.close()
    # the fixture holds what it should: settings, audit entries, visits and, from v2 on, a chain with scans
    n = counts(before, "setting", "audit_log", "staff", "visit", "seal_event", "seal_attachment", "seal_use")
    assert n["setting"] >= 2 and n["audit_log"] >= 90 and n["staff"] >= 60 and n["visit"] >= 30, n
    if version >= 2:
        assert n["seal_event"] >= 50 and n["seal_attachment"] == 2 and chain_before.ok, (n, chain_before.text())

    dbmod.open_database(path, datadir.backups)
    try:
        for spec in LEDGERS.values():  # every ledger answers a page, a count and a search
            spec.fetch_page(LedgerQuery())
            spec.count(LedgerQuery())
            if spec.search is not None:
                spec.count(LedgerQuery(search="王"))
        chain = verify_chain()
    finally:
        dbmod.close_database()

    conn = sqlite3.connect(path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    after = read_rows(conn)
    conn.close()
    assert assert_rows_kept(before, after) >= 400
    assert_same_schema(path, fresh_schema)
    assert chain.ok and chain.text().startswith("完整"), chain.text()
    assert (chain.events, chain.records, chain.head) == (chain_before.events, chain_before.records,
                                                         chain_before.head)

    # the copy put aside before the change is the old file, whole
    copies = sorted(datadir.backups.glob("*before-*.sqlite"))
    assert copies, "no copy put aside"
    conn = sqlite3.connect(copies[0])
    assert dbmod.read_schema_version(conn) == version and read_rows(conn) == before
    conn.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_the_migrations_alone_bring_each_file_to_todays_tables_and_indexes(version, datadir):
    """Without the after-open repair: only the files stamped 6 while the ledgers were still landing lack tables."""
    path = fixture_copy(version, datadir)
    database = pw.SqliteDatabase(str(path), pragmas=dbmod.PRAGMAS)
    dbmod.db.initialize(database)
    try:
        ran = dbmod.run_migrations(database, version)
        tables, indexes = dbmod.missing_schema(database)
    finally:
        dbmod.close_database()
    assert ran == [n for n, _, _ in dbmod.MIGRATIONS if n > version]
    assert indexes == []
    if version != 6:
        assert tables == []
    else:
        areas = {m.__module__.removeprefix("neiqin.models.").split(".")[0] for m in tables}
        assert areas <= LATE_V6_LEDGERS | {"ledger", "bookings", "stocktake"}
        assert {"incoming_doc", "parcel", "supply", "meeting"} <= {m._meta.table_name for m in tables}


def test_v6_file_missing_later_ledgers_is_repaired_once_after_a_copy(datadir, fresh_schema, caplog):
    path = fixture_copy(6, datadir)
    dbmod.open_database(path, datadir.backups)
    dbmod.close_database()
    assert "lacked" in caplog.text
    assert_same_schema(path, fresh_schema)
    copies = list(datadir.backups.glob("*before-*.sqlite"))
    assert len(copies) == 1
    caplog.clear()
    dbmod.open_database(path, datadir.backups)  # whole now: nothing to repair, no second copy
    dbmod.close_database()
    assert "lacked" not in caplog.text and len(list(datadir.backups.glob("*before-*.sqlite"))) == 1


# ---------------------------------------------------------------------------------------------- a future migration


def test_a_future_migration_adding_columns_runs_on_old_files_only_and_once(datadir, tmp_path, monkeypatch):
    """The time bomb of issue 16: a migration adding a column broke every new database (duplicate column)."""
    old = fixture_copy(3, datadir)
    conn = sqlite3.connect(old)
    visits = dict(conn.execute("SELECT id, name FROM visit").fetchall())
    conn.close()

    # the model gains two fields, and migration N+1 adds them to older files
    colour = pw.CharField(max_length=10, default="蓝")
    checked_at = pw.DateTimeField(null=True, index=True)
    Visit._meta.add_field("plate_colour", colour)
    Visit._meta.add_field("plate_checked_at", checked_at)
    try:
        ran = []

        def add_plate_columns(database):
            ran.append(database.database)
            return (dbmod.add_column(database, Visit, colour), dbmod.add_column(database, Visit, checked_at))

        nxt = dbmod.SCHEMA_VERSION + 1
        monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (nxt, "visit plate colour", add_plate_columns)])
        monkeypatch.setattr(dbmod, "SCHEMA_VERSION", nxt)

        new = tmp_path / "new" / "neiqin.sqlite"
        new.parent.mkdir()
        dbmod.open_database(new)  # a new database: created whole, the migration skipped
        Visit.create(visit_date="2026-12-01", name="新库访客")
        dbmod.close_database()
        assert ran == []

        dbmod.open_database(old, datadir.backups)  # an old one: every migration after 3, this one last
        assert Visit.get_by_id(min(visits)).plate_colour == "蓝"
        assert {v.id: v.name for v in Visit.select()} == visits
        database = dbmod.db.obj
        assert add_plate_columns(database) == (False, False)  # run again (a lost stamp): nothing to do
        dbmod.close_database()
        assert ran == [str(old), str(old)]

        dbmod.open_database(old, datadir.backups)  # opened again: stamped, not run
        dbmod.close_database()
        assert len(ran) == 2
    finally:
        Visit._meta.remove_field("plate_colour")
        Visit._meta.remove_field("plate_checked_at")

    def columns(path):
        conn = sqlite3.connect(path)
        try:
            cols = {r[1]: (r[2], r[3]) for r in conn.execute("PRAGMA table_info(visit)")}
            idx = {r[1] for r in conn.execute("PRAGMA index_list(visit)")}
            versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY rowid")]
            return cols, idx, versions
        finally:
            conn.close()

    new_cols, new_idx, new_versions = columns(new)
    old_cols, old_idx, old_versions = columns(old)
    assert new_cols == old_cols and new_cols["plate_colour"] == ("VARCHAR(10)", 1)
    assert new_idx == old_idx and "visit_plate_checked_at" in new_idx
    assert new_versions == [nxt]  # stamped once, at the version it was created at
    assert old_versions == [1, 2, 3, *range(4, nxt + 1)]


def test_helpers_do_nothing_when_the_thing_exists(database):
    from neiqin.models import ALL_MODELS
    from neiqin.models.seals.uses import SealUse

    assert dbmod.create_tables(database, ALL_MODELS) == []
    assert dbmod.add_index(database, Visit, "visit_pii_pending") is False
    assert dbmod.add_index(database, SealUse, "seal_use_voided_ids") is False
    assert dbmod.add_column(database, Visit, Visit.name) is False
    assert dbmod.missing_schema(database) == ([], [])
    with pytest.raises(KeyError):
        dbmod.add_index(database, Visit, "no_such_index")


def test_a_new_database_runs_no_migration_and_is_stamped_once(datadir, monkeypatch):
    def never(database):
        raise AssertionError("a migration ran on a new database")

    monkeypatch.setattr(dbmod, "MIGRATIONS", [(n, d, never) for n, d, _ in dbmod.MIGRATIONS])
    dbmod.open_database(datadir.db_path, datadir.backups)
    dbmod.close_database()
    conn = sqlite3.connect(datadir.db_path)
    assert [r[0] for r in conn.execute("SELECT version FROM schema_version")] == [dbmod.SCHEMA_VERSION]
    conn.close()
    assert not list(datadir.backups.glob("*.sqlite"))  # nothing to put aside


# ---------------------------------------------------------------------------------------------- a data folder of 25a93af


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _cli(datadir: DataDir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neiqin", "--data-dir", str(datadir.root), *args],
                          capture_output=True, text=True)


def test_a_data_folder_of_25a93af_opens_with_everything_kept_and_verifies(tmp_path, fresh_schema):
    from neiqin import backup

    data = DataDir(tmp_path / "data")
    with tarfile.open(FIXTURES / "datadir-25a93af.tar.xz") as tar:
        tar.extractall(data.root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    attachments = _files(data.attachments)
    old_backups = sorted(data.backups.glob("*.nqbak"))
    conn = sqlite3.connect(data.db_path)
    before = read_rows(conn)
    chain_before = verify_connection(conn, data.attachments)
    version = dbmod.read_schema_version(conn)
    conn.close()
    n = counts(before, "setting", "audit_log", "seal_event", "seal_attachment", "visit", "incoming_doc", "parcel",
               "stock_move", "meeting")
    assert version == 6 and len(attachments) == 2 and len(old_backups) == 1 and chain_before.ok, chain_before.text()
    assert n["setting"] >= 5 and n["audit_log"] >= 900 and n["seal_event"] >= 70 and n["seal_attachment"] == 2, n
    assert all(n[t] > 0 for t in ("visit", "incoming_doc", "parcel", "stock_move", "meeting")), n

    # the program opens it (through the CLI, as a clerk's start would: lock, log, open, migrate)
    r = _cli(data, "export", "visitors", str(tmp_path / "visitors.xlsx"))
    assert r.returncode == 0, r.stderr

    conn = sqlite3.connect(data.db_path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION
    after = read_rows(conn)
    chain = verify_connection(conn, data.attachments)
    conn.close()
    assert assert_rows_kept(before, after) >= 2500
    assert_same_schema(data.db_path, fresh_schema)
    assert _files(data.attachments) == attachments
    assert chain.ok and chain.text().startswith("完整"), chain.text()
    assert (chain.events, chain.records, chain.head) == (chain_before.events, chain_before.records,
                                                         chain_before.head)

    r = _cli(data, "verify")  # neiqin verify: integrity, foreign keys, counts and the seal chain
    assert r.returncode == 0 and "校验通过" in r.stdout and "附加检查" in r.stdout, r.stdout + r.stderr

    # the automatic backup 25a93af made verifies, and restores (upgraded if older) with every record
    r = _cli(data, "verify", str(old_backups[0]))
    assert r.returncode == 0 and "校验通过" in r.stdout, r.stdout + r.stderr
    restored = DataDir(tmp_path / "restored")
    backup.restore_backup(old_backups[0], restored)
    conn = sqlite3.connect(restored.db_path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION
    assert assert_rows_kept(before, read_rows(conn)) >= 2500
    assert verify_connection(conn, restored.attachments).ok
    conn.close()
    assert _files(restored.attachments) == attachments
