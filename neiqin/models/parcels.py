"""快递: parcels and registered letters in (the scanner desk, pickup, return), parcels out (寄件), carrier rules.

Parcels in (``parcels``, :class:`Parcel`) are written through :func:`receive`, :func:`pick_up`,
:func:`return_parcel` and :func:`revert_pickup`; each is one audited change of the ledger. A scanned 运单号 is
normalised (full-width letters from a scanner typing into a Chinese input method, spaces, lower case) and its
carrier recognised by an ordered, editable rule table kept in the settings (``parcels.carrier_rules``): the first
rule that matches wins, and a number no rule knows is accepted as 其他 (editable). The same 运单号 twice raises
:class:`DuplicateParcel` unless the clerk confirms it (a shipment in several pieces arriving apart).

Parcels out (``dispatches``, :class:`Dispatch`) record sender, recipient organisation (from the address book,
:mod:`neiqin.models.addresses`), address, cost and the 发文 they carry; :func:`cost_report` sums costs per
department and month. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings, validators
from neiqin.models.addresses import ADDRESSES, POSTCODE_RE, Organisation
from neiqin.models.base import AuditLog, VoidableModel, db, now
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.staff import Staff, pinyin_keys, resolve_person
from neiqin.models.today import DUE, INFO, OVERDUE, TodayItem, section
from neiqin.models.validators import normalize_phone, parse_moment, validate_phone

WAITING, PICKED, RETURNED = "待领取", "已领取", "已退回"
PARCEL_STATUSES = [WAITING, PICKED, RETURNED]
OTHER = "其他"
PAY_MODES = ["月结", "寄付现结", "到付"]
TRACKING_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,39}$")
MAX_PIECES = 999
MAX_COST_FEN = 10_000_000  # 100,000 元: anything above is a typing slip

# ---------------------------------------------------------------------------------------------- carrier rules

PREFIX, REGEX = "prefix", "regex"
RULE_KINDS = {PREFIX: "开头是", REGEX: "正则表达式"}

# Ordered: the first rule that matches wins, so specific prefixes come before the all-digit patterns.
DEFAULT_RULES: list[dict[str, str]] = [
    {"kind": PREFIX, "pattern": "SF", "carrier": "顺丰速运", "example": "SF1428637290511"},
    {"kind": PREFIX, "pattern": "JD", "carrier": "京东物流", "example": "JDVA20583716425"},
    {"kind": PREFIX, "pattern": "YT", "carrier": "圆通速递", "example": "YT7386104529318"},
    {"kind": PREFIX, "pattern": "JT", "carrier": "极兔速递", "example": "JT5308216649703"},
    {"kind": PREFIX, "pattern": "DPK", "carrier": "德邦快递", "example": "DPK360128457903"},
    {"kind": REGEX, "pattern": r"E[A-Z]\d{9}CN", "carrier": "EMS", "example": "EA123456785CN"},
    {"kind": REGEX, "pattern": r"R[A-Z]\d{9}CN", "carrier": "邮政挂号", "example": "RR473829105CN"},
    {"kind": REGEX, "pattern": r"XA\d{11}", "carrier": "邮政挂号", "example": "XA40371122563"},
    {"kind": REGEX, "pattern": r"1\d{12}", "carrier": "EMS", "example": "1104729836501"},
    {"kind": REGEX, "pattern": r"9\d{12}", "carrier": "邮政快递包裹", "example": "9853416207718"},
    {"kind": REGEX, "pattern": r"7[3-9]\d{12}", "carrier": "中通快递", "example": "75312846093127"},
    {"kind": REGEX, "pattern": r"77\d{13}", "carrier": "申通快递", "example": "773028516470239"},
    {"kind": REGEX, "pattern": r"(31|43|46)\d{11}", "carrier": "韵达快递", "example": "4312087654321"},
]

settings.register({
    "parcels.overdue_days": 3,
    "parcels.carrier_rules": DEFAULT_RULES,
    "parcels.sender_name": "",
    "parcels.sender_address": "",
    "parcels.sender_postcode": "",
    "parcels.sender_phone": "",
    "parcels.envelope_size": "DL",
    "parcels.envelope_frames": True,
    "parcels.envelope_printer": "",
}, {
    "parcels.overdue_days": "快递滞留提醒（待领取超过多少天）",
    "parcels.carrier_rules": "快递公司识别规则",
    "parcels.sender_name": "信封寄件单位",
    "parcels.sender_address": "信封寄件地址",
    "parcels.sender_postcode": "信封寄件邮编",
    "parcels.sender_phone": "信封寄件电话",
    "parcels.envelope_size": "默认信封规格",
    "parcels.envelope_frames": "信封打印邮编框和贴邮票处",
    "parcels.envelope_printer": "信封打印机",
})


@dataclass(frozen=True)
class CarrierRule:
    kind: str
    pattern: str
    carrier: str
    example: str = ""

    def matches(self, number: str) -> bool:
        if self.kind == PREFIX:
            return number.startswith(self.pattern)
        return _compiled(self.pattern).fullmatch(number) is not None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "pattern": self.pattern, "carrier": self.carrier, "example": self.example}


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def check_rules(rules: Sequence[dict | CarrierRule]) -> list[CarrierRule]:
    """Clean rules, or ValidationError with keys ``field:row`` (row 0-based) and Chinese messages."""
    errors: dict[str, str] = {}
    out: list[CarrierRule] = []
    for i, r in enumerate(rules):
        d = r.as_dict() if isinstance(r, CarrierRule) else dict(r)
        kind = (d.get("kind") or PREFIX).strip()
        pattern = str(d.get("pattern") or "").strip()
        carrier = str(d.get("carrier") or "").strip()
        example = normalize_tracking(str(d.get("example") or ""))
        n = i + 1
        if kind not in RULE_KINDS:
            errors[f"kind:{i}"] = f"第 {n} 条：匹配方式应为“开头是”或“正则表达式”"
        if not pattern:
            errors[f"pattern:{i}"] = f"第 {n} 条：请填写规则"
        elif kind == PREFIX:
            pattern = normalize_tracking(pattern)
            if not re.fullmatch(r"[A-Z0-9-]{1,20}", pattern):
                errors[f"pattern:{i}"] = f"第 {n} 条：开头只能是字母、数字（最多 20 个）"
        elif kind == REGEX:
            if len(pattern) > 200:
                errors[f"pattern:{i}"] = f"第 {n} 条：正则表达式不能超过 200 个字符"
            else:
                try:
                    _compiled(pattern)
                except re.error as e:
                    errors[f"pattern:{i}"] = f"第 {n} 条：正则表达式有误（{e.msg}）"
        if not carrier:
            errors[f"carrier:{i}"] = f"第 {n} 条：请填写快递公司"
        elif len(carrier) > 20:
            errors[f"carrier:{i}"] = f"第 {n} 条：快递公司名称不能超过 20 字"
        rule = CarrierRule(kind, pattern, carrier, example)
        if example and f"pattern:{i}" not in errors and f"kind:{i}" not in errors and not rule.matches(example):
            errors[f"example:{i}"] = f"第 {n} 条：示例单号 {example} 与本条规则不符"
        out.append(rule)
    if errors:
        raise ValidationError(errors)
    return out


def carrier_rules() -> list[CarrierRule]:
    """The rule table in force (the shipped defaults until the clerk edits it)."""
    raw = settings.get("parcels.carrier_rules") or []
    return _rules_from(tuple(tuple(sorted(d.items())) for d in raw if isinstance(d, dict)))


@lru_cache(maxsize=8)
def _rules_from(raw: tuple) -> list[CarrierRule]:
    try:
        return check_rules([dict(items) for items in raw])
    except ValidationError:  # a broken saved table must not stop the desk: skip the bad rules
        good = []
        for items in raw:
            try:
                good.extend(check_rules([dict(items)]))
            except ValidationError:
                continue
        return good


def save_carrier_rules(rules: Sequence[dict | CarrierRule]) -> list[CarrierRule]:
    clean = check_rules(rules)
    settings.set_value("parcels.carrier_rules", [r.as_dict() for r in clean])
    return clean


def reset_carrier_rules() -> list[CarrierRule]:
    return save_carrier_rules(DEFAULT_RULES)


def recognise(number: str, rules: Sequence[CarrierRule] | None = None) -> str:
    """The carrier of a 运单号 by the first matching rule, or 其他."""
    n = normalize_tracking(number)
    if not n:
        return ""
    for rule in carrier_rules() if rules is None else rules:
        if rule.matches(n):
            return rule.carrier
    return OTHER


def carrier_names() -> list[str]:
    """Carriers for the combo boxes: those of the rule table in order, then 其他."""
    names: list[str] = []
    for r in carrier_rules():
        if r.carrier not in names:
            names.append(r.carrier)
    return [*names, OTHER] if OTHER not in names else names


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20


def normalize_tracking(text: Any) -> str:
    """A 运单号 as stored: full-width to ASCII, no spaces or control characters, upper case."""
    s = str(text or "").translate(_FULL_WIDTH)
    s = "".join(ch for ch in s if not ch.isspace() and ord(ch) >= 32)
    return s.upper()


def check_tracking(number: str, key: str, errors: dict, *, required: bool) -> str:
    n = normalize_tracking(number)
    if not n:
        if required:
            errors.setdefault(key, "请扫描或输入运单号")
        return ""
    if not TRACKING_RE.match(n):
        if re.search(r"[^\x00-\x7f]", n):
            errors.setdefault(key, "运单号只能由字母、数字和“-”组成（扫描时请把输入法切换为英文）")
        elif len(n) < 5:
            errors.setdefault(key, f"运单号太短（{len(n)} 位），请重新扫描")
        elif len(n) > 40:
            errors.setdefault(key, f"运单号太长（{len(n)} 位），请检查是否连续扫了两次")
        else:
            errors.setdefault(key, "运单号只能由字母、数字和“-”组成")
    return n


# ---------------------------------------------------------------------------------------------- tables


class Parcel(VoidableModel):
    """快递收件: one parcel or registered letter that arrived at the desk."""

    received_at = pw.DateTimeField()
    receive_date = pw.DateField(index=True)
    tracking_no = pw.CharField(max_length=40, default="", index=True)
    carrier = pw.CharField(max_length=20, default="")
    sender = pw.CharField(max_length=100, default="")  # 寄件人/单位
    recipient_id = pw.IntegerField(null=True)
    recipient = pw.CharField(max_length=40)
    department = pw.CharField(max_length=60, default="")
    pieces = pw.IntegerField(default=1)
    shelf = pw.CharField(max_length=20, default="")  # 货架位
    status = pw.CharField(max_length=6, default=WAITING)
    picked_by = pw.CharField(max_length=40, default="")  # 领取人 (may be a colleague: 代领)
    picked_at = pw.DateTimeField(null=True)
    returned_at = pw.DateTimeField(null=True)
    return_reason = pw.CharField(max_length=200, default="")
    incoming_no = pw.CharField(max_length=40, default="")  # the 收文 it was registered as
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("received_at",), False), (("status", "received_at"), False),
                   (("recipient_id", "status"), False))

    def __str__(self) -> str:
        return f"{self.tracking_no or '无单号'}（{self.recipient}）"


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


MODELS = [Parcel, Dispatch]


# ---------------------------------------------------------------------------------------------- helpers


def yuan(fen: int | None) -> str:
    return f"{(fen or 0) / 100:.2f}"


def parse_cost(value: Any, key: str, errors: dict) -> int:
    """Fen from "12", "12.5", "¥12.50", 12.5 or a Decimal; an error at ``key`` otherwise."""
    if value in (None, ""):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        d = Decimal(value)
    else:
        text = str(value).strip().replace("¥", "").replace("￥", "").replace("元", "").replace(",", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            errors.setdefault(key, "费用应为金额，例如 12 或 12.50")
            return 0
    if d < 0:
        errors.setdefault(key, "费用不能为负数")
        return 0
    if d != d.quantize(Decimal("0.01")):
        errors.setdefault(key, "费用最多两位小数（分）")
        return 0
    fen = int(d * 100)
    if fen > MAX_COST_FEN:
        errors.setdefault(key, f"费用不能超过 {MAX_COST_FEN // 100} 元")
    return fen


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value, link_name=True)


def _moment(value: Any, label: str, key: str, errors: dict, default: dt.datetime | None) -> dt.datetime | None:
    return parse_moment(value, label, key, errors, default=default)


def _date(value: Any, label: str, key: str, errors: dict, default: dt.date | None) -> dt.date | None:
    return validators.parse_day(value, label, key, errors, required=True, default=default)


def _int(value: Any, label: str, key: str, errors: dict, lo: int, hi: int, default: int) -> int:
    return validators.parse_int(value, label, key, errors, lo, hi, default, between=True)


@lru_cache(maxsize=20000)
def _name_keys(name: str) -> tuple[str, str]:
    return pinyin_keys(name) if name else ("", "")


def overdue_days() -> int:
    try:
        return max(1, int(settings.get("parcels.overdue_days") or 3))
    except (TypeError, ValueError):
        return 3


def overdue_cutoff(moment: dt.datetime | None = None) -> dt.datetime:
    """Parcels received before this moment and still waiting are overdue (滞留)."""
    day = (moment or now()).date()
    return dt.datetime.combine(day - dt.timedelta(days=overdue_days()), dt.time(0, 0))


def waiting_days(received_at: dt.datetime, today: dt.date | None = None) -> int:
    return ((today or clock.today()) - received_at.date()).days


def is_overdue(row: dict | Parcel, moment: dt.datetime | None = None, *, cutoff: dt.datetime | None = None) -> bool:
    """``cutoff`` (from :func:`overdue_cutoff`) saves the settings read when colouring many rows."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    if get("status") != WAITING or get("voided") or get("received_at") is None:
        return False
    return get("received_at") < (cutoff or overdue_cutoff(moment))


# ---------------------------------------------------------------------------------------------- 快递收件 ledger


def validate_parcel(data: dict, record: Parcel | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["tracking_no"] = check_tracking(data.get("tracking_no"), "tracking_no", errors, required=False)
    carrier = text_field(data, errors, "carrier", "快递公司", max_len=20)
    out["carrier"] = carrier or recognise(out["tracking_no"]) or OTHER
    out["sender"] = text_field(data, errors, "sender", "寄件人/单位", max_len=100)
    who = data.get("recipient")
    if data.get("recipient_id") and not isinstance(who, dict | Staff):
        who = {"id": data.get("recipient_id"), "name": who or ""}
    rid, rname, rdept = _person(who)
    if not rname:
        errors.setdefault("recipient", "请填写收件人（可输入姓名或拼音首字母从通讯录选择）")
    elif len(rname) > 40:
        errors.setdefault("recipient", "收件人不能超过 40 字")
    out["recipient_id"], out["recipient"] = rid, rname
    dept = text_field(data, errors, "department", "部门", max_len=60)
    out["department"] = dept or rdept
    out["pieces"] = _int(data.get("pieces"), "件数", "pieces", errors, 1, MAX_PIECES, 1)
    out["shelf"] = text_field(data, errors, "shelf", "货架位", max_len=20).upper()
    out["note"] = text_field(data, errors, "note", "备注", max_len=500)
    received = _moment(data.get("received_at"), "收件时间", "received_at", errors,
                       record.received_at if record else now())
    out["received_at"] = received
    out["receive_date"] = received.date() if received else None
    status = str(data.get("status") or (record.status if record else WAITING)).strip()
    if status not in PARCEL_STATUSES:
        errors["status"] = f"状态应为：{'、'.join(PARCEL_STATUSES)}"
    out["status"] = status
    if status == PICKED:
        _, pname, _ = _person(data.get("picked_by"))
        if not pname:
            errors.setdefault("picked_by", "已领取的快递请填写领取人")
        out["picked_by"] = pname
        picked = _moment(data.get("picked_at"), "领取时间", "picked_at", errors, received)
        if picked and received and picked < received:
            errors.setdefault("picked_at", f"领取时间不能早于收件时间（{received:%Y-%m-%d %H:%M}）")
        out["picked_at"] = picked
    elif status == RETURNED:
        out["return_reason"] = text_field(data, errors, "return_reason", "退回原因", max_len=200)
        out["returned_at"] = _moment(data.get("returned_at"), "退回时间", "returned_at", errors, received)
    else:
        out["picked_by"], out["picked_at"] = "", None
    if errors:
        raise ValidationError(errors)
    return out


def _parcel_search_parts(p: Parcel) -> tuple[list[str], list[str]]:
    full, initials = _name_keys(p.recipient)
    short = [p.tracking_no, p.carrier, p.sender, p.recipient, p.department, p.shelf, p.picked_by, initials,
             p.incoming_no]
    return short + [p.note, p.return_reason, full], short


def _parcel_status_condition(key: str):
    if key == "waiting":
        return Parcel.status == WAITING
    if key == "overdue":
        return (Parcel.status == WAITING) & (Parcel.received_at < overdue_cutoff())
    if key == "today":
        return Parcel.receive_date == clock.today()
    if key == "picked":
        return Parcel.status == PICKED
    return Parcel.status == RETURNED


def _import_parcel(data: dict) -> dict:
    """Imported rows are history: 已领取 when a 领取人 is given, otherwise 待领取."""
    data = dict(data)
    data["picked_by"] = str(data.get("picked_by") or "").removesuffix("（代领）").strip()
    if data["picked_by"]:
        data["status"] = PICKED
    elif str(data.get("status") or "") not in PARCEL_STATUSES:
        data["status"] = WAITING
    return data


def _waited(row: dict) -> str:
    if row.get("status") != WAITING or row.get("voided") or not row.get("received_at"):
        return ""
    days = waiting_days(row["received_at"])
    return "今天" if days == 0 else f"{days} 天"


def _picked_text(row: dict) -> str:
    who = row.get("picked_by") or ""
    if who and row.get("recipient") and who != row["recipient"]:
        return f"{who}（代领）"
    return who


PARCELS = register_ledger(LedgerSpec(
    key="parcels",
    title="快递收件登记簿",
    tab_title="快递收件",
    model=Parcel,
    columns=[
        Column("received_at", "收件时间", 14, kind="datetime", sortable=True, aliases=("收件日期", "日期")),
        Column("tracking_no", "运单号", 17, aliases=("快递单号", "单号")),
        Column("carrier", "快递公司", 9, aliases=("快递", "承运商")),
        Column("sender", "寄件人/单位", 16, aliases=("寄件人", "寄件单位")),
        Column("recipient", "收件人", 7, sortable=True),
        Column("department", "部门", 9, aliases=("收件部门",)),
        Column("pieces", "件数", 4, kind="int", align="center"),
        Column("shelf", "货架位", 6, aliases=("货架",)),
        Column("status", "状态", 6, importable=False),
        Column("waited", "已等", 5, importable=False, value=_waited),
        Column("picked_by", "领取人", 10, value=_picked_text),
        Column("picked_at", "领取时间", 14, kind="datetime"),
        Column("note", "备注", 14),
    ],
    default_sort="received_at",
    date_field="receive_date",
    date_label="收件日期",
    statuses=[("waiting", "待领取"), ("overdue", "滞留未领"), ("today", "今日收件"), ("picked", "已领取"),
              ("returned", "已退回")],
    status_condition=_parcel_status_condition,
    search=SearchIndex("parcel"),
    search_parts=_parcel_search_parts,
    validate=validate_parcel,
    history_fields=("sender",),
    describe=lambda p: f"快递 {p.tracking_no or '（无单号）'}（{p.recipient}）",
    import_row=_import_parcel,
))


# ---------------------------------------------------------------------------------------------- 快递收件 actions


class DuplicateParcel(NeiqinError):
    """The 运单号 is already registered: the desk asks the clerk (pick up? one more piece? cancel?)."""

    def __init__(self, number: str, earlier: list[Parcel]):
        self.number = number
        self.earlier = earlier
        first = earlier[0]
        state = first.status + (f"，货架 {first.shelf}" if first.shelf and first.status == WAITING else "")
        more = f"等 {len(earlier)} 条" if len(earlier) > 1 else ""
        super().__init__(f"运单号 {number} 已于 {first.received_at:%Y-%m-%d %H:%M} 登记过{more}"
                         f"（收件人 {first.recipient}，{state}）")


def find_duplicates(number: str, exclude_id: int | None = None) -> list[Parcel]:
    n = normalize_tracking(number)
    if not n:
        return []
    q = Parcel.select().where((Parcel.tracking_no == n) & (Parcel.voided == False))  # noqa: E712
    if exclude_id:
        q = q.where(Parcel.id != exclude_id)
    return list(q.order_by(Parcel.id.desc()).limit(20))


def receive(data: dict, *, confirm_duplicate: bool = False) -> Parcel:
    """Register a parcel that arrived now (the scanner desk and the manual form both land here)."""
    data = dict(data)
    data["status"] = WAITING
    for k in ("picked_by", "picked_at", "returned_at", "return_reason"):
        data.pop(k, None)
    number = normalize_tracking(data.get("tracking_no"))
    earlier = find_duplicates(number) if number else []
    if earlier and not confirm_duplicate:
        PARCELS.clean(data)  # bad input is reported at its field first
        raise DuplicateParcel(number, earlier)
    summary = f"收件 {number or '（无单号）'}"
    if earlier:
        summary += f"（同一运单号第 {len(earlier) + 1} 次登记，前台确认）"
    return PARCELS.create(data, action="receive", summary=summary)


def suggest_shelf(recipient_id: int | None, recipient: str = "") -> str:
    """Where this person's parcels already wait (keep them together), else ""."""
    q = Parcel.select(Parcel.shelf).where((Parcel.status == WAITING) & (Parcel.voided == False)  # noqa: E712
                                          & (Parcel.shelf != ""))
    if recipient_id:
        q = q.where(Parcel.recipient_id == recipient_id)
    elif recipient:
        q = q.where(Parcel.recipient == recipient)
    else:
        return ""
    row = q.order_by(Parcel.id.desc()).first()
    return row.shelf if row else ""


def waiting_for(recipient_id: int | None = None, recipient: str = "") -> list[Parcel]:
    """A person's parcels waiting at the desk, oldest first."""
    q = Parcel.select().where((Parcel.status == WAITING) & (Parcel.voided == False))  # noqa: E712
    if recipient_id:
        q = q.where(Parcel.recipient_id == recipient_id)
    else:
        q = q.where(Parcel.recipient == recipient.strip())
    return list(q.order_by(Parcel.received_at, Parcel.id))


def pick_up(parcels: Parcel | Sequence[Parcel], picked_by: Any = None, *, at: dt.datetime | None = None,
            note: str = "") -> list[Parcel]:
    """Hand parcels over. ``picked_by`` defaults to each recipient; anyone else is recorded as 代领."""
    items = [parcels] if isinstance(parcels, Parcel) else list(parcels)
    if not items:
        raise NeiqinError("没有选择要领取的快递")
    errors: dict[str, str] = {}
    moment = _moment(at, "领取时间", "picked_at", errors, now())
    _, who, _ = _person(picked_by) if picked_by not in (None, "", {}) else (None, "", "")
    if picked_by not in (None, "", {}) and not who:
        errors["picked_by"] = "请填写领取人"
    if len(who) > 40:
        errors["picked_by"] = "领取人不能超过 40 字"
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = "备注不能超过 200 字"
    for p in items:
        if p.voided:
            raise NeiqinError(f"{PARCELS.describe(p)} 已作废，不能领取")
        if p.status != WAITING:
            raise NeiqinError(f"{PARCELS.describe(p)} 当前为“{p.status}”，不是待领取")
        if moment and moment < p.received_at:
            errors.setdefault("picked_at", f"领取时间不能早于收件时间（{p.received_at:%Y-%m-%d %H:%M}）")
    if errors:
        raise ValidationError(errors)
    done = []
    with db.atomic():
        for p in items:
            taker = who or p.recipient
            proxy = taker != p.recipient
            change = {"status": PICKED, "picked_by": taker, "picked_at": moment}
            if note or proxy:
                extra = "；".join(x for x in (f"{taker} 代 {p.recipient} 领取" if proxy else "", note) if x)
                change["note"] = f"{p.note}；{extra}" if p.note else extra
            summary = f"领取 {p.tracking_no or '（无单号）'}：{taker}" + ("（代领）" if proxy else "")
            done.append(PARCELS.update(p, change, action="pickup", summary=summary, validate=False))
    return done


def return_parcel(parcel: Parcel, reason: str, *, at: dt.datetime | None = None) -> Parcel:
    """已退回: refused or sent back to the carrier, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写退回原因", "reason")
    if len(reason) > 200:
        raise ValidationError("退回原因不能超过 200 字", "reason")
    if parcel.voided:
        raise NeiqinError("该记录已作废")
    if parcel.status != WAITING:
        raise NeiqinError(f"{PARCELS.describe(parcel)} 当前为“{parcel.status}”，只有待领取的快递可以退回")
    errors: dict[str, str] = {}
    moment = _moment(at, "退回时间", "returned_at", errors, now())
    if errors:
        raise ValidationError(errors)
    return PARCELS.update(parcel, {"status": RETURNED, "returned_at": moment, "return_reason": reason},
                          action="return", summary=f"退回 {parcel.tracking_no}：{reason}", validate=False)


def revert_pickup(parcel: Parcel, reason: str) -> Parcel:
    """A pickup or return recorded by mistake goes back to 待领取; the audit log keeps both steps."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写撤销原因", "reason")
    if parcel.voided:
        raise NeiqinError("该记录已作废")
    if parcel.status == WAITING:
        raise NeiqinError("该快递本来就是待领取")
    return PARCELS.update(parcel, {"status": WAITING, "picked_by": "", "picked_at": None, "returned_at": None,
                                   "return_reason": ""}, action="revert",
                          summary=f"撤销{parcel.status} {parcel.tracking_no}：{reason}", validate=False)


@dataclass
class WaitingGroup:
    recipient: str
    department: str
    recipient_id: int | None
    parcels: list[Parcel] = field(default_factory=list)

    @property
    def oldest(self) -> dt.datetime:
        return self.parcels[0].received_at

    @property
    def pieces(self) -> int:
        return sum(p.pieces for p in self.parcels)

    @property
    def shelves(self) -> str:
        seen: list[str] = []
        for p in self.parcels:
            if p.shelf and p.shelf not in seen:
                seen.append(p.shelf)
        return "、".join(seen)


def waiting_groups(recipient_ids: Sequence[int] | None = None, parcel_ids: Sequence[int] | None = None,
                   received_on: dt.date | None = None) -> list[WaitingGroup]:
    """Waiting parcels grouped by recipient, the longest-waiting person first."""
    q = Parcel.select().where((Parcel.status == WAITING) & (Parcel.voided == False))  # noqa: E712
    if recipient_ids is not None:
        q = q.where(Parcel.recipient_id.in_(list(recipient_ids)))
    if parcel_ids is not None:
        q = q.where(Parcel.id.in_(list(parcel_ids)))
    if received_on is not None:
        q = q.where(Parcel.receive_date == received_on)
    groups: dict[tuple, WaitingGroup] = {}
    for p in q.order_by(Parcel.received_at, Parcel.id):
        key = (p.recipient_id, p.recipient if p.recipient_id is None else "")
        g = groups.get(key)
        if g is None:
            g = groups[key] = WaitingGroup(p.recipient, p.department, p.recipient_id)
        g.parcels.append(p)
    return list(groups.values())


def waiting_count() -> tuple[int, int]:
    """(parcels waiting, of which overdue)."""
    live = (Parcel.status == WAITING) & (Parcel.voided == False)  # noqa: E712
    n = Parcel.select().where(live).count()
    late = Parcel.select().where(live & (Parcel.received_at < overdue_cutoff())).count() if n else 0
    return n, late


# ---------------------------------------------------------------------------------------------- 收文 link


def _documents(name: str) -> Callable | None:
    """A function of the 收发文 module (built in parallel), or None while it does not exist."""
    from neiqin.models import documents

    fn = getattr(documents, name, None)
    return fn if callable(fn) else None


def _doc_no(rec: Any) -> str:
    for attr in ("no", "doc_no", "number", "receive_no", "incoming_no", "serial_text"):
        v = getattr(rec, attr, None)
        if isinstance(v, str) and v:
            return v
    return f"#{getattr(rec, 'id', '')}"


def linked_incoming(parcel: Parcel) -> Any:
    """The (first live) 收文 registered from this parcel, if the documents ledger knows one."""
    fn = _documents("incoming_for_parcel")
    found = fn(parcel.id) if fn is not None else None
    if isinstance(found, list | tuple):
        live = [d for d in found if not getattr(d, "voided", False)]
        return live[0] if live else None
    return found


def link_text(parcel: Parcel) -> str:
    """“已登记收文 收〔2026〕3号” for the parcel's detail line, or ""."""
    rec = None
    try:
        rec = linked_incoming(parcel)
    except Exception:  # noqa: BLE001 - a half-built documents ledger must not break the parcel view
        rec = None
    no = _doc_no(rec) if rec is not None else parcel.incoming_no
    return f"已登记收文 {no}" if no else ""


def register_as_incoming(parcel: Parcel, data: dict | None = None) -> Any:
    """Create the 收文 for a parcel that turned out to hold a document, and keep the link on both sides."""
    if parcel.voided:
        raise NeiqinError("该快递记录已作废")
    existing = linked_incoming(parcel)
    if existing is not None or parcel.incoming_no:
        raise NeiqinError(f"该快递已登记为收文 {_doc_no(existing) if existing else parcel.incoming_no}")
    create = _documents("create_incoming_from_parcel")
    if create is None:
        raise NeiqinError("收文登记尚不可用（收发文台账未安装）")
    rec = create(parcel, dict(data or {}))
    note_link(parcel, rec)
    return rec


def note_link(parcel: Parcel, incoming: Any) -> Parcel:
    """Record on the parcel the 收文 made from it (the 收文 form may have been saved by the documents tab)."""
    no = _doc_no(incoming)
    if parcel.incoming_no == no:
        return parcel
    return PARCELS.update(parcel, {"incoming_no": no}, action="link", summary=f"登记为收文 {no}", validate=False)


def incoming_prefill(parcel: Parcel) -> dict:
    """Values a 收文 form can start from."""
    return {"parcel_id": parcel.id, "received_at": parcel.received_at, "sender": parcel.sender,
            "source_org": parcel.sender, "tracking_no": parcel.tracking_no, "carrier": parcel.carrier,
            "recipient": parcel.recipient, "note": f"由快递 {parcel.tracking_no}（{parcel.carrier}）转登记"}


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


def find_outgoing(number: str) -> Any:
    """The 发文 with this 发文字号 (normalised to 〔年份〕), or None (also while the documents ledger is absent)."""
    from neiqin.models import documents

    model = getattr(documents, "OutgoingDoc", None)
    number = (number or "").strip()
    if model is None or not number or not hasattr(model, "doc_no"):
        return None
    norm = getattr(documents, "normalize_doc_no", None)
    number = norm(number) if callable(norm) else number
    return model.get_or_none((model.doc_no == number) & (model.voided == False))  # noqa: E712


def _link_outgoing(data: dict) -> dict:
    """Resolve a typed 随寄发文 字号 to the 发文 record; an unknown number is an error at the field."""
    data = dict(data)
    no = str(data.get("outgoing_no") or "").strip()
    if no and not data.get("outgoing_id"):
        from neiqin.models import documents

        if hasattr(documents, "OutgoingDoc"):
            doc = find_outgoing(no)
            if doc is None:
                raise ValidationError({"outgoing_no": f"找不到发文字号为“{no}”的发文（例如 公司函〔2026〕7号）"})
            data["outgoing_id"], data["outgoing_no"] = doc.id, doc.doc_no
    elif not no:
        data["outgoing_id"] = None
    return data


def _tell_documents(d: Dispatch, before: int | None = None) -> None:
    """Keep the 发文 side of the link (OutgoingDoc.dispatch_id) in step with the dispatch."""
    link = _documents("link_dispatch")
    if link is None:
        return
    from neiqin.models import documents

    model = documents.OutgoingDoc
    if before and before != d.outgoing_id:
        old = model.get_or_none(model.id == before)
        if old is not None and old.dispatch_id == d.id and not old.voided:
            link(old, None)
    if d.outgoing_id:
        doc = model.get_or_none(model.id == d.outgoing_id)
        if doc is not None and doc.dispatch_id != d.id and not doc.voided:
            link(doc, d.id)


def record_dispatch(data: dict) -> Dispatch:
    """Register a parcel or letter sent out (the form, the 发文 送文簿 and imports land here)."""
    data = _link_outgoing(data)
    with db.atomic():
        d = DISPATCHES.create(data, summary=f"寄件 {normalize_tracking(data.get('tracking_no')) or '（无单号）'}")
        _tell_documents(d)
    return d


def edit_dispatch(d: Dispatch, data: dict) -> Dispatch:
    before = d.outgoing_id
    data = _link_outgoing({**data, "outgoing_id": None} if "outgoing_no" in data else data)
    with db.atomic():
        d = DISPATCHES.update(d, data)
        _tell_documents(d, before)
    return d


def outgoing_link_text(d: Dispatch) -> str:
    """“随寄发文 公司函〔2026〕7号” for the dispatch's detail line, or ""."""
    return f"随寄发文 {d.outgoing_no}" if d.outgoing_no else ""


def address_values(org: Organisation | str | None) -> dict:
    """收件单位 chosen from the address book: the fields it fills in a 寄件 form."""
    if isinstance(org, str):
        from neiqin.models.addresses import find_organisation

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


def dispatches_for_outgoing(outgoing_id: int) -> list[Dispatch]:
    """The parcels and letters that carried a 发文 (the 发文 record shows them)."""
    return list(Dispatch.select().where((Dispatch.outgoing_id == outgoing_id) & (Dispatch.voided == False))  # noqa: E712
                .order_by(Dispatch.send_date, Dispatch.id))


def dispatch_for_outgoing(outgoing: Any, org: Organisation | str | None = None, **data: Any) -> dict:
    """Form values for sending a 发文 to one recipient organisation (for the 发文 送文簿)."""
    values = address_values(org)
    no = _doc_no(outgoing) if outgoing is not None else ""
    values.update({"outgoing_id": getattr(outgoing, "id", None), "outgoing_no": no,
                   "contents": f"公文 {no}".strip(), **data})
    return values


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


# ---------------------------------------------------------------------------------------------- 今日


@section("parcels", "待领取快递", 30, ledger="parcels")
def _today_parcels(day: dt.date) -> list[TodayItem]:
    """One line per person with parcels waiting, the longest wait first."""
    limit = overdue_days()
    items = []
    for g in waiting_groups():
        days = (day - g.oldest.date()).days
        level = OVERDUE if days > limit else (DUE if days >= 1 else INFO)
        wait = "今天到" if days <= 0 else f"已等 {days} 天"
        shelf = f"，货架 {g.shelves}" if g.shelves else ""
        dept = f"（{g.department}）" if g.department else ""
        items.append(TodayItem(f"{g.recipient}{dept} {len(g.parcels)} 件待领取，最早 {g.oldest:%m-%d}，{wait}{shelf}",
                               "parcels", g.parcels[0].id, level, g.oldest, g.recipient))
    return items


# ---------------------------------------------------------------------------------------------- demo data

DEMO_SENDERS = ["京东商城", "天猫超市", "国家税务总局北京市税务局", "中国工商银行北京分行", "北京市社会保险基金管理中心",
                "顺丰同城", "某某律师事务所", "中国电信北京分公司", "当当网", "得力办公用品旗舰店", "华夏银行信用卡中心",
                "北京市朝阳区人民法院", "中国建筑科学研究院", "某某会计师事务所", "上海某某印务有限公司"]
DEMO_SHELVES = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "地面"]
DEMO_CONTENTS = ["合同", "发票", "公函", "投标文件", "样品", "资料", "证书原件", "对账单", "会议材料"]
_NUMBER_MAKERS: list[Callable[[random.Random], tuple[str, str]]] = [
    lambda r: (f"SF{r.randrange(10**12, 10**13)}", "顺丰速运"),
    lambda r: (f"SF{r.randrange(10**12, 10**13)}", "顺丰速运"),
    lambda r: (f"JDVA{r.randrange(10**10, 10**11)}", "京东物流"),
    lambda r: (f"YT{r.randrange(10**12, 10**13)}", "圆通速递"),
    lambda r: (f"7{r.choice('3568')}{r.randrange(10**11, 10**12)}", "中通快递"),
    lambda r: (f"43{r.randrange(10**10, 10**11)}", "韵达快递"),
    lambda r: (f"77{r.randrange(10**12, 10**13)}", "申通快递"),
    lambda r: (f"JT{r.randrange(10**12, 10**13)}", "极兔速递"),
    lambda r: (f"1{r.randrange(10**11, 10**12)}", "EMS"),
    lambda r: (f"R{r.choice('RBE')}{r.randrange(10**8, 10**9)}CN", "邮政挂号"),
    lambda r: (f"DPK{r.randrange(10**11, 10**12)}", "德邦快递"),
]

DEMO_ORGS = [
    ("北京市朝阳区人民政府办公室", "北京市朝阳区日坛北路33号", "100020", "王主任", "010-65094000"),
    ("北京市住房和城乡建设委员会", "北京市通州区达济街9号院", "101160", "刘科长", "010-55597000"),
    ("北京市市场监督管理局", "北京市通州区留庄路6号院", "101100", "陈处长", "010-82690000"),
    ("国家税务总局北京市朝阳区税务局", "北京市朝阳区工体东路6号", "100020", "赵科员", "010-65012345"),
    ("北京市规划和自然资源委员会", "北京市通州区承安路1号院", "101160", "孙工", "010-55590000"),
    ("中国建设银行北京朝阳支行", "北京市朝阳区朝阳门北大街8号", "100027", "李经理", "010-65543210"),
    ("中国工商银行北京分行营业部", "北京市西城区复兴门南大街2号", "100031", "周经理", "010-66106114"),
    ("北京市朝阳区人民法院", "北京市朝阳区西大望路18号", "100022", "立案庭", "010-87710000"),
    ("北京仲裁委员会", "北京市朝阳区建国门外大街甲12号新华保险大厦16层", "100022", "秘书处", "010-65669856"),
    ("中国建筑科学研究院有限公司", "北京市北三环东路30号", "100013", "吴工", "010-64517711"),
    ("上海城建设计研究总院有限公司", "上海市徐汇区东安路15号", "200032", "郑经理", "021-64030000"),
    ("上海市住房和城乡建设管理委员会", "上海市黄浦区大沽路100号", "200003", "办公室", "021-23111111"),
    ("广州市城市建设投资集团有限公司", "广州市越秀区中山四路228号", "510030", "冯主任", "020-83330000"),
    ("深圳市建筑工务署", "深圳市福田区深南大道6011号", "518040", "黄科长", "0755-82170000"),
    ("杭州市城市规划设计研究院", "杭州市上城区解放路138号", "310002", "何工", "0571-87060000"),
    ("南京市城市建设投资控股（集团）有限责任公司", "南京市玄武区中央路214号", "210009", "徐经理", "025-83210000"),
    ("成都市兴城投资集团有限公司", "成都市高新区天府大道北段966号", "610041", "罗主任", "028-85180000"),
    ("武汉市城市建设投资开发集团有限公司", "武汉市江岸区解放大道1638号", "430014", "马经理", "027-82830000"),
    ("西安市市政设计研究院有限公司", "西安市雁塔区长安南路68号", "710061", "高工", "029-85230000"),
    ("天津城市基础设施建设投资集团有限公司", "天津市和平区大沽北路161号", "300040", "林主任", "022-23300000"),
    ("苏州市住房和城乡建设局", "苏州市姑苏区三香路120号", "215004", "朱科长", "0512-68610000"),
    ("长沙市城市建设投资开发集团有限公司", "长沙市岳麓区滨江路53号", "410013", "胡经理", "0731-88660000"),
    ("中国中铁建工集团有限公司", "北京市丰台区汽车博物馆南路1号", "100070", "工程部", "010-51888888"),
    ("中建一局集团建设发展有限公司", "北京市朝阳区广渠路15号", "100022", "商务部", "010-87370000"),
    ("北京市政路桥股份有限公司", "北京市西城区南礼士路17号", "100045", "办公室", "010-68033333"),
    ("北京城建设计发展集团股份有限公司", "北京市西城区阜成门北大街5号", "100037", "市场部", "010-88336666"),
    ("中国电信股份有限公司北京分公司", "北京市西城区西单北大街131号", "100032", "政企客户部", "10000"),
    ("北京某某律师事务所", "北京市朝阳区东三环中路5号财富金融中心20层", "100020", "张律师", "010-85191234"),
    ("某某会计师事务所（特殊普通合伙）", "北京市东城区朝阳门北大街8号富华大厦A座9层", "100027", "审计部", "010-65542288"),
    ("某某工程咨询有限公司", "北京市海淀区西直门北大街32号枫蓝国际B座", "100082", "项目部", "010-62231188"),
]


def _parcel_row(rng: random.Random, staff: list[Staff], received: dt.datetime, status: str) -> dict:
    number, carrier = rng.choice(_NUMBER_MAKERS)(rng)
    who = rng.choice(staff)
    row = {"received_at": received, "receive_date": received.date(), "tracking_no": number, "carrier": carrier,
           "sender": rng.choice(DEMO_SENDERS) if rng.random() < 0.8 else "", "recipient_id": who.id,
           "recipient": who.name, "department": who.department, "pieces": rng.choice([1, 1, 1, 1, 1, 2, 3]),
           "shelf": rng.choice(DEMO_SHELVES), "status": status, "picked_by": "", "picked_at": None,
           "returned_at": None, "return_reason": "", "incoming_no": "", "note": "",
           "created_at": received, "updated_at": received, "voided": False, "void_reason": "", "voided_at": None}
    if status == PICKED:
        other = rng.random() < 0.15
        row["picked_by"] = rng.choice(staff).name if other else who.name
        if other and row["picked_by"] != who.name:
            row["note"] = f"{row['picked_by']} 代 {who.name} 领取"
        picked = received + dt.timedelta(minutes=rng.randrange(10, 420))
        if picked.time() > dt.time(18, 30):  # collected the next working morning
            picked = dt.datetime.combine(picked.date() + dt.timedelta(days=1), dt.time(8, 40)) + \
                dt.timedelta(minutes=rng.randrange(0, 120))
        row["picked_at"] = picked
        row["updated_at"] = row["picked_at"]
    return row


def bulk_parcels(n: int, seed: int = 7, *, days: int = 1000, staff: list[Staff] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` past parcels (all picked up) over ``days`` days, with their search index, fast."""
    rng = random.Random(seed)
    staff = staff or list(Staff.select().where(Staff.voided == False))  # noqa: E712
    if not staff:
        from neiqin.models.demo import seed_directory

        staff = seed_directory(rng)
    moment = now()
    start = dt.datetime.combine(moment.date() - dt.timedelta(days=days), dt.time(8, 30))
    span = (moment - dt.timedelta(days=1) - start).total_seconds()
    fields = list(_parcel_row(rng, staff, moment, PICKED))
    done = 0
    with db.atomic():
        last = Parcel.select(pw.fn.MAX(Parcel.id)).scalar() or 0
        while done < n:
            k = min(5000, n - done)
            rows = []
            for i in range(k):
                t = start + dt.timedelta(seconds=span * (done + i) / max(n, 1))
                t = t.replace(hour=8 + (done + i) % 10, minute=rng.randrange(60), second=0)
                row = _parcel_row(rng, staff, t, PICKED)
                if row["picked_at"] > moment:
                    row["picked_at"] = row["updated_at"] = moment
                rows.append(row)
            Parcel.insert_many([tuple(r[f] for f in fields) for r in rows],
                               fields=[getattr(Parcel, f) for f in fields]).execute()
            index = []
            for pid, r in zip(range(last + 1, last + 1 + k), rows, strict=True):
                index.append((pid, *_parcel_search_parts(Parcel(id=pid, **r))))
            PARCELS.search.put_many(index)
            last += k
            done += k
            if progress is not None:
                progress(done, n)
        AuditLog.write("parcels", None, "import", f"生成快递收件演示数据 {n} 条")
    return n


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """An address book, parcels in every state (several waiting today, some for days) and a year of dispatches."""
    if Parcel.select().exists() or Dispatch.select().exists():
        return {}
    moment = now()
    today = moment.date()
    with db.atomic():
        if not Organisation.select().exists():
            for name, address, postcode, contact, phone in DEMO_ORGS:
                ADDRESSES.create({"name": name, "address": address, "postcode": postcode, "contact": contact,
                                  "phone": phone})
        if not settings.get("parcels.sender_address"):
            settings.set_value("parcels.sender_address", "北京市朝阳区建国路88号现代城A座12层")
            settings.set_value("parcels.sender_postcode", "100022")
            settings.set_value("parcels.sender_phone", "010-65661234")
        past = max(40, min(rows, 2000))
        bulk_parcels(past, seed=rng.randrange(10**6), days=max(60, min(365, past // 3)), staff=staff)
        # the last days: some waiting (a few for days), one returned, one picked up on behalf, one voided
        recent = []
        for i in range(14):
            age = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 6, 0, 0][i]
            t = dt.datetime.combine(today - dt.timedelta(days=age), dt.time(9, 10)) + dt.timedelta(minutes=23 * i)
            if t > moment - dt.timedelta(minutes=5):
                t = moment - dt.timedelta(minutes=60 - i * 3)
            number, carrier = rng.choice(_NUMBER_MAKERS)(rng)
            who = staff[i % 7]
            recent.append(receive({"tracking_no": number, "carrier": carrier, "recipient": who.id,
                                   "sender": rng.choice(DEMO_SENDERS), "pieces": 1 + (i % 5 == 0),
                                   "shelf": suggest_shelf(who.id) or DEMO_SHELVES[i % len(DEMO_SHELVES)],
                                   "received_at": t}))
        pick_up(recent[12], staff[8].name, at=min(moment, recent[12].received_at + dt.timedelta(minutes=40)))
        return_parcel(recent[13], "收件人已离职，拒收退回", at=min(moment, recent[13].received_at + dt.timedelta(minutes=30)))
        PARCELS.void(recent[0], "重复扫描登记")
        # dispatches over the last twelve months
        orgs = list(Organisation.select().where(Organisation.voided == False))  # noqa: E712
        n_out = max(24, min(rows // 2, 240))
        first = today - dt.timedelta(days=365)
        for i in range(n_out):
            day = first + dt.timedelta(days=365 * i // n_out)
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            org = rng.choice(orgs)
            who = rng.choice(staff)
            number, carrier = rng.choice(_NUMBER_MAKERS[:9])(rng)
            heavy = rng.random() < 0.15
            record_dispatch({**address_values(org), "send_date": min(day, today), "tracking_no": number,
                             "carrier": carrier, "sender": {"id": who.id, "name": who.name,
                                                            "department": who.department},
                             "contents": rng.choice(DEMO_CONTENTS), "pay_mode": rng.choice(["月结", "月结", "寄付现结"]),
                             "cost": f"{rng.choice([12, 12, 15, 18, 20, 23]) + (30 if heavy else 0)}"
                                     f".{rng.choice(['00', '00', '50'])}"})
    return {"addresses": Organisation.select().count(), "parcels": Parcel.select().count(),
            "dispatches": Dispatch.select().count()}
