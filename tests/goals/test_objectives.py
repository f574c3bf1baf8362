from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.goals import services
from headway.goals.models import ActivityEvent, Initiative, KeyResult, Objective
from headway.goals.selectors import objective_get_for_member, objectives_visible
from headway.lib.errors import Conflict

from .conftest import reload


def test_an_objective_is_created_with_its_key_results_or_not_at_all(world, okrs):
    with pytest.raises(ValidationError) as error:
        services.objective_create(
            member=world.bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=world.platform.pk,
            title="Half",
            key_results=[
                {"title": "ok", "start_value": 0, "target_value": 5},
                {"title": "bad", "start_value": 5, "target_value": 5},
            ],
        )
    assert "key_results.1.target_value" in error.value.message_dict
    assert not Objective.objects.filter(title="Half").exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"title": "x", "start_value": "ten", "target_value": 5}, "start_value"),
        ({"title": "x", "kind": "increase", "start_value": 9, "target_value": 5}, "target_value"),
        ({"title": "x", "kind": "decrease", "start_value": 1, "target_value": 5}, "target_value"),
        ({"title": "x", "kind": "maintain"}, "target_value"),
        ({"title": "x", "start_value": 0, "target_value": 5, "weight": 0}, "weight"),
        ({"title": "x", "start_value": 0, "target_value": 5, "weight": -2}, "weight"),
        ({"title": "", "start_value": 0, "target_value": 5}, "title"),
        ({"title": "x", "kind": "guess", "start_value": 0, "target_value": 5}, "kind"),
    ],
)
def test_bad_key_results_are_refused_with_the_field(world, okrs, row, field):
    with pytest.raises(ValidationError) as error:
        services.key_result_create(member=world.bob, objective=okrs.platform, **row)
    assert field in error.value.message_dict
    assert okrs.platform.key_results.count() == 2


def test_an_objective_needs_exactly_one_owner_of_this_organisation(world, okrs):
    for owners in (
        {},
        {"owner_team_id": world.platform.pk, "owner_user_id": world.bob.user.pk},
        {"owner_team_id": world.globex_team.pk},
        {"owner_user_id": world.charlie.user.pk},
    ):
        with pytest.raises(ValidationError):
            services.objective_create(
                member=world.alice, cycle_id=okrs.quarter.pk, title="Owned?", **owners
            )


def test_members_create_objectives_only_for_themselves_and_their_teams(world, okrs):
    mine = services.objective_create(
        member=world.bob,
        cycle_id=okrs.quarter.pk,
        owner_user_id=world.bob.user.pk,
        title="Learn Rust",
    )
    assert mine.owner_user == world.bob.user
    with pytest.raises(PermissionDenied):
        services.objective_create(
            member=world.bob, cycle_id=okrs.quarter.pk, owner_team_id=world.root.pk, title="No"
        )
    with pytest.raises(PermissionDenied):
        services.objective_create(
            member=world.dave,
            cycle_id=okrs.quarter.pk,
            owner_user_id=world.dave.user.pk,
            title="No",
        )


def test_a_stale_edit_gets_a_conflict_with_the_current_values(world, okrs):
    seen = okrs.platform.version
    services.objective_update(
        member=world.bob, objective=okrs.platform, version=seen, title="Ship calmly"
    )
    with pytest.raises(Conflict) as error:
        services.objective_update(
            member=world.alice, objective=okrs.platform, version=seen, title="Ship loudly"
        )
    assert error.value.current["title"] == "Ship calmly"
    assert error.value.current["version"] == seen + 1
    assert reload(okrs.platform)[0].title == "Ship calmly"


def test_a_stale_key_result_edit_gets_a_conflict(world, okrs):
    seen = okrs.deploys.version
    services.key_result_update(
        member=world.bob, key_result=okrs.deploys, version=seen, target_value=12
    )
    with pytest.raises(Conflict):
        services.key_result_update(
            member=world.bob, key_result=okrs.deploys, version=seen, target_value=8
        )
    assert reload(okrs.deploys)[0].target_value == 12


def test_a_key_results_value_changes_only_through_check_ins(world, okrs):
    with pytest.raises(ValidationError, match="check in"):
        services.key_result_update(member=world.bob, key_result=okrs.deploys, current_value=8)


def test_an_edit_is_recorded_with_its_changed_fields(world, okrs):
    services.objective_update(
        member=world.bob, objective=okrs.platform, title="Ship calmly", description=""
    )
    event = ActivityEvent.objects.filter(verb="edited").get()
    assert event.changes == {"title": ["Ship without fear", "Ship calmly"]}


def test_private_objectives_are_seen_by_their_team_and_admins_only(world, okrs):
    services.objective_update(member=world.bob, objective=okrs.platform, visibility="private")
    assert objectives_visible(world.bob).filter(pk=okrs.platform.pk).exists()
    assert objectives_visible(world.alice).filter(pk=okrs.platform.pk).exists()
    assert not objectives_visible(world.dave).filter(pk=okrs.platform.pk).exists()
    with pytest.raises(Exception, match="No such objective"):
        objective_get_for_member(world.charlie, okrs.platform.pk)


def test_initiatives_link_to_key_results_and_never_count(world, okrs):
    before = reload(okrs.platform)[0].progress
    initiative = services.initiative_create(
        member=world.bob,
        title="Canary releases",
        key_result_ids=[okrs.deploys.pk, okrs.incidents.pk],
        status="done",
    )
    assert set(initiative.key_results.all()) == {okrs.deploys, okrs.incidents}
    assert reload(okrs.platform)[0].progress == before


def test_an_initiative_needs_a_key_result_of_this_organisation(world, okrs):
    with pytest.raises(ValidationError, match="at least one"):
        services.initiative_create(member=world.bob, title="Nothing", key_result_ids=[])
    with pytest.raises(ValidationError):
        services.initiative_create(
            member=world.charlie, title="Spy", key_result_ids=[okrs.deploys.pk]
        )
    assert not Initiative.objects.exists()


def test_bulk_create_is_all_or_nothing_and_names_the_row(world, okrs):
    good = {
        "cycle_id": okrs.quarter.pk,
        "owner_team_id": world.platform.pk,
        "title": "Good",
        "key_results": [{"title": "a", "start_value": 0, "target_value": 1}],
    }
    bad = {
        **good,
        "title": "Bad",
        "key_results": [{"title": "b", "start_value": 1, "target_value": 1}],
    }
    with pytest.raises(ValidationError) as error:
        services.objectives_bulk_create(member=world.alice, objectives=[good, bad])
    assert "objectives.1.key_results.0.target_value" in error.value.message_dict
    assert not Objective.objects.filter(title__in=["Good", "Bad"]).exists()
    created = services.objectives_bulk_create(
        member=world.alice, objectives=[good, {**good, "title": "Two"}]
    )
    assert [o.title for o in created] == ["Good", "Two"]
    assert KeyResult.objects.filter(objective__in=created).count() == 2


def test_an_objective_in_a_closed_cycle_is_locked(world, okrs):
    """Closing a cycle locks what it reached (docs/cycle-close.md); tests/goals/test_closing.py
    covers every other edit."""
    from headway.goals.models import Cycle, CycleStatus

    Cycle.objects.filter(pk=okrs.quarter.pk).update(status=CycleStatus.CLOSED)
    okrs.platform.refresh_from_db()
    with pytest.raises(ValidationError, match="is closed"):
        services.objective_update(
            member=world.bob, objective=okrs.platform, status="closed", title="Done"
        )
    okrs.platform.refresh_from_db()
    assert okrs.platform.title == "Ship without fear"


def test_moving_an_objective_to_a_cycle_outside_its_parent_is_refused(world, okrs):
    from headway.goals.models import Cycle

    next_year = services.year_with_quarters(member=world.alice, year=2027)
    q1 = Cycle.objects.get(organisation=world.acme, name="2027 Q1")
    with pytest.raises(ValidationError, match="aligned above"):
        services.objective_update(member=world.bob, objective=okrs.platform, cycle_id=q1.pk)
    with pytest.raises(ValidationError, match="aligned below"):
        services.objective_update(member=world.alice, objective=okrs.company, cycle_id=next_year.pk)
    assert reload(okrs.platform)[0].cycle_id == okrs.quarter.pk


def test_changing_a_key_result_to_a_milestone_resets_its_scale(world, okrs):
    updated = services.key_result_update(
        member=world.bob, key_result=okrs.deploys, kind="milestone"
    )
    assert (updated.start_value, updated.target_value) == (0.0, 1.0)


def test_links_to_private_objectives_are_hidden_from_those_who_cannot_see_them(world, okrs):
    from headway.goals.selectors import alignment_links_list

    services.objective_update(member=world.bob, objective=okrs.platform, visibility="private")
    assert not alignment_links_list(world.dave, below_objective_id=okrs.company.pk).exists()
    below = alignment_links_list(world.alice, below_objective_id=okrs.company.pk)
    assert [link.child for link in below] == [okrs.platform]
