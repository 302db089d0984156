"""What every start needs from backups, without the backup engine (``neiqin.backup``: the archive format,
cryptography, the checks), which is imported when a backup or a restore is first made.

* :func:`recover_interrupted_restore` finishes or rolls back a restore cut off by a crash or a power cut; the
  window calls it before it opens the database.
* :func:`usb_backup_status` is the 上次U盘备份 line of the status bar.

``neiqin.backup`` re-exports all of these. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
from pathlib import Path

from neiqin import clock, winfs
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

STAGING = ".restore-staging"  # under the data dir root: a restore being unpacked
PENDING = "restore-pending.json"  # under the data dir root: a restore between its first move and its commit
STAGED_DATABASE = "neiqin.sqlite"  # the database's name in the staging folder (``neiqin.backup.container.DATABASE``)


def fsync_dir(path: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder to flush it; NTFS journals the rename itself
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def remove_quietly(*paths: Path) -> bool:
    ok = True
    for p in paths:
        try:
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
        except OSError:
            ok = False
    return ok


def recover_interrupted_restore(datadir: DataDir) -> str | None:
    """Finish or roll back a restore that was interrupted (crash, power cut). Safe to call at every start.

    Returns a sentence for the log/clerk when something was done, else None.
    """
    stage = datadir.root / STAGING
    pending = datadir.root / PENDING
    if not pending.exists():
        if stage.exists():
            remove_quietly(stage)  # killed while unpacking: nothing had been touched
        return None
    try:
        plan = json.loads(pending.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        plan = {}
    aside = Path(plan["attachments_aside"]) if plan.get("attachments_aside") else None
    if (stage / STAGED_DATABASE).exists():  # the database was never swapped: put the attachments back
        if aside is not None and aside.exists():
            if datadir.attachments.exists():
                winfs.rmtree(datadir.attachments)
            winfs.replace(aside, datadir.attachments)
            fsync_dir(datadir.root)
        message = "上次从备份恢复没有完成，已回到恢复前的数据。"
    else:
        if aside is not None and aside.exists() and not any(aside.iterdir()):
            remove_quietly(aside)
        message = "上次从备份恢复在最后一步被中断，已完成恢复。"
    pending.unlink(missing_ok=True)
    remove_quietly(stage)
    log.warning(message)
    return message


def last_usb_backup() -> dict | None:
    from neiqin.models import settings

    value = settings.get("backup.last_usb")
    return value if isinstance(value, dict) and value.get("time") else None


def usb_backup_status(now: dt.datetime | None = None) -> tuple[str, bool, str]:
    """(status-bar text, overdue?, tooltip) for the last USB backup. Needs the database open."""
    from neiqin.models import settings

    warn = int(settings.get("backup.warn_days") or 7)
    last = last_usb_backup()
    if last is None:
        return "从未备份到U盘", True, "还没有备份到U盘。请用“文件 → 备份到U盘”做一次备份。"
    try:
        when = dt.datetime.fromisoformat(last["time"])
    except (TypeError, ValueError):
        return "从未备份到U盘", True, "上次U盘备份的记录无法读取，请重新备份一次。"
    days = ((now or clock.now()).date() - when.date()).days
    text = "上次U盘备份 今天" if days <= 0 else f"上次U盘备份 {days} 天前"
    tip = f"上次U盘备份：{when:%Y-%m-%d %H:%M}\n位置：{last.get('folder', '')}\n文件：{last.get('file', '')}"
    if days > warn:
        tip += f"\n已超过 {warn} 天，请尽快备份到U盘。"
    return text, days > warn, tip
