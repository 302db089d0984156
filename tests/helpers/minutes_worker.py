"""The minutes editor in a process of its own, for the autosave kill test (tests/test_minutes_autosave.py).

    python minutes_worker.py type DATA_DIR MEETING_ID   open the editor and type words forever
    python minutes_worker.py check DATA_DIR MEETING_ID  open the editor, print what it shows, quit

``type`` prints ``ready`` once the editor is up, then ``typed N T`` after word N went into the notes (T is
``time.monotonic()``, which is system-wide, so the test can compare it with the moment it sent SIGKILL), and
``saved N T`` after each autosave that wrote words up to N.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from neiqin.db import open_database  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    mode, root, meeting_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    datadir = DataDir(Path(root))
    app = QApplication(sys.argv[:1])
    open_database(datadir.db_path, datadir.backups)
    from neiqin.ui.meetings.minutes_editor import MinutesEditor

    editor = MinutesEditor(meeting_id)
    editor.show()
    box = editor.items[0]
    if mode == "check":
        say(json.dumps({"notes": box.notes.toPlainText(), "title": box.title.text(), "status": editor.status.text(),
                        "decisions": [d.value() for d in box.decisions]}, ensure_ascii=False))
        editor.autosave_timer.stop()
        os._exit(0)
    box.notes.setFocus()
    counter = {"n": 0}
    autosave = editor.autosave

    def autosave_and_report() -> None:  # ``saved N T``: words up to N were in the database at T
        if autosave():
            say(f"saved {counter['n'] - 1} {time.monotonic():.3f}")

    editor.autosave_timer.timeout.disconnect()
    editor.autosave_timer.timeout.connect(autosave_and_report)

    def type_word() -> None:
        n = counter["n"]
        QTest.keyClicks(box.notes, f"w{n} ")
        say(f"typed {n} {time.monotonic():.3f}")
        counter["n"] += 1

    timer = QTimer(interval=50, timeout=type_word)
    timer.start()
    say("ready")
    app.exec()


if __name__ == "__main__":
    main()
