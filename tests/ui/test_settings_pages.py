"""设置 gathers the pages every feature registers: 打印字体, 今日与提醒, 快递 — each saved with the dialog."""

from neiqin.models import settings
from neiqin.ui.dialogs import SettingsDialog


def test_every_feature_page_is_in_the_settings_dialog_once(qtbot, window):
    for _ in range(2):  # opened twice: the pages are not added twice
        dlg = SettingsDialog(window)
        qtbot.addWidget(dlg)
        titles = [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]
        for title in ("打印字体", "今日与提醒", "快递"):
            assert titles.count(title) == 1, titles
    dlg.save()
    assert len(dlg.extra_pages) >= 3
    assert settings.get("parcels.overdue_days") is not None
