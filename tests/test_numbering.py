"""The one numbering allocator: distinct numbers past 9,999, two processes racing, a database written before it,
voids, the turn of the year, and the patterns a clerk types in 设置."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee as pw
import pytest

from neiqin import clock, numbering
from neiqin import db as dbmod
from neiqin.errors import ValidationError
from neiqin.models import ALL_MODELS, LedgerQuery, settings
from neiqin.models.base import AuditLog, NumberSerial, db
from neiqin.models.mail import incoming as incoming_mod
from neiqin.models.mail import outgoing as outgoing_mod
from neiqin.models.seals.chain import verify_chain
from neiqin.models.seals.loans import LOAN_NO, SealLoan, lend, return_loan
from neiqin.models.seals.registry import SEALS
from neiqin.models.seals.uses import SEAL_USES, USE_NO, SealUse, apply_use, void_use
from neiqin.models.supplies import moves as moves_mod
from neiqin.models.supplies import posting
from neiqin.models.supplies import stocktake as T
from neiqin.models.supplies.items import SUPPLIES
from neiqin.models.supplies.moves import StockMove
from neiqin.numbering import check_pattern, write_transaction

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("helpers") / "numbering_worker.py"
MARCH = dt.datetime(2026, 3, 2, 10, 0)


def use(seal, at: dt.datetime | None = MARCH) -> SealUse:
    """A 用印申请 at ``at`` (None: now, by the clock)."""
    return apply_use({"seal": seal.id, "applicant": "王芳", "department": "办公室", "doc_title": "证明",
                      "copies": 1, "purpose": "开具证明", **({"applied_at": at} if at else {})})


@pytest.fixture
def seal(database):
    return SEALS.create({"name": "公章", "custodian": "王芳"})


@pytest.fixture
def item(database):
    return SUPPLIES.create({"name": "A4复印纸", "unit": "包", "category": "纸品", "spec": "70g", "location": "A柜",
                            "since": dt.date(2025, 1, 1)})


def serials(texts, pattern: str = "印{year}-{n:04}") -> list[int]:
    return [numbering.parse_number(t, pattern)[1] for t in texts]


# ---------------------------------------------------------------------------------------------- past 9,999


def test_12000_uses_in_one_year_are_distinct_and_sort_as_numbers(seal):
    """The old MAX() over text gave every use after 印2026-9999 the number 印2026-10000."""
    first = use(seal)  # the register's real step, then the allocator and a copy of that row, for speed …
    cols = [f.column_name for f in SealUse._meta.sorted_fields if f.name != "id"]
    copy = (f"INSERT INTO seal_use ({', '.join(cols)}) SELECT {', '.join('?' if c == 'no' else c for c in cols)} "
            "FROM seal_use WHERE id = ?")

    def bulk(count: int) -> None:
        with write_transaction():
            for _ in range(count):
                db.execute_sql(copy, (USE_NO.take(2026).text, first.id))

    bulk(9997)
    crossing = [use(seal) for _ in range(4)]  # … and the real step again across 9,999 → 10,000
    bulk(1998)
    assert [u.no for u in crossing] == ["印2026-9999", "印2026-10000", "印2026-10001", "印2026-10002"]
    nos = [r.no for r in SealUse.select(SealUse.no)]
    assert len(nos) == len(set(nos)) == 12000
    assert sorted(serials(nos)) == list(range(1, 12001))
    # the register sorted by 编号 runs 9998, 9999, 10000 … (as text, 10000 would come before 9999)
    ordered = [r["no"] for r in SEAL_USES.iter_rows(LedgerQuery(sort="no", desc=False), batch=5000)]
    assert serials(ordered) == list(range(1, 12001))
    backwards = [r["no"] for r in SEAL_USES.iter_rows(LedgerQuery(sort="no", desc=True), batch=700)]
    assert backwards == ordered[::-1]
    assert USE_NO.last(2026) == 12000 and USE_NO.peek(2026).text == "印2026-12001"
    # … through an index, not by sorting the whole register for every page
    sql, params = (SealUse.select().order_by(*[e.desc() for e in numbering.order_by(SealUse.no)], SealUse.id.desc())
                   .limit(200).sql())
    plan = " ".join(str(r[-1]) for r in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "seal_use_no_order" in plan and "TEMP B-TREE" not in plan, plan


# ---------------------------------------------------------------------------------------------- two processes


def _race(datadir, mode: str, count: int) -> list[list[str]]:
    go = datadir.root / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, str(WORKER), str(datadir.db_path), str(go), str(count), mode],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()  # both connections are open: now they take numbers at once
        outs = [p.communicate(timeout=600) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]


def _interleaving(a: list[str], b: list[str]) -> int:
    """How often the two processes took turns (0 would mean one ran after the other)."""
    owner = sorted([(n, 0) for n in serials(a)] + [(n, 1) for n in serials(b)])
    return sum(1 for x, y in zip(owner, owner[1:], strict=False) if x[1] != y[1])


def _race_database(datadir, seal) -> None:
    use(seal, dt.datetime(2025, 6, 2, 10, 0))  # a row of 2025 for the workers to copy; 2026 starts empty
    dbmod.close_database()


def test_two_processes_taking_1000_numbers_each_get_no_duplicate_and_no_gap(datadir, seal):
    _race_database(datadir, seal)
    a, b = _race(datadir, "allocator", 1000)
    dbmod.open_database(datadir.db_path)
    got = a + b
    assert len(a) == len(b) == 1000
    assert len(set(got)) == 2000, "duplicates"
    assert sorted(serials(got)) == list(range(1, 2001)), "gaps"
    stored = [r.no for r in SealUse.select().where(SealUse.apply_date.year == 2025)]
    assert sorted(stored) == sorted(got + ["印2025-0001"])
    assert USE_NO.last(2026) == 2000
    assert _interleaving(a, b) >= 2  # they did take numbers at the same time
    print(f"race: 2 processes x 1000, {len(set(got))} distinct, serials 1..{max(serials(got))}, "
          f"turns taken {_interleaving(a, b)}")


def test_two_processes_applying_through_the_register_share_no_number(datadir, seal):
    _race_database(datadir, seal)
    a, b = _race(datadir, "api", 60)
    dbmod.open_database(datadir.db_path)
    assert sorted(serials(a + b)) == list(range(1, 121))
    assert verify_chain().ok  # every use is in the seal chain, in the order it was written


# ---------------------------------------------------------------------------------------------- voids, rollback


def test_a_void_never_frees_a_number(seal, item):
    first, second = use(seal), use(seal)
    void_use(second, "份数登记错误")
    third = use(seal)
    assert (first.no, second.no, third.no) == ("印2026-0001", "印2026-0002", "印2026-0003")
    assert SealUse.get_by_id(second.id).voided and SealUse.get_by_id(second.id).no == "印2026-0002"
    r1 = posting.receive({"item": item, "qty": 5, "unit_price": "2.00", "move_date": dt.date(2026, 2, 1)})[0]
    posting.void_move(r1, "录错了")
    r2 = posting.receive({"item": item, "qty": 5, "unit_price": "2.00", "move_date": dt.date(2026, 2, 1)})[0]
    assert (r1.no, r2.no) == ("RK2026-0001", "RK2026-0002")


def test_a_save_that_fails_leaves_no_gap(seal):
    use(seal)
    with pytest.raises(RuntimeError), write_transaction():
        assert USE_NO.take(2026).text == "印2026-0002"
        raise RuntimeError("the record could not be written")
    assert use(seal).no == "印2026-0002"  # rolled back with the record: taken again, no hole in the register


def test_a_number_is_only_taken_inside_a_write_transaction(database):
    with pytest.raises(RuntimeError, match="write_transaction"):
        USE_NO.take(2026)


def test_a_number_already_in_the_register_is_skipped(seal):
    """Typed by hand, imported, or written by another program: never given twice."""
    use(seal)
    row = {k: v for k, v in SealUse.get().__data__.items() if k != "id"}
    SealUse.insert(**{**row, "no": "印2026-0002"}).execute()  # behind the allocator's back
    assert use(seal).no == "印2026-0003"
    settings.set_value("outgoing.number_pattern", "{code}〔{year}〕{n:03}号")
    letter = {"issued_on": dt.date(2026, 3, 2), "title": "关于甲的函", "kind": "函", "main_to": "市国资委",
              "signer": "李强"}
    typed = outgoing_mod.register_outgoing({**letter, "doc_no": "公司发[2026]第2号"})
    nos = [outgoing_mod.register_outgoing({**letter, "code": "公司发"}).doc_no for _ in range(2)]
    assert typed.doc_no == "公司发〔2026〕2号"  # typed by hand, in the standard form
    assert nos == ["公司发〔2026〕001号", "公司发〔2026〕003号"]  # 002 is the same number written another way


# ---------------------------------------------------------------------------------------------- the turn of the year


def test_the_serial_restarts_at_the_turn_of_the_year(seal, item):
    letter = {"title": "关于年度计划的请示", "kind": "请示", "main_to": "市国资委", "signer": "李强", "code": "公司发"}
    mail = {"signed_by": "王芳", "sender_org": "市财政局", "title": "关于预算的通知"}

    def register_all() -> list[str]:  # each register's step, at the clock's now
        out = outgoing_mod.register_outgoing(letter)
        return [use(seal, None).no, posting.receive({"item": item, "qty": 5, "unit_price": "2.00"})[0].no,
                posting.issue({"item": item, "qty": 1, "person": "王芳", "department": "办公室"})[0].no,
                incoming_mod.register_incoming(mail).no, f"{out.doc_no}/{out.seq}"]

    with clock.frozen_at("2026-12-31 23:59"):
        assert use(seal, None).no == "印2026-0001"
        assert register_all() == ["印2026-0002", "RK2026-0001", "LY2026-0001", "收〔2026〕1号", "公司发〔2026〕1号/1"]
        with write_transaction():
            assert LOAN_NO.take().text == "借2026-0001"  # the allocator's own default year is the clock's
    with clock.frozen_at("2027-01-01 00:00"):
        assert register_all() == ["印2027-0001", "RK2027-0001", "LY2027-0001", "收〔2027〕1号", "公司发〔2027〕1号/1"]
        with write_transaction():
            assert LOAN_NO.take().text == "借2027-0001"
    with clock.frozen_at("2027-01-01 00:05"):  # a late entry for the old year continues the old year
        assert use(seal, dt.datetime(2026, 12, 31, 23, 58)).no == "印2026-0003"
        assert use(seal, None).no == "印2027-0002"


# ---------------------------------------------------------------------------------------------- patterns in 设置


@pytest.mark.parametrize("pattern, says", [
    ("", "请填写编号格式"),
    ("印{year}", "必须含有序号 {n}"),
    ("印{n:04}", "必须含有年份 {year}"),
    ("印{year}-{month}-{n}", "{month} 不认识"),
    ("印{}-{n}", "没有写字段名"),
    ("印{year-{n}", "大括号不成对"),
    ("印{year}-{n:x}", "序号写成“{n:x}”不对"),
    ("印{year}-{n:4}", "序号写成“{n:4}”不对"),
    ("印{year:02}-{n}", "不能加格式"),
    ("印{year}-{n}-{n}", "只能出现一次"),
    ("印{year}-{n!r}", "写法不支持"),
    ("用印登记簿第{year}年度第{n:08}号", "超过了 20 个字的上限"),
])
def test_a_bad_pattern_is_refused_in_chinese_and_nothing_saved(seal, pattern, says):
    with pytest.raises(ValidationError) as e:
        settings.set_value("seals.use_number_pattern", pattern)
    assert says in e.value.errors["seals.use_number_pattern"]
    assert settings.get("seals.use_number_pattern") == "印{year}-{n:04}"
    assert use(seal).no == "印2026-0001"


def test_the_outgoing_pattern_needs_the_code(database):
    with pytest.raises(ValidationError) as e:
        settings.set_value("outgoing.number_pattern", "〔{year}〕{n}号")
    assert "必须含有机关代字 {code}" in e.value.errors["outgoing.number_pattern"]


def test_a_new_pattern_applies_to_later_numbers_and_the_serial_runs_on(seal):
    before = use(seal)
    settings.set_value("seals.use_number_pattern", " YY{year}/{n:05} ")
    assert settings.get("seals.use_number_pattern") == "YY{year}/{n:05}"
    after = use(seal)
    assert (before.no, after.no) == ("印2026-0001", "YY2026/00002")
    assert SealUse.get_by_id(before.id).no == "印2026-0001"  # printed numbers never change
    assert USE_NO.parse(after.no) == (2026, 2, "")
    assert AuditLog.select().where(AuditLog.summary.contains("用印编号格式")).exists()


def test_a_pattern_stored_before_checks_existed_falls_back_to_the_default(seal):
    db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?)", ("seals.use_number_pattern", '"印{year}"'))
    assert use(seal).no == "印2026-0001"


def test_check_pattern_and_parse():
    assert check_pattern("收〔{year}〕{n}号") == "收〔{year}〕{n}号"
    assert check_pattern("{{{year}}}-{n:04d}") == "{{{year}}}-{n:04d}"
    assert numbering.parse_number("{2026}-0012", "{{{year}}}-{n:04}") == (2026, 12, "")
    assert numbering.parse_number("公司函〔2026〕7号", "{code}〔{year}〕{n}号") == (2026, 7, "公司函")
    assert numbering.parse_number("印2026-12a", "印{year}-{n:04}") is None
    assert sorted(["印2026-10000", "印2025-9999", "印2026-9999"], key=numbering.order_key) == \
        ["印2025-9999", "印2026-9999", "印2026-10000"]


# ---------------------------------------------------------------------------------------------- lines, imports


def test_the_lines_of_one_slip_share_its_number(item):
    posting.receive({"item": item, "qty": 10, "unit_price": "2.00", "move_date": dt.date(2026, 2, 1)})
    moves = posting.issue({"lines": [{"item": item, "qty": 1}, {"item": item, "qty": 2}], "person": "王芳",
                     "department": "办公室", "move_date": dt.date(2026, 2, 2)})
    assert [(m.no, m.line) for m in moves] == [("LY2026-0001", 1), ("LY2026-0001", 2)]
    with pytest.raises(pw.IntegrityError):  # a second slip cannot reuse the number
        StockMove.insert(**{**{k: v for k, v in moves[0].__data__.items() if k != "id"}}).execute()


def test_an_imported_number_moves_the_serial_on(database):
    incoming_mod.register_incoming({"no": "收〔2026〕50号", "received_at": MARCH, "signed_by": "王芳",
                            "sender_org": "市财政局", "title": "关于预算的通知"})
    doc = incoming_mod.register_incoming({"received_at": MARCH, "signed_by": "王芳", "sender_org": "市财政局",
                                  "title": "关于决算的通知"})
    assert doc.no == "收〔2026〕51号"


def test_a_new_database_gets_the_serial_table_and_unique_numbers_from_the_models(tmp_path):
    fresh = pw.SqliteDatabase(str(tmp_path / "bare.sqlite"))
    db.initialize(fresh)
    fresh.create_tables(ALL_MODELS)  # no migration at all
    assert _unique_numbers(fresh) == EXPECTED_UNIQUE
    assert "number_serial" in fresh.get_tables()
    fresh.close()


EXPECTED_UNIQUE = {
    "seal_use": {("no",)}, "seal_loan": {("no",)}, "incoming_doc": {("no",), ("year", "serial")},
    "outgoing_doc": {("doc_no",), ("code", "year", "serial"), ("year", "seq")},
    "doc_delivery": {("year", "envelope_no")}, "stock_move": {("no", "line")}, "stocktake": {("no",)},
}


def _unique_numbers(database) -> dict[str, set[tuple[str, ...]]]:
    out = {}
    for table in EXPECTED_UNIQUE:
        found = set()
        for _seq, name, unique, *_ in database.execute_sql(f'PRAGMA index_list("{table}")'):
            if unique and not name.startswith("sqlite_autoindex"):
                found.add(tuple(r[2] for r in database.execute_sql(f'PRAGMA index_info("{name}")')))
        out[table] = found
    return out


# ---------------------------------------------------------------------------------------------- before schema 7


def _build_v6(datadir) -> None:
    """A data file as the code before the allocator left it: its numbers printed by the old ``_next_no``s."""
    dbmod.open_database(datadir.db_path, datadir.backups)
    seal = SEALS.create({"name": "公章", "custodian": "王芳"})
    for i in range(201):
        use(seal, MARCH + dt.timedelta(minutes=i))
    loan = lend({"item": seal, "borrower": "李强", "purpose": "签合同", "approver": "张三",
                 "lent_at": MARCH, "due_at": MARCH + dt.timedelta(days=1)})
    return_loan(loan, {"returned_at": MARCH + dt.timedelta(hours=3)})
    item = SUPPLIES.create({"name": "A4复印纸", "unit": "包", "category": "纸品", "location": "A柜",
                            "since": dt.date(2026, 1, 1)})
    for d in (1, 2):
        posting.receive({"item": item, "qty": 10, "unit_price": "2.00", "move_date": dt.date(2026, 2, d),
                   "supplier": "晨光", "handler": f"经手人{d}"})
    posting.issue({"lines": [{"item": item, "qty": 1}, {"item": item, "qty": 2}], "person": "王芳",
             "department": "办公室", "move_date": dt.date(2026, 2, 3)})
    T.cancel_stocktake(T.start_stocktake({}, at=dt.datetime(2026, 2, 4, 9, 0)), "重新盘点")
    for i in range(3):
        incoming_mod.register_incoming({"received_at": MARCH, "signed_by": "王芳", "sender_org": "市财政局",
                                "title": f"通知{i}"})
    for i in range(2):
        out = outgoing_mod.register_outgoing({"issued_on": dt.date(2026, 3, 2), "code": "公司发", "title": f"请示{i}",
                                      "kind": "请示", "main_to": "市国资委", "signer": "李强"})
    outgoing_mod.add_deliveries(out, {"organisations": ["市国资委", "市财政局", "市审计局"], "sent_at": MARCH})
    dbmod.close_database()
    con = sqlite3.connect(datadir.db_path)
    con.executescript("""
        DROP TABLE number_serial;
        DROP INDEX seal_use_no;    CREATE INDEX seal_use_no ON seal_use (no);
        DROP INDEX seal_loan_no;   CREATE INDEX seal_loan_no ON seal_loan (no);
        DROP INDEX incoming_doc_no; CREATE INDEX incoming_doc_no ON incoming_doc (no);
        DROP INDEX stock_move_no_line; CREATE INDEX stock_move_no ON stock_move (no);
        ALTER TABLE stock_move DROP COLUMN line;
        DELETE FROM schema_version WHERE version >= 7;
        INSERT INTO schema_version (version, app_version, applied_at)
            SELECT 6, 'before the allocator', '2026-03-02 10:00:00' WHERE NOT EXISTS (SELECT 1 FROM schema_version);
    """)
    con.close()


@pytest.fixture(scope="module")
def v6_file(tmp_path_factory):
    from neiqin.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("v6") / "data").ensure()
    _build_v6(data)
    return data.db_path


@pytest.fixture
def v6(v6_file, datadir):
    shutil.copy(v6_file, datadir.db_path)
    return datadir


@pytest.fixture(autouse=True)
def _closed():
    yield
    dbmod.close_database()


NUMBERED = ("seal_use", "seal_loan", "stock_move", "stocktake", "incoming_doc", "outgoing_doc", "doc_delivery",
            "number_serial")


def _new_database(path):
    """A file made from the model declarations alone, as create_tables() makes a new database."""
    fresh, saved = pw.SqliteDatabase(str(path)), db.obj
    db.initialize(fresh)
    try:
        fresh.create_tables(ALL_MODELS)
    finally:
        fresh.close()
        db.initialize(saved)
    return path


def _schema(path) -> dict[str, set[str]]:
    """The columns and indexes of the numbered registers, by name and definition."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, set[str]] = {t: {", ".join(r[1] for r in con.execute(f'PRAGMA table_info("{t}")'))}
                                    for t in NUMBERED}
        for table, sql in con.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql NOT NULL"):
            if table in NUMBERED and "_voided_ids" not in sql:  # those come from migrations 3–6, not the models
                out[table].add(" ".join(sql.replace("IF NOT EXISTS ", "").split()))
        return out
    finally:
        con.close()


def _numbers(path) -> dict[str, list]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT id, {c} FROM {t} ORDER BY id").fetchall() for t, c in (
            ("seal_use", "no"), ("seal_loan", "no"), ("stock_move", "no"), ("stocktake", "no"),
            ("incoming_doc", "no"), ("outgoing_doc", "doc_no || '/' || seq"), ("doc_delivery", "envelope_no"))}
    finally:
        con.close()


def test_a_database_from_before_the_allocator_keeps_its_numbers_and_continues(v6):
    con = sqlite3.connect(v6.db_path)
    assert dbmod.read_schema_version(con) == 6
    assert con.execute("SELECT MAX(no) FROM seal_use").fetchone()[0] == "印2026-0201"
    con.close()
    before = _numbers(v6.db_path)

    dbmod.open_database(v6.db_path, v6.backups)
    assert _numbers(v6.db_path) == before  # every record keeps its number
    assert verify_chain().ok  # and the seal chain still holds
    assert list(v6.backups.glob("*before-v7*.sqlite"))
    assert _unique_numbers(db) == EXPECTED_UNIQUE
    assert "stock_move_no" not in {r[1] for r in db.execute_sql("PRAGMA index_list(stock_move)")}
    assert _schema(v6.db_path) == _schema(_new_database(v6.root / "new.sqlite"))  # as a new database has it
    assert [(m.no, m.line) for m in StockMove.select().where(StockMove.kind == moves_mod.ISSUE)] == \
        [("LY2026-0001", 1), ("LY2026-0001", 2)]
    assert {(r.series, r.period, r.last) for r in NumberSerial.select()} == {
        ("seal_use", "2026", 201), ("seal_loan", "2026", 1), ("stock_move.RK", "2026", 2),
        ("stock_move.LY", "2026", 1), ("stocktake", "2026", 1), ("incoming", "2026", 3),
        ("outgoing:公司发", "2026", 2), ("outgoing_seq", "2026", 2), ("envelope", "2026", 3)}

    seal = SEALS.model.get()
    assert use(seal).no == "印2026-0202"  # the 202nd 用印 of 2026
    assert lend({"item": seal, "borrower": "李强", "purpose": "投标", "approver": "张三", "lent_at": MARCH,
                 "due_at": MARCH + dt.timedelta(days=1)}).no == "借2026-0002"
    item = SUPPLIES.model.get()
    assert posting.receive({"item": item, "qty": 1, "unit_price": "2", "move_date": dt.date(2026, 2, 5)})[0].no == \
        "RK2026-0003"
    assert posting.issue({"item": item, "qty": 1, "person": "王芳", "department": "办公室",
                    "move_date": dt.date(2026, 2, 5)})[0].no == "LY2026-0002"
    assert T.start_stocktake({}, at=dt.datetime(2026, 2, 6, 9, 0)).no == "ST2026-002"
    assert incoming_mod.register_incoming({"received_at": MARCH, "signed_by": "王芳", "sender_org": "市财政局",
                                   "title": "通知3"}).no == "收〔2026〕4号"
    out = outgoing_mod.register_outgoing({"issued_on": dt.date(2026, 3, 3), "code": "公司发", "title": "请示2",
                                  "kind": "请示", "main_to": "市国资委", "signer": "李强"})
    assert (out.doc_no, out.seq) == ("公司发〔2026〕3号", 3)
    assert [d.envelope_label for d in outgoing_mod.add_deliveries(out, {"organisations": ["市国资委"],
                                                                "sent_at": MARCH + dt.timedelta(days=1)})] == \
        ["2026-004"]


def test_duplicates_from_before_are_kept_reported_and_left_without_the_index(v6):
    con = sqlite3.connect(v6.db_path)
    con.execute("UPDATE seal_use SET no = '印2026-0005' WHERE no = '印2026-0006'")  # the old 10,000th-use bug
    con.execute("UPDATE stock_move SET no = 'RK2026-0001' WHERE no = 'RK2026-0002'")  # two slips, one number
    con.commit()
    con.close()
    before = _numbers(v6.db_path)

    dbmod.open_database(v6.db_path, v6.backups)
    assert _numbers(v6.db_path) == before  # nothing renumbered, nothing lost
    unique = _unique_numbers(db)
    assert unique["seal_use"] == set() and unique["stock_move"] == set()  # those two indexes left out …
    assert unique["seal_loan"] == {("no",)} and ("no",) in unique["incoming_doc"]  # … the others made
    assert "stock_move_no" in {r[1] for r in db.execute_sql("PRAGMA index_list(stock_move)")}
    said = [a.summary for a in AuditLog.select().where(AuditLog.action == "migrate")]
    assert any("印2026-0005" in s for s in said) and any("RK2026-0001" in s for s in said)
    seal = SEALS.model.get()
    assert use(seal).no == "印2026-0202"  # still after the highest; 印2026-0006 is never handed out again
    item = SUPPLIES.model.get()
    assert posting.receive({"item": item, "qty": 1, "unit_price": "2", "move_date": dt.date(2026, 2, 5)})[0].no == \
        "RK2026-0002"


def test_schema_7_is_safe_to_run_twice(v6):
    dbmod.open_database(v6.db_path, v6.backups)
    with db.atomic():
        assert numbering.migrate_v7(db.obj) == []
    assert USE_NO.last(2026) == 201 and _unique_numbers(db) == EXPECTED_UNIQUE
    assert SealLoan.select().count() == 1


def test_every_configurable_series_is_listed_in_a_fresh_process():
    """设置 › 编号 lists every register even when no ledger module has been imported yet (they load lazily)."""
    import subprocess
    import sys

    code = ("from neiqin import numbering; "
            "print(len(numbering.configurable()), sorted(s.setting for s in numbering.configurable())[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) >= 8 and out[1]
