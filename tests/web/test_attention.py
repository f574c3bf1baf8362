"""The needs-attention pages: open flags of the organisation or a team, most urgent
first, with the next step offered in place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.goals.models import CheckIn
from headway.insights.models import Flag
from headway.insights.services import flags_refresh
from tests.conftest import World, logged_in
from tests.factories import TeamFactory
from tests.flagged import Flagged, build, more_overdue
from tests.web.test_csp import assert_strict_page

HTMX = {"HX-Request": "true"}
ORG = "/o/acme/attention/"
TEAM = "/o/acme/teams/{}/attention/"


@pytest.fixture
def flagged(world: World) -> Flagged:
    data = build(world)
    flags_refresh(world.acme)
    flags_refresh(world.globex)
    return data


def page(client: Client, url: str, status: int = 200, **headers: Any) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def flag_of(data: Flagged, kind: str) -> Flag:
    key_result = {"stall": data.stalled, "watermelon": data.melon, "overdue": data.overdue}[kind]
    return Flag.objects.get(key_result=key_result, kind=kind, resolved_at=None)


def row_of(html: str, flag: Flag) -> str:
    start = html.index(f'id="flag-{flag.pk}"')
    end = html.find('class="attention-row', start)
    return html[start : end if end > 0 else len(html)]


# Lists


def test_the_organisation_page_lists_open_flags_most_urgent_first(flagged: Flagged) -> None:
    html = page(logged_in(flagged.world.alice), ORG)
    urgent_first = Flag.objects.filter(organisation=flagged.world.acme).order_by("-severity", "pk")
    positions = [html.index(f'id="flag-{flag.pk}"') for flag in urgent_first]
    assert positions == sorted(positions)
    assert "Term sheets signed" in html  # alice is in the root team
    assert "Deploys automated" not in html  # on pace: nothing to see
    assert "Globex shippers" not in html
    assert "4 open flags" in text(html)


def test_a_row_says_what_why_since_when_and_the_status_in_words(flagged: Flagged) -> None:
    html = page(logged_in(flagged.world.bob), ORG)
    row = text(row_of(html, flag_of(flagged, "stall")))
    assert "Stalled measure" in row
    assert "Weekly active shippers" in row
    assert "Ship without fear · Platform" in row
    stall = flag_of(flagged, "stall")
    assert stall.reason.startswith("No movement in 3 check-ins over 2 weeks; 10% done, ")
    assert stall.reason in row
    assert "Open since" in row
    assert "Off track" in row  # the status is written, not only coloured
    melon = text(row_of(html, flag_of(flagged, "watermelon")))
    assert flag_of(flagged, "watermelon").reason in melon
    assert "Confidence 9/10 but 10% done where" in melon
    overdue = text(row_of(html, flag_of(flagged, "overdue")))
    assert "No check-in for 20 days (due every 7 days)." in overdue
    assert "On track" in overdue


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_the_pages_open_with_a_strict_policy(flagged: Flagged, persona: str) -> None:
    client = logged_in(getattr(flagged.world, persona))
    for url in (ORG, TEAM.format("platform"), TEAM.format("acme")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_page(response)
        assert " style=" not in response.content.decode()


def test_private_objectives_flags_are_hidden_from_other_teams(flagged: Flagged) -> None:
    for persona in ("bob", "dave"):
        client = logged_in(getattr(flagged.world, persona))
        for url in (ORG, TEAM.format("acme")):
            html = page(client, url)
            assert "Term sheets signed" not in html, (persona, url)
            assert "Buy a competitor" not in html
    assert "3 open flags" in text(page(logged_in(flagged.world.bob), ORG))


def test_the_outsider_gets_404_everywhere(flagged: Flagged) -> None:
    charlie = logged_in(flagged.world.charlie)
    stall = flag_of(flagged, "stall")
    for url in (ORG, TEAM.format("platform")):
        assert charlie.get(url).status_code == 404
    posts = (
        f"{ORG}refresh/",
        TEAM.format("platform") + "refresh/",
        f"{ORG}flags/{stall.pk}/check-in/",
    )
    for url in posts:
        assert charlie.post(url, {"value": "99", "confidence": "5"}).status_code == 404
    # Not through charlie's own organisation either.
    response = charlie.post(
        f"/o/globex/attention/flags/{stall.pk}/check-in/", {"value": "99", "confidence": "5"}
    )
    assert response.status_code == 404
    assert CheckIn.objects.filter(key_result=flagged.stalled).count() == 4
    html = page(charlie, "/o/globex/attention/")
    assert "Globex shippers" in html
    assert "Weekly active shippers" not in html


def test_it_filters_by_kind_with_counts(flagged: Flagged) -> None:
    client = logged_in(flagged.world.alice)
    kinds = text(page(client, ORG))
    assert "All 4" in kinds
    assert "Stalled measure 1" in kinds
    assert "Overdue check-in 2" in kinds
    assert "Watermelon 1" in kinds
    html = page(client, f"{ORG}?kind=overdue")
    assert "Runbooks written" in html and "Term sheets signed" in html
    assert "Weekly active shippers" not in html
    assert "Net promoter score" not in html
    # An unknown kind shows everything.
    assert "Net promoter score" in page(client, f"{ORG}?kind=nonsense")


def test_htmx_asks_for_only_the_list(flagged: Flagged) -> None:
    html = page(logged_in(flagged.world.bob), f"{ORG}?kind=stall", **HTMX)
    assert html.lstrip().startswith('<div id="attention">')
    assert "<html" not in html
    assert "Weekly active shippers" in html


def test_the_team_page_covers_its_sub_teams(flagged: Flagged) -> None:
    alice = logged_in(flagged.world.alice)
    root = page(alice, TEAM.format("acme"))
    assert "Weekly active shippers" in root  # Platform sits under the root team
    assert "Term sheets signed" in root
    platform = page(alice, TEAM.format("platform"))
    assert "Weekly active shippers" in platform
    assert "Term sheets signed" not in platform
    TeamFactory(organisation=flagged.world.acme, name="Data", slug="data")
    assert "Nothing needs attention in Data" in text(page(alice, TEAM.format("data")))


def test_the_team_page_and_the_nav_link_to_the_lists(flagged: Flagged) -> None:
    bob = logged_in(flagged.world.bob)
    team = page(bob, "/o/acme/teams/platform/")
    assert 'href="/o/acme/teams/platform/attention/"' in team
    assert "3 need attention" in text(team)
    assert 'href="/o/acme/attention/"' in team  # the nav
    quiet = page(bob, "/o/acme/teams/platform/", **HTMX)  # the objectives partial still works
    assert "Ship without fear" in quiet


# Next steps


def test_a_row_offers_the_next_steps_to_a_member_of_the_team(flagged: Flagged) -> None:
    stall = flag_of(flagged, "stall")
    row = row_of(page(logged_in(flagged.world.bob), ORG), stall)
    kr = flagged.stalled.pk
    assert f'hx-post="/o/acme/attention/flags/{stall.pk}/check-in/"' in row
    assert f'hx-target="#flag-{stall.pk}"' in row
    assert f'href="/o/acme/key-results/{kr}/pivot/?flag={stall.pk}&amp;next=' in row
    assert f'href="/o/acme/objectives/{flagged.platform.pk}/#initiatives"' in row
    assert f'href="/o/acme/key-results/{kr}/target/?next=' in row


def test_a_viewer_reads_the_rows_without_actions(flagged: Flagged) -> None:
    html = page(logged_in(flagged.world.dave), ORG)
    assert "Weekly active shippers" in html
    assert "/attention/flags/" not in html
    assert "/pivot/" not in html
    assert "/target/" not in html
    assert "Refresh now" not in html


def test_a_recorded_pivot_shows_its_date_and_links_to_it(flagged: Flagged) -> None:
    stall = flag_of(flagged, "stall")
    pivot = services.pivot_record(
        member=flagged.world.bob,
        key_result_id=flagged.stalled.pk,
        tried="Onboarding calls",
        learned="Shippers drop at the invoice step",
        next_step="Fix the invoice step",
        flag_id=stall.pk,
    )
    row = row_of(page(logged_in(flagged.world.bob), ORG), stall)
    assert f"Pivot recorded {pivot.created_at:%-d %b %Y}" in text(row)
    assert f"#pivot-{pivot.pk}" in row
    assert "/pivot/?flag=" not in row


# The check-in service refreshes the flags once its transaction commits, before the
# view renders the row: these tests commit for real (a test transaction would hold the
# callback until the response is rendered).


@pytest.mark.django_db(transaction=True)
def test_an_inline_check_in_with_movement_resolves_the_stall(flagged: Flagged) -> None:
    stall = flag_of(flagged, "stall")
    response = logged_in(flagged.world.bob).post(
        f"{ORG}flags/{stall.pk}/check-in/",
        {"key_result": flagged.stalled.pk, "value": "58", "confidence": "6", "note": "Moving"},
        headers=HTMX,
    )
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<li class="attention-row flag-stall resolved" id="flag-{stall.pk}"'
    )
    assert "This flag is resolved." in text(html)
    stall.refresh_from_db()
    assert stall.resolved_at is not None
    assert CheckIn.objects.filter(key_result=flagged.stalled).count() == 5


@pytest.mark.django_db(transaction=True)
def test_an_inline_check_in_that_changes_little_keeps_the_flag_open(flagged: Flagged) -> None:
    melon = flag_of(flagged, "watermelon")
    response = logged_in(flagged.world.bob).post(
        f"{ORG}flags/{melon.pk}/check-in/",
        {"key_result": flagged.melon.pk, "value": "12", "confidence": "9"},
        headers=HTMX,
    )
    html = text(response.content.decode())
    assert "The flag still holds: Confidence 9/10 but 12% done" in html
    melon.refresh_from_db()
    assert melon.is_open


def test_an_inline_check_in_without_javascript_redirects_back(flagged: Flagged) -> None:
    stall = flag_of(flagged, "stall")
    response = logged_in(flagged.world.bob).post(
        f"{ORG}flags/{stall.pk}/check-in/",
        {
            "key_result": flagged.stalled.pk,
            "value": "58",
            "confidence": "6",
            "next": f"{ORG}?kind=stall",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ORG}?kind=stall"
    evil = logged_in(flagged.world.bob).post(
        f"{ORG}flags/{stall.pk}/check-in/",
        {
            "key_result": flagged.stalled.pk,
            "value": "60",
            "confidence": "6",
            "next": "https://evil.test/",
        },
    )
    assert evil["Location"] == ORG


def test_an_invalid_inline_check_in_shows_its_errors_and_saves_nothing(flagged: Flagged) -> None:
    stall = flag_of(flagged, "stall")
    client = logged_in(flagged.world.bob)
    data = {"key_result": flagged.stalled.pk, "value": "lots", "confidence": "6"}
    response = client.post(f"{ORG}flags/{stall.pk}/check-in/", data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="flag-{stall.pk}-value_error"' in html
    assert "is not a number" in text(html)
    assert '<details class="attention-checkin" open>' in html
    plain = client.post(f"{ORG}flags/{stall.pk}/check-in/", data)
    assert plain.status_code == 422
    assert "is not a number" in text(plain.content.decode())
    assert CheckIn.objects.filter(key_result=flagged.stalled).count() == 4


def test_a_viewer_cannot_check_in_or_refresh(flagged: Flagged) -> None:
    dave = logged_in(flagged.world.dave)
    stall = flag_of(flagged, "stall")
    data = {"key_result": flagged.stalled.pk, "value": "58", "confidence": "6"}
    assert dave.post(f"{ORG}flags/{stall.pk}/check-in/", data).status_code == 403
    assert dave.post(f"{ORG}refresh/").status_code == 403
    assert dave.post(TEAM.format("platform") + "refresh/").status_code == 403
    assert CheckIn.objects.filter(key_result=flagged.stalled).count() == 4


def test_a_member_of_another_team_cannot_check_in_on_its_key_result(flagged: Flagged) -> None:
    other = TeamFactory(organisation=flagged.world.acme, name="Data", slug="data")
    from tests.factories import MembershipFactory, TeamMembershipFactory, UserFactory

    erin = MembershipFactory(organisation=flagged.world.acme, user=UserFactory(), role="member")
    TeamMembershipFactory(team=other, user=erin.user)
    stall = flag_of(flagged, "stall")
    client = logged_in(erin)
    assert "/check-in/" not in row_of(page(client, ORG), stall)
    data = {"key_result": flagged.stalled.pk, "value": "58", "confidence": "6"}
    assert client.post(f"{ORG}flags/{stall.pk}/check-in/", data).status_code == 403


# Refresh now


def test_an_admin_refreshes_the_organisation(world: World) -> None:
    build(world)
    assert not Flag.objects.exists()
    client = logged_in(world.alice)
    response = client.post(f"{ORG}refresh/", follow=True)
    assert response.status_code == 200
    assert "Flags refreshed: 5 key results analysed: 4 flags opened" in text(
        response.content.decode()
    )
    assert Flag.objects.filter(organisation=world.acme, resolved_at=None).count() == 4
    assert not Flag.objects.filter(organisation=world.globex).exists()
    assert logged_in(world.bob).post(f"{ORG}refresh/").status_code == 403
    assert client.get(f"{ORG}refresh/").status_code == 405


def test_a_member_refreshes_their_team_only(world: World) -> None:
    build(world)
    response = logged_in(world.bob).post(TEAM.format("platform") + "refresh/")
    assert response.status_code == 302
    assert response["Location"] == TEAM.format("platform")
    flagged = set(Flag.objects.values_list("key_result__title", flat=True))
    assert flagged == {"Weekly active shippers", "Net promoter score", "Runbooks written"}


def test_the_refresh_button_shows_to_those_who_may_use_it(flagged: Flagged) -> None:
    assert "Refresh now" in page(logged_in(flagged.world.alice), ORG)
    assert "Refresh now" not in page(logged_in(flagged.world.bob), ORG)
    assert "Refresh now" in page(logged_in(flagged.world.bob), TEAM.format("platform"))


# Paging and queries


def queries_for(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_run_the_same_queries_for_3_and_30_flags(flagged: Flagged) -> None:
    client = logged_in(flagged.world.bob)
    urls = (ORG, TEAM.format("platform"), TEAM.format("acme"), f"{ORG}?kind=overdue")
    small = {url: queries_for(client, url) for url in urls}
    more_overdue(flagged.world, flagged.quarter, 27)
    flags_refresh(flagged.world.acme)
    assert Flag.objects.filter(resolved_at=None, organisation=flagged.world.acme).count() == 31
    large = {url: queries_for(client, url) for url in urls}
    assert large == small


def test_it_pages_long_lists_and_keeps_the_kind(flagged: Flagged) -> None:
    more_overdue(flagged.world, flagged.quarter, 30)
    flags_refresh(flagged.world.acme)
    client = logged_in(flagged.world.bob)
    first = page(client, f"{ORG}?kind=overdue")
    assert "31 open flags · page 1 of 2" in text(first)
    assert 'href="?page=2&amp;kind=overdue"' in first
    second = page(client, f"{ORG}?kind=overdue&page=2")
    assert second.count('class="attention-row') == 6
