"""Which Windows drives are USB backup targets, and why one is left out.

Windows calls a drive "removable" only when the device says so: USB hard disks and many USB-3 sticks report
"fixed", like the internal disk. So a drive is offered when it is removable, or fixed and attached by USB (its
bus type, asked with ``IOCTL_STORAGE_QUERY_PROPERTY``). A write-protected stick is not offered, and the dialog
says why instead of leaving it out without a word. :func:`choose` is the rule (tested with a volume list on any
OS); :func:`windows_volumes` asks Windows through ctypes. No Qt here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

REMOVABLE, FIXED, OTHER = "removable", "fixed", "other"
DRIVE_REMOVABLE, DRIVE_FIXED = 2, 3
BUS_USB = 7  # STORAGE_BUS_TYPE BusTypeUsb
FILE_READ_ONLY_VOLUME = 0x00080000


@dataclass(frozen=True)
class Volume:
    root: Path
    label: str
    kind: str  # REMOVABLE / FIXED / OTHER (network, CD, RAM disk)
    usb: bool  # attached by USB
    read_only: bool
    ready: bool = True  # a card reader without a card is removable but not ready
    system: bool = False  # the drive Windows runs from


def choose(volumes: list[Volume]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(root, label) of every volume a backup can go to; and a sentence for each USB volume left out."""
    chosen: list[tuple[Path, str]] = []
    skipped: list[str] = []
    for v in volumes:
        if not v.ready or v.system or not (v.kind == REMOVABLE or (v.kind == FIXED and v.usb)):
            continue
        label = v.label or ("可移动磁盘" if v.kind == REMOVABLE else "USB 磁盘")
        if v.read_only:
            skipped.append(f"{label}（{v.root}）写保护，不能备份：拨动U盘侧面的写保护开关后点“刷新”")
            continue
        chosen.append((v.root, label))
    return chosen, skipped


def windows_volumes() -> list[Volume]:  # pragma: no cover - needs Windows
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    system = (_system_drive() or "C:").upper()
    mask = kernel32.GetLogicalDrives()
    found = []
    for i in range(26):
        if not mask & (1 << i):
            continue
        letter = f"{chr(ord('A') + i)}:"
        root = letter + "\\"
        kind_code = kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))
        kind = REMOVABLE if kind_code == DRIVE_REMOVABLE else FIXED if kind_code == DRIVE_FIXED else OTHER
        if kind == OTHER:
            continue
        label = ctypes.create_unicode_buffer(261)
        flags = wintypes.DWORD()
        ready = bool(kernel32.GetVolumeInformationW(ctypes.c_wchar_p(root), label, 261, None, None,
                                                    ctypes.byref(flags), None, 0))
        found.append(Volume(Path(root), label.value, kind, _is_usb(kernel32, letter),
                            bool(flags.value & FILE_READ_ONLY_VOLUME), ready, letter.upper() == system))
    return found


def _system_drive() -> str | None:
    import os

    return os.environ.get("SystemDrive")


def _is_usb(kernel32, letter: str) -> bool:  # pragma: no cover - needs Windows
    """The bus the volume's disk hangs on, from IOCTL_STORAGE_QUERY_PROPERTY (StorageDeviceProperty)."""
    import ctypes
    from ctypes import wintypes

    class Query(ctypes.Structure):
        _fields_ = [("PropertyId", ctypes.c_int), ("QueryType", ctypes.c_int),
                    ("AdditionalParameters", ctypes.c_ubyte * 1)]

    class Descriptor(ctypes.Structure):
        _fields_ = [("Version", wintypes.DWORD), ("Size", wintypes.DWORD), ("DeviceType", ctypes.c_ubyte),
                    ("DeviceTypeModifier", ctypes.c_ubyte), ("RemovableMedia", ctypes.c_ubyte),
                    ("CommandQueueing", ctypes.c_ubyte), ("VendorIdOffset", wintypes.DWORD),
                    ("ProductIdOffset", wintypes.DWORD), ("ProductRevisionOffset", wintypes.DWORD),
                    ("SerialNumberOffset", wintypes.DWORD), ("BusType", ctypes.c_int),
                    ("RawPropertiesLength", wintypes.DWORD), ("RawDeviceProperties", ctypes.c_ubyte * 1)]

    ioctl_storage_query_property = 0x002D1400
    open_existing, share_read_write = 3, 0x1 | 0x2
    kernel32.CreateFileW.restype = wintypes.HANDLE
    handle = kernel32.CreateFileW(ctypes.c_wchar_p(f"\\\\.\\{letter}"), 0, share_read_write, None,
                                  open_existing, 0, None)
    if handle in (None, wintypes.HANDLE(-1).value):
        return False
    try:
        query, desc, returned = Query(0, 0), Descriptor(), wintypes.DWORD()
        ok = kernel32.DeviceIoControl(wintypes.HANDLE(handle), ioctl_storage_query_property, ctypes.byref(query),
                                      ctypes.sizeof(query), ctypes.byref(desc), ctypes.sizeof(desc),
                                      ctypes.byref(returned), None)
        return bool(ok) and desc.BusType == BUS_USB
    finally:
        kernel32.CloseHandle(wintypes.HANDLE(handle))
