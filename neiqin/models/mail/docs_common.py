"""收发文 shared: document kinds, secrecy and urgency, the event trail, number series and the numbered ledger spec. No Qt.

Every step of a 收文 or 发文 is a :class:`DocEvent` (who, when, note) plus an audited change of the record through its
LedgerSpec. Numbers come from :mod:`neiqin.numbering`, taken inside the ``BEGIN IMMEDIATE`` write transaction that saves
the record, so two quick saves never get the same number and leave no gap; a void keeps its number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import settings, validators, workdays
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, current_actor, db, now
from neiqin.models.deadlines import DUE_SOON_WORKDAYS  # noqa: F401 - the ledgers' 即将到期
from neiqin.models.fields import Field
from neiqin.models.ledger import LedgerSpec
from neiqin.models.staff import Staff, resolve_person
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


MODELS = [DocEvent]


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
    """A person typed in a step (初审人, 印制人 …: not a field of the record), as a name of at most 40 characters."""
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
    """A choice made in a step (催办方式, 文别 …: not a field of the record)."""
    v = str(data.get(key) or "").strip() or default
    if v not in choices:
        errors.setdefault(key, f"{label}应为：{'、'.join(choices)}")
    return v


def _person_names(data: dict, *keys: str) -> dict:
    """``data`` with each person field (a name, a staff id or a picked person) as the typed or chosen name, ready for
    the ledger's ``Fields.clean``."""
    out = dict(data)
    for key in keys:
        if key in out:
            out[key] = _person(out[key])[1]
    return out


def _secrecy(out: dict, errors: dict) -> None:
    """保密期限 against the 密级 (GB/T 9704): none for 普通 and 内部, at most 10/20/30 years; 0 means not marked."""
    level, years = out["secrecy"], out["secrecy_years"] or None
    out["secrecy_years"] = years
    if years is not None and "secrecy_years" not in errors and "secrecy" not in errors:
        top = SECRECY_MAX_YEARS.get(level)
        if top is None:
            errors["secrecy_years"] = f"密级为“{level}”的文件不设保密期限"
        elif years > top:
            errors["secrecy_years"] = f"{level}文件的保密期限最长 {top} 年"


# ---------------------------------------------------------------------------------------------- shared fields
# The fields 收文 and 发文 have in common, declared once; each ledger's Fields lists them among its own.


def _urgency_text(row: dict) -> str:
    return "" if row.get("urgency") == URGENCY_NONE else row.get("urgency") or ""


def _secrecy_text(row: dict) -> str:
    return secrecy_mark(row.get("secrecy"), row.get("secrecy_years"))


DOC_FIELDS = {f.key: f for f in (
    Field("title", "文件标题", required=True, max_len=300, width=24, aliases=("标题", "文件名称")),
    Field("kind", "文种", "choice", choices=tuple(DOC_KINDS), default="通知", max_len=10, width=5),
    Field("secrecy", "密级", "choice", choices=tuple(SECRECY), default=SECRECY_NONE, max_len=4, width=5,
          value=_secrecy_text),
    Field("secrecy_years", "保密期限（年）", "int", lo=0, hi=30, placeholder="0 表示不标注", importable=False),
    Field("urgency", "紧急程度", "choice", choices=tuple(URGENCY), default=URGENCY_NONE, max_len=4, width=5,
          aliases=("缓急", "紧急"), value=_urgency_text),
    Field("copies", "份数", "int", lo=1, hi=9999, default=1, width=4, align="center"),
    Field("attachments", "附件", max_len=200, width=8, history=True),
    Field("archive_no", "档号", max_len=60, in_form=False, importable=False,
          placeholder="如 0001-WS·2026-D10-0001"),
    Field("volume_no", "卷号", header="归入卷号", max_len=40, width=8, in_form=False),
    Field("archived_on", "归卷日期", "date", width=10, in_form=False),
    Field("note", "备注", "multiline", width=12),
)}


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


def apply_step(spec: LedgerSpec, doc: VoidableModel, change: dict, step: str, actor: str, at: dt.datetime,
               note: str, summary: str) -> VoidableModel:
    """One processing step of a 收文 or 发文: the audited change of the record and its DocEvent, in one
    transaction; the record as it now is."""
    with db.atomic():
        spec.update(doc, change, action=step, summary=summary, validate=False)
        _event(doc.EVENT_LEDGER, doc.id, step, actor, at, note)
    return type(doc).get_by_id(doc.id)


def _event(ledger: str, doc_id: int, step: str, actor: str, at: dt.datetime, note: str = "") -> DocEvent:
    return DocEvent.create(ledger=ledger, doc_id=doc_id, step=step, actor=actor or "", at=at, note=note or "")


def events_of(doc: VoidableModel) -> list[DocEvent]:
    """The trail of a 收文 or 发文 (each table names its ledger in ``EVENT_LEDGER``), oldest first."""
    ledger = doc.EVENT_LEDGER
    return list(DocEvent.select().where((DocEvent.ledger == ledger) & (DocEvent.doc_id == doc.id))
                .order_by(DocEvent.at, DocEvent.id))


def _split_secrecy(data: dict) -> dict:
    """An exported 密级 cell such as ``秘密★5年`` back into level and years."""
    mark = str(data.get("secrecy") or "").strip()
    if "★" in mark:
        level, _, term = mark.partition("★")
        data["secrecy"] = level.strip()
        years = re.sub(r"\D", "", term)
        data["secrecy_years"] = int(years) if years else None
    return data


def archive_values(fields: Any, data: dict, errors: dict, floor: dt.date, floor_label: str) -> dict:
    """归档 of a 收文 or a 发文: 档号 or 卷号 (one is needed) and the 归卷日期 (today unless typed; not in the future,
    not before ``floor``, which the sentence names as ``floor_label``), checked by the ledger's declaration."""
    typed = fields.clean(data, errors, ("archive_no", "volume_no", "archived_on"))
    if not typed["archive_no"] and not typed["volume_no"]:
        errors["archive_no"] = "请填写档号或卷号"
    day = typed["archived_on"] = typed["archived_on"] or clock.today()
    if day > clock.today():
        errors.setdefault("archived_on", "归卷日期不能晚于今天")
    elif day < floor:
        errors.setdefault("archived_on", f"归卷日期不能早于{floor_label}")
    return typed
