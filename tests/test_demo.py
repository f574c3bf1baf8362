"""The demo organisation is a believable company of the promised shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from headway.accounts.models import Membership, Role
from headway.demo import okrs, past
from headway.demo.build import demo_build
from headway.goals.models import Cycle, CycleStatus, Theme
from headway.teams.models import Team, TeamMembership, TeamRole


def test_the_demo_has_four_levels_of_about_fifteen_teams_with_leads(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    teams = list(Team.objects.filter(organisation=organisation).with_tree_fields())
    assert 14 <= len(teams) <= 18
    assert max(t.tree_depth for t in teams) == 3  # four levels: 0..3
    leads = set(TeamMembership.objects.filter(role=TeamRole.LEAD).values_list("team_id", flat=True))
    assert leads == {t.pk for t in teams}


def test_the_demo_has_forty_named_people_in_every_role(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    assert members.count() == 40
    assert all(m.user.name and m.title for m in members)
    roles = Counter(m.role for m in members)
    assert roles[Role.OWNER] == 1 and roles[Role.ADMIN] >= 2 and roles[Role.VIEWER] >= 1


def test_the_demo_has_a_strategy_three_themes_and_this_years_cycles(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    assert organisation.strategy_statement
    assert Theme.objects.filter(organisation=organisation, team=None).count() == 3
    cycles = {c.name: c.status for c in Cycle.objects.filter(organisation=organisation)}
    assert cycles == {
        "2026": CycleStatus.ACTIVE,
        "2026 Q1": CycleStatus.CLOSED,
        "2026 Q2": CycleStatus.CLOSED,
        "2026 Q3": CycleStatus.CLOSED,
        "2026 Q4": CycleStatus.ACTIVE,
    }


def _demo_okrs():
    from headway.goals.models import KeyResult, Objective

    demo_build(today=dt.date(2026, 11, 29))
    return Objective.objects.all(), KeyResult.objects.select_related("objective__owner_team")


def test_every_level_has_objectives_aligned_up_to_the_themes(db):
    from headway.goals.models import AlignmentLink

    objectives, _ = _demo_okrs()
    assert objectives.count() >= 15
    depths = {t.pk: t.tree_depth for t in Team.objects.with_tree_fields()}
    assert {depths[o.owner_team_id] for o in objectives} == {0, 1, 2, 3}
    # All but one: "Refresh our brand and website" is aligned to nothing (an orphan).
    unaligned = [
        objective
        for objective in objectives
        if not AlignmentLink.objects.filter(child=objective, kind="contributes").exists()
    ]
    assert [o.title for o in unaligned] == ["Refresh our brand and website"]
    assert AlignmentLink.objects.filter(parent_theme__isnull=False).count() >= 3


def test_the_demo_tells_its_stories(db):
    from headway.goals.models import CheckIn
    from headway.goals.services import recompute_all

    _, key_results = _demo_okrs()
    # weekly since the quarter began; this week's check-in is left for the visitor
    days = sorted(
        {
            c.created_at.date()
            for c in CheckIn.objects.filter(key_result__objective__cycle__name="2026 Q4")
        }
    )
    assert len(days) == 7 and days[0] == dt.date(2026, 10, 5) and days[-1] == dt.date(2026, 11, 16)
    over = [kr for kr in key_results if (kr.progress_raw or 0) > 1.1]
    watermelons = [kr for kr in key_results if kr.confidence >= 8 and kr.progress < 0.25]
    stalled = [
        kr
        for kr in key_results
        if len({c.value for c in kr.checkins.order_by("-created_at")[:4]}) == 1
        and kr.kind == "increase"
    ]
    pivots = CheckIn.objects.filter(note__startswith="Changed approach")
    breaches = CheckIn.objects.filter(key_result__kind="maintain", note__startswith="Breached")
    assert over and watermelons and stalled and pivots.exists() and breaches.exists()
    breached_kr = breaches.first().key_result
    assert breached_kr.progress == 1.0  # breached once, then recovered
    assert recompute_all(write=False) == []


def test_the_demo_flags_its_stalled_watermelon_and_silent_key_results_and_not_the_healthy_ones(db):
    from headway.goals.models import KeyResult, Pivot
    from headway.insights.models import Flag

    demo_build(today=dt.date(2026, 11, 29))
    open_flags = {(f.key_result.title, f.kind) for f in Flag.objects.filter(resolved_at=None)}
    stories = {row[0]: row[6] for *_, rows in okrs.OBJECTIVES for row in rows}
    flagged = {title for title, _ in open_flags}
    assert {t for t, story in stories.items() if story == "stalled"} <= {
        t for t, kind in open_flags if kind == "stall"
    }
    assert {t for t, story in stories.items() if story == "watermelon"} <= {
        t for t, kind in open_flags if kind == "watermelon"
    }
    assert {t for t, story in stories.items() if story == "silent"} == {
        t for t, kind in open_flags if kind == "overdue"
    }
    healthy = {t for t, story in stories.items() if story in ("steady", "over", "recovered")}
    assert healthy and not healthy & flagged
    # Each recovered key result had a stall flag that a pivot answered, then resolved.
    for title in okrs.PIVOTS:
        assert stories[title] == "recovered"
        answered = Flag.objects.get(key_result__title=title, kind="stall")
        assert answered.resolved_at is not None and answered.pivot is not None
        assert answered.pivot.key_result == KeyResult.objects.get(title=title)
    assert Pivot.objects.count() == len(okrs.PIVOTS)


def test_the_demo_has_a_closed_previous_quarter_with_scores_and_retrospectives(db):
    from headway.goals.models import KeyResult, Objective

    demo_build(today=dt.date(2026, 11, 29))
    quarter = Cycle.objects.get(name="2026 Q3")
    assert quarter.status == CycleStatus.CLOSED and quarter.closed_at is not None
    objectives = Objective.objects.filter(cycle=quarter)
    assert objectives.count() == len(past.PAST_OBJECTIVES)
    assert all(o.status == "closed" and o.retro_learned for o in objectives)
    overridden = KeyResult.objects.get(objective__cycle=quarter, score_override__isnull=False)
    assert (overridden.title, overridden.score_override) == past.OVERRIDE[:2]
    assert overridden.score_reason


def test_building_the_demo_twice_changes_nothing_the_second_time(db):
    from headway.goals.models import CheckIn, Pivot
    from headway.insights.models import Flag

    demo_build(today=dt.date(2026, 11, 29))
    counts = (CheckIn.objects.count(), Pivot.objects.count(), Flag.objects.count())
    demo_build(today=dt.date(2026, 11, 29))
    assert (CheckIn.objects.count(), Pivot.objects.count(), Flag.objects.count()) == counts


def test_the_closed_quarter_reads_each_teams_confidence_as_the_demo_tells_it(db):
    from headway.demo.build_okrs import lead_of
    from headway.insights.selectors_calibration import calibration_for_team

    organisation = demo_build(today=dt.date(2026, 11, 29))
    owner = Membership.objects.get(organisation=organisation, role=Role.OWNER)
    quarter = Cycle.objects.get(name="2026 Q3")
    verdicts = {}
    for slug in ("commercial", "platform", "tracking", "tidewater"):
        team = Team.objects.get(slug=slug)
        # Each team's own lead reads it: a team's calibration is private to its people.
        verdicts[slug] = calibration_for_team(lead_of(team, owner), quarter, team).verdict
    assert verdicts == {
        "commercial": "optimistic",
        "platform": "sandbagging",
        "tracking": "calibrated",
        "tidewater": "calibrated",
    }
