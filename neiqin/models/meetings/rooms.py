"""会议室: the rooms that can be booked (capacity, equipment, open or closed). No Qt.
"""

from __future__ import annotations

from typing import Any

from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.operations import Confirmed, NeedsConfirmation, reason_for

ROOM_IN_USE, ROOM_CLOSED = "在用", "停用"
# ---------------------------------------------------------------------------------------------- tables


ROOM_FIELDS = Fields(
    "rooms",
    Field("name", "会议室名称", required=True, max_len=40, index=True, header="会议室", width=14, sortable=True,
          aliases=("名称",)),
    Field("capacity", "容纳人数", "int", lo=1, hi=2000, default=10, width=8, align="center", aliases=("人数", "座位数")),
    Field("equipment", "设备", max_len=200, width=24, aliases=("设施",), placeholder="投影仪、视频会议终端……"),
    Field("location", "位置", max_len=100, width=14),
    Field("status", "状态", "choice", choices=(ROOM_IN_USE, ROOM_CLOSED), default=ROOM_IN_USE, max_len=6, width=6),
    Field("sort_order", "排序", "int", lo=0, hi=9999, default=0),
    Field("note", "备注", "multiline", width=16),
)


@ROOM_FIELDS.table
class Room(VoidableModel):
    """A meeting room; its fields are :data:`ROOM_FIELDS`."""

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
    out = ROOM_FIELDS.clean(data, errors, ("name", "capacity", "equipment", "location", "note", "sort_order"))
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
    columns=ROOM_FIELDS.columns("name", "capacity", "equipment", "location", "status", "note"),
    fields=ROOM_FIELDS,
    default_sort="name",
    default_desc=False,
    statuses=[("in_use", "在用"), ("closed", "停用")],
    status_condition=lambda k: Room.status == (ROOM_IN_USE if k == "in_use" else ROOM_CLOSED),
    search=SearchIndex("room"),
    search_parts=lambda r: ([r.name, r.equipment, r.location, r.note], [r.name, r.equipment, r.location]),
    validate=_validate_room,
    describe=lambda r: f"会议室 {r.name}",
))


