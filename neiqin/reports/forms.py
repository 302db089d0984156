"""Printed forms: building blocks for one-off documents, and the 公文-style page (GB/T 9704-2012).

:class:`FormDoc` is a page with a cursor moving down and the blocks offices print: a title block with 单位名称,
a grid of labelled fields, tables whose rows continue across pages under a repeated header, signature lines
(经办人 / 审批人 / 日期) and ``第 N 页 共 M 页`` on every page (drawn at save time, when the count is known).
:class:`GongwenDoc` sets text on the 公文 grid — A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 22 lines of
28 characters, 3号仿宋 body, 2号小标宋 title, ``— N —`` page numbers — for minutes, notices and the like.

Both write through :func:`neiqin.reports.atomic_output`; no Qt here.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from neiqin.reports import Cancelled, atomic_output
from neiqin.reports.fonts import font_for
from neiqin.reports.labels import Box, draw_aligned, draw_text, extent, truncate, width
from neiqin.reports.table_layout import ColumnStats, Widths, fit_size, tokens, wrap

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

MIN_TEXT = 6.0
MIN_TABLE_TEXT = 7.5  # a list's table text shrinks no further to hold its columns


# ---------------------------------------------------------------------------------------------- page count


class NumberedCanvas(Canvas):
    """A canvas that keeps its pages until ``save()``, then calls ``footer(canvas, page, pages)`` on each."""

    def __init__(self, *args, footer: Callable[[Canvas, int, int], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pending.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._pending)
        for n, state in enumerate(self._pending, 1):
            self.__dict__.update(state)
            if self._footer is not None:
                self._footer(self, n, pages)
            Canvas.showPage(self)
        Canvas.save(self)


def page_x_of_y(c: Canvas, page: int, pages: int, *, y: float = 10 * mm) -> None:
    c.setFont(font_for("body"), 9)
    c.setFillGray(0)
    c.drawCentredString(c._pagesize[0] / 2, y, f"第 {page} 页 共 {pages} 页")


# ---------------------------------------------------------------------------------------------- form blocks


@dataclass(frozen=True)
class TableColumn:
    header: str
    weight: float = 1.0  # share of the width left to the text columns
    align: str = "left"  # left / center / right
    # text (wraps), a fixed format that never wraps (date, datetime, time, number, amount, id, code, name),
    # "check": an empty box to tick by hand, "sign": a cell to sign or write in by hand (at least SIGN_W × SIGN_H)
    kind: str = "text"


SIGN_W = 25 * mm  # a cell or line to sign on by hand is at least this wide …
SIGN_H = 10 * mm  # … and this high


class FormDoc:
    """A form being written: ``y`` is the top of the free space on the current page (points from the bottom)."""

    def __init__(self, path: str | os.PathLike, *, title: str, org_name: str = "", pagesize=A4,
                 margins: tuple[float, float, float, float] = (15 * mm, 16 * mm, 15 * mm, 18 * mm),
                 running_head: str = ""):
        """``margins`` are left, top, right, bottom; the footer sits in the bottom margin."""
        self.c = NumberedCanvas(str(path), pagesize=pagesize, footer=self._footer, initialFontName=font_for("body"))
        self.c.setTitle(title)
        self.c.setAuthor(org_name)
        self.c.setCreator("内勤台账")
        w, h = pagesize
        left, top, right, bottom = margins
        self.frame = Box(left, bottom, w - left - right, h - top - bottom)
        self.y = self.frame.top
        self.page = 1
        self.running_head = running_head
        self.body = font_for("body")
        self.head = font_for("heading")
        self.title_font = font_for("title")
        # where the last line, row or block drawn starts: (page, its first drawing operation, its top, a function
        # redrawing what must stand above it on a new page — a table's header — or None)
        self._last: tuple[int, int, float, Callable[[], None] | None] | None = None

    # ---- pages

    def _footer(self, c: Canvas, page: int, pages: int) -> None:
        page_x_of_y(c, page, pages, y=self.frame.y - 10 * mm)

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = self.frame.top
        if self.running_head:
            box = Box(self.frame.x, self.y - 14, self.frame.w, 14)
            draw_text(self.c, f"{self.running_head}（续）", self.head, box, size=10, min_size=MIN_TEXT)
            self.y -= 20

    def ensure(self, h: float) -> None:
        """Start a new page unless ``h`` points still fit on this one; what is drawn next starts a block."""
        if self.y - h < self.frame.y:
            self.new_page()
        self.mark()

    def mark(self, redraw: Callable[[], None] | None = None) -> None:
        """What is drawn from here on is one block (a line, a table row) that a closing block may take along."""
        self._last = (self.page, len(self.c._code), self.y, redraw)

    def keep_with_previous(self, h: float) -> None:
        """Room for a closing block ``h`` points high (signatures, 落款, totals) that must not stand alone: when it
        does not fit, the last line or row drawn moves to the next page with it (a row under its header again)."""
        if self.y - h >= self.frame.y:
            return
        last = self._last
        if last is None or last[0] != self.page or last[2] >= self.frame.top - 1:
            self.new_page()
            return
        _, start, top, redraw = last
        code = self.c._code
        moved = code[start:]
        del code[start:]
        used = top - self.y
        self.new_page()
        if redraw is not None:
            redraw()
        code.append(f"q 1 0 0 1 0 {self.y - top:.3f} cm")
        code.extend(moved)
        code.append("Q")
        self.y -= used

    def skip(self, h: float) -> None:
        self.y -= h

    def save(self) -> int:
        self.c.showPage()
        pages = len(self.c._pending)
        self.c.save()
        return pages

    # ---- blocks

    def title_block(self, title: str, org_name: str = "", *, number: str = "", subtitle: str = "") -> None:
        """单位名称 over the title, then a line with the subtitle (left) and the document number (right)."""
        f = self.frame
        if org_name:
            box = Box(f.x, self.y - 16, f.w, 16)
            draw_text(self.c, org_name, self.head, box, size=13, min_size=MIN_TEXT, align="center")
            self.y -= 20
        box = Box(f.x, self.y - 26, f.w, 26)
        draw_text(self.c, title, self.title_font, box, size=22, min_size=10, align="center")
        self.y -= 32
        if subtitle or number:
            box = Box(f.x, self.y - 13, f.w, 13)
            if number:
                right, box = box.take_right(min(f.w * 0.4, width(number, self.body, 10) + 2))
                draw_text(self.c, number, self.body, right, size=10, min_size=MIN_TEXT, align="right")
            if subtitle:
                draw_text(self.c, subtitle, self.body, box, size=10, min_size=MIN_TEXT)
            self.y -= 17

    def field_grid(self, fields: Sequence[tuple[str, str]], *, cols: int = 2, label_w: float = 22 * mm,
                   row_h: float = 9 * mm, size: float = 10.5, wide: Iterable[str] = ()) -> None:
        """Ruled label/value cells, ``cols`` pairs a row; labels in ``wide`` take a whole row (and may wrap)."""
        f, c = self.frame, self.c
        wide = set(wide)
        rows: list[list[tuple[str, str]]] = []
        for label, value in fields:
            if label in wide:
                rows.append([(label, value)])
            elif rows and len(rows[-1]) < cols and rows[-1][0][0] not in wide:
                rows[-1].append((label, value))
            else:
                rows.append([(label, value)])
        pair_w = f.w / cols
        c.setLineWidth(0.6)
        for row in rows:
            tall = row[0][0] in wide
            value_w = f.w - label_w if tall else pair_w - label_w
            h = row_h
            lines: list[str] = []
            if tall:
                lines = wrap(row[0][1] or "", value_w - 6, Widths(self.body, size), 4)
                h = max(row_h, len(lines) * size * 1.3 + 10)
            self.ensure(h)
            top = self.y
            for i, (label, value) in enumerate(row):
                x = f.x + i * pair_w
                span_w = f.w if tall else pair_w
                if not tall and i == len(row) - 1:
                    span_w = f.x + f.w - x  # the last pair of a short row fills the line
                c.setFillGray(0.93)
                c.rect(x, top - h, label_w, h, stroke=0, fill=1)
                c.setFillGray(0)
                c.rect(x, top - h, span_w, h, stroke=1, fill=0)
                c.line(x + label_w, top - h, x + label_w, top)
                draw_text(c, label, self.head, Box(x + 3, top - h, label_w - 6, h), size=size, min_size=MIN_TEXT,
                          align="center")
                vbox = Box(x + label_w + 3, top - h, span_w - label_w - 6, h)
                if tall:
                    _draw_wrapped(c, lines, self.body, size, vbox)
                else:
                    draw_text(c, value or "", self.body, vbox, size=size, min_size=MIN_TEXT)
            self.y -= h

    def table(self, columns: Sequence[TableColumn], rows: Iterable[Sequence[str]], *, size: float = 10,
              max_lines: int = 3, header_fill: float = 0.9, progress: ProgressFn | None = None,
              cancelled: CancelFn | None = None, total: int = 0, min_row_h: float = 0.0) -> int:
        """A ruled table; rows wrap in their cells (at most ``max_lines``) and continue on the next page under
        a repeated header; a row is never split. Column widths come from the content (see table_layout): a
        fixed-format column is as wide as its widest value, text columns share the rest. ``min_row_h`` gives
        rows room to write in (a table with a "sign" column: SIGN_H). Returns the number of rows drawn."""
        f, c = self.frame, self.c
        rows = [list(r) for r in rows]
        size, xs = self._columns(columns, rows, size)
        pad = size * 0.35
        widths = Widths(self.body, size)
        head_widths = Widths(self.head, size)
        leading = size * 1.25
        header_lines = [wrap(col.header, xs[i + 1] - xs[i] - 2 * pad, head_widths, 3, header=True)
                        for i, col in enumerate(columns)]
        header_h = max(len(x) for x in header_lines) * leading + 2 * pad

        def header() -> None:
            c.setFillGray(header_fill)
            c.rect(f.x, self.y - header_h, f.w, header_h, stroke=0, fill=1)
            c.setFillGray(0)
            for i, lines in enumerate(header_lines):
                _draw_wrapped(c, lines, self.head, size, Box(xs[i] + pad, self.y - header_h, xs[i + 1] - xs[i]
                                                                - 2 * pad, header_h), align="center")
            self._rules(xs, self.y, self.y - header_h)
            self.y -= header_h

        self.ensure(header_h + leading + 2 * pad)
        header()
        n = 0
        for n, row in enumerate(rows, 1):
            if n % 100 == 1:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None:
                    progress(n - 1, total)
            cells = []
            for i, (col, value) in enumerate(zip(columns, row, strict=True)):
                avail = xs[i + 1] - xs[i] - 2 * pad
                cells.append([] if col.kind == "check" else
                             [truncate(s, self.body, size, avail) for s in wrap(value or "", avail, widths,
                                                                                  max_lines)])
            h = max(1, *(len(x) for x in cells)) * leading + 2 * pad
            if any(col.kind == "sign" for col in columns):
                h = max(h, min_row_h or SIGN_H)
            elif min_row_h:
                h = max(h, min_row_h)
            if self.y - h < f.y:
                self.new_page()
                header()
            self.mark(header)
            for i, (col, lines) in enumerate(zip(columns, cells, strict=True)):
                cell = Box(xs[i] + pad, self.y - h, xs[i + 1] - xs[i] - 2 * pad, h)
                if col.kind == "check":
                    side = min(size * 1.1, cell.w, h - 2 * pad)
                    c.setLineWidth(0.8)
                    c.rect(cell.cx - side / 2, cell.cy - side / 2, side, side, stroke=1, fill=0)
                else:
                    _draw_wrapped(c, lines, self.body, size, cell, align=col.align, leading=leading,
                                  valign="top" if len(lines) > 1 else "middle", pad=pad)
            self._rules(xs, self.y, self.y - h)
            self.y -= h
        return n

    def _columns(self, columns: Sequence[TableColumn], rows: Sequence[Sequence[str]],
                 size: float) -> tuple[float, list[float]]:
        """(font size, column edges) for ``rows``: the largest size up to ``size`` at which the fixed columns
        and every unbreakable token fit."""
        measured_at = 10.0
        stats = ColumnStats(Widths(self.body, measured_at), Widths(self.head, measured_at),
                            [col.header for col in columns], [col.kind not in ("text", "sign") for col in columns],
                            [col.weight for col in columns], want_quantile=1.0)
        for row in rows:
            stats.add_row([(v or "") if col.kind != "check" else ""
                           for col, v in zip(columns, row, strict=True)])
        needs = stats.finish()
        for col, need in zip(columns, needs, strict=True):
            if col.kind == "sign":
                need.points = SIGN_W
            elif col.kind == "check":
                need.least = max(need.least, 11.0)
        size, col_w = fit_size(self.frame.w, needs, measured_at, size, min(size, MIN_TABLE_TEXT), 0.35)
        xs = [self.frame.x]
        for w in col_w:
            xs.append(xs[-1] + w)
        return size, xs

    def _rules(self, xs: list[float], top: float, bottom: float) -> None:
        c = self.c
        c.setLineWidth(0.5)
        c.setStrokeGray(0)
        c.lines([(xs[0], top, xs[-1], top), (xs[0], bottom, xs[-1], bottom),
                 *((x, top, x, bottom) for x in xs)])

    def signatures(self, labels: Sequence[str] = ("经办人", "审批人", "日期"), *, size: float = 11,
                   gap: float = 12 * mm) -> None:
        """Signature lines spread across the width: ``经办人：________``."""
        f, c = self.frame, self.c
        h = size * 2.2
        self.keep_with_previous(gap + h)
        self.y -= gap
        part = f.w / len(labels)
        c.setLineWidth(0.6)
        for i, label in enumerate(labels):
            x = f.x + i * part
            text = f"{label}："
            tw = width(text, self.head, size)
            draw_text(c, text, self.head, Box(x, self.y - h, tw + 1, h), size=size, min_size=MIN_TEXT)
            line_end = x + part - 6 * mm
            c.line(x + tw + 2, self.y - h / 2 - size * 0.45, line_end, self.y - h / 2 - size * 0.45)
        self.y -= h

    def note(self, text: str, *, size: float = 9) -> None:
        lines = wrap(text, self.frame.w, Widths(self.body, size), 20)
        h = len(lines) * size * 1.35 + 4
        self.ensure(h)
        _draw_wrapped(self.c, lines, self.body, size, Box(self.frame.x, self.y - h, self.frame.w, h),
                      valign="top", leading=size * 1.35)
        self.y -= h


def _draw_wrapped(c: Canvas, lines: Sequence[str], font: str, size: float, box: Box, *, align: str = "left",
                  leading: float | None = None, valign: str = "middle", pad: float = 0.0) -> None:
    if not lines:
        return
    leading = leading or size * 1.25
    below, above = extent(font, size)
    block = below + above + (len(lines) - 1) * leading
    base = box.top - pad - above if valign == "top" else box.cy + block / 2 - above
    c.setFont(font, size)
    for line in lines:
        draw_aligned(c, box, base, line, align)
        base -= leading


@contextmanager
def form_document(path: str | os.PathLike, **kwargs) -> Iterator[FormDoc]:
    """``with form_document(path, title=…) as doc:`` — the PDF appears at ``path`` only if the block succeeds."""
    with atomic_output(path) as tmp:
        doc = FormDoc(tmp, **kwargs)
        yield doc
        doc.save()


def format_moment(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


# ---------------------------------------------------------------------------------------------- 公文 page

GW_PAGE_W, GW_PAGE_H = A4
GW_TOP = 37 * mm  # 天头
GW_LEFT = 28 * mm  # 订口
GW_BLOCK_W = 156 * mm  # 版心
GW_BLOCK_H = 225 * mm
GW_LINES = 22
GW_CHARS = 28
GW_BODY = 16.0  # 3号
GW_TITLE = 22.0  # 2号
GW_PAGE_NO = 14.0  # 4号
GW_PAGE_NO_GAP = 7 * mm  # 页码一字线上距版心下边缘
GW_PITCH = GW_BLOCK_H / GW_LINES  # one line of the grid
GW_CELL = GW_BLOCK_W / GW_CHARS  # one character of the grid
RED = (0.9, 0.0, 0.07)  # 红色 of the 版头 and 纪要标志
_INDENT = "\ue001"  # a private-use placeholder one grid cell wide: first-line indent survives wrapping


# where a 公文 title may break, best first: before 的 (…的通知), around a book title, after 关于 and the verbs that
# follow it, before the kind of document
_TITLE_AFTER = ("》", "关于", "召开", "印发", "转发", "开展", "做好", "加强", "、", "和", "及", "年", "季度")
_TITLE_BEFORE = ("的", "《", "会议", "工作", "纪要", "通知", "报告", "决定", "意见", "方案", "办法", "规定", "请示",
                 "批复", "函", "（")


def title_lines(text: str, avail: float, widths: Widths) -> list[str]:
    """A 公文 title in lines no wider than ``avail``: broken between words — before 的, around 《》, after 关于 and its
    verb, before the document kind, never inside a date or number — in lines as even as possible, the upper
    ones the longer (梯形)."""
    if widths.of(text) <= avail or len(text) < 4:
        return [text]
    cuts = set()
    for word in _TITLE_AFTER:
        i = text.find(word)
        while i >= 0:
            cuts.add(i + len(word))
            i = text.find(word, i + 1)
    for word in _TITLE_BEFORE:
        i = text.find(word)
        while i >= 0:
            cuts.add(i)
            i = text.find(word, i + 1)
    pos, bounds = 0, set()  # token boundaries (a date or number is one token)
    for tok in tokens(text, words=False):
        pos += len(tok)
        bounds.add(pos)
    cuts = sorted(c for c in cuts & bounds if 1 < c < len(text) - 1)
    best: list[str] | None = None
    best_score = None
    for c in cuts:
        head, tail = text[:c], text[c:]
        if widths.of(tail) > avail:
            rest = title_lines(tail, avail, widths)
        else:
            rest = [tail]
        if widths.of(head) > avail or not rest or any(widths.of(x) > avail for x in rest):
            continue
        lines = [head, *rest]
        ws = [widths.of(x) for x in lines]
        score = (len(lines), max(ws) - min(ws) + (0 if ws[0] >= ws[-1] else widths.size))
        if best_score is None or score < best_score:
            best, best_score = lines, score
    return best or wrap(text, avail, widths, 10, words=False)


def ink_bounds(font_name: str, ch: str) -> tuple[float, float]:
    """(bottom, top) of the glyph's ink above the baseline, in ems, read from the TrueType ``glyf`` table; for
    a font without outlines here, where a dash sits in most CJK fonts."""
    try:
        face = pdfmetrics.getFont(font_name).face
        glyph = face.charToGlyph[ord(ch)]
        pos = face.table["glyf"]["offset"] + face.glyphPos[glyph]
        _, _, y_min, _, y_max = struct.unpack(">hhhhh", face._ttf_data[pos:pos + 10])
        return y_min / face.unitsPerEm, y_max / face.unitsPerEm
    except (AttributeError, KeyError, IndexError, TypeError, struct.error):
        return 0.28, 0.32


class _GridWidths(Widths):
    """Character widths on the 公文 grid: each character's advance plus the (negative) character spacing that
    makes 28 full-width characters fill the 156 mm line exactly."""

    def __init__(self, font_name: str, size: float, char_space: float):
        super().__init__(font_name, size)
        self.char_space = char_space

    def __missing__(self, ch: str) -> float:
        w = self[ch] = GW_CELL if ch == _INDENT else self.font.stringWidth(ch, self.size) + self.char_space
        return w


class GongwenDoc:
    """Text set on the GB/T 9704 grid: 22 lines per page, 28 characters per line, page numbers ``— N —``.

    Call the block methods in reading order; each takes whole grid lines and breaks pages by itself.
    """

    def __init__(self, path: str | os.PathLike, *, title: str = "", author: str = ""):
        self.c = Canvas(str(path), pagesize=A4, initialFontName=font_for("fangsong"))
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setCreator("内勤台账")
        self.block = Box(GW_LEFT, GW_PAGE_H - GW_TOP - GW_BLOCK_H, GW_BLOCK_W, GW_BLOCK_H)
        self.line = 0  # next free grid line on this page
        self.page = 1
        self._last: tuple[int, int, int] | None = None  # (page, first drawing operation, grid line) of the last line
        self.fonts = {"fangsong": font_for("fangsong"), "heading": font_for("heading"), "kai": font_for("kai"),
                      "title": font_for("title"), "body": font_for("body")}

    # ---- grid

    def _baseline(self, line: int, font: str, size: float) -> float:
        below, above = extent(font, size)
        bottom = self.block.top - (line + 1) * GW_PITCH
        return bottom + (GW_PITCH - below - above) / 2 + below

    def _next_line(self) -> int:
        if self.line >= GW_LINES:
            self._end_page()
        n = self.line
        self.line += 1
        self._last = (self.page, len(self.c._code), n)
        return n

    def _keep_with_previous(self, lines: int) -> None:
        """Room for ``lines`` grid lines that must not stand alone (落款): if they do not fit, the last line of
        text moves to the next page with them."""
        if self.line + lines <= GW_LINES:
            return
        last = self._last
        if last is None or last[0] != self.page or last[2] == 0:
            self._end_page()
            return
        _, start, line = last
        code = self.c._code
        moved = code[start:]
        del code[start:]
        used = self.line - line
        self._end_page()
        code = self.c._code
        code.append(f"q 1 0 0 1 0 {line * GW_PITCH:.3f} cm")
        code.extend(moved)
        code.append("Q")
        self.line = used

    def _end_page(self) -> None:
        self._page_number()
        self.c.showPage()
        self.page += 1
        self.line = 0

    def _page_number(self) -> None:
        """``— N —`` in 4号: the dashes' top edge 7 mm below the 版心 (GB/T 9704-2012 7.5), odd pages right, even
        pages left, one character in from the edge."""
        font = self.fonts["body"]
        text = f"— {self.page} —"
        _, dash_top = ink_bounds(font, "—")
        base = self.block.y - GW_PAGE_NO_GAP - dash_top * GW_PAGE_NO
        self.c.setFont(font, GW_PAGE_NO)
        self.c.setFillGray(0)
        if self.page % 2:
            self.c.drawRightString(self.block.right - GW_PAGE_NO, base, text)
        else:
            self.c.drawString(self.block.x + GW_PAGE_NO, base, text)

    def _set_lines(self, text: str, role: str, *, first: int = 0, rest: int = 0, align: str = "left",
                   size: float = GW_BODY, right: float = 0) -> None:
        """Wrap ``text`` on the grid: the first line starts ``first`` cells in, later lines ``rest`` cells;
        right-aligned lines end ``right`` cells before the edge."""
        font = self.fonts[role]
        # body sizes sit on the 28-character grid; the larger title keeps its own spacing
        char_space = GW_CELL - pdfmetrics.stringWidth("中", font, size) if size <= GW_BODY else 0.0
        widths = _GridWidths(font, size, char_space)
        avail = GW_BLOCK_W - (rest + right) * GW_CELL + 0.01
        lead = _INDENT * max(first - rest, 0)
        for line in wrap(lead + text, avail, widths, 10_000, words=False):
            cells = rest + len(line) - len(line.lstrip(_INDENT))
            line = line.lstrip(_INDENT)
            y = self._baseline(self._next_line(), font, size)
            t = self.c.beginText()
            t.setFont(font, size)
            t.setCharSpace(char_space)
            w = sum(widths[ch] for ch in line) - char_space
            if align == "center":
                x = self.block.cx - w / 2
            elif align == "right":
                x = self.block.right - right * GW_CELL - w
            else:
                x = self.block.x + cells * GW_CELL
            t.setTextOrigin(x, y)
            t.textOut(line)
            self.c.drawText(t)

    # ---- blocks

    def title(self, text: str, *, red: bool = False) -> None:
        """2号小标宋 title, centred, then one blank line. A title too long for one line breaks between words
        (title_lines), the upper line the longer; ``red``: a 纪要标志 in red."""
        font = self.fonts["title"]
        widths = Widths(font, GW_TITLE)
        if red:
            self.c.setFillColorRGB(*RED)
        for line in title_lines(text, GW_BLOCK_W, widths):
            self._set_lines(line, "title", align="center", size=GW_TITLE)
        if red:
            self.c.setFillGray(0)
        self.blank()

    def addressee(self, text: str) -> None:
        """主送机关: flush left, ending in a full-width colon."""
        self._set_lines(text.rstrip("：:") + "：", "fangsong")

    def paragraph(self, text: str) -> None:
        """Body text in 3号仿宋, first line indented two characters."""
        self._set_lines(text, "fangsong", first=2)

    def heading(self, text: str, level: int = 1) -> None:
        """一、 in 黑体; （一） in 楷体; 1. and (1) in 仿宋 — each indented two characters."""
        role = {1: "heading", 2: "kai"}.get(level, "fangsong")
        self._set_lines(text, role, first=2)

    def labelled(self, label: str, text: str) -> None:
        """纪要 lines such as ``出席：`` in 黑体 followed by names in 仿宋, continuation lines under the names."""
        label = label.rstrip("：:") + "："
        cells = len(label) + 2
        line = self._next_line()
        font = self.fonts["heading"]
        char_space = GW_CELL - pdfmetrics.stringWidth("中", font, GW_BODY)
        t = self.c.beginText()
        t.setFont(font, GW_BODY)
        t.setCharSpace(char_space)
        t.setTextOrigin(self.block.x + 2 * GW_CELL, self._baseline(line, font, GW_BODY))
        t.textOut(label)
        self.c.drawText(t)
        self.line -= 1  # the names start on the same grid line, after the label
        self._set_lines(text, "fangsong", first=cells, rest=cells)

    def blank(self, lines: int = 1) -> None:
        for _ in range(lines):
            if self.line < GW_LINES:
                self.line += 1

    def signature(self, org: str, day: dt.date) -> None:
        """落款: 成文日期 in Arabic numerals without leading zeros, 右空四字; 发文机关 centred above it. Never alone
        on a page: the last line of text comes along."""
        self._keep_with_previous(3 if org else 2)
        self.blank()
        date = f"{day.year}年{day.month}月{day.day}日"
        font = self.fonts["fangsong"]
        char_space = GW_CELL - pdfmetrics.stringWidth("中", font, GW_BODY)
        widths = _GridWidths(font, GW_BODY, char_space)
        date_w = sum(widths[ch] for ch in date) - char_space
        org_w = sum(widths[ch] for ch in org) - char_space
        # 成文日期 右空四字 always; 发文机关署名 centred over the date (a longer name reaches further right, never
        # past the edge)
        self._set_lines(org, "fangsong", align="right", right=max(4 - (org_w - date_w) / 2 / GW_CELL, 0))
        self._set_lines(date, "fangsong", align="right", right=4)

    def finish(self) -> int:
        self._page_number()
        self.c.showPage()
        self.c.save()
        return self.page


@contextmanager
def gongwen_document(path: str | os.PathLike, **kwargs) -> Iterator[GongwenDoc]:
    with atomic_output(path) as tmp:
        doc = GongwenDoc(tmp, **kwargs)
        yield doc
        doc.finish()
