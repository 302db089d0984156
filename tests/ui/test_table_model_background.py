"""Row colours are asked for by every painted cell; the model works each row's colour out once."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from neiqin.models import VISITORS
from neiqin.models.visitors import check_in
from neiqin.ui.table_model import LedgerTableModel


def test_row_background_is_computed_once_per_row_and_again_after_a_reload(qtbot, host):
    for name in ("甲访客", "乙访客", "丙访客"):
        check_in({"name": name, "company": "某公司", "host": host.id, "purpose": "洽谈"})
    calls = []

    def colour(row):
        calls.append(row["id"])
        return QColor("#fde7e9")

    model = LedgerTableModel(VISITORS, row_background=colour)
    model.reload()
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            brush = model.data(model.index(r, c), Qt.ItemDataRole.BackgroundRole)
            assert brush.color() == QColor("#fde7e9")
    assert sorted(calls) == sorted(row["id"] for row in model.rows)
    model.reload()
    model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert len(calls) == model.rowCount() + 1
