"""Printers for the UI tests, and the check that a printer received the pages that were sent.

- The dialogs ask ``neiqin.ui.printing.preview.printer_names()`` for the machine's printers; the tests replace it (the
  ``printers`` fixture in conftest.py), so "no printer" never depends on the machine.
- ``CupsPdfQueue``: a real CUPS queue with the cups-pdf virtual printer (``scripts/cups-pdf-queue.sh`` adds
  ``neiqin-pdf``; any cups-pdf queue found by ``lpstat -v`` will do, ``NEIQIN_PRINT_QUEUE`` picks one). Every job
  goes through the spooler (Qt -> CUPS -> filters -> cups-pdf -> Ghostscript) and lands as a PDF in the folder its
  cups-pdf configuration names; ``collect`` waits for it and moves it into the test's own folder.
- ``FilePrinter``: the same dialogs and buttons with a QPrinter that writes a PDF file, for machines without CUPS.
- ``assert_printed_as_sent``: page count, paper size (turned or not), and the picture of every page within 0.5 mm
  of the page that was sent: what "100 % scale, nothing moved, nothing cut" means on paper.
"""

from __future__ import annotations

import getpass
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

from neiqin.ui.printing import preview

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
