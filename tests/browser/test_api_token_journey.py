"""A personal API token in a real browser: alice creates one on its page, copies it from
the page through the clipboard, a script calls the live server's API with it and reads
her organisation, and once she revokes it the same call is refused."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from headway.accounts.models import ApiToken
from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The page reads back what Ctrl+C put on the clipboard.
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


def _call(address: str, token: str) -> tuple[int, dict[str, Any]]:
    """GET with the token, as a script would: the status and the JSON body."""
    request = urllib.request.Request(address, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def test_a_token_made_on_its_page_reads_the_api_until_it_is_revoked(
    page: Page, url: Callable[[str], str], world: World
) -> None:
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(url("/o/acme/"))

    page.locator("summary", has_text="Acme").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal API tokens")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    page.get_by_label("Token name").fill("weekly report script")
    page.get_by_role("button", name="Create token").click()

    shown = page.locator("#new-token")
    expect(page.get_by_role("status")).to_contain_text("Copy your new token now.")
    shown.select_text()
    page.keyboard.press("ControlOrMeta+C")
    token = page.evaluate("navigator.clipboard.readText()").strip()
    assert token == shown.inner_text().strip()
    assert re.fullmatch(r"hw_\S{20,}", token), token
    # Stored as alice's in Acme, by its hash: the token itself is nowhere in the row.
    (stored,) = ApiToken.objects.values()
    assert (stored["user_id"], stored["organisation_id"]) == (world.alice.user_id, world.acme.pk)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in stored.values()}

    status, organisation = _call(url("/api/v1/organisation"), token)
    assert status == 200
    assert (organisation["slug"], organisation["name"]) == ("acme", "Acme")
    status, teams = _call(url("/api/v1/teams"), token)
    assert status == 200
    assert {team["slug"] for team in teams["items"]} == {"acme", "platform"}

    # The page lists the token by its first characters only; revoking it ends it at once.
    row = page.get_by_role("row", name=re.compile("weekly report script"))
    expect(row).to_contain_text(token[:8])
    row.get_by_role("button", name="Revoke weekly report script").click()
    expect(page.get_by_role("status")).to_contain_text("Token weekly report script revoked.")
    expect(page.get_by_role("row", name=re.compile("weekly report script"))).to_contain_text(
        "revoked"
    )
    expect(page.locator("#new-token")).to_have_count(0)
    status, problem = _call(url("/api/v1/organisation"), token)
    assert status == 401
    assert "slug" not in problem
