"""快递寄件: parcels and letters sent out. No Qt.

A dispatch records sender, recipient organisation (from the address book, :mod:`neiqin.models.mail.addresses`), address,
cost and the 发文 it carries (the link is kept by :mod:`neiqin.models.links`); :func:`cost_report` sums costs per
department and month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel, db
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.mail.addresses import ADDRESSES, Organisation
from neiqin.models.mail.parcel_rules import (
    PAY_MODES,
    _person,
    check_tracking,
    normalize_tracking,
    parse_cost,
    recognise,
    yuan,
)

# One declaration per field: the column, the check, the form and the register/Excel column.
DISPATCH_FIELDS = Fields(
    "dispatches",
    Field("send_date", "寄件日期", "date", required=True, width=10, sortable=True, aliases=("日期",)),
    Field("tracking_no", "运单号", "code", max_len=40, index=True, width=17, aliases=("快递单号", "单号"),
          placeholder="可扫描面单条码"),
    Field("carrier", "快递公司", "choice", open_choices=True, max_len=20, width=9, aliases=("快递",)),
    Field("sender", "寄件人", required=True, max_len=40, width=7),
    Field("department", "寄件部门", max_len=60, index=True, width=9, sortable=True, aliases=("部门",),
          placeholder="选寄件人后自动填写"),
    Field("recipient_org", "收件单位", max_len=100, width=18, aliases=("单位",),
          placeholder="从地址簿选择，或输入新单位"),
    Field("recipient", "收件人", max_len=40, width=7),
    Field("address", "地址", required=True, max_len=200, width=24, aliases=("收件地址", "通讯地址")),
    Field("postcode", "邮政编码", "code", max_len=6, header="邮编", width=7, pattern=r"\d{6}",
          pattern_message="邮政编码应为 6 位数字"),
    Field("phone", "电话", "phone", max_len=40, width=13, aliases=("联系电话",)),
    Field("contents", "内件", max_len=100, width=10, aliases=("内容", "物品"), history=True),
    Field("pay_mode", "付款方式", "choice", choices=tuple(PAY_MODES), default=PAY_MODES[0], max_len=8, width=7),
    Field("cost", "费用(元)", stored=False, width=8, align="right", aliases=("费用", "金额"), placeholder="12.00",
          value=lambda r: yuan(r.get("cost_fen"))),
    Field("outgoing_no", "随寄发文", max_len=60, width=12, aliases=("发文字号",),
          placeholder="发文字号，如 公司函〔2026〕7号，可不填"),
    Field("note", "备注", "multiline", max_len=500, width=12),
)


# the table keeps the column order it has always had (a new file's CREATE TABLE as before)
@DISPATCH_FIELDS.table(order=(
    "send_date", "tracking_no", "carrier", "department", "sender_id", "sender", "org_id", "recipient_org",
    "recipient", "address", "postcode", "phone", "contents", "pay_mode", "cost_fen", "outgoing_id",
    "outgoing_no", "note",
))
class Dispatch(VoidableModel):
    """快递寄件: one parcel or letter sent out, with its cost (fields: :data:`DISPATCH_FIELDS`; the cost is kept in 分)."""

    sender_id = pw.IntegerField(null=True)
    org_id = pw.IntegerField(null=True)
    cost_fen = pw.IntegerField(default=0)
    outgoing_id = pw.IntegerField(null=True)  # the 发文 it carries

    class Meta:
        indexes = ((("send_date", "id"), False),)

    @property
    def cost_text(self) -> str:
        return yuan(self.cost_fen)


MODELS = [Dispatch]


# ---------------------------------------------------------------------------------------------- 快递寄件 ledger


def validate_dispatch(data: dict, record: Dispatch | None) -> dict:
    errors: dict[str, str] = {}
    sid, sname, sdept = _person(data.get("sender"))
    typed = {**data, "sender": sname, "send_date": data.get("send_date") or (record.send_date if record
                                                                              else clock.today())}
    out: dict[str, Any] = DISPATCH_FIELDS.clean(typed, errors, (
        "send_date", "carrier", "sender", "department", "recipient_org", "recipient", "address", "postcode", "phone",
        "contents", "pay_mode", "outgoing_no", "note"))
    if out["send_date"] and out["send_date"] > clock.today():
        errors.setdefault("send_date", "寄件日期不能晚于今天")
    elif out["send_date"] and out["send_date"].year < 2000:
        errors.setdefault("send_date", "寄件日期不合理")
    out["tracking_no"] = check_tracking(data.get("tracking_no"), "tracking_no", errors, required=False)
    out["carrier"] = out["carrier"] or recognise(out["tracking_no"])
    if not out["carrier"]:
        errors.setdefault("carrier", "请选择快递公司")
    out["sender_id"] = sid
    out["department"] = out["department"] or sdept
    if not out["department"]:
        errors.setdefault("department", "请填写寄件部门（费用按部门统计）")
    if not out["recipient_org"] and not out["recipient"] and "recipient_org" not in errors:
        errors["recipient_org"] = "请填写收件单位或收件人"
    if data.get("cost") is not None:
        out["cost_fen"] = parse_cost(data["cost"], "cost", errors)
    else:  # an edit that does not touch the cost keeps the stored fen
        out["cost_fen"] = parse_cost(Decimal(int(data.get("cost_fen") or 0)) / 100, "cost", errors)
    out["outgoing_id"] = data.get("outgoing_id") if data.get("outgoing_id") else None
    org = Organisation.get_or_none((Organisation.name == out["recipient_org"])
                                   & (Organisation.voided == False)) if out["recipient_org"] else None  # noqa: E712
    out["org_id"] = org.id if org else None
    if out["tracking_no"] and "tracking_no" not in errors:
        same = Dispatch.select().where((Dispatch.tracking_no == out["tracking_no"])
                                       & (Dispatch.voided == False))  # noqa: E712
        if record is not None:
            same = same.where(Dispatch.id != record.id)
        other = same.first()
        if other is not None:
            errors["tracking_no"] = (f"运单号 {out['tracking_no']} 已在 {other.send_date} 登记过"
                                     f"（寄往 {other.recipient_org or other.recipient}）")
    if errors:
        raise ValidationError(errors)
    return out


def _dispatch_search_parts(d: Dispatch) -> tuple[list[str], list[str]]:
    short = [d.tracking_no, d.carrier, d.department, d.sender, d.recipient_org, d.recipient, d.contents,
             d.outgoing_no]
    return short + [d.address, d.postcode, d.phone, d.note], short


def _import_dispatch(data: dict) -> dict:
    return dict(data)


DISPATCHES = register_ledger(LedgerSpec(
    key="dispatches",
    title="快递寄件登记簿",
    tab_title="快递寄件",
    model=Dispatch,
    columns=DISPATCH_FIELDS.columns("send_date", "tracking_no", "carrier", "department", "sender", "recipient_org",
                                    "recipient", "address", "postcode", "phone", "contents", "pay_mode", "cost",
                                    "outgoing_no", "note"),
    fields=DISPATCH_FIELDS,
    default_sort="send_date",
    date_field="send_date",
    date_label="寄件日期",
    search=SearchIndex("dispatch"),
    search_parts=_dispatch_search_parts,
    validate=validate_dispatch,
    history_fields=("contents",),
    describe=lambda d: f"寄件 {d.tracking_no or '（无单号）'}（{d.recipient_org or d.recipient}）",
    import_row=_import_dispatch,
))


def record_dispatch(data: dict) -> Dispatch:
    """Register a parcel or letter sent out (the form, the 发文 送文簿 and imports land here)."""
    from neiqin.models import links

    data = links.resolve_outgoing_no(data)
    with db.atomic():
        d = DISPATCHES.create(data, summary=f"寄件 {normalize_tracking(data.get('tracking_no')) or '（无单号）'}")
        links.sync_outgoing(d)
    return d


def edit_dispatch(d: Dispatch, data: dict) -> Dispatch:
    before = d.outgoing_id
    from neiqin.models import links

    data = links.resolve_outgoing_no({**data, "outgoing_id": None} if "outgoing_no" in data else data)
    with db.atomic():
        d = DISPATCHES.update(d, data)
        links.sync_outgoing(d, before)
    return d


def outgoing_link_text(d: Dispatch) -> str:
    """“随寄发文 公司函〔2026〕7号” for the dispatch's detail line, or ""."""
    return f"随寄发文 {d.outgoing_no}" if d.outgoing_no else ""


def address_values(org: Organisation | str | None) -> dict:
    """收件单位 chosen from the address book: the fields it fills in a 寄件 form."""
    if isinstance(org, str):
        from neiqin.models.mail.addresses import find_organisation

        org = find_organisation(org)
    if org is None:
        return {}
    return {"recipient_org": org.name, "recipient": org.contact, "address": org.address, "postcode": org.postcode,
            "phone": org.phone}


def save_to_address_book(d: Dispatch) -> Organisation:
    """Keep a new 收件单位 typed in a 寄件 for next time."""
    org = ADDRESSES.create({"name": d.recipient_org, "address": d.address, "postcode": d.postcode,
                            "contact": d.recipient, "phone": d.phone},
                           summary=f"从寄件登记存入地址簿：{d.recipient_org}")
    DISPATCHES.update(d, {"org_id": org.id}, validate=False, summary=f"关联地址簿 {org.name}")
    return org


@dataclass
class CostReport:
    months: list[str]  # "2026-01" …
    departments: list[str]
    cells: dict[tuple[str, str], tuple[int, int]]  # (department, month) -> (count, fen)

    def count(self, dept: str | None = None, month: str | None = None) -> int:
        return sum(c for (d, m), (c, _) in self.cells.items() if dept in (None, d) and month in (None, m))

    def fen(self, dept: str | None = None, month: str | None = None) -> int:
        return sum(f for (d, m), (_, f) in self.cells.items() if dept in (None, d) and month in (None, m))


def month_range(date_from: dt.date, date_to: dt.date) -> list[str]:
    out, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def cost_report(date_from: dt.date, date_to: dt.date) -> CostReport:
    """Dispatch count and cost per 寄件部门 and month (voided excluded), departments by cost, highest first."""
    if date_from > date_to:
        raise ValidationError({"date_from": "开始日期不能晚于结束日期"})
    if len(month_range(date_from, date_to)) > 36:
        raise ValidationError({"date_to": "一次最多统计 36 个月"})
    month = pw.fn.strftime("%Y-%m", Dispatch.send_date)
    q = (Dispatch.select(Dispatch.department, month.alias("month"), pw.fn.COUNT(Dispatch.id).alias("n"),
                         pw.fn.SUM(Dispatch.cost_fen).alias("fen"))
         .where((Dispatch.send_date >= date_from) & (Dispatch.send_date <= date_to)
                & (Dispatch.voided == False))  # noqa: E712
         .group_by(Dispatch.department, month).tuples())
    cells = {(d or "（未填部门）", m): (n, f or 0) for d, m, n, f in q}
    totals: dict[str, int] = {}
    for (d, _), (_, f) in cells.items():
        totals[d] = totals.get(d, 0) + f
    depts = sorted(totals, key=lambda d: (-totals[d], d))
    return CostReport(month_range(date_from, date_to), depts, cells)


