"""POST /api/v1/coach/check: texts, key results and objectives in; findings out.

Nothing is read from the database, so any authenticated member may call it (viewers
too); anonymous callers get 401 and a session naming another organisation 404, as
everywhere in the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import World

from .conftest import problem, send, unauthenticated

PATH = "/coach/check"


def check(client: Client, body: Any, status: int = 200) -> Any:
    response = send(client, "post", PATH, body)
    assert response.status_code == status, response.content
    return response.json()


def codes(item: dict[str, Any]) -> list[str]:
    return [f["code"] for f in item["findings"]]


def test_it_checks_texts_and_says_why_with_a_rewrite(bob: Client) -> None:
    body = check(bob, {"texts": ["Launch the new onboarding flow", "Keep churn below 2%"]})
    assert body["objectives"] == [] and body["key_results"] == []
    launch, churn = body["texts"]
    assert launch["text"] == "Launch the new onboarding flow"
    assert launch["verdict"] == "output"
    assert launch["classification"]["label"] == "output"
    assert 0 <= launch["classification"]["score"] < 0.35
    finding = next(f for f in launch["findings"] if f["code"] == "kr.output")
    assert finding["severity"] == "warning"
    assert "initiative" in finding["message"]
    assert "day-7 retention" in finding["rewrite"]
    assert churn["verdict"] == "outcome" and churn["findings"] == []


def test_it_weighs_a_key_results_structure(bob: Client) -> None:
    body = check(
        bob,
        {
            "key_results": [
                {"title": "Alert rules editor released", "kind": "milestone"},
                {"title": "App crash-free sessions", "kind": "maintain", "target_value": 99.5, "unit": "%", "format": "percent"},
                {"title": "Revenue", "kind": "increase", "target_value": 100, "unit": "kEUR"},
                {"title": "Active customers", "kind": "increase", "start_value": 1, "target_value": 4},
            ]
        },
    )  # fmt: skip
    editor, crash_free, revenue, customers = body["key_results"]
    assert editor["title"] == "Alert rules editor released" and editor["verdict"] == "output"
    assert crash_free["verdict"] == "outcome" and "kr.output" not in codes(crash_free)
    assert "kr.no_baseline" in codes(revenue)
    assert codes(customers) == ["kr.no_unit"]


def test_it_checks_objectives_and_their_key_results(bob: Client) -> None:
    body = check(
        bob,
        {
            "objectives": [
                {"title": "Increase revenue by 20%"},
                {
                    "title": "Organise the summer party",
                    "key_results": [{"title": "Staff at the summer party", "kind": "increase", "start_value": 0, "target_value": 40, "unit": "people"}],
                },
            ]
        },
    )  # fmt: skip
    metric, party = body["objectives"]
    assert metric["title"] == "Increase revenue by 20%" and metric["key_results"] is None
    assert codes(metric) == ["objective.metric"]  # no key results given: not counted
    assert metric["findings"][0]["rewrite"].startswith("Keep the words as the objective")
    assert set(codes(party)) == {"objective.task", "objective.key_results"}
    [staff] = party["key_results"]
    assert staff["title"] == "Staff at the summer party" and "verdict" in staff


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("42", ["number_only"]),
        ("Réduire les délais de livraison pour nos clients", ["not_english", "kr.not_measurable"]),
    ],
)
def test_bad_input_gets_defined_findings_never_an_error(
    bob: Client, text: str, expected: list[str]
) -> None:
    [item] = check(bob, {"texts": [text]})["texts"]
    assert sorted(codes(item)) == sorted(expected)
    assert item["verdict"] == "unsure"


def test_very_long_text_is_capped_with_a_message(bob: Client) -> None:
    long = "Grow weekly active users from 2,000 to 5,000 " * 100
    [item] = check(bob, {"texts": [long]})["texts"]
    assert item["text"] == long
    assert "cut" in codes(item)
    assert "cut to 500" in item["classification"]["note"]
    problem(send(bob, "post", PATH, {"texts": ["x" * 10_001]}), 422)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"texts": []},
        {"texts": "Launch the app"},
        {"texts": [42]},
        {"key_results": [{"kind": "increase"}]},
        {"key_results": [{"title": "Revenue", "kind": "sideways"}]},
        {"key_results": [{"title": "Revenue", "target_value": "lots"}]},
        {"key_results": [{"title": "Revenue", "unit": "u" * 21}]},
        {"objectives": [{"title": "Grow", "key_results": "none"}]},
        {"texts": ["Revenue"] * 1001},
        {"objectives": [{"title": "Grow", "key_results": [{"title": "KR"}] * 1000}]},
        [1, 2],
    ],
)
def test_bad_bodies_are_422(bob: Client, body: Any) -> None:
    problem(send(bob, "post", PATH, body), 422)


def test_non_finite_numbers_are_422(bob: Client) -> None:
    response = bob.post(
        "/api/v1" + PATH,
        '{"key_results": [{"title": "Revenue", "target_value": NaN}]}',
        content_type="application/json",
    )
    problem(response, 422)


def test_a_body_that_is_not_json_is_400(bob: Client) -> None:
    response = bob.post("/api/v1" + PATH, "{not json", content_type="application/json")
    problem(response, 400)


def test_any_member_may_call_it_and_anonymous_callers_may_not(
    world: World, dave: Client, charlie: Client, anonymous: Client
) -> None:
    assert check(dave, {"texts": ["Revenue"]})["texts"]  # a viewer: nothing is written
    assert check(charlie, {"texts": ["Revenue"]})["texts"]  # in his own organisation
    unauthenticated(send(anonymous, "post", PATH, {"texts": ["Revenue"]}))


def test_a_session_naming_another_organisation_is_404(world: World) -> None:
    client = Client()
    client.force_login(world.charlie.user)
    response = send(
        client, "post", PATH, {"texts": ["Revenue"]}, headers={"X-Organisation": "acme"}
    )
    problem(response, 404)
    response = send(client, "post", PATH, {"texts": ["Revenue"]})
    assert response.status_code == 200
