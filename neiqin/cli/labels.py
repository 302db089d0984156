"""``python -m neiqin labels …``: list label stocks, print a calibration page, print the day's visitor badges.

    neiqin labels --list
    neiqin labels calibration --stock KEY FILE.pdf [--printer NAME]
    neiqin labels badges FILE.pdf --stock KEY [--date DATE] [--start N] [--copies K] [--printer NAME]

``--printer NAME`` applies the calibration offset saved for that printer in the window (标签打印 → 校准).
Registered in neiqin.cli.EXTRA_COMMANDS; nothing here imports Qt.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path

from neiqin import clock
from neiqin.cli.common import date_arg
from neiqin.errors import NeiqinError
from neiqin.paths import DataDir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("labels", help="标签：列出标签纸、打印校准页、打印当日来访证")
    p.add_argument("--list", action="store_true", help="列出可用的标签纸")
    p.set_defaults(func=cmd_labels, needs_db=False, writes=False)
    labels_sub = p.add_subparsers(dest="labels_command", metavar="ACTION", parser_class=type(p))

    cal = labels_sub.add_parser("calibration", help="打印校准页：每个标签的轮廓和编号")
    cal.add_argument("file", metavar="FILE.pdf")
    cal.add_argument("--stock", required=True, metavar="KEY", help="标签纸（见 labels --list）")
    cal.add_argument("--printer", default="", metavar="NAME", help="使用该打印机保存的校准偏移")

    badges = labels_sub.add_parser("badges", help="打印某天到访访客的来访证")
    badges.add_argument("file", metavar="FILE.pdf")
    badges.add_argument("--stock", required=True, metavar="KEY", help="标签纸（见 labels --list）")
    badges.add_argument("--date", type=date_arg, default=None, metavar="DATE", help="来访日期（默认今天）")
    badges.add_argument("--start", type=int, default=1, metavar="N", help="从第 N 个标签开始（用过的标签纸）")
    badges.add_argument("--copies", type=int, default=1, metavar="K", help="每人打印 K 张")
    badges.add_argument("--printer", default="", metavar="NAME", help="使用该打印机保存的校准偏移")


@contextmanager
def _database(datadir: DataDir, *, required: bool):
    """The data dir's database if it exists (custom stocks, offsets, visits); ``required`` for badges."""
    if not datadir.db_path.exists():
        if required:
            raise NeiqinError(f"数据目录中没有数据文件：{datadir.db_path}")
        yield False
        return
    from neiqin.db import close_database, open_database
    from neiqin.logs import setup_logging

    setup_logging(datadir, console=False)
    open_database(datadir.db_path, datadir.backups)
    try:
        from neiqin.reports import fonts

        fonts.load_saved()
        yield True
    finally:
        close_database()


def cmd_labels(args, datadir: DataDir) -> int:
    command = getattr(args, "labels_command", None)
    if args.list or not command:
        return _list(datadir)
    if command == "calibration":
        return _calibration(args, datadir)
    return _badges(args, datadir)


def _list(datadir: DataDir) -> int:
    from neiqin.reports import labels

    with _database(datadir, required=False) as has_db:
        stocks = labels.all_stocks() if has_db else dict(labels.PRESETS)
        width = max(len(k) for k in stocks)
        for key, stock in stocks.items():
            mark = "（自定义）" if stock.custom else ""
            print(f"{key.ljust(width)}  {stock.description}{mark}")
    return 0


def _offset(printer: str):
    from neiqin.reports.labels import Offset, printer_offset

    return printer_offset(printer) if printer else Offset()


def _calibration(args, datadir: DataDir) -> int:
    from neiqin.reports import labels

    with _database(datadir, required=False) as has_db:
        stock = labels.get_stock(args.stock) if has_db else _preset(args.stock)
        offset = _offset(args.printer) if has_db else labels.Offset()
        labels.write_calibration(Path(args.file), stock, offset, printer=args.printer)
    print(f"已生成校准页 {args.file}（{stock.description}，{offset.text}）")
    return 0


def _preset(key: str):
    from neiqin.reports import labels

    try:
        return labels.PRESETS[key]
    except KeyError:
        raise NeiqinError(f"没有名为“{key}”的标签纸（可用：{'、'.join(labels.PRESETS)}）") from None


def _badges(args, datadir: DataDir) -> int:
    from neiqin.models import settings
    from neiqin.reports import labels
    from neiqin.reports.badges import badge_visits, write_badges

    day = args.date or clock.today()
    with _database(datadir, required=True):
        stock = labels.get_stock(args.stock)
        visits = badge_visits(day)
        if not visits:
            raise NeiqinError(f"{day} 没有到访的访客（不含作废记录和未到的预约），未生成文件")
        pages = write_badges(Path(args.file), stock, visits, org_name=settings.get("org_name") or "",
                             start=args.start, copies=args.copies, offset=_offset(args.printer))
    print(f"已生成 {args.file}：{len(visits)} 位访客的来访证，共 {pages} 页（{stock.name}）")
    return 0
