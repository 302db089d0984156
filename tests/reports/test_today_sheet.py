"""今日工作清单 / 交接班单 PDF: every section (empty ones as 无), levels, boxes to tick, signature lines."""

from __future__ import annotations

import datetime as dt

import pdfplumber

from neiqin.models.today import DUE, OVERDUE, Section, TodayItem
from neiqin.reports.today_sheet import HANDOVER, WORKLIST, when_text, write_today_sheet

DAY = dt.date(2026, 10, 8)


def sections(n_items: int = 3) -> list[Section]:
    loans = Section("seal_loans", "印章证照外借", 60, lambda d: [], "seal-loans", [
        TodayItem("印章“合同专用章” · 李四借用 · 逾期 1 个工作日", "seal-loans", 1, OVERDUE,
                  dt.datetime(2026, 9, 30, 17, 30), "李四"),
        TodayItem("证照“营业执照（副本）” · 王五借用 · 今天 17:30 应还", "seal-loans", 2, DUE,
                  dt.datetime(2026, 10, 8, 17, 30), "王五")])
    many = Section("parcels", "待领取快递", 20, lambda d: [], "parcels",
                   [TodayItem(f"收件人{i} 1 件待领取", "parcels", i, when=DAY) for i in range(n_items)])
    empty = Section("birthdays", "本周生日", 90, lambda d: [], "staff", [])
    broken = Section("x", "坏栏目", 99, lambda d: [], "", [], error="RuntimeError: 索引损坏")
    return [many, loans, empty, broken]


def text_of(path) -> tuple[str, int]:
    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), len(pdf.pages)


def test_handover_sheet_lists_everything_with_signatures(tmp_path):
    path = tmp_path / "h.pdf"
    pages = write_today_sheet(sections(), path, day=DAY, kind=HANDOVER, org_name="某某有限公司",
                              printed_at=dt.datetime(2026, 10, 8, 17, 50))
    text, n = text_of(path)
    assert pages == n == 1
    for s in ("某某有限公司", "交接班单", "2026年10月8日 星期四", "打印于 2026-10-08 17:50", "交班人", "接班人",
              "交接时间", "代班时段", "一、待领取快递 3 项", "二、印章证照外借 2 项（逾期 1，到期 1）",
              "三、本周生日 无", "四、坏栏目 读取失败", "索引损坏", "逾期", "到期", "9月30日",
              "今天 17:30", "其他交接事项", "共 5 项，逾期 1 项，到期 1 项"):
        assert s in text.replace("\n", ""), s


def test_worklist_has_no_handover_fields(tmp_path):
    path = tmp_path / "w.pdf"
    write_today_sheet(sections(), path, day=DAY, kind=WORKLIST)
    text, _ = text_of(path)
    assert "今日工作清单" in text and "备注" in text and "接班人" not in text


def test_long_lists_continue_on_more_pages_with_a_running_head(tmp_path):
    path = tmp_path / "long.pdf"
    pages = write_today_sheet(sections(120), path, day=DAY)
    text, n = text_of(path)
    assert pages == n >= 3
    assert "收件人119" in text and "交接班单 2026年10月8日 星期四（续）" in text
    assert f"第 {n} 页 共 {n} 页" in text


def test_when_text():
    assert when_text(dt.datetime(2026, 10, 8, 9, 5), DAY) == "今天 09:05"
    assert when_text(dt.date(2026, 10, 9), DAY) == "10月9日" and when_text(DAY, DAY) == "今天"
    assert when_text(None, DAY) == ""
