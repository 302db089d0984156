"""The pages later features add to 设置 (打印字体, 今日与提醒, 快递 …), kept apart from the dialog itself so that a
window extension registers its page at start-up without importing the dialog.

``add(dialog)`` puts a tab in ``dialog.tabs`` and (page, save) in ``dialog.extra_pages``; registered once, by the
feature's window extension (a module-level function: registering it again changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SETTINGS_PAGES: list[Callable[[Any], Any]] = []


def register_settings_page(add: Callable[[Any], Any]) -> None:
    if add not in SETTINGS_PAGES:
        SETTINGS_PAGES.append(add)


def add_page(dialog: Any, page: Any, title: str) -> Any:
    """Put ``page`` in 设置 as the tab ``title``; its ``save()`` runs when 设置 is saved (False keeps 设置 open)."""
    dialog.tabs.addTab(page, title)
    dialog.extra_pages.append((page, page.save))
    return page
