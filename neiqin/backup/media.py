"""The medium a backup is written to: is it a place for one (not inside the data folder), is there room (the
oldest backups make room), does the file fit (FAT32 takes none of 4 GB), and what a failed write means to the clerk
(full, pulled out, write-protected, a file held by antivirus)."""

from __future__ import annotations

import errno
import logging
import shutil
from pathlib import Path

from neiqin import winfs
from neiqin.backup.common import _UNTOUCHED, BackupError, TargetWriteError, human_size
from neiqin.backup.retention import list_backups
from neiqin.paths import DataDir

log = logging.getLogger(__name__)


_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_WIN_FULL, _WIN_READONLY = {39, 112}, {19}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL; ERROR_WRITE_PROTECT


def _free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _media_error(exc: OSError, media: str, folder: Path, needed: int, cleaned: bool) -> TargetWriteError:
    win = getattr(exc, "winerror", None)
    tail = "数据库没有受影响。" + ("未写完的文件已删除。" if cleaned else
                            f"{media}上可能留下一个以 .part 结尾的未完成文件，可以删除，它不会被当作备份。")
    if exc.errno in _FULL_ERRNOS or win in _WIN_FULL:
        free = _free_space(folder)
        have = f"，{media}上只剩 {human_size(free)}" if free is not None else ""
        return TargetWriteError(f"{media}空间不足：这份备份约需 {human_size(needed)}{have}。"
                                f"请删除{media}上不需要的文件，或换一个{media}后重试。{tail}")
    if winfs.is_busy_error(exc):  # error 5 / 32 / 33: antivirus, the indexer or Explorer has a file open
        return TargetWriteError(f"{winfs.BUSY_HINT}（{exc.strerror or exc}）。{tail}")
    if exc.errno in _READONLY_ERRNOS or win in _WIN_READONLY:
        return TargetWriteError(f"{media}是只读的或没有写入权限（请检查U盘侧面的写保护开关）：{exc.strerror or exc}。{tail}")
    return TargetWriteError(f"{media}已拔出或无法写入（{exc.strerror or exc}）。请重新插好{media}后再备份一次。{tail}")


def _check_file_size_limit(folder: Path, needed: int, media: str) -> None:
    """FAT32 takes no file of 4 GB or more: refused before writing, not reported as 空间不足 half-way."""
    limit = winfs.file_size_limit(folder)
    if limit is not None and needed + needed // 1024 > limit:  # chunk seals and entry headers add under 0.1 %
        raise TargetWriteError(f"{media}是 FAT32 格式，单个文件不能超过 4 GB，而这份备份约需 {human_size(needed)}。"
                               f"请换一个 exFAT 或 NTFS 格式的{media}（也可以把{media}格式化为 exFAT，格式化会清除"
                               f"上面的所有文件）。{_UNTOUCHED}")


def _check_target(datadir: DataDir, folder: Path, media: str) -> None:
    root = datadir.root.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _media_error(e, media, folder, 0, True) from e
    resolved = folder.resolve()
    if resolved != datadir.backups.resolve() and (resolved == root or root in resolved.parents):
        raise BackupError("备份位置不能在数据目录里面，请选择U盘或其他文件夹。")


def _make_room(folder: Path, prefix: str, needed: int, media: str) -> list[Path]:
    """Delete the oldest backups of this kind (never the newest) until the new one fits."""
    removed: list[Path] = []
    free = _free_space(folder)
    if free is None or free >= needed:
        return removed
    existing = list_backups(folder, prefix)
    while free is not None and free < needed and len(existing) > 1:
        oldest = existing.pop()
        winfs.unlink(oldest)
        removed.append(oldest)
        log.info("removed %s to make room", oldest)
        free = _free_space(folder)
    if free is not None and free < needed:
        raise TargetWriteError(f"{media}空间不足：这份备份约需 {human_size(needed)}，{media}上只剩 "
                               f"{human_size(free)}。请删除{media}上不需要的文件，或换一个{media}后重试。"
                               "数据库没有受影响。")
    return removed
