"""Downloads: any list as CSV or Excel, filtered like its page, and the whole
organisation as JSON for a move to another server (owners and admins).

`/o/<org>/exports/<list>.<csv|xlsx>?<filters>` serves the lists of
`headway.transfer.export.LISTS` with the member's own visibility; a bad filter answers
400 with what was wrong. The pages link here through `{% export_links %}`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from headway.accounts.models import Membership
from headway.transfer import export
from headway.transfer.json_export import document_json, export_filename, organisation_document
from headway.web.decorators import member_view


def _member(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined,no-any-return]


# member_view is typed for HttpResponse; a streamed CSV or a file is a response too.
@member_view()  # type: ignore[arg-type]
@require_GET
def list_export(request: HttpRequest, name: str, file_format: str) -> HttpResponseBase:
    """One list as the member sees it, e.g. exports/objectives.xlsx?cycle_id=3."""
    if name not in export.LISTS or file_format not in export.FORMATS:
        raise Http404("No such export.")
    member = _member(request)
    try:
        filters = export.filters_parse(name, request.GET)
        table = export.list_table(member, name, filters)
    except ValidationError as error:
        problems = " ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        return HttpResponseBadRequest(
            f"A filter of this export is wrong. {problems} Go back and choose again.",
            content_type="text/plain; charset=utf-8",
        )
    filename = export.export_filename(member, name, file_format)
    return export.table_response(table, file_format, filename)


@member_view(admin=True)
@require_GET
def organisation_export(request: HttpRequest) -> HttpResponse:
    """Everything the organisation holds, as versioned JSON without secrets, to import
    into an empty organisation on another server (docs/import-export.md)."""
    organisation = _member(request).organisation
    response = HttpResponse(
        document_json(organisation_document(organisation)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(organisation)}"'
    return response
