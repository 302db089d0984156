"""会议: invitees and attendance counts, minutes saved and finalised, action items carried across a series,
the 督办 overview and the 今日 sections."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import STAFF, today
from neiqin.models.base import AuditLog
from neiqin.models.ledger import LedgerQuery
from neiqin.models.meetings.actions import (
    ACTIONS,
    CANCELLED,
    CONTINUE,
    DONE,
    OPEN,
    ActionItem,
    ActionReview,
    action_state,
    actions_by_owner,
    cancel_action,
    complete_action,
)
from neiqin.models.meetings.attendance import ABSENT, LATE, LEAVE, PRESENT
from neiqin.models.meetings.bookings import Booking, book
from neiqin.models.meetings.minutes import (
    MinutesDraft,
    commit_minutes,
    finalize_minutes,
    load_draft,
    minutes_document,
    minutes_text,
    save_draft,
)
from neiqin.models.meetings.register import (
    MEETINGS,
    Meeting,
    attendance_counts,
    create_meeting,
    invitees_text,
    next_meeting_values,
    update_meeting,
)
from neiqin.models.meetings.rooms import ROOMS, CapacityWarning
from neiqin.models.meetings.schedule import COMPANY, WEEKLY

DAY = clock.today() - dt.timedelta(days=clock.today().weekday() + 7 * 20)  # a Monday 20 weeks ago


def d(n: int) -> str:
    """The day ``n`` days after DAY, as typed."""
    return (DAY + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def office(database):
    people = {}
    for name, dept in (("张伟", "总经理办公室"), ("王芳", "办公室"), ("李强", "技术部"), ("赵敏", "财务部"),
                       ("陈杰", "市场部"), ("刘洋", "技术部"), ("刘洋", "市场部")):
        people[(name, dept)] = STAFF.create({"name": name, "department": dept})
    return people


@pytest.fixture
def room(database):
    return ROOMS.create({"name": "第一会议室", "capacity": 8})


def meeting_data(**kw):
    d = {"title": "公司周例会", "kind": "例会", "series_name": "公司周例会", "day": DAY, "start": "09:00",
         "end": "10:00", "place": "第一会议室", "host": "张伟", "recorder": "王芳",
         "invitees": "王芳、李强、赵敏、陈杰", "observers": "孙丽（市住建局）"}
    d.update(kw)
    return d


def test_invitees_from_the_directory_and_outside(office):
    m = create_meeting(meeting_data(invitees="王芳、李强，赵敏\n刘洋（技术部）、周七（某某设计院）"))
    rows = list(m.attendees.order_by("seq"))
    assert [(r.name, r.unit, r.role, bool(r.staff_id)) for r in rows] == [
        ("王芳", "办公室", "参会", True), ("李强", "技术部", "参会", True), ("赵敏", "财务部", "参会", True),
        ("刘洋", "技术部", "参会", True), ("周七", "某某设计院", "参会", False), ("孙丽", "市住建局", "列席", False)]
    assert invitees_text(m) == "王芳、李强、赵敏、刘洋（技术部）、周七（某某设计院）"


def test_unknown_and_ambiguous_invitees_are_reported_at_the_field(office):
    with pytest.raises(ValidationError) as e:
        create_meeting(meeting_data(invitees="王芳、王五、刘洋"))
    msg = e.value.errors["invitees"]
    assert "没有：王五" in msg and "姓名（单位）" in msg
    assert "刘洋（市场部、技术部）" in msg or "刘洋（技术部、市场部）" in msg
    with pytest.raises(ValidationError) as e:
        create_meeting(meeting_data(observers="李强"))
    assert "不能同时列席" in e.value.errors["observers"]
    assert Meeting.select().count() == 0


def test_meeting_field_errors(office):
    with pytest.raises(ValidationError) as e:
        create_meeting(meeting_data(title="", host="", start="10:00", end="09:00", place=""))
    assert set(e.value.errors) >= {"title", "host", "end", "place"}


def test_meeting_from_a_booking_takes_its_time_and_room_and_warns_over_capacity(office, room):
    b = book({"room": room.id, "day": DAY, "start": "14:00", "end": "15:30", "organiser": "王芳",
              "purpose": "例会", "kind": COMPANY}).first
    many = "、".join(["王芳", "李强", "赵敏", "陈杰", "张伟"] + [f"客人{'甲乙丙丁戊'[i]}（外单位）" for i in range(5)])
    with pytest.raises(CapacityWarning) as e:
        create_meeting(meeting_data(booking=b.id, invitees=many, observers=""))
    assert "可容纳 8 人" in str(e.value) and "10 人" in str(e.value)
    m = create_meeting(meeting_data(booking=b.id, invitees=many, observers=""), confirmed={"capacity": ""})
    assert (m.day, m.start_at.time(), m.end_at.time(), m.place, m.room_id) == (
        DAY, dt.time(14, 0), dt.time(15, 30), "第一会议室", room.id)
    with pytest.raises(ValidationError) as e:
        create_meeting(meeting_data(booking=b.id, title="另一个会"))
    assert "已用于会议" in e.value.errors["booking"]


def test_attendance_counting_rule(office):
    m = create_meeting(meeting_data(observers="孙丽（市住建局）、周七（某某设计院）"))
    doc = minutes_document(m)
    marks = {"王芳": PRESENT, "李强": LATE, "赵敏": LEAVE, "陈杰": ABSENT, "孙丽（市住建局）": "列席",
             "周七（某某设计院）": ABSENT}
    for row in doc["attendance"]:
        row["attendance"] = marks[row["name"]]
    doc["items"].append({"title": "工作安排", "notes": "", "decisions": [], "actions": []})
    with pytest.raises(ValidationError) as e:
        commit_minutes(m, doc)
    bad = [k for k in e.value.errors]
    assert all(k.startswith("attendance.") and k.endswith(".reason") for k in bad) and len(bad) == 2
    for row in doc["attendance"]:
        if row["attendance"] == ABSENT:
            row["reason"] = "出差"
    m = commit_minutes(m, doc)
    counts = attendance_counts(m)
    # 应到 = 参会人员 (列席 not counted); 实到 = 出席 + 迟到
    assert (counts["应到"], counts["实到"], counts[LEAVE], counts[ABSENT], counts["列席"]) == (4, 2, 1, 1, 1)
    assert (m.expected, m.present) == (4, 2)


def test_minutes_with_action_items_saved_audited_and_finalised(office):
    m = create_meeting(meeting_data())
    doc = minutes_document(m)
    li = office[("李强", "技术部")]
    doc["items"] = [
        {"title": "安全生产检查", "notes": "张伟：节前开展一次检查。", "decisions": ["开展消防安全自查", " "],
         "actions": [{"task": "完成消防器材检查", "owner": {"id": li.id, "name": "李强"}, "due": d(4)},
                     {"task": "", "owner": {"id": None, "name": ""}, "due": ""}]},
        {"title": "", "notes": "", "decisions": [], "actions": []},
    ]
    for row in doc["attendance"]:
        row["attendance"] = PRESENT if row["role"] == "参会" else "列席"
    m = commit_minutes(m, doc)
    acts = list(ActionItem.select())
    assert len(acts) == 1 and acts[0].owner == "李强" and acts[0].department == "技术部"
    assert acts[0].meeting_day == DAY and acts[0].series_id == m.series_id
    stored = json.loads(m.minutes)
    assert stored["items"] == [{"title": "安全生产检查", "notes": "张伟：节前开展一次检查。",
                                "decisions": ["开展消防安全自查"], "actions": [acts[0].id]}]
    assert f"督办：完成消防器材检查（李强，{d(4)}前）" in minutes_text(m)
    assert AuditLog.for_record("meetings", m.id)[-1].action == "minutes"
    # edit the task and remove it: edited, then voided — never deleted
    doc = minutes_document(m)
    doc["items"][0]["actions"][0]["task"] = "完成消防器材检查并形成台账"
    m = commit_minutes(m, doc)
    assert ActionItem.get_by_id(acts[0].id).task == "完成消防器材检查并形成台账"
    doc["items"][0]["actions"] = []
    m = commit_minutes(m, doc)
    gone = ActionItem.get_by_id(acts[0].id)
    assert gone.voided and "删除" in gone.void_reason
    # 定稿: read-only; a change needs a reason and is an audited amendment
    m = finalize_minutes(m)
    with pytest.raises(ValidationError) as e:
        commit_minutes(m, doc)
    assert "amend_reason" in e.value.errors
    doc["items"][0]["decisions"].append("春节前完成")
    m = commit_minutes(m, doc, amend_reason="补记遗漏的决议")
    assert m.amendments == 1
    log = AuditLog.for_record("meetings", m.id)[-1]
    assert log.action == "amend" and "补记遗漏的决议" in log.summary
    before, after = log.changes_dict()["minutes"]
    assert "春节前完成" not in before and "春节前完成" in after
    with pytest.raises(NeiqinError):
        finalize_minutes(m)


def test_finalise_needs_items_attendance_and_no_pending_draft(office):
    m = create_meeting(meeting_data())
    with pytest.raises(NeiqinError, match="议题"):
        finalize_minutes(m)
    doc = minutes_document(m)
    doc["items"].append({"title": "工作安排", "notes": "略", "decisions": [], "actions": []})
    commit_minutes(m, doc)
    with pytest.raises(NeiqinError, match="未登记出席"):
        finalize_minutes(m)
    for row in doc["attendance"]:
        row["attendance"] = PRESENT if row["role"] == "参会" else "列席"
    save_draft(m.id, doc)
    with pytest.raises(NeiqinError, match="未保存"):
        finalize_minutes(m)
    commit_minutes(m, doc)
    assert finalize_minutes(m).final_at is not None


def test_action_item_without_owner_or_due_before_the_meeting_is_refused_at_its_row(office):
    m = create_meeting(meeting_data())
    doc = minutes_document(m)
    doc["items"] = [{"title": "议题一", "notes": "", "decisions": [], "actions": [
        {"task": "报送总结", "owner": {"id": None, "name": ""}, "due": d(6)},
        {"task": "整理档案", "owner": {"id": None, "name": "王五"}, "due": d(6)},
        {"task": "提交清单", "owner": "赵敏", "due": d(-3)},
    ]}]
    with pytest.raises(ValidationError) as e:
        commit_minutes(m, doc)
    errors = e.value.errors
    assert "请填写责任人" in errors["items.0.actions.0.owner"]
    assert "通讯录中没有“王五”" in errors["items.0.actions.1.owner"]
    assert f"不能早于会议日期（{DAY}）" in errors["items.0.actions.2.due"]
    assert ActionItem.select().count() == 0 and Meeting.get_by_id(m.id).minutes == ""
    with pytest.raises(ValidationError) as e:
        ACTIONS.create({"task": "x", "owner": "赵敏", "due": d(-1), "meeting_id": m.id})
    assert "due" in e.value.errors


def minute(m, tasks, reviews=None):
    doc = minutes_document(m)
    doc["items"] = [{"title": "工作安排", "notes": "", "decisions": [], "actions": [
        {"task": t, "owner": owner, "due": due} for t, owner, due in tasks]}]
    for row in doc["attendance"]:
        row["attendance"] = PRESENT if row["role"] == "参会" else "列席"
    for r in doc["reviews"]:
        r.update((reviews or {}).get(r["task"], {}))
    return commit_minutes(m, doc)


def test_weekly_series_booked_held_minuted_and_next_meeting_opens_with_open_items(office, room):
    series = book({"room": room.id, "day": DAY, "start": "09:00", "end": "10:00", "organiser": "王芳",
                   "purpose": "公司周例会", "kind": COMPANY, "repeat": WEEKLY,
                   "until": DAY + dt.timedelta(days=91)}).bookings
    assert len(series) == 14
    first = create_meeting(meeting_data(booking=series[0].id))
    zm = office[("赵敏", "财务部")]
    first = minute(first, [("报送月度报表", {"id": zm.id}, d(2)), ("整理合同", "李强", d(4)),
                           ("修订制度", "陈杰", d(16))])
    complete_action(ActionItem.get(ActionItem.task == "整理合同"), DAY + dt.timedelta(days=2), "已归档")

    values = next_meeting_values(first)
    assert values["booking"] == series[1].id and values["day"] == series[1].day
    assert values["invitees"] == "王芳、李强、赵敏、陈杰" and values["host"]["name"] == "张伟"
    assert values["recorder"]["name"] == "王芳" and values["observers"] == "孙丽（市住建局）"
    second = create_meeting(values)
    carried = [a.task for r, a in [(r, ActionItem.get_by_id(r.action_id)) for r in
                                   ActionReview.select().where(ActionReview.meeting_id == second.id)]]
    assert carried == ["报送月度报表", "修订制度"]  # done items are not carried
    doc = minutes_document(second)
    assert [r["task"] for r in doc["reviews"]] == ["报送月度报表", "修订制度"]
    assert doc["reviews"][0]["from"] == f"公司周例会（{DAY}）"

    with pytest.raises(ValidationError) as e:
        minute(second, [], {"修订制度": {"outcome": CANCELLED, "result": ""}})
    assert any(k.startswith("reviews.") for k in e.value.errors)
    second = minute(second, [("准备季度总结", "王芳", d(21))],
                    {"报送月度报表": {"outcome": DONE, "result": "已于3月6日报送"},
                     "修订制度": {"outcome": CONTINUE, "result": "初稿已完成"}})
    report = ActionItem.get(ActionItem.task == "报送月度报表")
    assert report.status == DONE and report.done_note == "已于3月6日报送" and report.done_on == series[1].day
    assert ActionItem.get(ActionItem.task == "修订制度").status == OPEN

    third = create_meeting(next_meeting_values(second))
    assert third.booking_id == series[2].id
    assert [r["task"] for r in minutes_document(third)["reviews"]] == ["修订制度", "准备季度总结"]
    third = minute(third, [], {"修订制度": {"outcome": CANCELLED, "result": "上级已统一发文，不再单独修订"}})
    dropped = ActionItem.get(ActionItem.task == "修订制度")
    assert dropped.status == CANCELLED and "不再单独修订" in dropped.cancel_reason
    rev = ActionReview.get((ActionReview.meeting_id == third.id) & (ActionReview.action_id == dropped.id))
    assert rev.outcome == CANCELLED


def test_items_minuted_after_the_next_meeting_was_created_are_carried_when_it_is_edited(office):
    first = create_meeting(meeting_data())
    second = create_meeting(meeting_data(day=DAY + dt.timedelta(days=7)))
    minute(first, [("报送总结", "李强", d(4))])
    assert minutes_document(second)["reviews"] == []
    update_meeting(second, {"requirements": "请准时参加"})
    assert [r["task"] for r in minutes_document(second)["reviews"]] == ["报送总结"]


def test_action_status_changes(office):
    m = create_meeting(meeting_data())
    m = minute(m, [("报送总结", "李强", d(4)), ("整理档案", "赵敏", d(4))])
    a, b = list(ActionItem.select().order_by(ActionItem.id))
    with pytest.raises(ValidationError) as e:
        complete_action(a, DAY - dt.timedelta(days=3))
    assert "不能早于会议日期" in e.value.errors["done_on"]
    with pytest.raises(ValidationError) as e:
        complete_action(a, clock.today() + dt.timedelta(days=3))
    assert "不能晚于今天" in e.value.errors["done_on"]
    with pytest.raises(ValidationError):
        cancel_action(b, " ")
    cancel_action(b, "并入其他工作")
    assert ActionItem.get_by_id(b.id).cancel_reason == "并入其他工作"
    with pytest.raises(NeiqinError):
        complete_action(b)
    assert [x.action for x in AuditLog.for_record("actions", b.id)] == ["create", "cancel"]


def test_overview_by_owner_and_action_states(office):
    m = create_meeting(meeting_data(day=clock.today() - dt.timedelta(days=20)))
    t = clock.today()
    minute(m, [("逾期事项", "李强", t - dt.timedelta(days=3)), ("今天到期", "赵敏", t),
               ("下月事项", "李强", t + dt.timedelta(days=40))])
    groups = actions_by_owner()
    assert [g[0] for g in groups] == ["李强（技术部）", "赵敏（财务部）"]
    assert [a.task for a in groups[0][1]] == ["逾期事项", "下月事项"]
    rows = {r["task"]: r for r in ACTIONS.fetch_page(LedgerQuery())}
    assert action_state(rows["逾期事项"]) == "逾期 3 天"
    assert action_state(rows["今天到期"]) == "今天到期"
    assert [r["task"] for r in ACTIONS.fetch_page(LedgerQuery(status="overdue"))] == ["逾期事项"]
    assert [g[0] for g in actions_by_owner(only_overdue=True)] == ["李强（技术部）"]


def test_today_sections(office, room):
    t = clock.today()
    if t.weekday() >= 5:
        t += dt.timedelta(days=7 - t.weekday())  # a weekday, so office hours hold
    b = book({"room": room.id, "day": t, "start": "14:00", "end": "15:00", "organiser": "王芳",
              "purpose": "预算评审", "kind": COMPANY}).first
    create_meeting(meeting_data(title="预算评审会", booking=b.id, series_name=""))
    old = create_meeting(meeting_data(day=t - dt.timedelta(days=10), title="上周会"))
    minute(old, [("逾期的事", "李强", t - dt.timedelta(days=2)), ("本周的事", "赵敏", t)])
    sections = {s.key: s for s in today.compute(t)}
    assert [i.text for i in sections["meetings"].items] == ["14:00–15:00 预算评审会（第一会议室，主持 张伟）"]
    assert "预算评审" in sections["bookings"].items[0].text and sections["bookings"].items[0].ledger == "bookings"
    acts = sections["actions"].items
    assert [(i.owner, i.level) for i in acts] == [("李强", "overdue"), ("赵敏", "due")]
    assert sections["actions"].overdue == 1 and "逾期 2 天" in acts[0].text


def test_drafts_are_kept_apart_until_saved(office):
    m = create_meeting(meeting_data())
    doc = minutes_document(m)
    doc["items"].append({"title": "议题", "notes": "正在记录", "decisions": [], "actions": []})
    at = save_draft(m.id, doc)
    got, when = load_draft(m.id)
    assert got["items"][0]["notes"] == "正在记录" and when == at
    assert Meeting.get_by_id(m.id).minutes == ""
    commit_minutes(m, got)
    assert load_draft(m.id) is None and MinutesDraft.select().count() == 0


def test_meetings_register_search_and_status(office):
    m = create_meeting(meeting_data(title="年度预算专题会", kind="专题会议", series_name=""))
    minute(m, [])
    assert MEETINGS.fetch_page(LedgerQuery(search="预算"))[0]["id"] == m.id
    assert MEETINGS.fetch_page(LedgerQuery(search="工作安排"))[0]["id"] == m.id  # agenda titles are indexed
    row = MEETINGS.fetch_page(LedgerQuery(status="minuted"))[0]
    assert MEETINGS.column("final_at").display(row) == "已记录"
    assert MEETINGS.column("expected").display(row) == "4/4"


def test_bulk_generator(database):
    from neiqin.demo.meetings import bulk_meetings

    assert bulk_meetings(250, seed=3) == 250
    assert Meeting.select().count() == 250 and Booking.select().count() == 250
    assert ActionItem.select().count() == 500
    assert MEETINGS.count(LedgerQuery(search="项目")) > 0
    assert ACTIONS.count(LedgerQuery(search="报送")) >= 0
    overlaps = Booking.raw("SELECT a.id FROM booking a JOIN booking b ON a.room_id=b.room_id AND a.day=b.day "
                           "AND a.id<b.id AND a.start_at<b.end_at AND b.start_at<a.end_at")
    assert list(overlaps) == []


def test_demo_seed(database):
    import random

    from neiqin.demo import seed_directory
    from neiqin.demo.meetings import seed_demo

    staff = seed_directory(random.Random(1))
    counts = seed_demo(random.Random(1), staff, 300)
    assert counts["rooms"] == 5 and counts["meetings"] >= 12
    assert Booking.select().where(Booking.status == "已调整").count() == 1
    assert ActionItem.select().where(ActionItem.status == OPEN).count() > 0
    assert ActionReview.select().count() > 0
    assert seed_demo(random.Random(1), staff, 300) == {}  # once only


def test_today_lists_the_first_action_items_and_sums_the_rest(database, monkeypatch):

    from neiqin.demo.meetings import bulk_meetings
    from neiqin.models import today, today_sections
    from neiqin.models.meetings import actions as actions_mod

    bulk_meetings(200, seed=3)
    day = clock.today()
    open_due = actions_mod.open_actions(actions_mod.week_end(day))
    monkeypatch.setattr(today_sections, "TODAY_ACTIONS_LISTED", 5)
    section = today.compute(day, keys=["actions"])[0]
    listed = [i for i in section.items if i.record_id is not None]
    assert [i.record_id for i in listed] == [a.id for a in open_due[:5]]
    assert section.total == len(open_due)
    assert section.overdue == sum(1 for a in open_due if a.due < day)
    summed = [i for i in section.items if i.record_id is None]
    assert len(open_due) > 10 and sum(i.count for i in summed) == len(open_due) - 5
