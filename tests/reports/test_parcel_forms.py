"""取件通知单, 待领取清单 and the 寄件费用 report, checked as text in the PDF (and numbers in the xlsx)."""

from __future__ import annotations

import datetime as dt

import pdfplumber
import pytest
from openpyxl import load_workbook

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import STAFF
from neiqin.models.base import now
from neiqin.models.mail.dispatches import cost_report, record_dispatch
from neiqin.models.mail.parcels import PARCELS, pick_up, receive, waiting_groups
from neiqin.models.staff import Department
from neiqin.reports.parcel_forms import (
    export_cost_report_xlsx,
    write_cost_report_pdf,
    write_pickup_slips,
    write_waiting_list,
)


@pytest.fixture
def waiting(database, host):
    Department.set_list(["财务部", "技术部", "办公室"])
    li = STAFF.create({"name": "李四", "department": "财务部"})
    people = [STAFF.create({"name": f"员工{i}", "department": "技术部"}) for i in range(12)]
    receive({"tracking_no": "SF1000000000001", "recipient": li.id, "shelf": "A-1", "sender": "某律师事务所",
             "received_at": now() - dt.timedelta(days=6)})
    receive({"tracking_no": "SF1000000000002", "recipient": li.id, "shelf": "A-1", "pieces": 2})
    receive({"tracking_no": "YT1000000000003", "recipient": host.id, "shelf": "B-2"})
    gone = receive({"tracking_no": "JT1000000000004", "recipient": host.id})
    pick_up(gone)
    for i, p in enumerate(people):
        receive({"tracking_no": f"7531284609{i:04d}", "recipient": p.id, "shelf": "C-1"})
    return li, host


def pages_text(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def test_pickup_slips_one_per_recipient_never_split(waiting, tmp_path):
    out = tmp_path / "slips.pdf"
    assert write_pickup_slips(out, org_name="某某公司") == 14
    pages = pages_text(out)
    assert len(pages) >= 2
    for text in pages:  # every slip that starts on a page ends on it
        assert text.count("取件通知单") == text.count("领取人签字")
    whole = "\n".join(pages)
    assert "李四（财务部）：您有 2 个快递/邮件，共 3 件在前台待领取，最早一件已等 6 天，请尽快领取。" in whole
    assert "SF1000000000001" in whole and "某律师事务所" in whole and "A-1" in whole
    assert "JT1000000000004" not in whole  # already picked up
    assert whole.count("沿此线剪开") == 14 - len(pages)


def test_slips_for_chosen_recipients_and_nothing_to_print(waiting, tmp_path):
    li, _ = waiting
    out = tmp_path / "one.pdf"
    assert write_pickup_slips(out, waiting_groups(recipient_ids=[li.id])) == 1
    assert "李四" in pages_text(out)[0] and "张三" not in pages_text(out)[0]
    with pytest.raises(NeiqinError, match="没有待领取的快递"):
        write_pickup_slips(tmp_path / "none.pdf", [])


def test_waiting_list_by_department_with_overdue_marked(waiting, tmp_path):
    out = tmp_path / "list.pdf"
    assert write_waiting_list(out, org_name="某某公司") == 1
    text = pages_text(out)[0]
    assert "待领取快递清单" in text and "共 15 个（16 件），14 人" in text
    assert "SF1000000000001" in text and "6 天★" in text and "JT1000000000004" not in text
    assert text.index("财务部") < text.index("技术部") < text.index("办公室")  # in the directory's order
    assert "领取人签字" in text


def test_waiting_list_when_nothing_waits(database, tmp_path):
    out = tmp_path / "empty.pdf"
    write_waiting_list(out)
    assert "目前没有待领取的快递" in pages_text(out)[0]


def test_cost_report_pdf_and_excel(database, host, tmp_path):
    li = STAFF.create({"name": "李四", "department": "财务部"})
    today = clock.today()
    base = {"recipient_org": "某单位", "address": "某地址", "carrier": "顺丰速运"}
    record_dispatch({**base, "sender": host.id, "cost": "12.50", "send_date": today})
    record_dispatch({**base, "sender": li.id, "cost": "30", "send_date": today.replace(day=1)})
    report = cost_report(today.replace(month=1, day=1), today)
    out = tmp_path / "cost.pdf"
    assert write_cost_report_pdf(out, report, org_name="某某公司") == 1
    text = pages_text(out)[0]
    assert "寄件费用统计表" in text and "合计 42.50 元" in text and "财务部" in text and "30.00" in text
    assert f"{today.year}年{today.month}" in text
    xlsx = export_cost_report_xlsx(tmp_path / "cost.xlsx", report, org_name="某某公司")
    ws = load_workbook(xlsx)["费用(元)"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["财务部"][-1] == 30 and rows["办公室"][-1] == 12.5 and rows["合计"][-1] == 42.5
    counts = {r[0]: r for r in load_workbook(xlsx)["件数"].iter_rows(min_row=3, values_only=True)}
    assert counts["合计"][-1] == 2


def test_register_of_waiting_parcels_prints(waiting, tmp_path):
    from neiqin.models.ledger import LedgerQuery
    from neiqin.reports.register import write_register_pdf

    out = tmp_path / "reg.pdf"
    write_register_pdf(PARCELS, LedgerQuery(status="waiting"), out, org_name="某某公司")
    text = "\n".join(pages_text(out))
    assert "快递收件登记簿" in text and "SF1000000000002" in text and "JT1000000000004" not in text
