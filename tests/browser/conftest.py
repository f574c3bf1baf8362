"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Run them with `pytest tests/browser` or `-m browser`; leave them out with `-m "not browser"`.
Each test builds the demo organisation itself, in a transactional database that the
live server's thread can see. A failing test leaves a screenshot of its page in
test-results/ (gitignored), named after the test and the database vendor.

pytest-playwright empties its --output folder at the start of every run; pyproject.toml
points that at test-results/playwright/ so the screenshots here survive the next run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import ConsoleMessage, Page, Response, expect
from playwright.sync_api import Error as PlaywrightError

from headway.demo.build import demo_build
from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD

# The live server runs in a thread while Playwright's sync API keeps an event loop
# running in the test's thread; ORM calls from the test would otherwise raise
# SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page, failing fast rather than after 30 s."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


@pytest.fixture
def demo(transactional_db: None) -> Any:
    """The demo organisation, Tidewater Freight, committed so the live server sees it."""
    return demo_build()


@pytest.fixture
def url(live_server: Any) -> Callable[[str], str]:
    """Absolute URL on the live server (an ephemeral port) for a path."""
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def login(page: Page, url: Callable[[str], str], demo: Any) -> Callable[[], None]:
    """Log in as the demo owner through the login form."""

    def _login() -> None:
        page.goto(url("/login/"))
        page.get_by_label("E-mail").fill(DEMO_LOGIN)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/o/tidewater/$"))

    return _login


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, Any]:
    """Save a screenshot of the page when a browser test fails, while the page is still open."""
    report = yield
    if report.when == "call" and report.failed:
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None and not page.is_closed():
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid).strip("-")
            path = SCREENSHOT_DIR / f"{name}-{connection.vendor}.png"
            try:
                page.screenshot(path=str(path), full_page=True, timeout=5_000)
            except PlaywrightError as error:
                report.sections.append(("screenshot", f"could not save a screenshot: {error}"))
            else:
                report.sections.append(("screenshot", str(path)))
    return report


def watch_page(
    page: Page, *, console_errors: bool = False, failed_responses: bool = True
) -> list[str]:
    """Collect what a journey must not meet: CSP violations and uncaught exceptions;
    answers of 400 and above (`failed_responses`); with `console_errors`, every console
    error and every request that failed (a journey that types while htmx requests are
    pending aborts some on purpose, so not by default)."""
    found: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or (
            console_errors and message.type == "error"
        ):
            where = message.location.get("url", "")
            found.append(f"console {message.type} on {page.url}: {message.text} ({where})")

    def response(answer: Response) -> None:
        if answer.status >= 400:
            found.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: found.append(f"page error on {page.url}: {error}"))
    if failed_responses:
        page.on("response", response)
    if console_errors:
        page.on("requestfailed", lambda request: found.append(f"failed: {request.url}"))
    return found


def download_brief_pdf(page: Page, filename: str) -> bytes:
    """Press the brief's "Download PDF" and check what arrives: the named file, a PDF
    of one or two A4 pages (the brief's promise)."""
    from tests.pdfpages import page_count

    with page.expect_download() as caught:
        page.get_by_role("link", name="Download PDF").click()
    download = caught.value
    assert download.suggested_filename == filename
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF") and 1 <= page_count(content) <= 2
    return content
