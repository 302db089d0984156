"""``python -m neiqin today``: the 今日 lists as text (plain in a pipe), the sheet as PDF, exit codes."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from neiqin import clock
from neiqin.cli import main
from neiqin.cli.today import EXIT_OVERDUE, render


@pytest.fixture
def demo_dir(demo_data):
    return demo_data(80)


def run(capsys, *argv):
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_today_prints_every_section_plain_when_not_a_terminal(demo_dir, capsys):
    code, out, err = run(capsys, "--data-dir", str(demo_dir.root), "today")
    assert code == 0 and err == ""
    assert "\033[" not in out  # captured output is not a tty: no colour codes
    for title in ("【在场访客】", "【印章证照外借】", "【证照到期】", "【本周生日】", "【U盘备份】"):
        assert title in out
    assert "【逾期】从未备份到U盘" in out and "【到期】" in out and "今天生日" in out
    first = out.splitlines()[0]
    assert first.startswith("今日 ") and "星期" in first and "某某市城市建设投资有限公司" in first


def test_urgent_only_sections_and_the_overdue_exit_code(demo_dir, capsys):
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "today", "--urgent", "--section", "usb_backup",
                       "--section", "birthdays", "--fail-if-overdue")
    assert code == EXIT_OVERDUE  # never backed up to a USB stick
    assert "【U盘备份】" in out and "【本周生日】" in out and "【在场访客】" not in out
    assert "已过" not in out  # a birthday earlier this week is not urgent


def test_list_sections_and_unknown_section(demo_dir, capsys):
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "today", "--list-sections")
    assert code == 0 and "usb_backup\tU盘备份" in out and "birthdays\t本周生日" in out
    code, _, err = run(capsys, "--data-dir", str(demo_dir.root), "today", "--section", "nothing")
    assert code == 1 and "没有栏目：nothing" in err


def test_handover_sheet_as_pdf(demo_dir, capsys, tmp_path):
    out_pdf = tmp_path / "交接班单.pdf"
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "today", "--pdf", str(out_pdf))
    assert code == 0 and "已生成交接班单" in out and out_pdf.exists()
    with pdfplumber.open(out_pdf) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "交接班单" in text and "接班人" in text and "从未备份到U盘" in text
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "today", "--pdf", str(tmp_path / "w.pdf"),
                       "--worklist")
    assert code == 0 and "已生成今日工作清单" in out


def test_worklist_needs_pdf_and_missing_data_dir(tmp_path, capsys):
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "none"), "today")
    assert code == 1 and "不存在" in err


def test_colour_only_for_a_terminal(database):
    from neiqin.cli.today import _use_colour
    from neiqin.models import today

    sections = today.compute(clock.today(), keys=["usb_backup"])
    coloured = render(sections, clock.today(), colour=True)
    assert "\033[31m  【逾期】从未备份到U盘" in coloured
    assert "\033[" not in render(sections, clock.today())
    assert not _use_colour(io.StringIO())
