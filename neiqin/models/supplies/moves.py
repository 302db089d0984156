"""办公用品出入库登记簿: the stock movements ledger (入库, 领用, 退库, 报损, 盘点调整, 成本调整). No Qt.

Movements are written by :mod:`neiqin.models.supplies.posting` (which imports this module: the ledger's create and
void reach it inside the function); this module holds the table and its ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import peewee as pw

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import VoidableModel, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import (
    LedgerSpec,
    SearchIndex,
    register_ledger,
)
from neiqin.models.supplies.amounts import dec_money, dec_qty, qty_text
from neiqin.numbering import order_index

RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST = "入库", "领用", "退库", "报损", "盘点调整", "成本调整"
KINDS = [RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST]
PREFIX = {RECEIPT: "RK", ISSUE: "LY", RETURN: "TK", SCRAP: "BS", ADJUST: "PD", COST: "TZ"}


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


MOVE_FIELDS = Fields(
    "stock-moves",
    Field("no", "单号", "code", max_len=20, width=11, sortable=True, importable=False, number_order=True,
          in_form=False),  # taken from neiqin.numbering: the model declares it
    Field("move_date", "日期", "date", required=True, width=10, sortable=True, aliases=("入库日期",)),
    Field("kind", "类型", "choice", choices=tuple(KINDS), default=RECEIPT, max_len=6, index=True, width=5,
          align="center", aliases=("业务类型",), in_form=False),
    Field("item", "物品", "code", required=True, placeholder="扫描或输入编码，或从列表选择"),  # the model's link
    Field("code", "编码", "code", max_len=20, width=7, aliases=("物品编码",), in_form=False),
    Field("name", "名称", max_len=60, width=11, aliases=("物品名称", "品名"), in_form=False),
    Field("spec", "规格型号", max_len=60, width=10, importable=False, in_form=False),
    Field("unit", "单位", max_len=4, width=4, align="center", importable=False, in_form=False),
    Field("qty", "数量", "qty", lo=1, required=True, width=5, importable=False),  # signed: + in, − out
    Field("in_qty", "收入", "qty", stored=False, width=5, value=_in_qty, aliases=("数量", "入库数量")),
    Field("out_qty", "发出", "qty", stored=False, width=5, value=_out_qty, importable=False),
    Field("unit_price", "单价", "price", stored=False, placeholder="元；或只填金额"),  # what a receipt slip is typed at
    Field("unit_cost", "单价", "price", width=6, aliases=("入库单价",), in_form=False),
    Field("amount", "金额", "money", width=7, value=lambda r: dec_money(abs(r.get("amount") or 0)),
          placeholder="按发票填写时可不填单价"),
    Field("supplier", "供应商", max_len=100, width=11, history=True),
    Field("invoice_no", "发票号", max_len=40, width=9),
    Field("person", "领用人", max_len=40, index=True, width=6, importable=False),
    Field("department", "部门", max_len=60, index=True, width=8, importable=False),
    Field("purpose", "用途", max_len=200),
    Field("reason", "原因", max_len=200, history=True),
    Field("detail", "用途/事由", stored=False, width=12, importable=False, value=_detail),
    Field("handler", "经手人", max_len=40, header="经手/审批", width=9, value=_signer),
    Field("approver", "审批人", max_len=40),
    Field("issuer", "发放人", max_len=40),
    Field("note", "备注", "multiline", max_len=500),
    # the 领用登记簿 only
    Field("issued", "数量", "qty", stored=False, width=5, value=lambda r: dec_qty(-(r.get("qty") or 0))),
    Field("purpose_note", "用途/备注", stored=False, width=14,
          value=lambda r: "　".join(p for p in (r.get("purpose") or "", r.get("note") or "") if p)),
    Field("signature", "领用人签字", stored=False, width=10, value=lambda r: ""),
)
PEOPLE = ("person", "handler", "approver", "issuer")  # names picked from 通讯录, kept as text


@MOVE_FIELDS.table(order=("no", "kind", "move_date", "moved_at", "item", "code", "name", "spec", "unit", "qty",
                          "unit_cost", "amount", "supplier", "invoice_no", "handler", "staff_id", "person",
                          "department", "purpose", "approver", "issuer", "reason", "ref_id", "note", "line"))
class StockMove(VoidableModel):
    """One line of the stock ledger (fields: :data:`MOVE_FIELDS`). Quantities and amounts are signed: + in, − out."""

    no = pw.CharField(max_length=20)  # slip number, shared by the lines of one 领用单 (unique with ``line``)
    moved_at = pw.DateTimeField(default=now)  # when it was recorded (the stocktake rule uses it)
    item = pw.IntegerField(index=True)
    staff_id = pw.IntegerField(null=True)
    ref_id = pw.IntegerField(null=True, index=True)  # 退库: the issue; 盘点调整: the stocktake
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


STOCK_MOVES = register_ledger(MovesSpec(
    key="stock-moves",
    title="办公用品出入库登记簿",
    tab_title="出入库流水",
    model=StockMove,
    columns=MOVE_FIELDS.columns("no", "move_date", "kind", "code", "name", "spec", "unit", "in_qty", "out_qty",
                                "unit_cost", "amount", "supplier", "person", "department", "detail", "handler",
                                "invoice_no"),
    fields=MOVE_FIELDS,
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

def move_by_id(move_id: int) -> StockMove:
    return StockMove.get_by_id(move_id)


def issue_slips_on(day) -> int:
    """How many 领用单 (slips, not lines) were issued on ``day``, voided ones left out."""
    return (StockMove.select(StockMove.no).where((StockMove.kind == ISSUE) & (StockMove.move_date == day)
                                                 & (StockMove.voided == False))  # noqa: E712
            .distinct().count())


# 领用登记簿: the 领用 view (出入库流水 filtered to 领用) prints the columns of an issue, and a column the person
# signs in on receiving (25 mm × 10 mm of writing space, neiqin.reports.forms.SIGN_W/SIGN_H)
ISSUE_REGISTER = replace(STOCK_MOVES, title="办公用品领用登记簿", columns=MOVE_FIELDS.columns(
    "move_date", "no", "name", "spec", "issued", "unit", "department", "person", "purpose_note", "signature",
    name={"header": "物品"}, spec={"header": "规格"}, department={"header": "领用部门"},
    signature={"fmt": "sign", "align": "center"}))
STOCK_MOVES.registers["issue"] = ISSUE_REGISTER
