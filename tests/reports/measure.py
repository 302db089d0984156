"""Measuring a printed PDF with pdfplumber: what a clerk reads (tokens broken across lines, 序号 order, a page holding
only a closing block) and writes on (signature cells), and whether every font is embedded.

The table cells come from the ruled lines of the page (pdfplumber's "lines" strategy), each cell's text with its
line breaks; a token is broken when a line break falls inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4

# 避头尾 (the same sets the layout follows)
NO_START = set("，。、；：？！）》」』】〕〉”’…·%,.;:?!)]}")
NO_END = set("（《「『【〔〈“‘([{")
NUMERIC = set("0123456789")
CODE = set("0123456789-.:/*")
GLUED = set("号年月日元件份条时分")  # a unit glued to the number before it (收〔2026〕150号, 12月)
SEPARATORS = re.compile(r"[、，,；;/／\s（）()：:]+")
CJK = re.compile(r"^[\u3400-\u9fff]{2,4}$")
DATE_END = re.compile(r"\d{4}-\d{2}-\d{2}$")
TIME_START = re.compile(r"^\d{1,2}:\d{2}")
FOOTER = re.compile(r"^(第\s*\d+\s*页\s*共\s*\d+\s*页|—\s*\d+\s*—)$")
CLOSING = re.compile(r"(签字|签名|签收|签章|盖章|经办人|审批人|审核人|负责人|领用人|申请人|接班人|交班人|记录人|主持人|"
                     r"日期|年\s*月\s*日|^\d{4}年\d{1,2}月\d{1,2}日$|^_+$|^[（(]?(续)[)）]?)")
SIGN_HEADERS = ("签字", "签名", "签到")


@dataclass
class Broken:
    page: int
    left: str
    right: str
    why: str

    def __str__(self) -> str:
        return f"p{self.page} {self.why}: {self.left[-12:]}⏎{self.right[:12]}"


def break_faults(left: str, right: str, names: frozenset[str] = frozenset(), header: bool = False) -> list[str]:
    """Why the line break between ``left`` and ``right`` (within one cell) breaks a token; [] if it does not.

    ``names`` are the people's names of the data (a name of up to four characters is one token); in a header
    row any word of two to four characters split so that one character stands alone counts.
    """
    if not left or not right:
        return []
    a, b = left[-1], right[0]
    why = []
    if a in NUMERIC and (b in NUMERIC or b in GLUED) or (a in CODE and b in CODE and (a in NUMERIC or b in NUMERIC)):
        why.append("number")
    if DATE_END.search(left) and TIME_START.search(right):
        why = ["date-time"]
    if a in NO_END:
        why.append("避尾")
    if b in NO_START:
        why.append("避头")
    joined = left + right
    cut = len(left)
    pos = 0
    for seg in SEPARATORS.split(joined):
        start = joined.find(seg, pos)
        end = start + len(seg)
        pos = end
        if seg and start < cut < end and CJK.match(seg) and (
                seg in names or header and (cut - start == 1 or end - cut == 1)):
            why.append("name" if seg in names else "header")
    return why


@dataclass
class Table:
    page: int
    header: list[str]
    rows: list[list[str]]  # body rows: cell text with "\n" between lines
    row_boxes: list[list[tuple[float, float, float, float]]]  # (x0, top, x1, bottom) of each body cell


@dataclass
class Measure:
    path: Path
    pages: int = 0
    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    page_lines: list[list[str]] = field(default_factory=list)  # text lines of each page
    broken: list[Broken] = field(default_factory=list)

    def column(self, header: str) -> list[str]:
        """Every body cell under ``header``, page after page."""
        out = []
        for t in self.tables:
            if header in t.header:
                i = t.header.index(header)
                out.extend(r[i] for r in t.rows if i < len(r))
        return out


def _clean(s: str | None) -> str:
    return (s or "").strip()


def measure(path: Path, names: frozenset[str] = frozenset()) -> Measure:
    m = Measure(path)
    with pdfplumber.open(path) as pdf:
        m.pages = len(pdf.pages)
        for n, page in enumerate(pdf.pages, 1):
            m.page_sizes.append((float(page.width), float(page.height)))
            m.page_lines.append([ln["text"] for ln in page.extract_text_lines()])
            for t in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                grid = t.extract()
                if not grid:
                    continue
                boxes = [[c for c in row.cells] for row in t.rows]
                header = [re.sub(r"\s+", "", _clean(h)) for h in grid[0]]
                body = [[_clean(c) for c in row] for row in grid[1:]]
                m.tables.append(Table(n, header, body, boxes[1:]))
                for r, row in enumerate(grid):
                    for cell in row:
                        lines = _clean(cell).split("\n")
                        for left, right in zip(lines, lines[1:], strict=False):
                            why = break_faults(left, right, names, header=r == 0)
                            if why:
                                m.broken.append(Broken(n, left, right, "+".join(why)))
    return m


def closing_only_pages(m: Measure, org_name: str = "") -> list[int]:
    """Pages (after the first) that hold nothing but a closing block: signatures, 落款, dates, the footer."""
    out = []
    for n, lines in enumerate(m.page_lines, 1):
        if n == 1:
            continue
        rest = [ln for ln in lines if not FOOTER.match(ln.strip()) and "（续）" not in ln]
        if not rest:
            out.append(n)
            continue
        if all(CLOSING.search(ln) or (org_name and ln.strip() == org_name) for ln in rest):
            out.append(n)
    return out


def signature_cells(m: Measure) -> list[tuple[str, float, float]]:
    """(header, width mm, height mm) of every body cell under a signature header (签字/签名/签到)."""
    out = []
    for t in m.tables:
        for i, h in enumerate(t.header):
            if len(h) <= 8 and any(s in h for s in SIGN_HEADERS):  # a column header, not a filled-in box
                for boxes in t.row_boxes:
                    box = boxes[i] if i < len(boxes) else None
                    if box is not None:
                        out.append((h, (box[2] - box[0]) / MM, (box[3] - box[1]) / MM))
    return out


def unembedded_fonts(path: Path) -> set[str]:
    """Names of fonts used by the PDF that are not embedded in it."""
    bad: set[str] = set()
    reader = PdfReader(path)
    for page in reader.pages:
        res = page.get("/Resources")
        fonts = res.get_object().get("/Font") if res else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descs = [font]
            if "/DescendantFonts" in font:
                descs = [d.get_object() for d in font["/DescendantFonts"]]
            for d in descs:
                fd = d.get("/FontDescriptor")
                fd = fd.get_object() if fd is not None else None
                if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    bad.add(str(font.get("/BaseFont")))
    return bad
