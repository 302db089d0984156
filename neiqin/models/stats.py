"""Figures for the charts: records per month of any ledger (from its LedgerSpec.date_field), seal uses per month,
supplies cost per department. No Qt.

Every chart is a :class:`ChartData` — categories along one axis and one or more named series — so the 统计 view
draws whatever is available: a chart appears when the ledger it reads exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.models.ledger import LedgerSpec, all_ledgers, get_ledger


@dataclass
class ChartData:
    title: str
    categories: list[str]  # months "2026-05", or departments
    series: dict[str, list[float]] = field(default_factory=dict)  # name -> one value per category
    unit: str = "件"
    horizontal: bool = False  # long category names (departments) read better as horizontal bars

    @property
    def total(self) -> float:
        return sum(sum(v) for v in self.series.values())

    def rows(self) -> list[list[Any]]:
        """The table under the chart: category, then one value per series."""
        return [[c, *(s[i] for s in self.series.values())] for i, c in enumerate(self.categories)]


# ---------------------------------------------------------------------------------------------- months


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    """"YYYY-MM" for every month from ``start`` to ``end``, both included."""
    if end < start:
        start, end = end, start
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_months(n: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first day of the month ``n - 1`` months ago, and today: the default range of the charts."""
    today = today or clock.today()
    y, m = today.year, today.month - (n - 1)
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1), today


def monthly_counts(spec: LedgerSpec | str, start: dt.date, end: dt.date, where: Any = None) -> list[int]:
    """Records (voided left out) per month of the ledger's date field, one number per ``month_keys`` entry."""
    spec = get_ledger(spec) if isinstance(spec, str) else spec
    if not spec.date_field:
        raise ValueError(f"{spec.key} has no date field")
    if end < start:
        start, end = end, start
    m = spec.model
    f = getattr(m, spec.date_field)
    upper = end + dt.timedelta(days=1)
    lo, hi = (start, upper) if not isinstance(f, pw.DateTimeField) else (
        dt.datetime.combine(start, dt.time.min), dt.datetime.combine(upper, dt.time.min))
    month = pw.fn.substr(f, 1, 7)  # dates are stored as ISO text: the month is its first 7 characters
    q = (m.select(month.alias("month"), pw.fn.COUNT(m.id).alias("n"))
         .where((f >= lo) & (f < hi) & (m.voided == False)))  # noqa: E712
    if where is not None:
        q = q.where(where)
    counts = {r["month"]: r["n"] for r in q.group_by(month).dicts()}
    return [counts.get(k, 0) for k in month_keys(start, end)]


def dated_ledgers(*keys: str) -> list[LedgerSpec]:
    """The ledgers with these keys that have a date field, in the given order."""
    return [s for s in (get_ledger(k) for k in keys) if s.date_field]


def monthly_chart(title: str, specs: list[LedgerSpec], start: dt.date, end: dt.date,
                  where: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> ChartData:
    where, names = where or {}, names or {}
    data = ChartData(title, month_keys(start, end))
    for s in specs:
        data.series[names.get(s.key, s.title.removesuffix("登记簿"))] = monthly_counts(s, start, end,
                                                                                    where.get(s.key))
    return data


# ---------------------------------------------------------------------------------------------- the charts


def visitors_per_month(start: dt.date, end: dt.date) -> ChartData:
    from neiqin.models.visitors import LEFT, ON_SITE, VISITORS, Visit

    return monthly_chart("来访人次（按月）", [VISITORS], start, end,
                         {"visitors": Visit.status.in_([ON_SITE, LEFT])}, {"visitors": "来访"})


def parcels_per_month(start: dt.date, end: dt.date) -> ChartData:
    return monthly_chart("快递（按月）", dated_ledgers("parcels", "dispatches"), start, end)


def documents_per_month(start: dt.date, end: dt.date) -> ChartData:
    return monthly_chart("收发文（按月）", dated_ledgers("incoming", "outgoing"), start, end)


def seal_uses_per_month(start: dt.date, end: dt.date) -> ChartData:
    from neiqin.models.seals.uses import use_stats

    by_month = {r[0]: r for r in use_stats("month", start, end)}
    months = month_keys(start, end)
    return ChartData("用印（按月）", months, {
        "用印件数": [by_month[k][1] if k in by_month else 0 for k in months],
        "用印次数": [by_month[k][3] if k in by_month else 0 for k in months],
    })


def supplies_cost(start: dt.date, end: dt.date) -> ChartData:
    """Cost of supplies issued per department, from ``supplies.cost_by_department(start, end)``."""
    from neiqin.models.supplies.reports import cost_by_department

    rows = cost_by_department(start, end)
    pairs = list(rows.items()) if isinstance(rows, dict) else [(r[0], r[1]) for r in rows]
    pairs = sorted(((str(d or "（未填部门）"), float(v or 0)) for d, v in pairs), key=lambda p: -p[1])
    return ChartData("办公用品领用金额（按部门）", [p[0] for p in pairs], {"金额（元）": [round(p[1], 2) for p in pairs]},
                     unit="元", horizontal=True)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    build: Callable[[dt.date, dt.date], ChartData]
    available: Callable[[], bool]


CHARTS = [
    Chart("visitors", "来访人次（按月）", visitors_per_month, lambda: "visitors" in all_ledgers()),
    Chart("parcels", "快递（按月）", parcels_per_month, lambda: "parcels" in all_ledgers()),
    Chart("documents", "收发文（按月）", documents_per_month, lambda: "incoming" in all_ledgers()),
    Chart("supplies", "办公用品（按部门）", supplies_cost, lambda: "supplies" in all_ledgers()),
    Chart("seal_uses", "用印（按月）", seal_uses_per_month, lambda: "seal-uses" in all_ledgers()),
]


def available_charts() -> list[Chart]:
    return [c for c in CHARTS if c.available()]
