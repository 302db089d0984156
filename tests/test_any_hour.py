"""The program at any hour: before office hours, at midnight, on New Year's Eve, on 29 February, and with midnight
falling in the middle of one operation. Nothing here depends on the hour the suite is run at."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from neiqin import clock
from neiqin.models import today

MOMENTS = [
    "2026-12-09 00:30",  # a working day, long before anyone comes in
    "2026-12-09 08:59",  # a minute before office hours
    "2026-12-31 23:59",  # New Year's Eve
    "2028-02-29 12:00",  # a leap day in a year the shipped working-day calendar does not know
]

# Columns that may lie ahead of now: plans, deadlines, validity. Every other date/time column records something
# that has happened, so the demo must never write it later than the clock.
FORWARD = {
    "action_item": {"due"},
    "booking": {"day", "start_at", "end_at"},
    "booking_series": {"first_day", "until"},
    "meeting": {"day", "start_at", "end_at"},
    "incoming_doc": {"due_date"},
    "licence": {"valid_until", "valid_from", "inspection_date"},  # 年检: the next annual inspection
    "seal_loan": {"due_at"},
    "visit": {"visit_date", "expected_at"},
    "staff": {"birthday"},
}


def future_rows(db_path, moment: dt.datetime) -> list[str]:
    con = sqlite3.connect(db_path)
    found = []
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite%'")]
        for table in tables:
            for _cid, col, kind, *_ in con.execute(f'PRAGMA table_info("{table}")'):
                kind = kind.upper()
                if kind not in ("DATE", "DATETIME") or col in FORWARD.get(table, ()):
                    continue
                bound = moment.date().isoformat() if kind == "DATE" else moment.isoformat(sep=" ")
                n, latest = con.execute(f'SELECT COUNT(*), MAX("{col}") FROM "{table}" WHERE "{col}" > ?',
                                        (bound,)).fetchone()
                if n:
                    found.append(f"{table}.{col}: {n} after {bound} (latest {latest})")
    finally:
        con.close()
    return found


@pytest.mark.parametrize("moment", MOMENTS)
def test_demo_at_any_hour_writes_nothing_in_the_future(database, datadir, at_moment, moment):
    from neiqin.demo import generate
    from neiqin.models.visitors import APPOINTMENT, Visit

    now = at_moment(moment, running=True)
    generate(60)
    assert future_rows(datadir.db_path, clock.now()) == []
    # today's visitors who came are before now; those still to come are appointments
    for v in Visit.select().where(Visit.visit_date == now.date()):
        if v.status == APPOINTMENT:
            assert v.expected_at > now - dt.timedelta(minutes=1) or v.expected_at.date() == now.date()
        else:
            assert v.arrive_at <= clock.now()
    sections = today.compute()
    assert [s.key for s in sections if s.error] == []
    # 今日 at this moment: everything with a deadline is judged at this moment, not at the machine's
    assert {s.key for s in sections if s.items} >= {"usb_backup", "birthdays", "seal_loans"}


def test_demo_in_office_hours_gives_every_section_something(database, at_moment):
    from neiqin.demo import generate

    at_moment("2026-12-09 10:30", running=True)
    generate(60)
    assert [s.key for s in today.compute() if not s.items or s.error] == []


@pytest.mark.parametrize("moment", ["2027-01-01 00:00:30"])  # the command failed before 09:00
def test_demo_command_at_any_hour(tmp_path, moment):
    """The README's demo command, run as a process with the clock set by ``--now``."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "neiqin", "--now", moment, "--data-dir", str(tmp_path / "d"),
                        "demo", "--rows", "40"], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert "演示数据已生成" in r.stdout
    assert future_rows(tmp_path / "d" / "neiqin.sqlite", clock.parse_moment(moment) + dt.timedelta(minutes=3)) == []


def test_a_bad_now_is_one_chinese_line(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "neiqin", "--now", "2026-02-29 08:00", "--data-dir", str(tmp_path),
                        "today"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "时间格式不对：2026-02-29 08:00" in r.stderr and "Traceback" not in r.stderr


def make_seal(host):
    from neiqin.models.seals.registry import SEALS

    return SEALS.create({"name": "公司公章", "kind": "公章", "custodian": {"id": host.id, "name": host.name},
                         "supervisor": "赵敏", "enabled_on": dt.date(2020, 1, 1), "approval_levels": 1})


# ------------------------------------------------------------------------------------------------ reminders


def test_reminder_set_for_midnight_fires_once_across_the_year_end():
    times = [dt.time(0, 0), dt.time(9, 0)]
    before, after = dt.datetime(2026, 12, 31, 23, 59, 30), dt.datetime(2027, 1, 1, 0, 0, 30)
    assert today.times_between(times, before, after) == [dt.datetime(2027, 1, 1, 0, 0)]
    # a PC that slept from the evening of 28 February to the morning of the leap day reminds at 09:00 once
    assert today.times_between(times, dt.datetime(2028, 2, 28, 18), dt.datetime(2028, 2, 29, 9, 30)) == [
        dt.datetime(2028, 2, 29, 0, 0), dt.datetime(2028, 2, 29, 9, 0)]


@pytest.mark.parametrize("moment", ["2026-12-09 00:30", "2026-12-31 23:59", "2028-02-29 12:00"])
def test_loans_are_overdue_by_the_clock(database, host, at_moment, moment):
    from neiqin.models.seals.loans import lend

    seal = make_seal(host)
    now = at_moment(moment)
    lend({"item": f"seal:{seal.id}", "borrower": {"id": host.id, "name": host.name}, "purpose": "外出签约",
          "approver": "李强", "lent_at": now - dt.timedelta(days=3), "due_at": now - dt.timedelta(minutes=1)})
    by = {s.key: s for s in today.compute()}
    assert by["seal_loans"].overdue
    at_moment(now - dt.timedelta(minutes=2))  # one minute earlier still, the loan is not yet due
    by = {s.key: s for s in today.compute()}
    assert not by["seal_loans"].overdue


# ------------------------------------------------------------------------------------------------ numbering


def test_numbers_restart_at_the_year_boundary(database, host, at_moment):
    from neiqin.models.seals.uses import apply_use

    seal = make_seal(host)
    data = {"seal": seal.id, "applicant": {"id": host.id, "name": host.name, "department": host.department},
            "doc_title": "合同", "copies": 1, "purpose": "签约"}
    at_moment("2026-12-31 23:59:59")
    last = apply_use(data)
    at_moment("2027-01-01 00:00:00")
    first = apply_use(data)
    at_moment("2028-02-29 09:00")
    leap = apply_use(data)
    assert "2026" in last.no and last.apply_date == dt.date(2026, 12, 31)
    assert "2027" in first.no and first.apply_date == dt.date(2027, 1, 1)
    assert "2028" in leap.no and leap.apply_date == dt.date(2028, 2, 29)
    assert (last.no, first.no, leap.no) == ("印2026-0001", "印2027-0001", "印2028-0001")  # a serial per year


# ------------------------------------------------------------------------------- midnight inside one operation


class SteppingMachineClock:
    """The machine's clock as seen by neiqin, moving on a millisecond at every reading: midnight can be placed
    between any two readings one operation makes."""

    def __init__(self, start: dt.datetime):
        self.start, self.reads = start, 0

    def __call__(self) -> dt.datetime:
        self.reads += 1
        return self.start + dt.timedelta(milliseconds=self.reads)


def readings(monkeypatch, operation) -> int:
    probe = SteppingMachineClock(dt.datetime(2026, 12, 31, 12, 0))
    monkeypatch.setattr(clock, "_machine_now", probe)
    clock.reset()
    operation()
    return probe.reads


def across_midnight(monkeypatch, operation, check) -> int:
    """Run ``operation`` once for every point where midnight can fall between two of its clock readings."""
    n = readings(monkeypatch, operation)
    midnight = dt.datetime(2027, 1, 1)
    for k in range(n + 1):
        monkeypatch.setattr(clock, "_machine_now", SteppingMachineClock(midnight - dt.timedelta(milliseconds=k)))
        check(operation())
    return n


def year_of(no: str) -> int:
    return int(re.search(r"(20\d\d)", no).group(1))


def test_a_seal_use_taken_across_midnight_has_the_year_of_its_date(database, host, monkeypatch):
    from neiqin.models.seals.uses import apply_use

    seal = make_seal(host)

    def check(use):
        assert year_of(use.no) == use.apply_date.year == use.applied_at.year
        assert use.apply_date == use.applied_at.date()

    n = across_midnight(monkeypatch, lambda: apply_use({"seal": seal.id, "doc_title": "合同", "copies": 1,
                                                        "purpose": "签约", "applicant": {
                                                            "id": host.id, "name": host.name,
                                                            "department": host.department}}), check)
    assert n >= 1


def test_a_visit_checked_in_across_midnight_is_on_one_day(database, host, monkeypatch):
    from neiqin.models.visitors import check_in

    def check(visit):
        assert visit.visit_date == visit.arrive_at.date()

    names = iter(a + b for a in "王李张刘陈杨黄赵吴周" for b in "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚")
    across_midnight(monkeypatch, lambda: check_in({"name": next(names), "purpose": "送货", "host": host.id}),
                    check)


def test_an_incoming_document_registered_across_midnight(database, host, monkeypatch):
    from neiqin.models.mail.incoming import register_incoming

    def check(doc):
        assert year_of(doc.no) == doc.received_on.year

    serials = iter(range(1, 1000))
    across_midnight(monkeypatch, lambda: register_incoming({
        "signed_by": "王芳", "sender_org": "市住建局", "sender_no": f"市建〔2026〕{next(serials)}号",
        "title": "关于开展安全检查的通知", "copies": 1, "kind": "通知"}), check)


def test_a_supplies_issue_across_midnight(database, host, monkeypatch):
    from neiqin.models.supplies import items, posting

    item = items.SUPPLIES.create({"name": "A4复印纸", "unit": "包", "category": "纸品", "spec": "70g",
                              "location": "A柜", "since": dt.date(2026, 1, 1)})
    posting.receive({"item": item, "qty": 500, "unit_price": "25.00", "supplier": "晨光", "handler": "张三",
               "move_date": dt.date(2026, 12, 1)})

    def check(moves):
        for m in moves:
            assert year_of(m.no) == m.move_date.year

    across_midnight(monkeypatch, lambda: posting.issue({"item": item, "qty": 1, "purpose": "日常办公",
                                                  "person": {"name": "王芳", "department": "财务部"}}), check)


# ------------------------------------------------------------------------------------------------ backups


def test_backups_across_the_year_end_and_a_leap_day(database, datadir, host, tmp_path, at_moment):
    from neiqin import backup

    usb = tmp_path / "usb" / backup.USB_FOLDER
    made = []
    for moment in ("2026-12-31 23:59:59", "2027-01-01 00:00:00", "2027-01-01 00:00:00", "2028-02-29 00:30"):
        at_moment(moment)
        result = backup.create_backup(datadir, usb)
        backup.record_usb_backup(result)
        made.append(result.path.name)
        assert backup.verify_backup(result.path).ok
        assert result.info.created == clock.now()
    # named by the program's clock, the second backup in one second gets -2, and newest first sorts right
    assert made[0].endswith("20261231-235959.nqbak") and made[1].endswith("20270101-000000.nqbak")
    assert made[2].endswith("20270101-000000-2.nqbak") and "20280229-003000" in made[3]
    assert [p.name for p in backup.list_backups(usb)] == made[::-1]
    # the USB reminder counts calendar days by the clock: 29 Feb 00:30 → 今天; 1 March → 1 天前
    assert backup.usb_backup_status()[0] == "上次U盘备份 今天"
    assert {s.key: s for s in today.compute()}["usb_backup"].items[0].level == today.INFO
    at_moment("2028-03-01 00:00:01")
    assert backup.usb_backup_status()[0] == "上次U盘备份 1 天前"
    at_moment("2028-03-08 09:00")
    text, late, _tip = backup.usb_backup_status()
    assert text == "上次U盘备份 8 天前" and late
