"""A purpose survey's analysis: read the latest one, ask for a new one, compare two.

Owners and admins only. The analysis is stored on the survey by the worker (see
headway/discovery/services_analysis.py); these operations show it as typed figures.
Teams under the minimum group size were pooled when the analysis ran, so no operation
here can name one.
"""

# No `from __future__ import annotations` in router modules (see goals_learning.py).

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from headway.discovery.metrics.purpose import MIN_GROUP
from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_analysis import (
    ClusterShare,
    GroupView,
    SurveyReport,
    survey_comparison,
    survey_report,
)
from headway.discovery.selectors_survey import survey_get_for_member
from headway.discovery.services_analysis import survey_analysis_request
from headway.lib.errors import Conflict

from .auth import member_of
from .common import ID_MAX, ID_MIN, WRITE_ERRORS, Id, responses

router = Router(tags=["purpose surveys"])

ADMIN_READ_ERRORS = (401, 403, 404, 422)


class AnalysisFiguresOut(Schema):
    count: int = Field(..., description="Answers in the group.")
    coherence: float | None = Field(
        ...,
        description="Mean cosine similarity of every pair of answers; null under two.",
    )
    closeness: float | None = Field(
        ...,
        description=(
            "Mean of each answer's best similarity to the strategy statement or a theme; "
            "null when there was nothing to compare with."
        ),
    )
    matching: int | None = Field(..., description="Answers that name a theme.")
    share_matching: float | None = Field(..., description="Their share of readable answers.")
    index: int | None = Field(
        ..., description="The purpose alignment index, 0-100 (see docs/purpose-survey.md)."
    )


class AnalysisThemeOut(Schema):
    id: int
    title: str
    mean: float | None = Field(..., description="Mean similarity of the answers to the theme.")
    matching: int = Field(..., description="Answers whose closest theme is this one.")
    share: float = Field(..., description="Their share of readable answers.")


class AnalysisClusterOut(Schema):
    id: int = Field(..., description="1 for the largest cluster, then by size.")
    size: int
    share: float = Field(..., description="Of all answers analysed.")
    words: list[str] = Field(..., description="Its most characteristic words.")
    examples: list[str] = Field(..., description="Its most central answers.")
    coherence: float | None
    closeness: float | None


class AnalysisClusterShareOut(Schema):
    cluster_id: int | None = Field(..., description="Null: the answers that fit no cluster.")
    count: int
    share: float = Field(..., description="Of the group's answers.")

    @staticmethod
    def resolve_cluster_id(obj: ClusterShare) -> int | None:
        return obj.cluster.id if obj.cluster is not None else None


class AnalysisTeamOut(Schema):
    team_id: int
    name: str
    figures: AnalysisFiguresOut
    clusters: list[AnalysisClusterShareOut] = Field(
        ..., description="How the team's answers spread over the clusters."
    )
    split: list[int] = Field(
        ...,
        description=(
            "The ids of two clusters that each hold 30% or more of the team's answers; "
            "empty when the team is not split."
        ),
    )

    @staticmethod
    def resolve_team_id(obj: GroupView) -> int:
        return int(obj.key)

    @staticmethod
    def resolve_figures(obj: GroupView) -> GroupView:
        return obj

    @staticmethod
    def resolve_split(obj: GroupView) -> list[int]:
        return [cluster.id for cluster in obj.split]


class SurveyAnalysisOut(Schema):
    survey_id: int
    state: str = Field(
        ...,
        description=(
            "`none` (never analysed), `queued` (an analysis is on its way; the figures "
            "below are the previous one's, if any), `stalled` (asked for over 15 minutes "
            "ago and not done: is a worker running? POST again) or `ready`."
        ),
    )
    analysed_at: dt.datetime | None
    answer_count: int = Field(..., description="Answers now.")
    answers_analysed: int
    new_answers: int = Field(..., description="Answers given since the analysis ran.")
    engine: str | None = Field(..., description="The text engine used; null before any analysis.")
    strategy_statement: str = Field(
        ..., description="The statement the answers were compared with; empty when none."
    )
    min_group: int = Field(..., description="Groups smaller than this are never shown alone.")
    overall: AnalysisFiguresOut | None = Field(..., description="All answers; null before any.")
    themes: list[AnalysisThemeOut]
    histogram: list[int] | None = Field(
        ...,
        description=(
            "Answers per tenth of closeness to the strategy, 0-0.1 first; null when there "
            "was nothing to compare with."
        ),
    )
    clusters: list[AnalysisClusterOut]
    unclustered: int = Field(..., description="Readable answers that fit no cluster.")
    unreadable: int = Field(..., description="Answers the text engine could not read.")
    repeats: int = Field(..., description="Answers repeating an earlier one word for word.")
    teams: list[AnalysisTeamOut] = Field(
        ..., description=f"Teams with {MIN_GROUP} answers or more, by name."
    )
    other: AnalysisFiguresOut | None = Field(
        ...,
        description=(
            "Smaller teams' answers and answers without a team, together; null when they "
            f"are fewer than {MIN_GROUP} too."
        ),
    )
    pooled: int = Field(..., description="Answers in groups under the minimum size.")

    @staticmethod
    def resolve_survey_id(obj: SurveyReport) -> int:
        return obj.survey.pk

    @staticmethod
    def resolve_answer_count(obj: SurveyReport) -> int:
        return obj.answers_now

    @staticmethod
    def resolve_engine(obj: SurveyReport) -> str | None:
        return obj.engine or None


class ComparisonSurveyOut(Schema):
    id: int
    title: str
    opens_on: dt.date
    analysed_at: dt.datetime | None


class ComparisonRowOut(Schema):
    key: str = Field(..., description="`all`, or a team's id.")
    name: str
    before: AnalysisFiguresOut
    after: AnalysisFiguresOut
    index_change: int | None = Field(..., description="After's index minus before's.")


class SurveyComparisonOut(Schema):
    before: ComparisonSurveyOut = Field(..., description="The survey that opened first.")
    after: ComparisonSurveyOut
    rows: list[ComparisonRowOut] = Field(
        ...,
        description=(
            f"All answers first, then each team shown ({MIN_GROUP} answers or more) in "
            "both analyses."
        ),
    )


def _report(request: HttpRequest, survey_id: object) -> SurveyReport:
    member = member_of(request)
    return survey_report(member, survey_get_for_member(member, survey_id))


@router.get(
    "/surveys/{survey_id}/analysis",
    response=responses({200: SurveyAnalysisOut}, ADMIN_READ_ERRORS),
    summary="A survey's latest analysis (owners and admins)",
    description=(
        "Coherence, closeness to strategy, the alignment index, clusters and themes, for "
        f"all answers and per team with {MIN_GROUP} answers or more. `state` says whether "
        "there is one and whether a newer one is on its way. See docs/purpose-survey.md."
    ),
)
def survey_analysis(request: HttpRequest, survey_id: Id) -> SurveyReport:
    return _report(request, survey_id)


@router.post(
    "/surveys/{survey_id}/analysis",
    response=responses({202: SurveyAnalysisOut}, WRITE_ERRORS),
    summary="Analyse a survey's answers as they are now (owners and admins)",
    description=(
        "Queues the analysis and answers at once with `state: queued` and the previous "
        "analysis, if any; read `GET /surveys/{survey_id}/analysis` until `ready`."
    ),
)
def survey_analysis_queue(request: HttpRequest, survey_id: Id) -> Status[SurveyReport]:
    member = member_of(request)
    survey = survey_analysis_request(member=member, survey_id=survey_id)
    return Status(202, survey_report(member, survey))


def _missing(surveys: list[PurposeSurvey]) -> str:
    names = [f'"{survey.title}"' for survey in surveys]
    if len(names) == 2:
        return f"Neither {names[0]} nor {names[1]} has an analysis yet; analyse both first."
    return f"Survey {names[0]} has no analysis yet; analyse it first."


@router.get(
    "/surveys/{survey_id}/comparison",
    response=responses({200: SurveyComparisonOut}, (401, 403, 404, 409, 422)),
    summary="Compare two surveys' analyses, all answers and team by team (owners and admins)",
    description=(
        "The survey that opened first is `before`, whichever is in the path. 409 when "
        "either survey has no analysis yet, naming which."
    ),
)
def survey_compare(
    request: HttpRequest,
    survey_id: Id,
    other_id: int = Query(
        ..., alias="with", ge=ID_MIN, le=ID_MAX, description="The other survey's id."
    ),
) -> dict[str, Any]:
    member = member_of(request)
    one = _report(request, survey_id).survey
    if other_id == one.pk:
        raise ValidationError({"with": "Compare the survey with another one."})
    other = _report(request, other_id).survey
    missing = [survey for survey in (one, other) if not survey.analysis]
    if missing:
        raise Conflict(_missing(missing), field="with" if missing == [other] else None)
    before, after = sorted((one, other), key=lambda survey: (survey.opens_on, survey.pk))
    return {
        "before": before,
        "after": after,
        "rows": survey_comparison(member, before, after),
    }
