"""A lazy table model over a ledger: pages of 200 rows by keyset, sorting and filtering done in SQL.

Nothing here knows a particular ledger; the columns, query and row colours come from the LedgerSpec.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from neiqin.models.ledger import LedgerQuery, LedgerSpec

PAGE = 200
VOID_BRUSH = QBrush(QColor("#9a9a9a"))


_BACKGROUND = "__background"  # the row's brush, cached in the row dict
_UNSET = object()


class LedgerTableModel(QAbstractTableModel):
    def __init__(self, spec: LedgerSpec, parent=None,
                 row_background: Callable[[dict], QColor | None] | None = None):
        super().__init__(parent)
        self.spec = spec
        self.query = LedgerQuery()
        self.rows: list[dict] = []
        self._exhausted = False
        self._row_background = row_background
        self._void_font = QFont()
        self._void_font.setStrikeOut(True)

    # ---- loading

    def set_query(self, query: LedgerQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.spec.fetch_page(self.query, None, PAGE)
        self._exhausted = len(self.rows) < PAGE
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or not self.rows:
            return
        more = self.spec.fetch_page(self.query, self.spec.page_key(self.query, self.rows[-1]), PAGE)
        self._exhausted = len(more) < PAGE
        if more:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def refresh_row(self, record_id: int) -> None:
        """Re-read one record after an action, keeping the scroll position and selection."""
        for i, row in enumerate(self.rows):
            if row["id"] == record_id:
                fresh = self.spec.fetch_row(record_id)
                if fresh:
                    self.rows[i] = fresh
                    self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                return

    # ---- Qt model API

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.spec.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            col = self.spec.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.header
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{col.header}（点击列头排序）" if col.sortable else col.header
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.spec.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = col.display(row)
            return text.replace("\n", " ⏎ ") if len(text) < 300 else text[:300].replace("\n", " ") + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.get("voided"):
                return f"已作废：{row.get('void_reason', '')}"
            text = col.display(row)
            return text if len(text) > 20 else None
        if role == Qt.ItemDataRole.ForegroundRole and row.get("voided"):
            return VOID_BRUSH
        if role == Qt.ItemDataRole.FontRole and row.get("voided"):
            return self._void_font
        if role == Qt.ItemDataRole.BackgroundRole and not row.get("voided") and self._row_background:
            # asked for every painted cell: the row's colour is worked out once and kept with the row (a reload
            # or refresh_row brings fresh row dicts, so the colour follows the data)
            brush = row.get(_BACKGROUND, _UNSET)
            if brush is _UNSET:
                color = self._row_background(row)
                brush = row[_BACKGROUND] = QBrush(color) if color else None
            return brush
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.align == "center":
                return int(Qt.AlignmentFlag.AlignCenter)
            if col.align == "right" or col.kind == "int":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        col = self.spec.columns[column]
        if not col.sortable:
            return
        self.query.sort = col.key
        self.query.desc = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def row_at(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None
