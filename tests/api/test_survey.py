"""The purpose-survey API: admins manage, members read counts, anyone may answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from headway.discovery import services_survey as services
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from tests.conftest import World

from .conftest import problem, queries, send


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def survey(world: World) -> PurposeSurvey:
    today = organisation_today(world.acme)
    return services.survey_create(
        member=world.alice,
        title="Spring",
        team_ids=[world.platform.pk],
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )


def public(survey: PurposeSurvey) -> str:
    return f"/public/surveys/{survey.token}/answers"


def test_an_admin_creates_a_survey(world: World, alice: Client) -> None:
    today = organisation_today(world.acme)
    body = {
        "title": "Autumn",
        "team_ids": [world.platform.pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=3)).isoformat(),
    }
    response = send(alice, "post", "/surveys", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open"
    assert data["question"] == "What is the purpose of your work?"
    assert data["teams"] == [{"id": world.platform.pk, "name": "Platform", "slug": "platform"}]
    assert data["link"].endswith(f"/s/{PurposeSurvey.objects.get().token}/")
    assert data["counts"] == {"total": 0, "teams": [], "others": None}


def test_members_may_not_create_and_bad_input_names_the_field(
    world: World, bob: Client, alice: Client
) -> None:
    today = organisation_today(world.acme).isoformat()
    body = {"title": "Mine", "opens_on": today, "closes_on": today}
    problem(send(bob, "post", "/surveys", body), 403)
    bad = {**body, "closes_on": "2000-01-01", "team_ids": [world.globex_team.pk]}
    found = problem(send(alice, "post", "/surveys", bad), 422)
    assert {e["field"] for e in found["errors"]} == {"closes_on", "team_ids"}
    assert not PurposeSurvey.objects.exists()


def test_members_list_and_read_counts(world: World, survey: PurposeSurvey, dave: Client) -> None:
    for _ in range(5):
        services.answer_submit(token=survey.token, text="Yes", team_id=world.platform.pk)
    services.answer_submit(token=survey.token, text="Alone")
    listed = send(dave, "get", "/surveys").json()
    assert listed["count"] == 1 and listed["items"][0]["answer_count"] == 6
    data = send(dave, "get", f"/surveys/{survey.pk}").json()
    assert data["counts"] == {
        "total": 6,
        "teams": [{"team_id": world.platform.pk, "name": "Platform", "count": 5}],
        "others": None,
    }
    problem(send(dave, "get", f"/surveys/{survey.pk}/answers"), 403)


def test_the_list_runs_a_bounded_number_of_queries(world: World, alice: Client) -> None:
    today = organisation_today(world.acme)
    services.survey_create(member=world.alice, title="A", opens_on=today, closes_on=today)
    few = queries(alice, "/surveys")
    for n in range(5):
        services.survey_create(
            member=world.alice,
            title=f"B{n}",
            team_ids=[world.platform.pk],
            opens_on=today,
            closes_on=today,
        )
    assert queries(alice, "/surveys") == few


def test_admins_read_the_answers_paged(world: World, survey: PurposeSurvey, alice: Client) -> None:
    services.answer_submit(token=survey.token, text="<b>one</b>", team_id=world.platform.pk)
    services.answer_submit(token=survey.token, text="two")
    data = send(alice, "get", f"/surveys/{survey.pk}/answers?page_size=1").json()
    assert data["count"] == 2
    assert data["items"] == [
        {
            "text": "<b>one</b>",
            "team_id": None,  # Platform has fewer than 5 answers
            "team_name": None,
            "answered_on": organisation_today(world.acme).isoformat(),
            "cluster": None,  # not analysed yet
            "closeness": None,
        }
    ]


def test_patch_close_and_new_link(world: World, survey: PurposeSurvey, alice: Client) -> None:
    changed = send(alice, "patch", f"/surveys/{survey.pk}", {"title": "Renamed", "team_ids": []})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["teams"]) == ("Renamed", [])
    problem(send(alice, "patch", f"/surveys/{survey.pk}", {"title": None}), 422, "title")
    old = survey.token
    renewed = send(alice, "post", f"/surveys/{survey.pk}/link")
    assert renewed.status_code == 200 and old not in renewed.json()["link"]
    closed = send(alice, "post", f"/surveys/{survey.pk}/close")
    assert closed.json()["status"] == "closed"
    problem(send(alice, "post", f"/surveys/{survey.pk}/close"), 409)


def test_the_outsider_gets_404(survey: PurposeSurvey, charlie: Client) -> None:
    for method, path in [
        ("get", f"/surveys/{survey.pk}"),
        ("get", f"/surveys/{survey.pk}/answers"),
        ("post", f"/surveys/{survey.pk}/close"),
    ]:
        problem(send(charlie, method, path), 404)
    assert send(charlie, "get", "/surveys").json()["count"] == 0


def test_anyone_answers_without_credentials(
    world: World, survey: PurposeSurvey, anonymous: Client
) -> None:
    response = send(
        anonymous, "post", public(survey), {"text": "Help", "team_id": world.platform.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["team_id"] == world.platform.pk
    assert PurposeAnswer.objects.get().text == "Help"


def test_the_public_answer_keeps_every_rule(
    world: World, survey: PurposeSurvey, anonymous: Client
) -> None:
    problem(send(anonymous, "post", public(survey), {"text": " "}), 422, "text")
    body = problem(send(anonymous, "post", public(survey), {"text": "x" * 2001}), 422, "text")
    assert "2,000" in body["detail"]
    problem(
        send(anonymous, "post", public(survey), {"text": "Hi", "team_id": world.globex_team.pk}),
        422,
        "team_id",
    )
    problem(send(anonymous, "post", "/public/surveys/nope/answers", {"text": "Hi"}), 404)
    services.survey_close(member=world.alice, survey_id=survey.pk)
    body = problem(send(anonymous, "post", public(survey), {"text": "Hi"}), 410)
    assert "closed" in body["detail"]
    assert not PurposeAnswer.objects.exists()


def test_a_survey_not_open_yet_is_a_conflict(world: World, anonymous: Client) -> None:
    today = organisation_today(world.acme)
    later = services.survey_create(
        member=world.alice,
        title="Later",
        opens_on=today + dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=4),
    )
    assert (
        "opens on" in problem(send(anonymous, "post", public(later), {"text": "Hi"}), 409)["detail"]
    )


def test_the_public_answer_is_rate_limited(survey: PurposeSurvey, anonymous: Client) -> None:
    for _ in range(services.RATE_LIMIT):
        assert send(anonymous, "post", public(survey), {"text": "Hi"}).status_code == 201
    body = problem(send(anonymous, "post", public(survey), {"text": "Hi"}), 429)
    assert "try again" in body["detail"]
    assert PurposeAnswer.objects.count() == services.RATE_LIMIT
