"""Printing rendered pages through Windows GDI, each page one device-independent bitmap (no Qt here).

Why not Qt's painter on Windows: ``QWin32PrintEngine::drawPixmap`` (qtbase, ``qprintengine_win.cpp``) copies every
image into 2048-pixel tiles of ``QImage::Format_RGB32`` and ``StretchBlt``\\ s them from a 32-bit bitmap, so a page
rendered at the printer's resolution reaches the spooler as 4 bytes a pixel whatever its own format: an A4 page at
300 dpi is 35 MB in the EMF spool file, a 50-page register 1.7 GB. Here a job is the GDI calls themselves:

* ``CreateDC`` on the printer with a DEVMODE asking for the page's paper, orientation, mono or colour and duplex;
* ``StartDoc``; per page ``StartPage``, one ``StretchDIBits`` of the page as rendered — 1 bit a pixel when the
  page has no colour (a register, a form), 24 bits only for a page with colour — at the device's own resolution,
  placed at the paper's corner (``-PHYSICALOFFSET``) so the page prints at 100 %; ``EndPage``;
* ``EndDoc``, or ``AbortDoc`` when the clerk cancels or a call fails: the spooler drops the half-sent job.

A 1-bit page is a 32nd of the same page in 32-bit colour. The Win32 functions are reached through :class:`Win32`
(``ctypes``, Windows only); a job takes any object with the same methods, which is how the tests play the
spooler on Linux and check every structure handed to it.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass

from neiqin.errors import NeiqinError

# The structures' fields by their Windows widths (ctypes.wintypes gives Linux's 8-byte long and 4-byte wchar_t;
# with these the layout is Windows' on any platform, and the tests check it here)
BYTE, WORD, DWORD, LONG, WCHAR = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_int32, ctypes.c_uint16
HANDLE = ctypes.c_void_p

# GetDeviceCaps indexes
LOGPIXELSX, LOGPIXELSY = 88, 90
PHYSICALWIDTH, PHYSICALHEIGHT, PHYSICALOFFSETX, PHYSICALOFFSETY = 110, 111, 112, 113
# DEVMODE dmFields bits and values
DM_ORIENTATION, DM_PAPERSIZE, DM_PAPERLENGTH, DM_PAPERWIDTH = 0x1, 0x2, 0x4, 0x8
DM_COPIES, DM_COLOR, DM_DUPLEX, DM_COLLATE = 0x100, 0x800, 0x1000, 0x8000
DMORIENT_PORTRAIT, DMORIENT_LANDSCAPE = 1, 2
DMCOLOR_MONOCHROME, DMCOLOR_COLOR = 1, 2
DMDUP_SIMPLEX, DMDUP_VERTICAL, DMDUP_HORIZONTAL = 1, 2, 3
DMPAPER_USER = 256
DM_OUT_BUFFER, DM_IN_BUFFER = 2, 8
BI_RGB, DIB_RGB_COLORS, SRCCOPY = 0, 0, 0x00CC0020

# Windows paper numbers by upright size in mm; any other size goes as DMPAPER_USER with its width and length
PAPERS = {(210, 297): 9, (297, 420): 8, (148, 210): 11, (216, 279): 1, (110, 220): 27, (162, 229): 28,
          (229, 324): 30, (114, 162): 31, (176, 250): 34}

DUPLEX = {"none": DMDUP_SIMPLEX, "long": DMDUP_VERTICAL, "short": DMDUP_HORIZONTAL}


class DEVMODEW(ctypes.Structure):
    """The printer part of ``DEVMODEW`` (wingdi.h), 220 bytes; the driver's private bytes follow it."""

    _fields_ = [
        ("dmDeviceName", WCHAR * 32), ("dmSpecVersion", WORD), ("dmDriverVersion", WORD),
        ("dmSize", WORD), ("dmDriverExtra", WORD), ("dmFields", DWORD),
        ("dmOrientation", ctypes.c_short), ("dmPaperSize", ctypes.c_short), ("dmPaperLength", ctypes.c_short),
        ("dmPaperWidth", ctypes.c_short), ("dmScale", ctypes.c_short), ("dmCopies", ctypes.c_short),
        ("dmDefaultSource", ctypes.c_short), ("dmPrintQuality", ctypes.c_short),
        ("dmColor", ctypes.c_short), ("dmDuplex", ctypes.c_short), ("dmYResolution", ctypes.c_short),
        ("dmTTOption", ctypes.c_short), ("dmCollate", ctypes.c_short), ("dmFormName", WCHAR * 32),
        ("dmLogPixels", WORD), ("dmBitsPerPel", DWORD), ("dmPelsWidth", DWORD), ("dmPelsHeight", DWORD),
        ("dmNup", DWORD), ("dmDisplayFrequency", DWORD), ("dmICMMethod", DWORD), ("dmICMIntent", DWORD),
        ("dmMediaType", DWORD), ("dmDitherType", DWORD), ("dmReserved1", DWORD), ("dmReserved2", DWORD),
        ("dmPanningWidth", DWORD), ("dmPanningHeight", DWORD),
    ]


class DOCINFOW(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_int), ("lpszDocName", ctypes.c_wchar_p), ("lpszOutput", ctypes.c_wchar_p),
                ("lpszDatatype", ctypes.c_wchar_p), ("fwType", DWORD)]


class BITMAPINFOHEADER(ctypes.Structure):
    _fields_ = [("biSize", DWORD), ("biWidth", LONG), ("biHeight", LONG), ("biPlanes", WORD),
                ("biBitCount", WORD), ("biCompression", DWORD), ("biSizeImage", DWORD),
                ("biXPelsPerMeter", LONG), ("biYPelsPerMeter", LONG), ("biClrUsed", DWORD),
                ("biClrImportant", DWORD)]


class RGBQUAD(ctypes.Structure):
    _fields_ = [("rgbBlue", BYTE), ("rgbGreen", BYTE), ("rgbRed", BYTE), ("rgbReserved", BYTE)]


class BITMAPINFO2(ctypes.Structure):
    """``BITMAPINFO`` with the two-colour table of a 1-bit page (a 24-bit page passes the same with no colours)."""

    _fields_ = [("bmiHeader", BITMAPINFOHEADER), ("bmiColors", RGBQUAD * 2)]


@dataclass(frozen=True)
class Bitmap:
    """A rendered page as GDI takes it: rows top to bottom, each padded to 4 bytes; ``bits`` 1 (two-colour
    ``palette`` of 0xRRGGBB, most significant bit leftmost, as QImage.Format_Mono) or 24 (blue, green, red)."""

    width: int
    height: int
    bits: int
    stride: int
    data: bytes | memoryview
    palette: tuple[int, ...] = ()


@dataclass(frozen=True)
class Device:
    """What the printer's DC says about the page being printed, in device pixels."""

    dpi_x: int
    dpi_y: int
    offset_x: int  # the printable area's corner, from the paper's
    offset_y: int
    width: int  # the whole paper
    height: int


def paper(width_mm: float, height_mm: float) -> tuple[int, int, int, int]:
    """(dmPaperSize, dmPaperWidth, dmPaperLength in 0.1 mm, dmOrientation) for a page of this size."""
    w, h = sorted((width_mm, height_mm))
    number = PAPERS.get((round(w), round(h)), DMPAPER_USER)
    orientation = DMORIENT_LANDSCAPE if width_mm > height_mm + 0.5 else DMORIENT_PORTRAIT
    return number, round(w * 10), round(h * 10), orientation


def bitmap_info(bitmap: Bitmap) -> BITMAPINFO2:
    """The header of a top-down DIB (negative height: the rows go top to bottom, as rendered)."""
    if bitmap.bits not in (1, 24):
        raise ValueError(f"a page goes as 1 or 24 bits a pixel, not {bitmap.bits}")
    if bitmap.stride % 4 or bitmap.stride * 8 < bitmap.width * bitmap.bits or len(bitmap.data) < bitmap.stride * \
            bitmap.height:
        raise ValueError("the page's rows must be padded to 4 bytes and all there")
    info = BITMAPINFO2()
    h = info.bmiHeader
    h.biSize, h.biWidth, h.biHeight, h.biPlanes = ctypes.sizeof(BITMAPINFOHEADER), bitmap.width, -bitmap.height, 1
    h.biBitCount, h.biCompression, h.biSizeImage = bitmap.bits, BI_RGB, bitmap.stride * bitmap.height
    if bitmap.bits == 1:
        h.biClrUsed = h.biClrImportant = 2
        for slot, rgb in zip(info.bmiColors, bitmap.palette or (0xFFFFFF, 0x000000), strict=True):
            slot.rgbRed, slot.rgbGreen, slot.rgbBlue = (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255
    return info


class Win32:
    """The Win32 calls a job makes, through ctypes (Windows only)."""

    def __init__(self):
        if sys.platform != "win32":  # pragma: no cover - the tests give their own
            raise NeiqinError("只有在 Windows 上才能直接调用系统打印（GDI）")
        self.gdi = ctypes.WinDLL("gdi32", use_last_error=True)  # type: ignore[attr-defined]
        self.spool = ctypes.WinDLL("winspool.drv", use_last_error=True)  # type: ignore[attr-defined]
        g, s = self.gdi, self.spool
        g.CreateDCW.restype = HANDLE
        g.CreateDCW.argtypes = [ctypes.c_wchar_p, ctypes.c_wchar_p, ctypes.c_wchar_p, ctypes.c_void_p]
        g.ResetDCW.restype = HANDLE
        g.ResetDCW.argtypes = [HANDLE, ctypes.c_void_p]
        g.StartDocW.argtypes = [HANDLE, ctypes.POINTER(DOCINFOW)]
        for name in ("StartPage", "EndPage", "EndDoc", "AbortDoc", "DeleteDC"):
            getattr(g, name).argtypes = [HANDLE]
        g.GetDeviceCaps.argtypes = [HANDLE, ctypes.c_int]
        g.StretchDIBits.argtypes = [HANDLE] + [ctypes.c_int] * 8 + [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint,
                                                                    DWORD]
        s.OpenPrinterW.argtypes = [ctypes.c_wchar_p, ctypes.POINTER(HANDLE), ctypes.c_void_p]
        s.ClosePrinter.argtypes = [HANDLE]
        s.DocumentPropertiesW.restype = LONG
        s.DocumentPropertiesW.argtypes = [HANDLE, HANDLE, ctypes.c_wchar_p, ctypes.c_void_p, ctypes.c_void_p, DWORD]

    def devmode(self, printer: str, changes: dict[str, int]) -> ctypes.Array:
        """The printer's DEVMODE with ``changes`` merged by its driver (DocumentProperties IN|OUT)."""
        handle = HANDLE()
        if not self.spool.OpenPrinterW(printer, ctypes.byref(handle), None):
            raise OSError(ctypes.get_last_error(), "OpenPrinter")
        try:
            size = self.spool.DocumentPropertiesW(None, handle, printer, None, None, 0)
            if size < ctypes.sizeof(DEVMODEW):
                raise OSError(ctypes.get_last_error(), "DocumentProperties")
            buf = ctypes.create_string_buffer(size)
            if self.spool.DocumentPropertiesW(None, handle, printer, buf, None, DM_OUT_BUFFER) < 0:
                raise OSError(ctypes.get_last_error(), "DocumentProperties")
            apply(buf, changes)
            if self.spool.DocumentPropertiesW(None, handle, printer, buf, buf, DM_IN_BUFFER | DM_OUT_BUFFER) < 0:
                raise OSError(ctypes.get_last_error(), "DocumentProperties")
            return buf
        finally:
            self.spool.ClosePrinter(handle)

    def create_dc(self, printer: str, devmode) -> int:
        return self.gdi.CreateDCW(None, printer, None, devmode) or 0

    def reset_dc(self, hdc: int, devmode) -> bool:
        return bool(self.gdi.ResetDCW(hdc, devmode))

    def start_doc(self, hdc: int, info: DOCINFOW) -> int:
        return self.gdi.StartDocW(hdc, ctypes.byref(info))

    def start_page(self, hdc: int) -> int:
        return self.gdi.StartPage(hdc)

    def end_page(self, hdc: int) -> int:
        return self.gdi.EndPage(hdc)

    def end_doc(self, hdc: int) -> int:
        return self.gdi.EndDoc(hdc)

    def abort_doc(self, hdc: int) -> int:
        return self.gdi.AbortDoc(hdc)

    def delete_dc(self, hdc: int) -> None:
        self.gdi.DeleteDC(hdc)

    def device_caps(self, hdc: int, index: int) -> int:
        return self.gdi.GetDeviceCaps(hdc, index)

    def stretch_dibits(self, hdc: int, dest: tuple[int, int, int, int], src: tuple[int, int], data,
                       info: BITMAPINFO2) -> int:
        bits = (ctypes.c_char * len(data)).from_buffer_copy(data)
        return self.gdi.StretchDIBits(hdc, *dest, 0, 0, *src, bits, ctypes.byref(info), DIB_RGB_COLORS, SRCCOPY)


def apply(devmode, changes: dict[str, int]) -> DEVMODEW:
    """Set ``changes`` (DEVMODEW field → value) in a DEVMODE buffer and mark them in dmFields."""
    dm = DEVMODEW.from_buffer(devmode)
    flags = {"dmOrientation": DM_ORIENTATION, "dmPaperSize": DM_PAPERSIZE, "dmPaperLength": DM_PAPERLENGTH,
             "dmPaperWidth": DM_PAPERWIDTH, "dmCopies": DM_COPIES, "dmColor": DM_COLOR, "dmDuplex": DM_DUPLEX,
             "dmCollate": DM_COLLATE}
    for name, value in changes.items():
        setattr(dm, name, value)
        dm.dmFields |= flags.get(name, 0)
    if changes.get("dmPaperSize") not in (None, DMPAPER_USER):  # a named paper: its own size, not ours
        dm.dmFields &= ~(DM_PAPERLENGTH | DM_PAPERWIDTH)
    return dm


def page_settings(width_mm: float, height_mm: float) -> dict[str, int]:
    number, w, h, orientation = paper(width_mm, height_mm)
    out = {"dmPaperSize": number, "dmOrientation": orientation}
    if number == DMPAPER_USER:
        out.update(dmPaperWidth=w, dmPaperLength=h)
    return out


class Job:
    """One print job on ``printer``: :meth:`page` as often as there are pages, then :meth:`finish` (or
    :meth:`abort`). Every page is placed at the paper's corner at 100 %; the caller renders it at
    :meth:`device`'s resolution."""

    def __init__(self, printer: str, title: str, *, colour: bool, duplex: str = "none", api=None):
        self.api = api if api is not None else Win32()
        self.printer, self.title, self.colour, self.duplex = printer, title, colour, duplex
        self.hdc = 0
        self.started = False
        self.layout: dict[str, int] | None = None  # the paper and orientation the DC has now
        self.pages = 0
        self.bytes = 0  # bitmap bytes handed to the spooler

    def _settings(self, layout: dict[str, int]) -> dict[str, int]:
        return {**layout, "dmCopies": 1, "dmCollate": 1, "dmDuplex": DUPLEX.get(self.duplex, DMDUP_SIMPLEX),
                "dmColor": DMCOLOR_COLOR if self.colour else DMCOLOR_MONOCHROME}

    def _fail(self, what: str) -> NeiqinError:
        return NeiqinError(f"打印中断：第 {self.pages + 1} 页没有送到打印机“{self.printer}”（{what}），"
                           "已取消这次打印，请检查打印机后重新打印")

    def begin(self, width_mm: float, height_mm: float) -> Device:
        """Start the next page, of this size (the job itself at the first one); what the device gives it."""
        layout = page_settings(width_mm, height_mm)
        try:
            if not self.hdc:
                devmode = self.api.devmode(self.printer, self._settings(layout))
                self.hdc = self.api.create_dc(self.printer, devmode)
                if not self.hdc:
                    raise OSError("CreateDC")
                info = DOCINFOW(ctypes.sizeof(DOCINFOW), self.title or "neiqin", None, None, 0)
                if self.api.start_doc(self.hdc, info) <= 0:
                    raise OSError("StartDoc")
                self.started = True
            elif layout != self.layout:  # another paper or orientation: between pages only
                if not self.api.reset_dc(self.hdc, self.api.devmode(self.printer, self._settings(layout))):
                    raise OSError("ResetDC")
        except OSError as e:
            started = self.started
            self.abort()
            if not started:
                raise NeiqinError(f"无法开始打印：打印机“{self.printer}”没有响应，请检查打印机是否开机、联机"
                                  f"（{e}）") from e
            raise self._fail(str(e)) from e
        self.layout = layout
        if self.api.start_page(self.hdc) <= 0:
            self.abort()
            raise self._fail("StartPage")
        caps = self.api.device_caps
        return Device(caps(self.hdc, LOGPIXELSX), caps(self.hdc, LOGPIXELSY), caps(self.hdc, PHYSICALOFFSETX),
                      caps(self.hdc, PHYSICALOFFSETY), caps(self.hdc, PHYSICALWIDTH), caps(self.hdc, PHYSICALHEIGHT))

    def page(self, device: Device, bitmap: Bitmap, width_mm: float, height_mm: float) -> None:
        """Put the page begun with :meth:`begin` on paper: the bitmap across ``width_mm`` × ``height_mm`` from the
        paper's corner (1:1 when it was rendered at the device's resolution), then end the page."""
        dest = (-device.offset_x, -device.offset_y, round(width_mm / 25.4 * device.dpi_x),
                round(height_mm / 25.4 * device.dpi_y))
        if self.api.stretch_dibits(self.hdc, dest, (bitmap.width, bitmap.height), bitmap.data,
                                   bitmap_info(bitmap)) <= 0:
            self.abort()
            raise self._fail("StretchDIBits")
        if self.api.end_page(self.hdc) <= 0:
            self.abort()
            raise self._fail("EndPage")
        self.pages += 1
        self.bytes += bitmap.stride * bitmap.height

    def finish(self) -> int:
        """End the job: the spooler prints it. Returns the pages sent."""
        try:
            if self.api.end_doc(self.hdc) <= 0:
                self.started = False
                raise self._fail("EndDoc")
            self.started = False
            return self.pages
        finally:
            self.close()

    def abort(self) -> None:
        """Drop the job (the clerk cancelled, or a call failed): the spooler deletes what was sent."""
        if self.hdc and self.started:
            self.api.abort_doc(self.hdc)
            self.started = False
        self.close()

    def close(self) -> None:
        if self.hdc:
            self.api.delete_dc(self.hdc)
            self.hdc = 0

