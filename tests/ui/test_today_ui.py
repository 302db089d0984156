"""The 今日 tab, driven with the keyboard: tiles and grouped rows, Enter opens records, refresh on change,
printing, charts, and reminders that never pop up over a form."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from neiqin import clock
from neiqin.models import settings
from neiqin.models.base import now
from neiqin.models.seals.loans import lend
from neiqin.models.seals.registry import LICENCES
from neiqin.models.visitors import check_in
from neiqin.ui.printing.preview import PreviewDialog
from neiqin.ui.today_pane import AMBER_BG, RED_BG, SHORT, TodayPane

from .conftest import when_modal


@pytest.fixture
def loan(database, host):
    lic = LICENCES.create({"name": "营业执照", "copy_kind": "副本", "valid_until": dt.date(2040, 1, 1)})
    moment = now()
    return lend({"item": lic, "borrower": {"id": host.id, "name": "张三"}, "purpose": "投标", "approver": "李四",
                 "lent_at": moment - dt.timedelta(days=3), "due_at": moment - dt.timedelta(days=2)})


def today_pane(qtbot, window) -> TodayPane:
    pane = window.show_pane("today")
    assert isinstance(pane, TodayPane)
    qtbot.waitUntil(lambda: pane.board.tree.topLevelItemCount() > 0)
    return pane


def rows(pane) -> list[str]:
    tree = pane.board.tree
    return [tree.topLevelItem(i).text(0).strip() for i in range(tree.topLevelItemCount())]


def test_today_is_the_first_tab_and_in_front_at_start(qtbot, database, datadir, host):
    from neiqin.ui.main_window import MainWindow

    w = MainWindow(datadir)
    qtbot.addWidget(w)
    w.show()
    assert w.tabs.tabText(0) == "今日" and isinstance(w.current_pane(), TodayPane)
    assert "今日待办" in w.count_label.text()
    w.close()


def test_overdue_first_enter_opens_the_record_in_its_tab(qtbot, window, loan):
    pane = today_pane(qtbot, window)
    tree = pane.board.tree
    tree.setCurrentItem(None)
    pane.refresh()  # with nothing selected (as at start), the list starts on the most urgent row
    current = tree.currentItem()
    assert "营业执照（副本）" in current.text(0) and current.text(0).strip().startswith("【逾期】")
    assert current.background(0).color() == RED_BG
    assert pane.board.tiles["seal_loans"].text().startswith("1\n印章证照外借\n逾期 1")
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    seals = window.current_pane()
    assert seals.spec.key == "seal-uses" and seals.tabs.currentWidget().spec.key == "seal-loans"
    assert seals.current_id() == loan.id


def test_arrow_keys_walk_the_rows_and_a_heading_opens_its_ledger(qtbot, window, host, loan):
    check_in({"name": "欧阳明", "company": "某公司", "host": host.id})
    pane = today_pane(qtbot, window)
    tree = pane.board.tree
    tree.setFocus()
    heading = next(i for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0).startswith("在场访客"))
    tree.setCurrentItem(tree.topLevelItem(heading))
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert "欧阳明" in tree.currentItem().text(0)
    qtbot.keyClick(tree, Qt.Key.Key_Up)
    qtbot.keyClick(tree, Qt.Key.Key_Return)  # the heading: the ledger itself
    assert window.current_pane() is window.pane("visitors")


def test_refreshes_when_another_tab_changes_records(qtbot, window, host):
    pane = today_pane(qtbot, window)
    assert "欧阳明" not in " ".join(rows(pane))
    visitors = window.pane("visitors")
    v = check_in({"name": "欧阳明", "company": "某公司", "host": host.id})
    visitors.after_change(v.id)  # what the visitors tab does after its form saved
    qtbot.waitUntil(lambda: any("欧阳明" in r for r in rows(pane)), timeout=3000)
    assert pane.board.tiles["visitors_on_site"].text().startswith("1\n")


def test_long_sections_are_short_until_asked(qtbot, window, host):
    for ch in "甲乙丙丁戊己庚辛壬癸子丑":
        check_in({"name": f"访客{ch}", "host": host.id})
    pane = today_pane(qtbot, window)
    visit_rows = [r for r in rows(pane) if r.startswith("访客")]
    assert len(visit_rows) == SHORT
    tree = pane.board.tree
    more = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if "另有 2 项" in tree.topLevelItem(i).text(0))
    tree.setCurrentItem(more)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert len([r for r in rows(pane) if r.startswith("访客")]) == 12


def test_backup_row_runs_the_backup_action_and_due_rows_are_amber(qtbot, window, host):
    STAFF_BIRTHDAY = clock.today().replace(year=1990) if (clock.today().month, clock.today().day) != (2, 29) \
        else dt.date(1990, 2, 28)
    from neiqin.models import STAFF

    STAFF.update(host, {"birthday": STAFF_BIRTHDAY})
    fired = []
    fake = QAction("备份", window)
    fake.triggered.connect(lambda: fired.append(True))
    window.actions_by_name["backup"] = fake
    pane = today_pane(qtbot, window)
    tree = pane.board.tree
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if "张三" in item.text(0) and "生日" in item.text(0):
            assert item.background(0).color() == AMBER_BG or "今天生日" not in item.text(0)
        if "从未备份到U盘" in item.text(0):
            tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert fired == [True]


def test_ctrl_p_prints_the_worklist_and_the_button_the_handover_sheet(qtbot, window, loan):
    pane = today_pane(qtbot, window)
    window.actions_by_name["print"].trigger()
    assert isinstance(pane.preview, PreviewDialog)
    qtbot.addWidget(pane.preview)
    assert pane.preview.path.name.startswith("今日工作清单") and pane.preview.pages >= 1
    pane.preview.close()
    qtbot.mouseClick(pane.handover_button, Qt.MouseButton.LeftButton)
    qtbot.addWidget(pane.preview)
    assert pane.preview.path.name.startswith("交接班单") and pane.preview.path.exists()


def test_actions_that_need_a_ledger_explain_instead(qtbot, window):
    pane = today_pane(qtbot, window)
    window.actions_by_name["void"].trigger()
    assert "今日页只列出事项" in window.statusBar().currentMessage()
    window.actions_by_name["new"].trigger()  # a menu of tabs to create a record in
    assert pane.new_menu.isVisible() and "来访登记" in [a.text() for a in pane.new_menu.actions()]
    pane.new_menu.close()


def test_charts_view_draws_and_exports_png(qtbot, window, host, tmp_path):
    check_in({"name": "欧阳明", "host": host.id})
    pane = today_pane(qtbot, window)
    window.activateWindow()
    pane.board.tree.setFocus()
    qtbot.keyClick(pane.board.tree, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    charts = pane.charts
    assert charts is not None and pane.tabs.currentIndex() == 1
    titles = [charts.list.item(i).text() for i in range(charts.list.count())]
    assert "来访人次（按月）" in titles and "用印（按月）" in titles
    charts.show_chart("visitors")
    assert charts.data.series["来访"][-1] == 1 and charts.table.rowCount() == 12
    assert "合计 1 件" in charts.total.text()
    out = charts.export_png(tmp_path / "来访")
    image = QImage(str(out))
    assert out.suffix == ".png" and image.width() >= 1200
    assert window.count_label.text().startswith("统计")


# ---------------------------------------------------------------------------------------------- reminders


def test_reminder_shows_new_items_without_taking_the_keyboard(qtbot, window, loan):
    reminders = window.reminders
    visitors = window.pane("visitors")
    window.activateWindow()
    visitors.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is visitors.table)
    assert reminders.remind() >= 2  # the overdue loan and the USB backup
    panel = reminders.panel
    assert panel.isVisible() and not panel.isModal() and QApplication.activeModalWidget() is None
    assert QApplication.focusWidget() is visitors.table  # the keyboard stays where the clerk left it
    texts = [panel.list.topLevelItem(i).text(1) for i in range(panel.list.topLevelItemCount())]
    assert any("营业执照（副本）" in t for t in texts) and any("从未备份" in t for t in texts)
    panel.hide()
    # nothing new: no list, a line in the status bar
    assert reminders.remind() == 0 and not panel.isVisible()
    assert "没有新的到期事项" in window.statusBar().currentMessage()
    # Enter on a row opens its record
    panel.set_items([(s, i) for s, i in [(s, i) for s in [] for i in []]], now())
    panel.show()
    from neiqin.models import today

    pairs = today.urgent_items(today.compute(keys=["seal_loans"]))
    panel.set_items(pairs, now())
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.current_pane().spec.key == "seal-uses" and window.current_pane().current_id() == loan.id


def test_reminder_waits_while_a_dialog_is_open_and_shows_after(qtbot, window, loan):
    reminders = window.reminders
    outcome = {}

    def in_dialog(box):
        outcome["shown"] = reminders.remind()
        outcome["panel"] = reminders.panel.isVisible()
        outcome["notice"] = reminders.notice.isVisible() and reminders.notice.text()
        box.accept()

    when_modal(in_dialog)
    QMessageBox.information(window, "表单", "正在填写")
    assert outcome["shown"] >= 1 and outcome["panel"] is False
    assert outcome["notice"] and outcome["notice"].startswith("提醒：") and "项新到期" in outcome["notice"]
    reminders.tick()  # the next tick: the dialog is gone, the list appears
    assert reminders.panel.isVisible() and not reminders.notice.isVisible()


def test_reminder_waits_while_the_clerk_types_in_a_field(qtbot, window, loan):
    reminders = window.reminders
    search = window.pane("visitors").search
    window.activateWindow()
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search)
    reminders.remind()
    assert not reminders.panel.isVisible() and reminders.notice.isVisible()
    qtbot.mouseClick(reminders.notice, Qt.MouseButton.LeftButton)  # the clerk asks to see them now
    assert reminders.panel.isVisible()


def test_set_times_of_day_trigger_a_check(qtbot, window, loan):
    reminders = window.reminders
    settings.set_value("today.reminder_times", "09:00, 14:00")
    day = clock.today()
    reminders.last_check = dt.datetime.combine(day, dt.time(8, 59))
    window.pane("visitors").table.setFocus()
    reminders.tick(dt.datetime.combine(day, dt.time(8, 59, 30)))
    assert not reminders.panel.isVisible()  # not yet 09:00
    reminders.tick(dt.datetime.combine(day, dt.time(9, 0, 10)))
    assert reminders.panel.isVisible() and reminders.last_check.time() == dt.time(9, 0, 10)


def test_settings_page_checks_reminder_times_at_the_field(qtbot, window):
    from neiqin.ui.dialogs import SettingsDialog
    from neiqin.ui.reminders import ReminderSettingsPage

    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    dlg.show()  # the page is added when the dialog is first shown
    page = dlg._reminders_page
    assert isinstance(page, ReminderSettingsPage)
    page.times.setText("9:00，25:61")
    assert "25:61" in page.error.text()
    page.times.setText("14:00 9:30")
    assert page.error.text() == ""
    page.save()
    assert settings.get("today.reminder_times") == "09:30, 14:00"


def test_no_reminder_list_over_the_today_tab_itself(qtbot, window, loan):
    window.show_pane("today")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.pane("today").board.tree.setFocus()
    assert window.reminders.remind() >= 1
    assert not window.reminders.panel.isVisible() and "见今日" in window.statusBar().currentMessage()


def test_a_change_refreshes_only_the_sections_of_the_ledgers_it_wrote(qtbot, window, host, monkeypatch):
    """A visitor checked out while 今日 is in front: only the visitor sections (and the USB line, which belongs to
    no ledger) are computed again, from the ledgers the write reported; the others are kept as they were."""
    from neiqin.models import today

    visit = check_in({"name": "李雷", "host": host.id, "purpose": "送货"})
    pane = today_pane(qtbot, window)
    assert any("李雷" in r for r in rows(pane))
    asked: list[list[str] | None] = []
    real = today.compute
    monkeypatch.setattr(today, "compute", lambda day=None, keys=None: (asked.append(keys), real(day, keys))[1])
    visitors = window.pane("visitors")  # not shown: 今日 stays in front
    visitors.refresh()
    qtbot.waitUntil(lambda: visitors.select_id(visit.id))
    visitors.leave_btn.click()  # the real button
    qtbot.waitUntil(lambda: bool(asked))
    assert sorted(asked[-1]) == ["usb_backup", "visitor_appointments", "visitors_on_site"]
    qtbot.waitUntil(lambda: not any("李雷" in r for r in rows(pane)))
    assert window.current_pane() is pane
