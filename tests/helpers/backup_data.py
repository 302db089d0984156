"""Test data for backup tests: one demo database with every ledger filled, made once and copied per test."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from neiqin.paths import DataDir

ATTACHMENTS = {
    "2025/来访/身份证复印件.jpg": b"\xff\xd8\xff\xe0 fake jpeg " * 200,
    "合同/采购合同（盖章）.pdf": b"%PDF-1.4 fake pdf " * 500,
    "readme.txt": "附件说明：机密".encode(),
}


def make_template(folder: Path, rows: int = 300) -> DataDir:
    """A closed, checkpointed demo data dir (database + attachments)."""
    from neiqin.db import close_database, open_database
    from neiqin.demo import generate

    datadir = DataDir(folder).ensure()
    open_database(datadir.db_path, datadir.backups)
    try:
        generate(rows)
    finally:
        close_database()
    for rel, data in ATTACHMENTS.items():
        path = datadir.attachments / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return datadir


def copy_data(template: DataDir, datadir: DataDir) -> DataDir:
    datadir.ensure()
    shutil.copyfile(template.db_path, datadir.db_path)
    shutil.rmtree(datadir.attachments)
    shutil.copytree(template.attachments, datadir.attachments)
    return datadir


def dump(db_path: Path) -> list[str]:
    """Every row of every table (virtual FTS tables through their shadow tables), as SQL text."""
    conn = sqlite3.connect(str(db_path))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def table_rows(db_path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(str(db_path))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        # some FTS shadow tables are WITHOUT ROWID: compare the rows as sorted lists
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staff_names(db_path: Path) -> set[str]:
    conn = sqlite3.connect(str(db_path))
    try:
        return {r[0] for r in conn.execute("SELECT name FROM staff")}
    finally:
        conn.close()


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
