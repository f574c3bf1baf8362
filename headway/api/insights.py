"""Course correction: flags (stall, overdue, watermelon) and each key result's pace and
forecast."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from headway.accounts.models import Membership, Organisation
from headway.goals.models import KeyResult
from headway.goals.selectors import key_result_get_for_member
from headway.insights.models import Flag
from headway.insights.selectors import KeyResultInsight, key_result_insights
from headway.insights.selectors_attention import (
    flags_list,
    key_result_ids_of_teams,
    team_ids_below,
)
from headway.insights.services import FlagRefresh, flags_refresh
from headway.teams.selectors import team_get_by_slug

from .auth import member_of
from .common import WRITE_ERRORS, Id, Pages, responses

router = Router(tags=["course correction"])

FlagKindName = Literal["stall", "overdue", "watermelon"]
PaceStatus = Literal["on_track", "at_risk", "off_track", "not_started", "no_pace"]
FlagState = Literal["open", "resolved", "all"]


# --- pace and forecast ---------------------------------------------------------------------


class ForecastOut(Schema):
    value: float | None = Field(
        None, description="The expected value at the cycle's end; null when none was made."
    )
    low: float | None = Field(None, description="Low end of the prediction interval.")
    high: float | None = Field(None, description="High end of the prediction interval.")
    probability: float | None = Field(
        None, description="Chance (0 to 1) of reaching the target (maintain: of holding it)."
    )
    level: float = Field(..., description="The interval's level, e.g. 0.8 for 80 %.")
    reason: str = Field(
        ...,
        description=(
            "Empty when a forecast was made; else why not, e.g. "
            "`not enough data: 2 check-ins, 3 needed`, or that the cycle has ended."
        ),
    )


class BandPointOut(Schema):
    date: dt.date
    low: float
    middle: float
    high: float


class KeyResultForecastOut(Schema):
    key_result_id: int
    expected_progress: float | None = Field(
        None, description="Progress (0 to 1) expected today from the pace; null without one."
    )
    status: PaceStatus = Field(..., description="Progress against the pace.")
    status_label: str = Field(..., description="The status in words: `On track`, `At risk`, …")
    forecast: ForecastOut
    band: list[BandPointOut] = Field(
        ...,
        description="The forecast's interval day by day from the last check-in to the end.",
    )


def forecast_data(insight: KeyResultInsight) -> dict[str, Any]:
    forecast = insight.forecast
    return {
        "value": forecast.value,
        "low": forecast.low,
        "high": forecast.high,
        "probability": forecast.probability,
        "level": forecast.level,
        "reason": forecast.reason,
    }


def attach_insights(organisation: Organisation, key_results: Iterable[KeyResult]) -> None:
    """Give each key result its `insight` (pace, status, forecast), in one analysis:
    two queries whatever their number."""
    rows = list(key_results)
    if not rows:
        return
    found = key_result_insights(organisation, KeyResult.objects.filter(pk__in={r.pk for r in rows}))
    for row in rows:
        row.insight = found[row.pk]  # type: ignore[attr-defined]


class InsightPages(Pages):
    """`Pages` that analyse the key results of the page they answer with."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        attach_insights(member_of(request).organisation, items)
        page[self.items_attribute] = items
        return page


@router.get(
    "/key-results/{key_result_id}/forecast",
    response=responses({200: KeyResultForecastOut}),
    summary="A key result's pace today and its forecast for the cycle's end",
)
def key_result_forecast(request: HttpRequest, key_result_id: Id) -> dict[str, Any]:
    member = member_of(request)
    key_result = key_result_get_for_member(member, key_result_id)
    insight = key_result_insights(
        member.organisation, KeyResult.objects.filter(pk=key_result.pk), with_band=True
    )[key_result.pk]
    return {
        "key_result_id": key_result.pk,
        "expected_progress": insight.expected,
        "status": insight.status.value,
        "status_label": insight.status_label,
        "forecast": forecast_data(insight),
        "band": [
            {"date": day, "low": low, "middle": middle, "high": high}
            for day, low, middle, high in insight.band
        ],
    }


# --- flags ---------------------------------------------------------------------------------


class FlagKeyResultOut(Schema):
    id: int
    title: str
    objective_id: int
    objective_title: str
    owner_team_id: int | None = Field(None, description="The objective's team, if a team owns it.")
    owner_name: str = Field(..., description="The objective's owner: a team or a person.")


class FlagOut(Schema):
    id: int
    kind: FlagKindName
    reason: str = Field(..., description="Why, in a sentence with the numbers.")
    facts: dict[str, Any] = Field(..., description="The numbers behind the reason.")
    severity: float = Field(..., description="0 to 1; larger is more urgent.")
    state: Literal["open", "resolved"]
    opened_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    pivot_id: int | None = Field(None, description="The pivot recorded in answer, if any.")
    key_result: FlagKeyResultOut

    @staticmethod
    def resolve_state(flag: Flag) -> str:
        return "open" if flag.resolved_at is None else "resolved"

    @staticmethod
    def resolve_key_result(flag: Flag) -> dict[str, Any]:
        key_result = flag.key_result
        objective = key_result.objective
        return {
            "id": key_result.pk,
            "title": key_result.title,
            "objective_id": objective.pk,
            "objective_title": objective.title,
            "owner_team_id": objective.owner_team_id,
            "owner_name": objective.owner_name,
        }


class FlagRefreshOut(Schema):
    analysed: int = Field(..., description="Key results analysed.")
    opened: int
    updated: int = Field(..., description="Open flags whose reason or numbers changed.")
    resolved: int


def _team_ids(member: Membership, slug: str | None) -> list[int] | None:
    if not slug:
        return None
    try:
        return team_ids_below(team_get_by_slug(member, slug))
    except Http404:
        raise ValidationError({"team": "No team with this short name here."}) from None


@router.get(
    "/flags",
    response=responses({200: list[FlagOut]}),
    summary="Flags on key results, open ones by default, most urgent first",
    description=(
        "Open flags most urgent first; `state=resolved` lists resolved ones, most "
        "recently resolved first, and `state=all` both. `team` (a team's short name) "
        "keeps the flags of objectives owned by that team and its sub-teams; `kind` "
        "one kind; `key_result` one key result's. Flags on private objectives are "
        "listed only to those who may see the objective."
    ),
)
@paginate(Pages)
def flags(
    request: HttpRequest,
    team: str | None = None,
    kind: FlagKindName | None = None,
    key_result: Id | None = None,
    state: FlagState = "open",
) -> object:
    member = member_of(request)
    return flags_list(
        member,
        state=state,
        team_ids=_team_ids(member, team),
        kind=kind,
        key_result_id=key_result,
    )


# Before /flags/{flag_id}, which would otherwise take `refresh` for an id.
@router.post(
    "/flags/refresh",
    response=responses({200: FlagRefreshOut}, WRITE_ERRORS),
    summary="Analyse the key results now and bring the flags up to date",
    description=(
        "Admins refresh the whole organisation; with `team` (a short name), members "
        "refresh that team's and its sub-teams' key results. Flags are also refreshed "
        "after every check-in and by the worker, so this is rarely needed."
    ),
)
def flags_refresh_now(request: HttpRequest, team: str | None = None) -> FlagRefresh:
    member = member_of(request)
    if team:
        if not member.can_write:
            raise PermissionDenied(
                "Viewers read the flags; ask a member of the team to refresh them."
            )
        ids = key_result_ids_of_teams(member.organisation_id, _team_ids(member, team) or [])
        return flags_refresh(member.organisation, key_result_ids=ids)
    if not member.is_admin:
        raise PermissionDenied(
            "Only owners and admins refresh the whole organisation; give a `team` to refresh one."
        )
    return flags_refresh(member.organisation)


@router.get(
    "/flags/{flag_id}",
    response=responses({200: FlagOut}),
    summary="One flag, open or resolved",
)
def flag_read(request: HttpRequest, flag_id: Id) -> Flag:
    flag = flags_list(member_of(request), state="all").filter(pk=flag_id).first()
    if flag is None:
        raise Http404("No such flag.")
    return flag


__all__ = [
    "ForecastOut",
    "InsightPages",
    "PaceStatus",
    "attach_insights",
    "forecast_data",
    "router",
]
