"""通讯地址簿: outside organisations (name, address, postcode, contact, phone).

One book shared by 发文 (主送 / 抄送 / 送文簿) and 快递寄件 (收件单位), and printed on envelopes.
"""

from __future__ import annotations

import re

from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger

POSTCODE_RE = re.compile(r"^\d{6}$")


ORG_FIELDS = Fields(
    "addresses",
    Field("name", "单位名称", required=True, max_len=100, index=True, width=22, sortable=True,
          aliases=("单位", "名称", "收件单位")),
    Field("address", "地址", max_len=200, width=30, aliases=("通讯地址", "详细地址"),
          placeholder="省市区、街道、门牌、楼层"),
    Field("postcode", "邮政编码", "code", max_len=6, width=8, aliases=("邮编",), pattern=r"\d{6}",
          pattern_message="邮政编码应为 6 位数字"),
    Field("contact", "联系人", max_len=40, width=8),
    Field("phone", "电话", "phone", max_len=40, width=14, aliases=("联系电话",)),
    Field("note", "备注", "multiline", width=16),
)


@ORG_FIELDS.table
class Organisation(VoidableModel):
    """An outside organisation of the address book (fields: :data:`ORG_FIELDS`)."""

    def __str__(self) -> str:
        return self.name


def _validate(data: dict, record: Organisation | None) -> dict:
    errors: dict[str, str] = {}
    out = ORG_FIELDS.clean(data, errors)
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
    fields=ORG_FIELDS,
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


def organisations_in_order(ids: list[int]) -> list[Organisation]:
    """The organisations with these ids, in the order given (a view's rows)."""
    by_id = {o.id: o for o in Organisation.select().where(Organisation.id.in_(ids))}
    return [by_id[i] for i in ids if i in by_id]


def find_organisation(name: str) -> Organisation | None:
    name = (name or "").strip()
    if not name:
        return None
    return (Organisation.select().where(Organisation.name == name, Organisation.voided == False)  # noqa: E712
            .first())
