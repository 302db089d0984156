"""设置 gathers the pages every feature registers: 打印字体, 今日与提醒, 快递, 工作日历 — saved with the dialog."""

from neiqin.models import settings
from neiqin.ui.dialogs import SettingsDialog


def test_every_feature_page_is_in_the_settings_dialog_once(qtbot, window):
    for _ in range(2):  # opened twice: the pages are not added twice
        dlg = SettingsDialog(window)
        qtbot.addWidget(dlg)
        titles = [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]
        for title in ("打印字体", "今日与提醒", "快递", "工作日历"):
            assert titles.count(title) == 1, titles
    dlg.save()
    assert len(dlg.extra_pages) >= 3
    assert settings.get("parcels.overdue_days") is not None


def test_workdays_page_names_the_known_years_and_opens_the_editor(qtbot, window):
    from neiqin.models import workdays
    from neiqin.ui.settings.workdays_dialog import WorkdaysDialog
    from neiqin.ui.settings.workdays_page import WorkdaysPage

    from .conftest import when_modal

    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    page = next(p for p, _ in dlg.extra_pages if isinstance(p, WorkdaysPage))
    assert all(str(y) in page.status.text() for y in workdays.known_years())
    seen = []

    def on_editor(editor):
        seen.append(isinstance(editor, WorkdaysDialog))
        editor.reject()

    when_modal(on_editor)
    page.edit.click()
    assert seen == [True]


def test_a_wrong_closing_time_is_said_on_its_own_tab_and_nothing_is_saved(qtbot, window):
    """下班时间 25:99 typed on the 来访 tab, the clerk back on the first tab presses 保存: the dialog brings the 来访
    tab to the front with the message under the field and the cursor in it; nothing is saved."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.org_name.setText("某某市某某有限公司")
    dlg.closing.selectAll()
    qtbot.keyClicks(dlg.closing, "2599")
    dlg.tabs.setCurrentIndex(0)
    save = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text() == "保存"
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dlg.isVisible()
    assert dlg.closing_error.text() == "下班时间应为 时:分，例如 18:00" and dlg.closing_error.isVisible()
    assert dlg.tabs.currentWidget().isAncestorOf(dlg.closing) and dlg.focusWidget() is dlg.closing
    assert settings.get("visitor.closing_time") == "18:00" and settings.get("org_name") != "某某市某某有限公司"
