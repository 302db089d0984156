"""收文 processing: 初审 (or back to the sender), 拟办意见, 领导批示, 交办承办 with a 办理期限 (自然日 or 工作日, see
:mod:`neiqin.models.workdays`), 传阅, 催办 until 办结 (result, 复文号), and 归档 (档号 / 卷号). No Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import current_actor, db, now
from neiqin.models.fields import Field, Fields, FormField
from neiqin.models.mail.docs_common import (
    IN_ACTIVE,
    IN_ARCHIVED,
    IN_ASSIGN,
    IN_DONE,
    IN_HANDLING,
    IN_INSTRUCT,
    IN_PROPOSE,
    IN_RETURNED,
    IN_REVIEW,
    REMIND_WAYS,
    URGENT,
    _known,
    _moment,
    _name,
    _person,
    apply_step,
    archive_values,
    normalize_doc_no,
)
from neiqin.models.mail.incoming import INCOMING, INCOMING_FIELDS, Circulation, IncomingDoc, _deadline_fields

# ---------------------------------------------------------------------------------------------- 收文: steps

# The steps' own fields (who, when, what was said; not columns of the register): declared once, each step under its
# own labels and lengths. The step forms (ui/mail/incoming_pane.py) and the checks below take them from here.
_STEP = Fields(
    "incoming",
    Field("passed", "初审结果", "choice", choices=("通过", "退回来文单位"), default="通过", stored=False),
    Field("reason", "退回原因", max_len=300, placeholder="退回时必填", stored=False),
    Field("by", "经办人", "staff", stored=False),
    Field("at", "办理时间", "datetime", stored=False),
    Field("note", "说明", max_len=300, stored=False),
    Field("readers", "传阅人", required=True, max_len=500, placeholder="多人用“、”分开，如 李强、赵敏", stored=False),
    Field("way", "催办方式", "choice", choices=tuple(REMIND_WAYS), default=REMIND_WAYS[0], stored=False),
    Field("to", "被催办人", "staff", stored=False),
)
STEP_FIELDS = {
    "review": _STEP.pick("passed", "reason", "by", "at", by={"label": "初审人", "required": True},
                         at={"label": "初审时间"}),
    "propose": _STEP.pick("by", "at", by={"label": "拟办人", "required": True}, at={"label": "时间"}),
    "instruct": _STEP.pick("by", "at", by={"label": "批示领导", "required": True}, at={"label": "批示时间"}),
    "assign": _STEP.pick("at", "note", at={"label": "交办时间"}, note={"label": "交办说明"}),
    "circulate": _STEP.pick("readers", "at", "note", at={"label": "送阅时间"}, note={"max_len": 200}),
    "return": _STEP.pick("at", "note", at={"label": "退回时间"}, note={"label": "阅文意见", "max_len": 200}),
    "remind": _STEP.pick("way", "to", "note", "at", note={"label": "催办情况"}, at={"label": "催办时间"}),
    "finish": _STEP.pick("by"),
}


def step_form(step: str, **overrides: dict) -> list[FormField]:
    """The form fields of one step's own part (the record fields it writes come from INCOMING_FIELDS)."""
    fields = STEP_FIELDS[step]
    return fields.form(*(f.key for f in fields), **overrides)


def _label(step: str, key: str) -> str:
    return STEP_FIELDS[step][key].label


def _text(step: str, key: str, data: dict, errors: dict) -> str:
    return STEP_FIELDS[step].clean(data, errors, (key,))[key]


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


def _typed(data: dict, errors: dict, needed: str, optional: tuple[str, ...] = ()) -> dict:
    """The record fields a step writes, checked by their declaration; ``needed`` must be filled in this step."""
    out = INCOMING_FIELDS.clean(data, errors, (needed, *optional))
    if not out[needed]:
        errors.setdefault(needed, f"请填写{INCOMING_FIELDS[needed].label}")
    return out


def review_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """初审: passes on to 拟办, or goes back to the sender (退回) with a reason."""
    doc = _fresh(doc)
    _need(doc, [IN_REVIEW], "初审")
    errors: dict[str, str] = {}
    by = _name(data, "by", _label("review", "by"), errors, required=True)
    at = _step_time(data, doc, errors, label=_label("review", "at"))
    passed = data.get("passed", True)
    if isinstance(passed, str):
        passed = passed.strip() in ("通过", "是", "1", "true", "True")
    reason = _text("review", "reason", data, errors)
    if not passed and not reason:
        errors["reason"] = "退回时必须填写原因"
    if errors:
        raise ValidationError(errors)
    if passed:
        change = {"status": IN_PROPOSE, "reviewed_by": by, "reviewed_at": at}
        return apply_step(INCOMING, doc, change, "初审", by, at, reason or "通过", f"初审通过 {doc.no}")
    change = {"status": IN_RETURNED, "reviewed_by": by, "reviewed_at": at, "returned_reason": reason}
    return apply_step(INCOMING, doc, change, "退回", by, at, reason, f"退回 {doc.no}：{reason}")


def propose_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """拟办意见 (usually the office head's suggestion of who should handle it)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT], "填写拟办意见")
    errors: dict[str, str] = {}
    by = _name(data, "by", _label("propose", "by"), errors, required=True)
    at = _step_time(data, doc, errors, label=_label("propose", "at"))
    opinion = _typed(data, errors, "opinion")["opinion"]
    if errors:
        raise ValidationError(errors)
    change = {"opinion": opinion, "opinion_by": by, "opinion_at": at,
              "status": IN_INSTRUCT if doc.status == IN_PROPOSE else doc.status}
    return apply_step(INCOMING, doc, change, "拟办", by, at, opinion, f"拟办 {doc.no}")


def instruct_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """领导批示 (a leader may instruct without a 拟办意见)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "录入领导批示")
    errors: dict[str, str] = {}
    by = _name(data, "by", _label("instruct", "by"), errors, required=True)
    at = _step_time(data, doc, errors, label=_label("instruct", "at"))
    text = _typed(data, errors, "instruction")["instruction"]
    if errors:
        raise ValidationError(errors)
    instruction = f"{doc.instruction}\n{text}".strip() if doc.instruction else text
    change = {"instruction": instruction, "instructed_by": by, "instructed_at": at,
              "status": IN_ASSIGN if doc.status in (IN_PROPOSE, IN_INSTRUCT) else doc.status}
    return apply_step(INCOMING, doc, change, "批示", by, at, text, f"批示 {doc.no}（{by}）")


def assign_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """承办: the department and person who deal with it, and the 办理期限 (reassigning is allowed)."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "交办")
    errors: dict[str, str] = {}
    hid, handler, hdept = _person(data.get("handler"))
    dept = INCOMING_FIELDS.clean(data, errors, ("handler_dept",))["handler_dept"] or hdept
    if not dept and not handler:
        errors["handler_dept"] = "请填写承办单位或承办人"
    at = _step_time(data, doc, errors, label=_label("assign", "at"))
    if data.get("due_date") in (None, "") and not data.get("deadline_days") and doc.due_date:
        deadline = {"due_date": doc.due_date, "deadline_days": doc.deadline_days,
                    "deadline_rule": doc.deadline_rule}  # reassigning keeps the deadline unless a new one is given
    else:
        deadline = _deadline_fields(data, at.date() if at else doc.received_on, errors, floor=doc.received_on,
                                    required=doc.urgency in URGENT)
    note = _text("assign", "note", data, errors)
    if errors:
        raise ValidationError(errors)
    change = {"handler_dept": dept, "handler": handler, "handler_id": hid, "assigned_at": at,
              "status": IN_HANDLING, **deadline}
    due = f"，办理期限 {deadline['due_date']}" if deadline["due_date"] else ""
    step = "改办" if doc.status == IN_HANDLING else "承办"
    return apply_step(INCOMING, doc, change, step, " ".join(p for p in (dept, handler) if p), at, (note + due).strip("，"),
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
    at = _step_time(data, doc, errors, label=_label("circulate", "at"))
    note = _text("circulate", "note", data, errors)
    if errors:
        raise ValidationError(errors)
    rows = []
    with db.atomic():
        for sid, name, dept in people:
            rows.append(Circulation.create(doc_id=doc.id, reader=name, reader_id=sid, department=dept,
                                           given_at=at, note=note))
        names = "、".join(p[1] for p in people)
        apply_step(INCOMING, doc, {"circulating": doc.circulating + len(people)}, "传阅", names, at, note,
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
    at = _moment(data.get("at"), _label("return", "at"), "at", errors, default=now(), not_before=row.given_at,
                 before_label=_label("circulate", "at"))
    note = _text("return", "note", data, errors)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        row.returned_at = at
        if note:
            row.note = note
        row.save()
        apply_step(INCOMING, doc, {"circulating": max(0, doc.circulating - 1)}, "阅毕", row.reader, at, note,
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
    at = _step_time(data, doc, errors, label=_label("remind", "at"))
    remind = STEP_FIELDS["remind"]
    way = remind.clean(data, errors, ("way",))["way"] or remind["way"].default
    to = _name(data, "to", remind["to"].label, errors) or doc.handler or doc.handler_dept
    note = remind.clean(data, errors, ("note",))["note"]
    if errors:
        raise ValidationError(errors)
    change = {"reminders": doc.reminders + 1, "last_reminded_at": at}
    return apply_step(INCOMING, doc, change, "催办", to, at, f"{way}：{note}" if note else way,
                  f"催办 {doc.no}（第 {doc.reminders + 1} 次，{way}）")


def finish_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """办结: the result (办理结果), the 复文号 of any reply, the 办结日期."""
    doc = _fresh(doc)
    _need(doc, [IN_PROPOSE, IN_INSTRUCT, IN_ASSIGN, IN_HANDLING], "办结")
    errors: dict[str, str] = {}
    typed = _typed(data, errors, "result", optional=("reply_no", "done_on"))
    result, reply_no = typed["result"], normalize_doc_no(typed["reply_no"])
    done_on = typed["done_on"] or clock.today()
    if done_on < doc.received_on:
        errors.setdefault("done_on", f"办结日期不能早于收文日期（{doc.received_on}）")
    elif done_on > clock.today():
        errors.setdefault("done_on", "办结日期不能晚于今天")
    by = _name(data, "by", _label("finish", "by"), errors) or doc.handler
    if errors:
        raise ValidationError(errors)
    at = max(dt.datetime.combine(done_on, now().time()) if done_on < clock.today() else now(),
             doc.received_at or dt.datetime.min)
    change = {"result": result, "reply_no": reply_no, "done_on": done_on, "status": IN_DONE}
    return apply_step(INCOMING, doc, change, "办结", by, at, result + (f"（复文 {reply_no}）" if reply_no else ""),
                  f"办结 {doc.no}")


def archive_incoming(doc: IncomingDoc, data: dict) -> IncomingDoc:
    """归档: 档号 / 卷号 and the 归卷日期."""
    doc = _fresh(doc)
    _need(doc, [IN_DONE, IN_RETURNED], "归档（请先办结）")
    errors: dict[str, str] = {}
    typed = archive_values(INCOMING_FIELDS, data, errors, doc.done_on or doc.received_on,
                           f"{'办结' if doc.done_on else '收文'}日期")
    archive_no, volume_no, day = typed["archive_no"], typed["volume_no"], typed["archived_on"]
    if doc.circulating:
        errors.setdefault("archive_no", f"还有 {doc.circulating} 人没有退回传阅的文件")
    if errors:
        raise ValidationError(errors)
    change = {"archive_no": archive_no, "volume_no": volume_no, "archived_on": day, "status": IN_ARCHIVED}
    return apply_step(INCOMING, doc, change, "归档", current_actor(), now(), f"档号 {archive_no} 卷号 {volume_no}".strip(),
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


