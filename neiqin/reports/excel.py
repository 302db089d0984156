"""Excel (.xlsx) export and import of a ledger, driven by its LedgerSpec columns.

Export streams rows through openpyxl's write-only workbook: headers in bold on a frozen first row, real dates,
masked personal data as masked text, and a 作废 / 作废原因 pair of columns at the end. Text that a spreadsheet
would take for a formula (= + - @, tab, CR) is stored as text with Excel's quote prefix, never as a formula.

Import is two steps, so the clerk sees every problem before anything is saved: :func:`read_import` reads and
validates the whole file into an :class:`ImportPreview`; :func:`apply_import` saves all rows in one
transaction or none.

Visitor rows imported (the rule lives in :func:`_adjust_visit`): a date after today, or a time written as the
register prints an expected time (约15:00), becomes an appointment (预约) — 未到 if its day has passed; today's
row with an arrival and no leave time is on site (在场); every other row is 已离开 — a past row without a leave
time gets leave = arrival and a note saying the time was missing. Rows without an arrival time fail
validation (到达时间 is required for a visit that took place). The watch list is not checked. Host names are
matched to the directory (通讯录) when exactly one active person has that name; otherwise kept as text.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

import peewee as pw
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.filters import AutoFilter

from neiqin import clock
from neiqin.errors import ImportFileError, NeiqinError, ValidationError
from neiqin.models import visitors
from neiqin.models.base import AuditLog
from neiqin.models.ledger import Column, LedgerQuery, LedgerSpec
from neiqin.models.staff import find_staff_by_name
from neiqin.models.validators import has_emoji
from neiqin.numbering import write_transaction
from neiqin.reports import Cancelled, atomic_output, total_rows

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]

VOID_HEADER, VOID_REASON_HEADER = "作废", "作废原因"
VOID_KEY = "__voided__"
APPROX, APPROX_KEY = "约", "__approx__"  # the register shows an appointment's expected time as 约15:00
CHECK_EVERY = 500
HEADER_SCAN_ROWS = 15
EXCEL_MAX_TEXT = 32767
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"

# Columns whose absence makes an import pointless; the rest are optional.
IMPORT_REQUIRED: dict[str, list[str]] = {"visitors": ["visit_date", "name", "host_name"], "staff": ["name"]}

_FORMULA_START = frozenset("=+-@\t\r")
_ERROR_CODES = frozenset(ERROR_CODES)


# ---------------------------------------------------------------------------------------------- export


def _text_cell_factory(ws: Any) -> Callable[[str], WriteOnlyCell]:
    def text_cell(s: str) -> WriteOnlyCell:
        """A cell that Excel and openpyxl read back as exactly this string, never as a formula or error."""
        if ILLEGAL_CHARACTERS_RE.search(s):
            s = ILLEGAL_CHARACTERS_RE.sub("", s)
        cell = WriteOnlyCell(ws, s[:EXCEL_MAX_TEXT])
        cell.data_type = "s"
        cell.quotePrefix = True  # typing over the cell in Excel keeps it text too
        return cell
    return text_cell


def _converter(col: Column, ws: Any, text_cell: Callable[[str], WriteOnlyCell]) -> Callable[[dict], Any]:
    """row → the value to append for one column; plain values wherever openpyxl gets them right by itself."""
    excel_value = col.excel_value
    if col.mask is None and col.kind in ("date", "int"):
        return excel_value  # dates get openpyxl's own yyyy-mm-dd
    if col.mask is None and col.kind == "datetime":
        def as_datetime(row: dict) -> Any:
            v = excel_value(row)
            if isinstance(v, dt.datetime):
                cell = WriteOnlyCell(ws)
                cell.number_format = DATETIME_FORMAT
                cell.value = v
                return cell
            return v
        return as_datetime

    illegal = ILLEGAL_CHARACTERS_RE.search  # control characters would make openpyxl raise mid-file

    def checked(v: Any) -> Any:
        if not v:
            return None  # an absent cell costs nothing to write and reads back as empty
        if v.__class__ is not str:
            return v
        if v[0] in _FORMULA_START or v in _ERROR_CODES or len(v) > EXCEL_MAX_TEXT or illegal(v):
            return text_cell(v)
        return v

    if col.mask is None and col.value is None and col.kind == "text":
        key = col.key  # the hot path: a stored string needs no formatting
        return lambda row: checked(v if (v := row.get(key)).__class__ is str or v is None else str(v))
    return lambda row: checked(excel_value(row))


def export_xlsx(spec: LedgerSpec, query: LedgerQuery, path: str | Path, *, org_name: str = "",
                progress: ProgressFn | None = None, cancelled: CancelFn | None = None,
                columns: Sequence[str] | None = None) -> int:
    """Write the rows of ``spec`` for ``query`` to an .xlsx file; return the number of rows written.

    ``columns`` limits the exported columns (keys). ``progress(done, total)`` counts rows; ``cancelled()``
    returning True stops with :class:`Cancelled` and leaves no file (and the old one, if any, untouched).
    """
    cols = [c for c in spec.columns if columns is None or c.key in columns]
    if not cols:
        raise NeiqinError("请至少选择一列导出")
    total = total_rows(spec, query)
    wb = Workbook(write_only=True)
    title = f"{org_name}{spec.title}" if org_name else spec.title
    wb.properties.title = title
    wb.properties.creator = "内勤台账"
    ws = wb.create_sheet(_sheet_title(spec.tab_title))
    headers = [c.header for c in cols] + [VOID_HEADER, VOID_REASON_HEADER]
    for i, width in enumerate([c.width for c in cols] + [6, 20], 1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    center = Alignment(horizontal="center", vertical="center")
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, h)
        cell.font, cell.fill, cell.alignment = bold, fill, center
        head.append(cell)
    ws.append(head)

    text_cell = _text_cell_factory(ws)
    convs = [_converter(c, ws, text_cell) for c in cols]
    append = ws.append
    n = 0
    try:
        for n, row in enumerate(spec.iter_rows(query), 1):  # noqa: B007 - n is the count afterwards
            if n % CHECK_EVERY == 1:
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None:
                    progress(n - 1, total)
            values = [conv(row) for conv in convs]
            if row.get("voided"):
                reason = row.get("void_reason") or ""
                values += ["是", text_cell(reason) if reason[:1] in _FORMULA_START else reason]
            append(values)
    except BaseException:
        _discard(ws)
        raise
    if n:
        ws.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(headers))}{n + 1}")
    with atomic_output(path) as tmp:
        wb.save(tmp)
    if progress is not None:
        progress(n, total)
    return n


def _discard(ws: Any) -> None:
    """Finish a write-only sheet we give up on, and delete the temporary file openpyxl keeps its rows in."""
    try:
        ws.close()
        ws._writer.cleanup()
    except Exception as e:  # noqa: BLE001 - cleaning up after a cancel must not hide the cancel
        log.debug("discarding write-only sheet: %r", e)


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"


# ---------------------------------------------------------------------------------------------- import


@dataclass
class RowError:
    row_number: int  # the Excel row number the clerk sees at the left of the sheet
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ImportPreview:
    ledger: str
    path: Path
    sheet: str = ""
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # column key -> Excel column number (1-based)
    missing: list[str] = field(default_factory=list)  # headers of required columns not found
    ignored: list[str] = field(default_factory=list)  # headers in the file that no column uses
    rows: list[dict] = field(default_factory=list)  # clean data ready for spec.create
    row_numbers: list[int] = field(default_factory=list)  # Excel row of each entry of rows
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_voided: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing and bool(self.rows)

    def summary(self) -> str:
        if self.missing:
            return f"缺少必需的列：{'、'.join(self.missing)}"
        if self.errors:
            return f"共 {len(self.rows) + len(self.errors)} 行，其中 {len(self.errors)} 行有错误，请改正后重新导入"
        return f"共 {len(self.rows)} 行可以导入"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
MSG_CORRUPT = "文件已损坏或不是 Excel 文件（.xlsx）"
MSG_ENCRYPTED = "文件设有密码保护，请在 Excel 中取消密码后再导入"
MSG_XLS = "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再导入"
MSG_OLE = "文件设有密码保护，或是旧版 Excel 97-2003 格式（.xls）：请在 Excel 中取消密码并“另存为” .xlsx 后再导入"


def _check_file(path: Path) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except FileNotFoundError:
        raise ImportFileError(f"找不到文件“{path}”") from None
    except OSError as e:
        raise ImportFileError(f"无法读取文件“{path.name}”：{e.strerror or e}") from None
    if head.startswith(_OLE_MAGIC):
        # an encrypted .xlsx is an OLE container holding an EncryptionInfo stream; an .xls holds a Workbook
        # stream. The names sit in the OLE directory, which may be anywhere: look through the file.
        if len(head) == 65536:
            with open(path, "rb") as f:
                head = f.read(256 * 1024 * 1024)
        if "EncryptionInfo".encode("utf-16-le") in head:
            raise ImportFileError(MSG_ENCRYPTED)
        if "Book".encode("utf-16-le") in head:  # Workbook (Excel 97+) or Book (Excel 5)
            raise ImportFileError(MSG_XLS)
        raise ImportFileError(MSG_OLE)
    if not head.startswith(_ZIP_MAGIC):
        raise ImportFileError(MSG_CORRUPT)


def _open_workbook(path: Path, f: Any) -> Any:
    try:
        return load_workbook(f, read_only=True, data_only=True)  # a file object: no check of the extension
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as e:
        log.info("cannot open %s as xlsx: %r", path, e)
        raise ImportFileError(MSG_CORRUPT) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on damaged XML
        log.info("cannot open %s as xlsx: %r", path, e)
        raise ImportFileError(MSG_CORRUPT) from None


_SPACES = re.compile(r"[\s\u3000*＊:：]+")


def normalize_header(value: Any) -> str:
    """'  姓 名＊' → '姓名': blanks (half and full width), required-marks and colons do not matter."""
    return _SPACES.sub("", str(value)) if value is not None else ""


def _header_map(spec: LedgerSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in spec.columns:
        if c.importable and (c.value is None or c.key in spec.model._meta.fields):
            for h in c.header_names:
                names.setdefault(normalize_header(h), c.key)
    names.setdefault(normalize_header(VOID_HEADER), VOID_KEY)
    return names


def _match_header(row: Sequence[Any], names: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, v in enumerate(row, 1):
        h = normalize_header(v)
        if not h:
            continue
        key = names.get(h)
        if key and key not in found:
            found[key] = i
        elif not key:
            unknown.append(str(v).strip())
    return found, unknown


def _find_header(rows: Sequence[Sequence[Any]], names: dict[str, str]) -> tuple[int, dict[str, int], list[str]]:
    """(index in rows, columns found, unknown headers) of the row matching the most known column names."""
    best = (-1, {}, [])
    for i, row in enumerate(rows):
        found, unknown = _match_header(row, names)
        score = len([k for k in found if k != VOID_KEY])
        if score > len([k for k in best[1] if k != VOID_KEY]):
            best = (i, found, unknown)
    return best


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# ---- cell values


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TEXT = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?$")


class _BadValue(Exception):
    pass


def parse_date(v: Any) -> dt.date | None:
    if _is_blank(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 19000101 <= v <= 29991231 and float(v).is_integer():
            v = str(int(v))  # 20261103 typed as a number
        elif 1 <= v < 2958466:
            return from_excel(v).date()  # a date typed into a cell formatted as a number
    if isinstance(v, str):
        s = v.strip()
        m = _DATE_TEXT.match(s) or _DATE_COMPACT.match(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise _BadValue(f"日期“{s}”不存在") from None
    raise _BadValue("日期格式应为 2026-11-03、2026/11/3 或 2026年11月3日")


def parse_time(v: Any) -> dt.time | dt.datetime | None:
    if _is_blank(v):
        return None
    if isinstance(v, dt.datetime | dt.time):
        return v.replace(microsecond=0)
    if isinstance(v, float | int) and not isinstance(v, bool) and 0 <= v < 1:
        return (dt.datetime.min + dt.timedelta(days=v)).time().replace(microsecond=0)  # Excel day fraction
    if isinstance(v, str):
        s = v.strip()
        if " " in s or "T" in s:
            date_part, _, time_part = s.replace("T", " ").partition(" ")
            d = parse_date(date_part)
            t = parse_time(time_part.strip())
            return dt.datetime.combine(d, t if isinstance(t, dt.time) else dt.time()) if d else None
        m = _TIME_TEXT.match(s)
        if m:
            try:
                return dt.time(int(m[1]), int(m[2]), int(m[3] or 0))
            except ValueError:
                raise _BadValue(f"时间“{s}”不存在") from None
    raise _BadValue("时间格式应为 09:30")


def parse_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        if abs(v) >= 10**15:
            raise _BadValue("是超过 15 位的数字，Excel 已把最后几位变成 0；请把这一列设置为“文本”格式后重新输入")
        return str(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if v.time() != dt.time() else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def parse_int(v: Any) -> Any:
    if _is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return v  # the validator words the complaint


class _Reader:
    """Turns one sheet row into the data dict for the ledger's validator."""

    def __init__(self, spec: LedgerSpec, columns: dict[str, int]):
        self.spec = spec
        self.fields = spec.model._meta.fields
        self.cols = [(spec.column(k), i - 1) for k, i in columns.items() if k != VOID_KEY]
        self.void_index = columns.get(VOID_KEY, 0) - 1
        self.date_key = spec.date_field
        self.masked_dropped: set[str] = set()

    def voided(self, row: Sequence[Any]) -> bool:
        i = self.void_index
        return 0 <= i < len(row) and not _is_blank(row[i]) and str(row[i]).strip() not in ("否", "0", "False")

    def read(self, row: Sequence[Any]) -> tuple[dict, dict[str, str]]:
        data: dict[str, Any] = {}
        errors: dict[str, str] = {}
        times: list[tuple[str, Any]] = []
        for col, i in self.cols:
            v = row[i] if i < len(row) else None
            try:
                if col.kind == "date":
                    data[col.key] = parse_date(v)
                elif col.kind in ("time", "datetime"):
                    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime.combine(v, dt.time())
                    if isinstance(v, str) and v.strip().startswith(APPROX):  # an appointment's expected time
                        v = v.strip()[len(APPROX):]
                        data[APPROX_KEY] = True
                    times.append((col.key, parse_time(v)))
                elif col.kind == "int":
                    data[col.key] = parse_int(v)
                elif col.kind == "bool":
                    data[col.key] = parse_text(v).strip() in ("是", "√", "✓", "Y", "y", "1", "TRUE", "True")
                else:
                    s = parse_text(v).strip()
                    if col.mask is not None and "*" in s:  # exported masked text: the real value is unknown
                        self.masked_dropped.add(col.header)
                        s = ""
                    if has_emoji(s):
                        raise _BadValue("不能包含表情符号（打印和导出时无法显示）")
                    data[col.key] = s
            except _BadValue as e:
                errors[col.key] = str(e)
        day = data.get(self.date_key) if self.date_key else None
        for key, t in times:
            if isinstance(t, dt.time) and isinstance(self.fields.get(key), pw.DateTimeField):
                t = dt.datetime.combine(day, t) if isinstance(day, dt.date) else None
            data[key] = t
        return data, errors


def _adjust_visit(data: dict, staff_ids: dict[str, int | None]) -> dict:
    """Imported visits are history (see the module docstring): never 在场 unless it is today's."""
    today = clock.today()
    day = data.get("visit_date")
    arrive, leave = data.get("arrive_at"), data.get("leave_at")
    expected_only = data.pop(APPROX_KEY, False) and not leave
    if isinstance(day, dt.date) and (day > today or (expected_only and day == today)):
        data["status"] = visitors.APPOINTMENT
        data["expected_at"] = arrive
        data["arrive_at"] = data["leave_at"] = None
    elif expected_only:  # an appointment of a past day that nobody checked in: 未到
        data["status"] = visitors.NO_SHOW
        data["expected_at"] = arrive
        data["arrive_at"] = data["leave_at"] = None
    elif leave or day != today:
        data["status"] = visitors.LEFT
        if arrive and not leave:
            data["leave_at"] = arrive
            data["leave_note"] = "导入：原记录没有离开时间"
    else:
        data["status"] = visitors.ON_SITE
    name = (data.get("host_name") or "").strip()
    if name:
        if name not in staff_ids:
            try:
                staff = find_staff_by_name(name)
            except NeiqinError:  # several people of that name: keep the text, the clerk can pick later
                staff = None
            staff_ids[name] = staff.id if staff is not None else None
        if staff_ids[name] is not None:
            data["host"] = staff_ids[name]
    return data


def _adjuster(spec: LedgerSpec) -> Callable[[dict], dict] | None:
    """The ledger's own import hook if it declares one, else ours; None = rows go to the validator as read."""
    if spec.import_row is not None:
        return spec.import_row
    if spec.key == "visitors":
        staff_ids: dict[str, int | None] = {}  # one directory look-up per host name, not per row
        return lambda data: _adjust_visit(data, staff_ids)
    return None


def _field_label(spec: LedgerSpec, key: str) -> str:
    try:
        return spec.column(key).header
    except KeyError:
        return ""


def _row_message(spec: LedgerSpec, excel_row: int, errors: dict[str, str]) -> str:
    parts = []
    for key, msg in errors.items():
        label = _field_label(spec, key)
        parts.append(f"{label}：{msg}" if label and not msg.startswith(label) and label not in msg[:8] else msg)
    return f"第 {excel_row} 行：" + "；".join(parts)


def _sheets_in_order(wb: Any, spec: LedgerSpec) -> list[Any]:
    sheets = list(wb.worksheets)
    preferred = [s for s in sheets if s.title.strip() in (spec.tab_title, spec.title)]
    return preferred + [s for s in sheets if s not in preferred]


def read_import(spec: LedgerSpec, path: str | Path, *, progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None) -> ImportPreview:
    """Read and check an .xlsx file for import into ``spec``; nothing is saved.

    Raises ImportFileError for a file that cannot be used at all (damaged, encrypted, .xls, empty, no header
    row). Everything else — missing required columns, bad rows — is reported in the preview.
    """
    path = Path(path)
    _check_file(path)
    with open(path, "rb") as f:
        wb = _open_workbook(path, f)
        try:
            return _read(spec, path, wb, progress, cancelled)
        finally:
            wb.close()


def _read(spec: LedgerSpec, path: Path, wb: Any, progress: ProgressFn | None,
          cancelled: CancelFn | None) -> ImportPreview:
    names = _header_map(spec)
    chosen = None
    any_content = False
    for ws in _sheets_in_order(wb, spec):
        try:
            it = ws.iter_rows(values_only=True)
            head = list(islice(it, HEADER_SCAN_ROWS))
        except Exception as e:  # noqa: BLE001 - damaged sheet XML
            log.info("cannot read sheet %s of %s: %r", ws.title, path, e)
            raise ImportFileError(MSG_CORRUPT) from None
        any_content = any_content or any(not _is_blank(v) for r in head for v in r)
        index, found, unknown = _find_header(head, names)
        if index >= 0:
            chosen = (ws, it, head, index, found, unknown)
            break
    if chosen is None:
        if not any_content:
            raise ImportFileError("表格是空的，没有可以导入的内容")
        headers = "、".join(c.header for c in spec.columns if c.importable)
        raise ImportFileError(f"没有找到表头：前 {HEADER_SCAN_ROWS} 行中没有一行包含“{spec.title}”的列名（{headers}）")
    ws, it, head, index, found, unknown = chosen
    preview = ImportPreview(spec.key, path, ws.title, index + 1, found, ignored=unknown)
    preview.missing = [spec.column(k).header for k in IMPORT_REQUIRED.get(spec.key, []) if k not in found]
    if preview.missing:
        preview.errors.append(RowError(preview.header_row, f"缺少必需的列：{'、'.join(preview.missing)}"))
        return preview

    reader = _Reader(spec, found)
    adjust = _adjuster(spec)
    total = getattr(ws, "max_row", None) or 0
    rows: Iterable[Sequence[Any]] = chain(head[index + 1:], it)
    for excel_row, row in enumerate(rows, index + 2):
        if excel_row % CHECK_EVERY == 0:
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(excel_row, total)
        if all(_is_blank(v) for v in row):
            continue
        if reader.voided(row):
            preview.skipped_voided += 1
            continue
        data, errors = reader.read(row)
        if adjust is not None:
            data = adjust(data)
        data.pop(APPROX_KEY, None)
        try:
            clean = spec.clean(data)
        except ValidationError as e:
            errors = {**e.errors, **errors}  # a reading problem explains the validator's complaint best
        if errors:
            preview.errors.append(RowError(excel_row, _row_message(spec, excel_row, errors)))
            continue
        extra = {k: v for k, v in data.items() if k not in clean and k in spec.model._meta.fields}
        preview.rows.append({**extra, **clean})
        preview.row_numbers.append(excel_row)
    if reader.masked_dropped:
        preview.warnings.append(f"{'、'.join(sorted(reader.masked_dropped))}是打码后的内容（含 *），没有导入")
    if preview.skipped_voided:
        preview.warnings.append(f"标为作废的 {preview.skipped_voided} 行没有导入")
    if not preview.rows and not preview.errors:
        raise ImportFileError("表头下面没有数据行")
    return preview


def apply_import(spec: LedgerSpec, preview: ImportPreview, *, progress: ProgressFn | None = None,
                 cancelled: CancelFn | None = None) -> int:
    """Save every row of a checked preview in one transaction (all or nothing); return how many."""
    if preview.ledger != spec.key:
        raise NeiqinError("导入预览与台账不一致，请重新选择文件")
    if preview.missing or preview.errors:
        raise NeiqinError(f"{preview.summary()}（一条也没有导入）")
    if not preview.rows:
        raise NeiqinError("没有可以导入的数据")
    total = len(preview.rows)
    name = preview.path.name
    with write_transaction():  # registers that number their records take the numbers in this transaction
        for i, (data, excel_row) in enumerate(zip(preview.rows, preview.row_numbers, strict=True)):
            if i % CHECK_EVERY == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled("已取消导入，没有保存任何记录")
                if progress is not None:
                    progress(i, total)
            try:
                spec.create(data, action="import", summary=f"从 Excel 导入（{name} 第 {excel_row} 行）")
            except ValidationError as e:  # the data changed since the preview (e.g. a staff entry voided)
                raise NeiqinError(_row_message(spec, excel_row, e.errors) + "（一条也没有导入）") from None
        AuditLog.write(spec.key, None, "import", f"导入 {total} 条（{name}）",
                       {"file": str(preview.path), "sheet": preview.sheet, "rows": total})
    if progress is not None:
        progress(total, total)
    return total
