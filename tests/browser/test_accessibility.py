"""Accessibility of every main page, as the demo owner of Tidewater Freight sees it.

Each main page passes axe-core with no serious or critical violation, has one main
landmark and one h1, and shows every status (badges, flags, confidence, pace, bands,
scores) in words or with an icon that has a text alternative, never by colour alone.
Keyboard users get a skip link, a visible focus on every stop (forms and the check-in
screen), and after an invalid submit the focus lands on the form's error summary.

The demo is built once for this module (and once for test_responsive.py, which reuses
the fixtures below): building it takes several seconds, and these tests only read it,
apart from one check-in whose row nothing else here looks at. The module's own live
server sees the committed demo; the database is flushed when the module ends, as
pytest-django's transactional tests do, so later tests start empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Generator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from headway.accounts.models import Membership, Organisation, Role
from headway.demo.build import demo_build
from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD
from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_survey import organisation_today
from headway.discovery.services_survey import survey_create
from headway.goals.models import Cycle, KeyResult, Objective, Pivot
from headway.rollout.models import RolloutPlan

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000

# The main pages, by the name the tests report. Their paths come from the URL
# configuration (reverse) with the demo's own objects; test_every_navigation_link_is_checked
# fails when the navigation or the account menu links to a page missing here.
MAIN_PAGES = (
    "login",
    "public survey",
    "my work",
    "check-in",
    "team check-in",
    "teams",
    "team",
    "objective",
    "new objective",
    "pivot",
    "strategy",
    "alignment map",
    "alignment health",
    "coach",
    "learning log",
    "needs attention",
    "adoption",
    "discovery",
    "rollout plans",
    "rollout plan",
    "leader brief",
    "surveys",
    "survey",
    "survey report",
    "cycles",
    "cycle close",
    "confidence",
    "people",
    "settings",
    "webhooks",
    "notifications",
    "api tokens",
    "import",
    "password change",
)
ANONYMOUS_PAGES = frozenset({"login", "public survey"})


@dataclasses.dataclass(frozen=True)
class DemoSite:
    url: str
    paths: dict[str, str]  # main page name -> path

    def at(self, name: str) -> str:
        return f"{self.url}{self.paths[name]}"


def _main_paths(organisation: Organisation, open_survey: PurposeSurvey) -> dict[str, str]:
    """Every main page's path, with objects of the demo that show it at its fullest."""
    org = organisation.slug
    objective = (
        Objective.objects.filter(
            organisation=organisation,
            cycle__status="active",
            owner_team__isnull=False,
            key_results__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    assert objective is not None and objective.owner_team is not None
    key_result = objective.key_results.order_by("pk").first()
    assert key_result is not None
    quarter = Cycle.objects.filter(
        organisation=organisation, status="active", kind="quarter"
    ).first()
    closed = (
        Cycle.objects.filter(organisation=organisation, status="closed")
        .order_by("-end_date")
        .first()
    )
    survey = (
        PurposeSurvey.objects.filter(organisation=organisation, analysed_at__isnull=False)
        .order_by("-closes_on")
        .first()
    )
    plan = RolloutPlan.objects.filter(organisation=organisation).first()
    assert quarter and closed and survey and plan
    team = objective.owner_team.slug

    def at(name: str, **kwargs: object) -> str:
        return reverse(name, kwargs={"org": org, **kwargs})

    paths = {
        "login": reverse("login"),
        "public survey": reverse("survey-answer", kwargs={"token": open_survey.token}),
        "my work": at("org-home"),
        "check-in": at("checkin"),
        "team check-in": at("team-checkin", slug=team),
        "teams": at("team-tree"),
        "team": at("team-detail", slug=team),
        "objective": at("objective-detail", objective_id=objective.pk),
        "new objective": at("objective-new"),
        "pivot": at("pivot-new", key_result_id=key_result.pk),
        "strategy": at("strategy"),
        "alignment map": at("alignment-map"),
        "alignment health": at("alignment-health"),
        "coach": at("coach-summary"),
        "learning log": at("learning-log"),
        "needs attention": at("attention"),
        "adoption": at("adoption"),
        "discovery": at("discovery"),
        "rollout plans": at("rollout"),
        "rollout plan": at("rollout-plan", plan_id=plan.pk),
        "leader brief": at("rollout-brief"),
        "surveys": at("surveys"),
        "survey": at("survey-detail", survey_id=survey.pk),
        "survey report": at("survey-report", survey_id=survey.pk),
        "cycles": at("cycles"),
        "cycle close": at("cycle-close", cycle_id=quarter.pk),
        "confidence": at("cycle-confidence", cycle_id=closed.pk),
        "people": at("people"),
        "settings": at("org-settings"),
        "webhooks": reverse("webhooks", kwargs={"org": org}),
        "notifications": at("notify-settings"),
        "api tokens": at("tokens"),
        "import": reverse("import", kwargs={"org": org}),
        "password change": reverse("password_change"),
    }
    assert set(paths) == set(MAIN_PAGES)
    return paths


@pytest.fixture(scope="module", name="demo_site")
def demo_site_fixture(
    django_db_setup: None, django_db_blocker: Any
) -> Generator[DemoSite, None, None]:
    """The demo, committed, behind this module's own live server; flushed at the end."""
    with django_db_blocker.unblock():
        organisation = demo_build()
        owner = Membership.objects.get(organisation=organisation, role=Role.OWNER)
        today = organisation_today(organisation)
        open_survey = survey_create(
            member=owner,
            title="Purpose survey, open now",
            opens_on=today,
            closes_on=today + dt.timedelta(days=13),
        )
        paths = _main_paths(organisation, open_survey)
        server = LiveServer("localhost:0")
        server._live_server_modified_settings.enable()
        try:
            yield DemoSite(url=server.url, paths=paths)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(name="transactional_db")
def demo_kept_between_tests(demo_site: DemoSite) -> None:
    """pytest-django's fixture, replaced in this module: the demo stays committed from one
    test to the next instead of being flushed after each (demo_site flushes at the end).
    By its name it still tells pytest-django that these tests need the test database."""


@pytest.fixture(autouse=True, name="_demo_database")
def demo_database(transactional_db: None) -> None:
    """Every test here reads the module's demo, through its live server or the ORM."""


@pytest.fixture(scope="module", name="owner_state")
def owner_state_fixture(demo_site: DemoSite, browser: Browser) -> dict[str, Any]:
    """The demo owner's logged-in cookies, so each test opens its page without logging in."""
    cache.clear()  # login rate limits left by earlier tests in this process
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(demo_site.at("login"))
        page.get_by_label("E-mail").fill(DEMO_LOGIN)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(demo_site.at("my work"))
        return dict(context.storage_state())
    finally:
        context.close()


@pytest.fixture(name="browser_context_args")
def owner_context_args(
    browser_context_args: dict[str, Any], owner_state: dict[str, Any]
) -> dict[str, Any]:
    """Every page of this module opens logged in as the demo owner, on a laptop screen."""
    return {
        **browser_context_args,
        "storage_state": owner_state,
        "viewport": {"width": 1440, "height": 900},
    }


def open_page(page: Page, site: DemoSite, name: str) -> None:
    """Open a main page (logged out for the public ones) and wait for its HTMX parts."""
    if name in ANONYMOUS_PAGES:
        page.context.clear_cookies()
    response = page.goto(site.at(name))
    assert response is not None and response.status == 200, (name, response)
    settle(page)


def settle(page: Page) -> None:
    """Wait until parts loaded over HTMX after the page (hx-trigger="load") are in."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


# Every element that shows a status by colour (see app.css): each must also say it.
STATUS_SELECTOR = ", ".join(
    [
        ".badge",
        ".confidence",
        ".pace",
        ".kr-flag",
        ".finding",
        ".brief-state",
        ".map-row",
        ".attention-row",
        ".checkin-row.saved",
        ".timeline > .phase",
        "[class*='status-']",
        "[class*='band-']",
        "[class*='verdict-']",
        "[class*='severity-']",
        "[class*='score-']",
        "[class*='readiness-']",
        "[class*='delivery-']",
        "[class*='import-']",
    ]
)

# The text a screen reader gets from an element: aria-label, or its text without the
# parts hidden from assistive technology (decorative icons).
SPOKEN_TEXT_JS = """
(elements) => elements.map((el) => {
  const label = (el.getAttribute('aria-label') || '').trim();
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
  const text = el.getAttribute('aria-hidden') === 'true' ? '' : copy.textContent.trim();
  return {html: el.outerHTML.slice(0, 160), spoken: label || text};
})
"""


def status_without_words(page: Page) -> list[str]:
    statuses = page.locator(STATUS_SELECTOR).evaluate_all(SPOKEN_TEXT_JS)
    bars = page.locator("progress").evaluate_all(
        "(bars) => bars.map((bar) => ({html: bar.outerHTML.slice(0, 160),"
        " spoken: (bar.getAttribute('aria-label') || bar.labels?.[0]?.textContent || '').trim()}))"
    )
    return [item["html"] for item in [*statuses, *bars] if not item["spoken"]]


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations, each with the elements it found."""
    results = Axe().run(page).response
    problems = []
    for violation in results["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [" ".join(node["target"]) for node in violation["nodes"]]
            problems.append(
                f"{violation['impact']} {violation['id']}: {violation['help']} "
                f"({len(targets)} element(s): {'; '.join(targets[:10])})"
            )
    return problems


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_page_passes_axe_with_one_main_one_h1_and_statuses_in_words(
    page: Page, demo_site: DemoSite, name: str
) -> None:
    open_page(page, demo_site, name)
    problems = serious_violations(page)
    mains = page.locator("main, [role=main]").count()
    if mains != 1:
        problems.append(f"{mains} main landmarks (one expected)")
    h1s = page.locator("h1").count()
    if h1s != 1:
        problems.append(f"{h1s} h1 headings (one expected)")
    problems += [f"a status shown by colour only: {html}" for html in status_without_words(page)]
    assert not problems, f"{name} ({demo_site.paths[name]}):\n" + "\n".join(problems)


def test_every_navigation_link_is_checked(page: Page, demo_site: DemoSite) -> None:
    open_page(page, demo_site, "my work")
    links = page.locator("nav[aria-label=Main] a, .account a").evaluate_all(
        "(links) => links.map((a) => new URL(a.href).pathname)"
    )
    assert len(links) >= 15, links
    checked = set(demo_site.paths.values())
    assert set(links) - checked == set(), "add these pages to MAIN_PAGES"


VISIBLE_FOCUS_JS = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== 'none';
  const box = el.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
          (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 40),
    visible: outline || shadow,
    onScreen: box.width > 0 && box.height > 0,
    isBody: el === document.body,
  };
}
"""


def tab_through(page: Page, stops: int) -> list[dict[str, Any]]:
    """Press Tab up to `stops` times; what had the focus at each stop, until the focus
    leaves the page's last element (back to the body, then the browser's own controls)."""
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        stop = page.evaluate(VISIBLE_FOCUS_JS)
        if stop["isBody"]:
            break
        seen.append(stop)
    return seen


def test_the_skip_link_comes_first_and_jumps_to_the_main_content(
    page: Page, demo_site: DemoSite
) -> None:
    open_page(page, demo_site, "objective")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate(VISIBLE_FOCUS_JS)["visible"]
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the content, past the navigation's fifteen links.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("name", ["check-in", "new objective", "settings", "public survey"])
def test_every_keyboard_stop_shows_a_visible_focus(
    page: Page, demo_site: DemoSite, name: str
) -> None:
    open_page(page, demo_site, name)
    stops = tab_through(page, 40)
    assert len(stops) >= 3, stops
    hidden = [stop["what"] for stop in stops if not (stop["visible"] and stop["onScreen"])]
    assert hidden == [], f"focus not visible on {name}: {hidden}"


def test_a_key_result_is_checked_in_from_the_keyboard_alone(
    page: Page, demo_site: DemoSite
) -> None:
    open_page(page, demo_site, "check-in")
    first = page.locator(".checkin-form").first
    value = first.locator("input[name=value]:not([type=hidden])")
    # The first row's value has the focus as the screen opens: typing starts at once.
    expect(value).to_be_focused()
    kr_id = int(first.locator("input[name=key_result]").input_value())
    before = KeyResult.objects.get(pk=kr_id).checkins.count()
    page.keyboard.press("Space" if value.get_attribute("type") == "checkbox" else "4")
    page.keyboard.press("Tab")
    expect(first.locator("input[name=confidence]")).to_be_focused()
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("Measured from the keyboard")
    page.keyboard.press("Enter")
    saved = page.locator(f"#kr-{kr_id} .checkin-saved")
    expect(saved).to_be_focused()
    expect(saved).to_contain_text("saved")
    assert page.evaluate(VISIBLE_FOCUS_JS)["visible"]
    assert KeyResult.objects.get(pk=kr_id).checkins.count() == before + 1
    # The next Tab reaches the next row's first field, not the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.checkin-row') !== null")


def test_an_invalid_pivot_moves_the_focus_to_its_error_summary(
    page: Page, demo_site: DemoSite
) -> None:
    open_page(page, demo_site, "pivot")
    pivots = Pivot.objects.count()
    page.get_by_role("button", name="Record the pivot").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_contain_text("problem")
    assert page.evaluate(VISIBLE_FOCUS_JS)["visible"]
    tried = summary.get_by_role("link", name="What we tried")
    expect(tried).to_be_visible()
    assert Pivot.objects.count() == pivots  # nothing written

    # Each problem links to its field: Tab to it, Enter, and the field has the focus.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    tried.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("What we tried")).to_be_focused()


def test_a_failed_login_moves_the_focus_to_its_error_summary(
    page: Page, demo_site: DemoSite
) -> None:
    open_page(page, demo_site, "login")
    page.get_by_label("E-mail").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("do not match an account")
    assert page.evaluate(VISIBLE_FOCUS_JS)["visible"]
    cache.clear()  # the failed attempt must not count against later logins


def test_statuses_are_written_out_where_they_are_coloured(page: Page, demo_site: DemoSite) -> None:
    """The pages richest in statuses do show some, so the per-page check is not vacuous."""
    counts: dict[str, int] = {}
    for name in ("check-in", "objective", "alignment map", "needs attention", "rollout plan"):
        open_page(page, demo_site, name)
        counts[name] = page.locator(STATUS_SELECTOR).count()
        assert status_without_words(page) == [], name
    assert all(count > 0 for count in counts.values()), counts
