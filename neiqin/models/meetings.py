"""会议记录: meetings, attendance, minutes (议题 / 决议 / 督办事项) and action items followed across meetings.

Rooms and bookings live in :mod:`neiqin.models.bookings`; this module adds the meetings on top of them.

* A meeting may belong to a series (例会). The next meeting of a series starts from the last one (title, type,
  place, host, recorder, invitees; the next free occurrence of the same repeating booking), and the series' open
  action items are carried into it for review; the review result is recorded in the new meeting's minutes.
* Attendance per person: 出席 / 迟到 / 请假 / 缺席 (with a reason) for 参会人员, 列席 / 请假 / 缺席 for 列席人员.
  Counting rule: 应到 = 参会人员 (列席 people are not counted); 实到 = 参会人员 marked 出席 or 迟到.
* Minutes are edited as a draft document (JSON) that is autosaved into ``MinutesDraft`` in its own small
  transaction every few seconds, so a crash loses at most those seconds. Saving (保存) applies the draft: agenda
  items and decisions into the meeting, action items into the ``actions`` ledger (created, edited or voided —
  never deleted), attendance and review results into their rows, all audited. 定稿 makes the minutes read-only;
  a later change is an amendment with a reason, kept in the audit log.
* An action item needs an owner from the directory and a due date not before the meeting; status 未完成 /
  已完成 (date, note) / 已取消 (reason).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import today as today_registry
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db, now
from neiqin.models.bookings import (
    ACTIVE,
    ADJUSTED,
    BOOKINGS,
    COMPANY,
    DEPARTMENT,
    MONTHLY,
    ROOMS,
    WEEKLY,
    Booking,
    CapacityWarning,
    Room,
    book,
    parse_day,
    parse_time,
    person,
)
from neiqin.models.bookings import MODELS as BOOKING_MODELS
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.staff import STATUS_ACTIVE, Staff

MEETING_KINDS = ["例会", "办公会", "专题会议", "部门会议", "培训", "其他"]
MEMBER, OBSERVER = "参会", "列席"
PRESENT, LATE, LEAVE, ABSENT, ATTENDED = "出席", "迟到", "请假", "缺席", "列席"
MEMBER_MARKS = [PRESENT, LATE, LEAVE, ABSENT]
OBSERVER_MARKS = [ATTENDED, LEAVE, ABSENT]
OPEN, DONE, CANCELLED = "未完成", "已完成", "已取消"
CONTINUE = "继续办理"
REVIEW_OUTCOMES = ["", CONTINUE, DONE, CANCELLED]
CN_NUM = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 23 -> 二十三 (agenda numbering in prints)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------------------------- tables


class MeetingSeries(BaseModel):
    name = pw.CharField(max_length=60, unique=True)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "meeting_series"


class Meeting(VoidableModel):
    title = pw.CharField(max_length=100)
    kind = pw.CharField(max_length=10, default=MEETING_KINDS[0])
    series_id = pw.IntegerField(null=True, index=True)
    series_name = pw.CharField(max_length=60, default="")
    booking_id = pw.IntegerField(null=True, index=True)
    room_id = pw.IntegerField(null=True)
    day = pw.DateField(index=True)
    start_at = pw.DateTimeField()
    end_at = pw.DateTimeField()
    place = pw.CharField(max_length=100, default="")
    host_id = pw.IntegerField(null=True)
    host = pw.CharField(max_length=40, default="")
    recorder_id = pw.IntegerField(null=True)
    recorder = pw.CharField(max_length=40, default="")
    department = pw.CharField(max_length=60, default="")  # 主办部门
    agenda_plan = pw.TextField(default="")  # planned 议题, one a line (for the notice)
    requirements = pw.TextField(default="")  # 会议要求 on the notice
    expected = pw.IntegerField(default=0)  # 应到
    present = pw.IntegerField(default=0)  # 实到
    minutes = pw.TextField(default="")  # committed minutes (JSON)
    minutes_saved_at = pw.DateTimeField(null=True)
    final_at = pw.DateTimeField(null=True)
    amendments = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("start_at", "id"), False),)

    @property
    def time_text(self) -> str:
        return f"{self.start_at:%H:%M}–{self.end_at:%H:%M}"

    @property
    def when_text(self) -> str:
        return f"{cn_date(self.day)}（星期{'一二三四五六日'[self.day.weekday()]}）{self.time_text}"

    def minutes_data(self) -> dict:
        return json.loads(self.minutes) if self.minutes else {"items": []}


class Attendee(BaseModel):
    meeting = pw.ForeignKeyField(Meeting, backref="attendees", on_delete="CASCADE")
    seq = pw.IntegerField(default=0)
    staff_id = pw.IntegerField(null=True)
    name = pw.CharField(max_length=40)
    unit = pw.CharField(max_length=100, default="")  # 部门, or the outside organisation
    title = pw.CharField(max_length=40, default="")
    phone = pw.CharField(max_length=40, default="")
    role = pw.CharField(max_length=4, default=MEMBER)
    attendance = pw.CharField(max_length=4, default="")  # "" = not yet recorded
    reason = pw.CharField(max_length=200, default="")

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit and not self.staff_id else self.name


class ActionItem(VoidableModel):
    meeting_id = pw.IntegerField(null=True, index=True)
    meeting_title = pw.CharField(max_length=100, default="")
    meeting_day = pw.DateField(null=True)
    series_id = pw.IntegerField(null=True, index=True)
    item_seq = pw.IntegerField(default=0)  # the agenda item it came from (1-based; 0 = none)
    task = pw.TextField()
    owner_id = pw.IntegerField(null=True, index=True)
    owner = pw.CharField(max_length=40)
    department = pw.CharField(max_length=60, default="")
    due = pw.DateField()
    status = pw.CharField(max_length=4, default=OPEN)
    done_on = pw.DateField(null=True)
    done_note = pw.CharField(max_length=500, default="")
    cancel_reason = pw.CharField(max_length=500, default="")
    note = pw.TextField(default="")

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


class MinutesDraft(BaseModel):
    """The minutes editor's working copy, autosaved; removed when the minutes are saved."""

    meeting_id = pw.IntegerField(primary_key=True)
    body = pw.TextField()
    saved_at = pw.DateTimeField()

    class Meta:
        table_name = "minutes_draft"


# ---------------------------------------------------------------------------------------------- invitees


_SPLIT = re.compile(r"[、，,；;\n]+")
_WITH_UNIT = re.compile(r"^(.+?)\s*[（(]\s*(.*?)\s*[)）]$")


def parse_invitees(text: str, role: str, key: str, errors: dict) -> list[dict]:
    """People from ``张三、李四、王五（市住建局）``: names from the directory, outside people as 姓名（单位）.

    A name shared by several staff is written 姓名（部门）. Unknown or ambiguous names are reported at ``key``.
    """
    tokens = [t.strip() for t in _SPLIT.split(text or "") if t.strip()]
    parsed = []
    for t in tokens:
        m = _WITH_UNIT.match(t)
        parsed.append((m.group(1).strip(), m.group(2).strip()) if m else (t, ""))
    names = {n for n, _ in parsed}
    staff: dict[str, list[Staff]] = {}
    if names:
        for s in Staff.select().where(Staff.name.in_(list(names)) & (Staff.voided == False)  # noqa: E712
                                      & (Staff.status == STATUS_ACTIVE)).order_by(Staff.id):
            staff.setdefault(s.name, []).append(s)
    out: list[dict] = []
    seen: set[tuple] = set()
    unknown, ambiguous, too_long = [], [], []
    for name, unit in parsed:
        if len(name) > 40 or len(unit) > 100:
            too_long.append(name[:10])
            continue
        same = staff.get(name, [])
        if unit:
            match = [s for s in same if s.department == unit]
            if len(match) == 1 or (match and len(set(s.department for s in match)) == 1):
                s = match[0]
                row = {"staff_id": s.id, "name": s.name, "unit": s.department, "title": s.title,
                       "phone": s.mobile or s.office_phone}
            else:
                row = {"staff_id": None, "name": name, "unit": unit, "title": "", "phone": ""}
        elif len(same) == 1:
            s = same[0]
            row = {"staff_id": s.id, "name": s.name, "unit": s.department, "title": s.title,
                   "phone": s.mobile or s.office_phone}
        elif same:
            ambiguous.append(f"{name}（{'、'.join(sorted({s.department or '未分部门' for s in same}))}）")
            continue
        else:
            unknown.append(name)
            continue
        ident = (row["staff_id"], row["name"], "" if row["staff_id"] else row["unit"])
        if ident in seen:
            continue
        seen.add(ident)
        row["role"] = role
        out.append(row)
    msgs = []
    if unknown:
        msgs.append(f"通讯录中没有：{'、'.join(unknown)}；外单位人员请写成 姓名（单位）")
    if ambiguous:
        msgs.append(f"通讯录中有同名的人，请写成 姓名（部门）：{'、'.join(ambiguous)}")
    if too_long:
        msgs.append(f"姓名或单位太长：{'、'.join(too_long)}")
    if msgs:
        errors.setdefault(key, "；".join(msgs))
    return out


def invitees_text(meeting: Meeting, role: str = MEMBER) -> str:
    rows = list(meeting.attendees.where(Attendee.role == role).order_by(Attendee.seq, Attendee.id))
    names = {r.name for r in rows if r.staff_id}
    live = (Staff.voided == False) & (Staff.status == STATUS_ACTIVE)  # noqa: E712
    twice = {s.name for s in Staff.select(Staff.name).where(Staff.name.in_(list(names)) & live)
             .group_by(Staff.name).having(pw.fn.COUNT(Staff.id) > 1)} if names else set()
    return "、".join(f"{r.name}（{r.unit}）" if (not r.staff_id and r.unit) or r.name in twice else r.name
                    for r in rows)


def count_marks(rows: list[tuple[str, str]]) -> dict[str, int]:
    """应到 / 实到 and each mark from (role, attendance) pairs.

    Counting rule: 应到 = 参会人员 (列席 people are not counted); 实到 = 参会人员 marked 出席 or 迟到.
    """
    members = [mark for role, mark in rows if role == MEMBER]
    counts = {"应到": len(members), "实到": sum(1 for m in members if m in (PRESENT, LATE))}
    for mark in (PRESENT, LATE, LEAVE, ABSENT):
        counts[mark] = sum(1 for m in members if m == mark)
    counts[ATTENDED] = sum(1 for role, m in rows if role == OBSERVER and m in (ATTENDED, PRESENT, LATE))
    counts["未登记"] = sum(1 for _, m in rows if not m)
    return counts


def counts_text(c: dict[str, int]) -> str:
    parts = [f"应到 {c['应到']} 人", f"实到 {c['实到']} 人"]
    parts += [f"{k} {c[k]} 人" for k in (LATE, LEAVE, ABSENT, ATTENDED) if c.get(k)]
    if c.get("未登记"):
        parts.append(f"未登记 {c['未登记']} 人")
    return "，".join(parts)


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    """应到 / 实到 and the count of each mark (see :func:`count_marks`)."""
    return count_marks([(r.role, r.attendance) for r in meeting.attendees])


def _sync_attendees(meeting: Meeting, people: list[dict]) -> None:
    existing = list(meeting.attendees)
    key = lambda r: (r["staff_id"], r["name"], "" if r["staff_id"] else r["unit"])  # noqa: E731
    by_key = {(a.staff_id, a.name, "" if a.staff_id else a.unit): a for a in existing}
    keep = set()
    for seq, p in enumerate(people, 1):
        a = by_key.get(key(p))
        if a is None:
            Attendee.create(meeting=meeting, seq=seq, **p)
        else:
            keep.add(a.id)
            if a.seq != seq or a.role != p["role"]:
                a.seq, a.role = seq, p["role"]
                if a.role == OBSERVER and a.attendance in (PRESENT, LATE):
                    a.attendance = ATTENDED
                elif a.role == MEMBER and a.attendance == ATTENDED:
                    a.attendance = PRESENT
                a.save()
    gone = [a.id for a in existing if a.id not in keep]
    if gone:
        Attendee.delete().where(Attendee.id.in_(gone)).execute()
    _update_counts(meeting)


def _update_counts(meeting: Meeting) -> None:
    c = attendance_counts(meeting)
    Meeting.update(expected=c["应到"], present=c["实到"]).where(Meeting.id == meeting.id).execute()
    meeting.expected, meeting.present = c["应到"], c["实到"]


# ---------------------------------------------------------------------------------------------- meetings


def validate_meeting(data: dict, record: Meeting | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["title"] = text_field(data, errors, "title", "会议名称", required=True, max_len=100)
    kind = (data.get("kind") or MEETING_KINDS[0]).strip()
    if kind not in MEETING_KINDS:
        errors["kind"] = f"会议类型应为：{'、'.join(MEETING_KINDS)}"
    out["kind"] = kind
    out["series_name"] = text_field(data, errors, "series_name", "例会系列", max_len=60)
    ref = data.get("booking") if "booking" in data else data.get("booking_id")
    booking = None
    if isinstance(ref, Booking):
        booking = ref
    elif ref not in (None, "", 0):
        booking = Booking.get_or_none(Booking.id == int(ref))
        if booking is None:
            errors["booking"] = "找不到所选的会议室预订"
    if booking is not None:
        if booking.voided:
            errors["booking"] = f"所选预订已取消（{booking.void_reason}）"
        elif booking.status == ADJUSTED:
            errors["booking"] = "所选预订已被调整给公司会议，请另选时间"
        else:
            other = Meeting.select().where((Meeting.booking_id == booking.id) & (Meeting.voided == False))  # noqa: E712
            if record is not None:
                other = other.where(Meeting.id != record.id)
            other = other.first()
            if other is not None:
                errors["booking"] = f"该预订已用于会议“{other.title}”"
        out.update(booking_id=booking.id, room_id=booking.room_id, day=booking.day, start_at=booking.start_at,
                   end_at=booking.end_at, place=booking.room_name)
    else:
        out["booking_id"] = None
        out["room_id"] = None
        day = parse_day(data.get("day"), "会议日期", "day", errors)
        start = parse_time(data.get("start") if data.get("start") is not None else data.get("start_at"),
                           "开始时间", "start", errors)
        end = parse_time(data.get("end") if data.get("end") is not None else data.get("end_at"),
                         "结束时间", "end", errors)
        if start and end and end <= start:
            errors.setdefault("end", f"结束时间（{end:%H:%M}）应晚于开始时间（{start:%H:%M}）")
        if day and start and end:
            out.update(day=day, start_at=dt.datetime.combine(day, start), end_at=dt.datetime.combine(day, end))
        out["place"] = text_field(data, errors, "place", "会议地点", max_len=100)
        if not out["place"]:
            errors.setdefault("place", "请选择会议室预订，或填写会议地点")
    hid, hname, _ = person(data.get("host"))
    if not hname:
        errors["host"] = "请填写主持人"
    out["host_id"], out["host"] = hid, hname[:40]
    rid, rname, _ = person(data.get("recorder"))
    out["recorder_id"], out["recorder"] = rid, rname[:40]
    out["department"] = text_field(data, errors, "department", "主办部门", max_len=60)
    out["agenda_plan"] = text_field(data, errors, "agenda_plan", "会议议题", max_len=2000)
    out["requirements"] = text_field(data, errors, "requirements", "会议要求", max_len=1000)
    if errors:
        raise ValidationError(errors)
    return out


def _series_id(name: str) -> int | None:
    if not name:
        return None
    s = MeetingSeries.get_or_none(MeetingSeries.name == name)
    if s is None:
        s = MeetingSeries.create(name=name)
    return s.id


def _parse_people(data: dict, errors: dict) -> list[dict]:
    members = parse_invitees(data.get("invitees") or "", MEMBER, "invitees", errors)
    observers = parse_invitees(data.get("observers") or "", OBSERVER, "observers", errors)
    ids = {(p["staff_id"], p["name"]) for p in members}
    both = [p["name"] for p in observers if (p["staff_id"], p["name"]) in ids]
    if both:
        errors.setdefault("observers", f"{'、'.join(both)} 已在参会人员中，不能同时列席")
    return members + observers


def _check_room_capacity(room_id: int | None, people: int, ack: bool) -> None:
    if ack or not room_id:
        return
    room = Room.get_or_none(Room.id == room_id)
    if room is not None and room.capacity and people > room.capacity:
        raise CapacityWarning(room, people)


class _MeetingSpec(LedgerSpec):
    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        return create_meeting(data)

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        if validate:
            return update_meeting(rec, data)
        return LedgerSpec.update(self, rec, data, action=action, summary=summary, validate=False)


def create_meeting(data: dict, *, capacity_ack: bool = False) -> Meeting:
    """A new meeting with its invitees; in a series, the series' open action items are carried into it."""
    errors: dict[str, str] = {}
    try:
        clean = validate_meeting(data, None)
    except ValidationError as e:
        errors.update(e.errors)
        clean = {}
    people = _parse_people(data, errors)
    if errors:
        raise ValidationError(errors)
    _check_room_capacity(clean.get("room_id"), len(people), capacity_ack)
    with db.atomic():
        clean["series_id"] = _series_id(clean["series_name"])
        m = Meeting.create(**clean)
        _sync_attendees(m, people)
        MEETINGS._reindex(m)
        AuditLog.write("meetings", m.id, "create", f"新建会议：{m.title}（{m.day} {m.time_text}）",
                       {k: [None, v] for k, v in clean.items() if v not in (None, "")} |
                       {"invitees": [None, invitees_text(m)], "observers": [None, invitees_text(m, OBSERVER)]})
        carry_open_actions(m)
    return m


def update_meeting(m: Meeting, data: dict, *, capacity_ack: bool = False) -> Meeting:
    m = Meeting.get_by_id(m.id)
    if m.voided:
        raise NeiqinError("该会议已作废，不能修改")
    current = {"title": m.title, "kind": m.kind, "series_name": m.series_name, "booking": m.booking_id,
               "day": m.day, "start": m.start_at, "end": m.end_at, "place": m.place,
               "host": {"id": m.host_id, "name": m.host}, "recorder": {"id": m.recorder_id, "name": m.recorder},
               "department": m.department, "agenda_plan": m.agenda_plan, "requirements": m.requirements,
               "invitees": invitees_text(m), "observers": invitees_text(m, OBSERVER)}
    merged = {**current, **data}
    if data.get("booking") in (None, "", 0) and "booking" in data:
        merged["booking"] = None
    errors: dict[str, str] = {}
    try:
        clean = validate_meeting(merged, m)
    except ValidationError as e:
        errors.update(e.errors)
        clean = {}
    people = _parse_people(merged, errors)
    if errors:
        raise ValidationError(errors)
    if clean.get("room_id") != m.room_id or len(people) > m.attendees.count():
        _check_room_capacity(clean.get("room_id"), len(people), capacity_ack)
    before = (current["invitees"], current["observers"])
    with db.atomic():
        clean["series_id"] = _series_id(clean["series_name"])
        m = LedgerSpec.update(MEETINGS, m, clean, validate=False, summary=f"修改会议：{m.title}")
        _sync_attendees(m, people)
        after = (invitees_text(m), invitees_text(m, OBSERVER))
        if after != before:
            AuditLog.write("meetings", m.id, "edit", f"修改参会人员：{m.title}",
                           {"invitees": [before[0], after[0]], "observers": [before[1], after[1]]})
        if m.series_id:
            carry_open_actions(m)
    return m


def meeting_form_values(m: Meeting) -> dict:
    return {"title": m.title, "kind": m.kind, "series_name": m.series_name, "booking": m.booking_id,
            "day": m.day, "start": m.start_at.strftime("%H:%M"), "end": m.end_at.strftime("%H:%M"),
            "place": m.place, "host": {"id": m.host_id, "name": m.host},
            "recorder": {"id": m.recorder_id, "name": m.recorder}, "department": m.department,
            "agenda_plan": m.agenda_plan, "requirements": m.requirements,
            "invitees": invitees_text(m), "observers": invitees_text(m, OBSERVER)}


def series_names() -> list[str]:
    return [s.name for s in MeetingSeries.select().order_by(MeetingSeries.id.desc())]


def last_of_series(series_id: int, before: dt.datetime | None = None) -> Meeting | None:
    q = Meeting.select().where((Meeting.series_id == series_id) & (Meeting.voided == False))  # noqa: E712
    if before is not None:
        q = q.where(Meeting.start_at < before)
    return q.order_by(Meeting.start_at.desc()).first()


def next_booking_of(m: Meeting) -> Booking | None:
    """The next live occurrence of ``m``'s repeating booking that no meeting uses yet."""
    if not m.booking_id:
        return None
    b = Booking.get_or_none(Booking.id == m.booking_id)
    if b is None or not b.series_id:
        return None
    used = Meeting.select(Meeting.booking_id).where(Meeting.booking_id.is_null(False)
                                                    & (Meeting.voided == False))  # noqa: E712
    return (Booking.select().where((Booking.series_id == b.series_id) & (Booking.start_at > m.start_at)
                                   & (Booking.voided == False) & (Booking.status == ACTIVE)  # noqa: E712
                                   & Booking.id.not_in(used))
            .order_by(Booking.start_at).first())


def next_meeting_values(last: Meeting) -> dict:
    """Form values for the next meeting of ``last``'s series: everything copied, the next booking chosen."""
    values = meeting_form_values(last)
    values["agenda_plan"] = ""
    nxt = next_booking_of(last)
    if nxt is not None:
        values.update(booking=nxt.id, day=nxt.day, start=f"{nxt.start_at:%H:%M}", end=f"{nxt.end_at:%H:%M}",
                      place=nxt.room_name)
    else:
        values["booking"] = None
        values["day"] = last.day + dt.timedelta(days=7)
    return values


# ---------------------------------------------------------------------------------------------- action items


def validate_action(data: dict, record: ActionItem | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["task"] = text_field(data, errors, "task", "督办事项", required=True, max_len=500)
    owner = data.get("owner")
    if isinstance(owner, str) and data.get("owner_id"):
        owner = {"id": data["owner_id"], "name": owner}
    oid, oname, odept = person(owner)
    if not oname:
        errors["owner"] = "请填写责任人（从通讯录中选择）"
    elif oid is None:
        errors["owner"] = f"通讯录中没有“{oname}”，责任人请从通讯录中选择（可输入拼音首字母，如 zs）"
    out["owner_id"], out["owner"] = oid, oname[:40]
    out["department"] = (str(data.get("department") or "").strip() or odept)[:60]
    mid = data.get("meeting_id", record.meeting_id if record else None)
    meeting = Meeting.get_or_none(Meeting.id == mid) if mid else None
    out["meeting_id"] = meeting.id if meeting else None
    out["meeting_title"] = meeting.title if meeting else str(data.get("meeting_title") or "")[:100]
    out["meeting_day"] = meeting.day if meeting else None
    out["series_id"] = meeting.series_id if meeting else None
    due = parse_day(data.get("due"), "完成期限", "due", errors)
    if due and meeting and due < meeting.day:
        errors.setdefault("due", f"完成期限不能早于会议日期（{meeting.day}）")
    out["due"] = due
    out["item_seq"] = int(data.get("item_seq") or 0)
    out["note"] = text_field(data, errors, "note", "备注", max_len=1000)
    if errors:
        raise ValidationError(errors)
    return out


def complete_action(a: ActionItem, done_on: Any = None, note: str = "") -> ActionItem:
    a = ActionItem.get_by_id(a.id)
    if a.status != OPEN:
        raise NeiqinError(f"该事项当前为“{a.status}”")
    errors: dict[str, str] = {}
    day = parse_day(done_on or clock.today(), "完成日期", "done_on", errors)
    if day and day > clock.today():
        errors["done_on"] = "完成日期不能晚于今天"
    elif day and a.meeting_day and day < a.meeting_day:
        errors["done_on"] = f"完成日期不能早于会议日期（{a.meeting_day}）"
    note = (note or "").strip()
    if len(note) > 500:
        errors["done_note"] = "办理情况不能超过 500 字"
    if errors:
        raise ValidationError(errors)
    return ACTIONS.update(a, {"status": DONE, "done_on": day, "done_note": note}, validate=False, action="done",
                          summary=f"督办事项完成：{a.task[:30]}（{a.owner}）")


def cancel_action(a: ActionItem, reason: str) -> ActionItem:
    a = ActionItem.get_by_id(a.id)
    if a.status != OPEN:
        raise NeiqinError(f"该事项当前为“{a.status}”")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "取消督办事项必须填写原因"})
    if len(reason) > 500:
        raise ValidationError({"reason": "取消原因不能超过 500 字"})
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


# ---------------------------------------------------------------------------------------------- ledgers


def minutes_state(row: dict) -> str:
    if row.get("final_at"):
        return "已定稿" + (f"（修正 {row['amendments']} 次）" if row.get("amendments") else "")
    if row.get("minutes_saved_at"):
        return "已记录"
    return "未记录"


def _meeting_status_condition(key: str):
    today = clock.today()
    if key == "upcoming":
        return Meeting.day >= today
    if key == "unminuted":
        return (Meeting.day <= today) & Meeting.minutes_saved_at.is_null()
    if key == "minuted":
        return Meeting.minutes_saved_at.is_null(False) & Meeting.final_at.is_null()
    return Meeting.final_at.is_null(False)


def _meeting_search_parts(m: Meeting) -> tuple[list[str], list[str]]:
    data = m.minutes_data()
    titles = [it.get("title", "") for it in data.get("items", [])]
    decisions = [d for it in data.get("items", []) for d in it.get("decisions", [])]
    short = [m.title, m.kind, m.series_name, m.place, m.host, m.recorder, m.department, *titles]
    return short + [m.agenda_plan, *decisions], short


MEETINGS = register_ledger(_MeetingSpec(
    key="meetings",
    title="会议登记簿",
    tab_title="会议记录",
    model=Meeting,
    columns=[
        Column("day", "日期", 10, kind="date", importable=False),
        Column("start_at", "时间", 11, sortable=True, importable=False,
               value=lambda r: f"{r['start_at']:%H:%M}–{r['end_at']:%H:%M}" if r.get("start_at") else ""),
        Column("title", "会议名称", 24, importable=False),
        Column("kind", "类型", 8, importable=False),
        Column("place", "地点", 12, importable=False),
        Column("host", "主持人", 7, importable=False),
        Column("recorder", "记录人", 7, importable=False),
        Column("expected", "应到/实到", 8, align="center", importable=False,
               value=lambda r: f"{r['expected']}/{r['present']}" if r.get("minutes_saved_at") else f"{r['expected']}/–"),
        Column("final_at", "会议记录", 12, importable=False, value=minutes_state),
    ],
    default_sort="start_at",
    date_field="day",
    date_label="会议日期",
    statuses=[("upcoming", "今天及以后"), ("unminuted", "未记录"), ("minuted", "已记录未定稿"), ("final", "已定稿")],
    status_condition=_meeting_status_condition,
    search=SearchIndex("meeting"),
    search_parts=_meeting_search_parts,
    validate=validate_meeting,
    history_fields=("title",),
    describe=lambda m: f"会议 {m.title}（{m.day}）",
))


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
    columns=[
        Column("due", "完成期限", 10, kind="date", sortable=True, importable=False),
        Column("task", "督办事项", 30, importable=False),
        Column("owner", "责任人", 7, sortable=True, importable=False),
        Column("department", "部门", 10, importable=False),
        Column("meeting_title", "来源会议", 18, importable=False,
               value=lambda r: f"{r['meeting_title']}（{r['meeting_day']:%m-%d}）" if r.get("meeting_day")
               else r.get("meeting_title") or "领导交办"),
        Column("status", "状态", 9, importable=False, value=action_state),
        Column("done_on", "完成日期", 10, kind="date", importable=False),
        Column("done_note", "办理情况", 20, importable=False,
               value=lambda r: r.get("done_note") or r.get("cancel_reason") or ""),
    ],
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


# ---------------------------------------------------------------------------------------------- queries (今日, 督办表)


def meetings_on(day: dt.date) -> list[Meeting]:
    return list(Meeting.select().where((Meeting.day == day) & (Meeting.voided == False))  # noqa: E712
                .order_by(Meeting.start_at))


def bookings_on(day: dt.date) -> list[Booking]:
    return list(Booking.select().where((Booking.day == day) & (Booking.voided == False)  # noqa: E712
                                       & (Booking.status == ACTIVE)).order_by(Booking.start_at, Booking.room_id))


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


def week_end(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=6 - day.weekday())


@today_registry.section("meetings", "今日会议", 40, ledger="meetings")
def _today_meetings(day: dt.date) -> list[today_registry.TodayItem]:
    items = []
    for m in meetings_on(day):
        items.append(today_registry.TodayItem(f"{m.time_text} {m.title}（{m.place}，主持 {m.host}）", "meetings",
                                              m.id, today_registry.INFO, m.start_at, m.host))
    return items


@today_registry.section("bookings", "今日会议室预订", 41, ledger="bookings")
def _today_bookings(day: dt.date) -> list[today_registry.TodayItem]:
    return [today_registry.TodayItem(f"{b.time_text} {b.room_name}：{b.purpose}（{b.organiser}，{b.kind}）",
                                     "bookings", b.id, today_registry.INFO, b.start_at, b.organiser)
            for b in bookings_on(day)]


TODAY_ACTIONS_LISTED = 100  # rows listed in 今日; the rest are summed (a backlog must not stall the morning screen)


@today_registry.section("actions", "督办事项（逾期与本周到期）", 42, ledger="actions")
def _today_actions(day: dt.date) -> list[today_registry.TodayItem]:
    due = ActionItem.select().where((ActionItem.status == OPEN) & (ActionItem.voided == False)  # noqa: E712
                                    & (ActionItem.due <= week_end(day)))
    listed = list(due.order_by(ActionItem.due, ActionItem.id).limit(TODAY_ACTIONS_LISTED))
    items = []
    for a in listed:
        if a.due < day:
            level, when = today_registry.OVERDUE, f"逾期 {(day - a.due).days} 天"
        elif a.due == day:
            level, when = today_registry.DUE, "今天到期"
        else:
            level, when = today_registry.DUE, f"{a.due:%m-%d} 到期"
        items.append(today_registry.TodayItem(f"{a.owner}：{a.task[:40]} — {when}", "actions", a.id, level,
                                              a.due, a.owner))
    if len(listed) == TODAY_ACTIONS_LISTED:  # the rest, summed per level
        last = listed[-1]
        rest = due.where((ActionItem.due > last.due) | ((ActionItem.due == last.due) & (ActionItem.id > last.id)))
        late = rest.where(ActionItem.due < day).count()
        for n, level, what in ((late, today_registry.OVERDUE, "逾期"),
                               (rest.count() - late, today_registry.DUE, "本周到期")):
            if n:
                items.append(today_registry.TodayItem(f"另有 {n} 项{what}未列出：在“督办”中查看全部", "actions",
                                                      None, level, count=n))
    return items


MODELS: list = [*BOOKING_MODELS, MeetingSeries, Meeting, Attendee, ActionItem, ActionReview, MinutesDraft]


# ---------------------------------------------------------------------------------------------- demo data

DEMO_ROOMS = [("第一会议室", 30, "投影仪、视频会议终端、话筒4只", "主楼3层301"),
              ("第二会议室", 16, "电视屏、白板", "主楼3层305"), ("小会议室", 8, "白板", "主楼2层208"),
              ("大会议室", 80, "LED屏、音响、话筒12只、视频会议", "主楼1层"),
              ("洽谈室", 6, "电视屏", "主楼1层大厅东侧")]
DEMO_TOPICS = [("上周工作完成情况及本周工作安排", ["各部门按计划推进本周重点工作"]),
               ("安全生产检查情况", ["开展一次消防安全自查", "完善节假日值班安排"]),
               ("办公用品采购计划", ["同意按预算采购第二季度办公用品"]),
               ("项目进度协调", ["加快施工进度，确保按期完工"]),
               ("年度培训计划", ["按计划组织新员工入职培训"]),
               ("档案整理归档工作", ["年底前完成上年度文书档案归档"])]
DEMO_TASKS = ["报送本月工作总结", "完成消防器材检查并形成台账", "制定值班表并报办公室", "提交采购清单及预算",
              "组织召开项目协调会", "整理归档上年度合同", "更新通讯录并下发各部门", "落实会议室设备维修"]


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Rooms, a weekly 例会 booked over the past quarter and the coming weeks, held and minuted with action items
    (done, open, overdue), department bookings and a 公司会议 that displaced a 部门会议."""
    if Room.select().exists():
        return {}
    moment = now()
    today = moment.date()
    with db.atomic():
        rooms = [ROOMS.create({"name": n, "capacity": c, "equipment": e, "location": loc, "sort_order": i})
                 for i, (n, c, e, loc) in enumerate(DEMO_ROOMS)]
        office = [s for s in staff if s.department == "办公室"] or staff[:6]
        host, recorder = staff[0], (office[0] if office[0] is not staff[0] else staff[1])
        members = list(dict.fromkeys([host, recorder, *staff[1:9]]))
        monday = today - dt.timedelta(days=today.weekday())
        first = monday - dt.timedelta(weeks=12)
        series = book({"room": rooms[0].id, "day": first, "start": "09:00", "end": "10:00",
                       "organiser": {"id": recorder.id, "name": recorder.name}, "department": recorder.department,
                       "purpose": "公司周例会", "kind": COMPANY, "expected": len(members), "repeat": WEEKLY,
                       "until": monday + dt.timedelta(weeks=4)}).bookings
        invitees = "、".join(s.name for s in members if s is not host)
        last = None
        for b in series:
            if b.start_at > moment:
                break
            values = next_meeting_values(last) if last else {
                "title": "公司周例会", "kind": "例会", "series_name": "公司周例会", "host": {"id": host.id},
                "recorder": {"id": recorder.id}, "department": "办公室", "invitees": invitees,
                "observers": "赵丽（市住建局）"}
            values["booking"] = b.id
            m = create_meeting(values, capacity_ack=True)
            doc = minutes_document(m)
            week = (b.day - first).days // 7
            topics = [DEMO_TOPICS[0], DEMO_TOPICS[1 + week % (len(DEMO_TOPICS) - 1)]]
            for t, (title, decisions) in enumerate(topics):
                owner = rng.choice(staff[:12])
                due = b.day + dt.timedelta(days=rng.choice([2, 3, 4, 7, 10]))
                doc["items"].append({"title": title, "notes": f"{host.name}：请各部门汇报{title}。\n"
                                     f"{recorder.name}：已按要求汇总，详见会议材料。",
                                     "decisions": decisions,
                                     "actions": [{"task": DEMO_TASKS[(week + t) % len(DEMO_TASKS)],
                                                  "owner": {"id": owner.id, "name": owner.name}, "due": due}]})
            for k, row in enumerate(doc["attendance"]):
                mark = PRESENT if row["role"] == MEMBER else ATTENDED
                reason = ""
                if row["role"] == MEMBER and k % 7 == 3:
                    mark = LEAVE
                elif row["role"] == MEMBER and k % 11 == 5 and week % 2:
                    mark, reason = ABSENT, "外出办事"
                elif row["role"] == MEMBER and k % 5 == 4:
                    mark = LATE
                row.update(attendance=mark, reason=reason)
            for r in doc["reviews"]:
                r["outcome"] = DONE if rng.random() < 0.45 else CONTINUE
                r["result"] = "已按期完成" if r["outcome"] == DONE else "正在办理，下周完成"
            for it in doc["items"]:
                for a in it["actions"]:
                    if a["due"] < b.day:
                        a["due"] = b.day
            commit_minutes(m, doc)
            if b.day < today - dt.timedelta(days=14):
                finalize_minutes(m)
            last = m
        # a 公司会议 that displaced a 部门会议, and today's bookings
        dept_day = today + dt.timedelta(days=2)
        who = staff[5]
        try:
            book({"room": rooms[3].id, "day": dept_day, "start": "14:00", "end": "15:30",
                  "organiser": {"id": who.id, "name": who.name}, "department": who.department,
                  "purpose": f"{who.department}季度总结会", "kind": DEPARTMENT, "expected": 20})
            book({"room": rooms[3].id, "day": dept_day, "start": "14:00", "end": "17:00",
                  "organiser": {"id": recorder.id, "name": recorder.name}, "department": recorder.department,
                  "purpose": "安全生产工作会议", "kind": COMPANY, "expected": 60}, displace=True,
                 reason="上级检查组到访，公司会议提前，经总经理同意调整")
        except ValidationError:
            pass
        # today's bookings first, so the random ones below cannot take their slots
        for start, room, purpose in ((10, rooms[1], "技术方案评审"), (15, rooms[2], "新员工面试")):
            who = rng.choice(staff)
            try:
                made = book({"room": room.id, "day": today, "start": f"{start}:00", "end": f"{start + 1}:00",
                             "organiser": {"id": who.id, "name": who.name}, "department": who.department,
                             "purpose": purpose, "kind": DEPARTMENT, "expected": 5}, capacity_ack=True)
            except ValidationError:
                continue
            if start == 10:  # today's meeting, held in that booking
                create_meeting({"title": purpose, "kind": "专题会议", "booking": made.bookings[0].id,
                                "host": {"id": who.id}, "recorder": {"id": recorder.id},
                                "department": who.department,
                                "invitees": "、".join(s.name for s in staff[10:14] if s is not who)},
                               capacity_ack=True)
        # department bookings over the past and coming weeks (conflicts simply skipped)
        n = max(10, min(rows // 5, 80))
        for _ in range(n):
            day = today + dt.timedelta(days=rng.randrange(-40, 21))
            if day.weekday() >= 5:
                continue
            start = rng.choice([9, 10, 13, 14, 15, 16])
            who = rng.choice(staff)
            try:
                book({"room": rng.choice(rooms[1:]).id, "day": day, "start": f"{start:02d}:00",
                      "end": f"{start + rng.choice([1, 1, 2]):02d}:00", "organiser": {"id": who.id, "name": who.name},
                      "department": who.department, "purpose": f"{who.department}{rng.choice(['部门例会', '业务培训', '项目讨论', '客户洽谈'])}",
                      "kind": DEPARTMENT, "expected": rng.randrange(3, 9)}, capacity_ack=True)
            except ValidationError:
                continue
        # one monthly booking, for the month-end rule
        book({"room": rooms[2].id, "day": today.replace(day=1) + dt.timedelta(days=27), "start": "16:30",
              "end": "17:30", "organiser": {"id": staff[2].id, "name": staff[2].name},
              "department": staff[2].department, "purpose": "月度财务分析会", "kind": DEPARTMENT, "expected": 6,
              "repeat": MONTHLY, "until": today + dt.timedelta(days=120)}, capacity_ack=True)
    return {"rooms": Room.select().count(), "bookings": Booking.select().count(),
            "meetings": Meeting.select().count(), "actions": ActionItem.select().count()}


def bulk_meetings(n: int, seed: int = 7) -> int:
    """``n`` past meetings, each with its booking and two action items, inserted in bulk (benchmarks)."""
    rng = random.Random(seed)
    staff = list(Staff.select().limit(200))
    if not staff:
        from neiqin.models.demo import seed_directory

        staff = seed_directory(rng)
    room_list = list(Room.select().where(Room.voided == False))  # noqa: E712
    if not room_list:
        room_list = [ROOMS.create({"name": f"{r[0]}", "capacity": r[1], "equipment": r[2], "location": r[3]})
                     for r in DEMO_ROOMS]
    slots = [(h, h + 1) for h in (8, 9, 10, 11, 13, 14, 15, 16)]
    per_day = len(room_list) * len(slots)
    today = clock.today()
    first_day = today - dt.timedelta(days=n // per_day + 2)
    stamp = now()
    with db.atomic():
        last_b = Booking.select(pw.fn.MAX(Booking.id)).scalar() or 0
        last_m = Meeting.select(pw.fn.MAX(Meeting.id)).scalar() or 0
        last_a = ActionItem.select(pw.fn.MAX(ActionItem.id)).scalar() or 0
        done = 0
        while done < n:
            k = min(2000, n - done)
            bookings, meetings, actions = [], [], []
            for i in range(done, done + k):
                day = first_day + dt.timedelta(days=i // per_day)
                room = room_list[(i % per_day) // len(slots)]
                h0, h1 = slots[i % len(slots)]
                s, e = dt.datetime.combine(day, dt.time(h0)), dt.datetime.combine(day, dt.time(h1))
                who, boss = rng.choice(staff), rng.choice(staff)
                topic, decisions = rng.choice(DEMO_TOPICS)
                purpose = f"{who.department}{rng.choice(['部门例会', '项目讨论', '业务培训', '专题会议'])}"
                bid, mid = last_b + i + 1, last_m + i + 1
                bookings.append(Booking(id=bid, day=day, start_at=s, end_at=e, room_id=room.id, room_name=room.name,
                                        purpose=purpose, kind=DEPARTMENT, organiser_id=who.id, organiser=who.name,
                                        department=who.department, expected=8, created_at=stamp, updated_at=stamp))
                items = {"items": [{"title": topic, "notes": f"{boss.name}：{topic}。", "decisions": decisions,
                                    "actions": [last_a + 2 * i + 1, last_a + 2 * i + 2]}]}
                meetings.append(Meeting(id=mid, title=purpose, kind="部门会议", booking_id=bid, room_id=room.id,
                                        day=day, start_at=s, end_at=e, place=room.name, host_id=boss.id,
                                        host=boss.name, recorder_id=who.id, recorder=who.name,
                                        department=who.department, expected=8, present=7,
                                        minutes=json.dumps(items, ensure_ascii=False), minutes_saved_at=e,
                                        created_at=stamp, updated_at=stamp))
                for j in range(2):
                    owner = rng.choice(staff)
                    status = DONE if rng.random() < 0.7 else OPEN
                    actions.append(ActionItem(id=last_a + 2 * i + j + 1, meeting_id=mid, meeting_title=purpose,
                                              meeting_day=day, item_seq=1, task=rng.choice(DEMO_TASKS),
                                              owner_id=owner.id, owner=owner.name, department=owner.department,
                                              due=day + dt.timedelta(days=7), status=status,
                                              done_on=day + dt.timedelta(days=5) if status == DONE else None,
                                              created_at=stamp, updated_at=stamp))
            for model, objs, spec in ((Booking, bookings, BOOKINGS), (Meeting, meetings, MEETINGS),
                                      (ActionItem, actions, ACTIONS)):
                model.bulk_create(objs, batch_size=500)
                spec.search.put_many([(o.id, *spec.search_parts(o)) for o in objs])
            done += k
        AuditLog.write("meetings", None, "import", f"生成演示会议 {n} 条（含预订与督办事项）")
    return n

