"""The mapping step of a Viva Goals import (owners and admins): the columns of the
uploaded file and the Headway field each holds. The job page includes the same
fragment (`transfer/_viva_mapping.html`); this view saves a choice and checks the file
again, or shows the fragment on its own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from headway.lib.htmx import render_page
from headway.transfer.selectors import import_job_get
from headway.transfer.viva_mapping import (
    viva_mapping_context,
    viva_mapping_from_form,
    viva_mapping_set,
)
from headway.web.decorators import member_view
from headway.web.forms import call_service, errors_only

JOB_PAGE = "import-job"  # the import's own page, where the new check shows its progress


@member_view(admin=True)
def import_viva_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """GET: the columns and their fields. POST: keep the choice, check the file again."""
    member = request.member  # type: ignore[attr-defined]
    job = import_job_get(member, job_id, with_content=True)
    status = 200
    if request.method == "POST":
        errors = errors_only()
        mapping = viva_mapping_from_form(job, request.POST)
        saved = call_service(
            errors, lambda: viva_mapping_set(member=member, job_id=job.pk, mapping=mapping)
        )
        if saved is not None:
            messages.success(request, "Columns saved: Headway is checking the file again.")
            return redirect(_job_page(member.organisation.slug, job.pk))
        for field_errors in errors.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        status = 422
    context = {"job": job, "viva": viva_mapping_context(job)}
    return render_page(request, "transfer/viva_mapping.html", context, "viva-mapping", status)


def _job_page(org: str, job_id: int) -> str:
    try:
        return reverse(JOB_PAGE, args=[org, job_id])
    except NoReverseMatch:
        return reverse("import-viva-mapping", args=[org, job_id])
