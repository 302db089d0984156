"""Demo rooms, bookings, meetings, minutes and action items. Imports the ledgers; imported by none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import peewee as pw

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models.base import AuditLog, db, now
from neiqin.models.meetings.actions import ACTIONS, CONTINUE, DONE, OPEN, ActionItem
from neiqin.models.meetings.attendance import ABSENT, ATTENDED, LATE, LEAVE, MEMBER, PRESENT
from neiqin.models.meetings.bookings import BOOKINGS, Booking, book
from neiqin.models.meetings.minutes import commit_minutes, finalize_minutes, minutes_document
from neiqin.models.meetings.register import MEETINGS, Meeting, create_meeting, next_meeting_values
from neiqin.models.meetings.rooms import ROOMS, Room
from neiqin.models.meetings.schedule import (
    COMPANY,
    DEPARTMENT,
    MONTHLY,
    WEEKLY,
)
from neiqin.models.staff import Staff

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
            m = create_meeting(values, confirmed={"capacity": ""})
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
                  "purpose": "安全生产工作会议", "kind": COMPANY, "expected": 60},
                 confirmed={"displace": "上级检查组到访，公司会议提前，经总经理同意调整"})
        except ValidationError:
            pass
        # today's bookings first, so the random ones below cannot take their slots
        for start, room, purpose in ((10, rooms[1], "技术方案评审"), (15, rooms[2], "新员工面试")):
            who = rng.choice(staff)
            try:
                made = book({"room": room.id, "day": today, "start": f"{start}:00", "end": f"{start + 1}:00",
                             "organiser": {"id": who.id, "name": who.name}, "department": who.department,
                             "purpose": purpose, "kind": DEPARTMENT, "expected": 5}, confirmed={"capacity": ""})
            except ValidationError:
                continue
            if start == 10:  # today's meeting, held in that booking
                create_meeting({"title": purpose, "kind": "专题会议", "booking": made.bookings[0].id,
                                "host": {"id": who.id}, "recorder": {"id": recorder.id},
                                "department": who.department,
                                "invitees": "、".join(s.name for s in staff[10:14] if s is not who)},
                               confirmed={"capacity": ""})
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
                      "kind": DEPARTMENT, "expected": rng.randrange(3, 9)}, confirmed={"capacity": ""})
            except ValidationError:
                continue
        # one monthly booking, for the month-end rule
        book({"room": rooms[2].id, "day": today.replace(day=1) + dt.timedelta(days=27), "start": "16:30",
              "end": "17:30", "organiser": {"id": staff[2].id, "name": staff[2].name},
              "department": staff[2].department, "purpose": "月度财务分析会", "kind": DEPARTMENT, "expected": 6,
              "repeat": MONTHLY, "until": today + dt.timedelta(days=120)}, confirmed={"capacity": ""})
    return {"rooms": Room.select().count(), "bookings": Booking.select().count(),
            "meetings": Meeting.select().count(), "actions": ActionItem.select().count()}


def bulk_meetings(n: int, seed: int = 7) -> int:
    """``n`` past meetings, each with its booking and two action items, inserted in bulk (benchmarks)."""
    rng = random.Random(seed)
    staff = list(Staff.select().limit(200))
    if not staff:
        from neiqin.demo import seed_directory

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

