from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from headway.goals import services
from headway.goals.models import ActivityEvent, CheckIn, Cycle, CycleStatus, KeyResultStatus

from .conftest import day, reload


def test_a_check_in_moves_the_key_result_its_objective_and_its_parent_at_once(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    deploys, platform, company = reload(okrs.deploys, okrs.platform, okrs.company)
    assert deploys.current_value == 6 and deploys.progress == pytest.approx(0.5)
    assert platform.progress == pytest.approx((0.5 + 0.0) / 2)
    # company = mean of its own KR (0) and the contributing child (0.25), equal weights
    assert company.progress == pytest.approx(0.125)


def test_over_achievement_is_kept_raw_and_clamped_for_roll_up(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=14, confidence=9)
    (deploys,) = reload(okrs.deploys)
    assert deploys.progress_raw == pytest.approx(1.5)
    assert deploys.progress == 1.0


def test_a_correction_is_a_new_check_in_and_history_stays(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=9, confidence=7)
    services.checkin_create(
        member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7, note="typo"
    )
    assert list(
        CheckIn.objects.filter(key_result=okrs.deploys).values_list("value", flat=True)
    ) == [9, 6]
    assert reload(okrs.deploys)[0].current_value == 6


def test_a_back_dated_check_in_does_not_replace_a_newer_value(world, okrs):
    services.checkin_create(
        member=world.bob, key_result_id=okrs.deploys.pk, value=8, confidence=7, at=day(20)
    )
    services.checkin_create(
        member=world.bob, key_result_id=okrs.deploys.pk, value=3, confidence=7, at=day(5)
    )
    assert reload(okrs.deploys)[0].current_value == 8


def test_the_same_idempotency_key_never_makes_a_second_check_in(world, okrs):
    first = services.checkin_create(
        member=world.bob,
        key_result_id=okrs.deploys.pk,
        value=6,
        confidence=7,
        idempotency_key="retry-1",
    )
    again = services.checkin_create(
        member=world.bob,
        key_result_id=okrs.deploys.pk,
        value=6,
        confidence=7,
        idempotency_key="retry-1",
    )
    assert first.created and not again.created
    assert again.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 1


def test_an_idempotency_key_reused_for_another_key_result_is_refused(world, okrs):
    services.checkin_create(
        member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7, idempotency_key="k"
    )
    with pytest.raises(ValidationError, match="another key result"):
        services.checkin_create(
            member=world.bob,
            key_result_id=okrs.incidents.pk,
            value=6,
            confidence=7,
            idempotency_key="k",
        )


@pytest.mark.parametrize(
    ("value", "field"), [("lots", "value"), ("nan", "value"), ("inf", "value"), (None, "value")]
)
def test_a_non_numeric_value_is_refused_and_nothing_is_written(world, okrs, value, field):
    with pytest.raises(ValidationError) as error:
        services.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=value, confidence=7
        )
    assert field in error.value.message_dict
    assert not CheckIn.objects.exists()
    assert reload(okrs.deploys)[0].current_value is None


@pytest.mark.parametrize("confidence", [-1, 11, "high", 3.5])
def test_confidence_is_a_whole_number_on_the_organisations_scale(world, okrs, confidence):
    with pytest.raises(ValidationError, match="Confidence"):
        services.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=5, confidence=confidence
        )


def test_a_milestone_takes_only_done_or_not_done(world, okrs):
    milestone = services.key_result_create(
        member=world.bob, objective=okrs.platform, title="Runbook published", kind="milestone"
    )
    with pytest.raises(ValidationError, match="done"):
        services.checkin_create(
            member=world.bob, key_result_id=milestone.pk, value="0.5", confidence=5
        )
    services.checkin_create(
        member=world.bob, key_result_id=milestone.pk, value="done", confidence=5
    )
    assert reload(milestone)[0].progress == 1.0


def test_check_ins_on_a_closed_cycle_or_a_dropped_key_result_are_refused(world, okrs):
    services.key_result_update(
        member=world.bob, key_result=okrs.incidents, status=KeyResultStatus.DROPPED
    )
    with pytest.raises(ValidationError, match="dropped"):
        services.checkin_create(
            member=world.bob, key_result_id=okrs.incidents.pk, value=5, confidence=5
        )
    Cycle.objects.filter(pk=okrs.quarter.pk).update(status=CycleStatus.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        services.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=5, confidence=5
        )
    assert not CheckIn.objects.exists()


def test_a_dropped_key_result_leaves_the_objective_progress(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=9)
    assert reload(okrs.platform)[0].progress == pytest.approx(0.5)
    services.key_result_update(
        member=world.bob, key_result=okrs.incidents, status=KeyResultStatus.DROPPED
    )
    assert reload(okrs.platform)[0].progress == pytest.approx(1.0)


def test_viewers_and_the_outsider_cannot_check_in(world, okrs):
    with pytest.raises(PermissionDenied):
        services.checkin_create(
            member=world.dave, key_result_id=okrs.deploys.pk, value=5, confidence=5
        )
    with pytest.raises(Http404):
        services.checkin_create(
            member=world.charlie, key_result_id=okrs.deploys.pk, value=5, confidence=5
        )
    assert not CheckIn.objects.exists()


def test_a_check_in_is_recorded_in_the_activity_feed(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    event = ActivityEvent.objects.filter(verb="checked in").get()
    assert (
        event.actor == world.bob.user
        and event.objective == okrs.platform
        and event.team == world.platform
    )
    assert event.changes["value"] == [None, 6.0]


def test_a_check_in_costs_the_same_queries_in_a_small_and_a_large_organisation(world, okrs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(value: float) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.checkin_create(
                member=world.bob, key_result_id=okrs.deploys.pk, value=value, confidence=5
            )
        return len(queries)

    small = cost(5)
    for n in range(30):  # 30 unrelated objectives with key results elsewhere in the organisation
        services.objective_create(
            member=world.alice,
            cycle_id=okrs.quarter.pk,
            owner_team_id=world.root.pk,
            title=f"Other {n}",
            key_results=[{"title": "x", "start_value": 0, "target_value": 1}],
        )
    assert cost(7) == small


def test_a_back_dated_check_in_appears_in_the_feed_on_its_own_date(world, okrs):
    services.checkin_create(
        member=world.bob, key_result_id=okrs.deploys.pk, value=4, confidence=6, at=day(3)
    )
    assert ActivityEvent.objects.get(verb="checked in").created_at == day(3)


def test_a_private_objectives_events_stay_off_the_team_feed_for_outsiders_of_the_team(world, okrs):
    from headway.goals.selectors import activity_for_team

    services.objective_update(member=world.bob, objective=okrs.platform, visibility="private")
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=4, confidence=6)
    assert any(e.verb == "checked in" for e in activity_for_team(world.bob, world.platform.pk))
    assert not any(e.verb == "checked in" for e in activity_for_team(world.dave, world.platform.pk))
