"""用印登记: seal use steps, lending, registries, attachments, the hash chain and statistics."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import STAFF, get_ledger
from neiqin.models.base import AuditLog, now
from neiqin.models.seals.attachments import attach_files, attach_to_use, attachments_of
from neiqin.models.seals.chain import SealEvent, verify_chain
from neiqin.models.seals.loans import OUT, RETURNED, LicenceExpired, is_overdue, lend, return_loan, void_loan
from neiqin.models.seals.registry import LICENCES, SEALS, Licence, Seal, licence_state
from neiqin.models.seals.uses import (
    APPROVED,
    PENDING,
    REJECTED,
    SEAL_USES,
    STAMPED,
    SealUse,
    apply_use,
    approve_use,
    stamp_use,
    use_stats,
    void_use,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
PDF = b"%PDF-1.4\n" + b"x" * 100


@pytest.fixture
def people(database):
    return {
        "clerk": STAFF.create({"name": "王芳", "department": "办公室"}),
        "boss": STAFF.create({"name": "李强", "department": "总经理办公室", "title": "总经理"}),
        "vice": STAFF.create({"name": "赵敏", "department": "办公室", "title": "副主任"}),
        "applicant": STAFF.create({"name": "陈杰", "department": "市场部"}),
    }


@pytest.fixture
def seal(people):
    return SEALS.create({"name": "公司公章", "kind": "公章", "custodian": {"id": people["clerk"].id, "name": "王芳"},
                         "supervisor": "赵敏", "enabled_on": dt.date(2020, 1, 1), "approval_levels": 1})


@pytest.fixture
def licence(people):
    return LICENCES.create({"name": "营业执照", "copy_kind": "副本", "number": "91110105MA01ABCD2X",
                            "issuer": "北京市朝阳区市场监督管理局", "valid_until": dt.date(2040, 1, 1),
                            "location": "办公室保险柜"})


def application(seal, people, **over):
    data = {"seal": seal.id, "applicant": {"id": people["applicant"].id, "name": "陈杰", "department": "市场部"},
            "doc_title": "设备采购合同", "doc_type": "合同/协议", "copies": 3, "stamps_per_copy": 2,
            "purpose": "与供应商签订采购合同", "applied_at": now() - dt.timedelta(hours=2)}
    data.update(over)
    return apply_use(data)


def stamped_use(seal, people):
    use = application(seal, people)
    approve_use(use, {"approver": "李强", "approved_at": now() - dt.timedelta(hours=1)})
    return stamp_use(use, {"supervisor": "赵敏", "content_checked": True})


# ---------------------------------------------------------------------------------------------- use steps


def test_use_steps_application_approval_stamping(seal, people):
    use = application(seal, people)
    assert use.status == PENDING and use.no == f"印{now().year}-0001"
    assert use.department == "市场部" and use.seal_name == "公司公章"
    use = approve_use(use, {"approver": {"id": people["boss"].id, "name": "李强"}, "decision": "同意",
                            "approved_at": now() - dt.timedelta(hours=1)})
    assert use.status == APPROVED and use.approver1 == "李强"
    use = stamp_use(use, {"supervisor": "赵敏", "content_checked": True})
    assert use.status == STAMPED and use.content_checked and use.stamped_at
    assert [e.kind for e in SealEvent.select().order_by(SealEvent.id)] == ["create", "approve", "stamp"]
    assert [a.action for a in AuditLog.for_record("seal-uses", use.id)] == ["create", "approve", "stamp"]
    assert application(seal, people).no == f"印{now().year}-0002"
    row = next(SEAL_USES.iter_rows(SEAL_USES.conditions and __import__("neiqin.models").models.LedgerQuery()))
    assert row["no"].endswith("0002")


def test_two_level_approval(seal, people):
    SEALS.update(seal, {"approval_levels": 2})
    use = application(seal, people)
    assert use.levels == 2
    use = approve_use(use, {"approver": "赵敏", "approved_at": now() - dt.timedelta(hours=1)})
    assert use.status == PENDING
    with pytest.raises(NeiqinError, match="审批通过后"):
        stamp_use(use, {"supervisor": "王芳", "content_checked": True})
    with pytest.raises(ValidationError) as e:
        approve_use(use, {"approver": "赵敏"})
    assert "不同的人" in e.value.errors["approver"]
    with pytest.raises(ValidationError) as e:
        approve_use(use, {"approver": "李强", "approved_at": now() - dt.timedelta(hours=1, minutes=30)})
    assert "第一级" in e.value.errors["approved_at"]
    use = approve_use(use, {"approver": "李强"})
    assert use.status == APPROVED
    assert SEAL_USES.column("approver1").display(SealUse.select().dicts().get()) == "赵敏、李强"


def test_rejection_needs_reason_and_ends_the_process(seal, people):
    use = application(seal, people)
    with pytest.raises(ValidationError) as e:
        approve_use(use, {"approver": "李强", "decision": "不同意"})
    assert "理由" in e.value.errors["opinion"]
    use = approve_use(use, {"approver": "李强", "decision": "不同意", "opinion": "合同条款未经法务审核"})
    assert use.status == REJECTED
    with pytest.raises(NeiqinError, match="未批准"):
        stamp_use(use, {"supervisor": "赵敏", "content_checked": True})


def test_bad_application_input_saves_nothing(seal, people):
    with pytest.raises(ValidationError) as e:
        application(seal, people, copies=0, doc_title="", purpose="")
    assert e.value.errors["copies"] == "份数至少为 1"
    assert "文件名称" in e.value.errors["doc_title"] and "事由" in e.value.errors["purpose"]
    with pytest.raises(ValidationError) as e:
        application(seal, people, applied_at=now() + dt.timedelta(days=1))
    assert "晚于现在" in e.value.errors["applied_at"]
    assert SealUse.select().count() == 0 and SealEvent.select().count() == 0


def test_approval_before_application_refused(seal, people):
    use = application(seal, people)
    with pytest.raises(ValidationError) as e:
        approve_use(use, {"approver": "李强", "approved_at": use.applied_at - dt.timedelta(minutes=1)})
    assert "不能早于申请时间" in e.value.errors["approved_at"]
    assert SealUse.get_by_id(use.id).status == PENDING and SealEvent.select().count() == 1


def test_stamping_needs_content_check_and_supervisor(seal, people):
    use = application(seal, people)
    approve_use(use, {"approver": "李强"})
    with pytest.raises(ValidationError) as e:
        stamp_use(use, {"supervisor": "", "content_checked": False})
    assert "空白文件" in e.value.errors["content_checked"] and "监印人" in e.value.errors["supervisor"]
    assert SealUse.get_by_id(use.id).status == APPROVED


@pytest.mark.parametrize("status", ["停用", "遗失"])
def test_stamping_a_disabled_or_lost_seal_refused(seal, people, status):
    use = application(seal, people)
    approve_use(use, {"approver": "李强"})
    SEALS.update(seal, {"status": status})
    with pytest.raises(ValidationError) as e:
        stamp_use(use, {"supervisor": "赵敏", "content_checked": True})
    assert f"已{status}" in e.value.errors["seal"]
    with pytest.raises(ValidationError, match=f"已{status}"):
        application(seal, people)


def test_lent_seal_cannot_be_used_until_returned(seal, people):
    use = application(seal, people)
    approve_use(use, {"approver": "李强"})
    loan = lend({"item": f"seal:{seal.id}", "borrower": {"id": people["applicant"].id, "name": "陈杰"},
                 "purpose": "外出签约", "approver": "李强", "escort": "赵敏",
                 "due_at": now() + dt.timedelta(hours=3)})
    assert Seal.get_by_id(seal.id).status == "外借" and loan.status == OUT and loan.department == "市场部"
    with pytest.raises(ValidationError) as e:
        stamp_use(use, {"supervisor": "赵敏", "content_checked": True})
    assert "已外借" in e.value.errors["seal"] and "陈杰" in e.value.errors["seal"]
    with pytest.raises(ValidationError, match="不能借出"):
        lend({"item": f"seal:{seal.id}", "borrower": "王芳", "purpose": "x", "approver": "李强",
              "due_at": now() + dt.timedelta(hours=3)})
    with pytest.raises(ValidationError) as e:
        return_loan(loan, {"returned_at": loan.lent_at - dt.timedelta(minutes=5)})
    assert "不能早于借出时间" in e.value.errors["returned_at"]
    loan = return_loan(loan, {"return_condition": "完好"})
    assert loan.status == RETURNED and Seal.get_by_id(seal.id).status == "在用"
    with pytest.raises(NeiqinError, match="已于"):
        return_loan(loan, {})
    assert stamp_use(use, {"supervisor": "赵敏", "content_checked": True}).status == STAMPED
    assert verify_chain().ok


def test_licence_loan_expiry_warning_and_overdue(licence, people):
    loan = lend({"item": f"licence:{licence.id}", "borrower": "陈杰", "department": "市场部", "purpose": "投标",
                 "approver": "李强", "lent_at": now() - dt.timedelta(days=3), "due_at": now() - dt.timedelta(days=1)})
    assert Licence.get_by_id(licence.id).status == "外借"
    assert is_overdue(loan) and get_ledger("seal-loans").count(
        __import__("neiqin.models").models.LedgerQuery(status="overdue")) == 1
    return_loan(loan, {"return_condition": "有损坏", "return_note": "封皮折角"})
    assert Licence.get_by_id(licence.id).status == "在库"
    LICENCES.update(licence, {"valid_until": clock.today() - dt.timedelta(days=1)})
    assert licence_state(Licence.get_by_id(licence.id)) == "expired"
    data = {"item": f"licence:{licence.id}", "borrower": "陈杰", "purpose": "年检", "approver": "李强",
            "due_at": now() + dt.timedelta(days=1)}
    with pytest.raises(LicenceExpired, match="过期"):
        lend(data)
    assert Licence.get_by_id(licence.id).status == "在库"
    loan = lend(data, confirmed={"expired_licence": ""})
    assert loan.expired_ack and "已过期" in loan.note


def test_licence_expiring_within_setting(licence):
    from neiqin.models import settings

    LICENCES.update(licence, {"valid_until": clock.today() + dt.timedelta(days=100)})
    assert licence_state(Licence.get_by_id(licence.id)) == "expiring"
    settings.set_value("seals.licence_warn_months", 2)
    assert licence_state(Licence.get_by_id(licence.id)) == ""


def test_lent_status_is_set_by_loans_only(seal):
    with pytest.raises(ValidationError, match="外借"):
        SEALS.update(seal, {"status": "外借"})


def test_void_is_an_event_and_correction_keeps_both(seal, people):
    use = application(seal, people, copies=30)
    with pytest.raises(NeiqinError, match="不能修改"):
        SEAL_USES.update(use, {"copies": 3})
    with pytest.raises(ValidationError, match="原因"):
        SEAL_USES.void(use, " ")
    SEAL_USES.void(use, "份数登记错误")
    fixed = application(seal, people, copies=3, replaces=use.no)
    assert SealUse.get_by_id(use.id).voided and fixed.replaces == use.no
    assert [e.kind for e in SealEvent.select().order_by(SealEvent.id)] == ["create", "void", "create"]
    with pytest.raises(NeiqinError, match="已作废"):
        approve_use(use, {"approver": "李强"})
    assert verify_chain().ok


def test_void_open_loan_gives_the_item_back(seal):
    loan = lend({"item": f"seal:{seal.id}", "borrower": "陈杰", "purpose": "签约", "approver": "李强",
                 "due_at": now() + dt.timedelta(hours=2)})
    void_loan(loan, "登记错了印章")
    assert Seal.get_by_id(seal.id).status == "在用"


def test_chained_ledgers_refuse_generic_create_and_import(seal):
    with pytest.raises(NeiqinError, match="登记流程"):
        SEAL_USES.create({"doc_title": "x"})


# ---------------------------------------------------------------------------------------------- attachments


def test_attachments_are_deduplicated_and_chained(seal, people, datadir, tmp_path):
    use = stamped_use(seal, people)
    a = tmp_path / "扫描1.png"
    a.write_bytes(PNG)
    b = tmp_path / "same.png"
    b.write_bytes(PNG)
    c = tmp_path / "page.pdf"
    c.write_bytes(PDF)
    for f in (a, b, c):
        attach_to_use(use, f, datadir.attachments)
    files = attachments_of(use)
    assert [f.name for f in files] == ["扫描1.png", "same.png", "page.pdf"]
    assert len({f.path for f in files}) == 2
    assert len(list((datadir.attachments / "seals").rglob("*.*"))) == 2
    assert SealUse.get_by_id(use.id).attachments == 3
    assert verify_chain(datadir.attachments).ok
    (datadir.attachments / files[2].path).write_bytes(PDF + b"changed")
    report = verify_chain(datadir.attachments)
    assert not report.ok and "page.pdf" in report.first_problem


def test_several_scans_are_all_checked_before_any_is_recorded(seal, people, datadir, tmp_path):
    use = stamped_use(seal, people)
    good, bad = tmp_path / "盖章页.png", tmp_path / "合同.pdf"
    good.write_bytes(PNG)
    bad.write_bytes(b"PK\x03\x04 this is a renamed docx")
    with pytest.raises(ValidationError):
        attach_files(use, [str(good), str(bad)], datadir.attachments)
    assert attachments_of(use) == [] and SealUse.get_by_id(use.id).attachments == 0
    assert [a.name for a in attach_files(use, [str(good)], datadir.attachments)] == ["盖章页.png"]
    assert verify_chain(datadir.attachments).ok


def test_bad_attachments_refused_with_clear_messages(seal, people, datadir, tmp_path, monkeypatch):
    use = application(seal, people)
    doc = tmp_path / "合同.pdf"
    doc.write_bytes(b"PK\x03\x04 this is a renamed docx")
    with pytest.raises(ValidationError) as e:
        attach_to_use(use, doc, datadir.attachments)
    assert "不是图片或 PDF" in e.value.errors["file"] and "合同.pdf" in e.value.errors["file"]
    monkeypatch.setattr("neiqin.models.seals.attachments.MAX_ATTACHMENT_MB", 0.0001)
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * 500)
    with pytest.raises(ValidationError) as e:
        attach_to_use(use, big, datadir.attachments)
    assert "超过" in e.value.errors["file"] and "MB" in e.value.errors["file"]
    assert not attachments_of(use) and SealUse.get_by_id(use.id).attachments == 0
    assert not list(datadir.attachments.rglob("*.png"))


# ---------------------------------------------------------------------------------------------- the chain


def _sql(datadir, statement, args=()):
    conn = sqlite3.connect(datadir.db_path)
    conn.execute(statement, args)
    conn.commit()
    conn.close()


@pytest.fixture
def history(seal, people, licence):
    uses = [stamped_use(seal, people) for _ in range(3)]
    loan = lend({"item": f"licence:{licence.id}", "borrower": "陈杰", "purpose": "投标", "approver": "李强",
                 "due_at": now() + dt.timedelta(days=1)})
    return_loan(loan, {})
    void_use(uses[1], "重复登记")
    report = verify_chain()
    assert report.ok and report.events == 3 * 3 + 2 + 1 and report.records == 4
    assert report.text().startswith("完整")
    return uses


def test_chain_detects_an_edited_row(history, datadir):
    _sql(datadir, "UPDATE seal_use SET copies = 1 WHERE id = ?", (history[0].id,))
    report = verify_chain()
    assert not report.ok
    assert history[0].no in report.first_problem and "份数" in report.first_problem
    assert "登记为“3”，现为“1”" in report.first_problem


def test_chain_detects_an_edited_void(history, datadir):
    _sql(datadir, "UPDATE seal_use SET voided = 0 WHERE id = ?", (history[1].id,))
    assert "作废" in verify_chain().first_problem


def test_chain_detects_a_deleted_row(history, datadir):
    _sql(datadir, "DELETE FROM seal_use WHERE id = ?", (history[2].id,))
    report = verify_chain()
    assert not report.ok and "删除" in report.first_problem and history[2].no in report.first_problem


def test_chain_detects_an_inserted_row(history, datadir):
    conn = sqlite3.connect(datadir.db_path)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(seal_use)") if r[1] != "id"]
    copy = f"INSERT INTO seal_use ({', '.join(cols)}) SELECT {{}} FROM seal_use WHERE id = 1"
    with pytest.raises(sqlite3.IntegrityError):  # the same number twice: the unique index refuses it
        conn.execute(copy.format(", ".join(cols)))
    conn.execute(copy.format(", ".join("'印2026-9999'" if c == "no" else c for c in cols)))
    conn.commit()
    conn.close()
    report = verify_chain()
    assert not report.ok and "不在登记链中" in report.first_problem


def test_chain_detects_edited_deleted_and_inserted_events(history, datadir):
    conn = sqlite3.connect(datadir.db_path)
    rows = conn.execute("SELECT id, payload FROM seal_event ORDER BY id").fetchall()
    conn.close()
    _sql(datadir, "UPDATE seal_event SET payload = ? WHERE id = 2", (rows[1][1].replace("李强", "王芳"),))
    assert "第 2 条登记链事件的内容与校验码不符" in verify_chain().first_problem
    _sql(datadir, "UPDATE seal_event SET payload = ? WHERE id = 2", (rows[1][1],))
    assert verify_chain().ok
    _sql(datadir, "DELETE FROM seal_event WHERE id = 5")
    assert "第 5 条事件缺失" in verify_chain().first_problem


def test_chain_detects_an_inserted_event_and_a_deleted_last_event(history, datadir):
    conn = sqlite3.connect(datadir.db_path)
    last = conn.execute("SELECT id, entity, entity_id, kind, payload, prev_hash, hash FROM seal_event "
                        "ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    _sql(datadir, "INSERT INTO seal_event (id, entity, entity_id, kind, payload, prev_hash, hash) "
                  "VALUES (?, 'use', 1, 'void', '{}', ?, ?)", (last[0] + 1, last[6], "f" * 64))
    assert "内容与校验码不符" in verify_chain().first_problem
    _sql(datadir, "DELETE FROM seal_event WHERE id >= ?", (last[0],))
    # the void of use #2 is gone from the chain, but the row still says 作废
    assert "作废" in verify_chain().first_problem


def test_backup_verifier_hook(history, datadir):
    from neiqin.models.seals.chain import backup_verifier

    conn = sqlite3.connect(datadir.db_path)
    assert backup_verifier(conn) == []
    conn.execute("UPDATE seal_loan SET borrower = '张三'")
    assert backup_verifier(conn)[0].startswith("用印登记链：外借记录")
    conn.close()


# ---------------------------------------------------------------------------------------------- stats


def test_use_stats_by_seal_department_month(seal, people):
    other = SEALS.create({"name": "合同专用章", "kind": "合同专用章", "custodian": "王芳"})
    stamped_use(seal, people)
    stamped_use(seal, people)
    stamped_use(other, people)
    application(seal, people)  # not stamped: not counted
    void_use(stamped_use(other, people), "重复")
    assert use_stats("seal") == [("公司公章", 2, 6, 12), ("合同专用章", 1, 3, 6)]
    assert use_stats("department") == [("市场部", 3, 9, 18)]
    assert use_stats("month") == [(f"{now():%Y-%m}", 3, 9, 18)]
    assert use_stats("month", date_from=clock.today() + dt.timedelta(days=1)) == []
    with pytest.raises(NeiqinError):
        use_stats("colour")
