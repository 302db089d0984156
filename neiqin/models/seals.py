"""用印登记: the seal and licence registries, seal use step by step, and lending of seals and licences.

Seal uses and loans are evidence: they are written only through the step functions below, each of which
appends an event to the hash chain (:mod:`neiqin.models.seal_chain`) and updates the projected row in the same
transaction. A correction is a void (itself an event) plus a new record. The registries (印章, 证照) are ordinary
audited ledgers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee as pw

from neiqin import clock, winfs
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings, validators
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db, now
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, check_void, register_ledger, text_field
from neiqin.models.seal_chain import LOAN_FIELDS, USE_FIELDS, SealEvent, append
from neiqin.models.staff import resolve_person
from neiqin.models.validators import parse_moment
from neiqin.numbering import order_index, series, write_transaction

SEAL_KINDS = ["公章", "合同专用章", "财务专用章", "法人章", "发票专用章", "其他"]
SEAL_IN_USE, SEAL_LENT, SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED = "在用", "外借", "停用", "遗失", "销毁"
SEAL_STATUSES = [SEAL_IN_USE, SEAL_LENT, SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED]
LICENCE_COPIES = ["正本", "副本"]
LIC_IN_STORE, LIC_LENT, LIC_DISABLED = "在库", "外借", "停用"
LICENCE_STATUSES = [LIC_IN_STORE, LIC_LENT, LIC_DISABLED]
DOC_TYPES = ["合同/协议", "公文/函件", "证明/介绍信", "报表/报告", "财务票据", "授权委托书", "其他"]

PENDING, APPROVED, REJECTED, STAMPED = "待审批", "已批准", "未批准", "已用印"
AGREE, DISAGREE = "同意", "不同意"
OUT, RETURNED = "借出", "已归还"
ITEM_SEAL, ITEM_LICENCE = "印章", "证照"
CONDITIONS = ["完好", "有损坏", "有缺失", "其他（见说明）"]

MAX_ATTACHMENT_MB = 20


# ---------------------------------------------------------------------------------------------- tables


class Seal(VoidableModel):
    name = pw.CharField(max_length=60, index=True)
    kind = pw.CharField(max_length=20, default=SEAL_KINDS[0])
    custodian_id = pw.IntegerField(null=True)
    custodian = pw.CharField(max_length=40, default="")
    supervisor = pw.CharField(max_length=40, default="")
    enabled_on = pw.DateField(null=True)
    status = pw.CharField(max_length=10, default=SEAL_IN_USE, index=True)
    approval_levels = pw.IntegerField(default=1)
    impression = pw.CharField(max_length=200, default="")  # path under datadir.attachments
    note = pw.TextField(default="")

    def __str__(self) -> str:
        return self.name


class Licence(VoidableModel):
    name = pw.CharField(max_length=60, index=True)
    copy_kind = pw.CharField(max_length=4, default=LICENCE_COPIES[0])
    number = pw.CharField(max_length=60, default="")
    issuer = pw.CharField(max_length=100, default="")
    valid_until = pw.DateField(null=True, index=True)
    inspection_date = pw.DateField(null=True)
    location = pw.CharField(max_length=100, default="")
    status = pw.CharField(max_length=10, default=LIC_IN_STORE, index=True)
    note = pw.TextField(default="")

    @property
    def label(self) -> str:
        return f"{self.name}（{self.copy_kind}）"


class SealUse(VoidableModel):
    """Projection of the chain: never written except by the step functions of this module."""

    no = pw.CharField(max_length=20, unique=True)
    apply_date = pw.DateField(index=True)
    applied_at = pw.DateTimeField()
    seal_id = pw.IntegerField(index=True)
    seal_name = pw.CharField(max_length=60)
    department = pw.CharField(max_length=60, default="", index=True)
    applicant_id = pw.IntegerField(null=True)
    applicant = pw.CharField(max_length=40)
    doc_title = pw.CharField(max_length=200)
    doc_type = pw.CharField(max_length=20, default="")
    copies = pw.IntegerField()
    stamps_per_copy = pw.IntegerField(default=1)
    purpose = pw.CharField(max_length=200)
    doc_no = pw.CharField(max_length=60, default="")
    levels = pw.IntegerField(default=1)
    note = pw.TextField(default="")
    replaces = pw.CharField(max_length=20, default="")
    status = pw.CharField(max_length=10, default=PENDING, index=True)
    approver1 = pw.CharField(max_length=40, default="")
    approved1_at = pw.DateTimeField(null=True)
    decision1 = pw.CharField(max_length=6, default="")
    opinion1 = pw.CharField(max_length=200, default="")
    approver2 = pw.CharField(max_length=40, default="")
    approved2_at = pw.DateTimeField(null=True)
    decision2 = pw.CharField(max_length=6, default="")
    opinion2 = pw.CharField(max_length=200, default="")
    stamped_at = pw.DateTimeField(null=True, index=True)
    supervisor = pw.CharField(max_length=40, default="")
    content_checked = pw.BooleanField(default=False)
    stamp_note = pw.CharField(max_length=200, default="")
    attachments = pw.IntegerField(default=0)

    class Meta:
        table_name = "seal_use"
        indexes = ((("apply_date", "id"), False),)


class SealLoan(VoidableModel):
    """Projection of the chain, like SealUse."""

    no = pw.CharField(max_length=20, unique=True)
    item_kind = pw.CharField(max_length=4)
    seal_id = pw.IntegerField(null=True)
    licence_id = pw.IntegerField(null=True)
    item_name = pw.CharField(max_length=80)
    borrower_id = pw.IntegerField(null=True)
    borrower = pw.CharField(max_length=40)
    department = pw.CharField(max_length=60, default="")
    purpose = pw.CharField(max_length=200)
    approver = pw.CharField(max_length=40)
    lent_at = pw.DateTimeField()
    lend_date = pw.DateField(index=True)
    due_at = pw.DateTimeField()
    escort = pw.CharField(max_length=40, default="")
    expired_ack = pw.BooleanField(default=False)
    note = pw.TextField(default="")
    status = pw.CharField(max_length=6, default=OUT, index=True)
    returned_at = pw.DateTimeField(null=True)
    return_condition = pw.CharField(max_length=20, default="")
    return_note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "seal_loan"
        indexes = ((("lend_date", "id"), False),)


SealUse.add_index(order_index(SealUse.no))
SealLoan.add_index(order_index(SealLoan.no))


class SealAttachment(BaseModel):
    """A scan or photo kept under datadir.attachments by content hash; listed in the chain too."""

    entity = pw.CharField(max_length=10)
    owner_id = pw.IntegerField()
    sha256 = pw.CharField(max_length=64)
    name = pw.CharField(max_length=200)
    size = pw.IntegerField()
    path = pw.CharField(max_length=200)
    added_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "seal_attachment"
        indexes = ((("entity", "owner_id"), False),)


# ---------------------------------------------------------------------------------------------- helpers


def _person(value: Any) -> tuple[int | None, str, str]:
    return resolve_person(value)


def _moment(value: Any, label: str, key: str, errors: dict, *, default: dt.datetime | None = None,
            required: bool = True) -> dt.datetime | None:
    return parse_moment(value, label, key, errors, default=default, required=required, time_of_day=dt.time(0, 0))


def _int(value: Any, label: str, key: str, errors: dict, lo: int, hi: int, default: int | None = None) -> int:
    return validators.parse_int(value, label, key, errors, lo, hi, default)


def _date(value: Any, label: str, key: str, errors: dict, required: bool = False) -> dt.date | None:
    return validators.parse_day(value, label, key, errors, required=required)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, 28)


def _fmt(t: dt.datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if t else ""


# ---------------------------------------------------------------------------------------------- attachments

_MAGIC = [(b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"),
          (b"BM", ".bmp"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"%PDF-", ".pdf")]


def sniff_kind(head: bytes) -> str | None:
    """The extension for an image or PDF judged by its first bytes (a renamed .docx is not a .pdf)."""
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    size: int
    path: str  # relative to the attachments folder

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "name": self.name, "size": self.size, "path": self.path}


def store_attachment(src: str | os.PathLike, attachments_dir: str | os.PathLike, field: str = "file") -> StoredFile:
    """Copy a scan into the attachments folder under its SHA-256 (the same file is kept once).

    Only images and PDF, at most MAX_ATTACHMENT_MB; anything else is refused with a message at ``field``.
    """
    src = Path(src)
    if not src.is_file():
        raise ValidationError({field: f"找不到文件：{src}"})
    size = src.stat().st_size
    if size == 0:
        raise ValidationError({field: f"文件“{src.name}”是空的"})
    if size > MAX_ATTACHMENT_MB * 1024 * 1024:
        raise ValidationError({field: f"文件“{src.name}”有 {size / 1024 / 1024:.1f} MB，"
                                      f"超过 {MAX_ATTACHMENT_MB} MB 上限；请降低扫描分辨率或分页扫描"})
    with open(src, "rb") as fh:
        ext = sniff_kind(fh.read(16))
    if ext is None:
        raise ValidationError({field: f"文件“{src.name}”不是图片或 PDF；只能附加扫描件或照片"
                                      "（JPG、PNG、GIF、BMP、TIFF、WebP 或 PDF）"})
    digest = hashlib.sha256()
    with open(src, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    rel = f"seals/{sha[:2]}/{sha}{ext}"
    dest = Path(attachments_dir) / rel
    if not (dest.is_file() and dest.stat().st_size == size):
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            winfs.replace(tmp, dest)
        except PermissionError as e:  # Windows: antivirus still scanning the copy, for longer than the retries
            raise ValidationError({field: f"无法保存附件“{src.name}”：{winfs.BUSY_HINT}"}) from e
        finally:
            Path(tmp).unlink(missing_ok=True)
    return StoredFile(sha, src.name[:200], size, rel)


# ---------------------------------------------------------------------------------------------- registries


def validate_seal(data: dict, record: Seal | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["name"] = text_field(data, errors, "name", "印章名称", required=True, max_len=60)
    kind = (data.get("kind") or SEAL_KINDS[0]).strip()
    if kind not in SEAL_KINDS:
        errors["kind"] = f"印章类型应为：{'、'.join(SEAL_KINDS)}"
    out["kind"] = kind
    cid, cname, _ = _person(data.get("custodian_id") if data.get("custodian_id") else data.get("custodian"))
    if isinstance(data.get("custodian"), dict):
        cid, cname, _ = _person(data["custodian"])
    if not cname:
        errors["custodian"] = "请填写保管人"
    out["custodian_id"], out["custodian"] = cid, cname
    sup = data.get("supervisor")
    out["supervisor"] = _person(sup)[1] if isinstance(sup, dict) else str(sup or "").strip()
    out["enabled_on"] = _date(data.get("enabled_on"), "启用日期", "enabled_on", errors)
    status = (data.get("status") or SEAL_IN_USE).strip()
    if status not in SEAL_STATUSES:
        errors["status"] = f"状态应为：{'、'.join(SEAL_STATUSES)}"
    elif status == SEAL_LENT and (record is None or record.status != SEAL_LENT):
        errors["status"] = "“外借”状态由外借登记自动设置，请在“外借”中登记借出"
    elif record is not None and record.status == SEAL_LENT and status != SEAL_LENT:
        errors["status"] = "该印章正在外借，请先在“外借”中登记归还"
    out["status"] = status
    out["approval_levels"] = _int(data.get("approval_levels"), "审批级数", "approval_levels", errors, 1, 2, 1)
    out["impression"] = str(data.get("impression") or (record.impression if record else "") or "")
    out["note"] = text_field(data, errors, "note", "备注", max_len=1000)
    if errors:
        raise ValidationError(errors)
    return out


def licence_warn_months() -> int:
    try:
        return max(0, int(settings.get("seals.licence_warn_months") or 6))
    except (TypeError, ValueError):
        return 6


def validate_licence(data: dict, record: Licence | None) -> dict:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["name"] = text_field(data, errors, "name", "证照名称", required=True, max_len=60)
    copy_kind = (data.get("copy_kind") or LICENCE_COPIES[0]).strip()
    if copy_kind not in LICENCE_COPIES:
        errors["copy_kind"] = "请选择正本或副本"
    out["copy_kind"] = copy_kind
    out["number"] = text_field(data, errors, "number", "证号", max_len=60)
    out["issuer"] = text_field(data, errors, "issuer", "发证机关", max_len=100)
    out["valid_until"] = _date(data.get("valid_until"), "有效期至", "valid_until", errors)
    out["inspection_date"] = _date(data.get("inspection_date"), "年检日期", "inspection_date", errors)
    out["location"] = text_field(data, errors, "location", "存放位置", max_len=100)
    status = (data.get("status") or LIC_IN_STORE).strip()
    if status not in LICENCE_STATUSES:
        errors["status"] = f"状态应为：{'、'.join(LICENCE_STATUSES)}"
    elif status == LIC_LENT and (record is None or record.status != LIC_LENT):
        errors["status"] = "“外借”状态由外借登记自动设置，请在“外借”中登记借出"
    elif record is not None and record.status == LIC_LENT and status != LIC_LENT:
        errors["status"] = "该证照正在外借，请先在“外借”中登记归还"
    out["status"] = status
    out["note"] = text_field(data, errors, "note", "备注", max_len=1000)
    if errors:
        raise ValidationError(errors)
    return out


def _seal_status_condition(key: str):
    if key == "in_use":
        return Seal.status == SEAL_IN_USE
    if key == "lent":
        return Seal.status == SEAL_LENT
    return Seal.status.in_([SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED])


def _licence_status_condition(key: str):
    today = clock.today()
    if key == "lent":
        return Licence.status == LIC_LENT
    if key == "expired":
        return Licence.valid_until < today
    if key == "expiring":
        return (Licence.valid_until >= today) & (Licence.valid_until <= add_months(today, licence_warn_months()))
    return Licence.status == LIC_IN_STORE


def licence_state(row: dict, today: dt.date | None = None) -> str:
    """'expired', 'expiring' or '' for a licence row (dict or model)."""
    until = row.get("valid_until") if isinstance(row, dict) else row.valid_until
    if not until:
        return ""
    today = today or clock.today()
    if until < today:
        return "expired"
    if until <= add_months(today, licence_warn_months()):
        return "expiring"
    return ""


def _licence_validity(row: dict) -> str:
    until = row.get("valid_until")
    if not until:
        return "长期"
    state = licence_state(row)
    text = until.isoformat() if isinstance(until, dt.date) else str(until)
    return text + ("（已过期）" if state == "expired" else "（即将到期）" if state == "expiring" else "")


SEALS = register_ledger(LedgerSpec(
    key="seals",
    title="印章登记表",
    tab_title="印章",
    model=Seal,
    columns=[
        Column("name", "印章名称", 16, sortable=True),
        Column("kind", "类型", 10, sortable=True, aliases=("印章类型",)),
        Column("custodian", "保管人", 8, aliases=("保管", "保管员")),
        Column("supervisor", "监管人", 8),
        Column("enabled_on", "启用日期", 11, kind="date", sortable=True),
        Column("status", "状态", 6, sortable=True),
        Column("approval_levels", "审批级数", 6, kind="int", align="center"),
        Column("impression", "印模", 5, importable=False, value=lambda r: "有" if r.get("impression") else ""),
        Column("note", "备注", 20),
    ],
    default_sort="name",
    default_desc=False,
    statuses=[("in_use", "在用"), ("lent", "外借"), ("disabled", "停用/遗失/销毁")],
    status_condition=_seal_status_condition,
    search=SearchIndex("seal"),
    search_parts=lambda s: ([s.name, s.kind, s.custodian, s.supervisor, s.status, s.note],
                            [s.name, s.kind, s.custodian, s.supervisor, s.status]),
    validate=validate_seal,
    describe=lambda s: f"印章 {s.name}",
))

LICENCES = register_ledger(LedgerSpec(
    key="licences",
    title="证照登记表",
    tab_title="证照",
    model=Licence,
    columns=[
        Column("name", "证照名称", 16, sortable=True),
        Column("copy_kind", "正本/副本", 7, aliases=("正副本",)),
        Column("number", "证号", 20, aliases=("证照编号", "编号")),
        Column("issuer", "发证机关", 16),
        Column("valid_until", "有效期至", 16, kind="date", sortable=True, aliases=("有效期",)),
        Column("inspection_date", "年检日期", 11, kind="date"),
        Column("location", "存放位置", 12),
        Column("status", "状态", 6),
        Column("note", "备注", 16),
    ],
    default_sort="name",
    default_desc=False,
    statuses=[("in_store", "在库"), ("lent", "外借"), ("expiring", "即将到期"), ("expired", "已过期")],
    status_condition=_licence_status_condition,
    search=SearchIndex("licence"),
    search_parts=lambda x: ([x.name, x.copy_kind, x.number, x.issuer, x.location, x.note],
                            [x.name, x.copy_kind, x.number, x.issuer, x.location]),
    validate=validate_licence,
    describe=lambda x: f"证照 {x.label}",
))


# ---------------------------------------------------------------------------------------------- chained ledgers


@dataclass
class ChainedLedgerSpec(LedgerSpec):
    """A ledger written only through its step functions: generic create/edit/import are refused."""

    void_fn: Any = None

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        raise NeiqinError(f"{self.tab_title}记录只能按登记流程逐步录入（不能直接新建或从 Excel 导入），"
                          "以保证登记链完整")

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        raise NeiqinError(f"{self.tab_title}记录登记后不能修改；如有错误请作废后重新登记（作废记录会保留）")

    def void(self, rec: Any, reason: str) -> Any:
        return self.void_fn(rec, reason)


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


def _use_status_condition(key: str):
    return SealUse.status == {"pending": PENDING, "approved": APPROVED, "stamped": STAMPED,
                              "rejected": REJECTED}.get(key, key)


def _use_search_parts(u: SealUse) -> tuple[list[str], list[str]]:
    short = [u.no, u.seal_name, u.department, u.applicant, u.doc_title, u.doc_type, u.purpose, u.doc_no,
             u.approver1, u.approver2, u.supervisor]
    return short + [u.note, u.stamp_note, u.opinion1, u.opinion2], short


def _loan_status_condition(key: str):
    if key == "overdue":
        return (SealLoan.status == OUT) & (SealLoan.due_at < now())
    return SealLoan.status == (RETURNED if key == "returned" else OUT)


def _loan_search_parts(x: SealLoan) -> tuple[list[str], list[str]]:
    short = [x.no, x.item_name, x.borrower, x.department, x.purpose, x.approver, x.escort]
    return short + [x.note, x.return_note, x.return_condition], short


SEAL_USES = register_ledger(ChainedLedgerSpec(
    key="seal-uses",
    title="用印登记簿",
    tab_title="用印登记",
    model=SealUse,
    columns=[
        Column("no", "编号", 10, sortable=True, importable=False, number_order=True),
        Column("apply_date", "日期", 10, kind="date", sortable=True, importable=False, value=_use_date),
        Column("department", "用印部门", 10, importable=False),
        Column("applicant", "经办人", 7, importable=False),
        Column("seal_name", "印章", 12, importable=False),
        Column("doc_title", "文件名称", 20, importable=False),
        Column("purpose", "事由", 14, importable=False),
        Column("copies", "份数(用印次数)", 11, align="center", importable=False, value=_copies),
        Column("approver1", "审批人", 9, importable=False, value=_approvers),
        Column("supervisor", "监印人", 7, importable=False),
        Column("note", "备注", 10, importable=False),
        Column("status", "状态", 6, importable=False),
    ],
    default_sort="apply_date",
    date_field="apply_date",
    date_label="申请日期",
    statuses=[("pending", "待审批"), ("approved", "已批准待用印"), ("stamped", "已用印"), ("rejected", "未批准")],
    status_condition=_use_status_condition,
    search=SearchIndex("seal_use"),
    search_parts=_use_search_parts,
    describe=lambda u: f"用印 {u.no}（{u.doc_title}）",
))

SEAL_LOANS = register_ledger(ChainedLedgerSpec(
    key="seal-loans",
    title="印章证照外借登记簿",
    tab_title="外借",
    model=SealLoan,
    columns=[
        Column("no", "编号", 10, sortable=True, importable=False, number_order=True),
        Column("lent_at", "借出时间", 14, kind="datetime", sortable=True, importable=False),
        Column("item_name", "借出物品", 14, importable=False,
               value=lambda r: f"{r.get('item_kind')}：{r.get('item_name')}"),
        Column("borrower", "借用人", 7, importable=False),
        Column("department", "部门", 10, importable=False),
        Column("purpose", "事由", 14, importable=False),
        Column("approver", "审批人", 7, importable=False),
        Column("due_at", "预计归还", 14, kind="datetime", sortable=True, importable=False),
        Column("returned_at", "实际归还", 14, kind="datetime", importable=False),
        Column("escort", "随行/监印人", 8, importable=False),
        Column("return_condition", "归还情况", 8, importable=False),
        Column("status", "状态", 6, importable=False),
    ],
    default_sort="lent_at",
    date_field="lend_date",
    date_label="借出日期",
    statuses=[("out", "借出未还"), ("overdue", "逾期未还"), ("returned", "已归还")],
    status_condition=_loan_status_condition,
    search=SearchIndex("seal_loan"),
    search_parts=_loan_search_parts,
    describe=lambda x: f"外借 {x.no}（{x.item_name}）",
))


# ---------------------------------------------------------------------------------------------- chained writes


def _write(spec: LedgerSpec, entity: str, rec: Any, kind: str, data: dict, summary: str,
           file: dict | None = None) -> Any:
    """Apply ``data`` to the projected row and append the event, in one transaction."""
    model = spec.model
    with db.atomic():
        if rec is None:
            rec = model.create(**data)
        else:
            model.update(**data, updated_at=now()).where(model.id == rec.id).execute()
            rec = model.get_by_id(rec.id)
        append(entity, rec.id, kind, data, file)
        spec._reindex(rec)
        AuditLog.write(spec.key, rec.id, kind, summary,
                       {k: [None, v] for k, v in data.items() if v not in (None, "")})
    return rec


USE_NO = series("seal_use", "用印编号", "印{year}-{n:04}", setting="seals.use_number_pattern", column=SealUse.no)
LOAN_NO = series("seal_loan", "外借编号", "借{year}-{n:04}", setting="seals.loan_number_pattern", column=SealLoan.no)


def _usable_seal(seal_id: Any, errors: dict, key: str = "seal") -> Seal | None:
    seal = Seal.get_or_none(Seal.id == seal_id) if seal_id else None
    if seal is None or seal.voided:
        errors.setdefault(key, "请选择印章")
        return None
    if seal.status in (SEAL_DISABLED, SEAL_LOST, SEAL_DESTROYED):
        errors.setdefault(key, f"印章“{seal.name}”已{seal.status}，不能用印")
    return seal


def open_loan_of_seal(seal_id: int) -> SealLoan | None:
    return (SealLoan.select().where((SealLoan.seal_id == seal_id) & (SealLoan.status == OUT)
                                    & (SealLoan.voided == False))  # noqa: E712
            .order_by(SealLoan.id.desc()).first())


def apply_use(data: dict) -> SealUse:
    """第一步 申请: a paper application taken at the desk."""
    errors: dict[str, str] = {}
    seal_ref = data.get("seal")
    seal = _usable_seal(seal_ref.id if isinstance(seal_ref, Seal) else seal_ref, errors)
    aid, aname, adept = _person(data.get("applicant"))
    if not aname:
        errors["applicant"] = "请填写经办人（申请人）"
    elif len(aname) > 40:
        errors["applicant"] = "经办人姓名不能超过 40 字"
    department = (data.get("department") or "").strip() or adept
    if not department:
        errors["department"] = "请填写用印部门"
    doc_title = text_field(data, errors, "doc_title", "文件名称", required=True, max_len=200)
    doc_type = text_field(data, errors, "doc_type", "文件类型", max_len=20)
    copies = _int(data.get("copies"), "份数", "copies", errors, 1, 9999)
    per = _int(data.get("stamps_per_copy"), "每份用印次数", "stamps_per_copy", errors, 1, 99, 1)
    purpose = text_field(data, errors, "purpose", "事由", required=True, max_len=200)
    doc_no = text_field(data, errors, "doc_no", "发文字号", max_len=60)
    note = text_field(data, errors, "note", "备注", max_len=1000)
    applied_at = _moment(data.get("applied_at"), "申请时间", "applied_at", errors, default=now())
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
        return _write(SEAL_USES, "use", None, "create", state,
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
    _, approver, _ = _person(data.get("approver"))
    if not approver:
        errors["approver"] = "请填写审批人"
    decision = (data.get("decision") or AGREE).strip()
    if decision not in (AGREE, DISAGREE):
        errors["decision"] = "审批意见应为“同意”或“不同意”"
    opinion = text_field(data, errors, "opinion", "审批说明", max_len=200)
    if decision == DISAGREE and not opinion:
        errors.setdefault("opinion", "不同意时请填写理由")
    at = _moment(data.get("approved_at"), "审批时间", "approved_at", errors, default=now())
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
    return _write(SEAL_USES, "use", use, "approve", change, f"用印 {use.no} {label}：{approver} {decision}")


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
    _, supervisor, _ = _person(data.get("supervisor"))
    if not supervisor:
        errors["supervisor"] = "请填写监印人"
    note = text_field(data, errors, "stamp_note", "用印说明", max_len=200)
    at = _moment(data.get("stamped_at"), "用印时间", "stamped_at", errors, default=now())
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
    return _write(SEAL_USES, "use", use, "stamp", change, f"用印 {use.no}：{use.seal_name}，监印人 {supervisor}")


def attach_to_use(use: SealUse, src: str | os.PathLike, attachments_dir: str | os.PathLike) -> SealAttachment:
    """Keep a scan or photo of the stamped pages; listed in the chain."""
    use = SealUse.get_by_id(use.id)
    if use.voided:
        raise NeiqinError("该用印记录已作废，不能再添加附件")
    stored = store_attachment(src, attachments_dir)
    with db.atomic():
        _write(SEAL_USES, "use", use, "attach", {"attachments": (use.attachments or 0) + 1},
               f"用印 {use.no} 添加附件 {stored.name}", file=stored.as_dict())
        att = SealAttachment.create(entity="use", owner_id=use.id, **stored.as_dict())
    return att


def attachments_of(use: SealUse) -> list[SealAttachment]:
    return list(SealAttachment.select().where((SealAttachment.entity == "use") & (SealAttachment.owner_id == use.id))
                .order_by(SealAttachment.id))


def _void_change(rec: Any, reason: str) -> dict:
    return {"voided": True, "void_reason": check_void(rec, reason), "voided_at": now()}


def void_use(use: SealUse, reason: str) -> SealUse:
    use = SealUse.get_by_id(use.id)
    change = _void_change(use, reason)
    return _write(SEAL_USES, "use", use, "void", change, f"作废用印 {use.no}：{change['void_reason']}")


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


# ---------------------------------------------------------------------------------------------- loans


class LicenceExpired(NeiqinError):
    """Lending a licence past its expiry: the UI asks, then passes ``expired_ack=True``."""

    def __init__(self, licence: Licence):
        self.licence = licence
        super().__init__(f"证照“{licence.label}”已于 {licence.valid_until} 过期。确实要借出吗？"
                         "（借出将记录“已知过期”）")


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


def lend(data: dict, *, expired_ack: bool = False) -> SealLoan:
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
    if not bname:
        errors["borrower"] = "请填写借用人"
    department = (data.get("department") or "").strip() or bdept
    purpose = text_field(data, errors, "purpose", "事由", required=True, max_len=200)
    _, approver, _ = _person(data.get("approver"))
    if not approver:
        errors["approver"] = "请填写审批人"
    _, escort, _ = _person(data.get("escort"))
    note = text_field(data, errors, "note", "备注", max_len=1000)
    lent_at = _moment(data.get("lent_at"), "借出时间", "lent_at", errors, default=now())
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
    if licence is not None and licence.valid_until and licence.valid_until < lent_at.date() and not expired_ack:
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
        loan = _write(SEAL_LOANS, "loan", None, "create", state,
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
    at = _moment(data.get("returned_at"), "归还时间", "returned_at", errors, default=now())
    if at and "returned_at" not in errors and at < loan.lent_at:
        errors["returned_at"] = f"归还时间不能早于借出时间（{_fmt(loan.lent_at)}）"
    condition = (data.get("return_condition") or CONDITIONS[0]).strip()
    if len(condition) > 20:
        errors["return_condition"] = "归还情况不能超过 20 字"
    note = text_field(data, errors, "return_note", "归还说明", max_len=200)
    if condition != CONDITIONS[0] and not note:
        errors.setdefault("return_note", "归还情况不是“完好”时请说明")
    if errors:
        raise ValidationError(errors)
    change = {"returned_at": at, "return_condition": condition, "return_note": note, "status": RETURNED}
    with db.atomic():
        loan = _write(SEAL_LOANS, "loan", loan, "return", change, f"归还 {loan.no}：{loan.item_name}（{condition}）")
        _set_item_status(loan, SEAL_IN_USE, LIC_IN_STORE, f"归还 {loan.no}")
    return loan


def void_loan(loan: SealLoan, reason: str) -> SealLoan:
    loan = SealLoan.get_by_id(loan.id)
    change = _void_change(loan, reason)
    with db.atomic():
        was_out = loan.status == OUT
        loan = _write(SEAL_LOANS, "loan", loan, "void", change, f"作废外借 {loan.no}：{change['void_reason']}")
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


def expiring_licences() -> list[Licence]:
    cond = _licence_status_condition("expiring") | _licence_status_condition("expired")
    return list(Licence.select().where(cond & (Licence.voided == False)).order_by(Licence.valid_until))  # noqa: E712


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


def __getattr__(name: str):
    if name == "SEAL_MODELS":  # the tables of this ledger (db migration 2); the search tables made when asked for
        return [Seal, Licence, SealUse, SealLoan, SealAttachment, SealEvent,
                *(m for spec in (SEALS, LICENCES, SEAL_USES, SEAL_LOANS) for m in spec.search.models)]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
