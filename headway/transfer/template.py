"""The import template, written from code so it always matches what the reader reads.
Pure (no Django).

The CSV is one table with a `type` column; the workbook has a "Read me" sheet (every
column, what it takes, for which rows) and the sheets Objectives, Key results and
Check-ins. Both carry example rows that use the organisation's own names (a cycle, a
team, the downloading admin's e-mail, a theme), so the template imports as it is into
the organisation it was downloaded from: delete the examples and fill in your own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from .spreadsheet import CHECKIN, KEY_RESULT, OBJECTIVE, TEMPLATE_HEADERS

# Column → (the rows it is for, what it takes). docs/import-export.md has the same table.
COLUMN_HELP: dict[str, tuple[str, str]] = {
    "type": ("all (one-table layout)", "objective, key result or check-in."),
    "ref": (
        "objectives, key results",
        "Your own short reference, unique in the file (O1, K1.2 …). Other rows point to it.",
    ),
    "title": (
        "objectives, key results",
        "What you want to achieve / what is measured (≤ 200 characters).",
    ),
    "description": ("objectives", "Optional context."),
    "cycle": ("objectives", "The cycle's name, as in Headway (Cycles page)."),
    "team": (
        "objectives",
        "The owning team's name, or its path when names repeat: Operations / Hubs. Leave "
        "empty for a personal objective.",
    ),
    "owner": (
        "objectives, key results",
        "E-mail of a member (or their full name). An objective with a team belongs to the "
        "team, and its owner becomes the owner of its key results that name none.",
    ),
    "parent": (
        "objectives",
        "The ref of the objective or key result this objective aligns to (in the same file).",
    ),
    "theme": ("objectives", "The title of a strategic theme this objective aligns to."),
    "link": ("objectives", "contributes (default: counts in the parent's progress) or supports."),
    "status": (
        "objectives, key results",
        "Objectives: active (default), draft or closed. Key results: active or dropped.",
    ),
    "visibility": ("objectives", "public (default) or private (its team and admins only)."),
    "objective": ("key results", "The ref of the key result's objective."),
    "kind": (
        "key results",
        "increase (default), decrease, milestone, maintain above or maintain below.",
    ),
    "start": ("key results", "The value you start from (increase and decrease)."),
    "target": (
        "key results",
        "The value you aim for; for maintain, the threshold. 12.5, 1,250, 45% and 1 200 € are all read.",
    ),
    "current": (
        "key results",
        "Optional: today's value, recorded as a check-in of the import day when no check-in row gives one.",
    ),
    "unit": (
        "key results",
        "%, EUR, tickets, ms … (≤ 20 characters); taken from 45% or € when empty.",
    ),
    "weight": ("key results", "Optional weight in the objective's progress (default 1)."),
    "key result": ("check-ins", "The ref of the key result checked in."),
    "date": (
        "check-ins",
        "The day of the check-in, inside the objective's cycle: 2026-03-31 (31/03/2026 and 31.03.2026 are read too).",
    ),
    "value": ("check-ins", "The key result's value that day; done or not done for a milestone."),
    "confidence": (
        "check-ins, key results",
        "0 to the organisation's confidence scale (10 by default).",
    ),
    "note": ("check-ins", "Optional note."),
}

SHEET_COLUMNS: dict[str, list[str]] = {
    OBJECTIVE: [
        "ref",
        "title",
        "description",
        "cycle",
        "team",
        "owner",
        "parent",
        "theme",
        "link",
        "status",
        "visibility",
    ],
    KEY_RESULT: [
        "ref",
        "objective",
        "title",
        "kind",
        "start",
        "target",
        "current",
        "unit",
        "weight",
        "owner",
        "status",
        "confidence",
    ],
    CHECKIN: ["key result", "date", "value", "confidence", "note"],
}
SHEET_NAMES = {OBJECTIVE: "Objectives", KEY_RESULT: "Key results", CHECKIN: "Check-ins"}


@dataclass(frozen=True)
class Example:
    """Names of the organisation the example rows use (placeholders when it has none)."""

    cycle: str = "Q1 2026"
    team: str = "Operations / Hubs"
    owner: str = "you@example.com"
    theme: str = ""
    checkin_days: tuple[dt.date, ...] = (dt.date(2026, 1, 12), dt.date(2026, 1, 26))


def example_rows(example: Example) -> list[tuple[str, dict[str, Any]]]:
    """(type, {column: value}) for the example: two objectives, one aligned to the
    other's key result, key results of every kind, and check-ins."""
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            OBJECTIVE,
            {
                "ref": "O1",
                "title": "Deliver every order on time",
                "description": "Late deliveries are our customers' first complaint.",
                "cycle": example.cycle,
                "team": example.team,
                "theme": example.theme,
            },
        ),
        (
            KEY_RESULT,
            {
                "ref": "K1",
                "objective": "O1",
                "title": "On-time deliveries",
                "kind": "increase",
                "start": 82,
                "target": 95,
                "unit": "%",
            },
        ),
        (
            KEY_RESULT,
            {
                "ref": "K2",
                "objective": "O1",
                "title": "Complaints about late orders per week",
                "kind": "decrease",
                "start": 40,
                "target": 10,
            },
        ),
        (
            KEY_RESULT,
            {"ref": "K3", "objective": "O1", "title": "New routing live", "kind": "milestone"},
        ),
        (
            KEY_RESULT,
            {
                "ref": "K4",
                "objective": "O1",
                "title": "Customer satisfaction stays at 8 or more",
                "kind": "maintain above",
                "target": 8,
            },
        ),
        (
            OBJECTIVE,
            {
                "ref": "O2",
                "title": "Make returns painless",
                "cycle": example.cycle,
                "owner": example.owner,
                "parent": "K1",
                "link": "contributes",
            },
        ),
        (
            KEY_RESULT,
            {
                "ref": "K5",
                "objective": "O2",
                "title": "Returns handled within 24 hours",
                "start": 50,
                "target": 90,
                "unit": "%",
            },
        ),
    ]
    values = {"K1": (84, 87), "K5": (55, 61)}
    for ref, (first, second) in values.items():
        for day, value in zip(example.checkin_days, (first, second), strict=False):
            rows.append(
                (
                    CHECKIN,
                    {"key result": ref, "date": day, "value": value, "confidence": 7, "note": ""},
                )
            )
    if example.checkin_days:
        rows.append(
            (
                CHECKIN,
                {
                    "key result": "K3",
                    "date": example.checkin_days[-1],
                    "value": "not done",
                    "confidence": 6,
                    "note": "Routing pilot in two hubs",
                },
            )
        )
    return rows


def template_csv(example: Example | None = None) -> bytes:
    """The one-table template as UTF-8 CSV with a byte order mark (so Excel reads it
    as UTF-8), comma-separated."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    for kind, values in example_rows(example or Example()):
        row = {"type": kind, **values}
        writer.writerow([_csv_cell(row.get(header, "")) for header in TEMPLATE_HEADERS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def template_xlsx(example: Example | None = None) -> bytes:
    """The workbook template: Read me, Objectives, Key results, Check-ins."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    readme = workbook.active
    readme.title = "Read me"
    readme.append(["Headway import template"])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(
        [
            "Fill in the three sheets (delete the example rows first), then upload the file "
            "on Settings › Import. Nothing is written until every row is valid and you confirm."
        ]
    )
    readme.append([])
    readme.append(["Column", "For", "What it takes"])
    for cell in readme[4]:
        cell.font = Font(bold=True)
    for column, (rows_for, text) in COLUMN_HELP.items():
        if column != "type":
            readme.append([column, rows_for, text])
    readme.column_dimensions["A"].width = 14
    readme.column_dimensions["B"].width = 24
    readme.column_dimensions["C"].width = 110
    for row in readme.iter_rows(min_row=5):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    sheets = {}
    for kind, name in SHEET_NAMES.items():
        sheet = workbook.create_sheet(name)
        sheet.append(SHEET_COLUMNS[kind])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(SHEET_COLUMNS[kind]):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            sheet.column_dimensions[letter].width = (
                36 if column in ("title", "description", "note") else 14
            )
        sheets[kind] = sheet
    for kind, values in example_rows(example or Example()):
        sheet = sheets[kind]
        sheet.append([values.get(column, "") for column in SHEET_COLUMNS[kind]])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
