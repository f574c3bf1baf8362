"""The purpose survey's analysis: asked for (on demand or when the survey closes), run
by the worker, stored on the survey.

`survey_analysis_request` is the one way to ask: it records the request and queues
`survey_analyse_task` once the transaction commits. `survey_analyse` is the task's body:
it reads the answers' texts and teams (never anything else: there is nothing else),
embeds them with the text engine together with the organisation's strategy statement
and themes, runs the pure `metrics.purpose.analyse` and stores the result in one write,
so a reader sees the previous analysis or the new one, never half of one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.goals.models import Theme
from headway.goals.selectors_alignment.health import text_engine
from headway.teams.models import Team
from headway.text import Engine

from .metrics import purpose
from .models import PurposeAnswer, PurposeSurvey
from .selectors_survey import organisation_today, survey_get_for_member

ANALYSIS_VERSION = 1


def survey_analysis_request(*, member: Membership, survey_id: object) -> PurposeSurvey:
    """Queue an analysis of the survey's answers as they are now (owners and admins)."""
    require_admin(member, "analyse surveys")
    survey = survey_get_for_member(member, survey_id)
    survey_analysis_queue(survey)
    return survey


def survey_analysis_queue(survey: PurposeSurvey) -> None:
    """Record that an analysis is wanted and queue it once the transaction commits."""
    from .tasks import survey_analyse_task

    survey.analysis_requested_at = timezone.now()
    PurposeSurvey.objects.filter(pk=survey.pk).update(
        analysis_requested_at=survey.analysis_requested_at
    )
    transaction.on_commit(partial(survey_analyse_task.enqueue, survey.pk))


def surveys_ended_unanalysed(today: dt.date | None = None) -> list[PurposeSurvey]:
    """Surveys past their last day (or closed early) with no analysis asked for yet."""
    candidates = PurposeSurvey.objects.select_related("organisation").filter(
        Q(closed_at__isnull=False) | Q(closes_on__lt=today or timezone.localdate()),
        analysis_requested_at__isnull=True,
        analysed_at__isnull=True,
    )
    return [
        survey
        for survey in candidates
        if survey.closed_at is not None
        or survey.closes_on < organisation_today(survey.organisation)
    ]


def survey_analyse(survey_id: int, *, engine: Engine | None = None) -> PurposeSurvey:
    """Analyse every answer of the survey now and store the result on it."""
    survey = PurposeSurvey.objects.select_related("organisation").get(pk=survey_id)
    answers = list(
        PurposeAnswer.objects.filter(survey=survey)
        .order_by("pk")
        .values_list("pk", "text", "team_id")
    )
    themes = list(
        Theme.objects.filter(
            organisation=survey.organisation, team=None, archived_at__isnull=True
        ).order_by("order", "title")
    )
    engine = engine or text_engine()
    texts = [text for _, text, _ in answers]
    statement = survey.organisation.strategy_statement.strip()
    result = purpose.analyse(
        texts,
        engine.embed(texts),
        [team_id for _, _, team_id in answers],
        engine.embed([statement]) if statement else None,
        engine.embed([f"{theme.title}. {theme.description}".strip() for theme in themes]),
        purpose.SCALES.get(engine.name, purpose.SCALES["static"]),
        seed=survey.pk,
    )
    analysis = _named(result, answers, themes, statement, engine.name)
    survey.analysis, survey.analysed_at = analysis, timezone.now()
    with transaction.atomic():
        PurposeSurvey.objects.filter(pk=survey.pk).update(
            analysis=survey.analysis, analysed_at=survey.analysed_at
        )
    return survey


def _named(
    result: dict[str, Any],
    answers: Sequence[tuple[int, str, int | None]],
    themes: list[Theme],
    statement: str,
    engine: str,
) -> dict[str, Any]:
    """The pure result with positions turned into answer ids, texts and names."""
    texts = [text for _, text, _ in answers]
    for cluster in result["clusters"]:
        cluster["examples"] = [texts[i] for i in cluster["examples"]]
    result["themes"] = [
        {"id": theme.pk, "title": theme.title, **figures}
        for theme, figures in zip(themes, result["themes"], strict=True)
    ]
    result["answers"] = {
        str(pk): row for (pk, _, _), row in zip(answers, result["answers"], strict=True)
    }
    names = dict(
        Team.objects.filter(pk__in=[int(k) for k in result["groups"]["teams"]]).values_list(
            "pk", "name"
        )
    )
    for key, group in result["groups"]["teams"].items():
        group["name"] = names.get(int(key), "A team since deleted")
    return {
        "version": ANALYSIS_VERSION,
        "engine": engine,
        "answer_count": len(answers),
        "strategy_statement": statement,
        "min_group": purpose.MIN_GROUP,
        **result,
    }
