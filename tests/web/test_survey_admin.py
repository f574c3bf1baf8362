"""The organisation's survey pages: members see counts, admins manage and read texts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from headway.discovery import services_survey as services
from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from tests.conftest import World, logged_in
from tests.web.test_csp import assert_strict_page


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def survey(world: World) -> PurposeSurvey:
    today = organisation_today(world.acme)
    survey = services.survey_create(
        member=world.alice,
        title="Spring purpose survey",
        team_ids=[world.platform.pk],
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )
    for n in range(6):
        services.answer_submit(
            token=survey.token, text=f"Platform answer {n}", team_id=world.platform.pk
        )
    services.answer_submit(token=survey.token, text="Without a team")
    return survey


def detail(survey: PurposeSurvey) -> str:
    return f"/o/acme/surveys/{survey.pk}/"


def test_the_list_shows_status_dates_and_counts(world: World, survey: PurposeSurvey) -> None:
    response = logged_in(world.alice).get("/o/acme/surveys/")
    html = response.content.decode()
    assert "Spring purpose survey" in html
    assert "Open" in html and ">7<" in html
    assert "New survey" in html
    assert_strict_page(response)


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_see_counts_but_not_texts_nor_actions(
    world: World, survey: PurposeSurvey, persona: str
) -> None:
    client = logged_in(getattr(world, persona))
    assert "New survey" not in client.get("/o/acme/surveys/").content.decode()
    html = client.get(detail(survey)).content.decode()
    assert "Platform" in html and ">6<" in html
    assert "fewer than 5" in html
    assert "Platform answer" not in html
    assert "Close now" not in html and "New link" not in html
    assert survey.token in html  # the link is there to share
    for path in ("surveys/new/", f"surveys/{survey.pk}/edit/"):
        assert client.get(f"/o/acme/{path}").status_code == 403
    for path in ("close", "link"):
        assert client.post(f"{detail(survey)}{path}/").status_code == 403
    survey.refresh_from_db()
    assert survey.closed_at is None


def test_admins_read_the_texts_paged_with_the_day_only(world: World, survey: PurposeSurvey) -> None:
    html = logged_in(world.alice).get(detail(survey)).content.decode()
    assert "Platform answer 0" in html and "Without a team" in html
    assert organisation_today(world.acme).strftime("%Y") in html
    partial = logged_in(world.alice).get(detail(survey), headers={"HX-Request": "true"})
    assert (
        partial.content.decode().lstrip().startswith('<section class="card" id="survey-answers">')
    )


def test_an_admin_creates_edits_closes_and_renews_the_link(world: World) -> None:
    client = logged_in(world.alice)
    today = organisation_today(world.acme)
    response = client.post(
        "/o/acme/surveys/new/",
        {
            "title": "Autumn",
            "question": "Why does your work matter?",
            "team_ids": [world.platform.pk],
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    survey = PurposeSurvey.objects.get(title="Autumn")
    assert response["Location"] == detail(survey)
    edit = client.post(
        f"/o/acme/surveys/{survey.pk}/edit/",
        {
            "title": "Autumn 2026",
            "question": survey.question,
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=5)).isoformat(),
        },
    )
    assert edit.status_code == 302
    old = survey.token
    assert client.post(f"{detail(survey)}link/").status_code == 302
    assert client.post(f"{detail(survey)}close/").status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.closed_at is not None, survey.teams.count()) == (
        "Autumn 2026",
        True,
        0,
    )
    assert survey.token != old
    assert Client().get(f"/s/{old}/").status_code == 404
    assert "closed already" in client.post(f"{detail(survey)}close/", follow=True).content.decode()


def test_bad_dates_are_shown_next_to_the_field(world: World) -> None:
    today = organisation_today(world.acme)
    response = logged_in(world.alice).post(
        "/o/acme/surveys/new/",
        {
            "title": "Backwards",
            "question": "Why?",
            "opens_on": today.isoformat(),
            "closes_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert 'id="id_closes_on_error"' in response.content.decode()
    assert not PurposeSurvey.objects.exists()


def test_the_outsider_gets_404(world: World, survey: PurposeSurvey) -> None:
    client = logged_in(world.charlie)
    assert client.get(detail(survey)).status_code == 404
    assert client.get(f"/o/globex/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/o/globex/surveys/{survey.pk}/close/").status_code == 404
    assert "Spring" not in client.get("/o/globex/surveys/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(survey: PurposeSurvey) -> None:
    for path in ("surveys/", f"surveys/{survey.pk}/", "surveys/new/"):
        response = Client().get(f"/o/acme/{path}")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
