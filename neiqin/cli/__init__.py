"""Command line: ``python -m neiqin [--data-dir DIR] [COMMAND]``; no command starts the window.

Errors exit non-zero with one Chinese line on stderr. Commands that write take the data-dir lock, so they never
write while the window (or another command) has the same data open.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from neiqin import APP_TITLE, __version__, clock, console
from neiqin.cli.backup import register as register_backup
from neiqin.cli.common import date_arg, moment_arg
from neiqin.cli.labels import register as register_labels
from neiqin.cli.today import register as register_today
from neiqin.errors import NeiqinError
from neiqin.paths import DataDir, given_data_dir, resolve_data_dir

# Later features add their subcommands here: each entry is ``register(subparsers) -> None`` and sets
# ``func(args, datadir) -> int`` on its parser via ``set_defaults(func=..., needs_db=..., writes=...)``.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []
EXTRA_COMMANDS.append(register_labels)
EXTRA_COMMANDS.append(register_backup)
EXTRA_COMMANDS.append(register_today)


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse speaks English; the clerk reads one Chinese line
        self.exit(2, f"{self.prog}: 命令行参数错误：{message}（用 --help 查看用法）\n")


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog="neiqin", description=f"{APP_TITLE} {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="数据目录（默认用户数据目录，或环境变量 NEIQIN_HOME）")
    p.add_argument("--create", action="store_true",
                   help="--data-dir（或 NEIQIN_HOME）给出的数据目录不存在时新建它；不加时报错，以免U盘没插好时写进一个新的空目录")
    p.add_argument("--version", action="version", version=f"neiqin {__version__}")
    p.add_argument("--now", type=moment_arg, metavar="TIME",
                   help="从这一时刻起计时运行，如 \"2026-12-31 23:58\"（脚本和演示用；也可设环境变量 NEIQIN_NOW）")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)

    g = sub.add_parser("gui", help="打开主窗口（默认）")
    g.set_defaults(func=cmd_gui, needs_db=False, writes=False)

    d = sub.add_parser("demo", help="生成演示数据")
    d.add_argument("--rows", type=int, default=300, help="来访记录条数（默认 300）")
    d.set_defaults(func=cmd_demo, needs_db=True, writes=True)

    e = sub.add_parser("export", help="把台账导出为 Excel")
    e.add_argument("ledger")
    e.add_argument("file")
    _filters(e)
    e.set_defaults(func=cmd_export, needs_db=True, writes=False, existing=True)

    i = sub.add_parser("import", help="从 Excel 导入（全部正确才导入）")
    i.add_argument("ledger")
    i.add_argument("file")
    i.add_argument("--dry-run", action="store_true", help="只检查，不导入")
    i.set_defaults(func=cmd_import, needs_db=True, writes=True)

    pr = sub.add_parser("print", help="把台账打印为 PDF 登记簿")
    pr.add_argument("ledger")
    pr.add_argument("file")
    _filters(pr)
    pr.set_defaults(func=cmd_print, needs_db=True, writes=False, existing=True)

    r = sub.add_parser("purge-personal-data", help="按保留期限删除过期访客证件号码和手机号")
    r.set_defaults(func=cmd_purge, needs_db=True, writes=True, existing=True)

    for register in EXTRA_COMMANDS:
        register(sub)
    return p


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=date_arg, metavar="DATE", help="开始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE", help="结束日期 YYYY-MM-DD")
    p.add_argument("--search", default="", help="查找内容")
    p.add_argument("--status", default="", help="状态筛选键，例如 on_site")


def _query(args):
    from neiqin.models import LedgerQuery

    return LedgerQuery(search=args.search, date_from=args.date_from, date_to=args.date_to, status=args.status)


def _ledger(key: str):
    from neiqin.models import get_ledger

    spec = get_ledger(key)
    return spec


def _range_text(args) -> str:
    if args.date_from or args.date_to:
        return f"{args.date_from or '…'} 至 {args.date_to or '…'}"
    return ""


def cmd_gui(args, datadir: DataDir) -> int:
    from neiqin.app import run_gui

    return run_gui(datadir, ask_to_create=getattr(args, "ask_to_create", False))


def cmd_demo(args, datadir: DataDir) -> int:
    from neiqin.demo import generate

    if args.rows < 0 or args.rows > 5_000_000:
        raise NeiqinError("--rows 应在 0 到 5000000 之间")
    counts = generate(args.rows)
    print("演示数据已生成：" + "，".join(f"{k} {v} 条" for k, v in counts.items()) + f"（{datadir.root}）")
    return 0


def cmd_export(args, datadir: DataDir) -> int:
    spec = _ledger(args.ledger)
    from neiqin.models import settings
    from neiqin.reports.excel import export_xlsx

    n = export_xlsx(spec, _query(args), Path(args.file), org_name=settings.org_name())
    print(f"已导出 {n} 条到 {args.file}")
    return 0


def cmd_import(args, datadir: DataDir) -> int:
    spec = _ledger(args.ledger)
    from neiqin.reports.excel import apply_import, read_import

    if not Path(args.file).exists():
        raise NeiqinError(f"找不到文件：{args.file}")
    preview = read_import(spec, Path(args.file))
    if preview.errors:
        for err in preview.errors[:50]:
            print(err.message if err.message.startswith("第") else f"第 {err.row_number} 行：{err.message}",
                  file=sys.stderr)
        more = len(preview.errors) - 50
        raise NeiqinError(f"有 {len(preview.errors)} 行有错误，未导入任何数据" + (f"（另有 {more} 行未列出）"
                                                                          if more > 0 else ""))
    if args.dry_run:
        print(f"检查通过：{len(preview.rows)} 行可以导入（未导入）")
        return 0
    n = apply_import(spec, preview)
    print(f"已导入 {n} 条")
    return 0


def cmd_print(args, datadir: DataDir) -> int:
    spec = _ledger(args.ledger)
    from neiqin.models import settings
    from neiqin.reports.register import write_register_pdf

    query = _query(args)
    pages = write_register_pdf(spec.register_for(query), query, Path(args.file), org_name=settings.org_name(),
                               subtitle=_range_text(args))
    print(f"已生成 {args.file}，共 {pages} 页")
    return 0


def cmd_purge(args, datadir: DataDir) -> int:
    from neiqin.models.visitors import erase_expired_personal_data

    n = erase_expired_personal_data()
    print(f"已删除 {n} 条过期访客记录的证件号码和手机号")
    return 0


def main(argv: list[str] | None = None) -> int:
    console.setup()  # output never crashes: no console (windowed exe), GBK pipes, old consoles
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.now:
        clock.start_at(args.now)
    if not getattr(args, "func", None):
        args.func, args.needs_db, args.writes = cmd_gui, False, False
    try:
        datadir = resolve_data_dir(args.data_dir)
        if console.windowless and datadir.root.is_dir():
            from neiqin.logs import setup_logging

            setup_logging(datadir)  # the windowed exe has no stderr: its error lines go to the log
        if args.data_dir and not Path(args.data_dir).exists() and getattr(args, "existing", False):
            raise NeiqinError(f"数据目录不存在：{args.data_dir}")
        if given_data_dir(args.data_dir) and not datadir.root.exists() and not args.create:
            # a stick not plugged in, a typo in start.bat: never a new empty data dir without asking
            if args.func is cmd_gui:
                args.ask_to_create = True
            elif args.writes and args.command not in ("demo", "restore"):  # these fill the folder they are given
                raise NeiqinError(f"数据目录不存在：{datadir.root}。如果数据在U盘上，请先插好U盘；"
                                  "确实要新建一个空的数据目录，请加 --create")
        if getattr(args, "existing", False) and not datadir.db_path.exists():
            raise NeiqinError(f"数据目录中没有数据文件：{datadir.db_path}")
        if not args.needs_db:
            return args.func(args, datadir)
        return _with_database(args, datadir)
    except NeiqinError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


def _with_database(args, datadir: DataDir) -> int:
    from neiqin.db import DataDirLock, close_database, open_database
    from neiqin.logs import setup_logging

    datadir.ensure()
    setup_logging(datadir, console=False)
    lock = DataDirLock(datadir).acquire() if args.writes else None
    try:
        open_database(datadir.db_path, datadir.backups)
        from neiqin.reports import fonts

        fonts.load_saved()  # printed registers use the clerk's chosen fonts, as in the window
        return args.func(args, datadir)
    finally:
        close_database()
        if lock:
            lock.release()


if __name__ == "__main__":
    raise SystemExit(main())
