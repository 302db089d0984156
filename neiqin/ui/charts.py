"""统计: charts over the ledgers (QtCharts) — visitors, parcels and documents per month, supplies cost per
department, seal uses per month — each with its table, exportable as PNG.

The figures come from :mod:`neiqin.models.stats` (no Qt); a chart is listed only when the ledger it reads exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QMargins, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from neiqin import clock
from neiqin.models import stats
from neiqin.ui.pane import View
from neiqin.ui.util import show_error, tr

COLOURS = ["#1a73e8", "#e8710a", "#188038", "#9334e6", "#d93025", "#12b5cb"]
RANGES = ["最近12个月", "今年", "去年", "最近24个月", "自定义"]


def range_for(name: str, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    today = today or clock.today()
    if name == "最近12个月":
        return stats.last_months(12, today)
    if name == "最近24个月":
        return stats.last_months(24, today)
    if name == "今年":
        return dt.date(today.year, 1, 1), today
    if name == "去年":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None


def _number(v: float) -> str:
    return f"{v:,.2f}" if v != int(v) else f"{int(v):,}"


class ChartsView(View):
    """A list of charts on the left; the chart in front with its figures underneath; 导出图片 saves a PNG."""

    changed = Signal()  # another chart or range is shown (the status bar count follows)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data: stats.ChartData | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("时间")))
        self.range = QComboBox()
        self.range.addItems([tr(r) for r in RANGES])
        bar.addWidget(self.range)
        start, end = stats.last_months(12)
        self.date_from = QDateEdit(QDate(start.year, start.month, start.day), calendarPopup=True,
                                   displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(QDate(end.year, end.month, end.day), calendarPopup=True, displayFormat="yyyy-MM-dd")
        for w in (self.date_from, self.date_to):
            w.setEnabled(False)
            w.dateChanged.connect(self.refresh)
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("—"))
        bar.addWidget(self.date_to)
        self.total = QLabel()
        bar.addStretch(1)
        bar.addWidget(self.total)
        self.export_button = QPushButton(tr("导出图片…"))
        self.export_button.setToolTip(tr("把当前图表保存为 PNG 图片（可插入报告或发给领导）"))
        self.export_button.clicked.connect(self.export_dialog)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.charts = stats.available_charts()
        for c in self.charts:
            item = QListWidgetItem(tr(c.title))
            item.setData(Qt.ItemDataRole.UserRole, c.key)
            self.list.addItem(item)
        self.list.setMaximumWidth(220)
        split.addWidget(self.list)
        right = QSplitter(Qt.Orientation.Vertical)
        self.chart_view = self._make_chart_view()
        right.addWidget(self.chart_view)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        right.addWidget(self.table)
        right.setSizes([460, 180])
        split.addWidget(right)
        split.setSizes([180, 900])
        layout.addWidget(split, 1)
        self.range.currentIndexChanged.connect(self._range_changed)
        self.list.currentRowChanged.connect(lambda _: self.refresh())
        if self.charts:
            self.list.setCurrentRow(0)

    def _make_chart_view(self):
        from PySide6.QtCharts import QChart, QChartView

        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        view = QChartView(self.chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        return view

    # ---- which chart, which dates

    def _range_changed(self) -> None:
        name = RANGES[self.range.currentIndex()]
        custom = name == "自定义"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        span = range_for(name)
        if span:
            for w, d in ((self.date_from, span[0]), (self.date_to, span[1])):
                w.blockSignals(True)
                w.setDate(QDate(d.year, d.month, d.day))
                w.blockSignals(False)
        self.refresh()

    def dates(self) -> tuple[dt.date, dt.date]:
        a, b = self.date_from.date().toPython(), self.date_to.date().toPython()
        return (a, b) if a <= b else (b, a)

    def current_chart(self) -> stats.Chart | None:
        row = self.list.currentRow()
        return self.charts[row] if 0 <= row < len(self.charts) else None

    def show_chart(self, key: str) -> None:
        for i, c in enumerate(self.charts):
            if c.key == key:
                self.list.setCurrentRow(i)
                return
        raise KeyError(key)

    # ---- drawing

    def refresh(self) -> None:
        chart = self.current_chart()
        if chart is None:
            self.data = None
            self.total.setText(tr("没有可用的统计"))
            return
        try:
            self.data = chart.build(*self.dates())
        except Exception as e:  # noqa: BLE001 - a broken figure must not break the tab
            show_error(self, e)
            return
        self._draw()
        self._fill_table()
        start, end = self.dates()
        self.total.setText(f"{start} 至 {end}　合计 {_number(self.data.total)} {self.data.unit}")
        self.changed.emit()

    def _draw(self) -> None:
        from PySide6.QtCharts import (
            QBarCategoryAxis,
            QBarSeries,
            QBarSet,
            QHorizontalBarSeries,
            QValueAxis,
        )

        data, chart = self.data, self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(tr(data.title))
        series = QHorizontalBarSeries() if data.horizontal else QBarSeries()
        # horizontal bars are drawn bottom-up: reversed, the largest department reads first, at the top
        order = (lambda seq: list(reversed(seq))) if data.horizontal else list
        for i, (name, values) in enumerate(data.series.items()):
            bars = QBarSet(tr(name))
            bars.setColor(QColor(COLOURS[i % len(COLOURS)]))
            for v in order(values):
                bars.append(float(v))
            series.append(bars)
        series.setLabelsVisible(len(data.categories) <= 24)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        chart.legend().setVisible(len(data.series) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        categories = QBarCategoryAxis()
        categories.append(order([c[2:] if len(c) == 7 and c[4] == "-" else c for c in data.categories]))  # "26-05"
        values = QValueAxis()
        top = max([max(v) for v in data.series.values() if v] + [1])
        values.setRange(0, top * 1.15)
        values.setLabelFormat("%d" if data.unit != "元" else "%.0f")
        values.setTitleText(tr(data.unit))
        cat_side, val_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom) if data.horizontal else
                              (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        chart.addAxis(categories, cat_side)
        chart.addAxis(values, val_side)
        series.attachAxis(categories)
        series.attachAxis(values)

    def _fill_table(self) -> None:
        data = self.data
        headers = [tr("月份") if not data.horizontal else tr("部门"), *(tr(n) for n in data.series)]
        rows = data.rows()
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                item = QTableWidgetItem(str(v) if c == 0 else _number(float(v)))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    # ---- export

    def export_png(self, path: str | Path) -> Path:
        """Save the chart as it is drawn (at least 1200 px wide, for print) to ``path``."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        from PySide6.QtGui import QPixmap

        view = self.chart_view
        # drawn at a higher pixel ratio when the window is small: vector-sharp, at least 1200 px wide for print
        ratio = max(1.0, 1200 / max(view.width(), 1))
        image = QPixmap(view.size() * ratio)
        image.setDevicePixelRatio(ratio)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.render(painter)
        painter.end()
        if not image.save(str(path), "PNG"):
            from neiqin.errors import NeiqinError

            raise NeiqinError(f"无法保存图片：{path}（文件夹不存在或没有写入权限）")
        return path

    def export_dialog(self) -> Path | None:
        if self.data is None:
            return None
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        from neiqin.filenames import safe_filename

        name = safe_filename(f"{self.data.title.split('（')[0]}-{clock.today():%Y%m%d}.png")
        path, _ = QFileDialog.getSaveFileName(self, tr("导出图片"), str(Path(docs) / name), "PNG (*.png)")
        if not path:
            return None
        try:
            saved = self.export_png(path)
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return None
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(f"图表已保存到 {saved}", 10000)
        return saved

    def count_and_description(self) -> tuple[int, str]:
        return int(self.data.total) if self.data else 0, tr("统计") + (f" · {self.data.title}" if self.data else "")
