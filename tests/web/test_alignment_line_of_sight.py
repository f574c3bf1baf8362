"""The line of sight on the objective page: every chain up to strategy, step by step."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.web.templatetags.goals_tags import percent
from tests.alignment import Alignment, align, build_alignment, objective
from tests.conftest import logged_in
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import page, text


@pytest.fixture
def acme(world) -> Alignment:  # type: ignore[no-untyped-def]
    return build_alignment(world)


def sight(html: str) -> str:
    """What a person reads in the line-of-sight section."""
    start = html.index('id="line-of-sight"')
    return text(html[start : html.index("</section>", start)])


def test_it_shows_each_chain_from_the_objective_up_to_its_theme(acme: Alignment) -> None:
    response = logged_in(acme.world.bob).get(acme.url(f"objectives/{acme.deploy_often.pk}/"))
    assert_strict_page(response)
    html = response.content.decode()
    section = sight(html)
    # Through the key result of Ship without fear, then the company objective, then the theme.
    assert (
        "contributes to the key result “Deploys a week” of Ship without fear (Platform)" in section
    )
    assert "contributes Win the mid-market (Acme)" in section
    assert "contributes theme Grow in the mid-market" in section
    assert f'href="/o/acme/objectives/{acme.platform.pk}/"' in html
    assert f'href="/o/acme/alignment/#theme-{acme.grow.pk}"' in html
    # The second chain reaches the bubble's own theme, marked as such.
    assert "theme Calm delivery bubble: Platform" in section


def test_each_step_shows_its_progress_and_status_in_words(acme: Alignment) -> None:
    section = sight(
        page(logged_in(acme.world.bob), acme.url(f"objectives/{acme.deploy_often.pk}/"))
    )
    acme.platform.refresh_from_db()
    assert acme.platform.progress  # deploys moved halfway
    assert "Ship without fear (Platform) " in section
    figure = re.escape(percent(acme.platform.progress))
    # Half the quarter is behind us and the objective stands at an eighth: off track.
    assert re.search(rf"Ship without fear \(Platform\) off track {figure}", section), section


def test_a_supports_link_says_so(acme: Alignment) -> None:
    section = sight(
        page(logged_in(acme.world.dave), acme.url(f"objectives/{acme.reliability.pk}/"))
    )
    assert "supports Win the mid-market" in section


def test_a_private_step_is_shown_without_its_title_to_those_who_may_not_see_it(
    acme: Alignment,
) -> None:
    url = acme.url(f"objectives/{acme.follower.pk}/")
    bob = sight(page(logged_in(acme.world.bob), url))
    assert "private an objective you cannot see" in bob
    assert "Buy a competitor" not in bob
    assert "theme Grow in the mid-market" in bob  # the chain goes on above it
    assert "contributes Buy a competitor" in sight(page(logged_in(acme.world.alice), url))


def test_an_objective_aligned_to_nothing_says_how_to_fix_it(acme: Alignment) -> None:
    url = acme.url(f"objectives/{acme.orphan.pk}/")
    section = sight(page(logged_in(acme.world.bob), url))
    assert "Not aligned to strategy yet" in section
    assert "( align )" in section  # bob may align his team's objective
    assert "( align )" not in sight(page(logged_in(acme.world.dave), url))


def test_a_chain_that_stops_before_strategy_says_where(acme: Alignment) -> None:
    child = objective(acme.world.bob, acme.quarter, acme.world.platform, "Clean the backlog up")
    align(acme.world.bob, child, acme.orphan)
    section = sight(page(logged_in(acme.world.bob), acme.url(f"objectives/{child.pk}/")))
    assert "contributes Tidy the backlog" in section
    assert "Stops here" in section


def queries_for(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_line_of_sight_costs_the_same_queries_however_deep(acme: Alignment) -> None:
    alice = acme.world.alice
    client = logged_in(alice)
    deep = acme.deploy_often
    short = queries_for(client, acme.url(f"objectives/{deep.pk}/"))
    for n in range(5):
        below = objective(alice, acme.quarter, acme.squad, f"Level {n}")
        align(alice, below, deep)
        deep = below
    assert queries_for(client, acme.url(f"objectives/{deep.pk}/")) == short
    section = sight(page(client, acme.url(f"objectives/{deep.pk}/")))
    assert "Level 3" in section and "Grow in the mid-market" in section


def test_the_outsider_sees_no_line_of_sight(acme: Alignment) -> None:
    page(logged_in(acme.world.charlie), acme.url(f"objectives/{acme.platform.pk}/"), status=404)
    html = page(logged_in(acme.world.charlie), f"/o/globex/objectives/{acme.globex.pk}/")
    assert "Win the mid-market" not in html and "Globex dominates" in sight(html)
    services.objective_delete(member=acme.world.alice, objective=acme.company)
