"""Ctrl+K: type, results grouped as you type, ↓ into them, Enter opens the record; 查看全部 opens the ledger."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from neiqin.models import STAFF
from neiqin.models.visitors import check_in
from neiqin.ui.global_search import GlobalSearchDialog

from .conftest import type_text


def open_box(qtbot, window) -> GlobalSearchDialog:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dlg = window.global_search
    qtbot.waitUntil(dlg.isVisible)
    assert not dlg.isModal()
    return dlg


def heads(dlg) -> list[str]:
    tree = dlg.results
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())
            if not tree.topLevelItem(i).flags() & Qt.ItemFlag.ItemIsSelectable]


def test_pinyin_initials_down_and_enter_open_the_person(qtbot, window, host):
    other = STAFF.create({"name": "赵小明", "department": "财务部"})
    dlg = open_box(qtbot, window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.box)  # the keyboard is in the box at once
    qtbot.keyClicks(dlg.box, "zs")
    qtbot.waitUntil(lambda: heads(dlg) == ["通讯录"], timeout=2000)
    assert "通讯录" in heads(dlg) and "1 个台账中有结果" in dlg.status.text()
    qtbot.keyClick(dlg.box, Qt.Key.Key_Down)
    assert dlg.results.hasFocus() and "张三" in dlg.results.currentItem().text(0)
    qtbot.keyClick(dlg.results, Qt.Key.Key_Return)
    assert not dlg.isVisible()
    staff = window.current_pane()
    assert staff.spec.key == "staff" and staff.current_id() == host.id
    assert other.id != host.id


def test_one_chinese_character_groups_and_see_all_in_the_ledger(qtbot, window, host):
    for ch in "甲乙丙丁戊己庚辛壬癸":
        check_in({"name": f"张{ch}", "company": "某公司", "host": host.id})
    dlg = open_box(qtbot, window)
    type_text(qtbot, dlg.box, "张")
    qtbot.waitUntil(lambda: "来访登记簿" in heads(dlg), timeout=2000)
    assert heads(dlg)[0] == "通讯录"  # people first
    tree = dlg.results
    more = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(0).strip().startswith("在该台账中查看全部"))
    assert "10 条" in more.text(0)
    tree.setFocus()
    tree.setCurrentItem(more)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    visitors = window.current_pane()
    assert visitors.spec.key == "visitors" and visitors.search.text() == "张"
    assert visitors.model.rowCount() == 10


def test_enter_in_the_box_opens_the_first_hit_and_typing_in_the_list_goes_on_in_the_box(qtbot, window, host):
    v = check_in({"name": "欧阳明", "company": "上海浦东物流有限公司", "host": host.id})
    dlg = open_box(qtbot, window)
    type_text(qtbot, dlg.box, "浦东物")
    qtbot.waitUntil(lambda: heads(dlg) == ["来访登记簿"], timeout=2000)
    qtbot.keyClick(dlg.box, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.results, Qt.Key.Key_Up)  # from the first hit back to the box
    assert QApplication.focusWidget() is dlg.box
    qtbot.keyClick(dlg.box, Qt.Key.Key_Down)
    qtbot.keyClicks(dlg.results, "x")
    assert dlg.box.text() == "浦东物x" and QApplication.focusWidget() is dlg.box
    qtbot.keyClick(dlg.box, Qt.Key.Key_Backspace)
    qtbot.keyClick(dlg.box, Qt.Key.Key_Return)
    assert window.current_pane().spec.key == "visitors" and window.current_pane().current_id() == v.id


def test_nothing_found_and_escape_closes(qtbot, window, host):
    dlg = open_box(qtbot, window)
    type_text(qtbot, dlg.box, "查无此人")
    qtbot.waitUntil(lambda: "没有找到" in dlg.status.text(), timeout=2000)
    qtbot.keyClick(dlg.box, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    again = open_box(qtbot, window)  # the same box, the last words selected for retyping
    assert again is dlg and dlg.box.selectedText() == "查无此人"
