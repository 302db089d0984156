"""地址簿 → 打印信封 → 打印 (mouse or Enter): the envelopes reach the printer at their own size, at 100 %."""

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from neiqin.models import settings
from neiqin.models.mail.addresses import ADDRESSES
from neiqin.ui.printing.envelope_dialog import EnvelopeDialog

from .printers import MM, assert_printed_as_sent
from .test_labels_ui import press_print, when_dialog


@pytest.mark.parametrize(("button", "press", "size", "mm", "count"), [
    ("打印信封", "mouse", "DL", (220, 110), 1),  # the selected unit
    ("批量信封…", "enter", "C5", (229, 162), 2),  # every unit in the list
])
def test_envelope_print_button_sends_the_envelopes_to_the_printer(qtbot, window, tmp_path, printer, button, press,
                                                                    size, mm, count):
    orgs = [ADDRESSES.create({"name": name, "address": "北京市朝阳区建国路88号", "postcode": "100022",
                              "contact": "王主任"}) for name in ("市住房和城乡建设局", "市财政局")]
    tab = window.show_pane(window.pane_for_ledger("addresses"))
    book = tab.view_for("addresses")
    tab.show_view(book)
    book.refresh()
    qtbot.waitUntil(lambda: book.model.rowCount() == 2)
    assert book.select_id(orgs[1].id)
    tool = next(b for b in book.findChildren(QToolButton) if b.defaultAction() and b.defaultAction().text() == button)
    seen = {}

    def on_envelopes(dlg):
        seen["recipients"] = dlg.list.count()
        dlg.size.setCurrentIndex(dlg.size.findData(size))
        seen.update(press_print(qtbot, dlg, printer, press, dlg.sender_name))

    when_dialog(EnvelopeDialog, on_envelopes)
    before = printer.snapshot()
    qtbot.mouseClick(tool, Qt.MouseButton.LeftButton)
    assert (seen["recipients"], seen["error"], seen["closed"]) == (count, "", True)
    out, = printer.collect(qtbot, before, tmp_path / "printed")
    sent = pypdf.PdfReader(seen["pdf"]).pages
    w, h = float(sent[0].mediabox.width) / MM, float(sent[0].mediabox.height) / MM
    assert len(sent) == count and abs(w - mm[0]) < 1 and abs(h - mm[1]) < 1  # landscape envelope pages
    turns = assert_printed_as_sent(seen["pdf"], out)
    assert turns == [0] * count  # CUPS takes the PDF itself: each page on paper of its own size, as sent
    if printer.kind == "windows-gdi":  # the red postcode boxes: each envelope a colour page
        assert printer.bits == [24] * count
    assert settings.get("parcels.envelope_printer") == printer.name
