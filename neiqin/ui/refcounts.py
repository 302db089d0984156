"""A guard for PySide6 6.12 on Python 3.11: spare references for None, True and False.

PySide6 6.12 hands back None from void Qt calls (``widget.update()``, ``QApplication.alert(...)``) without taking a
reference. On Python 3.11, where None, True and False are not yet immortal (they are from 3.12 on), every such call
drops one reference, and a long session aborts ("none_dealloc" / "bool_dealloc: deallocating True or False") once
enough calls were made — a test session did, and a clerk's window open all day would. Measured: -1 reference of
None per call of ``update()``, ``setWindowTitle()``, ``processEvents()``, ``QApplication.alert()``.

:func:`pin_singletons` gives them 2**32 references to spare (the first field of every object is its reference
count). The Windows build uses Python 3.12, where this does nothing.
"""

from __future__ import annotations

import sys


def pin_singletons() -> bool:
    """True when the references were added (Python before 3.12)."""
    if sys.version_info >= (3, 12):
        return False
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 32
    return True
