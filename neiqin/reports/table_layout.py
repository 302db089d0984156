"""One table layout for every printed register and list: column widths from the content, wrapping at allowed
breaks only.

A column is either *fixed-format* (date, date-time, time, number, amount, ID, 单号/code, a short name) or free
text. A fixed column is as wide as its widest value and never wraps; free-text columns share what is left, each
by how much it needs, and never narrower than their widest unbreakable token. Text wraps between CJK characters
(避头尾: no closing punctuation at a line's start, no opening one at its end), at spaces, and never inside a date, a
date-time, a 文号 such as 收〔2026〕150号, a number with its unit (2026年1月, 15件), a code (LY2026-0215) or a word of
two to four CJK characters standing between punctuation (a name: 汤远子, 姚健、于敏明).

No Qt and no reportlab canvas here: widths come from :class:`Widths` (cached per-character advances of a
registered font), so registers, lists, forms and labels all break text the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics

ELLIPSIS = "…"

# 避头尾: these may not start a line / end a line
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…·%,.;:?!)]}")
NO_END = frozenset("（《「『【〔〈“‘([{")

FIXED_KINDS = frozenset({"date", "datetime", "time", "number", "amount", "id", "code", "name"})
RIGHT_KINDS = frozenset({"number", "amount"})


class Widths(dict):
    """Character → width in points for one font and size; each character is measured once."""

    def __init__(self, font_name: str, size: float):
        super().__init__()
        self.font = pdfmetrics.getFont(font_name)
        self.size = size

    def __missing__(self, ch: str) -> float:
        w = self[ch] = self.font.stringWidth(ch, self.size)
        return w

    def of(self, s: str) -> float:
        return sum(map(self.__getitem__, s))


_CJK = "\u3400-\u9fff\uf900-\ufaff"
_LATIN = "!-~\u00a0-\u02ff\u0370-\u04ff\u2030-\u2031\u2103\u00d7"
_UNIT = "号年月日时分秒元角件份条个次天人只张本盒箱卷包支套台把瓶册页"
# Tokens, in order of preference at each position: a run of spaces; a date or date-time; a 文号 (with the issuer's
# short name when it stands alone: 京建发〔2026〕12号); a Chinese date;
# a number or code with its unit (a space between allowed); a Latin word / number / code; a CJK word of two to four characters
# standing alone between non-CJK characters (a name); any other single character (CJK breaks anywhere).
_TOKEN = re.compile(
    r"[ \u3000]+"
    r"|\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    rf"|(?:(?<![{_CJK}])[{_CJK}]{{1,4}})?[〔\[［]\d{{4}}[〕\]］]\d+号"
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
    rf"|[{_LATIN}]*\d ?[{_UNIT}]"
    rf"|[{_LATIN}]+"
    rf"|(?<![{_CJK}])[{_CJK}]{{2,4}}(?![{_CJK}])"
    r"|.", re.S)
# the same without the CJK words (公文 body text on the grid, which breaks between any two characters)
_TOKEN_CHARS = re.compile(_TOKEN.pattern.replace(rf"|(?<![{_CJK}])[{_CJK}]{{2,4}}(?![{_CJK}])", ""), re.S)
# column headers: dates and numbers with units whole; a CJK run is cut into pieces of two or three characters
_HEAD_RUN = re.compile(
    r"[ \u3000]+|\d{4}年\d{1,2}月(?:\d{1,2}日)?"
    rf"|[{_LATIN}]*\d[{_UNIT}]|[{_LATIN}]+|[{_CJK}]+|.", re.S)


def header_tokens(text: str) -> list[str]:
    out = []
    for run in _HEAD_RUN.findall(text):
        n = len(run)
        if n <= 3 or not ("\u3400" <= run[0] <= "\u9fff" or "\uf900" <= run[0] <= "\ufaff"):
            out.append(run)
            continue
        cuts = [0, *range(3, n - 1, 2)] if n % 2 else list(range(0, n, 2))  # 3 + 2 + 2 …, or 2 + 2 …
        out.extend(run[a:b] for a, b in zip(cuts, [*cuts[1:], n], strict=True))
    return out


def tokens(text: str, *, words: bool = True) -> list[str]:
    """``text`` cut into the pieces a line may break between."""
    return (_TOKEN if words else _TOKEN_CHARS).findall(text)


def unbreakable(toks: Sequence[str]) -> list[str]:
    """Tokens joined where 避头尾 forbids a break: closing punctuation to the token before it, opening
    punctuation to the token after it."""
    out: list[str] = []
    glue_next = False
    for t in toks:
        if t.isspace():
            glue_next = False
            out.append(t)
            continue
        if out and (glue_next or t[0] in NO_START) and not out[-1].isspace():
            out[-1] += t
        else:
            out.append(t)
        glue_next = t[-1] in NO_END
    return out


def widest_token(text: str, widths: Widths, *, header: bool = False) -> float:
    """The width of the widest piece of ``text`` that cannot be broken (避头尾 included)."""
    toks = unbreakable(header_tokens(text) if header else tokens(text))
    return max((widths.of(t) for t in toks if not t.isspace()), default=0.0)


def wrap(text: str, avail: float, widths: Widths, max_lines: int, *, words: bool = True,
         header: bool = False) -> list[str]:
    """Lines of ``text`` each at most ``avail`` points wide; at most ``max_lines``, the last ending in "…".

    Explicit newlines are kept; lines break only between tokens (see the module doc; ``words=False`` lets CJK
    words break too, ``header=True`` uses the header rules), and a token wider than the whole line is broken
    anywhere. Work stops once ``max_lines`` is exceeded, so a megabyte of text costs no more than a page.
    """
    w_of = widths.of
    find = header_tokens if header else (_TOKEN if words else _TOKEN_CHARS).findall
    lines: list[str] = []
    out = lines.append
    for para in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").split("\n"):
        if len(lines) > max_lines:
            break
        if w_of(para) <= avail:
            out(para)
            continue
        cur: list[str] = []
        cur_w = 0.0
        first = len(lines)  # the paragraph's first line keeps its indent
        for tok in find(para):
            tw = w_of(tok)
            if cur_w + tw <= avail:
                if cur or not tok.isspace() or len(lines) == first:  # no leading blanks on a continuation line
                    cur.append(tok)
                    cur_w += tw
                continue
            if tok.isspace():  # break at the blank, drop it
                out("".join(cur))
                cur, cur_w = [], 0.0
            elif tw <= avail:
                carry: list[str] = []  # the tokens 避头尾 keeps with this one move to the next line with it
                nxt = tok
                while len(cur) > 1 and (nxt[0] in NO_START or cur[-1][-1] in NO_END):
                    carry.insert(0, cur.pop())
                    nxt = carry[0]
                if carry and w_of("".join(carry) + tok) > avail:
                    cur.extend(carry)  # the group is wider than the line: break inside it after all
                    carry = []
                out("".join(cur).rstrip())
                cur = [*carry, tok]
                cur_w = w_of("".join(cur))
            else:  # a token wider than the line: hard break
                for ch in tok:
                    cw = widths[ch]
                    if cur_w + cw > avail and cur:
                        out("".join(cur).rstrip())
                        cur, cur_w = [], 0.0
                        if len(lines) > max_lines:
                            break
                    cur.append(ch)
                    cur_w += cw
            if len(lines) > max_lines:
                break
        if cur and len(lines) <= max_lines:
            out("".join(cur).rstrip())
    if len(lines) > max_lines:
        del lines[max_lines:]
        last = lines[-1]
        room = avail - widths[ELLIPSIS]
        while last and w_of(last) > room:
            last = last[:-1]
        lines[-1] = last + ELLIPSIS
    return lines


# ---------------------------------------------------------------------------------------------- column widths


@dataclass
class Need:
    """What one column's content needs, in points of text (padding excluded) at the measuring size."""

    fixed: bool
    weight: float = 1.0
    least: float = 0.0  # the widest unbreakable piece (a fixed column: its widest value)
    want: float = 0.0  # the width that keeps (nearly) every cell on one line
    typical: float = 0.0  # the width that keeps half the cells on one line
    points: float = 0.0  # a width in points whatever the font size (a cell to sign or tick by hand)

    def add(self, text: str, widths: Widths) -> None:
        """Take one cell's text into account."""
        if not text:
            return
        w = widths.of(text) if "\n" not in text else max(widths.of(p) for p in text.split("\n"))
        if self.fixed:
            if w > self.least:
                self.least = w
        elif w > self.least:  # a cell narrower than the widest token so far cannot hold a wider one
            self.least = max(self.least, widest_token(text, widths))
        if w > self.want:
            self.want = w


class ColumnStats:
    """Needs of every column, measured at ``size`` from the header and every cell."""

    def __init__(self, body: Widths, head: Widths, headers: Sequence[str], fixed: Sequence[bool],
                 weights: Sequence[float] | None = None, want_quantile: float = 0.9):
        self.body, self.head = body, head
        self.size = body.size
        self.needs = [Need(f, (weights[i] if weights else 1.0)) for i, f in enumerate(fixed)]
        # a header may take three lines
        self.head_least = [max(widest_token(h, head, header=True), head.of(h) / 3) for h in headers]
        self.quantile = want_quantile
        self._text_widths: list[list[float]] = [[] for _ in headers]

    def add_row(self, cells: Sequence[str]) -> None:
        body = self.body
        for i, (need, text) in enumerate(zip(self.needs, cells, strict=False)):
            if text:
                need.add(text, body)
            if not need.fixed:
                self._text_widths[i].append(body.of(text) if text else 0.0)

    def finish(self) -> list[Need]:
        """Needs with the header's and the quantile's part: a long text column wants the width that keeps most
        of its cells on one line, not its single longest cell."""
        out = []
        for need, head, ws in zip(self.needs, self.head_least, self._text_widths, strict=True):
            want = typical = need.want
            if not need.fixed and ws:
                ws.sort()
                want = ws[min(len(ws) - 1, int(len(ws) * self.quantile))]
                typical = ws[len(ws) // 2]
            least = max(need.least, head)
            empty = bisect_right(ws, 0.0)  # ws is sorted: the empty cells first, then what is written
            if not need.fixed and empty < len(ws):
                # a sparse text column (备注 in a third of the rows) keeps four characters for what is written,
                # else a short note stacks one character a line
                written_median = ws[empty + (len(ws) - empty) // 2]
                least = max(least, min(written_median, 4 * self.body["中"]))
            want = max(want, least)
            out.append(Need(need.fixed, need.weight, least, want, min(max(typical, least), want), need.points))
        return out


def plan(total: float, needs: Sequence[Need], scale: float, pad: float) -> list[float] | None:
    """Column widths (padding included) summing to ``total`` at ``scale`` × the measured size, or None when the
    fixed columns and the unbreakable tokens do not fit.

    Every column first gets its least width; the text columns then share the rest in proportion to what they
    still want, first to hold their typical (median) cell on one line, then nearly every cell; width left over
    after that goes to the text columns by weight (to every column if none is text).
    """
    least = [max(n.least * scale + 2 * pad + 0.5, n.points) for n in needs]
    rest = total - sum(least)
    if rest < -0.01:
        return None
    w = list(least)
    text = [i for i, n in enumerate(needs) if not n.fixed]
    for target in ("typical", "want"):
        more = {i: max(0.0, getattr(needs[i], target) * scale + 2 * pad + 0.5 - w[i]) for i in text}
        wanted = sum(more.values())
        if wanted >= rest and wanted > 0:
            for i in text:
                w[i] += rest * more[i] / wanted
            return w
        for i in text:
            w[i] += more[i]
        rest -= wanted
    takers = text or list(range(len(needs)))
    share = sum(needs[i].weight for i in takers) or 1.0
    for i in takers:
        w[i] += rest * needs[i].weight / share
    return w


def fit_size(total: float, needs: Sequence[Need], measured_at: float, largest: float, smallest: float,
             pad_ratio: float) -> tuple[float, list[float]]:
    """The largest font size (0.5 pt steps from ``largest`` down to ``smallest``) at which every column gets its
    least width, and the widths. Below ``smallest`` the text columns give up their least width (a very long word
    then breaks) but the fixed columns keep theirs as far as the page allows."""
    size = largest
    while size >= smallest - 1e-9:
        w = plan(total, needs, size / measured_at, size * pad_ratio)
        if w is not None:
            return size, w
        size -= 0.5
    size = smallest
    relaxed = [Need(n.fixed, n.weight, n.least if n.fixed else 0.0, n.want, n.typical, n.points) for n in needs]
    w = plan(total, relaxed, size / measured_at, size * pad_ratio)
    if w is None:  # not even the fixed columns fit: shares by least width
        least = [n.least or 1.0 for n in needs]
        w = [total * x / sum(least) for x in least]
    return size, w


def fits(total: float, needs: Sequence[Need], measured_at: float, size: float, pad_ratio: float) -> bool:
    """Whether every column gets its least width at ``size``."""
    return plan(total, needs, size / measured_at, size * pad_ratio) is not None


def comfortable(total: float, needs: Sequence[Need], measured_at: float, size: float, pad_ratio: float) -> bool:
    """Whether every column gets the width it wants (little wrapping) at ``size``."""
    pad = size * pad_ratio
    return sum(max(n.want * size / measured_at + 2 * pad + 0.5, n.points) for n in needs) <= total + 0.01


__all__ = ["ColumnStats", "unbreakable", "ELLIPSIS", "FIXED_KINDS", "NO_END", "NO_START", "Need", "RIGHT_KINDS", "Widths",
           "comfortable", "fit_size", "fits", "header_tokens", "plan", "tokens", "widest_token", "wrap"]
