"""用印: seal use step by step — 申请, 审批, 用印 — and its statistics. No Qt.

Seal uses are evidence: they are written only through the step functions below, each of which appends an event to the
hash chain (:mod:`neiqin.models.seals.chain`) and updates the projected row in the same transaction. A correction is
a void (itself an event) plus a new record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import VoidableModel, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import SearchIndex, register_ledger
from neiqin.models.seals.chain import USE_FIELDS
from neiqin.models.seals.chained import ChainedLedgerSpec, chained_write, void_change
from neiqin.models.seals.loans import open_loan_of_seal
from neiqin.models.seals.registry import (
    DOC_TYPES,
    SEAL_DESTROYED,
    SEAL_DISABLED,
    SEAL_LENT,
    SEAL_LOST,
    Seal,
    _fmt,
    _int,
    _moment,
    _person,
)
from neiqin.numbering import order_index, series, write_transaction

PENDING, APPROVED, REJECTED, STAMPED = "待审批", "已批准", "未批准", "已用印"
AGREE, DISAGREE = "同意", "不同意"
def _approvers(row: dict) -> str:
    out = []
    for i in (1, 2):
        name = row.get(f"approver{i}")
        if name:
            out.append(name + ("（不同意）" if row.get(f"decision{i}") == DISAGREE else ""))
    return "、".join(out)


def _copies(row: dict) -> str:
    c, per = row.get("copies") or 0, row.get("stamps_per_copy") or 1
    return f"{c}（{c * per}）"


def _use_date(row: dict):
    return row.get("stamped_at").date() if row.get("stamped_at") else row.get("apply_date")


SEAL_USE_FIELDS = Fields(
    "seal-uses",
    Field("no", "编号", "code", max_len=20, width=10, sortable=True, importable=False, number_order=True,
          in_form=False),  # taken from neiqin.numbering: the model declares it
    Field("apply_date", "申请日期", "date", required=True, index=True, header="日期", width=10, sortable=True,
          importable=False, value=_use_date, in_form=False),
    # 第 1 步 申请
    Field("seal", "印章", "choice", required=True, stored=False, importable=False),  # a seal of 印章登记表
    Field("seal_name", "印章", max_len=60, width=12, importable=False, in_form=False),
    Field("applicant", "经办人", required=True, max_len=40, width=7, importable=False),  # picked from 通讯录
    Field("department", "用印部门", required=True, max_len=60, index=True, width=10, importable=False),
    Field("doc_title", "文件名称", required=True, max_len=200, width=20, importable=False, history=True),
    Field("doc_type", "文件类型", "choice", choices=tuple(DOC_TYPES), open_choices=True, max_len=20),
    Field("copies", "份数", "int", required=True, lo=1, hi=9999, header="份数(用印次数)", width=11, align="center",
          importable=False, value=_copies),
    Field("stamps_per_copy", "每份用印次数", "int", lo=1, hi=99, default=1),
    Field("purpose", "事由", required=True, max_len=200, width=14, importable=False, history=True),
    Field("doc_no", "发文字号", max_len=60, placeholder="如 京城投发〔2026〕12号，可不填"),
    Field("applied_at", "申请时间", "datetime"),  # empty: now (the model declares it NOT NULL)
    Field("note", "备注", "multiline", max_len=1000, width=10, importable=False),
    # 第 2 步 审批 (one level a time: the model keeps approver1 … opinion2)
    Field("approver", "审批人", required=True, max_len=40, stored=False),
    Field("decision", "审批意见", "choice", choices=(AGREE, DISAGREE), default=AGREE, stored=False),
    Field("approved_at", "审批时间", "datetime", stored=False),
    Field("opinion", "审批说明", max_len=200, stored=False, placeholder="不同意时必填"),
    Field("approver1", "审批人", max_len=40, width=9, importable=False, in_form=False, value=_approvers),
    # 第 3 步 用印
    Field("supervisor", "监印人", required=True, max_len=40, width=7, importable=False),
    Field("stamped_at", "用印时间", "datetime", index=True),
    Field("content_checked", "核对", "bool", required=True, placeholder="已核对文件内容，确认非空白文件"),
    Field("stamp_note", "用印说明", max_len=200),
    Field("status", "状态", "choice", choices=(PENDING, APPROVED, REJECTED, STAMPED), default=PENDING, max_len=10,
          index=True, width=6, importable=False, in_form=False),
)


@SEAL_USE_FIELDS.table(order=(
    "no", "apply_date", "applied_at", "seal_id", "seal_name", "department", "applicant_id", "applicant", "doc_title",
    "doc_type", "copies", "stamps_per_copy", "purpose", "doc_no", "levels", "note", "replaces", "status",
    "approver1", "approved1_at", "decision1", "opinion1", "approver2", "approved2_at", "decision2", "opinion2",
    "stamped_at", "supervisor", "content_checked", "stamp_note", "attachments"))
class SealUse(VoidableModel):
    """Projection of the chain (fields: :data:`SEAL_USE_FIELDS`): never written except by the step functions of
    this module."""

    no = pw.CharField(max_length=20, unique=True)
    applied_at = pw.DateTimeField()
    seal_id = pw.IntegerField(index=True)
    applicant_id = pw.IntegerField(null=True)
    levels = pw.IntegerField(default=1)  # the seal's approval levels when applied for
    replaces = pw.CharField(max_length=20, default="")  # the voided use this one corrects
    approver1 = pw.CharField(max_length=40, default="")
    approved1_at = pw.DateTimeField(null=True)
    decision1 = pw.CharField(max_length=6, default="")
    opinion1 = pw.CharField(max_length=200, default="")
    approver2 = pw.CharField(max_length=40, default="")
    approved2_at = pw.DateTimeField(null=True)
    decision2 = pw.CharField(max_length=6, default="")
    opinion2 = pw.CharField(max_length=200, default="")
    attachments = pw.IntegerField(default=0)

    class Meta:
        table_name = "seal_use"
        indexes = ((("apply_date", "id"), False),)


MODELS = [SealUse]


SealUse.add_index(order_index(SealUse.no))



def _use_status_condition(key: str):
    return SealUse.status == {"pending": PENDING, "approved": APPROVED, "stamped": STAMPED,
                              "rejected": REJECTED}.get(key, key)


def _use_search_parts(u: SealUse) -> tuple[list[str], list[str]]:
    short = [u.no, u.seal_name, u.department, u.applicant, u.doc_title, u.doc_type, u.purpose, u.doc_no,
             u.approver1, u.approver2, u.supervisor]
    return short + [u.note, u.stamp_note, u.opinion1, u.opinion2], short


SEAL_USES = register_ledger(ChainedLedgerSpec(
    key="seal-uses",
    title="用印登记簿",
    tab_title="用印登记",
    model=SealUse,
    columns=SEAL_USE_FIELDS.columns("no", "apply_date", "department", "applicant", "seal_name", "doc_title", "purpose",
                                    "copies", "approver1", "supervisor", "note", "status"),
    fields=SEAL_USE_FIELDS,
    default_sort="apply_date",
    date_field="apply_date",
    date_label="申请日期",
    statuses=[("pending", "待审批"), ("approved", "已批准待用印"), ("stamped", "已用印"), ("rejected", "未批准")],
    status_condition=_use_status_condition,
    search=SearchIndex("seal_use"),
    search_parts=_use_search_parts,
    describe=lambda u: f"用印 {u.no}（{u.doc_title}）",
))


USE_NO = series("seal_use", "用印编号", "印{year}-{n:04}", setting="seals.use_number_pattern", column=SealUse.no)
def usable_seals() -> list[Seal]:
    """The seals a use can be applied for (lent ones too: they are stamped when back), in the order entered."""
    return list(Seal.select().where((Seal.voided == False)  # noqa: E712
                                    & Seal.status.not_in([SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED]))
                .order_by(Seal.id))


def use_by_id(use_id: int) -> SealUse:
    return SealUse.get_by_id(use_id)


def _usable_seal(seal_id: Any, errors: dict, key: str = "seal") -> Seal | None:
    seal = Seal.get_or_none(Seal.id == seal_id) if seal_id else None
    if seal is None or seal.voided:
        errors.setdefault(key, "请选择印章")
        return None
    if seal.status in (SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED):
        errors.setdefault(key, f"印章“{seal.name}”已{seal.status}，不能用印")
    return seal


def apply_use(data: dict) -> SealUse:
    """第一步 申请: a paper application taken at the desk."""
    errors: dict[str, str] = {}
    seal_ref = data.get("seal")
    seal = _usable_seal(seal_ref.id if isinstance(seal_ref, Seal) else seal_ref, errors)
    aid, aname, adept = _person(data.get("applicant"))
    if not aname:
        errors["applicant"] = "请填写经办人（申请人）"
    F = SEAL_USE_FIELDS
    out = F.clean({**data, "applicant": aname, "department": str(data.get("department") or "").strip() or adept},
                  errors, ("applicant", "department", "doc_title", "doc_type", "purpose", "doc_no", "note"))
    department, doc_title, doc_type = out["department"], out["doc_title"], out["doc_type"]
    purpose, doc_no, note = out["purpose"], out["doc_no"], out["note"]
    copies = _int(data.get("copies"), F["copies"].label, "copies", errors, F["copies"].lo, F["copies"].top)
    per = _int(data.get("stamps_per_copy"), F["stamps_per_copy"].label, "stamps_per_copy", errors,
               F["stamps_per_copy"].lo, F["stamps_per_copy"].top, F["stamps_per_copy"].default)
    applied_at = _moment(data.get("applied_at"), F["applied_at"].label, "applied_at", errors, default=now())
    if errors:
        raise ValidationError(errors)
    assert seal is not None and applied_at is not None
    state = {f: None for f in USE_FIELDS}
    state.update({
        "no": None, "apply_date": applied_at.date(), "applied_at": applied_at,
        "seal_id": seal.id, "seal_name": seal.name, "department": department, "applicant_id": aid,
        "applicant": aname, "doc_title": doc_title, "doc_type": doc_type, "copies": copies,
        "stamps_per_copy": per, "purpose": purpose, "doc_no": doc_no, "levels": seal.approval_levels or 1,
        "note": note, "replaces": str(data.get("replaces") or "")[:20], "status": PENDING,
        "approver1": "", "decision1": "", "opinion1": "", "approver2": "", "decision2": "", "opinion2": "",
        "supervisor": "", "content_checked": False, "stamp_note": "", "attachments": 0,
        "voided": False, "void_reason": "",
    })
    with write_transaction():  # the number is taken with the record: no duplicate, no gap
        state["no"] = USE_NO.take(applied_at.year).text
        return chained_write(SEAL_USES, "use", None, "create", state,
                      f"用印申请 {state['no']}：{seal.name}，{doc_title} {copies} 份")


def approve_use(use: SealUse, data: dict) -> SealUse:
    """第二步 审批 (one level per call; a seal with two levels needs two)."""
    use = SealUse.get_by_id(use.id)
    if use.voided:
        raise NeiqinError("该用印记录已作废")
    if use.status != PENDING:
        raise NeiqinError(f"用印记录 {use.no} 当前为“{use.status}”，不需要审批")
    level = 1 if not use.approver1 else 2
    errors: dict[str, str] = {}
    F = SEAL_USE_FIELDS
    out = F.clean({**data, "approver": _person(data.get("approver"))[1]}, errors, ("approver", "decision", "opinion"))
    approver, decision, opinion = out["approver"], out["decision"], out["opinion"]
    if decision == DISAGREE and not opinion:
        errors.setdefault("opinion", "不同意时请填写理由")
    at = _moment(data.get("approved_at"), F["approved_at"].label, "approved_at", errors, default=now())
    if at and "approved_at" not in errors:
        if at < use.applied_at:
            errors["approved_at"] = f"审批时间不能早于申请时间（{_fmt(use.applied_at)}）"
        elif level == 2 and use.approved1_at and at < use.approved1_at:
            errors["approved_at"] = f"第二级审批时间不能早于第一级审批（{_fmt(use.approved1_at)}）"
    if level == 2 and approver and approver == use.approver1:
        errors.setdefault("approver", "两级审批应由不同的人审批")
    if errors:
        raise ValidationError(errors)
    if decision == DISAGREE:
        status = REJECTED
    else:
        status = APPROVED if level >= (use.levels or 1) else PENDING
    change = {f"approver{level}": approver, f"approved{level}_at": at, f"decision{level}": decision,
              f"opinion{level}": opinion, "status": status}
    label = "审批" if (use.levels or 1) == 1 else f"第{'一二'[level - 1]}级审批"
    return chained_write(SEAL_USES, "use", use, "approve", change, f"用印 {use.no} {label}：{approver} {decision}")


def stamp_use(use: SealUse, data: dict) -> SealUse:
    """第三步 用印: only after approval, with the 监印人 and the confirmation that the document was checked."""
    use = SealUse.get_by_id(use.id)
    if use.voided:
        raise NeiqinError("该用印记录已作废")
    if use.status == STAMPED:
        raise NeiqinError(f"用印记录 {use.no} 已于 {_fmt(use.stamped_at)} 用印")
    if use.status != APPROVED:
        raise NeiqinError(f"用印记录 {use.no} 当前为“{use.status}”，审批通过后才能用印")
    errors: dict[str, str] = {}
    if not data.get("content_checked"):
        errors["content_checked"] = "请确认已核对文件内容、非空白文件（严禁在空白文件上用印）"
    F = SEAL_USE_FIELDS
    out = F.clean({**data, "supervisor": _person(data.get("supervisor"))[1]}, errors, ("supervisor", "stamp_note"))
    supervisor, note = out["supervisor"], out["stamp_note"]
    at = _moment(data.get("stamped_at"), F["stamped_at"].label, "stamped_at", errors, default=now())
    last_approval = use.approved2_at or use.approved1_at
    if at and "stamped_at" not in errors and last_approval and at < last_approval:
        errors["stamped_at"] = f"用印时间不能早于审批时间（{_fmt(last_approval)}）"
    seal = Seal.get_or_none(Seal.id == use.seal_id)
    if seal is None:
        errors["seal"] = "该印章已不在印章登记表中"
    else:
        loan = open_loan_of_seal(seal.id)
        if loan is not None or seal.status == SEAL_LENT:
            who = f"（借用人 {loan.borrower}，{_fmt(loan.lent_at)} 借出）" if loan else ""
            errors["seal"] = f"印章“{seal.name}”已外借{who}，尚未归还，不能在登记处用印"
        elif seal.status in (SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED):
            errors["seal"] = f"印章“{seal.name}”已{seal.status}，不能用印"
    if errors:
        raise ValidationError(errors)
    change = {"stamped_at": at, "supervisor": supervisor, "content_checked": True, "stamp_note": note,
              "status": STAMPED}
    return chained_write(SEAL_USES, "use", use, "stamp", change, f"用印 {use.no}：{use.seal_name}，监印人 {supervisor}")


def void_use(use: SealUse, reason: str) -> SealUse:
    use = SealUse.get_by_id(use.id)
    change = void_change(use, reason)
    return chained_write(SEAL_USES, "use", use, "void", change, f"作废用印 {use.no}：{change['void_reason']}")


def correction_values(use: SealUse) -> dict:
    """Form values for the new record that corrects a voided one."""
    return {"seal": use.seal_id, "applicant": {"id": use.applicant_id, "name": use.applicant},
            "department": use.department, "doc_title": use.doc_title, "doc_type": use.doc_type,
            "copies": use.copies, "stamps_per_copy": use.stamps_per_copy, "purpose": use.purpose,
            "doc_no": use.doc_no, "note": use.note, "replaces": use.no}


SEAL_USES.void_fn = void_use


def next_step(use: SealUse) -> str:
    """'approve', 'stamp' or '' (nothing left to record)."""
    if use.voided:
        return ""
    if use.status == PENDING:
        return "approve"
    if use.status == APPROVED:
        return "stamp"
    return ""


# ---------------------------------------------------------------------------------------------- statistics

STAT_GROUPS = {"seal": "印章", "department": "部门", "month": "月份"}


def use_stats(by: str, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[tuple]:
    """(label, uses, copies, stamps) of stamped, not voided uses, grouped by seal, department or month."""
    if by == "seal":
        key = SealUse.seal_name
    elif by == "department":
        key = SealUse.department
    elif by == "month":
        key = pw.fn.strftime("%Y-%m", SealUse.stamped_at)
    else:
        raise NeiqinError(f"统计方式应为：{'、'.join(STAT_GROUPS.values())}")
    q = (SealUse.select(key.alias("label"), pw.fn.COUNT(SealUse.id).alias("uses"),
                        pw.fn.SUM(SealUse.copies).alias("copies"),
                        pw.fn.SUM(SealUse.copies * SealUse.stamps_per_copy).alias("stamps"))
         .where((SealUse.status == STAMPED) & (SealUse.voided == False)))  # noqa: E712
    if date_from:
        q = q.where(SealUse.stamped_at >= dt.datetime.combine(date_from, dt.time.min))
    if date_to:
        q = q.where(SealUse.stamped_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    q = q.group_by(key).order_by(key if by == "month" else pw.fn.COUNT(SealUse.id).desc())
    return [(r["label"] or "（未填）", r["uses"], r["copies"] or 0, r["stamps"] or 0) for r in q.dicts()]


