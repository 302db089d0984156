"""快递 shared rules: 运单号 normalisation and the carrier rule table, costs in 分, small field parsers. No Qt.

A scanned 运单号 is normalised (full-width letters from a scanner typing into a Chinese input method, spaces, lower
case) and its carrier recognised by an ordered, editable rule table kept in the settings (``parcels.carrier_rules``):
the first rule that matches wins, and a number no rule knows is accepted as 其他 (editable).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from neiqin.errors import ValidationError
from neiqin.models import settings, validators
from neiqin.models.staff import pinyin_keys, resolve_person
from neiqin.models.validators import parse_moment

WAITING, PICKED, RETURNED = "待领取", "已领取", "已退回"
PARCEL_STATUSES = [WAITING, PICKED, RETURNED]
OTHER = "其他"
PAY_MODES = ["月结", "寄付现结", "到付"]
TRACKING_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,39}$")
MAX_PIECES = 999
MAX_COST_FEN = 10_000_000  # 100,000 元: anything above is a typing slip

# ---------------------------------------------------------------------------------------------- carrier rules

PREFIX, REGEX = "prefix", "regex"
RULE_KINDS = {PREFIX: "开头是", REGEX: "正则表达式"}

# Ordered: the first rule that matches wins, so specific prefixes come before the all-digit patterns.
DEFAULT_RULES: list[dict[str, str]] = [
    {"kind": PREFIX, "pattern": "SF", "carrier": "顺丰速运", "example": "SF1428637290511"},
    {"kind": PREFIX, "pattern": "JD", "carrier": "京东物流", "example": "JDVA20583716425"},
    {"kind": PREFIX, "pattern": "YT", "carrier": "圆通速递", "example": "YT7386104529318"},
    {"kind": PREFIX, "pattern": "JT", "carrier": "极兔速递", "example": "JT5308216649703"},
    {"kind": PREFIX, "pattern": "DPK", "carrier": "德邦快递", "example": "DPK360128457903"},
    {"kind": REGEX, "pattern": r"E[A-Z]\d{9}CN", "carrier": "EMS", "example": "EA123456785CN"},
    {"kind": REGEX, "pattern": r"R[A-Z]\d{9}CN", "carrier": "邮政挂号", "example": "RR473829105CN"},
    {"kind": REGEX, "pattern": r"XA\d{11}", "carrier": "邮政挂号", "example": "XA40371122563"},
    {"kind": REGEX, "pattern": r"1\d{12}", "carrier": "EMS", "example": "1104729836501"},
    {"kind": REGEX, "pattern": r"9\d{12}", "carrier": "邮政快递包裹", "example": "9853416207718"},
    {"kind": REGEX, "pattern": r"7[3-9]\d{12}", "carrier": "中通快递", "example": "75312846093127"},
    {"kind": REGEX, "pattern": r"77\d{13}", "carrier": "申通快递", "example": "773028516470239"},
    {"kind": REGEX, "pattern": r"(31|43|46)\d{11}", "carrier": "韵达快递", "example": "4312087654321"},
]

settings.register({  # parcels.overdue_days: neiqin.models.deadlines (今日 reads it at start)
    "parcels.carrier_rules": DEFAULT_RULES,
    "parcels.sender_name": "",
    "parcels.sender_address": "",
    "parcels.sender_postcode": "",
    "parcels.sender_phone": "",
    "parcels.envelope_size": "DL",
    "parcels.envelope_frames": True,
    "parcels.envelope_printer": "",
}, {
    "parcels.carrier_rules": "快递公司识别规则",
    "parcels.sender_name": "信封寄件单位",
    "parcels.sender_address": "信封寄件地址",
    "parcels.sender_postcode": "信封寄件邮编",
    "parcels.sender_phone": "信封寄件电话",
    "parcels.envelope_size": "默认信封规格",
    "parcels.envelope_frames": "信封打印邮编框和贴邮票处",
    "parcels.envelope_printer": "信封打印机",
})


@dataclass(frozen=True)
class CarrierRule:
    kind: str
    pattern: str
    carrier: str
    example: str = ""

    def matches(self, number: str) -> bool:
        if self.kind == PREFIX:
            return number.startswith(self.pattern)
        return _compiled(self.pattern).fullmatch(number) is not None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "pattern": self.pattern, "carrier": self.carrier, "example": self.example}


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def check_rules(rules: Sequence[dict | CarrierRule]) -> list[CarrierRule]:
    """Clean rules, or ValidationError with keys ``field:row`` (row 0-based) and Chinese messages."""
    errors: dict[str, str] = {}
    out: list[CarrierRule] = []
    for i, r in enumerate(rules):
        d = r.as_dict() if isinstance(r, CarrierRule) else dict(r)
        kind = (d.get("kind") or PREFIX).strip()
        pattern = str(d.get("pattern") or "").strip()
        carrier = str(d.get("carrier") or "").strip()
        example = normalize_tracking(str(d.get("example") or ""))
        n = i + 1
        if kind not in RULE_KINDS:
            errors[f"kind:{i}"] = f"第 {n} 条：匹配方式应为“开头是”或“正则表达式”"
        if not pattern:
            errors[f"pattern:{i}"] = f"第 {n} 条：请填写规则"
        elif kind == PREFIX:
            pattern = normalize_tracking(pattern)
            if not re.fullmatch(r"[A-Z0-9-]{1,20}", pattern):
                errors[f"pattern:{i}"] = f"第 {n} 条：开头只能是字母、数字（最多 20 个）"
        elif kind == REGEX:
            if len(pattern) > 200:
                errors[f"pattern:{i}"] = f"第 {n} 条：正则表达式不能超过 200 个字符"
            else:
                try:
                    _compiled(pattern)
                except re.error as e:
                    errors[f"pattern:{i}"] = f"第 {n} 条：正则表达式有误（{e.msg}）"
        if not carrier:
            errors[f"carrier:{i}"] = f"第 {n} 条：请填写快递公司"
        elif len(carrier) > 20:
            errors[f"carrier:{i}"] = f"第 {n} 条：快递公司名称不能超过 20 字"
        rule = CarrierRule(kind, pattern, carrier, example)
        if example and f"pattern:{i}" not in errors and f"kind:{i}" not in errors and not rule.matches(example):
            errors[f"example:{i}"] = f"第 {n} 条：示例单号 {example} 与本条规则不符"
        out.append(rule)
    if errors:
        raise ValidationError(errors)
    return out


def carrier_rules() -> list[CarrierRule]:
    """The rule table in force (the shipped defaults until the clerk edits it)."""
    raw = settings.get("parcels.carrier_rules") or []
    return _rules_from(tuple(tuple(sorted(d.items())) for d in raw if isinstance(d, dict)))


@lru_cache(maxsize=8)
def _rules_from(raw: tuple) -> list[CarrierRule]:
    try:
        return check_rules([dict(items) for items in raw])
    except ValidationError:  # a broken saved table must not stop the desk: skip the bad rules
        good = []
        for items in raw:
            try:
                good.extend(check_rules([dict(items)]))
            except ValidationError:
                continue
        return good


def save_carrier_rules(rules: Sequence[dict | CarrierRule]) -> list[CarrierRule]:
    clean = check_rules(rules)
    settings.set_value("parcels.carrier_rules", [r.as_dict() for r in clean])
    return clean


def reset_carrier_rules() -> list[CarrierRule]:
    return save_carrier_rules(DEFAULT_RULES)


def recognise(number: str, rules: Sequence[CarrierRule] | None = None) -> str:
    """The carrier of a 运单号 by the first matching rule, or 其他."""
    n = normalize_tracking(number)
    if not n:
        return ""
    for rule in carrier_rules() if rules is None else rules:
        if rule.matches(n):
            return rule.carrier
    return OTHER


def carrier_names() -> list[str]:
    """Carriers for the combo boxes: those of the rule table in order, then 其他."""
    names: list[str] = []
    for r in carrier_rules():
        if r.carrier not in names:
            names.append(r.carrier)
    return [*names, OTHER] if OTHER not in names else names


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20


def normalize_tracking(text: Any) -> str:
    """A 运单号 as stored: full-width to ASCII, no spaces or control characters, upper case."""
    s = str(text or "").translate(_FULL_WIDTH)
    s = "".join(ch for ch in s if not ch.isspace() and ord(ch) >= 32)
    return s.upper()


def check_tracking(number: str, key: str, errors: dict, *, required: bool) -> str:
    n = normalize_tracking(number)
    if not n:
        if required:
            errors.setdefault(key, "请扫描或输入运单号")
        return ""
    if not TRACKING_RE.match(n):
        if re.search(r"[^\x00-\x7f]", n):
            errors.setdefault(key, "运单号只能由字母、数字和“-”组成（扫描时请把输入法切换为英文）")
        elif len(n) < 5:
            errors.setdefault(key, f"运单号太短（{len(n)} 位），请重新扫描")
        elif len(n) > 40:
            errors.setdefault(key, f"运单号太长（{len(n)} 位），请检查是否连续扫了两次")
        else:
            errors.setdefault(key, "运单号只能由字母、数字和“-”组成")
    return n


# ---------------------------------------------------------------------------------------------- helpers


def yuan(fen: int | None) -> str:
    return f"{(fen or 0) / 100:.2f}"


def parse_cost(value: Any, key: str, errors: dict) -> int:
    """Fen from "12", "12.5", "¥12.50", 12.5 or a Decimal; an error at ``key`` otherwise."""
    if value in (None, ""):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        d = Decimal(value)
    else:
        text = str(value).strip().replace("¥", "").replace("￥", "").replace("元", "").replace(",", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            errors.setdefault(key, "费用应为金额，例如 12 或 12.50")
            return 0
    if d < 0:
        errors.setdefault(key, "费用不能为负数")
        return 0
    if d != d.quantize(Decimal("0.01")):
        errors.setdefault(key, "费用最多两位小数（分）")
        return 0
    fen = int(d * 100)
    if fen > MAX_COST_FEN:
        errors.setdefault(key, f"费用不能超过 {MAX_COST_FEN // 100} 元")
    return fen


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value, link_name=True)


def _moment(value: Any, label: str, key: str, errors: dict, default: dt.datetime | None) -> dt.datetime | None:
    return parse_moment(value, label, key, errors, default=default)


def _date(value: Any, label: str, key: str, errors: dict, default: dt.date | None) -> dt.date | None:
    return validators.parse_day(value, label, key, errors, required=True, default=default)


def _int(value: Any, label: str, key: str, errors: dict, lo: int, hi: int, default: int) -> int:
    return validators.parse_int(value, label, key, errors, lo, hi, default, between=True)


@lru_cache(maxsize=20000)
def _name_keys(name: str) -> tuple[str, str]:
    return pinyin_keys(name) if name else ("", "")


