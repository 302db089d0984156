"""Peewee models and the rules of each ledger. No Qt here: everything is usable from tests and the CLI.

The modules are listed, in order, in :mod:`neiqin.models.catalogue` (the house register). Each area has its folder (``mail/``, ``seals/``, ``supplies/``, ``meetings/``) with one module per ledger; staff and
visitors are one module each. Importing this package, or an area's package, costs nothing: a ledger module is
imported when it is first used (``from neiqin.models.mail import incoming``), so the window's start and each command
pay only for the ledgers they touch. The names below that are about every ledger at once (``ALL_MODELS``,
``LEDGERS``, ``get_ledger``) import them all first (:func:`load_all`); the others come from the module that defines
them.
"""

from __future__ import annotations

import importlib

# name → the module of this package that defines it
_NAMES = {
    "db": "base", "AuditLog": "base", "FieldHistory": "base", "NumberSerial": "base", "Setting": "base",
    "Column": "ledger", "LedgerQuery": "ledger", "LedgerSpec": "ledger",
    "STAFF": "staff", "Department": "staff", "Staff": "staff",
    "VISITORS": "visitors", "Visit": "visitors", "WatchEntry": "visitors",
}

__all__ = [
    "ALL_MODELS", "AuditLog", "Column", "Department", "FieldHistory", "LEDGERS", "NumberSerial", "LedgerQuery",
    "LedgerSpec", "STAFF", "Setting", "Staff", "VISITORS", "Visit", "WatchEntry", "db", "get_ledger", "load_all",
    "settings",
]


_loaded = 0  # catalogue entries imported by load_all (a ledger registered later is imported at the next call)


def load_all() -> None:
    """Import every module of the catalogue (each registers its ledgers, 今日 sections and settings), in order."""
    global _loaded
    from neiqin.models import catalogue, ledger

    names = catalogue.modules()
    if _loaded == len(names):
        return
    for name in names:
        importlib.import_module(name)
    ledger.sort_registry({name: i for i, name in enumerate(names)})
    _loaded = len(names)


def load_today() -> None:
    """Import the modules that register 今日 sections (``today=True`` in the catalogue), and only those."""
    from neiqin.models import catalogue

    for name in catalogue.today_modules():
        importlib.import_module(name)


def all_models() -> list:
    """Every table the application owns, in creation order (foreign keys first), search indexes last."""
    load_all()
    from neiqin.models import catalogue
    from neiqin.models.base import AuditLog, FieldHistory, NumberSerial, Setting
    from neiqin.models.ledger import LEDGERS

    out = [Setting, AuditLog, FieldHistory, NumberSerial]
    for name in catalogue.modules():  # each module's own tables (MODELS), in catalogue order
        out.extend(getattr(importlib.import_module(name), "MODELS", ()))
    for spec in LEDGERS.values():
        if spec.search is not None:
            out.extend(spec.search.models)
    return out


def __getattr__(name: str):
    if name == "ALL_MODELS":
        value = all_models()
    elif name in ("LEDGERS", "get_ledger"):
        load_all()
        value = getattr(importlib.import_module(f"{__name__}.ledger"), name)
    elif name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
