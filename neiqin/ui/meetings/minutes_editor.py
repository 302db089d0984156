"""The minutes editor: its own window, built for typing during the meeting.

Keys: Ctrl+Enter 新议题 (focus its title), Ctrl+D 决议 in the current 议题, Ctrl+T 督办事项 (task → owner with the
pinyin picker → due date, Tab between them), Ctrl+Delete removes the current decision / task / empty 议题,
Alt+1/2/3 议程 / 出席情况 / 上次事项回顾, Ctrl+S 保存, Ctrl+P 打印会议记录, Ctrl+Shift+P 打印纪要, Esc closes.

The document is autosaved into the database (``MinutesDraft``) every ``meetings.autosave_seconds`` while it
changes and at once on every structural change (a new 议题, decision or task, an attendance mark), each in its
own small transaction. Opening a meeting whose draft was never saved reopens the draft and says so. 保存 applies
the draft (errors shown at the row that is wrong, nothing lost); closing saves. After 定稿 the editor is
read-only until 修正… is chosen with a reason (an audited amendment).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.meetings.actions import ACTION_FIELDS, OPEN, REVIEW_OUTCOMES, carry_open_actions
from neiqin.models.meetings.attendance import MEMBER, MEMBER_MARKS, OBSERVER_MARKS, count_marks, counts_text
from neiqin.models.meetings.minutes import (
    commit_minutes,
    finalize_minutes,
    load_draft,
    minutes_document,
    save_draft,
)
from neiqin.models.meetings.register import cn_number, meeting_by_id
from neiqin.ui.forms import ERROR_STYLE
from neiqin.ui.operations import perform
from neiqin.ui.staff_picker import StaffPicker
from neiqin.ui.util import ask_reason, show_error, tr


class DecisionRow(QWidget):
    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 0, 0, 0)
        label = QLabel(tr("决议"))
        label.setStyleSheet("color:#1a73e8; font-weight:bold")
        lay.addWidget(label)
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText(tr("会议决定的事项"))
        lay.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> str:
        return self.edit.text()


class ActionRow(QWidget):
    def __init__(self, data: dict, default_due: dt.date, parent=None):
        super().__init__(parent)
        self.action_id = data.get("id")
        self.status = data.get("status") or OPEN
        lay = QHBoxLayout(self)
        lay.setContentsMargins(24, 0, 0, 0)
        label = QLabel(tr("督办"))
        label.setStyleSheet("color:#c5221f; font-weight:bold")
        lay.addWidget(label)
        self.task = QLineEdit(data.get("task") or "")
        self.task.setPlaceholderText(tr("事项"))
        self.task.setMaxLength(ACTION_FIELDS["task"].limit)
        lay.addWidget(self.task, 3)
        lay.addWidget(QLabel(tr(ACTION_FIELDS["owner"].label)))
        self.owner = StaffPicker()
        self.owner.setPlaceholderText(tr("姓名或拼音首字母"))
        self.owner.set_value(data.get("owner") or {})
        lay.addWidget(self.owner, 1)
        lay.addWidget(QLabel(tr("期限")))
        self.due = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        due = data.get("due")
        day = dt.date.fromisoformat(due) if isinstance(due, str) and due else due or default_due
        self.due.setDate(QDate(day.year, day.month, day.day))
        lay.addWidget(self.due)
        if self.status != OPEN:
            state = QLabel(self.status)
            state.setStyleSheet("color:#188038")
            lay.addWidget(state)
        self.setFocusProxy(self.task)

    def value(self) -> dict:
        return {"id": self.action_id, "task": self.task.text(), "owner": self.owner.value(),
                "due": self.due.date().toPython().isoformat(), "status": self.status}


class ItemBox(QFrame):
    """One 议题: title, notes, its decisions and action items."""

    def __init__(self, editor: MinutesEditor, data: dict):
        super().__init__()
        self.editor = editor
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.number = QLabel()
        self.number.setStyleSheet("font-weight:bold")
        head.addWidget(self.number)
        self.title = QLineEdit(data.get("title") or "")
        self.title.setPlaceholderText(tr("议题名称"))
        head.addWidget(self.title, 1)
        lay.addLayout(head)
        self.notes = QPlainTextEdit(data.get("notes") or "")
        self.notes.setPlaceholderText(tr("记录发言要点……（Ctrl+D 决议，Ctrl+T 督办事项，Ctrl+Enter 下一个议题）"))
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(110)
        lay.addWidget(self.notes)
        self.decisions_box = QVBoxLayout()
        self.actions_box = QVBoxLayout()
        lay.addLayout(self.decisions_box)
        lay.addLayout(self.actions_box)
        self.decisions: list[DecisionRow] = []
        self.actions: list[ActionRow] = []
        for d in data.get("decisions", []):
            self.add_decision(d)
        for a in data.get("actions", []):
            self.add_action(a)
        self.title.textChanged.connect(editor.mark_dirty)
        self.notes.textChanged.connect(editor.mark_dirty)
        self.setFocusProxy(self.title)

    def add_decision(self, text: str = "") -> DecisionRow:
        row = DecisionRow(text)
        row.edit.textChanged.connect(self.editor.mark_dirty)
        self.decisions.append(row)
        self.decisions_box.addWidget(row)
        row.show()  # at once, not on the next event loop turn: the clerk may already be typing into it
        return row

    def add_action(self, data: dict | None = None) -> ActionRow:
        row = ActionRow(data or {}, self.editor.default_due())
        for sig in (row.task.textChanged, row.owner.textChanged, row.due.dateChanged):
            sig.connect(self.editor.mark_dirty)
        self.actions.append(row)
        self.actions_box.addWidget(row)
        row.show()
        # reparenting appends the row's widgets to the window's tab chain: put task → owner → due back in order
        QWidget.setTabOrder(row.task, row.owner)
        QWidget.setTabOrder(row.owner, row.due)
        return row

    def value(self) -> dict:
        return {"title": self.title.text(), "notes": self.notes.toPlainText(),
                "decisions": [d.value() for d in self.decisions], "actions": [a.value() for a in self.actions]}

    def is_empty(self) -> bool:
        v = self.value()
        return not (v["title"].strip() or v["notes"].strip() or self.decisions or self.actions)


class MinutesEditor(QWidget):
    """The minutes of one meeting. ``saved`` is emitted after the minutes are committed."""

    saved = Signal(int)

    def __init__(self, meeting_id: int, parent: QWidget | None = None, *, org_name: str = "",
                 datadir: Any = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.meeting = meeting_by_id(meeting_id)
        self.org_name = org_name
        self.datadir = datadir
        self.items: list[ItemBox] = []
        self.dirty = False
        self.amend_reason = ""
        self.last_saved_at: dt.datetime | None = None
        self.setWindowTitle(tr("会议记录") + f" — {self.meeting.title}（{self.meeting.day}）")
        self._build()
        carry_open_actions(self.meeting)
        doc = minutes_document(self.meeting)
        draft = load_draft(self.meeting.id)
        self.recovered_at: dt.datetime | None = None
        if draft is not None:
            saved_doc, at = draft
            known = {r["action_id"] for r in saved_doc.get("reviews", [])}
            saved_doc.setdefault("reviews", []).extend(r for r in doc["reviews"] if r["action_id"] not in known)
            saved_doc["attendance"] = _merge_attendance(saved_doc.get("attendance", []), doc["attendance"])
            doc = saved_doc
            self.recovered_at = at
        self.load(doc)
        self.dirty = False
        interval = max(1, int(settings.get("meetings.autosave_seconds") or 5))
        self.autosave_timer = QTimer(self, interval=interval * 1000, timeout=self.autosave)
        self.autosave_timer.start()
        self._set_read_only(bool(self.meeting.final_at))
        if not self.meeting.final_at:
            self.status.setText(tr("输入的内容每") + f" {interval} " + tr("秒自动保存一次草稿；Ctrl+S 保存会议记录。"))
            self.status.setStyleSheet("color:#5f6368")
        if self.recovered_at is not None:
            self.status.setText(tr("已恢复") + f" {self.recovered_at:%Y-%m-%d %H:%M:%S} " +
                                tr("自动保存的草稿（上次没有保存就关闭了，可能是程序异常退出或断电）。请核对后按 Ctrl+S 保存。"))
            self.status.setStyleSheet("color:#b06000; font-weight:bold")
        self.resize(1100, 760)
        if self.items and not self.meeting.final_at:
            self.items[-1].notes.setFocus()

    # ---- layout

    def _build(self) -> None:
        m = self.meeting
        lay = QVBoxLayout(self)
        head = QLabel(f"<b>{m.title}</b>　{m.when_text}　{tr('地点')}：{m.place}　{tr('主持')}：{m.host}"
                      f"　{tr('记录')}：{m.recorder or '—'}")
        lay.addWidget(head)
        bar = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("item", "新议题 Ctrl+Enter", self.new_item), ("decision", "决议 Ctrl+D", self.new_decision),
                                ("action", "督办事项 Ctrl+T", self.new_action), ("save", "保存 Ctrl+S", self.save),
                                ("final", "定稿…", self.finalize), ("amend", "修正…", self.start_amendment),
                                ("print", "打印记录 Ctrl+P", lambda: self.print_kind("record")),
                                ("print_minutes", "打印纪要 Ctrl+Shift+P", lambda: self.print_kind("minutes"))):
            b = QPushButton(tr(text))
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing never lands on a button
            b.clicked.connect(slot)
            bar.addWidget(b)
            self.buttons[key] = b
        bar.addStretch(1)
        lay.addLayout(bar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.errors = QLabel()
        self.errors.setStyleSheet("color:#d93025")
        self.errors.setWordWrap(True)
        self.errors.hide()
        lay.addWidget(self.errors)
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)
        # 议程
        page = QWidget()
        pl = QVBoxLayout(page)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        inner = QWidget()
        self.items_box = QVBoxLayout(inner)
        self.items_box.addStretch(1)
        self.scroll.setWidget(inner)
        pl.addWidget(self.scroll, 1)
        pl.addWidget(QLabel(tr("会议小结（可不填）")))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(60)
        self.summary.textChanged.connect(self.mark_dirty)
        pl.addWidget(self.summary)
        self.tabs.addTab(page, tr("议程与记录 (Alt+1)"))
        # 出席情况
        page = QWidget()
        al = QVBoxLayout(page)
        top = QHBoxLayout()
        self.counts = QLabel()
        top.addWidget(self.counts, 1)
        all_present = QPushButton(tr("未登记的全部出席 (Ctrl+Shift+A)"))
        all_present.clicked.connect(self.mark_rest_present)
        top.addWidget(all_present)
        al.addLayout(top)
        self.attendance = QTableWidget(0, 4)
        self.attendance.setHorizontalHeaderLabels([tr("姓名"), tr("身份"), tr("出席情况"), tr("原因/说明")])
        self.attendance.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.attendance.setColumnWidth(0, 220)
        self.attendance.setColumnWidth(2, 120)
        al.addWidget(self.attendance, 1)
        self.tabs.addTab(page, tr("出席情况 (Alt+2)"))
        # 上次事项回顾
        page = QWidget()
        rl = QVBoxLayout(page)
        rl.addWidget(QLabel(tr("本系列会议以前的未完成督办事项，请逐项记录执行情况和结论（已完成 / 继续办理 / 已取消）。")))
        self.reviews = QTableWidget(0, 6)
        self.reviews.setHorizontalHeaderLabels([tr("事项"), tr("责任人"), tr("期限"), tr("来源会议"), tr("执行情况"),
                                                tr("结论")])
        self.reviews.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.reviews.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        rl.addWidget(self.reviews, 1)
        self.review_tab = self.tabs.addTab(page, tr("上次事项回顾 (Alt+3)"))

        keys = (("Ctrl+Return", self.new_item), ("Ctrl+Enter", self.new_item), ("Ctrl+D", self.new_decision),
                ("Ctrl+T", self.new_action), ("Ctrl+Delete", self.remove_current), ("Ctrl+S", self.save),
                ("Ctrl+P", lambda: self.print_kind("record")), ("Ctrl+Shift+P", lambda: self.print_kind("minutes")),
                ("Ctrl+Shift+A", self.mark_rest_present), ("Escape", self.close),
                ("Alt+1", lambda: self.tabs.setCurrentIndex(0)), ("Alt+2", lambda: self.tabs.setCurrentIndex(1)),
                ("Alt+3", lambda: self.tabs.setCurrentIndex(2)))
        for seq, slot in keys:
            QShortcut(QKeySequence(seq), self, activated=slot, context=Qt.ShortcutContext.WindowShortcut)

    # ---- document

    def default_due(self) -> dt.date:
        return max(self.meeting.day, clock.today()) + dt.timedelta(days=7)

    def load(self, doc: dict) -> None:
        for box in self.items:
            box.setParent(None)
            box.deleteLater()
        self.items = []
        for it in doc.get("items", []):
            self._add_item(it)
        if not self.items:
            self._add_item({})
        self.summary.setPlainText(doc.get("summary", ""))
        self.attendance.setRowCount(0)
        for row in doc.get("attendance", []):
            self._add_attendance(row)
        self.reviews.setRowCount(0)
        for row in doc.get("reviews", []):
            self._add_review(row)
        self.tabs.setTabVisible(self.review_tab, self.reviews.rowCount() > 0)
        self.update_counts()

    def document(self) -> dict:
        attendance = []
        for r in range(self.attendance.rowCount()):
            item = self.attendance.item(r, 0)
            attendance.append({"id": item.data(Qt.ItemDataRole.UserRole), "name": item.text(),
                               "role": self.attendance.item(r, 1).text(),
                               "attendance": self.attendance.cellWidget(r, 2).currentText(),
                               "reason": self.attendance.cellWidget(r, 3).text()})
        reviews = []
        for r in range(self.reviews.rowCount()):
            data = dict(self.reviews.item(r, 0).data(Qt.ItemDataRole.UserRole))
            data["result"] = self.reviews.cellWidget(r, 4).text()
            data["outcome"] = self.reviews.cellWidget(r, 5).currentText()
            reviews.append(data)
        return {"items": [b.value() for b in self.items], "attendance": attendance, "reviews": reviews,
                "summary": self.summary.toPlainText()}

    def _add_item(self, data: dict) -> ItemBox:
        box = ItemBox(self, data)
        self.items.append(box)
        self.items_box.insertWidget(self.items_box.count() - 1, box)
        box.show()
        self._renumber()
        return box

    def _renumber(self) -> None:
        for n, box in enumerate(self.items, 1):
            box.number.setText(tr("议题") + cn_number(n))

    def _add_attendance(self, row: dict) -> None:
        from PySide6.QtWidgets import QTableWidgetItem

        r = self.attendance.rowCount()
        self.attendance.insertRow(r)
        name = QTableWidgetItem(row["name"])
        name.setData(Qt.ItemDataRole.UserRole, row["id"])
        name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.attendance.setItem(r, 0, name)
        role = QTableWidgetItem(row["role"])
        role.setFlags(role.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.attendance.setItem(r, 1, role)
        combo = QComboBox()
        combo.addItems(["", *(MEMBER_MARKS if row["role"] == MEMBER else OBSERVER_MARKS)])
        combo.setCurrentText(row.get("attendance") or "")
        combo.currentTextChanged.connect(lambda _: (self.update_counts(), self.structure_changed()))
        self.attendance.setCellWidget(r, 2, combo)
        reason = QLineEdit(row.get("reason") or "")
        reason.setPlaceholderText(tr("缺席、请假的原因"))
        reason.textChanged.connect(self.mark_dirty)
        self.attendance.setCellWidget(r, 3, reason)

    def _add_review(self, row: dict) -> None:
        from PySide6.QtWidgets import QTableWidgetItem

        r = self.reviews.rowCount()
        self.reviews.insertRow(r)
        for c, key in enumerate(("task", "owner", "due", "from")):
            item = QTableWidgetItem(str(row.get(key) or ""))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, {k: row.get(k) for k in
                                                        ("action_id", "task", "owner", "due", "from", "status")})
            self.reviews.setItem(r, c, item)
        result = QLineEdit(row.get("result") or "")
        result.setPlaceholderText(tr("执行情况"))
        result.textChanged.connect(self.mark_dirty)
        self.reviews.setCellWidget(r, 4, result)
        outcome = QComboBox()
        outcome.addItems(REVIEW_OUTCOMES)
        outcome.setCurrentText(row.get("outcome") or "")
        outcome.currentTextChanged.connect(lambda _: self.structure_changed())
        self.reviews.setCellWidget(r, 5, outcome)

    def update_counts(self) -> None:
        rows = [(self.attendance.item(r, 1).text(), self.attendance.cellWidget(r, 2).currentText())
                for r in range(self.attendance.rowCount())]
        self.counts.setText(counts_text(count_marks(rows)) + "　" + tr("（应到 = 参会人员，不含列席；实到 = 出席 + 迟到）"))

    # ---- editing

    def current_item(self) -> ItemBox | None:
        w = self.focusWidget()
        while w is not None:
            if isinstance(w, ItemBox):
                return w
            w = w.parentWidget()
        return self.items[-1] if self.items else None

    def _editable(self) -> bool:
        if self.meeting.final_at and not self.amend_reason:
            QMessageBox.information(self, tr("已定稿"), tr("会议记录已定稿，是只读的。如需修改请点“修正…”并填写原因。"))
            return False
        return True

    def new_item(self) -> ItemBox | None:
        if not self._editable():
            return None
        self.tabs.setCurrentIndex(0)
        box = self._add_item({})
        box.title.setFocus()
        QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(box))
        self.structure_changed()
        return box

    def new_decision(self) -> DecisionRow | None:
        if not self._editable():
            return None
        box = self.current_item()
        if box is None:
            return None
        row = box.add_decision()
        row.edit.setFocus()
        self.structure_changed()
        return row

    def new_action(self) -> ActionRow | None:
        if not self._editable():
            return None
        box = self.current_item()
        if box is None:
            return None
        row = box.add_action()
        row.task.setFocus()
        QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(row))
        self.structure_changed()
        return row

    def remove_current(self) -> None:
        if not self._editable():
            return
        w = self.focusWidget()
        box = self.current_item()
        if box is None:
            return
        for row in box.decisions:
            if row.isAncestorOf(w):
                box.decisions.remove(row)
                row.setParent(None)
                row.deleteLater()
                self.structure_changed()
                (box.decisions[-1] if box.decisions else box.notes).setFocus()
                return
        for row in box.actions:
            if row.isAncestorOf(w):
                if row.action_id and QMessageBox.question(
                        self, tr("删除督办事项"), tr("该督办事项已登记，保存后将作废（记录保留）。确定删除吗？")) \
                        != QMessageBox.StandardButton.Yes:
                    return
                box.actions.remove(row)
                row.setParent(None)
                row.deleteLater()
                self.structure_changed()
                box.notes.setFocus()
                return
        if box.is_empty() and len(self.items) > 1:
            i = self.items.index(box)
            self.items.remove(box)
            box.setParent(None)
            box.deleteLater()
            self._renumber()
            self.structure_changed()
            self.items[max(0, i - 1)].notes.setFocus()

    def mark_rest_present(self) -> None:
        if not self._editable():
            return
        for r in range(self.attendance.rowCount()):
            combo = self.attendance.cellWidget(r, 2)
            if not combo.currentText():
                combo.setCurrentText(MEMBER_MARKS[0] if self.attendance.item(r, 1).text() == MEMBER
                                     else OBSERVER_MARKS[0])

    # ---- saving

    def mark_dirty(self, *_) -> None:
        self.dirty = True

    def structure_changed(self) -> None:
        self.dirty = True
        self.autosave()

    def autosave(self) -> bool:
        """Write the draft if anything changed since the last autosave."""
        if not self.dirty or (self.meeting.final_at and not self.amend_reason):
            return False
        try:
            self.last_saved_at = save_draft(self.meeting.id, self.document())
        except Exception as e:  # noqa: BLE001 - keep typing; say so in the status line
            self.status.setText(tr("自动保存失败：") + str(e))
            self.status.setStyleSheet("color:#d93025")
            return False
        self.dirty = False
        self.status.setText(tr("草稿已自动保存") + f" {self.last_saved_at:%H:%M:%S}")
        self.status.setStyleSheet("color:#5f6368")
        return True

    def save(self) -> bool:
        """保存 (Ctrl+S): apply the document; on error show it at the row and keep the draft."""
        if self.meeting.final_at and not self.amend_reason:
            return True
        doc = self.document()
        self._clear_errors()
        try:
            self.meeting = commit_minutes(self.meeting, doc, amend_reason=self.amend_reason)
        except ValidationError as e:
            self.dirty = True
            self.autosave()
            self.show_errors(e.errors)
            return False
        except NeiqinError as e:
            show_error(self, e)
            return False
        self.dirty = False
        self.amend_reason = ""
        self.load(minutes_document(self.meeting))
        self.dirty = False
        self._set_read_only(bool(self.meeting.final_at))
        self.status.setText(tr("已保存") + f" {clock.now():%H:%M:%S}")
        self.status.setStyleSheet("color:#188038")
        self.saved.emit(self.meeting.id)
        return True

    def _clear_errors(self) -> None:
        self.errors.hide()
        for box in self.items:
            for w in (box.title, box.notes, *[a.task for a in box.actions], *[a.owner for a in box.actions],
                      *[a.due for a in box.actions]):
                w.setStyleSheet("")
        for r in range(self.attendance.rowCount()):
            self.attendance.cellWidget(r, 3).setStyleSheet("")
        for r in range(self.reviews.rowCount()):
            self.reviews.cellWidget(r, 4).setStyleSheet("")

    def widget_for(self, key: str) -> QWidget | None:
        parts = key.split(".")
        try:
            if parts[0] == "items":
                box = self.items[int(parts[1])]
                if parts[2] == "actions":
                    row = box.actions[int(parts[3])]
                    return {"owner": row.owner, "due": row.due}.get(parts[4], row.task)
                return {"title": box.title, "notes": box.notes}.get(parts[2], box.title)
            if parts[0] == "attendance":
                return self.attendance.cellWidget(int(parts[1]), 3 if parts[2] == "reason" else 2)
            if parts[0] == "reviews":
                return self.reviews.cellWidget(int(parts[1]), 4 if parts[2] == "result" else 5)
        except (IndexError, ValueError):
            return None
        return None

    def show_errors(self, errors: dict[str, str]) -> None:
        msgs = []
        first = None
        for key, msg in errors.items():
            w = self.widget_for(key)
            where = ""
            parts = key.split(".")
            if parts[0] == "items" and len(parts) > 2:
                where = tr("议题") + cn_number(int(parts[1]) + 1)
                if parts[2] == "actions":
                    where += tr("·督办事项") + str(int(parts[3]) + 1)
            if w is not None:
                w.setStyleSheet(ERROR_STYLE)
                w.setToolTip(msg)
                first = first or w
            msgs.append(f"{where}：{msg}" if where else msg)
        self.errors.setText(tr("未保存，请改正：") + "；".join(msgs) + tr("（草稿已保存，不会丢失）"))
        self.errors.show()
        if first is not None:
            tab = 0 if isinstance(first.parentWidget(), QWidget) and any(b.isAncestorOf(first) for b in self.items) \
                else (1 if self.attendance.isAncestorOf(first) else 2)
            self.tabs.setCurrentIndex(tab)
            first.setFocus()

    def finalize(self) -> None:
        if self.meeting.final_at:
            QMessageBox.information(self, tr("已定稿"), tr("会议记录已于 ") + f"{self.meeting.final_at:%Y-%m-%d %H:%M}" +
                                    tr(" 定稿。"))
            return
        if not self.save():
            return
        if QMessageBox.question(self, tr("定稿"), tr("定稿后会议记录只读，以后的修改需填写原因并记入修改记录。确定定稿吗？")) \
                != QMessageBox.StandardButton.Yes:
            return
        done = perform(self, finalize_minutes, self.meeting)
        if done is None:
            return
        self.meeting = done.value
        self._set_read_only(True)
        self.saved.emit(self.meeting.id)

    def start_amendment(self) -> None:
        if not self.meeting.final_at:
            return
        reason = ask_reason(self, tr("修正会议记录"), tr("会议记录已定稿。修正将记入修改记录（保留修正前的内容）。\n请填写修正原因："),
                            tr("例如：补记遗漏的决议"))
        if reason is None:
            return
        self.amend_reason = reason
        self._set_read_only(False)
        self.status.setText(tr("正在修正（原因：") + reason + tr("），改完按 Ctrl+S 保存"))

    def _set_read_only(self, ro: bool) -> None:
        for box in self.items:
            box.title.setReadOnly(ro)
            box.notes.setReadOnly(ro)
            for d in box.decisions:
                d.edit.setReadOnly(ro)
            for a in box.actions:
                a.task.setReadOnly(ro)
                a.owner.setReadOnly(ro)
                a.due.setReadOnly(ro)
        self.summary.setReadOnly(ro)
        for table, cols in ((self.attendance, (2, 3)), (self.reviews, (4, 5))):
            for r in range(table.rowCount()):
                for c in cols:
                    table.cellWidget(r, c).setEnabled(not ro)
        for key in ("item", "decision", "action", "save", "final"):
            self.buttons[key].setEnabled(not ro)
        self.buttons["amend"].setVisible(bool(self.meeting.final_at))
        self.buttons["amend"].setEnabled(ro)
        if ro:
            self.status.setText(tr("已定稿（只读）") + f" {self.meeting.final_at:%Y-%m-%d %H:%M}" +
                                (tr("，已修正 ") + str(self.meeting.amendments) + tr(" 次") if self.meeting.amendments else ""))
            self.status.setStyleSheet("color:#188038")

    def print_kind(self, kind: str) -> None:
        if self.dirty or load_draft(self.meeting.id) is not None:
            if not self.save():
                return
        from neiqin.reports.meeting_forms import PRINT_KINDS, write_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        title = PRINT_KINDS[kind]
        path = stamp_path(self, f"{title}-{self.meeting.title}-{self.meeting.day}")
        m, org = self.meeting, self.org_name
        self.preview = preview_pdf(self, title, path, lambda out, progress, cancelled: write_pdf(kind, m, out,
                                                                                                 org_name=org))

    def closeEvent(self, event) -> None:
        self.autosave_timer.stop()
        if self.meeting.final_at and not self.amend_reason:
            event.accept()
            return
        if self.dirty or load_draft(self.meeting.id) is not None:
            if not self.save():
                answer = QMessageBox.question(
                    self, tr("会议记录未保存"), self.errors.text() + "\n\n" +
                    tr("草稿已保存在数据库中，下次打开会继续。仍要关闭吗？"))
                if answer != QMessageBox.StandardButton.Yes:
                    self.autosave_timer.start()
                    event.ignore()
                    return
        event.accept()


def _merge_attendance(saved: list[dict], current: list[dict]) -> list[dict]:
    """Attendance rows of the meeting now, with marks typed into the draft kept."""
    typed = {r.get("id"): r for r in saved}
    out = []
    for row in current:
        t = typed.get(row["id"])
        out.append({**row, "attendance": t.get("attendance", ""), "reason": t.get("reason", "")} if t else row)
    return out


OPEN_EDITORS: dict[int, MinutesEditor] = {}  # meeting id -> its editor window while open


def open_editor(parent: QWidget, meeting_id: int, org_name: str = "") -> MinutesEditor:
    """One editor window per meeting: a second request brings the open one to the front."""
    editors = OPEN_EDITORS
    ed = editors.get(meeting_id)
    if ed is not None:
        try:
            ed.showNormal()
            ed.raise_()
            ed.activateWindow()
            return ed
        except RuntimeError:  # deleted
            pass
    ed = MinutesEditor(meeting_id, parent, org_name=org_name)
    ed.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    ed.destroyed.connect(lambda *_: editors.pop(meeting_id, None))
    editors[meeting_id] = ed
    ed.show()
    return ed


