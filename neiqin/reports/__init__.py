"""Printed registers (reportlab) and Excel export/import (openpyxl), driven by each ledger's LedgerSpec.

No Qt here. Long jobs take ``progress(done, total)`` and ``cancelled() -> bool`` callbacks so the UI can run them
on a worker thread behind a progress dialog. reportlab and openpyxl are imported by the submodules only, so
importing this package costs nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import peewee as pw

from neiqin import winfs
from neiqin.errors import NeiqinError

if TYPE_CHECKING:
    from neiqin.models.ledger import LedgerQuery, LedgerSpec


class Cancelled(NeiqinError):
    """The clerk pressed 取消: the job stopped and left no partial file behind."""

    def __init__(self, message: str = "已取消"):
        super().__init__(message)


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it only if the block succeeds.

    A failed or cancelled export leaves neither a half-written file nor a damaged old one. Errors the clerk
    can act on (no such folder, no permission, file open in another program) become NeiqinError.
    """
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=".neiqin-", suffix=target.suffix + ".part", dir=target.parent)
    except FileNotFoundError:
        raise NeiqinError(f"文件夹“{target.parent}”不存在") from None
    except PermissionError:
        raise NeiqinError(f"没有权限在“{target.parent}”中保存文件，请换一个文件夹") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an export is an ordinary document
        try:
            winfs.replace(tmp, target)  # retried while antivirus or the indexer holds the file
        except PermissionError:
            raise NeiqinError(f"无法写入“{target.name}”：文件可能正在被其他程序（如 Excel 或 PDF 阅读器）打开，"
                              "请关闭后重试") from None
    finally:
        tmp.unlink(missing_ok=True)


def total_rows(spec: LedgerSpec, query: LedgerQuery) -> int:
    """Rows ``spec.iter_rows(query)`` will yield, voided included (``spec.count`` leaves them out)."""
    q, _, _ = spec.select(query, fields=[pw.fn.COUNT(pw.SQL("*"))])
    return q.scalar() or 0


__all__ = ["Cancelled", "atomic_output", "total_rows"]
