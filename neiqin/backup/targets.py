"""What is remembered of a backup target (in 设置, ``backup.targets``): its id, kept in a small file on the stick so
it is recognised under any drive letter, whether it is encrypted, and a check value of its passphrase; and the last
backup to a stick (the 上次U盘备份 line reads it through ``neiqin.backup_guard``)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from neiqin.backup.common import BackupError
from neiqin.backup.media import _media_error
from neiqin.backup.sealing import new_passphrase_check, passphrase_check_matches

if TYPE_CHECKING:
    from neiqin.backup.write import BackupResult

TARGET_MARKER = ".neiqin-target.json"
MIN_PASSPHRASE = 8


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


def passphrase_matches(tid: str, passphrase: str) -> bool | None:
    """Whether the passphrase is the one set for this target; None when none was set yet."""
    check = target_settings(tid).get("check")
    if not check:
        return None
    return passphrase_check_matches(check, passphrase)


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
        entry["check"] = new_passphrase_check(passphrase)
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
