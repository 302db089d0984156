"""Where neiqin keeps its files.

Precedence: ``--data-dir DIR`` on the command line, then ``NEIQIN_HOME``, then a folder named ``数据`` beside the
program (portable mode: no .bat file, whose encoding cmd.exe would misread, is needed), then the platformdirs
user data dir. A folder that was named but does not exist is never created silently (``neiqin.cli``).
"""

from __future__ import annotations

import os
import sys
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


PORTABLE_FOLDER = "数据"  # beside neiqin.exe: the program runs portable, its data in this folder


def resource(name: str) -> Path | None:
    """A file shipped in ``resources/`` (inside the frozen bundle, or beside the package when run from source)."""
    roots = [Path(sys._MEIPASS)] if getattr(sys, "_MEIPASS", None) else []
    roots.append(Path(__file__).resolve().parent.parent)
    return next((r / "resources" / name for r in roots if (r / "resources" / name).is_file()), None)


def program_dir() -> Path | None:
    """The folder of the frozen program (neiqin.exe); None when run from source. Tests switch this."""
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None


def portable_data_dir() -> Path | None:
    """``数据`` beside the program, if it is there (the clerk made it, or the portable zip brought it)."""
    folder = program_dir()
    if folder is None or not (folder / PORTABLE_FOLDER).is_dir():
        return None
    return folder / PORTABLE_FOLDER


def given_data_dir(cli_value: str | os.PathLike | None = None) -> str | None:
    """The data dir someone named (``--data-dir`` or ``NEIQIN_HOME``), as given; None when none was."""
    return str(cli_value) if cli_value else os.environ.get("NEIQIN_HOME") or None


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> DataDir:
    given = given_data_dir(cli_value)
    if given:
        return DataDir(Path(given).expanduser().resolve())
    portable = portable_data_dir()
    if portable is not None:
        return DataDir(portable)
    from platformdirs import user_data_dir  # only when no folder is given (a portable install never needs it)

    return DataDir(Path(user_data_dir(APP_NAME, appauthor=False, roaming=False)))
