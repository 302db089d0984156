"""The house register: every ledger module of neiqin, in order. No Qt, and nothing imported here.

Adding a ledger is its model module (its ``Fields``, table and ``register_ledger(LedgerSpec(...))``, optionally a
今日 ``@section``), a numbered migration creating its table, and **one line** in :data:`CATALOGUE`::

    Ledger("neiqin.models.phone.calls", key="phone-calls", tab="来电登记", today=True),

From that line: ``load_all`` imports the module (its ledger then has a CLI key, Excel export and import, a printed
register and a place in 全局搜索, all from its ``LedgerSpec``); with ``today=True`` the morning screen imports it
for its sections; with ``tab`` the window shows it in a tab of its own with the shared ledger pane (form, table,
search, print, export) built from its field declaration — a ledger with a pane of its own is in the window's
``PANES`` instead. The module is imported only when something first needs it (start-up speed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ledger:
    module: str  # the module that defines (and registers) the ledger's tables
    key: str = ""  # the LedgerSpec key it registers (for its tab, named before the module is imported)
    tab: str = ""  # a tab of its own, with the shared ledger pane
    today: bool = False  # it registers 今日 sections


# Every model module, in the order a full import registers them (the order of ``LEDGERS``): ledger modules and the
# modules that hold the rest of their tables (processing steps, posting, minutes …).
CATALOGUE: list[Ledger] = [
    Ledger("neiqin.models.mail.addresses"),
    Ledger("neiqin.models.staff"),
    Ledger("neiqin.models.workdays"),
    Ledger("neiqin.models.deadlines"),
    Ledger("neiqin.models.mail.docs_common"),
    Ledger("neiqin.models.mail.incoming"),
    Ledger("neiqin.models.mail.incoming_steps"),
    Ledger("neiqin.models.mail.outgoing"),
    Ledger("neiqin.models.meetings.schedule"),
    Ledger("neiqin.models.meetings.rooms"),
    Ledger("neiqin.models.meetings.bookings"),
    Ledger("neiqin.models.meetings.register"),
    Ledger("neiqin.models.meetings.actions"),
    Ledger("neiqin.models.meetings.minutes"),
    Ledger("neiqin.models.mail.parcel_rules"),
    Ledger("neiqin.models.mail.parcels"),
    Ledger("neiqin.models.mail.dispatches"),
    Ledger("neiqin.models.supplies.items"),
    Ledger("neiqin.models.supplies.moves"),
    Ledger("neiqin.models.supplies.posting"),
    Ledger("neiqin.models.supplies.stocktake"),
    Ledger("neiqin.models.supplies.reports"),
    Ledger("neiqin.models.seals.chain"),
    Ledger("neiqin.models.seals.registry"),
    Ledger("neiqin.models.seals.uses"),
    Ledger("neiqin.models.seals.loans"),
    Ledger("neiqin.models.seals.attachments"),
    Ledger("neiqin.models.visitors"),
    Ledger("neiqin.models.today_sections", today=True),  # every built-in ledger's 今日 sections, on light tables
]


def register(entry: Ledger) -> Ledger:
    """Add a ledger to the house (a ledger kept outside this file, e.g. the test suite's own)."""
    if any(e.module == entry.module for e in CATALOGUE):
        raise ValueError(f"{entry.module} is already in the catalogue")
    CATALOGUE.append(entry)
    return entry


def modules() -> list[str]:
    return [e.module for e in CATALOGUE]


def today_modules() -> list[str]:
    return [e.module for e in CATALOGUE if e.today]


def own_tabs() -> list[Ledger]:
    """The ledgers shown in a tab of their own with the shared pane, in catalogue order."""
    return [e for e in CATALOGUE if e.tab]
