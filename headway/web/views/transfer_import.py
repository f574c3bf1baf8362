"""Imports (owners and admins): the upload page with the template downloads and the
latest imports, and one import's page: its progress while the worker checks or writes
it (an htmx poll), every problem found, the preview with the Confirm button, and what
was written, with links to it."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from headway.lib.csvsafe import csv_safe_row
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.transfer import services
from headway.transfer.models import ImportFormat, ImportJob, ImportStatus
from headway.transfer.selectors import import_job_get, import_jobs_list, template_example
from headway.transfer.template import template_csv, template_xlsx
from headway.web.decorators import member_view
from headway.web.forms import call_service, errors_only
from headway.web.forms_import import ImportForm

ERRORS_SHOWN = 1_000  # on the page; the CSV download has every stored problem
STALLED = dt.timedelta(minutes=15)
TEMPLATES = {
    "csv": ("headway-import.csv", "text/csv; charset=utf-8", template_csv),
    "xlsx": (
        "headway-import.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        template_xlsx,
    ),
}


@member_view(admin=True)
def import_page(request: HttpRequest) -> HttpResponse:
    """The upload form, the templates and the latest imports; a valid upload goes to
    its job page, where the check's progress shows."""
    member = request.member  # type: ignore[attr-defined]
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = _upload(request, form, form.cleaned_data["file"])
        if uploaded is not None:
            return uploaded
    context = {"form": form, "jobs": import_jobs_list(member), "max_mb": services.MAX_UPLOAD_MB}
    return render_page(request, "transfer/import.html", context, status=422 if form.errors else 200)


def _upload(request: HttpRequest, form: ImportForm, upload: Any) -> HttpResponse | None:
    member = request.member  # type: ignore[attr-defined]

    def store() -> ImportJob:
        services.upload_size_check(upload.size or 0)
        content = upload.read()
        chosen = services.format_detect(upload.name, content, form.cleaned_data["format"])
        return services.import_upload(
            member=member, filename=upload.name, content=content, format=chosen
        )

    job = call_service(form, store, fields={"format": "format"})
    if job is None:
        return None
    return redirect("import-job", org=member.organisation.slug, job_id=job.pk)


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    running = job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING)
    preview = job.preview or {}
    created = job.created or {}
    return {
        "job": job,
        "running": running,
        "stalled": running and timezone.now() - job.created_at > STALLED,
        "share": round(100 * job.progress / job.total) if job.total else 0,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_hidden": max(len(job.errors) - ERRORS_SHOWN, 0),
        "preview": preview,
        "warnings": preview.get("warnings", []),
        "created": created,
        "created_teams": _teams(job, created),
    }


def _teams(job: ImportJob, created: dict[str, Any]) -> list[Team]:
    """The teams the import wrote objectives for, for links to their pages."""
    ids = [team["id"] for team in created.get("teams", [])]
    if not ids:
        return []
    return list(Team.objects.filter(organisation_id=job.organisation_id, pk__in=ids))


@member_view(admin=True)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import; HTMX polls fetch its status block alone while it runs."""
    member = request.member  # type: ignore[attr-defined]
    job = import_job_get(member, job_id)
    context = _job_context(request, job)
    if job.format == ImportFormat.VIVA and not getattr(request, "htmx", False):
        context["viva"] = _viva_mapping(member, job)
    return render_page(request, "transfer/import_job.html", context, partial="import-status")


def _viva_mapping(member: Any, job: ImportJob) -> Any:
    """The Viva Goals mapping step (viva_mapping.py), when this version has it."""
    try:
        from headway.transfer.viva_mapping import viva_mapping_context
    except ImportError:
        return None
    return viva_mapping_context(import_job_get(member, job.pk, with_content=True))


@member_view(admin=True)
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = errors_only()
    job = call_service(form, lambda: services.import_confirm(member=member, job_id=job_id))
    if job is None:
        for message in form.non_field_errors():
            messages.error(request, message)
    else:
        messages.success(request, "Importing: everything is written at once, or nothing.")
    return redirect("import-job", org=member.organisation.slug, job_id=job_id)


@member_view(admin=True)
@require_POST
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    form = errors_only()
    call_service(form, lambda: services.import_cancel(member=member, job_id=job_id))
    if form.errors:
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect("import-job", org=member.organisation.slug, job_id=job_id)
    messages.success(request, "Import cancelled; its file is forgotten.")
    return redirect("import", org=member.organisation.slug)


@member_view(admin=True)
def import_errors_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """Every problem of an import, as CSV (sheet, row, column, message)."""
    job = import_job_get(request.member, job_id)  # type: ignore[attr-defined]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    writer = csv.writer(response)
    writer.writerow(["sheet", "row", "column", "message"])
    for error in job.errors:
        writer.writerow(
            csv_safe_row([error.get("sheet", ""), error["row"], error["column"], error["message"]])
        )
    return response


@member_view()
def import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    """The template with example rows in this organisation's own names."""
    if file_format not in TEMPLATES:
        raise Http404("No such template.")
    name, media, build = TEMPLATES[file_format]
    response = HttpResponse(build(template_example(request.member)), content_type=media)  # type: ignore[attr-defined]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
