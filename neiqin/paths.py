"""Where neiqin keeps its files.

Precedence: ``--data-dir DIR`` on the command line, then ``NEIQIN_HOME``, then the platformdirs user data dir.
A portable install on a USB stick sets ``NEIQIN_HOME`` (or passes ``--data-dir``) to a folder beside the program.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from neiqin import APP_NAME

DB_FILENAME = "neiqin.sqlite"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def prints(self) -> Path:
        """Every PDF neiqin makes lands here before the preview shows it."""
        return self.root / "prints"

    @property
    def lock_path(self) -> Path:
        return self.root / "neiqin.lock"

    @property
    def ui_settings(self) -> Path:
        return self.root / "ui.ini"

    def ensure(self) -> DataDir:
        for p in (self.root, self.logs, self.backups, self.attachments, self.prints):
            p.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> DataDir:
    if cli_value:
        return DataDir(Path(cli_value).expanduser().resolve())
    env = os.environ.get("NEIQIN_HOME")
    if env:
        return DataDir(Path(env).expanduser().resolve())
    from platformdirs import user_data_dir  # only when no folder is given (a portable install never needs it)

    return DataDir(Path(user_data_dir(APP_NAME, appauthor=False, roaming=False)))
