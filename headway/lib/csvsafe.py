"""CSV cells a spreadsheet will not run as formulas (CSV injection).

Excel, LibreOffice and Google Sheets treat a cell that begins with `=`, `+`, `-` or
`@` as a formula, and a leading tab or carriage return can hide such a start; an
anonymous survey answer like `=HYPERLINK(...)` would run on the reader's machine.
Following OWASP's advice, such a cell gets a single quote in front, which spreadsheets
show as text and do not display. A plain number (`-0.125`) is left as it is: it cannot
be a formula, and quoting it would turn every negative figure into text.

Use `csv_safe_row` on every row written by an export, header included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_safe(value: object) -> str:
    """The cell as text, with a leading quote when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_safe_row(row: Iterable[object]) -> list[str]:
    """Every cell of the row made safe (see `csv_safe`)."""
    return [csv_safe(value) for value in row]
