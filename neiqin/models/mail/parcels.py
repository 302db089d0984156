"""快递收件: parcels and registered letters in — the scanner desk, pickup, return. No Qt.

Parcels (``parcels``, :class:`Parcel`) are written through :func:`receive`, :func:`pick_up`, :func:`return_parcel` and
:func:`revert_pickup`; each is one audited change of the ledger. The same 运单号 twice raises :class:`DuplicateParcel`
unless the clerk confirms it (a shipment in several pieces arriving apart). The link to 收文 is in
:mod:`neiqin.models.links`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import VoidableModel, db, now
from neiqin.models.deadlines import parcel_overdue_days as overdue_days
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.mail.parcel_rules import (
    MAX_PIECES,
    OTHER,
    PARCEL_STATUSES,
    PICKED,
    RETURNED,
    WAITING,
    _moment,
    _name_keys,
    _person,
    check_tracking,
    normalize_tracking,
    recognise,
)
from neiqin.models.staff import Staff
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for

# ---------------------------------------------------------------------------------------------- tables


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


# One declaration per field: the column, the check, the form (the manual form; the scanner desk takes its labels,
# lengths and range from here) and the register/Excel column.
PARCEL_FIELDS = Fields(
    "parcels",
    Field("received_at", "收件时间", "datetime", required=True, width=14, sortable=True, aliases=("收件日期", "日期")),
    Field("receive_date", "收件日期", "date", required=True, index=True, in_form=False),
    Field("tracking_no", "运单号", "code", max_len=40, index=True, width=17, aliases=("快递单号", "单号"),
          placeholder="平信等没有单号的可不填"),
    Field("carrier", "快递公司", "choice", open_choices=True, max_len=20, width=9, aliases=("快递", "承运商"),
          placeholder="留空按单号识别"),
    Field("sender", "寄件人/单位", max_len=100, width=16, aliases=("寄件人", "寄件单位"), history=True),
    Field("recipient", "收件人", required=True, max_len=40, width=7, sortable=True),
    Field("department", "部门", max_len=60, width=9, aliases=("收件部门",)),
    Field("pieces", "件数", "int", lo=1, hi=MAX_PIECES, default=1, width=4, align="center"),
    Field("shelf", "货架位", "code", max_len=20, width=6, aliases=("货架",)),
    Field("status", "状态", "choice", choices=tuple(PARCEL_STATUSES), default=WAITING, max_len=6, width=6,
          importable=False, in_form=False),
    Field("waited", "已等", stored=False, width=5, importable=False, value=_waited, in_form=False),
    Field("picked_by", "领取人", max_len=40, width=10, value=_picked_text, in_form=False),
    Field("picked_at", "领取时间", "datetime", width=14, in_form=False),
    Field("returned_at", "退回时间", "datetime", in_form=False, importable=False),
    Field("return_reason", "退回原因", max_len=200, in_form=False, importable=False),
    Field("note", "备注", "multiline", max_len=500, width=14),
)


# the table keeps the column order it has always had (a new file's CREATE TABLE as before)
@PARCEL_FIELDS.table(order=(
    "received_at", "receive_date", "tracking_no", "carrier", "sender", "recipient_id", "recipient",
    "department", "pieces", "shelf", "status", "picked_by", "picked_at", "returned_at", "return_reason",
    "incoming_no", "note",
))
class Parcel(VoidableModel):
    """快递收件: one parcel or registered letter that arrived at the desk (fields: :data:`PARCEL_FIELDS`)."""

    recipient_id = pw.IntegerField(null=True)
    incoming_no = pw.CharField(max_length=40, default="")  # the 收文 it was registered as

    class Meta:
        indexes = ((("received_at",), False), (("status", "received_at"), False),
                   (("recipient_id", "status"), False))

    def __str__(self) -> str:
        return f"{self.tracking_no or '无单号'}（{self.recipient}）"


MODELS = [Parcel]


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
    out: dict[str, Any] = PARCEL_FIELDS.clean(data, errors, ("carrier", "sender", "department", "pieces", "shelf",
                                                             "note"))
    out["tracking_no"] = check_tracking(data.get("tracking_no"), "tracking_no", errors, required=False)
    out["carrier"] = out["carrier"] or recognise(out["tracking_no"]) or OTHER
    who = data.get("recipient")
    if data.get("recipient_id") and not isinstance(who, dict | Staff):
        who = {"id": data.get("recipient_id"), "name": who or ""}
    rid, rname, rdept = _person(who)
    if not rname:
        errors.setdefault("recipient", "请填写收件人（可输入姓名或拼音首字母从通讯录选择）")
    out["recipient_id"] = rid
    out["recipient"] = PARCEL_FIELDS.clean({"recipient": rname}, errors, ("recipient",))["recipient"]
    out["department"] = out["department"] or rdept
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
        out["return_reason"] = PARCEL_FIELDS.clean(data, errors, ("return_reason",))["return_reason"]
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


PARCELS = register_ledger(LedgerSpec(
    key="parcels",
    title="快递收件登记簿",
    tab_title="快递收件",
    model=Parcel,
    columns=PARCEL_FIELDS.columns("received_at", "tracking_no", "carrier", "sender", "recipient", "department",
                                  "pieces", "shelf", "status", "waited", "picked_by", "picked_at", "note"),
    fields=PARCEL_FIELDS,
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


class DuplicateParcel(NeedsConfirmation):
    """The 运单号 is already registered: the desk asks the clerk (pick up? one more piece? cancel?)."""

    key, title, yes_text = "duplicate", "运单号重复", "是另一件，仍然登记"

    def __init__(self, number: str, earlier: list[Parcel]):
        self.number = number
        self.earlier = earlier
        first = earlier[0]
        state = first.status + (f"，货架 {first.shelf}" if first.shelf and first.status == WAITING else "")
        more = f"等 {len(earlier)} 条" if len(earlier) > 1 else ""
        super().__init__(f"运单号 {number} 已于 {first.received_at:%Y-%m-%d %H:%M} 登记过{more}"
                         f"（收件人 {first.recipient}，{state}）", details=earlier)


def find_duplicates(number: str, exclude_id: int | None = None) -> list[Parcel]:
    n = normalize_tracking(number)
    if not n:
        return []
    q = Parcel.select().where((Parcel.tracking_no == n) & (Parcel.voided == False))  # noqa: E712
    if exclude_id:
        q = q.where(Parcel.id != exclude_id)
    return list(q.order_by(Parcel.id.desc()).limit(20))


def receive(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> Parcel:
    """Register a parcel that arrived now (the scanner desk and the manual form both land here)."""
    data = dict(data)
    data["status"] = WAITING
    for k in ("picked_by", "picked_at", "returned_at", "return_reason"):
        data.pop(k, None)
    number = normalize_tracking(data.get("tracking_no"))
    earlier = find_duplicates(number) if number else []
    if earlier and reason_for(confirmed, DuplicateParcel.key) is None:
        PARCELS.clean(data)  # bad input is reported at its field first
        raise DuplicateParcel(number, earlier)
    summary = f"收件 {number or '（无单号）'}"
    if earlier:
        summary += f"（同一运单号第 {len(earlier) + 1} 次登记，前台确认）"
    return PARCELS.create(data, action="receive", summary=summary)


def parcel_by_id(parcel_id: int) -> Parcel | None:
    return Parcel.get_or_none(Parcel.id == parcel_id)


def parcels_by_ids(ids: Sequence[int]) -> list[Parcel]:
    """The parcels with these ids, in the order they arrived."""
    return list(Parcel.select().where(Parcel.id.in_(list(ids))).order_by(Parcel.received_at)) if ids else []


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
    if len(who) > PARCEL_FIELDS["picked_by"].limit:
        errors["picked_by"] = f"领取人不能超过 {PARCEL_FIELDS['picked_by'].limit} 字"
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


# ---------------------------------------------------------------------------------------------- 今日


