"""The window's side of the operations layer (:mod:`neiqin.operations`): one way to run a write, ask its question
and report its errors, for every ledger.

``run_operation(parent, fn, *args)`` runs the write; a :class:`~neiqin.operations.NeedsConfirmation` is asked with
one dialog (its title, question, 是/否 texts, a reason line where one is needed, and 查看原记录 where the question
has one), and the same write runs again confirmed. A question the clerk declines raises :class:`Declined`, an error
already seen: the form stays open with nothing saved, and the ledger may have recorded the refusal (谢绝来访).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from neiqin import operations
from neiqin.errors import NeiqinError, ValidationError
from neiqin.operations import NeedsConfirmation, Outcome
from neiqin.ui.jobs import run_job
from neiqin.ui.util import ask_reason, show_error, tr


class Declined(NeiqinError):
    """The clerk said no to a question: nothing was saved; the message was already seen."""

    handled = True


def ask_confirmation(parent: QWidget | None, question: NeedsConfirmation) -> str | None:
    """The clerk's answer: the reason typed ("" when none is asked), or None when declined."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr(question.title), str(question), parent=parent)
    yes_text = tr(question.yes_text) + ("…" if question.reason_label else "")
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    details = box.addButton(tr("查看原记录"), QMessageBox.ButtonRole.ActionRole) if question.details_text else None
    no = box.addButton(tr(question.no_text), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)  # Enter never saves a doubtful record by accident
    box.setEscapeButton(no)
    while True:
        box.exec()
        if details is not None and box.clickedButton() is details:
            QMessageBox.information(parent, tr("原记录"), question.details_text)
            continue
        break
    if box.clickedButton() is not yes:
        return None
    if not question.reason_label:
        return ""
    return ask_reason(parent, tr(question.title), tr("请填写") + tr(question.reason_label) + "：")


def run_operation(parent: QWidget | None, fn: Callable[..., Any], *args: Any, slow: str = "",
                  **kwargs: Any) -> Outcome:
    """Run one write with the clerk answering its questions; the Outcome tells what changed.

    ``slow``: the title of a write that may take long (a batch, a stocktake posted, a list imported). It runs in a
    worker thread while the window stays responsive; a progress dialog with that title appears after 0.6 s.
    """
    confirmed: dict[str, str] = {}
    while True:
        try:
            if slow:
                return run_job(parent, tr(slow), lambda progress, cancelled: operations.run(
                    fn, *args, confirmed=dict(confirmed), **kwargs))
            return operations.run(fn, *args, confirmed=confirmed, **kwargs)
        except NeedsConfirmation as question:
            if question.key in confirmed and not question.reason_label:
                raise  # asked and confirmed, yet asked again: a bug, not a question to repeat forever
            answer = ask_confirmation(parent, question)
            if answer is None or (question.reason_label and not answer.strip()):
                told = question.declined()
                if question.errors_if_declined:  # the form shows why at the field
                    raise ValidationError(question.errors_if_declined) from None
                raise Declined(told or tr("未保存")) from None
            confirmed[question.key] = answer


def write(parent: QWidget | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """:func:`run_operation`, returning the write's value (for form ``save`` callbacks)."""
    return run_operation(parent, fn, *args, **kwargs).value


def perform(parent: QWidget | None, fn: Callable[..., Any], *args: Any, slow: str = "", asks: bool = True,
            **kwargs: Any) -> Outcome | None:
    """The one handler of a write started from a button or a key: run it as an operation (its questions asked), and
    on a domain error tell the clerk in one Chinese sentence; None when nothing was written. ``asks=False``: ``fn``
    asks the clerk itself (a step that opens its own dialog) and takes no ``confirmed``."""
    try:
        if not asks:
            return operations.run(fn, *args, **kwargs)
        return run_operation(parent, fn, *args, slow=slow, **kwargs)
    except Declined:
        return None
    except NeiqinError as e:
        show_error(parent, e)
        return None
