"""Printers for the UI tests, and the check that a printer received the pages that were sent.

- The dialogs ask ``neiqin.ui.printing.preview.printer_names()`` for the machine's printers; the tests replace it (the
  ``printers`` fixture in conftest.py), so "no printer" never depends on the machine.
- ``CupsPdfQueue``: a real CUPS queue with the cups-pdf virtual printer (``scripts/cups-pdf-queue.sh`` adds
  ``neiqin-pdf``; any cups-pdf queue found by ``lpstat -v`` will do, ``NEIQIN_PRINT_QUEUE`` picks one). Every job
  goes through the spooler (Qt -> CUPS -> filters -> cups-pdf -> Ghostscript) and lands as a PDF in the folder its
  cups-pdf configuration names; ``collect`` waits for it and moves it into the test's own folder.
- ``FilePrinter``: the same dialogs and buttons with a QPrinter that writes a PDF file, for machines without CUPS.
- ``GdiSpooler``: the same with a Windows printer: the jobs go through neiqin's GDI calls to a played spooler
  that checks what it is handed and prints it onto sheets of the paper asked for.
- ``assert_printed_as_sent``: page count, paper size (turned or not), and the picture of every page within 0.5 mm
  of the page that was sent: what "100 % scale, nothing moved, nothing cut" means on paper.
"""

from __future__ import annotations

import ctypes
import getpass
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

from neiqin.reports import gdi
from neiqin.ui.printing import preview, sending

MACHINE_PRINTER_NAMES = preview.printer_names  # the real one, before any test replaces it
MM = 72 / 25.4
SETUP_HINT = ("scripts/setup.sh installs cups and printer-driver-cups-pdf; scripts/cups-pdf-queue.sh starts cupsd "
              "and adds the neiqin-pdf queue (CI runs both)")


def _lpstat(*args: str) -> str:
    try:
        out = subprocess.run(["lpstat", *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout


class CupsPdfQueue:
    """A cups-pdf queue of the machine's (or ``$CUPS_SERVER``'s) CUPS scheduler."""

    kind = "cups-pdf"

    def __init__(self, name: str, uri: str, out_dir: Path):
        self.name, self.uri, self.out_dir = name, uri, out_dir

    @classmethod
    def find(cls) -> CupsPdfQueue | str:
        """The queue, or why there is none (the reason a test is skipped)."""
        if not shutil.which("lpstat"):
            return "no CUPS on this machine: " + SETUP_HINT
        if "is running" not in _lpstat("-r"):
            return "the CUPS scheduler is not running: " + SETUP_HINT
        devices = dict(re.findall(r"^device for (\S+): (\S+)$", _lpstat("-v"), re.M))
        wanted = os.environ.get("NEIQIN_PRINT_QUEUE")
        names = [wanted] if wanted else sorted(devices, key=lambda n: (n != "neiqin-pdf", n))
        name = next((n for n in names if devices.get(n, "").startswith("cups-pdf:")), None)
        if name is None:
            return (f"no cups-pdf queue {wanted!r}" if wanted else "no cups-pdf print queue") + ": " + SETUP_HINT
        if "disabled" in _lpstat("-p", name) or "not accepting" in _lpstat("-a", name):
            return f"the print queue {name} is disabled or not accepting jobs (cupsenable/cupsaccept {name})"
        out_dir = cls._out_dir(devices[name])
        if out_dir is None:
            return f"cannot tell where cups-pdf puts the jobs of {name} ({devices[name]})"
        return cls(name, devices[name], out_dir)

    @staticmethod
    def _out_dir(uri: str) -> Path | None:
        """cups-pdf reads /etc/cups/cups-pdf.conf for ``cups-pdf:/``, /etc/cups/cups-pdf-NAME.conf for
        ``cups-pdf:/NAME``; its ``Out`` may use ${HOME} and ${USER} of the job's owner (this process's user)."""
        instance = uri.removeprefix("cups-pdf:").strip("/")
        conf = Path("/etc/cups") / (f"cups-pdf-{instance}.conf" if instance else "cups-pdf.conf")
        out = "/var/spool/cups-pdf/${USER}"  # cups-pdf's own default
        try:
            for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split(None, 1)
                if len(parts) == 2 and parts[0] == "Out":
                    out = parts[1].strip()
        except OSError:
            return None
        user = getpass.getuser()
        return Path(out.replace("${USER}", user).replace("${HOME}", pwd.getpwnam(user).pw_dir))

    def choose(self, combo) -> None:
        """Pick this queue in a dialog's 打印机 box, as the clerk does."""
        i = combo.findText(self.name)
        assert i >= 0, f"the dialog does not offer {self.name}: {[combo.itemText(j) for j in range(combo.count())]}"
        combo.setCurrentIndex(i)

    def snapshot(self) -> dict[Path, int]:
        try:
            return {p: p.stat().st_mtime_ns for p in self.out_dir.glob("*.pdf")}
        except OSError:
            return {}

    def _busy(self) -> bool:
        return bool(_lpstat("-o", self.name).strip())

    def collect(self, qtbot, before: dict[Path, int], into: Path, count: int = 1, timeout_s: float = 240) -> list[Path]:
        """Wait until ``count`` new jobs have come out of the queue; move them into ``into`` (the test's own folder).

        The wait is a deadline for a spooler on a loaded machine (a page is rendered by Ghostscript), not a
        measurement: nothing is asserted about how long it took.
        """
        deadline = time.monotonic() + timeout_s
        new: list[Path] = []
        while time.monotonic() < deadline:
            new = sorted((p for p, m in self.snapshot().items() if before.get(p) != m),
                         key=lambda p: p.stat().st_mtime_ns)
            if len(new) >= count and not self._busy():
                break
            qtbot.wait(250)
        else:
            history = "\n".join(_lpstat("-W", "completed", "-o", self.name).splitlines()[-3:])
            raise AssertionError(f"{len(new)} of {count} jobs came out of {self.name} into {self.out_dir} within "
                                 f"{timeout_s:.0f} s; pending: {_lpstat('-o', self.name)!r}; last completed:\n"
                                 f"{history}\n(see the cupsd error_log)")
        into.mkdir(parents=True, exist_ok=True)
        moved = []
        for i, p in enumerate(new, 1):
            target = into / f"job-{i}-{p.name}"
            shutil.copyfile(p, target)
            try:
                p.unlink()  # leave the spool folder as it was
            except OSError:
                pass
            moved.append(target)
        return moved


class FilePrinter:
    """The dialogs' printer list holds one printer that writes each job to a PDF file (no spooler)."""

    kind = "pdf-file"
    name = "PDF 文件（测试打印机）"

    def __init__(self, monkeypatch, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.jobs: list[Path] = []
        monkeypatch.setattr(preview, "printer_names", lambda: [self.name])
        monkeypatch.setattr(preview, "open_printer", self._open)

    def _open(self, name: str) -> QPrinter:
        assert name == self.name, name
        path = self.folder / f"job-{len(self.jobs) + 1}.pdf"
        self.jobs.append(path)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer

    def choose(self, combo) -> None:
        assert combo.currentText() == self.name and combo.isEnabled()

    def snapshot(self) -> int:
        return len(self.jobs)

    def collect(self, qtbot, before: int, into: Path, count: int = 1, timeout_s: float = 0) -> list[Path]:
        new = self.jobs[before:]
        assert len(new) == count and all(p.exists() for p in new), (new, count)
        return new


class GdiSpooler:
    """Windows' spooler, played: the dialogs' printer list holds one Windows printer, and its jobs go through
    ``neiqin.reports.gdi`` to this object instead of gdi32/winspool. It takes the calls as Windows would — a
    DEVMODE merged into the driver's, a DC for the paper and orientation asked for, ``StretchDIBits`` of a
    top-down DIB placed from the printable area's corner — checks every structure it is handed, puts each
    bitmap on a sheet of the paper the DEVMODE named, at the device's resolution, and at ``EndDoc`` writes the
    job's sheets as a PDF (what the printer would print); ``AbortDoc`` drops them. ``calls`` lists what came."""

    kind = "windows-gdi"
    name = "HP LaserJet Pro M404（Windows 模拟）"
    # what the driver says: 300 dpi, an unprintable margin of 1/6 inch on every side
    DPI = 300
    OFFSET = 50
    PAPERS_MM = {number: size for size, number in gdi.PAPERS.items()}

    def __init__(self, monkeypatch, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.jobs: list[Path] = []
        self.calls: list[tuple] = []
        self.sheets: list = []
        self.bits: list[int] = []  # bits a pixel of every page sent
        self.bytes = 0  # bitmap bytes handed to StretchDIBits
        self.settings: dict[str, int] = {}
        self.fail: str | None = None  # a call that answers "failed" (the printer went offline)
        self.title = ""
        self.in_page = False  # between StartPage and EndPage
        monkeypatch.setattr(preview, "printer_names", lambda: [self.name])
        monkeypatch.setattr(preview, "open_printer", self._open)
        monkeypatch.setattr(sending, "gdi_target", lambda printer: (self, self.name))

    def _open(self, name: str) -> QPrinter:
        assert name == self.name, name
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # its own engine is never used: GDI prints
        printer.setOutputFileName(str(self.folder / "qt-never-writes-this.pdf"))
        return printer

    # ---- the Win32 calls neiqin.reports.gdi makes

    def devmode(self, printer: str, changes: dict[str, int]):
        assert printer == self.name, printer
        buf = ctypes.create_string_buffer(ctypes.sizeof(gdi.DEVMODEW) + 64)  # the driver's own bytes follow
        dm = gdi.DEVMODEW.from_buffer(buf)
        dm.dmSize, dm.dmDriverExtra, dm.dmPaperSize, dm.dmOrientation = ctypes.sizeof(gdi.DEVMODEW), 64, 9, 1
        gdi.apply(buf, changes)
        self.calls.append(("DocumentProperties", dict(changes)))
        return buf

    def _read(self, devmode) -> dict[str, int]:
        dm = gdi.DEVMODEW.from_buffer(devmode)
        assert dm.dmSize == ctypes.sizeof(gdi.DEVMODEW) == 220
        out = {"orientation": dm.dmOrientation, "color": dm.dmColor, "duplex": dm.dmDuplex, "copies": dm.dmCopies}
        if dm.dmPaperSize == gdi.DMPAPER_USER:
            assert dm.dmFields & gdi.DM_PAPERWIDTH and dm.dmFields & gdi.DM_PAPERLENGTH
            out["paper_mm"] = (dm.dmPaperWidth / 10, dm.dmPaperLength / 10)
        else:
            assert dm.dmFields & gdi.DM_PAPERSIZE and dm.dmPaperSize in self.PAPERS_MM, dm.dmPaperSize
            out["paper_mm"] = self.PAPERS_MM[dm.dmPaperSize]
        return out

    def _answer(self, call: str, ok: int, *args) -> int:
        self.calls.append((call, *args))
        return 0 if self.fail == call else ok

    def create_dc(self, printer: str, devmode) -> int:
        self.settings = self._read(devmode)
        return self._answer("CreateDC", 0x51DC, printer)

    def reset_dc(self, hdc: int, devmode) -> bool:
        assert hdc == 0x51DC and not self.in_page
        self.settings = self._read(devmode)
        return bool(self._answer("ResetDC", 1, self.settings["orientation"]))

    def start_doc(self, hdc: int, info) -> int:
        assert hdc == 0x51DC and info.cbSize == ctypes.sizeof(gdi.DOCINFOW) == 40
        self.title, self.sheets, self.bits = info.lpszDocName, [], []
        return self._answer("StartDoc", 7, info.lpszDocName)

    def device_caps(self, hdc: int, index: int) -> int:
        w, h = (round(v / 25.4 * self.DPI) for v in self.settings["paper_mm"])
        if self.settings["orientation"] == gdi.DMORIENT_LANDSCAPE:
            w, h = h, w
        return {gdi.LOGPIXELSX: self.DPI, gdi.LOGPIXELSY: self.DPI, gdi.PHYSICALOFFSETX: self.OFFSET,
                gdi.PHYSICALOFFSETY: self.OFFSET, gdi.PHYSICALWIDTH: w, gdi.PHYSICALHEIGHT: h}[index]

    def start_page(self, hdc: int) -> int:
        from PIL import Image

        assert not self.in_page
        self.in_page = True
        size = (self.device_caps(hdc, gdi.PHYSICALWIDTH), self.device_caps(hdc, gdi.PHYSICALHEIGHT))
        self.sheet = Image.new("RGB", size, "white")
        return self._answer("StartPage", 1)

    def stretch_dibits(self, hdc: int, dest, src, data, info) -> int:
        from PIL import Image

        assert self.in_page
        head = info.bmiHeader
        w, h, bits = head.biWidth, -head.biHeight, head.biBitCount
        assert head.biSize == 40 and head.biPlanes == 1 and head.biCompression == gdi.BI_RGB and h > 0, "top-down"
        assert (w, h) == tuple(src) and bits in (1, 24)
        stride = (w * bits + 31) // 32 * 4
        assert head.biSizeImage == stride * h and len(data) >= stride * h
        if bits == 1:
            picture = Image.frombuffer("1", (w, h), bytes(data), "raw", "1", stride, 1).convert("L")
            colours = [info.bmiColors[i] for i in (0, 1)]
            grey = [round((c.rgbRed * 299 + c.rgbGreen * 587 + c.rgbBlue * 114) / 1000) for c in colours]
            picture = picture.point(lambda v: grey[1] if v else grey[0]).convert("RGB")
        else:
            picture = Image.frombuffer("RGB", (w, h), bytes(data), "raw", "BGR", stride, 1)
        x, y, dw, dh = dest
        if (dw, dh) != (w, h):
            picture = picture.resize((dw, dh))
        self.sheet.paste(picture, (x + self.OFFSET, y + self.OFFSET))  # the DC's origin: the printable corner
        self.bits.append(bits)
        self.bytes += stride * h
        return self._answer("StretchDIBits", h, bits, (w, h), tuple(dest))

    def end_page(self, hdc: int) -> int:
        assert self.in_page
        self.in_page = False
        self.sheets.append(self.sheet)
        return self._answer("EndPage", 1)

    def end_doc(self, hdc: int) -> int:
        ok = self._answer("EndDoc", 1)
        if ok:
            path = self.folder / f"job-{len(self.jobs) + 1}.pdf"
            self.sheets[0].save(path, save_all=True, append_images=self.sheets[1:], resolution=self.DPI)
            self.jobs.append(path)
        return ok

    def abort_doc(self, hdc: int) -> int:
        self.in_page = False
        self.sheets = []
        return self._answer("AbortDoc", 1)

    def delete_dc(self, hdc: int) -> None:
        self.calls.append(("DeleteDC",))

    # ---- as the other printers

    def choose(self, combo) -> None:
        assert combo.currentText() == self.name and combo.isEnabled()

    def snapshot(self) -> int:
        return len(self.jobs)

    def collect(self, qtbot, before: int, into: Path, count: int = 1, timeout_s: float = 0) -> list[Path]:
        new = self.jobs[before:]
        assert len(new) == count and all(p.exists() for p in new), (new, count)
        return new


# ---------------------------------------------------------------------------------------------- the check


def _ink(image, lighter_than: int = 160):
    """255 where the page is darker than ``lighter_than`` (out of 255), 0 elsewhere ("L" mode)."""
    return image.convert("L").point(lambda v: 255 if v < lighter_than else 0)


def _missing(a, b_grown) -> float:
    """The share of ``a``'s ink that has no ink of ``b`` within the grown distance."""
    from PIL import ImageChops

    ink = a.histogram()[255]
    return ImageChops.subtract(a, b_grown).histogram()[255] / ink if ink else 0.0


def assert_printed_as_sent(sent: Path, printed: Path, *, tolerance_mm: float = 0.5, dpi: int = 150) -> list[int]:
    """The printed PDF has the sent PDF's pages, each on paper of the same size (turned a quarter when the
    spooler turns landscape pages onto portrait paper) with the same picture within ``tolerance_mm``: at 100 %,
    not moved, not cut. Returns the quarter turns per page (0 or 90) for the caller to state."""
    import pdfplumber
    from PIL import ImageFilter

    turns = []
    with pdfplumber.open(sent) as a, pdfplumber.open(printed) as b:
        assert len(b.pages) == len(a.pages), f"{len(b.pages)} pages printed, {len(a.pages)} sent"
        for n, (pa, pb) in enumerate(zip(a.pages, b.pages, strict=True), 1):
            wa, ha, wb, hb = float(pa.width), float(pa.height), float(pb.width), float(pb.height)
            if abs(wa - wb) <= 1.5 and abs(ha - hb) <= 1.5:
                turn = 0
            elif abs(wa - hb) <= 1.5 and abs(ha - wb) <= 1.5:
                turn = 90
            else:
                raise AssertionError(f"page {n}: paper {wb / MM:.1f}×{hb / MM:.1f} mm printed, "
                                     f"{wa / MM:.1f}×{ha / MM:.1f} mm sent")
            ra, rb = pa.to_image(resolution=dpi).original, pb.to_image(resolution=dpi).original
            if turn:
                rb = rb.rotate(-90, expand=True)  # the spooler turned the picture a quarter to the left
            # clear ink on one side must have at least a trace on the other: a hairline drawn as a vector is
            # one dark pixel, the same line in a (JPEG-compressed) raster page is a paler smear
            ia, ib = _ink(ra), _ink(rb)
            ta, tb = _ink(ra, 235), _ink(rb, 235)
            tol = tolerance_mm / 25.4 * dpi
            assert abs(ia.width - ib.width) <= 2 and abs(ia.height - ib.height) <= 2, (ia.size, ib.size)
            box_a, box_b = ia.getbbox(), ib.getbbox()
            assert box_a and box_b, f"page {n}: a blank page (sent: {box_a}, printed: {box_b})"
            worst = max(abs(x - y) for x, y in zip(box_a, box_b, strict=True))
            assert worst <= tol + 1, (f"page {n}: the print's extent moved {worst / dpi * 25.4:.2f} mm "
                                      f"(sent {box_a}, printed {box_b} at {dpi} dpi)")
            grow = ImageFilter.MaxFilter(2 * round(tol) + 1)
            lost, extra = _missing(ia, tb.filter(grow)), _missing(ib, ta.filter(grow))
            assert lost < 0.01 and extra < 0.01, (f"page {n}: {lost:.1%} of the sent ink and {extra:.1%} of the "
                                                  f"printed ink have no counterpart within {tolerance_mm} mm")
            turns.append(turn)
    return turns


def barcodes(pdf: Path, folder: Path) -> list[str]:
    """What zbarimg reads on the first page (``[]`` when zbar-tools is not installed: the caller skips)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(pdf), str(folder / "p")],
                   check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", *map(str, sorted(folder.glob("p*.png")))], capture_output=True)
    return sorted(x for x in out.stdout.decode().split("\n") if x)


HAVE_ZBAR = bool(shutil.which("zbarimg") and shutil.which("pdftoppm"))
