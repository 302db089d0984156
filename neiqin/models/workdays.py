"""工作日历: which days are working days, and deadlines counted in 自然日 or 工作日. No Qt.

China's working days are Monday–Friday, except the statutory holidays, plus the 调休 weekends on which people work;
the State Council (国务院办公厅) announces both each year, usually in November for the following year. The years
known when this program was built ship in ``neiqin/data/holidays.json`` (checked against the official notices);
the clerk enters later years (or corrects a shipped one) in 工作日历, stored in the database under the setting
``workdays.years`` so it travels with the data and its backups, and every change is in the audit log.

A year nobody entered counts Monday–Friday as working days; :func:`missing_years` tells the UI to warn.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import settings

NATURAL, WORKING = "自然日", "工作日"
RULES = [NATURAL, WORKING]
SETTING = "workdays.years"
HOLIDAY_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "中秋节、国庆节", "国庆节、中秋节"]
MAX_DAYS = 3660  # a deadline further than ten years away is a typing mistake, not a rule

settings.register({SETTING: {}}, {SETTING: "工作日历（放假与调休上班日期）"})


@dataclass
class YearTable:
    """One year's 放假 days (date → holiday name) and 调休上班 weekend days."""

    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: set[dt.date] = field(default_factory=set)
    source: str = "内置"  # 内置 (shipped) or 用户 (entered in 工作日历)
    note: str = ""

    def as_setting(self) -> dict[str, Any]:
        return {"holidays": {d.isoformat(): n for d, n in sorted(self.holidays.items())},
                "workdays": sorted(d.isoformat() for d in self.workdays), "note": self.note}


# beside the package's modules (also in the PyInstaller bundle); a plain path: importlib.resources costs a start
HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.json"


@lru_cache(maxsize=1)
def shipped() -> dict[int, YearTable]:
    """The tables that ship with the program, by year."""
    raw = json.loads(HOLIDAYS_FILE.read_text("utf-8"))
    out: dict[int, YearTable] = {}
    for year, entry in raw["years"].items():
        t = YearTable(int(year), source="内置", note=entry.get("notice", ""))
        for name, days in entry["holidays"].items():
            for d in days:
                t.holidays[dt.date.fromisoformat(d)] = name
        t.workdays = {dt.date.fromisoformat(d) for d in entry["workdays"]}
        out[t.year] = t
    return out


def _parse_user(raw: dict) -> dict[int, YearTable]:
    out: dict[int, YearTable] = {}
    for year, entry in (raw or {}).items():
        try:
            t = YearTable(int(year), source="用户", note=str(entry.get("note") or ""))
            hol = entry.get("holidays") or {}
            if isinstance(hol, list):  # a plain list of dates is accepted too
                hol = {d: "" for d in hol}
            t.holidays = {dt.date.fromisoformat(d): str(n or "") for d, n in hol.items()}
            t.workdays = {dt.date.fromisoformat(d) for d in entry.get("workdays") or []}
        except (TypeError, ValueError, AttributeError):
            continue  # a damaged entry is ignored rather than stopping every deadline computation
        out[t.year] = t
    return out


@dataclass
class Calendar:
    """The merged calendar: user years replace shipped years of the same number."""

    years: dict[int, YearTable]

    def __post_init__(self) -> None:
        self._off: dict[dt.date, str] = {}
        self._on: set[dt.date] = set()
        for t in sorted(self.years.values(), key=lambda t: t.year):
            self._off.update(t.holidays)
            self._on |= t.workdays

    def is_working_day(self, d: dt.date) -> bool:
        d = _as_date(d)
        if d in self._on:
            return True
        if d in self._off:
            return False
        return d.weekday() < 5

    def holiday_name(self, d: dt.date) -> str:
        return self._off.get(_as_date(d), "")

    def is_makeup_day(self, d: dt.date) -> bool:
        return _as_date(d) in self._on

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        start = _as_date(start)
        if abs(n) > MAX_DAYS:
            raise ValidationError(f"期限 {n} 个工作日太长", "days")
        step = 1 if n >= 0 else -1
        d, left = start, abs(n)
        while left:
            d += dt.timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b] (negative when b < a): 截止 a, today b → "逾期 N 个工作日"."""
        a, b = _as_date(a), _as_date(b)
        if a == b:
            return 0
        sign = 1 if b > a else -1
        lo, hi = (a, b) if sign > 0 else (b, a)
        n = 0
        d = lo
        while d < hi:
            d += dt.timedelta(days=1)
            if self.is_working_day(d):
                n += 1
        return sign * n

    def next_working_day(self, d: dt.date) -> dt.date:
        d = _as_date(d)
        while not self.is_working_day(d):
            d += dt.timedelta(days=1)
        return d

    def deadline(self, start: dt.date, n: int, rule: str = NATURAL, *, roll: bool = True) -> dt.date:
        """The last day of a period of ``n`` days after ``start``.

        自然日 counts calendar days; when the last day is a holiday or weekend it moves to the next working day
        (民法典 第二百零三条: 期限的最后一日是法定休假日的，以法定休假日结束的次日为期限的最后一日), unless
        ``roll`` is False. 工作日 counts working days only.
        """
        start = _as_date(start)
        if rule == WORKING:
            return self.add_working_days(start, n)
        if rule != NATURAL:
            raise ValidationError(f"期限规则应为“{NATURAL}”或“{WORKING}”", "deadline_rule")
        if abs(n) > MAX_DAYS:
            raise ValidationError(f"期限 {n} 天太长", "days")
        end = start + dt.timedelta(days=n)
        return self.next_working_day(end) if roll and n > 0 else end

    def covers(self, year: int) -> bool:
        return year in self.years


def _as_date(d: Any) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    return dt.date.fromisoformat(str(d))


_cache: tuple[str, Calendar] | None = None


def _user_raw() -> str:
    """The stored user tables as their JSON text ("" when no database is open)."""
    from neiqin.models.base import Setting, db

    if db.obj is None:
        return ""
    try:
        row = Setting.get_or_none(Setting.key == SETTING)
    except Exception:  # noqa: BLE001 - no settings table yet (opening a database, a bare test database)
        return ""
    return row.value if row else ""


def calendar() -> Calendar:
    """The calendar in force: shipped years, replaced or extended by the years the clerk entered."""
    global _cache
    raw = _user_raw()
    if _cache is not None and _cache[0] == raw:
        return _cache[1]
    years = dict(shipped())
    years.update(_parse_user(json.loads(raw) if raw else {}))
    cal = Calendar(years)
    _cache = (raw, cal)
    return cal


# ---------------------------------------------------------------------------------------------- the API


def is_working_day(d: dt.date) -> bool:
    return calendar().is_working_day(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted; n may be negative)."""
    return calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Signed working days from ``a`` to ``b``: days in (a, b] that are working days; negative if b < a."""
    return calendar().working_days_between(a, b)


def next_working_day(d: dt.date) -> dt.date:
    """``d`` itself if it is a working day, else the first working day after it."""
    return calendar().next_working_day(d)


def deadline(start: dt.date, n: int, rule: str = NATURAL, *, roll: bool = True) -> dt.date:
    """办理期限: ``n`` 自然日 or 工作日 after ``start`` (see :meth:`Calendar.deadline`)."""
    return calendar().deadline(start, n, rule, roll=roll)


def holiday_name(d: dt.date) -> str:
    return calendar().holiday_name(d)


def known_years() -> list[int]:
    """Years whose holidays and 调休 days are known (shipped or entered), ascending."""
    return sorted(calendar().years)


def missing_years(today: dt.date | None = None) -> list[int]:
    """Years the clerk should enter now: the current year, and the next one from November (when the State
    Council's notice is normally out)."""
    today = today or clock.today()
    cal = calendar()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [y for y in wanted if not cal.covers(y)]


def year_table(year: int) -> YearTable | None:
    return calendar().years.get(year)


def describe_day(d: dt.date) -> str:
    """"工作日", "周末", "春节（放假）" or "调休上班" — for tooltips next to a deadline."""
    cal = calendar()
    d = _as_date(d)
    if cal.is_makeup_day(d):
        return "调休上班"
    name = cal.holiday_name(d)
    if name:
        return f"{name}（放假）"
    return "周末" if d.weekday() >= 5 else "工作日"


# ---------------------------------------------------------------------------------------------- editing


def _parse_dates(values: Any, key: str, label: str, errors: dict) -> list[dt.date]:
    out: list[dt.date] = []
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    for v in values or []:
        if isinstance(v, dt.datetime):
            v = v.date()
        if isinstance(v, dt.date):
            out.append(v)
            continue
        text = str(v).strip().replace("/", "-").replace(".", "-")
        if not text:
            continue
        try:
            out.append(dt.date.fromisoformat(text))
        except ValueError:
            try:
                y, m, d = (int(p) for p in text.split("-"))
                out.append(dt.date(y, m, d))
            except (ValueError, TypeError):
                errors.setdefault(key, f"{label}中的“{text}”不是有效日期（应为 YYYY-MM-DD）")
    return out


def set_year(year: int, holidays: dict[dt.date, str] | list, workdays: list, note: str = "") -> YearTable:
    """Enter (or correct) one year's 放假 and 调休上班 dates. Audited through the settings log."""
    errors: dict[str, str] = {}
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("年份应为四位数字", "year") from None
    if not 2000 <= year <= 2100:
        raise ValidationError("年份应在 2000–2100 之间", "year")
    if isinstance(holidays, dict):
        names = {_as_date(k): str(v or "").strip() for k, v in holidays.items()}
        hol_dates = list(names)
    else:
        pairs = [h if isinstance(h, tuple | list) else (h, "") for h in holidays or []]
        hol_dates = _parse_dates([p[0] for p in pairs], "holidays", "放假日期", errors)
        names = {d: str(p[1] or "").strip() for d, p in zip(hol_dates, pairs, strict=False)}
    work_dates = _parse_dates(workdays, "workdays", "调休上班日期", errors)
    first, last = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    for d in hol_dates:
        if not first <= d <= last and "holidays" not in errors:
            errors["holidays"] = f"放假日期 {d} 不在 {year} 年（元旦假期可从上年 12 月开始）"
        if len(names.get(d, "")) > 20 and "holidays" not in errors:
            errors["holidays"] = f"节日名称“{names[d][:8]}…”太长（最多 20 字）"
    for d in work_dates:
        if d.year != year and "workdays" not in errors:
            errors["workdays"] = f"调休上班日期 {d} 不在 {year} 年"
        elif d.weekday() < 5 and "workdays" not in errors:
            errors["workdays"] = f"{d} 是{'一二三四五'[d.weekday()]}，本来就上班；调休上班日应为周六或周日"
    both = sorted(set(hol_dates) & set(work_dates))
    if both:
        errors.setdefault("workdays", f"{both[0]} 不能既放假又上班")
    if len(set(hol_dates)) > 60 and "holidays" not in errors:
        errors["holidays"] = "放假日期超过 60 天，请检查"
    if errors:
        raise ValidationError(errors)
    table = YearTable(year, {d: names.get(d, "") for d in hol_dates}, set(work_dates), "用户",
                      text_note(note))
    stored = dict(settings.get(SETTING) or {})
    stored[str(year)] = table.as_setting()
    settings.set_value(SETTING, dict(sorted(stored.items())))
    return table


def text_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("说明不能超过 200 字", "note")
    return note


def reset_year(year: int) -> None:
    """Drop the clerk's entry for ``year`` (a shipped year goes back to the shipped table). Audited."""
    stored = dict(settings.get(SETTING) or {})
    if stored.pop(str(int(year)), None) is not None:
        settings.set_value(SETTING, stored)
