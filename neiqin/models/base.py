"""Database handle, the base model and the tables every ledger shares: audit log, settings, field history.

``db`` is a proxy initialised by :func:`neiqin.db.open_database`; models never open files themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.operations import note_change

db = pw.DatabaseProxy()


def now() -> dt.datetime:
    """Current local time without microseconds (registers show minutes; seconds are kept for ordering)."""
    return clock.now()


def today() -> dt.date:
    return clock.today()


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class VoidableModel(BaseModel):
    """A ledger record. Never hard-deleted: 作废 keeps it, greyed, out of counts, with its reason."""

    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)
    voided = pw.BooleanField(default=False)
    void_reason = pw.TextField(default="")
    voided_at = pw.DateTimeField(null=True)


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def current_actor() -> str:
    import getpass  # when a record is first written, not at every start

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some kiosk setups
        return ""


class AuditLog(BaseModel):
    """Who changed what, when. ``changes`` is JSON {field: [before, after]} (sensitive values masked)."""

    ts = pw.DateTimeField(default=now, index=True)
    ledger = pw.CharField(max_length=40)
    record_id = pw.IntegerField(null=True)
    action = pw.CharField(max_length=20)  # create / edit / void / erase / checkin / checkout / import …
    summary = pw.TextField(default="")
    changes = pw.TextField(default="{}")
    actor = pw.CharField(max_length=80, default=current_actor)

    class Meta:
        indexes = ((("ledger", "record_id"), False),)

    @classmethod
    def write(cls, ledger: str, record_id: int | None, action: str, summary: str = "",
              changes: dict[str, Any] | None = None) -> AuditLog:
        entry = cls.create(ledger=ledger, record_id=record_id, action=action, summary=summary,
                           changes=json.dumps(changes or {}, ensure_ascii=False, default=_json_default))
        note_change(ledger, record_id, action)  # the operation in progress, if any, reports it (neiqin.operations)
        return entry

    @classmethod
    def for_record(cls, ledger: str, record_id: int) -> list[AuditLog]:
        return list(cls.select().where((cls.ledger == ledger) & (cls.record_id == record_id))
                    .order_by(cls.ts, cls.id))

    def changes_dict(self) -> dict[str, Any]:
        return json.loads(self.changes or "{}")


class Setting(BaseModel):
    key = pw.CharField(max_length=80, primary_key=True)
    value = pw.TextField()


class FieldHistory(BaseModel):
    """Values typed before into free-text fields, for autocomplete without scanning big tables."""

    ledger = pw.CharField(max_length=40)
    field = pw.CharField(max_length=40)
    value = pw.CharField(max_length=200)
    uses = pw.IntegerField(default=1)
    last_used = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("ledger", "field", "value"), True),)

    @classmethod
    def remember(cls, ledger: str, field: str, value: str) -> None:
        value = (value or "").strip()
        if not value or len(value) > 200:
            return
        (cls.insert(ledger=ledger, field=field, value=value, uses=1, last_used=now())
         .on_conflict(conflict_target=[cls.ledger, cls.field, cls.value],
                      update={cls.uses: cls.uses + 1, cls.last_used: now()})
         .execute())

    @classmethod
    def values(cls, ledger: str, field: str, limit: int = 500) -> list[str]:
        q = (cls.select(cls.value).where((cls.ledger == ledger) & (cls.field == field))
             .order_by(cls.uses.desc(), cls.last_used.desc()).limit(limit))
        return [r.value for r in q]


class PartialIndex(pw.SQL):
    """An index over part of a table (``WHERE ...``), which peewee's field indexes cannot say.

    Declared on its model like any other index (``Meta.indexes`` or :func:`declare_index`), so that
    ``create_tables`` makes it in a new database and :func:`neiqin.db.add_index` adds it to an older one, from the
    same text.
    """

    def __init__(self, name: str, table: str, columns: str, where: str):
        self.name = name
        self.table = table
        super().__init__(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}"({columns}) WHERE {where}')


def declare_index(model: type[pw.Model], index: PartialIndex) -> None:
    """Add ``index`` to ``model``'s declared indexes once (a module imported twice must not declare it twice)."""
    if not any(getattr(i, "name", None) == index.name for i in model._meta.indexes):
        model._meta.indexes.append(index)


def voided_index(model: type[pw.Model]) -> PartialIndex:
    """The voided rows of a register: counts are all − voided, two index-only counts instead of a table scan."""
    table = model._meta.table_name
    return PartialIndex(f"{table}_voided_ids", table, "id", "voided = 1")


class NumberSerial(BaseModel):
    """The last serial given in each numbered series and period; only :mod:`neiqin.numbering` writes it."""

    series = pw.CharField(max_length=60)  # e.g. "seal_use", "outgoing:公司发"
    period = pw.CharField(max_length=10)  # "2026" for series that restart each year, "" for running ones
    last = pw.IntegerField()

    class Meta:
        table_name = "number_serial"
        primary_key = pw.CompositeKey("series", "period")
        without_rowid = True
