import sqlite3

import pytest

from neiqin import db as dbmod
from neiqin.errors import DatabaseTooNewError, DataDirLockedError, NeiqinError
from neiqin.models import STAFF, Staff


def test_pragmas(database):
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_schema_version_recorded(database, datadir):
    conn = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION


def test_newer_database_refused_untouched(datadir):
    dbmod.open_database(datadir.db_path)
    dbmod.db.obj.execute_sql("INSERT INTO schema_version(version) VALUES (999)")
    dbmod.close_database()
    before = datadir.db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="较新版本"):
        dbmod.open_database(datadir.db_path)
    assert datadir.db_path.read_bytes() == before


def test_foreign_file_refused(datadir):
    conn = sqlite3.connect(datadir.db_path)
    conn.execute("CREATE TABLE other(x)")
    conn.commit()
    conn.close()
    with pytest.raises(NeiqinError, match="不是内勤台账"):
        dbmod.open_database(datadir.db_path)


def test_garbage_file_refused(datadir):
    datadir.db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NeiqinError, match="无法读取"):
        dbmod.open_database(datadir.db_path)


def test_migration_runs_in_order_after_copy(datadir, monkeypatch):
    dbmod.open_database(datadir.db_path, datadir.backups)
    STAFF.create({"name": "张三"})
    dbmod.close_database()
    ran = []

    nxt = dbmod.SCHEMA_VERSION + 1

    def v_next(database):
        ran.append(nxt)
        database.execute_sql("CREATE TABLE extra_next (x INTEGER)")

    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS + [(nxt, "test", v_next)])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", nxt)
    dbmod.open_database(datadir.db_path, datadir.backups)
    assert ran == [nxt]
    assert Staff.select().count() == 1
    copies = list(datadir.backups.glob(f"*before-v{nxt}*.sqlite"))
    assert len(copies) == 1
    assert sqlite3.connect(copies[0]).execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 1
    dbmod.close_database()


def test_failed_migration_rolls_back(datadir, monkeypatch):
    dbmod.open_database(datadir.db_path, datadir.backups)
    dbmod.close_database()

    def bad(database):
        database.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    before = dbmod.SCHEMA_VERSION
    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS + [(before + 1, "bad", bad)])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", before + 1)
    with pytest.raises(RuntimeError):
        dbmod.open_database(datadir.db_path, datadir.backups)
    dbmod.close_database()
    conn = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(conn) == before
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name='half_done'").fetchone()


def test_second_instance_is_told(datadir):
    first = dbmod.DataDirLock(datadir).acquire()
    try:
        with pytest.raises(DataDirLockedError, match="已在使用"):
            dbmod.DataDirLock(datadir).acquire()
    finally:
        first.release()
    dbmod.DataDirLock(datadir).acquire().release()


def test_partial_indexes_used_for_counts_and_erasure(database):
    plan = " ".join(str(r) for r in database.execute_sql(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM visit WHERE voided = 1").fetchall())
    assert "visit_voided_ids" in plan
    plan = " ".join(str(r) for r in database.execute_sql(
        "EXPLAIN QUERY PLAN SELECT id FROM visit WHERE visit_date < '2026-01-01' AND pii_erased_at IS NULL"
    ).fetchall())
    assert "visit_pii_pending" in plan
