"""Staff directory (通讯录): departments and people, found by Chinese, full pinyin or initials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, BaseModel, VoidableModel, db
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger


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


STAFF_FIELDS = Fields(
    "staff",
    Field("name", "姓名", required=True, max_len=40, index=True, width=8, sortable=True),
    Field("department", "部门", "choice", open_choices=True, max_len=60, index=True, width=12, sortable=True),
    Field("title", "职务", max_len=40, width=10, history=True),
    Field("office_phone", "办公电话", "phone", max_len=40, width=14, placeholder="010-12345678"),
    Field("extension", "分机", "code", max_len=20, width=6, pattern=r"\d+", pattern_message="分机号只能是数字"),
    Field("mobile", "手机", "phone", max_len=40, width=13, aliases=("手机号", "手机号码")),
    Field("email", "邮箱", max_len=100, width=22, aliases=("电子邮箱", "Email"), pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
          pattern_message="邮箱格式不正确，例如 zhangsan@example.com"),
    Field("birthday", "生日", "date", width=11, aliases=("出生日期",), placeholder="YYYY-MM-DD，可不填"),
    Field("status", "状态", "choice", choices=(STATUS_ACTIVE, STATUS_LEFT), default=STATUS_ACTIVE, max_len=10,
          index=True, width=6, aliases=("在职状态",)),
    Field("note", "备注", "multiline", width=16),
)


@STAFF_FIELDS.table
class Staff(VoidableModel):
    """A person of the directory: the fields are :data:`STAFF_FIELDS`; here only the search keys made from the name."""

    pinyin = pw.CharField(max_length=200, default="")
    initials = pw.CharField(max_length=40, default="")

    def __str__(self) -> str:
        return self.name


MODELS = [Department, Staff]


def _validate_staff(data: dict, record: Staff | None) -> dict:
    errors: dict[str, str] = {}
    out = STAFF_FIELDS.clean(data, errors)
    bd = out["birthday"]
    if bd and "birthday" not in errors and (bd > clock.today() or bd.year < 1900):
        errors["birthday"] = "生日不合理"
    if errors:
        raise ValidationError(errors)
    out["pinyin"], out["initials"] = pinyin_keys(out["name"])
    return out


class _StaffSpec(LedgerSpec):
    """The directory: a department typed on a person (by the form, an import or the CLI) joins the department
    list in the same transaction."""

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        with db.atomic():
            rec = super().create(data, action=action, summary=summary)
            if rec.department:
                Department.ensure(rec.department)
        return rec

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        with db.atomic():
            rec = super().update(rec, data, action=action, summary=summary, validate=validate)
            if rec.department:
                Department.ensure(rec.department)
        return rec


def _staff_search_parts(s: Staff) -> tuple[list[str], list[str]]:
    parts = [s.name, s.department, s.title, s.pinyin, s.initials, s.email]
    return parts + [s.office_phone, s.extension, s.mobile], parts


def _staff_status(key: str):
    return Staff.status == ("在职" if key == "active" else "离职")


STAFF = register_ledger(_StaffSpec(
    key="staff",
    title="通讯录",
    tab_title="通讯录",
    model=Staff,
    fields=STAFF_FIELDS,
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
