"""会议记录 through real widgets: a weekly 例会 booked for a quarter, a 公司会议 that 调整 a 部门会议, a meeting
minuted in the editor by keyboard, the next meeting opening with the open items, 督办 办结, the room grid."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from neiqin import clock
from neiqin.models import STAFF
from neiqin.models.meetings.actions import DONE, OPEN, ActionItem
from neiqin.models.meetings.bookings import Booking, BookingSeries
from neiqin.models.meetings.minutes import MinutesDraft
from neiqin.models.meetings.register import Meeting
from neiqin.models.meetings.rooms import ROOMS
from neiqin.models.meetings.schedule import ADJUSTED
from neiqin.ui.forms import ERROR_STYLE
from neiqin.ui.meetings.meetings_pane import MeetingsPane
from neiqin.ui.meetings.minutes_editor import MinutesEditor

from .conftest import press, type_text, when_modal

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
# a Monday a few weeks back, so the meetings are held and items can be completed
MONDAY = clock.today() - dt.timedelta(days=clock.today().weekday() + 21)


@pytest.fixture
def office(database, host):
    for name, dept in (("李强", "技术部"), ("赵敏", "财务部"), ("陈杰", "市场部"), ("王芳", "办公室")):
        STAFF.create({"name": name, "department": dept})
    ROOMS.create({"name": "第一会议室", "capacity": 20, "equipment": "投影仪"})
    ROOMS.create({"name": "小会议室", "capacity": 4})


@pytest.fixture
def pane(office, window) -> MeetingsPane:
    p = window.pane_for_ledger("meetings")
    window.show_pane(p)
    return p


def pick(qtbot, picker, text):
    type_text(qtbot, picker, text)
    qtbot.waitUntil(lambda: picker.selected() is not None)


def pick_pinyin(qtbot, picker, initials):
    """Type pinyin initials and choose the first person the picker offers, with the keyboard."""
    type_text(qtbot, picker, initials)
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.selected() is not None)


def modal(callback):
    """when_modal, but a failing callback closes its dialog instead of leaving the test blocked in exec()."""

    def run(dlg):
        if dlg is not None:  # never leave the suite blocked on a dialog nobody answers
            guard = QTimer(dlg, singleShot=True, interval=15000)  # dies with the dialog
            guard.timeout.connect(lambda: dlg.isVisible() and dlg.reject())
            guard.start()
        try:
            callback(dlg)
        except BaseException:
            if dlg is not None:
                dlg.reject()
            raise

    when_modal(run)


def activate(qtbot, window):
    window.activateWindow()
    if QApplication.activeWindow() is not window:
        # offscreen: after a second top-level window (the minutes editor) closes, nobody is active any more
        QApplication.setActiveWindow(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def set_text(qtbot, widget, text):
    widget.clear()
    type_text(qtbot, widget, text)


def test_book_a_quarter_then_adjust_a_department_meeting(qtbot, window, pane):
    bookings = pane.show_view(2)
    assert bookings is pane.bookings

    def weekly(form):
        form.widgets["room"].setCurrentText("第一会议室")
        form.widgets["day"].setDate(MONDAY)
        set_text(qtbot, form.widgets["start"], "9:00")
        set_text(qtbot, form.widgets["end"], "10:00")
        type_text(qtbot, form.widgets["purpose"], "公司周例会")
        form.widgets["kind"].setCurrentText("公司会议")
        pick(qtbot, form.widgets["organiser"], "王芳")
        form.widgets["repeat"].setCurrentText("每周")
        type_text(qtbot, form.widgets["until"], "2099-01-01")
        qtbot.keyClick(form.widgets["until"], Qt.Key.Key_Return)
        seen["cap"] = form.errors["until"].text()
        assert form.isVisible()
        set_text(qtbot, form.widgets["until"], (MONDAY + dt.timedelta(days=91)).isoformat())
        qtbot.keyClick(form.widgets["until"], Qt.Key.Key_Return)

    seen: dict = {}
    modal(weekly)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert "最多 200 次" in seen["cap"]
    assert Booking.select().count() == 14 and BookingSeries.select().count() == 1

    # a 部门会议 on Tuesday, then a 公司会议 over it: refused at the time field, then 调整 with a reason
    tuesday = MONDAY + dt.timedelta(days=1)

    def dept(form):
        form.widgets["room"].setCurrentText("第一会议室")
        form.widgets["day"].setDate(tuesday)
        set_text(qtbot, form.widgets["start"], "14:00")
        set_text(qtbot, form.widgets["end"], "15:00")
        type_text(qtbot, form.widgets["purpose"], "技术部周会")
        pick(qtbot, form.widgets["organiser"], "李强")
        qtbot.keyClick(form.widgets["purpose"], Qt.Key.Key_Return)
        seen["dept"] = [e.text() for e in form.errors.values() if e.text()] + [form.general_error.text()]
        if form.isVisible():
            form.reject()

    modal(dept)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert Booking.get_or_none(Booking.purpose == "技术部周会"), seen["dept"]
    dept_booking = Booking.get(Booking.purpose == "技术部周会")

    def company(form):
        form.widgets["room"].setCurrentText("第一会议室")
        form.widgets["day"].setDate(tuesday)
        set_text(qtbot, form.widgets["start"], "14:30")
        set_text(qtbot, form.widgets["end"], "16:00")
        type_text(qtbot, form.widgets["purpose"], "安全生产会议")
        form.widgets["kind"].setCurrentText("公司会议")
        pick(qtbot, form.widgets["organiser"], "王芳")

        def decline(box):
            seen["ask"] = box.text()
            press(box, "返回修改")

        modal(decline)
        qtbot.keyClick(form.widgets["purpose"], Qt.Key.Key_Return)
        seen["conflict"] = form.errors["start"].text()
        assert form.isVisible() and Booking.get_by_id(dept_booking.id).status != ADJUSTED

        def accept(box):
            def reason(dlg):
                type_text(qtbot, dlg.edit, "上级检查提前")

                def told(info):
                    seen["notice"] = info.text()
                    info.accept()

                modal(told)
                dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()

            modal(reason)
            press(box, "调整并预订…")

        modal(accept)
        qtbot.keyClick(form.widgets["purpose"], Qt.Key.Key_Return)

    modal(company)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert "14:00–15:00" in seen["conflict"] and "李强" in seen["conflict"] and "技术部周会" in seen["conflict"]
    assert "调整" in seen["ask"] and "李强" in seen["notice"]
    moved = Booking.get_by_id(dept_booking.id)
    assert moved.status == ADJUSTED and moved.adjust_reason == "上级检查提前"
    assert Booking.get(Booking.purpose == "安全生产会议").live

    # the day grid shows the room's day; Enter on a free slot opens a prefilled booking form
    schedule = pane.show_view(3)
    schedule.show_day(tuesday)
    grid = schedule.grid
    assert len(grid.bookings) == 2
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # 小会议室
    for _ in range(4):
        qtbot.keyClick(grid, Qt.Key.Key_Right)  # 10:00

    def prefilled(form):
        seen["grid"] = (form.widgets["room"].currentText(), form.widgets["start"].text(), form.widgets["end"].text())
        form.reject()

    modal(prefilled)
    activate(qtbot, window)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert seen["grid"] == ("小会议室", "10:00", "11:00")
    qtbot.keyClick(schedule, Qt.Key.Key_W)
    assert grid.mode == "week" and len(grid.bookings) == 3


def test_meeting_form_by_keyboard_stores_full_width_half_width_and_refuses_a_bad_time_at_its_field(qtbot, window,
                                                                                                  pane):
    """The meeting form from MEETING_FIELDS: a time typed full-width through the input method (９：３０) and
    full-width digits are stored half-width; a time that is none is refused at its field with its sentence, and
    nothing is saved until it is put right."""
    pane.show_view(0)

    def fill(form):
        type_text(qtbot, form.widgets["title"], "ＡＢＣ项目第２次推进会")
        set_text(qtbot, form.widgets["start"], "２５：００")
        set_text(qtbot, form.widgets["end"], "１１：００")
        type_text(qtbot, form.widgets["place"].lineEdit(), "３楼会议室")
        pick(qtbot, form.widgets["host"], "张三")
        type_text(qtbot, form.widgets["invitees"], "李强、赵敏")
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)
        seen["refused"] = (form.isVisible(), form.errors["start"].text(), form.widgets["start"].styleSheet(),
                           form.focusWidget() is form.widgets["start"], Meeting.select().count())
        set_text(qtbot, form.widgets["start"], "９：３０")
        qtbot.keyClick(form.widgets["start"], Qt.Key.Key_Return)

    seen: dict = {}
    modal(fill)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert seen["refused"] == (True, "开始时间格式应为 时:分，例如 14:30", ERROR_STYLE, True, 0)
    m = Meeting.get()
    assert (m.title, m.place, m.host, m.expected) == ("ABC项目第2次推进会", "3楼会议室", "张三", 2)
    assert (m.start_at, m.end_at) == (dt.datetime.combine(clock.today(), dt.time(9, 30)),
                                      dt.datetime.combine(clock.today(), dt.time(11, 0)))


def test_meeting_minuted_by_keyboard_and_next_meeting_opens_with_open_items(qtbot, window, pane, datadir):
    from neiqin.models.meetings.bookings import book
    from neiqin.models.meetings.schedule import WEEKLY

    series = book({"room": ROOMS.get(1), "day": MONDAY, "start": "09:00", "end": "10:00", "organiser": "王芳",
                   "purpose": "公司周例会", "kind": "公司会议", "repeat": WEEKLY,
                   "until": MONDAY + dt.timedelta(days=84)}).bookings
    meetings = pane.show_view(0)

    def new_meeting(form):
        type_text(qtbot, form.widgets["title"], "公司周例会")
        form.widgets["kind"].setCurrentText("例会")
        form.widgets["series_name"].setEditText("公司周例会")
        booking = form.widgets["booking"]
        booking.setCurrentIndex(next(i for i in range(booking.count()) if booking.itemText(i).endswith(f"#{series[0].id}")))
        pick(qtbot, form.widgets["host"], "张三")
        pick(qtbot, form.widgets["recorder"], "王芳")
        type_text(qtbot, form.widgets["invitees"], "李强、赵敏、王五")
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)
        seen["invitees"] = form.errors["invitees"].text()
        form.widgets["invitees"].setPlainText("李强、赵敏、陈杰、孙丽（市住建局）")
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)

    seen: dict = {}
    modal(new_meeting)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert "没有：王五" in seen["invitees"]
    m = Meeting.get()
    assert (m.day, m.place, m.host, m.recorder, m.series_name, m.expected) == (
        MONDAY, "第一会议室", "张三", "王芳", "公司周例会", 4)

    # the minutes editor, by keyboard
    qtbot.waitUntil(lambda: meetings.model.rowCount() == 1)
    activate(qtbot, window)
    meetings.table.selectRow(0)
    meetings.table.setFocus()
    qtbot.keyClick(meetings.table, Qt.Key.Key_R, CTRL)
    from neiqin.ui.meetings.minutes_editor import OPEN_EDITORS

    editor = OPEN_EDITORS[m.id]
    assert isinstance(editor, MinutesEditor)
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    first = editor.items[0]
    type_text(qtbot, first.title, "安全生产检查")
    type_text(qtbot, first.notes, "张三：节前开展检查。")
    qtbot.keyClick(first.notes, Qt.Key.Key_D, CTRL)
    assert len(first.decisions) == 1 and first.decisions[0].edit.hasFocus()
    type_text(qtbot, first.decisions[0].edit, "开展消防安全自查")
    qtbot.keyClick(first.decisions[0].edit, Qt.Key.Key_T, CTRL)
    task = first.actions[0]
    assert task.task.hasFocus()
    type_text(qtbot, task.task, "完成消防器材检查")
    qtbot.keyClick(task.task, Qt.Key.Key_Tab)
    assert task.owner.hasFocus(), (QApplication.focusWidget(), QApplication.focusWidget().parentWidget())
    type_text(qtbot, task.owner, "王五")  # not in the directory
    task.due.setDate(MONDAY - dt.timedelta(days=1))  # and before the meeting
    assert MinutesDraft.get_or_none(MinutesDraft.meeting_id == m.id) is not None  # structure change autosaved
    qtbot.keyClick(task.task, Qt.Key.Key_S, CTRL)
    assert task.owner.styleSheet() == ERROR_STYLE and task.due.styleSheet() == ERROR_STYLE
    assert "通讯录中没有“王五”" in editor.errors.text() and ActionItem.select().count() == 0
    set_text(qtbot, task.owner, "")
    pick_pinyin(qtbot, task.owner, "lq")  # pinyin initials of 李强
    task.due.setDate(MONDAY + dt.timedelta(days=3))
    qtbot.keyClick(task.task, Qt.Key.Key_Return, CTRL)  # a second 议题
    assert len(editor.items) == 2 and editor.items[1].title.hasFocus()
    type_text(qtbot, editor.items[1].title, "采购计划")
    qtbot.keyClick(editor.items[1].title, Qt.Key.Key_T, CTRL)
    second = editor.items[1].actions[0]
    type_text(qtbot, second.task, "提交采购清单")
    pick_pinyin(qtbot, second.owner, "zm")
    second.due.setDate(MONDAY + dt.timedelta(days=30))
    qtbot.keyClick(editor, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.keyClick(second.task, Qt.Key.Key_S, CTRL)
    assert editor.errors.isHidden(), editor.errors.text()
    acts = {a.task: a for a in ActionItem.select()}
    assert set(acts) == {"完成消防器材检查", "提交采购清单"} and acts["提交采购清单"].owner == "赵敏"
    assert Meeting.get_by_id(m.id).present == 4 and MinutesDraft.select().count() == 0
    editor.close()

    # 督办: 办结 one item with Ctrl+R
    actions = pane.show_view(1)
    actions.refresh()
    qtbot.waitUntil(lambda: actions.model.rowCount() == 2)
    row = next(i for i, r in enumerate(actions.model.rows) if r["task"] == "提交采购清单")
    actions.table.selectRow(row)

    def done(form):
        type_text(qtbot, form.widgets["done_note"], "已提交")
        qtbot.keyClick(form.widgets["done_on"], Qt.Key.Key_Return)

    modal(done)
    activate(qtbot, window)
    actions.table.setFocus()
    qtbot.keyClick(actions.table, Qt.Key.Key_R, CTRL)
    assert acts["提交采购清单"].__class__.get_by_id(acts["提交采购清单"].id).status == DONE

    # 下一次例会: everything copied, the next booking, the open item to review
    pane.show_view(0)
    meetings.refresh()
    meetings.table.selectRow(0)

    def next_form(form):
        seen["next"] = (form.widgets["booking"].currentText(), form.widgets["invitees"].toPlainText(),
                        form.widgets["host"].text())
        qtbot.keyClick(form.widgets["title"], Qt.Key.Key_Return)

    modal(next_form)
    activate(qtbot, window)
    meetings.table.setFocus()
    qtbot.keyClick(meetings.table, Qt.Key.Key_N, CTRL | SHIFT)
    assert seen["next"][0].endswith(f"#{series[1].id}") and seen["next"][1] == "李强、赵敏、陈杰、孙丽（市住建局）"
    nxt = Meeting.select().order_by(Meeting.id.desc()).get()
    assert nxt.day == series[1].day
    editor = MinutesEditor(nxt.id, window)
    qtbot.addWidget(editor)
    assert editor.reviews.rowCount() == 1 and editor.reviews.item(0, 0).text() == "完成消防器材检查"
    assert editor.tabs.isTabVisible(editor.review_tab)
    editor.reviews.cellWidget(0, 4).setText("已完成检查")
    editor.reviews.cellWidget(0, 5).setCurrentText(DONE)
    editor.mark_rest_present()
    editor.items[0].title.setText("工作安排")
    assert editor.save()
    assert ActionItem.get(ActionItem.task == "完成消防器材检查").status == DONE
    assert ActionItem.select().where(ActionItem.status == OPEN).count() == 0

    # prints from the list
    meetings.refresh()
    meetings.table.selectRow(0)
    for kind, words in (("signin", "会议签到表"), ("minutes", "纪要"), ("record", "记录人"), ("notice", "通知")):
        path = meetings.print_form(kind)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert words in text.replace(" ", ""), kind


def test_finalised_minutes_are_read_only_until_amended(qtbot, window, pane):
    from neiqin.models.meetings.minutes import commit_minutes, finalize_minutes, minutes_document
    from neiqin.models.meetings.register import create_meeting

    m = create_meeting({"title": "专题会", "kind": "专题会议", "day": MONDAY, "start": "10:00", "end": "11:00",
                        "place": "小会议室", "host": "张三", "invitees": "李强"})
    doc = minutes_document(m)
    doc["items"] = [{"title": "议题", "notes": "内容", "decisions": ["同意"], "actions": []}]
    doc["attendance"][0]["attendance"] = "出席"
    finalize_minutes(commit_minutes(m, doc))
    editor = MinutesEditor(m.id, window)
    qtbot.addWidget(editor)
    assert editor.items[0].notes.isReadOnly() and "已定稿" in editor.status.text()

    def reason(dlg):
        type_text(qtbot, dlg.edit, "补记决议")
        dlg.accept()

    modal(reason)
    editor.start_amendment()
    assert not editor.items[0].notes.isReadOnly()
    editor.items[0].decisions[0].edit.setText("同意，月底前完成")
    assert editor.save()
    assert Meeting.get_by_id(m.id).amendments == 1 and editor.items[0].notes.isReadOnly()
