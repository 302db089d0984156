"""收发文 forms: the 收文处理单 (文件处理笺) that travels with a document, and the 送文簿 for outgoing mail.

The 收文登记簿 and 发文登记簿 are ordinary registers (write_register_pdf over the ledgers' columns). Both forms
here are built from the shared FormDoc blocks; no Qt.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from neiqin import clock
from neiqin.models.links import link_label
from neiqin.models.mail.docs_common import IN_RETURNED
from neiqin.models.mail.incoming import Circulation, IncomingDoc
from neiqin.models.mail.incoming_steps import circulation_of
from neiqin.models.mail.outgoing import Delivery, OutgoingDoc, delivery_rows
from neiqin.reports.forms import FormDoc, TableColumn, _draw_wrapped, form_document
from neiqin.reports.labels import Box, width
from neiqin.reports.table_layout import Widths, wrap

LABEL_W = 24 * mm
SIZE = 11.0


def _day(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _moment(t: dt.datetime | None) -> str:
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}" if t else ""


def _stamp(t: dt.datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if t else ""


def _short(t: dt.datetime | None) -> str:
    return f"{t:%m-%d %H:%M}" if t else ""


def opinion_box(doc: FormDoc, label: str, text: str = "", *, signer: str = "", when: str = "",
                height: float = 28 * mm) -> None:
    """A ruled box for a written opinion: label on the left, the recorded text (if any) at the top, and a
    ``签字 / 日期`` line at the bottom — filled with who and when if recorded, blank to sign by hand."""
    f, c = doc.frame, doc.c
    body_w = f.w - LABEL_W - 6
    lines: list[str] = []
    for para in (text or "").split("\n"):
        lines.extend(wrap(para, body_w, Widths(doc.body, SIZE), 12) if para else [])
    need = max(height, len(lines) * SIZE * 1.35 + 14 * mm)
    doc.ensure(need)
    top = doc.y
    c.setLineWidth(0.6)
    c.setFillGray(0.93)
    c.rect(f.x, top - need, LABEL_W, need, stroke=0, fill=1)
    c.setFillGray(0)
    c.rect(f.x, top - need, f.w, need, stroke=1, fill=0)
    c.line(f.x + LABEL_W, top - need, f.x + LABEL_W, top)
    label_lines = wrap(label, LABEL_W - 6, Widths(doc.head, SIZE), 4)
    _draw_wrapped(c, label_lines, doc.head, SIZE, Box(f.x + 3, top - need, LABEL_W - 6, need), align="center")
    if lines:
        _draw_wrapped(c, lines, doc.body, SIZE, Box(f.x + LABEL_W + 4, top - need, body_w, need), valign="top",
                      pad=4, leading=SIZE * 1.35)
    base = top - need + 3 * mm
    x = f.right
    sign = f"签字：{signer}" if signer else "签字："
    date = f"日期：{when}" if when else "日期：　　年　　月　　日"
    c.setFont(doc.body, 10)
    c.drawRightString(x - 4, base, date)
    date_w = width(date, doc.body, 10)
    c.drawString(x - 4 - date_w - 62 * mm, base, sign)
    if not signer:
        c.line(x - date_w - 62 * mm + 22, base - 1.5, x - date_w - 14 * mm, base - 1.5)
    doc.y -= need


def write_processing_sheet_pdf(doc: IncomingDoc, path: str | os.PathLike, *, org_name: str = "",
                               blank_readers: int = 4) -> Path:
    """收文处理单 (文件处理笺) for one 收文: what is recorded is filled in; the rest is left to write by hand."""
    doc = IncomingDoc.get_by_id(doc.id)
    readers: Sequence[Circulation] = circulation_of(doc)
    with form_document(path, title=f"文件处理笺 {doc.no}", org_name=org_name, running_head=f"文件处理笺 {doc.no}") as f:
        f.title_block("文 件 处 理 笺", org_name, number=f"收文号：{doc.no}",
                      subtitle=f"收文日期：{_day(doc.received_on)}")
        pages = f"{doc.pages} 页" if doc.pages else ""
        f.field_grid([
            ("来文机关", doc.sender_org), ("文　　号", doc.sender_no or "无"),
            ("文件标题", doc.title),
            ("文　　种", doc.kind), ("密　　级", doc.secrecy_mark or doc.secrecy),
            ("紧急程度", doc.urgency), ("份数/页数", "　".join(p for p in (f"{doc.copies} 份", pages) if p)),
            ("附　　件", doc.attachments or "无"), ("签 收 人", f"{doc.signed_by}　{_short(doc.received_at)}".strip()),
        ], label_w=LABEL_W, wide=("文件标题",), size=SIZE)
        if doc.status == IN_RETURNED:
            opinion_box(f, "初审", f"退回来文单位：{doc.returned_reason}", signer=doc.reviewed_by,
                        when=_moment(doc.reviewed_at), height=18 * mm)
        opinion_box(f, "拟办意见", doc.opinion, signer=doc.opinion_by, when=_moment(doc.opinion_at))
        opinion_box(f, "领导批示", doc.instruction, signer=doc.instructed_by, when=_moment(doc.instructed_at),
                    height=36 * mm)
        due = _day(doc.due_date) + (f"（{doc.deadline_days} 个{doc.deadline_rule}）" if doc.deadline_days else "")
        f.field_grid([("承办单位", doc.handler_dept), ("承 办 人", doc.handler), ("办理期限", due),
                      ("交办时间", _moment(doc.assigned_at))], label_w=LABEL_W, size=SIZE)
        f.skip(3 * mm)
        rows = [(r.reader, r.department, _stamp(r.given_at), _stamp(r.returned_at), r.note) for r in readers]
        rows += [("", "", "", "", "")] * max(0, blank_readers - len(rows))
        f.table([TableColumn("传阅人", 1.2), TableColumn("部门", 1.4), TableColumn("送阅时间", 2),
                 TableColumn("退回时间", 2), TableColumn("阅文意见/签字", 2.4, kind="sign")], rows, size=10)
        f.skip(3 * mm)
        result = doc.result + (f"\n复文号：{doc.reply_no}" if doc.reply_no else "")
        if doc.reminders:
            result += f"\n（已催办 {doc.reminders} 次）" if doc.result else f"已催办 {doc.reminders} 次"
        opinion_box(f, "办理结果", result.strip(), signer=doc.handler if doc.done_on else "",
                    when=_day(doc.done_on), height=24 * mm)
        archive = "　".join(p for p in (f"档号 {doc.archive_no}" if doc.archive_no else "",
                                       f"卷号 {doc.volume_no}" if doc.volume_no else "",
                                       _day(doc.archived_on)) if p)
        link = link_label("parcels", doc.parcel_id)
        note = doc.note if not link or link in doc.note else f"{link}　{doc.note}".strip()
        f.field_grid([("归档情况", archive), ("备　　注", note)], label_w=LABEL_W, wide=("归档情况", "备　　注"),
                     size=SIZE)
        if doc.voided:
            f.note(f"本记录已作废：{doc.void_reason}", size=11)
        f.note(f"内勤台账打印　{clock.now():%Y-%m-%d %H:%M}　本笺随文件流转，办结后与文件一并归档。", size=8)
    return Path(path)


def write_delivery_book_pdf(path: str | os.PathLike, *, org_name: str = "", date_from: dt.date | None = None,
                            date_to: dt.date | None = None, doc: OutgoingDoc | None = None,
                            rows: Sequence[tuple[Delivery, OutgoingDoc]] | None = None) -> Path:
    """送文簿: 封皮号、发文字号、文件标题、发往机关、文别、份数、发出时间、签收人、签收时间 — blank signature
    cells are for the recipient to sign on the spot."""
    if rows is None:
        rows = delivery_rows(date_from, date_to, doc.id if doc is not None else None)
    if doc is not None:
        subtitle = f"{doc.doc_no}《{doc.title}》"
    elif date_from or date_to:
        subtitle = f"发出日期：{_day(date_from)} 至 {_day(date_to)}"
    else:
        subtitle = "全部"
    with form_document(path, title="送文簿", org_name=org_name, pagesize=landscape(A4),
                       running_head="送文簿") as f:
        f.title_block("送 文 簿", org_name, subtitle=subtitle, number=f"共 {len(rows)} 封")
        columns = [TableColumn("封皮号", 1.15, "center"), TableColumn("发文字号", 2.3), TableColumn("文件标题", 3.2),
                   TableColumn("发往机关", 3.0), TableColumn("文别", 0.8, "center"), TableColumn("份数", 0.55, "center"),
                   TableColumn("送达方式", 1.05, "center"), TableColumn("发出时间", 1.45, "center"),
                   TableColumn("签收人", 1.1, "center", "sign"), TableColumn("签收时间", 1.45, "center", "sign")]
        body = []
        for d, o in rows:
            category = d.category if d.category != "普通" else ""
            if o.secrecy_mark:
                category = "、".join(p for p in (category, o.secrecy_mark) if p)
            body.append((d.envelope_label, o.doc_no, o.title, d.organisation, category, str(d.copies), d.via,
                         _short(d.sent_at), d.signed_by, _short(d.signed_at)))
        if not body:
            body = [("",) * len(columns)] * 6
        f.table(columns, body, size=10)
        f.signatures(("送文人", "日期"))
        f.note("说明：签收人请签全名并写明签收时间；密件、急件须当面签收。", size=9)
    return Path(path)
