"""设置 → 打印字体: which font each printing role uses, and the clerk's own choice.

A choice is a font file path (or "" for automatic), stored in the setting ``fonts.<role>`` and applied with
:func:`neiqin.reports.fonts.set_role_override`; at start-up ``install`` applies the saved ones. A file that
cannot be used (PostScript/CFF outlines, unreadable, corrupt) is refused with the reason at once, so nothing
is ever printed in a font other than the one shown here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neiqin.errors import NeiqinError
from neiqin.models import settings
from neiqin.reports import fonts
from neiqin.ui.settings.settings_pages import add_page
from neiqin.ui.util import error_label, show_error, tr

ROLE_LABELS = {
    "body": "正文、表格（宋体）",
    "heading": "栏目名、小标题（黑体）",
    "title": "大标题（小标宋）",
    "fangsong": "公文正文（仿宋）",
    "kai": "楷体",
}
SAMPLE = "内勤台账 来访登记簿 2026年"


class FontsPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("打印 PDF 时每种用途使用的字体。“自动”会按 宋体、黑体、仿宋 等顺序选本机已有的字体；"
                          "只能使用 TrueType 字体（.ttf / .ttc）。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}
        found = [(path, family) for path, family, reason in fonts.found_fonts() if not reason]
        for row, role in enumerate(fonts.ROLES):
            combo = QComboBox()
            combo.addItem(tr("自动"), "")
            for path, family in found:
                combo.addItem(f"{family}（{Path(path).name}）", path)
            saved = settings.get(f"fonts.{role}") or ""
            if saved and combo.findData(saved) < 0:
                combo.addItem(f"{Path(saved).name}", saved)
            combo.setCurrentIndex(max(combo.findData(saved), 0))
            combo.currentIndexChanged.connect(lambda _=0, r=role: self._changed(r))
            browse = QPushButton(tr("选择字体文件…"))
            browse.clicked.connect(lambda _=False, r=role: self.browse(r))
            sample = QLabel()
            grid.addWidget(QLabel(tr(ROLE_LABELS[role])), row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(browse, row, 2)
            grid.addWidget(sample, row, 3)
            self.combos[role] = combo
            self.samples[role] = sample
            self._changed(role)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _changed(self, role: str) -> None:
        """Show which font the role will use now (the automatic choice is resolved, so the clerk sees it)."""
        path = self.combos[role].currentData() or ""
        try:
            info = fonts.check_font_file(path) if path else fonts.automatic_font(role)
        except NeiqinError as e:
            self.error.setText(str(e))
            return
        label = self.samples[role]
        text = tr("当前：") + info.family
        if not info.is_embedded:
            text += tr("（未嵌入，建议安装宋体等 TrueType 字体）")
        label.setText(text)
        label.setToolTip(info.path or tr("阅读软件自带的宋体"))
        if info.path:
            fid = QFontDatabase.addApplicationFont(info.path)
            families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if families:
                label.setFont(QFont(families[0]))
        label.setText(text + "　" + SAMPLE)

    def browse(self, role: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择字体文件"), "", tr("TrueType 字体 (*.ttf *.ttc *.otf)"))
        if path:
            self.choose_file(role, path)

    def choose_file(self, role: str, path: str) -> bool:
        try:
            info = fonts.check_font_file(path)
        except NeiqinError as e:
            self.error.setText(str(e))
            show_error(self, e, tr("无法使用该字体"))
            return False
        self.error.clear()
        combo = self.combos[role]
        if combo.findData(path) < 0:
            combo.addItem(f"{info.family}（{Path(path).name}）", path)
        combo.setCurrentIndex(combo.findData(path))
        return True

    def save(self) -> None:
        for role, combo in self.combos.items():
            value = combo.currentData() or ""
            try:
                fonts.set_role_override(role, value or None)
            except NeiqinError as e:  # the file went away since it was chosen: keep automatic, say so
                show_error(self, e, tr("字体未保存"))
                value = ""
                fonts.set_role_override(role, None)
            settings.set_value(f"fonts.{role}", value)


def add_to_settings(dialog) -> FontsPage:
    """Add the page to a SettingsDialog (``tabs`` + ``extra_pages``)."""
    page = add_page(dialog, FontsPage(dialog), tr("打印字体"))
    dialog._fonts_page = page
    return page
