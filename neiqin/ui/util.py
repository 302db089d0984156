"""Small helpers every widget uses: translation, showing errors, asking for a reason."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QTime

from neiqin import clock
from neiqin.errors import NeiqinError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def qtoday() -> QDate:
    """Today from the program's clock, as a QDate (never ``QDate.currentDate()``: tests pin the clock)."""
    day = clock.today()
    return QDate(day.year, day.month, day.day)


def qnow() -> QDateTime:
    """Now from the program's clock, as a QDateTime."""
    moment = clock.now()
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute, moment.second))


def tr(text: str) -> str:
    """Every user-visible string goes through here, so a translator can hook in later."""
    return QCoreApplication.translate("neiqin", text)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, NeiqinError):
        return str(exc)
    from neiqin.backup import map_sqlite_error

    mapped = map_sqlite_error(exc)  # disk full, locked, corrupt … as a sentence the clerk can act on
    if mapped is not None:
        return str(mapped)
    if isinstance(exc, sqlite3.OperationalError | OSError) and "full" in str(exc).lower():
        return tr("磁盘空间已满，本次修改没有保存。请清理磁盘空间后重试，已保存的数据不受影响。")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return tr("数据文件正被其他程序占用，请稍后重试。")
    return tr("发生了意外错误：") + f"{type(exc).__name__}: {exc}"


def show_error(parent: QWidget | None, exc: BaseException | str, title: str = "") -> None:
    text = exc if isinstance(exc, str) else error_text(exc)
    if not isinstance(exc, str | NeiqinError):
        log.error("error shown to user", exc_info=exc)
    from PySide6.QtWidgets import QMessageBox  # the dialog classes load when first needed, not at start-up

    QMessageBox.warning(parent, title or tr("无法完成"), text)


def error_label():
    """The red line under a form or dialog where its error is said (word-wrapped: Chinese messages run long)."""
    from PySide6.QtWidgets import QLabel

    label = QLabel(styleSheet="color:#d93025")
    label.setWordWrap(True)
    return label


def save_cancel_buttons(dialog, save: Callable[[], object]):
    """保存 / 取消 for a dialog: 保存 runs ``save`` (which accepts the dialog when it has saved), 取消 rejects."""
    from PySide6.QtWidgets import QDialogButtonBox

    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("保存"))
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_reason(parent: QWidget | None, title: str, prompt: str, placeholder: str = "") -> str | None:
    from PySide6.QtWidgets import QDialog

    from neiqin.ui.reason_dialog import ReasonDialog

    dlg = ReasonDialog(title, prompt, parent, placeholder)
    return dlg.reason() if dlg.exec() == QDialog.DialogCode.Accepted else None


def __getattr__(name: str):
    if name == "ReasonDialog":  # kept in its own module, so that importing this one creates no dialog classes
        from neiqin.ui.reason_dialog import ReasonDialog

        return ReasonDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
