"""Monthly counts from any ledger's date field, seal uses per month, supplies per department (no Qt)."""

from __future__ import annotations

import datetime as dt

from neiqin import clock
from neiqin.models import stats
from neiqin.models.seals.registry import SEALS
from neiqin.models.seals.uses import apply_use, approve_use, stamp_use
from neiqin.models.visitors import VISITORS, Visit, check_in, make_appointment


def test_month_keys_and_last_months():
    assert stats.month_keys(dt.date(2025, 11, 20), dt.date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01",
                                                                         "2026-02"]
    assert stats.month_keys(dt.date(2026, 2, 1), dt.date(2025, 12, 5)) == ["2025-12", "2026-01", "2026-02"]
    assert stats.last_months(12, dt.date(2026, 3, 15)) == (dt.date(2025, 4, 1), dt.date(2026, 3, 15))
    assert stats.last_months(1, dt.date(2026, 3, 15)) == (dt.date(2026, 3, 1), dt.date(2026, 3, 15))


def test_monthly_counts_by_the_ledger_date_field_without_voided(database, host):
    def visit(day, name):
        return Visit.create(name=name, visit_date=day, status="已离开", host_name="张三")

    visit(dt.date(2026, 1, 1), "甲")
    visit(dt.date(2026, 1, 31), "乙")
    visit(dt.date(2026, 3, 15), "丙")
    gone = visit(dt.date(2026, 3, 16), "丁")
    VISITORS.void(gone, "重复登记")
    visit(dt.date(2026, 4, 1), "戊")  # after the range
    visit(dt.date(2025, 12, 31), "己")  # before it
    assert stats.monthly_counts("visitors", dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == [2, 0, 1]
    assert stats.monthly_counts(VISITORS, dt.date(2026, 1, 15), dt.date(2026, 1, 31)) == [1]


def test_visitors_chart_counts_visits_not_appointments(database, host):
    check_in({"name": "来了", "host": host.id})
    make_appointment({"name": "没来", "host": host.id,
                      "expected_at": dt.datetime.combine(clock.today(), dt.time(23, 59))})
    start, end = stats.last_months(3)
    data = stats.visitors_per_month(start, end)
    assert data.categories == stats.month_keys(start, end) and data.series == {"来访": [0, 0, 1]}
    assert data.total == 1 and data.rows()[-1] == [data.categories[-1], 1]


def test_datetime_date_fields_count_by_month_too(database):
    """A ledger dated by a datetime (loans use a date, but the machinery must not care)."""
    from neiqin.models.seals.loans import SEAL_LOANS

    assert SEAL_LOANS.date_field
    assert stats.monthly_counts(SEAL_LOANS, dt.date(2026, 1, 1), dt.date(2026, 2, 28)) == [0, 0]


def test_seal_uses_per_month_counts_stamped_uses(database, host):
    seal = SEALS.create({"name": "公司公章", "kind": "公章", "custodian": "张三"})
    now = clock.now()
    for copies in (2, 3):
        use = apply_use({"seal": seal.id, "applicant": {"name": "陈杰", "department": "市场部"}, "doc_title": "合同",
                         "copies": copies, "purpose": "签约", "applied_at": now - dt.timedelta(hours=3)})
        approve_use(use, {"approver": "李强", "approved_at": now - dt.timedelta(hours=2)})
        stamp_use(use, {"supervisor": "赵敏", "content_checked": True, "stamped_at": now - dt.timedelta(hours=1)})
    apply_use({"seal": seal.id, "applicant": {"name": "陈杰", "department": "市场部"}, "doc_title": "未批",
               "copies": 1, "purpose": "签约", "applied_at": now - dt.timedelta(hours=3)})
    start, end = stats.last_months(2)
    data = stats.seal_uses_per_month(start, end)
    assert data.series["用印件数"][-1] == 2 and data.series["用印次数"][-1] == 5


def test_supplies_cost_accepts_rows_or_a_mapping(monkeypatch):
    from neiqin.models.supplies import reports as supplies

    monkeypatch.setattr(supplies, "cost_by_department", lambda s, e: [("办公室", 120.5), ("财务部", 300), ("", 8)],
                        raising=False)
    data = stats.supplies_cost(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert data.categories == ["财务部", "办公室", "（未填部门）"] and data.series["金额（元）"] == [300.0, 120.5, 8.0]
    assert data.horizontal and data.unit == "元"
    monkeypatch.setattr(supplies, "cost_by_department", lambda s, e: {"技术部": 10}, raising=False)
    assert stats.supplies_cost(dt.date(2026, 1, 1), dt.date(2026, 1, 31)).categories == ["技术部"]


def test_available_charts_follow_the_ledgers_that_exist(database):
    keys = [c.key for c in stats.available_charts()]
    assert keys == ["visitors", "parcels", "documents", "supplies", "seal_uses"]
