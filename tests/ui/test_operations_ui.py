"""One confirmation dialog for every ledger: its buttons, 查看原记录, a reason line, and what declining does."""

import pytest

from neiqin.errors import ValidationError
from neiqin.operations import NeedsConfirmation
from neiqin.ui.operations import Declined, run_operation

from .conftest import press, type_text, when_modal


class Twice(NeedsConfirmation):
    key, title, yes_text = "twice", "重复登记", "仍然登记"


class WithReason(NeedsConfirmation):
    key, title, yes_text = "override", "需要说明", "仍然办理"
    reason_label = "办理理由"


def write(calls, question, **kw):
    def fn(*, confirmed=None):
        calls.append(dict(confirmed or {}))
        if question.key not in (confirmed or {}):
            raise question
        return "已保存"
    return fn


def test_confirming_runs_the_same_write_again_and_details_are_shown_on_request(qtbot):
    calls, seen = [], {}
    q = Twice("运单号 SF1 已登记过", details_text="SF1 2026-12-09 张三")

    def details(info):
        seen["details"] = info.text()
        info.accept()

    def ask(box):
        seen["buttons"] = [b.text() for b in box.buttons()]
        when_modal(lambda box2: press(box2, "仍然登记"), delay=150)
        when_modal(details)
        press(box, "查看原记录")

    when_modal(ask)
    outcome = run_operation(None, write(calls, q))
    assert outcome.value == "已保存" and calls == [{}, {"twice": ""}]
    assert sorted(seen["buttons"]) == sorted(["仍然登记", "查看原记录", "返回修改"])
    assert seen["details"] == "SF1 2026-12-09 张三"


def test_a_reason_is_asked_and_passed_on_declining_saves_nothing(qtbot):
    calls = []
    q = WithReason("名单中有此人")

    def ask(box):
        def reason(dlg):
            type_text(qtbot, dlg.edit, "经主任同意")
            dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()

        when_modal(reason)
        press(box, "仍然办理…")

    when_modal(ask)
    assert run_operation(None, write(calls, q)).value == "已保存"
    assert calls[-1] == {"override": "经主任同意"}

    calls.clear()
    when_modal(lambda box: press(box, "返回修改"))
    with pytest.raises(Declined) as e:
        run_operation(None, write(calls, q))
    assert e.value.handled and calls == [{}]


def test_a_declined_question_with_field_errors_shows_them_at_the_field(qtbot):
    q = Twice("该时段已被预订")
    q.errors_if_declined = {"start": "该时段已被预订：14:00–15:00 技术部周会"}
    when_modal(lambda box: box.escapeButton().click())  # Esc answers no
    with pytest.raises(ValidationError) as e:
        run_operation(None, write([], q))
    assert e.value.errors == {"start": "该时段已被预订：14:00–15:00 技术部周会"}


def test_a_slow_write_runs_in_a_worker_with_progress_after_0_6_s(qtbot, database, monkeypatch):
    """The window stays responsive: the write runs on another thread (its own SQLite connection), the progress
    dialog with the write's title shows after 0.6 s, and the Outcome still lists what was written."""
    import threading
    import time

    from PySide6.QtWidgets import QApplication, QProgressDialog

    from neiqin.models.base import AuditLog
    from neiqin.operations import Change
    from neiqin.ui import jobs

    monkeypatch.setattr(jobs, "RUN_SYNCHRONOUSLY", False)
    seen = {}

    def batch():
        seen["thread"] = threading.current_thread() is threading.main_thread()
        time.sleep(1.2)
        AuditLog.write("visitors", 7, "checkout", "下班批量签离")
        return 1

    def look():
        seen["dialogs"] = [w.labelText() for w in QApplication.topLevelWidgets()
                           if isinstance(w, QProgressDialog) and w.isVisible()]

    from PySide6.QtCore import QTimer

    QTimer.singleShot(900, look)
    outcome = run_operation(None, batch, slow="正在批量签离")
    assert seen["thread"] is False
    assert seen["dialogs"] == ["正在批量签离"]
    assert outcome.value == 1 and outcome.changes == [Change("visitors", 7, "checkout")]
    assert AuditLog.select().where(AuditLog.record_id == 7).count() == 1  # committed: read from this thread


def test_one_handler_tells_a_domain_error_in_one_sentence_and_nothing_is_written(qtbot, database):
    from neiqin.errors import NeiqinError
    from neiqin.models.base import AuditLog
    from neiqin.ui.operations import perform

    seen = {}

    def refuse():
        raise NeiqinError("该印章已外借，不能用印")

    def read(box):
        seen["text"] = box.text()
        box.accept()

    when_modal(read)
    assert perform(None, refuse) is None
    assert seen["text"] == "该印章已外借，不能用印"
    assert AuditLog.select().count() == 0
