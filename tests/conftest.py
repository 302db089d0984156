"""Every test gets a fresh data dir and database (Vorta's habit); Qt tests run offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from neiqin.db import close_database, open_database  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402


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
