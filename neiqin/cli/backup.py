"""Command line for backups: ``backup``, ``restore``, ``verify``. Registered through ``neiqin.cli.EXTRA_COMMANDS``.

Made for Windows Task Scheduler as much as for a person: with the options given nothing is asked, and a
missing passphrase fails with one clear line instead of waiting for keyboard input that will never come.

    neiqin backup --to E:\\内勤台账备份 --encrypt --passphrase-file C:\\安全\\口令.txt
    neiqin backup --auto
    neiqin restore E:\\内勤台账备份\\neiqin-backup-20250101-180000.nqbak --passphrase-file 口令.txt --yes
    neiqin verify                      (the live database)
    neiqin verify FILE.nqbak           (a backup, completely)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from neiqin.errors import DataDirLockedError, NeiqinError
from neiqin.paths import DataDir

# neiqin.backup (cryptography, the models) is imported inside the commands: registering them must not slow
# down every start of the program.


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("backup", help="备份数据和附件（可加密），例如备份到U盘")
    where = b.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="DIR", help="备份到这个文件夹（例如U盘上的文件夹）")
    where.add_argument("--auto", action="store_true", help="做一次本机自动备份（数据目录的 backups 文件夹）")
    b.add_argument("--encrypt", action="store_true", help="加密备份（AES-256-GCM，口令不会被保存）")
    b.add_argument("--passphrase-file", metavar="FILE", help="从文件读取备份口令（计划任务中使用）")
    b.add_argument("--change-passphrase", action="store_true", help="为这个备份位置改用新的口令")
    b.add_argument("--keep", type=int, metavar="N", help="这个位置保留的备份份数（默认按设置，10 份）")
    b.set_defaults(func=cmd_backup, needs_db=True, writes=False, existing=True)

    r = sub.add_parser("restore", help="从备份恢复（先把当前数据另存，再替换）")
    r.add_argument("file", help="备份文件（.nqbak）")
    r.add_argument("--passphrase-file", metavar="FILE", help="从文件读取备份口令")
    r.add_argument("--yes", action="store_true", help="不再询问，直接恢复（计划任务或脚本中必须加）")
    r.add_argument("--preview", action="store_true", help="只显示备份内容，不恢复")
    r.set_defaults(func=cmd_restore, needs_db=False, writes=True)

    v = sub.add_parser("verify", help="校验数据文件，或完整校验一个备份文件")
    v.add_argument("file", nargs="?", help="备份文件（.nqbak）；不写则校验当前数据文件")
    v.add_argument("--passphrase-file", metavar="FILE", help="从文件读取备份口令")
    v.set_defaults(func=cmd_verify, needs_db=False, writes=False)


# ---------------------------------------------------------------------------------------------- passphrases


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_passphrase_file(name: str) -> str:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NeiqinError(f"找不到口令文件：{name}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise NeiqinError(f"无法读取口令文件 {name}：{e}") from None
    passphrase = text.rstrip("\r\n")
    if not passphrase:
        raise NeiqinError(f"口令文件 {name} 是空的")
    return passphrase


def _ask_new_passphrase() -> str:
    from neiqin import backup

    first = getpass.getpass("请设置备份口令（至少 8 个字符，不会被保存，请牢记）：")
    second = getpass.getpass("请再输入一次：")
    backup.validate_new_passphrase(first, second)
    return first


def _passphrase_for_reading(args, path: Path) -> str | None:
    from neiqin import backup

    if args.passphrase_file:
        return read_passphrase_file(args.passphrase_file)
    if not backup.backup_is_encrypted(path):
        return None
    if not _interactive():
        raise NeiqinError("这是加密备份，需要口令：请用 --passphrase-file 指定口令文件（计划任务中无法输入口令）")
    return getpass.getpass("请输入备份口令：")


# ---------------------------------------------------------------------------------------------- commands


def cmd_backup(args, datadir: DataDir) -> int:
    from neiqin import backup
    from neiqin.models import settings

    if args.auto:
        if args.encrypt or args.passphrase_file:
            raise NeiqinError("本机自动备份不加密（它和数据在同一台电脑上）；加密请用 --to 备份到U盘")
        result = backup.auto_backup(datadir, policy=backup.local_policy(), force=True)
        if result is not None:
            print(result.summary())
        return 0
    if args.passphrase_file and not args.encrypt:
        raise NeiqinError("给了 --passphrase-file 但没有 --encrypt：要加密请加 --encrypt")
    folder = Path(args.to).expanduser()
    media = "U盘" if _on_removable_drive(folder) else "备份位置"
    passphrase = _backup_passphrase(args, folder)
    keep = args.keep if args.keep is not None else int(settings.get("backup.usb_keep") or 10)
    if keep < 1:
        raise NeiqinError("--keep 至少为 1")
    result = backup.create_backup(datadir, folder, passphrase=passphrase, keep=keep, media=media)
    tid = backup.target_id(folder, create=True)
    if tid:
        backup.remember_target(tid, label=folder.name, folder=folder, passphrase=passphrase)
    backup.record_usb_backup(result)
    print(result.summary())
    if backup.same_device(folder, datadir.root):
        print("提醒：备份和数据在同一个磁盘上，磁盘损坏时会一起丢失。请再备份到U盘。", file=sys.stderr)
    return 0


def _on_removable_drive(folder: Path) -> bool:
    from neiqin import backup

    try:
        resolved = folder.resolve()
    except OSError:
        return False
    return any(resolved == d.root or d.root in resolved.parents for d in backup.detect_removable_drives())


def _backup_passphrase(args, folder: Path) -> str | None:
    from neiqin import backup

    if not args.encrypt:
        return None
    if args.passphrase_file:
        passphrase = read_passphrase_file(args.passphrase_file)
    elif _interactive():
        passphrase = _ask_new_passphrase()
    else:
        raise NeiqinError("加密备份需要口令：请用 --passphrase-file 指定口令文件（计划任务中无法输入口令）")
    backup.validate_new_passphrase(passphrase)
    tid = backup.target_id(folder)
    if tid and not args.change_passphrase and backup.passphrase_matches(tid, passphrase) is False:
        raise NeiqinError("口令与这个备份位置以前使用的口令不一致。如果确实要换口令，请加 --change-passphrase")
    return passphrase


def cmd_restore(args, datadir: DataDir) -> int:
    from neiqin import backup

    path = Path(args.file)
    passphrase = _passphrase_for_reading(args, path)
    info = backup.read_manifest(path, passphrase)
    print("\n".join(info.preview_lines()))
    if args.preview:
        return 0
    if info.too_new:
        from neiqin.db import too_new_message

        raise NeiqinError(too_new_message(info.schema_version))
    if not args.yes:
        if not _interactive():
            raise NeiqinError("恢复会替换当前数据：在计划任务或脚本中请加 --yes 确认")
        answer = input(f"将用这个备份替换 {datadir.root} 中的数据（当前数据会先另存）。确定吗？[y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消，数据没有改动")
            return 1
    from neiqin.logs import setup_logging

    datadir.ensure()
    setup_logging(datadir, console=False)
    try:
        result = backup.restore_backup(path, datadir, passphrase)
    except DataDirLockedError as e:
        raise NeiqinError(f"{e}\n恢复前请先关闭内勤台账。") from None
    print(result.summary())
    return 0


def cmd_verify(args, datadir: DataDir) -> int:
    from neiqin import backup

    if args.file:
        path = Path(args.file)
        work = datadir.backups / ".tmp" if datadir.root.exists() else None
        report = backup.verify_backup(path, _passphrase_for_reading(args, path), work_dir=work)
    else:
        if not datadir.db_path.exists():
            raise NeiqinError(f"数据目录中没有数据文件：{datadir.db_path}")
        report = backup.verify_database(datadir.db_path)
    print(report.text())
    return 0 if report.ok else 1
