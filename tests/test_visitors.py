import datetime as dt

import pytest

from neiqin import clock
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import VISITORS, AuditLog, LedgerQuery, Visit
from neiqin.models import visitors as V

ID = "11010519491231002X"


def visit(host, **kw):
    data = {"name": "李四", "company": "北京某某科技有限公司", "host": host.id, "id_number": ID,
            "phone": "13912345678", "purpose": "商务洽谈"}
    data.update(kw)
    return V.check_in(data)


def test_check_in_fills_host_badge_and_audit(host):
    v = visit(host)
    assert (v.status, v.host_name, v.host_dept, v.badge_no) == ("在场", "张三", "办公室", "F001")
    assert visit(host, name="王五").badge_no == "F002"
    entry = AuditLog.for_record("visitors", v.id)[0]
    assert entry.action == "checkin"
    # the audit log never holds the full ID or phone number
    assert ID not in entry.changes and "110105********002X" in entry.changes
    assert "13912345678" not in entry.changes


def test_check_out_and_on_site(host):
    v = visit(host)
    assert [x.id for x in V.on_site()] == [v.id]
    V.check_out(v)
    assert Visit.get_by_id(v.id).status == "已离开"
    assert V.on_site() == []
    with pytest.raises(NeiqinError, match="不在场"):
        V.check_out(Visit.get_by_id(v.id))


def test_departure_before_arrival_refused(host):
    v = visit(host)
    with pytest.raises(ValidationError) as e:
        V.check_out(v, v.arrive_at - dt.timedelta(minutes=5))
    assert "leave_at" in e.value.errors
    assert Visit.get_by_id(v.id).status == "在场"


@pytest.mark.parametrize("field, value, fragment", [
    ("name", "", "请填写姓名"),
    ("id_number", "110105194912310021", "校验位"),
    ("phone", "12345678901", "手机号码"),
    ("note", "长" * 10_000, "不能超过"),
    ("name", "张三😀", "表情符号"),
    ("plate", "ABC", "车牌号"),
    ("party_size", "两个", "整数"),
    ("visit_date", clock.today() + dt.timedelta(days=3), "不能晚于今天"),
])
def test_bad_input_saves_nothing(host, field, value, fragment):
    before = Visit.select().count(), AuditLog.select().count()
    with pytest.raises(ValidationError) as e:
        visit(host, **{field: value})
    assert fragment in e.value.errors[field]
    assert (Visit.select().count(), AuditLog.select().count()) == before


def test_quotes_and_sql_looking_text_are_plain_text(host):
    text = "'); DROP TABLE visit; -- \"引号\""
    v = visit(host, purpose=text[:200])
    assert Visit.get_by_id(v.id).purpose == text
    rows = VISITORS.fetch_page(LedgerQuery(search="DROP TABLE"))
    assert [r["id"] for r in rows] == [v.id]
    assert VISITORS.fetch_page(LedgerQuery(search="' OR 1=1 --")) == []


def test_search_one_two_three_characters_and_pinyin(host):
    a = visit(host, name="欧阳明", company="上海浦东物流有限公司")
    b = visit(host, name="王小二", company="北京某某科技有限公司")
    ids = lambda q: {r["id"] for r in VISITORS.fetch_page(LedgerQuery(search=q))}  # noqa: E731
    assert ids("欧") == {a.id}
    assert ids("欧阳") == {a.id}
    assert ids("欧阳明") == {a.id}
    assert ids("物流") == {a.id}
    assert ids("科技有限") == {b.id}
    assert ids("有限公司") == {a.id, b.id}
    assert ids("wxe") == {b.id}  # pinyin initials of 王小二
    assert ids("王 科技") == {b.id}  # several terms: all must match
    assert ids("阳明 北京") == set()
    # fields do not run together: 明 (end of name) + 上 (start of company) is not a phrase
    assert ids("明上") == set()


def test_appointment_becomes_visit_on_arrival(host):
    tomorrow = clock.today() + dt.timedelta(days=1)
    appt = V.make_appointment({"name": "赵六", "host": host.id, "visit_date": tomorrow,
                               "expected_at": dt.datetime.combine(tomorrow, dt.time(9, 30))})
    assert appt.status == "预约" and appt.arrive_at is None
    v = V.arrive(appt)
    assert v.status == "在场" and v.visit_date == clock.today() and v.badge_no
    assert [e.action for e in AuditLog.for_record("visitors", v.id)] == ["create", "checkin"]


def test_watchlist_requires_decision_and_records_it(host):
    V.add_watch("company", "推销", "推销人员谢绝")
    with pytest.raises(V.WatchlistMatch):
        visit(host, company="某某推销公司")
    assert Visit.select().count() == 0
    v = visit(host, company="某某推销公司") if False else V.check_in(
        {"name": "钱七", "company": "某某推销公司", "host": host.id}, confirmed={"watchlist": "经主任同意"})
    assert "经主任同意" in v.watch_note and "推销" in v.watch_note
    assert any(e.action == "watch" for e in AuditLog.for_record("visitors", v.id))


def test_watchlist_entry_validation(database):
    with pytest.raises(ValidationError) as e:
        V.add_watch("name", "", "")
    assert set(e.value.errors) == {"pattern", "reason"}


def test_void_keeps_record_and_excludes_from_count(host):
    v = visit(host)
    with pytest.raises(ValidationError):
        VISITORS.void(v, "  ")
    VISITORS.void(v, "重复登记")
    assert Visit.select().count() == 1
    assert VISITORS.count(LedgerQuery()) == 0
    assert [r["id"] for r in VISITORS.fetch_page(LedgerQuery(status="voided"))] == [v.id]
    with pytest.raises(NeiqinError):
        VISITORS.update(Visit.get_by_id(v.id), {"purpose": "改"})


def test_edit_is_audited_with_before_and_after(host):
    v = visit(host)
    VISITORS.update(v, {"purpose": "合同签订"})
    last = AuditLog.for_record("visitors", v.id)[-1]
    assert last.action == "edit" and last.changes_dict()["purpose"] == ["商务洽谈", "合同签订"]


def test_badge_in_use_refused(host):
    visit(host, badge_no="F009")
    with pytest.raises(ValidationError, match="F009"):
        visit(host, name="王五", badge_no="F009")


def test_close_forgotten_visits_with_note(host):
    yesterday = clock.today() - dt.timedelta(days=1)
    v = visit(host, visit_date=yesterday, arrive_at=dt.datetime.combine(yesterday, dt.time(10, 0)))
    assert [x.id for x in V.on_site(before=clock.today())] == [v.id]
    with pytest.raises(ValidationError):
        V.close_forgotten([v], "")
    assert V.close_forgotten([v], "下班确认已离开") == 1
    v = Visit.get_by_id(v.id)
    assert v.status == "已离开" and v.leave_at == V.closing_moment(yesterday)
    assert "下班确认已离开" in v.leave_note


def test_retention_erases_id_and_phone_and_is_audited(host):
    old_day = clock.today() - dt.timedelta(days=200)
    old = visit(host, visit_date=old_day, arrive_at=dt.datetime.combine(old_day, dt.time(9)))
    new = visit(host, name="王五")
    assert V.erase_expired_personal_data() == 1
    old, new = Visit.get_by_id(old.id), Visit.get_by_id(new.id)
    assert (old.id_number, old.phone) == ("", "") and old.pii_erased_at
    assert new.id_number == ID
    assert VISITORS.fetch_page(LedgerQuery(search="13912345678"))[0]["id"] == new.id
    assert AuditLog.select().where(AuditLog.action == "erase").count() == 1
    assert V.erase_expired_personal_data() == 0


def test_returning_visitor_prefill(host):
    v = visit(host)
    data = V.prefill_from(v)
    assert data["name"] == "李四" and data["id_number"] == ID and data["host"] == host.id


def test_keyset_paging_walks_every_row_once(host):
    from neiqin.demo import bulk_visits

    bulk_visits(1234, days=40)
    q = LedgerQuery()
    ids = [r["id"] for r in VISITORS.iter_rows(q, batch=100)]
    assert len(ids) == len(set(ids)) == 1234
    q = LedgerQuery(sort="name", desc=False)
    names = [r["name"] for r in VISITORS.iter_rows(q, batch=97)]
    assert names == sorted(names) and len(names) == 1234
    q = LedgerQuery(search="有限公司")
    assert len(list(VISITORS.iter_rows(q, batch=50))) == VISITORS.count(q)


def test_date_range_and_status_filters(host):
    yesterday = clock.today() - dt.timedelta(days=1)
    old = visit(host, visit_date=yesterday, arrive_at=dt.datetime.combine(yesterday, dt.time(9)))
    V.check_out(old, dt.datetime.combine(yesterday, dt.time(10)))
    now = visit(host, name="王五")
    q = LedgerQuery(date_from=clock.today(), date_to=clock.today())
    assert [r["id"] for r in VISITORS.fetch_page(q)] == [now.id]
    assert [r["id"] for r in VISITORS.fetch_page(LedgerQuery(status="on_site"))] == [now.id]
    assert [r["id"] for r in VISITORS.fetch_page(LedgerQuery(status="left"))] == [old.id]


def test_search_with_old_date_range_and_capped_count(host, monkeypatch):
    from neiqin.demo import bulk_visits

    bulk_visits(600, days=60)
    day = clock.today() - dt.timedelta(days=50)
    q = LedgerQuery(search="有限公司", date_from=day - dt.timedelta(days=3), date_to=day)
    rows = VISITORS.fetch_page(q)
    assert rows and all(q.date_from <= r["visit_date"] <= q.date_to for r in rows)
    every = [r for r in VISITORS.iter_rows(LedgerQuery(search="有限公司"))
             if q.date_from <= r["visit_date"] <= q.date_to]
    assert len(rows) == len(every) == VISITORS.count(q)
    assert VISITORS.fetch_page(LedgerQuery(search="有限公司", date_from=dt.date(2001, 1, 1),
                                           date_to=dt.date(2001, 1, 2))) == []
    monkeypatch.setattr(type(VISITORS), "COUNT_CAP", 10)
    n = VISITORS.count(LedgerQuery(search="有限公司"))
    assert n == 11 and VISITORS.count_text(n) == "10 条以上"


def test_unfiltered_count_is_all_minus_voided(host):
    a = visit(host)
    visit(host, name="王五")
    VISITORS.void(a, "重复")
    assert VISITORS.count(LedgerQuery()) == 1
