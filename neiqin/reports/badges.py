"""Visitor printouts: the 访客证 badge (a label template), the 来访单 slip and the 在场访客清单 for evacuation.

The badge carries the visitor's name large, 单位, 被访人, the date with 当日有效, the badge number and a QR code
of the visit (``NQV:<visit id>:<badge>:<date>``) so a guard can scan it back to the register. The slip and the
on-site list are built from the form blocks in :mod:`neiqin.reports.forms`. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models.validators import mask_id, mask_phone
from neiqin.models.visitors import LEFT, ON_SITE, Visit
from neiqin.reports.fonts import font_for
from neiqin.reports.forms import TableColumn, form_document, format_moment
from neiqin.reports.labels import Box, LabelStock, Offset, draw_block, draw_text, width, write_labels
from neiqin.reports.templates import MIN_TEXT, draw_qr, pad, upright

BADGE_STOCK = "a4-2x5-badge"


def badge_payload(visit_id: int, badge_no: str, day: dt.date) -> str:
    return f"NQV:{visit_id}:{badge_no}:{day.isoformat()}"


@dataclass(frozen=True)
class VisitorBadge:
    name: str
    company: str
    host: str  # 被访部门 and person, e.g. "办公室 张三"
    day: dt.date
    badge_no: str
    payload: str
    org_name: str = ""

    @classmethod
    def from_visit(cls, visit, org_name: str = "") -> VisitorBadge:
        host = " ".join(p for p in (visit.host_dept, visit.host_name) if p)
        return cls(visit.name, visit.company, host, visit.visit_date, visit.badge_no or "",
                   badge_payload(visit.id, visit.badge_no or "", visit.visit_date), org_name)

    def draw(self, c: Canvas, box: Box) -> None:
        upright(c, box, lambda b: self._draw(c, b))

    def _draw(self, c: Canvas, box: Box) -> None:
        inner = pad(box)
        head_font, body_font, title_font = font_for("heading"), font_for("body"), font_for("title")
        band, rest = inner.take_top(max(inner.h * 0.2, 5 * mm))
        c.setFillGray(0.15)
        c.rect(band.x, band.y, band.w, band.h, stroke=0, fill=1)
        c.setFillGray(1)
        band_in = band.inset(band.h * 0.18)
        title_w = min(band_in.w * 0.45, width("访客证", title_font, band_in.h) * 1.05)
        title_box, org_box = band_in.take_right(title_w)
        draw_text(c, "访客证", title_font, title_box, size=band_in.h, min_size=MIN_TEXT, align="right")
        if self.org_name:
            draw_text(c, self.org_name, head_font, org_box.take_left(org_box.w - band_in.h * 0.4)[0],
                      size=band_in.h * 0.62, min_size=MIN_TEXT)
        c.setFillGray(0)
        body = rest.take_bottom(rest.h - inner.h * 0.04)[0]
        gap = inner.w * 0.03
        qr_side = min(body.h * 0.8, body.w * 0.36)
        right, left = body.take_right(qr_side)
        left = left.take_left(left.w - gap)[0]
        qr_box, no_box = right.take_top(qr_side)
        draw_qr(c, self.payload, qr_box)
        draw_text(c, self.badge_no, head_font, no_box, size=min(no_box.h * 0.8, 16), min_size=MIN_TEXT,
                  align="center")
        name_box, info = left.take_top(left.h * 0.36)
        draw_text(c, self.name, head_font, name_box, size=name_box.h * 0.9, min_size=MIN_TEXT)
        rows = info.rows([1.25, 1, 1])
        draw_block(c, f"单位：{self.company or '—'}", body_font, rows[0], size=rows[0].h * 0.42,
                   min_size=MIN_TEXT, max_lines=2)
        draw_text(c, f"被访：{self.host or '—'}", body_font, rows[1], size=rows[1].h * 0.62, min_size=MIN_TEXT)
        day = f"{self.day.year}年{self.day.month}月{self.day.day}日"
        draw_text(c, f"{day}　当日有效", head_font, rows[2], size=rows[2].h * 0.62, min_size=MIN_TEXT)


# ---------------------------------------------------------------------------------------------- badges


def badge_visits(day: dt.date) -> list[Visit]:
    """Visitors who arrived on ``day`` (on site or already left), not voided, in order of arrival."""
    start = dt.datetime.combine(day, dt.time.min)
    end = start + dt.timedelta(days=1)
    return list(Visit.select().where((Visit.voided == False) & Visit.status.in_([ON_SITE, LEFT])  # noqa: E712
                                     & (Visit.arrive_at >= start) & (Visit.arrive_at < end))
                .order_by(Visit.arrive_at, Visit.id))


def write_badges(path: str | os.PathLike, stock: LabelStock, visits: Sequence[Visit], *, org_name: str = "",
                 start: int = 1, copies: int = 1, offset: Offset | None = None, progress=None,
                 cancelled=None) -> int:
    """One 访客证 per visit on ``stock``; returns the number of pages."""
    if not visits:
        raise NeiqinError("没有可打印来访证的访客")
    voided = [v.name for v in visits if v.voided]
    if voided:
        raise NeiqinError(f"{'、'.join(voided)} 的来访记录已作废，不能打印来访证")
    badges = [VisitorBadge.from_visit(v, org_name) for v in visits]
    return write_labels(path, stock, badges, start=start, copies=copies, offset=offset, title="访客证",
                        progress=progress, cancelled=cancelled)


# ---------------------------------------------------------------------------------------------- 来访单


def _hm(moment: dt.datetime | None) -> str:
    return f"{moment:%H:%M}" if moment else ""


def write_visit_slip(path: str | os.PathLike, visit: Visit, *, org_name: str = "",
                     printed_at: dt.datetime | None = None) -> int:
    """来访单 for one visit: the register's fields in a ruled grid, then the signature lines."""
    moment = printed_at or clock.now()
    number = f"来访证号：{visit.badge_no}" if visit.badge_no else ""
    day = visit.visit_date
    with form_document(path, title="来访单", org_name=org_name) as doc:
        doc.title_block("来访单", org_name, number=number,
                        subtitle=f"来访日期：{day.year}年{day.month}月{day.day}日")
        doc.field_grid([
            ("姓名", visit.name), ("单位", visit.company),
            ("证件类型", visit.id_type), ("证件号码", mask_id(visit.id_number)),
            ("手机", mask_phone(visit.phone)), ("人数", str(visit.party_size)),
            ("被访部门", visit.host_dept), ("被访人", visit.host_name),
            ("到达时间", _hm(visit.arrive_at)), ("离开时间", _hm(visit.leave_at)),
            ("车牌号", visit.plate), ("来访证号", visit.badge_no),
            ("携带物品", visit.belongings), ("事由", visit.purpose), ("备注", visit.note),
        ], wide=("事由", "备注", "携带物品"))
        doc.signatures(("来访人", "被访人", "经办人", "日期"))
        doc.skip(6 * mm)
        doc.note(f"打印时间：{format_moment(moment)}。证件号码和手机号已按个人信息保护要求部分隐藏。"
                 "来访证当日有效，离开时请交还前台。")
        return doc.page


# ---------------------------------------------------------------------------------------------- 在场访客清单

ON_SITE_COLUMNS = [
    TableColumn("序号", 0.55, "center"), TableColumn("姓名", 1.1), TableColumn("单位", 2.9),
    TableColumn("人数", 0.55, "center"), TableColumn("被访部门", 1.3), TableColumn("被访人", 1.0),
    TableColumn("到达", 0.8, "center"), TableColumn("来访证号", 0.95, "center"),
    TableColumn("已确认安全", 0.95, kind="check"), TableColumn("备注", 1.3),
]


def on_site_visits() -> list[Visit]:
    return list(Visit.select().where((Visit.status == ON_SITE) & (Visit.voided == False))  # noqa: E712
                .order_by(Visit.host_dept, Visit.arrive_at, Visit.id))


def write_on_site_list(path: str | os.PathLike, visits: Sequence[Visit] | None = None, *, org_name: str = "",
                       printed_at: dt.datetime | None = None, progress=None, cancelled=None) -> int:
    """在场访客清单 for an evacuation roll call: who is in the building now, with a box to tick each one safe.

    Grouped by 被访部门 so each department's host can account for their own visitors. Returns the page count.
    """
    visits = on_site_visits() if visits is None else list(visits)
    moment = printed_at or clock.now()
    people = sum(v.party_size for v in visits)
    rows = ([str(i), v.name, v.company, str(v.party_size), v.host_dept, v.host_name, _hm(v.arrive_at),
             v.badge_no, "", ""] for i, v in enumerate(visits, 1))
    with form_document(path, title="在场访客清单", org_name=org_name, running_head="在场访客清单") as doc:
        doc.title_block("在场访客清单", org_name, number=f"打印时间：{format_moment(moment)}",
                        subtitle=f"在场 {len(visits)} 批，共 {people} 人")
        doc.table(ON_SITE_COLUMNS, rows, size=9.5, progress=progress, cancelled=cancelled, total=len(visits))
        if not visits:
            doc.note("（打印时没有在场访客）")
        doc.signatures(("清点人", "负责人", "清点时间"))
        doc.skip(4 * mm)
        doc.note("疏散清点时逐人核对，确认安全后在“已确认安全”栏打 √；未找到的访客请立即报告现场负责人。")
        return doc.page


__all__ = ["BADGE_STOCK", "VisitorBadge", "badge_payload", "badge_visits", "on_site_visits", "write_badges",
           "write_on_site_list", "write_visit_slip"]
