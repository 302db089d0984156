"""到期提醒: at start-up and at the times of day set in 设置 → 今日与提醒, a small non-modal list of what became
overdue or due since the last reminder.

It never pops up over work in progress: while a dialog is open (a form, a step dialog) or the keyboard is in a
text field (a search box, the scanner desk), the reminder waits, and the status bar says so
(“提醒：N 项新到期”, click to see them); it appears as soon as the clerk is done. The list never takes the
keyboard focus away either. Each row opens its record (Enter or double-click). While the window is minimised or
behind another program, the taskbar button flashes and a notification says what is due (``neiqin.ui.attention``).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import ValidationError
from neiqin.models import settings, today
from neiqin.models.base import now
from neiqin.models.today import OVERDUE, Section, TodayItem
from neiqin.ui.settings.settings_pages import add_page
from neiqin.ui.util import error_label, show_error, tr

log = logging.getLogger(__name__)

STARTUP_DELAY_MS = 2500  # after the window is up and painted
TICK_MS = 30_000  # how often set times and deferred reminders are checked
ROLE = Qt.ItemDataRole.UserRole


def typing_somewhere(exclude: QWidget | None = None) -> bool:
    """A dialog is open, or the keyboard is in a field that takes text: the clerk is busy entering something."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

    if QApplication.activeModalWidget() is not None:
        return True
    w = QApplication.focusWidget()
    if w is None or (exclude is not None and (w is exclude or exclude.isAncestorOf(w))):
        return False
    if isinstance(w, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)):
        return not w.isReadOnly()
    return isinstance(w, QComboBox) and w.isEditable()


class ReminderPanel(QWidget):
    """A tool window at the lower right of the main window: what became due, most urgent first."""

    def __init__(self, window):
        super().__init__(window, Qt.WindowType.Tool)
        self.window_ = window
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle(tr("到期提醒"))
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight:bold")
        layout.addWidget(self.heading)
        self.list = QTreeWidget()
        self.list.setColumnCount(2)
        self.list.setHeaderLabels([tr("栏目"), tr("事项")])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 110)
        self.list.itemActivated.connect(self.open_item)
        self.list.itemDoubleClicked.connect(lambda item, _c: self.open_item(item))
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        hint = QLabel(tr("Enter 或双击打开记录"))
        hint.setStyleSheet("color:#666")
        row.addWidget(hint)
        row.addStretch(1)
        self.today_button = QPushButton(tr("打开今日"))
        self.today_button.clicked.connect(self.open_today)
        row.addWidget(self.today_button)
        close = QPushButton(tr("知道了"))
        close.clicked.connect(self.hide)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(620, 300)

    def set_items(self, pairs: list[tuple[Section, TodayItem]], when: dt.datetime, title: str = "") -> None:
        self.list.clear()
        red, amber = QBrush(QColor("#c5221f")), QBrush(QColor("#b06000"))
        for s, item in pairs:
            row = QTreeWidgetItem([s.title, item.text])
            row.setData(0, ROLE, item)
            row.setToolTip(1, item.text)
            brush = red if item.level == OVERDUE else amber
            row.setForeground(0, brush)
            row.setForeground(1, brush)
            self.list.addTopLevelItem(row)
        overdue = sum(1 for _, i in pairs if i.level == OVERDUE)
        self.heading.setText(title or f"{when:%H:%M} " + tr("新到期事项") + f" {len(pairs)} 项"
                             + (f"（逾期 {overdue} 项）" if overdue else ""))
        if pairs:
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def present(self, keyboard: bool) -> None:
        """Show at the lower right. Unasked (a reminder) it never takes the keyboard: the clerk may be about to
        type; asked for (the status-bar notice, 视图 → 到期提醒) it does, so ↑/↓ and Enter work at once."""
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, not keyboard)
        self.place()
        self.show()
        self.raise_()
        if keyboard:
            self.activateWindow()
            self.list.setFocus()

    def place(self) -> None:
        w = self.window_
        geo = w.geometry()
        self.move(max(geo.x(), geo.right() - self.width() - 24), max(geo.y(), geo.bottom() - self.height() - 48))

    def open_item(self, row: QTreeWidgetItem | None) -> None:
        item: TodayItem | None = row.data(0, ROLE) if row is not None else None
        if item is None:
            return
        open_item(self.window_, item)

    def open_today(self) -> None:
        try:
            self.window_.show_pane("today")
        except StopIteration:
            pass
        self.hide()


def open_item(window, item: TodayItem) -> bool:
    """Open what a 今日 row is about: its record, or the window action it names (备份到U盘)."""
    if item.action:
        action = window.actions_by_name.get(item.action)
        if action is not None:
            action.trigger()
            return True
        return False
    if item.ledger and item.record_id is not None:
        try:
            return bool(window.open_record(item.ledger, item.record_id))
        except KeyError:
            window.statusBar().showMessage(tr("该台账没有对应的页面"), 5000)
    return False


class Reminders(QObject):
    """Checks at start-up and at the set times; shows new items when the clerk is not typing."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.seen: set[tuple] = set()
        self.pending: list[tuple[Section, TodayItem]] = []
        self.last_check = now()
        self.last_shown: dt.datetime | None = None
        self._panel: ReminderPanel | None = None  # built the first time something is shown
        self._attention = None  # minimised or behind Word: taskbar flash and a notification (made when first due)
        self.notice = QToolButton()
        self.notice.setAutoRaise(True)
        self.notice.setStyleSheet("color:#b06000; font-weight:bold")
        self.notice.clicked.connect(lambda: self.show_pending(force=True))
        self.notice.hide()
        window.statusBar().addPermanentWidget(self.notice)
        self.timer = QTimer(self, interval=TICK_MS, timeout=self.tick)
        self.timer.start()
        if settings.get(today.REMIND_AT_START):
            QTimer.singleShot(STARTUP_DELAY_MS, self, self.remind)  # cancelled if the window goes first
        window.closing.connect(self.timer.stop)

    @property
    def attention(self):
        """The taskbar flash and tray notification, made when first needed (not at start-up)."""
        if self._attention is None:
            from neiqin.ui.attention import Attention

            self._attention = Attention(self.window)
        return self._attention

    @property
    def panel(self) -> ReminderPanel:
        if self._panel is None:
            self._panel = ReminderPanel(self.window)
        return self._panel

    def tick(self, moment: dt.datetime | None = None) -> None:
        moment = moment or now()
        if today.times_between(today.reminder_times(), self.last_check, moment):
            self.remind(moment)
        elif self.pending:
            self.show_pending()
        self.last_check = moment

    def remind(self, moment: dt.datetime | None = None) -> int:
        """Look for items that became due since the last reminder; show them (or defer). Returns how many."""
        moment = moment or now()
        try:
            sections = today.compute(moment.date())
        except Exception:  # noqa: BLE001 - a reminder must never bother the clerk with an error
            log.exception("reminder check failed")
            return 0
        new = []
        for s, item in today.urgent_items(sections):
            key = today.item_key(s.key, item)
            if key not in self.seen:
                self.seen.add(key)
                new.append((s, item))
        self.last_check = max(self.last_check, moment)
        if not new:
            self.window.statusBar().showMessage(f"{moment:%H:%M} " + tr("提醒：没有新的到期事项"), 8000)
            return 0
        self.pending.extend(new)
        self.pending.sort(key=lambda p: 0 if p[1].level == OVERDUE else 1)
        overdue = sum(1 for _, i in new if i.level == OVERDUE)
        self.show_pending(moment=moment)
        # once per new batch (not at every tick while it waits): the clerk may be in Word, or the window minimised
        self.attention.call(tr("到期提醒"), f"{moment:%H:%M} " + tr("新到期事项") + f" {len(new)} 项"
                            + (f"（逾期 {overdue} 项）" if overdue else "") + "：" + new[0][1].text,
                            self._show_now)
        return len(new)

    def show_pending(self, force: bool = False, moment: dt.datetime | None = None) -> bool:
        """Show what is waiting, unless the clerk is busy in a dialog or a text field (then only the notice)."""
        if not self.pending:
            self.notice.hide()
            return False
        if not force and typing_somewhere(exclude=self._panel):
            self.notice.setText(f"提醒：{len(self.pending)} 项新到期")
            self.notice.setToolTip(tr("正在填写，提醒稍后显示；点击现在查看"))
            self.notice.show()
            return False
        if not force and self._today_in_front():
            # the clerk is looking at 今日 already: it lists them (and refreshes); a second list would only cover it
            self.window.statusBar().showMessage(f"{len(self.pending)} 项新到期，见今日", 15000)
            self.pending = []
            self.notice.hide()
            return False
        self.panel.set_items(self.pending, moment or now())
        self.pending = []
        self.notice.hide()
        self.panel.present(keyboard=force)
        self.last_shown = moment or now()
        return True

    def _show_now(self) -> None:
        """The clerk clicked the notification: what waits, or the list already shown, with the keyboard."""
        if not self.show_pending(force=True) and self._panel is not None:
            self.panel.present(keyboard=True)

    def _today_in_front(self) -> bool:
        return self.window.current_pane().SPEC.key == "today" and self.window.isActiveWindow()

    def show_all_due(self) -> None:
        """视图 → 到期提醒: everything overdue or due now, not only what is new."""
        pairs = today.urgent_items(today.compute())
        self.panel.set_items(pairs, now(), title=tr("全部逾期和到期事项") + f" {len(pairs)} 项")
        self.panel.present(keyboard=True)


# ---------------------------------------------------------------------------------------------- settings page


class ReminderSettingsPage(QWidget):
    def __init__(self, parent=None):
        from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit

        super().__init__(parent)
        form = QFormLayout(self)
        self.times = QLineEdit(settings.get(today.REMINDER_TIMES) or "")
        self.times.setPlaceholderText(tr("例如 09:00, 14:00；留空则只在启动时提醒"))
        self.error = error_label()
        self.at_start = QCheckBox(tr("打开程序时提醒逾期和到期事项"))
        self.at_start.setChecked(bool(settings.get(today.REMIND_AT_START)))
        form.addRow(tr("每天提醒时间"), self.times)
        form.addRow("", self.error)
        form.addRow("", self.at_start)
        hint = QLabel(tr("到了提醒时间，如果正在填写表单，提醒会等填写完再显示，状态栏会先提示。"))
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.times.textChanged.connect(self.check)

    def check(self) -> bool:
        try:
            today.parse_times(self.times.text())
        except ValidationError as e:
            self.error.setText(e.errors.get(today.REMINDER_TIMES, str(e)))
            return False
        self.error.clear()
        return True

    def save(self) -> None:
        if not self.check():
            show_error(self, tr("提醒时间格式不对，未保存：") + self.error.text())
            return
        times = today.parse_times(self.times.text())
        settings.set_value(today.REMINDER_TIMES, ", ".join(f"{t:%H:%M}" for t in times))
        settings.set_value(today.REMIND_AT_START, self.at_start.isChecked())


def add_settings_page(dialog) -> ReminderSettingsPage:
    """The 今日与提醒 page of 设置."""
    page = add_page(dialog, ReminderSettingsPage(dialog), tr("今日与提醒"))
    dialog._reminders_page = page
    return page


def install(window) -> Reminders:
    """Reminders for the window (``window.reminders``), 视图 → 到期提醒…, and the settings page."""
    reminders = Reminders(window)
    window.reminders = reminders
    action = window.menus["view"].addAction(tr("到期提醒…"))
    action.setToolTip(tr("列出全部逾期和到期事项"))
    action.triggered.connect(reminders.show_all_due)
    window.actions_by_name["reminders"] = action
    from neiqin.ui.settings.settings_pages import register_settings_page

    register_settings_page(add_settings_page)
    return reminders
