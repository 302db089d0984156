import datetime as dt
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from neiqin import clock
from neiqin.models import STAFF, VISITORS, LedgerQuery, settings
from neiqin.models import visitors as V
from neiqin.reports import Cancelled, fonts
from neiqin.reports.register import Widths, wrap, write_register_pdf
from neiqin.reports.table_layout import Need, plan

ID = "11010519491231002X"
MASKED_ID = "110105********002X"
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "黄艳", "赵军", "周杰", "吴娟"]
LONG_NOTE = ("访客携带 MacBook Pro 笔记本电脑一台，已登记序列号 C02XK1ABCDEF；另有 USB 存储设备两个，"
             "按保密规定暂存前台，离开时凭来访证领回。")


def past_visit(host, day, i, **kw):
    arrive = dt.datetime.combine(day, dt.time(9, i % 60))
    data = {"visit_date": day, "name": NAMES[i % len(NAMES)], "company": "北京某某科技有限公司",
            "host": host.id, "id_number": ID, "phone": "13912345678", "purpose": "商务洽谈",
            "status": V.LEFT, "arrive_at": arrive, "leave_at": arrive + dt.timedelta(hours=1), **kw}
    return VISITORS.create(data)


@pytest.fixture
def register(host, tmp_path):
    """90 visits over three days (every 7th with a long note, one voided), printed; (path, pages, visits)."""
    settings.set_value("org_name", "测试市某某局")
    start = clock.today() - dt.timedelta(days=10)
    visits = [past_visit(host, start + dt.timedelta(days=i // 30), i, note=LONG_NOTE if i % 7 == 3 else "")
              for i in range(90)]
    VISITORS.void(visits[5], "登记重复")
    path = tmp_path / "来访登记簿.pdf"
    calls = []
    pages = write_register_pdf(VISITORS, LedgerQuery(), path, org_name=settings.org_name(),
                               subtitle="来访日期：全部", progress=lambda d, t: calls.append((d, t)))
    return path, pages, calls


def page_texts(path):
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def squeeze(s):
    return re.sub(r"\s+", "", s)


def test_register_pages_headers_and_numbering(register):
    path, pages, _ = register
    texts = page_texts(path)
    assert pages == len(texts) >= 3
    for n, text in enumerate(texts, 1):
        flat = squeeze(text)
        assert "测试市某某局来访登记簿" in flat
        assert f"第{n}页共{pages}页" in flat
        for header in ("序号", "日期", "姓名", "证件号码", "被访人", "备注"):  # header row on every page
            assert header in flat, (n, header)
    assert "来访日期：全部" in texts[0] and "打印时间" in texts[0]
    assert "共89条（另有作废1条）" in squeeze(texts[0])


def test_register_masks_id_and_wraps_long_text_without_cutting(register):
    path, _, _ = register
    flat = squeeze("".join(page_texts(path)))
    assert MASKED_ID in flat and ID not in flat
    assert "139****5678" in flat and "13912345678" not in flat
    assert squeeze(LONG_NOTE) in flat  # every character of the wrapped note is there, in order
    assert "北京某某科技有限公司" in flat and "商务洽谈" in flat


def test_register_greys_voided_rows(register):
    path, _, _ = register
    assert "作废" in page_texts(path)[0]


def test_register_progress_reaches_the_end(register):
    _, _, calls = register
    assert calls[-1][0] == calls[-1][1] > 0
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_register_embeds_a_truetype_subset(register):
    path, _, _ = register
    if not fonts.role_assignments()["body"].is_embedded:
        pytest.skip("no TrueType CJK font installed: the built-in CID font is used and not embedded")
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines() if "TrueType" in line]
    assert rows and all(re.search(r"\byes\s+yes\b", line) for line in rows), out
    assert "Helvetica" not in out


def test_pdftotext_reads_chinese(register):
    path, _, _ = register
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    out = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "来访登记簿" in out and "被访人" in out


def test_empty_register_has_one_page(database, tmp_path):
    path = tmp_path / "empty.pdf"
    assert write_register_pdf(VISITORS, LedgerQuery(), path, org_name="") == 1
    flat = squeeze(page_texts(path)[0])
    assert "（无记录）" in flat and "第1页共1页" in flat and "来访登记簿" in flat


def test_staff_register_with_chosen_columns(database, tmp_path):
    for i in range(5):
        STAFF.create({"name": NAMES[i], "department": "办公室", "mobile": f"1381234567{i}"})
    path = tmp_path / "staff.pdf"
    assert write_register_pdf(STAFF, LedgerQuery(), path, org_name="某单位",
                              columns=["name", "department", "mobile"]) == 1
    flat = squeeze(page_texts(path)[0])
    assert "某单位通讯录" in flat and "13812345674" in flat and "邮箱" not in flat


def test_cancel_leaves_the_old_file_alone(host, tmp_path):
    past_visit(host, clock.today() - dt.timedelta(days=1), 1)
    path = tmp_path / "reg.pdf"
    path.write_bytes(b"old")
    with pytest.raises(Cancelled):
        write_register_pdf(VISITORS, LedgerQuery(), path, org_name="x", cancelled=lambda: True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["reg.pdf"]  # no temporary file left


# ---------------------------------------------------------------------------------------------- wrapping


@pytest.fixture(scope="module")
def widths():
    return Widths(fonts.font_for("body"), 8)


def test_wrap_breaks_chinese_anywhere_and_latin_at_spaces(widths):
    avail = 60.0
    lines = wrap(LONG_NOTE, avail, widths, 100)
    assert len(lines) > 3
    assert all(widths.of(line) <= avail for line in lines)
    assert squeeze("".join(lines)) == squeeze(LONG_NOTE)
    assert "MacBook" in "".join(lines) and "C02XK1ABCDEF" in "".join(lines)  # words kept whole when they fit


def test_wrap_never_starts_a_line_with_closing_punctuation(widths):
    text = "一二三四五六七，八九（十）"
    lines = wrap(text, widths.of("一二三四五六七"), widths, 10)
    assert lines[0] == "一二三四五六" and lines[1].startswith("七，")
    assert wrap("甲乙丙丁（戊）", widths.of("甲乙丙丁（"), widths, 10)[0] == "甲乙丙丁"  # nor end with an opening one


def test_wrap_hard_breaks_a_word_wider_than_the_cell(widths):
    word = "A" * 80
    lines = wrap(word, 40.0, widths, 100)
    assert "".join(lines) == word and len(lines) > 1
    assert all(widths.of(line) <= 40.0 for line in lines)


def test_wrap_keeps_newlines_and_truncates_with_ellipsis(widths):
    assert wrap("第一行\n第二行", 200, widths, 10) == ["第一行", "第二行"]
    huge = "很长的备注" * 2000  # 10,000 characters must not take long or loop
    lines = wrap(huge, 50.0, widths, 5)
    assert len(lines) == 5 and lines[-1].endswith("…")
    assert widths.of(lines[-1]) <= 50.0


def test_a_cell_longer_than_a_page_is_truncated(host, tmp_path):
    past_visit(host, clock.today() - dt.timedelta(days=1), 1, note="备" * 1000)
    path = tmp_path / "long.pdf"
    assert write_register_pdf(VISITORS, LedgerQuery(), path, org_name="x",
                              columns=["visit_date", "name", "note"]) == 1  # not 1,000 chars of pages
    text = squeeze(page_texts(path)[0])
    assert "备" * 100 in text
    assert "…" in text or "备" * 1000 in text  # the note is cut where the page ends, or holds on one page


def test_plan_gives_fixed_columns_their_widest_value_and_text_the_rest():
    # an ID column (fixed), a free-text column far too long for the page, a short text column
    needs = [Need(True, 20, 110, 110, 110), Need(False, 20, 20, 400, 200), Need(False, 20, 20, 20, 20)]
    w = plan(300, needs, 1.0, 2.0)
    assert abs(sum(w) - 300) < 1e-6
    assert w[0] == 110 + 4.5 and w[2] >= 24.5 and w[1] > w[2]
    assert plan(100, needs, 1.0, 2.0) is None  # the fixed column and the tokens do not fit: a smaller font


def test_layout_fits_table_in_page_width(database):
    from neiqin.reports.register import _layout

    L = _layout(VISITORS.columns, 10)
    assert L.col_x[0] > 0 and L.col_x[-1] < L.page_w
    assert all(b > a for a, b in zip(L.col_x, L.col_x[1:], strict=False))
    assert pdfmetrics.getFont(L.body_font)


def test_too_many_rows_refused_with_advice(database, host, tmp_path, monkeypatch):
    from neiqin.errors import NeiqinError
    from neiqin.models import VISITORS, LedgerQuery
    from neiqin.models.visitors import check_in
    from neiqin.reports import register

    check_in({"name": "李四", "host_name": "张三"})
    check_in({"name": "王五", "host_name": "张三"})
    monkeypatch.setattr(register, "MAX_ROWS", 1)
    out = tmp_path / "big.pdf"
    with pytest.raises(NeiqinError, match="缩小日期范围"):
        register.write_register_pdf(VISITORS, LedgerQuery(), out, org_name="x")
    assert not out.exists()
