"""今日: what needs doing today, across every ledger. No Qt.

Each ledger module registers its own sections with ``@section(...)``; the 今日 tab, the handover sheet, the
reminders and ``python -m neiqin today`` all read ``compute(today)``. A section's function takes the day and
returns its items, most urgent first; it must be a cheap indexed query (the tab refreshes on every change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

OVERDUE = "overdue"  # red: past its deadline
DUE = "due"  # amber: due today or soon
INFO = "info"  # plain: for information (on site now, today's meetings)


@dataclass
class TodayItem:
    text: str  # one line the clerk reads, e.g. "收〔2026〕15号 关于……的通知 — 逾期 2 个工作日"
    ledger: str = ""  # ledger key whose record the row opens ("" = nothing to open)
    record_id: int | None = None
    level: str = INFO
    when: dt.date | dt.datetime | None = None  # the deadline or time the item is about
    owner: str = ""  # the person it is about (承办人, 领取人, action owner …), for grouping


@dataclass
class Section:
    key: str
    title: str
    order: int
    compute: Callable[[dt.date], list[TodayItem]]
    ledger: str = ""  # the tab that shows the whole list
    items: list[TodayItem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.level == OVERDUE)


SECTIONS: dict[str, Section] = {}


def section(key: str, title: str, order: int, ledger: str = ""):
    """Register a 今日 section: ``@section("parcels", "待领取快递", 20, ledger="parcels")``."""

    def register(fn: Callable[[dt.date], list[TodayItem]]) -> Callable[[dt.date], list[TodayItem]]:
        SECTIONS[key] = Section(key, title, order, fn, ledger)
        return fn

    return register


def compute(today: dt.date | None = None) -> list[Section]:
    """Every registered section, in order, with its items for ``today``."""
    day = today or dt.date.today()
    out = []
    for s in sorted(SECTIONS.values(), key=lambda s: s.order):
        out.append(Section(s.key, s.title, s.order, s.compute, s.ledger, list(s.compute(day))))
    return out
