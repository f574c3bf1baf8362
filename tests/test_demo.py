"""The demo organisation is a believable company of the promised shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from headway.accounts.models import Membership, Role
from headway.demo import build, okrs, past
from headway.demo.build import demo_build
from headway.demo.surveys import DEPARTMENTS, demo_surveys
from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_analysis import GroupView, survey_comparison, survey_report
from headway.discovery.selectors_survey import survey_status
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
    # And Tracking's one pivot in the closed quarter, which its pilot phase counts.
    assert Pivot.objects.count() == len(okrs.PIVOTS) + 1
    assert Pivot.objects.filter(key_result__title=past.PAST_PIVOT[0]).count() == 1


def test_the_demo_has_a_closed_previous_quarter_with_scores_and_retrospectives(db):
    """… and its pilot phase, measured over that quarter, is ready to expand; Ava's
    briefs under two lenses read differently (one build for both)."""
    from headway.goals.models import KeyResult, Objective

    organisation = demo_build(today=dt.date(2026, 11, 29))
    _the_pilot_is_ready_to_expand_and_avas_briefs_differ(organisation)
    quarter = Cycle.objects.get(name="2026 Q3")
    assert quarter.status == CycleStatus.CLOSED and quarter.closed_at is not None
    objectives = Objective.objects.filter(cycle=quarter)
    assert objectives.count() == len(past.PAST_OBJECTIVES)
    assert all(o.status == "closed" and o.retro_learned for o in objectives)
    overridden = KeyResult.objects.get(objective__cycle=quarter, score_override__isnull=False)
    assert (overridden.title, overridden.score_override) == past.OVERRIDE[:2]
    assert overridden.score_reason


def _the_pilot_is_ready_to_expand_and_avas_briefs_differ(organisation) -> None:
    from headway.demo.rollout import PILOT_TEAMS, PLAN_TITLE
    from headway.insights.selectors_adoption import adoption_report, pilot_of_plan
    from headway.rollout.brief import leader_brief
    from headway.rollout.models import RolloutPlan
    from headway.rollout.selectors import plan_detail, plan_readiness

    ava = Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user__email="ava@tidewater.example"
    )
    plan = RolloutPlan.objects.get(organisation=organisation, title=PLAN_TITLE)
    rows = plan_readiness(ava, plan_detail(ava, plan.pk), today=dt.date(2026, 11, 29))
    pilot = rows[0]
    assert [r.phase.kind for r in rows] == ["pilot", "department", "organisation"]
    assert {t.slug for t in Team.objects.filter(pk__in=pilot.team_ids)} == set(PILOT_TEAMS)
    assert pilot.cycle.name == "2026 Q3" and pilot.ended
    assert pilot.ready and not pilot.missing
    assert all(status.met is True for status in pilot.criteria) and len(pilot.criteria) == 4
    # The pilot beside the rest, on the adoption page's report, with numbers on both sides.
    report = adoption_report(organisation, pilot.cycle, pilot_of_plan(organisation))
    assert report.pilot is not None and report.rest is not None
    assert report.pilot.adoption.checkin_rate == 1.0
    assert report.pilot.adoption.outcome_share > report.rest.adoption.outcome_share
    # Ava's lens is set in discovery; two lenses read differently.
    mine = leader_brief(ava, ava.pk, today=dt.date(2026, 11, 29))
    other = leader_brief(ava, ava.pk, "strategy_execution", today=dt.date(2026, 11, 29))
    assert (mine.lens.key, mine.lens_from, mine.problem_theirs) == ("alignment", "discovery", True)
    assert mine.sections[0].key == "alignment" and other.sections[0].key == "key_results"
    assert mine.headline.key != other.headline.key
    assert mine.headline_text != other.headline_text
    pilot_section = mine.section("pilot")
    assert pilot_section.sides and "Ready to expand" in pilot_section.lead
    assert {row.state for row in pilot_section.rows} == {"met"}
    purpose = mine.section("purpose")
    assert purpose.figures[0].enough and len(purpose.rows) == 4


def test_building_the_demo_twice_changes_nothing_the_second_time(db):
    from headway.goals.models import CheckIn, Pivot
    from headway.insights.models import Flag

    demo_build(today=dt.date(2026, 11, 29))
    counts = (CheckIn.objects.count(), Pivot.objects.count(), Flag.objects.count())
    surveys = dict(PurposeSurvey.objects.values_list("title", "token"))
    answers = set(PurposeAnswer.objects.values_list("pk", "survey_id", "text", "answered_on"))
    demo_build(today=dt.date(2026, 11, 29))
    assert (CheckIn.objects.count(), Pivot.objects.count(), Flag.objects.count()) == counts
    from headway.discovery.models import DiscoveryLeader, DiscoveryRecord
    from headway.rollout.models import RolloutPhase, RolloutPlan

    assert (RolloutPlan.objects.count(), RolloutPhase.objects.count()) == (1, 3)
    assert (DiscoveryRecord.objects.count(), DiscoveryLeader.objects.count()) == (1, 2)
    # The surveys keep their links and answers; only the analysis is run again.
    assert set(surveys) == {"Purpose survey, spring", "Purpose survey, autumn"}
    assert dict(PurposeSurvey.objects.values_list("title", "token")) == surveys
    assert (
        set(PurposeAnswer.objects.values_list("pk", "survey_id", "text", "answered_on")) == answers
    )
    assert all(s.analysis for s in PurposeSurvey.objects.all())


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


# --- the purpose surveys ----------------------------------------------------------------

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def surveys(db: None) -> tuple[Membership, PurposeSurvey, PurposeSurvey]:
    """The owner and the spring and autumn surveys, analysed.

    Only what the analyses read is built (the organisation with its strategy statement,
    the teams and the themes), not the whole demo: a tenth of the time. `demo_build`
    calling `demo_surveys` is covered by the build-twice test above.
    """
    owner = build._owner_membership()
    by_slug = build._teams(owner)
    build._themes(owner)
    demo_surveys(owner, by_slug, TODAY)
    spring = PurposeSurvey.objects.get(title="Purpose survey, spring")
    autumn = PurposeSurvey.objects.get(title="Purpose survey, autumn")
    return owner, spring, autumn


def _teams_of(report_teams: list[GroupView]) -> dict[str, GroupView]:
    return {group.name: group for group in report_teams}


def test_the_demo_has_a_spring_and_an_autumn_survey_closed_and_analysed(surveys) -> None:
    owner, spring, autumn = surveys
    assert 7 <= (TODAY - spring.opens_on).days / 30 <= 9  # about eight months ago
    assert autumn.closed_at is not None
    assert 21 <= (TODAY - autumn.closed_at.date()).days <= 28  # three to four weeks ago
    departments = {t.slug for t in Team.objects.filter(slug__in=DEPARTMENTS)}
    for survey in (spring, autumn):
        assert survey_status(survey, TODAY) == "closed"
        assert {t.slug for t in survey.teams.all()} == departments == set(DEPARTMENTS)
        days = set(survey.answers.values_list("answered_on", flat=True))
        assert survey.opens_on == min(days)
        assert max(days) <= survey.closed_at.date() <= survey.closes_on
        assert (survey.closed_at.date() - survey.opens_on).days == 13  # ran two weeks
        report = survey_report(owner, survey)
        assert report.state == "ready" and report.new_answers == 0 and report.measured
        assert {g.name for g in report.teams} == {
            "Operations",
            "People & Finance",
            "Product & Engineering",
            "Commercial",
        }


def test_the_autumn_survey_shows_each_department_its_own_picture(surveys) -> None:
    owner, _, autumn = surveys
    report = survey_report(owner, autumn)
    teams = _teams_of(report.teams)
    operations = teams["Operations"]
    people = teams["People & Finance"]
    product = teams["Product & Engineering"]
    indexes = {name: group.index for name, group in teams.items()}

    # Operations says the strategy in its own words, nearly all alike.
    assert max(indexes, key=indexes.__getitem__) == "Operations"
    assert operations.index >= 65
    assert operations.closeness >= 0.65 and operations.share_matching >= 0.8
    biggest = max(operations.clusters, key=lambda share: share.count)
    assert biggest.cluster is not None and biggest.share >= 0.9
    assert not operations.split

    # People & Finance describes its daily tasks.
    assert min(indexes, key=indexes.__getitem__) == "People & Finance"
    assert people.index <= 30 and people.share_matching <= 0.35

    # Product & Engineering is split: Operations' picture, and technology for its own sake.
    assert len(product.split) == 2
    assert biggest.cluster in product.split
    (technology,) = [c for c in product.split if c != biggest.cluster]
    assert {"code", "engineering"} & set(technology.words)
    assert technology.closeness < biggest.cluster.closeness


def test_the_comparison_shows_operations_found_the_strategy_since_spring(surveys) -> None:
    owner, spring, autumn = surveys
    rows = {row.name: row for row in survey_comparison(owner, spring, autumn)}
    assert set(rows) == {
        "All answers",
        "Operations",
        "People & Finance",
        "Product & Engineering",
        "Commercial",
    }
    assert rows["Operations"].index_change >= 20
    changes = {name: row.index_change for name, row in rows.items() if name != "All answers"}
    assert max(changes, key=changes.__getitem__) == "Operations"
    assert abs(changes["People & Finance"]) <= 10  # still describing its tasks
