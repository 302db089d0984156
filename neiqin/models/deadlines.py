"""Deadlines the ledgers and the morning screen share: when a 收文 is 即将到期, how lateness is said, how long a
parcel may wait or a licence warns ahead. No Qt; light to import (今日 uses it at every start)."""

from __future__ import annotations

import datetime as dt

from neiqin import clock
from neiqin.models import settings, workdays

DUE_SOON_WORKDAYS = 2  # a 收文 due within two working days is 即将到期

# declared here, not with the parcels ledger: the morning screen reads it at start without importing that ledger
settings.register({"parcels.overdue_days": 3}, {"parcels.overdue_days": "快递滞留提醒（待领取超过多少天）"})



def due_soon_limit(today: dt.date | None = None) -> dt.date:
    """The last 办理期限 that counts as "即将到期": within two working days from today."""
    return workdays.add_working_days(today or clock.today(), DUE_SOON_WORKDAYS)


def due_text(due: dt.date, today: dt.date | None = None) -> str:
    """"逾期 2 个工作日", "今天到期", "明天到期", "还有 3 个工作日"."""
    today = today or clock.today()
    if due < today:
        n = workdays.working_days_between(due, today)
        return f"逾期 {n} 个工作日" if n else f"逾期 {(today - due).days} 天（均为休息日）"
    if due == today:
        return "今天到期"
    if due == today + dt.timedelta(days=1):
        return "明天到期"
    return f"还有 {workdays.working_days_between(today, due)} 个工作日"


def week_end(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=6 - day.weekday())


def parcel_overdue_days() -> int:
    """After this many days a waiting parcel is 滞留 (setting parcels.overdue_days)."""
    try:
        return max(1, int(settings.get("parcels.overdue_days") or 3))
    except (TypeError, ValueError):
        return 3


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def licence_warn_months() -> int:
    try:
        return max(0, int(settings.get("seals.licence_warn_months") or 6))
    except (TypeError, ValueError):
        return 6
