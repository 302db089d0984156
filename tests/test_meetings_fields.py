"""会议, 督办事项 and 会议室预订 declared once (MEETING_FIELDS, ACTION_FIELDS, BOOKING_FIELDS): what a clerk types
full-width is stored half-width, a bad or over-long value is one Chinese sentence at its field and nothing is
saved, the registers and Excel keep their columns, and a new database's tables are what they were."""

from __future__ import annotations

import datetime as dt
import sqlite3

import openpyxl
import pytest

from neiqin.errors import ValidationError
from neiqin.models import STAFF
from neiqin.models.ledger import LedgerQuery
from neiqin.models.meetings.actions import ACTION_FIELDS, ACTIONS, ActionItem, cancel_action, complete_action
from neiqin.models.meetings.bookings import BOOKING_FIELDS, BOOKINGS, Booking, book
from neiqin.models.meetings.register import MEETING_FIELDS, MEETINGS, Meeting, create_meeting
from neiqin.models.meetings.rooms import ROOMS
from neiqin.reports.excel import export_xlsx

DAY = dt.date(2026, 12, 14)  # a Monday after the pinned today


@pytest.fixture
def office(database):
    for name, dept in (("张三", "办公室"), ("李强", "技术部")):
        STAFF.create({"name": name, "department": dept})
    return ROOMS.create({"name": "第一会议室", "capacity": 20})


def meeting(**kw) -> dict:
    return {"title": "安全生产例会", "day": DAY, "start": "09:30", "end": "10:30", "place": "第一会议室",
            "host": "张三", "invitees": "李强"} | kw


# ---------------------------------------------------------------------------------------------- full-width input


def test_a_meeting_typed_full_width_is_stored_half_width(office):
    m = create_meeting(meeting(title="ＡＢＣ项目周会", day="２０２６－１２－１４", start="９：３０", end="１０３０",
                               place="３楼会议室", department="技术部"))
    m = Meeting.get_by_id(m.id)
    assert (m.title, m.place, m.day) == ("ABC项目周会", "3楼会议室", DAY)
    assert (m.start_at, m.end_at) == (dt.datetime(2026, 12, 14, 9, 30), dt.datetime(2026, 12, 14, 10, 30))


def test_a_booking_typed_full_width_is_stored_half_width(office):
    b = book({"room": office.id, "day": DAY, "start": "１４：００", "end": "１５：００", "organiser": "李强",
              "purpose": "ＶＰＮ改造评审", "phone": "１３８００１３８０００", "expected": "１２"}).first
    b = Booking.get_by_id(b.id)
    assert (b.purpose, b.phone, b.expected, b.department) == ("VPN改造评审", "13800138000", 12, "技术部")
    assert (b.start_at, b.end_at) == (dt.datetime(2026, 12, 14, 14, 0), dt.datetime(2026, 12, 14, 15, 0))


def test_an_action_item_typed_full_width_is_stored_half_width(office):
    a = ACTIONS.create({"task": "完成ＯＡ系统第２期验收", "owner": "李强", "due": "２０２６年１２月３１日"})
    assert (a.task, a.due, a.department) == ("完成OA系统第2期验收", dt.date(2026, 12, 31), "技术部")


# ---------------------------------------------------------------------------------------------- refused at the field


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"title": "会" * 101}, "title", "会议名称不能超过 100 字（现有 101 字）"),
    ({"title": "  "}, "title", "请填写会议名称"),
    ({"kind": "茶话会"}, "kind", "会议类型应为：例会、办公会、专题会议、部门会议、培训、其他"),
    ({"start": "２５：００"}, "start", "开始时间格式应为 时:分，例如 14:30"),
    ({"end": "9:00"}, "end", "结束时间（09:00）应晚于开始时间（09:30）"),
    ({"place": "楼" * 101}, "place", "地点不能超过 100 字（现有 101 字）"),
    ({"agenda_plan": "议" * 2001}, "agenda_plan", "会议议题不能超过 2000 字（现有 2001 字）"),
    ({"host": ""}, "host", "请填写主持人"),
])
def test_a_bad_meeting_value_is_one_sentence_at_its_field_and_nothing_is_saved(office, change, field, message):
    with pytest.raises(ValidationError) as e:
        create_meeting(meeting(**change))
    assert e.value.errors[field] == message
    assert Meeting.select().count() == 0


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"purpose": "议" * 201}, "purpose", "会议内容不能超过 200 字（现有 201 字）"),
    ({"phone": "1" * 41}, "phone", "联系电话不能超过 40 字（现有 41 字）"),
    ({"expected": "二十"}, "expected", "参会人数必须是整数"),
    ({"expected": 2001}, "expected", "参会人数应在 0 到 2000 之间"),
    ({"kind": "茶话会"}, "kind", "类型应为：部门会议、公司会议"),
    ({"start": "9点"}, "start", "开始时间格式应为 时:分，例如 14:30"),
    ({"repeat": "每周", "until": ""}, "until", "请填写重复截止日期"),
])
def test_a_bad_booking_value_is_one_sentence_at_its_field_and_nothing_is_saved(office, change, field, message):
    data = {"room": office.id, "day": DAY, "start": "14:00", "end": "15:00", "organiser": "李强",
            "purpose": "评审会"} | change
    with pytest.raises(ValidationError) as e:
        book(data)
    assert e.value.errors[field] == message
    assert Booking.select().count() == 0


def test_a_bad_action_item_is_one_sentence_at_its_field_and_nothing_is_saved(office):
    with pytest.raises(ValidationError) as e:
        ACTIONS.create({"task": "办" * 501, "owner": "李强", "due": DAY})
    assert e.value.errors["task"] == "督办事项不能超过 500 字（现有 501 字）"
    assert ActionItem.select().count() == 0
    a = ACTIONS.create({"task": "整改", "owner": "李强", "due": DAY})
    with pytest.raises(ValidationError) as e:
        complete_action(a, DAY - dt.timedelta(days=10), "情" * 501)
    assert e.value.errors["done_note"] == "办理情况不能超过 500 字（现有 501 字）"
    with pytest.raises(ValidationError) as e:
        cancel_action(a, "因" * 501)
    assert e.value.errors == {"reason": "取消原因不能超过 500 字（现有 501 字）"}
    assert ActionItem.get_by_id(a.id).status == "未完成"


# ---------------------------------------------------------------------------------------------- one declaration


def test_each_column_limit_form_and_register_column_comes_from_the_declaration(office):
    for fields, spec in ((MEETING_FIELDS, MEETINGS), (ACTION_FIELDS, ACTIONS), (BOOKING_FIELDS, BOOKINGS)):
        assert spec.fields is fields
        for f in fields:
            if f.stored:
                col = spec.model._meta.fields[f.key]
                assert getattr(col, "max_length", f.limit) == f.limit or not f.limit, (spec.key, f.key)
        for col in spec.columns:
            f = fields[col.key]
            assert (col.header, col.width) == (f.header or f.label, f.width)
    assert [f.label for f in MEETING_FIELDS.form("title", "kind", "place")] == ["会议名称", "会议类型", "地点"]
    assert MEETING_FIELDS.form("title")[0].max_len == 100


def test_the_registers_and_excel_keep_their_columns(office, tmp_path):
    create_meeting(meeting())
    book({"room": office.id, "day": DAY, "start": "14:00", "end": "15:00", "organiser": "李强", "purpose": "评审会"})
    ACTIONS.create({"task": "整改", "owner": "李强", "due": DAY})
    headers = {
        "meetings": ["日期", "时间", "会议名称", "类型", "地点", "主持人", "记录人", "应到/实到", "会议记录"],
        "actions": ["完成期限", "督办事项", "责任人", "部门", "来源会议", "状态", "完成日期", "办理情况"],
        "bookings": ["日期", "时间", "会议室", "会议内容", "类型", "预订人", "部门", "人数", "重复", "状态", "调整原因"],
    }
    rows = {
        "meetings": ["2026-12-14", "09:30–10:30", "安全生产例会", "例会", "第一会议室", "张三", "", "1/–", "未记录"],
        "actions": ["2026-12-14", "整改", "李强", "技术部", "领导交办", "未完成", "", ""],
        "bookings": ["2026-12-14", "14:00–15:00", "第一会议室", "评审会", "部门会议", "李强", "技术部", "0", "", "有效",
                     ""],
    }
    for spec in (MEETINGS, ACTIONS, BOOKINGS):
        path = tmp_path / f"{spec.key}.xlsx"
        assert export_xlsx(spec, LedgerQuery(), path) == 1
        sheet = openpyxl.load_workbook(path).active
        values = [[("" if v is None else str(v).removesuffix(" 00:00:00")) for v in r]
                  for r in sheet.iter_rows(values_only=True)]
        at = next(i for i, r in enumerate(values) if r[:len(headers[spec.key])] == headers[spec.key])
        assert values[at + 1][:len(rows[spec.key])] == rows[spec.key], values[at + 1]


# ---------------------------------------------------------------------------------------------- the schema


# PRAGMA table_info of a new database made before the fields were declared (name:type:not null, in order)
COLUMNS = {
    "meeting": "id:INTEGER:1 created_at:DATETIME:1 updated_at:DATETIME:1 voided:INTEGER:1 void_reason:TEXT:1 "
               "voided_at:DATETIME:0 title:VARCHAR(100):1 kind:VARCHAR(10):1 series_id:INTEGER:0 "
               "series_name:VARCHAR(60):1 booking_id:INTEGER:0 room_id:INTEGER:0 day:DATE:1 start_at:DATETIME:1 "
               "end_at:DATETIME:1 place:VARCHAR(100):1 host_id:INTEGER:0 host:VARCHAR(40):1 recorder_id:INTEGER:0 "
               "recorder:VARCHAR(40):1 department:VARCHAR(60):1 agenda_plan:TEXT:1 requirements:TEXT:1 "
               "expected:INTEGER:1 present:INTEGER:1 minutes:TEXT:1 minutes_saved_at:DATETIME:0 final_at:DATETIME:0 "
               "amendments:INTEGER:1",
    "booking": "id:INTEGER:1 created_at:DATETIME:1 updated_at:DATETIME:1 voided:INTEGER:1 void_reason:TEXT:1 "
               "voided_at:DATETIME:0 day:DATE:1 start_at:DATETIME:1 end_at:DATETIME:1 room_id:INTEGER:1 "
               "room_name:VARCHAR(40):1 purpose:VARCHAR(200):1 kind:VARCHAR(6):1 organiser_id:INTEGER:0 "
               "organiser:VARCHAR(40):1 department:VARCHAR(60):1 phone:VARCHAR(40):1 expected:INTEGER:1 "
               "series_id:INTEGER:0 series_text:VARCHAR(60):1 status:VARCHAR(6):1 moved_by_id:INTEGER:0 "
               "adjust_reason:VARCHAR(200):1 adjusted_at:DATETIME:0 note:TEXT:1",
    "action_item": "id:INTEGER:1 created_at:DATETIME:1 updated_at:DATETIME:1 voided:INTEGER:1 void_reason:TEXT:1 "
                   "voided_at:DATETIME:0 meeting_id:INTEGER:0 meeting_title:VARCHAR(100):1 meeting_day:DATE:0 "
                   "series_id:INTEGER:0 item_seq:INTEGER:1 task:TEXT:1 owner_id:INTEGER:0 owner:VARCHAR(40):1 "
                   "department:VARCHAR(60):1 due:DATE:1 status:VARCHAR(4):1 done_on:DATE:0 done_note:VARCHAR(500):1 "
                   "cancel_reason:VARCHAR(500):1 note:TEXT:1",
}
# PRAGMA index_list and index_info: name, unique, columns
INDEXES = {
    "meeting": {("meeting_voided_ids", 0, ("id",)), ("meeting_start_at_id", 0, ("start_at", "id")),
                ("meeting_day", 0, ("day",)), ("meeting_booking_id", 0, ("booking_id",)),
                ("meeting_series_id", 0, ("series_id",))},
    "booking": {("booking_voided_ids", 0, ("id",)), ("booking_start_at_id", 0, ("start_at", "id")),
                ("booking_room_id_day", 0, ("room_id", "day")), ("booking_series_id", 0, ("series_id",)),
                ("booking_day", 0, ("day",))},
    "action_item": {("action_item_voided_ids", 0, ("id",)), ("action_item_due_id", 0, ("due", "id")),
                    ("action_item_status_due", 0, ("status", "due")), ("action_item_owner_id", 0, ("owner_id",)),
                    ("action_item_series_id", 0, ("series_id",)), ("action_item_meeting_id", 0, ("meeting_id",))},
}


def test_a_new_database_has_the_tables_it_had_before_the_declaration(database, datadir):
    con = sqlite3.connect(datadir.db_path)
    for table, columns in COLUMNS.items():
        info = list(con.execute(f'PRAGMA table_info("{table}")'))
        assert " ".join(f"{name}:{kind}:{notnull}" for _cid, name, kind, notnull, _d, _pk in info) == columns, table
        assert all(default is None for _cid, _n, _k, _nn, default, _pk in info), table
        indexes = {(name, unique, tuple(r[2] for r in con.execute(f'PRAGMA index_info("{name}")')))
                   for _seq, name, unique, *_ in con.execute(f'PRAGMA index_list("{table}")')}
        assert indexes == INDEXES[table], table
