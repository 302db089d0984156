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
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.mail.addresses import ADDRESSES, POSTCODE_RE, Organisation
from neiqin.models.mail.parcel_rules import (
    PAY_MODES,
    _date,
    _person,
    check_tracking,
    normalize_tracking,
    parse_cost,
    recognise,
    yuan,
)
from neiqin.models.validators import normalize_phone, validate_phone


class Dispatch(VoidableModel):
    """快递寄件: one parcel or letter sent out, with its cost."""

    send_date = pw.DateField()
    tracking_no = pw.CharField(max_length=40, default="", index=True)
    carrier = pw.CharField(max_length=20, default="")
    department = pw.CharField(max_length=60, default="", index=True)
    sender_id = pw.IntegerField(null=True)
    sender = pw.CharField(max_length=40)
    org_id = pw.IntegerField(null=True)
    recipient_org = pw.CharField(max_length=100, default="")
    recipient = pw.CharField(max_length=40, default="")
    address = pw.CharField(max_length=200, default="")
    postcode = pw.CharField(max_length=6, default="")
    phone = pw.CharField(max_length=40, default="")
    contents = pw.CharField(max_length=100, default="")  # 内件
    pay_mode = pw.CharField(max_length=8, default=PAY_MODES[0])
    cost_fen = pw.IntegerField(default=0)
    outgoing_id = pw.IntegerField(null=True)  # the 发文 it carries
    outgoing_no = pw.CharField(max_length=60, default="")
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("send_date", "id"), False),)

    @property
    def cost_text(self) -> str:
        return yuan(self.cost_fen)


MODELS = [Dispatch]


# ---------------------------------------------------------------------------------------------- 快递寄件 ledger


def validate_dispatch(data: dict, record: Dispatch | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["send_date"] = _date(data.get("send_date"), "寄件日期", "send_date", errors,
                             record.send_date if record else clock.today())
    if out["send_date"] and out["send_date"] > clock.today():
        errors.setdefault("send_date", "寄件日期不能晚于今天")
    elif out["send_date"] and out["send_date"].year < 2000:
        errors.setdefault("send_date", "寄件日期不合理")
    out["tracking_no"] = check_tracking(data.get("tracking_no"), "tracking_no", errors, required=False)
    carrier = text_field(data, errors, "carrier", "快递公司", max_len=20)
    out["carrier"] = carrier or recognise(out["tracking_no"])
    if not out["carrier"]:
        errors.setdefault("carrier", "请选择快递公司")
    sid, sname, sdept = _person(data.get("sender"))
    if not sname:
        errors.setdefault("sender", "请填写寄件人")
    elif len(sname) > 40:
        errors.setdefault("sender", "寄件人不能超过 40 字")
    out["sender_id"], out["sender"] = sid, sname
    out["department"] = text_field(data, errors, "department", "寄件部门", max_len=60) or sdept
    if not out["department"]:
        errors.setdefault("department", "请填写寄件部门（费用按部门统计）")
    out["recipient_org"] = text_field(data, errors, "recipient_org", "收件单位", max_len=100)
    out["recipient"] = text_field(data, errors, "recipient", "收件人", max_len=40)
    if not out["recipient_org"] and not out["recipient"] and "recipient_org" not in errors:
        errors["recipient_org"] = "请填写收件单位或收件人"
    out["address"] = text_field(data, errors, "address", "地址", required=True, max_len=200)
    out["postcode"] = text_field(data, errors, "postcode", "邮政编码", max_len=6)
    if out["postcode"] and "postcode" not in errors and not POSTCODE_RE.match(out["postcode"]):
        errors["postcode"] = "邮政编码应为 6 位数字"
    phone = text_field(data, errors, "phone", "电话", max_len=40)
    if phone and "phone" not in errors:
        phone = normalize_phone(phone)
        msg = validate_phone(phone)
        if msg:
            errors["phone"] = msg
    out["phone"] = phone
    out["contents"] = text_field(data, errors, "contents", "内件", max_len=100)
    pay = str(data.get("pay_mode") or PAY_MODES[0]).strip()
    if pay not in PAY_MODES:
        errors["pay_mode"] = f"付款方式应为：{'、'.join(PAY_MODES)}"
    out["pay_mode"] = pay
    if data.get("cost") is not None:
        out["cost_fen"] = parse_cost(data["cost"], "cost", errors)
    else:  # an edit that does not touch the cost keeps the stored fen
        out["cost_fen"] = parse_cost(Decimal(int(data.get("cost_fen") or 0)) / 100, "cost", errors)
    out["outgoing_no"] = text_field(data, errors, "outgoing_no", "随寄发文", max_len=60)
    out["outgoing_id"] = data.get("outgoing_id") if data.get("outgoing_id") else None
    out["note"] = text_field(data, errors, "note", "备注", max_len=500)
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
    columns=[
        Column("send_date", "寄件日期", 10, kind="date", sortable=True, aliases=("日期",)),
        Column("tracking_no", "运单号", 17, aliases=("快递单号", "单号")),
        Column("carrier", "快递公司", 9, aliases=("快递",)),
        Column("department", "寄件部门", 9, sortable=True, aliases=("部门",)),
        Column("sender", "寄件人", 7),
        Column("recipient_org", "收件单位", 18, aliases=("单位",)),
        Column("recipient", "收件人", 7),
        Column("address", "地址", 24, aliases=("收件地址", "通讯地址")),
        Column("postcode", "邮编", 7, aliases=("邮政编码",)),
        Column("phone", "电话", 13, aliases=("联系电话",)),
        Column("contents", "内件", 10, aliases=("内容", "物品")),
        Column("pay_mode", "付款方式", 7),
        Column("cost", "费用(元)", 8, align="right", aliases=("费用", "金额"), value=lambda r: yuan(r.get("cost_fen"))),
        Column("outgoing_no", "随寄发文", 12, aliases=("发文字号",)),
        Column("note", "备注", 12),
    ],
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


