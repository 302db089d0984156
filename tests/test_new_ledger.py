"""Adding a ledger is small: the test suite's own 来电登记 (tests/helpers/phone_calls.py) is one model module and one
catalogue line, and from them it has a CLI key, Excel export and import, a printed register, 全局搜索, a 今日 section
and (tests/ui/test_new_ledger_ui.py) a tab with a form from its field declaration."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from openpyxl import load_workbook

from neiqin import clock
from neiqin.cli import main
from neiqin.db import close_database, create_tables, open_database
from neiqin.models import catalogue, ledger, today

ENTRY = catalogue.Ledger("helpers.phone_calls", key="phone-calls", tab="来电登记", today=True)


@pytest.fixture
def phone_ledger(monkeypatch):
    """The one line: the catalogue entry (taken away again after the test, with what the module registered)."""
    monkeypatch.setattr(catalogue, "CATALOGUE", list(catalogue.CATALOGUE))
    catalogue.register(ENTRY)
    yield ENTRY
    # only what the module registered goes (ledgers imported during the test stay registered); the next test
    # imports the module afresh, as a process that has the line does
    ledger.LEDGERS.pop("phone-calls", None)
    today.SECTIONS.pop("phone-callbacks", None)
    sys.modules.pop("helpers.phone_calls", None)


def make_table(datadir):
    """What the new ledger's migration does: create its table and search tables."""
    from helpers.phone_calls import CALLS, MODELS

    database = open_database(datadir.db_path, datadir.backups)
    create_tables(database, [*MODELS, *CALLS.search.models])
    return CALLS


def test_one_catalogue_line_registers_the_ledger_everywhere(phone_ledger, datadir, tmp_path, capsys):
    calls = make_table(datadir)
    try:
        from neiqin.models import global_search, load_all
        from neiqin.models.ledger import LEDGERS

        load_all()
        assert list(LEDGERS)[-1] == "phone-calls" and LEDGERS["phone-calls"] is calls
        at = clock.now() - dt.timedelta(minutes=20)
        calls.create({"called_at": at, "caller": "欧阳明", "org": "市财政局", "phone": "０１０－６５５５１２３４",
                      "for_whom": "王主任", "message": "请回电确认会议时间", "callback": True})
        assert calls.model.get().phone == "010-65551234"  # the field declaration normalised it
        groups = global_search.search_all("财政")
        assert [(g.ledger, g.title, g.total) for g in groups] == [("phone-calls", "来电登记簿", 1)]
        section = today.compute(clock.today(), keys=["phone-callbacks"])[0]
        assert section.title == "待回电" and "欧阳明" in section.items[0].text
    finally:
        close_database()

    d = str(datadir.root)
    assert main(["--data-dir", d, "export", "phone-calls", str(tmp_path / "calls.xlsx")]) == 0
    ws = load_workbook(tmp_path / "calls.xlsx").active
    headers = [c.value for row in ws.iter_rows(max_row=6) for c in row if c.value]
    assert {"来电时间", "来电人", "单位", "电话", "找谁", "留言"} <= set(headers)
    assert main(["--data-dir", d, "print", "phone-calls", str(tmp_path / "calls.pdf")]) == 0
    assert (tmp_path / "calls.pdf").read_bytes().startswith(b"%PDF")
    capsys.readouterr()

    # an Excel sheet with its own headers (an alias) comes in through the same declaration
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["来电时间", "姓名", "来电号码", "找谁"])
    wb.active.append([dt.datetime.combine(clock.today(), dt.time(9, 5)), "李雷", "13912345678", "办公室"])
    wb.save(tmp_path / "in.xlsx")
    assert main(["--data-dir", d, "import", "phone-calls", str(tmp_path / "in.xlsx")]) == 0
    open_database(datadir.db_path, datadir.backups)
    try:
        assert sorted(c.caller for c in calls.model.select()) == ["李雷", "欧阳明"]
    finally:
        close_database()


def test_bad_input_to_the_new_ledger_is_refused_at_its_field(phone_ledger, datadir):
    from neiqin.errors import ValidationError

    calls = make_table(datadir)
    try:
        with pytest.raises(ValidationError) as e:
            calls.create({"called_at": "昨天上午", "caller": "", "phone": "12"})
        assert set(e.value.errors) == {"called_at", "caller", "phone"}
        assert e.value.errors["caller"] == "请填写来电人"
        assert calls.model.select().count() == 0
    finally:
        close_database()


def test_without_the_line_the_ledger_is_nowhere(datadir):
    assert "helpers.phone_calls" not in catalogue.modules()
    assert "phone-calls" not in ledger.LEDGERS
