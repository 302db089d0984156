"""工作日历: shipped holiday tables, 调休, deadlines in 自然日 / 工作日, the clerk's own years."""

from __future__ import annotations

import datetime as dt

import pytest

from neiqin.errors import ValidationError
from neiqin.models import workdays as wd
from neiqin.models.base import AuditLog

D = dt.date


# ---------------------------------------------------------------------------------------------- shipped table


@pytest.mark.parametrize("day, working", [
    # 2026 (国办发明电〔2025〕7号): the weekend working days DOMAIN.md lists
    (D(2026, 1, 4), True), (D(2026, 2, 14), True), (D(2026, 2, 28), True), (D(2026, 5, 9), True),
    (D(2026, 9, 20), True), (D(2026, 10, 10), True),
    # 2026 holidays, including weekdays inside them
    (D(2026, 1, 1), False), (D(2026, 1, 2), False), (D(2026, 2, 16), False), (D(2026, 2, 23), False),
    (D(2026, 4, 6), False), (D(2026, 5, 5), False), (D(2026, 6, 19), False), (D(2026, 9, 25), False),
    (D(2026, 10, 1), False), (D(2026, 10, 7), False),
    # ordinary days
    (D(2026, 2, 24), True), (D(2026, 3, 7), False), (D(2026, 10, 8), True),
    # 2025 (国办发明电〔2024〕12号): 春节 from 除夕, 国庆+中秋 8 days
    (D(2025, 1, 26), True), (D(2025, 1, 28), False), (D(2025, 2, 4), False), (D(2025, 2, 8), True),
    (D(2025, 4, 27), True), (D(2025, 5, 5), False), (D(2025, 6, 2), False),
    (D(2025, 9, 28), True), (D(2025, 10, 8), False), (D(2025, 10, 11), True), (D(2025, 10, 9), True),
    # 2024 and 2023
    (D(2024, 2, 4), True), (D(2024, 2, 16), False), (D(2024, 2, 18), True), (D(2024, 10, 12), True),
    (D(2023, 1, 28), True), (D(2023, 10, 8), True), (D(2023, 10, 6), False),
])
def test_shipped_days(day, working):
    assert wd.is_working_day(day) is working


def test_every_shipped_workday_is_a_weekend_and_never_also_a_holiday():
    for table in wd.shipped().values():
        assert table.workdays, table.year
        for d in table.workdays:
            assert d.weekday() >= 5, d
            assert d not in table.holidays
        # the 2024 rule: 13 statutory days each year from 2025 on, all present in the table
        assert sum(1 for d in table.holidays if d.year == table.year) >= 11


def test_known_years_without_database():
    assert {2023, 2024, 2025, 2026} <= set(wd.known_years())
    assert wd.holiday_name(D(2026, 2, 17)) == "春节"
    assert wd.describe_day(D(2026, 2, 14)) == "调休上班"
    assert wd.describe_day(D(2026, 2, 17)) == "春节（放假）"
    assert wd.describe_day(D(2026, 3, 7)) == "周末"
    assert wd.describe_day(D(2026, 3, 9)) == "工作日"


# ---------------------------------------------------------------------------------------------- arithmetic


def test_add_working_days_across_spring_festival_2026():
    # Fri 13 Feb; Sat 14 Feb is a 调休 working day; 15–23 Feb off; 24 Feb back
    assert wd.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert wd.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert wd.add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)
    # the Saturday after (28 Feb) is another 调休 working day
    assert wd.add_working_days(D(2026, 2, 13), 6) == D(2026, 2, 28)
    assert wd.add_working_days(D(2026, 2, 13), 7) == D(2026, 3, 2)
    # started inside the holiday: the first working day after it counts as one
    assert wd.add_working_days(D(2026, 2, 18), 1) == D(2026, 2, 24)


def test_add_working_days_across_national_day_2025():
    # Fri 26 Sep 2025; Sun 28 Sep works; 1–8 Oct off; Thu 9 Oct, Fri 10, Sat 11 (调休) work
    assert wd.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert wd.add_working_days(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert wd.add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert wd.add_working_days(D(2025, 9, 26), 6) == D(2025, 10, 11)
    assert wd.add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)


def test_add_working_days_backwards_and_zero():
    assert wd.add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert wd.add_working_days(D(2026, 2, 24), 0) == D(2026, 2, 24)
    assert wd.add_working_days(dt.datetime(2026, 3, 2, 9, 30), 1) == D(2026, 3, 3)


def test_working_days_between_is_signed_and_inverse_of_add():
    assert wd.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert wd.working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert wd.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    for start in (D(2025, 9, 20), D(2026, 2, 10), D(2026, 9, 18)):
        for n in range(0, 15):
            assert wd.working_days_between(start, wd.add_working_days(start, n)) == n


def test_deadline_rules():
    # 自然日: 10 days after 10 Feb 2026 is 20 Feb, inside 春节: moved to the next working day
    assert wd.deadline(D(2026, 2, 10), 10, wd.NATURAL) == D(2026, 2, 24)
    assert wd.deadline(D(2026, 2, 10), 10, wd.NATURAL, roll=False) == D(2026, 2, 20)
    # ending on an ordinary Saturday also rolls to Monday; ending on a 调休 Saturday does not
    assert wd.deadline(D(2026, 3, 2), 5, wd.NATURAL) == D(2026, 3, 9)
    assert wd.deadline(D(2026, 2, 9), 5, wd.NATURAL) == D(2026, 2, 14)
    # 工作日 across 国庆 2026 (9/20 and 10/10 are 调休 working days)
    assert wd.deadline(D(2026, 9, 24), 3, wd.WORKING) == D(2026, 9, 30)
    assert wd.deadline(D(2026, 9, 24), 4, wd.WORKING) == D(2026, 10, 8)
    assert wd.deadline(D(2026, 9, 24), 6, wd.WORKING) == D(2026, 10, 10)
    with pytest.raises(ValidationError) as e:
        wd.deadline(D(2026, 1, 5), 3, "月")
    assert "deadline_rule" in e.value.errors
    with pytest.raises(ValidationError):
        wd.add_working_days(D(2026, 1, 5), 100_000)


def test_unknown_year_counts_weekdays_only():
    assert wd.is_working_day(D(2031, 1, 1))  # a Wednesday: nobody entered 2031's 元旦 yet
    assert not wd.is_working_day(D(2031, 1, 4))
    assert wd.missing_years(D(2031, 3, 1)) == [2031]
    assert wd.missing_years(D(2026, 3, 1)) == []
    assert wd.missing_years(D(2026, 11, 10)) == ([] if 2027 in wd.known_years() else [2027])


# ---------------------------------------------------------------------------------------------- the clerk's years


def test_clerk_enters_a_new_year(database):
    assert 2027 not in wd.known_years()
    wd.set_year(2027, {D(2027, 1, 1): "元旦", D(2027, 2, 5): "春节", "2027-02-08": "春节"},
                ["2027-01-30"], note="国办发明电〔2026〕×号")
    assert 2027 in wd.known_years()
    assert not wd.is_working_day(D(2027, 1, 1))
    assert wd.is_working_day(D(2027, 1, 30))  # a Saturday entered as 调休上班
    assert wd.year_table(2027).source == "用户"
    assert wd.missing_years(D(2026, 11, 20)) == []
    log = AuditLog.select().where(AuditLog.ledger == "settings").order_by(AuditLog.id.desc()).first()
    assert "工作日历" in log.summary
    # the setting lives in the database: reopening sees it (cache keyed by the stored text)
    wd.reset_year(2027)
    assert 2027 not in wd.known_years()
    assert wd.is_working_day(D(2027, 1, 1))  # a Friday: without a table only weekends are off


def test_clerk_corrects_a_shipped_year_and_resets_it(database):
    assert wd.is_working_day(D(2026, 10, 9))
    table = wd.year_table(2026)
    hol = dict(table.holidays)
    hol[D(2026, 10, 9)] = "公司补休"
    wd.set_year(2026, hol, sorted(table.workdays))
    assert not wd.is_working_day(D(2026, 10, 9))
    wd.reset_year(2026)
    assert wd.is_working_day(D(2026, 10, 9))
    assert wd.year_table(2026).source == "内置"


@pytest.mark.parametrize("holidays, work, field, text", [
    ({"2027-01-01": "元旦"}, ["2027-01-04"], "workdays", "周六或周日"),
    ({"2027-01-01": "元旦"}, ["2026-01-03"], "workdays", "不在 2027 年"),
    ({"2025-06-01": "元旦"}, [], "holidays", "不在 2027 年"),
    ({"2027-01-30": "春节"}, ["2027-01-30"], "workdays", "既放假又上班"),
    ([("2027-13-01", "元旦")], [], "holidays", "不是有效日期"),
    ({}, ["明天"], "workdays", "不是有效日期"),
])
def test_bad_year_entries_are_refused_at_the_field(database, holidays, work, field, text):
    with pytest.raises(ValidationError) as e:
        wd.set_year(2027, holidays, work)
    assert text in e.value.errors[field]
    assert 2027 not in wd.known_years()


def test_bad_year_number(database):
    with pytest.raises(ValidationError) as e:
        wd.set_year("二〇二七", {}, [])
    assert e.value.errors["year"]
