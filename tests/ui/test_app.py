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


def test_create_window_erases_expired_personal_data(qtbot, datadir, database, host):
    import datetime as dt

    from neiqin.models import Visit
    from neiqin.models.visitors import check_in

    old = clock.today() - dt.timedelta(days=400)
    v = check_in({"name": "李四", "host": host.id, "id_number": "11010519491231002X", "visit_date": old,
                  "arrive_at": dt.datetime.combine(old, dt.time(9))})
    w = app.create_window(datadir)
    qtbot.addWidget(w)
    assert Visit.get_by_id(v.id).id_number == ""
