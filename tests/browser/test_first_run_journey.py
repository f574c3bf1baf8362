"""The first run of a fresh install, in a real browser: nobody has an account yet, the
login page says how to make the first one, the real `headway createuser` command makes
it with its organisation, and the new owner logs in (after one wrong password), finds
the empty home with its next step, and logs out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import global_settings
from playwright.sync_api import Page, expect

from headway.accounts.models import Membership, Organisation, Role, User
from tests.support import headway

pytestmark = pytest.mark.browser

EMAIL = "nora@harbour.example"
PASSWORD = "a long first password"


def _log_in(page: Page, password: str) -> None:
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def real_hashers(settings: Any) -> None:
    """The command hashes the password as a real install does; the live server must
    check it the same way, not with the suite's fast test hasher."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def test_the_first_visitor_is_told_how_to_make_the_first_account_then_logs_in_and_out(
    page: Page, url: Callable[[str], str], transactional_db: None, real_hashers: None
) -> None:
    assert not User.objects.exists()

    # Whatever the first visitor opens, they land on the login page, which says what to do.
    page.goto(url("/"))
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    first_run = page.locator("#first-run")
    expect(first_run).to_contain_text("No account exists yet.")
    expect(first_run).to_contain_text(
        'headway createuser --email you@example.com --org-name "Your organisation"'
    )

    # The operator runs the command the page shows, as a real process.
    created = headway(
        "createuser",
        "--email",
        EMAIL,
        "--name",
        "Nora Lind",
        "--password",
        PASSWORD,
        "--org-name",
        "Harbour Logistics",
    )
    assert created.returncode == 0, created.stderr
    assert "Created nora@harbour.example, owner of Harbour Logistics (harbour-logistics)." in (
        created.stdout
    )
    (membership,) = Membership.objects.select_related("organisation", "user").all()
    assert (membership.user.email, membership.organisation.slug, membership.role) == (
        EMAIL,
        "harbour-logistics",
        Role.OWNER,
    )

    # Once an account exists the hint is gone; a wrong password is refused in words.
    page.reload()
    expect(first_run).to_have_count(0)
    _log_in(page, "not the password")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(
        page.get_by_text("This e-mail address and password do not match an account.")
    ).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value(EMAIL)

    # The right password opens the organisation's home, empty, with the next step.
    _log_in(page, PASSWORD)
    expect(page).to_have_url(url("/o/harbour-logistics/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page).to_have_title(re.compile("Harbour Logistics"))
    objectives = page.locator("#my-objectives")
    expect(objectives).to_contain_text("No cycle is running today.")
    expect(page.locator("#due")).to_contain_text("Nothing is due")
    objectives.get_by_role("link", name="Create one").click()
    expect(page).to_have_url(url("/o/harbour-logistics/cycles/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycles")
    expect(page.get_by_role("button", name="Create year")).to_be_visible()

    # Logging out ends the session: the organisation's pages ask for a login again.
    page.locator("summary", has_text="Harbour Logistics").click()
    page.get_by_role("button", name=f"Log out {EMAIL}").click()
    expect(page).to_have_url(url("/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Headway")
    page.goto(url("/o/harbour-logistics/"))
    expect(page).to_have_url(re.compile(r"/login/\?next=/o/harbour-logistics/$"))
    assert Organisation.objects.count() == 1
