"""One of two processes racing for numbers on the same database file (tests/test_numbering.py).

``python numbering_worker.py DB GO COUNT MODE``: opens its own connection, says "ready", waits until the file GO
exists, then takes COUNT 用印 numbers of 2026 — MODE ``allocator``: the allocator and a seal_use row per number,
each in its own write transaction; MODE ``api``: seals.apply_use, the register's real step — and prints the
numbers it got as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from neiqin.db import close_database, open_database
from neiqin.models.seals.registry import Seal
from neiqin.models.seals.uses import USE_NO, SealUse, apply_use
from neiqin.numbering import write_transaction


def main() -> None:
    db_path, go, count, mode = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    open_database(db_path)
    seal = Seal.select().first()
    template = SealUse.select().first().__data__
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    got = []
    at = dt.datetime(2026, 3, 2, 10, 0)
    for _ in range(count):
        if mode == "api":
            use = apply_use({"seal": seal.id, "applicant": "王芳", "department": "办公室", "doc_title": "证明",
                             "copies": 1, "purpose": "开具证明", "applied_at": at})
            got.append(use.no)
        else:
            with write_transaction():
                number = USE_NO.take(2026)
                row = {k: v for k, v in template.items() if k != "id"}
                SealUse.insert(**{**row, "no": number.text}).execute()
            got.append(number.text)
        # a breath between saves, as between two clerks' saves: SQLite's lock is not fair, and a process that
        # commits and begins again at once could keep the other waiting past its busy timeout
        time.sleep(0.001)
    close_database()
    print(json.dumps(got), flush=True)


if __name__ == "__main__":
    main()
