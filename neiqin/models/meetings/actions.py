"""督办事项: the action items a meeting decides, followed to completion (reviewed at the next meeting of a series). No Qt.

An item is 未完成 until 已完成 (date, note) or 已取消 (reason).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import BaseModel, VoidableModel
from neiqin.models.deadlines import week_end  # noqa: F401 - 本周 of the 督办 views
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.meetings.register import Meeting, meeting_by_id
from neiqin.models.meetings.schedule import person

OPEN, DONE, CANCELLED = "未完成", "已完成", "已取消"
CONTINUE = "继续办理"
REVIEW_OUTCOMES = ["", CONTINUE, DONE, CANCELLED]


def action_state(row: dict, today: dt.date | None = None) -> str:
    if row.get("voided"):
        return "已作废"
    status = row.get("status")
    if status != OPEN:
        return status or ""
    today = today or clock.today()
    due = row.get("due")
    if due and due < today:
        return f"逾期 {(today - due).days} 天"
    if due == today:
        return "今天到期"
    return OPEN


def _source(row: dict) -> str:
    if row.get("meeting_day"):
        return f"{row['meeting_title']}（{row['meeting_day']:%m-%d}）"
    return row.get("meeting_title") or "领导交办"


ACTION_FIELDS = Fields(
    "actions",
    Field("due", "完成期限", "date", required=True, width=10, sortable=True, importable=False),
    Field("task", "督办事项", "multiline", required=True, max_len=500, width=30, importable=False),
    Field("owner", "责任人", "staff", required=True, stored=False, width=7, sortable=True, importable=False),
    Field("department", "部门", max_len=60, width=10, importable=False),
    Field("meeting_title", "来源会议", max_len=100, width=18, importable=False, value=_source,
          error_keys=("meeting_id",)),  # chosen in the form as ``meeting``
    Field("status", "状态", "choice", choices=(OPEN, DONE, CANCELLED), default=OPEN, max_len=4, in_form=False,
          width=9, importable=False, value=action_state),
    Field("done_on", "完成日期", "date", in_form=False, width=10, importable=False),
    Field("done_note", "办理情况", max_len=500, in_form=False, width=20, importable=False,
          value=lambda r: r.get("done_note") or r.get("cancel_reason") or ""),
    Field("cancel_reason", "取消原因", max_len=500, in_form=False, importable=False),
    Field("note", "备注", "multiline"),
)


@ACTION_FIELDS.table(order=(
    "meeting_id", "meeting_title", "meeting_day", "series_id", "item_seq", "task", "owner_id", "owner",
    "department", "due", "status", "done_on", "done_note", "cancel_reason", "note",
))
class ActionItem(VoidableModel):
    """One action item; its typed fields are :data:`ACTION_FIELDS`. Declared here: the meeting (and agenda item) it
    came from and the owner from 通讯录, kept by id and name."""

    meeting_id = pw.IntegerField(null=True, index=True)
    meeting_day = pw.DateField(null=True)
    series_id = pw.IntegerField(null=True, index=True)
    item_seq = pw.IntegerField(default=0)  # the agenda item it came from (1-based; 0 = none)
    owner_id = pw.IntegerField(null=True, index=True)
    owner = pw.CharField(max_length=40)

    class Meta:
        table_name = "action_item"
        indexes = ((("status", "due"), False), (("due", "id"), False))

    def overdue_days(self, today: dt.date | None = None) -> int:
        today = today or clock.today()
        return (today - self.due).days if self.status == OPEN and not self.voided and self.due < today else 0


class ActionReview(BaseModel):
    """An open action item carried into a later meeting of its series, and what that meeting said about it."""

    meeting_id = pw.IntegerField(index=True)
    action_id = pw.IntegerField(index=True)
    seq = pw.IntegerField(default=0)
    result = pw.CharField(max_length=500, default="")
    outcome = pw.CharField(max_length=6, default="")  # "" (not yet reviewed), 继续办理, 已完成, 已取消

    class Meta:
        table_name = "action_review"
        indexes = ((("meeting_id", "action_id"), True),)


MODELS = [ActionItem, ActionReview]


# ---------------------------------------------------------------------------------------------- action items


def validate_action(data: dict, record: ActionItem | None) -> dict:
    """:data:`ACTION_FIELDS` checked, then the owner from 通讯录 and the source meeting (the due date not before
    it)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = ACTION_FIELDS.clean(data, errors, ("task", "department", "due", "note"))
    owner = data.get("owner")
    if isinstance(owner, str) and data.get("owner_id"):
        owner = {"id": data["owner_id"], "name": owner}
    oid, oname, odept = person(owner)
    if not oname:
        errors["owner"] = "请填写责任人（从通讯录中选择）"
    elif oid is None:
        errors["owner"] = f"通讯录中没有“{oname}”，责任人请从通讯录中选择（可输入拼音首字母，如 zs）"
    out["owner_id"], out["owner"] = oid, oname[:40]
    out["department"] = out["department"] or odept[:60]
    mid = data.get("meeting_id", record.meeting_id if record else None)
    meeting = meeting_by_id(mid) if mid else None
    out["meeting_id"] = meeting.id if meeting else None
    out["meeting_title"] = meeting.title if meeting else str(data.get("meeting_title") or "")[:100]
    out["meeting_day"] = meeting.day if meeting else None
    out["series_id"] = meeting.series_id if meeting else None
    due = out["due"]
    if due and meeting and due < meeting.day:
        errors.setdefault("due", f"完成期限不能早于会议日期（{meeting.day}）")
    out["item_seq"] = int(data.get("item_seq") or 0)
    if errors:
        raise ValidationError(errors)
    return out


def complete_action(a: ActionItem, done_on: Any = None, note: str = "") -> ActionItem:
    a = ActionItem.get_by_id(a.id)
    if a.status != OPEN:
        raise NeiqinError(f"该事项当前为“{a.status}”")
    errors: dict[str, str] = {}
    clean = ACTION_FIELDS.clean({"done_on": done_on or clock.today(), "done_note": note}, errors,
                                ("done_on", "done_note"))
    day, note = clean["done_on"], clean["done_note"]
    if day and day > clock.today():
        errors["done_on"] = "完成日期不能晚于今天"
    elif day and a.meeting_day and day < a.meeting_day:
        errors["done_on"] = f"完成日期不能早于会议日期（{a.meeting_day}）"
    if errors:
        raise ValidationError(errors)
    return ACTIONS.update(a, {"status": DONE, "done_on": day, "done_note": note}, validate=False, action="done",
                          summary=f"督办事项完成：{a.task[:30]}（{a.owner}）")


def cancel_action(a: ActionItem, reason: str) -> ActionItem:
    a = ActionItem.get_by_id(a.id)
    if a.status != OPEN:
        raise NeiqinError(f"该事项当前为“{a.status}”")
    errors: dict[str, str] = {}
    reason = ACTION_FIELDS["cancel_reason"].clean(reason, errors)
    if not reason:
        errors.setdefault("cancel_reason", "取消督办事项必须填写原因")
    if errors:
        raise ValidationError({"reason": errors["cancel_reason"]})
    return ACTIONS.update(a, {"status": CANCELLED, "cancel_reason": reason}, validate=False, action="cancel",
                          summary=f"督办事项取消：{a.task[:30]}：{reason}")


def reopen_action(a: ActionItem, reason: str) -> ActionItem:
    a = ActionItem.get_by_id(a.id)
    reason = (reason or "").strip()
    if a.status == OPEN:
        raise NeiqinError("该事项尚未办结")
    if not reason:
        raise ValidationError({"reason": "重新打开必须填写原因"})
    return ACTIONS.update(a, {"status": OPEN, "done_on": None}, validate=False, action="reopen",
                          summary=f"督办事项重新打开：{a.task[:30]}：{reason}")


def carry_open_actions(m: Meeting) -> list[ActionReview]:
    """Put the series' open action items from earlier meetings on ``m``'s review list (idempotent)."""
    if not m.series_id or m.final_at:
        return []
    have = {r.action_id for r in ActionReview.select(ActionReview.action_id).where(ActionReview.meeting_id == m.id)}
    q = (ActionItem.select().where((ActionItem.series_id == m.series_id) & (ActionItem.status == OPEN)
                                   & (ActionItem.voided == False) & (ActionItem.meeting_id != m.id)  # noqa: E712
                                   & (ActionItem.meeting_day < m.day))
         .order_by(ActionItem.meeting_day, ActionItem.id))
    seq = len(have)
    made = []
    for a in q:
        if a.id in have:
            continue
        seq += 1
        made.append(ActionReview.create(meeting_id=m.id, action_id=a.id, seq=seq))
    return made


def reviews_of(m: Meeting) -> list[tuple[ActionReview, ActionItem]]:
    rows = list(ActionReview.select().where(ActionReview.meeting_id == m.id).order_by(ActionReview.seq))
    actions = {a.id: a for a in ActionItem.select().where(ActionItem.id.in_([r.action_id for r in rows]))}
    return [(r, actions[r.action_id]) for r in rows if r.action_id in actions]


def actions_of(m: Meeting) -> list[ActionItem]:
    return list(ActionItem.select().where(ActionItem.meeting_id == m.id).order_by(ActionItem.item_seq, ActionItem.id))


def _action_status_condition(key: str):
    today = clock.today()
    if key == "open":
        return ActionItem.status == OPEN
    if key == "overdue":
        return (ActionItem.status == OPEN) & (ActionItem.due < today)
    if key == "week":
        return (ActionItem.status == OPEN) & (ActionItem.due >= today) & \
            (ActionItem.due <= today + dt.timedelta(days=6 - today.weekday()))
    if key == "done":
        return ActionItem.status == DONE
    return ActionItem.status == CANCELLED


def _action_search_parts(a: ActionItem) -> tuple[list[str], list[str]]:
    short = [a.task, a.owner, a.department, a.meeting_title, a.status]
    return short + [a.done_note, a.cancel_reason, a.note], short


ACTIONS = register_ledger(LedgerSpec(
    key="actions",
    title="督办事项登记簿",
    tab_title="督办",
    model=ActionItem,
    columns=ACTION_FIELDS.columns("due", "task", "owner", "department", "meeting_title", "status", "done_on",
                                  "done_note"),
    fields=ACTION_FIELDS,
    default_sort="due",
    default_desc=False,
    date_field="due",
    date_label="完成期限",
    statuses=[("open", "未完成"), ("overdue", "已逾期"), ("week", "本周到期"), ("done", "已完成"),
              ("cancelled", "已取消")],
    status_condition=_action_status_condition,
    search=SearchIndex("action_item"),
    search_parts=_action_search_parts,
    validate=validate_action,
    describe=lambda a: f"督办 {a.task[:20]}（{a.owner}）",
))


def open_actions(until: dt.date | None = None, owner_id: int | None = None) -> list[ActionItem]:
    """Open action items (due by ``until`` if given), earliest due first."""
    q = ActionItem.select().where((ActionItem.status == OPEN) & (ActionItem.voided == False))  # noqa: E712
    if until is not None:
        q = q.where(ActionItem.due <= until)
    if owner_id is not None:
        q = q.where(ActionItem.owner_id == owner_id)
    return list(q.order_by(ActionItem.due, ActionItem.id))


def actions_by_owner(today: dt.date | None = None, *, only_overdue: bool = False) -> list[tuple[str, list[ActionItem]]]:
    """督办表: open items grouped by owner; owners with overdue items first, then by name."""
    today = today or clock.today()
    groups: dict[str, list[ActionItem]] = {}
    for a in open_actions(today - dt.timedelta(days=1) if only_overdue else None):
        key = a.owner + (f"（{a.department}）" if a.department else "")
        groups.setdefault(key, []).append(a)
    return sorted(groups.items(), key=lambda kv: (-sum(1 for a in kv[1] if a.due < today), kv[0]))




def overdue_count(today: dt.date | None = None) -> int:
    """Open action items past their due date (the window's status-bar line)."""
    return ActionItem.select().where((ActionItem.status == OPEN) & (ActionItem.voided == False)  # noqa: E712
                                     & (ActionItem.due < (today or clock.today()))).count()
