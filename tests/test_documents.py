"""收文 / 发文: numbering (yearly reset, concurrency, voids), 来文字号 rules, processing steps, deadlines, links."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading

import pytest

from neiqin import clock
from neiqin.demo import documents as documents_mod
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import STAFF, LedgerQuery, settings
from neiqin.models import links as links_mod
from neiqin.models import workdays as wd
from neiqin.models.base import AuditLog, now
from neiqin.models.mail import docs_common, incoming_steps
from neiqin.models.mail import incoming as incoming_mod
from neiqin.models.mail import outgoing as outgoing_mod
from neiqin.models.mail.docs_common import (
    IN_ARCHIVED,
    IN_DONE,
    IN_HANDLING,
    IN_RETURNED,
    IN_REVIEW,
    OUT_SENDING,
    OUT_SENT,
    normalize_doc_no,
)
from neiqin.models.mail.incoming import INCOMING, DuplicateIncoming, IncomingDoc
from neiqin.models.mail.outgoing import OUTGOING, OutgoingDoc

D = dt.date


@pytest.fixture
def people(database):
    return {
        "clerk": STAFF.create({"name": "王芳", "department": "办公室"}),
        "boss": STAFF.create({"name": "李强", "department": "总经理办公室", "title": "总经理"}),
        "eng": STAFF.create({"name": "陈杰", "department": "工程部"}),
        "fin": STAFF.create({"name": "赵敏", "department": "财务部"}),
    }


def incoming(**over) -> dict:
    data = {"received_at": now() - dt.timedelta(hours=1), "signed_by": "王芳", "sender_org": "市住房和城乡建设局",
            "sender_no": "某建发〔2026〕12号", "title": "关于做好安全生产工作的通知", "kind": "通知", "copies": 2}
    data.update(over)
    return data


def outgoing(**over) -> dict:
    data = {"issued_on": clock.today(), "code": "公司发", "title": "关于年度投资计划的请示", "kind": "请示",
            "main_to": "市国资委", "signer": "李强", "drafter": "陈杰", "drafter_dept": "工程部"}
    data.update(over)
    return data


# ---------------------------------------------------------------------------------------------- 来文字号


@pytest.mark.parametrize("typed, expected", [
    ("京政发[2026]7号", "京政发〔2026〕7号"),
    ("京政发(2026)7号", "京政发〔2026〕7号"),
    ("京政发（2026）7号", "京政发〔2026〕7号"),
    ("京政发【2026】7号", "京政发〔2026〕7号"),
    ("京政发［２０２６］７号", "京政发〔2026〕7号"),
    ("京政发〔2026〕第007号", "京政发〔2026〕7号"),
    ("京政发 [2026] 12", "京政发〔2026〕12号"),
    ("京政发2026年3号", "京政发〔2026〕3号"),
    ("国发〔2018〕1号", "国发〔2018〕1号"),
    ("无", "无"),
    ("  ", ""),
    ("沪建管字第12号", "沪建管字第12号"),  # no year: left as typed
])
def test_sender_no_normalised(typed, expected):
    assert normalize_doc_no(typed) == expected


def test_split_doc_no():
    assert docs_common.split_doc_no("公司发[2026]07号") == ("公司发", 2026, 7)
    assert docs_common.split_doc_no("随便写的") is None


def test_secrecy_mark():
    assert docs_common.secrecy_mark("秘密", 1) == "秘密★1年"
    assert docs_common.secrecy_mark("内部", None) == "内部"
    assert docs_common.secrecy_mark("普通", None) == ""


# ---------------------------------------------------------------------------------------------- 收文号


def test_incoming_numbers_run_per_year_and_reset(people):
    a = incoming_mod.register_incoming(incoming(received_at=dt.datetime(2025, 12, 30, 10, 0), sender_no=""))
    b = incoming_mod.register_incoming(incoming(received_at=dt.datetime(2025, 12, 31, 16, 0), sender_no=""))
    c = incoming_mod.register_incoming(incoming(received_at=dt.datetime(2026, 1, 5, 9, 0), sender_no=""))
    d = incoming_mod.register_incoming(incoming(sender_no=""))
    assert (a.no, b.no, c.no) == ("收〔2025〕1号", "收〔2025〕2号", "收〔2026〕1号")
    assert d.no == f"收〔{d.received_on.year}〕{2 if d.received_on.year == 2026 else 1}号"
    assert a.received_on == D(2025, 12, 30)


def test_void_never_frees_a_number(people):
    first = incoming_mod.register_incoming(incoming(sender_no=""))
    second = incoming_mod.register_incoming(incoming(sender_no=""))
    INCOMING.void(second, "重复登记")
    third = incoming_mod.register_incoming(incoming(sender_no=""))
    assert third.serial == second.serial + 1 == first.serial + 2
    assert IncomingDoc.get_by_id(second.id).voided and IncomingDoc.get_by_id(second.id).no == second.no
    # 发文 too: a voided 发文字号 is never issued again, and cannot be typed by hand
    o1 = outgoing_mod.register_outgoing(outgoing())
    OUTGOING.void(o1, "标题有误")
    o2 = outgoing_mod.register_outgoing(outgoing())
    assert o2.serial == o1.serial + 1
    with pytest.raises(ValidationError) as e:
        outgoing_mod.register_outgoing(outgoing(doc_no=o1.doc_no))
    assert "已被使用" in e.value.errors["doc_no"] and "已作废" in e.value.errors["doc_no"]


def test_custom_number_pattern(people):
    settings.set_value("incoming.number_pattern", "SW{year}-{n:04d}")
    doc = incoming_mod.register_incoming(incoming(sender_no=""))
    assert doc.no == f"SW{doc.year}-0001"
    assert docs_common.parse_incoming_no(doc.no) == (doc.year, 1)
    assert incoming_mod.peek_incoming_no(doc.received_on) == f"SW{doc.year}-0002"


def _threaded(fn, n_threads: int, per_thread: int) -> list[Exception]:
    from neiqin.models.base import db

    errors: list[Exception] = []
    barrier = threading.Barrier(n_threads)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                fn()
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)
        finally:
            db.close()  # each thread's own connection

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_two_quick_saves_from_two_connections_never_share_a_number(people):
    errors = _threaded(lambda: incoming_mod.register_incoming(incoming(sender_no=""), confirmed={"duplicate": ""}), 4, 8)
    assert errors == []
    serials = sorted(d.serial for d in IncomingDoc.select())
    assert serials == list(range(1, 33))
    errors = _threaded(lambda: outgoing_mod.register_outgoing(outgoing()), 3, 6)
    assert errors == []
    serials = sorted(d.serial for d in OutgoingDoc.select())
    assert serials == list(range(1, 19))
    assert sorted(d.seq for d in OutgoingDoc.select()) == list(range(1, 19))


def test_unique_index_is_the_last_guard(people, datadir):
    doc = incoming_mod.register_incoming(incoming(sender_no=""))
    con = sqlite3.connect(datadir.db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("INSERT INTO incoming_doc (year, serial, no, received_on, sender_org, title, created_at, "
                        "updated_at, voided, void_reason, signed_by, sender_no, kind, secrecy, urgency, copies, "
                        "attachments, status) SELECT year, serial, no, received_on, sender_org, title, created_at, "
                        "updated_at, 0, '', '', '', kind, secrecy, urgency, copies, '', status FROM incoming_doc "
                        "WHERE id = ?", (doc.id,))
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- 收文 bad input


def test_duplicate_sender_no_warns_with_the_earlier_record(people):
    first = incoming_mod.register_incoming(incoming())
    with pytest.raises(DuplicateIncoming) as e:
        incoming_mod.register_incoming(incoming(sender_no="某建发[2026]第012号"))
    assert e.value.earlier.id == first.id
    assert first.no in str(e.value)
    again = incoming_mod.register_incoming(incoming(sender_no="某建发[2026]12号"), confirmed={"duplicate": ""})
    assert again.sender_no == "某建发〔2026〕12号" and again.serial == first.serial + 1
    # another sender's same number is not a duplicate
    incoming_mod.register_incoming(incoming(sender_org="市财政局"))


@pytest.mark.parametrize("over, field, text", [
    ({"sender_org": ""}, "sender_org", "请填写来文机关"),
    ({"title": "  "}, "title", "请填写文件标题"),
    ({"kind": "便条"}, "kind", "文种应为"),
    ({"secrecy": "秘密", "secrecy_years": 11}, "secrecy_years", "最长 10 年"),
    ({"secrecy": "机密", "secrecy_years": 21}, "secrecy_years", "最长 20 年"),
    ({"secrecy": "内部", "secrecy_years": 3}, "secrecy_years", "不设保密期限"),
    ({"copies": 0}, "copies", "份数应在 1 到 9999 之间"),
    ({"received_at": now() + dt.timedelta(days=1)}, "received_at", "不能晚于现在"),
    ({"urgency": "特急"}, "due_date", "紧急公文必须填写办理期限"),
    ({"due_date": "2001-01-01"}, "due_date", "不能早于收文日期"),
    ({"due_date": "明天"}, "due_date", "格式应为"),
])
def test_bad_incoming_refused_at_the_field(people, over, field, text):
    with pytest.raises(ValidationError) as e:
        incoming_mod.register_incoming(incoming(**over))
    assert text in e.value.errors[field]
    assert IncomingDoc.select().count() == 0


def test_secret_up_to_the_limit_is_accepted(people):
    doc = incoming_mod.register_incoming(incoming(secrecy="绝密", secrecy_years=30, urgency="特急", deadline_days=3,
                                          deadline_rule="工作日"))
    assert doc.secrecy_mark == "绝密★30年"
    assert doc.due_date == wd.add_working_days(doc.received_on, 3)


# ---------------------------------------------------------------------------------------------- 收文 steps


def test_full_incoming_process(people):
    doc = incoming_mod.register_incoming(incoming())
    assert doc.status == IN_REVIEW and incoming_steps.next_actions(doc) == ["review"]
    with pytest.raises(NeiqinError):
        incoming_steps.finish_incoming(doc, {"result": "x"})
    doc = incoming_steps.review_incoming(doc, {"by": "王芳"})
    doc = incoming_steps.propose_incoming(doc, {"by": "王芳", "opinion": "建议工程部牵头办理，请李总阅示"})
    doc = incoming_steps.instruct_incoming(doc, {"by": {"id": people["boss"].id, "name": "李强"},
                                       "instruction": "同意，请工程部抓紧落实"})
    with pytest.raises(ValidationError) as e:
        incoming_steps.assign_incoming(doc, {"handler": "陈杰", "due_date": doc.received_on - dt.timedelta(days=1)})
    assert "不能早于收文日期" in e.value.errors["due_date"]
    doc = incoming_steps.assign_incoming(doc, {"handler": {"id": people["eng"].id, "name": "陈杰"}, "deadline_days": 5,
                                     "deadline_rule": "工作日"})
    assert doc.status == IN_HANDLING and doc.handler_dept == "工程部"
    assert doc.due_date == wd.add_working_days(clock.today(), 5)
    rows = incoming_steps.circulate_incoming(doc, {"readers": ["李强", {"id": people["fin"].id, "name": "赵敏"}]})
    assert IncomingDoc.get_by_id(doc.id).circulating == 2
    with pytest.raises(ValidationError) as e:
        incoming_steps.circulate_incoming(doc, {"readers": ["李强"]})
    assert "还没有退回" in e.value.errors["readers"]
    incoming_steps.return_circulation(rows[0], {"note": "已阅"})
    with pytest.raises(NeiqinError):
        incoming_steps.return_circulation(rows[0])
    doc = incoming_steps.remind_incoming(doc, {"way": "电话", "note": "称周五前报送"})
    doc = incoming_steps.remind_incoming(doc, {"way": "当面"})
    assert doc.reminders == 2
    doc = incoming_steps.finish_incoming(doc, {"result": "已按要求报送", "reply_no": "公司函[2026]3号"})
    assert doc.status == IN_DONE and doc.reply_no == "公司函〔2026〕3号" and doc.done_on == clock.today()
    with pytest.raises(ValidationError) as e:
        incoming_steps.archive_incoming(doc, {"archive_no": "0001-WS·2026-D10-0001"})
    assert "没有退回" in e.value.errors["archive_no"]
    incoming_steps.return_circulation(rows[1])
    doc = incoming_steps.archive_incoming(doc, {"archive_no": "0001-WS·2026-D10-0001", "volume_no": "2026-03"})
    assert doc.status == IN_ARCHIVED and doc.archived_on == clock.today()
    steps = [e.step for e in docs_common.events_of(doc)]
    assert steps == ["签收", "登记", "初审", "拟办", "批示", "承办", "传阅", "阅毕", "催办", "催办", "办结", "阅毕",
                     "归档"]
    assert [e.actor for e in docs_common.events_of(doc)][4] == "李强"
    actions = {a.action for a in AuditLog.for_record("incoming", doc.id)}
    assert {"create", "初审", "拟办", "批示", "承办", "催办", "办结", "归档"} <= actions


def test_review_can_return_with_a_reason(people):
    doc = incoming_mod.register_incoming(incoming())
    with pytest.raises(ValidationError) as e:
        incoming_steps.review_incoming(doc, {"by": "王芳", "passed": False})
    assert e.value.errors["reason"] == "退回时必须填写原因"
    doc = incoming_steps.review_incoming(doc, {"by": "王芳", "passed": False, "reason": "未加盖公章"})
    assert doc.status == IN_RETURNED and doc.returned_reason == "未加盖公章"
    assert incoming_steps.next_actions(doc) == ["archive"]
    assert "已退回" in incoming_mod.progress_text(doc.__data__)


def test_step_time_before_signing_is_refused(people):
    doc = incoming_mod.register_incoming(incoming(received_at=now() - dt.timedelta(hours=2)))
    with pytest.raises(ValidationError) as e:
        incoming_steps.review_incoming(doc, {"by": "王芳", "at": now() - dt.timedelta(hours=3)})
    assert "不能早于签收时间" in e.value.errors["at"]


def test_reassigning_keeps_the_deadline(people):
    doc = incoming_steps.review_incoming(incoming_mod.register_incoming(incoming()), {"by": "王芳"})
    doc = incoming_steps.assign_incoming(doc, {"handler": "陈杰", "due_date": clock.today() + dt.timedelta(days=9)})
    doc = incoming_steps.assign_incoming(doc, {"handler": {"id": people["fin"].id, "name": "赵敏"}})
    assert doc.handler == "赵敏" and doc.handler_dept == "财务部"
    assert doc.due_date == clock.today() + dt.timedelta(days=9)
    assert [e.step for e in docs_common.events_of(doc)][-1] == "改办"


# ---------------------------------------------------------------------------------------------- deadlines


def test_overdue_and_due_soon_filters_and_today_section(people):
    from neiqin.models import today as today_mod

    today = clock.today()
    made = {}
    for key, due in (("late", today - dt.timedelta(days=3)), ("soon", wd.add_working_days(today, 1)),
                     ("later", wd.add_working_days(today, 6))):
        doc = incoming_mod.register_incoming(incoming(sender_no="", received_at=now() - dt.timedelta(days=10)),
                                     confirmed={"duplicate": ""})
        doc = incoming_steps.review_incoming(doc, {"by": "王芳"})
        made[key] = incoming_steps.assign_incoming(doc, {"handler": "陈杰", "due_date": due})
    done = incoming_steps.finish_incoming(made["later"], {"result": "办完"})
    assert INCOMING.count(LedgerQuery(status="overdue")) == 1
    assert INCOMING.count(LedgerQuery(status="due_soon")) == 1
    assert INCOMING.count(LedgerQuery(status="active")) == 2
    assert incoming_mod.due_state(made["late"]) == "overdue" and incoming_mod.due_state(made["soon"]) == "soon"
    assert incoming_mod.due_state(done) == ""
    section = next(s for s in today_mod.compute(today) if s.key == "incoming_due")
    assert [i.record_id for i in section.items] == [made["late"].id, made["soon"].id]
    assert section.items[0].level == "overdue" and "逾期" in section.items[0].text
    assert section.items[0].ledger == "incoming"


def test_due_text_counts_working_days():
    assert incoming_mod.due_text(D(2026, 2, 13), D(2026, 2, 24)) == "逾期 2 个工作日"
    assert incoming_mod.due_text(D(2026, 2, 24), D(2026, 2, 24)) == "今天到期"
    assert incoming_mod.due_text(D(2026, 2, 25), D(2026, 2, 24)) == "明天到期"
    assert incoming_mod.due_text(D(2026, 3, 2), D(2026, 2, 24)) == "还有 5 个工作日"  # 2/28 is a 调休 Saturday
    assert incoming_mod.due_text(D(2026, 3, 6), D(2026, 3, 8)) == "逾期 2 天（均为休息日）"


# ---------------------------------------------------------------------------------------------- 发文


def test_outgoing_numbers_per_code_and_year(people):
    a = outgoing_mod.register_outgoing(outgoing())
    b = outgoing_mod.register_outgoing(outgoing(code="公司函", kind="函"))
    c = outgoing_mod.register_outgoing(outgoing())
    y = clock.today().year
    assert (a.doc_no, b.doc_no, c.doc_no) == (f"公司发〔{y}〕1号", f"公司函〔{y}〕1号", f"公司发〔{y}〕2号")
    assert (a.seq, b.seq, c.seq) == (1, 2, 3)
    old = outgoing_mod.register_outgoing(outgoing(issued_on=D(y - 1, 12, 30), signed_on=D(y - 1, 12, 29)))
    assert old.doc_no == f"公司发〔{y - 1}〕1号" and old.seq == 1


def test_hand_typed_outgoing_number(people):
    y = clock.today().year
    first = outgoing_mod.register_outgoing(outgoing())
    typed = outgoing_mod.register_outgoing(outgoing(doc_no=f"公司发[{y}]第3号"))
    assert typed.doc_no == f"公司发〔{y}〕3号" and typed.manual_no
    # the automatic sequence goes on from its own last number and skips the hand-typed one
    assert outgoing_mod.register_outgoing(outgoing()).doc_no == f"公司发〔{y}〕2号"
    assert outgoing_mod.register_outgoing(outgoing()).doc_no == f"公司发〔{y}〕4号"
    with pytest.raises(ValidationError) as e:
        outgoing_mod.register_outgoing(outgoing(doc_no=first.doc_no))
    assert first.title in e.value.errors["doc_no"]
    with pytest.raises(ValidationError) as e:
        outgoing_mod.register_outgoing(outgoing(doc_no=f"公司发〔{y - 3}〕9号"))
    assert "年份" in e.value.errors["doc_no"]


@pytest.mark.parametrize("over, field, text", [
    ({"code": "乱写"}, "code", "机关代字应为"),
    ({"title": ""}, "title", "请填写文件标题"),
    ({"main_to": ""}, "main_to", "请填写主送机关"),
    ({"signer": ""}, "signer", "请填写签发人"),
    ({"signed_on": clock.today() + dt.timedelta(days=1)}, "signed_on", "不能晚于发文日期"),
    ({"secrecy": "秘密", "secrecy_years": 12}, "secrecy_years", "最长 10 年"),
])
def test_bad_outgoing_refused_at_the_field(people, over, field, text):
    with pytest.raises(ValidationError) as e:
        outgoing_mod.register_outgoing(outgoing(**over))
    assert text in e.value.errors[field]
    assert OutgoingDoc.select().count() == 0


def test_outgoing_distribution_and_signing(people):
    doc = outgoing_mod.register_outgoing(outgoing(main_to=["市国资委", "市财政局"], copy_to="市审计局，市发改委"))
    assert doc.main_to == "市国资委、市财政局" and doc.copy_to == "市审计局、市发改委"
    doc = outgoing_mod.print_outgoing(doc, {"print_copies": 6})
    rows = outgoing_mod.add_deliveries(doc, {"organisations": ["市国资委", "市财政局", "市审计局"], "category": "急件"})
    assert [r.envelope_no for r in rows] == [1, 2, 3]
    with pytest.raises(ValidationError) as e:
        outgoing_mod.add_deliveries(doc, {"organisations": ["市财政局"]})
    assert "已经分发" in e.value.errors["organisations"]
    doc = OutgoingDoc.get_by_id(doc.id)
    assert doc.status == OUT_SENDING and doc.delivered == 3 and "市国资委" in doc.distribution
    for r in rows:
        outgoing_mod.sign_delivery(r, {"signed_by": "周收发"})
    doc = OutgoingDoc.get_by_id(doc.id)
    assert doc.status == OUT_SENT and doc.receivers == "周收发、周收发、周收发"
    with pytest.raises(NeiqinError):
        outgoing_mod.sign_delivery(rows[0], {"signed_by": "又一人"})
    more = outgoing_mod.add_deliveries(doc, {"organisations": "市发改委"})
    assert more[0].envelope_no == 4 and OutgoingDoc.get_by_id(doc.id).status == OUT_SENDING
    doc = outgoing_mod.archive_outgoing(doc, {"volume_no": "2026-发文"})
    steps = [e.step for e in docs_common.events_of(doc)]
    assert steps[:3] == ["签发", "登记", "印制"] and steps[-1] == "归档"
    assert len(outgoing_mod.delivery_rows(doc_id=doc.id)) == 4


# ---------------------------------------------------------------------------------------------- links


def test_links_with_parcels(people):
    from neiqin.models.mail.parcels import receive

    parcel = receive({"tracking_no": "SF1234567890123", "recipient": people["clerk"].id, "sender": "市财政局",
                      "received_at": now() - dt.timedelta(minutes=30)})
    doc = links_mod.create_incoming_from_parcel(parcel, {"title": "关于预算执行情况的通报", "kind": "通报",
                                                          "signed_by": "王芳"})
    assert doc.parcel_id == parcel.id and doc.sender_org == "市财政局" and "SF1234567890123" in doc.note
    assert [d.id for d in links_mod.incoming_for_parcel(parcel.id)] == [doc.id]
    assert links_mod.link_label("parcels", parcel.id) == "来自快递 SF1234567890123"
    out = outgoing_mod.register_outgoing(outgoing())
    out = links_mod.link_dispatch(out, 5)
    assert [d.id for d in links_mod.outgoing_for_dispatch(5)] == [out.id]
    assert links_mod.link_label("dispatches", 5).startswith("寄出：")


# ---------------------------------------------------------------------------------------------- ledgers, CLI


def test_search_and_register_columns(people):
    doc = incoming_mod.register_incoming(incoming(title="关于防汛工作的紧急通知"))
    for term in ("防", "防汛", "防汛工作", "某建发"):
        assert INCOMING.fetch_page(LedgerQuery(search=term))[0]["id"] == doc.id, term
    row = INCOMING.fetch_page(LedgerQuery())[0]
    shown = {c.header: c.display(row) for c in INCOMING.columns}
    assert shown["收文号"] == doc.no and shown["办理情况"] == IN_REVIEW
    headers = [c.header for c in INCOMING.columns]
    for h in ("收文号", "收文日期", "来文机关", "来文字号", "文件标题", "附件", "份数", "密级", "紧急程度", "承办单位/人",
              "签收人", "办理期限", "办理情况", "办结日期", "复文号", "归卷日期", "归入卷号", "备注"):
        assert h in headers
    out_headers = [c.header for c in OUTGOING.columns]
    for h in ("顺序号", "发文日期", "发文字号", "文件标题", "附件", "密级", "份数", "主送/抄送", "拟稿部门", "拟稿人",
              "核稿", "签发人", "印制份数", "签收人", "归卷日期", "归入卷号", "备注"):
        assert h in out_headers
    assert "分发范围" not in out_headers  # the recipients are printed once, under 主送/抄送


def test_excel_round_trip_keeps_numbers(people, tmp_path):
    from neiqin.reports.excel import apply_import, export_xlsx, read_import

    # (a 密级 cell "秘密★5年" is refused by the shared emoji check of imports: ★ is U+2605; see the report)
    incoming_mod.register_incoming(incoming(secrecy="内部"))
    d2 = incoming_mod.register_incoming(incoming(sender_no="", urgency="加急", deadline_days=3))
    path = tmp_path / "in.xlsx"
    export_xlsx(INCOMING, LedgerQuery(), path)
    for d in IncomingDoc.select():
        INCOMING.void(d, "测试导入前作废")
    preview = read_import(INCOMING, path)
    assert preview.errors  # the numbers are taken (even by voided records)
    # move the originals out of the way (their printed numbers too: 收文号 is unique)
    IncomingDoc.update(year=IncomingDoc.year - 10, no=IncomingDoc.no.concat("（旧）")).execute()
    preview = read_import(INCOMING, path)
    assert not preview.errors, preview.errors
    assert apply_import(INCOMING, preview) == 2
    back = IncomingDoc.select().where(IncomingDoc.voided == False).order_by(IncomingDoc.serial)  # noqa: E712
    assert [d.no for d in back][-1] == d2.no
    assert back[0].secrecy == "内部" and back[1].urgency == "加急" and back[1].due_date == d2.due_date
    assert docs_common._split_secrecy({"secrecy": "秘密★5年"}) == {"secrecy": "秘密", "secrecy_years": 5}


def test_cli_print_and_export(people, datadir, tmp_path):
    incoming_mod.register_incoming(incoming())
    outgoing_mod.register_outgoing(outgoing())
    from neiqin.db import close_database

    close_database()
    for ledger in ("incoming", "outgoing"):
        pdf = tmp_path / f"{ledger}.pdf"
        r = subprocess.run([sys.executable, "-m", "neiqin", "--data-dir", str(datadir.root), "print", ledger,
                            str(pdf)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert ("收文登记簿" if ledger == "incoming" else "发文登记簿") in text


def test_demo_and_bulk(people):
    import random

    counts = documents_mod.seed_demo(random.Random(3), list(STAFF.model.select()), 120)
    assert counts["incoming"] >= 24 and counts["outgoing"] >= 8
    states = {d.status for d in IncomingDoc.select()}
    assert {IN_REVIEW, IN_HANDLING, IN_DONE, IN_ARCHIVED, IN_RETURNED} <= states
    before = IncomingDoc.select().count()
    assert documents_mod.bulk_documents(3000, seed=1) == 3000
    assert IncomingDoc.select().count() == before + 3000
    years = {}
    for d in IncomingDoc.select(IncomingDoc.year, IncomingDoc.serial):
        years.setdefault(d.year, []).append(d.serial)
    for serials in years.values():
        assert sorted(serials) == list(range(1, len(serials) + 1))
    assert INCOMING.fetch_page(LedgerQuery(search="安全生产"), limit=5)
