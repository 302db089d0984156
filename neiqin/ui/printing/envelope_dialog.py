"""信封打印: recipients (ticked), size, pre-printed envelopes, sender, printer with its calibration offset.

Opened from a 寄件 record, an address-book entry (or the whole current view of the book) and from 发文
(``print_envelopes(parent, recipients)``). Enter prints straight to the chosen printer; 预览 shows the PDF first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.reports import Cancelled
from neiqin.reports import envelopes as E
from neiqin.reports.labels import Offset
from neiqin.ui.jobs import run_job
from neiqin.ui.printing.preview import DirectPrintMixin, PreviewDialog, preview_pdf, stamp_path
from neiqin.ui.util import show_error, tr


class EnvelopeDialog(DirectPrintMixin, QDialog):
    PRINTER_SETTING = "parcels.envelope_printer"
    OFFSET_SAVE_TEXT = "保存为该打印机的信封校准"
    CALIBRATION_TIP = "打印信封轮廓和邮编框：与信封叠在一起对光检查，按偏差调整偏移"

    @staticmethod
    def stored_offset(printer: str) -> Offset:
        return E.envelope_offset(printer)

    @staticmethod
    def store_offset(printer: str, offset: Offset) -> None:
        E.save_envelope_offset(printer, offset)
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

        self.add_printer_controls(form, layout)
        self._load_offset()
        self._count()
        self.resize(680, 0)

    def _count(self) -> None:
        n = len(self.chosen())
        self.count.setText(f"{n} / {len(self.recipients)} " + tr("个信封"))

    def chosen(self) -> list[E.EnvelopeAddress]:
        return [r for i, r in enumerate(self.recipients)
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def sender(self) -> E.EnvelopeSender:
        return E.EnvelopeSender(self.sender_name.text().strip(), self.sender_address.text().strip(),
                                self.sender_postcode.text().strip(), self.sender_phone.text().strip())

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
        except ValidationError as e:
            self.error.setText(str(e))
            if e.first_field == "sender_postcode":
                self.sender_postcode.setFocus()
            elif e.first_field == "recipients":
                self.list.setFocus()
            return None
        except NeiqinError as e:
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
