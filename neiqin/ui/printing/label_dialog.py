"""标签打印: choose the stock, the first free label of a used sheet, copies, printer and its calibration, then
preview, print or save as PDF. Also the visitor printouts (访客证, 来访单, 在场访客清单).

The window's 工具 → 标签打印… (main_window's ``_install_labels``) imports this module when first used: with the
print preview it brings QtPdf and QtPrintSupport.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.reports import Cancelled
from neiqin.ui.jobs import run_job
from neiqin.ui.printing.preview import DirectPrintMixin, PreviewDialog, preview_pdf, stamp_path
from neiqin.ui.util import error_label, save_cancel_buttons, show_error, tr


class _OnFirstUse:
    """A module imported when first used: the label engine pulls in reportlab (≈120 ms), which should load
    when a label dialog opens, not while the main window starts."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        self.__dict__.update(vars(module))
        return getattr(module, attr)


L = _OnFirstUse("neiqin.reports.labels")
T = _OnFirstUse("neiqin.reports.templates")


# ---------------------------------------------------------------------------------------------- the dialog


class LabelPrintDialog(DirectPrintMixin, QDialog):
    """Print ``labels`` (objects with ``draw(canvas, box)``) on a label stock.

    Without ``labels`` the dialog is the 标签打印 tool: the clerk picks a template and types or pastes one label
    per line (fields separated by ``|`` or a tab, as pasted from Excel).
    """
    PRINTER_SETTING = "labels.printer"
    CALIBRATION_TIP = "每个标签画出轮廓和编号：打印后与标签纸叠在一起对光检查，按偏差调整偏移"

    @staticmethod
    def stored_offset(printer: str) -> L.Offset:
        return L.printer_offset(printer) if printer else L.Offset()

    @staticmethod
    def store_offset(printer: str, offset: L.Offset) -> None:
        L.save_printer_offset(printer, offset)

    def __init__(self, parent: QWidget | None = None, labels: Sequence[Any] | None = None, *,
                 title: str = "标签", stock_key: str | None = None, stock_setting: str | None = None):
        super().__init__(parent)
        self.labels = list(labels) if labels is not None else None
        self.title = title
        self.stock_setting = stock_setting
        self.last_pdf: Path | None = None
        self.setWindowTitle(tr("打印") + tr(title))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        if self.labels is None:
            self.template = QComboBox()
            for key, (label, _hint, _make) in TEMPLATES.items():
                self.template.addItem(tr(label), key)
            self.template.currentIndexChanged.connect(self._template_changed)
            self.lines = QPlainTextEdit()
            self.lines.setTabChangesFocus(True)
            self.hint = QLabel()
            self.hint.setWordWrap(True)
            self.hint.setStyleSheet("color:#666")
            form.addRow(tr("标签内容"), self.template)
            form.addRow(tr("每行一个标签"), self.lines)
            form.addRow("", self.hint)
            self._template_changed()
        else:
            form.addRow(tr("标签"), QLabel(f"{tr(title)} {len(self.labels)} " + tr("张")))

        row = QHBoxLayout()
        self.stock = QComboBox()
        self.stock.setMinimumContentsLength(30)
        self.stock.currentIndexChanged.connect(self._stock_changed)
        custom = QPushButton(tr("自定义标签纸…"))
        custom.clicked.connect(self.edit_custom_stock)
        row.addWidget(self.stock, 1)
        row.addWidget(custom)
        form.addRow(tr("标签纸"), row)
        self.stock_info = QLabel()
        self.stock_info.setStyleSheet("color:#666")
        form.addRow("", self.stock_info)

        self.start = QSpinBox(minimum=1, maximum=1)
        self.start.setToolTip(tr("用过一部分的标签纸：从第几个标签开始打印（按行从左到右数）"))
        form.addRow(tr("从第几个标签开始"), self.start)
        self.copies = QSpinBox(minimum=1, maximum=L.MAX_COPIES, value=1)
        form.addRow(tr("每个标签打印份数"), self.copies)

        self.add_printer_controls(form, layout)

        self._fill_stocks(stock_key or (settings.get(stock_setting) if stock_setting else None))
        self._load_offset()
        self.resize(640, 0)

    # ---- stock, printer, offset

    def _fill_stocks(self, select: str | None = None) -> None:
        current = select or self.stock.currentData()
        self.stock.blockSignals(True)
        self.stock.clear()
        for key, stock in L.all_stocks().items():
            self.stock.addItem(stock.name + (tr("（自定义）") if stock.custom else ""), key)
        i = self.stock.findData(current)
        self.stock.setCurrentIndex(max(i, 0))
        self.stock.blockSignals(False)
        self._stock_changed()

    def current_stock(self) -> L.LabelStock:
        return L.get_stock(self.stock.currentData())

    def _stock_changed(self) -> None:
        stock = self.current_stock()
        self.stock_info.setText(stock.description)
        self.start.setMaximum(stock.per_page)
        self.start.setEnabled(stock.per_page > 1)

    def edit_custom_stock(self) -> None:
        dlg = CustomStockDialog(self, self.current_stock())
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.saved is not None:
            self._fill_stocks(dlg.saved.key)

    # ---- making the PDF

    def current_labels(self) -> list[Any]:
        if self.labels is not None:
            return self.labels
        return parse_lines(self.template.currentData(), self.lines.toPlainText())

    def _template_changed(self) -> None:
        label, hint, _ = TEMPLATES[self.template.currentData()]
        self.hint.setText(tr(hint))

    def make_pdf(self, path: Path | None = None) -> Path | None:
        """Write the labels to ``path`` (prints/ by default) off the UI thread; None (message shown) on error."""
        self.error.setText("")
        try:
            items = self.current_labels()
            stock = self.current_stock()
            L.check_run(stock, self.start.value(), self.copies.value())
        except NeiqinError as e:
            self.error.setText(str(e))
            return None
        path = path or stamp_path(self, self.title)
        start, copies, offset = self.start.value(), self.copies.value(), self.offset()
        try:
            run_job(self, tr("正在生成") + tr(self.title), lambda progress, cancelled: L.write_labels(
                path, stock, items, start=start, copies=copies, offset=offset, title=self.title,
                progress=progress, cancelled=cancelled))
        except Cancelled:
            return None
        except NeiqinError as e:
            self.error.setText(str(e))
            return None
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return None
        if self.stock_setting:
            settings.set_value(self.stock_setting, stock.key)
        self.last_pdf = path
        return path

    def calibration(self) -> PreviewDialog | None:
        stock = self.current_stock()
        path = stamp_path(self, tr("校准页"))
        try:
            L.write_calibration(path, stock, self.offset(), printer=self.printer_name())
        except NeiqinError as e:
            self.error.setText(str(e))
            return None
        return preview_pdf(self, tr("校准页"), path, modal=True)


# ---------------------------------------------------------------------------------------------- typed labels


def _barcode(f: list[str]) -> Any:
    kind = {"二维码": "qr", "qr": "qr", "两者": "both", "both": "both"}.get((f[3] if len(f) > 3 else "").lower(),
                                                                          "code128")
    return T.BarcodeLabel(f[0], *(f[1:3] + ["", ""])[:2], kind=kind).check()


def _spine(f: list[str]) -> Any:
    f = (f + [""] * 7)[:7]
    return T.SpineLabel(*f)


def _folder(f: list[str]) -> Any:
    f = (f + [""] * 3)[:3]
    return T.FolderLabel(*f)


def _address(f: list[str]) -> Any:
    f = (f + [""] * 4)[:4]
    return T.AddressLabel(f[0], f[1], f[2], f[3])


# key: (menu text, hint shown under the text box, fields -> label)
TEMPLATES: dict[str, tuple[str, str, Callable[[list[str]], Any]]] = {
    "barcode": ("条码标签", "编码 | 标题 | 副标题 | 类型（条形码/二维码/两者，可省略）。例：ZC-2026-0001 | 笔记本电脑 | 办公室",
                _barcode),
    "spine": ("档案盒盒脊", "全宗号 | 年度 | 保管期限(Y/D30/D10) | 机构（问题） | 起件号 | 止件号 | 盒号。"
              "例：0001 | 2026 | D30 | 办公室 | 0001 | 0050 | 1", _spine),
    "folder": ("文件夹背贴", "单位 | 类型 | 编号。例：办公室 | 会议纪要 | 2026-01", _folder),
    "address": ("地址标签", "收件人 | 地址 | 邮编 | 电话。例：王小明 | 上海市浦东新区世纪大道100号 | 200120 | 13812345678",
                _address),
}


def parse_lines(template: str, text: str) -> list[Any]:
    """One label per non-empty line; fields split on ``|`` or tabs. Bad lines are reported by line number."""
    make = TEMPLATES[template][2]
    out, errors = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.replace("\t", "|").split("|")]
        if not fields[0]:
            errors.append(f"第 {n} 行：第一项不能为空")
            continue
        try:
            out.append(make(fields))
        except NeiqinError as e:
            errors.append(f"第 {n} 行：{e}")
    if errors:
        raise NeiqinError("；".join(errors[:5]) + (f"（共 {len(errors)} 行有误）" if len(errors) > 5 else ""))
    if not out:
        raise NeiqinError("请输入标签内容，每行一个标签")
    return out


# ---------------------------------------------------------------------------------------------- custom stock


class CustomStockDialog(QDialog):
    """自定义标签纸: sizes in mm; the Chinese reason is shown when the labels do not fit the page."""

    FIELDS = [("name", "名称", None), ("page_w", "纸宽", "mm"), ("page_h", "纸高", "mm"), ("cols", "列数", None),
              ("rows", "行数", None), ("label_w", "标签宽", "mm"), ("label_h", "标签高", "mm"),
              ("margin_left", "左边距", "mm"), ("margin_top", "上边距", "mm"), ("gap_x", "列间距", "mm"),
              ("gap_y", "行间距", "mm"), ("radius", "圆角半径", "mm"), ("safe_margin", "安全边距", "mm")]

    def __init__(self, parent: QWidget | None, base: L.LabelStock):
        super().__init__(parent)
        self.setWindowTitle(tr("自定义标签纸"))
        self.saved: L.LabelStock | None = None
        self.base = base
        form = QFormLayout(self)
        self.widgets: dict[str, QWidget] = {}
        for key, label, unit in self.FIELDS:
            value = base.safe_mm if key == "safe_margin" else getattr(base, key)
            if key == "name":
                w = QLineEdit(tr("自定义") + " " + base.name if not base.custom else base.name)
                w.setMaxLength(40)
            elif unit is None:
                w = QSpinBox(minimum=1, maximum=60, value=int(value))
            else:
                w = QDoubleSpinBox(minimum=0, maximum=1200, decimals=2, singleStep=0.5, value=float(value),
                                   suffix=" mm")
            self.widgets[key] = w
            form.addRow(tr(label), w)
            if key == "safe_margin":
                w.setMaximum(30)
                w.setToolTip(tr("文字和条码离纸边至少这么远：多数打印机印不到纸边约 4 mm 以内"))
        self.roll = QCheckBox(tr("热敏卷纸（每页一张标签）"))
        self.roll.setChecked(base.roll)
        form.addRow("", self.roll)
        self.error = error_label()
        form.addRow(self.error)
        buttons = save_cancel_buttons(self, self.save)
        form.addRow(buttons)

    def stock(self) -> L.LabelStock:
        values: dict[str, Any] = {}
        for key, w in self.widgets.items():
            values[key] = w.text().strip() if isinstance(w, QLineEdit) else w.value()
        key = self.base.key if self.base.custom else ""
        return L.LabelStock(key=key, roll=self.roll.isChecked(), **values)

    def save(self) -> None:
        try:
            self.saved = L.save_custom_stock(self.stock())
        except ValidationError as e:
            self.error.setText(str(e))
            w = self.widgets.get(e.first_field)
            if w is not None:
                w.setFocus()
            return
        self.accept()


# ---------------------------------------------------------------------------------------------- visitors


def print_badges(parent: QWidget | None, visits: Sequence[Any]) -> LabelPrintDialog | None:
    """访客证 for ``visits``: the label dialog, ready to print with one press (Enter)."""
    from neiqin.reports.badges import BADGE_STOCK, VisitorBadge

    visits = [v for v in visits if v is not None]
    if not visits:
        return None
    voided = [v.name for v in visits if v.voided]
    if voided:
        show_error(parent, NeiqinError(tr("来访记录已作废，不能打印来访证：") + "、".join(voided)))
        return None
    org = settings.get("org_name") or ""
    badges = [VisitorBadge.from_visit(v, org) for v in visits]
    dlg = LabelPrintDialog(parent, badges, title="访客证",
                           stock_key=settings.get("labels.badge_stock") or BADGE_STOCK,
                           stock_setting="labels.badge_stock")
    dlg.exec()
    return dlg


def preview_visit_slip(parent: QWidget | None, visit: Any) -> PreviewDialog | None:
    from neiqin.reports.badges import write_visit_slip

    org = settings.get("org_name") or ""
    return preview_pdf(parent, tr("来访单"), stamp_path(parent, f"来访单-{visit.name}"),
                       lambda path, progress, cancelled: write_visit_slip(path, visit, org_name=org))


def preview_on_site_list(parent: QWidget | None) -> PreviewDialog | None:
    from neiqin.reports.badges import write_on_site_list

    org = settings.get("org_name") or ""
    return preview_pdf(parent, tr("在场访客清单"), stamp_path(parent, "在场访客清单"),
                       lambda path, progress, cancelled: write_on_site_list(
                           path, org_name=org, progress=progress, cancelled=cancelled))


__all__ = ["CustomStockDialog", "LabelPrintDialog", "parse_lines", "preview_on_site_list",
           "preview_visit_slip", "print_badges"]
