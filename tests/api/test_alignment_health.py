"""GET /api/v1/alignment/health: figures, findings, bubbles and the trend."""

from __future__ import annotations

import pytest

from tests.alignment import Alignment, build_alignment, objective
from tests.api.conftest import problem, send, unauthenticated
from tests.conftest import api_client


@pytest.fixture
def acme(world, settings) -> Alignment:  # type: ignore[no-untyped-def]
    settings.HEADWAY_TEXT_ENGINE = "lexical"
    return build_alignment(world)


def health(acme: Alignment, persona: str = "alice", query: str = "") -> dict:  # type: ignore[type-arg]
    response = send(api_client(getattr(acme.world, persona)), "get", f"/alignment/health{query}")
    assert response.status_code == 200, response.content
    return response.json()


def findings(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {f["code"]: f for f in body["findings"]}


def test_it_reports_the_running_cycle_of_the_whole_organisation(acme: Alignment) -> None:
    body = health(acme)
    assert body["cycle_id"] == acme.quarter.pk and body["team_id"] is None
    assert body["bubble_team_id"] is None
    assert set(body["strategy_theme_ids"]) == {acme.grow.pk, acme.delight.pk, acme.calm.pk}
    overall = body["overall"]
    assert (overall["total"], overall["reaching"], overall["contributing"]) == (7, 6, 5)
    assert overall["supports_only"] == 1 and overall["share"] == pytest.approx(6 / 7)
    assert body["drafts"] == 1
    assert body["depth"] == [{"links": 1, "objectives": 1}, {"links": 2, "objectives": 5}]
    assert body["engine"] == "lexical"


def test_each_finding_names_its_objects_and_says_why(acme: Alignment) -> None:
    found = findings(health(acme))
    orphans = found["orphans"]
    assert orphans["count"] == 1 and orphans["why"].startswith("Nobody above can see")
    assert orphans["items"] == [
        {
            "refs": [{"type": "objective", "id": acme.orphan.pk, "title": "Tidy the backlog"}],
            "score": None,
            "note": "",
        }
    ]
    assert found["themes_without_contributors"]["items"][0]["refs"][0]["id"] == acme.delight.pk
    assert found["teams_only_supporting"]["items"][0]["refs"][0]["title"] == "Sales"
    pair = found["duplicates"]["items"][0]
    assert {r["id"] for r in pair["refs"]} == {acme.platform.pk, acme.twin.pk}
    assert pair["score"] > 0.6
    assert found["links_to_check"]["count"] == 0  # the lexical fallback flags no link


def test_per_team_level_and_cycle(acme: Alignment) -> None:
    body = health(acme)
    teams = {
        t["team_name"]: (t["total"], t["reaching"], t["contributing"]) for t in body["per_team"]
    }
    assert teams == {
        "Acme": (2, 2, 2),
        "Platform": (2, 1, 1),
        "Squad": (2, 2, 2),
        "Sales": (1, 1, 0),
    }
    levels = {lv["level"]: lv["total"] for lv in body["per_level"]}
    assert levels == {0: 2, 1: 3, 2: 2}
    cycles = [(c["cycle_name"], c["total"], c["reaching"]) for c in body["per_cycle"]]
    assert cycles == [("FY", 2, 2), ("Last quarter", 1, 0), ("This quarter", 7, 6)]


def test_the_organisation_lists_each_bubble_and_its_connection(acme: Alignment) -> None:
    (bubble,) = health(acme)["bubbles"]
    assert bubble["team_id"] == acme.world.platform.pk and bubble["theme_ids"] == [acme.calm.pk]
    assert bubble["connection"] == {"total": 4, "own": 3, "organisation": 3, "both": 3}
    assert bubble["overall"]["share"] == pytest.approx(0.75)
    (wording,) = bubble["wording"]
    assert wording["theme_id"] == acme.calm.pk and wording["closest_theme_id"] in {
        acme.grow.pk,
        acme.delight.pk,
    }


def test_a_team_in_a_bubble_is_measured_against_its_themes(acme: Alignment) -> None:
    body = health(acme, "bob", f"?team={acme.squad.pk}")
    assert body["team_id"] == acme.squad.pk and body["bubble_team_id"] == acme.world.platform.pk
    assert body["strategy_theme_ids"] == [acme.calm.pk]
    assert body["overall"]["total"] == 2 and body["bubbles"] == []
    assert "themes_without_contributors" not in findings(body)


def test_wording_checks_can_be_left_out(acme: Alignment) -> None:
    body = health(acme, query="?wording=false")
    assert "duplicates" not in findings(body) and body["engine"] == ""


def test_another_cycle(acme: Alignment) -> None:
    body = health(acme, query=f"?cycle={acme.last_quarter.pk}")
    assert body["overall"]["total"] == 1
    assert findings(body)["orphans"]["items"][0]["refs"][0]["title"] == "Last quarter's goal"


def test_private_objectives_are_counted_never_named(acme: Alignment) -> None:
    objective(
        acme.world.alice, acme.quarter, acme.world.root, "Secret side project", visibility="private"
    )
    body = health(acme, "bob")
    assert "Secret side project" not in str(body) and "Buy a competitor" not in str(body)
    assert body["overall"]["private"] == 1 and findings(body)["orphans"]["private"] == 1


@pytest.mark.parametrize("query", ["?cycle=999999", "?team=999999", "?cycle=x"])
def test_unknown_cycle_or_team_is_422(acme: Alignment, query: str) -> None:
    field = "cycle" if "cycle" in query else "team"
    problem(send(api_client(acme.world.alice), "get", f"/alignment/health{query}"), 422, field)


def test_the_outsider_cannot_use_acme_s_cycle_or_team(acme: Alignment) -> None:
    charlie = api_client(acme.world.charlie)
    problem(send(charlie, "get", f"/alignment/health?cycle={acme.quarter.pk}"), 422, "cycle")
    problem(
        send(
            charlie, "get", f"/alignment/health?cycle={acme.globex.cycle_id}&team={acme.squad.pk}"
        ),
        422,
        "team",
    )
    body = health(acme, "charlie", f"?cycle={acme.globex.cycle_id}")
    assert body["overall"]["total"] == 1 and "Tidy the backlog" not in str(body)


def test_it_needs_authentication(anonymous) -> None:  # type: ignore[no-untyped-def]
    unauthenticated(send(anonymous, "get", "/alignment/health"))
