"""Reading one spreadsheet cell as a number, a date or a bounded text. Pure (no Django).

Every reader of a file people typed by hand needs the same tolerance: `1 234,5 €`,
`1,234.5`, `45%` and `(12)` are numbers; `2026-03-31`, `31/03/2026`, `31.03.2026` and
an Excel serial are dates. What cannot be read with certainty is refused with a message
that says what to write instead, never guessed: `1,500` in a file whose decimal mark is
unknown, or `05/04/2026` (5 April or May 4?).

Each function returns the value or raises `CellError` with the message for the person;
the caller adds the row and the column.
"""

from __future__ import annotations

import datetime as dt
import math
import re

MAX_CELL = 10_000  # characters: a longer cell is refused (nobody types that by hand)

# Symbols and ISO codes stripped from a number and kept as its unit.
CURRENCY_SYMBOLS = "€$£¥₹₩₽₺₪"
CURRENCY_CODE = re.compile(r"^(?:[A-Z]{3})$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # thousands by spaces, NBSP, thin space, 1'000
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01, after Lotus's leap-year bug
SERIALS = (20_000, 80_000)  # 1954 to 2119: outside this, a number is not meant as a date


class CellError(ValueError):
    """The cell cannot be read; the message says what to write instead."""


def text(value: object) -> str:
    """The cell as stripped text, refused past MAX_CELL characters."""
    result = "" if value is None else str(value).strip()
    if len(result) > MAX_CELL:
        raise CellError(
            f"This cell holds {len(result):,} characters; the most a cell may hold is "
            f"{MAX_CELL:,}. Shorten it."
        )
    return result


def number(value: object, decimal: str | None = ".") -> tuple[float, str]:
    """A number and the unit written with it ("%", "€", "EUR" or "").

    `decimal` is the file's decimal mark: "." (comma-separated files), "," (files
    separated by semicolons, as Excel writes them where the comma is the decimal mark)
    or None when unknown; then `1,500` is ambiguous and refused.
    """
    if isinstance(value, bool):
        raise CellError(f"{value} is not a number.")
    if isinstance(value, int | float):
        return _finite(float(value), str(value)), ""
    raw = text(value)
    body, unit = _strip_unit(raw)
    body = body.replace("\u2212", "-")  # the typographic minus sign
    negative = False
    if body.startswith("(") and body.endswith(")"):  # accounting: (12) is -12
        body, negative = body[1:-1].strip(), True
    if body[:1] and body[0] in "+-":
        negative, body = negative ^ (body[0] == "-"), body[1:].strip()
    body, unit2 = _strip_unit(body)
    unit = unit or unit2
    body = _SPACES.sub("", body)
    if not body or not _DIGITS.match(body):
        raise CellError(f"'{raw}' is not a number; write digits such as 42, 12.5 or 1,250.")
    result = _finite(float(_plain(body, raw, decimal)), raw)
    return (-result if negative else result), unit


def _finite(result: float, raw: str) -> float:
    if not math.isfinite(result):
        raise CellError(f"'{raw}' is not a finite number.")
    return result


def _strip_unit(body: str) -> tuple[str, str]:
    """Take a %, a currency symbol or a three-letter currency code off either end."""
    body = body.strip()
    for symbol in ("%", *CURRENCY_SYMBOLS):
        if body.endswith(symbol):
            return body[: -len(symbol)].strip(), symbol
        if body.startswith(symbol):
            return body[len(symbol) :].strip(), symbol
    parts = body.split()
    if len(parts) == 2:
        if CURRENCY_CODE.match(parts[1]):
            return parts[0], parts[1]
        if CURRENCY_CODE.match(parts[0]):
            return parts[1], parts[0]
    return body, ""


def _plain(body: str, raw: str, decimal: str | None) -> str:
    """Digits with at most one decimal point, from any of the usual groupings."""
    commas, points = body.count(","), body.count(".")
    if commas and points:
        mark = "," if body.rfind(",") > body.rfind(".") else "."
        return _grouped(body, raw, mark)
    if commas + points == 0:
        return body
    mark_char = "," if commas else "."
    if commas + points > 1:  # 1,234,567 or 1.234.567: thousands only
        return _grouped(body, raw, None)
    whole, fraction = body.split(mark_char)
    if len(fraction) != 3 or whole in ("", "0"):
        return f"{whole}.{fraction}"  # 1,5 / 0,125 / 12.50: only a decimal mark fits
    if decimal is None and mark_char == ",":
        raise CellError(
            f"'{raw}' is ambiguous: is the comma a decimal mark or a thousands separator? "
            f"Write {whole}{fraction} or {whole}.{fraction.rstrip('0') or '0'}."
        )
    if mark_char == (decimal or "."):
        return f"{whole}.{fraction}"
    return whole + fraction  # the other mark: thousands


def _grouped(body: str, raw: str, mark: str | None) -> str:
    whole, _, fraction = body.rpartition(mark) if mark else (body, "", "")
    groups = re.split(r"[.,]", whole)
    if any(len(g) != 3 for g in groups[1:]) or not groups[0] or len(groups[0]) > 3:
        raise CellError(
            f"'{raw}' mixes separators in a way that is not a number; write digits with a "
            "decimal point, such as 1234.5."
        )
    if fraction and not fraction.isdigit():
        raise CellError(f"'{raw}' is not a number.")
    return "".join(groups) + (f".{fraction}" if fraction else "")


DATE_HELP = "write dates as 2026-03-31 (year-month-day)"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_SLASHED = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?: [\d:.]+)?$")


def date(value: object, serials: bool = False, day_first: bool = False) -> dt.date:
    """A date from a date cell, ISO text, d/m/Y, d.m.Y, m/d/Y when unambiguous, or (with
    `serials`, for workbooks) an Excel serial number. `day_first` reads 05/04/2026 as
    5 April (files separated by semicolons come from such spreadsheets); otherwise a
    date that reads both ways is refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if serials and SERIALS[0] <= value <= SERIALS[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"{value:g} is not a date; {DATE_HELP}.")
    raw = text(value)
    if match := _ISO.match(raw):
        return _made(raw, int(match[1]), int(match[2]), int(match[3]))
    if match := _SLASHED.match(raw):
        first, separator, second, year = int(match[1]), match[2], int(match[3]), match[4]
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        if separator == "." or first > 12 or first == second or day_first:
            return _made(raw, full_year, second, first)  # day first
        if second > 12 and not day_first:
            return _made(raw, full_year, first, second)  # month first (US)
        raise CellError(f"'{raw}' is ambiguous: day/month or month/day? To be sure, {DATE_HELP}.")
    raise CellError(f"'{raw}' is not a date; {DATE_HELP}.")


def _made(raw: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"'{raw}' is not a date of the calendar; {DATE_HELP}.") from None


def whole_number(value: object) -> int:
    """A whole number such as a confidence (7, 7.0 or "7")."""
    result, unit = number(value)
    if unit or result != int(result):
        raise CellError(f"'{text(value)}' is not a whole number.")
    return int(result)
