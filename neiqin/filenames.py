"""File names built from typed text (meeting titles, visitor names, numbers): valid on Windows, whatever was typed.

Windows refuses ``< > " / \\ | ? *`` and control characters in a name, and ``:`` silently makes an alternate data
stream of another file instead of a new file; it refuses device names (``CON``, ``aux.pdf``, ``com1.txt`` …,
whatever follows the first dot), drops trailing dots and spaces, and a path beyond 260 characters fails in many
programs. :func:`safe_filename` is the one place a name is made from such text; Linux accepts all of these, so the
same rule applies everywhere (a file copied to the clerk's PC keeps its name). No Qt here.
"""

from __future__ import annotations

import re

# Reserved characters become their full-width forms, which read the same in a Chinese name.
_FULL_WIDTH = str.maketrans({"<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜",
                             "?": "？", "*": "＊"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                          *(f"COM{i}" for i in "123456789¹²³"), *(f"LPT{i}" for i in "123456789¹²³")})
MAX_CHARS = 80  # the data dir's prints/ path and a time stamp must still fit in 260


def safe_filename(text: str, *, fallback: str = "文件", max_chars: int = MAX_CHARS) -> str:
    """``text`` made into a file name Windows accepts (an extension such as ``.pdf`` is kept)."""
    name = _CONTROL.sub(" ", str(text)).translate(_FULL_WIDTH)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", suffix) or not stem.strip(" ."):
        stem, suffix = name, ""
    stem = stem[:max_chars - len(suffix) - 1 if suffix else max_chars].rstrip(" .")
    if not stem:
        stem = fallback
    if stem.split(".")[0].rstrip(" ").upper() in DEVICE_NAMES:
        stem = "_" + stem
    return f"{stem}.{suffix}" if suffix else stem


def is_valid_windows_name(name: str) -> bool:
    """What Windows requires of one path component (used by the tests, and a check anyone can call)."""
    return (bool(name) and len(name) <= 255 and not _CONTROL.search(name)
            and not any(c in name for c in '<>:"/\\|?*') and not name.endswith((" ", "."))
            and name.split(".")[0].rstrip(" ").upper() not in DEVICE_NAMES)
