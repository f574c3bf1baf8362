"""/api/v1/flags and /api/v1/key-results/{id}/forecast: course correction over the API,
and the pace and forecast on the key-result resource."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from headway.goals import services
from headway.goals.models import KeyResult
from headway.insights.models import Flag
from headway.insights.selectors import key_result_insights
from headway.insights.services import flags_after_checkin, flags_refresh
from tests.conftest import World
from tests.flagged import Flagged, build, more_overdue

from .conftest import problem, queries, send, unauthenticated


@pytest.fixture
def flagged(world: World) -> Flagged:
    data = build(world)
    flags_refresh(world.acme)
    flags_refresh(world.globex)
    return data


def listed(client: Client, query: str = "") -> dict[str, Any]:
    response = send(client, "get", f"/flags{query}")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def titles(body: dict[str, Any]) -> list[str]:
    return [item["key_result"]["title"] for item in body["items"]]


def expected_of(data: Flagged, key_result: Any) -> float | None:
    found = key_result_insights(data.world.acme, KeyResult.objects.filter(pk=key_result.pk))
    return found[key_result.pk].expected


def flag_of(data: Flagged, kind: str) -> Flag:
    key_result = {"stall": data.stalled, "watermelon": data.melon, "overdue": data.overdue}[kind]
    return Flag.objects.get(key_result=key_result, kind=kind, resolved_at=None)


# ---------------------------------------------------------------- listing flags


def test_it_lists_open_flags_most_urgent_first(flagged: Flagged, alice: Client) -> None:
    body = listed(alice)
    assert body["count"] == 4
    urgent_first = Flag.objects.filter(organisation=flagged.world.acme).order_by("-severity", "pk")
    assert [item["id"] for item in body["items"]] == [flag.pk for flag in urgent_first]
    stall = next(item for item in body["items"] if item["kind"] == "stall")
    assert stall["reason"] == flag_of(flagged, "stall").reason
    assert stall["reason"].startswith("No movement in 3 check-ins over 2 weeks; 10% done, ")
    assert stall["facts"]["checkins"] == 3
    assert stall["state"] == "open"
    assert stall["resolved_at"] is None
    assert stall["pivot_id"] is None
    assert stall["key_result"] == {
        "id": flagged.stalled.pk,
        "title": "Weekly active shippers",
        "objective_id": flagged.platform.pk,
        "objective_title": "Ship without fear",
        "owner_team_id": flagged.world.platform.pk,
        "owner_name": "Platform",
    }
    assert set(stall) >= {"id", "severity", "opened_at", "updated_at"}


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_it_hides_the_flags_of_private_objectives(
    flagged: Flagged, persona: str, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(persona)
    body = listed(client)
    assert body["count"] == 3
    assert "Term sheets signed" not in titles(body)
    secret = Flag.objects.get(key_result=flagged.secret_kr)
    problem(send(client, "get", f"/flags/{secret.pk}"), 404)


def test_it_filters_by_team_with_its_sub_teams(flagged: Flagged, alice: Client) -> None:
    assert set(titles(listed(alice, "?team=acme"))) == {
        "Weekly active shippers",
        "Net promoter score",
        "Runbooks written",
        "Term sheets signed",
    }
    assert "Term sheets signed" not in titles(listed(alice, "?team=platform"))
    problem(send(alice, "get", "/flags?team=nowhere"), 422, "team")


def test_it_filters_by_kind_and_key_result(flagged: Flagged, bob: Client) -> None:
    assert titles(listed(bob, "?kind=stall")) == ["Weekly active shippers"]
    assert titles(listed(bob, f"?key_result={flagged.melon.pk}")) == ["Net promoter score"]
    problem(send(bob, "get", "/flags?kind=sunburn"), 422, "kind")
    problem(send(bob, "get", "/flags?state=sleeping"), 422, "state")


def test_it_lists_resolved_flags_on_request(
    flagged: Flagged, bob: Client, django_capture_on_commit_callbacks: Any
) -> None:
    stall = flag_of(flagged, "stall")
    assert listed(bob, "?state=resolved")["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_create(
            member=flagged.world.bob, key_result_id=flagged.stalled.pk, value=58, confidence=6
        )
    resolved = listed(bob, "?state=resolved")
    assert [item["id"] for item in resolved["items"]] == [stall.pk]
    assert resolved["items"][0]["state"] == "resolved"
    assert resolved["items"][0]["resolved_at"] is not None
    assert listed(bob)["count"] == 2
    assert listed(bob, "?state=all")["count"] == 3


def test_it_pages_the_flags(flagged: Flagged, bob: Client) -> None:
    more_overdue(flagged.world, flagged.quarter, 30)
    flags_refresh(flagged.world.acme)
    body = listed(bob, "?page=2&page_size=20")
    assert body["count"] == 33
    assert len(body["items"]) == 13


def test_it_lists_flags_in_the_same_queries_for_3_and_30(flagged: Flagged, bob: Client) -> None:
    few = queries(bob, "/flags")
    more_overdue(flagged.world, flagged.quarter, 27)
    flags_refresh(flagged.world.acme)
    assert queries(bob, "/flags") == few


def test_it_reads_one_flag_open_or_resolved(flagged: Flagged, dave: Client) -> None:
    melon = flag_of(flagged, "watermelon")
    body = send(dave, "get", f"/flags/{melon.pk}").json()
    assert body["kind"] == "watermelon"
    assert body["reason"] == melon.reason
    assert body["reason"].startswith("Confidence 9/10 but 10% done where ")
    assert body["facts"]["confidence"] == 9
    flags_after_checkin(flagged.world.acme.pk, flagged.melon.pk)  # nothing changed: still open
    pivot = services.pivot_record(
        member=flagged.world.bob,
        key_result_id=flagged.melon.pk,
        tried="Asked the team",
        learned="We were hopeful, not informed",
        next_step="Call ten customers",
        flag_id=melon.pk,
    )
    assert send(dave, "get", f"/flags/{melon.pk}").json()["pivot_id"] == pivot.pk


def test_the_outsider_sees_none_of_the_flags(flagged: Flagged, charlie: Client) -> None:
    body = listed(charlie)
    assert titles(body) == ["Globex shippers"]
    stall = flag_of(flagged, "stall")
    problem(send(charlie, "get", f"/flags/{stall.pk}"), 404)
    problem(send(charlie, "get", "/flags?team=platform"), 422, "team")
    problem(send(charlie, "get", f"/key-results/{flagged.stalled.pk}/forecast"), 404)


def test_it_rejects_anonymous_calls(flagged: Flagged, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/flags"))
    unauthenticated(send(anonymous, "post", "/flags/refresh"))
    unauthenticated(send(anonymous, "get", f"/key-results/{flagged.stalled.pk}/forecast"))


# ---------------------------------------------------------------- refreshing


def test_an_admin_refreshes_the_organisation(world: World, alice: Client) -> None:
    build(world)
    response = send(alice, "post", "/flags/refresh")
    assert response.status_code == 200, response.content
    assert response.json() == {"analysed": 5, "opened": 4, "updated": 0, "resolved": 0}
    again = send(alice, "post", "/flags/refresh").json()
    assert again == {"analysed": 5, "opened": 0, "updated": 0, "resolved": 0}
    assert not Flag.objects.filter(organisation=world.globex).exists()


def test_a_member_refreshes_a_team_but_not_the_organisation(world: World, bob: Client) -> None:
    build(world)
    problem(send(bob, "post", "/flags/refresh"), 403)
    assert not Flag.objects.exists()
    body = send(bob, "post", "/flags/refresh?team=platform").json()
    assert body["opened"] == 3
    problem(send(bob, "post", "/flags/refresh?team=nowhere"), 422, "team")


def test_a_viewer_and_the_outsider_cannot_refresh_acme(
    world: World, dave: Client, charlie: Client
) -> None:
    build(world)
    problem(send(dave, "post", "/flags/refresh"), 403)
    problem(send(dave, "post", "/flags/refresh?team=platform"), 403)
    assert send(charlie, "post", "/flags/refresh").json()["analysed"] == 1  # Globex's only
    problem(send(charlie, "post", "/flags/refresh?team=platform"), 422, "team")
    assert not Flag.objects.filter(organisation=world.acme).exists()


# ---------------------------------------------------------------- pace and forecast


def test_it_gives_a_key_results_pace_and_forecast(flagged: Flagged, dave: Client) -> None:
    response = send(dave, "get", f"/key-results/{flagged.stalled.pk}/forecast")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["key_result_id"] == flagged.stalled.pk
    assert body["expected_progress"] == pytest.approx(expected_of(flagged, flagged.stalled))
    assert body["status"] == "off_track"
    assert body["status_label"] == "Off track"
    forecast = body["forecast"]
    assert forecast["reason"] == ""
    assert forecast["value"] == pytest.approx(10)
    assert forecast["probability"] == pytest.approx(0)
    assert forecast["level"] == 0.8
    assert body["band"], "a forecast comes with its band"
    assert set(body["band"][0]) == {"date", "low", "middle", "high"}


def test_it_says_why_there_is_no_forecast(flagged: Flagged, bob: Client) -> None:
    body = send(bob, "get", f"/key-results/{flagged.melon.pk}/forecast").json()
    assert body["forecast"]["value"] is None
    assert body["forecast"]["reason"] == "not enough data: 1 check-in, 3 needed"
    assert body["band"] == []
    secret = f"/key-results/{flagged.secret_kr.pk}/forecast"
    problem(send(bob, "get", secret), 404)


def test_the_key_result_resource_carries_its_pace_and_forecast(
    flagged: Flagged, bob: Client
) -> None:
    one = send(bob, "get", f"/key-results/{flagged.stalled.pk}").json()
    assert one["status"] == "active"  # the key result's own status stays as it was
    assert one["pace_status"] == "off_track"
    assert one["expected_progress"] == pytest.approx(expected_of(flagged, flagged.stalled))
    assert 0.4 < one["expected_progress"] < 0.65
    assert one["forecast"]["value"] == pytest.approx(10)
    listing = send(bob, "get", f"/key-results?objective_id={flagged.platform.pk}").json()
    paces = {item["title"]: item["pace_status"] for item in listing["items"]}
    assert paces == {
        "Weekly active shippers": "off_track",
        "Net promoter score": "off_track",
        "Runbooks written": "on_track",
        "Deploys automated": "on_track",
    }
    assert all("forecast" in item for item in listing["items"])


def test_the_key_result_list_runs_the_same_queries_for_4_and_34(
    flagged: Flagged, bob: Client
) -> None:
    few = queries(bob, "/key-results")
    more_overdue(flagged.world, flagged.quarter, 30)
    assert send(bob, "get", "/key-results").json()["count"] == 4 + 30
    assert queries(bob, "/key-results") == few
