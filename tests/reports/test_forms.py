"""Form blocks, the 公文 page (GB/T 9704 geometry measured in the PDF) and the visitor printouts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.units import mm

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.reports import Cancelled
from neiqin.reports.forms import (
    GW_BLOCK_H,
    GW_BLOCK_W,
    GW_LEFT,
    GW_PAGE_H,
    GW_TOP,
    TableColumn,
    form_document,
    gongwen_document,
)
from neiqin.reports.labels import PRESETS

from .test_labels import PDFTOPPM, ZBAR, _decode, assert_inside_labels

PARA = "为切实做好春节期间安全保卫工作确保节日期间公司各项工作平稳有序根据上级有关通知要求现就有关事项通知如下" * 2


def lines_of(page) -> dict[float, list]:
    rows: dict[float, list] = defaultdict(list)
    for c in page.chars:
        rows[round(c["bottom"], 1)].append(c)
    return {k: sorted(v, key=lambda c: c["x0"]) for k, v in sorted(rows.items())}


def test_gongwen_page_geometry(tmp_path):
    out = tmp_path / "gw.pdf"
    with gongwen_document(out, title="通知") as doc:
        doc.title("关于做好安全保卫工作的通知")
        doc.addressee("各部门")
        for _ in range(14):
            doc.paragraph(PARA)
        doc.signature("某某有限公司办公室", dt.date(2026, 2, 3))
    top_mm = GW_PAGE_H - GW_TOP  # 版心 top, in points from the bottom
    left, right = GW_LEFT, GW_LEFT + GW_BLOCK_W
    bottom = top_mm - GW_BLOCK_H
    dashes = []
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) >= 2
        for n, page in enumerate(pdf.pages, 1):
            h = page.height
            number = [c for c in page.chars if abs(c["size"] - 14) < 0.1]
            body = [c for c in page.chars if abs(c["size"] - 14) >= 0.1]
            # everything but the page number inside the 版心
            for c in body:
                assert left - 0.5 <= c["x0"] and c["x1"] <= right + 0.5, c
                assert h - c["top"] <= top_mm + 0.5 and h - c["bottom"] >= bottom - 0.5, c
            # page number "— N —", 4号, top 7 mm below the 版心, odd right / even left, one character in
            text = "".join(c["text"] for c in number)
            assert text == f"— {n} —"
            dashes.append((n, number[0]["x0"], number[0]["x1"]))
            if n % 2:
                assert abs(max(c["x1"] for c in number) - (right - 14)) < 1.0
            else:
                assert abs(min(c["x0"] for c in number) - (left + 14)) < 1.0
        # page 2 is body text only: 22 lines of 28 characters (the first line of a paragraph is indented 2)
        rows = lines_of(pdf.pages[1])
        body_rows = [r for r in rows.values() if abs(r[0]["size"] - 16) < 0.1]
        assert len(body_rows) == 22
        assert max(len(r) for r in body_rows) == 28
        full = [r for r in body_rows if len(r) == 28]
        assert len(full) >= 8
        for r in full:
            assert abs(r[0]["x0"] - left) < 1.0 and abs(r[-1]["x1"] - right) < 1.0, "28 characters fill 156 mm"
        indented = [r for r in body_rows if abs(r[0]["x0"] - (left + 2 * GW_BLOCK_W / 28)) < 1]
        assert indented, "first lines indented by two characters"
        # title 22 pt centred on page 1
        title = [c for c in pdf.pages[0].chars if abs(c["size"] - 22) < 0.1]
        assert title and abs((title[0]["x0"] + title[-1]["x1"]) / 2 - (left + right) / 2) < 1.0
        last = pdf.pages[-1].extract_text()
    assert "2026年2月3日" in last and "某某有限公司办公室" in last
    if PDFTOPPM:  # the dash's ink, as printed: its top edge 7 mm below the 版心
        for n, x0, x1 in dashes[:2]:
            assert abs(ink_top_mm(out, n, x0, x1) - (GW_TOP + GW_BLOCK_H + 7 * mm) / mm) < 0.3


def ink_top_mm(pdf, page, x0, x1, dpi=600):
    """The top edge (mm from the page top) of the ink between x0 and x1 (points) below the 版心 on ``page``."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([PDFTOPPM, "-r", str(dpi), "-f", str(page), "-l", str(page), "-gray", str(pdf),
                        f"{tmp}/p"], check=True)
        img = Image.open(next(Path(tmp).iterdir()))
        px = dpi / 72
        left, right = int(x0 * px) + 2, int(x1 * px) - 2
        start = int((GW_TOP + GW_BLOCK_H) * px) + 5
        for y in range(start, img.height):
            if min(img.getpixel((x, y)) for x in range(left, right)) < 128:
                return y / px / mm
    raise AssertionError("no page number ink")


def test_form_table_continues_across_pages(tmp_path):
    out = tmp_path / "form.pdf"
    cols = [TableColumn("序号", 0.5, "center"), TableColumn("名称", 3), TableColumn("已确认安全", 1, kind="check")]
    rows = [[str(i), f"第{i}行" + "很长的名称" * (i % 4)] + [""] for i in range(1, 121)]
    with form_document(out, title="测试表", running_head="测试表") as doc:
        doc.title_block("测试表", "某某有限公司", number="编号：001", subtitle="共 120 行")
        doc.field_grid([("经办部门", "办公室"), ("日期", "2026-03-01"), ("说明", "很长的说明" * 40)],
                       wide=("说明",))
        n = doc.table(cols, rows)
        doc.signatures()
    assert n == 120
    with pdfplumber.open(out) as pdf:
        pages = len(pdf.pages)
        assert pages >= 3
        texts = [p.extract_text() for p in pdf.pages]
        for i, t in enumerate(texts, 1):
            assert f"第 {i} 页 共 {pages} 页" in t
            assert "序号" in t, "header repeated on every page"
        assert "测试表（续）" in texts[1]
        assert "第120行" in texts[-1] and "经办人：" in texts[-1] and "审批人：" in texts[-1]
        all_text = "".join(texts)
        assert all(f"第{i}行" in all_text for i in range(1, 121))
        # one tick box per row
        boxes = sum(1 for p in pdf.pages for r in p.rects if abs(r["width"] - r["height"]) < 0.5
                    and r["width"] < 15)
        assert boxes == 120
        for p in pdf.pages:  # nothing below the footer line or past the margins
            for c in p.chars:
                assert 15 * mm - 0.5 <= c["x0"] and c["x1"] <= p.width - 15 * mm + 0.5


def test_form_table_can_be_cancelled(tmp_path):
    out = tmp_path / "c.pdf"
    with pytest.raises(Cancelled):
        with form_document(out, title="x") as doc:
            doc.table([TableColumn("a")], ([str(i)] for i in range(1000)), cancelled=lambda: True)
    assert not out.exists()


# ---------------------------------------------------------------------------------------------- visitors


@pytest.fixture
def visits(database, host):
    from neiqin.models.visitors import VISITORS, arrive, check_in, make_appointment

    today = clock.today()
    a = check_in({"name": "欧阳明", "company": "上海浦东物流有限公司", "host": host.id,
                  "id_number": "11010519491231002X", "phone": "13912345678", "purpose": "商务洽谈"})
    b = check_in({"name": "李四", "company": "北京某某科技股份有限公司", "host": host.id, "party_size": 3})
    c = check_in({"name": "王五", "company": "作废公司", "host": host.id})
    VISITORS.void(c, "重复登记")
    make_appointment({"name": "赵六", "host": host.id, "expected_at": dt.datetime.combine(today, dt.time(23, 0))})
    old = make_appointment({"name": "钱七", "host": host.id,
                            "expected_at": dt.datetime.combine(today, dt.time(23, 30))})
    arrive(old)
    return [a, b]


def test_badge_visits_of_the_day(visits):
    from neiqin.reports.badges import badge_visits

    got = badge_visits(clock.today())
    assert [v.name for v in got] == ["欧阳明", "李四", "钱七"]
    assert badge_visits(clock.today() - dt.timedelta(days=1)) == []


def test_badges_inside_labels_and_qr_decodes(visits, tmp_path):
    from neiqin.reports.badges import badge_visits, write_badges

    day_visits = badge_visits(clock.today())
    for key in ("a4-2x5-badge", "roll-60x40", "a4-3x8"):
        stock = PRESETS[key]
        out = tmp_path / f"{key}.pdf"
        start = 1 if stock.per_page == 1 else 3
        write_badges(out, stock, day_visits, org_name="某某有限公司", start=start)
        assert_inside_labels(out, stock, len(day_visits), start=start)
    with pdfplumber.open(tmp_path / "a4-2x5-badge.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    for v in day_visits:
        assert v.name in text and v.badge_no in text
    assert "当日有效" in text and "访客证" in text
    if ZBAR and PDFTOPPM:
        got = _decode(tmp_path / "a4-2x5-badge.pdf", tmp_path)
        day = clock.today().isoformat()
        assert got == sorted(f"NQV:{v.id}:{v.badge_no}:{day}" for v in day_visits)


def test_voided_visit_gets_no_badge(visits, tmp_path):
    from neiqin.models import Visit
    from neiqin.reports.badges import write_badges

    voided = Visit.get(Visit.name == "王五")
    with pytest.raises(NeiqinError, match="已作废"):
        write_badges(tmp_path / "x.pdf", PRESETS["roll-60x40"], [voided])
    with pytest.raises(NeiqinError, match="没有可打印"):
        write_badges(tmp_path / "x.pdf", PRESETS["roll-60x40"], [])


def test_visit_slip(visits, tmp_path):
    from neiqin.reports.badges import write_visit_slip

    out = tmp_path / "slip.pdf"
    assert write_visit_slip(out, visits[0], org_name="某某有限公司", printed_at=dt.datetime(2026, 3, 1, 9, 5)) == 1
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    for expected in ("某某有限公司", "来访单", "欧阳明", "上海浦东物流有限公司", "110105********002X", "139****5678",
                     "张三", "办公室", "商务洽谈", f"来访证号：{visits[0].badge_no}", "经办人：", "第 1 页 共 1 页",
                     "2026年3月1日 09:05"):
        assert expected in text, expected
    assert "11010519491231002X" not in text and "13912345678" not in text, "sensitive numbers stay masked"


def test_on_site_list_for_evacuation(visits, tmp_path):
    from neiqin.reports.badges import on_site_visits, write_on_site_list

    out = tmp_path / "onsite.pdf"
    many = on_site_visits() * 25
    pages = write_on_site_list(out, many, org_name="某某有限公司", printed_at=dt.datetime(2026, 3, 1, 14, 30))
    assert pages >= 2
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages
        texts = [p.extract_text() for p in pdf.pages]
        boxes = sum(1 for p in pdf.pages for r in p.rects if abs(r["width"] - r["height"]) < 0.5
                    and r["width"] < 15)
    assert boxes == len(many)
    assert "已确认" in texts[0] and "打印时间：2026年3月1日 14:30" in texts[0]
    assert f"在场 {len(many)} 批，共 {sum(v.party_size for v in many)} 人" in texts[0]
    assert all("已确认" in t and "序" in t for t in texts), "header repeated on every page"
    assert "王五" not in "".join(texts), "voided visits are not on site"
    assert "清点人：" in texts[-1]


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts not installed")
def test_forms_embed_their_fonts(visits, tmp_path):
    from neiqin.reports import fonts
    from neiqin.reports.badges import write_visit_slip

    if not fonts.REGISTRY.font_for_role("body").is_embedded:
        pytest.skip("no TrueType CJK font on this machine")
    out = tmp_path / "slip.pdf"
    write_visit_slip(out, visits[0])
    gw = tmp_path / "gw.pdf"
    with gongwen_document(gw) as doc:
        doc.paragraph(PARA)
    for f in (out, gw):
        lines = subprocess.run(["pdffonts", str(f)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert lines and all(line.split()[-5] == "yes" for line in lines), lines
