"""GET /api/v1/alignment/tree: a subtree of the map, level by level, each level paged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alignment import Alignment, align, build_alignment, objective
from tests.api.conftest import problem, send, unauthenticated
from tests.conftest import api_client


@pytest.fixture
def acme(world) -> Alignment:  # type: ignore[no-untyped-def]
    return build_alignment(world)


def tree(acme: Alignment, persona: str = "dave", **query: object) -> dict:  # type: ignore[type-arg]
    query.setdefault("cycle", acme.quarter.pk)
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = send(api_client(getattr(acme.world, persona)), "get", f"/alignment/tree?{params}")
    assert response.status_code == 200, response.content
    return response.json()


def titles(level: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["title"] for item in level["items"]]


def test_from_strategy_level_one_is_what_aligns_to_a_theme(acme: Alignment) -> None:
    body = tree(acme)
    assert body["root"] == {
        "type": "strategy",
        "id": None,
        "title": "Strategy: every theme",
        "bubble_team_id": None,
    }
    assert body["depth"] == 2 and body["cycle_id"] == acme.quarter.pk
    first, second = body["levels"]
    assert titles(first) == ["Win the mid-market", "Ship without fear"]
    assert (first["count"], first["private"], first["has_more"]) == (2, 1, False)  # the secret
    assert sorted(titles(second)) == [
        "Deploy many times a day",
        "Organise the summer party",
        "Ship without any fear",
        "Ship without fear",  # below the company objective too
        "Tell shippers about reliability",
    ]


def test_each_item_says_how_it_aligns_and_what_lies_below(acme: Alignment) -> None:
    first = tree(acme, depth=1)["levels"][0]
    platform = next(i for i in first["items"] if i["id"] == acme.platform.pk)
    assert platform["parents"] == [
        {
            "type": "objective",
            "id": acme.company.pk,
            "key_result_id": None,
            "kind": "contributes",
            "weight": 1.0,
        },
        {
            "type": "theme",
            "id": acme.calm.pk,
            "key_result_id": None,
            "kind": "contributes",
            "weight": 1.0,
        },
    ]
    assert (platform["children"], platform["private_children"]) == (2, 0)
    assert platform["owner_name"] == "Platform" and platform["band"] == "off-track"
    company = next(i for i in first["items"] if i["id"] == acme.company.pk)
    assert (company["children"], company["private_children"]) == (3, 0)


def test_from_an_objective_down_three_levels(acme: Alignment) -> None:
    body = tree(acme, root=f"objective:{acme.company.pk}", depth=3)
    assert body["root"]["type"] == "objective" and body["root"]["title"] == "Win the mid-market"
    first, second, third = body["levels"]
    assert titles(first) == [
        "Organise the summer party",
        "Ship without fear",
        "Tell shippers about reliability",
    ]
    assert titles(second) == ["Deploy many times a day", "Ship without any fear"]
    via_key_result = second["items"][0]["parents"][0]
    assert via_key_result["key_result_id"] == acme.deploys.pk
    assert via_key_result["id"] == acme.platform.pk
    assert third["count"] == 0


def test_from_a_bubble_theme(acme: Alignment) -> None:
    body = tree(acme, root=f"theme:{acme.calm.pk}", depth=1)
    assert body["root"]["bubble_team_id"] == acme.world.platform.pk
    assert titles(body["levels"][0]) == ["Ship without fear"]


def test_every_level_is_paged_alike(acme: Alignment) -> None:
    body = tree(acme, root=f"objective:{acme.company.pk}", depth=2, page=2, page_size=1)
    first, second = body["levels"]
    assert titles(first) == ["Ship without fear"] and first["has_more"] is True
    assert first["count"] == 3
    assert titles(second) == ["Ship without any fear"] and second["has_more"] is False


def test_private_objectives_are_counted_and_never_walked_through(acme: Alignment) -> None:
    bob = tree(acme, "bob", root=f"objective:{acme.company.pk}", depth=1)
    assert bob["levels"][0]["private"] == 0
    hidden = objective(
        acme.world.alice,
        acme.quarter,
        acme.world.root,
        "Quiet pricing review",
        visibility="private",
    )
    align(acme.world.alice, hidden, acme.company)
    below = objective(acme.world.alice, acme.quarter, acme.world.root, "Public under private")
    align(acme.world.alice, below, hidden)
    bob = tree(acme, "bob", root=f"objective:{acme.company.pk}", depth=2)
    assert bob["levels"][0]["private"] == 1
    assert "Quiet pricing review" not in str(bob) and "Public under private" not in str(bob)
    alice = tree(acme, "alice", root=f"objective:{acme.company.pk}", depth=2)
    assert "Public under private" in titles(alice["levels"][1])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"depth": 0}, "depth"),
        ({"depth": 6}, "depth"),
        ({"page": 0}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"root": "banana"}, "root"),
        ({"root": "key_result:3"}, "root"),
        ({"cycle": 999999}, "cycle"),
    ],
)
def test_bad_input_is_422_naming_the_field(acme: Alignment, query: dict, field: str) -> None:  # type: ignore[type-arg]
    query = {"cycle": acme.quarter.pk, **query}
    params = "&".join(f"{k}={v}" for k, v in query.items())
    problem(send(api_client(acme.world.dave), "get", f"/alignment/tree?{params}"), 422, field)


def test_a_root_of_another_organisation_or_out_of_sight_is_404(acme: Alignment) -> None:
    dave, bob = api_client(acme.world.dave), api_client(acme.world.bob)
    cycle = f"cycle={acme.quarter.pk}"
    problem(send(dave, "get", f"/alignment/tree?{cycle}&root=theme:{acme.globex_theme.pk}"), 404)
    problem(send(dave, "get", f"/alignment/tree?{cycle}&root=objective:{acme.globex.pk}"), 404)
    problem(send(bob, "get", f"/alignment/tree?{cycle}&root=objective:{acme.secret.pk}"), 404)
    body = problem(send(dave, "get", f"/alignment/tree?cycle={acme.globex.cycle_id}"), 422, "cycle")
    assert "No cycle" in body["detail"]


def test_the_outsider_sees_only_their_own_tree(acme: Alignment) -> None:
    body = tree(acme, "charlie", cycle=acme.globex.cycle_id)
    assert titles(body["levels"][0]) == ["Globex's own goal"]


def test_it_needs_authentication(acme: Alignment, anonymous) -> None:  # type: ignore[no-untyped-def]
    unauthenticated(send(anonymous, "get", "/alignment/tree"))


def test_it_runs_the_same_queries_for_3_and_30_objectives_a_level(acme: Alignment) -> None:
    client = api_client(acme.world.dave)
    path = f"/alignment/tree?cycle={acme.quarter.pk}&depth=3"

    def count() -> int:
        send(client, "get", path)
        with CaptureQueriesContext(connection) as captured:
            assert send(client, "get", path).status_code == 200
        return len(captured)

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            child = objective(acme.world.alice, acme.quarter, acme.squad, f"Child {n}")
            align(acme.world.alice, child, acme.grow)
            align(
                acme.world.alice,
                objective(acme.world.alice, acme.quarter, acme.squad, f"Leaf {n}"),
                child,
            )

    add(0, 3)
    small = count()
    add(3, 30)
    assert count() == small
