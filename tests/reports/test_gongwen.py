"""GB/T 9704-2012 where it was measured wrong (issue 18 item 4): 落款 右空四字, titles broken between words,
the 纪要标志 red. The page number's 7 mm is measured in test_forms.test_gongwen_page_geometry."""

from __future__ import annotations

import datetime as dt

import pdfplumber
import pytest

from neiqin.reports import fonts
from neiqin.reports.forms import GW_BLOCK_W, GW_CELL, GW_LEFT, GW_TITLE, gongwen_document, title_lines
from neiqin.reports.table_layout import Widths


def body_lines(page, size):
    rows = {}
    for c in page.chars:
        if abs(c["size"] - size) < 0.1:
            rows.setdefault(round(c["top"]), []).append(c)
    return [sorted(r, key=lambda c: c["x0"]) for _, r in sorted(rows.items())]


@pytest.mark.parametrize("org", ["办公室", "某某市城市建设投资集团有限公司办公室"])
def test_date_of_the_signature_ends_four_characters_from_the_right(tmp_path, org):
    out = tmp_path / "gw.pdf"
    with gongwen_document(out, title="通知") as doc:
        doc.paragraph("正文。")
        doc.signature(org, dt.date(2026, 12, 9))
    right = GW_LEFT + GW_BLOCK_W
    with pdfplumber.open(out) as pdf:
        rows = body_lines(pdf.pages[0], 16)
    date = next(r for r in rows if "".join(c["text"] for c in r) == "2026年12月9日")
    name = next(r for r in rows if "".join(c["text"] for c in r) == org)
    assert abs((right - date[-1]["x1"]) / GW_CELL - 4) < 0.15
    mid = lambda r: (r[0]["x0"] + r[-1]["x1"]) / 2  # noqa: E731
    assert name[-1]["x1"] <= right + 0.5
    if len(org) < 12:
        assert abs(mid(name) - mid(date)) < 1.0  # the name centred over the date


@pytest.mark.parametrize(("title", "lines"), [
    ("关于召开2026年第四季度安全生产工作会议的通知", ["关于召开2026年第四季度", "安全生产工作会议的通知"]),
    ("某某市城市建设投资有限公司2026年第12次总经理办公会议纪要",
     ["某某市城市建设投资有限公司2026年", "第12次总经理办公会议纪要"]),
    ("关于做好安全保卫工作的通知", ["关于做好安全保卫工作的通知"]),
])
def test_titles_break_between_words(title, lines):
    assert title_lines(title, GW_BLOCK_W, Widths(fonts.font_for("title"), GW_TITLE)) == lines


def test_minutes_mark_is_red(tmp_path):
    out = tmp_path / "gw.pdf"
    with gongwen_document(out, title="纪要") as doc:
        doc.title("总经理办公会议纪要", red=True)
        doc.paragraph("正文。")
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
    title = [c for c in chars if abs(c["size"] - GW_TITLE) < 0.1]
    body = [c for c in chars if abs(c["size"] - 16) < 0.1]
    assert title and all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (0.9, 0.0, 0.07) for c in title)
    assert body and all(c["non_stroking_color"] in ((0,), (0.0,), [0], (0, 0, 0), None) or
                        max(c["non_stroking_color"]) == 0 for c in body)
