"""The rollout API: plans and phases, readiness, pilot suggestions, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from headway.rollout import services
from headway.rollout.models import RolloutPhase, RolloutPlan
from tests.conftest import World
from tests.factories import TeamMembershipFactory, UserFactory
from tests.rollout_tree import Q1, Tree, build_tree, okrs_in_q1, phase_row, snapshot

from .conftest import fields, problem, queries, send


@pytest.fixture
def tree(world: World) -> Tree:
    return build_tree(world)


def _plan(tree: Tree, *phases: dict[str, Any]) -> RolloutPlan:
    return services.plan_create(member=tree.world.alice, title="Rollout 2026", phases=phases)


def _phase_body(tree: Tree, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pilot",
        "kind": "pilot",
        "starts_on": "2026-01-01",
        "expected_weeks": 13,
        "teams": [{"team_id": tree.platform.pk}],
    }
    body.update(changes)
    return body


def test_alice_creates_the_default_plan_and_reads_it_back(alice: Client, tree: Tree) -> None:
    response = send(
        alice,
        "post",
        "/rollout/plans",
        {
            "title": "Our rollout",
            "layout": "default",
            "pilot_team_ids": [tree.platform.pk, tree.mobile.pk],
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["version"]) == ("Our rollout", 1)
    assert [p["kind"] for p in body["phases"]] == ["pilot", "department", "organisation"]
    pilot = body["phases"][0]
    assert pilot["expected_time"] == "13 weeks (one quarter)"
    assert (pilot["starts_on"], pilot["ends_on"]) == ("2026-01-01", "2026-03-31")
    assert {t["slug"] for t in pilot["teams"]} == {"platform", "mobile"}
    assert body["phases"][1]["teams"] == [
        {
            "id": tree.engineering.pk,
            "name": "Engineering",
            "slug": "engineering",
            "with_subtree": True,
        }
    ]
    assert [c["metric"] for c in pilot["criteria"]] == [
        "checkin_rate",
        "outcome_share",
        "aligned_share",
        "pivots",
    ]
    assert send(alice, "get", f"/rollout/plans/{body['id']}").json() == body


def test_a_blank_plan_takes_its_phases_in_the_body(alice: Client, tree: Tree) -> None:
    response = send(
        alice,
        "post",
        "/rollout/plans",
        {
            "title": "Custom",
            "phases": [
                _phase_body(tree, criteria=[{"metric": "calibration"}]),
                _phase_body(
                    tree,
                    name="Everyone",
                    starts_on="2026-04-02",
                    teams=[{"team_id": tree.world.root.pk, "with_subtree": True}],
                ),
            ],
        },
    )
    assert response.status_code == 201, response.content
    phases = response.json()["phases"]
    assert [p["criteria"][0]["metric"] for p in phases] == ["calibration", "checkin_rate"]


def test_the_plan_list_is_paged(alice: Client, bob: Client, tree: Tree) -> None:
    _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    body = send(bob, "get", "/rollout/plans").json()
    assert body["count"] == 1
    assert body["items"][0]["phase_count"] == 1
    assert (body["items"][0]["first_day"], body["items"][0]["last_day"]) == (
        "2026-01-01",
        "2026-04-01",
    )


def test_bad_input_gets_422_naming_each_field_and_writes_nothing(alice: Client, tree: Tree) -> None:
    plan = _plan(tree)
    before = snapshot()
    response = send(
        alice,
        "post",
        f"/rollout/plans/{plan.pk}/phases",
        _phase_body(
            tree,
            name="",
            teams=[],
            expected_weeks=400,
            criteria=[
                {"metric": "mood", "threshold": 1},
                {"metric": "checkin_rate", "threshold": 80},
            ],
        ),
    )
    body = problem(response, 422)
    assert fields(body) == {
        "name",
        "teams",
        "expected_weeks",
        "criteria.0.metric",
        "criteria.1.threshold",
    }
    assert snapshot() == before
    body = problem(
        send(alice, "post", "/rollout/plans", {"title": "x", "phases": [_phase_body(tree)] * 2}),
        422,
        "phases.1.teams",
    )
    assert "Platform is already in the phase “Pilot”" in body["detail"]
    problem(send(alice, "post", "/rollout/plans", {"layout": "default"}), 422, "pilot_team_ids")


def test_an_overlap_through_the_teams_below_names_the_team_and_phase(
    alice: Client, tree: Tree
) -> None:
    plan = _plan(tree, phase_row("Department", Q1, 13, (tree.engineering.pk, True)))
    body = problem(
        send(
            alice,
            "post",
            f"/rollout/plans/{plan.pk}/phases",
            _phase_body(tree, teams=[{"team_id": tree.payments.pk}]),
        ),
        422,
        "teams",
    )
    assert body["detail"].startswith(
        "Payments is already in the phase “Department”, through Engineering"
    )


def test_a_stale_version_gets_409_with_the_current_one(alice: Client, tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    response = send(alice, "patch", f"/rollout/plans/{plan.pk}", {"version": 1, "title": "A"})
    assert response.status_code == 200, response.content
    body = problem(
        send(alice, "patch", f"/rollout/plans/{plan.pk}", {"version": 1, "title": "B"}),
        409,
        "version",
    )
    assert body["current"] == {"version": 2}
    response = send(alice, "patch", f"/rollout/phases/{phase.pk}", {"version": 1, "name": "P"})
    assert response.json()["version"] == 2
    problem(send(alice, "patch", f"/rollout/phases/{phase.pk}", {"version": 1}), 409, "version")
    assert RolloutPlan.objects.get().title == "A"


def test_phases_change_move_and_go(alice: Client, tree: Tree) -> None:
    plan = _plan(
        tree,
        phase_row("First", Q1, 4, tree.platform.pk),
        phase_row("Second", Q1 + dt.timedelta(weeks=4), 4, tree.platform.pk),
    )
    second = plan.phases.get(name="Second")
    response = send(
        alice,
        "patch",
        f"/rollout/phases/{second.pk}",
        {
            "position": 1,
            "teams": [{"team_id": tree.mobile.pk, "with_subtree": True}],
            "criteria": [{"metric": "people_with_okrs", "threshold": 0.5}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["order"] == 1
    assert [t["with_subtree"] for t in body["teams"]] == [True]
    assert body["criteria"] == [
        {"metric": "people_with_okrs", "label": "Share of people with OKRs", "threshold": 0.5}
    ]
    problem(send(alice, "patch", f"/rollout/phases/{second.pk}", {"name": None}), 422, "name")
    problem(send(alice, "patch", f"/rollout/phases/{second.pk}", {"position": 9}), 422, "position")
    assert send(alice, "delete", f"/rollout/phases/{second.pk}").status_code == 204
    assert list(RolloutPhase.objects.values_list("name", "order")) == [("First", 1)]
    assert send(alice, "delete", f"/rollout/plans/{plan.pk}").status_code == 204
    assert not RolloutPlan.objects.exists()


def test_readiness_says_ready_only_when_every_criterion_is_met(bob: Client, tree: Tree) -> None:
    okrs_in_q1(tree, weeks=12, pivot=True)
    criteria = [
        {"metric": "checkin_rate", "threshold": 0.8},
        {"metric": "pivots", "threshold": 1},
    ]
    plan = _plan(
        tree,
        phase_row("Pilot", Q1, 13, tree.platform.pk, criteria=criteria),
        phase_row("Mobile", Q1, 13, tree.mobile.pk, criteria=criteria),
    )
    pilot, mobile = plan.phases.order_by("order")
    body = send(bob, "get", f"/rollout/phases/{pilot.pk}/readiness").json()
    assert body["ready"] is True
    assert body["missing"] == []
    assert body["cycle"]["name"] == "2026 Q1"
    assert body["figures"]["checkin_rate"] == 1.0
    assert [(c["metric"], c["met"]) for c in body["criteria"]] == [
        ("checkin_rate", True),
        ("pivots", True),
    ]
    body = send(bob, "get", f"/rollout/phases/{mobile.pk}/readiness").json()
    assert body["ready"] is False
    assert [c["met"] for c in body["criteria"]] == [None, None]
    assert all("not enough data" in reason for reason in body["missing"])


def test_pilot_suggestions_come_with_their_reasons(dave: Client, tree: Tree) -> None:
    for n in range(3):
        TeamMembershipFactory(team=tree.sales, user=UserFactory(email=f"s{n}@acme.test"))
    body = send(dave, "get", "/rollout/pilot-suggestions").json()
    assert body[0]["team"] == {"id": tree.sales.pk, "name": "Sales", "slug": "sales"}
    assert "3 people: a manageable size for a pilot." in body[0]["reasons"]
    assert body[0]["cautions"]


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_read_but_get_403_on_writes(
    request: pytest.FixtureRequest, tree: Tree, persona: str
) -> None:
    client: Client = request.getfixturevalue(persona)
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    assert send(client, "get", f"/rollout/plans/{plan.pk}").status_code == 200
    assert send(client, "get", f"/rollout/phases/{phase.pk}/readiness").status_code == 200
    before = snapshot()
    problem(send(client, "post", "/rollout/plans", {"title": "Mine"}), 403)
    problem(send(client, "patch", f"/rollout/plans/{plan.pk}", {"title": "Mine"}), 403)
    problem(send(client, "delete", f"/rollout/plans/{plan.pk}"), 403)
    problem(
        send(
            client,
            "post",
            f"/rollout/plans/{plan.pk}/phases",
            _phase_body(tree, starts_on="2027-01-01"),
        ),
        403,
    )
    problem(send(client, "patch", f"/rollout/phases/{phase.pk}", {"name": "Mine"}), 403)
    problem(send(client, "delete", f"/rollout/phases/{phase.pk}"), 403)
    assert snapshot() == before


def test_charlie_gets_404_for_acme_plans_and_phases(charlie: Client, tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    before = snapshot()
    problem(send(charlie, "get", f"/rollout/plans/{plan.pk}"), 404)
    problem(send(charlie, "get", f"/rollout/phases/{phase.pk}/readiness"), 404)
    problem(send(charlie, "patch", f"/rollout/plans/{plan.pk}", {"title": "Mine"}), 404)
    problem(send(charlie, "delete", f"/rollout/plans/{plan.pk}"), 404)
    problem(
        send(
            charlie,
            "post",
            f"/rollout/plans/{plan.pk}/phases",
            _phase_body(tree, teams=[{"team_id": tree.world.globex_team.pk}]),
        ),
        404,
    )
    problem(send(charlie, "patch", f"/rollout/phases/{phase.pk}", {"name": "Mine"}), 404)
    problem(send(charlie, "delete", f"/rollout/phases/{phase.pk}"), 404)
    assert send(charlie, "get", "/rollout/plans").json()["count"] == 0
    assert snapshot() == before
    body = problem(
        send(
            charlie,
            "post",
            "/rollout/plans",
            {"title": "Mine", "phases": [_phase_body(tree, teams=[{"team_id": tree.platform.pk}])]},
        ),
        422,
        "phases.0.teams",
    )
    assert "this organisation" in body["detail"]


def test_reading_a_plan_takes_the_same_queries_for_1_and_5_phases(
    alice: Client, tree: Tree
) -> None:
    def plan_of(count: int) -> int:
        rows = [
            phase_row(f"P{n}", Q1 + dt.timedelta(weeks=13 * n), 13, tree.platform.pk)
            for n in range(count)
        ]
        return services.plan_create(member=tree.world.alice, title="x", phases=rows).pk

    one, five = plan_of(1), plan_of(5)
    assert queries(alice, f"/rollout/plans/{one}") == queries(alice, f"/rollout/plans/{five}")
