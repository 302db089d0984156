"""设置 › 编号: each register's number format, checked while the clerk types; a bad one keeps the dialog open."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from neiqin.models import settings
from neiqin.ui.dialogs import SettingsDialog
from neiqin.ui.settings.numbering_page import NumberingPage

from .conftest import type_text


def _page(qtbot, window) -> tuple[SettingsDialog, NumberingPage]:
    dlg = SettingsDialog(window)
    qtbot.addWidget(dlg)
    page = next(p for p, _ in dlg.extra_pages if isinstance(p, NumberingPage))
    return dlg, page


def test_every_numbered_register_is_on_the_page_with_its_next_number(qtbot, window):
    dlg, page = _page(qtbot, window)
    titles = [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]
    assert titles.count("编号") == 1
    assert {"seals.use_number_pattern", "incoming.number_pattern", "outgoing.number_pattern",
            "supplies.issue_number_pattern", "supplies.stocktake_number_pattern"} <= set(page.edits)
    assert page.edits["seals.use_number_pattern"].text() == "印{year}-{n:04}"
    assert page.notes["seals.use_number_pattern"].text().startswith("下一个编号：印")
    assert page.notes["outgoing.number_pattern"].text().startswith("下一个编号：公司发〔")


def test_a_bad_pattern_is_shown_at_its_field_and_nothing_is_saved(qtbot, window):
    dlg, page = _page(qtbot, window)
    edit, note = page.edits["seals.use_number_pattern"], page.notes["seals.use_number_pattern"]
    edit.clear()
    type_text(qtbot, edit, "印{year}-{序号}")
    assert "{序号} 不认识" in note.text()
    dlg.save()
    assert dlg.result() != QDialog.DialogCode.Accepted and dlg.tabs.currentWidget() is page
    assert settings.get("seals.use_number_pattern") == "印{year}-{n:04}"
    edit.clear()
    type_text(qtbot, edit, "用印{year}第{n:05}号")
    assert note.text().startswith("下一个编号：用印") and note.text().endswith("第00001号")
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert settings.get("seals.use_number_pattern") == "用印{year}第{n:05}号"


def test_a_wrong_pattern_stored_long_ago_is_shown_but_does_not_block_other_settings(qtbot, window):
    from neiqin.models.base import db

    db.execute_sql("INSERT INTO setting (key, value) VALUES ('seals.loan_number_pattern', '\"借{n:3}\"')")
    dlg, page = _page(qtbot, window)
    assert "不对" in page.notes["seals.loan_number_pattern"].text()  # numbers meanwhile use 借{year}-{n:04}
    dlg.org_name.setText("某某市某某有限公司")
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted and settings.get("org_name") == "某某市某某有限公司"
