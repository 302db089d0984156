"""The one clock: every "today" and "now" in neiqin comes from here.

Registers are evidence, so the program must behave the same at 07:50, at midnight and on 31 December. Nothing
else in ``neiqin/`` calls ``date.today()``, ``datetime.now()`` or ``time.time()`` for a date (a test scans for
them), so a test, a scripted CLI run (``--now``) or a demo can put the whole program at any moment:

* :func:`freeze` stops the clock at a moment (tests; :func:`advance` moves it on by hand);
* :func:`start_at` lets it run on from a moment (``neiqin --now``, ``NEIQIN_NOW``), so timers still fire;
* :func:`reset` goes back to the machine's clock.

Times are naive local times, as the registers print them. Seconds are kept, microseconds dropped by
:func:`now` (registers show minutes; seconds keep ordering); :func:`precise_now` keeps them for durations.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV_VAR = "NEIQIN_NOW"

# Either a frozen moment, or an offset from the machine's clock (zero when not set).
_frozen: dt.datetime | None = None
_offset = dt.timedelta(0)


def _machine_now() -> dt.datetime:
    return dt.datetime.now()


def precise_now() -> dt.datetime:
    """The current moment with microseconds (for durations and file stamps that must not collide)."""
    if _frozen is not None:
        return _frozen
    return _machine_now() + _offset


def now() -> dt.datetime:
    """The current local moment, to the second."""
    return precise_now().replace(microsecond=0)


def today() -> dt.date:
    return precise_now().date()


def file_time() -> float:
    """Seconds since the epoch on the machine's clock, to compare with file times the OS stamps.

    Deliberately not shifted by :func:`freeze` / :func:`start_at`: a file's age is a fact of the disk.
    """
    return time.time()


def parse_moment(text: str) -> dt.datetime:
    """``2026-12-31 23:58``, ``2026-12-31T23:58:30`` or ``2026-12-31`` (midnight) as a moment."""
    text = text.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"时间格式不对：{text}（应为 2026-12-31 23:58 或 2026-12-31）")


def freeze(moment: dt.datetime | dt.date | str) -> None:
    """Stop the clock at ``moment`` until :func:`advance`, :func:`start_at` or :func:`reset`."""
    global _frozen, _offset
    _frozen = _as_moment(moment)
    _offset = dt.timedelta(0)


def start_at(moment: dt.datetime | dt.date | str) -> None:
    """Let the clock run on from ``moment`` (as the machine's clock runs)."""
    global _frozen, _offset
    _frozen = None
    _offset = _as_moment(moment) - _machine_now()


def advance(delta: dt.timedelta | None = None, **kwargs: float) -> dt.datetime:
    """Move the clock on by ``delta`` (or ``timedelta(**kwargs)``); returns the new moment."""
    global _frozen, _offset
    step = delta if delta is not None else dt.timedelta(**kwargs)
    if _frozen is not None:
        _frozen += step
    else:
        _offset += step
    return now()


def reset() -> None:
    """Back to the machine's clock."""
    global _frozen, _offset
    _frozen = None
    _offset = dt.timedelta(0)


def is_set() -> bool:
    return _frozen is not None or _offset != dt.timedelta(0)


@contextmanager
def frozen_at(moment: dt.datetime | dt.date | str) -> Iterator[None]:
    """``with clock.frozen_at("2026-12-31 23:59"):`` — the previous clock comes back afterwards."""
    global _frozen, _offset
    saved = (_frozen, _offset)
    freeze(moment)
    try:
        yield
    finally:
        _frozen, _offset = saved


def from_environment(environ: dict[str, str] | None = None) -> None:
    """``NEIQIN_NOW=2026-12-31 23:58`` starts the clock there (for scripted runs and test subprocesses)."""
    value = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
    if value:
        start_at(parse_moment(value))


def _as_moment(moment: dt.datetime | dt.date | str) -> dt.datetime:
    if isinstance(moment, str):
        return parse_moment(moment)
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time())


from_environment()
