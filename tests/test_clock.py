"""The one clock: nothing else in neiqin reads the machine's date, and the clock can be put anywhere."""

from __future__ import annotations

import ast
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from neiqin import clock

ROOT = Path(__file__).resolve().parents[1] / "neiqin"

# (module attribute chain, called) that read the machine's date or time of day
FORBIDDEN = {
    ("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("time", "time"),
    ("time", "localtime"), ("time", "gmtime"), ("time", "strftime"), ("time", "ctime"),
    ("QDate", "currentDate"), ("QDateTime", "currentDateTime"), ("QDateTime", "currentDateTimeUtc"),
    ("QTime", "currentTime"), ("QDateTime", "currentSecsSinceEpoch"), ("QDateTime", "currentMSecsSinceEpoch"),
}


def direct_clock_reads(path: Path) -> list[str]:
    """Every ``x.date.today`` / ``datetime.now`` / ``time.time`` … reference (called or passed as a default)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute | ast.Name):
            owner = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
            if (owner, node.attr) in FORBIDDEN:
                found.append((node.lineno, f"{path.name}:{node.lineno} {owner}.{node.attr}"))
    return [hit for _, hit in sorted(found)]


def test_only_the_clock_module_reads_the_machine_clock():
    found = [hit for path in sorted(ROOT.rglob("*.py")) if path.name != "clock.py"
             for hit in direct_clock_reads(path)]
    assert found == [], "ask neiqin.clock instead:\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nimport time\nfrom PySide6.QtCore import QDate\n"
                      "a = dt.date.today()\nb = dt.datetime.now\nc = time.time()\nd = QDate.currentDate()\n"
                      "e = time.monotonic()\n")
    assert [h.split(" ")[1] for h in direct_clock_reads(sample)] == [
        "date.today", "datetime.now", "time.time", "QDate.currentDate"]


def test_freeze_advance_and_reset():
    clock.freeze("2026-12-31 23:59:59")
    assert clock.now() == dt.datetime(2026, 12, 31, 23, 59, 59) and clock.today() == dt.date(2026, 12, 31)
    assert clock.advance(seconds=1) == dt.datetime(2027, 1, 1)
    assert clock.today() == dt.date(2027, 1, 1)
    clock.reset()
    assert not clock.is_set()


def test_start_at_runs_on_from_the_moment():
    clock.start_at(dt.datetime(2028, 2, 29, 8, 59, 59))
    first = clock.precise_now()
    assert dt.datetime(2028, 2, 29, 8, 59, 59) <= first < dt.datetime(2028, 2, 29, 9, 0, 30)
    assert clock.precise_now() >= first  # it runs
    clock.advance(hours=15, minutes=1)
    assert clock.today() == dt.date(2028, 3, 1)


def test_frozen_at_restores_the_clock_it_found():
    clock.freeze("2026-06-01 10:00")
    with clock.frozen_at(dt.date(2026, 2, 1)):
        assert clock.now() == dt.datetime(2026, 2, 1)
    assert clock.now() == dt.datetime(2026, 6, 1, 10)


@pytest.mark.parametrize("text, moment", [
    ("2026-12-31 23:58", dt.datetime(2026, 12, 31, 23, 58)),
    ("2026-12-31T23:58:30", dt.datetime(2026, 12, 31, 23, 58, 30)),
    ("2028-02-29", dt.datetime(2028, 2, 29)),
])
def test_parse_moment(text, moment):
    assert clock.parse_moment(text) == moment


@pytest.mark.parametrize("text", ["", "2026-02-29 08:00", "31/12/2026", "2026-12-31 24:00", "明天"])
def test_a_bad_moment_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="时间格式不对"):
        clock.parse_moment(text)


def test_environment_starts_a_subprocess_clock(tmp_path):
    code = "from neiqin import clock; print(clock.today(), clock.is_set())"
    env = {"NEIQIN_NOW": "2027-01-01 00:00:05", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=ROOT.parent).stdout
    assert out.split() == ["2027-01-01", "True"]


def test_the_suite_runs_at_its_pinned_moment_not_the_machines():
    pinned = dt.datetime(2026, 12, 9, 10, 0)  # tests/conftest.py PINNED_NOW
    assert pinned <= clock.now() < pinned + dt.timedelta(minutes=10)
