"""Every built-in ledger's 今日 sections (收文, 发文, 快递, 会议, 预订, 督办, 办公用品, 印章证照, 用印, 来访, 生日, U盘备份).
No Qt.

Each function answers one question the clerk asks in the morning with one indexed query, most urgent first.
Lateness is judged at :func:`neiqin.models.today.moment_of` (now for today), so a sheet printed for another
day is consistent with itself. Loans count lateness in working days (:mod:`neiqin.models.workdays`): a seal due
back on the Friday before a holiday is one working day late on the first day back, not five.

**Read through light tables.** The morning screen is the first page at every start, so its queries do not import
the ledger modules (their field declarations, rules, forms and numbering: ≈ 60 ms of a ≈ 330 ms start). They read
the tables through the small read-only models below, each naming only the columns its query uses, and the few
status words they compare with. The ledger module declares the table; ``tests/test_today.py`` checks every column
and word here against it, so the two cannot drift apart. A ledger added later may register its sections in its
own module (``@section`` and ``today=True`` in the catalogue) and pay for its import at start.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from neiqin.models import settings, workdays
from neiqin.models.base import db
from neiqin.models.deadlines import (
    add_months,
    due_soon_limit,
    due_text,
    licence_warn_months,
    parcel_overdue_days,
    week_end,
)
from neiqin.models.today import (
    DUE,
    INFO,
    OVERDUE,
    TodayItem,
    moment_of,
    section,
)

# ---------------------------------------------------------------------------------------------- what is read

# status words, as the ledger modules define them (checked against them by tests/test_today.py)
IN_ACTIVE = ["待初审", "待拟办", "待批示", "待承办", "办理中"]  # 收文 not yet 办结 (docs_common.IN_ACTIVE)
PARCEL_WAITING = "待领取"  # parcel_rules.WAITING
BOOKING_ACTIVE = "有效"  # schedule.ACTIVE
ACTION_OPEN = "未完成"  # actions.OPEN
ITEM_ACTIVE = "在用"  # supplies.items.ITEM_ACTIVE
OUT = "借出"  # seals.loans.OUT
LIC_DISABLED = "停用"  # seals.registry.LIC_DISABLED
PENDING, APPROVED = "待审批", "已批准"  # seals.uses
STATUS_ACTIVE = "在职"  # staff.STATUS_ACTIVE
APPOINTMENT, ON_SITE = "预约", "在场"  # visitors
TODAY_ACTIONS_LISTED = 100  # 督办 rows listed in 今日; the rest are summed (a backlog must not stall the morning)


class ReadModel(pw.Model):
    """A ledger's table as the morning screen reads it: the columns its query names, never written."""

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is read only: the ledger module writes its table")


class IncomingDoc(ReadModel):
    no = pw.CharField()
    title = pw.CharField()
    due_date = pw.DateField(null=True)
    handler = pw.CharField()
    handler_dept = pw.CharField()
    reminders = pw.IntegerField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "incoming_doc"


class OutgoingDoc(ReadModel):
    doc_no = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "outgoing_doc"


class Delivery(ReadModel):
    doc_id = pw.IntegerField()
    year = pw.IntegerField()
    envelope_no = pw.IntegerField()
    organisation = pw.CharField()
    sent_at = pw.DateTimeField(null=True)
    signed_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "doc_delivery"

    @property
    def envelope_label(self) -> str:  # 送文簿封皮号 in its fixed form (docs_common.ENVELOPE_NO)
        return f"{self.year}-{self.envelope_no:03}"


class Parcel(ReadModel):
    recipient_id = pw.IntegerField(null=True)
    recipient = pw.CharField()
    department = pw.CharField()
    received_at = pw.DateTimeField()
    shelf = pw.CharField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "parcel"


class Meeting(ReadModel):
    title = pw.CharField()
    place = pw.CharField()
    host = pw.CharField()
    day = pw.DateField()
    start_at = pw.DateTimeField()
    end_at = pw.DateTimeField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "meeting"


class Booking(ReadModel):
    room_id = pw.IntegerField()
    room_name = pw.CharField()
    purpose = pw.CharField()
    organiser = pw.CharField()
    kind = pw.CharField()
    day = pw.DateField()
    start_at = pw.DateTimeField()
    end_at = pw.DateTimeField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "booking"


class ActionItem(ReadModel):
    owner = pw.CharField()
    task = pw.TextField()
    due = pw.DateField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "action_item"


class Supply(ReadModel):
    code = pw.CharField()
    name = pw.CharField()
    spec = pw.CharField()
    unit = pw.CharField()
    on_hand = pw.IntegerField()
    min_stock = pw.IntegerField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "supply"


class SealLoan(ReadModel):
    no = pw.CharField()
    item_kind = pw.CharField()
    item_name = pw.CharField()
    borrower = pw.CharField()
    department = pw.CharField()
    purpose = pw.CharField()
    due_at = pw.DateTimeField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "seal_loan"


class Licence(ReadModel):
    name = pw.CharField()
    copy_kind = pw.CharField()
    valid_until = pw.DateField(null=True)
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "licence"


class SealUse(ReadModel):
    no = pw.CharField()
    status = pw.CharField()
    seal_name = pw.CharField()
    applicant = pw.CharField()
    department = pw.CharField()
    doc_title = pw.CharField()
    apply_date = pw.DateField()
    levels = pw.IntegerField()
    approver1 = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "seal_use"


class Visit(ReadModel):
    name = pw.CharField()
    company = pw.CharField()
    visit_date = pw.DateField()
    expected_at = pw.DateTimeField(null=True)
    arrive_at = pw.DateTimeField(null=True)
    host_name = pw.CharField()
    purpose = pw.CharField()
    party_size = pw.IntegerField()
    badge_no = pw.CharField()
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "visit"


class Staff(ReadModel):
    name = pw.CharField()
    department = pw.CharField()
    birthday = pw.DateField(null=True)
    status = pw.CharField()
    voided = pw.BooleanField()

    class Meta:
        table_name = "staff"


SECTIONS_EXPECTED = ("incoming_due", "outgoing_unsigned", "parcels", "meetings", "bookings", "actions", "supplies-low",
                     "visitors_on_site", "visitor_appointments", "seal_loans", "licences_expiring", "seal_uses_open",
                     "birthdays", "usb_backup")  # the sections below (a test checks they are all registered)
READ_MODELS = [IncomingDoc, OutgoingDoc, Delivery, Parcel, Meeting, Booking, ActionItem, Supply, SealLoan, Licence,
               SealUse, Visit, Staff]


def qty_text(milli: int | None, unit: str = "") -> str:
    """A quantity kept in thousandths, as the 办公用品 ledger writes it (supplies.amounts.qty_text)."""
    from decimal import Decimal

    text = f"{(Decimal(milli or 0) / 1000).normalize():f}"
    return text + (f" {unit}" if unit else "")


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


# ---------------------------------------------------------------------------------------------- mail


@section("incoming_due", "收文催办", 30, ledger="incoming")
def incoming_due(today: dt.date) -> list[TodayItem]:
    """收文 past their 办理期限 (red) and due within two working days (amber)."""
    limit = due_soon_limit(today)
    q = (IncomingDoc.select(IncomingDoc.id, IncomingDoc.no, IncomingDoc.title, IncomingDoc.due_date,
                            IncomingDoc.handler, IncomingDoc.handler_dept, IncomingDoc.reminders)
         .where(IncomingDoc.status.in_(IN_ACTIVE) & (IncomingDoc.voided == False)  # noqa: E712
                & (IncomingDoc.due_date <= limit))
         .order_by(IncomingDoc.due_date, IncomingDoc.id).limit(200))
    items = []
    for d in q:
        who = " ".join(p for p in (d.handler_dept, d.handler) if p)
        title = d.title if len(d.title) <= 24 else d.title[:23] + "…"
        text = f"{d.no} {title} — {due_text(d.due_date, today)}" + (f"（承办：{who}）" if who else "（未交办）")
        if d.reminders:
            text += f"，已催办 {d.reminders} 次"
        items.append(TodayItem(text, "incoming", d.id, OVERDUE if d.due_date < today else DUE, d.due_date,
                               d.handler or d.handler_dept))
    return items


@section("outgoing_unsigned", "发文待签收", 32, ledger="outgoing")
def outgoing_unsigned(today: dt.date) -> list[TodayItem]:
    """送文簿 rows sent three or more days ago that nobody has signed for yet."""
    cut = dt.datetime.combine(today - dt.timedelta(days=3), dt.time.max)
    q = (Delivery.select(Delivery, OutgoingDoc).join(OutgoingDoc, on=(Delivery.doc_id == OutgoingDoc.id))
         .where(Delivery.signed_at.is_null() & (Delivery.sent_at <= cut) & (OutgoingDoc.voided == False))  # noqa: E712
         .order_by(Delivery.sent_at).limit(100))
    return [TodayItem(f"{d.outgoingdoc.doc_no} 送 {d.organisation}（{d.sent_at:%m-%d} 发出，封号 {d.envelope_label}）"
                      "尚未签收", "outgoing", d.doc_id, DUE, d.sent_at) for d in q]


@section("parcels", "待领取快递", 30, ledger="parcels")
def parcels_waiting(day: dt.date) -> list[TodayItem]:
    """One line per person with parcels waiting, the longest wait first (as parcels.waiting_groups groups them)."""
    limit = parcel_overdue_days()
    groups: dict[tuple, list[Parcel]] = {}
    q = (Parcel.select(Parcel.id, Parcel.recipient_id, Parcel.recipient, Parcel.department, Parcel.received_at,
                       Parcel.shelf)
         .where((Parcel.status == PARCEL_WAITING) & (Parcel.voided == False))  # noqa: E712
         .order_by(Parcel.received_at, Parcel.id))
    for p in q:
        groups.setdefault((p.recipient_id, p.recipient if p.recipient_id is None else ""), []).append(p)
    items = []
    for parcels in groups.values():
        first = parcels[0]
        oldest = first.received_at
        days = (day - oldest.date()).days
        level = OVERDUE if days > limit else (DUE if days >= 1 else INFO)
        wait = "今天到" if days <= 0 else f"已等 {days} 天"
        shelves = "、".join(dict.fromkeys(p.shelf for p in parcels if p.shelf))
        shelf = f"，货架 {shelves}" if shelves else ""
        dept = f"（{first.department}）" if first.department else ""
        items.append(TodayItem(f"{first.recipient}{dept} {len(parcels)} 件待领取，最早 {oldest:%m-%d}，{wait}{shelf}",
                               "parcels", first.id, level, oldest, first.recipient))
    return items


# ---------------------------------------------------------------------------------------------- meetings


@section("meetings", "今日会议", 40, ledger="meetings")
def meetings_today(day: dt.date) -> list[TodayItem]:
    q = (Meeting.select(Meeting.id, Meeting.title, Meeting.place, Meeting.host, Meeting.start_at, Meeting.end_at)
         .where((Meeting.day == day) & (Meeting.voided == False))  # noqa: E712
         .order_by(Meeting.start_at))
    return [TodayItem(f"{m.start_at:%H:%M}–{m.end_at:%H:%M} {m.title}（{m.place}，主持 {m.host}）", "meetings", m.id,
                      INFO, m.start_at, m.host) for m in q]


@section("bookings", "今日会议室预订", 41, ledger="bookings")
def bookings_today(day: dt.date) -> list[TodayItem]:
    q = (Booking.select(Booking.id, Booking.room_name, Booking.purpose, Booking.organiser, Booking.kind,
                        Booking.start_at, Booking.end_at)
         .where((Booking.day == day) & (Booking.voided == False)  # noqa: E712
                & (Booking.status == BOOKING_ACTIVE))
         .order_by(Booking.start_at, Booking.room_id))
    return [TodayItem(f"{b.start_at:%H:%M}–{b.end_at:%H:%M} {b.room_name}：{b.purpose}（{b.organiser}，{b.kind}）",
                      "bookings", b.id, INFO, b.start_at, b.organiser) for b in q]


@section("actions", "督办事项（逾期与本周到期）", 42, ledger="actions")
def actions_due(day: dt.date) -> list[TodayItem]:
    due = (ActionItem.select(ActionItem.id, ActionItem.owner, ActionItem.task, ActionItem.due)
           .where((ActionItem.status == ACTION_OPEN) & (ActionItem.voided == False)  # noqa: E712
                  & (ActionItem.due <= week_end(day))))
    listed = list(due.order_by(ActionItem.due, ActionItem.id).limit(TODAY_ACTIONS_LISTED))
    items = []
    for a in listed:
        if a.due < day:
            level, when = OVERDUE, f"逾期 {(day - a.due).days} 天"
        elif a.due == day:
            level, when = DUE, "今天到期"
        else:
            level, when = DUE, f"{a.due:%m-%d} 到期"
        items.append(TodayItem(f"{a.owner}：{a.task[:40]} — {when}", "actions", a.id, level, a.due, a.owner))
    if len(listed) == TODAY_ACTIONS_LISTED:  # the rest, summed per level
        last = listed[-1]
        rest = due.where((ActionItem.due > last.due) | ((ActionItem.due == last.due) & (ActionItem.id > last.id)))
        late = rest.where(ActionItem.due < day).count()
        for n, level, what in ((late, OVERDUE, "逾期"), (rest.count() - late, DUE, "本周到期")):
            if n:
                items.append(TodayItem(f"另有 {n} 项{what}未列出：在“督办”中查看全部", "actions", None, level,
                                       count=n))
    return items


# ---------------------------------------------------------------------------------------------- supplies


@section("supplies-low", "低于安全库存的办公用品", 60, ledger="supplies")
def supplies_low(day: dt.date) -> list[TodayItem]:
    """Items in use at or below 安全库存, emptiest first (relative to the minimum; as items.low_stock_items)."""
    q = (Supply.select(Supply.id, Supply.code, Supply.name, Supply.spec, Supply.unit, Supply.on_hand,
                       Supply.min_stock)
         .where((Supply.status == ITEM_ACTIVE) & (Supply.min_stock > 0) & (Supply.on_hand <= Supply.min_stock)
                & (Supply.voided == False)))  # noqa: E712
    out = []
    for it in sorted(q, key=lambda s: (s.on_hand / s.min_stock if s.min_stock else 0, s.code)):
        label = f"{it.name}（{it.spec}）" if it.spec else it.name
        out.append(TodayItem(f"{it.code} {label}：现有 {qty_text(it.on_hand, it.unit)}，安全库存 "
                             f"{qty_text(it.min_stock, it.unit)}", ledger="supplies", record_id=it.id,
                             level=OVERDUE if it.on_hand <= 0 else DUE))
    return out


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
