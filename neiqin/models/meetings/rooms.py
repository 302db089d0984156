"""会议室: the rooms that can be booked (capacity, equipment, open or closed). No Qt.
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.meetings.schedule import parse_int
from neiqin.operations import Confirmed, NeedsConfirmation, reason_for

ROOM_IN_USE, ROOM_CLOSED = "在用", "停用"
# ---------------------------------------------------------------------------------------------- tables


class Room(VoidableModel):
    name = pw.CharField(max_length=40, index=True)
    capacity = pw.IntegerField(default=10)
    equipment = pw.CharField(max_length=200, default="")
    location = pw.CharField(max_length=100, default="")
    status = pw.CharField(max_length=6, default=ROOM_IN_USE)
    sort_order = pw.IntegerField(default=0)
    note = pw.TextField(default="")

    def __str__(self) -> str:
        return self.name



class CapacityWarning(NeedsConfirmation):
    """More people than seats: the window asks before anything is saved."""

    key, title, yes_text = "capacity", "人数超过容量", "仍然使用"

    def __init__(self, room: Room, people: int):
        self.room = room
        self.people = people
        super().__init__(f"“{room.name}”可容纳 {room.capacity} 人，本次有 {people} 人，超出 {people - room.capacity} 人。"
                         "仍要使用这个会议室吗？", details=room)


def check_capacity(room_id: int | None, people: int, confirmed: Confirmed) -> None:
    """A booking or meeting of ``people`` in the room: over its capacity is a question, unless confirmed."""
    if not room_id or not people or reason_for(confirmed, CapacityWarning.key) is not None:
        return
    room = Room.get_or_none(Room.id == room_id)
    if room is not None and room.capacity and people > room.capacity:
        raise CapacityWarning(room, people)


MODELS = [Room]


def room_choices(include_closed: bool = False) -> list[Room]:
    q = Room.select().where(Room.voided == False)  # noqa: E712
    if not include_closed:
        q = q.where(Room.status == ROOM_IN_USE)
    return list(q.order_by(Room.sort_order, Room.id))


def _room(value: Any, errors: dict, key: str = "room") -> Room | None:
    room = None
    if isinstance(value, Room):
        room = value
    elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        room = Room.get_or_none(Room.id == int(value))
    elif isinstance(value, str) and value.strip():
        room = Room.get_or_none((Room.name == value.strip()) & (Room.voided == False))  # noqa: E712
    if room is None:
        errors.setdefault(key, "请选择会议室")
        return None
    if room.voided or room.status != ROOM_IN_USE:
        errors.setdefault(key, f"会议室“{room.name}”已停用，不能预订")
    return room


# ---------------------------------------------------------------------------------------------- rooms


def _validate_room(data: dict, record: Room | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {
        "name": text_field(data, errors, "name", "会议室名称", required=True, max_len=40),
        "capacity": parse_int(data.get("capacity"), "容纳人数", "capacity", errors, 1, 2000, 10),
        "equipment": text_field(data, errors, "equipment", "设备", max_len=200),
        "location": text_field(data, errors, "location", "位置", max_len=100),
        "note": text_field(data, errors, "note", "备注", max_len=1000),
        "sort_order": parse_int(data.get("sort_order"), "排序", "sort_order", errors, 0, 9999, 0),
    }
    if data.get("capacity") in (None, ""):
        errors.setdefault("capacity", "请填写容纳人数")
    status = (data.get("status") or ROOM_IN_USE).strip()
    if status not in (ROOM_IN_USE, ROOM_CLOSED):
        errors["status"] = "状态应为“在用”或“停用”"
    out["status"] = status
    if out["name"] and "name" not in errors:
        same = Room.select().where((Room.name == out["name"]) & (Room.voided == False))  # noqa: E712
        if record is not None:
            same = same.where(Room.id != record.id)
        if same.exists():
            errors["name"] = f"已有名为“{out['name']}”的会议室"
    if errors:
        raise ValidationError(errors)
    return out


ROOMS = register_ledger(LedgerSpec(
    key="rooms",
    title="会议室一览表",
    tab_title="会议室",
    model=Room,
    columns=[
        Column("name", "会议室", 14, sortable=True, aliases=("名称", "会议室名称")),
        Column("capacity", "容纳人数", 8, kind="int", align="center", aliases=("人数", "座位数")),
        Column("equipment", "设备", 24, aliases=("设施",)),
        Column("location", "位置", 14),
        Column("status", "状态", 6),
        Column("note", "备注", 16),
    ],
    default_sort="name",
    default_desc=False,
    statuses=[("in_use", "在用"), ("closed", "停用")],
    status_condition=lambda k: Room.status == (ROOM_IN_USE if k == "in_use" else ROOM_CLOSED),
    search=SearchIndex("room"),
    search_parts=lambda r: ([r.name, r.equipment, r.location, r.note], [r.name, r.equipment, r.location]),
    validate=_validate_room,
    describe=lambda r: f"会议室 {r.name}",
))


