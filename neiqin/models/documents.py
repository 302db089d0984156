"""收发文: incoming (收文) and outgoing (发文) official documents — numbering, processing steps, links. No Qt.

收文 arrive, are signed for and registered (the 收文号 is allocated then), pass 初审 (or go back to the sender with a
reason), get a 拟办意见 and a 领导批示, are handed to a 承办 department and person with a 办理期限 (自然日 or 工作日,
see :mod:`neiqin.models.workdays`), circulate among readers (传阅), are chased (催办) until 办结 (result, 复文号),
and are filed (归档: 档号 / 卷号). 发文 get their 发文字号 (机关代字〔年份〕序号号) at 登记, are printed, sent to each
recipient organisation (送文簿: 封号, 签收人, 签收时间) and filed.

Numbers come from :mod:`neiqin.numbering`, taken inside the ``BEGIN IMMEDIATE`` write transaction that saves
the record, so two quick saves — even from two connections — never get the same number and leave no gap; a
unique index is the last guard. A void keeps its number (the record stays, greyed): numbers are never reused.

Every step is a :class:`DocEvent` (who, when, note) plus an audited change of the record through its LedgerSpec.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings, validators, workdays
from neiqin.models.base import AuditLog, BaseModel, FieldHistory, VoidableModel, current_actor, db, now
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.staff import Staff, resolve_person
from neiqin.models.today import DUE, OVERDUE, TodayItem, section
from neiqin.models.validators import parse_moment
from neiqin.numbering import series, write_transaction

DOC_KINDS = ["决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
             "议案", "函", "纪要", "信函", "其他"]
SECRECY_NONE = "普通"
SECRECY = [SECRECY_NONE, "内部", "秘密", "机密", "绝密"]
SECRECY_MAX_YEARS = {"秘密": 10, "机密": 20, "绝密": 30}
URGENCY_NONE = "普通"
URGENCY = [URGENCY_NONE, "平急", "加急", "特急", "特提"]
URGENT = {"加急", "特急", "特提"}

# 收文 states, in the order a document normally moves through them
IN_REVIEW, IN_RETURNED, IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING, IN_DONE, IN_ARCHIVED = (
    "待初审", "已退回", "待拟办", "待批示", "待承办", "办理中", "已办结", "已归档")
IN_STATES = [IN_REVIEW, IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING, IN_DONE, IN_ARCHIVED, IN_RETURNED]
IN_ACTIVE = [IN_REVIEW, IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING]
# 发文 states
OUT_REGISTERED, OUT_PRINTED, OUT_SENDING, OUT_SENT, OUT_ARCHIVED = "已登记", "已印制", "分发中", "已分发", "已归档"
OUT_STATES = [OUT_REGISTERED, OUT_PRINTED, OUT_SENDING, OUT_SENT, OUT_ARCHIVED]

DELIVERY_KINDS = ["普通", "急件", "密件", "挂号"]
DELIVERY_VIA = ["专人送达", "机要交换", "邮寄", "快递", "电子公文", "自取"]
REMIND_WAYS = ["电话", "当面", "书面", "短信/微信", "系统提醒"]

DUE_SOON_WORKDAYS = 2
BRACKETS_OPEN = "[(（【［〔{｛〈﹝〖<《"
BRACKETS_CLOSE = "])）】］〕}｝〉﹞〗>》"

settings.register(
    {"incoming.default_deadline_days": 5,
     "incoming.default_deadline_rule": workdays.WORKING,
     "outgoing.codes": ["公司发", "公司函", "办字"]},
    {"incoming.default_deadline_days": "收文默认办理期限（天）",
     "incoming.default_deadline_rule": "收文办理期限按自然日或工作日",
     "outgoing.codes": "发文机关代字（每个代字每年单独编号）"},
)


# ---------------------------------------------------------------------------------------------- tables


class IncomingDoc(VoidableModel):
    year = pw.IntegerField()
    serial = pw.IntegerField()
    no = pw.CharField(max_length=40, unique=True)  # 收文号
    received_on = pw.DateField(index=True)  # 收文日期
    received_at = pw.DateTimeField(null=True)  # 签收时间
    signed_by = pw.CharField(max_length=40, default="")  # 签收人
    sender_org = pw.CharField(max_length=100, index=True)  # 来文机关
    sender_no = pw.CharField(max_length=60, default="")  # 来文字号
    title = pw.CharField(max_length=300)
    kind = pw.CharField(max_length=10, default="通知")  # 文种
    secrecy = pw.CharField(max_length=4, default=SECRECY_NONE)
    secrecy_years = pw.IntegerField(null=True)
    urgency = pw.CharField(max_length=4, default=URGENCY_NONE)
    copies = pw.IntegerField(default=1)
    pages = pw.IntegerField(null=True)
    attachments = pw.CharField(max_length=200, default="")
    status = pw.CharField(max_length=6, default=IN_REVIEW, index=True)
    reviewed_by = pw.CharField(max_length=40, default="")
    reviewed_at = pw.DateTimeField(null=True)
    returned_reason = pw.CharField(max_length=300, default="")
    opinion = pw.TextField(default="")  # 拟办意见
    opinion_by = pw.CharField(max_length=40, default="")
    opinion_at = pw.DateTimeField(null=True)
    instruction = pw.TextField(default="")  # 领导批示
    instructed_by = pw.CharField(max_length=40, default="")
    instructed_at = pw.DateTimeField(null=True)
    handler_dept = pw.CharField(max_length=60, default="")  # 承办单位
    handler = pw.CharField(max_length=40, default="")  # 承办人
    handler_id = pw.IntegerField(null=True)
    assigned_at = pw.DateTimeField(null=True)
    deadline_rule = pw.CharField(max_length=4, default="")
    deadline_days = pw.IntegerField(null=True)
    due_date = pw.DateField(null=True, index=True)  # 办理期限
    reminders = pw.IntegerField(default=0)
    last_reminded_at = pw.DateTimeField(null=True)
    circulating = pw.IntegerField(default=0)  # readers holding it now
    result = pw.TextField(default="")  # 办理结果
    reply_no = pw.CharField(max_length=60, default="")  # 复文号
    done_on = pw.DateField(null=True)  # 办结日期
    archive_no = pw.CharField(max_length=60, default="")  # 档号
    volume_no = pw.CharField(max_length=40, default="")  # 卷号
    archived_on = pw.DateField(null=True)  # 归卷日期
    parcel_id = pw.IntegerField(null=True, index=True)  # the 快递 it arrived in
    note = pw.TextField(default="")

    class Meta:
        table_name = "incoming_doc"
        indexes = ((("year", "serial"), True), (("sender_org", "sender_no"), False))

    @property
    def secrecy_mark(self) -> str:
        return secrecy_mark(self.secrecy, self.secrecy_years)


class OutgoingDoc(VoidableModel):
    year = pw.IntegerField()
    seq = pw.IntegerField()  # 顺序号: the register's running number within the year
    code = pw.CharField(max_length=20, default="")  # 机关代字
    serial = pw.IntegerField(null=True)
    doc_no = pw.CharField(max_length=60, unique=True)  # 发文字号
    manual_no = pw.BooleanField(default=False)
    issued_on = pw.DateField(index=True)  # 发文日期
    title = pw.CharField(max_length=300)
    kind = pw.CharField(max_length=10, default="通知")
    secrecy = pw.CharField(max_length=4, default=SECRECY_NONE)
    secrecy_years = pw.IntegerField(null=True)
    urgency = pw.CharField(max_length=4, default=URGENCY_NONE)
    main_to = pw.CharField(max_length=500, default="")  # 主送
    copy_to = pw.CharField(max_length=500, default="")  # 抄送
    drafter_dept = pw.CharField(max_length=60, default="")
    drafter = pw.CharField(max_length=40, default="")
    reviewer = pw.CharField(max_length=40, default="")  # 核稿
    signer = pw.CharField(max_length=40, default="")  # 签发人
    signed_on = pw.DateField(null=True)  # 签发日期
    copies = pw.IntegerField(default=1)  # 份数 (each recipient)
    print_copies = pw.IntegerField(default=0)  # 印制份数
    printed_at = pw.DateTimeField(null=True)
    attachments = pw.CharField(max_length=200, default="")
    status = pw.CharField(max_length=6, default=OUT_REGISTERED, index=True)
    delivered = pw.IntegerField(default=0)  # 送文簿 rows
    delivered_signed = pw.IntegerField(default=0)  # of them signed for
    distribution = pw.CharField(max_length=300, default="")  # 分发范围 (summary of the 送文簿)
    receivers = pw.CharField(max_length=300, default="")  # 签收人 (summary)
    archive_no = pw.CharField(max_length=60, default="")
    volume_no = pw.CharField(max_length=40, default="")
    archived_on = pw.DateField(null=True)
    dispatch_id = pw.IntegerField(null=True, index=True)  # the 寄件 that sent it
    note = pw.TextField(default="")

    class Meta:
        table_name = "outgoing_doc"
        indexes = ((("code", "year", "serial"), True), (("year", "seq"), True))

    @property
    def secrecy_mark(self) -> str:
        return secrecy_mark(self.secrecy, self.secrecy_years)


class DocEvent(BaseModel):
    """One processing step of a 收文 or 发文: who did it, when, and what was said (the paper trail)."""

    ledger = pw.CharField(max_length=10)  # incoming / outgoing
    doc_id = pw.IntegerField()
    step = pw.CharField(max_length=10)  # 签收, 登记, 初审, 退回, 拟办, 批示, 承办, 传阅, 阅毕, 催办, 办结, 归档 …
    actor = pw.CharField(max_length=40, default="")
    at = pw.DateTimeField()
    note = pw.TextField(default="")
    recorded_at = pw.DateTimeField(default=now)
    recorded_by = pw.CharField(max_length=80, default=current_actor)

    class Meta:
        table_name = "doc_event"
        indexes = ((("ledger", "doc_id"), False),)


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


class Delivery(BaseModel):
    """送文簿: one recipient organisation of a 发文."""

    doc_id = pw.IntegerField(index=True)
    year = pw.IntegerField()
    envelope_no = pw.IntegerField()  # 封皮号, running within the year
    organisation = pw.CharField(max_length=100)
    category = pw.CharField(max_length=6, default="普通")  # 文别
    via = pw.CharField(max_length=10, default="专人送达")
    copies = pw.IntegerField(default=1)
    sent_at = pw.DateTimeField()
    signed_by = pw.CharField(max_length=40, default="")
    signed_at = pw.DateTimeField(null=True)
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "doc_delivery"
        indexes = ((("year", "envelope_no"), True),)

    @property
    def envelope_label(self) -> str:
        return ENVELOPE_NO.format(self.envelope_no, self.year)


# ---------------------------------------------------------------------------------------------- number series


INCOMING_NO = series("incoming", "收文号", "收〔{year}〕{n}号", setting="incoming.number_pattern", max_len=40,
                     taken_sql="SELECT 1 FROM incoming_doc WHERE no = :text OR (year = :year AND serial = :n)")
# a 发文字号 typed by hand is skipped, also when written another way (公司发〔2026〕005号 for 5号)
OUTGOING_NO = series("outgoing", "发文字号", "{code}〔{year}〕{n}号", setting="outgoing.number_pattern",
                     per_code=True, max_len=60, codes=lambda: outgoing_codes(),
                     taken_sql="SELECT 1 FROM outgoing_doc WHERE doc_no = :text "
                               "OR (code = :code AND year = :year AND serial = :n)")
OUTGOING_SEQ = series("outgoing_seq", "发文顺序号", "{n}",
                      taken_sql="SELECT 1 FROM outgoing_doc WHERE year = :year AND seq = :n")
ENVELOPE_NO = series("envelope", "送文簿封皮号", "{year}-{n:03}",
                     taken_sql="SELECT 1 FROM doc_delivery WHERE year = :year AND envelope_no = :n")


# ---------------------------------------------------------------------------------------------- small rules


def secrecy_mark(level: str, years: int | None) -> str:
    """``秘密★1年`` (GB/T 9704); 普通 is blank, 内部 has no term."""
    if not level or level == SECRECY_NONE:
        return ""
    if level in SECRECY_MAX_YEARS and years:
        return f"{level}★{years}年"
    return level


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DOC_NO_RE = re.compile(
    rf"^(?P<code>.*?)\s*[{re.escape(BRACKETS_OPEN)}]\s*(?P<year>\d{{4}})\s*(?:年)?\s*[{re.escape(BRACKETS_CLOSE)}]"
    r"\s*第?\s*(?P<n>\d+)\s*号?$")
_YEAR_PLAIN_RE = re.compile(r"^(?P<code>.*?[^\d\s])\s*(?P<year>(?:19|20)\d{2})\s*年\s*第?\s*(?P<n>\d+)\s*号$")


def normalize_doc_no(text: str) -> str:
    """A 文号 in the standard form ``代字〔2026〕7号``.

    [2026], (2026), （2026）, 【2026】, ［2026］ … become 〔2026〕; ``第`` and leading zeros of the serial go
    (GB/T 9704: 序号不编虚位、不加“第”字); full-width digits become ASCII; a missing 号 is added. Text that is
    not a 文号 (e.g. “无”, a letter's reference) is only trimmed.
    """
    t = (text or "").strip().translate(_FULLWIDTH_DIGITS)
    if not t:
        return ""
    t = re.sub(r"\s+", "", t)
    m = _DOC_NO_RE.match(t) or _YEAR_PLAIN_RE.match(t)
    if not m:
        return t
    return f"{m['code']}〔{m['year']}〕{int(m['n'])}号"


def split_doc_no(text: str) -> tuple[str, int, int] | None:
    """(机关代字, year, serial) of a normalised 文号, or None."""
    m = _DOC_NO_RE.match(normalize_doc_no(text))
    return (m["code"], int(m["year"]), int(m["n"])) if m else None


def incoming_pattern() -> str:
    return INCOMING_NO.pattern()


def format_incoming_no(year: int, n: int, pattern: str | None = None) -> str:
    return INCOMING_NO.format(n, year, pattern=pattern)


def parse_incoming_no(text: str, pattern: str | None = None) -> tuple[int, int] | None:
    """(year, serial) of a 收文号 written in the configured pattern (also with other brackets), or None."""
    t = normalize_doc_no(text)
    pattern = pattern or incoming_pattern()
    rx = re.escape(pattern)
    rx = re.sub(r"\\\{year[^}]*\\\}", r"(?P<year>\\d{4})", rx)
    rx = re.sub(r"\\\{n[^}]*\\\}", r"(?P<n>\\d+)", rx)
    m = re.fullmatch(rx, t) or re.fullmatch(rx, (text or "").strip())
    if not m:
        return None
    return int(m["year"]), int(m["n"])


def outgoing_codes() -> list[str]:
    codes = settings.get("outgoing.codes") or []
    if isinstance(codes, str):
        codes = re.split(r"[,，、;；\s]+", codes)
    return [c.strip() for c in codes if str(c).strip()] or ["公司发"]


def format_outgoing_no(code: str, year: int, n: int) -> str:
    return OUTGOING_NO.format(n, year, code)


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value)


def _known(person: tuple[int | None, str, str]) -> tuple[int | None, str, str]:
    """A typed name completed from the directory when exactly one active person has it."""
    sid, name, dept = person
    if sid is None and name:
        rows = list(Staff.select().where((Staff.name == name) & (Staff.voided == False)).limit(2))  # noqa: E712
        if len(rows) == 1:
            return rows[0].id, name, dept or rows[0].department
    return person


def _name(data: dict, key: str, label: str, errors: dict, *, required: bool = False) -> str:
    _, name, _ = _person(data.get(key))
    if required and not name:
        errors.setdefault(key, f"请填写{label}")
    elif len(name) > 40:
        errors.setdefault(key, f"{label}不能超过 40 字")
    return name


def _moment(value: Any, label: str, key: str, errors: dict, *, default: dt.datetime | None = None,
            not_before: dt.datetime | None = None, before_label: str = "") -> dt.datetime | None:
    return parse_moment(value, label, key, errors, default=default, required=True, not_before=not_before,
                        before_label=before_label)


def _date(value: Any, label: str, key: str, errors: dict, *, required: bool = False) -> dt.date | None:
    return validators.parse_day(value, label, key, errors, required=required)


def _int(value: Any, label: str, key: str, errors: dict, lo: int, hi: int, *, default: int | None = None,
         allow_none: bool = False) -> int | None:
    return validators.parse_int(value, label, key, errors, lo, hi, default, allow_none=allow_none)


def _choice(data: dict, key: str, label: str, choices: list[str], errors: dict, default: str) -> str:
    v = str(data.get(key) or "").strip() or default
    if v not in choices:
        errors.setdefault(key, f"{label}应为：{'、'.join(choices)}")
    return v


def _secrecy(data: dict, errors: dict) -> tuple[str, int | None]:
    level = _choice(data, "secrecy", "密级", SECRECY, errors, SECRECY_NONE)
    years = _int(data.get("secrecy_years"), "保密期限", "secrecy_years", errors, 0, 30, allow_none=True)
    if years == 0:
        years = None
    if years is not None and "secrecy_years" not in errors:
        top = SECRECY_MAX_YEARS.get(level)
        if top is None:
            errors["secrecy_years"] = f"密级为“{level}”的文件不设保密期限"
        elif years > top:
            errors["secrecy_years"] = f"{level}文件的保密期限最长 {top} 年"
    return level, years


# ---------------------------------------------------------------------------------------------- numbered ledgers


@dataclass
class NumberedLedgerSpec(LedgerSpec):
    """A ledger whose records get a number at creation, allocated inside the write transaction.

    ``allocate(clean)`` runs inside :func:`neiqin.numbering.write_transaction` (``BEGIN IMMEDIATE``: no other
    writer can take a number meanwhile) and fills the number fields; a unique index on them is the last guard.
    """

    allocate: Callable[[dict], None] | None = None
    after_create: Callable[[Any, dict], None] | None = None

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        clean = self.clean(data)
        clean.update({k: v for k, v in data.items() if k not in clean and k in self.model._meta.fields})
        last_error: Exception | None = None
        for _attempt in range(3):
            attempt = dict(clean)
            try:
                with write_transaction():
                    if self.allocate is not None:
                        self.allocate(attempt)
                    rec = self.model.create(**attempt)
                    self._reindex(rec)
                    self._remember(attempt)
                    AuditLog.write(self.key, rec.id, action, summary or f"登记 {self.describe(rec)}",
                                   {k: [None, self._audit_value(k, v)] for k, v in attempt.items()
                                    if v not in (None, "")})
                    if self.after_create is not None:
                        self.after_create(rec, attempt)
                return rec
            except pw.IntegrityError as e:
                last_error = e
                if db.transaction_depth() > 0:
                    break  # inside an outer transaction (import): nobody else can write; it is a real clash
        raise NeiqinError(f"编号冲突，未能保存（{last_error}）；请重试") from last_error


def _event(ledger: str, doc_id: int, step: str, actor: str, at: dt.datetime, note: str = "") -> DocEvent:
    return DocEvent.create(ledger=ledger, doc_id=doc_id, step=step, actor=actor or "", at=at, note=note or "")


def events_of(doc: IncomingDoc | OutgoingDoc) -> list[DocEvent]:
    ledger = "incoming" if isinstance(doc, IncomingDoc) else "outgoing"
    return list(DocEvent.select().where((DocEvent.ledger == ledger) & (DocEvent.doc_id == doc.id))
                .order_by(DocEvent.at, DocEvent.id))


# ---------------------------------------------------------------------------------------------- 收文: register


class DuplicateIncoming(NeiqinError):
    """The same 来文字号 from the same 来文机关 is already registered; the clerk may still save after confirming."""

    def __init__(self, earlier: IncomingDoc):
        self.earlier = earlier
        super().__init__(f"“{earlier.sender_org}”的来文字号“{earlier.sender_no}”已经登记过：{earlier.no}"
                         f"（{earlier.received_on}，{earlier.title}）。确定是另一份文件吗？")


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
    out: dict[str, Any] = {}
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
    out["signed_by"] = _name(data, "signed_by", "签收人", errors)
    out["sender_org"] = text_field(data, errors, "sender_org", "来文机关", required=True, max_len=100)
    out["sender_no"] = normalize_doc_no(text_field(data, errors, "sender_no", "来文字号", max_len=60))
    out["title"] = text_field(data, errors, "title", "文件标题", required=True, max_len=300)
    out["kind"] = _choice(data, "kind", "文种", DOC_KINDS, errors, "通知")
    out["secrecy"], out["secrecy_years"] = _secrecy(data, errors)
    out["urgency"] = _choice(data, "urgency", "紧急程度", URGENCY, errors, URGENCY_NONE)
    out["copies"] = _int(data.get("copies"), "份数", "copies", errors, 1, 9999, default=1)
    out["pages"] = _int(data.get("pages"), "页数", "pages", errors, 0, 99999, allow_none=True) or None
    out["attachments"] = text_field(data, errors, "attachments", "附件", max_len=200)
    out["note"] = text_field(data, errors, "note", "备注", max_len=1000)
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


def _split_secrecy(data: dict) -> dict:
    """An exported 密级 cell such as ``秘密★5年`` back into level and years."""
    mark = str(data.get("secrecy") or "").strip()
    if "★" in mark:
        level, _, term = mark.partition("★")
        data["secrecy"] = level.strip()
        years = re.sub(r"\D", "", term)
        data["secrecy_years"] = int(years) if years else None
    return data


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


def due_soon_limit(today: dt.date | None = None) -> dt.date:
    """The last 办理期限 that counts as "即将到期": within two working days from today."""
    return workdays.add_working_days(today or clock.today(), DUE_SOON_WORKDAYS)


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


INCOMING = register_ledger(NumberedLedgerSpec(
    key="incoming",
    title="收文登记簿",
    tab_title="收文",
    model=IncomingDoc,
    columns=[
        Column("no", "收文号", 14, aliases=("收文编号", "编号")),
        Column("received_on", "收文日期", 10, kind="date", sortable=True, aliases=("日期", "收文时间")),
        Column("sender_org", "来文机关", 16, sortable=True, aliases=("来文单位", "发文机关")),
        Column("sender_no", "来文字号", 16, aliases=("文号", "来文文号")),
        Column("title", "文件标题", 24, aliases=("标题", "文件名称")),
        Column("kind", "文种", 5),
        Column("attachments", "附件", 8),
        Column("copies", "份数", 4, kind="int", align="center"),
        Column("secrecy", "密级", 5, value=lambda r: secrecy_mark(r.get("secrecy"), r.get("secrecy_years"))),
        Column("urgency", "紧急程度", 5, aliases=("缓急", "紧急"),
               value=lambda r: "" if r.get("urgency") == URGENCY_NONE else r.get("urgency")),
        Column("handler", "承办单位/人", 12, value=_handler_text, aliases=("承办单位", "承办人", "承办")),
        Column("signed_by", "签收人", 6),
        Column("due_date", "办理期限", 10, kind="date", aliases=("办理时限", "期限")),
        Column("progress", "办理情况", 16, value=lambda r: progress_text(r), importable=False),
        Column("done_on", "办结日期", 10, kind="date"),
        Column("reply_no", "复文号", 12),
        Column("archived_on", "归卷日期", 10, kind="date"),
        Column("volume_no", "归入卷号", 8, aliases=("卷号",)),
    ],
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


def register_incoming(data: dict, *, confirm_duplicate: bool = False) -> IncomingDoc:
    """签收 + 登记: validate, warn about a duplicate 来文字号, allocate the 收文号 and save."""
    clean = validate_incoming(dict(data), None)
    if not confirm_duplicate:
        earlier = find_duplicate(clean["sender_org"], clean["sender_no"])
        if earlier is not None:
            raise DuplicateIncoming(earlier)
    return INCOMING.create(data)


def peek_incoming_no(day: dt.date | None = None) -> str:
    """The number the next 收文 of ``day``'s year will get (for the form; the real one is taken at save)."""
    year = (day or clock.today()).year
    n = (IncomingDoc.select(pw.fn.MAX(IncomingDoc.serial)).where(IncomingDoc.year == year).scalar() or 0) + 1
    return format_incoming_no(year, n)


def sender_suggestions(limit: int = 500) -> list[str]:
    """来文机关 for autocomplete: earlier entries (most used first), then the address book."""
    from neiqin.models.addresses import organisation_names

    seen = dict.fromkeys(FieldHistory.values("incoming", "sender_org", limit))
    for name in organisation_names():
        seen.setdefault(name, None)
    return list(seen)


# ---------------------------------------------------------------------------------------------- 收文: steps


def _fresh(doc: IncomingDoc) -> IncomingDoc:
    doc = IncomingDoc.get_by_id(doc.id)
    if doc.voided:
        raise NeiqinError(f"{doc.no} 已作废，不能继续办理")
    return doc


def _need(doc: IncomingDoc, allowed: Iterable[str], what: str) -> None:
    if doc.status not in allowed:
        raise NeiqinError(f"{doc.no} 当前为“{doc.status}”，不能{what}")


def _step_time(data: dict, doc: IncomingDoc, errors: dict, key: str = "at", label: str = "办理时间"
               ) -> dt.datetime | None:
    start = doc.received_at or dt.datetime.combine(doc.received_on, dt.time(0, 0))
    return _moment(data.get(key), label, key, errors, default=now(), not_before=start, before_label="签收时间")


def _apply(doc: IncomingDoc, change: dict, step: str, actor: str, at: dt.datetime, note: str,
           summary: str) -> IncomingDoc:
    with db.atomic():
        INCOMING.update(doc, change, action=step, summary=summary, validate=False)
        _event("incoming", doc.id, step, actor, at, note)
    return IncomingDoc.get_by_id(doc.id)


def review_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """初审: passes on to 拟办, or goes back to the sender (退回) with a reason."""
    doc = _fresh(doc)
    _need(doc, [IN_REVIEW], "初审")
    errors: dict[str, str] = {}
    by = _name(data, "by", "初审人", errors, required=True)
    at = _step_time(data, doc, errors)
    passed = data.get("passed", True)
    if isinstance(passed, str):
        passed = passed.strip() in ("通过", "是", "1", "true", "True")
    reason = text_field(data, errors, "reason", "退回原因", max_len=300)
    if not passed and not reason:
        errors["reason"] = "退回时必须填写原因"
    if errors:
        raise ValidationError(errors)
    if passed:
        change = {"status": IN_PROPOSE, "reviewed_by": by, "reviewed_at": at}
        return _apply(doc, change, "初审", by, at, reason or "通过", f"初审通过 {doc.no}")
    change = {"status": IN_RETURNED, "reviewed_by": by, "reviewed_at": at, "returned_reason": reason}
    return _apply(doc, change, "退回", by, at, reason, f"退回 {doc.no}：{reason}")


def propose_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """拟办意见 (usually the office head's suggestion of who should handle it)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT], "填写拟办意见")
    errors: dict[str, str] = {}
    by = _name(data, "by", "拟办人", errors, required=True)
    at = _step_time(data, doc, errors)
    opinion = text_field(data, errors, "opinion", "拟办意见", required=True, max_len=1000)
    if errors:
        raise ValidationError(errors)
    change = {"opinion": opinion, "opinion_by": by, "opinion_at": at,
              "status": IN_INSTRUCT if doc.status == IN_PROPOSE else doc.status}
    return _apply(doc, change, "拟办", by, at, opinion, f"拟办 {doc.no}")


def instruct_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """领导批示 (a leader may instruct without a 拟办意见)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "录入领导批示")
    errors: dict[str, str] = {}
    by = _name(data, "by", "批示领导", errors, required=True)
    at = _step_time(data, doc, errors)
    text = text_field(data, errors, "instruction", "批示内容", required=True, max_len=1000)
    if errors:
        raise ValidationError(errors)
    instruction = f"{doc.instruction}\n{text}".strip() if doc.instruction else text
    change = {"instruction": instruction, "instructed_by": by, "instructed_at": at,
              "status": IN_ASSIGN if doc.status in (IN_PROPOSE, IN_INSTRUCT) else doc.status}
    return _apply(doc, change, "批示", by, at, text, f"批示 {doc.no}（{by}）")


def assign_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """承办: the department and person who deal with it, and the 办理期限 (reassigning is allowed)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "交办")
    errors: dict[str, str] = {}
    hid, handler, hdept = _person(data.get("handler"))
    dept = str(data.get("handler_dept") or "").strip() or hdept
    if not dept and not handler:
        errors["handler_dept"] = "请填写承办单位或承办人"
    if len(dept) > 60:
        errors["handler_dept"] = "承办单位不能超过 60 字"
    at = _step_time(data, doc, errors)
    if data.get("due_date") in (None, "") and not data.get("deadline_days") and doc.due_date:
        deadline = {"due_date": doc.due_date, "deadline_days": doc.deadline_days,
                    "deadline_rule": doc.deadline_rule}  # reassigning keeps the deadline unless a new one is given
    else:
        deadline = _deadline_fields(data, at.date() if at else doc.received_on, errors, floor=doc.received_on,
                                    required=doc.urgency in URGENT)
    note = text_field(data, errors, "note", "交办说明", max_len=300)
    if errors:
        raise ValidationError(errors)
    change = {"handler_dept": dept, "handler": handler, "handler_id": hid, "assigned_at": at,
              "status": IN_HANDLING, **deadline}
    due = f"，办理期限 {deadline['due_date']}" if deadline["due_date"] else ""
    step = "改办" if doc.status == IN_HANDLING else "承办"
    return _apply(doc, change, step, " ".join(p for p in (dept, handler) if p), at, (note + due).strip("，"),
                  f"交办 {doc.no} 给 {dept} {handler}{due}")


def circulate_incoming(doc: IncomingDoc, data: dict) -> list[Circulation]:
    """传阅: hand the document to one or more readers (each gets a row with given / returned time)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING, IN_DONE], "传阅")
    errors: dict[str, str] = {}
    readers = data.get("readers") or []
    if isinstance(readers, str):
        readers = [r for r in re.split(r"[,，、;；\s]+", readers) if r]
    if not isinstance(readers, list | tuple):
        readers = [readers]
    people = [_person(r) for r in readers]
    people = [_known(p) for p in people if p[1]]
    if not people:
        errors["readers"] = "请填写传阅人"
    holding = {c.reader for c in Circulation.select().where((Circulation.doc_id == doc.id)
                                                            & Circulation.returned_at.is_null())}
    again = [p[1] for p in people if p[1] in holding]
    if again:
        errors["readers"] = f"{'、'.join(again)} 还没有退回上次传阅的文件"
    if len({p[1] for p in people}) != len(people):
        errors["readers"] = "传阅人重复"
    at = _step_time(data, doc, errors)
    note = text_field(data, errors, "note", "说明", max_len=200)
    if errors:
        raise ValidationError(errors)
    rows = []
    with db.atomic():
        for sid, name, dept in people:
            rows.append(Circulation.create(doc_id=doc.id, reader=name, reader_id=sid, department=dept,
                                           given_at=at, note=note))
        names = "、".join(p[1] for p in people)
        _apply(doc, {"circulating": doc.circulating + len(people)}, "传阅", names, at, note,
               f"传阅 {doc.no}：{names}")
    return rows


def return_circulation(row: Circulation, data: dict | None = None) -> Circulation:
    """A reader gives the document back (阅毕)."""
    data = data or {}
    row = Circulation.get_by_id(row.id)
    doc = _fresh(IncomingDoc.get_by_id(row.doc_id))
    if row.returned_at is not None:
        raise NeiqinError(f"{row.reader} 已于 {row.returned_at:%Y-%m-%d %H:%M} 退回")
    errors: dict[str, str] = {}
    at = _moment(data.get("at"), "退回时间", "at", errors, default=now(), not_before=row.given_at,
                 before_label="传阅时间")
    note = text_field(data, errors, "note", "阅文意见", max_len=200)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        row.returned_at = at
        if note:
            row.note = note
        row.save()
        _apply(doc, {"circulating": max(0, doc.circulating - 1)}, "阅毕", row.reader, at, note,
               f"{row.reader} 阅毕 {doc.no}")
    return row


def circulation_of(doc: IncomingDoc) -> list[Circulation]:
    return list(Circulation.select().where(Circulation.doc_id == doc.id).order_by(Circulation.given_at,
                                                                                  Circulation.id))


def remind_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """催办: each reminder is logged (how, to whom, what they said)."""
    doc = _fresh(doc)
    _need(doc, IN_ACTIVE, "催办")
    errors: dict[str, str] = {}
    at = _step_time(data, doc, errors)
    way = _choice(data, "way", "催办方式", REMIND_WAYS, errors, REMIND_WAYS[0])
    to = _name(data, "to", "被催办人", errors) or doc.handler or doc.handler_dept
    note = text_field(data, errors, "note", "催办情况", max_len=300)
    if errors:
        raise ValidationError(errors)
    change = {"reminders": doc.reminders + 1, "last_reminded_at": at}
    return _apply(doc, change, "催办", to, at, f"{way}：{note}" if note else way,
                  f"催办 {doc.no}（第 {doc.reminders + 1} 次，{way}）")


def finish_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """办结: the result (办理结果), the 复文号 of any reply, the 办结日期."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "办结")
    errors: dict[str, str] = {}
    result = text_field(data, errors, "result", "办理结果", required=True, max_len=1000)
    reply_no = normalize_doc_no(text_field(data, errors, "reply_no", "复文号", max_len=60))
    done_on = _date(data.get("done_on"), "办结日期", "done_on", errors) or clock.today()
    if done_on < doc.received_on:
        errors.setdefault("done_on", f"办结日期不能早于收文日期（{doc.received_on}）")
    elif done_on > clock.today():
        errors.setdefault("done_on", "办结日期不能晚于今天")
    by = _name(data, "by", "经办人", errors) or doc.handler
    if errors:
        raise ValidationError(errors)
    at = max(dt.datetime.combine(done_on, now().time()) if done_on < clock.today() else now(),
             doc.received_at or dt.datetime.min)
    change = {"result": result, "reply_no": reply_no, "done_on": done_on, "status": IN_DONE}
    return _apply(doc, change, "办结", by, at, result + (f"（复文 {reply_no}）" if reply_no else ""),
                  f"办结 {doc.no}")


def archive_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """归档: 档号 / 卷号 and the 归卷日期."""
    doc = _fresh(doc)
    _need(doc, [IN_DONE, IN_RETURNED], "归档（请先办结）")
    errors: dict[str, str] = {}
    archive_no = text_field(data, errors, "archive_no", "档号", max_len=60)
    volume_no = text_field(data, errors, "volume_no", "卷号", max_len=40)
    if not archive_no and not volume_no:
        errors["archive_no"] = "请填写档号或卷号"
    day = _date(data.get("archived_on"), "归卷日期", "archived_on", errors) or clock.today()
    if day > clock.today():
        errors.setdefault("archived_on", "归卷日期不能晚于今天")
    elif day < (doc.done_on or doc.received_on):
        errors.setdefault("archived_on", f"归卷日期不能早于{'办结' if doc.done_on else '收文'}日期")
    if doc.circulating:
        errors.setdefault("archive_no", f"还有 {doc.circulating} 人没有退回传阅的文件")
    if errors:
        raise ValidationError(errors)
    change = {"archive_no": archive_no, "volume_no": volume_no, "archived_on": day, "status": IN_ARCHIVED}
    return _apply(doc, change, "归档", current_actor(), now(), f"档号 {archive_no} 卷号 {volume_no}".strip(),
                  f"归档 {doc.no}")


STEP_LABELS = {"review": "初审", "propose": "拟办意见", "instruct": "领导批示", "assign": "交办承办",
               "circulate": "传阅", "remind": "催办", "finish": "办结", "archive": "归档"}


def next_actions(doc: IncomingDoc | dict) -> list[str]:
    """The steps that can be recorded now, the usual next one first."""
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k)
    if get("voided"):
        return []
    s = get("status")
    if s == IN_REVIEW:
        return ["review"]
    if s == IN_PROPOSE:
        return ["propose", "instruct", "assign", "circulate", "finish"]
    if s == IN_INSTRUCT:
        return ["instruct", "propose", "assign", "circulate", "finish"]
    if s == IN_ASSIGN:
        return ["assign", "instruct", "circulate", "finish"]
    if s == IN_HANDLING:
        return ["finish", "remind", "circulate", "assign", "instruct"]
    if s == IN_DONE:
        return ["archive", "circulate"]
    if s == IN_RETURNED:
        return ["archive"]
    return []


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


def due_text(due: dt.date, today: dt.date | None = None) -> str:
    """"逾期 2 个工作日", "今天到期", "明天到期", "还有 3 个工作日"."""
    today = today or clock.today()
    if due < today:
        n = workdays.working_days_between(due, today)
        return f"逾期 {n} 个工作日" if n else f"逾期 {(today - due).days} 天（均为休息日）"
    if due == today:
        return "今天到期"
    if due == today + dt.timedelta(days=1):
        return "明天到期"
    return f"还有 {workdays.working_days_between(today, due)} 个工作日"


# ---------------------------------------------------------------------------------------------- 收文 ↔ 快递


def _parcel_value(parcel: Any, *names: str) -> str:
    for n in names:
        v = getattr(parcel, n, None)
        if v:
            return str(v)
    return ""


def create_incoming_from_parcel(parcel: Any, data: dict, *, confirm_duplicate: bool = False) -> IncomingDoc:
    """A parcel turned out to hold a document: register it as 收文, copying the sender and keeping the link."""
    values = dict(data)
    values.setdefault("sender_org", _parcel_value(parcel, "sender_org", "sender_company", "sender"))
    if not values.get("received_at") and not values.get("received_on"):
        got = getattr(parcel, "received_at", None)
        values["received_at"] = got if isinstance(got, dt.datetime) else now()
    values["parcel_id"] = parcel.id
    waybill = _parcel_value(parcel, "waybill", "waybill_no", "tracking_no", "no")
    if waybill and "来自快递" not in (values.get("note") or ""):
        values["note"] = (f"来自快递 {waybill}　" + (values.get("note") or "")).strip()
    doc = register_incoming(values, confirm_duplicate=confirm_duplicate)
    _event("incoming", doc.id, "关联快递", "", now(), waybill)
    return doc


def incoming_for_parcel(parcel_id: int) -> list[IncomingDoc]:
    return list(IncomingDoc.select().where(IncomingDoc.parcel_id == parcel_id).order_by(IncomingDoc.id))


def outgoing_for_dispatch(dispatch_id: int) -> list[OutgoingDoc]:
    return list(OutgoingDoc.select().where(OutgoingDoc.dispatch_id == dispatch_id).order_by(OutgoingDoc.id))


def link_label(ledger: str, record_id: int | None) -> str:
    """"来自快递 SF1234…" / "寄出：SF1234…" for a linked parcel or dispatch ("" while parcels is not built)."""
    if not record_id:
        return ""
    try:
        from neiqin.models import parcels
    except ImportError:
        return ""
    model = getattr(parcels, "Parcel" if ledger == "parcels" else "Dispatch", None)
    rec = model.get_or_none(model.id == record_id) if model is not None else None
    number = _parcel_value(rec, "waybill", "waybill_no", "tracking_no", "no") if rec else ""
    number = number or f"#{record_id}"
    return f"来自快递 {number}" if ledger == "parcels" else f"寄出：{number}"


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


# ---------------------------------------------------------------------------------------------- 发文


class NumberTaken(ValidationError):
    def __init__(self, earlier: OutgoingDoc, key: str = "doc_no"):
        self.earlier = earlier
        state = "（已作废，号码不再使用）" if earlier.voided else ""
        super().__init__({key: f"发文字号 {earlier.doc_no} 已被使用：{earlier.issued_on}《{earlier.title}》{state}"})


def _org_list(data: dict, key: str, label: str, errors: dict) -> str:
    v = data.get(key)
    if isinstance(v, list | tuple):
        v = "、".join(str(x).strip() for x in v if str(x).strip())
    v = re.sub(r"\s*[,，;；]\s*", "、", str(v or "").strip())
    if len(v) > 500:
        errors.setdefault(key, f"{label}不能超过 500 字")
    return v


def validate_outgoing(data: dict, record: OutgoingDoc | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    issued_on = _date(data.get("issued_on"), "发文日期", "issued_on", errors) or clock.today()
    if issued_on > clock.today() + dt.timedelta(days=30):
        errors.setdefault("issued_on", "发文日期不能晚于一个月后")
    if record is not None and issued_on.year != record.year:
        errors.setdefault("issued_on", f"{record.doc_no} 按 {record.year} 年编号，发文日期不能改到其他年份")
    out["issued_on"] = issued_on
    out["title"] = text_field(data, errors, "title", "文件标题", required=True, max_len=300)
    out["kind"] = _choice(data, "kind", "文种", DOC_KINDS, errors, "通知")
    out["secrecy"], out["secrecy_years"] = _secrecy(data, errors)
    out["urgency"] = _choice(data, "urgency", "紧急程度", URGENCY, errors, URGENCY_NONE)
    out["main_to"] = _org_list(data, "main_to", "主送", errors)
    out["copy_to"] = _org_list(data, "copy_to", "抄送", errors)
    if not out["main_to"] and not data.get("_import"):
        errors.setdefault("main_to", "请填写主送机关")
    did, drafter, ddept = _person(data.get("drafter"))
    out["drafter"] = drafter
    out["drafter_dept"] = str(data.get("drafter_dept") or "").strip() or ddept
    if len(out["drafter_dept"]) > 60:
        errors.setdefault("drafter_dept", "拟稿部门不能超过 60 字")
    out["reviewer"] = _name(data, "reviewer", "核稿人", errors)
    out["signer"] = _name(data, "signer", "签发人", errors, required=not data.get("_import"))
    out["signed_on"] = _date(data.get("signed_on"), "签发日期", "signed_on", errors)
    if out["signed_on"] and out["signed_on"] > issued_on:
        errors.setdefault("signed_on", f"签发日期不能晚于发文日期（{issued_on}）")
    out["copies"] = _int(data.get("copies"), "份数", "copies", errors, 1, 9999, default=1)
    out["print_copies"] = _int(data.get("print_copies"), "印制份数", "print_copies", errors, 0, 99999, default=0)
    out["attachments"] = text_field(data, errors, "attachments", "附件", max_len=200)
    out["note"] = text_field(data, errors, "note", "备注", max_len=1000)
    if record is None:
        code = str(data.get("code") or "").strip()
        typed = normalize_doc_no(str(data.get("doc_no") or ""))
        if typed:
            if len(typed) > 60:
                errors.setdefault("doc_no", "发文字号不能超过 60 字")
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
    orgs = str(data.pop("recipients", "") or "")
    if orgs and not data.get("main_to"):
        main, _, cc = orgs.partition("抄送")
        data["main_to"] = main.replace("主送", "").strip("：: ；;")
        data["copy_to"] = cc.strip("：: ；;")
    if data.get("archived_on") or data.get("volume_no"):
        data["status"] = OUT_ARCHIVED
    return data


def _recipients_text(row: dict) -> str:
    main, cc = row.get("main_to") or "", row.get("copy_to") or ""
    return f"主送：{main}" + (f"；抄送：{cc}" if cc else "") if main or cc else ""


OUTGOING = register_ledger(NumberedLedgerSpec(
    key="outgoing",
    title="发文登记簿",
    tab_title="发文",
    model=OutgoingDoc,
    columns=[
        Column("seq", "顺序号", 5, kind="int", align="center", importable=False),
        Column("issued_on", "发文日期", 10, kind="date", sortable=True, aliases=("日期",)),
        Column("doc_no", "发文字号", 16, aliases=("文号", "发文文号")),
        Column("title", "文件标题", 28, aliases=("标题", "文件名称")),
        Column("attachments", "附件", 8),
        Column("secrecy", "密级", 5, value=lambda r: secrecy_mark(r.get("secrecy"), r.get("secrecy_years"))),
        Column("copies", "份数", 4, kind="int", align="center"),
        Column("recipients", "主送/抄送", 20, value=_recipients_text, aliases=("发往机关", "主送机关")),
        Column("drafter_dept", "拟稿部门", 8),
        Column("drafter", "拟稿人", 6),
        Column("reviewer", "核稿", 6, aliases=("核稿人",)),
        Column("signer", "签发人", 6),
        Column("print_copies", "印制份数", 5, kind="int", align="center"),
        Column("distribution", "分发范围", 14, importable=False),
        Column("receivers", "签收人", 10, importable=False),
        Column("archived_on", "归卷日期", 10, kind="date"),
        Column("volume_no", "归入卷号", 8, aliases=("卷号",)),
        Column("status", "状态", 6, importable=False),
    ],
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


def _apply_out(doc: OutgoingDoc, change: dict, step: str, actor: str, at: dt.datetime, note: str,
               summary: str) -> OutgoingDoc:
    with db.atomic():
        OUTGOING.update(doc, change, action=step, summary=summary, validate=False)
        _event("outgoing", doc.id, step, actor, at, note)
    return OutgoingDoc.get_by_id(doc.id)


def print_outgoing(doc: OutgoingDoc, data: dict) -> OutgoingDoc:
    """印制: how many copies were printed (and when)."""
    doc = _fresh_out(doc)
    if doc.status == OUT_ARCHIVED:
        raise NeiqinError(f"{doc.doc_no} 已归档")
    errors: dict[str, str] = {}
    n = _int(data.get("print_copies"), "印制份数", "print_copies", errors, 1, 99999, default=doc.print_copies or 0)
    at = _moment(data.get("at"), "印制时间", "at", errors, default=now())
    by = _name(data, "by", "印制人", errors)
    if not n and "print_copies" not in errors:
        errors["print_copies"] = "印制份数至少为 1"
    if errors:
        raise ValidationError(errors)
    status = OUT_PRINTED if doc.status == OUT_REGISTERED else doc.status
    return _apply_out(doc, {"print_copies": n, "printed_at": at, "status": status}, "印制", by, at,
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
    if any(len(o) > 100 for o in orgs):
        errors["organisations"] = "单位名称不能超过 100 字"
    category = _choice(data, "category", "文别", DELIVERY_KINDS, errors, DELIVERY_KINDS[0])
    via = _choice(data, "via", "送达方式", DELIVERY_VIA, errors, DELIVERY_VIA[0])
    copies = _int(data.get("copies"), "每家份数", "copies", errors, 1, 999, default=doc.copies or 1)
    at = _moment(data.get("sent_at"), "发出时间", "sent_at", errors, default=now())
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
        _apply_out(doc, {**summary, "status": status}, "分发", "", at,
                   f"{via}：{'、'.join(orgs)}", f"分发 {doc.doc_no}：{len(orgs)} 家")
    return rows


def sign_delivery(row: Delivery, data: dict) -> Delivery:
    """签收: who signed the 送文簿 for that organisation, and when."""
    row = Delivery.get_by_id(row.id)
    doc = _fresh_out(OutgoingDoc.get_by_id(row.doc_id))
    if row.signed_at is not None:
        raise NeiqinError(f"{row.organisation} 已于 {row.signed_at:%Y-%m-%d %H:%M} 由 {row.signed_by} 签收")
    errors: dict[str, str] = {}
    by = _name(data, "signed_by", "签收人", errors, required=True)
    at = _moment(data.get("signed_at"), "签收时间", "signed_at", errors, default=now(), not_before=row.sent_at,
                 before_label="发出时间")
    note = text_field(data, errors, "note", "备注", max_len=200)
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
        _apply_out(doc, {**summary, "status": status}, "签收", by, at, row.organisation,
                   f"{row.organisation} 签收 {doc.doc_no}（{by}）")
    return row


def archive_outgoing(doc: OutgoingDoc, data: dict) -> OutgoingDoc:
    doc = _fresh_out(doc)
    if doc.status == OUT_ARCHIVED:
        raise NeiqinError(f"{doc.doc_no} 已归档")
    errors: dict[str, str] = {}
    archive_no = text_field(data, errors, "archive_no", "档号", max_len=60)
    volume_no = text_field(data, errors, "volume_no", "卷号", max_len=40)
    if not archive_no and not volume_no:
        errors["archive_no"] = "请填写档号或卷号"
    day = _date(data.get("archived_on"), "归卷日期", "archived_on", errors) or clock.today()
    if day > clock.today():
        errors.setdefault("archived_on", "归卷日期不能晚于今天")
    elif day < doc.issued_on:
        errors.setdefault("archived_on", f"归卷日期不能早于发文日期（{doc.issued_on}）")
    if errors:
        raise ValidationError(errors)
    change = {"archive_no": archive_no, "volume_no": volume_no, "archived_on": day, "status": OUT_ARCHIVED}
    return _apply_out(doc, change, "归档", current_actor(), now(), f"档号 {archive_no} 卷号 {volume_no}".strip(),
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


# ---------------------------------------------------------------------------------------------- 今日


@section("incoming_due", "收文催办", 30, ledger="incoming")
def _today_incoming(today: dt.date) -> list[TodayItem]:
    """收文 past their 办理期限 (red) and due within two working days (amber)."""
    limit = due_soon_limit(today)
    q = (IncomingDoc.select(IncomingDoc.id, IncomingDoc.no, IncomingDoc.title, IncomingDoc.due_date,
                            IncomingDoc.handler, IncomingDoc.handler_dept, IncomingDoc.reminders)
         .where(IncomingDoc.status.in_(IN_ACTIVE) & (IncomingDoc.voided == False)  # noqa: E712
                & (IncomingDoc.due_date <= limit))
         .order_by(IncomingDoc.due_date, IncomingDoc.id).limit(200))
    items = []
    for d in q:
        who = " ".join(p for p in (d.handler_dept, d.handler) if p)
        title = d.title if len(d.title) <= 24 else d.title[:23] + "…"
        text = f"{d.no} {title} — {due_text(d.due_date, today)}" + (f"（承办：{who}）" if who else "（未交办）")
        if d.reminders:
            text += f"，已催办 {d.reminders} 次"
        items.append(TodayItem(text, "incoming", d.id, OVERDUE if d.due_date < today else DUE, d.due_date,
                               d.handler or d.handler_dept))
    return items


@section("outgoing_unsigned", "发文待签收", 32, ledger="outgoing")
def _today_outgoing(today: dt.date) -> list[TodayItem]:
    """送文簿 rows sent three or more days ago that nobody has signed for yet."""
    cut = dt.datetime.combine(today - dt.timedelta(days=3), dt.time.max)
    q = (Delivery.select(Delivery, OutgoingDoc).join(OutgoingDoc, on=(Delivery.doc_id == OutgoingDoc.id))
         .where(Delivery.signed_at.is_null() & (Delivery.sent_at <= cut) & (OutgoingDoc.voided == False))  # noqa: E712
         .order_by(Delivery.sent_at).limit(100))
    return [TodayItem(f"{d.outgoingdoc.doc_no} 送 {d.organisation}（{d.sent_at:%m-%d} 发出，封号 {d.envelope_label}）"
                      "尚未签收", "outgoing", d.doc_id, DUE, d.sent_at) for d in q]


MODELS = [IncomingDoc, OutgoingDoc, DocEvent, Circulation, Delivery]


# ---------------------------------------------------------------------------------------------- demo data

DEMO_SENDERS = ["市人民政府办公室", "市发展和改革委员会", "市住房和城乡建设局", "市财政局", "市人民政府国有资产监督管理委员会",
                "市应急管理局", "市生态环境局", "市审计局", "国家税务总局某某市税务局", "区人民政府办公室",
                "市人力资源和社会保障局", "市交通运输局", "市自然资源和规划局", "市总工会", "市消防救援支队",
                "某某银行股份有限公司某某分行", "市建筑业协会"]
DEMO_CODES = {"市人民政府办公室": "某政办发", "市发展和改革委员会": "某发改投资", "市住房和城乡建设局": "某建发",
              "市财政局": "某财建", "市人民政府国有资产监督管理委员会": "某国资发", "市应急管理局": "某应急",
              "市生态环境局": "某环发", "市审计局": "某审发", "国家税务总局某某市税务局": "某税发",
              "区人民政府办公室": "某区政办", "市人力资源和社会保障局": "某人社发", "市交通运输局": "某交发",
              "市自然资源和规划局": "某自然资规", "市总工会": "某工发", "市消防救援支队": "某消"}
DEMO_TOPICS = [("关于做好{y}年度安全生产工作的通知", "通知"), ("关于开展城市更新项目调研的函", "函"),
               ("关于报送{y}年投资计划执行情况的通知", "通知"), ("关于进一步加强国有企业财务管理的意见", "意见"),
               ("关于{y}年第一季度经济运行情况的通报", "通报"), ("关于做好节假日期间值班工作的通知", "通知"),
               ("关于转发《建设工程质量管理条例》实施细则的通知", "通知"), ("关于召开重点项目推进会的通知", "通知"),
               ("关于某某片区改造项目资金拨付的批复", "批复"), ("关于开展审计整改“回头看”的通知", "通知"),
               ("关于规范工程建设项目招标投标活动的通知", "通知"), ("关于印发《国有资产监管工作要点》的通知", "通知"),
               ("关于商请协助提供项目资料的函", "函"), ("关于做好防汛防台风工作的紧急通知", "通知"),
               ("市政府常务会议纪要", "纪要"), ("关于表彰先进集体和先进个人的决定", "决定"),
               ("关于落实减税降费政策的通知", "通知"), ("关于征求《城市建设管理办法（征求意见稿）》意见的函", "函")]
DEMO_RESULTS = ["已按要求报送", "已组织落实并书面报告", "已转相关部门执行", "已参会并传达", "已复函",
                "已阅知，无需办理", "已按批示意见办理完毕"]
DEMO_OUT_TITLES = [("关于{y}年度投资计划的请示", "请示", "公司发"), ("关于报送安全生产工作总结的报告", "报告", "公司发"),
                   ("关于商请办理项目用地手续的函", "函", "公司函"), ("关于调整办公时间的通知", "通知", "办字"),
                   ("关于某某项目竣工验收情况的报告", "报告", "公司发"), ("关于提供项目资料的复函", "函", "公司函"),
                   ("关于召开年度工作会议的通知", "通知", "办字"), ("关于申请拨付项目资本金的请示", "请示", "公司发")]


def _demo_moment(rng: random.Random, day: dt.date, moment: dt.datetime) -> dt.datetime:
    t = dt.datetime.combine(day, dt.time(8, 40)) + dt.timedelta(minutes=rng.randrange(0, 480))
    return min(t, moment - dt.timedelta(minutes=rng.randrange(30, 90)))


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """A year of 收文 and 发文 in every state: archived, done, in hand (some overdue, some due tomorrow)."""
    if IncomingDoc.select().exists() or not staff:
        return {}
    moment = now()
    today = moment.date()
    leaders = staff[:4]
    office = staff[4:8] or staff
    n_in = max(24, min(rows // 2, 160))
    n_out = max(8, min(rows // 6, 50))
    first = today - dt.timedelta(days=330)
    with write_transaction():
        for i in range(n_in):
            recent = i >= n_in - 14
            if recent:  # the last fortnight's mail, still in hand
                day = today - dt.timedelta(days=(n_in - 1 - i) // 3)
            else:
                day = min(workdays.next_working_day(first + dt.timedelta(days=(today - first).days * i // n_in)),
                          today)
            at = _demo_moment(rng, day, moment)
            sender = rng.choice(DEMO_SENDERS)
            title, kind = rng.choice(DEMO_TOPICS)
            code = DEMO_CODES.get(sender)
            urgent = rng.random() < 0.12
            secret = rng.random() < 0.06
            data = {"received_at": at, "signed_by": rng.choice(office).name, "sender_org": sender,
                    "sender_no": f"{code}〔{day.year}〕{rng.randrange(1, 180)}号" if code else "",
                    "title": title.format(y=day.year), "kind": "信函" if not code and kind == "函" else kind,
                    "urgency": rng.choice(["加急", "特急"]) if urgent else URGENCY_NONE,
                    "secrecy": "秘密" if secret else (rng.choice(["内部", SECRECY_NONE, SECRECY_NONE])),
                    "secrecy_years": 5 if secret else None, "copies": rng.choice([1, 1, 1, 2, 3]),
                    "pages": rng.randrange(2, 30), "attachments": rng.choice(["", "", "", "附件1份", "附表2张"]),
                    "deadline_days": rng.choice([3, 5, 5, 10]) if urgent or rng.random() < 0.5 else None,
                    "deadline_rule": workdays.WORKING}
            if data["sender_no"] and find_duplicate(sender, data["sender_no"]):
                data["sender_no"] = f"{code}〔{day.year}〕{200 + i}号"
            doc = register_incoming(data, confirm_duplicate=True)
            t = at
            last = i >= n_in - 3

            def step(minutes: int, floor: dt.datetime = at) -> dt.datetime:
                nonlocal t
                t = max(min(t + dt.timedelta(minutes=minutes), moment - dt.timedelta(minutes=5)), floor)
                return t

            if last:
                continue  # this morning's mail, still waiting for 初审
            if i % 29 == 7:
                review_incoming(doc, {"by": office[0].name, "at": step(30), "passed": False,
                                      "reason": "来文无正式文号且未加盖公章，已退回来文单位补正"})
                continue
            doc = review_incoming(doc, {"by": office[0].name, "at": step(20)})
            if i >= n_in - 5:
                continue
            lead = leaders[i % len(leaders)]
            dept = rng.choice(staff[8:] or staff)
            doc = propose_incoming(doc, {"by": office[1 % len(office)].name, "at": step(60),
                                         "opinion": f"建议由{dept.department}牵头办理，{lead.name}同志阅示。"})
            doc = instruct_incoming(doc, {"by": lead.name, "at": step(240),
                                          "instruction": rng.choice(["同意拟办意见，请抓紧落实。", "请按时办结并报告。",
                                                                     "请相关部门认真研究，提出意见。", "阅。请传达。"])})
            assign_day = t.date()
            due = None
            if recent and i % 3 == 0:
                due = today - dt.timedelta(days=2 + i % 3)  # overdue
            elif recent and i % 3 == 1:
                due = workdays.add_working_days(today, 1)  # due tomorrow (next working day)
            assign = {"handler": {"id": dept.id, "name": dept.name, "department": dept.department},
                      "at": step(60), "deadline_days": 5, "deadline_rule": workdays.WORKING}
            if due is not None:
                assign.update(due_date=max(due, doc.received_on), deadline_days=None)
            doc = assign_incoming(doc, assign)
            if rng.random() < 0.4:
                readers = rng.sample(leaders, k=min(2, len(leaders)))
                rows_c = circulate_incoming(doc, {"readers": [{"id": r.id, "name": r.name} for r in readers],
                                                  "at": step(30)})
                for c in rows_c[: 1 if recent else len(rows_c)]:
                    return_circulation(c, {"at": step(120)})
            if recent:
                if doc.due_date and doc.due_date < today:
                    remind_incoming(doc, {"at": step(30), "way": "电话", "note": "承办人称正在汇总材料"})
                continue
            doc = IncomingDoc.get_by_id(doc.id)
            done_on = min(today, (doc.due_date or assign_day) - dt.timedelta(days=rng.randrange(0, 2)))
            done_on = max(done_on, doc.received_on)
            doc = finish_incoming(doc, {"result": rng.choice(DEMO_RESULTS), "done_on": done_on,
                                        "reply_no": f"公司函〔{done_on.year}〕{i + 1}号" if kind == "函" else ""})
            if doc.circulating == 0 and done_on < today - dt.timedelta(days=75) and rng.random() < 0.85:
                archive_incoming(doc, {"archive_no": f"0001-WS·{done_on.year}-D10-{i + 1:04d}",
                                       "volume_no": f"{done_on.year}-{done_on.month:02d}", "archived_on": min(
                                           today, done_on + dt.timedelta(days=20))})
        wrong = IncomingDoc.select().where(IncomingDoc.status == IN_HANDLING).order_by(IncomingDoc.id).first()
        if wrong is not None:
            INCOMING.void(wrong, "重复登记（同一文件已于前一日登记）")
        # 发文
        from neiqin.models.addresses import organisation_names

        orgs = organisation_names() or DEMO_SENDERS
        for j in range(n_out):
            day = first + dt.timedelta(days=(today - first).days * j // n_out) if j < n_out - 5 else today
            day = min(workdays.next_working_day(day), today)
            title, kind, code = DEMO_OUT_TITLES[j % len(DEMO_OUT_TITLES)]
            drafter = rng.choice(staff)
            main = rng.sample(orgs, k=min(len(orgs), rng.choice([1, 1, 2])))
            cc = rng.sample(orgs, k=min(len(orgs), rng.choice([0, 1, 2])))
            cc = [o for o in cc if o not in main]
            doc = register_outgoing({
                "issued_on": day, "code": code, "title": title.format(y=day.year), "kind": kind,
                "urgency": "加急" if j % 7 == 3 else URGENCY_NONE, "main_to": main, "copy_to": cc,
                "drafter": {"id": drafter.id, "name": drafter.name, "department": drafter.department},
                "reviewer": office[0].name, "signer": leaders[j % len(leaders)].name,
                "signed_on": day, "copies": 1, "print_copies": len(main) + len(cc) + 2,
                "attachments": "" if j % 3 else "附件2份"})
            if j >= n_out - 2:
                continue  # registered today, not printed yet
            sent = max(_demo_moment(rng, day, moment), dt.datetime.combine(day, dt.time(0, 0)))
            print_outgoing(doc, {"print_copies": doc.print_copies, "at": sent})
            rows_d = add_deliveries(doc, {"organisations": main + cc, "via": rng.choice(DELIVERY_VIA[:4]),
                                          "category": "急件" if doc.urgency != URGENCY_NONE else "普通",
                                          "sent_at": sent})
            if j >= n_out - 4:
                continue  # on their way
            if j == n_out - 7:  # about two weeks ago, one recipient has not signed for it yet: 今日 lists it
                rows_d = rows_d[:-1]
            for r in rows_d:
                sign_delivery(r, {"signed_by": rng.choice("王李张刘陈杨赵周") + rng.choice("敏强军华丽静洁"),
                                  "signed_at": max(sent, min(moment, dt.datetime.combine(
                                      sent.date() + dt.timedelta(days=rng.randrange(0, 2)),
                                      dt.time(9 + rng.randrange(0, 8), rng.randrange(0, 60)))))})
            if day < today - dt.timedelta(days=40):
                archive_outgoing(doc, {"archive_no": f"0001-WS·{day.year}-Y-{j + 1:04d}",
                                       "volume_no": f"{day.year}-发文", "archived_on": day + dt.timedelta(days=30)})
    return {"incoming": IncomingDoc.select().count(), "outgoing": OutgoingDoc.select().count()}


def bulk_documents(n: int, seed: int = 7, *, years: int = 3,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` past 收文 (done or archived) spread over ``years`` years, with search index, fast.

    For benchmarks and the 今日 / global-search work: one audit entry for the whole batch.
    """
    rng = random.Random(seed)
    today = clock.today()
    start = today - dt.timedelta(days=365 * years)
    handlers = [(s.department, s.name) for s in Staff.select(Staff.name, Staff.department).limit(60)] or \
        [("办公室", "王芳"), ("财务部", "李强"), ("工程部", "张伟")]
    done = 0
    batch = 5000
    with write_transaction():
        last_id = IncomingDoc.select(pw.fn.MAX(IncomingDoc.id)).scalar() or 0
        while done < n:
            k = min(batch, n - done)
            days = sorted(start + dt.timedelta(days=(done + i) * (today - start).days // max(n, 1)) for i in range(k))
            numbers = []
            for year in sorted({d.year for d in days}):
                numbers += INCOMING_NO.take_many(sum(d.year == year for d in days), year)
            rows = []
            for day, number in zip(days, numbers, strict=True):
                year = day.year
                sender = rng.choice(DEMO_SENDERS)
                code = DEMO_CODES.get(sender, "某发")
                title, kind = rng.choice(DEMO_TOPICS)
                dept, person = rng.choice(handlers)
                received = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=rng.randrange(0, 480))
                done_on = min(today - dt.timedelta(days=1), day + dt.timedelta(days=rng.randrange(1, 10)))
                archived = done_on < today - dt.timedelta(days=60)
                rows.append({
                    "year": year, "serial": number.serial, "no": number.text,
                    "received_on": day, "received_at": received, "signed_by": person, "sender_org": sender,
                    "sender_no": f"{code}〔{year}〕{rng.randrange(1, 400)}号", "title": title.format(y=year),
                    "kind": kind, "secrecy": SECRECY_NONE, "urgency": URGENCY_NONE, "copies": 1,
                    "pages": rng.randrange(2, 20), "attachments": "", "status": IN_ARCHIVED if archived else IN_DONE,
                    "handler_dept": dept, "handler": person, "assigned_at": received, "deadline_rule": "",
                    "due_date": done_on, "result": rng.choice(DEMO_RESULTS), "reply_no": "", "done_on": done_on,
                    "archive_no": f"0001-WS·{year}-D10-{number.serial:04d}" if archived else "",
                    "volume_no": f"{year}-{day.month:02d}" if archived else "",
                    "archived_on": done_on + dt.timedelta(days=30) if archived else None,
                    "created_at": received, "updated_at": received,
                })
            fields = list(rows[0])
            IncomingDoc.insert_many([tuple(r[f] for f in fields) for r in rows],
                                    fields=[getattr(IncomingDoc, f) for f in fields]).execute()
            index = []
            for rid, r in enumerate(rows, last_id + 1):
                d = IncomingDoc(id=rid, **r)
                index.append((rid, *_incoming_search_parts(d)))
            INCOMING.search.put_many(index)
            last_id += k
            done += k
            if progress:
                progress(done, n)
        AuditLog.write("incoming", None, "import", f"生成演示收文 {n} 条")
    return n
