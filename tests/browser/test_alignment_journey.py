"""Alignment in a real browser, as the demo owner of Tidewater Freight: open the map,
open two levels below a theme's objective, then follow an objective's line of sight up
to its theme."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import watch_page

pytestmark = pytest.mark.browser

MAP = "/o/tidewater/alignment/"


def test_open_the_map_two_levels_down_and_follow_the_line_of_sight(
    page: Page, url: Callable[[str], str], login: Callable[[], None]
) -> None:
    problems = watch_page(page)
    login()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alignment").click()
    expect(page).to_have_url(url(MAP))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alignment map")

    # Strategy on top; the bubble tops its own subtree with its statement.
    theme = page.locator("section.map-theme", has_text="See every shipment, every minute")
    expect(theme).to_contain_text("Customers see their freight without calling us")
    expect(page.get_by_role("heading", name=re.compile("People & Finance"))).to_be_visible()
    expect(page.locator("#map-body")).to_contain_text("Refresh our brand and website")  # an orphan

    # Level two loads on demand, in place.
    freight = theme.locator("li.map-row", has_text="Customers see their freight").first
    expect(page.get_by_text("Make live tracking the default")).to_have_count(0)
    with page.expect_response(re.compile(r"/alignment/objectives/\d+/")) as answer:
        freight.locator("summary").first.click()
    assert answer.value.request.headers.get("hx-request") == "true"
    tracking = freight.locator("li.map-row", has_text="Make live tracking the default").first
    expect(tracking).to_be_visible()
    expect(tracking).to_contain_text("contributes")

    # Level three, below it.
    with page.expect_response(re.compile(r"/alignment/objectives/\d+/")):
        tracking.locator("summary").first.click()
    alerts = tracking.get_by_role("link", name="Proactive alerts before customers notice")
    expect(alerts).to_be_visible()
    expect(page).to_have_url(url(MAP))  # still the same page

    # Follow the line of sight from that objective up to its theme.
    alerts.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Proactive alerts before customers notice"
    )
    sight = page.locator("#line-of-sight")
    chain = sight.get_by_role("list", name="Chain to the theme See every shipment, every minute")
    expect(chain).to_contain_text("Make live tracking the default")
    expect(chain).to_contain_text("Customers see their freight without calling us")
    chain.get_by_role("link", name="Make live tracking the default").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make live tracking the default")
    page.locator("#line-of-sight").get_by_role(
        "link", name="See every shipment, every minute"
    ).first.click()
    expect(page).to_have_url(re.compile(r"/o/tidewater/alignment/#theme-\d+$"))
    expect(page.locator(page.url[page.url.index("#") :])).to_contain_text(
        "Customers see their freight without calling us"
    )
    assert problems == []
