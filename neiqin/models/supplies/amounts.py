"""办公用品 quantities, money and prices as integers (thousandths of a unit, 分, 1/10000 元), their Decimal views,
texts and parsers. No Qt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from neiqin import clock
from neiqin.models import validators
from neiqin.models.staff import resolve_person

Q = 1000  # quantities are stored in thousandths of a unit
PRICE = 10000  # unit prices in 1/10000 元
MAX_QTY = Decimal("1000000")

FRACTIONAL_UNITS = ("米", "千克", "公斤", "克", "升", "毫升", "斤", "吨", "平方米")
# ---------------------------------------------------------------------------------------------- numbers


def _rdiv(a: int, b: int) -> int:
    """a / b rounded half away from zero (b > 0)."""
    q, r = divmod(abs(a), b)
    if 2 * r >= b:
        q += 1
    return q if a >= 0 else -q


def dec_qty(milli: int | None) -> Decimal:
    """Stored thousandths → Decimal without trailing zeros (3000 → 3, 2500 → 2.5)."""
    d = Decimal(milli or 0) / Q
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def dec_money(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def dec_price(e4: int | None) -> Decimal:
    """A unit price: at least 2 decimals, up to 4 (0.355 元/支 stays 0.355)."""
    d = Decimal(e4 or 0) / PRICE
    return d.quantize(Decimal("0.01")) if d == d.quantize(Decimal("0.01")) else d.normalize()


def qty_text(milli: int | None, unit: str = "") -> str:
    return f"{dec_qty(milli):f}" + (f" {unit}" if unit else "")


def money_text(fen: int | None) -> str:
    return f"{dec_money(fen):,.2f}"


def price_text(e4: int | None) -> str:
    return f"{dec_price(e4):f}"


def is_fractional_unit(unit: str) -> bool:
    return (unit or "").strip() in FRACTIONAL_UNITS


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    s = str(value).strip().replace(",", "").replace("，", "").replace("￥", "").replace("¥", "").replace("元", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def parse_qty(value: Any, unit: str, errors: dict, key: str = "qty", label: str = "数量", *,
              allow_zero: bool = False, required: bool = True) -> int:
    """A quantity in thousandths; whole units (盒, 支 …) refuse fractions, every unit refuses 0 and negatives."""
    if value in (None, ""):
        if required:
            errors.setdefault(key, f"请填写{label}")
        return 0
    d = _decimal(value)
    if d is None:
        errors.setdefault(key, f"{label}应为数字")
        return 0
    if d < 0 or (d == 0 and not allow_zero):
        errors.setdefault(key, f"{label}必须大于 0" if not allow_zero else f"{label}不能为负数")
        return 0
    if d > MAX_QTY:
        errors.setdefault(key, f"{label}过大（不能超过 {MAX_QTY:f}）")
        return 0
    if d != d.to_integral_value():
        if not is_fractional_unit(unit):
            errors.setdefault(key, f"“{unit or '该单位'}”按整数计量，{label}不能是 {d.normalize():f}")
            return 0
        if d * Q != (d * Q).to_integral_value():
            errors.setdefault(key, f"{label}最多 3 位小数")
            return 0
    return int(d * Q)


def parse_money(value: Any, errors: dict, key: str, label: str, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            errors.setdefault(key, f"请填写{label}")
        return None
    d = _decimal(value)
    if d is None:
        errors.setdefault(key, f"{label}应为数字，例如 12.50")
        return None
    if d < 0:
        errors.setdefault(key, f"{label}不能为负数")
        return None
    if d * 100 != (d * 100).to_integral_value():
        errors.setdefault(key, f"{label}最多 2 位小数（分）")
        return None
    if d > Decimal("100000000"):
        errors.setdefault(key, f"{label}过大")
        return None
    return int(d * 100)


def parse_price(value: Any, errors: dict, key: str, label: str, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            errors.setdefault(key, f"请填写{label}")
        return None
    d = _decimal(value)
    if d is None:
        errors.setdefault(key, f"{label}应为数字，例如 2.35")
        return None
    if d < 0:
        errors.setdefault(key, f"{label}不能为负数")
        return None
    if d * PRICE != (d * PRICE).to_integral_value():
        errors.setdefault(key, f"{label}最多 4 位小数")
        return None
    if d > Decimal("10000000"):
        errors.setdefault(key, f"{label}过大")
        return None
    return int(d * PRICE)


def _date(value: Any, label: str, key: str, errors: dict, default: dt.date | None = None) -> dt.date | None:
    """A movement date: not in the future, not before 2000; empty gives ``default`` (required without one)."""
    if value in (None, ""):
        return validators.parse_day(value, label, key, errors, required=True, default=default)
    day = validators.parse_day(value, label, key, errors)
    if day is None:
        return None
    if day > clock.today():
        errors.setdefault(key, f"{label}不能晚于今天")
    elif day.year < 2000:
        errors.setdefault(key, f"{label}不合理")
    return day


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value, link_name=True)

