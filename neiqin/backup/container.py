"""The payload of a backup file: entries (``manifest.json`` first, then ``neiqin.sqlite``, ``attachments/…``, and
last ``checksums.json``, then an end mark) streamed through sealed records of at most ``CHUNK_SIZE`` bytes.

Memory stays at a few chunks whatever the database size. The head and the seals are ``neiqin.backup.sealing``'s.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from neiqin.backup.common import _DAMAGED, _TRUNCATED, BackupError, CorruptBackup
from neiqin.backup.sealing import _Sealer

CHUNK_SIZE = 1 << 20
MANIFEST = "manifest.json"
DATABASE = "neiqin.sqlite"
CHECKSUMS = "checksums.json"
ATTACHMENTS = "attachments/"
_FILE, _END = b"F", b"Z"


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
