"""Helpers of the spreadsheet import tests: files written from rows, and an import run
through the services as the worker would run it (validate, confirm, write)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from headway.accounts.models import Membership
from headway.goals.models import ActivityEvent, AlignmentLink, CheckIn, KeyResult, Objective
from headway.transfer import services
from headway.transfer.models import ImportJob

HEADERS = [
    "type", "ref", "title", "description", "cycle", "team", "owner", "parent", "theme",
    "link", "status", "visibility", "objective", "kind", "start", "target", "current",
    "unit", "weight", "key result", "date", "value", "confidence", "note",
]  # fmt: skip


def csv_bytes(
    rows: Iterable[dict[str, Any]],
    headers: Sequence[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def objective(ref: str, title: str, cycle: str = "Now", **more: Any) -> dict[str, Any]:
    return {"type": "objective", "ref": ref, "title": title, "cycle": cycle, **more}


def key_result(ref: str, of: str, title: str, **more: Any) -> dict[str, Any]:
    values = {"kind": "increase", "start": 0, "target": 100}
    return {"type": "key result", "ref": ref, "objective": of, "title": title, **values, **more}


def checkin(kr: str, on: Any, value: Any, confidence: Any = 7, **more: Any) -> dict[str, Any]:
    return {
        "type": "check-in",
        "key result": kr,
        "date": str(on),
        "value": value,
        "confidence": confidence,
        **more,
    }


def checked(
    member: Membership, content: bytes, fmt: str = "csv", name: str = "okrs.csv"
) -> ImportJob:
    """Upload and validate (what the first task does)."""
    job = services.import_upload(
        member=member, filename=name, content=content, format=fmt, queue=False
    )
    result = services.import_validate(job.pk)
    assert result is not None
    return result


def imported(
    member: Membership, content: bytes, fmt: str = "csv", name: str = "okrs.csv"
) -> ImportJob:
    """Upload, validate, confirm and write; fails the test when the file has problems."""
    job = checked(member, content, fmt, name)
    assert job.status == "ready", job.errors
    services.import_confirm(member=member, job_id=job.pk)
    written = services.import_write(job.pk)
    assert written is not None
    return written


def counts() -> dict[str, int]:
    """Rows of every table an import writes to."""
    return {
        model.__name__: model.objects.count()
        for model in (Objective, KeyResult, AlignmentLink, CheckIn, ActivityEvent)
    }


def messages(job: ImportJob) -> list[str]:
    return [error["message"] for error in job.errors]


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An Excel file with these sheets (name → rows), as an upload would bring it."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
