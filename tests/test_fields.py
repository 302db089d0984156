"""One field declaration: database column, normalisation and validation, form field, table/print/Excel column."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from neiqin.errors import ValidationError
from neiqin.models.fields import Field, Fields, FormField, half_width, half_width_code


def clean(field: Field, value):
    errors: dict[str, str] = {}
    out = field.clean(value, errors)
    return out, errors.get(field.key)


# ---------------------------------------------------------------------------------------------- normalisation


def test_full_width_digits_and_letters_become_half_width_and_chinese_punctuation_stays():
    assert half_width("ＡＢＣ１２３（北京）") == "ABC123（北京）"
    assert half_width_code("ＳＦ－１２３４") == "SF-1234"
    assert clean(Field("name", "单位"), "　北京ＸＹ科技有限公司１号 ") == ("北京XY科技有限公司1号", None)


@pytest.mark.parametrize("field,value,expected", [
    (Field("no", "单号", "code"), " ｓｆ １２３４ ５６７８ ", "SF12345678"),
    (Field("id", "证件号码", "resident_id"), "１１０１０５１９４９１００１０００７", "110105194910010007"),
    (Field("plate", "车牌号", "plate"), "京ａ·１２３４５", "京A12345"),
    (Field("phone", "手机", "phone"), "１３８ ００１３ ８０００", "13800138000"),
    (Field("n", "人数", "int", lo=1, hi=500), "１２", 12),
    (Field("d", "日期", "date"), "２０２６／１２／０９", dt.date(2026, 12, 9)),
    (Field("d", "日期", "date"), "2026年12月9日", dt.date(2026, 12, 9)),
    (Field("t", "时间", "time"), "１４：３０", dt.time(14, 30)),
    (Field("m", "时间", "datetime"), "2026/12/09 14:30", dt.datetime(2026, 12, 9, 14, 30)),
    (Field("b", "已核对", "bool"), "是", True),
])
def test_each_kind_normalises_what_a_clerk_or_a_scanner_types(field, value, expected):
    assert clean(field, value) == (expected, None)


@pytest.mark.parametrize("field,value,message", [
    (Field("name", "姓名", required=True), "  ", "请填写姓名"),
    (Field("kind", "类型", "choice", choices=("甲", "乙"), required=True), "", "请选择类型"),
    (Field("name", "姓名", max_len=4), "欧阳娜娜娜", "姓名不能超过 4 字（现有 5 字）"),
    (Field("kind", "类型", "choice", choices=("甲", "乙")), "丙", "类型应为：甲、乙"),
    (Field("phone", "手机", "phone"), "12345abc", "格式不正确"),
    (Field("id", "证件号码", "resident_id"), "110105194910010002", "校验"),
    (Field("plate", "车牌号", "plate"), "ABC", "车牌号格式不正确，例如 京A12345"),
    (Field("n", "人数", "int", lo=1, hi=500), "五", "人数必须是整数"),
    (Field("n", "人数", "int", lo=1, hi=500), "501", "人数应在 1 到 500 之间"),
    (Field("d", "日期", "date", required=True), "", "请填写日期"),
    (Field("d", "日期", "date"), "2026-13-01", "日期格式应为 YYYY-MM-DD"),
    (Field("t", "时间", "time"), "25:00", "时间格式应为 时:分，例如 14:30"),
    (Field("m", "时间", "datetime"), "昨天", "时间格式应为 YYYY-MM-DD HH:MM"),
    (Field("note", "事由"), "好的😀", "事由不能包含表情符号（打印和导出时无法显示）"),
    (Field("note", "事由"), "第一行\n第二行", "事由不能换行"),
    (Field("who", "经办人", "staff", required=True), None, "请填写经办人"),
])
def test_bad_input_is_one_chinese_sentence_at_the_field(field, value, message):
    _, error = clean(field, value)
    assert error is not None and message in error


def test_empty_values_take_the_declared_default():
    assert clean(Field("t", "证件类型", "choice", choices=("身份证", "护照"), default="身份证"), "") == ("身份证", None)
    assert clean(Field("n", "人数", "int", lo=1, hi=9, default=1), None) == (1, None)
    assert clean(Field("d", "日期", "date"), "") == (None, None)
    assert clean(Field("x", "备注", "multiline"), None) == ("", None)


def test_an_open_choice_accepts_other_text():
    assert clean(Field("p", "事由", "choice", choices=("送货",), open_choices=True), "安装调试") == ("安装调试", None)


def test_an_unknown_kind_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown field kind"):
        Field("x", "某", "colour")


# ---------------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize("field,value,unit,expected", [
    (Field("q", "数量", "qty", lo=1), "１２", "盒", 12000),  # thousandths of a unit
    (Field("q", "数量", "qty", lo=1), "１２.５", "米", 12500),
    (Field("q", "数量", "qty", lo=1), "１２．５", "千克", 12500),
    (Field("q", "数量", "qty", lo=1), " 3盒 ", "盒", 3000),
    (Field("q", "数量", "qty", lo=1), "1,200", "支", 1_200_000),
    (Field("q", "安全库存", "qty"), "0", "盒", 0),
    (Field("q", "安全库存", "qty"), "", "盒", 0),
    (Field("m", "金额", "money"), "¥12.50", None, 1250),  # 分
    (Field("m", "金额", "money"), "￥１２.５", None, 1250),
    (Field("m", "金额", "money"), "12元", None, 1200),
    (Field("m", "金额", "money"), "", None, None),  # not given (receive() then computes it)
    (Field("p", "单价", "price"), "0.355", None, 3550),  # 1/10000 元
    (Field("p", "单价", "price"), "２.３５元", None, 23500),
])
def test_quantities_and_money_are_read_as_their_stored_integers(field, value, unit, expected):
    errors: dict[str, str] = {}
    assert field.clean(value, errors, unit=unit) == expected and errors == {}


@pytest.mark.parametrize("field,value,unit,message", [
    (Field("q", "领用数量", "qty", lo=1, required=True), "", "盒", "请填写领用数量"),
    (Field("q", "领用数量", "qty", lo=1), "0", "盒", "领用数量必须大于 0"),
    (Field("q", "领用数量", "qty", lo=1), "-2", "盒", "领用数量必须大于 0"),
    (Field("q", "领用数量", "qty", lo=1), "2.5", "盒", "“盒”按整数计量，领用数量不能是 2.5"),
    (Field("q", "领用数量", "qty", lo=1), "1.2345", "米", "领用数量最多 3 位小数"),
    (Field("q", "领用数量", "qty", lo=1), "三盒", "盒", "领用数量应为数字"),
    (Field("q", "领用数量", "qty", lo=1, hi=500), "501", "盒", "领用数量不能超过 500"),
    (Field("q", "领用数量", "qty", lo=1), "2000000", "盒", "领用数量过大"),
    (Field("m", "金额", "money"), "12.345", None, "金额最多 2 位小数（分）"),
    (Field("m", "金额", "money"), "-1", None, "金额不能为负数"),
    (Field("m", "金额", "money"), "十二元", None, "金额应为数字，例如 12.50"),
    (Field("m", "金额", "money", hi=1000), "1000.01", None, "金额不能超过 1,000"),
    (Field("p", "单价", "price", required=True), "", None, "请填写单价"),
    (Field("p", "单价", "price"), "0.12345", None, "单价最多 4 位小数"),
])
def test_a_bad_quantity_or_sum_is_one_chinese_sentence_at_the_field(field, value, unit, message):
    errors: dict[str, str] = {}
    field.clean(value, errors, unit=unit)
    assert list(errors) == [field.key] and message in errors[field.key]


def test_a_line_of_a_slip_reports_at_its_own_key():
    errors: dict[str, str] = {}
    Field("qty", "领用数量", "qty", lo=1).clean("0", errors, at="qty.2", unit="盒")
    assert errors == {"qty.2": "领用数量必须大于 0"}


def test_a_checked_amount_checked_again_stays_as_it_is():
    """An Excel import checks every row, then saves the checked rows: 12 盒 must not become 12000 盒."""
    errors: dict[str, str] = {}
    qty, price = Field("q", "数量", "qty", lo=1), Field("p", "单价", "price")
    assert qty.clean(qty.clean("１２", errors, unit="盒"), errors, unit="盒") == 12000
    assert price.clean(price.clean("¥2.5", errors), errors) == 25000 and errors == {}


def test_amounts_are_integer_columns_right_aligned_numbers_in_excel_and_shown_with_their_unit():
    from decimal import Decimal

    amounts = Fields("amounts", Field("unit", "单位", max_len=4), Field("qty", "数量", "qty", lo=1, width=6),
                     Field("cost", "金额", "money", width=8), Field("price", "单价", "price"))
    db = pw.SqliteDatabase(":memory:")

    @amounts.table
    class Line(pw.Model):
        class Meta:
            database = db

    assert all(isinstance(Line._meta.fields[k], pw.IntegerField) for k in ("qty", "cost", "price"))
    row = {"unit": "米", "qty": 2500, "cost": 123450, "price": 3550}
    cols = {c.key: c for c in amounts.columns()}
    assert [cols[k].display(row) for k in ("qty", "cost", "price")] == ["2.5", "1234.50", "0.355"]
    assert cols["qty"].excel_value(row) == Decimal("2.5") and cols["cost"].excel_value(row) == Decimal("1234.50")
    assert {cols[k].align for k in ("qty", "cost", "price")} == {"right"}
    assert (cols["qty"].print_kind, cols["cost"].print_kind) == ("number", "amount")
    assert amounts["qty"].text(2500, row) == "2.5 米" and amounts["cost"].text(123450) == "1,234.50"
    errors: dict[str, str] = {}
    assert amounts.clean({"unit": "盒", "qty": "2.5", "cost": "¥3"}, errors)["cost"] == 300
    assert errors == {"qty": "“盒”按整数计量，数量不能是 2.5"}  # the unit comes from the row
    form = amounts.form("qty", "cost")
    assert [f.kind for f in form] == ["text", "text"]  # typed as text: ¥12.50, 3盒


# ---------------------------------------------------------------------------------------------- the four uses


FIELDS = Fields(
    "test-ledger",
    Field("name", "姓名", required=True, max_len=40, width=8, sortable=True, aliases=("来访人",), history=True),
    Field("kind", "类型", "choice", choices=("甲", "乙"), default="甲", max_len=4),
    Field("size", "人数", "int", lo=1, hi=500, default=1, width=5),
    Field("day", "日期", "date", required=True, index=True, header="来访日期"),
    Field("at", "到达时间", "datetime", header="到达", width=7),
    Field("note", "备注", "multiline"),
    Field("who", "经办人", "staff", stored=False, required=True, error_keys=("who_name",)),
    Field("total", "合计", "int", stored=False, value=lambda row: row["size"] * 2),
)


def test_the_database_columns_come_from_the_declaration():
    db = pw.SqliteDatabase(":memory:")

    @FIELDS.table
    class Thing(pw.Model):
        class Meta:
            database = db

    fields = Thing._meta.fields
    assert set(fields) == {"id", "name", "kind", "size", "day", "at", "note"}  # not the computed or staff ones
    assert isinstance(fields["name"], pw.CharField) and fields["name"].max_length == 40
    assert isinstance(fields["note"], pw.TextField) and isinstance(fields["size"], pw.IntegerField)
    assert isinstance(fields["day"], pw.DateField) and not fields["day"].null and fields["day"].index
    assert isinstance(fields["at"], pw.DateTimeField) and fields["at"].null
    db.create_tables([Thing])
    t = Thing.create(name="王芳", day=dt.date(2026, 12, 9))
    assert (t.kind, t.size, t.note) == ("甲", 1, "")


def test_clean_checks_every_stored_field_and_collects_every_error():
    errors: dict[str, str] = {}
    out = FIELDS.clean({"name": "ＷＡＮＧ", "kind": "丙", "size": "0", "day": ""}, errors)
    assert out["name"] == "WANG" and set(out) == {"name", "kind", "size", "day", "at", "note"}
    assert errors == {"kind": "类型应为：甲、乙", "size": "人数应在 1 到 500 之间", "day": "请填写日期"}
    with pytest.raises(KeyError):
        FIELDS.clean({}, {}, ("nope",))


def test_table_print_and_excel_columns_come_from_the_declaration():
    cols = {c.key: c for c in FIELDS.columns()}
    assert [c.key for c in FIELDS.columns("day", "name")] == ["day", "name"]
    assert cols["name"].header_names == ("姓名", "来访人") and cols["name"].width == 8 and cols["name"].sortable
    assert cols["day"].header == "来访日期" and cols["day"].kind == "date" and "日期" in cols["day"].header_names
    assert cols["at"].header == "到达" and cols["at"].display({"at": dt.datetime(2026, 12, 9, 14, 30)}) == \
        "2026-12-09 14:30"
    assert cols["size"].align == "right" and cols["total"].display({"size": 3}) == "6"
    assert FIELDS.columns("size", size={"align": "center"})[0].align == "center"


def test_form_fields_come_from_the_declaration_with_per_form_changes():
    form = {f.key: f for f in FIELDS.form("name", "kind", "size", "day", "note", "who",
                                          day={"label": "预约日期"})}
    assert form["name"] == FormField("name", "姓名", "text", required=True, history=("test-ledger", "name"),
                                     max_len=40, minimum=0, maximum=9999)
    assert form["kind"].kind == "combo" and form["kind"].choices == ["甲", "乙"]
    assert (form["size"].kind, form["size"].minimum, form["size"].maximum) == ("int", 1, 500)
    assert form["day"].label == "预约日期" and form["note"].kind == "multiline"
    assert form["who"].kind == "staff" and form["who"].error_keys == ("who_name",)


def test_a_key_declared_twice_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        Fields("x", Field("a", "甲"), Field("a", "乙"))


# ---------------------------------------------------------------------------------------------- a real ledger


def test_the_visitor_ledger_declares_each_field_once(database):
    """来访登记: the database column, the check, the form and the register/Excel column of a field agree, because
    they are the same declaration."""
    from neiqin.models.visitors import VISIT_FIELDS, VISITORS, Visit

    for f in VISIT_FIELDS:
        if f.stored:
            assert f.key in Visit._meta.fields, f.key
            col = Visit._meta.fields[f.key]
            if isinstance(col, pw.CharField):
                assert col.max_length == f.limit, f.key
    columns = {c.key: c for c in VISITORS.columns}
    for key, col in columns.items():
        f = VISIT_FIELDS[key]
        assert col.header == (f.header or f.label) and set(f.aliases) <= set(col.aliases) and col.width == f.width
        assert f.label in col.header_names
    assert columns["id_number"].display({"id_number": "110105194910010007"}) != "110105194910010007"  # masked


def test_a_visitor_typed_with_full_width_characters_is_stored_half_width(database):
    from neiqin.models.staff import STAFF
    from neiqin.models.visitors import check_in

    host = STAFF.create({"name": "王芳", "department": "办公室"})
    v = check_in({"name": "李雷", "company": "ＡＢＣ科技", "phone": "１３８００１３８０００", "plate": "京ａ１２３４５",
                  "host": host.id, "id_type": "护照", "id_number": "ｅ１２３４５６７８"})
    assert (v.company, v.phone, v.plate, v.id_number) == ("ABC科技", "13800138000", "京A12345", "E12345678")
    with pytest.raises(ValidationError) as e:
        check_in({"name": "韩梅梅", "host": host.id, "party_size": "六百"})
    assert e.value.errors == {"party_size": "人数必须是整数"}


def test_every_ledger_with_a_field_declaration_takes_its_columns_and_table_from_it(database):
    """For each converted ledger (来访, 通讯录, 地址簿, 会议室, 印章, 证照, 会议, 督办, 预订, 用印, 外借, 办公用品, 出入库 …):
    the database column of a field has the declared length, and its register/Excel column the declared title, width
    and aliases."""
    from neiqin.models import load_all
    from neiqin.models.ledger import LEDGERS

    load_all()
    declared = [spec for spec in LEDGERS.values() if spec.fields is not None]
    assert {"visitors", "staff", "addresses", "rooms", "seals", "licences", "meetings", "actions", "bookings",
            "seal-uses", "seal-loans", "supplies", "stock-moves", "incoming", "outgoing", "parcels",
            "dispatches"} <= {s.key for s in declared}
    for spec in declared:
        for f in spec.fields:
            if f.stored:
                col = spec.model._meta.fields[f.key]
                assert getattr(col, "max_length", f.limit) == f.limit or not f.limit, (spec.key, f.key)
        for col in spec.columns:
            if col.key in spec.fields:
                f = spec.fields[col.key]
                assert (col.header, col.width) == (f.header or f.label, f.width), (spec.key, col.key)
                assert set(f.aliases) <= set(col.aliases), (spec.key, col.key)


# ---------------------------------------------------------------------------------------------- 用印, 外借, 办公用品

SCHEMA_TABLES = ("supply", "stock_move", "stocktake", "stocktake_line", "seal_use", "seal_loan")


def test_a_new_database_has_the_seal_and_supply_tables_byte_for_byte_as_before(database, datadir):
    """Declaring the fields of 用印, 外借, 办公用品, 出入库 and 盘点 once changed no column, type, default, order or
    index: the CREATE statements are those of a new file before the change (tests/fixtures)."""
    import sqlite3
    from pathlib import Path

    expected = (Path(__file__).parent / "fixtures" / "schema-seals-supplies.sql").read_text(encoding="utf-8")
    con = sqlite3.connect(datadir.db_path)
    try:
        names = ", ".join(f"'{t}'" for t in SCHEMA_TABLES)
        rows = con.execute(f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({names}) AND sql NOT NULL").fetchall()
    finally:
        con.close()
    assert sorted(r[0] for r in rows) == expected.splitlines()


def test_issue_and_loan_typed_full_width_are_stored_half_width_and_too_long_is_refused(database, host):
    from neiqin.models.seals.loans import lend
    from neiqin.models.seals.registry import SEALS
    from neiqin.models.supplies import items, posting

    box = items.SUPPLIES.create({"name": "Ａ４复印纸", "unit": "包", "code": "ｂｇ００１", "min_stock": "５",
                                 "ref_price": "¥２３.５", "barcode": "６９０１２３４５６７８９２"})
    assert (box.name, box.code, box.min_stock, box.ref_price, box.barcode) == \
        ("A4复印纸", "BG001", 5000, 235000, "6901234567892")
    posting.receive({"item": "ｂｇ００１", "qty": "１０", "unit_price": "２３.５０元"})
    move = posting.issue({"person": host.id, "item": box, "qty": "２", "purpose": "ＯＡ打印"})[0]
    assert (move.qty, move.purpose, move.department) == (-2000, "OA打印", "办公室")
    with pytest.raises(ValidationError) as e:
        posting.issue({"person": host.id, "item": box, "qty": "1", "purpose": "用" * 201})
    assert e.value.errors == {"purpose": "用途不能超过 200 字（现有 201 字）"}
    seal = SEALS.create({"name": "公司公章", "custodian": host.id})
    loan = lend({"item": seal, "borrower": host.id, "approver": "李强", "purpose": "ＸＹ公司签约",
                 "due_at": dt.datetime(2030, 1, 1, 17, 30)})
    assert loan.purpose == "XY公司签约"
    with pytest.raises(ValidationError) as e:
        lend({"item": seal, "borrower": "王" * 41, "approver": "李强", "purpose": "签约",
              "due_at": dt.datetime(2030, 1, 1, 17, 30)})
    assert e.value.errors["borrower"] == "借用人不能超过 40 字（现有 41 字）"


def test_the_item_register_imports_excel_under_its_aliases_with_amounts_typed_any_way(database, tmp_path):
    """物品 from a supplier's sheet: 物品名称/规格/最低库存/单价/库位/条形码 are the declared aliases; full-width
    numbers and ¥ prices are read as the clerk meant them."""
    from openpyxl import Workbook

    from neiqin.models.supplies.items import SUPPLIES, Supply
    from neiqin.reports.excel import apply_import, read_import

    wb = Workbook()
    ws = wb.active
    ws.append(["物品名称", "规格", "单位", "最低库存", "单价", "库位", "条形码"])
    ws.append(["中性笔", "０.５mm 黑", "支", "１２", "¥２.５０", "A柜", "6901234567892"])
    ws.append(["网线", "", "米", 20.5, 1.2, "B柜", ""])
    path = tmp_path / "物品.xlsx"
    wb.save(path)
    preview = read_import(SUPPLIES, path)
    assert preview.ok, preview.errors
    apply_import(SUPPLIES, preview)
    pen, wire = Supply.select().order_by(Supply.id)
    assert (pen.name, pen.spec, pen.min_stock, pen.ref_price, pen.location, pen.barcode) == \
        ("中性笔", "0.5mm 黑", 12000, 25000, "A柜", "6901234567892")
    assert (wire.unit, wire.min_stock, wire.ref_price) == ("米", 20500, 12000)
    bad = tmp_path / "bad.xlsx"
    ws.append(["订书钉", "", "盒", "2.5", "", "", ""])
    wb.save(bad)
    assert "安全库存不能是 2.5" in " ".join(str(x) for x in read_import(SUPPLIES, bad).errors)


def test_a_table_keeps_the_column_order_it_names():
    """A converted ledger whose class body keeps some columns names the order an existing table has them in."""
    db = pw.SqliteDatabase(":memory:")
    decl = Fields("order", Field("name", "名称", max_len=20), Field("qty", "数量", "qty"))

    @decl.table(order=("code", "name", "qty", "line"))
    class Row(pw.Model):
        code = pw.CharField(max_length=10)
        line = pw.IntegerField(default=1)

        class Meta:
            database = db

    assert Row._meta.sorted_field_names == ["id", "code", "name", "qty", "line"]
    db.create_tables([Row])
    assert [r[1] for r in db.execute_sql("PRAGMA table_info(row)")] == ["id", "code", "name", "qty", "line"]
    with pytest.raises(ValueError, match="missing"):
        @decl.table(order=("name", "qty"))
        class Short(pw.Model):
            code = pw.CharField(max_length=10)
