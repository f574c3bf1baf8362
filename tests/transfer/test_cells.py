"""Reading one cell as a number or a date: what people type, and what is refused
with a message that says what to write instead. Pure, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from headway.transfer import cells
from headway.transfer.cells import CellError


@pytest.mark.parametrize(
    ("raw", "decimal", "expected"),
    [
        ("42", ".", (42.0, "")),
        (12.5, None, (12.5, "")),
        ("12.5", ".", (12.5, "")),
        ("12,5", ",", (12.5, "")),
        ("12,5", None, (12.5, "")),  # two decimals after a comma: only a decimal mark fits
        ("1,250", ".", (1250.0, "")),
        ("1.250", ",", (1250.0, "")),
        ("1.250", ".", (1.25, "")),
        ("1,234,567", ".", (1234567.0, "")),
        ("1.234.567,89", ",", (1234567.89, "")),
        ("1,234,567.89", ".", (1234567.89, "")),
        ("1 234,5", ",", (1234.5, "")),
        ("1\u202f234", ".", (1234.0, "")),
        ("1'234.5", ".", (1234.5, "")),
        ("45%", ".", (45.0, "%")),
        ("45 %", ".", (45.0, "%")),
        ("€1,200", ".", (1200.0, "€")),
        ("1.200 €", ",", (1200.0, "€")),
        ("EUR 99", ".", (99.0, "EUR")),
        ("99 USD", ".", (99.0, "USD")),
        ("-3", ".", (-3.0, "")),
        ("\u22123", ".", (-3.0, "")),
        ("(12)", ".", (-12.0, "")),
        ("+7", ".", (7.0, "")),
        ("0,125", None, (0.125, "")),
    ],
)
def test_it_reads_numbers_as_people_type_them(raw, decimal, expected):
    assert cells.number(raw, decimal) == expected


@pytest.mark.parametrize(
    ("raw", "decimal", "says"),
    [
        ("1,500", None, "ambiguous"),
        ("twelve", ".", "is not a number"),
        ("1.2,3", ".", "mixes separators"),
        ("12..5", ".", "is not a number"),
        ("", ".", "is not a number"),
        ("nan", ".", "is not a number"),
        (float("inf"), ".", "finite"),
        (True, ".", "is not a number"),
    ],
)
def test_it_refuses_what_is_not_surely_a_number(raw, decimal, says):
    with pytest.raises(CellError, match=says):
        cells.number(raw, decimal)


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        ("2026-03-31", {}, dt.date(2026, 3, 31)),
        ("2026-3-5", {}, dt.date(2026, 3, 5)),
        ("2026-03-31T10:00:00", {}, dt.date(2026, 3, 31)),
        ("2026-03-31 00:00:00", {}, dt.date(2026, 3, 31)),
        ("31/03/2026", {}, dt.date(2026, 3, 31)),
        ("03/31/2026", {}, dt.date(2026, 3, 31)),
        ("04/04/2026", {}, dt.date(2026, 4, 4)),
        ("31.03.2026", {}, dt.date(2026, 3, 31)),
        ("05.04.2026", {}, dt.date(2026, 4, 5)),
        ("05/04/2026", {"day_first": True}, dt.date(2026, 4, 5)),
        ("31/03/26", {}, dt.date(2026, 3, 31)),
        (dt.datetime(2026, 3, 31, 9, 30), {}, dt.date(2026, 3, 31)),
        (dt.date(2026, 3, 31), {}, dt.date(2026, 3, 31)),
        (46112, {"serials": True}, dt.date(2026, 3, 31)),
    ],
)
def test_it_reads_dates_in_the_usual_ways(raw, kwargs, expected):
    assert cells.date(raw, **kwargs) == expected


@pytest.mark.parametrize(
    ("raw", "kwargs", "says"),
    [
        ("05/04/2026", {}, "ambiguous: day/month or month/day"),
        ("31/02/2026", {}, "not a date of the calendar"),
        ("next monday", {}, "write dates as 2026-03-31"),
        (46112, {}, "is not a date"),
        (12, {"serials": True}, "is not a date"),
        ("03/31/2026", {"day_first": True}, "not a date of the calendar"),
    ],
)
def test_it_refuses_dates_it_cannot_be_sure_of_and_says_the_format(raw, kwargs, says):
    with pytest.raises(CellError, match=says):
        cells.date(raw, **kwargs)


def test_a_cell_longer_than_the_cap_is_refused_with_its_length():
    with pytest.raises(CellError, match="10,001 characters"):
        cells.text("x" * 10_001)
    assert cells.text("  kept  ") == "kept"


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), (7.0, 7), (" 10 ", 10)])
def test_whole_numbers(raw, expected):
    assert cells.whole_number(raw) == expected


@pytest.mark.parametrize("raw", ["7.5", "70%", "high"])
def test_whole_numbers_refused(raw):
    with pytest.raises(CellError):
        cells.whole_number(raw)
