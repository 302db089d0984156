"""Checks and masks for personal data: 居民身份证 (GB 11643-1999), phone numbers, and display masks."""

from __future__ import annotations

import datetime as dt
import re

from neiqin import clock

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
SHORT_RE = re.compile(r"^\d{3,8}$")  # internal extensions and 110/12345-style service numbers


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str, today: dt.date | None = None) -> str | None:
    """Return a Chinese message if ``value`` is not a valid 居民身份证 number, else None."""
    v = value.strip().upper()
    today = today or clock.today()
    if len(v) == 18:
        if not re.fullmatch(r"\d{17}[\dX]", v):
            return "身份证号码只能由 17 位数字加 1 位数字或 X 组成"
        birth = v[6:14]
    elif len(v) == 15:
        if not v.isdigit():
            return "15 位身份证号码只能由数字组成"
        birth = "19" + v[6:12]
    else:
        return f"身份证号码应为 18 位（旧证 15 位），现为 {len(v)} 位"
    try:
        born = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return f"身份证号码中的出生日期 {birth[:4]}-{birth[4:6]}-{birth[6:8]} 不存在"
    if born > today or born.year < 1800:
        return f"身份证号码中的出生日期 {born.isoformat()} 不合理"
    if len(v) == 18 and id_check_char(v[:17]) != v[17]:
        return "身份证号码校验位不正确，请核对后重新输入"
    return None


def normalize_phone(value: str) -> str:
    v = value.strip().replace(" ", "").replace("－", "-").replace("—", "-")
    if v.startswith("+86"):
        v = v[3:].lstrip("-")
    return v


def validate_phone(value: str) -> str | None:
    v = normalize_phone(value)
    if not v:
        return None
    if MOBILE_RE.match(v) or LANDLINE_RE.match(v) or SHORT_RE.match(v):
        return None
    digits = re.sub(r"\D", "", v)
    if len(digits) == 11 and v.isdigit():
        return "不是有效的手机号码（应以 13–19 开头的 11 位数字）"
    return "电话号码格式不正确（手机 11 位，座机如 010-12345678）"


def mask_id(value: str | None) -> str:
    v = (value or "").strip()
    if len(v) <= 6:
        return "*" * len(v)
    if len(v) <= 10:
        return v[:2] + "*" * (len(v) - 4) + v[-2:]
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str | None) -> str:
    v = (value or "").strip()
    if len(v) < 7:
        return v
    if MOBILE_RE.match(v):
        return v[:3] + "****" + v[-4:]
    return v[: len(v) - 8] + "****" + v[-4:] if len(v) >= 8 else v[:2] + "***" + v[-2:]


# ★ and ☆ (U+2605/2606) are text, not emoji: 公文 write 密级 as "秘密★5年"
_EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u2604\u2607-\u27BF\uFE0F\u200D]")


def has_emoji(value: str) -> bool:
    return bool(_EMOJI_RE.search(value or ""))


MOMENT_SLACK = dt.timedelta(minutes=5)  # clocks differ a little; "now" typed from a wall clock is allowed


def parse_moment(value, label: str, key: str, errors: dict, *, default: dt.datetime | None = None,
                 required: bool = False, time_of_day: dt.time = dt.time(9, 0),
                 not_before: dt.datetime | None = None, before_label: str = "") -> dt.datetime | None:
    """A date-time a clerk typed or picked (a step's 时间): not in the future, not before ``not_before``.

    Empty gives ``default`` (an error if there is none and the field is ``required``); a bare date is taken at
    ``time_of_day``. Problems go into ``errors[key]`` in Chinese, and ``default`` is returned.
    """
    from neiqin.models.base import now

    if value in (None, ""):
        if default is None and required:
            errors.setdefault(key, f"请填写{label}")
        return default
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            errors.setdefault(key, f"{label}格式应为 YYYY-MM-DD HH:MM")
            return default
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, time_of_day)
    if not isinstance(value, dt.datetime):
        errors.setdefault(key, f"{label}格式不正确")
        return default
    value = value.replace(microsecond=0, tzinfo=None)
    if value > now() + MOMENT_SLACK:
        errors.setdefault(key, f"{label}不能晚于现在")
    elif value.year < 2000:
        errors.setdefault(key, f"{label}不合理")
    elif not_before is not None and value < not_before:
        errors.setdefault(key, f"{label}不能早于{before_label}（{not_before:%Y-%m-%d %H:%M}）")
    return value


def parse_day(value, label: str, key: str, errors: dict, *, required: bool = False,
              default: dt.date | None = None) -> dt.date | None:
    """A date typed as 2026-11-22, 2026/11/22, 2026.11.22 or 2026-1-5 (or a date / datetime).

    Empty gives ``default`` (an error if there is none and the field is ``required``); a bad one records
    ``{label}格式应为 YYYY-MM-DD`` in ``errors[key]`` and gives ``default``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if default is None and required:
            errors.setdefault(key, f"请填写{label}")
        return default
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            y, m, d = (int(p) for p in text.split("-"))
            return dt.date(y, m, d)
        except (ValueError, TypeError):
            errors.setdefault(key, f"{label}格式应为 YYYY-MM-DD")
            return default


def parse_int(value, label: str, key: str, errors: dict, lo: int, hi: int, default: int | None = None, *,
              allow_none: bool = False, between: bool = False) -> int | None:
    """A whole number in [lo, hi]. Empty gives ``default`` (None with ``allow_none``; an error if there is no
    default). The message says 至少为 / 不能超过, or 应在 lo 到 hi 之间 with ``between``."""
    if value in (None, ""):
        if allow_none:
            return None
        if default is not None:
            return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        errors.setdefault(key, f"{label}必须是整数")
        return default if default is not None else lo
    if between and not lo <= n <= hi:
        errors.setdefault(key, f"{label}应在 {lo} 到 {hi} 之间")
    elif n < lo:
        errors.setdefault(key, f"{label}至少为 {lo}")
    elif n > hi:
        errors.setdefault(key, f"{label}不能超过 {hi}")
    return n
