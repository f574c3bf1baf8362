"""Opening an uploaded CSV or XLSX file as tables of rows, safely. Pure (no Django).

CSV: the encoding is found, not assumed (a byte order mark for UTF-8, UTF-16 or
UTF-32; else strict UTF-8; else Windows-1252, reported as a guess), and the delimiter
is read from the header line (comma, semicolon or tab). XLSX: the zip container is
checked before openpyxl sees it (members, unpacked size, compression ratio), so a zip
bomb is refused without being unpacked; openpyxl then streams it (read-only) and
formulas stay formulas, so they can be refused rather than silently taking a cached
value.

A file that cannot be opened at all raises `FileError` with the message for the
person; readers turn it into a problem of row 0.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .rows import Problem

MAX_ROWS = 200_000
MAX_COLUMNS = 200
# XLSX container limits: a genuine workbook of MAX_ROWS rows stays well inside them.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_MEMBERS = 1_000
MAX_RATIO = 200  # uncompressed / compressed size of one member above 1 MB
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

Cells = list[Any]


class FileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Table:
    """One table of a file: a CSV, or one sheet of a workbook. `rows` yields
    (row number as the spreadsheet shows it, cells), blank rows included."""

    sheet: str
    rows: Iterator[tuple[int, Cells]]
    decimal: str | None  # the decimal mark of text numbers, None when unknown
    serial_dates: bool  # whether a plain number in a date column is an Excel serial
    estimated_rows: int
    day_first: bool = False  # 05/04/2026 is 5 April (else it is refused as ambiguous)


# --- CSV ------------------------------------------------------------------------------

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 (with a byte order mark)"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
SAVE_AS = "Save it as “CSV UTF-8” (Excel: File › Save as › CSV UTF-8) and upload it again."


def decode(content: bytes) -> tuple[str, str, list[Problem]]:
    """The text of a CSV file, the encoding's name, and a warning when it was guessed."""
    _not_csv(content)
    for bom, codec, name in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(codec), name, []
            except UnicodeDecodeError as error:
                raise FileError(
                    f"The file says it is {name} but byte {error.start:,} is not; "
                    f"it may be damaged. {SAVE_AS}"
                ) from None
    try:
        return content.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    if b"\x00" in content[:4096]:
        raise FileError(
            "The file looks like UTF-16 without a byte order mark, or is not a text file; "
            f"Headway cannot tell which. {SAVE_AS}"
        )
    try:
        text, name = content.decode("cp1252"), "Windows-1252 (Western European)"
    except UnicodeDecodeError:
        text, name = content.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    warning = Problem(
        0,
        "",
        f"The file is not UTF-8, so it was read as {name}: check that accented letters "
        f"look right in the preview. If they do not, {SAVE_AS[0].lower()}{SAVE_AS[1:]}",
    )
    return text, name, [warning]


def _not_csv(content: bytes) -> None:
    if not content.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileError("The file is empty. Fill in the template and upload it again.")
    if content.startswith(b"PK\x03\x04"):
        raise FileError("This is an Excel workbook (.xlsx), not a CSV file: choose Excel.")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            "This is an old Excel workbook (.xls). Save it as .xlsx or as CSV UTF-8 first."
        )


def _binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab
    outside quotes (a header holds no such character itself)."""
    line, quoted = "", False
    for ch in text[:65536].lstrip("\ufeff\r\n"):
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        line += "" if quoted else ch
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_table(content: bytes) -> tuple[Table, str, list[Problem]]:
    """The CSV file as one table, with its encoding's name and the warnings."""
    text, encoding, warnings = decode(content)
    if not text.strip("\ufeff \t\r\n"):
        raise FileError("The file is empty. Fill in the template and upload it again.")
    if _binary(text):
        raise FileError(f"This does not look like a CSV file (it holds binary data). {SAVE_AS}")
    delimiter = sniff_delimiter(text)
    # Files separated by semicolons come from spreadsheets whose decimal mark is a comma.
    decimal = {",": ".", ";": ","}.get(delimiter)
    rows = _csv_rows(text, delimiter)
    table = Table("", rows, decimal, False, text.count("\n") + 1, day_first=delimiter == ";")
    return table, f"{encoding}, {DELIMITERS[delimiter]}-separated", warnings


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, Cells]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileError(
                f"Row {number + 1} cannot be read ({error}); a quote that is never closed "
                "makes the rest of the file one cell. Check the quotes of that row."
            ) from None
        number += 1
        yield number, list(cells)


# --- XLSX -----------------------------------------------------------------------------


def check_zip(content: bytes) -> None:
    """Refuse a workbook whose container could exhaust memory when unpacked."""
    if not content.strip():
        raise FileError("The file is empty. Fill in the template and upload it again.")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError("This is an old Excel workbook (.xls). Save it as .xlsx first.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileError(
            "This is not an Excel workbook (.xlsx): it cannot be opened as one. "
            "Save it from your spreadsheet as .xlsx, or as CSV UTF-8 and choose CSV."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise FileError(
            f"The workbook holds {len(members):,} parts; a workbook has far fewer. "
            "It is refused for safety: save it again from your spreadsheet."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED:
        raise FileError(
            f"The workbook unpacks to {unpacked / 2**20:,.0f} MB; the limit is "
            f"{MAX_UNPACKED // 2**20} MB. Split it into several files."
        )
    for member in members:
        if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise FileError(
                f"The workbook's part {member.filename} is compressed "
                f"{member.file_size // max(member.compress_size, 1):,} times over, "
                "which no spreadsheet does (a zip bomb?). It is refused for safety."
            )
    if not any(member.filename.startswith("xl/") for member in members):
        raise FileError(
            "This zip file is not an Excel workbook (.xlsx). Save the sheet as .xlsx or CSV."
        )


def xlsx_tables(content: bytes, sheet_kinds: dict[str, str]) -> tuple[list[Table], Any]:
    """The workbook's tables: its sheets named in `sheet_kinds` (normalised sheet
    name → anything) when there are any, else its first sheet. Returns the tables and
    the workbook, which the caller closes."""
    check_zip(content)
    import openpyxl  # a large import, needed only for workbooks

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileError(
            f"The workbook cannot be read ({type(error).__name__}). Open it in your "
            "spreadsheet, save it again as .xlsx and upload it again."
        ) from None
    sheets = [ws for ws in workbook.worksheets if sheet_key(ws.title) in sheet_kinds]
    if not sheets:
        sheets = workbook.worksheets[:1]
    if not sheets:
        raise FileError("The workbook has no sheet.")
    tables = [Table(ws.title, _sheet_rows(ws), None, True, int(ws.max_row or 0)) for ws in sheets]
    return tables, workbook


def sheet_key(title: str) -> str:
    return " ".join(title.lower().replace("-", " ").replace("_", " ").split())


class Formula(str):
    """A cell holding a formula (its text); readers refuse it."""


def _sheet_rows(ws: Any) -> Iterator[tuple[int, Cells]]:
    for number, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        cells: Cells = []
        for cell in row:
            value = cell.value
            if getattr(cell, "data_type", None) == "f":
                value = Formula(str(getattr(value, "text", value)))
            cells.append(value)
        yield number, cells
