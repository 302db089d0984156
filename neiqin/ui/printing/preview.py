"""Print preview for every PDF neiqin makes: pages, zoom, print to a chosen printer, save as PDF, open outside.

The pages go to the printer through :mod:`neiqin.ui.printing.sending` (the PDF itself to CUPS, 1-bit pages through
GDI on Windows). With no printer installed the dialog says so and still offers 另存为 PDF.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QSize, QSizeF, QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from neiqin import clock
from neiqin.errors import NeiqinError
from neiqin.models import settings
from neiqin.reports import Cancelled
from neiqin.ui.jobs import run_job
from neiqin.ui.printing.sending import print_document
from neiqin.ui.util import error_label, show_error, tr

THUMB_W = 110
ZOOMS = [("适合宽度", "width"), ("整页", "page"), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0), ("150%", 1.5),
         ("200%", 2.0)]


def printer_names() -> list[str]:
    """The machine's printers by name: the one place every dialog asks (标签打印, 信封, 打印预览).

    Tests replace it with a list of their own (tests/ui/conftest.py), so that "no printer" or "these printers"
    never depends on the machine the tests run on.
    """
    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


def open_printer(name: str) -> QPrinter:
    """The named printer at its own resolution; NeiqinError (Chinese) when it is no longer installed."""
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise NeiqinError(tr("找不到打印机“") + name + tr("”：它可能已被删除或改名，请重新选择打印机"))
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


NO_PRINTER = ("本机没有安装可用的打印机。\n\n可以先“另存为 PDF”，再拷到连接打印机的电脑上打印；"
              "或在 Windows“设置 → 打印机和扫描仪”中添加打印机后重新打开本窗口。")


# ---------------------------------------------------------------------------------------------- printing


class DirectPrintMixin:
    """A dialog that prints a PDF it makes (``make_pdf(path=None)``) straight to a chosen printer, with per-printer
    calibration offsets: labels and envelopes.

    ``add_printer_controls(form, layout)`` builds the shared part (打印机, 校准偏移 with save and calibration page,
    the error line, 打印 / 预览 / 另存为 PDF / 关闭); the dialog supplies ``title``, ``make_pdf``, ``calibration``,
    ``stored_offset(printer)`` and ``store_offset(printer, offset)``. The chosen printer is remembered in
    ``PRINTER_SETTING``; ``FILE_STEM`` names saved files (default: the title).
    """

    PRINTER_SETTING = ""
    FILE_STEM = ""
    OFFSET_SAVE_TEXT = "保存为该打印机的校准"
    CALIBRATION_TIP = ""

    def add_printer_controls(self, form, layout) -> bool:
        """Returns whether the machine has a printer (without one, 预览 is the default button)."""
        from PySide6.QtWidgets import QDialogButtonBox, QDoubleSpinBox

        from neiqin.reports.labels import MAX_OFFSET

        self.printer = QComboBox()
        names = printer_names()
        if names:
            self.printer.addItems(names)
            saved = settings.get(self.PRINTER_SETTING) or QPrinterInfo.defaultPrinterName()
            if saved in names:
                self.printer.setCurrentText(saved)
        else:
            self.printer.addItem(tr("（本机没有打印机）"))
            self.printer.setEnabled(False)
        self.printer.currentIndexChanged.connect(self._load_offset)
        form.addRow(tr("打印机"), self.printer)
        self.no_printer = QLabel(tr("本机没有安装可用的打印机：可以“另存为 PDF”，拷到连接打印机的电脑上打印。"))
        self.no_printer.setWordWrap(True)
        self.no_printer.setStyleSheet("color:#b35c00")
        self.no_printer.setVisible(not names)
        form.addRow("", self.no_printer)

        row = QHBoxLayout()
        spins = []
        for tip in (tr("向右为正"), tr("向下为正")):
            spin = QDoubleSpinBox(minimum=-MAX_OFFSET / 10, maximum=MAX_OFFSET / 10, singleStep=0.1, decimals=1,
                                  suffix=" mm")
            spin.setToolTip(tip)
            spins.append(spin)
        self.offset_x, self.offset_y = spins
        self.save_offset_btn = QPushButton(tr(self.OFFSET_SAVE_TEXT))
        self.save_offset_btn.setAutoDefault(False)
        self.save_offset_btn.setEnabled(bool(names))
        self.save_offset_btn.clicked.connect(self.save_offset)
        calibrate = QPushButton(tr("打印校准页…"))
        calibrate.setAutoDefault(False)
        calibrate.setToolTip(tr(self.CALIBRATION_TIP))
        calibrate.clicked.connect(self.calibration)
        for w in (QLabel(tr("水平")), self.offset_x, QLabel(tr("垂直")), self.offset_y, self.save_offset_btn,
                  calibrate):
            row.addWidget(w)
        row.addStretch(1)
        form.addRow(tr("校准偏移"), row)

        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.print_btn = buttons.addButton(tr("打印 (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_btn.setEnabled(bool(names))
        self.print_btn.clicked.connect(self.print_now)  # print_now takes no positional argument: see its doc
        self.preview_btn = buttons.addButton(tr("预览…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_btn.clicked.connect(self.preview)
        self.save_btn = buttons.addButton(tr("另存为 PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_btn.clicked.connect(self.save_pdf)
        close = buttons.addButton(tr("关闭 (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        (self.print_btn if names else self.preview_btn).setDefault(True)
        return bool(names)

    def printer_name(self) -> str:
        return self.printer.currentText() if self.printer.isEnabled() else ""

    def offset(self):
        from neiqin.reports.labels import Offset

        return Offset(round(self.offset_x.value() * 10), round(self.offset_y.value() * 10))

    def _load_offset(self) -> None:
        off = self.stored_offset(self.printer_name())
        self.offset_x.setValue(off.x / 10)
        self.offset_y.setValue(off.y / 10)

    def save_offset(self) -> None:
        try:
            self.store_offset(self.printer_name(), self.offset())
        except NeiqinError as e:
            self.error.setText(str(e))
            return
        self.error.setText("")
        QMessageBox.information(self, tr("已保存"), tr("已为打印机“") + self.printer_name() + tr("”保存校准偏移：")
                                + self.offset().text)

    def preview(self) -> PreviewDialog | None:
        path = self.make_pdf()
        return preview_pdf(self, tr(self.title), path, modal=True) if path else None

    def save_pdf(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        from neiqin.filenames import safe_filename

        name = safe_filename(f"{self.FILE_STEM or self.title}-{clock.today():%Y%m%d}.pdf")
        target, _ = QFileDialog.getSaveFileName(self, tr("另存为 PDF"), str(Path(docs) / name), "PDF (*.pdf)")
        if not target:
            return None
        return self.make_pdf(Path(target if target.lower().endswith(".pdf") else target + ".pdf"))

    def print_now(self, *, printer: QPrinter | None = None) -> int:
        """Straight to the chosen printer (no print dialog): the one-press path at the desk (打印, Enter).

        ``printer`` replaces the chosen one. It is keyword-only because this is the 打印 button's slot:
        ``clicked`` hands its ``checked`` (False) to a slot's first positional parameter.
        """
        name = self.printer_name()
        if printer is None and not name:
            self.error.setText(tr("本机没有可用的打印机，请“另存为 PDF”"))
            return 0
        path = self.make_pdf()
        if path is None:
            return 0
        try:
            sent = print_pdf_file(self, path, name, self.title, printer)
        except NeiqinError as e:
            self.error.setText(str(e))
            return 0
        if name and self.PRINTER_SETTING:
            settings.set_value(self.PRINTER_SETTING, name)
        self.accept()
        return sent


def print_pdf_file(parent, path: Path, printer_name: str, doc_name: str, printer: QPrinter | None = None) -> int:
    """Straight to a named printer (no print dialog): the one-press path of the label and envelope dialogs.

    ``printer`` replaces the named one. Raises NeiqinError in Chinese.
    """
    if printer is None:
        printer = open_printer(printer_name)
    doc = QPdfDocument(parent)
    doc.load(str(path))
    printer.setDocName(doc_name)
    try:
        return print_document(doc, printer, path=path)
    finally:
        doc.close()


# ---------------------------------------------------------------------------------------------- dialog


class PreviewDialog(QDialog):
    """The preview window; ``path`` is the PDF to show (it is not deleted: it stays in prints/)."""

    def __init__(self, path: str | os.PathLike, title: str, parent: QWidget | None = None,
                 save_name: str | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.save_name = save_name or self.path.name
        self.setWindowTitle(tr("打印预览") + " · " + title)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.doc = QPdfDocument(self)
        error = self.doc.load(str(self.path))
        if error != QPdfDocument.Error.None_:
            raise NeiqinError(tr("无法打开 PDF 文件：") + str(self.path))
        self.pages = self.doc.pageCount()
        self._build()
        self._thumb_next = 0
        self._thumb_timer = QTimer(self, interval=0, timeout=self._render_thumb)
        self._thumb_timer.start()
        self.resize(1000, 760)

    # ---- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.prev_btn = QPushButton(tr("上一页"))
        self.prev_btn.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_btn = QPushButton(tr("下一页"))
        self.next_btn.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_spin = QSpinBox(minimum=1, maximum=max(self.pages, 1))
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(lambda v: self.go_to(v))
        self.page_label = QLabel(tr("共 ") + str(self.pages) + tr(" 页"))
        self.zoom = QComboBox()
        for text, _ in ZOOMS:
            self.zoom.addItem(tr(text))
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        zoom_out = QPushButton("－")
        zoom_out.setToolTip(tr("缩小（Ctrl+-）"))
        zoom_out.clicked.connect(lambda: self.zoom_by(1 / 1.25))
        zoom_in = QPushButton("＋")
        zoom_in.setToolTip(tr("放大（Ctrl++）"))
        zoom_in.clicked.connect(lambda: self.zoom_by(1.25))
        zoom_out.setMaximumWidth(36)
        zoom_in.setMaximumWidth(36)
        for w in (self.prev_btn, QLabel(tr("第")), self.page_spin, self.page_label, self.next_btn):
            bar.addWidget(w)
        bar.addSpacing(16)
        for w in (QLabel(tr("缩放")), self.zoom, zoom_out, zoom_in):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)

        split = QSplitter()
        self.thumbs = QListWidget()
        self.thumbs.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbs.setFlow(QListWidget.Flow.TopToBottom)
        self.thumbs.setWrapping(False)
        self.thumbs.setMovement(QListWidget.Movement.Static)
        first = self.doc.pagePointSize(0) if self.pages else QSizeF(595, 842)
        thumb_h = int(THUMB_W * first.height() / max(first.width(), 1))  # landscape registers get wide thumbs
        self.thumbs.setIconSize(QSize(THUMB_W, thumb_h))
        self.thumbs.setUniformItemSizes(True)
        self.thumbs.setSpacing(4)
        self.thumbs.setFixedWidth(THUMB_W + 40)
        blank = QPixmap(THUMB_W, thumb_h)
        blank.fill(Qt.GlobalColor.white)
        for i in range(self.pages):
            self.thumbs.addItem(QListWidgetItem(QIcon(blank), str(i + 1)))
        self.thumbs.currentRowChanged.connect(lambda row: self.go_to(row + 1) if row >= 0 else None)
        self.view = QPdfView(self)
        self.view.setDocument(self.doc)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.pageNavigator().currentPageChanged.connect(self._page_changed)
        split.addWidget(self.thumbs)
        split.addWidget(self.view)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.printer_note = QLabel()
        self.printer_note.setStyleSheet("color:#b35c00")
        buttons.addWidget(self.printer_note, 1)
        self.print_btn = QPushButton(tr("打印…"))
        self.print_btn.setToolTip(tr("选择打印机、页码范围和份数（Ctrl+P）"))
        self.print_btn.clicked.connect(self.print_dialog)
        self.save_btn = QPushButton(tr("另存为 PDF…"))
        self.save_btn.clicked.connect(self.save_as)
        self.open_btn = QPushButton(tr("用系统阅读器打开"))
        self.open_btn.clicked.connect(self.open_external)
        close = QPushButton(tr("关闭"))
        close.clicked.connect(self.reject)
        for b in (self.print_btn, self.save_btn, self.open_btn, close):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        if not printer_names():
            self.printer_note.setText(tr("本机没有安装打印机：可以“另存为 PDF”后到其他电脑打印。"))
        self.print_btn.setDefault(True)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_dialog)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, lambda: self.zoom_by(1.25))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, lambda: self.zoom_by(1 / 1.25))
        self._page_changed(0)

    # ---- pages and zoom

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage() + 1

    def go_to(self, page: int) -> None:
        page = min(max(page, 1), max(self.pages, 1))
        if page != self.current_page():
            self.view.pageNavigator().jump(page - 1, QPointF(), self.view.pageNavigator().currentZoom())
        self._page_changed(page - 1)

    def _page_changed(self, index: int) -> None:
        page = index + 1
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page)
        self.page_spin.blockSignals(False)
        self.prev_btn.setEnabled(page > 1)
        self.next_btn.setEnabled(page < self.pages)
        self.thumbs.blockSignals(True)
        self.thumbs.setCurrentRow(index)
        self.thumbs.blockSignals(False)

    def _zoom_changed(self, i: int) -> None:
        mode = ZOOMS[i][1]
        if mode == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif mode == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(mode))

    def zoom_by(self, factor: float) -> None:
        current = self.view.zoomFactor() if self.view.zoomMode() == QPdfView.ZoomMode.Custom else self._fit_factor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(current * factor, 0.1), 8.0))

    def _fit_factor(self) -> float:
        size = self.doc.pagePointSize(max(self.current_page() - 1, 0))
        dpi = self.logicalDpiX() or 96
        return max(self.view.viewport().width() - 24, 50) / max(size.width() / 72 * dpi, 1)

    def _render_thumb(self) -> None:
        i = self._thumb_next
        if i >= self.pages or not self.isVisible() and i > 0:
            self._thumb_timer.stop()
            return
        size = self.doc.pagePointSize(i)
        h = int(THUMB_W * size.height() / max(size.width(), 1))
        image = self.doc.render(i, QSize(THUMB_W, max(h, 1)))
        white = QPixmap(image.size())
        white.fill(Qt.GlobalColor.white)
        p = QPainter(white)
        p.drawImage(0, 0, image)
        p.end()
        self.thumbs.item(i).setIcon(QIcon(white))
        self._thumb_next += 1

    # ---- actions

    def print_dialog(self) -> int:
        """Ask for printer, page range and copies (default 1), then print. Returns pages sent."""
        if not printer_names():
            box = QMessageBox(QMessageBox.Icon.Information, tr("没有打印机"), tr(NO_PRINTER), parent=self)
            save = box.addButton(tr("另存为 PDF…"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(tr("关闭"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is save:
                self.save_as()
            return 0
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setCopyCount(1)
        printer.setDocName(self.save_name)
        dlg = QPrintDialog(printer, self)
        dlg.setWindowTitle(tr("打印"))
        dlg.setMinMax(1, self.pages)
        dlg.setFromTo(1, self.pages)
        dlg.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dlg.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, True)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return 0
        first, last = 1, self.pages
        if printer.printRange() == QPrinter.PrintRange.PageRange:
            first, last = printer.fromPage() or 1, printer.toPage() or self.pages
        elif printer.printRange() == QPrinter.PrintRange.CurrentPage:
            first = last = self.current_page()
        return self.print_to(printer, first, last, max(printer.copyCount(), 1))

    def print_to(self, printer: QPrinter, first: int = 1, last: int | None = None, copies: int = 1) -> int:
        """Print with a progress dialog the clerk can cancel; errors are shown, not raised."""
        last = last or self.pages
        total = (last - first + 1) * copies
        progress = QProgressDialog(tr("正在打印…"), tr("取消"), 0, total, self)
        progress.setWindowTitle(tr("打印"))
        progress.setMinimumDuration(500)

        def step(done: int, n: int) -> bool:
            progress.setValue(done)
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            sent = print_document(self.doc, printer, first=first, last=last, copies=copies, progress=step,
                                  path=self.path)
        except NeiqinError as e:
            show_error(self, e)
            return 0
        finally:
            progress.close()
        window = self.parent().window() if self.parent() is not None else None
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(tr("已发送到打印机：") + f"{printer.printerName() or printer.outputFileName()}，"
                              f"{sent} " + tr("页"), 8000)
        return sent

    def save_as(self) -> Path | None:
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        target, _ = QFileDialog.getSaveFileName(self, tr("另存为 PDF"), str(Path(docs) / self.save_name),
                                                "PDF (*.pdf)")
        if not target:
            return None
        if not target.lower().endswith(".pdf"):
            target += ".pdf"
        try:
            if Path(target).resolve() != self.path.resolve():
                shutil.copyfile(self.path, target)
        except OSError as e:
            show_error(self, NeiqinError(tr("无法保存到“") + target + tr("”：") + (e.strerror or str(e))))
            return None
        return Path(target)

    def open_external(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path))):
            show_error(self, NeiqinError(tr("没有找到能打开 PDF 的程序。文件位置：") + str(self.path)))

    def closeEvent(self, event) -> None:
        self._thumb_timer.stop()
        super().closeEvent(event)

    def done(self, r: int) -> None:
        self._thumb_timer.stop()
        super().done(r)


def prints_dir(widget: QWidget | None) -> Path:
    """The data dir's prints/ folder (the tab or the window knows it); a temp folder for a dialog without one."""
    from neiqin.ui.main_window import MainWindow
    from neiqin.ui.pane import Pane

    while widget is not None and not isinstance(widget, Pane | MainWindow):
        widget = widget.parentWidget()
    datadir = widget.datadir if widget is not None else None
    if datadir is None:
        import tempfile

        return Path(tempfile.gettempdir())
    datadir.prints.mkdir(parents=True, exist_ok=True)
    return datadir.prints


def stamp_path(widget: QWidget | None, name: str) -> Path:
    """A new PDF in prints/ named after ``name`` (often typed text: a meeting title, a visitor's name)."""
    from neiqin.filenames import safe_filename

    return prints_dir(widget) / f"{safe_filename(name)}-{clock.now():%Y%m%d-%H%M%S}.pdf"


def preview_pdf(parent: QWidget | None, title: str, path: Path,
                make: Callable[[Path, Callable, Callable], Any] | None = None, *,
                modal: bool = False) -> PreviewDialog | None:
    """Make the PDF off the UI thread (progress dialog, 取消) if ``make`` is given, then show the preview.

    From the window the preview is not modal: the clerk can keep it open beside the register. From a modal
    dialog (标签打印) it is ``modal`` and returns when closed. Returns the dialog, or None if making the PDF
    failed or was cancelled (the error is shown).
    """
    if make is not None:
        try:
            run_job(parent, tr("正在生成") + title, lambda progress, cancelled: make(path, progress, cancelled))
        except Cancelled:
            return None  # the clerk pressed 取消: nothing to say
        except Exception as e:  # noqa: BLE001 - shown to the clerk
            show_error(parent, e)
            return None
    try:
        dlg = PreviewDialog(path, title, parent)
    except NeiqinError as e:
        show_error(parent, e)
        return None
    if modal:
        dlg.exec()
        return dlg
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg
