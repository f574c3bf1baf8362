"""A target changed by editing a key result: free while planning, kept in the target's
history with a reason once the key result has check-ins (the same path as the target
page and pivots)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from headway.goals import services
from headway.goals.models import ActivityEvent, KeyResult, Pivot, TargetChange
from headway.goals.selectors_learning import key_result_target_history

from .conftest import day, reload
from .test_pivots import TEXTS, check_in, counts


def edit(member: Any, key_result: KeyResult, **changes: Any) -> KeyResult:
    return services.key_result_update(member=member, key_result=key_result, **changes)


def test_before_the_first_check_in_the_target_is_free_to_edit(world, okrs):
    updated = edit(world.bob, okrs.deploys, version=1, target_value=12)
    assert (updated.target_value, updated.version) == (12, 2)
    assert updated.progress == 0
    assert not TargetChange.objects.exists()
    assert not ActivityEvent.objects.filter(verb="moved the target of").exists()
    event = ActivityEvent.objects.get(verb="edited", target_id=okrs.deploys.pk)
    assert event.changes == {"target_value": [10, 12]}


def test_a_reason_given_while_planning_is_not_needed_and_writes_no_history(world, okrs):
    edit(world.bob, okrs.deploys, target_value=12, target_reason="A guess")
    assert not TargetChange.objects.exists()


def test_after_a_check_in_a_new_target_without_a_reason_is_refused_and_writes_nothing(world, okrs):
    check_in(world, okrs.deploys, 6)
    (deploys,) = reload(okrs.deploys)
    before = counts()
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as error:
            edit(world.bob, deploys, version=deploys.version, target_value=8, target_reason=reason)
        assert error.value.message_dict == {
            "target_reason": [
                "The key result has check-ins: moving its target from 10 to 8 needs a reason. "
                "Overrides without a reason are refused: say why the target moves, so the team "
                "can learn from it later."
            ]
        }
    assert counts() == before
    assert reload(okrs.deploys)[0].version == deploys.version


def test_every_error_of_an_edit_is_reported_at_once(world, okrs):
    check_in(world, okrs.deploys, 6)
    (deploys,) = reload(okrs.deploys)
    with pytest.raises(ValidationError) as error:
        edit(world.bob, deploys, title="", target_value=8, plan=[["2030-01-01", 3]])
    assert set(error.value.message_dict) == {"title", "target_reason", "plan.0.on"}


def test_after_a_check_in_an_edit_with_a_reason_keeps_the_history_and_rolls_up(world, okrs):
    check_in(world, okrs.deploys, 6)
    (deploys,) = reload(okrs.deploys)
    updated = edit(
        world.bob,
        deploys,
        version=deploys.version,
        title="Deploys to production a week",
        target_value=8,
        target_reason="  10 was a guess  ",
    )
    change = TargetChange.objects.get()
    assert (change.key_result, change.old_target, change.new_target) == (deploys, 10, 8)
    assert (change.reason, change.author, change.pivot) == ("10 was a guess", world.bob.user, None)
    deploys, platform, company = reload(okrs.deploys, okrs.platform, okrs.company)
    assert (deploys.title, deploys.target_value) == ("Deploys to production a week", 8)
    assert deploys.version == updated.version == 2
    assert deploys.progress == pytest.approx((6 - 2) / (8 - 2))
    assert platform.progress == pytest.approx(deploys.progress / 2)
    assert company.progress == pytest.approx(platform.progress / 2)
    assert updated.objective.progress == pytest.approx(platform.progress)
    moved = ActivityEvent.objects.get(verb="moved the target of")
    assert moved.changes == {"target": [10, 8]}
    edited = ActivityEvent.objects.get(verb="edited", target_id=deploys.pk)
    assert edited.changes == {"title": ["Deploys a week", "Deploys to production a week"]}
    assert services.recompute_all(write=False) == []


def test_the_history_keeps_every_move_in_order_whichever_way_it_came(world, okrs):
    check_in(world, okrs.deploys, 6)
    services.key_result_target_change(
        member=world.bob, key_result_id=okrs.deploys.pk, new_target=12, reason="Easier than hoped"
    )
    edit(world.alice, reload(okrs.deploys)[0], target_value=9, target_reason="Team shrank")
    services.pivot_record(
        member=world.bob,
        key_result_id=okrs.deploys.pk,
        new_target=11,
        target_reason="New pipeline",
        **TEXTS,
    )
    edit(world.bob, reload(okrs.deploys)[0], target_value=10.5, target_reason="Holidays")
    history = list(key_result_target_history(okrs.deploys))
    assert [(c.old_target, c.new_target, c.reason) for c in history] == [
        (10, 12, "Easier than hoped"),
        (12, 9, "Team shrank"),
        (9, 11, "New pipeline"),
        (11, 10.5, "Holidays"),
    ]
    bob, alice = world.bob.user, world.alice.user
    assert [c.author for c in history] == [bob, alice, bob, bob]
    assert [c.pivot is not None for c in history] == [False, False, True, False]
    assert reload(okrs.deploys)[0].target_value == 10.5
    assert services.recompute_all(write=False) == []


def test_a_check_in_that_lands_after_the_form_was_read_still_needs_the_reason(world, okrs):
    opened = KeyResult.objects.select_related("objective__cycle").get(pk=okrs.deploys.pk)
    check_in(world, okrs.deploys, 6)
    before = counts()
    with pytest.raises(ValidationError) as error:
        edit(world.bob, opened, target_value=8)
    assert set(error.value.message_dict) == {"target_reason"}
    assert counts() == before


def test_a_reason_without_a_new_target_is_refused(world, okrs):
    check_in(world, okrs.deploys, 6)
    before = counts()
    for changes in ({"target_reason": "Why not"}, {"target_value": 10, "target_reason": "Same"}):
        with pytest.raises(ValidationError, match="clear the reason, or change the target"):
            edit(world.bob, reload(okrs.deploys)[0], **changes)
    assert counts() == before


def test_a_reason_past_the_limit_is_refused(world, okrs):
    check_in(world, okrs.deploys, 6)
    with pytest.raises(ValidationError, match="under 4000 characters"):
        edit(world.bob, reload(okrs.deploys)[0], target_value=8, target_reason="x" * 4001)
    assert not TargetChange.objects.exists()


def test_a_new_kind_that_moves_the_target_needs_the_reason_too(world, okrs):
    """A milestone's target is 1: after check-ins, turning a measure into a milestone
    moves the target, so it is a move like any other."""
    check_in(world, okrs.deploys, 6)
    with pytest.raises(ValidationError, match="from 10 to 1 needs a reason"):
        edit(world.bob, reload(okrs.deploys)[0], kind="milestone")
    edit(world.bob, reload(okrs.deploys)[0], kind="milestone", target_reason="Only the switch")
    change = TargetChange.objects.get()
    assert (change.old_target, change.new_target) == (10, 1)
    assert services.recompute_all(write=False) == []


def test_edits_that_keep_the_target_need_no_reason(world, okrs):
    check_in(world, okrs.deploys, 6)
    edit(world.bob, reload(okrs.deploys)[0], title="Deploys", target_value=10, weight=2)
    edit(world.bob, reload(okrs.deploys)[0], start_value=1)
    assert not TargetChange.objects.exists()
    assert not Pivot.objects.exists()
    assert services.recompute_all(write=False) == []


def test_a_decreasing_key_result_edited_after_check_ins_keeps_its_history(world, okrs):
    services.checkin_create(
        member=world.bob, key_result_id=okrs.incidents.pk, value=8, confidence=5, at=day(3)
    )
    edit(world.bob, reload(okrs.incidents)[0], target_value=6, target_reason="Realistic")
    (incidents,) = reload(okrs.incidents)
    assert incidents.progress == pytest.approx((12 - 8) / (12 - 6))
    assert TargetChange.objects.get().old_target == 4
    assert services.recompute_all(write=False) == []
