"""Label templates on the label engine: barcode label, 档案盒盒脊, 文件夹背贴, address label.

Each template is a small dataclass with ``draw(canvas, box)``; it lays itself out from the box it is given, so
the same badge prints on a 90×54 mm card sheet and on a 60×40 mm thermal roll. Narrow, tall boxes (spines)
get vertical Chinese text. Codes are drawn by reportlab (Code128, QR) and checked here, so a code that cannot
be printed scannably raises a clear message instead of printing something no scanner reads.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from neiqin.errors import NeiqinError
from neiqin.reports.fonts import font_for
from neiqin.reports.labels import Box, draw_block, draw_text, draw_vertical, width

MIN_TEXT = 4.5  # pt: the smallest text a label shrinks to before it is cut with "…"
MIN_BAR = 0.19 * mm  # narrowest Code128 module a 203 dpi thermal printer still prints
QR_BORDER = 2  # modules of white around a QR code (the label around it is white too)


def pad(box: Box) -> Box:
    """The printable inside of a label: clear of die-cut edges and rounded corners."""
    p = max(min(box.w, box.h) * 0.05, 1.2 * mm)
    return box.inset(min(p, 3 * mm))


def upright(c: Canvas, box: Box, draw) -> None:
    """Call ``draw(box)`` for a layout made for wide labels; on a tall label (a spine strip, a roll loaded
    sideways) turn it a quarter, so it reads from bottom to top instead of being squeezed."""
    if box.h <= box.w * 1.3:
        draw(box)
        return
    c.saveState()
    c.translate(box.right, box.y)
    c.rotate(90)
    draw(Box(0, 0, box.h, box.w))
    c.restoreState()


# ---------------------------------------------------------------------------------------------- codes


def check_code128(code: str) -> None:
    if not code:
        raise NeiqinError("条码内容不能为空")
    bad = sorted({ch for ch in code if not (32 <= ord(ch) < 127)})
    if bad:
        raise NeiqinError(f"条码“{code}”含有“{''.join(bad[:5])}”：Code128 条码只能包含英文字母、数字和常用符号，"
                          "含中文请改用二维码")


def code128_bars(code: str) -> list[tuple[int, int]]:
    """(start module, width in modules) of each bar of ``code`` in Code128, quiet zones excluded."""
    check_code128(code)
    bc = Code128(code, humanReadable=False, quiet=0)
    bc.validate()
    bc.encode()
    bc.decompose()  # letters: upper case = bar, lower case = space, a/A = 1 module … d/D = 4
    bars, x = [], 0
    for ch in bc.decomposed:
        n = ord(ch.lower()) - ord("a") + 1
        if ch.isupper():
            bars.append((x, n))
        x += n
    return bars


def draw_code128(c: Canvas, code: str, box: Box) -> Box:
    """A Code128 barcode as wide as fits ``box`` (10-module quiet zones included), centred; returns its box.

    Bars are drawn as one filled path (no font, nothing reportlab's widget would add)."""
    bars = code128_bars(code)
    modules = bars[-1][0] + bars[-1][1] + 20
    bar = box.w / modules
    if bar < MIN_BAR:
        raise NeiqinError(f"条码“{code}”太长：在 {box.w / mm:.0f} mm 宽的位置上线条过细，扫码枪无法识读。"
                          "请缩短编码、换用更宽的标签，或改用二维码")
    bar = min(bar, 0.5 * mm)
    total = modules * bar
    x0 = box.cx - total / 2 + 10 * bar
    p = c.beginPath()
    for start, n in bars:
        p.rect(x0 + start * bar, box.y, n * bar, box.h)
    c.drawPath(p, stroke=0, fill=1)
    return Box(box.cx - total / 2, box.y, total, box.h)


def draw_qr(c: Canvas, payload: str, box: Box) -> Box:
    """A QR code (quiet zone included) as large a square as fits ``box``, centred; returns its box."""
    if not payload:
        raise NeiqinError("二维码内容不能为空")
    if len(payload.encode("utf-8")) > 1200:
        raise NeiqinError("二维码内容过长（超过 1200 字节），标签上无法印出可识读的二维码")
    qr = QrCodeWidget(payload, barLevel="M").qr
    qr.make()
    n = qr.getModuleCount()
    side = min(box.w, box.h)
    cell = side / (n + 2 * QR_BORDER)
    x0, top = box.cx - side / 2 + QR_BORDER * cell, box.cy + side / 2 - QR_BORDER * cell
    p = c.beginPath()
    for r, row in enumerate(qr.modules):
        k = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            count = len(list(run))
            if dark:
                p.rect(x0 + k * cell, top - (r + 1) * cell, count * cell, cell)
            k += count
    c.drawPath(p, stroke=0, fill=1)
    return Box(box.cx - side / 2, box.cy - side / 2, side, side)


# ---------------------------------------------------------------------------------------------- barcode label


BARCODE_KINDS = {"code128": "条形码", "qr": "二维码", "both": "条形码 + 二维码"}


@dataclass(frozen=True)
class BarcodeLabel:
    """Title, subtitle and a code as Code128 and/or QR (asset tags, supplies shelves)."""

    code: str
    title: str = ""
    subtitle: str = ""
    kind: str = "code128"

    def check(self) -> BarcodeLabel:
        if self.kind not in BARCODE_KINDS:
            raise NeiqinError(f"条码类型应为：{'、'.join(BARCODE_KINDS.values())}")
        if self.kind in ("code128", "both"):
            check_code128(self.code)
        elif not self.code:
            raise NeiqinError("二维码内容不能为空")
        return self

    def draw(self, c: Canvas, box: Box) -> None:
        upright(c, box, lambda b: self._draw(c, b))

    def _draw(self, c: Canvas, box: Box) -> None:
        self.check()
        inner = pad(box)
        head, body = font_for("heading"), font_for("body")
        if self.kind != "code128":
            qr_side = min(inner.h, inner.w * (0.3 if self.kind == "both" else 0.5))
            qr_box, inner = inner.take_left(qr_side)
            draw_qr(c, self.code, qr_box)
            inner = inner.take_right(inner.w - min(inner.w * 0.05, 2 * mm))[0]
        text_h = inner.h * (0.42 if self.kind != "qr" else 1.0)
        texts, codes = inner.take_top(text_h)
        lines = [(t, f) for t, f in ((self.title, head), (self.subtitle, body)) if t]
        if self.kind == "qr":
            lines.append((self.code, body))
        if lines:
            cap = None  # each line no larger than the one above it: title, subtitle, code
            for (text, font), row in zip(lines, texts.rows([1.3 if f == head else 1 for _, f in lines]),
                                         strict=True):
                size = row.h * 0.78 if cap is None else min(row.h * 0.78, cap * 0.85)
                cap = draw_text(c, text, font, row, size=size, min_size=MIN_TEXT,
                                align="left" if self.kind != "code128" else "center")
        if self.kind != "qr":
            bars, digits = codes.take_top(codes.h * 0.74)
            draw_code128(c, self.code, bars.take_bottom(bars.h - codes.h * 0.05)[0])
            draw_text(c, self.code, body, digits, size=digits.h * 0.85, min_size=MIN_TEXT, align="center")


# ---------------------------------------------------------------------------------------------- 档案盒盒脊

RETENTION_LABELS = {"Y": "永久", "D30": "30年", "D10": "10年"}


@dataclass(frozen=True)
class SpineLabel:
    """档案盒盒脊 (DA/T 22): 全宗号、年度、保管期限、机构(问题)、起止件号、盒号."""

    fonds: str
    year: str
    retention: str
    org_unit: str
    first_no: str
    last_no: str
    box_no: str

    def fields(self) -> list[tuple[str, str, float]]:
        span = f"{self.first_no}—{self.last_no}" if self.last_no and self.last_no != self.first_no \
            else self.first_no
        return [("全宗号", self.fonds, 1.0), ("年度", self.year, 1.0),
                ("保管期限", RETENTION_LABELS.get(self.retention.upper(), self.retention), 1.1),
                ("机构（问题）", self.org_unit, 2.8), ("起止件号", span, 2.2), ("盒号", self.box_no, 1.2)]

    def draw(self, c: Canvas, box: Box) -> None:
        inner = pad(box)
        if inner.h >= inner.w * 1.6:
            _stacked_cells(c, inner, self.fields())
        else:
            _grid_cells(c, inner, [(a, b) for a, b, _ in self.fields()], cols=3)


def _stacked_cells(c: Canvas, box: Box, cells: list[tuple[str, str, float]]) -> None:
    """Caption/value cells from top to bottom in a ruled column; values go vertical when the column is narrow."""
    head, body = font_for("heading"), font_for("body")
    c.setLineWidth(0.6)
    c.setStrokeGray(0)
    c.rect(box.x + 0.3, box.y + 0.3, box.w - 0.6, box.h - 0.6, stroke=1, fill=0)
    col = box.inset(min(box.w * 0.08, 2 * mm), 0)
    cap_h = min(box.w * 0.28, 7 * mm)
    for row in box.rows([w for _, _, w in cells]):
        c.line(box.x, row.y, box.right, row.y) if row.y > box.y + 1 else None
    for (caption, value, _), row in zip(cells, box.rows([w for _, _, w in cells]), strict=True):
        row = Box(col.x, row.y, col.w, row.h).inset(0, min(row.h * 0.06, 1.2 * mm))
        cap_box, val_box = row.take_top(cap_h)
        draw_text(c, caption, body, cap_box, size=cap_h * 0.7, min_size=MIN_TEXT, align="center")
        _value(c, value, head, val_box)


def _value(c: Canvas, value: str, font: str, box: Box) -> None:
    """A field value: numbers and short words across the column; Chinese text down a narrow, tall one."""
    if not value:
        return
    big = min(box.w * 0.55, box.h * 0.8, 28)
    chinese = sum(1 for ch in value if ord(ch) > 0x2e80)
    across = width(value, font, big * 0.6) <= box.w and (chinese <= 2 or box.h < box.w * 1.5)
    if across:
        draw_text(c, value, font, box, size=big, min_size=MIN_TEXT, align="center")
    else:
        draw_vertical(c, value.replace("—", "｜"), font, box, size=big, min_size=MIN_TEXT)


def _grid_cells(c: Canvas, box: Box, cells: list[tuple[str, str]], cols: int) -> None:
    """Caption/value pairs in a ruled grid, for labels wider than tall."""
    head, body = font_for("heading"), font_for("body")
    rows = (len(cells) + cols - 1) // cols
    cw, rh = box.w / cols, box.h / rows
    c.setLineWidth(0.5)
    c.setStrokeGray(0)
    c.rect(box.x + 0.25, box.y + 0.25, box.w - 0.5, box.h - 0.5, stroke=1, fill=0)
    for i, (caption, value) in enumerate(cells):
        r, k = divmod(i, cols)
        cell = Box(box.x + k * cw, box.top - (r + 1) * rh, cw, rh)
        if k:
            c.line(cell.x, cell.y, cell.x, cell.top)
        if r:
            c.line(cell.x, cell.top, cell.right, cell.top)
        cell = cell.inset(min(cw, rh) * 0.08)
        cap, val = cell.take_top(min(cell.h * 0.3, 12))
        draw_text(c, caption, body, cap, size=min(cap.h * 0.85, 9), min_size=MIN_TEXT, align="center")
        draw_block(c, value, head, val, size=min(val.h * 0.62, 20), min_size=MIN_TEXT, align="center",
                   max_lines=3)


# ---------------------------------------------------------------------------------------------- 文件夹背贴


@dataclass(frozen=True)
class FolderLabel:
    """文件夹背贴: 单位 at the top, 类型 large in the middle (vertical on a narrow spine), 编号 at the bottom."""

    unit: str
    kind: str
    number: str

    def draw(self, c: Canvas, box: Box) -> None:
        inner = pad(box)
        head, body = font_for("heading"), font_for("body")
        c.setLineWidth(0.6)
        c.rect(inner.x + 0.3, inner.y + 0.3, inner.w - 0.6, inner.h - 0.6, stroke=1, fill=0)
        col = inner.inset(min(inner.w, inner.h) * 0.07)
        if col.h >= col.w * 1.6:
            top, rest = col.take_top(min(col.h * 0.22, col.w * 1.6))
            bottom, middle = rest.take_bottom(min(col.h * 0.14, col.w * 0.9))
            draw_vertical(c, self.unit, body, top, size=top.w * 0.4, min_size=MIN_TEXT)
            c.line(col.x, middle.top, col.right, middle.top)
            c.line(col.x, middle.y, col.right, middle.y)
            draw_vertical(c, self.kind, head, middle.inset(0, middle.h * 0.04), size=middle.w * 0.72,
                          min_size=MIN_TEXT)
            draw_text(c, self.number, head, bottom, size=bottom.h * 0.5, min_size=MIN_TEXT, align="center")
        else:
            top, rest = col.take_top(col.h * 0.24)
            bottom, middle = rest.take_bottom(col.h * 0.22)
            draw_text(c, self.unit, body, top, size=top.h * 0.8, min_size=MIN_TEXT, align="center")
            draw_block(c, self.kind, head, middle, size=middle.h * 0.7, min_size=MIN_TEXT, align="center",
                       max_lines=2)
            draw_text(c, self.number, head, bottom, size=bottom.h * 0.8, min_size=MIN_TEXT, align="right")


# ---------------------------------------------------------------------------------------------- address label


@dataclass(frozen=True)
class AddressLabel:
    """A plain address label: 邮编, address, name with 收, phone."""

    name: str
    address: str
    postcode: str = ""
    phone: str = ""
    suffix: str = "收"

    def draw(self, c: Canvas, box: Box) -> None:
        upright(c, box, lambda b: self._draw(c, b))

    def _draw(self, c: Canvas, box: Box) -> None:
        inner = pad(box).inset(min(box.w, box.h) * 0.03)
        head, body = font_for("heading"), font_for("body")
        rows = inner.rows([0.8, 1.9, 1.3, 0.8])
        if self.postcode:
            draw_text(c, " ".join(self.postcode), body, rows[0], size=rows[0].h * 0.8, min_size=MIN_TEXT)
        draw_block(c, self.address, body, rows[1], size=rows[1].h * 0.42, min_size=MIN_TEXT, max_lines=3,
                   valign="top")
        name = f"{self.name}　{self.suffix}" if self.suffix else self.name
        draw_text(c, name, head, rows[2], size=rows[2].h * 0.75, min_size=MIN_TEXT, align="center")
        if self.phone:
            draw_text(c, f"电话：{self.phone}", body, rows[3], size=rows[3].h * 0.75, min_size=MIN_TEXT,
                      align="right")


__all__ = ["AddressLabel", "BarcodeLabel", "FolderLabel", "MIN_TEXT", "SpineLabel", "draw_code128", "draw_qr",
           "pad", "upright"]
