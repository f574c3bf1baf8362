"""A table of typed rows as a CSV or an Excel file, safe to open. Pure (no Django).

Every list export (objectives, key results, check-ins, flags, learnings) is a header of
`Column`s and rows of plain values, written by one of two writers:

- `csv_chunks`: UTF-8 with a byte-order mark (Excel reads UTF-8 only with it), streamed
  a few hundred rows at a time, every cell passed through `csv_safe` so a spreadsheet
  never runs a cell as a formula.
- `xlsx_write`: openpyxl's write-only mode (rows go to disk as they come, so memory
  stays flat however long the list), numbers, percentages and dates as typed cells.
  A text cell that begins like a formula is stored as a string with Excel's "quote
  prefix" style: shown as the text it is, and still text when someone edits it.

Dates and times arrive naive, already in the organisation's time zone: Excel has no
time zones, and a reader expects the hours their own organisation works in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Literal

from headway.lib.csvsafe import FORMULA_STARTS, csv_safe

Kind = Literal["text", "int", "number", "percent", "date", "datetime"]
Value = str | int | float | dt.date | dt.datetime | None

# Excel refuses longer cells (the workbook opens "repaired", the cell cut).
EXCEL_CELL_LIMIT = 32_767
# Characters XML 1.0 cannot hold; openpyxl raises on them, so they are dropped.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_CHUNK_ROWS = 500
NUMBER_FORMATS: dict[Kind, str] = {
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
WIDTHS: dict[Kind, float] = {
    "text": 28,
    "int": 9,
    "number": 12,
    "percent": 10,
    "date": 12,
    "datetime": 17,
}


@dataclass(frozen=True)
class Column:
    """A column's header and the kind of value its cells hold."""

    label: str
    kind: Kind = "text"
    width: float | None = None  # characters; None: a default for the kind


@dataclass(frozen=True)
class Table:
    """A list to export: its name (file and sheet name), columns and rows. `rows` may
    be a generator that reads the database lazily: each writer walks it once."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Value]]


# --- CSV ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A float as a spreadsheet reads it back: no exponent, no float noise."""
    text = f"{value:.12g}"
    if "e" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text


def csv_cell(value: Value, kind: Kind) -> str:
    """One cell as CSV text: numbers plain, percentages as "42.5%", dates ISO 8601."""
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, int | float):
        return _number(round(value * 100, 1)) + "%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV (with a byte-order mark), a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    kinds = [column.kind for column in table.columns]
    writer.writerow([csv_safe(column.label) for column in table.columns])
    pending = 1
    first = True
    for row in table.rows:
        writer.writerow(
            [csv_safe(csv_cell(value, kind)) for value, kind in zip(row, kinds, strict=True)]
        )
        pending += 1
        if pending >= CSV_CHUNK_ROWS:
            yield (b"\xef\xbb\xbf" if first else b"") + buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending, first = 0, False
    yield (b"\xef\xbb\xbf" if first else b"") + buffer.getvalue().encode()


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


# --- XLSX --------------------------------------------------------------------------------


def sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31]
    return title or "Sheet"


def _text(value: str) -> str:
    value = ILLEGAL_CHARACTERS.sub("", value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


def _xlsx_cell(sheet: object, value: Value, kind: Kind) -> object:
    """A cell for openpyxl's write-only sheet: a typed value, or a styled cell for
    percentages, dates and text that must stay text."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _text(value)
        if not text.startswith(FORMULA_STARTS):
            return text
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula
        cell.quotePrefix = True  # and still text when edited in Excel
        return cell
    if isinstance(value, bool):
        return value
    format_ = NUMBER_FORMATS.get(kind)
    if isinstance(value, dt.datetime) and kind == "date":
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        format_ = NUMBER_FORMATS["date"]
    if format_ is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = format_
    return cell


def xlsx_write(table: Table, target: IO[bytes]) -> None:
    """Write the table as an Excel workbook of one sheet, header bold and frozen."""
    # openpyxl costs a web worker about 28 MB: loaded only when a workbook is written.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(table.name))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = (
            column.width or WIDTHS[column.kind]
        )
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=_text(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    kinds = [column.kind for column in table.columns]
    for row in table.rows:
        sheet.append(
            [_xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds, strict=True)]
        )
    workbook.save(target)


def xlsx_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    xlsx_write(table, buffer)
    return buffer.getvalue()
