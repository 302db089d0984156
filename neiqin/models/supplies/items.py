"""办公用品 catalogue: items with their codes, units, safety stock and running balance; low stock for 今日. No Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.base import VoidableModel
from neiqin.models.fields import Field, Fields, half_width_code
from neiqin.models.ledger import (
    LedgerSpec,
    SearchIndex,
    register_ledger,
)
from neiqin.models.staff import pinyin_keys
from neiqin.models.supplies.amounts import (
    Q,
    _date,
    _rdiv,
    dec_price,
    qty_text,
)
from neiqin.models.supplies.moves import StockMove

UNITS = ["个", "支", "盒", "包", "本", "瓶", "卷", "箱", "把", "台", "只", "张", "令", "套", "块", "袋", "桶", "双",
         "副", "条", "件", "册", "罐", "米", "千克", "升"]
CATEGORIES = ["纸品", "书写工具", "文件管理", "桌面文具", "打印耗材", "电脑配件", "清洁用品", "茶水用品", "电池电料",
              "劳保用品", "其他"]
ITEM_ACTIVE, ITEM_DISABLED = "在用", "停用"
ITEM_STATUSES = [ITEM_ACTIVE, ITEM_DISABLED]

settings.register(
    {"supplies.code_prefix": "BG", "supplies.label_stock": "a4-3x8", "supplies.keeper": "",
     "supplies.admin_head": "", "supplies.finance_head": ""},
    {"supplies.code_prefix": "办公用品编码前缀", "supplies.label_stock": "货架标签使用的标签纸",
     "supplies.keeper": "办公用品保管员", "supplies.admin_head": "行政主管", "supplies.finance_head": "财务主管"},
)


# ---------------------------------------------------------------------------------------------- tables


CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,19}$")


def _avg(row: dict) -> Decimal:
    on_hand, value = row.get("on_hand") or 0, row.get("stock_value") or 0
    if on_hand > 0:
        return dec_price(_rdiv(value * 100 * Q, on_hand))
    return dec_price(row.get("last_cost") or row.get("ref_price") or 0)


SUPPLY_FIELDS = Fields(
    "supplies",
    Field("code", "编码", "code", max_len=20, unique=True, width=8, sortable=True, aliases=("物品编码", "编号"),
          pattern=CODE_RE.pattern, pattern_message="编码只能用英文字母、数字和 - _ .（条码扫描枪要能读出）",
          placeholder="留空自动生成，如 BG0081；可扫描原有条码"),
    Field("name", "名称", required=True, max_len=60, index=True, width=14, sortable=True, aliases=("物品名称", "品名")),
    Field("category", "类别", "choice", choices=tuple(CATEGORIES), open_choices=True, max_len=20, index=True,
          width=8, sortable=True, aliases=("分类",)),
    Field("spec", "规格型号", max_len=60, width=12, aliases=("规格", "型号")),
    Field("unit", "单位", "choice", choices=tuple(UNITS), open_choices=True, required=True, max_len=4, width=4,
          align="center", placeholder="盒、支、包…（米、千克、升可有小数）"),
    Field("location", "存放位置", max_len=40, index=True, width=10, sortable=True, aliases=("位置", "库位")),
    Field("on_hand", "现有库存", "qty", width=7, importable=False, in_form=False),  # caches: written by movements
    Field("min_stock", "安全库存", "qty", width=7, aliases=("最低库存",), placeholder="低于或等于此数时提醒补货"),
    Field("max_stock", "最高库存", "qty", width=7, placeholder="补货建议补到此数"),
    Field("ref_price", "参考单价", "price", default=0, width=7, aliases=("单价",), placeholder="元，如 23.50"),
    Field("avg_cost", "平均单价", "price", stored=False, width=7, importable=False, value=_avg),
    Field("stock_value", "库存金额", "money", width=9, importable=False, in_form=False),
    Field("barcode", "商品条码", max_len=40, index=True, width=13, aliases=("条码", "条形码"),
          pattern=r"[\x21-\x7e]+", pattern_message="商品条码只能是英文字母、数字和符号",
          placeholder="包装上的条码（可不填）"),  # the maker's EAN, if the clerk scans it
    Field("since", "建档日期", "date", width=10),  # no movement may be dated before it
    Field("status", "状态", "choice", choices=tuple(ITEM_STATUSES), default=ITEM_ACTIVE, max_len=4, width=4,
          align="center"),
    Field("note", "备注", "multiline", max_len=500, width=12),
)


@SUPPLY_FIELDS.table(order=("code", "barcode", "name", "category", "spec", "unit", "location", "min_stock",
                            "max_stock", "ref_price", "status", "since", "note", "pinyin", "initials", "on_hand",
                            "stock_value", "last_cost"))
class Supply(VoidableModel):
    """An item of the catalogue (fields: :data:`SUPPLY_FIELDS`). ``on_hand`` / ``stock_value`` are caches of
    Σ movements (see module doc)."""

    since = pw.DateField(default=clock.today)  # 建档日期 (a new item is on file from today)
    pinyin = pw.CharField(max_length=200, default="")
    initials = pw.CharField(max_length=60, default="")
    on_hand = pw.IntegerField(default=0)
    stock_value = pw.IntegerField(default=0)
    last_cost = pw.IntegerField(default=0)  # the last known unit cost, for a 盘盈 on an empty shelf

    class Meta:
        table_name = "supply"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.name}（{self.spec}）" if self.spec else self.name

    @property
    def avg_cost(self) -> int:
        """Current moving-average unit cost in 1/10000 元."""
        if self.on_hand > 0:
            return _rdiv(self.stock_value * 100 * Q, self.on_hand)
        return self.last_cost or self.ref_price

    def qty(self, milli: int | None = None) -> str:
        return qty_text(self.on_hand if milli is None else milli, self.unit)


MODELS = [Supply]


# ---------------------------------------------------------------------------------------------- items


def next_code() -> str:
    """The next free 编码: prefix + 4 digits; numbers of voided items are never reused."""
    prefix = (settings.get("supplies.code_prefix") or "BG").strip().upper()
    n = 0
    for (code,) in Supply.select(Supply.code).where(Supply.code.startswith(prefix)).tuples():
        tail = code[len(prefix):]
        if tail.isdigit():
            n = max(n, int(tail))
    return f"{prefix}{n + 1:04d}"


def _first_move_date(item_id: int) -> dt.date | None:
    return (StockMove.select(pw.fn.MIN(StockMove.move_date))
            .where((StockMove.item == item_id) & (StockMove.voided == False)).scalar())  # noqa: E712


def _has_moves(item_id: int) -> bool:
    return StockMove.select().where(StockMove.item == item_id).exists()


def _validate_item(data: dict, record: Supply | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = SUPPLY_FIELDS.clean(data, errors, ("code", "barcode", "name", "category", "spec", "unit",
                                                             "location", "ref_price", "status", "note"))
    code, unit = out["code"], out["unit"]
    if not code and record is not None:  # a new item without one is numbered when saved (ItemsSpec.create)
        errors.setdefault("code", "请填写编码")
    if code and "code" not in errors:
        same = Supply.select().where(pw.fn.UPPER(Supply.code) == code)
        if record is not None:
            same = same.where(Supply.id != record.id)
        other = same.first()
        if other is not None:
            errors["code"] = f"编码 {code} 已被“{other.name}”使用" + ("（已作废）" if other.voided else "")
        elif record is not None and record.code != code and _has_moves(record.id):
            errors["code"] = "已有出入库记录的物品不能改编码（已贴的标签会对不上）"
    barcode = out["barcode"]
    if barcode and "barcode" not in errors:
        same = Supply.select().where((Supply.barcode == barcode) | (pw.fn.UPPER(Supply.code) == barcode.upper()))
        if record is not None:
            same = same.where(Supply.id != record.id)
        other = same.first()
        if other is not None:
            errors["barcode"] = f"条码 {barcode} 已属于“{other.name}”"
    if record is not None and unit and unit != record.unit and _has_moves(record.id):
        errors["unit"] = f"已有出入库记录，不能把单位从“{record.unit}”改为“{unit}”；如需换单位请停用后新建物品"
    for key in ("min_stock", "max_stock"):  # counted in the item's unit: whole 盒 refuse 2.5
        out[key] = SUPPLY_FIELDS[key].clean(data.get(key), errors, unit=unit)
    if out["max_stock"] and out["max_stock"] < out["min_stock"] and "max_stock" not in errors:
        errors["max_stock"] = "最高库存不能低于安全库存"
    since = _date(data.get("since"), "建档日期", "since", errors,
                  default=record.since if record is not None else clock.today())
    if record is not None and since and "since" not in errors:
        first = _first_move_date(record.id)
        if first and since > first:
            errors["since"] = f"建档日期不能晚于第一笔出入库的日期（{first}）"
    out["since"] = since
    if errors:
        raise ValidationError(errors)
    out["pinyin"], out["initials"] = pinyin_keys(out["name"])
    return out


_PROTECTED = ("on_hand", "stock_value", "last_cost", "pinyin", "initials")


@dataclass
class ItemsSpec(LedgerSpec):
    """Items are ordinary audited records, except that the stock caches are written only by movements."""

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        data = {k: v for k, v in data.items() if k not in _PROTECTED}
        if not str(data.get("code") or "").strip():  # numbered now, not when checked: an import checks every
            data["code"] = next_code()  # row before saving any, and each must get its own number
        return super().create(data, action=action, summary=summary)

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        fresh = Supply.get_by_id(rec.id)  # the caches may have moved since the form was opened
        data = {k: v for k, v in data.items() if k not in _PROTECTED}
        return super().update(fresh, data, action=action, summary=summary, validate=validate)

    def void(self, rec: Any, reason: str) -> Any:
        fresh = Supply.get_by_id(rec.id)
        if fresh.on_hand:
            raise NeiqinError(f"“{fresh.name}”还有库存 {fresh.qty()}，不能作废；可先报损或改为“停用”")
        return super().void(fresh, reason)


def _item_status(key: str):
    if key == "low":
        return (Supply.status == ITEM_ACTIVE) & (Supply.min_stock > 0) & (Supply.on_hand <= Supply.min_stock)
    if key == "zero":
        return (Supply.status == ITEM_ACTIVE) & (Supply.on_hand <= 0)
    if key == "disabled":
        return Supply.status == ITEM_DISABLED
    return Supply.status == ITEM_ACTIVE


def _item_search_parts(s: Supply) -> tuple[list[str], list[str]]:
    parts = [s.code, s.name, s.category, s.spec, s.location, s.pinyin, s.initials]
    return parts + [s.barcode, s.note], parts + [s.barcode]


SUPPLIES = register_ledger(ItemsSpec(
    key="supplies",
    title="办公用品库存表",
    tab_title="办公用品",
    model=Supply,
    columns=SUPPLY_FIELDS.columns("code", "name", "category", "spec", "unit", "location", "on_hand", "min_stock",
                                  "max_stock", "ref_price", "avg_cost", "stock_value", "status", "barcode", "note"),
    fields=SUPPLY_FIELDS,
    default_sort="code",
    default_desc=False,
    statuses=[("low", "低于安全库存"), ("zero", "零库存"), ("active", "在用"), ("disabled", "停用")],
    status_condition=_item_status,
    search=SearchIndex("supply"),
    search_parts=_item_search_parts,
    validate=_validate_item,
    history_fields=("category", "location"),
    describe=lambda s: f"{s.code} {s.name}",
))


def is_low(row: dict | Supply) -> bool:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return (get("status") == ITEM_ACTIVE and (get("min_stock") or 0) > 0
            and (get("on_hand") or 0) <= get("min_stock"))


def find_item(code: str) -> Supply | None:
    """The item a scanned or typed 编码 (or maker's barcode) names, at once; voided items are not found.

    Full-width letters and digits (a scanner typing through a Chinese input method) count as ASCII.
    """
    code = half_width_code(code or "").strip()
    if not code:
        return None
    live = Supply.voided == False  # noqa: E712
    item = Supply.select().where((Supply.code == code.upper()) & live).first()
    if item is None and code.isascii():
        item = Supply.select().where(((pw.fn.UPPER(Supply.code) == code.upper()) | (Supply.barcode == code))
                                     & live).first()
    return item


@dataclass(frozen=True)
class ItemChoice:
    id: int
    code: str
    name: str
    spec: str
    unit: str
    location: str
    pinyin: str
    initials: str
    on_hand: int

    @property
    def label(self) -> str:
        spec = f" {self.spec}" if self.spec else ""
        return f"{self.code}　{self.name}{spec}（存 {qty_text(self.on_hand)} {self.unit}）"


def item_choices() -> list[ItemChoice]:
    q = (Supply.select(Supply.id, Supply.code, Supply.name, Supply.spec, Supply.unit, Supply.location,
                       Supply.pinyin, Supply.initials, Supply.on_hand)
         .where((Supply.voided == False) & (Supply.status == ITEM_ACTIVE)).order_by(Supply.code))  # noqa: E712
    return [ItemChoice(s.id, s.code, s.name, s.spec, s.unit, s.location, s.pinyin, s.initials, s.on_hand) for s in q]


def match_items(choices: list[ItemChoice], text: str, limit: int = 20) -> list[ItemChoice]:
    """Items matching a code prefix, a name, pinyin initials (zxb → 中性笔) or full pinyin."""
    raw = text.strip()
    t = raw.lower().replace(" ", "")
    if not t:
        return choices[:limit]
    ranked: list[tuple[int, int, ItemChoice]] = []
    for i, c in enumerate(choices):
        code = c.code.lower()
        if code == t:
            rank = 0
        elif code.startswith(t):
            rank = 1
        elif c.name.startswith(raw):
            rank = 2
        elif c.initials.startswith(t):
            rank = 3
        elif c.pinyin.startswith(t):
            rank = 4
        elif raw in c.name or t in c.pinyin or raw in c.spec:
            rank = 5
        else:
            continue
        ranked.append((rank, i, c))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [c for _, _, c in ranked[:limit]]


# ---------------------------------------------------------------------------------------------- queries


def item_by_id(item_id: int) -> Supply | None:
    """The item as it is now (its balance may have moved since a list or form was filled)."""
    return Supply.get_or_none(Supply.id == item_id)


def item_locations() -> list[str]:
    """Every 存放位置 used by an item, A→Z."""
    return sorted({loc for (loc,) in Supply.select(Supply.location).distinct().tuples() if loc})


def item_categories() -> list[str]:
    """Every 类别 used by an item, A→Z."""
    return sorted({cat for (cat,) in Supply.select(Supply.category).distinct().tuples() if cat})


def active_items(category: str = "") -> list[Supply]:
    """Active items (of one 类别), by category and code: the lines of a 批量领用."""
    q = Supply.select().where((Supply.voided == False) & (Supply.status == ITEM_ACTIVE))  # noqa: E712
    if category:
        q = q.where(Supply.category == category)
    return list(q.order_by(Supply.category, Supply.code))


def low_stock_items() -> list[Supply]:
    """Active items at or below 安全库存, emptiest first (relative to the minimum)."""
    q = Supply.select().where(_item_status("low") & (Supply.voided == False))  # noqa: E712
    return sorted(q, key=lambda s: (s.on_hand / s.min_stock if s.min_stock else 0, s.code))


# ---------------------------------------------------------------------------------------------- 今日


