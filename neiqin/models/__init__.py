"""Peewee models and the rules of each ledger. No Qt here: everything is usable from tests and the CLI."""

from neiqin.models import addresses, documents, meetings, parcels, settings, supplies
from neiqin.models.base import AuditLog, FieldHistory, NumberSerial, Setting, db
from neiqin.models.ledger import LEDGERS, Column, LedgerQuery, LedgerSpec, get_ledger
from neiqin.models.seal_chain import SealEvent
from neiqin.models.seals import Licence, Seal, SealAttachment, SealLoan, SealUse
from neiqin.models.staff import STAFF, Department, Staff
from neiqin.models.visitors import VISITORS, Visit, WatchEntry

# Every table the application owns, in creation order (foreign keys first).
ALL_MODELS = [Setting, AuditLog, FieldHistory, NumberSerial, Department, Staff, Visit, WatchEntry,
              Seal, Licence, SealUse, SealLoan, SealAttachment, SealEvent,
              *addresses.MODELS, *parcels.MODELS, *documents.MODELS, *supplies.MODELS, *meetings.MODELS]
for _spec in LEDGERS.values():
    if _spec.search is not None:
        ALL_MODELS.extend(_spec.search.models)

__all__ = [
    "ALL_MODELS", "AuditLog", "Column", "Department", "FieldHistory", "LEDGERS", "LedgerQuery", "LedgerSpec",
    "STAFF", "Setting", "Staff", "VISITORS", "Visit", "WatchEntry", "db", "get_ledger", "settings",
]

# 今日 sections of the ledgers above (each later ledger registers its own in its module)
from neiqin.models import today_sections  # noqa: E402,F401
