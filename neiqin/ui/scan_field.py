"""Fields a USB barcode scanner types into: the input method stays off.

A scanner is a keyboard. With Microsoft Pinyin on (the default on a Chinese Windows PC), "SF1234…" starts a
pinyin composition and the digits pick characters from its list, so the field receives Chinese instead of the
运单号. Qt asks the focused widget whether it takes an input method (``QInputMethodPrivate::
objectAcceptsInputMethod``: the ImEnabled query, and on a platform that cannot hide text from its input method,
which is Windows, also the ImHints query); a QLineEdit answers ImEnabled itself ("enabled and not read-only"),
whatever ``WA_InputMethodEnabled`` says, so the attribute alone does not switch Pinyin off. The hint
``ImhHiddenText`` does: it is how Qt keeps the input method away from password fields on Windows (QTBUG-40691), and
it changes nothing about what the field shows. Both are set, plus Latin-only hints for other input methods.
Full-width characters that still arrive are folded to ASCII by the parsers (``normalize_tracking``,
``supplies.find_item``).

(Answering the query from Python instead, in an event filter or an ``inputMethodQuery`` override, hits a
reference-count bug of PySide 6.12's QInputMethodQueryEvent.setValue/value on Python 3.11: every call takes a
reference from None, and the interpreter aborts once it runs out.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

SCAN_HINTS = (Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhLatinOnly
              | Qt.InputMethodHint.ImhPreferLatin | Qt.InputMethodHint.ImhNoPredictiveText
              | Qt.InputMethodHint.ImhNoAutoUppercase)


def scan_field(widget: QWidget) -> QWidget:
    """Make ``widget`` a scan field (input method off); returns it."""
    widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    widget.setInputMethodHints(widget.inputMethodHints() | SCAN_HINTS)
    widget.setProperty("scanField", True)
    return widget
