"""Leader briefs: every figure is the figure the data gives, from the leader's scope
only, framed by the lens recorded in discovery, with its sources linked.

The data is tests/adopted.py's Acme (today 25 November 2026, 2026 Q4 running, Q3
closed); bob leads Platform, so his scope is Platform and Data below it. The expected
figures are counted here from the rows themselves (or, for the coach's verdicts and
the check-in weeks, as adopted.py's docstring counts them by hand).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
from headway.goals import services
from headway.goals.models import (
    AlignmentLink,
    KeyResult,
    Objective,
    ObjectiveStatus,
    Pivot,
)
from headway.insights.selectors_adoption import adoption_of_teams
from headway.rollout.brief import LENS, LENSES, NOT_ENOUGH, Brief, leader_brief
from headway.rollout.services import plan_create
from headway.teams.models import Team, TeamMembership, TeamRole
from tests import adopted
from tests.adopted import TODAY, Adopted
from tests.conftest import World
from tests.factories import TeamFactory, TeamMembershipFactory

# The coach's verdicts on the Q4 key results (adopted.py's docstring).
OUTCOMES = {
    "Revenue from mid-sized shippers",
    "Churn rate",
    "Customer-reported incidents a month",
    "Dashboards used weekly by 30 people",
}
# Weeks due and done per Q4 key result by 25 November (adopted.py's docstring).
WEEKS = {
    "Revenue from mid-sized shippers": (8, 8),
    "Churn rate": (8, 4),
    "Deploys a week": (8, 8),
    "Launch the new deploy pipeline": (8, 2),
    "Customer-reported incidents a month": (8, 0),
    "Dashboards used weekly by 30 people": (3, 2),
}


@pytest.fixture
def acme(world: World) -> Adopted:
    found = adopted.build(world)
    TeamMembership.objects.filter(team=world.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )
    return found


def _pilot_plan(a: Adopted) -> None:
    plan_create(
        member=a.world.alice,
        title="Rollout",
        phases=[
            {
                "name": "Pilot: Platform",
                "kind": "pilot",
                "starts_on": a.q4.start_date,
                "ends_on": a.q4.end_date,
                "teams": [a.platform.pk],
            },
            {
                "name": "Everyone",
                "kind": "organisation",
                "starts_on": a.q4.end_date + dt.timedelta(days=1),
                "expected_weeks": 26,
                "teams": [{"team_id": a.root.pk, "with_subtree": True}],
            },
        ],
    )


def brief(a: Adopted, who: str = "alice", lens: str | None = None, asker: str = "alice") -> Brief:
    world = a.world
    return leader_brief(getattr(world, asker), getattr(world, who).pk, lens, today=TODAY)


# --- what the data says, counted here ------------------------------------------------------


def _reaches(objective: Objective, seen: frozenset[int] = frozenset()) -> bool:
    for link in AlignmentLink.objects.filter(child=objective):
        if link.parent_theme_id is not None:
            return True
        parent = link.parent_objective or link.parent_key_result.objective  # type: ignore[union-attr]
        if parent.pk not in seen and _reaches(parent, seen | {objective.pk}):
            return True
    return False


def expected_figures(a: Adopted, teams: set[int]) -> dict[str, Any]:
    """Every figure of a brief over `teams` in Q4 (and the pilot's, Platform's, when a
    plan is made), counted from the rows."""
    objectives = [
        o
        for o in Objective.objects.filter(cycle=a.q4, owner_team_id__in=teams)
        if o.status != ObjectiveStatus.DRAFT
    ]
    krs = [kr for o in objectives for kr in o.key_results.all() if kr.status == "active"]
    numeric = [
        kr
        for kr in krs
        if kr.kind in ("increase", "decrease") and None not in (kr.start_value, kr.target_value)
    ]
    moved = sorted(
        (kr for kr in numeric if (kr.progress or 0) > 0), key=lambda kr: (-kr.progress, kr.pk)
    )
    with_okrs = {
        o.owner_team_id for o in objectives if any(kr in krs for kr in o.key_results.all())
    }
    people = set(TeamMembership.objects.filter(team_id__in=teams).values_list("user_id", flat=True))
    owners = {
        kr.owner_id
        for kr in KeyResult.objects.filter(objective__cycle=a.q4, status="active").exclude(
            objective__status="draft"
        )
    }
    owners |= set(
        Objective.objects.filter(cycle=a.q4, owner_user__isnull=False)
        .exclude(status="draft")
        .values_list("owner_user_id", flat=True)
    )
    due = sum(WEEKS[kr.title][0] for kr in krs)
    done = sum(WEEKS[kr.title][1] for kr in krs)
    aligned = [o for o in objectives if _reaches(o)]
    orphans = [o for o in objectives if not AlignmentLink.objects.filter(child=o).exists()]
    outcomes = [kr for kr in krs if kr.title in OUTCOMES]
    pivots = [
        p
        for p in Pivot.objects.all()
        if p.team_id in teams and p.objective.cycle_id in (a.q3.pk, a.q4.pk)
    ]
    found: dict[str, Any] = {
        "key_results.moved": len(moved) if numeric else None,
        "alignment.aligned_share": len(aligned) / len(objectives),
        "alignment.orphans": len(orphans),
        "adoption.checkin_rate": done / due,
        "adoption.people_with_okrs": len(people & owners) / len(people),
        "adoption.teams_with_okrs": len(with_okrs) / len(teams),
        "focus.objectives_per_team": len(objectives) / len(with_okrs),
        "focus.key_results_per_objective": len(krs) / len(objectives),
        "focus.outcome_share": len(outcomes) / len(krs),
        "corrections.pivots": len(pivots),
        "purpose.index": None,  # no survey analysed
        f"trend.{a.q4.pk}.checkin_rate": done / due,
        f"trend.{a.q4.pk}.people_with_okrs": len(people & owners) / len(people),
        f"trend.{a.q4.pk}.aligned_share": len(aligned) / len(objectives),
    }
    for kr in moved[:5]:
        found |= {
            f"kr.{kr.pk}.start": kr.start_value,
            f"kr.{kr.pk}.now": kr.current_value,
            f"kr.{kr.pk}.progress": kr.progress,
        }
    for pivot in sorted(pivots, key=lambda p: (p.created_at, p.pk), reverse=True)[:3]:
        found |= {
            f"pivot.{pivot.pk}.before": pivot.progress_before,
            f"pivot.{pivot.pk}.now": pivot.key_result.progress,
        }
    return found


def pilot_figures(a: Adopted, teams: set[int]) -> dict[str, Any]:
    """Platform (the pilot) beside the rest of `teams` in Q4, and its criteria."""
    platform = {
        "checkin_rate": (8 + 2 + 0) / 24,
        "outcome_share": 1 / 3,  # incidents; deploys and the pipeline are outputs
        "aligned_share": 1 / 2,  # "Ship without fear" reaches the theme; "Fewer surprises" not
        "people_with_okrs": 1 / 2,  # bob, not frank (his key result is in a draft)
        "pivots": 1,
        "learnings": 1,
    }
    found = {f"pilot.side.{m}": v for m, v in platform.items()}
    found |= {
        f"pilot.criterion.{m}": platform[m]
        for m in ("checkin_rate", "outcome_share", "aligned_share", "pivots")
    }
    found |= {
        f"next.criterion.{m}": platform[m]
        for m in ("checkin_rate", "outcome_share", "aligned_share", "pivots")
    }
    found |= {"next.expected_weeks": 13, "next.teams": 1}
    rest = teams - {a.platform.pk}
    if rest == {a.data.pk}:  # bob's scope: Data alone
        found |= {
            "rest.side.checkin_rate": 2 / 3,
            "rest.side.outcome_share": None,  # one key result: not enough to say
            "rest.side.aligned_share": 1.0,
            "rest.side.people_with_okrs": 2 / 2,  # bob and gina
            "rest.side.pivots": 0,
            "rest.side.learnings": 0,
        }
    else:  # the rest of Acme: the root, Mobile and Data
        found |= {
            "rest.side.checkin_rate": (8 + 4 + 2) / 19,
            "rest.side.outcome_share": 3 / 3,
            "rest.side.aligned_share": 2 / 2,
            "rest.side.people_with_okrs": 4 / 4,  # alice, erin, bob, gina
            "rest.side.pivots": 0,
            "rest.side.learnings": 0,
        }
    return found


def _check(found: Brief, expected: dict[str, Any], a: Adopted, teams: set[int]) -> None:
    seen = set()
    for figure in found.figures():
        if figure.key.startswith(f"trend.{a.q3.pk}."):
            # The closed quarter through adoption's own reader, loading only that cycle.
            figures = adoption_of_teams(a.world.acme, teams, a.q3, TODAY)
            assert figure.value == getattr(figures, figure.key.rsplit(".", 1)[1]), figure
            continue
        assert figure.key in expected, f"{figure.key} is not counted by the test"
        want = expected[figure.key]
        if want is None:
            assert figure.value is None and figure.text == NOT_ENOUGH, figure
        else:
            assert figure.value == pytest.approx(want), figure
            assert figure.text != NOT_ENOUGH
        seen.add(figure.key)
    assert seen == set(expected) - {"pilot"}


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lens", LENSES)
def test_every_figure_of_the_owners_brief_is_the_figure_the_data_gives(
    acme: Adopted, lens: str
) -> None:
    _pilot_plan(acme)
    teams = set(Team.objects.filter(organisation=acme.world.acme).values_list("pk", flat=True))
    found = brief(acme, "alice", lens)
    assert found.scope.whole and found.scope.team_ids == teams
    expected = expected_figures(acme, teams) | pilot_figures(acme, teams)
    _check(found, expected, acme, teams)
    assert found.headline.key == LENS[lens].headline


def test_every_figure_of_a_team_leads_brief_is_the_figure_of_their_teams(acme: Adopted) -> None:
    _pilot_plan(acme)
    teams = {acme.platform.pk, acme.data.pk}
    found = brief(acme, "bob", "strategy_execution", asker="bob")
    assert not found.scope.whole and found.scope.team_ids == teams
    assert found.scope.label == "Platform and the teams below"
    _check(found, expected_figures(acme, teams) | pilot_figures(acme, teams), acme, teams)


def test_the_scope_leaves_out_the_teams_outside_the_leaders_subtree(acme: Adopted) -> None:
    found = brief(acme, "bob")
    outside = {acme.root.pk, acme.mobile.pk}
    krs = found.section("key_results").rows
    assert krs and all(row.meta in ("Platform", "Data") for row in krs)
    titles = {row.title for row in krs}
    assert not titles & {"Revenue from mid-sized shippers", "Churn rate"}
    assert not found.scope.team_ids & outside
    for row in found.section("corrections").rows + found.section("stories").rows:
        assert row.meta.split(" · ")[0] in ("Platform", "Data")
    assert "/teams/acme/" not in " ".join(found.links())


def test_the_lens_defaults_to_the_problem_recorded_in_discovery(acme: Adopted) -> None:
    world = acme.world
    record = DiscoveryRecord.objects.create(organisation=world.acme, team=acme.platform)
    DiscoveryLeader.objects.create(record=record, user=world.bob.user, name="Bob", problem="focus")
    found = brief(acme, "bob")
    assert (found.lens.key, found.lens_from) == ("focus", "discovery")
    assert [s.key for s in found.sections] == list(LENS["focus"].order)
    assert not found.problem_theirs and found.problem == LENS["focus"].question
    assert brief(acme, "bob", "alignment").sections[0].key == "alignment"


def test_other_reads_as_strategy_execution_and_still_opens_with_their_words(acme: Adopted) -> None:
    world = acme.world
    record = DiscoveryRecord.objects.create(organisation=world.acme)
    words = "Our board meetings are all about activity, never about outcomes."
    DiscoveryLeader.objects.create(
        record=record, user=world.alice.user, name="Alice", problem="other", problem_detail=words
    )
    found = brief(acme, "alice")
    assert (found.lens.key, found.lens_from) == ("strategy_execution", "default")
    assert found.problem == words and found.problem_theirs


def test_two_lenses_read_differently(acme: Adopted) -> None:
    alignment, engagement = brief(acme, lens="alignment"), brief(acme, lens="engagement")
    assert [s.key for s in alignment.sections] != [s.key for s in engagement.sections]
    assert alignment.headline.key == "alignment.aligned_share"
    assert engagement.headline.key == "adoption.checkin_rate"
    assert alignment.headline_text != engagement.headline_text
    assert alignment.sections[-1].key == engagement.sections[-1].key == "next_phase"


def test_it_refuses_a_leader_of_another_organisation_or_unknown(acme: Adopted) -> None:
    world = acme.world
    with pytest.raises(Http404):
        leader_brief(world.alice, world.charlie.pk, today=TODAY)
    with pytest.raises(Http404):
        leader_brief(world.alice, 999_999, today=TODAY)
    with pytest.raises(Http404):
        leader_brief(world.charlie, world.alice.pk, today=TODAY)


def test_only_admins_and_the_leader_themself_may_read_a_brief(acme: Adopted) -> None:
    world = acme.world
    assert brief(acme, "bob", asker="bob").leader == world.bob
    with pytest.raises(PermissionDenied):
        brief(acme, "alice", asker="bob")
    with pytest.raises(PermissionDenied):
        brief(acme, "bob", asker="dave")


def test_it_refuses_a_lens_that_does_not_exist_and_lists_the_five(acme: Adopted) -> None:
    with pytest.raises(ValidationError) as error:
        brief(acme, lens="vibes")
    message = " ".join(error.value.messages)
    assert all(lens in message for lens in LENSES)


def test_figures_without_enough_data_say_so_and_never_a_number(world: World) -> None:
    found = leader_brief(world.charlie, world.charlie.pk, "alignment")
    assert found.cycle is None
    assert not found.headline.enough and found.headline.text == NOT_ENOUGH
    assert "not enough data" in found.headline_text
    for figure in found.figures():
        assert figure.value is None or figure.value == 0, figure
        if figure.value is None:
            assert figure.text == NOT_ENOUGH
    assert found.section("pilot").empty and found.section("next_phase").empty


def test_a_criterion_without_enough_data_is_never_shown_as_met(acme: Adopted) -> None:
    plan_create(
        member=acme.world.alice,
        title="Mobile first",
        phases=[
            {
                "name": "Pilot: Mobile",
                "starts_on": acme.q4.start_date,
                "ends_on": acme.q4.end_date,
                "teams": [acme.mobile.pk],
            }
        ],
    )
    pilot = brief(acme).section("pilot")
    assert pilot.rows and {row.state for row in pilot.rows} == {"unknown"}
    assert all(row.figures[0].text == NOT_ENOUGH for row in pilot.rows)


def test_every_link_resolves_to_a_page_of_the_organisation(acme: Adopted) -> None:
    _pilot_plan(acme)
    for lens in ("alignment", "engagement"):
        found = brief(acme, lens=lens)
        links = found.links()
        assert len(links) > 10
        for link in links:
            path = urlparse(link).path
            match = resolve(path)
            assert match.kwargs.get("org") == "acme", link
        assert all(f.href for f in found.figures())


def _more_data(a: Adopted, teams: int) -> None:
    """More teams, each with an objective, two key results, check-ins and a pivot."""
    world = a.world
    for n in range(teams):
        team = TeamFactory(
            organisation=world.acme, name=f"Squad {n}", slug=f"squad-{n}", parent=a.platform
        )
        TeamMembershipFactory(team=team, user=world.bob.user)
        objective = services.objective_create(
            member=world.alice,
            cycle_id=a.q4.pk,
            owner_team_id=team.pk,
            title=f"Squad {n} ships",
            key_results=[
                {"title": f"Releases {n}", "start_value": 0, "target_value": 10},
                {"title": f"Defects {n}", "kind": "decrease", "start_value": 9, "target_value": 3},
            ],
        )
        for kr in objective.key_results.all():
            services.checkin_create(member=world.alice, key_result_id=kr.pk, value=5, confidence=6)
        services.pivot_record(
            member=world.alice,
            key_result_id=objective.key_results.first().pk,
            tried="More", learned="Less", next_step="Other",
        )  # fmt: skip


def test_a_brief_takes_the_same_number_of_queries_for_small_and_larger_data(acme: Adopted) -> None:
    _pilot_plan(acme)
    with CaptureQueriesContext(connection) as small:
        brief(acme, "bob", asker="bob")
    _more_data(acme, 12)
    with CaptureQueriesContext(connection) as large:
        found = brief(acme, "bob", asker="bob")
    assert len(found.scope.team_ids) == 14
    assert len(large) <= len(small) <= 40
