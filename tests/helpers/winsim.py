"""Windows behaviour simulated on Linux, through the seams of ``neiqin.winfs``.

``SimulatedWindows(monkeypatch)`` makes ``winfs.is_windows()`` true and installs:

* a ``msvcrt`` whose ``locking`` locks byte ranges per open handle, as Windows does: another handle can neither
  lock nor *read* a locked byte (``winfs._read_head`` refuses it with PermissionError, errno 13, like ReadFile's
  ERROR_LOCK_VIOLATION);
* nothing else: ``ctypes.windll`` does not exist here, so every Windows API call the program makes through
  ctypes fails, and the tests see what the program does when it cannot ask Windows.
"""

from __future__ import annotations

import errno
import os
import sys
import types
from pathlib import Path

from neiqin import winfs


class FakeMsvcrt(types.ModuleType):
    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.locks: dict[tuple[int, int, int], int] = {}  # (device, inode, byte) -> fd holding it

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        st = os.fstat(fd)
        pos = os.lseek(fd, 0, os.SEEK_CUR)  # msvcrt locks from the handle's current position
        keys = [(st.st_dev, st.st_ino, pos + i) for i in range(nbytes)]
        if mode == self.LK_UNLCK:
            if any(self.locks.get(k) != fd for k in keys):
                raise PermissionError(errno.EACCES, "Permission denied")
            for k in keys:
                del self.locks[k]
            return
        if any(self.locks.get(k, fd) != fd for k in keys):
            raise PermissionError(errno.EACCES, "Permission denied")
        for k in keys:
            self.locks[k] = fd

    def refuses(self, path: Path, start: int, size: int) -> bool:
        """Whether Windows would refuse a read of these bytes through a new handle."""
        st = os.stat(path)
        return any(dev == st.st_dev and ino == st.st_ino and start <= byte < start + size
                   for dev, ino, byte in self.locks)


class SimulatedWindows:
    def __init__(self, monkeypatch) -> None:
        self.msvcrt = FakeMsvcrt()
        monkeypatch.setattr(winfs, "is_windows", lambda: True)
        monkeypatch.setitem(sys.modules, "msvcrt", self.msvcrt)
        real_read_head = winfs._read_head

        def read_head(path: Path, size: int) -> bytes:
            if self.msvcrt.refuses(Path(path), 0, size):
                raise PermissionError(errno.EACCES, "The process cannot access the file because another process "
                                                    "has locked a portion of the file", str(path))
            return real_read_head(path, size)

        monkeypatch.setattr(winfs, "_read_head", read_head)
        self._monkeypatch = monkeypatch

    def share_modes(self) -> None:
        """Renaming or replacing a file that any handle has open fails, as on Windows (Python opens files
        without FILE_SHARE_DELETE): error 32, ERROR_SHARING_VIOLATION. Open handles are read from /proc."""
        real_replace, real_rename = os.replace, os.rename

        def open_files() -> set[str]:
            found = set()
            for fd in os.listdir("/proc/self/fd"):
                try:
                    found.add(os.readlink(f"/proc/self/fd/{fd}"))
                except OSError:
                    pass
            return found

        def guarded(real):
            def move(src, dst, *args, **kwargs):
                held = open_files()
                for p in (src, dst):
                    if os.path.exists(p) and os.path.realpath(p) in held:
                        raise windows_error(32, "The process cannot access the file because it is being used by "
                                                "another process", str(p))
                return real(src, dst, *args, **kwargs)
            return move

        self._monkeypatch.setattr(os, "replace", guarded(real_replace))
        self._monkeypatch.setattr(os, "rename", guarded(real_rename))


def windows_error(winerror: int, message: str = "Access is denied", filename: str | None = None) -> PermissionError:
    """A PermissionError as Windows raises it (``winerror`` set, errno EACCES)."""
    e = PermissionError(errno.EACCES, message, filename)
    e.winerror = winerror  # type: ignore[attr-defined]
    return e
