"""今日 sections of the ledgers that were complete before 今日: visitors, seals and licences, staff birthdays, and
the last USB backup. No Qt.

Each function answers one question the clerk asks in the morning with one indexed query, most urgent first.
Lateness is judged at :func:`neiqin.models.today.moment_of` (now for today), so a sheet printed for another
day is consistent with itself. Loans count lateness in working days (:mod:`neiqin.models.workdays`): a seal due
back on the Friday before a holiday is one working day late on the first day back, not five.
"""

from __future__ import annotations

import datetime as dt

from neiqin.models import settings, workdays
from neiqin.models.seals.loans import OUT, SealLoan
from neiqin.models.seals.registry import LIC_DISABLED, Licence, add_months, licence_warn_months
from neiqin.models.seals.uses import APPROVED, PENDING, SealUse
from neiqin.models.staff import STATUS_ACTIVE, Staff
from neiqin.models.today import (
    DUE,
    INFO,
    OVERDUE,
    TodayItem,
    moment_of,
    section,
)
from neiqin.models.visitors import APPOINTMENT, ON_SITE, Visit

SOON_DAYS = 30  # a licence this close to expiry is amber; earlier in the warning period it is listed plainly
STALE_APPOINTMENT_DAYS = 7  # appointments nobody closed (到达 / 未到) stay on the list this long

_RANK = {OVERDUE: 0, DUE: 1, INFO: 2}


def _urgent_first(items: list[TodayItem]) -> list[TodayItem]:
    return sorted(items, key=lambda i: _RANK.get(i.level, 3))  # stable: each query's own order within a level


def _md(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _when_text(t: dt.datetime, day: dt.date) -> str:
    """"今天 17:30", "明天 09:00", "昨天 15:00", "5月3日 17:30"."""
    if t.date() == day:
        return f"今天 {t:%H:%M}"
    if t.date() == day + dt.timedelta(days=1):
        return f"明天 {t:%H:%M}"
    if t.date() == day - dt.timedelta(days=1):
        return f"昨天 {t:%H:%M}"
    return f"{_md(t.date())} {t:%H:%M}"


def _late_text(due: dt.datetime, moment: dt.datetime) -> str:
    """"逾期 2 个工作日" by the working calendar; within the first working day, hours."""
    days = workdays.working_days_between(due.date(), moment.date())
    if days >= 1:
        return f"逾期 {days} 个工作日"
    hours = int((moment - due).total_seconds() // 3600)
    return f"逾期 {hours} 小时" if hours >= 1 else "刚刚逾期"


# ---------------------------------------------------------------------------------------------- visitors


@section("visitors_on_site", "在场访客", 50, ledger="visitors")
def visitors_on_site(day: dt.date) -> list[TodayItem]:
    """Visitors checked in and not out; one left over from an earlier day was never checked out (red)."""
    q = (Visit.select(Visit.id, Visit.name, Visit.company, Visit.visit_date, Visit.arrive_at, Visit.host_name,
                      Visit.party_size, Visit.badge_no)
         .where((Visit.status == ON_SITE) & (Visit.voided == False))  # noqa: E712
         .order_by(Visit.arrive_at, Visit.id))
    items = []
    for v in q:
        who = v.name + (f"（{v.company}）" if v.company else "")
        bits = [who]
        if v.arrive_at:
            bits.append(f"{v.arrive_at:%H:%M} 到达" if v.visit_date == day else
                        f"{_md(v.visit_date)} {v.arrive_at:%H:%M} 到达")
        if v.host_name:
            bits.append(f"被访 {v.host_name}")
        if v.party_size and v.party_size > 1:
            bits.append(f"{v.party_size} 人")
        if v.badge_no:
            bits.append(f"来访证 {v.badge_no}")
        level = INFO
        if v.visit_date < day:
            level = OVERDUE
            bits.append("未登记离开，请核实")
        items.append(TodayItem(" · ".join(bits), "visitors", v.id, level, v.arrive_at, v.host_name))
    return _urgent_first(items)


@section("visitor_appointments", "今日预约来访", 51, ledger="visitors")
def visitor_appointments(day: dt.date) -> list[TodayItem]:
    """Today's appointments; one whose time has passed is amber, one from an earlier day nobody closed red."""
    moment = moment_of(day)
    first = day - dt.timedelta(days=STALE_APPOINTMENT_DAYS)
    q = (Visit.select(Visit.id, Visit.name, Visit.company, Visit.visit_date, Visit.expected_at, Visit.host_name,
                      Visit.purpose, Visit.party_size)
         .where((Visit.status == APPOINTMENT) & (Visit.voided == False)  # noqa: E712
                & (Visit.visit_date >= first) & (Visit.visit_date <= day))
         .order_by(Visit.visit_date, Visit.expected_at, Visit.id))
    items = []
    for v in q:
        bits = [v.name + (f"（{v.company}）" if v.company else "")]
        if v.host_name:
            bits.append(f"约见 {v.host_name}")
        if v.purpose:
            bits.append(v.purpose)
        if v.party_size and v.party_size > 1:
            bits.append(f"{v.party_size} 人")
        if v.visit_date < day:
            level = OVERDUE
            bits.insert(0, f"{_md(v.visit_date)}的预约未处理")
            bits.append("请登记到达或标记未到")
        elif v.expected_at and v.expected_at < moment:
            level = DUE
            bits.insert(0, f"约 {v.expected_at:%H:%M}（已过时间未到）")
        else:
            level = INFO
            bits.insert(0, f"约 {v.expected_at:%H:%M}" if v.expected_at else "今天（未定时间）")
        items.append(TodayItem(" · ".join(bits), "visitors", v.id, level, v.expected_at or v.visit_date,
                               v.host_name))
    return _urgent_first(items)


# ---------------------------------------------------------------------------------------------- seals


@section("seal_loans", "印章证照外借", 60, ledger="seal-loans")
def seal_loans(day: dt.date) -> list[TodayItem]:
    """Seals and licences out: overdue red, due back by the next working day amber, the rest listed."""
    moment = moment_of(day)
    soon = workdays.add_working_days(day, 1)
    q = (SealLoan.select(SealLoan.id, SealLoan.no, SealLoan.item_kind, SealLoan.item_name, SealLoan.borrower,
                         SealLoan.department, SealLoan.due_at, SealLoan.purpose)
         .where((SealLoan.status == OUT) & (SealLoan.voided == False))  # noqa: E712
         .order_by(SealLoan.due_at, SealLoan.id))
    items = []
    for x in q:
        who = x.borrower + (f"（{x.department}）" if x.department else "")
        head = f"{x.item_kind}“{x.item_name}” · {who}借用"
        if x.due_at < moment:
            level, tail = OVERDUE, f"应于 {_when_text(x.due_at, day)} 归还，{_late_text(x.due_at, moment)}"
        elif x.due_at.date() <= soon:
            level, tail = DUE, f"{_when_text(x.due_at, day)} 应还"
        else:
            level, tail = INFO, f"{_when_text(x.due_at, day)} 应还"
        items.append(TodayItem(f"{head} · {tail} · {x.no}", "seal-loans", x.id, level, x.due_at, x.borrower))
    return _urgent_first(items)


@section("licences_expiring", "证照到期", 61, ledger="licences")
def licences_expiring(day: dt.date) -> list[TodayItem]:
    """Licences past their 有效期 (red), within 30 days (amber) or within the warning period (plain)."""
    horizon = add_months(day, licence_warn_months())
    q = (Licence.select(Licence.id, Licence.name, Licence.copy_kind, Licence.valid_until, Licence.status)
         .where((Licence.voided == False) & (Licence.status != LIC_DISABLED)  # noqa: E712
                & Licence.valid_until.is_null(False) & (Licence.valid_until <= horizon))
         .order_by(Licence.valid_until, Licence.id))
    items = []
    for x in q:
        left = (x.valid_until - day).days
        label = f"{x.name}（{x.copy_kind}）"
        if left < 0:
            level, tail = OVERDUE, f"已过期 {-left} 天（有效期至 {x.valid_until}），请办理延续"
        elif left == 0:
            level, tail = DUE, "今天到期"
        else:
            level = DUE if left <= SOON_DAYS else INFO
            tail = f"{left} 天后到期（有效期至 {x.valid_until}）"
        if x.status != "在库":
            tail += f" · 当前{x.status}"
        items.append(TodayItem(f"{label} · {tail}", "licences", x.id, level, x.valid_until))
    return items


@section("seal_uses_open", "用印待办", 62, ledger="seal-uses")
def seal_uses_open(day: dt.date) -> list[TodayItem]:
    """Applications approved and waiting to be stamped (amber), and those still waiting for approval."""
    q = (SealUse.select(SealUse.id, SealUse.no, SealUse.status, SealUse.seal_name, SealUse.applicant,
                        SealUse.department, SealUse.doc_title, SealUse.apply_date, SealUse.levels,
                        SealUse.approver1)
         .where(SealUse.status.in_([PENDING, APPROVED]) & (SealUse.voided == False))  # noqa: E712
         .order_by(SealUse.apply_date, SealUse.id))
    items = []
    for u in q:
        who = u.applicant + (f"（{u.department}）" if u.department else "")
        if u.status == APPROVED:
            level, state = DUE, "已批准，待用印"
        else:
            level = INFO
            state = "待第二级审批" if u.levels > 1 and u.approver1 else "待审批"
        since = "" if u.apply_date == day else f" · {_md(u.apply_date)}申请"
        items.append(TodayItem(f"{u.no} {u.doc_title} · {u.seal_name} · {who} · {state}{since}", "seal-uses",
                               u.id, level, u.apply_date, u.applicant))
    return _urgent_first(items)


# ---------------------------------------------------------------------------------------------- people


def _week(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@section("birthdays", "本周生日", 90, ledger="staff")
def birthdays(day: dt.date) -> list[TodayItem]:
    """Colleagues (在职) whose birthday falls in this week, Monday to Sunday; today's is amber.

    Someone born on 29 February has it on the 28th in other years.
    """
    week = _week(day)
    keys = {f"{d:%m-%d}": d for d in week}
    for d in week:
        if d.month == 2 and d.day == 28 and not _is_leap(d.year):
            keys["02-29"] = d
    import peewee as pw

    q = (Staff.select(Staff.id, Staff.name, Staff.department, Staff.birthday)
         .where((Staff.voided == False) & (Staff.status == STATUS_ACTIVE)  # noqa: E712
                & Staff.birthday.is_null(False) & pw.fn.strftime("%m-%d", Staff.birthday).in_(list(keys))))
    rows = sorted(((keys[f"{s.birthday:%m-%d}"], s) for s in q), key=lambda r: (r[0], r[1].name))
    items = []
    for when, s in rows:
        who = s.name + (f"（{s.department}）" if s.department else "")
        weekday = "一二三四五六日"[when.weekday()]
        if when == day:
            level, tail = DUE, "今天生日"
        elif when < day:
            level, tail = INFO, f"{_md(when)}（周{weekday}）已过"
        else:
            level, tail = INFO, f"{_md(when)}（周{weekday}）"
        items.append(TodayItem(f"{who} · {tail}", "staff", s.id, level, when, s.name))
    return items


# ---------------------------------------------------------------------------------------------- backup


@section("usb_backup", "U盘备份", 95)
def usb_backup(day: dt.date) -> list[TodayItem]:
    """Days since the last backup to a USB stick; red after ``backup.warn_days``. The row runs 备份到U盘."""
    warn = int(settings.get("backup.warn_days") or 7)
    last = settings.get("backup.last_usb")
    when = None
    if isinstance(last, dict) and last.get("time"):
        try:
            when = dt.datetime.fromisoformat(str(last["time"]))
        except ValueError:
            when = None
    if when is None:
        return [TodayItem("从未备份到U盘 · 请插入U盘，用“文件 → 备份到U盘”备份一次", level=OVERDUE, action="backup")]
    days = (day - when.date()).days
    ago = "今天" if days <= 0 else f"{days} 天前"
    text = f"上次U盘备份：{ago}（{when:%Y-%m-%d %H:%M}）"
    if days > warn:
        return [TodayItem(text + f" · 已超过 {warn} 天，请尽快备份", level=OVERDUE, when=when, action="backup")]
    if days == warn:
        return [TodayItem(text + " · 今天该备份了", level=DUE, when=when, action="backup")]
    return [TodayItem(text, level=INFO, when=when, action="backup")]
