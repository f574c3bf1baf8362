"""A purpose survey from start to report in a real browser: alice creates it on its page,
eleven people answer through the public link in a browser with no account (its cookies
cleared between people), alice closes it, a real `headway worker --batch` analyses it,
and the report page, waiting on its own, shows the purpose alignment index and the
clusters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from headway.discovery.models import PurposeAnswer, PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from tests.conftest import World
from tests.factories import PASSWORD, TeamFactory
from tests.support import headway
from tests.surveys import ON_STRATEGY, TASKS, with_strategy

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

TITLE = "Why we work, autumn"


def _answer(person: Page, link: str, team: str, text: str) -> None:
    """One person answers, in a browser that never logged in and keeps no cookie from
    the one before."""
    # Each person answers from an address of their own: the per-address limit of five
    # answers in ten minutes must not count all of them as 127.0.0.1.
    cache.clear()
    person.context.clear_cookies()
    person.goto(link)
    expect(person.get_by_text("Your answer is anonymous.")).to_be_visible()
    person.get_by_label("Your team (optional)").select_option(label=team)
    person.get_by_label("Your answer").fill(text)
    person.get_by_role("button", name="Send my answer").click()
    expect(person.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert settings.SESSION_COOKIE_NAME not in {c["name"] for c in person.context.cookies()}


def test_a_survey_answered_by_eleven_people_closed_analysed_and_reported(
    page: Page, browser: Browser, url: Callable[[str], str], world: World
) -> None:
    with_strategy(world.acme)
    TeamFactory(organisation=world.acme, name="Finance", slug="finance", parent=world.root)
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The survey, from its page, opening today for two weeks (the form's own dates).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Platform").check()
    page.get_by_label("Finance").check()
    # The date pickers show the form's dates (they stay empty unless the value is ISO).
    today = organisation_today(world.acme)
    expect(page.get_by_label("Opens on")).to_have_value(today.isoformat())
    expect(page.get_by_label("Last day")).to_have_value((today + dt.timedelta(days=13)).isoformat())
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    link = page.get_by_label("Share this link; it needs no account.").input_value()
    assert re.fullmatch(rf"{re.escape(url('/s/'))}\S+/", link), link

    answers = [("Platform", text) for text in ON_STRATEGY] + [("Finance", t) for t in TASKS]
    context = browser.new_context()
    try:
        person = context.new_page()
        person.set_default_timeout(TIMEOUT_MS)
        for team, text in answers:
            _answer(person, link, team, text)
    finally:
        context.close()
    page.reload()
    expect(page.locator("#survey-counts")).to_contain_text("11 answers in all.")

    # Closing queues the analysis; the report says it is running.
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.locator("#analysis-running")).to_contain_text("Analysis running")

    # The task worker alone (--no-scheduler): this journey needs no periodic job.
    worker = headway("worker", "--no-scheduler", "--batch", "--no-startup-delay")
    assert worker.returncode == 0, worker.stderr

    # The page polls and shows the result by itself, without a reload.
    expect(page.locator("#analysis-running")).to_have_count(0, timeout=15_000)
    expect(page.locator("#analysed-when")).to_contain_text("Analysed 11 answers")
    expect(page.locator("#overall-index")).to_have_text(re.compile(r"^\d{1,3}$"))
    clusters = page.locator("#report-clusters article.cluster")
    expect(clusters.first).to_be_visible()
    assert clusters.count() >= 2
    expect(page.locator("#report-clusters")).to_contain_text("payroll")
    expect(page.locator("#report-clusters")).to_contain_text("freight")

    survey = PurposeSurvey.objects.get(organisation=world.acme, title=TITLE)
    assert survey.closed_at is not None and survey.analysed_at is not None
    assert PurposeAnswer.objects.filter(survey=survey).count() == 11
    shown = int(page.locator("#overall-index").inner_text())
    assert 0 <= shown <= 100
