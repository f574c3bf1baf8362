"""The weekly check-in of ten key results in a real browser, with the keyboard only: bob
logs in by typing, opens the check-in screen, and for each row types the value, tabs to
the confidence and the note, and saves with Enter; one Tab takes him to the next row.
Whatever has the focus shows it (an outline or a shadow), and the ten check-ins stored
are the ten typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from headway.goals import services
from headway.goals.models import CheckIn, KeyResult
from tests.conftest import World
from tests.factories import PASSWORD, CycleFactory

pytestmark = pytest.mark.browser

CHECKIN = "/o/acme/check-in/"

# What the focused element looks like: a focus ring is an outline or a box shadow.
FOCUS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    id: element.id || element.tagName,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


@pytest.fixture
def key_results(world: World) -> list[KeyResult]:
    """Platform's two objectives in a running quarter, five numeric key results each,
    none checked in: ten rows due for bob."""
    today = timezone.localdate()
    quarter = CycleFactory(
        organisation=world.acme,
        name="This quarter",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    for title in ("Ship without fear", "Systems people can rely on"):
        services.objective_create(
            member=world.bob,
            cycle_id=quarter.pk,
            owner_team_id=world.platform.pk,
            title=title,
            key_results=[
                {"title": f"{title}: measure {n}", "start_value": 0, "target_value": 100}
                for n in range(1, 6)
            ],
        )
    return list(KeyResult.objects.order_by("objective__title", "order"))


def _assert_focus_visible(page: Page, expected_id: str) -> None:
    focus: dict[str, Any] = page.evaluate(FOCUS)
    assert focus["id"] == expected_id, focus
    assert focus["outline"] or focus["shadow"], f"no visible focus on {focus['id']}"


def _tab_to(page: Page, wanted: str) -> None:
    """From a saved row, Tab to the next row's value: one Tab within an objective, two
    when the next row starts another objective (its title is a link). Every stop shows
    its focus."""
    for _ in range(2):
        page.keyboard.press("Tab")
        focus: dict[str, Any] = page.evaluate(FOCUS)
        assert focus["outline"] or focus["shadow"], f"no visible focus on {focus['id']}"
        if focus["id"] == wanted:
            return
    raise AssertionError(f"two Tabs did not reach {wanted}")


def test_ten_key_results_checked_in_with_the_keyboard_only(
    page: Page, url: Callable[[str], str], key_results: list[KeyResult], world: World
) -> None:
    assert len(key_results) == 10
    # Log in by typing: the e-mail field has the focus when the page opens.
    page.goto(url("/login/"))
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type("bob@acme.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(url("/o/acme/"))

    page.goto(url(CHECKIN))  # typed into the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text("My weekly check-in")
    page.evaluate("window.__sameDocument = true")
    # The rows in the order the screen shows them.
    order = page.locator("li.checkin-row").evaluate_all("rows => rows.map(row => row.id)")
    by_row = {f"kr-{kr.pk}": kr for kr in key_results}
    assert sorted(order) == sorted(by_row)
    typed = {}
    for n, key_result in enumerate(by_row[row] for row in order):
        value, confidence, note = str(10 + 7 * n), str(n % 11), f"week note {n}" if n % 2 else ""
        typed[key_result.pk] = (value, confidence, note)
        row = f"kr-{key_result.pk}"
        if n:
            _tab_to(page, f"{row}-value")
        expect(page.locator(f"#{row}-value")).to_be_focused()
        _assert_focus_visible(page, f"{row}-value")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
        _assert_focus_visible(page, f"{row}-confidence")
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type(confidence)
        page.keyboard.press("Tab")
        _assert_focus_visible(page, f"{row}-note")
        page.keyboard.type(note)
        with page.expect_response(url(CHECKIN)) as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 200
        saved = page.locator(f"#{row}")
        expect(saved).to_have_class("checkin-row saved")
        expect(saved.get_by_role("status")).to_be_focused()
        expect(saved.get_by_role("status")).to_contain_text(f"confidence {confidence} saved")
        focus = page.evaluate(FOCUS)
        assert focus["outline"] or focus["shadow"], f"no visible focus on saved {row}"

    # Every row saved in place, without a page load; nothing left to fill.
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("form.checkin-form")).to_have_count(0)
    expect(page.locator(".checkin-row.saved")).to_have_count(10)

    stored = {
        checkin.key_result_id: (
            f"{checkin.value:g}",
            str(checkin.confidence),
            checkin.note,
            checkin.author_id,
        )
        for checkin in CheckIn.objects.filter(key_result__in=key_results)
    }
    assert CheckIn.objects.filter(key_result__in=key_results).count() == 10
    assert stored == {pk: (*values, world.bob.user_id) for pk, values in typed.items()}
