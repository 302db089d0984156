"""Demo data for 办公用品: a realistic catalogue, months of work in date order, and a fast bulk generator."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from neiqin import clock
from neiqin.models.base import AuditLog, db, now
from neiqin.models.staff import Staff
from neiqin.models.supplies.amounts import PRICE, Q, _rdiv, dec_price, dec_qty
from neiqin.models.supplies.items import SUPPLIES, Supply
from neiqin.models.supplies.moves import ISSUE, RECEIPT, STOCK_MOVES, StockMove, _move_search_parts
from neiqin.models.supplies.posting import SLIP_NO, issue, receive, return_issue, scrap
from neiqin.models.supplies.reports import suggest_qty
from neiqin.numbering import write_transaction

# (name, category, spec, unit, location, min, max, price 元)
DEMO_ITEMS: list[tuple[str, str, str, str, str, int, int, str]] = [
    ("A4复印纸", "纸品", "70g 500张/包", "包", "A柜-1层", 20, 100, "23.50"),
    ("A4复印纸", "纸品", "80g 500张/包", "包", "A柜-1层", 10, 60, "27.80"),
    ("A3复印纸", "纸品", "80g 500张/包", "包", "A柜-1层", 3, 15, "55.00"),
    ("彩色复印纸", "纸品", "A4 80g 混色", "包", "A柜-1层", 1, 5, "32.00"),
    ("便利贴", "纸品", "76×76mm 100张", "本", "A柜-2层", 20, 80, "2.60"),
    ("信纸", "纸品", "16K 50页 带抬头", "本", "A柜-2层", 10, 50, "3.50"),
    ("牛皮纸信封", "纸品", "5号 220×110", "个", "A柜-2层", 100, 500, "0.35"),
    ("牛皮纸信封", "纸品", "9号 324×229", "个", "A柜-2层", 50, 300, "0.80"),
    ("档案袋", "文件管理", "A4 牛皮纸 250g", "个", "A柜-3层", 50, 300, "1.20"),
    ("笔记本", "纸品", "B5 80页 软抄", "本", "A柜-2层", 20, 100, "4.50"),
    ("会议记录本", "纸品", "A5 皮面 120页", "本", "A柜-2层", 5, 30, "18.00"),
    ("收据", "纸品", "二联 无碳复写", "本", "A柜-2层", 5, 20, "3.80"),
    ("中性笔", "书写工具", "0.5mm 黑色", "支", "B柜-1层", 50, 300, "1.50"),
    ("中性笔", "书写工具", "0.5mm 红色", "支", "B柜-1层", 20, 100, "1.50"),
    ("中性笔", "书写工具", "0.5mm 蓝色", "支", "B柜-1层", 20, 100, "1.50"),
    ("中性笔芯", "书写工具", "0.5mm 黑色 20支/盒", "盒", "B柜-1层", 10, 50, "12.00"),
    ("圆珠笔", "书写工具", "0.7mm 蓝色", "支", "B柜-1层", 20, 100, "1.20"),
    ("签字笔", "书写工具", "1.0mm 黑色 商务", "支", "B柜-1层", 10, 50, "6.50"),
    ("铅笔", "书写工具", "HB 12支/盒", "盒", "B柜-1层", 3, 15, "9.60"),
    ("白板笔", "书写工具", "黑色 可擦", "支", "B柜-1层", 10, 60, "2.80"),
    ("白板笔", "书写工具", "红色 可擦", "支", "B柜-1层", 5, 30, "2.80"),
    ("荧光笔", "书写工具", "黄色 斜头", "支", "B柜-1层", 10, 40, "2.20"),
    ("记号笔", "书写工具", "黑色 油性 双头", "支", "B柜-1层", 10, 40, "2.50"),
    ("修正带", "书写工具", "5mm×6m", "个", "B柜-2层", 10, 50, "4.80"),
    ("橡皮", "书写工具", "4B 绘图", "块", "B柜-2层", 10, 40, "1.00"),
    ("订书机", "桌面文具", "12号 20页", "个", "B柜-2层", 3, 15, "15.00"),
    ("订书钉", "桌面文具", "12号 1000枚/盒", "盒", "B柜-2层", 20, 100, "1.50"),
    ("重型订书机", "桌面文具", "可订100页", "个", "B柜-2层", 1, 3, "68.00"),
    ("起钉器", "桌面文具", "省力型", "个", "B柜-2层", 3, 10, "3.00"),
    ("回形针", "桌面文具", "29mm 100枚/盒", "盒", "B柜-2层", 10, 50, "1.80"),
    ("长尾夹", "桌面文具", "25mm 12只/盒", "盒", "B柜-2层", 10, 50, "4.50"),
    ("长尾夹", "桌面文具", "41mm 12只/盒", "盒", "B柜-2层", 5, 30, "8.80"),
    ("大头针", "桌面文具", "100枚/盒", "盒", "B柜-2层", 3, 15, "2.00"),
    ("剪刀", "桌面文具", "180mm 不锈钢", "把", "B柜-3层", 3, 10, "6.50"),
    ("美工刀", "桌面文具", "18mm 大号", "把", "B柜-3层", 3, 10, "4.00"),
    ("透明胶带", "桌面文具", "18mm×30m", "卷", "B柜-3层", 20, 80, "1.50"),
    ("封箱胶带", "桌面文具", "48mm×100m 透明", "卷", "B柜-3层", 10, 40, "6.00"),
    ("双面胶", "桌面文具", "12mm×10m", "卷", "B柜-3层", 10, 40, "1.20"),
    ("固体胶", "桌面文具", "21g", "支", "B柜-3层", 10, 40, "3.50"),
    ("计算器", "桌面文具", "12位 太阳能", "台", "B柜-3层", 2, 8, "38.00"),
    ("印台", "桌面文具", "红色 方形", "个", "B柜-3层", 2, 8, "12.00"),
    ("印油", "桌面文具", "红色 40ml", "瓶", "B柜-3层", 3, 12, "5.50"),
    ("文件夹", "文件管理", "A4 单强力夹", "个", "C柜-1层", 20, 100, "5.50"),
    ("文件夹", "文件管理", "A4 双强力夹", "个", "C柜-1层", 10, 60, "6.80"),
    ("拉杆夹", "文件管理", "A4 透明", "个", "C柜-1层", 20, 100, "1.50"),
    ("资料册", "文件管理", "A4 60页 插袋", "本", "C柜-1层", 10, 40, "15.00"),
    ("档案盒", "文件管理", "A4 背宽5cm 牛皮纸", "个", "C柜-2层", 30, 150, "4.50"),
    ("档案盒", "文件管理", "A4 背宽3cm 塑料", "个", "C柜-2层", 20, 100, "6.00"),
    ("文件框", "文件管理", "三联 桌面", "个", "C柜-2层", 3, 10, "22.00"),
    ("拉链袋", "文件管理", "A4 网格 PVC", "个", "C柜-2层", 20, 100, "1.80"),
    ("硒鼓", "打印耗材", "HP CF226A 黑色", "个", "D柜-1层", 2, 8, "420.00"),
    ("硒鼓", "打印耗材", "HP CE285A 黑色", "个", "D柜-1层", 2, 6, "360.00"),
    ("硒鼓", "打印耗材", "兄弟 TN-2325", "个", "D柜-1层", 1, 4, "280.00"),
    ("墨盒", "打印耗材", "Canon PG-845 黑色", "个", "D柜-1层", 2, 6, "95.00"),
    ("墨盒", "打印耗材", "Canon CL-846 彩色", "个", "D柜-1层", 1, 4, "118.00"),
    ("复印机粉盒", "打印耗材", "理光 MP2014 黑色", "支", "D柜-1层", 2, 6, "165.00"),
    ("色带", "打印耗材", "爱普生 LQ-630K", "个", "D柜-1层", 2, 8, "28.00"),
    ("热敏标签纸", "打印耗材", "60×40mm 800张/卷", "卷", "D柜-2层", 2, 10, "18.00"),
    ("U盘", "电脑配件", "32G USB3.0", "个", "D柜-2层", 3, 10, "39.00"),
    ("鼠标", "电脑配件", "有线 USB 光电", "个", "D柜-2层", 3, 10, "29.00"),
    ("键盘", "电脑配件", "有线 USB 104键", "个", "D柜-2层", 2, 6, "59.00"),
    ("网线", "电脑配件", "超五类 成品", "米", "D柜-2层", 20, 100, "1.20"),
    ("插线板", "电脑配件", "6位 3米 带开关", "个", "D柜-2层", 2, 8, "45.00"),
    ("5号电池", "电池电料", "碱性 4节/卡", "卡", "D柜-3层", 10, 40, "12.00"),
    ("7号电池", "电池电料", "碱性 4节/卡", "卡", "D柜-3层", 10, 40, "12.00"),
    ("抽纸", "清洁用品", "3层 130抽", "包", "E柜-1层", 30, 200, "3.80"),
    ("卷纸", "清洁用品", "4层 10卷/提", "提", "E柜-1层", 10, 60, "25.00"),
    ("擦手纸", "清洁用品", "三折 200张", "包", "E柜-1层", 20, 100, "4.50"),
    ("垃圾袋", "清洁用品", "45×50cm 50只/卷", "卷", "E柜-2层", 20, 100, "3.50"),
    ("洗手液", "清洁用品", "500ml 抑菌", "瓶", "E柜-2层", 10, 40, "16.80"),
    ("洗洁精", "清洁用品", "1.5千克", "瓶", "E柜-2层", 3, 12, "13.50"),
    ("消毒液", "清洁用品", "84消毒液 散装", "升", "E柜-2层", 5, 30, "6.00"),
    ("拖把", "清洁用品", "棉线 旋转", "把", "E柜-3层", 2, 8, "35.00"),
    ("抹布", "清洁用品", "超细纤维 30×30", "条", "E柜-3层", 10, 50, "2.00"),
    ("一次性纸杯", "茶水用品", "9盎司 50只/条", "条", "F柜-1层", 20, 100, "5.50"),
    ("桶装水", "茶水用品", "18.9L", "桶", "茶水间", 10, 40, "15.00"),
    ("茶叶", "茶水用品", "绿茶 250g/罐", "罐", "F柜-1层", 2, 8, "68.00"),
    ("咖啡", "茶水用品", "速溶 100条/盒", "盒", "F柜-1层", 1, 5, "79.00"),
    ("白糖", "茶水用品", "绵白糖 散装", "千克", "F柜-1层", 1, 5, "8.00"),
    ("口罩", "劳保用品", "一次性医用 50只/盒", "盒", "F柜-2层", 5, 20, "15.00"),
    ("劳保手套", "劳保用品", "棉纱 12双/打", "打", "F柜-2层", 3, 10, "18.00"),
]
DEMO_SUPPLIERS = ["晨光文具专营店", "得力办公用品批发部", "京东企业购", "本市惠民文化用品有限公司",
                  "鑫达打印耗材经营部", "宏远日用百货商行"]
DEMO_PURPOSES = ["日常办公", "日常办公", "日常办公", "会议使用", "打印材料", "项目资料整理", "接待使用",
                 "年终归档", "培训使用", "新员工领用"]


def _demo_items(rng: random.Random, since: dt.date) -> list[Supply]:
    items = []
    with db.atomic():
        for name, cat, spec, unit, loc, lo, hi, price in DEMO_ITEMS:
            items.append(SUPPLIES.create({"name": name, "category": cat, "spec": spec, "unit": unit, "location": loc,
                                          "min_stock": lo, "max_stock": hi, "ref_price": price, "since": since}))
    return items


def _at(day: dt.date, rng: random.Random, hour: int = 9, spread: int = 420) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(hour, 0)) + dt.timedelta(minutes=rng.randrange(0, spread))
    return min(moment, now() - dt.timedelta(minutes=5))


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """~80 items, four months of receipts with price changes, a few hundred issues across departments, returns,
    a write-off, last month's stocktake (posted, with differences), and a few items left below their minimum.

    Everything is recorded in date order, as a clerk would have, so the stocktake rule sees a true history."""
    if Supply.select().exists() or not staff:
        return {}
    today = clock.today()
    start = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=1)
    count_day = today.replace(day=1) - dt.timedelta(days=1)
    items = _demo_items(rng, start)
    keeper = staff[0].name
    low = set(rng.sample(range(len(items)), 7))
    with write_transaction():
        for it in items:  # opening stock, up to the maximum
            receive({"item": it, "qty": dec_qty(it.max_stock), "unit_price": dec_price(it.ref_price),
                     "move_date": start, "supplier": rng.choice(DEMO_SUPPLIERS),
                     "invoice_no": f"{rng.randrange(10**7, 10**8)}", "handler": keeper, "note": "期初库存"},
                    at=_at(start, rng))
        n_issues = max(120, min(rows, 600))
        first = start + dt.timedelta(days=1)
        span = (today - first).days
        counted = restocked_month = None
        for n in range(n_issues):
            d = first + dt.timedelta(days=span * n // n_issues)
            if d.weekday() >= 5:
                continue
            if counted is None and d > count_day:
                counted = _demo_stocktake(rng, staff, items, count_day)
            if d.day >= 5 and restocked_month != (d.year, d.month):  # monthly restock, prices drift a little
                restocked_month = (d.year, d.month)
                for i, it in enumerate(items):
                    fresh = Supply.get_by_id(it.id)
                    if fresh.on_hand <= fresh.min_stock * 2 and i not in low:
                        change = Decimal(rng.choice([-5, 0, 0, 3, 5, 8])) / 100 + 1
                        price = (dec_price(fresh.ref_price) * change).quantize(Decimal("0.01"), ROUND_HALF_UP)
                        receive({"item": fresh, "qty": dec_qty(suggest_qty(fresh) or fresh.max_stock),
                                 "unit_price": price, "move_date": d, "supplier": rng.choice(DEMO_SUPPLIERS),
                                 "invoice_no": f"{rng.randrange(10**7, 10**8)}", "handler": keeper},
                                at=_at(d, rng, 8, spread=30))
            who = rng.choice(staff)
            lines = []
            for it in rng.sample(items[:66], rng.choice([1, 1, 1, 2, 2, 3])):
                fresh = Supply.get_by_id(it.id)
                if fresh.on_hand <= 2 * Q:
                    continue
                many = fresh.unit in ("包", "卷", "个", "支")
                qty = min(rng.choice([1, 2, 2, 3, 5, 10] if many else [1, 1, 1, 2, 2, 3]) * Q, fresh.on_hand - Q)
                lines.append({"item": fresh, "qty": dec_qty(qty - qty % Q or Q)})
            if not lines:
                continue
            moves = issue({"person": {"id": who.id, "name": who.name, "department": who.department},
                           "lines": lines, "purpose": rng.choice(DEMO_PURPOSES), "approver": staff[1].name,
                           "issuer": keeper, "move_date": d}, at=_at(d, rng))
            if n % 37 == 5:
                return_issue(moves[0], {"qty": 1, "reason": "多领退回", "handler": keeper, "move_date": d},
                             at=moves[0].moved_at + dt.timedelta(minutes=30))
            if n == n_issues // 2:
                toner = next(it for it in items if it.name == "硒鼓")
                scrap({"item": toner, "qty": 1, "reason": "受潮漏粉，无法使用", "handler": keeper,
                       "approver": staff[1].name, "move_date": d}, at=_at(d, rng))
        if counted is None:
            _demo_stocktake(rng, staff, items, count_day)
        d = max(today - dt.timedelta(days=1), today.replace(day=1))
        for i in sorted(low):  # leave a few items at or below their minimum
            fresh = Supply.get_by_id(items[i].id)
            take = fresh.on_hand - fresh.min_stock + (Q if i % 2 else 0)
            take -= take % Q
            if take > 0:
                who = rng.choice(staff)
                issue({"person": {"id": who.id, "name": who.name, "department": who.department},
                       "lines": [{"item": fresh, "qty": dec_qty(take)}], "purpose": "部门月度领用",
                       "approver": staff[1].name, "issuer": keeper, "move_date": d}, at=_at(d, rng))
    return {"supplies": Supply.select().count(), "stock-moves": StockMove.select().count()}


def _demo_stocktake(rng: random.Random, staff: list, items: list[Supply], day: dt.date):
    """Month-end count: two shortages and one surplus, posted with the three sign-offs."""
    from neiqin.models.supplies import stocktake as st

    started = dt.datetime.combine(day, dt.time(16, 30))
    take = st.start_stocktake({"note": "月末盘点", "counted_by": staff[0].name}, at=started)
    counted_at = started + dt.timedelta(minutes=40)
    for line in st.lines_of(take):
        book = st.expected_qty(take, line, counted_at)
        qty = book
        if line.code in (items[0].code, items[12].code):
            qty = max(book - 2 * Q, 0)
        elif line.code == items[35].code:
            qty = book + Q
        st.set_count(take, line.item_id, dec_qty(qty), counted_at=counted_at)
    return st.post_stocktake(take, {"keeper": staff[0].name, "admin_head": staff[1].name,
                                    "finance_head": staff[2].name, "post_date": day},
                             at=started + dt.timedelta(hours=1))


def bulk_stock_moves(n: int, seed: int = 7, *, days: int = 730, progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` movements (receipts and issues, costed in order) fast, for benchmarks and global search.

    The demo catalogue is created if there are no items. Caches and the search index are kept right.
    """
    rng = random.Random(seed)
    staff = list(Staff.select().where(Staff.voided == False).limit(200))  # noqa: E712
    if not staff:
        from neiqin.demo import seed_directory

        staff = seed_directory(rng)
    today = clock.today()
    first = today - dt.timedelta(days=days)
    items = list(Supply.select().where(Supply.voided == False).order_by(Supply.id))  # noqa: E712
    if not items:
        items = _demo_items(rng, first)
    state = {it.id: [it.on_hand, it.stock_value, it.last_cost or it.ref_price or PRICE] for it in items}
    fields = ["no", "kind", "move_date", "moved_at", "item", "code", "name", "spec", "unit", "qty", "unit_cost",
              "amount", "supplier", "invoice_no", "handler", "staff_id", "person", "department", "purpose",
              "approver", "issuer", "created_at", "updated_at"]
    done = 0
    with write_transaction():
        last_id = StockMove.select(pw.fn.MAX(StockMove.id)).scalar() or 0
        while done < n:
            batch = min(5000, n - done)
            rows, index = [], []
            slips: dict[tuple[str, int], list[dict]] = {}  # numbered per kind and year once the batch is drawn
            for k in range(batch):
                i = done + k
                day = first + dt.timedelta(days=days * i // max(n, 1))
                it = items[rng.randrange(len(items))]
                on_hand, value, cost = state[it.id]
                at = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(seconds=i % 30000)
                if on_hand < 3 * Q or rng.random() < 0.12:
                    qty = rng.choice([10, 20, 50, 100]) * Q
                    price = max(1, cost + rng.randrange(-cost // 20 - 1, cost // 20 + 2))
                    amount = _rdiv(qty * price, 100 * Q)
                    row = {"no": "", "kind": RECEIPT, "qty": qty, "unit_cost": price,
                           "amount": amount, "supplier": rng.choice(DEMO_SUPPLIERS),
                           "invoice_no": str(rng.randrange(10**7, 10**8)), "handler": staff[0].name,
                           "staff_id": None, "person": "", "department": "", "purpose": "", "approver": "",
                           "issuer": ""}
                    state[it.id] = [on_hand + qty, value + amount, price]
                else:
                    qty = min(rng.choice([1, 1, 2, 3]) * Q, on_hand)
                    amount = value if qty == on_hand else _rdiv(value * qty, on_hand)
                    who = staff[rng.randrange(len(staff))]
                    row = {"no": "", "kind": ISSUE, "qty": -qty,
                           "unit_cost": _rdiv(amount * 100 * Q, qty), "amount": -amount, "supplier": "",
                           "invoice_no": "", "handler": "", "staff_id": who.id, "person": who.name,
                           "department": who.department, "purpose": rng.choice(DEMO_PURPOSES),
                           "approver": staff[1 % len(staff)].name, "issuer": staff[0].name}
                    state[it.id] = [on_hand - qty, value - amount, cost]
                row.update({"move_date": day, "moved_at": at, "item": it.id, "code": it.code, "name": it.name,
                            "spec": it.spec, "unit": it.unit, "created_at": at, "updated_at": at})
                rows.append(row)
                slips.setdefault((row["kind"], day.year), []).append(row)
            for (kind, year), same in slips.items():
                for row, number in zip(same, SLIP_NO[kind].take_many(len(same), year), strict=True):
                    row["no"] = number.text
            for k, row in enumerate(rows):
                m = StockMove(id=last_id + k + 1, **row)
                index.append((m.id, *_move_search_parts(m)))
            StockMove.insert_many([tuple(row[f] for f in fields) for row in rows],
                                  fields=[getattr(StockMove, f) for f in fields]).execute()
            STOCK_MOVES.search.put_many(index)
            last_id += batch
            done += batch
            if progress:
                progress(done, n)
        for it in items:
            on_hand, value, cost = state[it.id]
            Supply.update(on_hand=on_hand, stock_value=value, last_cost=cost).where(Supply.id == it.id).execute()
        AuditLog.write(STOCK_MOVES.key, None, "import", f"生成演示出入库记录 {n} 条")
    return n


