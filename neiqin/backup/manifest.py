"""What is inside a backup (``BackupInfo``: enough for the restore preview and the summary), and the manifest
written first into every backup."""

from __future__ import annotations

import datetime as dt
import platform
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import neiqin.db as dbmod
from neiqin import __version__
from neiqin.backup.common import _DAMAGED, BackupError, CorruptBackup, human_size
from neiqin.backup.container import ATTACHMENTS, DATABASE
from neiqin.backup.database import _change_mark, _connect, table_counts
from neiqin.backup.sealing import FORMAT_VERSION


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
