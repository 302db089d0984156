"""会议记录 tab: 会议 / 督办 / 预订 / 会议室日程 / 会议室 (Alt+1 … Alt+5).

会议: Ctrl+N 新建会议, Ctrl+Shift+N 下一次例会 (copies the last meeting of the selected one's series, takes the
next occurrence of its repeating booking, carries open action items), Ctrl+R or Enter 会议记录 (the minutes
editor window), Ctrl+Shift+P 打印 (通知 / 签到表 / 记录 / 纪要). 督办: Ctrl+R 办结, 取消, F6 逾期, 打印督办表.
预订: Ctrl+N 预订 (conflicts shown at the time field; a 公司会议 may 调整 a 部门会议 with a reason), 取消 = 作废,
Ctrl+Shift+N 据此建会议. 会议室日程: the day/week grid (room_grid). 会议室: rooms.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QMessageBox

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import settings
from neiqin.models.meetings.actions import (
    ACTION_FIELDS,
    ACTIONS,
    DONE,
    OPEN,
    cancel_action,
    complete_action,
    overdue_count,
)
from neiqin.models.meetings.bookings import (
    BOOKING_FIELDS,
    BOOKINGS,
    Booking,
    BookingResult,
    book,
    bookings_for_meeting,
    cancel_booking,
    room_name_of,
    update_booking,
)
from neiqin.models.meetings.minutes import draft_meeting_ids
from neiqin.models.meetings.register import (
    MEETING_FIELDS,
    MEETING_KINDS,
    MEETINGS,
    Meeting,
    create_meeting,
    last_of_series,
    latest_series_meeting,
    meeting_form_values,
    next_meeting_values,
    recent_meetings,
    series_names,
    update_meeting,
)
from neiqin.models.meetings.rooms import ROOM_FIELDS, ROOMS, room_choices
from neiqin.models.meetings.schedule import ADJUSTED, KINDS, NO_REPEAT
from neiqin.models.staff import Department
from neiqin.ui.forms import FormField, RecordForm
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.meetings.room_grid import RoomScheduleView
from neiqin.ui.multi_pane import MultiViewPane
from neiqin.ui.operations import write
from neiqin.ui.util import ask_reason, show_error, tr

OVERDUE_COLOR = QColor("#fce8e6")
DUE_COLOR = QColor("#fef7e0")
DONE_COLOR = QColor("#e6f4ea")
GREY = QColor("#f1f3f4")
NO_BOOKING = "（不使用预订，手工填写时间地点）"


# ---------------------------------------------------------------------------------------------- 会议


def booking_choices(current: int | None = None) -> list[tuple[str, int | None]]:
    """Bookings a meeting can use (see :func:`bookings_for_meeting`), as the form's combo box lists them."""
    return [(NO_BOOKING, None)] + [(f"{b.day} {b.time_text} {b.room_name}：{b.purpose} #{b.id}", b.id)
                                   for b in bookings_for_meeting(current)]


class MeetingsListPane(LedgerPane):
    SPEC = MEETINGS
    SHOWS_ALSO = frozenset({"rooms", "bookings", "actions"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        self._drafts: set[int] = set()
        super().__init__(MEETINGS, *args, **kwargs)
        self.add_action_button(tr("新建会议"), self.new_record, None, tr("新建会议（Ctrl+N）"))
        self.add_action_button(tr("下一次例会"), self.next_meeting, "Ctrl+Shift+N",
                               tr("按所选会议的系列新建下一次例会：参会人员、地点、主持人、记录人照搬，未完成督办事项带入回顾"))
        self.add_action_button(tr("会议记录"), self.open_minutes, "Ctrl+R", tr("打开会议记录编辑窗口（Enter 同）"))
        self.add_action_button(tr("打印…"), self.print_menu, "Ctrl+Shift+P", tr("会议通知、签到表、会议记录、会议纪要"))
        self.finish_action_bar()
        self.table.activated.connect(lambda _: self.open_minutes())

    def refresh(self) -> None:
        self._drafts = draft_meeting_ids()
        super().refresh()

    def row_background(self, row: dict) -> QColor | None:
        if row["id"] in self._drafts:
            return DUE_COLOR  # a draft waits to be saved
        if row.get("final_at"):
            return None
        if row["day"] <= clock.today() and not row.get("minutes_saved_at"):
            return GREY
        return None

    def form_fields(self, record: Any = None) -> list[FormField]:
        self._bookings = booking_choices(record.booking_id if record else None)
        return MEETING_FIELDS.form(
            "title", "kind", "series_name", "booking", "day", "start_at", "end_at", "place", "host", "recorder",
            "department", "invitees", "observers", "agenda_plan", "requirements",
            series_name={"choices": ["", *series_names()]},
            booking={"choices": [label for label, _ in self._bookings]},
            # a chosen booking gives the day and times, so they are not marked required here
            day={"required": False}, start_at={"key": "start", "required": False},
            end_at={"key": "end", "required": False},
            place={"choices": ["", *(r.name for r in room_choices())]},
            department={"choices": ["", *Department.names()]})

    def new_values(self) -> dict:
        return {"kind": MEETING_KINDS[1], "start": "09:00", "end": "10:00", "booking": NO_BOOKING}

    def record_values(self, record: Any) -> dict:
        values = meeting_form_values(record)
        return self._with_booking_label(values)

    def _with_booking_label(self, values: dict) -> dict:
        bid = values.get("booking")
        values = dict(values)
        values["booking"] = next((label for label, i in getattr(self, "_bookings", []) if i == bid), NO_BOOKING) \
            if bid else NO_BOOKING
        return values

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        data["booking"] = dict(self._bookings).get(values.get("booking"))
        return data

    def save_new(self, data: dict) -> Any:
        return write(self, create_meeting, data)

    def save_edit(self, record: Any, data: dict) -> Any:
        return write(self, update_meeting, record, data)

    def new_record(self, *, values: dict | None = None) -> Any:  # keyword-only: a button's slot
        fields = self.form_fields()
        start = self.new_values() if values is None else self._with_booking_label(values)
        form = RecordForm(tr("新建会议"), fields, lambda v: self.save_new(self.form_data(v)), start, self,
                          note=tr("选了会议室预订，日期、时间和地点以预订为准。"))
        if form.exec() and form.result_record is not None:
            self.after_change(form.result_record.id)
            return form.result_record
        return None

    def next_meeting(self) -> Any:
        rec = self.current_record()
        if rec is None or not rec.series_id:
            rec = latest_series_meeting()
            if rec is None:
                QMessageBox.information(self, tr("下一次例会"), tr("还没有例会。新建会议时填写“例会系列”即可。"))
                return None
        last = last_of_series(rec.series_id) or rec
        self.form_fields()
        values = next_meeting_values(last)
        return self.new_record(values=values)

    def open_minutes(self) -> Any:
        rec = self.require_record()
        if rec is None:
            return None
        if rec.voided:
            show_error(self, NeiqinError(tr("该会议已作废")))
            return None
        from neiqin.ui.meetings.minutes_editor import open_editor

        editor = open_editor(self.window(), rec.id, settings.org_name())
        editor.saved.connect(lambda mid: self.after_change(mid))
        return editor

    def print_menu(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        menu = QMenu(self)
        for kind, label, key in (("notice", "会议通知", "1"), ("signin", "会议签到表", "2"), ("record", "会议记录", "3"),
                                 ("minutes", "会议纪要", "4")):
            menu.addAction(f"&{key} {tr(label)}", lambda k=kind: self.print_form(k))
        rect = self.table.visualRect(self.table.currentIndex())
        menu.exec(self.table.viewport().mapToGlobal(rect.bottomLeft() if rect.isValid() else QPoint(0, 0)))

    def print_form(self, kind: str, record: Meeting | None = None) -> Path | None:
        rec = record or self.require_record()
        if rec is None:
            return None
        from neiqin.reports.meeting_forms import PRINT_KINDS, write_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        if rec.id in draft_meeting_ids() and kind in ("record", "minutes"):
            QMessageBox.information(self, tr("有未保存的草稿"), tr("这次会议的记录有未保存的草稿，打印的是上次保存的内容。"
                                                               "请在会议记录窗口中按 Ctrl+S 保存后再打印。"))
        title = PRINT_KINDS[kind]
        path = stamp_path(self, f"{title}-{rec.title}-{rec.day}")
        org = settings.org_name()
        self.preview = preview_pdf(self, tr(title), path, lambda out, progress, cancelled: write_pdf(
            kind, rec, out, org_name=org))
        return path if self.preview is not None else None

    def context_actions(self) -> list[tuple[str, Any]]:
        return [(tr("会议记录…"), self.open_minutes), (tr("打印会议通知"), lambda: self.print_form("notice")),
                (tr("打印签到表"), lambda: self.print_form("signin")), (tr("打印会议记录"), lambda: self.print_form("record")),
                (tr("打印会议纪要"), lambda: self.print_form("minutes")), ("-", None), *super().context_actions()]


# ---------------------------------------------------------------------------------------------- 督办


class ActionsPane(LedgerPane):
    SPEC = ACTIONS
    SHOWS_ALSO = frozenset({"meetings"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(ACTIONS, *args, **kwargs)
        self.add_action_button(tr("新增督办事项"), self.new_record, None, tr("领导交办等不来自会议记录的事项（Ctrl+N）"))
        self.done_btn = self.add_action_button(tr("办结"), self.complete_selected, "Ctrl+R")
        self.cancel_btn = self.add_action_button(tr("取消事项"), self.cancel_selected)
        self.add_action_button(tr("逾期"), lambda: self.set_status_filter("overdue"), "F6")
        self.add_action_button(tr("未完成"), lambda: self.set_status_filter("open"), "F7")
        self.add_action_button(tr("打印督办表"), self.print_overview, "Ctrl+Shift+P", tr("未办结事项按责任人汇总"))
        self.add_action_button(tr("来源会议"), self.open_meeting, "Ctrl+Shift+O")
        self.finish_action_bar()
        self.selection_changed()

    def row_background(self, row: dict) -> QColor | None:
        if row["status"] == OPEN:
            today = clock.today()
            if row["due"] < today:
                return OVERDUE_COLOR
            if row["due"] <= today + dt.timedelta(days=2):
                return DUE_COLOR
            return None
        return DONE_COLOR if row["status"] == DONE else GREY

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        live = bool(row) and not row["voided"] and row["status"] == OPEN
        self.done_btn.setEnabled(live)
        self.cancel_btn.setEnabled(live)

    def form_fields(self, record: Any = None) -> list[FormField]:
        self._meetings = [(tr("（无，领导交办）"), None)] + [(f"{m.day} {m.title} #{m.id}", m.id)
                                                       for m in recent_meetings(100)]
        return ACTION_FIELDS.form("task", "owner", "due", "meeting_title", "note", meeting_title={
            "key": "meeting", "kind": "combo", "choices": [label for label, _ in self._meetings]})

    def new_values(self) -> dict:
        return {"due": clock.today() + dt.timedelta(days=7)}

    def record_values(self, record: Any) -> dict:
        label = next((lab for lab, i in self._meetings if i == record.meeting_id), self._meetings[0][0])
        return {"task": record.task, "owner": {"id": record.owner_id, "name": record.owner}, "due": record.due,
                "meeting": label, "note": record.note}

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        data["meeting_id"] = dict(self._meetings).get(data.pop("meeting"))
        return data

    def edit_record(self) -> Any:
        rec = self.require_record()
        if rec is not None and rec.status != OPEN:
            QMessageBox.information(self, tr("已办结"), tr("该事项") + f"{rec.status}，" + tr("不能再修改。"))
            return None
        self.form_fields()
        return super().edit_record()

    def complete_selected(self) -> Any:
        rec = self.require_record()
        if rec is None or rec.status != OPEN or rec.voided:
            return None
        fields = ACTION_FIELDS.form("done_on", "done_note", done_note={"kind": "multiline"})
        form = RecordForm(tr("办结") + f" · {rec.task[:20]}", fields,
                          lambda v: complete_action(rec, v["done_on"], v["done_note"]),
                          {"done_on": clock.today()}, self)
        if form.exec() and form.result_record is not None:
            self.after_change(rec.id)
            return form.result_record
        return None

    def cancel_selected(self) -> Any:
        rec = self.require_record()
        if rec is None or rec.status != OPEN:
            return None
        reason = ask_reason(self, tr("取消督办事项"), tr("请填写取消原因：") + f"\n{rec.task}", tr("例如：并入其他工作"))
        if reason is None:
            return None
        done = self.perform(cancel_action, rec, reason)
        return done.value if done is not None else None

    def print_overview(self) -> Path | None:
        from neiqin.reports.meeting_forms import write_supervision_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        only = self.status.currentData() == "overdue"
        path = stamp_path(self, "逾期督办表" if only else "督办表")
        org = settings.org_name()
        self.preview = preview_pdf(self, tr("督办表"), path, lambda out, progress, cancelled: write_supervision_pdf(
            out, org_name=org, only_overdue=only))
        return path if self.preview is not None else None

    def open_meeting(self) -> None:
        rec = self.require_record()
        if rec is not None and rec.meeting_id:
            self.window().open_record("meetings", rec.meeting_id)


# ---------------------------------------------------------------------------------------------- 预订


class BookingsPane(LedgerPane):
    SPEC = BOOKINGS
    SHOWS_ALSO = frozenset({"rooms", "meetings"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(BOOKINGS, *args, **kwargs)
        self.add_action_button(tr("预订会议室"), self.new_record, None, tr("预订会议室（Ctrl+N），可每周/每两周/每月重复"))
        self.add_action_button(tr("修改"), self.edit_record)
        self.add_action_button(tr("取消预订…"), self.void_record, None, tr("取消预订（Ctrl+Del），记录保留"))
        self.add_action_button(tr("据此建会议"), self.make_meeting, "Ctrl+Shift+N")
        self.add_action_button(tr("今天及以后"), lambda: self.set_status_filter("upcoming"), "F6")
        self.finish_action_bar()

    def row_background(self, row: dict) -> QColor | None:
        if row["status"] == ADJUSTED:
            return GREY
        return DUE_COLOR if row["day"] == clock.today() else None

    def form_fields(self, record: Any = None) -> list[FormField]:
        self._rooms = {r.name: r.id for r in room_choices()}
        keys = ("room_name", "day", "start_at", "end_at", "purpose", "kind", "organiser", "department", "phone",
                "expected", *(("repeat", "until") if record is None else ()), "note")
        return BOOKING_FIELDS.form(*keys, room_name={"key": "room", "kind": "combo", "choices": list(self._rooms)},
                                   start_at={"key": "start"}, end_at={"key": "end"},
                                   department={"choices": ["", *Department.names()]},
                                   until={"kind": "text", "max_len": 10})

    def new_values(self) -> dict:
        return {"start": "09:00", "end": "10:00", "repeat": NO_REPEAT, "kind": KINDS[0]}

    def record_values(self, record: Any) -> dict:
        return {"room": record.room_name, "day": record.day, "start": f"{record.start_at:%H:%M}",
                "end": f"{record.end_at:%H:%M}", "purpose": record.purpose, "kind": record.kind,
                "organiser": {"id": record.organiser_id, "name": record.organiser}, "department": record.department,
                "phone": record.phone, "expected": record.expected, "note": record.note}

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        data["room"] = self._rooms.get(values.get("room"))
        return data

    def _booked(self, result: BookingResult) -> BookingResult:
        if result.displaced:  # tell the clerk whom to call
            QMessageBox.information(self, tr("已调整"), result.notice())
        return result

    def save_new(self, data: dict) -> Any:
        result = self._booked(write(self, book, data))
        if len(result.bookings) > 1:
            self.window().statusBar().showMessage(f"已预订 {len(result.bookings)} 次：{result.first.series_text}", 10000)
        return result.first

    def save_edit(self, record: Any, data: dict) -> Any:
        return self._booked(write(self, update_booking, record, data)).first

    def edit_record(self) -> Any:
        rec = self.require_record()
        if rec is not None and rec.status == ADJUSTED:
            QMessageBox.information(self, tr("已调整"), tr("该预订已调整给公司会议（原因：") + rec.adjust_reason +
                                    tr("），不能修改；需要时请重新预订。"))
            return None
        return super().edit_record()

    def void_record(self) -> None:
        rec = self.require_record()
        if rec is None:
            return
        following = False
        if rec.series_id and not rec.voided:
            box = QMessageBox(self)
            box.setWindowTitle(tr("取消重复预订"))
            box.setText(tr("这是重复预订中的一次（") + rec.series_text + tr("）。要取消哪些？"))
            one = box.addButton(tr("仅这一次"), QMessageBox.ButtonRole.AcceptRole)
            rest = box.addButton(tr("这一次及以后各次"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(tr("不取消"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() not in (one, rest):
                return
            following = box.clickedButton() is rest
        reason = ask_reason(self, tr("取消预订"), tr("取消后预订仍保留在登记簿中（灰色显示）。请填写原因：") +
                            f"\n{BOOKINGS.describe(rec)}", tr("例如：会议改期"))
        if reason is None:
            return
        self.perform(cancel_booking, rec, reason, following=following)

    def book_at(self, room_id: int, start: dt.datetime) -> Any:
        values = self.new_values()
        values.update(room=room_name_of(room_id), day=start.date(), start=f"{start:%H:%M}",
                      end=f"{start + dt.timedelta(hours=1):%H:%M}")
        return self.open_form(tr("预订会议室"), values, lambda v: self.save_new(self.form_data(v)))

    def make_meeting(self) -> Any:
        rec = self.require_record()
        if rec is None:
            return None
        pane = self.parent_pane()
        return pane.meeting_from_booking(rec) if pane is not None else None

    def parent_pane(self) -> MeetingsPane | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, MeetingsPane):
            w = w.parentWidget()
        return w


# ---------------------------------------------------------------------------------------------- 会议室


class RoomsPane(LedgerPane):
    SPEC = ROOMS

    def __init__(self, *args, **kwargs):
        super().__init__(ROOMS, *args, **kwargs)
        self.add_action_button(tr("新增会议室"), self.new_record, None, tr("新增会议室（Ctrl+N）"))
        self.add_action_button(tr("修改"), self.edit_record)
        self.finish_action_bar()

    def form_fields(self, record: Any = None) -> list[FormField]:
        return ROOM_FIELDS.form()

    def new_values(self) -> dict:
        return {"capacity": 10}

    def row_background(self, row: dict) -> QColor | None:
        return GREY if row["status"] != "在用" else None


# ---------------------------------------------------------------------------------------------- the tab


class MeetingsPane(MultiViewPane):
    """The 会议记录 tab: 会议 / 督办 / 预订 / 会议室日程 / 会议室 (Alt+1 … Alt+5)."""

    SPEC = MEETINGS
    KEY = "meetings"
    SUBVIEWS = [("会议", MeetingsListPane), ("督办", ActionsPane), ("预订", BookingsPane),
                ("会议室日程", RoomScheduleView), ("会议室", RoomsPane)]

    def __init__(self, datadir, ui_settings, parent=None):
        super().__init__(datadir, ui_settings, parent)
        self.meetings, self.actions, self.bookings, self.rooms = self.subpanes
        self.schedule = self.views[3]

    # the grid asks the tab; the bookings view does the work
    def book_at(self, room_id: int, start: dt.datetime) -> Any:
        b = self.bookings.book_at(room_id, start)
        self.schedule.refresh()
        return b

    def show_booking(self, booking_id: int) -> bool:
        self.show_view(self.bookings)
        return self.bookings.open_record(booking_id)

    def meeting_from_booking(self, b: Booking) -> Any:
        self.show_view(self.meetings)
        self.meetings.form_fields()
        values = {"title": b.purpose, "kind": MEETING_KINDS[1], "booking": b.id, "day": b.day,
                  "start": f"{b.start_at:%H:%M}", "end": f"{b.end_at:%H:%M}", "place": b.room_name,
                  "department": b.department, "host": {"id": b.organiser_id, "name": b.organiser}}
        return self.meetings.new_record(values=values)


def reminders_text() -> str:
    """One status-bar line: overdue action items (for whoever wires reminders)."""
    n = overdue_count()
    return f"逾期督办事项 {n} 项" if n else ""


