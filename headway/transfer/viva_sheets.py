"""The tables of a Viva Goals file, and reading their cells by field. Pure (no Django).

The file is opened by the pipeline's `tables.py` (encodings, delimiters, zip-bomb
checks) and read whole, because the reader looks at it more than once: to find the
sheet and the header row that hold the OKRs (a title line may sit above the headers; a
template's "Read Me" sheet comes first), then to read the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import cells
from .cells import CellError
from .rows import Parsed, Problem
from .tables import MAX_ROWS, FileError, Formula, csv_table, xlsx_tables
from .viva_columns import FIELDS, ColumnDetection, field_of

HEADER_SEARCH = 10  # exports may start with a title line or two above the headers
FORMULA = "Formulas are not imported: copy the cells and paste them as values."

Row = list[Any]


@dataclass
class Sheet:
    """One table of the file, read whole: rows as (row number as the spreadsheet shows
    it, cells), and the decimal mark of its text numbers (None when unknown)."""

    name: str
    rows: list[tuple[int, Row]]
    decimal: str | None = "."


class SheetReader:
    """Reads the cells of one sheet by field, reporting what cannot be read."""

    def __init__(self, sheet: Sheet, detection: ColumnDetection, parsed: Parsed) -> None:
        self.sheet, self.detection, self.parsed = sheet, detection, parsed
        self.fractions = False  # a workbook's progress stored as 0.45 for 45 %

    def problem(self, row: int, name: str, message: str) -> None:
        column = self.detection.header(name) if name in FIELDS else name
        self.parsed.problems.append(Problem(row, column, message, self.sheet.name))

    def raw(self, row: int, values: Row, name: str) -> Any:
        at = self.detection.position(name)
        value = values[at] if at is not None and at < len(values) else None
        if isinstance(value, Formula):
            self.problem(row, name, FORMULA)
            return None
        return value

    def text(self, row: int, values: Row, name: str, *, lines: bool = False) -> str:
        value = self.raw(row, values, name)
        try:
            text = cells.text(plain(value))
        except CellError as error:
            self.problem(row, name, str(error))
            return ""
        return text if lines else " ".join(text.split())

    def texts(self, row: int, values: Row, name: str) -> list[str]:
        found = [values[i] for i in self.detection.positions(name) if i < len(values)]
        return [" ".join(str(plain(v)).split()) for v in found if v is not None]

    def number(self, row: int, values: Row, name: str) -> tuple[float | None, str]:
        value = self.raw(row, values, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, ""
        try:
            result, unit = cells.number(value, self.sheet.decimal)
        except CellError as error:
            self.problem(row, name, str(error))
            return None, ""
        if name == "progress" and self.fractions and not isinstance(value, str):
            result = round(result * 100, 6)
        return result, unit


def plain(value: Any) -> Any:
    """A cell as text would show it: 12.0 as 12, a date as 2025-03-31."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _EverySheet(dict[str, str]):
    """For `xlsx_tables`: every sheet is wanted (the OKRs may be on any of them)."""

    def __contains__(self, key: object) -> bool:
        return True


def viva_headers(
    content: bytes, filename: str, mapping: Mapping[str, str] | None = None
) -> list[str]:
    """The headers of the table that holds the OKRs, from the first rows only: what
    the mapping step offers. Empty when the file cannot be opened."""
    sheets = [
        s for s in read_sheets(content, filename, Parsed(), limit=HEADER_SEARCH) if has_rows(s)
    ]
    if not sheets:
        return []
    main, header_at = main_sheet(sheets, mapping)
    return headers_of(main, header_at)


def read_sheets(
    content: bytes, filename: str, parsed: Parsed, limit: int | None = None
) -> list[Sheet]:
    """The file's tables, read whole (the reader looks at them more than once), or only
    their first `limit` rows."""
    workbook = content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    try:
        if not workbook:
            table, source, warnings = csv_table(content)
            parsed.source = source
            parsed.warnings.extend(warnings)
            return [Sheet(table.sheet, _all_rows(table.rows, limit), table.decimal)]
        tables, book = xlsx_tables(content, _EverySheet())
        try:
            parsed.source = "Excel workbook"
            return [Sheet(t.sheet, _all_rows(t.rows, limit), t.decimal) for t in tables]
        finally:
            book.close()
    except FileError as error:
        parsed.problems.append(Problem(0, "", str(error)))
        return []


def _all_rows(rows: Iterable[tuple[int, Row]], limit: int | None) -> list[tuple[int, Row]]:
    result = []
    for number, values in rows:
        if limit is not None and number > limit:
            break
        if number > MAX_ROWS + HEADER_SEARCH:
            raise FileError(f"The file has more than {MAX_ROWS:,} rows; split it into several.")
        result.append((number, values))
    return result


def has_rows(sheet: Sheet) -> bool:
    return any(filled(v) for _, values in sheet.rows for v in values)


def filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def header_text(value: Any) -> str:
    return "" if value is None else " ".join(str(plain(value)).split())


def headers_of(sheet: Sheet, header_at: int) -> list[str]:
    headers = [header_text(v) for v in dict(sheet.rows)[header_at]]
    while headers and not headers[-1]:  # a workbook's rows run to its widest column
        headers.pop()
    return headers


def main_sheet(sheets: list[Sheet], mapping: Mapping[str, str] | None) -> tuple[Sheet, int]:
    """The sheet (and header row) that looks most like a list of OKRs: most recognised
    headers in its first rows. A template's "Read Me" sheet loses to its OKR sheet."""
    scored = [(header_row(s, mapping), -i, s) for i, s in enumerate(sheets)]
    (at, _), _, sheet = max(scored, key=lambda item: (item[0][1], item[1]))
    return sheet, at


def header_row(sheet: Sheet, mapping: Mapping[str, str] | None) -> tuple[int, int]:
    """The row (among the first few) with the most recognised headers, and how many."""
    mapped = {k.strip() for k in (mapping or {})}
    best = (sheet.rows[0][0], -1)
    for number, values in sheet.rows[:HEADER_SEARCH]:
        texts = [header_text(v) for v in values]
        score = sum(1 for t in texts if t and (t in mapped or field_of(t) not in ("", "ignore")))
        if score > best[1]:
            best = (number, score)
    return best


def progress_as_fractions(sheet: Sheet, header_at: int, detection: ColumnDetection) -> bool:
    """Whether a workbook stores progress as fractions (0.45 shown as 45 %): all its
    numeric progress cells lie within 0..1 and one at least is not 0 or 1."""
    at = detection.position("progress")
    found = [
        float(values[at])
        for number, values in sheet.rows
        if number > header_at and at is not None and at < len(values)
        if isinstance(values[at], int | float) and not isinstance(values[at], bool)
    ]
    return bool(found) and all(0 <= v <= 1 for v in found) and any(0 < v < 1 for v in found)
