"""The head of a backup file and the seal on each of its chunks; the passphrase's key and its check value.

File format, version 1::

    header   b"NEIQINBK" | u8 version | u32 n | n bytes JSON (cipher, KDF, salt, nonce prefix) | SHA-256 of all that
    records  u32 (bit 31: last record; bits 0-30: length) | sealed chunk of at most ``chunk_size`` payload bytes

Every chunk is sealed together with its number, whether it is the last one, and the header's hash: with
AES-256-GCM under a key from scrypt(passphrase) when encrypted, otherwise with an AES-GMAC checksum. A file that was
cut short, bit-flipped, reordered or extended fails the check (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár, 2015). The records themselves are cut and read by ``neiqin.backup.container``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import struct
import unicodedata
from typing import Any, BinaryIO

from neiqin.backup.common import (
    _DAMAGED,
    _TRUNCATED,
    _UNTOUCHED,
    BackupError,
    CorruptBackup,
    PassphraseRequired,
    WrongPassphrase,
)

MAGIC = b"NEIQINBK"
FORMAT_VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # 128 MB of memory, about 0.3 s per derivation


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


def _passphrase_check(passphrase: str, salt: bytes, n: int) -> str:
    out = _scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(_normalize_passphrase(passphrase))
    return _b64(out)


def new_passphrase_check(passphrase: str) -> dict:
    """A check value of the passphrase to remember with a target (a scrypt hash; never the passphrase)."""
    salt = secrets.token_bytes(16)
    return {"salt": _b64(salt), "n": SCRYPT_N, "hash": _passphrase_check(passphrase, salt, SCRYPT_N)}


def passphrase_check_matches(check: dict, passphrase: str) -> bool:
    expected = _passphrase_check(passphrase, _unb64(check["salt"]), int(check.get("n", SCRYPT_N)))
    return hmac.compare_digest(expected, check["hash"])
