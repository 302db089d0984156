"""会议 scheduling rules shared by rooms, bookings and meetings: office hours, repeat rules (每周 / 每两周 / 每月) and
time parsing. No Qt.

Monthly rule: the same day of the month as the first occurrence; in a month without that day (the 31st in April, the
30th in February) the last day of that month. The next month goes back to the original day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from neiqin.models import settings
from neiqin.models.fields import Field, half_width_code
from neiqin.models.staff import resolve_person

settings.register(
    {"meetings.office_start": "08:00", "meetings.office_end": "18:00", "meetings.autosave_seconds": 5},
    {"meetings.office_start": "会议室可预订的开始时间（上班时间）",
     "meetings.office_end": "会议室可预订的结束时间（下班时间）",
     "meetings.autosave_seconds": "会议记录自动保存间隔（秒）"},
)

COMPANY, DEPARTMENT = "公司会议", "部门会议"
KINDS = [DEPARTMENT, COMPANY]
ACTIVE, ADJUSTED = "有效", "已调整"
NO_REPEAT, WEEKLY, BIWEEKLY, MONTHLY = "不重复", "每周", "每两周", "每月"
REPEATS = [NO_REPEAT, WEEKLY, BIWEEKLY, MONTHLY]
MAX_OCCURRENCES = 200
WEEKDAYS = "一二三四五六日"

# ---------------------------------------------------------------------------------------------- helpers


def repeat_text(repeat: str, first: dt.date, until: dt.date) -> str:
    if repeat == WEEKLY:
        return f"每周{WEEKDAYS[first.weekday()]}，至 {until}"
    if repeat == BIWEEKLY:
        return f"每两周（周{WEEKDAYS[first.weekday()]}），至 {until}"
    if repeat == MONTHLY:
        return f"每月 {first.day} 日，至 {until}"
    return ""


def parse_time(value: Any, label: str, key: str, errors: dict) -> dt.time | None:
    """'9:05', '0905', '09:05', '9：05' or a time; a message at ``key`` if it is not one."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    t = str(value or "").strip().replace("：", ":")
    if not t:
        errors.setdefault(key, f"请填写{label}")
        return None
    if ":" not in t and t.isdigit() and len(t) in (3, 4):
        t = f"{t[:-2]}:{t[-2:]}"
    try:
        hh, mm = (int(p) for p in t.split(":"))
        return dt.time(hh, mm)
    except (ValueError, TypeError):
        errors.setdefault(key, f"{label}应为 时:分，例如 09:30")
        return None


def clean_time(field: Field, value: Any, key: str, errors: dict) -> dt.time | None:
    """A time of day typed into ``field`` (9:30, ９：３０, 0930 or a time), checked by the field's declaration;
    its message goes to ``key`` (the form's 开始时间 is ``start``, stored as ``start_at``)."""
    if isinstance(value, str):
        value = half_width_code(value).strip()
        if value.isdigit() and len(value) in (3, 4):
            value = f"{value[:-2]}:{value[-2:]}"
    found: dict[str, str] = {}
    t = field.clean(value, found)
    if found:
        errors.setdefault(key, found[field.key])
        return None
    return t.time() if isinstance(t, dt.datetime) else t


def person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value, link_name=True)


def office_hours() -> tuple[dt.time, dt.time]:
    errors: dict = {}
    start = parse_time(settings.get("meetings.office_start") or "08:00", "", "s", errors) or dt.time(8, 0)
    end = parse_time(settings.get("meetings.office_end") or "18:00", "", "e", errors) or dt.time(18, 0)
    return start, end


def add_months(day: dt.date, months: int, anchor: int | None = None) -> dt.date:
    """``day`` moved by ``months`` months, on ``anchor`` (default: its own day) or the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(anchor or day.day, last))


def occurrence_count(repeat: str, first: dt.date, until: dt.date) -> int:
    """How many occurrences a repeat gives, computed without listing them (for the cap message)."""
    if until < first:
        return 0
    if repeat == WEEKLY:
        return (until - first).days // 7 + 1
    if repeat == BIWEEKLY:
        return (until - first).days // 14 + 1
    if repeat == MONTHLY:
        months = (until.year - first.year) * 12 + until.month - first.month
        return months + (1 if add_months(first, months, first.day) <= until else 0)
    return 1


def occurrences(repeat: str, first: dt.date, until: dt.date, limit: int = MAX_OCCURRENCES) -> list[dt.date]:
    """The days of a repeating booking, first day included, at most ``limit``."""
    if repeat == NO_REPEAT:
        return [first]
    days: list[dt.date] = []
    i = 0
    while len(days) < limit:
        if repeat == WEEKLY:
            day = first + dt.timedelta(days=7 * i)
        elif repeat == BIWEEKLY:
            day = first + dt.timedelta(days=14 * i)
        else:
            day = add_months(first, i, first.day)  # always from the first day: the 31st comes back after April
        if day > until:
            break
        days.append(day)
        i += 1
    return days


