import datetime as dt
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from neiqin import clock
from neiqin.errors import ImportFileError, NeiqinError, ValidationError
from neiqin.models import STAFF, VISITORS, AuditLog, LedgerQuery, Staff, Visit
from neiqin.models import visitors as V
from neiqin.reports import Cancelled
from neiqin.reports.excel import (
    MSG_CORRUPT,
    MSG_ENCRYPTED,
    apply_import,
    export_xlsx,
    parse_date,
    parse_time,
    read_import,
)

ID = "11010519491231002X"
PAST = clock.today() - dt.timedelta(days=30)
VISIT_HEADERS = ["日期", "姓名", "单位", "证件号码", "被访人", "到达", "离开", "备注"]
STAFF_FIELDS = ["name", "department", "title", "office_phone", "extension", "mobile", "email", "birthday",
                "status", "note", "pinyin", "initials"]


def sheet(path, rows, *, title_rows=(), merge=None):
    wb = Workbook()
    ws = wb.active
    for r in [*title_rows, *rows]:
        ws.append(list(r))
    if merge:
        for rng in merge:
            ws.merge_cells(rng)
    wb.save(path)
    return path


def visit_row(name="李四", *, day=PAST, company="北京某某科技有限公司", idn=ID, host="张三", arrive="09:30",
              leave="10:45", note=""):
    return [day, name, company, idn, host, arrive, leave, note]


def fields(rec, names):
    return {k: getattr(rec, k) for k in names}


# ---------------------------------------------------------------------------------------------- export


def test_export_layout_dates_and_void_columns(host, tmp_path):
    v = V.check_in({"name": "李四", "host": host.id, "id_number": ID, "purpose": "商务洽谈"})
    w = V.check_in({"name": "王五", "host": host.id, "purpose": "送文件"})
    VISITORS.void(w, "登记错误")
    path = tmp_path / "visits.xlsx"
    assert export_xlsx(VISITORS, LedgerQuery(), path, org_name="某局") == 2
    wb = load_workbook(path)
    ws = wb.active
    assert ws.title == "来访登记" and ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["日期", "姓名", "单位"] and headers[-2:] == ["作废", "作废原因"]
    assert all(c.font.b for c in ws[1])
    assert ws.column_dimensions["C"].width == VISITORS.column("company").width + 2
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["李四"][0] == dt.datetime.combine(v.visit_date, dt.time())  # a real date
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["A2"].is_date
    assert rows["李四"][4] == "110105********002X"  # masked, never the full number
    assert rows["王五"][-2:] == ("是", "登记错误") and rows["李四"][-2] is None
    assert wb.properties.title == "某局来访登记簿"


def test_export_never_writes_formulas(database, tmp_path):
    nasty = {"name": "=1+1", "department": "@SUM(A1:A2)", "title": "-x", "note": "+86 138 0000 0000"}
    STAFF.create(nasty)
    STAFF.create({"name": "错误码", "note": "#N/A"})
    path = tmp_path / "staff.xlsx"
    export_xlsx(STAFF, LedgerQuery(), path)
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    cells = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    row = cells["=1+1"]
    for key, value in nasty.items():
        cell = row[header.index(STAFF.column(key).header)]
        assert cell.value == value and cell.data_type == "s", key
        assert cell.quotePrefix
    note = cells["错误码"][header.index("备注")]
    assert note.value == "#N/A" and note.data_type == "s"
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    # and they come back as the same text
    preview = read_import(STAFF, path)
    assert preview.ok
    got = {r["name"]: r for r in preview.rows}
    assert {k: got["=1+1"][k] for k in nasty} == nasty


def test_export_cancel_and_progress(database, tmp_path):
    for i in range(3):
        STAFF.create({"name": f"员工{'甲乙丙'[i]}"})
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(Cancelled):
        export_xlsx(STAFF, LedgerQuery(), path, cancelled=lambda: True)
    assert path.read_bytes() == b"old"
    calls = []
    assert export_xlsx(STAFF, LedgerQuery(), path, progress=lambda d, t: calls.append((d, t))) == 3
    assert calls[-1] == (3, 3)


# ---------------------------------------------------------------------------------------------- round trips


def test_staff_round_trip(database, tmp_path):
    STAFF.create({"name": "张三", "department": "办公室", "title": "主任", "office_phone": "010-12345678",
                  "extension": "8001", "mobile": "13812345678", "email": "zs@example.com",
                  "birthday": dt.date(1980, 2, 29), "note": "第一行\n第二行"})
    STAFF.create({"name": "欧阳娜娜", "department": "市场部", "status": "离职"})
    STAFF.create({"name": "李四"})
    before = {s.name: fields(s, STAFF_FIELDS) for s in Staff.select()}
    path = tmp_path / "staff.xlsx"
    assert export_xlsx(STAFF, LedgerQuery(), path) == 3
    preview = read_import(STAFF, path)
    assert preview.ok and preview.header_row == 1 and len(preview.rows) == 3, preview.errors
    assert apply_import(STAFF, preview) == 3
    new = Staff.select().where(Staff.id > 3)
    assert {s.name: fields(s, STAFF_FIELDS) for s in new} == before
    entry = AuditLog.get((AuditLog.action == "import") & AuditLog.record_id.is_null())
    assert entry.summary == "导入 3 条（staff.xlsx）"
    assert AuditLog.select().where((AuditLog.action == "import") & AuditLog.record_id.is_null(False)).count() == 3


def test_visitor_round_trip_except_masked_fields(host, tmp_path):
    a = V.check_in({"name": "李四", "host": host.id, "id_number": ID, "phone": "13912345678",
                    "company": "北京某某科技有限公司", "purpose": "商务洽谈", "party_size": 2})
    b = V.check_in({"name": "王五", "host_name": "外单位人员", "purpose": "送文件", "note": "带样品两箱"})
    V.check_out(b)
    c = V.check_in({"name": "赵六", "host": host.id})
    VISITORS.void(c, "误登记")
    path = tmp_path / "visits.xlsx"
    export_xlsx(VISITORS, LedgerQuery(), path)
    preview = read_import(VISITORS, path)
    assert preview.ok, preview.errors
    assert preview.skipped_voided == 1
    assert any("证件号码" in w and "手机" in w for w in preview.warnings)
    n = Visit.select().count()
    assert apply_import(VISITORS, preview) == 2
    assert Visit.select().count() == n + 2
    same = ["visit_date", "name", "company", "purpose", "party_size", "host_id", "host_name", "host_dept",
            "badge_no", "note", "status"]
    for old in (Visit.get_by_id(a.id), Visit.get_by_id(b.id)):
        new = Visit.select().where((Visit.name == old.name) & (Visit.id > c.id)).get()
        assert fields(new, same) == fields(old, same)
        assert new.arrive_at == old.arrive_at.replace(second=0)  # the register keeps minutes
        assert (new.id_number, new.phone) == ("", "")  # masked on export: not imported


# ---------------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("content", [b"", b"not an excel file", b"PK\x03\x04broken zip"])
def test_corrupt_file(database, tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=MSG_CORRUPT):
        read_import(VISITORS, path)


def test_zip_that_is_not_a_workbook(database, tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match=MSG_CORRUPT):
        read_import(VISITORS, path)


def test_encrypted_or_old_xls_file(database, tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00junk" * 100)
    with pytest.raises(ImportFileError, match="密码"):
        read_import(VISITORS, path)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le"))
    with pytest.raises(ImportFileError, match=MSG_ENCRYPTED):
        read_import(VISITORS, path)
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "Workbook".encode("utf-16-le"))
    with pytest.raises(ImportFileError, match="xls"):
        read_import(VISITORS, path)


def test_missing_file(database, tmp_path):
    with pytest.raises(ImportFileError, match="找不到"):
        read_import(VISITORS, tmp_path / "nope.xlsx")


def test_empty_sheet_and_no_header(database, tmp_path):
    with pytest.raises(ImportFileError, match="空"):
        read_import(VISITORS, sheet(tmp_path / "empty.xlsx", []))
    with pytest.raises(ImportFileError, match="没有找到表头"):
        read_import(VISITORS, sheet(tmp_path / "nohead.xlsx", [["甲", "乙"], [1, 2]]))
    with pytest.raises(ImportFileError, match="没有数据"):
        read_import(VISITORS, sheet(tmp_path / "headonly.xlsx", [VISIT_HEADERS]))


def test_missing_required_columns(host, tmp_path):
    path = sheet(tmp_path / "m.xlsx", [["日期", "单位", "事由"], [PAST, "某公司", "开会"]])
    preview = read_import(VISITORS, path)
    assert preview.missing == ["姓名", "被访人"] and not preview.ok
    assert preview.errors[0].message == "缺少必需的列：姓名、被访人"
    with pytest.raises(NeiqinError, match="缺少必需的列：姓名、被访人"):
        apply_import(VISITORS, preview)


# ---------------------------------------------------------------------------------------------- headers and values


def test_title_rows_above_a_spaced_header(host, tmp_path):
    header = ["日　期", " 姓 名 ", "单位", "身份证号", "被访人*", "到达时间", "离开时间", "备注"]
    path = sheet(tmp_path / "t.xlsx", [header, visit_row("李四"), [None] * 8, visit_row("王五", host="王老五")],
                 title_rows=[["某某局来访登记簿"], ["填表人：前台", None, None, "2026年"]],
                 merge=["A1:H1", "A2:C2"])
    preview = read_import(VISITORS, path)
    assert preview.header_row == 3, preview.errors
    assert preview.ok, preview.errors
    assert preview.row_numbers == [4, 6]  # the blank row 5 is skipped
    li, wang = preview.rows
    assert li["host"] == host.id and li["host_dept"] == "办公室"
    assert wang["host"] is None and wang["host_name"] == "王老五"  # not in the directory: kept as text
    assert li["arrive_at"] == dt.datetime.combine(PAST, dt.time(9, 30))
    assert li["status"] == V.LEFT and li["id_number"] == ID


@pytest.mark.parametrize("value", [dt.datetime(2025, 3, 4), dt.date(2025, 3, 4), "2025-03-04", "2025/3/4",
                                   "2025年3月4日", " 2025.3.4 ", "20250304", 20250304, 45720])
def test_date_forms(value):
    assert parse_date(value) == dt.date(2025, 3, 4)


@pytest.mark.parametrize("value", ["09:30", "9:30", "09：30", "9点30", dt.time(9, 30), 0.3958333333333333])
def test_time_forms(value):
    assert parse_time(value) == dt.time(9, 30)


def test_dates_in_several_text_forms_import(host, tmp_path):
    d = PAST
    forms = [d, d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]
    path = sheet(tmp_path / "d.xlsx", [VISIT_HEADERS, *(visit_row(n, day=f) for n, f in
                                                      zip(["甲一", "乙二", "丙三", "丁四"], forms, strict=True))])
    preview = read_import(VISITORS, path)
    assert preview.ok, preview.errors
    assert {r["visit_date"] for r in preview.rows} == {d}


def test_status_rules_for_imported_visits(host, tmp_path):
    today, future = clock.today(), clock.today() + dt.timedelta(days=3)
    rows = [visit_row("甲一", leave=None), visit_row("乙二", day=future, arrive="10:00", leave=None),
            visit_row("丙三", day=today, arrive="00:01", leave=None)]
    preview = read_import(VISITORS, sheet(tmp_path / "s.xlsx", [VISIT_HEADERS, *rows]))
    assert preview.ok, preview.errors
    past, appt, now = preview.rows
    assert past["status"] == V.LEFT and past["leave_at"] == past["arrive_at"]
    assert "没有离开时间" in past["leave_note"]
    assert appt["status"] == V.APPOINTMENT and appt["expected_at"] == dt.datetime.combine(future, dt.time(10))
    assert now["status"] == V.ON_SITE
    apply_import(VISITORS, preview)
    assert Visit.get(Visit.name == "甲一").leave_note.startswith("导入")


def test_appointments_round_trip(host, tmp_path):
    when = dt.datetime.combine(clock.today() + dt.timedelta(days=2), dt.time(15, 0))
    V.make_appointment({"name": "预约人", "host": host.id, "expected_at": when})
    path = tmp_path / "a.xlsx"
    export_xlsx(VISITORS, LedgerQuery(), path)
    assert load_workbook(path).active["K2"].value == "约15:00"
    preview = read_import(VISITORS, path)
    assert preview.ok, preview.errors
    row = preview.rows[0]
    assert (row["status"], row["expected_at"], row["arrive_at"]) == (V.APPOINTMENT, when, None)
    old = sheet(tmp_path / "old.xlsx", [VISIT_HEADERS, visit_row("未来人", arrive="约10:00", leave=None)])
    row = read_import(VISITORS, old).rows[0]
    assert row["status"] == V.NO_SHOW and row["expected_at"].time() == dt.time(10)


def test_bad_rows_are_listed_and_nothing_is_saved(host, tmp_path):
    rows = [visit_row("李四"),
            visit_row("王五", idn="110105194912310021"),  # wrong check digit
            visit_row("", company="没有姓名"),
            visit_row("赵六", note="很" * 10000),
            visit_row("钱七😀"),
            visit_row("孙八", company="好公司🎉"),
            visit_row("周九", idn=1.10105194912310e17),  # an ID Excel turned into a number
            visit_row("吴十", day="2025-02-30"),
            visit_row("郑一", arrive="25:99")]
    preview = read_import(VISITORS, sheet(tmp_path / "bad.xlsx", [VISIT_HEADERS, *rows]))
    assert not preview.ok and len(preview.rows) == 1
    msgs = {e.row_number: e.message for e in preview.errors}
    assert sorted(msgs) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert msgs[3].startswith("第 3 行：") and "证件号码" in msgs[3] and "校验位" in msgs[3]
    assert "姓名" in msgs[4]
    assert "备注" in msgs[5] and "1000" in msgs[5]
    assert "表情" in msgs[6] and "表情" in msgs[7] and "单位" in msgs[7]
    assert "15 位" in msgs[8]
    assert "不存在" in msgs[9]
    assert "到达" in msgs[10]
    before = (Visit.select().count(), AuditLog.select().count())
    with pytest.raises(NeiqinError, match="一条也没有导入"):
        apply_import(VISITORS, preview)
    assert (Visit.select().count(), AuditLog.select().count()) == before


def test_apply_is_all_or_nothing(host, tmp_path, monkeypatch):
    path = sheet(tmp_path / "ok.xlsx", [VISIT_HEADERS, *(visit_row(n) for n in ["甲一", "乙二", "丙三", "丁四"])])
    preview = read_import(VISITORS, path)
    assert preview.ok
    real_create, calls = VISITORS.create, []

    def failing_create(data, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError({"name": "模拟失败"})
        return real_create(data, **kw)

    monkeypatch.setattr(VISITORS, "create", failing_create)
    before = (Visit.select().count(), AuditLog.select().count())
    with pytest.raises(NeiqinError, match="第 4 行"):
        apply_import(VISITORS, preview)
    assert (Visit.select().count(), AuditLog.select().count()) == before
    with pytest.raises(Cancelled):
        apply_import(VISITORS, preview, cancelled=lambda: True)
    assert Visit.select().count() == before[0]
