"""Honest confidence, read from a closed cycle: the numbers of an optimist and a
sandbagger, what counts (dates, dropped key results, overrides), who may see what,
and the minimum group size of the levels. The quarter is tests/calibrated.py's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.goals.models import Cycle
from headway.insights.metrics.calibration import (
    CALIBRATED,
    NOT_ENOUGH,
    OPTIMISTIC,
    SANDBAGGING,
)
from headway.insights.selectors_calibration import (
    NOT_CLOSED,
    calibration_by_level,
    calibration_cycle_get,
    calibration_for_owner,
    calibration_for_team,
    calibration_report,
    cycle_checkins,
)
from headway.lib.errors import Conflict
from tests.calibrated import END, START, WEEKS, Calibrated, at, build, more_key_results
from tests.conftest import World
from tests.factories import CycleFactory, TeamMembershipFactory


@pytest.fixture
def closed(world: World) -> Calibrated:
    return build(world)


def test_it_finds_the_optimist_in_bobs_own_key_results(closed: Calibrated) -> None:
    bob = closed.world.bob
    mine = calibration_for_owner(bob, closed.quarter, bob.user_id)
    assert mine.key_results == 3
    assert mine.checkins == 9  # three a key result: not June's, October's or the dropped one's
    assert mine.brier == pytest.approx(0.81)
    assert mine.mean_confidence == pytest.approx(0.9)
    assert mine.hit_rate == 0
    assert mine.bias == pytest.approx(0.9)
    assert mine.verdict == OPTIMISTIC
    top = mine.reliability[-1]
    assert (top.low, top.high, top.checkins) == (0.8, 1.0, 9)
    assert top.hit_rate == 0
    assert [b.checkins for b in mine.reliability[:-1]] == [0, 0, 0, 0]


def test_it_finds_the_sandbagger_in_alices_own_key_results(closed: Calibrated) -> None:
    alice = closed.world.alice
    mine = calibration_for_owner(alice, closed.quarter, alice.user_id)
    assert (mine.key_results, mine.checkins) == (3, 9)
    assert mine.brier == pytest.approx(0.25)
    assert mine.mean_confidence == pytest.approx(0.5)
    assert mine.hit_rate == pytest.approx(1.0)
    assert mine.bias == pytest.approx(-0.5)
    assert mine.verdict == SANDBAGGING


def test_it_gives_the_team_the_calibration_of_the_objectives_it_owns(closed: Calibrated) -> None:
    bob = closed.world.bob
    team = calibration_for_team(bob, closed.quarter, closed.world.platform)
    assert (team.key_results, team.verdict) == (3, OPTIMISTIC)
    assert team.brier == pytest.approx(0.81)


def test_it_counts_an_override_as_the_final_score(world: World) -> None:
    found = build(world)
    services.cycle_reopen(member=world.alice, cycle_id=found.quarter.pk, reason="Rescore")
    services.key_result_score_set(
        member=world.bob, key_result_id=found.bobs[0].pk, score=0.8, reason="Counted late"
    )
    services.cycle_close(member=world.alice, cycle_id=found.quarter.pk)
    quarter = Cycle.objects.get(pk=found.quarter.pk)
    mine = calibration_for_owner(world.bob, quarter, world.bob.user_id)
    assert mine.hit_rate == pytest.approx(1 / 3)
    assert mine.brier == pytest.approx((0.01 + 0.81 + 0.81) / 3)
    assert mine.bias == pytest.approx(0.9 - 1 / 3)


def test_it_reads_a_score_to_one_decimal_as_the_close_page_does(world: World) -> None:
    found = build(world)
    services.cycle_reopen(member=world.alice, cycle_id=found.quarter.pk, reason="Rescore")
    services.key_result_score_set(
        member=world.bob, key_result_id=found.bobs[0].pk, score=0.65, reason="Nearly"
    )
    services.cycle_close(member=world.alice, cycle_id=found.quarter.pk)
    quarter = Cycle.objects.get(pk=found.quarter.pk)
    # 0.65 reads as 0.7, "delivered", on the close page: a hit here too.
    assert calibration_for_owner(world.bob, quarter, world.bob.user_id).hit_rate == pytest.approx(
        1 / 3
    )


def test_it_loads_only_check_ins_within_the_cycle_of_key_results_not_dropped(
    closed: Calibrated,
) -> None:
    rows = cycle_checkins(closed.world.alice, closed.quarter)
    assert closed.dropped.pk not in rows.key_result.tolist()
    assert sorted(set(rows.key_result.tolist())) == sorted(
        kr.pk for kr in (*closed.bobs, *closed.alices)
    )
    assert rows.confidence.size == 18
    assert set(rows.confidence.tolist()) == {0.9, 0.5}


def test_an_objective_owned_by_a_person_counts_for_its_key_results_without_owner(
    world: World,
) -> None:
    quarter = CycleFactory(organisation=world.acme, name="Solo", start_date=START, end_date=END)
    objective = services.objective_create(
        member=world.bob,
        cycle_id=quarter.pk,
        owner_user_id=world.bob.user_id,
        title="Grow as an engineer",
        key_results=[{"title": f"Talk {n}", "start_value": 0, "target_value": 1} for n in range(3)],
    )
    for key_result in objective.key_results.all():
        services.checkin_create(
            member=world.bob, key_result_id=key_result.pk, value=1, confidence=9, at=at(WEEKS[0])
        )
    services.cycle_close(member=world.alice, cycle_id=quarter.pk)
    quarter.refresh_from_db()
    mine = calibration_for_owner(world.bob, quarter, world.bob.user_id)
    assert (mine.key_results, mine.verdict) == (3, CALIBRATED)
    assert mine.brier == pytest.approx(0.01)
    assert mine.bias == pytest.approx(-0.1)
    # The objective has no team: it is in no level.
    assert all(level.key_results == 0 for level in calibration_by_level(world.alice, quarter))


# --- who sees what -------------------------------------------------------------------------


def test_nobody_sees_another_persons_calibration_not_even_an_owner(closed: Calibrated) -> None:
    world = closed.world
    with pytest.raises(PermissionDenied):
        calibration_for_owner(world.alice, closed.quarter, world.bob.user_id)
    with pytest.raises(PermissionDenied):
        calibration_for_owner(world.bob, closed.quarter, world.alice.user_id)


def test_only_the_people_of_a_team_see_its_calibration(closed: Calibrated) -> None:
    world = closed.world
    with pytest.raises(PermissionDenied):
        calibration_for_team(world.alice, closed.quarter, world.platform)  # an owner, not in it
    with pytest.raises(PermissionDenied):
        calibration_for_team(world.dave, closed.quarter, world.platform)
    assert calibration_for_team(world.alice, closed.quarter, world.root).verdict == SANDBAGGING


def test_only_owners_and_admins_see_the_levels(closed: Calibrated) -> None:
    world = closed.world
    for member in (world.bob, world.dave):
        with pytest.raises(PermissionDenied):
            calibration_by_level(member, closed.quarter)
    assert calibration_report(world.bob, closed.quarter).levels is None
    assert calibration_report(world.alice, closed.quarter).levels is not None


def test_the_report_gives_each_member_their_own_and_their_teams(closed: Calibrated) -> None:
    world = closed.world
    bobs = calibration_report(world.bob, closed.quarter)
    assert bobs.me.verdict == OPTIMISTIC
    assert [(item.team.name, item.calibration.verdict) for item in bobs.teams] == [
        ("Platform", OPTIMISTIC)
    ]
    alices = calibration_report(world.alice, closed.quarter)
    assert alices.me.verdict == SANDBAGGING
    assert [item.team.name for item in alices.teams] == ["Acme"]  # not Platform


def test_a_viewer_without_key_results_has_nothing_to_calibrate(closed: Calibrated) -> None:
    report = calibration_report(closed.world.dave, closed.quarter)
    assert (report.me.key_results, report.me.verdict) == (0, NOT_ENOUGH)
    assert report.teams == [] and report.levels is None


def test_it_hides_another_organisations_cycle(closed: Calibrated) -> None:
    world = closed.world
    with pytest.raises(Http404):
        calibration_cycle_get(world.charlie, closed.quarter.pk)
    with pytest.raises(Http404):
        calibration_report(world.charlie, closed.quarter)
    with pytest.raises(Http404):
        calibration_cycle_get(world.alice, closed.globex_quarter.pk)


def test_it_refuses_a_cycle_that_is_not_closed(world: World) -> None:
    running = CycleFactory(organisation=world.acme, name="Running")
    for call in (
        lambda: calibration_cycle_get(world.bob, running.pk),
        lambda: calibration_report(world.bob, running),
        lambda: calibration_for_owner(world.bob, running, world.bob.user_id),
        lambda: calibration_for_team(world.bob, running, world.platform),
        lambda: calibration_by_level(world.alice, running),
    ):
        with pytest.raises(Conflict) as refused:
            call()
        assert refused.value.message == NOT_CLOSED


# --- levels ----------------------------------------------------------------------------------


def test_levels_below_the_minimum_group_size_show_no_figures(closed: Calibrated) -> None:
    levels = calibration_by_level(closed.world.alice, closed.quarter)
    # Level 0 is alice's own and her team's: nobody else is in it.
    assert [(level.depth, level.key_results, level.owners, level.teams) for level in levels] == [
        (0, 3, 0, 0),
        (1, 3, 1, 1),
    ]
    assert [level.calibration for level in levels] == [None, None]
    assert not any(level.enough for level in levels)


def test_a_level_with_enough_key_results_owners_and_teams_shows_its_aggregate(
    world: World,
) -> None:
    found = build(world, with_mobile=True)
    levels = calibration_by_level(world.alice, found.quarter)
    top, middle = levels
    assert top.calibration is None
    assert (middle.depth, middle.key_results, middle.owners, middle.teams) == (1, 6, 2, 2)
    assert middle.calibration is not None
    assert middle.calibration.brier == pytest.approx(0.45)
    assert middle.calibration.mean_confidence == pytest.approx(0.8)
    assert middle.calibration.hit_rate == pytest.approx(0.5)
    assert middle.calibration.bias == pytest.approx(0.3)
    assert middle.calibration.verdict == OPTIMISTIC


def test_one_owner_across_two_teams_is_still_too_few(world: World) -> None:
    found = build(world, with_mobile=True)
    # Erin's key results now belong to bob: two teams, but one person.
    services.cycle_reopen(member=world.alice, cycle_id=found.quarter.pk, reason="Reassign")
    mobile = found.mobile
    assert mobile is not None
    for key_result in (
        Cycle.objects.get(pk=found.quarter.pk).objectives.get(owner_team=mobile).key_results.all()
    ):
        services.key_result_update(
            member=world.alice, key_result=key_result, owner_id=world.bob.user_id
        )
    services.cycle_close(member=world.alice, cycle_id=found.quarter.pk)
    quarter = Cycle.objects.get(pk=found.quarter.pk)
    middle = calibration_by_level(world.alice, quarter)[1]
    assert (middle.key_results, middle.owners, middle.teams) == (6, 1, 2)
    assert middle.calibration is None


def test_a_level_hides_what_a_viewer_could_take_out_of_it(world: World) -> None:
    found = build(world, with_mobile=True)
    mobile = found.mobile
    assert mobile is not None
    # Alice joins Mobile: she sees Mobile's figures, so level 1 without them is Platform's.
    TeamMembershipFactory(team=mobile, user=world.alice.user)
    middle = calibration_by_level(world.alice, found.quarter)[1]
    assert (middle.key_results, middle.owners, middle.teams) == (6, 1, 1)
    assert middle.calibration is None


def test_the_report_runs_the_same_queries_for_3_and_for_30_key_results(world: World) -> None:
    found = build(world, with_mobile=True)

    def count() -> int:
        quarter = Cycle.objects.get(pk=found.quarter.pk)
        with CaptureQueriesContext(connection) as context:
            report = calibration_report(world.alice, quarter)
            assert report.levels is not None
        return len(context.captured_queries)

    few = count()
    more_key_results(found, 27)
    assert count() == few
