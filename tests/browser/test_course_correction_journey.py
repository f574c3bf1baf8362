"""Course correction in a real browser, as bob of team Platform: from a stall flag on
the team's needs-attention page, record a pivot with the keyboard-reachable form, land
back on the list with the flag answered, and find the pivot in the team's learning
log, by its search box too. Then the forecast under a key result on its objective's
page, in words and as the chart's band.

The data are built through the services (tests/flagged.py) and the flags raised by
`flags_refresh`, as the worker would."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from headway.goals import services
from headway.goals.models import KeyResult, Objective, Pivot
from headway.insights.models import Flag, FlagKind
from headway.insights.services import flags_refresh
from tests.browser.conftest import watch_page
from tests.conftest import World
from tests.factories import PASSWORD
from tests.flagged import Flagged, build, check_in, measure, running_cycle

pytestmark = pytest.mark.browser

TEAM = "/o/acme/teams/platform/"
ATTENTION = f"{TEAM}attention/"
LEARNING = f"{TEAM}learning/"

TRIED = "A weekly digest e-mail nudging people to ship"
LEARNED = "Shippers ignore the digest; a nudge in the pull request works better"
NEXT_STEP = "Post the nudge as a bot comment on every open pull request"


@pytest.fixture
def flagged(world: World) -> Flagged:
    """Platform's "Ship without fear" with a stalled, a watermelon and an overdue key
    result, their flags raised by the analysis."""
    data = build(world)
    flags_refresh(world.acme)
    return data


@pytest.fixture
def problems(page: Page) -> list[str]:
    """What a journey must not produce: console errors (CSP violations are among them),
    uncaught exceptions, failed requests."""
    return watch_page(page, console_errors=True)


def _log_in_as_bob(page: Page, url: Callable[[str], str]) -> None:
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("bob@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url("/o/acme/"))


def test_from_a_stall_flag_record_a_pivot_and_find_it_in_the_learning_log(
    page: Page, live_server: Any, flagged: Flagged, problems: list[str]
) -> None:
    url: Callable[[str], str] = lambda path: f"{live_server.url}{path}"  # noqa: E731
    stalled = flagged.stalled
    stall = Flag.objects.get(key_result=stalled, kind=FlagKind.STALL, resolved_at=None)
    # The reason carries the numbers: four check-ins at 10 of 0 → 100, 60 days of 100 gone.
    assert re.fullmatch(
        r"No movement in 3 check-ins over 2 weeks; 10% done, \d+% expected\.", stall.reason
    ), stall.reason

    _log_in_as_bob(page, url)
    page.goto(url(TEAM))
    page.get_by_role("link", name=re.compile(r"3 need attention")).click()
    expect(page).to_have_url(url(ATTENTION))
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform: needs attention")
    expect(page.get_by_role("status").first).to_have_text("3 open flags")

    # The stall's row says what is wrong, with its numbers, and offers the pivot.
    row = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Weekly active shippers")
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Stalled measure")
    expect(row.get_by_text(stall.reason)).to_be_visible()
    expect(row).not_to_contain_text("Pivot recorded")
    row.get_by_role("link", name="Record a pivot on Weekly active shippers").click()

    # The form names the key result and the flag it answers.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a pivot")
    answered = page.get_by_role("region", name="The flag this pivot answers")
    expect(answered).to_contain_text(stall.reason)
    expect(page.locator("main")).to_contain_text("On Weekly active shippers")

    # The three texts by their labels, one after the other with Tab.
    tried = page.get_by_label(re.compile(r"^What we tried"))
    learned = page.get_by_label(re.compile(r"^What we learned"))
    next_step = page.get_by_label(re.compile(r"^What we try next"))
    expect(learned).to_have_accessible_description(re.compile(r"^What the result taught you"))
    tried.focus()
    page.keyboard.type(TRIED)
    page.keyboard.press("Tab")
    expect(learned).to_be_focused()
    page.keyboard.type(LEARNED)
    page.keyboard.press("Tab")
    expect(next_step).to_be_focused()
    page.keyboard.type(NEXT_STEP)
    expect(tried).to_have_value(TRIED)
    page.get_by_role("button", name="Record the pivot").click()

    # Back on the list, the flag is answered and no longer offers a pivot.
    expect(page).to_have_url(url(ATTENTION))
    expect(
        page.get_by_role("status").filter(has_text="Pivot recorded on “Weekly active shippers”")
    ).to_contain_text(NEXT_STEP)
    row = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Weekly active shippers")
    )
    recorded = row.get_by_role("link", name=re.compile(r"^Pivot recorded \d{1,2} \w{3} \d{4}$"))
    expect(recorded).to_be_visible()
    expect(row.get_by_text(stall.reason)).to_be_visible()  # answered, not resolved
    expect(row.get_by_role("link", name="Record a pivot on Weekly active shippers")).to_have_count(
        0
    )

    pivot = Pivot.objects.get(key_result=stalled)
    assert (pivot.tried, pivot.learned, pivot.next_step) == (TRIED, LEARNED, NEXT_STEP)
    assert pivot.author_id == flagged.world.bob.user_id
    assert pivot.team_id == flagged.world.platform.pk
    stall.refresh_from_db()
    assert stall.pivot_id == pivot.pk

    # "Pivot recorded" leads to the pivot in the team's log.
    recorded.click()
    expect(page).to_have_url(url(f"{LEARNING}?q=Weekly%20active%20shippers#pivot-{pivot.pk}"))
    expect(page.get_by_role("article").filter(has_text=LEARNED)).to_be_visible()

    # The team's learning log, from the team's page.
    page.goto(url(TEAM))
    page.get_by_role("link", name="Learning log", exact=True).click()
    expect(page).to_have_url(url(LEARNING))
    expect(page.get_by_role("heading", level=1)).to_have_text("What Platform learned")
    entries = page.locator("#learning-entries")
    expect(entries.get_by_role("status")).to_have_text("1 entry")
    entry = page.get_by_role("article").filter(has_text=LEARNED)
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("heading")).to_have_text("pivot Weekly active shippers")
    for said in (TRIED, LEARNED, NEXT_STEP, "Ship without fear", "Platform", "Bob"):
        expect(entry).to_contain_text(said)
    expect(entry).to_contain_text(f"Answering the flag Stalled measure {stall.reason}")

    # The search box narrows the list in place as one types.
    search = page.get_by_role("searchbox", name="Search")
    with page.expect_response(re.compile(r"/learning/\?q=pull")) as answer:
        search.fill("pull")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(entries.get_by_role("status")).to_have_text("1 entry matching “pull”")
    expect(page.get_by_role("article").filter(has_text=LEARNED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/learning/\?q=pull"))

    with page.expect_response(re.compile(r"/learning/\?q=zyxwvut")):
        search.fill("zyxwvut")
    expect(entries.get_by_role("status")).to_have_text("0 entries matching “zyxwvut”")
    expect(entries).to_contain_text("Nothing matches; try other words or all cycles.")
    expect(page.get_by_role("article")).to_have_count(0)
    assert problems == []


@pytest.fixture
def forecast_objective(world: World) -> tuple[Objective, KeyResult]:
    """Platform's deploys, 0 → 100, climbing about 10 a week, unevenly, over five
    check-ins: enough for a forecast with some spread."""
    quarter = running_cycle(world.acme)
    objective = services.objective_create(
        member=world.bob,
        cycle_id=quarter.pk,
        owner_team_id=world.platform.pk,
        title="Ship without fear",
        key_results=[measure("Deploys a month", unit="deploys")],
    )
    deploys = objective.key_results.get()
    for value, days in ((8, 35), (21, 28), (24, 21), (39, 14), (41, 7)):
        check_in(world.bob, deploys, value, 7, days)
    return objective, deploys


def test_the_objective_page_shows_the_forecast_in_words_and_as_a_band(
    page: Page,
    live_server: Any,
    forecast_objective: tuple[Objective, KeyResult],
    problems: list[str],
) -> None:
    url: Callable[[str], str] = lambda path: f"{live_server.url}{path}"  # noqa: E731
    objective, deploys = forecast_objective
    _log_in_as_bob(page, url)
    page.goto(url(f"/o/acme/objectives/{objective.pk}/"))
    card = page.get_by_role("article", name=deploys.title)
    sentence = card.get_by_text(re.compile(r"^Forecast "))
    expect(sentence).to_be_visible()
    expect(sentence).to_have_text(
        re.compile(
            r"^Forecast \d+ deploys \(80%: \d+–\d+\), (over |under )?\d+% chance"
            r" of reaching 100 deploys$"
        )
    )
    chart = card.get_by_role("img", name=re.compile(r"^Deploys a month: value over the cycle"))
    expect(chart).to_be_visible()
    band = chart.locator(".chart-forecast-band")
    expect(band).to_have_count(1)
    expect(band).to_be_visible()
    assert problems == []
