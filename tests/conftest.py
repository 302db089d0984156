"""Every test gets a fresh data dir and database (Vorta's habit); Qt tests run offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from neiqin.db import close_database, open_database  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402

# The suite's property tests run the same examples every time (a CI run must not pass or fail by luck);
# `pytest --hypothesis-profile=explore` searches new random examples, with more of them.
hypothesis_settings.register_profile("default", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=400, derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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
