"""办公用品 posting: receipts, issues, returns, scrap, stocktake adjustments and voids, each one slip (单号) written
in one transaction that moves the item's balance and cost. No Qt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, now
from neiqin.models.fields import Fields
from neiqin.models.ledger import check_void
from neiqin.models.supplies.amounts import (
    Q,
    _date,
    _person,
    _rdiv,
    dec_price,
    dec_qty,
    money_text,
    qty_text,
)
from neiqin.models.supplies.items import ITEM_ACTIVE, Supply, find_item
from neiqin.models.supplies.moves import (
    ADJUST,
    COST,
    ISSUE,
    MOVE_FIELDS,
    PREFIX,
    RECEIPT,
    RETURN,
    SCRAP,
    STOCK_MOVES,
    StockMove,
)
from neiqin.numbering import series, write_transaction
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for

# ---------------------------------------------------------------------------------------------- the slips

_ON_THE_DAY = {"required": False}  # an empty date is today
RECEIPT_SLIP = MOVE_FIELDS.pick("item", "qty", "unit_price", "amount", "supplier", "invoice_no", "handler", "move_date",
                                "note", qty={"label": "入库数量"}, move_date={"label": "入库日期", **_ON_THE_DAY})
ISSUE_SLIP = MOVE_FIELDS.pick("person", "department", "item", "qty", "purpose", "approver", "issuer", "move_date",
                              "note", person={"required": True}, qty={"label": "领用数量"},
                              move_date={"label": "领用日期", **_ON_THE_DAY})
RETURN_SLIP = MOVE_FIELDS.pick("qty", "reason", "handler", "move_date", qty={"label": "退库数量"},
                               reason={"label": "退库原因"}, move_date={"label": "退库日期", **_ON_THE_DAY})
SCRAP_SLIP = MOVE_FIELDS.pick("item", "qty", "reason", "approver", "handler", "move_date", qty={"label": "报损数量"},
                              reason={"label": "报损原因", "required": True},
                              move_date={"label": "报损日期", **_ON_THE_DAY})


def _day(slip: Fields, data: dict, errors: dict) -> dt.date | None:
    """The slip's date: today when empty, never in the future."""
    return _date(data.get("move_date"), slip["move_date"].label, "move_date", errors, default=clock.today())


def _name(slip: Fields, key: str, value: Any, errors: dict) -> tuple[int | None, str, str]:
    """A person picked from 通讯录 or typed: (staff id, name checked against the slip's field, department)."""
    sid, name, dept = _person(value)
    return sid, slip[key].clean(name, errors), dept


# ---------------------------------------------------------------------------------------------- posting


class ZeroPriceWarning(NeedsConfirmation):
    """入库 at price 0 (free samples, gifts): the window asks before anything is saved."""

    key, title = "zero_price", "单价为 0"
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


def receive(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED, at: dt.datetime | None = None
            ) -> list[StockMove]:
    """入库 of one item (``data['item']``) or several (``data['lines']``: dicts of item, qty, unit_price, amount).

    Amount = quantity × unit price rounded to the fen, unless 金额 is given (from the invoice); then the unit
    cost follows from it. A price of 0 raises ZeroPriceWarning unless confirmed.
    """
    errors: dict[str, str] = {}
    lines = data.get("lines") or [{k: data.get(k) for k in ("item", "code", "qty", "in_qty", "unit_price",
                                                             "unit_cost", "amount")}]
    day = _day(RECEIPT_SLIP, data, errors)
    head = RECEIPT_SLIP.clean(data, errors, ("supplier", "invoice_no", "note"))
    supplier, invoice, note = head["supplier"], head["invoice_no"], head["note"]
    handler = _name(RECEIPT_SLIP, "handler", data.get("handler"), errors)[1]
    prepared = []
    zero = []
    single = len(lines) == 1 and not data.get("lines")
    for i, line in enumerate(lines):
        k = (lambda f: f) if single else (lambda f, i=i: f"{f}.{i}")  # noqa: E731
        item = _item(line.get("item") or line.get("code"), errors, k("item"), for_receipt=True)
        unit = item.unit if item else ""
        qty = RECEIPT_SLIP["qty"].clean(line.get("qty") if line.get("qty") not in (None, "") else line.get("in_qty"),
                                        errors, at=k("qty"), unit=unit)
        price = RECEIPT_SLIP["unit_price"].clean(line.get("unit_price") if line.get("unit_price") not in (None, "")
                                                 else line.get("unit_cost"), errors, at=k("unit_price"))
        amount = RECEIPT_SLIP["amount"].clean(line.get("amount"), errors, at=k("amount"))
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
    if zero and reason_for(confirmed, ZeroPriceWarning.key) is None:
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
    person = ISSUE_SLIP["person"].clean(person, errors)
    department = ISSUE_SLIP["department"].clean(data.get("department"), errors) or pdept
    if not department:
        errors.setdefault("department", "请填写领用部门")
    approver = _name(ISSUE_SLIP, "approver", data.get("approver"), errors)[1]
    issuer = _name(ISSUE_SLIP, "issuer", data.get("issuer"), errors)[1]
    day = _day(ISSUE_SLIP, data, errors)
    common_purpose = ISSUE_SLIP["purpose"].clean(data.get("purpose"), errors) if single else \
        str(data.get("purpose") or "").strip()[:200]
    note = ISSUE_SLIP["note"].clean(data.get("note"), errors)
    if not lines:
        errors["lines"] = "请至少添加一种物品"
    with write_transaction():
        prepared = []
        wanted: dict[int, int] = {}
        for i, line in enumerate(lines):
            k = (lambda f: f) if single else (lambda f, i=i: f"{f}.{i}")  # noqa: E731
            item = _item(line.get("item") or line.get("code"), errors, k("item"))
            qty = ISSUE_SLIP["qty"].clean(line.get("qty"), errors, at=k("qty"), unit=item.unit if item else "")
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
    qty = RETURN_SLIP["qty"].clean(data.get("qty"), errors, unit=item.unit)
    if qty and "qty" not in errors and qty > issued - back:
        errors["qty"] = (f"退库数量不能超过未退数量 {qty_text(issued - back, item.unit)}"
                         f"（领用 {qty_text(issued, item.unit)}，已退 {qty_text(back, item.unit)}）")
    day = _day(RETURN_SLIP, data, errors)
    if day and "move_date" not in errors and day < move.move_date:
        errors["move_date"] = f"退库日期不能早于领用日期（{move.move_date}）"
    reason = RETURN_SLIP["reason"].clean(data.get("reason"), errors)
    handler = _name(RETURN_SLIP, "handler", data.get("handler"), errors)[1]
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
    qty = SCRAP_SLIP["qty"].clean(data.get("qty"), errors, unit=item.unit if item else "")
    reason = SCRAP_SLIP["reason"].clean(data.get("reason"), errors)
    day = _day(SCRAP_SLIP, data, errors)
    handler = _name(SCRAP_SLIP, "handler", data.get("handler"), errors)[1]
    approver = _name(SCRAP_SLIP, "approver", data.get("approver"), errors)[1]
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


