"""会议室预订: bookings, repeating bookings and the 调整 of a 部门会议 for a 公司会议. No Qt.

* A booking is one room for ``[start, end)`` on one day, inside office hours (settings ``meetings.office_start`` /
  ``meetings.office_end``). Intervals are half-open: 10:00–11:00 and 11:00–12:00 do not conflict.
* An overlapping live booking of the same room is refused, naming it (room, time, organiser, purpose).
* A 公司会议 may take the slot of 部门会议 only through an explicit 调整 (confirmed with a reason): the moved
  booking is kept, marked 已调整 with the reason and a link to the booking that took its place, so the clerk can
  tell its organiser. A 部门会议 never displaces anything, and a 公司会议 never displaces another 公司会议.
* A repeating booking checks every occurrence and reports ALL conflicts before anything is saved; at most
  ``MAX_OCCURRENCES`` occurrences. Occurrences share a :class:`BookingSeries`.
* Cancelling is a void with a reason (the booking stays, greyed). Over-capacity is a warning the clerk may accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, check_void, register_ledger
from neiqin.models.meetings.rooms import Room, _room, check_capacity
from neiqin.models.meetings.schedule import (
    ACTIVE,
    ADJUSTED,
    COMPANY,
    DEPARTMENT,
    KINDS,
    MAX_OCCURRENCES,
    NO_REPEAT,
    REPEATS,
    clean_time,
    occurrence_count,
    occurrences,
    office_hours,
    person,
    repeat_text,
)
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for


class BookingSeries(BaseModel):
    repeat = pw.CharField(max_length=6)
    first_day = pw.DateField()
    until = pw.DateField()
    occurrences = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "booking_series"

    @property
    def text(self) -> str:
        return repeat_text(self.repeat, self.first_day, self.until)


def _time_range(row: dict) -> str:
    return f"{row['start_at']:%H:%M}–{row['end_at']:%H:%M}" if row.get("start_at") else ""


def _booking_status(row: dict) -> str:
    if row.get("voided"):
        return "已取消"
    if row.get("status") == ADJUSTED:
        return f"已调整→#{row.get('moved_by_id')}"
    return ACTIVE


BOOKING_FIELDS = Fields(
    "bookings",
    Field("room_name", "会议室", required=True, max_len=40, width=10, importable=False),  # typed as ``room``
    Field("day", "日期", "date", required=True, index=True, width=10, importable=False),
    Field("start_at", "开始时间", "time", required=True, header="时间", width=11, sortable=True, importable=False,
          value=_time_range, placeholder="09:00"),
    Field("end_at", "结束时间", "time", required=True, placeholder="10:00"),
    Field("purpose", "会议内容", required=True, max_len=200, width=22, importable=False, history=True),
    Field("kind", "类型", "choice", choices=tuple(KINDS), default=DEPARTMENT, max_len=6, width=8, importable=False),
    Field("organiser", "预订人", "staff", required=True, stored=False, width=7, importable=False),
    Field("department", "部门", "choice", open_choices=True, max_len=60, width=10, importable=False,
          placeholder="不填则用预订人的部门"),
    Field("phone", "联系电话", max_len=40),
    Field("expected", "参会人数", "int", lo=0, hi=2000, default=0, header="人数", width=5, align="center",
          importable=False),
    Field("repeat", "重复", "choice", choices=tuple(REPEATS), default=NO_REPEAT, stored=False, importable=False),
    Field("until", "重复截止日期", "date", stored=False, importable=False,
          placeholder="YYYY-MM-DD（重复时必填；每月重复遇小月取月末）"),
    Field("series_text", "重复", max_len=60, in_form=False, width=16, importable=False),
    Field("status", "状态", "choice", choices=(ACTIVE, ADJUSTED), default=ACTIVE, max_len=6, in_form=False, width=12,
          importable=False, value=_booking_status),
    Field("adjust_reason", "调整原因", max_len=200, in_form=False, width=14, importable=False),
    Field("note", "备注", "multiline"),
)


@BOOKING_FIELDS.table(order=(
    "day", "start_at", "end_at", "room_id", "room_name", "purpose", "kind", "organiser_id", "organiser",
    "department", "phone", "expected", "series_id", "series_text", "status", "moved_by_id", "adjust_reason",
    "adjusted_at", "note",
))
class Booking(VoidableModel):
    """One booking of a room; its typed fields are :data:`BOOKING_FIELDS`. Declared here: the room and the
    organiser from 通讯录 (kept by id and name), the repeating series and the 调整 that moved it."""

    room_id = pw.IntegerField()
    organiser_id = pw.IntegerField(null=True)
    organiser = pw.CharField(max_length=40)
    series_id = pw.IntegerField(null=True, index=True)
    moved_by_id = pw.IntegerField(null=True)  # the 公司会议 booking that took this slot
    adjusted_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("room_id", "day"), False), (("start_at", "id"), False))

    @property
    def live(self) -> bool:
        return not self.voided and self.status == ACTIVE

    @property
    def time_text(self) -> str:
        return f"{self.start_at:%H:%M}–{self.end_at:%H:%M}"


MODELS = [BookingSeries, Booking]


def describe_booking(b: Booking) -> str:
    who = b.organiser + (f"（{b.department}）" if b.department else "")
    return f"{b.room_name} {b.day} {b.time_text}，{who}：{b.purpose}（{b.kind}）"


# ---------------------------------------------------------------------------------------------- errors


class BookingConflict(ValidationError):
    """Overlaps with live bookings. ``conflicts`` = [(day, booking)]; ``can_displace`` when every conflict is a
    部门会议 and the new booking is a 公司会议 (the UI then offers 调整)."""

    def __init__(self, conflicts: list[tuple[dt.date, Booking]], kind: str, series: bool = False):
        self.conflicts = conflicts
        self.can_displace = kind == COMPANY and all(b.kind == DEPARTMENT for _, b in conflicts)
        lines = [describe_booking(b) for _, b in conflicts[:20]]
        more = f"\n……另有 {len(conflicts) - 20} 处冲突" if len(conflicts) > 20 else ""
        head = (f"重复预订中有 {len(conflicts)} 次与已有预订冲突，未保存任何一次：\n" if series
                else "该时段已被预订：\n")
        tail = "\n公司会议可以“调整”以上部门会议（需填写原因，原预订保留并标记已调整）。" if self.can_displace else ""
        super().__init__({"start": head + "\n".join(lines) + more + tail})


class DisplaceBookings(NeedsConfirmation):
    """A 公司会议 over 部门会议: confirmed with a reason, they are 调整 (kept, marked, their organisers told)."""

    key, title, yes_text = "displace", "调整部门会议", "调整并预订"
    reason_label = "调整原因（将告知原预订人）"

    def __init__(self, conflict: BookingConflict):
        self.conflict = conflict
        super().__init__(str(conflict), details=conflict.conflicts)
        self.errors_if_declined = dict(conflict.errors)


def _displace_reason(conflict: BookingConflict, confirmed: Confirmed) -> str:
    """The 调整 reason the clerk gave, or the question (or the plain conflict, when it cannot be displaced)."""
    if not conflict.can_displace:
        raise conflict
    reason = (reason_for(confirmed, DisplaceBookings.key) or "").strip()
    if not reason:
        raise DisplaceBookings(conflict)
    if len(reason) > 200:
        raise ValidationError({"reason": "调整原因不能超过 200 字"})
    return reason


# ---------------------------------------------------------------------------------------------- bookings


def validate_booking(data: dict, record: Booking | None) -> dict:
    """:data:`BOOKING_FIELDS` checked, then office hours and the organiser from 通讯录 (no conflict check: see
    :func:`find_conflicts`)."""
    errors: dict[str, str] = {}
    room = _room(data.get("room") if data.get("room") is not None else data.get("room_id"), errors)
    out: dict[str, Any] = {"room_id": room.id if room else None, "room_name": room.name if room else ""}
    day = BOOKING_FIELDS["day"].clean(data.get("day"), errors)
    start = clean_time(BOOKING_FIELDS["start_at"], data.get("start") if data.get("start") is not None
                       else data.get("start_at"), "start", errors)
    end = clean_time(BOOKING_FIELDS["end_at"], data.get("end") if data.get("end") is not None else data.get("end_at"),
                     "end", errors)
    open_at, close_at = office_hours()
    if start and end:
        if end <= start:
            errors.setdefault("end", f"结束时间（{end:%H:%M}）应晚于开始时间（{start:%H:%M}）")
        if start < open_at or start >= close_at:
            errors.setdefault("start", f"开始时间应在办公时间 {open_at:%H:%M}–{close_at:%H:%M} 之内")
        if end > close_at or end <= open_at:
            errors.setdefault("end", f"结束时间应在办公时间 {open_at:%H:%M}–{close_at:%H:%M} 之内")
    if day and start and end:
        out["day"] = day
        out["start_at"] = dt.datetime.combine(day, start)
        out["end_at"] = dt.datetime.combine(day, end)
    organiser = data.get("organiser")
    if isinstance(organiser, str) and data.get("organiser_id"):
        organiser = {"id": data["organiser_id"], "name": organiser, "department": data.get("department") or ""}
    oid, oname, odept = person(organiser)
    if not oname:
        errors["organiser"] = "请填写预订人"
    elif len(oname) > 40:
        errors["organiser"] = "预订人姓名不能超过 40 字"
    out["organiser_id"], out["organiser"] = oid, oname
    out.update(BOOKING_FIELDS.clean(data, errors, ("department", "phone", "purpose", "kind", "expected", "note")))
    out["department"] = out["department"] or odept
    if errors:
        raise ValidationError(errors)
    return out


def find_conflicts(room_id: int, slots: Iterable[tuple[dt.datetime, dt.datetime]],
                   exclude_ids: Iterable[int] = ()) -> list[tuple[dt.date, Booking]]:
    """Live bookings of ``room_id`` overlapping any of ``slots`` (half-open), in one query per 500 days."""
    slots = sorted(slots)
    exclude = set(exclude_ids)
    by_day: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
    for s, e in slots:
        by_day.setdefault(s.date(), []).append((s, e))
    days = list(by_day)
    found: list[tuple[dt.date, Booking]] = []
    for i in range(0, len(days), 500):
        chunk = days[i:i + 500]
        q = (Booking.select().where((Booking.room_id == room_id) & Booking.day.in_(chunk)
                                    & (Booking.voided == False) & (Booking.status == ACTIVE))  # noqa: E712
             .order_by(Booking.start_at))
        for b in q:
            if b.id in exclude:
                continue
            if any(b.start_at < e and s < b.end_at for s, e in by_day.get(b.day, ())):
                found.append((b.day, b))
    found.sort(key=lambda x: x[1].start_at)
    return found


def _reindex(b: Booking) -> None:
    BOOKINGS._reindex(b)


def _displace(conflicts: list[tuple[dt.date, Booking]], by: Booking, reason: str) -> list[Booking]:
    moved = []
    at = now()
    for _, old in conflicts:
        Booking.update(status=ADJUSTED, moved_by_id=by.id, adjust_reason=reason, adjusted_at=at,
                       updated_at=at).where(Booking.id == old.id).execute()
        old = Booking.get_by_id(old.id)
        _reindex(old)
        AuditLog.write("bookings", old.id, "adjust",
                       f"调整：{describe_booking(old)} 让给公司会议“{by.purpose}”（#{by.id}）：{reason}",
                       {"status": [ACTIVE, ADJUSTED], "moved_by_id": [None, by.id], "adjust_reason": ["", reason]})
        moved.append(old)
    return moved


@dataclass
class BookingResult:
    bookings: list[Booking]
    displaced: list[Booking]  # 部门会议 moved by 调整: tell their organisers

    @property
    def first(self) -> Booking:
        return self.bookings[0]

    def notice(self) -> str:
        if not self.displaced:
            return ""
        return "已调整以下部门会议，请通知预订人：\n" + "\n".join(
            f"{b.organiser}{'（' + b.phone + '）' if b.phone else ''}：{b.room_name} {b.day} {b.time_text} {b.purpose}"
            for b in self.displaced)


def book(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> BookingResult:
    """Book a room once or repeatedly (``data['repeat']``, ``data['until']``). All or nothing."""
    clean = validate_booking(data, None)
    errors: dict[str, str] = {}
    repeat = BOOKING_FIELDS["repeat"].clean(data.get("repeat"), errors)
    until = None
    if repeat != NO_REPEAT and repeat in REPEATS:
        until = BOOKING_FIELDS["until"].clean(data.get("until"), errors)
        if until is None:
            errors.setdefault("until", f"请填写{BOOKING_FIELDS['until'].label}")
        if until and until < clean["day"]:
            errors.setdefault("until", "重复截止日期不能早于第一次的日期")
        elif until:
            n = occurrence_count(repeat, clean["day"], until)
            if n > MAX_OCCURRENCES:
                errors.setdefault("until", f"按此设置将有 {n} 次，重复预订最多 {MAX_OCCURRENCES} 次；"
                                           "请把截止日期提前（可到期后再续订）")
    if errors:
        raise ValidationError(errors)
    days = occurrences(repeat, clean["day"], until) if until else [clean["day"]]
    start_t, end_t = clean["start_at"].time(), clean["end_at"].time()
    slots = [(dt.datetime.combine(d, start_t), dt.datetime.combine(d, end_t)) for d in days]
    conflicts = find_conflicts(clean["room_id"], slots)
    reason = _displace_reason(BookingConflict(conflicts, clean["kind"], series=len(days) > 1), confirmed) \
        if conflicts else ""
    check_capacity(clean["room_id"], clean["expected"], confirmed)
    made: list[Booking] = []
    displaced: list[Booking] = []
    with db.atomic():
        series = None
        if len(days) > 1 or until:
            series = BookingSeries.create(repeat=repeat, first_day=days[0], until=until, occurrences=len(days))
        for day, (s, e) in zip(days, slots, strict=True):
            row = dict(clean, day=day, start_at=s, end_at=e)
            if series is not None:
                row.update(series_id=series.id, series_text=series.text)
            b = BOOKINGS.create(row, summary=f"预订 {row['room_name']} {day} {s:%H:%M}–{e:%H:%M}：{row['purpose']}")
            made.append(b)
            mine = [c for c in conflicts if c[0] == day]
            if mine:
                displaced += _displace(mine, b, reason)
    return BookingResult(made, displaced)


def update_booking(b: Booking, data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> BookingResult:
    """Change one occurrence (audited); the same conflict rules apply."""
    b = Booking.get_by_id(b.id)
    if b.voided:
        raise NeiqinError("该预订已取消，不能修改")
    if b.status == ADJUSTED:
        raise NeiqinError("该预订已被调整，不能修改；如需另找时间请重新预订")
    current = {"room": b.room_id, "day": b.day, "start": b.start_at, "end": b.end_at,
               "organiser": {"id": b.organiser_id, "name": b.organiser, "department": b.department},
               "department": b.department, "phone": b.phone, "purpose": b.purpose, "kind": b.kind,
               "expected": b.expected, "note": b.note}
    merged = {**current, **data}
    clean = validate_booking(merged, b)
    conflicts = find_conflicts(clean["room_id"], [(clean["start_at"], clean["end_at"])], exclude_ids=[b.id])
    reason = _displace_reason(BookingConflict(conflicts, clean["kind"]), confirmed) if conflicts else ""
    if clean["room_id"] != b.room_id or clean["expected"] != b.expected:
        check_capacity(clean["room_id"], clean["expected"], confirmed)
    with db.atomic():
        b = BOOKINGS.update(b, clean, validate=False, summary=f"修改预订：{describe_booking(b)}")
        displaced = _displace(conflicts, b, reason) if conflicts else []
    return BookingResult([b], displaced)


def cancel_booking(b: Booking, reason: str, *, following: bool = False) -> list[Booking]:
    """取消 (void with a reason); ``following`` also cancels the later occurrences of its series."""
    b = Booking.get_by_id(b.id)
    check_void(b, reason)
    targets = [b]
    if following and b.series_id:
        targets += list(Booking.select().where((Booking.series_id == b.series_id) & (Booking.start_at > b.start_at)
                                               & (Booking.voided == False)).order_by(Booking.start_at))  # noqa: E712
    with db.atomic():
        for t in targets:
            BOOKINGS.void(t, reason)
    return targets


def bookings_between(start: dt.date, end: dt.date, room_ids: Iterable[int] | None = None,
                     include_adjusted: bool = True) -> list[Booking]:
    """Bookings (not cancelled) from ``start`` to ``end`` inclusive, for the room grid and 今日."""
    q = Booking.select().where((Booking.day >= start) & (Booking.day <= end) & (Booking.voided == False))  # noqa: E712
    if room_ids is not None:
        q = q.where(Booking.room_id.in_(list(room_ids)))
    if not include_adjusted:
        q = q.where(Booking.status == ACTIVE)
    return list(q.order_by(Booking.start_at, Booking.room_id))


def _booking_status_condition(key: str):
    today = clock.today()
    if key == "today":
        return (Booking.day == today) & (Booking.status == ACTIVE)
    if key == "upcoming":
        return (Booking.day >= today) & (Booking.status == ACTIVE)
    if key == "adjusted":
        return Booking.status == ADJUSTED
    if key == "company":
        return Booking.kind == COMPANY
    return Booking.kind == DEPARTMENT


def _booking_search_parts(b: Booking) -> tuple[list[str], list[str]]:
    short = [b.room_name, b.purpose, b.kind, b.organiser, b.department, b.series_text]
    return short + [b.phone, b.note, b.adjust_reason], short


class _BookingSpec(LedgerSpec):
    """Bookings go through :func:`book` / :func:`update_booking` so conflicts are always checked."""

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        if "start_at" in data and isinstance(data["start_at"], dt.datetime) and "room_id" in data:
            return super().create(data, action=action, summary=summary)  # already checked by book()
        return book(data).first


BOOKINGS = register_ledger(_BookingSpec(
    key="bookings",
    title="会议室预订登记簿",
    tab_title="预订",
    model=Booking,
    columns=BOOKING_FIELDS.columns("day", "start_at", "room_name", "purpose", "kind", "organiser", "department",
                                   "expected", "series_text", "status", "adjust_reason"),
    fields=BOOKING_FIELDS,
    default_sort="start_at",
    date_field="day",
    date_label="日期",
    statuses=[("today", "今天"), ("upcoming", "今天及以后"), ("adjusted", "已调整"), ("company", "公司会议"),
              ("department", "部门会议")],
    status_condition=_booking_status_condition,
    search=SearchIndex("booking"),
    search_parts=_booking_search_parts,
    validate=validate_booking,
    history_fields=("purpose",),
    describe=lambda b: f"预订 {b.room_name} {b.day} {b.start_at:%H:%M}（{b.purpose}）",
))


# ---------------------------------------------------------------------------------------------- for the window


def booking_by_id(booking_id: int) -> Booking | None:
    return Booking.get_or_none(Booking.id == booking_id)


def room_name_of(room_id: int) -> str:
    room = Room.get_or_none(Room.id == room_id)
    return room.name if room is not None else ""


def bookings_for_meeting(current: int | None = None, today: dt.date | None = None) -> list[Booking]:
    """Bookings a meeting can use: live ones from a month ago to two months ahead not used by another meeting
    (and ``current``, the one the meeting has)."""
    from neiqin.models.meetings.register import Meeting  # the meetings ledger builds on this one

    today = today or clock.today()
    used = {m.booking_id for m in Meeting.select(Meeting.booking_id).where(Meeting.booking_id.is_null(False)
                                                                           & (Meeting.voided == False))}  # noqa: E712
    q = (Booking.select().where((Booking.day >= today - dt.timedelta(days=31))
                                & (Booking.day <= today + dt.timedelta(days=62))
                                & (Booking.voided == False) & (Booking.status != ADJUSTED))  # noqa: E712
         .order_by(Booking.start_at).limit(300))
    out = [b for b in q if b.id not in used or b.id == current]
    if current and all(b.id != current for b in out):
        b = booking_by_id(current)
        if b is not None:
            out.append(b)
    return out
