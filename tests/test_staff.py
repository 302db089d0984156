import pytest

from neiqin.errors import ValidationError
from neiqin.models import STAFF, Department, LedgerQuery, Staff
from neiqin.models.staff import match_staff, staff_choices


def test_picker_finds_by_character_initials_and_full_pinyin(database):
    for name, dep in [("张三", "办公室"), ("张三丰", "技术部"), ("李四", "财务部"), ("赵章", "办公室")]:
        STAFF.create({"name": name, "department": dep})
    choices = staff_choices()
    names = lambda t: [c.name for c in match_staff(choices, t)]  # noqa: E731
    assert names("张")[:2] == ["张三", "张三丰"]
    assert names("zs")[0] == "张三"
    assert names("zhangsan")[0] == "张三"
    assert names("张三") == ["张三", "张三丰"]
    assert "李四" in names("ls")
    assert names("xyz") == []


def test_left_staff_not_offered_by_default(database):
    s = STAFF.create({"name": "王离", "department": "办公室"})
    STAFF.update(s, {"status": "离职"})
    assert "王离" not in [c.name for c in staff_choices()]
    assert "王离" in [c.name for c in staff_choices(include_left=True)]


@pytest.mark.parametrize("field, value", [("name", ""), ("email", "not-an-email"), ("mobile", "12345678901"),
                                          ("extension", "12a"), ("birthday", "1990-13-01")])
def test_staff_bad_input(database, field, value):
    data = {"name": "张三", field: value}
    with pytest.raises(ValidationError) as e:
        STAFF.create(data)
    assert field in e.value.errors
    assert Staff.select().count() == 0


def test_departments_list_keeps_used_ones(database):
    Department.set_list(["办公室", "财务部"])
    Department.set_list(["财务部", "技术部"])
    assert Department.names() == ["财务部", "技术部"]
    assert Department.get(Department.name == "办公室").active is False
    with pytest.raises(ValidationError):
        Department.set_list(["财务部", "财务部"])


def test_staff_search_by_pinyin(database):
    STAFF.create({"name": "欧阳娜娜", "department": "市场部"})
    assert STAFF.fetch_page(LedgerQuery(search="oyn"))[0]["name"] == "欧阳娜娜"
    assert STAFF.fetch_page(LedgerQuery(search="娜"))[0]["name"] == "欧阳娜娜"


def test_a_department_arriving_by_import_or_edit_joins_the_department_list(database, tmp_path):
    """The department list grows from every way a person is saved (form, Excel import, CLI), not only the tab."""
    from openpyxl import Workbook

    from neiqin.reports.excel import apply_import, read_import

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "部门", "手机号"])
    ws.append(["周七", "审计部", "１３９１２３４５６７８"])  # full-width digits, as typed with a Chinese input method
    wb.save(tmp_path / "staff.xlsx")
    preview = read_import(STAFF, tmp_path / "staff.xlsx")
    assert preview.ok, preview.errors
    apply_import(STAFF, preview)
    assert "审计部" in Department.names()
    assert Staff.get(Staff.name == "周七").mobile == "13912345678"
    STAFF.update(Staff.get(Staff.name == "周七"), {"department": "法务部"})
    assert {"审计部", "法务部"} <= set(Department.names())
