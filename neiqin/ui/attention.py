"""Getting the clerk's attention when the window is minimised or behind another program (Word, WPS).

The 到期提醒 list belongs to the main window: while it is minimised the list is hidden with it, and behind Word
nobody sees it. So a reminder also flashes the taskbar button (``QApplication.alert``, until the window is
activated) and, where the desktop has a notification area (Windows always does), shows a notification there;
clicking it brings the window and the list to the front.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon, QWidget

log = logging.getLogger(__name__)


def tray_available() -> bool:
    """The one seam tests switch: whether the desktop shows notification-area icons."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class Attention:
    def __init__(self, window: QWidget):
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self.sent: list[str] = []  # what was announced (also in the log)
        self._on_click: Callable[[], None] | None = None

    def needed(self) -> bool:
        return self.window.isMinimized() or not self.window.isActiveWindow()

    def call(self, title: str, text: str, on_click: Callable[[], None]) -> bool:
        """Flash the taskbar button and notify, if the clerk cannot see the window. True when done."""
        if not self.needed():
            return False
        QApplication.alert(self.window, 0)  # flashes until the clerk activates the window
        self._on_click = on_click
        tray = self._tray()
        if tray is not None:
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 15_000)
        self.sent.append(text)
        log.info("reminder announced outside the window: %s", text)
        return True

    def _tray(self) -> QSystemTrayIcon | None:
        if self.tray is None and tray_available():
            icon = self.window.windowIcon()
            if icon.isNull():
                icon = self.window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, self.window)
            self.tray.setToolTip(self.window.windowTitle())
            self.tray.messageClicked.connect(self.bring_to_front)
            self.tray.activated.connect(lambda _reason: self.bring_to_front())
            self.tray.show()
        return self.tray

    def bring_to_front(self) -> None:
        w = self.window
        if w.isMinimized():
            w.showNormal()
        w.raise_()
        w.activateWindow()
        if self._on_click is not None:
            self._on_click()
