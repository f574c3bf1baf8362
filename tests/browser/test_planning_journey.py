"""Planning a quarter in a real browser, as alice, the owner of Acme, from an organisation
that has only its root team: add a strategic theme, create a team and a running cycle,
write an objective with three key results for the new team, align it to the theme, and
find it on its page, in its line of sight and on the alignment map under the theme."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from headway.goals.models import AlignmentLink, Cycle, Objective, Theme
from headway.teams.models import Team
from tests.browser.conftest import watch_page
from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

THEME = "Win the mid-market"
OBJECTIVE = "Mid-sized shippers choose us first"
KEY_RESULTS = [  # title, start, target
    ("Signed mid-market accounts", "4", "20"),
    ("Days from first call to contract", "45", "20"),
    ("Net revenue retention, %", "95", "110"),
]


def test_a_team_a_cycle_and_an_objective_with_three_key_results_aligned_to_a_theme(
    page: Page, url: Callable[[str], str], world: World
) -> None:
    # Not every console error: typing aborts the coach's pending hints on purpose.
    problems = watch_page(page)
    today = timezone.localdate()
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    menu = page.get_by_role("navigation", name="Main")

    # The strategy's theme.
    menu.get_by_role("link", name="Strategy").click()
    page.get_by_label("Title").fill(THEME)
    page.get_by_label("Description").fill("Mid-sized shippers are where we grow profitably.")
    page.get_by_role("button", name="Add theme").click()
    expect(page.get_by_role("status")).to_contain_text(f"Theme {THEME} added.")

    # A team under the root.
    menu.get_by_role("link", name="Teams").click()
    new_team = page.locator("#new-team")
    new_team.get_by_label("Name:", exact=True).fill("Growth")
    new_team.get_by_label("Parent team").select_option(label="Acme")
    new_team.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("status")).to_contain_text("Team Growth created.")

    # A quarter running today.
    menu.get_by_role("link", name="Cycles").click()
    one = page.locator("section", has=page.get_by_role("heading", name="One cycle"))
    one.get_by_label("Name").fill("This quarter")
    one.get_by_label("Kind").select_option("quarter")
    one.get_by_label("Start date").fill((today - dt.timedelta(days=20)).isoformat())
    one.get_by_label("End date").fill((today + dt.timedelta(days=70)).isoformat())
    one.get_by_label("Status").select_option("active")
    one.get_by_role("button", name="Create cycle").click()
    expect(page.get_by_role("status")).to_contain_text("Cycle This quarter created.")
    expect(page.locator("#cycles")).to_contain_text("This quarter")

    # The objective, from the home page's button, with three key results.
    menu.get_by_role("link", name="My work").click()
    page.get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New objective")
    page.get_by_label("Title").first.fill(OBJECTIVE)
    quarter = Cycle.objects.get(organisation=world.acme, name="This quarter")
    page.get_by_label("Cycle").select_option(str(quarter.pk))
    page.get_by_label("Owner:", exact=True).first.select_option(label="— Growth")
    for n, (title, start, target) in enumerate(KEY_RESULTS):
        if n >= 2:  # the third key result's fields start folded away
            page.locator("summary", has_text=f"Key result {n + 1}").click()
        fields = page.get_by_role("group", name=f"Key result {n + 1}", exact=True)
        fields.get_by_label("Title:", exact=True).fill(title)
        kind = "Decrease to a target" if float(target) < float(start) else "Increase to a target"
        fields.get_by_label(kind).check()
        fields.get_by_label("Start:", exact=True).fill(start)
        fields.get_by_label("Target:", exact=True).fill(target)
    page.get_by_role("button", name="Create objective").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(OBJECTIVE)
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Growth")
    for title, _, _ in KEY_RESULTS:
        expect(page.get_by_role("heading", name=title, level=3)).to_be_visible()
    alignment = page.locator("#alignment")
    expect(alignment).to_contain_text("Not aligned yet")

    # Align it to the theme.
    page.get_by_role("link", name="Align", exact=True).click()
    page.get_by_label("Aligns to").select_option(label=f"{THEME} (organisation)")
    page.get_by_role("radio", name=re.compile("Contributes")).check()
    page.get_by_role("button", name="Align").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OBJECTIVE)
    expect(alignment.get_by_role("listitem").filter(has_text=THEME)).to_contain_text("contributes")
    expect(page.locator("#line-of-sight")).to_contain_text(THEME)

    # What is stored is what was typed.
    objective = Objective.objects.get(organisation=world.acme, title=OBJECTIVE)
    growth = Team.objects.get(organisation=world.acme, name="Growth")
    cycle = Cycle.objects.get(organisation=world.acme, name="This quarter")
    assert growth.parent_id == world.root.pk
    assert (cycle.start_date, cycle.end_date, cycle.status) == (
        today - dt.timedelta(days=20),
        today + dt.timedelta(days=70),
        "active",
    )
    assert (objective.owner_team_id, objective.cycle_id) == (growth.pk, cycle.pk)
    stored = [
        (kr.title, kr.kind, kr.start_value, kr.target_value)
        for kr in objective.key_results.order_by("order")
    ]
    assert stored == [
        ("Signed mid-market accounts", "increase", 4, 20),
        ("Days from first call to contract", "decrease", 45, 20),
        ("Net revenue retention, %", "increase", 95, 110),
    ]
    (link,) = AlignmentLink.objects.filter(child=objective)
    assert (link.parent_theme_id, link.kind) == (
        Theme.objects.get(organisation=world.acme, title=THEME).pk,
        "contributes",
    )

    # The alignment map shows it under its theme.
    menu.get_by_role("link", name="Alignment").click()
    theme = page.locator("section.map-theme", has_text=THEME)
    expect(theme.get_by_role("link", name=OBJECTIVE)).to_be_visible()
    assert problems == [], problems
