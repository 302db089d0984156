"""办公用品 checks and reports: balance verification, issue summaries, period and monthly reports, the reorder list
and item cards. No Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, db
from neiqin.models.supplies.amounts import Q, _rdiv, dec_money, is_fractional_unit, money_text, qty_text
from neiqin.models.supplies.items import SUPPLIES, Supply, low_stock_items
from neiqin.models.supplies.moves import ADJUST, COST, ISSUE, RECEIPT, RETURN, SCRAP, StockMove

# ---------------------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class StockMismatch:
    item_id: int
    code: str
    name: str
    cached_qty: int
    moves_qty: int
    cached_value: int
    moves_value: int

    def text(self) -> str:
        return (f"{self.code} {self.name}：缓存 {qty_text(self.cached_qty)} / {money_text(self.cached_value)}，"
                f"按流水 {qty_text(self.moves_qty)} / {money_text(self.moves_value)}")


def _sums() -> dict[int, tuple[int, int]]:
    q = (StockMove.select(StockMove.item, pw.fn.SUM(StockMove.qty), pw.fn.SUM(StockMove.amount))
         .where(StockMove.voided == False).group_by(StockMove.item).tuples())  # noqa: E712
    return {i: (qty or 0, amount or 0) for i, qty, amount in q}


def verify_stock() -> list[StockMismatch]:
    """Items whose cached on-hand or value differs from Σ live movements (empty: all agree)."""
    sums = _sums()
    out = []
    for s in Supply.select(Supply.id, Supply.code, Supply.name, Supply.on_hand, Supply.stock_value):
        qty, value = sums.get(s.id, (0, 0))
        if (qty, value) != (s.on_hand, s.stock_value):
            out.append(StockMismatch(s.id, s.code, s.name, s.on_hand, qty, s.stock_value, value))
    return out


def rebuild_stock() -> int:
    """Set every cache from Σ movements; returns how many items changed (each change is audited)."""
    changed = 0
    with db.atomic():
        for bad in verify_stock():
            Supply.update(on_hand=bad.moves_qty, stock_value=bad.moves_value).where(
                Supply.id == bad.item_id).execute()
            AuditLog.write(SUPPLIES.key, bad.item_id, "rebuild", f"按出入库流水重算库存：{bad.text()}",
                           {"on_hand": [bad.cached_qty, bad.moves_qty],
                            "stock_value": [bad.cached_value, bad.moves_value]})
            changed += 1
    return changed


def _issue_filter(start: dt.date | None, end: dt.date | None):
    cond = StockMove.kind.in_([ISSUE, RETURN]) & (StockMove.voided == False)  # noqa: E712
    if start:
        cond &= StockMove.move_date >= start
    if end:
        cond &= StockMove.move_date <= end
    return cond


def cost_by_department(start: dt.date, end: dt.date) -> list[tuple[str, Decimal]]:
    """Net cost of issues minus returns per department in [start, end], largest first."""
    q = (StockMove.select(StockMove.department, pw.fn.SUM(StockMove.amount))
         .where(_issue_filter(start, end)).group_by(StockMove.department).tuples())
    rows = [(dept or "（未填部门）", dec_money(-(amount or 0))) for dept, amount in q]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


ISSUE_GROUPS = {"department": "部门", "person": "领用人", "month": "月份", "item": "物品"}


@dataclass(frozen=True)
class IssueSummaryRow:
    label: str
    code: str  # the item's code when grouped by item
    department: str
    unit: str
    qty: int  # thousandths; meaningful for rows of one item only
    amount: int  # fen, net of returns
    times: int  # issue lines

    @property
    def amount_dec(self) -> Decimal:
        return dec_money(self.amount)


def issue_summary(by: str, start: dt.date | None = None, end: dt.date | None = None,
                  department: str = "") -> list[IssueSummaryRow]:
    """领用汇总 (issues minus returns) by 部门, 领用人, 月份 or 物品, largest amount first (months in order)."""
    cond = _issue_filter(start, end)
    if department:
        cond &= StockMove.department == department
    m = StockMove
    times = pw.fn.SUM(pw.Case(None, [(m.kind == ISSUE, 1)], 0))
    if by == "department":
        keys = [m.department]
    elif by == "person":
        keys = [m.person, m.department]
    elif by == "month":
        keys = [pw.fn.strftime("%Y-%m", m.move_date)]
    elif by == "item":
        keys = [m.item]
    else:
        raise NeiqinError(f"汇总方式应为：{'、'.join(ISSUE_GROUPS.values())}")
    fields = [*keys, pw.fn.SUM(m.qty), pw.fn.SUM(m.amount), times]
    if by == "item":
        fields += [pw.fn.MAX(m.name), pw.fn.MAX(m.spec), pw.fn.MAX(m.unit), pw.fn.MAX(m.code)]
    rows = []
    for r in m.select(*fields).where(cond).group_by(*keys).tuples():
        if by == "item":
            _, qty, amount, n, name, spec, unit, code = r
            label = f"{name}（{spec}）" if spec else name
            rows.append(IssueSummaryRow(label, code, "", unit, -(qty or 0), -(amount or 0), n or 0))
        elif by == "person":
            person, dept, qty, amount, n = r
            rows.append(IssueSummaryRow(person or "（未填）", "", dept or "", "", -(qty or 0), -(amount or 0), n or 0))
        else:
            label, qty, amount, n = r
            rows.append(IssueSummaryRow(label or "（未填）", "", "", "", -(qty or 0), -(amount or 0), n or 0))
    if by == "month":
        return sorted(rows, key=lambda x: x.label)
    return sorted(rows, key=lambda x: (-x.amount, -x.qty, x.label))


@dataclass(frozen=True)
class ReportRow:
    """进销存 of one item over a period (thousandths and fen)."""

    item_id: int
    code: str
    name: str
    spec: str
    unit: str
    category: str
    open_qty: int
    open_value: int
    in_qty: int
    in_value: int
    out_qty: int  # issued minus returned
    out_value: int
    other_qty: int  # 报损, 盘点调整, 成本调整 (signed)
    other_value: int
    close_qty: int
    close_value: int

    @property
    def close_cost(self) -> int:
        return _rdiv(self.close_value * 100 * Q, self.close_qty) if self.close_qty > 0 else 0


def period_report(start: dt.date, end: dt.date, *, include_idle: bool = False, method: str = "auto") -> list[ReportRow]:
    """进销存 per item for [start, end]: 上期结存 + 本期购进 − 本期发放 ± 其他 = 本期结存.

    Opening = Σ live movements dated before ``start``, so each period's closing is the next one's opening.
    For a recent period that sum is taken the short way — the cached stock (always equal to Σ live movements,
    see :func:`verify_stock`) minus the movements dated from ``start`` on — so a month at the end of years of
    history reads one month, not years (``method``: "before", "cache" or "auto" to pick the shorter).
    Items with nothing to show (no balance, no movement) are left out unless ``include_idle``.
    """
    if start > end:
        raise ValidationError({"start": "开始日期不能晚于结束日期"})
    m = StockMove
    live = m.voided == False  # noqa: E712
    if method == "auto":
        first, last = m.select(pw.fn.MIN(m.move_date), pw.fn.MAX(m.move_date)).where(live).tuples().first() or \
            (None, None)
        method = "cache" if first and last and (start - first) > (last - start) else "before"

    def s(cond, field):
        return pw.fn.SUM(pw.Case(None, [(cond, field)], 0))

    within = (m.move_date >= start) & (m.move_date <= end)
    is_in = within & (m.kind == RECEIPT)
    is_out = within & m.kind.in_([ISSUE, RETURN])
    is_other = within & m.kind.in_([SCRAP, ADJUST, COST])
    sums: dict[int, tuple] = {}
    if method == "cache":
        after = m.move_date > end
        q = (m.select(m.item, s(is_in, m.qty), s(is_in, m.amount), s(is_out, m.qty), s(is_out, m.amount),
                      s(is_other, m.qty), s(is_other, m.amount), s(after, m.qty), s(after, m.amount))
             .where(live & (m.move_date >= start)).group_by(m.item).tuples())
        moved = {r[0]: r[1:] for r in q}
        for it in Supply.select(Supply.id, Supply.on_hand, Supply.stock_value).tuples():
            iq, iv, uq, uv, xq, xv, aq, av = moved.get(it[0], (0,) * 8)
            sums[it[0]] = (it[1] - iq - uq - xq - aq, it[2] - iv - uv - xv - av, iq, iv, uq, uv, xq, xv)
    else:
        before = m.move_date < start
        q = (m.select(m.item, s(before, m.qty), s(before, m.amount), s(is_in, m.qty), s(is_in, m.amount),
                      s(is_out, m.qty), s(is_out, m.amount), s(is_other, m.qty), s(is_other, m.amount))
             .where(live & (m.move_date <= end)).group_by(m.item).tuples())
        sums = {r[0]: r[1:] for r in q}
    items = Supply.select(Supply.id, Supply.code, Supply.name, Supply.spec, Supply.unit, Supply.category,
                          Supply.voided).order_by(Supply.code)
    out = []
    for it in items:
        oq, ov, iq, iv, uq, uv, xq, xv = sums.get(it.id, (0,) * 8)
        if not include_idle and not any((oq, ov, iq, iv, uq, uv, xq, xv)):
            continue
        out.append(ReportRow(it.id, it.code, it.name, it.spec, it.unit, it.category, oq, ov, iq, iv, -uq, -uv,
                             xq, xv, oq + iq + uq + xq, ov + iv + uv + xv))
    return out


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def monthly_report(year: int, month: int, *, include_idle: bool = False) -> list[ReportRow]:
    return period_report(*month_range(year, month), include_idle=include_idle)


@dataclass(frozen=True)
class ReorderLine:
    item_id: int
    code: str
    name: str
    spec: str
    unit: str
    category: str
    location: str
    on_hand: int
    min_stock: int
    max_stock: int
    suggested: int  # thousandths
    price: int  # 1/10000 元
    supplier: str

    @property
    def amount(self) -> int:
        return _rdiv(self.suggested * self.price, 100 * Q)


def last_supplier(item_id: int) -> str:
    row = (StockMove.select(StockMove.supplier)
           .where((StockMove.item == item_id) & (StockMove.kind == RECEIPT) & (StockMove.voided == False)  # noqa: E712
                  & (StockMove.supplier != ""))
           .order_by(StockMove.move_date.desc(), StockMove.id.desc()).first())
    return row.supplier if row else ""


def suggest_qty(item: Supply) -> int:
    """Up to 最高库存 (or twice 安全库存 when no maximum is set), whole units rounded up."""
    target = item.max_stock or 2 * item.min_stock
    need = max(target - item.on_hand, 0)
    if not is_fractional_unit(item.unit) and need % Q:
        need += Q - need % Q
    return need


def reorder_list() -> list[ReorderLine]:
    """补货清单: active items at or below their minimum, with a suggested quantity up to the maximum."""
    out = []
    for it in low_stock_items():
        price = it.last_cost or it.ref_price
        out.append(ReorderLine(it.id, it.code, it.name, it.spec, it.unit, it.category, it.location, it.on_hand,
                               it.min_stock, it.max_stock, suggest_qty(it), price, last_supplier(it.id)))
    return sorted(out, key=lambda r: (r.category, r.code))


def item_card(item: Supply | int, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The stock card of one item: live movements in date order with the running balance (thousandths, fen)."""
    item_id = item if isinstance(item, int) else item.id
    q = (StockMove.select().where((StockMove.item == item_id) & (StockMove.voided == False))  # noqa: E712
         .order_by(StockMove.move_date, StockMove.id).dicts())
    bal = val = 0
    out = []
    for r in q:
        bal += r["qty"]
        val += r["amount"]
        if (start and r["move_date"] < start) or (end and r["move_date"] > end):
            continue
        out.append({**r, "balance": bal, "balance_value": val})
    return out


