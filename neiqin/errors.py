"""Domain exceptions. Messages are Chinese and addressed to the clerk; the UI shows them as they are."""

from __future__ import annotations


class NeiqinError(Exception):
    """Any error the clerk should read. ``str(exc)`` is a complete Chinese sentence."""


class ValidationError(NeiqinError):
    """Bad input. ``errors`` maps a field key to its message, so a form can show it at that field."""

    def __init__(self, errors: dict[str, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "": errors}
        self.errors: dict[str, str] = dict(errors)
        super().__init__("；".join(self.errors.values()))

    @property
    def first_field(self) -> str:
        return next(iter(self.errors))


class DatabaseTooNewError(NeiqinError):
    pass


class DataDirLockedError(NeiqinError):
    pass


class ImportFileError(NeiqinError):
    """An import file that cannot be read at all (corrupt, encrypted, wrong header)."""
