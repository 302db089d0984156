"""Making a backup: the database and its attachments in one checked, optionally encrypted file (``.nqbak``).

1. a snapshot of the live database through the SQLite backup API inside ONE read transaction, so it is
   consistent while the window keeps saving (never a raw copy of a WAL database), into a private temp file;
2. streamed with the attachments into ``.NAME.part`` on the target, fsync'ed (file and folder), renamed;
3. read back from the medium (``neiqin.backup.readback``) and checked: every chunk, every file's SHA-256, then
   ``PRAGMA integrity_check`` and the row counts of the snapshot those bytes came from.
Only then is it reported done. A stick pulled out or full half-way leaves no file that looks like a backup.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from neiqin import clock, winfs
from neiqin.backup.common import _STALE_SECONDS, BackupError, Progress, _no_progress, _now, human_size
from neiqin.backup.container import (
    _END,
    CHECKSUMS,
    CHUNK_SIZE,
    DATABASE,
    MANIFEST,
    _ChunkWriter,
    _put_bytes,
    _put_file,
)
from neiqin.backup.database import snapshot_database
from neiqin.backup.manifest import BackupInfo, _list_attachments, _make_manifest
from neiqin.backup.media import _check_file_size_limit, _check_target, _make_room, _media_error
from neiqin.backup.readback import _verify_written
from neiqin.backup.retention import USB_PREFIX, _backup_name, _remove_stale_parts, rotate_backups
from neiqin.backup.sealing import _new_header, _Sealer
from neiqin.backup.verify import _SnapshotCheck
from neiqin.backup_guard import fsync_dir as _fsync_dir
from neiqin.backup_guard import remove_quietly as _remove_quietly
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

_TMP = ".tmp"  # under datadir.backups: snapshots being made, backups being checked


@dataclass
class BackupResult:
    path: Path
    info: BackupInfo
    seconds: float
    removed: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # snapshot / write / verify, seconds
    verified: bool = True
    readback: str = ""  # a sentence when the read-back could not bypass the OS cache (what was really checked)

    def summary(self) -> str:
        lines = [
            ("备份完成，已读回校验" if not self.readback else "备份完成，已校验（见下方说明）")
            if self.verified else "备份完成（未校验）",
            f"文件：{self.path}",
            f"大小：{human_size(self.info.file_size)}" + ("（已加密）" if self.info.encrypted else "（未加密）"),
            f"内容：{self.info.ledger_text()}；附件 {self.info.attachment_files} 个",
            f"用时：{self.seconds:.1f} 秒",
            "校验：数据块与校验和一致，数据库完整性检查通过，记录数一致",
        ]
        if self.removed:
            lines.append(f"已删除较早的备份 {len(self.removed)} 份")
        if self.readback:
            lines.append(self.readback)
        return "\n".join(lines)


def _private_tmp(datadir: DataDir) -> Path:
    base = datadir.backups / _TMP
    base.mkdir(parents=True, exist_ok=True)
    cutoff = clock.file_time() - _STALE_SECONDS
    for old in base.iterdir():  # left by a backup that was killed; a running one is younger than an hour
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                _remove_quietly(old)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


def _open_target(path: Path) -> BinaryIO:
    """The new backup file on the target (a seam for tests that simulate a full or pulled-out stick)."""
    return open(path, "xb")  # noqa: SIM115 - closed by _write_container


def _write_container(part: Path, final: Path, header: bytes, sealer: _Sealer, chunk_size: int,
                     manifest: dict, files: list[tuple[str, Path]], advance: Callable[[int], None]) -> dict[str, str]:
    out = _open_target(part)
    try:
        out.write(header)
        w = _ChunkWriter(out, sealer, chunk_size, advance)
        sums = {MANIFEST: _put_bytes(w, MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))}
        for name, path in files:
            sums[name] = _put_file(w, name, path)
        _put_bytes(w, CHECKSUMS, json.dumps(sums, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        w.write(_END)
        w.close()
        out.flush()
        os.fsync(out.fileno())
    finally:
        out.close()
    winfs.replace(part, final)
    _fsync_dir(final.parent)
    return sums


def create_backup(datadir: DataDir, folder: Path, *, passphrase: str | None = None, keep: int | None = None,
                  prefix: str = USB_PREFIX, kind: str = "usb", media: str = "U盘",
                  progress: Progress | None = None, chunk_size: int = CHUNK_SIZE) -> BackupResult:
    """Back up the database and attachments into ``folder``; returns only after reading the file back.

    Works while the window has the database open (no data-dir lock). ``keep``: how many backups of this kind
    to keep in the folder (older ones are deleted after the new one is verified). ``media`` names the target
    in messages ("U盘", "备份文件夹"). ``progress`` may raise BackupCancelled to stop; nothing is left behind.
    """
    started = time.monotonic()
    report = progress or _no_progress
    folder = Path(folder)
    if passphrase is not None and not passphrase:
        raise BackupError("备份口令不能为空。")
    _check_target(datadir, folder, media)
    _remove_stale_parts(folder)
    created = _now()
    try:
        tmp = _private_tmp(datadir)
    except OSError as e:
        raise BackupError(f"无法在数据目录中建立临时文件夹（{e.strerror or e}）：{datadir.backups}") from e
    timings: dict[str, float] = {}
    check: _SnapshotCheck | None = None
    final: Path | None = None
    try:
        snap = tmp / DATABASE
        snapshot_database(datadir.db_path, snap, report)
        attachments = _list_attachments(datadir.attachments)
        manifest = _make_manifest(snap, kind, created, attachments)
        timings["snapshot"] = time.monotonic() - started
        check = _SnapshotCheck(snap, manifest)
        check.start()
        needed = snap.stat().st_size + manifest["attachments"]["bytes"] + 64 * 1024
        _check_file_size_limit(folder, needed, media)
        removed = _make_room(folder, prefix, needed + needed // 64, media)
        header, sealer = _new_header(passphrase, chunk_size, created)
        final = _backup_name(folder, prefix, created)
        sums = _write_target(final, header, sealer, chunk_size, manifest, [(DATABASE, snap), *attachments],
                             report, media, needed)
        timings["write"] = time.monotonic() - started - timings["snapshot"]
        mark = time.monotonic()
        info, readback = _verify_written(final, passphrase, sums, report, media)
        report("正在检查数据完整性", 0, 0)
        check.result()
        timings["verify"] = time.monotonic() - mark
        if keep:
            removed += rotate_backups(folder, prefix, keep)
    except BaseException:
        if check is not None:
            check.stop()
        if final is not None:
            _remove_quietly(final)  # not verified: it must not look like a backup
        raise
    finally:
        _remove_quietly(tmp)
    log.info("backup %s written and verified (%s)", final, human_size(info.file_size))
    return BackupResult(final, info, time.monotonic() - started, removed, timings, readback=readback)


def _write_target(final: Path, header: bytes, sealer: _Sealer, chunk_size: int, manifest: dict,
                  files: list[tuple[str, Path]], report: Progress, media: str, needed: int) -> dict[str, str]:
    part = final.with_name(f".{final.name}.part")
    written = 0

    def advance(n: int) -> None:
        nonlocal written
        written += n
        report(f"正在写入{media}", written, needed)

    try:
        return _write_container(part, final, header, sealer, chunk_size, manifest, files, advance)
    except OSError as e:
        cleaned = _remove_quietly(part, final)
        log.warning("backup to %s failed: %s", final.parent, e)
        raise _media_error(e, media, final.parent, needed, cleaned) from e
    except BaseException:
        _remove_quietly(part, final)
        raise
