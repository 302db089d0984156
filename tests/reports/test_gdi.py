"""The Win32 structures and page settings of neiqin.reports.gdi, checked without Windows: the layouts are
Windows' own (wingdi.h), so a DEVMODE or a bitmap header built here is what gdi32 reads there."""

from __future__ import annotations

import ctypes

import pytest

from neiqin.errors import NeiqinError
from neiqin.reports import gdi


def test_structures_have_the_windows_layout():
    assert ctypes.sizeof(gdi.DEVMODEW) == 220
    offsets = {name: getattr(gdi.DEVMODEW, name).offset for name in (
        "dmSize", "dmDriverExtra", "dmFields", "dmOrientation", "dmPaperSize", "dmPaperLength", "dmPaperWidth",
        "dmCopies", "dmColor", "dmDuplex", "dmCollate", "dmFormName", "dmLogPixels", "dmBitsPerPel",
        "dmPanningHeight")}
    assert offsets == {"dmSize": 68, "dmDriverExtra": 70, "dmFields": 72, "dmOrientation": 76, "dmPaperSize": 78,
                       "dmPaperLength": 80, "dmPaperWidth": 82, "dmCopies": 86, "dmColor": 92, "dmDuplex": 94,
                       "dmCollate": 100, "dmFormName": 102, "dmLogPixels": 166, "dmBitsPerPel": 168,
                       "dmPanningHeight": 216}
    assert ctypes.sizeof(gdi.BITMAPINFOHEADER) == 40
    assert ctypes.sizeof(gdi.BITMAPINFO2) == 48  # the header and a two-colour table
    assert ctypes.sizeof(gdi.DOCINFOW) == (40 if ctypes.sizeof(ctypes.c_void_p) == 8 else 20)


@pytest.mark.parametrize("size, expected", [
    ((210, 297), (9, 2100, 2970, gdi.DMORIENT_PORTRAIT)),  # A4
    ((297, 210), (9, 2100, 2970, gdi.DMORIENT_LANDSCAPE)),  # a landscape register: A4 turned
    ((220, 110), (27, 1100, 2200, gdi.DMORIENT_LANDSCAPE)),  # a DL envelope
    ((229, 162), (28, 1620, 2290, gdi.DMORIENT_LANDSCAPE)),  # C5
    ((60, 40), (gdi.DMPAPER_USER, 400, 600, gdi.DMORIENT_LANDSCAPE)),  # a roll label: its own size
    ((230, 120), (gdi.DMPAPER_USER, 1200, 2300, gdi.DMORIENT_LANDSCAPE)),  # ZL, not a Windows paper
])
def test_paper_for_a_page(size, expected):
    assert gdi.paper(*size) == expected


def test_apply_marks_what_it_sets_and_a_named_paper_drops_a_custom_size():
    buf = ctypes.create_string_buffer(ctypes.sizeof(gdi.DEVMODEW) + 100)
    dm = gdi.apply(buf, {**gdi.page_settings(60, 40), "dmColor": gdi.DMCOLOR_MONOCHROME, "dmCopies": 1})
    assert (dm.dmPaperSize, dm.dmPaperWidth, dm.dmPaperLength, dm.dmOrientation) == (256, 400, 600, 2)
    assert dm.dmFields == (gdi.DM_PAPERSIZE | gdi.DM_PAPERWIDTH | gdi.DM_PAPERLENGTH | gdi.DM_ORIENTATION
                           | gdi.DM_COLOR | gdi.DM_COPIES)
    dm = gdi.apply(buf, gdi.page_settings(210, 297))
    assert dm.dmPaperSize == 9 and not dm.dmFields & (gdi.DM_PAPERWIDTH | gdi.DM_PAPERLENGTH)


def test_bitmap_header_is_a_top_down_dib():
    page = gdi.Bitmap(10, 3, 1, 4, bytes(12), (0x000000, 0xFFFFFF))
    info = gdi.bitmap_info(page)
    h = info.bmiHeader
    assert (h.biSize, h.biWidth, h.biHeight, h.biPlanes, h.biBitCount, h.biSizeImage, h.biClrUsed) == \
        (40, 10, -3, 1, 1, 12, 2)
    assert [(c.rgbRed, c.rgbGreen, c.rgbBlue) for c in info.bmiColors] == [(0, 0, 0), (255, 255, 255)]
    assert gdi.bitmap_info(gdi.Bitmap(5, 2, 24, 16, bytes(32))).bmiHeader.biBitCount == 24
    with pytest.raises(ValueError):
        gdi.bitmap_info(gdi.Bitmap(10, 3, 1, 2, bytes(6)))  # rows not padded to 4 bytes
    with pytest.raises(ValueError):
        gdi.bitmap_info(gdi.Bitmap(10, 3, 1, 4, bytes(8)))  # a row missing
    with pytest.raises(ValueError):
        gdi.bitmap_info(gdi.Bitmap(10, 3, 8, 12, bytes(36)))  # 8 bits: not a page neiqin sends


class Spooler:
    """The least a job needs: answers every call, or fails the one named."""

    def __init__(self, fail: str = "", at: int = 1):
        self.fail, self.at, self.calls = fail, at, []

    def _call(self, name, ok, *args):
        self.calls.append((name, *args))
        n = sum(1 for c in self.calls if c[0] == name)
        return 0 if name == self.fail and n == self.at else ok

    def devmode(self, printer, changes):
        self.calls.append(("DocumentProperties", changes.get("dmOrientation")))
        return changes

    def create_dc(self, printer, devmode):
        return self._call("CreateDC", 9)

    def reset_dc(self, hdc, devmode):
        return self._call("ResetDC", 1, devmode["dmOrientation"])

    def start_doc(self, hdc, info):
        return self._call("StartDoc", 3, info.lpszDocName)

    def start_page(self, hdc):
        return self._call("StartPage", 1)

    def device_caps(self, hdc, index):
        return {gdi.LOGPIXELSX: 600, gdi.LOGPIXELSY: 300}.get(index, 40)

    def stretch_dibits(self, hdc, dest, src, data, info):
        return self._call("StretchDIBits", 1, dest)

    def end_page(self, hdc):
        return self._call("EndPage", 1)

    def end_doc(self, hdc):
        return self._call("EndDoc", 1)

    def abort_doc(self, hdc):
        return self._call("AbortDoc", 1)

    def delete_dc(self, hdc):
        self.calls.append(("DeleteDC",))


PAGE = gdi.Bitmap(8, 2, 1, 4, bytes(8))


def run(spooler, sizes):
    job = gdi.Job("打印机", "收文登记簿", colour=False, api=spooler)
    for w, h in sizes:
        device = job.begin(w, h)
        job.page(device, PAGE, w, h)
    return job.finish()


def test_a_job_resets_the_dc_only_when_the_paper_turns_and_places_pages_from_the_paper_corner():
    s = Spooler()
    assert run(s, [(210, 297), (210, 297), (297, 210)]) == 3
    names = [c[0] for c in s.calls]
    assert names.count("ResetDC") == 1 and ("ResetDC", gdi.DMORIENT_LANDSCAPE) in s.calls
    assert names[-2:] == ["EndDoc", "DeleteDC"] and "AbortDoc" not in names
    dest = [c[1] for c in s.calls if c[0] == "StretchDIBits"]
    # 600 × 300 dpi, printable area 40 px in: the page from the paper's corner, at 100 %
    assert dest[0] == (-40, -40, 4961, 3508) and dest[2] == (-40, -40, 7016, 2480)


def test_a_printer_that_does_not_answer_is_named():
    s = Spooler(fail="StartDoc")
    with pytest.raises(NeiqinError, match="无法开始打印：打印机“打印机”没有响应"):
        run(s, [(210, 297)])
    assert [c[0] for c in s.calls][-1] == "DeleteDC" and "AbortDoc" not in [c[0] for c in s.calls]


def test_a_page_that_does_not_reach_the_printer_drops_the_job_and_says_which():
    s = Spooler(fail="StretchDIBits", at=2)
    with pytest.raises(NeiqinError, match="第 2 页没有送到打印机“打印机”"):
        run(s, [(210, 297)] * 3)
    names = [c[0] for c in s.calls]
    assert names[-2:] == ["AbortDoc", "DeleteDC"] and "EndDoc" not in names
