"""Label engine: label stock described as data, labels placed on sheets or rolls, text fitted into boxes.

A :class:`LabelStock` is a page size, rows × columns of labels of one size, margins, gaps and a corner radius,
all in millimetres; a thermal roll is a stock of one label per page. :func:`write_labels` draws any labels
(objects with ``draw(canvas, box)``, see ``neiqin.reports.templates``) onto a stock, starting at label N of a
partly used sheet, K copies of each, shifted by the printer's calibration offset; :func:`write_calibration`
draws every label outline with its number so the clerk can hold the sheet against the light and adjust.

Every label is clipped to its own box, and the text helpers here shrink text down to a minimum size and then
end it with "…", so nothing ever runs into the next label. Custom stocks and calibration offsets are kept in the
database settings (``labels.custom_stocks``, ``labels.offset.<printer name>``). No Qt here.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Protocol

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from neiqin.errors import NeiqinError, ValidationError
from neiqin.reports import Cancelled, atomic_output

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

ELLIPSIS = "…"
MAX_COPIES = 999
MAX_OFFSET = 200  # calibration offsets are in 0.1 mm: at most 20 mm either way
CUSTOM_KEY = "labels.custom_stocks"
OFFSET_PREFIX = "labels.offset."


# ---------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin at the bottom-left of the page (reportlab's convention)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def inset(self, dx: float, dy: float | None = None) -> Box:
        dy = dx if dy is None else dy
        return Box(self.x + dx, self.y + dy, max(self.w - 2 * dx, 0.0), max(self.h - 2 * dy, 0.0))

    def take_top(self, h: float) -> tuple[Box, Box]:
        """(the top ``h`` points, the rest below)."""
        h = min(max(h, 0.0), self.h)
        return Box(self.x, self.top - h, self.w, h), Box(self.x, self.y, self.w, self.h - h)

    def take_bottom(self, h: float) -> tuple[Box, Box]:
        h = min(max(h, 0.0), self.h)
        return Box(self.x, self.y, self.w, h), Box(self.x, self.y + h, self.w, self.h - h)

    def take_left(self, w: float) -> tuple[Box, Box]:
        w = min(max(w, 0.0), self.w)
        return Box(self.x, self.y, w, self.h), Box(self.x + w, self.y, self.w - w, self.h)

    def take_right(self, w: float) -> tuple[Box, Box]:
        w = min(max(w, 0.0), self.w)
        return Box(self.right - w, self.y, w, self.h), Box(self.x, self.y, self.w - w, self.h)

    def rows(self, weights: Sequence[float]) -> list[Box]:
        """Split top to bottom in proportion to ``weights``."""
        total = sum(weights) or 1.0
        out, top = [], self.top
        for wt in weights:
            h = self.h * wt / total
            out.append(Box(self.x, top - h, self.w, h))
            top -= h
        return out

    def contains(self, other: Box, tol: float = 0.01) -> bool:
        return (other.x >= self.x - tol and other.y >= self.y - tol and other.right <= self.right + tol
                and other.top <= self.top + tol)


# ---------------------------------------------------------------------------------------------- stock

SAFE_MARGIN = 4.0  # mm: most office printers cannot print closer to the paper's edge


@dataclass(frozen=True)
class LabelStock:
    """One kind of label paper. Lengths in millimetres; labels are numbered row by row from the top left."""

    key: str
    name: str
    page_w: float
    page_h: float
    rows: int
    cols: int
    label_w: float
    label_h: float
    margin_left: float = 0.0
    margin_top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    radius: float = 0.0
    roll: bool = False  # a thermal roll: one label per page, the page is the label
    custom: bool = False
    # text and codes stay this far (mm) from the paper's edge, where printers clip; negative: the default
    # (SAFE_MARGIN on sheets, whose edge-to-edge labels reach into it; 0 on a roll, where pad() suffices)
    safe_margin: float = -1.0

    @property
    def safe_mm(self) -> float:
        if self.safe_margin >= 0:
            return self.safe_margin
        return 0.0 if self.roll else SAFE_MARGIN

    def printable(self, box: Box) -> Box:
        """The part of label ``box`` that text and codes may use: clear of the paper's unprintable edge."""
        m = self.safe_mm * mm
        x, y = max(box.x, m), max(box.y, m)
        right, top = min(box.right, self.page_w * mm - m), min(box.top, self.page_h * mm - m)
        if right - x < box.w * 0.3 or top - y < box.h * 0.3:  # a label almost wholly in the margin: as it is
            return box
        return Box(x, y, right - x, top - y)

    @property
    def per_page(self) -> int:
        return self.rows * self.cols

    @property
    def page_size(self) -> tuple[float, float]:
        return self.page_w * mm, self.page_h * mm

    @property
    def description(self) -> str:
        size = f"{_n(self.label_w)}×{_n(self.label_h)} mm"
        name = self.name if size.removesuffix(" mm") in self.name else f"{self.name} {size}"
        if self.roll:
            return f"{name}（热敏卷纸，每页 1 张）"
        return f"{name}（{_n(self.page_w)}×{_n(self.page_h)} mm 纸，{self.cols} 列 × {self.rows} 行）"

    def check(self) -> LabelStock:
        """Raise ValidationError (Chinese, per field) unless the labels fit the page; return self."""
        errors: dict[str, str] = {}
        if not self.name.strip():
            errors["name"] = "请填写标签纸名称"
        for key, label, low, high in (("page_w", "纸宽", 20, 1200), ("page_h", "纸高", 15, 1200),
                                      ("label_w", "标签宽", 10, 1200), ("label_h", "标签高", 8, 1200)):
            v = getattr(self, key)
            if not (isinstance(v, int | float) and low <= v <= high):
                errors[key] = f"{label}应在 {low} 到 {high} mm 之间"
        for key, label, high in (("rows", "行数", 60), ("cols", "列数", 30)):
            v = getattr(self, key)
            if not (isinstance(v, int) and 1 <= v <= high):
                errors[key] = f"{label}应在 1 到 {high} 之间"
        if not (isinstance(self.safe_margin, int | float) and -1 <= self.safe_margin <= 30):
            errors["safe_margin"] = "安全边距应在 0 到 30 mm 之间"
        for key, label in (("margin_left", "左边距"), ("margin_top", "上边距"), ("gap_x", "列间距"),
                           ("gap_y", "行间距"), ("radius", "圆角半径")):
            v = getattr(self, key)
            if not (isinstance(v, int | float) and 0 <= v <= 500):
                errors[key] = f"{label}应在 0 到 500 mm 之间"
        if errors:
            raise ValidationError(errors)
        need_w = self.margin_left + self.cols * self.label_w + (self.cols - 1) * self.gap_x
        need_h = self.margin_top + self.rows * self.label_h + (self.rows - 1) * self.gap_y
        if need_w > self.page_w + 0.05:
            errors["cols"] = (f"标签纸“{self.name}”放不下：左边距加 {self.cols} 列标签和间距共需 {_n(need_w)} mm，"
                              f"而纸宽只有 {_n(self.page_w)} mm，请减少列数或调小尺寸、边距")
        if need_h > self.page_h + 0.05:
            errors["rows"] = (f"标签纸“{self.name}”放不下：上边距加 {self.rows} 行标签和间距共需 {_n(need_h)} mm，"
                              f"而纸高只有 {_n(self.page_h)} mm，请减少行数或调小尺寸、边距")
        if self.radius * 2 > min(self.label_w, self.label_h):
            errors["radius"] = "圆角半径不能超过标签宽、高较小者的一半"
        if self.roll and self.per_page != 1:
            errors["rows"] = "热敏卷纸每页只能有 1 张标签（1 行 1 列）"
        if errors:
            raise ValidationError(errors)
        return self

    def slot(self, index: int) -> Box:
        """Label ``index`` (0-based, row by row from the top left) in points, page origin bottom-left."""
        r, c = divmod(index, self.cols)
        x = (self.margin_left + c * (self.label_w + self.gap_x)) * mm
        top = (self.page_h - self.margin_top - r * (self.label_h + self.gap_y)) * mm
        return Box(x, top - self.label_h * mm, self.label_w * mm, self.label_h * mm)

    def slots(self) -> list[Box]:
        return [self.slot(i) for i in range(self.per_page)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("custom")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, custom: bool = True) -> LabelStock:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in names}
        values["custom"] = custom
        try:
            return cls(**values)
        except TypeError as e:
            raise NeiqinError(f"标签纸设置不完整：{e}") from None


def _n(v: float) -> str:
    return f"{v:g}"


def _sheet(key: str, name: str, rows: int, cols: int, w: float, h: float, left: float, top: float,
           gap_x: float = 0.0, gap_y: float = 0.0, radius: float = 0.0) -> LabelStock:
    return LabelStock(key, name, 210.0, 297.0, rows, cols, w, h, left, top, gap_x, gap_y, radius)


def _roll(w: float, h: float) -> LabelStock:
    return LabelStock(f"roll-{_n(w)}x{_n(h)}", f"热敏标签 {_n(w)}×{_n(h)} mm", w, h, 1, 1, w, h, roll=True)


PRESETS: dict[str, LabelStock] = {s.key: s for s in (
    _sheet("a4-3x8", "A4 不干胶 24 格 70×37 mm", 8, 3, 70, 37, 0, 0.5),
    _sheet("a4-2x7", "A4 不干胶 14 格 99.1×38.1 mm", 7, 2, 99.1, 38.1, 4.65, 15.15, gap_x=2.5, radius=2.5),
    _sheet("a4-2x4", "A4 不干胶 8 格 99.1×67.7 mm", 4, 2, 99.1, 67.7, 4.65, 13.0, gap_x=2.5, radius=2.5),
    _sheet("a4-2x5-badge", "A4 胸卡纸 10 格 90×54 mm", 5, 2, 90, 54, 15, 13.5),
    _sheet("a4-spine-20", "A4 盒脊条 8 条 20×270 mm（裁切）", 1, 8, 20, 270, 11, 13.5, gap_x=4),
    _sheet("a4-spine-30", "A4 盒脊条 6 条 30×270 mm（裁切）", 1, 6, 30, 270, 10, 13.5, gap_x=2),
    _sheet("a4-spine-40", "A4 盒脊条 4 条 40×270 mm（裁切）", 1, 4, 40, 270, 19, 13.5, gap_x=4),
    _sheet("a4-spine-50", "A4 盒脊条 3 条 50×270 mm（裁切）", 1, 3, 50, 270, 25, 13.5, gap_x=5),
    _roll(50, 30),
    _roll(60, 40),
    _roll(100, 70),
)}


# ---------------------------------------------------------------------------------------------- stored stocks


def custom_stocks() -> list[LabelStock]:
    """The clerk's own stocks from the database settings (broken entries are skipped)."""
    from neiqin.models import settings

    out = []
    for d in settings.get(CUSTOM_KEY) or []:
        try:
            out.append(LabelStock.from_dict(d).check())
        except NeiqinError:
            continue
    return out


def all_stocks() -> dict[str, LabelStock]:
    return {**PRESETS, **{s.key: s for s in custom_stocks()}}


def get_stock(key: str) -> LabelStock:
    stocks = all_stocks()
    try:
        return stocks[key]
    except KeyError:
        raise NeiqinError(f"没有名为“{key}”的标签纸（可用：{'、'.join(stocks)}）") from None


def save_custom_stock(stock: LabelStock) -> LabelStock:
    """Add or replace a custom stock (checked first). Its key gets a ``custom-`` prefix; presets stay."""
    from neiqin.models import settings

    key = stock.key.strip() or _slug(stock.name)
    if not key.startswith("custom-"):
        key = f"custom-{key}"
    stock = replace(stock, key=key, name=stock.name.strip(), roll=stock.per_page == 1 and stock.roll,
                    custom=True).check()
    kept = [d for d in settings.get(CUSTOM_KEY) or [] if d.get("key") != key]
    settings.set_value(CUSTOM_KEY, [*kept, stock.to_dict()])
    return stock


def delete_custom_stock(key: str) -> None:
    from neiqin.models import settings

    settings.set_value(CUSTOM_KEY, [d for d in settings.get(CUSTOM_KEY) or [] if d.get("key") != key])


def _slug(name: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return ascii_part or f"{abs(hash(name)) % 100000:05d}"


# ---------------------------------------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Offset:
    """A printer's calibration: move everything right by ``x`` and down by ``y``, in 0.1 mm."""

    x: int = 0
    y: int = 0

    def check(self) -> Offset:
        for v, label in ((self.x, "水平"), (self.y, "垂直")):
            if not (isinstance(v, int) and -MAX_OFFSET <= v <= MAX_OFFSET):
                raise ValidationError(f"{label}偏移应在 ±{MAX_OFFSET / 10:g} mm 之内", "offset")
        return self

    @property
    def dx(self) -> float:
        return self.x * mm / 10

    @property
    def dy(self) -> float:
        """In PDF points, upward (reportlab's y axis), so a positive ``y`` (down) is negative here."""
        return -self.y * mm / 10

    @property
    def text(self) -> str:
        return f"水平 {self.x / 10:+.1f} mm，垂直 {self.y / 10:+.1f} mm"


def printer_offset(printer: str) -> Offset:
    from neiqin.models import settings

    d = settings.get(OFFSET_PREFIX + printer) or {}
    try:
        return Offset(int(d.get("x", 0)), int(d.get("y", 0))).check()
    except (TypeError, ValueError, AttributeError, NeiqinError):
        return Offset()


def save_printer_offset(printer: str, offset: Offset) -> None:
    from neiqin.models import settings

    if not printer.strip():
        raise NeiqinError("请先选择打印机，校准偏移按打印机分别保存")
    offset.check()
    settings.set_value(OFFSET_PREFIX + printer, {"x": offset.x, "y": offset.y})


# ---------------------------------------------------------------------------------------------- placement


def placements(stock: LabelStock, count: int, *, start: int = 1, copies: int = 1) -> list[tuple[int, int, int]]:
    """(page, slot, label index) for ``count`` labels × ``copies``, from label ``start`` (1-based) of page 1.

    Copies of one label are placed next to each other, as a clerk cutting them apart expects.
    """
    check_run(stock, start, copies)
    out = []
    pos = start - 1
    for i in range(count):
        for _ in range(copies):
            page, slot = divmod(pos, stock.per_page)
            out.append((page, slot, i))
            pos += 1
    return out


def check_run(stock: LabelStock, start: int, copies: int) -> None:
    if not isinstance(start, int) or start < 1:
        raise ValidationError("起始位置应从 1 开始", "start")
    if start > stock.per_page:
        if stock.per_page == 1:
            raise ValidationError(f"“{stock.name}”每页只有 1 张标签，起始位置只能是 1", "start")
        raise ValidationError(f"起始位置 {start} 超出了本张标签纸：“{stock.name}”每张只有 {stock.per_page} 个标签"
                              f"（{stock.cols} 列 × {stock.rows} 行）", "start")
    if not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise ValidationError(f"每个标签的份数应在 1 到 {MAX_COPIES} 之间", "copies")


# ---------------------------------------------------------------------------------------------- writing


class Label(Protocol):
    def draw(self, c: Canvas, box: Box) -> None: ...


def write_labels(path: str | os.PathLike, stock: LabelStock, labels: Sequence[Label], *, start: int = 1,
                 copies: int = 1, offset: Offset | None = None, outlines: bool = False, title: str = "标签",
                 progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> int:
    """Draw ``labels`` on ``stock`` into the PDF ``path``; return the number of pages.

    ``outlines`` adds a thin grey outline to each used label (for plain paper that is cut by hand).
    """
    stock.check()
    offset = (offset or Offset()).check()
    if not labels:
        raise NeiqinError("没有要打印的标签")
    places = placements(stock, len(labels), start=start, copies=copies)
    pages = places[-1][0] + 1
    with atomic_output(path) as tmp:
        c = _canvas(tmp, stock, title)
        page = 0
        for n, (p, slot, i) in enumerate(places):
            if n % 20 == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None:
                    progress(n, len(places))
            while page < p:
                c.showPage()
                page += 1
            box = stock.slot(slot)
            c.saveState()
            c.translate(offset.dx, offset.dy)
            _clip(c, box, stock.radius * mm)
            labels[i].draw(c, stock.printable(box))
            c.restoreState()
            if outlines:
                c.saveState()
                c.translate(offset.dx, offset.dy)
                c.setStrokeGray(0.7)
                c.setLineWidth(0.3)
                _outline(c, box, stock.radius * mm)
                c.restoreState()
        c.showPage()
        c.save()
    if progress is not None:
        progress(len(places), len(places))
    return pages


def write_calibration(path: str | os.PathLike, stock: LabelStock, offset: Offset | None = None,
                      printer: str = "") -> int:
    """One page (one per label on a roll: just one) with every label outlined and numbered."""
    from neiqin.reports.fonts import font_for

    stock.check()
    offset = (offset or Offset()).check()
    font = font_for("body")
    with atomic_output(path) as tmp:
        c = _canvas(tmp, stock, f"校准页 {stock.name}")
        c.saveState()
        c.translate(offset.dx, offset.dy)
        c.setLineWidth(0.4)
        for i, box in enumerate(stock.slots()):
            c.setStrokeGray(0)
            _outline(c, box, stock.radius * mm)
            inner = box.inset(min(1.5 * mm, box.w / 8), min(1.5 * mm, box.h / 8))
            c.setStrokeGray(0.55)
            c.setLineWidth(0.25)
            arm = min(inner.w, inner.h) / 6
            c.line(box.cx - arm, box.cy, box.cx + arm, box.cy)  # centre cross: compare with the label's centre
            c.line(box.cx, box.cy - arm, box.cx, box.cy + arm)
            c.setLineWidth(0.4)
            c.setFillGray(0)
            number_box, rest = inner.take_top(inner.h * 0.45)
            draw_text(c, str(i + 1), font, number_box, size=min(28, number_box.h * 0.9), min_size=4,
                      align="left", valign="top")
            info = [f"{_n(stock.label_w)}×{_n(stock.label_h)} mm"]
            if i == 0:
                info.append(offset.text)
                if printer:
                    info.append(printer)
            draw_lines(c, info, font, rest.take_bottom(rest.h * 0.6)[0], size=7, min_size=3, align="left")
        c.restoreState()
        c.showPage()
        c.save()
    return 1


def _canvas(path, stock: LabelStock, title: str) -> Canvas:
    from neiqin.reports.fonts import font_for

    # the initial font is written into every page: a CJK one keeps Helvetica (never embedded) out of the file
    c = Canvas(str(path), pagesize=stock.page_size, initialFontName=font_for("body"))
    c.setTitle(title)
    c.setCreator("内勤台账")
    return c


def _clip(c: Canvas, box: Box, radius: float) -> None:
    p = c.beginPath()
    if radius > 0:
        p.roundRect(box.x, box.y, box.w, box.h, radius)
    else:
        p.rect(box.x, box.y, box.w, box.h)
    c.clipPath(p, stroke=0, fill=0)


def _outline(c: Canvas, box: Box, radius: float) -> None:
    # drawn a hair inside the box so the stroke stays within the label
    b = box.inset(0.2)
    if radius > 0:
        c.roundRect(b.x, b.y, b.w, b.h, max(radius - 0.2, 0), stroke=1, fill=0)
    else:
        c.rect(b.x, b.y, b.w, b.h, stroke=1, fill=0)


# ---------------------------------------------------------------------------------------------- text fitting


def extent(font: str, size: float) -> tuple[float, float]:
    """(depth below the baseline, height above it) of a line of ``font`` at ``size``, in points.

    Taken from the font's ascent/descent, and at least the em box PDF readers assume, so a fitted line never
    pokes out of its box in any viewer.
    """
    face = pdfmetrics.getFont(font).face
    descent = min(getattr(face, "descent", -200), -120)
    ascent = max(getattr(face, "ascent", 800), 1000 + descent)
    return -descent * size / 1000, ascent * size / 1000


def width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def truncate(text: str, font: str, size: float, avail: float) -> str:
    """``text`` cut to fit ``avail`` points, ending in "…" when cut ("" if not even that fits)."""
    if width(text, font, size) <= avail:
        return text
    room = avail - width(ELLIPSIS, font, size)
    if room < 0:
        return ""
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits
        mid = (lo + hi + 1) // 2
        if width(text[:mid], font, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def fit_line(text: str, font: str, box: Box, size: float, min_size: float) -> tuple[str, float]:
    """The largest size ≤ ``size`` (steps of 0.5 pt) at which ``text`` fits the box on one line; below
    ``min_size`` the text is cut with "…" at ``min_size``."""
    size = max(min(size, _max_size_for_height(font, box.h)), 0.5)
    min_size = min(min_size, size)
    w = width(text, font, 1.0)
    if w * size <= box.w:
        return text, size
    fit = box.w / w if w else size
    if fit >= min_size:
        return text, min(size, max(math.floor(fit * 2) / 2, min_size))
    return truncate(text, font, min_size, box.w), min_size


def fit_block(text: str, font: str, box: Box, size: float, min_size: float, leading: float = 1.18,
              max_lines: int | None = None) -> tuple[list[str], float]:
    """Wrapped lines of ``text`` and the largest size at which they fill no more than the box."""
    from neiqin.reports.table_layout import Widths, wrap

    size = max(min(size, _max_size_for_height(font, box.h)), 0.5)
    min_size = min(min_size, size)
    s = size
    while True:
        below, above = extent(font, s)
        room = int((box.h - below - above) // (s * leading)) + 1 if box.h >= below + above else 0
        lines_allowed = min(room, max_lines) if max_lines else room
        if lines_allowed >= 1:
            widths = Widths(font, s)
            lines = wrap(text, box.w, widths, lines_allowed)
            cut = len(lines) >= lines_allowed and lines and lines[-1].endswith(ELLIPSIS) \
                and not text.rstrip().endswith(ELLIPSIS)
            if not cut or s <= min_size:
                return [truncate(line, font, s, box.w) for line in lines], s
        elif s <= min_size:
            return [], s
        s = max(min_size, s - 0.5)


def _max_size_for_height(font: str, h: float) -> float:
    below, above = extent(font, 1.0)
    return h / (below + above)


def draw_aligned(c: Canvas, box: Box, y: float, text: str, align: str) -> None:
    """One string at baseline ``y``, placed left, centred or right within ``box`` (current font)."""
    if align == "center":
        c.drawCentredString(box.cx, y, text)
    elif align == "right":
        c.drawRightString(box.right, y, text)
    else:
        c.drawString(box.x, y, text)


def draw_text(c: Canvas, text: str, font: str, box: Box, *, size: float, min_size: float = 5.0,
              align: str = "left", valign: str = "middle") -> float:
    """One line fitted into ``box`` (shrunk, then cut with "…"); returns the size used."""
    text, s = fit_line(text.replace("\n", " "), font, box, size, min_size)
    if not text:
        return s
    below, above = extent(font, s)
    if valign == "top":
        base = box.top - above
    elif valign == "bottom":
        base = box.y + below
    else:
        base = box.cy - (above - below) / 2
    c.setFont(font, s)
    draw_aligned(c, box, base, text, align)
    return s


def draw_lines(c: Canvas, lines: Iterable[str], font: str, box: Box, *, size: float, min_size: float = 5.0,
               align: str = "left", leading: float = 1.18) -> float:
    """Several separate lines, each kept on one line, all at one size that fits the box."""
    lines = [ln for ln in lines if ln]
    if not lines:
        return size
    s = max(min(size, _max_size_for_height(font, box.h)), 0.5)
    while True:
        below, above = extent(font, s)
        need = below + above + (len(lines) - 1) * s * leading
        widest = max(width(ln, font, s) for ln in lines)
        if (need <= box.h and widest <= box.w) or s <= min_size:
            break
        s = max(min_size, s - 0.5)
    below, above = extent(font, s)
    n_fit = max(int((box.h - below - above) // (s * leading)) + 1, 0) if box.h >= below + above else 0
    shown = lines[:n_fit]
    if n_fit and len(lines) > n_fit:
        shown[-1] = truncate(shown[-1] + ELLIPSIS, font, s, box.w)
    c.setFont(font, s)
    block = below + above + (len(shown) - 1) * s * leading
    base = box.cy + block / 2 - above
    for ln in shown:
        ln = truncate(ln, font, s, box.w)
        draw_aligned(c, box, base, ln, align)
        base -= s * leading
    return s


def draw_block(c: Canvas, text: str, font: str, box: Box, *, size: float, min_size: float = 5.0,
               align: str = "left", valign: str = "middle", leading: float = 1.18,
               max_lines: int | None = None) -> float:
    """``text`` wrapped into ``box`` at the largest size that fits, ending in "…" if even the smallest does not."""
    lines, s = fit_block(text, font, box, size, min_size, leading, max_lines)
    if not lines:
        return s
    below, above = extent(font, s)
    block = below + above + (len(lines) - 1) * s * leading
    if valign == "top":
        base = box.top - above
    elif valign == "bottom":
        base = box.y + block - above
    else:
        base = box.cy + block / 2 - above
    c.setFont(font, s)
    for ln in lines:
        draw_aligned(c, box, base, ln, align)
        base -= s * leading
    return s


# ---------------------------------------------------------------------------------------------- vertical text

_UPRIGHT_RUN = re.compile(r"[0-9A-Za-z\-./·]+|\S", re.S)
# brackets and dashes turn a quarter in vertical text: their vertical presentation forms, where the font has them
_VERTICAL_FORMS = str.maketrans("（）《》〈〉「」『』【】〔〕—…｜", "︵︶︽︾︿﹀﹁﹂﹃﹄︻︼︹︺︱︙︱")


def _vertical_text(text: str, font: str) -> str:
    glyphs = getattr(pdfmetrics.getFont(font).face, "charToGlyph", None)
    if glyphs is None:
        return text
    return "".join(v if ord(v) in glyphs else ch for ch, v in zip(text, text.translate(_VERTICAL_FORMS),
                                                                    strict=True))


def _vertical_cells(text: str, font: str, size: float, avail_w: float) -> list[str]:
    """Characters stacked top to bottom; a short run of digits/Latin stays one horizontal cell (纵中横) if it
    fits the column, otherwise its characters are stacked too."""
    cells: list[str] = []
    for tok in _UPRIGHT_RUN.findall(text):
        if len(tok) > 1 and width(tok, font, size) > avail_w:
            cells.extend(tok)
        else:
            cells.append(tok)
    return cells


def _vertical_layout(text: str, font: str, box: Box, size: float, min_size: float, pitch: float,
                     max_cols: int) -> tuple[float, int, list[str]]:
    """(size, columns, cells): the largest size at which the text fits in 1..max_cols columns."""
    best: tuple[float, int, list[str]] | None = None
    for cols in range(1, max_cols + 1):
        col_w = box.w / cols * (0.86 if cols > 1 else 1.0)  # room between columns
        s = max(min(size, col_w), 0.5)
        while True:
            cells = _vertical_cells(text, font, s, col_w)
            per_col = max(int(box.h // (s * pitch)), 1)
            fits = all(width(t, font, s) <= col_w for t in cells) and len(cells) <= per_col * cols
            if fits or s <= min_size:
                break
            s = max(min_size, s - 0.5)
        if fits and (best is None or s > best[0] * 1.15):
            best = (s, cols, cells)
        if best is None and cols == max_cols:
            best = (s, cols, cells)
    assert best is not None
    return best


def draw_vertical(c: Canvas, text: str, font: str, box: Box, *, size: float, min_size: float = 5.0,
                  pitch: float = 1.08, max_cols: int = 3) -> float:
    """Vertical Chinese text in a narrow ``box``, columns right to left, centred; shrinks (or takes a second
    column when that reads larger), and ends in a vertical "⋮" if even the smallest size is too long."""
    text = _vertical_text("".join(text.split()), font)
    if not text:
        return size
    s, cols, cells = _vertical_layout(text, font, box, size, min_size, pitch, max_cols)
    col_w = box.w / cols
    cells = [truncate(t, font, s, col_w) for t in cells]
    per_col = max(int(box.h // (s * pitch)), 1)
    cut = len(cells) > per_col * cols
    if cut:
        cells = cells[:per_col * cols - 1]
    n_cols = max(-(-(len(cells) + cut) // per_col), 1)
    rows = per_col if n_cols > 1 else len(cells) + cut
    below, above = extent(font, s)
    top = box.cy + rows * s * pitch / 2
    used_w = n_cols * col_w
    c.setFont(font, s)
    for k, cell in enumerate(cells):
        col, row = divmod(k, per_col)
        cx = box.cx + used_w / 2 - (col + 0.5) * col_w  # first column on the right
        base = top - row * s * pitch - (s * pitch - (above + below)) / 2 - above
        c.drawCentredString(cx, base, cell)
    if cut:  # three dots standing up, drawn: no font has to carry "︙"
        col, row = divmod(len(cells), per_col)
        cx = box.cx + used_w / 2 - (col + 0.5) * col_w
        cell_top = top - row * s * pitch
        for k in (0.25, 0.5, 0.75):
            c.circle(cx, cell_top - s * pitch * k, s * 0.07, stroke=0, fill=1)
    return s
