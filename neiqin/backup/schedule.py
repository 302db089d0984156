"""Automatic backups into ``datadir.backups``: when one is due (today has none yet), whether anything changed since
the last one, and the policy of how many are kept."""

from __future__ import annotations

import datetime as dt
import sqlite3

from neiqin.backup.common import Progress, _now
from neiqin.backup.database import _change_mark, _connect
from neiqin.backup.reading import read_manifest
from neiqin.backup.retention import AUTO_PREFIX, backup_time, list_backups, rotate_local
from neiqin.backup.write import BackupResult, create_backup
from neiqin.errors import NeiqinError
from neiqin.paths import DataDir


def local_policy() -> tuple[int, int, int]:
    """(daily, weekly, monthly) from the settings; needs the database open (main thread)."""
    from neiqin.models import settings

    daily, weekly, monthly = (max(int(settings.get(f"backup.local_{k}") or 0), 0)
                              for k in ("daily", "weekly", "monthly"))
    return daily, weekly, monthly


def auto_backup_due(datadir: DataDir, now: dt.datetime | None = None) -> bool:
    """True when today has no automatic backup yet."""
    newest = list_backups(datadir.backups, AUTO_PREFIX)
    when = backup_time(newest[0]) if newest else None
    return when is None or when.date() < (now or _now()).date()


def _unchanged_since_last_auto(datadir: DataDir) -> bool:
    newest = list_backups(datadir.backups, AUTO_PREFIX)
    if not newest:
        return False
    try:
        info = read_manifest(newest[0])
        conn = _connect(datadir.db_path)
        try:
            mark = _change_mark(conn)
        finally:
            conn.close()
    except (NeiqinError, sqlite3.Error, OSError):
        return False
    return mark is not None and mark == info.change_mark


def auto_backup(datadir: DataDir, *, policy: tuple[int, int, int] = (7, 4, 12), force: bool = False,
                progress: Progress | None = None) -> BackupResult | None:
    """An automatic backup into ``datadir.backups`` (daily and on exit), then 7/4/12 rotation.

    Skipped (None) when nothing changed since the newest automatic backup, unless ``force``.
    """
    if not datadir.db_path.exists():
        return None
    if not force and _unchanged_since_last_auto(datadir):
        return None
    result = create_backup(datadir, datadir.backups, prefix=AUTO_PREFIX, kind="auto", media="本机备份文件夹",
                           progress=progress)
    result.removed += rotate_local(datadir.backups, *policy)
    return result
