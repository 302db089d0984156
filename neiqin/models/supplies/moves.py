"""办公用品出入库登记簿: the stock movements ledger (入库, 领用, 退库, 报损, 盘点调整, 成本调整). No Qt.

Movements are written by :mod:`neiqin.models.supplies.posting` (which imports this module: the ledger's create and
void reach it inside the function); this module holds the table and its ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import VoidableModel, now
from neiqin.models.ledger import (
    Column,
    LedgerSpec,
    SearchIndex,
    register_ledger,
)
from neiqin.models.supplies.amounts import dec_money, dec_price, dec_qty, qty_text
from neiqin.numbering import order_index

RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST = "入库", "领用", "退库", "报损", "盘点调整", "成本调整"
KINDS = [RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST]
PREFIX = {RECEIPT: "RK", ISSUE: "LY", RETURN: "TK", SCRAP: "BS", ADJUST: "PD", COST: "TZ"}
class StockMove(VoidableModel):
    """One line of the stock ledger. Quantities and amounts are signed: + in, − out."""

    no = pw.CharField(max_length=20)  # slip number, shared by the lines of one 领用单 (unique with ``line``)
    kind = pw.CharField(max_length=6, index=True)
    move_date = pw.DateField()
    moved_at = pw.DateTimeField(default=now)  # when it was recorded (the stocktake rule uses it)
    item = pw.IntegerField(index=True)
    code = pw.CharField(max_length=20)
    name = pw.CharField(max_length=60)
    spec = pw.CharField(max_length=60, default="")
    unit = pw.CharField(max_length=4)
    qty = pw.IntegerField()
    unit_cost = pw.IntegerField(default=0)
    amount = pw.IntegerField(default=0)
    supplier = pw.CharField(max_length=100, default="")
    invoice_no = pw.CharField(max_length=40, default="")
    handler = pw.CharField(max_length=40, default="")  # 经手人
    staff_id = pw.IntegerField(null=True)
    person = pw.CharField(max_length=40, default="", index=True)  # 领用人
    department = pw.CharField(max_length=60, default="", index=True)
    purpose = pw.CharField(max_length=200, default="")
    approver = pw.CharField(max_length=40, default="")
    issuer = pw.CharField(max_length=40, default="")  # 发放人
    reason = pw.CharField(max_length=200, default="")
    ref_id = pw.IntegerField(null=True, index=True)  # 退库: the issue; 盘点调整: the stocktake
    note = pw.TextField(default="")
    line = pw.IntegerField(default=1, constraints=[pw.SQL("DEFAULT 1")])  # 1, 2 … within its slip

    class Meta:
        table_name = "stock_move"
        indexes = ((("no", "line"), True), (("move_date", "id"), False), (("item", "move_date", "id"), False))

    @property
    def out_qty(self) -> int:
        return -self.qty


MODELS = [StockMove]


StockMove.add_index(order_index(StockMove.no))


# ---------------------------------------------------------------------------------------------- movements ledger


@dataclass
class MovesSpec(LedgerSpec):
    """The stock ledger is append-only: movements are written by the functions below, never edited.

    ``create`` takes 入库 rows only (Excel import of a delivery list or the opening stock)."""

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        kind = (data.get("kind") or RECEIPT).strip()
        if kind != RECEIPT:
            raise ValidationError({"kind": "只能直接新建或导入“入库”记录；领用、退库、报损请在办公用品页面办理"})
        from neiqin.models.supplies.posting import receive  # posting builds on this module

        return receive(data, confirmed={"zero_price": ""})[0]  # an imported delivery list may hold gifts

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        raise NeiqinError("出入库记录登记后不能修改；如有错误请作废后重新登记（作废记录会保留）")

    def void(self, rec: Any, reason: str) -> Any:
        from neiqin.models.supplies.posting import void_move

        return void_move(rec, reason)


def _move_search_parts(m: StockMove) -> tuple[list[str], list[str]]:
    short = [m.no, m.kind, m.code, m.name, m.spec, m.person, m.department, m.supplier, m.invoice_no, m.handler,
             m.approver, m.issuer, m.purpose]
    return short + [m.reason, m.note], short


def _move_status(key: str):
    kind = {"receipt": RECEIPT, "issue": ISSUE, "return": RETURN, "scrap": SCRAP, "adjust": ADJUST}.get(key)
    if kind == ADJUST:
        return StockMove.kind.in_([ADJUST, COST])
    return StockMove.kind == (kind or key)


def _in_qty(row: dict) -> Any:
    return dec_qty(row["qty"]) if (row.get("qty") or 0) > 0 else ""


def _out_qty(row: dict) -> Any:
    return dec_qty(-row["qty"]) if (row.get("qty") or 0) < 0 else ""


def _detail(row: dict) -> str:
    kind = row.get("kind")
    if kind == RECEIPT:
        return row.get("note") or ""
    if kind in (SCRAP, ADJUST, COST):
        return row.get("reason") or row.get("note") or ""
    return "　".join(p for p in (row.get("purpose") or "", row.get("reason") or "") if p)


def _signer(row: dict) -> str:
    if row.get("kind") in (ISSUE, RETURN):
        return "、".join(p for p in (row.get("approver") and f"批:{row['approver']}",
                                     row.get("issuer") and f"发:{row['issuer']}") if p)
    return row.get("handler") or ""


STOCK_MOVES = register_ledger(MovesSpec(
    key="stock-moves",
    title="办公用品出入库登记簿",
    tab_title="出入库流水",
    model=StockMove,
    columns=[
        Column("no", "单号", 11, sortable=True, importable=False, number_order=True),
        Column("move_date", "日期", 10, kind="date", sortable=True, aliases=("入库日期",)),
        Column("kind", "类型", 5, align="center", aliases=("业务类型",)),
        Column("code", "编码", 7, aliases=("物品编码",)),
        Column("name", "名称", 11, aliases=("物品名称", "品名")),
        Column("spec", "规格型号", 10, importable=False),
        Column("unit", "单位", 4, align="center", importable=False),
        Column("in_qty", "收入", 5, kind="int", align="right", value=_in_qty, aliases=("数量", "入库数量")),
        Column("out_qty", "发出", 5, kind="int", align="right", value=_out_qty, importable=False),
        Column("unit_cost", "单价", 6, kind="int", align="right", value=lambda r: dec_price(r.get("unit_cost")),
               aliases=("入库单价",)),
        Column("amount", "金额", 7, kind="int", align="right", value=lambda r: dec_money(abs(r.get("amount") or 0))),
        Column("supplier", "供应商", 11),
        Column("person", "领用人", 6, importable=False),
        Column("department", "部门", 8, importable=False),
        Column("detail", "用途/事由", 12, importable=False, value=_detail),
        Column("handler", "经手/审批", 9, value=_signer, aliases=("经手人",)),
        Column("invoice_no", "发票号", 9),
    ],
    default_sort="move_date",
    date_field="move_date",
    date_label="日期",
    statuses=[("receipt", "入库"), ("issue", "领用"), ("return", "退库"), ("scrap", "报损"),
              ("adjust", "盘点/成本调整")],
    status_condition=_move_status,
    search=SearchIndex("stock_move"),
    search_parts=_move_search_parts,
    describe=lambda m: f"{m.kind} {m.no}（{m.name} {qty_text(abs(m.qty), m.unit)}）",
))


