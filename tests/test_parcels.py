"""快递 in and out without a screen: carrier recognition, the scan rules, pickup, return, costs, 今日, demo."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest

from neiqin import clock
from neiqin.demo.parcels import bulk_parcels, seed_demo
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import STAFF, settings
from neiqin.models.base import AuditLog, now
from neiqin.models.ledger import LedgerQuery
from neiqin.models.links import (
    dispatch_for_outgoing,
    dispatches_for_outgoing,
    link_text,
    register_as_incoming,
)
from neiqin.models.mail.addresses import ADDRESSES, Organisation
from neiqin.models.mail.dispatches import (
    DISPATCHES,
    Dispatch,
    address_values,
    cost_report,
    record_dispatch,
    save_to_address_book,
)
from neiqin.models.mail.parcel_rules import (
    DEFAULT_RULES,
    OTHER,
    PICKED,
    RETURNED,
    WAITING,
    CarrierRule,
    carrier_names,
    carrier_rules,
    check_rules,
    normalize_tracking,
    parse_cost,
    recognise,
    save_carrier_rules,
)
from neiqin.models.mail.parcels import (
    PARCELS,
    DuplicateParcel,
    Parcel,
    is_overdue,
    pick_up,
    receive,
    return_parcel,
    revert_pickup,
    suggest_shelf,
    waiting_count,
    waiting_for,
    waiting_groups,
)
from neiqin.models.today import OVERDUE, compute


@pytest.fixture
def office(database, host):
    li = STAFF.create({"name": "李四", "department": "财务部"})
    wang = STAFF.create({"name": "王五", "department": "技术部"})
    return host, li, wang


# ---------------------------------------------------------------------------------------------- carriers


@pytest.mark.parametrize("rule", DEFAULT_RULES, ids=lambda r: r["carrier"] + ":" + r["pattern"])
def test_every_shipped_rule_recognises_its_own_example(database, rule):
    assert recognise(rule["example"]) == rule["carrier"]


@pytest.mark.parametrize("number,carrier", [
    ("sf1428637290511", "顺丰速运"),  # lower case from a scanner set to lower case
    ("ＳＦ１４２８６３７２９０５１１", "顺丰速运"),  # full width: the scanner typed into a Chinese input method
    (" JDX012345678901 ", "京东物流"),
    ("EA123456785CN", "EMS"),
    ("RB123456785CN", "邮政挂号"),
    ("75312846093127", "中通快递"),  # 14 digits
    ("773028516470239", "申通快递"),  # 15 digits starting 77 is 申通, not 中通
    ("4312087654321", "韵达快递"),
    ("ABC123456789", OTHER),
    ("123", OTHER),
])
def test_recognise_normalises_and_falls_back_to_other(database, number, carrier):
    assert recognise(number) == carrier


def test_rule_table_is_editable_ordered_and_checked(database):
    rules = [r.as_dict() for r in carrier_rules()]
    # a local courier the office uses, put first: it wins over the 韵达 pattern for its numbers
    rules.insert(0, {"kind": "regex", "pattern": r"43\d{11}", "carrier": "同城急送", "example": "4312087654321"})
    save_carrier_rules(rules)
    assert recognise("4312087654321") == "同城急送"
    assert carrier_names()[0] == "同城急送" and carrier_names()[-1] == OTHER
    assert AuditLog.select().where(AuditLog.summary.contains("快递公司识别规则")).exists()

    with pytest.raises(ValidationError) as e:
        check_rules([{"kind": "regex", "pattern": "SF(\\d+", "carrier": "顺丰"},
                     {"kind": "prefix", "pattern": "YT", "carrier": ""},
                     {"kind": "prefix", "pattern": "JD", "carrier": "京东", "example": "SF123456"},
                     {"kind": "prefix", "pattern": "顺丰", "carrier": "顺丰"}])
    errors = e.value.errors
    assert "正则表达式有误" in errors["pattern:0"] and errors["pattern:0"].startswith("第 1 条")
    assert errors["carrier:1"] == "第 2 条：请填写快递公司"
    assert "示例单号 SF123456 与本条规则不符" in errors["example:2"]
    assert "只能是字母、数字" in errors["pattern:3"]
    assert recognise("4312087654321") == "同城急送"  # nothing saved by the failed check


def test_a_broken_saved_rule_does_not_stop_recognition(database):
    settings.set_value("parcels.carrier_rules", [{"kind": "regex", "pattern": "(", "carrier": "坏规则"},
                                                 {"kind": "prefix", "pattern": "SF", "carrier": "顺丰速运"}])
    assert carrier_rules() == [CarrierRule("prefix", "SF", "顺丰速运")]
    assert recognise("SF1234567890123") == "顺丰速运"


def test_normalize_tracking():
    assert normalize_tracking("  sf 1234-56\t") == "SF1234-56"
    assert normalize_tracking("ｙｔ１２３") == "YT123"
    assert normalize_tracking(None) == ""


# ---------------------------------------------------------------------------------------------- receiving


def test_receive_recognises_fills_department_and_indexes(office):
    zhang, li, _ = office
    p = receive({"tracking_no": "sf1428637290511", "recipient": {"id": li.id, "name": "李四"}, "pieces": 2,
                 "shelf": "a-3", "sender": "某某律师事务所"})
    assert (p.tracking_no, p.carrier, p.department, p.status, p.shelf) == \
        ("SF1428637290511", "顺丰速运", "财务部", WAITING, "A-3")
    assert p.receive_date == clock.today() and p.recipient_id == li.id
    for term in ("0511", "李四", "李", "ls", "律师事务所", "A-3"):
        assert [r["id"] for r in PARCELS.fetch_page(LedgerQuery(search=term))] == [p.id], term
    log = AuditLog.for_record("parcels", p.id)
    assert log[0].action == "receive" and "SF1428637290511" in log[0].summary


def test_unknown_number_is_accepted_as_other_and_editable(office):
    p = receive({"tracking_no": "ZX000123456", "recipient": "张三"})
    assert p.carrier == OTHER and p.recipient_id == office[0].id  # a typed name of one person links to them
    PARCELS.update(p, {"carrier": "闪送"})
    assert Parcel.get_by_id(p.id).carrier == "闪送"


@pytest.mark.parametrize("data,field,message", [
    ({"tracking_no": "SF12３4中文"}, "tracking_no", "输入法切换为英文"),
    ({"tracking_no": "SF1"}, "tracking_no", "运单号太短"),
    ({"tracking_no": "SF" + "1" * 60}, "tracking_no", "连续扫了两次"),
    ({"tracking_no": "SF1234567890", "recipient": ""}, "recipient", "请填写收件人"),
    ({"tracking_no": "SF1234567890", "pieces": 0}, "pieces", "件数应在 1 到 999 之间"),
    ({"tracking_no": "SF1234567890", "pieces": "两件"}, "pieces", "件数必须是整数"),
    ({"tracking_no": "SF1234567890", "received_at": now() + dt.timedelta(hours=2)}, "received_at", "不能晚于现在"),
    ({"tracking_no": "SF1234567890", "shelf": "X" * 21}, "shelf", "货架位不能超过 20 字"),
])
def test_bad_input_is_refused_at_its_field_and_nothing_saved(office, data, field, message):
    data = {"recipient": "张三", **data}
    with pytest.raises(ValidationError) as e:
        receive(data)
    assert message in e.value.errors[field]
    assert Parcel.select().count() == 0


def test_same_number_twice_warns_and_needs_confirmation(office):
    zhang, li, _ = office
    first = receive({"tracking_no": "SF1428637290511", "recipient": zhang.id, "shelf": "A-1"})
    with pytest.raises(DuplicateParcel) as e:
        receive({"tracking_no": "sf 1428637290511", "recipient": li.id})
    assert e.value.earlier == [first]
    assert "已于" in str(e.value) and "张三" in str(e.value) and "货架 A-1" in str(e.value)
    assert Parcel.select().count() == 1
    # bad input is reported at its field before the duplicate question
    with pytest.raises(ValidationError):
        receive({"tracking_no": "SF1428637290511", "recipient": ""})
    second = receive({"tracking_no": "SF1428637290511", "recipient": zhang.id}, confirmed={"duplicate": ""})
    assert Parcel.select().count() == 2
    assert "第 2 次登记，前台确认" in AuditLog.for_record("parcels", second.id)[0].summary
    # a voided scan no longer counts as an earlier one
    PARCELS.void(second, "重复扫描")
    PARCELS.void(first, "扫错")
    receive({"tracking_no": "SF1428637290511", "recipient": zhang.id})


def test_shelf_suggestion_keeps_a_persons_parcels_together(office):
    zhang, li, _ = office
    assert suggest_shelf(zhang.id) == ""
    receive({"tracking_no": "SF1000000000001", "recipient": zhang.id, "shelf": "B-2"})
    receive({"tracking_no": "SF1000000000002", "recipient": li.id, "shelf": "C-1"})
    assert suggest_shelf(zhang.id) == "B-2" and suggest_shelf(li.id) == "C-1"
    assert suggest_shelf(None, "李四") == "C-1"


# ---------------------------------------------------------------------------------------------- pickup, return


def test_pickup_by_self_and_on_behalf(office):
    zhang, li, wang = office
    a = receive({"tracking_no": "SF1000000000001", "recipient": zhang.id})
    b = receive({"tracking_no": "SF1000000000002", "recipient": zhang.id})
    c = receive({"tracking_no": "YT1000000000003", "recipient": li.id})
    assert [p.id for p in waiting_for(zhang.id)] == [a.id, b.id]
    (a2,) = pick_up(a)
    assert (a2.status, a2.picked_by) == (PICKED, "张三") and a2.picked_at is not None
    (c2,) = pick_up([c], {"id": wang.id, "name": "王五"}, note="放在财务部桌上")
    assert c2.picked_by == "王五" and "王五 代 李四 领取" in c2.note and "放在财务部桌上" in c2.note
    row = PARCELS.fetch_page(LedgerQuery(search="YT1000000000003"))[0]
    assert PARCELS.column("picked_by").display(row) == "王五（代领）"
    assert "代领" in AuditLog.for_record("parcels", c.id)[-1].summary
    with pytest.raises(NeiqinError, match="不是待领取"):
        pick_up(a2)
    with pytest.raises(ValidationError) as e:
        pick_up(b, at=b.received_at - dt.timedelta(hours=1))
    assert "不能早于收件时间" in e.value.errors["picked_at"]
    assert Parcel.get_by_id(b.id).status == WAITING


def test_pick_up_all_of_a_persons_parcels_is_one_transaction(office):
    zhang, li, _ = office
    mine = [receive({"tracking_no": f"SF10000000000{i:02d}", "recipient": zhang.id}) for i in range(3)]
    PARCELS.void(mine[1], "重复")
    live = waiting_for(zhang.id)
    assert [p.id for p in live] == [mine[0].id, mine[2].id]
    pick_up(live, "张三")
    assert waiting_for(zhang.id) == []
    other = receive({"tracking_no": "SF1000000000099", "recipient": li.id})
    with pytest.raises(NeiqinError, match="已作废"):
        pick_up([other, Parcel.get_by_id(mine[1].id)])
    assert Parcel.get_by_id(other.id).status == WAITING  # all or nothing


def test_return_needs_a_reason_and_revert_puts_it_back(office):
    zhang, *_ = office
    p = receive({"tracking_no": "SF1000000000001", "recipient": zhang.id})
    with pytest.raises(ValidationError) as e:
        return_parcel(p, "  ")
    assert e.value.errors == {"reason": "请填写退回原因"}
    p = return_parcel(p, "收件人拒收")
    assert (p.status, p.return_reason) == (RETURNED, "收件人拒收") and p.returned_at
    with pytest.raises(NeiqinError):
        pick_up(p)
    p = revert_pickup(p, "误操作")
    assert (p.status, p.returned_at, p.return_reason) == (WAITING, None, "")
    assert [a.action for a in AuditLog.for_record("parcels", p.id)] == ["receive", "return", "revert"]


def test_overdue_parcels_stand_out_by_the_setting(office):
    zhang, li, _ = office
    old = receive({"tracking_no": "SF1000000000001", "recipient": zhang.id,
                   "received_at": now() - dt.timedelta(days=4)})
    new = receive({"tracking_no": "SF1000000000002", "recipient": li.id,
                   "received_at": now() - dt.timedelta(days=1)})
    overdue = [r["id"] for r in PARCELS.fetch_page(LedgerQuery(status="overdue"))]
    assert overdue == [old.id] and is_overdue(old) and not is_overdue(new)
    assert waiting_count() == (2, 1)
    settings.set_value("parcels.overdue_days", 5)
    assert PARCELS.fetch_page(LedgerQuery(status="overdue")) == [] and not is_overdue(old)
    settings.set_value("parcels.overdue_days", 1)
    assert {r["id"] for r in PARCELS.fetch_page(LedgerQuery(status="overdue"))} == {old.id}
    row = PARCELS.fetch_page(LedgerQuery(search="SF1000000000001"))[0]
    assert PARCELS.column("waited").display(row) == "4 天"


def test_waiting_groups_and_today_section(office):
    zhang, li, _ = office
    receive({"tracking_no": "SF1000000000001", "recipient": li.id, "shelf": "A-1",
             "received_at": now() - dt.timedelta(days=5)})
    receive({"tracking_no": "SF1000000000002", "recipient": zhang.id, "shelf": "B-1"})
    receive({"tracking_no": "SF1000000000003", "recipient": li.id, "shelf": "A-2", "pieces": 2})
    groups = waiting_groups()
    assert [g.recipient for g in groups] == ["李四", "张三"]
    assert (len(groups[0].parcels), groups[0].pieces, groups[0].shelves) == (2, 3, "A-1、A-2")
    sec = next(s for s in compute() if s.key == "parcels")
    assert sec.ledger == "parcels" and len(sec.items) == 2
    first = sec.items[0]
    assert first.level == OVERDUE and first.owner == "李四" and "2 件待领取" in first.text and "已等 5 天" in first.text
    assert sec.items[1].text.startswith("张三（办公室） 1 件待领取") and "今天到" in sec.items[1].text


def test_import_rows_become_history(office, tmp_path):
    from neiqin.reports.excel import apply_import, export_xlsx, read_import

    zhang, li, _ = office
    a = receive({"tracking_no": "SF1000000000001", "recipient": zhang.id})
    pick_up(a, "李四")
    receive({"tracking_no": "SF1000000000002", "recipient": li.id})
    path = tmp_path / "p.xlsx"
    export_xlsx(PARCELS, LedgerQuery(), path, org_name="某单位")
    for p in Parcel.select():
        PARCELS.void(p, "导入测试")
    preview = read_import(PARCELS, path)
    assert not preview.errors, preview.errors
    apply_import(PARCELS, preview)
    rows = {p.tracking_no: p for p in Parcel.select().where(Parcel.voided == False)}  # noqa: E712
    assert rows["SF1000000000001"].status == PICKED and rows["SF1000000000001"].picked_by == "李四"
    assert rows["SF1000000000002"].status == WAITING


# ---------------------------------------------------------------------------------------------- 收文 link


# ---------------------------------------------------------------------------------------------- dispatches


@pytest.fixture
def book(database):
    return ADDRESSES.create({"name": "北京市住房和城乡建设委员会", "address": "北京市通州区达济街9号院",
                             "postcode": "101160", "contact": "刘科长", "phone": "010-55597000"})


def test_dispatch_from_the_address_book(office, book):
    zhang, *_ = office
    d = record_dispatch({**address_values("北京市住房和城乡建设委员会"), "tracking_no": "SF2000000000001",
                         "sender": {"id": zhang.id, "name": "张三"}, "cost": "23.5", "contents": "投标文件"})
    assert (d.carrier, d.department, d.recipient, d.postcode, d.cost_fen, d.org_id) == \
        ("顺丰速运", "办公室", "刘科长", "101160", 2350, book.id)
    assert d.cost_text == "23.50"
    row = DISPATCHES.fetch_page(LedgerQuery())[0]
    assert DISPATCHES.column("cost").display(row) == "23.50"
    DISPATCHES.update(d, {"note": "加急"})  # an edit that leaves the cost alone keeps it
    assert Dispatch.get_by_id(d.id).cost_fen == 2350


@pytest.mark.parametrize("data,field,message", [
    ({"sender": ""}, "sender", "请填写寄件人"),
    ({"recipient_org": "", "recipient": ""}, "recipient_org", "请填写收件单位或收件人"),
    ({"address": ""}, "address", "请填写地址"),
    ({"postcode": "10116"}, "postcode", "6 位数字"),
    ({"phone": "12345"[:2] + "abc"}, "phone", "格式不正确"),
    ({"cost": "十二元"}, "cost", "费用应为金额"),
    ({"cost": "-3"}, "cost", "不能为负数"),
    ({"cost": "1.234"}, "cost", "最多两位小数"),
    ({"pay_mode": "记账"}, "pay_mode", "付款方式应为"),
    ({"send_date": clock.today() + dt.timedelta(days=1)}, "send_date", "不能晚于今天"),
    ({"department": "", "sender": "外单位的人"}, "department", "请填写寄件部门"),
])
def test_bad_dispatch_input_at_its_field(office, data, field, message):
    base = {"tracking_no": "SF2000000000001", "sender": "张三", "recipient_org": "某单位", "address": "某地址",
            "cost": "12"}
    with pytest.raises(ValidationError) as e:
        record_dispatch({**base, **data})
    assert message in e.value.errors[field]
    assert Dispatch.select().count() == 0


def test_dispatch_tracking_number_cannot_repeat(office):
    base = {"sender": "张三", "recipient_org": "某单位", "address": "某地址"}
    record_dispatch({**base, "tracking_no": "SF2000000000001"})
    with pytest.raises(ValidationError) as e:
        record_dispatch({**base, "tracking_no": "sf2000000000001"})
    assert "已在" in e.value.errors["tracking_no"]


def test_new_organisation_can_be_kept_in_the_address_book(office):
    d = record_dispatch({"sender": "张三", "carrier": "EMS", "recipient_org": "新客户有限公司", "recipient": "钱经理",
                         "address": "上海市浦东新区世纪大道100号", "postcode": "200120", "phone": "13912345678"})
    assert d.org_id is None
    org = save_to_address_book(d)
    assert (org.name, org.contact, org.postcode) == ("新客户有限公司", "钱经理", "200120")
    assert Dispatch.get_by_id(d.id).org_id == org.id


def test_dispatch_links_to_the_outgoing_document(office, book):
    class Outgoing:
        id = 12
        no = "公司函〔2026〕7号"

    values = dispatch_for_outgoing(Outgoing(), book, sender="张三", tracking_no="EA123456785CN")
    d = record_dispatch(values)
    assert (d.outgoing_id, d.outgoing_no, d.carrier) == (12, "公司函〔2026〕7号", "EMS")
    assert dispatches_for_outgoing(12) == [d]
    assert [r["id"] for r in DISPATCHES.fetch_page(LedgerQuery(search="公司函"))] == [d.id]


def test_cost_report_per_department_and_month(office):
    zhang, li, _ = office
    base = {"recipient_org": "某单位", "address": "某地址", "carrier": "顺丰速运"}
    today = clock.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    record_dispatch({**base, "sender": zhang.id, "cost": 12, "send_date": today})
    record_dispatch({**base, "sender": zhang.id, "cost": "8.50", "send_date": last_month})
    record_dispatch({**base, "sender": li.id, "cost": "30", "send_date": today})
    gone = record_dispatch({**base, "sender": li.id, "cost": "99", "send_date": today})
    DISPATCHES.void(gone, "未寄出")
    r = cost_report(last_month.replace(day=1), today)
    this, prev = f"{today:%Y-%m}", f"{last_month:%Y-%m}"
    assert r.months == [prev, this]
    assert r.departments == ["财务部", "办公室"]  # by cost, highest first
    assert r.cells[("办公室", this)] == (1, 1200) and r.cells[("办公室", prev)] == (1, 850)
    assert r.fen("财务部") == 3000 and r.fen() == 5050 and r.count() == 3 and r.count(month=this) == 2
    with pytest.raises(ValidationError):
        cost_report(today, last_month)


def test_parse_cost():
    errors: dict = {}
    assert parse_cost("¥1,234.50", "c", errors) == 123450 and parse_cost(12, "c", errors) == 1200
    assert parse_cost("", "c", errors) == 0 and errors == {}


# ---------------------------------------------------------------------------------------------- demo, bulk, CLI


def test_seed_demo_has_every_state(database):
    from neiqin.demo import seed_directory

    rng = random.Random(3)
    staff = seed_directory(rng, 20)
    counts = seed_demo(rng, staff, 100)
    assert counts["addresses"] >= 30 and counts["parcels"] > 100 and counts["dispatches"] >= 24
    states = {s for (s,) in Parcel.select(Parcel.status).where(Parcel.voided == False).tuples()}  # noqa: E712
    assert states == {WAITING, PICKED, RETURNED}
    assert Parcel.select().where(Parcel.voided == True).exists()  # noqa: E712
    assert PARCELS.fetch_page(LedgerQuery(status="overdue")) and PARCELS.fetch_page(LedgerQuery(status="today"))
    months = {d.send_date.strftime("%Y-%m") for d in Dispatch.select()}
    assert len(months) >= 10
    assert all(o.postcode and o.address for o in Organisation.select())
    assert seed_demo(rng, staff, 100) == {}  # once only


def test_bulk_parcels_are_searchable(database, host):
    bulk_parcels(300, seed=1, days=30)
    assert Parcel.select().count() == 300
    newest = Parcel.select().order_by(Parcel.id.desc()).first()
    hits = PARCELS.fetch_page(LedgerQuery(search=newest.tracking_no))
    assert newest.id in [r["id"] for r in hits]
    assert PARCELS.count(LedgerQuery(status="picked")) == 300


def test_cli_prints_and_exports_parcels(tmp_path):
    data = tmp_path / "d"
    run = [sys.executable, "-m", "neiqin", "--data-dir", str(data)]
    subprocess.run([*run, "demo", "--rows", "40"], check=True, capture_output=True)
    for ledger in ("parcels", "dispatches", "addresses"):
        out = subprocess.run([*run, "print", ledger, str(tmp_path / f"{ledger}.pdf")], capture_output=True,
                             text=True)
        assert out.returncode == 0, out.stderr
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{ledger}.pdf"), "-"], capture_output=True,
                              text=True).stdout
        assert {"parcels": "快递收件登记簿", "dispatches": "快递寄件登记簿", "addresses": "通讯地址簿"}[ledger] in text
    out = subprocess.run([*run, "export", "parcels", str(tmp_path / "w.xlsx"), "--status", "waiting"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "已导出" in out.stdout


def test_links_with_the_real_documents_ledger(office):
    from neiqin.models import links as links_mod
    from neiqin.models.mail import docs_common, outgoing

    zhang, *_ = office
    p = receive({"tracking_no": "EA123456785CN", "recipient": zhang.id, "sender": "北京市住房和城乡建设委员会"})
    doc = register_as_incoming(p, {"title": "关于开展安全生产大检查的通知", "sender_no": "京建发[2026]12号"})
    p = Parcel.get_by_id(p.id)
    assert doc.parcel_id == p.id and p.incoming_no == doc.no and link_text(p) == f"已登记收文 {doc.no}"
    assert doc.sender_org == "北京市住房和城乡建设委员会"
    with pytest.raises(NeiqinError, match="已登记为收文"):
        register_as_incoming(p)

    out = outgoing.register_outgoing({"code": docs_common.outgoing_codes()[0], "title": "关于报送年度总结的函",
                                       "kind": "函", "main_to": "北京市住房和城乡建设委员会", "drafter": "张三", "signer": "李四",
                                       "draft_dept": "办公室"})
    base = {"sender": "张三", "recipient_org": "北京市住房和城乡建设委员会", "address": "通州区达济街9号院",
            "carrier": "EMS"}
    with pytest.raises(ValidationError) as e:
        record_dispatch({**base, "outgoing_no": "公司函〔2026〕999号"})
    assert "找不到发文字号" in e.value.errors["outgoing_no"]
    d = record_dispatch({**base, "outgoing_no": out.doc_no, "tracking_no": "EA123456785CN"})
    assert d.outgoing_id == out.id and links_mod.outgoing_for_dispatch(d.id) == [outgoing.OutgoingDoc.get_by_id(out.id)]
    assert dispatches_for_outgoing(out.id) == [d]
