"""通讯地址簿: outside organisations (name, address, postcode, contact, phone).

One book shared by 发文 (主送 / 抄送 / 送文簿) and 快递寄件 (收件单位), and printed on envelopes.
"""

from __future__ import annotations

import re

import peewee as pw

from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.validators import validate_phone

POSTCODE_RE = re.compile(r"^\d{6}$")


class Organisation(VoidableModel):
    name = pw.CharField(max_length=100, index=True)
    address = pw.CharField(max_length=200, default="")
    postcode = pw.CharField(max_length=6, default="")
    contact = pw.CharField(max_length=40, default="")
    phone = pw.CharField(max_length=40, default="")
    note = pw.TextField(default="")

    def __str__(self) -> str:
        return self.name


def _validate(data: dict, record: Organisation | None) -> dict:
    errors: dict[str, str] = {}
    out = {
        "name": text_field(data, errors, "name", "单位名称", required=True, max_len=100),
        "address": text_field(data, errors, "address", "地址", max_len=200),
        "postcode": text_field(data, errors, "postcode", "邮政编码", max_len=6),
        "contact": text_field(data, errors, "contact", "联系人", max_len=40),
        "phone": text_field(data, errors, "phone", "电话", max_len=40),
        "note": text_field(data, errors, "note", "备注", max_len=1000),
    }
    if out["postcode"] and "postcode" not in errors and not POSTCODE_RE.match(out["postcode"]):
        errors["postcode"] = "邮政编码应为 6 位数字"
    if out["phone"] and "phone" not in errors:
        msg = validate_phone(out["phone"])
        if msg:
            errors["phone"] = f"电话：{msg}"
    if out["name"] and "name" not in errors:
        same = Organisation.select().where(Organisation.name == out["name"], Organisation.voided == False)  # noqa: E712
        if record is not None:
            same = same.where(Organisation.id != record.id)
        if same.exists():
            errors["name"] = f"地址簿里已有“{out['name']}”，请直接选用或修改那一条"
    if errors:
        raise ValidationError(errors)
    return out


def _search_parts(o: Organisation) -> tuple[list[str], list[str]]:
    parts = [o.name, o.address, o.contact]
    return parts + [o.postcode, o.phone], parts


ADDRESSES = register_ledger(LedgerSpec(
    key="addresses",
    title="通讯地址簿",
    tab_title="地址簿",
    model=Organisation,
    columns=[
        Column("name", "单位名称", 22, sortable=True, aliases=("单位", "名称", "收件单位")),
        Column("address", "地址", 30, aliases=("通讯地址", "详细地址")),
        Column("postcode", "邮政编码", 8, aliases=("邮编",)),
        Column("contact", "联系人", 8),
        Column("phone", "电话", 14, aliases=("联系电话",)),
        Column("note", "备注", 16),
    ],
    default_sort="name",
    default_desc=False,
    search=SearchIndex("organisation"),
    search_parts=_search_parts,
    validate=_validate,
    describe=lambda o: o.name,
))

MODELS = [Organisation]


def organisation_names() -> list[str]:
    """Names for autocomplete (主送, 抄送, 收件单位), A→Z."""
    q = Organisation.select(Organisation.name).where(Organisation.voided == False)  # noqa: E712
    return [o.name for o in q.order_by(Organisation.name)]


def find_organisation(name: str) -> Organisation | None:
    name = (name or "").strip()
    if not name:
        return None
    return (Organisation.select().where(Organisation.name == name, Organisation.voided == False)  # noqa: E712
            .first())
