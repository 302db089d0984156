"""通讯地址簿: outside organisations shared by 发文 and 寄件 (no screen)."""

from __future__ import annotations

import pytest

from neiqin.errors import ValidationError
from neiqin.models.base import AuditLog
from neiqin.models.ledger import LedgerQuery
from neiqin.models.mail.addresses import ADDRESSES, Organisation, find_organisation, organisation_names


def org(**kw):
    return ADDRESSES.create({"name": "北京市市场监督管理局", "address": "北京市通州区留庄路6号院", "postcode": "101100",
                             "contact": "陈处长", "phone": "010-82690000", **kw})


def test_create_search_and_names(database):
    a = org()
    b = ADDRESSES.create({"name": "上海城建设计研究总院有限公司", "address": "上海市徐汇区东安路15号", "postcode": "200032"})
    assert organisation_names() == sorted([a.name, b.name])
    assert find_organisation(" 北京市市场监督管理局 ") == a and find_organisation("") is None
    for term in ("市场", "监督管理局", "101100", "东安路", "陈"):
        hits = [r["id"] for r in ADDRESSES.fetch_page(LedgerQuery(search=term))]
        assert hits and hits[0] in (a.id, b.id), term
    assert [r["id"] for r in ADDRESSES.fetch_page(LedgerQuery())] == sorted([a.id, b.id], key=lambda i: Organisation
                                                                             .get_by_id(i).name)


@pytest.mark.parametrize("data,field,message", [
    ({"name": ""}, "name", "请填写单位名称"),
    ({"postcode": "10110"}, "postcode", "邮政编码应为 6 位数字"),
    ({"postcode": "abcdef"}, "postcode", "邮政编码应为 6 位数字"),
    ({"phone": "12ab"}, "phone", "电话："),
    ({"address": "路" * 201}, "address", "地址不能超过 200 字"),
])
def test_bad_input_at_the_field(database, data, field, message):
    with pytest.raises(ValidationError) as e:
        org(**data)
    assert message in e.value.errors[field]
    assert Organisation.select().count() == 0


def test_duplicate_name_refused_but_a_voided_one_frees_it(database):
    a = org()
    with pytest.raises(ValidationError) as e:
        org(address="别处")
    assert "已有" in e.value.errors["name"]
    ADDRESSES.update(a, {"phone": "010-82690001"})  # editing itself is not a duplicate
    ADDRESSES.void(a, "机构改革后撤销")
    b = org()
    assert find_organisation("北京市市场监督管理局") == b and organisation_names() == [b.name]
    assert [x.action for x in AuditLog.for_record("addresses", a.id)] == ["create", "edit", "void"]
