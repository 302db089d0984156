"""One numbering allocator for every numbered register: 收文号, 发文字号 and 顺序号, 送文簿封皮号, 用印 and 外借
编号, 入库/领用/退库/报损/盘点调整/成本调整单号, 盘点单号 — and any later ledger's.

* **An integer serial per series and period** is kept in the ``number_serial`` table (series ``seal_use``,
  period ``2026``: last 201). :meth:`Series.take` moves it on with one UPDATE inside the caller's write
  transaction (:func:`write_transaction`, ``BEGIN IMMEDIATE`` on SQLite), so a number and the record it numbers
  commit or roll back together: two desks — two connections, two processes — queue for the write lock and never
  share a number, and a save that fails leaves no gap. Printed numbers are never read back to find the next one
  (``MAX()`` over text gave every use after the 9,999th of a year the same number).
* **The printed form** comes from a pattern kept in 设置, e.g. ``印{year}-{n:04}``: ``{n}`` is the serial
  (``{n:04}`` pads it to four digits), ``{year}`` the year it runs in, ``{code}`` the 机关代字 of series numbered
  per code. :func:`check_pattern` refuses a bad pattern with a Chinese message at the setting. A number is stored
  as printed, so changing the pattern changes only later numbers.
* **Never reused.** A void keeps its record and its number, and the serial only grows. A number already in the
  register (typed by hand, imported, written by an older version) is skipped, and a unique index on every number
  column is the last guard.
* A **new year** is a new period: its serial starts at 1 (the period is the year of the record's own date, so a
  use backdated to last December continues last year's numbers).

A later ledger numbers its records with one declaration and one call (its number column declared
``unique=True``, so that a new database gets the index; its migration adds it to older files)::

    VISIT_NO = numbering.series("visit", "来访编号", "FK{year}-{n:05}", setting="visitor.number_pattern",
                                column=Visit.no)
    ...
    with numbering.write_transaction():
        visit = Visit.create(no=VISIT_NO.take(day.year).text, ...)

Not numbered here, on purpose: the 来访证号 is a physical badge card (F001 …) from a pool, handed back and handed
out again (:func:`neiqin.models.visitors.next_badge_no`), not a register number; and a visit gets no register
serial of its own — the 来访登记簿 has no 编号 column, nothing cites a visit by number, and appointments that never
come would leave holes that look like missing records. An office that wants a 访客单号 adds one series and one
call, as above. 物品编码 (BG0001) is master data the clerk may type, not a register number.

No Qt here. The ledger modules import this module while the models package is still loading, so the database
handle and the settings are looked up when first needed, not at import.
"""

from __future__ import annotations

import json
import logging
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import peewee as pw

from neiqin import clock
from neiqin.errors import ValidationError

log = logging.getLogger(__name__)

SERIAL, YEAR, CODE = "n", "year", "code"
FIELD_LABELS = {SERIAL: "序号", YEAR: "年份", CODE: "机关代字"}
_SERIAL_SPEC = re.compile(r"^(?:0[1-9])?d?$")  # {n}, {n:d}, {n:04}, {n:04d}
_DIGITS = "0123456789"


_proxy: Any = None


def _db() -> Any:
    global _proxy
    if _proxy is None:
        from neiqin.models.base import db

        _proxy = db
    return _proxy


def _settings() -> Any:
    from neiqin.models import settings

    return settings


# ---------------------------------------------------------------------------------------------- transactions


def write_transaction() -> Any:
    """The transaction every numbered write runs in: ``BEGIN IMMEDIATE`` at the outer level, a savepoint inside.

    Taking the write lock first means a second desk waits (``busy_timeout``) instead of reading the same serial
    and failing at commit. An outer transaction that takes numbers must itself be opened here.
    """
    db = _db()
    return db.atomic("IMMEDIATE") if db.transaction_depth() == 0 else db.atomic()


def _bump(series: str, period: str, by: int) -> int:
    """Move the serial of (series, period) on by ``by`` and return the new last value."""
    db = _db()
    if db.transaction_depth() == 0:
        raise RuntimeError("a number is taken inside numbering.write_transaction(), with the record it numbers")
    rows = db.execute_sql(
        "INSERT INTO number_serial (series, period, last) VALUES (?, ?, ?) "
        "ON CONFLICT (series, period) DO UPDATE SET last = last + excluded.last RETURNING last",
        (series, period, by)).fetchall()
    return rows[0][0]


def _raise_to(series: str, period: str, n: int) -> None:
    _db().execute_sql(
        "INSERT INTO number_serial (series, period, last) VALUES (?, ?, ?) "
        "ON CONFLICT (series, period) DO UPDATE SET last = MAX(last, excluded.last)", (series, period, n))


def _last(series: str, period: str) -> int:
    row = _db().execute_sql("SELECT last FROM number_serial WHERE series = ? AND period = ?",
                            (series, period)).fetchone()
    return row[0] if row else 0


# ---------------------------------------------------------------------------------------------- patterns


def _known(allowed: Iterable[str]) -> str:
    return "、".join(f"{{{f}}} {FIELD_LABELS[f]}" for f in allowed)


def check_pattern(pattern: Any, *, fields: tuple[str, ...] = (SERIAL, YEAR), max_len: int | None = None,
                  key: str = "pattern", sample_code: str = "公司发") -> str:
    """The pattern as it will be kept (trimmed); a bad one raises ValidationError at ``key`` in Chinese.

    Every field in ``fields`` must appear (``{n}`` always; ``{year}`` where the serial restarts each year, or the
    new year's numbers would repeat last year's; ``{code}`` where each code counts on its own), and nothing else.
    """

    def bad(message: str) -> None:
        raise ValidationError({key: message})

    text = str(pattern if pattern is not None else "").strip()
    if not text:
        bad("请填写编号格式，例如 印{year}-{n:04}")
    if any(c in text for c in "\r\n\t"):
        bad("编号格式不能含有换行或制表符")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        bad("编号格式里的大括号不成对：字段写成 {n}、{year} 这样；要印出大括号本身，请连写两个 {{ 或 }}")
    seen: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name == "" or name.isdigit():
            bad(f"编号格式里的 {{{name}}} 没有写字段名；可用的字段：{_known(fields)}")
        if name not in fields:
            bad(f"编号格式里的 {{{name}}} 不认识；可用的字段：{_known(fields)}")
        if conversion:
            bad(f"编号格式里的 {{{name}!{conversion}}} 写法不支持，请写成 {{{name}}}")
        if name == SERIAL and not _SERIAL_SPEC.match(spec or ""):
            bad(f"序号写成“{{n:{spec}}}”不对：写 {{n}} 不补零，写 {{n:04}} 补足 4 位")
        if name != SERIAL and spec:
            bad(f"“{{{name}:{spec}}}”不能加格式，请写成 {{{name}}}")
        if name in seen:
            bad(f"{{{name}}} 在编号格式里只能出现一次")
        seen.append(name)
    if SERIAL not in seen:
        bad("编号格式必须含有序号 {n}（写 {n:04} 补足 4 位），否则每个编号都一样")
    if YEAR in fields and YEAR not in seen:
        bad("编号格式必须含有年份 {year}：序号每年从 1 重新开始，不写年份，新一年的编号会与往年的重复")
    if CODE in fields and CODE not in seen:
        bad("编号格式必须含有机关代字 {code}：每个代字单独编号，不写代字，不同代字的编号会重复")
    if max_len is not None:
        sample = text.format(n=99999, year=2026, code=sample_code)
        if len(sample) > max_len:
            bad(f"按这个格式，编号会长达 {len(sample)} 个字（如“{sample}”），超过了 {max_len} 个字的上限")
    return text


@lru_cache(maxsize=256)
def _checked(pattern: Any, fields: tuple[str, ...], max_len: int | None, key: str) -> str:
    """check_pattern, remembered: a number's pattern is checked each time one is taken."""
    return check_pattern(pattern, fields=fields, max_len=max_len, key=key)


@lru_cache(maxsize=64)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == SERIAL:
            out.append(r"(?P<n>\d+)")
        elif name == YEAR:
            out.append(r"(?P<year>\d{4})")
        elif name == CODE:
            out.append(r"(?P<code>.+?)")
    return re.compile("".join(out))


def parse_number(text: str, pattern: str) -> tuple[int | None, int, str] | None:
    """(year, serial, code) of a number printed with ``pattern``, or None if it is not in that form."""
    m = _pattern_regex(pattern).fullmatch((text or "").strip())
    if not m:
        return None
    d = m.groupdict()
    return (int(d["year"]) if d.get("year") else None), int(d["n"]), d.get("code") or ""


# ---------------------------------------------------------------------------------------------- series


@dataclass(frozen=True)
class Number:
    serial: int
    text: str
    year: int | None = None
    code: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class Series:
    """One numbered series: its serials, its pattern (fixed, or kept in 设置) and the register it numbers.

    ``column`` is the field holding the printed number: a number already there is skipped. ``taken_sql``
    replaces that check where the register also keeps the serial in its own columns; it is a query with the
    parameters ``:text``, ``:n``, ``:year`` and ``:code`` that returns a row when the number is in use. (Plain
    SQL: the check runs once per number taken, and a peewee query costs ten times more to build than to run.)
    """

    key: str  # series name in number_serial; never changes once numbers exist
    label: str  # what the clerk calls it: 用印编号
    default: str  # the pattern until the clerk sets another
    setting: str | None = None  # settings key of the pattern; None = fixed
    column: Any = None
    yearly: bool = True
    per_code: bool = False
    max_len: int | None = None
    taken_sql: str | None = None
    codes: Callable[[], list[str]] | None = None  # the codes in use (per-code series), for 设置's example
    _by_column: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.taken_sql is None and self.column is not None:
            self._by_column = True
            self.taken_sql = (f'SELECT 1 FROM "{self.column.model._meta.table_name}" '
                              f'WHERE "{self.column.column_name}" = :text LIMIT 1')

    @property
    def fields(self) -> tuple[str, ...]:
        return (SERIAL, *((YEAR,) if self.yearly else ()), *((CODE,) if self.per_code else ()))

    def check(self, pattern: Any) -> str:
        """``pattern`` trimmed, or ValidationError at this series' setting."""
        if not isinstance(pattern, str):
            return check_pattern(pattern, fields=self.fields, max_len=self.max_len, key=self.setting or self.key)
        return _checked(pattern, self.fields, self.max_len, self.setting or self.key)

    def pattern(self) -> str:
        if self.setting is None:
            return self.default
        row = _db().execute_sql('SELECT value FROM "setting" WHERE key = ?', (self.setting,)).fetchone()
        value = json.loads(row[0]) if row else self.default
        try:
            return self.check(value)
        except ValidationError as e:  # written before patterns were checked, or by hand: numbers must go on
            log.warning("%s: pattern %r refused (%s); using %r", self.key, value, e, self.default)
            return self.default

    def format(self, n: int, year: int | None = None, code: str = "", pattern: str | None = None) -> str:
        return (pattern or self.pattern()).format(n=n, year=year, code=code)

    def parse(self, text: str, pattern: str | None = None) -> tuple[int | None, int, str] | None:
        """(year, serial, code) of a number in the current pattern (or ``pattern``), or None."""
        return parse_number(text, pattern or self.pattern())

    def _slot(self, year: int | None, code: str) -> tuple[str, str, int | None]:
        if self.per_code and not code:
            raise ValueError(f"series {self.key} is numbered per code: give the code")
        if self.yearly:
            year = year if year is not None else clock.today().year
        else:
            year = None
        return (f"{self.key}:{code}" if self.per_code else self.key), (str(year) if self.yearly else ""), year

    def _is_taken(self, text: str, n: int, year: int | None, code: str) -> bool:
        if self.taken_sql is None:
            return False
        params = {"text": text, "n": n, "year": year, "code": code}
        return _db().execute_sql(self.taken_sql, params).fetchone() is not None

    def take(self, year: int | None = None, *, code: str = "") -> Number:
        """The next number of ``year`` (default: this year by the clock), inside :func:`write_transaction`."""
        key, period, year = self._slot(year, code)
        pattern = self.pattern()
        while True:
            n = _bump(key, period, 1)
            text = self.format(n, year, code, pattern)
            if not self._is_taken(text, n, year, code):
                return Number(n, text, year, code)
            log.warning("%s: %s is already in the register (typed by hand or imported); skipped", self.key, text)

    def take_many(self, count: int, year: int | None = None, *, code: str = "") -> list[Number]:
        """``count`` consecutive numbers at once (bulk writes), in order."""
        if count <= 0:
            return []
        key, period, year = self._slot(year, code)
        pattern = self.pattern()
        last = _bump(key, period, count)
        numbers = [Number(n, self.format(n, year, code, pattern), year, code)
                   for n in range(last - count + 1, last + 1)]
        clash = self._taken_among(numbers)
        if not clash:
            return numbers
        kept = [x for x in numbers if x.text not in clash]
        while len(kept) < count:
            kept.append(self.take(year, code=code))
        return kept

    def _taken_among(self, numbers: list[Number]) -> set[str]:
        if self.taken_sql is None:
            return set()
        if not self._by_column:
            return {x.text for x in numbers if self._is_taken(x.text, x.serial, x.year, x.code)}
        found: set[str] = set()
        texts = [x.text for x in numbers]
        for i in range(0, len(texts), 500):  # one query per 500 numbers instead of one each
            q = self.column.model.select(self.column).where(self.column.in_(texts[i:i + 500])).tuples()
            found.update(t for (t,) in q)
        return found

    def peek(self, year: int | None = None, *, code: str = "", pattern: str | None = None) -> Number:
        """The number the next :meth:`take` will give (for a form's hint; nothing is written)."""
        key, period, year = self._slot(year, code)
        pattern = pattern or self.pattern()
        n = _last(key, period) + 1
        while self._is_taken(text := self.format(n, year, code, pattern), n, year, code):
            n += 1
        return Number(n, text, year, code)

    def example(self, pattern: str | None = None) -> str:
        """The next number of this year as ``pattern`` would print it (设置 shows it beside the pattern)."""
        code = next(iter(self.codes() if self.codes else []), "") or ("公司发" if self.per_code else "")
        return self.peek(code=code, pattern=pattern).text

    def last(self, year: int | None = None, *, code: str = "") -> int:
        key, period, _ = self._slot(year, code)
        return _last(key, period)

    def claim(self, n: int, year: int | None = None, *, code: str = "") -> None:
        """A number given from outside (an imported register keeps its own): later ones continue after it."""
        key, period, _ = self._slot(year, code)
        if _db().transaction_depth() == 0:
            raise RuntimeError("a number is claimed inside numbering.write_transaction()")
        _raise_to(key, period, n)


SERIES: dict[str, Series] = {}


def series(key: str, label: str, default: str, *, setting: str | None = None, column: Any = None,
           yearly: bool = True, per_code: bool = False, max_len: int | None = None,
           taken_sql: str | None = None, codes: Callable[[], list[str]] | None = None) -> Series:
    """Declare a numbered series (at import of its ledger module); its pattern setting is registered in 设置."""
    if column is not None and max_len is None:
        max_len = getattr(column, "max_length", None)
    s = Series(key, label, default, setting, column, yearly, per_code, max_len, taken_sql, codes)
    SERIES[key] = s
    if setting is not None:
        s.check(default)
        _settings().register({setting: default}, {setting: f"{label}格式"}, {setting: s.check})
    return s


def configurable() -> list[Series]:
    """The series whose printed form the clerk may set, in declaration order (every ledger's: each declares its
    series when its module is first imported, so they are all imported here)."""
    from neiqin.models import load_all

    load_all()
    return [s for s in SERIES.values() if s.setting is not None]


# ---------------------------------------------------------------------------------------------- order


def order_key(text: str) -> tuple[str, int, str]:
    """Numbers in numeric order: by the text before the trailing digits, then by length (印2026-9999 before
    印2026-10000), then as text. :func:`order_by` is the same order in SQL."""
    text = text or ""
    return text.rstrip(_DIGITS), len(text), text


def order_by(column: Any) -> list[Any]:
    # the digits as a literal, not a parameter: only then can SQLite walk the index of :func:`order_index`
    return [pw.fn.rtrim(column, pw.SQL(f"'{_DIGITS}'")), pw.fn.length(column), column]


def order_index(column: Any) -> Any:
    """The index that keeps a register sorted by number fast (``Model.add_index(order_index(Model.no))``)."""
    model = column.model
    return model.index(*order_by(column), name=f"{model._meta.table_name}_{column.column_name}_order")


# ---------------------------------------------------------------------------------------------- schema 7
# Frozen as released in schema 7: what the registers looked like before this module, not what they look like now.

_V7_SERIAL_TABLE = ('CREATE TABLE IF NOT EXISTS "number_serial" ("series" VARCHAR(60) NOT NULL, '
                    '"period" VARCHAR(10) NOT NULL, "last" INTEGER NOT NULL, PRIMARY KEY ("series", "period")) '
                    'WITHOUT ROWID')
# printed numbers written by the code before schema 7: (series, table, column, regex with year and n)
_V7_PRINTED = [
    ("seal_use", "seal_use", "no", r"印(\d{4})-(\d+)"),
    ("seal_loan", "seal_loan", "no", r"借(\d{4})-(\d+)"),
    *[(f"stock_move.{p}", "stock_move", "no", p + r"(\d{4})-(\d+)") for p in ("RK", "LY", "TK", "BS", "PD", "TZ")],
    ("stocktake", "stocktake", "no", r"ST(\d{4})-(\d+)"),
]
# serials the registers keep in integer columns: (table, SQL giving series, period, last)
_V7_COLUMNS = [
    ("incoming_doc", "SELECT 'incoming', CAST(year AS TEXT), MAX(serial) FROM incoming_doc GROUP BY year"),
    ("outgoing_doc", "SELECT 'outgoing:' || code, CAST(year AS TEXT), MAX(serial) FROM outgoing_doc "
                     "WHERE manual_no = 0 AND serial IS NOT NULL AND code != '' GROUP BY code, year"),
    ("outgoing_doc", "SELECT 'outgoing_seq', CAST(year AS TEXT), MAX(seq) FROM outgoing_doc GROUP BY year"),
    ("doc_delivery", "SELECT 'envelope', CAST(year AS TEXT), MAX(envelope_no) FROM doc_delivery GROUP BY year"),
]
# the lines of one 出入库单 share its number: a slip is these columns alike
_V7_SLIP = ("kind", "move_date", "person", "department", "supplier", "invoice_no", "handler", "approver", "issuer")
# (table, ledger key, index name, columns, duplicate finder, index it makes redundant)
_V7_UNIQUE = [
    ("seal_use", "seal-uses", "seal_use_no", ("no",), None, None),
    ("seal_loan", "seal-loans", "seal_loan_no", ("no",), None, None),
    ("incoming_doc", "incoming", "incoming_doc_no", ("no",), None, None),
    ("stock_move", "stock-moves", "stock_move_no_line", ("no", "line"),
     "SELECT no FROM stock_move GROUP BY no HAVING COUNT(DISTINCT " + " || char(31) || ".join(_V7_SLIP) + ") > 1",
     "stock_move_no"),
]
# registers sorted by 编号 in numeric order (印2026-9999 before 印2026-10000), through an index on that order
_V7_ORDER = [(t, f'CREATE INDEX IF NOT EXISTS "{t}_no_order" ON "{t}" (rtrim("no", \'0123456789\'), length("no"), "no")')
             for t in ("seal_use", "seal_loan", "stock_move")]


def _tables(database: pw.Database) -> set[str]:
    return {r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}


def migrate_v7(database: pw.Database) -> list[str]:
    """Schema 7: the serial table seeded from the numbers already printed, and a unique index on every number.

    Numbering continues after the highest existing number of each series and year (印2026-0201 → 印2026-0202).
    Records are not touched, except that each line of a multi-line 出入库单 gets its line number in the new
    ``stock_move.line`` column. A register that already holds the same number twice (the old ``MAX()`` over
    text repeated 印2026-10000) keeps every record as it is: its unique index is left out, and the log and the
    audit trail name the duplicates; the new serial continues after the highest of them, so no new duplicate
    can arise. Returns those warnings (Chinese). Safe to run twice.
    """
    database.execute_sql(_V7_SERIAL_TABLE)
    tables = _tables(database)
    seeds: dict[tuple[str, str], int] = {}
    for key, table, column, rx in _V7_PRINTED:
        if table not in tables:
            continue
        regex = re.compile(rx)
        for (text,) in database.execute_sql(f'SELECT DISTINCT "{column}" FROM "{table}"'):
            m = regex.fullmatch(text or "")
            if m:
                slot = (key, m[1])
                seeds[slot] = max(seeds.get(slot, 0), int(m[2]))
    for table, sql in _V7_COLUMNS:
        if table in tables:
            for key, period, last in database.execute_sql(sql):
                if last:
                    seeds[(key, period)] = max(seeds.get((key, period), 0), int(last))
    for (key, period), last in sorted(seeds.items()):
        database.execute_sql("INSERT INTO number_serial (series, period, last) VALUES (?, ?, ?) ON CONFLICT "
                             "(series, period) DO UPDATE SET last = MAX(last, excluded.last)", (key, period, last))

    if "stock_move" in tables:
        columns = {r[1] for r in database.execute_sql('PRAGMA table_info("stock_move")')}
        if "line" not in columns:
            database.execute_sql('ALTER TABLE "stock_move" ADD COLUMN "line" INTEGER NOT NULL DEFAULT 1')
            database.execute_sql(
                'UPDATE "stock_move" SET line = (SELECT COUNT(*) FROM "stock_move" AS s WHERE s.no = stock_move.no '
                "AND s.id <= stock_move.id) WHERE no IN (SELECT no FROM stock_move GROUP BY no HAVING COUNT(*) > 1)")

    warnings = []
    for table, ledger, name, cols, finder, redundant in _V7_UNIQUE:
        if table not in tables:
            continue
        group = ", ".join(f'"{c}"' for c in cols)
        sql = finder or f'SELECT "{cols[0]}" FROM "{table}" GROUP BY {group} HAVING COUNT(*) > 1'
        duplicates = [r[0] for r in database.execute_sql(sql)]
        if duplicates:
            shown = "、".join(duplicates[:20]) + (f" 等 {len(duplicates)} 个" if len(duplicates) > 20 else "")
            text = (f"数据库升级：以下编号原来就有重复，记录全部保留未改，该表暂不加唯一约束，"
                    f"新编号从最大号之后继续：{shown}")
            log.warning("%s: %d duplicate numbers, unique index %s left out: %s", table, len(duplicates), name,
                        duplicates[:20])
            from neiqin.models.base import AuditLog

            AuditLog.write(ledger, None, "migrate", text, {"duplicates": duplicates[:200]})
            warnings.append(text)
            continue
        unique = {r[1]: r[2] for r in database.execute_sql(f'PRAGMA index_list("{table}")')}
        if name in unique and not unique[name]:
            database.execute_sql(f'DROP INDEX "{name}"')
        database.execute_sql(f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}" ON "{table}" ({group})')
        if redundant and redundant in unique:
            database.execute_sql(f'DROP INDEX "{redundant}"')
    for table, ddl in _V7_ORDER:
        if table in tables:
            database.execute_sql(ddl)
    return warnings
