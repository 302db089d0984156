"""Links between ledgers: the one module that knows both sides of each. No Qt.

A ledger module knows only its own records; where a record points into another ledger (a parcel that turned out to
hold a 收文, a 发文 sent by a 寄件), the code that follows or keeps the link lives here, importing both ledgers
directly. A ledger module that must keep a link in step while it writes (``record_dispatch``) imports this module
inside the function, so no ledger imports another at module level.

Links kept today:
- 快递收件 → 收文: ``Parcel.incoming_no`` and ``IncomingDoc.parcel_id`` (:func:`register_as_incoming`).
- 快递寄件 ↔ 发文: ``Dispatch.outgoing_id`` / ``outgoing_no`` and ``OutgoingDoc.dispatch_id``
  (:func:`resolve_outgoing_no`, :func:`sync_outgoing`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import db, now
from neiqin.models.mail.addresses import Organisation
from neiqin.models.mail.dispatches import Dispatch, address_values
from neiqin.models.mail.docs_common import _event, normalize_doc_no
from neiqin.models.mail.incoming import IncomingDoc, register_incoming
from neiqin.models.mail.outgoing import OUTGOING, OutgoingDoc
from neiqin.models.mail.parcels import PARCELS, Parcel
from neiqin.operations import NOTHING_CONFIRMED, Confirmed


def record_no(rec: Any) -> str:
    """The number a clerk knows a linked record by (收文号, 发文字号, 运单号), or ``#id``."""
    for attr in ("no", "doc_no", "tracking_no"):
        v = getattr(rec, attr, None)
        if isinstance(v, str) and v:
            return v
    return f"#{getattr(rec, 'id', '')}"


# ---------------------------------------------------------------------------------------------- 快递收件 → 收文


def create_incoming_from_parcel(parcel: Any, data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED
                                ) -> IncomingDoc:
    """A parcel turned out to hold a document: register it as 收文, copying the sender and keeping the link."""
    values = dict(data)
    values.setdefault("sender_org", getattr(parcel, "sender", "") or "")
    if not values.get("received_at") and not values.get("received_on"):
        got = getattr(parcel, "received_at", None)
        values["received_at"] = got if isinstance(got, dt.datetime) else now()
    values["parcel_id"] = parcel.id
    waybill = getattr(parcel, "tracking_no", "") or ""
    if waybill and "来自快递" not in (values.get("note") or ""):
        values["note"] = (f"来自快递 {waybill}　" + (values.get("note") or "")).strip()
    doc = register_incoming(values, confirmed=confirmed)
    _event("incoming", doc.id, "关联快递", "", now(), waybill)
    return doc


def incoming_for_parcel(parcel_id: int) -> list[IncomingDoc]:
    return list(IncomingDoc.select().where(IncomingDoc.parcel_id == parcel_id).order_by(IncomingDoc.id))


def linked_incoming(parcel: Parcel) -> IncomingDoc | None:
    """The (first live) 收文 registered from this parcel."""
    live = [d for d in incoming_for_parcel(parcel.id) if not d.voided]
    return live[0] if live else None


def link_text(parcel: Parcel) -> str:
    """“已登记收文 收〔2026〕3号” for the parcel's detail line, or ""."""
    rec = linked_incoming(parcel)
    no = record_no(rec) if rec is not None else parcel.incoming_no
    return f"已登记收文 {no}" if no else ""


def register_as_incoming(parcel: Parcel, data: dict | None = None) -> IncomingDoc:
    """Create the 收文 for a parcel that turned out to hold a document, and keep the link on both sides."""
    if parcel.voided:
        raise NeiqinError("该快递记录已作废")
    existing = linked_incoming(parcel)
    if existing is not None or parcel.incoming_no:
        raise NeiqinError(f"该快递已登记为收文 {record_no(existing) if existing else parcel.incoming_no}")
    with db.atomic():
        rec = create_incoming_from_parcel(parcel, dict(data or {}))
        note_link(parcel, rec)
    return rec


def note_link(parcel: Parcel, incoming: Any) -> Parcel:
    """Record on the parcel the 收文 made from it (the 收文 form may have been saved by the documents tab)."""
    no = record_no(incoming)
    if parcel.incoming_no == no:
        return parcel
    return PARCELS.update(parcel, {"incoming_no": no}, action="link", summary=f"登记为收文 {no}", validate=False)


def link_label(ledger: str, record_id: int | None) -> str:
    """"来自快递 SF1234…" / "寄出：SF1234…" for a 收文's parcel or a 发文's dispatch."""
    if not record_id:
        return ""
    model = Parcel if ledger == "parcels" else Dispatch
    rec = model.get_or_none(model.id == record_id)
    number = (rec.tracking_no if rec is not None else "") or f"#{record_id}"
    return f"来自快递 {number}" if ledger == "parcels" else f"寄出：{number}"


# ---------------------------------------------------------------------------------------------- 快递寄件 ↔ 发文


def find_outgoing(number: str) -> OutgoingDoc | None:
    """The live 发文 with this 发文字号 (normalised to 〔年份〕), or None."""
    number = (number or "").strip()
    if not number:
        return None
    return OutgoingDoc.get_or_none((OutgoingDoc.doc_no == normalize_doc_no(number))
                                   & (OutgoingDoc.voided == False))  # noqa: E712


def resolve_outgoing_no(data: dict) -> dict:
    """Resolve a typed 随寄发文 字号 to the 发文 record; an unknown number is an error at the field."""
    data = dict(data)
    no = str(data.get("outgoing_no") or "").strip()
    if no and not data.get("outgoing_id"):
        doc = find_outgoing(no)
        if doc is None:
            raise ValidationError({"outgoing_no": f"找不到发文字号为“{no}”的发文（例如 公司函〔2026〕7号）"})
        data["outgoing_id"], data["outgoing_no"] = doc.id, doc.doc_no
    elif not no:
        data["outgoing_id"] = None
    return data


def link_dispatch(doc: OutgoingDoc, dispatch_id: int | None) -> OutgoingDoc:
    """The 寄件 record that sent this 发文 (or None to unlink). Audited."""
    doc = OutgoingDoc.get_by_id(doc.id)
    if doc.voided:
        raise NeiqinError(f"{doc.doc_no} 已作废")
    with db.atomic():
        OUTGOING.update(doc, {"dispatch_id": dispatch_id}, action="link", validate=False,
                        summary=f"{doc.doc_no} 关联寄件 #{dispatch_id}" if dispatch_id else f"{doc.doc_no} 取消关联寄件")
        _event("outgoing", doc.id, "寄出", "", now(), link_label("dispatches", dispatch_id))
    return OutgoingDoc.get_by_id(doc.id)


def sync_outgoing(d: Dispatch, before: int | None = None) -> None:
    """Keep the 发文 side of the link (``OutgoingDoc.dispatch_id``) in step with the dispatch."""
    if before and before != d.outgoing_id:
        old = OutgoingDoc.get_or_none(OutgoingDoc.id == before)
        if old is not None and old.dispatch_id == d.id and not old.voided:
            link_dispatch(old, None)
    if d.outgoing_id:
        doc = OutgoingDoc.get_or_none(OutgoingDoc.id == d.outgoing_id)
        if doc is not None and doc.dispatch_id != d.id and not doc.voided:
            link_dispatch(doc, d.id)


def outgoing_for_dispatch(dispatch_id: int) -> list[OutgoingDoc]:
    return list(OutgoingDoc.select().where(OutgoingDoc.dispatch_id == dispatch_id).order_by(OutgoingDoc.id))


def dispatches_for_outgoing(outgoing_id: int) -> list[Dispatch]:
    """The parcels and letters that carried a 发文 (the 发文 record shows them)."""
    return list(Dispatch.select().where((Dispatch.outgoing_id == outgoing_id) & (Dispatch.voided == False))  # noqa: E712
                .order_by(Dispatch.send_date, Dispatch.id))


def dispatch_for_outgoing(outgoing: Any, org: Organisation | str | None = None, **data: Any) -> dict:
    """Form values for sending a 发文 to one recipient organisation (for the 发文 送文簿)."""
    values = address_values(org)
    no = record_no(outgoing) if outgoing is not None else ""
    values.update({"outgoing_id": getattr(outgoing, "id", None), "outgoing_no": no,
                   "contents": f"公文 {no}".strip(), **data})
    return values
