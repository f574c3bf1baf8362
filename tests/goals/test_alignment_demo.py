"""The demo shows alignment's stories: a bubble, an orphan and a link to check."""

from __future__ import annotations

import datetime as dt

import pytest

from headway.accounts.models import Membership
from headway.demo.build import demo_build
from headway.demo.data import DEMO_LOGIN
from headway.goals.models import AlignmentLink, Cycle, Theme
from headway.goals.selectors_alignment import alignment_health
from headway.teams.models import Team

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def owner(db) -> Membership:  # type: ignore[no-untyped-def]
    organisation = demo_build(today=TODAY)
    return Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user__email=DEMO_LOGIN
    )


def test_people_and_finance_is_a_bubble_with_its_own_direction(owner: Membership) -> None:
    bubble = Team.objects.get(organisation=owner.organisation, slug="people-finance")
    assert bubble.is_bubble_root and "People & Finance sets its own" in bubble.strategy_statement
    themes = Theme.objects.filter(team=bubble).order_by("order")
    assert [t.title for t in themes] == [
        "Hire and keep great people",
        "Numbers every team can trust",
    ]
    for theme in themes:
        assert AlignmentLink.objects.filter(parent_theme=theme, kind="contributes").exists()


def test_the_bubble_connects_to_the_company_through_one_supporting_link(owner: Membership) -> None:
    link = AlignmentLink.objects.get(
        child__title="Hire the people the growth needs", kind="supports"
    )
    assert link.parent_objective.title == "Grow profitably with mid-sized shippers"


def test_health_finds_the_orphan_the_link_to_check_and_the_bubble(
    owner: Membership, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.HEADWAY_TEXT_ENGINE = "static"
    quarter = Cycle.objects.get(organisation=owner.organisation, name="2026 Q4")
    report = alignment_health(owner, quarter)
    found = {f.code: f for f in report.findings}
    assert [i.refs[0].title for i in found["orphans"].items] == ["Refresh our brand and website"]
    (check,) = found["links_to_check"].items
    assert [r.title for r in check.refs] == [
        "Organise the summer party",
        "Win mid-sized shippers in Benelux and Germany",
    ]
    assert found["duplicates"].count == 0
    (bubble,) = report.bubbles
    assert bubble.team.name == "People & Finance"
    # Hiring supports the company's growth objective, and onboarding builds on hiring.
    assert bubble.share.share == 1.0 and bubble.connection.both == 2


def test_building_the_demo_again_changes_nothing(owner: Membership) -> None:
    counts = (Theme.objects.count(), AlignmentLink.objects.count())
    demo_build(today=TODAY)
    assert (Theme.objects.count(), AlignmentLink.objects.count()) == counts
