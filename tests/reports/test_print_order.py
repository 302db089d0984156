"""Registers in 登记 order with their period line; a closing block never alone on a page (issue 18 items 2, 3)."""

from __future__ import annotations

import datetime as dt

import pdfplumber

from neiqin import clock
from neiqin.models import VISITORS, LedgerQuery
from neiqin.reports.forms import GW_LINES, TableColumn, form_document, gongwen_document
from neiqin.reports.register import period_text, write_register_pdf
from tests.reports.measure import closing_only_pages, measure


def lines_of(path):
    with pdfplumber.open(path) as pdf:
        return [[ln["text"] for ln in p.extract_text_lines()] for p in pdf.pages]


def test_register_numbers_the_oldest_visit_first_and_always_prints_its_period(host, tmp_path):
    start = clock.today() - dt.timedelta(days=40)
    names = [a + b for a in "赵钱孙李周吴" for b in "一二三四五"]
    for i in range(30):
        day = start + dt.timedelta(days=i)
        VISITORS.create({"visit_date": day, "name": names[i], "host": host.id, "purpose": "商务洽谈",
                         "arrive_at": dt.datetime.combine(day, dt.time(9, 0))})
    path = tmp_path / "来访.pdf"
    write_register_pdf(VISITORS, LedgerQuery(), path, org_name="某单位")  # the screen's query: newest first
    m = measure(path)
    seq = [int(s.split()[0]) for s in m.column("序号")]
    assert seq == list(range(1, 31))
    assert m.column("姓名") == names
    assert any(ln.startswith("来访日期：全部") for ln in m.page_lines[0])

    q = LedgerQuery(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    write_register_pdf(VISITORS, q, path, org_name="某单位", subtitle="2026年11月01日 至 2026年11月30日　查找：洽谈")
    first = lines_of(path)[0]
    assert any(ln.startswith("来访日期：2026年11月") and "查找：洽谈" in ln and "01日" not in ln for ln in first), first


def test_period_text():
    q = LedgerQuery(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    assert period_text(VISITORS, q) == "来访日期：2026年1月–12月"
    q = LedgerQuery(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 4, 2))
    assert period_text(VISITORS, q) == "来访日期：2026年3月5日 至 2026年4月2日"


def test_signatures_take_the_last_row_along_rather_than_stand_alone(tmp_path):
    path = tmp_path / "form.pdf"
    cols = [TableColumn("序号", 0.5, "center"), TableColumn("事项", 4)]
    with form_document(path, title="测试") as doc:
        doc.title_block("测试清单", "某单位")
        while True:  # rows until the page is full to the last row
            before = doc.page
            doc.table(cols, [["1", "一行事项"]])
            if doc.page != before:
                break
        doc.signatures(("经办人", "审批人", "日期"))
    m = measure(path)
    assert m.pages >= 2
    assert closing_only_pages(m) == []
    last = m.page_lines[-1]
    assert any("一行事项" in ln for ln in last) and any("经办人" in ln for ln in last)


def test_gongwen_signature_takes_the_last_line_along(tmp_path):
    path = tmp_path / "gw.pdf"
    with gongwen_document(path, title="通知") as doc:
        doc.title("关于测试的通知")
        while doc.line < GW_LINES - 1:
            doc.paragraph("正文一行。")
        doc.signature("某某有限公司", dt.date(2026, 12, 9))
    pages = lines_of(path)
    assert len(pages) == 2
    assert any("正文一行" in ln for ln in pages[1]) and any("2026年12月9日" in ln for ln in pages[1])
    assert closing_only_pages(measure(path), "某某有限公司") == []
