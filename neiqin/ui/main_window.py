"""The main window: one tab per ledger, actions with standard shortcuts routed to the current tab.

Start-up pays only for the tab in front (今日). Every other tab is a placeholder named from :data:`PANES`; its UI
module, and with it its ledger modules, is imported and the pane built when the tab is first shown or asked for
(:meth:`MainWindow.pane`, :meth:`MainWindow.pane_for_ledger`). The features in :data:`EXTENSIONS` likewise add
their menu entries and settings pages at start and import their dialogs when first used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget

from neiqin import APP_TITLE, __version__
from neiqin.models import settings
from neiqin.paths import DataDir
from neiqin.ui.util import tr

if TYPE_CHECKING:
    from neiqin.ui.pane import Pane

log = logging.getLogger(__name__)


class Tab:
    """A tab the window names and places before its module is imported; the pane is built on first show."""

    __slots__ = ("key", "title", "load", "ledgers")

    def __init__(self, key: str, title: str, load: Callable[[], type[Pane]],
                 ledgers: frozenset[str] = frozenset()):
        self.key = key  # the pane's SPEC.key: window.pane(key)
        self.title = title  # the pane's SPEC.tab_title
        self.load = load  # imports the pane's module (a plain import, so PyInstaller bundles it)
        self.ledgers = ledgers  # every ledger the tab shows, sub-views included (open_record)

    @classmethod
    def of(cls, pane_class: type[Pane]) -> Tab:
        """A tab for a pane class already imported."""
        return cls(pane_class.SPEC.key, pane_class.SPEC.tab_title, lambda: pane_class, pane_class.ledger_keys())

    def shows(self, ledger_key: str) -> bool:
        return ledger_key == self.key or ledger_key in self.ledgers


def _today():
    from neiqin.ui.today_pane import TodayPane

    return TodayPane


def _documents():
    from neiqin.ui.mail.documents_pane import DocumentsPane

    return DocumentsPane


def _seals():
    from neiqin.ui.seals.seals_pane import SealsPane

    return SealsPane


def _supplies():
    from neiqin.ui.supplies.supplies_pane import SuppliesPane

    return SuppliesPane


def _visitors():
    from neiqin.ui.visitors_pane import VisitorsPane

    return VisitorsPane


def _meetings():
    from neiqin.ui.meetings.meetings_pane import MeetingsPane

    return MeetingsPane


def _staff():
    from neiqin.ui.staff_pane import StaffPane

    return StaffPane


def own_tabs() -> list[Tab]:
    """A tab for each ledger the catalogue shows with the shared pane (``Ledger(..., tab="来电登记")``); its module is
    imported when the tab is first shown."""
    from neiqin.models import catalogue

    def loader(entry: catalogue.Ledger) -> Callable[[], type[Pane]]:
        def load() -> type[Pane]:
            import importlib

            from neiqin.models.ledger import get_ledger
            from neiqin.ui.fields_pane import FieldsPane

            importlib.import_module(entry.module)
            return FieldsPane.for_spec(get_ledger(entry.key))

        return load

    return [Tab(e.key, e.tab, loader(e), frozenset({e.key})) for e in catalogue.own_tabs()]


# Ledger tabs in order; each later ledger appends its Tab (or, if it does not mind being imported at start-up, its
# pane class). A test builds every tab and checks its key, title and ledgers against the pane class.
PANES: list[Tab | type[Pane]] = [
    Tab("today", "今日", _today),
    Tab("incoming", "收发文/快递", _documents,
        frozenset({"incoming", "outgoing", "parcels", "dispatches", "addresses"})),
    Tab("seal-uses", "用印登记", _seals, frozenset({"seals", "licences", "seal-uses", "seal-loans"})),
    Tab("supplies", "办公用品", _supplies, frozenset({"supplies", "stock-moves"})),
    Tab("visitors", "来访登记", _visitors, frozenset({"visitors"})),
    Tab("meetings", "会议记录", _meetings, frozenset({"meetings", "actions", "bookings", "rooms"})),
    Tab("staff", "通讯录", _staff, frozenset({"staff"})),
]

# Features that hook into the window (backup, reminders …): ``install(window) -> None``.
EXTENSIONS: list[Callable[[MainWindow], None]] = []


def _install_labels(window: MainWindow) -> None:
    """工具 → 标签打印… (the dialog, with QtPdf and reportlab, is imported when first opened), the 打印字体
    settings page, and the clerk's saved font choices."""
    from neiqin.reports import fonts  # light: fonts are scanned and registered when something is printed
    from neiqin.ui.settings.settings_pages import register_settings_page

    try:
        fonts.load_saved()
    except Exception:  # noqa: BLE001 - a bad saved font must never stop the window from opening
        log.exception("could not apply saved fonts")
    action = window.menus["tools"].addAction(tr("标签打印…"))
    action.triggered.connect(lambda: _open_labels(window))
    window.actions_by_name["labels"] = action
    register_settings_page(_fonts_page)


def _open_labels(window: MainWindow) -> None:
    from neiqin.ui.printing.label_dialog import LabelPrintDialog

    LabelPrintDialog(window).exec()


def _fonts_page(dialog) -> None:
    from neiqin.ui.settings.fonts_page import add_to_settings

    add_to_settings(dialog)


def _install_backup(window: MainWindow) -> None:
    from neiqin.ui.backup_status import install  # 备份到U盘, 从备份恢复, status label, automatic backups

    install(window)


def _install_today(window: MainWindow) -> None:
    from neiqin.ui.reminders import install as install_reminders  # 到期提醒 at start-up and set times

    _install_search(window)
    install_reminders(window)


def _install_search(window: MainWindow) -> None:
    """视图 → 搜索全部台账 (Ctrl+K) over every ledger, also on the toolbar; ``actions_by_name["global_search"]``.
    The search dialog (neiqin.ui.global_search) is imported when first opened."""
    action = QAction(tr("搜索全部台账…"), window)
    action.setShortcut(QKeySequence("Ctrl+K"))
    action.setToolTip(tr("在全部台账和通讯录中搜索（Ctrl+K）"))
    action.triggered.connect(lambda: _open_search(window))
    window.actions_by_name["global_search"] = action
    menu = window.menus["view"]
    first = menu.actions()[0] if menu.actions() else None
    menu.insertAction(first, action)
    window.toolbar.addSeparator()
    window.toolbar.addAction(action)


def _open_search(window: MainWindow) -> None:
    from neiqin.ui.global_search import open_search

    open_search(window)


def _install_ledger_settings(window: MainWindow) -> None:
    from neiqin.ui.settings.settings_pages import register_settings_page

    register_settings_page(_parcels_page)  # 快递: 滞留天数, 寄件信息, 识别规则
    register_settings_page(_workdays_page)  # 工作日历 for 工作日 deadlines
    register_settings_page(_numbering_page)  # 编号: number formats


def _numbering_page(dialog) -> None:
    from neiqin.ui.settings.numbering_page import add_settings_page

    add_settings_page(dialog)


def _parcels_page(dialog) -> None:
    from neiqin.ui.mail.parcels_pane import add_settings_page

    add_settings_page(dialog)


def _workdays_page(dialog) -> None:
    from neiqin.ui.settings.workdays_page import add_settings_page

    add_settings_page(dialog)


def _install_closing_watch(window: MainWindow) -> None:
    from neiqin.ui.closing_watch import install  # 下班提醒: visitors nobody checked out

    install(window)


EXTENSIONS.append(_install_labels)
EXTENSIONS.append(_install_backup)
EXTENSIONS.append(_install_today)
EXTENSIONS.append(_install_ledger_settings)
EXTENSIONS.append(_install_closing_watch)


class MainWindow(QMainWindow):
    closing = Signal()
    recordsChanged = Signal()  # any tab changed records (reminders listen)
    ledgersChanged = Signal(object)  # the same, typed: the frozenset of ledger keys written (今日 refreshes those)

    def __init__(self, datadir: DataDir):
        super().__init__()
        self.datadir = datadir
        self.ui_settings = QSettings(str(datadir.ui_settings), QSettings.Format.IniFormat)
        self.setWindowTitle(f"{APP_TITLE} — {settings.org_name()}")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        # Tabs are built when first shown (or asked for): start-up pays only for the tab in front.
        self.tab_list = [t if isinstance(t, Tab) else Tab.of(t) for t in PANES] + own_tabs()
        from neiqin import operations

        self._mark = operations.change_mark()  # what was written before the window opened is in its first view
        self.global_search = None  # the 搜索全部台账 dialog, made when first opened (neiqin.ui.global_search)
        self._built: dict[int, Pane] = {}
        for tab in self.tab_list:
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, tr(tab.title))
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
        data_dir = a("open_data_dir", "打开数据目录", self.open_data_dir)
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
        self.menus["page"] = m = bar.addMenu(tr("操作(&A)"))
        m.aboutToShow.connect(self._fill_page_menu)
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
    def panes(self) -> list[Pane]:
        """The tabs built so far."""
        return [self._built[i] for i in sorted(self._built)]

    def built_pane(self, key: str) -> Pane | None:
        """The tab's pane if it has been built (nothing is imported or built)."""
        return next((p for i, p in self._built.items() if self.tab_list[i].key == key), None)

    def _pane_at(self, index: int) -> Pane:
        pane = self._built.get(index)
        if pane is None:
            pane = self.tab_list[index].load()(self.datadir, self.ui_settings, self)
            pane.countChanged.connect(self._count_changed)
            pane.recordsChanged.connect(self._records_changed)
            self.tabs.widget(index).layout().addWidget(pane)
            self._built[index] = pane
        return pane

    def current_pane(self) -> Pane:
        return self._pane_at(self.tabs.currentIndex())

    def _records_changed(self) -> None:
        """A tab wrote records: every tab built so far refreshes what shows one of the ledgers written."""
        from neiqin import operations

        writer = self.sender()
        ledgers, self._mark = operations.changes_since(self._mark)
        self.recordsChanged.emit()
        self.ledgersChanged.emit(ledgers)
        for pane in self.panes:
            pane.refresh_changed(ledgers, source=writer)

    def pane(self, key: str) -> Pane:
        index = next(i for i, tab in enumerate(self.tab_list) if tab.key == key)
        return self._pane_at(index)

    def pane_for_ledger(self, ledger_key: str) -> Pane:
        """The tab that shows a ledger (a sub-view of a multi-view tab counts)."""
        for i, tab in enumerate(self.tab_list):
            if tab.shows(ledger_key):
                return self._pane_at(i)
        raise KeyError(ledger_key)

    def open_record(self, ledger_key: str, record_id: int) -> bool:
        """Bring the record's tab to the front with the record selected (今日, global search, links)."""
        pane = self.show_pane(self.pane_for_ledger(ledger_key))
        return pane.open_record(record_id, ledger_key)

    def show_pane(self, pane_or_key: Pane | str) -> Pane:
        """Bring a ledger tab to the front (building it if needed)."""
        pane = self.pane(pane_or_key) if isinstance(pane_or_key, str) else pane_or_key
        index = next(i for i, p in self._built.items() if p is pane)
        self.tabs.setCurrentIndex(index)
        return pane

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            pane = self._pane_at(index)
            pane.update_count()
            self._update_actions()
            if not self.tabs.tabBar().hasFocus():  # arrows on the tab bar keep moving along the tabs
                pane.focus_first()

    def _count_changed(self, n: int, description: str) -> None:
        if self.sender() is self._built.get(self.tabs.currentIndex()):
            self.count_label.setText(f"{description}：{self.current_pane().SPEC.count_text(n)}")
            self._update_actions()  # the view in front may have changed (Alt+1 … in a tab of several views)

    def _update_actions(self) -> None:
        """The window's actions the tab in front does not handle are greyed out (their shortcuts do nothing)."""
        from neiqin.ui.pane import ACTION_METHODS

        pane = self._built.get(self.tabs.currentIndex())
        if pane is None:
            return
        for name in ACTION_METHODS:
            self.actions_by_name[name].setEnabled(pane.supports(name))

    def _fill_page_menu(self) -> None:
        """操作 lists the own actions of the view in front (签收, 登记取件 …) with their shortcuts."""
        menu = self.menus["page"]
        menu.clear()
        actions = self.current_pane().view_actions()
        for action in actions:
            menu.addAction(action)
        if not actions:
            menu.addAction(tr("（本页没有其他操作）")).setEnabled(False)

    def open_settings(self) -> None:
        from neiqin.ui.dialogs import SettingsDialog

        if SettingsDialog(self).exec():
            self.setWindowTitle(f"{APP_TITLE} — {settings.org_name()}")
            for p in self.panes:
                p.refresh()

    def open_data_dir(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.datadir.root)))

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

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
