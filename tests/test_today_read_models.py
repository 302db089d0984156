"""今日 reads the ledgers' tables through small read-only models (neiqin.models.today_sections), so that the first
page at every start imports no ledger module. Each read model, status word and format here is checked against
the ledger that owns it: the two declarations cannot drift apart unnoticed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from neiqin.models import ALL_MODELS
from neiqin.models import today_sections as T


def owner(read_model):
    table = read_model._meta.table_name
    found = [m for m in ALL_MODELS if m._meta.table_name == table]
    assert len(found) == 1, f"{read_model.__name__}: no ledger table {table}"
    return found[0]


@pytest.mark.parametrize("read_model", T.READ_MODELS, ids=lambda m: m.__name__)
def test_every_column_read_is_the_ledgers_own(read_model):
    real = owner(read_model)
    for name, field in read_model._meta.fields.items():
        assert name in real._meta.fields, f"{read_model.__name__}.{name}: {real.__name__} has no such field"
        theirs = real._meta.fields[name]
        assert field.column_name == theirs.column_name
        if name != "id":
            assert type(field) is type(theirs) or (type(theirs).__name__, type(field).__name__) == (
                "ForeignKeyField", "IntegerField"), f"{read_model.__name__}.{name}: {type(field).__name__} " \
                                                    f"reads a {type(theirs).__name__}"


def test_the_status_words_are_the_ledgers():
    from neiqin.models.mail import docs_common, outgoing, parcel_rules
    from neiqin.models.meetings import actions, schedule
    from neiqin.models.seals import loans, registry, uses
    from neiqin.models.staff import STATUS_ACTIVE
    from neiqin.models.supplies import amounts, items
    from neiqin.models.visitors import APPOINTMENT, ON_SITE

    assert T.IN_ACTIVE == docs_common.IN_ACTIVE
    assert T.PARCEL_WAITING == parcel_rules.WAITING
    assert T.BOOKING_ACTIVE == schedule.ACTIVE
    assert T.ACTION_OPEN == actions.OPEN
    assert T.ITEM_ACTIVE == items.ITEM_ACTIVE
    assert (T.OUT, T.LIC_DISABLED, T.PENDING, T.APPROVED) == (loans.OUT, registry.LIC_DISABLED, uses.PENDING,
                                                              uses.APPROVED)
    assert (T.STATUS_ACTIVE, T.APPOINTMENT, T.ON_SITE) == (STATUS_ACTIVE, APPOINTMENT, ON_SITE)
    for milli, unit in ((0, "个"), (3000, "盒"), (2500, "米"), (10000, ""), (1250, "千克"), (None, "支")):
        assert T.qty_text(milli, unit) == amounts.qty_text(milli, unit)
    for year, n in ((2026, 1), (2026, 57), (2027, 1234)):
        label = T.Delivery(year=year, envelope_no=n).envelope_label
        assert label == outgoing.Delivery(year=year, envelope_no=n).envelope_label


def test_read_models_write_nothing(database):
    with pytest.raises(TypeError, match="read only"):
        T.Visit(name="张三").save()


def test_the_first_page_imports_no_ledger_module(tmp_path):
    """What the morning screen imports to list and fill its sections, on a database written by the whole app:
    the registry, the read models and the shared date words, no ledger (a setting that no light module declares
    would make ``settings.get`` import every ledger to find its default)."""
    from neiqin.db import close_database, open_database
    from neiqin.paths import DataDir

    data = DataDir(tmp_path / "data").ensure()
    open_database(data.db_path, data.backups)  # every table, created by the ledgers' own declarations
    close_database()
    code = ("import sys\nfrom pathlib import Path\nfrom neiqin.db import open_database\n"
            "from neiqin.paths import DataDir\nfrom neiqin.models import today\n"
            f"d = DataDir(Path({str(data.root)!r}))\nopen_database(d.db_path, d.backups)\n"
            "sections = today.compute()\nassert not [s.key for s in sections if s.error], sections\n"
            "print(len(sections), sorted(m for m in sys.modules if m.startswith('neiqin.models')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    count, loaded = out.split(" ", 1)
    assert int(count) == len(T.SECTIONS_EXPECTED) == 14
    assert set(eval(loaded)) <= {  # noqa: S307 - our own printed list
        "neiqin.models", "neiqin.models.base", "neiqin.models.settings", "neiqin.models.catalogue",
        "neiqin.models.workdays", "neiqin.models.deadlines", "neiqin.models.today", "neiqin.models.today_sections"}


def test_every_built_in_section_is_registered():
    from neiqin.models import today

    assert set(today.registered()) == set(T.SECTIONS_EXPECTED)
