"""Demo seals, licences, uses and loans. Imports the ledgers; imported by none of them.
"""

from __future__ import annotations

import datetime as dt

from neiqin.models.base import now
from neiqin.models.seals.loans import SealLoan, lend, return_loan
from neiqin.models.seals.registry import LICENCES, SEAL_DISABLED, SEAL_IN_USE, SEALS, Licence, Seal
from neiqin.models.seals.uses import (
    AGREE,
    APPROVED,
    DISAGREE,
    SealUse,
    apply_use,
    approve_use,
    correction_values,
    stamp_use,
    void_use,
)
from neiqin.numbering import write_transaction

# ---------------------------------------------------------------------------------------------- demo data

DEMO_SEALS = [("公司公章", "公章", 2), ("合同专用章", "合同专用章", 1), ("财务专用章", "财务专用章", 1),
              ("法定代表人名章", "法人章", 1), ("发票专用章", "发票专用章", 1), ("旧公章（2019年版）", "公章", 2)]
DEMO_DOCS = [("设备采购合同", "合同/协议", "与供应商签订采购合同"), ("房屋租赁合同", "合同/协议", "续签办公场所租赁"),
             ("在职证明", "证明/介绍信", "员工办理签证"), ("收入证明", "证明/介绍信", "员工办理贷款"),
             ("关于申请项目资金的请示", "公文/函件", "向主管部门报送"), ("投标文件", "其他", "参加市政工程投标"),
             ("年度财务报表", "报表/报告", "报送税务机关"), ("授权委托书", "授权委托书", "委托办理工商变更"),
             ("介绍信", "证明/介绍信", "外出联系业务"), ("技术服务协议", "合同/协议", "软件运维服务"),
             ("工资发放明细表", "报表/报告", "银行代发工资"), ("增值税发票", "财务票据", "开具销售发票")]


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Seals, licences, a few hundred seal uses through every step, and loans (some out, one overdue)."""
    if Seal.select().exists():
        return {}
    moment = now()
    today = moment.date()
    with write_transaction():
        seals = []
        for name, kind, levels in DEMO_SEALS:
            keeper = rng.choice(staff)
            seals.append(SEALS.create({
                "name": name, "kind": kind, "custodian": {"id": keeper.id, "name": keeper.name},
                "supervisor": rng.choice(staff).name, "enabled_on": dt.date(2019 + len(seals) % 4, 3, 1),
                "approval_levels": levels, "status": SEAL_DISABLED if name.startswith("旧") else SEAL_IN_USE,
                "note": "2023年更换新章后停用，封存于保险柜" if name.startswith("旧") else ""}))
        licences = [LICENCES.create(d) for d in (
            {"name": "营业执照", "copy_kind": "正本", "number": "91110105MA01C3XY7K", "issuer": "北京市朝阳区市场监督管理局",
             "location": "办公室保险柜", "inspection_date": today.replace(month=1, day=15)},
            {"name": "营业执照", "copy_kind": "副本", "number": "91110105MA01C3XY7K", "issuer": "北京市朝阳区市场监督管理局",
             "location": "办公室文件柜A-1", "inspection_date": today.replace(month=1, day=15)},
            {"name": "开户许可证", "copy_kind": "正本", "number": "J1000123456701", "issuer": "中国人民银行营业管理部",
             "location": "财务部保险柜"},
            {"name": "建筑业企业资质证书", "copy_kind": "副本", "number": "D211012345", "issuer": "北京市住房和城乡建设委员会",
             "valid_until": today + dt.timedelta(days=100), "location": "办公室文件柜A-2"},
            {"name": "安全生产许可证", "copy_kind": "正本", "number": "（京）JZ安许证字〔2020〕001234",
             "issuer": "北京市住房和城乡建设委员会", "valid_until": today - dt.timedelta(days=20),
             "location": "办公室文件柜A-2", "note": "正在办理延期"},
            {"name": "食品经营许可证", "copy_kind": "正本", "number": "JY11105001234567", "issuer": "朝阳区市场监督管理局",
             "valid_until": today + dt.timedelta(days=900), "location": "行政后勤部"},
        )]
        usable = [s for s in seals if s.status == SEAL_IN_USE]
        n = max(12, min(rows // 2, 200))
        first_day = today - dt.timedelta(days=min(365, max(30, n)))
        leaders = staff[:6]
        for i in range(n):
            day = first_day + dt.timedelta(days=(today - first_day).days * i // n)
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            last = i >= n - 6
            if last:
                day = today
            applied = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=rng.randrange(0, 420))
            if applied > moment - dt.timedelta(minutes=90):
                applied = moment - dt.timedelta(minutes=90 - i % 6 * 5)
            seal = rng.choice(usable[:3]) if rng.random() < 0.8 else rng.choice(usable)
            who = rng.choice(staff)
            title, doc_type, purpose = rng.choice(DEMO_DOCS)
            use = apply_use({"seal": seal.id, "applicant": {"id": who.id, "name": who.name,
                                                            "department": who.department},
                             "doc_title": title, "doc_type": doc_type, "copies": rng.choice([1, 1, 2, 2, 3, 4, 6]),
                             "stamps_per_copy": rng.choice([1, 1, 1, 2]), "purpose": purpose,
                             "doc_no": f"京城投发〔{day.year}〕{i + 1}号" if doc_type == "公文/函件" else "",
                             "applied_at": applied})
            if last and i >= n - 3:
                continue  # waiting for approval
            t = applied
            for level in range(use.levels):
                t += dt.timedelta(minutes=rng.randrange(10, 40))
                reject = not last and rng.random() < 0.03
                use = approve_use(use, {"approver": leaders[level * 3 + rng.randrange(3)].name, "approved_at": t,
                                        "decision": DISAGREE if reject else AGREE,
                                        "opinion": "请法务部先审核合同条款" if reject else ""})
                if reject:
                    break
            if use.status != APPROVED or (last and i >= n - 5):
                continue
            t += dt.timedelta(minutes=rng.randrange(5, 30))
            use = stamp_use(use, {"supervisor": seal.supervisor or rng.choice(staff).name, "content_checked": True,
                                  "stamped_at": min(t, moment)})
            if i == n // 2:
                void_use(use, "份数登记错误（实际 2 份），已重新登记")
                fix = correction_values(use)
                fix.update(copies=2, applied_at=t, applicant={"id": use.applicant_id, "name": use.applicant})
                fixed = apply_use(fix)
                for level in range(fixed.levels):
                    fixed = approve_use(fixed, {"approver": leaders[level * 3].name, "approved_at": t})
                stamp_use(fixed, {"supervisor": use.supervisor, "content_checked": True, "stamped_at": t})
        # loans: returned ones in the past, the 合同专用章 out now, the 营业执照副本 overdue
        for k in range(6):
            lent = moment - dt.timedelta(days=60 - k * 9, hours=rng.randrange(1, 5))
            item = licences[1] if k % 2 else seals[3]
            who = rng.choice(staff)
            loan = lend({"item": item, "borrower": {"id": who.id, "name": who.name}, "department": who.department,
                         "purpose": rng.choice(["银行开户", "工商变更登记", "投标报名", "签订合同"]),
                         "approver": leaders[0].name, "escort": rng.choice(staff).name if k % 2 == 0 else "",
                         "lent_at": lent, "due_at": lent + dt.timedelta(days=1)})
            return_loan(loan, {"returned_at": lent + dt.timedelta(hours=rng.randrange(3, 30)),
                               "return_condition": "完好"})
        who = staff[1]
        lend({"item": seals[1], "borrower": {"id": who.id, "name": who.name}, "purpose": "外出签订施工合同",
              "approver": leaders[0].name, "escort": staff[2].name, "lent_at": moment,
              "due_at": moment + dt.timedelta(days=1)})
        who = staff[3]
        lend({"item": licences[1], "borrower": {"id": who.id, "name": who.name}, "purpose": "参加政府采购投标",
              "approver": leaders[0].name, "lent_at": moment - dt.timedelta(days=4),
              "due_at": moment - dt.timedelta(days=1)})
    return {"seals": Seal.select().count(), "licences": Licence.select().count(),
            "seal-uses": SealUse.select().count(), "seal-loans": SealLoan.select().count()}
