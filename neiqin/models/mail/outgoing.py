"""发文: the outgoing documents register. No Qt.

发文 get their 发文字号 (机关代字〔年份〕序号号) at 登记, are printed, sent to each recipient organisation (送文簿: 封号,
签收人, 签收时间) and filed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import BaseModel, VoidableModel, current_actor, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import SearchIndex, register_ledger
from neiqin.models.mail.docs_common import (
    DELIVERY_KINDS,
    DELIVERY_VIA,
    DOC_FIELDS,
    ENVELOPE_NO,
    OUT_ARCHIVED,
    OUT_PRINTED,
    OUT_REGISTERED,
    OUT_SENDING,
    OUT_SENT,
    OUT_STATES,
    OUTGOING_NO,
    OUTGOING_SEQ,
    NumberedLedgerSpec,
    _event,
    _int,
    _moment,
    _name,
    _person,
    _person_names,
    _secrecy,
    _split_secrecy,
    apply_step,
    archive_values,
    format_outgoing_no,
    normalize_doc_no,
    outgoing_codes,
    secrecy_mark,
    split_doc_no,
)
from neiqin.numbering import write_transaction


def _recipients_text(row: dict) -> str:
    """主送/抄送 as the 发文登记簿 prints it, once; organisations the 送文簿 also went to are added as 另送."""
    main, cc = row.get("main_to") or "", row.get("copy_to") or ""
    listed = {o for o in f"{main}、{cc}".split("、") if o}
    extra = [o for o in (row.get("distribution") or "").split("、")
             if o and o not in listed and not o.endswith("家")]  # "… 等 12 家": the summary was cut short
    text = f"主送：{main}" + (f"；抄送：{cc}" if cc else "") if main or cc else ""
    return "；".join(p for p in (text, f"另送：{'、'.join(extra)}" if extra else "") if p)


# One declaration per field: the column (unless the model declares it: numbers), the check, the 登记 form and the
# register/Excel column in the order of a paper 发文登记簿 (主送/抄送 once, 备注 last).
OUTGOING_FIELDS = Fields(
    "outgoing",
    Field("seq", "顺序号", "int", width=5, align="center", importable=False, in_form=False),  # numbering
    Field("code", "机关代字", "choice", open_choices=True, max_len=20, importable=False),
    Field("doc_no", "发文字号", max_len=60, width=16, aliases=("文号", "发文文号"),
          placeholder="一般不填：保存时按机关代字自动编号"),  # numbering, or typed by hand
    Field("issued_on", "发文日期", "date", required=True, index=True, width=10, sortable=True, aliases=("日期",)),
    replace(DOC_FIELDS["title"], width=28),
    *(DOC_FIELDS[k] for k in ("kind", "secrecy", "secrecy_years", "urgency")),
    # the register's 主送/抄送 column (an Excel cell "主送：…；抄送：…" is split again on import)
    Field("main_to", "主送", header="主送/抄送", max_len=500, width=20, value=_recipients_text,
          aliases=("发往机关", "主送机关"), placeholder="多个单位用“、”分开，可从地址簿选"),
    Field("copy_to", "抄送", max_len=500, importable=False, placeholder="多个单位用“、”分开"),
    Field("drafter", "拟稿人", max_len=40, width=6),
    Field("drafter_dept", "拟稿部门", max_len=60, width=8),
    Field("reviewer", "核稿人", header="核稿", max_len=40, width=6),
    Field("signer", "签发人", max_len=40, width=6),
    Field("signed_on", "签发日期", "date", importable=False),
    DOC_FIELDS["copies"],
    Field("print_copies", "印制份数", "int", lo=0, hi=99999, default=0, width=5, align="center"),
    DOC_FIELDS["attachments"],
    Field("receivers", "签收人", max_len=300, width=10, importable=False, in_form=False),  # 送文簿 summary
    *(DOC_FIELDS[k] for k in ("archive_no", "archived_on", "volume_no")),
    Field("status", "状态", "choice", choices=tuple(OUT_STATES), default=OUT_REGISTERED, max_len=6, index=True,
          width=6, importable=False, in_form=False),
    DOC_FIELDS["note"],
)


# the table keeps the column order it has always had (a new file's CREATE TABLE as before)
@OUTGOING_FIELDS.table(order=(
    "year", "seq", "code", "serial", "doc_no", "manual_no", "issued_on", "title", "kind", "secrecy",
    "secrecy_years", "urgency", "main_to", "copy_to", "drafter_dept", "drafter", "reviewer", "signer",
    "signed_on", "copies", "print_copies", "printed_at", "attachments", "status", "delivered",
    "delivered_signed", "distribution", "receivers", "archive_no", "volume_no", "archived_on", "dispatch_id",
    "note",
))
class OutgoingDoc(VoidableModel):
    """A 发文. Its ledger fields are :data:`OUTGOING_FIELDS`; the class declares the numbers (allocated by
    :mod:`neiqin.numbering`), the nullable ones, the link to its 寄件 and what the 送文簿 keeps."""

    EVENT_LEDGER = "outgoing"  # the ``ledger`` of its DocEvent rows

    year = pw.IntegerField()
    seq = pw.IntegerField()  # 顺序号: the register's running number within the year
    serial = pw.IntegerField(null=True)
    doc_no = pw.CharField(max_length=60, unique=True)  # 发文字号
    manual_no = pw.BooleanField(default=False)
    secrecy_years = pw.IntegerField(null=True)
    printed_at = pw.DateTimeField(null=True)
    delivered = pw.IntegerField(default=0)  # 送文簿 rows
    delivered_signed = pw.IntegerField(default=0)  # of them signed for
    distribution = pw.CharField(max_length=300, default="")  # 分发范围 (summary of the 送文簿)
    dispatch_id = pw.IntegerField(null=True, index=True)  # the 寄件 that sent it

    class Meta:
        table_name = "outgoing_doc"
        indexes = ((("code", "year", "serial"), True), (("year", "seq"), True))

    @property
    def secrecy_mark(self) -> str:
        return secrecy_mark(self.secrecy, self.secrecy_years)


# 送文簿 (one row per recipient organisation) and the 印制 step: declared once; the 分发, 签收 and 印制 forms
# (ui/mail/outgoing_pane.py), the checks below and the doc_delivery table take them from here.
DELIVERY_FIELDS = Fields(
    "outgoing",
    Field("organisations", "发往机关", required=True, max_len=2000, placeholder="多个单位用“、”分开", stored=False),
    Field("organisation", "发往机关", required=True, max_len=100, in_form=False),
    Field("category", "文别", "choice", choices=tuple(DELIVERY_KINDS), default=DELIVERY_KINDS[0], max_len=6),
    Field("via", "送达方式", "choice", choices=tuple(DELIVERY_VIA), default=DELIVERY_VIA[0], max_len=10),
    Field("copies", "每家份数", "int", lo=1, hi=999, default=1),
    Field("sent_at", "发出时间", "datetime", required=True),
    Field("signed_by", "签收人", required=True, max_len=40),
    Field("signed_at", "签收时间", "datetime"),
    Field("note", "备注", max_len=200),
    Field("by", "印制人", "staff", stored=False),
    Field("at", "印制时间", "datetime", stored=False),
)
DISTRIBUTE_FORM = ("organisations", "category", "via", "copies", "sent_at")
SIGN_FORM = ("signed_by", "signed_at", "note")
PRINT_FORM = ("by", "at")


@DELIVERY_FIELDS.table(order=("doc_id", "year", "envelope_no", "organisation", "category", "via", "copies", "sent_at",
                              "signed_by", "signed_at", "note"))
class Delivery(BaseModel):
    """送文簿: one recipient organisation of a 发文 (its typed fields: :data:`DELIVERY_FIELDS`)."""

    doc_id = pw.IntegerField(index=True)
    year = pw.IntegerField()
    envelope_no = pw.IntegerField()  # 封皮号, running within the year

    class Meta:
        table_name = "doc_delivery"
        indexes = ((("year", "envelope_no"), True),)

    @property
    def envelope_label(self) -> str:
        return ENVELOPE_NO.format(self.envelope_no, self.year)


MODELS = [OutgoingDoc, Delivery]


# ---------------------------------------------------------------------------------------------- 发文


class NumberTaken(ValidationError):
    def __init__(self, earlier: OutgoingDoc, key: str = "doc_no"):
        self.earlier = earlier
        state = "（已作废，号码不再使用）" if earlier.voided else ""
        super().__init__({key: f"发文字号 {earlier.doc_no} 已被使用：{earlier.issued_on}《{earlier.title}》{state}"})


def _org_list(value: Any) -> str:
    """Several organisations as one text separated by 、 (a list, or typed with commas or semicolons)."""
    if isinstance(value, list | tuple):
        value = "、".join(str(x).strip() for x in value if str(x).strip())
    return re.sub(r"\s*[,，;；]\s*", "、", str(value or "").strip())


# what 登记 types (the 发文字号 and 机关代字 have their own rules below)
_REGISTERED = ("issued_on", "title", "kind", "secrecy", "secrecy_years", "urgency", "main_to", "copy_to", "drafter",
               "drafter_dept", "reviewer", "signer", "signed_on", "copies", "print_copies", "attachments", "note")


def validate_outgoing(data: dict, record: OutgoingDoc | None) -> dict:
    errors: dict[str, str] = {}
    typed = _person_names(data, "drafter", "reviewer", "signer")
    typed["drafter_dept"] = str(data.get("drafter_dept") or "").strip() or _person(data.get("drafter"))[2]
    typed["main_to"], typed["copy_to"] = _org_list(data.get("main_to")), _org_list(data.get("copy_to"))
    typed["issued_on"] = data.get("issued_on") or clock.today()
    out: dict[str, Any] = OUTGOING_FIELDS.clean(typed, errors, _REGISTERED)
    _secrecy(out, errors)
    importing = bool(data.get("_import"))
    if not out["main_to"] and not importing:
        errors.setdefault("main_to", "请填写主送机关")
    if not out["signer"] and not importing:
        errors.setdefault("signer", "请填写签发人")
    issued_on = out["issued_on"] or clock.today()
    if issued_on > clock.today() + dt.timedelta(days=30):
        errors.setdefault("issued_on", "发文日期不能晚于一个月后")
    if record is not None and issued_on.year != record.year:
        errors.setdefault("issued_on", f"{record.doc_no} 按 {record.year} 年编号，发文日期不能改到其他年份")
    out["issued_on"] = issued_on
    if out["signed_on"] and out["signed_on"] > issued_on:
        errors.setdefault("signed_on", f"签发日期不能晚于发文日期（{issued_on}）")
    if record is None:
        code = str(data.get("code") or "").strip()
        typed = normalize_doc_no(OUTGOING_FIELDS.clean(data, errors, ("doc_no",))["doc_no"])
        if typed:
            parts = split_doc_no(typed)
            out["doc_no"], out["manual_no"] = typed, True
            if parts:
                out["code"], _, out["serial"] = parts
                if parts[1] != issued_on.year:
                    errors.setdefault("doc_no", f"发文字号的年份 {parts[1]} 与发文日期 {issued_on} 不符")
            else:
                out["code"], out["serial"] = "", None
            earlier = OutgoingDoc.get_or_none(OutgoingDoc.doc_no == typed)
            if earlier is not None and "doc_no" not in errors:
                errors["doc_no"] = NumberTaken(earlier).errors["doc_no"]
        else:
            if code not in outgoing_codes() and not data.get("_import"):
                errors.setdefault("code", f"机关代字应为：{'、'.join(outgoing_codes())}")
            out["code"], out["manual_no"] = code, False
    if errors:
        raise ValidationError(errors)
    return out


def next_outgoing_serial(code: str, year: int) -> int:
    """After the last number this 代字 issued automatically in ``year``, skipping any typed by hand."""
    return OUTGOING_NO.peek(year, code=code).serial


def peek_outgoing_no(code: str, day: dt.date | None = None) -> str:
    year = (day or clock.today()).year
    return format_outgoing_no(code, year, next_outgoing_serial(code, year))


def _allocate_outgoing(clean: dict) -> None:
    year = clean["issued_on"].year
    clean["year"] = year
    if clean.get("manual_no"):
        same = OutgoingDoc.doc_no == clean["doc_no"]
        if clean.get("serial") is not None:  # 公司发〔2026〕5号 and 公司发〔2026〕005号 are one number
            same |= ((OutgoingDoc.code == clean["code"]) & (OutgoingDoc.year == year)
                     & (OutgoingDoc.serial == clean["serial"]))
        earlier = OutgoingDoc.get_or_none(same)
        if earlier is not None:
            raise NumberTaken(earlier)
    else:
        number = OUTGOING_NO.take(year, code=clean["code"])
        clean["serial"], clean["doc_no"] = number.serial, number.text
    clean["seq"] = OUTGOING_SEQ.take(year).serial


def _outgoing_created(rec: OutgoingDoc, clean: dict) -> None:
    if rec.signer:
        when = dt.datetime.combine(rec.signed_on or rec.issued_on, dt.time(0, 0))
        _event("outgoing", rec.id, "签发", rec.signer, when)
    _event("outgoing", rec.id, "登记", current_actor(), now(), rec.doc_no + ("（手工编号）" if rec.manual_no else ""))


def _outgoing_search_parts(d: OutgoingDoc) -> tuple[list[str], list[str]]:
    short = [d.doc_no, d.title, d.main_to, d.copy_to, d.drafter_dept, d.drafter, d.signer, d.kind]
    return short + [d.reviewer, d.distribution, d.receivers, d.archive_no, d.volume_no, d.note], short


def _out_status_condition(key: str):
    if key == "unsent":
        return OutgoingDoc.status.in_([OUT_REGISTERED, OUT_PRINTED])
    if key == "sending":
        return OutgoingDoc.status == OUT_SENDING
    if key == "sent":
        return OutgoingDoc.status == OUT_SENT
    if key == "archived":
        return OutgoingDoc.status == OUT_ARCHIVED
    return OutgoingDoc.status == key


def _import_outgoing(data: dict) -> dict:
    data = _split_secrecy(dict(data, _import=True))
    orgs = str(data.get("main_to") or "")
    if any(word in orgs for word in ("主送", "抄送", "另送")):  # the register's 主送/抄送 column
        main, _, cc = orgs.partition("另送")[0].partition("抄送")
        data["main_to"] = main.replace("主送", "").strip("：: ；;")
        data["copy_to"] = cc.strip("：: ；;")
    if data.get("archived_on") or data.get("volume_no"):
        data["status"] = OUT_ARCHIVED
    return data


OUTGOING = register_ledger(NumberedLedgerSpec(
    key="outgoing",
    title="发文登记簿",
    tab_title="发文",
    model=OutgoingDoc,
    columns=OUTGOING_FIELDS.columns("seq", "issued_on", "doc_no", "title", "attachments", "secrecy", "copies",
                                    "main_to", "drafter_dept", "drafter", "reviewer", "signer", "print_copies",
                                    "receivers", "archived_on", "volume_no", "status", "note"),
    fields=OUTGOING_FIELDS,
    default_sort="id",
    date_field="issued_on",
    date_label="发文日期",
    statuses=[("unsent", "未分发"), ("sending", "分发中"), ("sent", "已分发"), ("archived", "已归档")],
    status_condition=_out_status_condition,
    search=SearchIndex("outgoing_doc"),
    search_parts=_outgoing_search_parts,
    validate=validate_outgoing,
    history_fields=("attachments",),
    describe=lambda d: f"发文 {d.doc_no}《{d.title}》",
    import_row=_import_outgoing,
    allocate=_allocate_outgoing,
    after_create=_outgoing_created,
))


def register_outgoing(data: dict) -> OutgoingDoc:
    """登记: the 发文字号 is allocated now (or the hand-typed one checked), inside the write transaction."""
    return OUTGOING.create(data)


def _fresh_out(doc: OutgoingDoc) -> OutgoingDoc:
    doc = OutgoingDoc.get_by_id(doc.id)
    if doc.voided:
        raise NeiqinError(f"{doc.doc_no} 已作废，不能继续办理")
    return doc


def print_outgoing(doc: OutgoingDoc, data: dict) -> OutgoingDoc:
    """印制: how many copies were printed (and when)."""
    doc = _fresh_out(doc)
    if doc.status == OUT_ARCHIVED:
        raise NeiqinError(f"{doc.doc_no} 已归档")
    errors: dict[str, str] = {}
    n = _int(data.get("print_copies"), "印制份数", "print_copies", errors, 1, 99999, default=doc.print_copies or 0)
    at = _moment(data.get("at"), DELIVERY_FIELDS["at"].label, "at", errors, default=now())
    by = _name(data, "by", DELIVERY_FIELDS["by"].label, errors)
    if not n and "print_copies" not in errors:
        errors["print_copies"] = "印制份数至少为 1"
    if errors:
        raise ValidationError(errors)
    status = OUT_PRINTED if doc.status == OUT_REGISTERED else doc.status
    return apply_step(OUTGOING, doc, {"print_copies": n, "printed_at": at, "status": status}, "印制", by, at,
                      f"{n} 份", f"印制 {doc.doc_no}：{n} 份")


def deliveries_of(doc: OutgoingDoc) -> list[Delivery]:
    return list(Delivery.select().where(Delivery.doc_id == doc.id).order_by(Delivery.envelope_no))


def _delivery_summary(doc_id: int) -> dict:
    rows = list(Delivery.select().where(Delivery.doc_id == doc_id).order_by(Delivery.envelope_no))
    signed = [r for r in rows if r.signed_at]
    names = [r.organisation for r in rows]
    dist = "、".join(names)
    if len(dist) > 60:
        dist = "、".join(names[:3]) + f" 等 {len(names)} 家"
    receivers = "、".join(r.signed_by for r in signed if r.signed_by)
    if len(receivers) > 60:
        receivers = "、".join(r.signed_by for r in signed[:4]) + f" 等 {len(signed)} 人"
    return {"delivered": len(rows), "delivered_signed": len(signed), "distribution": dist, "receivers": receivers}


def add_deliveries(doc: OutgoingDoc, data: dict) -> list[Delivery]:
    """分发: one 送文簿 row (with its 封皮号) per recipient organisation."""
    doc = _fresh_out(doc)
    if doc.status == OUT_ARCHIVED:
        raise NeiqinError(f"{doc.doc_no} 已归档，不能再分发")
    errors: dict[str, str] = {}
    orgs = data.get("organisations") or []
    if isinstance(orgs, str):
        orgs = re.split(r"[,，、;；\n]+", orgs)
    orgs = [o.strip() for o in orgs if o and o.strip()]
    if not orgs:
        errors["organisations"] = "请填写发往机关"
    if len(set(orgs)) != len(orgs):
        errors["organisations"] = "发往机关重复"
    already = {r.organisation for r in deliveries_of(doc)}
    twice = [o for o in orgs if o in already]
    if twice:
        errors["organisations"] = f"已经分发给：{'、'.join(twice)}"
    limit = DELIVERY_FIELDS["organisation"].limit
    if any(len(o) > limit for o in orgs):
        errors["organisations"] = f"单位名称不能超过 {limit} 字"
    typed = DELIVERY_FIELDS.clean({**data, "copies": data.get("copies") or doc.copies or 1}, errors,
                                  ("category", "via", "copies"))
    category, via, copies = typed["category"], typed["via"], typed["copies"]
    at = _moment(data.get("sent_at"), DELIVERY_FIELDS["sent_at"].label, "sent_at", errors, default=now())
    if at and at.date() < doc.issued_on and "sent_at" not in errors:
        errors["sent_at"] = f"发出时间不能早于发文日期（{doc.issued_on}）"
    if errors:
        raise ValidationError(errors)
    assert at is not None
    rows = []
    with write_transaction():
        for org, number in zip(orgs, ENVELOPE_NO.take_many(len(orgs), at.year), strict=True):
            rows.append(Delivery.create(doc_id=doc.id, year=at.year, envelope_no=number.serial, organisation=org,
                                        category=category, via=via, copies=copies, sent_at=at))
        summary = _delivery_summary(doc.id)
        status = OUT_SENT if summary["delivered_signed"] == summary["delivered"] else OUT_SENDING
        apply_step(OUTGOING, doc, {**summary, "status": status}, "分发", "", at,
                   f"{via}：{'、'.join(orgs)}", f"分发 {doc.doc_no}：{len(orgs)} 家")
    return rows


def sign_delivery(row: Delivery, data: dict) -> Delivery:
    """签收: who signed the 送文簿 for that organisation, and when."""
    row = Delivery.get_by_id(row.id)
    doc = _fresh_out(OutgoingDoc.get_by_id(row.doc_id))
    if row.signed_at is not None:
        raise NeiqinError(f"{row.organisation} 已于 {row.signed_at:%Y-%m-%d %H:%M} 由 {row.signed_by} 签收")
    errors: dict[str, str] = {}
    by = _name(data, "signed_by", DELIVERY_FIELDS["signed_by"].label, errors, required=True)
    at = _moment(data.get("signed_at"), DELIVERY_FIELDS["signed_at"].label, "signed_at", errors, default=now(),
                 not_before=row.sent_at, before_label=DELIVERY_FIELDS["sent_at"].label)
    note = DELIVERY_FIELDS.clean(data, errors, ("note",))["note"]
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        row.signed_by, row.signed_at = by, at
        if note:
            row.note = note
        row.save()
        summary = _delivery_summary(doc.id)
        status = doc.status
        if status != OUT_ARCHIVED:
            status = OUT_SENT if summary["delivered_signed"] == summary["delivered"] else OUT_SENDING
        apply_step(OUTGOING, doc, {**summary, "status": status}, "签收", by, at, row.organisation,
                   f"{row.organisation} 签收 {doc.doc_no}（{by}）")
    return row


def archive_outgoing(doc: OutgoingDoc, data: dict) -> OutgoingDoc:
    doc = _fresh_out(doc)
    if doc.status == OUT_ARCHIVED:
        raise NeiqinError(f"{doc.doc_no} 已归档")
    errors: dict[str, str] = {}
    typed = archive_values(OUTGOING_FIELDS, data, errors, doc.issued_on, f"发文日期（{doc.issued_on}）")
    archive_no, volume_no, day = typed["archive_no"], typed["volume_no"], typed["archived_on"]
    if errors:
        raise ValidationError(errors)
    change = {"archive_no": archive_no, "volume_no": volume_no, "archived_on": day, "status": OUT_ARCHIVED}
    return apply_step(OUTGOING, doc, change, "归档", current_actor(), now(), f"档号 {archive_no} 卷号 {volume_no}".strip(),
                      f"归档 {doc.doc_no}")


def delivery_rows(date_from: dt.date | None = None, date_to: dt.date | None = None,
                  doc_id: int | None = None) -> list[tuple[Delivery, OutgoingDoc]]:
    """送文簿 rows (with their 发文), in 封皮号 order."""
    q = (Delivery.select(Delivery, OutgoingDoc).join(OutgoingDoc, on=(Delivery.doc_id == OutgoingDoc.id))
         .order_by(Delivery.year, Delivery.envelope_no))
    if doc_id is not None:
        q = q.where(Delivery.doc_id == doc_id)
    if date_from:
        q = q.where(Delivery.sent_at >= dt.datetime.combine(date_from, dt.time.min))
    if date_to:
        q = q.where(Delivery.sent_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    return [(d, d.outgoingdoc) for d in q]


