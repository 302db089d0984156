"""来电登记: the test suite's own ledger, added the way ARCHITECTURE.md says a new ledger is added — one model
module (this file) and one catalogue line (``tests/test_new_ledger.py`` registers it; a real ledger's line is in
``neiqin/models/catalogue.py``), plus the migration that creates its table.
"""

from __future__ import annotations

import datetime as dt

from neiqin.errors import ValidationError
from neiqin.models.base import VoidableModel
from neiqin.models.fields import Field, Fields
from neiqin.models.ledger import LedgerSpec, SearchIndex, register_ledger
from neiqin.models.today import DUE, TodayItem, section

CALL_FIELDS = Fields(
    "phone-calls",
    Field("called_at", "来电时间", "datetime", required=True, index=True, width=16, sortable=True),
    Field("caller", "来电人", required=True, max_len=40, width=8, history=True, aliases=("姓名",)),
    Field("org", "单位", max_len=100, width=16),
    Field("phone", "电话", "phone", max_len=40, width=13, aliases=("来电号码",)),
    Field("for_whom", "找谁", max_len=40, width=8),
    Field("message", "留言", "multiline", width=24),
    Field("callback", "需回电", "bool", width=6),
)


@CALL_FIELDS.table
class PhoneCall(VoidableModel):
    class Meta:
        table_name = "phone_call"


MODELS = [PhoneCall]


def _validate(data: dict, record: PhoneCall | None) -> dict:
    errors: dict[str, str] = {}
    out = CALL_FIELDS.clean(data, errors)
    if errors:
        raise ValidationError(errors)
    return out


CALLS = register_ledger(LedgerSpec(
    key="phone-calls",
    title="来电登记簿",
    tab_title="来电登记",
    model=PhoneCall,
    columns=CALL_FIELDS.columns(),
    fields=CALL_FIELDS,
    date_field="called_at",
    date_label="来电时间",
    search=SearchIndex("phone_call"),
    search_parts=lambda c: ([c.caller, c.org, c.for_whom, c.message, c.phone], [c.caller, c.org, c.for_whom]),
    validate=_validate,
    describe=lambda c: f"来电 {c.caller}",
))


@section("phone-callbacks", "待回电", 70, ledger="phone-calls")
def _callbacks(day: dt.date) -> list[TodayItem]:
    q = PhoneCall.select().where((PhoneCall.callback == True) & (PhoneCall.voided == False))  # noqa: E712
    return [TodayItem(f"{c.caller}（{c.org}）来电找{c.for_whom or '办公室'}，请回电 {c.phone}", "phone-calls", c.id,
                      DUE, c.called_at, c.for_whom) for c in q.order_by(PhoneCall.called_at)]
