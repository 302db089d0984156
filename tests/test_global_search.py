"""Global search (Ctrl+K) over every ledger and the directory: grouping, 1-character Chinese, pinyin initials."""

from __future__ import annotations

import pytest

from neiqin.models import STAFF, global_search
from neiqin.models.seals.registry import LICENCES, SEALS
from neiqin.models.visitors import VISITORS, check_in


@pytest.fixture
def data(database):
    people = {n: STAFF.create({"name": n, "department": d, "mobile": m}) for n, d, m in (
        ("张三", "办公室", "13812345678"), ("张珊珊", "财务部", ""), ("李子树", "市场部", ""), ("李四", "技术部", ""))}
    visits = [check_in({"name": name, "company": company, "host": people["李四"].id, "purpose": "商务洽谈"})
              for name, company in (("张伟", "北京张氏科技有限公司"), ("王芳", "上海某某物流有限公司"))]
    seal = SEALS.create({"name": "合同专用章", "kind": "合同专用章", "custodian": "张三"})
    licence = LICENCES.create({"name": "营业执照", "copy_kind": "副本", "number": "91110105MA01ABCD2X"})
    return people, visits, seal, licence


def groups(text, **kw):
    return {g.ledger: g for g in global_search.search_all(text, **kw)}


def test_results_are_grouped_by_ledger_directory_first(data):
    people, visits, seal, licence = data
    found = global_search.search_all("张")
    assert found[0].ledger == "staff"
    by = {g.ledger: g for g in found}
    assert set(by) == {"staff", "visitors", "seals"}  # 张三 keeps the seal; 张伟 and his company visited
    assert {h.record_id for h in by["staff"].hits} == {people["张三"].id, people["张珊珊"].id}
    assert by["visitors"].hits[0].record_id == visits[0].id and by["visitors"].title == "来访登记簿"
    assert by["seals"].hits[0].title == "印章 合同专用章" and "张三" in by["seals"].hits[0].detail


def test_one_character_and_multi_word_searches(data):
    people, visits, *_ = data
    assert [h.record_id for h in groups("芳")["visitors"].hits] == [visits[1].id]
    assert set(groups("营业执照")) == {"licences"}
    assert [h.title for h in groups("张 科技")["visitors"].hits] == [VISITORS.describe(visits[0])]
    assert groups("张 物流") == {}
    assert global_search.search_all("   ") == [] and global_search.search_all("！？") == []


def test_people_by_pinyin_initials_and_full_pinyin_ranked_like_the_staff_picker(data):
    people, *_ = data
    zs = [h.record_id for h in groups("zs")["staff"].hits]
    # initials starting "zs" first; 李子树 (lzs) is found by the index too, after them
    assert set(zs[:2]) == {people["张三"].id, people["张珊珊"].id} and zs[2:] == [people["李子树"].id]
    assert [h.record_id for h in groups("zhangsan")["staff"].hits] == [people["张三"].id]
    assert groups("zss")["staff"].hits[0].record_id == people["张珊珊"].id


def test_phone_numbers_find_people_but_lists_never_show_masked_numbers(data):
    people, visits, *_ = data
    [hit] = groups("13812345678")["staff"].hits
    assert hit.record_id == people["张三"].id
    for g in global_search.search_all("张"):
        for h in g.hits:
            assert "****" not in h.detail and "********" not in h.detail


def test_groups_are_capped_and_counted(database, host):
    for ch in "甲乙丙丁戊己庚辛壬癸子丑":
        check_in({"name": f"钱{ch}", "company": "某公司", "host": host.id, "purpose": "洽谈"})
    g = groups("钱", per_group=5)["visitors"]
    assert len(g.hits) == 5 and g.total == 12 and g.more and g.total_text == "12 条"
    assert [h.title for h in g.hits][0].startswith("访客 钱丑")  # newest first
    voided = VISITORS.get(g.hits[0].record_id)
    VISITORS.void(voided, "重复登记")
    g = groups("钱", per_group=5)["visitors"]
    assert g.total == 11 and g.hits[0].voided  # still found (greyed), not counted
    assert global_search.count(VISITORS, "钱", cap=3) == 4  # counting stops past the cap


def test_cap_text(database):
    g = global_search.Group("visitors", "来访登记簿", global_search.COUNT_CAP + 1)
    assert g.total_text == f"{global_search.COUNT_CAP} 条以上"


def test_only_the_ledgers_asked_for(data):
    assert set(groups("张", ledgers=["seals"])) == {"seals"}


def test_a_broken_ledger_is_skipped_not_fatal(data, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("索引损坏")

    monkeypatch.setattr(VISITORS, "fetch_page", boom)
    assert "staff" in groups("张") and "visitors" not in groups("张")


def test_every_searchable_ledger_is_searched(database):
    from neiqin.models.ledger import LEDGERS

    keys = [s.key for s in global_search.searchable()]
    assert keys[0] == "staff"
    assert set(keys) == {k for k, s in LEDGERS.items() if s.search is not None}
