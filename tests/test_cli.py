import subprocess
import sys

import pytest

from neiqin.cli import main


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "neiqin", *args], capture_output=True, text=True, timeout=120, **kw)


def test_unknown_ledger_is_one_chinese_line(tmp_path, capsys):
    d = tmp_path / "d"
    assert main(["--data-dir", str(d), "demo", "--rows", "20"]) == 0
    assert main(["--data-dir", str(d), "export", "bogus", str(tmp_path / "x.xlsx")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：没有名为“bogus”的台账") and "\n" not in err


def test_missing_data_dir(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "nope"), "print", "visitors", str(tmp_path / "x.pdf")]) == 1
    assert "数据目录不存在" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()


def test_bad_arguments_in_chinese():
    r = run("frob")
    assert r.returncode == 2 and "命令行参数错误" in r.stderr
    r = run("print", "visitors", "x.pdf", "--from", "2026-13-01")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_demo_fills_every_view(tmp_path):
    from neiqin.db import close_database, open_database
    from neiqin.models import VISITORS, LedgerQuery

    d = tmp_path / "d"
    assert main(["--data-dir", str(d), "demo", "--rows", "200"]) == 0
    open_database(d / "neiqin.sqlite")
    try:
        for status in ("today", "on_site", "appointments", "left"):
            assert VISITORS.count(LedgerQuery(status=status)) > 0, status
    finally:
        close_database()


def test_write_command_refused_while_window_holds_the_lock(tmp_path, capsys):
    from neiqin.db import DataDirLock
    from neiqin.paths import DataDir

    d = DataDir(tmp_path / "d").ensure()
    with DataDirLock(d):
        assert main(["--data-dir", str(d.root), "demo", "--rows", "5"]) == 1
    assert "已在使用" in capsys.readouterr().err


@pytest.mark.parametrize("rows", ["-1", "abc"])
def test_demo_rows_validated(tmp_path, rows):
    r = run("--data-dir", str(tmp_path / "d"), "demo", "--rows", rows)
    assert r.returncode != 0 and ("错误" in r.stderr or "参数错误" in r.stderr)


def test_env_var_selects_data_dir(tmp_path):
    import os

    env = {**os.environ, "NEIQIN_HOME": str(tmp_path / "home")}
    r = run("demo", "--rows", "3", env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "home" / "neiqin.sqlite").exists()


def test_cli_print_export_import_round_trip(tmp_path, capsys):
    import shutil
    import subprocess as sp

    d = str(tmp_path / "d")
    assert main(["--data-dir", d, "demo", "--rows", "60"]) == 0
    pdf, xlsx = tmp_path / "v.pdf", tmp_path / "s.xlsx"
    assert main(["--data-dir", d, "print", "visitors", str(pdf), "--status", "on_site"]) == 0
    if shutil.which("pdftotext"):
        text = sp.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "来访登记簿" in text and "在场" in text
        assert "第1页共1页" in text.replace(" ", "")
    issues = tmp_path / "issues.pdf"  # 出入库 filtered to 领用 prints as the 领用登记簿, as the window's 领用 view does
    assert main(["--data-dir", d, "print", "stock-moves", str(issues), "--status", "issue"]) == 0
    if shutil.which("pdftotext"):
        text = sp.run(["pdftotext", "-layout", str(issues), "-"], capture_output=True, text=True).stdout
        assert "领用登记簿" in text and "领用人签字" in text.replace(" ", "") and "供应商" not in text
    assert main(["--data-dir", d, "export", "staff", str(xlsx)]) == 0
    d2 = str(tmp_path / "d2")
    assert main(["--data-dir", d2, "--create", "import", "staff", str(xlsx), "--dry-run"]) == 0
    assert "检查通过：60 行" in capsys.readouterr().out
    assert main(["--data-dir", d2, "import", "staff", str(xlsx)]) == 0
    assert main(["--data-dir", d2, "import", "staff", str(tmp_path / "missing.xlsx")]) == 1
    assert "找不到文件" in capsys.readouterr().err
