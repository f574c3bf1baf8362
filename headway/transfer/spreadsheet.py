"""The Headway import template, read from CSV or XLSX into `Parsed`. Pure (no Django).

One table with a `type` column (objective, key result, check-in), as CSV or as the first
sheet of a workbook; or a workbook with the sheets Objectives, Key results and
Check-ins, where the sheet says the type. Headers are matched without regard to case,
spacing, underscores, hyphens or a note in brackets ("Owner (e-mail)"), and through the
synonyms in `COLUMNS`; columns Headway does not use are reported as a warning and left
out. Everything is read in one streaming pass: each row becomes an `ObjectiveRow`,
`KeyResultRow` or `CheckInRow`, and every cell that cannot be read becomes a `Problem`
at its row and column, so the person sees all of them at once. Whether the values make
sense for the organisation (owners, teams, cycles, references, loops) is for
validate.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from headway.goals import scoring

from . import cells
from .cells import CellError
from .rows import CheckInRow, KeyResultRow, ObjectiveRow, Parsed, Problem
from .tables import MAX_ROWS, FileError, Formula, Table, csv_table, sheet_key, xlsx_tables

Progress = Callable[[int, int], None]  # (rows read, rows expected; 0 if unknown)
PROGRESS_EVERY = 2_000  # rows between two progress reports

OBJECTIVE, KEY_RESULT, CHECKIN = "objective", "key result", "check-in"

# Field → the header the template writes, then its synonyms (compared by `header_key`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type", "row type", "record type"),
    "ref": ("ref", "reference", "id", "okr reference", "okr ref"),
    "title": ("title", "name", "okr title"),
    "description": ("description", "details"),
    "cycle": ("cycle", "period", "time period", "quarter"),
    "team": ("team", "team path", "owner team", "owning team", "team name"),
    "owner": ("owner", "owner email", "email", "e mail", "owner e mail", "assignee"),
    "parent": ("parent", "parent ref", "parent reference", "parent okr", "aligned to", "aligns to"),
    "theme": ("theme", "strategic theme", "pillar"),
    "link": ("link", "link kind", "link type"),
    "status": ("status",),
    "visibility": ("visibility",),
    "objective": ("objective", "objective ref", "objective reference"),
    "kind": ("kind", "kr kind", "key result kind", "measure"),
    "start": ("start", "start value", "baseline"),
    "target": ("target", "target value", "goal"),
    "current": ("current", "current value", "actual"),
    "unit": ("unit", "units"),
    "weight": ("weight",),
    "key result": ("key result", "key result ref", "key result reference", "kr", "kr ref"),
    "date": ("date", "check in date", "checked in on"),
    "value": ("value", "new value", "check in value"),
    "confidence": ("confidence",),
    "note": ("note", "notes", "comment", "comments"),
}
TEMPLATE_HEADERS = [names[0] for names in COLUMNS.values()]
_FIELD_OF = {name: fld for fld, names in COLUMNS.items() for name in names}

# What each type of row needs a column for (the values are checked by validate.py).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    OBJECTIVE: (("ref",), ("title",), ("cycle",), ("team", "owner")),
    KEY_RESULT: (("ref",), ("title",), ("objective",)),
    CHECKIN: (("key result",), ("date",), ("value",)),
}
WHY = {
    OBJECTIVE: "every objective needs it",
    KEY_RESULT: "every key result needs it",
    CHECKIN: "every check-in needs it",
}

TYPES = {
    **dict.fromkeys(["objective", "objectives", "o", "obj"], OBJECTIVE),
    **dict.fromkeys(["key result", "key results", "kr", "keyresult", "k"], KEY_RESULT),
    **dict.fromkeys(["check in", "check ins", "checkin", "checkins", "c"], CHECKIN),
}
SHEETS = {
    **dict.fromkeys(["objectives", "objective"], OBJECTIVE),
    **dict.fromkeys(["key results", "key result", "krs"], KEY_RESULT),
    **dict.fromkeys(["check ins", "checkins", "check in"], CHECKIN),
}
KINDS = {
    **dict.fromkeys(["increase", "increase to", "up", "more"], "increase"),
    **dict.fromkeys(["decrease", "decrease to", "down", "less"], "decrease"),
    **dict.fromkeys(["milestone", "done or not", "done not done", "binary"], "milestone"),
    **dict.fromkeys(
        ["maintain", "maintain above", "stay above", "keep above", "at least"], "maintain_above"
    ),
    **dict.fromkeys(["maintain below", "stay below", "keep below", "at most"], "maintain_below"),
}
FORMULA = (
    "Formulas are not imported: copy the cells and paste them as values (Paste special › Values)."
)
# Our exports put a quote before a cell a spreadsheet would run as a formula (csvsafe).
_ESCAPED = re.compile(r"^'[=+\-@\t\r]")


def header_key(header: object) -> str:
    """A header as compared: lower case, no note in brackets, separators as spaces."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(header or "").lower())
    text = re.sub(r"[_\-./:*#?]", " ", text)
    return " ".join(text.split())


def read_csv(content: bytes, progress: Progress | None = None) -> Parsed:
    """Read the template as CSV (any usual encoding and delimiter)."""
    parsed = Parsed()
    try:
        table, source, warnings = csv_table(content)
    except FileError as error:
        parsed.problems.append(Problem(0, "", str(error)))
        return parsed
    parsed.warnings.extend(warnings)
    parsed.source = source
    reader = _Reader(parsed, progress)
    try:
        reader.read(table, None)
    except FileError as error:
        parsed.problems.append(Problem(0, "", str(error)))
    reader.finish()
    return parsed


def read_xlsx(content: bytes, progress: Progress | None = None) -> Parsed:
    """Read the template as a workbook: one sheet with a type column, or the three
    sheets Objectives, Key results and Check-ins."""
    parsed = Parsed()
    try:
        tables, workbook = xlsx_tables(content, SHEETS)
    except FileError as error:
        parsed.problems.append(Problem(0, "", str(error)))
        return parsed
    try:
        by_sheet = [SHEETS.get(sheet_key(t.sheet)) for t in tables]
        parsed.source = "Excel workbook, " + (
            f"sheets {', '.join(t.sheet for t in tables)}" if any(by_sheet) else "one sheet"
        )
        reader = _Reader(parsed, progress)
        for table, kind in zip(tables, by_sheet, strict=True):
            reader.read(table, kind)
        reader.finish()
    except FileError as error:
        parsed.problems.append(Problem(0, "", str(error)))
    finally:
        workbook.close()
    return parsed


@dataclass
class _Columns:
    """Where each field is in one table, and its header as written."""

    index: dict[str, int] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)


class _Reader:
    """One pass over the tables of a file, appending rows and problems to `parsed`."""

    def __init__(self, parsed: Parsed, progress: Progress | None) -> None:
        self.parsed = parsed
        self.progress = progress
        self.count = 0
        self.expected = 0
        self.missing_reported: set[tuple[str, str]] = set()

    def read(self, table: Table, sheet_type: str | None) -> None:
        self.table = table
        self.sheet_type = sheet_type
        self.expected += max(table.estimated_rows - 1, 0)
        columns = None
        for number, row in table.rows:
            if not any(_filled(value) for value in row):
                continue
            if columns is None:
                columns = self._header(number, row)
                continue
            self.count += 1
            if self.count > MAX_ROWS:
                raise FileError(
                    f"The file has more than {MAX_ROWS:,} rows; split it into several files."
                )
            self._row(number, row, columns)
            if self.progress and self.count % PROGRESS_EVERY == 0:
                self.progress(self.count, max(self.expected, self.count))

    def finish(self) -> None:
        if self.progress:
            self.progress(self.count, self.count)
        if not self.parsed.rows and not self.parsed.problems:
            self.parsed.problems.append(
                Problem(
                    0, "", "The file has no rows to import: fill in the template below its headers."
                )
            )

    # --- headers ----------------------------------------------------------------------

    def _header(self, number: int, row: list[Any]) -> _Columns:
        columns, unknown = _Columns(), []
        for index, value in enumerate(row):
            written = str(value or "").strip()
            if not written:
                continue
            fld = _FIELD_OF.get(header_key(written))
            if fld is None:
                unknown.append(written)
            elif fld in columns.index:
                self._problem(
                    number,
                    written,
                    f"The columns '{columns.header[fld]}' and '{written}' both hold {fld}: "
                    "keep one of them (Headway would not know which to use).",
                )
            else:
                columns.index[fld] = index
                columns.header[fld] = written
                self.parsed.columns.append(written)
                self.parsed.header_of.setdefault(fld, written)
        if unknown:
            self.parsed.warnings.append(
                Problem(
                    number,
                    "",
                    f"Not imported: the columns {', '.join(repr(u) for u in unknown)} "
                    "mean nothing to Headway (see the template for the columns it reads).",
                    self.table.sheet,
                )
            )
        if self.sheet_type is None and "type" not in columns.index:
            self._missing(
                number, "type", "it says whether a row is an objective, key result or check-in"
            )
        self.header_row = number
        return columns

    def _missing(self, number: int, fld: str, why: str) -> None:
        key = (self.table.sheet, fld)
        if key in self.missing_reported:
            return
        self.missing_reported.add(key)
        self.parsed.absent_columns.add(fld)
        self._problem(
            number, fld, f"The column '{fld}' is missing: {why}. Add it (see the template)."
        )

    def _require(self, kind: str, columns: _Columns) -> bool:
        """Report each column `kind` needs that the table lacks (once); True if all there."""
        complete = True
        for options in REQUIRED[kind]:
            if not any(option in columns.index for option in options):
                complete = False
                name = " or ".join(options)
                self._missing(self.header_row, name, WHY[kind])
                self.parsed.absent_columns.update(options)
        return complete

    # --- rows -------------------------------------------------------------------------

    def _row(self, number: int, row: list[Any], columns: _Columns) -> None:
        cell = _Cell(self, number, row, columns)
        kind = self.sheet_type or _type(cell.text("type"))
        if kind is None and "type" not in columns.index:
            return  # the missing column is reported once, with the header
        if kind is None:
            written = cell.text("type")
            cell.problem(
                "type",
                f"'{written}' is not a type of row: write objective, key result or check-in."
                if written
                else "Say what the row is in the type column: objective, key result or check-in.",
            )
            return
        self._require(kind, columns)
        sheet = self.table.sheet
        if kind == OBJECTIVE:
            self.parsed.objectives.append(
                ObjectiveRow(
                    row=number,
                    ref=cell.ref("ref"),
                    title=cell.text("title"),
                    cycle=cell.text("cycle"),
                    team=cell.text("team"),
                    owner=cell.text("owner"),
                    description=cell.text("description"),
                    parent_ref=cell.ref("parent"),
                    theme=cell.text("theme"),
                    status=cell.text("status").lower(),
                    visibility=cell.text("visibility").lower(),
                    link=cell.text("link").lower(),
                    sheet=sheet,
                )
            )
        elif kind == KEY_RESULT:
            self.parsed.key_results.append(_key_result(cell, number, sheet))
        else:
            checkin = _checkin(cell, number, sheet)
            if checkin is not None:
                self.parsed.checkins.append(checkin)

    def _problem(self, row: int, column: str, message: str) -> None:
        self.parsed.problems.append(Problem(row, column, message, self.table.sheet))


class _Cell:
    """The cells of one row by field, reporting what cannot be read at its place."""

    def __init__(self, reader: _Reader, number: int, row: list[Any], columns: _Columns) -> None:
        self.reader, self.row_number, self.row, self.columns = reader, number, row, columns

    def raw(self, fld: str, quiet: bool = False) -> Any:
        """The cell's value; a formula is reported (unless `quiet`) and read as empty."""
        index = self.columns.index.get(fld)
        if index is None or index >= len(self.row):
            return None
        value = self.row[index]
        if isinstance(value, Formula):
            if not quiet:
                self.problem(fld, FORMULA)
            return None
        return value

    def given(self, fld: str) -> bool:
        """Whether the cell holds anything, a formula included."""
        index = self.columns.index.get(fld)
        return index is not None and index < len(self.row) and _filled(self.row[index])

    def problem(self, fld: str, message: str) -> None:
        column = self.columns.header.get(fld, fld)
        self.reader._problem(self.row_number, column, message)

    def text(self, fld: str) -> str:
        value = self.raw(fld)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            result = cells.text(value)
        except CellError as error:
            self.problem(fld, str(error))
            return ""
        return result[1:] if _ESCAPED.match(result) else result

    def ref(self, fld: str) -> str:
        return self.text(fld)

    def number(self, fld: str) -> tuple[float | None, str]:
        value = self.raw(fld)
        if not _filled(value):
            return None, ""
        try:
            return cells.number(value, self.reader.table.decimal)
        except CellError as error:
            self.problem(fld, str(error))
            return None, ""

    def whole(self, fld: str) -> int | None:
        value = self.raw(fld)
        if not _filled(value):
            return None
        try:
            return cells.whole_number(value)
        except CellError as error:
            self.problem(fld, str(error))
            return None

    def date(self, fld: str) -> Any:
        value = self.raw(fld)
        if not _filled(value):
            return None
        try:
            table = self.reader.table
            return cells.date(value, serials=table.serial_dates, day_first=table.day_first)
        except CellError as error:
            self.problem(fld, str(error))
            return None


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _type(text: str) -> str | None:
    return TYPES.get(header_key(text))


def kind_of(text: str) -> str:
    """A key result's kind in Headway's words; unknown words are kept for the validator
    to refuse by name. Empty means increase."""
    key = header_key(text)
    return KINDS.get(key, key) if key else "increase"


def _key_result(cell: _Cell, number: int, sheet: str) -> KeyResultRow:
    start, unit_start = cell.number("start")
    target, unit_target = cell.number("target")
    current, unit_current = cell.number("current")
    weight, _ = cell.number("weight")
    unit = cell.text("unit") or unit_target or unit_start or unit_current
    return KeyResultRow(
        row=number,
        ref=cell.ref("ref"),
        objective_ref=cell.ref("objective"),
        title=cell.text("title"),
        kind=kind_of(cell.text("kind")),
        start=start,
        target=target,
        current=current,
        unit=unit,
        owner=cell.text("owner"),
        sheet=sheet,
        weight=weight,
        status=cell.text("status").lower(),
        confidence=cell.whole("confidence"),
    )


def _checkin(cell: _Cell, number: int, sheet: str) -> CheckInRow | None:
    on = cell.date("date")
    value = _checkin_value(cell)
    confidence = cell.whole("confidence")
    for fld, got in (("date", on), ("value", value)):
        if got is None and fld in cell.columns.index and not cell.given(fld):
            cell.problem(fld, f"Give the check-in's {fld}.")
    if on is None or value is None:
        return None  # reported above, or where the cell could not be read
    return CheckInRow(
        row=number,
        key_result_ref=cell.ref("key result"),
        on=on,
        value=value,
        confidence=confidence,
        note=cell.text("note"),
        sheet=sheet,
    )


def _checkin_value(cell: _Cell) -> float | None:
    raw = cell.raw("value")
    if isinstance(raw, str) and not re.search(r"\d", raw) and raw.strip():
        try:
            return scoring.milestone_value(raw)  # done / not done, for milestones
        except ValueError:
            pass
    value, _ = cell.number("value")
    return value
