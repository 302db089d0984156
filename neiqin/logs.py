"""Rotating log file in the data dir; unexpected errors end up here with their traceback.

The window and a scheduled ``neiqin-cli backup`` write the same ``logs/neiqin.log``. The standard
``RotatingFileHandler`` keeps the file open for the life of the process, and Windows refuses to rename a file
another process has open: every rotation then fails and, from then on, every line of that process is lost.
:class:`SharedRotatingFileHandler` opens the file for each record and closes it again, so between two lines no
process holds it; a rotation that still finds it held (or held by antivirus) is retried for a moment and
otherwise put off, and the line is appended to the current file: a line is never lost, the file may only grow past
its size for a while. The size is read from the file itself, so whichever process finds it full rotates it.

(``concurrent-log-handler`` does the same with a lock file through ``portalocker``, which needs ``pywin32`` in the
Windows bundle; a clerk's log is a few lines a minute, so opening the file per line costs nothing measurable and
needs no extra package.)
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from neiqin import winfs
from neiqin.paths import DataDir

MAX_BYTES = 2_000_000
BACKUP_COUNT = 5

_handler: SharedRotatingFileHandler | None = None


class SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A size-rotated log several processes can write at once, on Windows too (see the module's doc)."""

    def __init__(self, filename: str | os.PathLike, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT):
        super().__init__(filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True)

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        try:
            return self.maxBytes > 0 and os.path.getsize(self.baseFilename) >= self.maxBytes
        except OSError:
            return False

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        """Shift ``.1`` … ``.N``; if any step is refused (another process writing), leave it for a later line."""
        if self.stream:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        try:
            for i in range(self.backupCount - 1, 0, -1):
                older = f"{base}.{i}"
                if os.path.exists(older):
                    winfs.replace(older, f"{base}.{i + 1}")
            if self.backupCount > 0:
                winfs.replace(base, f"{base}.1")
        except OSError:
            pass  # held by another process: appended to the current file meanwhile

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.shouldRollover(record):
                self.doRollover()
            self.stream = self._open()
            try:
                logging.StreamHandler.emit(self, record)
            finally:
                self.stream.close()
                self.stream = None
        except Exception:  # noqa: BLE001 - logging must never raise into the program
            self.handleError(record)


def setup_logging(datadir: DataDir, console: bool = False) -> Path:
    """Log to ``logs/neiqin.log`` of this data dir (switching files if another data dir was set up before)."""
    global _handler
    datadir.logs.mkdir(parents=True, exist_ok=True)
    path = datadir.logs / "neiqin.log"
    root = logging.getLogger()
    if _handler is not None:
        if Path(_handler.baseFilename) == path.resolve():
            return path
        root.removeHandler(_handler)
        _handler.close()
    _handler = SharedRotatingFileHandler(path)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(logging.INFO)
    root.addHandler(_handler)
    if console:
        root.addHandler(logging.StreamHandler())
    return path
