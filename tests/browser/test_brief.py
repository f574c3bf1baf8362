"""A leader brief in a real browser: the owner chooses a leader and a lens, reads the
brief, and downloads its PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import download_brief_pdf

pytestmark = pytest.mark.browser


def test_the_owner_generates_a_brief_and_downloads_its_pdf(
    page: Page, url: Callable[[str], str], login: Callable[[], None], demo: Any
) -> None:
    login()
    page.goto(url("/o/tidewater/rollout/"))
    page.get_by_role("link", name="Leader briefs").click()
    page.get_by_label("Leader").select_option(label="Ava Okafor (Chief Executive)")
    page.get_by_label("Lens").select_option("strategy_execution")
    page.get_by_role("button", name="Show the brief").click()
    expect(
        page.get_by_role("heading", name="Strategy execution: a brief for Ava Okafor")
    ).to_be_visible()
    expect(page.locator("#brief-headline")).to_contain_text("Key results that moved")
    expect(page.locator("#brief-pilot")).to_contain_text("Ready to expand")
    download_brief_pdf(page, "brief-ava-okafor-strategy-execution.pdf")
