"""Purpose surveys: the organisation's side, and the public answer endpoint.

`POST /public/surveys/{token}/answers` is the only operation of the API without
authentication: it is the survey's link as JSON, with the same rules and rate limit as
the web page. An answer stores its text, the team chosen and the day only.
"""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace.

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from headway.discovery import services_survey as services
from headway.discovery.models import DEFAULT_QUESTION, PurposeSurvey
from headway.discovery.selectors_survey import (
    MIN_GROUP,
    organisation_today,
    survey_answers,
    survey_by_token,
    survey_counts,
    survey_get_for_member,
    survey_status,
    surveys_list,
)
from headway.lib.errors import Conflict

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, PathText, changes, responses

router = Router(tags=["purpose surveys"])

# The public operation: no credentials, so no 401 or 403; 410 once closed, 429 when
# an address sends too many answers.
PUBLIC_ERRORS = (400, 404, 409, 410, 422, 429)


class SurveyTeamOut(Schema):
    id: int
    name: str
    slug: str


class SurveyOut(Schema):
    id: int
    title: str
    question: str
    teams: list[SurveyTeamOut] = Field(..., description="Teams respondents may choose from.")
    opens_on: dt.date
    closes_on: dt.date = Field(..., description="The last day it takes answers (inclusive).")
    closed_at: dt.datetime | None = Field(None, description="Set when closed early.")
    status: str = Field(..., description="`scheduled`, `open` or `closed`.")
    link: str = Field(..., description="The public link to share; it needs no account.")
    answer_count: int

    @staticmethod
    def resolve_teams(obj: PurposeSurvey) -> list[Any]:
        return list(obj.teams.all())

    @staticmethod
    def resolve_status(obj: PurposeSurvey, context: dict[str, Any]) -> str:
        today = organisation_today(member_of(context["request"]).organisation)
        return survey_status(obj, today)

    @staticmethod
    def resolve_link(obj: PurposeSurvey, context: dict[str, Any]) -> str:
        request = context["request"]
        return str(request.build_absolute_uri(reverse("survey-answer", args=[obj.token])))


class SurveyTeamCountOut(Schema):
    team_id: int
    name: str
    count: int


class SurveyCountsOut(Schema):
    total: int
    teams: list[SurveyTeamCountOut] = Field(
        ..., description=f"Teams with {MIN_GROUP} answers or more."
    )
    others: int | None = Field(
        ...,
        description=(
            "Answers of smaller teams and without a team, together; null when they are "
            f"fewer than {MIN_GROUP} too (never shown on their own)."
        ),
    )


class SurveyDetailOut(SurveyOut):
    counts: SurveyCountsOut

    @staticmethod
    def resolve_counts(obj: PurposeSurvey) -> dict[str, Any]:
        counts = survey_counts(obj)
        return {"total": counts.total, "teams": counts.teams, "others": counts.others_shown}


class SurveyIn(Schema):
    title: str
    question: str = DEFAULT_QUESTION
    team_ids: list[Id] = Field([], description="Teams respondents may choose from.")
    opens_on: dt.date
    closes_on: dt.date = Field(..., description="The last day it takes answers (inclusive).")


class SurveyPatch(Schema):
    title: str | None = None
    question: str | None = Field(None, description="Fixed once someone has answered.")
    team_ids: list[Id] | None = None
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None


class SurveyAnswerOut(Schema):
    text: str
    team_id: int | None = Field(
        None, description=f"Null without a team, and for teams with fewer than {MIN_GROUP}."
    )
    team_name: str | None = None
    answered_on: dt.date = Field(..., description="The day only; no time is stored.")
    cluster: int | None = Field(
        None,
        description=(
            "The answer's cluster in the latest analysis (see `GET /surveys/{survey_id}/"
            "analysis`); null when it fits none, or was given after the analysis ran."
        ),
    )
    closeness: float | None = Field(
        None,
        description=(
            "Its best similarity to the strategy statement or a theme in that analysis; "
            "null when there was nothing to compare with."
        ),
    )

    @staticmethod
    def resolve_team_id(obj: dict[str, Any]) -> int | None:
        return obj["team_shown"]  # type: ignore[no-any-return]


class PublicAnswerIn(Schema):
    text: str = Field(..., description=f"Up to {services.MAX_ANSWER:,} characters, any language.")
    team_id: Id | None = Field(None, description="One of the survey's teams, or none.")


class PublicAnswerOut(Schema):
    answered_on: dt.date
    team_id: int | None
    message: str


def _detail(request: HttpRequest, survey_id: object) -> PurposeSurvey:
    return survey_get_for_member(member_of(request), survey_id)


@router.get(
    "/surveys",
    response=responses({200: list[SurveyOut]}),
    summary="The organisation's purpose surveys, newest first",
)
@paginate(Pages)
def surveys(request: HttpRequest) -> object:
    return surveys_list(member_of(request)).prefetch_related("teams")


@router.post(
    "/surveys",
    response=responses({201: SurveyDetailOut}, BODY_ERRORS),
    summary="Create a purpose survey with a fresh public link (owners and admins)",
)
def survey_create(request: HttpRequest, payload: SurveyIn) -> Status[PurposeSurvey]:
    survey = services.survey_create(member=member_of(request), **payload.dict())
    return Status(201, _detail(request, survey.pk))


@router.get(
    "/surveys/{survey_id}",
    response=responses({200: SurveyDetailOut}),
    summary="One survey with its counts (per team from 5 answers)",
)
def survey_read(request: HttpRequest, survey_id: Id) -> PurposeSurvey:
    return _detail(request, survey_id)


@router.patch(
    "/surveys/{survey_id}",
    response=responses({200: SurveyDetailOut}, BODY_ERRORS),
    summary="Change a survey's title, question, teams or dates (owners and admins)",
)
def survey_update(request: HttpRequest, survey_id: Id, payload: SurveyPatch) -> PurposeSurvey:
    return services.survey_update(
        member=member_of(request), survey_id=survey_id, **changes(payload, nullable={"team_ids"})
    )


@router.post(
    "/surveys/{survey_id}/close",
    response=responses({200: SurveyDetailOut}, WRITE_ERRORS),
    summary="Close a survey before its last day (owners and admins)",
)
def survey_close(request: HttpRequest, survey_id: Id) -> PurposeSurvey:
    services.survey_close(member=member_of(request), survey_id=survey_id)
    return _detail(request, survey_id)


@router.post(
    "/surveys/{survey_id}/link",
    response=responses({200: SurveyDetailOut}, WRITE_ERRORS),
    summary="Give a survey a new public link; the old one stops working (owners and admins)",
)
def survey_link(request: HttpRequest, survey_id: Id) -> PurposeSurvey:
    services.survey_token_regenerate(member=member_of(request), survey_id=survey_id)
    return _detail(request, survey_id)


@router.get(
    "/surveys/{survey_id}/answers",
    response=responses({200: list[SurveyAnswerOut]}, (401, 403, 404, 422)),
    summary="The answers' texts, oldest first (owners and admins)",
    description=(
        f"Each answer's text, the day and its team, the team only for teams with "
        f"{MIN_GROUP} answers or more; with its cluster and closeness to the strategy "
        "once the survey has been analysed."
    ),
)
@paginate(Pages)
def survey_answer_list(request: HttpRequest, survey_id: Id) -> object:
    member = member_of(request)
    survey = survey_get_for_member(member, survey_id)
    return AnsweredPage(survey_answers(member, survey), survey.analysis)


class AnsweredPage:
    """The answers, each page joined with the answers' rows of the stored analysis.

    Pagination counts and slices this like the queryset it wraps.
    """

    def __init__(self, answers: QuerySet[Any, dict[str, Any]], analysis: Any) -> None:
        self.answers = answers
        self.rows: dict[str, list[Any]] = (analysis or {}).get("answers", {})

    def all(self) -> "AnsweredPage":
        return self

    def count(self) -> int:
        return self.answers.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        out = []
        for answer in self.answers[page]:
            cluster, closeness, _ = self.rows.get(str(answer["id"]), [None, None, None])
            out.append({**answer, "cluster": cluster, "closeness": closeness})
        return out


@router.post(
    "/public/surveys/{token}/answers",
    auth=None,
    response=responses({201: PublicAnswerOut}, PUBLIC_ERRORS),
    summary="Answer a purpose survey anonymously (no authentication)",
    description=(
        "Stores the text, the team chosen and the day; nothing about the caller. 404 for "
        "an unknown link, 409 before the survey opens, 410 once closed, 429 after "
        f"{services.RATE_LIMIT} answers from one address within "
        f"{services.RATE_WINDOW // 60} minutes."
    ),
)
def public_answer(
    request: HttpRequest, token: PathText, payload: PublicAnswerIn
) -> Status[dict[str, Any]]:
    survey = survey_by_token(token)
    today = organisation_today(survey.organisation)
    try:
        services.survey_check_open(survey, today)
    except services.SurveyNotOpen as error:
        if error.state == "closed":
            raise HttpError(410, error.message) from None
        raise Conflict(error.message) from None
    address = str(request.META.get("REMOTE_ADDR", ""))
    wait = services.answer_rate_wait(address)
    if wait:
        raise HttpError(429, f"Too many answers from this address; try again in {wait} seconds.")
    answer = services.answer_submit(token=token, today=today, **payload.dict())
    services.answer_rate_count(address)
    body = {
        "answered_on": answer.answered_on,
        "team_id": answer.team_id,
        "message": "Thank you: your answer is saved, anonymously.",
    }
    return Status(201, body)
