"""``python -m neiqin today``: the 今日 lists as text, for a morning script or a quick check; or the sheet as PDF.

    neiqin today                         every section, most urgent first within each
    neiqin today --urgent                only what is overdue or due
    neiqin today --date 2026-05-12       as of another day
    neiqin today --pdf 交接班单.pdf [--worklist]

Colours only on a terminal that shows them (never with NO_COLOR set, nor in an old Windows console); in a pipe or a file the text is plain, with the
level written out as 【逾期】 / 【到期】 so nothing depends on colour. Exit status 0; 3 with ``--fail-if-overdue``
when anything is overdue, for a scheduled task that should alert someone. Registered in neiqin.cli.EXTRA_COMMANDS;
nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from neiqin import clock
from neiqin.cli.common import date_arg
from neiqin.paths import DataDir

RED, AMBER, BOLD, RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"
EXIT_OVERDUE = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("today", help="今日待办：逾期、到期和今天的事项（文字，或打印交接班单）")
    p.add_argument("--date", type=date_arg, default=None, metavar="DATE", help="按哪一天（默认今天）")
    p.add_argument("--urgent", action="store_true", help="只列出逾期和到期的事项")
    p.add_argument("--section", action="append", default=None, metavar="KEY",
                   help="只列出这些栏目（可重复；见 --list-sections）")
    p.add_argument("--list-sections", action="store_true", help="列出所有栏目的键和名称")
    p.add_argument("--pdf", metavar="FILE", help="生成 PDF（默认交接班单）")
    p.add_argument("--worklist", action="store_true", help="与 --pdf 一起：生成今日工作清单而不是交接班单")
    p.add_argument("--fail-if-overdue", action="store_true", help=f"有逾期事项时以状态 {EXIT_OVERDUE} 退出（计划任务用）")
    p.set_defaults(func=cmd_today, needs_db=True, writes=False, existing=True)


def _use_colour(stream: TextIO) -> bool:
    from neiqin.console import supports_colour

    return supports_colour(stream)


def render(sections, day: dt.date, *, org_name: str = "", urgent_only: bool = False, colour: bool = False) -> str:
    """The sections as lines of text (the same lists as the 今日 tab)."""
    from neiqin.models.today import DUE, OVERDUE, day_heading

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    overdue = sum(s.overdue for s in sections)
    due = sum(s.due for s in sections)
    head = f"今日 {day_heading(day)}" + (f"　{org_name}" if org_name else "")
    lines = [paint(head, BOLD), f"逾期 {overdue} 项，到期 {due} 项，共 {sum(s.total for s in sections)} 项", ""]
    for s in sections:
        items = [i for i in s.items if i.urgent] if urgent_only else s.items
        if urgent_only and not items and not s.error:
            continue
        lines.append(paint(f"【{s.title}】{s.summary()}", BOLD))
        if s.error:
            lines.append(paint(f"  ！本栏目读取失败：{s.error}", RED))
        for i in items:
            if i.level == OVERDUE:
                lines.append(paint(f"  【逾期】{i.text}", RED))
            elif i.level == DUE:
                lines.append(paint(f"  【到期】{i.text}", AMBER))
            else:
                lines.append(f"  　　　　{i.text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def cmd_today(args, datadir: DataDir) -> int:
    from neiqin.errors import NeiqinError
    from neiqin.models import settings, today

    if args.list_sections:
        for s in sorted(today.registered().values(), key=lambda s: (s.order, s.key)):
            print(f"{s.key}\t{s.title}")
        return 0
    if args.worklist and not args.pdf:
        raise NeiqinError("--worklist 需与 --pdf 一起使用")
    if args.section:
        unknown = [k for k in args.section if k not in today.registered()]
        if unknown:
            raise NeiqinError(f"没有栏目：{'、'.join(unknown)}（用 --list-sections 查看）")
    day = args.date or clock.today()
    sections = today.compute(day, keys=args.section)
    if args.pdf:
        from neiqin.reports.today_sheet import HANDOVER, TITLES, WORKLIST, write_today_sheet

        kind = WORKLIST if args.worklist else HANDOVER
        pages = write_today_sheet(sections, Path(args.pdf), day=day, kind=kind, org_name=settings.org_name())
        print(f"已生成{TITLES[kind]} {args.pdf}，共 {pages} 页")
    else:
        sys.stdout.write(render(sections, day, org_name=settings.get("org_name") or "", urgent_only=args.urgent,
                                colour=_use_colour(sys.stdout)))
    if args.fail_if_overdue and any(s.overdue for s in sections):
        return EXIT_OVERDUE
    return 0
