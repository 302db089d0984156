"""USB sticks and disks that are plugged in (Windows: through ``neiqin.winvolumes``; Linux: /media …), and
whether two paths are on one disk."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from neiqin import winfs
from neiqin.backup.common import human_size

log = logging.getLogger(__name__)

USB_FOLDER = "内勤台账备份"  # created on the stick; one folder, easy to find in Explorer


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
