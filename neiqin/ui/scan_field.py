"""Fields a USB barcode scanner types into: the input method stays off.

A scanner is a keyboard. With Microsoft Pinyin on (the default on a Chinese Windows PC), "SF1234…" starts a
pinyin composition and the digits pick characters from its list, so the field receives Chinese instead of the
运单号. With the widget's input method disabled, the keys arrive as they are whatever input method is active.
The attribute alone is not enough for a QLineEdit: it answers the input method's "enabled?" query itself, and
turns the attribute back on in some changes (read-only, echo mode); so the field's answer to that query is "no",
and the attribute is switched off again each time the field gets the focus. Full-width characters that still arrive are folded to ASCII
by the parsers (``normalize_tracking``, ``supplies.find_item``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

_ATTRIBUTE = Qt.WidgetAttribute.WA_InputMethodEnabled


class _KeepInputMethodOff(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.InputMethodQuery and isinstance(watched, QWidget):
            # QLineEdit answers "input method enabled?" itself (enabled and not read-only), whatever the
            # attribute says, and that answer is what Windows' input-method plugin asks: the field answers every
            # query, and this one is answered "no"
            watched.event(event)
            if event.queries() & Qt.InputMethodQuery.ImEnabled:
                event.setValue(Qt.InputMethodQuery.ImEnabled, False)
            return True
        if kind in (QEvent.Type.FocusIn, QEvent.Type.ReadOnlyChange, QEvent.Type.Show) and isinstance(watched, QWidget):
            watched.setAttribute(_ATTRIBUTE, False)
        return False


def scan_field(widget: QWidget) -> QWidget:
    """Make ``widget`` a scan field (input method off); returns it."""
    widget.setAttribute(_ATTRIBUTE, False)
    keeper = _KeepInputMethodOff(widget)
    widget.installEventFilter(keeper)
    widget.setProperty("scanField", True)
    return widget
