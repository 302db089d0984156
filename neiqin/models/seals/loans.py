"""外借: lending of seals and licences, returns and what is overdue. No Qt.

Loans are evidence like uses: written only through :func:`lend`, :func:`return_loan` and :func:`void_loan`, each an
event of the hash chain.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import VoidableModel, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import SearchIndex, register_ledger
from neiqin.models.seals.chain import LOAN_FIELDS
from neiqin.models.seals.chained import ChainedLedgerSpec, chained_write, void_change
from neiqin.models.seals.registry import (
    LIC_IN_STORE,
    LIC_LENT,
    LICENCES,
    SEAL_IN_USE,
    SEAL_LENT,
    SEALS,
    Licence,
    Seal,
    _fmt,
    _moment,
    _person,
)
from neiqin.numbering import order_index, series, write_transaction
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for

OUT, RETURNED = "借出", "已归还"
ITEM_SEAL, ITEM_LICENCE = "印章", "证照"
CONDITIONS = ["完好", "有损坏", "有缺失", "其他（见说明）"]


LOAN_DECL = Fields(  # LOAN_FIELDS is the hash chain's list of the row's fields (chain.py)
    "seal-loans",
    Field("no", "编号", "code", max_len=20, width=10, sortable=True, importable=False, number_order=True,
          in_form=False),  # taken from neiqin.numbering: the model declares it
    Field("item", "借出物品", "choice", required=True, stored=False, importable=False),  # 'seal:3', 'licence:2'
    Field("lent_at", "借出时间", "datetime", width=14, sortable=True, importable=False),  # empty: now
    Field("item_name", "借出物品", max_len=80, width=14, importable=False, in_form=False,
          value=lambda r: f"{r.get('item_kind')}：{r.get('item_name')}"),
    Field("borrower", "借用人", required=True, max_len=40, width=7, importable=False),  # picked from 通讯录
    Field("department", "部门", max_len=60, width=10, importable=False),
    Field("purpose", "事由", required=True, max_len=200, width=14, importable=False, history=True),
    Field("approver", "审批人", required=True, max_len=40, width=7, importable=False),
    Field("escort", "随行监印人", max_len=40, header="随行/监印人", width=8, importable=False,
          placeholder="印章外借时应有监印人随行"),
    Field("due_at", "预计归还", "datetime", required=True, width=14, sortable=True, importable=False),
    Field("note", "备注", "multiline", max_len=1000),
    Field("status", "状态", "choice", choices=(OUT, RETURNED), default=OUT, max_len=6, index=True, width=6,
          importable=False, in_form=False),
    # 归还
    Field("returned_at", "归还时间", "datetime", header="实际归还", width=14, importable=False),
    Field("return_condition", "归还情况", "choice", choices=tuple(CONDITIONS), open_choices=True,
          default=CONDITIONS[0], max_len=20, width=8, importable=False),
    Field("return_note", "归还说明", max_len=200),
)


@LOAN_DECL.table(order=("no", "item_kind", "seal_id", "licence_id", "item_name", "borrower_id", "borrower",
                        "department", "purpose", "approver", "lent_at", "lend_date", "due_at", "escort",
                        "expired_ack", "note", "status", "returned_at", "return_condition", "return_note"))
class SealLoan(VoidableModel):
    """Projection of the chain, like :class:`~neiqin.models.seals.uses.SealUse` (fields: :data:`LOAN_DECL`)."""

    no = pw.CharField(max_length=20, unique=True)
    item_kind = pw.CharField(max_length=4)
    seal_id = pw.IntegerField(null=True)
    licence_id = pw.IntegerField(null=True)
    borrower_id = pw.IntegerField(null=True)
    lent_at = pw.DateTimeField()  # NOT NULL; the form may leave it empty (now)
    lend_date = pw.DateField(index=True)
    expired_ack = pw.BooleanField(default=False)  # a licence lent past its expiry, confirmed

    class Meta:
        table_name = "seal_loan"
        indexes = ((("lend_date", "id"), False),)


MODELS = [SealLoan]


SealLoan.add_index(order_index(SealLoan.no))


def _loan_status_condition(key: str):
    if key == "overdue":
        return (SealLoan.status == OUT) & (SealLoan.due_at < now())
    return SealLoan.status == (RETURNED if key == "returned" else OUT)


def _loan_search_parts(x: SealLoan) -> tuple[list[str], list[str]]:
    short = [x.no, x.item_name, x.borrower, x.department, x.purpose, x.approver, x.escort]
    return short + [x.note, x.return_note, x.return_condition], short


SEAL_LOANS = register_ledger(ChainedLedgerSpec(
    key="seal-loans",
    title="印章证照外借登记簿",
    tab_title="外借",
    model=SealLoan,
    columns=LOAN_DECL.columns("no", "lent_at", "item_name", "borrower", "department", "purpose", "approver", "due_at",
                              "returned_at", "escort", "return_condition", "status"),
    fields=LOAN_DECL,
    default_sort="lent_at",
    date_field="lend_date",
    date_label="借出日期",
    statuses=[("out", "借出未还"), ("overdue", "逾期未还"), ("returned", "已归还")],
    status_condition=_loan_status_condition,
    search=SearchIndex("seal_loan"),
    search_parts=_loan_search_parts,
    describe=lambda x: f"外借 {x.no}（{x.item_name}）",
))


LOAN_NO = series("seal_loan", "外借编号", "借{year}-{n:04}", setting="seals.loan_number_pattern", column=SealLoan.no)


def open_loan_of_seal(seal_id: int) -> SealLoan | None:
    return (SealLoan.select().where((SealLoan.seal_id == seal_id) & (SealLoan.status == OUT)
                                    & (SealLoan.voided == False))  # noqa: E712
            .order_by(SealLoan.id.desc()).first())


# ---------------------------------------------------------------------------------------------- loans


class LicenceExpired(NeedsConfirmation):
    """Lending a licence past its expiry: the window asks; confirmed, the loan records 已知过期."""

    key, title, yes_text, no_text = "expired_licence", "证照已过期", "仍然借出", "不借出"

    def __init__(self, licence: Licence):
        self.licence = licence
        super().__init__(f"证照“{licence.label}”已于 {licence.valid_until} 过期。确实要借出吗？"
                         "（借出将记录“已知过期”）", details=licence)


def lendable_items() -> list[tuple[str, str]]:
    """(key, label) of seals and licences that can be lent now: 'seal:3', 'licence:2'."""
    items = [(f"seal:{s.id}", f"印章：{s.name}") for s in Seal.select().where(
        (Seal.status == SEAL_IN_USE) & (Seal.voided == False)).order_by(Seal.name)]  # noqa: E712
    items += [(f"licence:{x.id}", f"证照：{x.label}") for x in Licence.select().where(
        (Licence.status == LIC_IN_STORE) & (Licence.voided == False)).order_by(Licence.name)]  # noqa: E712
    return items


def _set_item_status(loan: SealLoan, status_seal: str, status_licence: str, why: str) -> None:
    if loan.seal_id:
        seal = Seal.get_by_id(loan.seal_id)
        if seal.status != status_seal:
            SEALS.update(seal, {"status": status_seal}, validate=False, summary=f"{why}：印章 {seal.name}")
    if loan.licence_id:
        lic = Licence.get_by_id(loan.licence_id)
        if lic.status != status_licence:
            LICENCES.update(lic, {"status": status_licence}, validate=False, summary=f"{why}：证照 {lic.label}")


def lend(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> SealLoan:
    """印章/证照外借. ``data['item']`` is 'seal:ID' or 'licence:ID' (or a Seal / Licence)."""
    errors: dict[str, str] = {}
    item = data.get("item")
    seal = licence = None
    if isinstance(item, Seal):
        seal = item
    elif isinstance(item, Licence):
        licence = item
    elif isinstance(item, str) and ":" in item:
        kind, _, ident = item.partition(":")
        if kind == "seal":
            seal = Seal.get_or_none(Seal.id == int(ident or 0))
        elif kind == "licence":
            licence = Licence.get_or_none(Licence.id == int(ident or 0))
    if seal is None and licence is None:
        errors["item"] = "请选择要借出的印章或证照"
    elif seal is not None and (seal.voided or seal.status != SEAL_IN_USE):
        errors["item"] = f"印章“{seal.name}”当前为“{seal.status}”，不能借出"
    elif licence is not None and (licence.voided or licence.status != LIC_IN_STORE):
        errors["item"] = f"证照“{licence.label}”当前为“{licence.status}”，不能借出"
    bid, bname, bdept = _person(data.get("borrower"))
    out = LOAN_DECL.clean({**data, "borrower": bname, "approver": _person(data.get("approver"))[1],
                           "escort": _person(data.get("escort"))[1],
                           "department": str(data.get("department") or "").strip() or bdept},
                          errors, ("borrower", "department", "purpose", "approver", "escort", "note"))
    bname, department, purpose = out["borrower"], out["department"], out["purpose"]
    approver, escort, note = out["approver"], out["escort"], out["note"]
    lent_at = _moment(data.get("lent_at"), LOAN_DECL["lent_at"].label, "lent_at", errors, default=now())
    due_at = data.get("due_at")
    if isinstance(due_at, dt.date) and not isinstance(due_at, dt.datetime):
        due_at = dt.datetime.combine(due_at, dt.time(17, 30))
    if not isinstance(due_at, dt.datetime):
        errors.setdefault("due_at", "请填写预计归还时间")
    elif lent_at and due_at <= lent_at:
        errors.setdefault("due_at", "预计归还时间应晚于借出时间")
    if errors:
        raise ValidationError(errors)
    assert lent_at is not None
    if licence is not None and licence.valid_until and licence.valid_until < lent_at.date() \
            and reason_for(confirmed, LicenceExpired.key) is None:
        raise LicenceExpired(licence)
    expired = bool(licence is not None and licence.valid_until and licence.valid_until < lent_at.date())
    state = {f: None for f in LOAN_FIELDS}
    state.update({
        "no": None, "item_kind": ITEM_SEAL if seal else ITEM_LICENCE,
        "seal_id": seal.id if seal else None, "licence_id": licence.id if licence else None,
        "item_name": seal.name if seal else licence.label, "borrower_id": bid, "borrower": bname,
        "department": department, "purpose": purpose, "approver": approver, "lent_at": lent_at,
        "lend_date": lent_at.date(), "due_at": due_at.replace(second=0, microsecond=0), "escort": escort,
        "expired_ack": expired, "note": ("（证照已过期，经确认借出）" + note) if expired else note,
        "status": OUT, "return_condition": "", "return_note": "", "voided": False, "void_reason": "",
    })
    with write_transaction():
        state["no"] = LOAN_NO.take(lent_at.year).text
        loan = chained_write(SEAL_LOANS, "loan", None, "create", state,
                      f"外借 {state['no']}：{state['item_name']} 借给 {bname}")
        _set_item_status(loan, SEAL_LENT, LIC_LENT, f"外借 {loan.no}")
    return loan


def return_loan(loan: SealLoan, data: dict) -> SealLoan:
    loan = SealLoan.get_by_id(loan.id)
    if loan.voided:
        raise NeiqinError("该外借记录已作废")
    if loan.status != OUT:
        raise NeiqinError(f"{loan.item_name} 已于 {_fmt(loan.returned_at)} 归还")
    errors: dict[str, str] = {}
    at = _moment(data.get("returned_at"), LOAN_DECL["returned_at"].label, "returned_at", errors, default=now())
    if at and "returned_at" not in errors and at < loan.lent_at:
        errors["returned_at"] = f"归还时间不能早于借出时间（{_fmt(loan.lent_at)}）"
    out = LOAN_DECL.clean(data, errors, ("return_condition", "return_note"))
    condition, note = out["return_condition"], out["return_note"]
    if condition != CONDITIONS[0] and not note:
        errors.setdefault("return_note", "归还情况不是“完好”时请说明")
    if errors:
        raise ValidationError(errors)
    change = {"returned_at": at, "return_condition": condition, "return_note": note, "status": RETURNED}
    with db.atomic():
        loan = chained_write(SEAL_LOANS, "loan", loan, "return", change, f"归还 {loan.no}：{loan.item_name}（{condition}）")
        _set_item_status(loan, SEAL_IN_USE, LIC_IN_STORE, f"归还 {loan.no}")
    return loan


def void_loan(loan: SealLoan, reason: str) -> SealLoan:
    loan = SealLoan.get_by_id(loan.id)
    change = void_change(loan, reason)
    with db.atomic():
        was_out = loan.status == OUT
        loan = chained_write(SEAL_LOANS, "loan", loan, "void", change, f"作废外借 {loan.no}：{change['void_reason']}")
        if was_out:
            _set_item_status(loan, SEAL_IN_USE, LIC_IN_STORE, f"作废外借 {loan.no}")
    return loan


SEAL_LOANS.void_fn = void_loan


def is_overdue(row: dict | SealLoan, moment: dt.datetime | None = None) -> bool:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return get("status") == OUT and not get("voided") and get("due_at") is not None \
        and get("due_at") < (moment or now())


def overdue_loans() -> list[SealLoan]:
    return list(SealLoan.select().where(_loan_status_condition("overdue") & (SealLoan.voided == False))  # noqa: E712
                .order_by(SealLoan.due_at))


