"""/api/v1/objectives: lists, nested creation, bulk creation, versioned edits, deletion."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from headway.goals import services
from headway.goals.models import CycleStatus, KeyResult, Objective
from tests.conftest import World
from tests.factories import CycleFactory
from tests.okrs import Okrs, build, deploys_kr, more_objectives

from .conftest import problem, queries, send, unauthenticated

OBJECTIVE = {
    "id",
    "cycle_id",
    "owner_team_id",
    "owner_user_id",
    "owner_name",
    "title",
    "description",
    "status",
    "visibility",
    "order",
    "progress",
    "version",
    "created_at",
    "updated_at",
    "key_results",
    "score",
    "score_override",
    "score_reason",
}
KEY_RESULT = {
    "id",
    "objective_id",
    "title",
    "kind",
    "format",
    "unit",
    "start_value",
    "target_value",
    "direction",
    "weight",
    "owner_id",
    "status",
    "order",
    "current_value",
    "progress",
    "progress_raw",
    "confidence",
    "last_checkin_at",
    "version",
    "score",
    "score_override",
    "score_reason",
    "plan",
}


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


def new_objective(okrs: Okrs, world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cycle_id": okrs.quarter.pk,
        "owner_team_id": world.platform.pk,
        "title": "Faster pipelines",
        "key_results": [
            {
                "title": "Pipeline minutes",
                "kind": "decrease",
                "start_value": 30,
                "target_value": 10,
            },
            {"title": "Flaky tests fixed", "kind": "milestone"},
        ],
    }
    body.update(changes)
    return body


def titles(world: World) -> list[str]:
    return list(
        Objective.objects.filter(organisation=world.acme)
        .order_by("pk")
        .values_list("title", flat=True)
    )


# ---------------------------------------------------------------- reading


def test_it_lists_objectives_with_their_key_results(world: World, okrs: Okrs, dave: Client) -> None:
    response = send(dave, "get", "/objectives")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    company, platform = body["items"]
    assert set(company) == OBJECTIVE
    assert (company["title"], company["owner_name"], company["cycle_id"]) == (
        "Win the mid-market",
        "Acme",
        okrs.year.pk,
    )
    assert [kr["title"] for kr in platform["key_results"]] == [
        "Deploys a week",
        "Incidents a month",
    ]
    deploys = platform["key_results"][0]
    assert set(deploys) == KEY_RESULT
    assert (deploys["start_value"], deploys["target_value"], deploys["progress"]) == (2, 10, 0)
    assert platform["version"] == 1


def test_it_filters_objectives_by_cycle_team_owner_and_status(
    world: World, okrs: Okrs, alice: Client
) -> None:
    mine = services.objective_create(
        member=world.bob, cycle_id=okrs.quarter.pk, owner_user_id=world.bob.user_id, title="Mine"
    )
    services.objective_update(member=world.alice, objective=okrs.company, status="closed")

    def found(query: str) -> list[str]:
        return [o["title"] for o in send(alice, "get", f"/objectives?{query}").json()["items"]]

    assert found(f"cycle_id={okrs.quarter.pk}") == ["Ship without fear", "Mine"]
    assert found(f"team_id={world.platform.pk}") == ["Ship without fear"]
    assert found(f"owner_user_id={world.bob.user_id}") == [mine.title]
    assert found("status=closed") == ["Win the mid-market"]
    problem(send(alice, "get", "/objectives?status=finished"), 422, "status")


def test_it_pages_objectives(world: World, okrs: Okrs, alice: Client) -> None:
    body = send(alice, "get", "/objectives?page=2&page_size=1").json()
    assert body["count"] == 2
    assert [o["title"] for o in body["items"]] == ["Ship without fear"]


def test_it_never_lists_another_organisations_objectives(
    world: World, okrs: Okrs, charlie: Client
) -> None:
    body = send(charlie, "get", "/objectives").json()
    assert [o["title"] for o in body["items"]] == ["Globex dominates"]
    assert send(charlie, "get", f"/objectives?cycle_id={okrs.quarter.pk}").json() == {
        "items": [],
        "count": 0,
    }


def test_it_hides_a_private_objective_from_people_outside_its_team(
    world: World, okrs: Okrs, bob: Client, alice: Client
) -> None:
    private = services.objective_create(
        member=world.alice,
        cycle_id=okrs.year.pk,
        owner_team_id=world.root.pk,
        title="Acquire Globex",
        visibility="private",
    )
    assert "Acquire Globex" not in [
        o["title"] for o in send(bob, "get", "/objectives").json()["items"]
    ]
    problem(send(bob, "get", f"/objectives/{private.pk}"), 404)
    assert send(alice, "get", f"/objectives/{private.pk}").status_code == 200


def test_it_returns_one_objective_with_initiatives_and_alignment(
    world: World, okrs: Okrs, dave: Client
) -> None:
    services.initiative_create(
        member=world.bob, title="Canary releases", key_result_ids=[okrs.deploys.pk]
    )
    response = send(dave, "get", f"/objectives/{okrs.platform.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == OBJECTIVE | {"initiatives", "alignment", "line_of_sight"}
    assert [i["title"] for i in body["initiatives"]] == ["Canary releases"]
    assert body["initiatives"][0]["key_result_ids"] == [okrs.deploys.pk]
    (up,) = body["alignment"]["up"]
    assert (up["parent_type"], up["parent_id"], up["parent_title"], up["kind"]) == (
        "objective",
        okrs.company.pk,
        "Win the mid-market",
        "contributes",
    )
    assert body["alignment"]["down"] == []
    company = send(dave, "get", f"/objectives/{okrs.company.pk}").json()
    assert [link["child_title"] for link in company["alignment"]["down"]] == ["Ship without fear"]


def test_it_hides_another_organisations_objective(
    world: World, okrs: Okrs, charlie: Client
) -> None:
    path = f"/objectives/{okrs.platform.pk}"
    problem(send(charlie, "get", path), 404)
    problem(send(charlie, "patch", path, {"version": 1, "title": "Mine now"}), 404)
    problem(send(charlie, "delete", path), 404)
    okrs.platform.refresh_from_db()
    assert okrs.platform.title == "Ship without fear"


def test_it_rejects_anonymous_objective_reads(world: World, okrs: Okrs, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/objectives"))
    unauthenticated(send(anonymous, "get", f"/objectives/{okrs.platform.pk}"))


def test_it_runs_the_same_queries_for_3_and_30_objectives(
    world: World, okrs: Okrs, bob: Client
) -> None:
    more_objectives(world, okrs.quarter, 1)
    few = queries(bob, "/objectives")
    more_objectives(world, okrs.quarter, 27)
    assert send(bob, "get", "/objectives").json()["count"] == 30
    assert queries(bob, "/objectives") == few


# ---------------------------------------------------------------- creating


def test_it_creates_an_objective_with_nested_key_results(
    world: World, okrs: Okrs, bob: Client
) -> None:
    response = send(bob, "post", "/objectives", new_objective(okrs, world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == OBJECTIVE
    assert (body["title"], body["owner_team_id"], body["status"], body["progress"]) == (
        "Faster pipelines",
        world.platform.pk,
        "active",
        0.0,
    )
    minutes, flaky = body["key_results"]
    assert (minutes["kind"], minutes["order"], minutes["progress"]) == ("decrease", 0, 0.0)
    assert (flaky["kind"], flaky["start_value"], flaky["target_value"]) == ("milestone", 0, 1)
    assert KeyResult.objects.filter(objective_id=body["id"]).count() == 2


def test_it_creates_a_personal_objective_without_key_results(
    world: World, okrs: Okrs, bob: Client
) -> None:
    body = {"cycle_id": okrs.quarter.pk, "owner_user_id": world.bob.user_id, "title": "Learn Go"}
    response = send(bob, "post", "/objectives", body)
    assert response.status_code == 201
    assert (response.json()["owner_name"], response.json()["key_results"]) == ("Bob", [])


def test_it_forbids_a_viewer_from_creating_objectives(
    world: World, okrs: Okrs, dave: Client
) -> None:
    problem(send(dave, "post", "/objectives", new_objective(okrs, world)), 403)
    assert "Faster pipelines" not in titles(world)


def test_it_forbids_a_member_from_creating_for_a_team_they_are_not_in(
    world: World, okrs: Okrs, bob: Client
) -> None:
    problem(
        send(bob, "post", "/objectives", new_objective(okrs, world, owner_team_id=world.root.pk)),
        403,
    )
    assert "Faster pipelines" not in titles(world)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"start_value": "many"}, "key_results.1.start_value"),
        ({"target_value": "lots"}, "key_results.1.target_value"),
        ({"start_value": 10, "target_value": 10}, "key_results.1.target_value"),
        ({"target_value": 1}, "key_results.1.target_value"),  # increasing, target below start
        ({"weight": 0}, "key_results.1.weight"),
        ({"weight": -2}, "key_results.1.weight"),
        ({"kind": "grow"}, "key_results.1.kind"),
        ({"title": ""}, "key_results.1.title"),
        ({"title": "   "}, "key_results.1.title"),
        ({"owner_id": 10**6}, "key_results.1.owner_id"),
    ],
)
def test_it_rejects_a_bad_key_result_naming_its_row_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, row: dict[str, Any], field: str
) -> None:
    body = new_objective(okrs, world, key_results=[deploys_kr(), deploys_kr(**row)])
    problem(send(bob, "post", "/objectives", body), 422, field)
    assert "Faster pipelines" not in titles(world)
    assert KeyResult.objects.filter(organisation=world.acme).count() == 3


def test_it_rejects_a_key_result_owner_from_another_organisation(
    world: World, okrs: Okrs, bob: Client
) -> None:
    body = new_objective(okrs, world, key_results=[deploys_kr(owner_id=world.charlie.user_id)])
    problem(send(bob, "post", "/objectives", body), 422, "key_results.0.owner_id")


def test_it_rejects_bad_objectives_naming_the_field(
    world: World, okrs: Okrs, alice: Client
) -> None:
    closed = CycleFactory(organisation=world.acme, name="2025 Q4", status=CycleStatus.CLOSED)
    globex_cycle = okrs.globex.cycle_id
    cases = [
        ({"title": ""}, "title"),
        ({"cycle_id": globex_cycle}, "cycle_id"),
        ({"cycle_id": closed.pk}, "cycle_id"),
        ({"cycle_id": "soon"}, "cycle_id"),
        ({"owner_user_id": world.bob.user_id}, "owner_team_id"),  # two owners
        ({"owner_team_id": None}, "owner_team_id"),  # none
        ({"owner_team_id": world.globex_team.pk}, "owner_team_id"),
        ({"owner_team_id": None, "owner_user_id": world.charlie.user_id}, "owner_user_id"),
        ({"status": "finished"}, "status"),
        ({"visibility": "secret"}, "visibility"),
    ]
    for changes, field in cases:
        problem(
            send(alice, "post", "/objectives", new_objective(okrs, world, **changes)), 422, field
        )
    assert "Faster pipelines" not in titles(world)


def test_it_rejects_a_body_that_is_not_json(world: World, okrs: Okrs, alice: Client) -> None:
    response = alice.post("/api/v1/objectives", "{", content_type="application/json")
    problem(response, 400)


# ---------------------------------------------------------------- bulk


def test_it_creates_many_objectives_in_one_request(world: World, okrs: Okrs, alice: Client) -> None:
    rows = [
        new_objective(okrs, world, title=f"Objective {n}", key_results=[deploys_kr()])
        for n in range(3)
    ]
    response = send(alice, "post", "/objectives/bulk", {"objectives": rows})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 3
    created = Objective.objects.filter(pk__in=body["ids"]).order_by("pk")
    assert [o.title for o in created] == ["Objective 0", "Objective 1", "Objective 2"]
    assert [o.pk for o in created] == body["ids"]
    assert KeyResult.objects.filter(objective__in=created).count() == 3


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (
            {"key_results": [deploys_kr(), deploys_kr(start_value=5, target_value=5)]},
            "objectives.2.key_results.1.target_value",
        ),
        ({"key_results": [deploys_kr(start_value="x")]}, "objectives.2.key_results.0.start_value"),
        ({"title": "  "}, "objectives.2.title"),
        ({"cycle_id": 10**6}, "objectives.2.cycle_id"),
    ],
)
def test_it_creates_no_objective_when_one_bulk_row_is_bad(
    world: World, okrs: Okrs, alice: Client, bad: dict[str, Any], field: str
) -> None:
    rows = [new_objective(okrs, world, title=f"Objective {n}") for n in range(4)]
    rows[2].update(bad)
    problem(send(alice, "post", "/objectives/bulk", {"objectives": rows}), 422, field)
    assert titles(world) == ["Win the mid-market", "Ship without fear"]


def test_it_names_the_bulk_row_a_member_may_not_create(
    world: World, okrs: Okrs, bob: Client
) -> None:
    rows = [new_objective(okrs, world), new_objective(okrs, world, owner_team_id=world.root.pk)]
    problem(
        send(bob, "post", "/objectives/bulk", {"objectives": rows}),
        422,
        "objectives.1.owner_team_id",
    )
    assert "Faster pipelines" not in titles(world)


def test_it_forbids_a_viewer_from_bulk_creating(world: World, okrs: Okrs, dave: Client) -> None:
    rows = [new_objective(okrs, world)]
    problem(send(dave, "post", "/objectives/bulk", {"objectives": rows}), 403)
    assert "Faster pipelines" not in titles(world)


def test_it_refuses_an_empty_bulk_request(world: World, okrs: Okrs, alice: Client) -> None:
    problem(send(alice, "post", "/objectives/bulk", {"objectives": []}), 422, "objectives")


# ---------------------------------------------------------------- changing


def test_it_changes_an_objective_and_bumps_its_version(
    world: World, okrs: Okrs, bob: Client
) -> None:
    path = f"/objectives/{okrs.platform.pk}"
    response = send(bob, "patch", path, {"version": 1, "title": "Ship calmly", "order": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["order"], body["version"]) == ("Ship calmly", 3, 2)
    assert len(body["key_results"]) == 2


def test_it_hands_an_objective_from_a_team_to_a_person(
    world: World, okrs: Okrs, alice: Client
) -> None:
    body = {"version": 1, "owner_team_id": None, "owner_user_id": world.bob.user_id}
    response = send(alice, "patch", f"/objectives/{okrs.platform.pk}", body)
    assert response.status_code == 200, response.content
    assert (response.json()["owner_team_id"], response.json()["owner_name"]) == (None, "Bob")


def test_it_refuses_a_stale_edit_with_the_current_values(
    world: World, okrs: Okrs, bob: Client, alice: Client
) -> None:
    path = f"/objectives/{okrs.platform.pk}"
    assert send(alice, "patch", path, {"version": 1, "title": "Alice's title"}).status_code == 200
    body = problem(send(bob, "patch", path, {"version": 1, "title": "Bob's title"}), 409, "version")
    assert body["current"]["title"] == "Alice's title"
    assert body["current"]["version"] == 2
    okrs.platform.refresh_from_db()
    assert (okrs.platform.title, okrs.platform.version) == ("Alice's title", 2)


def test_it_needs_the_version_to_change_an_objective(world: World, okrs: Okrs, bob: Client) -> None:
    problem(
        send(bob, "patch", f"/objectives/{okrs.platform.pk}", {"title": "Ship"}), 422, "version"
    )


def test_it_rejects_invalid_objective_changes(world: World, okrs: Okrs, bob: Client) -> None:
    path = f"/objectives/{okrs.platform.pk}"
    problem(send(bob, "patch", path, {"version": 1, "title": None}), 422, "title")
    problem(send(bob, "patch", path, {"version": 1, "status": "done"}), 422, "status")
    problem(send(bob, "patch", path, {"version": 1, "owner_team_id": None}), 422, "owner_team_id")
    problem(
        send(bob, "patch", path, {"version": 1, "cycle_id": okrs.globex.cycle_id}), 422, "cycle_id"
    )
    okrs.platform.refresh_from_db()
    assert (okrs.platform.title, okrs.platform.version) == ("Ship without fear", 1)


def test_it_forbids_changes_by_viewers_and_people_outside_the_team(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    problem(
        send(dave, "patch", f"/objectives/{okrs.platform.pk}", {"version": 1, "title": "x"}), 403
    )
    problem(send(bob, "patch", f"/objectives/{okrs.company.pk}", {"version": 1, "title": "x"}), 403)
    okrs.company.refresh_from_db()
    assert okrs.company.title == "Win the mid-market"


# ---------------------------------------------------------------- deleting


def test_it_deletes_an_objective_and_rolls_its_parent_up_again(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=8)
    okrs.company.refresh_from_db()
    assert okrs.company.progress == pytest.approx(0.25)
    assert send(bob, "delete", f"/objectives/{okrs.platform.pk}").status_code == 204
    assert not Objective.objects.filter(pk=okrs.platform.pk).exists()
    assert not KeyResult.objects.filter(pk=okrs.deploys.pk).exists()
    okrs.company.refresh_from_db()
    assert okrs.company.progress == 0


def test_it_forbids_viewers_and_outsiders_from_deleting(
    world: World, okrs: Okrs, dave: Client, bob: Client, charlie: Client
) -> None:
    problem(send(dave, "delete", f"/objectives/{okrs.platform.pk}"), 403)
    problem(send(bob, "delete", f"/objectives/{okrs.company.pk}"), 403)
    problem(send(charlie, "delete", f"/objectives/{okrs.company.pk}"), 404)
    assert Objective.objects.filter(organisation=world.acme).count() == 2
