"""What every job of the backup engine shares: its errors, the clerk's stock sentences, progress reports, sizes in
words, and the time stamp in file names."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from neiqin import clock
from neiqin.errors import NeiqinError

_STALE_SECONDS = 3600  # a .part file or a temp folder older than this was left by a backup that was killed

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 = no measure; may raise to cancel


class BackupError(NeiqinError):
    """A backup could not be made, read or restored; the message tells the clerk what happened."""


class PassphraseRequired(BackupError):
    pass


class WrongPassphrase(BackupError):
    pass


class CorruptBackup(BackupError):
    pass


class TargetWriteError(BackupError):
    """The stick (or folder) could not be written: full, pulled out, write-protected."""


class BackupCancelled(BackupError):
    pass


_TRUNCATED = "备份文件不完整（可能写入时U盘被拔出或空间不足），不能用于恢复。"
_DAMAGED = "备份文件已损坏（校验不通过），不能用于恢复。"
_UNTOUCHED = "当前数据没有任何改动。"


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def human_size(n: int | None) -> str:
    if n is None:
        return "未知"
    size = float(n)
    for unit in ("字节", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "字节" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _now() -> dt.datetime:
    return clock.now()
