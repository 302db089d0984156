"""办公用品 printouts and spreadsheets: 领用单, 盘点表 (book quantity shown or hidden), 盘点差异表, 采购申请单
(补货清单), 进销存月报, 领用汇总, and shelf labels with Code128 barcodes through the label engine.

Built on the shared form blocks (:mod:`neiqin.reports.forms`); the numbers come from the Qt-free queries of
:mod:`neiqin.models.supplies.reports` and :mod:`neiqin.models.supplies.stocktake`, so a printed report and the screen agree.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models.supplies import amounts as amounts_mod
from neiqin.models.supplies import items as items_mod
from neiqin.models.supplies import posting, reports
from neiqin.models.supplies import stocktake as T
from neiqin.reports import atomic_output
from neiqin.reports.forms import TableColumn, form_document
from neiqin.reports.labels import get_stock, write_labels
from neiqin.reports.templates import BarcodeLabel

LANDSCAPE = landscape(A4)
NARROW = (12 * mm, 14 * mm, 12 * mm, 16 * mm)


def _q(milli: int | None) -> str:
    return "" if milli is None else amounts_mod.qty_text(milli)


def _m(fen: int | None) -> str:
    return "" if fen is None else amounts_mod.money_text(fen)


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _printed() -> str:
    return f"打印时间：{clock.now():%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------- 领用单


def write_issue_slip_pdf(no: str, path: str | os.PathLike, *, org_name: str = "") -> Path:
    """办公用品领用单 for one slip (the lines saved together at the desk), with signature lines."""
    moves = posting.slip_moves(no)
    if not moves:
        raise NeiqinError(f"找不到领用单 {no}")
    first = moves[0]
    live = [m for m in moves if not m.voided]
    with form_document(path, title=f"办公用品领用单 {no}", org_name=org_name) as doc:
        doc.title_block("办公用品领用单", org_name, number=f"单号：{no}", subtitle=_cn_date(first.move_date))
        doc.field_grid([("领用人", first.person), ("部门", first.department),
                        ("审批人", first.approver), ("发放人", first.issuer)], cols=2)
        doc.skip(4 * mm)
        cols = [TableColumn("序号", 0.5, "center"), TableColumn("编码", 1.0), TableColumn("名称", 1.6),
                TableColumn("规格型号", 1.6), TableColumn("单位", 0.5, "center"), TableColumn("数量", 0.7, "right"),
                TableColumn("单价", 0.8, "right"), TableColumn("金额", 0.9, "right"), TableColumn("用途", 1.4)]
        rows = [(str(i), m.code, m.name + ("（已作废）" if m.voided else ""), m.spec, m.unit, _q(-m.qty),
                 amounts_mod.price_text(m.unit_cost), _m(-m.amount), m.purpose) for i, m in enumerate(moves, 1)]
        rows.append(("", "", "合计", "", "", "", "", _m(-sum(m.amount for m in live)), ""))
        doc.table(cols, rows, size=10)
        if first.note:
            doc.skip(3 * mm)
            doc.note(f"备注：{first.note}", size=10)
        doc.signatures(("领用人", "审批人", "发放人"))
        doc.skip(6 * mm)
        doc.note("说明：领用人当面点清数量后签字；本单由办公室留存备查。　" + _printed(), size=8.5)
    return Path(path)


# ---------------------------------------------------------------------------------------------- 盘点表


def write_count_sheet_pdf(take: T.Stocktake, path: str | os.PathLike, *, org_name: str = "",
                          blind: bool | None = None) -> Path:
    """盘点表 by 存放位置, for counting on paper: the book quantity is printed unless the count is blind."""
    blind = take.blind if blind is None else blind
    lines = T.lines_of(take)
    title = "办公用品盘点表" + ("（盲盘）" if blind else "")
    with form_document(path, title=f"{title} {take.no}", org_name=org_name, running_head=f"{title} {take.no}") as doc:
        doc.title_block(title, org_name, number=f"盘点单号：{take.no}",
                        subtitle=f"盘点开始：{take.started_at:%Y-%m-%d %H:%M}　范围：{take.scope_text}")
        cols = [TableColumn("序号", 0.45, "center"), TableColumn("编码", 0.9), TableColumn("名称", 1.5),
                TableColumn("规格型号", 1.5), TableColumn("单位", 0.45, "center")]
        if not blind:
            cols.append(TableColumn("账面数量", 0.8, "right"))
        cols += [TableColumn("实盘数量", 0.9, "right"), TableColumn("备注", 1.1)]
        n = 0
        for location, group in groupby(lines, key=lambda ln: ln.location):
            doc.ensure(40)
            doc.skip(3 * mm)
            doc.note(f"存放位置：{location or '（未填位置）'}", size=11)
            rows = []
            for ln in group:
                n += 1
                row = [str(n), ln.code, ln.name, ln.spec, ln.unit]
                if not blind:
                    row.append(_q(ln.book_qty))
                row += [_q(ln.counted_qty), ln.note]
                rows.append(row)
            doc.table(cols, rows, size=10)
        doc.skip(2 * mm)
        doc.note("账面数量为盘点开始时的结存；盘点期间发生的领用、入库以登记时间为准，"
                 "差异 = 实盘数量 － 盘点时的账面数量。" if not blind else
                 "盲盘：本表不列账面结存，请按货架上的实物如实填写实盘数量。", size=9)
        doc.signatures(("盘点人", "监盘人", "日期"))
    return Path(path)


def write_difference_pdf(take: T.Stocktake, path: str | os.PathLike, *, org_name: str = "") -> Path:
    """盘点差异表: 盘盈/盘亏 per item with amounts and the three sign-offs (filled in once posted)."""
    take = T.Stocktake.get_by_id(take.id)
    diffs = T.differences(take, only_nonzero=True)
    done, total = T.progress(take)
    with form_document(path, title=f"盘点差异表 {take.no}", org_name=org_name, pagesize=LANDSCAPE,
                       margins=NARROW, running_head=f"盘点差异表 {take.no}") as doc:
        state = f"已于 {take.posted_at:%Y-%m-%d %H:%M} 过账" if take.status == T.POSTED else \
            f"未过账（已盘 {done}/{total} 种），金额按当前平均单价估算"
        doc.title_block("办公用品盘点差异表", org_name, number=f"盘点单号：{take.no}",
                        subtitle=f"盘点开始：{take.started_at:%Y-%m-%d %H:%M}　范围：{take.scope_text}　{state}")
        cols = [TableColumn("序号", 0.45, "center"), TableColumn("编码", 0.8), TableColumn("名称", 1.3),
                TableColumn("规格型号", 1.4), TableColumn("单位", 0.4, "center"), TableColumn("单价", 0.7, "right"),
                TableColumn("账面数量", 0.75, "right"), TableColumn("实盘数量", 0.75, "right"),
                TableColumn("盘盈数量", 0.7, "right"), TableColumn("盘盈金额", 0.8, "right"),
                TableColumn("盘亏数量", 0.7, "right"), TableColumn("盘亏金额", 0.8, "right"), TableColumn("备注", 1.1)]
        rows = []
        gain = loss = 0
        for i, d in enumerate(diffs, 1):
            ln = d.line
            up = d.diff > 0
            gain += d.amount if up else 0
            loss += -d.amount if not up else 0
            rows.append((str(i), ln.code, ln.name, ln.spec, ln.unit, amounts_mod.price_text(d.unit_cost), _q(d.expected),
                         _q(d.counted), _q(d.diff) if up else "", _m(d.amount) if up else "",
                         _q(-d.diff) if not up else "", _m(-d.amount) if not up else "", ln.note))
        if not rows:
            rows.append(("", "", "账实相符，无差异", "", "", "", "", "", "", "", "", "", ""))
        rows.append(("", "", "合计", "", "", "", "", "", "", _m(gain), "", _m(loss), f"净额 {_m(gain - loss)}"))
        doc.table(cols, rows, size=9.5)
        doc.skip(2 * mm)
        doc.note("差异 = 实盘数量 － 盘点时的账面数量（盘点开始时的结存 ± 开始后、清点前登记的出入库）；"
                 "盘盈按平均单价入账，盘亏按移动加权平均单价出账。", size=9)
        doc.signatures((f"保管员　{take.keeper}", f"行政主管　{take.admin_head}", f"财务主管　{take.finance_head}"))
        doc.skip(4 * mm)
        doc.note(_printed(), size=8)
    return Path(path)


# ---------------------------------------------------------------------------------------------- 补货 / 采购申请单


def write_reorder_pdf(lines: Sequence[reports.ReorderLine], path: str | os.PathLike, *, org_name: str = "",
                      applicant: str = "", day: dt.date | None = None) -> Path:
    """采购申请单 (补货清单): items at or below 安全库存, suggested up to 最高库存, with amounts."""
    day = day or clock.today()
    with form_document(path, title="办公用品采购申请单", org_name=org_name, pagesize=LANDSCAPE, margins=NARROW,
                       running_head="办公用品采购申请单") as doc:
        doc.title_block("办公用品采购申请单", org_name, number=f"申请日期：{_cn_date(day)}",
                        subtitle=f"申请部门：办公室　申请人：{applicant}　共 {len(lines)} 种")
        cols = [TableColumn("序号", 0.45, "center"), TableColumn("编码", 0.8), TableColumn("名称", 1.3),
                TableColumn("规格型号", 1.5), TableColumn("单位", 0.4, "center"), TableColumn("现有库存", 0.7, "right"),
                TableColumn("安全库存", 0.7, "right"), TableColumn("最高库存", 0.7, "right"),
                TableColumn("建议采购", 0.7, "right"), TableColumn("参考单价", 0.75, "right"),
                TableColumn("预计金额", 0.85, "right"), TableColumn("上次供应商", 1.4)]
        rows = [(str(i), x.code, x.name, x.spec, x.unit, _q(x.on_hand), _q(x.min_stock), _q(x.max_stock),
                 _q(x.suggested), amounts_mod.price_text(x.price), _m(x.amount), x.supplier) for i, x in enumerate(lines, 1)]
        rows.append(("", "", "合计", "", "", "", "", "", "", "", _m(sum(x.amount for x in lines)), ""))
        doc.table(cols, rows, size=9.5)
        doc.skip(2 * mm)
        doc.note("建议采购数量 = 最高库存 － 现有库存（未设最高库存的按安全库存的 2 倍），整数单位向上取整；"
                 "参考单价取最近一次入库单价。", size=9)
        doc.signatures(("申请人", "部门负责人", "审批人", "日期"))
    return Path(path)


# ---------------------------------------------------------------------------------------------- 进销存月报


def write_period_pdf(rows: Sequence[reports.ReportRow], start: dt.date, end: dt.date, path: str | os.PathLike, *,
                     org_name: str = "", title: str = "") -> Path:
    """进销存月报 (or any period): 上期结存, 本期购进, 本期发放, 其他 (报损/盘点), 本期结存 with amounts."""
    if not title:
        same_month = (start.year, start.month) == (end.year, end.month) and start.day == 1 and \
            end == reports.month_range(end.year, end.month)[1]
        title = f"办公用品进销存月报（{start.year}年{start.month}月）" if same_month else "办公用品进销存报表"
    with form_document(path, title=title, org_name=org_name, pagesize=LANDSCAPE, margins=NARROW,
                       running_head=title) as doc:
        doc.title_block(title, org_name, subtitle=f"期间：{start} 至 {end}　数量单位见各物品，金额单位：元",
                        number=f"共 {len(rows)} 种")
        cols = [TableColumn("编码", 0.75), TableColumn("名称", 1.2), TableColumn("规格型号", 1.3),
                TableColumn("单位", 0.4, "center"),
                TableColumn("上期数量", 0.65, "right"), TableColumn("上期金额", 0.8, "right"),
                TableColumn("购进数量", 0.65, "right"), TableColumn("购进金额", 0.8, "right"),
                TableColumn("发放数量", 0.65, "right"), TableColumn("发放金额", 0.8, "right"),
                TableColumn("其他数量", 0.65, "right"), TableColumn("其他金额", 0.8, "right"),
                TableColumn("结存数量", 0.65, "right"), TableColumn("结存金额", 0.8, "right")]
        body = [(r.code, r.name, r.spec, r.unit, _q(r.open_qty), _m(r.open_value), *_pair(r.in_qty, r.in_value),
                 *_pair(r.out_qty, r.out_value), *_pair(r.other_qty, r.other_value), _q(r.close_qty),
                 _m(r.close_value)) for r in rows]
        tot = [sum(getattr(r, f) for r in rows) for f in ("open_value", "in_value", "out_value", "other_value",
                                                          "close_value")]
        body.append(("", "合计", "", "", "", _m(tot[0]), "", _m(tot[1]), "", _m(tot[2]), "", _m(tot[3]), "",
                     _m(tot[4])))
        doc.table(cols, body, size=8.5, max_lines=2)
        doc.skip(2 * mm)
        doc.note("本期结存 = 上期结存 + 本期购进 － 本期发放（领用减退库）± 其他（报损、盘点调整、成本调整）；"
                 "发出按移动加权平均单价计价。", size=9)
        doc.signatures(("制表人", "行政主管", "财务主管", "日期"))
    return Path(path)


def _pair(qty: int, value: int) -> tuple[str, str]:
    """A quantity and amount cell pair, blank when nothing moved (the eye finds the movements)."""
    return ("", "") if not qty and not value else (_q(qty), _m(value))


def write_monthly_pdf(year: int, month: int, path: str | os.PathLike, *, org_name: str = "") -> Path:
    start, end = reports.month_range(year, month)
    return write_period_pdf(reports.period_report(start, end), start, end, path, org_name=org_name)


# ---------------------------------------------------------------------------------------------- 领用汇总


def write_summary_pdf(by: str, start: dt.date | None, end: dt.date | None, path: str | os.PathLike, *,
                      org_name: str = "", department: str = "") -> Path:
    """领用汇总 by 部门 / 领用人 / 月份 / 物品, net of returns, with each group's share of the cost."""
    rows = reports.issue_summary(by, start, end, department)
    label = reports.ISSUE_GROUPS[by]
    total = sum(r.amount for r in rows) or 0
    span = f"{start or '最早'} 至 {end or '今天'}" + (f"　部门：{department}" if department else "")
    with form_document(path, title=f"办公用品领用汇总（按{label}）", org_name=org_name,
                       running_head=f"办公用品领用汇总（按{label}）") as doc:
        doc.title_block(f"办公用品领用汇总表（按{label}）", org_name, subtitle=f"期间：{span}",
                        number=f"合计 {_m(total)} 元")
        if by == "item":
            cols = [TableColumn("序号", 0.5, "center"), TableColumn("编码", 0.9), TableColumn("物品", 2.6),
                    TableColumn("单位", 0.5, "center"), TableColumn("数量", 0.8, "right"),
                    TableColumn("领用次数", 0.8, "right"), TableColumn("金额（元）", 1.0, "right"),
                    TableColumn("占比", 0.7, "right")]
            body = [(str(i), r.code, r.label, r.unit, _q(r.qty), str(r.times), _m(r.amount), _pct(r.amount, total))
                    for i, r in enumerate(rows, 1)]
            body.append(("", "", "合计", "", "", str(sum(r.times for r in rows)), _m(total), "100%" if total else ""))
        else:
            cols = [TableColumn("序号", 0.5, "center"), TableColumn(label, 2.0)]
            if by == "person":
                cols.append(TableColumn("部门", 1.6))
            cols += [TableColumn("领用次数", 0.8, "right"), TableColumn("金额（元）", 1.1, "right"),
                     TableColumn("占比", 0.7, "right")]
            body = []
            for i, r in enumerate(rows, 1):
                row = [str(i), r.label] + ([r.department] if by == "person" else []) + \
                    [str(r.times), _m(r.amount), _pct(r.amount, total)]
                body.append(row)
            body.append(["", "合计"] + ([""] if by == "person" else []) +
                        [str(sum(r.times for r in rows)), _m(total), "100%" if total else ""])
        doc.table(cols, body, size=10)
        doc.skip(2 * mm)
        doc.note("金额为领用金额减去退库金额，按移动加权平均单价计价。" + _printed(), size=9)
        doc.signatures(("制表人", "审核人", "日期"))
    return Path(path)


def _pct(part: int, total: int) -> str:
    return f"{part * 100 / total:.1f}%" if total else ""


# ---------------------------------------------------------------------------------------------- Excel


def _workbook_rows(path: str | os.PathLike, title: str, header: Sequence[str], rows: Iterable[Sequence],
                   widths: Sequence[int], org_name: str = "", subtitle: str = "", money_cols: Sequence[int] = (),
                   qty_cols: Sequence[int] = ()) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([f"{org_name}　{title}".strip()])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([subtitle])
    ws.append(list(header))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    n = 0
    for row in rows:
        ws.append(list(row))
        n += 1
        for c in money_cols:
            ws.cell(row=3 + n, column=c + 1).number_format = "#,##0.00"
        for c in qty_cols:
            ws.cell(row=3 + n, column=c + 1).number_format = "0.###"
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A4"
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return Path(path)


def export_period_xlsx(rows: Sequence[reports.ReportRow], start: dt.date, end: dt.date, path: str | os.PathLike, *,
                       org_name: str = "") -> Path:
    header = ["编码", "名称", "规格型号", "单位", "上期结存数量", "上期结存金额", "本期购进数量", "本期购进金额",
              "本期发放数量", "本期发放金额", "其他（报损盘点）数量", "其他（报损盘点）金额", "本期结存数量",
              "本期结存金额"]
    q, m = amounts_mod.dec_qty, amounts_mod.dec_money
    body = [[r.code, r.name, r.spec, r.unit, q(r.open_qty), m(r.open_value), q(r.in_qty), m(r.in_value),
             q(r.out_qty), m(r.out_value), q(r.other_qty), m(r.other_value), q(r.close_qty), m(r.close_value)]
            for r in rows]
    body.append(["", "合计", "", "", None, m(sum(r.open_value for r in rows)), None, m(sum(r.in_value for r in rows)),
                 None, m(sum(r.out_value for r in rows)), None, m(sum(r.other_value for r in rows)), None,
                 m(sum(r.close_value for r in rows))])
    return _workbook_rows(path, "进销存报表", header, body, [9, 14, 16, 5] + [10] * 10, org_name,
                          f"期间：{start} 至 {end}（金额单位：元）", money_cols=(5, 7, 9, 11, 13),
                          qty_cols=(4, 6, 8, 10, 12))


def export_reorder_xlsx(lines: Sequence[reports.ReorderLine], path: str | os.PathLike, *, org_name: str = "") -> Path:
    header = ["编码", "名称", "规格型号", "单位", "类别", "存放位置", "现有库存", "安全库存", "最高库存", "建议采购",
              "参考单价", "预计金额", "上次供应商"]
    q = amounts_mod.dec_qty
    body = [[x.code, x.name, x.spec, x.unit, x.category, x.location, q(x.on_hand), q(x.min_stock), q(x.max_stock),
             q(x.suggested), amounts_mod.dec_price(x.price), amounts_mod.dec_money(x.amount), x.supplier] for x in lines]
    body.append(["", "合计", "", "", "", "", None, None, None, None, None,
                 amounts_mod.dec_money(sum(x.amount for x in lines)), ""])
    return _workbook_rows(path, "补货清单", header, body, [9, 14, 18, 5, 9, 10, 9, 9, 9, 9, 9, 11, 22], org_name,
                          f"生成日期：{clock.today()}", money_cols=(10, 11), qty_cols=(6, 7, 8, 9))


def export_summary_xlsx(by: str, start: dt.date | None, end: dt.date | None, path: str | os.PathLike, *,
                        org_name: str = "", department: str = "") -> Path:
    rows = reports.issue_summary(by, start, end, department)
    label = reports.ISSUE_GROUPS[by]
    if by == "item":
        header = ["编码", "物品", "单位", "数量", "领用次数", "金额"]
        body = [[r.code, r.label, r.unit, amounts_mod.dec_qty(r.qty), r.times, r.amount_dec] for r in rows]
        money, qty, widths = (5,), (3,), [9, 30, 5, 9, 9, 11]
    else:
        header = [label] + (["部门"] if by == "person" else []) + ["领用次数", "金额"]
        body = [[r.label] + ([r.department] if by == "person" else []) + [r.times, r.amount_dec] for r in rows]
        money, qty, widths = (len(header) - 1,), (), [16] * (len(header) - 2) + [9, 11]
    return _workbook_rows(path, f"领用汇总（按{label}）", header, body, widths, org_name,
                          f"期间：{start or '最早'} 至 {end or '今天'}", money_cols=money, qty_cols=qty)


# ---------------------------------------------------------------------------------------------- shelf labels


def shelf_labels(items: Iterable[items_mod.Supply]) -> list[BarcodeLabel]:
    """One Code128 label per item: the code as bars and digits, the name, spec and shelf."""
    out = []
    for it in items:
        sub = "　".join(p for p in (it.spec, it.location and f"位置 {it.location}") if p)
        out.append(BarcodeLabel(it.code, it.name, sub, "code128").check())
    return out


def write_shelf_labels(items: Iterable[items_mod.Supply], path: str | os.PathLike, *, stock_key: str = "a4-3x8",
                       start: int = 1, copies: int = 1, offset=None, progress=None, cancelled=None) -> int:
    """Shelf labels on a label stock (A4 sheet or thermal roll); returns the number of pages."""
    labels = shelf_labels(items)
    return write_labels(path, get_stock(stock_key), labels, start=start, copies=copies, offset=offset,
                        title="办公用品货架标签", progress=progress, cancelled=cancelled)


__all__ = ["export_period_xlsx", "export_reorder_xlsx", "export_summary_xlsx", "shelf_labels",
           "write_count_sheet_pdf", "write_difference_pdf", "write_issue_slip_pdf", "write_monthly_pdf",
           "write_period_pdf", "write_reorder_pdf", "write_shelf_labels", "write_summary_pdf"]
