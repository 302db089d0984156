"""Backups: the database and its attachments in one checked, optionally encrypted file (``.nqbak``).

Where they go: a USB stick (备份到U盘, the copy that leaves the building) or ``datadir.backups`` (automatic, daily
and on exit, rotated 7 daily / 4 weekly / 12 monthly). One module per job:

    write       making a backup: snapshot, write, read back (``create_backup``)
    readback    reading a new file back from the medium, past the system's cache
    media       the target medium: place, room, FAT32's 4 GB, what a failed write means
    sealing     the file's head and the seal on each chunk; the passphrase's key and check value
    container   the entries of the payload in sealed chunks
    manifest    what is inside a backup (``BackupInfo``)
    reading     reading a backup: preview, the whole file checked
    verify      checking a backup or the live database (``verify_backup``, ``verify_database``)
    restore     putting a backup in place of the data (``restore_backup``)
    retention   the backups in a folder: names, list, which are kept
    schedule    automatic backups: when due, whether anything changed
    drives      plugged-in USB sticks and disks
    targets     what is remembered of a stick (id, passphrase check) and of the last backup to one
    database    the live database: SQLite errors in words, counts, integrity, the snapshot
    common      errors and helpers every job shares

What the window and the command line use is re-exported here, so ``from neiqin import backup`` then
``backup.create_backup(…)`` reads as one engine; a name that begins with ``_`` is shared inside this package only.
Importing this package imports the engine (not cryptography, loaded on first use): the window's start reads the
status and finishes an interrupted restore through ``neiqin.backup_guard`` instead, which stays outside it.

No Qt here: the dialogs in ``neiqin.ui.backup_ui`` and the command line call these functions.
"""

from __future__ import annotations

from neiqin.backup.common import (
                                  BackupCancelled,
                                  BackupError,
                                  CorruptBackup,
                                  PassphraseRequired,
                                  Progress,
                                  TargetWriteError,
                                  WrongPassphrase,
                                  human_size,
)
from neiqin.backup.database import friendly_sqlite_errors, map_sqlite_error, snapshot_database
from neiqin.backup.drives import (
                                  USB_FOLDER,
                                  Drive,
                                  detect_removable_drives,
                                  linux_removable_roots,
                                  same_device,
)
from neiqin.backup.manifest import BackupInfo
from neiqin.backup.reading import backup_is_encrypted, read_manifest
from neiqin.backup.restore import (
                                  RestoreResult,
                                  StagedRestore,
                                  commit_restore,
                                  prepare_restore,
                                  restore_backup,
)
from neiqin.backup.retention import (
                                  AUTO_PREFIX,
                                  SUFFIX,
                                  USB_PREFIX,
                                  backup_time,
                                  list_backups,
                                  rotate_backups,
                                  rotate_local,
                                  select_to_keep,
)
from neiqin.backup.schedule import auto_backup, auto_backup_due, local_policy
from neiqin.backup.targets import (
                                  forget_target_passphrase,
                                  passphrase_matches,
                                  record_usb_backup,
                                  remember_target,
                                  target_id,
                                  target_settings,
                                  validate_new_passphrase,
)
from neiqin.backup.verify import EXTRA_VERIFIERS, VerifyReport, verify_backup, verify_database
from neiqin.backup.write import BackupResult, create_backup
from neiqin.backup_guard import last_usb_backup, recover_interrupted_restore, usb_backup_status

__all__ = [
    "AUTO_PREFIX", "EXTRA_VERIFIERS", "SUFFIX", "USB_FOLDER", "USB_PREFIX",
    "BackupCancelled", "BackupError", "BackupInfo", "BackupResult", "CorruptBackup", "Drive", "PassphraseRequired",
    "Progress", "RestoreResult", "StagedRestore", "TargetWriteError", "VerifyReport", "WrongPassphrase",
    "auto_backup", "auto_backup_due", "backup_is_encrypted", "backup_time", "commit_restore", "create_backup",
    "detect_removable_drives", "forget_target_passphrase", "friendly_sqlite_errors", "human_size", "last_usb_backup",
    "linux_removable_roots", "list_backups", "local_policy", "map_sqlite_error", "passphrase_matches",
    "prepare_restore", "read_manifest", "record_usb_backup", "recover_interrupted_restore", "remember_target",
    "restore_backup", "rotate_backups", "rotate_local", "same_device", "select_to_keep", "snapshot_database",
    "target_id", "target_settings", "usb_backup_status", "validate_new_passphrase", "verify_backup",
    "verify_database",
]
