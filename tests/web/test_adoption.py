"""The adoption page: any member reads it, outsiders get 404; its figures are the
counts of tests/adopted.py with links to where they come from; calibration keeps its
privacy; the pilot beside the rest; HTMX renders the body and the trend on their own;
the same queries for 3 teams as for 30."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.insights import adoption_counts
from headway.rollout.models import PhaseTeam, RolloutPhase, RolloutPlan
from tests.adopted import TODAY, Adopted, build
from tests.conftest import World, logged_in
from tests.insights.test_adoption import grow
from tests.web.test_csp import assert_strict_page
from tests.web.test_goals_pages import page, text

HTMX = {"HX-Request": "true"}


@pytest.fixture
def adopted(world: World, monkeypatch: pytest.MonkeyPatch) -> Adopted:
    monkeypatch.setattr(adoption_counts, "organisation_today", lambda organisation: TODAY)
    return build(world)


def url(adopted: Adopted, cycle=None, **params: object) -> str:  # type: ignore[no-untyped-def]
    query = [f"cycle={(cycle or adopted.q4).pk}"]
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        query += [f"{name}={v}" for v in values]
    return "/o/acme/adoption/?" + "&".join(query)


def row(html: str, ident: str) -> str:
    """The text of the table row with this id."""
    at = html.index(">", html.index(f'id="{ident}"')) + 1
    return text(html[at : html.index("</tr>", at)])


def section(html: str, ident: str) -> str:
    at = html.index(f'id="{ident}"')
    return html[at : html.index("</section>", at)]


# --- access ---------------------------------------------------------------------------------


def test_every_member_opens_it_from_the_nav_with_a_strict_policy(adopted: Adopted) -> None:
    w = adopted.world
    assert 'href="/o/acme/adoption/"' in page(logged_in(w.dave), "/o/acme/")
    for persona in (w.alice, w.bob, w.dave):
        response = logged_in(persona).get(url(adopted))
        assert response.status_code == 200
        assert_strict_page(response)


def test_outsiders_get_404_and_strangers_the_login_page(adopted: Adopted) -> None:
    assert logged_in(adopted.world.charlie).get(url(adopted)).status_code == 404
    anonymous = Client().get(url(adopted))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_another_organisations_cycle_or_teams_show_nothing_of_theirs(adopted: Adopted) -> None:
    charlie = logged_in(adopted.world.charlie)
    html = page(charlie, f"/o/globex/adoption/?cycle={adopted.q4.pk}&pilot={adopted.platform.pk}")
    assert "Platform" not in html and "2026 Q4" not in html
    assert "No pilot to compare" in html


def test_without_cycles_it_says_where_to_make_one(world: World) -> None:
    html = page(logged_in(world.alice), "/o/acme/adoption/")
    assert "No cycles yet" in html and 'href="/o/acme/cycles/"' in html


# --- figures and where they come from -------------------------------------------------------


def test_the_organisations_figures_are_the_hand_counts(adopted: Adopted) -> None:
    html = page(logged_in(adopted.world.bob), url(adopted))
    said = text(section(html, "adoption-organisation"))
    for figure in (
        "Teams with OKRs 75% 3 of 4 teams",
        "People with OKRs 80% 4 of 5 people",
        "Check-in rate 55% 24 of 43 weeks",
        "Outcome share 66% 4 of 6 key results",
        "Aligned 75% 3 of 4 objectives",
        "Pivots 1",
        "Learnings 1",
        "Calibration — computed when the cycle closes",
    ):
        assert figure in said
    assert "Not started (stage 0): 1" in said and "Outcomes (stage 3): 1" in said
    assert "Counted on 25 November 2026" in said


def test_each_team_has_its_stage_in_words_and_numbers_and_what_the_next_needs(
    adopted: Adopted,
) -> None:
    html = page(logged_in(adopted.world.dave), url(adopted))
    assert "Stage 3 of 5 Outcomes pivots or learnings recorded: none, needs 1" in row(
        html, "adoption-team-acme"
    )
    platform = row(html, "adoption-team-platform")
    assert "Stage 1 of 5 Starting check-in rate 41%, needs 60%" in platform
    assert "41% 10 of 24 weeks" in platform and "50% 1 of 2 people" in platform
    assert "Stage 0 of 5 Not started" in row(html, "adoption-team-mobile")
    assert "not enough data 1 key result read by the coach, needs 2" in row(
        html, "adoption-team-data"
    )
    levels = text(section(html, "adoption-levels-title"))
    assert "Level 1 2 50% 1 of 2 teams 66% 2 of 3 people 41% 10 of 24 weeks" in levels


def test_every_figure_links_to_the_page_it_comes_from(adopted: Adopted) -> None:
    html = page(logged_in(adopted.world.bob), url(adopted))
    q4 = adopted.q4.pk
    platform = html[html.index('id="adoption-team-platform"') :]
    platform = platform[: platform.index("</tr>")]
    for link in (
        f"/o/acme/teams/platform/?cycle={q4}",
        "/o/acme/teams/platform/check-in/",
        f"/o/acme/coach/?cycle={q4}&amp;team=platform#coach-team-{adopted.platform.pk}",
        f"/o/acme/alignment/health/?cycle={q4}&amp;team=platform",
        f"/o/acme/teams/platform/learning/?cycle={q4}",
    ):
        assert f'href="{link}"' in platform, link
    organisation = section(html, "adoption-organisation")
    for link in (
        "/o/acme/teams/",
        "/o/acme/people/",
        "/o/acme/attention/",
        f"/o/acme/coach/?cycle={q4}",
        f"/o/acme/alignment/health/?cycle={q4}",
        f"/o/acme/learning/?cycle={q4}",
    ):
        assert f'href="{link}"' in organisation, link
    q3 = page(logged_in(adopted.world.bob), url(adopted, adopted.q3))
    assert f'href="/o/acme/cycles/{adopted.q3.pk}/confidence/"' in q3
    for target in ("/o/acme/attention/", "/o/acme/teams/platform/check-in/"):
        assert page(logged_in(adopted.world.bob), target)  # the links lead somewhere


# --- calibration keeps its privacy ----------------------------------------------------------


def test_a_teams_verdict_is_for_its_people_and_aggregates_for_admins(adopted: Adopted) -> None:
    q3 = url(adopted, adopted.q3)
    alice = page(logged_in(adopted.world.alice), q3)  # owner, in the root team
    assert "sandbagging" in row(alice, "adoption-team-acme")
    assert "private to the team" in row(alice, "adoption-team-platform")
    assert "Calibration optimistic" in text(section(alice, "adoption-organisation"))
    bob = page(logged_in(adopted.world.bob), q3)  # member, in Platform and Data
    assert "optimistic" in row(bob, "adoption-team-platform")
    assert "sandbagging" not in bob
    assert "owners and admins only" in text(section(bob, "adoption-organisation"))
    dave = page(logged_in(adopted.world.dave), q3)  # viewer, in no team
    assert "sandbagging" not in dave and "optimistic" not in dave


# --- the pilot beside the rest --------------------------------------------------------------


def test_without_a_plan_it_offers_to_pick_the_pilot_teams(adopted: Adopted) -> None:
    html = page(logged_in(adopted.world.bob), url(adopted))
    said = text(section(html, "adoption-pilot-title"))
    assert "No pilot to compare" in said and "Pick pilot teams" in said
    assert 'name="pilot"' in html


def test_picked_teams_stand_beside_the_rest_with_the_numbers(adopted: Adopted) -> None:
    picked = url(adopted, pilot=[adopted.platform.pk, adopted.data.pk, "x", 99999])
    html = page(logged_in(adopted.world.bob), picked)
    table = section(html, "adoption-pilot-title")
    assert "The teams you picked" in text(table)
    assert "Pilot teams (2) and the rest of the organisation (2)" in text(table)
    assert "Check-in rate 44% 12 of 27 weeks 75% 12 of 16 weeks" in text(table)
    assert "People with OKRs 66% 2 of 3 people 100% 2 of 2 people" in text(table)
    assert "pilot" in row(html, "adoption-team-data")
    # The cycle picker keeps the choice.
    assert f'name="pilot" value="{adopted.platform.pk}"' in html


def test_the_pilot_is_the_latest_plans_first_phase(adopted: Adopted) -> None:
    acme = adopted.world.acme
    plan = RolloutPlan.objects.create(organisation=acme, title="Rollout")
    phase = RolloutPhase.objects.create(
        organisation=acme,
        plan=plan,
        name="Platform pilot",
        starts_on=TODAY,
        ends_on=TODAY,
        expected_weeks=8,
    )
    PhaseTeam.objects.create(phase=phase, team=adopted.platform, with_subtree=True)
    html = page(logged_in(adopted.world.dave), url(adopted))
    said = text(section(html, "adoption-pilot-title"))
    assert "“Platform pilot”" in said and "Pilot teams (2)" in said
    picked = page(logged_in(adopted.world.dave), url(adopted, pilot=adopted.mobile.pk))
    assert "The teams you picked: Mobile" in text(section(picked, "adoption-pilot-title"))


# --- HTMX and the trend ---------------------------------------------------------------------


def test_htmx_gets_the_body_for_another_cycle_and_the_trend_on_its_own(adopted: Adopted) -> None:
    client = logged_in(adopted.world.alice)
    body = client.get(url(adopted, adopted.q3), headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="adoption-body">') and "<html" not in body
    assert "2026 Q3" in body and 'hx-trigger="load"' in body
    trend = client.get(url(adopted, part="trend"), headers=HTMX).content.decode()
    assert trend.lstrip().startswith('<section id="adoption-trend"') and "<html" not in trend
    assert "<svg" in trend and "<script" not in trend and "style=" not in trend
    assert "2026 Q3: check-in rate 24%, outcome share 50%" in trend  # the chart in words
    assert row(trend, f"adoption-trend-{adopted.q4.pk}").startswith(" 2026 Q4 75% 3 of 4 teams")


def test_without_javascript_the_trend_is_a_link_to_the_whole_page_with_it(
    adopted: Adopted,
) -> None:
    client = logged_in(adopted.world.dave)
    html = page(client, url(adopted))
    assert f"?cycle={adopted.q4.pk}&amp;part=trend" in html and "<svg" not in html
    full = page(client, url(adopted, part="trend"))
    assert "<svg" in full and 'id="adoption-trend-table"' in full
    assert_strict_page(client.get(url(adopted, part="trend")))


# --- queries --------------------------------------------------------------------------------


def count(client: Client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as context:
        response = client.get(address)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_page_costs_the_same_queries_for_3_teams_as_for_30(adopted: Adopted) -> None:
    client = logged_in(adopted.world.alice)
    few = [count(client, url(adopted)), count(client, url(adopted, part="trend"))]
    grow(adopted.world, adopted.q4, 26)
    many = [count(client, url(adopted)), count(client, url(adopted, part="trend"))]
    assert few == many
    assert re.search(r"Level 1 2[78] ", text(page(client, url(adopted))))
