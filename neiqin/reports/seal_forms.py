"""Printed seal forms: the 用印申请单 (for paper approval, with signature boxes) and the 催还单 for a loan.

Drawn on a reportlab canvas (A4 portrait) with the shared CJK font roles; no Qt.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from neiqin import clock
from neiqin.models.seals.loans import SealLoan
from neiqin.models.seals.uses import DISAGREE, SealUse
from neiqin.reports import atomic_output
from neiqin.reports.fonts import font_for
from neiqin.reports.table_layout import Widths, wrap

PAGE_W, PAGE_H = A4
LEFT = 20 * mm
RIGHT = PAGE_W - 20 * mm
WIDTH = RIGHT - LEFT
LABEL_W = 34 * mm
BODY = 11.0


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than ``width``, breaking CJK anywhere but keeping 避头尾 (the register's wrapper)."""
    widths = Widths(font, size)
    lines: list[str] = []
    for para in (text or "").split("\n"):
        lines.extend(wrap(para, width, widths, 50) or [""])
    return lines or [""]


class _Sheet:
    def __init__(self, canvas: Canvas):
        self.c = canvas
        self.body = font_for("body")
        self.heading = font_for("heading")
        self.title_font = font_for("title")
        self.y = PAGE_H - 22 * mm

    def title(self, org: str, title: str, right: str = "") -> None:
        c = self.c
        if org:
            c.setFont(self.body, 12)
            c.drawCentredString(PAGE_W / 2, self.y, org)
            self.y -= 11 * mm
        c.setFont(self.title_font, 20)
        c.drawCentredString(PAGE_W / 2, self.y, title)
        self.y -= 9 * mm
        if right:
            c.setFont(self.body, 10)
            c.drawRightString(RIGHT, self.y, right)
            self.y -= 4 * mm

    def rows(self, rows: Sequence[tuple[str, str] | tuple[str, str, str, str]], min_h: float = 10 * mm) -> None:
        """Label/value rows; a 4-tuple puts two label/value pairs side by side."""
        c = self.c
        half = WIDTH / 2
        for row in rows:
            if len(row) == 4:
                cells = [(LEFT, LABEL_W, half - LABEL_W, row[0], row[1]),
                         (LEFT + half, LABEL_W, half - LABEL_W, row[2], row[3])]
            else:
                cells = [(LEFT, LABEL_W, WIDTH - LABEL_W, row[0], row[1])]
            wrapped = [_wrap(v, self.body, BODY, w - 4 * mm) for _, _, w, _, v in cells]
            h = max(min_h, max(len(w) for w in wrapped) * BODY * 1.35 + 5 * mm)
            top = self.y
            for (x, lw, w, label, _), lines in zip(cells, wrapped, strict=True):
                c.rect(x, top - h, lw, h)
                c.rect(x + lw, top - h, w, h)
                c.setFont(self.heading, BODY)
                c.drawCentredString(x + lw / 2, top - h / 2 - BODY / 3, label)
                c.setFont(self.body, BODY)
                ty = top - h / 2 + (len(lines) - 1) * BODY * 0.675 - BODY / 3
                for line in lines:
                    c.drawString(x + lw + 2 * mm, ty, line)
                    ty -= BODY * 1.35
            self.y -= h

    def signature_box(self, label: str, filled: str = "", height: float = 30 * mm) -> None:
        """A box for a handwritten opinion, with 签字 and 日期 lines at the bottom."""
        c = self.c
        top = self.y
        c.rect(LEFT, top - height, LABEL_W, height)
        c.rect(LEFT + LABEL_W, top - height, WIDTH - LABEL_W, height)
        c.setFont(self.heading, BODY)
        for i, line in enumerate(_wrap(label, self.heading, BODY, LABEL_W - 4 * mm)):
            c.drawCentredString(LEFT + LABEL_W / 2, top - height / 2 + 2 * mm - i * BODY * 1.3, line)
        c.setFont(self.body, BODY)
        if filled:
            c.drawString(LEFT + LABEL_W + 3 * mm, top - 7 * mm, filled)
        base = top - height + 5 * mm
        c.drawString(RIGHT - 95 * mm, base, "签字：")
        c.line(RIGHT - 83 * mm, base - 1, RIGHT - 50 * mm, base - 1)
        c.drawString(RIGHT - 45 * mm, base, "年　　月　　日")
        self.y -= height

    def text(self, text: str, size: float = 9.5, gap: float = 6 * mm) -> None:
        self.y -= gap
        self.c.setFont(self.body, size)
        for line in _wrap(text, self.body, size, WIDTH):
            self.c.drawString(LEFT, self.y, line)
            self.y -= size * 1.5

    def footer(self, text: str) -> None:
        self.c.setFont(self.body, 8)
        self.c.setFillGray(0.4)
        self.c.drawString(LEFT, 12 * mm, text)
        self.c.setFillGray(0)


def _dt(v: dt.datetime | None) -> str:
    return f"{v.year}年{v.month}月{v.day}日 {v:%H:%M}" if v else ""


def write_use_form_pdf(use: SealUse, path: str | os.PathLike, *, org_name: str = "") -> Path:
    """用印申请单 for one application: filled with what is recorded, blank boxes for handwritten steps."""
    with atomic_output(path) as tmp:
        c = Canvas(str(tmp), pagesize=A4, initialFontName=font_for("body"))  # no reference to Helvetica
        c.setTitle(f"用印申请单 {use.no}")
        s = _Sheet(c)
        s.title(org_name, "用 印 申 请 单", f"编号：{use.no}")
        s.rows([
            ("申请日期", _dt(use.applied_at), "用印部门", use.department),
            ("经办人", use.applicant, "印章", use.seal_name),
            ("文件名称", use.doc_title),
            ("文件类型", use.doc_type or "", "发文字号", use.doc_no or "无"),
            ("份数", f"{use.copies} 份", "每份用印", f"{use.stamps_per_copy} 次（共 {use.copies * use.stamps_per_copy} 次）"),
            ("用印事由", use.purpose),
            ("备注", use.note or ""),
            ("申请人签字", "", "日期", ""),
        ])
        s.signature_box("部门负责人意见", height=24 * mm)
        for level in range(1, (use.levels or 1) + 1):
            name = getattr(use, f"approver{level}")
            filled = ""
            if name:
                decision = getattr(use, f"decision{level}")
                opinion = getattr(use, f"opinion{level}")
                filled = f"{decision}{'：' + opinion if opinion else ''}（{name}，{_dt(getattr(use, f'approved{level}_at'))}）"
            label = "审批意见" if (use.levels or 1) == 1 else f"第{'一二'[level - 1]}级审批意见"
            s.signature_box(label, filled)
        checked = "（√）" if use.content_checked else "（　）"
        s.rows([
            ("用印时间", _dt(use.stamped_at), "监印人", use.supervisor or ""),
            ("用印核对", f"{checked}已核对文件内容，确认非空白文件　　监印人签字："),
        ], min_h=12 * mm)
        s.text("说明：1. 本单经审批后方可用印，严禁在空白文件上用印；2. 用印后由监印人核对份数、次数并签字；"
               "3. 本单与用印登记簿一并归档备查。")
        if any(getattr(use, f"decision{i}") == DISAGREE for i in (1, 2)):
            s.text("本申请未获批准。", size=11)
        if use.voided:
            s.text(f"本记录已作废：{use.void_reason}", size=11)
        s.footer(f"内勤台账打印　{clock.now():%Y-%m-%d %H:%M}")
        c.showPage()
        c.save()
    return Path(path)


def write_reminder_pdf(loan: SealLoan, path: str | os.PathLike, *, org_name: str = "",
                       today: dt.date | None = None) -> Path:
    """催还单: a note to the borrower of an overdue (or soon due) seal or licence."""
    today = today or clock.today()
    overdue_days = (today - loan.due_at.date()).days
    with atomic_output(path) as tmp:
        c = Canvas(str(tmp), pagesize=A4, initialFontName=font_for("body"))
        c.setTitle(f"催还单 {loan.no}")
        s = _Sheet(c)
        s.title(org_name, "催 还 单", f"编号：{loan.no}")
        s.text(f"{loan.department + ' ' if loan.department else ''}{loan.borrower} 同志：", size=12, gap=4 * mm)
        late = f"已逾期 {overdue_days} 天" if overdue_days > 0 else "即将到期"
        s.text(f"　　您于 {_dt(loan.lent_at)} 借用的{loan.item_kind}“{loan.item_name}”，预计归还时间为 "
               f"{_dt(loan.due_at)}，现{late}。请尽快归还至办公室，如需延期请重新办理审批手续。", size=12)
        s.y -= 6 * mm
        s.rows([
            ("借出物品", f"{loan.item_kind}：{loan.item_name}", "借出时间", _dt(loan.lent_at)),
            ("借用人", loan.borrower, "部门", loan.department),
            ("事由", loan.purpose),
            ("审批人", loan.approver, "随行监印人", loan.escort or "无"),
            ("预计归还", _dt(loan.due_at), "逾期天数", str(max(overdue_days, 0))),
        ])
        s.y -= 10 * mm
        c.setFont(s.body, 12)
        c.drawRightString(RIGHT, s.y, f"{org_name or ''} 办公室")
        s.y -= 8 * mm
        c.drawRightString(RIGHT, s.y, f"{today.year}年{today.month}月{today.day}日")
        s.y -= 14 * mm
        c.setDash(3, 3)
        c.line(LEFT, s.y, RIGHT, s.y)
        c.setDash()
        s.y -= 4 * mm
        s.text("回执：已收到催还通知，将于＿＿＿＿年＿＿月＿＿日前归还。　　借用人签字：＿＿＿＿＿＿＿＿", size=11)
        s.footer(f"内勤台账打印　{clock.now():%Y-%m-%d %H:%M}")
        c.showPage()
        c.save()
    return Path(path)
