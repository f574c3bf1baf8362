"""The weekly check-in screen: one row per due key result, saved row by row with HTMX or
by plain posts, idempotent, with errors in the row."""

from __future__ import annotations

import math
import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.goals.models import CheckIn
from tests.conftest import logged_in
from tests.web.conftest import Okrs, goals_snapshot

HTMX = {"HX-Request": "true"}
MINE = "/o/acme/check-in/"
TEAM = "/o/acme/teams/platform/check-in/"


def row_of(html: str, key_result_id: int) -> str:
    """The <li> of one key result on the screen."""
    start = html.index(f'id="kr-{key_result_id}"')
    return html[start : html.index("</li>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def checkin(okrs: Okrs, **changes: Any) -> dict[str, Any]:
    data = {
        "key_result": okrs.deploys.pk,
        "value": "7",
        "confidence": "8",
        "note": "Canary releases landed",
        "idempotency_key": "row-token-1",
    }
    data.update(changes)
    return data


# The screen


def test_my_screen_has_one_form_per_due_key_result(okrs: Okrs) -> None:
    response = logged_in(okrs.world.bob).get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "My weekly check-in" in html
    assert f'id="kr-{okrs.deploys.pk}"' in html
    assert f'id="kr-{okrs.rust.pk}"' in html  # his own milestone
    assert f'id="kr-{okrs.incidents.pk}"' not in html  # checked in two days ago
    assert f'id="kr-{okrs.revenue.pk}"' not in html  # the root team's
    row = row_of(html, okrs.deploys.pk)
    assert row.count("<form") == 1
    assert f'hx-post="{MINE}"' in row and f'action="{MINE}"' in row
    assert f'hx-target="#kr-{okrs.deploys.pk}"' in row
    assert 'hx-swap="outerHTML"' in row
    assert "5 deploys" in row  # the current value
    # Value, then confidence on the organisation's scale, then note: in that tab order.
    names = re.findall(r'<(?:input|button)[^>]*?(?:name="(\w+)"|type="submit")', row)
    visible = [
        n for n in names if n not in ("csrfmiddlewaretoken", "key_result", "idempotency_key")
    ]
    assert visible == ["value", "confidence", "note", ""]
    assert 'min="0" max="10"' in row
    assert 'value="7"' in row  # the last confidence, ready to keep
    assert "tabindex=" not in row.replace('tabindex="-1"', "")
    # The first row's value has the focus.
    assert "autofocus" in row_of(html, okrs.deploys.pk)
    assert "autofocus" not in row_of(html, okrs.rust.pk)


def test_every_row_carries_its_own_fresh_idempotency_key(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', client.get(MINE).content.decode())
    again = re.findall(r'name="idempotency_key" value="([^"]+)"', client.get(MINE).content.decode())
    assert len(keys) == 2
    assert len(set(keys + again)) == 4
    assert all(len(key) >= 20 for key in keys)


def test_the_team_screen_lists_the_team_key_results_due(okrs: Okrs) -> None:
    html = logged_in(okrs.world.bob).get(TEAM).content.decode()
    assert "Platform: weekly check-in" in html
    assert f'id="kr-{okrs.deploys.pk}"' in html
    assert f'id="kr-{okrs.rust.pk}"' not in html  # bob's own, not the team's
    assert f'hx-post="{TEAM}"' in html


def test_rows_a_member_may_not_check_in_are_read_only(okrs: Okrs) -> None:
    html = logged_in(okrs.world.bob).get("/o/acme/teams/acme/check-in/").content.decode()
    row = row_of(html, okrs.revenue.pk)
    assert "Revenue from mid-sized shippers" in row
    assert "<form" not in row
    assert "but not check in on them" in html
    assert "<form" in row_of(
        logged_in(okrs.world.alice).get("/o/acme/teams/acme/check-in/").content.decode(),
        okrs.revenue.pk,
    )


def test_a_viewer_reads_the_screen_without_forms(okrs: Okrs) -> None:
    html = logged_in(okrs.world.dave).get(TEAM).content.decode()
    assert "Deploys a week" in html
    assert 'name="value"' not in html


def test_nothing_due_says_so(okrs: Okrs) -> None:
    html = logged_in(okrs.world.dave).get(MINE).content.decode()
    assert "Nothing is due" in html


# Saving a row with HTMX


def test_enter_in_a_row_saves_it_and_returns_only_the_row_in_its_saved_state(okrs: Okrs) -> None:
    before = okrs.platform.progress
    response = logged_in(okrs.world.bob).post(MINE, checkin(okrs), headers=HTMX)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert html.lstrip().startswith(f'<li class="checkin-row saved" id="kr-{okrs.deploys.pk}">')
    assert "<html" not in html and "<nav" not in html
    assert 'role="status"' in html and "autofocus" in html
    assert "Deploys a week : 7 deploys, confidence 8 saved." in text(html)
    # The key result and its objective moved at once.
    okrs.deploys.refresh_from_db()
    okrs.platform.refresh_from_db()
    assert okrs.deploys.current_value == 7
    assert okrs.deploys.progress == pytest.approx(5 / 8)
    assert okrs.platform.progress != before
    assert 'aria-label="Progress of Deploys a week">63%' in html
    # The objective's progress on the page is swapped out of band.
    oob = re.search(
        rf'<div id="objective-{okrs.platform.pk}-progress"[^>]*hx-swap-oob="true">(.*?)</div>',
        html,
        re.S,
    )
    assert oob
    assert f">{math.floor(okrs.platform.progress * 100 + 0.5)}%<" in oob.group(1)
    checkin_ = CheckIn.objects.get(key_result=okrs.deploys, value=7)
    assert (checkin_.confidence, checkin_.note, checkin_.author) == (
        8,
        "Canary releases landed",
        okrs.world.bob.user,
    )


def test_a_double_submit_makes_one_check_in(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    first = client.post(MINE, checkin(okrs), headers=HTMX)
    second = client.post(MINE, checkin(okrs), headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert "already saved" in second.content.decode()
    assert CheckIn.objects.filter(key_result=okrs.deploys, value=7).count() == 1
    # Without JavaScript too.
    data = checkin(okrs, idempotency_key="row-token-2", value="8")
    assert client.post(MINE, data).status_code == 302
    assert client.post(MINE, data).status_code == 302
    assert CheckIn.objects.filter(key_result=okrs.deploys, value=8).count() == 1


def test_a_milestone_row_sends_done_with_its_checkbox(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    html = client.get(MINE).content.decode()
    row = row_of(html, okrs.rust.pk)
    assert '<input type="hidden" name="value" value="0">' in row
    assert 'type="checkbox" name="value" value="1"' in row
    data = checkin(okrs, key_result=okrs.rust.pk, value=["0", "1"], idempotency_key="m1")
    assert client.post(MINE, data, headers=HTMX).status_code == 200
    okrs.rust.refresh_from_db()
    okrs.personal.refresh_from_db()
    assert (okrs.rust.current_value, okrs.rust.progress, okrs.personal.progress) == (1, 1, 1)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": "lots"}, "value", "'lots' is not a number"),
        ({"value": ""}, "value", "Enter the key result's new value."),
        ({"confidence": "11"}, "confidence", "Confidence is a whole number from 0 to 10."),
        ({"confidence": "-1"}, "confidence", "Confidence is a whole number from 0 to 10."),
        ({"confidence": "high"}, "confidence", "Confidence is a whole number from 0 to 10."),
    ],
)
def test_bad_input_shows_in_the_row_and_writes_nothing(
    okrs: Okrs, changes: dict[str, str], field: str, message: str
) -> None:
    client = logged_in(okrs.world.bob)
    before = goals_snapshot()
    response = client.post(MINE, checkin(okrs, **changes), headers=HTMX)
    assert response.status_code == 200  # htmx swaps 2xx answers only
    html = unescape(response.content.decode())
    assert html.lstrip().startswith(f'<li class="checkin-row" id="kr-{okrs.deploys.pk}">')
    error = re.search(rf'<p class="error" id="kr-{okrs.deploys.pk}-{field}_error">(.*?)</p>', html)
    assert error and message in error.group(1)
    assert f'aria-describedby="kr-{okrs.deploys.pk}-{field}_error"' in html
    assert 'name="idempotency_key" value="row-token-1"' in html  # the same key for the retry
    assert goals_snapshot() == before

    # Without JavaScript: the whole screen again, the message in the row, nothing written.
    response = client.post(MINE, checkin(okrs, **changes))
    assert response.status_code == 422
    html = unescape(response.content.decode())
    assert message in row_of(html, okrs.deploys.pk)
    assert f'id="kr-{okrs.rust.pk}"' in html
    assert goals_snapshot() == before


def test_without_javascript_a_row_posts_and_comes_back_to_the_screen(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    response = client.post(TEAM, checkin(okrs))
    assert response.status_code == 302
    assert response["Location"] == TEAM
    html = client.get(TEAM).content.decode()
    assert "Checked in Deploys a week: 7 deploys." in html
    assert f'id="kr-{okrs.deploys.pk}"' not in html  # no longer due
    assert "Nothing is due" in html


def test_a_dropped_key_result_is_refused_in_the_row(okrs: Okrs) -> None:
    services.key_result_update(member=okrs.world.bob, key_result=okrs.deploys, status="dropped")
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(MINE, checkin(okrs), headers=HTMX)
    html = unescape(response.content.decode())
    assert "This key result was dropped; check-ins are closed." in html
    assert 'class="errors row-errors" role="alert"' in html
    response = logged_in(okrs.world.bob).post(MINE, checkin(okrs))
    assert response.status_code == 422
    assert "was dropped" in row_of(unescape(response.content.decode()), okrs.deploys.pk)
    assert goals_snapshot() == before


# Who may check in


def test_a_viewer_gets_403_and_writes_nothing(okrs: Okrs) -> None:
    client = logged_in(okrs.world.dave)
    before = goals_snapshot()
    for url in (MINE, TEAM):
        assert client.post(url, checkin(okrs)).status_code == 403
        assert client.post(url, checkin(okrs), headers=HTMX).status_code == 403
    assert goals_snapshot() == before


def test_a_member_cannot_check_in_on_another_team_key_result(okrs: Okrs) -> None:
    before = goals_snapshot()
    response = logged_in(okrs.world.bob).post(MINE, checkin(okrs, key_result=okrs.revenue.pk))
    assert response.status_code == 403
    assert goals_snapshot() == before


def test_the_outsider_gets_404_everywhere(okrs: Okrs) -> None:
    client = logged_in(okrs.world.charlie)
    before = goals_snapshot()
    for url in (MINE, TEAM):
        assert client.get(url).status_code == 404
        assert client.post(url, checkin(okrs)).status_code == 404
    # Acme's key result through Globex's own screen.
    assert client.post("/o/globex/check-in/", checkin(okrs)).status_code == 404
    assert goals_snapshot() == before


@pytest.mark.parametrize("key_result", ["", "abc", "999999"])
def test_an_unknown_key_result_is_404(okrs: Okrs, key_result: str) -> None:
    response = logged_in(okrs.world.bob).post(MINE, checkin(okrs, key_result=key_result))
    assert response.status_code == 404


# Query counts


def queries_for(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_due(okrs: Okrs, first: int, last: int) -> None:
    """Due key results number `first` to `last - 1`: one per Platform objective, and
    one more on bob's own."""
    bob = okrs.world.bob
    for n in range(first, last):
        services.objective_create(
            member=bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=okrs.world.platform.pk,
            title=f"Objective {n}",
            key_results=[{"title": f"Measure {n}", "start_value": 0, "target_value": 10}],
        )
        services.key_result_create(
            member=bob, objective=okrs.personal, title=f"Habit {n}", kind="milestone"
        )


def test_the_screens_run_the_same_queries_for_3_and_30_due_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    add_due(okrs, 0, 3)
    small = {url: queries_for(client, url) for url in (MINE, TEAM)}
    add_due(okrs, 3, 30)
    large = {url: queries_for(client, url) for url in small}
    assert large == small
    assert (
        client.get(MINE).content.decode().count('<form method="post" action="/o/acme/check-in/"')
        == 2 + 60
    )


def test_a_check_in_post_costs_the_same_with_3_and_30_key_results(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    client.get(MINE)
    add_due(okrs, 0, 3)

    def cost(key: str, value: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                MINE, checkin(okrs, idempotency_key=key, value=value), headers=HTMX
            )
            assert response.status_code == 200
        return len(captured)

    small = cost("a", "7")
    add_due(okrs, 3, 30)
    assert cost("b", "9") == small
