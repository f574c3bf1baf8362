"""The public survey page at /s/<token>/: anonymous, guarded softly, rate limited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from headway.discovery import services_survey as services
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from tests.conftest import World, logged_in
from tests.web.test_csp import assert_strict_page


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def survey(world: World) -> PurposeSurvey:
    today = organisation_today(world.acme)
    return services.survey_create(
        member=world.alice,
        title="Spring purpose survey",
        team_ids=[world.platform.pk],
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=7),
    )


def url(survey: PurposeSurvey) -> str:
    return f"/s/{survey.token}/"


def answer(client: Client, survey: PurposeSurvey, text: str = "We help people ship.", **data: Any):  # type: ignore[no-untyped-def]
    return client.post(url(survey), {"text": text, **data})


def test_it_shows_the_question_the_teams_and_the_privacy_note(survey: PurposeSurvey) -> None:
    response = Client().get(url(survey))
    html = response.content.decode()
    assert response.status_code == 200
    assert "What is the purpose of your work?" in html
    assert "Platform" in html
    assert "nothing that identifies you" in html
    assert "today&#x27;s date" in html or "today's date" in html
    assert 'maxlength="2000"' in html and "2,000 characters" in html
    assert "csrfmiddlewaretoken" in html
    assert "Acme" in html
    assert (
        "Log out"
        not in logged_in(survey.organisation.memberships.first()).get(url(survey)).content.decode()
    )
    assert_strict_page(response)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_it_takes_an_answer_and_thanks(world: World, survey: PurposeSurvey) -> None:
    response = answer(Client(), survey, team_id=world.platform.pk)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = PurposeAnswer.objects.get()
    assert (stored.text, stored.team) == ("We help people ship.", world.platform)


def test_the_form_keeps_csrf_protection(survey: PurposeSurvey) -> None:
    client = Client(enforce_csrf_checks=True)
    assert answer(client, survey).status_code == 403
    assert not PurposeAnswer.objects.exists()
    client.get(url(survey))
    token = client.cookies["csrftoken"].value
    response = client.post(url(survey), {"text": "Hi", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert PurposeAnswer.objects.count() == 1


def test_a_second_answer_from_the_same_browser_is_refused_politely(survey: PurposeSurvey) -> None:
    client = Client()
    response = answer(client, survey)
    cookie = response.cookies["headway_survey"]
    assert cookie["path"] == url(survey)
    assert cookie["httponly"]
    assert "answered" in cookie.value and survey.token not in cookie.value
    again = client.get(url(survey))
    assert "You have already answered from this browser" in again.content.decode()
    assert answer(client, survey).status_code == 409
    assert PurposeAnswer.objects.count() == 1
    # Soft: another browser (or cleared cookies) may answer.
    assert answer(Client(), survey).status_code == 200
    assert PurposeAnswer.objects.count() == 2


def test_a_forged_cookie_is_ignored(survey: PurposeSurvey) -> None:
    client = Client()
    client.cookies["headway_survey"] = "answered"
    assert "Send my answer" in client.get(url(survey)).content.decode()


def test_it_limits_answers_per_address(survey: PurposeSurvey) -> None:
    for _ in range(services.RATE_LIMIT):
        response = Client().post(url(survey), {"text": "Hi"}, REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 200
    response = Client().post(url(survey), {"text": "One more"}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert "try again in about" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert PurposeAnswer.objects.count() == services.RATE_LIMIT
    other = Client().post(url(survey), {"text": "Elsewhere"}, REMOTE_ADDR="198.51.100.10")
    assert other.status_code == 200


def test_a_closed_survey_refuses_politely(world: World, survey: PurposeSurvey) -> None:
    services.survey_close(member=world.alice, survey_id=survey.pk)
    response = Client().get(url(survey))
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()
    assert answer(Client(), survey).status_code == 410
    assert not PurposeAnswer.objects.exists()


def test_a_survey_not_open_yet_gives_its_dates(world: World) -> None:
    today = organisation_today(world.acme)
    later = services.survey_create(
        member=world.alice,
        title="Later",
        opens_on=today + dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=9),
    )
    response = Client().get(url(later))
    assert response.status_code == 200
    assert "opens on" in response.content.decode()
    assert "Send my answer" not in response.content.decode()
    assert answer(Client(), later).status_code == 409


def test_an_unknown_link_is_a_friendly_404(db: None) -> None:
    response = Client().get("/s/survey_nope/")
    assert response.status_code == 404
    assert "no survey at this link" in response.content.decode()
    assert_strict_page(response)


def test_too_long_is_refused_with_the_limit(survey: PurposeSurvey) -> None:
    response = answer(Client(), survey, text="é" * 2001)
    assert response.status_code == 422
    assert "2,000 characters" in response.content.decode()
    assert "é" * 2001 in response.content.decode()  # the answer is kept to shorten
    assert not PurposeAnswer.objects.exists()


def test_empty_and_foreign_teams_are_refused(world: World, survey: PurposeSurvey) -> None:
    assert answer(Client(), survey, text="  ").status_code == 422
    assert answer(Client(), survey, team_id=world.globex_team.pk).status_code == 422
    assert not PurposeAnswer.objects.exists()


def test_non_english_text_is_accepted(survey: PurposeSurvey) -> None:
    text = "Wir helfen Kunden. 私たちは顧客を助けます。 Мы помогаем."
    assert answer(Client(), survey, text=text).status_code == 200
    assert PurposeAnswer.objects.get().text == text


def test_html_in_an_answer_is_shown_escaped_to_admins(world: World, survey: PurposeSurvey) -> None:
    answer(Client(), survey, text='<script>alert("x")</script><b>bold</b>')
    html = logged_in(world.alice).get(f"/o/acme/surveys/{survey.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
