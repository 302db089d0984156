"""Issue 19, defect 8: a data folder that was named but does not exist is never created silently; portable mode
finds ``数据`` beside the program by itself (no start.bat, whose encoding cmd.exe misreads)."""

from __future__ import annotations

import pytest

from neiqin import paths
from neiqin.cli import main


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("NEIQIN_HOME", raising=False)


def test_a_missing_folder_is_refused_by_writing_commands(tmp_path, capsys, no_env):
    missing = tmp_path / "E盘" / "内勤数据"  # the stick is not plugged in
    xlsx = tmp_path / "staff.xlsx"
    assert main(["--data-dir", str(tmp_path / "src"), "demo", "--rows", "1"]) == 0  # demo makes its folder
    assert main(["--data-dir", str(tmp_path / "src"), "export", "staff", str(xlsx)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(missing), "import", "staff", str(xlsx)]) == 1
    err = capsys.readouterr().err
    assert "数据目录不存在" in err and "请先插好U盘" in err and "--create" in err
    assert not missing.exists() and not missing.parent.exists()
    assert main(["--data-dir", str(missing), "--create", "import", "staff", str(xlsx)]) == 0
    assert (missing / "neiqin.sqlite").exists()


def test_neiqin_home_that_does_not_exist_is_refused_too(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEIQIN_HOME", str(tmp_path / "typo"))
    assert main(["import", "staff", str(tmp_path / "x.xlsx")]) == 1
    assert "数据目录不存在" in capsys.readouterr().err and not (tmp_path / "typo").exists()


def test_portable_mode_finds_the_folder_beside_the_program(tmp_path, monkeypatch, no_env):
    program = tmp_path / "U盘" / "内勤台账"
    program.mkdir(parents=True)
    monkeypatch.setattr(paths, "program_dir", lambda: program)
    assert paths.resolve_data_dir().root != program / "数据"  # no 数据 folder: the user's data dir
    (program / "数据").mkdir()
    assert paths.resolve_data_dir().root == program / "数据"
    assert paths.resolve_data_dir(tmp_path / "other").root == tmp_path / "other"  # --data-dir still wins


def test_running_from_source_is_never_portable():
    assert paths.program_dir() is None
