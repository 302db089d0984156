"""The backups in a folder: their names (prefix and time), the list newest first, and which are kept — the newest
``keep`` on a stick, 7 daily / 4 weekly / 12 monthly in the automatic folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neiqin import clock, winfs
from neiqin.backup.common import _STALE_SECONDS, _stamp

SUFFIX = ".nqbak"
USB_PREFIX = "neiqin-backup"
AUTO_PREFIX = "auto"


_NAME_RE = re.compile(r"^(?P<prefix>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?" + re.escape(SUFFIX) + "$")


def _backup_name(folder: Path, prefix: str, created: dt.datetime) -> Path:
    """A new name sorting after every existing one (a second backup within the same second gets -2, -3 …)."""
    stamp = _stamp(created)
    taken = [1 if m["n"] is None else int(m["n"]) for p in folder.glob(f"*{stamp}*")
             if (m := _NAME_RE.match(p.name.removeprefix(".").removesuffix(".part")))
             and m["prefix"] == prefix and m["stamp"] == stamp]
    if not taken:
        return folder / f"{prefix}-{stamp}{SUFFIX}"
    return folder / f"{prefix}-{stamp}-{max(taken) + 1}{SUFFIX}"


def _remove_stale_parts(folder: Path) -> None:
    cutoff = clock.file_time() - _STALE_SECONDS
    for part in folder.glob(f".*{SUFFIX}.part"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()


def backup_time(path: Path) -> dt.datetime | None:
    m = _NAME_RE.match(Path(path).name)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def list_backups(folder: Path, prefix: str | None = None) -> list[Path]:
    """Backups in ``folder``, newest first (by the time in their names)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.glob(f"*{SUFFIX}"):
        m = _NAME_RE.match(p.name)
        if m and p.is_file() and (prefix is None or m["prefix"] == prefix):
            found.append((m["stamp"], int(m["n"] or 1), p))
    return [p for *_, p in sorted(found, reverse=True)]


def rotate_backups(folder: Path, prefix: str, keep: int) -> list[Path]:
    """Keep the newest ``keep`` backups with this prefix; delete older ones. Returns what was deleted."""
    removed = []
    for old in list_backups(folder, prefix)[max(keep, 1):]:
        with contextlib.suppress(OSError):
            winfs.unlink(old)
            removed.append(old)
    return removed


def select_to_keep(times: list[dt.datetime], daily: int = 7, weekly: int = 4, monthly: int = 12,
                   recent: int = 3) -> set[int]:
    """Indexes of ``times`` to keep: the ``recent`` newest (so a morning backup survives the evening one),
    then the newest per day for ``daily`` days, per ISO week for ``weekly`` weeks, per month for ``monthly``."""
    order = sorted(range(len(times)), key=lambda i: times[i], reverse=True)
    keep: set[int] = set(order[:max(recent, 1)])
    buckets: list[tuple[int, Callable[[dt.datetime], Any]]] = [
        (daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2]), (monthly, lambda t: (t.year, t.month))]
    for count, bucket in buckets:
        seen: list[Any] = []
        for i in order:
            key = bucket(times[i])
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(i)
    return keep


def rotate_local(folder: Path, daily: int = 7, weekly: int = 4, monthly: int = 12) -> list[Path]:
    backups = list_backups(folder, AUTO_PREFIX)
    times = [backup_time(p) or dt.datetime.min for p in backups]
    keep = select_to_keep(times, daily, weekly, monthly)
    removed = []
    for i, p in enumerate(backups):
        if i not in keep:
            with contextlib.suppress(OSError):
                winfs.unlink(p)
                removed.append(p)
    return removed
