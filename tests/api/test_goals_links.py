"""/api/v1/initiatives and /api/v1/alignment-links."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from headway.goals import services
from headway.goals.models import AlignmentLink, Cycle, Initiative, Objective
from tests.conftest import World
from tests.factories import ThemeFactory
from tests.okrs import Okrs, build, deploys_kr

from .conftest import problem, queries, send, unauthenticated

INITIATIVE = {"id", "title", "description", "status", "owner_id", "key_result_ids", "created_at"}
LINK = {
    "id",
    "child_id",
    "child_title",
    "parent_type",
    "parent_id",
    "parent_title",
    "kind",
    "weight",
    "created_at",
}


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


def team_objective(world: World, cycle: Cycle, title: str = "Faster pipelines") -> Objective:
    return services.objective_create(
        member=world.bob,
        cycle_id=cycle.pk,
        owner_team_id=world.platform.pk,
        title=title,
        key_results=[deploys_kr()],
    )


def link(child: Objective, parent_type: str, parent_id: int, **changes: Any) -> dict[str, Any]:
    return {"child_id": child.pk, "parent_type": parent_type, "parent_id": parent_id, **changes}


# ---------------------------------------------------------------- initiatives


def test_it_creates_an_initiative_for_key_results(world: World, okrs: Okrs, bob: Client) -> None:
    body = {
        "title": "Canary releases",
        "status": "in_progress",
        "owner_id": world.bob.user_id,
        "key_result_ids": [okrs.deploys.pk, okrs.incidents.pk],
    }
    response = send(bob, "post", "/initiatives", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == INITIATIVE
    assert (created["status"], created["owner_id"]) == ("in_progress", world.bob.user_id)
    assert created["key_result_ids"] == [okrs.deploys.pk, okrs.incidents.pk]


def test_it_lists_and_filters_initiatives_once_each(
    world: World, okrs: Okrs, alice: Client
) -> None:
    services.initiative_create(
        member=world.alice,
        title="Canary releases",
        key_result_ids=[okrs.deploys.pk, okrs.incidents.pk],
        owner_id=world.bob.user_id,
    )
    services.initiative_create(
        member=world.alice, title="Sales push", status="done", key_result_ids=[okrs.revenue.pk]
    )

    def found(query: str = "") -> list[str]:
        return [i["title"] for i in send(alice, "get", f"/initiatives?{query}").json()["items"]]

    assert found() == ["Canary releases", "Sales push"]
    assert found(f"objective_id={okrs.platform.pk}") == ["Canary releases"]
    assert found(f"key_result_id={okrs.revenue.pk}") == ["Sales push"]
    assert found("status=done") == ["Sales push"]
    assert found(f"owner_id={world.bob.user_id}") == ["Canary releases"]
    assert send(alice, "get", "/initiatives").json()["count"] == 2


def test_it_hides_another_organisations_initiatives(
    world: World, okrs: Okrs, charlie: Client
) -> None:
    initiative = services.initiative_create(
        member=world.bob, title="Canary releases", key_result_ids=[okrs.deploys.pk]
    )
    assert send(charlie, "get", "/initiatives").json() == {"items": [], "count": 0}
    path = f"/initiatives/{initiative.pk}"
    problem(send(charlie, "get", path), 404)
    problem(send(charlie, "patch", path, {"title": "Mine"}), 404)
    problem(send(charlie, "delete", path), 404)
    initiative.refresh_from_db()
    assert initiative.title == "Canary releases"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key_result_ids": []}, "key_result_ids"),
        ({"key_result_ids": ["first"]}, "key_result_ids.0"),
        ({"title": ""}, "title"),
        ({"status": "paused"}, "status"),
        ({"owner_id": 10**6}, "owner_id"),
    ],
)
def test_it_rejects_bad_initiatives_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, changes: dict[str, Any], field: str
) -> None:
    body = {"title": "Canary releases", "key_result_ids": [okrs.deploys.pk], **changes}
    problem(send(bob, "post", "/initiatives", body), 422, field)
    assert not Initiative.objects.exists()


def test_it_refuses_a_key_result_of_another_organisation(
    world: World, okrs: Okrs, alice: Client
) -> None:
    body = {"title": "Steal", "key_result_ids": [okrs.deploys.pk, okrs.globex_kr.pk]}
    problem(send(alice, "post", "/initiatives", body), 422, "key_result_ids")
    assert not Initiative.objects.exists()


def test_it_forbids_initiatives_on_others_key_results(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    problem(
        send(dave, "post", "/initiatives", {"title": "x", "key_result_ids": [okrs.deploys.pk]}), 403
    )
    problem(
        send(bob, "post", "/initiatives", {"title": "x", "key_result_ids": [okrs.revenue.pk]}), 403
    )
    assert not Initiative.objects.exists()


def test_it_changes_an_initiative_and_its_key_results(
    world: World, okrs: Okrs, bob: Client
) -> None:
    initiative = services.initiative_create(
        member=world.bob,
        title="Canary releases",
        key_result_ids=[okrs.deploys.pk],
        owner_id=world.bob.user_id,
    )
    path = f"/initiatives/{initiative.pk}"
    body = {"status": "done", "key_result_ids": [okrs.incidents.pk], "owner_id": None}
    response = send(bob, "patch", path, body)
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["status"], changed["key_result_ids"], changed["owner_id"]) == (
        "done",
        [okrs.incidents.pk],
        None,
    )
    problem(send(bob, "patch", path, {"title": None}), 422, "title")
    problem(send(bob, "patch", path, {"key_result_ids": []}), 422, "key_result_ids")
    problem(
        send(bob, "patch", path, {"key_result_ids": [okrs.globex_kr.pk]}), 422, "key_result_ids"
    )
    assert list(initiative.key_results.values_list("pk", flat=True)) == [okrs.incidents.pk]


def test_it_deletes_an_initiative(world: World, okrs: Okrs, bob: Client, dave: Client) -> None:
    initiative = services.initiative_create(
        member=world.bob, title="Canary releases", key_result_ids=[okrs.deploys.pk]
    )
    problem(send(dave, "delete", f"/initiatives/{initiative.pk}"), 403)
    assert send(bob, "delete", f"/initiatives/{initiative.pk}").status_code == 204
    assert not Initiative.objects.exists()


def test_it_runs_the_same_queries_for_3_and_30_initiatives(
    world: World, okrs: Okrs, bob: Client
) -> None:
    def add(count: int) -> None:
        for n in range(count):
            services.initiative_create(
                member=world.alice,
                title=f"Initiative {n}",
                key_result_ids=[okrs.deploys.pk, okrs.incidents.pk][: 1 + n % 2],
            )

    add(3)
    few = queries(bob, "/initiatives")
    add(27)
    assert send(bob, "get", "/initiatives").json()["count"] == 30
    assert queries(bob, "/initiatives") == few


# ---------------------------------------------------------------- alignment links


def test_it_lists_and_filters_alignment_links(world: World, okrs: Okrs, dave: Client) -> None:
    theme = ThemeFactory(organisation=world.acme, title="Reliability")
    services.alignment_link_create(
        member=world.alice, child=okrs.company, parent_type="theme", parent_id=theme.pk
    )
    body = send(dave, "get", "/alignment-links").json()
    assert body["count"] == 2
    platform_up, company_up = body["items"]
    assert set(platform_up) == LINK
    assert (platform_up["child_title"], platform_up["parent_title"], platform_up["weight"]) == (
        "Ship without fear",
        "Win the mid-market",
        1.0,
    )
    assert (company_up["parent_type"], company_up["parent_id"]) == ("theme", theme.pk)

    def found(query: str) -> list[int]:
        return [x["id"] for x in send(dave, "get", f"/alignment-links?{query}").json()["items"]]

    assert found(f"child_id={okrs.company.pk}") == [company_up["id"]]
    assert found("parent_type=theme") == [company_up["id"]]
    assert found(f"parent_type=objective&parent_id={okrs.company.pk}") == [platform_up["id"]]
    assert found(f"parent_type=objective&parent_id={okrs.platform.pk}") == []
    problem(send(dave, "get", f"/alignment-links?parent_id={okrs.company.pk}"), 422, "parent_type")
    problem(send(dave, "get", "/alignment-links?parent_type=team"), 422, "parent_type")


def test_it_hides_another_organisations_links(world: World, okrs: Okrs, charlie: Client) -> None:
    assert send(charlie, "get", "/alignment-links").json() == {"items": [], "count": 0}
    existing = AlignmentLink.objects.get()
    problem(send(charlie, "get", f"/alignment-links/{existing.pk}"), 404)
    problem(send(charlie, "delete", f"/alignment-links/{existing.pk}"), 404)
    assert AlignmentLink.objects.count() == 1


def test_a_contributing_link_rolls_the_child_up_into_its_parent(
    world: World, okrs: Okrs, bob: Client
) -> None:
    child = team_objective(world, okrs.quarter)
    services.checkin_create(
        member=world.bob, key_result_id=child.key_results.get().pk, value=10, confidence=9
    )
    response = send(
        bob, "post", "/alignment-links", link(child, "key_result", okrs.deploys.pk, weight=2)
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (
        created["parent_type"],
        created["parent_title"],
        created["kind"],
        created["weight"],
    ) == (
        "key_result",
        "Deploys a week",
        "contributes",
        2.0,
    )
    okrs.platform.refresh_from_db()
    assert okrs.platform.progress == pytest.approx(
        2 / 4
    )  # deploys 0, incidents 0, child 1 at weight 2
    assert send(bob, "delete", f"/alignment-links/{created['id']}").status_code == 204
    okrs.platform.refresh_from_db()
    assert okrs.platform.progress == 0


def test_a_supporting_link_is_shown_but_not_counted(world: World, okrs: Okrs, bob: Client) -> None:
    child = team_objective(world, okrs.quarter)
    services.checkin_create(
        member=world.bob, key_result_id=child.key_results.get().pk, value=10, confidence=9
    )
    body = link(child, "objective", okrs.platform.pk, kind="supports")
    assert send(bob, "post", "/alignment-links", body).status_code == 201
    okrs.platform.refresh_from_db()
    assert okrs.platform.progress == 0


def test_it_refuses_a_link_that_makes_a_loop(world: World, okrs: Okrs, alice: Client) -> None:
    for parent_type, parent in (("objective", okrs.platform), ("key_result", okrs.deploys)):
        body = problem(
            send(alice, "post", "/alignment-links", link(okrs.company, parent_type, parent.pk)),
            422,
            "parent_id",
        )
        assert "loop" in body["detail"]
    assert AlignmentLink.objects.count() == 1


def test_it_refuses_a_parent_in_a_later_cycle(world: World, okrs: Okrs, bob: Client) -> None:
    q3 = Cycle.objects.get(organisation=world.acme, name="2026 Q3")
    child = team_objective(world, q3)
    body = problem(
        send(bob, "post", "/alignment-links", link(child, "objective", okrs.platform.pk)),
        422,
        "parent_id",
    )
    assert "does not cover" in body["detail"]
    assert not AlignmentLink.objects.filter(child=child).exists()


def test_it_refuses_links_across_organisations(world: World, okrs: Okrs, alice: Client) -> None:
    problem(
        send(alice, "post", "/alignment-links", link(okrs.platform, "objective", okrs.globex.pk)),
        422,
        "parent_id",
    )
    problem(
        send(
            alice, "post", "/alignment-links", link(okrs.platform, "key_result", okrs.globex_kr.pk)
        ),
        422,
        "parent_id",
    )
    globex_theme = ThemeFactory(organisation=world.globex)
    problem(
        send(alice, "post", "/alignment-links", link(okrs.platform, "theme", globex_theme.pk)),
        422,
        "parent_id",
    )
    problem(
        send(alice, "post", "/alignment-links", link(okrs.globex, "objective", okrs.company.pk)),
        422,
        "child_id",
    )
    assert AlignmentLink.objects.count() == 1


@pytest.mark.parametrize("weight", [0, -1, "heavy"])
def test_it_refuses_a_weight_that_is_not_above_zero(
    world: World, okrs: Okrs, bob: Client, weight: object
) -> None:
    child = team_objective(world, okrs.quarter)
    body = link(child, "objective", okrs.platform.pk, weight=weight)
    problem(send(bob, "post", "/alignment-links", body), 422, "weight")
    assert not AlignmentLink.objects.filter(child=child).exists()


def test_it_rejects_other_bad_links(world: World, okrs: Okrs, bob: Client) -> None:
    child = team_objective(world, okrs.quarter)
    problem(
        send(bob, "post", "/alignment-links", link(child, "team", world.platform.pk)),
        422,
        "parent_type",
    )
    problem(
        send(
            bob,
            "post",
            "/alignment-links",
            link(child, "objective", okrs.platform.pk, kind="blocks"),
        ),
        422,
        "kind",
    )
    problem(
        send(bob, "post", "/alignment-links", link(child, "objective", 10**6)), 422, "parent_id"
    )
    assert not AlignmentLink.objects.filter(child=child).exists()


def test_it_refuses_the_same_link_twice(world: World, okrs: Okrs, bob: Client) -> None:
    body = link(okrs.platform, "objective", okrs.company.pk)
    problem(send(bob, "post", "/alignment-links", body), 409, "parent_id")
    assert AlignmentLink.objects.count() == 1


def test_it_forbids_links_by_viewers_and_outside_the_team(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    theme = ThemeFactory(organisation=world.acme)
    problem(send(dave, "post", "/alignment-links", link(okrs.platform, "theme", theme.pk)), 403)
    problem(send(bob, "post", "/alignment-links", link(okrs.company, "theme", theme.pk)), 403)
    existing = AlignmentLink.objects.get()
    problem(send(dave, "delete", f"/alignment-links/{existing.pk}"), 403)
    assert AlignmentLink.objects.count() == 1


def test_it_rejects_anonymous_link_calls(world: World, okrs: Okrs, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/alignment-links"))
    unauthenticated(send(anonymous, "get", "/initiatives"))


def test_it_runs_the_same_queries_for_3_and_30_links(world: World, okrs: Okrs, bob: Client) -> None:
    theme = ThemeFactory(organisation=world.acme)

    def add(count: int) -> None:
        for n in range(count):
            child = team_objective(world, okrs.quarter, f"Child {n}")
            parent = ("objective", okrs.company.pk) if n % 2 else ("theme", theme.pk)
            services.alignment_link_create(
                member=world.bob, child=child, parent_type=parent[0], parent_id=parent[1]
            )

    add(2)
    few = queries(bob, "/alignment-links")
    add(27)
    assert send(bob, "get", "/alignment-links").json()["count"] == 30
    assert queries(bob, "/alignment-links") == few
