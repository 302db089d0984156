"""下班提醒, and the daily erasure of expired personal data, whichever tab is in front.

Every minute (and once just after start, from ``app.run_gui``) the watch asks the visitor register whether the
clerk is needed: visits of earlier days nobody checked out, or, once closing time has passed, visits still open
today. Only then is the 来访登记 tab built and the list shown over it, so a start does not pay for that tab. A
window left open for days also blanks expired ID and phone numbers once a day; the first check, just after the
first page, does it at start (the visitor ledger is imported then, not before the first page).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from neiqin import clock

CHECK_MS = 60_000
log = logging.getLogger(__name__)


class ClosingWatch(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.prompted: dt.date | None = None  # the day the closing-time list was shown
        self.retention_day: dt.date | None = None  # the day expired personal data was last erased
        self.timer = QTimer(self, interval=CHECK_MS, timeout=self.check)
        self.timer.start()

    def check(self, force: bool = False) -> None:
        """At closing time (and at start-up for earlier days) offer to close visits nobody checked out; once a
        day (the first time just after start) erase expired personal data."""
        from neiqin.models.visitors import closing_moment, erase_expired_personal_data, on_site

        today = clock.today()
        if self.retention_day != today:
            self.retention_day = today
            erased = erase_expired_personal_data()
            if erased:
                log.info("erased personal data of %s visits", erased)
                pane = self.window.built_pane("visitors")
                if pane is not None:
                    pane.refresh()
        stale = on_site(before=today)
        late = clock.now() >= closing_moment(today) and self.prompted != today
        if not (stale or late or force):
            return
        visits = on_site() if (late or force) else stale
        if not visits:
            return
        if late:
            self.prompted = today
        if QApplication.activeModalWidget() is not None:
            self.prompted = None if late else self.prompted
            return  # never pop up over a form the clerk is typing in; the timer asks again later
        from PySide6.QtWidgets import QDialog

        from neiqin.ui.visitors_pane import ForgottenVisitsDialog

        pane = self.window.pane("visitors")
        if ForgottenVisitsDialog(visits, pane).exec() == QDialog.DialogCode.Accepted:
            pane.after_change()


def install(window) -> ClosingWatch:
    window.closing_watch = ClosingWatch(window)
    return window.closing_watch
