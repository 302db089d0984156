"""A fork server for the power-cut tests: imports neiqin once, then forks a worker per request.

    python crash_worker.py MODE DATA_DIR [ARG ...]

MODE ``write``: save staff and visitors forever, printing ``saved staff ID`` / ``saved visit ID`` after each
commit. ``backup``: back up to ARG forever. ``restore``: restore the backups given as ARGs in turn, forever.
For each line on stdin the server forks a worker (fast: nothing to import again), prints ``child PID``, waits
for it to die (the test kills it with SIGKILL at a random moment) and prints ``dead PID``. The worker opens its
own database connection after the fork; the server never opens one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from neiqin import backup
from neiqin.db import open_database
from neiqin.models import STAFF
from neiqin.models.staff import pinyin_keys
from neiqin.models.visitors import check_in, check_out
from neiqin.paths import DataDir


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()  # one write() of a short line: it reaches the pipe whole or not at all


def cn(n: int) -> str:
    """Names may not contain digits: 12 -> 一二."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def write_forever(datadir: DataDir, seed: int) -> None:
    open_database(datadir.db_path, datadir.backups)
    host = STAFF.create({"name": f"接待{cn(seed)}", "department": "办公室"})
    say(f"saved staff {host.id}")
    i = 0
    while True:
        s = STAFF.create({"name": f"员工{cn(seed)}号{cn(i)}", "department": "技术部", "mobile": "13800138000",
                          "note": "断电测试" * (i % 7)})
        say(f"saved staff {s.id}")
        if i % 3 == 0:
            v = check_in({"name": f"访客{cn(seed)}号{cn(i)}", "company": "某某科技有限公司", "host": host.id,
                          "purpose": "断电测试"})
            say(f"saved visit {v.id}")
            check_out(v)
        i += 1


def backup_forever(datadir: DataDir, target: Path) -> None:
    while True:
        result = backup.create_backup(datadir, target, keep=3)
        say(f"backup {result.path.name}")


def restore_forever(datadir: DataDir, sources: list[Path], seed: int) -> None:
    i = seed
    while True:
        source = sources[i % len(sources)]
        backup.restore_backup(source, datadir)
        say(f"restored {source.name}")
        i += 1


def child(mode: str, datadir: DataDir, args: list[str], seed: int) -> None:
    if mode == "write":
        write_forever(datadir, seed)
    elif mode == "backup":
        backup_forever(datadir, Path(args[0]))
    elif mode == "restore":
        restore_forever(datadir, [Path(a) for a in args], seed)
    raise SystemExit(f"unknown mode {mode}")


def main() -> None:
    mode, root, *args = sys.argv[1:]
    datadir = DataDir(Path(root))
    pinyin_keys("预热")  # load pypinyin's dictionaries once here, not in every worker (0.2 s each)
    say("ready")
    for line in sys.stdin:
        seed = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                child(mode, datadir, args, seed)
            except BaseException as e:  # noqa: BLE001 - report and leave without running the server's code
                say(f"error {type(e).__name__}: {e}")
            finally:
                os._exit(0)
        say(f"child {pid}")
        os.waitpid(pid, 0)
        say(f"dead {pid}")


if __name__ == "__main__":
    main()
