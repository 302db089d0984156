"""Backups: the database and its attachments in one checked, optionally encrypted file (``.nqbak``).

Where they go: a USB stick (备份到U盘, the copy that leaves the building) or ``datadir.backups`` (automatic, daily
and on exit, rotated 7 daily / 4 weekly / 12 monthly). How one is made:

1. a snapshot of the live database through the SQLite backup API inside ONE read transaction, so it is
   consistent while the window keeps saving (never a raw copy of a WAL database), into a private temp file;
2. streamed with the attachments into ``.NAME.part`` on the target, fsync'ed (file and folder), renamed;
3. read back from the medium (page cache dropped where the OS allows) and checked: every chunk, every file's
   SHA-256, then ``PRAGMA integrity_check`` and the row counts of the snapshot those bytes came from.
Only then is it reported done. A stick pulled out or full half-way leaves no file that looks like a backup.

File format, version 1::

    header   b"NEIQINBK" | u8 version | u32 n | n bytes JSON (cipher, KDF, salt, nonce prefix) | SHA-256 of all that
    records  u32 (bit 31: last record; bits 0-30: length) | sealed chunk of at most ``chunk_size`` payload bytes

Every chunk is sealed together with its number, whether it is the last one, and the header's hash: with
AES-256-GCM under a key from scrypt(passphrase) when encrypted, otherwise with an AES-GMAC checksum. A file that was
cut short, bit-flipped, reordered or extended fails the check (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár, 2015). Memory stays at a few chunks whatever the database size. The payload is a list of
entries: ``manifest.json`` first (time, versions, row counts: enough for a preview), then ``neiqin.sqlite``,
``attachments/…``, and last ``checksums.json`` (SHA-256 of every entry), then an end mark.

Restore unpacks and checks everything into a staging folder first, puts the current database aside, and swaps
files in an order that a crash at any point leaves either the old or the new data (see ``commit_restore``). It
never opens the current database through the models, so it works when the program itself cannot start.

No Qt here: the dialogs in ``neiqin.ui.backup_ui`` and the command line call these functions.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import hashlib
import hmac
import json
import logging
import os
import platform
import re
import secrets
import shutil
import sqlite3
import struct
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import neiqin.db as dbmod
from neiqin import __version__, clock, winfs
from neiqin.backup_guard import PENDING as _PENDING
from neiqin.backup_guard import STAGING as _STAGING
from neiqin.backup_guard import fsync_dir as _fsync_dir
from neiqin.backup_guard import last_usb_backup, recover_interrupted_restore, usb_backup_status  # noqa: F401
from neiqin.backup_guard import remove_quietly as _remove_quietly
from neiqin.errors import DatabaseTooNewError, NeiqinError
from neiqin.models.seals.chain import backup_verifier as seal_chain_verifier
from neiqin.paths import DataDir

log = logging.getLogger(__name__)

SUFFIX = ".nqbak"
USB_PREFIX = "neiqin-backup"
AUTO_PREFIX = "auto"
USB_FOLDER = "内勤台账备份"  # created on the stick; one folder, easy to find in Explorer
TARGET_MARKER = ".neiqin-target.json"

MAGIC = b"NEIQINBK"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # 128 MB of memory, about 0.3 s per derivation
MIN_PASSPHRASE = 8

MANIFEST = "manifest.json"
DATABASE = "neiqin.sqlite"
CHECKSUMS = "checksums.json"
ATTACHMENTS = "attachments/"
_FILE, _END = b"F", b"Z"

_TMP = ".tmp"  # under datadir.backups: snapshots being made, backups being checked
_STALE_SECONDS = 3600

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 = no measure; may raise to cancel

# Extra checks run by ``verify`` on the live database and on backups (e.g. the seal register's hash chain):
# each gets an open sqlite3 connection and returns problems as Chinese sentences (empty list = all good).
EXTRA_VERIFIERS: list[Callable[[sqlite3.Connection], list[str]]] = [seal_chain_verifier]


# ---------------------------------------------------------------------------------------------- errors


class BackupError(NeiqinError):
    """A backup could not be made, read or restored; the message tells the clerk what happened."""


class PassphraseRequired(BackupError):
    pass


class WrongPassphrase(BackupError):
    pass


class CorruptBackup(BackupError):
    pass


class TargetWriteError(BackupError):
    """The stick (or folder) could not be written: full, pulled out, write-protected."""


class BackupCancelled(BackupError):
    pass


_TRUNCATED = "备份文件不完整（可能写入时U盘被拔出或空间不足），不能用于恢复。"
_DAMAGED = "备份文件已损坏（校验不通过），不能用于恢复。"
_UNTOUCHED = "当前数据没有任何改动。"


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


# ---------------------------------------------------------------------------------------------- small helpers


def human_size(n: int | None) -> str:
    if n is None:
        return "未知"
    size = float(n)
    for unit in ("字节", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "字节" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _drop_cache(path: Path) -> None:
    """Forget the file's cached pages, so reading it back really reads the medium (Linux)."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _now() -> dt.datetime:
    return clock.now()


def _private_tmp(datadir: DataDir) -> Path:
    base = datadir.backups / _TMP
    base.mkdir(parents=True, exist_ok=True)
    cutoff = clock.file_time() - _STALE_SECONDS
    for old in base.iterdir():  # left by a backup that was killed; a running one is younger than an hour
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                _remove_quietly(old)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


# ---------------------------------------------------------------------------------------------- sqlite

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26

_SQLITE_MESSAGES: list[tuple[int, tuple[str, ...], str]] = [
    (SQLITE_FULL, ("database or disk is full",),
     "磁盘空间已满，刚才的内容没有保存（已保存的数据完好无损）。请清理磁盘空间（删除不需要的文件、清空回收站）后再保存一次。"),
    (SQLITE_CORRUPT, ("malformed", "corrupt"),
     "数据文件已损坏，无法继续保存。请不要再修改数据：关闭程序后用“从备份恢复”恢复最近的备份，或联系技术人员。"),
    (SQLITE_NOTADB, ("file is not a database",),
     "数据文件已损坏或不是内勤台账的数据文件。请用“从备份恢复”恢复最近的备份。"),
    (SQLITE_BUSY, ("database is locked",),
     "数据文件正忙（可能正在备份，或另一个程序在写入），刚才的内容没有保存。请稍等几秒再保存一次。"),
    (SQLITE_LOCKED, ("database table is locked",),
     "数据文件正忙，刚才的内容没有保存。请稍等几秒再保存一次。"),
    (SQLITE_IOERR, ("disk i/o error",),
     "读写数据文件时出错（磁盘故障，或数据所在的U盘被拔出），刚才的内容可能没有保存。请检查磁盘或U盘后重新打开程序。"),
    (SQLITE_READONLY, ("readonly database",),
     "数据文件是只读的（文件属性为只读，或U盘处于写保护状态），无法保存。"),
    (SQLITE_CANTOPEN, ("unable to open database",),
     "无法打开数据文件（文件夹不存在或没有权限）。"),
]


def _sqlite_errors(exc: BaseException | None) -> Iterator[sqlite3.Error]:
    """The sqlite3 errors in an exception's chain, outermost first."""
    seen: set[int] = set()
    queue: list[Any] = [exc]
    while queue:
        e = queue.pop(0)
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, sqlite3.Error):
            yield e
        # peewee wraps sqlite3 errors (original in ``orig``); after SQLITE_FULL, SQLite has already rolled back,
        # so peewee's own rollback fails with "cannot rollback" and the real cause is in __context__
        queue.extend([getattr(e, "orig", None), *e.args, e.__cause__, e.__context__])


def map_sqlite_error(exc: BaseException) -> NeiqinError | None:
    """A clerk-readable NeiqinError for a SQLite failure (disk full, locked, corrupt …); None if not one.

    Accepts sqlite3 errors and peewee's wrappers of them. The UI's error display calls this first.
    """
    for err in _sqlite_errors(exc):
        code = getattr(err, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(err).lower()
        for number, needles, message in _SQLITE_MESSAGES:
            if primary == number or any(n in text for n in needles):
                return NeiqinError(message)
    return None


@contextlib.contextmanager
def friendly_sqlite_errors() -> Iterator[None]:
    """``with friendly_sqlite_errors(): save()`` turns a SQLite failure into a Chinese NeiqinError."""
    try:
        yield
    except NeiqinError:
        raise
    except Exception as e:
        mapped = map_sqlite_error(e)
        if mapped is None:
            raise
        raise mapped from e


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only-by-pragma connection: unlike ``mode=ro`` it tidies away -wal/-shm when it is the last one."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per ordinary table (FTS virtual tables are counted through their shadow tables)."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [f"完整性检查：{r}" for r in rows[:20]]


def _extra_problems(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    for check in EXTRA_VERIFIERS:
        try:
            problems.extend(check(conn))
        except Exception as e:  # noqa: BLE001 - a broken check must not hide the others
            log.exception("verifier %r failed", check)
            problems.append(f"检查项 {getattr(check, '__name__', check)} 无法运行：{e}")
    return problems


def _change_mark(conn: sqlite3.Connection) -> int | None:
    """Grows with every audited change: tells whether anything changed since the last automatic backup."""
    try:
        return conn.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    except sqlite3.DatabaseError:
        return None


def snapshot_database(db_path: Path, dest: Path, progress: Progress | None = None) -> None:
    """A consistent copy of the live database via the SQLite backup API, safe while others write.

    One read transaction is held for the whole copy, so every step sees the same snapshot and a concurrent
    save never restarts the copy; in WAL mode readers do not block the writer.
    """
    report = progress or _no_progress
    if not db_path.exists():
        raise BackupError(f"找不到数据文件：{db_path}")
    src = _connect(db_path)
    dst = sqlite3.connect(str(dest), isolation_level=None, check_same_thread=False)
    try:
        dst.execute("PRAGMA journal_mode=OFF")  # a private temp file: no journal, no fsync
        dst.execute("PRAGMA synchronous=OFF")
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # pins the snapshot
        report("正在生成数据快照", 0, 0)
        src.backup(dst, pages=4096,
                   progress=lambda _status, remaining, total: report("正在生成数据快照", total - remaining, total))
        src.execute("COMMIT")
    except sqlite3.Error as e:
        mapped = map_sqlite_error(e)
        if mapped is not None and "磁盘空间已满" in str(mapped):
            raise BackupError(f"电脑磁盘空间不足，无法生成数据快照（需要约 {human_size(db_path.stat().st_size)}）。"
                              "请清理磁盘后再备份。") from e
        raise BackupError(f"读取数据文件失败：{mapped or e}") from e
    finally:
        dst.close()
        src.close()


# ---------------------------------------------------------------------------------------------- sealing


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int | None = None) -> bytes:
    try:
        data = base64.b64decode(str(text), validate=True)
    except ValueError:
        raise CorruptBackup(_DAMAGED) from None
    if size is not None and len(data) != size:
        raise CorruptBackup(_DAMAGED)
    return data


def _normalize_passphrase(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _scrypt(**kwargs):
    # imported on use: the window imports this module at start-up (interrupted-restore check)
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(**kwargs)


def _derive(passphrase: str, kdf: dict) -> tuple[bytes, bytes]:
    """(AES key, key-check value) from the passphrase; scrypt is memory-hard, so guessing is slow."""
    out = _scrypt(salt=_unb64(kdf["salt"], 16), length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        _normalize_passphrase(passphrase))
    return out[:32], out[32:48]


def _check_kdf(kdf: Any) -> dict:
    ok = (isinstance(kdf, dict) and kdf.get("name") == "scrypt" and isinstance(kdf.get("n"), int)
          and isinstance(kdf.get("r"), int) and isinstance(kdf.get("p"), int)
          and 2**10 <= kdf["n"] <= 2**20 and kdf["n"] & (kdf["n"] - 1) == 0
          and 1 <= kdf["r"] <= 32 and 1 <= kdf["p"] <= 16)
    if not ok:  # bounds keep a damaged or hostile header from asking for gigabytes of memory
        raise CorruptBackup(_DAMAGED)
    return kdf


class _Sealer:
    """Seals chunk ``i`` of a file: nonce = 7-byte file prefix | i (4 bytes) | last-flag (1 byte).

    Encrypted: AES-256-GCM under the passphrase's key, the header's hash as associated data. Plain: the chunk
    stays as it is, followed by an AES-GMAC tag over it under a public key (the header's hash) -- a fast
    checksum (about 10 GB/s here; SHA-256 is 1.8) that catches damage, truncation and reordering, but of
    course not deliberate tampering. Either way a record is the sealed bytes, with no extra copy of the chunk.
    """

    overhead = 16

    def __init__(self, header_hash: bytes, prefix: bytes, key: bytes | None):
        self.aad = header_hash
        self.prefix = prefix
        self.encrypted = key is not None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead = AESGCM(key if key is not None else header_hash)

    def _nonce(self, counter: int, final: bool) -> bytes:
        if counter >= 2**32:
            raise BackupError("备份文件过大")
        return self.prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")

    def seal(self, counter: int, final: bool, data: bytes | memoryview) -> list[bytes | memoryview]:
        """The record's body, in parts to be written one after the other."""
        nonce = self._nonce(counter, final)
        if self.encrypted:
            return [self.aead.encrypt(nonce, data, self.aad)]
        return [data, self.aead.encrypt(nonce, b"", data)]

    def open(self, counter: int, final: bool, blob: bytes) -> memoryview:
        from cryptography.exceptions import InvalidTag

        nonce = self._nonce(counter, final)
        try:
            if self.encrypted:
                return memoryview(self.aead.decrypt(nonce, blob, self.aad))
            body = memoryview(blob)
            self.aead.decrypt(nonce, body[-16:], body[:-16])
            return body[:-16]
        except InvalidTag:
            raise CorruptBackup(_DAMAGED) from None


def _header_block(meta: dict) -> bytes:
    body = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    head = MAGIC + bytes([FORMAT_VERSION]) + struct.pack(">I", len(body)) + body
    return head + hashlib.sha256(head).digest()


def _new_header(passphrase: str | None, chunk_size: int, created: dt.datetime) -> tuple[bytes, _Sealer]:
    prefix = secrets.token_bytes(7)
    meta: dict[str, Any] = {"app": "neiqin", "created": created.isoformat(sep=" "), "chunk_size": chunk_size,
                            "nonce": _b64(prefix), "encrypted": passphrase is not None}
    key = None
    if passphrase is not None:
        kdf = {"name": "scrypt", "salt": _b64(secrets.token_bytes(16)), "n": SCRYPT_N, "r": SCRYPT_R,
               "p": SCRYPT_P}
        key, check = _derive(passphrase, kdf)
        meta.update(cipher="AES-256-GCM", kdf=kdf, key_check=_b64(check))
    else:
        meta["digest"] = "AES-GMAC, fixed public key (a checksum, not secrecy)"
    block = _header_block(meta)
    return block, _Sealer(block[-32:], prefix, key)


def _read_header(f: BinaryIO) -> tuple[dict, bytes]:
    magic = f.read(len(MAGIC))
    if magic != MAGIC:
        if len(magic) < len(MAGIC) and MAGIC.startswith(magic):
            raise CorruptBackup(_TRUNCATED)
        raise CorruptBackup("这不是内勤台账的备份文件（应为 .nqbak 文件）。")
    version = f.read(1)
    if not version:
        raise CorruptBackup(_TRUNCATED)
    if version[0] > FORMAT_VERSION:
        raise BackupError("这个备份文件由较新版本的内勤台账生成，请安装新版本后再恢复。" + _UNTOUCHED)
    raw_len = f.read(4)
    if len(raw_len) < 4:
        raise CorruptBackup(_TRUNCATED)
    (n,) = struct.unpack(">I", raw_len)
    if n > 65536:
        raise CorruptBackup(_DAMAGED)
    body = f.read(n)
    digest = f.read(32)
    if len(body) < n or len(digest) < 32:
        raise CorruptBackup(_TRUNCATED)
    head = MAGIC + version + raw_len + body
    if not hmac.compare_digest(hashlib.sha256(head).digest(), digest):
        raise CorruptBackup(_DAMAGED)
    try:
        meta = json.loads(body)
    except ValueError:
        raise CorruptBackup(_DAMAGED) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("chunk_size"), int) \
            or not 1024 <= meta["chunk_size"] <= 64 << 20:
        raise CorruptBackup(_DAMAGED)
    return meta, digest


def _reading_sealer(meta: dict, header_hash: bytes, passphrase: str | None) -> _Sealer:
    prefix = _unb64(meta.get("nonce"), 7)
    if not meta.get("encrypted"):
        return _Sealer(header_hash, prefix, None)
    if not passphrase:
        raise PassphraseRequired("这是加密备份，需要输入备份口令才能打开。")
    key, check = _derive(passphrase, _check_kdf(meta.get("kdf")))
    if not hmac.compare_digest(check, _unb64(meta.get("key_check"), 16)):
        raise WrongPassphrase("备份口令不正确，无法打开这个加密备份。请检查口令（注意大小写、全角/半角）后重试。"
                              + _UNTOUCHED)
    return _Sealer(header_hash, prefix, key)


# ---------------------------------------------------------------------------------------------- chunked stream


class _ChunkWriter:
    """Cuts the payload into sealed records; only ``close`` writes the record marked as the last one.

    Whole-chunk pieces pass through without being copied (``_put_file`` reads in step with the chunks).
    """

    def __init__(self, out: BinaryIO, sealer: _Sealer, chunk_size: int, on_bytes: Callable[[int], None]):
        self._out = out
        self._sealer = sealer
        self._size = chunk_size
        self._pieces: list[bytes | memoryview] = []
        self._buffered = 0
        self._counter = 0
        self._on_bytes = on_bytes

    def room(self) -> int:
        """Bytes that complete the current chunk."""
        return self._size - self._buffered % self._size or self._size

    def write(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        self._pieces.append(data)
        self._buffered += len(data)
        while self._buffered > self._size:  # keep the tail: it might be the last record
            self._emit(self._take(self._size), final=False)

    def close(self) -> None:
        self._emit(self._take(self._buffered), final=True)

    def _take(self, n: int) -> bytes | memoryview:
        self._buffered -= n
        first = self._pieces[0]
        if len(first) == n:
            return self._pieces.pop(0)
        if len(first) > n:
            view = memoryview(first)
            self._pieces[0] = view[n:]
            return view[:n]
        parts, need = [], n
        while need:
            piece = self._pieces.pop(0)
            if len(piece) > need:
                self._pieces.insert(0, memoryview(piece)[need:])
                piece = memoryview(piece)[:need]
            parts.append(piece)
            need -= len(piece)
        return b"".join(parts)

    def _emit(self, data: bytes | memoryview, final: bool) -> None:
        parts = self._sealer.seal(self._counter, final, data)
        size = sum(len(p) for p in parts)
        self._out.write(struct.pack(">I", size | (0x80000000 if final else 0)))
        for part in parts:
            self._out.write(part)
        self._counter += 1
        self._on_bytes(size + 4)


class _ChunkReader:
    """Opens records in order; raises CorruptBackup on a bad seal, a missing last record or extra bytes."""

    def __init__(self, f: BinaryIO, sealer: _Sealer, chunk_size: int, on_bytes: Callable[[int], None]):
        self._f = f
        self._sealer = sealer
        self._max = chunk_size + sealer.overhead
        self._counter = 0
        self._buf = memoryview(b"")
        self._final_seen = False
        self._on_bytes = on_bytes

    def _fill(self) -> None:
        if self._final_seen:
            raise CorruptBackup(_DAMAGED)  # the payload claims more data than the file holds
        head = self._f.read(4)
        if len(head) < 4:
            raise CorruptBackup(_TRUNCATED)
        word = int.from_bytes(head, "big")
        final, n = bool(word & 0x80000000), word & 0x7FFFFFFF
        if not self._sealer.overhead <= n <= self._max:
            raise CorruptBackup(_DAMAGED)
        blob = self._f.read(n)
        if len(blob) < n:
            raise CorruptBackup(_TRUNCATED)
        data = self._sealer.open(self._counter, final, blob)
        self._counter += 1
        self._on_bytes(n + 4)
        if final:
            self._final_seen = True
            if self._f.read(1):
                raise CorruptBackup(_DAMAGED)
        self._buf = memoryview(data)

    def pieces(self, n: int) -> Iterator[memoryview]:
        while n > 0:
            if not self._buf:
                self._fill()
            take = self._buf[:n]
            self._buf = self._buf[len(take):]
            n -= len(take)
            yield take

    def read(self, n: int) -> bytes:
        return b"".join(bytes(p) for p in self.pieces(n))

    def finish(self) -> None:
        """After the end mark: nothing may follow, and the last record must have been read."""
        while not self._buf and not self._final_seen:
            self._fill()
        if self._buf:
            raise CorruptBackup(_DAMAGED)


def _put_bytes(w: _ChunkWriter, name: str, data: bytes) -> str:
    raw = name.encode("utf-8")
    w.write(_FILE + struct.pack(">H", len(raw)) + raw + struct.pack(">Q", len(data)))
    w.write(data)
    return hashlib.sha256(data).hexdigest()


def _read_local(src: BinaryIO, n: int, path: Path) -> bytes:
    try:
        return src.read(n)
    except OSError as e:
        raise BackupError(f"读取 {path} 失败：{e.strerror or e}") from e


def _put_file(w: _ChunkWriter, name: str, path: Path) -> str:
    """Stream a local file into the backup. Local read errors become BackupError; an OSError is the target's."""
    raw = name.encode("utf-8")
    h = hashlib.sha256()
    try:
        src = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise BackupError(f"读取 {path} 失败：{e.strerror or e}") from e
    with src:
        size = os.fstat(src.fileno()).st_size
        w.write(_FILE + struct.pack(">H", len(raw)) + raw + struct.pack(">Q", size))
        left = size
        while left:
            block = _read_local(src, min(left, w.room()), path)
            if not block:
                raise BackupError(f"文件 {path.name} 在备份过程中被修改，请重试。")
            h.update(block)
            w.write(block)
            left -= len(block)
    return h.hexdigest()


def _read_entry_header(r: _ChunkReader) -> tuple[str, int] | None:
    tag = r.read(1)
    if tag == _END:
        return None
    if tag != _FILE:
        raise CorruptBackup(_DAMAGED)
    (n,) = struct.unpack(">H", r.read(2))
    try:
        name = r.read(n).decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptBackup(_DAMAGED) from None
    (size,) = struct.unpack(">Q", r.read(8))
    return name, size


def _safe_attachment_path(root: Path, name: str) -> Path:
    rel = name[len(ATTACHMENTS):]
    parts = rel.split("/")
    if not rel or "\\" in rel or ":" in rel or any(p in ("", ".", "..") for p in parts):
        raise CorruptBackup(_DAMAGED)  # a name that would escape the attachments folder
    return root.joinpath(*parts)


# ---------------------------------------------------------------------------------------------- manifest


@dataclass
class BackupInfo:
    """What is inside a backup: enough for the restore preview and the summary."""

    path: Path
    file_size: int
    encrypted: bool
    created: dt.datetime
    app_version: str
    schema_version: int
    tables: dict[str, int]
    ledgers: list[dict]  # {"key", "title", "count"}
    attachment_files: int
    attachment_bytes: int
    database_size: int
    kind: str = "usb"
    host: str = ""
    change_mark: int | None = None
    database_sha256: str = ""  # known once the whole file has been read

    @classmethod
    def from_manifest(cls, path: Path, meta: dict, manifest: dict) -> BackupInfo:
        try:
            return cls(
                path=path, file_size=path.stat().st_size, encrypted=bool(meta.get("encrypted")),
                created=dt.datetime.fromisoformat(manifest["created"]), app_version=str(manifest["app_version"]),
                schema_version=int(manifest["schema_version"]),
                tables={str(k): int(v) for k, v in manifest["tables"].items()},
                ledgers=list(manifest.get("ledgers", [])),
                attachment_files=int(manifest["attachments"]["files"]),
                attachment_bytes=int(manifest["attachments"]["bytes"]),
                database_size=int(manifest["database"]["size"]), kind=str(manifest.get("kind", "")),
                host=str(manifest.get("host", "")), change_mark=manifest.get("change_mark"))
        except (KeyError, TypeError, ValueError):
            raise CorruptBackup(_DAMAGED) from None

    @property
    def too_new(self) -> bool:
        return self.schema_version > dbmod.SCHEMA_VERSION

    def ledger_text(self) -> str:
        parts = [f"{lg.get('title', lg.get('key'))} {lg.get('count', 0)} 条" for lg in self.ledgers]
        return "，".join(parts) or "（无台账记录）"

    def preview_lines(self) -> list[str]:
        lines = [
            f"备份时间：{self.created:%Y-%m-%d %H:%M:%S}",
            f"程序版本：{self.app_version}　数据版本：{self.schema_version}"
            f"（本程序支持到 {dbmod.SCHEMA_VERSION}）",
            f"内容：{self.ledger_text()}",
            f"附件：{self.attachment_files} 个，共 {human_size(self.attachment_bytes)}",
            f"文件大小：{human_size(self.file_size)}" + ("（已加密）" if self.encrypted else "（未加密）"),
        ]
        if self.host:
            lines.append(f"来自电脑：{self.host}")
        if self.too_new:
            lines.append(dbmod.too_new_message(self.schema_version))
        elif self.schema_version < dbmod.SCHEMA_VERSION:
            lines.append("这是旧版本的数据，恢复后会自动升级到当前版本。")
        return lines


def _ledger_counts(tables: dict[str, int]) -> list[dict]:
    from neiqin.models import LEDGERS

    out = []
    for spec in LEDGERS.values():
        table = spec.model._meta.table_name
        if table in tables:
            out.append({"key": spec.key, "title": spec.tab_title, "count": tables[table]})
    return out


_DAMAGED_SOURCE = ("数据文件本身有损坏（完整性检查没有通过），这份备份不可靠，已删除。"
                   "请用“校验数据文件”检查，并联系技术人员。")


def _make_manifest(snapshot: Path, kind: str, created: dt.datetime,
                   attachments: list[tuple[str, Path]]) -> dict:
    conn = _connect(snapshot)
    try:
        version = dbmod.read_schema_version(conn)
        tables = table_counts(conn)
        mark = _change_mark(conn)
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{_DAMAGED_SOURCE}（{e}）") from e
    finally:
        conn.close()
    sizes = [p.stat().st_size for _, p in attachments]
    return {
        "format": FORMAT_VERSION, "app": "neiqin", "app_version": __version__, "schema_version": version or 0,
        "created": created.isoformat(sep=" "), "kind": kind, "host": platform.node(),
        "database": {"name": DATABASE, "size": snapshot.stat().st_size}, "tables": tables,
        "ledgers": _ledger_counts(tables), "attachments": {"files": len(sizes), "bytes": sum(sizes)},
        "change_mark": mark,
    }


def _list_attachments(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out.append((ATTACHMENTS + path.relative_to(folder).as_posix(), path))
    return out


# ---------------------------------------------------------------------------------------------- reading


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


def _check_database(db_file: Path, tables: dict[str, int], schema_version: int, *, run_extra: bool,
                    opened: Callable[[sqlite3.Connection], None] | None = None) -> list[str]:
    """Integrity and row counts of a database against its manifest: a mismatch means it cannot be trusted.

    Returns the extra verifiers' problems (those do not make the copy untrustworthy, only worth a look).
    """
    conn = _connect(db_file)
    if opened is not None:
        opened(conn)
    try:
        problems = integrity_problems(conn)
        if not problems:
            counts = table_counts(conn)
            if counts != tables:
                diff = [t for t in set(counts) | set(tables) if counts.get(t) != tables.get(t)]
                problems.append("记录数与备份清单不一致：" + "、".join(sorted(diff)[:10]))
            if (dbmod.read_schema_version(conn) or 0) != schema_version:
                problems.append("数据版本与备份清单不一致")
        if problems:
            raise CorruptBackup(_DAMAGED + "（" + "；".join(problems[:3]) + "）")
        return _extra_problems(conn) if run_extra else []
    except sqlite3.DatabaseError as e:
        raise CorruptBackup(f"{_DAMAGED}（{e}）") from e
    finally:
        conn.close()


class _SnapshotCheck(threading.Thread):
    """``integrity_check`` and row counts of the snapshot, run while its copy is written and read back.

    SQLite releases the GIL while it works, so on two cores the check costs little extra wall time.
    """

    def __init__(self, snap: Path, manifest: dict):
        super().__init__(name="snapshot-check", daemon=True)
        self.snap, self.manifest = snap, manifest
        self.error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None

    def run(self) -> None:
        try:
            _check_database(self.snap, self.manifest["tables"], self.manifest["schema_version"], run_extra=False,
                            opened=self._opened)
        except BaseException as e:  # noqa: BLE001 - handed to the thread that joins
            self.error = e

    def _opened(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.interrupt()
        self.join()

    def result(self) -> None:
        self.join()
        if self.error is not None:
            raise CorruptBackup(_DAMAGED_SOURCE) from self.error


@dataclass
class VerifyReport:
    """The result of ``verify``: what was checked, and the problems found (empty = all good)."""

    subject: str
    problems: list[str]
    checks: list[str]
    info: BackupInfo | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        head = f"{self.subject}：" + ("校验通过" if self.ok else f"发现 {len(self.problems)} 个问题")
        body = [f"  √ {c}" for c in self.checks] + [f"  × {p}" for p in self.problems]  # both in GBK
        if self.info:
            body = [f"  {line}" for line in self.info.preview_lines()] + body
        return "\n".join([head, *body, f"  用时 {self.seconds:.1f} 秒"])


def verify_backup(path: Path, passphrase: str | None = None, *, run_extra: bool = True,
                  work_dir: Path | None = None, progress: Progress | None = None) -> VerifyReport:
    """Check a backup file completely: seals, checksums, database integrity, row counts, extra checks.

    Raises CorruptBackup / WrongPassphrase / PassphraseRequired when the file cannot be trusted at all.
    """
    started = time.monotonic()
    path = Path(path)
    report = progress or _no_progress
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="verify-", dir=work_dir) as tmp:
        info, _ = _unpack(path, passphrase, Path(tmp), attachments=False, progress=report, stage="正在读取备份")
        report("正在检查数据完整性", 0, 0)
        problems = _check_database(Path(tmp) / DATABASE, info.tables, info.schema_version, run_extra=run_extra)
    checks = ["每个数据块的校验" + ("与解密" if info.encrypted else ""), "每个文件的 SHA-256 校验和",
              "数据库完整性检查（integrity_check）", "每张表的记录数与清单一致"]
    if run_extra and EXTRA_VERIFIERS:
        checks.append(f"附加检查 {len(EXTRA_VERIFIERS)} 项")
    return VerifyReport(f"备份 {path.name}", problems, checks, info, time.monotonic() - started)


def verify_database(db_path: Path, *, run_extra: bool = True) -> VerifyReport:
    """Check the live database without changing it (safe while the window is open)."""
    started = time.monotonic()
    db_path = Path(db_path)
    if not db_path.exists():
        raise NeiqinError(f"找不到数据文件：{db_path}")
    checks: list[str] = []
    try:
        conn = _connect(db_path)
        try:
            version = dbmod.read_schema_version(conn)
            problems = integrity_problems(conn)
            checks.append("数据库完整性检查（integrity_check）")
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"有 {len(fk)} 条记录引用了不存在的记录（外键检查）")
            checks.append("外键检查")
            counts = table_counts(conn)
            checks.append(f"数据版本 {version}，共 {len(counts)} 张表、{sum(counts.values())} 行")
            if run_extra:
                problems += _extra_problems(conn)
                if EXTRA_VERIFIERS:
                    checks.append(f"附加检查 {len(EXTRA_VERIFIERS)} 项")
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        problems = [f"数据文件无法读取（{map_sqlite_error(e) or e}），请从备份恢复"]
    return VerifyReport(f"数据文件 {db_path}", problems, checks, None, time.monotonic() - started)


# ---------------------------------------------------------------------------------------------- writing


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


def _open_target(path: Path) -> BinaryIO:
    """The new backup file on the target (a seam for tests that simulate a full or pulled-out stick)."""
    return open(path, "xb")  # noqa: SIM115 - closed by _write_container


_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_WIN_FULL, _WIN_READONLY = {39, 112}, {19}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL; ERROR_WRITE_PROTECT


def _free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _media_error(exc: OSError, media: str, folder: Path, needed: int, cleaned: bool) -> TargetWriteError:
    win = getattr(exc, "winerror", None)
    tail = "数据库没有受影响。" + ("未写完的文件已删除。" if cleaned else
                            f"{media}上可能留下一个以 .part 结尾的未完成文件，可以删除，它不会被当作备份。")
    if exc.errno in _FULL_ERRNOS or win in _WIN_FULL:
        free = _free_space(folder)
        have = f"，{media}上只剩 {human_size(free)}" if free is not None else ""
        return TargetWriteError(f"{media}空间不足：这份备份约需 {human_size(needed)}{have}。"
                                f"请删除{media}上不需要的文件，或换一个{media}后重试。{tail}")
    if winfs.is_busy_error(exc):  # error 5 / 32 / 33: antivirus, the indexer or Explorer has a file open
        return TargetWriteError(f"{winfs.BUSY_HINT}（{exc.strerror or exc}）。{tail}")
    if exc.errno in _READONLY_ERRNOS or win in _WIN_READONLY:
        return TargetWriteError(f"{media}是只读的或没有写入权限（请检查U盘侧面的写保护开关）：{exc.strerror or exc}。{tail}")
    return TargetWriteError(f"{media}已拔出或无法写入（{exc.strerror or exc}）。请重新插好{media}后再备份一次。{tail}")


def _check_file_size_limit(folder: Path, needed: int, media: str) -> None:
    """FAT32 takes no file of 4 GB or more: refused before writing, not reported as 空间不足 half-way."""
    limit = winfs.file_size_limit(folder)
    if limit is not None and needed + needed // 1024 > limit:  # chunk seals and entry headers add under 0.1 %
        raise TargetWriteError(f"{media}是 FAT32 格式，单个文件不能超过 4 GB，而这份备份约需 {human_size(needed)}。"
                               f"请换一个 exFAT 或 NTFS 格式的{media}（也可以把{media}格式化为 exFAT，格式化会清除"
                               f"上面的所有文件）。{_UNTOUCHED}")


def _check_target(datadir: DataDir, folder: Path, media: str) -> None:
    root = datadir.root.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _media_error(e, media, folder, 0, True) from e
    resolved = folder.resolve()
    if resolved != datadir.backups.resolve() and (resolved == root or root in resolved.parents):
        raise BackupError("备份位置不能在数据目录里面，请选择U盘或其他文件夹。")


def _backup_name(folder: Path, prefix: str, created: dt.datetime) -> Path:
    """A new name sorting after every existing one (a second backup within the same second gets -2, -3 …)."""
    stamp = _stamp(created)
    taken = [1 if m["n"] is None else int(m["n"]) for p in folder.glob(f"*{stamp}*")
             if (m := _NAME_RE.match(p.name.removeprefix(".").removesuffix(".part")))
             and m["prefix"] == prefix and m["stamp"] == stamp]
    if not taken:
        return folder / f"{prefix}-{stamp}{SUFFIX}"
    return folder / f"{prefix}-{stamp}-{max(taken) + 1}{SUFFIX}"


def _remove_stale_parts(folder: Path) -> None:
    cutoff = clock.file_time() - _STALE_SECONDS
    for part in folder.glob(f".*{SUFFIX}.part"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()


def _make_room(folder: Path, prefix: str, needed: int, media: str) -> list[Path]:
    """Delete the oldest backups of this kind (never the newest) until the new one fits."""
    removed: list[Path] = []
    free = _free_space(folder)
    if free is None or free >= needed:
        return removed
    existing = list_backups(folder, prefix)
    while free is not None and free < needed and len(existing) > 1:
        oldest = existing.pop()
        winfs.unlink(oldest)
        removed.append(oldest)
        log.info("removed %s to make room", oldest)
        free = _free_space(folder)
    if free is not None and free < needed:
        raise TargetWriteError(f"{media}空间不足：这份备份约需 {human_size(needed)}，{media}上只剩 "
                               f"{human_size(free)}。请删除{media}上不需要的文件，或换一个{media}后重试。"
                               "数据库没有受影响。")
    return removed


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


def _readback_opener(final: Path, media: str) -> tuple[Callable[[Path], BinaryIO] | None, str]:
    """How the new file is read back so that the bytes come from the medium, not from memory; and, when that
    cannot be done, a sentence saying what the check really read."""
    if winfs.is_windows():
        try:
            winfs.open_uncached(final).close()  # FILE_FLAG_NO_BUFFERING: past Windows' file cache
            return winfs.open_uncached, ""
        except (AttributeError, ImportError, OSError) as e:
            log.warning("cannot read %s past the file cache: %s", final, e)
    elif hasattr(os, "posix_fadvise"):
        _drop_cache(final)  # Linux: the cached pages are dropped, the read goes to the medium
        return None, ""
    return None, (f"说明：这台电脑上读回时未能绕过系统缓存，读回校验读到的可能是内存中的副本，"
                  f"{media}本身的内容未经确认。可以在另一台电脑上用“校验备份”复查这份备份。")


def _verify_written(final: Path, passphrase: str | None, sums: dict[str, str], report: Progress,
                    media: str) -> tuple[BackupInfo, str]:
    """Read the new file back from the medium: every file must have the checksum it was written with.

    Its database bytes then equal the snapshot, whose integrity and counts ``_SnapshotCheck`` confirms.
    Returns the info and, when the read could not bypass the OS cache, a sentence saying so.
    """
    try:
        opener, note = _readback_opener(final, media)
        info, digests = _unpack(final, passphrase, None, attachments=False, progress=report, stage="正在读回校验",
                                opener=opener)
        if digests != sums:
            raise CorruptBackup(_DAMAGED)
        return info, note
    except CorruptBackup as e:
        _remove_quietly(final)
        raise CorruptBackup(f"写入{media}后读回校验失败（{e}）。{media}可能有坏块，已删除这份备份，"
                            f"请换一个{media}再备份。") from e
    except OSError as e:  # unverified, so not left as a backup if it can still be deleted
        raise _media_error(e, media, final.parent, 0, _remove_quietly(final)) from e
    except BaseException:
        _remove_quietly(final)
        raise


# ---------------------------------------------------------------------------------------------- listing, rotation

_NAME_RE = re.compile(r"^(?P<prefix>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?" + re.escape(SUFFIX) + "$")


def backup_time(path: Path) -> dt.datetime | None:
    m = _NAME_RE.match(Path(path).name)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def list_backups(folder: Path, prefix: str | None = None) -> list[Path]:
    """Backups in ``folder``, newest first (by the time in their names)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.glob(f"*{SUFFIX}"):
        m = _NAME_RE.match(p.name)
        if m and p.is_file() and (prefix is None or m["prefix"] == prefix):
            found.append((m["stamp"], int(m["n"] or 1), p))
    return [p for *_, p in sorted(found, reverse=True)]


def rotate_backups(folder: Path, prefix: str, keep: int) -> list[Path]:
    """Keep the newest ``keep`` backups with this prefix; delete older ones. Returns what was deleted."""
    removed = []
    for old in list_backups(folder, prefix)[max(keep, 1):]:
        with contextlib.suppress(OSError):
            winfs.unlink(old)
            removed.append(old)
    return removed


def select_to_keep(times: list[dt.datetime], daily: int = 7, weekly: int = 4, monthly: int = 12,
                   recent: int = 3) -> set[int]:
    """Indexes of ``times`` to keep: the ``recent`` newest (so a morning backup survives the evening one),
    then the newest per day for ``daily`` days, per ISO week for ``weekly`` weeks, per month for ``monthly``."""
    order = sorted(range(len(times)), key=lambda i: times[i], reverse=True)
    keep: set[int] = set(order[:max(recent, 1)])
    buckets: list[tuple[int, Callable[[dt.datetime], Any]]] = [
        (daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2]), (monthly, lambda t: (t.year, t.month))]
    for count, bucket in buckets:
        seen: list[Any] = []
        for i in order:
            key = bucket(times[i])
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(i)
    return keep


def rotate_local(folder: Path, daily: int = 7, weekly: int = 4, monthly: int = 12) -> list[Path]:
    backups = list_backups(folder, AUTO_PREFIX)
    times = [backup_time(p) or dt.datetime.min for p in backups]
    keep = select_to_keep(times, daily, weekly, monthly)
    removed = []
    for i, p in enumerate(backups):
        if i not in keep:
            with contextlib.suppress(OSError):
                winfs.unlink(p)
                removed.append(p)
    return removed


# ---------------------------------------------------------------------------------------------- automatic backups


def local_policy() -> tuple[int, int, int]:
    """(daily, weekly, monthly) from the settings; needs the database open (main thread)."""
    from neiqin.models import settings

    daily, weekly, monthly = (max(int(settings.get(f"backup.local_{k}") or 0), 0)
                              for k in ("daily", "weekly", "monthly"))
    return daily, weekly, monthly


def auto_backup_due(datadir: DataDir, now: dt.datetime | None = None) -> bool:
    """True when today has no automatic backup yet."""
    newest = list_backups(datadir.backups, AUTO_PREFIX)
    when = backup_time(newest[0]) if newest else None
    return when is None or when.date() < (now or _now()).date()


def _unchanged_since_last_auto(datadir: DataDir) -> bool:
    newest = list_backups(datadir.backups, AUTO_PREFIX)
    if not newest:
        return False
    try:
        info = read_manifest(newest[0])
        conn = _connect(datadir.db_path)
        try:
            mark = _change_mark(conn)
        finally:
            conn.close()
    except (NeiqinError, sqlite3.Error, OSError):
        return False
    return mark is not None and mark == info.change_mark


def auto_backup(datadir: DataDir, *, policy: tuple[int, int, int] = (7, 4, 12), force: bool = False,
                progress: Progress | None = None) -> BackupResult | None:
    """An automatic backup into ``datadir.backups`` (daily and on exit), then 7/4/12 rotation.

    Skipped (None) when nothing changed since the newest automatic backup, unless ``force``.
    """
    if not datadir.db_path.exists():
        return None
    if not force and _unchanged_since_last_auto(datadir):
        return None
    result = create_backup(datadir, datadir.backups, prefix=AUTO_PREFIX, kind="auto", media="本机备份文件夹",
                           progress=progress)
    result.removed += rotate_local(datadir.backups, *policy)
    return result


# ---------------------------------------------------------------------------------------------- restore


@dataclass
class StagedRestore:
    """A backup unpacked and checked next to the data, ready for ``commit_restore``."""

    source: Path
    folder: Path
    info: BackupInfo
    migrated: bool


@dataclass
class RestoreResult:
    info: BackupInfo
    previous_database: Path | None
    previous_attachments: Path | None
    migrated: bool

    def summary(self) -> str:
        lines = [f"已从备份恢复（备份时间 {self.info.created:%Y-%m-%d %H:%M}）。",
                 f"内容：{self.info.ledger_text()}；附件 {self.info.attachment_files} 个。"]
        if self.migrated:
            lines.append(f"数据已从版本 {self.info.schema_version} 升级到 {dbmod.SCHEMA_VERSION}。")
        elif self.info.schema_version < dbmod.SCHEMA_VERSION:
            lines.append("这是旧版本的数据，下次打开程序时会自动升级。")
        if self.previous_database:
            lines.append(f"恢复前的数据已另存为：{self.previous_database}")
        return "\n".join(lines)


def prepare_restore(path: Path, datadir: DataDir, passphrase: str | None = None, *, migrate: bool = True,
                    progress: Progress | None = None) -> StagedRestore:
    """Unpack and check a backup into a staging folder; the current data is not touched.

    Refuses a backup from a newer program (DatabaseTooNewError). With ``migrate`` an older one is upgraded in
    the staging folder (via ``open_database``, which binds the models: not for a running window, which lets
    the next start migrate instead).
    """
    report = progress or _no_progress
    path = Path(path)
    recover_interrupted_restore(datadir)
    datadir.ensure()
    stage = datadir.root / _STAGING
    _remove_quietly(stage)
    stage.mkdir()
    try:
        info, _ = _unpack(path, passphrase, stage, attachments=True, durable=True, progress=report,
                          stage="正在读取备份")
        staged_db = stage / DATABASE
        report("正在检查数据完整性", 0, 0)
        _check_database(staged_db, info.tables, info.schema_version, run_extra=False)
        if info.too_new:
            raise DatabaseTooNewError(dbmod.too_new_message(info.schema_version))
        migrated = migrate and info.schema_version < dbmod.SCHEMA_VERSION
        if migrated:
            report("正在升级数据版本", 0, 0)
            dbmod.open_database(staged_db, datadir.backups)
            dbmod.close_database()
        _settle(staged_db)
        (stage / "attachments").mkdir(exist_ok=True)
        _fsync_dir(stage)
        return StagedRestore(path, stage, info, migrated)
    except BaseException:
        _remove_quietly(stage)
        raise


def _settle(db_file: Path) -> None:
    """Fold any -wal into the file and flush it, so the file alone is the whole database."""
    wal = Path(f"{db_file}-wal")
    if wal.exists():
        conn = sqlite3.connect(str(db_file), isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    for extra in (wal, Path(f"{db_file}-shm")):
        extra.unlink(missing_ok=True)
    _fsync_file(db_file)


def _restore_stamp(datadir: DataDir) -> str:
    """A name part no earlier restore used, for the copies of the current database and attachments."""
    base = _stamp(_now())
    stamp, n = base, 1
    while (datadir.backups / f"before-restore-{stamp}.sqlite").exists() or \
            (datadir.backups / f"attachments-before-restore-{stamp}").exists():
        n += 1
        stamp = f"{base}-{n}"
    return stamp


def _save_current_database(datadir: DataDir, stamp: str) -> Path | None:
    """Put the current database aside, byte for byte, with its WAL.

    The database is not live here (the lock is held and no connection is open), so copying the files is a
    consistent copy; and it is the only safe one for a damaged file: merely opening it with SQLite could
    discard a WAL it finds invalid. The pair keeps matching names, so SQLite opens the copy as it was.
    """
    db_path = datadir.db_path
    if not db_path.exists():
        return None
    datadir.backups.mkdir(parents=True, exist_ok=True)
    dest = datadir.backups / f"before-restore-{stamp}.sqlite"
    wal = Path(f"{db_path}-wal")
    pairs = [(db_path, dest)] + ([(wal, Path(f"{dest}-wal"))] if wal.exists() else [])
    for src, dst in reversed(pairs):  # the WAL first: a copy that stops half-way has no main file
        shutil.copyfile(src, dst)
        _fsync_file(dst)
    _fsync_dir(dest.parent)
    return dest


def _write_json_durably(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    winfs.replace(tmp, path)
    _fsync_dir(path.parent)


def _retire_wal(db_path: Path) -> None:
    """Fold the current database's WAL into it and delete it, so it can never be replayed onto the new file."""
    wal, shm = Path(f"{db_path}-wal"), Path(f"{db_path}-shm")
    if db_path.exists() and wal.exists():
        try:
            conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=5)
            try:
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                conn.close()
            if busy:
                raise BackupError("数据文件仍在被使用，无法恢复。请关闭内勤台账的所有窗口后再试。" + _UNTOUCHED)
        except sqlite3.DatabaseError as e:  # a damaged database: its files were already copied aside as they are
            log.warning("cannot checkpoint current database before restore: %s", e)
    winfs.unlink(wal, missing_ok=True)
    winfs.unlink(shm, missing_ok=True)


def commit_restore(staged: StagedRestore, datadir: DataDir) -> RestoreResult:
    """Swap the staged backup in. The database rename is the commit point.

    Order: copy the current database aside; note the plan in ``restore-pending.json``; move the attachments
    folder aside and the staged one in; fold and delete the old WAL; rename the staged database over the current
    one. A crash before the rename is rolled back by ``recover_interrupted_restore`` (old data, old attachments);
    after it, the restore is complete. The caller must hold the data-dir lock and have closed the database.
    """
    datadir.backups.mkdir(parents=True, exist_ok=True)
    stamp = _restore_stamp(datadir)
    previous_db = _save_current_database(datadir, stamp)
    aside = datadir.backups / f"attachments-before-restore-{stamp}"
    pending = datadir.root / _PENDING
    _write_json_durably(pending, {"stamp": stamp, "attachments_aside": str(aside),
                                  "source": str(staged.source)})
    try:
        datadir.attachments.mkdir(parents=True, exist_ok=True)
        winfs.replace(datadir.attachments, aside)
        winfs.replace(staged.folder / "attachments", datadir.attachments)
        _fsync_dir(datadir.root)
        _retire_wal(datadir.db_path)
        winfs.replace(staged.folder / DATABASE, datadir.db_path)  # the commit point
        _fsync_dir(datadir.root)
    except BaseException as e:
        recover_interrupted_restore(datadir)
        if isinstance(e, OSError):  # e.g. Windows: another program still has a file open
            held = f"{winfs.BUSY_HINT}。" if winfs.is_busy_error(e) else ""
            raise BackupError(f"无法替换数据文件（{e.strerror or e}）。{held}请关闭内勤台账的所有窗口和可能打开数据文件的"
                              "程序后重试。" + _UNTOUCHED) from e
        raise
    pending.unlink(missing_ok=True)
    _remove_quietly(staged.folder)
    previous_attachments: Path | None = aside
    if not any(aside.iterdir()):
        _remove_quietly(aside)
        previous_attachments = None
    log.info("restored %s (previous database kept at %s)", staged.source, previous_db)
    return RestoreResult(staged.info, previous_db, previous_attachments, staged.migrated)


def restore_backup(path: Path, datadir: DataDir, passphrase: str | None = None, *, migrate: bool = True,
                   lock: bool = True, progress: Progress | None = None) -> RestoreResult:
    """Replace the data with a backup: unpack and check first, keep the current data aside, then swap.

    Does not open the current database through the models, so it also works when the program cannot start.
    ``lock=False`` when the caller (the window) already holds the data-dir lock.
    """
    held = None
    if lock:
        datadir.root.mkdir(parents=True, exist_ok=True)
        held = dbmod.DataDirLock(datadir).acquire()
    try:
        try:
            staged = prepare_restore(path, datadir, passphrase, migrate=migrate, progress=progress)
        except OSError as e:
            raise BackupError(f"恢复没有完成：{e.strerror or e}（{e.filename or ''}）。" + _UNTOUCHED) from e
        (progress or _no_progress)("正在替换数据", 0, 0)
        return commit_restore(staged, datadir)
    finally:
        if held is not None:
            held.release()


# ---------------------------------------------------------------------------------------------- removable drives


@dataclass(frozen=True)
class Drive:
    root: Path
    label: str
    free: int | None = None
    total: int | None = None

    @property
    def backup_folder(self) -> Path:
        return self.root / USB_FOLDER

    def title(self) -> str:
        name = f"{self.label}（{self.root}）" if self.label else str(self.root)
        return f"{name}　可用 {human_size(self.free)}" if self.free is not None else name


def _unescape_mount(path: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), path)


def linux_removable_roots(mounts_text: str, bases: tuple[str, ...] = ("/media/", "/run/media/")) -> list[Path]:
    """Mount points under /media and /run/media (where desktops mount USB sticks), from /proc/mounts text."""
    roots = []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) >= 2:
            mount = _unescape_mount(fields[1])
            if mount.startswith(bases) and Path(mount) not in roots:
                roots.append(Path(mount))
    return roots


def detect_removable_drives(skipped: list[str] | None = None) -> list[Drive]:
    """USB sticks and disks that are plugged in and mounted (Windows: removable, or fixed on the USB bus, see
    ``neiqin.winvolumes``; Linux: /media …). A write-protected one is left out with a sentence in ``skipped``."""
    if winfs.is_windows():
        from neiqin import winvolumes

        try:
            pairs, why = winvolumes.choose(winvolumes.windows_volumes())
        except (AttributeError, OSError) as e:  # no Windows API to ask
            log.warning("cannot list drives: %s", e)
            pairs, why = [], []
        if skipped is not None:
            skipped.extend(why)
    elif sys.platform == "darwin":
        pairs = [(p, p.name) for p in Path("/Volumes").glob("*") if os.path.ismount(p) and p.resolve() != Path("/")]
    else:
        try:
            text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        pairs = [(p, p.name) for p in linux_removable_roots(text)]
    drives = []
    for root, label in pairs:
        try:
            usage = shutil.disk_usage(root)
        except OSError:
            continue  # gone or not ready
        drives.append(Drive(root, label, usage.free, usage.total))
    return drives


def same_device(a: Path, b: Path) -> bool:
    """Both paths on one disk: a backup there would be lost together with the data."""
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------- targets and status


def target_id(folder: Path, *, create: bool = False) -> str | None:
    """The id of a backup folder (kept in a small file there), so a stick is recognised under any drive letter."""
    marker = Path(folder) / TARGET_MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            return data["id"]
    except (OSError, ValueError):
        pass
    if not create:
        return None
    tid = uuid.uuid4().hex
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"id": tid, "app": "neiqin"}), encoding="utf-8")
    except OSError as e:
        raise _media_error(e, "备份位置", Path(folder), 0, True) from e
    return tid


def target_settings(tid: str | None) -> dict:
    from neiqin.models import settings

    targets = settings.get("backup.targets") or {}
    return dict(targets.get(tid, {})) if tid else {}


def _passphrase_check(passphrase: str, salt: bytes, n: int) -> str:
    out = _scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(_normalize_passphrase(passphrase))
    return _b64(out)


def passphrase_matches(tid: str, passphrase: str) -> bool | None:
    """Whether the passphrase is the one set for this target; None when none was set yet."""
    check = target_settings(tid).get("check")
    if not check:
        return None
    expected = _passphrase_check(passphrase, _unb64(check["salt"]), int(check.get("n", SCRYPT_N)))
    return hmac.compare_digest(expected, check["hash"])


def validate_new_passphrase(passphrase: str, confirm: str | None = None) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"备份口令至少需要 {MIN_PASSPHRASE} 个字符。")
    if confirm is not None and passphrase != confirm:
        raise BackupError("两次输入的备份口令不一致。")


def remember_target(tid: str, *, label: str, folder: Path, passphrase: str | None) -> None:
    """Remember the target's choice (encrypted or not) and a check value of its passphrase — never the passphrase.

    The check value is a scrypt hash: it lets the next backup tell a typo from the agreed passphrase.
    """
    from neiqin.models import settings

    targets = dict(settings.get("backup.targets") or {})
    entry = dict(targets.get(tid, {}))
    entry.update(label=label, folder=str(folder), encrypt=passphrase is not None)
    if passphrase is not None and passphrase_matches(tid, passphrase) is not True:
        salt = secrets.token_bytes(16)
        entry["check"] = {"salt": _b64(salt), "n": SCRYPT_N, "hash": _passphrase_check(passphrase, salt, SCRYPT_N)}
    if passphrase is None:
        entry.pop("check", None)
    targets[tid] = entry
    settings.set_value("backup.targets", targets)


def forget_target_passphrase(tid: str) -> None:
    from neiqin.models import settings

    targets = dict(settings.get("backup.targets") or {})
    if tid in targets:
        targets[tid] = {k: v for k, v in targets[tid].items() if k != "check"}
        settings.set_value("backup.targets", targets)


def record_usb_backup(result: BackupResult) -> None:
    """Remember the last off-machine backup (shown in the status bar). Needs the database open."""
    from neiqin.models import settings

    settings.set_value("backup.last_usb", {
        "time": result.info.created.isoformat(sep=" "), "folder": str(result.path.parent),
        "file": result.path.name, "size": result.info.file_size, "encrypted": result.info.encrypted})
