"""信封打印: recipients (ticked), size, pre-printed envelopes, sender, printer with its calibration offset.

Opened from a 寄件 record, an address-book entry (or the whole current view of the book) and from 发文
(``print_envelopes(parent, recipients)``). Enter prints straight to the chosen printer; 预览 shows the PDF first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.reports import Cancelled
from neiqin.reports import envelopes as E
from neiqin.reports.labels import MAX_OFFSET, Offset
from neiqin.ui.jobs import run_job
from neiqin.ui.preview import DirectPrintMixin, PreviewDialog, preview_pdf, printer_names, stamp_path
from neiqin.ui.util import show_error, tr

NO_PRINTER = "（没有可用的打印机）"


class EnvelopeDialog(DirectPrintMixin, QDialog):
    PRINTER_SETTING = "parcels.envelope_printer"
    FILE_STEM = "信封"

    def __init__(self, parent: QWidget | None, recipients: Sequence[Any], title: str = "信封"):
        super().__init__(parent)
        self.setWindowTitle(tr("打印信封"))
        self.title = title
        self.recipients = [E.as_address(r) for r in recipients]
        self.last_pdf: Path | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.list = QListWidget()
        for r in self.recipients:
            text = "　".join(x for x in (r.postcode, r.org, r.person, r.address) if x)
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        self.list.setMaximumHeight(150 if len(self.recipients) > 1 else 48)
        self.list.itemChanged.connect(lambda _: self._count())
        self.count = QLabel()
        form.addRow(tr("收件人"), self.list)
        form.addRow("", self.count)

        self.size = QComboBox()
        for key, s in E.SIZES.items():
            self.size.addItem(s.label, key)
        self.size.setCurrentIndex(max(self.size.findData(settings.get("parcels.envelope_size") or "DL"), 0))
        form.addRow(tr("信封规格"), self.size)
        self.frames = QCheckBox(tr("打印红色邮编框和贴邮票处（信封上已印有的请取消勾选，只打印文字）"))
        self.frames.setChecked(bool(settings.get("parcels.envelope_frames")))
        form.addRow("", self.frames)

        sender = E.sender_from_settings()
        self.sender_name = QLineEdit(sender.name)
        self.sender_address = QLineEdit(sender.address)
        self.sender_postcode = QLineEdit(sender.postcode)
        self.sender_postcode.setMaxLength(6)
        self.sender_postcode.setMaximumWidth(90)
        self.sender_phone = QLineEdit(sender.phone)
        box = QHBoxLayout()
        box.addWidget(self.sender_address, 3)
        box.addWidget(QLabel(tr("邮编")))
        box.addWidget(self.sender_postcode)
        box.addWidget(QLabel(tr("电话")))
        box.addWidget(self.sender_phone, 1)
        form.addRow(tr("寄件单位"), self.sender_name)
        form.addRow(tr("寄件地址"), box)
        self.remember = QCheckBox(tr("保存为默认寄件信息"))
        form.addRow("", self.remember)

        self.printer = QComboBox()
        names = printer_names()
        if names:
            self.printer.addItems(names)
            saved = settings.get("parcels.envelope_printer") or QPrinterInfo.defaultPrinterName()
            if saved in names:
                self.printer.setCurrentText(saved)
        else:
            self.printer.addItem(tr(NO_PRINTER))
            self.printer.setEnabled(False)
        self.printer.currentIndexChanged.connect(self._load_offset)
        form.addRow(tr("打印机"), self.printer)
        off = QHBoxLayout()
        self.offset_x = self._spin(tr("向右为正"))
        self.offset_y = self._spin(tr("向下为正"))
        save_off = QPushButton(tr("保存为该打印机的信封校准"))
        save_off.setAutoDefault(False)
        save_off.setEnabled(bool(names))
        save_off.clicked.connect(self.save_offset)
        calib = QPushButton(tr("打印校准页…"))
        calib.setAutoDefault(False)
        calib.clicked.connect(self.calibration)
        for w in (QLabel(tr("水平")), self.offset_x, QLabel(tr("垂直")), self.offset_y, save_off, calib):
            off.addWidget(w)
        off.addStretch(1)
        form.addRow(tr("校准偏移"), off)

        self.error = QLabel(styleSheet="color:#d93025")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.print_btn = buttons.addButton(tr("打印 (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_btn.setEnabled(bool(names))
        self.print_btn.clicked.connect(self.print_now)
        self.preview_btn = buttons.addButton(tr("预览…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_btn.clicked.connect(self.preview)
        save = buttons.addButton(tr("另存为 PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(self.save_pdf)
        close = buttons.addButton(tr("关闭 (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        (self.print_btn if names else self.preview_btn).setDefault(True)
        self._load_offset()
        self._count()
        self.resize(680, 0)

    def _spin(self, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(minimum=-MAX_OFFSET / 10, maximum=MAX_OFFSET / 10, singleStep=0.1, decimals=1,
                              suffix=" mm")
        spin.setToolTip(tip)
        return spin

    def _count(self) -> None:
        n = len(self.chosen())
        self.count.setText(f"{n} / {len(self.recipients)} " + tr("个信封"))

    def chosen(self) -> list[E.EnvelopeAddress]:
        return [r for i, r in enumerate(self.recipients)
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def printer_name(self) -> str:
        return self.printer.currentText() if self.printer.isEnabled() else ""

    def _load_offset(self) -> None:
        off = E.envelope_offset(self.printer_name())
        self.offset_x.setValue(off.x / 10)
        self.offset_y.setValue(off.y / 10)

    def offset(self) -> Offset:
        return Offset(round(self.offset_x.value() * 10), round(self.offset_y.value() * 10))

    def sender(self) -> E.EnvelopeSender:
        return E.EnvelopeSender(self.sender_name.text().strip(), self.sender_address.text().strip(),
                                self.sender_postcode.text().strip(), self.sender_phone.text().strip())

    def save_offset(self) -> None:
        try:
            E.save_envelope_offset(self.printer_name(), self.offset())
        except NeiqinError as e:
            self.error.setText(str(e))
            return
        self.error.setText(tr("已保存该打印机的信封校准：") + self.offset().text)

    def _remember(self) -> None:
        settings.set_value("parcels.envelope_size", self.size.currentData())
        settings.set_value("parcels.envelope_frames", self.frames.isChecked())
        if self.remember.isChecked():
            s = self.sender()
            settings.set_value("parcels.sender_name", s.name)
            settings.set_value("parcels.sender_address", s.address)
            settings.set_value("parcels.sender_postcode", s.postcode)
            settings.set_value("parcels.sender_phone", s.phone)

    def make_pdf(self, path: Path | None = None) -> Path | None:
        self.error.setText("")
        s = self.sender()
        if s.postcode and not E.POSTCODE_RE.match(s.postcode):
            self.error.setText(tr("寄件邮编应为 6 位数字"))
            self.sender_postcode.setFocus()
            return None
        chosen = self.chosen()
        path = path or stamp_path(self, f"{self.title}-{self.size.currentData()}")
        size, frames, offset = self.size.currentData(), self.frames.isChecked(), self.offset()
        try:
            run_job(self, tr("正在生成信封"), lambda progress, cancelled: E.envelopes_pdf(
                path, size, chosen, s, offset=offset, frames=frames, title=self.title, progress=progress,
                cancelled=cancelled))
        except Cancelled:
            return None
        except (ValidationError, NeiqinError) as e:
            self.error.setText(str(e))
            return None
        except Exception as e:  # noqa: BLE001
            show_error(self, e)
            return None
        self._remember()
        self.last_pdf = path
        return path

    def calibration(self) -> PreviewDialog | None:
        path = stamp_path(self, tr("信封校准页"))
        try:
            E.envelope_calibration_pdf(path, self.size.currentData(), self.offset(), self.printer_name())
        except NeiqinError as e:
            self.error.setText(str(e))
            return None
        return preview_pdf(self, tr("信封校准页"), path, modal=True)


def print_envelopes(parent: QWidget | None, recipients: Sequence[Any], title: str = "信封") -> EnvelopeDialog | None:
    """The envelope dialog for address-book entries, 寄件 records, 发文 recipients or plain dicts."""
    items = [r for r in recipients if r is not None and not getattr(r, "voided", False)]
    if not items:
        QMessageBox.information(parent, tr("打印信封"), tr("没有可打印信封的收件人（作废的记录不能打印）。"))
        return None
    dlg = EnvelopeDialog(parent, items, title)
    dlg.exec()
    return dlg


__all__ = ["EnvelopeDialog", "print_envelopes"]
