"""Cycle close: scores and overrides, retrospectives, closing, locking, reopening and
carry-over, through the services. The OKRs are tests/okrs.py's: Platform's Q4
objective (bob's team) contributes to the root team's yearly one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.goals.models import (
    ActivityEvent,
    AlignmentLink,
    CheckIn,
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    Objective,
)
from headway.goals.selectors_closing import carry_over_targets, cycle_scores
from headway.lib.errors import Conflict
from tests.factories import CycleFactory, ThemeFactory
from tests.okrs import more_objectives

from .conftest import reload


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every goals row a close-review action could write, to show a refusal wrote nothing."""
    tables: dict[str, Any] = {
        "cycles": Cycle.objects.values_list("pk", "status", "closed_at"),
        "objectives": Objective.objects.values_list(
            "pk",
            "title",
            "status",
            "version",
            "progress",
            "score_override",
            "score_reason",
            "retro_went_well",
            "retro_learned",
            "retro_next",
            "carried_from_id",
        ),
        "key results": KeyResult.objects.values_list(
            "pk", "title", "status", "target_value", "score_override", "score_reason", "version"
        ),
        "initiatives": Initiative.objects.values_list("pk", "title", "status"),
        "links": AlignmentLink.objects.values_list("pk", "child_id", "kind", "weight"),
        "check-ins": CheckIn.objects.values_list("pk", "value"),
        "activity": ActivityEvent.objects.values_list("pk"),
    }
    return {name: sorted(rows) for name, rows in tables.items()}


def check_in(world, key_result, value):
    services.checkin_create(
        member=world.bob, key_result_id=key_result.pk, value=value, confidence=6
    )


# --- scores -----------------------------------------------------------------------------------


def test_it_overrides_a_key_result_score_with_a_reason(world, okrs):
    scored = services.key_result_score_set(
        member=world.bob, key_result_id=okrs.deploys.pk, score=0.6, reason="The target was a guess"
    )
    assert (scored.score_override, scored.score_reason) == (0.6, "The target was a guess")
    (deploys,) = reload(okrs.deploys)
    assert (deploys.score_override, deploys.score_reason) == (0.6, "The target was a guess")
    event = ActivityEvent.objects.filter(verb="scored").get()
    assert event.objective_id == okrs.platform.pk and event.actor == world.bob.user
    assert event.changes["score_override"] == [None, 0.6]


def test_overrides_without_a_reason_are_refused(world, okrs):
    before = snapshot()
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as error:
            services.key_result_score_set(
                member=world.bob, key_result_id=okrs.deploys.pk, score=0.5, reason=reason
            )
        assert "Overrides without a reason are refused" in error.value.message_dict["reason"][0]
    with pytest.raises(ValidationError, match="Overrides without a reason are refused"):
        services.objective_score_set(
            member=world.bob, objective_id=okrs.platform.pk, score=0.5, reason=""
        )
    assert snapshot() == before


@pytest.mark.parametrize("score", [1.01, -0.1, "high", float("nan"), float("inf"), [0.5]])
def test_a_score_outside_zero_to_one_is_refused(world, okrs, score):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.key_result_score_set(
            member=world.bob, key_result_id=okrs.deploys.pk, score=score, reason="Because"
        )
    assert set(error.value.message_dict) == {"score"}
    assert snapshot() == before


def test_a_reason_has_a_length_cap(world, okrs):
    with pytest.raises(ValidationError) as error:
        services.objective_score_set(
            member=world.bob, objective_id=okrs.platform.pk, score=0.5, reason="x" * 1001
        )
    assert "under 1000" in error.value.message_dict["reason"][0]


def test_score_none_clears_the_override_and_its_reason(world, okrs):
    services.key_result_score_set(
        member=world.bob, key_result_id=okrs.deploys.pk, score=0.0, reason="Measured wrongly"
    )
    assert reload(okrs.deploys)[0].score_override == 0.0  # 0 is an override, not "none"
    services.key_result_score_set(
        member=world.bob, key_result_id=okrs.deploys.pk, score=None, reason="ignored"
    )
    (deploys,) = reload(okrs.deploys)
    assert (deploys.score_override, deploys.score_reason) == (None, "")
    assert ActivityEvent.objects.filter(verb="scored").count() == 2


def test_an_unchanged_score_records_no_activity(world, okrs):
    for _ in range(2):
        services.objective_score_set(
            member=world.bob, objective_id=okrs.platform.pk, score=0.7, reason="Close enough"
        )
    assert ActivityEvent.objects.filter(verb="scored").count() == 1


def test_a_dropped_key_result_has_no_score(world, okrs):
    services.key_result_update(member=world.bob, key_result=okrs.incidents, status="dropped")
    with pytest.raises(ValidationError, match="dropped"):
        services.key_result_score_set(
            member=world.bob, key_result_id=okrs.incidents.pk, score=0.5, reason="Still"
        )


def test_scores_need_write_access_to_the_objective(world, okrs):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.key_result_score_set(
            member=world.dave, key_result_id=okrs.deploys.pk, score=0.5, reason="Viewer"
        )
    with pytest.raises(PermissionDenied):
        services.objective_score_set(
            member=world.dave, objective_id=okrs.platform.pk, score=0.5, reason="Viewer"
        )
    # bob is not in the root team that owns the yearly objective
    with pytest.raises(PermissionDenied):
        services.key_result_score_set(
            member=world.bob, key_result_id=okrs.revenue.pk, score=0.5, reason="Not mine"
        )
    with pytest.raises(PermissionDenied):
        services.objective_score_set(
            member=world.bob, objective_id=okrs.company.pk, score=0.5, reason="Not mine"
        )
    assert snapshot() == before


def test_the_outsider_cannot_score_or_write_a_retrospective(world, okrs):
    before = snapshot()
    with pytest.raises(Http404):
        services.key_result_score_set(
            member=world.charlie, key_result_id=okrs.deploys.pk, score=0.5, reason="Outsider"
        )
    with pytest.raises(Http404):
        services.objective_score_set(
            member=world.charlie, objective_id=okrs.platform.pk, score=0.5, reason="Outsider"
        )
    with pytest.raises(Http404):
        services.objective_retrospective_save(
            member=world.charlie, objective_id=okrs.platform.pk, went_well="Sneaky"
        )
    assert snapshot() == before


# --- retrospectives ---------------------------------------------------------------------------


def test_it_saves_a_retrospective(world, okrs):
    saved = services.objective_retrospective_save(
        member=world.bob,
        objective_id=okrs.platform.pk,
        went_well="  Canary releases  ",
        learned="Small batches",
        next="",
    )
    assert (saved.retro_went_well, saved.retro_learned, saved.retro_next) == (
        "Canary releases",
        "Small batches",
        "",
    )
    (platform,) = reload(okrs.platform)
    assert platform.retro_went_well == "Canary releases" and platform.retro_learned
    event = ActivityEvent.objects.get(verb="wrote the retrospective of")
    assert set(event.changes) == {"went_well", "learned"}  # the feed names fields, not texts


def test_a_retrospective_needs_one_field_and_stays_short(world, okrs):
    before = snapshot()
    with pytest.raises(ValidationError, match="at least one"):
        services.objective_retrospective_save(
            member=world.bob, objective_id=okrs.platform.pk, went_well=" ", learned=None
        )
    with pytest.raises(ValidationError) as error:
        services.objective_retrospective_save(
            member=world.bob, objective_id=okrs.platform.pk, went_well="ok", next="x" * 2001
        )
    assert set(error.value.message_dict) == {"next"}
    assert snapshot() == before


def test_a_viewer_and_another_team_cannot_write_the_retrospective(world, okrs):
    with pytest.raises(PermissionDenied):
        services.objective_retrospective_save(
            member=world.dave, objective_id=okrs.platform.pk, went_well="Viewer"
        )
    with pytest.raises(PermissionDenied):
        services.objective_retrospective_save(
            member=world.bob, objective_id=okrs.company.pk, went_well="Not my team"
        )


# --- closing --------------------------------------------------------------------------------


def test_only_admins_close_a_cycle(world, okrs):
    before = snapshot()
    for member in (world.bob, world.dave):
        with pytest.raises(PermissionDenied, match="Only owners and admins"):
            services.cycle_close(member=member, cycle_id=okrs.quarter.pk)
    with pytest.raises(Http404):
        services.cycle_close(member=world.charlie, cycle_id=okrs.quarter.pk)
    assert snapshot() == before


def test_closing_a_cycle_closes_its_active_objectives_and_stamps_the_time(world, okrs):
    draft = services.objective_create(
        member=world.bob,
        cycle_id=okrs.quarter.pk,
        owner_team_id=world.platform.pk,
        title="Someday",
        status="draft",
    )
    version = okrs.platform.version
    result = services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    assert result.objectives_closed == 1
    quarter, platform, draft, company = reload(okrs.quarter, okrs.platform, draft, okrs.company)
    assert quarter.status == CycleStatus.CLOSED and quarter.closed_at is not None
    assert platform.status == "closed" and platform.version == version + 1
    assert draft.status == "draft"  # never started: left as it was, locked with the rest
    assert company.status == "active"  # the year runs on
    verbs = ActivityEvent.objects.filter(verb="closed").values_list("target_type", "target_id")
    assert set(verbs) == {("cycle", okrs.quarter.pk), ("objective", okrs.platform.pk)}


def test_closing_a_closed_cycle_is_a_conflict(world, okrs):
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    before = snapshot()
    with pytest.raises(Conflict, match="already closed"):
        services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    assert snapshot() == before


def test_a_year_waits_for_its_running_quarter(world, okrs):
    before = snapshot()
    with pytest.raises(Conflict, match="2026 Q4"):
        services.cycle_close(member=world.alice, cycle_id=okrs.year.pk)
    assert snapshot() == before
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    services.cycle_close(member=world.alice, cycle_id=okrs.year.pk)
    assert reload(okrs.year)[0].status == CycleStatus.CLOSED


def test_a_status_set_by_editing_the_cycle_keeps_closed_at_true(world, okrs):
    services.cycle_update(member=world.alice, cycle=okrs.quarter, status=CycleStatus.CLOSED)
    assert reload(okrs.quarter)[0].closed_at is not None
    services.cycle_update(member=world.alice, cycle=okrs.quarter, status=CycleStatus.ACTIVE)
    assert reload(okrs.quarter)[0].closed_at is None


# --- locking ----------------------------------------------------------------------------------


@pytest.fixture
def closed(world, okrs):
    """Q4 with an initiative and a theme link, closed by alice."""
    initiative = services.initiative_create(
        member=world.bob, title="Canary releases", key_result_ids=[okrs.deploys.pk]
    )
    theme = ThemeFactory(organisation=world.acme, title="Operational excellence")
    link = services.alignment_link_create(
        member=world.bob, child=okrs.platform, parent_type="theme", parent_id=theme.pk
    )
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    okrs.platform.refresh_from_db()
    okrs.deploys.refresh_from_db()
    return okrs, initiative, link


LOCKED = "is closed: its objectives, key results, scores and retrospectives are locked"


def _locked_actions(world, okrs, initiative, link):
    bob, alice = world.bob, world.alice
    platform, deploys = okrs.platform, okrs.deploys
    fresh = Objective.objects.create(
        organisation=world.acme,
        cycle=okrs.year,
        owner_team=world.platform,
        title="Open one in the year",
    )
    return {
        "objective edit": lambda: services.objective_update(
            member=bob, objective=platform, title="Rewritten"
        ),
        "objective reopened by hand": lambda: services.objective_update(
            member=alice, objective=platform, status="active"
        ),
        "objective delete": lambda: services.objective_delete(member=alice, objective=platform),
        "key result add": lambda: services.key_result_create(
            member=bob, objective=platform, title="Late", start_value=0, target_value=1
        ),
        "key result edit": lambda: services.key_result_update(
            member=bob, key_result=deploys, target_value=5
        ),
        "key result delete": lambda: services.key_result_delete(member=bob, key_result=deploys),
        "key result score": lambda: services.key_result_score_set(
            member=bob, key_result_id=deploys.pk, score=1, reason="Afterthought"
        ),
        "objective score": lambda: services.objective_score_set(
            member=alice, objective_id=platform.pk, score=1, reason="Afterthought"
        ),
        "retrospective": lambda: services.objective_retrospective_save(
            member=bob, objective_id=platform.pk, went_well="Afterthought"
        ),
        "initiative add": lambda: services.initiative_create(
            member=bob, title="Late work", key_result_ids=[deploys.pk]
        ),
        "initiative edit": lambda: services.initiative_update(
            member=bob, initiative=initiative, status="done"
        ),
        "initiative delete": lambda: services.initiative_delete(member=bob, initiative=initiative),
        "link add": lambda: services.alignment_link_create(
            member=alice, child=platform, parent_type="objective", parent_id=fresh.pk
        ),
        "link delete": lambda: services.alignment_link_delete(member=bob, link=link),
    }


def test_a_closed_cycle_locks_every_edit(world, closed):
    okrs, initiative, link = closed
    actions = _locked_actions(world, okrs, initiative, link)
    before = snapshot()
    for name, action in actions.items():
        with pytest.raises(ValidationError) as error:
            action()
        assert LOCKED in " ".join(error.value.messages), name
    assert snapshot() == before


def test_a_closed_cycle_refuses_check_ins(world, closed):
    okrs, _, _ = closed
    with pytest.raises(ValidationError, match="closed"):
        check_in(world, okrs.deploys, 9)
    assert not CheckIn.objects.exists()


def test_nothing_aligns_to_an_objective_of_a_closed_cycle(world, okrs):
    child_cycle = CycleFactory(organisation=world.acme, name="Nov sprint", parent=okrs.quarter)
    child = services.objective_create(
        member=world.bob,
        cycle_id=child_cycle.pk,
        owner_team_id=world.platform.pk,
        title="Sprint goal",
    )
    services.cycle_update(member=world.alice, cycle=okrs.quarter, status=CycleStatus.CLOSED)
    with pytest.raises(ValidationError) as error:
        services.alignment_link_create(
            member=world.bob, child=child, parent_type="key_result", parent_id=okrs.deploys.pk
        )
    assert "closed" in error.value.message_dict["parent_id"][0]


# --- reopening --------------------------------------------------------------------------------


def test_an_admin_reopens_a_cycle_with_a_reason(world, closed):
    okrs, initiative, _ = closed
    cycle = services.cycle_reopen(
        member=world.alice, cycle_id=okrs.quarter.pk, reason="Closed a week early by mistake"
    )
    assert cycle.status == CycleStatus.ACTIVE and cycle.closed_at is None
    assert reload(okrs.platform)[0].status == "active"
    event = ActivityEvent.objects.get(verb="reopened")
    assert event.changes == {"reason": [None, "Closed a week early by mistake"]}
    # unlocked again
    services.initiative_update(member=world.bob, initiative=initiative, status="done")
    check_in(world, okrs.deploys, 9)


def test_reopening_leaves_objectives_closed_by_hand_before_closed(world, okrs):
    services.objective_update(member=world.bob, objective=okrs.platform, status="closed")
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    services.cycle_reopen(member=world.alice, cycle_id=okrs.quarter.pk, reason="Oops")
    assert reload(okrs.platform)[0].status == "closed"


def test_reopening_needs_an_admin_a_reason_and_a_closed_cycle(world, okrs):
    with pytest.raises(Conflict, match="not closed"):
        services.cycle_reopen(member=world.alice, cycle_id=okrs.quarter.pk, reason="Why not")
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.cycle_reopen(member=world.alice, cycle_id=okrs.quarter.pk, reason="  ")
    assert set(error.value.message_dict) == {"reason"}
    with pytest.raises(PermissionDenied):
        services.cycle_reopen(member=world.bob, cycle_id=okrs.quarter.pk, reason="Please")
    with pytest.raises(Http404):
        services.cycle_reopen(member=world.charlie, cycle_id=okrs.quarter.pk, reason="Hi")
    assert snapshot() == before


# --- carry-over -------------------------------------------------------------------------------


@pytest.fixture
def next_quarter(world):
    return CycleFactory(
        organisation=world.acme,
        name="2027 Q1",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 3, 31),
        status=CycleStatus.PLANNING,
    )


def test_carry_over_continues_each_key_result_from_where_it_ended(world, okrs, next_quarter):
    check_in(world, okrs.deploys, 6)
    KeyResult.objects.filter(pk=okrs.deploys.pk).update(
        plan=[["2026-11-15", 5]], score_override=0.9, score_reason="Good enough", weight=2
    )
    never = services.key_result_create(
        member=world.bob, objective=okrs.platform, title="Chaos days", start_value=0, target_value=3
    )
    gone = services.key_result_create(
        member=world.bob,
        objective=okrs.platform,
        title="Old measure",
        start_value=0,
        target_value=3,
    )
    services.key_result_update(member=world.bob, key_result=gone, status="dropped")
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    result = services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
    )
    copy = result.objective
    assert copy.cycle_id == next_quarter.pk and copy.carried_from_id == okrs.platform.pk
    assert (copy.title, copy.owner_team_id, copy.visibility, copy.status) == (
        "Ship without fear",
        world.platform.pk,
        "public",
        "active",
    )
    rows = {
        kr.title: (kr.kind, kr.start_value, kr.target_value, kr.weight, kr.plan, kr.score_override)
        for kr in copy.key_results.all()
    }
    assert rows == {
        "Deploys a week": ("increase", 6, 10, 2, [], None),
        "Incidents a month": ("decrease", 12, 4, 1, [], None),  # never checked in: its start
        "Chaos days": ("increase", 0, 3, 1, [], None),
    }
    assert never.title in rows and gone.title not in rows
    assert copy.key_results.get(title="Deploys a week").current_value is None
    assert copy.progress == 0.0
    carried = ActivityEvent.objects.filter(verb="carried over")
    assert set(carried.values_list("objective_id", flat=True)) == {copy.pk, okrs.platform.pk}


def test_a_key_result_that_reached_its_target_is_not_carried_over(world, okrs, next_quarter):
    check_in(world, okrs.incidents, 3)  # 12 -> 4, ended below 4
    done = services.key_result_create(
        member=world.bob, objective=okrs.platform, title="Runbook", kind="milestone"
    )
    check_in(world, done, "done")
    result = services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
    )
    assert [kr.title for kr in result.objective.key_results.all()] == ["Deploys a week"]
    notes = " ".join(result.notes)
    assert "“Incidents a month” ended at 3, at or beyond its target 4" in notes
    assert "“Runbook” is done" in notes


def test_links_come_along_when_the_parent_still_holds(world, okrs):
    """A Q3 objective aligned to the year's objective and to a theme, carried into Q4:
    both links hold there."""
    q3 = Cycle.objects.get(organisation=world.acme, name="2026 Q3")
    Cycle.objects.filter(pk=q3.pk).update(status=CycleStatus.ACTIVE)
    theme = ThemeFactory(organisation=world.acme, title="Operational excellence")
    summer = services.objective_create(
        member=world.bob,
        cycle_id=q3.pk,
        owner_team_id=world.platform.pk,
        title="Calm summer",
        key_results=[
            {"title": "Pages a week", "kind": "decrease", "start_value": 9, "target_value": 2}
        ],
    )
    for parent_type, parent_id in (("objective", okrs.company.pk), ("theme", theme.pk)):
        services.alignment_link_create(
            member=world.bob, child=summer, parent_type=parent_type, parent_id=parent_id, weight=2
        )
    services.cycle_close(member=world.alice, cycle_id=q3.pk)
    result = services.objective_carry_over(
        member=world.bob, objective_id=summer.pk, to_cycle_id=okrs.quarter.pk
    )
    links = AlignmentLink.objects.filter(child=result.objective)
    assert set(links.values_list("parent_objective_id", "parent_theme_id", "kind", "weight")) == {
        (okrs.company.pk, None, "contributes", 2.0),
        (None, theme.pk, "contributes", 2.0),
    }
    assert result.notes == []


def test_a_link_to_a_closed_or_too_short_parent_is_not_copied_and_said_so(
    world, okrs, next_quarter
):
    result = services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
    )
    assert not AlignmentLink.objects.filter(child=result.objective).exists()
    assert any("“Win the mid-market” was not copied" in note for note in result.notes)
    # the year closes: its objective is now a parent in a closed cycle
    services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    services.cycle_close(member=world.alice, cycle_id=okrs.year.pk)
    later = CycleFactory(
        organisation=world.acme,
        name="2027 Q2",
        start_date=dt.date(2027, 4, 1),
        end_date=dt.date(2027, 6, 30),
        status=CycleStatus.PLANNING,
    )
    result = services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=later.pk
    )
    assert any("belongs to the closed cycle 2026" in note for note in result.notes)


def test_an_objective_is_carried_into_a_cycle_once(world, okrs, next_quarter):
    services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
    )
    before = snapshot()
    with pytest.raises(Conflict, match="already carried over into 2027 Q1"):
        services.objective_carry_over(
            member=world.alice, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
        )
    assert snapshot() == before
    assert carry_over_targets(world.bob, okrs.platform) == []


def test_carry_over_needs_an_open_cycle_of_the_organisation(world, okrs, next_quarter):
    globex_cycle = CycleFactory(organisation=world.globex, name="Globex Q1")
    closed_cycle = CycleFactory(organisation=world.acme, name="2025 Q4", status=CycleStatus.CLOSED)
    before = snapshot()
    for cycle_id, message in (
        (globex_cycle.pk, "Choose a cycle of this organisation"),
        ("nonsense", "Choose a cycle of this organisation"),
        (closed_cycle.pk, "is closed"),
        (okrs.quarter.pk, "already runs in 2026 Q4"),
        (okrs.year.pk, "2026 does not end after 2026 Q4"),
    ):
        with pytest.raises(ValidationError) as error:
            services.objective_carry_over(
                member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=cycle_id
            )
        assert message in error.value.message_dict["cycle_id"][0]
    assert snapshot() == before
    assert carry_over_targets(world.bob, okrs.platform) == [next_quarter]
    # the year ends with its last quarter: a Q4 objective continues only in a later cycle
    assert carry_over_targets(world.bob, okrs.company) == [next_quarter]


def test_carry_over_needs_write_access(world, okrs, next_quarter):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.objective_carry_over(
            member=world.dave, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
        )
    with pytest.raises(PermissionDenied):
        services.objective_carry_over(
            member=world.bob, objective_id=okrs.company.pk, to_cycle_id=next_quarter.pk
        )
    with pytest.raises(Http404):
        services.objective_carry_over(
            member=world.charlie, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
        )
    assert snapshot() == before


# --- the scores selector ------------------------------------------------------------------------


def test_cycle_scores_pairs_each_objective_with_its_scores(world, okrs):
    check_in(world, okrs.deploys, 6)  # 2 -> 10: 0.5
    check_in(world, okrs.incidents, 2)  # 12 -> 4, beyond: 1.0
    services.key_result_score_set(
        member=world.bob, key_result_id=okrs.incidents.pk, score=0.8, reason="Lucky month"
    )
    scores = cycle_scores(world.bob, okrs.quarter)
    assert [group.label for group in scores.groups] == ["Platform"]
    (item,) = scores.objectives
    assert item.objective == okrs.platform and item.can_edit
    assert [(kr.computed, kr.override, kr.score) for kr in item.key_results] == [
        (0.5, None, 0.5),
        (1.0, 0.8, 0.8),
    ]
    assert item.computed == pytest.approx(0.65) and item.score == pytest.approx(0.65)
    services.objective_score_set(
        member=world.bob, objective_id=okrs.platform.pk, score=0.7, reason="Rounded up"
    )
    (item,) = cycle_scores(world.bob, okrs.quarter).objectives
    assert (item.computed, item.score, item.reason) == (pytest.approx(0.65), 0.7, "Rounded up")


def test_cycle_scores_groups_by_owner_and_hides_what_the_member_cannot_see(world, okrs):
    services.objective_create(
        member=world.alice,
        cycle_id=okrs.year.pk,
        owner_team_id=world.root.pk,
        title="Buy a competitor",
        visibility="private",
    )
    services.objective_create(
        member=world.bob, cycle_id=okrs.year.pk, owner_user_id=world.bob.user_id, title="Learn Rust"
    )
    by_alice = cycle_scores(world.alice, okrs.year)
    assert [(g.label, [o.objective.title for o in g.objectives]) for g in by_alice.groups] == [
        ("Acme", ["Win the mid-market", "Buy a competitor"]),
        ("Bob", ["Learn Rust"]),
    ]
    by_bob = cycle_scores(world.bob, okrs.year)
    assert [o.objective.title for o in by_bob.objectives] == ["Win the mid-market", "Learn Rust"]
    assert [o.can_edit for o in by_bob.objectives] == [False, True]
    assert not any(o.can_edit for o in cycle_scores(world.dave, okrs.year).objectives)


def test_cycle_scores_runs_the_same_queries_for_3_and_30_objectives(world, okrs):
    def count(member):
        with CaptureQueriesContext(connection) as captured:
            scores = cycle_scores(member, okrs.quarter)
            for item in scores.objectives:
                [kr.score for kr in item.key_results]
                [other.cycle.name for other in item.carried_to]
                _ = item.objective.owner_name, item.locked
        return len(captured), len(scores.objectives)

    more_objectives(world, okrs.quarter, 2)
    small = {name: count(getattr(world, name)) for name in ("alice", "bob")}
    more_objectives(world, okrs.quarter, 27)
    large = {name: count(getattr(world, name)) for name in ("alice", "bob")}
    assert {name: q for name, (q, _) in large.items()} == {
        name: q for name, (q, _) in small.items()
    }
    assert large["alice"][1] == 30


def test_a_note_never_names_a_private_parent(world, okrs, next_quarter):
    secret = services.objective_create(
        member=world.alice,
        cycle_id=okrs.year.pk,
        owner_team_id=world.root.pk,
        title="Buy a competitor",
        visibility="private",
    )
    services.alignment_link_create(
        member=world.alice, child=okrs.platform, parent_type="objective", parent_id=secret.pk
    )
    result = services.objective_carry_over(
        member=world.bob, objective_id=okrs.platform.pk, to_cycle_id=next_quarter.pk
    )
    notes = " ".join(result.notes)
    assert "Buy a competitor" not in notes
    assert "The link to a private objective was not copied: it runs in 2026" in notes


def test_closing_a_cycle_queues_a_flag_refresh_that_resolves_its_flags(
    world, okrs, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from headway.insights.models import Flag
    from headway.insights.tasks import flags_refresh_task

    flag = Flag.objects.create(
        organisation=world.acme, key_result=okrs.deploys, kind="overdue", reason="test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    queued = DBTaskResult.objects.get(task_path__endswith="flags_refresh_task")
    assert queued.args_kwargs["args"] == [world.acme.pk]
    flags_refresh_task.call(world.acme.pk)  # what the worker runs
    flag.refresh_from_db()
    assert flag.resolved_at is not None
