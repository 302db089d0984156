"""Printed registers (登记簿): a ledger's rows as an A4 landscape table, driven by its LedgerSpec columns.

Every page carries the organisation and register title, the filter description, the print time, the column
header row and ``第 N 页 共 M 页``. Long text wraps inside its cell and the row grows.

Speed: platypus tables and ``Paragraph(wordWrap='CJK')`` are far too slow for 10,000 rows (docs/TECH-NOTES.md), so this
module wraps text itself with cached per-character widths and draws on the canvas directly, one text object
per page. Two passes: the first measures every row (keeping only its wrapped lines, not the record) and places
page breaks, so the total page count is known; the second draws.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models.ledger import Column, LedgerQuery, LedgerSpec
from neiqin.reports import Cancelled, atomic_output, total_rows
from neiqin.reports.fonts import font_for
from neiqin.reports.table_layout import (
    FIXED_KINDS,
    RIGHT_KINDS,
    ColumnStats,
    Need,
    Widths,
    comfortable,
    fit_size,
    wrap,
)

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

PAGE_W, PAGE_H = landscape(A4)  # most registers; one whose columns all fit comfortably is printed upright
MARGIN_X = 10 * mm
MARGIN_TOP = 9 * mm
TABLE_BOTTOM = 13 * mm  # the footer sits below this line
FOOTER_Y = 6 * mm
TITLE_SIZE = 17.0
INFO_SIZE = 9.0
MIN_FONT, MAX_FONT = 7.0, 10.5
VOID_GREY = 0.55
VOID_MARK = "作废"
CHECK_EVERY = 250  # rows between progress/cancel checks
MEASURE_AT = 10.0  # pt: column needs are measured at this size and scaled
PAD_RATIO = 0.3  # cell padding as a fraction of the font size

SEQ_HEADER = "序号"


# ---------------------------------------------------------------------------------------------- text


# Widths and wrap live in table_layout (one layout for every register and list); imported here for the forms
# and labels that import them from this module.
# ---------------------------------------------------------------------------------------------- layout


@dataclass
class _Layout:
    body_font: str
    head_font: str
    title_font: str
    size: float
    leading: float
    pad_x: float
    pad_y: float
    col_x: list[float]  # left edge of each column, plus the right edge of the table
    aligns: list[str]
    header_lines: list[list[str]]
    header_h: float
    table_top: float  # top of the column header row
    body_bottom: float
    page_w: float = PAGE_W
    page_h: float = PAGE_H

    @property
    def body_top(self) -> float:
        return self.table_top - self.header_h

    @property
    def max_lines(self) -> int:
        return max(1, int((self.body_top - self.body_bottom - 2 * self.pad_y) // self.leading))

    def row_height(self, lines: int) -> float:
        return lines * self.leading + 2 * self.pad_y

    @property
    def baseline_offset(self) -> float:
        """From a row's top to its first baseline: padding plus the ascent, centred in the leading."""
        return self.pad_y + (self.leading - self.size) / 2 + self.size * 0.86


def column_stats(columns: Sequence[Column]) -> ColumnStats:
    """Needs of the printed columns, to be fed every row's printed texts (``add_row``)."""
    return ColumnStats(Widths(font_for("body"), MEASURE_AT), Widths(font_for("heading"), MEASURE_AT),
                       [c.header for c in columns], [c.print_kind in FIXED_KINDS for c in columns],
                       [c.width for c in columns])


def _layout(columns: Sequence[Column], total_rows: int, needs: Sequence[Need] | None = None) -> _Layout:
    """Page, font size and column widths for ``columns`` whose content needs ``needs`` (from column_stats).

    The 序号 column and every fixed-format column get their widest value; text columns share the rest by need.
    The page is upright when every column gets all it wants there at 10 pt, landscape otherwise; the font is
    the largest (up to 10.5 pt, less for many columns) at which every column gets at least its least width.
    """
    body, head, title = font_for("body"), font_for("heading"), font_for("title")
    bw, hw = Widths(body, MEASURE_AT), Widths(head, MEASURE_AT)
    if needs is None:
        stats = column_stats(columns)
        needs = stats.finish()
    seq = max(bw.of(str(max(total_rows, 1))), bw.of(VOID_MARK), hw.of(SEQ_HEADER))
    all_needs = [Need(True, 2, seq, seq, seq), *needs]
    page_w, page_h = PAGE_W, PAGE_H
    if comfortable(A4[0] - 2 * MARGIN_X, all_needs, MEASURE_AT, 10.0, PAD_RATIO):
        page_w, page_h = A4
    table_w = page_w - 2 * MARGIN_X
    units = sum(c.width for c in columns) + 4
    # Column.width counts Latin characters (Excel's unit): about half an em each, plus padding
    upper = min(MAX_FONT, max(MIN_FONT, round(table_w / units * 1.75 * 2) / 2))
    size, col_w = fit_size(table_w, all_needs, MEASURE_AT, upper, MIN_FONT, PAD_RATIO)
    pad_x, pad_y = size * PAD_RATIO, size * 0.25
    head_widths = Widths(head, size)
    col_x = [MARGIN_X]
    for w in col_w:
        col_x.append(col_x[-1] + w)
    leading = size * 1.25
    header_lines = [wrap(h, col_x[i + 1] - col_x[i] - 2 * pad_x, head_widths, 3, header=True)
                    for i, h in enumerate([SEQ_HEADER, *(c.header for c in columns)])]
    header_h = max(len(x) for x in header_lines) * leading + 2 * pad_y + 2
    table_top = page_h - MARGIN_TOP - TITLE_SIZE - 6 - INFO_SIZE - 8
    aligns = ["center", *("right" if c.print_kind in RIGHT_KINDS else c.align for c in columns)]
    return _Layout(body, head, title, size, leading, pad_x, pad_y, col_x, aligns, header_lines, header_h,
                   table_top, TABLE_BOTTOM, page_w, page_h)


# ---------------------------------------------------------------------------------------------- measuring


def _cell_fitters(L: _Layout, widths: Widths) -> list[Callable[[str], str | tuple[str, ...]]]:
    def fitter(avail: float):
        max_lines = L.max_lines
        w_of = widths.of

        def fit(s: str) -> str | tuple[str, ...]:
            if not s or (w_of(s) <= avail and "\n" not in s and "\t" not in s):
                return s
            lines = wrap(s, avail, widths, max_lines)
            return lines[0] if len(lines) == 1 else tuple(lines)
        return fit

    return [fitter(L.col_x[i + 1] - L.col_x[i] - 2 * L.pad_x) for i in range(len(L.col_x) - 1)]


# one measured row: (height, voided, cells); a cell is a str (one line) or a tuple of lines
Measured = tuple[float, bool, tuple]


# ---------------------------------------------------------------------------------------------- drawing


class _Painter:
    def __init__(self, canvas: Canvas, L: _Layout, title: str, info_left: str, info_right: str):
        self.c = canvas
        self.L = L
        self.title = title
        self.info_left = info_left
        self.info_right = info_right
        self.widths = Widths(L.body_font, L.size)
        self.head_widths = Widths(L.head_font, L.size)
        self.title_size = TITLE_SIZE
        table_w = L.col_x[-1] - L.col_x[0]
        while self.title_size > 10 and pdfmetrics.stringWidth(title, L.title_font, self.title_size) > table_w:
            self.title_size -= 0.5

    def page_frame(self, page: int, pages: int) -> None:
        c, L = self.c, self.L
        top = L.page_h - MARGIN_TOP
        c.setFillGray(0)
        c.setFont(L.title_font, self.title_size)
        c.drawCentredString(L.page_w / 2, top - self.title_size, self.title)
        info_y = top - TITLE_SIZE - 6 - INFO_SIZE
        c.setFont(L.body_font, INFO_SIZE)
        c.drawString(L.col_x[0], info_y, self.info_left)
        c.drawRightString(L.col_x[-1], info_y, self.info_right)
        c.drawCentredString(L.page_w / 2, FOOTER_Y, f"第 {page} 页 共 {pages} 页")
        # column header row
        c.setFillGray(0.9)
        c.rect(L.col_x[0], L.body_top, L.col_x[-1] - L.col_x[0], L.header_h, stroke=0, fill=1)
        c.setFillGray(0)
        t = c.beginText()
        t.setFont(L.head_font, L.size, L.leading)
        hw = self.head_widths
        for i, lines in enumerate(L.header_lines):
            block = len(lines) * L.leading
            y = L.body_top + (L.header_h + block) / 2 - (L.leading - L.size) / 2 - L.size * 0.86
            mid = (L.col_x[i] + L.col_x[i + 1]) / 2
            for line in lines:
                t.setTextOrigin(mid - hw.of(line) / 2, y)
                t.textOut(line)
                y -= L.leading
        c.drawText(t)

    def rows(self, rows: Sequence[Measured], first_no: int) -> None:
        c, L = self.c, self.L
        col_x, pad_x, aligns = L.col_x, L.pad_x, L.aligns
        lefts = [x + pad_x for x in col_x[:-1]]
        rights = [x - pad_x for x in col_x[1:]]
        mids = [(a + b) / 2 for a, b in zip(col_x, col_x[1:], strict=False)]
        special = [i for i, a in enumerate(aligns) if a in ("center", "right")]
        w_of = self.widths.of
        base_off = L.baseline_offset
        t = c.beginText()
        t.setFont(L.body_font, L.size, L.leading)
        origin, text_out, text_line = t.setTextOrigin, t.textOut, t.textLine
        y = L.body_top
        rules: list[tuple[float, float, float, float]] = []
        strikes: list[tuple[float, float, float, float]] = []
        for n, (h, voided, cells) in enumerate(rows, first_no):
            base = y - base_off
            if voided:
                t.setFillGray(VOID_GREY)
            cells = (str(n) if not voided else (str(n), VOID_MARK), *cells)
            for i, cell in enumerate(cells):
                if not cell:
                    continue
                if cell.__class__ is str:
                    if i in special:
                        w = w_of(cell)
                        origin(mids[i] - w / 2 if aligns[i] == "center" else rights[i] - w, base)
                    else:
                        origin(lefts[i], base)
                    text_out(cell)
                elif i in special:
                    yy = base
                    for line in cell:
                        w = w_of(line)
                        origin(mids[i] - w / 2 if aligns[i] == "center" else rights[i] - w, yy)
                        text_out(line)
                        yy -= L.leading
                else:
                    origin(lefts[i], base)
                    for line in cell:
                        text_line(line)
            if voided:
                t.setFillGray(0)
                ys = base + L.size * 0.32  # through the middle of the first line
                strikes.append((col_x[1], ys, col_x[-1], ys))
            y -= h
            rules.append((col_x[0], y, col_x[-1], y))
        c.drawText(t)
        c.setLineWidth(0.4)
        c.setStrokeGray(0)
        rules.append((col_x[0], L.table_top, col_x[-1], L.table_top))
        rules.append((col_x[0], L.body_top, col_x[-1], L.body_top))
        rules.extend((x, L.table_top, x, y) for x in col_x)
        c.lines(rules)
        if strikes:
            c.setStrokeGray(VOID_GREY - 0.15)
            c.setLineWidth(0.6)
            c.lines(strikes)
            c.setStrokeGray(0)


@contextmanager
def binary_streams() -> Iterator[None]:
    """Compressed page streams without the ASCII85 layer: smaller files, and ≈10 % faster without rl_accel."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


# ---------------------------------------------------------------------------------------------- order, period


def register_query(spec: LedgerSpec, query: LedgerQuery) -> LedgerQuery:
    """The rows of ``query`` in 登记 order: a register (newest first on screen) prints its oldest record as 序号 1,
    in the order the records were entered; a directory (通讯录, 库存表: A→Z on screen) prints as shown."""
    if not spec.default_desc:
        return query
    return replace(query, sort=spec.default_sort or "id", desc=False)


def _cn_day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period_text(spec: LedgerSpec, query: LedgerQuery) -> str:
    """The period line: ``收文日期：全部``, ``2026年1月–12月``, ``2026年3月``, or ``2026年3月5日 至 2026年4月2日``."""
    label = f"{spec.date_label}：" if spec.date_field else "范围："
    a, b = query.date_from, query.date_to
    if not spec.date_field or (a is None and b is None):
        return label + "全部"
    if a is None:
        return f"{label}{_cn_day(b)}及以前"
    if b is None:
        return f"{label}{_cn_day(a)}起"
    whole = a.day == 1 and (b + dt.timedelta(days=1)).day == 1
    if whole and a.year == b.year:
        return label + (f"{a.year}年{a.month}月" if a.month == b.month else f"{a.year}年{a.month}月–{b.month}月")
    if whole:
        return f"{label}{a.year}年{a.month}月–{b.year}年{b.month}月"
    return f"{label}{_cn_day(a)} 至 {_cn_day(b)}"


def _info_left(spec: LedgerSpec, query: LedgerQuery, subtitle: str) -> str:
    """The period line, then what else the view was filtered by (the pane's description without its dates)."""
    period = period_text(spec, query)
    if query.date_from and query.date_to:  # the pane describes the range itself: say it once
        subtitle = subtitle.replace(f"{query.date_from:%Y年%m月%d日} 至 {query.date_to:%Y年%m月%d日}", "")
    rest = "　".join(p for p in subtitle.split("　") if p.strip() and p.strip() != period)
    return f"{period}　{rest}" if rest else period


# ---------------------------------------------------------------------------------------------- entry point


MAX_ROWS = 50_000


def write_register_pdf(spec: LedgerSpec, query: LedgerQuery, path: str | os.PathLike, *, org_name: str,
                       subtitle: str = "", progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None, columns: Sequence[str] | None = None,
                       printed_at: dt.datetime | None = None) -> int:
    """Write the register of ``spec`` for ``query`` to ``path``; return the number of pages.

    Rows print in 登记 order (序号 1 the oldest, see register_query) under the period line (period_text) and
    ``subtitle`` (the other filters); a row is never split across pages.

    ``columns`` limits the printed columns (keys, in ledger order by default). ``progress(done, total)`` is a
    fraction of the work (reading, measuring and drawing each count every row once); ``cancelled()`` returning True
    stops with :class:`Cancelled`. A failure or cancel never leaves a half-written PDF (see atomic_output).
    """
    cols = [c for c in spec.columns if columns is None or c.key in columns]
    query = register_query(spec, query)
    if not cols:
        raise NeiqinError("请至少选择一列打印")
    total = total_rows(spec, query)
    if total > MAX_ROWS:
        # reportlab keeps every page in memory until it saves (~2.7 MB per 1,000 rows, BENCHMARKS.md)
        raise NeiqinError(f"当前视图有 {total} 条记录，超过一次可打印的 {MAX_ROWS} 条。"
                          "请先缩小日期范围（例如按月）再打印。")
    steps = 3 * max(total, 1)

    def check(done: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled()
        if progress is not None:
            progress(done, steps)

    # pass 1: every row's printed text, and what each column needs
    displays = [c.display for c in cols]
    stats = column_stats(cols)
    add_row = stats.add_row
    texts: list[tuple[bool, tuple[str, ...]]] = []
    for i, row in enumerate(spec.iter_rows(query)):
        if i % CHECK_EVERY == 0:
            check(i)
        cells = tuple([display(row) for display in displays])
        add_row(cells)
        texts.append((bool(row.get("voided")), cells))
    count = len(texts)
    needs = stats.finish()
    sign_h = 0.0
    if any(c.fmt == "sign" for c in cols):  # a column signed by hand on paper: the forms' writing space
        from neiqin.reports.forms import SIGN_H, SIGN_W

        sign_h = SIGN_H
        for c, need in zip(cols, needs, strict=True):
            if c.fmt == "sign":
                need.points = SIGN_W
    L = _layout(cols, count, needs)
    widths = Widths(L.body_font, L.size)
    fits = _cell_fitters(L, widths)[1:]
    avail_h = L.body_top - L.body_bottom
    row_h = L.row_height
    one_line = row_h(1)

    # pass 2: wrap, paginate
    measured: list[Measured] = []
    pages: list[int] = [0]  # index of the first row of each page
    used = 0.0
    voided_count = 0
    for i, (voided, raw) in enumerate(texts):
        if i % CHECK_EVERY == 0:
            check(count + i)
        cells = tuple([fit(text) for fit, text in zip(fits, raw, strict=True)])
        lines = 1
        for cell in cells:
            if cell.__class__ is tuple and len(cell) > lines:
                lines = len(cell)
        if voided:
            lines = max(lines, 2)  # the 序号 cell shows "作废" under the number
            voided_count += 1
        h = max(one_line if lines == 1 else row_h(lines), sign_h)
        if used + h > avail_h and used > 0:
            pages.append(len(measured))
            used = 0.0
        used += h
        measured.append((h, voided, cells))
    del texts

    moment = printed_at or clock.now()
    info_right = f"共 {count - voided_count} 条" + (f"（另有作废 {voided_count} 条）" if voided_count else "")
    info_right += f"　打印时间：{moment:%Y-%m-%d %H:%M}"
    title = f"{org_name}{spec.title}" if org_name else spec.title

    # pass 2: draw
    n_pages = len(pages)
    bounds = [*pages, count]
    with atomic_output(path) as tmp, binary_streams():
        canvas = Canvas(str(tmp), pagesize=(L.page_w, L.page_h), initialFontName=L.body_font,
                        initialFontSize=L.size)
        canvas.setTitle(title)
        canvas.setAuthor(org_name)
        canvas.setCreator("内勤台账")
        painter = _Painter(canvas, L, title, _info_left(spec, query, subtitle), info_right)
        for p in range(n_pages):
            check(2 * count + bounds[p])
            painter.page_frame(p + 1, n_pages)
            painter.rows(measured[bounds[p]:bounds[p + 1]], bounds[p] + 1)
            if not count:
                canvas.setFont(L.body_font, L.size)
                canvas.drawCentredString(L.page_w / 2, L.body_top - 3 * L.leading, "（无记录）")
            canvas.showPage()
        del measured
        canvas.save()
    if progress is not None:
        progress(steps, steps)
    return n_pages
