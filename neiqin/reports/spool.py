"""Handing a PDF to the system spooler, and what a printed page needs to carry (no Qt here).

Where the spooler takes PDF itself — CUPS on Linux and macOS — the PDF neiqin wrote goes to it as it is (``lp``):
a few hundred kilobytes of vector pages and embedded font subsets, instead of a full-colour raster image per page
at the printer's resolution (a 6-page register was 28.9 MB that way, ≈ 30 s in CUPS). Elsewhere (Windows GDI) the
pages are rendered and go through GDI; a page without colour as 1-bit (see neiqin.ui.printing.sending).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from neiqin.errors import NeiqinError

MM = 72 / 25.4
# paper names CUPS knows, by size in points (portrait); any other size goes as Custom.WxH
_MEDIA = {(595, 842): "A4", (420, 595): "A5", (842, 1191): "A3", (499, 709): "B5", (612, 792): "Letter"}


def lp_command() -> str | None:
    """The CUPS ``lp`` client, or None where the spooler does not take PDF (Windows, no CUPS)."""
    if sys.platform == "win32":
        return None
    return shutil.which("lp")


def media(width_pt: float, height_pt: float) -> str:
    """The CUPS media for a page of this size: the paper upright (a landscape page is turned onto it)."""
    w, h = sorted((width_pt, height_pt))
    return _MEDIA.get((round(w), round(h))) or f"Custom.{w / MM:.1f}x{h / MM:.1f}mm"


def cups_command(lp: str, path: str | Path, printer: str, *, title: str, page_pt: tuple[float, float],
                 first: int = 1, last: int | None = None, pages: int | None = None, copies: int = 1) -> list[str]:
    """The ``lp`` command line: the pages at 100 % on paper of their own size, ``copies`` collated."""
    cmd = [lp, "-d", printer, "-t", title or Path(path).stem, "-n", str(max(copies, 1)), "-o", "collate=true",
           "-o", f"media={media(*page_pt)}", "-o", "print-scaling=none", "-o", "fit-to-page=false"]
    if first != 1 or (last is not None and pages is not None and last != pages):
        cmd += ["-P", f"{first}-{last if last is not None else ''}".rstrip("-")]
    return [*cmd, "--", str(path)]


def send_pdf(path: str | Path, printer: str, *, title: str, page_pt: tuple[float, float], first: int = 1,
             last: int | None = None, pages: int | None = None, copies: int = 1, lp: str | None = None) -> str:
    """Give the PDF to the CUPS queue ``printer``; return the job id line ``lp`` printed. NeiqinError (Chinese)
    when the spooler refuses it."""
    lp = lp or lp_command()
    if lp is None:
        raise NeiqinError("本机的打印服务不能直接接收 PDF")
    cmd = cups_command(lp, path, printer, title=title, page_pt=page_pt, first=first, last=last, pages=pages,
                       copies=copies)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise NeiqinError(f"无法把文件交给打印服务：{e}") from None
    if out.returncode != 0:
        why = (out.stderr or out.stdout).strip().splitlines()
        raise NeiqinError(f"打印机“{printer}”没有接受打印任务：{why[-1] if why else out.returncode}"
                          "。请检查打印机是否开机、联机，或在系统打印设置中启用该打印机")
    return out.stdout.strip()


__all__ = ["cups_command", "lp_command", "media", "send_pdf"]
