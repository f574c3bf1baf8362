"""The alignment health page: figures, findings that name their objects and say why
they matter, bubbles, and the trend over cycles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alignment import Alignment, align, build_alignment, objective
from tests.conftest import logged_in
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import page, text

HTMX = {"HX-Request": "true"}


@pytest.fixture
def acme(world, settings) -> Alignment:  # type: ignore[no-untyped-def]
    settings.HEADWAY_TEXT_ENGINE = "lexical"  # fast; one test below runs the model
    return build_alignment(world)


def finding(html: str, code: str) -> str:
    start = html.index(f'id="finding-{code}"')
    return text(html[start : html.index("</article>", start)])


def figures(html: str) -> str:
    start = html.index('id="figures-title"')
    return text(html[start : html.index("</section>", start)])


def test_the_page_opens_from_the_map_with_a_strict_policy(acme: Alignment) -> None:
    client = logged_in(acme.world.dave)
    assert "/o/acme/alignment/health/" in page(client, acme.url("alignment/"))
    response = client.get(acme.url("alignment/health/"))
    assert_strict_page(response)


def test_it_shows_the_share_reaching_strategy_and_through_which_links(acme: Alignment) -> None:
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    shown = figures(html)
    # This quarter: seven objectives (the draft is not counted); six reach a theme, five
    # through contributing links only (the Sales objective only supports).
    assert "Objectives counted 7" in shown
    assert "Reach strategy 86% (6)" in shown
    assert "Through contributing links only 71% (5)" in shown
    assert "Only through a “supports” link 1" in shown
    assert "1 draft is not counted" in shown


def test_each_finding_names_and_links_its_objects_and_says_why(acme: Alignment) -> None:
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    orphans = finding(html, "orphans")
    assert "1 objective is aligned to nothing" in orphans and "Why it matters" in orphans
    assert "Tidy the backlog (Platform)" in orphans
    assert f'href="/o/acme/objectives/{acme.orphan.pk}/"' in html
    themes = finding(html, "themes_without_contributors")
    assert "Delight customers" in themes and "Grow in the mid-market" not in themes
    assert f'#theme-{acme.delight.pk}"' in html
    assert "Sales" in finding(html, "teams_only_supporting")
    assert f"/o/acme/alignment/health/?cycle={acme.quarter.pk}&amp;team=sales" in html


def test_the_wording_checks_load_after_the_page(acme: Alignment) -> None:
    client = logged_in(acme.world.alice)
    html = page(client, acme.url("alignment/health/"))
    wording = f"/o/acme/alignment/health/wording/?cycle={acme.quarter.pk}"
    assert f'hx-get="{wording}" hx-trigger="load"' in html
    assert 'id="finding-duplicates"' not in html
    partial = client.get(wording, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="wording-findings"') and "<html" not in partial
    duplicates = finding(partial, "duplicates")
    assert "Ship without fear and Ship without any fear (similarity" in duplicates
    assert "word-matching fallback" in text(partial)
    # Without JavaScript, the link opens them as a page of their own.
    response = client.get(wording)
    assert_strict_page(response)
    assert "Wording checks" in response.content.decode()
    platform = page(client, acme.url("alignment/health/wording/?team=platform"))
    assert "Ship without fear and Ship without any fear" in text(platform)
    squad = page(client, acme.url("alignment/health/wording/?team=squad"))
    assert "Ship without any fear" not in squad  # its twin is Platform's, outside Squad


def test_private_objectives_are_counted_never_named(acme: Alignment) -> None:
    hidden = objective(
        acme.world.alice, acme.quarter, acme.world.root, "Secret side project", visibility="private"
    )
    html = page(logged_in(acme.world.bob), acme.url("alignment/health/"))
    assert "Secret side project" not in html
    assert "1 private objective you cannot see is not counted here" in figures(html)
    assert "1 private objective you cannot see is in this case too" in finding(html, "orphans")
    alice = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    assert "Secret side project" in finding(alice, "orphans")
    assert hidden.pk


def test_a_chain_stopping_short_of_strategy_is_a_dead_end(acme: Alignment) -> None:
    child = objective(acme.world.bob, acme.quarter, acme.world.platform, "Clean the backlog up")
    align(acme.world.bob, child, acme.orphan)
    html = page(logged_in(acme.world.bob), acme.url("alignment/health/"))
    dead = finding(html, "dead_ends")
    assert "1 objective is aligned, but the chain stops before strategy" in dead
    assert "Clean the backlog up" in dead


def test_a_bubble_is_measured_against_its_own_themes(acme: Alignment) -> None:
    html = page(logged_in(acme.world.bob), acme.url("alignment/health/?team=platform"))
    assert "measured against the own themes of the bubble Platform" in text(html)
    # Ship without fear, Deploy many times a day and its twin reach Calm delivery;
    # Tidy the backlog reaches nothing.
    assert "Objectives counted 4" in figures(html) and "Reach strategy 75% (3)" in figures(html)
    # Themes are the organisation's or the bubble's business: shown for the bubble root...
    assert 'id="finding-themes_without_contributors"' not in html  # Calm delivery is served
    squad = page(logged_in(acme.world.bob), acme.url("alignment/health/?team=squad"))
    assert "measured against the own themes of the bubble Platform" in text(squad)


def test_the_organisation_shows_each_bubble_and_how_it_connects(acme: Alignment) -> None:
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    start = html.index('id="bubble-')
    bubble = text(html[start : html.index("</article>", start)])
    assert "Platform bubble root" in bubble
    assert "75% of its 4 objectives reach its own themes" in bubble
    assert "Connected to the organisation's strategy: 3 of its objectives reach both" in bubble
    assert "theme Calm delivery:" in bubble


def test_a_bubble_not_yet_connected_says_so(acme: Alignment) -> None:
    from headway.goals.models import AlignmentLink

    AlignmentLink.objects.filter(child=acme.platform, parent_objective=acme.company).delete()
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    assert "Not connected to the organisation's strategy yet" in text(html)


def test_per_team_per_level_and_the_trend_over_cycles(acme: Alignment) -> None:
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/"))
    teams = text(html[html.index('id="teams-title"') : html.index('id="levels-title"')])
    assert "Sales 1 100% (1) 0%" in teams
    levels = text(html[html.index('id="levels-title"') : html.index('id="depth-title"')])
    assert "Level 2 (Squad) 2 100% (2) 100%" in levels
    trend = text(html[html.index('id="trend-title-heading"') :])
    assert "FY 2 100% (2) 100%" in trend and "This quarter 7 86% (6) 71%" in trend
    assert "Last quarter: 0% reach strategy" in trend  # the chart's description
    assert "<svg" in html and "style=" not in html[html.index("<svg") : html.index("</svg>")]


def test_filters_work_with_and_without_htmx(acme: Alignment) -> None:
    client = logged_in(acme.world.alice)
    url = acme.url(f"alignment/health/?cycle={acme.last_quarter.pk}")
    assert "Last quarter&#x27;s goal" in finding(page(client, url), "orphans")
    partial = client.get(url, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="health-body">') and "<html" not in partial
    notice = page(client, acme.url("alignment/health/?team=nope&cycle=0"))
    assert "There is no team &#x27;nope&#x27;" in notice and "There is no cycle" in notice


def test_the_outsider_gets_404_and_sees_only_globex(acme: Alignment) -> None:
    charlie = logged_in(acme.world.charlie)
    page(charlie, acme.url("alignment/health/"), status=404)
    page(charlie, acme.url("alignment/health/wording/"), status=404)
    globex = page(charlie, "/o/globex/alignment/health/?cycle=" + str(acme.globex.cycle_id))
    assert "Tidy the backlog" not in globex and "Objectives counted 1" in figures(globex)


def test_the_model_flags_the_link_whose_wording_is_unrelated(acme: Alignment, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HEADWAY_TEXT_ENGINE = "static"
    html = page(logged_in(acme.world.alice), acme.url("alignment/health/wording/"))
    links = finding(html, "links_to_check")
    assert "Organise the summer party contributes Win the mid-market (similarity" in links
    assert "never changes a link by itself" in links
    assert "Ship without fear contributes" not in links


def test_the_wording_checks_skip_parents_the_member_may_not_see(
    acme: Alignment,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.HEADWAY_TEXT_ENGINE = "static"
    html = page(logged_in(acme.world.bob), acme.url("alignment/health/wording/"))
    assert "Buy a competitor" not in html and "Organise the summer party" in html


def queries_for(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_runs_the_same_queries_for_3_and_30_objectives(acme: Alignment) -> None:
    client = logged_in(acme.world.bob)
    url = acme.url("alignment/health/")

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            child = objective(acme.world.alice, acme.quarter, acme.squad, f"Measure {n} things")
            align(acme.world.alice, child, acme.platform)

    wording = acme.url("alignment/health/wording/")
    add(0, 3)
    small = queries_for(client, url), queries_for(client, wording)
    add(3, 30)
    assert (queries_for(client, url), queries_for(client, wording)) == small


def test_past_fifty_teams_the_page_lists_those_with_the_lowest_share() -> None:
    from types import SimpleNamespace

    from headway.goals.alignment import Share
    from headway.web.views.goals_alignment import TEAM_ROWS, team_rows

    rows = [(None, Share(n, 10, n % 11, 0)) for n in range(120)]
    shown, left_out = team_rows(SimpleNamespace(per_team=rows))  # type: ignore[arg-type]
    assert left_out == 120 - TEAM_ROWS and len(shown) == TEAM_ROWS
    assert [s.reaching for _, s in shown[:12]] == [0] * 11 + [1]
    few = rows[:5]
    assert team_rows(SimpleNamespace(per_team=few)) == (few, 0)  # type: ignore[arg-type]
