"""Peewee models and the rules of each ledger. No Qt here: everything is usable from tests and the CLI.

Each area has its folder (``mail/``, ``seals/``, ``supplies/``, ``meetings/``) with one module per ledger; staff and
visitors are one module each. Importing this package, or an area's package, costs nothing: a ledger module is
imported when it is first used (``from neiqin.models.mail import incoming``), so the window's start and each command
pay only for the ledgers they touch. The names below that are about every ledger at once (``ALL_MODELS``,
``LEDGERS``, ``get_ledger``) import them all first (:func:`load_all`); the others come from the module that defines
them.
"""

from __future__ import annotations

import importlib

# Every module that registers ledgers, 今日 sections or settings (relative to this package), in the order a full
# import registers them (the order of ``LEDGERS``).
LEDGER_MODULES = (
    "mail.addresses", "staff", "workdays",
    "mail.docs_common", "mail.incoming", "mail.outgoing",
    "meetings.schedule", "meetings.rooms", "meetings.bookings", "meetings.register", "meetings.actions",
    "mail.parcel_rules", "mail.parcels", "mail.dispatches",
    "supplies.items", "supplies.moves",
    "seals.registry", "seals.uses", "seals.loans",
    "visitors", "today_sections",
)

# The modules that register 今日 sections (a subset of the above): the morning screen imports only these and what
# they need, not every ledger module (start-up speed).
TODAY_MODULES = ("mail.incoming", "mail.outgoing", "meetings.register", "meetings.actions", "mail.parcels",
                 "supplies.items", "today_sections")

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


_loaded = False


def load_all() -> None:
    """Import every ledger module (each registers its ledgers, 今日 sections and settings), in a fixed order."""
    global _loaded
    if _loaded:
        return
    # plain import statements, so that PyInstaller bundles them all
    from neiqin.models import ledger, staff, today_sections, visitors, workdays  # noqa: F401
    from neiqin.models.mail import (  # noqa: F401
        addresses,
        dispatches,
        docs_common,
        incoming,
        incoming_steps,
        outgoing,
        parcel_rules,
        parcels,
    )
    from neiqin.models.meetings import actions, bookings, minutes, register, rooms, schedule  # noqa: F401
    from neiqin.models.seals import attachments, chain, loans, registry, uses  # noqa: F401
    from neiqin.models.supplies import items, moves, posting, reports, stocktake  # noqa: F401

    ledger.sort_registry({f"{__name__}.{name}": i for i, name in enumerate(LEDGER_MODULES)})
    _loaded = True


def load_today() -> None:
    """Import the modules that register 今日 sections (:data:`TODAY_MODULES`), in the order of ``LEDGER_MODULES``."""
    if _loaded:
        return
    from neiqin.models import today_sections  # noqa: F401
    from neiqin.models.mail import incoming, outgoing, parcels  # noqa: F401
    from neiqin.models.meetings import actions, register  # noqa: F401
    from neiqin.models.supplies import items  # noqa: F401


def all_models() -> list:
    """Every table the application owns, in creation order (foreign keys first), search indexes last."""
    load_all()
    from neiqin.models.base import AuditLog, FieldHistory, NumberSerial, Setting
    from neiqin.models.ledger import LEDGERS
    from neiqin.models.mail import addresses, dispatches, docs_common, incoming, outgoing, parcels
    from neiqin.models.meetings import actions, bookings, minutes, register, rooms
    from neiqin.models.seals.attachments import SealAttachment
    from neiqin.models.seals.chain import SealEvent
    from neiqin.models.seals.loans import SealLoan
    from neiqin.models.seals.registry import Licence, Seal
    from neiqin.models.seals.uses import SealUse
    from neiqin.models.staff import Department, Staff
    from neiqin.models.supplies import items, moves, stocktake
    from neiqin.models.visitors import Visit, WatchEntry

    out = [Setting, AuditLog, FieldHistory, NumberSerial, Department, Staff, Visit, WatchEntry,
           Seal, Licence, SealUse, SealLoan, SealAttachment, SealEvent]
    for module in (addresses, parcels, dispatches, incoming, outgoing, docs_common,  # 收发文 / 快递
                   items, moves, stocktake,  # 办公用品
                   rooms, bookings, register, actions, minutes):  # 会议记录
        out.extend(module.MODELS)
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
