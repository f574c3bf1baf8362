"""Exports: each list as CSV or Excel with the filters of its list endpoint, and the
whole organisation as versioned JSON (owners and admins) for a move to another server.

The lists follow the caller's visibility (private objectives, and their key results,
check-ins, flags and pivots, only for their team, their owner and admins). CSV is
streamed as it is read. The formats, columns and the JSON document:
docs/import-export.md.
"""

# No `from __future__ import annotations` in router modules (see goals_objectives.py).

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router

from headway.goals.models import KeyResultStatus, ObjectiveStatus
from headway.transfer import export
from headway.transfer.export import Filters
from headway.transfer.json_export import document_json, export_filename, organisation_document

from .auth import member_of
from .common import Id, responses
from .insights import FlagKindName, FlagState

router = Router(tags=["exports"])

FileFormat = Literal["csv", "xlsx"]
FORMAT_HELP = "csv (UTF-8 with a byte-order mark, for Excel) or xlsx."


def _files(name: str) -> dict[str, Any]:
    return {
        "responses": {
            "200": {
                "description": f"The {name}, as `<org>-{name}-<day>.csv` or `.xlsx`.",
                "content": {
                    export.CONTENT_TYPES["csv"].split(";")[0]: {"schema": {"type": "string"}},
                    export.CONTENT_TYPES["xlsx"]: {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    }


def _download(request: HttpRequest, name: str, file_format: str, filters: Filters) -> Any:
    member = member_of(request)
    table = export.list_table(member, name, filters)
    return export.table_response(
        table, file_format, export.export_filename(member, name, file_format)
    )


@router.get(
    "/exports/objectives.{file_format}",
    response=responses({200: None}),
    summary="The objectives as CSV or Excel",
    description="Filters as `GET /objectives`; `team_id` keeps the team's own objectives.",
    openapi_extra=_files("objectives"),
)
def objectives_export(
    request: HttpRequest,
    file_format: FileFormat,
    cycle_id: Id | None = None,
    team_id: Id | None = None,
    owner_user_id: Id | None = None,
    status: ObjectiveStatus | None = None,
) -> HttpResponseBase:
    filters = Filters(
        cycle_id=cycle_id, team_id=team_id, owner_user_id=owner_user_id, status=status
    )
    return _download(request, "objectives", file_format, filters)  # type: ignore[no-any-return]


@router.get(
    "/exports/key-results.{file_format}",
    response=responses({200: None}),
    summary="The key results as CSV or Excel",
    description=(
        "Filters as `GET /key-results`, and `team_id`: key results of objectives the team owns."
    ),
    openapi_extra=_files("key-results"),
)
def key_results_export(
    request: HttpRequest,
    file_format: FileFormat,
    cycle_id: Id | None = None,
    team_id: Id | None = None,
    objective_id: Id | None = None,
    owner_id: Id | None = None,
    status: KeyResultStatus | None = None,
) -> HttpResponseBase:
    filters = Filters(
        cycle_id=cycle_id,
        team_id=team_id,
        objective_id=objective_id,
        owner_id=owner_id,
        status=status,
    )
    return _download(request, "key-results", file_format, filters)  # type: ignore[no-any-return]


@router.get(
    "/exports/check-ins.{file_format}",
    response=responses({200: None}),
    summary="Check-ins as CSV or Excel, oldest first",
    description=(
        "Every check-in on key results the caller can see; `since` and `until` are days "
        "in the organisation's time zone, both included."
    ),
    openapi_extra=_files("check-ins"),
)
def checkins_export(
    request: HttpRequest,
    file_format: FileFormat,
    cycle_id: Id | None = None,
    team_id: Id | None = None,
    objective_id: Id | None = None,
    key_result_id: Id | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> HttpResponseBase:
    filters = Filters(
        cycle_id=cycle_id,
        team_id=team_id,
        objective_id=objective_id,
        key_result_id=key_result_id,
        since=since,
        until=until,
    )
    return _download(request, "check-ins", file_format, filters)  # type: ignore[no-any-return]


@router.get(
    "/exports/flags.{file_format}",
    response=responses({200: None}),
    summary="Flags as CSV or Excel",
    description=(
        "Filters as `GET /flags`: `team` (a short name, with its sub-teams), `kind`, "
        "`key_result`, `state`."
    ),
    openapi_extra=_files("flags"),
)
def flags_export(
    request: HttpRequest,
    file_format: FileFormat,
    team: str | None = None,
    kind: FlagKindName | None = None,
    key_result: Id | None = None,
    state: FlagState = "open",
) -> HttpResponseBase:
    filters = Filters(team=team, kind=kind, key_result=key_result, state=state)
    return _download(request, "flags", file_format, filters)  # type: ignore[no-any-return]


@router.get(
    "/exports/learning.{file_format}",
    response=responses({200: None}),
    summary="The learning log as CSV or Excel, newest first",
    description=(
        "Filters as `GET /learning`: `team` (a short name, with its sub-teams), `q`, `cycle`."
    ),
    openapi_extra=_files("learning"),
)
def learning_export(
    request: HttpRequest,
    file_format: FileFormat,
    team: str | None = None,
    q: str = "",
    cycle: Id | None = None,
) -> HttpResponseBase:
    filters = Filters(team=team, q=q, cycle=cycle)
    return _download(request, "learning", file_format, filters)  # type: ignore[no-any-return]


@router.get(
    "/exports/organisation.json",
    response=responses({200: None}, (401, 403, 404, 422)),
    summary="The whole organisation as versioned JSON (owners and admins)",
    description=(
        "Everything a move to another server needs, without secrets (passwords, tokens, "
        "webhook secrets, chat URLs): import it into an empty organisation with "
        "`headway import-json`. The format: docs/import-export.md."
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The document, `<org>-<day>.headway.json`.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def organisation_export(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    if not member.is_admin:
        raise PermissionDenied("Only owners and admins export the whole organisation.")
    organisation = member.organisation
    response = HttpResponse(
        document_json(organisation_document(organisation)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(organisation)}"'
    return response
