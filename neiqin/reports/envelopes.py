"""Envelopes (GB/T 1416-2003 sizes): postcode boxes, recipient block, sender block, 贴邮票处.

One page per envelope, the page being the envelope itself (landscape), so a printer's envelope feed takes it as
is. Layout, measured from the envelope's top-left corner (DOMAIN.md leaves the exact box size unconfirmed; these
follow the common printed envelope): six red 8 × 10 mm postcode boxes 2 mm apart, 15 mm from the left and 10 mm
from the top; a 20 × 24 mm 贴邮票处 box 10 mm from the top-right corner; the recipient's address, organisation and
name in the middle; the sender's address, name and postcode at the lower right.

``frames=False`` prints only the text, for envelopes that already carry red boxes and the stamp box. Every page is
shifted by the printer's calibration offset, kept in the label engine's store under ``<printer>（信封）`` so an
envelope feed and a label tray on the same printer keep separate offsets. No Qt here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from neiqin.errors import NeiqinError, ValidationError
from neiqin.reports import Cancelled, atomic_output
from neiqin.reports.labels import (
    Box,
    Offset,
    draw_block,
    draw_lines,
    draw_text,
    printer_offset,
    save_printer_offset,
)

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

RED = (0.85, 0.1, 0.12)


@dataclass(frozen=True)
class EnvelopeSize:
    key: str
    width: float  # mm, the long side
    height: float

    @property
    def label(self) -> str:
        return f"{self.key}（{self.width:g}×{self.height:g} mm）"

    @property
    def page_size(self) -> tuple[float, float]:
        return self.width * mm, self.height * mm


SIZES: dict[str, EnvelopeSize] = {s.key: s for s in (
    EnvelopeSize("B6", 176, 125),
    EnvelopeSize("DL", 220, 110),
    EnvelopeSize("ZL", 230, 120),
    EnvelopeSize("C5", 229, 162),
    EnvelopeSize("C4", 324, 229),
)}

BOX_W, BOX_H, BOX_GAP = 8.0, 10.0, 2.0  # postcode boxes, mm
BOX_LEFT, BOX_TOP = 15.0, 10.0
STAMP_W, STAMP_H, STAMP_RIGHT, STAMP_TOP = 20.0, 24.0, 10.0, 10.0
BARCODE_STRIP = 15.0  # mm along the bottom edge: the post office's barcode zone (GB/T 1416), left empty
ZONE_GAP = 2.0  # mm kept clear between the zones
POSTCODE_RE = re.compile(r"^\d{6}$")


def get_size(key: str) -> EnvelopeSize:
    try:
        return SIZES[(key or "").strip().upper()]
    except KeyError:
        raise NeiqinError(f"没有“{key}”规格的信封（可选：{'、'.join(SIZES)}）") from None


@dataclass(frozen=True)
class EnvelopeAddress:
    """Who the envelope goes to: organisation, person, address, postcode (and phone for couriers)."""

    org: str = ""
    person: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""

    @property
    def label(self) -> str:
        return self.org or self.person or self.address


@dataclass(frozen=True)
class EnvelopeSender:
    name: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""


def as_address(item: Any) -> EnvelopeAddress:
    """An EnvelopeAddress from an address-book Organisation, a Dispatch, a dict or an EnvelopeAddress."""
    if isinstance(item, EnvelopeAddress):
        return item
    get = item.get if isinstance(item, dict) else lambda k, d="": getattr(item, k, d)
    org = get("recipient_org", "") or get("org", "") or get("name", "")
    person = get("recipient", "") or get("person", "") or get("contact", "")
    return EnvelopeAddress(str(org or "").strip(), str(person or "").strip(), str(get("address", "") or "").strip(),
                           str(get("postcode", "") or "").strip(), str(get("phone", "") or "").strip())


def sender_from_settings() -> EnvelopeSender:
    from neiqin.models import settings

    return EnvelopeSender(settings.get("parcels.sender_name") or settings.get("org_name") or "",
                          settings.get("parcels.sender_address") or "", settings.get("parcels.sender_postcode") or "",
                          settings.get("parcels.sender_phone") or "")


def offset_key(printer: str) -> str:
    return f"{printer}（信封）"


def envelope_offset(printer: str) -> Offset:
    return printer_offset(offset_key(printer)) if printer else Offset()


def save_envelope_offset(printer: str, offset: Offset) -> None:
    if not printer.strip():
        raise NeiqinError("请先选择打印机，校准偏移按打印机分别保存")
    save_printer_offset(offset_key(printer), offset)


def check_recipients(recipients: Sequence[EnvelopeAddress]) -> None:
    """Refuse what would print wrong: no address or addressee, a postcode that is not six digits (the boxes
    would stay empty without a word); an empty postcode leaves the boxes for a pen."""
    if not recipients:
        raise NeiqinError("没有要打印的信封")
    bad = [r for r in recipients if r.postcode and not POSTCODE_RE.match(r.postcode)]
    if bad:
        more = f"等 {len(bad)} 个" if len(bad) > 3 else ""
        names = "、".join(f"{r.label or '（空白）'}（{r.postcode}）" for r in bad[:3])
        raise ValidationError({"recipients": f"{names}{more}的邮政编码不是 6 位数字，请先在地址簿中改正"})
    missing = [r.label or "（空白）" for r in recipients if not r.address or not (r.org or r.person)]
    if missing:
        more = f"等 {len(missing)} 个" if len(missing) > 3 else ""
        raise ValidationError({"recipients": f"{'、'.join(missing[:3])}{more}缺少地址或收件单位/收件人，请先在地址簿中补全"})


# ---------------------------------------------------------------------------------------------- drawing


class _Layout:
    """Boxes of one envelope size, in points, origin bottom-left."""

    def __init__(self, size: EnvelopeSize):
        self.w, self.h = size.page_size
        big = size.height >= 150  # C5, C4: more room, larger text
        self.scale = 1.35 if size.key == "C4" else (1.15 if big else 1.0)
        top = self.h - BOX_TOP * mm
        self.boxes = [Box((BOX_LEFT + i * (BOX_W + BOX_GAP)) * mm, top - BOX_H * mm, BOX_W * mm, BOX_H * mm)
                      for i in range(6)]
        self.stamp = Box(self.w - (STAMP_RIGHT + STAMP_W) * mm, self.h - (STAMP_TOP + STAMP_H) * mm,
                         STAMP_W * mm, STAMP_H * mm)
        left = 20 * mm
        right = self.w - 15 * mm
        # GB/T 1416 zones: the barcode strip along the bottom stays empty; the sender block sits above it, the
        # recipient block above that, each ZONE_GAP apart
        self.barcode = Box(0, 0, self.w, BARCODE_STRIP * mm)
        sender_bottom = (BARCODE_STRIP + ZONE_GAP) * mm
        sender_h = (18 if not big else 24) * mm
        body_top = top - BOX_H * mm - (6 if not big else 14) * mm
        body_bottom = sender_bottom + sender_h + (ZONE_GAP + 2) * mm
        avail = max(body_top - body_bottom, 20 * mm)
        block = min(avail, 58 * mm * self.scale)  # a compact block: large envelopes centre it a little high
        top_of_block = body_top - (avail - block) * 0.35
        self.recipient = Box(left, top_of_block - block, right - left, block)
        sender_w = min(self.w * 0.58, 130 * mm)
        self.sender = Box(right - sender_w, sender_bottom, sender_w, sender_h)


def _draw_frames(c: Canvas, L: _Layout, body: str) -> None:
    c.saveState()
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(0.9)
    for b in L.boxes:
        c.rect(b.x, b.y, b.w, b.h, stroke=1, fill=0)
    c.setLineWidth(0.6)
    c.setDash(2, 1.5)
    s = L.stamp
    c.rect(s.x, s.y, s.w, s.h, stroke=1, fill=0)
    c.setDash()
    c.setFillColorRGB(*RED)
    draw_lines(c, ["贴", "邮", "票", "处"], body, s.inset(2 * mm, 3 * mm), size=9, min_size=5, align="center")
    c.restoreState()


def _draw_envelope(c: Canvas, L: _Layout, r: EnvelopeAddress, sender: EnvelopeSender, fonts: dict[str, str],
                   frames: bool) -> None:
    body, head = fonts["body"], fonts["heading"]
    k = L.scale
    if frames:
        _draw_frames(c, L, body)
    if POSTCODE_RE.match(r.postcode):
        c.setFillGray(0)
        for digit, b in zip(r.postcode, L.boxes, strict=True):
            draw_text(c, digit, body, b, size=17, min_size=8, align="center")
    box = L.recipient
    addr_box, rest = box.take_top(box.h * 0.38)
    org_box, rest = rest.take_top(rest.h * 0.52)
    name_box, phone_box = rest.take_top(rest.h * 0.72)
    c.setFillGray(0)
    if addr_box.top > L.stamp.y:  # never write under the stamp
        addr_box = Box(addr_box.x, addr_box.y, min(addr_box.w, L.stamp.x - 4 * mm - addr_box.x), addr_box.h)
    draw_block(c, r.address, body, addr_box.inset(0, 1), size=13 * k, min_size=7, valign="top", max_lines=2)
    indent = 12 * mm * k
    org_area = Box(org_box.x + indent, org_box.y, org_box.w - indent, org_box.h)
    if r.org and r.person:
        draw_text(c, r.org, head, org_area, size=15 * k, min_size=8, align="left")
        draw_text(c, f"{r.person}　收", head, name_box, size=17 * k, min_size=8, align="center")
    else:
        draw_text(c, f"{r.org or r.person}　收", head, Box(org_area.x, name_box.y, org_area.w,
                                                         org_area.top - name_box.y), size=17 * k, min_size=8,
                  align="center")
    if r.phone:
        draw_text(c, f"电话：{r.phone}", body, phone_box, size=10 * k, min_size=6, align="center")
    lines = [x for x in (sender.address, sender.name, f"电话：{sender.phone}" if sender.phone else "") if x]
    s = L.sender
    code_box, text_box = s.take_bottom(s.h * 0.26)
    if lines:
        draw_lines(c, lines, body, text_box, size=10.5 * k, min_size=6, align="right")
    if sender.postcode:
        draw_text(c, f"邮政编码：{sender.postcode}", body, code_box, size=10.5 * k, min_size=6, align="right")


def envelopes_pdf(path: str | os.PathLike, size: str, recipients: Iterable[Any], sender: EnvelopeSender | None = None,
                  *, offset: Offset | None = None, frames: bool = True, title: str = "信封",
                  progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> int:
    """One envelope per recipient (address-book entries, 寄件 records, dicts or EnvelopeAddress) into ``path``.

    ``sender`` defaults to the settings (单位, 地址, 邮编). Returns the number of pages (= envelopes).
    """
    from neiqin.reports.fonts import font_for

    env = get_size(size)
    items = [as_address(r) for r in recipients]
    check_recipients(items)
    sender = sender if sender is not None else sender_from_settings()
    if sender.postcode and not POSTCODE_RE.match(sender.postcode):
        raise ValidationError({"sender_postcode": "寄件邮编应为 6 位数字"})
    offset = (offset or Offset()).check()
    L = _Layout(env)
    fonts = {"body": font_for("body"), "heading": font_for("heading")}
    with atomic_output(path) as tmp:
        c = Canvas(str(tmp), pagesize=env.page_size, initialFontName=fonts["body"])
        c.setTitle(f"{title} {env.key}")
        c.setCreator("内勤台账")
        for i, r in enumerate(items):
            if i % 20 == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None:
                    progress(i, len(items))
            c.saveState()
            c.translate(offset.dx, offset.dy)
            _draw_envelope(c, L, r, sender, fonts, frames)
            c.restoreState()
            c.showPage()
        c.save()
    if progress is not None:
        progress(len(items), len(items))
    return len(items)


def envelope_calibration_pdf(path: str | os.PathLike, size: str, offset: Offset | None = None,
                             printer: str = "") -> int:
    """One page: the envelope's edge, the postcode boxes and stamp box outlined, a centre cross and 10 mm ticks.

    Print it on a real envelope (or paper cut to size) and compare; adjust the offset by the difference.
    """
    from neiqin.reports.fonts import font_for

    env = get_size(size)
    offset = (offset or Offset()).check()
    L = _Layout(env)
    body = font_for("body")
    with atomic_output(path) as tmp:
        c = Canvas(str(tmp), pagesize=env.page_size, initialFontName=body)
        c.setTitle(f"信封校准页 {env.key}")
        c.translate(offset.dx, offset.dy)
        c.setLineWidth(0.5)
        c.rect(1 * mm, 1 * mm, L.w - 2 * mm, L.h - 2 * mm)  # 1 mm inside the edge: visible if the feed is right
        _draw_frames(c, L, body)
        c.setLineWidth(0.3)
        arm = 8 * mm
        c.line(L.w / 2 - arm, L.h / 2, L.w / 2 + arm, L.h / 2)
        c.line(L.w / 2, L.h / 2 - arm, L.w / 2, L.h / 2 + arm)
        for x in range(10, int(env.width), 10):
            c.line(x * mm, 0, x * mm, (3 if x % 50 else 6) * mm)
        for y in range(10, int(env.height), 10):
            c.line(0, y * mm, (3 if y % 50 else 6) * mm, y * mm)
        info = [f"信封校准页 {env.label}", f"偏移：{offset.text}", printer,
                "外框距信封边缘应为 1 mm；按实际偏差调整偏移后再打一张核对"]
        lower = Box(L.recipient.x, L.sender.top, L.recipient.w, L.h / 2 - 6 * mm - L.sender.top)
        draw_lines(c, [x for x in info if x], body, lower, size=11, min_size=6, align="center")
        c.showPage()
        c.save()
    return 1


__all__ = ["SIZES", "EnvelopeAddress", "EnvelopeSender", "EnvelopeSize", "as_address", "envelope_calibration_pdf",
           "envelope_offset", "envelopes_pdf", "get_size", "save_envelope_offset", "sender_from_settings"]
