"""快递 printouts: 取件通知单 (one slip per recipient, several to a page, cut apart), the daily 待领取清单, and
the monthly 寄件费用 report per department (PDF and Excel). No Qt here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from neiqin import clock
from neiqin.models.mail.dispatches import CostReport
from neiqin.models.mail.parcel_rules import yuan
from neiqin.models.mail.parcels import WaitingGroup, overdue_days, waiting_days, waiting_groups
from neiqin.reports import atomic_output
from neiqin.reports.forms import MIN_TEXT, FormDoc, TableColumn, form_document, format_moment
from neiqin.reports.labels import Box, draw_text

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

SLIP_COLUMNS = [TableColumn("序号", 0.5, "center"), TableColumn("运单号", 2.0), TableColumn("快递公司", 1.1),
                TableColumn("寄件人/单位", 2.2), TableColumn("件数", 0.6, "center"), TableColumn("货架位", 0.9, "center"),
                TableColumn("到达时间", 1.5)]


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _slip_height(rows: int) -> float:
    return 26 + 18 + 20 + 17 + rows * 16.5 + 34 + 16


def write_pickup_slips(path: str | os.PathLike, groups: Sequence[WaitingGroup] | None = None, *, org_name: str = "",
                       desk: str = "前台", moment: dt.datetime | None = None) -> int:
    """取件通知单: one slip per recipient with their waiting parcels; slips never break across pages.

    Returns the number of slips. ``groups`` defaults to every recipient with parcels waiting.
    """
    from neiqin.errors import NeiqinError

    moment = moment or clock.now()
    groups = list(groups) if groups is not None else waiting_groups()
    if not groups:
        raise NeiqinError("没有待领取的快递，不需要打印取件通知单")
    with form_document(path, title="取件通知单", org_name=org_name,
                       margins=(15 * mm, 12 * mm, 15 * mm, 16 * mm)) as doc:
        for n, g in enumerate(groups):
            h = _slip_height(len(g.parcels))
            if n and doc.y - h < doc.frame.y:
                doc.new_page()
            elif n:
                _cut_line(doc)
            _slip(doc, g, org_name, desk, moment)
    return len(groups)


def _cut_line(doc: FormDoc) -> None:
    c, f = doc.c, doc.frame
    doc.y -= 9
    c.saveState()
    c.setDash(4, 3)
    c.setStrokeGray(0.5)
    c.setLineWidth(0.5)
    c.line(f.x - 8 * mm, doc.y, f.right + 8 * mm, doc.y)
    c.restoreState()
    c.setFont(doc.body, 7)
    c.setFillGray(0.5)
    c.drawString(f.x - 8 * mm, doc.y + 2, "沿此线剪开")
    c.setFillGray(0)
    doc.y -= 12


def _slip(doc: FormDoc, g: WaitingGroup, org_name: str, desk: str, moment: dt.datetime) -> None:
    c, f = doc.c, doc.frame
    head = Box(f.x, doc.y - 24, f.w, 24)
    left, right = head.take_left(f.w * 0.62)
    draw_text(c, f"{org_name + '　' if org_name else ''}取件通知单", doc.title_font, left, size=16, min_size=MIN_TEXT)
    draw_text(c, f"打印：{format_moment(moment)}", doc.body, right, size=9, min_size=MIN_TEXT, align="right")
    doc.y -= 28
    dept = f"（{g.department}）" if g.department else ""
    pieces = f"，共 {g.pieces} 件" if g.pieces != len(g.parcels) else ""
    oldest = waiting_days(g.oldest, moment.date())
    late = f"最早一件已等 {oldest} 天，请尽快领取。" if oldest > overdue_days() else "请及时领取。"
    line = f"{g.recipient}{dept}：您有 {len(g.parcels)} 个快递/邮件{pieces}在{desk}待领取，{late}"
    draw_text(c, line, doc.head, Box(f.x, doc.y - 16, f.w, 16), size=11.5, min_size=MIN_TEXT)
    doc.y -= 20
    rows = [(str(i), p.tracking_no or "（无单号）", p.carrier, p.sender, str(p.pieces), p.shelf,
             f"{p.received_at:%m-%d %H:%M}") for i, p in enumerate(g.parcels, 1)]
    doc.table(SLIP_COLUMNS, rows, size=9.5, max_lines=1)
    doc.y -= 8
    box = Box(f.x, doc.y - 16, f.w, 16)
    draw_text(c, "领取人签字：＿＿＿＿＿＿＿＿　　领取时间：＿＿＿月＿＿＿日＿＿＿时＿＿＿分　　代领请注明", doc.body, box,
              size=10, min_size=MIN_TEXT)
    doc.y -= 22


WAITING_COLUMNS = [TableColumn("序号", 0.5, "center"), TableColumn("收件人", 0.9), TableColumn("部门", 1.1),
                   TableColumn("运单号", 1.8), TableColumn("快递公司", 1.0), TableColumn("件数", 0.5, "center"),
                   TableColumn("货架位", 0.7, "center"), TableColumn("到达", 1.25), TableColumn("已等", 0.75, "center"),
                   TableColumn("领取人签字", 1.15, "center", "sign")]


def write_waiting_list(path: str | os.PathLike, *, org_name: str = "", moment: dt.datetime | None = None,
                       progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> int:
    """待领取清单: every waiting parcel, by department and person, with a column to sign on pickup.

    Returns the number of pages. An empty list still prints (a dated “无待领取快递” sheet for the file).
    """
    moment = moment or clock.now()
    from neiqin.models.staff import Department

    order = {d: i for i, d in enumerate(Department.names(active_only=False))}
    groups = sorted(waiting_groups(), key=lambda g: (order.get(g.department, len(order)), g.department, g.recipient))
    parcels = [(g, p) for g in groups for p in g.parcels]
    limit = overdue_days()
    rows = []
    for i, (_g, p) in enumerate(parcels, 1):
        days = waiting_days(p.received_at, moment.date())
        rows.append((str(i), p.recipient, p.department, p.tracking_no or "（无单号）", p.carrier, str(p.pieces),
                     p.shelf, f"{p.received_at:%m-%d %H:%M}", f"{days} 天" + ("★" if days > limit else ""), ""))
    pieces = sum(p.pieces for _, p in parcels)
    subtitle = f"截至 {format_moment(moment)}　共 {len(parcels)} 个（{pieces} 件），{len(groups)} 人"
    with atomic_output(path) as tmp:
        doc = FormDoc(tmp, title="待领取快递清单", org_name=org_name, running_head="待领取快递清单")
        doc.title_block("待领取快递清单", org_name, subtitle=subtitle)
        if rows:
            doc.table(WAITING_COLUMNS, rows, size=9.5, max_lines=2, progress=progress, cancelled=cancelled,
                      total=len(rows))
            doc.skip(4)
            doc.note(f"★ 已等超过 {limit} 天（滞留）。领取时请在“领取人签字”栏签名；代领请写明代谁领取。")
        else:
            doc.note("目前没有待领取的快递。")
        doc.signatures(("前台经办人", "核对人", "日期"))
        pages = doc.save()
    return pages


def _cost_rows(report: CostReport, months: list[str]) -> list[tuple[str, ...]]:
    rows = []
    for d in report.departments:
        cells = [yuan(report.cells[(d, m)][1]) if (d, m) in report.cells else "" for m in months]
        rows.append((d, *cells, str(report.count(d)), yuan(report.fen(d))))
    rows.append(("合计（元）", *(yuan(report.fen(month=m)) for m in months), str(report.count()), yuan(report.fen())))
    rows.append(("寄件数（件）", *(str(report.count(month=m)) for m in months), str(report.count()), ""))
    return rows


def _month_label(m: str) -> str:
    y, mo = m.split("-")
    return f"{y}年{int(mo)}月"


def write_cost_report_pdf(path: str | os.PathLike, report: CostReport, *, org_name: str = "",
                          moment: dt.datetime | None = None) -> int:
    """寄件费用统计: departments × months (amount in 元 with the count in brackets), A4 landscape.

    Twelve months a table; a longer range continues in further tables. Returns the number of pages.
    """
    moment = moment or clock.now()
    first, last = report.months[0], report.months[-1]
    span = _month_label(first) if first == last else f"{_month_label(first)} 至 {_month_label(last)}"
    with atomic_output(path) as tmp:
        doc = FormDoc(tmp, title="寄件费用统计表", org_name=org_name, pagesize=landscape(A4),
                      running_head="寄件费用统计表")
        doc.title_block("寄件费用统计表（按部门）", org_name, subtitle=f"{span}　共 {report.count()} 件　"
                        f"合计 {yuan(report.fen())} 元", number=f"打印：{format_moment(moment)}")
        for start in range(0, len(report.months), 12):
            months = report.months[start:start + 12]
            cols = [TableColumn("部门", 1.6)] + [TableColumn(_month_label(m), 1.0, "right") for m in months]
            cols += [TableColumn("件数", 0.6, "center"), TableColumn("合计(元)", 1.0, "right")]
            if start:
                doc.skip(10)
                doc.note(f"{_month_label(months[0])} 至 {_month_label(months[-1])}", size=10)
            doc.table(cols, _cost_rows(report, months), size=9 if len(months) > 6 else 10, max_lines=2)
        doc.skip(4)
        doc.note("单元格为该部门当月寄件费用（元）；作废的寄件不计入。")
        doc.signatures(("制表人", "审核人", "日期"))
        return doc.save()


def export_cost_report_xlsx(path: str | os.PathLike, report: CostReport, *, org_name: str = "") -> Path:
    """The same table as real numbers: one sheet of amounts (元), one of counts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    for title, value, fmt in (("费用(元)", lambda d, m: report.cells.get((d, m), (0, 0))[1] / 100, "0.00"),
                              ("件数", lambda d, m: report.cells.get((d, m), (0, 0))[0], "0")):
        ws = wb.active if title == "费用(元)" else wb.create_sheet()
        ws.title = title
        ws.append([f"{org_name} 寄件{title}统计（按部门）".strip()])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(["部门", *(_month_label(m) for m in report.months), "合计"])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for d in [*report.departments, None]:
            vals = [sum(value(x, m) for x in report.departments) if d is None else value(d, m)
                    for m in report.months]
            ws.append(["合计" if d is None else d, *vals, sum(vals)])
            for cell in ws[ws.max_row][1:]:
                cell.number_format = fmt
        ws.column_dimensions["A"].width = 16
        ws.freeze_panes = "B3"
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return Path(path)


__all__ = ["export_cost_report_xlsx", "write_cost_report_pdf", "write_pickup_slips", "write_waiting_list"]
