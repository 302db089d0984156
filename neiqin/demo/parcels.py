"""Demo parcels in and out, and the bulk generator for benchmarks. Imports the ledgers; imported by none of them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import peewee as pw

from neiqin.models import settings
from neiqin.models.base import AuditLog, db, now
from neiqin.models.mail.addresses import ADDRESSES, Organisation
from neiqin.models.mail.dispatches import Dispatch, address_values, record_dispatch
from neiqin.models.mail.parcel_rules import PICKED
from neiqin.models.mail.parcels import (
    PARCELS,
    Parcel,
    _parcel_search_parts,
    pick_up,
    receive,
    return_parcel,
    suggest_shelf,
)
from neiqin.models.staff import Staff

# ---------------------------------------------------------------------------------------------- demo data

DEMO_SENDERS = ["京东商城", "天猫超市", "国家税务总局北京市税务局", "中国工商银行北京分行", "北京市社会保险基金管理中心",
                "顺丰同城", "某某律师事务所", "中国电信北京分公司", "当当网", "得力办公用品旗舰店", "华夏银行信用卡中心",
                "北京市朝阳区人民法院", "中国建筑科学研究院", "某某会计师事务所", "上海某某印务有限公司"]
DEMO_SHELVES = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "地面"]
DEMO_CONTENTS = ["合同", "发票", "公函", "投标文件", "样品", "资料", "证书原件", "对账单", "会议材料"]
_NUMBER_MAKERS: list[Callable[[random.Random], tuple[str, str]]] = [
    lambda r: (f"SF{r.randrange(10**12, 10**13)}", "顺丰速运"),
    lambda r: (f"SF{r.randrange(10**12, 10**13)}", "顺丰速运"),
    lambda r: (f"JDVA{r.randrange(10**10, 10**11)}", "京东物流"),
    lambda r: (f"YT{r.randrange(10**12, 10**13)}", "圆通速递"),
    lambda r: (f"7{r.choice('3568')}{r.randrange(10**11, 10**12)}", "中通快递"),
    lambda r: (f"43{r.randrange(10**10, 10**11)}", "韵达快递"),
    lambda r: (f"77{r.randrange(10**12, 10**13)}", "申通快递"),
    lambda r: (f"JT{r.randrange(10**12, 10**13)}", "极兔速递"),
    lambda r: (f"1{r.randrange(10**11, 10**12)}", "EMS"),
    lambda r: (f"R{r.choice('RBE')}{r.randrange(10**8, 10**9)}CN", "邮政挂号"),
    lambda r: (f"DPK{r.randrange(10**11, 10**12)}", "德邦快递"),
]

DEMO_ORGS = [
    ("北京市朝阳区人民政府办公室", "北京市朝阳区日坛北路33号", "100020", "王主任", "010-65094000"),
    ("北京市住房和城乡建设委员会", "北京市通州区达济街9号院", "101160", "刘科长", "010-55597000"),
    ("北京市市场监督管理局", "北京市通州区留庄路6号院", "101100", "陈处长", "010-82690000"),
    ("国家税务总局北京市朝阳区税务局", "北京市朝阳区工体东路6号", "100020", "赵科员", "010-65012345"),
    ("北京市规划和自然资源委员会", "北京市通州区承安路1号院", "101160", "孙工", "010-55590000"),
    ("中国建设银行北京朝阳支行", "北京市朝阳区朝阳门北大街8号", "100027", "李经理", "010-65543210"),
    ("中国工商银行北京分行营业部", "北京市西城区复兴门南大街2号", "100031", "周经理", "010-66106114"),
    ("北京市朝阳区人民法院", "北京市朝阳区西大望路18号", "100022", "立案庭", "010-87710000"),
    ("北京仲裁委员会", "北京市朝阳区建国门外大街甲12号新华保险大厦16层", "100022", "秘书处", "010-65669856"),
    ("中国建筑科学研究院有限公司", "北京市北三环东路30号", "100013", "吴工", "010-64517711"),
    ("上海城建设计研究总院有限公司", "上海市徐汇区东安路15号", "200032", "郑经理", "021-64030000"),
    ("上海市住房和城乡建设管理委员会", "上海市黄浦区大沽路100号", "200003", "办公室", "021-23111111"),
    ("广州市城市建设投资集团有限公司", "广州市越秀区中山四路228号", "510030", "冯主任", "020-83330000"),
    ("深圳市建筑工务署", "深圳市福田区深南大道6011号", "518040", "黄科长", "0755-82170000"),
    ("杭州市城市规划设计研究院", "杭州市上城区解放路138号", "310002", "何工", "0571-87060000"),
    ("南京市城市建设投资控股（集团）有限责任公司", "南京市玄武区中央路214号", "210009", "徐经理", "025-83210000"),
    ("成都市兴城投资集团有限公司", "成都市高新区天府大道北段966号", "610041", "罗主任", "028-85180000"),
    ("武汉市城市建设投资开发集团有限公司", "武汉市江岸区解放大道1638号", "430014", "马经理", "027-82830000"),
    ("西安市市政设计研究院有限公司", "西安市雁塔区长安南路68号", "710061", "高工", "029-85230000"),
    ("天津城市基础设施建设投资集团有限公司", "天津市和平区大沽北路161号", "300040", "林主任", "022-23300000"),
    ("苏州市住房和城乡建设局", "苏州市姑苏区三香路120号", "215004", "朱科长", "0512-68610000"),
    ("长沙市城市建设投资开发集团有限公司", "长沙市岳麓区滨江路53号", "410013", "胡经理", "0731-88660000"),
    ("中国中铁建工集团有限公司", "北京市丰台区汽车博物馆南路1号", "100070", "工程部", "010-51888888"),
    ("中建一局集团建设发展有限公司", "北京市朝阳区广渠路15号", "100022", "商务部", "010-87370000"),
    ("北京市政路桥股份有限公司", "北京市西城区南礼士路17号", "100045", "办公室", "010-68033333"),
    ("北京城建设计发展集团股份有限公司", "北京市西城区阜成门北大街5号", "100037", "市场部", "010-88336666"),
    ("中国电信股份有限公司北京分公司", "北京市西城区西单北大街131号", "100032", "政企客户部", "10000"),
    ("北京某某律师事务所", "北京市朝阳区东三环中路5号财富金融中心20层", "100020", "张律师", "010-85191234"),
    ("某某会计师事务所（特殊普通合伙）", "北京市东城区朝阳门北大街8号富华大厦A座9层", "100027", "审计部", "010-65542288"),
    ("某某工程咨询有限公司", "北京市海淀区西直门北大街32号枫蓝国际B座", "100082", "项目部", "010-62231188"),
]


def _parcel_row(rng: random.Random, staff: list[Staff], received: dt.datetime, status: str) -> dict:
    number, carrier = rng.choice(_NUMBER_MAKERS)(rng)
    who = rng.choice(staff)
    row = {"received_at": received, "receive_date": received.date(), "tracking_no": number, "carrier": carrier,
           "sender": rng.choice(DEMO_SENDERS) if rng.random() < 0.8 else "", "recipient_id": who.id,
           "recipient": who.name, "department": who.department, "pieces": rng.choice([1, 1, 1, 1, 1, 2, 3]),
           "shelf": rng.choice(DEMO_SHELVES), "status": status, "picked_by": "", "picked_at": None,
           "returned_at": None, "return_reason": "", "incoming_no": "", "note": "",
           "created_at": received, "updated_at": received, "voided": False, "void_reason": "", "voided_at": None}
    if status == PICKED:
        other = rng.random() < 0.15
        row["picked_by"] = rng.choice(staff).name if other else who.name
        if other and row["picked_by"] != who.name:
            row["note"] = f"{row['picked_by']} 代 {who.name} 领取"
        picked = received + dt.timedelta(minutes=rng.randrange(10, 420))
        if picked.time() > dt.time(18, 30):  # collected the next working morning
            picked = dt.datetime.combine(picked.date() + dt.timedelta(days=1), dt.time(8, 40)) + \
                dt.timedelta(minutes=rng.randrange(0, 120))
        row["picked_at"] = picked
        row["updated_at"] = row["picked_at"]
    return row


def bulk_parcels(n: int, seed: int = 7, *, days: int = 1000, staff: list[Staff] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` past parcels (all picked up) over ``days`` days, with their search index, fast."""
    rng = random.Random(seed)
    staff = staff or list(Staff.select().where(Staff.voided == False))  # noqa: E712
    if not staff:
        from neiqin.demo import seed_directory

        staff = seed_directory(rng)
    moment = now()
    start = dt.datetime.combine(moment.date() - dt.timedelta(days=days), dt.time(8, 30))
    span = (moment - dt.timedelta(days=1) - start).total_seconds()
    fields = list(_parcel_row(rng, staff, moment, PICKED))
    done = 0
    with db.atomic():
        last = Parcel.select(pw.fn.MAX(Parcel.id)).scalar() or 0
        while done < n:
            k = min(5000, n - done)
            rows = []
            for i in range(k):
                t = start + dt.timedelta(seconds=span * (done + i) / max(n, 1))
                t = t.replace(hour=8 + (done + i) % 10, minute=rng.randrange(60), second=0)
                row = _parcel_row(rng, staff, t, PICKED)
                if row["picked_at"] > moment:
                    row["picked_at"] = row["updated_at"] = moment
                rows.append(row)
            Parcel.insert_many([tuple(r[f] for f in fields) for r in rows],
                               fields=[getattr(Parcel, f) for f in fields]).execute()
            index = []
            for pid, r in zip(range(last + 1, last + 1 + k), rows, strict=True):
                index.append((pid, *_parcel_search_parts(Parcel(id=pid, **r))))
            PARCELS.search.put_many(index)
            last += k
            done += k
            if progress is not None:
                progress(done, n)
        AuditLog.write("parcels", None, "import", f"生成快递收件演示数据 {n} 条")
    return n


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """An address book, parcels in every state (several waiting today, some for days) and a year of dispatches."""
    if Parcel.select().exists() or Dispatch.select().exists():
        return {}
    moment = now()
    today = moment.date()
    with db.atomic():
        if not Organisation.select().exists():
            for name, address, postcode, contact, phone in DEMO_ORGS:
                ADDRESSES.create({"name": name, "address": address, "postcode": postcode, "contact": contact,
                                  "phone": phone})
        if not settings.get("parcels.sender_address"):
            settings.set_value("parcels.sender_address", "北京市朝阳区建国路88号现代城A座12层")
            settings.set_value("parcels.sender_postcode", "100022")
            settings.set_value("parcels.sender_phone", "010-65661234")
        past = max(40, min(rows, 2000))
        bulk_parcels(past, seed=rng.randrange(10**6), days=max(60, min(365, past // 3)), staff=staff)
        # the last days: some waiting (a few for days), one returned, one picked up on behalf, one voided
        recent = []
        for i in range(14):
            age = [0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 6, 0, 0][i]
            t = dt.datetime.combine(today - dt.timedelta(days=age), dt.time(9, 10)) + dt.timedelta(minutes=23 * i)
            if t > moment - dt.timedelta(minutes=5):
                t = moment - dt.timedelta(minutes=60 - i * 3)
            number, carrier = rng.choice(_NUMBER_MAKERS)(rng)
            who = staff[i % 7]
            recent.append(receive({"tracking_no": number, "carrier": carrier, "recipient": who.id,
                                   "sender": rng.choice(DEMO_SENDERS), "pieces": 1 + (i % 5 == 0),
                                   "shelf": suggest_shelf(who.id) or DEMO_SHELVES[i % len(DEMO_SHELVES)],
                                   "received_at": t}))
        pick_up(recent[12], staff[8].name, at=min(moment, recent[12].received_at + dt.timedelta(minutes=40)))
        return_parcel(recent[13], "收件人已离职，拒收退回", at=min(moment, recent[13].received_at + dt.timedelta(minutes=30)))
        PARCELS.void(recent[0], "重复扫描登记")
        # dispatches over the last twelve months
        orgs = list(Organisation.select().where(Organisation.voided == False))  # noqa: E712
        n_out = max(24, min(rows // 2, 240))
        first = today - dt.timedelta(days=365)
        for i in range(n_out):
            day = first + dt.timedelta(days=365 * i // n_out)
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            org = rng.choice(orgs)
            who = rng.choice(staff)
            number, carrier = rng.choice(_NUMBER_MAKERS[:9])(rng)
            heavy = rng.random() < 0.15
            record_dispatch({**address_values(org), "send_date": min(day, today), "tracking_no": number,
                             "carrier": carrier, "sender": {"id": who.id, "name": who.name,
                                                            "department": who.department},
                             "contents": rng.choice(DEMO_CONTENTS), "pay_mode": rng.choice(["月结", "月结", "寄付现结"]),
                             "cost": f"{rng.choice([12, 12, 15, 18, 20, 23]) + (30 if heavy else 0)}"
                                     f".{rng.choice(['00', '00', '50'])}"})
    return {"addresses": Organisation.select().count(), "parcels": Parcel.select().count(),
            "dispatches": Dispatch.select().count()}
