from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.goals import services
from headway.goals.models import AlignmentLink, CheckIn, KeyResult, Objective
from headway.goals.services.rollup import recompute_all
from headway.lib.errors import Conflict

from .conftest import reload


def _team_objective(world, okrs, title="Faster pipelines", cycle=None):
    return services.objective_create(
        member=world.alice,
        cycle_id=(cycle or okrs.quarter).pk,
        owner_team_id=world.platform.pk,
        title=title,
        key_results=[
            {"title": "Pipeline minutes", "kind": "decrease", "start_value": 30, "target_value": 10}
        ],
    )


def test_it_refuses_a_loop(world, okrs):
    with pytest.raises(ValidationError, match="loop"):
        services.alignment_link_create(
            member=world.alice,
            child=okrs.company,
            parent_type="objective",
            parent_id=okrs.platform.pk,
        )
    with pytest.raises(ValidationError, match="loop"):
        services.alignment_link_create(
            member=world.alice,
            child=okrs.company,
            parent_type="key_result",
            parent_id=okrs.deploys.pk,
        )
    assert AlignmentLink.objects.count() == 1


def test_it_refuses_a_longer_loop_through_supports_links(world, okrs):
    child = _team_objective(world, okrs)
    services.alignment_link_create(
        member=world.alice,
        child=child,
        parent_type="objective",
        parent_id=okrs.platform.pk,
        kind="supports",
    )
    with pytest.raises(ValidationError, match="loop"):
        services.alignment_link_create(
            member=world.alice, child=okrs.company, parent_type="objective", parent_id=child.pk
        )


def test_a_parent_in_a_later_or_shorter_cycle_is_refused(world, okrs):
    with pytest.raises(ValidationError, match="does not cover"):
        services.alignment_link_create(
            member=world.alice,
            child=okrs.company,
            parent_type="objective",
            parent_id=_team_objective(world, okrs).pk,
        )


def test_links_across_organisations_are_refused(world, okrs):
    theirs = services.theme_create(member=world.charlie, title="Their theme")
    with pytest.raises(ValidationError, match="No theme"):
        services.alignment_link_create(
            member=world.alice, child=okrs.platform, parent_type="theme", parent_id=theirs.pk
        )


def test_a_duplicate_link_is_a_conflict(world, okrs):
    with pytest.raises(Conflict, match="already aligned"):
        services.alignment_link_create(
            member=world.bob,
            child=okrs.platform,
            parent_type="objective",
            parent_id=okrs.company.pk,
        )


@pytest.mark.parametrize("weight", [0, -1, "heavy", float("nan")])
def test_a_weight_must_be_above_zero(world, okrs, weight):
    theme = services.theme_create(member=world.alice, title="Reliability")
    with pytest.raises(ValidationError, match="weight"):
        services.alignment_link_create(
            member=world.bob,
            child=okrs.platform,
            parent_type="theme",
            parent_id=theme.pk,
            weight=weight,
        )


def test_supports_links_are_shown_but_not_counted(world, okrs):
    child = _team_objective(world, okrs, cycle=okrs.year)
    services.alignment_link_create(
        member=world.alice,
        child=child,
        parent_type="objective",
        parent_id=okrs.company.pk,
        kind="supports",
    )
    services.checkin_create(
        member=world.alice, key_result_id=child.key_results.get().pk, value=10, confidence=8
    )
    # only the platform child (0) and the revenue KR (0) count
    assert reload(okrs.company)[0].progress == 0.0


def test_a_link_to_a_key_result_counts_in_that_key_results_objective(world, okrs):
    child = _team_objective(world, okrs)
    services.alignment_link_create(
        member=world.alice,
        child=child,
        parent_type="key_result",
        parent_id=okrs.deploys.pk,
        weight=2,
    )
    services.checkin_create(
        member=world.alice, key_result_id=child.key_results.get().pk, value=10, confidence=8
    )
    # platform: deploys 0 (w1) + incidents 0 (w1) + child 1.0 (w2) = 0.5
    assert reload(okrs.platform)[0].progress == pytest.approx(0.5)
    (deploys,) = reload(okrs.deploys)
    assert deploys.progress == 0.0  # the key result stays measured by its own check-ins


def test_removing_a_link_rolls_the_old_parent_back(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=8)
    assert reload(okrs.company)[0].progress == pytest.approx(0.25)
    services.alignment_link_delete(member=world.bob, link=AlignmentLink.objects.get())
    assert reload(okrs.company)[0].progress == 0.0


def test_an_organisation_can_leave_children_out_of_progress(world, okrs):
    world.acme.count_child_progress = False
    world.acme.save()
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=8)
    assert reload(okrs.company)[0].progress == 0.0
    assert reload(okrs.platform)[0].progress == pytest.approx(0.5)


def test_draft_children_do_not_count(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=8)
    services.objective_update(member=world.bob, objective=okrs.platform, status="draft")
    assert reload(okrs.company)[0].progress == 0.0


def test_only_editors_of_the_child_can_align_it(world, okrs):
    theme = services.theme_create(member=world.alice, title="Reliability")
    with pytest.raises(PermissionDenied):
        services.alignment_link_create(
            member=world.dave, child=okrs.platform, parent_type="theme", parent_id=theme.pk
        )
    with pytest.raises(PermissionDenied):
        services.alignment_link_create(
            member=world.bob, child=okrs.company, parent_type="theme", parent_id=theme.pk
        )


def test_recompute_verify_finds_no_difference_after_check_ins(world, okrs):
    for value, kr in [
        (4, okrs.deploys),
        (9, okrs.incidents),
        (30, okrs.revenue),
        (7, okrs.deploys),
    ]:
        member = world.alice if kr == okrs.revenue else world.bob
        services.checkin_create(member=member, key_result_id=kr.pk, value=value, confidence=6)
    assert recompute_all(write=False) == []


def test_recompute_reports_and_repairs_tampered_values(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=6)
    KeyResult.objects.filter(pk=okrs.deploys.pk).update(current_value=99, progress=1.0)
    Objective.objects.filter(pk=okrs.company.pk).update(progress=0.9)
    found = {(d.model, d.pk, d.field) for d in recompute_all(write=True)}
    assert ("key result", okrs.deploys.pk, "current_value") in found
    assert ("objective", okrs.company.pk, "progress") in found
    assert recompute_all(write=False) == []
    assert reload(okrs.deploys)[0].current_value == 6


def test_deleting_a_child_objective_rolls_its_parent_back(world, okrs):
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=8)
    services.objective_delete(member=world.bob, objective=okrs.platform)
    assert reload(okrs.company)[0].progress == 0.0
    assert not CheckIn.objects.exists()


def test_a_closed_objective_takes_no_new_children(world, okrs):
    services.objective_update(member=world.alice, objective=okrs.company, status="closed")
    child = _team_objective(world, okrs)
    with pytest.raises(ValidationError, match="is closed"):
        services.alignment_link_create(
            member=world.alice, child=child, parent_type="objective", parent_id=okrs.company.pk
        )


def test_a_private_parents_title_stays_out_of_the_childs_feed(world, okrs):
    from headway.goals.models import ActivityEvent

    services.objective_update(member=world.alice, objective=okrs.company, visibility="private")
    child = _team_objective(world, okrs, cycle=okrs.year)
    services.alignment_link_create(
        member=world.alice, child=child, parent_type="objective", parent_id=okrs.company.pk
    )
    event = ActivityEvent.objects.filter(verb="aligned", objective=child).get()
    assert event.changes["parent"] == [None, "a private objective"]
    assert okrs.company.title not in str(event.changes)


def _chain(world, okrs, depth):
    """`depth` objectives each contributing to the next, the last to the company's."""
    parent = okrs.company
    chain = []
    for level in range(depth):
        objective = _team_objective(world, okrs, title=f"Level {level}", cycle=okrs.year)
        services.alignment_link_create(
            member=world.alice, child=objective, parent_type="objective", parent_id=parent.pk
        )
        chain.append(objective)
        parent = objective
    return chain


def test_a_check_in_rolls_up_a_deep_chain_with_one_query_per_level_only_for_the_walk(world, okrs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(objective) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.checkin_create(
                member=world.alice,
                key_result_id=objective.key_results.get().pk,
                value=20,
                confidence=5,
            )
        return len(queries)

    shallow = _chain(world, okrs, 1)[-1]
    chain = _chain(world, okrs, 5)
    # The deep one has 4 more ancestors: the ancestor walk reads one level per query;
    # their progress is read and written with a fixed number of queries.
    assert cost(chain[-1]) - cost(shallow) == 4
    # Pipeline minutes 30 -> 20 of 10 is half way; each level above averages its own
    # key result (still 0) with the child below it.
    assert [reload(o)[0].progress for o in reversed(chain)] == pytest.approx(
        [0.5, 0.25, 0.125, 0.0625, 0.03125]
    )
    assert recompute_all(write=False) == []
