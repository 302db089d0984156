"""Every test gets a fresh data dir and database (Vorta's habit); Qt tests run offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Printed pages use the CJK font the test setup installs (scripts/setup.sh), never whatever else this machine has.
os.environ.setdefault("NEIQIN_FONT_DIRS", "/usr/share/fonts/truetype/wqy")

import datetime as dt  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from neiqin import clock  # noqa: E402
from neiqin.db import close_database, open_database  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402
from neiqin.ui.refcounts import pin_singletons  # noqa: E402

pin_singletons()  # PySide6 6.12 on Python 3.11 drops a reference of None at every void call (see the module)

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


@pytest.fixture(scope="session")
def _demo_templates(tmp_path_factory):
    return {"root": tmp_path_factory.mktemp("demo-templates"), "made": {}}


@pytest.fixture
def demo_data(datadir, _demo_templates):
    """``demo_data(rows)``: this test's data folder filled with the demo data of ``rows`` rows, closed again.

    The demo is generated once per session and size, at the pinned clock, and copied for each test (generating it
    took seconds a test); the clock restarts at the same moment for every test, so "today" in the copy is today."""

    def fill(rows: int) -> DataDir:
        import shutil

        from neiqin.demo import generate

        made = _demo_templates["made"]
        if rows not in made:
            template = DataDir(_demo_templates["root"] / f"rows-{rows}").ensure()
            open_database(template.db_path, template.backups)
            try:
                clock.start_at(PINNED_NOW)
                generate(rows)
            finally:
                close_database()
                clock.start_at(PINNED_NOW)
            made[rows] = template
        shutil.copytree(made[rows].root, datadir.root, dirs_exist_ok=True)
        return datadir

    return fill


@pytest.fixture(scope="session")
def backup_template(tmp_path_factory) -> DataDir:
    """One closed demo data folder (300 rows, attachments) per session, copied by the backup and crash tests."""
    from helpers.backup_data import make_template  # tests/ is on sys.path, as for the test modules

    clock.start_at(PINNED_NOW)
    try:
        return make_template(tmp_path_factory.mktemp("backup-template") / "data", rows=300)
    finally:
        clock.start_at(PINNED_NOW)


def pytest_collection_modifyitems(config, items):
    """The tests that print through the one real CUPS queue are marked ``cups_queue``: they find their jobs in the
    queue's shared output folder, so ``scripts/test.sh`` runs them one after another and the rest on two workers
    (pytest-xdist)."""
    for item in items:
        if "printer" in getattr(item, "fixturenames", ()) or "CupsPdfQueue" in _source(item.path):
            item.add_marker(pytest.mark.cups_queue)


_SOURCES: dict = {}


def _source(path) -> str:
    if path not in _SOURCES:
        _SOURCES[path] = path.read_text(encoding="utf-8")
    return _SOURCES[path]
