"""Printed registers (reportlab) and Excel export/import (openpyxl), driven by each ledger's LedgerSpec.

No Qt here. Long jobs take ``progress(done, total)`` and ``cancelled() -> bool`` callbacks so the UI can run them
on a worker thread behind a progress dialog. reportlab and openpyxl are imported by the submodules only, so
importing this package costs nothing.
"""

from __future__ import annotations

from neiqin.errors import NeiqinError


class Cancelled(NeiqinError):
    """The clerk pressed 取消: the job stopped and left no partial file behind."""

    def __init__(self, message: str = "已取消"):
        super().__init__(message)


__all__ = ["Cancelled"]
