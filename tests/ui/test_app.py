import logging
import sys

from neiqin import app, clock


def test_excepthook_logs_and_shows_instead_of_dying(qtbot, datadir, monkeypatch):
    from neiqin.logs import setup_logging
    from neiqin.ui import dialogs

    setup_logging(datadir)
    shown = {}

    class FakeDialog:
        def __init__(self, summary, details, log_path, parent=None):
            shown.update(summary=summary, details=details, log_path=log_path)

        def exec(self):
            return 0

    monkeypatch.setattr(dialogs, "ErrorDialog", FakeDialog)
    old = sys.excepthook
    try:
        app.install_excepthook(datadir)
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    for h in logging.getLogger().handlers:
        h.flush()
    assert "ZeroDivisionError" in shown["details"] and "意外错误" in shown["summary"]
    assert "ZeroDivisionError: boom" in (datadir.logs / "neiqin.log").read_text(encoding="utf-8")


def test_expired_personal_data_is_erased_just_after_the_first_page(qtbot, datadir, database, host, monkeypatch):
    """The window is built first (the first page imports no ledger); the closing watch's first check, which
    run_gui schedules 0.8 s after showing it, erases expired ID numbers — and daily after that."""
    import datetime as dt

    from PySide6.QtCore import QTimer

    from neiqin.models import Visit
    from neiqin.models.visitors import check_in, check_out

    old = clock.today() - dt.timedelta(days=400)
    v = check_in({"name": "李四", "host": host.id, "id_number": "11010519491231002X", "visit_date": old,
                  "arrive_at": dt.datetime.combine(old, dt.time(9))})
    check_out(v, dt.datetime.combine(old, dt.time(11)))  # left that day: nothing for the watch to offer
    w = app.create_window(datadir)
    qtbot.addWidget(w)
    assert Visit.get_by_id(v.id).id_number == "11010519491231002X"  # not before the first page
    w.show()
    QTimer.singleShot(0, w.closing_watch.check)  # what run_gui schedules after show()
    qtbot.waitUntil(lambda: Visit.get_by_id(v.id).id_number == "", timeout=5000)
