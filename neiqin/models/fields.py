"""One declaration per ledger field. No Qt.

A :class:`Field` says once what a ledger field is — its label, kind, length, choices, whether it is required — and
from that one declaration come:

- the **database column** (:meth:`Fields.table` adds the peewee fields to the model class),
- **normalisation and validation** (:meth:`Fields.clean`): trimmed spaces, full-width digits and letters made
  half-width (a scanner or a Chinese input method types them), lengths, phone numbers, 居民身份证, plates, dates and
  times, whole numbers in range, choices, and the 办公用品 amounts (``qty``, ``money``, ``price``: integers of
  thousandths, 分 and 1/10000 元, read by :mod:`neiqin.models.supplies.amounts`) — each problem one Chinese sentence
  at the field,
- the **form widget** (:meth:`Fields.form`: a Qt-free :class:`FormField` that ``neiqin.ui.forms`` turns into a widget),
- the **table, printed register and Excel column** (:meth:`Fields.columns`: a :class:`~neiqin.models.ledger.Column`
  with title, width, alignment, display mask, and the Excel header with the aliases an import accepts).

A ledger's own rules across fields (a visitor who left must have arrived) stay in its ``validate`` function, which
starts from :meth:`Fields.clean`. Ledgers with a special form (the minutes editor, the stocktake sheet, the desks)
keep their form and take labels, lengths and checks from the same declaration.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import peewee as pw

from neiqin.models.ledger import Column
from neiqin.models.validators import (
    has_emoji,
    normalize_phone,
    parse_day,
    parse_int,
    validate_phone,
    validate_resident_id,
)

KINDS = ("text", "multiline", "choice", "date", "datetime", "time", "int", "phone", "resident_id", "plate", "code",
         "bool", "staff",  # staff: a person picked from 通讯录 (the model declares its link; the ledger resolves it)
         "qty", "money", "price")  # 办公用品 amounts, stored as integers (neiqin.models.supplies.amounts)
# amounts: stored as integers of these units; the largest value a clerk may type unless the field says ``hi``
AMOUNT_KINDS = {"qty": 1_000_000, "money": 100_000_000, "price": 10_000_000}
_NUMBER_KINDS = ("int", *AMOUNT_KINDS)
_DEFAULT_MAX = {"text": 200, "multiline": 1000, "choice": 40, "phone": 40, "resident_id": 40, "plate": 20,
                "code": 40}
_FULL_WIDTH_ALNUM = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                     for c in range(r[0], r[1] + 1)}
_FULL_WIDTH_CODE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}  # codes: punctuation too
PLATE_RE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fff]?$")
_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})$")


class Stored(int):
    """An amount already in its stored unit (thousandths, 分, 1/10000 元): cleaning it again leaves it as it is.
    An Excel import checks every row first and saves the checked rows afterwards; without this, 12 盒 checked
    (12000) would be read as 12000 盒 when saved."""

    __slots__ = ()


def half_width(text: str) -> str:
    """Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) as half-width; Chinese punctuation is left alone."""
    return text.translate(_FULL_WIDTH_ALNUM)


def half_width_code(text: str) -> str:
    """A code typed through a Chinese input method or a scanner: every full-width ASCII character half-width."""
    return text.translate(_FULL_WIDTH_CODE)


@dataclass(frozen=True)
class FormField:
    """A form field as the record form shows it (no Qt here; ``neiqin.ui.forms`` makes the widget)."""

    key: str
    label: str
    kind: str = "text"  # text, multiline, combo, editable_combo, date, datetime, time, int, staff, check
    required: bool = False
    choices: list[str] = field(default_factory=list)
    history: tuple[str, str] | None = None  # (ledger, field) for autocomplete from earlier entries
    placeholder: str = ""
    max_len: int = 0
    minimum: int = 0
    maximum: int = 9999
    error_keys: tuple[str, ...] = ()  # model fields whose errors are shown at this field (host_name -> host)


@dataclass(frozen=True, eq=False)  # compared by identity: cheaper to define (start-up), never compared by value
class Field:
    """One ledger field: see the module docstring for what it drives."""

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    max_len: int = 0  # 0: the kind's default (text 200, multiline 1000 …)
    choices: tuple[str, ...] = ()
    open_choices: bool = False  # the choices are suggestions: other text is accepted (an editable combo box)
    pattern: str = ""  # a regular expression the whole cleaned text must match (postcode, e-mail …)
    pattern_message: str = ""  # said at the field when it does not
    lo: int = 0  # whole numbers: the range; qty: lo=1 refuses 0 (a movement), lo=0 accepts it (安全库存)
    hi: int | None = None  # None: the kind's own (int 9999; qty, money, price: AMOUNT_KINDS)
    unit_key: str = "unit"  # qty: the row's key holding the unit the quantity is counted in (盒, 支, 米 …)
    default: Any = None  # what an empty value becomes (None: "" for text kinds, NULL otherwise)
    # the database column
    stored: bool = True  # False: a computed column (shown, printed, exported), not a database column
    index: bool = False
    unique: bool = False  # a unique index (an item's 编码)
    # the table, printed register and Excel column
    header: str = ""  # when the column is titled otherwise than the form (到达 for 到达时间)
    width: int = 10  # characters
    align: str = ""  # "" = by kind (numbers right, short codes centred, text left)
    sortable: bool = False
    aliases: tuple[str, ...] = ()  # other Excel headers an import accepts (身份证号 for 证件号码)
    mask: Callable[[Any], str] | None = None  # sensitive values shown masked (the form shows them whole)
    importable: bool = True
    value: Callable[[dict], Any] | None = None  # a computed column reads the row itself
    number_order: bool = False
    # the form
    placeholder: str = ""
    in_form: bool = True  # False: set by the ledger (a status, a computed column), not typed in the form
    history: bool = False  # autocomplete from the values typed before (FieldHistory)
    error_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown field kind {self.kind!r} (one of {', '.join(KINDS)})")

    # ---- database

    @property
    def limit(self) -> int:
        return self.max_len or _DEFAULT_MAX.get(self.kind, 0)

    @property
    def top(self) -> int:
        """The largest value (int: 9999 unless declared; amounts in units of 1, 元)."""
        return self.hi if self.hi is not None else AMOUNT_KINDS.get(self.kind, 9999)

    def db_field(self) -> pw.Field:
        """The peewee field of this ledger field."""
        k, idx = self.kind, self.index
        if self.unique:
            return pw.CharField(max_length=self.limit, unique=True)
        if k == "staff":
            raise TypeError(f"{self.key}: a staff link is declared by the model (a foreign key), stored=False here")
        if k == "multiline":
            return pw.TextField(default=self.default or "", index=idx)
        if k in ("text", "choice", "phone", "resident_id", "plate", "code"):
            default = self.default if self.default is not None else ""
            return pw.CharField(max_length=self.limit, default=default, index=idx)
        if k == "date":
            return pw.DateField(null=not self.required, index=idx)
        if k in ("datetime", "time"):  # a time of day is stored with its date (到达 14:30 on the visit's day)
            return pw.DateTimeField(null=not self.required, index=idx)
        if k == "int":
            return pw.IntegerField(default=self.default if self.default is not None else self.lo, index=idx)
        if k in AMOUNT_KINDS:  # thousandths of a unit, 分, 1/10000 元
            return pw.IntegerField(default=self.default or 0, index=idx)
        return pw.BooleanField(default=bool(self.default), index=idx)

    # ---- normalisation and validation

    def clean(self, value: Any, errors: dict[str, str], *, at: str = "", unit: str | None = None) -> Any:
        """``value`` normalised for storing; a problem goes into ``errors[key]`` (or ``errors[at]``: a line of a
        slip, ``qty.2``) as one Chinese sentence. ``unit``: what a quantity is counted in (whole 盒 refuse 2.5)."""
        k, label, key = self.kind, self.label, self.key
        if k in AMOUNT_KINDS:
            return self._clean_amount(value, errors, at or key, unit or "")
        if k == "staff":
            if self.required and value in (None, "", {}):
                errors.setdefault(key, f"请填写{label}")
            return value
        if k in ("date", "datetime", "time", "int", "bool"):
            return self._clean_typed(value, errors)
        text = "" if value is None else str(value)
        text = half_width_code(text) if k in ("code", "plate", "resident_id") else half_width(text)
        text = text.replace("\u3000", " ").strip()
        if k in ("code", "resident_id"):
            text = text.replace(" ", "").upper()
        elif k == "plate":
            text = text.replace(" ", "").replace("·", "").replace("-", "").upper()
        elif k == "phone" and text:
            text = normalize_phone(text)
        if not text:
            if self.required:
                errors.setdefault(key, f"请填写{label}" if k != "choice" else f"请选择{label}")
            return self.default if self.default is not None else ""
        if len(text) > self.limit:
            errors.setdefault(key, f"{label}不能超过 {self.limit} 字（现有 {len(text)} 字）")
        elif any(ord(c) < 32 and c not in "\t\n" for c in text) or (k != "multiline" and "\n" in text):
            errors.setdefault(key, f"{label}含有不可见的控制字符" if k == "multiline" or "\n" not in text
                              else f"{label}不能换行")
        elif has_emoji(text):
            errors.setdefault(key, f"{label}不能包含表情符号（打印和导出时无法显示）")
        elif k == "choice" and not self.open_choices and text not in self.choices:
            errors.setdefault(key, f"{label}应为：{'、'.join(self.choices)}")
        elif k == "phone":
            msg = validate_phone(text)
            if msg:
                errors.setdefault(key, f"{label}：{msg}")
        elif k == "resident_id":
            msg = validate_resident_id(text)
            if msg:
                errors.setdefault(key, msg)
        elif k == "plate" and not PLATE_RE.match(text):
            errors.setdefault(key, f"{label}格式不正确，例如 京A12345")
        elif self.pattern and not re.fullmatch(self.pattern, text):
            errors.setdefault(key, self.pattern_message or f"{label}格式不正确")
        return text

    def _clean_typed(self, value: Any, errors: dict[str, str]) -> Any:
        k, label, key = self.kind, self.label, self.key
        if isinstance(value, str):  # digits and separators typed full-width: ２０２６／１２／０９, １４：３０
            value = half_width_code(value).strip()
        if k == "bool":
            return value in (True, 1, "1", "是", "true", "True", "√", "✓")
        if k == "int":
            if value in (None, "") and self.default is None and not self.required:
                return self.lo
            return parse_int(value, label, key, errors, self.lo, self.top, self.default, between=True)
        if k == "date":
            if isinstance(value, str) and "年" in value:  # 2026年12月9日
                value = value.replace("年", "-").replace("月", "-").removesuffix("日")
            return parse_day(value, label, key, errors, required=self.required, default=self.default)
        if value in (None, ""):
            if self.required:
                errors.setdefault(key, f"请填写{label}")
            return self.default
        if k == "time":
            if isinstance(value, dt.datetime):
                return value.replace(second=0, microsecond=0)
            if isinstance(value, dt.time):
                return value.replace(second=0, microsecond=0)
            m = _TIME_RE.match(str(value))
            if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
                return dt.time(int(m.group(1)), int(m.group(2)))
            errors.setdefault(key, f"{label}格式应为 时:分，例如 14:30")
            return None
        if isinstance(value, dt.datetime):
            return value.replace(microsecond=0, tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(0, 0))
        try:
            return dt.datetime.fromisoformat(str(value).replace("/", "-")).replace(microsecond=0)
        except ValueError:
            errors.setdefault(key, f"{label}格式应为 YYYY-MM-DD HH:MM")
            return None

    def _clean_amount(self, value: Any, errors: dict[str, str], key: str, unit: str) -> Any:
        """A quantity, sum of money or unit price as its stored integer: １２.５, ¥12.50, 12元, 3盒 and 1,200 are
        read as numbers (neiqin.models.supplies.amounts parses); empty is the default (money, price: None)."""
        from decimal import Decimal

        from neiqin.models.supplies import amounts

        if isinstance(value, Stored):
            return value
        if isinstance(value, str):
            value = half_width_code(value).replace("\u3000", " ").strip()
            if self.kind == "qty" and unit and value.endswith(unit):
                value = value.removesuffix(unit).strip()
        label, before = self.label, len(errors)
        if self.kind == "qty":
            if value in (None, "") and not self.required:
                return self.default or 0
            out = amounts.parse_qty(value, unit, errors, key, label, allow_zero=self.lo <= 0, required=self.required)
            typed, top = amounts.dec_qty(out), self.top
        else:
            parse = amounts.parse_money if self.kind == "money" else amounts.parse_price
            out = parse(value, errors, key, label, required=self.required)
            if out is None:
                return self.default
            typed, top = (amounts.dec_money if self.kind == "money" else amounts.dec_price)(out), self.top
        if len(errors) == before and typed > Decimal(top):
            errors.setdefault(key, f"{label}不能超过 {top:,}")
        return Stored(out)

    def text(self, value: Any, row: dict | None = None) -> str:
        """A stored value as the clerk reads it: a quantity with its unit (3 盒), money as 1,234.50, a price."""
        from neiqin.models.supplies import amounts

        if self.kind == "qty":
            return amounts.qty_text(value, (row or {}).get(self.unit_key, ""))
        if self.kind == "money":
            return "" if value is None else amounts.money_text(value)
        if self.kind == "price":
            return "" if value is None else amounts.price_text(value)
        return "" if value is None else str(value)

    # ---- table, print, Excel

    def column(self, **overrides: Any) -> Column:
        kind = {"date": "date", "datetime": "datetime", "time": "time", "int": "int", "bool": "bool", "qty": "int",
                "money": "int", "price": "int"}.get(self.kind, "text")
        align = self.align or ("right" if self.kind in _NUMBER_KINDS else "left")
        aliases = self.aliases
        if self.header and self.header != self.label and self.label not in aliases:
            aliases = (*aliases, self.label)  # an Excel sheet may title the column as the form does
        value, fmt = self.value, ""
        if self.kind in AMOUNT_KINDS:  # shown, printed and exported as a number (Decimal): 2.5, 12.50, 0.355
            fmt = "number" if self.kind == "qty" else "amount"
            if value is None:
                value = _amount_value(self.kind, self.key)
        col = Column(self.key, self.header or self.label, self.width, kind=kind, mask=self.mask,
                     sortable=self.sortable, aliases=aliases, importable=self.importable, align=align,
                     value=value, number_order=self.number_order, fmt=fmt)
        return replace(col, **overrides) if overrides else col

    # ---- form

    def form(self, ledger: str = "", **overrides: Any) -> FormField:
        kind = {"multiline": "multiline", "date": "date", "datetime": "datetime", "time": "time", "int": "int",
                "bool": "check", "staff": "staff"}.get(self.kind, "text")  # amounts are typed as text: ¥12.50
        if self.kind == "choice":
            kind = "editable_combo" if self.open_choices else "combo"
        values = dict(key=self.key, label=self.label, kind=kind, required=self.required,
                      choices=list(self.choices), history=(ledger, self.key) if self.history and ledger else None,
                      placeholder=self.placeholder, max_len=self.limit if kind == "text" else 0,
                      minimum=self.lo, maximum=self.top, error_keys=self.error_keys)
        values.update(overrides)
        return FormField(**values)


def _amount_value(kind: str, key: str) -> Callable[[dict], Any]:
    """The column value of a stored amount: a Decimal (a real number in Excel), blank when the row has none."""
    from neiqin.models.supplies import amounts

    dec = {"qty": amounts.dec_qty, "money": amounts.dec_money, "price": amounts.dec_price}[kind]
    return lambda row: "" if row.get(key) is None else dec(row.get(key))


class Fields:
    """A ledger's fields, in form order."""

    def __init__(self, ledger: str, *fields: Field):
        self.ledger = ledger
        self._by_key = {f.key: f for f in fields}
        if len(self._by_key) != len(fields):
            raise ValueError(f"{ledger}: a field key is declared twice")

    def __iter__(self) -> Iterator[Field]:
        return iter(self._by_key.values())

    def __getitem__(self, key: str) -> Field:
        return self._by_key[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def pick(self, *keys: str, **overrides: dict[str, Any]) -> Fields:
        """Some of these fields as the declaration of one slip or dialog (入库单, 领用单 …): the same lengths,
        kinds and checks, with the slip's own labels (``qty={"label": "领用数量"}``) and requirements."""
        return Fields(self.ledger, *(replace(self[k], **overrides[k]) if k in overrides else self[k] for k in keys))

    def table(self, model: type[pw.Model] | None = None, /, *, order: Sequence[str] = ()) -> Any:
        """Class decorator: add the stored fields' database columns to the model (those it does not declare).

        ``@FIELDS.table(order=(...))``: the model's own columns (declared here or in the class body) in the order
        the existing table has them, so that converting a ledger leaves a new file's CREATE TABLE byte for byte
        as it was (a migrated file and a new one must agree, tests/test_numbering.py)."""
        if model is None:
            return lambda m: self.table(m, order=order)
        meta = model._meta
        for f in self:
            if f.stored and f.key not in meta.fields:
                meta.add_field(f.key, f.db_field())
        if order:
            parent = getattr(model.__mro__[1], "_meta", None)  # VoidableModel's bookkeeping comes first, as before
            own = [n for n in meta.fields if meta.fields[n].primary_key is False and n not in
                   (parent.fields if parent is not None else ())]
            if sorted(own) != sorted(order):
                raise ValueError(f"{self.ledger}: order must name each of the table's own columns once "
                                 f"(missing {sorted(set(own) - set(order))}, unknown {sorted(set(order) - set(own))})")
            for name in order:  # peewee orders columns by a creation counter: renumber ours after the inherited
                pw.Field._field_counter += 1
                col = meta.fields[name]
                col._order = pw.Field._field_counter
                col._sort_key = (2, col._order)
            meta._sorted_field_list = type(meta._sorted_field_list)()
            for col in meta.fields.values():
                meta._sorted_field_list.insert(col)
            meta._update_sorted_fields()
            del meta.table  # made again from the columns in their order
        return model

    def clean(self, data: dict, errors: dict[str, str], keys: Iterable[str] | None = None) -> dict:
        """Every stored field (or those in ``keys``) of ``data`` normalised and checked: ``{key: clean value}``."""
        chosen = [self[k] for k in keys] if keys is not None else [f for f in self if f.stored]
        return {f.key: f.clean(data.get(f.key), errors, unit=data.get(f.unit_key) if f.kind == "qty" else None)
                for f in chosen}

    def columns(self, *keys: str, **overrides: dict[str, Any]) -> list[Column]:
        """The columns of the table, the printed register and Excel, in the order given (default: every field)."""
        chosen = [self[k] for k in keys] if keys else list(self)
        return [f.column(**overrides.get(f.key, {})) for f in chosen]

    def form(self, *keys: str, **overrides: dict[str, Any]) -> list[FormField]:
        """The form's fields, in the order given (default: every field typed in the form); ``overrides`` per key
        change what one form shows (a label, a widget kind such as ``staff``, a placeholder)."""
        keys = keys or tuple(f.key for f in self if f.in_form and (f.stored or f.kind == "staff"))
        return [self[k].form(self.ledger, **overrides.get(k, {})) for k in keys]
