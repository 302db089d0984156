"""Starting the window: Qt application, fonts, error hook, data-dir lock, database, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from neiqin import APP_NAME, APP_TITLE
from neiqin.errors import NeiqinError
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

# (file, its family): a CJK font the system's font configuration already lists is used by name (no file to read
# at start-up); otherwise the file is added to the application's fonts
LINUX_CJK_FONTS = [("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
                   ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei")]


def install_excepthook(datadir: DataDir) -> None:
    """Unexpected errors are logged with their traceback and shown; the program keeps running."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error\n%s", details)
        from PySide6.QtWidgets import QApplication

        from neiqin.ui.dialogs import ErrorDialog
        from neiqin.ui.util import error_text

        if QApplication.instance() is not None:
            try:
                ErrorDialog(error_text(exc), details, str(datadir.logs / "neiqin.log"),
                            QApplication.activeWindow()).exec()
            except Exception:  # noqa: BLE001 - the hook itself must never raise
                log.exception("could not show the error dialog")

    sys.excepthook = hook


def _app_font(app) -> None:
    from PySide6.QtGui import QFont, QFontDatabase

    if sys.platform.startswith("win"):
        app.setFont(QFont("Microsoft YaHei UI", 9))
        return
    for path, family in LINUX_CJK_FONTS:
        if Path(path).exists():
            if QFontDatabase.hasFamily(family):
                app.setFont(QFont(family, 10))
                return
            fid = QFontDatabase.addApplicationFont(path)
            families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if families:
                app.setFont(QFont(families[0], 10))
                return


def install_icon(app) -> None:
    """The program's icon on every window and in the taskbar (the .ico holds 16 to 256 pixels, for every DPI)."""
    from PySide6.QtGui import QIcon

    from neiqin.paths import resource

    path = resource("neiqin.ico") or resource("neiqin.png")
    if path is not None:
        app.setWindowIcon(QIcon(str(path)))


def _qt_translations(app) -> None:
    """Qt's own buttons and dialogs (OK/Cancel, print and file dialogs) in Chinese."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def create_window(datadir: DataDir):
    """Open the database and build the main window (the caller owns the QApplication and the lock)."""
    from neiqin.backup_guard import recover_interrupted_restore
    from neiqin.db import open_database
    from neiqin.ui.main_window import MainWindow

    recover_interrupted_restore(datadir)  # a restore cut off by a crash is rolled back or finished first
    open_database(datadir.db_path, datadir.backups)
    # expired 来访 personal data is erased by the window's closing watch, at its first check just after the
    # first page (run_gui) and then daily: the visitor ledger is not imported before the first page
    return MainWindow(datadir)


def confirm_new_data_dir(root: Path) -> bool:
    """A data dir named on the command line (or by start.bat) that does not exist: ask before making it."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, APP_TITLE,
                      f"数据目录不存在：\n{root}\n\n如果数据在U盘或网络盘上，请先插好U盘（或连上网络盘），再重新打开程序。"
                      "\n\n要在这里新建一个空的数据目录吗？")
    create = box.addButton("新建空的数据目录", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(box.buttons()[-1])
    box.exec()
    return box.clickedButton() is create


def run_gui(datadir: DataDir, *, ask_to_create: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from neiqin.db import DataDirLock, close_database
    from neiqin.logs import setup_logging
    from neiqin.ui.refcounts import pin_singletons

    pin_singletons()  # a window open all day must not abort (PySide6 6.12 on Python 3.11)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    install_icon(app)
    if ask_to_create and not datadir.root.exists() and not confirm_new_data_dir(datadir.root):
        return 1
    datadir.ensure()
    setup_logging(datadir)
    _app_font(app)
    _qt_translations(app)
    install_excepthook(datadir)
    try:
        lock = DataDirLock(datadir).acquire()
    except NeiqinError as e:
        QMessageBox.warning(None, APP_TITLE, str(e))
        return 3
    try:
        try:
            window = create_window(datadir)
        except NeiqinError as e:
            QMessageBox.critical(None, APP_TITLE, str(e))
            return 2
        window.show()
        # expired personal data erased, visits nobody checked out on earlier days offered for closing
        QTimer.singleShot(800, window.closing_watch.check)
        return app.exec()
    finally:
        close_database()
        lock.release()
