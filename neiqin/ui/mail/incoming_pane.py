"""收文 view of the 收发文/快递 tab: register a morning's mail by keyboard, then push each document through its
steps (初审 → 拟办 → 批示 → 承办 → 传阅 → 催办 → 办结 → 归档), one small dialog per step.

Overdue documents are red, those due within two working days amber; 逾期 (F6) and 即将到期 (F7) filter them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import links as links_mod
from neiqin.models import settings, workdays
from neiqin.models.mail import docs_common, incoming_steps, outgoing
from neiqin.models.mail import incoming as incoming_mod
from neiqin.models.mail.incoming import INCOMING, INCOMING_FIELDS, IncomingDoc, doc_summary
from neiqin.models.staff import Department
from neiqin.ui.forms import FormField
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.operations import write
from neiqin.ui.seals.seal_dialogs import StepForm
from neiqin.ui.util import tr

OVERDUE_COLOR = QColor("#fce8e6")
SOON_COLOR = QColor("#fef7e0")
RETURNED_COLOR = QColor("#f1f3f4")
NEW_COLOR = QColor("#e8f0fe")


class ListCompleter(QCompleter):
    """Completes the last of several names separated by 、 (主送, 抄送, 传阅人, 发往机关)."""

    SEPARATORS = "、，,;；"

    def __init__(self, words: list[str], parent: QLineEdit):
        super().__init__(words, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setWidget(parent)
        self._edit = parent

    def _head(self) -> str:
        text = self._edit.text()
        cut = max(text.rfind(s) for s in self.SEPARATORS)
        return text[:cut + 1] if cut >= 0 else ""

    def pathFromIndex(self, index) -> str:  # noqa: N802 - Qt's name
        return self._head() + str(index.data())

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt's name
        for s in self.SEPARATORS:
            path = path.split(s)[-1]
        return [path.strip()]


def _changed_signal(w: QWidget | None):
    """The signal a form widget sends when the clerk changes its value."""
    if isinstance(w, QAbstractSpinBox):
        return w.dateTimeChanged if isinstance(w, QDateTimeEdit) else w.valueChanged
    if isinstance(w, QComboBox):
        return w.currentTextChanged
    if isinstance(w, QLineEdit):
        return w.textChanged
    return None


class DocForm(StepForm):
    """StepForm for documents: combos that complete on any part of the text, lists of names, a live line that
    shows the 办理期限 a number of days comes to, and 来文字号 put into the 〔2026〕 form when the field is left."""

    def __init__(self, title: str, fields: list[FormField], save, values: dict | None = None, parent=None,
                 note: str = "", completions: dict[str, list[str]] | None = None, start: dt.date | None = None):
        self.completions = completions or {}
        self.start = start
        super().__init__(title, fields, save, values, parent, note=note)
        self.deadline_hint = QLabel()
        self.deadline_hint.setStyleSheet("color:#1a73e8")
        if "deadline_days" in self.widgets:
            self.layout().insertWidget(self.layout().count() - 2, self.deadline_hint)
            for key in ("deadline_days", "deadline_rule", "due_date", "received_at"):
                signal = _changed_signal(self.widgets.get(key))
                if signal is not None:
                    signal.connect(self.update_deadline)
            self.update_deadline()
        for key in ("sender_no", "reply_no", "doc_no"):
            w = self.widgets.get(key)
            if isinstance(w, QLineEdit):
                w.editingFinished.connect(lambda w=w: w.setText(docs_common.normalize_doc_no(w.text())))

    def _make_widget(self, f: FormField) -> QWidget:
        w = super()._make_widget(f)
        words = self.completions.get(f.key)
        if words is not None:
            if isinstance(w, QComboBox) and w.isEditable():
                c = QCompleter(words, w)
                c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                c.setFilterMode(Qt.MatchFlag.MatchContains)
                w.setCompleter(c)
            elif isinstance(w, QLineEdit):
                w.setCompleter(ListCompleter(words, w))
        return w

    def update_deadline(self, *_: Any) -> None:
        values = {k: self.value(k) for k in ("deadline_days", "deadline_rule", "due_date") if k in self.widgets}
        start = self.start
        if "received_at" in self.widgets:
            start = self.value("received_at").date()
        start = start or clock.today()
        due = None
        if str(values.get("due_date") or "").strip():
            try:
                due = dt.date.fromisoformat(str(values["due_date"]).strip())
            except ValueError:
                self.deadline_hint.setText(tr("办理期限：日期格式应为 YYYY-MM-DD"))
                return
        elif values.get("deadline_days"):
            try:
                due = workdays.deadline(start, int(values["deadline_days"]), values.get("deadline_rule") or "工作日")
            except NeiqinError as e:
                self.deadline_hint.setText(str(e))
                return
        if due is None:
            self.deadline_hint.setText(tr("办理期限：不设（紧急公文必须设定）"))
            return
        week = "一二三四五六日"[due.weekday()]
        self.deadline_hint.setText(f"办理期限：{due}（周{week}，{workdays.describe_day(due)}）")


def ask(parent, title: str, fields: list[FormField], save, values: dict | None = None, note: str = "",
        **kwargs) -> Any:
    form = DocForm(title, fields, save, values, parent, note=note, **kwargs)
    form.resize(600, form.sizeHint().height())
    return form.result_record if form.exec() and form.result_record is not None else None


def _when(t: dt.datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if t else ""


# ---------------------------------------------------------------------------------------------- the fields


def registration_fields() -> list[FormField]:
    return INCOMING_FIELDS.form(
        "received_at", "signed_by", "sender_org", "sender_no", "title", "kind", "secrecy", "secrecy_years", "urgency",
        "copies", "pages", "attachments", "deadline_days", "deadline_rule", "due_date", "note",
        signed_by={"kind": "staff"}, sender_org={"kind": "editable_combo", "history": None},
        due_date={"label": "或指定期限日期", "kind": "text", "max_len": 10, "placeholder": tr("YYYY-MM-DD，可不填")})


def _deadline_defaults() -> dict:
    return {"deadline_rule": settings.get("incoming.default_deadline_rule") or workdays.WORKING}


# ---------------------------------------------------------------------------------------------- the pane


class IncomingPane(LedgerPane):
    SPEC = INCOMING
    SHOWS_ALSO = frozenset({"parcels"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(INCOMING, *args, **kwargs)
        self.add_action_button(tr("签收登记"), self.new_record, None, tr("签收并登记收文，可连续登记多份（Ctrl+N）"))
        self.step_btn = self.add_action_button(tr("办理…"), self.process_menu, "Ctrl+R",
                                               tr("录入所选收文的下一步：初审、拟办、批示、交办、传阅、催办、办结、归档"))
        self.back_btn = self.add_action_button(tr("收回传阅"), self.return_reading, "Ctrl+Shift+R",
                                               tr("登记传阅人退回文件（阅毕）"))
        self.add_action_button(tr("办理过程"), self.show_trail, "F4", tr("所选收文的每一步：谁、何时、意见"))
        self.add_action_button(tr("打印处理笺"), self.print_sheet, "Ctrl+Shift+P", tr("打印文件处理笺（收文处理单）"))
        self.add_action_button(tr("逾期"), lambda: self.set_status_filter("overdue"), "F6")
        self.add_action_button(tr("即将到期"), lambda: self.set_status_filter("due_soon"), "F7")
        self.add_action_button(tr("工作日历…"), self.edit_calendar, None, tr("节假日与调休上班日期"))
        self.finish_action_bar()
        self.alert = QLabel()
        self.alert.setStyleSheet("color:#c5221f")
        self.action_bar.addWidget(self.alert)
        self.recordsChanged.connect(self.update_alert)
        self._soon = incoming_mod.due_soon_limit()
        self.update_alert()
        self.selection_changed()

    # ---- look

    def refresh(self) -> None:
        self._soon = incoming_mod.due_soon_limit()
        super().refresh()
        self.update_alert()

    def row_background(self, row: dict) -> QColor | None:
        state = incoming_mod.due_state(row, soon=self._soon)
        if state == "overdue":
            return OVERDUE_COLOR
        if state == "soon":
            return SOON_COLOR
        if row["status"] == docs_common.IN_RETURNED:
            return RETURNED_COLOR
        return NEW_COLOR if row["status"] == docs_common.IN_REVIEW else None

    def update_alert(self) -> None:
        from neiqin.models.ledger import LedgerQuery

        over = INCOMING.count(LedgerQuery(status="overdue"))
        soon = INCOMING.count(LedgerQuery(status="due_soon"))
        parts = ([f"逾期 {over} 件"] if over else []) + ([f"两个工作日内到期 {soon} 件"] if soon else [])
        missing = workdays.missing_years()
        if missing:
            parts.append(f"工作日历缺少 {'、'.join(map(str, missing))} 年，期限按周末计算")
        self.alert.setText("；".join(parts))

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        self.step_btn.setEnabled(bool(row) and bool(incoming_steps.next_actions(row)))
        self.back_btn.setEnabled(bool(row) and not row["voided"] and bool(row.get("circulating")))

    # ---- registration

    def _completions(self) -> dict[str, list[str]]:
        return {"sender_org": incoming_mod.sender_suggestions()}

    def new_values(self) -> dict:
        return {"copies": 1, "kind": "通知", **_deadline_defaults()}

    def new_record(self, *, values: dict | None = None) -> Any:  # keyword-only: a button's slot
        """Register one document after another until Esc: the 签收人 carries over, the rest starts fresh."""
        first = None
        done: list[IncomingDoc] = []
        vals = {**self.new_values(), **(values or {})}
        while True:
            note = tr("下一个收文号（保存时分配）：") + incoming_mod.peek_incoming_no()
            if done:
                note = f"已登记 {len(done)} 份，上一份为 {done[-1].no}《{done[-1].title}》。\n" + note + \
                    tr("；按 Esc 结束登记")
            rec = ask(self, tr("签收登记 · 收文"), registration_fields(), self._save_new, vals,
                      note, completions=self._completions())
            if rec is None:
                break
            done.append(rec)
            first = first or rec
            self.after_change(rec.id)
            vals = {**self.new_values(), "signed_by": {"id": incoming_mod.signer_id(rec), "name": rec.signed_by}}
        if done:
            self.window().statusBar().showMessage(f"本次登记收文 {len(done)} 份：{done[0].no} — {done[-1].no}", 15000)
        return done[-1] if done else None

    def _save_new(self, values: dict) -> IncomingDoc:
        data = self.form_data(values)
        return write(self, incoming_mod.register_incoming, data)

    def form_fields(self, record: Any = None) -> list[FormField]:
        return registration_fields()

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        if not data.get("secrecy_years"):
            data["secrecy_years"] = None
        if not data.get("pages"):
            data["pages"] = None
        if not data.get("deadline_days"):
            data["deadline_days"] = None
        return data

    def record_values(self, record: IncomingDoc) -> dict:
        values = {f.key: getattr(record, f.key) for f in registration_fields()}
        values["signed_by"] = {"id": None, "name": record.signed_by}
        values["received_at"] = record.received_at or dt.datetime.combine(record.received_on, dt.time(9, 0))
        values["due_date"] = record.due_date.isoformat() if record.due_date else ""
        values["deadline_days"] = record.deadline_days or 0
        values["secrecy_years"] = record.secrecy_years or 0
        values["pages"] = record.pages or 0
        values["deadline_rule"] = record.deadline_rule or _deadline_defaults()["deadline_rule"]
        return values

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        rec = ask(self, title, self.form_fields(record), save, values, note, completions=self._completions())
        if rec is not None:
            self.after_change(rec.id)
        return rec

    # ---- steps

    def step_actions(self, doc: IncomingDoc) -> list[tuple[str, Any]]:
        handlers = {"review": self.review, "propose": self.propose, "instruct": self.instruct,
                    "assign": self.assign, "circulate": self.circulate, "remind": self.remind,
                    "finish": self.finish, "archive": self.archive}
        return [(incoming_steps.STEP_LABELS[a], lambda a=a: self.run_step(handlers[a])) for a in incoming_steps.next_actions(doc)]

    def process_menu(self) -> Any:
        doc = self.require_record()
        if doc is None:
            return None
        actions = self.step_actions(doc)
        if not actions:
            QMessageBox.information(self, tr("无需办理"), f"{doc.no} 当前为“{doc.status}”" +
                                    ("（已作废）" if doc.voided else "") + tr("，没有可办理的步骤。"))
            return None
        menu = QMenu(self)
        for i, (label, slot) in enumerate(actions):
            act = menu.addAction(f"&{i + 1} {label}", slot)
            if i == 0:
                menu.setDefaultAction(act)
                menu.setActiveAction(act)
        rect = self.table.visualRect(self.table.currentIndex())
        pos = self.table.viewport().mapToGlobal(rect.bottomLeft() if rect.isValid() else QPoint(0, 0))
        self._menu = menu
        menu.exec(pos)
        return menu

    def edit_record(self) -> Any:
        """Double-click / Ctrl+O continues the processing; 修改 of the registration is in the context menu."""
        doc = self.current_record()
        if doc is not None and incoming_steps.next_actions(doc):
            acts = self.step_actions(doc)
            return acts[0][1]()
        return super().edit_record()

    def edit_registration(self) -> Any:
        return super().edit_record()

    def context_actions(self) -> list[tuple[str, Any]]:
        doc = self.current_record()
        steps = self.step_actions(doc) if doc is not None else []
        return [*((t + "…", s) for t, s in steps), ("-", None),
                (tr("收回传阅…"), self.return_reading), (tr("办理过程"), self.show_trail),
                (tr("打印处理笺"), self.print_sheet), ("-", None),
                (tr("修改登记内容…"), self.edit_registration), (tr("作废…"), self.void_record),
                (tr("修改记录…"), self.show_history)]

    def _note(self, doc: IncomingDoc, step: str) -> str:
        return f"{step}\n{doc_summary(doc)}"

    def review(self, doc: IncomingDoc) -> Any:
        fields = incoming_steps.step_form("review")
        return ask(self, tr("初审 · ") + doc.no,
                   fields, lambda v: incoming_steps.review_incoming(doc, {**v, "passed": v["passed"] == "通过"}), None,
                   self._note(doc, tr("核对文件是否应由本单位办理、手续是否完备；不符合的退回并说明原因。")))

    def propose(self, doc: IncomingDoc) -> Any:
        fields = [*INCOMING_FIELDS.form("opinion", opinion={"required": True}), *incoming_steps.step_form("propose")]
        return ask(self, tr("拟办意见 · ") + doc.no, fields, lambda v: incoming_steps.propose_incoming(doc, v), None,
                   self._note(doc, tr("按处理笺上写的拟办意见录入（Ctrl+Enter 保存）。")))

    def instruct(self, doc: IncomingDoc) -> Any:
        fields = [*INCOMING_FIELDS.form("instruction", instruction={"required": True}),
                  *incoming_steps.step_form("instruct")]
        return ask(self, tr("领导批示 · ") + doc.no, fields, lambda v: incoming_steps.instruct_incoming(doc, v), None,
                   self._note(doc, tr("按领导在处理笺上的批示录入（Ctrl+Enter 保存）。")))

    def assign(self, doc: IncomingDoc) -> Any:
        fields = [*INCOMING_FIELDS.form("handler_dept", "handler", "deadline_days", "deadline_rule", "due_date",
                                        handler_dept={"kind": "editable_combo", "choices": [""] + Department.names()},
                                        handler={"kind": "staff"},
                                        due_date={"label": "或指定期限日期", "kind": "text", "max_len": 10,
                                                  "placeholder": tr("YYYY-MM-DD")}),
                  *incoming_steps.step_form("assign")]
        values = {"handler_dept": doc.handler_dept, "handler": {"id": doc.handler_id, "name": doc.handler},
                  "deadline_days": doc.deadline_days or (0 if doc.due_date else
                                                         int(settings.get("incoming.default_deadline_days") or 0)),
                  "deadline_rule": doc.deadline_rule or _deadline_defaults()["deadline_rule"],
                  "due_date": doc.due_date.isoformat() if doc.due_date and not doc.deadline_days else ""}

        def save(v: dict) -> IncomingDoc:
            data = dict(v)
            if not data.get("deadline_days"):
                data["deadline_days"] = None
            person = data.get("handler") or {}
            if not str(data.get("handler_dept") or "").strip() and person.get("department"):
                data["handler_dept"] = person["department"]
            return incoming_steps.assign_incoming(doc, data)

        return ask(self, tr("交办承办 · ") + doc.no, fields, save, values,
                   self._note(doc, tr("办理期限从交办之日起算；不能早于收文日期。")), start=clock.today())

    def circulate(self, doc: IncomingDoc) -> Any:
        from neiqin.models.staff import staff_choices

        fields = incoming_steps.step_form("circulate")
        names = [c.name for c in staff_choices()]
        rows = ask(self, tr("传阅 · ") + doc.no, fields, lambda v: incoming_steps.circulate_incoming(doc, v), None,
                   self._note(doc, tr("每位传阅人单独登记送阅和退回时间。")), completions={"readers": names})
        return rows[0] if rows else None

    def return_reading(self) -> Any:
        doc = self.require_record()
        if doc is None:
            return None
        out = [c for c in incoming_steps.circulation_of(doc) if c.returned_at is None]
        if not out:
            QMessageBox.information(self, tr("没有传阅中的文件"), f"{doc.no} " + tr("没有尚未退回的传阅。"))
            return None
        labels = {f"{c.reader}（{c.department or '—'}，{c.given_at:%m-%d %H:%M} 送阅）": c for c in out}
        fields = [FormField("reader", "传阅人", "combo", choices=list(labels)), *incoming_steps.step_form("return")]
        done = ask(self, tr("收回传阅 · ") + doc.no, fields,
                   lambda v: incoming_steps.return_circulation(labels[v["reader"]], v), None, doc_summary(doc))
        if done is not None:
            self.after_change(doc.id)
        return done

    def remind(self, doc: IncomingDoc) -> Any:
        fields = incoming_steps.step_form("remind")
        values = {"to": {"id": doc.handler_id, "name": doc.handler}}
        return ask(self, tr("催办 · ") + doc.no, fields, lambda v: incoming_steps.remind_incoming(doc, v), values,
                   self._note(doc, f"已催办 {doc.reminders} 次。"))

    def finish(self, doc: IncomingDoc) -> Any:
        fields = [*INCOMING_FIELDS.form("result", "reply_no", "done_on", result={"required": True}),
                  *incoming_steps.step_form("finish")]
        values = {"by": {"id": doc.handler_id, "name": doc.handler}}
        return ask(self, tr("办结 · ") + doc.no, fields, lambda v: incoming_steps.finish_incoming(doc, v), values,
                   self._note(doc, tr("办结后可归档。")))

    def archive(self, doc: IncomingDoc) -> Any:
        fields = INCOMING_FIELDS.form("archive_no", "volume_no", "archived_on", volume_no={"label": "归入卷号"})
        return ask(self, tr("归档 · ") + doc.no, fields, lambda v: incoming_steps.archive_incoming(doc, v), None,
                   self._note(doc, tr("填写档号或卷号。")))

    # ---- views and prints

    def show_trail(self) -> None:
        doc = self.require_record()
        if doc is not None:
            TrailDialog(doc, self).exec()

    def print_sheet(self) -> Path | None:
        doc = self.require_record()
        if doc is None:
            return None
        from neiqin.reports.document_forms import write_processing_sheet_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        path = stamp_path(self, f"文件处理笺-{doc.no}")
        org = settings.org_name()
        shown = preview_pdf(self, tr("文件处理笺"), path,
                            lambda out, progress, cancelled: write_processing_sheet_pdf(doc, out, org_name=org))
        return path if shown is not None else None

    def edit_calendar(self) -> None:
        from neiqin.ui.settings.workdays_dialog import WorkdaysDialog

        if WorkdaysDialog(self).exec():
            self.refresh()


class TrailDialog(QDialog):
    """办理过程: the document's steps in order, its circulation list and its links."""

    def __init__(self, doc: IncomingDoc | outgoing.OutgoingDoc, parent=None):
        super().__init__(parent)
        incoming = isinstance(doc, IncomingDoc)
        number = doc.no if incoming else doc.doc_no
        self.setWindowTitle(tr("办理过程 · ") + number)
        layout = QVBoxLayout(self)
        self.view = QTextBrowser()
        parts = [f"<h3>{number}《{doc.title}》</h3>"]
        link = links_mod.link_label("parcels", doc.parcel_id) if incoming else links_mod.link_label("dispatches",
                                                                                          doc.dispatch_id)
        if link:
            parts.append(f"<p><b>{link}</b></p>")
        parts.append("<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'>"
                     "<tr><th>时间</th><th>步骤</th><th>人员</th><th>内容</th><th>录入</th></tr>")
        for e in docs_common.events_of(doc):
            parts.append(f"<tr><td>{_when(e.at)}</td><td>{e.step}</td><td>{e.actor}</td><td>{e.note}</td>"
                         f"<td style='color:#666'>{e.recorded_by} {_when(e.recorded_at)}</td></tr>")
        parts.append("</table>")
        if incoming:
            rows = incoming_steps.circulation_of(doc)
            if rows:
                parts.append("<h4>传阅</h4><table cellspacing=0 cellpadding=4 border=1>"
                             "<tr><th>传阅人</th><th>部门</th><th>送阅</th><th>退回</th><th>意见</th></tr>")
                for c in rows:
                    parts.append(f"<tr><td>{c.reader}</td><td>{c.department}</td><td>{_when(c.given_at)}</td>"
                                 f"<td>{_when(c.returned_at) or '<b>未退回</b>'}</td><td>{c.note}</td></tr>")
                parts.append("</table>")
        else:
            rows = outgoing.deliveries_of(doc)
            if rows:
                parts.append("<h4>送文簿</h4><table cellspacing=0 cellpadding=4 border=1>"
                             "<tr><th>封皮号</th><th>发往机关</th><th>文别</th><th>发出</th><th>签收人</th>"
                             "<th>签收时间</th></tr>")
                for d in rows:
                    parts.append(f"<tr><td>{d.envelope_label}</td><td>{d.organisation}</td><td>{d.category}</td>"
                                 f"<td>{_when(d.sent_at)}</td><td>{d.signed_by}</td>"
                                 f"<td>{_when(d.signed_at) or '<b>未签收</b>'}</td></tr>")
                parts.append("</table>")
        self.view.setHtml("".join(parts))
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭 (Esc)"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 520)


