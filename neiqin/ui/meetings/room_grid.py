"""会议室日程: a day or week grid of rooms, painted, driven by the keyboard.

Day view: a row per room, columns of half hours across office hours, each booking a block (公司会议 blue,
部门会议 green, 已调整 grey). Week view: a row per room, a column per day, the bookings of that day listed in the
cell. Keys: ←/→ move the cursor (day view: half an hour; week view: a day), ↑/↓ the room, PgUp/PgDn the
previous/next day or week, Home today, D/W day/week view, Enter books the cursor's room and time (or opens the
booking under the cursor), double-click the same.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QToolTip, QVBoxLayout, QWidget

from neiqin import clock
from neiqin.models.meetings.bookings import BOOKING_FIELDS, Booking, bookings_between
from neiqin.models.meetings.rooms import room_choices
from neiqin.models.meetings.schedule import ADJUSTED, COMPANY, office_hours
from neiqin.ui.pane import View
from neiqin.ui.util import tr

COLORS = {COMPANY: QColor("#d2e3fc"), "dept": QColor("#ceead6"), ADJUSTED: QColor("#e8eaed")}
EDGES = {COMPANY: QColor("#1a73e8"), "dept": QColor("#188038"), ADJUSTED: QColor("#9aa0a6")}
WEEK = "一二三四五六日"


class RoomGrid(QWidget):
    """The painted grid. ``newBooking(room_id, start)`` and ``openBooking(id)`` ask the view to act."""

    newBooking = Signal(int, object)
    openBooking = Signal(int)

    HEAD_W = 120
    HEAD_H = 34

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.mode = "day"
        self.day = clock.today()
        self.rooms = []
        self.bookings: list[Booking] = []
        self.cursor_room = 0
        self.cursor_col = 0
        self.setMinimumHeight(300)

    # ---- data

    def reload(self) -> None:
        self.rooms = room_choices()
        start, end = self.span()
        self.bookings = bookings_between(start, end, [r.id for r in self.rooms])
        self.cursor_room = min(self.cursor_room, max(len(self.rooms) - 1, 0))
        self.cursor_col = min(self.cursor_col, self.columns() - 1)
        self.update()

    def span(self) -> tuple[dt.date, dt.date]:
        if self.mode == "day":
            return self.day, self.day
        monday = self.day - dt.timedelta(days=self.day.weekday())
        return monday, monday + dt.timedelta(days=6)

    def hours(self) -> tuple[dt.datetime, dt.datetime]:
        open_at, close_at = office_hours()
        return dt.datetime.combine(self.day, open_at), dt.datetime.combine(self.day, close_at)

    def columns(self) -> int:
        if self.mode == "week":
            return 7
        start, end = self.hours()
        return max(1, int((end - start).total_seconds() // 1800))

    def cursor_start(self) -> dt.datetime:
        if self.mode == "week":
            day = self.span()[0] + dt.timedelta(days=self.cursor_col)
            return dt.datetime.combine(day, office_hours()[0])
        return self.hours()[0] + dt.timedelta(minutes=30 * self.cursor_col)

    # ---- geometry

    def cell_rect(self, row: int, col: int) -> QRectF:
        w = (self.width() - self.HEAD_W) / self.columns()
        h = self.row_h()
        return QRectF(self.HEAD_W + col * w, self.HEAD_H + row * h, w, h)

    def row_h(self) -> float:
        return max(44.0, (self.height() - self.HEAD_H) / max(len(self.rooms), 1)) if self.mode == "week" else 52.0

    def booking_rect(self, b: Booking) -> QRectF | None:
        if b.room_id not in [r.id for r in self.rooms]:
            return None
        row = [r.id for r in self.rooms].index(b.room_id)
        if self.mode == "week":
            return None
        start, end = self.hours()
        total = (end - start).total_seconds()
        x0 = max(0.0, (b.start_at - start).total_seconds() / total)
        x1 = min(1.0, (b.end_at - start).total_seconds() / total)
        w = self.width() - self.HEAD_W
        top = self.HEAD_H + row * self.row_h()
        x, width = self.HEAD_W + x0 * w + 1, max(4.0, (x1 - x0) * w - 2)
        if b.status == ADJUSTED:  # a strip along the bottom: the booking that took its place stays readable
            return QRectF(x, top + self.row_h() - 15, width, 13)
        return QRectF(x, top + 3, width, self.row_h() - 20)

    def booking_at(self, pos: QPoint) -> Booking | None:
        if self.mode == "day":
            for b in self.bookings:
                r = self.booking_rect(b)
                if r is not None and r.contains(pos):
                    return b
            return None
        row, col = self.cell_at(pos)
        if row is None:
            return None
        day = self.span()[0] + dt.timedelta(days=col)
        items = [b for b in self.bookings if b.room_id == self.rooms[row].id and b.day == day]
        if not items:
            return None
        cell = self.cell_rect(row, col)
        line = max(1, int((pos.y() - cell.top() - 2) // 16))
        return items[min(line - 1, len(items) - 1)]

    def cell_at(self, pos: QPoint) -> tuple[int | None, int]:
        if pos.x() < self.HEAD_W or pos.y() < self.HEAD_H or not self.rooms:
            return None, 0
        row = int((pos.y() - self.HEAD_H) // self.row_h())
        col = int((pos.x() - self.HEAD_W) // ((self.width() - self.HEAD_W) / self.columns()))
        if row >= len(self.rooms):
            return None, 0
        return row, min(col, self.columns() - 1)

    def cursor_booking(self) -> Booking | None:
        if not self.rooms:
            return None
        room = self.rooms[self.cursor_room].id
        if self.mode == "day":
            t = self.cursor_start()
            return next((b for b in self.bookings if b.room_id == room and b.start_at <= t < b.end_at
                         and b.status != ADJUSTED), None)
        day = self.span()[0] + dt.timedelta(days=self.cursor_col)
        return next((b for b in self.bookings if b.room_id == room and b.day == day and b.status != ADJUSTED), None)

    # ---- painting

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        cols = self.columns()
        grid = QPen(QColor("#dadce0"))
        # header
        p.setPen(QColor("#3c4043"))
        for c in range(cols):
            r = self.cell_rect(0, c)
            head = QRectF(r.left(), 0, r.width(), self.HEAD_H)
            if self.mode == "week":
                day = self.span()[0] + dt.timedelta(days=c)
                text = f"{day:%m-%d} 周{WEEK[day.weekday()]}"
                if day == clock.today():
                    p.fillRect(head, QColor("#fef7e0"))
                p.drawText(head, Qt.AlignmentFlag.AlignCenter, text)
            elif c % 2 == 0:
                t = self.hours()[0] + dt.timedelta(minutes=30 * c)
                p.drawText(head.adjusted(2, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           f"{t:%H:%M}")
        for i, room in enumerate(self.rooms):
            top = self.HEAD_H + i * self.row_h()
            p.setPen(QColor("#202124"))
            p.drawText(QRectF(6, top, self.HEAD_W - 8, self.row_h()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{room.name}\n{room.capacity} 人")
        p.setPen(grid)
        for i in range(len(self.rooms) + 1):
            y = self.HEAD_H + i * self.row_h()
            p.drawLine(0, int(y), self.width(), int(y))
        for c in range(cols + 1):
            x = self.cell_rect(0, c).left()
            if self.mode == "week" or c % 2 == 0:
                p.drawLine(int(x), 0, int(x), int(self.HEAD_H + len(self.rooms) * self.row_h()))
        # now line
        now = clock.now()
        if self.mode == "day" and self.day == now.date():
            start, end = self.hours()
            if start <= now <= end:
                x = self.HEAD_W + (now - start).total_seconds() / (end - start).total_seconds() * \
                    (self.width() - self.HEAD_W)
                p.setPen(QPen(QColor("#d93025"), 2))
                p.drawLine(int(x), self.HEAD_H, int(x), int(self.HEAD_H + len(self.rooms) * self.row_h()))
        # bookings
        p.setFont(small)
        if self.mode == "day":
            for b in sorted(self.bookings, key=lambda b: b.status != ADJUSTED):
                r = self.booking_rect(b)
                if r is None:
                    continue
                key = ADJUSTED if b.status == ADJUSTED else (COMPANY if b.kind == COMPANY else "dept")
                p.fillRect(r, COLORS[key])
                p.setPen(QPen(EDGES[key], 1.5))
                p.drawRect(r)
                label = (f"已调整：{b.time_text} {b.purpose}（{b.organiser}）" if b.status == ADJUSTED
                         else f"{b.time_text} {b.purpose}　{b.organiser}")
                p.setPen(QColor("#202124") if b.status != ADJUSTED else QColor("#80868b"))
                p.drawText(r.adjusted(3, 1, -2, -1), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        else:
            monday = self.span()[0]
            for i, room in enumerate(self.rooms):
                for c in range(7):
                    day = monday + dt.timedelta(days=c)
                    cell = self.cell_rect(i, c)
                    items = [b for b in self.bookings if b.room_id == room.id and b.day == day]
                    for k, b in enumerate(items):
                        line = QRectF(cell.left() + 2, cell.top() + 2 + k * 16, cell.width() - 4, 15)
                        if line.bottom() > cell.bottom():
                            p.setPen(QColor("#5f6368"))
                            p.drawText(QRectF(cell.left() + 2, cell.bottom() - 14, cell.width() - 4, 13),
                                       Qt.AlignmentFlag.AlignRight, f"+{len(items) - k}")
                            break
                        key = ADJUSTED if b.status == ADJUSTED else (COMPANY if b.kind == COMPANY else "dept")
                        p.fillRect(line, COLORS[key])
                        p.setPen(QColor("#202124"))
                        p.drawText(line.adjusted(2, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter,
                                   f"{b.start_at:%H:%M} {b.purpose}")
        # cursor
        if self.rooms:
            r = self.cell_rect(self.cursor_room, self.cursor_col)
            if self.mode == "day":
                r.setWidth(r.width() * 2)  # one hour, the length Enter books
            p.setPen(QPen(QColor("#1a73e8") if self.hasFocus() else QColor("#9aa0a6"), 2, Qt.PenStyle.DashLine))
            p.drawRect(r.adjusted(1, 1, -1, -1))
        else:
            p.setPen(QColor("#5f6368"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("还没有会议室。请在“会议室”中新增。"))
        p.end()

    # ---- input

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Left:
            self.move_cursor(0, -1)
        elif key == Qt.Key.Key_Right:
            self.move_cursor(0, 1)
        elif key == Qt.Key.Key_Up:
            self.move_cursor(-1, 0)
        elif key == Qt.Key.Key_Down:
            self.move_cursor(1, 0)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate()
        else:
            super().keyPressEvent(event)

    def move_cursor(self, drow: int, dcol: int) -> None:
        self.cursor_room = max(0, min(len(self.rooms) - 1, self.cursor_room + drow))
        self.cursor_col = max(0, min(self.columns() - 1, self.cursor_col + dcol))
        self.update()
        b = self.cursor_booking()
        if b is not None:
            QToolTip.showText(self.mapToGlobal(self.cell_rect(self.cursor_room, self.cursor_col).center().toPoint()),
                              _tip(b), self)

    def activate(self) -> None:
        if not self.rooms:
            return
        b = self.cursor_booking()
        if b is not None:
            self.openBooking.emit(b.id)
        else:
            self.newBooking.emit(self.rooms[self.cursor_room].id, self.cursor_start())

    def mousePressEvent(self, event) -> None:
        row, col = self.cell_at(event.position().toPoint())
        if row is not None:
            self.cursor_room, self.cursor_col = row, col
            self.update()
        self.setFocus()

    def mouseDoubleClickEvent(self, event) -> None:
        b = self.booking_at(event.position().toPoint())
        if b is not None:
            self.openBooking.emit(b.id)
        else:
            self.activate()

    def mouseMoveEvent(self, event) -> None:
        b = self.booking_at(event.position().toPoint())
        if b is not None:
            QToolTip.showText(event.globalPosition().toPoint(), _tip(b), self)
        else:
            QToolTip.hideText()


def _tip(b: Booking) -> str:
    text = f"{b.room_name} {b.day} {b.time_text}\n{b.purpose}（{b.kind}）\n{tr(BOOKING_FIELDS['organiser'].label)}：{b.organiser} {b.department}"
    if b.series_text:
        text += f"\n{b.series_text}"
    if b.status == ADJUSTED:
        text += f"\n{tr('已调整')}：{b.adjust_reason}"
    return text


class RoomScheduleView(View):
    """The 会议室日程 sub-view: navigation bar over the grid."""

    LEDGERS = frozenset({"bookings", "meetings", "rooms"})

    def __init__(self, pane):
        super().__init__(pane)
        self.pane = pane
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.prev = QPushButton(tr("◀ 前一天 (PgUp)"))
        self.next = QPushButton(tr("后一天 ▶ (PgDn)"))
        today = QPushButton(tr("今天 (Home)"))
        self.day_btn = QPushButton(tr("日 (D)"))
        self.week_btn = QPushButton(tr("周 (W)"))
        group = QButtonGroup(self)
        for b in (self.day_btn, self.week_btn):
            b.setCheckable(True)
            group.addButton(b)
        self.day_btn.setChecked(True)
        self.label = QLabel()
        self.label.setStyleSheet("font-weight:bold")
        book = QPushButton(tr("预订所选时段 (Enter)"))
        for w in (self.prev, self.next, today, self.day_btn, self.week_btn):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.label)
        bar.addStretch(1)
        legend = QLabel(tr("蓝：公司会议　绿：部门会议　灰：已调整"))
        legend.setStyleSheet("color:#5f6368")
        bar.addWidget(legend)
        book.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar.addWidget(book)
        lay.addLayout(bar)
        self.grid = RoomGrid(self)
        lay.addWidget(self.grid, 1)
        self.prev.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        today.clicked.connect(self.go_today)
        self.day_btn.clicked.connect(lambda: self.set_mode("day"))
        self.week_btn.clicked.connect(lambda: self.set_mode("week"))
        book.clicked.connect(self.grid.activate)
        self.grid.newBooking.connect(self.pane.book_at)
        self.grid.openBooking.connect(self.pane.show_booking)
        self.setFocusProxy(self.grid)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_PageUp:
            self.step(-1)
        elif key == Qt.Key.Key_PageDown:
            self.step(1)
        elif key == Qt.Key.Key_Home:
            self.go_today()
        elif key == Qt.Key.Key_D:
            self.set_mode("day")
        elif key == Qt.Key.Key_W:
            self.set_mode("week")
        else:
            super().keyPressEvent(event)

    def set_mode(self, mode: str) -> None:
        self.grid.mode = mode
        self.grid.cursor_col = min(self.grid.cursor_col, self.grid.columns() - 1) if mode == "day" else \
            self.grid.day.weekday()
        (self.day_btn if mode == "day" else self.week_btn).setChecked(True)
        self.prev.setText(tr("◀ 前一天 (PgUp)") if mode == "day" else tr("◀ 上一周 (PgUp)"))
        self.next.setText(tr("后一天 ▶ (PgDn)") if mode == "day" else tr("下一周 ▶ (PgDn)"))
        self.refresh()

    def step(self, n: int) -> None:
        self.grid.day += dt.timedelta(days=n if self.grid.mode == "day" else 7 * n)
        self.refresh()

    def go_today(self) -> None:
        self.grid.day = clock.today()
        self.refresh()

    def show_day(self, day: dt.date) -> None:
        self.grid.day = day
        self.refresh()

    def refresh(self) -> None:
        self.grid.reload()
        start, end = self.grid.span()
        if self.grid.mode == "day":
            self.label.setText(f"{start:%Y-%m-%d} 星期{WEEK[start.weekday()]}")
        else:
            self.label.setText(f"{start:%Y-%m-%d} — {end:%Y-%m-%d}")

    def count_and_description(self) -> tuple[int, str]:
        self.refresh()
        return len([b for b in self.grid.bookings if b.status != ADJUSTED]), tr("会议室日程") + " " + self.label.text()

    def showEvent(self, event) -> None:
        self.refresh()
        self.grid.setFocus()
        super().showEvent(event)
