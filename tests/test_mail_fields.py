"""收文, 发文, 快递收件 and 寄件 on one field declaration each: what is typed is stored half-width, what is too long
or malformed is refused at its field with one Chinese sentence, an Excel sheet titled with the aliases imports, and
备注 is printed and exported on the 收文/发文 registers (also from a data folder written before the declaration)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import Workbook

from neiqin import clock
from neiqin.errors import ValidationError
from neiqin.models import STAFF
from neiqin.models.base import now
from neiqin.models.ledger import LedgerQuery
from neiqin.models.mail import incoming as incoming_mod
from neiqin.models.mail import outgoing as outgoing_mod
from neiqin.models.mail.dispatches import DISPATCH_FIELDS, DISPATCHES, Dispatch, record_dispatch
from neiqin.models.mail.incoming import INCOMING, INCOMING_FIELDS, IncomingDoc
from neiqin.models.mail.outgoing import OUTGOING, OUTGOING_FIELDS, OutgoingDoc
from neiqin.models.mail.parcels import PARCEL_FIELDS, PARCELS, Parcel, receive
from neiqin.paths import DataDir
from neiqin.reports.excel import apply_import, export_xlsx, read_import

FIXTURES = Path(__file__).parent / "fixtures"
MAIL = [(INCOMING, INCOMING_FIELDS), (OUTGOING, OUTGOING_FIELDS), (PARCELS, PARCEL_FIELDS),
        (DISPATCHES, DISPATCH_FIELDS)]


@pytest.fixture
def people(database):
    return {"clerk": STAFF.create({"name": "王芳", "department": "办公室"}),
            "boss": STAFF.create({"name": "李强", "department": "总经理办公室"}),
            "eng": STAFF.create({"name": "陈杰", "department": "工程部"})}


def incoming(**over) -> dict:
    return {"received_at": now() - dt.timedelta(hours=1), "signed_by": "王芳", "sender_org": "市住房和城乡建设局",
            "sender_no": "某建发〔2026〕12号", "title": "关于做好安全生产工作的通知", "copies": 2, **over}


def outgoing(**over) -> dict:
    return {"issued_on": clock.today(), "code": "公司发", "title": "关于年度投资计划的请示", "kind": "请示",
            "main_to": "市国资委", "signer": "李强", "drafter": "陈杰", **over}


def dispatch(**over) -> dict:
    return {"tracking_no": "SF2000000000001", "sender": "陈杰", "recipient_org": "某单位", "address": "某路 1 号",
            "cost": "12", **over}


@pytest.mark.parametrize("spec, fields", MAIL, ids=lambda v: getattr(v, "key", ""))
def test_each_mail_ledger_takes_its_table_and_columns_from_its_declaration(database, spec, fields):
    assert spec.fields is fields
    for f in fields:
        if f.stored:
            col = spec.model._meta.fields[f.key]
            if isinstance(col, pw.CharField):
                assert col.max_length == f.limit, f.key
            assert isinstance(col, pw.TextField) == (f.kind == "multiline"), f.key
    for col in spec.columns:
        f = fields[col.key]  # every column of these registers is a declared field
        assert (col.header, col.width) == (f.header or f.label, f.width) and set(f.aliases) <= set(col.aliases)


def test_a_new_database_has_the_mail_tables_byte_for_byte_as_before(database, datadir):
    """Declaring the fields of 收文, 发文, 快递收件 and 寄件 once changed no column, type, default, order or index:
    the CREATE statements are those of a new file before the change (tests/fixtures/schema-mail.sql, written by
    162d39c)."""
    expected = (FIXTURES / "schema-mail.sql").read_text(encoding="utf-8")
    con = sqlite3.connect(datadir.db_path)
    try:
        rows = con.execute("SELECT sql FROM sqlite_master WHERE tbl_name IN ('incoming_doc', 'outgoing_doc', "
                           "'parcel', 'dispatch') AND sql NOT NULL").fetchall()
    finally:
        con.close()
    assert sorted(r[0] for r in rows) == expected.splitlines()


def test_full_width_typing_is_stored_half_width(people):
    doc = incoming_mod.register_incoming(incoming(title="关于ＡＢＣ项目的通知", sender_no="某建发〔２０２６〕１２号",
                                                  copies="２", note="　原件已交档案室　"))
    assert (doc.title, doc.sender_no, doc.copies, doc.note) == ("关于ABC项目的通知", "某建发〔2026〕12号", 2,
                                                                "原件已交档案室")
    out = outgoing_mod.register_outgoing(outgoing(title="关于２０２７年度计划的请示", print_copies="１０"))
    assert (out.title, out.print_copies) == ("关于2027年度计划的请示", 10)
    p = receive({"tracking_no": "ｓｆ１４２８６３７２９０５１１", "recipient": "王芳", "shelf": "ａ－１",
                 "pieces": "２"})
    assert (p.tracking_no, p.shelf, p.pieces) == ("SF1428637290511", "A-1", 2)
    d = record_dispatch(dispatch(postcode="１０００１０", phone="１３８ ００１３ ８０００"))
    assert (d.postcode, d.phone) == ("100010", "13800138000")


@pytest.mark.parametrize("write, data, key, message", [
    (incoming_mod.register_incoming, incoming(attachments="附" * 201), "attachments", "附件不能超过 200 字（现有 201 字）"),
    (incoming_mod.register_incoming, incoming(note="注" * 1001), "note", "备注不能超过 1000 字（现有 1001 字）"),
    (incoming_mod.register_incoming, incoming(sender_org="市\n财政局"), "sender_org", "来文机关不能换行"),
    (outgoing_mod.register_outgoing, outgoing(main_to="某" * 501), "main_to", "主送不能超过 500 字（现有 501 字）"),
    (outgoing_mod.register_outgoing, outgoing(urgency="火急"), "urgency", "紧急程度应为：普通、平急、加急、特急、特提"),
    (outgoing_mod.register_outgoing, outgoing(copies="两份"), "copies", "份数必须是整数"),
    (receive, {"tracking_no": "SF1234567890", "recipient": "王芳", "department": "部" * 61}, "department",
     "部门不能超过 60 字（现有 61 字）"),
    (record_dispatch, dispatch(postcode="10001"), "postcode", "邮政编码应为 6 位数字"),
    (record_dispatch, dispatch(contents="物" * 101), "contents", "内件不能超过 100 字（现有 101 字）"),
])
def test_a_bad_value_is_refused_at_its_field_and_nothing_saved(people, write, data, key, message):
    with pytest.raises(ValidationError) as e:
        write(data)
    assert e.value.errors[key] == message
    assert sum(m.select().count() for m in (IncomingDoc, OutgoingDoc, Parcel, Dispatch)) == 0


def _sheet(path: Path, header: list[str], *rows: list) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_sheets_titled_with_the_aliases_import(people, tmp_path):
    y = clock.today().year
    day = clock.today() - dt.timedelta(days=3)
    path = _sheet(tmp_path / "in.xlsx", ["编号", "日期", "来文单位", "文号", "标题", "份数", "缓急", "承办", "期限", "卷号",
                                         "备注"],
                  [f"收〔{y}〕7号", day, "市财政局", f"某财发〔{y}〕3号", "关于预算的通知", 1, "加急", "财务部 赵敏",
                   day + dt.timedelta(days=5), "", "原件已归还"])
    preview = read_import(INCOMING, path)
    assert not preview.errors and not preview.missing, preview.summary()
    assert apply_import(INCOMING, preview) == 1
    doc = IncomingDoc.get()
    assert (doc.no, doc.sender_org, doc.urgency, doc.handler_dept, doc.handler, doc.note) == (
        f"收〔{y}〕7号", "市财政局", "加急", "财务部", "赵敏", "原件已归还")

    path = _sheet(tmp_path / "out.xlsx", ["日期", "发文文号", "标题", "发往机关", "拟稿部门", "拟稿人", "核稿人", "签发人",
                                          "卷号", "备注"],
                  [day, f"公司发〔{y}〕9号", "关于年度计划的请示", "主送：市国资委；抄送：市财政局；另送：市审计局", "工程部",
                   "陈杰", "王芳", "李强", "", "电子版已发"])
    preview = read_import(OUTGOING, path)
    assert not preview.errors and not preview.missing, preview.summary()
    assert apply_import(OUTGOING, preview) == 1
    out = OutgoingDoc.get()
    assert (out.doc_no, out.main_to, out.copy_to, out.reviewer, out.note) == (
        f"公司发〔{y}〕9号", "市国资委", "市财政局", "王芳", "电子版已发")

    path = _sheet(tmp_path / "parcels.xlsx", ["收件日期", "快递单号", "承运商", "寄件单位", "收件人", "收件部门", "件数",
                                              "货架", "备注"],
                  [now() - dt.timedelta(days=1), "SF1428637290511", "顺丰速运", "某公司", "王芳", "办公室", 2, "b-3",
                   "易碎"])
    preview = read_import(PARCELS, path)
    assert not preview.errors and not preview.missing, preview.summary()
    assert apply_import(PARCELS, preview) == 1
    p = Parcel.get()
    assert (p.carrier, p.sender, p.department, p.pieces, p.shelf, p.note) == ("顺丰速运", "某公司", "办公室", 2, "B-3",
                                                                             "易碎")

    path = _sheet(tmp_path / "dispatches.xlsx", ["日期", "单号", "快递", "部门", "寄件人", "单位", "收件地址", "邮政编码",
                                                 "联系电话", "物品", "发文字号"],
                  [day, "SF2000000000009", "顺丰速运", "工程部", "陈杰", "某单位", "某路 1 号", "100010", "010-12345678",
                   "合同", ""])
    preview = read_import(DISPATCHES, path)
    assert not preview.errors and not preview.missing, preview.summary()
    assert apply_import(DISPATCHES, preview) == 1
    d = Dispatch.get()
    assert (d.department, d.recipient_org, d.address, d.postcode, d.phone, d.contents) == (
        "工程部", "某单位", "某路 1 号", "100010", "010-12345678", "合同")


def test_note_is_printed_and_exported_on_both_registers(people, tmp_path):
    from openpyxl import load_workbook

    from neiqin.reports.register import write_register_pdf

    incoming_mod.register_incoming(incoming(note="原件已交档案室"))
    doc = outgoing_mod.register_outgoing(outgoing(main_to="市国资委", copy_to="市财政局", note="同发OA"))
    outgoing_mod.add_deliveries(doc, {"organisations": ["市国资委", "市财政局", "市审计局"]})
    for spec, note in ((INCOMING, "原件已交档案室"), (OUTGOING, "同发OA")):
        xlsx = tmp_path / f"{spec.key}.xlsx"
        export_xlsx(spec, LedgerQuery(), xlsx)
        rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
        header = next(r for r in rows if "备注" in r)
        assert rows[rows.index(header) + 1][header.index("备注")] == note
        pdf = tmp_path / f"{spec.key}.pdf"
        write_register_pdf(spec, LedgerQuery(), pdf, org_name="")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "备注" in text and note in text
    # 发文: the recipients are printed once; an organisation only the 送文簿 names is added as 另送
    row = OUTGOING.fetch_page(LedgerQuery())[0]
    assert OUTGOING.column("main_to").display(row) == "主送：市国资委；抄送：市财政局；另送：市审计局"
    assert text.count("市审计局") == 1


def test_a_data_folder_written_before_the_declaration_shows_its_notes(tmp_path):
    """备注 has been a column of incoming_doc and outgoing_doc since they were created (migration 4), so no
    migration is needed: a data folder of 25a93af (schema 6) opens, keeps its rows, and its notes reach the
    register and the Excel export."""
    data = DataDir(tmp_path / "data")
    with tarfile.open(FIXTURES / "datadir-25a93af.tar.xz") as tar:
        tar.extractall(data.root, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    conn = sqlite3.connect(data.db_path)
    before = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("incoming_doc", "outgoing_doc")}
    conn.execute("UPDATE incoming_doc SET note = '旧备注' || id")
    conn.execute("UPDATE outgoing_doc SET note = '旧发文备注' || id")
    conn.commit()
    conn.close()
    assert before["incoming_doc"] > 0 and before["outgoing_doc"] > 0
    for ledger, note in (("incoming", "旧备注"), ("outgoing", "旧发文备注")):
        xlsx = tmp_path / f"{ledger}.xlsx"
        r = subprocess.run([sys.executable, "-m", "neiqin", "--data-dir", str(data.root), "export", ledger,
                            str(xlsx)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(xlsx).active.iter_rows(values_only=True) for c in row]
        assert "备注" in cells and sum(1 for c in cells if isinstance(c, str) and c.startswith(note)) == before[
            f"{ledger}_doc"]
    conn = sqlite3.connect(data.db_path)
    after = {t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE note LIKE '旧%'").fetchone()[0] for t in before}
    conn.close()
    assert after == before


def test_the_incoming_steps_take_their_forms_and_checks_from_one_declaration(people):
    """初审, 交办, 传阅, 催办 …: the form the clerk sees and the check the step makes come from STEP_FIELDS — the same
    label at the field and in the sentence, full-width typing stored half-width."""
    from neiqin.models.mail import incoming_steps as steps

    for step, fields in steps.STEP_FIELDS.items():
        assert [f.label for f in steps.step_form(step)] == [f.label for f in fields], step
    assert [f.label for f in steps.step_form("review")] == ["初审结果", "退回原因", "初审人", "初审时间"]
    doc = incoming_mod.register_incoming(incoming())
    returned = steps.review_incoming(doc, {"passed": False, "by": "王芳", "reason": "缺少附件　第２页 "})
    assert returned.returned_reason == "缺少附件 第2页"
    doc = incoming_mod.register_incoming(incoming(sender_no="某建发〔2026〕13号", title="关于第二份文件"))
    steps.review_incoming(doc, {"passed": True, "by": "王芳"})
    with pytest.raises(ValidationError) as e:
        steps.assign_incoming(doc, {"handler_dept": "工程部", "note": "请" * 301})
    assert e.value.errors["note"] == "交办说明不能超过 300 字（现有 301 字）"
    assert IncomingDoc.get_by_id(doc.id).status == steps.IN_PROPOSE  # nothing saved
    with pytest.raises(ValidationError) as e:
        steps.remind_incoming(steps.assign_incoming(doc, {"handler_dept": "工程部"}), {"way": "飞鸽传书"})
    assert e.value.errors["way"].startswith("催办方式应为：电话")


def test_the_delivery_book_and_its_steps_take_their_fields_from_one_declaration(people):
    """送文簿 (分发, 签收) and 印制: the doc_delivery table, the forms and the checks from DELIVERY_FIELDS."""
    from neiqin.models.mail.outgoing import DELIVERY_FIELDS, DISTRIBUTE_FORM, SIGN_FORM, Delivery

    assert [f.label for f in DELIVERY_FIELDS.form(*DISTRIBUTE_FORM)] == ["发往机关", "文别", "送达方式", "每家份数",
                                                                         "发出时间"]
    assert Delivery.note.max_length == DELIVERY_FIELDS["note"].limit == 200
    sql = Delivery._meta.database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'doc_delivery'").fetchone()[0]
    assert sql == ('CREATE TABLE "doc_delivery" ("id" INTEGER NOT NULL PRIMARY KEY, "doc_id" INTEGER NOT NULL, '
                   '"year" INTEGER NOT NULL, "envelope_no" INTEGER NOT NULL, "organisation" VARCHAR(100) NOT NULL, '
                   '"category" VARCHAR(6) NOT NULL, "via" VARCHAR(10) NOT NULL, "copies" INTEGER NOT NULL, '
                   '"sent_at" DATETIME NOT NULL, "signed_by" VARCHAR(40) NOT NULL, "signed_at" DATETIME, '
                   '"note" VARCHAR(200) NOT NULL)')  # as before the declaration (written by 162d39c's code)
    doc = outgoing_mod.register_outgoing(outgoing())
    with pytest.raises(ValidationError) as e:
        outgoing_mod.add_deliveries(doc, {"organisations": "市住建局", "via": "信鸽"})
    assert e.value.errors["via"].startswith("送达方式应为：专人送达")
    assert not outgoing_mod.deliveries_of(doc)  # nothing saved
    row = outgoing_mod.add_deliveries(doc, {"organisations": "市住建局、市财政局", "copies": "２"})[0]
    assert row.copies == 2
    with pytest.raises(ValidationError) as e:
        outgoing_mod.sign_delivery(row, {"signed_by": "赵敏", "note": "收" * 201})
    assert e.value.errors["note"] == "备注不能超过 200 字（现有 201 字）"
    assert [f.label for f in DELIVERY_FIELDS.form(*SIGN_FORM)] == ["签收人", "签收时间", "备注"]
