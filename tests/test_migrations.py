"""A real database written by an earlier release (schema v3: visitors and seals) opens with the current program:
it is copied aside, gains every table and index of the later ledgers, and keeps its records."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from neiqin import db as dbmod
from neiqin.models import ALL_MODELS, LEDGERS, LedgerQuery, Staff, Visit

FIXTURES = Path(__file__).parent / "fixtures"


def test_schema_v3_file_migrates_to_the_current_schema(datadir):
    shutil.copy(FIXTURES / "schema-v3.sqlite", datadir.db_path)
    before = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(before) == 3
    staff, visits = (before.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("staff", "visit"))
    before.close()

    dbmod.open_database(datadir.db_path, datadir.backups)
    try:
        assert Staff.select().count() == staff and Visit.select().count() == visits
        for spec in LEDGERS.values():  # every ledger answers a page, a count and a search
            spec.fetch_page(LedgerQuery())
            spec.count(LedgerQuery())
            if spec.search is not None:
                spec.count(LedgerQuery(search="王"))
    finally:
        dbmod.close_database()

    conn = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {f"{spec.model._meta.table_name}_voided_ids" for spec in LEDGERS.values()} <= indexes
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert list(datadir.backups.glob(f"*before-v{dbmod.SCHEMA_VERSION}*.sqlite"))
