"""Every main page on a phone (375 px wide) and a laptop (1440 px), as the demo owner.

On both widths the document never scrolls sideways (a wide table scrolls inside its own
wrapper), no text is cut off by a box too small for it, and the navigation works: on a
laptop all its areas show; on a phone it folds behind a Menu button that the keyboard
opens and closes, and without script it simply wraps.

Each page loads once, at 1440 px, then the window narrows to 375 px: the layout is CSS
(and app.js reacts to the resize), so this is what a phone shows, for half the loads.
The demo and its live server come from test_accessibility.py's fixtures, built again
for this module.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import (  # noqa: F401 (fixtures, registered by name)
    ANONYMOUS_PAGES,
    MAIN_PAGES,
    DemoSite,
    demo_database,
    demo_kept_between_tests,
    demo_site_fixture,
    open_page,
    owner_context_args,
    owner_state_fixture,
)

pytestmark = pytest.mark.browser

# Pages outside an organisation have no main navigation, only the account menu.
WITHOUT_NAVIGATION = ANONYMOUS_PAGES | {"password change"}
PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1440, "height": 900}

# What sticks out of the viewport and is not inside a box that scrolls or clips it.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let parent = el.parentElement, contained = false;
    while (parent && parent !== document.body) {
      if (getComputedStyle(parent).overflowX !== 'visible') { contained = true; break; }
      parent = parent.parentElement;
    }
    if (!contained) culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      ' (right edge ' + Math.round(box.right) + ' px)');
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 8)};
}
"""

# Text in a box that hides what does not fit (overflow hidden or an ellipsis) and does
# not fit. Visually hidden text (1 px on purpose), progress bars' fallback text and the
# options of a list box (which scrolls) are not clipped text.
CLIPPED_TEXT_JS = """
() => [...document.querySelectorAll('body *')].filter((el) => {
  if (el.closest('.visually-hidden, progress, svg, select, textarea')) return false;
  const style = getComputedStyle(el);
  const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY)
    || style.textOverflow === 'ellipsis';
  if (!hides || !el.textContent.trim() || style.display === 'none') return false;
  // Visually hidden on purpose: clipped to nothing, or a single pixel.
  if (style.clip !== 'auto' || (el.clientWidth <= 1 && el.clientHeight <= 1)) return false;
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
}).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ': ' + el.textContent.trim().slice(0, 40))
"""


def layout_problems(page: Page, label: str) -> list[str]:
    problems = []
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow["scrollWidth"] > overflow["width"]:
        problems.append(
            f"{label}: the page is {overflow['scrollWidth']} px wide in a {overflow['width']} px"
            f" window; sticking out: {overflow['culprits']}"
        )
    clipped = page.evaluate(CLIPPED_TEXT_JS)
    if clipped:
        problems.append(f"{label}: text cut off in {clipped}")
    return problems


def navigation_problems(page: Page, label: str, *, folded: bool) -> list[str]:
    """On a laptop every area's link is on screen; on a phone they wait behind Menu."""
    toggle = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    problems = []
    if folded:
        if not toggle.is_visible() or not _in_window(page, toggle.bounding_box()):
            problems.append(f"{label}: no Menu button on screen")
        if any(link.is_visible() for link in links.all()):
            problems.append(f"{label}: the navigation is not folded behind Menu")
    else:
        if toggle.is_visible():
            problems.append(f"{label}: a Menu button where the navigation fits")
        off = [
            link.inner_text() for link in links.all() if not _in_window(page, link.bounding_box())
        ]
        if off or links.count() < 15:
            problems.append(f"{label}: navigation links off screen: {off} of {links.count()}")
    return problems


def _in_window(page: Page, box: Any) -> bool:
    size = page.viewport_size
    assert size is not None
    return bool(box) and box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1


def resize(page: Page, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    # Two frames: media queries apply, then app.js's ResizeObserver marks wide tables.
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_page_fits_a_phone_and_a_laptop(page: Page, demo_site: DemoSite, name: str) -> None:
    open_page(page, demo_site, name)
    member_page = name not in WITHOUT_NAVIGATION
    problems = layout_problems(page, "1440 px")
    if member_page:
        problems += navigation_problems(page, "1440 px", folded=False)
    resize(page, PHONE)
    problems += layout_problems(page, "375 px")
    if member_page:
        problems += navigation_problems(page, "375 px", folded=True)
    assert not problems, f"{name} ({demo_site.paths[name]}):\n" + "\n".join(problems)


def test_the_menu_button_opens_and_closes_the_navigation_from_the_keyboard(
    page: Page, demo_site: DemoSite
) -> None:
    page.set_viewport_size(PHONE)
    open_page(page, demo_site, "objective")
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    # Skip link, brand, then the Menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    links = nav.get_by_role("link")
    assert links.count() >= 15
    for link in links.all():
        expect(link).to_be_visible()
        assert _in_window(page, link.bounding_box()), link.inner_text()
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(nav).to_be_hidden()

    # And it opens an area: Space on the button, Tab to Teams, Enter.
    page.keyboard.press("Space")
    nav.get_by_role("link", name="Teams").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(demo_site.at("teams"))


def test_without_script_the_navigation_wraps_on_a_phone(
    new_context: Any, demo_site: DemoSite
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.set_viewport_size(PHONE)
    page.goto(demo_site.at("my work"))
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert links.count() >= 15
    off = [link.inner_text() for link in links.all() if not _in_window(page, link.bounding_box())]
    assert off == []
    assert layout_problems(page, "375 px without script") == []
