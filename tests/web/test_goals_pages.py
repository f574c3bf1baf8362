"""The goals pages that read: my work, the team page's objectives, the objective page."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from headway.goals import services
from headway.goals.models import Objective
from tests.conftest import logged_in
from tests.factories import TeamFactory, TeamMembershipFactory
from tests.web.conftest import Okrs
from tests.web.test_csp import assert_strict_page

HTMX = {"HX-Request": "true"}


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def text(html: str) -> str:
    """What a person reads: the HTML without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def objectives_of(html: str) -> str:
    """The team page's objectives section."""
    return html[html.index('id="team-objectives"') : html.index('id="team-activity-title"')]


def pages(okrs: Okrs) -> dict[str, str]:
    return {
        "my work": okrs.url(),
        "team": okrs.url("teams/platform/"),
        "objective": okrs.url(f"objectives/{okrs.platform.pk}/"),
        "check-in": okrs.url("check-in/"),
        "team check-in": okrs.url("teams/platform/check-in/"),
    }


# Access


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_every_goals_page_opens_for_members_with_a_strict_policy(okrs: Okrs, persona: str) -> None:
    client = logged_in(getattr(okrs.world, persona))
    for name, url in pages(okrs).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_strict_page(response)
        html = response.content.decode()
        assert "<style" not in html and " style=" not in html, name


def test_the_outsider_gets_404_on_every_goals_page(okrs: Okrs) -> None:
    client = logged_in(okrs.world.charlie)
    for name, url in pages(okrs).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert "Ship without fear" not in response.content.decode()


def test_the_outsider_cannot_reach_an_acme_objective_through_globex(okrs: Okrs) -> None:
    client = logged_in(okrs.world.charlie)
    assert client.get(f"/o/globex/objectives/{okrs.platform.pk}/").status_code == 404
    assert client.get(f"/o/globex/objectives/{okrs.globex.pk}/").status_code == 200


def test_a_private_objective_is_hidden_from_people_outside_its_team(okrs: Okrs) -> None:
    url = okrs.url(f"objectives/{okrs.secret.pk}/")
    assert logged_in(okrs.world.bob).get(url).status_code == 404
    assert "Buy a competitor" not in page(logged_in(okrs.world.bob), okrs.url("teams/acme/"))
    assert "Buy a competitor" in page(logged_in(okrs.world.alice), okrs.url("teams/acme/"))
    assert logged_in(okrs.world.alice).get(url).status_code == 200


# My work


def test_my_work_lists_my_objectives_and_what_is_due(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.bob), okrs.url())
    assert "<h1>My work</h1>" in html
    # Bob's team's and his own objectives in the running cycles; not the root team's.
    assert "Ship without fear" in html
    assert "Grow as an engineer" in html
    assert "Win the mid-market" not in html
    assert 'aria-label="Progress of Ship without fear"' in html
    due = html[html.index('id="due"') : html.index('id="my-objectives"')]
    assert "Deploys a week" in due
    assert "Give a talk at the meetup" in due
    assert "Incidents a month" not in due  # checked in two days ago
    assert 'href="/o/acme/check-in/"' in due


def test_my_work_shows_the_year_objectives_of_my_teams(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.alice), okrs.url())
    assert "Win the mid-market" in html
    assert "Buy a competitor" in html
    assert "Ship without fear" not in html


def test_my_work_says_when_no_cycle_is_running(world) -> None:  # type: ignore[no-untyped-def]
    html = page(logged_in(world.bob), "/o/acme/")
    assert "No cycle is running today" in html
    assert "Nothing is due" in html


def test_the_nav_leads_to_the_check_in(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.bob), okrs.url("check-in/"))
    assert re.search(r'<a href="/o/acme/check-in/"\s+aria-current="page">Check-in</a>', html)


# Team page


def test_the_team_page_shows_its_objectives_with_key_results_and_activity(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.dave), okrs.url("teams/platform/"))
    objectives = objectives_of(html)
    assert "Ship without fear" in objectives
    assert "Deploys a week" in objectives
    assert "5 deploys (target 10 deploys)" in text(objectives)  # current and target, with the unit
    assert "7/10" in objectives  # confidence
    last = timezone.localtime(okrs.deploys.last_checkin_at)  # type: ignore[arg-type]
    assert f'datetime="{last.isoformat()}"' in objectives
    assert "Grow as an engineer" not in objectives  # a person's, not the team's
    activity = html[html.index('id="team-activity-title"') :]
    assert "checked in" in activity
    assert f'href="/o/acme/objectives/{okrs.platform.pk}/"' in activity
    # Viewers get no write links.
    assert "New objective" not in html


def test_the_team_page_shows_another_cycle_on_request(okrs: Okrs) -> None:
    later = services.cycle_create(
        member=okrs.world.alice,
        name="Next quarter",
        kind="quarter",
        start_date=okrs.quarter.end_date + dt.timedelta(days=1),
        end_date=okrs.quarter.end_date + dt.timedelta(days=90),
        status="planning",
    )
    services.objective_create(
        member=okrs.world.bob,
        cycle_id=later.pk,
        owner_team_id=okrs.world.platform.pk,
        title="Self-service environments",
    )
    client = logged_in(okrs.world.bob)
    assert "Self-service environments" not in objectives_of(
        page(client, okrs.url("teams/platform/"))
    )
    html = objectives_of(page(client, okrs.url(f"teams/platform/?cycle={later.pk}")))
    assert "Self-service environments" in html
    assert "Ship without fear" not in html
    assert f'<option value="{later.pk}" selected>' in page(
        client, okrs.url(f"teams/platform/?cycle={later.pk}")
    )


def test_htmx_asks_for_only_the_team_objectives(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).get(
        okrs.url(f"teams/platform/?cycle={okrs.quarter.pk}"), headers=HTMX
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="team-objectives">')
    assert "Ship without fear" in html
    assert "<html" not in html


def test_an_unknown_cycle_falls_back_to_the_current_one(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.bob), okrs.url("teams/platform/?cycle=nope"))
    assert "Ship without fear" in html


# Objective page


class Svgs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs))


def test_the_objective_page_shows_key_results_charts_alignment_and_activity(okrs: Okrs) -> None:
    services.initiative_create(
        member=okrs.world.bob,
        title="Automate the release checklist",
        key_result_ids=[okrs.deploys.pk],
    )
    html = page(logged_in(okrs.world.bob), okrs.url(f"objectives/{okrs.platform.pk}/"))
    assert "<h1>Ship without fear" in html
    assert f'id="kr-{okrs.deploys.pk}"' in html
    assert f'id="kr-{okrs.incidents.pk}"' in html
    # One chart per key result, labelled for screen readers, with the pace line.
    parser = Svgs()
    parser.feed(html)
    assert len(parser.svgs) == 2
    for svg in parser.svgs:
        assert svg["role"] == "img"
        assert svg["aria-labelledby"]
    assert (
        f'<title id="chart-kr-{okrs.deploys.pk}-title">Deploys a week: value over the cycle</title>'
        in html
    )
    assert "2 check-ins; latest 5 deploys" in html
    assert html.count('class="chart-pace"') == 2
    # Alignment up (the yearly objective) and initiatives.
    alignment = html[html.index('id="alignment"') : html.index('id="initiatives"')]
    assert "Win the mid-market" in alignment
    assert f'href="/o/acme/objectives/{okrs.company.pk}/"' in alignment
    assert "contributes" in alignment
    assert "Automate the release checklist" in html
    # Activity and the write links for a member of the owning team.
    assert "checked in" in html
    assert f'href="/o/acme/objectives/{okrs.platform.pk}/edit/"' in html


def test_the_objective_page_shows_children_and_themes(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.alice), okrs.url(f"objectives/{okrs.company.pk}/"))
    alignment = html[html.index('id="alignment"') : html.index('id="initiatives"')]
    assert "Grow in the mid-market" in alignment  # the theme above
    below = alignment[alignment.index("Aligned below") :]
    assert "Ship without fear" in below
    assert "Platform" in below


def test_a_viewer_reads_the_objective_page_without_write_links(okrs: Okrs) -> None:
    html = page(logged_in(okrs.world.dave), okrs.url(f"objectives/{okrs.platform.pk}/"))
    assert "Ship without fear" in html
    assert "/edit/" not in html
    assert "Add key result" not in html


def test_a_private_child_is_not_listed_below_a_public_parent(okrs: Okrs) -> None:
    hidden = services.objective_create(
        member=okrs.world.alice,
        cycle_id=okrs.quarter.pk,
        owner_team_id=okrs.world.root.pk,
        title="Quiet restructuring",
        visibility="private",
    )
    services.alignment_link_create(
        member=okrs.world.alice, child=hidden, parent_type="objective", parent_id=okrs.company.pk
    )
    url = okrs.url(f"objectives/{okrs.company.pk}/")
    assert "Quiet restructuring" not in page(logged_in(okrs.world.bob), url)
    assert "Quiet restructuring" in page(logged_in(okrs.world.alice), url)


# Query counts


def queries_for(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_objectives(okrs: Okrs, first: int, last: int) -> None:
    """Platform objectives number `first` to `last - 1`, each with a key result, a check-in, a link to
    the company objective and an initiative."""
    bob = okrs.world.bob
    for n in range(first, last):
        objective = services.objective_create(
            member=bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=okrs.world.platform.pk,
            title=f"Objective {n}",
            key_results=[{"title": f"Measure {n}", "start_value": 0, "target_value": 10}],
        )
        kr = objective.key_results.get()
        services.checkin_create(member=bob, key_result_id=kr.pk, value=n % 10, confidence=5)
        services.alignment_link_create(
            member=bob, child=objective, parent_type="objective", parent_id=okrs.company.pk
        )
        services.initiative_create(member=bob, title=f"Work {n}", key_result_ids=[kr.pk])


def add_key_results(objective: Objective, okrs: Okrs, first: int, last: int) -> None:
    """Key results number `first` to `last - 1` on one objective, each with check-ins and an initiative."""
    bob = okrs.world.bob
    for n in range(first, last):
        kr = services.key_result_create(
            member=bob,
            objective=objective,
            title=f"Measure {n}",
            start_value=0,
            target_value=10,
        )
        for value in (1, 2):
            services.checkin_create(member=bob, key_result_id=kr.pk, value=value, confidence=5)
        services.initiative_create(member=bob, title=f"Work {n}", key_result_ids=[kr.pk])


def test_my_work_and_the_team_page_run_the_same_queries_for_3_and_30_objectives(
    okrs: Okrs,
) -> None:
    client = logged_in(okrs.world.bob)
    add_objectives(okrs, 0, 3)
    small = {url: queries_for(client, url) for url in (okrs.url(), okrs.url("teams/platform/"))}
    add_objectives(okrs, 3, 30)
    large = {url: queries_for(client, url) for url in small}
    assert large == small
    html = page(client, okrs.url("teams/platform/"))
    assert "Objective 29" in html, objectives_of(html)


def test_the_objective_page_runs_the_same_queries_for_3_and_30_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    parent = okrs.url(f"objectives/{okrs.company.pk}/")
    child = okrs.url(f"objectives/{okrs.platform.pk}/")
    add_key_results(okrs.platform, okrs, 0, 3)
    add_objectives(okrs, 0, 3)  # children of the company objective
    small = {url: queries_for(client, url) for url in (parent, child)}
    add_key_results(okrs.platform, okrs, 3, 30)
    add_objectives(okrs, 3, 30)
    large = {url: queries_for(client, url) for url in small}
    assert large == small
    assert page(client, child).count("<svg") == 2 + 30


def test_the_team_page_shows_only_that_team_objectives(okrs: Okrs) -> None:
    """Another team of the same person stays on its own page."""
    other = TeamFactory(
        organisation=okrs.world.acme, name="Data", slug="data", parent=okrs.world.root
    )
    TeamMembershipFactory(team=other, user=okrs.world.bob.user)
    services.objective_create(
        member=okrs.world.bob, cycle_id=okrs.quarter.pk, owner_team_id=other.pk, title="Clean data"
    )
    html = page(logged_in(okrs.world.bob), okrs.url("teams/platform/"))
    assert "Clean data" not in html


def test_going_back_to_a_pushed_cycle_url_gets_the_whole_page(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).get(
        okrs.url(f"teams/platform/?cycle={okrs.quarter.pk}"),
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_a_history_restore_request_gets_the_whole_page_not_a_fragment(world):
    from tests.conftest import logged_in

    client = logged_in(world.bob)
    response = client.get(
        f"/o/acme/teams/{world.platform.slug}/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert response.status_code == 200
    assert b"<html" in response.content


def test_the_objective_page_lists_fifty_children_and_links_to_the_rest(world):
    from headway.goals import services
    from tests.conftest import logged_in
    from tests.okrs import build

    okrs = build(world)
    for n in range(53):
        child = services.objective_create(
            member=world.alice,
            cycle_id=okrs.quarter.pk,
            owner_team_id=world.platform.pk,
            title=f"Child {n:02}",
        )
        services.alignment_link_create(
            member=world.alice,
            child=child,
            parent_type="objective",
            parent_id=okrs.company.pk,
            kind="supports",
        )
    page = logged_in(world.alice).get(f"/o/acme/objectives/{okrs.company.pk}/").content.decode()
    assert "Child 49" in page and "Child 50" not in page
    assert "4 more aligned below" in page  # 53 children plus Platform's objective
    assert f"/o/acme/alignment/objectives/{okrs.company.pk}/" in page


# Course correction on the goals pages: pace status, forecast, flags


def course_of(html: str, key_result_id: int) -> str:
    """What the objective page says under one key result about its pace and forecast."""
    start = html.index(f'id="kr-{key_result_id}-course"')
    return text(html[start : html.index("</div>", start)])


def chart_of(html: str, key_result_id: int) -> str:
    start = html.index(f'aria-labelledby="chart-kr-{key_result_id}-title')
    return html[start : html.index("</svg>", start)]


def test_the_objective_page_shows_each_key_results_status_and_forecast(okrs: Okrs) -> None:
    services.checkin_create(
        member=okrs.world.bob,
        key_result_id=okrs.deploys.pk,
        value=6,
        confidence=7,
        at=timezone.now() - dt.timedelta(days=6),
    )
    html = page(logged_in(okrs.world.bob), okrs.url(f"objectives/{okrs.platform.pk}/"))
    deploys = course_of(html, okrs.deploys.pk)
    pace = paces(okrs)[okrs.deploys.pk]
    assert pace.status_label == "On track"  # 6 of 2 → 10 is 50% done
    assert f"On track {round(pace.expected * 100)}% expected" in deploys
    assert re.search(r"Forecast [\d.]+ deploys \(80%: [\d.]+–[\d.]+\), \d+% chance", deploys)
    assert "chance of reaching 10 deploys" in deploys
    incidents = course_of(html, okrs.incidents.pk)
    assert "Not enough data: 1 check-in, 3 needed" in incidents
    # The status is in words (with an icon for sighted readers), never colour alone.
    assert '<span class="visually-hidden">Pace: </span>On track</span>' in html


def test_the_chart_draws_the_forecast_band_and_the_planned_pace(okrs: Okrs) -> None:
    services.checkin_create(
        member=okrs.world.bob,
        key_result_id=okrs.deploys.pk,
        value=6,
        confidence=7,
        at=timezone.now() - dt.timedelta(days=6),
    )
    today = timezone.localdate()
    plan = [[str(today - dt.timedelta(days=10)), 10], [str(today + dt.timedelta(days=30)), 5]]
    # No service edits a plan yet: set it on the row for the page to draw.
    okrs.incidents.__class__.objects.filter(pk=okrs.incidents.pk).update(plan=plan)
    html = page(logged_in(okrs.world.bob), okrs.url(f"objectives/{okrs.platform.pk}/"))
    deploys = chart_of(html, okrs.deploys.pk)
    assert 'class="chart-forecast-band"' in deploys
    assert "Chance of reaching the target:" in deploys
    incidents = chart_of(html, okrs.incidents.pk)
    assert 'class="chart-forecast-band"' not in incidents  # one check-in: no forecast
    pace = re.search(r'class="chart-pace" points="([^"]+)"', incidents)
    assert pace is not None
    assert len(pace.group(1).split()) == 3  # the start, then the two planned values
    assert "The pace follows the planned values." in incidents


def test_the_objective_page_lists_open_flags_with_their_reasons(okrs: Okrs) -> None:
    from headway.insights.services import flags_refresh

    flags_refresh(okrs.world.acme)
    url = okrs.url(f"objectives/{okrs.company.pk}/")
    html = page(logged_in(okrs.world.alice), url)
    course = course_of(html, okrs.revenue.pk)
    assert "Overdue check-in" in course
    assert "No check-in yet, 200 days into the cycle (due every 7 days)." in course
    assert f"/o/acme/key-results/{okrs.revenue.pk}/pivot/?flag=" in html
    viewer = page(logged_in(okrs.world.dave), url)
    assert "No check-in yet, 200 days into the cycle" in viewer
    assert "/pivot/?flag=" not in viewer


def test_the_team_page_and_the_check_in_screens_show_each_key_results_status(
    okrs: Okrs,
) -> None:
    client = logged_in(okrs.world.bob)
    label = paces(okrs)[okrs.deploys.pk].status_label
    team = text(objectives_of(page(client, okrs.url("teams/platform/"))))
    assert re.search(rf"Deploys a week [\d% ]+ \S Pace: {label} ", team), team
    partial = client.get(okrs.url("teams/platform/"), headers=HTMX).content.decode()
    assert "<html" not in partial and "Pace:" in text(partial)
    for url in (okrs.url("check-in/"), okrs.url("teams/platform/check-in/")):
        screen = text(page(client, url))
        assert re.search(rf"Deploys a week \S Pace: {label} ", screen), url


def paces(okrs: Okrs) -> dict[int, Any]:
    from headway.goals.models import KeyResult
    from headway.insights.selectors import key_result_insights

    return key_result_insights(okrs.world.acme, KeyResult.objects.filter(objective=okrs.platform))
