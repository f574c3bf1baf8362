"""The close review pages: scores and retrospectives inline (with and without HTMX),
closing with a confirmation, the lock, reopening, carry-over, and the objective page's
score. The OKRs are tests/web/conftest.py's: a running year "FY" and "This quarter"
inside it; Platform (bob's team) has "Ship without fear" in the quarter."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.goals.models import ActivityEvent, Cycle, CycleStatus, KeyResult, Objective
from tests.conftest import logged_in
from tests.factories import CycleFactory
from tests.web.conftest import Okrs, error_of
from tests.web.test_csp import assert_strict_page

HTMX = {"HX-Request": "true"}


def close_url(okrs: Okrs, cycle: Cycle | None = None) -> str:
    return okrs.url(f"cycles/{(cycle or okrs.quarter).pk}/close/")


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, Any] = {
        "cycles": Cycle.objects.values_list("pk", "status", "closed_at"),
        "objectives": Objective.objects.values_list(
            "pk",
            "title",
            "status",
            "version",
            "score_override",
            "score_reason",
            "retro_went_well",
            "retro_learned",
            "retro_next",
        ),
        "key results": KeyResult.objects.values_list(
            "pk", "title", "score_override", "score_reason", "version"
        ),
        "activity": ActivityEvent.objects.values_list("pk"),
    }
    return {name: sorted(rows) for name, rows in tables.items()}


def error_at(response: Any, field_id: str) -> str:
    """The error shown next to the field with this id on the close page."""
    html = response.content.decode()
    marker = f'id="{field_id}_error"'
    assert marker in html, f"no error next to {field_id!r}"
    start = html.index(">", html.index(marker)) + 1
    return unescape(html[start : html.index("</p>", start)])


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def writes(okrs: Okrs) -> dict[str, tuple[str, dict[str, str]]]:
    """Every write of the close pages, with valid data."""
    platform, deploys = okrs.platform, okrs.deploys
    return {
        "key result score": (
            okrs.url(f"key-results/{deploys.pk}/score/"),
            {"score": "0.6", "reason": "A fair guess"},
        ),
        "objective score": (
            okrs.url(f"objectives/{platform.pk}/score/"),
            {"score": "0.6", "reason": "A fair guess"},
        ),
        "retrospective": (
            okrs.url(f"objectives/{platform.pk}/retrospective/"),
            {"went_well": "Canaries", "learned": "", "next": ""},
        ),
        "close": (okrs.url(f"cycles/{okrs.quarter.pk}/close/confirm/"), {}),
        "reopen": (okrs.url(f"cycles/{okrs.quarter.pk}/reopen/"), {"reason": "Oops"}),
        "carry over": (okrs.url(f"objectives/{platform.pk}/carry-over/"), {"cycle_id": "0"}),
    }


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_every_member_reads_the_close_review(okrs: Okrs, persona: str) -> None:
    response = logged_in(getattr(okrs.world, persona)).get(close_url(okrs, okrs.year))
    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert "Win the mid-market" in html
    assert ("Buy a competitor" in html) == (persona == "alice")  # private to the root team


def test_the_outsider_gets_404_on_every_close_page_and_write(okrs: Okrs) -> None:
    client = logged_in(okrs.world.charlie)
    before = snapshot()
    for url in (
        close_url(okrs),
        okrs.url(f"cycles/{okrs.quarter.pk}/close/confirm/"),
        okrs.url(f"objectives/{okrs.platform.pk}/carry-over/"),
    ):
        assert client.get(url).status_code == 404, url
    for name, (url, data) in writes(okrs).items():
        assert client.post(url, data).status_code == 404, name
        assert client.post(url, data, headers=HTMX).status_code == 404, name
    # nor through Globex's own URLs
    globex_url = f"/o/globex/objectives/{okrs.platform.pk}/score/"
    assert client.post(globex_url, {"score": "1", "reason": "x"}).status_code == 404
    assert snapshot() == before


def test_a_viewer_cannot_write_anything(okrs: Okrs) -> None:
    client = logged_in(okrs.world.dave)
    before = snapshot()
    for name, (url, data) in writes(okrs).items():
        assert client.post(url, data).status_code == 403, name
        assert client.post(url, data, headers=HTMX).status_code == 403, name
    assert snapshot() == before
    html = client.get(close_url(okrs)).content.decode()
    assert 'name="score"' not in html and "Close This quarter" not in html


def test_a_member_cannot_close_or_reopen_a_cycle_nor_score_another_team(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    before = snapshot()
    for name in ("close", "reopen"):
        url, data = writes(okrs)[name]
        assert client.post(url, data).status_code == 403, name
    assert client.get(okrs.url(f"cycles/{okrs.quarter.pk}/close/confirm/")).status_code == 403
    for url in (
        okrs.url(f"key-results/{okrs.revenue.pk}/score/"),
        okrs.url(f"objectives/{okrs.company.pk}/score/"),
    ):
        assert client.post(url, {"score": "1", "reason": "Not mine"}).status_code == 403
    assert snapshot() == before
    html = client.get(close_url(okrs)).content.decode()
    assert "An admin closes the cycle" in html and "close/confirm/" not in html


# --- scores and retrospectives -------------------------------------------------------------------


def test_it_saves_a_key_result_score_without_javascript(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url, data = writes(okrs)["key result score"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{close_url(okrs)}#objective-{okrs.platform.pk}"
    okrs.deploys.refresh_from_db()
    assert (okrs.deploys.score_override, okrs.deploys.score_reason) == (0.6, "A fair guess")
    html = client.get(response["Location"]).content.decode()
    assert "Score of “Deploys a week” saved." in unescape(html)
    assert 'value="0.6"' in html


def test_htmx_gets_only_the_objective_card(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url, data = writes(okrs)["key result score"]
    response = client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<article class="card closing-objective" id="objective-{okrs.platform.pk}"'
    )
    assert "<html" not in html and "Saved." in html
    assert 'value="0.6"' in html


def test_an_override_without_a_reason_is_shown_next_to_the_reason(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"key-results/{okrs.deploys.pk}/score/")
    before = snapshot()
    response = client.post(url, {"score": "0.5", "reason": " "})
    assert response.status_code == 422
    assert "Overrides without a reason are refused" in error_at(
        response, f"kr-{okrs.deploys.pk}-score-reason"
    )
    assert 'value="0.5"' in response.content.decode()  # the person's input stays
    response = client.post(url, {"score": "2", "reason": "Too good"}, headers=HTMX)
    assert response.status_code == 200  # htmx swaps the card with its error in place
    html = response.content.decode()
    assert "<html" not in html and "Enter a score from 0.0 to 1.0" in html
    response = client.post(url, {"score": "high", "reason": "Words"})
    assert response.status_code == 422
    assert "Enter a number" in error_at(response, f"kr-{okrs.deploys.pk}-score-score")
    assert snapshot() == before


def test_an_empty_override_goes_back_to_the_computed_score(okrs: Okrs) -> None:
    services.objective_score_set(
        member=okrs.world.bob, objective_id=okrs.platform.pk, score=0.9, reason="Felt right"
    )
    client = logged_in(okrs.world.bob)
    response = client.post(
        okrs.url(f"objectives/{okrs.platform.pk}/score/"), {"score": "", "reason": "Felt right"}
    )
    assert response.status_code == 302
    okrs.platform.refresh_from_db()
    assert (okrs.platform.score_override, okrs.platform.score_reason) == (None, "")


def test_it_saves_a_retrospective_with_and_without_htmx(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url, data = writes(okrs)["retrospective"]
    assert client.post(url, data).status_code == 302
    okrs.platform.refresh_from_db()
    assert okrs.platform.retro_went_well == "Canaries"
    response = client.post(url, {**data, "learned": "Small batches"}, headers=HTMX)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    okrs.platform.refresh_from_db()
    assert okrs.platform.retro_learned == "Small batches"


def test_an_empty_retrospective_is_refused(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/retrospective/")
    before = snapshot()
    response = client.post(url, {"went_well": "", "learned": " ", "next": ""})
    assert response.status_code == 422
    assert "Write at least one of" in response.content.decode()
    response = client.post(url, {"went_well": "x" * 2001}, headers=HTMX)
    assert "Keep what went well under 2000 characters." in unescape(response.content.decode())
    assert snapshot() == before


def test_the_page_shows_computed_scores_and_overrides(okrs: Okrs) -> None:
    # deploys 2 -> 10 stands at 5 (0.375), incidents 12 -> 4 at 9 (0.375)
    services.key_result_score_set(
        member=okrs.world.bob, key_result_id=okrs.incidents.pk, score=0.5, reason="Quiet month"
    )
    html = logged_in(okrs.world.bob).get(close_url(okrs)).content.decode()
    card = html[html.index(f'id="objective-{okrs.platform.pk}"') :]
    row = card[card.index(f'id="kr-{okrs.incidents.pk}"') :]
    assert "<td>0.4</td>" in row[: row.index("</tr>")]  # computed 0.375, shown 0.4
    assert 'value="0.5"' in row and 'value="Quiet month"' in row
    # the objective: (0.375 + 0.5) / 2 = 0.4375 -> 0.4
    assert re.search(r'score-progress score-figure">0\.4<', card)


def test_every_form_works_without_javascript(okrs: Okrs) -> None:
    html = logged_in(okrs.world.alice).get(close_url(okrs)).content.decode()
    forms = re.findall(r"<form[^>]*>", html)
    assert forms
    for form in forms:
        assert 'method="post"' in form and 'action="' in form, form
        hx = re.search(r'hx-post="([^"]+)"', form)
        if hx:
            assert f'action="{hx.group(1)}"' in form, form


# --- closing ---------------------------------------------------------------------------------------


def test_an_admin_closes_a_cycle_after_a_confirmation(okrs: Okrs) -> None:
    client = logged_in(okrs.world.alice)
    html = client.get(close_url(okrs)).content.decode()
    confirm = okrs.url(f"cycles/{okrs.quarter.pk}/close/confirm/")
    assert f'href="{confirm}"' in html
    response = client.get(confirm)
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Closing locks what This quarter reached" in page
    assert "its 2 active objectives close" in page
    assert "check-ins are closed" in page
    assert Cycle.objects.get(pk=okrs.quarter.pk).status == CycleStatus.ACTIVE  # GET wrote nothing
    response = client.post(confirm)
    assert response.status_code == 302 and response["Location"] == close_url(okrs)
    okrs.quarter.refresh_from_db()
    assert okrs.quarter.status == CycleStatus.CLOSED and okrs.quarter.closed_at
    page = text(client.get(close_url(okrs)).content.decode())
    assert "This quarter is closed: 2 objectives closed" in page
    assert "Closed on" in page and "Carry over Ship without fear" in page


def test_a_closed_cycle_shows_scores_read_only_and_refuses_writes(okrs: Okrs) -> None:
    services.objective_retrospective_save(
        member=okrs.world.bob, objective_id=okrs.platform.pk, learned="Small batches"
    )
    services.cycle_close(member=okrs.world.alice, cycle_id=okrs.quarter.pk)
    client = logged_in(okrs.world.bob)
    html = client.get(close_url(okrs)).content.decode()
    assert 'name="score"' not in html and 'name="went_well"' not in html
    assert "Small batches" in html
    before = snapshot()
    for name in ("key result score", "objective score", "retrospective"):
        url, data = writes(okrs)[name]
        response = client.post(url, data)
        assert response.status_code == 422, name
        assert (
            "This quarter is closed: its objectives, key results, scores and retrospectives are locked"
            in unescape(response.content.decode())
        ), name
    response = client.post(
        okrs.url(f"objectives/{okrs.platform.pk}/edit/"),
        {
            "title": "Rewritten",
            "cycle_id": okrs.quarter.pk,
            "owner": f"team:{okrs.world.platform.pk}",
            "status": "active",
            "visibility": "public",
            "version": Objective.objects.get(pk=okrs.platform.pk).version,
        },
    )
    assert response.status_code == 422
    assert "are locked" in response.content.decode()
    response = client.post(
        okrs.url("check-in/"), {"key_result": okrs.deploys.pk, "value": "9", "confidence": "7"}
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_closing_a_year_with_a_running_quarter_says_what_to_do_first(okrs: Okrs) -> None:
    client = logged_in(okrs.world.alice)
    confirm = okrs.url(f"cycles/{okrs.year.pk}/close/confirm/")
    page = text(client.get(confirm).content.decode())
    assert "This quarter inside FY is still running: close it first." in page
    before = snapshot()
    response = client.post(confirm)
    assert response.status_code == 409
    assert "still contains running cycles (This quarter)" in response.content.decode()
    assert snapshot() == before


def test_an_admin_reopens_a_cycle_with_a_reason(okrs: Okrs) -> None:
    services.cycle_close(member=okrs.world.alice, cycle_id=okrs.quarter.pk)
    client = logged_in(okrs.world.alice)
    url = okrs.url(f"cycles/{okrs.quarter.pk}/reopen/")
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422
    assert "Say why the cycle is reopened" in error_of(response, "reason")
    response = client.post(url, {"reason": "Closed a week early"})
    assert response.status_code == 302
    assert Cycle.objects.get(pk=okrs.quarter.pk).status == CycleStatus.ACTIVE
    assert Objective.objects.get(pk=okrs.platform.pk).status == "active"


# --- carry-over --------------------------------------------------------------------------------------


@pytest.fixture
def next_quarter(okrs: Okrs) -> Cycle:
    start = okrs.quarter.end_date + dt.timedelta(days=1)
    return CycleFactory(
        organisation=okrs.world.acme,
        name="Next quarter",
        start_date=start,
        end_date=start + dt.timedelta(days=90),
        status=CycleStatus.PLANNING,
    )


def test_it_carries_an_objective_over_into_a_later_cycle(okrs: Okrs, next_quarter: Cycle) -> None:
    services.checkin_create(
        member=okrs.world.bob, key_result_id=okrs.incidents.pk, value=3, confidence=9
    )
    services.cycle_close(member=okrs.world.alice, cycle_id=okrs.quarter.pk)
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/carry-over/")
    html = client.get(url).content.decode()
    assert f'<option value="{next_quarter.pk}">Next quarter' in html
    response = client.post(url, {"cycle_id": next_quarter.pk})
    assert response.status_code == 302
    copy = Objective.objects.get(carried_from=okrs.platform)
    assert response["Location"] == okrs.url(f"objectives/{copy.pk}/")
    page = text(client.get(response["Location"]).content.decode())
    assert "“Ship without fear” continues in Next quarter." in page
    assert "Continues an objective of an earlier cycle" in page
    assert "“Incidents a month” ended at 3, at or beyond its target 4, so it was not copied" in page
    # the year still runs around the next quarter: the link to its objective holds
    assert copy.parent_links.get().parent_objective == okrs.company
    # a second time: the cycle is no longer offered, and a forged POST is refused
    assert f'value="{next_quarter.pk}"' not in client.get(url).content.decode()
    before = snapshot()
    assert client.post(url, {"cycle_id": next_quarter.pk}).status_code == 422
    assert snapshot() == before


# --- the objective page -------------------------------------------------------------------------------


def test_the_objective_page_shows_the_score_and_retrospective_once_closed(okrs: Okrs) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/")
    services.objective_retrospective_save(
        member=okrs.world.bob, objective_id=okrs.platform.pk, went_well="Canary releases"
    )
    assert 'id="score"' not in client.get(url).content.decode()
    services.key_result_score_set(
        member=okrs.world.bob, key_result_id=okrs.deploys.pk, score=0.8, reason="Counted wrong"
    )
    services.cycle_close(member=okrs.world.alice, cycle_id=okrs.quarter.pk)
    response = client.get(url)
    assert_strict_page(response)
    page = text(response.content.decode())
    # (0.8 + 0.375) / 2 = 0.5875 -> 0.6
    assert "Score 0.6" in page
    assert "Deploys a week: 0.8 overridden (computed 0.4): Counted wrong" in page
    assert "What went well Canary releases" in page
    assert "this objective, its key results and its retrospective are locked" in page


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_key_results(okrs: Okrs, first: int, last: int) -> None:
    for n in range(first, last):
        kr = services.key_result_create(
            member=okrs.world.bob,
            objective=okrs.platform,
            title=f"Measure {n}",
            start_value=0,
            target_value=10,
        )
        services.checkin_create(
            member=okrs.world.bob, key_result_id=kr.pk, value=n % 10, confidence=5
        )


def test_the_objective_page_of_a_closed_cycle_runs_the_same_queries_for_3_and_30_key_results(
    okrs: Okrs,
) -> None:
    client = logged_in(okrs.world.bob)
    url = okrs.url(f"objectives/{okrs.platform.pk}/")
    alice = okrs.world.alice
    _add_key_results(okrs, 0, 3)
    open_count = _queries(client, url)
    services.cycle_close(member=alice, cycle_id=okrs.quarter.pk)
    small = _queries(client, url)
    assert small == open_count  # the score section reads what the page already loaded
    services.cycle_reopen(member=alice, cycle_id=okrs.quarter.pk, reason="More measures")
    _add_key_results(okrs, 3, 30)
    services.cycle_close(member=alice, cycle_id=okrs.quarter.pk)
    assert _queries(client, url) == small


def test_the_close_review_runs_the_same_queries_for_3_and_30_objectives(okrs: Okrs) -> None:
    def add(first: int, last: int) -> None:
        services.objectives_bulk_create(
            member=okrs.world.alice,
            objectives=[
                {
                    "cycle_id": okrs.quarter.pk,
                    "owner_team_id": okrs.world.platform.pk if n % 2 else okrs.world.root.pk,
                    "title": f"Objective {n}",
                    "key_results": [
                        {"title": "One", "start_value": 0, "target_value": 4},
                        {"title": "Two", "kind": "milestone"},
                    ],
                }
                for n in range(first, last)
            ],
        )

    clients = {name: logged_in(getattr(okrs.world, name)) for name in ("alice", "bob")}
    add(0, 1)  # with platform and personal: 3 objectives
    small = {name: _queries(client, close_url(okrs)) for name, client in clients.items()}
    add(1, 28)
    large = {name: _queries(client, close_url(okrs)) for name, client in clients.items()}
    assert large == small
    assert "Objective 27" in clients["bob"].get(close_url(okrs)).content.decode()


def test_the_cycles_and_cycle_edit_pages_link_to_the_close_review(okrs: Okrs) -> None:
    client = logged_in(okrs.world.alice)
    assert f'href="{close_url(okrs)}"' in client.get(okrs.url("cycles/")).content.decode()
    edit = client.get(okrs.url(f"cycles/{okrs.quarter.pk}/")).content.decode()
    assert f'href="{close_url(okrs)}"' in edit
    assert (
        f'href="{close_url(okrs)}"'
        in logged_in(okrs.world.dave).get(okrs.url("cycles/")).content.decode()
    )


def test_a_closed_objective_page_offers_no_edits(okrs: Okrs) -> None:
    page = okrs.url(f"objectives/{okrs.platform.pk}/")
    edit = okrs.url(f"objectives/{okrs.platform.pk}/edit/")
    assert edit in logged_in(okrs.world.bob).get(page).content.decode()
    services.cycle_close(member=okrs.world.alice, cycle_id=okrs.quarter.pk)
    assert edit not in logged_in(okrs.world.bob).get(page).content.decode()
