"""会议室预订: office hours, half-open overlap, 调整 of a 部门会议 by a 公司会议, repeating bookings, capacity."""

from __future__ import annotations

import datetime as dt

import pytest

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import STAFF, settings
from neiqin.models.base import AuditLog
from neiqin.models.ledger import LedgerQuery
from neiqin.models.meetings.bookings import (
    BOOKINGS,
    Booking,
    BookingConflict,
    BookingSeries,
    DisplaceBookings,
    book,
    bookings_between,
    cancel_booking,
    update_booking,
)
from neiqin.models.meetings.rooms import ROOMS, CapacityWarning
from neiqin.models.meetings.schedule import (
    ACTIVE,
    ADJUSTED,
    BIWEEKLY,
    COMPANY,
    DEPARTMENT,
    MAX_OCCURRENCES,
    MONTHLY,
    WEEKLY,
    add_months,
    occurrence_count,
    occurrences,
)

DAY = dt.date(2030, 3, 4)  # a Monday


@pytest.fixture
def room(database):
    return ROOMS.create({"name": "第一会议室", "capacity": 12, "equipment": "投影仪"})


@pytest.fixture
def people(database):
    return {"li": STAFF.create({"name": "李强", "department": "技术部", "mobile": "13800000001"}),
            "wang": STAFF.create({"name": "王芳", "department": "办公室"})}


def data(room, people, start="10:00", end="11:00", day=DAY, **kw):
    d = {"room": room.id, "day": day, "start": start, "end": end,
         "organiser": {"id": people["li"].id, "name": "李强"}, "purpose": "技术部例会", "kind": DEPARTMENT,
         "expected": 8}
    d.update(kw)
    return d


def test_touching_intervals_do_not_conflict(room, people):
    book(data(room, people, "10:00", "11:00"))
    after = book(data(room, people, "11:00", "12:00", purpose="方案评审")).first
    before = book(data(room, people, "09:00", "10:00", purpose="晨会")).first
    assert after.start_at == dt.datetime(2030, 3, 4, 11, 0) and before.end_at == dt.datetime(2030, 3, 4, 10, 0)
    assert Booking.select().count() == 3
    assert after.department == "技术部"  # from the directory


@pytest.mark.parametrize("start,end", [("10:30", "11:30"), ("09:30", "10:01"), ("10:15", "10:45"),
                                       ("09:00", "12:00"), ("10:00", "11:00")])
def test_overlap_is_refused_naming_the_booking(room, people, start, end):
    book(data(room, people, "10:00", "11:00"))
    with pytest.raises(BookingConflict) as e:
        book(data(room, people, start, end, organiser="王芳", purpose="部门会"))
    msg = e.value.errors["start"]
    assert "第一会议室" in msg and "10:00–11:00" in msg and "李强" in msg and "技术部例会" in msg
    assert Booking.select().count() == 1


def test_other_rooms_days_and_cancelled_bookings_do_not_conflict(room, people):
    other = ROOMS.create({"name": "小会议室", "capacity": 10})
    first = book(data(room, people)).first
    book(data(other, people))
    book(data(room, people, day=DAY + dt.timedelta(days=1)))
    cancel_booking(first, "会议改期")
    again = book(data(room, people, purpose="改到这个时间")).first
    assert again.live and Booking.get_by_id(first.id).voided


@pytest.mark.parametrize("start,end,field,words", [
    ("11:00", "10:00", "end", "应晚于开始时间"),
    ("10:00", "10:00", "end", "应晚于开始时间"),
    ("07:30", "09:00", "start", "办公时间 08:00–18:00"),
    ("17:00", "18:30", "end", "办公时间"),
    ("25:00", "26:00", "start", "时:分"),
    ("", "10:00", "start", "请填写开始时间"),
])
def test_bad_times_are_refused_at_the_field(room, people, start, end, field, words):
    with pytest.raises(ValidationError) as e:
        book(data(room, people, start, end))
    assert words in e.value.errors[field]
    assert Booking.select().count() == 0


def test_office_hours_come_from_the_settings(room, people):
    settings.set_value("meetings.office_end", "20:00")
    assert book(data(room, people, "18:30", "19:30")).first.end_at.hour == 19
    settings.set_value("meetings.office_start", "09:00")
    with pytest.raises(ValidationError) as e:
        book(data(room, people, "08:30", "09:30"))
    assert "09:00–20:00" in e.value.errors["start"]


def test_missing_fields_are_reported_each_at_its_field(room, people):
    with pytest.raises(ValidationError) as e:
        book({"room": None, "day": "", "start": "10:00", "end": "11:00", "organiser": "", "purpose": ""})
    assert set(e.value.errors) >= {"room", "day", "organiser", "purpose"}


def test_company_meeting_takes_a_department_slot_only_by_adjustment(room, people):
    dept = book(data(room, people, "14:00", "15:00", purpose="技术部周会")).first
    with pytest.raises(DisplaceBookings) as e:  # a question with a reason, nothing saved
        book(data(room, people, "14:30", "16:00", kind=COMPANY, organiser="王芳", purpose="安全生产会议"))
    assert e.value.conflict.can_displace and "调整" in str(e.value) and e.value.reason_label
    with pytest.raises(DisplaceBookings):  # confirmed without a reason: asked again
        book(data(room, people, "14:30", "16:00", kind=COMPANY, purpose="安全生产会议"), confirmed={"displace": " "})
    with pytest.raises(ValidationError) as e:
        book(data(room, people, "14:30", "16:00", kind=COMPANY, purpose="安全生产会议"),
             confirmed={"displace": "长" * 201})
    assert "不能超过 200 字" in e.value.errors["reason"]
    assert Booking.select().count() == 1
    result = book(data(room, people, "14:30", "16:00", kind=COMPANY, organiser="王芳", purpose="安全生产会议"),
                  confirmed={"displace": "上级检查提前"})
    moved = Booking.get_by_id(dept.id)
    assert moved.status == ADJUSTED and moved.moved_by_id == result.first.id and not moved.voided
    assert moved.adjust_reason == "上级检查提前"
    assert [b.id for b in result.displaced] == [dept.id] and "李强" in result.notice()
    assert "13800000001" not in result.notice()  # phone only if the booking carries one
    log = AuditLog.for_record("bookings", dept.id)
    assert log[-1].action == "adjust" and "上级检查提前" in log[-1].summary
    # the moved booking no longer blocks, and shows as 已调整 in the register
    row = BOOKINGS.fetch_page(LedgerQuery(status="adjusted"))[0]
    assert BOOKINGS.column("status").display(row) == f"已调整→#{result.first.id}"


def test_department_meeting_never_displaces_and_company_never_displaces_company(room, people):
    company = book(data(room, people, kind=COMPANY, purpose="总经理办公会")).first
    with pytest.raises(BookingConflict) as e:
        book(data(room, people, kind=DEPARTMENT), confirmed={"displace": "想用"})
    assert not e.value.can_displace
    with pytest.raises(BookingConflict) as e:
        book(data(room, people, kind=COMPANY, purpose="另一个公司会议"), confirmed={"displace": "更重要"})
    assert not e.value.can_displace
    assert Booking.get_by_id(company.id).status == ACTIVE


def test_weekly_series_checks_every_occurrence_and_lists_all_conflicts(room, people):
    book(data(room, people, "09:30", "10:30", day=DAY + dt.timedelta(weeks=2), purpose="培训一"))
    book(data(room, people, "09:00", "09:30", day=DAY + dt.timedelta(weeks=5), purpose="培训二"))
    book(data(room, people, "10:00", "11:00", day=DAY + dt.timedelta(weeks=5), purpose="不冲突：接在后面"))
    with pytest.raises(BookingConflict) as e:
        book(data(room, people, "09:00", "10:00", repeat=WEEKLY, until=DAY + dt.timedelta(weeks=12),
                  purpose="周例会"))
    assert [d for d, _ in e.value.conflicts] == [DAY + dt.timedelta(weeks=2), DAY + dt.timedelta(weeks=5)]
    assert "2 次" in str(e.value) and "培训一" in str(e.value) and "培训二" in str(e.value)
    assert Booking.select().count() == 3 and BookingSeries.select().count() == 0  # nothing saved


def test_a_quarter_of_weekly_bookings_is_one_series(room, people):
    result = book(data(room, people, "09:00", "10:00", repeat=WEEKLY, until=DAY + dt.timedelta(days=90)))
    days = [b.day for b in result.bookings]
    assert len(days) == 13 and all(d.weekday() == 0 for d in days)
    series = BookingSeries.get()
    assert {b.series_id for b in result.bookings} == {series.id} and series.occurrences == 13
    assert result.first.series_text == "每周一，至 2030-06-02"
    every_other = book(data(room, people, "15:00", "16:00", repeat=BIWEEKLY, until=DAY + dt.timedelta(days=90)))
    assert len(every_other.bookings) == 7


def test_monthly_repeat_takes_the_last_day_of_short_months():
    jan31 = dt.date(2030, 1, 31)
    assert occurrences(MONTHLY, jan31, dt.date(2030, 7, 31)) == [
        dt.date(2030, 1, 31), dt.date(2030, 2, 28), dt.date(2030, 3, 31), dt.date(2030, 4, 30),
        dt.date(2030, 5, 31), dt.date(2030, 6, 30), dt.date(2030, 7, 31)]
    assert occurrences(MONTHLY, dt.date(2031, 12, 30), dt.date(2032, 3, 30))[1:3] == [
        dt.date(2032, 1, 30), dt.date(2032, 2, 29)]  # leap year
    assert add_months(dt.date(2030, 8, 31), 1) == dt.date(2030, 9, 30)
    assert occurrence_count(MONTHLY, jan31, dt.date(2030, 7, 30)) == 6
    assert occurrence_count(MONTHLY, jan31, dt.date(2030, 7, 31)) == 7


def test_monthly_booking_across_month_ends(room, people):
    result = book(data(room, people, "16:00", "17:00", day=dt.date(2030, 1, 31), repeat=MONTHLY,
                       until=dt.date(2030, 5, 31), purpose="月度分析会"))
    assert [b.day for b in result.bookings] == [dt.date(2030, 1, 31), dt.date(2030, 2, 28), dt.date(2030, 3, 31),
                                                dt.date(2030, 4, 30), dt.date(2030, 5, 31)]


def test_thousands_of_occurrences_are_capped_with_a_clear_message(room, people):
    with pytest.raises(ValidationError) as e:
        book(data(room, people, repeat=WEEKLY, until=dt.date(2099, 12, 31)))
    msg = e.value.errors["until"]
    n = (dt.date(2099, 12, 31) - DAY).days // 7 + 1
    assert f"最多 {MAX_OCCURRENCES} 次" in msg and f"将有 {n} 次" in msg and n == 3644
    with pytest.raises(ValidationError) as e:
        book(data(room, people, repeat=WEEKLY, until=DAY - dt.timedelta(days=1)))
    assert "不能早于" in e.value.errors["until"]
    assert Booking.select().count() == 0


def test_over_capacity_is_a_warning_the_clerk_can_accept(room, people):
    with pytest.raises(CapacityWarning) as e:
        book(data(room, people, expected=20))
    assert "可容纳 12 人" in str(e.value) and "超出 8 人" in str(e.value)
    assert Booking.select().count() == 0
    assert book(data(room, people, expected=20), confirmed={"capacity": ""}).first.expected == 20


def test_update_checks_conflicts_excluding_itself_and_is_audited(room, people):
    a = book(data(room, people, "09:00", "10:00")).first
    book(data(room, people, "11:00", "12:00", purpose="另一个会"))
    moved = update_booking(a, {"start": "09:30", "end": "10:30"}).first
    assert moved.start_at.time() == dt.time(9, 30)
    with pytest.raises(BookingConflict):
        update_booking(a, {"end": "11:30"})
    log = AuditLog.for_record("bookings", a.id)
    assert log[-1].action == "edit" and "start_at" in log[-1].changes_dict()


def test_cancel_following_occurrences_of_a_series(room, people):
    result = book(data(room, people, repeat=WEEKLY, until=DAY + dt.timedelta(weeks=5)))
    cancelled = cancel_booking(result.bookings[3], "例会改到周二", following=True)
    assert len(cancelled) == 3
    live = [b.day for b in bookings_between(DAY, DAY + dt.timedelta(weeks=6))]
    assert live == [b.day for b in result.bookings[:3]]
    with pytest.raises(NeiqinError):
        cancel_booking(result.bookings[0], "")


def test_room_rules(database):
    ROOMS.create({"name": "洽谈室", "capacity": 6})
    with pytest.raises(ValidationError) as e:
        ROOMS.create({"name": "洽谈室", "capacity": 4})
    assert "已有" in e.value.errors["name"]
    with pytest.raises(ValidationError) as e:
        ROOMS.create({"name": "大会议室", "capacity": ""})
    assert "容纳人数" in e.value.errors["capacity"]
    closed = ROOMS.create({"name": "旧会议室", "capacity": 10, "status": "停用"})
    with pytest.raises(ValidationError) as e:
        book({"room": closed.id, "day": DAY, "start": "10:00", "end": "11:00", "organiser": "某人",
              "purpose": "开会"})
    assert "停用" in e.value.errors["room"]


def test_bookings_register_search_and_generic_create(room, people):
    b = BOOKINGS.create(data(room, people, purpose="年度预算评审"))
    assert BOOKINGS.fetch_page(LedgerQuery(search="预算"))[0]["id"] == b.id
    assert BOOKINGS.fetch_page(LedgerQuery(search="第一会议室"))[0]["id"] == b.id
    with pytest.raises(BookingConflict):
        BOOKINGS.create(data(room, people, purpose="同一时间"))
