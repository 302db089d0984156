"""Demo 收文 and 发文, and the bulk generator for benchmarks. Imports the ledgers; imported by none of them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import peewee as pw

from neiqin import clock
from neiqin.models import workdays
from neiqin.models.base import AuditLog, now
from neiqin.models.mail.docs_common import (
    DELIVERY_VIA,
    IN_ARCHIVED,
    IN_DONE,
    IN_HANDLING,
    INCOMING_NO,
    SECRECY_NONE,
    URGENCY_NONE,
    DocEvent,
)
from neiqin.models.mail.incoming import (
    INCOMING,
    Circulation,
    IncomingDoc,
    _incoming_search_parts,
    find_duplicate,
    register_incoming,
)
from neiqin.models.mail.incoming_steps import (
    archive_incoming,
    assign_incoming,
    circulate_incoming,
    finish_incoming,
    instruct_incoming,
    propose_incoming,
    remind_incoming,
    return_circulation,
    review_incoming,
)
from neiqin.models.mail.outgoing import (
    Delivery,
    OutgoingDoc,
    add_deliveries,
    archive_outgoing,
    print_outgoing,
    register_outgoing,
    sign_delivery,
)
from neiqin.models.staff import Staff
from neiqin.numbering import write_transaction

MODELS = [IncomingDoc, OutgoingDoc, DocEvent, Circulation, Delivery]
# ---------------------------------------------------------------------------------------------- demo data

DEMO_SENDERS = ["市人民政府办公室", "市发展和改革委员会", "市住房和城乡建设局", "市财政局", "市人民政府国有资产监督管理委员会",
                "市应急管理局", "市生态环境局", "市审计局", "国家税务总局某某市税务局", "区人民政府办公室",
                "市人力资源和社会保障局", "市交通运输局", "市自然资源和规划局", "市总工会", "市消防救援支队",
                "某某银行股份有限公司某某分行", "市建筑业协会"]
DEMO_CODES = {"市人民政府办公室": "某政办发", "市发展和改革委员会": "某发改投资", "市住房和城乡建设局": "某建发",
              "市财政局": "某财建", "市人民政府国有资产监督管理委员会": "某国资发", "市应急管理局": "某应急",
              "市生态环境局": "某环发", "市审计局": "某审发", "国家税务总局某某市税务局": "某税发",
              "区人民政府办公室": "某区政办", "市人力资源和社会保障局": "某人社发", "市交通运输局": "某交发",
              "市自然资源和规划局": "某自然资规", "市总工会": "某工发", "市消防救援支队": "某消"}
DEMO_TOPICS = [("关于做好{y}年度安全生产工作的通知", "通知"), ("关于开展城市更新项目调研的函", "函"),
               ("关于报送{y}年投资计划执行情况的通知", "通知"), ("关于进一步加强国有企业财务管理的意见", "意见"),
               ("关于{y}年第一季度经济运行情况的通报", "通报"), ("关于做好节假日期间值班工作的通知", "通知"),
               ("关于转发《建设工程质量管理条例》实施细则的通知", "通知"), ("关于召开重点项目推进会的通知", "通知"),
               ("关于某某片区改造项目资金拨付的批复", "批复"), ("关于开展审计整改“回头看”的通知", "通知"),
               ("关于规范工程建设项目招标投标活动的通知", "通知"), ("关于印发《国有资产监管工作要点》的通知", "通知"),
               ("关于商请协助提供项目资料的函", "函"), ("关于做好防汛防台风工作的紧急通知", "通知"),
               ("市政府常务会议纪要", "纪要"), ("关于表彰先进集体和先进个人的决定", "决定"),
               ("关于落实减税降费政策的通知", "通知"), ("关于征求《城市建设管理办法（征求意见稿）》意见的函", "函")]
DEMO_RESULTS = ["已按要求报送", "已组织落实并书面报告", "已转相关部门执行", "已参会并传达", "已复函",
                "已阅知，无需办理", "已按批示意见办理完毕"]
DEMO_OUT_TITLES = [("关于{y}年度投资计划的请示", "请示", "公司发"), ("关于报送安全生产工作总结的报告", "报告", "公司发"),
                   ("关于商请办理项目用地手续的函", "函", "公司函"), ("关于调整办公时间的通知", "通知", "办字"),
                   ("关于某某项目竣工验收情况的报告", "报告", "公司发"), ("关于提供项目资料的复函", "函", "公司函"),
                   ("关于召开年度工作会议的通知", "通知", "办字"), ("关于申请拨付项目资本金的请示", "请示", "公司发")]


# 备注 as a clerk writes them on the paper register (taken in turn: the random sequence of the demo stays as it was)
DEMO_IN_NOTES = ("", "", "原件已交档案室", "", "", "电子版已转发各部门", "", "来文单位电话通知")
DEMO_OUT_NOTES = ("", "", "电子版同时通过OA发送", "", "", "", "原稿随文存档")


def _demo_moment(rng: random.Random, day: dt.date, moment: dt.datetime) -> dt.datetime:
    t = dt.datetime.combine(day, dt.time(8, 40)) + dt.timedelta(minutes=rng.randrange(0, 480))
    return min(t, moment - dt.timedelta(minutes=rng.randrange(30, 90)))


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """A year of 收文 and 发文 in every state: archived, done, in hand (some overdue, some due tomorrow)."""
    if IncomingDoc.select().exists() or not staff:
        return {}
    moment = now()
    today = moment.date()
    leaders = staff[:4]
    office = staff[4:8] or staff
    n_in = max(24, min(rows // 2, 160))
    n_out = max(8, min(rows // 6, 50))
    first = today - dt.timedelta(days=330)
    with write_transaction():
        for i in range(n_in):
            recent = i >= n_in - 14
            if recent:  # the last fortnight's mail, still in hand
                day = today - dt.timedelta(days=(n_in - 1 - i) // 3)
            else:
                day = min(workdays.next_working_day(first + dt.timedelta(days=(today - first).days * i // n_in)),
                          today)
            at = _demo_moment(rng, day, moment)
            sender = rng.choice(DEMO_SENDERS)
            title, kind = rng.choice(DEMO_TOPICS)
            code = DEMO_CODES.get(sender)
            urgent = rng.random() < 0.12
            secret = rng.random() < 0.06
            data = {"received_at": at, "signed_by": rng.choice(office).name, "sender_org": sender,
                    "sender_no": f"{code}〔{day.year}〕{rng.randrange(1, 180)}号" if code else "",
                    "title": title.format(y=day.year), "kind": "信函" if not code and kind == "函" else kind,
                    "urgency": rng.choice(["加急", "特急"]) if urgent else URGENCY_NONE,
                    "secrecy": "秘密" if secret else (rng.choice(["内部", SECRECY_NONE, SECRECY_NONE])),
                    "secrecy_years": 5 if secret else None, "copies": rng.choice([1, 1, 1, 2, 3]),
                    "pages": rng.randrange(2, 30), "attachments": rng.choice(["", "", "", "附件1份", "附表2张"]),
                    "deadline_days": rng.choice([3, 5, 5, 10]) if urgent or rng.random() < 0.5 else None,
                    "deadline_rule": workdays.WORKING, "note": DEMO_IN_NOTES[i % len(DEMO_IN_NOTES)]}
            if data["sender_no"] and find_duplicate(sender, data["sender_no"]):
                data["sender_no"] = f"{code}〔{day.year}〕{200 + i}号"
            doc = register_incoming(data, confirmed={"duplicate": ""})
            t = at
            last = i >= n_in - 3

            def step(minutes: int, floor: dt.datetime = at) -> dt.datetime:
                nonlocal t
                t = max(min(t + dt.timedelta(minutes=minutes), moment - dt.timedelta(minutes=5)), floor)
                return t

            if last:
                continue  # this morning's mail, still waiting for 初审
            if i % 29 == 7:
                review_incoming(doc, {"by": office[0].name, "at": step(30), "passed": False,
                                      "reason": "来文无正式文号且未加盖公章，已退回来文单位补正"})
                continue
            doc = review_incoming(doc, {"by": office[0].name, "at": step(20)})
            if i >= n_in - 5:
                continue
            lead = leaders[i % len(leaders)]
            dept = rng.choice(staff[8:] or staff)
            doc = propose_incoming(doc, {"by": office[1 % len(office)].name, "at": step(60),
                                         "opinion": f"建议由{dept.department}牵头办理，{lead.name}同志阅示。"})
            doc = instruct_incoming(doc, {"by": lead.name, "at": step(240),
                                          "instruction": rng.choice(["同意拟办意见，请抓紧落实。", "请按时办结并报告。",
                                                                     "请相关部门认真研究，提出意见。", "阅。请传达。"])})
            assign_day = t.date()
            due = None
            if recent and i % 3 == 0:
                due = today - dt.timedelta(days=2 + i % 3)  # overdue
            elif recent and i % 3 == 1:
                due = workdays.add_working_days(today, 1)  # due tomorrow (next working day)
            assign = {"handler": {"id": dept.id, "name": dept.name, "department": dept.department},
                      "at": step(60), "deadline_days": 5, "deadline_rule": workdays.WORKING}
            if due is not None:
                assign.update(due_date=max(due, doc.received_on), deadline_days=None)
            doc = assign_incoming(doc, assign)
            if rng.random() < 0.4:
                readers = rng.sample(leaders, k=min(2, len(leaders)))
                rows_c = circulate_incoming(doc, {"readers": [{"id": r.id, "name": r.name} for r in readers],
                                                  "at": step(30)})
                for c in rows_c[: 1 if recent else len(rows_c)]:
                    return_circulation(c, {"at": step(120)})
            if recent:
                if doc.due_date and doc.due_date < today:
                    remind_incoming(doc, {"at": step(30), "way": "电话", "note": "承办人称正在汇总材料"})
                continue
            doc = IncomingDoc.get_by_id(doc.id)
            done_on = min(today, (doc.due_date or assign_day) - dt.timedelta(days=rng.randrange(0, 2)))
            done_on = max(done_on, doc.received_on)
            doc = finish_incoming(doc, {"result": rng.choice(DEMO_RESULTS), "done_on": done_on,
                                        "reply_no": f"公司函〔{done_on.year}〕{i + 1}号" if kind == "函" else ""})
            if doc.circulating == 0 and done_on < today - dt.timedelta(days=75) and rng.random() < 0.85:
                archive_incoming(doc, {"archive_no": f"0001-WS·{done_on.year}-D10-{i + 1:04d}",
                                       "volume_no": f"{done_on.year}-{done_on.month:02d}", "archived_on": min(
                                           today, done_on + dt.timedelta(days=20))})
        wrong = IncomingDoc.select().where(IncomingDoc.status == IN_HANDLING).order_by(IncomingDoc.id).first()
        if wrong is not None:
            INCOMING.void(wrong, "重复登记（同一文件已于前一日登记）")
        # 发文
        from neiqin.models.mail.addresses import organisation_names

        orgs = organisation_names() or DEMO_SENDERS
        for j in range(n_out):
            day = first + dt.timedelta(days=(today - first).days * j // n_out) if j < n_out - 5 else today
            day = min(workdays.next_working_day(day), today)
            title, kind, code = DEMO_OUT_TITLES[j % len(DEMO_OUT_TITLES)]
            drafter = rng.choice(staff)
            main = rng.sample(orgs, k=min(len(orgs), rng.choice([1, 1, 2])))
            cc = rng.sample(orgs, k=min(len(orgs), rng.choice([0, 1, 2])))
            cc = [o for o in cc if o not in main]
            doc = register_outgoing({
                "issued_on": day, "code": code, "title": title.format(y=day.year), "kind": kind,
                "urgency": "加急" if j % 7 == 3 else URGENCY_NONE, "main_to": main, "copy_to": cc,
                "drafter": {"id": drafter.id, "name": drafter.name, "department": drafter.department},
                "reviewer": office[0].name, "signer": leaders[j % len(leaders)].name,
                "signed_on": day, "copies": 1, "print_copies": len(main) + len(cc) + 2,
                "attachments": "" if j % 3 else "附件2份", "note": DEMO_OUT_NOTES[j % len(DEMO_OUT_NOTES)]})
            if j >= n_out - 2:
                continue  # registered today, not printed yet
            sent = max(_demo_moment(rng, day, moment), dt.datetime.combine(day, dt.time(0, 0)))
            print_outgoing(doc, {"print_copies": doc.print_copies, "at": sent})
            rows_d = add_deliveries(doc, {"organisations": main + cc, "via": rng.choice(DELIVERY_VIA[:4]),
                                          "category": "急件" if doc.urgency != URGENCY_NONE else "普通",
                                          "sent_at": sent})
            if j >= n_out - 4:
                continue  # on their way
            if j == n_out - 7:  # about two weeks ago, one recipient has not signed for it yet: 今日 lists it
                rows_d = rows_d[:-1]
            for r in rows_d:
                sign_delivery(r, {"signed_by": rng.choice("王李张刘陈杨赵周") + rng.choice("敏强军华丽静洁"),
                                  "signed_at": max(sent, min(moment, dt.datetime.combine(
                                      sent.date() + dt.timedelta(days=rng.randrange(0, 2)),
                                      dt.time(9 + rng.randrange(0, 8), rng.randrange(0, 60)))))})
            if day < today - dt.timedelta(days=40):
                archive_outgoing(doc, {"archive_no": f"0001-WS·{day.year}-Y-{j + 1:04d}",
                                       "volume_no": f"{day.year}-发文", "archived_on": day + dt.timedelta(days=30)})
    return {"incoming": IncomingDoc.select().count(), "outgoing": OutgoingDoc.select().count()}


def bulk_documents(n: int, seed: int = 7, *, years: int = 3,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Insert ``n`` past 收文 (done or archived) spread over ``years`` years, with search index, fast.

    For benchmarks and the 今日 / global-search work: one audit entry for the whole batch.
    """
    rng = random.Random(seed)
    today = clock.today()
    start = today - dt.timedelta(days=365 * years)
    handlers = [(s.department, s.name) for s in Staff.select(Staff.name, Staff.department).limit(60)] or \
        [("办公室", "王芳"), ("财务部", "李强"), ("工程部", "张伟")]
    done = 0
    batch = 5000
    with write_transaction():
        last_id = IncomingDoc.select(pw.fn.MAX(IncomingDoc.id)).scalar() or 0
        while done < n:
            k = min(batch, n - done)
            days = sorted(start + dt.timedelta(days=(done + i) * (today - start).days // max(n, 1)) for i in range(k))
            numbers = []
            for year in sorted({d.year for d in days}):
                numbers += INCOMING_NO.take_many(sum(d.year == year for d in days), year)
            rows = []
            for day, number in zip(days, numbers, strict=True):
                year = day.year
                sender = rng.choice(DEMO_SENDERS)
                code = DEMO_CODES.get(sender, "某发")
                title, kind = rng.choice(DEMO_TOPICS)
                dept, person = rng.choice(handlers)
                received = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=rng.randrange(0, 480))
                done_on = min(today - dt.timedelta(days=1), day + dt.timedelta(days=rng.randrange(1, 10)))
                archived = done_on < today - dt.timedelta(days=60)
                rows.append({
                    "year": year, "serial": number.serial, "no": number.text,
                    "received_on": day, "received_at": received, "signed_by": person, "sender_org": sender,
                    "sender_no": f"{code}〔{year}〕{rng.randrange(1, 400)}号", "title": title.format(y=year),
                    "kind": kind, "secrecy": SECRECY_NONE, "urgency": URGENCY_NONE, "copies": 1,
                    "pages": rng.randrange(2, 20), "attachments": "", "status": IN_ARCHIVED if archived else IN_DONE,
                    "handler_dept": dept, "handler": person, "assigned_at": received, "deadline_rule": "",
                    "due_date": done_on, "result": rng.choice(DEMO_RESULTS), "reply_no": "", "done_on": done_on,
                    "archive_no": f"0001-WS·{year}-D10-{number.serial:04d}" if archived else "",
                    "volume_no": f"{year}-{day.month:02d}" if archived else "",
                    "archived_on": done_on + dt.timedelta(days=30) if archived else None,
                    "created_at": received, "updated_at": received,
                })
            fields = list(rows[0])
            IncomingDoc.insert_many([tuple(r[f] for f in fields) for r in rows],
                                    fields=[getattr(IncomingDoc, f) for f in fields]).execute()
            index = []
            for rid, r in enumerate(rows, last_id + 1):
                d = IncomingDoc(id=rid, **r)
                index.append((rid, *_incoming_search_parts(d)))
            INCOMING.search.put_many(index)
            last_id += k
            done += k
            if progress:
                progress(done, n)
        AuditLog.write("incoming", None, "import", f"生成演示收文 {n} 条")
    return n
