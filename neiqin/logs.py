"""Rotating log file in the data dir; unexpected errors end up here with their traceback."""

from __future__ import annotations

import logging
import logging.handlers

from neiqin.paths import DataDir

_configured = False


def setup_logging(datadir: DataDir, console: bool = False) -> None:
    global _configured
    if _configured:
        return
    datadir.logs.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(datadir.logs / "neiqin.log", maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    if console:
        root.addHandler(logging.StreamHandler())
    _configured = True
