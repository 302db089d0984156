"""The main window: one tab per ledger, actions with standard shortcuts routed to the current tab."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QToolBar, QVBoxLayout, QWidget

from neiqin import APP_TITLE, __version__
from neiqin.models import settings
from neiqin.paths import DataDir
from neiqin.ui.documents_pane import DocumentsPane
from neiqin.ui.ledger_pane import LedgerPane
from neiqin.ui.meetings_pane import MeetingsPane
from neiqin.ui.seals_pane import SealsPane
from neiqin.ui.staff_pane import StaffPane
from neiqin.ui.supplies_pane import SuppliesPane
from neiqin.ui.today_pane import TodayPane
from neiqin.ui.util import tr
from neiqin.ui.visitors_pane import VisitorsPane

# Ledger tabs in order; each later ledger appends its pane class here.
PANES: list[type[LedgerPane]] = [TodayPane, DocumentsPane, SealsPane, SuppliesPane, VisitorsPane, MeetingsPane,
                                 StaffPane]

# Features that hook into the window (backup, reminders …): ``install(window) -> None``.
EXTENSIONS: list[Callable[[MainWindow], None]] = []


def _install_labels(window: MainWindow) -> None:
    from neiqin.ui.label_dialog import install  # a plain import statement, so PyInstaller bundles it

    install(window)


def _install_backup(window: MainWindow) -> None:
    from neiqin.ui.backup_ui import install  # backup to USB, restore, status-bar reminder, automatic backups

    install(window)


def _install_today(window: MainWindow) -> None:
    from neiqin.ui.global_search import install as install_search  # Ctrl+K over every ledger
    from neiqin.ui.reminders import install as install_reminders  # 到期提醒 at start-up and set times

    install_search(window)
    install_reminders(window)


def _install_ledger_settings(window: MainWindow) -> None:
    from neiqin.ui.dialogs import register_settings_page
    from neiqin.ui.numbering_page import add_settings_page as numbering_page  # 编号: number formats
    from neiqin.ui.parcels_pane import add_settings_page as parcels_page  # 快递: 滞留天数, 寄件信息, 识别规则
    from neiqin.ui.workdays_page import add_settings_page as workdays_page  # 工作日历 for 工作日 deadlines

    register_settings_page(parcels_page)
    register_settings_page(workdays_page)
    register_settings_page(numbering_page)


EXTENSIONS.append(_install_labels)
EXTENSIONS.append(_install_backup)
EXTENSIONS.append(_install_today)
EXTENSIONS.append(_install_ledger_settings)


class MainWindow(QMainWindow):
    closing = Signal()
    recordsChanged = Signal()  # any tab changed records (今日 and reminders listen)

    def __init__(self, datadir: DataDir):
        super().__init__()
        self.datadir = datadir
        self.ui_settings = QSettings(str(datadir.ui_settings), QSettings.Format.IniFormat)
        self.setWindowTitle(f"{APP_TITLE} — {settings.org_name()}")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        # Tabs are built when first shown (or asked for): start-up pays only for the tab in front.
        self._pane_classes = list(PANES)
        self._built: dict[int, LedgerPane] = {}
        for cls in PANES:
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, tr(cls.SPEC.tab_title))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.count_label = QLabel()
        self.path_label = QLabel(tr("数据：") + str(datadir.db_path))
        self.path_label.setStyleSheet("color:#666")
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.path_label)
        self.menus = {}
        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._restore_geometry()
        for install in EXTENSIONS:
            install(self)
        self._tab_changed(self.tabs.currentIndex())

    # ---- actions

    def _action(self, name: str, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(tr(text), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tr(tip or text) + (f"（{action.shortcut().toString()}）" if shortcut else ""))
        action.triggered.connect(slot)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        cur = self.current_pane
        a = self._action
        new = a("new", "新建", lambda: cur().new_record(), QKeySequence.StandardKey.New)
        edit = a("edit", "修改", lambda: cur().edit_record(), "Ctrl+O")
        void = a("void", "作废…", lambda: cur().void_record(), "Ctrl+Del")
        history = a("history", "修改记录…", lambda: cur().show_history(), "Ctrl+H")
        find = a("find", "查找", lambda: cur().focus_search(), QKeySequence.StandardKey.Find)
        refresh = a("refresh", "刷新", lambda: cur().refresh(), QKeySequence.StandardKey.Refresh)
        if refresh.shortcut().isEmpty():
            refresh.setShortcut(QKeySequence("F5"))
        print_ = a("print", "打印登记簿", lambda: cur().print_view(), QKeySequence.StandardKey.Print)
        export = a("export", "导出 Excel…", lambda: cur().export_view(), "Ctrl+E")
        import_ = a("import", "从 Excel 导入…", lambda: cur().import_file(), "Ctrl+I")
        prefs = a("settings", "设置…", self.open_settings, "Ctrl+,")
        quit_ = a("quit", "退出", self.close, QKeySequence.StandardKey.Quit)
        if quit_.shortcut().isEmpty():
            quit_.setShortcut(QKeySequence("Ctrl+Q"))
        data_dir = a("open_data_dir", "打开数据目录", lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.datadir.root))))
        about = a("about", "关于", self.about)

        bar = self.menuBar()
        self.menus["file"] = m = bar.addMenu(tr("文件(&F)"))
        for act in (new, print_, export, import_):
            m.addAction(act)
        m.addSeparator()
        m.addAction(prefs)
        m.addSeparator()
        self._quit_separator = m.addSeparator()
        m.addAction(quit_)
        self.menus["edit"] = m = bar.addMenu(tr("编辑(&E)"))
        for act in (edit, void, history):
            m.addAction(act)
        self.menus["view"] = m = bar.addMenu(tr("视图(&V)"))
        for act in (find, refresh):
            m.addAction(act)
        self.menus["tools"] = bar.addMenu(tr("工具(&T)"))
        self.menus["help"] = m = bar.addMenu(tr("帮助(&H)"))
        m.addAction(data_dir)
        m.addAction(about)

        tb = QToolBar(tr("常用"))
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.setMovable(False)
        for act in (new, edit, void, history, None, find, refresh, None, print_, export):
            if act is None:
                tb.addSeparator()
            else:
                tb.addAction(act)
        self.addToolBar(tb)
        self.toolbar = tb

    @property
    def panes(self) -> list[LedgerPane]:
        """The tabs built so far."""
        return [self._built[i] for i in sorted(self._built)]

    def _pane_at(self, index: int) -> LedgerPane:
        pane = self._built.get(index)
        if pane is None:
            pane = self._pane_classes[index](self.datadir, self.ui_settings, self)
            pane.countChanged.connect(self._count_changed)
            pane.recordsChanged.connect(self.recordsChanged)
            self.tabs.widget(index).layout().addWidget(pane)
            self._built[index] = pane
        return pane

    def current_pane(self) -> LedgerPane:
        return self._pane_at(self.tabs.currentIndex())

    def pane(self, key: str) -> LedgerPane:
        index = next(i for i, cls in enumerate(self._pane_classes) if cls.SPEC.key == key)
        return self._pane_at(index)

    def pane_for_ledger(self, ledger_key: str) -> LedgerPane:
        """The tab that shows a ledger (a sub-view of a multi-view tab counts)."""
        for i, cls in enumerate(self._pane_classes):
            keys = cls.ledger_keys() if hasattr(cls, "ledger_keys") else {cls.SPEC.key}
            if ledger_key in keys or cls.SPEC.key == ledger_key:
                return self._pane_at(i)
        raise KeyError(ledger_key)

    def open_record(self, ledger_key: str, record_id: int) -> bool:
        """Bring the record's tab to the front with the record selected (今日, global search, links)."""
        pane = self.show_pane(self.pane_for_ledger(ledger_key))
        if hasattr(pane, "view_for"):
            return pane.open_record(record_id, ledger_key)
        return pane.open_record(record_id)

    def show_pane(self, pane_or_key: LedgerPane | str) -> LedgerPane:
        """Bring a ledger tab to the front (building it if needed)."""
        pane = self.pane(pane_or_key) if isinstance(pane_or_key, str) else pane_or_key
        index = next(i for i, p in self._built.items() if p is pane)
        self.tabs.setCurrentIndex(index)
        return pane

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self._pane_at(index).update_count()

    def _count_changed(self, n: int, description: str) -> None:
        if self.sender() is self._built.get(self.tabs.currentIndex()):
            self.count_label.setText(f"{description}：{self.current_pane().spec.count_text(n)}")

    def open_settings(self) -> None:
        from neiqin.ui.dialogs import SettingsDialog

        if SettingsDialog(self).exec():
            self.setWindowTitle(f"{APP_TITLE} — {settings.org_name()}")
            for p in self.panes:
                p.refresh()

    def about(self) -> None:
        QMessageBox.about(self, tr("关于内勤台账"), f"{APP_TITLE} {__version__}\n" + tr("数据目录：") +
                          str(self.datadir.root))

    # ---- layout memory

    def _restore_geometry(self) -> None:
        geo = self.ui_settings.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 760)
        state = self.ui_settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        # no tab is restored: the day starts on 今日, the first tab (column widths and sub-views are remembered)

    def save_layout(self) -> None:
        self.ui_settings.setValue("window/geometry", self.saveGeometry())
        self.ui_settings.setValue("window/state", self.saveState())
        for p in self.panes:
            p.save_layout()
        self.ui_settings.sync()

    def closeEvent(self, event) -> None:
        self.save_layout()
        self.closing.emit()
        super().closeEvent(event)
