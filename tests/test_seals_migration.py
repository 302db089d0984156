"""A database written before the seal register (schema v1, by 477a798) opens, is copied aside and gains the seal
tables; a seal use registered afterwards starts a chain that verifies."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from neiqin import db as dbmod
from neiqin.models import Staff
from neiqin.models.seals.chain import verify_chain
from neiqin.models.seals.registry import SEALS
from neiqin.models.seals.uses import apply_use

FIXTURES = Path(__file__).parent / "fixtures"


def test_v1_database_migrates_to_v2(datadir):
    shutil.copyfile(FIXTURES / "schema-v1.sqlite", datadir.db_path)
    conn = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(conn) == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name='seal_event'").fetchone()
    staff = conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0]
    person = conn.execute("SELECT name, department FROM staff WHERE voided = 0 ORDER BY id").fetchone()
    conn.close()

    dbmod.open_database(datadir.db_path, datadir.backups)
    try:
        assert Staff.select().count() == staff
        seal = SEALS.create({"name": "公章", "custodian": person[0]})
        apply_use({"seal": seal.id, "applicant": person[0], "department": person[1], "doc_title": "证明",
                   "copies": 1, "purpose": "开具证明"})
        assert verify_chain().ok
    finally:
        dbmod.close_database()
    conn = sqlite3.connect(datadir.db_path)
    assert dbmod.read_schema_version(conn) == dbmod.SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"seal", "licence", "seal_use", "seal_loan", "seal_attachment", "seal_event",
            "seal_use_fts_tri", "licence_fts_uni"} <= names
    conn.close()
    assert list(datadir.backups.glob(f"*before-v{dbmod.SCHEMA_VERSION}*.sqlite"))


def _cli(datadir, *args):
    return subprocess.run([sys.executable, "-m", "neiqin", "--data-dir", str(datadir.root), *args],
                          capture_output=True, text=True)


def test_cli_keys_export_print_and_refuse_import(datadir, tmp_path):
    r = _cli(datadir, "demo", "--rows", "40")
    assert r.returncode == 0, r.stderr
    for key in ("seals", "seal-uses", "seal-loans", "licences"):
        r = _cli(datadir, "print", key, str(tmp_path / f"{key}.pdf"))
        assert r.returncode == 0, r.stderr
        r = _cli(datadir, "export", key, str(tmp_path / f"{key}.xlsx"))
        assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "seal-uses.pdf"), "-"],
                          capture_output=True, text=True).stdout
    for header in ("用印登记簿", "编号", "用印部门", "经办人", "印章", "文件名称", "事由", "份数",  # 份数(用印次数) wraps in its narrow column
                   "审批人", "监印人", "备注"):
        assert header in text, header
    r = _cli(datadir, "import", "seal-uses", str(tmp_path / "seal-uses.xlsx"))
    assert r.returncode != 0 and "登记流程" in r.stderr or "表头" in r.stderr, r.stderr


def test_backup_verify_runs_the_seal_chain_check(datadir):
    from neiqin import backup

    assert _cli(datadir, "demo", "--rows", "20").returncode == 0
    report = backup.verify_database(datadir.db_path)
    assert report.ok and any("附加检查" in c for c in report.checks), report.text()
    conn = sqlite3.connect(datadir.db_path)
    conn.execute("UPDATE seal_use SET copies = copies + 1 WHERE id = 3")
    conn.commit()
    conn.close()
    report = backup.verify_database(datadir.db_path)
    assert not report.ok
    assert report.problems[0].startswith("用印登记链：用印记录 #3") and "份数" in report.problems[0]
