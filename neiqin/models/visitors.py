"""Visitor register (来访登记): appointments, check-in/out, on-site list, watchlist, personal-data retention."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import peewee as pw

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.base import AuditLog, BaseModel, PartialIndex, VoidableModel, db, now
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.staff import Staff, pinyin_keys
from neiqin.models.validators import (
    mask_id,
    mask_phone,
    validate_resident_id,
)
from neiqin.operations import NOTHING_CONFIRMED, Confirmed, NeedsConfirmation, reason_for

ID_TYPES = ["居民身份证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证",
            "军官证", "其他"]
RESIDENT_ID = ID_TYPES[0]

PURPOSE_CHOICES = ["商务洽谈", "参加会议", "送货", "面试", "设备维修", "项目验收", "办理业务", "走访调研"]

APPOINTMENT, ON_SITE, LEFT, NO_SHOW = "预约", "在场", "已离开", "未到"
STATUSES = [APPOINTMENT, ON_SITE, LEFT, NO_SHOW]



def _arrive_or_expected(row: dict):
    if row.get("status") == APPOINTMENT and row.get("expected_at"):
        return f"约{row['expected_at']:%H:%M}"
    return row.get("arrive_at")


VISIT_FIELDS = Fields(
    "visitors",
    Field("visit_date", "日期", "date", required=True, index=True, width=11, sortable=True, aliases=("来访日期",)),
    Field("expected_at", "预约时间", "datetime", stored=True, importable=False),
    Field("name", "姓名", required=True, max_len=40, index=True, width=8, sortable=True, aliases=("来访人", "访客姓名")),
    Field("company", "单位", max_len=100, index=True, width=18, sortable=True, aliases=("来访单位", "工作单位"),
          history=True),
    Field("id_type", "证件类型", "choice", choices=tuple(ID_TYPES), default=RESIDENT_ID, max_len=20, width=10),
    Field("id_number", "证件号码", "code", max_len=40, width=20, mask=mask_id, aliases=("身份证号", "身份证号码"),
          placeholder="居民身份证 18 位，末位可为 X"),
    Field("phone", "手机", "phone", max_len=40, width=13, mask=mask_phone, aliases=("电话", "联系电话", "手机号")),
    Field("party_size", "人数", "int", lo=1, hi=500, default=1, width=5, align="center"),
    Field("purpose", "事由", "choice", choices=tuple(PURPOSE_CHOICES), open_choices=True, max_len=200, width=16,
          aliases=("来访事由",)),
    Field("host", "被访人", "staff", required=True, stored=False, error_keys=("host_name",)),
    Field("host_dept", "被访部门", max_len=60, width=10),
    Field("host_name", "被访人", max_len=40, width=8, aliases=("接待人",)),
    Field("arrive_at", "到达时间", "datetime", header="到达", width=7, aliases=("进入时间",), value=_arrive_or_expected),
    Field("leave_at", "离开时间", "datetime", header="离开", width=7),
    Field("badge_no", "来访证号", max_len=20, width=8, aliases=("来访证",), placeholder="留空自动编号"),
    Field("belongings", "携带物品", max_len=200, width=10, history=True),
    Field("plate", "车牌号", "plate", max_len=20, width=10, placeholder="例如 京A12345"),
    Field("note", "备注", "multiline", width=14),
    Field("status", "状态", "choice", choices=tuple(STATUSES), default=ON_SITE, max_len=10, index=True, width=6,
          importable=False),
)


@VISIT_FIELDS.table
class Visit(VoidableModel):
    """One visit. Its ledger fields (columns, checks, form, register and Excel columns) are :data:`VISIT_FIELDS`;
    declared here are only the link to the host and the bookkeeping the clerk does not type."""

    host = pw.ForeignKeyField(Staff, null=True, backref="visits", on_delete="SET NULL")
    leave_note = pw.TextField(default="")
    watch_note = pw.TextField(default="")
    pii_erased_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("visit_date", "id"), False), (("status", "visit_date"), False),
                   # visits whose personal data still awaits erasure (erase_expired_personal_data)
                   PartialIndex("visit_pii_pending", "visit", "visit_date", "pii_erased_at IS NULL"))

    def __str__(self) -> str:
        return f"{self.name}（{self.visit_date}）"


class WatchEntry(BaseModel):
    """谢绝来访 list: a name, an ID number or a company keyword, with the reason."""

    kind = pw.CharField(max_length=10)  # name / id / company
    pattern = pw.CharField(max_length=100)
    reason = pw.TextField()
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=now)

    KIND_LABELS = {"name": "姓名", "id": "证件号码", "company": "单位关键词"}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


MODELS = [Visit, WatchEntry]


# ---------------------------------------------------------------------------------------------- validation


def _parse_dt(value, label: str, errors: dict, key: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).replace(microsecond=0)
        except ValueError:
            errors[key] = f"{label}格式应为 YYYY-MM-DD HH:MM"
            return None
    errors[key] = f"{label}格式不正确"
    return None


def _parse_date(value, label: str, errors: dict, key: str):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            errors[key] = f"{label}格式应为 YYYY-MM-DD"
            return None
    errors[key] = f"请填写{label}"
    return None


def validate_visit(data: dict, record: Visit | None) -> dict:
    errors: dict[str, str] = {}
    out = VISIT_FIELDS.clean(data, errors, ("name", "company", "purpose", "host_name", "host_dept", "badge_no",
                                            "belongings", "plate", "note", "id_type", "id_number", "phone",
                                            "party_size"))
    if "name" not in errors and re.search(r"[0-9<>{}\[\]\\;=|]", out["name"]):
        errors["name"] = "姓名不能包含数字或特殊符号"

    status = data.get("status") or (record.status if record else ON_SITE)
    if status not in STATUSES:
        errors["status"] = "状态不正确"
    out["status"] = status

    if "id_number" not in errors and "id_type" not in errors:
        if out["id_number"] and out["id_type"] == RESIDENT_ID:
            msg = validate_resident_id(out["id_number"])
            if msg:
                errors["id_number"] = msg
        elif not out["id_number"] and settings.get("visitor.require_id") and status != APPOINTMENT \
                and not (record and record.pii_erased_at):
            errors["id_number"] = "请填写证件号码"

    today = clock.today()
    moment = now()
    visit_date = _parse_date(data.get("visit_date", today), "日期", errors, "visit_date")
    if visit_date and status != APPOINTMENT and visit_date > today:
        errors["visit_date"] = "来访日期不能晚于今天（预约请用“新建预约”）"
    if visit_date and visit_date.year < 2000:
        errors["visit_date"] = "来访日期不合理"
    out["visit_date"] = visit_date
    arrive = _parse_dt(data.get("arrive_at"), "到达时间", errors, "arrive_at")
    leave = _parse_dt(data.get("leave_at"), "离开时间", errors, "leave_at")
    expected = _parse_dt(data.get("expected_at"), "预约时间", errors, "expected_at")
    slack = dt.timedelta(minutes=5)
    if arrive and arrive > moment + slack:
        errors.setdefault("arrive_at", "到达时间不能晚于现在")
    if leave and leave > moment + slack:
        errors.setdefault("leave_at", "离开时间不能晚于现在")
    if arrive and leave and leave < arrive:
        errors.setdefault("leave_at", f"离开时间不能早于到达时间（{arrive:%H:%M}）")
    if arrive and visit_date and arrive.date() != visit_date and "visit_date" not in errors:
        errors.setdefault("arrive_at", "到达时间应在来访日期当天")
    if status in (ON_SITE, LEFT) and not arrive:
        errors.setdefault("arrive_at", "请填写到达时间")
    if status == LEFT and not leave:
        errors.setdefault("leave_at", "请填写离开时间")
    if status == APPOINTMENT and expected and expected.date() < today and record is None:
        errors.setdefault("expected_at", "预约时间不能早于今天")
    out.update(arrive_at=arrive, leave_at=leave, expected_at=expected)

    host = data.get("host")
    host_id = host.id if isinstance(host, Staff) else host
    if host_id:
        staff = Staff.get_or_none(Staff.id == host_id)
        if staff is None:
            errors.setdefault("host_name", "被访人不在通讯录中")
        else:
            out["host"] = staff.id
            out["host_name"] = out["host_name"] or staff.name
            out["host_dept"] = out["host_dept"] or staff.department
    else:
        out["host"] = None
    if not out["host_name"]:
        errors.setdefault("host_name", "请填写被访人（可输入姓名或拼音首字母从通讯录选择）")
    if errors:
        raise ValidationError(errors)
    return out


def _visit_search_parts(v: Visit) -> tuple[list[str], list[str]]:
    full, initials = _name_keys(v.name)
    short = [v.name, v.company, v.purpose, v.host_name, v.host_dept, v.badge_no, v.plate, initials]
    return short + [v.belongings, v.note, full, v.id_number, v.phone], short


@lru_cache(maxsize=20000)
def _name_keys(name: str) -> tuple[str, str]:
    return pinyin_keys(name)


def _status_condition(key: str):
    if key == "today":
        return (Visit.visit_date == clock.today()) & (Visit.status != APPOINTMENT)
    if key == "appointments":
        return Visit.status == APPOINTMENT
    if key == "on_site":
        return Visit.status == ON_SITE
    if key == "left":
        return Visit.status == LEFT
    return Visit.status == NO_SHOW


VISITORS = register_ledger(LedgerSpec(
    key="visitors",
    title="来访登记簿",
    tab_title="来访登记",
    model=Visit,
    columns=VISIT_FIELDS.columns("visit_date", "name", "company", "id_type", "id_number", "phone", "party_size",
                                 "purpose", "host_dept", "host_name", "arrive_at", "leave_at", "badge_no",
                                 "belongings", "plate", "note", "status"),
    fields=VISIT_FIELDS,
    default_sort="visit_date",
    date_field="visit_date",
    date_label="来访日期",
    statuses=[("today", "今日来访"), ("on_site", "在场访客"), ("appointments", "预约"), ("left", "已离开"),
              ("no_show", "未到")],
    status_condition=_status_condition,
    search=SearchIndex("visit"),
    search_parts=_visit_search_parts,
    sensitive_fields=("id_number", "phone"),
    mask_for_audit=lambda k, v: mask_id(v) if k == "id_number" else mask_phone(v),
    validate=validate_visit,
    history_fields=("company", "purpose", "belongings"),
    describe=lambda v: f"访客 {v.name}（{v.visit_date}）",
))


# ---------------------------------------------------------------------------------------------- watchlist


class WatchlistMatch(NeedsConfirmation):
    """Check-in of someone on the 谢绝来访 list: the window asks; letting them in needs the clerk's reason, which is
    recorded with the visit."""

    key, title, yes_text, no_text = "watchlist", "谢绝来访名单", "仍然放行", "谢绝来访"
    reason_label = "放行理由（将记入该来访记录）"

    def __init__(self, matches: list[WatchEntry], name: str = ""):
        self.matches = matches
        self.name = name
        lines = [f"{m.kind_label}“{m.pattern}”：{m.reason}" for m in matches]
        super().__init__("该访客在谢绝来访名单中：" + "；".join(lines), details=matches)

    def declined(self) -> str:
        """Refused at the desk: each matching entry's record says so."""
        with db.atomic():
            for entry in self.matches:
                AuditLog.write("watchlist", entry.id, "refused", f"谢绝来访：{self.name}（匹配 {entry.pattern}）")
        return "已谢绝来访，登记未保存（已记入谢绝名单记录）"


def match_watchlist(data: dict) -> list[WatchEntry]:
    name = (data.get("name") or "").strip()
    idn = (data.get("id_number") or "").strip().upper()
    company = (data.get("company") or "").strip()
    hits = []
    for e in WatchEntry.select().where(WatchEntry.active == True):  # noqa: E712
        p = e.pattern.strip()
        if (e.kind == "name" and p and p == name) or (e.kind == "id" and p and p.upper() == idn) or \
                (e.kind == "company" and p and p in company):
            hits.append(e)
    return hits


def add_watch(kind: str, pattern: str, reason: str) -> WatchEntry:
    errors = {}
    if kind not in WatchEntry.KIND_LABELS:
        errors["kind"] = "类型应为 姓名 / 证件号码 / 单位关键词"
    pattern = (pattern or "").strip()
    if not pattern:
        errors["pattern"] = "请填写要谢绝的姓名、证件号码或单位关键词"
    elif len(pattern) > 100:
        errors["pattern"] = "内容不能超过 100 字"
    elif kind == "company" and len(pattern) < 2:
        errors["pattern"] = "单位关键词至少 2 个字，以免误拦"
    if not (reason or "").strip():
        errors["reason"] = "请填写谢绝原因"
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        e = WatchEntry.create(kind=kind, pattern=pattern, reason=reason.strip())
        AuditLog.write("watchlist", e.id, "create", f"加入谢绝来访名单：{e.kind_label} {pattern}（{reason.strip()}）")
    return e


def remove_watch(entry: WatchEntry, reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError("请填写移出名单的原因", "reason")
    with db.atomic():
        entry.active = False
        entry.save()
        AuditLog.write("watchlist", entry.id, "void", f"移出谢绝来访名单：{entry.pattern}（{reason.strip()}）")


# ---------------------------------------------------------------------------------------------- actions


def next_badge_no(day: dt.date | None = None) -> str:
    """The next free badge number of the day: prefix + 3 digits (F001, F002 …)."""
    day = day or clock.today()
    prefix = settings.get("visitor.badge_prefix") or ""
    today_or_on_site = (Visit.visit_date == day) | ((Visit.status == ON_SITE) & (Visit.voided == False))  # noqa: E712
    used = {v.badge_no for v in Visit.select(Visit.badge_no).where(today_or_on_site)}
    n = 1
    while f"{prefix}{n:03d}" in used:
        n += 1
    return f"{prefix}{n:03d}"


def _check_badge_free(badge: str, exclude_id: int | None = None) -> None:
    if not badge:
        return
    q = Visit.select().where((Visit.badge_no == badge) & (Visit.status == ON_SITE)
                             & (Visit.voided == False))  # noqa: E712
    if exclude_id:
        q = q.where(Visit.id != exclude_id)
    other = q.first()
    if other:
        raise ValidationError({"badge_no": f"来访证 {badge} 正由 {other.name} 使用，尚未归还"})


def _watch_gate(data: dict, confirmed: Confirmed) -> str:
    hits = match_watchlist(data)
    if not hits:
        return ""
    decision = reason_for(confirmed, WatchlistMatch.key)
    if not (decision or "").strip():
        raise WatchlistMatch(hits, str(data.get("name") or "").strip())
    names = "；".join(f"{h.kind_label}“{h.pattern}”（{h.reason}）" for h in hits)
    return f"谢绝名单匹配：{names}。前台确认放行：{decision.strip()}"


def check_in(data: dict, *, confirmed: Confirmed = NOTHING_CONFIRMED) -> Visit:
    """Register a visitor who is at the desk now."""
    data = dict(data)
    moment = now()
    data.setdefault("visit_date", moment.date())
    data["arrive_at"] = data.get("arrive_at") or moment
    data["status"] = ON_SITE
    data["leave_at"] = None
    data["badge_no"] = (data.get("badge_no") or "").strip() or next_badge_no(moment.date())
    _check_badge_free(data["badge_no"])
    data["watch_note"] = _watch_gate(data, confirmed)
    with db.atomic():
        visit = VISITORS.create(data, action="checkin", summary=f"来访登记 {data.get('name', '')}")
        if data["watch_note"]:
            AuditLog.write("visitors", visit.id, "watch", data["watch_note"])
    return visit


def make_appointment(data: dict) -> Visit:
    data = dict(data)
    data["status"] = APPOINTMENT
    data["arrive_at"] = data["leave_at"] = None
    if data.get("expected_at") and not data.get("visit_date"):
        exp = data["expected_at"]
        data["visit_date"] = exp.date() if isinstance(exp, dt.datetime) else exp
    return VISITORS.create(data, summary=f"新建预约 {data.get('name', '')}")


def arrive(visit: Visit, *, badge_no: str = "", confirmed: Confirmed = NOTHING_CONFIRMED) -> Visit:
    """An appointment's visitor arrived: it becomes a visit, dated today, checked in now."""
    if visit.status != APPOINTMENT:
        raise NeiqinError("只有“预约”状态的记录可以登记到达")
    moment = now()
    badge = badge_no.strip() or visit.badge_no or next_badge_no(moment.date())
    _check_badge_free(badge, visit.id)
    note = _watch_gate({"name": visit.name, "id_number": visit.id_number, "company": visit.company},
                       confirmed)
    data = {"status": ON_SITE, "arrive_at": moment, "visit_date": moment.date(), "badge_no": badge}
    if note:
        data["watch_note"] = note
    return VISITORS.update(visit, data, action="checkin", summary=f"预约到访 {visit.name}")


def check_out(visit: Visit, when: dt.datetime | None = None, note: str = "") -> Visit:
    if visit.voided:
        raise NeiqinError("该记录已作废")
    if visit.status != ON_SITE:
        raise NeiqinError(f"{visit.name} 当前状态为“{visit.status}”，不在场，无需登记离开")
    when = (when or now()).replace(microsecond=0)
    if visit.arrive_at and when < visit.arrive_at:
        raise ValidationError({"leave_at": f"离开时间不能早于到达时间（{visit.arrive_at:%H:%M}）"})
    data = {"status": LEFT, "leave_at": when}
    if note:
        data["leave_note"] = note.strip()
    return VISITORS.update(visit, data, action="checkout", summary=f"离开 {visit.name}", validate=False)


def mark_no_show(visit: Visit, note: str = "") -> Visit:
    if visit.status != APPOINTMENT:
        raise NeiqinError("只有预约记录可以标记为未到")
    return VISITORS.update(visit, {"status": NO_SHOW, "leave_note": note.strip()}, validate=False,
                           summary=f"预约未到 {visit.name}")


def on_site_counts() -> tuple[int, int]:
    """(parties, people) on site now."""
    n, total = (Visit.select(pw.fn.COUNT(Visit.id), pw.fn.SUM(Visit.party_size))
                .where((Visit.status == ON_SITE) & (Visit.voided == False)).tuples().first())  # noqa: E712
    return n or 0, total or 0


def active_watch_entries() -> list[WatchEntry]:
    """The 关注名单 in force, newest first."""
    return list(WatchEntry.select().where(WatchEntry.active == True).order_by(WatchEntry.id.desc()))  # noqa: E712


def on_site(before: dt.date | None = None) -> list[Visit]:
    q = Visit.select().where((Visit.status == ON_SITE) & (Visit.voided == False))  # noqa: E712
    if before:
        q = q.where(Visit.visit_date < before)
    return list(q.order_by(Visit.arrive_at))


def closing_moment(day: dt.date) -> dt.datetime:
    text = settings.get("visitor.closing_time") or "18:00"
    try:
        t = dt.time.fromisoformat(text)
    except ValueError:
        t = dt.time(18, 0)
    return dt.datetime.combine(day, t)


def close_forgotten(visits: list[Visit], note: str) -> int:
    """Close visits nobody checked out, at that day's closing time (or now if earlier), with a note."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请说明情况，例如“未登记离开，下班时确认已离开”"})
    n = 0
    with db.atomic():
        for v in visits:
            if v.status != ON_SITE:
                continue
            when = min(closing_moment(v.visit_date), now())
            if v.arrive_at and when < v.arrive_at:
                when = v.arrive_at
            check_out(v, when, note=f"补登离开：{note}")
            n += 1
    return n


def prefill_from(previous: Visit) -> dict:
    """Form values for a returning visitor (quick check-in)."""
    return {
        "name": previous.name, "company": previous.company, "id_type": previous.id_type,
        "id_number": "" if previous.pii_erased_at else previous.id_number,
        "phone": "" if previous.pii_erased_at else previous.phone,
        "party_size": previous.party_size, "purpose": previous.purpose,
        "host": previous.host_id, "host_name": previous.host_name, "host_dept": previous.host_dept,
        "plate": previous.plate, "belongings": "", "note": "",
    }


def erase_expired_personal_data(today: dt.date | None = None, days: int | None = None) -> int:
    """个人信息保护法: blank ID and phone numbers of visits older than the retention period; audited."""
    today = today or clock.today()
    days = int(days if days is not None else settings.get("visitor.retention_days") or 180)
    cutoff = today - dt.timedelta(days=days)
    pending = (Visit.visit_date < cutoff) & Visit.pii_erased_at.is_null()  # served by visit_pii_pending
    cond = pending & ((Visit.id_number != "") | (Visit.phone != ""))
    ids = [v.id for v in Visit.select(Visit.id).where(cond)]
    if not ids:
        # old rows that never held an ID or phone leave the pending index too, so start-up stays instant
        Visit.update(pii_erased_at=now()).where(pending).execute()
        return 0
    moment = now()
    with db.atomic():
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            Visit.update(id_number="", phone="", pii_erased_at=moment).where(Visit.id.in_(chunk)).execute()
            for v in Visit.select().where(Visit.id.in_(chunk)):
                VISITORS._reindex(v)
        Visit.update(pii_erased_at=moment).where(pending).execute()
        AuditLog.write("visitors", None, "erase",
                       f"按保留期限（{days} 天）删除 {len(ids)} 条来访记录的证件号码和手机号（{cutoff} 之前）",
                       {"count": len(ids), "cutoff": cutoff.isoformat(), "first_id": ids[0], "last_id": ids[-1]})
    # the old pages are still in the -wal file until a checkpoint copies the erased ones over them
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(ids)
