"""盘点 (stocktake): snapshot the book, count the shelves, review 盘盈/盘亏, post every adjustment at once.

The rule for movements during an open count (issues do not stop while the clerk counts):

    difference = counted − book quantity at the moment the shelf was counted
    book at that moment = Σ live movements recorded up to the snapshot
                          + Σ live movements recorded after it, up to the count time (``counted_at``)

so an issue recorded after the snapshot but before a shelf was counted is expected to be missing from it, and an
issue recorded after the count is not. "Recorded" is the movement's ``moved_at`` (when it was typed in), which is
what the book knew; a void is applied as known at posting. Posting adds ``difference`` to today's stock, so the
book ends up equal to what was counted plus what moved after the count. Every stocktake keeps its lines, the
book quantities of the snapshot, the counts and the three sign-off names (保管员 / 行政主管 / 财务主管).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import check_void
from neiqin.models.supplies.amounts import Q, _person, _rdiv, qty_text
from neiqin.models.supplies.items import ITEM_ACTIVE, Supply, find_item
from neiqin.models.supplies.moves import ADJUST, StockMove
from neiqin.models.supplies.posting import _next_no, adjust
from neiqin.models.validators import parse_moment
from neiqin.numbering import series, write_transaction

OPEN, POSTED = "进行中", "已过账"
LEDGER = "stocktakes"  # audit log key


# What the clerk types: starting (开始盘点), counting (the sheet's 实盘 and 备注 columns), posting (过账)
STOCKTAKE_FIELDS = Fields(
    "stocktakes",
    Field("counted_by", "盘点人", max_len=40),  # picked from 通讯录
    Field("note", "备注", "multiline", max_len=500),
    Field("blind", "盲盘", "bool", placeholder="盲盘（盘点表不印账面数量）"),
    Field("keeper", "保管员", required=True, max_len=40),
    Field("admin_head", "行政主管", required=True, max_len=40),
    Field("finance_head", "财务主管", required=True, max_len=40),
    Field("post_date", "过账日期", "date"),  # empty: today
)
COUNT_FIELDS = Fields(
    "stocktakes",
    Field("counted_qty", "实盘数量", "qty", required=True, header="实盘"),  # 0 is a count: an empty shelf
    Field("note", "备注", max_len=200),
)
SIGN_OFFS = ("keeper", "admin_head", "finance_head")


@STOCKTAKE_FIELDS.table(order=("no", "started_at", "start_date", "status", "locations", "categories", "blind",
                               "snapshot_move_id", "counted_by", "note", "posted_at", "post_date", "keeper",
                               "admin_head", "finance_head", "gain_value", "loss_value"))
class Stocktake(VoidableModel):
    """One stocktake (fields typed by the clerk: :data:`STOCKTAKE_FIELDS`)."""

    no = pw.CharField(max_length=20, unique=True)
    started_at = pw.DateTimeField()
    start_date = pw.DateField(index=True)
    status = pw.CharField(max_length=6, default=OPEN, index=True)
    locations = pw.TextField(default="[]")  # JSON list; [] = every location
    categories = pw.TextField(default="[]")
    snapshot_move_id = pw.IntegerField(default=0)
    posted_at = pw.DateTimeField(null=True)
    gain_value = pw.IntegerField(default=0)
    loss_value = pw.IntegerField(default=0)

    class Meta:
        table_name = "stocktake"

    @property
    def scope_text(self) -> str:
        locs, cats = json.loads(self.locations or "[]"), json.loads(self.categories or "[]")
        parts = ([f"位置：{'、'.join(locs)}"] if locs else []) + ([f"类别：{'、'.join(cats)}"] if cats else [])
        return "；".join(parts) or "全部物品"


@COUNT_FIELDS.table(order=("stocktake", "item_id", "code", "name", "spec", "unit", "category", "location", "book_qty",
                            "unit_cost", "counted_qty", "counted_at", "expected_qty", "diff_qty", "diff_amount",
                            "note"))
class StocktakeLine(BaseModel):
    stocktake = pw.IntegerField(index=True)
    item_id = pw.IntegerField()
    code = pw.CharField(max_length=20)
    name = pw.CharField(max_length=60)
    spec = pw.CharField(max_length=60, default="")
    unit = pw.CharField(max_length=4)
    category = pw.CharField(max_length=20, default="")
    location = pw.CharField(max_length=40, default="")
    book_qty = pw.IntegerField()  # at the snapshot, thousandths
    unit_cost = pw.IntegerField(default=0)  # average cost at the snapshot, 1/10000 元
    counted_qty = pw.IntegerField(null=True)
    counted_at = pw.DateTimeField(null=True)
    expected_qty = pw.IntegerField(null=True)  # book at the count time, fixed when posted
    diff_qty = pw.IntegerField(null=True)
    diff_amount = pw.IntegerField(null=True)  # fen, fixed when posted

    class Meta:
        table_name = "stocktake_line"
        indexes = ((("stocktake", "item_id"), True),)


MODELS = [Stocktake, StocktakeLine]


# ---------------------------------------------------------------------------------------------- queries


def stocktake_by_id(take_id: int) -> Stocktake:
    return Stocktake.get_by_id(take_id)


def open_stocktake() -> Stocktake | None:
    return (Stocktake.select().where((Stocktake.status == OPEN) & (Stocktake.voided == False))  # noqa: E712
            .order_by(Stocktake.id.desc()).first())


def stocktakes(limit: int = 200) -> list[Stocktake]:
    return list(Stocktake.select().order_by(Stocktake.id.desc()).limit(limit))


def lines_of(take: Stocktake | int, location: str | None = None) -> list[StocktakeLine]:
    tid = take if isinstance(take, int) else take.id
    q = StocktakeLine.select().where(StocktakeLine.stocktake == tid)
    if location is not None:
        q = q.where(StocktakeLine.location == location)
    return list(q.order_by(StocktakeLine.location, StocktakeLine.code))


def _fresh(take: Stocktake | int) -> Stocktake:
    return Stocktake.get_by_id(take if isinstance(take, int) else take.id)


def expected_qty(take: Stocktake, line: StocktakeLine, counted_at: dt.datetime | None = None) -> int:
    """The book quantity of ``line``'s item at ``counted_at`` by the rule in the module doc (thousandths)."""
    at = counted_at or line.counted_at or now()
    m = StockMove
    q = (m.select(pw.fn.SUM(m.qty))
         .where((m.item == line.item_id) & (m.voided == False)  # noqa: E712
                & ((m.id <= take.snapshot_move_id) | (m.moved_at <= at))
                & ~((m.kind == ADJUST) & (m.ref_id == take.id))))
    return q.scalar() or 0


@dataclass(frozen=True)
class DiffRow:
    line: StocktakeLine
    expected: int
    counted: int
    diff: int
    amount: int  # fen; + 盘盈, − 盘亏
    unit_cost: int

    @property
    def gain(self) -> bool:
        return self.diff > 0


def differences(take: Stocktake | int, *, only_nonzero: bool = False) -> list[DiffRow]:
    """Counted lines with their expected quantity and difference, valued at the current average cost
    (for a posted stocktake: as posted)."""
    take = _fresh(take)
    out = []
    for line in lines_of(take):
        if line.counted_qty is None:
            continue
        if take.status == POSTED:
            expected, diff, amount = line.expected_qty or 0, line.diff_qty or 0, line.diff_amount or 0
            cost = _rdiv(abs(amount) * 100 * Q, abs(diff)) if diff else line.unit_cost
        else:
            expected = expected_qty(take, line)
            diff = line.counted_qty - expected
            cost = Supply.get_by_id(line.item_id).avg_cost
            amount = _rdiv(diff * cost, 100 * Q)
        if only_nonzero and not diff:
            continue
        out.append(DiffRow(line, expected, line.counted_qty, diff, amount, cost))
    return out


def progress(take: Stocktake | int) -> tuple[int, int]:
    """(lines counted, lines) of a stocktake."""
    tid = take if isinstance(take, int) else take.id
    total = StocktakeLine.select().where(StocktakeLine.stocktake == tid).count()
    done = StocktakeLine.select().where((StocktakeLine.stocktake == tid)
                                        & StocktakeLine.counted_qty.is_null(False)).count()
    return done, total


# ---------------------------------------------------------------------------------------------- steps


def _moment(value: Any, label: str, key: str, errors: dict, default: dt.datetime) -> dt.datetime:
    return parse_moment(value, label, key, errors, default=default, time_of_day=dt.time(23, 59))


STOCKTAKE_NO = series("stocktake", "盘点单号", "ST{year}-{n:03}", setting="supplies.stocktake_number_pattern",
                      column=Stocktake.no)


def start_stocktake(data: dict | None = None, *, at: dt.datetime | None = None) -> Stocktake:
    """开始盘点: snapshot the book quantity of every active item in scope (locations / categories)."""
    data = data or {}
    errors: dict[str, str] = {}
    locations = [str(x).strip() for x in data.get("locations") or [] if str(x).strip()]
    categories = [str(x).strip() for x in data.get("categories") or [] if str(x).strip()]
    note = STOCKTAKE_FIELDS["note"].clean(data.get("note"), errors)
    counted_by = STOCKTAKE_FIELDS["counted_by"].clean(_person(data.get("counted_by"))[1], errors)
    started = at or now()
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        current = open_stocktake()
        if current is not None:
            raise NeiqinError(f"盘点 {current.no}（{current.started_at:%Y-%m-%d %H:%M} 开始）尚未过账，"
                              "请先完成或作废它，再开始新的盘点")
        q = Supply.select().where((Supply.voided == False) & ((Supply.status == ITEM_ACTIVE)  # noqa: E712
                                                              | (Supply.on_hand != 0)))
        if locations:
            q = q.where(Supply.location.in_(locations))
        if categories:
            q = q.where(Supply.category.in_(categories))
        items = list(q.order_by(Supply.location, Supply.code))
        if not items:
            raise ValidationError({"locations": "所选范围内没有物品"})
        snap = StockMove.select(pw.fn.MAX(StockMove.id)).scalar() or 0
        take = Stocktake.create(no=STOCKTAKE_NO.take(started.year).text, started_at=started, start_date=started.date(),
                                locations=json.dumps(locations, ensure_ascii=False),
                                categories=json.dumps(categories, ensure_ascii=False),
                                blind=bool(data.get("blind")), snapshot_move_id=snap, counted_by=counted_by,
                                note=note)
        StocktakeLine.insert_many([
            {"stocktake": take.id, "item_id": it.id, "code": it.code, "name": it.name, "spec": it.spec,
             "unit": it.unit, "category": it.category, "location": it.location, "book_qty": it.on_hand,
             "unit_cost": it.avg_cost} for it in items]).execute()
        AuditLog.write(LEDGER, take.id, "create", f"开始盘点 {take.no}：{take.scope_text}，{len(items)} 种物品",
                       {"snapshot_move_id": [None, snap], "blind": [None, take.blind]})
    return take


def _require_open(take: Stocktake) -> None:
    if take.voided:
        raise NeiqinError(f"盘点 {take.no} 已作废")
    if take.status == POSTED:
        raise NeiqinError(f"盘点 {take.no} 已于 {take.posted_at:%Y-%m-%d %H:%M} 过账，不能再修改或重复过账")


def set_count(take: Stocktake | int, item: Any, qty: Any, *, counted_at: Any = None, add: bool = False,
              note: str | None = None) -> StocktakeLine:
    """Record the counted quantity of one item (by id, Supply or scanned code); ``add`` adds to it (scanning
    one piece at a time). An item outside the snapshot's scope gets a line of its own."""
    take = _fresh(take)
    _require_open(take)
    errors: dict[str, str] = {}
    if isinstance(item, Supply):
        supply = item
    elif isinstance(item, int):
        supply = Supply.get_or_none(Supply.id == item)
    else:
        supply = find_item(str(item or ""))
    if supply is None:
        raise ValidationError({"code": f"没有编码为“{str(item or '').strip()}”的物品"})
    qty_m = COUNT_FIELDS["counted_qty"].clean(qty, errors, at="counted", unit=supply.unit)
    note = COUNT_FIELDS["note"].clean(note, errors) if note is not None else None
    at = _moment(counted_at, "盘点时间", "counted_at", errors, now())
    if "counted_at" not in errors and at < take.started_at:
        errors["counted_at"] = f"盘点时间不能早于盘点开始时间（{take.started_at:%Y-%m-%d %H:%M}）"
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        line = StocktakeLine.get_or_none((StocktakeLine.stocktake == take.id) & (StocktakeLine.item_id == supply.id))
        if line is None:
            book = (StockMove.select(pw.fn.SUM(StockMove.qty))
                    .where((StockMove.item == supply.id) & (StockMove.voided == False)  # noqa: E712
                           & (StockMove.id <= take.snapshot_move_id)).scalar() or 0)
            line = StocktakeLine.create(stocktake=take.id, item_id=supply.id, code=supply.code, name=supply.name,
                                        spec=supply.spec, unit=supply.unit, category=supply.category,
                                        location=supply.location, book_qty=book, unit_cost=supply.avg_cost,
                                        note="盘点范围外发现")
        before = line.counted_qty
        line.counted_qty = (line.counted_qty or 0) + qty_m if add else qty_m
        line.counted_at = at
        if note is not None:
            line.note = note
        line.save()
        AuditLog.write(LEDGER, take.id, "count", f"盘点 {take.no}：{supply.name} 实盘 {qty_text(line.counted_qty, supply.unit)}",
                       {supply.code: [before, line.counted_qty]})
    return line


def clear_count(take: Stocktake | int, item_id: int) -> None:
    take = _fresh(take)
    _require_open(take)
    StocktakeLine.update(counted_qty=None, counted_at=None).where(
        (StocktakeLine.stocktake == take.id) & (StocktakeLine.item_id == item_id)).execute()
    AuditLog.write(LEDGER, take.id, "count", f"盘点 {take.no}：清除物品 #{item_id} 的实盘数")


def fill_uncounted(take: Stocktake | int, *, counted_at: dt.datetime | None = None) -> int:
    """未盘物品按账面数确认: every uncounted line takes its expected quantity; returns how many."""
    take = _fresh(take)
    _require_open(take)
    at = counted_at or now()
    n = 0
    with db.atomic():
        for line in lines_of(take):
            if line.counted_qty is None:
                line.counted_qty = expected_qty(take, line, at)
                line.counted_at = at
                line.note = line.note or "按账面数确认"
                line.save()
                n += 1
        if n:
            AuditLog.write(LEDGER, take.id, "count", f"盘点 {take.no}：{n} 种未盘物品按账面数确认")
    return n


def post_stocktake(take: Stocktake | int, data: dict, *, at: dt.datetime | None = None) -> Stocktake:
    """过账: every difference becomes a 盘点调整 movement, all in one transaction, with the three sign-offs."""
    take = _fresh(take)
    _require_open(take)
    errors: dict[str, str] = {}
    names = {}
    for key in SIGN_OFFS:
        names[key] = STOCKTAKE_FIELDS[key].clean(_person(data.get(key))[1], errors)
    post_date = data.get("post_date") or clock.today()
    if isinstance(post_date, str):
        try:
            post_date = dt.date.fromisoformat(post_date.strip())
        except ValueError:
            errors["post_date"] = f"{STOCKTAKE_FIELDS['post_date'].label}格式应为 YYYY-MM-DD"
            post_date = clock.today()
    if isinstance(post_date, dt.datetime):
        post_date = post_date.date()
    if "post_date" not in errors and post_date < take.start_date:
        errors["post_date"] = f"过账日期不能早于盘点开始日期（{take.start_date}）"
    elif "post_date" not in errors and post_date > clock.today():
        errors["post_date"] = "过账日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    moment = at or now()
    with write_transaction():
        take = _fresh(take)
        _require_open(take)  # a second window may have posted it meanwhile
        lines = lines_of(take)
        missing = [ln for ln in lines if ln.counted_qty is None]
        if missing:
            names_ = "、".join(ln.name for ln in missing[:5]) + ("等" if len(missing) > 5 else "")
            raise ValidationError({"lines": f"还有 {len(missing)} 种物品没有录入实盘数（{names_}）；"
                                            "请录入，或选择“未盘物品按账面数确认”"})
        no, lines_posted = "", 0  # one 盘点调整单 for every difference, numbered only if there is one
        gain = loss = 0
        for line in lines:
            expected = expected_qty(take, line)
            diff = line.counted_qty - expected
            amount = 0
            if diff:
                item = Supply.get_by_id(line.item_id)
                if item.on_hand + diff < 0:
                    raise ValidationError({"lines": f"“{item.name}”实盘 {qty_text(line.counted_qty, item.unit)}，"
                                                    f"但盘点后又发出了更多，现库存 {item.qty()} 不够调减 "
                                                    f"{qty_text(-diff, item.unit)}；请核对实盘数或之后的出库记录"})
                no = no or _next_no(ADJUST, post_date.year)
                lines_posted += 1
                m = adjust(item, diff, post_date, no=no, reason=f"盘点 {take.no} {'盘盈' if diff > 0 else '盘亏'}",
                           stocktake_id=take.id, handler=names["keeper"], at=moment, line=lines_posted)
                amount = m.amount
                if amount > 0:
                    gain += amount
                else:
                    loss -= amount
            line.expected_qty, line.diff_qty, line.diff_amount = expected, diff, amount
            line.save()
        Stocktake.update(status=POSTED, posted_at=moment, post_date=post_date, gain_value=gain, loss_value=loss,
                         updated_at=moment, **names).where(Stocktake.id == take.id).execute()
        AuditLog.write(LEDGER, take.id, "post", f"盘点 {take.no} 过账：盘盈 {gain / 100:.2f} 元，盘亏 {loss / 100:.2f} 元",
                       {k: [None, v] for k, v in names.items()})
    return _fresh(take)


def cancel_stocktake(take: Stocktake | int, reason: str) -> Stocktake:
    take = _fresh(take)
    if take.status == POSTED:
        raise NeiqinError(f"盘点 {take.no} 已过账，不能作废；如有差错请重新盘点")
    reason = check_void(take, reason)
    with db.atomic():
        take.voided, take.void_reason, take.voided_at = True, reason, now()
        take.save()
        AuditLog.write(LEDGER, take.id, "void", f"作废盘点 {take.no}：{reason}")
    return take
