"""今日工作清单 and 交接班单: the 今日 sections on paper, with boxes to tick and room to write. No Qt.

The 工作清单 is the clerk's own list for the day; the 交接班单 is what a colleague covering the desk gets: the same
sections, every item with a box to tick and a column for what was done, then free lines for anything else and
the 交班人 / 接班人 / 交接时间 signature lines. Empty sections are printed as “无”, so the colleague can see
they were checked and not forgotten.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from reportlab.lib.units import mm

from neiqin import clock
from neiqin.models.today import DUE, OVERDUE, Section, TodayItem, day_heading, when_text
from neiqin.reports.forms import MIN_TEXT, TableColumn, form_document
from neiqin.reports.labels import Box, draw_text

WORKLIST, HANDOVER = "worklist", "handover"
TITLES = {WORKLIST: "今日工作清单", HANDOVER: "交接班单"}
LEVEL_TEXT = {OVERDUE: "逾期", DUE: "到期"}
NUMERALS = "一二三四五六七八九十"

COLUMNS = [
    TableColumn("完成", 0.75, "center", kind="check"),
    TableColumn("状态", 0.65, "center"),
    TableColumn("事项", 6.0),
    TableColumn("时限/时间", 1.7, "center"),
    TableColumn("处理情况", 2.4),
]


def _number(i: int) -> str:
    if i <= 10:
        return NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _row(item: TodayItem, day: dt.date) -> list[str]:
    return ["", LEVEL_TEXT.get(item.level, ""), item.text, when_text(item.when, day), ""]


def write_today_sheet(sections: Sequence[Section], path: str | os.PathLike, *, day: dt.date, kind: str = HANDOVER,
                      org_name: str = "", printed_at: dt.datetime | None = None, note_lines: int = 6) -> int:
    """Write the sheet for ``sections`` (as from ``today.compute(day)``) to ``path``; returns the page count."""
    if kind not in TITLES:
        raise ValueError(kind)
    title = TITLES[kind]
    printed_at = printed_at or clock.now()
    overdue = sum(s.overdue for s in sections)
    due = sum(s.due for s in sections)
    total = sum(s.total for s in sections)
    subtitle = f"{day_heading(day)}　　共 {total} 项，逾期 {overdue} 项，到期 {due} 项"
    with form_document(path, title=f"{title} {day:%Y-%m-%d}", org_name=org_name,
                       running_head=f"{title}　{day_heading(day)}") as doc:
        doc.title_block(title, org_name, subtitle=subtitle, number=f"打印于 {printed_at:%Y-%m-%d %H:%M}")
        if kind == HANDOVER:
            doc.field_grid([("交班人", ""), ("接班人", ""), ("交接时间", ""), ("代班时段", "")], cols=2, row_h=9 * mm)
            doc.skip(3 * mm)
        for n, s in enumerate(sections, 1):
            heading = f"{_number(n)}、{s.title}　{s.summary()}"
            doc.ensure(40)
            doc.skip(4)
            draw_text(doc.c, heading, doc.head, Box(doc.frame.x, doc.y - 16, doc.frame.w, 16), size=12,
                      min_size=MIN_TEXT)
            doc.skip(19)
            if s.error:
                doc.note(f"本栏目读取失败，请在程序中查看：{s.error}", size=9.5)
            elif s.items:
                doc.table(COLUMNS, (_row(i, day) for i in s.items), size=9.5, max_lines=3)
        _note_lines(doc, "其他交接事项" if kind == HANDOVER else "备注", note_lines)
        if kind == HANDOVER:
            doc.signatures(("交班人", "接班人", "交接时间"))
        return doc.page


def _note_lines(doc, label: str, lines: int) -> None:
    pitch = 9 * mm
    doc.ensure(20 + pitch * min(lines, 3))
    doc.skip(6)
    draw_text(doc.c, f"{label}：", doc.head, Box(doc.frame.x, doc.y - 16, doc.frame.w, 16), size=12,
              min_size=MIN_TEXT)
    doc.skip(16)
    doc.c.setLineWidth(0.5)
    for _ in range(lines):
        doc.ensure(pitch)
        doc.skip(pitch)
        doc.c.line(doc.frame.x, doc.y, doc.frame.x + doc.frame.w, doc.y)
