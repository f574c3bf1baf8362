"""The honest-confidence page of a closed cycle: each person's own figures, their teams',
levels for admins only, never someone else's. The quarter is tests/calibrated.py's:
bob the optimist in Platform, alice the sandbagger in the root team Acme."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.calibrated import Calibrated, build, more_key_results
from tests.conftest import World, logged_in
from tests.factories import CycleFactory
from tests.web.test_csp import assert_strict_page


def page(found: Calibrated) -> str:
    return found.url(f"cycles/{found.quarter.pk}/confidence/")


def text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    main = html[html.index("<main") :]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture
def closed(world: World) -> Calibrated:
    return build(world)


def section(response: object, element_id: str) -> str:
    """The text of the element with this id, up to the next section or article."""
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index(f'id="{element_id}"')
    end = min(
        (i for i in (html.find("<section", start), html.find("<article", start + 1)) if i > 0),
        default=len(html),
    )
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end])))


def test_bob_sees_his_own_optimism_and_his_teams(closed: Calibrated) -> None:
    response = logged_in(closed.world.bob).get(page(closed))
    assert response.status_code == 200
    assert_strict_page(response)
    mine = section(response, "calibration-me")
    assert "Only you see this" in mine
    assert "Brier score 0.81" in mine
    assert "Mean confidence 90%" in mine
    assert "Delivered 0% (0 of 3)" in mine
    assert "Bias +90 points" in mine
    assert "Optimistic: confidence ran 90 points above the share delivered" in mine
    assert "no better than saying 50% every time" in mine
    assert "From 9 check-ins on 3 key results" in mine
    team = section(response, "calibration-team-platform")
    assert "Only members of Platform see this" in team
    assert "Brier score 0.81" in team and "Optimistic" in team
    assert "By level" not in text(response)


def test_the_reliability_table_shows_confidence_against_outcome(closed: Calibrated) -> None:
    response = logged_in(closed.world.bob).get(page(closed))
    html = response.content.decode()
    table = html[html.index('id="calibration-me-reliability"') :]
    table = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table[: table.index("</table>")])))
    assert "0–20% 0 — —" in table
    assert "80–100% 9 90% 0%" in table


def test_alice_as_owner_sees_levels_but_never_bobs_own_figures(world: World) -> None:
    found = build(world, with_mobile=True)
    response = logged_in(world.alice).get(page(found))
    assert response.status_code == 200
    whole = text(response)
    mine = section(response, "calibration-me")
    assert "Brier score 0.25" in mine and "Sandbagging" in mine
    assert "Only members of Acme see this" in section(response, "calibration-team-acme")
    levels = section(response, "calibration-levels")
    assert "Only owners and admins see this" in levels
    assert "Organisation (top level) 3 Not enough data" in levels
    assert "Level 1 (directly below the organisation) 6 0.45 80% 50% +30 points Optimistic" in (
        levels
    )
    # Nothing of bob's own: not his name, his team's block, nor his figures.
    for secret in ("Bob", "bob@acme.test", "Platform", "0.81", "+90 points", "Erin", "Mobile"):
        assert secret not in whole, secret
    assert 'id="calibration-team-platform"' not in response.content.decode()


def test_levels_below_the_minimum_say_not_enough_data(closed: Calibrated) -> None:
    response = logged_in(closed.world.alice).get(page(closed))
    levels = section(response, "calibration-levels")
    assert levels.count("Not enough data") == 2
    assert "0.81" not in levels and "0.25" not in levels


def test_a_viewer_without_key_results_sees_that_there_is_nothing(closed: Calibrated) -> None:
    response = logged_in(closed.world.dave).get(page(closed))
    assert response.status_code == 200
    whole = text(response)
    assert "No key results with check-ins in this cycle" in whole
    assert "You are not in a team" in whole
    assert "By level" not in whole
    assert "0.81" not in whole and "0.25" not in whole


def test_the_outsider_gets_404(closed: Calibrated) -> None:
    client = logged_in(closed.world.charlie)
    assert client.get(page(closed)).status_code == 404
    assert client.get(f"/o/globex/cycles/{closed.quarter.pk}/confidence/").status_code == 404
    # and alice cannot reach Globex's quarter through her organisation
    alice = logged_in(closed.world.alice)
    assert alice.get(closed.url(f"cycles/{closed.globex_quarter.pk}/confidence/")).status_code == (
        404
    )


def test_it_asks_anonymous_visitors_to_log_in(closed: Calibrated) -> None:
    response = Client().get(page(closed))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_open_cycle_says_calibration_comes_at_the_close(world: World) -> None:
    running = CycleFactory(organisation=world.acme, name="Running")
    response = logged_in(world.bob).get(f"/o/acme/cycles/{running.pk}/confidence/")
    assert response.status_code == 409
    whole = text(response)
    assert "Calibration is computed when the cycle closes." in whole
    assert "Your confidence" not in whole


def test_the_close_page_and_the_cycles_list_link_to_it_once_closed(closed: Calibrated) -> None:
    running = CycleFactory(organisation=closed.world.acme, name="Running")
    client = logged_in(closed.world.bob)
    link = f'href="{page(closed)}"'
    assert link in client.get(closed.url(f"cycles/{closed.quarter.pk}/close/")).content.decode()
    cycles = client.get(closed.url("cycles/")).content.decode()
    assert link in cycles
    assert f"cycles/{running.pk}/confidence/" not in cycles
    open_close = client.get(closed.url(f"cycles/{running.pk}/close/")).content.decode()
    assert "confidence/" not in open_close


def test_the_page_runs_the_same_queries_for_3_and_for_30_key_results(world: World) -> None:
    found = build(world, with_mobile=True)
    client = logged_in(world.alice)

    def count() -> int:
        client.get(page(found))
        with CaptureQueriesContext(connection) as context:
            response = client.get(page(found))
        assert response.status_code == 200
        return len(context.captured_queries)

    few = count()
    more_key_results(found, 27)
    assert count() == few
