"""The close review in a real browser: a score override and a retrospective saved inline
over HTMX (the page is never reloaded), then an admin closes the cycle after the
confirmation, and the scores stay, read-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from headway.accounts.models import Role
from headway.goals import services
from headway.goals.models import Cycle, CycleStatus, KeyResult, Objective
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


@pytest.fixture
def objective(transactional_db: None) -> Objective:
    """Bob's team objective in a quarter that ends today: deploys halfway, incidents not moved."""
    today = timezone.localdate()
    acme = OrganisationFactory(name="Acme", slug="acme")
    MembershipFactory(
        organisation=acme, user=UserFactory(email="alice@acme.test", name="Alice"), role=Role.OWNER
    )
    bob = MembershipFactory(
        organisation=acme, user=UserFactory(email="bob@acme.test", name="Bob"), role=Role.MEMBER
    )
    platform = TeamFactory(organisation=acme, name="Platform", slug="platform")
    TeamMembershipFactory(team=platform, user=bob.user)
    quarter = CycleFactory(
        organisation=acme,
        name="This quarter",
        start_date=today - dt.timedelta(days=90),
        end_date=today,
    )
    objective = services.objective_create(
        member=bob,
        cycle_id=quarter.pk,
        owner_team_id=platform.pk,
        title="Ship without fear",
        key_results=[
            {"title": "Deploys a week", "start_value": 2, "target_value": 10},
            {
                "title": "Incidents a month",
                "kind": "decrease",
                "start_value": 12,
                "target_value": 4,
            },
        ],
    )
    deploys = objective.key_results.get(title="Deploys a week")
    services.checkin_create(member=bob, key_result_id=deploys.pk, value=6, confidence=7)
    return objective


def _log_in(page: Page, url: Callable[[str], str], email: str) -> None:
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url("/o/acme/"))


def test_score_write_a_retrospective_and_close_the_cycle(
    page: Page, browser: Any, live_server: Any, objective: Objective
) -> None:
    url: Callable[[str], str] = lambda path: f"{live_server.url}{path}"  # noqa: E731
    violations = watch_page(page, failed_responses=False)
    _log_in(page, url, "bob@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="Close review of This quarter").click()
    close = url(f"/o/acme/cycles/{objective.cycle_id}/close/")
    expect(page).to_have_url(close)
    page.evaluate("window.__sameDocument = true")
    card = page.locator(f"#objective-{objective.pk}")
    expect(card.locator(".objective-score")).to_contain_text("Score 0.3")  # (0.5 + 0) / 2

    incidents = KeyResult.objects.get(objective=objective, title="Incidents a month")
    page.get_by_label("Override the score of Incidents a month").fill("0.5")
    page.get_by_role("button", name="Save the score of Incidents a month").click()
    expect(card.get_by_role("alert")).to_contain_text("Overrides without a reason are refused")
    page.get_by_label("Reason for the score of Incidents a month").fill("A quiet month, luckily")
    with page.expect_response(url(f"/o/acme/key-results/{incidents.pk}/score/")) as answer:
        page.get_by_role("button", name="Save the score of Incidents a month").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(card.get_by_role("status")).to_contain_text("Saved.")
    expect(card.locator(".objective-score")).to_contain_text("Score 0.5")  # (0.5 + 0.5) / 2

    page.get_by_label("What we learned").fill("Canary releases catch what tests miss.")
    with page.expect_response(url(f"/o/acme/objectives/{objective.pk}/retrospective/")):
        page.get_by_role("button", name="Save retrospective of Ship without fear").click()
    expect(card.get_by_role("status")).to_contain_text("Saved.")
    assert page.evaluate("window.__sameDocument") is True
    objective.refresh_from_db()
    assert objective.retro_learned == "Canary releases catch what tests miss."

    # alice closes the cycle after reading what closing means
    context = browser.new_context()
    admin = context.new_page()
    _log_in(admin, url, "alice@acme.test")
    admin.goto(close)
    admin.get_by_role("link", name="Close This quarter…").click()
    expect(admin.get_by_role("heading", name="Close This quarter?")).to_be_visible()
    expect(admin.locator("main")).to_contain_text("check-ins are closed")
    admin.get_by_role("button", name="Close This quarter").click()
    expect(admin).to_have_url(close)
    expect(admin.locator(".messages")).to_contain_text("This quarter is closed: 1 objective closed")
    expect(admin.locator(f"#objective-{objective.pk}")).to_contain_text(
        "Canary releases catch what tests miss."
    )
    expect(admin.locator("input[name=score]")).to_have_count(0)
    context.close()
    assert Cycle.objects.get(pk=objective.cycle_id).status == CycleStatus.CLOSED
    assert violations == []
