"""Every test gets a fresh data dir and database (Vorta's habit); Qt tests run offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Printed pages use the CJK font the test setup installs (scripts/setup.sh), never whatever else this machine has.
os.environ.setdefault("NEIQIN_FONT_DIRS", "/usr/share/fonts/truetype/wqy")

import datetime as dt  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from neiqin import clock  # noqa: E402
from neiqin.db import close_database, open_database  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402


def _pin_singletons() -> None:
    """PySide6 6.12 hands back None from void Qt calls (``widget.update()``, ``QApplication.alert(...)``) without
    taking a reference. On Python 3.11, where None, True and False are not yet immortal (they are from 3.12 on),
    every such call drops one reference, and a long test session aborts at exit ("none_dealloc" / "bool_dealloc:
    deallocating True or False") once enough calls were made. Measured: -1 reference of None per call of
    ``update()``, ``setWindowTitle()``, ``processEvents()``, ``QApplication.alert()``. Give them references to spare
    for the session (the first field of every object is its reference count)."""
    if sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 32


_pin_singletons()

# The suite's property tests run the same examples every time (a CI run must not pass or fail by luck);
# `pytest --hypothesis-profile=explore` searches new random examples, with more of them.
hypothesis_settings.register_profile("default", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=400, derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# Every test runs at this moment, whatever the hour the suite is run at: a Wednesday in office hours. Tests of
# other moments (before office hours, midnight, 31 December, 29 February) set the clock themselves.
PINNED_NOW = dt.datetime(2026, 12, 9, 10, 0, 0)
clock.start_at(PINNED_NOW)  # already while test modules are collected (module-level dates)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    """The program's clock starts at PINNED_NOW and runs on; subprocesses start there too (NEIQIN_NOW)."""
    clock.start_at(PINNED_NOW)
    monkeypatch.setenv(clock.ENV_VAR, PINNED_NOW.isoformat(sep=" "))
    yield clock
    clock.start_at(PINNED_NOW)  # not the machine's clock: module- and session-scoped fixtures are made between tests


@pytest.fixture
def at_moment(monkeypatch):
    """``at_moment("2026-12-31 23:59")`` freezes the program's clock (and any subprocess's start) there."""

    def set_moment(moment, *, running: bool = False) -> dt.datetime:
        (clock.start_at if running else clock.freeze)(moment)
        monkeypatch.setenv(clock.ENV_VAR, clock.now().isoformat(sep=" "))
        return clock.now()

    return set_moment


@pytest.fixture
def datadir(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


@pytest.fixture
def database(datadir):
    database = open_database(datadir.db_path, datadir.backups)
    yield database
    close_database()


@pytest.fixture
def host(database):
    from neiqin.models import STAFF

    return STAFF.create({"name": "张三", "department": "办公室", "title": "主任", "mobile": "13812345678"})
