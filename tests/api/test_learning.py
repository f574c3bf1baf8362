"""/api/v1 pivots, target changes and the learning log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from headway.goals import services
from headway.goals.models import (
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    Objective,
    Pivot,
    TargetChange,
)
from headway.insights.models import Flag, FlagKind
from tests.conftest import World
from tests.factories import TeamFactory
from tests.okrs import Okrs, build

from .conftest import problem, queries, send, unauthenticated

TEXTS = {
    "tried": "Canary releases on Fridays",
    "learned": "Nobody watches the canary on Fridays",
    "next_step": "Canary on Tuesdays with a watcher",
}


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


def post_pivot(client: Client, key_result: KeyResult, **body: Any) -> Any:
    return send(client, "post", f"/key-results/{key_result.pk}/pivots", {**TEXTS, **body})


def record(member: Any, key_result: KeyResult, **extra: Any) -> Pivot:
    return services.pivot_record(member=member, key_result_id=key_result.pk, **{**TEXTS, **extra})


def flag_on(key_result: KeyResult, **extra: Any) -> Flag:
    return Flag.objects.create(
        organisation_id=key_result.organisation_id,
        key_result=key_result,
        kind=FlagKind.WATERMELON,
        reason="Confidence 9 of 10 while 40 points behind pace.",
        **extra,
    )


def written() -> tuple[int, ...]:
    return (
        Pivot.objects.count(),
        TargetChange.objects.count(),
        Initiative.objects.count(),
        Flag.objects.exclude(pivot=None).count(),
    )


# ---------------------------------------------------------------- recording


def test_it_records_a_pivot_with_everything_it_changes(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=8)
    old = services.initiative_create(
        member=world.bob, title="Manual checklist", key_result_ids=[okrs.deploys.pk]
    )
    flag = flag_on(okrs.deploys)
    response = post_pivot(
        bob,
        okrs.deploys,
        flag_id=flag.pk,
        new_target=8,
        target_reason="10 was a guess",
        start_initiatives=["Automate the checklist"],
        stop_initiative_ids=[old.pk],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pivot = Pivot.objects.get()
    assert body["kind"] == "pivot" and body["pivot_id"] == pivot.pk
    assert (body["tried"], body["learned"], body["next_step"]) == tuple(TEXTS.values())
    assert body["key_result"] == {"id": okrs.deploys.pk, "title": "Deploys a week"}
    assert body["objective"]["id"] == okrs.platform.pk
    assert body["team"] == {"id": world.platform.pk, "name": "Platform", "slug": "platform"}
    assert body["author"]["email"] == "bob@acme.test"
    assert [f["id"] for f in body["flags"]] == [flag.pk]
    assert body["flags"][0]["kind"] == "watermelon"
    [change] = body["target_changes"]
    assert (change["old_target"], change["new_target"], change["reason"]) == (
        10,
        8,
        "10 was a guess",
    )
    assert change["pivot_id"] == pivot.pk
    started = Initiative.objects.exclude(pk=old.pk).get()
    assert body["initiative_changes"] == [
        {"id": started.pk, "title": "Automate the checklist", "change": "started"},
        {"id": old.pk, "title": "Manual checklist", "change": "stopped"},
    ]
    assert body["aftermath"]["value_at"] == 6
    assert body["aftermath"]["progress_at"] == pytest.approx(0.5)
    assert body["aftermath"]["progress_now"] == pytest.approx(4 / 6)
    assert body["aftermath"]["checkins_since"] == 0
    assert body["aftermath"]["points"] == 17
    assert body["went_well"] == ""
    assert services.recompute_all(write=False) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tried": ""}, "tried"),
        ({"learned": "   "}, "learned"),
        ({"new_target": 8}, "target_reason"),
        ({"target_reason": "why"}, "new_target"),
        ({"new_target": 1, "target_reason": "below the start"}, "new_target"),
        ({"stop_initiative_ids": [424242]}, "stop_initiative_ids"),
        ({"start_initiatives": ["x" * 201]}, "start_initiatives"),
        ({"flag_id": 424242}, "flag_id"),
        ({"new_target": "ten"}, "new_target"),
        ({"start_initiatives": "not a list"}, "start_initiatives"),
    ],
)
def test_it_refuses_bad_input_with_the_field_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, body: dict[str, Any], field: str
) -> None:
    before = written()
    problem(post_pivot(bob, okrs.deploys, **body), 422, field)
    assert written() == before


def test_a_missing_text_is_a_422_naming_it(world: World, okrs: Okrs, bob: Client) -> None:
    response = send(bob, "post", f"/key-results/{okrs.deploys.pk}/pivots", {"tried": "x"})
    body = problem(response, 422)
    assert {"learned", "next_step"} <= {e["field"] for e in body["errors"]}
    assert not Pivot.objects.exists()


def test_a_flag_of_another_key_result_is_refused(world: World, okrs: Okrs, bob: Client) -> None:
    other = flag_on(okrs.incidents)
    body = problem(post_pivot(bob, okrs.deploys, flag_id=other.pk), 422, "flag_id")
    assert "not a flag of this key result" in body["detail"]
    assert Flag.objects.get(pk=other.pk).pivot is None


def test_a_closed_cycle_refuses_pivots_naming_the_key_result(
    world: World, okrs: Okrs, bob: Client
) -> None:
    Cycle.objects.filter(pk=okrs.quarter.pk).update(status=CycleStatus.CLOSED)
    problem(post_pivot(bob, okrs.deploys), 422, "key_result_id")
    path = f"/key-results/{okrs.deploys.pk}/target"
    problem(send(bob, "post", path, {"new_target": 8, "reason": "x"}), 422, "key_result_id")
    assert written() == (0, 0, 0, 0)


def test_the_viewer_gets_403_on_writes(world: World, okrs: Okrs, dave: Client) -> None:
    problem(post_pivot(dave, okrs.deploys), 403)
    path = f"/key-results/{okrs.deploys.pk}/target"
    problem(send(dave, "post", path, {"new_target": 8, "reason": "x"}), 403)
    assert written() == (0, 0, 0, 0)


def test_a_member_of_another_team_gets_403(world: World, okrs: Okrs, bob: Client) -> None:
    body = problem(post_pivot(bob, okrs.revenue), 403)
    assert "record pivots only on your own key results" in body["detail"]


def test_the_outsider_gets_404_everywhere(world: World, okrs: Okrs, charlie: Client) -> None:
    pivot = record(world.bob, okrs.deploys)
    kr = f"/key-results/{okrs.deploys.pk}"
    problem(post_pivot(charlie, okrs.deploys), 404)
    problem(send(charlie, "post", f"{kr}/target", {"new_target": 8, "reason": "x"}), 404)
    problem(send(charlie, "get", f"{kr}/pivots"), 404)
    problem(send(charlie, "get", f"{kr}/targets"), 404)
    problem(send(charlie, "get", f"/pivots/{pivot.pk}"), 404)
    assert send(charlie, "get", "/learning").json() == {"items": [], "count": 0}
    assert written() == (1, 0, 0, 0)


def test_it_rejects_anonymous_calls(world: World, okrs: Okrs, anonymous: Client) -> None:
    unauthenticated(post_pivot(anonymous, okrs.deploys))
    unauthenticated(send(anonymous, "get", "/learning"))


# ---------------------------------------------------------------- reading


def test_it_lists_a_key_results_pivots_newest_first(world: World, okrs: Okrs, dave: Client) -> None:
    first = record(world.bob, okrs.deploys, tried="First")
    second = record(world.bob, okrs.deploys, tried="Second")
    record(world.bob, okrs.incidents, tried="Elsewhere")
    body = send(dave, "get", f"/key-results/{okrs.deploys.pk}/pivots").json()
    assert body["count"] == 2
    assert [p["pivot_id"] for p in body["items"]] == [second.pk, first.pk]
    one = send(dave, "get", f"/pivots/{first.pk}").json()
    assert one["tried"] == "First" and one["aftermath"]["checkins_since"] == 0


def test_the_learning_log_filters_by_team_search_and_cycle(
    world: World, okrs: Okrs, alice: Client
) -> None:
    squad = TeamFactory(organisation=world.acme, name="Squad", slug="squad", parent=world.platform)
    objective = services.objective_create(
        member=world.alice,
        cycle_id=okrs.quarter.pk,
        owner_team_id=squad.pk,
        title="Faster pipelines",
        key_results=[{"title": "Build minutes", "start_value": 1, "target_value": 5}],
    )
    on_squad = record(world.alice, objective.key_results.get(), tried="Bigger runners")
    on_platform = record(world.bob, okrs.deploys, tried="Canary")
    on_root = record(world.alice, okrs.revenue, tried="Cold calls")

    def ids(query: str) -> list[int]:
        response = send(alice, "get", f"/learning?{query}")
        assert response.status_code == 200, response.content
        return [entry["pivot_id"] for entry in response.json()["items"]]

    assert ids("") == [on_root.pk, on_platform.pk, on_squad.pk]
    assert ids("team=platform") == [on_platform.pk, on_squad.pk]
    assert ids("team=platform&q=RUNNERS") == [on_squad.pk]
    assert ids(f"cycle={okrs.year.pk}") == [on_root.pk]
    assert ids("q=cold%20calls") == [on_root.pk]
    assert ids("page_size=1&page=2") == [on_platform.pk]
    problem(send(alice, "get", "/learning?team=nope"), 422, "team")


def test_the_learning_log_includes_closed_objectives_retrospectives(
    world: World, okrs: Okrs, bob: Client
) -> None:
    Objective.objects.filter(pk=okrs.company.pk).update(
        status="closed", retro_went_well="Partners", retro_learned="References sell"
    )
    [entry] = send(bob, "get", "/learning").json()["items"]
    assert entry["kind"] == "retrospective" and entry["pivot_id"] is None
    assert entry["learned"] == "References sell" and entry["went_well"] == "Partners"
    assert entry["key_result"] is None and entry["aftermath"] is None


def test_a_private_objectives_pivots_are_hidden(world: World, okrs: Okrs, bob: Client) -> None:
    services.objective_update(member=world.alice, objective=okrs.company, visibility="private")
    pivot = record(world.alice, okrs.revenue, tried="Secret deal")
    assert send(bob, "get", "/learning?q=secret").json()["count"] == 0
    problem(send(bob, "get", f"/pivots/{pivot.pk}"), 404)
    problem(send(bob, "get", f"/key-results/{okrs.revenue.pk}/pivots"), 404)


# ---------------------------------------------------------------- targets


def test_it_moves_a_target_and_keeps_the_history(world: World, okrs: Okrs, bob: Client) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=8)
    path = f"/key-results/{okrs.deploys.pk}/target"
    response = send(bob, "post", path, {"new_target": 12, "reason": "Easier than hoped"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["target_change"]["old_target"] == 10 and body["target_change"]["new_target"] == 12
    assert body["target_change"]["pivot_id"] is None
    assert body["key_result"]["target_value"] == 12
    assert body["key_result"]["progress"] == pytest.approx(0.4)
    assert body["objective"]["progress"] == pytest.approx(0.2)
    send(bob, "post", path, {"new_target": 9, "reason": "Team shrank"})
    history = send(bob, "get", f"/key-results/{okrs.deploys.pk}/targets").json()
    assert history["count"] == 2
    assert [(c["old_target"], c["new_target"], c["reason"]) for c in history["items"]] == [
        (10, 12, "Easier than hoped"),
        (12, 9, "Team shrank"),
    ]
    assert services.recompute_all(write=False) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_target": 12, "reason": ""}, "reason"),
        ({"new_target": 10, "reason": "Same"}, "new_target"),
        ({"reason": "No target"}, "new_target"),
        ({"new_target": 12}, "reason"),
    ],
)
def test_a_bad_target_change_is_a_422_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, body: dict[str, Any], field: str
) -> None:
    problem(send(bob, "post", f"/key-results/{okrs.deploys.pk}/target", body), 422, field)
    assert not TargetChange.objects.exists()
    assert KeyResult.objects.get(pk=okrs.deploys.pk).target_value == 10


# ---------------------------------------------------------------- query counts


def add_pivots(world: World, okrs: Okrs, count: int) -> None:
    for n in range(count):
        flag = flag_on(okrs.deploys, resolved_at=timezone.now())
        record(
            world.bob,
            okrs.deploys,
            tried=f"Attempt {n}",
            flag_id=flag.pk,
            new_target=11 + n,
            target_reason="More",
            start_initiatives=[f"Work {n}"],
        )


def test_the_lists_run_the_same_queries_for_3_and_30_pivots(
    world: World, okrs: Okrs, bob: Client
) -> None:
    paths = [
        "/learning",
        "/learning?team=platform&q=attempt",
        f"/key-results/{okrs.deploys.pk}/pivots",
        f"/key-results/{okrs.deploys.pk}/targets",
    ]
    add_pivots(world, okrs, 3)
    few = [queries(bob, path) for path in paths]
    add_pivots(world, okrs, 27)
    assert [queries(bob, path) for path in paths] == few
    assert send(bob, "get", "/learning").json()["count"] == 30
