"""今日 sections on fixed data: what is overdue, due and merely listed, at the boundaries (no Qt)."""

from __future__ import annotations

import datetime as dt

import pytest

from neiqin import clock
from neiqin.models import STAFF, settings, today
from neiqin.models.base import now
from neiqin.models.seals.loans import lend, return_loan
from neiqin.models.seals.registry import LICENCES, SEALS
from neiqin.models.seals.uses import apply_use, approve_use
from neiqin.models.today import DUE, INFO, OVERDUE, TodayItem
from neiqin.models.today_sections import (
    birthdays,
    licences_expiring,
    seal_loans,
    seal_uses_open,
    usb_backup,
    visitor_appointments,
    visitors_on_site,
)
from neiqin.models.visitors import VISITORS, check_in, check_out, make_appointment


def at(monkeypatch, moment: dt.datetime) -> dt.date:
    """Pretend it is ``moment`` for the sections (lateness is judged at now() on the day itself)."""
    monkeypatch.setattr("neiqin.models.base.now", lambda: moment)
    return moment.date()


def levels(items: list[TodayItem]) -> list[str]:
    return [i.level for i in items]


# ---------------------------------------------------------------------------------------------- registry


def test_every_section_registers_when_models_are_imported(database):
    keys = set(today.SECTIONS)
    assert {"visitors_on_site", "visitor_appointments", "seal_loans", "licences_expiring", "seal_uses_open",
            "birthdays", "usb_backup"} <= keys
    sections = today.compute()
    assert [s.order for s in sections] == sorted(s.order for s in sections)
    assert all(s.error == "" for s in sections)


def test_a_failing_section_is_reported_and_the_others_still_computed(database, monkeypatch):
    def broken(day):
        raise RuntimeError("数据库损坏")

    monkeypatch.setitem(today.SECTIONS, "broken", today.Section("broken", "坏栏目", 1, broken))
    sections = {s.key: s for s in today.compute()}
    assert "数据库损坏" in sections["broken"].error and sections["broken"].summary() == "读取失败"
    assert sections["usb_backup"].items  # the rest are there


def test_summary_and_urgent_items_order():
    s = today.Section("x", "X", 1, lambda d: [], items=[TodayItem("a"), TodayItem("b", level=DUE),
                                                         TodayItem("c", level=OVERDUE)])
    assert s.summary() == "3 项（逾期 1，到期 1）"
    assert [i.text for _, i in today.urgent_items([s])] == ["c", "b"]
    assert today.Section("y", "Y", 2, lambda d: []).summary() == "无"
    assert today.day_heading(dt.date(2026, 10, 8)) == "2026年10月8日 星期四"


def test_item_keys_tell_a_new_level_from_the_same_item():
    a = TodayItem("借出 — 今天应还", "seal-loans", 5, DUE)
    b = TodayItem("借出 — 逾期 1 小时", "seal-loans", 5, OVERDUE)
    assert today.item_key("loans", a) != today.item_key("loans", b)
    assert today.item_key("loans", a) == today.item_key("loans", TodayItem("其他文字", "seal-loans", 5, DUE))


def test_moment_of_a_day(monkeypatch):
    day = at(monkeypatch, dt.datetime(2026, 10, 8, 9, 30))
    assert today.moment_of(day) == dt.datetime(2026, 10, 8, 9, 30)
    assert today.moment_of(day - dt.timedelta(days=1)) == dt.datetime(2026, 10, 7, 23, 59, 59)
    assert today.moment_of(day + dt.timedelta(days=1)) == dt.datetime(2026, 10, 9, 0, 0)


# ---------------------------------------------------------------------------------------------- visitors


def test_visitors_on_site_and_one_left_over_from_yesterday(host):
    yesterday = clock.today() - dt.timedelta(days=1)
    old = check_in({"name": "昨日客", "company": "某公司", "host": host.id, "visit_date": yesterday,
                    "arrive_at": dt.datetime.combine(yesterday, dt.time(10, 0))})
    here = check_in({"name": "今日客", "company": "甲公司", "host": host.id, "party_size": 3,
                     "arrive_at": now() - dt.timedelta(minutes=1)})
    gone = check_in({"name": "已走客", "host": host.id, "arrive_at": now() - dt.timedelta(minutes=2)})
    check_out(gone)
    voided = check_in({"name": "作废客", "host": host.id, "arrive_at": now() - dt.timedelta(minutes=3)})
    VISITORS.void(voided, "重复登记")
    items = visitors_on_site(clock.today())
    assert [i.record_id for i in items] == [old.id, here.id]
    assert levels(items) == [OVERDUE, INFO]
    assert "未登记离开" in items[0].text and "3 人" in items[1].text and "被访 张三" in items[1].text
    assert items[1].owner == "张三" and items[1].ledger == "visitors"


def test_appointments_today_late_and_stale(host, monkeypatch):
    d = clock.today()
    later = make_appointment({"name": "下午客", "host": host.id, "purpose": "面试",
                              "expected_at": dt.datetime.combine(d, dt.time(23, 59))})
    early = make_appointment({"name": "上午客", "host": host.id,
                              "expected_at": dt.datetime.combine(d, dt.time(0, 1))})
    tomorrow = make_appointment({"name": "明日客", "host": host.id,
                                 "expected_at": dt.datetime.combine(d + dt.timedelta(days=1), dt.time(9, 0))})
    # an appointment from two days ago nobody closed (the API refuses to create one in the past)
    stale = VISITORS.model.create(name="前日客", visit_date=d - dt.timedelta(days=2), status="预约",
                                  host_name="张三", expected_at=dt.datetime.combine(d - dt.timedelta(days=2),
                                                                                   dt.time(10, 0)))
    at(monkeypatch, dt.datetime.combine(d, dt.time(12, 0)))
    items = visitor_appointments(d)
    assert [i.record_id for i in items] == [stale.id, early.id, later.id]
    assert levels(items) == [OVERDUE, DUE, INFO]
    assert "已过时间未到" in items[1].text and "约 23:59" in items[2].text and "面试" in items[2].text
    assert tomorrow.id not in [i.record_id for i in items]
    # tomorrow, the appointment for tomorrow is listed and today's two are stale
    assert {i.record_id for i in visitor_appointments(d + dt.timedelta(days=1))} == \
        {stale.id, early.id, later.id, tomorrow.id}


# ---------------------------------------------------------------------------------------------- seals


@pytest.fixture
def items_to_lend(database, host):
    seals = [SEALS.create({"name": name, "kind": "公章", "approval_levels": 1, "custodian": "王芳"})
             for name in ("公司公章", "合同专用章", "财务专用章", "发票专用章")]
    licence = LICENCES.create({"name": "营业执照", "copy_kind": "副本", "valid_until": dt.date(2040, 1, 1)})
    return seals, licence


def _lend(item, lent, due, who="李四"):
    return lend({"item": item, "borrower": {"name": who}, "department": "市场部", "purpose": "签订合同",
                 "approver": "王五", "lent_at": lent, "due_at": due})


def test_loans_overdue_over_a_holiday_due_today_and_tomorrow(items_to_lend, monkeypatch):
    (s1, s2, s3, s4), licence = items_to_lend
    lent = dt.datetime(2026, 9, 29, 9, 0)
    # due the last working day before 国庆 (1–7 Oct 2026): on 8 Oct it is one working day late, not eight days
    before_holiday = _lend(s1, lent, dt.datetime(2026, 9, 30, 17, 30), "甲")
    due_today = _lend(s2, lent, dt.datetime(2026, 10, 8, 17, 30), "乙")
    due_tomorrow = _lend(licence, lent, dt.datetime(2026, 10, 9, 17, 30), "丙")
    # 10 Oct is a Saturday worked in exchange (调休): the next working day after the 9th
    later = _lend(s3, lent, dt.datetime(2026, 10, 12, 12, 0), "丁")
    returned = _lend(s4, lent, dt.datetime(2026, 9, 30, 12, 0), "戊")
    return_loan(returned, {"returned_at": dt.datetime(2026, 9, 30, 11, 0), "return_condition": "完好"})

    day = at(monkeypatch, dt.datetime(2026, 10, 8, 9, 0))
    items = seal_loans(day)
    assert [i.record_id for i in items] == [before_holiday.id, due_today.id, due_tomorrow.id, later.id]
    assert levels(items) == [OVERDUE, DUE, DUE, INFO]
    assert "逾期 1 个工作日" in items[0].text and "9月30日 17:30" in items[0].text
    assert "今天 17:30 应还" in items[1].text and "明天 17:30 应还" in items[2].text
    assert "证照“营业执照（副本）”" in items[2].text and items[0].owner == "甲"

    # the same evening the loan due today is late by hours, not yet by a working day
    day = at(monkeypatch, dt.datetime(2026, 10, 8, 19, 45))
    items = seal_loans(day)
    assert levels(items)[:2] == [OVERDUE, OVERDUE] and "逾期 2 小时" in items[1].text
    # on Friday the 9th the loan due on the 12th (Monday) is not yet amber: Saturday the 10th is a working day
    day = at(monkeypatch, dt.datetime(2026, 10, 9, 8, 0))
    assert seal_loans(day)[-1].level == INFO


def test_licences_expired_soon_and_within_the_warning_period(database, monkeypatch):
    day = at(monkeypatch, dt.datetime(2026, 10, 8, 9, 0))
    mk = lambda name, until, **kw: LICENCES.create({"name": name, "copy_kind": "正本", "valid_until": until, **kw})  # noqa: E731
    expired = mk("安全生产许可证", day - dt.timedelta(days=1))
    today_ = mk("排污许可证", day)
    soon = mk("食品经营许可证", day + dt.timedelta(days=30))
    warned = mk("建筑业企业资质证书", day + dt.timedelta(days=31))
    later = mk("开户许可证", dt.date(2027, 5, 1))  # beyond the 6 months warning period
    mk("卫生许可证", None)  # 长期有效
    disabled = mk("旧营业执照", day - dt.timedelta(days=400))
    LICENCES.update(disabled, {"status": "停用"}, validate=False)
    items = licences_expiring(day)
    assert [i.record_id for i in items] == [expired.id, today_.id, soon.id, warned.id]
    assert levels(items) == [OVERDUE, DUE, DUE, INFO]
    assert "已过期 1 天" in items[0].text and "今天到期" in items[1].text and "30 天后到期" in items[2].text
    settings.set_value("seals.licence_warn_months", 12)
    assert [i.record_id for i in licences_expiring(day)][-1] == later.id


def test_seal_uses_waiting_for_stamping_come_first(items_to_lend):
    (seal, *_), _ = items_to_lend
    applicant = {"name": "陈杰", "department": "市场部"}
    base = {"seal": seal.id, "applicant": applicant, "doc_title": "采购合同", "copies": 1, "purpose": "签约",
            "applied_at": now() - dt.timedelta(hours=3)}
    waiting = apply_use(base)
    approved = apply_use({**base, "doc_title": "租赁合同"})
    approve_use(approved, {"approver": "李强", "approved_at": now() - dt.timedelta(hours=1)})
    items = seal_uses_open(clock.today())
    assert [i.record_id for i in items] == [approved.id, waiting.id]
    assert levels(items) == [DUE, INFO] and "待用印" in items[0].text and "待审批" in items[1].text


# ---------------------------------------------------------------------------------------------- people and backup


def test_birthdays_of_this_week_today_amber_left_staff_out(database):
    day = dt.date(2025, 3, 5)  # a Wednesday: the week is 3–9 March
    mk = lambda name, bd, **kw: STAFF.create({"name": name, "department": "办公室", "birthday": bd, **kw})  # noqa: E731
    monday = mk("周一", dt.date(1990, 3, 3))
    wednesday = mk("周三", dt.date(1985, 3, 5))
    sunday = mk("周日", dt.date(1992, 3, 9))
    mk("下周一", dt.date(1988, 3, 10))
    mk("上周日", dt.date(1988, 3, 2))
    mk("已离职", dt.date(1980, 3, 6), status="离职")
    mk("没生日", None)
    items = birthdays(day)
    assert [i.record_id for i in items] == [monday.id, wednesday.id, sunday.id]
    assert levels(items) == [INFO, DUE, INFO]
    assert "已过" in items[0].text and "今天生日" in items[1].text and "3月9日（周日）" in items[2].text


def test_a_29_february_birthday_falls_on_the_28th_in_other_years(database):
    leapling = STAFF.create({"name": "闰日", "birthday": dt.date(1996, 2, 29)})
    assert [i.record_id for i in birthdays(dt.date(2027, 2, 26))] == [leapling.id]  # week 22–28 Feb 2027
    assert "2月28日" in birthdays(dt.date(2027, 2, 26))[0].text
    assert birthdays(dt.date(2028, 3, 1))[0].when == dt.date(2028, 2, 29)  # a leap year: its own day


@pytest.mark.parametrize("days_ago, level", [(None, OVERDUE), (0, INFO), (3, INFO), (7, DUE), (8, OVERDUE)])
def test_days_since_the_last_usb_backup(database, days_ago, level):
    day = dt.date(2026, 10, 8)
    if days_ago is not None:
        settings.set_value("backup.last_usb", {"time": f"{day - dt.timedelta(days=days_ago)} 18:05:00",
                                               "folder": "E:/内勤台账备份"})
    [item] = usb_backup(day)
    assert item.level == level and item.action == "backup" and item.record_id is None
    if days_ago is None:
        assert "从未备份" in item.text
    elif days_ago == 0:
        assert "今天" in item.text
    else:
        assert f"{days_ago} 天前" in item.text


MINE = ["visitors_on_site", "visitor_appointments", "seal_loans", "licences_expiring", "seal_uses_open", "birthdays",
        "usb_backup"]


def test_demo_data_gives_every_section_something(database):
    from neiqin.demo import generate

    generate(60)
    assert [s.key for s in today.compute() if not s.items or s.error] == []  # every ledger's sections
    sections = today.compute(keys=MINE)
    by = {s.key: s for s in sections}
    assert by["seal_loans"].overdue and by["licences_expiring"].overdue and by["birthdays"].due
