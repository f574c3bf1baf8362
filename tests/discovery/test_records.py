"""The discovery record's services: who may write, what is refused, and that a
refused write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from headway.discovery import services
from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
from headway.discovery.selectors import LADDER, discovery_record_for
from headway.lib.errors import Conflict
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World


def _snapshot() -> list[Any]:
    return [
        list(DiscoveryRecord.objects.values().order_by("pk")),
        list(DiscoveryRecord.pilot_teams.through.objects.values().order_by("pk")),
        list(DiscoveryLeader.objects.values().order_by("pk")),
    ]


def _org_record(world: World, **fields: Any) -> DiscoveryRecord:
    return services.discovery_record_save(member=world.alice, why_stated="To focus.", **fields)


def _make_bob_lead(world: World) -> None:
    TeamMembership.objects.filter(team=world.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )


def test_it_creates_the_organisation_record_on_first_save(world: World) -> None:
    record = _org_record(
        world,
        champion_id=world.alice.user_id,
        champion_seniority="executive",
        pilot_team_ids=[world.platform.pk],
    )
    assert record.version == 1
    assert record.team is None
    assert record.updated_by == world.alice.user
    assert list(record.pilot_teams.all()) == [world.platform]


def test_it_changes_only_the_fields_given_and_bumps_the_version(world: World) -> None:
    record = _org_record(world, notes="First notes")
    saved = services.discovery_record_save(member=world.alice, version=1, risks="Too fast")
    assert saved.pk == record.pk
    assert (saved.version, saved.notes, saved.risks) == (2, "First notes", "Too fast")


def test_it_refuses_a_stale_version_with_a_conflict(world: World) -> None:
    _org_record(world)
    services.discovery_record_save(member=world.alice, version=1, notes="Mine")
    before = _snapshot()
    with pytest.raises(Conflict) as error:
        services.discovery_record_save(member=world.alice, version=1, notes="Theirs")
    assert error.value.current == {"version": 2}
    assert _snapshot() == before


def test_it_refuses_a_version_for_a_record_someone_else_created(world: World) -> None:
    _org_record(world)
    with pytest.raises(Conflict):
        services.discovery_record_save(member=world.alice, version=0, notes="Late")


def test_it_refuses_bad_input_whole_and_writes_nothing(world: World) -> None:
    record = _org_record(world)
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.discovery_record_save(
            member=world.alice,
            notes="x" * 5000,
            champion_id=world.charlie.user_id,
            champion_seniority="emperor",
            champion_hours_per_month=1000,
            pilot_team_ids=[world.platform.pk, world.globex_team.pk],
            bogus="yes",
        )
    assert set(error.value.message_dict) == {
        "notes",
        "champion_id",
        "champion_seniority",
        "champion_hours_per_month",
        "pilot_team_ids",
        "bogus",
    }
    assert _snapshot() == before
    assert DiscoveryRecord.objects.get(pk=record.pk).version == 1


def test_it_refuses_an_agreed_time_expectation_that_is_not_written_down(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.discovery_record_save(member=world.alice, time_expectation_agreed=True)
    assert "time_expectation" in error.value.message_dict
    assert not DiscoveryRecord.objects.exists()


def test_a_member_who_is_not_a_lead_cannot_write_the_organisation_record(world: World) -> None:
    _make_bob_lead(world)
    with pytest.raises(PermissionDenied):
        services.discovery_record_save(member=world.bob, notes="Mine")
    assert not DiscoveryRecord.objects.exists()


def test_a_team_lead_writes_their_team_record(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.discovery_record_save(member=world.bob, team_id=world.platform.pk, notes="x")
    _make_bob_lead(world)
    record = services.discovery_record_save(
        member=world.bob, team_id=world.platform.pk, notes="Ours"
    )
    assert record.team == world.platform
    with pytest.raises(PermissionDenied):
        services.discovery_record_save(member=world.bob, team_id=world.root.pk, notes="x")


def test_a_viewer_reads_but_cannot_write(world: World) -> None:
    record = _org_record(world)
    assert discovery_record_for(world.dave).record.pk == record.pk
    with pytest.raises(PermissionDenied):
        services.discovery_record_save(member=world.dave, notes="x")
    with pytest.raises(PermissionDenied):
        services.discovery_followup_add(member=world.dave, record_id=record.pk, answer="x")


def test_the_outsider_gets_404_for_every_row_of_another_organisation(world: World) -> None:
    record = _org_record(world)
    leader = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Eve", problem="focus"
    )
    before = _snapshot()
    charlie = world.charlie
    with pytest.raises(Http404):
        services.discovery_record_save(member=charlie, team_id=world.platform.pk, notes="x")
    with pytest.raises(Http404):
        services.discovery_followup_add(member=charlie, record_id=record.pk, answer="x")
    with pytest.raises(Http404):
        services.discovery_leader_add(
            member=charlie, record_id=record.pk, name="M", problem="focus"
        )
    with pytest.raises(Http404):
        services.discovery_leader_update(member=charlie, leader_id=leader.pk, name="M")
    with pytest.raises(Http404):
        services.discovery_leader_remove(member=charlie, leader_id=leader.pk)
    assert _snapshot() == before


def test_follow_ups_climb_the_ladder_and_stop_at_its_top(world: World) -> None:
    record = _org_record(world)
    for number in range(len(LADDER)):
        record = services.discovery_followup_add(
            member=world.alice, record_id=record.pk, answer=f"Answer {number}"
        )
    assert record.why_followups == [
        {"question": question, "answer": f"Answer {n}"} for n, question in enumerate(LADDER)
    ]
    with pytest.raises(ValidationError) as error:
        services.discovery_followup_add(member=world.alice, record_id=record.pk, answer="More")
    assert "real reason" in error.value.message_dict["answer"][0]


def test_a_follow_up_needs_a_stated_reason_and_an_answer(world: World) -> None:
    record = services.discovery_record_save(member=world.alice, notes="No why yet")
    with pytest.raises(ValidationError):
        services.discovery_followup_add(member=world.alice, record_id=record.pk, answer="Hm")
    services.discovery_record_save(member=world.alice, why_stated="Everyone does it")
    with pytest.raises(ValidationError):
        services.discovery_followup_add(member=world.alice, record_id=record.pk, answer="  ")
    assert DiscoveryRecord.objects.get(pk=record.pk).why_followups == []


def test_leaders_are_added_in_order_changed_and_removed(world: World) -> None:
    record = _org_record(world)
    first = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, user_id=world.bob.user_id, problem="alignment"
    )
    second = services.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Eve", role="CFO", problem="focus"
    )
    assert first.name == "Bob"
    assert second.order > first.order
    services.discovery_leader_update(member=world.alice, leader_id=second.pk, problem="other")
    assert DiscoveryLeader.objects.get(pk=second.pk).problem == "other"
    services.discovery_leader_remove(member=world.alice, leader_id=first.pk)
    assert list(record.leaders.values_list("name", flat=True)) == ["Eve"]


def test_a_leader_must_be_a_member_and_have_a_known_problem(world: World) -> None:
    record = _org_record(world)
    with pytest.raises(ValidationError) as error:
        services.discovery_leader_add(
            member=world.alice, record_id=record.pk, user_id=world.charlie.user_id, problem="fame"
        )
    assert set(error.value.message_dict) == {"user_id", "problem"}
    with pytest.raises(ValidationError) as error:
        services.discovery_leader_add(member=world.alice, record_id=record.pk, problem="focus")
    assert "name" in error.value.message_dict
    assert not DiscoveryLeader.objects.exists()


def test_the_checklist_follows_the_record(world: World) -> None:
    assert not discovery_record_for(world.alice).ready
    _org_record(
        world,
        real_reason="Strategy does not reach the teams.",
        champion_name="The CEO",
        champion_seniority="executive",
        pilot_team_ids=[world.platform.pk],
        time_expectation="A year",
        time_expectation_agreed=True,
    )
    view = discovery_record_for(world.alice)
    assert view.ready
    assert view.pilot_teams == [world.platform]
