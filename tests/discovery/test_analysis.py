"""The purpose survey's analysis as a service: asked for, queued, run by a real worker,
stored in one write; and what it does with awkward answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.accounts.models import Organisation
from headway.discovery import services_survey
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_analysis import survey_answers_export, survey_report
from headway.discovery.services_analysis import (
    survey_analyse,
    survey_analysis_request,
    surveys_ended_unanalysed,
)
from headway.goals.models import Theme
from headway.teams.models import Team
from tests import surveys
from tests.conftest import World
from tests.factories import TeamFactory
from tests.support import headway_start
from tests.surveys import LEXICAL, ON_STRATEGY, STRATEGY, TASKS


def survey_with(
    world: World, answers: dict[Team | None, list[str]], **fields: Any
) -> PurposeSurvey:
    return surveys.survey_with(world.acme, answers, **fields)


def with_strategy(organisation: Organisation) -> None:
    surveys.with_strategy(organisation)
    Theme.objects.create(
        organisation=organisation, title="Payroll", order=2, archived_at=timezone.now()
    )


# --- asking for an analysis ------------------------------------------------------------------


def test_closing_a_survey_queues_its_analysis(
    world: World, django_capture_on_commit_callbacks
) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    with django_capture_on_commit_callbacks(execute=True):
        services_survey.survey_close(member=world.alice, survey_id=survey.pk)
    survey.refresh_from_db()
    assert survey.analysis_requested_at is not None
    queued = DBTaskResult.objects.get(task_path__endswith="survey_analyse_task")
    assert queued.args_kwargs["args"] == [survey.pk]
    assert survey_report(world.alice, survey).state == "queued"


def test_only_admins_of_the_organisation_ask_for_an_analysis(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    with pytest.raises(PermissionDenied):
        survey_analysis_request(member=world.bob, survey_id=survey.pk)
    with pytest.raises(Http404):
        survey_analysis_request(member=world.charlie, survey_id=survey.pk)
    assert not DBTaskResult.objects.exists()


def test_ended_surveys_without_an_analysis_are_found_once(world: World) -> None:
    today = timezone.localdate()
    running = survey_with(world, {})
    ended = survey_with(world, {}, closes_on=today - dt.timedelta(days=1))
    closed_early = survey_with(world, {}, closed_at=timezone.now())
    survey_with(
        world, {}, closes_on=today - dt.timedelta(days=1), analysis_requested_at=timezone.now()
    )
    found = {survey.pk for survey in surveys_ended_unanalysed()}
    assert found == {ended.pk, closed_early.pk}
    assert running.pk not in found


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_analyses_a_survey_that_reached_its_last_day(world: World) -> None:
    with_strategy(world.acme)
    survey = survey_with(
        world,
        {world.platform: ON_STRATEGY, None: TASKS},
        closes_on=timezone.localdate() - dt.timedelta(days=1),
    )
    worker = headway_start("worker", "--batch", "--no-startup-delay")
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    survey.refresh_from_db()
    assert survey.analysed_at is not None and survey.analysis_requested_at is not None
    assert survey.analysis["answer_count"] == 11
    assert survey.analysis["engine"] == "static"
    assert survey_report(world.alice, survey).state == "ready"


# --- what it stores ---------------------------------------------------------------------------


def test_it_stores_figures_per_team_and_names_only_teams_of_five_or_more(world: World) -> None:
    with_strategy(world.acme)
    small = TeamFactory(organisation=world.acme, name="Hubs")
    survey = survey_with(world, {world.platform: ON_STRATEGY, small: TASKS[:4], None: TASKS[4:]})
    survey_analyse(survey.pk, engine=LEXICAL)
    survey.refresh_from_db()
    groups = survey.analysis["groups"]
    assert list(groups["teams"]) == [str(world.platform.pk)]
    assert groups["teams"][str(world.platform.pk)]["name"] == world.platform.name
    assert groups["other"]["count"] == 5  # Hubs' four with the one without a team
    assert "Hubs" not in str(survey.analysis)
    report = survey_report(world.alice, survey)
    platform = report.teams[0]
    assert platform.index is not None and report.other is not None
    assert platform.index > report.other.index  # the freight answers are closer to strategy
    exported = list(survey_answers_export(world.alice, survey))
    assert {row[4] for row in exported[1:]} == {world.platform.name, "Other answers"}


def test_only_the_organisations_live_themes_are_compared_with(world: World) -> None:
    with_strategy(world.acme)
    Theme.objects.create(organisation=world.acme, team=world.platform, title="A bubble's own theme")
    survey = survey_with(world, {None: ON_STRATEGY})
    survey_analyse(survey.pk, engine=LEXICAL)
    survey.refresh_from_db()
    assert [theme["title"] for theme in survey.analysis["themes"]] == ["On-time freight"]
    assert survey.analysis["strategy_statement"] == STRATEGY


def test_without_a_strategy_it_still_clusters_but_measures_no_closeness(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY + TASKS})
    survey_analyse(survey.pk, engine=LEXICAL)
    report = survey_report(world.alice, PurposeSurvey.objects.get(pk=survey.pk))
    assert not report.measured
    assert report.overall is not None and report.overall.index is None
    assert report.histogram is None
    assert report.overall.coherence is not None


def test_a_survey_without_answers_is_analysed_as_empty(world: World) -> None:
    with_strategy(world.acme)
    survey = survey_with(world, {})
    survey_analyse(survey.pk)
    survey.refresh_from_db()
    assert survey.analysis["answer_count"] == 0
    assert survey.analysis["clusters"] == []
    assert survey.analysis["overall"]["index"] is None


def test_awkward_answers_are_analysed_and_counted(world: World) -> None:
    with_strategy(world.acme)
    script = "<script>alert('x')</script> freight on time"
    survey = survey_with(
        world,
        {
            None: [
                *ON_STRATEGY,
                "Delivering freight on time for customers.",  # posted again, word for word
                "DELIVERING freight on time   for customers.",
                "Pünktliche Lieferungen für unsere Kunden.",
                "🚚🚚🚚",
                "freight " * 250,  # as long as an answer may be
                script,
            ]
        },
    )
    survey_analyse(survey.pk)
    survey.refresh_from_db()
    analysis = survey.analysis
    assert analysis["answer_count"] == 12
    assert analysis["repeats"] == 2
    assert analysis["overall"]["readable"] + analysis["unreadable"] == 12
    clustered = sum(cluster["size"] for cluster in analysis["clusters"])
    assert clustered + analysis["unclustered"] + analysis["unreadable"] == 12
    # Representative answers are stored as written; pages escape them.
    examples = [text for cluster in analysis["clusters"] for text in cluster["examples"]]
    assert len(examples) == len(set(examples))


def test_a_new_analysis_replaces_the_old_and_says_how_many_answers_came_since(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    survey_analyse(survey.pk, engine=LEXICAL)
    PurposeAnswer.objects.create(
        survey=survey, text="Late answer", answered_on=timezone.localdate()
    )
    report = survey_report(world.alice, PurposeSurvey.objects.get(pk=survey.pk))
    assert report.answers_analysed == 6 and report.new_answers == 1
    survey_analyse(survey.pk, engine=LEXICAL)
    report = survey_report(world.alice, PurposeSurvey.objects.get(pk=survey.pk))
    assert report.answers_analysed == 7 and report.new_answers == 0


def test_members_do_not_read_the_analysis(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    survey_analyse(survey.pk, engine=LEXICAL)
    with pytest.raises(PermissionDenied):
        survey_report(world.bob, survey)
    with pytest.raises(PermissionDenied):
        survey_answers_export(world.bob, survey)


def test_the_export_carries_no_id_date_or_order_of_arrival(world: World) -> None:
    survey = survey_with(world, {None: ["Zebra crossings", *ON_STRATEGY, "Apples"]})
    survey_analyse(survey.pk, engine=LEXICAL)
    header, *rows = list(
        survey_answers_export(world.alice, PurposeSurvey.objects.get(pk=survey.pk))
    )
    assert header == ["cluster", "cluster_words", "closeness", "theme", "team", "answer"]
    assert all(len(row) == len(header) for row in rows)
    assert [row[5] for row in rows] != [a.text for a in PurposeAnswer.objects.order_by("pk")]


def test_an_analysis_not_done_after_fifteen_minutes_shows_as_stalled(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    survey.analysis_requested_at = timezone.now() - dt.timedelta(minutes=16)
    assert survey_report(world.alice, survey).state == "stalled"
    survey.analysis_requested_at = timezone.now() - dt.timedelta(minutes=14)
    assert survey_report(world.alice, survey).state == "queued"


def test_the_export_refuses_a_member_before_reading_any_row(world: World) -> None:
    survey = survey_with(world, {None: ON_STRATEGY})
    with pytest.raises(PermissionDenied):
        survey_answers_export(world.bob, survey)  # at the call, not at the first row
