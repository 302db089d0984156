"""The seal register's hash chain: every step of a seal use or a loan is one append-only event.

Why: a 用印登记 is evidence. A clerk (or anyone with the SQLite file) must not be able to quietly change who
approved a stamping, how many copies were stamped, or make a loan disappear. So every create / approve / stamp /
attach / lend / return / void is appended to ``seal_event`` as canonical JSON with
``hash = sha256(prev_hash + "\\n" + payload)``. The ``seal_use`` and ``seal_loan`` rows the screens read are a
projection: each event's ``data`` holds the resulting field values, and folding a record's events in order
must give exactly its row. A void is itself an event, so the voided record and its reason stay in the chain.

:func:`verify_connection` needs only a ``sqlite3`` connection (it runs on backups too) and reports "完整" or
the first thing that is broken: an event whose hash or link does not match (edited / deleted / inserted
events), or a ledger row that differs from its events (edited rows), has none (inserted rows) or is missing
(deleted rows).

This is tamper *evidence* against edits that bypass the program, not a signature: someone who rewrites the
whole chain consistently is not detected by the file alone. The chain head shown by 校验 (and printed on the
register) is the anchor a clerk can note on paper.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from neiqin.models.base import BaseModel, current_actor, db, now

GENESIS = "0" * 64

# projected fields of each entity, with the label a clerk reads in a verification message
USE_FIELDS: dict[str, str] = {
    "no": "编号", "apply_date": "申请日期", "applied_at": "申请时间", "seal_id": "印章", "seal_name": "印章名称",
    "department": "用印部门", "applicant_id": "经办人", "applicant": "经办人", "doc_title": "文件名称",
    "doc_type": "文件类型", "copies": "份数", "stamps_per_copy": "每份用印次数", "purpose": "事由",
    "doc_no": "发文字号", "levels": "审批级数", "note": "备注", "replaces": "更正的记录", "status": "状态",
    "approver1": "审批人", "approved1_at": "审批时间", "decision1": "审批意见", "opinion1": "审批说明",
    "approver2": "第二级审批人", "approved2_at": "第二级审批时间", "decision2": "第二级审批意见",
    "opinion2": "第二级审批说明", "stamped_at": "用印时间", "supervisor": "监印人",
    "content_checked": "已核对文件内容", "stamp_note": "用印说明", "attachments": "附件数",
    "voided": "作废", "void_reason": "作废原因", "voided_at": "作废时间",
}
LOAN_FIELDS: dict[str, str] = {
    "no": "编号", "item_kind": "类别", "seal_id": "印章", "licence_id": "证照", "item_name": "借出物品",
    "borrower_id": "借用人", "borrower": "借用人", "department": "部门", "purpose": "事由", "approver": "审批人",
    "lent_at": "借出时间", "lend_date": "借出日期", "due_at": "预计归还", "escort": "随行监印人",
    "expired_ack": "过期确认", "note": "备注", "status": "状态", "returned_at": "实际归还",
    "return_condition": "归还情况", "return_note": "归还说明",
    "voided": "作废", "void_reason": "作废原因", "voided_at": "作废时间",
}
ENTITIES: dict[str, tuple[str, str, dict[str, str]]] = {
    # entity -> (projection table, what a clerk calls one row, fields)
    "use": ("seal_use", "用印记录", USE_FIELDS),
    "loan": ("seal_loan", "外借记录", LOAN_FIELDS),
}
ATTACHMENT_TABLE = "seal_attachment"


class SealEvent(BaseModel):
    """One link of the chain. Never updated, never deleted."""

    entity = pw.CharField(max_length=10)
    entity_id = pw.IntegerField()
    kind = pw.CharField(max_length=20)
    payload = pw.TextField()
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64, unique=True)

    class Meta:
        table_name = "seal_event"
        indexes = ((("entity", "entity_id"), False),)


MODELS = [SealEvent]


# ---------------------------------------------------------------------------------------------- canonical form


def norm(value: Any) -> Any:
    """The form a value has both in the JSON payload and in the SQLite row (peewee's storage format)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def append(entity: str, entity_id: int, kind: str, data: dict, file: dict | None = None) -> SealEvent:
    """Append one event. Call inside the same ``db.atomic()`` as the projection write."""
    fields = ENTITIES[entity][2]
    unknown = set(data) - set(fields)
    if unknown:  # a programming error: the projection and the chain must describe the same fields
        raise KeyError(f"not chained: {sorted(unknown)}")
    last = SealEvent.select(SealEvent.id, SealEvent.hash).order_by(SealEvent.id.desc()).first()
    seq = (last.id + 1) if last else 1
    prev = last.hash if last else GENESIS
    body: dict[str, Any] = {"seq": seq, "entity": entity, "id": entity_id, "kind": kind,
                            "at": norm(now()), "actor": current_actor(),
                            "data": {k: norm(v) for k, v in data.items()}}
    if file is not None:
        body["file"] = file
    payload = canonical(body)
    return SealEvent.create(id=seq, entity=entity, entity_id=entity_id, kind=kind, payload=payload,
                            prev_hash=prev, hash=link_hash(prev, payload))


def head() -> tuple[int, str]:
    last = SealEvent.select(SealEvent.id, SealEvent.hash).order_by(SealEvent.id.desc()).first()
    return (last.id, last.hash) if last else (0, GENESIS)


# ---------------------------------------------------------------------------------------------- verify


@dataclass
class ChainReport:
    events: int = 0
    records: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> str:
        return self.problems[0] if self.problems else ""

    def text(self) -> str:
        if self.ok:
            return (f"完整：登记链 {self.events} 条事件、{self.records} 条用印/外借记录均未被改动"
                    f"（链尾校验码 {self.head[:16]}）")
        return "发现改动：" + self.first_problem


def _kind_label(kind: str) -> str:
    return {"create": "登记", "approve": "审批", "stamp": "用印", "attach": "附件", "return": "归还",
            "void": "作废"}.get(kind, kind)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


def verify_connection(conn: sqlite3.Connection, attachments_dir=None) -> ChainReport:
    """Walk the chain and compare every projected row with its events. Stops at the first broken link."""
    report = ChainReport()
    if not _has_table(conn, "seal_event"):
        return report
    states: dict[tuple[str, int], dict] = {}
    files: dict[tuple[str, int], list[dict]] = {}
    prev = GENESIS
    expected_seq = 1
    cur = conn.execute("SELECT id, entity, entity_id, kind, payload, prev_hash, hash FROM seal_event ORDER BY id")
    for eid, entity, entity_id, kind, payload, prev_hash, hash_ in cur:
        where = f"第 {eid} 条登记链事件"
        if eid != expected_seq:
            report.problems.append(f"登记链第 {expected_seq} 条事件缺失（可能被直接删除），"
                                   f"其后从第 {eid} 条接续")
            return report
        if prev_hash != prev:
            report.problems.append(f"{where}与前一条接不上（前一条可能被删除、插入或改动）")
            return report
        if link_hash(prev_hash, payload) != hash_:
            report.problems.append(f"{where}的内容与校验码不符（可能被直接改动）")
            return report
        try:
            body = json.loads(payload)
        except ValueError:
            report.problems.append(f"{where}无法读取（内容被破坏）")
            return report
        if body.get("seq") != eid or body.get("entity") != entity or body.get("id") != entity_id \
                or body.get("kind") != kind or entity not in ENTITIES:
            report.problems.append(f"{where}的索引列与内容不一致（可能被直接改动）")
            return report
        key = (entity, entity_id)
        if kind == "create":
            if key in states:
                report.problems.append(f"{where}重复登记了已有的记录 #{entity_id}")
                return report
            states[key] = {"id": entity_id}
        elif key not in states:
            report.problems.append(f"{where}（{_kind_label(kind)}）指向不存在的记录 #{entity_id}")
            return report
        states[key].update(body.get("data") or {})
        if body.get("file"):
            files.setdefault(key, []).append(body["file"])
        prev = hash_
        expected_seq += 1
        report.events += 1
    report.head = prev

    for entity, (table, label, fields) in ENTITIES.items():
        if not _has_table(conn, table):
            continue
        cols = ", ".join(["id", *fields])
        seen: set[int] = set()
        for row in conn.execute(f"SELECT {cols} FROM {table} ORDER BY id"):  # noqa: S608 - fixed names
            rid = row[0]
            seen.add(rid)
            state = states.get((entity, rid))
            values = dict(zip(fields, row[1:], strict=True))
            name = f"{label} #{rid}" + (f"（编号 {values.get('no')}）" if values.get("no") else "")
            if state is None:
                report.problems.append(f"{name}不在登记链中（可能是直接插入数据文件的）")
                return report
            for f, lab in fields.items():
                if values[f] != state.get(f):
                    report.problems.append(f"{name}的“{lab}”与登记链不一致（可能被直接修改）："
                                           f"登记为“{_show(state.get(f))}”，现为“{_show(values[f])}”")
                    return report
            report.records += 1
        for (ent, rid), state in sorted(states.items()):
            if ent == entity and rid not in seen:
                report.problems.append(f"{label} #{rid}（编号 {state.get('no', '')}）已从数据文件中删除")
                return report

    if _has_table(conn, ATTACHMENT_TABLE):
        stored: dict[tuple[str, int], list[tuple]] = {}
        for entity, owner, sha, name, size in conn.execute(
                f"SELECT entity, owner_id, sha256, name, size FROM {ATTACHMENT_TABLE} ORDER BY id"):  # noqa: S608
            stored.setdefault((entity, owner), []).append((sha, name, size))
        chained = {k: [(f.get("sha256"), f.get("name"), f.get("size")) for f in v] for k, v in files.items()}
        for key in sorted(set(stored) | set(chained)):
            if sorted(stored.get(key, [])) != sorted(chained.get(key, [])):
                label = ENTITIES.get(key[0], ("", "记录"))[1]
                report.problems.append(f"{label} #{key[1]} 的附件清单与登记链不一致（附件记录被直接改动）")
                return report
        if attachments_dir is not None:
            from pathlib import Path

            for key, flist in sorted(files.items()):
                for f in flist:
                    path = Path(attachments_dir) / f.get("path", "")
                    if not path.is_file():
                        report.problems.append(f"附件“{f.get('name')}”（{ENTITIES[key[0]][1]} #{key[1]}）的文件"
                                               "已不在附件文件夹中")
                        return report
                    if hashlib.sha256(path.read_bytes()).hexdigest() != f.get("sha256"):
                        report.problems.append(f"附件“{f.get('name')}”（{ENTITIES[key[0]][1]} #{key[1]}）的文件"
                                               "内容已被改动")
                        return report
    return report


def _show(v: Any) -> str:
    if v is None:
        return "（空）"
    s = str(v)
    return s if len(s) <= 30 else s[:30] + "…"


def verify_chain(attachments_dir=None) -> ChainReport:
    """Verify the open database (the one the models are bound to)."""
    conn = db.connection()
    return verify_connection(conn, attachments_dir)


def backup_verifier(conn: sqlite3.Connection) -> list[str]:
    """For ``neiqin.backup.EXTRA_VERIFIERS``: problems as Chinese sentences, empty when the chain is whole."""
    report = verify_connection(conn)
    return [] if report.ok else [f"用印登记链：{report.first_problem}"]


backup_verifier.__name__ = "用印登记链"
