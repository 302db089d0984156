"""``python -m neiqin labels``: list, calibration page and the day's badges, through the real CLI entry point."""

from __future__ import annotations

import pdfplumber
import pytest

from neiqin import clock
from neiqin.cli import main
from neiqin.db import close_database, open_database


@pytest.fixture
def demo_dir(demo_data):
    """A data dir with the demo data (it includes visitors checked in today), closed again for the CLI."""
    return demo_data(120)


def run(capsys, *argv):
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_works_without_a_database(tmp_path, capsys):
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "none"), "labels", "--list")
    assert code == 0
    assert "a4-3x8" in out and "roll-50x30" in out and "a4-2x5-badge" in out
    assert not (tmp_path / "none").exists(), "listing must not create a data dir"


def test_list_shows_custom_stocks(demo_dir, capsys):
    from neiqin.reports.labels import LabelStock, save_custom_stock

    open_database(demo_dir.db_path)
    save_custom_stock(LabelStock("shelf", "货架签", 210, 297, 5, 2, 80, 50, 20, 20))
    close_database()
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "labels", "--list")
    assert code == 0 and "custom-shelf" in out and "货架签" in out and "（自定义）" in out


def test_calibration_page(demo_dir, tmp_path, capsys):
    from neiqin.reports.labels import Offset, save_printer_offset

    open_database(demo_dir.db_path)
    save_printer_offset("Zebra", Offset(-5, 12))
    close_database()
    out_pdf = tmp_path / "cal.pdf"
    code, out, _ = run(capsys, "--data-dir", str(demo_dir.root), "labels", "calibration", "--stock", "a4-2x7",
                       str(out_pdf), "--printer", "Zebra")
    assert code == 0 and "水平 -0.5 mm，垂直 +1.2 mm" in out
    with pdfplumber.open(out_pdf) as pdf:
        words = {w["text"] for w in pdf.pages[0].extract_words()}
    assert {str(i) for i in range(1, 15)} <= words


def test_badges_of_today(demo_dir, tmp_path, capsys):
    from neiqin.models import Visit

    open_database(demo_dir.db_path)
    today = clock.today()
    expected = (Visit.select().where((Visit.voided == False) & Visit.status.in_(["在场", "已离开"])  # noqa: E712
                                     & (Visit.visit_date == today) & Visit.arrive_at.is_null(False)).count())
    close_database()
    assert expected > 0, "the demo data has visitors checked in today"
    out_pdf = tmp_path / "badges.pdf"
    code, out, err = run(capsys, "--data-dir", str(demo_dir.root), "labels", "badges", str(out_pdf),
                         "--stock", "a4-2x5-badge", "--start", "3", "--copies", "2")
    assert code == 0, err
    assert f"{expected} 位访客" in out
    with pdfplumber.open(out_pdf) as pdf:
        pages = len(pdf.pages)
        text = "".join(p.extract_text() for p in pdf.pages)
    assert pages == (2 + 2 * expected - 1) // 10 + 1
    assert text.count("当日有效") == 2 * expected


@pytest.mark.parametrize(("argv", "message"), [
    (["--stock", "a4-3x8", "--start", "25"], "超出了本张标签纸"),
    (["--stock", "nope"], "没有名为“nope”的标签纸"),
    (["--stock", "a4-3x8", "--date", "2001-01-01"], "没有到访的访客"),
    (["--stock", "a4-3x8", "--copies", "0"], "份数"),
])
def test_bad_input_gives_one_chinese_line(demo_dir, tmp_path, capsys, argv, message):
    out_pdf = tmp_path / "b.pdf"
    code, _, err = run(capsys, "--data-dir", str(demo_dir.root), "labels", "badges", str(out_pdf), *argv)
    assert code == 1 and message in err and err.startswith("错误：") and err.count("\n") == 1
    assert not out_pdf.exists()


def test_badges_need_a_database(tmp_path, capsys):
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "labels", "badges", str(tmp_path / "b.pdf"),
                       "--stock", "a4-3x8")
    assert code == 1 and "没有数据文件" in err
