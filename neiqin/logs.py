"""Rotating log file in the data dir; unexpected errors end up here with their traceback."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from neiqin.paths import DataDir

_handler: logging.handlers.RotatingFileHandler | None = None


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
    _handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.setLevel(logging.INFO)
    root.addHandler(_handler)
    if console:
        root.addHandler(logging.StreamHandler())
    return path
