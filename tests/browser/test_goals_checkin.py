"""The weekly check-in in a real browser: three key results checked in from the keyboard,
row by row over HTMX, and the objective's progress moves on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from headway.accounts.models import Role
from headway.goals import services
from headway.goals.models import CheckIn, KeyResult, Objective
from tests.browser.conftest import watch_page
from tests.factories import (
    PASSWORD,
    CycleFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

CHECKIN = "/o/acme/check-in/"


@pytest.fixture
def objective(transactional_db: None) -> Objective:
    """Bob's team objective in a running quarter: three numeric key results and a
    milestone, none checked in this week."""
    today = timezone.localdate()
    acme = OrganisationFactory(name="Acme", slug="acme")
    bob = MembershipFactory(
        organisation=acme, user=UserFactory(email="bob@acme.test", name="Bob"), role=Role.MEMBER
    )
    platform = TeamFactory(organisation=acme, name="Platform", slug="platform")
    TeamMembershipFactory(team=platform, user=bob.user)
    quarter = CycleFactory(
        organisation=acme,
        name="This quarter",
        start_date=today - dt.timedelta(days=45),
        end_date=today + dt.timedelta(days=45),
    )
    objective = services.objective_create(
        member=bob,
        cycle_id=quarter.pk,
        owner_team_id=platform.pk,
        title="Ship without fear",
        key_results=[
            {"title": "Deploys a week", "start_value": 2, "target_value": 10, "unit": "deploys"},
            {
                "title": "Incidents a month",
                "kind": "decrease",
                "start_value": 12,
                "target_value": 4,
            },
            {"title": "Lead time", "kind": "decrease", "start_value": 10, "target_value": 2},
            {"title": "Runbook published", "kind": "milestone"},
        ],
    )
    return objective


def test_check_in_three_key_results_from_the_keyboard(
    page: Page, live_server: Any, objective: Objective
) -> None:
    url: Callable[[str], str] = lambda path: f"{live_server.url}{path}"  # noqa: E731
    violations = watch_page(page, failed_responses=False)
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("bob@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check-in").click()
    expect(page).to_have_url(url(CHECKIN))

    deploys, incidents, lead_time, _ = KeyResult.objects.filter(objective=objective).order_by(
        "order"
    )
    progress = page.locator(f"#objective-{objective.pk}-progress")
    expect(progress).to_contain_text("0%")
    page.evaluate("window.__sameDocument = true")

    # The first value has the focus; Tab goes value → confidence → note, Enter saves.
    rows = [
        (deploys, "6", "8", "canary releases"),
        (incidents, "8", "6", ""),
        (lead_time, "6", "7", ""),
    ]
    for n, (key_result, value, confidence, note) in enumerate(rows):
        if n:
            page.keyboard.press("Tab")  # from the saved row to the next row's value
        expect(page.locator(f"#kr-{key_result.pk}-value")).to_be_focused()
        page.keyboard.type(value)
        page.keyboard.press("Tab")
        expect(page.locator(f"#kr-{key_result.pk}-confidence")).to_be_focused()
        page.keyboard.press("Control+A")
        page.keyboard.type(confidence)
        page.keyboard.press("Tab")
        expect(page.locator(f"#kr-{key_result.pk}-note")).to_be_focused()
        page.keyboard.type(note)
        with page.expect_response(url(CHECKIN)) as answer:
            page.keyboard.press("Enter")
        assert answer.value.request.headers.get("hx-request") == "true"
        saved = page.locator(f"#kr-{key_result.pk}")
        expect(saved).to_have_class("checkin-row saved")
        expect(saved.get_by_role("status")).to_be_focused()

    # Each key result moved by half its way: the objective stands at 50% of three of four.
    expect(progress).to_contain_text("38%")
    assert page.evaluate("window.__sameDocument") is True
    assert CheckIn.objects.filter(key_result__objective=objective).count() == 3
    objective.refresh_from_db()
    assert objective.progress == pytest.approx(1.5 / 4)
    assert violations == []
