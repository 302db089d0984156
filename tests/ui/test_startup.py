"""Start-up pays for the tab in front (今日) only.

In a fresh interpreter the window is created offscreen as ``python -m neiqin`` creates it, on a fresh data
folder, and shown until 今日 lists its sections: none of the heavy libraries (openpyxl, reportlab, cryptography,
pypinyin, QtCharts, QtPdf, QtPrintSupport), the backup engine, the chart module, nor the UI modules of the tabs not
shown may be loaded by then. Each tab's modules are loaded once that tab is shown. The tab list the window names
before importing anything is checked against the pane classes themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ["openpyxl", "reportlab", "cryptography", "pypinyin", "PySide6.QtCharts", "PySide6.QtPdf",
         "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "neiqin.backup", "neiqin.ui.charts",
         "neiqin.ui.printing.label_dialog", "neiqin.ui.printing.preview", "neiqin.reports.excel", "neiqin.reports.register",
         "neiqin.ui.backup_ui", "neiqin.ui.global_search", "neiqin.ui.dialogs"]  # dialogs: opened on use

# the UI modules of each tab that is not in front at start
TAB_MODULES = {
    "incoming": ["neiqin.ui.mail.documents_pane", "neiqin.ui.mail.incoming_pane", "neiqin.ui.mail.outgoing_pane",
                 "neiqin.ui.mail.parcels_pane", "neiqin.ui.mail.parcel_desk", "neiqin.ui.multi_pane",
                 "neiqin.ui.ledger_pane"],
    "seal-uses": ["neiqin.ui.seals.seals_pane", "neiqin.ui.seals.seal_dialogs"],
    "supplies": ["neiqin.ui.supplies.supplies_pane", "neiqin.ui.supplies.supply_desk",
                 "neiqin.ui.supplies.stocktake_view"],
    "visitors": ["neiqin.ui.visitors_pane"],
    "meetings": ["neiqin.ui.meetings.meetings_pane", "neiqin.ui.meetings.room_grid"],
    "staff": ["neiqin.ui.staff_pane"],
}

DRIVER = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from neiqin.app import create_window
from neiqin.paths import DataDir

def loaded(names):
    return [n for n in names if n in sys.modules]

names = json.loads(sys.argv[2])
app = QApplication([])
window = create_window(DataDir(Path(sys.argv[1])).ensure())
window.show()
pane = window.current_pane()
for _ in range(500):  # until 今日 lists its sections (it fills them while it is built)
    app.processEvents()
    if pane.board.tree.topLevelItemCount() and window.isVisible():
        break
out = {"front": pane.spec.key, "sections": pane.board.tree.topLevelItemCount(), "at_start": loaded(names),
       "tabs": {}}
for key in json.loads(sys.argv[3]):
    window.show_pane(key)
    app.processEvents()
    out["tabs"][key] = loaded(names)
print("RESULT " + json.dumps(out))
window.close()
"""


def test_start_imports_only_what_the_front_tab_needs(tmp_path):
    names = HEAVY + [m for mods in TAB_MODULES.values() for m in mods]
    r = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path / "data"), json.dumps(names),
                        json.dumps(list(TAB_MODULES))], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    out = json.loads(next(line for line in r.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert out["front"] == "today" and out["sections"] > 0
    assert out["at_start"] == [], "loaded before the first page was shown: " + ", ".join(out["at_start"])
    for key, modules in TAB_MODULES.items():  # the names above are real: showing the tab loads them
        assert set(modules) <= set(out["tabs"][key]), key
    assert not {"reportlab", "openpyxl", "cryptography", "neiqin.backup"} & set(out["tabs"]["staff"])


def test_every_tab_is_declared_as_its_pane_class_says(window):
    from neiqin.ui.main_window import PANES, Tab

    assert [t.key for t in window.tab_list] == ["today", "incoming", "seal-uses", "supplies", "visitors",
                                                "meetings", "staff"]
    for i, tab in enumerate(window.tab_list):
        cls = tab.load()
        real = Tab.of(cls)
        assert (tab.key, tab.title) == (real.key, real.title)
        assert window.tabs.tabText(i) == cls.SPEC.tab_title
        assert tab.ledgers | {tab.key} == real.ledgers | {real.key}, tab.key
    assert len(PANES) == len(window.tab_list)


def test_a_pane_is_built_when_asked_for(window):
    assert window.built_pane("staff") is None
    staff = window.pane("staff")  # built on demand, not brought to the front
    assert window.built_pane("staff") is staff and window.current_pane() is not staff
    assert window.pane_for_ledger("seal-loans") is window.pane("seal-uses")
    assert window.show_pane("staff") is staff and window.current_pane() is staff
