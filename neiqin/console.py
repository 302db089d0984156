"""Console output that never crashes the command it reports on.

On Windows a command's output meets three things Linux never shows it:

* output redirected to a file or pipe (Task Scheduler) is encoded in the ANSI code page (GBK on a Chinese PC),
  which lacks characters such as ✓: every stream gets ``errors="replace"``, so such a character becomes "?"
  instead of a UnicodeEncodeError half-way through a report (and the reports use √ and ×, which GBK has);
* the windowed ``neiqin.exe`` has no console at all: ``sys.stdout`` and ``sys.stderr`` are None. Output then goes
  nowhere and error lines go to the log (``logs/neiqin.log``); the console program ``neiqin-cli.exe`` is the one
  for the command line and scheduled tasks;
* an old console (before Windows 10's virtual-terminal mode) prints ANSI colour codes as garbage: colour only on a
  terminal that has confirmed it understands them.

No Qt here.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from typing import TextIO

from neiqin import winfs

log = logging.getLogger("neiqin.console")

windowless = False  # set by setup(): the program had no stdout/stderr (the windowed exe)


class _Discard(io.TextIOBase):
    """Where standard output goes when there is no console: nowhere (print() and .write() both work)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


class _ErrorsToLog(io.TextIOBase):
    """Standard error without a console: each complete line becomes an ERROR line of the log."""

    def __init__(self) -> None:
        self._pending = ""
        self._busy = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if getattr(self._busy, "on", False):  # logging's last-resort handler writes to sys.stderr: that is us
            return len(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        self._busy.on = True
        try:
            for line in lines:
                if line.strip():
                    log.error("%s", line)
        finally:
            self._busy.on = False
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.write("\n")


def setup() -> None:
    """Make sys.stdout and sys.stderr safe to write to, whatever the program was started from."""
    global windowless
    if sys.stdout is None or sys.stderr is None:
        windowless = True
    if sys.stdout is None:
        sys.stdout = _Discard()
    if sys.stderr is None:
        sys.stderr = _ErrorsToLog()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, io.UnsupportedOperation):  # a stream that cannot be reconfigured any more
                pass


def supports_colour(stream: TextIO) -> bool:
    """ANSI colours only on a terminal that shows them (and never with NO_COLOR set or TERM=dumb)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty() or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _enable_windows_vt(stream) if winfs.is_windows() else True


def _enable_windows_vt(stream: TextIO) -> bool:
    """Turn on the console's virtual-terminal mode (Windows 10 1511 and later); False where it cannot be."""
    try:
        import ctypes
        import msvcrt

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = msvcrt.get_osfhandle(stream.fileno())
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        enable_virtual_terminal_processing = 0x0004
        return bool(kernel32.SetConsoleMode(handle, mode.value | enable_virtual_terminal_processing))
    except (AttributeError, ImportError, OSError, ValueError):  # no windll/msvcrt (not Windows), no handle
        return False
