"""The operations layer: a write returns what it changed; a question stops it before anything is written and the
same write runs again confirmed, with one ``confirmed`` argument in every ledger."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
from pathlib import Path

import pytest

from neiqin import operations
from neiqin.errors import NeiqinError
from neiqin.models.base import AuditLog, now
from neiqin.operations import Change, NeedsConfirmation

PACKAGE = Path(__file__).resolve().parent.parent / "neiqin"


@pytest.fixture
def host(database):
    from neiqin.models.staff import STAFF

    return STAFF.create({"name": "王芳", "department": "办公室"})


def test_a_write_reports_the_records_it_changed(host):
    from neiqin.models.visitors import check_in, check_out

    outcome = operations.run(check_in, {"name": "李雷", "host": host.id})
    visit = outcome.value
    assert outcome.changes == [Change("visitors", visit.id, "checkin")]
    assert outcome.ledgers == {"visitors"} and outcome.ids("visitors") == {visit.id}
    out = operations.run(check_out, visit)
    assert out.ids("visitors") == {visit.id} and out.changes[0].action == "checkout"


def test_an_operation_inside_another_reports_to_both(host):
    from neiqin.models.visitors import check_in

    def two():
        a = operations.run(check_in, {"name": "甲某", "host": host.id})
        b = operations.run(check_in, {"name": "乙某", "host": host.id})
        return a.value, b.value

    outer = operations.run(two)
    a, b = outer.value
    assert outer.ids("visitors") == {a.id, b.id}


def test_a_question_stops_the_write_before_anything_is_written_then_it_runs_confirmed(host):
    from neiqin.models.visitors import Visit, WatchlistMatch, add_watch, check_in

    add_watch("name", "赵无名", "冒充快递员")
    entries = AuditLog.select().count()
    with pytest.raises(WatchlistMatch) as asked:
        operations.run(check_in, {"name": "赵无名", "host": host.id})
    q = asked.value
    assert isinstance(q, NeedsConfirmation) and q.key == "watchlist" and q.reason_label
    assert Visit.select().count() == 0 and AuditLog.select().count() == entries
    outcome = operations.run(check_in, {"name": "赵无名", "host": host.id},
                             confirmed={q.key: "经办公室主任同意"})
    assert "经办公室主任同意" in outcome.value.watch_note
    assert {c.action for c in outcome.changes} == {"checkin", "watch"}
    assert q.declined() == "已谢绝来访，登记未保存（已记入谢绝名单记录）"  # a refusal is recorded on the list
    assert AuditLog.select().where(AuditLog.action == "refused").count() == 1


def test_a_duplicate_parcel_is_asked_once_and_saved_confirmed(host):
    from neiqin.models.mail.parcels import DuplicateParcel, Parcel, receive

    receive({"tracking_no": "SF1000000000001", "recipient": host.id, "received_at": now() - dt.timedelta(hours=1)})
    with pytest.raises(DuplicateParcel) as asked:
        operations.run(receive, {"tracking_no": "SF1000000000001", "recipient": host.id})
    assert asked.value.key == "duplicate" and Parcel.select().count() == 1
    done = operations.run(receive, {"tracking_no": "SF1000000000001", "recipient": host.id},
                          confirmed={"duplicate": ""})
    assert Parcel.select().count() == 2 and done.ids("parcels") == {done.value.id}


def test_a_failed_write_reports_nothing():
    def broken():
        raise NeiqinError("不行")

    with pytest.raises(NeiqinError):
        operations.run(broken)


QUESTIONS = {  # every question a ledger asks, with the write that asks it
    ("neiqin.models.mail.incoming", "DuplicateIncoming"): ("register_incoming",),
    ("neiqin.models.mail.parcels", "DuplicateParcel"): ("receive",),
    ("neiqin.models.meetings.rooms", "CapacityWarning"): (),
    ("neiqin.models.meetings.bookings", "DisplaceBookings"): ("book", "update_booking"),
    ("neiqin.models.seals.loans", "LicenceExpired"): ("lend",),
    ("neiqin.models.supplies.posting", "ZeroPriceWarning"): ("receive",),
    ("neiqin.models.visitors", "WatchlistMatch"): ("check_in", "arrive"),
}


@pytest.mark.parametrize("module,name", list(QUESTIONS))
def test_every_question_is_one_typed_answer_and_its_writes_take_confirmed(module, name):
    import importlib

    mod = importlib.import_module(module)
    cls = getattr(mod, name)
    assert issubclass(cls, NeedsConfirmation) and cls.key != NeedsConfirmation.key and cls.title and cls.yes_text
    for fn in QUESTIONS[(module, name)]:
        assert "confirmed" in inspect.signature(getattr(mod, fn)).parameters, fn


def test_no_write_takes_its_own_retry_flag_any_more():
    """One way to confirm: the old per-ledger flags (confirm_duplicate, capacity_ack …) are gone."""
    old = {"confirm_duplicate", "capacity_ack", "expired_ack", "zero_price_ok", "watch_decision", "displace"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = {a.arg for a in node.args.args + node.args.kwonlyargs}
                found += [f"{path.name}:{node.name}({n})" for n in names & old]
    assert found == []


def test_keys_are_distinct_per_question():
    import importlib

    keys = [getattr(importlib.import_module(m), n).key for m, n in QUESTIONS]
    # a write may raise two questions (a booking over capacity that also displaces): their keys differ
    assert len(set(keys)) == len(keys) - 1  # the two duplicate checks (收文, 快递) share "duplicate", in two ledgers
