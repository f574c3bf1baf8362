"""The demo's two closed purpose surveys, spring and autumn, with their analyses.

Each was meant to run three weeks and was closed after two, once the answers had
stopped coming; its answers (see `survey_data`) are spread over those two weeks. The
survey rows go through `survey_create` (dated the day each survey opened); the answers
are history, so they are written directly rather than through the public write path,
which only takes answers on the day they are given. The analysis runs synchronously,
as the worker would have run it when the survey closed.

Idempotent: a survey is found by its title and keeps its link; its answers are
replaced only when the texts here changed; the analysis is refreshed every time.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import Counter

from headway.accounts.models import Membership
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.services_analysis import survey_analyse
from headway.discovery.services_survey import survey_create
from headway.teams.models import Team

from .survey_data import AUTUMN, SPRING

DEPARTMENTS = ("operations", "people-finance", "product-engineering", "commercial")
PLANNED_DAYS = 21  # each survey was set to take answers for three weeks …
RAN_DAYS = 14  # … and closed after two

Answers = dict[str | None, list[str]]


def _surveys(today: dt.date) -> list[tuple[str, dt.date, Answers]]:
    """(title, day it opened, answers): spring about eight months ago, autumn closed
    three and a half weeks ago."""
    autumn_closed = today - dt.timedelta(days=24)
    return [
        ("Purpose survey, spring", today - dt.timedelta(days=240), SPRING),
        ("Purpose survey, autumn", autumn_closed - dt.timedelta(days=RAN_DAYS - 1), AUTUMN),
    ]


def _survey(owner: Membership, title: str, opens_on: dt.date, team_ids: list[int]) -> PurposeSurvey:
    organisation = owner.organisation
    survey = PurposeSurvey.objects.filter(organisation=organisation, title=title).first()
    if survey is None:
        survey = survey_create(
            member=owner,
            title=title,
            team_ids=team_ids,
            opens_on=opens_on,
            closes_on=opens_on + dt.timedelta(days=PLANNED_DAYS - 1),
            today=opens_on,
        )
        zone = zoneinfo.ZoneInfo(organisation.timezone or "UTC")
        last = opens_on + dt.timedelta(days=RAN_DAYS - 1)
        created = dt.datetime.combine(opens_on - dt.timedelta(days=3), dt.time(10), zone)
        closed = dt.datetime.combine(last, dt.time(17), zone)
        PurposeSurvey.objects.filter(pk=survey.pk).update(created_at=created, closed_at=closed)
        survey.refresh_from_db()
    else:
        survey.teams.set(team_ids)
    return survey


def _answers(survey: PurposeSurvey, answers: Answers, by_slug: dict[str, Team]) -> None:
    """Write the answers unless the survey holds exactly these already."""
    wanted = [
        (by_slug[slug].pk if slug else None, text)
        for slug, texts in answers.items()
        for text in texts
    ]
    stored = PurposeAnswer.objects.filter(survey=survey).values_list("team_id", "text")
    if Counter(stored) == Counter(wanted):
        return
    PurposeAnswer.objects.filter(survey=survey).delete()
    # Most people answer in the first days after the link goes round; a few stragglers.
    rng = random.Random(survey.title)
    rng.shuffle(wanted)
    days = sorted(min(int(rng.expovariate(1 / 3.5)), RAN_DAYS - 1) for _ in wanted)
    PurposeAnswer.objects.bulk_create(
        PurposeAnswer(
            survey=survey,
            team_id=team_id,
            text=text,
            answered_on=survey.opens_on + dt.timedelta(days=day),
        )
        for (team_id, text), day in zip(wanted, days, strict=True)
    )


def demo_surveys(owner: Membership, by_slug: dict[str, Team], today: dt.date) -> None:
    """Create or refresh the spring and autumn purpose surveys and analyse them."""
    team_ids = [by_slug[slug].pk for slug in DEPARTMENTS]
    for title, opens_on, answers in _surveys(today):
        survey = _survey(owner, title, opens_on, team_ids)
        _answers(survey, answers, by_slug)
        survey_analyse(survey.pk)
        if survey.closed_at is not None:
            # Analysed when it closed, as the worker would have done.
            analysed_at = survey.closed_at + dt.timedelta(minutes=2)
            PurposeSurvey.objects.filter(pk=survey.pk).update(analysed_at=analysed_at)
