"""办公用品: the item catalogue, an append-only ledger of stock movements, costing, low stock and reports' queries.

Stock on hand is never typed: it is the sum of the live (not voided) movements of an item. Each item carries a
cached ``on_hand`` and ``stock_value`` for fast screens; both are changed only inside the transaction that writes
the movement, and :func:`verify_stock` / :func:`rebuild_stock` check them against Σ movements.

Units are integers so sums are exact: quantities in thousandths of a unit (``Q``), money in fen, unit prices in
1/10000 元 (``PRICE``). The API speaks :class:`~decimal.Decimal`.

Costing is 移动加权平均 (moving weighted average) in the order movements are recorded, as a paper stock card
is kept: a receipt adds its amount to the stock value; an issue, a write-off or a stocktake loss takes
``value × qty / on_hand`` (all of the value when the last unit goes, so no rounding residue stays on an empty
shelf); a 退库 comes back at the cost it was issued at. A movement typed later with an earlier date does not
revalue issues already recorded. Quantities, however, are checked in date order: no movement (or void) may make
the balance negative on any day from its date on.

Corrections are a void (with a reason) plus a new movement. If a void leaves an empty shelf with value on it (or
a negative value), a 成本调整 movement of quantity 0 clears it in the same transaction, visibly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings, validators
from neiqin.models.base import AuditLog, VoidableModel, db, now
from neiqin.models.ledger import (
    Column,
    LedgerSpec,
    SearchIndex,
    check_void,
    register_ledger,
    text_field,
)
from neiqin.models.staff import pinyin_keys, resolve_person
from neiqin.models.today import DUE, OVERDUE, TodayItem, section
from neiqin.numbering import order_index, series, write_transaction

Q = 1000  # quantities are stored in thousandths of a unit
PRICE = 10000  # unit prices in 1/10000 元
MAX_QTY = Decimal("1000000")

FRACTIONAL_UNITS = ("米", "千克", "公斤", "克", "升", "毫升", "斤", "吨", "平方米")
UNITS = ["个", "支", "盒", "包", "本", "瓶", "卷", "箱", "把", "台", "只", "张", "令", "套", "块", "袋", "桶", "双",
         "副", "条", "件", "册", "罐", "米", "千克", "升"]
CATEGORIES = ["纸品", "书写工具", "文件管理", "桌面文具", "打印耗材", "电脑配件", "清洁用品", "茶水用品", "电池电料",
              "劳保用品", "其他"]
ITEM_ACTIVE, ITEM_DISABLED = "在用", "停用"
ITEM_STATUSES = [ITEM_ACTIVE, ITEM_DISABLED]

RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST = "入库", "领用", "退库", "报损", "盘点调整", "成本调整"
KINDS = [RECEIPT, ISSUE, RETURN, SCRAP, ADJUST, COST]
PREFIX = {RECEIPT: "RK", ISSUE: "LY", RETURN: "TK", SCRAP: "BS", ADJUST: "PD", COST: "TZ"}

settings.register(
    {"supplies.code_prefix": "BG", "supplies.label_stock": "a4-3x8", "supplies.keeper": "",
     "supplies.admin_head": "", "supplies.finance_head": ""},
    {"supplies.code_prefix": "办公用品编码前缀", "supplies.label_stock": "货架标签使用的标签纸",
     "supplies.keeper": "办公用品保管员", "supplies.admin_head": "行政主管", "supplies.finance_head": "财务主管"},
)


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

# ---------------------------------------------------------------------------------------------- tables


class Supply(VoidableModel):
    """An item of the catalogue. ``on_hand`` / ``stock_value`` are caches of Σ movements (see module doc)."""

    code = pw.CharField(max_length=20, unique=True)
    barcode = pw.CharField(max_length=40, default="", index=True)  # the maker's EAN, if the clerk scans it
    name = pw.CharField(max_length=60, index=True)
    category = pw.CharField(max_length=20, default="", index=True)
    spec = pw.CharField(max_length=60, default="")
    unit = pw.CharField(max_length=4)
    location = pw.CharField(max_length=40, default="", index=True)
    min_stock = pw.IntegerField(default=0)
    max_stock = pw.IntegerField(default=0)
    ref_price = pw.IntegerField(default=0)
    status = pw.CharField(max_length=4, default=ITEM_ACTIVE)
    since = pw.DateField(default=clock.today)  # 建档日期: no movement may be dated before it
    note = pw.TextField(default="")
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


class StockMove(VoidableModel):
    """One line of the stock ledger. Quantities and amounts are signed: + in, − out."""

    no = pw.CharField(max_length=20)  # slip number, shared by the lines of one 领用单 (unique with ``line``)
    kind = pw.CharField(max_length=6, index=True)
    move_date = pw.DateField()
    moved_at = pw.DateTimeField(default=now)  # when it was recorded (the stocktake rule uses it)
    item = pw.IntegerField(index=True)
    code = pw.CharField(max_length=20)
    name = pw.CharField(max_length=60)
    spec = pw.CharField(max_length=60, default="")
    unit = pw.CharField(max_length=4)
    qty = pw.IntegerField()
    unit_cost = pw.IntegerField(default=0)
    amount = pw.IntegerField(default=0)
    supplier = pw.CharField(max_length=100, default="")
    invoice_no = pw.CharField(max_length=40, default="")
    handler = pw.CharField(max_length=40, default="")  # 经手人
    staff_id = pw.IntegerField(null=True)
    person = pw.CharField(max_length=40, default="", index=True)  # 领用人
    department = pw.CharField(max_length=60, default="", index=True)
    purpose = pw.CharField(max_length=200, default="")
    approver = pw.CharField(max_length=40, default="")
    issuer = pw.CharField(max_length=40, default="")  # 发放人
    reason = pw.CharField(max_length=200, default="")
    ref_id = pw.IntegerField(null=True, index=True)  # 退库: the issue; 盘点调整: the stocktake
    note = pw.TextField(default="")
    line = pw.IntegerField(default=1, constraints=[pw.SQL("DEFAULT 1")])  # 1, 2 … within its slip

    class Meta:
        table_name = "stock_move"
        indexes = ((("no", "line"), True), (("move_date", "id"), False), (("item", "move_date", "id"), False))

    @property
    def out_qty(self) -> int:
        return -self.qty


StockMove.add_index(order_index(StockMove.no))


# ---------------------------------------------------------------------------------------------- items

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,19}$")


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
    out: dict[str, Any] = {}
    code = text_field(data, errors, "code", "编码", max_len=20).upper()
    if not code and record is None:
        code = next_code()
    elif not code:
        errors["code"] = "请填写编码"
    elif not CODE_RE.match(code):
        errors.setdefault("code", "编码只能用英文字母、数字和 - _ .（条码扫描枪要能读出）")
    if code and "code" not in errors:
        same = Supply.select().where(pw.fn.UPPER(Supply.code) == code)
        if record is not None:
            same = same.where(Supply.id != record.id)
        other = same.first()
        if other is not None:
            errors["code"] = f"编码 {code} 已被“{other.name}”使用" + ("（已作废）" if other.voided else "")
        elif record is not None and record.code != code and _has_moves(record.id):
            errors["code"] = "已有出入库记录的物品不能改编码（已贴的标签会对不上）"
    out["code"] = code
    barcode = text_field(data, errors, "barcode", "商品条码", max_len=40)
    if barcode and not re.fullmatch(r"[\x21-\x7e]+", barcode):
        errors.setdefault("barcode", "商品条码只能是英文字母、数字和符号")
    elif barcode:
        same = Supply.select().where((Supply.barcode == barcode) | (pw.fn.UPPER(Supply.code) == barcode.upper()))
        if record is not None:
            same = same.where(Supply.id != record.id)
        other = same.first()
        if other is not None:
            errors["barcode"] = f"条码 {barcode} 已属于“{other.name}”"
    out["barcode"] = barcode
    out["name"] = text_field(data, errors, "name", "名称", required=True, max_len=60)
    out["category"] = text_field(data, errors, "category", "类别", max_len=20)
    out["spec"] = text_field(data, errors, "spec", "规格型号", max_len=60)
    unit = text_field(data, errors, "unit", "单位", required=True, max_len=4)
    if record is not None and unit and unit != record.unit and _has_moves(record.id):
        errors["unit"] = f"已有出入库记录，不能把单位从“{record.unit}”改为“{unit}”；如需换单位请停用后新建物品"
    out["unit"] = unit
    out["location"] = text_field(data, errors, "location", "存放位置", max_len=40)
    out["min_stock"] = parse_qty(data.get("min_stock"), unit, errors, "min_stock", "安全库存",
                                 allow_zero=True, required=False)
    out["max_stock"] = parse_qty(data.get("max_stock"), unit, errors, "max_stock", "最高库存",
                                 allow_zero=True, required=False)
    if out["max_stock"] and out["max_stock"] < out["min_stock"] and "max_stock" not in errors:
        errors["max_stock"] = "最高库存不能低于安全库存"
    out["ref_price"] = parse_price(data.get("ref_price"), errors, "ref_price", "参考单价") or 0
    status = (data.get("status") or ITEM_ACTIVE).strip()
    if status not in ITEM_STATUSES:
        errors["status"] = "状态只能是“在用”或“停用”"
    out["status"] = status
    since = _date(data.get("since"), "建档日期", "since", errors,
                  default=record.since if record is not None else clock.today())
    if record is not None and since and "since" not in errors:
        first = _first_move_date(record.id)
        if first and since > first:
            errors["since"] = f"建档日期不能晚于第一笔出入库的日期（{first}）"
    out["since"] = since
    out["note"] = text_field(data, errors, "note", "备注", max_len=500)
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


def _q(key: str) -> Callable[[dict], Decimal]:
    return lambda r: dec_qty(r.get(key))


def _avg(row: dict) -> Decimal:
    on_hand, value = row.get("on_hand") or 0, row.get("stock_value") or 0
    if on_hand > 0:
        return dec_price(_rdiv(value * 100 * Q, on_hand))
    return dec_price(row.get("last_cost") or row.get("ref_price") or 0)


SUPPLIES = register_ledger(ItemsSpec(
    key="supplies",
    title="办公用品库存表",
    tab_title="办公用品",
    model=Supply,
    columns=[
        Column("code", "编码", 8, sortable=True, aliases=("物品编码", "编号")),
        Column("name", "名称", 14, sortable=True, aliases=("物品名称", "品名")),
        Column("category", "类别", 8, sortable=True, aliases=("分类",)),
        Column("spec", "规格型号", 12, aliases=("规格", "型号")),
        Column("unit", "单位", 4, align="center"),
        Column("location", "存放位置", 10, sortable=True, aliases=("位置", "库位")),
        Column("on_hand", "现有库存", 7, kind="int", align="right", importable=False, value=_q("on_hand")),
        Column("min_stock", "安全库存", 7, kind="int", align="right", value=_q("min_stock"), aliases=("最低库存",)),
        Column("max_stock", "最高库存", 7, kind="int", align="right", value=_q("max_stock")),
        Column("ref_price", "参考单价", 7, kind="int", align="right", value=lambda r: dec_price(r.get("ref_price")),
               aliases=("单价",)),
        Column("avg_cost", "平均单价", 7, kind="int", align="right", importable=False, value=_avg),
        Column("stock_value", "库存金额", 9, kind="int", align="right", importable=False,
               value=lambda r: dec_money(r.get("stock_value"))),
        Column("status", "状态", 4, align="center"),
        Column("barcode", "商品条码", 13, aliases=("条码", "条形码")),
        Column("note", "备注", 12),
    ],
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


_HALF_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def find_item(code: str) -> Supply | None:
    """The item a scanned or typed 编码 (or maker's barcode) names, at once; voided items are not found.

    Full-width letters and digits (a scanner typing through a Chinese input method) count as ASCII.
    """
    code = (code or "").translate(_HALF_WIDTH).strip()
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


# ---------------------------------------------------------------------------------------------- movements ledger


@dataclass
class MovesSpec(LedgerSpec):
    """The stock ledger is append-only: movements are written by the functions below, never edited.

    ``create`` takes 入库 rows only (Excel import of a delivery list or the opening stock)."""

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        kind = (data.get("kind") or RECEIPT).strip()
        if kind != RECEIPT:
            raise ValidationError({"kind": "只能直接新建或导入“入库”记录；领用、退库、报损请在办公用品页面办理"})
        return receive(data, zero_price_ok=True)[0]

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        raise NeiqinError("出入库记录登记后不能修改；如有错误请作废后重新登记（作废记录会保留）")

    def void(self, rec: Any, reason: str) -> Any:
        return void_move(rec, reason)


def _move_search_parts(m: StockMove) -> tuple[list[str], list[str]]:
    short = [m.no, m.kind, m.code, m.name, m.spec, m.person, m.department, m.supplier, m.invoice_no, m.handler,
             m.approver, m.issuer, m.purpose]
    return short + [m.reason, m.note], short


def _move_status(key: str):
    kind = {"receipt": RECEIPT, "issue": ISSUE, "return": RETURN, "scrap": SCRAP, "adjust": ADJUST}.get(key)
    if kind == ADJUST:
        return StockMove.kind.in_([ADJUST, COST])
    return StockMove.kind == (kind or key)


def _in_qty(row: dict) -> Any:
    return dec_qty(row["qty"]) if (row.get("qty") or 0) > 0 else ""


def _out_qty(row: dict) -> Any:
    return dec_qty(-row["qty"]) if (row.get("qty") or 0) < 0 else ""


def _detail(row: dict) -> str:
    kind = row.get("kind")
    if kind == RECEIPT:
        return row.get("note") or ""
    if kind in (SCRAP, ADJUST, COST):
        return row.get("reason") or row.get("note") or ""
    return "　".join(p for p in (row.get("purpose") or "", row.get("reason") or "") if p)


def _signer(row: dict) -> str:
    if row.get("kind") in (ISSUE, RETURN):
        return "、".join(p for p in (row.get("approver") and f"批:{row['approver']}",
                                     row.get("issuer") and f"发:{row['issuer']}") if p)
    return row.get("handler") or ""


STOCK_MOVES = register_ledger(MovesSpec(
    key="stock-moves",
    title="办公用品出入库登记簿",
    tab_title="出入库流水",
    model=StockMove,
    columns=[
        Column("no", "单号", 11, sortable=True, importable=False, number_order=True),
        Column("move_date", "日期", 10, kind="date", sortable=True, aliases=("入库日期",)),
        Column("kind", "类型", 5, align="center", aliases=("业务类型",)),
        Column("code", "编码", 7, aliases=("物品编码",)),
        Column("name", "名称", 11, aliases=("物品名称", "品名")),
        Column("spec", "规格型号", 10, importable=False),
        Column("unit", "单位", 4, align="center", importable=False),
        Column("in_qty", "收入", 5, kind="int", align="right", value=_in_qty, aliases=("数量", "入库数量")),
        Column("out_qty", "发出", 5, kind="int", align="right", value=_out_qty, importable=False),
        Column("unit_cost", "单价", 6, kind="int", align="right", value=lambda r: dec_price(r.get("unit_cost")),
               aliases=("入库单价",)),
        Column("amount", "金额", 7, kind="int", align="right", value=lambda r: dec_money(abs(r.get("amount") or 0))),
        Column("supplier", "供应商", 11),
        Column("person", "领用人", 6, importable=False),
        Column("department", "部门", 8, importable=False),
        Column("detail", "用途/事由", 12, importable=False, value=_detail),
        Column("handler", "经手/审批", 9, value=_signer, aliases=("经手人",)),
        Column("invoice_no", "发票号", 9),
    ],
    default_sort="move_date",
    date_field="move_date",
    date_label="日期",
    statuses=[("receipt", "入库"), ("issue", "领用"), ("return", "退库"), ("scrap", "报损"),
              ("adjust", "盘点/成本调整")],
    status_condition=_move_status,
    search=SearchIndex("stock_move"),
    search_parts=_move_search_parts,
    describe=lambda m: f"{m.kind} {m.no}（{m.name} {qty_text(abs(m.qty), m.unit)}）",
))


# ---------------------------------------------------------------------------------------------- posting


class ZeroPriceWarning(NeiqinError):
    """入库 at price 0 (free samples, gifts): the UI asks, then passes ``zero_price_ok=True``."""

    field = "unit_price"


_KIND_NAMES = {RECEIPT: "receipt", ISSUE: "issue", RETURN: "return", SCRAP: "scrap", ADJUST: "adjust", COST: "cost"}
SLIP_NO = {kind: series(f"stock_move.{prefix}", f"{kind}单号", f"{prefix}{{year}}-{{n:04}}",
                        setting=f"supplies.{_KIND_NAMES[kind]}_number_pattern", column=StockMove.no)
           for kind, prefix in PREFIX.items()}


def _next_no(kind: str, year: int) -> str:
    """RK2026-0001 …: the next slip number of ``kind`` in ``year``, inside the caller's write_transaction()."""
    return SLIP_NO[kind].take(year).text


def _item(ref: Any, errors: dict, key: str = "item", *, for_receipt: bool = False) -> Supply | None:
    if isinstance(ref, Supply):
        item = Supply.get_or_none(Supply.id == ref.id)
    elif isinstance(ref, int) and not isinstance(ref, bool):
        item = Supply.get_or_none(Supply.id == ref)
    elif isinstance(ref, str) and ref.strip():
        item = find_item(ref)
        if item is None:
            errors.setdefault(key, f"没有编码为“{ref.strip()}”的物品")
            return None
    else:
        item = None
    if item is None:
        errors.setdefault(key, "请选择物品")
        return None
    if item.voided:
        errors.setdefault(key, f"物品“{item.name}”已作废")
        return None
    if item.status != ITEM_ACTIVE:
        errors.setdefault(key, f"物品“{item.name}”已停用，" + ("不能入库" if for_receipt else "不能出库"))
    return item


def _check_date(item: Supply, day: dt.date | None, errors: dict, key: str = "move_date") -> None:
    if day and key not in errors and item.since and day < item.since:
        errors[key] = f"日期 {day} 早于“{item.name}”的建档日期 {item.since}"


def _balances_from(item_id: int, day: dt.date) -> tuple[int, list[tuple[dt.date, int]]]:
    """(balance at the end of ``day``, [(date, balance after each later movement)]) in date order."""
    rows = (StockMove.select(StockMove.move_date, StockMove.qty)
            .where((StockMove.item == item_id) & (StockMove.voided == False))  # noqa: E712
            .order_by(StockMove.move_date, StockMove.id).tuples())
    bal, at_day, later = 0, 0, []
    for d, q in rows:
        bal += q
        if d <= day:
            at_day = bal
        else:
            later.append((d, bal))
    return at_day, later


def _latest_move_date(item_id: int) -> dt.date | None:
    return (StockMove.select(pw.fn.MAX(StockMove.move_date))
            .where((StockMove.item == item_id) & (StockMove.voided == False)).scalar())  # noqa: E712


def available_on(item: Supply, day: dt.date) -> int:
    """What can go out on ``day`` without any balance from that day on turning negative (thousandths)."""
    latest = _latest_move_date(item.id)
    if latest is None or day >= latest:
        return Supply.get_by_id(item.id).on_hand  # the common case: today, nothing dated later
    at_day, later = _balances_from(item.id, day)
    return min([at_day, *(b for _, b in later)])


def shortage_message(item: Supply, have: int, want: int) -> str:
    return f"库存不足：现有 {qty_text(have, item.unit)}，申领 {qty_text(want, item.unit)}"


def _check_out(item: Supply, day: dt.date, want: int, errors: dict, key: str = "qty") -> None:
    """Refuse taking ``want`` out on ``day`` if the balance of that day or any later day would go below 0."""
    if key in errors or want <= 0:
        return
    latest = _latest_move_date(item.id)
    if latest is None or day >= latest:
        have = Supply.get_by_id(item.id).on_hand
        if want > have:
            errors[key] = shortage_message(item, have, want)
        return
    at_day, later = _balances_from(item.id, day)
    if want > at_day:
        errors[key] = shortage_message(item, at_day, want)
        return
    for d, bal in later:
        if bal - want < 0:
            errors[key] = (f"库存不足：{day} 结存 {qty_text(at_day, item.unit)}，但 {d} 之后的出库会使结存变为 "
                           f"{qty_text(bal - want, item.unit)}；请核对日期")
            return


def _apply(item: Supply, qty: int, amount: int, *, cost: int | None = None) -> None:
    """Move the caches of ``item`` by ``qty`` and ``amount`` (the caller holds the write transaction)."""
    fields: dict[Any, Any] = {Supply.on_hand: Supply.on_hand + qty, Supply.stock_value: Supply.stock_value + amount,
                              Supply.updated_at: now()}
    if cost:
        fields[Supply.last_cost] = cost
    Supply.update(fields).where(Supply.id == item.id).execute()


def _out_amount(item: Supply, qty: int) -> int:
    """The cost of taking ``qty`` out now, at the moving average; the last unit takes all the value left."""
    fresh = Supply.get_by_id(item.id)
    if fresh.on_hand <= 0:
        return _rdiv(qty * fresh.avg_cost, 100 * Q)
    if qty >= fresh.on_hand:
        return fresh.stock_value
    return _rdiv(fresh.stock_value * qty, fresh.on_hand)


def _create_move(spec_summary: str, **fields: Any) -> StockMove:
    m = StockMove.create(**fields)
    STOCK_MOVES._reindex(m)
    AuditLog.write(STOCK_MOVES.key, m.id, "create", spec_summary,
                   {k: [None, v] for k, v in fields.items() if v not in (None, "") and k not in ("moved_at", "line")})
    return m


def _base(item: Supply, kind: str, no: str, day: dt.date, at: dt.datetime | None) -> dict:
    return {"no": no, "kind": kind, "move_date": day, "moved_at": at or now(), "item": item.id, "code": item.code,
            "name": item.name, "spec": item.spec, "unit": item.unit}


def receive(data: dict, *, zero_price_ok: bool = False, at: dt.datetime | None = None) -> list[StockMove]:
    """入库 of one item (``data['item']``) or several (``data['lines']``: dicts of item, qty, unit_price, amount).

    Amount = quantity × unit price rounded to the fen, unless 金额 is given (from the invoice); then the unit
    cost follows from it. A price of 0 raises ZeroPriceWarning unless ``zero_price_ok``.
    """
    errors: dict[str, str] = {}
    lines = data.get("lines") or [{k: data.get(k) for k in ("item", "code", "qty", "in_qty", "unit_price",
                                                             "unit_cost", "amount")}]
    day = _date(data.get("move_date"), "入库日期", "move_date", errors, default=clock.today())
    supplier = text_field(data, errors, "supplier", "供应商", max_len=100)
    invoice = text_field(data, errors, "invoice_no", "发票号", max_len=40)
    _, handler, _ = _person(data.get("handler"))
    if len(handler) > 40:
        errors["handler"] = "经手人不能超过 40 字"
    note = text_field(data, errors, "note", "备注", max_len=500)
    prepared = []
    zero = []
    single = len(lines) == 1 and not data.get("lines")
    for i, line in enumerate(lines):
        k = (lambda f: f) if single else (lambda f, i=i: f"{f}.{i}")  # noqa: E731
        item = _item(line.get("item") or line.get("code"), errors, k("item"), for_receipt=True)
        unit = item.unit if item else ""
        qty = parse_qty(line.get("qty") if line.get("qty") not in (None, "") else line.get("in_qty"), unit,
                        errors, k("qty"), "入库数量")
        price = parse_price(line.get("unit_price") if line.get("unit_price") not in (None, "")
                            else line.get("unit_cost"), errors, k("unit_price"), "单价")
        amount = parse_money(line.get("amount"), errors, k("amount"), "金额")
        if price is None and amount is None and k("unit_price") not in errors and k("amount") not in errors:
            errors[k("unit_price")] = "请填写单价或金额"
        if qty and price is not None and amount is not None and k("amount") not in errors:
            expect = _rdiv(qty * price, Q * 100)
            if abs(expect - amount) > max(1, qty // Q // 100):
                errors[k("amount")] = (f"金额与数量×单价不符（{dec_qty(qty):f} × {dec_price(price):f} = "
                                       f"{money_text(expect)}）；只填其中一项即可")
        if item is not None:
            _check_date(item, day, errors)
        if qty and (price is not None or amount is not None):
            if amount is None:
                amount = _rdiv(qty * (price or 0), Q * 100)
            if price is None:
                price = _rdiv(amount * 100 * Q, qty)
            if amount == 0:
                zero.append(item.name if item else "")
        prepared.append((item, qty, price, amount))
    if errors:
        raise ValidationError(errors)
    if zero and not zero_price_ok:
        raise ZeroPriceWarning(f"“{'、'.join(zero)}”入库单价为 0。如确为赠品或调拨，请确认后再保存。")
    with write_transaction():
        no = _next_no(RECEIPT, day.year)
        moves = []
        for line, (item, qty, price, amount) in enumerate(prepared, 1):
            m = _create_move(f"入库 {no}：{item.name} {qty_text(qty, item.unit)}，金额 {money_text(amount)}",
                             **_base(item, RECEIPT, no, day, at), qty=qty, unit_cost=price, amount=amount,
                             supplier=supplier, invoice_no=invoice, handler=handler, note=note, line=line)
            _apply(item, qty, amount, cost=price)
            moves.append(m)
    return moves


def issue(data: dict, *, at: dt.datetime | None = None) -> list[StockMove]:
    """领用: one slip for one person — ``data['item']``/``qty`` or ``data['lines']`` of {item, qty, purpose}.

    Every line is checked (stock, units, dates) and written in one transaction, so two clerks cannot both take
    the last box. Errors of line i are reported at ``qty.i`` / ``item.i`` (at ``qty`` / ``item`` for one item).
    """
    errors: dict[str, str] = {}
    single = not data.get("lines")
    lines = data.get("lines") or [{"item": data.get("item") or data.get("code"), "qty": data.get("qty"),
                                   "purpose": data.get("purpose")}]
    sid, person, pdept = _person(data.get("person"))
    if not person:
        errors["person"] = "请选择领用人"
    elif len(person) > 40:
        errors["person"] = "领用人姓名不能超过 40 字"
    department = (data.get("department") or "").strip() or pdept
    if not department:
        errors.setdefault("department", "请填写领用部门")
    elif len(department) > 60:
        errors["department"] = "部门名称不能超过 60 字"
    _, approver, _ = _person(data.get("approver"))
    _, issuer, _ = _person(data.get("issuer"))
    for key, val, label in (("approver", approver, "审批人"), ("issuer", issuer, "发放人")):
        if len(val) > 40:
            errors[key] = f"{label}不能超过 40 字"
    day = _date(data.get("move_date"), "领用日期", "move_date", errors, default=clock.today())
    common_purpose = text_field(data, errors, "purpose", "用途", max_len=200) if single else \
        str(data.get("purpose") or "").strip()[:200]
    note = text_field(data, errors, "note", "备注", max_len=500)
    if not lines:
        errors["lines"] = "请至少添加一种物品"
    with write_transaction():
        prepared = []
        wanted: dict[int, int] = {}
        for i, line in enumerate(lines):
            k = (lambda f: f) if single else (lambda f, i=i: f"{f}.{i}")  # noqa: E731
            item = _item(line.get("item") or line.get("code"), errors, k("item"))
            qty = parse_qty(line.get("qty"), item.unit if item else "", errors, k("qty"), "领用数量")
            purpose = common_purpose if single else (str(line.get("purpose") or "").strip()[:200] or common_purpose)
            if item is not None:
                _check_date(item, day, errors)
                if qty and day and k("qty") not in errors:
                    wanted[item.id] = wanted.get(item.id, 0) + qty
                    _check_out(item, day, wanted[item.id], errors, k("qty"))
            prepared.append((item, qty, purpose))
        if errors:
            raise ValidationError(errors)
        assert day is not None
        no = _next_no(ISSUE, day.year)
        moves = []
        for line, (item, qty, purpose) in enumerate(prepared, 1):
            amount = _out_amount(item, qty)
            cost = _rdiv(amount * 100 * Q, qty)
            m = _create_move(f"领用 {no}：{person} 领 {item.name} {qty_text(qty, item.unit)}",
                             **_base(item, ISSUE, no, day, at), qty=-qty, unit_cost=cost, amount=-amount,
                             staff_id=sid, person=person, department=department, purpose=purpose,
                             approver=approver, issuer=issuer, note=note, line=line)
            _apply(item, -qty, -amount, cost=cost)
            moves.append(m)
    return moves


def returned_qty(issue_move: StockMove) -> int:
    """How much of an issue line has come back (thousandths, live 退库 only)."""
    return (StockMove.select(pw.fn.SUM(StockMove.qty))
            .where((StockMove.ref_id == issue_move.id) & (StockMove.kind == RETURN)
                   & (StockMove.voided == False)).scalar() or 0)  # noqa: E712


def return_issue(issue_move: StockMove | int, data: dict, *, at: dt.datetime | None = None) -> StockMove:
    """退库 of (part of) one issue line, at the unit cost it was issued at."""
    move = StockMove.get_by_id(issue_move if isinstance(issue_move, int) else issue_move.id)
    if move.kind != ISSUE:
        raise NeiqinError("只能对“领用”记录办理退库")
    if move.voided:
        raise NeiqinError("该领用记录已作废，不能退库")
    errors: dict[str, str] = {}
    item = Supply.get_by_id(move.item)
    issued = -move.qty
    back = returned_qty(move)
    qty = parse_qty(data.get("qty"), item.unit, errors, "qty", "退库数量")
    if qty and "qty" not in errors and qty > issued - back:
        errors["qty"] = (f"退库数量不能超过未退数量 {qty_text(issued - back, item.unit)}"
                         f"（领用 {qty_text(issued, item.unit)}，已退 {qty_text(back, item.unit)}）")
    day = _date(data.get("move_date"), "退库日期", "move_date", errors, default=clock.today())
    if day and "move_date" not in errors and day < move.move_date:
        errors["move_date"] = f"退库日期不能早于领用日期（{move.move_date}）"
    reason = text_field(data, errors, "reason", "退库原因", max_len=200)
    _, handler, _ = _person(data.get("handler"))
    if errors:
        raise ValidationError(errors)
    assert day is not None
    taken = -move.amount
    already = (StockMove.select(pw.fn.SUM(StockMove.amount))
               .where((StockMove.ref_id == move.id) & (StockMove.kind == RETURN)
                      & (StockMove.voided == False)).scalar() or 0)  # noqa: E712
    amount = taken - already if qty == issued - back else _rdiv(taken * qty, issued)
    with write_transaction():
        no = _next_no(RETURN, day.year)
        m = _create_move(f"退库 {no}：{move.person} 退回 {item.name} {qty_text(qty, item.unit)}（原 {move.no}）",
                         **_base(item, RETURN, no, day, at), qty=qty, unit_cost=move.unit_cost, amount=amount,
                         staff_id=move.staff_id, person=move.person, department=move.department,
                         purpose=move.purpose, reason=reason, handler=handler, ref_id=move.id)
        _apply(item, qty, amount)
    return m


def scrap(data: dict, *, at: dt.datetime | None = None) -> StockMove:
    """报损 (damaged, expired, lost): out at the moving average, with a reason."""
    errors: dict[str, str] = {}
    item = _item(data.get("item") or data.get("code"), errors)
    qty = parse_qty(data.get("qty"), item.unit if item else "", errors, "qty", "报损数量")
    reason = text_field(data, errors, "reason", "报损原因", required=True, max_len=200)
    day = _date(data.get("move_date"), "报损日期", "move_date", errors, default=clock.today())
    _, handler, _ = _person(data.get("handler"))
    _, approver, _ = _person(data.get("approver"))
    with write_transaction():
        if item is not None:
            _check_date(item, day, errors)
            if qty and day:
                _check_out(item, day, qty, errors)
                if "qty" in errors and errors["qty"].startswith("库存不足：现有"):
                    errors["qty"] = errors["qty"].replace("申领", "报损")
        if errors:
            raise ValidationError(errors)
        assert item is not None and day is not None
        amount = _out_amount(item, qty)
        no = _next_no(SCRAP, day.year)
        m = _create_move(f"报损 {no}：{item.name} {qty_text(qty, item.unit)}：{reason}",
                         **_base(item, SCRAP, no, day, at), qty=-qty, unit_cost=_rdiv(amount * 100 * Q, qty),
                         amount=-amount, reason=reason, handler=handler, approver=approver)
        _apply(item, -qty, -amount)
    return m


def adjust(item: Supply, qty: int, day: dt.date, *, no: str, reason: str, stocktake_id: int | None,
           handler: str = "", at: dt.datetime | None = None, line: int = 1) -> StockMove:
    """盘点调整 of ``qty`` (signed thousandths): 盘盈 at the current average cost, 盘亏 like an issue.

    Called by the stocktake posting, inside its transaction."""
    if qty > 0:
        fresh = Supply.get_by_id(item.id)
        cost = fresh.avg_cost
        amount = _rdiv(qty * cost, 100 * Q)
    else:
        amount = -_out_amount(item, -qty)
        cost = _rdiv(-amount * 100 * Q, -qty)
    m = _create_move(f"盘点调整 {no}：{item.name} {'盘盈' if qty > 0 else '盘亏'} {qty_text(abs(qty), item.unit)}",
                     **_base(item, ADJUST, no, day, at), qty=qty, unit_cost=cost, amount=amount, reason=reason,
                     handler=handler, ref_id=stocktake_id, line=line)
    _apply(item, qty, amount)
    return m


def void_move(move: StockMove | int, reason: str) -> StockMove:
    """作废 one movement: refused if it would make the balance of any later day negative (see module doc)."""
    move = StockMove.get_by_id(move if isinstance(move, int) else move.id)
    reason = check_void(move, reason)
    if move.kind in (ADJUST, COST):
        raise NeiqinError(f"{move.kind}由盘点过账或作废时自动生成，不能单独作废")
    if move.kind == ISSUE and returned_qty(move) > 0:
        raise NeiqinError(f"领用 {move.no} 已有退库记录，请先作废退库记录")
    item = Supply.get_by_id(move.item)
    with write_transaction():
        if move.qty > 0:
            rows = (StockMove.select(StockMove.id, StockMove.move_date, StockMove.qty)
                    .where((StockMove.item == item.id) & (StockMove.voided == False))  # noqa: E712
                    .order_by(StockMove.move_date, StockMove.id).tuples())
            bal, after = 0, False
            for mid, d, q in rows:
                bal += q
                if mid == move.id:
                    after = True
                if after and bal - move.qty < 0:
                    raise NeiqinError(
                        f"不能作废：{move.kind} {move.no} 的 {qty_text(move.qty, item.unit)}已有部分发出，"
                        f"作废后 {d} 的结存将为 {qty_text(bal - move.qty, item.unit)}。"
                        "请先作废（或退库）之后的出库记录，或改用报损/盘点调整")
        move.voided, move.void_reason, move.voided_at = True, reason, now()
        move.updated_at = move.voided_at
        move.save()
        AuditLog.write(STOCK_MOVES.key, move.id, "void", f"作废 {STOCK_MOVES.describe(move)}：{reason}",
                       {"voided": [False, True], "void_reason": ["", reason]})
        _apply(item, -move.qty, -move.amount)
        fresh = Supply.get_by_id(item.id)
        residue = 0
        if fresh.on_hand == 0 and fresh.stock_value != 0:
            residue = -fresh.stock_value
        elif fresh.on_hand > 0 and fresh.stock_value < 0:  # revalue what is left at the last live receipt's price
            last = (StockMove.select(StockMove.unit_cost)
                    .where((StockMove.item == item.id) & (StockMove.kind == RECEIPT)
                           & (StockMove.voided == False))  # noqa: E712
                    .order_by(StockMove.move_date.desc(), StockMove.id.desc()).scalar())
            residue = _rdiv(fresh.on_hand * (last or fresh.ref_price), 100 * Q) - fresh.stock_value
        if residue:
            day = max(clock.today(), move.move_date)
            no = _next_no(COST, day.year)
            _create_move(f"成本调整 {no}：{item.name} 结转作废 {move.no} 后的成本差异 {money_text(residue)}",
                         **_base(item, COST, no, day, None), qty=0, unit_cost=0, amount=residue,
                         reason=f"作废 {move.no} 后结转库存成本差异", ref_id=move.id)
            _apply(item, 0, residue)
    return move


def correction_values(move: StockMove) -> dict:
    """Form values for the new movement that corrects a voided one."""
    base = {"item": move.item, "code": move.code, "qty": dec_qty(abs(move.qty)), "move_date": move.move_date}
    if move.kind == RECEIPT:
        base.update(unit_price=dec_price(move.unit_cost), supplier=move.supplier, invoice_no=move.invoice_no,
                    handler=move.handler, note=move.note)
    elif move.kind == ISSUE:
        base.update(person={"id": move.staff_id, "name": move.person, "department": move.department},
                    department=move.department, purpose=move.purpose, approver=move.approver, issuer=move.issuer)
    elif move.kind == SCRAP:
        base.update(reason=move.reason, handler=move.handler, approver=move.approver)
    return base


def slip_moves(no: str) -> list[StockMove]:
    return list(StockMove.select().where(StockMove.no == no).order_by(StockMove.id))


# ---------------------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class StockMismatch:
    item_id: int
    code: str
    name: str
    cached_qty: int
    moves_qty: int
    cached_value: int
    moves_value: int

    def text(self) -> str:
        return (f"{self.code} {self.name}：缓存 {qty_text(self.cached_qty)} / {money_text(self.cached_value)}，"
                f"按流水 {qty_text(self.moves_qty)} / {money_text(self.moves_value)}")


def _sums() -> dict[int, tuple[int, int]]:
    q = (StockMove.select(StockMove.item, pw.fn.SUM(StockMove.qty), pw.fn.SUM(StockMove.amount))
         .where(StockMove.voided == False).group_by(StockMove.item).tuples())  # noqa: E712
    return {i: (qty or 0, amount or 0) for i, qty, amount in q}


def verify_stock() -> list[StockMismatch]:
    """Items whose cached on-hand or value differs from Σ live movements (empty: all agree)."""
    sums = _sums()
    out = []
    for s in Supply.select(Supply.id, Supply.code, Supply.name, Supply.on_hand, Supply.stock_value):
        qty, value = sums.get(s.id, (0, 0))
        if (qty, value) != (s.on_hand, s.stock_value):
            out.append(StockMismatch(s.id, s.code, s.name, s.on_hand, qty, s.stock_value, value))
    return out


def rebuild_stock() -> int:
    """Set every cache from Σ movements; returns how many items changed (each change is audited)."""
    changed = 0
    with db.atomic():
        for bad in verify_stock():
            Supply.update(on_hand=bad.moves_qty, stock_value=bad.moves_value).where(
                Supply.id == bad.item_id).execute()
            AuditLog.write(SUPPLIES.key, bad.item_id, "rebuild", f"按出入库流水重算库存：{bad.text()}",
                           {"on_hand": [bad.cached_qty, bad.moves_qty],
                            "stock_value": [bad.cached_value, bad.moves_value]})
            changed += 1
    return changed


# ---------------------------------------------------------------------------------------------- queries


def low_stock_items() -> list[Supply]:
    """Active items at or below 安全库存, emptiest first (relative to the minimum)."""
    q = Supply.select().where(_item_status("low") & (Supply.voided == False))  # noqa: E712
    return sorted(q, key=lambda s: (s.on_hand / s.min_stock if s.min_stock else 0, s.code))


def _issue_filter(start: dt.date | None, end: dt.date | None):
    cond = StockMove.kind.in_([ISSUE, RETURN]) & (StockMove.voided == False)  # noqa: E712
    if start:
        cond &= StockMove.move_date >= start
    if end:
        cond &= StockMove.move_date <= end
    return cond


def cost_by_department(start: dt.date, end: dt.date) -> list[tuple[str, Decimal]]:
    """Net cost of issues minus returns per department in [start, end], largest first."""
    q = (StockMove.select(StockMove.department, pw.fn.SUM(StockMove.amount))
         .where(_issue_filter(start, end)).group_by(StockMove.department).tuples())
    rows = [(dept or "（未填部门）", dec_money(-(amount or 0))) for dept, amount in q]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


ISSUE_GROUPS = {"department": "部门", "person": "领用人", "month": "月份", "item": "物品"}


@dataclass(frozen=True)
class IssueSummaryRow:
    label: str
    code: str  # the item's code when grouped by item
    department: str
    unit: str
    qty: int  # thousandths; meaningful for rows of one item only
    amount: int  # fen, net of returns
    times: int  # issue lines

    @property
    def amount_dec(self) -> Decimal:
        return dec_money(self.amount)


def issue_summary(by: str, start: dt.date | None = None, end: dt.date | None = None,
                  department: str = "") -> list[IssueSummaryRow]:
    """领用汇总 (issues minus returns) by 部门, 领用人, 月份 or 物品, largest amount first (months in order)."""
    cond = _issue_filter(start, end)
    if department:
        cond &= StockMove.department == department
    m = StockMove
    times = pw.fn.SUM(pw.Case(None, [(m.kind == ISSUE, 1)], 0))
    if by == "department":
        keys = [m.department]
    elif by == "person":
        keys = [m.person, m.department]
    elif by == "month":
        keys = [pw.fn.strftime("%Y-%m", m.move_date)]
    elif by == "item":
        keys = [m.item]
    else:
        raise NeiqinError(f"汇总方式应为：{'、'.join(ISSUE_GROUPS.values())}")
    fields = [*keys, pw.fn.SUM(m.qty), pw.fn.SUM(m.amount), times]
    if by == "item":
        fields += [pw.fn.MAX(m.name), pw.fn.MAX(m.spec), pw.fn.MAX(m.unit), pw.fn.MAX(m.code)]
    rows = []
    for r in m.select(*fields).where(cond).group_by(*keys).tuples():
        if by == "item":
            _, qty, amount, n, name, spec, unit, code = r
            label = f"{name}（{spec}）" if spec else name
            rows.append(IssueSummaryRow(label, code, "", unit, -(qty or 0), -(amount or 0), n or 0))
        elif by == "person":
            person, dept, qty, amount, n = r
            rows.append(IssueSummaryRow(person or "（未填）", "", dept or "", "", -(qty or 0), -(amount or 0), n or 0))
        else:
            label, qty, amount, n = r
            rows.append(IssueSummaryRow(label or "（未填）", "", "", "", -(qty or 0), -(amount or 0), n or 0))
    if by == "month":
        return sorted(rows, key=lambda x: x.label)
    return sorted(rows, key=lambda x: (-x.amount, -x.qty, x.label))


@dataclass(frozen=True)
class ReportRow:
    """进销存 of one item over a period (thousandths and fen)."""

    item_id: int
    code: str
    name: str
    spec: str
    unit: str
    category: str
    open_qty: int
    open_value: int
    in_qty: int
    in_value: int
    out_qty: int  # issued minus returned
    out_value: int
    other_qty: int  # 报损, 盘点调整, 成本调整 (signed)
    other_value: int
    close_qty: int
    close_value: int

    @property
    def close_cost(self) -> int:
        return _rdiv(self.close_value * 100 * Q, self.close_qty) if self.close_qty > 0 else 0


def period_report(start: dt.date, end: dt.date, *, include_idle: bool = False, method: str = "auto") -> list[ReportRow]:
    """进销存 per item for [start, end]: 上期结存 + 本期购进 − 本期发放 ± 其他 = 本期结存.

    Opening = Σ live movements dated before ``start``, so each period's closing is the next one's opening.
    For a recent period that sum is taken the short way — the cached stock (always equal to Σ live movements,
    see :func:`verify_stock`) minus the movements dated from ``start`` on — so a month at the end of years of
    history reads one month, not years (``method``: "before", "cache" or "auto" to pick the shorter).
    Items with nothing to show (no balance, no movement) are left out unless ``include_idle``.
    """
    if start > end:
        raise ValidationError({"start": "开始日期不能晚于结束日期"})
    m = StockMove
    live = m.voided == False  # noqa: E712
    if method == "auto":
        first, last = m.select(pw.fn.MIN(m.move_date), pw.fn.MAX(m.move_date)).where(live).tuples().first() or \
            (None, None)
        method = "cache" if first and last and (start - first) > (last - start) else "before"

    def s(cond, field):
        return pw.fn.SUM(pw.Case(None, [(cond, field)], 0))

    within = (m.move_date >= start) & (m.move_date <= end)
    is_in = within & (m.kind == RECEIPT)
    is_out = within & m.kind.in_([ISSUE, RETURN])
    is_other = within & m.kind.in_([SCRAP, ADJUST, COST])
    sums: dict[int, tuple] = {}
    if method == "cache":
        after = m.move_date > end
        q = (m.select(m.item, s(is_in, m.qty), s(is_in, m.amount), s(is_out, m.qty), s(is_out, m.amount),
                      s(is_other, m.qty), s(is_other, m.amount), s(after, m.qty), s(after, m.amount))
             .where(live & (m.move_date >= start)).group_by(m.item).tuples())
        moved = {r[0]: r[1:] for r in q}
        for it in Supply.select(Supply.id, Supply.on_hand, Supply.stock_value).tuples():
            iq, iv, uq, uv, xq, xv, aq, av = moved.get(it[0], (0,) * 8)
            sums[it[0]] = (it[1] - iq - uq - xq - aq, it[2] - iv - uv - xv - av, iq, iv, uq, uv, xq, xv)
    else:
        before = m.move_date < start
        q = (m.select(m.item, s(before, m.qty), s(before, m.amount), s(is_in, m.qty), s(is_in, m.amount),
                      s(is_out, m.qty), s(is_out, m.amount), s(is_other, m.qty), s(is_other, m.amount))
             .where(live & (m.move_date <= end)).group_by(m.item).tuples())
        sums = {r[0]: r[1:] for r in q}
    items = Supply.select(Supply.id, Supply.code, Supply.name, Supply.spec, Supply.unit, Supply.category,
                          Supply.voided).order_by(Supply.code)
    out = []
    for it in items:
        oq, ov, iq, iv, uq, uv, xq, xv = sums.get(it.id, (0,) * 8)
        if not include_idle and not any((oq, ov, iq, iv, uq, uv, xq, xv)):
            continue
        out.append(ReportRow(it.id, it.code, it.name, it.spec, it.unit, it.category, oq, ov, iq, iv, -uq, -uv,
                             xq, xv, oq + iq + uq + xq, ov + iv + uv + xv))
    return out


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def monthly_report(year: int, month: int, *, include_idle: bool = False) -> list[ReportRow]:
    return period_report(*month_range(year, month), include_idle=include_idle)


@dataclass(frozen=True)
class ReorderLine:
    item_id: int
    code: str
    name: str
    spec: str
    unit: str
    category: str
    location: str
    on_hand: int
    min_stock: int
    max_stock: int
    suggested: int  # thousandths
    price: int  # 1/10000 元
    supplier: str

    @property
    def amount(self) -> int:
        return _rdiv(self.suggested * self.price, 100 * Q)


def last_supplier(item_id: int) -> str:
    row = (StockMove.select(StockMove.supplier)
           .where((StockMove.item == item_id) & (StockMove.kind == RECEIPT) & (StockMove.voided == False)  # noqa: E712
                  & (StockMove.supplier != ""))
           .order_by(StockMove.move_date.desc(), StockMove.id.desc()).first())
    return row.supplier if row else ""


def suggest_qty(item: Supply) -> int:
    """Up to 最高库存 (or twice 安全库存 when no maximum is set), whole units rounded up."""
    target = item.max_stock or 2 * item.min_stock
    need = max(target - item.on_hand, 0)
    if not is_fractional_unit(item.unit) and need % Q:
        need += Q - need % Q
    return need


def reorder_list() -> list[ReorderLine]:
    """补货清单: active items at or below their minimum, with a suggested quantity up to the maximum."""
    out = []
    for it in low_stock_items():
        price = it.last_cost or it.ref_price
        out.append(ReorderLine(it.id, it.code, it.name, it.spec, it.unit, it.category, it.location, it.on_hand,
                               it.min_stock, it.max_stock, suggest_qty(it), price, last_supplier(it.id)))
    return sorted(out, key=lambda r: (r.category, r.code))


def item_card(item: Supply | int, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The stock card of one item: live movements in date order with the running balance (thousandths, fen)."""
    item_id = item if isinstance(item, int) else item.id
    q = (StockMove.select().where((StockMove.item == item_id) & (StockMove.voided == False))  # noqa: E712
         .order_by(StockMove.move_date, StockMove.id).dicts())
    bal = val = 0
    out = []
    for r in q:
        bal += r["qty"]
        val += r["amount"]
        if (start and r["move_date"] < start) or (end and r["move_date"] > end):
            continue
        out.append({**r, "balance": bal, "balance_value": val})
    return out


# ---------------------------------------------------------------------------------------------- 今日


@section("supplies-low", "低于安全库存的办公用品", 60, ledger="supplies")
def _today_low(day: dt.date) -> list[TodayItem]:
    out = []
    for it in low_stock_items():
        level = OVERDUE if it.on_hand <= 0 else DUE
        out.append(TodayItem(f"{it.code} {it.label}：现有 {it.qty()}，安全库存 {qty_text(it.min_stock, it.unit)}",
                             ledger="supplies", record_id=it.id, level=level))
    return out


# ---------------------------------------------------------------------------------------------- demo data


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Demo catalogue and a few months of supplies work (see :mod:`neiqin.models.supply_demo`)."""
    from neiqin.models.supply_demo import seed

    return seed(rng, staff, rows)


def bulk_stock_moves(n: int, seed: int = 7, *, days: int = 730,
                     progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` costed movements fast (benchmarks, global search); see :mod:`neiqin.models.supply_demo`."""
    from neiqin.models.supply_demo import bulk

    return bulk(n, seed, days=days, progress=progress)


def __getattr__(name: str):
    # every table of this ledger, foreign keys first (created by db migration 5); the stocktake module builds on
    # this one, so it is imported after it, when the list is first asked for
    if name == "MODELS":
        from neiqin.models.stocktake import Stocktake, StocktakeLine

        return [Supply, StockMove, Stocktake, StocktakeLine]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
