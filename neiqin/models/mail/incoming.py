"""收文: the incoming documents register — table, validation, registering, 今日 section. No Qt.

收文 arrive, are signed for and registered (the 收文号 is allocated then); their processing steps (初审 … 归档) are
in :mod:`neiqin.models.mail.incoming_steps`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import settings, workdays
from neiqin.models.base import BaseModel, FieldHistory, VoidableModel, current_actor, now
from neiqin.models.deadlines import due_soon_limit, due_text  # noqa: F401 - the ledger's words, its pane's too
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import SearchIndex, register_ledger
from neiqin.models.mail.docs_common import (
    DOC_FIELDS,
    IN_ACTIVE,
    IN_ARCHIVED,
    IN_DONE,
    IN_RETURNED,
    IN_REVIEW,
    INCOMING_NO,
    URGENT,
    NumberedLedgerSpec,
    _date,
    _event,
    _int,
    _moment,
    _person_names,
    _secrecy,
    _split_secrecy,
    format_incoming_no,
    incoming_pattern,
    normalize_doc_no,
    parse_incoming_no,
    secrecy_mark,
)
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for


def _handler_text(row: dict) -> str:
    return " ".join(p for p in (row.get("handler_dept"), row.get("handler")) if p)


def progress_text(row: dict, today: dt.date | None = None) -> str:
    """办理情况 as the register shows it: the result once done, else where the document is."""
    status = row.get("status") or ""
    if status in (IN_DONE, IN_ARCHIVED):
        return row.get("result") or status
    if status == IN_RETURNED:
        return f"已退回：{row.get('returned_reason') or ''}"
    text = status
    if row.get("circulating"):
        text += f"（传阅中 {row['circulating']} 人）"
    if row.get("reminders"):
        text += f"，已催办 {row['reminders']} 次"
    return text


# One declaration per field: the column (unless the model declares it: numbers, nullable counts), the check, the
# form (签收登记 and the step dialogs) and the register/Excel column (GB/T 收文登记簿 order, 备注 last).
INCOMING_FIELDS = Fields(
    "incoming",
    Field("no", "收文号", "code", max_len=40, width=14, aliases=("收文编号", "编号"), in_form=False),  # numbering
    Field("received_at", "签收时间", "datetime", importable=False),
    Field("received_on", "收文日期", "date", required=True, index=True, width=10, sortable=True,
          aliases=("日期", "收文时间"), in_form=False),
    Field("signed_by", "签收人", max_len=40, width=6),
    Field("sender_org", "来文机关", required=True, max_len=100, index=True, width=16, sortable=True,
          aliases=("来文单位", "发文机关"), placeholder="输入几个字，从以往来文和地址簿中选", history=True),
    Field("sender_no", "来文字号", max_len=60, width=16, aliases=("文号", "来文文号"),
          placeholder="如 京政发〔2026〕7号；[2026] (2026) 【2026】会自动改为〔2026〕"),
    *(DOC_FIELDS[k] for k in ("title", "kind", "secrecy", "secrecy_years", "urgency", "copies")),
    Field("pages", "页数", "int", lo=0, hi=99999, importable=False),
    DOC_FIELDS["attachments"],
    Field("deadline_days", "办理期限（天）", "int", lo=0, hi=365, importable=False),
    Field("deadline_rule", "期限计算", "choice", choices=tuple(workdays.RULES), max_len=4, importable=False),
    Field("due_date", "办理期限", "date", index=True, width=10, aliases=("办理时限", "期限")),
    Field("handler_dept", "承办单位", max_len=60, in_form=False, importable=False),
    Field("handler", "承办人", header="承办单位/人", max_len=40, width=12, value=_handler_text,
          aliases=("承办单位", "承办"), in_form=False),
    Field("opinion", "拟办意见", "multiline", in_form=False, importable=False),
    Field("instruction", "领导批示", "multiline", in_form=False, importable=False),
    Field("progress", "办理情况", stored=False, width=16, value=progress_text, importable=False, in_form=False),
    Field("result", "办理结果", "multiline", in_form=False, importable=False),
    Field("done_on", "办结日期", "date", width=10, in_form=False),
    Field("reply_no", "复文号", max_len=60, width=12, in_form=False, placeholder="如有复文，如 公司函〔2026〕3号"),
    *(DOC_FIELDS[k] for k in ("archive_no", "archived_on", "volume_no", "note")),
)


# the table keeps the column order it has always had (a new file's CREATE TABLE as before)
@INCOMING_FIELDS.table(order=(
    "year", "serial", "no", "received_on", "received_at", "signed_by", "sender_org", "sender_no", "title",
    "kind", "secrecy", "secrecy_years", "urgency", "copies", "pages", "attachments", "status", "reviewed_by",
    "reviewed_at", "returned_reason", "opinion", "opinion_by", "opinion_at", "instruction", "instructed_by",
    "instructed_at", "handler_dept", "handler", "handler_id", "assigned_at", "deadline_rule", "deadline_days",
    "due_date", "reminders", "last_reminded_at", "circulating", "result", "reply_no", "done_on", "archive_no",
    "volume_no", "archived_on", "parcel_id", "note",
))
class IncomingDoc(VoidableModel):
    """A 收文. Its ledger fields are :data:`INCOMING_FIELDS`; the class declares the number (allocated by
    :mod:`neiqin.numbering`), the nullable counts, the links and what the processing steps keep."""

    EVENT_LEDGER = "incoming"  # the ``ledger`` of its DocEvent rows

    year = pw.IntegerField()
    serial = pw.IntegerField()
    no = pw.CharField(max_length=40, unique=True)  # 收文号
    secrecy_years = pw.IntegerField(null=True)
    pages = pw.IntegerField(null=True)
    deadline_days = pw.IntegerField(null=True)
    status = pw.CharField(max_length=6, default=IN_REVIEW, index=True)
    reviewed_by = pw.CharField(max_length=40, default="")
    reviewed_at = pw.DateTimeField(null=True)
    returned_reason = pw.CharField(max_length=300, default="")
    opinion_by = pw.CharField(max_length=40, default="")
    opinion_at = pw.DateTimeField(null=True)
    instructed_by = pw.CharField(max_length=40, default="")
    instructed_at = pw.DateTimeField(null=True)
    handler_id = pw.IntegerField(null=True)
    assigned_at = pw.DateTimeField(null=True)
    reminders = pw.IntegerField(default=0)
    last_reminded_at = pw.DateTimeField(null=True)
    circulating = pw.IntegerField(default=0)  # readers holding it now
    parcel_id = pw.IntegerField(null=True, index=True)  # the 快递 it arrived in

    class Meta:
        table_name = "incoming_doc"
        indexes = ((("year", "serial"), True), (("sender_org", "sender_no"), False))

    @property
    def secrecy_mark(self) -> str:
        return secrecy_mark(self.secrecy, self.secrecy_years)


class Circulation(BaseModel):
    """传阅: one reader of a 收文, when it was given and when it came back."""

    doc_id = pw.IntegerField(index=True)
    reader = pw.CharField(max_length=40)
    reader_id = pw.IntegerField(null=True)
    department = pw.CharField(max_length=60, default="")
    given_at = pw.DateTimeField()
    returned_at = pw.DateTimeField(null=True)
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "doc_circulation"


MODELS = [IncomingDoc, Circulation]


# ---------------------------------------------------------------------------------------------- 收文: register


class DuplicateIncoming(NeedsConfirmation):
    """The same 来文字号 from the same 来文机关 is already registered; the clerk may still save after confirming."""

    key, title, yes_text = "duplicate", "来文字号重复", "仍然登记"

    def __init__(self, earlier: IncomingDoc):
        self.earlier = earlier
        super().__init__(f"“{earlier.sender_org}”的来文字号“{earlier.sender_no}”已经登记过：{earlier.no}"
                         f"（{earlier.received_on}，{earlier.title}）。确定是另一份文件吗？", details=earlier,
                         details_text=doc_summary(earlier))


def doc_summary(doc: IncomingDoc) -> str:
    """A few lines that identify a 收文 (查看原记录 of a duplicate, the record's detail)."""
    lines = [f"{doc.no}　{doc.received_on}　{doc.sender_org}　{doc.sender_no or '（无文号）'}",
             f"《{doc.title}》{doc.kind}　{doc.secrecy_mark or ''}{'　' + doc.urgency if doc.urgency != '普通' else ''}"]
    if doc.opinion:
        lines.append(f"拟办：{doc.opinion}（{doc.opinion_by}）")
    if doc.instruction:
        lines.append(f"批示：{doc.instruction}（{doc.instructed_by}）")
    if doc.handler or doc.handler_dept:
        lines.append(f"承办：{doc.handler_dept} {doc.handler}" +
                     (f"　办理期限 {doc.due_date}（{due_text(doc.due_date)}）" if doc.due_date else ""))
    return "\n".join(lines)


def find_duplicate(sender_org: str, sender_no: str, exclude_id: int | None = None) -> IncomingDoc | None:
    sender_no = normalize_doc_no(sender_no)
    if not sender_no or not sender_org or sender_no in ("无", "-", "—"):
        return None
    q = IncomingDoc.select().where((IncomingDoc.sender_org == sender_org.strip())
                                   & (IncomingDoc.sender_no == sender_no)
                                   & (IncomingDoc.voided == False))  # noqa: E712
    if exclude_id:
        q = q.where(IncomingDoc.id != exclude_id)
    return q.order_by(IncomingDoc.id).first()


# what 签收登记 types (the dates, the number and the 办理期限 have their own rules below)
_REGISTERED = ("signed_by", "sender_org", "sender_no", "title", "kind", "secrecy", "secrecy_years", "urgency",
               "copies", "pages", "attachments", "note")


def _deadline_fields(data: dict, start: dt.date | None, errors: dict, *, floor: dt.date | None = None,
                     floor_label: str = "收文日期", required: bool = False) -> dict:
    """办理期限 from a date typed by hand, or from days + rule counted from ``start``; never before ``floor``."""
    out: dict[str, Any] = {}
    floor = floor or start
    rule = str(data.get("deadline_rule") or "").strip() or str(
        settings.get("incoming.default_deadline_rule") or workdays.WORKING)
    if rule not in workdays.RULES:
        errors.setdefault("deadline_rule", f"期限规则应为“{workdays.NATURAL}”或“{workdays.WORKING}”")
        rule = workdays.WORKING
    days = _int(data.get("deadline_days"), "办理期限天数", "deadline_days", errors, 0, 365, allow_none=True)
    due = _date(data.get("due_date"), "办理期限", "due_date", errors)
    if due is None and days and start is not None and "deadline_days" not in errors:
        due = workdays.deadline(start, days, rule)
    if due is not None and floor is not None and due < floor:
        errors.setdefault("due_date", f"办理期限（{due}）不能早于{floor_label}（{floor}）")
    if due is not None and floor is not None and (due - floor).days > 3 * 366:
        errors.setdefault("due_date", "办理期限超过三年，请检查")
    if required and due is None:
        errors.setdefault("due_date", "紧急公文必须填写办理期限（天数或日期）")
    out["due_date"] = due
    out["deadline_days"] = days or None
    out["deadline_rule"] = rule if (days or due) else ""
    return out


def validate_incoming(data: dict, record: IncomingDoc | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = INCOMING_FIELDS.clean(_person_names(data, "signed_by"), errors, _REGISTERED)
    out["sender_no"] = normalize_doc_no(out["sender_no"])
    _secrecy(out, errors)
    out["pages"] = out["pages"] or None
    received_at = data.get("received_at")
    if received_at in (None, "") and data.get("received_on") not in (None, ""):
        day = _date(data.get("received_on"), "收文日期", "received_at", errors)
        received_at = dt.datetime.combine(day, dt.time(0, 0)) if day else None
        out["received_at"] = None if record is None or record.received_at is None else record.received_at
    else:
        received_at = _moment(received_at, "签收时间", "received_at", errors, default=now())
        out["received_at"] = received_at
    out["received_on"] = received_at.date() if received_at else clock.today()
    if record is not None and out["received_on"].year != record.year:
        errors.setdefault("received_at", f"收文号 {record.no} 按 {record.year} 年编号，收文日期不能改到其他年份"
                                         "（请作废后重新登记）")
    if record is None or "due_date" in data or "deadline_days" in data:
        out.update(_deadline_fields(data, out["received_on"], errors,
                                    required=out["urgency"] in URGENT and not data.get("_import")))
    given_no = str(data.get("no") or "").strip()
    if record is None and given_no:  # an imported register keeps its own numbers
        parsed = parse_incoming_no(given_no)
        if parsed is None:
            errors.setdefault("no", f"收文号“{given_no}”不符合格式 {incoming_pattern()}")
        else:
            out["year"], out["serial"] = parsed
            out["no"] = format_incoming_no(*parsed)
            if IncomingDoc.select().where(((IncomingDoc.year == parsed[0]) & (IncomingDoc.serial == parsed[1]))
                                          | (IncomingDoc.no == out["no"])).exists():
                errors.setdefault("no", f"收文号 {out['no']} 已被使用（号码不能重复，作废的也不能再用）")
    if errors:
        raise ValidationError(errors)
    return out


def _allocate_incoming(clean: dict) -> None:
    year = clean["received_on"].year
    if clean.get("serial"):  # an imported register keeps its own numbers; later ones continue after them
        if IncomingDoc.select().where((IncomingDoc.year == clean["year"])
                                      & (IncomingDoc.serial == clean["serial"])).exists():
            raise ValidationError(f"收文号 {clean['no']} 已被使用", "no")
        INCOMING_NO.claim(clean["serial"], clean["year"])
        return
    number = INCOMING_NO.take(year)
    clean.update(year=year, serial=number.serial, no=number.text)


def _incoming_created(rec: IncomingDoc, clean: dict) -> None:
    when = rec.received_at or dt.datetime.combine(rec.received_on, dt.time(0, 0))
    if clean.get("_import") or clean.get("status") in (IN_DONE, IN_ARCHIVED):
        _event("incoming", rec.id, "登记", "", now(), "从 Excel 导入")
        return
    _event("incoming", rec.id, "签收", rec.signed_by, when, f"{rec.copies} 份")
    _event("incoming", rec.id, "登记", current_actor(), max(now(), when), rec.no)


def _incoming_search_parts(d: IncomingDoc) -> tuple[list[str], list[str]]:
    short = [d.no, d.sender_org, d.sender_no, d.title, d.handler_dept, d.handler, d.kind]
    return short + [d.signed_by, d.result, d.reply_no, d.archive_no, d.volume_no, d.note, d.opinion,
                    d.instruction], short


def _import_incoming(data: dict) -> dict:
    data = _split_secrecy(dict(data, _import=True))
    handler = str(data.pop("handler", "") or "").strip()
    if handler:
        parts = re.split(r"[\s/／、]+", handler, maxsplit=1)
        data["handler_dept"], data["handler"] = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    status = IN_REVIEW
    if data.get("done_on"):
        status = IN_DONE
    if data.get("archived_on") or data.get("volume_no"):
        status = IN_ARCHIVED
    data["status"] = status
    return data


def _in_status_condition(key: str):
    today = clock.today()
    active = IncomingDoc.status.in_(IN_ACTIVE)
    if key == "active":
        return active
    if key == "overdue":
        return active & (IncomingDoc.due_date < today)
    if key == "due_soon":
        return active & IncomingDoc.due_date.between(today, due_soon_limit(today))
    if key == "circulating":
        return IncomingDoc.circulating > 0
    if key == "returned":
        return IncomingDoc.status == IN_RETURNED
    if key == "done":
        return IncomingDoc.status == IN_DONE
    if key == "archived":
        return IncomingDoc.status == IN_ARCHIVED
    return IncomingDoc.status == key


INCOMING = register_ledger(NumberedLedgerSpec(
    key="incoming",
    title="收文登记簿",
    tab_title="收文",
    model=IncomingDoc,
    columns=INCOMING_FIELDS.columns("no", "received_on", "sender_org", "sender_no", "title", "kind", "attachments",
                                    "copies", "secrecy", "urgency", "handler", "signed_by", "due_date", "progress",
                                    "done_on", "reply_no", "archived_on", "volume_no", "note"),
    fields=INCOMING_FIELDS,
    default_sort="id",
    date_field="received_on",
    date_label="收文日期",
    statuses=[("active", "办理中（未办结）"), ("overdue", "逾期"), ("due_soon", "即将到期"),
              ("circulating", "传阅中"), ("done", "已办结"), ("archived", "已归档"), ("returned", "已退回")],
    status_condition=_in_status_condition,
    search=SearchIndex("incoming_doc"),
    search_parts=_incoming_search_parts,
    validate=validate_incoming,
    history_fields=("sender_org", "attachments"),
    describe=lambda d: f"收文 {d.no}《{d.title}》",
    import_row=_import_incoming,
    allocate=_allocate_incoming,
    after_create=_incoming_created,
))


def register_incoming(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> IncomingDoc:
    """签收 + 登记: validate, ask about a duplicate 来文字号, allocate the 收文号 and save."""
    clean = validate_incoming(dict(data), None)
    if reason_for(confirmed, DuplicateIncoming.key) is None:
        earlier = find_duplicate(clean["sender_org"], clean["sender_no"])
        if earlier is not None:
            raise DuplicateIncoming(earlier)
    return INCOMING.create(data)


def peek_incoming_no(day: dt.date | None = None) -> str:
    """The number the next 收文 of ``day``'s year will get (for the form; the real one is taken at save)."""
    year = (day or clock.today()).year
    n = (IncomingDoc.select(pw.fn.MAX(IncomingDoc.serial)).where(IncomingDoc.year == year).scalar() or 0) + 1
    return format_incoming_no(year, n)


def signer_id(doc: IncomingDoc) -> int | None:
    """The 通讯录 id of whoever signed for ``doc`` (the next 签收登记 starts with the same 签收人), if listed."""
    from neiqin.models.staff import Staff

    s = Staff.get_or_none((Staff.name == doc.signed_by) & (Staff.voided == False))  # noqa: E712
    return s.id if s else None


def sender_suggestions(limit: int = 500) -> list[str]:
    """来文机关 for autocomplete: earlier entries (most used first), then the address book."""
    from neiqin.models.mail.addresses import organisation_names

    seen = dict.fromkeys(FieldHistory.values("incoming", "sender_org", limit))
    for name in organisation_names():
        seen.setdefault(name, None)
    return list(seen)


def is_overdue(row: dict | IncomingDoc, today: dt.date | None = None) -> bool:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    due = get("due_date")
    return bool(due) and not get("voided") and get("status") in IN_ACTIVE and due < (today or clock.today())


def due_state(row: dict | IncomingDoc, today: dt.date | None = None, soon: dt.date | None = None) -> str:
    """"overdue", "soon" or "" for the 办理期限 of an active 收文."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    due = get("due_date")
    if not due or get("voided") or get("status") not in IN_ACTIVE:
        return ""
    today = today or clock.today()
    if due < today:
        return "overdue"
    if due <= (soon or due_soon_limit(today)):
        return "soon"
    return ""


