"""Helpers shared by the command-line modules (``neiqin.cli`` and its ``labels``, ``today``, ``backup`` …), so
that none of them imports another for a private helper. No Qt, nothing heavy: every ``python -m neiqin`` run imports
this."""

from __future__ import annotations

import argparse
import datetime as dt


def date_arg(text: str) -> dt.date:
    """An argparse ``type=`` for dates: ``2026-05-12`` or ``2026/05/12``; a Chinese message otherwise."""
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式应为 YYYY-MM-DD") from None


def moment_arg(text: str) -> dt.datetime:
    """An argparse ``type=`` for ``--now``: ``2026-12-31 23:58``, ``2026-12-31T23:58:30`` or ``2026-12-31``."""
    from neiqin import clock

    try:
        return clock.parse_moment(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
