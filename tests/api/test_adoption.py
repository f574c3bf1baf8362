"""The adoption API: the organisation, its levels and teams with their stages, the
pilot beside the rest, the trend and one team's history; calibration's privacy;
outsiders get 404 and unknown cycles 422."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from headway.insights import adoption_counts
from tests.adopted import TODAY, Adopted, build
from tests.conftest import World, api_client
from tests.insights.test_adoption import grow

from .conftest import problem, queries, send, unauthenticated


@pytest.fixture
def adopted(world: World, monkeypatch: pytest.MonkeyPatch) -> Adopted:
    monkeypatch.setattr(adoption_counts, "organisation_today", lambda organisation: TODAY)
    return build(world)


def read(client: Client, path: str) -> dict[str, Any]:
    response = send(client, "get", path)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def by_slug(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["team"]["slug"]: row for row in body["teams"]}


def test_it_gives_the_organisation_levels_and_teams_with_their_stages(adopted: Adopted) -> None:
    body = read(api_client(adopted.world.dave), f"/adoption?cycle_id={adopted.q4.pk}")
    assert (body["cycle_id"], body["previous_cycle_id"]) == (adopted.q4.pk, adopted.q3.pk)
    assert body["today"] == TODAY.isoformat()
    org = body["organisation"]["figures"]
    assert org["facts"] == {
        "teams": 4,
        "teams_with_okrs": 3,
        "people": 5,
        "people_with_okrs": 4,
        "objectives": 4,
        "aligned_objectives": 3,
        "key_results": 6,
        "outcome_key_results": 4,
        "classified_key_results": 6,
        "checkin_weeks_due": 43,
        "checkin_weeks_done": 24,
        "pivots": 1,
        "learnings": 1,
    }
    assert org["checkin_rate"] == pytest.approx(24 / 43)
    assert org["outcome_share"] == pytest.approx(4 / 6)
    assert (org["calibration"], org["calibration_visible"]) == (None, True)
    assert body["organisation"]["stages"] == [1, 1, 1, 1, 0, 0]
    assert [level["label"] for level in body["levels"]] == ["Top of the tree", "Level 1", "Level 2"]
    teams = by_slug(body)
    assert list(teams) == ["acme", "mobile", "platform", "data"]
    assert teams["platform"]["stage"] == {
        "number": 1,
        "name": "Starting",
        "missing": ["check-in rate 41%, needs 60%"],
    }
    assert teams["data"]["figures"]["outcome_share"] is None  # one key result: not enough
    assert teams["data"]["team"]["depth"] == 2
    assert body["pilot"] is None and body["rest"] is None


def test_it_puts_the_pilot_teams_beside_the_rest(adopted: Adopted) -> None:
    body = read(
        api_client(adopted.world.bob),
        f"/adoption?cycle_id={adopted.q4.pk}&pilot={adopted.platform.pk}&pilot={adopted.data.pk}",
    )
    assert body["pilot"]["team_ids"] == sorted([adopted.platform.pk, adopted.data.pk])
    pilot, rest = body["pilot"]["figures"]["facts"], body["rest"]["figures"]["facts"]
    assert (pilot["checkin_weeks_done"], pilot["checkin_weeks_due"]) == (12, 27)
    assert (rest["checkin_weeks_done"], rest["checkin_weeks_due"]) == (12, 16)
    assert (pilot["people"], pilot["people_with_okrs"]) == (3, 2)
    assert body["pilot_phase_id"] is None
    assert by_slug(body)["data"]["pilot"] is True


def test_calibration_is_the_teams_for_its_people_and_the_aggregates_for_admins(
    adopted: Adopted,
) -> None:
    path = f"/adoption?cycle_id={adopted.q3.pk}"
    alice = read(api_client(adopted.world.alice), path)
    assert alice["organisation"]["figures"]["calibration"] == "optimistic"
    assert by_slug(alice)["acme"]["figures"]["calibration"] == "sandbagging"
    hidden = by_slug(alice)["platform"]["figures"]
    assert (hidden["calibration"], hidden["calibration_visible"]) == (None, False)
    bob = read(api_client(adopted.world.bob), path)
    assert by_slug(bob)["platform"]["figures"]["calibration"] == "optimistic"
    org = bob["organisation"]["figures"]
    assert (org["calibration"], org["calibration_visible"]) == (None, False)
    dave = read(api_client(adopted.world.dave), path)
    assert all(row["figures"]["calibration"] is None for row in dave["teams"])


def test_the_trend_runs_over_the_quarters_oldest_first(adopted: Adopted) -> None:
    body = read(api_client(adopted.world.alice), f"/adoption/trend?cycle_id={adopted.q4.pk}")
    assert [c["cycle_name"] for c in body["cycles"]] == ["2026 Q3", "2026 Q4"]
    q3, q4 = (c["organisation"] for c in body["cycles"])
    assert q3["figures"]["checkin_rate"] == pytest.approx(18 / 75)
    assert q3["figures"]["calibration"] == "optimistic"
    assert q4["stages"] == [1, 1, 1, 1, 0, 0]
    assert len(body["cycles"][1]["levels"]) == 3


def test_a_team_has_its_figures_stage_and_history(adopted: Adopted) -> None:
    body = read(api_client(adopted.world.bob), f"/teams/acme/adoption?cycle_id={adopted.q4.pk}")
    assert body["team_id"] == adopted.root.pk
    assert body["stage"]["number"] == 3
    assert body["figures"]["checkin_rate"] == pytest.approx(12 / 16)
    assert [(h["cycle_name"], h["stage"]["number"]) for h in body["history"]] == [
        ("2026 Q3", 1),
        ("2026 Q4", 3),
    ]
    # bob is not in the root team: its Q3 verdict is not his to see.
    q3 = body["history"][0]["figures"]
    assert (q3["calibration"], q3["calibration_visible"]) == (None, False)


def test_without_a_cycle_it_takes_the_one_running_today(adopted: Adopted) -> None:
    body = read(api_client(adopted.world.alice), "/adoption")
    assert body["cycle_id"] in {adopted.q3.pk, adopted.q4.pk}


def test_an_unknown_or_foreign_cycle_is_422(adopted: Adopted) -> None:
    alice = api_client(adopted.world.alice)
    globex_cycle = adopted.world.globex.cycles.get()
    for path in ("/adoption", "/adoption/trend", "/teams/platform/adoption"):
        problem(send(alice, "get", f"{path}?cycle_id=999999"), 422, "cycle_id")
        problem(send(alice, "get", f"{path}?cycle_id={globex_cycle.pk}"), 422, "cycle_id")


def test_outsiders_get_404_for_teams_and_see_only_their_own_organisation(
    adopted: Adopted,
) -> None:
    charlie = api_client(adopted.world.charlie)
    problem(send(charlie, "get", "/teams/platform/adoption"), 404)
    problem(send(api_client(adopted.world.alice), "get", "/teams/globex-hq/adoption"), 404)
    globex_cycle = adopted.world.globex.cycles.get()
    body = read(charlie, f"/adoption?cycle_id={globex_cycle.pk}&pilot={adopted.platform.pk}")
    assert [row["team"]["slug"] for row in body["teams"]] == ["globex-hq"]
    assert body["pilot"] is None


def test_strangers_are_unauthenticated(adopted: Adopted, anonymous: Client) -> None:
    for path in ("/adoption", "/adoption/trend", "/teams/platform/adoption"):
        unauthenticated(send(anonymous, "get", path))


def test_the_same_queries_for_3_teams_as_for_30(adopted: Adopted) -> None:
    alice = api_client(adopted.world.alice)
    paths = [
        f"/adoption?cycle_id={adopted.q4.pk}",
        f"/adoption/trend?cycle_id={adopted.q4.pk}",
        f"/teams/platform/adoption?cycle_id={adopted.q4.pk}",
    ]
    few = [queries(alice, path) for path in paths]
    grow(adopted.world, adopted.q4, 26)
    assert [queries(alice, path) for path in paths] == few
