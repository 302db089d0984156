"""印章 and 证照: the registries of the company's seals and licences (ordinary audited ledgers). No Qt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import validators
from neiqin.models.base import VoidableModel
from neiqin.models.deadlines import add_months, licence_warn_months
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.staff import resolve_person
from neiqin.models.validators import parse_moment

SEAL_KINDS = ["公章", "合同专用章", "财务专用章", "法人章", "发票专用章", "其他"]
SEAL_IN_USE, SEAL_LENT, SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED = "在用", "外借", "停用", "遗失", "销毁"
SEAL_STATUSES = [SEAL_IN_USE, SEAL_LENT, SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED]
LICENCE_COPIES = ["正本", "副本"]
LIC_IN_STORE, LIC_LENT, LIC_DISABLED = "在库", "外借", "停用"
LICENCE_STATUSES = [LIC_IN_STORE, LIC_LENT, LIC_DISABLED]
DOC_TYPES = ["合同/协议", "公文/函件", "证明/介绍信", "报表/报告", "财务票据", "授权委托书", "其他"]

# ---------------------------------------------------------------------------------------------- tables


SEAL_FIELDS = Fields(
    "seals",
    Field("name", "印章名称", required=True, max_len=60, index=True, width=16, sortable=True),
    Field("kind", "印章类型", "choice", choices=tuple(SEAL_KINDS), default=SEAL_KINDS[0], max_len=20, header="类型",
          width=10, sortable=True),
    Field("custodian", "保管人", "staff", required=True, stored=False, width=8, aliases=("保管", "保管员")),
    Field("supervisor", "监管人", "staff", stored=False, width=8),
    Field("enabled_on", "启用日期", "date", width=11, sortable=True),
    Field("status", "状态", "choice", choices=tuple(SEAL_STATUSES), default=SEAL_IN_USE, max_len=10, index=True,
          width=6, sortable=True),
    Field("approval_levels", "审批级数", "int", lo=1, hi=2, default=1, width=6, align="center"),
    Field("impression", "印模", stored=False, importable=False, in_form=False, width=5,
          value=lambda r: "有" if r.get("impression") else ""),
    Field("note", "备注", "multiline", width=20),
)


@SEAL_FIELDS.table
class Seal(VoidableModel):
    """A company seal; its fields are :data:`SEAL_FIELDS` (the custodian and supervisor are people of 通讯录,
    kept by name and id; the impression is a scan under the attachments folder)."""

    custodian_id = pw.IntegerField(null=True)
    custodian = pw.CharField(max_length=40, default="")
    supervisor = pw.CharField(max_length=40, default="")
    impression = pw.CharField(max_length=200, default="")  # path under datadir.attachments

    def __str__(self) -> str:
        return self.name


LICENCE_FIELDS = Fields(
    "licences",
    Field("name", "证照名称", required=True, max_len=60, index=True, width=16, sortable=True),
    Field("copy_kind", "正本/副本", "choice", choices=tuple(LICENCE_COPIES), default=LICENCE_COPIES[0], max_len=4,
          width=7, aliases=("正副本",)),
    Field("number", "证号", max_len=60, width=20, aliases=("证照编号", "编号")),
    Field("issuer", "发证机关", max_len=100, width=16),
    Field("valid_until", "有效期至", "date", index=True, width=16, sortable=True, aliases=("有效期",),
          placeholder="YYYY-MM-DD；长期有效请留空"),
    Field("inspection_date", "年检日期", "date", width=11, placeholder="YYYY-MM-DD，可不填"),
    Field("location", "存放位置", max_len=100, width=12),
    Field("status", "状态", "choice", choices=tuple(LICENCE_STATUSES), default=LIC_IN_STORE, max_len=10, index=True,
          width=6),
    Field("note", "备注", "multiline", width=16),
)


@LICENCE_FIELDS.table
class Licence(VoidableModel):
    """A licence (证照) of the company; its fields are :data:`LICENCE_FIELDS`."""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.copy_kind}）"


MODELS = [Seal, Licence]


# ---------------------------------------------------------------------------------------------- helpers


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value)


def _moment(value: Any, label: str, key: str, errors: dict, *, default: dt.datetime | None = None,
            required: bool = True) -> dt.datetime | None:
    return parse_moment(value, label, key, errors, default=default, required=required, time_of_day=dt.time(0, 0))


def _int(value: Any, label: str, key: str, errors: dict, lo: int, hi: int, default: int | None = None) -> int:
    return validators.parse_int(value, label, key, errors, lo, hi, default)


def _date(value: Any, label: str, key: str, errors: dict, required: bool = False) -> dt.date | None:
    return validators.parse_day(value, label, key, errors, required=required)


def _fmt(t: dt.datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if t else ""


# ---------------------------------------------------------------------------------------------- registries


def validate_seal(data: dict, record: Seal | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = SEAL_FIELDS.clean(data, errors, ("name", "kind", "enabled_on", "approval_levels", "note"))
    cid, cname, _ = _person(data.get("custodian_id") if data.get("custodian_id") else data.get("custodian"))
    if isinstance(data.get("custodian"), dict):
        cid, cname, _ = _person(data["custodian"])
    if not cname:
        errors["custodian"] = "请填写保管人"
    out["custodian_id"], out["custodian"] = cid, cname
    sup = data.get("supervisor")
    out["supervisor"] = _person(sup)[1] if isinstance(sup, dict) else str(sup or "").strip()
    status = (data.get("status") or SEAL_IN_USE).strip()
    if status not in SEAL_STATUSES:
        errors["status"] = f"状态应为：{'、'.join(SEAL_STATUSES)}"
    elif status == SEAL_LENT and (record is None or record.status != SEAL_LENT):
        errors["status"] = "“外借”状态由外借登记自动设置，请在“外借”中登记借出"
    elif record is not None and record.status == SEAL_LENT and status != SEAL_LENT:
        errors["status"] = "该印章正在外借，请先在“外借”中登记归还"
    out["status"] = status
    out["impression"] = str(data.get("impression") or (record.impression if record else "") or "")
    if errors:
        raise ValidationError(errors)
    return out


def validate_licence(data: dict, record: Licence | None) -> dict:
    errors: dict[str, str] = {}
    out = LICENCE_FIELDS.clean(data, errors, ("name", "copy_kind", "number", "issuer", "valid_until",
                                              "inspection_date", "location", "note"))
    status = (data.get("status") or LIC_IN_STORE).strip()
    if status not in LICENCE_STATUSES:
        errors["status"] = f"状态应为：{'、'.join(LICENCE_STATUSES)}"
    elif status == LIC_LENT and (record is None or record.status != LIC_LENT):
        errors["status"] = "“外借”状态由外借登记自动设置，请在“外借”中登记借出"
    elif record is not None and record.status == LIC_LENT and status != LIC_LENT:
        errors["status"] = "该证照正在外借，请先在“外借”中登记归还"
    out["status"] = status
    if errors:
        raise ValidationError(errors)
    return out


def _seal_status_condition(key: str):
    if key == "in_use":
        return Seal.status == SEAL_IN_USE
    if key == "lent":
        return Seal.status == SEAL_LENT
    return Seal.status.in_([SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED])


def _licence_status_condition(key: str):
    today = clock.today()
    if key == "lent":
        return Licence.status == LIC_LENT
    if key == "expired":
        return Licence.valid_until < today
    if key == "expiring":
        return (Licence.valid_until >= today) & (Licence.valid_until <= add_months(today, licence_warn_months()))
    return Licence.status == LIC_IN_STORE


def licence_state(row: dict, today: dt.date | None = None) -> str:
    """'expired', 'expiring' or '' for a licence row (dict or model)."""
    until = row.get("valid_until") if isinstance(row, dict) else row.valid_until
    if not until:
        return ""
    today = today or clock.today()
    if until < today:
        return "expired"
    if until <= add_months(today, licence_warn_months()):
        return "expiring"
    return ""


SEALS = register_ledger(LedgerSpec(
    key="seals",
    title="印章登记表",
    tab_title="印章",
    model=Seal,
    fields=SEAL_FIELDS,
    default_sort="name",
    default_desc=False,
    statuses=[("in_use", "在用"), ("lent", "外借"), ("disabled", "停用/遗失/销毁")],
    status_condition=_seal_status_condition,
    search=SearchIndex("seal"),
    search_parts=lambda s: ([s.name, s.kind, s.custodian, s.supervisor, s.status, s.note],
                            [s.name, s.kind, s.custodian, s.supervisor, s.status]),
    validate=validate_seal,
    describe=lambda s: f"印章 {s.name}",
))

LICENCES = register_ledger(LedgerSpec(
    key="licences",
    title="证照登记表",
    tab_title="证照",
    model=Licence,
    fields=LICENCE_FIELDS,
    default_sort="name",
    default_desc=False,
    statuses=[("in_store", "在库"), ("lent", "外借"), ("expiring", "即将到期"), ("expired", "已过期")],
    status_condition=_licence_status_condition,
    search=SearchIndex("licence"),
    search_parts=lambda x: ([x.name, x.copy_kind, x.number, x.issuer, x.location, x.note],
                            [x.name, x.copy_kind, x.number, x.issuer, x.location]),
    validate=validate_licence,
    describe=lambda x: f"证照 {x.label}",
))


def expiring_licences() -> list[Licence]:
    cond = _licence_status_condition("expiring") | _licence_status_condition("expired")
    return list(Licence.select().where(cond & (Licence.voided == False)).order_by(Licence.valid_until))  # noqa: E712


