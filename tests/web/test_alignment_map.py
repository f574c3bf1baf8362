"""The alignment map: strategy at the top, opened level by level over HTMX."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alignment import Alignment, align, build_alignment, objective
from tests.conftest import logged_in
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import page, text

HTMX = {"HX-Request": "true"}


@pytest.fixture
def acme(world) -> Alignment:  # type: ignore[no-untyped-def]
    return build_alignment(world)


def section(html: str, anchor: str, end: str = "</section>") -> str:
    start = html.index(anchor)
    return html[start : html.index(end, start)]


def theme_of(html: str, acme: Alignment, theme) -> str:  # type: ignore[no-untyped-def]
    return text(section(html, f'id="theme-{theme.pk}"'))


def test_the_map_opens_from_the_nav_with_a_strict_policy(acme: Alignment) -> None:
    client = logged_in(acme.world.dave)
    assert 'href="/o/acme/alignment/"' in page(client, acme.url())
    response = client.get(acme.url("alignment/"))
    assert response.status_code == 200
    assert_strict_page(response)


def test_each_theme_lists_the_objectives_aligned_to_it_by_team(acme: Alignment) -> None:
    html = page(logged_in(acme.world.alice), acme.url("alignment/"))
    grow = theme_of(html, acme, acme.grow)
    assert "Acme" in grow and "Win the mid-market" in grow and "Buy a competitor" in grow
    assert "Nothing in This quarter is aligned to this theme yet" in theme_of(
        html, acme, acme.delight
    )
    # Rows say how they align, in words and with a marker, and how they stand.
    row = text(section(html, f'id="map-objective-{acme.company.pk}"', "</li>"))
    assert re.search(r"contributes Win the mid-market FY (on track|at risk|off track)", row), row


def test_a_bubble_root_tops_its_own_subtree_with_its_statement(acme: Alignment) -> None:
    html = page(logged_in(acme.world.dave), acme.url("alignment/"))
    bubble = text(section(html, f'id="strategy-{acme.world.platform.pk}-title"', "</blockquote>"))
    assert "Platform bubble root" in bubble
    assert "Platform sets its own direction: calm, frequent delivery." in bubble
    calm = theme_of(html, acme, acme.calm)
    assert "Ship without fear" in calm
    assert f"/o/acme/alignment/?cycle={acme.quarter.pk}&amp;team=platform" in html


def test_private_objectives_are_counted_never_shown(acme: Alignment) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/"))
    assert "Buy a competitor" not in html
    grow = theme_of(html, acme, acme.grow)
    assert "1 private objective you cannot see is aligned here" in grow


def private_child(acme: Alignment) -> None:
    """A private objective of the root team below the company objective: bob may not see it."""
    hidden = objective(
        acme.world.alice,
        acme.quarter,
        acme.world.root,
        "Quiet pricing review",
        visibility="private",
    )
    align(acme.world.alice, hidden, acme.company)


def test_rows_open_level_by_level_over_htmx(acme: Alignment) -> None:
    private_child(acme)
    client = logged_in(acme.world.bob)
    html = page(client, acme.url("alignment/"))
    # Only the first level is in the page: the children of the company objective are not.
    assert "Organise the summer party" not in html
    url = acme.url(f"alignment/objectives/{acme.company.pk}/?cycle={acme.quarter.pk}")
    assert f'hx-get="{url.replace("&", "&amp;")}"' in html
    row = text(section(html, f'id="map-objective-{acme.company.pk}"', "</summary>"))
    assert "3 aligned below · 1 private" in row
    branch = client.get(url, headers=HTMX).content.decode()
    assert "<html" not in branch and "Quiet pricing review" not in branch
    for title in (
        "Ship without fear",
        "Organise the summer party",
        "Tell shippers about reliability",
    ):
        assert title in branch
    assert "link-supports" in section(branch, f'id="map-objective-{acme.reliability.pk}"', "</li>")
    # The next level opens from the branch, down to the key result's child.
    deeper = acme.url(f"alignment/objectives/{acme.platform.pk}/?cycle={acme.quarter.pk}")
    assert f'hx-get="{deeper.replace("&", "&amp;")}"' in branch
    leaf = text(client.get(deeper, headers=HTMX).content.decode())
    assert "contributes to “Deploys a week” Deploy many times a day" in leaf
    assert "Ship without any fear" in leaf


def test_a_branch_is_a_page_of_its_own_without_javascript(acme: Alignment) -> None:
    private_child(acme)
    response = logged_in(acme.world.bob).get(
        acme.url(f"alignment/objectives/{acme.company.pk}/?cycle={acme.quarter.pk}")
    )
    assert_strict_page(response)
    html = response.content.decode()
    assert "Aligned below Win the mid-market" in html and "Alignment map" in html
    assert "1 private objective you cannot see is aligned here" in text(html)


def test_a_private_objective_s_branch_is_404_for_those_who_may_not_see_it(acme: Alignment) -> None:
    url = acme.url(f"alignment/objectives/{acme.secret.pk}/")
    page(logged_in(acme.world.bob), url, status=404)
    assert "Follow the acquisition" in page(logged_in(acme.world.alice), url)


def test_the_map_lists_what_is_aligned_to_nothing_but_drafts(acme: Alignment) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/"))
    unaligned = text(section(html, 'id="unaligned-title"'))
    assert "1 objective in This quarter is not linked" in unaligned
    assert "Tidy the backlog" in unaligned and "Sketch next year" not in unaligned


def test_the_cycle_filter_changes_what_is_shown(acme: Alignment) -> None:
    client = logged_in(acme.world.alice)
    html = page(client, acme.url(f"alignment/?cycle={acme.last_quarter.pk}"))
    assert "Last quarter&#x27;s goal" in html and "Tidy the backlog" not in html
    assert "Win the mid-market" in html  # the year runs through last quarter too
    partial = client.get(acme.url(f"alignment/?cycle={acme.last_quarter.pk}"), headers=HTMX)
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="map-body">') and "<html" not in body


def test_the_team_filter_shows_the_team_s_top_objectives_and_what_they_align_to(
    acme: Alignment,
) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/?team=platform"))
    body = text(section(html, 'id="map-body"', 'id="unaligned-title"'))
    assert "Platform bubble root : top objectives in This quarter" in body
    assert "Ship without fear" in body and "Sketch next year" in body
    # Squad's objectives align inside Platform: they open below, not at the top.
    assert "Deploy many times a day" not in body and "Ship without any fear" not in body
    parents = text(section(html, f'id="map-objective-{acme.platform.pk}"', "</li>"))
    assert "Aligned to: contributes Win the mid-market ; contributes theme Calm delivery" in parents


def test_a_team_s_parent_it_may_not_see_stays_private(acme: Alignment) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/?team=acme"))
    row = text(section(html, f'id="map-objective-{acme.follower.pk}"', "</li>"))
    assert "Aligned to: contributes private an objective you cannot see" in row


def test_unknown_filters_say_so_and_show_the_whole_organisation(acme: Alignment) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/?cycle=999999&team=nope"))
    assert "There is no cycle &#x27;999999&#x27;; showing This quarter." in html
    assert "There is no team &#x27;nope&#x27;; showing the whole organisation." in html
    assert f'id="theme-{acme.grow.pk}"' in html


def test_the_outsider_gets_404(acme: Alignment) -> None:
    charlie = logged_in(acme.world.charlie)
    page(charlie, acme.url("alignment/"), status=404)
    page(charlie, acme.url(f"alignment/objectives/{acme.company.pk}/"), status=404)
    page(charlie, f"/o/globex/alignment/objectives/{acme.company.pk}/", status=404)
    globex = page(charlie, "/o/globex/alignment/")
    assert "Globex&#x27;s own goal" in globex and "Win the mid-market" not in globex


def queries_for(client, url: str, **headers: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return len(captured)


def add_children(acme: Alignment, parent, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(first, last):
        child = objective(acme.world.alice, acme.quarter, acme.squad, f"Child {n}")
        align(acme.world.alice, child, parent)
        grandchild = objective(acme.world.alice, acme.quarter, acme.squad, f"Grandchild {n}")
        align(acme.world.alice, grandchild, child, kind="supports")


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_the_first_level_and_a_branch_run_the_same_queries_for_3_and_30_objectives(
    acme: Alignment, persona: str
) -> None:
    client = logged_in(getattr(acme.world, persona))
    first_level = acme.url("alignment/")
    branch = acme.url(f"alignment/objectives/{acme.company.pk}/?cycle={acme.quarter.pk}")
    team = acme.url("alignment/?team=squad")
    add_children(acme, acme.grow, 0, 3)
    add_children(acme, acme.company, 10, 13)
    small = [
        queries_for(client, first_level),
        queries_for(client, branch, **HTMX),
        queries_for(client, team),
    ]
    add_children(acme, acme.grow, 3, 30)
    add_children(acme, acme.company, 13, 40)
    large = [
        queries_for(client, first_level),
        queries_for(client, branch, **HTMX),
        queries_for(client, team),
    ]
    assert large == small
    assert "Child 29" in page(client, first_level)


def test_a_large_branch_opens_a_page_at_a_time(acme: Alignment) -> None:
    for n in range(52):
        child = objective(acme.world.alice, acme.quarter, acme.squad, f"Item {n:02d}")
        align(acme.world.alice, child, acme.twin)
    client = logged_in(acme.world.bob)
    url = acme.url(f"alignment/objectives/{acme.twin.pk}/?cycle={acme.quarter.pk}")
    first = client.get(url, headers=HTMX).content.decode()
    assert (
        first.count('class="map-row band') == 50 and "Item 49" in first and "Item 50" not in first
    )
    more = f"{url}&page=2".replace("&", "&amp;")
    assert f'hx-get="{more}"' in first and "(52 in all)" in text(first)
    second = client.get(f"{url}&page=2", headers=HTMX).content.decode()
    assert second.count('class="map-row band') == 2 and "Item 51" in second
    assert "Show the next" not in second
