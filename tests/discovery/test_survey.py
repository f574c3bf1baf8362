"""The purpose survey's services: the admin side and the anonymous public write path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client

from headway.discovery import services_survey as services
from headway.discovery.models import DEFAULT_QUESTION, PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_survey import (
    organisation_today,
    survey_answers,
    survey_counts,
    survey_status,
)
from headway.lib.errors import Conflict
from tests.conftest import World, logged_in
from tests.factories import TeamFactory

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def make_survey(world: World, **data: Any) -> PurposeSurvey:
    values: dict[str, Any] = {
        "title": "Spring purpose survey",
        "team_ids": [world.platform.pk],
        "opens_on": TODAY - dt.timedelta(days=2),
        "closes_on": TODAY + dt.timedelta(days=5),
        "today": TODAY,
    }
    values.update(data)
    return services.survey_create(member=world.alice, **values)


def refused(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- creating and managing -----------------------------------------------------------------


def test_it_creates_a_survey_with_an_unguessable_url_safe_token(world: World) -> None:
    survey = make_survey(world)
    assert survey.question == DEFAULT_QUESTION
    assert list(survey.teams.all()) == [world.platform]
    assert survey.created_by == world.alice.user
    secret = survey.token.removeprefix("survey_")
    assert len(secret) >= 43  # 32 random bytes: 256 bits
    assert all(c.isalnum() or c in "-_" for c in survey.token)
    assert make_survey(world).token != survey.token


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_only_admins_create_surveys(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.survey_create(
            member=getattr(world, persona),
            title="Mine",
            opens_on=TODAY,
            closes_on=TODAY,
            today=TODAY,
        )
    assert not PurposeSurvey.objects.exists()


def test_it_refuses_bad_dates_titles_and_teams(world: World) -> None:
    errors = refused(
        lambda: make_survey(
            world,
            title=" ",
            question="",
            opens_on=TODAY,
            closes_on=TODAY - dt.timedelta(days=1),
            team_ids=[world.globex_team.pk],
        )
    )
    assert set(errors) == {"title", "question", "closes_on", "team_ids"}
    assert "before" in errors["closes_on"][0]
    past = refused(
        lambda: make_survey(
            world, opens_on=TODAY - dt.timedelta(days=9), closes_on=TODAY - dt.timedelta(days=1)
        )
    )
    assert "passed" in past["closes_on"][0]
    long = refused(lambda: make_survey(world, closes_on=TODAY + dt.timedelta(days=400)))
    assert "year" in long["closes_on"][0]
    assert not PurposeSurvey.objects.exists()


def test_it_updates_but_keeps_the_question_once_answered(world: World) -> None:
    survey = make_survey(world)
    changed = services.survey_update(
        member=world.alice, survey_id=survey.pk, title="Renamed", team_ids=[]
    )
    assert changed.title == "Renamed" and list(changed.teams.all()) == []
    services.answer_submit(token=survey.token, text="To help.", today=TODAY)
    errors = refused(
        lambda: services.survey_update(member=world.alice, survey_id=survey.pk, question="Why?")
    )
    assert "answered" in errors["question"][0]
    with pytest.raises(PermissionDenied):
        services.survey_update(member=world.bob, survey_id=survey.pk, title="Bob's")


def test_the_outsider_cannot_reach_a_survey(world: World) -> None:
    survey = make_survey(world)
    for call in (services.survey_close, services.survey_token_regenerate):
        with pytest.raises(Http404):
            call(member=world.charlie, survey_id=survey.pk)


def test_closing_early_stops_answers_and_twice_is_a_conflict(world: World) -> None:
    survey = make_survey(world)
    services.survey_close(member=world.alice, survey_id=survey.pk)
    with pytest.raises(Conflict):
        services.survey_close(member=world.alice, survey_id=survey.pk)
    with pytest.raises(services.SurveyNotOpen) as caught:
        services.answer_submit(token=survey.token, text="Late", today=TODAY)
    assert caught.value.state == "closed"
    assert "closed" in caught.value.message


def test_a_new_link_retires_the_old_one(world: World) -> None:
    survey = make_survey(world)
    old = survey.token
    new = services.survey_token_regenerate(member=world.alice, survey_id=survey.pk).token
    assert new != old
    with pytest.raises(Http404):
        services.answer_submit(token=old, text="Hello", today=TODAY)
    assert services.answer_submit(token=new, text="Hello", today=TODAY).pk


# --- the public write path -----------------------------------------------------------------


def test_it_stores_an_answer_with_its_team_and_day(world: World) -> None:
    survey = make_survey(world)
    answer = services.answer_submit(
        token=survey.token,
        text="  We keep trains on time.  ",
        team_id=str(world.platform.pk),
        today=TODAY,
    )
    assert (answer.text, answer.team, answer.answered_on) == (
        "We keep trains on time.",
        world.platform,
        TODAY,
    )


def test_it_refuses_an_unknown_token(world: World) -> None:
    with pytest.raises(Http404):
        services.answer_submit(token="survey_nope", text="Hello", today=TODAY)
    with pytest.raises(Http404):
        services.answer_submit(token="", text="Hello", today=TODAY)


@pytest.mark.parametrize(
    ("today", "state", "words"),
    [
        (TODAY - dt.timedelta(days=3), "scheduled", "opens on 8 March 2026"),
        (TODAY + dt.timedelta(days=6), "closed", "closed on 15 March 2026"),
    ],
)
def test_it_refuses_a_survey_not_open_today_with_its_dates(
    world: World, today: dt.date, state: str, words: str
) -> None:
    survey = make_survey(world)
    with pytest.raises(services.SurveyNotOpen) as caught:
        services.answer_submit(token=survey.token, text="Hello", today=today)
    assert caught.value.state == state
    assert words in caught.value.message
    assert not PurposeAnswer.objects.exists()


def test_the_first_and_last_days_are_open(world: World) -> None:
    survey = make_survey(world)
    for day in (survey.opens_on, survey.closes_on):
        assert survey_status(survey, day) == "open"
        services.answer_submit(token=survey.token, text="Yes", today=day)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\x00\x07"])
def test_it_refuses_an_empty_answer(world: World, text: str) -> None:
    survey = make_survey(world)
    errors = refused(lambda: services.answer_submit(token=survey.token, text=text, today=TODAY))
    assert errors["text"] == ["Write your answer first."]


def test_it_refuses_an_answer_over_the_limit_and_says_the_limit(world: World) -> None:
    survey = make_survey(world)
    services.answer_submit(token=survey.token, text="x" * 2000, today=TODAY)
    errors = refused(
        lambda: services.answer_submit(token=survey.token, text="x" * 2001, today=TODAY)
    )
    assert "2,000 characters" in errors["text"][0]
    assert "2,001" in errors["text"][0]


@pytest.mark.parametrize("team", ["globex", "root", "abc"])
def test_it_refuses_a_team_the_survey_does_not_offer(world: World, team: str) -> None:
    survey = make_survey(world)
    team_id = {"globex": world.globex_team.pk, "root": world.root.pk, "abc": "abc"}[team]
    errors = refused(
        lambda: services.answer_submit(token=survey.token, text="Hi", team_id=team_id, today=TODAY)
    )
    assert "team_id" in errors
    assert not PurposeAnswer.objects.exists()


def test_it_strips_control_characters_but_keeps_lines_and_any_language(world: World) -> None:
    survey = make_survey(world)
    text = "Línea\x00 uno\r\n\u202edos\x1b\tと 世界 — مرحبا 👋"
    answer = services.answer_submit(token=survey.token, text=text, today=TODAY)
    assert answer.text == "Línea uno\ndos\tと 世界 — مرحبا 👋"


def test_answers_carry_nothing_that_identifies_the_respondent(world: World) -> None:
    fields = {field.name for field in PurposeAnswer._meta.get_fields()}
    assert fields == {"id", "survey", "team", "text", "answered_on"}
    survey = services.survey_create(
        member=world.alice,
        title="Open now",
        team_ids=[world.platform.pk],
        opens_on=organisation_today(world.acme),
        closes_on=organisation_today(world.acme),
    )
    client = logged_in(world.bob)
    client.cookies["tracking"] = "cookie-id-4242"
    response = client.post(
        f"/s/{survey.token}/",
        {"text": "Keep the lights on", "team_id": world.platform.pk},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Mozilla/5.0 DistinctAgent/9.9",
    )
    assert response.status_code == 200, response.content.decode()
    answer = PurposeAnswer.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {PurposeAnswer._meta.db_table}")
        columns = [column[0] for column in cursor.description]
        (row,) = cursor.fetchall()
    assert set(columns) == {"id", "text", "answered_on", "survey_id", "team_id"}
    stored = " ".join(str(value) for value in row)
    bob = world.bob.user
    for trace in (
        "203.0.113.77",
        "DistinctAgent",
        "cookie-id-4242",
        bob.email,
        bob.name,
        str(bob.pk) + ":",
    ):
        assert trace not in stored
    assert str(answer.answered_on) in stored  # the day only: no time of day
    assert ":" not in str(row[columns.index("answered_on")])


def test_the_anonymous_client_and_the_logged_in_one_store_the_same_row(world: World) -> None:
    survey = make_survey(
        world, opens_on=organisation_today(world.acme), closes_on=organisation_today(world.acme)
    )
    Client().post(f"/s/{survey.token}/", {"text": "Same"})
    logged_in(world.alice).post(f"/s/{survey.token}/", {"text": "Same"})
    rows = list(PurposeAnswer.objects.values_list("survey_id", "team_id", "text", "answered_on"))
    assert rows[0] == rows[1]


# --- the rate limit and what members may read ----------------------------------------------


def test_the_rate_limit_counts_answers_per_address(world: World) -> None:
    assert services.answer_rate_wait("198.51.100.1") == 0
    for _ in range(services.RATE_LIMIT):
        services.answer_rate_count("198.51.100.1")
    wait = services.answer_rate_wait("198.51.100.1")
    assert 0 < wait <= services.RATE_WINDOW
    assert services.answer_rate_wait("198.51.100.2") == 0


def test_counts_never_show_a_group_under_five(world: World) -> None:
    ops = TeamFactory(organisation=world.acme, name="Ops", slug="ops", parent=world.root)
    survey = make_survey(world, team_ids=[world.platform.pk, ops.pk])
    for _ in range(5):
        services.answer_submit(
            token=survey.token, text="Platform", team_id=world.platform.pk, today=TODAY
        )
    for _ in range(2):
        services.answer_submit(token=survey.token, text="Ops", team_id=ops.pk, today=TODAY)
    services.answer_submit(token=survey.token, text="No team", today=TODAY)
    counts = survey_counts(survey)
    assert counts.total == 8
    assert [(row.name, row.count) for row in counts.teams] == [("Platform", 5)]
    assert counts.others == 3 and counts.others_shown is None
    answers = list(survey_answers(world.alice, survey))
    assert {a["team_name"] for a in answers if a["text"] == "Ops"} == {None}
    assert {a["team_name"] for a in answers if a["text"] == "Platform"} == {"Platform"}
    with pytest.raises(PermissionDenied):
        survey_answers(world.bob, survey)
