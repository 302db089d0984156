"""发文 view of the 收发文/快递 tab: 登记 gives the 发文字号 (shown before saving, taken at save), then 印制,
分发 (one 送文簿 row per recipient organisation, each with its 封皮号), 签收 and 归档."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QMessageBox

from neiqin import clock
from neiqin.models import settings
from neiqin.models.mail import docs_common, incoming
from neiqin.models.mail import outgoing as outgoing_mod
from neiqin.models.mail.outgoing import OUTGOING, OUTGOING_FIELDS, OutgoingDoc
from neiqin.models.staff import Department
from neiqin.ui.forms import FormField
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.mail.incoming_pane import DocForm, TrailDialog, ask
from neiqin.ui.util import tr

UNSENT_COLOR = QColor("#e8f0fe")
SENDING_COLOR = QColor("#fef7e0")


def _organisations() -> list[str]:
    from neiqin.models.mail.addresses import organisation_names

    seen = dict.fromkeys(organisation_names())
    for name in incoming.sender_suggestions(200):
        seen.setdefault(name, None)
    return list(seen)


def registration_fields(record: OutgoingDoc | None = None) -> list[FormField]:
    head = () if record is not None else ("code", "doc_no")  # the number is given once, at 登记
    return OUTGOING_FIELDS.form(
        *head, "issued_on", "title", "kind", "secrecy", "secrecy_years", "urgency", "main_to", "copy_to", "drafter",
        "drafter_dept", "reviewer", "signer", "signed_on", "copies", "print_copies", "attachments", "note",
        code={"kind": "combo", "choices": docs_common.outgoing_codes()}, doc_no={"label": "手工发文字号"},
        main_to={"required": True}, signer={"kind": "staff", "required": True},
        drafter={"kind": "staff"}, reviewer={"kind": "staff", "label": "核稿"},
        drafter_dept={"kind": "editable_combo", "choices": [""] + Department.names()},
        copies={"label": "每家份数"})


class OutgoingForm(DocForm):
    """The 登记 form shows the number the document will get, following the chosen 机关代字 and date."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.number_hint = QLabel()
        self.number_hint.setStyleSheet("color:#1a73e8; font-weight:bold")
        if "code" in self.widgets:
            self.layout().insertWidget(1, self.number_hint)
            self.widgets["code"].currentTextChanged.connect(self.update_number)
            self.widgets["issued_on"].dateChanged.connect(self.update_number)
            self.widgets["doc_no"].textChanged.connect(self.update_number)
            self.update_number()

    def update_number(self, *_: Any) -> None:
        typed = self.value("doc_no").strip()
        if typed:
            self.number_hint.setText(tr("手工发文字号：") + docs_common.normalize_doc_no(typed))
            return
        code = self.value("code")
        self.number_hint.setText(tr("保存后发文字号为：") + outgoing_mod.peek_outgoing_no(code, self.value("issued_on")) +
                                 tr("（两人同时保存时按先后顺延）"))


class OutgoingPane(LedgerPane):
    SPEC = OUTGOING
    SHOWS_ALSO = frozenset({"dispatches"})  # ledgers whose records its rows show too

    def __init__(self, *args, **kwargs):
        super().__init__(OUTGOING, *args, **kwargs)
        self.add_action_button(tr("登记发文"), self.new_record, None, tr("登记发文并取得发文字号（Ctrl+N）"))
        self.print_btn = self.add_action_button(tr("印制"), self.printed, "Ctrl+Shift+Y", tr("登记印制份数"))
        self.send_btn = self.add_action_button(tr("分发…"), self.distribute, "Ctrl+R",
                                               tr("按发往机关登记送文簿（每家一个封皮号）"))
        self.sign_btn = self.add_action_button(tr("签收…"), self.sign, "Ctrl+L", tr("登记对方签收人和签收时间"))
        self.archive_btn = self.add_action_button(tr("归档…"), self.archive, None)
        self.add_action_button(tr("办理过程"), self.show_trail, "F4")
        self.add_action_button(tr("打印送文簿"), self.print_book, "Ctrl+Shift+P",
                               tr("所选发文的送文簿；未选时按当前日期范围"))
        self.finish_action_bar()
        self.selection_changed()

    def row_background(self, row: dict) -> QColor | None:
        if row["status"] in (docs_common.OUT_REGISTERED, docs_common.OUT_PRINTED):
            return UNSENT_COLOR
        return SENDING_COLOR if row["status"] == docs_common.OUT_SENDING else None

    def selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        live = bool(row) and not row["voided"] and row["status"] != docs_common.OUT_ARCHIVED
        for b in (self.print_btn, self.send_btn, self.archive_btn):
            b.setEnabled(live)
        self.sign_btn.setEnabled(live and row["delivered_signed"] < row["delivered"])

    # ---- registration

    def new_values(self) -> dict:
        codes = docs_common.outgoing_codes()
        return {"code": codes[0], "kind": "通知", "copies": 1, "issued_on": clock.today(),
                "signed_on": clock.today()}

    def new_record(self, *, values: dict | None = None) -> Any:  # keyword-only: a button's slot
        form = OutgoingForm(tr("登记发文"), registration_fields(), lambda v: outgoing_mod.register_outgoing(self.form_data(v)),
                            {**self.new_values(), **(values or {})}, self,
                            note=tr("复核后登记：发文字号在保存时分配，不留空号、不重号；作废的号码不再使用。"),
                            completions={"main_to": _organisations(), "copy_to": _organisations()})
        form.resize(620, form.sizeHint().height())
        if not form.exec() or form.result_record is None:
            return None
        rec = form.result_record
        self.after_change(rec.id)
        QMessageBox.information(self, tr("已登记"), tr("发文字号：") + rec.doc_no + "\n" + tr("顺序号：") +
                                str(rec.seq) + "\n\n" + tr("请将发文字号填写在文件上，印制后登记“印制”和“分发”。"))
        return rec

    def form_data(self, values: dict, record: Any = None) -> dict:
        data = dict(values)
        if not data.get("secrecy_years"):
            data["secrecy_years"] = None
        return data

    def form_fields(self, record: Any = None) -> list[FormField]:
        return registration_fields(record)

    def record_values(self, record: OutgoingDoc) -> dict:
        values = {f.key: getattr(record, f.key) for f in registration_fields(record)}
        for key in ("drafter", "reviewer", "signer"):
            values[key] = {"id": None, "name": getattr(record, key)}
        values["secrecy_years"] = record.secrecy_years or 0
        return values

    def open_form(self, title: str, values: dict | None, save, record: Any = None, note: str = "") -> Any:
        rec = ask(self, title, self.form_fields(record), save, values, note,
                  completions={"main_to": _organisations(), "copy_to": _organisations()})
        if rec is not None:
            self.after_change(rec.id)
        return rec

    def edit_record(self) -> Any:
        doc = self.current_record()
        if doc is not None and not doc.voided and doc.status in (docs_common.OUT_PRINTED, docs_common.OUT_SENDING) \
                and doc.delivered_signed < doc.delivered:
            return self.sign()
        return super().edit_record()

    def context_actions(self) -> list[tuple[str, Any]]:
        return [(tr("印制…"), self.printed), (tr("分发…"), self.distribute), (tr("签收…"), self.sign),
                (tr("归档…"), self.archive), ("-", None), (tr("办理过程"), self.show_trail),
                (tr("打印送文簿"), self.print_book), ("-", None), *super().context_actions()]

    # ---- steps

    def _summary(self, doc: OutgoingDoc) -> str:
        sent = f"；已分发 {doc.delivered} 家，签收 {doc.delivered_signed} 家" if doc.delivered else ""
        return f"{doc.doc_no}《{doc.title}》\n主送：{doc.main_to}" + (f"；抄送：{doc.copy_to}" if doc.copy_to else "") + sent

    def printed(self) -> Any:
        def step(doc: OutgoingDoc) -> Any:
            fields = [*OUTGOING_FIELDS.form("print_copies", print_copies={"minimum": 1}),
                      *outgoing_mod.DELIVERY_FIELDS.form(*outgoing_mod.PRINT_FORM)]
            return ask(self, tr("印制 · ") + doc.doc_no, fields, lambda v: outgoing_mod.print_outgoing(doc, v),
                       {"print_copies": doc.print_copies or 1}, self._summary(doc))

        return self.run_step(step)

    def distribute(self) -> Any:
        def step(doc: OutgoingDoc) -> Any:
            already = {d.organisation for d in outgoing_mod.deliveries_of(doc)}
            todo = [o for o in (doc.main_to + "、" + doc.copy_to).split("、") if o and o not in already]
            fields = outgoing_mod.DELIVERY_FIELDS.form(*outgoing_mod.DISTRIBUTE_FORM, sent_at={"required": False})
            values = {"organisations": "、".join(todo), "copies": doc.copies or 1,
                      "category": "急件" if doc.urgency in docs_common.URGENT else "密件" if doc.secrecy in
                      docs_common.SECRECY_MAX_YEARS else "普通"}
            rows = ask(self, tr("分发 · ") + doc.doc_no, fields, lambda v: outgoing_mod.add_deliveries(doc, v), values,
                       self._summary(doc) + "\n" + tr("每个单位一行送文簿，自动编封皮号；邮寄或快递的可在快递寄件中关联。"),
                       completions={"organisations": _organisations()})
            return rows[0] if rows else None

        return self.run_step(step)

    def sign(self) -> Any:
        def step(doc: OutgoingDoc) -> Any:
            waiting = [d for d in outgoing_mod.deliveries_of(doc) if d.signed_at is None]
            if not waiting:
                QMessageBox.information(self, tr("无需签收"), doc.doc_no + tr(" 没有待签收的送文。"))
                return None
            labels = {f"{d.envelope_label}　{d.organisation}": d for d in waiting}
            fields = [FormField("delivery", "发往机关", "combo", choices=list(labels)),
                      *outgoing_mod.DELIVERY_FIELDS.form(*outgoing_mod.SIGN_FORM)]
            return ask(self, tr("签收 · ") + doc.doc_no, fields,
                       lambda v: outgoing_mod.sign_delivery(labels[v["delivery"]], v), None, self._summary(doc))

        return self.run_step(step)

    def archive(self) -> Any:
        def step(doc: OutgoingDoc) -> Any:
            fields = OUTGOING_FIELDS.form("archive_no", "volume_no", "archived_on", volume_no={"label": "归入卷号"},
                                          archive_no={"placeholder": ""})
            return ask(self, tr("归档 · ") + doc.doc_no, fields, lambda v: outgoing_mod.archive_outgoing(doc, v), None,
                       self._summary(doc))

        return self.run_step(step)

    def show_trail(self) -> None:
        doc = self.require_record()
        if doc is not None:
            TrailDialog(doc, self).exec()

    def print_book(self) -> Path | None:
        from neiqin.reports.document_forms import write_delivery_book_pdf
        from neiqin.ui.printing.preview import preview_pdf, stamp_path

        doc = self.current_record()
        q = self.model.query
        start, end = (q.date_from, q.date_to) if doc is None else (None, None)
        if doc is None and not (start or end):
            start = end = clock.today()
        path = stamp_path(self, f"送文簿-{doc.doc_no}" if doc is not None else "送文簿")
        org = settings.org_name()
        shown = preview_pdf(self, tr("送文簿"), path, lambda out, progress, cancelled: write_delivery_book_pdf(
            out, org_name=org, date_from=start, date_to=end, doc=doc))
        return path if shown is not None else None

