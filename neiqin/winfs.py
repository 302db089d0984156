"""Where Windows behaves differently from Linux, behind a few small functions that tests can switch.

* :func:`is_windows` is the one question every Windows path asks; a test sets it to ``lambda: True`` (with the
  simulated pieces it needs) to run that path on Linux.
* The data-dir lock (:func:`lock_exclusive`, :func:`unlock`, :func:`read_owner`). ``msvcrt.locking`` locks a byte
  range that other handles can then neither write nor *read*, so the locked byte lies far past the owner text
  ("进程 1234，启动于 …"): a second copy of the program can still read who holds the data.
* Replacing, renaming and deleting files with short retries (:func:`replace`, :func:`unlink`, :func:`rmtree`):
  antivirus and the search indexer open a new file for a moment, and Windows then refuses to move or delete it
  (error 5, access denied; 32, sharing violation). On Linux nothing holds a file that way, so no retry.
* :func:`is_busy_error`: an OSError that means "another program has the file open", told to the clerk as
  文件被其他程序占用, not as a write-protected stick.

No Qt here.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

# Windows error codes (OSError.winerror)
ERROR_ACCESS_DENIED = 5
ERROR_SHARING_VIOLATION = 32
ERROR_LOCK_VIOLATION = 33
ERROR_WRITE_PROTECT = 19
_BUSY_WINERRORS = {ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION}

# Short retries: about 2 seconds in all, enough for a virus scan of a fresh file, short enough not to feel stuck.
RETRY_DELAYS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)

BUSY_HINT = "文件被其他程序占用（可能是杀毒软件、搜索索引或打开了这个文件的程序），请稍等片刻再试"


def is_windows() -> bool:
    """True on Windows. Tests replace this function to run the Windows paths on Linux."""
    return os.name == "nt"


def is_busy_error(exc: BaseException) -> bool:
    """An error that means another program has the file open (Windows), not a read-only medium."""
    return isinstance(exc, OSError) and getattr(exc, "winerror", None) in _BUSY_WINERRORS


# ---------------------------------------------------------------------------------------------- the data-dir lock

LOCK_OFFSET = 1 << 20  # the byte msvcrt locks: past any owner text (locking past the end of a file is allowed)
OWNER_BYTES = 4096  # how much of the lock file is read as the owner's description


def lock_exclusive(fh: BinaryIO) -> None:
    """Take the lock on the open lock file without waiting; OSError when another process holds it."""
    if is_windows():
        import msvcrt

        fh.seek(LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def unlock(fh: BinaryIO) -> None:
    if is_windows():
        import msvcrt

        fh.seek(LOCK_OFFSET)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file, through a handle of its own (the seam where Windows refuses bytes
    another handle has locked)."""
    with open(path, "rb") as fh:
        return fh.read(size)


def read_owner(path: Path) -> str:
    """Who holds the lock, as its holder wrote it; "" when that cannot be read (never raises).

    An older neiqin locked byte 0 itself, which Windows then refuses to read: the clerk still gets the message.
    """
    try:
        return _read_head(path, OWNER_BYTES).decode("utf-8", errors="replace").strip().strip("\x00")
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------- retries


def retrying(action: Callable[[], object], what: str) -> object:
    """Run ``action``; on Windows retry it for about 2 s while the file is held by another program."""
    if not is_windows():
        return action()
    for delay in RETRY_DELAYS:
        try:
            return action()
        except PermissionError as e:  # winerror 5 / 32 / 33 all arrive as PermissionError
            log.info("%s: %s; retrying in %.2f s", what, e, delay)
            time.sleep(delay)
    return action()


def replace(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """``os.replace`` that waits out antivirus or the indexer on Windows."""
    retrying(lambda: os.replace(src, dst), f"replace {src} -> {dst}")


def unlink(path: str | os.PathLike, missing_ok: bool = False) -> None:
    retrying(lambda: Path(path).unlink(missing_ok=missing_ok), f"delete {path}")


def rmtree(path: str | os.PathLike) -> None:
    def remove() -> None:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(path)

    retrying(remove, f"delete folder {path}")


# ---------------------------------------------------------------------------------------------- file systems

FAT_MAX_FILE = 2**32 - 1  # FAT32 (and FAT16): no file of 4 GB or more
_FAT_NAMES = {"fat", "fat12", "fat16", "fat32", "vfat", "msdos"}


def _unescape_mount(path: str) -> str:
    import re

    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), path)


def mount_fstype(mounts_text: str, path: Path) -> str | None:
    """The file system type of the mount holding ``path``, from /proc/mounts text (the longest mount point)."""
    best, kind = "", None
    target = str(path)
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mount = _unescape_mount(fields[1])
            inside = target == mount or target.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) >= len(best):
                best, kind = mount, fields[2]
    return kind


def _windows_fstype(path: Path) -> str | None:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    root = ctypes.create_unicode_buffer(261)
    if not kernel32.GetVolumePathNameW(ctypes.c_wchar_p(str(path)), root, 261):
        return None
    name = ctypes.create_unicode_buffer(261)
    if not kernel32.GetVolumeInformationW(root, None, 0, None, None, None, name, 261):
        return None
    return name.value


def filesystem_type(path: Path) -> str | None:
    """"FAT32", "exFAT", "NTFS" (Windows) or "vfat", "ext4" … (Linux); None when it cannot be told."""
    path = Path(path)
    while not path.exists() and path.parent != path:
        path = path.parent
    try:
        if is_windows():
            return _windows_fstype(path)
        return mount_fstype(Path("/proc/mounts").read_text(encoding="utf-8", errors="replace"), path.resolve())
    except (AttributeError, ImportError, OSError):  # no /proc, no windll
        return None


def file_size_limit(path: Path) -> int | None:
    """The largest file the medium holding ``path`` can take; None when there is no such limit (or unknown)."""
    kind = filesystem_type(path)
    return FAT_MAX_FILE if kind and kind.lower() in _FAT_NAMES else None


# ---------------------------------------------------------------------------------------------- uncached reading

_BLOCK = 1 << 20  # a multiple of every sector size (512, 4096): unbuffered reads must be whole sectors
_ALIGN = 4096  # and land in memory aligned to the sector size


class _UncachedRaw(io.RawIOBase):  # pragma: no cover - needs Windows
    """A file read past Windows' file cache (``FILE_FLAG_NO_BUFFERING``): every read comes from the medium.

    Such reads must start at a sector boundary, be whole sectors and go into sector-aligned memory: the file is
    read in 1 MB blocks into an aligned buffer and handed out from there."""

    def __init__(self, path: Path):
        import ctypes
        import msvcrt
        from ctypes import wintypes

        super().__init__()
        k32 = ctypes.WinDLL("kernel32", use_last_error=True)
        k32.CreateFileW.restype = wintypes.HANDLE
        k32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
                                    wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
        k32.ReadFile.argtypes = [wintypes.HANDLE, ctypes.c_void_p, wintypes.DWORD,
                                 ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p]
        generic_read, share_read, open_existing = 0x80000000, 0x1, 3
        no_buffering, sequential = 0x20000000, 0x08000000
        handle = k32.CreateFileW(str(path), generic_read, share_read, None, open_existing,
                                 no_buffering | sequential, None)
        if handle is None or handle == wintypes.HANDLE(-1).value:
            raise ctypes.WinError(ctypes.get_last_error())
        self._k32, self._handle = k32, handle
        self._fd = msvcrt.open_osfhandle(handle, os.O_RDONLY)  # closing the fd closes the handle
        self._memory = ctypes.create_string_buffer(_BLOCK + _ALIGN)
        address = ctypes.addressof(self._memory)
        self._address = address + (-address) % _ALIGN
        self._data, self._at = b"", 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer) -> int:
        import ctypes
        from ctypes import wintypes

        if self._at >= len(self._data):
            got = wintypes.DWORD()
            if not self._k32.ReadFile(self._handle, self._address, _BLOCK, ctypes.byref(got), None):
                raise ctypes.WinError(ctypes.get_last_error())
            self._data, self._at = ctypes.string_at(self._address, got.value), 0
            if not self._data:
                return 0
        n = min(len(buffer), len(self._data) - self._at)
        buffer[:n] = self._data[self._at:self._at + n]
        self._at += n
        return n

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_uncached(path: Path) -> BinaryIO:
    """The file opened for reading past the OS file cache (Windows). Raises OSError (or AttributeError where
    there is no Windows API) when that cannot be done; the caller then says what it really checked."""
    return io.BufferedReader(_UncachedRaw(Path(path)), buffer_size=_BLOCK)
