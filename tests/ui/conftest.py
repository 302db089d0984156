import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from neiqin.ui import jobs
from neiqin.ui.printing import preview

from .printers import MACHINE_PRINTER_NAMES, CupsPdfQueue, FilePrinter, GdiSpooler


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch):
    monkeypatch.setattr(jobs, "RUN_SYNCHRONOUSLY", True)
    monkeypatch.setenv("NEIQIN_NO_OPEN", "1")


@pytest.fixture(autouse=True)
def _no_machine_printers(monkeypatch):
    """No UI test reads the machine's printer list: the dialogs see no printer unless the test gives some."""
    monkeypatch.setattr(preview, "printer_names", lambda: [])


@pytest.fixture
def printers(monkeypatch):
    """``printers(["HP LaserJet"])`` or ``printers([])``: the printer list the dialogs see, the test's own."""

    def use(names):
        monkeypatch.setattr(preview, "printer_names", lambda: list(names))

    return use


@pytest.fixture(scope="session")
def _cups_pdf_queue():
    return CupsPdfQueue.find()


@pytest.fixture(params=["cups-pdf", "pdf-file", "windows-gdi"])
def printer(request, monkeypatch, tmp_path):
    """A printer the dialogs offer, and the jobs it received.

    ``cups-pdf``: a real CUPS queue (skipped with the reason when the machine has none); the dialogs see the
    machine's own printer list and the test picks the queue in it. ``pdf-file``: the one printer the dialogs see
    writes PDF files; the same buttons, on any machine. ``windows-gdi``: a Windows printer, the jobs through
    neiqin's GDI calls to a played Windows spooler (tests/ui/printers.py GdiSpooler).
    """
    if request.param == "pdf-file":
        return FilePrinter(monkeypatch, tmp_path / "file-printer")
    if request.param == "windows-gdi":
        return GdiSpooler(monkeypatch, tmp_path / "gdi-printer")
    queue = request.getfixturevalue("_cups_pdf_queue")
    if isinstance(queue, str):
        pytest.skip(queue)
    monkeypatch.setattr(preview, "printer_names", MACHINE_PRINTER_NAMES)
    if queue.name not in MACHINE_PRINTER_NAMES():
        pytest.skip(f"Qt does not list the CUPS queue {queue.name} (is Qt's CUPS print support plugin there?)")
    return queue


@pytest.fixture
def window(qtbot, database, datadir, host):
    from neiqin.models import settings, today
    from neiqin.ui.main_window import MainWindow

    # no start-up reminder 2.5 s into a test: on the offscreen platform its list can become the active window and
    # swallow the shortcuts a test types (the reminder tests call remind() themselves)
    settings.set_value(today.REMIND_AT_START, False)
    w = MainWindow(datadir)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.show_pane("visitors")  # 今日 is in front at start; most tests begin at the visitor register
    yield w
    w.close()


def when_modal(callback, delay=50, tries=60):
    """Run ``callback(dialog)`` as soon as a modal dialog is up (the code under test is blocked in exec())."""

    def attempt(n=tries):
        dlg = QApplication.activeModalWidget()
        if dlg is None and n > 0:
            QTimer.singleShot(delay, lambda: attempt(n - 1))
            return
        callback(dlg)

    QTimer.singleShot(delay, attempt)


def type_text(qtbot, widget, text):
    """Type like a clerk: ASCII as key presses, Chinese as IME commits (QTest cannot press CJK keys)."""
    from PySide6.QtGui import QInputMethodEvent

    widget.setFocus()
    run = ""
    for ch in text:
        if ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        event = QInputMethodEvent()
        event.setCommitString(ch)
        QApplication.sendEvent(widget, event)
    if run:
        qtbot.keyClicks(widget, run)


def press(box, text):
    """Click the button of a message box that reads ``text`` (the operations dialog names its buttons)."""
    buttons = [b for b in box.buttons() if b.text() == text]
    assert buttons, f"no button “{text}” in {[b.text() for b in box.buttons()]}"
    buttons[0].click()
