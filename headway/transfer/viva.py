"""The Viva Goals importer: an Explorer export or a filled-in import template (CSV or
XLSX) read into Headway's import rows. Pure (no Django).

Viva Goals (retired by Microsoft on 31 December 2025) exported the columns a person
chose, so the reader first recognises the headers (`viva_columns`) and lets a mapping
say what the rest hold. Each row is an objective or a key result ("Object type");
Organization, Team and Individual ("Type") decide who owns an objective; "OKR
Reference" and "Parent OKR" carry alignment. A key result belongs to its "Parent OKR",
or, in an Explorer export that lists key results under their objective, to the
objective above it. A workbook may add a check-in history on a sheet named
"Check-ins". docs/import-export.md ("Viva Goals") lists every rule.

With a `directory` of the organisation (members, top teams, cycles), owners given by
name become e-mail addresses, organisation-level objectives go to the top team and
time periods match cycle names written another way ("Q1 2025" and "2025 Q1"); without
one, the rows keep what the file says and the validator reports what does not match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import cells
from .cells import CellError
from .rows import CheckInRow, KeyResultRow, ObjectiveRow, Parsed, Problem
from .viva_columns import (
    CLOSED_STATUSES,
    DRAFT_STATUSES,
    DROPPED_STATUSES,
    FIELDS,
    KIND_WORDS,
    LEVEL_WORDS,
    MISSING_LABELS,
    PRIVATE_WORDS,
    ColumnDetection,
    detect_viva_columns,
    words,
)
from .viva_directory import VivaDirectory, resolve, viva_directory
from .viva_sheets import (
    Row,
    Sheet,
    SheetReader,
    filled,
    has_rows,
    header_row,
    header_text,
    headers_of,
    main_sheet,
    progress_as_fractions,
    read_sheets,
    viva_headers,
)

__all__ = [
    "ORGANISATION_TEAM",
    "VivaDirectory",
    "read_viva",
    "viva_directory",
    "viva_headers",
]

# The team of an organisation-level objective until a directory names the top team.
ORGANISATION_TEAM = "(organisation)"
# Viva field → the name the pipeline gives the same field (Parsed.header_of).
PIPELINE_NAMES = {"parent_ref": "parent", "checkin_date": "date", "checkin_note": "note"}


@dataclass
class _Okr:
    """One row of the export, as text and numbers, before it becomes an import row."""

    row: int
    kind: str  # objective / key_result
    ref: str
    title: str
    level: str = ""
    team: str = ""
    owner: str = ""
    cycle: str = ""
    parent: str = ""
    description: str = ""
    status: str = ""
    progress: float | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str = ""
    tags: list[str] = field(default_factory=list)
    private: bool = False
    objective_ref: str = ""  # for key results: the objective they belong to


def read_viva(
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    *,
    directory: VivaDirectory | None = None,
) -> Parsed:
    """Read a Viva Goals export or import template into objectives, key results and
    check-ins, with every problem at its row and column. `mapping` (source header →
    Headway field, see `viva_columns.FIELDS`) helps detection; `directory` lets owners
    be names and time periods be written another way."""
    parsed = Parsed()
    sheets = [s for s in read_sheets(content, filename, parsed) if has_rows(s)]
    if parsed.problems:
        return parsed
    if not sheets:
        parsed.problems.append(Problem(0, "", "The file is empty: export the OKRs again."))
        return parsed
    main, header_at = main_sheet(sheets, mapping)
    detection = detect_viva_columns(headers_of(main, header_at), mapping)
    _describe_columns(parsed, detection, header_at, main.name)
    reader = SheetReader(main, detection, parsed)
    if not _columns_ready(reader, header_at):
        return parsed
    reader.fractions = progress_as_fractions(main, header_at, detection)
    okrs = _okrs(reader, header_at)
    _link(reader, okrs)
    _emit(reader, okrs)
    history = next((s for s in sheets if s is not main and "check" in words(s.name)), None)
    if history is not None:
        _read_checkins(history, mapping, okrs, parsed)
    if directory is not None:
        resolve(parsed, directory, ORGANISATION_TEAM, detection.header("level"))
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem(0, "", "The file has no objectives or key results."))
    return parsed


def _describe_columns(
    parsed: Parsed, detection: ColumnDetection, header_at: int, sheet: str
) -> None:
    """Record which header holds which field, and warn of the columns left out."""
    parsed.columns = [h for h in detection.headers if h]
    for name in FIELDS:
        header = detection.header(name)
        if header and name != "ignore":
            parsed.header_of.setdefault(PIPELINE_NAMES.get(name, name), header)
    if detection.header("parent_ref"):
        parsed.header_of.setdefault("objective", detection.header("parent_ref"))
    if detection.header("level"):  # the import template's Type holds team names too
        parsed.header_of.setdefault("team", detection.header("level"))
    unused = [detection.headers[i] for i in detection.positions("ignore")] + detection.unknown
    if unused:
        parsed.warnings.append(
            Problem(
                header_at,
                "",
                f"Not imported: {', '.join(repr(h) for h in unused)} (Headway has no place"
                " for them, or does not know them: choose a field for a column in the"
                " mapping step if it holds one).",
                sheet,
            )
        )


def _columns_ready(reader: SheetReader, header_at: int) -> bool:
    for header in reader.detection.invalid:
        reader.problem(header_at, header, "The mapping names no Headway field for this column.")
    for name in reader.detection.missing:
        reader.parsed.absent_columns.add(name)
        reader.problem(
            header_at,
            "",
            f"No column holds {MISSING_LABELS[name]}: choose it in the mapping step, or"
            " export the column from Viva Goals.",
        )
    return not reader.detection.missing and not reader.detection.invalid


# --- Rows ----------------------------------------------------------------------------


def _okrs(reader: SheetReader, header_at: int) -> list[_Okr]:
    kind_column = _kind_column(reader, header_at)
    okrs: list[_Okr] = []
    for number, values in reader.sheet.rows:
        if number <= header_at or not any(filled(v) for v in values):
            continue
        kind = _kind(reader, number, values, kind_column)
        if kind is not None:
            okrs.append(_okr(reader, number, values, kind, kind_column == "level"))
    return okrs


def _kind_column(reader: SheetReader, header_at: int) -> str:
    """Which column tells objectives from key results: "kind", or a "Type" column that
    holds "Objective" and "Key Result" rather than levels; "" when none does."""
    if reader.detection.position("kind") is not None:
        return "kind"
    at = reader.detection.position("level")
    values = {
        words(header_text(row[at]))
        for number, row in reader.sheet.rows
        if number > header_at and at is not None and at < len(row)
    } - {""}
    return "level" if values and values <= KIND_WORDS.keys() else ""


def _kind(reader: SheetReader, row: int, values: Row, column: str) -> str | None:
    if not column:
        return "objective"
    written = reader.text(row, values, column)
    kind = KIND_WORDS.get(words(written), "") if written else "objective"
    if kind == "project":
        reader.parsed.warnings.append(
            Problem(
                row,
                reader.detection.header(column),
                f"Not imported: {reader.text(row, values, 'title')!r} is a Viva project"
                " (work, not an outcome); add it as an initiative of its key result.",
                reader.sheet.name,
            )
        )
        return None
    if not kind:
        reader.problem(row, column, f"{written!r} is neither Objective nor Key Result.")
        return None
    return kind


def _okr(reader: SheetReader, row: int, values: Row, kind: str, type_is_kind: bool) -> _Okr:
    progress, _ = reader.number(row, values, "progress")
    start, unit_start = reader.number(row, values, "start")
    target, unit_target = reader.number(row, values, "target")
    current, unit_current = reader.number(row, values, "current")
    unit = reader.text(row, values, "unit") or unit_target or unit_start or unit_current
    okr = _Okr(
        row=row,
        kind=kind,
        ref=reader.text(row, values, "ref") or f"row {row}",
        title=reader.text(row, values, "title"),
        level="" if type_is_kind else reader.text(row, values, "level"),
        team=reader.text(row, values, "team"),
        owner=first_owner(reader.text(row, values, "owner", lines=True)),
        cycle=reader.text(row, values, "cycle"),
        parent=_first_parent(reader, row, reader.text(row, values, "parent_ref", lines=True)),
        description=reader.text(row, values, "description", lines=True),
        status=reader.text(row, values, "status"),
        progress=progress,
        start=start,
        target=target,
        current=current,
        unit=unit[:20],
        tags=[t.strip() for v in reader.texts(row, values, "tags") for t in v.split(",")],
        private=words(reader.text(row, values, "visibility")) in PRIVATE_WORDS,
    )
    okr.tags = [t for t in okr.tags if t]
    return okr


def _first_parent(reader: SheetReader, row: int, value: str) -> str:
    """Viva could align an OKR to several parents (one a line, or separated by
    semicolons); the file's row keeps the first, and a warning names the others."""
    parents = [p.strip() for p in value.replace("\n", ";").split(";") if p.strip()]
    if len(parents) > 1:
        reader.parsed.warnings.append(
            Problem(
                row,
                reader.detection.header("parent_ref"),
                f"Aligned to {parents[0]!r} only: add the links to"
                f" {', '.join(repr(p) for p in parents[1:])} on the objective's page.",
                reader.sheet.name,
            )
        )
    return " ".join(parents[0].split()) if parents else ""


def first_owner(value: str) -> str:
    """Viva OKRs may have several owners; Headway's have one: the first. Owners are
    separated by semicolons or line breaks, or by commas between e-mail addresses (a
    comma alone may be part of "Stone, Ava")."""
    parts = [p.strip() for p in value.replace("\n", ";").split(";") if p.strip()]
    if not parts:
        return ""
    commas = [p.strip() for p in parts[0].split(",") if p.strip()]
    return commas[0] if len(commas) > 1 and all("@" in p for p in commas) else parts[0]


def _link(reader: SheetReader, okrs: list[_Okr]) -> None:
    """Resolve "Parent OKR" (a reference, or a title when the export has no references)
    and give each key result its objective."""
    by_ref = {o.ref: o for o in reversed(okrs)}
    by_title: dict[str, list[_Okr]] = {}
    for okr in okrs:
        by_title.setdefault(_key(okr.title), []).append(okr)
    above: _Okr | None = None
    for okr in okrs:
        parent = _find(reader, okr, by_ref, by_title) if okr.parent else None
        if okr.kind == "objective":
            above = okr
            okr.parent = parent.ref if parent else okr.parent
            continue
        objective = parent if okr.parent else above
        if objective is None:
            _orphan(reader, okr)
        elif objective.kind != "objective":
            reader.problem(
                okr.row,
                "parent_ref",
                f"The parent of key result {okr.title!r} is a key result (row"
                f" {objective.row}); in Headway a key result belongs to an objective.",
            )
        else:
            okr.objective_ref = objective.ref


def _find(
    reader: SheetReader, okr: _Okr, by_ref: dict[str, _Okr], by_title: dict[str, list[_Okr]]
) -> _Okr | None:
    if okr.parent in by_ref:
        return by_ref[okr.parent]
    same = [o for o in by_title.get(_key(okr.parent), []) if o is not okr]
    if len(same) > 1:
        reader.problem(
            okr.row,
            "parent_ref",
            f"{okr.parent!r} is the title of several OKRs (rows"
            f" {', '.join(str(o.row) for o in same)}): use the parent's OKR Reference.",
        )
    return same[0] if len(same) == 1 else None


def _orphan(reader: SheetReader, okr: _Okr) -> None:
    if okr.parent:
        reader.problem(
            okr.row,
            "parent_ref",
            f"The objective {okr.parent!r} of key result {okr.title!r} is not in the file.",
        )
        return
    has_parent = reader.detection.position("parent_ref") is not None
    reader.problem(
        okr.row,
        "parent_ref" if has_parent else "",
        f"Key result {okr.title!r} has no objective: put its objective's OKR Reference in"
        " Parent OKR, or list it under its objective.",
    )


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def _emit(reader: SheetReader, okrs: list[_Okr]) -> None:
    with_krs = {o.objective_ref for o in okrs if o.kind == "key_result"}
    for okr in okrs:
        if okr.kind == "objective":
            reader.parsed.objectives.append(_objective_row(reader, okr))
            if okr.ref not in with_krs and okr.target is not None:
                # An objective Viva measured with its own metric keeps it as one key result.
                okr.objective_ref = okr.ref
                reader.parsed.key_results.append(_key_result_row(reader, okr, f"{okr.ref} KR"))
        elif okr.objective_ref:
            reader.parsed.key_results.append(_key_result_row(reader, okr, okr.ref))


def _objective_row(reader: SheetReader, okr: _Okr) -> ObjectiveRow:
    team, owner = _owner_of(reader, okr)
    status = words(okr.status)
    return ObjectiveRow(
        row=okr.row,
        ref=okr.ref,
        title=okr.title,
        cycle=okr.cycle,
        team=team,
        owner=owner,
        description=_description(okr),
        parent_ref=okr.parent,
        status="closed"
        if status in CLOSED_STATUSES
        else "draft"
        if status in DRAFT_STATUSES
        else "",
        visibility="private" if okr.private else "",
        sheet=reader.sheet.name,
    )


def _owner_of(reader: SheetReader, okr: _Okr) -> tuple[str, str]:
    """(team, owner) of an objective from Viva's Type: Organization → the top team,
    Team → the Team column, Individual → the owner, any other word → a team's name."""
    level = LEVEL_WORDS.get(words(okr.level), "") if okr.level else ""
    if okr.level and not level:
        return okr.level, okr.owner  # the import template puts the team's name in Type
    if level == "organisation":
        return ORGANISATION_TEAM, okr.owner
    if level == "team" or (not level and okr.team):
        if not okr.team:
            reader.problem(okr.row, "team", "A team objective needs the team's name.")
        return okr.team, okr.owner
    return "", okr.owner


def _description(okr: _Okr) -> str:
    """The description, then what Headway has no field for: Viva's status, the progress
    of an objective measured without a metric, and tags."""
    notes = []
    if okr.status:
        notes.append(f"status {okr.status}")
    if okr.progress is not None and okr.target is None:
        notes.append(f"progress {okr.progress:g}%")
    if okr.tags:
        notes.append("tags " + ", ".join(okr.tags))
    line = f"From Viva Goals: {'; '.join(notes)}." if notes else ""
    return "\n\n".join(p for p in (okr.description, line) if p)


def _key_result_row(reader: SheetReader, okr: _Okr, ref: str) -> KeyResultRow:
    start, target, current, unit = _numbers(okr)
    return KeyResultRow(
        row=okr.row,
        ref=ref,
        objective_ref=okr.objective_ref,
        title=okr.title,
        kind="decrease" if target < start else "increase",
        start=start,
        target=target,
        current=current,
        unit=unit,
        owner=okr.owner,
        sheet=reader.sheet.name,
        status="dropped" if words(okr.status) in DROPPED_STATUSES else "",
    )


def _numbers(okr: _Okr) -> tuple[float, float, float | None, str]:
    """(start, target, current, unit). A metric keeps its numbers (start 0 when Viva had
    none); a key result with only a progress percentage goes from 0 to 100 %."""
    if okr.target is None:
        return 0.0, 100.0, okr.progress, "%"
    start = okr.start if okr.start is not None else 0.0
    current = okr.current
    if current is None and okr.progress is not None:
        current = start + (okr.target - start) * okr.progress / 100
    return start, okr.target, current, okr.unit


# --- Check-in history ----------------------------------------------------------------


def _read_checkins(
    sheet: Sheet, mapping: Mapping[str, str] | None, okrs: list[_Okr], parsed: Parsed
) -> None:
    """A sheet of check-ins: which key result (reference or title), a date, a value (or
    a progress percentage) and a note."""
    header_at, _ = header_row(sheet, mapping)
    detection = detect_viva_columns(headers_of(sheet, header_at), mapping)
    reader = SheetReader(sheet, detection, parsed)
    krs = {o.ref: o for o in okrs if o.kind == "key_result" and o.objective_ref}
    titled = {_key(o.title): o for o in reversed(list(krs.values()))}
    value = "current" if detection.position("current") is not None else "progress"
    if detection.position("checkin_date") is None or detection.position(value) is None:
        reader.problem(header_at, "", "The check-in sheet needs a date column and a value column.")
        return
    for number, values in sheet.rows:
        if number <= header_at or not any(filled(v) for v in values):
            continue
        which = reader.text(number, values, "ref") or reader.text(number, values, "title")
        kr = krs.get(which) or titled.get(_key(which))
        if kr is None:
            reader.problem(number, "", f"No key result {which!r} in the OKR sheet.")
            continue
        checkin = _checkin(reader, number, values, kr, value)
        if checkin is not None:
            parsed.checkins.append(checkin)
    # The history is the record: a key result with check-ins takes its value from the
    # latest of them, not from the export's "current" (which may have been edited).
    with_history = {c.key_result_ref for c in parsed.checkins}
    for row in parsed.key_results:
        if row.ref in with_history:
            row.current = None


def _checkin(
    reader: SheetReader, number: int, values: Row, kr: _Okr, value_field: str
) -> CheckInRow | None:
    on = _date(reader, number, values)
    value, _ = reader.number(number, values, value_field)
    if on is None or value is None:
        return None
    if value_field == "progress" and kr.target is not None:
        start = kr.start or 0.0
        value = start + (kr.target - start) * value / 100
    note = reader.text(number, values, "checkin_note", lines=True)
    return CheckInRow(number, kr.ref, on, value, None, note, reader.sheet.name)


def _date(reader: SheetReader, row: int, values: Row) -> dt.date | None:
    value = reader.raw(row, values, "checkin_date")
    try:
        return cells.date(value, serials=True)
    except CellError as error:
        reader.problem(row, "checkin_date", str(error))
        return None
