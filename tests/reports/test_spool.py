"""Handing the PDF to CUPS (issue 18 item 10): the lp command line."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape

from neiqin.reports.spool import MM, cups_command, media


def test_media_is_the_page_upright():
    assert media(*A4) == media(*landscape(A4)) == "A4"
    assert media(220 * MM, 110 * MM) == "Custom.110.0x220.0mm"  # a DL envelope page
    assert media(60 * MM, 40 * MM) == "Custom.40.0x60.0mm"


def test_lp_command_prints_at_full_size_with_range_and_copies():
    cmd = cups_command("/usr/bin/lp", "/tmp/登记簿.pdf", "neiqin-pdf", title="收文登记簿", page_pt=landscape(A4),
                       first=2, last=5, pages=9, copies=3)
    assert cmd[:3] == ["/usr/bin/lp", "-d", "neiqin-pdf"]
    joined = " ".join(cmd)
    for part in ("-t 收文登记簿", "-n 3", "collate=true", "media=A4", "print-scaling=none", "-P 2-5"):
        assert part in joined
    assert cmd[-2:] == ["--", "/tmp/登记簿.pdf"]
    whole = cups_command("lp", "x.pdf", "q", title="t", page_pt=A4, first=1, last=9, pages=9)
    assert "-P" not in whole
