"""Hostile text opened in Chromium (issue 12, point 5): every page a logged-in owner can
open, with markup in every user-writable text field (tests/security/hostile.py), runs
none of it: `window.__pwned` stays undefined, no dialog opens, and each field's text is
on screen as the characters the person typed.

The strict CSP would block an inline script even if a template printed one raw, so the
on-screen text is the check that escaping itself works; `__pwned` and dialogs check
that nothing got past both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Dialog, Page

from tests.security.hostile import FIELDS, PAYLOADS, SHORT, build, max_length
from tests.security.routes import fill, web_routes

pytestmark = pytest.mark.browser

ORDER = sorted(FIELDS)
# The page's text nodes (closed <details> included) and its form fields' values: markup
# a browser parsed as elements is in neither, only escaped text is.
TEXT = """document.body.textContent + "\\n" + Array.from(
    document.querySelectorAll("input, textarea"), (field) => field.value).join("\\n")"""
KINDS = list(PAYLOADS.values())


def rotating(key: str) -> str:
    """Each field gets one payload in turn, tagged with its number."""
    number = ORDER.index(key)
    text = f"{KINDS[number % len(KINDS)]}#{number}"
    return text if len(text) <= (max_length(key) or 10_000) else SHORT


def pages(hostile: Any) -> list[str]:
    """The web routes that answer the owner with an HTML page (others are downloads,
    POST-only actions or redirects)."""
    client = Client()
    client.force_login(hostile.world.alice.user)
    found = []
    for route in web_routes():
        path = fill(route, hostile.ids, None)
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append(path)
    return found


def test_no_page_runs_markup_from_any_field(
    page: Page, url: Callable[[str], str], transactional_db: None
) -> None:
    hostile = build(rotating)
    paths = pages(hostile)
    client = Client()
    client.force_login(hostile.world.alice.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url("/")}]
    )
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    shown: set[str] = set()
    for path in paths:
        page.goto(url(path), wait_until="load")
        page.wait_for_timeout(50)  # an image's onerror, an iframe's script
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        text = page.evaluate(TEXT)
        shown |= {key for key, value in hostile.values.items() if value in text}
    # The survey's public page, as a respondent sees it.
    public = fill(next(r for r in web_routes() if r.key == "survey-answer"), hostile.ids, None)
    page.context.clear_cookies()
    page.goto(url(public), wait_until="load")
    page.wait_for_timeout(50)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    text = page.evaluate(TEXT)
    shown |= {key for key, value in hostile.values.items() if value in text}

    assert dialogs == []
    assert len(paths) >= 70, paths
    missing = set(FIELDS) - shown
    assert not missing, f"never shown as text in the browser: {sorted(missing)}"
