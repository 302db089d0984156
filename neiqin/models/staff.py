"""Staff directory (通讯录): departments and people, found by Chinese, full pinyin or initials."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db
from neiqin.models.ledger import Column, LedgerSpec, SearchIndex, register_ledger, text_field
from neiqin.models.validators import validate_phone

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Department(BaseModel):
    name = pw.CharField(max_length=60, unique=True)
    sort_order = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)

    @classmethod
    def names(cls, active_only: bool = True) -> list[str]:
        q = cls.select(cls.name).order_by(cls.sort_order, cls.id)
        if active_only:
            q = q.where(cls.active == True)  # noqa: E712
        return [d.name for d in q]

    @classmethod
    def ensure(cls, name: str) -> Department:
        name = name.strip()
        dep = cls.get_or_none(cls.name == name)
        if dep is None:
            nxt = (cls.select(pw.fn.MAX(cls.sort_order)).scalar() or 0) + 1
            dep = cls.create(name=name, sort_order=nxt)
            AuditLog.write("departments", dep.id, "create", f"新增部门：{name}")
        return dep

    @classmethod
    def set_list(cls, names: list[str]) -> None:
        """Replace the department list order; departments in use are kept (marked inactive if removed)."""
        clean = []
        for n in names:
            n = n.strip()
            if not n:
                continue
            if len(n) > 60:
                raise ValidationError(f"部门名称“{n[:10]}…”太长（最多 60 字）", "departments")
            if n in clean:
                raise ValidationError(f"部门“{n}”重复", "departments")
            clean.append(n)
        with db.atomic():
            for i, n in enumerate(clean):
                dep = cls.ensure(n)
                dep.sort_order, dep.active = i, True
                dep.save()
            for dep in cls.select().where(cls.name.not_in(clean) if clean else True):
                if dep.active:
                    dep.active = False
                    dep.save()
                    AuditLog.write("departments", dep.id, "void", f"停用部门：{dep.name}")


def pinyin_keys(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; surname polyphones use pypinyin's heteronym-free default."""
    from pypinyin import Style, lazy_pinyin  # 150 ms to import: only when a name is saved

    full = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(full).lower(), "".join(initials).lower()


STATUS_ACTIVE, STATUS_LEFT = "在职", "离职"


class Staff(VoidableModel):
    name = pw.CharField(max_length=40, index=True)
    department = pw.CharField(max_length=60, default="", index=True)
    title = pw.CharField(max_length=40, default="")
    office_phone = pw.CharField(max_length=40, default="")
    extension = pw.CharField(max_length=20, default="")
    mobile = pw.CharField(max_length=40, default="")
    email = pw.CharField(max_length=100, default="")
    birthday = pw.DateField(null=True)
    status = pw.CharField(max_length=10, default=STATUS_ACTIVE, index=True)
    note = pw.TextField(default="")
    pinyin = pw.CharField(max_length=200, default="")
    initials = pw.CharField(max_length=40, default="")

    def __str__(self) -> str:
        return self.name


def _validate_staff(data: dict, record: Staff | None) -> dict:
    errors: dict[str, str] = {}
    out = {
        "name": text_field(data, errors, "name", "姓名", required=True, max_len=40),
        "department": text_field(data, errors, "department", "部门", max_len=60),
        "title": text_field(data, errors, "title", "职务", max_len=40),
        "office_phone": text_field(data, errors, "office_phone", "办公电话", max_len=40),
        "extension": text_field(data, errors, "extension", "分机", max_len=20),
        "mobile": text_field(data, errors, "mobile", "手机", max_len=40),
        "email": text_field(data, errors, "email", "邮箱", max_len=100),
        "note": text_field(data, errors, "note", "备注", max_len=1000),
    }
    for key, label in (("office_phone", "办公电话"), ("mobile", "手机")):
        if out[key] and key not in errors:
            msg = validate_phone(out[key])
            if msg:
                errors[key] = f"{label}：{msg}"
    if out["extension"] and not out["extension"].isdigit():
        errors["extension"] = "分机号只能是数字"
    if out["email"] and not EMAIL_RE.match(out["email"]):
        errors["email"] = "邮箱格式不正确，例如 zhangsan@example.com"
    bd = data.get("birthday")
    if isinstance(bd, str) and bd.strip():
        try:
            bd = dt.date.fromisoformat(bd.strip())
        except ValueError:
            errors["birthday"] = "生日格式应为 YYYY-MM-DD"
            bd = None
    if isinstance(bd, dt.datetime):
        bd = bd.date()
    if bd and not errors.get("birthday") and (bd > clock.today() or bd.year < 1900):
        errors["birthday"] = "生日不合理"
    out["birthday"] = bd or None
    status = (data.get("status") or STATUS_ACTIVE).strip()
    if status not in (STATUS_ACTIVE, STATUS_LEFT):
        errors["status"] = "状态只能是“在职”或“离职”"
    out["status"] = status
    if errors:
        raise ValidationError(errors)
    out["pinyin"], out["initials"] = pinyin_keys(out["name"])
    return out


def _staff_search_parts(s: Staff) -> tuple[list[str], list[str]]:
    parts = [s.name, s.department, s.title, s.pinyin, s.initials, s.email]
    return parts + [s.office_phone, s.extension, s.mobile], parts


def _staff_status(key: str):
    return Staff.status == ("在职" if key == "active" else "离职")


STAFF = register_ledger(LedgerSpec(
    key="staff",
    title="通讯录",
    tab_title="通讯录",
    model=Staff,
    columns=[
        Column("name", "姓名", 8, sortable=True),
        Column("department", "部门", 12, sortable=True),
        Column("title", "职务", 10),
        Column("office_phone", "办公电话", 14),
        Column("extension", "分机", 6),
        Column("mobile", "手机", 13, aliases=("手机号", "手机号码")),
        Column("email", "邮箱", 22, aliases=("电子邮箱", "Email")),
        Column("birthday", "生日", 11, kind="date", aliases=("出生日期",)),
        Column("status", "状态", 6, aliases=("在职状态",)),
        Column("note", "备注", 16),
    ],
    default_sort="department",
    default_desc=False,
    statuses=[("active", "在职"), ("left", "离职")],
    status_condition=_staff_status,
    search=SearchIndex("staff"),
    search_parts=_staff_search_parts,
    validate=_validate_staff,
    history_fields=("title",),
    describe=lambda s: f"{s.name}（{s.department or '未分部门'}）",
))


# ---------------------------------------------------------------------------------------------- picker


@dataclass(frozen=True)
class StaffChoice:
    id: int
    name: str
    department: str
    title: str
    pinyin: str
    initials: str

    @property
    def label(self) -> str:
        extra = " · ".join(p for p in (self.department, self.title) if p)
        return f"{self.name}（{extra}）" if extra else self.name


def staff_choices(include_left: bool = False) -> list[StaffChoice]:
    q = Staff.select(Staff.id, Staff.name, Staff.department, Staff.title, Staff.pinyin, Staff.initials) \
        .where(Staff.voided == False)  # noqa: E712
    if not include_left:
        q = q.where(Staff.status == STATUS_ACTIVE)
    return [StaffChoice(s.id, s.name, s.department, s.title, s.pinyin, s.initials)
            for s in q.order_by(Staff.initials, Staff.id)]


def match_staff(choices: list[StaffChoice], text: str, limit: int = 20) -> list[StaffChoice]:
    """People matching "张", "zs" or "zhangsan": exact name, then name prefix, initials, pinyin, substring."""
    t = text.strip().lower().replace(" ", "")
    if not t:
        return choices[:limit]
    ranked: list[tuple[int, int, StaffChoice]] = []
    for i, c in enumerate(choices):
        if c.name == text.strip():
            rank = 0
        elif c.name.startswith(t):
            rank = 1
        elif c.initials.startswith(t):
            rank = 2
        elif c.pinyin.startswith(t):
            rank = 3
        elif t in c.name or t in c.pinyin:
            rank = 4
        elif t in c.department:
            rank = 5
        else:
            continue
        ranked.append((rank, i, c))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [c for _, _, c in ranked[:limit]]


def find_staff_by_name(name: str) -> Staff | None:
    """The active person of that exact name, if exactly one exists (import and CLI resolve names this way)."""
    rows = list(Staff.select().where((Staff.name == name.strip()) & (Staff.voided == False))  # noqa: E712
                .limit(3))
    active = [s for s in rows if s.status == STATUS_ACTIVE] or rows
    if len(active) > 1:
        raise NeiqinError(f"通讯录中有多位“{name}”，请从列表中选择")
    return active[0] if active else None


def resolve_person(value: Any, *, link_name: bool = False) -> tuple[int | None, str, str]:
    """(staff id, name, department) from a staff-picker dict, a Staff, an id or a plain typed name.

    With ``link_name`` a typed name links to the directory when exactly one person has it (else it stays a
    name only: an outside person, or an ambiguous one the clerk should pick from the list).
    """
    if isinstance(value, Staff):
        return value.id, value.name, value.department
    if isinstance(value, dict):
        sid = value.get("id")
        name = str(value.get("name") or "").strip()
        dept = str(value.get("department") or "").strip()
        if sid and not (name and dept):
            s = Staff.get_or_none(Staff.id == sid)
            if s is not None:
                return s.id, name or s.name, dept or s.department
        return sid, name, dept
    if isinstance(value, int) and not isinstance(value, bool):
        s = Staff.get_or_none(Staff.id == value)
        return (s.id, s.name, s.department) if s else (None, "", "")
    name = str(value or "").strip()
    if name and link_name:
        try:
            s = find_staff_by_name(name)
        except NeiqinError:
            s = None
        if s is not None:
            return s.id, s.name, s.department
    return None, name, ""
