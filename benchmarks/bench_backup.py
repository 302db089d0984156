"""Backup, verify and restore of a large database (≈1 GB at 1,000,000 visits), beside cp and integrity_check.

Targets (issue 8): a backup ≤ 1.5× the time of copying the same file with ``cp``; verifying ≤ 1.5× a bare
``PRAGMA integrity_check``. Both baselines are measured in the same run, on the same files.

What is timed (medians of ``--repeat`` runs, ``os.sync()`` before each so no run pays for another's writes):

- ``cp DB DEST`` — what the target names; it leaves the data in the page cache, not on the medium;
- ``cp DB DEST`` + ``fsync(DEST)`` — the same copy made durable, which a backup must be before it says "done";
- a plain read/write loop in Python + fsync — the least any program pays that looks at the bytes (GNU cp
  copies inside the kernel with ``copy_file_range``, never bringing the data into user space);
- ``create_backup`` split by its own timings: *copy* = snapshot through the SQLite backup API + writing the
  .nqbak (sealing, SHA-256, fsync, rename); *verify* = reading it back (page cache dropped first) + checksums +
  ``integrity_check`` + row counts of the snapshot; plain and encrypted (AES-256-GCM, scrypt 2^17);
- ``PRAGMA integrity_check`` alone on the database; ``verify_backup FILE`` (unpack + the same checks);
- ``restore_backup`` into a fresh data dir (unpack, check, copy aside, swap), for information.

The target folder is on the same disk as the data here (no USB stick in CI); a real stick is slower to write
and both sides of the comparison slow down with it. The database is the shared benchmark database (see
``_common.py``), copied once through the backup API into this benchmark's own folder, plus 40 attachments.

    .venv/bin/python benchmarks/bench_backup.py [--rows 1000000] [--repeat 3] [--target DIR]
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as C  # noqa: E402

from neiqin import backup  # noqa: E402
from neiqin.paths import DataDir  # noqa: E402

PASSPHRASE = "benchmark passphrase 2025"
ATTACHMENTS, ATTACHMENT_SIZE = 40, 256 * 1024


def prepare(rows: int) -> DataDir:
    """This benchmark's own copy of the shared benchmark database, with attachments; built once."""
    src = DataDir(C.data_dir(rows))
    work = DataDir(C.CACHE / "backup-bench" / f"data-{rows}")
    marker = work.root / "BUILT"
    if marker.exists():
        return work
    shutil.rmtree(work.root, ignore_errors=True)
    work.ensure()
    print(f"copying {src.db_path} into {work.root} …", flush=True)
    backup.snapshot_database(src.db_path, work.db_path)
    for i in range(ATTACHMENTS):
        (work.attachments / f"扫描件-{i:03d}.pdf").write_bytes(os.urandom(ATTACHMENT_SIZE))
    marker.write_text(f"{rows}\n")
    return work


def median_of(repeat: int, setup: Callable[[], None], fn: Callable[[], object]) -> tuple[float, list[object]]:
    times, results = [], []
    for _ in range(repeat):
        setup()
        os.sync()
        t0 = time.perf_counter()
        results.append(fn())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), results


def clear(folder: Path) -> Callable[[], None]:
    def run() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    return run


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def user_space_copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as f, open(dest, "wb") as out:
        while block := f.read(1 << 20):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())


def main() -> None:
    p = C.parser(__doc__)
    p.set_defaults(repeat=3)
    p.add_argument("--target", type=Path, default=C.CACHE / "backup-bench" / "stick", help="backup folder")
    args = p.parse_args()
    C.header("bench_backup: backup / verify / restore of a large database")
    need = 6 * 1.1e9 * args.rows / 1_000_000
    free = shutil.disk_usage(C.CACHE.parent if not C.CACHE.exists() else C.CACHE).free
    if free < need:
        args.rows = 250_000
        print(f"   only {free / 1e9:.0f} GB free: using {args.rows:,} rows (≈250 MB) instead", flush=True)
    data = prepare(args.rows)
    db_size = data.db_path.stat().st_size
    att = sum(f.stat().st_size for f in data.attachments.iterdir())
    print(f"   database {db_size / 1e6:.0f} MB, attachments {att / 1e6:.0f} MB, target {args.target}", flush=True)
    target = args.target
    table = C.Table(f"backup of a {db_size / 1e9:.2f} GB database (+{att / 1e6:.0f} MB attachments), "
                    f"median of {args.repeat}")

    copy_dest = target / "cp-copy.sqlite"
    t_cp, _ = median_of(args.repeat, clear(target), lambda: subprocess.run(["cp", str(data.db_path),
                                                                           str(copy_dest)], check=True))
    t_cp_sync, _ = median_of(args.repeat, clear(target), lambda: (
        subprocess.run(["cp", str(data.db_path), str(copy_dest)], check=True), fsync_path(copy_dest)))
    t_py, _ = median_of(args.repeat, clear(target), lambda: user_space_copy(data.db_path, copy_dest))
    table.add("cp DB (page cache, no flush)", "baseline", C.ms(t_cp))
    table.add("cp DB + fsync", "baseline", C.ms(t_cp_sync))
    table.add("read + write 1 MB blocks in Python + fsync", "floor for any backup that reads the bytes",
              C.ms(t_py), C.ms(t_cp), f"{t_py / t_cp:.2f}× cp")

    def backup_once(passphrase: str | None):
        return backup.create_backup(data, target, passphrase=passphrase, keep=1)

    keep_aside = target.parent / "kept"
    shutil.rmtree(keep_aside, ignore_errors=True)
    keep_aside.mkdir(parents=True)
    results = {}
    for label, passphrase in (("plain", None), ("encrypted", PASSPHRASE)):
        total, runs = median_of(args.repeat, clear(target), lambda pp=passphrase: backup_once(pp))
        copy = statistics.median(r.timings["snapshot"] + r.timings["write"] for r in runs)
        verify = statistics.median(r.timings["verify"] for r in runs)
        snap = statistics.median(r.timings["snapshot"] for r in runs)
        results[label] = Path(shutil.move(str(runs[-1].path), keep_aside / runs[-1].path.name))
        table.add(f"backup {label}: copy (snapshot {C.ms(snap)} + write + fsync)", "≤ 1.5× cp",
                  C.ms(copy), C.ms(t_cp), f"{copy / t_cp:.2f}× cp, {copy / t_cp_sync:.2f}× cp+fsync",
                  copy <= 1.5 * t_cp)
        table.add(f"backup {label}: whole, incl. read-back verify", "—", C.ms(total), C.ms(t_cp),
                  f"{total / t_cp:.2f}× cp, {total / t_cp_sync:.2f}× cp+fsync")
        results[label + "_verify"] = verify
        results[label + "_size"] = runs[-1].info.file_size

    conn = sqlite3.connect(data.db_path)
    t_ic, _ = median_of(args.repeat, lambda: None, lambda: conn.execute("PRAGMA integrity_check").fetchall())
    conn.close()
    table.add("PRAGMA integrity_check alone", "baseline", C.ms(t_ic))
    for label in ("plain", "encrypted"):
        v = results[label + "_verify"]
        table.add(f"backup {label}: read-back verify step", "≤ 1.5× integrity_check", C.ms(v), C.ms(t_ic),
                  f"{v / t_ic:.2f}×", v <= 1.5 * t_ic)

    plain, secret = results["plain"], results["encrypted"]
    work = data.backups / ".tmp"
    for label, path, pp in (("plain", plain, None), ("encrypted", secret, PASSPHRASE)):
        t_v, _ = median_of(args.repeat, lambda: None, lambda p=path, q=pp: backup.verify_backup(p, q, work_dir=work))
        table.add(f"verify FILE ({label}): unpack + checks", "≤ 1.5× integrity_check", C.ms(t_v), C.ms(t_ic),
                  f"{t_v / t_ic:.2f}×", t_v <= 1.5 * t_ic)

    fresh = DataDir(target.parent / "restored")
    t_r, _ = median_of(1, lambda: shutil.rmtree(fresh.root, ignore_errors=True),
                       lambda: backup.restore_backup(secret, fresh, PASSPHRASE))
    table.add("restore encrypted backup into a fresh data dir", "—", C.ms(t_r), C.ms(t_cp),
              f"{t_r / t_cp:.2f}× cp")
    table.add("backup file size (plain / encrypted)", "—",
              f"{results['plain_size'] / 1e6:.0f} / {results['encrypted_size'] / 1e6:.0f} MB",
              f"{(db_size + att) / 1e6:.0f} MB")
    table.add("peak RSS of this process", "chunked: no file-sized buffers", f"{C.peak_rss_mb():.0f} MB")
    table.print()
    shutil.rmtree(fresh.root, ignore_errors=True)
    shutil.rmtree(keep_aside, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
