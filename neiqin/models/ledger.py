"""The shared ledger machinery: one declaration of a ledger's columns, its query and its search.

Every ledger (visitors, staff, and later mail, seals, supplies, meetings) declares a :class:`LedgerSpec`.
The lazy table model, the printed register, the Excel export/import and the command line all read that one
declaration, so adding a column is one edit.

Queries page by keyset (``(sort_value, id) < (last_sort_value, last_id)``), never by OFFSET, and never load a
whole table. Search uses two FTS5 indexes per ledger: a ``trigram`` index for terms of 3+ characters and a
one-character-per-token ``unicode61`` index for 1–2 character terms, which trigram cannot answer (docs/TECH-NOTES.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from neiqin import numbering
from neiqin.errors import NeiqinError, ValidationError
from neiqin.models.base import AuditLog, FieldHistory, VoidableModel, db, declare_index, now, voided_index

# ---------------------------------------------------------------------------------------------- columns


def fmt_date(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v or "")


def fmt_datetime(v: Any) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else str(v or "")


def fmt_time(v: Any) -> str:
    return v.strftime("%H:%M") if isinstance(v, dt.datetime | dt.time) else str(v or "")


_KIND_FMT: dict[str, Callable[[Any], str]] = {
    "date": fmt_date,
    "datetime": fmt_datetime,
    "time": fmt_time,
    "int": lambda v: "" if v is None else str(v),
    "bool": lambda v: "是" if v else "",
    "text": lambda v: "" if v is None else str(v),
}


@dataclass(frozen=True)
class Column:
    """One column of a ledger, as shown on screen, printed and exported.

    ``width`` is in characters (Excel column width; screen and paper widths are scaled from it).
    ``mask`` turns a sensitive value into its displayed form; the full value appears only in the form.
    ``fmt`` is the printed format (see :attr:`print_kind`); empty means derived from ``kind`` and the key.
    """

    key: str
    header: str
    width: int = 10
    kind: str = "text"
    mask: Callable[[Any], str] | None = None
    sortable: bool = False
    aliases: tuple[str, ...] = ()
    importable: bool = True
    align: str = "left"
    value: Callable[[dict], Any] | None = None  # computed columns read the row themselves
    number_order: bool = False  # a printed number: sorted as numbers (印2026-9999 before 印2026-10000)
    fmt: str = ""  # date / datetime / time / number / amount / id / code / name / text; "" = derived

    @property
    def print_kind(self) -> str:
        """How the printed register lays the column out: a fixed format (date, datetime, time, number, amount,
        id, code, name) is as wide as its widest value and never wraps; ``text`` shares the rest and wraps."""
        if self.fmt:
            return self.fmt
        if self.mask is not None:
            return "id"
        by_kind = {"date": "date", "datetime": "datetime", "time": "time", "int": "number"}.get(self.kind)
        key = self.key
        if key in _AMOUNT_KEYS or key.endswith(("_cost", "_price", "_amount")):
            return "amount"
        if by_kind:
            return by_kind
        if key in _CODE_KEYS or key.endswith(("_no", "_number")):
            return "code"
        return "text"

    def raw(self, row: dict) -> Any:
        return self.value(row) if self.value else row.get(self.key)

    def display(self, row: dict) -> str:
        v = self.raw(row)
        if self.mask is not None:
            return self.mask(v)
        return _KIND_FMT[self.kind](v)

    def excel_value(self, row: dict) -> Any:
        """Real dates and numbers for Excel; masked columns as their masked text."""
        v = self.raw(row)
        if self.mask is not None:
            return self.mask(v)
        if self.kind in ("date", "datetime", "int"):
            return v
        if self.kind == "time":
            return fmt_time(v)
        return _KIND_FMT[self.kind](v)

    @property
    def header_names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


# printed formats by column key, for columns that do not declare ``fmt``
_AMOUNT_KEYS = frozenset({"amount", "cost", "price", "stock_value", "value"})
_CODE_KEYS = frozenset({"no", "code", "barcode", "number", "postcode", "phone", "mobile", "office_phone",
                        "extension", "plate", "seq"})


# ---------------------------------------------------------------------------------------------- search

FIELD_SEP_UNI = "\ue000"  # a private-use token between fields, so phrases never join two fields
_CJK_OR_WORD = r"[\w\u3400-\u9fff\uf900-\ufaff]"  # compiled (and cached by re) at the first search


def _fts_string(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


class SearchIndex:
    """Two FTS5 tables (trigram + single-character) holding each record's searchable text by rowid.

    Their model classes are made when first used (a search, a save, creating the tables): a start that only
    reads the 今日 lists does not pay for them.
    """

    def __init__(self, name: str):
        self.name = name
        self._tri: type[pw.Model] | None = None
        self._uni: type[pw.Model] | None = None

    def _table(self, kind: str, tokenize: str) -> type[pw.Model]:
        from playhouse.sqlite_ext import FTS5Model, RowIDField, SearchField

        class Meta:
            database = db
            table_name = f"{self.name}_fts_{kind}"
            options = {"tokenize": tokenize}

        attrs = {"rowid": RowIDField(), "body": SearchField(), "Meta": Meta, "__module__": __name__}
        return type(kind.capitalize(), (FTS5Model,), attrs)

    @property
    def tri(self) -> type[pw.Model]:
        if self._tri is None:
            self._tri = self._table("tri", "trigram")
        return self._tri

    @property
    def uni(self) -> type[pw.Model]:
        if self._uni is None:
            self._uni = self._table("uni", "unicode61")
        return self._uni

    @property
    def models(self) -> list[type[pw.Model]]:
        return [self.tri, self.uni]

    @staticmethod
    def uni_text(parts: Sequence[str]) -> str:
        return f" {FIELD_SEP_UNI} ".join(" ".join(ch for ch in p if not ch.isspace()) for p in parts if p)

    def put(self, rowid: int, full_parts: Sequence[str], short_parts: Sequence[str]) -> None:
        full = "\n".join(p for p in full_parts if p)
        self.tri.delete().where(self.tri.rowid == rowid).execute()
        self.uni.delete().where(self.uni.rowid == rowid).execute()
        self.tri.insert(rowid=rowid, body=full).execute()
        self.uni.insert(rowid=rowid, body=self.uni_text(short_parts)).execute()

    def put_many(self, rows: Sequence[tuple[int, Sequence[str], Sequence[str]]]) -> None:
        """Bulk insert for new rows (import, demo): no deletes needed."""
        if not rows:
            return
        self.tri.insert_many([(r, "\n".join(p for p in f if p)) for r, f, _ in rows],
                             fields=[self.tri.rowid, self.tri.body]).execute()
        self.uni.insert_many([(r, self.uni_text(s)) for r, _, s in rows],
                             fields=[self.uni.rowid, self.uni.body]).execute()

    def term_source(self, term: str) -> tuple[type[pw.Model], str] | None:
        """(fts model, MATCH expression) for one search term, or None if the term cannot match anything."""
        if len(term) >= 3:
            return self.tri, _fts_string(term)
        chars = [c for c in term if re.match(_CJK_OR_WORD, c)]
        if not chars:
            return None
        return self.uni, _fts_string(" ".join(chars))


def split_terms(text: str) -> list[str]:
    return [t for t in (text or "").split() if t][:8]


# ---------------------------------------------------------------------------------------------- query


@dataclass
class LedgerQuery:
    search: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""  # a key of LedgerSpec.statuses; "" = all
    include_voided: bool = True
    sort: str | None = None  # a sortable column key; None = the ledger's default order
    desc: bool = True
    only_id: int | None = None  # "open this record": the view shows just it (cleared by any other filter)


@dataclass
class LedgerSpec:
    """Everything the shared machinery needs to know about one ledger."""

    key: str  # CLI and settings key, e.g. "visitors"
    title: str  # printed register title, e.g. "来访登记簿"
    tab_title: str
    model: type[VoidableModel]
    columns: list[Column] = field(default_factory=list)  # default: every field of ``fields``, in its order
    default_sort: str = "id"
    default_desc: bool = True  # newest first for registers; directories read A→Z
    date_field: str | None = None
    date_label: str = "日期"
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    status_condition: Callable[[str], Any] | None = None
    search: SearchIndex | None = None
    search_parts: Callable[[Any], tuple[list[str], list[str]]] | None = None  # record -> (tri parts, uni parts)
    sensitive_fields: tuple[str, ...] = ()
    mask_for_audit: Callable[[str, Any], Any] | None = None
    validate: Callable[[dict, Any], dict] | None = None  # (data, existing record or None) -> clean data
    history_fields: tuple[str, ...] = ()
    describe: Callable[[Any], str] = lambda rec: f"#{rec.id}"
    import_row: Callable[[dict], dict] | None = None  # raw Excel values by column key -> data for validate
    fields: Any = None  # the ledger's field declaration (neiqin.models.fields.Fields), when it has one
    registers: dict[str, Any] = field(default_factory=dict)  # status -> the register a view of it prints as

    def __post_init__(self) -> None:
        if not self.columns:
            if self.fields is None:
                raise TypeError(f"{self.key}: a ledger needs its columns or its field declaration")
            self.columns = self.fields.columns()

    def register_for(self, q: LedgerQuery) -> LedgerSpec:
        """The register a view prints as: its own, or the one of its status filter (出入库 filtered to 领用 prints
        the 领用登记簿, with a column to sign in)."""
        return self.registers.get(q.status, self)

    # ---- columns

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def sortable_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.sortable]

    # ---- conditions

    def conditions(self, q: LedgerQuery) -> list[Any]:
        m = self.model
        conds: list[Any] = []
        if q.only_id is not None:
            conds.append(m.id == q.only_id)
        if self.date_field:
            f = getattr(m, self.date_field)
            if q.date_from:
                conds.append(f >= q.date_from)
            if q.date_to:
                conds.append(f <= q.date_to)
        if q.status == "voided":
            conds.append(m.voided == True)  # noqa: E712 - peewee expression
        elif q.status and self.status_condition:
            conds.append(self.status_condition(q.status))
            conds.append(m.voided == False)  # noqa: E712
        elif not q.include_voided:
            conds.append(m.voided == False)  # noqa: E712
        return conds

    def _search_plan(self, q: LedgerQuery) -> tuple[Any, list[Any], bool] | None:
        """(driving fts model or None, extra conditions, impossible) for the query's search terms."""
        terms = split_terms(q.search)
        if not terms or self.search is None:
            return None
        driver = None
        extra: list[Any] = []
        for term in terms:
            src = self.search.term_source(term)
            if src is None:
                continue
            fts, expr = src
            if driver is None:
                driver = (fts, expr)
            else:
                extra.append(self.model.id.in_(fts.select(fts.rowid).where(fts.match(expr))))
        return (driver, extra, False)

    def _id_bounds(self, q: LedgerQuery) -> tuple[int | None, int | None] | None:
        """(min id, max id) of the rows in the date range, or None when there is no date range."""
        if not self.date_field or not (q.date_from or q.date_to):
            return None
        m = self.model
        f = getattr(m, self.date_field)
        conds = ([f >= q.date_from] if q.date_from else []) + ([f <= q.date_to] if q.date_to else [])
        row = m.select(pw.fn.MIN(m.id), pw.fn.MAX(m.id)).where(*conds).tuples().first()
        return row if row else (None, None)

    def _sort_exprs(self, name: str | None) -> list[Any] | None:
        if not name:
            return None
        f = getattr(self.model, name)
        return numbering.order_by(f) if self._number_ordered(name) else [f]

    def _number_ordered(self, name: str) -> bool:
        return any(c.key == name and c.number_order for c in self.columns)

    def select(self, q: LedgerQuery, fields: Sequence[Any] | None = None) -> tuple[pw.ModelSelect, Any, Any]:
        """(query with filters and search, sort expressions or None, id expression) — not ordered or limited."""
        m = self.model
        query = m.select(*(fields or [m]))
        id_expr: Any = m.id
        plan = self._search_plan(q)
        conds = self.conditions(q)
        if plan is not None:
            driver, extra, _ = plan
            if driver is not None:
                fts, expr = driver
                query = query.join(fts, on=(fts.rowid == m.id)).where(fts.match(expr))
                id_expr = fts.rowid  # lets SQLite walk the FTS doclist in rowid order and stop at LIMIT
                bounds = self._id_bounds(q)
                if bounds is not None:
                    # an old date range would otherwise make the walk pass every newer hit first;
                    # the bound must be on fts.rowid for FTS5 to use it
                    lo, hi = bounds
                    conds.append(fts.rowid.between(lo, hi) if lo is not None else pw.SQL("0"))
            conds.extend(extra)
            if driver is None and not extra:
                conds.append(pw.SQL("0"))  # only punctuation typed: nothing can match
        if conds:
            query = query.where(*conds)
        sort_name = self.sort_name(q, searching=plan is not None and plan[0] is not None)
        return query, self._sort_exprs(sort_name), id_expr

    def fetch_page(self, q: LedgerQuery, after: tuple | None = None, limit: int = 200) -> list[dict]:
        """One page of rows as dicts, in display order. ``after`` is the ``page_key`` of the last row seen."""
        query, sort_exprs, id_expr = self.select(q)
        desc = q.desc if q.sort else (self.default_desc or self.sort_name(q) is None)
        if sort_exprs is None:
            if after is not None:
                query = query.where(id_expr < after[-1] if desc else id_expr > after[-1])
            order = [id_expr.desc() if desc else id_expr.asc()]
        else:
            if after is not None:
                lhs = pw.Tuple(*sort_exprs, id_expr)
                rhs = pw.Tuple(*after)
                query = query.where(lhs < rhs if desc else lhs > rhs)
            order = [e.desc() if desc else e.asc() for e in (*sort_exprs, id_expr)]
        return list(query.order_by(*order).limit(limit).dicts())

    def fetch_row(self, record_id: int) -> dict | None:
        """One record as a row of :meth:`fetch_page` (after an action changed it), or None."""
        return self.model.select().where(self.model.id == record_id).dicts().first()

    def sort_name(self, q: LedgerQuery, searching: bool | None = None) -> str | None:
        """The field the view is ordered by before ``id``; None means by id (search results: newest first)."""
        if q.sort:
            return q.sort
        if searching is None:
            plan = self._search_plan(q)
            searching = plan is not None and plan[0] is not None
        if searching or self.default_sort == "id":
            return None
        return self.default_sort

    def page_key(self, q: LedgerQuery, row: dict) -> tuple:
        name = self.sort_name(q)
        if name is None:
            return (row["id"],)
        if self._number_ordered(name):
            return (*numbering.order_key(row[name]), row["id"])
        return (row[name], row["id"])

    def iter_rows(self, q: LedgerQuery, batch: int = 2000) -> Iterator[dict]:
        after = None
        while True:
            rows = self.fetch_page(q, after, batch)
            yield from rows
            if len(rows) < batch:
                return
            after = self.page_key(q, rows[-1])

    COUNT_CAP = 50_000  # searches matching more than this show "50000 条以上" instead of blocking to count

    def count(self, q: LedgerQuery) -> int:
        """Records in the view, voided excluded (they stay visible, greyed, but do not count).

        A search that matches more than COUNT_CAP rows returns COUNT_CAP + 1 (see ``count_text``).
        """
        m = self.model
        live = m.voided == False  # noqa: E712
        if not split_terms(q.search) and not q.status and not (q.date_from or q.date_to) and q.only_id is None:
            # all − voided: two index-only counts (partial index on voided rows) instead of a table scan
            total = m.select(pw.fn.COUNT(pw.SQL("*"))).scalar() or 0
            return total - (m.select(pw.fn.COUNT(pw.SQL("*"))).where(m.voided == True).scalar() or 0)  # noqa: E712
        query, _, _ = self.select(q, fields=[m.id])
        query = query.where(live)
        if split_terms(q.search):
            capped = query.limit(self.COUNT_CAP + 1)
            return m.select(pw.fn.COUNT(pw.SQL("*"))).from_(capped.alias("capped")).scalar() or 0
        return query.count()

    def count_text(self, n: int) -> str:
        return f"{self.COUNT_CAP} 条以上" if n > self.COUNT_CAP else f"{n} 条"

    # ---- writing (every change is audited)

    def _audit_value(self, name: str, value: Any) -> Any:
        if name in self.sensitive_fields and self.mask_for_audit and value:
            return self.mask_for_audit(name, value)
        return value

    def _reindex(self, rec: Any) -> None:
        if self.search is not None and self.search_parts is not None:
            full, short = self.search_parts(rec)
            self.search.put(rec.id, full, short)

    def _remember(self, data: dict) -> None:
        for f in self.history_fields:
            if isinstance(data.get(f), str):
                FieldHistory.remember(self.key, f, data[f])

    def clean(self, data: dict, record: Any = None) -> dict:
        return self.validate(dict(data), record) if self.validate else dict(data)

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        clean = self.clean(data)
        clean.update({k: v for k, v in data.items() if k not in clean and k in self.model._meta.fields})
        with db.atomic():
            rec = self.model.create(**clean)
            self._reindex(rec)
            self._remember(clean)
            AuditLog.write(self.key, rec.id, action, summary or f"新建 {self.describe(rec)}",
                           {k: [None, self._audit_value(k, v)] for k, v in clean.items()
                            if v not in (None, "")})
        return rec

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        if rec.voided:
            raise NeiqinError("该记录已作废，不能再修改")
        if validate:
            current = {k: v for k, v in rec.__data__.items() if k not in _BOOKKEEPING}
            clean = self.clean({**current, **data}, rec)
            # fields the validator does not own (internal notes, stamps) pass through as given
            clean.update({k: v for k, v in data.items() if k not in clean})
        else:
            clean = dict(data)
        changes = {}
        for k, v in clean.items():
            before = rec.__data__.get(k)
            if before != v:
                changes[k] = [self._audit_value(k, before), self._audit_value(k, v)]
                setattr(rec, k, v)
        if not changes:
            return rec
        with db.atomic():
            rec.updated_at = now()
            rec.save()
            self._reindex(rec)
            self._remember(clean)
            AuditLog.write(self.key, rec.id, action, summary or f"修改 {self.describe(rec)}", changes)
        return rec

    def void(self, rec: Any, reason: str) -> Any:
        reason = check_void(rec, reason)
        with db.atomic():
            rec.voided = True
            rec.void_reason = reason
            rec.voided_at = now()
            rec.updated_at = rec.voided_at
            rec.save()
            AuditLog.write(self.key, rec.id, "void", f"作废 {self.describe(rec)}：{reason}",
                           {"voided": [False, True], "void_reason": ["", reason]})
        return rec

    def find(self, record_id: int | None) -> Any:
        """The record with this id, or None."""
        return self.model.get_or_none(self.model.id == record_id) if record_id else None

    def get(self, record_id: int) -> Any:
        rec = self.find(record_id)
        if rec is None:
            raise NeiqinError(f"找不到记录 #{record_id}")
        return rec

    def rebuild_search(self) -> None:
        if self.search is None or self.search_parts is None:
            return
        with db.atomic():
            for fts in self.search.models:
                fts.delete().execute()
            batch = []
            for rec in self.model.select().order_by(self.model.id).iterator():
                full, short = self.search_parts(rec)
                batch.append((rec.id, full, short))
                if len(batch) >= 1000:
                    self.search.put_many(batch)
                    batch = []
            self.search.put_many(batch)


def check_void(rec: Any, reason: str) -> str:
    """The trimmed reason for voiding ``rec``; every ledger voids by the same rules."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("作废必须填写原因", "reason")
    if len(reason) > 500:
        raise ValidationError("作废原因不能超过 500 字", "reason")
    if rec.voided:
        raise NeiqinError("该记录已经作废")
    return reason


_BOOKKEEPING = {"id", "created_at", "updated_at", "voided", "void_reason", "voided_at"}

# The ledgers registered so far: a ledger module registers its own when it is first imported. For every ledger
# use all_ledgers() (or get_ledger), which imports the ones not yet loaded.
LEDGERS: dict[str, LedgerSpec] = {}


def register_ledger(spec: LedgerSpec) -> LedgerSpec:
    LEDGERS[spec.key] = spec
    declare_index(spec.model, voided_index(spec.model))  # count() takes all − voided through it
    return spec


def sort_registry(module_rank: dict[str, int]) -> None:
    """Put ``LEDGERS`` in a fixed order (by defining module, then as registered), whichever ledger was used
    first."""
    specs = list(LEDGERS.values())
    specs.sort(key=lambda s: module_rank.get(s.model.__module__, len(module_rank)))
    LEDGERS.clear()
    LEDGERS.update((s.key, s) for s in specs)


def all_ledgers() -> dict[str, LedgerSpec]:
    """Every ledger of the application (importing the ledger modules not loaded yet)."""
    from neiqin.models import load_all

    load_all()
    return LEDGERS


def get_ledger(key: str) -> LedgerSpec:
    if key not in LEDGERS:
        all_ledgers()
    try:
        return LEDGERS[key]
    except KeyError:
        raise NeiqinError(f"没有名为“{key}”的台账（可用：{'、'.join(LEDGERS)}）") from None


# ---------------------------------------------------------------------------------------------- field checks


def text_field(data: dict, errors: dict, key: str, label: str, *, required: bool = False,
               max_len: int = 200) -> str:
    """Trim a free-text value and record a Chinese message if it is missing or too long."""
    v = data.get(key)
    v = "" if v is None else str(v).strip()
    if required and not v:
        errors.setdefault(key, f"请填写{label}")
    elif len(v) > max_len:
        errors.setdefault(key, f"{label}不能超过 {max_len} 字（现有 {len(v)} 字）")
    elif any(ord(c) < 32 and c not in "\t\n" for c in v):
        errors.setdefault(key, f"{label}含有不可见的控制字符")
    return v
