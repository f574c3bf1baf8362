"""Imports (owners and admins): upload a file, poll its job, confirm it, cancel it; and
the template to fill in. The job's status moves validating → invalid | ready →
importing → done | failed; `errors` lists every problem with its row and column."""

# No `from __future__ import annotations` in router modules (see goals_learning.py).

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from headway.accounts.services import require_admin
from headway.transfer import services
from headway.transfer.models import ImportJob
from headway.transfer.selectors import import_job_get, import_jobs_list, template_example
from headway.transfer.template import template_csv, template_xlsx

from .auth import member_of
from .common import BODY_ERRORS, READ_ERRORS, WRITE_ERRORS, Id, Pages, responses

router = Router(tags=["imports"])

TEMPLATES = {
    "headway-import.csv": ("text/csv; charset=utf-8", template_csv),
    "headway-import.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        template_xlsx,
    ),
}


class ImportProblemOut(Schema):
    row: int = Field(
        ..., description="As the spreadsheet counts it (the header is 1); 0 for the file."
    )
    column: str = Field(
        ..., description="The column's header as written; empty for the row or file."
    )
    message: str
    sheet: str = Field("", description="The sheet of a workbook with several.")


class ImportJobSummaryOut(Schema):
    id: int
    format: str = Field(..., description="csv, xlsx, viva or json.")
    filename: str
    size: int
    status: str = Field(..., description="validating, invalid, ready, importing, done or failed.")
    progress: int = Field(..., description="Rows read so far.")
    total: int = Field(..., description="Rows expected (an estimate while validating).")
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportJobOut(ImportJobSummaryOut):
    errors: list[ImportProblemOut] = Field(..., description="Every problem; empty unless invalid.")
    preview: dict[str, Any] = Field(
        ...,
        description="Once ready: counts, the first objectives with their key results, the "
        "teams and owners matched, warnings.",
    )
    created: dict[str, Any] = Field(..., description="Once done: what was written.")


@router.post(
    "/imports",
    response=responses({202: ImportJobOut}, BODY_ERRORS),
    summary="Upload a file to import (multipart: file; format csv, xlsx, viva or json, "
    "left out: from the file); answers the job to poll",
)
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[str] = "",
    mapping: Form[str] = "",
) -> Status[ImportJob]:
    member = member_of(request)
    require_admin(member, "import files")
    services.upload_size_check(file.size or 0)  # before reading a file that is too large
    content = file.read()
    job = services.import_upload(
        member=member,
        filename=file.name or "",
        content=content,
        format=services.format_detect(file.name or "", content, format),
        mapping=_mapping(mapping),
    )
    return Status(202, job)


def _mapping(text: str) -> dict[str, str]:
    """A Viva Goals file's column mapping, as JSON: {"source header": "field"}."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationError(
            {"mapping": 'Send the mapping as a JSON object: {"Source header": "field", …}.'}
        )
    return {str(k): v for k, v in value.items()}


@router.get(
    "/imports",
    response=responses({200: list[ImportJobSummaryOut]}, (*READ_ERRORS, 403)),
    summary="The organisation's latest imports (owners and admins)",
)
@paginate(Pages)
def imports(request: HttpRequest) -> Any:
    return import_jobs_list(member_of(request))


@router.get(
    "/imports/{job_id}",
    response=responses({200: ImportJobOut}, (*READ_ERRORS, 403)),
    summary="One import: poll its status, progress, problems, preview and result",
)
def import_get(request: HttpRequest, job_id: Id) -> ImportJob:
    return import_job_get(member_of(request), job_id)


@router.post(
    "/imports/{job_id}/confirm",
    response=responses({202: ImportJobOut}, WRITE_ERRORS),
    summary="Write a ready import, all or nothing; poll the job until it is done",
)
def import_confirm(request: HttpRequest, job_id: Id) -> Status[ImportJob]:
    member = member_of(request)
    services.import_confirm(member=member, job_id=job_id)
    return Status(202, import_job_get(member, job_id))


@router.delete(
    "/imports/{job_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Cancel an import that is not being written or done, and forget its file",
)
def import_cancel(request: HttpRequest, job_id: Id) -> Status[None]:
    services.import_cancel(member=member_of(request), job_id=job_id)
    return Status(204, None)


@router.get(
    "/import-templates/{name}",
    response=responses({200: None}, (*READ_ERRORS, 403)),
    summary="The import template, headway-import.csv or headway-import.xlsx, with example "
    "rows that use the organisation's own cycle, team and theme",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The template file.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    TEMPLATES["headway-import.xlsx"][0]: {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def import_template(request: HttpRequest, name: str) -> HttpResponse:
    if name not in TEMPLATES:
        raise Http404(f"No template {name!r}: ask for {' or '.join(TEMPLATES)}.")
    member = member_of(request)
    media, build = TEMPLATES[name]
    response = HttpResponse(build(template_example(member)), content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
