"""Journeys through the web shell in a real browser, as the demo owner of Tidewater Freight."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from headway.accounts.models import Membership, Role
from headway.teams import services as team_services
from headway.teams.models import Team
from tests.browser.conftest import watch_page

pytestmark = pytest.mark.browser

TEAMS = "/o/tidewater/teams/"
PEOPLE = "/o/tidewater/people/"


def test_create_a_team_from_the_team_tree(
    page: Page, url: Callable[[str], str], login: Callable[[], None]
) -> None:
    login()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page).to_have_url(url(TEAMS))
    tree = page.locator("#team-tree")
    expect(tree.get_by_role("link", name="Platform", exact=True)).to_be_visible()

    new_team = page.locator("#new-team")
    expect(new_team.get_by_role("heading", name="New team")).to_be_visible()
    new_team.get_by_label("Name:", exact=True).fill("Pricing Squad")
    new_team.get_by_label("Parent team").select_option(label="— — Platform")
    new_team.get_by_role("button", name="Create team").click()

    expect(page).to_have_url(url(TEAMS))
    expect(page.get_by_role("status")).to_contain_text("Team Pricing Squad created.")
    created = Team.objects.get(organisation__slug="tidewater", name="Pricing Squad")
    assert created.parent is not None
    assert created.parent.slug == "platform"
    # The tree opens three levels; Platform's sub-teams load on demand, in place.
    parent_row = tree.locator(f"#team-{created.parent_id}")
    row = tree.locator(f"#team-{created.pk}")
    expect(row).to_have_count(0)
    parent_row.get_by_role("link", name=re.compile("sub-team")).click()
    expect(page).to_have_url(url(TEAMS))
    expect(parent_row).to_contain_text("sub-teams shown below")
    expect(row).to_have_class(re.compile(r"\bdepth-3\b"))
    expect(parent_row).to_have_class(re.compile(r"\bdepth-2\b"))
    names = tree.locator("li > a").all_inner_texts()
    position = names.index("Pricing Squad")
    assert names.index("Platform") < position < names.index("Tracking"), names

    row.get_by_role("link", name="Pricing Squad").click()
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb).to_contain_text("Platform")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing Squad")


def test_moving_a_team_under_itself_is_refused_and_an_empty_team_can_be_deleted(
    page: Page, url: Callable[[str], str], login: Callable[[], None], demo: Any
) -> None:
    owner = Membership.objects.get(organisation=demo, role=Role.OWNER)
    commercial = Team.objects.get(organisation=demo, slug="commercial")
    team_services.team_create(
        member=owner, name="Pricing", slug="pricing", description="", parent_id=commercial.pk
    )
    login()

    page.goto(url(f"{TEAMS}product-engineering/"))
    move_form = page.locator("form", has=page.get_by_role("button", name="Move team"))
    move_form.get_by_label("Parent team").select_option(label="— — Platform")
    move_form.get_by_role("button", name="Move team").click()

    error = move_form.locator("#id_parent_error")
    expect(error).to_have_text(
        "Platform is inside Product & Engineering: a team cannot move under itself."
    )
    expect(error).to_have_attribute("role", "alert")
    expect(move_form.locator(".field.has-error")).to_have_count(1)
    product = Team.objects.get(organisation=demo, slug="product-engineering")
    assert product.parent is not None
    assert product.parent.slug == "tidewater"

    page.goto(url(f"{TEAMS}pricing/"))
    page.get_by_role("link", name="Delete Pricing…").click()
    expect(page).to_have_url(url(f"{TEAMS}pricing/delete/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Pricing?")
    page.get_by_role("button", name="Delete team").click()

    expect(page).to_have_url(url(TEAMS))
    expect(page.get_by_role("status")).to_contain_text("Team Pricing deleted.")
    expect(
        page.locator("#team-tree").get_by_role("link", name="Pricing", exact=True)
    ).to_have_count(0)
    assert not Team.objects.filter(organisation=demo, slug="pricing").exists()


def test_no_csp_violations_and_roles_change_in_place(
    page: Page, url: Callable[[str], str], login: Callable[[], None], demo: Any
) -> None:
    violations = watch_page(page, failed_responses=False)

    page.goto(url("/login/"))
    assert page.evaluate("typeof htmx") == "object"
    login()
    for path in (TEAMS, PEOPLE):
        page.goto(url(path))
        page.wait_for_load_state("load")
        assert page.evaluate("typeof htmx") == "object", path

    lena = Membership.objects.get(organisation=demo, user__email="lena.fischer@tidewater.example")
    assert lena.role == Role.VIEWER
    row = page.locator(f"#member-{lena.pk}")
    expect(row.get_by_label("Role of Lena Fischer")).to_have_value("viewer")

    # A marker on window survives an HTMX swap but not a page load.
    page.evaluate("window.__sameDocument = true")
    row.get_by_label("Role of Lena Fischer").select_option("member")
    with page.expect_response(re.compile(rf"/people/{lena.pk}/role/$")) as response_info:
        row.get_by_role("button", name="Change").click()
    response = response_info.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    expect(page.locator(f"#member-{lena.pk}").get_by_label("Role of Lena Fischer")).to_have_value(
        "member"
    )
    expect(page).to_have_url(url(PEOPLE))
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#members tbody tr")).to_have_count(
        Membership.objects.filter(organisation=demo).count()
    )
    expect(page.locator(f"#member-{lena.pk}")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_count(0)
    lena.refresh_from_db()
    assert lena.role == Role.MEMBER

    assert violations == []
