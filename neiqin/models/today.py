"""今日: what needs doing today, across every ledger. No Qt.

Each ledger module registers its own sections with ``@section(...)``; the 今日 tab, the handover sheet, the
reminders and ``python -m neiqin today`` all read ``compute(today)``. A section's function takes the day and
returns its items, most urgent first; it must be a cheap indexed query (the tab refreshes on every change).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from neiqin import clock
from neiqin.models import settings

log = logging.getLogger(__name__)

OVERDUE = "overdue"  # red: past its deadline
DUE = "due"  # amber: due today or soon
INFO = "info"  # plain: for information (on site now, today's meetings)
LEVEL_LABELS = {OVERDUE: "逾期", DUE: "到期", INFO: ""}


@dataclass
class TodayItem:
    text: str  # one line the clerk reads, e.g. "收〔2026〕15号 关于……的通知 — 逾期 2 个工作日"
    ledger: str = ""  # ledger key whose record the row opens ("" = nothing to open)
    record_id: int | None = None
    level: str = INFO
    when: dt.date | dt.datetime | None = None  # the deadline or time the item is about
    owner: str = ""  # the person it is about (承办人, 领取人, action owner …), for grouping
    action: str = ""  # a window action to run instead of opening a record (e.g. "backup" for 备份到U盘)
    count: int = 1  # records this row stands for: a section lists its first rows and sums the rest in one row

    @property
    def urgent(self) -> bool:
        return self.level in (OVERDUE, DUE)


@dataclass
class Section:
    key: str
    title: str
    order: int
    compute: Callable[[dt.date], list[TodayItem]]
    ledger: str = ""  # the tab that shows the whole list
    items: list[TodayItem] = field(default_factory=list)
    error: str = ""  # the section could not be read (the others are still shown)

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items)

    @property
    def overdue(self) -> int:
        return sum(i.count for i in self.items if i.level == OVERDUE)

    @property
    def due(self) -> int:
        return sum(i.count for i in self.items if i.level == DUE)

    def summary(self) -> str:
        """"3 项（逾期 1，到期 1）" / "无"."""
        if self.error:
            return "读取失败"
        if not self.items:
            return "无"
        bits = [f"逾期 {self.overdue}"] if self.overdue else []
        bits += [f"到期 {self.due}"] if self.due else []
        return f"{self.total} 项" + (f"（{'，'.join(bits)}）" if bits else "")


# The sections registered so far: each ledger module registers its own when first imported. registered() has all.
SECTIONS: dict[str, Section] = {}


def registered() -> dict[str, Section]:
    """Every ledger's sections (importing the modules that register them, and only those, if not loaded yet)."""
    from neiqin.models import load_today

    load_today()
    return SECTIONS


def section(key: str, title: str, order: int, ledger: str = ""):
    """Register a 今日 section: ``@section("parcels", "待领取快递", 20, ledger="parcels")``."""

    def register(fn: Callable[[dt.date], list[TodayItem]]) -> Callable[[dt.date], list[TodayItem]]:
        SECTIONS[key] = Section(key, title, order, fn, ledger)
        return fn

    return register


def compute(today: dt.date | None = None, keys: list[str] | None = None) -> list[Section]:
    """Every registered section (or those in ``keys``), in order, with its items for ``today``.

    A section that fails is returned empty with ``error`` set and the reason logged: one broken query must not
    blank the whole morning screen.
    """
    day = today or clock.today()
    out = []
    for s in sorted(registered().values(), key=lambda s: (s.order, s.key)):
        if keys is not None and s.key not in keys:
            continue
        try:
            items, error = list(s.compute(day)), ""
        except Exception as e:  # noqa: BLE001 - shown in the section, logged with its traceback
            log.exception("今日 section %s failed", s.key)
            items, error = [], f"{type(e).__name__}: {e}"
        out.append(Section(s.key, s.title, s.order, s.compute, s.ledger, items, error))
    return out


def audit_mark() -> int:
    """The id of the last audit entry: every change of a record, by this window or a scheduled command, writes one."""
    from neiqin.models.base import AuditLog

    return AuditLog.select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1).scalar() or 0


def moment_of(day: dt.date) -> dt.datetime:
    """The moment a section judges lateness at: now for today, the end of a past day, the start of a future one
    (a sheet printed for tomorrow shows what will be due then, not what is late now)."""
    from neiqin.models.base import now

    current = now()
    if day == current.date():
        return current
    if day < current.date():
        return dt.datetime.combine(day, dt.time(23, 59, 59))
    return dt.datetime.combine(day, dt.time.min)


def item_key(section_key: str, item: TodayItem) -> tuple:
    """Identity of an item across refreshes (reminders show what is new since the last one)."""
    if item.record_id is None:
        return (section_key, item.ledger, item.action, item.level, item.text)
    return (section_key, item.ledger, item.record_id, item.level)


def urgent_items(sections: list[Section]) -> list[tuple[Section, TodayItem]]:
    """(section, item) for everything overdue or due, overdue first, in section order."""
    pairs = [(s, i) for s in sections for i in s.items if i.urgent]
    return sorted(pairs, key=lambda p: 0 if p[1].level == OVERDUE else 1)


# ---------------------------------------------------------------------------------------------- reminders

REMINDER_TIMES = "today.reminder_times"
REMIND_AT_START = "today.remind_at_start"
# declared here, not by a ledger module: the window reads them at start, before any ledger is imported
settings.register({REMINDER_TIMES: "09:00, 14:00", REMIND_AT_START: True},
                  {REMINDER_TIMES: "到期提醒时间（每天）", REMIND_AT_START: "启动时提醒到期事项"})


def parse_times(text: str) -> list[dt.time]:
    """"09:00, 14:00" → [09:00, 14:00] (sorted, no repeats); ValidationError at the setting if malformed."""
    from neiqin.errors import ValidationError

    out: set[dt.time] = set()
    for part in (text or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        try:
            hh, mm = (int(p) for p in part.split(":"))
            out.add(dt.time(hh, mm))
        except ValueError:
            raise ValidationError({REMINDER_TIMES: f"提醒时间“{part}”格式不对，应为 时:分，多个用逗号分开，"
                                                   "例如 09:00, 14:00"}) from None
    if len(out) > 12:
        raise ValidationError({REMINDER_TIMES: "提醒时间最多 12 个"})
    return sorted(out)


def reminder_times() -> list[dt.time]:
    """The times of day set for reminders; a bad saved value means none rather than an error at every tick."""
    from neiqin.errors import ValidationError

    try:
        return parse_times(settings.get(REMINDER_TIMES) or "")
    except ValidationError:
        log.warning("bad reminder times setting: %r", settings.get(REMINDER_TIMES))
        return []


def times_between(times: list[dt.time], after: dt.datetime, upto: dt.datetime) -> list[dt.datetime]:
    """The reminder moments in (after, upto] — a computer that slept through 14:00 reminds when it wakes."""
    out = []
    day = after.date()
    while day <= upto.date():
        for t in times:
            moment = dt.datetime.combine(day, t)
            if after < moment <= upto:
                out.append(moment)
        day += dt.timedelta(days=1)
    return out


WEEKDAYS = "一二三四五六日"


def day_heading(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def when_text(when: dt.date | dt.datetime | None, day: dt.date) -> str:
    """An item's time as the 今日 list and sheets show it: "今天 09:05", "10月9日 14:00", "今天", "10月9日"."""
    if when is None:
        return ""
    if isinstance(when, dt.datetime):
        prefix = "今天" if when.date() == day else f"{when.month}月{when.day}日"
        return f"{prefix} {when:%H:%M}"
    return "今天" if when == day else f"{when.month}月{when.day}日"
