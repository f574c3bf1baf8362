"""GET /api/v1/objectives/{id} carries the objective's line of sight."""

from __future__ import annotations

import pytest

from tests.alignment import Alignment, build_alignment
from tests.api.conftest import problem, send
from tests.conftest import api_client


@pytest.fixture
def acme(world) -> Alignment:  # type: ignore[no-untyped-def]
    return build_alignment(world)


def chains(acme: Alignment, persona: str, objective_id: int) -> list[dict]:  # type: ignore[type-arg]
    client = api_client(getattr(acme.world, persona))
    response = send(client, "get", f"/objectives/{objective_id}")
    assert response.status_code == 200, response.content
    return response.json()["line_of_sight"]


def test_it_lists_every_chain_up_to_strategy_best_first(acme: Alignment) -> None:
    # The shorter chain first: up to the bubble's own theme, which says whose it is.
    second, first = chains(acme, "dave", acme.deploy_often.pk)
    assert second["theme_id"] == acme.calm.pk and len(second["steps"]) == 3
    assert second["steps"][-1]["bubble_team_id"] == acme.world.platform.pk
    assert first["reaches_strategy"] and first["all_contribute"]
    assert first["theme_id"] == acme.grow.pk
    steps = first["steps"]
    assert [(s["type"], s["id"]) for s in steps] == [
        ("objective", acme.deploy_often.pk),
        ("objective", acme.platform.pk),
        ("objective", acme.company.pk),
        ("theme", acme.grow.pk),
    ]
    assert steps[0]["link"] is None
    assert steps[1]["link"] == {
        "kind": "contributes",
        "weight": 1.0,
        "key_result_id": acme.deploys.pk,
        "key_result_title": "Deploys a week",
    }
    assert steps[1]["progress"] == pytest.approx(acme.platform.progress)
    assert steps[1]["band"] in {"on-track", "at-risk", "off-track"}
    assert steps[1]["owner_name"] == "Platform"
    assert steps[-1]["bubble_team_id"] is None


def test_a_supports_link_means_the_chain_does_not_all_contribute(acme: Alignment) -> None:
    (chain,) = chains(acme, "dave", acme.reliability.pk)
    assert chain["reaches_strategy"] and not chain["all_contribute"]
    assert chain["steps"][1]["link"]["kind"] == "supports"


def test_a_private_step_has_no_id_title_or_figures_for_those_who_may_not_see_it(
    acme: Alignment,
) -> None:
    (chain,) = chains(acme, "bob", acme.follower.pk)
    hidden = chain["steps"][1]
    assert hidden["private"] is True
    assert (hidden["id"], hidden["title"], hidden["progress"], hidden["owner_name"]) == (
        None,
        None,
        None,
        None,
    )
    assert hidden["link"] == {
        "kind": "contributes",
        "weight": None,
        "key_result_id": None,
        "key_result_title": None,
    }
    assert chain["theme_id"] == acme.grow.pk
    (seen,) = chains(acme, "alice", acme.follower.pk)
    assert seen["steps"][1]["title"] == "Buy a competitor"


def test_an_orphan_has_one_chain_that_does_not_reach_strategy(acme: Alignment) -> None:
    (chain,) = chains(acme, "bob", acme.orphan.pk)
    assert not chain["reaches_strategy"] and chain["theme_id"] is None
    assert [s["id"] for s in chain["steps"]] == [acme.orphan.pk]


def test_the_outsider_gets_404(acme: Alignment) -> None:
    client = api_client(acme.world.charlie)
    problem(send(client, "get", f"/objectives/{acme.platform.pk}"), 404)
    (chain,) = chains(acme, "charlie", acme.globex.pk)
    assert chain["theme_id"] == acme.globex_theme.pk
