"""Pivots, target changes and the learning log: the services' rules, the selectors'
visibility, search and team scope, the aftermath, and their query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from headway.accounts.models import Role
from headway.goals import services
from headway.goals.models import (
    ActivityEvent,
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    KeyResultStatus,
    Objective,
    ObjectiveStatus,
    Pivot,
    TargetChange,
)
from headway.goals.selectors_learning import (
    key_result_target_history,
    learning_log,
    pivot_aftermath,
    pivot_get_for_member,
    pivots_by_key_result,
)
from headway.insights.models import Flag, FlagKind
from tests.factories import MembershipFactory, TeamFactory, UserFactory

from .conftest import day, reload

TEXTS = {
    "tried": "Canary releases on Fridays",
    "learned": "Nobody watches the canary on Fridays",
    "next_step": "Canary on Tuesdays with an on-call watcher",
}


def pivot(member: Any, key_result: KeyResult, **extra: Any) -> Pivot:
    return services.pivot_record(member=member, key_result_id=key_result.pk, **{**TEXTS, **extra})


def counts() -> dict[str, Any]:
    """Every row a pivot can write, to show that a refused one wrote nothing."""
    return {
        "pivots": Pivot.objects.count(),
        "target changes": TargetChange.objects.count(),
        "initiatives": sorted(Initiative.objects.values_list("pk", "title", "status")),
        "activity": ActivityEvent.objects.count(),
        "targets": sorted(KeyResult.objects.values_list("pk", "target_value", "progress")),
        "objectives": sorted(Objective.objects.values_list("pk", "progress")),
        "flags": sorted(Flag.objects.values_list("pk", "pivot_id")),
    }


def flag_on(key_result: KeyResult, kind: str = FlagKind.STALL, **extra: Any) -> Flag:
    return Flag.objects.create(
        organisation_id=key_result.organisation_id,
        key_result=key_result,
        kind=kind,
        reason="Deploys a week has not moved over the last 3 check-ins while behind pace.",
        **extra,
    )


def check_in(world: Any, key_result: KeyResult, value: float, n: int = 0) -> None:
    services.checkin_create(
        member=world.bob, key_result_id=key_result.pk, value=value, confidence=6, at=day(n)
    )


def assert_stored_progress_is_what_the_check_ins_say() -> None:
    assert services.recompute_all(write=False) == []


# --------------------------------------------------------------- recording a pivot


def test_it_records_a_pivot_with_the_measure_it_started_from(world, okrs):
    check_in(world, okrs.deploys, 6)
    recorded = pivot(world.bob, okrs.deploys)
    recorded.refresh_from_db()
    assert (recorded.tried, recorded.learned, recorded.next_step) == tuple(TEXTS.values())
    assert recorded.value_before == 6
    assert recorded.progress_before == pytest.approx(0.5)
    assert recorded.objective == okrs.platform
    assert recorded.team == world.platform
    assert recorded.author == world.bob.user
    assert recorded.initiative_changes == []
    event = ActivityEvent.objects.get(verb="recorded a pivot on")
    assert event.objective == okrs.platform and event.actor == world.bob.user


def test_a_pivot_before_any_check_in_freezes_the_start(world, okrs):
    recorded = pivot(world.bob, okrs.deploys)
    assert recorded.value_before is None
    assert recorded.progress_before == 0


@pytest.mark.parametrize("name", ["tried", "learned", "next_step"])
def test_each_text_is_required_and_a_refusal_writes_nothing(world, okrs, name):
    before = counts()
    with pytest.raises(ValidationError) as error:
        pivot(world.bob, okrs.deploys, **{name: "   "})
    assert set(error.value.message_dict) == {name}
    assert counts() == before


def test_a_text_past_the_limit_is_refused(world, okrs):
    with pytest.raises(ValidationError, match="under 4000 characters") as error:
        pivot(world.bob, okrs.deploys, learned="x" * 4001)
    assert set(error.value.message_dict) == {"learned"}
    assert not Pivot.objects.exists()


def test_the_outsider_cannot_pivot_on_an_acme_key_result(world, okrs):
    with pytest.raises(Http404):
        pivot(world.charlie, okrs.deploys)
    with pytest.raises(Http404):
        services.key_result_target_change(
            member=world.charlie, key_result_id=okrs.deploys.pk, new_target=8, reason="x"
        )
    assert not Pivot.objects.exists() and not TargetChange.objects.exists()


def test_a_viewer_and_a_member_of_another_team_may_not_pivot(world, okrs):
    with pytest.raises(PermissionDenied):
        pivot(world.dave, okrs.deploys)
    with pytest.raises(PermissionDenied):
        pivot(world.bob, okrs.revenue)  # the root team's key result
    with pytest.raises(PermissionDenied):
        services.key_result_target_change(
            member=world.dave, key_result_id=okrs.deploys.pk, new_target=8, reason="x"
        )
    assert not Pivot.objects.exists()


def test_an_admin_may_pivot_on_any_key_result(world, okrs):
    assert pivot(world.alice, okrs.deploys).author == world.alice.user


def test_it_refuses_pivots_on_a_dropped_key_result_a_closed_objective_or_cycle(world, okrs):
    KeyResult.objects.filter(pk=okrs.incidents.pk).update(status=KeyResultStatus.DROPPED)
    with pytest.raises(ValidationError, match="dropped"):
        pivot(world.bob, okrs.incidents)
    Objective.objects.filter(pk=okrs.company.pk).update(status=ObjectiveStatus.CLOSED)
    with pytest.raises(ValidationError, match="objective is closed"):
        pivot(world.alice, okrs.revenue)
    Cycle.objects.filter(pk=okrs.quarter.pk).update(status=CycleStatus.CLOSED)
    with pytest.raises(ValidationError, match="2026 Q4 is closed") as error:
        services.key_result_target_change(
            member=world.bob, key_result_id=okrs.deploys.pk, new_target=8, reason="Too far"
        )
    assert set(error.value.message_dict) == {"key_result"}
    assert not Pivot.objects.exists() and not TargetChange.objects.exists()


# --------------------------------------------------------------------- flags


def test_a_pivot_answers_the_flag_it_was_recorded_from(world, okrs):
    flag = flag_on(okrs.deploys)
    recorded = pivot(world.bob, okrs.deploys, flag_id=flag.pk)
    flag.refresh_from_db()
    assert flag.pivot == recorded


def test_a_resolved_flag_can_be_answered_too(world, okrs):
    flag = flag_on(okrs.deploys, resolved_at=timezone.now())
    recorded = pivot(world.bob, okrs.deploys, flag_id=str(flag.pk))
    assert Flag.objects.get(pk=flag.pk).pivot_id == recorded.pk


@pytest.mark.parametrize("which", ["other key result", "other organisation", "not an id", "gone"])
def test_a_flag_of_anything_else_is_a_field_error_and_nothing_is_written(world, okrs, which):
    flags = {
        "other key result": lambda: flag_on(okrs.incidents).pk,
        "other organisation": lambda: flag_on(okrs.globex_kr).pk,
        "not an id": lambda: "seven",
        "gone": lambda: 987654,
    }
    flag_id = flags[which]()
    before = counts()
    with pytest.raises(ValidationError) as error:
        pivot(world.bob, okrs.deploys, flag_id=flag_id, new_target=8, target_reason="Too far")
    assert set(error.value.message_dict) == {"flag_id"}
    assert "not a flag of this key result" in error.value.message_dict["flag_id"][0]
    assert counts() == before


def test_a_flag_already_answered_is_not_taken_over(world, okrs):
    flag = flag_on(okrs.deploys)
    first = pivot(world.bob, okrs.deploys, flag_id=flag.pk)
    with pytest.raises(ValidationError, match="already answers this flag"):
        pivot(world.bob, okrs.deploys, flag_id=flag.pk)
    assert Flag.objects.get(pk=flag.pk).pivot == first
    assert Pivot.objects.count() == 1


# --------------------------------------------------------------------- target changes


def test_a_pivot_can_move_the_target_and_progress_rolls_up_at_once(world, okrs):
    check_in(world, okrs.deploys, 6)
    recorded = pivot(world.bob, okrs.deploys, new_target="8", target_reason="10 was a guess")
    deploys, platform, company = reload(okrs.deploys, okrs.platform, okrs.company)
    assert deploys.target_value == 8
    assert deploys.progress == pytest.approx((6 - 2) / (8 - 2))
    assert platform.progress == pytest.approx(deploys.progress / 2)
    assert company.progress == pytest.approx(platform.progress / 2)
    change = TargetChange.objects.get()
    assert (change.old_target, change.new_target) == (10, 8)
    assert change.reason == "10 was a guess" and change.pivot == recorded
    assert change.author == world.bob.user
    # Frozen before the target moved: the progress the team saw when it pivoted.
    assert recorded.progress_before == pytest.approx(0.5)
    assert_stored_progress_is_what_the_check_ins_say()


def test_a_target_change_on_its_own_keeps_the_history_and_the_original_target(world, okrs):
    check_in(world, okrs.deploys, 6)
    version = okrs.deploys.version
    services.key_result_target_change(
        member=world.bob, key_result_id=okrs.deploys.pk, new_target=12, reason="Easier than hoped"
    )
    services.key_result_target_change(
        member=world.alice, key_result_id=okrs.deploys.pk, new_target="9.5", reason="Team shrank"
    )
    history = list(key_result_target_history(okrs.deploys))
    assert [(c.old_target, c.new_target, c.reason) for c in history] == [
        (10, 12, "Easier than hoped"),
        (12, 9.5, "Team shrank"),
    ]
    assert [c.author for c in history] == [world.bob.user, world.alice.user]
    assert all(c.pivot is None for c in history)
    (deploys,) = reload(okrs.deploys)
    assert deploys.target_value == 9.5
    assert deploys.progress == pytest.approx((6 - 2) / (9.5 - 2))
    assert deploys.version == version + 2  # an edit form opened before must not undo it
    assert_stored_progress_is_what_the_check_ins_say()
    assert ActivityEvent.objects.filter(verb="moved the target of").count() == 2
    assert not Pivot.objects.exists()


def test_a_decreasing_key_result_can_move_its_target_too(world, okrs):
    check_in(world, okrs.incidents, 8)
    services.key_result_target_change(
        member=world.bob, key_result_id=okrs.incidents.pk, new_target=6, reason="Realistic"
    )
    (incidents,) = reload(okrs.incidents)
    assert incidents.progress == pytest.approx((12 - 8) / (12 - 6))
    assert_stored_progress_is_what_the_check_ins_say()


@pytest.mark.parametrize(
    ("new_target", "reason", "field", "message"),
    [
        (8, "", "reason", "Overrides without a reason are refused"),
        (8, "   ", "reason", "Overrides without a reason are refused"),
        (10, "Same", "new_target", "already the target"),
        ("ten", "Why", "new_target", "is not a number"),
        ("nan", "Why", "new_target", "is not a number"),
        (float("inf"), "Why", "new_target", "is not a number"),
        (1, "Below the start", "new_target", "needs a target above its start"),
        (2, "Equal to start", "new_target", "must differ from the start"),
        (None, "Why", "new_target", "Give the new target"),
        (8, "x" * 4001, "reason", "under 4000 characters"),
    ],
)
def test_a_bad_target_change_is_refused_and_writes_nothing(
    world, okrs, new_target, reason, field, message
):
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.key_result_target_change(
            member=world.bob, key_result_id=okrs.deploys.pk, new_target=new_target, reason=reason
        )
    assert message in error.value.message_dict[field][0]
    assert counts() == before


def test_a_pivot_refuses_a_target_without_a_reason_and_a_reason_without_a_target(world, okrs):
    before = counts()
    with pytest.raises(ValidationError) as error:
        pivot(world.bob, okrs.deploys, new_target=8)
    assert set(error.value.message_dict) == {"target_reason"}
    with pytest.raises(ValidationError) as error:
        pivot(world.bob, okrs.deploys, target_reason="Because")
    assert set(error.value.message_dict) == {"new_target"}
    assert counts() == before


def test_a_milestone_has_no_target_to_move(world, okrs):
    milestone = services.key_result_create(
        member=world.bob, objective=okrs.platform, title="Runbook published", kind="milestone"
    )
    with pytest.raises(ValidationError, match="milestone is done or not"):
        services.key_result_target_change(
            member=world.bob, key_result_id=milestone.pk, new_target=2, reason="More"
        )
    assert pivot(world.bob, milestone).key_result == milestone  # a pivot without target is fine


def test_the_key_results_owner_outside_the_team_may_pivot_but_not_move_the_target(world, okrs):
    erin = MembershipFactory(
        organisation=world.acme, user=UserFactory(email="erin@acme.test"), role=Role.MEMBER
    )
    KeyResult.objects.filter(pk=okrs.deploys.pk).update(owner=erin.user)
    assert pivot(erin, okrs.deploys).author == erin.user
    with pytest.raises(PermissionDenied, match="move the target"):
        pivot(erin, okrs.deploys, new_target=8, target_reason="Too far")
    assert Pivot.objects.count() == 1 and not TargetChange.objects.exists()


# --------------------------------------------------------------------- initiatives


def test_a_pivot_starts_and_stops_initiatives_of_its_key_result(world, okrs):
    old = services.initiative_create(
        member=world.bob, title="Manual release checklist", key_result_ids=[okrs.deploys.pk]
    )
    recorded = pivot(
        world.bob,
        okrs.deploys,
        start_initiatives=["Automate the checklist", "", "  Pair on every deploy  "],
        stop_initiative_ids=[old.pk],
    )
    old.refresh_from_db()
    assert old.status == Initiative.Status.DROPPED
    started = list(Initiative.objects.exclude(pk=old.pk).order_by("pk"))
    assert [i.title for i in started] == ["Automate the checklist", "Pair on every deploy"]
    for initiative in started:
        assert list(initiative.key_results.all()) == [okrs.deploys]
        assert initiative.owner == world.bob.user
        assert initiative.status == Initiative.Status.PLANNED
    assert recorded.initiative_changes == [
        {"id": started[0].pk, "title": "Automate the checklist", "change": "started"},
        {"id": started[1].pk, "title": "Pair on every deploy", "change": "started"},
        {"id": old.pk, "title": "Manual release checklist", "change": "stopped"},
    ]


def test_it_stops_only_open_initiatives_linked_to_this_key_result(world, okrs):
    elsewhere = services.initiative_create(
        member=world.bob, title="Postmortems", key_result_ids=[okrs.incidents.pk]
    )
    done = services.initiative_create(
        member=world.bob, title="Done already", key_result_ids=[okrs.deploys.pk], status="done"
    )
    before = counts()
    for ids, message in (
        ([elsewhere.pk], "linked to this key result"),
        ([okrs.globex.pk + 1000], "linked to this key result"),
        (["x"], "linked to this key result"),
        ([done.pk], "Already done or dropped: Done already"),
    ):
        with pytest.raises(ValidationError, match=message):
            pivot(world.bob, okrs.deploys, start_initiatives=["New work"], stop_initiative_ids=ids)
    assert counts() == before


def test_a_new_initiative_that_is_too_long_names_its_line(world, okrs):
    before = counts()
    with pytest.raises(ValidationError) as error:
        pivot(world.bob, okrs.deploys, start_initiatives=["Fine", "y" * 201])
    assert error.value.message_dict["start_initiatives"] == [
        "Line 2: Keep the title under 200 characters."
    ]
    with pytest.raises(ValidationError, match="at most 20"):
        pivot(world.bob, okrs.deploys, start_initiatives=[f"Work {n}" for n in range(21)])
    assert counts() == before


def test_every_error_is_reported_at_once_and_nothing_is_written(world, okrs):
    before = counts()
    with pytest.raises(ValidationError) as error:
        pivot(
            world.bob,
            okrs.deploys,
            tried="",
            flag_id=flag_on(okrs.incidents).pk,
            new_target=1,
            target_reason="",
            stop_initiative_ids=[12345],
        )
    assert set(error.value.message_dict) == {
        "tried",
        "flag_id",
        "new_target",
        "target_reason",
        "stop_initiative_ids",
    }
    assert counts() == {**before, "flags": counts()["flags"]}
    assert not Flag.objects.exclude(pivot=None).exists()


# --------------------------------------------------------------------- the learning log


def entries(member: Any, **filters: Any) -> list[Any]:
    return list(learning_log(member, **filters)[:100])


def test_the_log_lists_pivots_newest_first_with_their_details(world, okrs):
    check_in(world, okrs.deploys, 4, 1)
    flag = flag_on(okrs.deploys)
    first = pivot(world.bob, okrs.deploys, flag_id=flag.pk, new_target=8, target_reason="Scope")
    second = pivot(world.alice, okrs.revenue, tried="Cold calls")
    log = entries(world.bob)
    assert [e.pivot for e in log] == [second, first]
    entry = log[1]
    assert entry.kind == "pivot"
    assert entry.key_result == okrs.deploys and entry.objective == okrs.platform
    assert entry.team == world.platform and entry.author == world.bob.user
    assert entry.flags == [flag]
    assert [(c.old_target, c.new_target) for c in entry.target_changes] == [(10, 8)]
    assert entry.aftermath.value_at == 4


def test_the_aftermath_says_what_happened_to_the_measure_since(world, okrs):
    check_in(world, okrs.deploys, 4, 1)  # 25 %
    recorded = pivot(world.bob, okrs.deploys)
    Pivot.objects.filter(pk=recorded.pk).update(created_at=day(2))
    for n, value in ((3, 5), (4, 6), (5, 7)):
        check_in(world, okrs.deploys, value, n)
    after = pivot_aftermath([recorded])[recorded.pk]
    assert (after.value_at, after.value_now) == (4, 7)
    assert after.progress_at == pytest.approx(0.25)
    assert after.progress_now == pytest.approx(0.625)
    assert after.checkins_since == 3
    assert after.points == 38


def test_a_private_objectives_pivots_stay_with_its_team_and_admins(world, okrs):
    secret = services.objective_create(
        member=world.alice,
        cycle_id=okrs.year.pk,
        owner_team_id=world.root.pk,
        title="Buy a competitor",
        visibility="private",
        key_results=[{"title": "Signed term sheets", "start_value": 0, "target_value": 1}],
    )
    hidden = pivot(world.alice, secret.key_results.get(), tried="Talked to Initech")
    pivot(world.bob, okrs.deploys)
    assert hidden.pk in [e.pivot_id for e in entries(world.alice)]
    for member in (world.bob, world.dave):
        assert hidden.pk not in [e.pivot_id for e in entries(member)]
        assert hidden.pk not in [e.pivot_id for e in entries(member, query="Initech")]
        with pytest.raises(Http404):
            pivot_get_for_member(member, hidden.pk)
    with pytest.raises(Http404):
        pivot_get_for_member(world.charlie, hidden.pk)


def test_the_outsider_sees_nothing_of_acme_in_the_log(world, okrs):
    pivot(world.bob, okrs.deploys)
    assert entries(world.charlie) == []


def test_the_log_searches_texts_and_titles_case_insensitively(world, okrs):
    pivot(world.bob, okrs.deploys)
    pivot(
        world.bob,
        okrs.incidents,
        tried="Paging rota",
        learned="Alerts were noisy",
        next_step="Mute",
    )
    pivot(
        world.alice, okrs.revenue, tried="Cold calls", learned="Slow", next_step="Partner channel"
    )

    def found(query: str) -> list[str]:
        return [e.key_result.title for e in entries(world.bob, query=query)]

    assert found("CANARY") == ["Deploys a week"]
    assert found("noisy alerts") == ["Incidents a month"]  # every word, anywhere
    assert found("partner") == ["Revenue from mid-sized shippers"]
    assert found("incidents a month") == ["Incidents a month"]  # the key result's title
    assert sorted(found("ship")) == [
        "Deploys a week",
        "Incidents a month",
        "Revenue from mid-sized shippers",
    ]
    assert found("nothing like this") == []


def test_a_team_log_includes_its_sub_teams_and_not_its_parent(world, okrs):
    squad = TeamFactory(
        organisation=world.acme, name="Deploy squad", slug="squad", parent=world.platform
    )
    squad_objective = services.objective_create(
        member=world.alice,
        cycle_id=okrs.quarter.pk,
        owner_team_id=squad.pk,
        title="Faster pipelines",
        key_results=[
            {"title": "Build minutes", "kind": "decrease", "start_value": 20, "target_value": 5}
        ],
    )
    on_squad = pivot(world.alice, squad_objective.key_results.get())
    on_platform = pivot(world.bob, okrs.deploys)
    on_root = pivot(world.alice, okrs.revenue)
    ids = lambda team: [e.pivot_id for e in entries(world.alice, team=team)]  # noqa: E731
    assert ids(world.platform) == [on_platform.pk, on_squad.pk]
    assert ids(squad) == [on_squad.pk]
    assert ids(world.root) == [on_root.pk, on_platform.pk, on_squad.pk]
    assert ids(None) == [on_root.pk, on_platform.pk, on_squad.pk]


def test_the_log_filters_by_cycle(world, okrs):
    on_quarter = pivot(world.bob, okrs.deploys)
    on_year = pivot(world.alice, okrs.revenue)
    assert [e.pivot_id for e in entries(world.alice, cycle=okrs.quarter)] == [on_quarter.pk]
    assert [e.pivot_id for e in entries(world.alice, cycle=okrs.year.pk)] == [on_year.pk]


def test_closed_objectives_retrospectives_join_the_log(world, okrs):
    pivot(world.bob, okrs.deploys)
    Objective.objects.filter(pk=okrs.company.pk).update(
        status=ObjectiveStatus.CLOSED,
        retro_went_well="Two partners signed",
        retro_learned="Mid-market buyers want references first",
        retro_next="Collect references early",
    )
    # Not closed yet: its retrospective is a draft.
    Objective.objects.filter(pk=okrs.platform.pk).update(retro_learned="Draft, not shown")
    log = entries(world.bob)
    retros = [e for e in log if e.kind == "retrospective"]
    assert len(retros) == 1 and len(log) == 2
    retro = retros[0]
    assert retro.objective == okrs.company and retro.team == world.root
    assert retro.learned == "Mid-market buyers want references first"
    assert (
        retro.went_well == "Two partners signed" and retro.next_step == "Collect references early"
    )
    assert retro.key_result is None and retro.author is None
    assert [e.kind for e in entries(world.bob, query="references")] == ["retrospective"]
    assert entries(world.bob, team=world.platform)[0].kind == "pivot"
    assert len(entries(world.bob, team=world.platform)) == 1


def test_the_log_pages_across_pivots_and_retrospectives(world, okrs):
    for n in range(5):
        recorded = pivot(world.bob, okrs.deploys, tried=f"Attempt {n}")
        Pivot.objects.filter(pk=recorded.pk).update(created_at=day(2 * n))
    Objective.objects.filter(pk=okrs.company.pk).update(
        status=ObjectiveStatus.CLOSED, retro_learned="References first"
    )
    Cycle.objects.filter(pk=okrs.year.pk).update(closed_at=day(5))
    log = learning_log(world.bob)
    assert len(log) == 6
    pages = Paginator(log, 4)
    first, second = pages.page(1), pages.page(2)
    order = [e.tried or e.kind for e in [*first, *second]]
    assert order == [
        "Attempt 4",
        "Attempt 3",
        "retrospective",
        "Attempt 2",
        "Attempt 1",
        "Attempt 0",
    ]


def many_pivots(world: Any, okrs: Any, count: int) -> None:
    for n in range(count):
        flag = flag_on(okrs.deploys, kind=FlagKind.OVERDUE, resolved_at=timezone.now())
        pivot(
            world.bob,
            okrs.deploys if n % 2 else okrs.incidents,
            tried=f"Attempt {n}",
            flag_id=flag.pk if n % 2 else None,
            start_initiatives=[f"Work {n}"],
        )
        services.key_result_target_change(
            member=world.bob, key_result_id=okrs.deploys.pk, new_target=10 + n + 1, reason="More"
        )
        check_in(world, okrs.deploys, 3 + n % 5)


def log_queries(member: Any, **filters: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        page = Paginator(learning_log(member, **filters), 20).get_page(1)
        shown = list(page)
        for entry in shown:
            _ = (entry.key_result.title, entry.objective.cycle.name, entry.author, entry.team)
            _ = (entry.flags, entry.target_changes, entry.aftermath.points)
    return len(captured), len(shown)


def test_the_log_runs_the_same_queries_for_3_and_30_pivots(world, okrs):
    many_pivots(world, okrs, 3)
    small = log_queries(world.bob), log_queries(world.bob, team=world.platform, query="attempt")
    many_pivots(world, okrs, 27)
    large = log_queries(world.bob), log_queries(world.bob, team=world.platform, query="attempt")
    assert [q for q, _ in small] == [q for q, _ in large]
    assert [n for _, n in small] == [3, 3] and [n for _, n in large] == [20, 20]


def test_the_objective_page_reads_every_key_results_pivots_in_one_query(world, okrs):
    for n in range(5):
        pivot(world.bob, okrs.deploys, tried=f"Attempt {n}")
    pivot(world.bob, okrs.incidents)
    with CaptureQueriesContext(connection) as captured:
        found = pivots_by_key_result(okrs.platform)
        _ = [p.author for item in found.values() for p in item.latest]
    assert len(captured) == 1
    assert found[okrs.deploys.pk].count == 5
    assert [p.tried for p in found[okrs.deploys.pk].latest] == [
        "Attempt 4",
        "Attempt 3",
        "Attempt 2",
    ]
    assert found[okrs.incidents.pk].count == 1
