"""PySide6 6.12 on Python 3.11 drops a reference of None at every void Qt call; the window (and this suite) start
with references to spare, so a day-long session never deallocates None."""

import sys

import pytest
from PySide6.QtWidgets import QWidget

from neiqin.ui.refcounts import pin_singletons


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal from Python 3.12 on")
def test_void_qt_calls_cost_none_a_reference_and_the_spare_ones_cover_a_day(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(1000):
        w.update()
    lost = before - sys.getrefcount(None)
    assert lost >= 0  # what the binding leaks (about one per call with 6.12); never more than the spare ones
    assert sys.getrefcount(None) > 2**32  # pinned by the suite's conftest, as the window pins them at start
    assert pin_singletons() is True and sys.getrefcount(None) > 2**33


def test_nothing_is_pinned_where_python_makes_them_immortal(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 12, 0))
    assert pin_singletons() is False
