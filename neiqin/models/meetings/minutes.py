"""会议记录 (minutes): drafts kept while typing, committed minutes with their decisions and action items,
amendments with a reason, and the final version. No Qt.
"""

from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, db, now
from neiqin.models.ledger import LedgerSpec
from neiqin.models.meetings.actions import (
    ACTIONS,
    CANCELLED,
    DONE,
    OPEN,
    REVIEW_OUTCOMES,
    ActionItem,
    ActionReview,
    actions_of,
    cancel_action,
    complete_action,
    reviews_of,
    validate_action,
)
from neiqin.models.meetings.attendance import ABSENT, MEMBER, MEMBER_MARKS, OBSERVER_MARKS
from neiqin.models.meetings.register import (
    MEETINGS,
    Attendee,
    Meeting,
    _update_counts,
    attendance_counts,
    cn_number,
)
from neiqin.models.meetings.schedule import (
    person,
)


class MinutesDraft(BaseModel):
    """The minutes editor's working copy, autosaved; removed when the minutes are saved."""

    meeting_id = pw.IntegerField(primary_key=True)
    body = pw.TextField()
    saved_at = pw.DateTimeField()

    class Meta:
        table_name = "minutes_draft"


MODELS = [MinutesDraft]


# ---------------------------------------------------------------------------------------------- minutes


def _owner_dict(a: ActionItem) -> dict:
    return {"id": a.owner_id, "name": a.owner, "department": a.department}


def minutes_document(m: Meeting) -> dict:
    """The committed minutes as the editor's document: items with their decisions and live action items,
    attendance rows and the review list."""
    data = m.minutes_data()
    actions = {a.id: a for a in actions_of(m)}
    items = []
    for it in data.get("items", []):
        acts = []
        for aid in it.get("actions", []):
            a = actions.get(aid)
            if a is not None and not a.voided:
                acts.append({"id": a.id, "task": a.task, "owner": _owner_dict(a), "due": a.due.isoformat(),
                             "status": a.status})
        items.append({"title": it.get("title", ""), "notes": it.get("notes", ""),
                      "decisions": list(it.get("decisions", [])), "actions": acts})
    attendance = [{"id": a.id, "name": a.label, "role": a.role, "attendance": a.attendance, "reason": a.reason}
                  for a in m.attendees.order_by(Attendee.role.desc(), Attendee.seq, Attendee.id)]
    reviews = [{"action_id": a.id, "task": a.task, "owner": a.owner, "due": a.due.isoformat(),
                "from": f"{a.meeting_title}（{a.meeting_day}）" if a.meeting_day else a.meeting_title,
                "status": a.status, "result": r.result, "outcome": r.outcome} for r, a in reviews_of(m)]
    return {"items": items, "attendance": attendance, "reviews": reviews, "summary": data.get("summary", "")}


def save_draft(meeting_id: int, doc: dict) -> dt.datetime:
    """Autosave: the editor's document in one small transaction of its own."""
    at = clock.now()
    body = json.dumps(doc, ensure_ascii=False)
    with db.atomic():
        (MinutesDraft.insert(meeting_id=meeting_id, body=body, saved_at=at)
         .on_conflict_replace().execute())
    return at


def load_draft(meeting_id: int) -> tuple[dict, dt.datetime] | None:
    d = MinutesDraft.get_or_none(MinutesDraft.meeting_id == meeting_id)
    return (json.loads(d.body), d.saved_at) if d else None


def discard_draft(meeting_id: int) -> None:
    MinutesDraft.delete().where(MinutesDraft.meeting_id == meeting_id).execute()


def draft_meeting_ids() -> set[int]:
    return {d.meeting_id for d in MinutesDraft.select(MinutesDraft.meeting_id)}


def _clean_minutes(m: Meeting, doc: dict, errors: dict) -> tuple[list[dict], list[tuple]]:
    """(items to store, action rows to write) from the editor's document; errors keyed by position."""
    items: list[dict] = []
    writes: list[tuple[int, int, dict]] = []  # (item index, action index, data)
    for i, it in enumerate(doc.get("items", [])):
        title = str(it.get("title") or "").strip()
        notes = str(it.get("notes") or "").rstrip()
        decisions = [str(d).strip() for d in it.get("decisions", []) if str(d).strip()]
        acts = [a for a in it.get("actions", [])
                if str(a.get("task") or "").strip() or person(a.get("owner"))[1] or a.get("id")]
        if not (title or notes.strip() or decisions or acts):
            continue
        n = len(items)
        if not title:
            errors.setdefault(f"items.{i}.title", f"第 {n + 1} 个议题请填写议题名称")
        elif len(title) > 200:
            errors.setdefault(f"items.{i}.title", "议题名称不能超过 200 字")
        if len(notes) > 20000:
            errors.setdefault(f"items.{i}.notes", "记录内容不能超过 20000 字")
        for d in decisions:
            if len(d) > 1000:
                errors.setdefault(f"items.{i}.decisions", "一条决议不能超过 1000 字")
        for j, a in enumerate(acts):
            data = {"task": a.get("task"), "owner": a.get("owner"), "due": a.get("due"), "meeting_id": m.id,
                    "item_seq": n + 1}
            try:
                validate_action(data, None)
            except ValidationError as e:
                for k, msg in e.errors.items():
                    errors.setdefault(f"items.{i}.actions.{j}.{k}", msg)
            writes.append((n, j, {**data, "id": a.get("id")}))
        items.append({"title": title, "notes": notes, "decisions": decisions, "actions": []})
    return items, writes


def commit_minutes(m: Meeting, doc: dict, *, amend_reason: str = "") -> Meeting:
    """保存会议记录: apply the editor's document (all or nothing); after 定稿 only as an amendment with a reason."""
    m = Meeting.get_by_id(m.id)
    if m.voided:
        raise NeiqinError("该会议已作废，不能修改记录")
    amend_reason = (amend_reason or "").strip()
    if m.final_at and not amend_reason:
        raise ValidationError({"amend_reason": "会议记录已定稿；如需修改，请填写修正原因（修正记入修改记录）"})
    errors: dict[str, str] = {}
    items, writes = _clean_minutes(m, doc, errors)
    attendees = {a.id: a for a in m.attendees}
    marks: list[tuple[Attendee, str, str]] = []
    for k, row in enumerate(doc.get("attendance", [])):
        a = attendees.get(row.get("id"))
        if a is None:
            continue
        mark = str(row.get("attendance") or "").strip()
        reason = str(row.get("reason") or "").strip()
        allowed = MEMBER_MARKS if a.role == MEMBER else OBSERVER_MARKS
        if mark and mark not in allowed:
            errors.setdefault(f"attendance.{k}.attendance", f"{a.name}：应为 {'、'.join(allowed)}")
        if mark == ABSENT and not reason:
            errors.setdefault(f"attendance.{k}.reason", f"{a.name} 缺席，请填写原因")
        if len(reason) > 200:
            errors.setdefault(f"attendance.{k}.reason", "原因不能超过 200 字")
        marks.append((a, mark, reason))
    reviews = {r.action_id: r for r in ActionReview.select().where(ActionReview.meeting_id == m.id)}
    review_rows: list[tuple[ActionReview, str, str]] = []
    for k, row in enumerate(doc.get("reviews", [])):
        r = reviews.get(row.get("action_id"))
        if r is None:
            continue
        outcome = str(row.get("outcome") or "").strip()
        result = str(row.get("result") or "").strip()
        if outcome not in REVIEW_OUTCOMES:
            errors.setdefault(f"reviews.{k}.outcome", f"回顾结论应为：{'、'.join(REVIEW_OUTCOMES[1:])}")
        if outcome == CANCELLED and not result:
            errors.setdefault(f"reviews.{k}.result", "取消事项请在“执行情况”中写明原因")
        if len(result) > 500:
            errors.setdefault(f"reviews.{k}.result", "执行情况不能超过 500 字")
        review_rows.append((r, outcome, result))
    summary = str(doc.get("summary") or "").strip()
    if len(summary) > 5000:
        errors["summary"] = "会议小结不能超过 5000 字"
    if errors:
        raise ValidationError(errors)

    before_text = minutes_text(m)
    with db.atomic():
        kept_ids: set[int] = set()
        for n, _, data in writes:
            aid = data.pop("id", None)
            existing = ActionItem.get_or_none(ActionItem.id == aid) if aid else None
            if existing is not None and existing.meeting_id == m.id and not existing.voided:
                if existing.status == OPEN:
                    existing = ACTIONS.update(existing, data)
                rec = existing
            else:
                rec = ACTIONS.create(data, summary=f"督办事项（{m.title}）：{str(data['task'])[:30]}")
            kept_ids.add(rec.id)
            items[n]["actions"].append(rec.id)
        for a in actions_of(m):
            if a.id not in kept_ids and not a.voided:
                ACTIONS.void(a, "已从会议记录中删除")
        for a, mark, reason in marks:
            if (a.attendance, a.reason) != (mark, reason):
                a.attendance, a.reason = mark, reason
                a.save()
        _update_counts(m)
        for r, outcome, result in review_rows:
            if (r.outcome, r.result) != (outcome, result):
                r.outcome, r.result = outcome, result
                r.save()
            a = ActionItem.get_by_id(r.action_id)
            if a.status == OPEN and not a.voided:
                if outcome == DONE:
                    complete_action(a, min(m.day, clock.today()), result or f"经{m.title}回顾确认完成")
                elif outcome == CANCELLED:
                    cancel_action(a, f"{m.title}（{m.day}）决定取消：{result}")
        stored = {"items": items, "summary": summary}
        m.minutes = json.dumps(stored, ensure_ascii=False)
        m.minutes_saved_at = now()
        if m.final_at:
            m.amendments += 1
        m.updated_at = now()
        m.save()
        MEETINGS._reindex(m)
        after_text = minutes_text(m)
        if m.final_at:
            AuditLog.write("meetings", m.id, "amend", f"修正已定稿的会议记录：{m.title}：{amend_reason}",
                           {"minutes": [before_text, after_text], "amend_reason": ["", amend_reason]})
        elif before_text != after_text:
            AuditLog.write("meetings", m.id, "minutes", f"保存会议记录：{m.title}",
                           {"minutes": [before_text, after_text]})
        discard_draft(m.id)
    return m


def finalize_minutes(m: Meeting) -> Meeting:
    """定稿: the minutes become read-only (later changes are audited amendments)."""
    m = Meeting.get_by_id(m.id)
    if m.final_at:
        raise NeiqinError(f"会议记录已于 {m.final_at:%Y-%m-%d %H:%M} 定稿")
    if MinutesDraft.get_or_none(MinutesDraft.meeting_id == m.id) is not None:
        raise NeiqinError("会议记录还有未保存的修改，请先保存（Ctrl+S）再定稿")
    if not m.minutes_data().get("items"):
        raise NeiqinError("会议记录还没有任何议题，不能定稿")
    unmarked = attendance_counts(m)["未登记"]
    if unmarked:
        raise NeiqinError(f"还有 {unmarked} 人未登记出席情况，请在“出席情况”中登记后再定稿")
    with db.atomic():
        m = LedgerSpec.update(MEETINGS, m, {"final_at": now()}, validate=False, action="final",
                              summary=f"会议记录定稿：{m.title}")
    return m


def minutes_text(m: Meeting) -> str:
    """The minutes as plain text (audit before/after, search)."""
    data = m.minutes_data()
    acts = {a.id: a for a in actions_of(m)}
    out = []
    for n, it in enumerate(data.get("items", []), 1):
        out.append(f"{cn_number(n)}、{it.get('title', '')}")
        if it.get("notes"):
            out.append(it["notes"])
        out += [f"决议：{d}" for d in it.get("decisions", [])]
        for aid in it.get("actions", []):
            a = acts.get(aid)
            if a is not None:
                out.append(f"督办：{a.task}（{a.owner}，{a.due}前）")
    if data.get("summary"):
        out.append(data["summary"])
    return "\n".join(out)


