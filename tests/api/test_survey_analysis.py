"""The purpose survey's analysis through the API: read, queue, compare (admins only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_tasks_db.models import DBTaskResult

from headway.discovery import services_survey as services
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from headway.discovery.services_analysis import survey_analyse
from headway.text import get_engine
from tests.conftest import World
from tests.factories import TeamFactory, ThemeFactory

from .conftest import API, problem, send

LEXICAL = get_engine("lexical")

SHIPPING = [
    "We ship freight to customers on time",
    "Getting freight delivered to customers on time",
    "Deliver customer freight on time every week",
    "On time freight delivery for our customers",
    "We move customer freight and deliver it on time",
    "Freight shipped on time for each customer",
]
BILLING = [
    "Sending correct invoices and billing the customers",
    "Billing accuracy and correct invoices",
    "Invoices that are correct, billing done right",
    "Correct billing and invoices sent without errors",
    "Billing customers with accurate invoices",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def new_survey(world: World, title: str, opens_in: int = 0, teams: list[Any] = ()) -> PurposeSurvey:  # type: ignore[assignment]
    today = organisation_today(world.acme)
    return services.survey_create(
        member=world.alice,
        title=title,
        team_ids=[team.pk for team in teams],
        opens_on=today + dt.timedelta(days=opens_in),
        closes_on=today + dt.timedelta(days=opens_in + 7),
    )


@pytest.fixture
def small(world: World) -> Any:
    """A team that only ever has 4 answers: never to be shown on its own."""
    return TeamFactory(
        organisation=world.acme, name="Tiny Secret Team", slug="tiny", parent=world.root
    )


@pytest.fixture
def survey(world: World, small: Any) -> PurposeSurvey:
    world.acme.strategy_statement = "Deliver every customer's freight on time, billed correctly."
    world.acme.save()
    ThemeFactory(organisation=world.acme, title="On time freight", description="Deliver on time.")
    ThemeFactory(organisation=world.acme, title="Correct billing", description="Invoices.")
    found = new_survey(world, "Spring", teams=[world.platform, small])
    answer(found, SHIPPING, world.platform.pk)
    answer(found, BILLING[:4], small.pk)
    answer(found, BILLING[4:])
    return found


def answer(survey: PurposeSurvey, texts: list[str], team_id: int | None = None) -> None:
    for text in texts:
        PurposeAnswer.objects.create(
            survey=survey, text=text, team_id=team_id, answered_on=survey.opens_on
        )


def figures(group: dict[str, Any]) -> dict[str, Any]:
    keys = ("count", "coherence", "closeness", "matching", "share_matching", "index")
    return {key: group[key] for key in keys}


def test_an_admin_reads_the_stored_analysis_as_typed_figures(
    world: World, survey: PurposeSurvey, alice: Client
) -> None:
    survey_analyse(survey.pk)  # the configured engine, as the worker runs it
    survey.refresh_from_db()
    stored = survey.analysis
    answer(survey, ["One more, after the analysis"])
    response = send(alice, "get", f"/surveys/{survey.pk}/analysis")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "ready"
    assert data["survey_id"] == survey.pk
    assert (data["answer_count"], data["answers_analysed"], data["new_answers"]) == (12, 11, 1)
    assert data["engine"] == stored["engine"]
    assert data["strategy_statement"] == world.acme.strategy_statement
    assert data["overall"] == figures(stored["overall"])
    assert data["histogram"] == stored["histogram"]
    assert [t["title"] for t in data["themes"]] == ["Correct billing", "On time freight"]
    assert [t["matching"] for t in data["themes"]] == [t["matching"] for t in stored["themes"]]
    assert [(c["id"], c["size"], c["words"], c["examples"]) for c in data["clusters"]] == [
        (c["id"], c["size"], c["words"], c["examples"]) for c in stored["clusters"]
    ]
    for cluster in data["clusters"]:
        assert cluster["share"] == pytest.approx(cluster["size"] / 11)
    assert (data["unclustered"], data["unreadable"], data["repeats"]) == (
        stored["unclustered"],
        stored["unreadable"],
        stored["repeats"],
    )
    [team] = data["teams"]
    assert (team["team_id"], team["name"]) == (world.platform.pk, "Platform")
    assert team["figures"] == figures(stored["groups"]["teams"][str(world.platform.pk)])
    assert sum(share["count"] for share in team["clusters"]) == 6
    assert all(isinstance(cluster_id, int) for cluster_id in team["split"])
    # The 4 answers of the small team and the one without a team are pooled together.
    assert data["pooled"] == 5
    assert data["other"] == figures(stored["groups"]["other"])
    assert "Tiny Secret Team" not in response.content.decode()


def test_a_small_team_is_never_named_even_pooled_under_five(
    world: World, small: Any, alice: Client
) -> None:
    found = new_survey(world, "Small", teams=[world.platform, small])
    answer(found, SHIPPING, world.platform.pk)
    answer(found, BILLING[:4], small.pk)
    survey_analyse(found.pk, engine=LEXICAL)
    response = send(alice, "get", f"/surveys/{found.pk}/analysis")
    data = response.json()
    assert [team["name"] for team in data["teams"]] == ["Platform"]
    assert (data["pooled"], data["other"]) == (4, None)
    assert "Tiny Secret Team" not in response.content.decode()
    answers = send(alice, "get", f"/surveys/{found.pk}/answers").json()["items"]
    assert "Tiny Secret Team" not in str(answers)


def test_before_any_analysis_the_state_is_none(survey: PurposeSurvey, alice: Client) -> None:
    data = send(alice, "get", f"/surveys/{survey.pk}/analysis").json()
    assert data["state"] == "none"
    assert (data["overall"], data["engine"], data["analysed_at"]) == (None, None, None)
    assert (data["answers_analysed"], data["new_answers"]) == (0, 11)
    assert data["teams"] == data["clusters"] == data["themes"] == []


def test_members_and_viewers_get_403_and_outsiders_404(
    survey: PurposeSurvey, bob: Client, dave: Client, charlie: Client
) -> None:
    path = f"/surveys/{survey.pk}"
    for client in (bob, dave):
        problem(send(client, "get", f"{path}/analysis"), 403)
        problem(send(client, "post", f"{path}/analysis"), 403)
        problem(send(client, "get", f"{path}/comparison?with={survey.pk + 1}"), 403)
    problem(send(charlie, "get", f"{path}/analysis"), 404)
    problem(send(charlie, "post", f"{path}/analysis"), 404)
    problem(send(charlie, "get", f"{path}/comparison?with={survey.pk}"), 404)
    assert not DBTaskResult.objects.exists()


def test_asking_queues_a_task_and_reads_queued_until_it_ran(
    survey: PurposeSurvey, alice: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(alice, "post", f"/surveys/{survey.pk}/analysis")
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "queued"
    queued = DBTaskResult.objects.get(task_path__endswith="survey_analyse_task")
    assert queued.args_kwargs["args"] == [survey.pk]
    assert send(alice, "get", f"/surveys/{survey.pk}/analysis").json()["state"] == "queued"
    survey_analyse(survey.pk, engine=LEXICAL)  # what the worker does
    data = send(alice, "get", f"/surveys/{survey.pk}/analysis").json()
    assert data["state"] == "ready"
    assert (data["answers_analysed"], data["engine"]) == (11, "lexical")


def test_the_answers_carry_their_cluster_and_closeness_once_analysed(
    survey: PurposeSurvey, alice: Client
) -> None:
    before = send(alice, "get", f"/surveys/{survey.pk}/answers?page_size=200").json()["items"]
    assert {(a["cluster"], a["closeness"]) for a in before} == {(None, None)}
    survey_analyse(survey.pk, engine=LEXICAL)
    survey.refresh_from_db()
    stored = survey.analysis["answers"]
    page = send(alice, "get", f"/surveys/{survey.pk}/answers?page=2&page_size=10").json()
    assert page["count"] == 11
    ids = list(
        PurposeAnswer.objects.filter(survey=survey).order_by("pk").values_list("pk", flat=True)
    )
    assert [(a["cluster"], a["closeness"]) for a in page["items"]] == [
        tuple(stored[str(pk)][:2]) for pk in ids[10:]
    ]
    assert any(a["cluster"] is not None for a in page["items"] + before)


def test_two_surveys_compare_team_by_team(
    world: World, survey: PurposeSurvey, alice: Client
) -> None:
    later = new_survey(world, "Autumn", opens_in=30, teams=[world.platform])
    answer(later, SHIPPING[:5] + BILLING[:1], world.platform.pk)
    answer(later, BILLING[1:])
    survey_analyse(survey.pk, engine=LEXICAL)
    survey_analyse(later.pk, engine=LEXICAL)
    survey.refresh_from_db()
    later.refresh_from_db()
    # Whichever survey is in the path, the one that opened first is `before`.
    response = send(alice, "get", f"/surveys/{later.pk}/comparison?with={survey.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["before"]["id"], data["after"]["id"]) == (survey.pk, later.pk)
    assert [(row["key"], row["name"]) for row in data["rows"]] == [
        ("all", "All answers"),
        (str(world.platform.pk), "Platform"),
    ]
    overall = data["rows"][0]
    assert overall["before"] == figures(survey.analysis["overall"])
    assert overall["after"] == figures(later.analysis["overall"])
    assert (
        overall["index_change"]
        == later.analysis["overall"]["index"] - survey.analysis["overall"]["index"]
    )
    same = send(alice, "get", f"/surveys/{survey.pk}/comparison?with={later.pk}").json()
    assert same == data


def test_comparing_without_an_analysis_says_which_is_missing(
    world: World, survey: PurposeSurvey, alice: Client
) -> None:
    later = new_survey(world, "Autumn", opens_in=30)
    path = f"/surveys/{survey.pk}/comparison"
    both = problem(send(alice, "get", f"{path}?with={later.pk}"), 409)
    assert '"Spring"' in both["detail"] and '"Autumn"' in both["detail"]
    survey_analyse(survey.pk, engine=LEXICAL)
    one = problem(send(alice, "get", f"{path}?with={later.pk}"), 409, "with")
    assert '"Autumn"' in one["detail"] and "Spring" not in one["detail"]
    problem(send(alice, "get", f"{path}?with={survey.pk}"), 422, "with")
    problem(send(alice, "get", path), 422, "with")
    globex = PurposeSurvey.objects.create(
        organisation=world.globex,
        title="Theirs",
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        token="globex-token",
    )
    problem(send(alice, "get", f"{path}?with={globex.pk}"), 404)


def test_the_openapi_document_declares_the_new_operations() -> None:
    document = Client().get(f"{API}/openapi.json").json()
    paths = document["paths"]
    analysis = paths[f"{API}/surveys/{{survey_id}}/analysis"]
    assert set(analysis["get"]["responses"]) == {"200", "401", "403", "404", "422"}
    assert set(analysis["post"]["responses"]) == {"202", "401", "403", "404", "409", "422"}
    comparison = paths[f"{API}/surveys/{{survey_id}}/comparison"]["get"]
    assert set(comparison["responses"]) == {"200", "401", "403", "404", "409", "422"}
    assert [p["name"] for p in comparison["parameters"] if p["in"] == "query"] == ["with"]
    schemas = document["components"]["schemas"]
    assert {"state", "overall", "teams", "clusters", "other", "pooled"} <= set(
        schemas["SurveyAnalysisOut"]["properties"]
    )
    assert {"cluster", "closeness"} <= set(schemas["SurveyAnswerOut"]["properties"])
