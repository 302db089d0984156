"""Realistic sample data for every ledger, for demos, screenshots and benchmarks.

Bulk rows go in with ``insert_many`` (one audit entry for the whole batch), so a million visitors take
seconds, not hours. Today always has visitors on site and appointments, so every view has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from neiqin import clock
from neiqin.models import settings
from neiqin.models.base import AuditLog, db, now
from neiqin.models.staff import STAFF, Department, Staff
from neiqin.models.validators import id_check_char
from neiqin.models.visitors import (
    APPOINTMENT,
    LEFT,
    VISITORS,
    Visit,
    add_watch,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞鑫波斌宇浩凯健俊帆帅旭宁欣怡佳雪琳晨曦子涵梓轩一诺浩然思远雨桐嘉怡"
DEPARTMENTS = ["办公室", "人力资源部", "财务部", "市场部", "技术部", "采购部", "法务部", "行政后勤部", "安全保卫部"]
TITLES = ["主任", "副主任", "经理", "副经理", "主管", "专员", "工程师", "会计", "出纳", "科员"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "天津", "苏州", "长沙"]
INDUSTRIES = ["科技", "信息技术", "建设工程", "商贸", "物流", "咨询", "机电设备", "环保科技", "文化传媒", "医药"]
SUFFIX = ["有限公司", "股份有限公司", "集团有限公司"]
PURPOSES = ["商务洽谈", "合同签订", "设备维修", "送货", "面试", "参加会议", "项目验收", "走访调研", "检查指导",
            "技术交流", "投标文件递交", "快递取件", "培训授课", "审计", "安装调试"]
BELONGINGS = ["", "", "", "笔记本电脑", "资料一袋", "样品两箱", "工具包", "投影仪"]
PROVINCE_CODES = ["110105", "310104", "440106", "440305", "330106", "320102", "510104", "420106", "610113"]
PLATE_PREFIX = ["京A", "京B", "沪A", "粤A", "粤B", "浙A", "苏A", "川A", "鄂A", "陕A"]


def fake_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def fake_id(rng: random.Random) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    first17 = f"{rng.choice(PROVINCE_CODES)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_char(first17)


def fake_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def fake_company(rng: random.Random) -> str:
    return rng.choice(CITIES) + rng.choice("华中新远恒瑞泰达盛鑫诚信博宏") + rng.choice("通源兴业科创联") + \
        rng.choice(INDUSTRIES) + rng.choice(SUFFIX)


def seed_directory(rng: random.Random, people: int = 60) -> list[Staff]:
    if not settings.get("org_name"):
        settings.set_value("org_name", "某某市城市建设投资有限公司")
    Department.set_list(DEPARTMENTS)
    staff = list(Staff.select())
    used = {s.name for s in staff}
    while len(staff) < people:
        name = fake_name(rng)
        if name in used:
            continue
        used.add(name)
        bd = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 32))
        staff.append(STAFF.create({
            "name": name, "department": rng.choice(DEPARTMENTS), "title": rng.choice(TITLES),
            "office_phone": f"010-6{rng.randrange(0, 10**7):07d}", "extension": str(rng.randrange(8000, 8999)),
            "mobile": fake_mobile(rng), "email": f"user{len(staff) + 1}@example.com", "birthday": bd,
        }))
    # a birthday today keeps the 今日 screen honest (29 February: the 28th, as birth years may not be leap)
    s, t = staff[0], clock.today()
    if s.birthday and (s.birthday.month, s.birthday.day) != (t.month, t.day):
        STAFF.update(s, {"birthday": s.birthday.replace(month=t.month, day=28 if (t.month, t.day) == (2, 29)
                                                        else t.day)})
    return staff


def _visit_row(rng: random.Random, day: dt.date, staff: list[Staff], status: str, retention_cut: dt.date,
               moment: dt.datetime) -> dict:
    host = rng.choice(staff)
    arrive = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randrange(0, 540))
    if day == moment.date() and arrive > moment:
        arrive = moment - dt.timedelta(minutes=rng.randrange(5, 120))
    leave = arrive + dt.timedelta(minutes=rng.randrange(15, 240)) if status == LEFT else None
    if leave and leave > moment:
        leave = moment
    erased = day < retention_cut
    return {
        "visit_date": day, "name": fake_name(rng), "company": fake_company(rng) if rng.random() < 0.9 else "",
        "id_type": "居民身份证", "id_number": "" if erased else fake_id(rng),
        "phone": "" if erased else fake_mobile(rng), "party_size": rng.choice([1, 1, 1, 1, 2, 2, 3, 5]),
        "purpose": rng.choice(PURPOSES), "host": host.id, "host_name": host.name, "host_dept": host.department,
        "badge_no": "", "belongings": rng.choice(BELONGINGS),
        "plate": rng.choice(PLATE_PREFIX) + f"{rng.randrange(0, 10**5):05d}" if rng.random() < 0.3 else "",
        "note": "", "status": status,
        "arrive_at": arrive if status != APPOINTMENT else None, "leave_at": leave,
        "expected_at": None, "pii_erased_at": moment if erased else None,
        "created_at": arrive or moment, "updated_at": leave or arrive or moment,
    }


def bulk_visits(rows: int, *, seed: int = 7, days: int = 365, progress: Callable[[int, int], None] | None = None,
                staff: list[Staff] | None = None) -> int:
    """Insert ``rows`` past visits (all left) spread over ``days`` days, with search index, fast."""
    rng = random.Random(seed)
    staff = staff or list(Staff.select()) or seed_directory(rng)
    moment = now()
    today = moment.date()
    cut = today - dt.timedelta(days=int(settings.get("visitor.retention_days") or 180))
    fields = list(_visit_row(rng, today, staff, LEFT, cut, moment))
    done = 0
    batch = 5000
    with db.atomic():
        last = Visit.select(Visit.id).order_by(Visit.id.desc()).scalar() or 0
        while done < rows:
            n = min(batch, rows - done)
            # oldest first, so ids grow with dates as they do in real use
            dates = sorted(today - dt.timedelta(days=days - (done + i) * days // max(rows, 1))
                           for i in range(n))
            data = []
            for i, day in enumerate(dates):
                row = _visit_row(rng, min(day, today - dt.timedelta(days=1)), staff, LEFT, cut, moment)
                row["badge_no"] = f"F{(done + i) % 200 + 1:03d}"
                data.append(row)
            Visit.insert_many([tuple(r[f] for f in fields) for r in data], fields=[getattr(Visit, f)
                                                                                   for f in fields]).execute()
            ids = range(last + 1, last + 1 + n)
            index = []
            for vid, r in zip(ids, data, strict=True):
                v = Visit(id=vid, **{k: r[k] for k in r if k != "host"})
                index.append((vid, *VISITORS.search_parts(v)))
            VISITORS.search.put_many(index)
            last += n
            done += n
            if progress:
                progress(done, rows)
        AuditLog.write("visitors", None, "import", f"生成演示数据 {rows} 条")
    return rows


def generate(rows: int = 300, *, seed: int = 7, progress: Callable[[int, int], None] | None = None) -> dict:
    """Fill every existing ledger with sample data. Returns counts per ledger."""
    rng = random.Random(seed)
    staff = seed_directory(rng)
    past = max(rows - 12, 0)
    bulk_visits(past, seed=seed, days=max(30, min(365, past // 8 + 30)), progress=progress, staff=staff)
    from neiqin.models.visitors import check_in, check_out, make_appointment

    moment = now()
    today = moment.date()
    opens, closes = dt.datetime.combine(today, dt.time(8, 0)), dt.datetime.combine(today, dt.time(17, 30))
    # today, relative to the clock and never in the future: visitors who came before now (some left, some still
    # on site), appointments later today and tomorrow. Before office hours nobody has come yet: today's
    # visitors are appointments still to come.
    for i in range(min(rows, 12)):
        host = rng.choice(staff)
        data = {"name": fake_name(rng), "company": fake_company(rng), "id_number": fake_id(rng),
                "phone": fake_mobile(rng), "purpose": rng.choice(PURPOSES), "host": host.id,
                "party_size": rng.choice([1, 1, 2]), "belongings": rng.choice(BELONGINGS)}
        if i < 4:
            expected = dt.datetime.combine(today + dt.timedelta(days=i // 2), dt.time(14 + i, 0))
            data["expected_at"] = expected if expected > moment else expected + dt.timedelta(days=1)
        else:
            arrive = max(opens, min(moment, closes) - dt.timedelta(minutes=20 * (12 - i)))
            if arrive > moment:
                data["expected_at"] = arrive + dt.timedelta(hours=1)
            else:
                data["arrive_at"] = arrive
        if "expected_at" in data:
            data["visit_date"] = data["expected_at"].date()
            make_appointment(data)
            continue
        v = check_in(data)
        if i < 7:
            check_out(v, min(moment, v.arrive_at + dt.timedelta(minutes=30)))
    from neiqin.models.visitors import WatchEntry

    if not WatchEntry.select().exists():
        add_watch("name", "赵无名", "曾多次冒充快递员进入办公区")
        add_watch("company", "某某推销", "推销人员，行政部要求谢绝")
    from neiqin.demo import documents, meetings, parcels, seals, supplies

    counts = {"staff": Staff.select().count(), "visitors": Visit.select().count()}
    for ledger in (seals, parcels, documents, supplies, meetings):
        counts.update(ledger.seed_demo(rng, staff, rows))
    return counts
