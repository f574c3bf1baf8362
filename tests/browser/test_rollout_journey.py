"""A rollout plan and a leader brief in a real browser, as alice, the owner of Acme: from
the rollout page she makes a plan with the recommended layout and two pilot teams she
ticks herself, reads its three phases, then turns her own brief into a PDF of one or
two pages. Acme's tree and its first quarter of OKRs come from tests/rollout_tree.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from headway.rollout.models import PhaseTeam, RolloutPhase, RolloutPlan
from tests.browser.conftest import download_brief_pdf
from tests.conftest import World
from tests.factories import PASSWORD
from tests.rollout_tree import Tree, build_tree, okrs_in_q1

pytestmark = pytest.mark.browser

TITLE = "OKRs at Acme: Platform and Mobile first"


@pytest.fixture
def tree(world: World) -> Tree:
    """Acme's tree, with Platform's first quarter checked in for 10 weeks and a pivot."""
    tree = build_tree(world)
    okrs_in_q1(tree, weeks=10, pivot=True)
    return tree


def test_a_plan_with_the_default_layout_then_a_leader_brief_as_pdf(
    page: Page, url: Callable[[str], str], tree: Tree
) -> None:
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rollout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rollout")

    page.get_by_role("link", name="New rollout plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New rollout plan")
    page.get_by_label(re.compile(r"Pilot, then a department")).check()
    page.get_by_label("Title").fill(TITLE)
    pilots = page.locator("#id_pilot_teams")
    for box in pilots.get_by_role("checkbox").all():  # whatever is suggested, our own choice
        box.uncheck()
    pilots.get_by_label("Platform", exact=True).check()
    pilots.get_by_label("Mobile", exact=True).check()
    page.get_by_label("The pilot starts on").fill("2026-01-01")
    page.get_by_role("button", name="Create the plan").click()

    # The plan: a pilot of the two teams, their department, then everyone, each with
    # how long it is expected to take and its success criteria.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    phases = page.locator("#phases li.phase")
    expect(phases).to_have_count(3)
    expect(phases.nth(0)).to_contain_text("Pilot")
    expect(phases.nth(0)).to_contain_text("Platform")
    expect(phases.nth(0)).to_contain_text("Mobile")
    expect(phases.nth(1)).to_contain_text("Engineering")
    for n in range(3):
        expect(phases.nth(n)).to_contain_text("Expected to take")
        expect(phases.nth(n).get_by_role("table")).to_contain_text("Weekly check-in rate")
    plan = RolloutPlan.objects.get(organisation=tree.world.acme, title=TITLE)
    pilot = RolloutPhase.objects.filter(plan=plan).first()
    assert pilot is not None and pilot.starts_on.isoformat() == "2026-01-01"
    assert set(PhaseTeam.objects.filter(phase=pilot).values_list("team__name", flat=True)) == {
        "Platform",
        "Mobile",
    }

    # The brief, from the rollout page's link.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Rollout").click()
    page.get_by_role("link", name="Leader briefs").click()
    page.get_by_label("Leader").select_option(label="Alice")
    page.get_by_label("Lens").select_option("strategy_execution")
    page.get_by_role("button", name="Show the brief").click()
    expect(
        page.get_by_role("heading", name="Strategy execution: a brief for Alice", level=1)
    ).to_be_visible()
    expect(page.locator("#brief-pilot")).to_contain_text("Platform")

    download_brief_pdf(page, "brief-alice-strategy-execution.pdf")
