"""参会与列席: a meeting's invitees as typed (names, units), their attendance marks and the counts. No Qt.
"""

from __future__ import annotations

import re

from neiqin.models.staff import STATUS_ACTIVE, Staff

MEMBER, OBSERVER = "参会", "列席"
PRESENT, LATE, LEAVE, ABSENT, ATTENDED = "出席", "迟到", "请假", "缺席", "列席"
MEMBER_MARKS = [PRESENT, LATE, LEAVE, ABSENT]
OBSERVER_MARKS = [ATTENDED, LEAVE, ABSENT]



# ---------------------------------------------------------------------------------------------- invitees


_SPLIT = re.compile(r"[、，,；;\n]+")
_WITH_UNIT = re.compile(r"^(.+?)\s*[（(]\s*(.*?)\s*[)）]$")


def parse_invitees(text: str, role: str, key: str, errors: dict) -> list[dict]:
    """People from ``张三、李四、王五（市住建局）``: names from the directory, outside people as 姓名（单位）.

    A name shared by several staff is written 姓名（部门）. Unknown or ambiguous names are reported at ``key``.
    """
    tokens = [t.strip() for t in _SPLIT.split(text or "") if t.strip()]
    parsed = []
    for t in tokens:
        m = _WITH_UNIT.match(t)
        parsed.append((m.group(1).strip(), m.group(2).strip()) if m else (t, ""))
    names = {n for n, _ in parsed}
    staff: dict[str, list[Staff]] = {}
    if names:
        for s in Staff.select().where(Staff.name.in_(list(names)) & (Staff.voided == False)  # noqa: E712
                                      & (Staff.status == STATUS_ACTIVE)).order_by(Staff.id):
            staff.setdefault(s.name, []).append(s)
    out: list[dict] = []
    seen: set[tuple] = set()
    unknown, ambiguous, too_long = [], [], []
    for name, unit in parsed:
        if len(name) > 40 or len(unit) > 100:
            too_long.append(name[:10])
            continue
        same = staff.get(name, [])
        if unit:
            match = [s for s in same if s.department == unit]
            if len(match) == 1 or (match and len(set(s.department for s in match)) == 1):
                s = match[0]
                row = {"staff_id": s.id, "name": s.name, "unit": s.department, "title": s.title,
                       "phone": s.mobile or s.office_phone}
            else:
                row = {"staff_id": None, "name": name, "unit": unit, "title": "", "phone": ""}
        elif len(same) == 1:
            s = same[0]
            row = {"staff_id": s.id, "name": s.name, "unit": s.department, "title": s.title,
                   "phone": s.mobile or s.office_phone}
        elif same:
            ambiguous.append(f"{name}（{'、'.join(sorted({s.department or '未分部门' for s in same}))}）")
            continue
        else:
            unknown.append(name)
            continue
        ident = (row["staff_id"], row["name"], "" if row["staff_id"] else row["unit"])
        if ident in seen:
            continue
        seen.add(ident)
        row["role"] = role
        out.append(row)
    msgs = []
    if unknown:
        msgs.append(f"通讯录中没有：{'、'.join(unknown)}；外单位人员请写成 姓名（单位）")
    if ambiguous:
        msgs.append(f"通讯录中有同名的人，请写成 姓名（部门）：{'、'.join(ambiguous)}")
    if too_long:
        msgs.append(f"姓名或单位太长：{'、'.join(too_long)}")
    if msgs:
        errors.setdefault(key, "；".join(msgs))
    return out


def count_marks(rows: list[tuple[str, str]]) -> dict[str, int]:
    """应到 / 实到 and each mark from (role, attendance) pairs.

    Counting rule: 应到 = 参会人员 (列席 people are not counted); 实到 = 参会人员 marked 出席 or 迟到.
    """
    members = [mark for role, mark in rows if role == MEMBER]
    counts = {"应到": len(members), "实到": sum(1 for m in members if m in (PRESENT, LATE))}
    for mark in (PRESENT, LATE, LEAVE, ABSENT):
        counts[mark] = sum(1 for m in members if m == mark)
    counts[ATTENDED] = sum(1 for role, m in rows if role == OBSERVER and m in (ATTENDED, PRESENT, LATE))
    counts["未登记"] = sum(1 for _, m in rows if not m)
    return counts


def counts_text(c: dict[str, int]) -> str:
    parts = [f"应到 {c['应到']} 人", f"实到 {c['实到']} 人"]
    parts += [f"{k} {c[k]} 人" for k in (LATE, LEAVE, ABSENT, ATTENDED) if c.get(k)]
    if c.get("未登记"):
        parts.append(f"未登记 {c['未登记']} 人")
    return "，".join(parts)


