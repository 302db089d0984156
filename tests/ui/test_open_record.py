"""Opening one record from elsewhere (今日, global search, links): its tab in front, filters off, the row selected."""

from neiqin.models import Visit
from neiqin.models.seals.registry import LICENCES
from neiqin.models.visitors import check_in
from neiqin.ui.multi_pane import MultiViewPane


def test_open_record_clears_filters_and_selects_the_row(qtbot, window, host):
    visits = [check_in({"name": "访客" + "甲乙丙丁戊"[i], "company": "某公司", "host": host.id, "purpose": "洽谈"})
              for i in range(5)]
    pane = window.pane("visitors")
    pane.search.setText("不存在的词")
    pane.apply_filters()
    assert pane.model.rowCount() == 0

    assert window.open_record("visitors", visits[1].id)
    assert window.current_pane() is pane
    assert pane.search.text() == "" and pane.current_id() == visits[1].id
    assert pane.model.rowCount() == 5


def test_a_record_beyond_the_loaded_rows_is_shown_alone_until_the_clerk_filters(qtbot, window, host):
    from neiqin.demo import bulk_visits

    bulk_visits(450, days=5)  # more than the first page, newest first: the oldest is not loaded
    first = Visit.select().order_by(Visit.visit_date, Visit.id).first()
    pane = window.pane("visitors")
    assert window.open_record("visitors", first.id)
    assert pane.current_id() == first.id and pane.model.rowCount() == 1
    assert "只显示所打开的记录" in window.count_label.text()
    pane.search.setText(first.name[0])
    pane.apply_filters()
    assert pane.model.query.only_id is None and pane.model.rowCount() > 1


def test_open_record_routes_to_the_sub_view_of_a_multi_view_tab(qtbot, window):
    lic = LICENCES.create({"name": "营业执照", "copy_kind": "副本", "number": "91110105MA01ABCD2X",
                           "valid_until": "2030-01-01"})
    pane = window.show_pane(window.pane_for_ledger("licences"))
    assert isinstance(pane, MultiViewPane)
    pane.show_view(0)
    assert window.open_record("licences", lic.id)
    assert pane.tabs.currentWidget() is pane.view_for("licences")
    assert pane.current_id() == lic.id
