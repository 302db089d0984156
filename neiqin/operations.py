"""The operations layer between the panes and the ledgers. No Qt.

A write is one **operation**: :func:`run` calls a ledger function (register a 收文, lend a seal, receive supplies …)
and returns an :class:`Outcome` — the function's value and the typed :class:`Change`\\ s it made (ledger, record id,
action). The changes are collected from the audit entries written during the operation: every write of neiqin is
audited, so none escapes the list, and the panes and 今日 refresh only the ledgers in it.

A write that needs the clerk's say-so raises :class:`NeedsConfirmation` **before writing anything**: a duplicate
来文字号 or 运单号, an over-capacity room, an expired licence lent out, a zero price, a visitor on the 谢绝来访 list.
It carries the question, its ``key`` and whether a reason must be typed. The window asks once, with one dialog for
every ledger, and runs the same operation again with ``confirmed={key: reason}``; the ledger function takes that
mapping as its ``confirmed`` argument and records the reason with the write where there is one.

Domain errors (:class:`~neiqin.errors.NeiqinError`, :class:`~neiqin.errors.ValidationError` with the field) pass
through unchanged: the window shows them through one handler.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neiqin.errors import NeiqinError

Confirmed = Mapping[str, str]  # key of a NeedsConfirmation → the reason typed ("" when none is asked)
NOTHING_CONFIRMED: Confirmed = {}


class NeedsConfirmation(NeiqinError):
    """A question to the clerk; nothing was written. Confirmed, the operation runs again with ``key`` in
    ``confirmed``. Subclasses name the question (``DuplicateParcel``, ``CapacityWarning`` …)."""

    key = "confirm"
    title = "请确认"
    yes_text = "仍然保存"
    no_text = "返回修改"
    reason_label = ""  # not empty: the clerk must type a reason, recorded with the write

    def __init__(self, message: str, *, details: Any = None, details_text: str = ""):
        super().__init__(message)
        self.details = details
        self.details_text = details_text  # not empty: the dialog offers 查看原记录 with it
        self.errors_if_declined: dict[str, str] = {}  # declined, the form shows these at their fields

    def declined(self) -> str:
        """Called when the clerk says no (nothing was written): a ledger may record the refusal. Returns what the
        clerk is told ("" for nothing more)."""
        return ""


def reason_for(confirmed: Confirmed | None, key: str) -> str | None:
    """The reason given for ``key`` ("" when confirmed without one), or None when it was not confirmed."""
    if not confirmed or key not in confirmed:
        return None
    return confirmed[key] or ""


@dataclass(frozen=True)
class Change:
    ledger: str
    record_id: int | None
    action: str


@dataclass
class Outcome:
    value: Any
    changes: list[Change] = field(default_factory=list)

    @property
    def ledgers(self) -> set[str]:
        return {c.ledger for c in self.changes}

    def ids(self, ledger: str) -> set[int]:
        return {c.record_id for c in self.changes if c.ledger == ledger and c.record_id is not None}


_collecting: contextvars.ContextVar[list[Change] | None] = contextvars.ContextVar("neiqin_changes", default=None)


_CHANGE_LOG = 4096  # the last ledger writes kept for the screens that ask what changed since they last looked
_change_log: deque[tuple[int, str]] = deque(maxlen=_CHANGE_LOG)
_change_seq = 0


def note_change(ledger: str, record_id: int | None, action: str) -> None:
    """Called for every audit entry written: adds it to the operation in progress, if any, and to the change log
    the screens read (:func:`changes_since`)."""
    global _change_seq
    changes = _collecting.get()
    if changes is not None:
        changes.append(Change(ledger, record_id, action))
    _change_seq += 1
    _change_log.append((_change_seq, ledger))


def change_mark() -> int:
    """A mark of the writes so far: :func:`changes_since` it tells which ledgers were written after it."""
    return _change_seq


def changes_since(mark: int) -> tuple[frozenset[str] | None, int]:
    """The ledgers written after ``mark`` (every write is audited, cross-ledger links included) and a new mark.

    Each screen keeps its own mark, so one reader never takes the news from another. None: more writes happened
    than the log keeps, so what changed is unknown (the reader refreshes everything).
    """
    if mark >= _change_seq:
        return frozenset(), _change_seq
    if not _change_log or _change_log[0][0] > mark + 1:
        return None, _change_seq
    return frozenset(ledger for seq, ledger in _change_log if seq > mark), _change_seq


def run(fn: Callable[..., Any], *args: Any, confirmed: Confirmed | None = None, **kwargs: Any) -> Outcome:
    """Run one write and return what it made and changed. ``confirmed`` (answers to earlier
    :class:`NeedsConfirmation`\\ s) is passed on to ``fn`` when given."""
    if confirmed:
        kwargs["confirmed"] = dict(confirmed)
    outer = _collecting.get()
    changes: list[Change] = []
    token = _collecting.set(changes)
    try:
        value = fn(*args, **kwargs)
    finally:
        _collecting.reset(token)
    if outer is not None:  # an operation inside another: its changes are the outer one's too
        outer.extend(changes)
    return Outcome(value, changes)
