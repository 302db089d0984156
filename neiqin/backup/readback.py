"""The read-back check of a new backup: the file is read again from the medium, not from the system's cache
(Windows: FILE_FLAG_NO_BUFFERING; Linux: its cached pages dropped), and every file must have the checksum it was
written with."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from neiqin import winfs
from neiqin.backup.common import _DAMAGED, CorruptBackup, Progress
from neiqin.backup.manifest import BackupInfo
from neiqin.backup.media import _media_error
from neiqin.backup.reading import _unpack
from neiqin.backup_guard import remove_quietly as _remove_quietly

log = logging.getLogger(__name__)


def _drop_cache(path: Path) -> None:
    """Forget the file's cached pages, so reading it back really reads the medium (Linux)."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _readback_opener(final: Path, media: str) -> tuple[Callable[[Path], BinaryIO] | None, str]:
    """How the new file is read back so that the bytes come from the medium, not from memory; and, when that
    cannot be done, a sentence saying what the check really read."""
    if winfs.is_windows():
        try:
            winfs.open_uncached(final).close()  # FILE_FLAG_NO_BUFFERING: past Windows' file cache
            return winfs.open_uncached, ""
        except (AttributeError, ImportError, OSError) as e:
            log.warning("cannot read %s past the file cache: %s", final, e)
    elif hasattr(os, "posix_fadvise"):
        _drop_cache(final)  # Linux: the cached pages are dropped, the read goes to the medium
        return None, ""
    return None, (f"说明：这台电脑上读回时未能绕过系统缓存，读回校验读到的可能是内存中的副本，"
                  f"{media}本身的内容未经确认。可以在另一台电脑上用“校验备份”复查这份备份。")


def _verify_written(final: Path, passphrase: str | None, sums: dict[str, str], report: Progress,
                    media: str) -> tuple[BackupInfo, str]:
    """Read the new file back from the medium: every file must have the checksum it was written with.

    Its database bytes then equal the snapshot, whose integrity and counts ``_SnapshotCheck`` confirms.
    Returns the info and, when the read could not bypass the OS cache, a sentence saying so.
    """
    try:
        opener, note = _readback_opener(final, media)
        info, digests = _unpack(final, passphrase, None, attachments=False, progress=report, stage="正在读回校验",
                                opener=opener)
        if digests != sums:
            raise CorruptBackup(_DAMAGED)
        return info, note
    except CorruptBackup as e:
        _remove_quietly(final)
        raise CorruptBackup(f"写入{media}后读回校验失败（{e}）。{media}可能有坏块，已删除这份备份，"
                            f"请换一个{media}再备份。") from e
    except OSError as e:  # unverified, so not left as a backup if it can still be deleted
        raise _media_error(e, media, final.parent, 0, _remove_quietly(final)) from e
    except BaseException:
        _remove_quietly(final)
        raise
