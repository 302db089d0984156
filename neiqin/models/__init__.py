"""Peewee models and the rules of each ledger. No Qt here: everything is usable from tests and the CLI.

Importing this package costs nothing: a ledger module is imported when it is first used (``from neiqin.models
import documents``), so the window's start and each command pay only for the ledgers they touch. The names
below that are about every ledger at once (``ALL_MODELS``, ``LEDGERS``, ``get_ledger``) import them all first
(:func:`load_all`); the others come from the module that defines them.
"""

from __future__ import annotations

import importlib

# Every module that registers ledgers, 今日 sections or settings, in the order a full import registers them
# (the order of ``LEDGERS``).
LEDGER_MODULES = ("addresses", "staff", "workdays", "documents", "bookings", "meetings", "parcels", "supplies",
                  "seal_chain", "seals", "visitors", "today_sections")

# name → the module of this package that defines it
_NAMES = {
    "db": "base", "AuditLog": "base", "FieldHistory": "base", "NumberSerial": "base", "Setting": "base",
    "Column": "ledger", "LedgerQuery": "ledger", "LedgerSpec": "ledger",
    "STAFF": "staff", "Department": "staff", "Staff": "staff",
    "VISITORS": "visitors", "Visit": "visitors", "WatchEntry": "visitors",
    "SealEvent": "seal_chain",
    "Licence": "seals", "Seal": "seals", "SealAttachment": "seals", "SealLoan": "seals", "SealUse": "seals",
}

__all__ = [
    "ALL_MODELS", "AuditLog", "Column", "Department", "FieldHistory", "LEDGERS", "NumberSerial", "LedgerQuery", "LedgerSpec",
    "STAFF", "Setting", "Staff", "VISITORS", "Visit", "WatchEntry", "db", "get_ledger", "load_all", "settings",
]


_loaded = False


def load_all() -> None:
    """Import every ledger module (each registers its ledgers, 今日 sections and settings), in a fixed order."""
    global _loaded
    if _loaded:
        return
    # plain import statements, so that PyInstaller bundles them all
    from neiqin.models import (  # noqa: F401
        addresses,
        bookings,
        documents,
        ledger,
        meetings,
        parcels,
        seal_chain,
        seals,
        staff,
        supplies,
        today_sections,
        visitors,
        workdays,
    )

    ledger.sort_registry({f"{__name__}.{name}": i for i, name in enumerate(LEDGER_MODULES)})
    _loaded = True


def all_models() -> list:
    """Every table the application owns, in creation order (foreign keys first), search indexes last."""
    load_all()
    from neiqin.models import addresses, documents, meetings, parcels, supplies
    from neiqin.models.base import AuditLog, FieldHistory, NumberSerial, Setting
    from neiqin.models.ledger import LEDGERS
    from neiqin.models.seal_chain import SealEvent
    from neiqin.models.seals import Licence, Seal, SealAttachment, SealLoan, SealUse
    from neiqin.models.staff import Department, Staff
    from neiqin.models.visitors import Visit, WatchEntry

    out = [Setting, AuditLog, FieldHistory, NumberSerial, Department, Staff, Visit, WatchEntry,
           Seal, Licence, SealUse, SealLoan, SealAttachment, SealEvent,
           *addresses.MODELS, *parcels.MODELS, *documents.MODELS, *supplies.MODELS, *meetings.MODELS]
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
