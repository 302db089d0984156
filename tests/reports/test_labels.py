"""Label engine and templates, checked from the PDF itself: where every character and shape landed (pdfplumber),
what the printed codes decode to (zbarimg on a 300 dpi rendering), and which fonts are embedded (pdffonts)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.units import mm

from neiqin.errors import NeiqinError, ValidationError
from neiqin.reports import labels as L
from neiqin.reports.labels import (
    PRESETS,
    Box,
    LabelStock,
    Offset,
    placements,
    write_calibration,
    write_labels,
)
from neiqin.reports.templates import AddressLabel, BarcodeLabel, FolderLabel, SpineLabel

ZBAR = shutil.which("zbarimg")
PDFTOPPM = shutil.which("pdftoppm")
PDFFONTS = shutil.which("pdffonts")

LONG = "中华人民共和国国家发展和改革委员会办公厅行政后勤保障处综合科" * 3


def sample_labels() -> list:
    """One of each template, some with text far too long for any label."""
    return [
        BarcodeLabel("ZC-2026-0001", "联想 ThinkPad X1 笔记本电脑", "办公室", "code128"),
        SpineLabel("0001", "2026", "D30", LONG, "0001", "0050", "12"),
        FolderLabel(LONG, "会议纪要" * 6, "2026-03"),
        AddressLabel("欧阳明" * 8, LONG, "200120", "13812345678"),
        BarcodeLabel("QR-内容-中文", LONG, LONG, "qr"),
    ]


def page_objects(page) -> list[tuple[str, Box]]:
    """Every char, rect, line and curve of a pdfplumber page as (description, Box in PDF points, origin bottom)."""
    h = page.height
    out = []
    for kind in ("chars", "rects", "lines", "curves"):
        for o in getattr(page, kind):
            desc = o.get("text", kind)
            out.append((desc, Box(o["x0"], h - o["bottom"], o["x1"] - o["x0"], o["bottom"] - o["top"])))
    return out


def assert_inside_labels(pdf_path: Path, stock: LabelStock, count: int, *, start=1, copies=1,
                         offset: Offset | None = None) -> None:
    """Each object lies inside the label box it belongs to, and only the expected boxes are used."""
    offset = offset or Offset()
    expected: dict[int, set[int]] = {}
    for page, slot, _ in placements(stock, count, start=start, copies=copies):
        expected.setdefault(page, set()).add(slot)
    boxes = [Box(b.x + offset.dx, b.y + offset.dy, b.w, b.h) for b in stock.slots()]
    with pdfplumber.open(pdf_path) as pdf:
        assert len(pdf.pages) == len(expected)
        for p, page in enumerate(pdf.pages):
            used: set[int] = set()
            for desc, box in page_objects(page):
                homes = [i for i, b in enumerate(boxes) if b.contains(box, tol=0.05)]
                assert homes, f"page {p + 1}: {desc!r} at {box} is outside every label of {stock.key}"
                used.update(homes if len(homes) == 1 else [i for i in homes if i in expected[p]][:1])
            assert used == expected[p], f"page {p + 1}: labels used {sorted(used)}, expected {sorted(expected[p])}"


@pytest.mark.parametrize("key", list(PRESETS))
@pytest.mark.parametrize("offset", [Offset(), Offset(15, -25)], ids=["no-offset", "offset"])
def test_every_template_stays_inside_its_label(tmp_path, key, offset):
    stock = PRESETS[key]
    start = 1 if stock.per_page == 1 else stock.per_page - 1  # the last two labels of a used sheet, then on
    labels = sample_labels()
    out = tmp_path / "labels.pdf"
    pages = write_labels(out, stock, labels, start=start, copies=2, offset=offset)
    assert_inside_labels(out, stock, len(labels), start=start, copies=2, offset=offset)
    assert pages == (start - 1 + 2 * len(labels) - 1) // stock.per_page + 1


def test_long_text_shrinks_then_ends_in_ellipsis(tmp_path):
    stock = PRESETS["a4-3x8"]
    out = tmp_path / "long.pdf"
    write_labels(out, stock, [BarcodeLabel("A1", LONG, "短", "code128"), BarcodeLabel("A2", "短标题", "", "code128")])
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
    first = [c for c in chars if c["x0"] < stock.slot(0).right]
    second = [c for c in chars if c["x0"] >= stock.slot(1).x - 0.01]
    assert "…" in "".join(c["text"] for c in first)
    sizes_long = {round(c["size"], 1) for c in first if c["text"] in LONG}
    sizes_short = {round(c["size"], 1) for c in second if c["text"] in "短标题"}
    assert max(sizes_long) < min(sizes_short), "the long title must have been shrunk"
    assert min(sizes_long) >= 4.5 - 0.01, "never below the minimum size"


def test_start_position_and_copies_place_labels(tmp_path):
    stock = PRESETS["a4-2x7"]
    places = placements(stock, 3, start=13, copies=2)
    assert places == [(0, 12, 0), (0, 13, 0), (1, 0, 1), (1, 1, 1), (1, 2, 2), (1, 3, 2)]
    out = tmp_path / "s.pdf"
    write_labels(out, stock, [AddressLabel(f"收件人{i}", "北京市东城区") for i in range(3)], start=13, copies=2)
    assert_inside_labels(out, stock, 3, start=13, copies=2)


def test_start_beyond_the_sheet_and_bad_copies_are_refused():
    with pytest.raises(ValidationError, match="超出了本张标签纸.*24 个标签"):
        placements(PRESETS["a4-3x8"], 1, start=25)
    with pytest.raises(ValidationError, match="起始位置只能是 1"):
        placements(PRESETS["roll-50x30"], 1, start=2)
    with pytest.raises(ValidationError, match="份数"):
        placements(PRESETS["a4-3x8"], 1, copies=0)
    with pytest.raises(NeiqinError, match="没有要打印的标签"):
        write_labels("/nonexistent/x.pdf", PRESETS["a4-3x8"], [])


def test_custom_stock_that_does_not_fit_gets_a_clear_message():
    stock = LabelStock("my", "自制 3×8", 210, 297, 8, 3, 72, 37, margin_left=2)
    with pytest.raises(ValidationError, match="放不下：左边距加 3 列标签和间距共需 218 mm，而纸宽只有 210 mm"):
        stock.check()
    tall = LabelStock("my", "自制", 210, 297, 9, 2, 90, 33, margin_top=5, gap_y=1)
    with pytest.raises(ValidationError, match="纸高只有 297 mm"):
        tall.check()
    with pytest.raises(ValidationError, match="每页只能有 1 张"):
        LabelStock("r", "卷", 50, 60, 2, 1, 50, 30, roll=True).check()
    with pytest.raises(ValidationError, match="圆角半径"):
        LabelStock("r", "圆", 50, 30, 1, 1, 50, 30, radius=20).check()


def test_every_preset_fits_its_page():
    for stock in PRESETS.values():
        assert stock.check() is stock
        for box in stock.slots():
            assert Box(0, 0, stock.page_w * mm, stock.page_h * mm).contains(box)


def test_custom_stocks_and_offsets_are_stored_in_settings(database):
    from neiqin.models import settings

    stock = L.save_custom_stock(LabelStock("", "仓库货架签 80×50", 210, 297, 5, 2, 80, 50, 20, 20, 10, 5))
    assert stock.key.startswith("custom-") and stock.custom
    assert L.get_stock(stock.key) == stock
    assert stock.key in L.all_stocks() and "a4-3x8" in L.all_stocks()
    assert settings.get("labels.custom_stocks")[0]["name"] == "仓库货架签 80×50"
    with pytest.raises(ValidationError, match="放不下"):
        L.save_custom_stock(LabelStock("", "太宽", 210, 297, 1, 3, 80, 50))
    L.delete_custom_stock(stock.key)
    with pytest.raises(NeiqinError, match="没有名为"):
        L.get_stock(stock.key)

    assert L.printer_offset("HP LaserJet") == Offset()
    L.save_printer_offset("HP LaserJet", Offset(12, -7))
    assert L.printer_offset("HP LaserJet") == Offset(12, -7)
    assert L.printer_offset("Other") == Offset()
    assert settings.get("labels.offset.HP LaserJet") == {"x": 12, "y": -7}
    with pytest.raises(ValidationError, match="±20 mm"):
        L.save_printer_offset("HP LaserJet", Offset(250, 0))


@pytest.mark.parametrize("key", ["a4-3x8", "a4-2x7", "roll-60x40", "a4-spine-30"])
def test_calibration_page_outlines_and_numbers_every_label(tmp_path, key):
    stock = PRESETS[key]
    offset = Offset(-10, 20)
    out = tmp_path / "cal.pdf"
    write_calibration(out, stock, offset, printer="HP LaserJet")
    assert_inside_labels(out, stock, stock.per_page, offset=offset)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
        text = page.extract_text()
    numbers = {w["text"] for w in words}
    assert {str(i) for i in range(1, stock.per_page + 1)} <= numbers
    assert "水平 -1.0 mm，垂直 +2.0 mm" in text.replace("\n", "")
    # the outline of label 1 sits where the stock says, moved by the offset
    box = stock.slot(0)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        shapes = [b for d, b in page_objects(page) if d in ("rects", "curves")]
    assert any(abs(b.x - (box.x + offset.dx)) < 1 and abs(b.top - (box.top + offset.dy)) < 1 and b.w > box.w - 2
               for b in shapes)


def test_vertical_text_on_a_narrow_spine(tmp_path):
    stock = PRESETS["a4-spine-20"]
    out = tmp_path / "spine.pdf"
    write_labels(out, stock, [SpineLabel("0001", "2026", "Y", "办公室综合科", "0001", "0050", "3")])
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
    unit = [c for c in chars if c["text"] in "办公室综合科"]
    assert [c["text"] for c in sorted(unit, key=lambda c: c["top"])] == list("办公室综合科")
    assert max(c["x0"] for c in unit) - min(c["x0"] for c in unit) < 1, "one column, stacked"
    assert "永久" in "".join(c["text"] for c in chars)


def test_code128_refuses_what_it_cannot_print():
    from neiqin.reports.templates import code128_bars

    with pytest.raises(NeiqinError, match="只能包含英文字母、数字"):
        code128_bars("办公-001")
    with pytest.raises(NeiqinError, match="太长"):
        write_labels("/tmp/never.pdf", PRESETS["roll-50x30"], [BarcodeLabel("X" * 60, "t")])
    assert not Path("/tmp/never.pdf").exists()


def test_fit_helpers_never_exceed_the_box():
    from neiqin.reports.fonts import font_for

    font = font_for("body")
    box = Box(0, 0, 40, 12)
    for text in ("短", LONG, "W" * 200, ""):
        line, size = L.fit_line(text, font, box, 20, 5)
        assert L.width(line, font, size) <= box.w + 1e-6
        below, above = L.extent(font, size)
        assert below + above <= box.h + 1e-6
        lines, size = L.fit_block(text, font, Box(0, 0, 40, 30), 14, 5)
        assert all(L.width(x, font, size) <= 40 + 1e-6 for x in lines)
    assert L.truncate("abc", font, 10, 0.5) == ""


def _decode(pdf: Path, tmp_path: Path, page: int = 1) -> list[str]:
    png = tmp_path / "render"
    subprocess.run([PDFTOPPM, "-r", "300", "-f", str(page), "-l", str(page), "-png", str(pdf), str(png)],
                   check=True)
    out = subprocess.run([ZBAR, "-q", "--raw", *map(str, sorted(tmp_path.glob("render*.png")))],
                         capture_output=True)
    return sorted(x for x in out.stdout.decode("utf-8").split("\n") if x)


@pytest.mark.skipif(not (ZBAR and PDFTOPPM), reason="zbarimg/pdftoppm not installed")
@pytest.mark.parametrize("key", ["a4-3x8", "a4-2x7", "roll-50x30", "roll-100x70"])
def test_printed_codes_decode_to_what_was_encoded(tmp_path, key):
    codes = [BarcodeLabel("ZC-2026-0001", "笔记本电脑", "", "code128"),
             BarcodeLabel("BG-A4-80", "复印纸", "3号柜", "both"),
             BarcodeLabel("资产:会议室投影仪/301", "投影仪", "", "qr")]
    stock = PRESETS[key]
    got = []
    out = tmp_path / "codes.pdf"
    pages = write_labels(out, stock, codes)
    for p in range(1, pages + 1):
        for f in tmp_path.glob("render*.png"):
            f.unlink()
        got += _decode(out, tmp_path, p)
    assert sorted(got) == sorted(["ZC-2026-0001", "BG-A4-80", "BG-A4-80", "资产:会议室投影仪/301"])


@pytest.mark.skipif(not PDFFONTS, reason="pdffonts not installed")
def test_fonts_are_embedded(tmp_path):
    from neiqin.reports import fonts

    if not fonts.REGISTRY.font_for_role("body").is_embedded:
        pytest.skip("no TrueType CJK font on this machine")
    out = tmp_path / "all.pdf"
    write_labels(out, PRESETS["a4-2x4"], sample_labels())
    lines = subprocess.run([PDFFONTS, str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines, "no fonts at all?"
    assert all(line.split()[-5] == "yes" for line in lines), "\n".join(lines)


def test_badge_payload_format():
    from neiqin.reports.badges import badge_payload

    assert badge_payload(42, "F007", dt.date(2026, 3, 1)) == "NQV:42:F007:2026-03-01"


def test_label_modules_load_no_qt():
    code = ("import sys, neiqin.reports.labels, neiqin.reports.templates, neiqin.reports.forms, "
            "neiqin.reports.badges;"
            "qt = [m for m in sys.modules if m.startswith('PySide6')]; assert not qt, qt")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_text_and_codes_stay_clear_of_the_paper_edge_on_edge_to_edge_sheets(tmp_path):
    """3×8 labels reach the paper's edge; printers clip about 4 mm there (issue 18 item 7)."""
    from neiqin.reports.labels import SAFE_MARGIN, LabelStock

    stock = PRESETS["a4-3x8"]
    assert stock.safe_mm == SAFE_MARGIN == 4.0 and PRESETS["roll-50x30"].safe_mm == 0
    out = tmp_path / "edge.pdf"
    write_labels(out, stock, [BarcodeLabel(f"A{i:04d}", f"资产{i}", "办公室") for i in range(24)])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        w, h = page.width, page.height
        ink = [*page.chars, *page.rects]
        assert ink
        near = [o for o in ink if o["x0"] < 4 * mm - 0.2 or o["x1"] > w - 4 * mm + 0.2
                or o["top"] < 4 * mm - 0.2 or o["bottom"] > h - 4 * mm + 0.2]
        assert near == []
    wider = LabelStock(**{**stock.to_dict(), "safe_margin": 6.0})
    write_labels(out, wider, [BarcodeLabel("A0001", "资产", "办公室")])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        assert min(o["x0"] for o in [*page.chars, *page.rects]) >= 6 * mm - 0.2
        assert min(o["top"] for o in [*page.chars, *page.rects]) >= 6 * mm - 0.2
