"""会议登记: meetings with their invitees (参会, 列席), attendance, recurring series and the room booked. No Qt.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.meetings.attendance import (
    ATTENDED,
    LATE,
    MEMBER,
    OBSERVER,
    PRESENT,
    count_marks,
    parse_invitees,
)
from neiqin.models.meetings.bookings import Booking, booking_by_id
from neiqin.models.meetings.rooms import check_capacity
from neiqin.models.meetings.schedule import (
    ACTIVE,
    ADJUSTED,
    clean_time,
    person,
)
from neiqin.models.staff import STATUS_ACTIVE, Staff
from neiqin.operations import NOTHING_CONFIRMED, Confirmed

MEETING_KINDS = ["例会", "办公会", "专题会议", "部门会议", "培训", "其他"]
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


def _time_range(row: dict) -> str:
    return f"{row['start_at']:%H:%M}–{row['end_at']:%H:%M}" if row.get("start_at") else ""


def minutes_state(row: dict) -> str:
    if row.get("final_at"):
        return "已定稿" + (f"（修正 {row['amendments']} 次）" if row.get("amendments") else "")
    if row.get("minutes_saved_at"):
        return "已记录"
    return "未记录"


MEETING_FIELDS = Fields(
    "meetings",
    Field("title", "会议名称", required=True, max_len=100, width=24, importable=False, history=True),
    Field("kind", "会议类型", "choice", choices=tuple(MEETING_KINDS), default=MEETING_KINDS[0], max_len=10,
          header="类型", width=8, importable=False),
    Field("series_name", "例会系列", "choice", open_choices=True, max_len=60,
          placeholder="例会填写系列名称，如“公司周例会”；其他会议留空"),
    Field("booking", "会议室预订", "choice", stored=False, importable=False),  # a booking's label (the form)
    Field("day", "日期", "date", required=True, index=True, width=10, importable=False),
    Field("start_at", "开始时间", "time", required=True, header="时间", width=11, sortable=True, importable=False,
          value=_time_range, placeholder="09:00"),
    Field("end_at", "结束时间", "time", required=True, placeholder="10:00"),
    Field("place", "地点", "choice", open_choices=True, max_len=100, width=12, importable=False,
          placeholder="选了预订就用预订的会议室"),
    Field("host", "主持人", "staff", required=True, stored=False, width=7, importable=False),
    Field("recorder", "记录人", "staff", stored=False, width=7, importable=False),
    Field("department", "主办部门", "choice", open_choices=True, max_len=60),
    Field("invitees", "参会人员", "multiline", stored=False,
          placeholder="张三、李四……；外单位人员写成 姓名（单位）；同名的写成 姓名（部门）"),
    Field("observers", "列席人员", "multiline", stored=False, placeholder="可不填"),
    Field("agenda_plan", "会议议题", "multiline", max_len=2000, placeholder="每行一个议题（印在会议通知上）"),
    Field("requirements", "会议要求", "multiline", max_len=1000, placeholder="可不填，通知上有默认要求"),
    # computed columns of the register (counted from the attendees, the minutes' state)
    Field("expected", "应到/实到", stored=False, in_form=False, importable=False, width=8, align="center",
          value=lambda r: f"{r['expected']}/{r['present']}" if r.get("minutes_saved_at") else f"{r['expected']}/–"),
    Field("final_at", "会议记录", stored=False, in_form=False, importable=False, width=12, value=minutes_state),
)


@MEETING_FIELDS.table(order=(
    "title", "kind", "series_id", "series_name", "booking_id", "room_id", "day", "start_at", "end_at",
    "place", "host_id", "host", "recorder_id", "recorder", "department", "agenda_plan", "requirements",
    "expected", "present", "minutes", "minutes_saved_at", "final_at", "amendments",
))
class Meeting(VoidableModel):
    """A meeting; its typed fields are :data:`MEETING_FIELDS`. Declared here: the links (series, booking, room,
    the host and recorder from 通讯录, kept by id and name), the counts and the minutes."""

    series_id = pw.IntegerField(null=True, index=True)
    booking_id = pw.IntegerField(null=True, index=True)
    room_id = pw.IntegerField(null=True)
    host_id = pw.IntegerField(null=True)
    host = pw.CharField(max_length=40, default="")
    recorder_id = pw.IntegerField(null=True)
    recorder = pw.CharField(max_length=40, default="")
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


MODELS = [MeetingSeries, Meeting, Attendee]


# ---------------------------------------------------------------------------------------------- attendees


def invitees_text(meeting: Meeting, role: str = MEMBER) -> str:
    rows = list(meeting.attendees.where(Attendee.role == role).order_by(Attendee.seq, Attendee.id))
    names = {r.name for r in rows if r.staff_id}
    live = (Staff.voided == False) & (Staff.status == STATUS_ACTIVE)  # noqa: E712
    twice = {s.name for s in Staff.select(Staff.name).where(Staff.name.in_(list(names)) & live)
             .group_by(Staff.name).having(pw.fn.COUNT(Staff.id) > 1)} if names else set()
    return "、".join(f"{r.name}（{r.unit}）" if (not r.staff_id and r.unit) or r.name in twice else r.name
                    for r in rows)


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
    """:data:`MEETING_FIELDS` checked, then the rules across fields: the booking (when chosen) gives the day, times
    and room; otherwise the times and a place are typed."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = MEETING_FIELDS.clean(data, errors, ("title", "kind", "series_name", "department",
                                                              "agenda_plan", "requirements"))
    ref = data.get("booking") if "booking" in data else data.get("booking_id")
    booking = None
    if isinstance(ref, Booking):
        booking = ref
    elif ref not in (None, "", 0):
        booking = booking_by_id(int(ref))
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
        day = MEETING_FIELDS["day"].clean(data.get("day"), errors)
        start = clean_time(MEETING_FIELDS["start_at"],
                           data.get("start") if data.get("start") is not None else data.get("start_at"),
                           "start", errors)
        end = clean_time(MEETING_FIELDS["end_at"],
                         data.get("end") if data.get("end") is not None else data.get("end_at"), "end", errors)
        if start and end and end <= start:
            errors.setdefault("end", f"结束时间（{end:%H:%M}）应晚于开始时间（{start:%H:%M}）")
        if day and start and end:
            out.update(day=day, start_at=dt.datetime.combine(day, start), end_at=dt.datetime.combine(day, end))
        out.update(MEETING_FIELDS.clean(data, errors, ("place",)))
        if not out["place"]:
            errors.setdefault("place", "请选择会议室预订，或填写会议地点")
    MEETING_FIELDS.clean(data, errors, ("host",))
    hid, hname, _ = person(data.get("host"))
    if not hname:
        errors.setdefault("host", "请填写主持人")
    out["host_id"], out["host"] = hid, hname[:40]
    rid, rname, _ = person(data.get("recorder"))
    out["recorder_id"], out["recorder"] = rid, rname[:40]
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


class _MeetingSpec(LedgerSpec):
    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        return create_meeting(data)

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        if validate:
            return update_meeting(rec, data)
        return LedgerSpec.update(self, rec, data, action=action, summary=summary, validate=False)


def create_meeting(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> Meeting:
    """A new meeting with its invitees; in a series, the series' open action items are carried into it."""
    from neiqin.models.meetings import actions

    errors: dict[str, str] = {}
    try:
        clean = validate_meeting(data, None)
    except ValidationError as e:
        errors.update(e.errors)
        clean = {}
    people = _parse_people(data, errors)
    if errors:
        raise ValidationError(errors)
    check_capacity(clean.get("room_id"), len(people), confirmed)
    with db.atomic():
        clean["series_id"] = _series_id(clean["series_name"])
        m = Meeting.create(**clean)
        _sync_attendees(m, people)
        MEETINGS._reindex(m)
        AuditLog.write("meetings", m.id, "create", f"新建会议：{m.title}（{m.day} {m.time_text}）",
                       {k: [None, v] for k, v in clean.items() if v not in (None, "")} |
                       {"invitees": [None, invitees_text(m)], "observers": [None, invitees_text(m, OBSERVER)]})
        actions.carry_open_actions(m)
    return m


def update_meeting(m: Meeting, data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> Meeting:
    from neiqin.models.meetings import actions

    m = Meeting.get_by_id(m.id)
    if m.voided:
        raise NeiqinError("该会议已作废，不能修改")
    current = meeting_form_values(m)
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
        check_capacity(clean.get("room_id"), len(people), confirmed)
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
            actions.carry_open_actions(m)
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


def meeting_by_id(meeting_id: int) -> Meeting | None:
    return Meeting.get_or_none(Meeting.id == meeting_id)


def latest_series_meeting() -> Meeting | None:
    """The latest live meeting of any series (下一次例会 with no series meeting selected)."""
    return (Meeting.select().where(Meeting.series_id.is_null(False) & (Meeting.voided == False))  # noqa: E712
            .order_by(Meeting.start_at.desc()).first())


def recent_meetings(limit: int = 100) -> list[Meeting]:
    """Live meetings, latest first (the source meeting of an action item is chosen from them)."""
    return list(Meeting.select().where(Meeting.voided == False)  # noqa: E712
                .order_by(Meeting.start_at.desc()).limit(limit))


def next_booking_of(m: Meeting) -> Booking | None:
    """The next live occurrence of ``m``'s repeating booking that no meeting uses yet."""
    if not m.booking_id:
        return None
    b = booking_by_id(m.booking_id)
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


# ---------------------------------------------------------------------------------------------- ledgers


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
    columns=MEETING_FIELDS.columns("day", "start_at", "title", "kind", "place", "host", "recorder", "expected",
                                   "final_at"),
    fields=MEETING_FIELDS,
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


# ---------------------------------------------------------------------------------------------- queries (今日, 督办表)


def meetings_on(day: dt.date) -> list[Meeting]:
    return list(Meeting.select().where((Meeting.day == day) & (Meeting.voided == False))  # noqa: E712
                .order_by(Meeting.start_at))


def bookings_on(day: dt.date) -> list[Booking]:
    return list(Booking.select().where((Booking.day == day) & (Booking.voided == False)  # noqa: E712
                                       & (Booking.status == ACTIVE)).order_by(Booking.start_at, Booking.room_id))


