"""A purpose survey in a real browser: the owner shares the link, someone with no
account answers it anonymously, and the owner's count goes up by one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from headway.accounts.models import Membership, Role
from headway.discovery.models import PurposeAnswer
from headway.discovery.selectors_survey import organisation_today
from headway.discovery.services_survey import survey_create
from headway.teams.models import Team

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

COUNT = re.compile(r"^(\d+) answers? in all\.$")


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    # The live server shares this process's cache with the tests that ran before in it;
    # their answers from 127.0.0.1 must not use up this test's rate limit.
    cache.clear()


def _answer_count(page: Page) -> int:
    text = page.get_by_text(COUNT).inner_text()
    match = COUNT.match(text.strip())
    assert match, text
    return int(match.group(1))


def test_an_anonymous_answer_through_the_public_link_reaches_the_owners_count(
    page: Page, browser: Browser, url: Callable[[str], str], login: Callable[[], None], demo: Any
) -> None:
    owner = Membership.objects.get(organisation=demo, role=Role.OWNER)
    today = organisation_today(demo)
    departments = Team.objects.filter(organisation=demo, parent__slug="tidewater")
    survey = survey_create(
        member=owner,
        title="Purpose survey, now",
        team_ids=[team.pk for team in departments],
        opens_on=today,
        closes_on=today + dt.timedelta(days=13),
    )

    login()
    page.goto(url(f"/o/tidewater/surveys/{survey.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Purpose survey, now")
    link = page.get_by_label("Share this link; it needs no account.").input_value()
    assert link == url(f"/s/{survey.token}/")
    before = _answer_count(page)

    # Someone with no account, in a browser that never logged in.
    context = browser.new_context()
    try:
        anonymous = context.new_page()
        anonymous.set_default_timeout(TIMEOUT_MS)
        anonymous.goto(link)
        expect(anonymous.get_by_role("heading", level=1)).to_have_text(survey.question)
        expect(anonymous.get_by_text("Your answer is anonymous.")).to_be_visible()
        anonymous.get_by_label("Your team (optional)").select_option(label="Operations")
        anonymous.get_by_label("Your answer").fill("Getting freight to shippers on time.")
        anonymous.get_by_role("button", name="Send my answer").click()
        expect(anonymous.get_by_role("heading", name="Thank you!")).to_be_visible()
        assert settings.SESSION_COOKIE_NAME not in {c["name"] for c in context.cookies()}
    finally:
        context.close()

    page.reload()
    expect(page.get_by_text(COUNT)).to_have_text(re.compile(rf"^{before + 1} answers? in all"))

    # The answer holds its text, the team chosen and the day: nothing else.
    (stored,) = PurposeAnswer.objects.filter(survey=survey).values()
    assert stored == {
        "id": stored["id"],
        "survey_id": survey.pk,
        "team_id": Team.objects.get(organisation=demo, slug="operations").pk,
        "text": "Getting freight to shippers on time.",
        "answered_on": today,
    }
