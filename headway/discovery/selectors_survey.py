"""Reads of purpose surveys: the organisation's list, one survey, its counts and answers.

Groups smaller than `MIN_GROUP` answers are never shown on their own: a team's count
and a team's name beside an answer appear only once that team has `MIN_GROUP` answers;
smaller teams and answers without a team are shown together as "other answers".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, QuerySet, When
from django.http import Http404
from django.utils import timezone

from headway.accounts.models import Membership, Organisation

from .models import PurposeAnswer, PurposeSurvey

MIN_GROUP = 5


def organisation_today(organisation: Organisation) -> dt.date:
    """Today in the organisation's time zone: the day a survey opens and closes on."""
    try:
        zone = zoneinfo.ZoneInfo(organisation.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


def survey_status(survey: PurposeSurvey, today: dt.date) -> str:
    """`scheduled` before it opens, `open`, or `closed` (after its last day or closed early)."""
    if survey.closed_at is not None or today > survey.closes_on:
        return "closed"
    if today < survey.opens_on:
        return "scheduled"
    return "open"


def surveys_list(member: Membership) -> QuerySet[PurposeSurvey]:
    """The organisation's surveys, newest first, each with `answer_count`."""
    return PurposeSurvey.objects.filter(organisation=member.organisation).annotate(
        answer_count=Count("answers")
    )


def survey_get_for_member(member: Membership, survey_id: object) -> PurposeSurvey:
    """One survey of the member's organisation with its teams; 404 for any other."""
    try:
        return (
            PurposeSurvey.objects.prefetch_related("teams")
            .annotate(answer_count=Count("answers"))
            .get(organisation=member.organisation, pk=int(str(survey_id)))
        )
    except (PurposeSurvey.DoesNotExist, ValueError):
        raise Http404("No such survey.") from None


def survey_by_token(token: str) -> PurposeSurvey:
    """The survey behind a public link; 404 for an unknown or retired link."""
    survey = (
        PurposeSurvey.objects.select_related("organisation")
        .prefetch_related("teams")
        .filter(token=token)
        .first()
        if token
        else None
    )
    if survey is None:
        raise Http404("There is no survey at this link. Check the link you were given.")
    return survey


@dataclass
class TeamCount:
    team_id: int
    name: str
    count: int


@dataclass
class SurveyCounts:
    """How many answered: in total, per team with `MIN_GROUP` or more, and the rest."""

    total: int
    teams: list[TeamCount] = field(default_factory=list)
    others: int = 0  # smaller teams and answers without a team, together

    @property
    def others_shown(self) -> int | None:
        """The rest's count, or None when it is a group under `MIN_GROUP` too."""
        return self.others if self.others >= MIN_GROUP else None


def _team_counts(survey: PurposeSurvey) -> list[tuple[int | None, str | None, int]]:
    rows = (
        PurposeAnswer.objects.filter(survey=survey)
        .values_list("team_id", "team__name")
        .annotate(n=Count("pk"))
        .order_by("team__name")
    )
    return list(rows)


def survey_counts(survey: PurposeSurvey) -> SurveyCounts:
    """Counts every member may see: never a group of fewer than `MIN_GROUP` on its own."""
    counts = SurveyCounts(total=0)
    for team_id, name, n in _team_counts(survey):
        counts.total += n
        if team_id is not None and n >= MIN_GROUP:
            counts.teams.append(TeamCount(team_id, name or "", n))
        else:
            counts.others += n
    return counts


def survey_answers(member: Membership, survey: PurposeSurvey) -> QuerySet[Any, dict[str, Any]]:
    """The answers' texts for owners and admins, oldest first, as dicts of `id`, `text`,
    `answered_on`, `team_shown` (the team's id) and `team_name`; the team only where it
    has `MIN_GROUP` answers or more (else both are None)."""
    if not member.is_admin:
        raise PermissionDenied("Only owners and admins can read the answers.")
    shown = [
        team_id for team_id, _, n in _team_counts(survey) if team_id is not None and n >= MIN_GROUP
    ]
    answers = (
        PurposeAnswer.objects.filter(survey=survey)
        .order_by("pk")
        .values("id", "text", "answered_on")
        .annotate(
            team_shown=Case(When(team_id__in=shown, then=F("team_id")), default=None),
            team_name=Case(When(team_id__in=shown, then=F("team__name")), default=None),
        )
    )
    return cast("QuerySet[Any, dict[str, Any]]", answers)
