"""Meeting prints: 会议通知 and 会议纪要 on the GB/T 9704 公文 page, 会议签到表, 会议记录 and the 督办表 as forms.

* 会议通知 — 公文 page: 关于召开……的通知, time, place, participants, 议题, 要求, 落款.
* 会议签到表 — header 会议名称/时间/地点/主办; rows 序号、姓名、单位/部门、职务、电话、签到时间、签名、备注 with blank
  签名 and 签到时间 columns (filled by hand at the door) and spare rows for walk-ins. Phone numbers are left for
  the signer to write: the sheet lies open at the door, so nobody's mobile is printed on it.
* 会议记录 — the full record: header grid (名称、起止时间、地点、主持人、记录人、应到/实到、出席、缺席(原因)、
  请假、迟到、列席), the review of the last meeting's action items, every 议题 with its notes, 决议 and 督办事项,
  then 主持人 / 记录人 signature lines; 第 N 页 共 M 页 on every page.
* 会议纪要 — 公文 page in the 纪要 layout: ××纪要 title, opening paragraph, 议定事项 by 议题, then 出席 / 请假 /
  列席 lines (3号黑体 label with a full-width colon, names in 3号仿宋, continuation lines under the names).
* 督办表 — open action items grouped by owner (overdue owners first), with blank columns for the progress note
  and signature, A4 landscape.

No Qt here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from neiqin import clock
from neiqin.models.meetings.actions import ACTION_FIELDS, ActionItem, actions_by_owner, actions_of, reviews_of
from neiqin.models.meetings.attendance import ABSENT, ATTENDED, LATE, LEAVE, MEMBER, OBSERVER, PRESENT
from neiqin.models.meetings.register import Attendee, Meeting, attendance_counts, cn_date, cn_number
from neiqin.reports.forms import FormDoc, TableColumn, form_document, gongwen_document
from neiqin.reports.table_layout import Widths, wrap

# ---------------------------------------------------------------------------------------------- helpers


def _attendees(m: Meeting) -> list[Attendee]:
    return list(m.attendees.order_by(Attendee.role.desc(), Attendee.seq, Attendee.id))  # 参会 before 列席


def _names(rows: Sequence[Attendee], with_reason: bool = False) -> str:
    out = []
    for a in rows:
        name = a.label
        if with_reason and a.reason:
            name += f"（{a.reason}）" if not name.endswith("）") else f"：{a.reason}"
        out.append(name)
    return "、".join(out)


def attendance_lines(m: Meeting) -> dict[str, str]:
    """出席 / 迟到 / 请假 / 缺席 / 列席 names, as printed."""
    rows = _attendees(m)
    members = [a for a in rows if a.role == MEMBER]
    return {
        "出席": _names([a for a in members if a.attendance in (PRESENT, LATE)]),
        "迟到": _names([a for a in members if a.attendance == LATE], with_reason=True),
        "请假": _names([a for a in rows if a.attendance == LEAVE], with_reason=True),
        "缺席": _names([a for a in rows if a.attendance == ABSENT], with_reason=True),
        "列席": _names([a for a in rows if a.role == OBSERVER and a.attendance in (ATTENDED, PRESENT, LATE)]),
        "未登记": _names([a for a in rows if not a.attendance]),
    }


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _paragraph(doc: FormDoc, text: str, *, size: float = 10.5, indent: float = 0.0, first_indent: float = 0.0,
               font: str | None = None, leading: float | None = None) -> None:
    """Wrapped text that continues on the next page; ``first_indent`` indents the first line (points)."""
    font = font or doc.body
    leading = leading or size * 1.55
    widths = Widths(font, size)
    avail = doc.frame.w - indent
    c = doc.c
    for para in (text or "").split("\n"):
        pad = "\u3000" * int(round(first_indent / size)) if first_indent else ""
        lines = wrap(pad + para, avail, widths, 100_000) or [""]
        for line in lines:
            doc.ensure(leading)
            c.setFont(font, size)
            c.setFillGray(0)
            c.drawString(doc.frame.x + indent, doc.y - size * 1.1, line)
            doc.y -= leading


def _heading(doc: FormDoc, text: str, size: float = 12, gap: float = 4 * mm) -> None:
    doc.ensure(gap + size * 1.6 + 20)  # never a heading alone at the foot of a page
    doc.y -= gap
    _paragraph(doc, text, size=size, font=doc.head)


# ---------------------------------------------------------------------------------------------- 会议通知


def write_notice_pdf(m: Meeting, path: str | os.PathLike, *, org_name: str = "", issued: dt.date | None = None) -> int:
    """会议通知 on the 公文 page; returns the page count."""
    issued = issued or clock.today()
    rows = _attendees(m)
    members = [a for a in rows if a.role == MEMBER]
    observers = [a for a in rows if a.role == OBSERVER]
    with gongwen_document(path, title=f"关于召开{m.title}的通知", author=org_name) as doc:
        doc.title(f"关于召开{m.title}的通知")
        doc.addressee("各有关部门、参会人员")
        doc.paragraph(f"经研究，定于{cn_date(m.day)}召开{m.title}。现将有关事项通知如下：")
        doc.heading("一、会议时间")
        doc.paragraph(m.when_text + "。")
        doc.heading("二、会议地点")
        doc.paragraph(m.place + "。")
        doc.heading("三、参会人员")
        doc.paragraph((_names(members) or "（另行通知）") + "。" + (f"主持人：{m.host}。" if m.host else ""))
        if observers:
            doc.paragraph(f"列席人员：{_names(observers)}。")
        n = 4
        topics = [t.strip() for t in (m.agenda_plan or "").splitlines() if t.strip()]
        if topics:
            doc.heading(f"{cn_number(n)}、会议议题")
            for i, t in enumerate(topics, 1):
                doc.paragraph(f"{i}. {t.lstrip('0123456789.、．)） ')}")
            n += 1
        doc.heading(f"{cn_number(n)}、有关要求")
        who = m.department or "办公室"
        doc.paragraph(m.requirements or f"请参会人员提前 10 分钟到场签到，会议期间手机调至静音。"
                      f"因故不能参加的，请于会前向{who}请假。")
        doc.signature(org_name or who, issued)
    return doc.page


# ---------------------------------------------------------------------------------------------- 签到表


SIGNIN_COLUMNS = [TableColumn("序号", 0.55, "center"), TableColumn("姓名", 1.1, "center"),
                  TableColumn("单位/部门", 1.9), TableColumn("职务", 1.0, "center"), TableColumn("电话", 1.45),
                  TableColumn("签到时间", 1.05, "center", "sign"), TableColumn("签名", 1.5, "center", "sign"),
                  TableColumn("备注", 0.9, "center")]


def write_signin_pdf(m: Meeting, path: str | os.PathLike, *, org_name: str = "", spare_rows: int = 5) -> int:
    rows = _attendees(m)
    table = [[str(i), a.name, a.unit, a.title, "", "", "", "列席" if a.role == OBSERVER else ""]
             for i, a in enumerate(rows, 1)]
    table += [[str(len(rows) + i), "", "", "", "", "", "", ""] for i in range(1, spare_rows + 1)]
    with form_document(path, title=f"会议签到表 {m.title}", org_name=org_name, running_head="会议签到表") as doc:
        doc.title_block("会议签到表", org_name)
        doc.field_grid([("会议名称", m.title), ("会议时间", m.when_text), ("会议地点", m.place),
                        ("主办", m.department or org_name)], cols=2)
        doc.skip(3 * mm)
        doc.table(SIGNIN_COLUMNS, table, size=10.5, max_lines=2)
        doc.skip(2 * mm)
        doc.note(f"应到 {sum(1 for a in rows if a.role == MEMBER)} 人"
                 f"{'，列席 ' + str(sum(1 for a in rows if a.role == OBSERVER)) + ' 人' if any(a.role == OBSERVER for a in rows) else ''}"
                 "。请本人签名，不得代签；外单位人员请填写单位和联系电话。", size=9.5)
        pages = doc.page
    return pages


# ---------------------------------------------------------------------------------------------- 会议记录


def write_record_pdf(m: Meeting, path: str | os.PathLike, *, org_name: str = "") -> int:
    """会议记录: the full record, signature lines, 第 N 页 共 M 页. Returns the page count."""
    data = m.minutes_data()
    acts = {a.id: a for a in actions_of(m)}
    lines = attendance_lines(m)
    counts = attendance_counts(m)
    status = (f"定稿于 {m.final_at:%Y-%m-%d %H:%M}" + (f"，其后修正 {m.amendments} 次" if m.amendments else "")
              if m.final_at else "未定稿")
    with form_document(path, title=f"会议记录 {m.title}", org_name=org_name, running_head=f"会议记录 {m.title}") as doc:
        doc.title_block("会 议 记 录", org_name, subtitle=status, number=f"记录人：{m.recorder}" if m.recorder else "")
        fields = [("会议名称", m.title), ("会议类型", m.kind),
                  ("起止时间", f"{cn_date(m.day)} {m.time_text}"), ("地点", m.place),
                  ("主持人", m.host), ("记录人", m.recorder),
                  ("应到/实到", f"应到 {counts['应到']} 人，实到 {counts['实到']} 人"),
                  ("出席", lines["出席"]), ("缺席(原因)", lines["缺席"] or "无"), ("请假", lines["请假"] or "无")]
        if lines["迟到"]:
            fields.append(("迟到", lines["迟到"]))
        fields.append(("列席", lines["列席"] or "无"))
        if lines["未登记"]:
            fields.append(("未登记", lines["未登记"]))
        doc.field_grid(fields, cols=2, label_w=24 * mm,
                       wide=("会议名称", "出席", "缺席(原因)", "请假", "迟到", "列席", "未登记"))
        reviews = reviews_of(m)
        if reviews:
            _heading(doc, "上次会议督办事项执行情况")
            doc.table([TableColumn("序号", 0.5, "center"), TableColumn("事项", 3.0), TableColumn("责任人", 0.9, "center"),
                       TableColumn("期限", 1.1, "center"), TableColumn("执行情况", 2.4), TableColumn("结论", 0.9, "center")],
                      [[str(i), a.task, a.owner, f"{a.due}", r.result, r.outcome or "未回顾"]
                       for i, (r, a) in enumerate(reviews, 1)], size=9.5, max_lines=6)
        items = data.get("items", [])
        if not items:
            _heading(doc, "会议内容")
            _paragraph(doc, "（尚未记录）")
        for n, it in enumerate(items, 1):
            _heading(doc, f"议题{cn_number(n)}：{it.get('title', '')}")
            if it.get("notes"):
                _paragraph(doc, it["notes"], first_indent=0)
            decisions = it.get("decisions", [])
            if decisions:
                _paragraph(doc, "决议：", font=doc.head)
                for k, d in enumerate(decisions, 1):
                    _paragraph(doc, f"{k}. {d}", indent=6 * mm)
            rows = [acts[a] for a in it.get("actions", []) if a in acts and not acts[a].voided]
            if rows:
                doc.skip(2 * mm)
                doc.table([TableColumn("序号", 0.5, "center"), TableColumn(ACTION_FIELDS["task"].label, 4.2),
                           TableColumn(ACTION_FIELDS["owner"].label, 1.0, "center"),
                           TableColumn(ACTION_FIELDS["due"].label, 1.3, "center")],
                          [[str(k), a.task, a.owner, str(a.due)] for k, a in enumerate(rows, 1)], size=9.5,
                          max_lines=6)
        if data.get("summary"):
            _heading(doc, "会议小结")
            _paragraph(doc, data["summary"])
        doc.signatures(("主持人", "记录人", "日期"), gap=14 * mm)
        pages = doc.page
    return pages


# ---------------------------------------------------------------------------------------------- 会议纪要


def minutes_title(m: Meeting) -> str:
    return m.title if m.title.endswith("纪要") else f"{m.title}纪要"


def write_minutes_pdf(m: Meeting, path: str | os.PathLike, *, org_name: str = "") -> int:
    """会议纪要 in the GB/T 9704 纪要 layout; returns the page count."""
    data = m.minutes_data()
    acts = {a.id: a for a in actions_of(m)}
    lines = attendance_lines(m)
    items = data.get("items", [])
    with gongwen_document(path, title=minutes_title(m), author=org_name) as doc:
        doc.title(minutes_title(m), red=True)  # the 纪要标志, red (GB/T 9704-2012 10.2)
        topics = "、".join(it.get("title", "") for it in items[:4]) + ("等事项" if len(items) > 4 else "")
        doc.paragraph(f"{cn_date(m.day)}，{m.host}在{m.place}主持召开{m.title}"
                      + (f"，研究{topics}" if topics else "") + "。现将会议议定事项纪要如下：")
        n = 0
        reviews = reviews_of(m)
        if reviews:
            n += 1
            doc.heading(f"{cn_number(n)}、上次会议议定事项落实情况")
            for r, a in reviews:
                state = r.outcome or "未回顾"
                doc.paragraph(f"{a.task}（{a.owner}）：{r.result or state}" + ("" if r.result.endswith("。") else "。"))
        for it in items:
            n += 1
            doc.heading(f"{cn_number(n)}、{it.get('title', '')}")
            decisions = it.get("decisions", [])
            rows = [acts[a] for a in it.get("actions", []) if a in acts and not acts[a].voided]
            for d in decisions:
                doc.paragraph("会议决定：" + d + ("" if d.endswith(("。", "！", "；")) else "。"))
            for a in rows:
                doc.paragraph(f"{a.task.rstrip('。')}，由{a.owner}负责，{_md(a.due)}前完成。")
            if not decisions and not rows and it.get("notes"):
                for para in it["notes"].split("\n"):
                    if para.strip():
                        doc.paragraph(para.strip())
        if data.get("summary"):
            doc.paragraph(data["summary"])
        doc.blank()
        doc.labelled("出席", lines["出席"] or "无")
        if lines["请假"]:
            doc.labelled("请假", lines["请假"])
        if lines["缺席"]:
            doc.labelled("缺席", lines["缺席"])
        if lines["列席"]:
            doc.labelled("列席", lines["列席"])
    return doc.page


# ---------------------------------------------------------------------------------------------- 督办表


def write_supervision_pdf(path: str | os.PathLike, *, org_name: str = "", today: dt.date | None = None,
                          only_overdue: bool = False) -> int:
    """督办表: open action items by owner, overdue owners first; returns the page count."""
    today = today or clock.today()
    groups = actions_by_owner(today, only_overdue=only_overdue)
    total = sum(len(items) for _, items in groups)
    overdue = sum(1 for _, items in groups for a in items if a.due < today)
    rows: list[list[str]] = []
    seq = 0
    for owner, items in groups:
        for i, a in enumerate(items):
            seq += 1
            rows.append([str(seq), owner if i == 0 else "", a.task, _source(a), str(a.due), _state(a, today), "", ""])
    label = {f.key: f.label for f in ACTION_FIELDS}  # the 督办 register's own titles
    columns = [TableColumn("序号", 0.45, "center"), TableColumn(label["owner"], 1.7), TableColumn(label["task"], 3.4),
               TableColumn(label["meeting_title"], 1.7), TableColumn(label["due"], 1.0, "center"),
               TableColumn(label["status"], 0.9, "center"), TableColumn(label["done_note"], 2.2, kind="sign"),
               TableColumn("签字", 0.8, "center", "sign")]
    title = "逾期督办事项一览表" if only_overdue else "督办事项一览表"
    with form_document(path, title=title, org_name=org_name, pagesize=landscape(A4), running_head=title) as doc:
        doc.title_block(title, org_name, subtitle=f"截至{cn_date(today)}：未办结 {total} 项，其中逾期 {overdue} 项",
                        number=f"打印：{clock.now():%Y-%m-%d %H:%M}")
        if rows:
            doc.table(columns, rows, size=9.5, max_lines=4)
        else:
            doc.note("没有未办结的督办事项。", size=11)
        doc.signatures(("督办人", "审核", "日期"))
        pages = doc.page
    return pages


def _source(a: ActionItem) -> str:
    return f"{a.meeting_title}（{a.meeting_day:%m-%d}）" if a.meeting_day else (a.meeting_title or "领导交办")


def _state(a: ActionItem, today: dt.date) -> str:
    if a.due < today:
        return f"逾期{(today - a.due).days}天"
    if a.due == today:
        return "今天到期"
    return "未到期"


def write_pdf(kind: str, m: Meeting, path: str | os.PathLike, *, org_name: str = "") -> Path:
    """One meeting print by kind: notice, signin, record, minutes."""
    fn = {"notice": write_notice_pdf, "signin": write_signin_pdf, "record": write_record_pdf,
          "minutes": write_minutes_pdf}[kind]
    fn(m, path, org_name=org_name)
    return Path(path)


PRINT_KINDS = {"notice": "会议通知", "signin": "会议签到表", "record": "会议记录", "minutes": "会议纪要"}
