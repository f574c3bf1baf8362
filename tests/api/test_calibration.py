"""GET /cycles/{id}/calibration: your own calibration, your teams', levels for owners
and admins only, never another person's. The quarter is tests/calibrated.py's: bob the
optimist in Platform, alice the sandbagger in the root team Acme."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.calibrated import Calibrated, build, more_key_results
from tests.conftest import World
from tests.factories import CycleFactory

from .conftest import problem, queries, send, unauthenticated


@pytest.fixture
def closed(world: World) -> Calibrated:
    return build(world)


def path(found: Calibrated) -> str:
    return f"/cycles/{found.quarter.pk}/calibration"


def test_bob_gets_his_own_optimism_and_his_teams(closed: Calibrated, bob: Client) -> None:
    response = send(bob, "get", path(closed))
    assert response.status_code == 200
    body = response.json()
    assert body["cycle_id"] == closed.quarter.pk
    assert body["hit_at"] == 0.7
    me = body["me"]
    assert (me["key_results"], me["checkins"], me["verdict"]) == (3, 9, "optimistic")
    assert me["brier"] == pytest.approx(0.81)
    assert me["mean_confidence"] == pytest.approx(0.9)
    assert me["hit_rate"] == 0
    assert me["bias"] == pytest.approx(0.9)
    assert [b["checkins"] for b in me["reliability"]] == [0, 0, 0, 0, 9]
    assert me["reliability"][0]["mean_confidence"] is None  # an empty bin
    [team] = body["teams"]
    assert team["team"] == {
        "id": closed.world.platform.pk,
        "name": "Platform",
        "slug": "platform",
    }
    assert team["calibration"]["verdict"] == "optimistic"
    assert body["levels"] is None


def test_alice_as_owner_gets_levels_but_nothing_of_bobs_own(world: World, alice: Client) -> None:
    found = build(world, with_mobile=True)
    response = send(alice, "get", path(found))
    assert response.status_code == 200
    body = response.json()
    assert body["me"]["verdict"] == "sandbagging"
    assert body["me"]["brier"] == pytest.approx(0.25)
    assert [team["team"]["name"] for team in body["teams"]] == ["Acme"]
    top, middle = body["levels"]
    assert top == {"depth": 0, "key_results": 3, "enough": False, "calibration": None}
    assert (middle["depth"], middle["key_results"], middle["enough"]) == (1, 6, True)
    assert middle["calibration"]["brier"] == pytest.approx(0.45)
    assert middle["calibration"]["bias"] == pytest.approx(0.3)
    raw = json.dumps(body)
    for secret in ("Bob", "bob@", "Platform", "0.81", "Erin", "Mobile"):
        assert secret not in raw, secret
    # Only these keys: no list of people, no owner ids.
    assert set(body) == {"cycle_id", "hit_at", "me", "teams", "levels"}
    assert set(middle) == {"depth", "key_results", "enough", "calibration"}


def test_levels_below_the_minimum_carry_no_figures(closed: Calibrated, alice: Client) -> None:
    levels = send(alice, "get", path(closed)).json()["levels"]
    assert [(level["depth"], level["enough"], level["calibration"]) for level in levels] == [
        (0, False, None),
        (1, False, None),
    ]


def test_a_viewer_without_key_results_gets_an_empty_calibration(
    closed: Calibrated, dave: Client
) -> None:
    body = send(dave, "get", path(closed)).json()
    assert body["me"]["key_results"] == 0
    assert body["me"]["brier"] is None
    assert body["me"]["verdict"] == "not enough data"
    assert body["teams"] == [] and body["levels"] is None


def test_the_outsider_gets_404(closed: Calibrated, charlie: Client) -> None:
    problem(send(charlie, "get", path(closed)), 404)


def test_a_missing_cycle_is_404(closed: Calibrated, bob: Client) -> None:
    problem(send(bob, "get", "/cycles/999999/calibration"), 404)


def test_it_refuses_an_open_cycle_with_409(world: World, bob: Client) -> None:
    running = CycleFactory(organisation=world.acme, name="Running")
    body = problem(send(bob, "get", f"/cycles/{running.pk}/calibration"), 409)
    assert body["detail"] == "Calibration is computed when the cycle closes."


def test_it_needs_authentication(closed: Calibrated, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", path(closed)))


def test_it_runs_the_same_queries_for_3_and_for_30_key_results(world: World, alice: Client) -> None:
    found = build(world, with_mobile=True)
    few = queries(alice, path(found))
    more_key_results(found, 27)
    assert queries(alice, path(found)) == few
