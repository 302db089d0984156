"""Reading a backup file: whether it is encrypted, its preview (the first records only), and the whole of it,
every record and every file's SHA-256 checked (``_unpack``), unpacked into a folder or only read."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from neiqin.backup.common import _DAMAGED, _UNTOUCHED, BackupError, CorruptBackup, Progress
from neiqin.backup.container import (
    ATTACHMENTS,
    CHECKSUMS,
    DATABASE,
    MANIFEST,
    _ChunkReader,
    _read_entry_header,
    _safe_attachment_path,
)
from neiqin.backup.manifest import BackupInfo
from neiqin.backup.sealing import _read_header, _reading_sealer


def _open_backup(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the callers' with-blocks
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件：{path}") from None
    except OSError as e:
        raise BackupError(f"无法读取备份文件 {path}（{e.strerror or e}）。如果它在U盘上，请检查U盘是否插好。") from e


def backup_is_encrypted(path: Path) -> bool:
    with _open_backup(Path(path)) as f:
        meta, _ = _read_header(f)
    return bool(meta.get("encrypted"))


def read_manifest(path: Path, passphrase: str | None = None) -> BackupInfo:
    """The preview of a backup: reads only its first records (quick even for a large file)."""
    path = Path(path)
    with _open_backup(path) as f:
        meta, hh = _read_header(f)
        reader = _ChunkReader(f, _reading_sealer(meta, hh, passphrase), meta["chunk_size"], lambda n: None)
        return BackupInfo.from_manifest(path, meta, _read_manifest_entry(reader)[0])


def _read_manifest_entry(reader: _ChunkReader) -> tuple[dict, bytes]:
    entry = _read_entry_header(reader)
    if entry is None or entry[0] != MANIFEST or entry[1] > 16 << 20:
        raise CorruptBackup(_DAMAGED)
    raw = reader.read(entry[1])
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise CorruptBackup(_DAMAGED) from None
    if not isinstance(manifest, dict) or manifest.get("app") != "neiqin":
        raise CorruptBackup(_DAMAGED)
    return manifest, raw


def _unpack(path: Path, passphrase: str | None, dest: Path | None, *, attachments: bool, durable: bool = False,
            progress: Progress, stage: str, opener: Callable[[Path], BinaryIO] | None = None,
            ) -> tuple[BackupInfo, dict[str, str]]:
    """Read a whole backup, checking every record and file; write the database (and attachments) to ``dest``.

    Returns the info and the SHA-256 of every entry. Nothing is trusted until this returns.
    """
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        progress(stage, done, total)

    with (opener or _open_backup)(path) as f:
        total = os.fstat(f.fileno()).st_size
        meta, hh = _read_header(f)
        reader = _ChunkReader(f, _reading_sealer(meta, hh, passphrase), meta["chunk_size"], advance)
        manifest, raw = _read_manifest_entry(reader)
        info = BackupInfo.from_manifest(path, meta, manifest)
        digests = {MANIFEST: hashlib.sha256(raw).hexdigest()}
        recorded: dict[str, str] | None = None
        while (entry := _read_entry_header(reader)) is not None:
            name, size = entry
            if name in digests or recorded is not None:
                raise CorruptBackup(_DAMAGED)
            if name == CHECKSUMS:
                try:
                    recorded = json.loads(reader.read(size))
                except ValueError:
                    raise CorruptBackup(_DAMAGED) from None
                continue
            if name == DATABASE:
                target = dest / DATABASE if dest else None
            elif name.startswith(ATTACHMENTS):
                target = _safe_attachment_path(dest / "attachments", name) if dest and attachments else None
            else:
                raise CorruptBackup(_DAMAGED)
            digests[name] = _copy_entry(reader, size, target, durable)
        reader.finish()
    _check_digests(info, digests, recorded)
    info.database_sha256 = digests[DATABASE]
    return info, digests


def _copy_entry(reader: _ChunkReader, size: int, target: Path | None, durable: bool) -> str:
    h = hashlib.sha256()
    if target is None:
        for piece in reader.pieces(size):
            h.update(piece)
        return h.hexdigest()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "wb") as out:
            for piece in reader.pieces(size):
                h.update(piece)
                out.write(piece)
            if durable:  # a restore's staged files must be on the disk before they replace the data
                out.flush()
                os.fsync(out.fileno())
    except OSError as e:
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise BackupError("电脑磁盘空间不足，无法解开备份。请清理磁盘后再试。" + _UNTOUCHED) from e
        raise
    return h.hexdigest()


def _check_digests(info: BackupInfo, digests: dict[str, str], recorded: dict[str, str] | None) -> None:
    """The files read must be exactly those listed in checksums.json, with the same SHA-256."""
    if recorded is None or DATABASE not in digests or recorded != digests:
        raise CorruptBackup(_DAMAGED)
    if len(digests) - 2 != info.attachment_files:
        raise CorruptBackup(_DAMAGED)
