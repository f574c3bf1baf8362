"""The discovery API: the organisation's and teams' records with their checklist,
follow-ups and leaders."""

from __future__ import annotations

from django.test import Client

from headway.discovery import services
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World

from .conftest import fields, problem, queries, send


def _record(world: World) -> DiscoveryRecord:
    return services.discovery_record_save(member=world.alice, why_stated="To focus.")


def test_a_blank_record_reads_with_version_0_and_an_open_checklist(alice: Client) -> None:
    body = send(alice, "get", "/discovery").json()
    assert body["id"] is None
    assert body["version"] == 0
    assert body["next_question"] == "Why does that matter?"
    assert body["readiness"]["ready"] is False
    assert [i["anchor"] for i in body["readiness"]["items"]] == [
        "why",
        "champion",
        "pilot-teams",
        "time",
    ]


def test_alice_saves_the_organisation_record(alice: Client, world: World) -> None:
    response = send(
        alice,
        "put",
        "/discovery",
        {
            "version": 0,
            "why_stated": "Everyone is busy but nothing moves.",
            "real_reason": "Strategy does not reach the teams.",
            "champion_id": world.alice.user_id,
            "champion_seniority": "executive",
            "pilot_team_ids": [world.platform.pk],
            "time_expectation": "Four quarters",
            "time_expectation_agreed": True,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 1
    assert body["champion"]["email"] == "alice@acme.test"
    assert body["pilot_teams"] == [
        {"id": world.platform.pk, "name": "Platform", "slug": "platform"}
    ]
    assert body["readiness"]["ready"] is True


def test_a_stale_version_gets_409_with_the_current_one(alice: Client, world: World) -> None:
    _record(world)
    services.discovery_record_save(member=world.alice, notes="again")
    body = problem(send(alice, "put", "/discovery", {"version": 1, "notes": "x"}), 409, "version")
    assert body["current"] == {"version": 2}


def test_bad_input_gets_422_naming_each_field(alice: Client, world: World) -> None:
    response = send(
        alice,
        "put",
        "/discovery",
        {"champion_id": world.charlie.user_id, "pilot_team_ids": [world.globex_team.pk]},
    )
    body = problem(response, 422)
    assert fields(body) == {"champion_id", "pilot_team_ids"}
    assert not DiscoveryRecord.objects.exists()


def test_bob_reads_but_may_not_write_the_organisation_record(bob: Client) -> None:
    assert send(bob, "get", "/discovery").status_code == 200
    problem(send(bob, "put", "/discovery", {"notes": "x"}), 403)


def test_a_team_lead_writes_their_team_record(bob: Client, world: World) -> None:
    problem(send(bob, "put", "/teams/platform/discovery", {"notes": "x"}), 403)
    TeamMembership.objects.filter(user=world.bob.user).update(role=TeamRole.LEAD)
    response = send(bob, "put", "/teams/platform/discovery", {"notes": "Ours"})
    assert response.status_code == 200, response.content
    assert response.json()["team"]["slug"] == "platform"
    assert send(bob, "get", "/teams/platform/discovery").json()["notes"] == "Ours"


def test_dave_the_viewer_reads_only(dave: Client, world: World) -> None:
    record = _record(world)
    assert send(dave, "get", "/discovery").json()["id"] == record.pk
    problem(send(dave, "put", "/discovery", {"notes": "x"}), 403)
    problem(send(dave, "post", f"/discovery/{record.pk}/followups", {"answer": "x"}), 403)


def test_charlie_gets_404_for_acme_rows(charlie: Client, world: World) -> None:
    record = _record(world)
    leader = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Eve", problem="focus"
    )
    problem(send(charlie, "get", "/teams/platform/discovery"), 404)
    problem(send(charlie, "post", f"/discovery/{record.pk}/followups", {"answer": "x"}), 404)
    problem(
        send(charlie, "post", f"/discovery/{record.pk}/leaders", {"name": "M", "problem": "focus"}),
        404,
    )
    problem(send(charlie, "patch", f"/discovery/leaders/{leader.pk}", {"name": "M"}), 404)
    problem(send(charlie, "delete", f"/discovery/leaders/{leader.pk}"), 404)
    assert send(charlie, "get", "/discovery").json()["id"] is None  # Globex's own, blank
    assert DiscoveryLeader.objects.get().name == "Eve"


def test_follow_ups_append_with_their_question(alice: Client, world: World) -> None:
    record = _record(world)
    response = send(alice, "post", f"/discovery/{record.pk}/followups", {"answer": "Focus."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["why_followups"] == [{"question": "Why does that matter?", "answer": "Focus."}]
    assert body["next_question"] == "What happens if nothing changes?"
    problem(send(alice, "post", f"/discovery/{record.pk}/followups", {"answer": ""}), 422, "answer")


def test_leaders_are_added_changed_and_removed(alice: Client, world: World) -> None:
    record = _record(world)
    response = send(
        alice,
        "post",
        f"/discovery/{record.pk}/leaders",
        {"user_id": world.bob.user_id, "role": "Head of Platform", "problem": "alignment"},
    )
    assert response.status_code == 201, response.content
    leader = response.json()
    assert (leader["name"], leader["user"]["email"]) == ("Bob", "bob@acme.test")
    response = send(alice, "patch", f"/discovery/leaders/{leader['id']}", {"problem": "focus"})
    assert response.json()["problem"] == "focus"
    problem(send(alice, "patch", f"/discovery/leaders/{leader['id']}", {"problem": "x"}), 422)
    assert send(alice, "delete", f"/discovery/leaders/{leader['id']}").status_code == 204
    assert not DiscoveryLeader.objects.exists()


def test_reading_a_record_takes_the_same_queries_for_2_and_20_leaders(
    alice: Client, world: World
) -> None:
    record = _record(world)
    services.discovery_record_save(
        member=world.alice, pilot_team_ids=[world.platform.pk, world.root.pk]
    )

    def add(count: int) -> None:
        for number in range(count):
            services.discovery_leader_add(
                member=world.alice,
                record_id=record.pk,
                user_id=world.bob.user_id if number % 2 else None,
                name=f"Leader {number}",
                problem="focus",
            )

    add(2)
    few = queries(alice, "/discovery")
    add(18)
    assert len(send(alice, "get", "/discovery").json()["leaders"]) == 20
    assert queries(alice, "/discovery") == few
