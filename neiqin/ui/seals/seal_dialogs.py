"""用印 step dialogs: application → approval (one or two levels) → stamping, then lending and returning.

Each step is its own small keyboard-first form (Enter saves, Esc stops) that shows what the earlier steps
recorded, so a clerk can take the paper application now and record the approval when the signed form comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from neiqin import clock
from neiqin.models.seals.attachments import attach_to_use, store_attachment
from neiqin.models.seals.loans import LOAN_DECL, SealLoan, lend, lendable_items, return_loan
from neiqin.models.seals.registry import SEAL_LENT
from neiqin.models.seals.uses import (
    SEAL_USE_FIELDS,
    SealUse,
    apply_use,
    approve_use,
    next_step,
    stamp_use,
    usable_seals,
    use_by_id,
)
from neiqin.models.staff import Department
from neiqin.ui.forms import FormField, RecordForm
from neiqin.ui.operations import write
from neiqin.ui.util import tr

STEPS = ["申请", "审批", "用印"]
STAFF = {"kind": "staff"}  # a name on a step, picked from 通讯录


class FilesEdit(QWidget):
    """A line of file paths (separated by ;) with a 浏览… button."""

    def __init__(self, parent=None, filter_: str = ""):
        super().__init__(parent)
        self.filter = filter_ or tr("扫描件或照片 (*.jpg *.jpeg *.png *.gif *.bmp *.tif *.tiff *.webp *.pdf)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(tr("可不填；多个文件用 ; 分隔"))
        self.button = QPushButton(tr("浏览…"))
        self.button.clicked.connect(self.browse)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)

    def browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("选择扫描件或照片"), "", self.filter)
        if paths:
            self.edit.setText(";".join(paths))

    def paths(self) -> list[str]:
        return [p.strip() for p in self.edit.text().split(";") if p.strip()]


class StepForm(RecordForm):
    """RecordForm plus a required confirmation checkbox (kind "check") and file fields (kind "files")."""

    def _make_widget(self, f: FormField) -> QWidget:
        if f.kind == "check":
            return QCheckBox(f.placeholder or f.label)
        if f.kind == "files":
            return FilesEdit()
        return super()._make_widget(f)

    def value(self, key: str) -> Any:
        w = self.widgets[key]
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, FilesEdit):
            return w.paths()
        return super().value(key)

    def set_values(self, values: dict) -> None:
        rest = {}
        for key, v in values.items():
            w = self.widgets.get(key)
            if isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            elif isinstance(w, FilesEdit):
                w.edit.setText(";".join(v or []))
            else:
                rest[key] = v
        super().set_values(rest)


def _ask(parent, title: str, fields: list[FormField], save: Callable[[dict], Any], values: dict | None = None,
         note: str = "") -> Any:
    form = StepForm(title, fields, save, values, parent, note=note)
    form.resize(560, form.sizeHint().height())
    return form.result_record if form.exec() and form.result_record is not None else None


def _steps_line(done: int) -> str:
    parts = []
    for i, name in enumerate(STEPS):
        mark = "✔" if i < done else ("▶" if i == done else "○")
        parts.append(f"{mark} {i + 1}. {name}")
    return "　→　".join(parts)


def _use_summary(use: SealUse) -> str:
    lines = [f"{use.no}　{use.seal_name}　{use.department} {use.applicant}　申请于 {use.applied_at:%Y-%m-%d %H:%M}",
             f"文件：{use.doc_title}（{use.doc_type or '未填类型'}）{use.copies} 份 × 每份 {use.stamps_per_copy} 次；"
             f"事由：{use.purpose}"]
    for i in (1, 2):
        name = getattr(use, f"approver{i}")
        if name:
            when = getattr(use, f"approved{i}_at")
            lines.append(f"审批：{name} {getattr(use, f'decision{i}')}（{when:%Y-%m-%d %H:%M}）"
                         + (f"　{getattr(use, f'opinion{i}')}" if getattr(use, f"opinion{i}") else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- use steps


def seal_choices() -> dict[str, int]:
    """Label → seal id for the 印章 combo: usable seals; lent ones marked (they can be applied for)."""
    return {s.name + ("（外借中）" if s.status == SEAL_LENT else ""): s.id for s in usable_seals()}


def application_step(parent, values: dict | None = None) -> SealUse | None:
    seals = seal_choices()
    if not seals:
        QMessageBox.information(parent, tr("没有可用的印章"), tr("请先在“印章”中登记印章。"))
        return None
    fields = SEAL_USE_FIELDS.form(
        "seal", "applicant", "department", "doc_title", "doc_type", "copies", "stamps_per_copy", "purpose", "doc_no",
        "applied_at", "note", seal={"choices": list(seals)}, applicant=STAFF,
        department={"kind": "editable_combo", "choices": [""] + Department.names()},
        copies={"minimum": 0})  # 0 can be typed: the form then says 份数至少为 1 at the field
    vals = {"copies": 1, "stamps_per_copy": 1}
    if values:
        vals.update(values)
        sid = values.get("seal")
        vals["seal"] = next((k for k, v in seals.items() if v == sid), "")

    def save(v: dict) -> SealUse:
        data = dict(v)
        data["seal"] = seals.get(v["seal"])  # an empty 用印部门 is the applicant's (apply_use)
        if values and values.get("replaces"):
            data["replaces"] = values["replaces"]
        return apply_use(data)

    note = _steps_line(0) + "\n" + tr("按纸质《用印申请单》录入。保存后可接着录入审批（Esc 可稍后再录）。")
    if values and values.get("replaces"):
        note += "\n" + tr("更正已作废的记录 ") + values["replaces"]
    return _ask(parent, tr("用印申请 · 第 1 步 申请"), fields, save, vals, note)


def approval_step(parent, use: SealUse) -> SealUse | None:
    level = 1 if not use.approver1 else 2
    label = tr("审批") if use.levels == 1 else tr(f"第{'一二'[level - 1]}级审批（共 {use.levels} 级）")
    fields = SEAL_USE_FIELDS.form("approver", "decision", "approved_at", "opinion", approver=STAFF)
    note = _steps_line(1) + "\n" + _use_summary(use)
    return _ask(parent, tr("用印 · 第 2 步 ") + label, fields, lambda v: approve_use(use, v), None, note)


def stamping_step(parent, use: SealUse, attachments_dir) -> SealUse | None:
    fields = [*SEAL_USE_FIELDS.form("supervisor", "stamped_at", "content_checked", "stamp_note", supervisor=STAFF,
                                    content_checked={"error_keys": ("seal",)}),
              FormField("files", "盖章页扫描件", "files", error_keys=("file",))]

    def save(v: dict) -> SealUse:
        for p in v.get("files") or []:
            store_attachment(p, attachments_dir)  # refuse a bad file before anything is recorded
        done = stamp_use(use, v)
        for p in v.get("files") or []:
            attach_to_use(done, p, attachments_dir)
        return use_by_id(done.id)

    note = _steps_line(2) + "\n" + _use_summary(use) + "\n" + tr("严禁在空白文件上用印。")
    return _ask(parent, tr("用印 · 第 3 步 用印"), fields, save, None, note)


def run_use_process(parent, attachments_dir, use: SealUse | None = None, values: dict | None = None) -> SealUse | None:
    """Record the next steps of a use (starting with a new application when ``use`` is None).

    Returns the record if anything was saved. Esc at any step stops; the record waits at that step.
    """
    saved = None
    if use is None:
        use = application_step(parent, values)
        if use is None:
            return None
        saved = use
    while True:
        step = next_step(use)
        if step == "approve":
            nxt = approval_step(parent, use)
        elif step == "stamp":
            nxt = stamping_step(parent, use, attachments_dir)
        else:
            return saved
        if nxt is None:
            return saved
        use = saved = nxt


# ---------------------------------------------------------------------------------------------- loans


def lend_dialog(parent) -> SealLoan | None:
    items = dict((label, key) for key, label in lendable_items())
    if not items:
        QMessageBox.information(parent, tr("没有可借出的物品"), tr("所有印章和证照都已借出或停用。"))
        return None
    tomorrow = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(17, 30))
    fields = LOAN_DECL.form("item", "borrower", "department", "purpose", "approver", "escort", "lent_at", "due_at",
                            "note", item={"choices": list(items)}, borrower=STAFF, approver=STAFF, escort=STAFF,
                            department={"kind": "editable_combo", "choices": [""] + Department.names()})

    def save(v: dict) -> SealLoan:
        return write(parent, lend, dict(v, item=items.get(v["item"])))

    values = {"due_at": tomorrow}
    return _ask(parent, tr("印章/证照外借"), fields, save, values,
                tr("借出前请确认审批手续齐全。逾期未还的记录以红色显示，可打印催还单。"))


def return_dialog(parent, loan: SealLoan) -> SealLoan | None:
    fields = LOAN_DECL.form("returned_at", "return_condition", "return_note", return_condition={"kind": "combo"})
    note = (f"{loan.no}　{loan.item_kind}：{loan.item_name}\n借用人 {loan.borrower}（{loan.department}），"
            f"{loan.lent_at:%Y-%m-%d %H:%M} 借出，预计 {loan.due_at:%Y-%m-%d %H:%M} 归还")
    return _ask(parent, tr("登记归还"), fields, lambda v: return_loan(loan, v), None, note)


def set_datetime(widget, value: dt.datetime) -> None:
    """Tests and callers set a QDateTimeEdit from a Python datetime."""
    widget.setDateTime(QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute)))

