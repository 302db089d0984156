"""Export the current view and import staff through the real dialogs."""

import openpyxl

from neiqin.models import Staff
from neiqin.ui.dialogs import ImportPreviewDialog

from .conftest import when_modal


def test_export_current_filtered_view(qtbot, window, tmp_path, monkeypatch):
    from neiqin.models.visitors import check_in

    check_in({"name": "李四", "host_name": "张三", "company": "=HYPERLINK(\"x\")"})
    check_in({"name": "王五", "host_name": "张三"})
    pane = window.pane("visitors")
    pane.search.setText("李四")
    pane.apply_filters()
    out = tmp_path / "v.xlsx"
    monkeypatch.setattr(pane, "ask_save_path", lambda *a: str(out))
    assert pane.export_view() == out
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "姓名", "单位")
    assert [r[1] for r in rows[1:]] == ["李四"]
    assert rows[1][2] == '=HYPERLINK("x")' and ws.cell(2, 3).data_type == "s"


def test_import_staff_with_preview(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.merge_cells("A1:D1")
    ws["A1"] = "某某公司通讯录"
    ws.append(["姓名", "部门", "职务", "手机"])
    ws.append(["王小明", "财务部", "会计", "13800001111"])
    ws.append(["李红", "技术部", "工程师", "13900002222"])
    wb.save(path)
    pane = window.pane("staff")
    window.show_pane(pane)
    monkeypatch.setattr(pane, "ask_open_path", lambda *a: str(path))
    seen = {}

    def on_preview(dlg):
        assert isinstance(dlg, ImportPreviewDialog)
        seen["ok"] = dlg.ok_button.isEnabled()
        when_modal(lambda box: box.accept())  # the "导入完成" message
        dlg.accept()

    when_modal(on_preview)
    assert pane.import_file() == 2
    assert seen["ok"]
    assert {s.name for s in Staff.select()} >= {"王小明", "李红"}


def test_import_with_bad_rows_imports_nothing(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "部门", "手机"])
    ws.append(["王小明", "财务部", "13800001111"])
    ws.append(["", "技术部", "13900002222"])
    ws.append(["赵六", "技术部", "12345678901"])
    wb.save(path)
    pane = window.pane("staff")
    monkeypatch.setattr(pane, "ask_open_path", lambda *a: str(path))
    before = Staff.select().count()
    seen = {}

    def on_preview(dlg):
        seen["ok"] = dlg.ok_button.isEnabled()
        seen["errors"] = [dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())]
        dlg.reject()

    when_modal(on_preview)
    assert pane.import_file() == 0
    assert not seen["ok"]
    assert any("姓名" in e for e in seen["errors"]) and any("手机" in e for e in seen["errors"])
    assert Staff.select().count() == before


def test_corrupt_file_gives_clear_message(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook at all")
    pane = window.pane("staff")
    monkeypatch.setattr(pane, "ask_open_path", lambda *a: str(path))
    seen = {}

    def on_box(box):
        seen["text"] = box.text()
        box.accept()

    when_modal(on_box)
    assert pane.import_file() == 0
    assert "损坏" in seen["text"] or "不是 Excel" in seen["text"]
